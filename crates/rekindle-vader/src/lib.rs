//! VADER sentiment scoring (Hutto & Gilbert, ICWSM-14), bit-for-bit equal to the reference
//! Python package `vaderSentiment==3.3.2` run under CPython 3.11.
//!
//! The lexicons are embedded (`data/`, MIT, see `data/LICENSE-VADER.txt`); there is no I/O.
//!
//! ```
//! use rekindle_vader::Analyzer;
//! let s = Analyzer::shared().polarity_scores("VADER is smart, handsome, and funny!");
//! assert_eq!((s.neg, s.neu, s.pos, s.compound), (0.0, 0.248, 0.752, 0.8439));
//! ```
//!
//! Exactness notes — every rule of `vaderSentiment.py` is reproduced, including its quirks:
//! - words are split on Python whitespace (`str.split()`, which includes U+001C..U+001F) and
//!   stripped of leading/trailing ASCII punctuation unless that leaves ≤ 2 characters;
//! - `str.isupper()` and `str.lower()` follow CPython 3.11 (Unicode 14; the tables in
//!   `pyunicode.rs` are generated from that interpreter; U+212A KELVIN SIGN lowercases to `k`);
//! - emoji are replaced by their descriptions character by character, as the reference does;
//! - the "but" rule reproduces `list.index()` on equal values;
//! - sums are plain left-to-right `f64` additions like CPython 3.11's `sum()` (3.12+ differs);
//! - `round(x, 3)`/`round(x, 4)` are correctly rounded with ties to even, like CPython.
//!
//! Verification: `tests/parity.rs` compares all four numbers of every one of the 23,703 oracle
//! sentences (`testdata/vader/reference_scores.tsv`) with `==`; `tools/difftest.py` scores
//! random rule-heavy sentences (emoji, caps, Python-only whitespace, odd Unicode) with both
//! the Python package and this crate (0 differences on 310,000, seeds 1–3); `tests/props.rs` checks
//! arbitrary Unicode. Speed: `bench/vader.sh` and `BENCH.md`.
//!
//! Scoring does not allocate except for texts containing emoji (per-thread scratch buffers);
//! the dictionaries are a compact open-addressing table with keys packed in three `u64`s.

mod dict;
mod pyunicode;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::LazyLock;

use rayon::prelude::*;
use serde::Serialize;

use dict::{Dict, Key, MAX_KEY};

const LEXICON: &str = include_str!("../data/vader_lexicon.txt");
const EMOJI_LEXICON: &str = include_str!("../data/emoji_utf8_lexicon.txt");

// Empirically derived constants of the reference.
const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
const C_INCR: f64 = 0.733;
const N_SCALAR: f64 = -0.74;

const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

/// Single-word entries of the reference `BOOSTER_DICT`. The multi-word ones ("just enough",
/// "kind of", "sort of") can never equal one token and are handled through [`Tag`]s.
const BOOSTERS: &[(&str, f64)] = &[
    ("absolutely", B_INCR),
    ("amazingly", B_INCR),
    ("awfully", B_INCR),
    ("completely", B_INCR),
    ("considerable", B_INCR),
    ("considerably", B_INCR),
    ("decidedly", B_INCR),
    ("deeply", B_INCR),
    ("effing", B_INCR),
    ("enormous", B_INCR),
    ("enormously", B_INCR),
    ("entirely", B_INCR),
    ("especially", B_INCR),
    ("exceptional", B_INCR),
    ("exceptionally", B_INCR),
    ("extreme", B_INCR),
    ("extremely", B_INCR),
    ("fabulously", B_INCR),
    ("flipping", B_INCR),
    ("flippin", B_INCR),
    ("frackin", B_INCR),
    ("fracking", B_INCR),
    ("fricking", B_INCR),
    ("frickin", B_INCR),
    ("frigging", B_INCR),
    ("friggin", B_INCR),
    ("fully", B_INCR),
    ("fuckin", B_INCR),
    ("fucking", B_INCR),
    ("fuggin", B_INCR),
    ("fugging", B_INCR),
    ("greatly", B_INCR),
    ("hella", B_INCR),
    ("highly", B_INCR),
    ("hugely", B_INCR),
    ("incredible", B_INCR),
    ("incredibly", B_INCR),
    ("intensely", B_INCR),
    ("major", B_INCR),
    ("majorly", B_INCR),
    ("more", B_INCR),
    ("most", B_INCR),
    ("particularly", B_INCR),
    ("purely", B_INCR),
    ("quite", B_INCR),
    ("really", B_INCR),
    ("remarkably", B_INCR),
    ("so", B_INCR),
    ("substantially", B_INCR),
    ("thoroughly", B_INCR),
    ("total", B_INCR),
    ("totally", B_INCR),
    ("tremendous", B_INCR),
    ("tremendously", B_INCR),
    ("uber", B_INCR),
    ("unbelievably", B_INCR),
    ("unusually", B_INCR),
    ("utter", B_INCR),
    ("utterly", B_INCR),
    ("very", B_INCR),
    ("almost", B_DECR),
    ("barely", B_DECR),
    ("hardly", B_DECR),
    ("kinda", B_DECR),
    ("kindof", B_DECR),
    ("kind-of", B_DECR),
    ("less", B_DECR),
    ("little", B_DECR),
    ("marginal", B_DECR),
    ("marginally", B_DECR),
    ("occasional", B_DECR),
    ("occasionally", B_DECR),
    ("partly", B_DECR),
    ("scarce", B_DECR),
    ("scarcely", B_DECR),
    ("slight", B_DECR),
    ("slightly", B_DECR),
    ("somewhat", B_DECR),
    ("sorta", B_DECR),
    ("sortof", B_DECR),
    ("sort-of", B_DECR),
];

/// Words the rules compare against by name (after lowercasing).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Tag {
    Other,
    No,
    But,
    Kind,
    Of,
    Least,
    At,
    Very,
    Never,
    So,
    This,
    Without,
    Doubt,
    Or,
    Nor,
    The,
    Shit,
    Bomb,
    Bad,
    Ass,
    Bus,
    Stop,
    Yeah,
    Right,
    Kiss,
    Death,
    To,
    Die,
    For,
    Beating,
    Heart,
    Just,
    Enough,
    Sort,
}

const TAGS: &[(&str, Tag)] = &[
    ("no", Tag::No),
    ("but", Tag::But),
    ("kind", Tag::Kind),
    ("of", Tag::Of),
    ("least", Tag::Least),
    ("at", Tag::At),
    ("very", Tag::Very),
    ("never", Tag::Never),
    ("so", Tag::So),
    ("this", Tag::This),
    ("without", Tag::Without),
    ("doubt", Tag::Doubt),
    ("or", Tag::Or),
    ("nor", Tag::Nor),
    ("the", Tag::The),
    ("shit", Tag::Shit),
    ("bomb", Tag::Bomb),
    ("bad", Tag::Bad),
    ("ass", Tag::Ass),
    ("bus", Tag::Bus),
    ("stop", Tag::Stop),
    ("yeah", Tag::Yeah),
    ("right", Tag::Right),
    ("kiss", Tag::Kiss),
    ("death", Tag::Death),
    ("to", Tag::To),
    ("die", Tag::Die),
    ("for", Tag::For),
    ("beating", Tag::Beating),
    ("heart", Tag::Heart),
    ("just", Tag::Just),
    ("enough", Tag::Enough),
    ("sort", Tag::Sort),
];

/// The reference `SPECIAL_CASES` that can match (all have two or three words; the one-word
/// key "badass" can never equal a space-joined n-gram).
fn special_case(seq: &[Tag]) -> Option<f64> {
    use Tag::*;
    match seq {
        [The, Shit] | [The, Bomb] => Some(3.0),
        [Bad, Ass] => Some(1.5),
        [Bus, Stop] => Some(0.0),
        [Yeah, Right] => Some(-2.0),
        [Kiss, Of, Death] => Some(-1.5),
        [To, Die, For] => Some(3.0),
        [Beating, Heart] => Some(3.5),
        _ => None,
    }
}

/// The multi-word booster/dampener n-grams of `BOOSTER_DICT`.
fn booster_ngram(seq: &[Tag]) -> Option<f64> {
    use Tag::*;
    match seq {
        [Just, Enough] | [Kind, Of] | [Sort, Of] => Some(B_DECR),
        _ => None,
    }
}

/// One token of the text (or, in the dictionary, one lowercased word), with everything the
/// rules need precomputed, in four bytes: pushing a wider struct per token stalled on
/// store-to-load forwarding and the dictionary's values no longer fit in L1.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Word {
    /// Lexicon valence in tenths ([`NO_LEX`] when absent). Every value in the lexicon has
    /// one decimal, and `tenths / 10.0` is the correctly rounded quotient, so it is the very
    /// `f64` that parsing the decimal gives (checked for every entry in `Analyzer::new`).
    lex10: i8,
    /// +1 for a booster (B_INCR), -1 for a dampener (B_DECR), 0 otherwise.
    booster: i8,
    /// [`NEGATED`], [`UPPER`] and [`NOTABLE`].
    flags: u8,
    tag: Tag,
}

const NO_LEX: i8 = i8::MIN;
/// `negated([word])`: in NEGATE or contains "n't".
const NEGATED: u8 = 1;
/// Python `word.isupper()`.
const UPPER: u8 = 2;
/// Has a lexicon value or is "but": the words whose own sentiment or rule has to be
/// worked out (the others only matter as context).
const NOTABLE: u8 = 4;

const EMPTY: Word = Word {
    lex10: NO_LEX,
    booster: 0,
    flags: 0,
    tag: Tag::Other,
};

impl Default for Word {
    fn default() -> Self {
        EMPTY
    }
}

impl Word {
    #[inline]
    fn lex(&self) -> Option<f64> {
        (self.lex10 != NO_LEX).then(|| f64::from(self.lex10) / 10.0)
    }

    #[inline]
    fn has_lex(&self) -> bool {
        self.lex10 != NO_LEX
    }

    /// 0.0 when the word is not a (single-word) booster; all boosters are non-zero.
    #[inline]
    fn booster(&self) -> f64 {
        match self.booster {
            1 => B_INCR,
            -1 => B_DECR,
            _ => 0.0,
        }
    }

    #[inline]
    fn negated(&self) -> bool {
        self.flags & NEGATED != 0
    }

    #[inline]
    fn upper(&self) -> bool {
        self.flags & UPPER != 0
    }
}

/// neg / neu / pos / compound, exactly as `polarity_scores` of the reference returns them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    pub neg: f64,
    pub neu: f64,
    pub pos: f64,
    pub compound: f64,
}

/// The VADER analyzer: the dictionaries, built once. Cheap to share between threads.
pub struct Analyzer {
    /// Lowercase word -> what the lexicon, BOOSTER_DICT, NEGATE and the rules say about it.
    words: Dict<Word>,
    /// One-character emoji -> description, sorted by character.
    emoji: Vec<(char, &'static str)>,
    /// For U+1F000..=U+1FFFF, where most emoji are: 1 + the index in `emoji`, or 0.
    /// A direct load instead of a binary search for each of those characters.
    emoji_1f: Vec<u16>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("words", &self.words.len())
            .field("emoji", &self.emoji.len())
            .finish()
    }
}

static SHARED: LazyLock<Analyzer> = LazyLock::new(Analyzer::new);

thread_local! {
    /// Reused per-thread buffers (words, sentiments) so that scoring does not allocate.
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// Buffers reused from one text to the next.
struct Scratch {
    words: Vec<Word>,
    /// (word index, sentiment) of the words whose sentiment is not 0.0, in order.
    sentiments: Vec<(usize, f64)>,
    /// An ASCII text followed by [`PAD`] zero bytes, so that every word's first 24 bytes
    /// can be loaded at once.
    padded: Vec<u8>,
    /// The text with its emoji replaced by their descriptions (one buffer for every
    /// text with an emoji, not an allocation each).
    replaced: String,
}

const PAD: usize = 24;

impl Scratch {
    const fn new() -> Scratch {
        Scratch {
            words: Vec::new(),
            sentiments: Vec::new(),
            padded: Vec::new(),
            replaced: String::new(),
        }
    }
}

/// ASCII bytes that CPython's `str.isspace()` accepts (including U+001C..U+001F).
#[inline]
fn is_ascii_py_space(b: u8) -> bool {
    const MASK: u64 = 0b1_1111 << 9 | 0b1_1111 << 0x1c;
    b < 64 && (MASK >> b) & 1 == 1
}

/// If a Python whitespace character starts at byte `i` of `text`, its length in bytes.
/// Bytes inside a multi-byte character never match (continuation bytes are ≥ 0x80 and are
/// not one of the lead bytes checked).
#[inline]
fn space_width(text: &str, i: usize) -> Option<usize> {
    let c = text.as_bytes()[i];
    if c < 0x80 {
        is_ascii_py_space(c).then_some(1)
    } else if matches!(c, 0xc2 | 0xe1 | 0xe2 | 0xe3) {
        // Lead bytes of the non-ASCII Python whitespace (U+0085, U+00A0, U+1680,
        // U+2000..U+205F, U+3000), always on a character boundary.
        let ch = text.get(i..)?.chars().next()?;
        is_py_space(ch).then(|| ch.len_utf8())
    } else {
        None
    }
}

/// CPython's `str.isspace()` (the separators of `str.split()` and `str.strip()`).
#[inline]
fn is_py_space(c: char) -> bool {
    if c.is_ascii() {
        is_ascii_py_space(c as u8)
    } else {
        pyunicode::SPACES.binary_search(&c).is_ok()
    }
}

/// Case class of a character per CPython 3.11: `pyunicode::LOWER` (lowercase or titlecase),
/// `pyunicode::UPPER`, or 0.
#[inline]
fn case_class(c: char) -> u8 {
    if c.is_ascii() {
        if c.is_ascii_lowercase() {
            pyunicode::LOWER
        } else if c.is_ascii_uppercase() {
            pyunicode::UPPER
        } else {
            0
        }
    } else {
        let c = c as u32;
        match pyunicode::CASE_RANGES.binary_search_by(|&(a, b, _)| {
            if b < c {
                Ordering::Less
            } else if a > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }) {
            Ok(i) => pyunicode::CASE_RANGES[i].2,
            Err(_) => 0,
        }
    }
}

/// CPython's `str.isupper()`.
fn py_isupper(s: &str) -> bool {
    let mut cased = false;
    if s.is_ascii() {
        for &b in s.as_bytes() {
            if b.is_ascii_lowercase() {
                return false;
            }
            cased |= b.is_ascii_uppercase();
        }
    } else {
        for c in s.chars() {
            match case_class(c) {
                pyunicode::LOWER => return false,
                pyunicode::UPPER => cased = true,
                _ => {}
            }
        }
    }
    cased
}

/// `SentiText._strip_punc_if_word`: strip leading and trailing `string.punctuation`; if that
/// leaves two characters or fewer (an emoticon like ":)"), keep the token as it was.
#[cfg(test)]
fn strip_punc_if_word(token: &str) -> &str {
    let (s, e) = strip_punc_range(token, 0, token.len());
    &token[s..e]
}

/// [`strip_punc_if_word`] on `text[start..end]`, as a byte range of `text`. ASCII bytes are
/// always character boundaries, so the result is too.
#[inline]
fn strip_punc_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let (mut s, mut e) = (start, end);
    while s < e && b[s].is_ascii_punctuation() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_punctuation() {
        e -= 1;
    }
    // len() counts code points in Python; bytes only differ from that for non-ASCII.
    let len = e - s;
    let short = len <= 2
        || (len <= 8
            && b[s..e].iter().any(|&c| c >= 0x80)
            && text.get(s..e).map_or(0, |t| t.chars().count()) <= 2);
    if short { (start, end) } else { (s, e) }
}

const HI: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// `string.punctuation` (the ASCII punctuation `_strip_punc_if_word` strips), by byte
/// value: one load instead of four range comparisons.
static PUNCT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_punctuation();
        b += 1;
    }
    t
};

/// ASCII letters and digits: the bytes a word read by [`Analyzer::short_word`] starts with.
static WORD_START: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

#[inline(always)]
fn is_punct(b: u8) -> bool {
    PUNCT[usize::from(b)]
}

/// The high bit of each byte of `w` that equals `byte`, exactly (the usual has-zero-byte
/// trick can also flag a byte above a match; this one cannot).
#[inline(always)]
fn bytes_equal(w: u64, byte: u8) -> u64 {
    let x = w ^ (u64::from(byte) * ONES);
    // Bit 7 of (x & 0x7f) + 0x7f is set when the low seven bits are not all zero.
    !(((x & !HI).wrapping_add(!HI)) | x) & HI
}

/// The sum of the eight bytes of `x`, each at most 255.
#[inline(always)]
fn sum_bytes(x: u64) -> usize {
    const LOW16: u64 = 0x00ff_00ff_00ff_00ff;
    // Pairs of bytes into four 16-bit lanes (each ≤ 510), then those into the top one.
    let pairs = (x & LOW16) + ((x >> 8) & LOW16);
    (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize
}

/// The number of `!` and of `?` in `padded[..n]` (`padded` holds at least [`PAD`] zero
/// bytes after `n`), eight bytes at a time. Both are ASCII, and no byte of a multi-byte
/// character is ASCII, so counting bytes counts the characters.
fn count_bangs_questions(padded: &[u8], n: usize) -> (usize, usize) {
    let (mut bangs, mut questions) = (0, 0);
    let Some(text) = padded.get(..n.div_ceil(8) * 8) else {
        return (0, 0);
    };
    // Each chunk adds 0 or 1 to each byte of the counters, so 255 chunks fit before a
    // byte could overflow; the bytes are summed once per block.
    for block in text.chunks(8 * 255) {
        let (mut b, mut q) = (0u64, 0u64);
        for c in block.chunks_exact(8) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(c);
            let w = u64::from_le_bytes(bytes);
            b += bytes_equal(w, b'!') >> 7;
            q += bytes_equal(w, b'?') >> 7;
        }
        bangs += sum_bytes(b);
        questions += sum_bytes(q);
    }
    (bangs, questions)
}

/// Where the first non-ASCII byte of `b` is, eight bytes at a time.
#[inline]
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(c);
        let high = u64::from_le_bytes(bytes) & HI;
        if high != 0 {
            return Some(at + (high.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| x >= 0x80)
        .map(|k| at + k)
}

/// `"n't" in word.lower()`. Lowercasing a non-ASCII character never yields an ASCII `n`, `'`
/// or `t`, so an ASCII case-insensitive byte search is exact.
#[inline]
fn contains_nt(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| (w[0] | 0x20) == b'n' && w[1] == b'\'' && (w[2] | 0x20) == b't')
}

/// `round(x, ndigits)` of CPython for |x| ≤ 1 and `scale = 10**ndigits`: the decimal value
/// nearest to the exact binary value of `x`, ties to even, converted back correctly rounded.
fn py_round(x: f64, scale: u32) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let bits = x.abs().to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    };
    if exp >= 0 {
        // An integer: nothing to round.
        return x;
    }
    // Fast path: x * scale is computed with an error of at most half an ulp (< 2^-38 for
    // |x| ≤ 1), so unless it is within 1e-9 of a rounding boundary (…​.5) the rounding
    // direction of the exact product is that of the computed one.
    if x.abs() <= 1.0 {
        let y = x.abs() * f64::from(scale);
        // floor(y) for 0 ≤ y ≤ scale: truncation, without a call into libm (no SSE4.1
        // `roundsd` on the baseline target); through i64, which x86-64 converts in one
        // instruction each way (u64 takes a branchy sequence), the same for these values.
        let fl = (y as i64) as f64;
        if ((y - fl) - 0.5).abs() > 1e-9 {
            let k = if y - fl > 0.5 { fl + 1.0 } else { fl };
            return (k / f64::from(scale)).copysign(x);
        }
    }
    // |x| * scale = n / 2^sh exactly.
    let n = u128::from(mant) * u128::from(scale);
    let sh = exp.unsigned_abs();
    let (k, rem) = if sh >= 128 {
        (0u128, Ordering::Less)
    } else {
        let k = n >> sh;
        let r = n - (k << sh);
        (k, r.cmp(&(1u128 << (sh - 1))))
    };
    let k = match rem {
        Ordering::Less => k,
        Ordering::Greater => k + 1,
        Ordering::Equal => k + (k & 1),
    };
    // k ≤ scale here, so both operands are exact and the division is correctly rounded,
    // like CPython's strtod of the decimal string.
    ((k as u64 as f64) / f64::from(scale)).copysign(x)
}

/// `normalize(score, alpha=15)`.
fn normalize(score: f64) -> f64 {
    let norm = score / (score * score + 15.0).sqrt();
    norm.clamp(-1.0, 1.0)
}

impl Analyzer {
    /// Builds the dictionaries from the embedded lexicons (about a millisecond).
    pub fn new() -> Self {
        let mut words: Dict<Word> = Dict::with_capacity(8192);
        // Only keys equal to their own lowercase can ever be found (the lookup is by
        // `word.lower()`), and those are all ASCII; longer keys than MAX_KEY do not exist.
        fn entry<'a>(words: &'a mut Dict<Word>, word: &str) -> Option<&'a mut Word> {
            Key::new(word.as_bytes()).map(|k| words.entry(k))
        }
        // make_lex_dict: later duplicates override earlier ones.
        for line in LEXICON.trim_end_matches('\n').split('\n') {
            if line.is_empty() {
                continue;
            }
            let mut fields = line.trim_matches(is_py_space).split('\t');
            let (Some(word), Some(measure)) = (fields.next(), fields.next()) else {
                continue;
            };
            if let (Ok(value), Some(e)) = (measure.parse::<f64>(), entry(&mut words, word)) {
                let tenths = (value * 10.0).round();
                assert!(
                    tenths.abs() < 128.0 && tenths / 10.0 == value,
                    "VADER lexicon value {measure} is not a whole number of tenths"
                );
                e.lex10 = tenths as i8;
                e.flags |= NOTABLE;
            }
        }
        for &(word, value) in BOOSTERS {
            if let Some(e) = entry(&mut words, word) {
                e.booster = if value > 0.0 { 1 } else { -1 };
            }
        }
        for &word in NEGATE {
            if let Some(e) = entry(&mut words, word) {
                e.flags |= NEGATED;
            }
        }
        for &(word, tag) in TAGS {
            if let Some(e) = entry(&mut words, word) {
                e.tag = tag;
                if tag == Tag::But {
                    e.flags |= NOTABLE;
                }
            }
        }

        let mut emoji: Vec<(char, &'static str)> = Vec::with_capacity(2048);
        for line in EMOJI_LEXICON.trim_end_matches('\n').split('\n') {
            let mut fields = line.trim_matches(is_py_space).split('\t');
            let (Some(key), Some(description)) = (fields.next(), fields.next()) else {
                continue;
            };
            // The reference tests one character at a time, so only one-character keys matter.
            let mut chars = key.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                emoji.push((c, description));
            }
        }
        // Later lines win, as in a Python dict: stable sort, then keep the last of each run.
        emoji.sort_by_key(|&(c, _)| c);
        let mut dedup: Vec<(char, &'static str)> = Vec::with_capacity(emoji.len());
        for e in emoji {
            match dedup.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => dedup.push(e),
            }
        }
        let mut emoji_1f = vec![0u16; 0x1000];
        for (i, &(c, _)) in dedup.iter().enumerate() {
            if let (Some(slot), Ok(index)) = (
                emoji_1f.get_mut((c as u32).wrapping_sub(0x1F000) as usize),
                u16::try_from(i + 1),
            ) {
                *slot = index;
            }
        }
        Analyzer {
            words,
            emoji: dedup,
            emoji_1f,
        }
    }

    /// A process-wide analyzer, built on first use.
    pub fn shared() -> &'static Analyzer {
        &SHARED
    }

    #[inline]
    fn emoji(&self, c: char) -> Option<&'static str> {
        if (c as u32) < 0xa9 {
            return None;
        }
        if let Some(&k) = self.emoji_1f.get((c as u32).wrapping_sub(0x1F000) as usize) {
            return usize::from(k)
                .checked_sub(1)
                .and_then(|i| self.emoji.get(i))
                .map(|e| e.1);
        }
        self.emoji
            .binary_search_by_key(&c, |&(k, _)| k)
            .ok()
            .map(|i| self.emoji[i].1)
    }

    /// Looks up `token.lower()`. The only non-ASCII character whose Python lowercase is
    /// ASCII is U+212A KELVIN SIGN ("k"); any other leaves a non-ASCII character, which no
    /// reachable key contains, and no key is longer than [`MAX_KEY`].
    fn lookup_lowercase(&self, token: &str) -> Word {
        let mut buf = [0u8; 24];
        let mut len = 0;
        for c in token.chars() {
            let b = if c.is_ascii() {
                (c as u8).to_ascii_lowercase()
            } else if c == '\u{212A}' {
                b'k'
            } else {
                return EMPTY;
            };
            if len >= MAX_KEY {
                return EMPTY;
            }
            buf[len] = b;
            len += 1;
        }
        if len == 0 {
            return EMPTY;
        }
        self.words
            .get(&Key::from_buf(buf, len))
            .copied()
            .unwrap_or(EMPTY)
    }

    /// Everything the rules need to know about the token `text[start..end]`, character by
    /// character: the path for tokens with non-ASCII bytes (ASCII ones take
    /// [`Analyzer::word_info_ascii`]) and the definition the tests compare that one with.
    fn word_info(&self, text: &str, start: usize, end: usize) -> Word {
        let (s, e) = strip_punc_range(text, start, end);
        let w = &text[s..e];
        let mut word = self.lookup_lowercase(w);
        if contains_nt(w.as_bytes()) {
            word.flags |= NEGATED;
        }
        if py_isupper(w) {
            word.flags |= UPPER;
        }
        word
    }

    /// The emoji replacement loop of `polarity_scores`; `None` when the text has no emoji.
    #[cfg(test)]
    fn replace_emoji(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        self.replace_emoji_into(text, &mut out).then_some(out)
    }

    /// The emoji replacement loop of `polarity_scores` into `out` (cleared first when
    /// written); false, and `out` untouched, when the text has no emoji.
    fn replace_emoji_into(&self, text: &str, out: &mut String) -> bool {
        // Every emoji key is non-ASCII: skip the ASCII start without decoding it.
        let Some(from) = first_non_ascii(text.as_bytes()) else {
            return false;
        };
        let Some(first) = text.get(from..).and_then(|t| {
            t.char_indices()
                .find(|&(_, c)| self.emoji(c).is_some())
                .map(|(k, _)| from + k)
        }) else {
            return false;
        };
        out.clear();
        out.reserve(text.len() + 64);
        out.push_str(&text[..first]);
        let mut prev_space = first == 0 || text[..first].ends_with(' ');
        for c in text[first..].chars() {
            match self.emoji(c) {
                Some(description) => {
                    if !prev_space {
                        out.push(' ');
                    }
                    out.push_str(description);
                    prev_space = false;
                }
                None => {
                    out.push(c);
                    prev_space = c == ' ';
                }
            }
        }
        true
    }

    /// [`Analyzer::tokenize`] of `text`, given `padded`: the same bytes followed by at least
    /// [`PAD`] zero bytes, so that words can be scanned and loaded eight bytes at a time.
    fn tokenize_padded(&self, text: &str, padded: &[u8], words: &mut Vec<Word>) -> (usize, usize) {
        let b = text.as_bytes();
        let n = b.len();
        let (bangs, questions) = count_bangs_questions(padded, n);
        let mut i = 0;
        while i < n {
            // Most words are short, plain and followed by one space: read them from one
            // load ([`Analyzer::short_word`]); everything else takes the general path.
            if let Some(chunk) = padded.get(i..).and_then(|c| c.first_chunk::<8>())
                && let Some((word, step)) = self.short_word(u64::from_le_bytes(*chunk), n - i)
            {
                words.push(word);
                i += step;
                continue;
            }
            if let Some(width) = space_width(text, i) {
                i += width;
                continue;
            }
            let start = i;
            let mut ascii = true;
            // The end of the word. Every Python space is either an ASCII byte ≤ 0x20 (so
            // are the zeros of the padding) or starts with a byte ≥ 0x80; an ASCII byte x is
            // ≤ 0x20 exactly when x + 0x5f has its high bit clear. Only those candidate
            // bytes are looked at one by one.
            loop {
                let Some(chunk) = padded.get(i..i + 8).and_then(|c| c.first_chunk::<8>()) else {
                    i = n;
                    break;
                };
                let w = u64::from_le_bytes(*chunk);
                let high = w & HI;
                let low = !(w & !HI).wrapping_add(0x5f * ONES) & HI & !high;
                let candidates = low | high;
                if candidates == 0 {
                    i += 8;
                    continue;
                }
                i += (candidates.trailing_zeros() / 8) as usize;
                if i >= n || space_width(text, i).is_some() {
                    break;
                }
                // A control character or a byte of a non-space character: part of the word.
                ascii &= b[i] < 0x80;
                i += 1;
            }
            i = i.min(n);
            words.push(if ascii {
                self.word_info_ascii(padded, start, i)
            } else {
                self.word_info(text, start, i)
            });
        }
        (bangs, questions)
    }

    /// The word at the start of `w` (eight bytes of the padded text, `left` of them before
    /// its end) when it is the common kind: an ASCII letter or digit first, at most seven
    /// bytes, none of them a space, a control character or non-ASCII, no punctuation last,
    /// and then an ASCII space or the end of the text. Nothing is stripped from such a
    /// word, so it is its own key. Returns the word and how far the text is read (the
    /// word and the space after it), or `None` for any other word, or a space.
    #[inline(always)]
    fn short_word(&self, w: u64, left: usize) -> Option<(Word, usize)> {
        if !WORD_START[usize::from(w as u8)] {
            return None;
        }
        // Spaces, control characters and the padding are ≤ 0x20; non-ASCII bytes have the
        // high bit: the word ends at the first of either (as in the general scan below).
        let high = w & HI;
        let low = !(w & !HI).wrapping_add(0x5f * ONES) & HI & !high;
        let candidates = low | high;
        if candidates == 0 {
            return None;
        }
        // 1 to 7: the first byte is not a candidate.
        let len = (candidates.trailing_zeros() / 8) as usize;
        let after = (w >> (8 * len)) as u8;
        // The padding's zeros start at `left`, so `len ≤ left`.
        let step = if len >= left {
            len
        } else if is_ascii_py_space(after) {
            len + 1
        } else {
            return None;
        };
        if is_punct((w >> (8 * (len - 1))) as u8) {
            return None;
        }
        let w = w & (u64::MAX >> (64 - 8 * len));
        let up = w.wrapping_add(0x3f * ONES) & !w.wrapping_add(0x25 * ONES) & HI;
        let lo = w.wrapping_add(0x1f * ONES) & !w.wrapping_add(0x05 * ONES) & HI;
        let q = w ^ (u64::from(b'\'') * ONES);
        let apostrophe = q.wrapping_sub(ONES) & !q & HI != 0;
        let mut word = self
            .words
            .get(&Key::from_words([w | (up >> 2), 0, 0], len))
            .copied()
            .unwrap_or(EMPTY);
        if apostrophe && contains_nt(&w.to_le_bytes()[..len]) {
            word.flags |= NEGATED;
        }
        if up != 0 && lo == 0 {
            word.flags |= UPPER;
        }
        Some((word, step))
    }

    /// [`Analyzer::word_info`] for the ASCII token `padded[start..end]`, with at least
    /// [`PAD`] bytes after `end` in `padded`.
    #[inline]
    fn word_info_ascii(&self, padded: &[u8], start: usize, end: usize) -> Word {
        let b = padded;
        let (mut s, mut e) = (start, end);
        while s < e && is_punct(b[s]) {
            s += 1;
        }
        while e > s && is_punct(b[e - 1]) {
            e -= 1;
        }
        if e - s <= 2 {
            // An emoticon such as ":)" keeps its punctuation.
            (s, e) = (start, end);
        }
        let len = e - s;
        let Some(chunk) = b.get(s..s + PAD).and_then(|c| c.first_chunk::<PAD>()) else {
            return EMPTY;
        };
        if len > MAX_KEY {
            let token = &b[s..e];
            let mut word = EMPTY;
            if contains_nt(token) {
                word.flags |= NEGATED;
            }
            let (mut upper, mut lower) = (false, false);
            for &c in token {
                upper |= c.is_ascii_uppercase();
                lower |= c.is_ascii_lowercase();
            }
            if upper && !lower {
                word.flags |= UPPER;
            }
            return word;
        }
        // Eight bytes at a time: detect A-Z, a-z and '\'', and lowercase (no byte exceeds
        // 0x7f, so the additions never carry).
        let (mut upper, mut lower, mut apostrophe) = (0u64, 0u64, false);
        let mut key = [0u64; 3];
        // Only the chunks holding bytes of the word (most words take one); the rest of
        // the key stays zero, which is what a fully masked chunk would give.
        let chunks = len.div_ceil(8);
        for (k, (out, c)) in key
            .iter_mut()
            .zip(chunk.chunks_exact(8))
            .enumerate()
            .take(chunks)
        {
            let valid = (len - 8 * k).min(8);
            let mask = u64::MAX >> (64 - 8 * valid);
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(c);
            let w = u64::from_le_bytes(bytes) & mask;
            let up = w.wrapping_add(0x3f * ONES) & !w.wrapping_add(0x25 * ONES) & HI;
            let lo = w.wrapping_add(0x1f * ONES) & !w.wrapping_add(0x05 * ONES) & HI;
            let q = w ^ (u64::from(b'\'') * ONES);
            apostrophe |= q.wrapping_sub(ONES) & !q & HI & (mask & HI) != 0;
            upper |= up;
            lower |= lo;
            *out = w | (up >> 2);
        }
        let mut word = if len == 0 {
            EMPTY
        } else {
            self.words
                .get(&Key::from_words(key, len))
                .copied()
                .unwrap_or(EMPTY)
        };
        if apostrophe && contains_nt(&b[s..e]) {
            word.flags |= NEGATED;
        }
        if upper != 0 && lower == 0 {
            word.flags |= UPPER;
        }
        word
    }

    /// Splits on Python whitespace (`str.split()`), pushes one [`Word`] per token and returns
    /// the number of `!` and `?` in the text: the plain definition that
    /// [`Analyzer::tokenize_padded`] is tested against.
    #[cfg(test)]
    fn tokenize(&self, text: &str, words: &mut Vec<Word>) -> (usize, usize) {
        let b = text.as_bytes();
        let (mut bangs, mut questions) = (0, 0);
        let mut start: Option<usize> = None;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let (space, width) = if c < 0x80 {
                bangs += usize::from(c == b'!');
                questions += usize::from(c == b'?');
                (is_ascii_py_space(c), 1)
            } else {
                match space_width(text, i) {
                    Some(w) => (true, w),
                    None => (false, 1),
                }
            };
            if space {
                if let Some(s) = start.take() {
                    words.push(self.word_info(text, s, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
            i += width;
        }
        if let Some(s) = start {
            words.push(self.word_info(text, s, b.len()));
        }
        (bangs, questions)
    }

    /// `SentimentIntensityAnalyzer().polarity_scores(text)` of vaderSentiment 3.3.2.
    pub fn polarity_scores(&self, text: &str) -> Scores {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let scores = self.score_into(text, &mut scratch);
                if scratch.words.capacity() > 1 << 16
                    || scratch.padded.capacity() > 1 << 20
                    || scratch.replaced.capacity() > 1 << 20
                {
                    *scratch = Scratch::new();
                }
                scores
            }
            Err(_) => self.score_into(text, &mut Scratch::new()),
        })
    }

    fn score_into(&self, text: &str, scratch: &mut Scratch) -> Scores {
        let Scratch {
            words,
            sentiments,
            padded,
            replaced,
        } = scratch;
        words.clear();
        sentiments.clear();
        let text = if self.replace_emoji_into(text, replaced) {
            replaced.as_str()
        } else {
            text
        };
        padded.clear();
        padded.extend_from_slice(text.as_bytes());
        padded.extend_from_slice(&[0; PAD]);
        let (bangs, questions) = self.tokenize_padded(text, padded, words);
        if words.is_empty() {
            return Scores::default();
        }

        // allcap_differential: some, but not all, words are ALL CAPS.
        let allcap = words.iter().filter(|w| w.upper()).count();
        let is_cap_diff = allcap > 0 && allcap < words.len();

        // Only the words with a lexicon value can have a sentiment other than 0.0, and
        // only "but" changes the others: the rest of the words are context, read by
        // the rules around these, and count as neutral.
        let n = words.len();
        let mut but = None;
        for (i, w) in words.iter().enumerate() {
            if w.flags & NOTABLE == 0 {
                continue;
            }
            if w.tag == Tag::But && but.is_none() {
                but = Some(i);
            }
            if !w.has_lex()
                || w.booster != 0
                || (i + 1 < n && w.tag == Tag::Kind && words[i + 1].tag == Tag::Of)
            {
                continue;
            }
            let v = sentiment_valence(words, i, is_cap_diff);
            if v != 0.0 {
                sentiments.push((i, v));
            }
        }

        if let Some(bi) = but {
            but_check_sparse(bi, sentiments);
        }
        score_valence_sparse(sentiments, n, bangs, questions)
    }

    /// The scoring as the reference spells it, one sentiment per word: what
    /// [`Analyzer::score_into`] is tested against.
    #[cfg(test)]
    fn score_dense(&self, text: &str) -> Scores {
        let replaced = self.replace_emoji(text);
        let text = replaced.as_deref().unwrap_or(text);
        let mut words = Vec::new();
        let (bangs, questions) = self.tokenize(text, &mut words);
        if words.is_empty() {
            return Scores::default();
        }
        let allcap = words.iter().filter(|w| w.upper()).count();
        let is_cap_diff = allcap > 0 && allcap < words.len();
        let n = words.len();
        let mut sentiments = Vec::with_capacity(n);
        for (i, w) in words.iter().enumerate() {
            if w.booster != 0 || (i + 1 < n && w.tag == Tag::Kind && words[i + 1].tag == Tag::Of) {
                sentiments.push(0.0);
            } else {
                sentiments.push(sentiment_valence(&words, i, is_cap_diff));
            }
        }
        but_check(&words, &mut sentiments);
        score_valence(&sentiments, bangs, questions)
    }

    /// Scores many texts on all cores (rayon's global pool); the result is in input order and
    /// identical to calling [`Analyzer::polarity_scores`] on each text. Accepts `&[&str]`,
    /// `&[String]`, ...
    pub fn score_many<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Scores> {
        texts
            .par_iter()
            .with_min_len(64)
            .map(|t| self.polarity_scores(t.as_ref()))
            .collect()
    }
}

/// `SentimentIntensityAnalyzer.sentiment_valence` for the word at `i`.
fn sentiment_valence(words: &[Word], i: usize, is_cap_diff: bool) -> f64 {
    let w = &words[i];
    let Some(lex) = w.lex() else {
        return 0.0;
    };
    let n = words.len();
    let mut valence = lex;
    // "no" as negation of an adjacent lexicon word rather than a lexicon word itself.
    if w.tag == Tag::No && i != n - 1 && words[i + 1].has_lex() {
        valence = 0.0;
    }
    if (i > 0 && words[i - 1].tag == Tag::No)
        || (i > 1 && words[i - 2].tag == Tag::No)
        || (i > 2 && words[i - 3].tag == Tag::No && matches!(words[i - 1].tag, Tag::Or | Tag::Nor))
    {
        valence = lex * N_SCALAR;
    }
    // ALL CAPS emphasis (while other words are not).
    if w.upper() && is_cap_diff {
        if valence > 0.0 {
            valence += C_INCR;
        } else {
            valence -= C_INCR;
        }
    }
    for start_i in 0..3 {
        if i > start_i && !words[i - (start_i + 1)].has_lex() {
            let mut s = scalar_inc_dec(&words[i - (start_i + 1)], valence, is_cap_diff);
            if start_i == 1 && s != 0.0 {
                s *= 0.95;
            }
            if start_i == 2 && s != 0.0 {
                s *= 0.9;
            }
            valence += s;
            valence = negation_check(valence, words, start_i, i);
            if start_i == 2 {
                valence = special_idioms_check(valence, words, i);
            }
        }
    }
    least_check(valence, words, i)
}

/// `scalar_inc_dec`: the booster/dampener effect of a preceding word.
fn scalar_inc_dec(word: &Word, valence: f64, is_cap_diff: bool) -> f64 {
    let mut scalar = 0.0;
    if word.booster != 0 {
        scalar = word.booster();
        if valence < 0.0 {
            scalar *= -1.0;
        }
        if word.upper() && is_cap_diff {
            if valence > 0.0 {
                scalar += C_INCR;
            } else {
                scalar -= C_INCR;
            }
        }
    }
    scalar
}

/// `_negation_check`, including the "never so/this" and "without doubt" rules and the
/// reference's operator precedence in the three-words-back case.
fn negation_check(mut valence: f64, w: &[Word], start_i: usize, i: usize) -> f64 {
    let so_or_this = |t: Tag| t == Tag::So || t == Tag::This;
    match start_i {
        0 => {
            if w[i - 1].negated() {
                valence *= N_SCALAR;
            }
        }
        1 => {
            if w[i - 2].tag == Tag::Never && so_or_this(w[i - 1].tag) {
                valence *= 1.25;
            } else if w[i - 2].tag == Tag::Without && w[i - 1].tag == Tag::Doubt {
                // unchanged
            } else if w[i - 2].negated() {
                valence *= N_SCALAR;
            }
        }
        _ => {
            if (w[i - 3].tag == Tag::Never && so_or_this(w[i - 2].tag)) || so_or_this(w[i - 1].tag)
            {
                valence *= 1.25;
            } else if w[i - 3].tag == Tag::Without
                && (w[i - 2].tag == Tag::Doubt || w[i - 1].tag == Tag::Doubt)
            {
                // unchanged
            } else if w[i - 3].negated() {
                valence *= N_SCALAR;
            }
        }
    }
    valence
}

/// `_special_idioms_check` (called with i ≥ 3).
fn special_idioms_check(mut valence: f64, w: &[Word], i: usize) -> f64 {
    let (t3, t2, t1, t0) = (w[i - 3].tag, w[i - 2].tag, w[i - 1].tag, w[i].tag);
    let sequences: [&[Tag]; 5] = [
        &[t1, t0],
        &[t2, t1, t0],
        &[t2, t1],
        &[t3, t2, t1],
        &[t3, t2],
    ];
    for seq in sequences {
        if let Some(v) = special_case(seq) {
            valence = v;
            break;
        }
    }
    if w.len() - 1 > i
        && let Some(v) = special_case(&[t0, w[i + 1].tag])
    {
        valence = v;
    }
    if w.len() - 1 > i + 1
        && let Some(v) = special_case(&[t0, w[i + 1].tag, w[i + 2].tag])
    {
        valence = v;
    }
    for seq in [&[t3, t2, t1][..], &[t3, t2], &[t2, t1]] {
        if let Some(b) = booster_ngram(seq) {
            valence += b;
        }
    }
    valence
}

/// `_least_check`: "least" negates, except in "at least" / "very least".
fn least_check(mut valence: f64, w: &[Word], i: usize) -> f64 {
    if i > 1 && !w[i - 1].has_lex() && w[i - 1].tag == Tag::Least {
        if w[i - 2].tag != Tag::At && w[i - 2].tag != Tag::Very {
            valence *= N_SCALAR;
        }
    } else if i > 0 && !w[i - 1].has_lex() && w[i - 1].tag == Tag::Least {
        valence *= N_SCALAR;
    }
    valence
}

/// `_but_check`, reproducing the reference loop exactly: for each position it finds the FIRST
/// equal value (`list.index`) and scales that one, so repeated values are scaled at the first
/// occurrence (possibly more than once) and later occurrences may be left as they are.
#[cfg(test)]
fn but_check(words: &[Word], sentiments: &mut [f64]) {
    let Some(bi) = words.iter().position(|w| w.tag == Tag::But) else {
        return;
    };
    for k in 0..sentiments.len() {
        let s = sentiments[k];
        let si = sentiments[..=k].iter().position(|&x| x == s).unwrap_or(k);
        match si.cmp(&bi) {
            Ordering::Less => sentiments[si] = s * 0.5,
            Ordering::Greater => sentiments[si] = s * 1.5,
            Ordering::Equal => {}
        }
    }
}

/// [`but_check`] on the non-zero sentiments only, `bi` being the index of the first "but".
/// A zero sentiment scaled stays zero, and the first value equal to a non-zero one is
/// non-zero, so the entries left out neither change nor are found.
fn but_check_sparse(bi: usize, sentiments: &mut [(usize, f64)]) {
    for k in 0..sentiments.len() {
        let s = sentiments[k].1;
        let j = sentiments[..=k]
            .iter()
            .position(|&(_, x)| x == s)
            .unwrap_or(k);
        match sentiments[j].0.cmp(&bi) {
            Ordering::Less => sentiments[j].1 = s * 0.5,
            Ordering::Greater => sentiments[j].1 = s * 1.5,
            Ordering::Equal => {}
        }
    }
}

/// [`score_valence`] of `n` words whose non-zero sentiments are `sentiments`. Adding
/// ±0.0 never changes a sum that starts at +0.0, and the zeros only count as neutral.
fn score_valence_sparse(
    sentiments: &[(usize, f64)],
    n: usize,
    bangs: usize,
    questions: usize,
) -> Scores {
    let (sum_s, pos_sum, neg_sum, zeros) = sift(sentiments.iter().map(|&(_, s)| s));
    let neu_count = (n - sentiments.len()) as u32 + zeros;
    finish_scores(sum_s, pos_sum, neg_sum, neu_count, bangs, questions)
}

/// `_sift_sentiment_scores` with the plain sum: the sum of the sentiments
/// (CPython 3.11 sum(): plain left-to-right double additions), the sums of the
/// positive ones plus 1 each and of the negative ones minus 1 each, and the
/// count of zeros.
fn sift(sentiments: impl Iterator<Item = f64> + Clone) -> (f64, f64, f64, u32) {
    let sum_s = sentiments.clone().fold(0.0f64, |a, s| a + s);
    let mut pos_sum = 0.0f64;
    let mut neg_sum = 0.0f64;
    let mut zeros = 0u32;
    for s in sentiments {
        if s > 0.0 {
            pos_sum += s + 1.0;
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            zeros += 1;
        }
    }
    (sum_s, pos_sum, neg_sum, zeros)
}

/// `score_valence` with `_punctuation_emphasis` and `_sift_sentiment_scores`.
#[cfg(test)]
fn score_valence(sentiments: &[f64], bangs: usize, questions: usize) -> Scores {
    let (sum_s, pos_sum, neg_sum, neu_count) = sift(sentiments.iter().copied());
    finish_scores(sum_s, pos_sum, neg_sum, neu_count, bangs, questions)
}

/// The end of `score_valence`, from the sum of the sentiments, the sums of the positive
/// and negative ones (each plus or minus 1) and the count of zeros.
fn finish_scores(
    mut sum_s: f64,
    mut pos_sum: f64,
    mut neg_sum: f64,
    neu_count: u32,
    bangs: usize,
    questions: usize,
) -> Scores {
    let ep_amplifier = bangs.min(4) as f64 * 0.292;
    let qm_amplifier = if questions > 1 {
        if questions <= 3 {
            questions as f64 * 0.18
        } else {
            0.96
        }
    } else {
        0.0
    };
    let punct = ep_amplifier + qm_amplifier;
    if sum_s > 0.0 {
        sum_s += punct;
    } else if sum_s < 0.0 {
        sum_s -= punct;
    }
    let compound = normalize(sum_s);

    if pos_sum > neg_sum.abs() {
        pos_sum += punct;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= punct;
    }
    let total = pos_sum + neg_sum.abs() + f64::from(neu_count);
    let pos = (pos_sum / total).abs();
    let neg = (neg_sum / total).abs();
    let neu = (f64::from(neu_count) / total).abs();
    Scores {
        neg: py_round(neg, 1000),
        neu: py_round(neu, 1000),
        pos: py_round(pos, 1000),
        compound: py_round(compound, 10000),
    }
}

#[cfg(test)]
mod tests;
