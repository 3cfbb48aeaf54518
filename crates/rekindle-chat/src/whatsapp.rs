//! WhatsApp text exports (Android and iOS, every locale layout we know of).
//!
//! A message starts with a header line:
//!
//! ```text
//! Android: 12/31/21, 9:05 PM - Sender: text        (also "31.12.21, 21:05 - ")
//! iOS:     [31/12/2021, 21:05:33] Sender: text
//! ```
//!
//! Any line that does not start with a header continues the previous message.
//! The header is read by a small hand-written scanner (no regex, no
//! allocation) that accepts:
//!
//! * invisible marks anywhere a space could be (U+200E, U+200F, U+061C,
//!   U+202A–U+202E, U+2066–U+2069, U+200B, BOM) and any of the spaces
//!   WhatsApp uses (U+0020, U+00A0, U+202F, U+2009...);
//! * a date of three numbers separated by the same `/`, `.` or `-`, with an
//!   optional trailing `.` (and optional spaces after each separator, as in
//!   Korean `2021. 12. 24.`), digits in ASCII or Arabic-Indic;
//! * `,`, spaces, or `à` / `klo` / `kl.` / `um` between date and time;
//! * a time `H:MM` or `H:MM:SS` (also with `.`), with an AM/PM marker before
//!   or after it: `AM`/`PM`, `a.m.`/`p. m.` (any case, dots and spaces
//!   optional), `vorm.`/`nachm.`, `fm`/`em`, `de.`/`du.`, `ap.`/`ip.`,
//!   `SA`/`CH`, `午前`/`午後`, `上午`/`下午`, `오전`/`오후`, `ص`/`م`,
//!   `π.μ.`/`μ.μ.`, `ق.ظ`/`ب.ظ`, `dop.`/`odp.`;
//! * then `]` (iOS) or ` - ` / ` – ` / `: ` (Android, old iOS).
//!
//! Day/month order is decided from the whole file: a first number above 12
//! means day first, a second number above 12 means month first, a first
//! number with four digits means year first (per line). When the file cannot
//! tell, [`crate::ParseOptions::date_order`] is used, or day first with a
//! warning. An explicit `date_order` always wins. If a file has evidence both
//! ways, the majority wins and lines that only make sense the other way are
//! read that way (with a warning).

use std::borrow::Cow;

use jiff::civil::DateTime;

use crate::error::{ParseError, found};
use crate::notices::{self, Notice};
use crate::{DateOrder, MessageKind, MessageRef, ParseOptions, Stats};

/// Length in bytes of an invisible formatting mark at `i`, or 0.
#[inline]
fn mark_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(0xE2) => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x80), Some(0x8B | 0x8E | 0x8F | 0xAA..=0xAE)) => 3,
            (Some(0x81), Some(0xA6..=0xA9)) => 3,
            _ => 0,
        },
        Some(0xEF) if b.get(i + 1) == Some(&0xBB) && b.get(i + 2) == Some(&0xBF) => 3,
        Some(0xD8) if b.get(i + 1) == Some(&0x9C) => 2,
        _ => 0,
    }
}

/// Length in bytes of a space character at `i`, or 0.
#[inline]
fn space_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b' ' | b'\t') => 1,
        Some(0xC2) if b.get(i + 1) == Some(&0xA0) => 2,
        Some(0xE2) => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x80), Some(0x80..=0x8A | 0xAF)) => 3,
            _ => 0,
        },
        _ => 0,
    }
}

#[inline]
fn skip_marks(b: &[u8], mut i: usize) -> usize {
    loop {
        let l = mark_len(b, i);
        if l == 0 {
            return i;
        }
        i += l;
    }
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    loop {
        let l = mark_len(b, i) + space_len(b, i);
        if l == 0 {
            return i;
        }
        i += l;
    }
}

/// A decimal digit at `i` (ASCII, Arabic-Indic or Extended Arabic-Indic).
#[inline]
fn digit(b: &[u8], i: usize) -> Option<(u16, usize)> {
    match *b.get(i)? {
        c @ b'0'..=b'9' => Some(((c - b'0') as u16, 1)),
        0xD9 => match *b.get(i + 1)? {
            c @ 0xA0..=0xA9 => Some(((c - 0xA0) as u16, 2)),
            _ => None,
        },
        0xDB => match *b.get(i + 1)? {
            c @ 0xB0..=0xB9 => Some(((c - 0xB0) as u16, 2)),
            _ => None,
        },
        _ => None,
    }
}

/// Up to `max` digits: (value, number of digits, next index).
#[inline]
fn number(b: &[u8], mut i: usize, max: u8) -> Option<(u16, u8, usize)> {
    let mut v: u16 = 0;
    let mut n: u8 = 0;
    while n < max {
        match digit(b, i) {
            Some((d, l)) => {
                v = v * 10 + d;
                n += 1;
                i += l;
            }
            None => break,
        }
    }
    if n == 0 { None } else { Some((v, n, i)) }
}

/// Can a marker end at `j`?
#[inline]
fn boundary(b: &[u8], j: usize) -> bool {
    match b.get(j) {
        None => true,
        Some(b' ' | b']' | b'-' | b',' | b':' | b'\t' | b'0'..=b'9') => true,
        _ => space_len(b, j) > 0 || mark_len(b, j) > 0 || digit(b, j).is_some(),
    }
}

/// Localized AM/PM markers other than the Latin a.m./p.m. family (lowercase).
const MARKERS: &[(&str, bool)] = &[
    ("nachm.", true),
    ("vorm.", false),
    ("odp.", true),
    ("dop.", false),
    ("f.m.", false),
    ("e.m.", true),
    ("vm.", false),
    ("nm.", true),
    ("de.", false),
    ("du.", true),
    ("ap.", false),
    ("ip.", true),
    ("fm", false),
    ("em", true),
    ("sa", false),
    ("ch", true),
    ("午前", false),
    ("午後", true),
    ("上午", false),
    ("下午", true),
    ("오전", false),
    ("오후", true),
    ("π.μ.", false),
    ("μ.μ.", true),
    ("πμ", false),
    ("μμ", true),
    ("ق.ظ", false),
    ("ب.ظ", true),
    ("ص", false),
    ("م", true),
];

/// An AM/PM marker at `i`: (is_pm, next index).
fn marker(b: &[u8], i: usize) -> Option<(bool, usize)> {
    let c = b.get(i)?.to_ascii_lowercase();
    // Fast exit: every marker starts with a letter or a non-ASCII character.
    if c.is_ascii() && !c.is_ascii_lowercase() {
        return None;
    }
    if c == b'a' || c == b'p' {
        let mut j = i + 1;
        if b.get(j) == Some(&b'.') {
            j += 1;
        }
        j += space_len(b, j);
        if b.get(j).map(u8::to_ascii_lowercase) == Some(b'm') {
            j += 1;
            if b.get(j) == Some(&b'.') {
                j += 1;
            }
            if boundary(b, j) {
                return Some((c == b'p', j));
            }
        }
    }
    let rest = &b[i..];
    for &(m, pm) in MARKERS {
        let m = m.as_bytes();
        if rest.len() >= m.len()
            && rest[..m.len()].eq_ignore_ascii_case(m)
            && boundary(b, i + m.len())
        {
            return Some((pm, i + m.len()));
        }
    }
    None
}

/// The numbers of a header line, before the date order is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    a: u16,
    b: u16,
    c: u16,
    a_digits: u8,
    c_digits: u8,
    hour: u16,
    minute: u16,
    second: u16,
    pm: Option<bool>,
    /// Byte index in the line where "Sender: text" starts.
    rest: usize,
}

/// Read a header at the start of `line` (no line break in it).
pub(crate) fn parse_header(line: &[u8]) -> Option<Header> {
    if let Some(h) = plain_header(line) {
        return Some(h);
    }
    general_header(line)
}

/// What [`parse_header_after`] keeps of the headers read before (nothing per line).
#[derive(Default)]
struct LastHeader<'a> {
    /// The latest header read, when [`plain_header`] read it, and the bytes
    /// it was read from.
    header: Option<(&'a [u8], Header)>,
    /// The latest date [`plain_date`] read and its bytes up to the time.
    date: Option<(&'a [u8], PlainDate)>,
}

/// [`parse_header`] of `line`, and whether it is the header of `last.header`.
/// A line that starts with the bytes a header was read from has that header,
/// as [`plain_header`] reads no byte at or past `rest` (and every byte before
/// it decides the result); likewise for the date and [`plain_date`]. In a chat
/// nearly half the messages share their minute with the one before, and most
/// their day: a comparison replaces reading the header (or its date) again,
/// in both passes.
#[inline]
fn parse_header_after<'a>(line: &'a [u8], last: &mut LastHeader<'a>) -> (Option<Header>, bool) {
    if let Some((bytes, h)) = last.header
        && line.starts_with(bytes)
    {
        return (Some(h), true);
    }
    let date = match last.date {
        Some((bytes, d)) if line.starts_with(bytes) => Some(d),
        _ => plain_date(line).inspect(|d| last.date = line.get(..d.time_at).map(|b| (b, *d))),
    };
    match date.and_then(|d| plain_time(line, d)) {
        Some(h) => {
            last.header = line.get(..h.rest).map(|b| (b, h));
            (Some(h), false)
        }
        None => {
            let h = general_header(line);
            // Lines that are no header keep `last.header`; another header
            // forgets it, so that it is always the latest header read (the
            // caller keeps what it made of that one: its time).
            if h.is_some() {
                last.header = None;
            }
            (h, false)
        }
    }
}

/// ASCII digits at `i`, at most `max`: (value, count, next index); count 0 if none.
#[inline]
fn ascii_number(b: &[u8], mut i: usize, max: u8) -> (u16, u8, usize) {
    let (mut v, mut n) = (0u16, 0u8);
    while n < max {
        match b.get(i) {
            Some(&c @ b'0'..=b'9') => {
                v = v * 10 + u16::from(c - b'0');
                n += 1;
                i += 1;
            }
            _ => break,
        }
    }
    (v, n, i)
}

/// The headers of nearly every export, Android `12/03/2024, 21:05 - ` and iOS
/// `[12/03/2024, 9:05:33 PM] ` (ASCII digits, ", " between date and time, at most one
/// space before AM/PM), read in one straight pass. `None` means "not this shape", not
/// "not a header": [`general_header`] then decides. Whenever this returns a header it is
/// the one `general_header` returns (a property test checks it).
#[inline]
fn plain_header(line: &[u8]) -> Option<Header> {
    plain_time(line, plain_date(line)?)
}

/// The date of a [`plain_header`] and where its time starts.
#[derive(Clone, Copy, Debug)]
struct PlainDate {
    bracket: bool,
    a: u16,
    b: u16,
    c: u16,
    a_digits: u8,
    c_digits: u8,
    /// Where the hour starts, after the ", ": no byte from here on was read.
    time_at: usize,
}

/// The first half of [`plain_header`]: the date and the ", " after it.
#[inline]
fn plain_date(line: &[u8]) -> Option<PlainDate> {
    let at = |i: usize| line.get(i).copied();
    let bracket = at(0) == Some(b'[');
    let i = usize::from(bracket);
    let (a, a_digits, j) = ascii_number(line, i, 4);
    if a_digits == 0 || a_digits == 3 {
        return None;
    }
    let sep = at(j)?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    let (b, b_digits, j) = ascii_number(line, j + 1, 2);
    if b_digits == 0 || at(j) != Some(sep) {
        return None;
    }
    let (c, c_digits, j) = ascii_number(line, j + 1, 4);
    if c_digits == 0
        || c_digits == 3
        || (a_digits == 4 && c_digits > 2)
        || (a_digits <= 2 && c_digits == 1)
    {
        return None;
    }
    if at(j) != Some(b',') || at(j + 1) != Some(b' ') {
        return None;
    }
    Some(PlainDate {
        bracket,
        a,
        b,
        c,
        a_digits,
        c_digits,
        time_at: j + 2,
    })
}

/// The second half of [`plain_header`]: the time and what ends the header,
/// from `date.time_at`.
#[inline]
fn plain_time(line: &[u8], date: PlainDate) -> Option<Header> {
    let at = |i: usize| line.get(i).copied();
    let PlainDate {
        bracket,
        a,
        b,
        c,
        a_digits,
        c_digits,
        time_at,
    } = date;
    let (hour, hour_digits, j) = ascii_number(line, time_at, 2);
    let tsep = at(j)?;
    if hour_digits == 0 || (tsep != b':' && tsep != b'.') {
        return None;
    }
    let (minute, minute_digits, mut i2) = ascii_number(line, j + 1, 2);
    if minute_digits != 2 {
        return None;
    }
    let mut second = 0;
    if at(i2) == Some(tsep) {
        let (s, s_digits, j) = ascii_number(line, i2 + 1, 2);
        if s_digits != 2 {
            return None;
        }
        second = s;
        i2 = j;
    }
    let mut i = i2;
    // At most one space (ASCII, no-break or narrow no-break) before the marker or the end.
    let one_space = |i: usize| match at(i) {
        Some(b' ') => 1,
        Some(0xC2) if at(i + 1) == Some(0xA0) => 2,
        Some(0xE2) if at(i + 1) == Some(0x80) && at(i + 2) == Some(0xAF) => 3,
        _ => 0,
    };
    i += one_space(i);
    let mut pm = None;
    if let (Some(x), Some(m)) = (at(i), at(i + 1))
        && matches!(x, b'A' | b'a' | b'P' | b'p')
        && matches!(m, b'M' | b'm')
        && matches!(at(i + 2), Some(b' ' | b']' | b'-'))
    {
        pm = Some(matches!(x, b'P' | b'p'));
        i += 2;
        if at(i) == Some(b' ') {
            i += 1;
        }
    }
    let (end, next) = if bracket { (b']', b' ') } else { (b'-', b' ') };
    if at(i) != Some(end) || at(i + 1) != Some(next) {
        return None;
    }
    Some(Header {
        a,
        b,
        c,
        a_digits,
        c_digits,
        hour,
        minute,
        second,
        pm,
        rest: i + 2,
    })
}

/// Every header form [`parse_header`] accepts.
fn general_header(line: &[u8]) -> Option<Header> {
    let n = line.len();
    let mut i = skip_marks(line, 0);
    let bracket = line.get(i) == Some(&b'[');
    if bracket {
        i = skip_ws(line, i + 1);
    }
    let (a, a_digits, j) = number(line, i, 4)?;
    if a_digits == 3 {
        return None;
    }
    i = skip_marks(line, j);
    let sep = *line.get(i)?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    i = skip_ws(line, i + 1);
    let (b, _, j) = number(line, i, 2)?;
    i = skip_marks(line, j);
    if line.get(i) != Some(&sep) {
        return None;
    }
    i = skip_ws(line, i + 1);
    let (c, c_digits, j) = number(line, i, 4)?;
    if c_digits == 3 || (a_digits == 4 && c_digits > 2) || (a_digits <= 2 && c_digits == 1) {
        return None;
    }
    i = skip_marks(line, j);
    if sep == b'.' && line.get(i) == Some(&b'.') {
        i += 1;
    }
    // Between date and time: ",", spaces, marks, French "à".
    let before = i;
    loop {
        if line.get(i) == Some(&b',') {
            i += 1;
            continue;
        }
        let l = space_len(line, i) + mark_len(line, i);
        if l == 0 {
            break;
        }
        i += l;
    }
    // Words some locales put between date and time: French "à", Finnish "klo",
    // Danish/Norwegian "kl.", German "um".
    for word in ["à", "klo", "kl.", "um"] {
        if line[i..].starts_with(word.as_bytes()) && space_len(line, i + word.len()) > 0 {
            i = skip_ws(line, i + word.len());
            break;
        }
    }
    if i == before {
        return None;
    }
    // AM/PM marker before the time (Chinese, Japanese, Korean).
    let mut pm = None;
    if digit(line, i).is_none() {
        let (v, j) = marker(line, i)?;
        pm = Some(v);
        i = skip_ws(line, j);
    }
    let (hour, _, j) = number(line, i, 2)?;
    i = j;
    let tsep = *line.get(i)?;
    if tsep != b':' && tsep != b'.' {
        return None;
    }
    let (minute, md, j) = number(line, i + 1, 2)?;
    if md != 2 {
        return None;
    }
    i = j;
    let mut second = 0;
    if line.get(i) == Some(&tsep)
        && let Some((s, 2, j)) = number(line, i + 1, 2)
    {
        second = s;
        i = j;
    }
    i = skip_ws(line, i);
    if pm.is_none()
        && let Some((v, j)) = marker(line, i)
    {
        pm = Some(v);
        i = skip_ws(line, j);
    }
    if bracket {
        if line.get(i) != Some(&b']') {
            return None;
        }
        i += 1;
        i += space_len(line, i);
    } else {
        match line.get(i) {
            Some(b'-' | b':') => i += 1,
            Some(0xE2) if line[i..].starts_with("–".as_bytes()) => i += 3,
            _ => return None,
        }
        let s = space_len(line, i);
        if s == 0 && i < n {
            return None;
        }
        i += s;
    }
    Some(Header {
        a,
        b,
        c,
        a_digits,
        c_digits,
        hour,
        minute,
        second,
        pm,
        rest: i,
    })
}

impl Header {
    fn is_year_first(&self) -> bool {
        self.a_digits == 4
    }

    /// The date and time in the given order, or why not (plain words).
    fn resolve(&self, order: DateOrder) -> Result<DateTime, String> {
        let (y, m, d, y_digits) = if self.is_year_first() || order == DateOrder::YearFirst {
            (self.a, self.b, self.c, self.a_digits)
        } else if order == DayFirst {
            (self.c, self.b, self.a, self.c_digits)
        } else {
            (self.c, self.a, self.b, self.c_digits)
        };
        let year = if y_digits <= 2 { 2000 + y } else { y };
        let mut hour = self.hour;
        match self.pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        if !(1..=12).contains(&m) {
            return Err(format!("there is no month {m} in the date"));
        }
        if hour > 23 || self.minute > 59 || self.second > 59 {
            return Err(format!(
                "the time {:02}:{:02}:{:02} does not exist",
                self.hour, self.minute, self.second
            ));
        }
        DateTime::new(
            year as i16,
            m as i8,
            d as i8,
            hour as i8,
            self.minute as i8,
            self.second as i8,
            0,
        )
        .map_err(|_| format!("the date {year:04}-{m:02}-{d:02} does not exist"))
    }
}

use DateOrder::DayFirst;

/// Does this text look like a WhatsApp export (a header in the first 50 non-blank lines)?
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .any(|l| parse_header(l.as_bytes()).is_some())
}

/// Trim invisible marks and spaces at both ends.
#[inline]
fn trim_marks(s: &str) -> &str {
    let b = s.as_bytes();
    if let (Some(&f), Some(&l)) = (b.first(), b.last())
        && f.is_ascii_graphic()
        && l.is_ascii_graphic()
    {
        return s;
    }
    s.trim_matches(name_start_trim)
}

/// Characters trimmed around sender names: whitespace and invisible marks.
fn name_start_trim(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Does a would-be sender name contain a quote (`"`, `“`, `”`, `„`, `«`)? Then the
/// colon belongs to a quoted group name in a system line.
/// A name is a few bytes, where setting up a vectorised `memchr3` cost more than the
/// search: eight bytes at a time skip to the first that could start a quote (`"`, or
/// 0xC2 / 0xE2, the lead bytes of the others), then a plain loop decides.
#[inline]
fn has_quote(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The high bit of a byte that is zero, or (rarely) of one just above a zero byte:
    // never misses a zero, and a false hit only sends the chunk to the exact loop.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HI;
    // 0xC2 and 0xE2 differ only in bit 5, and no other byte ORed with 0x20 is 0xE2.
    let clean = |c: &[u8; 8]| {
        let w = u64::from_le_bytes(*c);
        zero(w ^ (u64::from(b'"') * ONES)) | zero((w | (0x20 * ONES)) ^ (0xE2 * ONES)) == 0
    };
    let mut from = 0;
    while let Some(chunk) = b.get(from..).and_then(|c| c.first_chunk::<8>()) {
        if !clean(chunk) {
            break;
        }
        from += 8;
    }
    // Fewer than eight bytes left after clean chunks: the last eight, overlapping.
    if from + 8 > b.len()
        && let Some(last) = b.last_chunk::<8>()
    {
        if clean(last) {
            return false;
        }
        from = b.len() - 8;
    }
    b.iter().enumerate().skip(from).any(|(i, &c)| match c {
        b'"' => true,
        0xE2 => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x9C..=0x9E)),
        0xC2 => b.get(i + 1) == Some(&0xAB),
        _ => false,
    })
}

#[inline]
fn trim_marks_start(s: &str) -> &str {
    if !matches!(s.as_bytes().first(), Some(0xE2 | 0xEF | 0xD8)) {
        return s;
    }
    s.trim_start_matches([
        '\u{200e}', '\u{200f}', '\u{061c}', '\u{feff}', '\u{202a}', '\u{202b}', '\u{202c}',
        '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    ])
}

/// "Deleted" notices in the languages we know (compared ignoring ASCII case and a final '.').
const DELETED: &[&str] = &[
    "This message was deleted",
    "You deleted this message",
    "Se eliminó este mensaje",
    "Eliminaste este mensaje",
    "Este mensaje fue eliminado",
    "Mensagem apagada",
    "Esta mensagem foi apagada",
    "Você apagou esta mensagem",
    "Diese Nachricht wurde gelöscht",
    "Du hast diese Nachricht gelöscht",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Questo messaggio è stato eliminato",
    "Hai eliminato questo messaggio",
    "Dit bericht is verwijderd",
    "Je hebt dit bericht verwijderd",
    "Данное сообщение удалено",
    "Вы удалили данное сообщение",
    "Это сообщение удалено",
    "Bu mesaj silindi",
    "Bu mesajı sildiniz",
    "Pesan ini telah dihapus",
    "Anda menghapus pesan ini",
    "Ta wiadomość została usunięta",
    "Usunięto tę wiadomość",
];

/// The "You deleted..." variants: their sender is the person who exported.
const OWNER_DELETED: &[&str] = &[
    "You deleted this message",
    "Eliminaste este mensaje",
    "Você apagou esta mensagem",
    "Du hast diese Nachricht gelöscht",
    "Vous avez supprimé ce message",
    "Hai eliminato questo messaggio",
    "Je hebt dit bericht verwijderd",
    "Вы удалили данное сообщение",
    "Bu mesajı sildiniz",
    "Anda menghapus pesan ini",
];

/// Android's "<Media omitted>" in the languages we know.
const MEDIA_PLACEHOLDERS: &[&str] = &[
    "<Media omitted>",
    "<Multimedia omitido>",
    "<Multimedia omitidos>",
    "<Archivo omitido>",
    "<Mídia oculta>",
    "<Arquivo de mídia oculto>",
    "<Medien ausgeschlossen>",
    "<Médias omis>",
    "<Fichier omis>",
    "<Media omessi>",
    "<Media weggelaten>",
    "<Без медиафайлов>",
    "<Медиафайл отсутствует>",
    "<Medya dahil edilmedi>",
    "<Media tidak disertakan>",
    "<Pominięto multimedia>",
    "<Media dihilangkan>",
    "<Media ingår inte>",
    "<Media udeladt>",
    "<Media utelatt>",
    "<Media jätetty pois>",
];

/// Last word of iOS "image omitted"-style placeholders.
const OMITTED_WORDS: &[&str] = &[
    "omitted",
    "omitida",
    "omitido",
    "omitidos",
    "omitidas",
    "weggelassen",
    "ausgeschlossen",
    "absente",
    "absent",
    "omis",
    "omise",
    "omessa",
    "omesso",
    "omessi",
    "weggelaten",
    "ocultada",
    "ocultado",
    "oculta",
    "oculto",
    "отсутствует",
    "eklenmedi",
    "disertakan",
];

/// Android's "IMG-0001.jpg (file attached)" suffixes.
const FILE_ATTACHED: &[&str] = &[
    "(file attached)",
    "(archivo adjunto)",
    "(arquivo anexado)",
    "(Datei angehängt)",
    "(fichier joint)",
    "(file allegato)",
    "(bestand bijgevoegd)",
    "(файл добавлен)",
    "(dosya ekli)",
    "(file terlampir)",
];

/// `text` (without one final '.') is one of `phrases`, ignoring ASCII case.
/// Bit `n` set when a text of `n` bytes could equal one of `phrases` as [`eq_loose`]
/// compares (the phrase, or the phrase and a '.'); bit 127 stands for every length
/// from 127 up. Most texts are told apart by their length alone, before any compare.
const fn loose_lengths(phrases: &[&str]) -> u128 {
    let mut mask = 0u128;
    let mut i = 0;
    while i < phrases.len() {
        let n = phrases[i].len();
        mask |= 1 << if n < 127 { n } else { 127 };
        mask |= 1 << if n + 1 < 127 { n + 1 } else { 127 };
        i += 1;
    }
    mask
}

const DELETED_LENGTHS: u128 = loose_lengths(DELETED);
const OWNER_DELETED_LENGTHS: u128 = loose_lengths(OWNER_DELETED);

/// `text` is one of `phrases` ignoring ASCII case and a final '.'; `lengths` is
/// [`loose_lengths`] of `phrases`.
#[inline]
fn eq_loose(text: &str, phrases: &[&str], lengths: u128) -> bool {
    if lengths >> text.len().min(127) & 1 == 0 {
        return false;
    }
    let t = text.strip_suffix('.').unwrap_or(text);
    phrases
        .iter()
        .any(|p| t.len() == p.len() && t.eq_ignore_ascii_case(p))
}

/// Media, deleted, or `None` for plain text.
fn classify_body(t: &str, marked: bool) -> Option<MessageKind> {
    let b = t.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return None;
    };
    if b.len() > 200 {
        return None;
    }
    if first == b'<' && last == b'>' {
        if MEDIA_PLACEHOLDERS.iter().any(|p| t.eq_ignore_ascii_case(p)) {
            return Some(MessageKind::Media);
        }
        // iOS "<attached: 00000012-PHOTO-2021-03-14-19-42-07.jpg>" in any language.
        if let Some(colon) = memchr::memchr(b':', b) {
            let file = t.get(colon + 1..t.len() - 1).unwrap_or("").trim();
            if !file.is_empty() && file.contains('.') && !file.contains(char::is_whitespace) {
                return Some(MessageKind::Media);
            }
        }
        return None;
    }
    if last == b')' {
        if FILE_ATTACHED.iter().any(|p| t.ends_with(p)) && memchr::memchr(b'\n', b).is_none() {
            return Some(MessageKind::Media);
        }
        return None;
    }
    if b.len() > 80 {
        return None;
    }
    if b.len() >= MIN_DELETED_LEN && eq_loose(t, DELETED, DELETED_LENGTHS) {
        return Some(MessageKind::Deleted);
    }
    // "image omitted", "‎Bild weggelassen"...: only when the last word could be one of ours.
    if OMITTED_LAST_BYTES.contains(&last.to_ascii_lowercase())
        && let Some(space) = memchr::memrchr(b' ', b)
    {
        let last_word = &t[space + 1..];
        if OMITTED_WORDS
            .iter()
            .any(|w| last_word.eq_ignore_ascii_case(w))
        {
            let words = memchr::memchr_iter(b' ', b).count() + 1;
            if words <= 2 || (marked && words <= 8) {
                return Some(MessageKind::Media);
            }
        }
    }
    None
}

/// Shortest deleted notice (minus its optional final '.').
const MIN_DELETED_LEN: usize = 16;
/// Last bytes (lowercased) of the words in [`OMITTED_WORDS`].
const OMITTED_LAST_BYTES: &[u8] = &[b'a', b'd', b'e', b'i', b'n', b'o', b's', b't', 0x82];

/// Kind of a text that follows a sender. `marked` = it started with an invisible
/// mark (iOS puts U+200E before its own notices).
fn classify(t: &str, marked: bool) -> MessageKind {
    if let Some(k) = classify_body(t, marked) {
        return k;
    }
    if marked {
        let first = t.split('\n').next().unwrap_or(t);
        const OTHER: &[&str] = &[
            "Missed voice call",
            "Missed video call",
            "Missed group",
            "Voice call",
            "Video call",
            "Silenced voice call",
            "Silenced video call",
            "Llamada",
            "Videollamada",
            "Location:",
            "Live location",
        ];
        if OTHER.iter().any(|p| first.starts_with(p)) {
            return MessageKind::Other;
        }
        return MessageKind::System;
    }
    MessageKind::Text
}

/// A message whose last line may still be continued.
struct Pending {
    /// Where its header line starts in the text, and that line's number: a
    /// piece of the export that ends inside the message is read again from
    /// there with the next piece ([`Lines::feed`]).
    line_start: usize,
    line_no: usize,
    time: DateTime,
    /// Byte range of the sender in the text.
    sender: Option<(usize, usize)>,
    text_start: usize,
    text_end: usize,
    multiline: bool,
    /// The text started with an invisible mark.
    marked: bool,
}

/// Pass 1: evidence for the date order.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Evidence {
    headers: usize,
    day_first: usize,
    month_first: usize,
    year_first: usize,
    /// How often the time goes backwards when read day first / month first
    /// (a tie-breaker for files where no number is above 12).
    backwards_dmy: usize,
    backwards_mdy: usize,
    /// Sort keys (day first, month first) of the first and last header whose
    /// first two numbers are both ≤ 12: to join the counts of two halves.
    first_ambiguous: Option<(u64, u64)>,
    last_ambiguous: Option<(u64, u64)>,
}

impl Evidence {
    /// The evidence of a text made of `self`'s text followed by `next`'s.
    pub(crate) fn then(self, next: Evidence) -> Evidence {
        let (mut dmy, mut mdy) = (
            self.backwards_dmy + next.backwards_dmy,
            self.backwards_mdy + next.backwards_mdy,
        );
        if let (Some(a), Some(b)) = (self.last_ambiguous, next.first_ambiguous) {
            dmy += usize::from(b.0 < a.0);
            mdy += usize::from(b.1 < a.1);
        }
        Evidence {
            headers: self.headers + next.headers,
            day_first: self.day_first + next.day_first,
            month_first: self.month_first + next.month_first,
            year_first: self.year_first + next.year_first,
            backwards_dmy: dmy,
            backwards_mdy: mdy,
            first_ambiguous: self.first_ambiguous.or(next.first_ambiguous),
            last_ambiguous: next.last_ambiguous.or(self.last_ambiguous),
        }
    }
}

/// Below this size pass 1 runs on the calling thread only.
const PARALLEL_GATHER_BYTES: usize = 4 << 20;

/// Pass 1 over the whole text. A big export is split in two at a line break
/// and the second half is read on another thread: until the date order is
/// known no message can be handed out, so the other core would sit idle.
fn gather(text: &str) -> Evidence {
    let b = text.as_bytes();
    if b.len() < PARALLEL_GATHER_BYTES
        || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2
    {
        return gather_lines(b);
    }
    let Some(split) = memchr::memchr(b'\n', &b[b.len() / 2..]).map(|k| b.len() / 2 + k + 1) else {
        return gather_lines(b);
    };
    let (first, second) = b.split_at(split);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| gather_lines(second));
        let early = gather_lines(first);
        match later.join() {
            Ok(later) => early.then(later),
            // A panic on the other thread (none is expected): read it here instead.
            Err(_) => early.then(gather_lines(second)),
        }
    })
}

/// A sortable key of a date-time read in one order (no validation of the day).
fn order_key(year: u16, month: u16, day: u16, h: &Header) -> u64 {
    let hour = match h.pm {
        Some(true) if h.hour < 12 => h.hour + 12,
        Some(false) if h.hour == 12 => 0,
        _ => h.hour,
    };
    ((((year as u64 * 13 + month as u64) * 32 + day as u64) * 24 + hour as u64) * 60
        + h.minute as u64)
        * 60
        + h.second as u64
}

pub(crate) fn gather_lines(bytes: &[u8]) -> Evidence {
    let mut ev = Evidence::default();
    let (mut prev_dmy, mut prev_mdy) = (0u64, 0u64);
    let mut last = LastHeader::default();
    for line in LineIter::new(bytes) {
        if let (Some(h), _) = parse_header_after(line.bytes, &mut last) {
            ev.headers += 1;
            if h.is_year_first() {
                ev.year_first += 1;
            } else if h.a > 12 && h.b <= 12 {
                ev.day_first += 1;
            } else if h.b > 12 && h.a <= 12 {
                ev.month_first += 1;
            } else if h.a <= 12 && h.b <= 12 {
                let year = if h.c_digits <= 2 { 2000 + h.c } else { h.c };
                let dmy = order_key(year, h.b, h.a, &h);
                let mdy = order_key(year, h.a, h.b, &h);
                ev.backwards_dmy += usize::from(dmy < prev_dmy);
                ev.backwards_mdy += usize::from(mdy < prev_mdy);
                prev_dmy = dmy;
                prev_mdy = mdy;
                ev.first_ambiguous.get_or_insert((dmy, mdy));
                ev.last_ambiguous = Some((dmy, mdy));
            }
        }
    }
    ev
}

/// A line: its bytes without "\r\n", its start and end (exclusive, before "\r") in the text.
struct Line<'a> {
    bytes: &'a [u8],
    start: usize,
    end: usize,
}

struct LineIter<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> LineIter<'a> {
    fn new(b: &'a [u8]) -> Self {
        LineIter { b, pos: 0 }
    }
}

impl<'a> Iterator for LineIter<'a> {
    type Item = Line<'a>;
    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.b.len() {
            return None;
        }
        let start = self.pos;
        let nl = memchr::memchr(b'\n', &self.b[start..]).map_or(self.b.len(), |k| start + k);
        self.pos = nl + 1;
        let mut end = nl;
        if end > start && self.b[end - 1] == b'\r' {
            end -= 1;
        }
        Some(Line {
            bytes: &self.b[start..end],
            start,
            end,
        })
    }
}

fn quoted_name(s: &str) -> Option<&str> {
    let open = s.find(['"', '“'])?;
    let after = &s[open..];
    let q = after.chars().next()?;
    let body = &after[q.len_utf8()..];
    let close = body.find(['"', '”'])?;
    Some(&body[..close])
}

pub(crate) fn parse(
    text: &str,
    opts: &ParseOptions,
    stats: &mut Stats,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<(), ParseError> {
    let ev = gather(text);
    let mut lines = Lines::new(plan(&ev, opts, stats).ok_or_else(|| no_header(text))?);
    lines.feed(text, true, stats, sink);
    lines.finish(stats).map_err(|()| no_message(text))
}

/// The error of an export in which no line starts with a date.
pub(crate) fn no_header(text: &str) -> ParseError {
    let (line, first) = crate::first_nonblank_line(text);
    no_header_at(line, first)
}

/// [`no_header`] of an export whose first line that is not blank is `first`, numbered `line`.
pub(crate) fn no_header_at(line: usize, first: &str) -> ParseError {
    ParseError::NotAChat {
        line,
        what: "a WhatsApp message".into(),
        expected: "a date such as 12/03/2024 at the start of the line".into(),
        found: found(first),
    }
}

/// The error of an export whose dates all failed to read.
pub(crate) fn no_message(text: &str) -> ParseError {
    let (line, first) = crate::first_nonblank_line(text);
    no_message_at(line, first)
}

/// [`no_message`] of an export whose first line that is not blank is `first`, numbered `line`.
pub(crate) fn no_message_at(line: usize, first: &str) -> ParseError {
    ParseError::NotAChat {
        line,
        what: "a WhatsApp message".into(),
        expected: "a real date and time such as 12/03/2024, 21:05".into(),
        found: found(first),
    }
}

/// How the dates of the export are read, decided from pass 1's evidence.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    order: DateOrder,
    other_order: Option<DateOrder>,
    allow_swap: bool,
}

/// The date order for the whole export from its evidence (with the warnings
/// it calls for), or `None` when no line starts with a date.
pub(crate) fn plan(ev: &Evidence, opts: &ParseOptions, stats: &mut Stats) -> Option<Plan> {
    if ev.headers == 0 {
        return None;
    }
    let evidence_order = match (ev.day_first > 0, ev.month_first > 0) {
        (true, false) => Some(DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        (true, true) => Some(if ev.day_first >= ev.month_first {
            DayFirst
        } else {
            DateOrder::MonthFirst
        }),
        (false, false) => None,
    };
    let order = match (opts.date_order, evidence_order) {
        (Some(o), Some(e)) => {
            if o != e && o != DateOrder::YearFirst {
                stats.warnings.push(format!(
                    "The dates in this file look {} first, but {} first was asked for; lines that do not make sense that way were skipped or read the other way.",
                    if e == DayFirst { "day" } else { "month" },
                    if o == DayFirst { "day" } else { "month" },
                ));
            }
            o
        }
        (Some(o), None) => o,
        (None, Some(e)) => {
            if ev.day_first > 0 && ev.month_first > 0 {
                stats.warnings.push(format!(
                    "This file mixes day-first dates ({} lines) and month-first dates ({} lines); the others were read {} first.",
                    ev.day_first,
                    ev.month_first,
                    if e == DayFirst { "day" } else { "month" }
                ));
            }
            e
        }
        (None, None) => {
            if ev.year_first == ev.headers {
                DateOrder::YearFirst
            } else if ev.backwards_mdy < ev.backwards_dmy {
                stats.warnings.push(
                    "Could not tell for sure whether the dates are day/month or month/day (no number above 12 in the file); read them month first, which keeps the messages in time order — use --date-order dmy if that is wrong."
                        .into(),
                );
                DateOrder::MonthFirst
            } else if ev.backwards_dmy < ev.backwards_mdy {
                stats.warnings.push(
                    "Could not tell for sure whether the dates are day/month or month/day (no number above 12 in the file); read them day first, which keeps the messages in time order — use --date-order mdy if that is wrong."
                        .into(),
                );
                DayFirst
            } else {
                stats.warnings.push(
                    "Could not tell whether the dates are day/month or month/day (no number above 12 in the file); assumed day first — use --date-order mdy if that is wrong."
                        .into(),
                );
                DayFirst
            }
        }
    };
    stats.date_order = Some(if ev.year_first == ev.headers {
        DateOrder::YearFirst
    } else {
        order
    });
    let other_order = match order {
        DayFirst => Some(DateOrder::MonthFirst),
        DateOrder::MonthFirst => Some(DayFirst),
        DateOrder::YearFirst => None,
    };
    let allow_swap = opts.date_order.is_none() && ev.day_first > 0 && ev.month_first > 0;
    Some(Plan {
        order,
        other_order,
        allow_swap,
    })
}

/// Pass 2: the messages, from the text given in one piece or in several
/// pieces of whole lines, in order ([`Lines::feed`]).
pub(crate) struct Lines {
    plan: Plan,
    /// Lines read so far (the number of the last one).
    line_no: usize,
    /// The last header could not be read: the lines that continue it are skipped.
    orphan: bool,
}

impl Lines {
    pub(crate) fn new(plan: Plan) -> Lines {
        Lines {
            plan,
            line_no: 0,
            orphan: false,
        }
    }

    /// Reads the messages of `text`, which follows the text fed before, and
    /// hands each to `sink`. Without `at_end`, only whole lines are read and
    /// the message still open at the end is not handed out: the returned
    /// length is how much of `text` was read, and the rest (from the open
    /// message's header line on) must start the next piece. With `at_end`,
    /// everything is read and the length of `text` is returned.
    pub(crate) fn feed(
        &mut self,
        text: &str,
        at_end: bool,
        stats: &mut Stats,
        sink: &mut dyn FnMut(MessageRef<'_>),
    ) -> usize {
        let text = if at_end {
            text
        } else {
            // Whole lines only: the last one may go on in the next piece.
            match memchr::memrchr(b'\n', text.as_bytes()) {
                Some(nl) => &text[..=nl],
                None => return 0,
            }
        };
        let Plan {
            order,
            other_order,
            allow_swap,
        } = self.plan;
        let bytes = text.as_bytes();
        let mut pending: Option<Pending> = None;
        let orphan = &mut self.orphan;
        let line_no = &mut self.line_no;

        let mut flush = |p: Pending, stats: &mut Stats| {
            let raw = text.get(p.text_start..p.text_end).unwrap_or("");
            let raw = raw.trim_end_matches(['\n', '\r']);
            let sender = p.sender.and_then(|(s, e)| text.get(s..e));
            let kind = match sender {
                None => MessageKind::System,
                Some(name) => match classify(raw, p.marked) {
                    // "Anna: Messages and calls are end-to-end encrypted..." without iOS's mark:
                    // the app talking, with the chat's name in front (see notices.rs).
                    MessageKind::Text => {
                        let the_chat =
                            stats.chat_name.as_deref() == Some(name) && !stats.has_sender(name);
                        match notices::classify(raw, name, the_chat) {
                            Some(Notice::MissedCall) => MessageKind::Other,
                            Some(Notice::Encryption | Notice::Event) => {
                                if stats.chat_name.is_none() {
                                    stats.chat_name = Some(name.to_string());
                                }
                                MessageKind::System
                            }
                            None => MessageKind::Text,
                        }
                    }
                    // iOS's marked encryption notice in a language without "end-to-end" in it.
                    MessageKind::System
                        if stats.chat_name.is_none()
                            && notices::classify(raw, name, false) == Some(Notice::Encryption) =>
                    {
                        stats.chat_name = Some(name.to_string());
                        MessageKind::System
                    }
                    k => k,
                },
            };
            // iOS: "Chat name: \u{200e}Messages and calls are end-to-end encrypted..." is the app talking.
            let (sender, kind) = if kind == MessageKind::System {
                (None, kind)
            } else {
                (sender, kind)
            };
            let text_cow = if p.multiline && raw.contains('\r') {
                Cow::Owned(raw.replace("\r\n", "\n"))
            } else {
                Cow::Borrowed(raw)
            };
            let m = MessageRef {
                time: p.time,
                offset_seconds: None,
                sender,
                text: text_cow,
                kind,
            };
            stats.record(&m);
            sink(m);
        };

        // The previous header read and its time (see `parse_header_after`).
        let mut last = LastHeader::default();
        let mut last_time: Option<Result<DateTime, String>> = None;
        for line in LineIter::new(bytes) {
            *line_no += 1;
            let (header, repeated) = parse_header_after(line.bytes, &mut last);
            let Some(h) = header else {
                if let Some(p) = pending.as_mut() {
                    p.text_end = line.end;
                    p.multiline = true;
                } else {
                    let content = text.get(line.start..line.end).unwrap_or("");
                    if *orphan {
                        stats.skip(
                            *line_no,
                            "continues a message that could not be read",
                            content,
                        );
                    } else if !content.trim().is_empty() {
                        stats.skip(
                            *line_no,
                            "expected a date such as 12/03/2024 at the start of the line",
                            content,
                        );
                    }
                }
                continue;
            };
            let time = match last_time.take() {
                Some(t) if repeated => t,
                _ => match h.resolve(order) {
                    Ok(t) => Ok(t),
                    Err(e) => match other_order {
                        Some(o) if allow_swap && !h.is_year_first() => h.resolve(o).map_err(|_| e),
                        _ => Err(e),
                    },
                },
            };
            last_time = Some(time.clone());
            if let Some(p) = pending.take() {
                flush(p, stats);
            }
            let time = match time {
                Ok(t) => t,
                Err(reason) => {
                    *orphan = true;
                    stats.skip(
                        *line_no,
                        reason,
                        text.get(line.start..line.end).unwrap_or(""),
                    );
                    continue;
                }
            };
            *orphan = false;
            let rest_start = line.start + h.rest;
            let Some(rest) = text.get(rest_start..line.end) else {
                *orphan = true;
                stats.skip(*line_no, "the line is cut in the middle of a character", "");
                continue;
            };
            let mut sender = None;
            let mut text_start = rest_start;
            let mut marked = false;
            // iOS starts its own lines with U+200E ("\u{200e}Alex added Robin"); phone-number
            // senders are wrapped in U+202A…U+202C and are still senders.
            if !rest.starts_with(['\u{200e}', '\u{200f}'])
                && let Some(colon) = memchr::memchr(b':', rest.as_bytes())
            {
                let cand = &rest[..colon];
                let name = trim_marks(cand);
                if colon <= 256 && !has_quote(cand.as_bytes()) && !name.is_empty() {
                    // A name starting with a visible ASCII character has nothing to trim.
                    let lead = if cand.as_bytes().first().is_some_and(u8::is_ascii_graphic) {
                        0
                    } else {
                        cand.len() - cand.trim_start_matches(name_start_trim).len()
                    };
                    let name_start = rest_start + lead;
                    sender = Some((name_start, name_start + name.len()));
                    let mut t = colon + 1;
                    if rest.as_bytes().get(t) == Some(&b' ') {
                        t += 1;
                    }
                    let body = &rest[t..];
                    let trimmed = trim_marks_start(body);
                    marked = trimmed.len() != body.len();
                    text_start = rest_start + t + (body.len() - trimmed.len());
                }
            }
            if sender.is_none() {
                let trimmed = trim_marks_start(rest);
                text_start = rest_start + (rest.len() - trimmed.len());
                if stats.chat_name.is_none()
                    && (trimmed.contains("created group")
                        || trimmed.contains("creó el grupo")
                        || trimmed.contains("hat die Gruppe"))
                    && let Some(n) = quoted_name(trimmed)
                {
                    stats.chat_name = Some(n.to_string());
                }
            } else if marked
                && stats.chat_name.is_none()
                && rest.contains("end-to-end")
                && let Some((s, e)) = sender
            {
                stats.chat_name = text.get(s..e).map(str::to_string);
            }
            if let Some((s, e)) = sender
                && stats.owner_hint.is_none()
            {
                let body = text.get(text_start..line.end).unwrap_or("");
                let name = text.get(s..e).unwrap_or("");
                if name == "You" || eq_loose(body, OWNER_DELETED, OWNER_DELETED_LENGTHS) {
                    stats.owner_hint = Some(name.to_string());
                }
            }
            pending = Some(Pending {
                line_start: line.start,
                line_no: *line_no,
                time,
                sender,
                text_start,
                text_end: line.end,
                multiline: false,
                marked,
            });
        }
        if let Some(p) = pending.take() {
            if !at_end {
                // Read again, whole, with the next piece.
                *line_no = p.line_no - 1;
                return p.line_start;
            }
            flush(p, stats);
        }
        text.len()
    }

    /// After the last piece: `Err` when no message could be read at all.
    pub(crate) fn finish(self, stats: &Stats) -> Result<(), ()> {
        if stats.messages() == 0 {
            Err(())
        } else {
            Ok(())
        }
    }
}

/// Invariants of the header scanner (used by the `dates` fuzz target).
pub(crate) fn check_header(line: &[u8]) {
    let Some(h) = parse_header(line) else {
        return;
    };
    assert!(h.rest <= line.len(), "header ends past the line");
    if let Ok(s) = std::str::from_utf8(line) {
        assert!(s.is_char_boundary(h.rest), "header ends inside a character");
    }
    for order in [DayFirst, DateOrder::MonthFirst, DateOrder::YearFirst] {
        if let Ok(t) = h.resolve(order) {
            assert!((0..=9999).contains(&t.year()));
            assert!(t.hour() < 24 && t.minute() < 60 && t.second() < 60);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of header-like lines: real forms, near misses and odd bytes.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "[", "]", "1", "12", "2024", "3", "123", "99", "0", "/", ".", "-", ",", ", ", ":", " ",
            "  ", "\u{202f}", "\u{a0}", "\u{200e}", "AM", "PM", "am", "p.m.", "a. m.", "nm.",
            "午後", " - ", "- ", " -", "] ", "–", "Zoë: hi", ": ", "\t", "٣", "a", "M",
        ])
    }

    fn line() -> impl Strategy<Value = String> {
        let template = prop::sample::select(vec![
            "12/03/2024, 21:05 - A: x",
            "[12/03/2024, 9:05:33 PM] A: x",
            "3/14/21, 8:12\u{202f}PM - Zoë Müller: hi",
            "2024-03-14, 21:05 - A: x",
            "14.03.24, 21.05 - A: x",
            "[1/2/24, 10:00:00\u{a0}am] A: x",
        ]);
        prop_oneof![
            prop::collection::vec(piece(), 0..14).prop_map(|v| v.concat()),
            // A real header with one piece inserted or one byte removed.
            (template.clone(), 0usize..40, piece()).prop_map(|(t, at, p)| {
                let mut s = t.to_string();
                let at = (0..=at.min(s.len()))
                    .rev()
                    .find(|&i| s.is_char_boundary(i))
                    .unwrap_or(0);
                s.insert_str(at, p);
                s
            }),
            (template, 0usize..40).prop_map(|(t, at)| {
                let mut s = t.to_string();
                if let Some((i, _)) = s.char_indices().nth(at) {
                    s.remove(i);
                }
                s
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The straight-line reader never disagrees with the general one.
        #[test]
        fn plain_header_agrees_with_the_general_reader(l in line()) {
            if let Some(h) = plain_header(l.as_bytes()) {
                prop_assert_eq!(Some(h), general_header(l.as_bytes()), "{:?}", l);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The chunked quote search finds what a byte-by-byte one finds, wherever the
        /// quote or a near miss falls relative to the 8-byte chunks.
        #[test]
        fn has_quote_is_the_byte_search(
            parts in prop::collection::vec(prop::sample::select(vec![
                "a", "Zoë", " ", "\"", "“", "”", "„", "«", "»", "\u{2018}", "\u{201f}", "\u{e2}",
                "\u{c2}", "\u{a0}", "€", "Ñ", "12345678",
            ]), 0..12),
            cut in 0usize..3,
        ) {
            let s = parts.concat();
            // Also cut inside a character (the name is bytes up to a colon).
            let b = &s.as_bytes()[..s.len().saturating_sub(cut)];
            let plain = b.iter().enumerate().any(|(i, &c)| match c {
                b'"' => true,
                0xE2 => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x9C..=0x9E)),
                0xC2 => b.get(i + 1) == Some(&0xAB),
                _ => false,
            });
            prop_assert_eq!(has_quote(b), plain, "{:?}", b);
        }
    }

    #[test]
    fn a_repeated_header_or_date_is_read_as_the_first() {
        let lines = [
            "3/14/21, 8:12\u{202f}PM - Zoë Müller: hi",
            "3/14/21, 8:12\u{202f}PM - Anna: hey",
            "3/14/21, 8:12\u{202f}PM",
            "3/14/21, 8:12\u{202f}PM - ",
            "3/14/21, 8:13\u{202f}PM - Anna: later",
            "a line that goes on",
            "3/14/21, 8:13\u{202f}PM - Anna: again",
            "[1/2/24, 10:00:00\u{a0}am] A: x",
            "[1/2/24, 10:00:00\u{a0}am] B: y",
            "[1/2/24, 10:00:01\u{a0}am] B: y",
            "\u{200e}[1/2/24, 10:00:01\u{a0}am] B: y",
            "\u{200e}[1/2/24, 10:00:01\u{a0}am] B: z",
            "12/03/2024, 21:05 - A: x",
            "12/03/2024, 21:05 - ",
            "12/03/2024, 21:05 -",
            "12/03/2024, 21:06 - A: the same day",
            "12/03/2024, 9:06 p.m. - A: a time only the general reader reads",
            "12/03/2024, 9:06 p.m. - A: again",
            "12/03/2024, x - not a time",
            "12/03/2024, 21:06 - A: back",
            "12/03/2024, 21:06 - A: and again",
        ];
        let mut last = LastHeader::default();
        let mut repeats = 0;
        for l in lines {
            let (h, repeated) = parse_header_after(l.as_bytes(), &mut last);
            assert_eq!(h, parse_header(l.as_bytes()), "{l}");
            repeats += usize::from(repeated);
        }
        assert_eq!(repeats, 6);
    }

    #[test]
    fn plain_header_reads_the_common_forms() {
        for l in [
            "12/03/2024, 21:05 - A: x",
            "[12/03/2024, 9:05:33 PM] A: x",
            "3/14/21, 8:12\u{202f}PM - Zoë Müller: hi",
            "2024-03-14, 21:05 - A: x",
            "14.03.24, 21.05 - A: x",
            "[1/2/24, 10:00:00\u{a0}am] A: x",
            "1/2/24, 10:00 am - A: x",
        ] {
            let h = plain_header(l.as_bytes());
            assert!(h.is_some(), "{l}");
            assert_eq!(h, general_header(l.as_bytes()), "{l}");
        }
    }

    /// Pass 1 split at any line break and joined gives what one pass gives.
    #[test]
    fn gather_halves_join_exactly() {
        let ambiguous = "1/2/24, 9:00 - A: a\n3/1/24, 9:01 - B: b\n2/2/24, 9:02 - A: c\n\
                         4/3/24, 9:03 - B: d\n1/1/24, 9:04 - A: e\nnot a header\n5/5/24, 9:05 - A: f\n\
                         13/5/24, 9:06 - B: g\n2024-05-14, 9:07 - A: h\n6/1/24, 10:00 - A: i\n";
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/chats/chat-miner");
        let mut texts = vec![ambiguous.to_string()];
        for f in ["whatsapp__testlog.txt", "whatsapp__mmddyyyy_12hrs.txt"] {
            texts.push(std::fs::read_to_string(fixtures.join(f)).unwrap());
        }
        for text in &texts {
            let b = text.as_bytes();
            let whole = gather_lines(b);
            assert!(whole.headers > 0);
            for (k, _) in b.iter().enumerate().filter(|(_, c)| **c == b'\n') {
                let (x, y) = b.split_at(k + 1);
                assert_eq!(
                    gather_lines(x).then(gather_lines(y)),
                    whole,
                    "split after byte {k}"
                );
            }
        }
        assert!(gather_lines(ambiguous.as_bytes()).backwards_dmy > 0);
        // Big enough for two threads: the same evidence.
        let big = ambiguous.repeat(PARALLEL_GATHER_BYTES / ambiguous.len() + 7);
        assert_eq!(gather(&big), gather_lines(big.as_bytes()));
    }

    fn h(s: &str) -> Option<Header> {
        parse_header(s.as_bytes())
    }

    fn dt(s: &str, order: DateOrder) -> String {
        h(s).unwrap().resolve(order).unwrap().to_string()
    }

    #[test]
    fn headers_in_many_layouts() {
        use DateOrder::*;
        let cases: &[(&str, DateOrder, &str)] = &[
            (
                "12/31/21, 9:05\u{202f}PM - A: x",
                MonthFirst,
                "2021-12-31T21:05:00",
            ),
            (
                "[31/12/2021, 21:05:33] A: x",
                DayFirst,
                "2021-12-31T21:05:33",
            ),
            ("31.12.21, 21:05 - A: x", DayFirst, "2021-12-31T21:05:00"),
            ("2021-12-31 21:05 - A: x", DayFirst, "2021-12-31T21:05:00"),
            (
                "[2021/12/31 下午9:05:00] A: x",
                DayFirst,
                "2021-12-31T21:05:00",
            ),
            (
                "2021. 12. 31. 오후 9:05 - A: x",
                DayFirst,
                "2021-12-31T21:05:00",
            ),
            ("31/12/2021 à 21:05 - A: x", DayFirst, "2021-12-31T21:05:00"),
            (
                "31.12.2021 klo 21.05 - A: x",
                DayFirst,
                "2021-12-31T21:05:00",
            ),
            (
                "31.12.2021 kl. 21.05 - A: x",
                DayFirst,
                "2021-12-31T21:05:00",
            ),
            (
                "12/24/2019 11:30 p.\u{a0}m. - A: x",
                MonthFirst,
                "2019-12-24T23:30:00",
            ),
            (
                "06/20/2020, 00:08 a. m. - A: x",
                MonthFirst,
                "2020-06-20T00:08:00",
            ),
            (
                "31.12.21, 9:05 nachm. - A: x",
                DayFirst,
                "2021-12-31T21:05:00",
            ),
            (
                "12/31/21, 12:05 AM - A: x",
                MonthFirst,
                "2021-12-31T00:05:00",
            ),
            (
                "12/31/21, 12:05 PM - A: x",
                MonthFirst,
                "2021-12-31T12:05:00",
            ),
            (
                "\u{200e}[31.12.21, 21:05:33] A: x",
                DayFirst,
                "2021-12-31T21:05:33",
            ),
            (
                "٣١\u{200f}/١٢\u{200f}/٢٠٢١, ٩:٠٥ م - A: x",
                DayFirst,
                "2021-12-31T21:05:00",
            ),
            (
                "12/24/16, 10:37:00 PM: A: x",
                MonthFirst,
                "2016-12-24T22:37:00",
            ),
        ];
        for (line, order, want) in cases {
            assert_eq!(dt(line, *order), *want, "{line}");
        }
    }

    #[test]
    fn not_headers() {
        for s in [
            "hello",
            "1/2 cup of sugar",
            "12/03/2024 meeting at 10:00",
            "2024-01-01 10:00:00,Alice,hi",
            "12/03/2024, 10:00 meeting",
            "",
            "[",
            "1.2.3",
            "12/31/21, 9:05 PMx - A",
        ] {
            assert_eq!(h(s), None, "{s}");
        }
    }

    #[test]
    fn classify_placeholders() {
        assert_eq!(classify("<Media omitted>", false), MessageKind::Media);
        assert_eq!(classify("<media omitted>", false), MessageKind::Media);
        assert_eq!(classify("image omitted", true), MessageKind::Media);
        assert_eq!(
            classify("<attached: 00000012-PHOTO-2021-03-14-19-42-07.jpg>", true),
            MessageKind::Media
        );
        assert_eq!(
            classify("IMG-20210101-WA0001.jpg (file attached)", false),
            MessageKind::Media
        );
        assert_eq!(
            classify("This message was deleted", false),
            MessageKind::Deleted
        );
        assert_eq!(
            classify("This message was deleted.", true),
            MessageKind::Deleted
        );
        assert_eq!(
            classify("Messages and calls are end-to-end encrypted.", true),
            MessageKind::System
        );
        assert_eq!(classify("Missed voice call", true), MessageKind::Other);
        assert_eq!(classify("I <3 you", false), MessageKind::Text);
        assert_eq!(classify("the cake was omitted", false), MessageKind::Text);
        assert_eq!(classify("sticker omitted", false), MessageKind::Media);
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn prefilters_match_the_tables() {
        for w in OMITTED_WORDS {
            let last = w.as_bytes()[w.len() - 1].to_ascii_lowercase();
            assert!(OMITTED_LAST_BYTES.contains(&last), "{w}");
        }
        for d in DELETED {
            assert!(d.len() >= MIN_DELETED_LEN, "{d}");
        }
        for (phrases, lengths) in [
            (DELETED, DELETED_LENGTHS),
            (OWNER_DELETED, OWNER_DELETED_LENGTHS),
        ] {
            for p in phrases {
                for t in [p.to_string(), format!("{p}."), p.to_uppercase()] {
                    if t.eq_ignore_ascii_case(p) || t.len() == p.len() + 1 {
                        assert!(eq_loose(&t, phrases, lengths), "{t}");
                    }
                }
                assert!(!eq_loose(&format!("{p}!"), phrases, lengths));
            }
        }
    }
}
