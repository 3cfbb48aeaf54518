#!/usr/bin/env python3
"""Regenerates generated_5000.txt and generated_5000.labels from the project's
bench generator (../shared/bench/gen_whatsapp.py), recording which messages
belong to an "argument" session. Labels: one line per message: 1 if its
session was an argument session, else 0.

  python3 gen_labelled.py /work/shared/bench/gen_whatsapp.py
"""
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("gen", sys.argv[1])
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

labels = []
orig_body = gen.body


def body(rng, fmt, negative):
    labels.append(negative)
    return orig_body(rng, fmt, negative)


gen.body = body
with open("generated_5000.txt", "w", encoding="utf-8", newline="\n") as f:
    gen.generate(5000, 1, "android", 3.0, f)
with open("generated_5000.labels", "w") as f:
    for neg in labels:
        f.write("1\n" if neg else "0\n")
