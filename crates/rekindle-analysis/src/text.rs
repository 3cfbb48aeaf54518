//! Text normalization shared by the lexicons and the classifier.

use std::sync::LazyLock;

/// Lowercase; curly apostrophes become `'`; letters, digits and in-word
/// apostrophes form words; each emoji/symbol is a word of its own (variation
/// selectors and joiners dropped); everything else separates words. Words are
/// joined by single spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into a buffer (cleared first).
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    normalize_append(text, out);
}

/// [`normalize`] appended to `out` (what is already there is left alone).
/// Returns the number of whitespace-separated words of `text` (as
/// `text.split_whitespace().count()`), counted on the way.
pub fn normalize_append(text: &str, out: &mut String) -> usize {
    let base = out.len();
    let (words, texting) = normalize_raw(text, out);
    if texting {
        canonical_texting(out, base);
    }
    words
}

/// Texting spellings of the words the rules read ("u", "ur", "im", "dont",
/// "pls"), each written as one canonical word, so "its never ever ur fault"
/// reaches the same rules as "it's never ever your fault". One word for one
/// word: word positions (and [`marks_of`]) stay as they were. `ur` is
/// "you're" before the words that follow "you're" far more often than
/// "your" ("ur a", "ur so", "ur not"), else "your".
const TEXTING: &[(&str, &str)] = &[
    ("arent", "aren't"),
    ("bc", "because"),
    ("cant", "can't"),
    ("couldnt", "couldn't"),
    ("coz", "because"),
    ("cuz", "because"),
    ("didnt", "didn't"),
    ("doesnt", "doesn't"),
    ("dont", "don't"),
    ("hasnt", "hasn't"),
    ("havent", "haven't"),
    ("im", "i'm"),
    ("isnt", "isn't"),
    ("ive", "i've"),
    ("msg", "message"),
    ("pls", "please"),
    ("plz", "please"),
    ("ppl", "people"),
    ("r", "are"),
    ("shes", "she's"),
    ("shouldnt", "shouldn't"),
    ("thats", "that's"),
    ("theres", "there's"),
    ("theyre", "they're"),
    ("txt", "text"),
    ("u", "you"),
    ("u'd", "you'd"),
    ("u'll", "you'll"),
    ("u're", "you're"),
    ("u've", "you've"),
    ("ur", "your"),
    ("ure", "you're"),
    ("urs", "yours"),
    ("urself", "yourself"),
    ("uve", "you've"),
    ("wasnt", "wasn't"),
    ("werent", "weren't"),
    ("whats", "what's"),
    ("wont", "won't"),
    ("wouldnt", "wouldn't"),
    ("youll", "you'll"),
    ("youre", "you're"),
    ("youve", "you've"),
    ("yr", "your"),
    ("yu", "you"),
];

/// After "ur", the words that make it "you're".
const UR_IS_YOU_ARE: &[&str] = &[
    "a",
    "acting",
    "actually",
    "all",
    "always",
    "amazing",
    "an",
    "being",
    "clearly",
    "crazy",
    "done",
    "genuinely",
    "going",
    "gonna",
    "honestly",
    "impossible",
    "insane",
    "joking",
    "just",
    "kidding",
    "late",
    "like",
    "literally",
    "lucky",
    "lying",
    "mad",
    "never",
    "not",
    "obviously",
    "only",
    "over",
    "pathetic",
    "really",
    "ridiculous",
    "right",
    "selfish",
    "seriously",
    "so",
    "still",
    "such",
    "sure",
    "the",
    "too",
    "totally",
    "unbelievable",
    "useless",
    "very",
    "welcome",
    "wrong",
];

/// A word of at most 8 bytes as one integer (little-endian, zero padded):
/// looking a word up is then a few integer comparisons, which matters on the
/// path every message takes.
fn packed(word: &[u8]) -> Option<u64> {
    if word.is_empty() || word.len() > 8 {
        return None;
    }
    Some(
        word.iter()
            .enumerate()
            .fold(0u64, |k, (i, b)| k | u64::from(*b) << (8 * i)),
    )
}

/// [`TEXTING`] by packed word, sorted.
static TEXTING_PACKED: LazyLock<Vec<(u64, &'static str)>> = LazyLock::new(|| {
    let mut v: Vec<(u64, &'static str)> = TEXTING
        .iter()
        .filter_map(|(k, v)| packed(k.as_bytes()).map(|p| (p, *v)))
        .collect();
    v.sort_unstable_by_key(|(k, _)| *k);
    v
});

fn texting_form(word: &[u8]) -> Option<&'static str> {
    texting_key(packed(word)?)
}

/// 1024 bits, one set per [`TEXTING`] word's hash: most words are told apart
/// by one multiplication, without a search (about 1 in 25 others gets one).
/// Built at compile time, so the check every word gets needs no lazy
/// initialisation.
const TEXTING_BLOOM: [u64; 16] = {
    let mut bits = [0u64; 16];
    let mut i = 0;
    while i < TEXTING.len() {
        let word = TEXTING[i].0.as_bytes();
        // Every word of the table is 1 to 8 bytes (a test checks).
        let mut key = 0u64;
        let mut j = 0;
        while j < word.len() && j < 8 {
            key |= (word[j] as u64) << (8 * j);
            j += 1;
        }
        let h = bloom_hash(key);
        bits[h / 64] |= 1 << (h % 64);
        i += 1;
    }
    bits
};

const fn bloom_hash(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize
}

/// The texting word packed as `key`, if any. The filter is inlined into the
/// per-word loop; only its hits pay for a call and a search.
#[inline]
fn texting_key(key: u64) -> Option<&'static str> {
    let h = bloom_hash(key);
    if TEXTING_BLOOM
        .get(h / 64)
        .is_none_or(|w| w & (1 << (h % 64)) == 0)
    {
        return None;
    }
    texting_search(key)
}

#[inline(never)]
fn texting_search(key: u64) -> Option<&'static str> {
    let table = &*TEXTING_PACKED;
    table
        .binary_search_by_key(&key, |(k, _)| *k)
        .ok()
        .and_then(|i| table.get(i))
        .map(|(_, v)| *v)
}

/// Rewrites the texting words of `out[base..]` ([`TEXTING`]); called only
/// when [`normalize_raw`] saw one.
fn canonical_texting(out: &mut String, base: usize) {
    let Some(tail) = out.get(base..) else { return };
    let words: Vec<&str> = tail.split(' ').collect();
    let mut fixed = String::with_capacity(tail.len() + 16);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            fixed.push(' ');
        }
        let canonical = match texting_form(w.as_bytes()) {
            Some(_) if *w == "ur" => {
                let next = words.get(i + 1).copied().unwrap_or("");
                if UR_IS_YOU_ARE.contains(&next) {
                    "you're"
                } else {
                    "your"
                }
            }
            Some(c) => c,
            None => w,
        };
        fixed.push_str(canonical);
    }
    out.truncate(base);
    out.push_str(&fixed);
}

/// What an ASCII byte is to [`normalize_raw`], one table load instead of a
/// chain of range comparisons per byte.
const ALNUM: u8 = 1;
/// `A`-`Z`: a run holding one has to be lowercased after it is copied.
const UPPER: u8 = 2;
/// ASCII whitespace as `char::is_whitespace` has it (for the word count).
const SPACE: u8 = 4;

/// Indexed by any byte (no bounds check, no separate ASCII test in the loop that
/// scans a word); bytes of non-ASCII characters are 0.
static ASCII_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_alphanumeric() {
            ALNUM
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            SPACE
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The first `n` (1 to 8) bytes of `bytes`, ASCII letters and digits,
/// lowercased and packed as [`packed`] does. The lowercase of an ASCII letter
/// or digit is the byte with bit 5 set.
#[inline(always)]
fn pack_lower(bytes: &[u8], n: usize) -> u64 {
    let mask = u64::MAX >> (64 - 8 * n.clamp(1, 8));
    if let Some(eight) = bytes.first_chunk::<8>() {
        return (u64::from_le_bytes(*eight) | 0x2020_2020_2020_2020) & mask;
    }
    bytes
        .iter()
        .take(n)
        .enumerate()
        .fold(0u64, |k, (i, &b)| k | u64::from(b | 0x20) << (8 * i))
}

/// [`normalize_append`] without the texting spellings.
/// Also returns whether a word of [`TEXTING`] was written: each ASCII word is
/// packed ([`packed`]) as it is written, so the check costs no second pass.
fn normalize_raw(text: &str, out: &mut String) -> (usize, bool) {
    let base = out.len();
    // The word being written, packed, and its length (9 = not a candidate;
    // lengths past 8 are all 9).
    let (mut key, mut len) = (0u64, 0u32);
    let mut texting = false;
    let mut finish = |key: u64, len: u32| {
        if (1..=8).contains(&len) && texting_key(key).is_some() {
            texting = true;
        }
    };
    let mut in_word = false;
    let mut words = 0;
    let mut prev_space = true;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // ASCII, most of every chat: no char decoding, no Unicode tables.
        if b < 0x80 {
            let class = ASCII_CLASS[usize::from(b)];
            if class & ALNUM != 0 {
                // A stretch of ASCII words (letters and digits) joined by
                // single spaces is written as it is, lowercased: one copy for
                // the stretch instead of a push per byte, which was most of
                // the cost. Its words are still packed one by one.
                let start = i;
                let mut upper = 0;
                let continues = in_word;
                loop {
                    let run_start = i;
                    while let Some(&c) = bytes.get(i).map(|&b| &ASCII_CLASS[usize::from(b)])
                        && c & ALNUM != 0
                    {
                        upper |= c;
                        i += 1;
                    }
                    if run_start > start {
                        // After a space of the stretch: a new word.
                        words += 1;
                        finish(key, len);
                        (key, len) = (0, 0);
                    } else {
                        words += usize::from(prev_space);
                        if !continues {
                            finish(key, len);
                            (key, len) = (0, 0);
                        }
                    }
                    let n = i - run_start;
                    if len as usize + n <= 8 {
                        key |=
                            pack_lower(bytes.get(run_start..).unwrap_or_default(), n) << (8 * len);
                    }
                    len = (len as usize + n).min(9) as u32;
                    // One space, then another ASCII letter or digit: the stretch goes on.
                    if bytes.get(i) == Some(&b' ')
                        && bytes
                            .get(i + 1)
                            .is_some_and(|&b| ASCII_CLASS[usize::from(b)] & ALNUM != 0)
                    {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if !continues && out.len() > base {
                    out.push(' ');
                }
                let at = out.len();
                out.push_str(text.get(start..i).unwrap_or_default());
                if upper & UPPER != 0
                    && let Some(written) = out.get_mut(at..)
                {
                    written.make_ascii_lowercase();
                }
                prev_space = false;
                in_word = true;
                continue;
            }
            i += 1;
            let space = class & SPACE != 0;
            words += usize::from(prev_space & !space);
            prev_space = space;
            if b == b'\'' || b == b'`' {
                let before = out.len();
                in_word = apostrophe(in_word, text.get(i..).and_then(|t| t.chars().next()), out);
                if out.len() > before {
                    if len < 8 {
                        key |= u64::from(b'\'') << (8 * len);
                    }
                    len = (len + 1).min(9);
                }
            } else {
                in_word = false;
            }
            continue;
        }
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        let space = c.is_whitespace();
        words += usize::from(prev_space & !space);
        prev_space = space;
        let c = match c {
            '\u{2019}' | '\u{2018}' | '\u{00b4}' => '\'',
            _ => c,
        };
        if c.is_alphanumeric() {
            if !in_word {
                finish(key, len);
                key = 0;
                if out.len() > base {
                    out.push(' ');
                }
            }
            for l in c.to_lowercase() {
                out.push(l);
            }
            // No texting form holds a non-ASCII letter.
            len = 9;
            in_word = true;
        } else if c == '\'' {
            let before = out.len();
            in_word = apostrophe(in_word, text.get(i..).and_then(|t| t.chars().next()), out);
            if out.len() > before {
                if len < 8 {
                    key |= u64::from(b'\'') << (8 * len);
                }
                len = (len + 1).min(9);
            }
        } else if is_symbol(c) {
            finish(key, len);
            (key, len) = (0, 9);
            if out.len() > base {
                out.push(' ');
            }
            out.push(c);
            in_word = false;
        } else {
            in_word = false;
        }
    }
    finish(key, len);
    (words, texting)
}

/// Where the punctuation of the raw text falls in the normalized text (which
/// drops it), for the sentence rules (`classify::Frame`): bit `k` of a mask is
/// set when the mark comes after the first `k` words (marks after word 63
/// count at 63).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Marks {
    /// A clause ends: `.` `,` `!` `?` `;` `:` `(` `)`, a line break or a quotation mark.
    pub clause: u64,
    /// A `?`.
    pub question: u64,
    /// A quotation mark: `"` `“` `”` `„` `«` `»`, or `'` `‘` `’` opening before a
    /// word or closing after one (not an apostrophe inside a word: "don't").
    pub quote: u64,
    /// Words in the normalized text.
    pub words: u32,
    /// Bit `k`: word `k` starts inside a quotation (an odd number of
    /// quotation marks before it). Unlike counting the bits of `quote`, it
    /// stays right when one quotation closes and the next opens between the
    /// same two words ("yes boss" "sorry").
    pub inside: u64,
    /// Whether a quotation is open at this point of the pass.
    open: bool,
}

impl Marks {
    #[inline(always)]
    fn bit(words: u32) -> u64 {
        1u64 << words.min(63)
    }

    #[inline(always)]
    fn ascii(&mut self, b: u8, words: u32) {
        let bit = Marks::bit(words);
        match b {
            b'.' | b',' | b'!' | b';' | b':' | b'(' | b')' | b'\n' => self.clause |= bit,
            b'?' => {
                self.clause |= bit;
                self.question |= bit;
            }
            b'"' => self.quote_at(words),
            _ => {}
        }
    }

    #[inline(always)]
    fn quote_at(&mut self, words: u32) {
        let bit = Marks::bit(words);
        self.clause |= bit;
        self.quote |= bit;
        self.open = !self.open;
    }

    /// A word starts: counts it and notes whether it is inside a quotation.
    #[inline(always)]
    fn word(&mut self, words: &mut u32) {
        if self.open {
            self.inside |= Marks::bit(*words);
        }
        *words += 1;
    }

    /// A single quote: a quotation mark when it opens before a word (not after
    /// a letter) or closes after one (before a non-letter).
    #[inline(always)]
    fn single_quote(&mut self, in_word: bool, next: Option<char>, words: u32) {
        if in_word != next.is_some_and(char::is_alphanumeric) {
            self.quote_at(words);
        }
    }
}

/// Where the clause ends and quotation marks of `text` fall in its normalized
/// text ([`Marks`]). A second pass over the text, made only for the few
/// messages whose markers need their sentence read (recording the marks in
/// the one pass every message gets cost more); it counts words as
/// [`normalize`] makes them, without writing them.
pub(crate) fn marks_of(text: &str) -> Marks {
    let mut marks = Marks::default();
    let (mut nw, mut in_word) = (0u32, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        if c.is_ascii() {
            let b = c as u8;
            if b.is_ascii_alphanumeric() {
                if !in_word {
                    marks.word(&mut nw);
                }
                in_word = true;
            } else if b == b'\'' || b == b'`' {
                marks.single_quote(in_word, next, nw);
                in_word = in_word && next.is_some_and(char::is_alphanumeric);
            } else {
                if !b.is_ascii_whitespace() || b == b'\n' {
                    marks.ascii(b, nw);
                }
                in_word = false;
            }
            continue;
        }
        match c {
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{ab}' | '\u{bb}' => marks.quote_at(nw),
            '\u{2018}' | '\u{2019}' => marks.single_quote(in_word, next, nw),
            _ => {}
        }
        let c = match c {
            '\u{2019}' | '\u{2018}' | '\u{00b4}' => '\'',
            _ => c,
        };
        if c.is_alphanumeric() {
            if !in_word {
                marks.word(&mut nw);
            }
            in_word = true;
        } else if c == '\'' {
            in_word = in_word && next.is_some_and(char::is_alphanumeric);
        } else {
            if is_symbol(c) {
                marks.word(&mut nw);
            }
            in_word = false;
        }
    }
    marks.words = nw;
    marks
}

/// Keep an apostrophe only between two letters ("don't"); returns whether a word goes on.
fn apostrophe(in_word: bool, next: Option<char>, out: &mut String) -> bool {
    if in_word && next.is_some_and(char::is_alphanumeric) {
        out.push('\'');
        true
    } else {
        false
    }
}

/// Emoji and pictographs worth keeping as words.
fn is_symbol(c: char) -> bool {
    let u = c as u32;
    (0x2600..=0x27BF).contains(&u) || (0x1F300..=0x1FAFF).contains(&u) || u == 0x2764
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn words_apostrophes_emoji() {
        assert_eq!(normalize("Don’t   DO that!!🙄🙄"), "don't do that 🙄 🙄");
        assert_eq!(normalize("'quoted' k."), "quoted k");
        assert_eq!(normalize("❤️ love"), "❤ love");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("...?!"), "");
        assert_eq!(normalize("It`s ÉTÉ, l’été"), "it's été l'été");
        assert_eq!(normalize("don' t"), "don t");
    }

    #[test]
    fn texting_spellings_become_the_words_the_rules_read() {
        assert_eq!(
            normalize("its never ever ur fault is it"),
            "its never ever your fault is it"
        );
        assert_eq!(normalize("how ur a let down"), "how you're a let down");
        assert_eq!(
            normalize("i've blocked u. pls dont"),
            "i've blocked you please don't"
        );
        assert_eq!(normalize("U R so selfish"), "you are so selfish");
        // Words that only look like them stay.
        assert_eq!(normalize("uruguay ure ur"), "uruguay you're your");
        assert_eq!(normalize("bus route"), "bus route");
        assert!(super::TEXTING.windows(2).all(|w| w[0].0 < w[1].0));
        // TEXTING_BLOOM packs at most 8 bytes of a word.
        assert!(
            super::TEXTING
                .iter()
                .all(|(k, _)| (1..=8).contains(&k.len()))
        );
    }

    #[test]
    fn marks_clauses_questions_and_quotes() {
        let marked = |t: &str| (super::normalize(t), super::marks_of(t));
        let (out, m) = marked("she said \"you never\". ok? don't");
        assert_eq!(out, "she said you never ok don't");
        // Bit k: after the first k words.
        assert_eq!(m.quote, 1 << 2 | 1 << 4);
        assert_eq!(m.clause, 1 << 2 | 1 << 4 | 1 << 5);
        assert_eq!(m.question, 1 << 5);
        assert_eq!(m.words, 6);
        let (_, m) = marked("he goes 'you never' lol");
        assert_eq!(m.quote, 1 << 2 | 1 << 4);
        let (out, m) = marked("“leave me alone” it’s fine 🙄");
        assert_eq!(out, "leave me alone it's fine 🙄");
        assert_eq!(m.quote, 1 << 0 | 1 << 3);
        assert_eq!(m.words, 6);
        assert_eq!(m.inside, 1 << 0 | 1 << 1 | 1 << 2);
        // One quotation closes and the next opens between the same two words:
        // both quote marks land on one bit, but the words inside stay right.
        let (_, m) = marked("everything is \"yes boss\" \"sorry abena\" ok");
        assert_eq!(m.quote, 1 << 2 | 1 << 4 | 1 << 6);
        assert_eq!(m.inside, 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5);
    }

    proptest::proptest! {
        /// The ASCII fast path agrees with the char-by-char definition.
        #[test]
        fn fast_path_matches_reference(s in "[a-zA-Z0-9 '`.,!?\t\n\u{a0}\u{2003}\u{2019}éÉ🙄❤️\u{fe0f}]{0,40}") {
            let mut want = reference(&s);
            super::canonical_texting(&mut want, 0);
            proptest::prop_assert_eq!(normalize(&s), want);
            let mut out = String::new();
            proptest::prop_assert_eq!(super::normalize_append(&s, &mut out), s.split_whitespace().count());
            // Counting words for the marks counts the normalized words.
            proptest::prop_assert_eq!(super::marks_of(&s).words as usize, out.split(' ').filter(|w| !w.is_empty()).count());
        }
    }

    /// The original char-by-char implementation.
    fn reference(text: &str) -> String {
        let mut out = String::new();
        let mut in_word = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let c = match c {
                '\u{2019}' | '\u{2018}' | '`' | '\u{00b4}' => '\'',
                _ => c,
            };
            if c.is_alphanumeric() {
                if !in_word && !out.is_empty() {
                    out.push(' ');
                }
                out.extend(c.to_lowercase());
                in_word = true;
            } else if c == '\'' {
                let next_alpha = chars.peek().is_some_and(|n| n.is_alphanumeric());
                if in_word && next_alpha {
                    out.push('\'');
                } else {
                    in_word = false;
                }
            } else if super::is_symbol(c) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push(c);
                in_word = false;
            } else {
                in_word = false;
            }
        }
        out
    }
}
