//! The one error type of the crate. Every message is a single plain sentence
//! meant for a person, not a programmer: what was expected, what was found,
//! and where (a line number) when there is one.

use crate::Format;
use crate::choice::{ChatInfo, grouped, ids, names};

/// Why a file could not be read as a chat at all.
///
/// A *partly* bad file is not an error: its good messages are returned and the
/// bad lines are counted in [`crate::Summary::skipped`]. These errors are for
/// files where nothing sensible can be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The file holds nothing (or only blank lines).
    #[error("The file is empty: there are no messages in it to import.")]
    Empty,

    /// The file is valid for its format but holds no message.
    #[error("The {} export holds no messages.", .format.display_name())]
    NoMessages { format: Format },

    /// The file does not look like the expected format.
    #[error("Line {line} does not look like {what}: expected {expected}, found “{found}”.")]
    NotAChat {
        /// 1-based line number.
        line: usize,
        /// e.g. "a WhatsApp message" or "a chat export".
        what: String,
        /// e.g. "a date such as 12/03/2024".
        expected: String,
        /// A short excerpt of what the line holds.
        found: String,
    },

    /// The JSON of a Telegram or Messenger export is broken.
    #[error("Line {line} of this {} export is damaged: {detail}.", .format.display_name())]
    BadJson {
        format: Format,
        line: usize,
        detail: String,
    },

    /// Not UTF-8 (nor UTF-16 with a byte-order mark).
    #[error(
        "Line {line} is not readable text: expected a chat export saved as UTF-8, found bytes in another encoding (the phone apps always write UTF-8, so the file may have been changed or is not a chat)."
    )]
    NotUtf8 { line: usize },

    /// Bigger than a limit.
    #[error(
        "The file is too large: it holds {size} bytes but at most {limit} bytes can be imported."
    )]
    TooLarge { size: u64, limit: u64 },

    /// A zip archive holds too many files.
    #[error(
        "The zip archive holds {count} files, more than the {limit} a chat export can have, so it was not opened."
    )]
    ZipTooManyEntries { count: usize, limit: usize },

    /// A zip entry would expand suspiciously much (a "zip bomb").
    #[error(
        "The zip archive is suspicious: the file “{name}” would expand {ratio} times its packed size (at most {limit} times is allowed), so it was not opened."
    )]
    ZipRatio {
        name: String,
        ratio: u64,
        limit: u64,
    },

    /// A zip entry name points outside the archive (absolute or `..`).
    #[error(
        "The zip archive contains a file named “{name}” that points outside the archive, so it was refused."
    )]
    ZipPathTraversal { name: String },

    /// The zip holds no chat text.
    #[error(
        "The zip archive holds no chat: expected a text file such as “_chat.txt” or “WhatsApp Chat with ….txt”, or Messenger/Instagram “message_1.json” files, found {found}."
    )]
    ZipNoChat { found: String },

    /// The zip itself is damaged or uses a method we do not read.
    #[error("The zip archive could not be opened: {detail}.")]
    ZipCorrupt { detail: String },

    /// The export holds several chats and none was chosen
    /// ([`crate::ChatChoice::Ask`]): ask which of `chats` to read, then parse
    /// again with [`crate::ChatChoice::Pick`] and its id.
    #[error(
        "This {} export holds {} chats ({}); choose the one to import.",
        .format.display_name(), grouped(.chats.len()), names(.chats)
    )]
    ChooseChat {
        format: Format,
        /// The chats with messages, in the order of the export.
        chats: Vec<ChatInfo>,
    },

    /// The chat chosen ([`crate::ChatChoice::Pick`]) is neither the id nor the
    /// exact name of a chat in the export.
    #[error(
        "No chat in this {} export has the name or id “{given}”; it holds {}.",
        .format.display_name(), names(.chats)
    )]
    NoSuchChat {
        format: Format,
        /// What was given (shortened).
        given: String,
        /// Every chat with messages in the export.
        chats: Vec<ChatInfo>,
    },

    /// Several chats of the export are named as chosen: choose one by its id.
    #[error(
        "{} chats in this {} export are named “{given}”; choose one by its id: {}.",
        grouped(.chats.len()), .format.display_name(), ids(.chats)
    )]
    SameNameChats {
        format: Format,
        given: String,
        /// The chats with that name (or id).
        chats: Vec<ChatInfo>,
    },

    /// Several files given to [`crate::parse_many`] are not parts of the
    /// same Messenger/Instagram conversation (their titles or participants differ).
    #[error(
        "File {part} is not part of the same conversation as file 1: file 1 is {first}, file {part} is {other}."
    )]
    PartsDiffer {
        /// 1-based position of the file that differs.
        part: usize,
        /// "the conversation “Alex” (Alex, Sam)"
        first: String,
        other: String,
    },

    /// Several files were given to [`crate::parse_many`] but one is not a
    /// Messenger/Instagram JSON part (only those are read together).
    #[error(
        "Only the parts of one Messenger or Instagram conversation (message_1.json, message_2.json, …) can be read together, but file {part} is {what}; read it on its own."
    )]
    PartsUnsupported {
        /// 1-based position of the file.
        part: usize,
        /// "a WhatsApp export", "a zip archive", ...
        what: String,
    },

    /// One of several files given to [`crate::parse_many`] could not be read.
    #[error("In file {part}: {error}")]
    InPart {
        /// 1-based position of the file.
        part: usize,
        error: Box<ParseError>,
    },
}

impl ParseError {
    /// The chats to choose from when this error asks for a choice
    /// ([`ParseError::ChooseChat`], [`ParseError::NoSuchChat`],
    /// [`ParseError::SameNameChats`]).
    pub fn chats_to_choose(&self) -> Option<&[ChatInfo]> {
        match self {
            ParseError::ChooseChat { chats, .. }
            | ParseError::NoSuchChat { chats, .. }
            | ParseError::SameNameChats { chats, .. } => Some(chats),
            _ => None,
        }
    }
}

/// A short, single-line excerpt of `s` for messages: at most `max` characters,
/// control characters shown as spaces, "…" when cut.
pub(crate) fn excerpt(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    for (n, c) in s.chars().enumerate() {
        if n == max {
            out.pop();
            out.push('…');
            return out;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// The excerpt used in error sentences (shorter than the one in skipped-line lists).
pub(crate) fn found(s: &str) -> String {
    excerpt(s.trim_end_matches(['\r', '\n']), 40)
}
