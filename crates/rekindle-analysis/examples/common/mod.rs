//! Reading the labelled sets (shared by `eval` and `train`). The data is read
//! from the path given and never copied anywhere.

#![allow(dead_code)]

pub mod multilabel;

use std::path::Path;

use rayon::prelude::*;

#[derive(Clone)]
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

/// MELD (Poria et al. 2019) `split` ("train" or "dev"): every utterance of
/// `meld/{split}_sent_emo.csv`; gold = Emotion anger, disgust, fear or sadness.
/// GPL-3.0: validation and threshold choice only, never training; read in
/// place, never copied.
pub fn meld(dir: &Path, split: &str) -> Result<Vec<Item>, String> {
    let p = dir.join(format!("meld/{split}_sent_emo.csv"));
    let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    let text = decode_lenient(&bytes);
    let rows = parse_csv(&text).map_err(|e| format!("{}: {e}", p.display()))?;
    let Some((header, rows)) = rows.split_first() else {
        return Err(format!("{}: empty", p.display()));
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| format!("{}: no column {name:?}", p.display()))
    };
    let (utt, emo) = (col("Utterance")?, col("Emotion")?);
    let mut out = Vec::with_capacity(rows.len());
    for (n, r) in rows.iter().enumerate() {
        let (Some(t), Some(e)) = (r.get(utt), r.get(emo)) else {
            return Err(format!(
                "{}: row {} has {} fields",
                p.display(),
                n + 2,
                r.len()
            ));
        };
        let e = e.trim();
        if !matches!(
            e,
            "anger" | "disgust" | "fear" | "sadness" | "joy" | "neutral" | "surprise"
        ) {
            return Err(format!("{}: row {}: emotion {e:?}", p.display(), n + 2));
        }
        out.push(Item {
            text: t.trim().to_string(),
            gold: matches!(e, "anger" | "disgust" | "fear" | "sadness"),
        });
    }
    Ok(out)
}

/// Text from bytes that should be UTF-8 but may hold Windows-1252 bytes (as
/// MELD's "\x92" for an apostrophe): valid UTF-8 is kept; an invalid byte is
/// read as Windows-1252; C1 controls (U+0080..U+009F, which mojibake turns
/// those bytes into) become the Windows-1252 character they stand for.
pub fn decode_lenient(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.extend(s.chars().map(cp1252_c1));
                break;
            }
            Err(e) => {
                let (ok, bad) = rest.split_at(e.valid_up_to());
                // valid_up_to() bytes are valid UTF-8 by definition.
                out.extend(String::from_utf8_lossy(ok).chars().map(cp1252_c1));
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                for &b in &bad[..n] {
                    out.push(cp1252_c1(char::from(b)));
                }
                rest = &bad[n..];
            }
        }
    }
    out
}

/// A C1 control or Latin-1 byte as Windows-1252 reads it (0x80..0x9F only differ).
fn cp1252_c1(c: char) -> char {
    const C1: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match u32::from(c) {
        x @ 0x80..=0x9f => C1[(x - 0x80) as usize],
        _ => c,
    }
}

/// RFC 4180 CSV: fields separated by commas, records by LF or CRLF; a field
/// in double quotes may hold commas, line breaks and doubled quotes ("").
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut line = 1;
    let mut any = false; // the current record has content
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                any = false;
                line += 1;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(format!("unterminated quoted field (line {line})"));
    }
    if any || !field.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
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

/// `label TAB text` lines (label 0 or 1), the project's own labelled lines.
pub fn labelled_lines(p: &Path) -> Result<Vec<Item>, String> {
    let text = read(p)?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        // `label TAB text`, or `scene TAB speaker TAB label TAB text`
        // (data/train/spoken_scenes_*.tsv).
        let cols: Vec<&str> = line.split('\t').collect();
        let (label, t) = match cols[..] {
            [label, t] | [_, _, label, t] => (label, t),
            _ => {
                return Err(format!(
                    "{}: line {}: not 2 or 4 columns",
                    p.display(),
                    n + 1
                ));
            }
        };
        let gold = match label.trim() {
            "1" => true,
            "0" => false,
            l => return Err(format!("{}: line {}: label {l:?}", p.display(), n + 1)),
        };
        out.push(Item {
            text: t.trim().to_string(),
            gold,
        });
    }
    Ok(out)
}

/// A number from the environment (training settings for experiments), or `d`.
pub fn env_or(k: &str, d: f64) -> f64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// The features seen in at least `min_df` texts, sorted, and each one's index.
pub fn vocabulary<'a>(
    df: &std::collections::HashMap<&'a str, u32>,
    min_df: u32,
) -> (Vec<&'a str>, std::collections::HashMap<&'a str, u32>) {
    let mut vocab: Vec<&str> = df
        .iter()
        .filter(|(_, c)| **c >= min_df)
        .map(|(n, _)| *n)
        .collect();
    vocab.sort_unstable();
    let index = vocab
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i as u32))
        .collect();
    (vocab, index)
}
