#!/usr/bin/env bash
# The whole test suite: formatting, lints, every crate's tests, and the
# browser tests against the real binary in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo deny (licences, banned sources; see deny.toml)"
cargo deny --log-level error check licenses bans sources

echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --locked

echo "==> browser tests (headless Chromium)"
cargo build -p rekindle-cli --locked
(cd tests/e2e && REKINDLE_BIN="$PWD/../../target/debug/rekindle" node --test --test-concurrency=1)
