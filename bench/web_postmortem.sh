#!/usr/bin/env bash
# The web post-mortem on a big stored chat: time of the first "What the chat shows" view (/w, which
# analyses the stored chat), of one finding page (/w/f/s-0) and one argument page (/w/e/0), and the
# server's peak RSS while it serves them (VmHWM, reset after login: unlocking alone peaks higher).
#
#   bash bench/web_postmortem.sh                    # 1M messages
#   FILE=bench/out/whatsapp_100000.txt bash bench/web_postmortem.sh
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
/usr/bin/time -f "import: %e s" "$BIN" import "$FILE" >/dev/null
"$BIN" serve >"$D/out.txt" 2>"$D/err.txt" &
PID=$!
for _ in $(seq 1 100); do grep -q 'login?token=' "$D/out.txt" && break; sleep 0.2; done
URL=$(grep -o 'http://127.0.0.1:[0-9]*/[0-9a-f]*/login?token=[0-9a-f]*' "$D/out.txt" | head -1)
ORIGIN=${URL%%/login*} # the origin and this launch's random path
J=$D/cookies
curl -s -c "$J" -b "$J" -L -o /dev/null "$URL"
echo 5 > "/proc/$PID/clear_refs"
for page in /w /w/f/s-0 /w/e/0; do
  curl -s -c "$J" -b "$J" -o /dev/null -w "$page: HTTP %{http_code}, %{time_total} s\n" "$ORIGIN$page"
done
echo "server peak RSS while serving them: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status")"
