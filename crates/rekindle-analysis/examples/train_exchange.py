#!/usr/bin/env python3
"""Fits the exchange model's weights (src/exchange.rs, WEIGHTS) on the table that
examples/exchange_dump.rs writes from the tuning chat sets:

    cd crates/rekindle-analysis
    D=tests/data
    cargo run --profile eval -p rekindle-analysis --example exchange_dump -- \
        $D/chats2 $D/chats3 $D/chats4 $D/chats6 $D/chats7 $D/chats9 $D/chats11 > /tmp/exchange.tsv
    python3 examples/train_exchange.py /tmp/exchange.tsv

Only chats2's odd files are used (its even files are held out), and only the
messages the episodes call hostile (negative, or a criticism, contempt or
defensiveness marker): the model decides which runs of those are an argument.
**Never chats5, chats8, chats10, chats12, chats13, chats14 or chats2's even files**: they are held out.

Logistic regression, full-batch gradient descent (300 epochs, step 0.5, L2 1.0
on every weight but the bias), plain Python so that it runs anywhere. Prints
the leave-one-set-out ROC AUC and the weights as a Rust array.
"""
import math
import sys

HELD_OUT = {"chats5", "chats8", "chats10", "chats12", "chats13", "chats14"}


def load(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        rows.append((p[0], p[1], int(p[2]), int(p[3]), [float(v) for v in p[4:]]))
    chats2 = sorted({r[1] for r in rows if r[0] == "chats2"})
    odd = set(chats2[0::2])
    rows = [r for r in rows if r[0] not in HELD_OUT and (r[0] != "chats2" or r[1] in odd)]
    # Hostile messages only: negative (f2), an attack (f3) or defensiveness (f4).
    return [r for r in rows if r[4][2] > 0 or r[4][3] > 0 or r[4][4] > 0]


def sigmoid(z):
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def train(data, l2=1.0, epochs=300, lr=0.5):
    f = len(data[0][4])
    w = [0.0] * f
    n = len(data)
    for _ in range(epochs):
        g = [0.0] * f
        for r in data:
            e = sigmoid(sum(a * b for a, b in zip(w, r[4]))) - r[3]
            for i, x in enumerate(r[4]):
                g[i] += e * x
        for i in range(f):
            w[i] -= lr * (g[i] / n + (l2 * w[i] / n if i > 0 else 0.0))
    return w


def auc(ps, ys):
    pairs = sorted(zip(ps, ys))
    npos = sum(ys)
    nneg = len(ys) - npos
    ranks = sum(i + 1 for i, (_, y) in enumerate(pairs) if y)
    return (ranks - npos * (npos + 1) / 2) / (npos * nneg)


def main():
    rows = load(sys.argv[1])
    sets = sorted({r[0] for r in rows})
    ps, ys = [], []
    for s in sets:
        w = train([r for r in rows if r[0] != s])
        test = [r for r in rows if r[0] == s]
        ps += [sigmoid(sum(a * b for a, b in zip(w, r[4]))) for r in test]
        ys += [r[3] for r in test]
    print(f"{len(rows)} hostile messages, {sum(r[3] for r in rows)} inside an argument; "
          f"leave one set out ROC AUC {auc(ps, ys):.3f}")
    w = train(rows)
    print("const WEIGHTS: [f32; FEATURES] = [")
    print("    " + ", ".join(f"{v:.3f}" for v in w) + ",")
    print("];")


if __name__ == "__main__":
    main()
