//! Telegram Desktop "Export chat history" → JSON (`result.json`).
//!
//! * A single-chat export is an object with `name`, `type`, `messages`.
//! * A full export ("Export Telegram data") has `personal_information` and
//!   `chats.list[]`. Which chat is read follows [`ChatChoice`]: one chosen by
//!   id or exact name; with [`ChatChoice::Ask`] an export with several chats
//!   (that have messages) is refused with the list; with the default
//!   [`ChatChoice::FirstPersonal`] the first personal chat with messages (or
//!   the first chat with messages) is read, with a warning naming it.
//!   [`chats`] lists them without reading any message.
//!
//! Messages are read one at a time from borrowed raw JSON (the list itself is
//! only a list of slices), so memory stays near the file size.
//!
//! * `text` is a string or an array of strings and entity objects
//!   (`{"type":"bold","text":"..."}`); the pieces are joined.
//! * `type: "service"` → [`MessageKind::System`] with no sender; its text is
//!   the action (`"Alice: phone call (56 s)"`) when `text` is empty.
//! * Photos, files, stickers, voice notes... → [`MessageKind::Media`]; the
//!   caption is the text, or a placeholder such as `<photo>`.
//! * Polls, locations, contacts → [`MessageKind::Other`].
//! * `from: null` (deleted account) → no sender.
//! * Time: `date` (local wall time of the exporting computer) when present,
//!   read as ISO 8601 in any usual form (`2024-01-12T10:00:00`, with a
//!   fraction, `Z` or an offset such as `+02:00`/`-0500`) and kept as the clock
//!   time written; the offset is derived from `date_unixtime` when present,
//!   else taken from `date` when it has one (see `time_of`); a message with
//!   only `date_unixtime` is given in UTC (offset 0); a message with neither
//!   is skipped and counted. If no message at all can be read, the error names
//!   the first one and why.

use std::borrow::Cow;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::choice::{ChatChoice, ChatInfo, choose};
use crate::error::{ParseError, found};
use crate::{Format, MessageKind, MessageRef, Stats};

#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<StrOrNum<'a>>,
    #[serde(borrow, default)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    chats: Option<ChatList<'a>>,
    #[serde(default)]
    personal_information: Option<Personal>,
}

#[derive(Deserialize)]
struct ChatList<'a> {
    #[serde(borrow, default)]
    list: Vec<Chat<'a>>,
}

#[derive(Deserialize)]
struct Chat<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<StrOrNum<'a>>,
    #[serde(borrow, default)]
    messages: Vec<&'a RawValue>,
}

impl Chat<'_> {
    fn info(&self) -> ChatInfo {
        info(
            self.id.as_ref(),
            self.name.as_deref(),
            self.kind.as_deref(),
            self.messages.len(),
        )
    }
}

fn info(id: Option<&StrOrNum<'_>>, name: Option<&str>, kind: Option<&str>, n: usize) -> ChatInfo {
    ChatInfo {
        format: Format::Telegram,
        id: id.and_then(|v| match v {
            StrOrNum::Num(n) => Some(n.to_string()),
            StrOrNum::Str(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        }),
        name: name.map(str::to_string),
        kind: kind.map(words).filter(|k| !k.trim().is_empty()),
        messages: n,
    }
}

#[derive(Deserialize)]
struct Personal {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StrOrNum<'a> {
    Str(#[serde(borrow)] Cow<'a, str>),
    Num(i64),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Text<'a> {
    Plain(#[serde(borrow)] Cow<'a, str>),
    Parts(#[serde(borrow)] Vec<Part<'a>>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Part<'a> {
    Plain(#[serde(borrow)] Cow<'a, str>),
    Entity {
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    },
}

#[derive(Deserialize)]
struct Msg<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    date_unixtime: Option<StrOrNum<'a>>,
    #[serde(borrow, default)]
    from: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    actor: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<Text<'a>>,
    #[serde(borrow, default)]
    media_type: Option<Cow<'a, str>>,
    #[serde(default)]
    photo: Option<IgnoredAny>,
    #[serde(default)]
    file: Option<IgnoredAny>,
    #[serde(borrow, default)]
    sticker_emoji: Option<Cow<'a, str>>,
    #[serde(default)]
    poll: Option<IgnoredAny>,
    #[serde(default)]
    location_information: Option<IgnoredAny>,
    #[serde(default)]
    contact_information: Option<IgnoredAny>,
    #[serde(default)]
    duration_seconds: Option<i64>,
}

/// 1-based line of a raw JSON value inside `text` (it borrows from `text`).
pub(crate) fn line_of(text: &str, raw: &str) -> usize {
    let off = (raw.as_ptr() as usize)
        .wrapping_sub(text.as_ptr() as usize)
        .min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..off]).count() + 1
}

pub(crate) fn json_error(format: Format, e: &serde_json::Error) -> ParseError {
    let detail = match e.classify() {
        serde_json::error::Category::Eof => {
            "the file ends too early (it may be cut off)".to_string()
        }
        serde_json::error::Category::Syntax => {
            format!("expected JSON there ({})", strip_position(&e.to_string()))
        }
        _ => format!("unexpected content ({})", strip_position(&e.to_string())),
    };
    ParseError::BadJson {
        format,
        line: e.line().max(1),
        detail,
    }
}

fn strip_position(s: &str) -> String {
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn join_text<'a>(t: Option<Text<'a>>) -> Cow<'a, str> {
    match t {
        None => Cow::Borrowed(""),
        Some(Text::Plain(s)) => s,
        Some(Text::Parts(parts)) => {
            if parts.len() == 1 {
                return match parts.into_iter().next() {
                    Some(Part::Plain(s)) | Some(Part::Entity { text: Some(s) }) => s,
                    _ => Cow::Borrowed(""),
                };
            }
            let mut out = String::new();
            for p in parts {
                match p {
                    Part::Plain(s) | Part::Entity { text: Some(s) } => out.push_str(&s),
                    Part::Entity { text: None } => {}
                }
            }
            Cow::Owned(out)
        }
    }
}

fn unix_of(v: &StrOrNum<'_>) -> Option<i64> {
    match v {
        StrOrNum::Num(n) => Some(*n),
        StrOrNum::Str(s) => s.trim().parse().ok(),
    }
}

/// `date` read as ISO 8601 in any of its usual forms — Telegram Desktop's
/// `2024-01-12T10:00:00`, and what other tools write: a fraction
/// (`10:00:00.123`), `Z`, an offset (`+02:00`, `-0500`), a space for the `T`
/// — then whatever else jiff reads as a civil date and time. The civil time
/// as written, and the offset if the text has one.
fn parse_date(d: &str) -> Option<(DateTime, Option<i32>)> {
    crate::csvfmt::parse_iso(d).or_else(|| d.trim().parse::<DateTime>().ok().map(|t| (t, None)))
}

/// Why a message's time could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeProblem {
    /// `date` is there but is not a date (and there is no usable `date_unixtime`).
    NotADate,
    /// Neither `date` nor `date_unixtime`.
    NoDate,
}

impl TimeProblem {
    fn reason(self) -> &'static str {
        match self {
            TimeProblem::NotADate => "the date of this message is not a date",
            TimeProblem::NoDate => "this message has no date",
        }
    }
}

/// The time and offset of a message, or why not.
///
/// Like every format of this crate, the time is the civil (wall-clock) time
/// the export shows, and the offset is given only when the file tells it:
///
/// * `date` (the exporting computer's local time) gives the civil time, as
///   written — with `Z` or an offset the clock reading is still kept as is,
///   not converted, as for CSV;
/// * `date_unixtime`, when present, is the instant Telegram stored, so it is
///   preferred for the offset: offset = `date` − `date_unixtime` (whole
///   seconds; a `date` with a fraction is compared without it). If `date`
///   carries an offset too and the two disagree, the `date_unixtime` one is
///   used (the caller warns once);
/// * without `date_unixtime`, the offset written in `date` (if any);
/// * a missing or unreadable `date` with a `date_unixtime`: that instant in UTC
///   (offset 0).
///
/// The `bool` says whether `date`'s own offset disagreed with `date_unixtime`.
fn time_of(m: &Msg<'_>) -> Result<(DateTime, Option<i32>, bool), TimeProblem> {
    let local = m.date.as_deref().map(parse_date);
    let utc = m
        .date_unixtime
        .as_ref()
        .and_then(unix_of)
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|ts| Offset::UTC.to_datetime(ts));
    match (local, utc) {
        (Some(Some((l, written))), Some(u)) => {
            let whole = l.with().subsec_nanosecond(0).build().unwrap_or(l);
            let secs = whole.duration_since(u).as_secs();
            let offset = (secs.abs() <= 18 * 3600 && secs % 60 == 0).then_some(secs as i32);
            let disagrees = written.is_some() && offset.is_some() && written != offset;
            Ok((l, offset.or(written), disagrees))
        }
        (Some(Some((l, written))), None) => Ok((l, written, false)),
        (Some(None), Some(u)) | (None, Some(u)) => Ok((u, Some(0), false)),
        (Some(None), None) => Err(TimeProblem::NotADate),
        (None, None) => Err(TimeProblem::NoDate),
    }
}

fn words(s: &str) -> String {
    s.replace('_', " ")
}

fn not_telegram(text: &str) -> ParseError {
    ParseError::NotAChat {
        line: 1,
        what: "a Telegram export".into(),
        expected: "a \"messages\" list (Telegram Desktop → Export chat history → JSON)".into(),
        found: found(text.trim_start()),
    }
}

/// The chats of a Telegram export, without reading any message: the one chat
/// of a single-chat export, or the chats with messages of a full export, in
/// the export's order.
pub(crate) fn chats(text: &str) -> Result<Vec<ChatInfo>, ParseError> {
    let top: Top<'_> = serde_json::from_str(text).map_err(|e| json_error(Format::Telegram, &e))?;
    if let Some(msgs) = &top.messages {
        return Ok(vec![info(
            top.id.as_ref(),
            top.name.as_deref(),
            top.kind.as_deref(),
            msgs.len(),
        )]);
    }
    let Some(list) = top.chats else {
        return Err(not_telegram(text));
    };
    Ok(list
        .list
        .iter()
        .filter(|c| !c.messages.is_empty())
        .map(Chat::info)
        .collect())
}

pub(crate) fn parse(
    text: &str,
    choice: &ChatChoice,
    stats: &mut Stats,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<(), ParseError> {
    let top: Top<'_> = serde_json::from_str(text).map_err(|e| json_error(Format::Telegram, &e))?;
    if let Some(p) = &top.personal_information {
        let name = format!(
            "{} {}",
            p.first_name.as_deref().unwrap_or(""),
            p.last_name.as_deref().unwrap_or("")
        );
        let name = name.trim();
        if !name.is_empty() {
            stats.owner_hint = Some(name.to_string());
        }
    }
    let (chat_name, chat_kind, messages) = if let Some(msgs) = top.messages {
        if let Some(given) = choice.picked() {
            let only = info(
                top.id.as_ref(),
                top.name.as_deref(),
                top.kind.as_deref(),
                msgs.len(),
            );
            if !only.answers_to(given) {
                return Err(ParseError::NoSuchChat {
                    format: Format::Telegram,
                    given: crate::error::excerpt(given, 60),
                    chats: vec![only],
                });
            }
        }
        (top.name, top.kind, msgs)
    } else if *choice != ChatChoice::FirstPersonal
        && let Some(chats) = top.chats
    {
        let with_messages: Vec<usize> = chats
            .list
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.messages.is_empty())
            .map(|(i, _)| i)
            .collect();
        let infos: Vec<ChatInfo> = with_messages
            .iter()
            .filter_map(|&i| chats.list.get(i).map(Chat::info))
            .collect();
        let k = choose(Format::Telegram, &infos, choice)?;
        let chat = with_messages
            .get(k)
            .and_then(|&i| chats.list.into_iter().nth(i))
            .ok_or(ParseError::NoMessages {
                format: Format::Telegram,
            })?;
        (chat.name, chat.kind, chat.messages)
    } else if let Some(chats) = top.chats {
        let total = chats.list.len();
        let pick = chats
            .list
            .iter()
            .position(|c| c.kind.as_deref() == Some("personal_chat") && !c.messages.is_empty())
            .or_else(|| chats.list.iter().position(|c| !c.messages.is_empty()));
        let Some(i) = pick else {
            return Err(ParseError::NoMessages {
                format: Format::Telegram,
            });
        };
        let Some(chat) = chats.list.into_iter().nth(i) else {
            return Err(ParseError::NoMessages {
                format: Format::Telegram,
            });
        };
        if total > 1 {
            stats.warnings.push(format!(
                "This Telegram export holds {total} chats; only the chat with “{}” was imported. Export that one chat alone to choose another.",
                chat.name.as_deref().unwrap_or("(no name)")
            ));
        }
        (chat.name, chat.kind, chat.messages)
    } else {
        return Err(not_telegram(text));
    };
    if messages.is_empty() {
        return Err(ParseError::NoMessages {
            format: Format::Telegram,
        });
    }
    stats.chat_name = chat_name.as_deref().map(str::to_string);

    // The first message that could not be read, for the error when none could.
    let mut first_bad: Option<ParseError> = None;
    let mut warned_offsets = false;
    for raw in messages {
        let m: Msg<'_> = match serde_json::from_str(raw.get()) {
            Ok(m) => m,
            Err(e) => {
                let line = line_of(text, raw.get()) + e.line().saturating_sub(1);
                let detail = strip_position(&e.to_string());
                first_bad.get_or_insert_with(|| ParseError::NotAChat {
                    line,
                    what: "a Telegram message".into(),
                    expected: format!("a message as Telegram Desktop writes it ({detail})"),
                    found: found(raw.get()),
                });
                stats.skip(
                    line,
                    format!("this message could not be read ({detail})"),
                    raw.get(),
                );
                continue;
            }
        };
        let (time, offset_seconds, disagrees) = match time_of(&m) {
            Ok(t) => t,
            Err(problem) => {
                let line = line_of(text, raw.get());
                first_bad.get_or_insert_with(|| ParseError::NotAChat {
                    line,
                    what: "a dated Telegram message".into(),
                    expected: "a \"date\" such as 2024-01-12T10:00:00 (ISO 8601, optionally with a fraction, Z or an offset) or a \"date_unixtime\"".into(),
                    found: match (problem, m.date.as_deref()) {
                        (TimeProblem::NotADate, Some(d)) => found(d),
                        _ => found(raw.get()),
                    },
                });
                stats.skip(line, problem.reason(), raw.get());
                continue;
            }
        };
        if disagrees && !warned_offsets {
            warned_offsets = true;
            stats.warnings.push(
                "Some Telegram messages have a \"date\" whose time zone does not match their \"date_unixtime\"; their offset was taken from \"date_unixtime\", the clock time from \"date\"."
                    .into(),
            );
        }
        let is_service = m.kind.as_deref() == Some("service");
        let body = join_text(m.text);
        let (sender, kind, body) = if is_service {
            let body = if body.trim().is_empty() {
                let mut s = format!(
                    "{}: {}",
                    m.actor.as_deref().unwrap_or("Telegram"),
                    words(m.action.as_deref().unwrap_or("event"))
                );
                if let Some(d) = m.duration_seconds {
                    s.push_str(&format!(" ({d} s)"));
                }
                Cow::Owned(s)
            } else {
                body
            };
            (None, MessageKind::System, body)
        } else {
            let media = if let Some(mt) = m.media_type.as_deref() {
                Some(match m.sticker_emoji.as_deref() {
                    Some(e) if mt == "sticker" => format!("<sticker {e}>"),
                    _ => format!("<{}>", words(mt)),
                })
            } else if m.photo.is_some() {
                Some("<photo>".to_string())
            } else if m.file.is_some() {
                Some("<file>".to_string())
            } else {
                None
            };
            let other = if m.poll.is_some() {
                Some("<poll>")
            } else if m.location_information.is_some() {
                Some("<location>")
            } else if m.contact_information.is_some() {
                Some("<contact>")
            } else {
                None
            };
            let (kind, body) = match (media, other) {
                (Some(p), _) => (
                    MessageKind::Media,
                    if body.is_empty() { Cow::Owned(p) } else { body },
                ),
                (None, Some(p)) => (
                    MessageKind::Other,
                    if body.is_empty() {
                        Cow::Borrowed(p)
                    } else {
                        body
                    },
                ),
                (None, None) => match m.kind.as_deref() {
                    None | Some("message") => (MessageKind::Text, body),
                    Some(_) => (MessageKind::Other, body),
                },
            };
            (m.from, kind, body)
        };
        let msg = MessageRef {
            time,
            offset_seconds,
            sender: sender.as_deref(),
            text: body,
            kind,
        };
        stats.record(&msg);
        sink(msg);
    }
    if stats.owner_hint.is_none()
        && chat_kind.as_deref() == Some("personal_chat")
        && let Some(name) = chat_name.as_deref()
        && stats.has_sender(name)
    {
        stats.owner_hint = stats.other_sender(name);
    }
    if stats.messages() == 0 {
        // Messages were there but none could be read: say why, not "no messages".
        return Err(first_bad.unwrap_or(ParseError::NoMessages {
            format: Format::Telegram,
        }));
    }
    Ok(())
}
