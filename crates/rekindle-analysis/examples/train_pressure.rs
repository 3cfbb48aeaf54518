//! Trains the learned half of `pressure` and writes data/models/pressure.tsv.
//!
//! ```text
//! cargo run --release -p rekindle-analysis --example train_pressure [-- --out FILE]
//! ```
//!
//! One logistic regression per kind (Adagrad, L2, fixed seed) over the
//! features of `pressure_learned::features` (words, "!word" after a negator,
//! neighbouring word pairs), trained on the project's own labelled sentences:
//! data/train/pressure_lines.tsv, pressure_lines_2.tsv and the sentence sets tests/data/
//! sentences_dev.tsv, sentences_probe.tsv, sentences_probe2.tsv and
//! sentences_apart_a.tsv. **Never sentences_apart_b.tsv or sentences_apart_c.tsv**: they are
//! the held-out reports (tests/data/SENTENCES_APART.md).
//!
//! Each kind's threshold is chosen on 5-fold out-of-fold margins: the lowest
//! margin at which the kind's out-of-fold precision is still at least
//! `MIN_PRECISION` (recall first: the rules keep their own kinds, and the
//! letter check asks the user to look again, it does not block). The
//! out-of-fold numbers are printed, as is the share of non-pressuring and of
//! accountable sentences the layer alone would flag.
//! Settings for experiments: EPOCHS, LR, L2, PRUNE, MIN_DF, MIN_PRECISION.

mod common;
#[path = "../tests/support/sentences.rs"]
mod sentences;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use rekindle_analysis::Pressure;
use rekindle_analysis::pressure_learned::features;
use rekindle_analysis::text::normalize;

const KINDS: usize = Pressure::ALL.len();
const FOLDS: usize = 5;

use common::env_or;

struct Example {
    feats: Vec<u32>,
    gold: [bool; KINDS],
    accountable: bool,
}

struct Lr {
    bias: [f64; KINDS],
    w: Vec<[f64; KINDS]>,
}

impl Lr {
    fn margins(&self, e: &Example) -> [f64; KINDS] {
        let mut m = self.bias;
        for &f in &e.feats {
            for (o, x) in m.iter_mut().zip(&self.w[f as usize]) {
                *o += x;
            }
        }
        m
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Deterministic shuffling (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn train(data: &[&Example], vocab: usize, seed: u64) -> Lr {
    let (epochs, lr, l2) = (
        env_or("EPOCHS", 30.0) as usize,
        env_or("LR", 0.2),
        env_or("L2", 1e-4),
    );
    let mut m = Lr {
        bias: [0.0; KINDS],
        w: vec![[0.0; KINDS]; vocab],
    };
    let mut g_bias = [1e-8; KINDS];
    let mut g_w = vec![[1e-8; KINDS]; vocab];
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng(seed | 1);
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let e = data[i];
            let m_now = m.margins(e);
            for k in 0..KINDS {
                let err = sigmoid(m_now[k]) - f64::from(u8::from(e.gold[k]));
                g_bias[k] += err * err;
                m.bias[k] -= lr * err / g_bias[k].sqrt();
                for &f in &e.feats {
                    let f = f as usize;
                    let g = err + l2 * m.w[f][k];
                    g_w[f][k] += g * g;
                    m.w[f][k] -= lr * g / g_w[f][k].sqrt();
                }
            }
        }
    }
    m
}

#[derive(Default, Clone, Copy)]
struct Prf {
    tp: usize,
    fp: usize,
    fn_: usize,
}
impl Prf {
    fn add(&mut self, pred: bool, gold: bool) {
        match (pred, gold) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            _ => {}
        }
    }
    fn p(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn r(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

/// The lowest margin at which precision over the examples above it is still
/// at least `min_p` (scanning from the most confident down).
fn threshold(scored: &mut [(f64, bool)], min_p: f64) -> f64 {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut n) = (0usize, 0usize);
    let mut best = f64::INFINITY;
    for (i, (m, g)) in scored.iter().enumerate() {
        n += 1;
        tp += usize::from(*g);
        // Decide at the end of a run of equal margins only.
        if scored.get(i + 1).is_some_and(|next| next.0 == *m) {
            continue;
        }
        if tp >= 3 && tp as f64 / n as f64 >= min_p {
            best = *m;
        }
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| root.join("data/models/pressure.tsv"), PathBuf::from);
    if let Err(e) = run(&root, &out) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// `kinds TAB text` (kinds a comma list or `-`): data/train/pressure_lines.tsv.
fn own_lines(text: &str) -> Result<Vec<(String, [bool; KINDS], bool)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (kinds, t) = line
            .split_once('\t')
            .ok_or_else(|| format!("pressure_lines.tsv line {}: no tab", n + 1))?;
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
const OWN_FILES: [&str; 2] = ["pressure_lines.tsv", "pressure_lines_2.tsv"];

fn run(root: &std::path::Path, out: &std::path::Path) -> Result<(), String> {
    let read =
        |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()));
    let mut texts = Vec::new();
    for own in OWN_FILES {
        texts.extend(own_lines(&read(root.join("data/train").join(own))?)?);
    }
    let own_n = texts.len();
    for set in [
        "sentences_dev.tsv",
        "sentences_probe.tsv",
        "sentences_probe2.tsv",
        "sentences_apart_a.tsv",
    ] {
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
        OWN_FILES.join(", "),
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
    let min_df = env_or("MIN_DF", 2.0) as u32;
    let mut df: HashMap<&str, u32> = HashMap::new();
    for f in &feats {
        for n in f {
            *df.entry(n.as_str()).or_default() += 1;
        }
    }
    let (vocab, index) = common::vocabulary(&df, min_df);
    let examples: Vec<Example> = feats
        .iter()
        .zip(&texts)
        .map(|(f, (_, gold, accountable))| Example {
            feats: f
                .iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect(),
            gold: *gold,
            accountable: *accountable,
        })
        .collect();
    eprintln!("vocabulary: {} features (df >= {min_df})", vocab.len());

    // Out-of-fold margins for the thresholds.
    let mut oof = vec![[0.0; KINDS]; examples.len()];
    for fold in 0..FOLDS {
        let train_set: Vec<&Example> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS != fold)
            .map(|(_, e)| e)
            .collect();
        let m = train(&train_set, vocab.len(), 17 + fold as u64);
        for (i, e) in examples.iter().enumerate() {
            if i % FOLDS == fold {
                oof[i] = m.margins(e);
            }
        }
    }
    let min_p = env_or("MIN_PRECISION", 0.8);
    let mut thresholds = [0.0; KINDS];
    for (k, t) in thresholds.iter_mut().enumerate() {
        let mut scored: Vec<(f64, bool)> = oof
            .iter()
            .zip(&examples)
            .map(|(m, e)| (m[k], e.gold[k]))
            .collect();
        *t = threshold(&mut scored, min_p).max(-2.0);
    }
    // Out-of-fold report.
    let mut any = Prf::default();
    let (mut clean, mut clean_flagged, mut acc, mut acc_flagged) = (0, 0, 0, 0);
    for (k, p) in Pressure::ALL.iter().enumerate() {
        let mut prf = Prf::default();
        for (m, e) in oof.iter().zip(&examples) {
            prf.add(m[k] >= thresholds[k], e.gold[k]);
        }
        eprintln!(
            "out-of-fold {:<20} threshold {:+.3}  P {:.3}  R {:.3}",
            p.as_str(),
            thresholds[k],
            prf.p(),
            prf.r()
        );
    }
    for (m, e) in oof.iter().zip(&examples) {
        let pred = (0..KINDS).any(|k| m[k] >= thresholds[k]);
        let gold = e.gold.iter().any(|g| *g);
        any.add(pred, gold);
        if !gold {
            clean += 1;
            clean_flagged += usize::from(pred);
            if e.accountable {
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
    let (mut rules_any, mut union_any) = (Prf::default(), Prf::default());
    let (mut rules_clean, mut union_clean) = (0, 0);
    for ((m, e), (t, _, _)) in oof.iter().zip(&examples).zip(&texts) {
        let rules = !rekindle_analysis::classify_rules_only(t, &lex)
            .pressure
            .is_empty();
        let learned = (0..KINDS).any(|k| m[k] >= thresholds[k]);
        let gold = e.gold.iter().any(|g| *g);
        rules_any.add(rules, gold);
        union_any.add(rules || learned, gold);
        if !gold {
            rules_clean += usize::from(rules);
            union_clean += usize::from(rules || learned);
        }
    }
    eprintln!(
        "rules alone: P {:.3}  R {:.3}, not pressuring flagged {rules_clean} / {clean}; rules + out-of-fold layer: P {:.3}  R {:.3}, not pressuring flagged {union_clean} / {clean}",
        rules_any.p(),
        rules_any.r(),
        union_any.p(),
        union_any.r()
    );

    // The shipped model: all sentences, small weights dropped.
    let all: Vec<&Example> = examples.iter().collect();
    let m = train(&all, vocab.len(), 17);
    let prune = env_or("PRUNE", 0.02);
    let mut text = String::new();
    text.push_str(
        "# The learned half of `pressure` (crates/rekindle-analysis/src/pressure_learned.rs).\n\
         # Trained by `cargo run --release -p rekindle-analysis --example train_pressure` on the project's own\n\
         # labelled sentences (data/train/pressure_lines.tsv, pressure_lines_2.tsv; tests/data/sentences_{dev,probe,probe2,apart_a}.tsv).\n\
         # Columns: key, then one number per kind: begging guilt threat ultimatum entitlement showing_up\n\
         # surveillance self_harm_leverage persistence. Same licence as the project.\n",
    );
    let fmt_row = |r: &[f64; KINDS]| -> String {
        r.iter()
            .map(|x| format!("{x:.4}"))
            .collect::<Vec<_>>()
            .join("\t")
    };
    let _ = writeln!(text, "@bias\t{}", fmt_row(&m.bias));
    let _ = writeln!(text, "@threshold\t{}", fmt_row(&thresholds));
    let mut kept = 0;
    for (name, w) in vocab.iter().zip(&m.w) {
        if w.iter().any(|x| x.abs() >= prune) {
            let _ = writeln!(text, "{name}\t{}", fmt_row(w));
            kept += 1;
        }
    }
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({kept} features)", out.display());
    Ok(())
}
