//! Exports that hold several chats: a Telegram full export ("Export Telegram
//! data": every chat in one `result.json`) and a Messenger/Instagram zip with
//! several conversation folders. [`crate::list_chats`] lists them as
//! [`ChatInfo`]s; [`ChatChoice`] (in [`crate::ParseOptions::chat`]) says which
//! one [`crate::parse`] reads.

use std::fmt;

use crate::Format;
use crate::error::{ParseError, excerpt};

/// One chat of an export, as listed before any message is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ChatInfo {
    /// The format of the export it is in.
    pub format: Format,
    /// What identifies it in the export: Telegram's chat id (`4815162342`), or
    /// the conversation's folder for Messenger/Instagram (`alexsmith_10158`).
    /// `None` when the export gives none.
    pub id: Option<String>,
    /// The chat's name (the other person, or the group); `None` when the export gives none.
    pub name: Option<String>,
    /// Telegram's type of chat in words ("personal chat", "private group",
    /// "saved messages", ...); `None` when the export does not tell.
    pub kind: Option<String>,
    /// How many messages the export lists for it (before any is read; for
    /// Telegram, service lines such as "joined the group" included).
    pub messages: usize,
}

impl ChatInfo {
    /// Is `given` this chat's id, or exactly its name?
    pub fn answers_to(&self, given: &str) -> bool {
        self.id.as_deref() == Some(given.trim()) || self.name.as_deref() == Some(given)
    }

    /// The name to show: the chat's name (shortened to one line), or "(no name)".
    pub fn display_name(&self) -> String {
        match self.name.as_deref() {
            Some(n) if !n.trim().is_empty() => excerpt(n, 60),
            _ => "(no name)".to_string(),
        }
    }
}

impl fmt::Display for ChatInfo {
    /// `“Alex” (id 4815162342, personal chat, 1,234 messages)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "“{}” (", self.display_name())?;
        if let Some(id) = &self.id {
            write!(f, "id {}, ", excerpt(id, 60))?;
        }
        if let Some(kind) = &self.kind {
            write!(f, "{}, ", excerpt(kind, 40))?;
        }
        let n = self.messages;
        write!(
            f,
            "{} message{})",
            grouped(n),
            if n == 1 { "" } else { "s" }
        )
    }
}

/// 1234567 → "1,234,567".
pub(crate) fn grouped(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Which chat to read from an export that holds several.
///
/// An export holding one chat is read whatever the choice (a
/// [`ChatChoice::Pick`] must still name it when the export names its chat:
/// Telegram and Messenger/Instagram do, WhatsApp and CSV exports are read
/// with a note instead).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum ChatChoice {
    /// What [`crate::parse`] did before chats could be chosen: in a Telegram
    /// full export the first personal chat with messages (else the first chat
    /// with messages) is read, with a note in [`crate::Summary::warnings`]
    /// naming it. A Messenger/Instagram zip with several conversations is
    /// refused as with [`ChatChoice::Ask`] (there is no "first" one to take).
    /// The default, for callers that cannot ask the person yet (the web
    /// import page until it shows a choice).
    #[default]
    FirstPersonal,
    /// Refuse an export holding several chats with
    /// [`ParseError::ChooseChat`], which lists them.
    Ask,
    /// The chat whose id (as listed in [`ChatInfo::id`]) or exact name is
    /// this. None matching: [`ParseError::NoSuchChat`]; several with this
    /// name: [`ParseError::SameNameChats`].
    Pick(String),
}

impl ChatChoice {
    /// `Some(given)` for [`ChatChoice::Pick`].
    pub fn picked(&self) -> Option<&str> {
        match self {
            ChatChoice::Pick(s) => Some(s),
            _ => None,
        }
    }
}

/// The index in `chats` (the chats with messages, in export order) that
/// `choice` selects; [`ChatChoice::FirstPersonal`] is treated as
/// [`ChatChoice::Ask`] here (callers with a "first" rule apply it first).
pub(crate) fn choose(
    format: Format,
    chats: &[ChatInfo],
    choice: &ChatChoice,
) -> Result<usize, ParseError> {
    if let Some(given) = choice.picked() {
        let by_id: Vec<usize> = indices(chats, |c| c.id.as_deref() == Some(given.trim()));
        if let [one] = by_id[..] {
            return Ok(one);
        }
        let by_name: Vec<usize> = indices(chats, |c| c.name.as_deref() == Some(given));
        return match (&by_id[..], &by_name[..]) {
            (_, [one]) => Ok(*one),
            ([], []) => Err(ParseError::NoSuchChat {
                format,
                given: excerpt(given, 60),
                chats: chats.to_vec(),
            }),
            _ => {
                let same: Vec<ChatInfo> = by_id
                    .iter()
                    .chain(&by_name)
                    .filter_map(|&i| chats.get(i).cloned())
                    .collect();
                Err(ParseError::SameNameChats {
                    format,
                    given: excerpt(given, 60),
                    chats: same,
                })
            }
        };
    }
    match chats.len() {
        0 => Err(ParseError::NoMessages { format }),
        1 => Ok(0),
        _ => Err(ParseError::ChooseChat {
            format,
            chats: chats.to_vec(),
        }),
    }
}

fn indices(chats: &[ChatInfo], f: impl Fn(&ChatInfo) -> bool) -> Vec<usize> {
    chats
        .iter()
        .enumerate()
        .filter(|(_, c)| f(c))
        .map(|(i, _)| i)
        .collect()
}

/// "“Alex”, “Book club” and 3 more" — the names for an error sentence.
pub(crate) fn names(chats: &[ChatInfo]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<String> = chats
        .iter()
        .take(SHOWN)
        .map(|c| format!("“{}”", c.display_name()))
        .collect();
    let rest = chats.len().saturating_sub(SHOWN);
    match (shown.split_last(), rest) {
        (None, _) => "none".to_string(),
        (Some((last, [])), 0) => last.clone(),
        (Some((last, init)), 0) => format!("{} and {last}", init.join(", ")),
        (Some(_), n) => format!("{} and {n} more", shown.join(", ")),
    }
}

/// "id 12 or id 13" — how to tell same-named chats apart, for an error sentence.
pub(crate) fn ids(chats: &[ChatInfo]) -> String {
    let ids: Vec<String> = chats
        .iter()
        .filter_map(|c| c.id.as_deref())
        .map(|id| format!("“{}”", excerpt(id, 60)))
        .collect();
    if ids.is_empty() {
        "none of them has an id".to_string()
    } else {
        ids.join(" or ")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chat(id: &str, name: &str, n: usize) -> ChatInfo {
        ChatInfo {
            format: Format::Telegram,
            id: Some(id.into()),
            name: Some(name.into()),
            kind: Some("personal chat".into()),
            messages: n,
        }
    }

    #[test]
    fn picks_by_id_then_by_exact_name() {
        let chats = [
            chat("12", "Alex", 3),
            chat("13", "Sam", 1),
            chat("14", "12", 5),
        ];
        let pick = |s: &str| choose(Format::Telegram, &chats, &ChatChoice::Pick(s.into()));
        assert_eq!(pick("13").unwrap(), 1);
        assert_eq!(pick(" 13 ").unwrap(), 1);
        assert_eq!(pick("Alex").unwrap(), 0);
        // An id wins over a chat whose name is that number.
        assert_eq!(pick("12").unwrap(), 0);
        assert!(matches!(
            pick("alex"),
            Err(ParseError::NoSuchChat { ref given, .. }) if given == "alex"
        ));
    }

    #[test]
    fn same_names_and_no_choice_are_refused_with_the_list() {
        let chats = [chat("12", "Alex", 3), chat("13", "Alex", 1)];
        let e = choose(Format::Telegram, &chats, &ChatChoice::Pick("Alex".into())).unwrap_err();
        assert!(matches!(e, ParseError::SameNameChats { ref chats, .. } if chats.len() == 2));
        assert!(e.to_string().contains("“12” or “13”"), "{e}");
        let e = choose(Format::Telegram, &chats, &ChatChoice::Ask).unwrap_err();
        assert!(matches!(e, ParseError::ChooseChat { ref chats, .. } if chats.len() == 2));
        assert_eq!(
            choose(Format::Telegram, &chats[..1], &ChatChoice::Ask).unwrap(),
            0
        );
    }

    #[test]
    fn display_and_names() {
        assert_eq!(
            chat("4815162342", "Alex", 1234).to_string(),
            "“Alex” (id 4815162342, personal chat, 1,234 messages)"
        );
        let unnamed = ChatInfo {
            name: None,
            id: None,
            kind: None,
            ..chat("1", "x", 1)
        };
        assert_eq!(unnamed.to_string(), "“(no name)” (1 message)");
        let many: Vec<ChatInfo> = (0..7).map(|i| chat(&i.to_string(), "A", 1)).collect();
        assert_eq!(names(&many[..1]), "“A”");
        assert_eq!(names(&many[..3]), "“A”, “A” and “A”");
        assert_eq!(names(&many), "“A”, “A”, “A”, “A”, “A” and 2 more");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
    }
}
