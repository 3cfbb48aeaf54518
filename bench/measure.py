#!/usr/bin/env python3
"""Runs one command; prints its wall time in seconds (to the microsecond)
and its own peak RSS in MB, from wait4's rusage for exactly that child."""
import os, subprocess, sys, time

# Output goes to a pipe that is read and thrown away: with stdout on
# /dev/null, GNU grep stops at the first match and would look free.
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=open(os.environ.get("MEASURE_ERR", os.devnull), "w"))
while proc.stdout.read(1 << 20):
    pass
_, status, usage = os.wait4(proc.pid, 0)
elapsed = time.perf_counter() - start
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit(1)
print(f"{elapsed:.3f} {usage.ru_maxrss // 1024}")
