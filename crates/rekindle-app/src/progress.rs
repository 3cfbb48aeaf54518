//! How far the person has come on each step of the method, for the home page:
//! counts only, read from the store; the shells turn them into words.

use jiff::civil::Date;
use rekindle_core::method::record::PeriodStatus;
use rekindle_store::Store;

use crate::method::{self, MethodError};

/// A commitment whose check-in for today (or this week) is still to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCheckIn {
    pub plan_id: i64,
    pub title: String,
}

/// What each step holds so far. Every field is a plain count or date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Step 1: the relationship page was written, chats imported, problems named.
    pub relationship: bool,
    pub chats: usize,
    pub problems: usize,
    /// Step 2: problems that have their full answer (a plan with a commitment).
    pub answered: usize,
    /// Step 3: commitments with at least one readiness answer; the last
    /// commitment-to-the-relationship answer.
    pub commitments: usize,
    pub readiness_answered: usize,
    pub last_self_check: Option<Date>,
    /// Step 4: check-ins still to do for the current day or week, and the
    /// longest current streak among the commitments.
    pub due: Vec<DueCheckIn>,
    pub checkins: usize,
    pub best_streak: u32,
    /// Step 5: triggers named; the last drinking check.
    pub triggers: usize,
    pub last_audit: Option<Date>,
    /// Step 6: people in the support network.
    pub supporters: usize,
    /// Step 7: books on the list and takeaways written.
    pub books: usize,
    pub takeaways: usize,
    /// Step 8: share links made (revoked ones included) and a letter draft.
    pub shares: usize,
    pub letter: bool,
}

impl Progress {
    /// Nothing written down yet: the first visit.
    pub fn is_empty(&self) -> bool {
        !self.relationship && self.chats == 0 && self.problems == 0
    }
}

pub fn progress(store: &dyn Store, today: Date) -> Result<Progress, MethodError> {
    let problems = method::problems(store)?;
    let commitments = method::commitments(store, today)?;
    let readiness = method::readiness(store)?;
    let books = crate::support::books(store)?;
    Ok(Progress {
        relationship: store.relationship()?.is_some(),
        chats: store.chats()?.len(),
        problems: problems.len(),
        answered: problems.iter().filter(|p| p.answered()).count(),
        commitments: commitments.len(),
        readiness_answered: commitments
            .iter()
            .filter(|c| readiness.iter().any(|r| r.plan_id == c.plan_id))
            .count(),
        last_self_check: method::self_checks(store)?.iter().map(|s| s.on).max(),
        due: commitments
            .iter()
            .filter(|c| c.summary.periods.last().map(|p| p.status) == Some(PeriodStatus::Open))
            .map(|c| DueCheckIn {
                plan_id: c.plan_id,
                title: c.commitment.title.clone(),
            })
            .collect(),
        checkins: commitments.iter().map(|c| c.checkins.len()).sum(),
        best_streak: commitments
            .iter()
            .map(|c| c.summary.current_streak)
            .max()
            .unwrap_or(0),
        triggers: method::triggers(store)?.len(),
        last_audit: method::audits(store)?.iter().map(|a| a.on).max(),
        supporters: crate::support::supporters(store)?.len(),
        takeaways: books.iter().map(|(_, b)| b.takeaways.len()).sum(),
        books: books.len(),
        shares: crate::share::shares(store)?.len(),
        letter: !crate::letter::letters(store)?.is_empty(),
    })
}
