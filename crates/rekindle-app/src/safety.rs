//! Safety facts gathered from the store, the screen, the ex's "no", and the
//! lock events kept in the record.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rekindle_core::FormErrors;
use rekindle_core::method::problem::Problem;
use rekindle_core::safety::{
    ExNo, ExNoKind, Refusal, SafetyFacts, ScreenResult, safety_lock, validate_screen,
};
use rekindle_store::Store;
use serde::{Deserialize, Serialize};

use crate::method::{CHECKIN, MethodError, PROBLEM};

pub const SCREEN: &str = "safety_screen";
pub const EX_NO: &str = "ex_no";
pub const EVENT: &str = "safety_event";

/// A change of the safety lock, kept in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockEvent {
    pub on: Date,
    pub locked: bool,
    pub reason: String,
}

pub fn facts(store: &dyn Store, tz: &TimeZone) -> Result<SafetyFacts, MethodError> {
    let latest_screen = store
        .items(SCREEN)?
        .iter()
        .filter_map(|i| i.parse::<ScreenResult>())
        .next_back();
    let abuse_problems_marked = store
        .items(PROBLEM)?
        .iter()
        .flat_map(|item| {
            // The day each version first marked the problem as abuse.
            item.versions
                .iter()
                .filter(|v| {
                    serde_json::from_value::<Problem>(v.data.clone()).is_ok_and(|p| p.is_safety())
                })
                .map(|v| v.saved_at.to_zoned_datetime(tz.clone()).date())
                .collect::<Vec<_>>()
        })
        .collect();
    let ex_no = store
        .items(EX_NO)?
        .iter()
        .filter_map(|i| i.parse::<ExNo>())
        .next();
    let ended_on = store.relationship()?.and_then(|r| r.ended_on);
    let checkins: Vec<rekindle_core::method::checkin::CheckIn> = store
        .items(CHECKIN)?
        .iter()
        .filter_map(|i| i.parse())
        .collect();
    let record_started = rekindle_core::method::checkin::record_started(&checkins);
    // A withdrawn letter that was sent still counts: it was sent.
    let sent: Vec<rekindle_core::letter::Letter> = store
        .items(crate::letter::LETTER)?
        .iter()
        .filter_map(|i| i.parse_kept::<rekindle_core::letter::Letter>())
        .filter(|l| l.sent_on.is_some())
        .collect();
    Ok(SafetyFacts {
        latest_screen,
        abuse_problems_marked,
        ex_no,
        ended_on,
        record_started,
        outreach_sent: sent.len() as u32,
        last_outreach_answered: sent
            .last()
            .is_some_and(|l| l.reply.as_deref() == Some("yes")),
        chat_boundaries: crate::boundaries::ex_boundaries(store)?
            .into_iter()
            .map(|(_, fact)| fact)
            .collect(),
        chat_danger: crate::danger::signs(store)?
            .into_iter()
            .map(|(_, fact)| fact)
            .collect(),
    })
}

/// Records a lock change when the facts moved it.
fn note_lock_change(
    store: &mut dyn Store,
    before: &Option<Refusal>,
    tz: &TimeZone,
    today: Date,
    at: Timestamp,
) -> Result<(), MethodError> {
    let after = safety_lock(&facts(store, tz)?);
    if before.is_some() != after.is_some() {
        let event = LockEvent {
            on: today,
            locked: after.is_some(),
            reason: match &after {
                Some(r) => r.explain(),
                None => "The safety screen was taken again and showed no signs of risk.".into(),
            },
        };
        store.save_item(
            EVENT,
            None,
            &serde_json::to_value(&event).unwrap_or_default(),
            at,
        )?;
        tracing::info!(event = "safety_lock_changed", locked = event.locked);
    }
    Ok(())
}

/// Saves a safety screen; the lock follows the answers.
pub fn take_screen(
    store: &mut dyn Store,
    fields: &[(String, String)],
    tz: &TimeZone,
    today: Date,
    at: Timestamp,
) -> Result<ScreenResult, MethodError> {
    let result = validate_screen(fields, today)?;
    let latest = store
        .items(SCREEN)?
        .into_iter()
        .filter_map(|i| i.parse::<ScreenResult>().map(|s| (s, i.created_at)))
        .next_back();
    if let Some(from) =
        rekindle_core::safety::retake_from(latest.as_ref().map(|(s, t)| (s, *t)), at)
    {
        let mut e = FormErrors::default();
        e.add(
            "screen",
            format!(
                "You can take the questions again from {}. A day's pause helps make sure the answers are your own, not given under pressure or in a hurry. Until then, the help lines and the safety plan are here for you.",
                from.to_zoned_datetime(tz.clone()).strftime("%-d %B at %H:%M")
            ),
        );
        return Err(MethodError::Form(e));
    }
    let before = safety_lock(&facts(store, tz)?);
    store.save_item(
        SCREEN,
        None,
        &serde_json::to_value(&result).unwrap_or_default(),
        at,
    )?;
    note_lock_change(store, &before, tz, today, at)?;
    Ok(result)
}

/// The user answers the sign of danger in the chat that waits for an answer
/// (`danger::answer_pending`); "that is how it was" turns the lock on.
pub fn answer_danger(
    store: &mut dyn Store,
    happened: bool,
    tz: &TimeZone,
    today: Date,
    at: Timestamp,
) -> Result<rekindle_core::safety::ChatDanger, MethodError> {
    let before = safety_lock(&facts(store, tz)?);
    let answered = crate::danger::answer_pending(store, happened, today, at)?;
    note_lock_change(store, &before, tz, today, at)?;
    Ok(answered)
}

/// To be called after a problem is saved: marking one as abuse locks.
pub fn after_problem_saved(
    store: &mut dyn Store,
    before: &Option<Refusal>,
    tz: &TimeZone,
    today: Date,
    at: Timestamp,
) -> Result<(), MethodError> {
    note_lock_change(store, before, tz, today, at)
}

/// Records that the ex said no, asked for no contact or blocked. Final.
pub fn record_ex_no(
    store: &mut dyn Store,
    kind: &str,
    today: Date,
    at: Timestamp,
) -> Result<ExNo, MethodError> {
    let Some(kind) = ExNoKind::parse(kind) else {
        let mut e = FormErrors::default();
        e.add("kind", "Please choose what happened.");
        return Err(MethodError::Form(e));
    };
    let no = ExNo { on: today, kind };
    store.save_item(
        EX_NO,
        None,
        &serde_json::to_value(&no).unwrap_or_default(),
        at,
    )?;
    tracing::info!(event = "ex_no_recorded");
    Ok(no)
}

/// The answers of the latest screen that turned the lock on, named.
pub fn lock_reasons(store: &dyn Store) -> Result<Vec<String>, MethodError> {
    let latest = store
        .items(SCREEN)?
        .iter()
        .filter_map(|i| i.parse::<ScreenResult>())
        .next_back();
    let mut reasons = latest
        .as_ref()
        .filter(|s| s.locks())
        .map(|s| s.named_answers())
        .unwrap_or_default();
    // Signs of danger in the chat the user confirmed since the latest screen.
    for (_, d) in crate::danger::signs(store)? {
        if let Some(rekindle_core::safety::DangerAnswer::Happened { on }) = d.answer
            && latest.as_ref().is_none_or(|s| on >= s.on)
        {
            reasons.push(format!(
                "Your chat, {}: {}. You said that is how it was.",
                d.on.strftime("%-d %B %Y"),
                d.phrase()
            ));
        }
    }
    Ok(reasons)
}

pub fn lock_events(store: &dyn Store) -> Result<Vec<LockEvent>, MethodError> {
    Ok(store
        .items(EVENT)?
        .iter()
        .filter_map(|i| i.parse::<LockEvent>())
        .collect())
}
