//! Threats in messages between ex-partners: how many `classify` reads as the
//! pressure kind `threat` (and how many it reads as self-harm leverage), on
//! labelled sets written apart (tests/data/threats_*.tsv).
//!
//! ```text
//! cargo run --profile eval -p rekindle-analysis --example threats -- FILE... [--misses]
//! ```
//!
//! Each FILE is `LABEL TAB CATEGORY TAB TEXT`, LABEL `threat`,
//! `self_harm_leverage` or `-`. `--misses` prints the lines read wrong: only
//! for the tuning set (threats_a.tsv), never the held-out one.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use rekindle_analysis::{Lexicons, Pressure, classify};

#[derive(Default)]
struct Tally {
    n: usize,
    threat: usize,
    self_harm: usize,
    any: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let lex = Lexicons::built_in();
    for file in args.iter().filter(|a| !a.starts_with("--")) {
        let text = std::fs::read_to_string(file).unwrap();
        let mut by: BTreeMap<(String, String), Tally> = BTreeMap::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.splitn(3, '\t').collect();
            let [label, cat, t] = cols.as_slice() else {
                panic!("{file}: bad line {line}");
            };
            let c = classify(t, &lex);
            let threat = c.pressure.contains(&Pressure::Threat);
            let self_harm = c.pressure.contains(&Pressure::SelfHarmLeverage);
            let e = by.entry((label.to_string(), cat.to_string())).or_default();
            e.n += 1;
            e.threat += usize::from(threat);
            e.self_harm += usize::from(self_harm);
            e.any += usize::from(!c.pressure.is_empty());
            let right = match *label {
                "threat" => threat,
                "self_harm_leverage" => self_harm,
                _ => !threat && !self_harm,
            };
            if misses && (!right || (*label == "threat" && self_harm)) {
                let kinds: Vec<&str> = c.pressure.iter().map(|p| p.as_str()).collect();
                let spans = rekindle_analysis::threats::threat_spans(
                    t,
                    &rekindle_analysis::text::normalize(t),
                );
                println!("  {label}/{cat}: {t}  <- {kinds:?} {spans:?}");
            }
        }
        println!("== {file}");
        println!(
            "  {:<30} {:>5} {:>8} {:>10} {:>8}",
            "label / category", "lines", "threat", "self-harm", "any"
        );
        let mut totals: BTreeMap<String, Tally> = BTreeMap::new();
        for ((label, cat), t) in &by {
            println!(
                "  {:<30} {:>5} {:>8} {:>10} {:>8}",
                format!("{label} / {cat}"),
                t.n,
                t.threat,
                t.self_harm,
                t.any
            );
            let tot = totals.entry(label.clone()).or_default();
            tot.n += t.n;
            tot.threat += t.threat;
            tot.self_harm += t.self_harm;
            tot.any += t.any;
        }
        for (label, t) in &totals {
            println!(
                "  {:<30} {:>5} {:>8} {:>10} {:>8}",
                format!("{label} (all)"),
                t.n,
                t.threat,
                t.self_harm,
                t.any
            );
        }
    }
}
