#!/usr/bin/env bash
# A large export uploaded through the web import page (issue 14: up to 500 MB, spooled to disk
# encrypted as it arrives): upload + import time, the server's peak RSS (VmHWM) during it, the
# time of a page read while the import runs, and a check that no spool file is left behind.
#
#   bash bench/web_upload.sh                        # the 1M-message export (~80 MB)
#   FILE=bench/out/whatsapp_6300000.txt bash bench/web_upload.sh   # ~520 MB (issue 14: at least 500 MB)
#   FILE=bench/out/whatsapp_100000.txt bash bench/web_upload.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${FILE:-bench/out/whatsapp_1000000.txt}
[ -f "$FILE" ] || python3 ../shared/bench/gen_whatsapp.py --messages 1000000 --seed 1 --format android -o "$FILE"
cargo build --release -p rekindle-cli --locked 2>&1 | tail -1
BIN=$PWD/target/release/rekindle
D=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$D"' EXIT
export REKINDLE_DATA_DIR=$D/data REKINDLE_PASSPHRASE='a quiet walk by the river at dawn'
"$BIN" init >/dev/null
"$BIN" serve >"$D/out.txt" 2>"$D/err.txt" &
PID=$!
for _ in $(seq 1 100); do grep -q 'login?token=' "$D/out.txt" && break; sleep 0.2; done
URL=$(grep -o 'http://127.0.0.1:[0-9]*/[0-9a-f]*/login?token=[0-9a-f]*' "$D/out.txt" | head -1)
BASE=${URL%%/login*} # the origin and this launch's random path
ORIGIN=$(echo "$BASE" | grep -o 'http://127.0.0.1:[0-9]*')
J=$D/cookies
curl -s -c "$J" -b "$J" -L -o /dev/null "$URL"
CSRF=$(curl -s -c "$J" -b "$J" "$BASE/i" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
echo "file: $FILE ($(du -m "$FILE" | cut -f1) MB)"
echo 5 > "/proc/$PID/clear_refs"
curl -s -c "$J" -b "$J" -o /dev/null -H "Origin: $ORIGIN" \
  -F "csrf=$CSRF" -F "file=@$FILE;type=text/plain" \
  -w "upload + import: HTTP %{http_code}, %{time_total} s\n" "$BASE/i" &
UP=$!
sleep 3
curl -s -c "$J" -b "$J" -o /dev/null -w "a page read (/) during the import: HTTP %{http_code}, %{time_total} s\n" "$BASE/"
wait $UP
echo "server peak RSS during upload and import: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status")"
left=$(find "$D/data" -maxdepth 1 -name '.upload-*' | wc -l)
echo "spool files left in the data folder: $left"
kill "$PID"; wait "$PID" 2>/dev/null || true
echo "what the vault holds afterwards (rekindle chats list):"
"$BIN" chats list | head -5
