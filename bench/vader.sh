#!/usr/bin/env bash
# VADER scoring speed on the 23,703 oracle sentences of testdata/vader:
#   (1) the reference, Python vaderSentiment 3.3.2 (installed into bench/out/vader-venv),
#   (2) rekindle-vader on one thread, (3) rekindle-vader's score_many on all cores (rayon).
# Python scores all sentences REPS times (default 5), the Rust crate RUST_REPS times (default
# 10 × REPS: a pass takes milliseconds, so more passes smooth out other load on the machine);
# the table shows the median pass and how many CPU cores the process actually got (CPU time /
# wall time: below 1 per thread when other work shares the machine). Prints a Markdown table
# (and the machine) on stdout.
#
#   bench/vader.sh                 # REPS=5 ORACLE=testdata/vader/reference_scores.tsv
#   REPS=9 bench/vader.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ORACLE=${ORACLE:-$ROOT/testdata/vader/reference_scores.tsv}
REPS=${REPS:-5}
RUST_REPS=${RUST_REPS:-$((REPS * 10))}
VENV=$ROOT/bench/out/vader-venv
PYTHON=${PYTHON:-python3}

[ -r "$ORACLE" ] || { echo "oracle not found: $ORACLE" >&2; exit 1; }

if ! "$VENV/bin/python" -c 'import vaderSentiment' 2>/dev/null; then
  echo "installing vaderSentiment 3.3.2 into $VENV" >&2
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q 'vaderSentiment==3.3.2'
fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT

echo "timing Python vaderSentiment ($REPS passes)..." >&2
"$VENV/bin/python" - "$ORACLE" "$REPS" >>"$results" <<'EOF'
import csv, statistics, sys, time
from importlib.metadata import version
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

path, reps = sys.argv[1], int(sys.argv[2])
assert version("vaderSentiment") == "3.3.2", version("vaderSentiment")
with open(path, encoding="utf-8", newline="") as f:
    texts = [row[6] for row in list(csv.reader(f, delimiter="\t"))[1:]]
analyzer = SentimentIntensityAnalyzer()
times, cpu = [], 0.0
for _ in range(reps):
    t, c = time.perf_counter(), time.process_time()
    for text in texts:
        analyzer.polarity_scores(text)
    times.append(time.perf_counter() - t)
    cpu += time.process_time() - c
print(f"pass times {[round(x, 3) for x in times]}", file=sys.stderr)
v = sys.version.split()[0]
print(f"RESULT python-{v} 1 {statistics.median(times):.6f} {len(texts)} {cpu / sum(times):.2f}")
EOF

echo "timing rekindle-vader ($RUST_REPS passes each)..." >&2
(cd "$ROOT" && cargo bench -q -p rekindle-vader --bench vader -- --reps "$RUST_REPS" "$ORACLE") \
  | grep '^RESULT' >>"$results"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "Machine: $(nproc) CPUs, $cpu; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Command: \`bench/vader.sh\` (REPS=$REPS, RUST_REPS=$RUST_REPS), $(date -u +%Y-%m-%d)."
echo
awk '
  { name[NR] = $2; threads[NR] = $3; secs[NR] = $4; n[NR] = $5; cores[NR] = $6 }
  END {
    py = secs[1]
    print "| implementation | threads | median time per pass (" n[1] " sentences) | sentences/s | vs Python | CPU cores it got |"
    print "|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= NR; i++) {
      label = name[i]
      if (label ~ /^python/) { sub(/^python-/, "", label); label = "Python " label " vaderSentiment 3.3.2" }
      else if (label == "rust-single") label = "rekindle-vader `polarity_scores`"
      else if (label == "rust-many") label = "rekindle-vader `score_many` (rayon)"
      printf "| %s | %d | %.1f ms | %.0f | %.1f× | %s |\n", label, threads[i], secs[i] * 1000, n[i] / secs[i], py / secs[i], cores[i]
    }
  }' "$results"
