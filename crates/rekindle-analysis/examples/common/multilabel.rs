//! One logistic regression per label over sparse features (Adagrad, L2, fixed
//! seed), with out-of-fold margins and precision-first thresholds: the shared
//! trainer of the learned pressure and horsemen layers
//! (`examples/train_pressure.rs`, `examples/train_horsemen.rs`).
//! Settings for experiments: EPOCHS, LR, L2.

use super::env_or;

/// One training sentence: indices into the vocabulary (with repeats, as the
/// runtime layer counts them) and the gold labels.
pub struct Example<const K: usize> {
    pub feats: Vec<u32>,
    pub gold: [bool; K],
}

pub struct Lr<const K: usize> {
    pub bias: [f64; K],
    pub w: Vec<[f64; K]>,
}

impl<const K: usize> Lr<K> {
    pub fn margins(&self, e: &Example<K>) -> [f64; K] {
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

pub fn train<const K: usize>(data: &[&Example<K>], vocab: usize, seed: u64) -> Lr<K> {
    let (epochs, lr, l2) = (
        env_or("EPOCHS", 30.0) as usize,
        env_or("LR", 0.2),
        env_or("L2", 1e-4),
    );
    let mut m = Lr {
        bias: [0.0; K],
        w: vec![[0.0; K]; vocab],
    };
    let mut g_bias = [1e-8; K];
    let mut g_w = vec![[1e-8; K]; vocab];
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng(seed | 1);
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let e = data[i];
            let m_now = m.margins(e);
            for k in 0..K {
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

/// Margins of every example from a model that did not see it (`folds` folds by
/// position).
pub fn out_of_fold<const K: usize>(
    examples: &[Example<K>],
    vocab: usize,
    folds: usize,
) -> Vec<[f64; K]> {
    let mut oof = vec![[0.0; K]; examples.len()];
    for fold in 0..folds {
        let train_set: Vec<&Example<K>> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, e)| e)
            .collect();
        let m = train(&train_set, vocab, 17 + fold as u64);
        for (i, e) in examples.iter().enumerate() {
            if i % folds == fold {
                oof[i] = m.margins(e);
            }
        }
    }
    oof
}

/// The lowest margin at which precision over the examples above it is still
/// at least `min_p` (scanning from the most confident down).
pub fn threshold(scored: &mut [(f64, bool)], min_p: f64) -> f64 {
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

/// Each label's threshold from out-of-fold margins (see [`threshold`]), at
/// least `floor`.
pub fn thresholds<const K: usize>(
    oof: &[[f64; K]],
    examples: &[Example<K>],
    min_p: f64,
    floor: f64,
) -> [f64; K] {
    let mut out = [0.0; K];
    for (k, t) in out.iter_mut().enumerate() {
        let mut scored: Vec<(f64, bool)> = oof
            .iter()
            .zip(examples)
            .map(|(m, e)| (m[k], e.gold[k]))
            .collect();
        *t = threshold(&mut scored, min_p).max(floor);
    }
    out
}

/// Writes [`model_file`]'s text to `out` and says how many features it kept.
pub fn write_model_file<const K: usize>(
    out: &std::path::Path,
    header: &str,
    m: &Lr<K>,
    thresholds: &[f64; K],
    vocab: &[&str],
) -> Result<(), String> {
    let (text, kept) = model_file(header, m, thresholds, vocab, env_or("PRUNE", 0.02));
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({kept} features)", out.display());
    Ok(())
}

/// The model file: a header, `@bias`, `@threshold`, then each feature whose
/// weight for some label reaches `prune`; returns the text and the number of
/// features kept.
pub fn model_file<const K: usize>(
    header: &str,
    m: &Lr<K>,
    thresholds: &[f64; K],
    vocab: &[&str],
    prune: f64,
) -> (String, usize) {
    use std::fmt::Write as _;
    let fmt_row = |r: &[f64; K]| -> String {
        r.iter()
            .map(|x| format!("{x:.4}"))
            .collect::<Vec<_>>()
            .join("\t")
    };
    let mut text = header.to_string();
    let _ = writeln!(text, "@bias\t{}", fmt_row(&m.bias));
    let _ = writeln!(text, "@threshold\t{}", fmt_row(thresholds));
    let mut kept = 0;
    for (name, w) in vocab.iter().zip(&m.w) {
        if w.iter().any(|x| x.abs() >= prune) {
            let _ = writeln!(text, "{name}\t{}", fmt_row(w));
            kept += 1;
        }
    }
    (text, kept)
}

/// A trainer's `main`: `run(repository root, model file)`, the model file
/// `default` under the root unless `--out FILE` is given; exits 1 on an error.
pub fn main_with(
    default: &str,
    run: impl FnOnce(&std::path::Path, &std::path::Path) -> Result<(), String>,
) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| root.join(default), std::path::PathBuf::from);
    if let Err(e) = run(&root, &out) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The vocabulary (every feature in at least `MIN_DF` lines, 2 unless the
/// environment says otherwise; counted once per line) and one example per
/// line of `feats`, its features as vocabulary indices (repeats kept) and
/// `gold(i)` as labels.
pub fn examples<const K: usize>(
    feats: &[Vec<String>],
    gold: impl Fn(usize) -> [bool; K],
) -> (Vec<&str>, Vec<Example<K>>) {
    let min_df = super::env_or("MIN_DF", 2.0) as u32;
    let mut df: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for f in feats {
        let mut unique: Vec<&str> = f.iter().map(String::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        for n in unique {
            *df.entry(n).or_default() += 1;
        }
    }
    let (vocab, index) = super::vocabulary(&df, min_df);
    let examples = feats
        .iter()
        .enumerate()
        .map(|(i, f)| Example {
            feats: f
                .iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect(),
            gold: gold(i),
        })
        .collect();
    eprintln!("vocabulary: {} features (df >= {min_df})", vocab.len());
    (vocab, examples)
}
