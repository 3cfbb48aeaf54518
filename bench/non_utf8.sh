#!/usr/bin/env bash
# Peak memory of `rekindle convert` and `rekindle import` on a large export that is not valid
# UTF-8 (issue 18, item 4: a 200 MB one took 730 MB): a generated WhatsApp export with a Latin-1
# byte (0xE9) appended to every 10th line, beside the same export left as UTF-8. Numbers go into
# BENCHMARKS.md; nothing here is asserted.
#
#   bash bench/non_utf8.sh                      # 2.5M messages, about 200 MB
#   MESSAGES=1000000 bash bench/non_utf8.sh
#   BIN=/path/to/other/rekindle bash bench/non_utf8.sh   # another build (before/after)
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-2500000}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out
mkdir -p "$OUT"
UTF8=$OUT/whatsapp_${MESSAGES}_seed7.txt
LATIN1=$OUT/whatsapp_${MESSAGES}_seed7_latin1.txt
[ -f "$UTF8" ] || python3 ../shared/bench/gen_whatsapp.py --messages "$MESSAGES" --seed 7 --format android -o "$UTF8"
[ -f "$LATIN1" ] || python3 - "$UTF8" "$LATIN1" <<'PY'
import sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
for i in range(0, len(lines), 10):
    lines[i] += b' caf\xe9'  # Latin-1 e-acute: not UTF-8
open(sys.argv[2], 'wb').write(b'\n'.join(lines))
PY
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --locked -p rekindle-cli
  BIN=$TARGET/release/rekindle
fi
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
export REKINDLE_PASSPHRASE='a bench vault by the river at dawn'
peak() {
  local rss wall
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$1")
  wall=$(awk -F': ' '/Elapsed/ {print $2}' "$1")
  echo "peak RSS $rss, $wall"
}
for f in "$UTF8" "$LATIN1"; do
  size=$(( $(stat -L -c %s "$f") / 1000000 ))
  /usr/bin/time -v "$BIN" convert "$f" >/dev/null 2>"$D/convert.txt"
  rm -rf "$D/data"; REKINDLE_DATA_DIR=$D/data "$BIN" init >/dev/null 2>&1
  REKINDLE_DATA_DIR=$D/data /usr/bin/time -v "$BIN" import "$f" >/dev/null 2>"$D/import.txt"
  echo "$(basename "$f") ($size MB): convert $(peak "$D/convert.txt"), import $(peak "$D/import.txt")"
done
