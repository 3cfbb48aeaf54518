//! Trains the learned half of `pressure` and writes data/models/pressure.tsv.
//!
//! ```text
//! cargo run --release -p rekindle-analysis --example train_pressure [-- --out FILE]
//! ```
//!
//! One logistic regression per kind, and one for "any kind" (Adagrad, L2,
//! fixed seed), over the features of `pressure_learned::features` (words,
//! "!word" after a negator, neighbouring word pairs), trained on the project's
//! own labelled lines: data/train/pressure_lines.tsv, pressure_lines_2.tsv,
//! pressure_lines_3.tsv and pressure_pairs.tsv (a pressuring message and its
//! honest twin), threat_lines_1.tsv and _2.tsv and tests/data/threats_a.tsv
//! (threats between ex-partners; never threats_b or threats_c), the lines of horsemen_lines.tsv and horsemen_lines_2.tsv as
//! lines without pressure (except their category `pressure`), and the tuning
//! sentence sets tests/data/sentences_dev.tsv, sentences_probe.tsv,
//! sentences_probe2.tsv, sentences_apart_a.tsv and sentences_apart_c.tsv.
//! **Never sentences_apart_b, _d, _e or _f**: they are the held-out reports
//! (tests/data/SENTENCES_APART.md).
//!
//! Each kind's threshold is chosen on 5-fold out-of-fold margins: the lowest
//! margin at which the kind's out-of-fold precision is still at least
//! `MIN_PRECISION` (0.8; recall first: the rules keep their own kinds, and the
//! letter check asks the user to look again, it does not block); the any
//! head's at `ANY_MIN_PRECISION` (0.92, chosen on set C left out of training;
//! QUALITY_LOG.md, session 14, variant PA2). The out-of-fold numbers are
//! printed, as is the share of non-pressuring and of accountable sentences the
//! layer would flag.
//! Settings for experiments: EPOCHS, LR, L2 (common/multilabel.rs), PRUNE,
//! MIN_DF, MIN_PRECISION, ANY_MIN_PRECISION, PRESSURE_FILES and SENTENCE_SETS
//! (comma lists instead of the shipped ones).

mod common;
#[path = "../tests/support/sentences.rs"]
mod sentences;

use std::path::PathBuf;

use rekindle_analysis::Pressure;
use rekindle_analysis::pressure_learned::features;
use rekindle_analysis::text::normalize;

const KINDS: usize = Pressure::ALL.len();
/// One column per kind, then the "any pressure" head (`pressure_learned`'s ANY).
const COLS: usize = KINDS + 1;
const FOLDS: usize = 5;

use common::multilabel::{self, Example};
use common::{Prf, env_or};

fn main() {
    multilabel::main_with("data/models/pressure.tsv", run);
}

/// `kinds TAB text` (kinds a comma list or `-`): data/train/pressure_lines.tsv.
fn own_lines(text: &str) -> Result<Vec<(String, [bool; KINDS], bool)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        // `kinds TAB text`, `pair TAB kinds TAB text` (pressure_pairs.tsv), or
        // `kinds TAB category TAB text` (threat_lines_*.tsv, threats_a.tsv).
        let mut cols: Vec<&str> = line.split('\t').collect();
        let is_kinds = |k: &str| {
            k.split(',')
                .map(str::trim)
                .all(|k| k == "-" || Pressure::ALL.iter().any(|p| p.as_str() == k))
        };
        if cols.len() == 3 {
            if is_kinds(cols[0]) {
                cols.remove(1);
            } else {
                cols.remove(0);
            }
        }
        let [kinds, t] = cols[..] else {
            return Err(format!("pressure lines line {}: not 2 or 3 columns", n + 1));
        };
        let mut gold = [false; KINDS];
        for k in kinds.split(',').map(str::trim).filter(|k| *k != "-") {
            let i = Pressure::ALL
                .iter()
                .position(|p| p.as_str() == k)
                .ok_or_else(|| format!("pressure_lines.tsv line {}: kind {k:?}", n + 1))?;
            gold[i] = true;
        }
        out.push((t.trim().to_string(), gold, false));
    }
    Ok(out)
}

/// The project's own training lines (data/train/README.md): written apart
/// from the rules and from every sentence set.
const OWN_FILES: [&str; 7] = [
    "pressure_lines.tsv",
    "pressure_lines_2.tsv",
    "pressure_lines_3.tsv",
    "pressure_pairs.tsv",
    // Threats between ex-partners (session 18, variant VT2).
    "threat_lines_1.tsv",
    "threat_lines_2.tsv",
    "../../crates/rekindle-analysis/tests/data/threats_a.tsv",
];

/// Lines labelled for the horsemen (data/train/README.md), read as lines
/// without pressure unless their category is `pressure`.
const CALM_FILES: [&str; 2] = ["horsemen_lines.tsv", "horsemen_lines_2.tsv"];

/// The tuning sentence sets (tests/data/SENTENCES_APART.md); never the held-out ones.
const SENTENCE_SETS: [&str; 5] = [
    "sentences_dev.tsv",
    "sentences_probe.tsv",
    "sentences_probe2.tsv",
    "sentences_apart_a.tsv",
    "sentences_apart_c.tsv",
];

/// A comma list from the environment variable `name` (for experiments), or
/// `default`.
fn list_or(name: &str, default: &[&str]) -> Vec<String> {
    match std::env::var(name) {
        Ok(list) => list.split(',').map(str::to_string).collect(),
        Err(_) => default.iter().map(|s| s.to_string()).collect(),
    }
}

fn run(root: &std::path::Path, out: &std::path::Path) -> Result<(), String> {
    let read =
        |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()));
    let mut texts = Vec::new();
    let own_files = list_or("PRESSURE_FILES", &OWN_FILES);
    for own in &own_files {
        texts.extend(own_lines(&read(root.join("data/train").join(own))?)?);
    }
    // The horsemen lines (attacks, complaints, banter, sadness, accountable
    // lines...) as lines without pressure, except the writer's `pressure`
    // category: without them the layer read anger as pressure (variant PA2,
    // QUALITY_LOG.md session 14).
    for f in CALM_FILES {
        for line in read(root.join("data/train").join(f))?.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            if let [_, category, t] = cols[..]
                && category != "pressure"
            {
                texts.push((t.trim().to_string(), [false; KINDS], false));
            }
        }
    }
    let own_n = texts.len();
    let sets = list_or("SENTENCE_SETS", &SENTENCE_SETS);
    for set in &sets {
        let rows = sentences::parse(&read(
            root.join("crates/rekindle-analysis/tests/data").join(set),
        )?)
        .map_err(|e| format!("{set}: {e}"))?;
        for r in rows {
            let mut gold = [false; KINDS];
            for p in &r.pressure {
                gold[*p as usize] = true;
            }
            texts.push((r.text, gold, r.accountable));
        }
    }
    eprintln!(
        "training sentences: {own_n} of data/train/{} + {} of the sentence sets (apart B and C never read)",
        own_files.join(", "),
        texts.len() - own_n
    );
    let mut buf = Vec::new();
    let feats: Vec<Vec<String>> = texts
        .iter()
        .map(|(t, _, _)| {
            features(&normalize(t), &mut buf);
            let mut f = buf.clone();
            f.sort_unstable();
            f.dedup();
            f
        })
        .collect();
    let (vocab, examples) = multilabel::examples::<COLS>(&feats, |i| {
        let mut gold = [false; COLS];
        gold[..KINDS].copy_from_slice(&texts[i].1);
        gold[KINDS] = texts[i].1.iter().any(|g| *g);
        gold
    });

    // Out-of-fold margins for the thresholds.
    let oof = multilabel::out_of_fold(&examples, vocab.len(), FOLDS);
    let min_p = env_or("MIN_PRECISION", 0.8);
    let mut thresholds = multilabel::thresholds(&oof, &examples, min_p, -2.0);
    // The ANY head is held to a higher precision: it adds to the kinds' heads.
    let any_min_p = env_or("ANY_MIN_PRECISION", 0.92);
    thresholds[KINDS] = multilabel::thresholds(&oof, &examples, any_min_p, -2.0)[KINDS];
    // As `PressureModel::kinds` decides (the any head needs a word for the
    // reader), except that the kinds' own need for one is left out.
    let to_reader: Vec<bool> = texts
        .iter()
        .map(|(t, _, _)| {
            normalize(t)
                .split(' ')
                .any(rekindle_analysis::pressure_learned::is_reader)
        })
        .collect();
    let flagged_at = |m: &[f64; COLS], i: usize| {
        (0..KINDS).any(|k| m[k] >= thresholds[k]) || (m[KINDS] >= thresholds[KINDS] && to_reader[i])
    };
    // Out-of-fold report.
    let mut any = Prf::default();
    let (mut clean, mut clean_flagged, mut acc, mut acc_flagged) = (0, 0, 0, 0);
    let names = Pressure::ALL
        .iter()
        .map(|p| p.as_str())
        .chain(["(any head)"]);
    for (k, name) in names.enumerate() {
        let mut prf = Prf::default();
        for (m, e) in oof.iter().zip(&examples) {
            prf.add(m[k] >= thresholds[k], e.gold[k]);
        }
        eprintln!(
            "out-of-fold {:<20} threshold {:+.3}  P {:.3}  R {:.3}",
            name,
            thresholds[k],
            prf.p(),
            prf.r()
        );
    }
    for (i, ((m, e), (_, _, accountable))) in oof.iter().zip(&examples).zip(&texts).enumerate() {
        let pred = flagged_at(m, i);
        let gold = e.gold[KINDS];
        any.add(pred, gold);
        if !gold {
            clean += 1;
            clean_flagged += usize::from(pred);
            if *accountable {
                acc += 1;
                acc_flagged += usize::from(pred);
            }
        }
    }
    eprintln!(
        "out-of-fold any kind: P {:.3}  R {:.3}; not pressuring flagged {clean_flagged} / {clean}; accountable (sentence sets) flagged {acc_flagged} / {acc}",
        any.p(),
        any.r()
    );
    // With the rules, as `classify` decides: the rules' kinds plus this layer's.
    let lex = rekindle_analysis::Lexicons::built_in();
    let (mut rules_any, mut union_any, mut kinds_any) =
        (Prf::default(), Prf::default(), Prf::default());
    let (mut rules_clean, mut union_clean, mut kinds_clean) = (0, 0, 0);
    for (i, ((m, e), (t, _, _))) in oof.iter().zip(&examples).zip(&texts).enumerate() {
        let rules = !rekindle_analysis::classify_rules_only(t, &lex)
            .pressure
            .is_empty();
        let learned = flagged_at(m, i);
        let gold = e.gold[KINDS];
        rules_any.add(rules, gold);
        union_any.add(rules || learned, gold);
        let kinds = rules || (0..KINDS).any(|k| m[k] >= thresholds[k]);
        kinds_any.add(kinds, gold);
        if !gold {
            rules_clean += usize::from(rules);
            union_clean += usize::from(rules || learned);
            kinds_clean += usize::from(kinds);
        }
    }
    eprintln!(
        "rules alone: P {:.3}  R {:.3}, not pressuring flagged {rules_clean} / {clean}; rules + out-of-fold layer: P {:.3}  R {:.3}, not pressuring flagged {union_clean} / {clean}",
        rules_any.p(),
        rules_any.r(),
        union_any.p(),
        union_any.r()
    );
    eprintln!(
        "for comparison, rules + the kinds' heads without the any head: P {:.3}  R {:.3}, not pressuring flagged {kinds_clean} / {clean}",
        kinds_any.p(),
        kinds_any.r()
    );

    // The shipped model: all sentences, small weights dropped.
    let all: Vec<&Example<COLS>> = examples.iter().collect();
    let m = multilabel::train(&all, vocab.len(), 17);
    let header = format!(
        "# The learned half of `pressure` (crates/rekindle-analysis/src/pressure_learned.rs).\n\
         # Trained by `cargo run --release -p rekindle-analysis --example train_pressure` on the project's own\n\
         # labelled sentences (data/train/{}; tests/data/{}).\n\
         # Thresholds: each kind's at out-of-fold precision {min_p}, the any head's at {any_min_p}.\n\
         # Columns: key, then one number per kind: begging guilt threat ultimatum entitlement showing_up\n\
         # surveillance self_harm_leverage persistence, then the any-pressure head. Same licence as the project.\n",
        own_files.join(", "),
        sets.join(", ")
    );
    multilabel::write_model_file(out, &header, &m, &thresholds, &vocab)
}
