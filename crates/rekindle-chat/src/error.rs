//! The one error type of the crate. Every message is a single plain sentence
//! meant for a person, not a programmer: what was expected, what was found,
//! and where (a line number) when there is one.

use crate::Format;

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
        "The zip archive holds no chat: expected a text file such as “_chat.txt” or “WhatsApp Chat with ….txt”, found {found}."
    )]
    ZipNoChat { found: String },

    /// The zip itself is damaged or uses a method we do not read.
    #[error("The zip archive could not be opened: {detail}.")]
    ZipCorrupt { detail: String },
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
