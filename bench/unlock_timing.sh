#!/usr/bin/env bash
# Unlock timing with the real, the duress and a wrong passphrase
# (security.md item 58; README "The duress passphrase"). Prints Markdown
# tables for BENCHMARKS.md ("Unlock timing"). Timing goals are measured
# here, never asserted in tests.
#
#   bash bench/unlock_timing.sh            # 200 trials of each passphrase
#   TRIALS=50 bash bench/unlock_timing.sh  # quicker
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Measured $(date +%F) on: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)."
echo
cargo run --release --locked -q -p rekindle-store --example unlock_timing
