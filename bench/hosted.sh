#!/usr/bin/env bash
# Hosted and local web performance (issue 16, item 9). Numbers go into
# BENCHMARKS.md; nothing here is asserted by the test suite.
#
#   bash bench/hosted.sh            # 100 accounts x 10k messages x 90 days
#   ACCOUNTS=20 bash bench/hosted.sh  # quicker
#
# One throwaway PostgreSQL (scripts/pg-throwaway.sh: Unix socket, fsync off),
# two `rekindle host serve --behind-proxy` processes on loopback (plain HTTP,
# as behind a TLS proxy), and crates/rekindle-web/examples/load.rs, a
# fixed-rate open-loop generator (latency from when each request was due).
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS=${ACCOUNTS:-100}
MESSAGES=${MESSAGES:-10000}
DAYS=${DAYS:-90}
SECONDS_EACH=${SECONDS_EACH:-20}
OUT=${OUT:-target/bench-hosted}
HOST=rekindle.bench
mkdir -p "$OUT"

cargo build --release --quiet -p rekindle-cli
cargo build --release --quiet -p rekindle-web --example load --example hosted_seed
cargo build --release --quiet -p rekindle-store-pg --example import_bench
BIN=target/release/rekindle
LOAD=target/release/examples/load

eval "$(bash scripts/pg-throwaway.sh start)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/pg-throwaway.sh stop "$REKINDLE_PG_DIR"
}
trap cleanup EXIT

DB=bench_$$
psql "$REKINDLE_TEST_DATABASE_URL" -q -c "CREATE DATABASE $DB"
URL="${REKINDLE_TEST_DATABASE_URL%/*}/$DB"
ROLE=${DB}_app
"$BIN" host --database "$URL" --app-role "$ROLE" init >/dev/null

echo "== seeding $ACCOUNTS accounts ($MESSAGES messages, $DAYS days each)"
target/release/examples/hosted_seed --database "$URL" --app-role "$ROLE" --host "$HOST" \
  --addrs 127.0.0.1:18081,127.0.0.1:18082 --accounts "$ACCOUNTS" --messages "$MESSAGES" \
  --days "$DAYS" --out "$OUT"

for port in 18081 18082; do
  "$BIN" host --database "$URL" --app-role "$ROLE" serve --listen "127.0.0.1:$port" \
    --behind-proxy --host "$HOST" >"$OUT/serve-$port.log" 2>&1 &
  PIDS+=($!)
done
for port in 18081 18082; do
  for _ in $(seq 1 100); do
    grep -q "is serving" "$OUT/serve-$port.log" 2>/dev/null && break
    sleep 0.1
  done
done

run() { # name, then load's arguments
  local name=$1; shift
  local result
  result=$("$LOAD" "$@")
  echo "$name: $result"
  echo "{\"name\": \"$name\", \"result\": $result}" >>"$OUT/results.jsonl"
}
: >"$OUT/results.jsonl"

echo "== hosted: two processes, $ACCOUNTS accounts"
"$LOAD" "$OUT/reads.json" --rate 100 --seconds 3 >/dev/null # warm-up
run "hosted page reads at 200/s" "$OUT/reads.json" --rate 200 --seconds "$SECONDS_EACH"
run "hosted check-in writes at 50/s" "$OUT/writes.json" --rate 50 --seconds "$SECONDS_EACH"
run "hosted 40 sign-ins at once" "$OUT/signins.json" --burst 40

echo "== hosted: page reads while another account imports 1M messages"
cargo run --release --quiet -p rekindle-store-pg --example import_bench >"$OUT/import.log" 2>&1 &
IMPORT=$!
sleep 2
run "hosted page reads at 50/s during a 1M import" "$OUT/reads.json" --rate 50 --seconds 5
wait "$IMPORT" || true
grep -m1 -i "import" "$OUT/import.log" || true

echo "== local: rekindle serve, one vault"
LOCAL=$(mktemp -d)
REKINDLE_DATA_DIR="$LOCAL/data" REKINDLE_PASSPHRASE="a bench vault by the river at dawn" \
  "$BIN" serve --port 18090 >"$OUT/local.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "login?token=" "$OUT/local.log" 2>/dev/null && break; sleep 0.1; done
LOGIN=$(grep -o 'http://127.0.0.1:18090/[0-9a-f]*/login?token=[0-9a-f]*' "$OUT/local.log" | head -1)
BASE=${LOGIN#http://127.0.0.1:18090}; BASE=${BASE%%/login*} # this launch's random path
COOKIE=$(curl -s -o /dev/null -D - "$LOGIN" | awk -F': ' 'tolower($1)=="set-cookie" {print $2}' | cut -d';' -f1 | tr -d '\r')
printf '[{"addr":"127.0.0.1:18090","method":"GET","path":"%s/","headers":[["Host","127.0.0.1:18090"],["Cookie","%s"]]}]' "$BASE" "$COOKIE" >"$OUT/local.json"
"$LOAD" "$OUT/local.json" --rate 200 --seconds 2 >/dev/null # warm-up
run "local home page, one connection, back to back" "$OUT/local.json" --rate 100000 --seconds 0.05 --connections 1
run "local home page at 1000/s" "$OUT/local.json" --rate 1000 --seconds 10 --connections 16

echo "== local: page reads while the web app imports a 1M-message chat"
target/release/examples/hosted_seed --write-chat "$OUT/chat-1m.txt" --messages 1000000
ls -l "$OUT/chat-1m.txt"
CSRF=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:18090$BASE/i" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -o /dev/null -w "import answered %{http_code} (%{redirect_url}) after %{time_total} s\n" -H "Cookie: $COOKIE" \
  -H "Origin: http://127.0.0.1:18090" -F "csrf=$CSRF" -F "file=@$OUT/chat-1m.txt" \
  "http://127.0.0.1:18090$BASE/i" >"$OUT/local-import.log" &
UPLOAD=$!
sleep 0.5
run "local home page at 50/s during a 1M import" "$OUT/local.json" --rate 50 --seconds 2 --connections 8
wait "$UPLOAD"
cat "$OUT/local-import.log"
rm -rf "$LOCAL"
echo "results in $OUT/results.jsonl"
