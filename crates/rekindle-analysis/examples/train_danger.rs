//! Trains the learned half of the threat reading of `danger.rs` and writes
//! data/models/danger.tsv.
//!
//! ```text
//! cargo run --profile eval -p rekindle-analysis --example train_danger [-- --out FILE]
//! ```
//!
//! A logistic regression for `threat` (common/multilabel.rs, in the horsemen
//! layer's four-column shape: threat, then three unused columns) over the
//! features of `pressure_learned::features` (words, "!word" after a negator,
//! neighbouring word pairs) of the normalized message, trained on the
//! project's own labelled lines: the letter check's threat lines
//! (data/train/threat_lines_{1,2}.tsv, tests/data/threats_a.tsv), the veiled
//! threats and their look-alikes of data/train/threat_lines_3.tsv, the danger
//! tuning set (tests/data/danger_a.tsv), the pressure lines whose kinds hold
//! `threat` (data/train/pressure_lines*.tsv), and as lines without a threat:
//! every other line of those files, the horsemen lines (hostile, not
//! threatening) and the everyday spoken lines and scenes. **Never danger_b-f,
//! danger_veiled, danger_chats_*, threats_b or threats_c**: they are the
//! held-out reports.
//!
//! The threshold is chosen on 5-fold out-of-fold margins: the lowest margin at
//! which out-of-fold precision is at least `MIN_PRECISION` (0.9), and high
//! enough that at most `MAX_FPR` (0.2 %) of the lines without a threat reach
//! it (a chat is mostly messages without one). Settings for experiments:
//! EPOCHS, LR, L2 (common/multilabel.rs), MIN_DF, MIN_PRECISION, MAX_FPR.

mod common;

use std::path::Path;

use common::multilabel::{self, Example};
use common::{Prf, env_or};
use rekindle_analysis::pressure_learned::features;
use rekindle_analysis::text::normalize;

const KINDS: usize = 4;
const FOLDS: usize = 5;

struct Line {
    text: String,
    threat: bool,
}

fn main() {
    multilabel::main_with("data/models/danger.tsv", run);
}

/// The text and label column of each line of a TSV file, by their positions
/// (from the end for the text: some files have tabs only between columns).
fn columns(
    root: &Path,
    rel: &str,
    label_col: usize,
    skip_header: bool,
) -> Result<Vec<(String, String)>, String> {
    let text = common::read(&root.join(rel))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if (n == 0 && skip_header) || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(label), Some(t)) = (cols.get(label_col), cols.last()) else {
            return Err(format!("{rel} line {}: too few columns", n + 1));
        };
        out.push((label.to_string(), t.trim().to_string()));
    }
    Ok(out)
}

fn run(root: &Path, out: &Path) -> Result<(), String> {
    let mut lines = Vec::new();
    let mut add = |rows: Vec<(String, String)>, is_threat: &dyn Fn(&str) -> bool| {
        for (label, text) in rows {
            lines.push(Line {
                threat: is_threat(&label),
                text,
            });
        }
    };
    let threat = |l: &str| l == "threat";
    let never = |_: &str| false;
    for f in [
        "data/train/threat_lines_1.tsv",
        "data/train/threat_lines_2.tsv",
        "data/train/threat_lines_3.tsv",
        "crates/rekindle-analysis/tests/data/threats_a.tsv",
    ] {
        add(columns(root, f, 0, false)?, &threat);
    }
    add(
        columns(
            root,
            "crates/rekindle-analysis/tests/data/danger_a.tsv",
            0,
            true,
        )?,
        &threat,
    );
    for f in [
        "pressure_lines.tsv",
        "pressure_lines_2.tsv",
        "pressure_lines_3.tsv",
        "pressure_lines_4.tsv",
    ] {
        add(
            columns(root, &format!("data/train/{f}"), 0, false)?,
            &|l: &str| l.split(',').any(|k| k.trim() == "threat"),
        );
    }
    for f in [
        "horsemen_lines.tsv",
        "horsemen_lines_2.tsv",
        "spoken_lines.tsv",
        "spoken_lines_2.tsv",
        "spoken_scenes_1.tsv",
        "spoken_scenes_2.tsv",
    ] {
        add(columns(root, &format!("data/train/{f}"), 0, false)?, &never);
    }
    let threats = lines.iter().filter(|l| l.threat).count();
    eprintln!("training lines: {} ({threats} threats)", lines.len());
    let mut buf = Vec::new();
    let feats: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            features(&normalize(&l.text), &mut buf);
            buf.clone()
        })
        .collect();
    let (vocab, examples) =
        multilabel::examples::<KINDS>(&feats, |i| [lines[i].threat, false, false, false]);
    let oof = multilabel::out_of_fold(&examples, vocab.len(), FOLDS);
    let min_p = env_or("MIN_PRECISION", 0.9);
    let mut thresholds = multilabel::thresholds(&oof, &examples, min_p, -2.0);
    let max_fpr = env_or("MAX_FPR", 0.002);
    let mut none: Vec<f64> = oof
        .iter()
        .zip(&lines)
        .filter(|(_, l)| !l.threat)
        .map(|(m, _)| m[0])
        .collect();
    none.sort_by(|a, b| b.total_cmp(a));
    let allowed = (max_fpr * none.len() as f64).floor() as usize;
    if let Some(&above) = none.get(allowed) {
        thresholds[0] = thresholds[0].max(above + 1e-6);
    }
    // The unused columns never decide anything.
    for t in thresholds.iter_mut().skip(1) {
        *t = 1e6;
    }
    let mut p = Prf::default();
    for (l, m) in lines.iter().zip(&oof) {
        p.add(m[0] >= thresholds[0], l.threat);
    }
    eprintln!(
        "out-of-fold threat: threshold {:+.3}, P {:.3} R {:.3}",
        thresholds[0],
        p.p(),
        p.r()
    );
    let all: Vec<&Example<KINDS>> = examples.iter().collect();
    let m = multilabel::train(&all, vocab.len(), 19);
    multilabel::write_model_file(
        out,
        "# The learned half of the threat reading of crates/rekindle-analysis/src/danger.rs.\n\
         # Trained by `cargo run --profile eval -p rekindle-analysis --example train_danger` on the project's\n\
         # own labelled lines (see the trainer's header).\n\
         # Columns: key, then one number per kind: threat, unused, unused, unused.\n\
         # Same licence as the project.\n",
        &m,
        &thresholds,
        &vocab,
    )
}
