#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 60), one after another.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
# Corpus: fuzz/corpus/<target> (not checked in), seeded from fuzz/seeds/<target>.
# Crashes land in fuzz/artifacts/<target>/; add each as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(whatsapp pieces dates telegram messenger csv zip snapshot)
# A small ASAN quarantine so that -rss_limit_mb measures what the parsers hold,
# not freed memory ASAN keeps around (the default 256 MiB made a long zip run
# hit 512 MiB with 29 MiB live; see README.md).
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=32}"
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  # `pieces` reads WhatsApp exports: it starts from their seeds.
  seeds=$t; [ "$t" = pieces ] && seeds=whatsapp
  cp -n fuzz/seeds/"$seeds"/* "fuzz/corpus/$t/" 2>/dev/null || true
  echo "== $t for ${secs}s"
  cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=512 -max_len=65536 -print_final_stats=1
done
