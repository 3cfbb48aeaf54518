//! The learned layer of the `negative` flag: a logistic regression over the
//! words of the normalized text (unigrams and bigrams; emoji are words) plus
//! the numbers the rules already computed (VADER, cue sums, horsemen, repair).
//!
//! The weights are `data/models/negative.tsv`, written by
//! `examples/train.rs` from GoEmotions **train** (Apache-2.0). At load time the
//! word and bigram weights go into one open-addressing table keyed by a 64-bit
//! hash, so scoring a message hashes its words straight from the normalized
//! buffer: no allocation and no string lookups per message.

use std::cell::Cell;
use std::sync::OnceLock;

/// Number of rule-side (dense) inputs.
pub const DENSE: usize = 13;

/// Names of the dense inputs, in the order of [`Dense`] and of the model file.
pub const DENSE_NAMES: [&str; DENSE] = [
    "neg_compound",
    "vader_neg",
    "vader_pos",
    "cue",
    "pos_cue",
    "criticism",
    "contempt",
    "defensiveness",
    "stonewalling",
    "repair",
    "rules_score",
    "exclamation",
    "question",
];

/// Marks the start of a message in bigrams ("<s> k"); never a normalized word
/// because normalization drops '<' and '>'.
pub const START: &str = "<s>";

/// Prefix of a word in the scope of a negator in the model file ("!upset" in
/// "not upset"); never part of a normalized word.
pub const NEGATED: &str = "!";

/// How many words after a negator are read as negated.
pub const NEGATION_SCOPE: u8 = 2;

/// Words that negate what follows ("not upset", "don't worry").
#[inline]
pub fn is_negator(w: &[u8]) -> bool {
    w.ends_with(b"n't")
        || matches!(
            w,
            b"not"
                | b"no"
                | b"never"
                | b"nothing"
                | b"nobody"
                | b"none"
                | b"nor"
                | b"without"
                | b"hardly"
                | b"cannot"
                | b"dont"
                | b"didnt"
                | b"doesnt"
                | b"isnt"
                | b"wasnt"
                | b"arent"
                | b"aint"
                | b"cant"
                | b"wont"
                | b"wouldnt"
                | b"shouldnt"
                | b"couldnt"
        )
}

/// Index of the rules' own score in [`Dense`].
const RULES_SCORE: usize = 10;
/// Index of the repair flag in [`Dense`].
const REPAIR: usize = 9;
/// The rules' own threshold (`Weights::default().threshold`).
const RULES_THRESHOLD: f32 = 0.3;

/// The rule-side inputs of one message.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Dense(pub [f32; DENSE]);

impl Dense {
    /// From what `classify::rules_on` computed. Sums are clamped so one long
    /// rant cannot dominate the linear score.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        scores: &rekindle_vader::Scores,
        cue: f64,
        pos: f64,
        horsemen: u8,
        repair: bool,
        rules_score: f64,
        text: &str,
    ) -> Dense {
        let bit = |b: u8| if horsemen & b != 0 { 1.0 } else { 0.0 };
        let bytes = text.as_bytes();
        Dense([
            -scores.compound as f32,
            scores.neg as f32,
            scores.pos as f32,
            cue.min(3.0) as f32,
            pos.min(3.0) as f32,
            bit(1),
            bit(2),
            bit(4),
            bit(8),
            if repair { 1.0 } else { 0.0 },
            rules_score.clamp(-3.0, 3.0) as f32,
            if bytes.contains(&b'!') { 1.0 } else { 0.0 },
            if bytes.contains(&b'?') { 1.0 } else { 0.0 },
        ])
    }
}

/// The parsed model.
#[derive(Debug)]
pub struct Model {
    bias: f32,
    threshold: f32,
    /// Rules score from which a message is negative whatever the margin.
    rules_strong: f32,
    dense: [f32; DENSE],
    /// `(tag << 16) | weight in 1/4096` (i16 bits); 0 = empty slot. Tags are
    /// odd, so never 0; 48 bits make a false match practically impossible.
    slots: Box<[u64]>,
    shift: u32,
    features: usize,
}

const MODEL_TEXT: &str = include_str!("../../../data/models/negative.tsv");

/// The shipped model, parsed once; `None` if the file is broken (the caller
/// then falls back to the rules alone).
pub(crate) fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Model::parse(MODEL_TEXT).ok()).as_ref()
}

/// The shipped model or why it did not parse (for tests and the trainer).
#[doc(hidden)]
pub fn shipped() -> Result<Model, String> {
    Model::parse(MODEL_TEXT)
}

// FxHash's multiplier: the top bits of the product depend on all input bits.
const K: u64 = 0x517c_c1b7_2722_0a95;

/// Weights are stored as multiples of 1/4096 (|w| < 8).
const SCALE: f32 = 4096.0;

/// Hash of one word (bytes of the normalized text), eight bytes at a time:
/// most words cost one multiply.
#[inline]
fn word_hash(w: &[u8]) -> u64 {
    let mut h = w.len() as u64;
    for c in w.chunks(8) {
        // Shift-or instead of a copy into a buffer: no memcpy call per word.
        let mut x = 0u64;
        for (i, &b) in c.iter().enumerate() {
            x |= u64::from(b) << (8 * i);
        }
        h = (h.rotate_left(26) ^ x).wrapping_mul(K);
    }
    h
}

/// The start marker's word hash.
const START_HASH: u64 = 0x9e37_79b9_7f4a_7c15;

// Table keys: the top bits index the table, the 48 bits below them are the tag
// (the top bits of a product depend on all bits of its input).
#[inline]
fn unigram_key(w: u64) -> u64 {
    (w ^ 0x243f_6a88_85a3_08d3).wrapping_mul(K)
}

#[inline]
fn negated_key(w: u64) -> u64 {
    (w ^ 0x6a09_e667_f3bc_c908).wrapping_mul(K)
}

#[inline]
fn bigram_key(prev: u64, w: u64) -> u64 {
    (prev.rotate_left(23) ^ w ^ 0x2545_f491_4f6c_dd1d).wrapping_mul(K)
}

#[inline]
fn tag_of(key: u64, shift: u32) -> u64 {
    ((key << (64 - shift)) >> 16 | 1) << 16
}

/// Table key of a feature as written in the model file: a word, or two words
/// separated by one space (the first may be [`START`]).
#[doc(hidden)]
pub fn feature_key(feature: &str) -> u64 {
    let h = |w: &str| {
        if w == START {
            START_HASH
        } else {
            word_hash(w.as_bytes())
        }
    };
    match feature.split_once(' ') {
        Some((a, b)) => bigram_key(h(a), h(b)),
        None => match feature.strip_prefix(NEGATED) {
            Some(w) => negated_key(h(w)),
            None => unigram_key(h(feature)),
        },
    }
}

impl Model {
    /// Parse the model file (format in its header).
    pub fn parse(text: &str) -> Result<Model, String> {
        let mut bias = None;
        let mut threshold = None;
        let mut rules_strong = None;
        let mut declared = None;
        let mut dense = [f32::NAN; DENSE];
        let mut words: Vec<(u64, f32)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || format!("line {}: {line:?}", n + 1);
            let mut cols = line.split('\t');
            let kind = cols.next().unwrap_or("");
            let (name, value) = match (cols.next(), cols.next(), cols.next()) {
                (Some(v), None, None) => ("", v),
                (Some(k), Some(v), None) => (k, v),
                _ => return Err(bad()),
            };
            let value: f32 = value.parse().map_err(|_| bad())?;
            if !value.is_finite() {
                return Err(bad());
            }
            match kind {
                "bias" => bias = Some(value),
                "threshold" => threshold = Some(value),
                "rules_strong" => rules_strong = Some(value),
                "features" => declared = Some(value as usize),
                "dense" => {
                    let i = DENSE_NAMES
                        .iter()
                        .position(|d| *d == name)
                        .ok_or_else(bad)?;
                    dense[i] = value;
                }
                "w" if !name.is_empty() => words.push((feature_key(name), value)),
                _ => return Err(bad()),
            }
        }
        let (Some(bias), Some(threshold), Some(rules_strong)) = (bias, threshold, rules_strong)
        else {
            return Err("bias, threshold or rules_strong missing".into());
        };
        if let Some(i) = dense.iter().position(|d| d.is_nan()) {
            return Err(format!("dense weight {} missing", DENSE_NAMES[i]));
        }
        if declared != Some(words.len()) {
            return Err(format!(
                "{} word features, header says {declared:?}",
                words.len()
            ));
        }
        // Load factor at most 1/2: unseen words (most of them) hit an empty
        // slot within a probe or two.
        let bits = (words.len() * 2)
            .next_power_of_two()
            .max(16)
            .trailing_zeros();
        let mut slots = vec![0u64; 1usize << bits].into_boxed_slice();
        let mask = slots.len() - 1;
        let quantize =
            |w: f32| u64::from((w * SCALE).round().clamp(-32767.0, 32767.0) as i16 as u16);
        for (key, w) in words {
            let tag = tag_of(key, 64 - bits);
            let mut i = (key >> (64 - bits)) as usize;
            loop {
                let s = slots[i];
                if s == 0 {
                    slots[i] = tag | quantize(w);
                    break;
                }
                if s & !0xffff == tag {
                    // The same feature twice: add (only a hand-edited file does this).
                    let old = f32::from(s as u16 as i16) / SCALE;
                    slots[i] = tag | quantize(old + w);
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        Ok(Model {
            bias,
            threshold,
            rules_strong,
            dense,
            slots,
            shift: 64 - bits,
            features: declared.unwrap_or(0),
        })
    }

    /// Word features in the file.
    pub fn features(&self) -> usize {
        self.features
    }

    /// The decision threshold on [`Model::margin`].
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The rules score from which a message is negative whatever the margin.
    pub fn rules_strong(&self) -> f32 {
        self.rules_strong
    }

    /// The weight of a key in 1/4096.
    #[inline]
    fn get(&self, key: u64) -> i32 {
        let tag = tag_of(key, self.shift);
        let mask = self.slots.len() - 1;
        let mut i = (key >> self.shift) as usize;
        loop {
            let s = self.slots[i];
            if s & !0xffff == tag {
                return i32::from(s as u16 as i16);
            }
            if s == 0 {
                return 0;
            }
            i = (i + 1) & mask;
        }
    }

    /// The log-odds of "negative" for normalized text `norm` (words separated
    /// by single spaces) and its rule-side inputs.
    pub fn margin(&self, norm: &str, d: &Dense) -> f32 {
        let mut z = self.bias;
        for (w, x) in self.dense.iter().zip(d.0.iter()) {
            z += w * x;
        }
        let mut prev = START_HASH;
        let mut scope = 0u8;
        let mut words = 0i32;
        for word in norm.as_bytes().split(|&b| b == b' ') {
            if word.is_empty() {
                continue;
            }
            let h = word_hash(word);
            let uni = if is_negator(word) {
                scope = NEGATION_SCOPE;
                unigram_key(h)
            } else if scope > 0 {
                scope -= 1;
                negated_key(h)
            } else {
                unigram_key(h)
            };
            words += self.get(uni) + self.get(bigram_key(prev, h));
            prev = h;
        }
        z + words as f32 / SCALE
    }

    /// The combined decision from the learned margin and the rules' numbers:
    /// an apology or repair the rules do not find heated is never negative
    /// (GoEmotions files apologies under remorse, but in a conversation they
    /// de-escalate), and a message the rules score at least `rules_strong`
    /// (insults, "you always", curt "k.", angry emoji — chat signals Reddit
    /// comments rarely show) is negative even if the words alone are not.
    #[inline]
    pub fn decide(&self, margin: f32, d: &Dense) -> bool {
        combine(margin, self.threshold, self.rules_strong, d)
    }

    /// The final `negative` flag for normalized text and its rule-side inputs.
    #[inline]
    pub fn negative(&self, norm: &str, d: &Dense) -> bool {
        self.decide(self.margin(norm, d), d)
    }
}

/// [`Model::decide`] with explicit thresholds (the trainer picks them with this).
#[doc(hidden)]
#[inline]
pub fn combine(margin: f32, threshold: f32, rules_strong: f32, d: &Dense) -> bool {
    let rules = d.0[RULES_SCORE];
    if d.0[REPAIR] > 0.0 && rules < RULES_THRESHOLD {
        return false;
    }
    margin >= threshold || rules >= rules_strong
}

thread_local! {
    static CAPTURED: Cell<Dense> = const { Cell::new(Dense([0.0; DENSE])) };
}

/// Called from `rules_on` when `Weights::capture` is set (training only).
pub(crate) fn capture(d: Dense) {
    CAPTURED.with(|c| c.set(d));
}

/// The rule-side inputs of `text`, as the classifier computes them (for the
/// trainer, so training and use see the very same numbers).
#[doc(hidden)]
pub fn dense_features(text: &str, lexicons: &crate::Lexicons) -> Dense {
    let w = crate::Weights {
        capture: true,
        ..crate::Weights::default()
    };
    CAPTURED.with(|c| c.set(Dense::default()));
    crate::negative_with(text, lexicons, &w);
    CAPTURED.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lexicons;

    fn margin(m: &Model, text: &str) -> f32 {
        let lex = Lexicons::built_in();
        m.margin(&crate::text::normalize(text), &dense_features(text, &lex))
    }

    #[test]
    fn shipped_model_parses() {
        let m = shipped();
        assert!(m.is_ok(), "{m:?}");
        let Ok(m) = m else { return };
        let declared = MODEL_TEXT
            .lines()
            .find_map(|l| l.strip_prefix("features\t"))
            .and_then(|v| v.parse::<usize>().ok());
        assert_eq!(Some(m.features()), declared);
        assert!(m.features() > 1000, "{}", m.features());
        assert!(model().is_some());
    }

    #[test]
    fn hostile_and_friendly() {
        let Ok(m) = shipped() else {
            panic!("model does not parse")
        };
        for t in [
            "you are such an idiot, I hate this",
            "ugh this is disgusting, so sick of it",
            "I'm terrified and so sad",
        ] {
            assert!(
                m.negative(
                    &crate::text::normalize(t),
                    &dense_features(t, &Lexicons::built_in())
                ),
                "{t}"
            );
        }
        for t in [
            "thanks so much, love you!",
            "see you at 8",
            "haha that was great",
        ] {
            assert!(margin(&m, t) < m.threshold(), "{t}");
        }
    }

    #[test]
    fn hashing_is_stable() {
        // The shipped file stores words, so these only need to stay equal
        // between parse and use; pinned anyway to notice accidental changes.
        assert_eq!(word_hash(b""), 0);
        assert_eq!(feature_key("idiot"), unigram_key(word_hash(b"idiot")));
        assert_eq!(
            feature_key("<s> k"),
            bigram_key(START_HASH, word_hash(b"k"))
        );
        assert_ne!(feature_key("not good"), feature_key("good not"));
        assert_eq!(feature_key("idiot"), 1_639_360_356_668_981_990);
    }

    #[test]
    fn parse_rejects_broken_files() {
        assert!(Model::parse("").is_err());
        assert!(Model::parse("bias\t0\nthreshold\tx\n").is_err());
        let mut ok = String::from("bias\t0.1\nthreshold\t0\nrules_strong\t0.5\nfeatures\t3\n");
        for d in DENSE_NAMES {
            ok.push_str(&format!("dense\t{d}\t0.5\n"));
        }
        ok.push_str("w\tidiot\t2\nw\t<s> k\t1.5\nw\t!upset\t-1\n");
        let m = Model::parse(&ok);
        assert!(m.is_ok(), "{m:?}");
        let Ok(m) = m else { return };
        let d = Dense([0.0; DENSE]);
        assert!((m.margin("you idiot", &d) - 2.1).abs() < 1e-6);
        assert!((m.margin("k", &d) - 1.6).abs() < 1e-6);
        assert!((m.margin("ok k", &d) - 0.1).abs() < 1e-6);
        assert!((m.margin("not upset", &d) + 0.9).abs() < 1e-6);
        assert!((m.margin("upset", &d) - 0.1).abs() < 1e-6);
        // The scope ends after two words.
        assert!((m.margin("not so very upset", &d) - 0.1).abs() < 1e-6);
        assert!(Model::parse(&ok.replace("features\t3", "features\t2")).is_err());
    }
}
