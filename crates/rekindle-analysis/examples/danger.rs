//! Signs of danger in chat messages (`rekindle_analysis::danger`): how many
//! threats and reports of violence it finds, and how many other messages it
//! flags, on labelled sets written apart (tests/data/danger_*.tsv), and how
//! many lines of everyday text it flags.
//!
//! ```text
//! cargo run --profile eval -p rekindle-analysis --example danger -- FILE... [--misses] [--lines FILE...]
//! cargo run --profile eval -p rekindle-analysis --example danger -- --chats FILE...
//! ```
//!
//! `--chats`: files of whole chats, each opened by a line `### CHAT <n> <danger|safe>` and then
//! WhatsApp export lines; a chat counts as found when at least one of its messages is (what the
//! safety gate needs: one question to the user).
//!
//! A labelled FILE is `label TAB text` with a header line, label `threat`,
//! `violence` or `other`; a threats set (`LABEL TAB CATEGORY TAB TEXT`) is
//! read with `threat` as its threats and everything else as other. Files after
//! `--lines` are one message per line, all of them ordinary. `--misses`
//! prints the lines read wrong: only for the tuning set (danger_a.tsv).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use rekindle_analysis::danger::DangerKind;

/// `REKINDLE_DANGER_VIA=classify`: threats as `classify` reads them (the
/// letter check's pressure kind `threat`), for comparison.
fn detect(t: &str) -> Option<DangerKind> {
    static LEX: std::sync::LazyLock<rekindle_analysis::Lexicons> =
        std::sync::LazyLock::new(rekindle_analysis::Lexicons::built_in);
    match std::env::var("REKINDLE_DANGER_VIA").as_deref() {
        Ok("classify") => {
            let c = rekindle_analysis::classify(t, &LEX);
            if c.pressure.contains(&rekindle_analysis::Pressure::Threat) {
                Some(DangerKind::Threat)
            } else {
                rekindle_analysis::danger::detect(t).filter(|k| *k == DangerKind::Violence)
            }
        }
        Ok("threats") => {
            if rekindle_analysis::threats::threatens(t, &rekindle_analysis::text::normalize(t)) {
                Some(DangerKind::Threat)
            } else {
                rekindle_analysis::danger::detect(t).filter(|k| *k == DangerKind::Violence)
            }
        }
        _ => rekindle_analysis::danger::detect(t),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    if args.first().is_some_and(|a| a == "--chats") {
        for file in &args[1..] {
            chats(file, misses);
        }
        return;
    }
    let split = args
        .iter()
        .position(|a| a == "--lines")
        .unwrap_or(args.len());
    for file in args[..split].iter().filter(|a| !a.starts_with("--")) {
        let text = std::fs::read_to_string(file).unwrap();
        // label -> (lines, read as threat, read as violence)
        let mut by: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (label, t) = match cols.as_slice() {
                [l, t] => (l.to_string(), *t),
                [l, _, t] => {
                    let l = if *l == "threat" { "threat" } else { "other" };
                    (l.to_string(), *t)
                }
                _ => panic!("{file}: bad line {line}"),
            };
            if label == "label" {
                continue;
            }
            let got = detect(t);
            let e = by.entry(label.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(got == Some(DangerKind::Threat));
            e.2 += usize::from(got == Some(DangerKind::Violence));
            let right = match label.as_str() {
                "threat" => got == Some(DangerKind::Threat),
                "violence" => got == Some(DangerKind::Violence),
                _ => got.is_none(),
            };
            if misses && !right {
                println!("  {label}: {t}  <- {:?}", got.map(DangerKind::as_str));
            }
        }
        println!("== {file}");
        println!(
            "  {:<10} {:>6} {:>8} {:>9} {:>10}",
            "label", "lines", "threat", "violence", "any"
        );
        for (label, (n, th, vi)) in &by {
            println!(
                "  {label:<10} {n:>6} {th:>8} {vi:>9} {:>9.1}%",
                100.0 * (th + vi) as f64 / *n as f64
            );
        }
    }
    for file in args.iter().skip(split + 1) {
        let text = std::fs::read_to_string(file).unwrap();
        let (mut n, mut flagged) = (0usize, 0usize);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            n += 1;
            if let Some(k) = detect(line) {
                flagged += 1;
                if misses {
                    println!("  {}: {line}", k.as_str());
                }
            }
        }
        println!(
            "== {file}: {flagged} of {n} lines flagged ({:.2}%)",
            100.0 * flagged as f64 / n as f64
        );
    }
}

/// Whole chats: how many of the `danger` ones have at least one message found,
/// and how many `safe` ones have any.
fn chats(file: &str, misses: bool) {
    let text = std::fs::read_to_string(file).unwrap();
    // label -> (chats, chats with a message found, messages found)
    let mut by: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut flush = |label: &Option<String>, found: usize| {
        if let Some(l) = label {
            let e = by.entry(l.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(found > 0);
            e.2 += found;
        }
    };
    let (mut label, mut found) = (None, 0usize);
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("### CHAT ") {
            flush(&label, found);
            label = rest.split_whitespace().nth(1).map(str::to_string);
            found = 0;
            if misses {
                println!("{line}");
            }
            continue;
        }
        // "12/03/2024, 21:14 - Name: text"
        let Some((_, rest)) = line.split_once(" - ") else {
            continue;
        };
        let Some((_, msg)) = rest.split_once(": ") else {
            continue;
        };
        if let Some(k) = detect(msg) {
            found += 1;
            if misses {
                println!("  {}: {msg}", k.as_str());
            }
        }
    }
    flush(&label, found);
    println!("== {file}");
    for (l, (n, with, msgs)) in &by {
        println!("  {l:<8} {with} of {n} chats with a sign found ({msgs} messages)");
    }
}
