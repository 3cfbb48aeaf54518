#!/usr/bin/env bash
# The whole test suite: formatting, lints, every crate's tests, and the
# browser tests against the real binary in headless Chromium.
# Everything it reads is in the repository (testdata/, see its PROVENANCE.md);
# a few tests also read ../shared beside the checkout when it is there and
# print "skipped: ..." when it is not.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh

# rekindle-store-pg's tests need PostgreSQL: a throwaway cluster on a Unix
# socket, stopped and deleted when this script ends (however it ends).
eval "$(bash scripts/pg-throwaway.sh start)"
trap 'bash scripts/pg-throwaway.sh stop "$REKINDLE_PG_DIR"' EXIT
echo "==> throwaway PostgreSQL in $REKINDLE_PG_DIR"

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo deny (licences, banned sources; see deny.toml)"
cargo deny --log-level error check licenses bans sources

echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --locked

echo "==> browser tests (headless Chromium)"
# `cargo test` above built the binary for rekindle-cli's tests; `cargo build`
# would unify the dependencies' features without the dev-dependencies and
# compile tokio, axum... a second time.
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
[ -x "$TARGET_DIR/debug/rekindle" ] || cargo build -p rekindle-cli --locked
(cd tests/e2e && REKINDLE_BIN="$TARGET_DIR/debug/rekindle" node --test --test-concurrency=1)
