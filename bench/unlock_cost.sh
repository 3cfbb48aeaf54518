#!/usr/bin/env bash
# What one unlock costs (issue 18, item 5; security.md table: 0.5–1 s).
#
#   bash bench/unlock_cost.sh          # 5 runs; RUNS=9 for more
#
# Builds the release binary, creates a vault with today's default Argon2id
# parameters, then times `rekindle status` with the passphrase given (one key
# derivation, opening the database, counting rows) RUNS times. Prints the
# median wall time, the median CPU time (user + system: what the derivation
# itself costs, steadier than wall time on a shared machine) and the peak
# RSS, and writes the table into BENCHMARKS.md between the bench:unlock markers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/rekindle-unlock.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

echo "==> building rekindle (release)"
cargo build --release -p rekindle-cli --locked 2>&1 | tail -1
BIN=$TARGET/release/rekindle

export REKINDLE_PASSPHRASE="a benchmark passphrase, not a secret at all"
unset REKINDLE_TEST_FAST_KDF
"$BIN" --data-dir "$OUT/vault" init >/dev/null
params=$(python3 -c 'import json,sys; k=json.load(open(sys.argv[1]))["kdf"]; print("m=%s KiB, t=%s, p=%s" % (k["memory_kib"], k["iterations"], k["parallelism"]))' "$OUT/vault/vault.key")

result=$(python3 - "$RUNS" "$BIN" "$OUT/vault" <<'PY'
import os, statistics, subprocess, sys, time
runs, binary, vault = int(sys.argv[1]), sys.argv[2], sys.argv[3]
walls, cpus, rss = [], [], []
for _ in range(runs):
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "--data-dir", vault, "status"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    walls.append(time.perf_counter() - start)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("status failed: " + proc.stderr.read().decode(errors="replace"))
    cpus.append(usage.ru_utime + usage.ru_stime)
    rss.append(usage.ru_maxrss // 1024)
print(f"{statistics.median(walls):.3f} {statistics.median(cpus):.3f} {max(rss)} {min(walls):.3f} {max(walls):.3f}")
PY
)
read -r wall cpu peak wmin wmax <<<"$result"
load=$(cut -d' ' -f1 /proc/loadavg)
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
table="Measured $(date -u +%Y-%m-%d) with \`bash bench/unlock_cost.sh\` ($RUNS runs, load average $load) on: $machine.

| Argon2id parameters | median wall time | median CPU time | wall min–max | peak RSS |
|---|---:|---:|---:|---:|
| $params | $wall s | $cpu s | $wmin–$wmax s | $peak MB |"
echo "$table"
python3 "$ROOT/bench/put_table.py" "$ROOT/BENCHMARKS.md" unlock "$table"
