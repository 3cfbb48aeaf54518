#!/usr/bin/env bash
# The local web app (`rekindle serve`) under a fixed request rate, on this machine's two cores
# (security.md items 49, 50 and 53). Numbers go into BENCHMARKS.md; nothing here is asserted.
#
#   bash bench/local.sh                    # 20 s per run (DURATION), a short soak
#   DURATION=60 bash bench/local.sh        # item 49's 60 s runs
#   SOAK=3600 bash bench/local.sh          # item 53's one-hour soak
#
# Load: crates/rekindle-web/examples/load.rs, a wrk2-style open-loop generator (latency counted
# from when each request was due, so a slow server cannot hide its queue). Reads: the home page
# (dashboard), a problem (an entry), the relationship page and a page of chat messages, round
# robin, at READ_RATE/s over CONNECTIONS connections. Writes: saving the relationship page (a new
# version each time, committed with synchronous=FULL) at WRITE_RATE/s. The soak runs the read mix
# for SOAK seconds and samples the server's RSS and open file descriptors.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
SOAK=${SOAK:-$DURATION}
READ_RATE=${READ_RATE:-500}
WRITE_RATE=${WRITE_RATE:-50}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18095}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=${OUT:-$TARGET/bench-local}
mkdir -p "$OUT"

cargo build --release --quiet --locked -p rekindle-cli
cargo build --release --quiet --locked -p rekindle-web --example load
BIN=$TARGET/release/rekindle
LOAD=$TARGET/release/examples/load

D=$(mktemp -d)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT
export REKINDLE_DATA_DIR=$D/data REKINDLE_PASSPHRASE='a bench vault by the river at dawn'
"$BIN" init >/dev/null
"$BIN" problem add --title "My drinking at parties" --category substance --whose mine \
  --frequency often --severity 4 --my-part "I said hurtful things" >/dev/null
"$BIN" plan 1 --prevention "I will not drink" --commitment "No alcohol" --kind daily >/dev/null
"$BIN" import crates/rekindle-analysis/tests/data/generated_5000.txt >/dev/null 2>&1

"$BIN" serve --port "$PORT" >"$D/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do grep -q 'login?token=' "$D/serve.log" && break; sleep 0.1; done
LOGIN=$(grep -o "http://127.0.0.1:$PORT/[0-9a-f]*/login?token=[0-9a-f]*" "$D/serve.log" | head -1)
BASE=${LOGIN#http://127.0.0.1:$PORT}; BASE=${BASE%%/login*} # this launch's random path
COOKIE=$(curl -s -o /dev/null -D - "$LOGIN" | awk -F': ' 'tolower($1)=="set-cookie" {print $2}' | cut -d';' -f1 | tr -d '\r')
CSRF=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$BASE/r" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$COOKIE" ] && [ -n "$CSRF" ] || { echo "could not sign in"; cat "$D/serve.log"; exit 1; }

python3 - "$PORT" "$BASE" "$COOKIE" "$CSRF" "$OUT" <<'PY'
import json, sys, urllib.parse
port, base, cookie, csrf, out = sys.argv[1:]
host = f"127.0.0.1:{port}"
h = [["Host", host], ["Cookie", cookie]]
reads = [{"addr": host, "method": "GET", "path": base + p, "headers": h}
         for p in ["/", "/p/1", "/r", "/w/f/m-0"]]
body = urllib.parse.urlencode({"csrf": csrf, "their_name": "Alex", "who_ended": "them",
                               "my_view": "A new version of my view, saved under load."})
writes = [{"addr": host, "method": "POST", "path": base + "/r", "body": body,
           "headers": h + [["Content-Type", "application/x-www-form-urlencoded"],
                           ["Origin", f"http://{host}"], ["Sec-Fetch-Site", "same-origin"]]}]
json.dump(reads, open(f"{out}/reads.json", "w"))
json.dump(writes, open(f"{out}/writes.json", "w"))
PY

rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$PID/status"; }
fds() { ls "/proc/$PID/fd" | wc -l; }
: >"$OUT/results.jsonl"
run() { # name, then load's arguments
  local name=$1; shift
  local result
  result=$("$LOAD" "$@")
  echo "$name: $result"
  echo "{\"name\": \"$name\", \"result\": $result}" >>"$OUT/results.jsonl"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$LOAD" "$OUT/reads.json" --rate 100 --seconds 2 >/dev/null # warm-up (the chat page's analysis is cached)
echo "== item 49: page reads"
run "reads at ${READ_RATE}/s, ${CONNECTIONS} connections, ${DURATION} s" "$OUT/reads.json" \
  --rate "$READ_RATE" --seconds "$DURATION" --connections "$CONNECTIONS"
run "reads at $((READ_RATE * 2))/s, ${CONNECTIONS} connections, ${DURATION} s" "$OUT/reads.json" \
  --rate "$((READ_RATE * 2))" --seconds "$DURATION" --connections "$CONNECTIONS"

echo "== item 50: writes (synchronous=FULL)"
run "relationship saves at ${WRITE_RATE}/s, ${DURATION} s" "$OUT/writes.json" \
  --rate "$WRITE_RATE" --seconds "$DURATION" --connections 8
# The disk's own fsync latency, for comparison: 4 KiB written and fsync'd 500 times.
python3 - "$D" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync.bin")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
times = []
for i in range(500):
    os.pwrite(fd, os.urandom(4096), (i % 64) * 4096)
    t = time.perf_counter(); os.fsync(fd); times.append((time.perf_counter() - t) * 1000)
os.close(fd); times.sort()
print(f"disk fsync of 4 KiB: p50 {times[249]:.2f} ms, p99 {times[494]:.2f} ms, max {times[-1]:.2f} ms")
PY

echo "== item 53: soak, the read mix for ${SOAK} s"
RSS0=$(rss); FD0=$(fds)
echo "before: RSS ${RSS0} MB, ${FD0} open files"
"$LOAD" "$OUT/reads.json" --rate "$READ_RATE" --seconds "$SOAK" --connections "$CONNECTIONS" >"$OUT/soak.json" &
LOADPID=$!
STARTED=$(date +%s)
STEP=$(( SOAK / 10 )); [ "$STEP" -ge 1 ] || STEP=1
while kill -0 "$LOADPID" 2>/dev/null; do
  sleep "$STEP"
  kill -0 "$LOADPID" 2>/dev/null && echo "  at +$(( $(date +%s) - STARTED )) s: RSS $(rss) MB, $(fds) open files"
done
wait "$LOADPID"
echo "soak: $(cat "$OUT/soak.json")"
echo "after: RSS $(rss) MB, $(fds) open files (before: ${RSS0} MB, ${FD0})"
echo "server peak RSS over the whole run: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status")"
