//! Stored chat histories: the types the store speaks, free of any parser.

use serde::{Deserialize, Serialize};

/// The conversation an import belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewChat {
    /// Stable identity of the conversation across exports (e.g. format and participants).
    pub source_key: String,
    pub format: String,
    pub title: Option<String>,
    /// Which participant is the user and which is the ex, when known.
    pub me: Option<String>,
    pub ex: Option<String>,
}

/// One message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage<'a> {
    /// Wall-clock time as exported, in ms since 1970-01-01T00:00 of that wall clock.
    pub local_ms: i64,
    pub offset_seconds: Option<i32>,
    pub sender: Option<&'a str>,
    pub kind: &'a str,
    pub text: &'a str,
    /// Idempotence key (only its first 16 bytes are kept).
    pub content_key: [u8; 32],
}

/// Receives the messages of one import, inside its transaction.
pub trait MessageSink {
    fn push(&mut self, m: &NewMessage<'_>);
    /// The chat held no message when this import began.
    fn chat_was_empty(&self) -> bool;
}

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub chat_id: i64,
    pub added: u64,
    pub already_had: u64,
}

/// A stored chat and how much it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatInfo {
    pub id: i64,
    pub format: String,
    pub title: Option<String>,
    pub me: Option<String>,
    pub ex: Option<String>,
    pub messages: u64,
    /// Distinct senders and how many messages each wrote, most first.
    pub senders: Vec<(String, u64)>,
}

/// A stored message, read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredMessage {
    pub local_ms: i64,
    pub offset_seconds: Option<i32>,
    pub sender: Option<String>,
    pub kind: String,
    pub text: String,
    /// Hex of the 16-byte content key.
    pub key: String,
}

/// One chat in the export document, with all its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedChat {
    pub chat: NewChat,
    pub created_at: jiff::Timestamp,
    pub messages: Vec<StoredMessage>,
    pub imports: Vec<ExportedImport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedImport {
    pub imported_at: jiff::Timestamp,
    pub added: u64,
    pub already_had: u64,
    pub skipped_lines: u64,
    pub summary: serde_json::Value,
}

/// Messages an import or restore added to one chat, per sender (a chat has a
/// handful of senders), for the backend's per-chat sender summary.
#[derive(Debug, Default)]
pub struct SenderCounts(Vec<(Option<String>, u64)>);

impl SenderCounts {
    pub fn add(&mut self, sender: Option<&str>) {
        match self.0.iter_mut().find(|(s, _)| s.as_deref() == sender) {
            Some((_, n)) => *n += 1,
            None => self.0.push((sender.map(str::to_string), 1)),
        }
    }

    /// Each sender (`None`: messages without one) and how many it added.
    pub fn iter(&self) -> impl Iterator<Item = (Option<&str>, u64)> {
        self.0.iter().map(|(s, n)| (s.as_deref(), *n))
    }
}
