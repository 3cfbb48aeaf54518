//! The method's use cases over the versioned item store: problems, their
//! plans, check-ins and the track record.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use rekindle_core::FormErrors;
use rekindle_core::method::checkin::{CheckIn, CheckInForm, Outcome};
use rekindle_core::method::plan::{Commitment, Missing, Pause, Plan, PlanForm, missing};
use rekindle_core::method::problem::{Problem, ProblemForm};
use rekindle_core::method::record::{RecordSummary, summarize};
use rekindle_store::items::Item;
use rekindle_store::{Store, StoreError};
use serde::Serialize;
use thiserror::Error;

pub const PROBLEM: &str = "problem";
pub const PLAN: &str = "plan";
pub const CHECKIN: &str = "checkin";

#[derive(Debug, Error)]
pub enum MethodError {
    #[error("{0}")]
    Form(FormErrors),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("There is no such item; it may have been removed.")]
    NotFound,
    #[error("{}", .0.explain())]
    Refused(rekindle_core::safety::Refusal),
}

impl From<FormErrors> for MethodError {
    fn from(e: FormErrors) -> Self {
        MethodError::Form(e)
    }
}

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// A problem with its plan and what it still needs.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    pub id: i64,
    pub problem: Problem,
    pub versions: usize,
    pub plan_id: Option<i64>,
    pub plan: Option<Plan>,
    pub missing: Vec<Missing>,
}

impl ProblemView {
    pub fn answered(&self) -> bool {
        self.missing.is_empty()
    }
}

fn parsed<T: serde::de::DeserializeOwned>(items: Vec<Item>) -> Vec<(i64, usize, T)> {
    items
        .into_iter()
        .filter_map(|i| {
            let n = i.versions.len();
            i.parse::<T>().map(|t| (i.id, n, t))
        })
        .collect()
}

pub fn problems(store: &dyn Store) -> Result<Vec<ProblemView>, MethodError> {
    let plans: Vec<(i64, usize, Plan)> = parsed(store.items(PLAN)?);
    Ok(parsed::<Problem>(store.items(PROBLEM)?)
        .into_iter()
        .map(|(id, versions, problem)| {
            let plan = plans.iter().find(|(_, _, p)| p.problem_id == id);
            ProblemView {
                id,
                missing: missing(problem.whose, plan.map(|(_, _, p)| p)),
                problem,
                versions,
                plan_id: plan.map(|(pid, _, _)| *pid),
                plan: plan.map(|(_, _, p)| p.clone()),
            }
        })
        .collect())
}

pub fn problem(store: &dyn Store, id: i64) -> Result<ProblemView, MethodError> {
    problems(store)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(MethodError::NotFound)
}

/// Saves a new problem (`id` None) or a new version of one.
pub fn save_problem(
    store: &mut dyn Store,
    id: Option<i64>,
    form: &ProblemForm,
    today: Date,
    at: Timestamp,
) -> Result<i64, MethodError> {
    let problem = form.validate(today)?;
    if let Some(id) = id {
        problem_exists(store, id)?;
    }
    let tz = jiff::tz::TimeZone::system();
    let before = rekindle_core::safety::safety_lock(&crate::safety::facts(store, &tz)?);
    let saved = store.save_item(PROBLEM, id, &to_json(&problem), at)?;
    // Marking a problem as abuse turns the safety lock on (and records it).
    crate::safety::after_problem_saved(store, &before, &tz, today, at)?;
    Ok(saved)
}

fn problem_exists(store: &dyn Store, id: i64) -> Result<(), MethodError> {
    match store.item(id)? {
        Some(i) if i.kind == PROBLEM => Ok(()),
        _ => Err(MethodError::NotFound),
    }
}

/// Saves the plan of a problem (a new version when it already has one).
pub fn save_plan(
    store: &mut dyn Store,
    problem_id: i64,
    form: &PlanForm,
    today: Date,
    at: Timestamp,
) -> Result<i64, MethodError> {
    let view = problem(store, problem_id)?;
    let made_on = match view.plan_id {
        Some(id) => store
            .item(id)?
            .map(|i| {
                rekindle_core::method::checkin::local_day(
                    i.created_at,
                    &jiff::tz::TimeZone::system(),
                )
            })
            .unwrap_or(today),
        None => today,
    };
    let plan = form.validate(problem_id, today, view.plan.as_ref(), made_on)?;
    Ok(store.save_item(PLAN, view.plan_id, &to_json(&plan), at)?)
}

/// A commitment with its record.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    pub plan_id: i64,
    pub problem_id: i64,
    pub problem_title: String,
    pub commitment: Commitment,
    pub checkins: BTreeMap<Date, CheckIn>,
    pub summary: RecordSummary,
    /// Every version of every check-in, oldest first (edits stay visible).
    pub history: Vec<(Timestamp, CheckIn)>,
}

impl CommitmentView {
    pub fn answered_today(&self, today: Date) -> Option<Outcome> {
        self.checkins.get(&today).map(|c| c.outcome)
    }
}

fn checkin_items(store: &dyn Store) -> Result<Vec<(i64, Item, CheckIn)>, MethodError> {
    Ok(store
        .items(CHECKIN)?
        .into_iter()
        .filter_map(|i| i.parse::<CheckIn>().map(|c| (i.id, i, c)))
        .collect())
}

pub fn commitments(store: &dyn Store, today: Date) -> Result<Vec<CommitmentView>, MethodError> {
    let problems = problems(store)?;
    let all_checkins = checkin_items(store)?;
    let mut out = Vec::new();
    for p in problems {
        let (Some(plan_id), Some(plan)) = (p.plan_id, p.plan) else {
            continue;
        };
        let Some(commitment) = plan.commitment.clone() else {
            continue;
        };
        // Check-ins of the days an earlier commitment of this plan was lived
        // belong to that one: they stay in the record, marked, and do not
        // count for this one.
        let mut checkins = BTreeMap::new();
        let mut history = Vec::new();
        for (_, item, c) in all_checkins
            .iter()
            .filter(|(_, _, c)| c.plan_id == plan_id && !plan.withdrawn_covers(c.day))
        {
            checkins.insert(c.day, c.clone());
            for v in &item.versions {
                if let Ok(old) = serde_json::from_value::<CheckIn>(v.data.clone()) {
                    history.push((v.saved_at, old));
                }
            }
        }
        history.sort_by_key(|(t, _)| *t);
        let answers: BTreeMap<Date, Outcome> =
            checkins.iter().map(|(d, c)| (*d, c.outcome)).collect();
        out.push(CommitmentView {
            plan_id,
            problem_id: p.id,
            problem_title: p.problem.title,
            summary: summarize(&commitment, &answers, today),
            commitment,
            checkins,
            history,
        });
    }
    Ok(out)
}

/// Records a check-in. A second answer for the same day becomes a new
/// version of that day's check-in: the first stays in the history.
pub fn check_in(
    store: &mut dyn Store,
    plan_id: i64,
    form: &CheckInForm,
    today: Date,
    at: Timestamp,
) -> Result<CheckIn, MethodError> {
    let plan: Plan = store
        .item(plan_id)?
        .filter(|i| i.kind == PLAN)
        .and_then(|i| i.parse())
        .ok_or(MethodError::NotFound)?;
    let commitment = plan.commitment.ok_or(MethodError::NotFound)?;
    let checkin = form.validate(plan_id, &commitment, today)?;
    let existing = checkin_items(store)?
        .into_iter()
        .find(|(_, _, c)| c.plan_id == plan_id && c.day == checkin.day)
        .map(|(id, _, _)| id);
    store.save_item(CHECKIN, existing, &to_json(&checkin), at)?;
    Ok(checkin)
}

/// Pauses a commitment from `from` (open-ended) or resumes it on `today`.
pub fn set_paused(
    store: &mut dyn Store,
    plan_id: i64,
    paused: bool,
    today: Date,
    at: Timestamp,
) -> Result<(), MethodError> {
    let mut plan: Plan = store
        .item(plan_id)?
        .filter(|i| i.kind == PLAN)
        .and_then(|i| i.parse())
        .ok_or(MethodError::NotFound)?;
    let Some(c) = plan.commitment.as_mut() else {
        return Err(MethodError::NotFound);
    };
    let open = c.pauses.iter_mut().find(|p| p.until.is_none());
    match (paused, open) {
        (true, None) => c.pauses.push(Pause {
            from: today,
            until: None,
        }),
        (false, Some(p)) => p.until = Some(today.yesterday().unwrap_or(today).max(p.from)),
        _ => return Ok(()),
    }
    store.save_item(PLAN, Some(plan_id), &to_json(&plan), at)?;
    Ok(())
}

// ----- seriousness -----

pub const READINESS: &str = "readiness";
pub const SELF_CHECK: &str = "self_check";
pub const EX_ANSWER: &str = "ex_answer";
pub const TRIGGER: &str = "trigger";
pub const AUDIT_C: &str = "audit_c";

use rekindle_core::method::guard::{
    AuditC, AuditCForm, LapsePattern, Trigger, TriggerForm, lapse_pattern,
};
use rekindle_core::method::problem::Category;
use rekindle_core::method::readiness::{
    ExAnswer, Readiness, ReadinessForm, SelfCheck, SelfCheckForm, validate_ex_answer,
};

fn plan_exists(store: &dyn Store, plan_id: i64) -> Result<Plan, MethodError> {
    store
        .item(plan_id)?
        .filter(|i| i.kind == PLAN)
        .and_then(|i| i.parse())
        .ok_or(MethodError::NotFound)
}

/// Every item of a kind, current versions, oldest first.
fn all<T: serde::de::DeserializeOwned>(
    store: &dyn Store,
    kind: &str,
) -> Result<Vec<(i64, T)>, MethodError> {
    Ok(parsed::<T>(store.items(kind)?)
        .into_iter()
        .map(|(id, _, t)| (id, t))
        .collect())
}

pub fn save_readiness(
    store: &mut dyn Store,
    plan_id: i64,
    form: &ReadinessForm,
    today: Date,
    at: Timestamp,
) -> Result<Readiness, MethodError> {
    plan_exists(store, plan_id)?;
    let r = form.validate(plan_id, today)?;
    store.save_item(READINESS, None, &to_json(&r), at)?;
    Ok(r)
}

pub fn readiness(store: &dyn Store) -> Result<Vec<Readiness>, MethodError> {
    Ok(all::<Readiness>(store, READINESS)?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

pub fn save_self_check(
    store: &mut dyn Store,
    form: &SelfCheckForm,
    today: Date,
    at: Timestamp,
) -> Result<SelfCheck, MethodError> {
    let s = form.validate(today)?;
    store.save_item(SELF_CHECK, None, &to_json(&s), at)?;
    Ok(s)
}

pub fn self_checks(store: &dyn Store) -> Result<Vec<SelfCheck>, MethodError> {
    Ok(all::<SelfCheck>(store, SELF_CHECK)?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}

pub fn save_ex_answer(
    store: &mut dyn Store,
    said: &str,
    on: &str,
    today: Date,
    at: Timestamp,
) -> Result<ExAnswer, MethodError> {
    let a = validate_ex_answer(said, on, today)?;
    store.save_item(EX_ANSWER, None, &to_json(&a), at)?;
    Ok(a)
}

pub fn ex_answers(store: &dyn Store) -> Result<Vec<ExAnswer>, MethodError> {
    Ok(all::<ExAnswer>(store, EX_ANSWER)?
        .into_iter()
        .map(|(_, a)| a)
        .collect())
}

// ----- guard -----

pub fn save_trigger(
    store: &mut dyn Store,
    plan_id: i64,
    form: &TriggerForm,
    at: Timestamp,
) -> Result<Trigger, MethodError> {
    plan_exists(store, plan_id)?;
    let t = form.validate(plan_id)?;
    store.save_item(TRIGGER, None, &to_json(&t), at)?;
    Ok(t)
}

/// The triggers that are not withdrawn, with their ids.
pub fn triggers(store: &dyn Store) -> Result<Vec<(i64, Trigger)>, MethodError> {
    all::<Trigger>(store, TRIGGER)
}

/// One trigger that is not withdrawn.
pub fn trigger(store: &dyn Store, id: i64) -> Result<Trigger, MethodError> {
    store
        .item(id)?
        .filter(|i| i.kind == TRIGGER)
        .and_then(|i| i.parse())
        .ok_or(MethodError::NotFound)
}

/// Saves a changed trigger as a new version (its commitment stays the same).
pub fn update_trigger(
    store: &mut dyn Store,
    id: i64,
    form: &TriggerForm,
    at: Timestamp,
) -> Result<Trigger, MethodError> {
    let old = trigger(store, id)?;
    let t = form.validate(old.plan_id)?;
    store.save_item(TRIGGER, Some(id), &to_json(&t), at)?;
    Ok(t)
}

/// Which triggers precede lapses, and on which weekdays and hours they happen.
/// The hour is that of the first time a lapse was written down on its own day.
/// Only check-ins of commitments that still count are read.
pub fn pattern(
    store: &dyn Store,
    tz: &jiff::tz::TimeZone,
    today: Date,
) -> Result<LapsePattern, MethodError> {
    let counted: std::collections::BTreeSet<(i64, Date)> = commitments(store, today)?
        .iter()
        .flat_map(|c| c.checkins.keys().map(|d| (c.plan_id, *d)))
        .collect();
    let items = checkin_items(store)?;
    let with_hours: Vec<(CheckIn, Option<i8>)> = items
        .into_iter()
        .filter(|(_, _, c)| counted.contains(&(c.plan_id, c.day)))
        .map(|(_, item, c)| {
            let hour = item
                .versions
                .iter()
                .find(|v| {
                    serde_json::from_value::<CheckIn>(v.data.clone()).is_ok_and(|old| {
                        old.outcome == Outcome::Lapsed && old.recorded_on == old.day
                    })
                })
                .map(|v| v.saved_at.to_zoned_datetime(tz.clone()).hour());
            (c, hour)
        })
        .collect();
    Ok(lapse_pattern(with_hours.iter().map(|(c, h)| (c, *h))))
}

pub fn save_audit(
    store: &mut dyn Store,
    form: &AuditCForm,
    today: Date,
    at: Timestamp,
) -> Result<AuditC, MethodError> {
    let a = form.validate(today)?;
    store.save_item(AUDIT_C, None, &to_json(&a), at)?;
    Ok(a)
}

pub fn audits(store: &dyn Store) -> Result<Vec<AuditC>, MethodError> {
    Ok(all::<AuditC>(store, AUDIT_C)?
        .into_iter()
        .map(|(_, a)| a)
        .collect())
}

/// Kept days in the last `days` days across commitments for drinking or
/// other substance problems (alcohol-free days, when the commitment is not drinking).
pub fn alcohol_free_days(
    store: &dyn Store,
    today: Date,
    days: i64,
) -> Result<Option<u32>, MethodError> {
    Ok(alcohol_free_day_list(store, today, days)?.map(|d| d.len() as u32))
}

/// The commitments of drinking or other substance problems.
fn substance_commitments(
    store: &dyn Store,
    today: Date,
) -> Result<Vec<CommitmentView>, MethodError> {
    let substance: Vec<i64> = problems(store)?
        .into_iter()
        .filter(|p| p.problem.category == Category::SubstanceUse)
        .filter_map(|p| p.plan_id)
        .collect();
    Ok(commitments(store, today)?
        .into_iter()
        .filter(|c| substance.contains(&c.plan_id))
        .collect())
}

/// The alcohol-free days (kept on a drinking or substance commitment) in
/// the last `days` days, oldest first; `None` when no such problem has a plan.
pub fn alcohol_free_day_list(
    store: &dyn Store,
    today: Date,
    days: i64,
) -> Result<Option<Vec<Date>>, MethodError> {
    let has_plan = problems(store)?
        .iter()
        .any(|p| p.problem.category == Category::SubstanceUse && p.plan_id.is_some());
    if !has_plan {
        return Ok(None);
    }
    let from = today
        .checked_sub(jiff::Span::new().days(days.max(1) - 1))
        .unwrap_or(today);
    let mut kept_days = std::collections::BTreeSet::new();
    for c in substance_commitments(store, today)? {
        for (d, ci) in c.checkins.range(from..=today) {
            if ci.outcome == Outcome::Kept {
                kept_days.insert(*d);
            }
        }
    }
    Ok(Some(kept_days.into_iter().collect()))
}

/// Records `day` (YYYY-MM-DD, empty for today) as alcohol-free: a kept
/// check-in (a count of 0 for a daily limit) on every daily commitment of a
/// drinking or substance problem that is not paused that day. Weekly
/// commitments are left to their weekly check-in. Nothing is saved when the
/// day is not valid for one of them.
pub fn record_alcohol_free_day(
    store: &mut dyn Store,
    day: &str,
    today: Date,
    at: Timestamp,
) -> Result<Vec<(i64, CheckIn)>, MethodError> {
    use rekindle_core::method::plan::CommitmentKind;
    let no_commitment = || {
        let mut e = FormErrors::default();
        e.add(
            "day",
            "There is no daily commitment about drinking yet: make a plan with one for a problem \
             in the category substance use first.",
        );
        MethodError::Form(e)
    };
    let daily: Vec<CommitmentView> = substance_commitments(store, today)?
        .into_iter()
        .filter(|c| c.commitment.kind != CommitmentKind::Weekly)
        .collect();
    if daily.is_empty() {
        return Err(no_commitment());
    }
    let forms: Vec<(i64, CheckInForm)> = daily
        .iter()
        .map(|c| {
            let limit = c.commitment.kind == CommitmentKind::DailyLimit;
            (
                c.plan_id,
                CheckInForm {
                    day: day.to_string(),
                    outcome: if limit { String::new() } else { "kept".into() },
                    count: if limit { "0".into() } else { String::new() },
                    ..CheckInForm::default()
                },
            )
        })
        .collect();
    // Check every one first, so a bad day saves nothing.
    let mut valid = Vec::new();
    for ((plan_id, form), c) in forms.iter().zip(&daily) {
        let checkin = form.validate(*plan_id, &c.commitment, today)?;
        if !c.commitment.is_paused_on(checkin.day) {
            valid.push((*plan_id, form));
        }
    }
    if valid.is_empty() {
        let mut e = FormErrors::default();
        e.add(
            "day",
            "Your commitments about drinking are paused on that day, so there is nothing to record.",
        );
        return Err(MethodError::Form(e));
    }
    let mut saved = Vec::new();
    for (plan_id, form) in valid {
        saved.push((plan_id, check_in(store, plan_id, form, today, at)?));
    }
    Ok(saved)
}
