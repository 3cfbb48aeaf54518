#!/usr/bin/env bash
# Chat-import benchmark, side by side with the tools a user would otherwise
# use: `grep -c` (the cost of reading the bytes once), the PyPI `whatstk`
# parser and the npm `chat-analytics` CLI (report generation).
#
#   bash bench/run.sh              # 100k and 1M messages
#   SIZES="100000" bash bench/run.sh
#
# Installs the peers itself (a venv and an npm folder under bench/out/),
# generates the exports with ../shared/bench/gen_whatsapp.py, prints a
# Markdown table and writes it into BENCHMARKS.md between the markers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
GEN=${GEN:-$ROOT/../shared/bench/gen_whatsapp.py}
SIZES=${SIZES:-"100000 1000000"}
mkdir -p "$OUT"


echo "==> building rekindle (release)"
cargo build --release -p rekindle-cli --locked 2>&1 | tail -1
BIN=$ROOT/target/release/rekindle

if [ ! -x "$OUT/venv/bin/python" ]; then
  echo "==> installing whatstk (PyPI) into $OUT/venv"
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q whatstk==0.9.1
fi
if [ ! -f "$OUT/node/node_modules/chat-analytics/dist/lib/CLI.js" ]; then
  echo "==> installing chat-analytics (npm) into $OUT/node"
  mkdir -p "$OUT/node"
  (cd "$OUT/node" && npm install --no-audit --no-fund --loglevel=error chat-analytics@1.1.2 >/dev/null)
fi

# measure NAME CMD...: wall seconds and peak RSS (MB) of one run.
measure() {
  local name=$1; shift
  MEASURE_ERR="$OUT/last.err" python3 "$ROOT/bench/measure.py" "$@" || {
    echo "   $name FAILED: $(tail -2 "$OUT/last.err")" >&2; echo "failed failed"; }
}

export REKINDLE_PASSPHRASE="benchmark passphrase, not a secret"
rows=()
for n in $SIZES; do
  f=$OUT/whatsapp_$n.txt
  [ -f "$f" ] || python3 "$GEN" --messages "$n" --seed 1 --format android -o "$f"
  mb=$(( $(stat -c %s "$f") / 1024 / 1024 ))
  echo "==> $n messages ($mb MB)"
  grep_r=$(measure grep grep -c "" "$f")
  conv_r=$(measure convert "$BIN" convert "$f")
  rm -rf "$OUT/vault"
  "$BIN" --data-dir "$OUT/vault" init >/dev/null
  imp_r=$(measure import "$BIN" --data-dir "$OUT/vault" import "$f")
  again_r=$(measure reimport "$BIN" --data-dir "$OUT/vault" import "$f")
  # An empty-vault unlock alone, to tell the key derivation from the import.
  rm -rf "$OUT/vault2"; "$BIN" --data-dir "$OUT/vault2" init >/dev/null
  unlock_r=$(measure unlock "$BIN" --data-dir "$OUT/vault2" status)
  wtk_r=$(measure whatstk "$OUT/venv/bin/python" -c "from whatstk import WhatsAppChat; WhatsAppChat.from_source(filepath='$f', max_size=None)")
  ca_r=$(measure chat-analytics node "$OUT/node/node_modules/chat-analytics/dist/lib/CLI.js" -p whatsapp -i "$f" -o "$OUT/report.html")
  for pair in "grep -c:$grep_r" "rekindle convert (parse → JSONL):$conv_r" "rekindle import (parse + store in encrypted vault):$imp_r" \
              "rekindle import again (all duplicates):$again_r" "rekindle unlock only (Argon2id 128 MiB, t=6):$unlock_r" \
              "whatstk 0.9.1 from_source:$wtk_r" "chat-analytics 1.1.2 report:$ca_r"; do
    name=${pair%%:*}; vals=${pair#*:}
    rows+=("| $n | $mb MB | $name | ${vals% *} s | ${vals#* } MB |")
  done
done

machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
table="Measured $(date -u +%Y-%m-%d) with \`bash bench/run.sh\` on: $machine.

| messages | file | tool | wall time | peak RSS |
|---:|---:|---|---:|---:|
$(printf '%s\n' "${rows[@]}")"
echo "$table"
python3 "$ROOT/bench/put_table.py" "$ROOT/BENCHMARKS.md" import "$table"
