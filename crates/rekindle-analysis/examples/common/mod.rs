//! Reading the labelled sets (shared by `eval` and `train`). The data is read
//! from the path given and never copied anywhere.

#![allow(dead_code)]

use std::path::Path;

use rayon::prelude::*;

pub struct Item {
    pub text: String,
    pub gold: bool,
}

pub fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// DailyDialog validation, every turn; gold = anger (1), disgust (2), fear (3) or
/// sadness (5). CC BY-NC-SA: evaluation only, never training or tuning.
pub fn dailydialog(dir: &Path) -> Result<Vec<Item>, String> {
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

/// GoEmotions `split` (train, dev, test); gold = any label in the Ekman groups
/// anger (anger, annoyance, disapproval), disgust, fear (fear, nervousness) or
/// sadness (sadness, disappointment, embarrassment, grief, remorse).
pub fn goemotions(dir: &Path, split: &str) -> Result<Vec<Item>, String> {
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

/// VADER's ground truth (MIT): `file` in `vader_dir`, gold = mean human valence
/// at or below `cut`.
pub fn vader_truth(vader_dir: &Path, file: &str, cut: f64) -> Result<Vec<Item>, String> {
    let data = read(&vader_dir.join(file))?;
    let mut out = Vec::new();
    for line in data.lines() {
        let mut cols = line.splitn(3, '\t');
        let (Some(_), Some(v), Some(text)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let Ok(v) = v.trim().parse::<f64>() else {
            continue;
        };
        out.push(Item {
            text: text.to_string(),
            gold: v <= cut,
        });
    }
    Ok(out)
}

#[derive(Default, Clone, Copy)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn add(&mut self, pred: bool, gold: bool) {
        match (pred, gold) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            _ => {}
        }
    }
    pub fn p(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    pub fn r(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// P/R/F1 of the predicate `f` over `items`, on all cores.
pub fn score(items: &[Item], f: impl Fn(&str) -> bool + Sync) -> Prf {
    items
        .par_iter()
        .fold(Prf::default, |mut a, it| {
            a.add(f(&it.text), it.gold);
            a
        })
        .reduce(Prf::default, |a, b| Prf {
            tp: a.tp + b.tp,
            fp: a.fp + b.fp,
            fn_: a.fn_ + b.fn_,
        })
}
