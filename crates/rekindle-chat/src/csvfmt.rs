//! Plain CSV: a header row, then one message per row.
//!
//! * Delimiter: `,`, `;`, tab or `|`, whichever the header uses most.
//! * Columns (case-insensitive): time = `time`, `timestamp`, `datetime`,
//!   `date_time`, `sent`, `sent_at`, `created_at`, `date` (a separate `date`
//!   and `time` pair is joined); sender = `sender`, `from`, `author`, `name`,
//!   `user`, `username`, `sender_name`, `participant`; text = `text`,
//!   `message`, `content`, `body`, `msg`; optional kind = `kind`, `type`.
//! * Time: ISO 8601 `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` with an optional `Z` or
//!   `±HH:MM` offset (kept), `/` also accepted in the date; or a Unix time in
//!   seconds (10 digits) or milliseconds (13 digits), read as UTC (offset 0).
//! * An empty sender means a system line.
//!
//! What [`crate::write_csv`] writes reads back to the same messages.

use std::borrow::Cow;

use jiff::civil::DateTime;
use jiff::tz::Offset;

use crate::error::{ParseError, found};
use crate::{MessageKind, MessageRef, Stats};

const TIME: &[&str] = &[
    "time",
    "timestamp",
    "datetime",
    "date_time",
    "date time",
    "sent",
    "sent_at",
    "created_at",
    "date",
];
const SENDER: &[&str] = &[
    "sender",
    "from",
    "author",
    "name",
    "user",
    "username",
    "sender_name",
    "participant",
];
const TEXT: &[&str] = &["text", "message", "content", "body", "msg", "message_text"];
const KIND: &[&str] = &["kind", "type"];

struct Columns {
    delimiter: u8,
    time: usize,
    /// A separate date column to join with `time`.
    date: Option<usize>,
    sender: Option<usize>,
    text: usize,
    kind: Option<usize>,
}

fn header_names(line: &str, delimiter: u8) -> Vec<String> {
    line.split(delimiter as char)
        .map(|f| {
            f.trim()
                .trim_matches('"')
                .trim_start_matches('\u{feff}')
                .trim()
                .to_ascii_lowercase()
        })
        .collect()
}

fn find(names: &[String], wanted: &[&str]) -> Option<usize> {
    wanted
        .iter()
        .find_map(|w| names.iter().position(|n| n == w))
}

fn columns(text: &str) -> Option<(usize, Columns)> {
    let (line_no, line) = crate::first_nonblank_line(text);
    let delimiter = [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| line.bytes().filter(|b| b == d).count())?;
    let names = header_names(line, delimiter);
    let text_col = find(&names, TEXT)?;
    let (time, date) = match (
        names.iter().position(|n| n == "time"),
        names.iter().position(|n| n == "date"),
    ) {
        (Some(t), Some(d)) => (t, Some(d)),
        _ => (find(&names, TIME)?, None),
    };
    Some((
        line_no,
        Columns {
            delimiter,
            time,
            date,
            sender: find(&names, SENDER),
            text: text_col,
            kind: find(&names, KIND),
        },
    ))
}

pub(crate) fn looks_like(text: &str) -> bool {
    columns(text).is_some()
}

fn digits(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let s = b.get(i..i + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |v, d| v * 10 + (d - b'0') as u32))
}

/// Parse a CSV time. Returns the civil time and the offset if one was given.
pub(crate) fn parse_time(s: &str) -> Option<(DateTime, Option<i32>)> {
    let s = s.trim();
    let b = s.as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        let n: i64 = s.parse().ok()?;
        let ts = match b.len() {
            9 | 10 => jiff::Timestamp::from_second(n).ok()?,
            12 | 13 => jiff::Timestamp::from_millisecond(n).ok()?,
            _ => return None,
        };
        return Some((Offset::UTC.to_datetime(ts), Some(0)));
    }
    parse_iso(s)
}

/// An ISO 8601 date and time `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` (also `/` in the
/// date, `,` before the fraction, a lowercase `t`, or a date alone), optionally
/// followed by `Z` or an offset `±HH:MM`, `±HHMM` or `±HH`. Returns the civil
/// time as written (fraction kept to the nanosecond) and the offset in seconds
/// if one was given. Used for CSV and for Telegram's `date`.
pub(crate) fn parse_iso(s: &str) -> Option<(DateTime, Option<i32>)> {
    let s = s.trim();
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    let sep = *b.get(4)?;
    if sep != b'-' && sep != b'/' || b.get(7) != Some(&sep) {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let mut i = 10;
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0u32);
    if matches!(b.get(i), Some(b'T' | b't' | b' ')) {
        hour = digits(b, i + 1, 2)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        minute = digits(b, i + 4, 2)?;
        i += 6;
        if b.get(i) == Some(&b':') {
            second = digits(b, i + 1, 2)?;
            i += 3;
            if matches!(b.get(i), Some(b'.' | b',')) {
                i += 1;
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let frac = &s[start..i];
                if frac.is_empty() {
                    return None;
                }
                let mut v: u32 = 0;
                for (k, d) in frac.bytes().take(9).enumerate() {
                    v += (d - b'0') as u32 * 10u32.pow(8 - k as u32);
                }
                nanos = v;
            }
        }
    }
    let offset = match b.get(i) {
        None => None,
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(0),
        Some(&c @ (b'+' | b'-')) => {
            let h = digits(b, i + 1, 2)? as i32;
            let rest = &b[i + 3..];
            let m = match rest {
                [] => 0,
                [b':', m1, m2] | [m1, m2] if m1.is_ascii_digit() && m2.is_ascii_digit() => {
                    ((m1 - b'0') * 10 + (m2 - b'0')) as i32
                }
                _ => return None,
            };
            if h > 18 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            Some(if c == b'-' { -secs } else { secs })
        }
        _ => return None,
    };
    let t = DateTime::new(
        year as i16,
        month as i8,
        day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        nanos as i32,
    )
    .ok()?;
    Some((t, offset))
}

pub(crate) fn parse(
    text: &str,
    stats: &mut Stats,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<(), ParseError> {
    let Some((header_line, cols)) = columns(text) else {
        let (line, first) = crate::first_nonblank_line(text);
        return Err(ParseError::NotAChat {
            line,
            what: "a CSV header".into(),
            expected: "column names including a time (time, timestamp, date) and a text (text, message, content) column".into(),
            found: found(first),
        });
    };
    // Start reading at the header line (skipping blank lines before it).
    let start = text
        .split_inclusive('\n')
        .take(header_line - 1)
        .map(str::len)
        .sum::<usize>();
    let body = text.get(start..).unwrap_or("");
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(cols.delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(body.as_bytes());
    let mut rec = csv::StringRecord::new();
    let mut joined = String::new();
    let mut errors = 0usize;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize) + header_line - 1;
                stats.skip(line, "this row could not be read as CSV", "");
                errors += 1;
                if errors > 1000 {
                    break;
                }
                continue;
            }
        }
        let line = rec.position().map_or(0, |p| p.line() as usize) + header_line - 1;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let time_field = rec.get(cols.time).unwrap_or("");
        let time_str: &str = match cols.date {
            Some(d) => {
                joined.clear();
                joined.push_str(rec.get(d).unwrap_or("").trim());
                joined.push(' ');
                joined.push_str(time_field.trim());
                &joined
            }
            None => time_field,
        };
        let Some((time, offset_seconds)) = parse_time(time_str) else {
            stats.skip(
                line,
                format!(
                    "expected a time such as 2024-03-12 21:05:00, found “{}”",
                    crate::error::excerpt(time_str, 30)
                ),
                &rec.iter().collect::<Vec<_>>().join(","),
            );
            continue;
        };
        // rekindle's own CSV (it alone has a `kind` column) guards cells a
        // spreadsheet would run with one apostrophe; take exactly that off.
        fn unguard(cell: &str, own: bool) -> &str {
            match cell.strip_prefix('\'') {
                Some(rest) if own && crate::output::formula_guarded(rest) => rest,
                _ => cell,
            }
        }
        let own = cols.kind.is_some();
        let sender = cols
            .sender
            .and_then(|c| rec.get(c))
            .filter(|s| !s.is_empty())
            .map(|s| unguard(s, own));
        let body = unguard(rec.get(cols.text).unwrap_or(""), own);
        let kind = cols
            .kind
            .and_then(|c| rec.get(c))
            .and_then(|k| k.parse::<MessageKind>().ok())
            .unwrap_or(if sender.is_none() {
                MessageKind::System
            } else {
                MessageKind::Text
            });
        let text_cow = if body.contains('\r') {
            Cow::Owned(body.replace("\r\n", "\n"))
        } else {
            Cow::Borrowed(body)
        };
        let m = MessageRef {
            time,
            offset_seconds,
            sender: if kind == MessageKind::System {
                None
            } else {
                sender
            },
            text: text_cow,
            kind,
        };
        stats.record(&m);
        sink(m);
    }
    if stats.messages() == 0 {
        if let Some(first) = stats_first_skip(stats) {
            return Err(first);
        }
        return Err(ParseError::NoMessages {
            format: crate::Format::Csv,
        });
    }
    Ok(())
}

fn stats_first_skip(stats: &Stats) -> Option<ParseError> {
    let s = stats.first_skipped()?;
    Some(ParseError::NotAChat {
        line: s.line,
        what: "a CSV row of a chat".into(),
        expected: "a time such as 2024-03-12 21:05:00 in the time column".into(),
        found: found(&s.excerpt),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = |s: &str| parse_time(s).map(|(d, o)| (d.to_string(), o));
        assert_eq!(
            t("2024-03-12T21:05:00"),
            Some(("2024-03-12T21:05:00".into(), None))
        );
        assert_eq!(
            t("2024-03-12 21:05"),
            Some(("2024-03-12T21:05:00".into(), None))
        );
        assert_eq!(
            t("2024-03-12T21:05:00+02:00"),
            Some(("2024-03-12T21:05:00".into(), Some(7200)))
        );
        assert_eq!(
            t("2024-03-12T21:05:00.5Z"),
            Some(("2024-03-12T21:05:00.5".into(), Some(0)))
        );
        assert_eq!(
            t("2024-03-12T21:05:00-0530"),
            Some(("2024-03-12T21:05:00".into(), Some(-19800)))
        );
        assert_eq!(
            t("1700000000"),
            Some(("2023-11-14T22:13:20".into(), Some(0)))
        );
        assert_eq!(
            t("1700000000000"),
            Some(("2023-11-14T22:13:20".into(), Some(0)))
        );
        assert_eq!(t("2024-13-12"), None);
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("2024-03-12T21:05:00+"), None);
    }
}
