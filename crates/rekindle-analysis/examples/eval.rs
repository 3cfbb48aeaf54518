//! Quality of the `negative` flag against labelled data, next to plain VADER
//! and the rules alone; `--speed` measures what the learned layer costs.
//!
//! ```text
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval --speed
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval --dump train   # MELD margins
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval --only "MELD train"
//! ```
//!
//! (a) DailyDialog validation: every turn; positive = emotion anger (1), disgust (2),
//!     fear (3) or sadness (5). CC BY-NC-SA: evaluation only.
//! (b) MELD train and dev (`meld/{train,dev}_sent_emo.csv`): every utterance;
//!     positive = Emotion anger, disgust, fear or sadness. GPL-3.0: validation
//!     and threshold choice only, never training.
//! (c) GoEmotions test and dev splits; positive = any label in the Ekman groups anger
//!     (anger, annoyance, disapproval), disgust, fear (fear, nervousness) or sadness
//!     (sadness, disappointment, embarrassment, grief, remorse).
//! (d) The project's own calm spoken scenes (data/train/calm_scenes_*.tsv,
//!     session 23): a tuning set, about 3 % negative.
//! Each set is scored as each message alone (as `rekindle classify`) and read
//! as one chat (its share estimated from all its messages, as the analysis and
//! `classify --as-chat` do), each with a paired bootstrap interval of its F1
//! minus plain VADER's. A set that is absent is skipped (and said so).
//! The learned layer is trained on GoEmotions **train** and VADER's ground
//! truth only (`examples/train.rs`); DailyDialog and GoEmotions dev/test are
//! never used for training or any choice. The data is read from the path
//! given and never copied anywhere.

mod common;

use std::path::Path;
use std::time::Instant;

use rekindle_analysis::{Lexicons, Weights, negative_with, negatives_as_chat, vader_negative};

use common::Item;

/// data/train/calm_scenes_{1,2}.tsv: everyday spoken dialogue written for
/// the project (session 23), about 3 % negative; a tuning set for the
/// reading of a line alone in calm talk.
fn calm_scenes() -> Result<Vec<Item>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/train");
    let mut items = common::labelled_lines(&root.join("calm_scenes_1.tsv"))?;
    items.extend(common::labelled_lines(&root.join("calm_scenes_2.tsv"))?);
    Ok(items)
}

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
        if let Some(i) = args.iter().position(|a| a == "--dump-lines") {
            // Margins of the project's own labelled lines (`label TAB text`).
            let file = args.get(i + 1).ok_or("--dump-lines FILE")?;
            return dump(&common::labelled_lines(Path::new(file))?, &lex);
        }
        if let Some(i) = args.iter().position(|a| a == "--dump") {
            // Margins of a validation set (MELD, or GoEmotions train / dev
            // as `goemotions-dev`) for exploring rules offline; never the
            // reported DailyDialog or GoEmotions test sets.
            let split = args.get(i + 1).map_or("train", String::as_str);
            if let Some(ge) = split.strip_prefix("goemotions-") {
                // GoEmotions train or dev only (test is reported).
                if ge == "test" {
                    return Err("GoEmotions test is for reports only".into());
                }
                return dump(&common::goemotions(dir, ge)?, &lex);
            }
            return dump(&common::meld(dir, split)?, &lex);
        }
        type Loader<'a> = Box<dyn Fn() -> Result<Vec<Item>, String> + 'a>;
        let sets: Vec<(&str, Loader)> = vec![
            (
                "DailyDialog validation (turns)",
                Box::new(|| common::dailydialog(dir)),
            ),
            (
                "MELD train (utterances)",
                Box::new(|| common::meld(dir, "train")),
            ),
            (
                "MELD dev (utterances)",
                Box::new(|| common::meld(dir, "dev")),
            ),
            (
                "GoEmotions test",
                Box::new(|| common::goemotions(dir, "test")),
            ),
            (
                "GoEmotions dev",
                Box::new(|| common::goemotions(dir, "dev")),
            ),
            (
                "Calm spoken scenes (the project's own, tuning)",
                Box::new(calm_scenes),
            ),
        ];
        println!(
            "| data set | items | negative | method | precision | recall | F1 | F1 at a 5 % prior | share est. / true | F1 − VADER (95 % paired bootstrap) |"
        );
        println!("|---|---:|---:|---|---:|---:|---:|---:|---:|---|");
        let mut skipped = Vec::new();
        // `--only TEXT`: just the sets whose name holds TEXT (exploring on
        // MELD train without looking at the reported sets).
        let only = args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1));
        for (name, load) in &sets {
            if only.is_some_and(|o| !name.contains(o.as_str())) {
                continue;
            }
            let items = match load() {
                Ok(items) if !items.is_empty() => items,
                Ok(_) => {
                    skipped.push(format!("{name}: skipped (no items)"));
                    continue;
                }
                Err(e) => {
                    skipped.push(format!("{name}: skipped ({e})"));
                    continue;
                }
            };
            let pos = items.iter().filter(|i| i.gold).count();
            // F1 as if negatives were 5 % of the messages (the default share):
            // positives and negatives re-weighted.
            let share = pos as f64 / items.len() as f64;
            let (wp, wn) = (0.05 / share.max(1e-9), 0.95 / (1.0 - share).max(1e-9));
            let golds: Vec<bool> = items.iter().map(|i| i.gold).collect();
            let vader: Vec<bool> = items.iter().map(|i| vader_negative(&i.text)).collect();
            let rules_alone: Vec<bool> = items
                .iter()
                .map(|i| negative_with(&i.text, &lex, &rules))
                .collect();
            // As `rekindle classify` reads each line alone.
            let alone: Vec<bool> = items
                .iter()
                .map(|i| rekindle_analysis::classify(&i.text, &lex).negative)
                .collect();
            // As the analysis reads a chat: the whole set is one chat, and the
            // flags are decided at the share of negatives estimated from it.
            let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
            let (as_chat, estimated) = negatives_as_chat(&texts, &lex, &full);
            let true_share = format!("{:.1} %", 100.0 * share);
            let rows: [(&str, &[bool], String, bool); 4] = [
                ("plain VADER (compound ≤ -0.05)", &vader, "".into(), false),
                (
                    "rules alone (old score ≥ 0.3)",
                    &rules_alone,
                    "".into(),
                    true,
                ),
                (
                    "rekindle `negative`, each message alone (`classify`)",
                    &alone,
                    format!("— / {true_share}"),
                    true,
                ),
                (
                    "rekindle `negative`, the set read as one chat (`--as-chat`)",
                    &as_chat,
                    format!("{:.1} % / {true_share}", 100.0 * estimated),
                    true,
                ),
            ];
            for (method, flags, shares, vs) in rows {
                let mut prf = common::Prf::default();
                for (f, g) in flags.iter().zip(&golds) {
                    prf.add(*f, *g);
                }
                let tp = prf.tp as f64 * wp;
                let wf1 = 2.0 * tp / (2.0 * tp + prf.fp as f64 * wn + prf.fn_ as f64 * wp);
                let diff = if vs {
                    let (lo, hi) = paired_bootstrap(&golds, flags, &vader);
                    let mut v = common::Prf::default();
                    for (f, g) in vader.iter().zip(&golds) {
                        v.add(*f, *g);
                    }
                    format!("{:+.3} ({lo:+.3} .. {hi:+.3})", prf.f1() - v.f1())
                } else {
                    String::new()
                };
                println!(
                    "| {name} | {} | {pos} | {method} | {:.3} | {:.3} | {:.3} | {wf1:.3} | {shares} | {diff} |",
                    items.len(),
                    prf.p(),
                    prf.r(),
                    prf.f1()
                );
            }
        }
        for s in &skipped {
            println!();
            println!("{s}");
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// One line per item of a validation set: gold, learned margin, words of the
/// normalized text, the rules' dense inputs, then the message's level
/// (`learned::Model::level`) and whether plain VADER calls it negative (1/0).
fn dump(items: &[Item], lex: &Lexicons) -> Result<(), String> {
    use std::io::Write as _;
    // MODEL=FILE dumps the margins of a candidate model (with the shipped Empath lists).
    let m = match std::env::var("MODEL") {
        Ok(p) => rekindle_analysis::learned::Model::parse(&common::read(Path::new(&p))?)?,
        Err(_) => rekindle_analysis::learned::shipped()?,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for it in items {
        let norm = rekindle_analysis::text::normalize(&it.text);
        let d = rekindle_analysis::learned::dense_features(&it.text, lex);
        let z = m.margin(&norm, &d);
        let dense: Vec<String> = d.0.iter().map(|x| format!("{x:.4}")).collect();
        let words = norm.split(' ').filter(|w| !w.is_empty()).count();
        let level = if words == 0 { 0 } else { m.level(z, &d) };
        writeln!(
            out,
            "{}\t{z:.4}\t{words}\t{}\t{level}\t{}",
            u8::from(it.gold),
            dense.join("\t"),
            u8::from(vader_negative(&it.text))
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(())
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
