#!/usr/bin/env python3
"""Differential test against the reference beyond the oracle sentences: random sentences built
from the rules' trigger words, lexicon words, emoticons, emoji, caps, punctuation, Python
whitespace and odd Unicode, scored by vaderSentiment 3.3.2 (run this with the Python 3.11 that
has it installed) and by `cargo run --release --example score_jsonl`.

    bench/out/vader-venv/bin/python crates/rekindle-vader/tools/difftest.py [N] [SEED]
"""
import json
import os
import random
import subprocess
import sys

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, BOOSTER_DICT, NEGATE

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rng = random.Random(SEED)
an = SentimentIntensityAnalyzer()

lex = sorted(an.lexicon)
emoji = sorted(an.emojis)
single_emoji = [e for e in emoji if len(e) == 1]
rules = ("no but kind of least at very never so this without doubt or nor the shit bomb bad ass "
         "bus stop yeah right kiss death to die for beating heart just enough sort kinda "
         "isn't don't wasn't aint cant n't").split()
boosters = [b for b in BOOSTER_DICT if " " not in b]
odd = ["\u212aind", "\u212aILL", "\u01c5AD", "ÉTÉ", "café", "naïve", "\u0130", "ΣΑΣ", "straße",
       "ﬁne", "Ⅻ", "ǈ", "ᾈ", "ⓐ", "Ⓐ", "GOOD\u0301", "😀😀", "👍🏽", "🇫🇷", "#️⃣", "\u200b",
       ":)", ":D", ":-(", "<3", "</3", ":'(", "(:", "XD", "xD", "d:", "'", "\"", "...", "!", "?",
       "!!", "??", "???", "????", "!?", "-", "--", "a", "I", "OK", "ok", "LOL", "lol"]
seps = [" "] * 30 + ["  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f",
                     "\x85", "\xa0", "\u1680", "\u2000", "\u2007", "\u200a", "\u2028", "\u2029",
                     "\u202f", "\u205f", "\u3000", "\u180e", "\u200b", ""]
punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def word():
    r = rng.random()
    if r < 0.30:
        w = rng.choice(lex)
    elif r < 0.50:
        w = rng.choice(rules)
    elif r < 0.58:
        w = rng.choice(boosters)
    elif r < 0.64:
        w = rng.choice(NEGATE)
    elif r < 0.72:
        w = rng.choice(single_emoji) if rng.random() < 0.8 else rng.choice(emoji)
    elif r < 0.80:
        w = rng.choice(odd)
    elif r < 0.85:
        w = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 5)))
    else:
        w = rng.choice(["it", "was", "a", "is", "I", "you", "we", "movie", "day", "and", "that"])
    r = rng.random()
    if r < 0.15:
        w = w.upper()
    elif r < 0.20:
        w = w.capitalize()
    if rng.random() < 0.15:
        w = "".join(rng.choice(punct) for _ in range(rng.randrange(1, 4))) + w
    if rng.random() < 0.2:
        w = w + "".join(rng.choice(punct) for _ in range(rng.randrange(1, 5)))
    return w


def sentence():
    n = rng.randrange(0, 25)
    out = []
    for i in range(n):
        if i:
            out.append(rng.choice(seps))
        out.append(word())
    if rng.random() < 0.1:
        out.insert(0, rng.choice(seps))
    return "".join(out)


texts = [sentence() for _ in range(N)]
here = os.path.dirname(os.path.abspath(__file__))
proc = subprocess.run(
    ["cargo", "run", "-q", "--release", "-p", "rekindle-vader", "--example", "score_jsonl"],
    input="".join(json.dumps(t) + "\n" for t in texts), capture_output=True, text=True,
    cwd=os.path.join(here, ".."), check=True)
got = [json.loads(l) for l in proc.stdout.splitlines()]
assert len(got) == len(texts), (len(got), len(texts))
bad = 0
for t, g in zip(texts, got):
    w = an.polarity_scores(t)
    if any(w[k] != g[k] for k in ("neg", "neu", "pos", "compound")):
        bad += 1
        if bad <= 10:
            print("DIFF", repr(t), "\n  want", w, "\n  got ", g)
print(f"{N} random sentences (seed {SEED}), {bad} differ")
sys.exit(1 if bad else 0)
