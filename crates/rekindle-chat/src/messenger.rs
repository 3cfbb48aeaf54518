//! Facebook Messenger / Instagram "Download your information" JSON
//! (`message_1.json`, `message_2.json`, ...), plus the newer end-to-end
//! encrypted Messenger export (`senderName`, `timestamp`, `text`).
//!
//! * **Mojibake**: these exports write UTF-8 bytes as if each were a Latin-1
//!   character (`"\u00c3\u00a9"` for `é`). Every string whose characters are
//!   all ≤ U+00FF and whose bytes form valid UTF-8 is re-read as UTF-8; any
//!   other string is kept as it is (so an already repaired file stays intact).
//! * **Time**: `timestamp_ms` is a UTC instant; the message time is that
//!   instant as civil time in UTC (milliseconds kept), with offset 0.
//! * **Order**: the files list newest first; messages are sorted by time
//!   (messages with the same time keep their true order: reverse file order).
//! * `is_unsent` → deleted; photos/videos/audio/files/GIFs/stickers → media
//!   (text is the caption, or a placeholder such as `<photo: 123.jpg>`);
//!   calls → other; `Subscribe`/`Unsubscribe` → system.
//! * Owner: in a two-person thread whose `title` is one participant, the
//!   other participant is the owner hint.
//! * **Parts**: the parts of one conversation (`message_1.json`,
//!   `message_2.json`, ... in any order) are read together. Every part must
//!   have the title and participants of the first, else
//!   [`ParseError::PartsDiffer`]. A message found in more than one part (the
//!   same time, sender, kind and text) is kept once, with a warning.

use std::borrow::Cow;
use std::collections::HashMap;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::choice::ChatInfo;
use crate::error::{ParseError, excerpt, found};
use crate::telegram::{json_error, line_of};
use crate::{Format, MessageKind, MessageRef, Stats};

#[derive(Deserialize)]
struct Top<'a> {
    #[serde(default)]
    participants: Vec<Participant>,
    #[serde(borrow, default)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(default, alias = "threadName")]
    title: Option<String>,
    /// `inbox/alexsmith_10158` (older exports only).
    #[serde(default)]
    thread_path: Option<String>,
}

impl Top<'_> {
    fn title(&self) -> Option<String> {
        self.title
            .clone()
            .map(fix_mojibake)
            .filter(|t| !t.is_empty())
    }

    fn participants(&self) -> Vec<String> {
        self.participants
            .iter()
            .filter_map(|p| match p {
                Participant::Obj { name } => name.clone(),
                Participant::Name(n) => Some(n.clone()),
            })
            .map(fix_mojibake)
            .collect()
    }

    /// `alexsmith_10158` of `thread_path`.
    fn folder(&self) -> Option<String> {
        self.thread_path
            .as_deref()
            .and_then(|p| p.trim_end_matches('/').rsplit('/').next())
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_string)
    }
}

/// "the conversation “Alex” (Alex, Sam)", for [`ParseError::PartsDiffer`].
fn describe(title: Option<&str>, participants: &[String]) -> String {
    let mut people: Vec<String> = participants.iter().map(|p| excerpt(p, 40)).collect();
    let more = people.len().saturating_sub(6);
    people.truncate(6);
    let mut who = people.join(", ");
    if more > 0 {
        who.push_str(&format!(" and {more} more"));
    }
    match (title, who.is_empty()) {
        (Some(t), false) => format!("the conversation “{}” ({who})", excerpt(t, 60)),
        (Some(t), true) => format!("the conversation “{}”", excerpt(t, 60)),
        (None, false) => format!("a conversation of {who}"),
        (None, true) => "a conversation without title or participants".to_string(),
    }
}

/// The conversation of these parts, without reading any message: its title,
/// its folder (`folder` from the zip, else `thread_path`) and how many
/// messages the parts list.
pub(crate) fn info(folder: Option<&str>, parts: &[&str]) -> Result<ChatInfo, ParseError> {
    let mut out = ChatInfo {
        format: Format::Messenger,
        id: folder.map(str::to_string),
        name: None,
        kind: None,
        messages: 0,
    };
    for (pi, text) in parts.iter().enumerate() {
        let top: Top<'_> =
            serde_json::from_str(text).map_err(|e| json_error(Format::Messenger, &e))?;
        if pi == 0 {
            out.name = top.title();
            if out.id.is_none() {
                out.id = top.folder();
            }
        }
        out.messages += top.messages.map_or(0, |m| m.len());
    }
    Ok(out)
}

/// What [`parse_parts`] checks before it hands out any message.
#[derive(Default, Clone, Copy)]
pub(crate) struct Check<'a> {
    /// The chat chosen ([`crate::ChatChoice::Pick`]): it must name this conversation.
    pub pick: Option<&'a str>,
    /// The conversation's folder in a zip, when known.
    pub folder: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Participant {
    Obj {
        #[serde(default)]
        name: Option<String>,
    },
    Name(String),
}

#[derive(Deserialize)]
struct Media {
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
struct Msg<'a> {
    #[serde(default, alias = "senderName", borrow)]
    sender_name: Option<Cow<'a, str>>,
    #[serde(default, alias = "timestamp")]
    timestamp_ms: Option<f64>,
    #[serde(default, alias = "text", borrow)]
    content: Option<Cow<'a, str>>,
    #[serde(default)]
    photos: Option<Vec<Media>>,
    #[serde(default)]
    videos: Option<Vec<Media>>,
    #[serde(default)]
    audio_files: Option<Vec<Media>>,
    #[serde(default)]
    files: Option<Vec<Media>>,
    #[serde(default)]
    gifs: Option<Vec<Media>>,
    #[serde(default)]
    media: Option<Vec<Media>>,
    #[serde(default)]
    sticker: Option<Media>,
    #[serde(default, alias = "isUnsent")]
    is_unsent: Option<bool>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    call_duration: Option<i64>,
    #[serde(default)]
    share: Option<IgnoredAny>,
}

/// [`fix_mojibake`] for a borrowed-or-owned string (no copy when nothing to fix).
fn fix_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_ascii() || s.chars().any(|c| c as u32 > 0xFF) {
        return s;
    }
    Cow::Owned(fix_mojibake(s.into_owned()))
}

/// Undo Facebook's latin-1-escaped UTF-8.
pub(crate) fn fix_mojibake(s: String) -> String {
    if s.is_ascii() || s.chars().any(|c| c as u32 > 0xFF) {
        return s;
    }
    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
    match String::from_utf8(bytes) {
        Ok(fixed) => fixed,
        Err(_) => s,
    }
}

fn basename(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

fn placeholder(what: &str, media: &[Media]) -> String {
    match media.first().and_then(|m| m.uri.as_deref()).map(basename) {
        Some(b) if !b.is_empty() => format!("<{what}: {b}>"),
        _ => format!("<{what}>"),
    }
}

/// One message before sorting; the sender is an index into the list of senders.
struct Row<'a> {
    time: DateTime,
    part: usize,
    index: usize,
    sender: Option<usize>,
    kind: MessageKind,
    text: Cow<'a, str>,
}

/// Wraps an error of part `pi` (0-based) when there are several parts.
fn in_part(several: bool, pi: usize, e: ParseError) -> ParseError {
    if several {
        ParseError::InPart {
            part: pi + 1,
            error: Box::new(e),
        }
    } else {
        e
    }
}

/// The same participants, in any order.
fn same_people(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort_unstable();
    a.dedup();
    b.sort_unstable();
    b.dedup();
    a == b
}

pub(crate) fn parse_parts(
    parts: &[&str],
    check: Check<'_>,
    stats: &mut Stats,
    sink: &mut dyn FnMut(MessageRef<'_>),
) -> Result<(), ParseError> {
    let several = parts.len() > 1;
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut senders: Vec<String> = Vec::new();
    let mut participants: Vec<String> = Vec::new();
    let mut listed = 0usize;
    let mut folder: Option<String> = check.folder.map(str::to_string);
    for (pi, text) in parts.iter().enumerate() {
        let top: Top<'_> = serde_json::from_str(text)
            .map_err(|e| in_part(several, pi, json_error(Format::Messenger, &e)))?;
        let title = top.title();
        let people = top.participants();
        if pi == 0 {
            stats.chat_name = title;
            participants = people;
            if folder.is_none() {
                folder = top.folder();
            }
        } else if title != stats.chat_name || !same_people(&people, &participants) {
            return Err(ParseError::PartsDiffer {
                part: pi + 1,
                first: describe(stats.chat_name.as_deref(), &participants),
                other: describe(title.as_deref(), &people),
            });
        }
        let Some(messages) = top.messages else {
            return Err(in_part(
                several,
                pi,
                ParseError::NotAChat {
                    line: 1,
                    what: "a Messenger or Instagram export".into(),
                    expected: "a \"messages\" list (message_1.json from Download your information)"
                        .into(),
                    found: found(text.trim_start()),
                },
            ));
        };
        listed += messages.len();
        rows.reserve(messages.len());
        for (mi, raw) in messages.into_iter().enumerate() {
            let m: Msg<'_> = match serde_json::from_str(raw.get()) {
                Ok(m) => m,
                Err(e) => {
                    stats.skip(
                        line_of(text, raw.get()) + e.line().saturating_sub(1),
                        "this message could not be read",
                        raw.get(),
                    );
                    continue;
                }
            };
            let Some(ms) = m.timestamp_ms else {
                stats.skip(
                    line_of(text, raw.get()),
                    "this message has no time",
                    raw.get(),
                );
                continue;
            };
            let ts = if ms.is_finite() && ms.abs() < 1e15 {
                jiff::Timestamp::from_millisecond(ms as i64).ok()
            } else {
                None
            };
            let Some(ts) = ts else {
                stats.skip(
                    line_of(text, raw.get()),
                    "the time of this message is out of range",
                    raw.get(),
                );
                continue;
            };
            let time = Offset::UTC.to_datetime(ts);
            let sender = m.sender_name.map(fix_cow).filter(|s| !s.is_empty());
            let content = m.content.map(fix_cow).unwrap_or_default();
            let media: Option<(&str, &[Media])> = [
                ("photo", m.photos.as_deref()),
                ("video", m.videos.as_deref()),
                ("audio", m.audio_files.as_deref()),
                ("file", m.files.as_deref()),
                ("GIF", m.gifs.as_deref()),
                ("media", m.media.as_deref()),
            ]
            .into_iter()
            .find_map(|(w, v)| v.filter(|v| !v.is_empty()).map(|v| (w, v)))
            .or_else(|| {
                m.sticker
                    .as_ref()
                    .map(|s| ("sticker", std::slice::from_ref(s)))
            });
            let fb_kind = m.kind.as_deref().unwrap_or("");
            let (kind, text_out) = if m.is_unsent == Some(true) {
                (MessageKind::Deleted, content)
            } else if let Some((what, list)) = media {
                let t = if content.is_empty() {
                    Cow::Owned(fix_mojibake(placeholder(what, list)))
                } else {
                    content
                };
                (MessageKind::Media, t)
            } else if fb_kind == "Call" || fb_kind == "call" {
                let t = if content.is_empty() {
                    Cow::Owned(format!("<call, {} s>", m.call_duration.unwrap_or(0)))
                } else {
                    content
                };
                (MessageKind::Other, t)
            } else if fb_kind == "Subscribe" || fb_kind == "Unsubscribe" || sender.is_none() {
                (MessageKind::System, content)
            } else {
                let _ = &m.share;
                (MessageKind::Text, content)
            };
            let sender = if kind == MessageKind::System {
                None
            } else {
                sender
            };
            let sender = sender.map(|name| match senders.iter().position(|s| *s == name) {
                Some(i) => i,
                None => {
                    senders.push(name.into_owned());
                    senders.len() - 1
                }
            });
            rows.push(Row {
                time,
                part: pi,
                index: mi,
                sender,
                kind,
                text: text_out,
            });
        }
    }
    if let Some(given) = check.pick {
        let this = ChatInfo {
            format: Format::Messenger,
            id: folder,
            name: stats.chat_name.clone(),
            kind: None,
            messages: listed,
        };
        if !this.answers_to(given) {
            return Err(ParseError::NoSuchChat {
                format: Format::Messenger,
                given: excerpt(given, 60),
                chats: vec![this],
            });
        }
    }
    // Oldest first; within the same time, the later in the files is the older.
    rows.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| (b.part, b.index).cmp(&(a.part, a.index)))
    });
    if several {
        let dropped = drop_repeats(&mut rows);
        if dropped > 0 {
            stats.warnings.push(format!(
                "{dropped} message(s) were in more than one of the files and were kept once."
            ));
        }
    }
    for row in &rows {
        let r = MessageRef {
            time: row.time,
            offset_seconds: Some(0),
            sender: row.sender.and_then(|i| senders.get(i)).map(String::as_str),
            text: Cow::Borrowed(&row.text),
            kind: row.kind,
        };
        stats.record(&r);
        sink(r);
    }
    if participants.len() == 2
        && let Some(title) = stats.chat_name.clone()
        && let Some(i) = participants.iter().position(|p| *p == title)
    {
        stats.owner_hint = Some(participants[1 - i].clone());
    }
    if stats.messages() == 0 {
        return Err(ParseError::NoMessages {
            format: Format::Messenger,
        });
    }
    Ok(())
}

/// Drops the copies of messages that are in more than one part: a message
/// (time, sender, kind, text) is kept as many times as the part holding it
/// most often has it, so a message written twice in the same millisecond
/// stays twice while overlapping parts add nothing. Keeps the order of
/// `rows`; returns how many were dropped.
fn drop_repeats(rows: &mut Vec<Row<'_>>) -> usize {
    type Key<'k> = (DateTime, Option<usize>, MessageKind, &'k str);
    // Per message: (part, copies in it) for each part that has it.
    let mut per_part: HashMap<Key<'_>, Vec<(usize, usize)>> = HashMap::new();
    for r in rows.iter() {
        let parts = per_part
            .entry((r.time, r.sender, r.kind, &r.text))
            .or_default();
        match parts.iter_mut().find(|(p, _)| *p == r.part) {
            Some((_, n)) => *n += 1,
            None => parts.push((r.part, 1)),
        }
    }
    // Per message: how many copies to keep, then how many are still to keep.
    let mut left: HashMap<Key<'_>, usize> = per_part
        .into_iter()
        .map(|(k, parts)| (k, parts.iter().map(|(_, n)| *n).max().unwrap_or(1)))
        .collect();
    let keep: Vec<bool> = rows
        .iter()
        .map(
            |r| match left.get_mut(&(r.time, r.sender, r.kind, &*r.text)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            },
        )
        .collect();
    let before = rows.len();
    let mut flags = keep.into_iter();
    rows.retain(|_| flags.next().unwrap_or(true));
    before - rows.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake() {
        assert_eq!(
            fix_mojibake("caf\u{c3}\u{a9} \u{f0}\u{9f}\u{98}\u{80}".into()),
            "café 😀"
        );
        assert_eq!(fix_mojibake("café".into()), "café");
        assert_eq!(fix_mojibake("plain".into()), "plain");
        assert_eq!(
            fix_mojibake("already 😀 fine é".into()),
            "already 😀 fine é"
        );
    }
}
