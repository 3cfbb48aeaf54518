//! Normalized output (JSONL, CSV) and the idempotence key.

use std::collections::HashMap;
use std::io::{self, Write};

use jiff::civil::DateTime;
use sha2::{Digest, Sha256};

use crate::MessageRef;

/// `YYYY-MM-DDTHH:MM:SS[+HH:MM]` into a stack buffer (no formatting machinery: this
/// runs once per message in `convert`).
fn time_bytes(t: DateTime, offset: Option<i32>, buf: &mut [u8; 32]) -> usize {
    fn two(buf: &mut [u8], at: usize, v: u32) {
        buf[at] = b'0' + (v / 10 % 10) as u8;
        buf[at + 1] = b'0' + (v % 10) as u8;
    }
    let mut i = 0;
    let year = t.year();
    if year < 0 {
        buf[0] = b'-';
        i = 1;
    }
    let y = year.unsigned_abs() as u32;
    two(buf, i, y / 100);
    two(buf, i + 2, y % 100);
    i += 4;
    buf[i] = b'-';
    two(buf, i + 1, t.month() as u32);
    buf[i + 3] = b'-';
    two(buf, i + 4, t.day() as u32);
    buf[i + 6] = b'T';
    two(buf, i + 7, t.hour() as u32);
    buf[i + 9] = b':';
    two(buf, i + 10, t.minute() as u32);
    buf[i + 12] = b':';
    two(buf, i + 13, t.second() as u32);
    i += 15;
    if let Some(off) = offset {
        buf[i] = if off < 0 { b'-' } else { b'+' };
        let a = off.unsigned_abs();
        two(buf, i + 1, (a / 3600).min(99));
        buf[i + 3] = b':';
        two(buf, i + 4, (a % 3600) / 60);
        i += 6;
    }
    i
}

fn write_time(out: &mut impl Write, t: DateTime, offset: Option<i32>) -> io::Result<()> {
    let mut buf = [0u8; 32];
    let n = time_bytes(t, offset, &mut buf);
    out.write_all(&buf[..n])
}

/// The time as written in JSONL/CSV: `YYYY-MM-DDTHH:MM:SS`, followed by
/// `+HH:MM`/`-HH:MM` only when the format carries an offset. Sub-seconds are
/// not written.
pub fn format_time(t: DateTime, offset_seconds: Option<i32>) -> String {
    let mut buf = [0u8; 32];
    let n = time_bytes(t, offset_seconds, &mut buf);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Write one message as a JSON line (with the trailing `\n`):
///
/// `{"time":"2024-03-12T21:05:00","sender":"Sam","text":"hello","kind":"text"}`
///
/// `time` is the local time as exported, with `+HH:MM` appended only when the
/// format carries an offset; `sender` is `null` for system lines; `kind` is one
/// of `text`, `media`, `system`, `deleted`, `other`.
pub fn write_jsonl(msg: &MessageRef<'_>, out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"{\"time\":\"")?;
    write_time(out, msg.time, msg.offset_seconds)?;
    out.write_all(b"\",\"sender\":")?;
    match msg.sender {
        Some(s) => serde_json::to_writer(&mut *out, s).map_err(io::Error::from)?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\"text\":")?;
    serde_json::to_writer(&mut *out, msg.text.as_ref()).map_err(io::Error::from)?;
    out.write_all(b",\"kind\":\"")?;
    out.write_all(msg.kind.as_str().as_bytes())?;
    out.write_all(b"\"}\n")
}

/// The CSV header written by `convert --to csv`: `time,sender,text,kind`.
pub fn write_csv_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"time,sender,text,kind\n")
}

fn write_csv_field(out: &mut impl Write, s: &str) -> io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        out.write_all(b"\"")?;
        let mut rest = s;
        while let Some(i) = rest.find('"') {
            out.write_all(&rest.as_bytes()[..=i])?;
            out.write_all(b"\"")?;
            rest = &rest[i + 1..];
        }
        out.write_all(rest.as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(s.as_bytes())
    }
}

/// True when a spreadsheet would take the cell for a formula (OWASP CSV
/// injection: a leading `=`, `+`, `-`, `@`, tab or carriage return), or
/// when it already carries the guard apostrophe in front of one.
pub(crate) fn formula_guarded(s: &str) -> bool {
    matches!(
        s.trim_start_matches('\'').chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// A cell as written: one apostrophe in front of anything a spreadsheet
/// would run, so a message such as `=HYPERLINK(...)` stays text. Reading
/// rekindle's own CSV removes exactly that apostrophe again.
fn write_cell(out: &mut impl Write, s: &str) -> io::Result<()> {
    if formula_guarded(s) {
        write_csv_field(out, &format!("'{s}"))
    } else {
        write_csv_field(out, s)
    }
}

/// Write one message as a CSV row (RFC 4180 quoting, `\n` line end). The
/// sender is empty for system lines. Reading the result back with
/// [`crate::parse`] gives the same messages (sub-seconds aside).
pub fn write_csv(msg: &MessageRef<'_>, out: &mut impl Write) -> io::Result<()> {
    write_time(out, msg.time, msg.offset_seconds)?;
    out.write_all(b",")?;
    if let Some(s) = msg.sender {
        write_cell(out, s)?;
    }
    out.write_all(b",")?;
    write_cell(out, &msg.text)?;
    out.write_all(b",")?;
    out.write_all(msg.kind.as_str().as_bytes())?;
    out.write_all(b"\n")
}

fn put(h: &mut Sha256, field: &[u8]) {
    h.update((field.len() as u64).to_le_bytes());
    h.update(field);
}

/// The idempotence key of a message: SHA-256 over length-prefixed fields
/// (a version tag, `source_chat`, the time with sub-seconds, the offset, the
/// sender — with a flag telling `None` from `""` — and the text). The kind is
/// not part of the key.
///
/// Identical messages (same time, sender and text — common in WhatsApp, whose
/// times have minute precision) get the same key; use [`ContentKeys`] to
/// number them so that each gets its own key.
pub fn content_key(source_chat: &str, msg: &MessageRef<'_>) -> [u8; 32] {
    content_key_nth(source_chat, msg, 0)
}

/// [`content_key`] for the `occurrence`-th identical message (0 = the first,
/// which equals [`content_key`]).
pub fn content_key_nth(source_chat: &str, msg: &MessageRef<'_>, occurrence: u32) -> [u8; 32] {
    let mut h = Sha256::new();
    put(&mut h, b"rekindle-chat content key v1");
    put(&mut h, source_chat.as_bytes());
    // The civil time without offset, then ".nnnnnnnnn".
    let mut buf = [0u8; 32];
    let n = time_bytes(msg.time, None, &mut buf);
    let mut ns = msg.time.subsec_nanosecond().unsigned_abs();
    buf[n] = b'.';
    for k in (0..9).rev() {
        buf[n + 1 + k] = b'0' + (ns % 10) as u8;
        ns /= 10;
    }
    put(&mut h, &buf[..n + 10]);
    match msg.offset_seconds {
        Some(o) => put(&mut h, &o.to_le_bytes()),
        None => put(&mut h, b""),
    }
    match msg.sender {
        Some(s) => {
            h.update([1u8]);
            put(&mut h, s.as_bytes());
        }
        None => h.update([0u8]),
    }
    put(&mut h, msg.text.as_bytes());
    if occurrence > 0 {
        h.update(occurrence.to_le_bytes());
    }
    h.finalize().into()
}

/// Keys for a stream of messages from one chat, numbering identical messages.
///
/// The n-th message with the same (time, sender, text) *within a run of
/// messages with the same time* gets [`content_key_nth`] with `n`. Importing
/// the same export — or a later export of the same chat — gives the same keys,
/// so an import can skip keys it already holds; two real "ok"s sent in the same
/// minute still get two keys. Memory is bounded by the largest run of messages
/// sharing one time.
#[derive(Debug, Clone)]
pub struct ContentKeys {
    source: String,
    current: Option<(DateTime, Option<i32>)>,
    seen: HashMap<[u8; 32], u32>,
}

impl ContentKeys {
    /// Keys for messages of the chat named `source_chat`.
    pub fn new(source_chat: impl Into<String>) -> Self {
        ContentKeys {
            source: source_chat.into(),
            current: None,
            seen: HashMap::new(),
        }
    }

    /// The key of the next message.
    pub fn key(&mut self, msg: &MessageRef<'_>) -> [u8; 32] {
        let now = (msg.time, msg.offset_seconds);
        if self.current != Some(now) {
            self.current = Some(now);
            self.seen.clear();
        }
        let base = content_key(&self.source, msg);
        let n = self.seen.entry(base).or_insert(0);
        let occurrence = *n;
        *n += 1;
        if occurrence == 0 {
            base
        } else {
            content_key_nth(&self.source, msg, occurrence)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_layout_is_stable() {
        // A fixed vector: changing the key derivation would make re-imports duplicate everything.
        let m = crate::MessageRef {
            time: DateTime::new(2024, 3, 12, 21, 5, 0, 0).unwrap_or_default(),
            offset_seconds: None,
            sender: Some("Sam"),
            text: "hello".into(),
            kind: crate::MessageKind::Text,
        };
        let hex: String = content_key("chat", &m)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, KEY_VECTOR);
    }

    const KEY_VECTOR: &str = "c42cd2086e829b64e2eaf96b5423e23a084a8b1eb0142ecfc7b0cd4e92564723";

    #[test]
    fn times() {
        let t = |y, mo, d, h, mi, s| DateTime::new(y, mo, d, h, mi, s, 123).unwrap_or_default();
        assert_eq!(
            format_time(t(2024, 3, 12, 21, 5, 9), None),
            "2024-03-12T21:05:09"
        );
        assert_eq!(
            format_time(t(2024, 3, 12, 0, 0, 0), Some(0)),
            "2024-03-12T00:00:00+00:00"
        );
        assert_eq!(
            format_time(t(999, 1, 2, 3, 4, 5), Some(-34200)),
            "0999-01-02T03:04:05-09:30"
        );
        assert_eq!(
            format_time(t(2024, 12, 31, 23, 59, 59), Some(50400)),
            "2024-12-31T23:59:59+14:00"
        );
        assert_eq!(
            format_time(t(-5, 12, 31, 23, 59, 59), None),
            "-0005-12-31T23:59:59"
        );
    }
}
