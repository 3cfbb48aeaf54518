//! Problems, plans and the track record (the method's heart).

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use rekindle_app::method::{self, CommitmentView, MethodError, ProblemView};
use rekindle_core::FormErrors;
use rekindle_core::method::checkin::{CheckIn, CheckInForm, Outcome};
use rekindle_core::method::plan::{CommitmentKind, PlanForm};
use rekindle_core::method::problem::{Category, Frequency, ProblemForm, Whose};
use rekindle_core::method::record::PeriodStatus;
use serde::Deserialize;

use super::{Chrome, method_error, not_found_page, render, with_vault};
use crate::charts;
use crate::security::CsrfForm;
use crate::state::{AppState, Inner};

fn id_of(raw: &str) -> Result<i64, Response> {
    raw.parse::<i64>().map_err(|_| not_found_page())
}

fn options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (key(*v), label(*v))).collect()
}

#[derive(Deserialize)]
pub struct Flags {
    book: Option<i64>,
    t: Option<usize>,
    saved: Option<String>,
    ask: Option<String>,
    day: Option<String>,
    done: Option<String>,
    /// What the check-in just recorded: kept, lapsed, na.
    outcome: Option<String>,
}

// ----- problems -----

/// What a save of a plan did and what is next (`saved` = the problem's id).
fn saved_plan_notice(which: &str, problems: &[ProblemView]) -> String {
    let view = which
        .parse::<i64>()
        .ok()
        .and_then(|id| problems.iter().find(|p| p.id == id));
    match view {
        Some(v) if !v.missing.is_empty() => format!(
            "Plan saved as far as it goes. It still needs {}.",
            v.missing
                .iter()
                .map(|m| m.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(_) => "Plan saved. Next: check in on its commitment in Track record.".to_string(),
        None => "Saved.".to_string(),
    }
}

#[derive(Template)]
#[template(path = "problems.html")]
struct ProblemsPage {
    chrome: Chrome,
    problems: Vec<ProblemView>,
    answered: usize,
    saved: Option<String>,
}

pub async fn problems(state: AppState, Query(f): Query<Flags>) -> Response {
    with_vault(&state, |inner| {
        let problems = method::problems(inner.vault()?).map_err(method_error)?;
        Ok(render(
            StatusCode::OK,
            &ProblemsPage {
                chrome: Chrome::for_page(inner, "Problems and plans", "p"),
                answered: problems.iter().filter(|p| p.answered()).count(),
                saved: f
                    .saved
                    .as_deref()
                    .map(|which| saved_plan_notice(which, &problems)),
                problems,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage {
    chrome: Chrome,
    id: Option<i64>,
    form: ProblemForm,
    errors: FormErrors,
    versions: usize,
    categories: Vec<(&'static str, &'static str)>,
    whose: Vec<(&'static str, &'static str)>,
    frequencies: Vec<(&'static str, &'static str)>,
    /// The chat messages linked to it (read from the form's hidden field).
    links: Vec<rekindle_core::method::problem::MessageLink>,
}

fn problem_page(
    inner: &Inner,
    id: Option<i64>,
    form: ProblemForm,
    errors: FormErrors,
    versions: usize,
    status: StatusCode,
) -> Response {
    render(
        status,
        &ProblemPage {
            chrome: Chrome::for_page(inner, "A problem", "p"),
            id,
            links: rekindle_core::method::problem::parse_links(&form.links).unwrap_or_default(),
            form,
            errors,
            versions,
            categories: options(Category::ALL, Category::key, Category::label),
            whose: options(Whose::ALL, Whose::key, Whose::label),
            frequencies: options(Frequency::ALL, Frequency::key, Frequency::label),
        },
    )
}

/// The new-problem form, filled in (from a chat finding); nothing saved yet.
pub fn problem_form_page(inner: &Inner, form: ProblemForm, errors: FormErrors) -> Response {
    problem_page(inner, None, form, errors, 0, StatusCode::OK)
}

pub async fn new_problem(state: AppState) -> Response {
    with_vault(&state, |inner| {
        Ok(problem_page(
            inner,
            None,
            ProblemForm::default(),
            FormErrors::default(),
            0,
            StatusCode::OK,
        ))
    })
    .unwrap_or_else(|r| r)
}

pub async fn show_problem(state: AppState, Path(id): Path<String>) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    with_vault(&state, |inner| {
        let view = method::problem(inner.vault()?, id).map_err(method_error)?;
        Ok(problem_page(
            inner,
            Some(id),
            ProblemForm::from(&view.problem),
            FormErrors::default(),
            view.versions,
            StatusCode::OK,
        ))
    })
    .unwrap_or_else(|r| r)
}

fn save_problem_impl(state: &AppState, id: Option<i64>, form: ProblemForm) -> Response {
    let (today, now) = (state.today(), state.now());
    with_vault(state, |inner| {
        match method::save_problem(inner.vault()?, id, &form, today, now) {
            Ok(saved) => {
                tracing::info!(event = "problem_saved");
                // Words of self-harm or danger bring up the crisis card first
                // (each field read on its own, as typed).
                if rekindle_app::crisis::mentions([
                    form.description.as_str(),
                    &form.my_part,
                    &form.evidence,
                    &form.why1,
                    &form.why2,
                    &form.why3,
                    &form.why4,
                    &form.why5,
                ]) {
                    return Ok(Redirect::to("/h?crisis=1").into_response());
                }
                // A problem marked as abuse turns the safety lock on: explain it.
                if Category::parse(&form.category) == Some(Category::SafetyAbuse) {
                    return Ok(Redirect::to("/h/safe").into_response());
                }
                Ok(Redirect::to(&format!("/p/{saved}/plan?saved=1")).into_response())
            }
            Err(MethodError::Form(errors)) => Ok(problem_page(
                inner,
                id,
                form,
                errors,
                0,
                StatusCode::UNPROCESSABLE_ENTITY,
            )),
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}

pub async fn create_problem(state: AppState, CsrfForm(form): CsrfForm<ProblemForm>) -> Response {
    save_problem_impl(&state, None, form)
}

pub async fn update_problem(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ProblemForm>,
) -> Response {
    match id_of(&id) {
        Ok(id) => save_problem_impl(&state, Some(id), form),
        Err(r) => r,
    }
}

// ----- plans -----

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    /// After saving the problem: what happened and what is next.
    notice: Option<&'static str>,
    title: String,
    form: PlanForm,
    errors: FormErrors,
    needs_action: bool,
    needs_condition: bool,
    kinds: Vec<(&'static str, &'static str)>,
}

fn plan_page(
    inner: &Inner,
    view: &ProblemView,
    form: PlanForm,
    errors: FormErrors,
    status: StatusCode,
    notice: Option<&'static str>,
) -> Response {
    render(
        status,
        &PlanPage {
            chrome: Chrome::for_page(inner, "The plan", "p"),
            notice,
            title: view.problem.title.clone(),
            form,
            errors,
            needs_action: view.problem.whose != Whose::Theirs,
            needs_condition: matches!(view.problem.whose, Whose::Theirs | Whose::Both),
            kinds: options(
                CommitmentKind::ALL,
                CommitmentKind::key,
                CommitmentKind::label,
            ),
        },
    )
}

pub async fn show_plan(
    state: AppState,
    Path(id): Path<String>,
    Query(f): Query<Flags>,
) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    with_vault(&state, |inner| {
        let view = method::problem(inner.vault()?, id).map_err(method_error)?;
        let mut form = view
            .plan
            .as_ref()
            .map(PlanForm::from_plan)
            .unwrap_or_default();
        // A reading takeaway, brought here in one click, fills the first free "then".
        if let (Some(book), Some(t)) = (f.book, f.t) {
            let text =
                rekindle_app::support::takeaway(inner.vault()?, book, t).map_err(method_error)?;
            if form.then1.is_empty() {
                form.then1 = text;
            } else if form.then2.is_empty() {
                form.then2 = text;
            } else {
                form.then3 = text;
            }
        }
        Ok(plan_page(
            inner,
            &view,
            form,
            FormErrors::default(),
            StatusCode::OK,
            f.saved.is_some().then_some(
                "Problem saved. Next: what will you do differently? One sentence, an if-then plan and a commitment you can check each day or week.",
            ),
        ))
    })
    .unwrap_or_else(|r| r)
}

pub async fn save_plan(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let (today, now) = (state.today(), state.now());
    with_vault(&state, |inner| {
        match method::save_plan(inner.vault()?, id, &form, today, now) {
            Ok(_) => {
                tracing::info!(event = "plan_saved");
                Ok(Redirect::to(&format!("/p?saved={id}")).into_response())
            }
            Err(MethodError::Form(errors)) => {
                let view = method::problem(inner.vault()?, id).map_err(method_error)?;
                Ok(plan_page(
                    inner,
                    &view,
                    form,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                ))
            }
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}

// ----- track record -----

pub struct CommitmentCard {
    pub plan_id: i64,
    pub problem_id: i64,
    pub commitment: rekindle_core::method::plan::Commitment,
    pub problem_title: String,
    pub summary: rekindle_core::method::record::RecordSummary,
    pub unit: &'static str,
    pub windows: Vec<(u16, String)>,
    pub heatmap: String,
    pub today_words: String,
    pub is_limit: bool,
    pub limit: u32,
    pub paused: bool,
    pub paused_since: String,
}

fn card(c: CommitmentView, today: Date) -> CommitmentCard {
    let weekly = c.summary.weekly;
    let open_pause = c
        .commitment
        .pauses
        .iter()
        .find(|p| p.until.is_none())
        .map(|p| p.from);
    let current = c.summary.periods.last().map(|p| p.status);
    let today_words = match current {
        Some(PeriodStatus::Kept) => "kept ✓".to_string(),
        Some(PeriodStatus::Lapsed) => {
            "a lapse is recorded — see the details to note what led to it".to_string()
        }
        Some(PeriodStatus::NotApplicable) => "did not apply".to_string(),
        Some(PeriodStatus::Paused) => "paused".to_string(),
        _ if c.commitment.start > today => format!("starts on {}", c.commitment.start),
        _ => "not checked in yet".to_string(),
    };
    CommitmentCard {
        plan_id: c.plan_id,
        problem_id: c.problem_id,
        heatmap: charts::heatmap(&c.summary.periods, today, 13, weekly),
        windows: c
            .summary
            .windows
            .iter()
            .map(|w| {
                let words = match w.rate {
                    Some(r) => format!(
                        "{:.0}% ({} of {})",
                        r * 100.0,
                        w.kept,
                        w.kept + w.lapsed + w.missed
                    ),
                    None => "—".to_string(),
                };
                (w.days, words)
            })
            .collect(),
        unit: if weekly { "weeks" } else { "days" },
        is_limit: c.commitment.kind == CommitmentKind::DailyLimit,
        limit: c.commitment.limit.unwrap_or(0),
        paused: open_pause.is_some(),
        paused_since: open_pause.map(|d| d.to_string()).unwrap_or_default(),
        today_words,
        commitment: c.commitment,
        problem_title: c.problem_title,
        summary: c.summary,
    }
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    chrome: Chrome,
    commitments: Vec<CommitmentCard>,
    notice: Option<String>,
    /// Check-ins of withdrawn commitments: still in the record, not counted.
    withdrawn_checkins: usize,
}

pub async fn record(state: AppState, Query(f): Query<Flags>) -> Response {
    let today = state.today();
    with_vault(&state, |inner| {
        let views = method::commitments(inner.vault()?, today).map_err(method_error)?;
        let notice = f
            .done
            .as_deref()
            .and_then(|d| d.parse::<i64>().ok())
            .and_then(|id| {
                views.iter().find(|v| v.plan_id == id).map(|v| {
                    let unit = if v.summary.weekly { "week" } else { "day" };
                    match (f.outcome.as_deref(), v.summary.current_streak) {
                        (Some("lapsed"), _) => "Lapse recorded. Lapses are part of an honest record; what led to it is the most useful thing to look at next (Guard).".to_string(),
                        (Some("na"), _) => "Recorded: it did not apply that day. It neither counts for nor against you.".to_string(),
                        (_, 0) => "Recorded.".to_string(),
                        (_, 1) => format!("Kept, and recorded. 1 {unit} kept so far."),
                        (_, n) => format!("Kept, and recorded. {n} {unit}s in a row."),
                    }
                })
            });
        let withdrawn_checkins =
            rekindle_app::retract::withdrawn_records(inner.vault()?, &jiff::tz::TimeZone::system())
                .map_err(method_error)?
                .iter()
                .map(|r| r.checkins.len())
                .sum();
        Ok(render(
            StatusCode::OK,
            &RecordPage {
                chrome: Chrome::for_page(inner, "Track record", "t"),
                commitments: views.into_iter().map(|v| card(v, today)).collect(),
                notice,
                withdrawn_checkins,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckInPage {
    chrome: Chrome,
    plan_id: i64,
    title: String,
    problem_title: String,
    lapse_means: String,
    ask_what_led: bool,
    form: CheckInForm,
    errors: FormErrors,
    is_limit: bool,
    limit: u32,
    unit: String,
    outcomes: Vec<(&'static str, &'static str)>,
    trend: String,
    trend_rows: Vec<(Date, String)>,
    lapses: Vec<CheckIn>,
    history: Vec<(String, Date, String, bool)>,
    paused: bool,
}

fn checkin_page(
    inner: &mut Inner,
    plan_id: i64,
    today: Date,
    form: CheckInForm,
    errors: FormErrors,
    ask: bool,
    status: StatusCode,
) -> Result<Response, Response> {
    let views = method::commitments(inner.vault()?, today).map_err(method_error)?;
    let Some(v) = views.into_iter().find(|v| v.plan_id == plan_id) else {
        return Err(not_found_page());
    };
    let (trend, data) = charts::weekly_trend(&v.summary.periods, today, 13);
    let tz = jiff::tz::TimeZone::system();
    let page = CheckInPage {
        chrome: Chrome::for_page(inner, "Check-in", "t"),
        plan_id,
        title: v.commitment.title.clone(),
        problem_title: v.problem_title.clone(),
        lapse_means: v.commitment.lapse_means.clone(),
        ask_what_led: ask,
        form,
        errors,
        is_limit: v.commitment.kind == CommitmentKind::DailyLimit,
        limit: v.commitment.limit.unwrap_or(0),
        unit: v.commitment.unit.clone(),
        outcomes: options(Outcome::ALL, Outcome::key, Outcome::label),
        trend,
        trend_rows: data
            .into_iter()
            .map(|(d, p)| {
                (
                    d,
                    p.map(|p| format!("{p}%"))
                        .unwrap_or_else(|| "nothing due".into()),
                )
            })
            .collect(),
        lapses: v
            .checkins
            .values()
            .filter(|c| c.outcome == Outcome::Lapsed)
            .rev()
            .cloned()
            .collect(),
        history: v
            .history
            .iter()
            .rev()
            .map(|(t, c)| {
                let answer = match c.count {
                    Some(n) => format!("{} ({n} {})", c.outcome.label(), v.commitment.unit),
                    None => c.outcome.label().to_string(),
                };
                (
                    t.to_zoned_datetime(tz.clone())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string(),
                    c.day,
                    answer,
                    c.is_late(),
                )
            })
            .collect(),
        paused: v.commitment.pauses.iter().any(|p| p.until.is_none()),
    };
    Ok(render(status, &page))
}

pub async fn show_checkin(
    state: AppState,
    Path(id): Path<String>,
    Query(f): Query<Flags>,
) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let today = state.today();
    with_vault(&state, |inner| {
        let day = f.day.clone().unwrap_or_else(|| today.to_string());
        // Pre-fill with that day's answer when there is one.
        let existing = method::commitments(inner.vault()?, today)
            .map_err(method_error)?
            .into_iter()
            .find(|v| v.plan_id == id)
            .and_then(|v| {
                day.parse::<Date>()
                    .ok()
                    .and_then(|d| v.checkins.get(&d).cloned())
            });
        let form = match existing {
            Some(c) => CheckInForm {
                day: c.day.to_string(),
                outcome: c.outcome.key().into(),
                count: c.count.map(|n| n.to_string()).unwrap_or_default(),
                note: c.note,
                trigger: c.trigger,
                instead: c.instead,
            },
            None => CheckInForm {
                day,
                ..Default::default()
            },
        };
        checkin_page(
            inner,
            id,
            today,
            form,
            FormErrors::default(),
            f.ask.is_some(),
            StatusCode::OK,
        )
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInPost {
    #[serde(default)]
    day: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    trigger: String,
    #[serde(default)]
    instead: String,
    #[serde(default)]
    detail: Option<String>,
}

pub async fn save_checkin(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(post): CsrfForm<CheckInPost>,
) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let (today, now) = (state.today(), state.now());
    let from_detail = post.detail.is_some();
    let form = CheckInForm {
        day: post.day,
        outcome: post.outcome,
        count: post.count,
        note: post.note,
        trigger: post.trigger,
        instead: post.instead,
    };
    with_vault(&state, |inner| {
        match method::check_in(inner.vault()?, id, &form, today, now) {
            Ok(c) => {
                tracing::info!(event = "checked_in");
                // Words of self-harm or danger bring up the crisis card first.
                if rekindle_app::crisis::mentions([
                    c.note.as_str(),
                    c.trigger.as_str(),
                    c.instead.as_str(),
                ]) {
                    return Ok(Redirect::to("/h?crisis=1").into_response());
                }
                // A fresh lapse asks what led to it (relapse prevention, not shame).
                if c.outcome == Outcome::Lapsed && !from_detail {
                    return Ok(
                        Redirect::to(&format!("/t/{id}?ask=1&day={}", c.day)).into_response()
                    );
                }
                let outcome = match c.outcome {
                    Outcome::Lapsed => "lapsed",
                    Outcome::NotApplicable => "na",
                    _ => "kept",
                };
                Ok(Redirect::to(&format!("/t?done={id}&outcome={outcome}")).into_response())
            }
            Err(MethodError::Form(errors)) => checkin_page(
                inner,
                id,
                today,
                form,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseForm {
    paused: String,
}

pub async fn pause(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PauseForm>,
) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let (today, now) = (state.today(), state.now());
    with_vault(&state, |inner| {
        method::set_paused(inner.vault()?, id, f.paused == "yes", today, now)
            .map_err(method_error)?;
        Ok(Redirect::to(&format!("/t/{id}")).into_response())
    })
    .unwrap_or_else(|r| r)
}
