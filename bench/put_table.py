#!/usr/bin/env python3
"""put_table.py FILE NAME TABLE: puts TABLE into FILE between the markers
<!-- bench:NAME:start --> and <!-- bench:NAME:end --> (appended when absent)."""
import re, sys

path, name, table = sys.argv[1], sys.argv[2], sys.argv[3]
start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
text = open(path).read()
new = f"{start}\n{table}\n{end}"
if start in text:
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: new, text, flags=re.S)
else:
    text = text + "\n" + new + "\n"
open(path, "w").write(text)
