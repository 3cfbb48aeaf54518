//! Trains the learned half of boundary detection and writes data/models/boundary.tsv.
//!
//! ```text
//! cargo run --profile eval -p rekindle-analysis --example train_boundary [-- --out FILE]
//! ```
//!
//! One logistic regression per boundary kind (ended, no_contact, space,
//! blocked; common/multilabel.rs) over the features of
//! `pressure_learned::features` (words, "!word" after a negator, neighbouring
//! word pairs) of `boundary::layer_text` (the message's clauses that are not
//! questions, without quotes), trained on the project's own labelled lines:
//! data/train/boundary_lines_1.tsv and _2.tsv, the lines of
//! data/train/spoken_lines.tsv and spoken_lines_2.tsv (as lines without a
//! boundary: everyday talk), and the boundary column of
//! tests/data/sentences_apart_a.tsv. **Never sentences_apart_b, _c, _d or _e**:
//! they are the held-out reports.
//!
//! Each kind's threshold is chosen on 5-fold out-of-fold margins: the lowest
//! margin at which its out-of-fold precision is still at least
//! `MIN_PRECISION` (0.85), and high enough that at most `MAX_FPR` (0.1 %) of the
//! lines without a boundary reach it. Printed: out-of-fold precision and recall per kind
//! and for any kind, for the phrases alone, the layer alone and both (as
//! `boundary::detect` decides: the layer only where no phrase matched).
//! Settings for experiments: EPOCHS, LR, L2 (common/multilabel.rs), PRUNE,
//! MIN_DF, MIN_PRECISION, MAX_FPR.

mod common;
#[path = "../tests/support/sentences.rs"]
mod sentences;

use std::path::Path;

use common::multilabel::{self, Example};
use common::{Prf, env_or};
use rekindle_analysis::BoundaryKind;
use rekindle_analysis::boundary::{detect_by_phrases, layer_text};
use rekindle_analysis::pressure_learned::features;

const KINDS: usize = BoundaryKind::ALL.len();
const FOLDS: usize = 5;

/// One training line: its text and its kind (`None`: no boundary).
struct Line {
    text: String,
    gold: Option<usize>,
}

fn main() {
    multilabel::main_with("data/models/boundary.tsv", run);
}

fn kind_index(name: &str) -> Option<usize> {
    BoundaryKind::ALL.iter().position(|k| k.as_str() == name)
}

/// `text TAB kind` with a header line (kind one of the four or `-`).
fn own_lines(text: &str, file: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if n == 0 && line.starts_with("text\t") || line.trim().is_empty() {
            continue;
        }
        let Some((t, kind)) = line.rsplit_once('\t') else {
            return Err(format!("{file} line {}: want `text TAB kind`", n + 1));
        };
        let gold = match kind.trim() {
            "-" => None,
            k => Some(kind_index(k).ok_or_else(|| format!("{file} line {}: {k:?}", n + 1))?),
        };
        out.push(Line {
            text: t.trim().to_string(),
            gold,
        });
    }
    Ok(out)
}

const OWN_FILES: [&str; 2] = ["boundary_lines_1.tsv", "boundary_lines_2.tsv"];
/// Spoken-style everyday lines (data/train/README.md): none sets a boundary.
const CALM_FILES: [&str; 2] = ["spoken_lines.tsv", "spoken_lines_2.tsv"];
/// The one sentence set with a boundary column that may be trained on.
const SETS: [&str; 1] = ["sentences_apart_a.tsv"];

fn run(root: &Path, out: &Path) -> Result<(), String> {
    let mut lines = Vec::new();
    for own in OWN_FILES {
        let p = root.join("data/train").join(own);
        lines.extend(own_lines(&common::read(&p)?, own)?);
    }
    let own_n = lines.len();
    for file in CALM_FILES {
        let p = root.join("data/train").join(file);
        for (n, line) in common::read(&p)?.lines().enumerate() {
            let Some((_, t)) = line.split_once('\t') else {
                return Err(format!("{file} line {}: want `0|1 TAB text`", n + 1));
            };
            lines.push(Line {
                text: t.trim().to_string(),
                gold: None,
            });
        }
    }
    let calm_n = lines.len() - own_n;
    for set in SETS {
        let rows = sentences::parse(&common::read(
            &root.join("crates/rekindle-analysis/tests/data").join(set),
        )?)
        .map_err(|e| format!("{set}: {e}"))?;
        for r in rows {
            let gold = r.boundary.as_deref().and_then(kind_index);
            lines.push(Line { text: r.text, gold });
        }
    }
    eprintln!(
        "training lines: {own_n} own (data/train/{}), {calm_n} everyday (data/train/{}), {} of {} (B, C, D and E never read)",
        OWN_FILES.join(", "),
        CALM_FILES.join(", "),
        lines.len() - own_n - calm_n,
        SETS.join(", ")
    );
    let mut buf = Vec::new();
    let feats: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            features(&layer_text(&l.text), &mut buf);
            buf.clone()
        })
        .collect();
    let (vocab, examples) = multilabel::examples::<KINDS>(&feats, |i| {
        std::array::from_fn(|k| lines[i].gold == Some(k))
    });

    let oof = multilabel::out_of_fold(&examples, vocab.len(), FOLDS);
    let min_p = env_or("MIN_PRECISION", 0.85);
    let mut thresholds = multilabel::thresholds(&oof, &examples, min_p, -2.0);
    // A chat is mostly messages that set no boundary (about one in a hundred
    // does), so precision on these lines says little about a chat: each
    // kind's threshold also keeps its out-of-fold false alarms on the lines
    // without a boundary at or below MAX_FPR.
    let max_fpr = env_or("MAX_FPR", 0.001);
    for (k, t) in thresholds.iter_mut().enumerate() {
        let mut none: Vec<f64> = oof
            .iter()
            .zip(&lines)
            .filter(|(_, l)| l.gold.is_none())
            .map(|(m, _)| m[k])
            .collect();
        none.sort_by(|a, b| b.total_cmp(a));
        let allowed = (max_fpr * none.len() as f64).floor() as usize;
        if let Some(&above) = none.get(allowed) {
            *t = t.max(above + 1e-6);
        }
    }
    report(&lines, &oof, &thresholds);

    let all: Vec<&Example<KINDS>> = examples.iter().collect();
    let m = multilabel::train(&all, vocab.len(), 17);
    multilabel::write_model_file(
        out,
        "# The learned half of boundary detection (crates/rekindle-analysis/src/boundary_learned.rs).\n\
         # Trained by `cargo run --profile eval -p rekindle-analysis --example train_boundary` on the project's\n\
         # own labelled lines (data/train/boundary_lines_{1,2}.tsv, spoken_lines{,_2}.tsv as lines without a\n\
         # boundary; tests/data/sentences_apart_a.tsv).\n\
         # Columns: key, then one number per kind: ended no_contact space blocked.\n\
         # Same licence as the project.\n",
        &m,
        &thresholds,
        &vocab,
    )
}

/// Out-of-fold precision and recall: per kind for the layer, and for any
/// kind for the phrases, the layer and both as `boundary::detect` decides.
fn report(lines: &[Line], oof: &[[f64; KINDS]], thresholds: &[f64; KINDS]) {
    for (k, kind) in BoundaryKind::ALL.iter().enumerate() {
        let mut p = Prf::default();
        for (l, m) in lines.iter().zip(oof) {
            p.add(m[k] >= thresholds[k], l.gold == Some(k));
        }
        eprintln!(
            "out-of-fold {:<11} threshold {:+.3}  layer P {:.3} R {:.3}",
            kind.as_str(),
            thresholds[k],
            p.p(),
            p.r()
        );
    }
    let (mut phrases, mut layer, mut both) = (Prf::default(), Prf::default(), Prf::default());
    let (mut kind_right, mut gold_n) = (0, 0);
    for (l, m) in lines.iter().zip(oof) {
        let by_phrases = detect_by_phrases(&l.text);
        let words = layer_text(&l.text).split(' ').count();
        let by_layer = (words >= 2)
            .then(|| {
                rekindle_analysis::boundary_learned::decide(
                    m.map(|x| x as f32),
                    thresholds.map(|x| x as f32),
                )
            })
            .flatten();
        let decided = by_phrases.or(by_layer);
        let gold = l.gold.is_some();
        phrases.add(by_phrases.is_some(), gold);
        layer.add(by_layer.is_some(), gold);
        both.add(decided.is_some(), gold);
        if let Some(g) = l.gold {
            gold_n += 1;
            kind_right += usize::from(decided == Some(BoundaryKind::ALL[g]));
        }
    }
    for (name, p) in [("phrases", phrases), ("layer", layer), ("both", both)] {
        eprintln!(
            "out-of-fold any kind, {name:<8} P {:.3} R {:.3}",
            p.p(),
            p.r()
        );
    }
    eprintln!("both, right kind: {kind_right} / {gold_n}");
}
