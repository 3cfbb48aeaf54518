//! The crisis check on labelled sets: how many crisis texts bring up the help
//! lines, and how many ordinary ones do, next to the phrase list it replaced.
//!
//! ```text
//! cargo run -p rekindle-core --example crisis_eval -- FILE [FILE...] [--misses]
//! ```
//!
//! Each FILE is `LABEL TAB CATEGORY TAB TEXT` per line, LABEL `self_harm`,
//! `danger` or `-` (tests/data/README.md). `--misses` prints every text the
//! check gets wrong: only for tuning sets (crisis_a.tsv), never the held-out one.
//! `--stdin` reads unlabelled lines and prints the ones flagged (false alarms
//! on ordinary text).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use rekindle_core::crisis::{counted_phrases, crisis_signs, phrase_signs};

/// The list used until session 18 (exact phrases, any case).
const OLD_PHRASES: &[&str] = &[
    "kill myself",
    "killing myself",
    "suicide",
    "suicidal",
    "end my life",
    "end it all",
    "want to die",
    "wanna die",
    "better off dead",
    "no reason to live",
    "hurt myself",
    "harm myself",
    "self-harm",
    "self harm",
    "cut myself",
    "overdose",
    "can't go on",
    "cant go on",
    "going to kill me",
    "gonna kill me",
    "will kill me",
    "threatened to kill",
    "afraid for my life",
    "scared for my life",
    "he hit me",
    "she hit me",
    "they hit me",
    "hits me",
    "strangled",
    "choked me",
];

fn old(text: &str) -> bool {
    let lower = text.to_lowercase().replace('’', "'");
    OLD_PHRASES.iter().any(|p| lower.contains(p))
}

#[derive(Default)]
struct Tally {
    n: usize,
    old: usize,
    phrases: usize,
    new: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    if args.iter().any(|a| a == "--stdin") {
        // Unlabelled text, one per line: print what is flagged and the count.
        let (mut n, mut flagged) = (0usize, 0usize);
        for line in std::io::stdin().lines().map_while(Result::ok) {
            n += 1;
            let s = crisis_signs(&line);
            if s.any() {
                flagged += 1;
                println!(
                    "  {}{} {line}  <- {:?}",
                    if s.self_harm { "S" } else { "-" },
                    if s.danger { "D" } else { "-" },
                    counted_phrases(&line)
                );
            }
        }
        println!("{flagged} of {n} lines flagged");
        return;
    }
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if files.is_empty() {
        eprintln!("usage: crisis_eval FILE [FILE...] [--misses]");
        std::process::exit(2);
    }
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut by: BTreeMap<(String, String), Tally> = BTreeMap::new();
        let mut kind_right = 0usize;
        let mut crisis_found = 0usize;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut parts = line.splitn(3, '\t');
            let (Some(label), Some(cat), Some(t)) = (parts.next(), parts.next(), parts.next())
            else {
                eprintln!("{file}: bad line: {line}");
                std::process::exit(1);
            };
            let signs = crisis_signs(t);
            let flagged = signs.any();
            let e = by.entry((label.to_string(), cat.to_string())).or_default();
            e.n += 1;
            e.old += usize::from(old(t));
            e.phrases += usize::from(phrase_signs(t).any());
            e.new += usize::from(flagged);
            if label != "-" && flagged {
                crisis_found += 1;
                if (label == "self_harm" && signs.self_harm) || (label == "danger" && signs.danger)
                {
                    kind_right += 1;
                }
            }
            if misses && flagged != (label != "-") {
                println!(
                    "  {} {label}/{cat}: {t}  <- {:?}",
                    if flagged { "FALSE" } else { "MISS " },
                    counted_phrases(t)
                );
            }
        }
        println!("== {file}");
        println!(
            "  {:<22} {:>5} {:>16} {:>16} {:>16}",
            "label / category", "lines", "old list", "phrases", "crisis check"
        );
        let mut totals: BTreeMap<&str, Tally> = BTreeMap::new();
        for ((label, cat), t) in &by {
            let pct = |x: usize| 100.0 * x as f64 / t.n as f64;
            println!(
                "  {:<22} {:>5} {:>9} ({:>4.0} %) {:>8} ({:>4.0} %) {:>8} ({:>4.0} %)",
                format!("{label} / {cat}"),
                t.n,
                t.old,
                pct(t.old),
                t.phrases,
                pct(t.phrases),
                t.new,
                pct(t.new)
            );
            let k = if label == "-" { "-" } else { label.as_str() };
            let tot = totals.entry(k).or_default();
            tot.n += t.n;
            tot.old += t.old;
            tot.phrases += t.phrases;
            tot.new += t.new;
        }
        for (label, t) in &totals {
            let what = if *label == "-" {
                "flagged (false alarms)"
            } else {
                "flagged (recall)"
            };
            let pct = |x: usize| 100.0 * x as f64 / t.n as f64;
            println!(
                "  {label:<10} {what:<24} old {:>3} / {} ({:.1} %)  phrases {:>3} ({:.1} %)  check {:>3} ({:.1} %)",
                t.old,
                t.n,
                pct(t.old),
                t.phrases,
                pct(t.phrases),
                t.new,
                pct(t.new)
            );
        }
        println!("  crisis texts flagged with the right kind: {kind_right} / {crisis_found}");
    }
}
