//! Quality of the `negative` flag against labelled data, next to plain VADER
//! and the rules alone; `--speed` measures what the learned layer costs.
//!
//! ```text
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval --speed
//! ```
//!
//! (a) DailyDialog validation: every turn; positive = emotion anger (1), disgust (2),
//!     fear (3) or sadness (5).
//! (b) GoEmotions test and dev splits; positive = any label in the Ekman groups anger
//!     (anger, annoyance, disapproval), disgust, fear (fear, nervousness) or sadness
//!     (sadness, disappointment, embarrassment, grief, remorse).
//! Each set is scored as each message alone (the 5 % default share, as
//! `rekindle classify`) and read as one chat (its share estimated from all its
//! messages, as the analysis does), with a paired bootstrap interval of the
//! chat reading's F1 minus plain VADER's.
//! The learned layer is trained and its thresholds chosen on GoEmotions **train**
//! only (`examples/train.rs`); the sets reported here are never used for either.
//! The data is read from the path given and never copied anywhere.

mod common;

use std::path::Path;
use std::time::Instant;

use rekindle_analysis::{Lexicons, Weights, negative_with, negatives_as_chat, vader_negative};

use common::Item;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: eval DIR [--speed]   (DIR = shared/data/eval)");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    let lex = Lexicons::built_in();
    let rules = Weights {
        learned: false,
        ..Weights::default()
    };
    let full = Weights::default();
    let run = || -> Result<(), String> {
        if args.iter().any(|a| a == "--speed") {
            speed(&common::goemotions(dir, "test")?, &lex, &rules, &full);
            return Ok(());
        }
        let sets = [
            ("DailyDialog validation (turns)", common::dailydialog(dir)?),
            ("GoEmotions test", common::goemotions(dir, "test")?),
            ("GoEmotions dev", common::goemotions(dir, "dev")?),
        ];
        println!(
            "| data set | items | negative | method | precision | recall | F1 | F1 at a 5 % prior |"
        );
        println!("|---|---:|---:|---|---:|---:|---:|---:|");
        let mut intervals = Vec::new();
        for (name, items) in &sets {
            let pos = items.iter().filter(|i| i.gold).count();
            // F1 as if negatives were 5 % of the messages (the prior the
            // threshold is chosen for): positives and negatives re-weighted.
            let share = pos as f64 / items.len().max(1) as f64;
            let (wp, wn) = (0.05 / share, 0.95 / (1.0 - share));
            // As the analysis reads a chat: the whole set is one chat, and the
            // flags are decided at the share of negatives estimated from it.
            let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
            let (flags, estimated) = negatives_as_chat(&texts, &lex, &full);
            let mut as_chat = common::Prf::default();
            for (f, it) in flags.iter().zip(items.iter()) {
                as_chat.add(*f, it.gold);
            }
            let vader: Vec<bool> = items.iter().map(|i| vader_negative(&i.text)).collect();
            let golds: Vec<bool> = items.iter().map(|i| i.gold).collect();
            intervals.push((*name, paired_bootstrap(&golds, &flags, &vader)));
            let as_chat_name = format!(
                "rekindle `negative`, the set read as one chat (estimated share {:.1} %)",
                100.0 * estimated
            );
            for (method, prf) in [
                (
                    "plain VADER (compound ≤ -0.05)",
                    common::score(items, vader_negative),
                ),
                (
                    "rules alone (old score ≥ 0.3)",
                    common::score(items, |s| negative_with(s, &lex, &rules)),
                ),
                (
                    "rekindle `negative`, each message alone (default 5 % share)",
                    common::score(items, |s| negative_with(s, &lex, &full)),
                ),
                (as_chat_name.as_str(), as_chat),
            ] {
                let tp = prf.tp as f64 * wp;
                let wf1 = 2.0 * tp / (2.0 * tp + prf.fp as f64 * wn + prf.fn_ as f64 * wp);
                println!(
                    "| {name} | {} | {pos} | {method} | {:.3} | {:.3} | {:.3} | {wf1:.3} |",
                    items.len(),
                    prf.p(),
                    prf.r(),
                    prf.f1()
                );
            }
        }
        println!();
        for (name, (lo, hi)) in intervals {
            println!(
                "{name}: F1 of the set read as one chat minus plain VADER's, 95 % paired bootstrap interval {lo:+.3} .. {hi:+.3}"
            );
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The 2.5 and 97.5 percentiles of F1(a) - F1(b) over 2,000 resamples of the
/// items (with replacement, fixed seed): how much of the difference is luck of
/// the sample. The chat's estimated share is not re-estimated per resample.
fn paired_bootstrap(gold: &[bool], a: &[bool], b: &[bool]) -> (f64, f64) {
    let n = gold.len();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut diffs: Vec<f64> = (0..2000)
        .map(|_| {
            let (mut pa, mut pb) = (common::Prf::default(), common::Prf::default());
            for _ in 0..n {
                let i = (next() % n.max(1) as u64) as usize;
                pa.add(a[i], gold[i]);
                pb.add(b[i], gold[i]);
            }
            pa.f1() - pb.f1()
        })
        .collect();
    diffs.sort_by(f64::total_cmp);
    (diffs[49], diffs[1949])
}

/// Nanoseconds per message of the whole classification with and without the
/// learned layer, on one thread; best of 30 rounds (the machine is shared).
fn speed(items: &[Item], lex: &Lexicons, rules: &Weights, full: &Weights) {
    // Short chat-like messages matter most: the first 12 words of each comment.
    let texts: Vec<String> = items
        .iter()
        .map(|i| i.text.split(' ').take(12).collect::<Vec<_>>().join(" "))
        .collect();
    let time = |w: &Weights| {
        let start = Instant::now();
        let mut n = 0usize;
        for t in &texts {
            n += usize::from(negative_with(t, lex, w));
        }
        std::hint::black_box(n);
        start.elapsed().as_nanos() as f64 / texts.len() as f64
    };
    time(full);
    let (mut best_rules, mut best_full) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..30 {
        best_rules = best_rules.min(time(rules));
        best_full = best_full.min(time(full));
    }
    // The learned margin alone, on text normalized beforehand.
    let mut best_margin = f64::INFINITY;
    if let Ok(m) = rekindle_analysis::learned::shipped() {
        let prepared: Vec<(String, rekindle_analysis::learned::Dense)> = texts
            .iter()
            .map(|t| {
                (
                    rekindle_analysis::text::normalize(t),
                    rekindle_analysis::learned::dense_features(t, lex),
                )
            })
            .collect();
        for _ in 0..30 {
            let start = Instant::now();
            let mut n = 0usize;
            for (norm, d) in &prepared {
                n += usize::from(m.negative(norm, d));
            }
            std::hint::black_box(n);
            best_margin = best_margin.min(start.elapsed().as_nanos() as f64 / texts.len() as f64);
        }
    }
    println!("learned layer alone (margin + decision): {best_margin:.0} ns per message");
    let words: usize = texts.iter().map(|t| t.split(' ').count()).sum();
    println!(
        "{} messages ({:.1} words each): rules alone {best_rules:.0} ns, with learned layer {best_full:.0} ns per message: +{:.0} ns",
        texts.len(),
        words as f64 / texts.len() as f64,
        best_full - best_rules
    );
}
