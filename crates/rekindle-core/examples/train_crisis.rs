//! Trains the learned half of the crisis check and writes data/models/crisis.tsv.
//!
//! ```text
//! cargo run --release -p rekindle-core --example train_crisis [-- --out FILE]
//! ```
//!
//! Two logistic regressions (self-harm, danger) over `crisis_learned::features`,
//! fitted by full-batch gradient descent (AdaGrad, L2) on the project's own
//! texts: the labelled crisis sets crates/rekindle-core/tests/data/crisis_a.tsv
//! (tuning) and data/train/crisis_lines_{1,2}.tsv, and, as ordinary text with
//! no crisis, data/train/spoken_scenes_{1,2}.tsv, spoken_lines{,_2}.tsv,
//! boundary_lines_{1,2}.tsv, horsemen_lines{,_2}.tsv (without their
//! `pressure` lines) and the honest twins of pressure_pairs.tsv. **Never crisis_b.tsv or crisis_c.tsv**:
//! they are the held-out reports (CRISIS_LOG.md).
//!
//! Each head's threshold is chosen on 5-fold out-of-fold margins: the lowest
//! margin at which the out-of-fold false alarms stay at most `MAX_FALSE_CRISIS`
//! of the crisis sets' ordinary (`-`) texts and `MAX_FALSE_ORDINARY` of the
//! ordinary chat lines. Printed: out-of-fold recall and false alarms, the
//! layer alone and with the phrases (as `crisis_signs` decides).
#![allow(clippy::unwrap_used, clippy::needless_range_loop)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use rekindle_core::crisis::phrase_signs;
use rekindle_core::crisis_learned::features;

const FOLDS: usize = 5;
const EPOCHS: usize = 600;
const LR: f64 = 0.5;
const L2: f64 = 1e-5;
const MIN_DF: usize = 2;
const MAX_FALSE_CRISIS: f64 = 0.02;
const MAX_FALSE_ORDINARY: f64 = 0.002;

/// A setting, or its default (for experiments: MAX_FALSE_CRISIS=0.03 ...).
fn env_or(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Text {
    text: String,
    /// self-harm, danger
    gold: [bool; 2],
    /// From a crisis set (its `-` texts are the hard look-alikes) or plain chat.
    crisis_set: bool,
    feats: Vec<usize>,
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read_labelled(path: &Path, out: &mut Vec<Text>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.splitn(3, '\t').collect();
        let [label, _, t] = cols.as_slice() else {
            panic!("{}: bad line {line}", path.display())
        };
        out.push(Text {
            text: (*t).to_string(),
            gold: [*label == "self_harm", *label == "danger"],
            crisis_set: true,
            feats: Vec::new(),
        });
    }
}

/// Column `column` of the lines of `path` for which `keep` holds, as texts
/// with no crisis.
fn read_ordinary(path: &Path, column: usize, keep: impl Fn(&[&str]) -> bool, out: &mut Vec<Text>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        if !keep(&cols) {
            continue;
        }
        if let Some(t) = cols.get(column) {
            out.push(Text {
                text: (*t).to_string(),
                gold: [false, false],
                crisis_set: false,
                feats: Vec::new(),
            });
        }
    }
}

/// Weights (one per feature) and bias of one head, fitted on `rows`.
fn fit(data: &[Text], rows: &[usize], head: usize, n_feats: usize) -> (Vec<f64>, f64) {
    let mut w = vec![0.0f64; n_feats];
    let mut b = 0.0f64;
    let mut gw_sq = vec![1e-8f64; n_feats];
    let mut gb_sq = 1e-8f64;
    // Positives are rare beside the ordinary lines: weigh the classes evenly.
    let pos = rows.iter().filter(|&&r| data[r].gold[head]).count().max(1) as f64;
    let neg = (rows.len() as f64 - pos).max(1.0);
    let (wp, wn) = (
        rows.len() as f64 / (2.0 * pos),
        rows.len() as f64 / (2.0 * neg),
    );
    let n = rows.len() as f64;
    let mut grad = vec![0.0f64; n_feats];
    let (epochs, lr, l2) = (
        env_or("EPOCHS", EPOCHS as f64) as usize,
        env_or("LR", LR),
        env_or("L2", L2),
    );
    for _ in 0..epochs {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut gb = 0.0;
        for &r in rows {
            let t = &data[r];
            let z: f64 = b + t.feats.iter().map(|&f| w[f]).sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let y = if t.gold[head] { 1.0 } else { 0.0 };
            let weight = if t.gold[head] { wp } else { wn };
            let g = weight * (p - y) / n;
            gb += g;
            for &f in &t.feats {
                grad[f] += g;
            }
        }
        for f in 0..n_feats {
            let g = grad[f] + l2 * w[f];
            gw_sq[f] += g * g;
            w[f] -= lr * g / gw_sq[f].sqrt();
        }
        gb_sq += gb * gb;
        b -= lr * gb / gb_sq.sqrt();
    }
    (w, b)
}

fn margin(t: &Text, w: &[f64], b: f64) -> f64 {
    b + t.feats.iter().map(|&f| w[f]).sum::<f64>()
}

fn main() {
    let out_path = std::env::args()
        .skip_while(|a| a != "--out")
        .nth(1)
        .unwrap_or_else(|| root().join("data/models/crisis.tsv").display().to_string());
    let mut data = Vec::new();
    let r = root();
    read_labelled(
        &r.join("crates/rekindle-core/tests/data/crisis_a.tsv"),
        &mut data,
    );
    read_labelled(&r.join("data/train/crisis_lines_1.tsv"), &mut data);
    read_labelled(&r.join("data/train/crisis_lines_2.tsv"), &mut data);
    for f in ["spoken_scenes_1.tsv", "spoken_scenes_2.tsv"] {
        read_ordinary(&r.join("data/train").join(f), 3, |_| true, &mut data);
    }
    for f in ["horsemen_lines.tsv", "horsemen_lines_2.tsv"] {
        let keep = |c: &[&str]| c.get(1) != Some(&"pressure");
        read_ordinary(&r.join("data/train").join(f), 2, keep, &mut data);
    }
    for f in ["spoken_lines.tsv", "spoken_lines_2.tsv"] {
        read_ordinary(&r.join("data/train").join(f), 1, |_| true, &mut data);
    }
    for f in ["boundary_lines_1.tsv", "boundary_lines_2.tsv"] {
        let keep = |c: &[&str]| c.first() != Some(&"text");
        read_ordinary(&r.join("data/train").join(f), 0, keep, &mut data);
    }
    // The pairs' honest twins (the pressuring halves may threaten self-harm).
    let twin = |c: &[&str]| c.get(1) == Some(&"-");
    read_ordinary(&r.join("data/train/pressure_pairs.tsv"), 2, twin, &mut data);
    data.retain(|t| !t.text.trim().is_empty());
    // Vocabulary: features in at least MIN_DF texts.
    let mut df: HashMap<String, usize> = HashMap::new();
    for t in &data {
        for f in features(&t.text) {
            *df.entry(f).or_default() += 1;
        }
    }
    let mut vocab: Vec<String> = df
        .into_iter()
        .filter(|(_, n)| *n >= MIN_DF)
        .map(|(f, _)| f)
        .collect();
    vocab.sort();
    let index: HashMap<&str, usize> = vocab
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    for t in &mut data {
        t.feats = features(&t.text)
            .iter()
            .filter_map(|f| index.get(f.as_str()).copied())
            .collect();
    }
    let crisis_texts = data.iter().filter(|t| t.crisis_set).count();
    println!(
        "{} texts ({} from the crisis sets, {} ordinary chat lines), {} features",
        data.len(),
        crisis_texts,
        data.len() - crisis_texts,
        vocab.len()
    );

    // Out-of-fold margins per head.
    let mut oof = vec![[0.0f64; 2]; data.len()];
    for fold in 0..FOLDS {
        let train: Vec<usize> = (0..data.len()).filter(|i| i % FOLDS != fold).collect();
        for head in 0..2 {
            let (w, b) = fit(&data, &train, head, vocab.len());
            for i in (0..data.len()).filter(|i| i % FOLDS == fold) {
                oof[i][head] = margin(&data[i], &w, b);
            }
        }
    }
    let phrases: Vec<[bool; 2]> = data
        .iter()
        .map(|t| {
            let s = phrase_signs(&t.text);
            [s.self_harm, s.danger]
        })
        .collect();
    let mut thresholds = [0.0f64; 2];
    for head in 0..2 {
        let mut candidates: Vec<f64> = oof.iter().map(|m| m[head]).collect();
        candidates.sort_by(|a, b| a.total_cmp(b));
        let false_share = |t: f64, crisis_set: bool| {
            let pool: Vec<usize> = (0..data.len())
                .filter(|&i| {
                    data[i].crisis_set == crisis_set && !data[i].gold[0] && !data[i].gold[1]
                })
                .collect();
            pool.iter().filter(|&&i| oof[i][head] >= t).count() as f64 / pool.len().max(1) as f64
        };
        let chosen = candidates
            .iter()
            .copied()
            .find(|&t| {
                false_share(t, true) <= env_or("MAX_FALSE_CRISIS", MAX_FALSE_CRISIS)
                    && false_share(t, false) <= env_or("MAX_FALSE_ORDINARY", MAX_FALSE_ORDINARY)
            })
            .unwrap_or(f64::INFINITY);
        thresholds[head] = chosen;
        let name = ["self-harm", "danger"][head];
        let pos: Vec<usize> = (0..data.len())
            .filter(|&i| data[i].gold[head] && data[i].crisis_set)
            .collect();
        let found = |i: usize, with_phrases: bool| {
            oof[i][head] >= chosen || (with_phrases && phrases[i][head])
        };
        let any_false = |crisis_set: bool, with_phrases: bool| {
            let pool: Vec<usize> = (0..data.len())
                .filter(|&i| {
                    data[i].crisis_set == crisis_set && !data[i].gold[0] && !data[i].gold[1]
                })
                .collect();
            let n = pool.iter().filter(|&&i| found(i, with_phrases)).count();
            format!("{n} / {}", pool.len())
        };
        println!(
            "{name}: threshold {chosen:.3}; out of fold, layer alone: recall {} / {}, false alarms {} (crisis sets' ordinary texts), {} (chat lines); with the phrases: recall {} / {}, false alarms {}, {}",
            pos.iter().filter(|&&i| found(i, false)).count(),
            pos.len(),
            any_false(true, false),
            any_false(false, false),
            pos.iter().filter(|&&i| found(i, true)).count(),
            pos.len(),
            any_false(true, true),
            any_false(false, true),
        );
    }

    // Both signs together, as the card decides (any sign brings it up).
    let card = |i: usize, layer: bool| {
        phrases[i][0]
            || phrases[i][1]
            || (layer && (oof[i][0] >= thresholds[0] || oof[i][1] >= thresholds[1]))
    };
    for (what, layer) in [("phrases alone", false), ("phrases and layer", true)] {
        let crisis: Vec<usize> = (0..data.len())
            .filter(|&i| data[i].gold[0] || data[i].gold[1])
            .collect();
        let plain: Vec<usize> = (0..data.len())
            .filter(|&i| data[i].crisis_set && !data[i].gold[0] && !data[i].gold[1])
            .collect();
        let chat: Vec<usize> = (0..data.len()).filter(|&i| !data[i].crisis_set).collect();
        let count = |v: &[usize]| v.iter().filter(|&&i| card(i, layer)).count();
        println!(
            "card, {what} (out of fold): crisis texts {} / {}, ordinary texts of the crisis sets {} / {}, chat lines {} / {}",
            count(&crisis),
            crisis.len(),
            count(&plain),
            plain.len(),
            count(&chat),
            chat.len()
        );
    }

    // The shipped model: both heads on every text.
    let all: Vec<usize> = (0..data.len()).collect();
    let (w0, b0) = fit(&data, &all, 0, vocab.len());
    let (w1, b1) = fit(&data, &all, 1, vocab.len());
    let mut out = String::new();
    out.push_str(
        "# The learned half of the crisis check (crates/rekindle-core/src/crisis_learned.rs).\n",
    );
    out.push_str("# Trained by `cargo run --release -p rekindle-core --example train_crisis` on the project's own\n");
    out.push_str("# texts: crates/rekindle-core/tests/data/crisis_a.tsv, data/train/crisis_lines_{1,2}.tsv, and as\n");
    out.push_str("# ordinary text data/train/spoken_scenes_{1,2}.tsv and horsemen_lines{,_2}.tsv (no pressure lines).\n");
    out.push_str("# Never crisis_b.tsv or crisis_c.tsv (held out). Columns: feature, self-harm weight, danger weight.\n");
    out.push_str("# Same licence as the project.\n");
    writeln!(out, "bias\t{b0:.4}\t{b1:.4}").unwrap();
    writeln!(out, "threshold\t{:.4}\t{:.4}", thresholds[0], thresholds[1]).unwrap();
    let mut kept = 0;
    for (i, f) in vocab.iter().enumerate() {
        if w0[i].abs() < 0.005 && w1[i].abs() < 0.005 {
            continue;
        }
        kept += 1;
        writeln!(out, "{f}\t{:.4}\t{:.4}", w0[i], w1[i]).unwrap();
    }
    std::fs::write(&out_path, out).unwrap();
    println!("wrote {out_path} ({kept} features)");
}
