//! The learned layer of the `negative` flag: a logistic regression over the
//! words of the normalized text (emoji are words; a word within two words
//! after a negator has a weight of its own) plus the numbers the rules already
//! computed (VADER, cue sums, horsemen, repair).
//!
//! The weights are `data/models/negative.tsv`, written by
//! `examples/train.rs` from GoEmotions **train** (Apache-2.0). At load time
//! they go into one open-addressing table keyed by a 64-bit word hash; a slot
//! holds the word's plain and negated weight and a negator flag. Scoring a
//! message is one pass over its bytes, eight at a time, and one branch-free
//! lookup per word: no allocation and no string comparison per message.
//!
//! Besides single words a model may weigh word lists: each `cat NAME WEIGHT`
//! line of the model file counts the words of the normalized text (outside a
//! negator's scope) that belong to the Empath category NAME
//! (`data/models/empath.tsv`, Fast et al. 2016, MIT). The score is linear, so
//! a category's weight is added to each of its words' plain weight when the
//! table is built: the category features cost nothing per message.

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

/// Prefix of a word in the scope of a negator in the model file ("!upset" in
/// "not upset"); never part of a normalized word.
pub const NEGATED: &str = "!";

/// How many words after a negator are read as negated.
pub const NEGATION_SCOPE: u8 = 2;

/// Words that negate what follows ("not upset", "don't worry"): [`NEGATORS`].
pub fn is_negator(w: &[u8]) -> bool {
    NEGATORS.iter().any(|n| n.as_bytes() == w)
}

/// Index of VADER's compound score, negated, in [`Dense`].
const NEG_COMPOUND: usize = 0;
/// Plain VADER calls a message negative at compound <= -0.05: its negated
/// compound at or above this ([`crate::base_rate::VADER_NEGATIVE`], negated).
const VADER_NEGATIVE: f32 = -crate::base_rate::VADER_NEGATIVE as f32;
const _: () = assert!(VADER_NEGATIVE == 0.05);
/// Index of the rules' own score in [`Dense`].
const RULES_SCORE: usize = 10;
/// Indices of the four horsemen in [`Dense`].
const HORSEMEN: std::ops::Range<usize> = 5..9;
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
        let (bang, question) = bang_and_question(text.as_bytes());
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
            if bang { 1.0 } else { 0.0 },
            if question { 1.0 } else { 0.0 },
        ])
    }
}

/// Whether `bytes` holds a `!` and whether a `?`: one pass eight bytes at a
/// time for both (two `contains` calls cost more than the rest of [`Dense::new`]).
fn bang_and_question(bytes: &[u8]) -> (bool, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Non-zero exactly when some byte of `w` is `b` (a borrow can only mark
    // bytes above a real match, never make one up).
    let has = |w: u64, b: u8| {
        let x = w ^ (u64::from(b) * ONES);
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let Some(&last) = bytes.last_chunk::<8>() else {
        return (bytes.contains(&b'!'), bytes.contains(&b'?'));
    };
    // The last eight bytes cover what the whole chunks leave (reading some twice
    // changes no yes/no answer).
    let w = u64::from_le_bytes(last);
    let (mut bang, mut question) = (has(w, b'!'), has(w, b'?'));
    for c in bytes.chunks_exact(8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(c);
        let w = u64::from_le_bytes(eight);
        bang |= has(w, b'!');
        question |= has(w, b'?');
    }
    (bang != 0, question != 0)
}

/// The parsed model.
#[derive(Debug)]
pub struct Model {
    bias: f32,
    threshold: f32,
    /// Rules score from which a message is negative whatever the margin.
    rules_strong: f32,
    dense: [f32; DENSE],
    /// `tag << TAG_SHIFT | negator << 32 | negated weight << 16 | weight`
    /// (weights in 1/4096, i16 bits); 0 = empty slot. Tags are never 0; with
    /// the index bits, 44 bits make a false match practically impossible.
    slots: Box<[u64]>,
    /// Bits of the table index (`slots.len() == (1 << bits) + WINDOW - 1`).
    bits: u32,
    features: usize,
    /// How a margin becomes a probability at the training data's share of negatives.
    calibration: Option<crate::base_rate::Calibration>,
    /// The threshold for each share of [`crate::base_rate::GRID`] (non-increasing), or empty.
    grid: Vec<f32>,
    /// VADER agreement: in a chat read at the default share or higher, a
    /// message plain VADER calls negative (compound <= -0.05) whose margin
    /// reaches at least the lowest grid threshold is judged at a share this
    /// many grid steps higher (0 = off); see [`crate::base_rate::negative_in_chat`].
    vader_steps: u8,
}

pub(crate) const MODEL_TEXT: &str = include_str!("../../../data/models/negative.tsv");

/// The Empath word lists the model's `cat` lines refer to (MIT; see the file's header).
pub const EMPATH_TEXT: &str = include_str!("../../../data/models/empath.tsv");

/// The categories of an Empath file (`name<TAB>word<TAB>word...`, `#` comments):
/// (name, words). Only words that can be one word of the normalized text
/// (lower-case letters and digits, apostrophes inside) are kept, each once.
pub fn empath_categories(text: &str) -> Vec<(&str, Vec<&str>)> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let name = cols.next()?;
            let mut seen = std::collections::HashSet::new();
            let words = cols
                .filter(|w| is_single_word(w) && seen.insert(*w))
                .collect();
            Some((name, words))
        })
        .collect()
}

fn is_single_word(w: &str) -> bool {
    !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'\'')
        && !w.starts_with('\'')
        && !w.ends_with('\'')
}

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

// FxHash's multiplier (odd, bits well spread).
const K: u64 = 0x517c_c1b7_2722_0a95;

/// Weights are stored as multiples of 1/4096 (|w| < 8).
const SCALE: f32 = 4096.0;

/// Folded 64×64→128-bit multiply: every output bit depends on every input
/// bit, for one `mul` instruction.
#[inline(always)]
pub(crate) fn fold(x: u64) -> u64 {
    let p = u128::from(x) * u128::from(K);
    (p as u64) ^ ((p >> 64) as u64)
}

/// One round of the word hash: `chunk` is up to eight bytes of the word,
/// little-endian, zero-padded. A word of `n` bytes takes `n / 8 + 1` rounds
/// (the last chunk is partial, possibly empty), so [`Model::margin`] can hash
/// it while it looks for the space that ends it.
#[inline(always)]
fn round(h: u64, chunk: u64) -> u64 {
    fold(h ^ chunk)
}

/// Hash of one word (bytes of the normalized text); equal to what
/// [`Model::margin`] computes on the fly.
pub(crate) fn word_hash(w: &[u8]) -> u64 {
    let mut h = 0;
    let mut chunks = w.chunks_exact(8);
    for c in chunks.by_ref() {
        let mut x = [0u8; 8];
        x.copy_from_slice(c);
        h = round(h, u64::from_le_bytes(x));
    }
    let mut x = [0u8; 8];
    let rest = chunks.remainder();
    x[..rest.len()].copy_from_slice(rest);
    round(h, u64::from_le_bytes(x))
}

// A word's slot holds its plain and its negated weight and whether it is a
// negator, so the lookup does not wait for the previous word and finding
// negators costs nothing more. The key is the word hash: its top bits index the
// table, the bits below them are the tag.

/// Where the tag starts in a slot; bit 32 is the negator flag, bits 16-31 the
/// negated weight, bits 0-15 the plain weight.
const TAG_SHIFT: u32 = 33;
const NEGATOR_BIT: u64 = 1 << 32;
/// A key lies in one of the WINDOW slots from its home slot.
const WINDOW: usize = 4;

#[inline(always)]
fn tag_of(key: u64, bits: u32) -> u64 {
    (key << bits) >> TAG_SHIFT | 1
}

/// Words that negate what follows (as normalized: lower case, ASCII apostrophe).
/// A list rather than "ends in n't": the flag then comes with the table lookup
/// (checking the ending cost 26 ns per message).
pub const NEGATORS: [&str; 43] = [
    "not",
    "no",
    "never",
    "nothing",
    "nobody",
    "none",
    "nor",
    "without",
    "hardly",
    "cannot",
    "dont",
    "didnt",
    "doesnt",
    "isnt",
    "wasnt",
    "arent",
    "aint",
    "cant",
    "wont",
    "wouldnt",
    "shouldnt",
    "couldnt",
    "don't",
    "didn't",
    "doesn't",
    "isn't",
    "wasn't",
    "aren't",
    "ain't",
    "can't",
    "won't",
    "wouldn't",
    "shouldn't",
    "couldn't",
    "haven't",
    "hasn't",
    "hadn't",
    "weren't",
    "mustn't",
    "needn't",
    "mightn't",
    "shan't",
    "daren't",
];

/// A feature of the model file: a word or "!w" (w negated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Feature {
    /// Table key = word hash; the plain weight.
    Plain(u64),
    /// Table key = word hash; the negated weight.
    Negated(u64),
}

/// What a feature name of the model file means.
#[doc(hidden)]
pub fn feature(name: &str) -> Result<Feature, String> {
    if name.contains(' ') || name.is_empty() {
        return Err(format!("feature {name:?}: only words and \"!w\" are read"));
    }
    Ok(match name.strip_prefix(NEGATED) {
        Some(w) => Feature::Negated(word_hash(w.as_bytes())),
        None => Feature::Plain(word_hash(name.as_bytes())),
    })
}

const SPACES: u64 = 0x2020_2020_2020_2020;
const LOWS: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Eight bytes of `b` from `i` (at most `b.len()`), little-endian, padded
/// with spaces past the end.
#[inline(always)]
fn load(b: &[u8], i: usize) -> u64 {
    if let Some(c) = b.get(i..i + 8) {
        let mut x = [0u8; 8];
        x.copy_from_slice(c);
        return u64::from_le_bytes(x);
    }
    let n = b.len().saturating_sub(i); // 0..=7
    if n == 0 {
        return SPACES;
    }
    let mut x = [b' '; 8];
    if b.len() >= 8 {
        // The last eight bytes, shifted down: no byte-by-byte copy.
        x.copy_from_slice(&b[b.len() - 8..]);
        return u64::from_le_bytes(x) >> (8 * (8 - n)) | SPACES << (8 * n);
    }
    x[..n].copy_from_slice(&b[i..]);
    u64::from_le_bytes(x)
}

/// Calls `f` with the [`word_hash`] of each word of normalized text (words
/// joined by single spaces), in order. One pass over the bytes, eight at a
/// time: the hash is built from the same loads that find the space ending the
/// word, with no search for the space first.
#[inline(always)]
pub(crate) fn for_each_word_hash(b: &[u8], mut f: impl FnMut(u64)) {
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let mut h = 0u64;
        loop {
            let x = load(b, i);
            let t = x ^ SPACES;
            // Lowest zero byte of t = first space (exact for the lowest one).
            let m = t.wrapping_sub(LOWS) & !t & HIGHS;
            if m != 0 {
                let k = m.trailing_zeros() / 8;
                h = round(h, x & ((1u64 << (8 * k)) - 1));
                i += k as usize;
                break;
            }
            h = round(h, x);
            i += 8;
        }
        let end = i;
        i += 1;
        if end != start {
            f(h);
        }
    }
}

impl Model {
    /// Parse the model file (format in its header) with the shipped Empath lists.
    pub fn parse(text: &str) -> Result<Model, String> {
        Model::parse_with(text, EMPATH_TEXT)
    }

    /// Parse the model file with the Empath lists `empath` (for the trainer,
    /// which writes both).
    pub fn parse_with(text: &str, empath: &str) -> Result<Model, String> {
        let lists = empath_categories(empath);
        let mut bias = None;
        let mut threshold = None;
        let mut rules_strong = None;
        let mut declared = None;
        let mut training_share = None;
        let (mut platt_a, mut platt_b) = (None, None);
        let mut grid: Vec<f32> = Vec::new();
        let mut vader_steps = 0u8;
        let mut dense = [f32::NAN; DENSE];
        // key -> (plain weight, negated weight, negator)
        let mut entries: std::collections::HashMap<u64, (f32, f32, bool)> =
            std::collections::HashMap::new();
        for n in NEGATORS {
            entries.insert(word_hash(n.as_bytes()), (0.0, 0.0, true));
        }
        let mut count = 0;
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
                "training_share" if name.is_empty() && value > 0.0 && value < 1.0 => {
                    training_share = Some(value);
                }
                "platt_a" if name.is_empty() && value > 0.0 => platt_a = Some(value),
                "platt_b" if name.is_empty() => platt_b = Some(value),
                "vader_steps"
                    if name.is_empty()
                        && value >= 0.0
                        && value.fract() == 0.0
                        && value <= crate::base_rate::GRID.len() as f32 =>
                {
                    vader_steps = value as u8;
                }
                "threshold_at" => {
                    // One line per grid share, in order.
                    let share: f64 = name.parse().map_err(|_| bad())?;
                    let expected = crate::base_rate::GRID.get(grid.len()).ok_or_else(bad)?;
                    if (share - expected).abs() > 1e-9 || grid.last().is_some_and(|&t| value > t) {
                        return Err(format!(
                            "{}: threshold_at lines must follow the grid with thresholds that never rise",
                            bad()
                        ));
                    }
                    grid.push(value);
                }
                "dense" => {
                    let i = DENSE_NAMES
                        .iter()
                        .position(|d| *d == name)
                        .ok_or_else(bad)?;
                    dense[i] = value;
                }
                "cat" => {
                    // A category's weight goes to the plain weight of each of its words.
                    let (_, words) = lists
                        .iter()
                        .find(|(n, _)| *n == name)
                        .ok_or_else(|| format!("{}: no Empath category {name:?}", bad()))?;
                    for w in words {
                        entries.entry(word_hash(w.as_bytes())).or_default().0 += value;
                    }
                }
                "w" if !name.is_empty() => {
                    count += 1;
                    // The same feature twice adds up (only a hand-edited file does this).
                    match feature(name).map_err(|e| format!("{}: {e}", bad()))? {
                        Feature::Plain(k) => entries.entry(k).or_default().0 += value,
                        Feature::Negated(k) => entries.entry(k).or_default().1 += value,
                    }
                }
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
        if declared != Some(count) {
            return Err(format!("{count} word features, header says {declared:?}"));
        }
        let calibration = match (training_share, platt_a, platt_b) {
            (Some(share), Some(a), Some(b)) => Some(crate::base_rate::Calibration {
                share: f64::from(share),
                a: f64::from(a),
                b: f64::from(b),
            }),
            _ => None,
        };
        if !grid.is_empty() && (grid.len() != crate::base_rate::GRID.len() || calibration.is_none())
        {
            return Err(
                "threshold_at needs every grid share, a training_share, platt_a and platt_b".into(),
            );
        }
        if vader_steps > 0 && grid.is_empty() {
            return Err("vader_steps needs threshold_at lines".into());
        }
        // Linear probing, but every key lies within WINDOW slots of its home
        // (the table grows until it does), so a lookup reads WINDOW slots and
        // selects without branching: the loads of successive words overlap
        // and found/not found costs no mispredicted branch. Load factor at
        // most 1/2.
        let mut bits = (entries.len() * 2)
            .next_power_of_two()
            .max(16)
            .trailing_zeros();
        let quantize =
            |w: f32| u64::from((w * SCALE).round().clamp(-32767.0, 32767.0) as i16 as u16);
        let mut entries: Vec<(u64, (f32, f32, bool))> = entries.into_iter().collect();
        entries.sort_unstable_by_key(|e| e.0);
        let slots = loop {
            let mut slots = vec![0u64; (1usize << bits) + WINDOW - 1].into_boxed_slice();
            let mut fits = true;
            for &(key, (plain, negated, negator)) in &entries {
                let home = (key >> (64 - bits)) as usize;
                let tag = tag_of(key, bits);
                let window = &mut slots[home..home + WINDOW];
                if window.iter().any(|s| *s >> TAG_SHIFT == tag) {
                    fits = false; // two keys alike in index and tag: practically never
                    break;
                }
                let Some(free) = window.iter_mut().find(|s| **s == 0) else {
                    fits = false;
                    break;
                };
                *free = tag << TAG_SHIFT
                    | if negator { NEGATOR_BIT } else { 0 }
                    | quantize(negated) << 16
                    | quantize(plain);
            }
            if fits {
                break slots;
            }
            if bits >= 24 {
                return Err("word features do not fit the table".into());
            }
            bits += 1;
        };
        Ok(Model {
            bias,
            threshold,
            rules_strong,
            dense,
            slots,
            bits,
            features: count,
            calibration,
            grid,
            vader_steps,
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

    /// How margins become probabilities, when the model has thresholds for
    /// other shares of negative messages (see [`crate::base_rate`]).
    pub fn calibration(&self) -> Option<crate::base_rate::Calibration> {
        self.calibration.filter(|_| !self.grid.is_empty())
    }

    /// [`Model::decide`] and [`Model::level`] together (one pass over the grid).
    #[inline]
    pub fn decide_and_level(&self, margin: f32, d: &Dense) -> (bool, u8) {
        let level = self.level(margin, d);
        if self.grid.is_empty() {
            (level > 0, level)
        } else {
            (
                crate::base_rate::negative_in_chat(
                    level,
                    vader_negative(d),
                    crate::base_rate::DEFAULT_INDEX,
                    self.vader_steps,
                ),
                level,
            )
        }
    }

    /// How many of the grid thresholds the message reaches, with the repair
    /// exception (0) and the rules' override (all of them) folded in, so that
    /// `base_rate::negative_at(level, i)` is the decision with the threshold
    /// of grid share `i` before VADER agreement
    /// ([`crate::base_rate::negative_in_chat`]). Without grid thresholds: all
    /// or nothing by [`Model::decide`].
    pub fn level(&self, margin: f32, d: &Dense) -> u8 {
        let full = crate::base_rate::GRID.len() as u8;
        if self.grid.is_empty() {
            return if self.decide(margin, d) { full } else { 0 };
        }
        match rules_override(self.rules_strong, d) {
            Some(true) => full,
            Some(false) => 0,
            None => self.grid.iter().filter(|&&t| margin >= t).count() as u8,
        }
    }

    /// The slot of a key (0 if absent), without a branch.
    #[inline(always)]
    fn get(&self, key: u64) -> u64 {
        let tag = tag_of(key, self.bits);
        let home = (key >> (64 - self.bits)) as usize;
        let Some(window) = self.slots.get(home..home + WINDOW) else {
            return 0;
        };
        let mut found = 0;
        for &s in window {
            found |= if s >> TAG_SHIFT == tag { s } else { 0 };
        }
        found
    }

    /// The log-odds of "negative" for normalized text `norm` (words separated
    /// by single spaces) and its rule-side inputs.
    ///
    /// One pass over the bytes, eight at a time: the word's hash is built from
    /// the same loads that find the space ending it, and one table lookup per
    /// word gives its weight and whether it is a negator.
    pub fn margin(&self, norm: &str, d: &Dense) -> f32 {
        self.margin_keeping(norm, d, |_| {})
    }

    /// [`Model::margin`], handing each word's hash to `keep` on the way (the
    /// horsemen layer reads the same words: `horsemen_learned`).
    #[inline(always)]
    pub(crate) fn margin_keeping(&self, norm: &str, d: &Dense, mut keep: impl FnMut(u64)) -> f32 {
        let mut z = self.bias;
        for (w, x) in self.dense.iter().zip(d.0.iter()) {
            z += w * x;
        }
        let mut sum = 0i32;
        let mut scope = 0u8;
        for_each_word_hash(norm.as_bytes(), |h| {
            keep(h);
            let slot = self.get(h);
            // A negator counts with its plain weight even right after another one.
            let negator = slot & NEGATOR_BIT != 0;
            let weight = if scope > 0 && !negator {
                (slot >> 16) as u16 as i16
            } else {
                slot as u16 as i16
            };
            sum += i32::from(weight);
            scope = if negator {
                NEGATION_SCOPE
            } else {
                scope.saturating_sub(1)
            };
        });
        z + sum as f32 / SCALE
    }
    /// The combined decision from the learned margin and the rules' numbers:
    /// an apology or repair the rules do not find heated is never negative
    /// (GoEmotions files apologies under remorse, but in a conversation they
    /// de-escalate), and a message the rules score at least `rules_strong`
    /// (insults, "you always", curt "k.", angry emoji — chat signals Reddit
    /// comments rarely show) is negative even if the words alone are not.
    /// With thresholds by share, this is the decision at the default share,
    /// VADER agreement included.
    #[inline]
    pub fn decide(&self, margin: f32, d: &Dense) -> bool {
        self.decide_and_level(margin, d).0
    }

    /// Grid steps of VADER agreement (see [`Model::level`]).
    pub fn vader_steps(&self) -> u8 {
        self.vader_steps
    }

    /// The final `negative` flag for normalized text and its rule-side inputs.
    #[inline]
    pub fn negative(&self, norm: &str, d: &Dense) -> bool {
        self.decide(self.margin(norm, d), d)
    }
}

/// Plain VADER calls the message negative (compound <= -0.05).
#[inline]
pub fn vader_negative(d: &Dense) -> bool {
    d.0[NEG_COMPOUND] >= VADER_NEGATIVE
}

/// [`Model::decide`] with explicit thresholds (the trainer picks them with this).
#[doc(hidden)]
#[inline]
pub fn combine(margin: f32, threshold: f32, rules_strong: f32, d: &Dense) -> bool {
    rules_override(rules_strong, d).unwrap_or(margin >= threshold)
}

/// What the rules decide whatever the margin: `Some(false)` for a repair the
/// rules do not find heated, `Some(true)` for a horseman marker with a rules
/// score of at least `rules_strong`. Only a horseman marker overrides the
/// margin: a high rules score from VADER and cue words alone is already an
/// input of the margin.
#[inline]
fn rules_override(rules_strong: f32, d: &Dense) -> Option<bool> {
    let rules = d.0[RULES_SCORE];
    if d.0[REPAIR] > 0.0 && rules < RULES_THRESHOLD {
        return Some(false);
    }
    let horseman = d.0[HORSEMEN].iter().any(|&x| x > 0.0);
    (horseman && rules >= rules_strong).then_some(true)
}

/// The combination before horseman markers were required (for comparison in the trainer).
#[doc(hidden)]
pub fn combine_any_score(margin: f32, threshold: f32, rules_strong: f32, d: &Dense) -> bool {
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
    #[test]
    fn bang_and_question_match_contains() {
        for t in [
            "",
            "!",
            "?",
            "a",
            "12345678!",
            "1234567?",
            "!?!?!?!?!?",
            "why tho",
            "ok!! 😂",
            " \u{0}\"> ",
        ] {
            let b = t.as_bytes();
            assert_eq!(
                super::bang_and_question(b),
                (b.contains(&b'!'), b.contains(&b'?')),
                "{t:?}"
            );
        }
    }

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
        assert_eq!(feature("idiot"), Ok(Feature::Plain(word_hash(b"idiot"))));
        assert!(feature("<s> k").is_err());
        assert_eq!(feature("!upset"), Ok(Feature::Negated(word_hash(b"upset"))));
        assert!(feature("not good").is_err());
        assert_ne!(word_hash(b"annoyed"), word_hash(b"annoying"));
        assert_eq!(word_hash(b"idiot"), 13_932_618_118_305_931_264);
    }

    #[test]
    fn streamed_hash_is_word_hash() {
        // margin hashes while it looks for spaces, eight bytes at a time, and
        // pads past the end: every length and position must agree with word_hash.
        let words = [
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "x🙂y",
            "it's",
        ];
        let mut text = String::new();
        for (n, w) in words.iter().cycle().take(40).enumerate() {
            let mut m = String::from("bias\t0\nthreshold\t0\nrules_strong\t9\nfeatures\t1\n");
            for d in DENSE_NAMES {
                m.push_str(&format!("dense\t{d}\t0\n"));
            }
            m.push_str(&format!("w\t{w}\t1\n"));
            let Ok(model) = Model::parse(&m) else {
                panic!("{m}")
            };
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(w);
            let count = text.split(' ').filter(|t| t == w).count() as f32;
            let z = model.margin(&text, &Dense::default());
            assert!((z - count).abs() < 1e-6, "{n} {w:?} in {text:?}: {z}");
        }
    }

    #[test]
    fn negation_scope() {
        let mut text = String::from("bias\t0\nthreshold\t0\nrules_strong\t9\nfeatures\t3\n");
        for d in DENSE_NAMES {
            text.push_str(&format!("dense\t{d}\t0\n"));
        }
        text.push_str("w\tnot\t0.25\nw\tupset\t1\nw\t!upset\t-1\n");
        let Ok(m) = Model::parse(&text) else {
            panic!("does not parse")
        };
        let d = Dense::default();
        let z = |t: &str| m.margin(t, &d);
        assert!((z("upset") - 1.0).abs() < 1e-6);
        assert!((z("not upset") - (0.25 - 1.0)).abs() < 1e-6);
        // A negator in scope is still a negator, with its plain weight.
        assert!((z("not not so upset") - (0.5 - 1.0)).abs() < 1e-6);
        assert!((z("mustn't upset") + 1.0).abs() < 1e-6);
        assert!((z("not mustn't so upset") - (0.25 - 1.0)).abs() < 1e-6);
        assert!((z("not so very upset") - 1.25).abs() < 1e-6);
        for w in NEGATORS {
            assert!(is_negator(w.as_bytes()), "{w}");
        }
        assert!(is_negator(b"won't") && !is_negator(b"upset"));
    }

    #[test]
    fn categories_fold_into_word_weights() {
        let empath = "# comment\nsad\tsad\tlonely\tsad\tin-law\nhappy\thappy\tglad\tlonely\n";
        let cats = empath_categories(empath);
        assert_eq!(cats[0], ("sad", vec!["sad", "lonely"]));
        let mut text = String::from("bias\t0\nthreshold\t0\nrules_strong\t9\nfeatures\t1\n");
        for d in DENSE_NAMES {
            text.push_str(&format!("dense\t{d}\t0\n"));
        }
        text.push_str("cat\tsad\t1\ncat\thappy\t-0.25\nw\tsad\t0.5\n");
        let Ok(m) = Model::parse_with(&text, empath) else {
            panic!("does not parse")
        };
        let d = Dense::default();
        let z = |t: &str| m.margin(t, &d);
        assert!((z("so sad") - 1.5).abs() < 1e-6);
        assert!((z("lonely and glad") - 0.5).abs() < 1e-6);
        // Categories count words outside a negator's scope only.
        assert!(z("not lonely").abs() < 1e-6);
        assert!(Model::parse_with(&text.replace("cat\tsad", "cat\tsadness"), empath).is_err());
    }

    #[test]
    fn parse_rejects_broken_files() {
        assert!(Model::parse("").is_err());
        assert!(Model::parse("bias\t0\nthreshold\tx\n").is_err());
        let mut ok = String::from("bias\t0.1\nthreshold\t0\nrules_strong\t0.5\nfeatures\t3\n");
        for d in DENSE_NAMES {
            ok.push_str(&format!("dense\t{d}\t0.5\n"));
        }
        ok.push_str("w\tidiot\t2\nw\tk\t1.5\nw\t!upset\t-1\n");
        assert!(Model::parse(&format!("{ok}w\tnot good\t1\n")).is_err());
        let m = Model::parse(&ok);
        assert!(m.is_ok(), "{m:?}");
        let Ok(m) = m else { return };
        let d = Dense([0.0; DENSE]);
        assert!((m.margin("you idiot", &d) - 2.1).abs() < 1e-6);
        assert!((m.margin("k", &d) - 1.6).abs() < 1e-6);
        assert!((m.margin("ok k", &d) - 1.6).abs() < 1e-6);
        assert!((m.margin("not upset", &d) + 0.9).abs() < 1e-6);
        assert!((m.margin("upset", &d) - 0.1).abs() < 1e-6);
        // The scope ends after two words.
        assert!((m.margin("not so very upset", &d) - 0.1).abs() < 1e-6);
        assert!(Model::parse(&ok.replace("features\t3", "features\t2")).is_err());
    }

    /// A minimal model with thresholds for every grid share, falling by 0.1 per share.
    fn with_grid(extra: &str) -> String {
        let mut text = String::from("bias\t0\nthreshold\t0\nrules_strong\t0.3\nfeatures\t1\n");
        for d in DENSE_NAMES {
            text.push_str(&format!("dense\t{d}\t0\n"));
        }
        text.push_str("w\tidiot\t1\n");
        text.push_str(extra);
        for (i, g) in crate::base_rate::GRID.iter().enumerate() {
            text.push_str(&format!("threshold_at\t{g}\t{}\n", 0.7 - 0.1 * i as f32));
        }
        text
    }

    #[test]
    fn thresholds_by_share_and_calibration() {
        use crate::base_rate::{GRID, negative_at};
        let calib = "training_share\t0.2\nplatt_a\t1.5\nplatt_b\t-0.1\n";
        let m = Model::parse(&with_grid(calib));
        assert!(m.is_ok(), "{m:?}");
        let Ok(m) = m else { return };
        let c = m.calibration();
        assert_eq!(
            c,
            Some(crate::base_rate::Calibration {
                share: f64::from(0.2f32),
                a: 1.5,
                b: f64::from(-0.1f32)
            })
        );
        let d = Dense::default();
        // Margin 0.25 reaches the thresholds 0.2, 0.1, ... -0.7: the last 10 shares.
        assert_eq!(m.level(0.25, &d), 10);
        assert!(negative_at(10, GRID.len() - 10));
        assert!(!negative_at(10, GRID.len() - 11));
        assert_eq!(m.level(5.0, &d), GRID.len() as u8);
        assert_eq!(m.level(-5.0, &d), 0);
        // A repair the rules do not call negative is never negative; a horseman
        // marker with a strong rules score always is.
        let mut repair = Dense::default();
        repair.0[REPAIR] = 1.0;
        assert_eq!(m.level(5.0, &repair), 0);
        let mut jab = Dense::default();
        jab.0[HORSEMEN.start] = 1.0;
        jab.0[RULES_SCORE] = 0.5;
        assert_eq!(m.level(-5.0, &jab), GRID.len() as u8);
        // Without the calibration, or with thresholds that rise, the file is refused.
        assert!(Model::parse(&with_grid("")).is_err());
        assert!(Model::parse(&with_grid("training_share\t0.2\nplatt_a\t1\n")).is_err());
        assert!(
            Model::parse(
                &with_grid(calib).replace("threshold_at\t0.4\t-0.7", "threshold_at\t0.4\t0.9")
            )
            .is_err()
        );
        assert!(Model::parse(&with_grid(calib).replace("threshold_at\t0.4\t-0.7\n", "")).is_err());
    }

    #[test]
    fn vader_agreement_at_the_default_share() {
        use crate::base_rate::{DEFAULT_INDEX, negative_at, negative_in_chat};
        let calib = "training_share\t0.2\nplatt_a\t1\nplatt_b\t0\n";
        let m = Model::parse(&with_grid(&format!("{calib}vader_steps\t3\n")));
        assert!(m.is_ok(), "{m:?}");
        let Ok(m) = m else { return };
        assert_eq!(m.vader_steps(), 3);
        let calm = Dense::default();
        let mut vader = Dense::default();
        vader.0[NEG_COMPOUND] = 0.05; // compound -0.05: plain VADER's line
        let mut mild = Dense::default();
        mild.0[NEG_COMPOUND] = 0.04;
        assert!(vader_negative(&vader) && !vader_negative(&mild) && !vader_negative(&calm));
        // The level is the margin's alone; agreement is applied where the chat is read.
        assert_eq!(m.level(0.25, &calm), 10);
        assert_eq!(m.level(0.25, &vader), 10);
        // The classifier's own decision (what its gates read) is the one at the
        // default share, agreement included; `classify` reports a line alone
        // at base_rate::negative_alone instead.
        for z in [-1.0f32, -0.3, 0.0, 0.05, 0.15, 0.25, 0.45, 0.8] {
            for d in [calm, mild, vader] {
                let (neg, level) = m.decide_and_level(z, &d);
                assert_eq!(level, m.level(z, &d));
                let want = negative_in_chat(level, vader_negative(&d), DEFAULT_INDEX, 3);
                assert_eq!(neg, want, "{z} {d:?}");
                assert_eq!(neg, m.decide(z, &d));
            }
        }
        // Margin 0.05 misses the default share's threshold (0.2) alone, not with VADER.
        assert!(!m.decide(0.05, &calm) && !m.decide(0.05, &mild) && m.decide(0.05, &vader));
        let level = m.level(0.05, &vader);
        assert!(!negative_at(level, DEFAULT_INDEX));
        // Bad values, or the rule without thresholds by share, are refused.
        for bad in [
            "vader_steps\t1.5\n",
            "vader_steps\t-1\n",
            "vader_steps\t99\n",
        ] {
            assert!(
                Model::parse(&with_grid(&format!("{calib}{bad}"))).is_err(),
                "{bad}"
            );
        }
        let mut flat = String::from("bias\t0\nthreshold\t0\nrules_strong\t0.3\nfeatures\t0\n");
        for d in DENSE_NAMES {
            flat.push_str(&format!("dense\t{d}\t0\n"));
        }
        assert!(Model::parse(&flat).is_ok());
        assert!(Model::parse(&format!("{flat}vader_steps\t2\n")).is_err());
        // Without the line, the rule is off.
        let Ok(off) = Model::parse(&with_grid(calib)) else {
            panic!("does not parse")
        };
        assert_eq!(off.vader_steps(), 0);
        assert!(!off.decide(0.05, &vader));
    }

    #[test]
    fn shipped_thresholds_fall_with_the_share() {
        let Ok(m) = shipped() else {
            panic!("shipped model")
        };
        assert!(m.calibration().is_some());
        assert_eq!(m.grid.len(), crate::base_rate::GRID.len());
        assert!(m.grid.windows(2).all(|w| w[0] >= w[1]), "{:?}", m.grid);
        // The classifier's own gates read a message at the default share.
        assert_eq!(m.threshold(), m.grid[crate::base_rate::DEFAULT_INDEX]);
        assert!(usize::from(m.vader_steps()) < crate::base_rate::GRID.len());
    }
}
