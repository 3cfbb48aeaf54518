#!/usr/bin/env bash
# Chat-analysis benchmark: `rekindle analyze FILE --json` (parse + classify every
# message + the whole analysis + JSON) next to the npm `chat-analytics` CLI
# generating its report from the same export (the peer of the import benchmark).
# Wall time and the process's own peak RSS come from bench/measure.py (wait4).
# Each tool runs RUNS times (default 3), the two taking turns; the table shows
# each one's median run.
#
#   bash bench/analysis.sh                  # 1M messages
#   SIZES="100000 1000000" RUNS=5 bash bench/analysis.sh
#
# Writes the Markdown table into BENCHMARKS.md between the bench:analysis markers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
GEN=${GEN:-$ROOT/../shared/bench/gen_whatsapp.py}
SIZES=${SIZES:-"1000000"}
RUNS=${RUNS:-3}
mkdir -p "$OUT"

echo "==> building rekindle (release)"
cargo build --release -p rekindle-cli --locked 2>&1 | tail -1
BIN=$ROOT/target/release/rekindle
if [ ! -f "$OUT/node/node_modules/chat-analytics/dist/lib/CLI.js" ]; then
  echo "==> installing chat-analytics (npm) into $OUT/node"
  mkdir -p "$OUT/node"
  (cd "$OUT/node" && npm install --no-audit --no-fund --loglevel=error chat-analytics@1.1.2 >/dev/null)
fi

# once NAME CMD...: "seconds MB" of one run.
once() {
  local name=$1; shift
  MEASURE_ERR="$OUT/last.err" python3 "$ROOT/bench/measure.py" "$@" || {
    echo "   $name FAILED: $(tail -2 "$OUT/last.err")" >&2; echo "failed failed"; }
}

# median RUN...: the median-time one of the runs given.
median() {
  printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"
}

rows=()
for n in $SIZES; do
  f=$OUT/whatsapp_$n.txt
  [ -f "$f" ] || python3 "$GEN" --messages "$n" --seed 1 --format android -o "$f"
  bytes=$(stat -c %s "$f")
  mb=$(python3 -c "print(f'{$bytes/1e6:.1f}')")
  echo "==> $n messages ($mb MB)"
  # The two tools take turns, so that both meet the same load on a shared
  # host (on this one the same binary's time drifts by 20 % over minutes).
  rk_runs=(); ca_runs=()
  for _ in $(seq "$RUNS"); do
    rk_runs+=("$(once rekindle "$BIN" analyze "$f" --json)")
    ca_runs+=("$(once chat-analytics node "$OUT/node/node_modules/chat-analytics/dist/lib/CLI.js" -p whatsapp -i "$f" -o "$OUT/report.html")")
  done
  rk=$(median "${rk_runs[@]}")
  ca=$(median "${ca_runs[@]}")
  echo "   rekindle runs: $(printf '%s; ' "${rk_runs[@]}")" >&2
  echo "   chat-analytics runs: $(printf '%s; ' "${ca_runs[@]}")" >&2
  read -r rk_s rk_mb <<<"$rk"
  read -r ca_s ca_mb <<<"$ca"
  ratio=$(python3 -c "print(f'{$ca_s/$rk_s:.1f}×')" 2>/dev/null || echo "?")
  rss=$(python3 -c "print(f'{$rk_mb*1048576/$bytes:.2f}×')" 2>/dev/null || echo "?")
  rows+=("| $n | $mb MB | rekindle analyze --json (parse + classify + analysis) | $rk_s s | $rk_mb ($rss the file) | $ratio faster |")
  rows+=("| $n | $mb MB | chat-analytics 1.1.2 report | $ca_s s | $ca_mb | 1× |")
done

machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
table="Measured $(date -u +%Y-%m-%d) with \`bash bench/analysis.sh\` (median of $RUNS runs each, the two tools taking turns) on: $machine.

| messages | file | tool | wall time | peak RSS (MiB) | vs chat-analytics |
|---:|---:|---|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")"
echo "$table"
python3 "$ROOT/bench/put_table.py" "$ROOT/BENCHMARKS.md" analysis "$table"
