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
    Ok(store.save_item(PROBLEM, id, &to_json(&problem), at)?)
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
    let plan = form.validate(problem_id, today, view.plan.as_ref())?;
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
        let Some(commitment) = plan.commitment else {
            continue;
        };
        let mut checkins = BTreeMap::new();
        let mut history = Vec::new();
        for (_, item, c) in all_checkins.iter().filter(|(_, _, c)| c.plan_id == plan_id) {
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
