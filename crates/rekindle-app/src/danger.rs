//! Signs of danger found in imported chats, kept for the safety gate.
//!
//! Like the boundaries (`boundaries.rs`): an import reads every message once
//! (`rekindle_analysis::danger::Scan`) and keeps what it found as one item per
//! chat, without any message text; the gate reads that item. The user's answer
//! to a sign ("that is how it was" / "it was not meant") is an item of its
//! own, so a later import never undoes it.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use rekindle_analysis::danger::{DangerFound, DangerKind};
use rekindle_core::safety::{ChatDanger, ChatDangerKind, DangerAnswer};
use rekindle_store::Store;
use serde::{Deserialize, Serialize};

use crate::method::MethodError;

pub const CHAT_DANGER: &str = "chat_danger";
pub const DANGER_ANSWER: &str = "danger_answer";

/// One sign as stored (no message text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredSign {
    pub time: DateTime,
    pub person: String,
    pub kind: ChatDangerKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSigns {
    pub chat_id: i64,
    pub signs: Vec<StoredSign>,
}

/// What the user said about one sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignAnswer {
    pub time: DateTime,
    pub person: String,
    pub kind: ChatDangerKind,
    pub answer: DangerAnswer,
}

fn kind_of(k: DangerKind) -> ChatDangerKind {
    match k {
        DangerKind::Threat => ChatDangerKind::Threat,
        DangerKind::Violence => ChatDangerKind::Violence,
    }
}

/// Keeps what an import found for a chat. Signs already known from an
/// earlier import of the same chat stay (an export of only the latest
/// months must not forget an older threat).
pub fn save_found(
    store: &mut dyn Store,
    chat_id: i64,
    found: Vec<DangerFound>,
    at: Timestamp,
) -> Result<(), MethodError> {
    let existing = store
        .items(CHAT_DANGER)?
        .into_iter()
        .filter_map(|i| i.parse::<ChatSigns>().map(|s| (i.id, s)))
        .find(|(_, s)| s.chat_id == chat_id);
    let mut all: Vec<StoredSign> = existing
        .as_ref()
        .map(|(_, s)| s.signs.clone())
        .unwrap_or_default();
    for f in found {
        let new = StoredSign {
            time: f.time,
            person: f.person,
            kind: kind_of(f.kind),
        };
        if !all.contains(&new) {
            all.push(new);
        }
    }
    all.sort_by_key(|s| s.time);
    if existing.is_none() && all.is_empty() {
        return Ok(());
    }
    let value = ChatSigns {
        chat_id,
        signs: all,
    };
    if existing.as_ref().is_some_and(|(_, s)| *s == value) {
        return Ok(());
    }
    store.save_item(
        CHAT_DANGER,
        existing.map(|(id, _)| id),
        &serde_json::to_value(&value).unwrap_or_default(),
        at,
    )?;
    Ok(())
}

/// The signs found in one chat, oldest first (whoever its people are).
pub fn for_chat(store: &dyn Store, chat_id: i64) -> Result<Vec<StoredSign>, MethodError> {
    Ok(store
        .items(CHAT_DANGER)?
        .iter()
        .filter_map(|i| i.parse::<ChatSigns>())
        .find(|s| s.chat_id == chat_id)
        .map(|s| s.signs)
        .unwrap_or_default())
}

/// The message behind a sign of chat `chat_id`: the message its writer sent
/// at its time that still reads as that kind of sign (or, if none does now,
/// their first message of that time). `None` when the chat no longer holds it.
pub fn message_of(
    store: &dyn Store,
    chat_id: i64,
    sign: &StoredSign,
) -> Result<Option<String>, MethodError> {
    let theirs: Vec<String> = store
        .messages_at_time(chat_id, crate::import::local_ms(sign.time))?
        .into_iter()
        .filter(|m| m.sender.as_deref() == Some(sign.person.as_str()))
        .map(|m| m.text)
        .collect();
    let reads_so =
        |t: &&String| rekindle_analysis::danger::detect(t).map(kind_of) == Some(sign.kind);
    Ok(theirs.iter().find(reads_so).or(theirs.first()).cloned())
}

/// The message behind the sign waiting for the user's answer
/// ([`rekindle_core::safety::pending_danger`]), if there is one.
pub fn pending_message(store: &dyn Store) -> Result<Option<String>, MethodError> {
    let all = signs(store)?;
    let facts: Vec<ChatDanger> = all.iter().map(|(_, f)| f.clone()).collect();
    let Some(pending) = rekindle_core::safety::pending_danger(&facts) else {
        return Ok(None);
    };
    let Some((sign, _)) = all.iter().find(|(_, f)| f == pending) else {
        return Ok(None);
    };
    for item in store.items(CHAT_DANGER)? {
        if let Some(cs) = item.parse::<ChatSigns>()
            && cs.signs.contains(sign)
            && let Some(text) = message_of(store, cs.chat_id, sign)?
        {
            return Ok(Some(text));
        }
    }
    Ok(None)
}

/// The signs in every imported chat whose ex is known, written by the user or
/// the ex, with the user's answers.
pub fn signs(store: &dyn Store) -> Result<Vec<(StoredSign, ChatDanger)>, MethodError> {
    let chats = store.chats()?;
    let answers: Vec<SignAnswer> = store
        .items(DANGER_ANSWER)?
        .iter()
        .filter_map(|i| i.parse())
        .collect();
    let mut out = Vec::new();
    for item in store.items(CHAT_DANGER)? {
        let Some(cs) = item.parse::<ChatSigns>() else {
            continue;
        };
        let Some(chat) = chats.iter().find(|c| c.id == cs.chat_id) else {
            continue;
        };
        let Some(ex) = chat.ex.clone() else {
            continue;
        };
        // Only the two of them: in a group chat a third person's message is
        // neither the user's nor the ex's.
        let ours = |p: &str| p == ex || chat.me.as_deref().is_none_or(|me| me == p);
        for s in cs.signs.into_iter().filter(|s| ours(&s.person)) {
            let answer = answers
                .iter()
                .rev()
                .find(|a| a.time == s.time && a.person == s.person && a.kind == s.kind)
                .map(|a| a.answer);
            let fact = ChatDanger {
                on: s.time.date(),
                kind: s.kind,
                by_ex: s.person == ex,
                answer,
            };
            out.push((s, fact));
        }
    }
    out.sort_by_key(|a| a.0.time);
    Ok(out)
}

/// The user answers the sign that pauses reconciliation help: `happened` =
/// "yes, that is how it was" (the safety lock goes on), else "it was not
/// meant". Fails with `NotFound` when no sign is waiting.
pub fn answer_pending(
    store: &mut dyn Store,
    happened: bool,
    today: Date,
    at: Timestamp,
) -> Result<ChatDanger, MethodError> {
    let all = signs(store)?;
    let facts: Vec<ChatDanger> = all.iter().map(|(_, f)| f.clone()).collect();
    let Some(pending) = rekindle_core::safety::pending_danger(&facts).cloned() else {
        return Err(MethodError::NotFound);
    };
    let Some((stored, _)) = all.iter().find(|(_, f)| *f == pending) else {
        return Err(MethodError::NotFound);
    };
    let answer = SignAnswer {
        time: stored.time,
        person: stored.person.clone(),
        kind: stored.kind,
        answer: if happened {
            DangerAnswer::Happened { on: today }
        } else {
            DangerAnswer::NotMeant
        },
    };
    store.save_item(
        DANGER_ANSWER,
        None,
        &serde_json::to_value(&answer).unwrap_or_default(),
        at,
    )?;
    Ok(ChatDanger {
        answer: Some(answer.answer),
        ..pending
    })
}
