//! Quality of the `negative` flag against labelled data, next to plain VADER.
//!
//! ```text
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval
//! cargo run --release -p rekindle-analysis --example eval -- /work/shared/data/eval --tune
//! ```
//!
//! (a) DailyDialog validation: every turn; positive = emotion anger (1), disgust (2),
//!     fear (3) or sadness (5).
//! (b) GoEmotions test split; positive = any label in the Ekman groups anger
//!     (anger, annoyance, disapproval), disgust, fear (fear, nervousness) or sadness
//!     (sadness, disappointment, embarrassment, grief, remorse).
//! `--tune` grid-searches the weights on GoEmotions **train** only and prints them;
//! the reported sets are never used for tuning. The data is read from the path
//! given and never copied anywhere.

use std::path::Path;

use rayon::prelude::*;
use rekindle_analysis::{Lexicons, Weights, negative_with, vader_negative};

struct Item {
    text: String,
    gold: bool,
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn dailydialog(dir: &Path) -> Result<Vec<Item>, String> {
    let text = read(&dir.join("dailydialog/validation/dialogues.txt"))?;
    let emo = read(&dir.join("dailydialog/validation/dialogues_emotion.txt"))?;
    let mut out = Vec::new();
    let mut skipped = 0;
    for (line, labels) in text.lines().zip(emo.lines()) {
        let turns: Vec<&str> = line
            .split("__eou__")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let labels: Vec<u8> = labels
            .split_whitespace()
            .filter_map(|l| l.parse().ok())
            .collect();
        if turns.len() != labels.len() {
            skipped += 1;
            continue;
        }
        for (t, l) in turns.into_iter().zip(labels) {
            out.push(Item {
                text: t.to_string(),
                gold: matches!(l, 1 | 2 | 3 | 5),
            });
        }
    }
    if skipped > 0 {
        eprintln!("dailydialog: {skipped} dialogues skipped (turn/label count mismatch)");
    }
    Ok(out)
}

fn goemotions(dir: &Path, split: &str) -> Result<Vec<Item>, String> {
    let names = read(&dir.join("goemotions/labels.txt"))?;
    let names: Vec<&str> = names.lines().map(str::trim).collect();
    const NEG: &[&str] = &[
        "anger",
        "annoyance",
        "disapproval",
        "disgust",
        "fear",
        "nervousness",
        "sadness",
        "disappointment",
        "embarrassment",
        "grief",
        "remorse",
    ];
    let data = read(&dir.join(format!("goemotions/{split}.tsv")))?;
    let mut out = Vec::new();
    for line in data.lines() {
        let mut cols = line.split('\t');
        let (Some(text), Some(labels)) = (cols.next(), cols.next()) else {
            continue;
        };
        let gold = labels
            .split(',')
            .filter_map(|l| l.trim().parse::<usize>().ok())
            .any(|i| names.get(i).is_some_and(|n| NEG.contains(n)));
        out.push(Item {
            text: text.to_string(),
            gold,
        });
    }
    Ok(out)
}

#[derive(Default, Clone, Copy)]
struct Prf {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Prf {
    fn p(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn r(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn score(items: &[Item], f: impl Fn(&str) -> bool + Sync) -> Prf {
    items
        .par_iter()
        .map(|it| {
            let pred = f(&it.text);
            match (pred, it.gold) {
                (true, true) => Prf {
                    tp: 1,
                    ..Prf::default()
                },
                (true, false) => Prf {
                    fp: 1,
                    ..Prf::default()
                },
                (false, true) => Prf {
                    fn_: 1,
                    ..Prf::default()
                },
                _ => Prf::default(),
            }
        })
        .reduce(Prf::default, |a, b| Prf {
            tp: a.tp + b.tp,
            fp: a.fp + b.fp,
            fn_: a.fn_ + b.fn_,
        })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: eval DIR [--tune]   (DIR = shared/data/eval)");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    let lex = Lexicons::built_in();
    let run = || -> Result<(), String> {
        if args.iter().any(|a| a == "--tune") {
            let train = goemotions(dir, "train")?;
            let mut best = (0.0, Weights::default());
            for t in [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
                for cs in [0.5, 0.75, 1.0, 1.25, 1.5] {
                    for ps in [0.5, 1.0, 1.5] {
                        let w = Weights {
                            threshold: t,
                            cue_scale: cs,
                            pos_scale: ps,
                            ..Weights::default()
                        };
                        let f = score(&train, |s| negative_with(s, &lex, &w)).f1();
                        if f > best.0 {
                            best = (f, w);
                        }
                    }
                }
            }
            println!(
                "best on GoEmotions train: F1 {:.3} with {:?}",
                best.0, best.1
            );
            let f = score(&train, vader_negative);
            println!("plain VADER on GoEmotions train: F1 {:.3}", f.f1());
            return Ok(());
        }
        let sets = [
            ("DailyDialog validation (turns)", dailydialog(dir)?),
            ("GoEmotions test", goemotions(dir, "test")?),
            ("GoEmotions dev", goemotions(dir, "dev")?),
        ];
        println!("| data set | items | negative | method | precision | recall | F1 |");
        println!("|---|---:|---:|---|---:|---:|---:|");
        for (name, items) in &sets {
            let pos = items.iter().filter(|i| i.gold).count();
            let w = Weights::default();
            for (method, prf) in [
                ("VADER compound ≤ -0.05", score(items, vader_negative)),
                (
                    "rekindle `negative`",
                    score(items, |s| negative_with(s, &lex, &w)),
                ),
            ] {
                println!(
                    "| {name} | {} | {pos} | {method} | {:.3} | {:.3} | {:.3} |",
                    items.len(),
                    prf.p(),
                    prf.r(),
                    prf.f1()
                );
            }
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
