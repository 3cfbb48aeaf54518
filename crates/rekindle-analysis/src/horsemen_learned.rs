//! The learned half of the four horsemen (README "The four horsemen", "The
//! learned horsemen layer").
//!
//! The phrase rules find the attacks they were written for and miss the ones
//! worded differently ("theres always an excuse with u", "course u didnt. u
//! dont notice anything that isnt about u"): on held-out sentences they found
//! a third of the contempt. This layer reads the words, negated words and
//! neighbouring word pairs of the whole message with one logistic regression
//! per horseman, trained on the project's own labelled lines
//! (`examples/train_horsemen.rs`, data/models/horsemen.tsv), and adds the
//! horsemen it is confident of to the ones the rules found. It only ever adds,
//! and never to an apology or repair.
//!
//! It runs for every message of a chat, so the features are not built as
//! strings: each word is hashed once (the `negative` layer's word hash), a
//! negated word and a pair get keys derived from those hashes, and the model
//! file's feature names are hashed the same way when it is loaded.

use std::sync::OnceLock;

use crate::classify::Horseman;
use crate::learned::{NEGATED, NEGATION_SCOPE, NEGATORS, fold, for_each_word_hash, word_hash};

const KINDS: usize = Horseman::ALL.len();

pub(crate) const MODEL_TEXT: &str = include_str!("../../../data/models/horsemen.tsv");

/// Per-kind weights of one feature, in the order of [`Horseman::ALL`].
type Row = [f32; KINDS];

/// Weights are stored as multiples of 1/1024 (|w| < 32).
const SCALE: f32 = 1024.0;
/// Low bits of a stored key: bit 0 marks a used slot, bit 1 a negator, bit 2
/// a word that starts a pair feature (only then is the pair looked up).
const USED: u64 = 1;
const NEGATOR: u64 = 2;
const STARTS_PAIR: u64 = 4;
const FLAGS: u64 = 7;

/// One open-addressing slot: the key with its flags, and the weights.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    w: [i16; KINDS],
}

/// The features by key: linear probing in a power-of-two table at most half
/// full, so a lookup is a shift, a compare or two and no allocation.
#[derive(Default)]
struct Table {
    slots: Vec<Slot>,
    shift: u32,
}

impl Table {
    fn with_room_for(n: usize) -> Table {
        let size = (n.max(8) * 2).next_power_of_two();
        Table {
            slots: vec![Slot::default(); size],
            shift: 64 - size.trailing_zeros(),
        }
    }

    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    #[inline(always)]
    fn get(&self, key: u64) -> Option<&Slot> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let s = &self.slots[i];
            if s.key == 0 {
                return None;
            }
            if (s.key ^ key) & !FLAGS == 0 {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot for `key`, made if new.
    fn entry(&mut self, key: u64) -> &mut Slot {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        while self.slots[i].key != 0 && (self.slots[i].key ^ key) & !FLAGS != 0 {
            i = (i + 1) & mask;
        }
        let s = &mut self.slots[i];
        s.key |= (key & !FLAGS) | USED;
        s
    }
}

/// Key of a word in a negator's scope ("!w" in the model file).
fn negated_key(word: u64) -> u64 {
    fold(word ^ 0x6e65_6761_7465_6421)
}

/// Key of two neighbouring words ("a b" in the model file).
fn pair_key(a: u64, b: u64) -> u64 {
    fold(a.rotate_left(29) ^ b ^ 0x7061_6972_7061_6972)
}

#[doc(hidden)]
pub struct HorsemenModel {
    bias: Row,
    threshold: Row,
    table: Table,
    features: usize,
}

/// A feature of the model file.
enum Feature {
    Word(u64),
    Negated(u64),
    Pair(u64, u64),
}

fn feature(name: &str) -> Result<Feature, String> {
    if let Some((a, b)) = name.split_once(' ') {
        if a.is_empty() || b.is_empty() || b.contains(' ') {
            return Err(format!("feature {name:?}: a pair is two words"));
        }
        return Ok(Feature::Pair(
            word_hash(a.as_bytes()),
            word_hash(b.as_bytes()),
        ));
    }
    match name.strip_prefix(NEGATED).filter(|w| !w.is_empty()) {
        Some(w) => Ok(Feature::Negated(word_hash(w.as_bytes()))),
        None if name.is_empty() => Err("an empty feature name".to_string()),
        None => Ok(Feature::Word(word_hash(name.as_bytes()))),
    }
}

fn scaled(r: &Row) -> [i16; KINDS] {
    r.map(|x| {
        (x * SCALE)
            .round()
            .clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
    })
}

fn row(fields: &[&[u8]], line: usize) -> Result<Row, String> {
    if fields.len() != KINDS {
        return Err(format!(
            "horsemen model line {line}: {} numbers, expected {KINDS}",
            fields.len()
        ));
    }
    let mut r = [0.0; KINDS];
    for (o, f) in r.iter_mut().zip(fields) {
        *o = number(f).ok_or_else(|| {
            format!(
                "horsemen model line {line}: bad number {:?}",
                String::from_utf8_lossy(f)
            )
        })?;
    }
    Ok(r)
}

/// A number as the trainer writes it ("-0.1234"), read without the general
/// float parser: the model has tens of thousands of them and is read at the
/// start of every analysis. Anything else goes to `str::parse`.
fn number(f: &[u8]) -> Option<f32> {
    let (negative, digits) = match f.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, f),
    };
    let mut whole = 0u64;
    let mut scale = 0u32;
    let mut seen_point = false;
    let simple = digits.iter().any(u8::is_ascii_digit)
        && digits.len() <= 12
        && digits.iter().all(|&b| match b {
            b'0'..=b'9' => {
                whole = whole * 10 + u64::from(b - b'0');
                scale += u32::from(seen_point);
                true
            }
            b'.' if !seen_point => {
                seen_point = true;
                true
            }
            _ => false,
        });
    if !simple {
        return std::str::from_utf8(f).ok()?.parse().ok();
    }
    const POW10: [f64; 13] = [
        1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
    ];
    let x = (whole as f64 / POW10.get(scale as usize).copied()?) as f32;
    Some(if negative { -x } else { x })
}

impl HorsemenModel {
    /// Reads the model file: `@bias`, `@threshold` and feature lines, each a
    /// key and one number per horseman, tab-separated; `#` lines are comments.
    pub fn parse(text: &str) -> Result<HorsemenModel, String> {
        let mut bias = None;
        let mut threshold = None;
        let mut features = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // The key is everything before the first tab (a str cut at an
            // ASCII byte: valid UTF-8); the numbers follow. No allocation per
            // line: the model has thousands of them and is read at the start
            // of every analysis.
            let (key, numbers) = line.split_once('\t').unwrap_or((line, ""));
            let mut rest: [&[u8]; KINDS] = [&[]; KINDS];
            let mut count = 0;
            for f in numbers.as_bytes().split(|&b| b == b'\t') {
                if let Some(slot) = rest.get_mut(count) {
                    *slot = f;
                }
                count += 1;
            }
            if count != KINDS {
                return Err(format!(
                    "horsemen model line {}: {count} numbers, expected {KINDS}",
                    n + 1
                ));
            }
            let r = row(&rest, n + 1)?;
            match key {
                "@bias" => bias = Some(r),
                "@threshold" => threshold = Some(r),
                k => features.push((
                    feature(k).map_err(|e| format!("horsemen model line {}: {e}", n + 1))?,
                    scaled(&r),
                    n + 1,
                )),
            }
        }
        // Room for the features, the negators and the words that start pairs.
        let mut table = Table::with_room_for(features.len() * 2 + NEGATORS.len());
        for (f, w, line) in &features {
            let (key, flags) = match *f {
                Feature::Word(h) => (h, 0),
                Feature::Negated(h) => (negated_key(h), 0),
                Feature::Pair(a, b) => {
                    table.entry(a).key |= STARTS_PAIR;
                    (pair_key(a, b), 0)
                }
            };
            let slot = table.entry(key);
            if slot.w != [0; KINDS] {
                return Err(format!(
                    "horsemen model line {line}: the feature repeats or collides with an earlier one"
                ));
            }
            slot.key |= flags;
            slot.w = *w;
        }
        for n in NEGATORS {
            table.entry(word_hash(n.as_bytes())).key |= NEGATOR;
        }
        Ok(HorsemenModel {
            bias: bias.ok_or("horsemen model: no @bias line")?,
            threshold: threshold.ok_or("horsemen model: no @threshold line")?,
            table,
            features: features.len(),
        })
    }

    /// Each horseman's margin (log-odds) for normalized text
    /// (`text::normalize`), with the features of
    /// [`crate::pressure_learned::features`]: each word, or "!word" up to
    /// [`NEGATION_SCOPE`] words after a negator, and each pair of neighbours.
    pub fn margins(&self, norm: &str) -> Row {
        let mut acc = Margins::new(self);
        for_each_word_hash(norm.as_bytes(), |h| acc.word(h));
        acc.finish()
    }

    /// [`HorsemenModel::margins`] from the words' hashes (`learned::word_hash`),
    /// in order, as the `negative` layer's pass hands them over.
    pub(crate) fn margins_of_hashes(&self, hashes: &[u64]) -> Row {
        let mut acc = Margins::new(self);
        for &h in hashes {
            acc.word(h);
        }
        acc.finish()
    }

    /// Each horseman's threshold on its margin.
    pub fn thresholds(&self) -> Row {
        self.threshold
    }

    /// How many features the model file has.
    pub fn features(&self) -> usize {
        self.features
    }

    /// Bits of [`Horseman::bit`] for the horsemen whose margin reaches its threshold.
    /// Criticism and contempt only when [`aimed_at_another`].
    pub fn kinds(&self, norm: &str) -> u8 {
        self.kinds_of(self.margins(norm), norm)
    }

    /// [`HorsemenModel::kinds`] for margins already computed.
    pub(crate) fn kinds_of(&self, m: Row, norm: &str) -> u8 {
        let bits = Horseman::ALL
            .iter()
            .zip(m.iter().zip(&self.threshold))
            .filter(|(_, (m, t))| m >= t)
            .fold(0, |bits, (h, _)| bits | h.bit());
        if bits & ATTACKS != 0 && !aimed_at_another(norm) {
            bits & !ATTACKS
        } else {
            bits
        }
    }
}

/// The horsemen the layer may add to a message of `words` words (normalized)
/// that the rules read as `heated` (negative, or with a horseman of their own).
///
/// Under three words the words alone cannot tell "ok" from "ok." or "sure"
/// from a curt "sure": the rules, which read the punctuation, decide those.
/// Defensiveness needs heat, as the rules' weak forms do: "i didn't see the
/// game, was it good?" defends nothing.
pub fn allowed(words: usize, heated: bool) -> u8 {
    if words < 3 {
        0
    } else if heated {
        Horseman::ALL.iter().fold(0, |b, h| b | h.bit())
    } else {
        Horseman::Criticism.bit() | Horseman::Contempt.bit() | Horseman::Stonewalling.bit()
    }
}

/// The running sums of [`HorsemenModel::margins`], one word at a time.
struct Margins<'a> {
    model: &'a HorsemenModel,
    sum: [i32; KINDS],
    scope: u8,
    /// The previous word's hash, when some pair starts with it.
    prev: Option<u64>,
}

impl<'a> Margins<'a> {
    fn new(model: &'a HorsemenModel) -> Self {
        Margins {
            model,
            sum: [0; KINDS],
            scope: 0,
            prev: None,
        }
    }

    fn add(&mut self, w: &[i16; KINDS]) {
        for (o, x) in self.sum.iter_mut().zip(w) {
            *o += i32::from(*x);
        }
    }

    #[inline(always)]
    fn word(&mut self, h: u64) {
        let table = &self.model.table;
        let slot = table.get(h);
        let flags = slot.map_or(0, |s| s.key & FLAGS);
        if flags & NEGATOR != 0 {
            self.scope = NEGATION_SCOPE;
            if let Some(s) = slot {
                self.add(&s.w);
            }
        } else if self.scope > 0 {
            self.scope -= 1;
            if let Some(s) = table.get(negated_key(h)) {
                self.add(&s.w);
            }
        } else if let Some(s) = slot {
            self.add(&s.w);
        }
        if let Some(s) = self.prev.and_then(|p| table.get(pair_key(p, h))) {
            self.add(&s.w);
        }
        self.prev = (flags & STARTS_PAIR != 0).then_some(h);
    }

    fn finish(self) -> Row {
        let mut m = self.model.bias;
        for (o, s) in m.iter_mut().zip(self.sum) {
            *o += s as f32 / SCALE;
        }
        m
    }
}

/// Criticism and contempt: about a person.
const ATTACKS: u8 = 1 | 2;

/// Whether an attack in these words can be aimed at someone other than the
/// writer: it names the reader ("you", "ur", ...), or it is not about the
/// writer at all ("what a joke", "lauren would never have done this").
/// "ugh i'm such an idiot, i forgot" calls only the writer a name; the phrase
/// rules read who a name is aimed at, the words alone cannot.
pub fn aimed_at_another(norm: &str) -> bool {
    let mut writer = false;
    for w in norm.split(' ') {
        if crate::pressure_learned::is_reader(w) {
            return true;
        }
        writer |= is_writer(w);
    }
    !writer
}

fn is_writer(w: &str) -> bool {
    matches!(
        w,
        "i" | "i'm" | "i've" | "i'll" | "i'd" | "me" | "my" | "myself"
    )
}

/// The shipped model, parsed once; `None` if the file does not parse (a unit
/// test makes sure it does), and then only the rules decide.
pub(crate) fn model() -> Option<&'static HorsemenModel> {
    static MODEL: OnceLock<Option<HorsemenModel>> = OnceLock::new();
    parsed_once(&MODEL, MODEL_TEXT)
}

/// A model file parsed into `cell` the first time it is asked for; `None`
/// if it does not parse.
pub(crate) fn parsed_once(
    cell: &'static OnceLock<Option<HorsemenModel>>,
    text: &str,
) -> Option<&'static HorsemenModel> {
    cell.get_or_init(|| HorsemenModel::parse(text).ok())
        .as_ref()
}

/// The shipped model (for the trainer's and the evaluation's reports).
#[doc(hidden)]
pub fn shipped() -> Result<HorsemenModel, String> {
    HorsemenModel::parse(MODEL_TEXT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pressure_learned::features;
    use std::collections::HashMap;

    /// The margins as the trainer computes them: the feature strings of
    /// `pressure_learned::features` looked up by name.
    fn margins_by_name(model_text: &str, norm: &str) -> Row {
        let mut by_name: HashMap<&str, Row> = HashMap::new();
        let mut bias = [0.0; KINDS];
        for (n, line) in model_text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut f = line.split('\t');
            let key = f.next().unwrap_or_default();
            let nums: Vec<&[u8]> = f.map(str::as_bytes).collect();
            let r = row(&nums, n + 1).expect("row");
            match key {
                "@bias" => bias = r,
                "@threshold" => {}
                k => {
                    by_name.insert(k, r);
                }
            }
        }
        let mut feats = Vec::new();
        features(norm, &mut feats);
        let mut m = bias;
        for f in &feats {
            if let Some(w) = by_name.get(f.as_str()) {
                for (o, x) in m.iter_mut().zip(w) {
                    *o += x;
                }
            }
        }
        m
    }

    #[test]
    fn the_shipped_model_parses() {
        let m = shipped().expect("data/models/horsemen.tsv parses");
        assert!(m.features() > 1000);
    }

    #[test]
    fn hashed_features_score_as_the_named_ones() {
        let m = shipped().expect("parses");
        for text in [
            "you never listen to me",
            "i don't think you're stupid at all",
            "wow thanks for finally noticing i exist 🙄",
            "not doing this again. whatever",
            "i'm sorry, i was selfish and it hurt you",
            "",
            "ok",
        ] {
            let norm = crate::text::normalize(text);
            let fast = m.margins(&norm);
            let slow = margins_by_name(MODEL_TEXT, &norm);
            for (a, b) in fast.iter().zip(&slow) {
                // Weights are stored in steps of 1/1024.
                assert!((a - b).abs() < 0.02, "{text:?}: {fast:?} vs {slow:?}");
            }
        }
    }

    #[test]
    fn a_small_model_reads_pairs_and_negation() {
        let m = HorsemenModel::parse(
            "@bias\t-1\t-1\t-1\t-1\n@threshold\t0\t0\t0\t0\n\
             you always\t2\t0\t0\t0\n!stupid\t0\t-3\t0\t0\nstupid\t0\t2\t0\t0\n",
        )
        .expect("parses");
        assert_eq!(m.kinds("you always forget"), Horseman::Criticism.bit());
        assert_eq!(m.kinds("i always forget"), 0);
        assert_eq!(m.kinds("you're stupid"), Horseman::Contempt.bit());
        assert_eq!(m.kinds("you're not stupid"), 0);
    }

    #[test]
    fn numbers_read_as_the_float_parser_reads_them() {
        for t in [
            "-0.1234", "0.5", "12.0001", "-3", "7", "1e-3", "-0.0000", "+2.5",
        ] {
            let want: f32 = t.parse().expect("a number");
            let got = number(t.as_bytes()).expect("read");
            assert!(
                (got - want).abs() <= want.abs() * 1e-6,
                "{t}: {got} vs {want}"
            );
        }
        for t in ["", "-", ".", "-.", "1.2.3", "abc", "1,5"] {
            assert_eq!(number(t.as_bytes()), None, "{t}");
        }
    }

    #[test]
    fn a_bad_model_file_is_refused_with_its_line() {
        let e = HorsemenModel::parse("@bias\t0\t0\t0\n")
            .err()
            .expect("refused");
        assert!(e.contains("line 1"), "{e}");
        assert!(HorsemenModel::parse("@threshold\t0\t0\t0\t0\n").is_err());
        let twice = "@bias\t0\t0\t0\t0\n@threshold\t0\t0\t0\t0\nok\t1\t0\t0\t0\nok\t1\t0\t0\t0\n";
        let e = HorsemenModel::parse(twice).err().expect("refused");
        assert!(e.contains("line 4"), "{e}");
    }
}
