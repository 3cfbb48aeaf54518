//! Trains the learned layer of the `negative` flag and writes data/models/negative.tsv.
//!
//! ```text
//! cargo run --release -p rekindle-analysis --example train -- /work/shared/data/eval [--out FILE] [--vader DIR | --no-vader] [--empath | --empath-file FILE] [--extra FILE]
//! ```
//!
//! `--extra FILE`: more labelled training lines (`label TAB text`, label 0/1),
//! the project's own (data/train/spoken_lines.tsv); added to training, never to
//! the threshold choice; `EXTRA_REPEAT=n` counts each n times.
//!
//! Logistic regression (Adagrad, L2, fixed seed, a few epochs) on GoEmotions
//! **train** only: the words of the normalized text ("!w" for a word within
//! two words after a negator) plus the rules' numbers
//! (`learned::DENSE_NAMES`). Bigrams were dropped: out-of-fold F1 0.605 ->
//! 0.601 for half the lookups per word; at most 2,000 word weights are kept.
//! Thresholds come from out-of-fold margins over train (5 folds, each pruned
//! exactly like the shipped model): Platt scaling (a and b of
//! sigmoid(a * margin + b)) makes them probabilities at train's share of negatives; for each
//! share of `base_rate::GRID` the threshold is where that probability, moved
//! to the share (Saerens et al. 2002), reaches F*/2, F* the best re-weighted
//! out-of-fold F1 at the share (Lipton et al. 2014) — smooth in the share,
//! unlike the arg-max threshold, which is printed for comparison. `threshold`
//! is the one at `PRIOR` (5 %), the share assumed for a message alone; a chat
//! uses the share EM estimates from its own margins. GoEmotions dev/test and
//! DailyDialog are never read here. VADER's tweet ground truth (MIT, valence ≤ -1 = negative;
//! `DIR/../vader` unless `--vader DIR`) is added to the training data —
//! tweets are the closest permitted text to chat — but not to the threshold
//! choice. With `--empath` (or `--empath-file FILE`), the counts of the words
//! of each Empath category in `CATEGORIES` (Fast et al. 2016, MIT;
//! `DIR/../lexicons/empath/categories.tsv` unless given) are features too:
//! word lists generalise beyond the Reddit vocabulary. Their words are written
//! to `empath.tsv` next to the model, and the library folds each category's
//! weight into its words' weights. The shipped model is trained with
//! `--empath` (see the crate README, "Quality"). Settings can be overridden for experiments with the environment
//! variables EPOCHS, LR, L2, PRUNE, MIN_DF, MAX_FEATURES, PRIOR.

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rekindle_analysis::learned::{self, DENSE, DENSE_NAMES, Dense, Model};
use rekindle_analysis::{Lexicons, base_rate, text};

use common::{Item, Prf, env_or};

const FOLDS: usize = 5;
/// A message with a horseman marker ("k.", "you always", insults, 🙄) that the
/// rules alone call negative (score >= 0.3, their own threshold) is negative
/// whatever the words' margin. Fixed, not tuned: these are chat signals Reddit
/// comments hardly show, so GoEmotions cannot judge them; the crate's
/// conversation tests (tests/generated.rs, tests/conversations.rs) can, and
/// they need it (0.5 loses an argument session in tests/generated.rs).
const RULES_STRONG: f32 = 0.3;

/// VADER agreement (`base_rate::negative_in_chat`): in a chat read at the
/// default share or more (and a message alone), a message plain VADER calls
/// negative (compound <= -0.05) whose margin reaches the lowest grid threshold
/// is judged this many grid shares higher. Why: under a change of domain (short
/// spoken lines, MELD) the word weights learned on Reddit see few of the
/// negatives and the chat's share is underestimated, while VADER's lexicon
/// still sees some of them; two signals agreeing is more evidence than the
/// margin alone. Chosen (session 5, QUALITY_LOG.md) on MELD **train**
/// (validation and threshold choice only) and GoEmotions train out-of-fold,
/// as the smallest value at which GoEmotions train (out-of-fold) read message
/// by message is at least 0.01 F1 above plain VADER; larger values cost
/// low-share chats more.
const VADER_STEPS: u8 = 4;

/// The Empath categories used as features, fixed before training and before
/// any evaluation, by what the categories mean:
/// - the four negative emotions the flag stands for and their everyday forms:
///   negative_emotion, sadness, disappointment, suffering, pain, neglect
///   (loneliness, rejection, abandonment: sadness in a relationship), fear,
///   nervousness, anger, rage, irritability, exasperation, hate, disgust, shame;
/// - conflict between people, what rekindle reads chats for: aggression,
///   dispute, ridicule, swearing_terms;
/// - positive feeling, the counter-evidence: positive_emotion, joy,
///   cheerfulness, optimism, contentment, affection, politeness.
///
/// Left out: topic lists that name violence or contest rather than a speaker's
/// feeling (torment — mostly torture —, fight, violence, kill, death, horror,
/// war), sympathy (a response to someone's sadness, close to repair), envy
/// (none of the four emotions), emotional and weakness (mixed or physical).
const CATEGORIES: [&str; 26] = [
    "negative_emotion",
    "sadness",
    "disappointment",
    "suffering",
    "pain",
    "neglect",
    "fear",
    "nervousness",
    "anger",
    "rage",
    "irritability",
    "exasperation",
    "hate",
    "disgust",
    "shame",
    "aggression",
    "dispute",
    "ridicule",
    "swearing_terms",
    "positive_emotion",
    "joy",
    "cheerfulness",
    "optimism",
    "contentment",
    "affection",
    "politeness",
];

/// Training settings (defaults = the shipped model; chosen by out-of-fold F1 on train).
#[derive(Clone, Copy)]
struct Params {
    epochs: usize,
    lr: f64,
    l2: f64,
    /// Word weights smaller than this are dropped (keeps the file small; they
    /// move few decisions).
    prune: f64,
    /// Features must occur in at least this many training texts.
    min_df: u32,
    max_features: usize,
}

static P: std::sync::OnceLock<Params> = std::sync::OnceLock::new();
fn params() -> Params {
    *P.get_or_init(|| Params {
        epochs: env_or("EPOCHS", 3.0) as usize,
        lr: env_or("LR", 0.05),
        l2: env_or("L2", 2e-6),
        prune: env_or("PRUNE", 0.08),
        min_df: env_or("MIN_DF", 8.0) as u32,
        max_features: env_or("MAX_FEATURES", 2000.0) as usize,
    })
}

struct Example {
    feats: Vec<u32>,
    dense: [f64; DENSE],
    raw: Dense,
    gold: bool,
    /// Counts in the threshold choice (GoEmotions train) or only in training.
    main: bool,
    /// Out-of-fold group: every copy of a line shares its fold, so a repeated
    /// line is never trained on in the fold that holds it out. None = always
    /// trained on, never held out.
    group: Option<usize>,
}

#[derive(Clone)]
struct Lr {
    bias: f64,
    dense: [f64; DENSE],
    words: Vec<f64>,
}

impl Lr {
    fn margin(&self, e: &Example) -> f64 {
        let mut z = self.bias;
        for (w, x) in self.dense.iter().zip(e.dense.iter()) {
            z += w * x;
        }
        for &f in &e.feats {
            z += self.words[f as usize];
        }
        z
    }

    /// Drop small word weights and round everything as the file does, so
    /// out-of-fold margins are those of a shipped model.
    /// Category weights (after the `vocab` word weights) are all kept.
    fn pruned(mut self, vocab: usize) -> Lr {
        let mut order: Vec<usize> = (0..vocab)
            .filter(|&i| self.words[i].abs() >= params().prune)
            .collect();
        order.sort_by(|&a, &b| self.words[b].abs().total_cmp(&self.words[a].abs()));
        let keep: std::collections::HashSet<usize> =
            order.into_iter().take(params().max_features).collect();
        for (i, w) in self.words.iter_mut().enumerate() {
            *w = if i >= vocab || keep.contains(&i) {
                round4(*w)
            } else {
                0.0
            };
        }
        self.bias = round4(self.bias);
        for w in &mut self.dense {
            *w = round4(*w);
        }
        self
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// xorshift64*: deterministic shuffles without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn train(data: &[&Example], vocab: usize, seed: u64) -> Lr {
    let mut m = Lr {
        bias: 0.0,
        dense: [0.0; DENSE],
        words: vec![0.0; vocab],
    };
    let mut g_bias = 1e-8;
    let mut g_dense = [1e-8; DENSE];
    let mut g_words = vec![1e-8; vocab];
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng(seed | 1);
    for _ in 0..params().epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &i in &order {
            let e = data[i];
            let p = 1.0 / (1.0 + (-m.margin(e)).exp());
            let err = p - if e.gold { 1.0 } else { 0.0 };
            g_bias += err * err;
            m.bias -= params().lr * err / g_bias.sqrt();
            for ((w, gs), x) in m.dense.iter_mut().zip(g_dense.iter_mut()).zip(e.dense) {
                let g = err * x + params().l2 * *w;
                *gs += g * g;
                *w -= params().lr * g / gs.sqrt();
            }
            for &f in &e.feats {
                let f = f as usize;
                let g = err + params().l2 * m.words[f];
                g_words[f] += g * g;
                m.words[f] -= params().lr * g / g_words[f].sqrt();
            }
        }
    }
    m
}

/// The features of normalized text, as strings (the model file's keys).
fn feature_names(norm: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut scope = 0;
    for w in norm.split(' ').filter(|w| !w.is_empty()) {
        // As `Model::margin`: up to NEGATION_SCOPE words after a negator are "!word".
        if learned::is_negator(w.as_bytes()) {
            scope = learned::NEGATION_SCOPE;
            out.push(w.to_string());
        } else if scope > 0 {
            scope -= 1;
            out.push(format!("{}{w}", learned::NEGATED));
        } else {
            out.push(w.to_string());
        }
    }
    out
}

/// Expected share of negative messages in everyday chat, fixed before any
/// evaluation (see the crate README, "Quality"): the threshold maximises F1 on
/// GoEmotions train re-weighted so that negatives have this prior.
const PRIOR: f64 = 0.05;

/// True/false positives and false negatives, each counted with a weight.
#[derive(Default, Clone, Copy)]
struct Wprf {
    tp: f64,
    fp: f64,
    fn_: f64,
}

impl Wprf {
    fn add(&mut self, pred: bool, gold: bool, w: (f64, f64)) {
        match (pred, gold) {
            (true, true) => self.tp += w.0,
            (true, false) => self.fp += w.1,
            (false, true) => self.fn_ += w.0,
            _ => {}
        }
    }
    fn p(&self) -> f64 {
        self.tp / (self.tp + self.fp).max(1e-12)
    }
    fn r(&self) -> f64 {
        self.tp / (self.tp + self.fn_).max(1e-12)
    }
    fn f1(&self) -> f64 {
        2.0 * self.tp / (2.0 * self.tp + self.fp + self.fn_).max(1e-12)
    }
}

/// Example weights (positive, negative) that turn a set with `share`
/// negatives into one with `prior` negatives (Saerens et al. 2002).
fn prior_weights(share: f64, prior: f64) -> (f64, f64) {
    (prior / share, (1.0 - prior) / (1.0 - share))
}

/// The margin threshold with the best (weighted) F1 of the combined decision
/// (`learned::combine`) on out-of-fold (margin, inputs, gold) triples, for a
/// given `rules_strong`. Candidates: 2,000 quantiles of the margins.
fn best_threshold(scored: &[(f64, Dense, bool)], rules_strong: f32, w: (f64, f64)) -> (f32, Wprf) {
    best_threshold_with(scored, rules_strong, w, learned::combine)
}

fn best_threshold_with(
    scored: &[(f64, Dense, bool)],
    rules_strong: f32,
    w: (f64, f64),
    combine: fn(f32, f32, f32, &Dense) -> bool,
) -> (f32, Wprf) {
    let mut margins: Vec<f64> = scored.iter().map(|s| s.0).collect();
    margins.sort_by(f64::total_cmp);
    let candidates: Vec<f32> = (1..2000)
        .map(|q| round4(margins[q * margins.len() / 2000]) as f32)
        .collect();
    candidates
        .par_iter()
        .map(|&t| {
            let mut prf = Wprf::default();
            for (z, d, gold) in scored {
                prf.add(combine(*z as f32, t, rules_strong, d), *gold, w);
            }
            (t, prf)
        })
        .reduce(
            || (f32::INFINITY, Wprf::default()),
            |a, b| if b.1.f1() > a.1.f1() { b } else { a },
        )
}

/// Platt scaling: a, b of sigmoid(a * margin + b) by Newton on the log loss.
fn platt(scored: &[(f64, Dense, bool)]) -> (f64, f64) {
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..50 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (z, _, gold) in scored {
            let p = 1.0 / (1.0 + (-(a * z + b)).exp());
            let y = if *gold { 1.0 } else { 0.0 };
            let w = (p * (1.0 - p)).max(1e-12);
            ga += (p - y) * z;
            gb += p - y;
            haa += w * z * z;
            hab += w * z;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        a -= (hbb * ga - hab * gb) / det;
        b -= (haa * gb - hab * ga) / det;
    }
    (a, b)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().filter(|a| !a.starts_with("--")) else {
        eprintln!(
            "usage: train DIR [--out FILE] [--vader DIR | --no-vader] [--empath | --empath-file FILE]   (DIR = shared/data/eval)"
        );
        std::process::exit(2);
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let out = flag("--out").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/models/negative.tsv"
            ))
        },
        PathBuf::from,
    );
    let dir = Path::new(dir);
    let vader = flag("--vader").map_or_else(|| dir.join("../vader"), PathBuf::from);
    let vader = (!args.iter().any(|a| a == "--no-vader")).then_some(vader.as_path());
    let empath = flag("--empath-file").map_or_else(
        || dir.join("../lexicons/empath/categories.tsv"),
        PathBuf::from,
    );
    let empath = args
        .iter()
        .any(|a| a == "--empath" || a == "--empath-file")
        .then_some(empath.as_path());
    let extra = flag("--extra").map(PathBuf::from);
    if let Err(e) = run(dir, vader, empath, extra.as_deref(), &out) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The shipped subset of Empath: the header with the licence, then the
/// `CATEGORIES` lines of `source` with the words a normalized text can hold.
fn empath_file(source: &str) -> Result<String, String> {
    let lists = learned::empath_categories(source);
    let mut f = String::from(
        "# Word lists of Empath (Fast, Chen & Bernstein, CHI 2016), categories used by the learned\n\
         # layer of the `negative` flag (data/models/negative.tsv, `cat` lines). Copied from PyPI\n\
         # empath 0.89, empath/data/categories.tsv (a subset of the categories; words with characters\n\
         # a normalized word cannot hold dropped) by examples/train.rs.\n\
         #\n\
         # MIT License. Copyright (c) 2016 Ethan Fast\n\
         #\n\
         # Permission is hereby granted, free of charge, to any person obtaining a copy of this software\n\
         # and associated documentation files (the \"Software\"), to deal in the Software without\n\
         # restriction, including without limitation the rights to use, copy, modify, merge, publish,\n\
         # distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the\n\
         # Software is furnished to do so, subject to the following conditions:\n\
         #\n\
         # The above copyright notice and this permission notice shall be included in all copies or\n\
         # substantial portions of the Software.\n\
         #\n\
         # THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING\n\
         # BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND\n\
         # NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,\n\
         # DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n\
         # OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n",
    );
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for c in CATEGORIES {
        let (_, words) = lists
            .iter()
            .find(|(n, _)| *n == c)
            .ok_or_else(|| format!("Empath has no category {c:?}"))?;
        groups.push((c.to_string(), words.clone()));
    }
    for (name, words) in groups {
        f.push_str(&name);
        for w in words {
            f.push('\t');
            f.push_str(w);
        }
        f.push('\n');
    }
    Ok(f)
}

fn run(
    dir: &Path,
    vader: Option<&Path>,
    empath: Option<&Path>,
    extra: Option<&Path>,
    out: &Path,
) -> Result<(), String> {
    let lex = Lexicons::built_in();
    let empath_text = match empath {
        Some(p) => empath_file(&common::read(p)?)?,
        None => String::new(),
    };
    let categories = learned::empath_categories(&empath_text);
    // word -> the categories it belongs to
    let mut word_cats: HashMap<&str, Vec<u32>> = HashMap::new();
    for (c, (_, words)) in categories.iter().enumerate() {
        for w in words {
            let cats = word_cats.entry(*w).or_default();
            if !cats.contains(&(c as u32)) {
                cats.push(c as u32);
            }
        }
    }
    eprintln!(
        "Empath: {} categories, {} distinct words",
        categories.len(),
        word_cats.len()
    );
    let mut items: Vec<(Item, bool)> = common::goemotions(dir, "train")?
        .into_iter()
        .map(|i| (i, true))
        .collect();
    // GoEmotions train line i is its own group i (the folds of every earlier run).
    let mut groups: Vec<Option<usize>> = (0..items.len()).map(Some).collect();
    let main_n = items.len();
    if let Some(v) = vader {
        for i in common::vader_truth(v, "tweets_GroundTruth.txt", -1.0)? {
            items.push((i, false));
            groups.push(None);
        }
        if std::env::var_os("VADER_ALL").is_some() {
            for f in [
                "movieReviewSnippets_GroundTruth.txt",
                "amazonReviewSnippets_GroundTruth.txt",
                "nytEditorialSnippets_GroundTruth.txt",
            ] {
                for i in common::vader_truth(v, f, -1.0)? {
                    items.push((i, false));
                    groups.push(None);
                }
            }
        }
    }
    let vader_n = items.len() - main_n;
    if let Some(p) = extra {
        // Project-owned labelled lines (`label TAB text`), e.g. the spoken
        // dialogue lines of data/train/: training data, never threshold choice.
        // Several files may be given, separated by commas. With
        // EXTRA_CALIBRATE=1 they also enter the out-of-fold calibration (one
        // copy held out per fold, all copies in the same fold).
        let repeat = env_or("EXTRA_REPEAT", 1.0) as usize;
        let calibrate = std::env::var_os("EXTRA_CALIBRATE").is_some();
        let mut lines = Vec::new();
        for one in p.to_string_lossy().split(',') {
            lines.extend(common::labelled_lines(Path::new(one))?);
        }
        for copy in 0..repeat.max(1) {
            for (n, line) in lines.iter().enumerate() {
                items.push((line.clone(), calibrate && copy == 0));
                groups.push(calibrate.then_some(10_000_000 + n));
            }
        }
    }
    eprintln!(
        "training texts: {main_n} GoEmotions train + {vader_n} VADER + {} extra",
        items.len() - main_n - vader_n
    );

    // Normalize, compute the rules' inputs and the word features once.
    let prepared: Vec<(Vec<String>, [f64; DENSE], Dense)> = items
        .par_iter()
        .map(|(it, _)| {
            let d = learned::dense_features(&it.text, &lex);
            let mut dense = [0.0; DENSE];
            for (o, x) in dense.iter_mut().zip(d.0) {
                *o = f64::from(x);
            }
            (feature_names(&text::normalize(&it.text)), dense, d)
        })
        .collect();
    let mut df: HashMap<&str, u32> = HashMap::new();
    for (names, _, _) in &prepared {
        let mut seen: Vec<&str> = names.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for n in seen {
            *df.entry(n).or_default() += 1;
        }
    }
    let (vocab, index) = common::vocabulary(&df, params().min_df);
    // Features: the vocabulary's words, then one count per category (a
    // category's index is vocab.len() + its number), counted for words outside
    // a negator's scope, as the library folds them into the plain weights.
    let n_feats = vocab.len() + categories.len();
    let examples: Vec<Example> = prepared
        .iter()
        .zip(&items)
        .zip(&groups)
        .map(|(((names, dense, raw), (it, main)), group)| Example {
            feats: names
                .iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .chain(names.iter().flat_map(|n| {
                    word_cats
                        .get(n.as_str())
                        .into_iter()
                        .flatten()
                        .map(|c| vocab.len() as u32 + c)
                }))
                .collect(),
            dense: *dense,
            raw: *raw,
            gold: it.gold,
            main: *main,
            group: *group,
        })
        .collect();
    eprintln!(
        "vocabulary: {} features (df >= {})",
        vocab.len(),
        params().min_df
    );

    // Out-of-fold margins on GoEmotions train pick the threshold.
    let fold_of = |i: usize| (Rng(i as u64 * 2 + 1).next() % FOLDS as u64) as usize;
    let oof: Vec<Vec<(f64, Dense, bool)>> = (0..FOLDS)
        .into_par_iter()
        .map(|k| {
            let tr: Vec<&Example> = examples
                .iter()
                .filter(|e| e.group.is_none_or(|g| fold_of(g) != k))
                .collect();
            let m = train(&tr, n_feats, 42 + k as u64).pruned(vocab.len());
            examples
                .iter()
                .filter(|e| e.main && e.group.is_some_and(|g| fold_of(g) == k))
                .map(|e| (m.margin(e), e.raw, e.gold))
                .collect()
        })
        .collect();
    let oof: Vec<(f64, Dense, bool)> = oof.into_iter().flatten().collect();
    if let Ok(path) = std::env::var("DUMP_OOF") {
        // Out-of-fold margins with the rules' inputs, for exploring share and
        // threshold rules offline (gold, margin, dense inputs).
        let mut f = String::new();
        for (z, d, gold) in &oof {
            let _ = write!(f, "{}\t{z:.4}", u8::from(*gold));
            for x in d.0 {
                let _ = write!(f, "\t{x:.4}");
            }
            f.push('\n');
        }
        std::fs::write(&path, f).map_err(|e| format!("{path}: {e}"))?;
    }
    let share = oof.iter().filter(|s| s.2).count() as f64 / oof.len() as f64;
    let prior = env_or("PRIOR", PRIOR);
    let weights = prior_weights(share, prior);
    eprintln!(
        "GoEmotions train: {:.1} % negative; threshold for a prior of {:.1} %",
        100.0 * share,
        100.0 * prior
    );
    // For comparison only: other levels of the rules' override, and the old
    // override by any rules score (not only a horseman marker). The shipped
    // level is fixed (RULES_STRONG): GoEmotions cannot judge chat signals.
    let report = |name: &str, s: f32, combine: fn(f32, f32, f32, &Dense) -> bool| {
        let (t, prf) = best_threshold_with(&oof, s, weights, combine);
        let mut plain = Wprf::default();
        for (z, d, gold) in &oof {
            plain.add(combine(*z as f32, t, s, d), *gold, (1.0, 1.0));
        }
        eprintln!(
            "out-of-fold, {name} >= {s}: threshold {t:.4}, re-weighted P {:.3} R {:.3} F1 {:.3}; as is P {:.3} R {:.3} F1 {:.3}",
            prf.p(),
            prf.r(),
            prf.f1(),
            plain.p(),
            plain.r(),
            plain.f1()
        );
    };
    report("any rules score", RULES_STRONG, learned::combine_any_score);
    for s in [0.3, 0.5, 0.7, 1.0, 99.0] {
        report("horseman and rules score", s, learned::combine);
    }
    let rules_strong = RULES_STRONG;
    let (argmax_threshold, argmax_prf) = best_threshold(&oof, rules_strong, weights);
    eprintln!(
        "arg-max at the default share: rules_strong {rules_strong}, threshold {argmax_threshold:.4}, re-weighted out-of-fold P {:.3} R {:.3} F1 {:.3}",
        argmax_prf.p(),
        argmax_prf.r(),
        argmax_prf.f1()
    );
    // The threshold for each share of negative messages a chat may have
    // (rekindle_analysis::base_rate): the same rule at every share of the grid,
    // then made non-increasing outwards from the default share (higher share,
    // lower threshold), so that the shipped default is unchanged.
    let argmax: Vec<(f32, Wprf)> = base_rate::GRID
        .par_iter()
        .map(|&g| best_threshold(&oof, rules_strong, prior_weights(share, g)))
        .collect();
    let (pa, pb) = platt(&oof);
    eprintln!("platt a {pa:.4} b {pb:.4}");
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let lipton: Vec<f32> = base_rate::GRID
        .iter()
        .zip(&argmax)
        .map(|(&g, (_, prf))| ((logit(prf.f1() / 2.0) - logit(g) + logit(share) - pb) / pa) as f32)
        .collect();
    let mut at_grid = Vec::new();
    for ((g, (t, prf)), l) in base_rate::GRID.iter().zip(&argmax).zip(&lipton) {
        let mut at_l = Wprf::default();
        for (z, d, gold) in &oof {
            at_l.add(
                learned::combine(*z as f32, *l, rules_strong, d),
                *gold,
                prior_weights(share, *g),
            );
        }
        eprintln!(
            "share {g}: arg-max threshold {t:.4} F1 {:.4}; F*/2 threshold {l:.4} F1 {:.4}",
            prf.f1(),
            at_l.f1()
        );
        at_grid.push(at_l);
    }
    let prf = at_grid[base_rate::DEFAULT_INDEX];
    // Shipped: the F*/2 thresholds (smooth in the share); the arg-max ones are printed above for comparison.
    let mut grid: Vec<f32> = lipton.clone();
    for k in base_rate::DEFAULT_INDEX + 1..grid.len() {
        grid[k] = grid[k].min(grid[k - 1]);
    }
    for k in (0..base_rate::DEFAULT_INDEX).rev() {
        grid[k] = grid[k].max(grid[k + 1]);
    }
    // The default threshold (a chat with nothing to go on, one message alone) is the grid's at the default share.
    let threshold = grid[base_rate::DEFAULT_INDEX];
    eprintln!("out-of-fold share {share:.4}; thresholds by share: {grid:?}");
    let mut rules = Prf::default();
    for (it, _) in items.iter().take(main_n) {
        let w = rekindle_analysis::Weights {
            learned: false,
            ..rekindle_analysis::Weights::default()
        };
        rules.add(
            rekindle_analysis::negative_with(&it.text, &lex, &w),
            it.gold,
        );
    }
    eprintln!(
        "rules alone on GoEmotions train: P {:.3} R {:.3} F1 {:.3}",
        rules.p(),
        rules.r(),
        rules.f1()
    );

    let all: Vec<&Example> = examples.iter().collect();
    let m = train(&all, n_feats, 42).pruned(vocab.len());
    let mut kept: Vec<(&str, f64)> = vocab
        .iter()
        .zip(&m.words)
        .filter(|(_, w)| **w != 0.0)
        .map(|(n, w)| (*n, *w))
        .collect();
    kept.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));

    let mut f = String::new();
    let vader_note = if vader.is_some() {
        " and VADER's tweet ground truth\n# (Hutto & Gilbert 2014, MIT; valence <= -1 = negative)"
    } else {
        ""
    };
    let extra_note = if let Some(p) = extra {
        let names: Vec<String> = p
            .to_string_lossy()
            .split(',')
            .map(|f| {
                format!(
                    "data/train/{}",
                    Path::new(f)
                        .file_name()
                        .map_or(f.into(), |n| n.to_string_lossy())
                )
            })
            .collect();
        format!(
            "\n# and the project's own labelled lines ({}, counted {} times{})",
            names.join(", "),
            env_or("EXTRA_REPEAT", 1.0) as usize,
            if std::env::var_os("EXTRA_CALIBRATE").is_some() {
                "; also in the out-of-fold calibration"
            } else {
                ""
            }
        )
    } else {
        String::new()
    };
    let empath_note = if empath.is_some() {
        " \"cat NAME weight\" = weight per word of\n\
         # Empath category NAME (data/models/empath.tsv, Fast et al. 2016, MIT) outside a negator's\n\
         # scope; categories fixed before training (examples/train.rs, CATEGORIES)."
    } else {
        ""
    };
    let _ = write!(
        f,
        "# rekindle-analysis: learned layer of the `negative` flag (src/learned.rs). Derived from\n\
         # GoEmotions (Demszky et al. 2020, Apache-2.0){vader_note}{extra_note}.\n\
         # margin = bias + sum(dense weight * rules input) + weights of the words of the normalized text\n\
         # (\"!w\" = w within two words after a negator).\n\
         # negative = margin >= threshold or (a horseman marker and rules score >= rules_strong),\n\
         # except a repair the rules do not score >= 0.3 (learned::combine).\n\
         # vader_steps: in a chat read at the default share or more (and a message alone), a message plain\n\
         # VADER calls negative (compound <= -0.05) whose margin reaches the lowest threshold_at is judged\n\
         # that many grid shares higher (base_rate::negative_in_chat).\n\
         # Trained by `cargo run --release -p rekindle-analysis --example train -- shared/data/eval`:\n\
         # logistic regression on GoEmotions train ({main_n} Reddit comments, negative = Ekman\n\
         # anger/disgust/fear/sadness groups), Adagrad, L2 {:e}, {} epochs, seed 42; features in >= {}\n\
         # texts; |weight| < {} dropped; at most {} features.{empath_note} rules_strong is fixed. Thresholds: for calibrated\n\
         # probabilities the F1-best rule is p >= F*/2 (Lipton et al. 2014); p = sigmoid(platt_a * margin +\n\
         # platt_b) fitted on 5-fold out-of-fold margins on GoEmotions train ({:.1} % negative = training_share),\n\
         # moved to each share of threshold_at (Saerens et al. 2002), F* = the best F1 of the combined decision\n\
         # there, out-of-fold and re-weighted. `threshold` is the one at {:.1} %, the share assumed for a message\n\
         # alone (re-weighted OOF P {:.3} R {:.3} F1 {:.3}); a chat uses the share EM estimates from its margins.\n\
         # GoEmotions dev/test and DailyDialog were never used for training or the threshold.\n\
         bias\t{:.4}\nthreshold\t{threshold:.4}\nrules_strong\t{rules_strong}\nfeatures\t{}\n",
        params().l2,
        params().epochs,
        params().min_df,
        params().prune,
        params().max_features,
        100.0 * share,
        100.0 * prior,
        prf.p(),
        prf.r(),
        prf.f1(),
        m.bias,
        kept.len()
    );
    let _ = writeln!(
        f,
        "training_share\t{share:.4}\nplatt_a\t{pa:.4}\nplatt_b\t{pb:.4}\nvader_steps\t{}",
        env_or("VADER_STEPS", f64::from(VADER_STEPS)) as u8
    );
    for (g, t) in base_rate::GRID.iter().zip(&grid) {
        let _ = writeln!(f, "threshold_at\t{g}\t{t:.4}");
    }
    for (name, w) in DENSE_NAMES.iter().zip(m.dense) {
        let _ = writeln!(f, "dense\t{name}\t{w:.4}");
    }
    for ((name, _), w) in categories.iter().zip(&m.words[vocab.len()..]) {
        let _ = writeln!(f, "cat\t{name}\t{w:.4}");
    }
    for (name, w) in &kept {
        let _ = writeln!(f, "w\t{name}\t{w:.4}");
    }

    // The library must read back exactly what was trained.
    let parsed = Model::parse_with(&f, &empath_text)?;
    let mut worst = 0.0f64;
    for ((it, _), e) in items.iter().zip(&examples).take(5000) {
        let d = learned::dense_features(&it.text, &lex);
        let z = f64::from(parsed.margin(&text::normalize(&it.text), &d));
        // The library keeps word weights in 1/4096 and sums in f32: equal up to rounding.
        worst = worst.max((z - m.margin(e)).abs());
    }
    if worst > 5e-3 {
        return Err(format!(
            "parsed model differs from the trained one by {worst}"
        ));
    }
    std::fs::write(out, &f).map_err(|e| format!("{}: {e}", out.display()))?;
    if empath.is_some() {
        let p = out.with_file_name("empath.tsv");
        std::fs::write(&p, &empath_text).map_err(|e| format!("{}: {e}", p.display()))?;
        eprintln!("wrote {} ({} bytes)", p.display(), empath_text.len());
    }
    eprintln!(
        "wrote {} ({} bytes, {} word features; read-back max |diff| {worst:.2e})",
        out.display(),
        f.len(),
        kept.len()
    );
    Ok(())
}
