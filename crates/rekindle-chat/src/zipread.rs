//! The `.zip` WhatsApp produces ("Export chat" → "Attach media"): one chat text
//! file (`_chat.txt` on iOS, `WhatsApp Chat with NAME.txt` on Android) plus
//! media files. Also a Messenger/Instagram zip ("Download your information"
//! in JSON): `message_1.json`, `message_2.json`, ... in one folder per
//! conversation (`messages/inbox/alexsmith_10158/`); the parts of each folder
//! are returned together, in the order of their numbers.
//!
//! Checks happen on the central directory *before* anything is inflated:
//! the number of entries, the declared sizes (sum ≤ `max_total_uncompressed`),
//! the ratio of each entry (declared size ≤ `max_ratio` × packed size, for
//! entries above 64 KiB) and the entry names (absolute paths, `..`, drive
//! letters and NUL bytes are refused). Only the chat text is inflated, through
//! a reader capped at its declared size, so a lying header cannot make it grow.
//! Entry names are never used as paths: they are only compared and shown.

use std::io::{Cursor, Read};

use crate::error::ParseError;

/// Limits for opening a zip archive. `Default` follows the security guide:
/// 20,000 entries, 500 MiB uncompressed in total, ratio 100:1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Most entries (files and folders) an archive may hold.
    pub max_entries: usize,
    /// Most bytes all entries together may declare uncompressed.
    pub max_total_uncompressed: u64,
    /// Highest uncompressed/compressed ratio of an entry (checked for entries above 64 KiB).
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: 20_000,
            max_total_uncompressed: 500 * 1024 * 1024,
            max_ratio: 100,
        }
    }
}

/// Entries up to this size are not ratio-checked (they cannot do harm).
const RATIO_FREE_BYTES: u64 = 64 * 1024;

fn corrupt(e: impl std::fmt::Display) -> ParseError {
    ParseError::ZipCorrupt {
        detail: format!("it is damaged, incomplete or uses a packing method we cannot read ({e})"),
    }
}

fn is_traversal(name: &str) -> bool {
    let n = name.replace('\\', "/");
    n.starts_with('/')
        || n.contains('\0')
        || n.split('/').any(|part| part == "..")
        || (n.len() >= 2 && n.as_bytes()[1] == b':' && n.as_bytes()[0].is_ascii_alphabetic())
}

fn basename(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Find the chat text in a WhatsApp zip and return its bytes.
pub fn unpack_zip(bytes: &[u8], limits: &ZipLimits) -> Result<Vec<u8>, ParseError> {
    unpack_named(bytes, limits).map(|(_, b)| b)
}

/// Like [`unpack_zip`], also returning the entry name of the chat.
pub(crate) fn unpack_named(
    bytes: &[u8],
    limits: &ZipLimits,
) -> Result<(String, Vec<u8>), ParseError> {
    let (mut ar, found) = scan(bytes, limits)?;
    match found.text {
        Some(t) => Ok((t.name.clone(), inflate(&mut ar, t.index, t.size)?)),
        None => Err(found.none()),
    }
}

/// What a zip holds, for [`crate::parse`].
pub(crate) enum ZipChat {
    /// A WhatsApp chat text: its entry name and bytes.
    Text { name: String, bytes: Vec<u8> },
    /// Messenger/Instagram conversations, one per folder holding `message_N.json` files.
    Messenger(Vec<Conversation>),
}

/// The `message_N.json` parts of one conversation folder.
pub(crate) struct Conversation {
    /// The folder's own name (`alexsmith_10158`), or its whole path when
    /// another folder has the same name; `None` for parts at the top of the zip.
    pub id: Option<String>,
    /// The parts, `message_1.json` first.
    pub parts: Vec<Vec<u8>>,
}

/// Open a zip: the WhatsApp chat text when there is one (a `_chat.txt` or
/// `WhatsApp….txt` wins over Messenger parts, which win over any other
/// `.txt`), else the Messenger/Instagram conversations.
pub(crate) fn open(bytes: &[u8], limits: &ZipLimits) -> Result<ZipChat, ParseError> {
    let (mut ar, found) = scan(bytes, limits)?;
    let text_first = found.whatsapp_named();
    if let Some(t) = found
        .text
        .as_ref()
        .filter(|_| text_first || found.parts.is_empty())
    {
        return Ok(ZipChat::Text {
            name: t.name.clone(),
            bytes: inflate(&mut ar, t.index, t.size)?,
        });
    }
    if found.parts.is_empty() {
        return Err(found.none());
    }
    // Folder → its parts, in the order first seen.
    let mut folders: Vec<(&str, Vec<&PartEntry>)> = Vec::new();
    for p in &found.parts {
        match folders.iter_mut().find(|(f, _)| *f == p.folder) {
            Some((_, list)) => list.push(p),
            None => folders.push((&p.folder, vec![p])),
        }
    }
    let mut out = Vec::with_capacity(folders.len());
    for (folder, list) in &folders {
        let mut list = list.clone();
        list.sort_unstable_by_key(|p| (p.number, p.index));
        let own = basename(folder);
        let clash = folders.iter().filter(|(f, _)| basename(f) == own).count() > 1;
        let id = if folder.is_empty() {
            None
        } else if clash {
            Some(folder.to_string())
        } else {
            Some(own.to_string())
        };
        let mut parts = Vec::with_capacity(list.len());
        for p in list {
            parts.push(inflate(&mut ar, p.index, p.size)?);
        }
        out.push(Conversation { id, parts });
    }
    Ok(ZipChat::Messenger(out))
}

/// Does this zip hold Messenger/Instagram parts and no WhatsApp chat text?
/// Reads only the list of entries; `None` when the zip cannot be read.
pub(crate) fn holds_messenger(bytes: &[u8], limits: &ZipLimits) -> Option<bool> {
    let (_, found) = scan(bytes, limits).ok()?;
    Some(!found.parts.is_empty() && !found.whatsapp_named())
}

type Archive<'b> = zip::ZipArchive<Cursor<&'b [u8]>>;

struct TextEntry {
    pref: u8,
    size: u64,
    index: usize,
    name: String,
}

struct PartEntry {
    /// The entry name up to the last `/` (`messages/inbox/alexsmith_10158`).
    folder: String,
    /// N of `message_N.json`.
    number: u64,
    index: usize,
    size: u64,
}

struct Found {
    count: usize,
    text: Option<TextEntry>,
    parts: Vec<PartEntry>,
}

impl Found {
    /// Is there a `_chat.txt` or `WhatsApp….txt` (not just any `.txt`)?
    fn whatsapp_named(&self) -> bool {
        self.text.as_ref().is_some_and(|t| t.pref > 0)
    }

    fn none(&self) -> ParseError {
        ParseError::ZipNoChat {
            found: if self.count == 0 {
                "an empty archive".to_string()
            } else {
                format!("{} other file(s)", self.count)
            },
        }
    }
}

/// N of `message_N.json`.
fn part_number(base: &str) -> Option<u64> {
    let n = base.strip_prefix("message_")?.strip_suffix(".json")?;
    if n.is_empty() || n.len() > 9 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// Checks the central directory (see the module docs) and finds the chat
/// entries, inflating nothing.
fn scan<'b>(bytes: &'b [u8], limits: &ZipLimits) -> Result<(Archive<'b>, Found), ParseError> {
    let mut ar = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let count = ar.len();
    if count > limits.max_entries {
        return Err(ParseError::ZipTooManyEntries {
            count,
            limit: limits.max_entries,
        });
    }
    let mut total: u64 = 0;
    let mut best: Option<TextEntry> = None;
    let mut parts = Vec::new();
    for i in 0..count {
        let f = ar.by_index_raw(i).map_err(corrupt)?;
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        if is_traversal(&name) || f.enclosed_name().is_none() {
            return Err(ParseError::ZipPathTraversal {
                name: crate::error::excerpt(&name, 80),
            });
        }
        let size = f.size();
        let packed = f.compressed_size();
        total = total.saturating_add(size);
        if size > RATIO_FREE_BYTES && (packed == 0 || size / packed.max(1) > limits.max_ratio) {
            return Err(ParseError::ZipRatio {
                name: crate::error::excerpt(basename(&name), 80),
                ratio: size / packed.max(1),
                limit: limits.max_ratio,
            });
        }
        if f.is_dir() {
            continue;
        }
        let base = basename(&name);
        if base.starts_with("._") {
            continue;
        }
        if let Some(number) = part_number(base) {
            let folder = name[..name.len() - base.len()]
                .trim_end_matches(['/', '\\'])
                .to_string();
            parts.push(PartEntry {
                folder,
                number,
                index: i,
                size,
            });
            continue;
        }
        if !base.to_ascii_lowercase().ends_with(".txt") {
            continue;
        }
        let pref = if base == "_chat.txt" {
            2
        } else if base.starts_with("WhatsApp") || base.contains("WhatsApp") {
            1
        } else {
            0
        };
        let better = match &best {
            None => true,
            Some(b) => (pref, size) > (b.pref, b.size),
        };
        if better {
            best = Some(TextEntry {
                pref,
                size,
                index: i,
                name,
            });
        }
    }
    if total > limits.max_total_uncompressed {
        return Err(ParseError::TooLarge {
            size: total,
            limit: limits.max_total_uncompressed,
        });
    }
    Ok((
        ar,
        Found {
            count,
            text: best,
            parts,
        },
    ))
}

/// The bytes of entry `index`, read through a reader capped at its declared size.
fn inflate(ar: &mut Archive<'_>, index: usize, size: u64) -> Result<Vec<u8>, ParseError> {
    let f = ar.by_index(index).map_err(corrupt)?;
    let mut out = Vec::with_capacity(size.min(64 * 1024 * 1024) as usize);
    f.take(size.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(corrupt)?;
    if out.len() as u64 > size {
        return Err(corrupt("the chat file is larger than the archive says"));
    }
    Ok(out)
}

/// "WhatsApp Chat with Sam.txt" → "Sam".
pub(crate) fn chat_name_from_entry(name: &str) -> Option<String> {
    let base = basename(name);
    let stem = base.strip_suffix(".txt").unwrap_or(base);
    const PREFIXES: &[&str] = &[
        "WhatsApp Chat with ",
        "WhatsApp Chat - ",
        "WhatsApp-Chat mit ",
        "Chat de WhatsApp con ",
        "Conversa do WhatsApp com ",
        "Discussion WhatsApp avec ",
        "Chat WhatsApp con ",
        "WhatsApp-chat met ",
    ];
    PREFIXES
        .iter()
        .find_map(|p| stem.strip_prefix(p))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_names() {
        for bad in [
            "../x.txt",
            "/etc/passwd",
            "a/../../b",
            "..\\evil.txt",
            "C:\\x.txt",
            "a\0b",
        ] {
            assert!(is_traversal(bad), "{bad}");
        }
        for ok in [
            "_chat.txt",
            "WhatsApp Chat with Sam.txt",
            "a/b.txt",
            "..hidden.txt",
        ] {
            assert!(!is_traversal(ok), "{ok}");
        }
    }

    #[test]
    fn chat_names() {
        assert_eq!(
            chat_name_from_entry("WhatsApp Chat with Sam.txt").as_deref(),
            Some("Sam")
        );
        assert_eq!(chat_name_from_entry("_chat.txt"), None);
    }
}
