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

use std::borrow::Cow;

use crate::error::ParseError;

pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// (line, reason, excerpt) of lines dropped because they were not UTF-8.
    pub bad_lines: Vec<(usize, String, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Utf16 {
    Le,
    Be,
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
            bad_lines: Vec::new(),
        });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(Decoded {
            text: Cow::Owned(decode_utf16(rest, Utf16::Be, warnings)),
            bad_lines: Vec::new(),
        });
    }
    if let Some(order) = sniff_utf16(bytes) {
        return Ok(Decoded {
            text: Cow::Owned(decode_utf16(bytes, order, warnings)),
            bad_lines: Vec::new(),
        });
    }
    decode_utf8(bytes, 0)
}

fn decode_utf8(bytes: &[u8], _first_line: usize) -> Result<Decoded<'_>, ParseError> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(Decoded {
            text: Cow::Borrowed(s),
            bad_lines: Vec::new(),
        }),
        Err(_) => repair_lines(bytes),
    }
}

/// Keep the UTF-8 lines, blank out the others (keeping line numbers).
fn repair_lines(bytes: &[u8]) -> Result<Decoded<'_>, ParseError> {
    let mut out = String::with_capacity(bytes.len());
    let mut bad_lines = Vec::new();
    let mut nonblank = 0usize;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            nonblank += 1;
        }
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => {
                let lossy = String::from_utf8_lossy(line);
                bad_lines.push((
                    i + 1,
                    "this line is not UTF-8 text, so it could not be read".to_string(),
                    lossy.into_owned(),
                ));
            }
        }
    }
    if bad_lines.len() * 2 > nonblank {
        let line = bad_lines.first().map_or(1, |b| b.0);
        return Err(ParseError::NotUtf8 { line });
    }
    Ok(Decoded {
        text: Cow::Owned(out),
        bad_lines,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
        assert_eq!(d.bad_lines.len(), 1);
        assert_eq!(d.bad_lines[0].0, 2);
    }

    #[test]
    fn mostly_latin1_is_refused() {
        let mut w = Vec::new();
        let e = decode(b"caf\xE9\nna\xEFve\nok", &mut w).err().unwrap();
        assert_eq!(e, ParseError::NotUtf8 { line: 1 });
        assert!(e.to_string().starts_with("Line 1 is not readable text"));
    }
}
