//! The honest letter: gated by safety, their answer and the record, built
//! from the record, and checked sentence by sentence for the four horsemen.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rekindle_analysis::{Lexicons, classify};
use rekindle_core::letter::{Letter, LetterFacts, antidote, pressure_hint, sentences};
use rekindle_core::method::problem::Whose;
use rekindle_core::safety::{ExNoKind, Refusal, outreach_allowed};
use rekindle_store::Store;
use serde::Serialize;

use crate::method::{self, MethodError};

pub const LETTER: &str = "letter";

pub fn letters(store: &dyn Store) -> Result<Vec<(i64, Letter)>, MethodError> {
    Ok(store
        .items(LETTER)?
        .iter()
        .filter_map(|i| i.parse().map(|l| (i.id, l)))
        .collect())
}

/// Whether the latest letter was sent and their reply is not recorded yet.
pub fn awaiting_reply(store: &dyn Store) -> Result<bool, MethodError> {
    Ok(letters(store)?
        .last()
        .is_some_and(|(_, l)| l.sent_on.is_some() && l.reply.is_none()))
}

/// Whether the letter builder may be used now, and if not, why.
pub fn gate(
    store: &dyn Store,
    tz: &TimeZone,
    today: Date,
) -> Result<Result<(), Refusal>, MethodError> {
    let facts = crate::safety::facts(store, tz)?;
    Ok(outreach_allowed(&facts, today))
}

pub fn facts(store: &dyn Store, today: Date) -> Result<LetterFacts, MethodError> {
    let rel = store.relationship()?;
    let problems = method::problems(store)?;
    let my_parts = problems
        .iter()
        .filter(|p| matches!(p.problem.whose, Whose::Mine | Whose::Both))
        .map(|p| (p.problem.title.clone(), p.problem.my_part.clone()))
        .collect();
    let commitments = method::commitments(store, today)?;
    let changes = commitments
        .iter()
        .map(|c| {
            let prevention = problems
                .iter()
                .find(|p| p.plan_id == Some(c.plan_id))
                .and_then(|p| p.plan.as_ref())
                .map(|pl| pl.prevention.clone())
                .unwrap_or_default();
            let rate = c
                .summary
                .windows
                .iter()
                .find(|w| w.days == 30)
                .and_then(|w| w.rate)
                .map(|r| (r * 100.0).round() as u32);
            (
                prevention,
                c.commitment.title.clone(),
                c.summary.kept,
                rate,
                c.summary.lapsed,
            )
        })
        .collect();
    let record_days = rekindle_core::method::checkin::record_started(
        commitments.iter().flat_map(|c| c.checkins.values()),
    )
    .and_then(|d| today.since(d).ok())
    .map(|s| i64::from(s.get_days()))
    .unwrap_or(0);
    Ok(LetterFacts {
        their_name: rel
            .as_ref()
            .map(|r| r.their_name.clone())
            .unwrap_or_default(),
        my_name: rel.as_ref().map(|r| r.my_name.clone()).unwrap_or_default(),
        my_parts,
        changes,
        confirmations: crate::share::confirmations(store)?.len(),
        record_days,
    })
}

/// One sentence the check flagged: the horsemen and the kinds of pressure
/// found, why each matters, and a better sentence to say instead.
#[derive(Debug, Clone, Serialize)]
pub struct Flag {
    pub sentence: String,
    pub horsemen: Vec<String>,
    pub pressure: Vec<String>,
    /// Why, one line per horseman or kind of pressure.
    pub why: Vec<&'static str>,
    /// What to write instead (the antidote for a horseman, a better sentence for pressure).
    pub hints: Vec<&'static str>,
}

/// Checks a letter (the draft or the user's own text) sentence by sentence:
/// the four horsemen and pressure, read the way the post-mortem reads a chat.
/// An accountable apology is never flagged: the classifier does not mark
/// one as criticism, contempt or stonewalling, and owning one's part is not
/// pressure.
pub fn check(text: &str) -> Vec<Flag> {
    let lex = Lexicons::built_in();
    sentences(text)
        .into_iter()
        .filter_map(|s| {
            let c = classify(&s, &lex);
            let horsemen: Vec<String> = c.horsemen.iter().map(|h| h.as_str().to_string()).collect();
            let pressure: Vec<String> = c.pressure.iter().map(|p| p.as_str().to_string()).collect();
            if horsemen.is_empty() && pressure.is_empty() {
                return None;
            }
            let mut why = Vec::new();
            let mut hints = Vec::new();
            for h in &horsemen {
                why.push(match h.as_str() {
                    "criticism" => {
                        "It attacks who they are rather than naming one thing that happened."
                    }
                    "contempt" => "Sarcasm and put-downs tell them you look down on them.",
                    "defensiveness" => "It defends you instead of owning your part.",
                    "stonewalling" => "It closes the door on the conversation.",
                    _ => "It may read as harsh.",
                });
                hints.push(antidote(h));
            }
            for p in &pressure {
                let (w, better) = if p == "self_harm_leverage"
                    && !rekindle_core::crisis::crisis_signs(&s).self_harm
                {
                    rekindle_core::letter::self_harm_leverage_hint_unconfirmed()
                } else {
                    pressure_hint(p)
                };
                why.push(w);
                hints.push(better);
            }
            Some(Flag {
                sentence: s,
                horsemen,
                pressure,
                why,
                hints,
            })
        })
        .collect()
}

fn refuse(store: &dyn Store, today: Date) -> Result<(), MethodError> {
    match gate(store, &TimeZone::system(), today)? {
        Ok(()) => Ok(()),
        Err(r) => Err(MethodError::Refused(r)),
    }
}

/// Saves the draft (a new version of the current letter, or a new one).
pub fn save(
    store: &mut dyn Store,
    text: &str,
    today: Date,
    at: Timestamp,
) -> Result<i64, MethodError> {
    refuse(store, today)?;
    let text: String = text.chars().take(20_000).collect();
    let current = letters(store)?
        .into_iter()
        .rev()
        .find(|(_, l)| l.sent_on.is_none());
    let letter = Letter {
        text,
        sent_on: None,
        reply: None,
    };
    Ok(store.save_item(
        LETTER,
        current.map(|(id, _)| id),
        &serde_json::to_value(&letter).unwrap_or_default(),
        at,
    )?)
}

/// The user says they sent it (rekindle itself never sends anything).
pub fn mark_sent(store: &mut dyn Store, today: Date, at: Timestamp) -> Result<(), MethodError> {
    refuse(store, today)?;
    let (id, mut l) = letters(store)?
        .into_iter()
        .rev()
        .find(|(_, l)| l.sent_on.is_none())
        .ok_or(MethodError::NotFound)?;
    l.sent_on = Some(today);
    store.save_item(
        LETTER,
        Some(id),
        &serde_json::to_value(&l).unwrap_or_default(),
        at,
    )?;
    Ok(())
}

/// Records their reply; a "no" is recorded as their final answer.
pub fn record_reply(
    store: &mut dyn Store,
    yes: bool,
    today: Date,
    at: Timestamp,
) -> Result<(), MethodError> {
    let (id, mut l) = letters(store)?
        .into_iter()
        .rev()
        .find(|(_, l)| l.sent_on.is_some())
        .ok_or(MethodError::NotFound)?;
    l.reply = Some(if yes { "yes" } else { "no" }.to_string());
    store.save_item(
        LETTER,
        Some(id),
        &serde_json::to_value(&l).unwrap_or_default(),
        at,
    )?;
    if !yes {
        crate::safety::record_ex_no(store, ExNoKind::SaidNo.key(), today, at)?;
    }
    Ok(())
}
