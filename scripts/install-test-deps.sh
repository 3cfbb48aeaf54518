#!/usr/bin/env bash
# Installs what the test suite needs and is not part of the Rust toolchain:
# cargo-deny for the supply-chain checks,
# Debian's PostgreSQL for rekindle-store-pg's tests,
# Debian's Chromium for the browser tests and the pinned npm packages that
# drive it. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Please install Debian's packages (needs root): apt-get install chromium postgresql nodejs npm" >&2; exit 1
  fi
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the browser tests"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "==> installing Debian's postgresql for the hosted store's tests"
  as_root apt-get update -qq
  # Only the binaries are needed: scripts/pg-throwaway.sh runs its own cluster.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "==> installing node and npm"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

if [ ! -d tests/e2e/node_modules/playwright-core ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  echo "==> installing the browser-test driver (npm ci)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# Supply-chain checks (deny.toml): built from crates.io once, then reused.
if ! cargo deny --version 2>/dev/null | grep -q '^cargo-deny 0.20.2'; then
  echo "==> installing cargo-deny 0.20.2 (crates.io)"
  cargo install --locked --quiet cargo-deny --version 0.20.2
fi
