//! Turning bytes into text.
//!
//! * UTF-8, with or without a byte-order mark: used as is (borrowed, no copy).
//! * UTF-16 LE/BE with a byte-order mark — or without one when the first
//!   kilobyte clearly is UTF-16 (every other byte zero) — is decoded losslessly
//!   (unpaired surrogates, which cannot occur in a real export, become U+FFFD
//!   with a warning).
//! * Otherwise a file that is *mostly* UTF-8 keeps its good lines: each line
//!   that is not valid UTF-8 is replaced by an empty line and reported as a
//!   skipped line. A file where more than half of the non-blank lines are not
//!   UTF-8 is refused with [`ParseError::NotUtf8`] (we do not guess Latin-1 or
//!   Windows-1252: the apps never write them, and a wrong guess would silently
//!   change text).
//!
//! Memory (issue 18, item 4): a file given by reference is repaired into one
//! new string (the file and its text: about twice its size), so a caller that
//! owns the file's bytes hands them to [`crate::prepare`] instead, which blanks
//! the bad lines in place: no second copy. Either way only the first
//! [`MAX_SKIPPED_EXAMPLES`] bad lines keep an excerpt; the rest are counted.

use std::borrow::Cow;

use crate::MAX_SKIPPED_EXAMPLES;
use crate::error::ParseError;

/// Why a line was left out.
pub(crate) const NOT_UTF8: &str = "this line is not UTF-8 text, so it could not be read";

/// Bytes of a bad line kept for its excerpt (the excerpt shows 80 characters).
const EXCERPT_BYTES: usize = 400;

pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// The lines dropped because they were not UTF-8.
    pub bad: BadLines,
}

/// Lines left out because they were not UTF-8: how many, and the first
/// [`MAX_SKIPPED_EXAMPLES`] of them (line number, the start of the line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BadLines {
    pub(crate) count: usize,
    pub(crate) examples: Vec<(usize, String)>,
}

impl BadLines {
    fn note(&mut self, line: usize, bytes: &[u8]) {
        self.count += 1;
        if self.examples.len() < MAX_SKIPPED_EXAMPLES {
            let start = &bytes[..bytes.len().min(EXCERPT_BYTES)];
            self.examples
                .push((line, String::from_utf8_lossy(start).into_owned()));
        }
    }
}

/// The lines of `bytes` (split at `\n`, as the repair keeps them), numbered from 1.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// Refuses a file where more than half of the non-blank lines are not UTF-8,
/// before anything is copied or changed.
fn check_mostly_utf8(bytes: &[u8]) -> Result<(), ParseError> {
    let (mut bad, mut nonblank, mut first_bad) = (0usize, 0usize, None);
    for (n, line) in lines(bytes) {
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            nonblank += 1;
        }
        if std::str::from_utf8(line).is_err() {
            bad += 1;
            first_bad.get_or_insert(n);
        }
    }
    if bad * 2 > nonblank {
        return Err(ParseError::NotUtf8 {
            line: first_bad.unwrap_or(1),
        });
    }
    Ok(())
}

/// Whether `bytes` would be read as UTF-16 (a byte-order mark, or the look of it).
fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || sniff_utf16(bytes).is_some()
}

/// Blanks the lines of `bytes` that are not UTF-8, in place: the good lines
/// move up over the bad ones' bytes, each line break stays, and the vector is
/// shortened (no second copy of the file). `None`, and `bytes` unchanged,
/// when there is nothing to repair this way: the file is UTF-8 already, or
/// UTF-16, or more than half of it is not UTF-8 (then parsing it refuses it).
pub(crate) fn repair_in_place(bytes: &mut Vec<u8>) -> Option<BadLines> {
    if is_utf16(bytes) || simdutf8::basic::from_utf8(bytes).is_ok() {
        return None;
    }
    check_mostly_utf8(bytes).ok()?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let mut bad = BadLines::default();
    let (mut read, mut write, mut line) = (0usize, 0usize, 0usize);
    let len = bytes.len();
    loop {
        line += 1;
        let end = memchr::memchr(b'\n', &bytes[read..]).map_or(len, |i| read + i);
        if std::str::from_utf8(&bytes[read..end]).is_ok() {
            bytes.copy_within(read..end, write);
            write += end - read;
        } else {
            bad.note(line, &bytes[read..end]);
        }
        if end == len {
            break;
        }
        bytes[write] = b'\n';
        write += 1;
        read = end + 1;
    }
    bytes.truncate(write);
    Some(bad)
}

/// The text of a file [`repair_in_place`] repaired (UTF-8 throughout now),
/// with the lines it left out.
pub(crate) fn decode_repaired<'a>(
    bytes: &'a [u8],
    bad: &BadLines,
) -> Result<Decoded<'a>, ParseError> {
    let text = simdutf8::basic::from_utf8(bytes).map_err(|_| ParseError::NotUtf8 {
        line: bad.examples.first().map_or(1, |b| b.0),
    })?;
    Ok(Decoded {
        text: Cow::Borrowed(text),
        bad: bad.clone(),
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Utf16 {
    Le,
    Be,
}

/// Whether `bytes` look like UTF-16 without a byte order mark (as [`decode`] reads them).
pub(crate) fn looks_utf16(bytes: &[u8]) -> bool {
    sniff_utf16(bytes).is_some()
}

fn sniff_utf16(bytes: &[u8]) -> Option<Utf16> {
    let n = bytes.len().min(1024) & !1;
    if n < 4 {
        return None;
    }
    let sample = &bytes[..n];
    let pairs = n / 2;
    let even_zero = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zero = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd_zero * 10 >= pairs * 3 && even_zero * 20 < pairs {
        Some(Utf16::Le)
    } else if even_zero * 10 >= pairs * 3 && odd_zero * 20 < pairs {
        Some(Utf16::Be)
    } else {
        None
    }
}

fn decode_utf16(bytes: &[u8], order: Utf16, warnings: &mut Vec<String>) -> String {
    let units = bytes.chunks_exact(2).map(|c| match order {
        Utf16::Le => u16::from_le_bytes([c[0], c[1]]),
        Utf16::Be => u16::from_be_bytes([c[0], c[1]]),
    });
    let mut out = String::with_capacity(bytes.len());
    let mut bad = 0usize;
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => out.push(c),
            Err(_) => {
                bad += 1;
                out.push('\u{fffd}');
            }
        }
    }
    if bad > 0 {
        warnings.push(format!(
            "{bad} character(s) in this UTF-16 file were broken and are shown as �."
        ));
    }
    if bytes.len() % 2 == 1 {
        warnings
            .push("The file ends in the middle of a character; the last byte was ignored.".into());
    }
    out
}

pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    warnings: &mut Vec<String>,
) -> Result<Decoded<'a>, ParseError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8(rest, 0);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok(Decoded {
            text: Cow::Owned(decode_utf16(rest, Utf16::Le, warnings)),
            bad: BadLines::default(),
        });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(Decoded {
            text: Cow::Owned(decode_utf16(rest, Utf16::Be, warnings)),
            bad: BadLines::default(),
        });
    }
    if let Some(order) = sniff_utf16(bytes) {
        return Ok(Decoded {
            text: Cow::Owned(decode_utf16(bytes, order, warnings)),
            bad: BadLines::default(),
        });
    }
    decode_utf8(bytes, 0)
}

/// [`decode`] of bytes already found to be UTF-8: the same text, without
/// checking them again. (A file of valid UTF-8 cannot start with the UTF-16
/// byte order marks, whose bytes 0xFF and 0xFE never occur in UTF-8.)
pub(crate) fn decode_checked<'a>(text: &'a str, warnings: &mut Vec<String>) -> Decoded<'a> {
    if let Some(order) = sniff_utf16(text.as_bytes()).filter(|_| !text.starts_with('\u{feff}')) {
        return Decoded {
            text: Cow::Owned(decode_utf16(text.as_bytes(), order, warnings)),
            bad: BadLines::default(),
        };
    }
    Decoded {
        text: Cow::Borrowed(text.strip_prefix('\u{feff}').unwrap_or(text)),
        bad: BadLines::default(),
    }
}

fn decode_utf8(bytes: &[u8], _first_line: usize) -> Result<Decoded<'_>, ParseError> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(Decoded {
            text: Cow::Borrowed(s),
            bad: BadLines::default(),
        }),
        Err(_) => repair_lines(bytes),
    }
}

/// Keep the UTF-8 lines, blank out the others (keeping line numbers), in a
/// new string: the caller keeps its bytes (see [`repair_in_place`] for a
/// caller that can give them up).
fn repair_lines(bytes: &[u8]) -> Result<Decoded<'_>, ParseError> {
    check_mostly_utf8(bytes)?;
    let mut out = String::with_capacity(bytes.len());
    let mut bad = BadLines::default();
    for (n, line) in lines(bytes) {
        if n > 1 {
            out.push('\n');
        }
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => bad.note(n, line),
        }
    }
    Ok(Decoded {
        text: Cow::Owned(out),
        bad,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Text already checked reads exactly as its bytes would: with or
        /// without a byte order mark, and ASCII with NULs that looks like UTF-16.
        #[test]
        fn checked_text_decodes_as_its_bytes(
            body in "(\\PC|\u{0}|\n){0,64}",
            bom in proptest::bool::ANY,
            ascii_pairs in proptest::bool::ANY,
        ) {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            if ascii_pairs {
                // "a\0b\0..." is valid UTF-8 and sniffs as UTF-16 LE.
                for c in body.chars().filter(char::is_ascii) {
                    text.push(c);
                    text.push('\u{0}');
                }
            } else {
                text.push_str(&body);
            }
            let (mut w1, mut w2) = (Vec::new(), Vec::new());
            let checked = decode_checked(&text, &mut w1);
            let plain = decode(text.as_bytes(), &mut w2).map_err(|e| e.to_string());
            proptest::prop_assert!(plain.is_ok());
            if let Ok(plain) = plain {
                proptest::prop_assert_eq!(checked.text, plain.text);
                proptest::prop_assert_eq!(checked.bad, plain.bad);
            }
            proptest::prop_assert_eq!(w1, w2);
        }
    }

    fn utf16(s: &str, order: Utf16, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if order == Utf16::Le {
                b"\xFF\xFE"
            } else {
                b"\xFE\xFF"
            });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&match order {
                Utf16::Le => u.to_le_bytes(),
                Utf16::Be => u.to_be_bytes(),
            });
        }
        v
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let s = "12/03/2024, 21:05 - Zoë: héllo 😀\n";
        for order in [Utf16::Le, Utf16::Be] {
            for bom in [true, false] {
                let mut w = Vec::new();
                let bytes = utf16(s, order, bom);
                let d = decode(&bytes, &mut w).unwrap();
                assert_eq!(d.text, s, "{order:?} bom={bom}");
                assert!(w.is_empty());
            }
        }
    }

    #[test]
    fn utf8_bom_is_stripped_and_borrowed() {
        let mut w = Vec::new();
        let d = decode(b"\xEF\xBB\xBFabc", &mut w).unwrap();
        assert!(matches!(d.text, Cow::Borrowed("abc")));
    }

    #[test]
    fn a_few_bad_lines_are_blanked_and_reported() {
        let mut w = Vec::new();
        let d = decode(b"good\ncaf\xE9\nalso good\nfine", &mut w).unwrap();
        assert_eq!(d.text, "good\n\nalso good\nfine");
        assert_eq!(d.bad.count, 1);
        assert_eq!(d.bad.examples[0].0, 2);
    }

    #[test]
    fn in_place_repair_gives_the_same_text_and_report_as_the_copy() {
        let cases: [&[u8]; 6] = [
            b"good\ncaf\xE9\nalso good\nfine",
            b"\xEF\xBB\xBFfirst\nna\xEFve\nok\nok\n",
            b"a\n\xFF\n\nb\nc\nd\n\xFE",
            b"\xE9 at the start\nthen good\nand good",
            b"one\ntwo\nthree\r\nbad \xC3\r\n",
            b"caf\xE9\nna\xEFve\nok",
        ];
        for case in cases {
            let mut w = Vec::new();
            let copied = decode(case, &mut w);
            let mut owned = case.to_vec();
            match (copied, repair_in_place(&mut owned)) {
                (Ok(copy), Some(bad)) => {
                    let repaired = decode_repaired(&owned, &bad).unwrap();
                    assert_eq!(repaired.text, copy.text, "{case:?}");
                    assert_eq!(repaired.bad, copy.bad, "{case:?}");
                    assert!(bad.count >= 1);
                }
                (Err(e), None) => {
                    assert_eq!(e, ParseError::NotUtf8 { line: 1 });
                    assert_eq!(owned, case, "a refused file is left as it was");
                }
                (copy, repaired) => panic!("{case:?}: {:?} vs {repaired:?}", copy.is_ok()),
            }
        }
    }

    #[test]
    fn only_the_first_bad_lines_keep_an_excerpt() {
        let mut file = Vec::new();
        for i in 0..200 {
            file.extend_from_slice(format!("good line {i}\n").as_bytes());
            file.extend_from_slice(b"bad \xE9");
            file.extend_from_slice(&[b'x'; 5000]);
            file.push(b'\n');
        }
        let mut owned = file.clone();
        let bad = repair_in_place(&mut owned).unwrap();
        assert_eq!(bad.count, 200);
        assert_eq!(bad.examples.len(), MAX_SKIPPED_EXAMPLES);
        assert!(
            bad.examples
                .iter()
                .all(|(_, e)| e.len() <= 3 * EXCERPT_BYTES)
        );
        assert_eq!(bad.examples[1].0, 4);
        let mut w = Vec::new();
        assert_eq!(decode(&file, &mut w).unwrap().bad, bad);
    }

    #[test]
    fn mostly_latin1_is_refused() {
        let mut w = Vec::new();
        let e = decode(b"caf\xE9\nna\xEFve\nok", &mut w).err().unwrap();
        assert_eq!(e, ParseError::NotUtf8 { line: 1 });
        assert!(e.to_string().starts_with("Line 1 is not readable text"));
    }
}
