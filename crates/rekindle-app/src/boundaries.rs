//! Boundaries found in imported chats, kept for the safety gate.
//!
//! The analysis of a big chat takes seconds; the gate is asked on every page
//! that could reach out to the ex. So an import scans its messages for
//! boundaries once (`rekindle_analysis::boundary::Scan`) and keeps what it found
//! as one item per chat; the gate reads that item. The user's answer to a
//! boundary ("record it as their no" / "that is not what it meant") is an item
//! of its own, so a later import never undoes it.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use rekindle_analysis::boundary::Found;
use rekindle_core::safety::{ChatBoundary, ChatBoundaryKind};
use rekindle_store::Store;
use serde::{Deserialize, Serialize};

use crate::method::MethodError;

pub const CHAT_BOUNDARIES: &str = "chat_boundaries";
pub const BOUNDARY_ANSWER: &str = "boundary_answer";

/// One boundary as stored (no message text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredBoundary {
    pub time: DateTime,
    pub person: String,
    pub kind: ChatBoundaryKind,
    pub unanswered_after: u32,
    pub setter_wrote_again: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatBoundaries {
    pub chat_id: i64,
    pub boundaries: Vec<StoredBoundary>,
}

/// What the user said about one boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Recorded as their no (no contact, blocked).
    Recorded,
    /// "That is not what it meant" (said in anger and taken back, a joke...).
    NotANo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryAnswer {
    pub time: DateTime,
    pub kind: ChatBoundaryKind,
    pub answer: Answer,
    pub on: Date,
}

fn kind_of(k: rekindle_analysis::BoundaryKind) -> ChatBoundaryKind {
    use rekindle_analysis::BoundaryKind as K;
    match k {
        K::Ended => ChatBoundaryKind::Ended,
        K::NoContact => ChatBoundaryKind::NoContact,
        K::Space => ChatBoundaryKind::Space,
        K::Blocked => ChatBoundaryKind::Blocked,
    }
}

/// Keeps what an import found for a chat. Boundaries already known from an
/// earlier import of the same chat stay (an export of only the latest months
/// must not forget an older "don't contact me"); one seen again is updated.
pub fn save_found(
    store: &mut dyn Store,
    chat_id: i64,
    found: Vec<Found>,
    at: Timestamp,
) -> Result<(), MethodError> {
    let existing = store
        .items(CHAT_BOUNDARIES)?
        .into_iter()
        .filter_map(|i| i.parse::<ChatBoundaries>().map(|b| (i.id, b)))
        .find(|(_, b)| b.chat_id == chat_id);
    let mut all: Vec<StoredBoundary> = existing
        .as_ref()
        .map(|(_, b)| b.boundaries.clone())
        .unwrap_or_default();
    for f in found {
        let new = StoredBoundary {
            time: f.time,
            person: f.person,
            kind: kind_of(f.kind),
            unanswered_after: u32::try_from(f.unanswered_after).unwrap_or(u32::MAX),
            setter_wrote_again: f.setter_wrote_again,
        };
        match all
            .iter_mut()
            .find(|b| b.time == new.time && b.person == new.person && b.kind == new.kind)
        {
            Some(old) => *old = new,
            None => all.push(new),
        }
    }
    all.sort_by_key(|a| a.time);
    let value = ChatBoundaries {
        chat_id,
        boundaries: all,
    };
    if existing.as_ref().is_some_and(|(_, b)| *b == value) {
        return Ok(());
    }
    store.save_item(
        CHAT_BOUNDARIES,
        existing.map(|(id, _)| id),
        &serde_json::to_value(&value).unwrap_or_default(),
        at,
    )?;
    Ok(())
}

/// The boundaries the ex set, in every imported chat, with the user's answers.
pub fn ex_boundaries(
    store: &dyn Store,
) -> Result<Vec<(StoredBoundary, ChatBoundary)>, MethodError> {
    let chats = store.chats()?;
    let answers: Vec<BoundaryAnswer> = store
        .items(BOUNDARY_ANSWER)?
        .iter()
        .filter_map(|i| i.parse())
        .collect();
    let mut out = Vec::new();
    for item in store.items(CHAT_BOUNDARIES)? {
        let Some(cb) = item.parse::<ChatBoundaries>() else {
            continue;
        };
        let Some(ex) = chats
            .iter()
            .find(|c| c.id == cb.chat_id)
            .and_then(|c| c.ex.clone())
        else {
            continue;
        };
        for b in cb.boundaries.into_iter().filter(|b| b.person == ex) {
            let answered = answers.iter().any(|a| a.time == b.time && a.kind == b.kind);
            let fact = ChatBoundary {
                on: b.time.date(),
                kind: b.kind,
                unanswered_after: b.unanswered_after,
                reopened: b.setter_wrote_again,
                answered,
            };
            out.push((b, fact));
        }
    }
    out.sort_by_key(|a| a.0.time);
    Ok(out)
}

/// The user answers the boundary that pauses outreach. `record` = "yes,
/// record it as their answer" (a no that is final), else "that is not what it
/// meant". Fails when there is no such boundary waiting.
pub fn answer_pending(
    store: &mut dyn Store,
    record: bool,
    today: Date,
    at: Timestamp,
) -> Result<ChatBoundary, MethodError> {
    let all = ex_boundaries(store)?;
    let facts: Vec<ChatBoundary> = all.iter().map(|(_, f)| f.clone()).collect();
    let Some(pending) = rekindle_core::safety::pending_boundary(&facts).cloned() else {
        return Err(MethodError::NotFound);
    };
    let Some((stored, _)) = all
        .iter()
        .find(|(s, f)| f.on == pending.on && s.kind == pending.kind && !f.answered)
    else {
        return Err(MethodError::NotFound);
    };
    if record && pending.kind.as_ex_no().is_none() {
        let mut e = rekindle_core::FormErrors::default();
        e.add(
            "answer",
            "A request for space is not a final no; rekindle waits until they reach out. If they have been in touch since in another way, choose “that is not what it means now”.",
        );
        return Err(MethodError::Form(e));
    }
    let answer = BoundaryAnswer {
        time: stored.time,
        kind: stored.kind,
        answer: if record {
            Answer::Recorded
        } else {
            Answer::NotANo
        },
        on: today,
    };
    store.save_item(
        BOUNDARY_ANSWER,
        None,
        &serde_json::to_value(&answer).unwrap_or_default(),
        at,
    )?;
    if record && let Some(no) = pending.kind.as_ex_no() {
        crate::safety::record_ex_no(store, no.key(), today, at)?;
    }
    tracing::info!(event = "boundary_answered", recorded = record);
    Ok(pending)
}
