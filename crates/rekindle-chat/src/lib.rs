//! # rekindle-chat — chat exports in, normalized messages out
//!
//! A pure crate: no database, no network, no filesystem. The input is the bytes
//! of an export, the output is a stream of [`MessageRef`]s handed to a sink plus
//! a [`Summary`] (counts per sender, first/last time, skipped lines with
//! examples, warnings).
//!
//! Formats (detected automatically, see [`detect_format`]):
//!
//! * **WhatsApp** text exports from Android (`date, time - Sender: text`) and iOS
//!   (`[date, time] Sender: text`) in every locale layout: day/month/year,
//!   month/day/year, year/month/day; separators `/ . -`; 2- or 4-digit years;
//!   12 h clocks with localized AM/PM markers (before or after the time) or
//!   24 h; with or without seconds; the invisible marks WhatsApp inserts
//!   (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, U+00A0, U+202F, BOM).
//!   Also the `.zip` WhatsApp produces (see [`unpack_zip`] and [`ZipLimits`]).
//! * **Telegram** Desktop `result.json` (single chat or full export: see
//!   [`list_chats`] and [`ChatChoice`] for choosing one of its chats).
//! * **Messenger / Instagram** `message_N.json` (mojibake repaired; parts merged
//!   with [`parse_many`], or from a zip with one folder per conversation).
//! * **CSV** with a header naming a time, a sender and a text column.
//!
//! ## Using it
//!
//! ```
//! use rekindle_chat::{parse, ParseOptions, MessageKind};
//! let chat = "12/03/2024, 21:05 - Sam: hello\n13/03/2024, 08:00 - Alex: hi\nsecond line\n";
//! let mut texts = Vec::new();
//! let summary = parse(chat.as_bytes(), &ParseOptions::default(), &mut |m| {
//!     texts.push(m.text.to_string());
//! })
//! .unwrap();
//! assert_eq!(summary.messages, 2);
//! assert_eq!(texts[1], "hi\nsecond line");
//! ```
//!
//! ## The API at a glance (stable: the CLI, the vault and the web page use it)
//!
//! ```text
//! detect_format(&[u8]) -> Result<Format, ParseError>
//! list_chats(&[u8], &ParseOptions) -> Result<Vec<ChatInfo>, ParseError>
//! parse(&[u8], &ParseOptions, &mut dyn FnMut(MessageRef<'_>)) -> Result<Summary, ParseError>
//! parse_with_zip_limits(&[u8], &ParseOptions, &ZipLimits, sink) -> Result<Summary, ParseError>
//! parse_to_vec(&[u8], &ParseOptions) -> Result<(Vec<Message>, Summary), ParseError>
//! parse_many(&[&[u8]], &ParseOptions, sink) -> Result<Summary, ParseError>  (Messenger parts)
//! Utf8Export::check(&[u8]) -> Option<Utf8Export>  (a part whose UTF-8 was checked ahead)
//! stream::scan(&mut R, Option<R> (a second reader: two halves at once), &ParseOptions), Scanned::parse(..)  (a file read in pieces)
//! unpack_zip(&[u8], &ZipLimits) -> Result<Vec<u8>, ParseError>
//! write_jsonl(&MessageRef, &mut impl Write) -> io::Result<()>
//! write_csv_header(&mut impl Write) -> io::Result<()>
//! write_csv(&MessageRef, &mut impl Write) -> io::Result<()>
//! format_time(DateTime, Option<i32>) -> String
//! content_key(&str, &MessageRef) -> [u8; 32]
//! content_key_nth(&str, &MessageRef, u32) -> [u8; 32]
//! ContentKeys::new(source_chat).key(&MessageRef) -> [u8; 32]
//! ```
//!
//! * [`parse`] streams (the sink gets borrowed views; WhatsApp and CSV messages
//!   borrow from the input, no per-message allocation for the common case).
//! * [`parse_to_vec`] collects owned [`Message`]s.
//! * [`write_jsonl`] / [`write_csv_header`] + [`write_csv`] write the
//!   normalized forms used by `rekindle convert`.
//! * [`content_key`] / [`ContentKeys`] give the idempotence key for imports.
//!
//! ## Times
//!
//! [`MessageRef::time`] is the civil (wall-clock) time as the export shows it.
//! [`MessageRef::offset_seconds`] is set only when the format carries an
//! offset: Messenger/Instagram (`timestamp_ms` is a UTC instant: civil time in
//! UTC, offset 0), Telegram (offset derived from `date` vs `date_unixtime`, or
//! the `Z`/`±HH:MM` written in `date` when there is no `date_unixtime`; a
//! message with only `date_unixtime` is given in UTC with offset 0), CSV (when
//! the time has `Z` or `±HH:MM`, or is a Unix epoch number). A time written
//! with an offset keeps its clock reading as written; it is not converted.
//! WhatsApp exports carry no offset.
//!
//! ## Errors
//!
//! A file that is not a chat gives a [`ParseError`] whose `Display` is one
//! plain sentence naming the line, what was expected and what was found. A
//! partly bad file is *not* an error: bad lines are counted in
//! [`Summary::skipped_count`] with the first 20 in [`Summary::skipped`].
//! (`rekindle import`/`convert` map any `ParseError` to exit code 2.)
//!
//! ## Memory and speed
//!
//! UTF-8 input is used in place; the WhatsApp parser scans it twice (day/month
//! evidence, then messages) with `memchr` and allocates nothing per message.
//! A 1M-message, 84 MB WhatsApp export parses in about 0.35 s on 2 cores with
//! a peak RSS equal to the file size (see README.md for the table).

mod choice;
mod csvfmt;
mod decode;
mod error;
mod messenger;
mod notices;
mod output;
pub mod stream;
mod telegram;
mod whatsapp;
mod zipread;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

pub use choice::{ChatChoice, ChatInfo};
pub use decode::BadLines;
pub use error::ParseError;
pub use jiff::civil::DateTime;
pub use output::{
    ContentKeys, content_key, content_key_nth, format_time, write_csv, write_csv_header,
    write_jsonl,
};
pub use zipread::{ZipLimits, unpack_zip};

/// How many skipped-line examples a [`Summary`] keeps.
pub const MAX_SKIPPED_EXAMPLES: usize = 20;

/// The export formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// WhatsApp text export (Android or iOS), or its `.zip`.
    WhatsApp,
    /// Telegram Desktop `result.json`.
    Telegram,
    /// Facebook Messenger or Instagram `message_N.json`.
    Messenger,
    /// CSV with a header: time, sender, text (optional kind).
    Csv,
}

impl Format {
    /// All formats, in detection order.
    pub const ALL: [Format; 4] = [
        Format::WhatsApp,
        Format::Telegram,
        Format::Messenger,
        Format::Csv,
    ];

    /// The lowercase name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::WhatsApp => "whatsapp",
            Format::Telegram => "telegram",
            Format::Messenger => "messenger",
            Format::Csv => "csv",
        }
    }

    /// The name to show a person ("WhatsApp", "Telegram", ...).
    pub fn display_name(self) -> &'static str {
        match self {
            Format::WhatsApp => "WhatsApp",
            Format::Telegram => "Telegram",
            Format::Messenger => "Messenger",
            Format::Csv => "CSV",
        }
    }
}

impl fmt::Display for Format {
    /// Writes the lowercase command-line name (`whatsapp`, ...); see
    /// [`Format::display_name`] for the name to show a person.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown name given to [`Format::from_str`] or [`DateOrder::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{given}” is not one of: {allowed}.")]
pub struct UnknownName {
    pub given: String,
    pub allowed: &'static str,
}

impl FromStr for Format {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "whatsapp" | "wa" => Ok(Format::WhatsApp),
            "telegram" | "tg" => Ok(Format::Telegram),
            "messenger" | "facebook" | "instagram" => Ok(Format::Messenger),
            "csv" => Ok(Format::Csv),
            _ => Err(UnknownName {
                given: s.to_string(),
                allowed: "whatsapp, telegram, messenger, csv",
            }),
        }
    }
}

/// The order of the numbers in a WhatsApp date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DateOrder {
    /// 31/12/2024 (`dmy`)
    #[serde(rename = "dmy")]
    DayFirst,
    /// 12/31/2024 (`mdy`)
    #[serde(rename = "mdy")]
    MonthFirst,
    /// 2024/12/31 (`ymd`)
    #[serde(rename = "ymd")]
    YearFirst,
}

impl DateOrder {
    /// `dmy`, `mdy` or `ymd`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "dmy",
            DateOrder::MonthFirst => "mdy",
            DateOrder::YearFirst => "ymd",
        }
    }
}

impl fmt::Display for DateOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DateOrder {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dmy" | "day-first" | "dayfirst" | "day" => Ok(DateOrder::DayFirst),
            "mdy" | "month-first" | "monthfirst" | "month" => Ok(DateOrder::MonthFirst),
            "ymd" | "year-first" | "yearfirst" | "year" => Ok(DateOrder::YearFirst),
            _ => Err(UnknownName {
                given: s.to_string(),
                allowed: "dmy, mdy, ymd",
            }),
        }
    }
}

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// Something a person wrote.
    Text,
    /// A photo, video, voice note, sticker, file... (often only a placeholder).
    Media,
    /// A line from the app itself: encryption notice, "X created group", calls in Telegram.
    System,
    /// "This message was deleted" / "You deleted this message".
    Deleted,
    /// Anything else (missed calls, locations, polls).
    Other,
}

impl MessageKind {
    /// The lowercase name used in JSONL/CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Media => "media",
            MessageKind::System => "system",
            MessageKind::Deleted => "deleted",
            MessageKind::Other => "other",
        }
    }
}

impl FromStr for MessageKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(MessageKind::Text),
            "media" => Ok(MessageKind::Media),
            "system" => Ok(MessageKind::System),
            "deleted" => Ok(MessageKind::Deleted),
            "other" => Ok(MessageKind::Other),
            _ => Err(UnknownName {
                given: s.to_string(),
                allowed: "text, media, system, deleted, other",
            }),
        }
    }
}

/// Options for [`parse`]. `Default` means: detect the format, decide the
/// day/month order from the file (day first when the file cannot tell), and
/// in a Telegram full export read the first personal chat with a note
/// ([`ChatChoice::FirstPersonal`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// Force the WhatsApp date order. Without it the order is decided from the
    /// whole file; when the file cannot tell, day-first is assumed with a warning.
    pub date_order: Option<DateOrder>,
    /// Which chat to read from an export holding several (a Telegram full
    /// export, a Messenger/Instagram zip with several conversations).
    pub chat: ChatChoice,
}

/// One message, borrowed from the input where possible. Handed to the sink of [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRef<'a> {
    /// Wall-clock time as the export shows it.
    pub time: DateTime,
    /// Offset from UTC in seconds, only when the format carries one.
    pub offset_seconds: Option<i32>,
    /// Who wrote it; `None` for system lines (and Telegram messages whose author was deleted).
    pub sender: Option<&'a str>,
    /// The text, with line breaks as `\n`; placeholders are kept as the export wrote them.
    pub text: Cow<'a, str>,
    /// What kind of message this is.
    pub kind: MessageKind,
}

impl MessageRef<'_> {
    /// An owned copy.
    pub fn to_owned_message(&self) -> Message {
        Message::from(self)
    }
}

/// An owned message (same fields as [`MessageRef`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub time: DateTime,
    pub offset_seconds: Option<i32>,
    pub sender: Option<String>,
    pub text: String,
    pub kind: MessageKind,
}

impl Message {
    /// A borrowed view of this message.
    pub fn as_ref(&self) -> MessageRef<'_> {
        MessageRef {
            time: self.time,
            offset_seconds: self.offset_seconds,
            sender: self.sender.as_deref(),
            text: Cow::Borrowed(&self.text),
            kind: self.kind,
        }
    }
}

impl From<MessageRef<'_>> for Message {
    fn from(m: MessageRef<'_>) -> Self {
        Message {
            time: m.time,
            offset_seconds: m.offset_seconds,
            sender: m.sender.map(str::to_string),
            text: m.text.into_owned(),
            kind: m.kind,
        }
    }
}

impl From<&MessageRef<'_>> for Message {
    fn from(m: &MessageRef<'_>) -> Self {
        Message {
            time: m.time,
            offset_seconds: m.offset_seconds,
            sender: m.sender.map(str::to_string),
            text: m.text.to_string(),
            kind: m.kind,
        }
    }
}

/// A line (or JSON message) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SkippedLine {
    /// 1-based line number in the (decoded) file.
    pub line: usize,
    /// Why, in plain words.
    pub reason: String,
    /// What the line holds, at most 80 characters.
    pub excerpt: String,
}

/// What a parse found, besides the messages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub format: Format,
    /// The day/month order used (WhatsApp only).
    pub date_order: Option<DateOrder>,
    /// Messages handed to the sink.
    pub messages: usize,
    /// Messages per sender, most first (ties by name). System lines are not counted here.
    pub per_sender: Vec<(String, usize)>,
    /// Earliest and latest message time (civil time as exported).
    pub first: Option<DateTime>,
    pub last: Option<DateTime>,
    /// Lines that could not be read, and the first [`MAX_SKIPPED_EXAMPLES`] of them.
    pub skipped_count: usize,
    pub skipped: Vec<SkippedLine>,
    /// Which sender is probably the person who exported the chat, when the export tells
    /// (WhatsApp "You deleted this message" / a sender named "You"; Telegram
    /// `personal_information` or the other side of a personal chat; Messenger's
    /// participant who is not the thread title).
    pub owner_hint: Option<String>,
    /// The chat's name when the export tells (zip entry name, group name, Telegram chat name, Messenger title).
    pub chat_name: Option<String>,
    /// Things the person should know, in plain words.
    pub warnings: Vec<String>,
}

/// Accumulates a [`Summary`] while a parser runs.
pub(crate) struct Stats {
    messages: usize,
    /// Senders while there are few of them (then moved to `per_sender`).
    small: Vec<(String, usize)>,
    per_sender: HashMap<String, usize>,
    first: Option<DateTime>,
    last: Option<DateTime>,
    skipped_count: usize,
    skipped: Vec<SkippedLine>,
    pub(crate) date_order: Option<DateOrder>,
    pub(crate) owner_hint: Option<String>,
    pub(crate) chat_name: Option<String>,
    pub(crate) warnings: Vec<String>,
}

impl Stats {
    fn new() -> Self {
        Stats {
            messages: 0,
            small: Vec::new(),
            per_sender: HashMap::new(),
            first: None,
            last: None,
            skipped_count: 0,
            skipped: Vec::new(),
            date_order: None,
            owner_hint: None,
            chat_name: None,
            warnings: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn record(&mut self, m: &MessageRef<'_>) {
        self.messages += 1;
        if let Some(s) = m.sender {
            // Chats have few senders: a short linear scan beats hashing.
            if let Some(entry) = self.small.iter_mut().find(|(n, _)| n == s) {
                entry.1 += 1;
            } else if self.small.len() < 16 && self.per_sender.is_empty() {
                self.small.push((s.to_string(), 1));
            } else {
                if self.per_sender.is_empty() {
                    self.per_sender.extend(self.small.drain(..));
                }
                match self.per_sender.get_mut(s) {
                    Some(n) => *n += 1,
                    None => {
                        self.per_sender.insert(s.to_string(), 1);
                    }
                }
            }
        }
        if self.first.is_none_or(|f| m.time < f) {
            self.first = Some(m.time);
        }
        if self.last.is_none_or(|l| m.time > l) {
            self.last = Some(m.time);
        }
    }

    pub(crate) fn skip(&mut self, line: usize, reason: impl Into<String>, content: &str) {
        self.skipped_count += 1;
        if self.skipped.len() < MAX_SKIPPED_EXAMPLES {
            self.skipped.push(SkippedLine {
                line,
                reason: reason.into(),
                excerpt: error::excerpt(content.trim_end_matches(['\r', '\n']), 80),
            });
        }
    }

    /// The lines left out because they were not UTF-8.
    fn skip_lines(&mut self, bad: &BadLines) {
        for (line, start) in &bad.examples {
            self.skip(*line, decode::NOT_UTF8, start);
        }
        self.skipped_count += bad.count.saturating_sub(bad.examples.len());
    }

    pub(crate) fn first_skipped(&self) -> Option<&SkippedLine> {
        self.skipped.first()
    }

    pub(crate) fn messages(&self) -> usize {
        self.messages
    }

    fn sender_names(&self) -> impl Iterator<Item = &String> {
        self.small
            .iter()
            .map(|(n, _)| n)
            .chain(self.per_sender.keys())
    }

    pub(crate) fn has_sender(&self, name: &str) -> bool {
        self.sender_names().any(|n| n == name)
    }

    /// The one sender that is not `name`, if there is exactly one.
    pub(crate) fn other_sender(&self, name: &str) -> Option<String> {
        let mut others = self.sender_names().filter(|s| s.as_str() != name);
        let first = others.next()?;
        if others.next().is_some() {
            return None;
        }
        Some(first.clone())
    }

    fn finish(self, format: Format) -> Summary {
        let mut per_sender: Vec<(String, usize)> =
            self.small.into_iter().chain(self.per_sender).collect();
        per_sender.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Summary {
            format,
            date_order: self.date_order,
            messages: self.messages,
            per_sender,
            first: self.first,
            last: self.last,
            skipped_count: self.skipped_count,
            skipped: self.skipped,
            owner_hint: self.owner_hint,
            chat_name: self.chat_name,
            warnings: self.warnings,
        }
    }
}

/// Is this a zip archive (local file header or empty-archive signature)?
fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Detect the format of an export from its bytes.
///
/// A zip archive is judged by the names of its files, without inflating any:
/// [`Format::Messenger`] when it holds `message_N.json` files and no WhatsApp
/// chat text, else [`Format::WhatsApp`] ([`parse`] opens it and checks the
/// chat inside).
pub fn detect_format(bytes: &[u8]) -> Result<Format, ParseError> {
    if is_zip(bytes) {
        return Ok(
            if zipread::holds_messenger(bytes, &ZipLimits::default()) == Some(true) {
                Format::Messenger
            } else {
                Format::WhatsApp
            },
        );
    }
    let mut warnings = Vec::new();
    let text = decode::decode(bytes, &mut warnings)?;
    detect_text(&text.text)
}

fn detect_text(text: &str) -> Result<Format, ParseError> {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return Err(ParseError::Empty);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') && !whatsapp::looks_like(text) {
        // JSON: Messenger has sender_name/timestamp_ms (or the newer senderName/timestamp).
        let head = &text.as_bytes()[..text.len().min(1 << 20)];
        let has = |needle: &str| memchr::memmem::find(head, needle.as_bytes()).is_some();
        if has("\"timestamp_ms\"") || has("\"sender_name\"") || has("\"senderName\"") {
            return Ok(Format::Messenger);
        }
        if has("\"messages\"") || has("\"chats\"") {
            return Ok(Format::Telegram);
        }
        return Err(ParseError::NotAChat {
            line: 1,
            what: "a chat export".into(),
            expected: "a Telegram result.json (with \"messages\") or a Messenger/Instagram message_1.json (with \"sender_name\" and \"timestamp_ms\")".into(),
            found: error::found(trimmed),
        });
    }
    if whatsapp::looks_like(text) {
        return Ok(Format::WhatsApp);
    }
    if csvfmt::looks_like(text) {
        return Ok(Format::Csv);
    }
    let (line, first) = first_nonblank_line(text);
    Err(ParseError::NotAChat {
        line,
        what: "a chat export".into(),
        expected: "a WhatsApp line starting with a date such as 12/03/2024, a Telegram or Messenger JSON file, or a CSV header naming time, sender and text columns".into(),
        found: error::found(first),
    })
}

/// The first line that is not blank, with its 1-based number.
pub(crate) fn first_nonblank_line(text: &str) -> (usize, &str) {
    for (i, l) in text.lines().enumerate() {
        if !l.trim().is_empty() {
            return (i + 1, l);
        }
    }
    (1, "")
}

/// Parse an export, handing each message to `sink` as it is read (streaming).
///
/// `bytes` may be a WhatsApp or Messenger/Instagram `.zip` (opened with
/// [`ZipLimits::default`]), UTF-8 (with or without BOM) or UTF-16 with a BOM.
/// Messenger messages are sorted by time before they are handed out; the
/// other formats keep file order. An export holding several chats is read as
/// [`ParseOptions::chat`] says.
pub fn parse(
    bytes: &[u8],
    opts: &ParseOptions,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<Summary, ParseError> {
    parse_impl(&bytes, opts, sink, Some(&ZipLimits::default()))
}

/// [`parse`] with other limits for a zip input (e.g. stricter ones for uploads).
pub fn parse_with_zip_limits(
    bytes: &[u8],
    opts: &ParseOptions,
    limits: &ZipLimits,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<Summary, ParseError> {
    parse_impl(&bytes, opts, sink, Some(limits))
}

/// An export read into memory and made ready to parse: a file that is UTF-8
/// except for some lines has those lines blanked in place, so parsing it
/// needs no second copy of the file (issue 18, item 4: a 200 MB file with
/// Latin-1 bytes in it took 2.3 times its size). The lines left out are
/// reported by the parse as before. Give it to [`parse_many`].
#[derive(Debug, Clone)]
pub struct Prepared {
    bytes: Vec<u8>,
    repaired: Option<BadLines>,
}

impl Prepared {
    /// The bytes as they will be parsed (repaired, if they needed it).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes back (repaired, if they needed it; what was left out is
    /// then no longer reported by a later parse).
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Makes `bytes` (a whole export file, owned) ready to parse: see [`Prepared`].
/// A zip, UTF-16, a valid UTF-8 file and one too broken to read are kept as they are.
pub fn prepare(mut bytes: Vec<u8>) -> Prepared {
    let repaired = if is_zip(&bytes) {
        None
    } else {
        decode::repair_in_place(&mut bytes)
    };
    Prepared { bytes, repaired }
}

/// What the parse functions take: an export file's bytes as they are
/// (`&[u8]`, `Vec<u8>`), or [`Prepared`] ones.
pub trait ExportPart {
    fn bytes(&self) -> &[u8];
    /// The lines [`prepare`] left out of these bytes, if it repaired them.
    fn repaired(&self) -> Option<&BadLines> {
        None
    }
    /// The bytes as text, when they were already found to be UTF-8
    /// ([`Utf8Export`]): the parse does not check them again.
    fn text(&self) -> Option<&str> {
        None
    }
}

/// An export's bytes found to be UTF-8, ready to parse without a second check.
///
/// Checking an 80 MB file takes ~14 ms on one core. A caller that has the
/// bytes before it can parse them (and time to spare, such as a wait for
/// other set-up) checks them in that wait; parsed, the part reads exactly as
/// its bytes would (a byte order mark, UTF-16 without one, and a zip are
/// still recognised). A file is better read in pieces ([`stream`]), which
/// checks each piece as it reads it.
#[derive(Debug, Clone, Copy)]
pub struct Utf8Export<'a>(&'a str);

impl<'a> Utf8Export<'a> {
    /// The bytes as text if they are UTF-8, else `None` (parse the bytes
    /// themselves then: lines that are not UTF-8 are reported there).
    pub fn check(bytes: &'a [u8]) -> Option<Utf8Export<'a>> {
        simdutf8::basic::from_utf8(bytes).ok().map(Utf8Export)
    }
}

impl ExportPart for Utf8Export<'_> {
    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
    fn text(&self) -> Option<&str> {
        Some(self.0)
    }
}

impl ExportPart for &[u8] {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl ExportPart for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl ExportPart for Prepared {
    fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    fn repaired(&self) -> Option<&BadLines> {
        self.repaired.as_ref()
    }
}

/// One part's text: decoded from its bytes, or as [`prepare`] left it.
fn decode_part<'a>(
    part: &'a dyn ExportPart,
    warnings: &mut Vec<String>,
) -> Result<decode::Decoded<'a>, ParseError> {
    if let Some(text) = part.text() {
        return Ok(decode::decode_checked(text, warnings));
    }
    match part.repaired() {
        Some(bad) => decode::decode_repaired(part.bytes(), bad),
        None => decode::decode(part.bytes(), warnings),
    }
}

fn parse_impl(
    part: &dyn ExportPart,
    opts: &ParseOptions,
    sink: &mut dyn FnMut(MessageRef<'_>),
    zip_limits: Option<&ZipLimits>,
) -> Result<Summary, ParseError> {
    let bytes = part.bytes();
    // A zip inside a zip is not opened (a zip can contain itself).
    if let Some(limits) = zip_limits
        && is_zip(bytes)
    {
        return match zipread::open(bytes, limits)? {
            zipread::ZipChat::Text { name, bytes: inner } => {
                let inner = prepare(inner);
                let mut summary = parse_impl(&inner, opts, sink, None)?;
                if summary.chat_name.is_none() {
                    summary.chat_name = zipread::chat_name_from_entry(&name);
                }
                Ok(summary)
            }
            zipread::ZipChat::Messenger(conversations) => {
                messenger_zip(conversations, &opts.chat, sink)
            }
        };
    }
    let mut stats = Stats::new();
    let decoded = decode_part(part, &mut stats.warnings)?;
    stats.skip_lines(&decoded.bad);
    let text: &str = &decoded.text;
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(ParseError::Empty);
    }
    let format = match opts.format {
        Some(f) => f,
        None => detect_text(text)?,
    };
    match format {
        Format::WhatsApp => {
            note_unneeded_choice(format, &opts.chat, &mut stats);
            whatsapp::parse(text, opts, &mut stats, sink)?
        }
        Format::Telegram => telegram::parse(text, &opts.chat, &mut stats, sink)?,
        Format::Messenger => {
            let check = messenger::Check {
                pick: opts.chat.picked(),
                folder: None,
            };
            messenger::parse_parts(&[text], check, &mut stats, sink)?
        }
        Format::Csv => {
            note_unneeded_choice(format, &opts.chat, &mut stats);
            csvfmt::parse(text, &mut stats, sink)?
        }
    }
    Ok(stats.finish(format))
}

/// A chat chosen for an export that holds one and does not name it: read
/// anyway, with a note.
fn note_unneeded_choice(format: Format, choice: &ChatChoice, stats: &mut Stats) {
    if let Some(given) = choice.picked() {
        stats.warnings.push(format!(
            "A {} export holds only one chat, so the chat chosen (“{}”) was not needed; this one was read.",
            format.display_name(),
            error::excerpt(given, 60)
        ));
    }
}

/// The conversations of a Messenger/Instagram zip: one is read, the one
/// `choice` selects when there are several.
fn messenger_zip(
    conversations: Vec<zipread::Conversation>,
    choice: &ChatChoice,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<Summary, ParseError> {
    let mut stats = Stats::new();
    let mut decoded: Vec<(Option<String>, Vec<Cow<'_, str>>)> =
        Vec::with_capacity(conversations.len());
    for c in &conversations {
        let mut texts = Vec::with_capacity(c.parts.len());
        for p in &c.parts {
            texts.push(decode::decode(p, &mut stats.warnings)?.text);
        }
        decoded.push((c.id.clone(), texts));
    }
    let (pick, chosen) = if decoded.len() > 1 {
        let mut infos = Vec::with_capacity(decoded.len());
        for (id, texts) in &decoded {
            let refs: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
            infos.push(messenger::info(id.as_deref(), &refs)?);
        }
        // Keep the chosen conversation's place; empty ones cannot be chosen.
        let with_messages: Vec<usize> = (0..infos.len())
            .filter(|&i| infos[i].messages > 0)
            .collect();
        let listed: Vec<ChatInfo> = with_messages.iter().map(|&i| infos[i].clone()).collect();
        let k = choice::choose(Format::Messenger, &listed, choice)?;
        (None, with_messages.get(k).copied().unwrap_or(0))
    } else {
        (choice.picked(), 0)
    };
    let Some((id, texts)) = decoded.get(chosen) else {
        return Err(ParseError::NoMessages {
            format: Format::Messenger,
        });
    };
    let refs: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
    let check = messenger::Check {
        pick,
        folder: id.as_deref(),
    };
    messenger::parse_parts(&refs, check, &mut stats, sink)?;
    stats.warnings.dedup();
    Ok(stats.finish(Format::Messenger))
}

/// The chats an export holds, without importing anything: the chats (with
/// messages) of a Telegram full export or of a Messenger/Instagram zip with
/// several conversation folders, in the export's order; for any other export
/// its one chat (WhatsApp and CSV exports are read whole to count their
/// messages). Show them to the person, then [`parse`] with
/// [`ParseOptions::chat`] = [`ChatChoice::Pick`] of the [`ChatInfo::id`] (or
/// name) chosen.
pub fn list_chats(bytes: &[u8], opts: &ParseOptions) -> Result<Vec<ChatInfo>, ParseError> {
    if is_zip(bytes)
        && let zipread::ZipChat::Messenger(conversations) =
            zipread::open(bytes, &ZipLimits::default())?
    {
        let mut warnings = Vec::new();
        let mut out = Vec::with_capacity(conversations.len());
        for c in &conversations {
            let mut texts = Vec::with_capacity(c.parts.len());
            for p in &c.parts {
                texts.push(decode::decode(p, &mut warnings)?.text);
            }
            let refs: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
            let info = messenger::info(c.id.as_deref(), &refs)?;
            if info.messages > 0 {
                out.push(info);
            }
        }
        return Ok(out);
    }
    if !is_zip(bytes) {
        let mut warnings = Vec::new();
        let decoded = decode::decode(bytes, &mut warnings)?;
        let format = match opts.format {
            Some(f) => f,
            None => detect_text(&decoded.text)?,
        };
        match format {
            Format::Telegram => return telegram::chats(&decoded.text),
            Format::Messenger => return Ok(vec![messenger::info(None, &[&decoded.text])?]),
            Format::WhatsApp | Format::Csv => {}
        }
    }
    let whole = ParseOptions {
        chat: ChatChoice::FirstPersonal,
        ..opts.clone()
    };
    let summary = parse(bytes, &whole, &mut |_| {})?;
    Ok(vec![ChatInfo {
        format: summary.format,
        id: None,
        name: summary.chat_name,
        kind: None,
        messages: summary.messages,
    }])
}

/// Parse and collect owned messages.
pub fn parse_to_vec(
    bytes: &[u8],
    opts: &ParseOptions,
) -> Result<(Vec<Message>, Summary), ParseError> {
    let mut out = Vec::new();
    let summary = parse(bytes, opts, &mut |m| out.push(Message::from(m)))?;
    Ok((out, summary))
}

/// Parse several parts of one Messenger/Instagram conversation
/// (`message_1.json`, `message_2.json`, ... in any order) as one chat: messages
/// are merged in time order, and a message found in more than one part is
/// kept once (with a warning).
///
/// One part is the same as [`parse`] (a zip, any format). Of several, each
/// must be a Messenger/Instagram JSON file ([`ParseError::PartsUnsupported`]
/// names the first that is not) and have the title and participants of the
/// first ([`ParseError::PartsDiffer`]); an error inside one part comes as
/// [`ParseError::InPart`] with its position.
///
/// Parts may be bytes as read (`&[u8]`) or [`Prepared`] (no second copy of
/// a file with lines that are not UTF-8).
pub fn parse_many<P: ExportPart>(
    parts: &[P],
    opts: &ParseOptions,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<Summary, ParseError> {
    let parts: Vec<&dyn ExportPart> = parts.iter().map(|p| p as &dyn ExportPart).collect();
    parse_many_impl(&parts, opts, sink)
}

fn parse_many_impl(
    parts: &[&dyn ExportPart],
    opts: &ParseOptions,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<Summary, ParseError> {
    match parts {
        [] => return Err(ParseError::Empty),
        [one] => return parse_impl(*one, opts, sink, Some(&ZipLimits::default())),
        _ => {}
    }
    let mut stats = Stats::new();
    let mut texts = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        let part = i + 1;
        let what = |format: Format| match format {
            Format::Csv => "a CSV file".to_string(),
            f => format!("a {} export", f.display_name()),
        };
        if is_zip(p.bytes()) {
            return Err(ParseError::PartsUnsupported {
                part,
                what: "a zip archive".into(),
            });
        }
        let in_part = |e: ParseError| ParseError::InPart {
            part,
            error: Box::new(e),
        };
        let d = decode_part(*p, &mut stats.warnings).map_err(in_part)?;
        if d.text
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .is_empty()
        {
            return Err(in_part(ParseError::Empty));
        }
        let format = match opts.format {
            Some(f) => f,
            None => detect_text(&d.text).map_err(in_part)?,
        };
        if format != Format::Messenger {
            return Err(ParseError::PartsUnsupported {
                part,
                what: what(format),
            });
        }
        texts.push(d.text);
    }
    let refs: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
    let check = messenger::Check {
        pick: opts.chat.picked(),
        folder: None,
    };
    messenger::parse_parts(&refs, check, &mut stats, sink)?;
    stats.warnings.dedup();
    Ok(stats.finish(Format::Messenger))
}

/// Hooks for the fuzz targets in `fuzz/` (not part of the stable API).
#[doc(hidden)]
pub mod fuzzing {
    /// Read `line` as a WhatsApp header and resolve it in every date order;
    /// panics if an internal invariant breaks.
    pub fn check_header(line: &[u8]) {
        crate::whatsapp::check_header(line);
    }

    /// Read `data` whole ([`crate::parse`]) and in pieces of `piece` bytes
    /// ([`crate::stream`]), by one reader and split in two halves read at
    /// once; panics unless all give the same messages and summary, or the
    /// same error.
    pub fn check_pieces(data: &[u8], piece: usize, opts: &crate::ParseOptions) {
        use crate::Message;
        let mut want = Vec::new();
        let whole = crate::parse(data, opts, &mut |m| want.push(Message::from(m)));
        let whole = whole.map_err(|e| e.to_string());
        for split in [false, true] {
            let mut reader = std::io::Cursor::new(data);
            let second = split.then(|| std::io::Cursor::new(data));
            let scanned = match crate::stream::scan_in_pieces(&mut reader, second, opts, piece, 0) {
                Ok(s) => s,
                Err(e) => panic!("reading from memory failed: {e}"),
            };
            let mut got = Vec::new();
            let pieces = scanned.parse(&mut reader, opts, &mut |m| got.push(Message::from(m)));
            match (&whole, pieces) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, &b, "summaries differ (split: {split})");
                    assert_eq!(want, got, "messages differ (split: {split})");
                }
                (Err(a), Err(crate::stream::ReadError::Parse(b))) => {
                    assert_eq!(a, &b.to_string());
                }
                (a, b) => panic!("whole: {a:?}; in pieces (split: {split}): {b:?}"),
            }
        }
    }
}
