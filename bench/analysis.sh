#!/usr/bin/env bash
# Chat-analysis benchmark: `rekindle analyze FILE --json` (parse + classify every
# message + the whole analysis + JSON) next to the npm `chat-analytics` CLI
# generating its report from the same export (the peer of the import benchmark).
# Wall time and the process's own peak RSS come from bench/measure.py (wait4).
# Each tool runs RUNS times (default 3); the table shows the median run.
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

# median NAME CMD...: "seconds MB" of the median-time run of RUNS.
median() {
  local name=$1; shift
  local runs=()
  for _ in $(seq "$RUNS"); do
    runs+=("$(MEASURE_ERR="$OUT/last.err" python3 "$ROOT/bench/measure.py" "$@" || {
      echo "   $name FAILED: $(tail -2 "$OUT/last.err")" >&2; echo "failed failed"; })")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

rows=()
for n in $SIZES; do
  f=$OUT/whatsapp_$n.txt
  [ -f "$f" ] || python3 "$GEN" --messages "$n" --seed 1 --format android -o "$f"
  bytes=$(stat -c %s "$f")
  mb=$(python3 -c "print(f'{$bytes/1e6:.1f}')")
  echo "==> $n messages ($mb MB)"
  rk=$(median rekindle "$BIN" analyze "$f" --json)
  ca=$(median chat-analytics node "$OUT/node/node_modules/chat-analytics/dist/lib/CLI.js" -p whatsapp -i "$f" -o "$OUT/report.html")
  read -r rk_s rk_mb <<<"$rk"
  read -r ca_s ca_mb <<<"$ca"
  ratio=$(python3 -c "print(f'{$ca_s/$rk_s:.1f}×')" 2>/dev/null || echo "?")
  rss=$(python3 -c "print(f'{$rk_mb*1048576/$bytes:.2f}×')" 2>/dev/null || echo "?")
  rows+=("| $n | $mb MB | rekindle analyze --json (parse + classify + analysis) | $rk_s s | $rk_mb ($rss the file) | $ratio faster |")
  rows+=("| $n | $mb MB | chat-analytics 1.1.2 report | $ca_s s | $ca_mb | 1× |")
done

machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
table="Measured $(date -u +%Y-%m-%d) with \`bash bench/analysis.sh\` (median of $RUNS runs) on: $machine.

| messages | file | tool | wall time | peak RSS (MiB) | vs chat-analytics |
|---:|---:|---|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")"
echo "$table"
python3 "$ROOT/bench/put_table.py" "$ROOT/BENCHMARKS.md" analysis "$table"
