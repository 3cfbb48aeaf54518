//! Seriousness (step 3) and the relapse guard (step 5).

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use rekindle_app::method::{self, MethodError};
use rekindle_core::FormErrors;
use rekindle_core::method::guard::{
    AUDIT_C, AuditC, AuditCForm, LapsePattern, Sex, Trigger, TriggerForm, TriggerKind, audit_due,
};
use rekindle_core::method::readiness::{
    ExAnswer, Readiness, ReadinessForm, SELF_CHECK, SelfCheck, SelfCheckForm, Stage, WORDS_TO_ASK,
    readiness_due,
};
use serde::Deserialize;

use super::{Chrome, method_error, not_found_page, render, with_vault};
use crate::charts;
use crate::security::CsrfForm;
use crate::state::{AppState, Inner};

#[derive(Deserialize)]
pub struct Notice {
    saved: Option<String>,
}

pub struct ReadinessCard {
    pub plan_id: i64,
    pub title: String,
    pub last: Option<Readiness>,
    pub due: bool,
    pub next: String,
}

#[derive(Template)]
#[template(path = "seriousness.html")]
struct SeriousnessPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    items: Vec<ReadinessCard>,
    stages: Vec<(&'static str, &'static str)>,
    self_questions: Vec<(&'static str, &'static str)>,
    scale: Vec<u8>,
    self_checks: Vec<SelfCheck>,
    words: Vec<&'static str>,
    ex_answers: Vec<ExAnswer>,
    /// Why words to ask the ex are not offered, when they are not.
    refusal: Option<String>,
    /// What was posted with an error, so no answer is lost (form-prefixed keys).
    kept: Kept,
}

/// The kept answer of `field` in form `form`, or "".
fn kept_value<'a>(kept: &'a Kept, form: &str, field: &str) -> &'a str {
    kept.iter()
        .find(|(f, k, _)| f == form && k == field)
        .map_or("", |(_, _, v)| v.as_str())
}

/// The error of `field`, when the kept form is `form`.
fn kept_error<'a>(kept: &Kept, errors: &'a FormErrors, form: &str, field: &str) -> Option<&'a str> {
    if !kept.iter().any(|(f, _, _)| f == form) {
        return None;
    }
    errors.get(field)
}

impl SeriousnessPage {
    /// A self-check question's short name, for the table of earlier answers.
    fn short_label(&self, key: &str) -> &'static str {
        rekindle_core::method::readiness::self_check_label(key)
    }

    /// The kept answer of `field` in form `form` ("self", "ex", "r12"), or "".
    fn kept(&self, form: &str, field: &str) -> &str {
        kept_value(&self.kept, form, field)
    }

    /// The readiness form's kept answer for plan `id`, or `default`.
    fn kept_readiness<'a>(&'a self, id: &i64, field: &str, default: &'a str) -> &'a str {
        match self.kept(&format!("r{id}"), field) {
            "" => default,
            v => v,
        }
    }

    /// The error of `field`, when the kept form is `form`.
    fn error_of(&self, form: &str, field: &str) -> Option<&str> {
        kept_error(&self.kept, &self.errors, form, field)
    }
}

/// A posted form's fields kept after an error: (form, field, value).
type Kept = Vec<(String, String, String)>;

/// The fields of a posted form, for [`Kept`].
fn kept_of<T: serde::Serialize>(form: &str, posted: &T) -> Kept {
    match serde_json::to_value(posted) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (form.to_string(), k, v.to_string())))
            .collect(),
        _ => Vec::new(),
    }
}

fn seriousness_page(
    inner: &mut Inner,
    today: Date,
    notice: Option<String>,
    errors: FormErrors,
    status: StatusCode,
    kept: Kept,
) -> Result<Response, Response> {
    let vault = inner.vault()?;
    let answers = method::readiness(vault).map_err(method_error)?;
    let items = method::commitments(vault, today)
        .map_err(method_error)?
        .into_iter()
        .map(|c| {
            let last = answers
                .iter()
                .rev()
                .find(|r| r.plan_id == c.plan_id)
                .cloned();
            let last_on = last.as_ref().map(|r| r.on);
            ReadinessCard {
                plan_id: c.plan_id,
                title: c.commitment.title,
                due: readiness_due(last_on, today),
                next: last_on
                    .and_then(|d| d.checked_add(jiff::Span::new().days(7)).ok())
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                last,
            }
        })
        .collect();
    let self_checks = method::self_checks(vault).map_err(method_error)?;
    let ex_answers = method::ex_answers(vault).map_err(method_error)?;
    let facts = rekindle_app::safety::facts(vault, &TimeZone::system()).map_err(method_error)?;
    let refusal = rekindle_core::safety::reconciliation_allowed(&facts)
        .err()
        .map(|r| r.explain());
    Ok(render(
        status,
        &SeriousnessPage {
            chrome: Chrome::for_page(inner, "Check seriousness", "s"),
            notice,
            errors,
            items,
            stages: Stage::ALL.iter().map(|s| (s.key(), s.label())).collect(),
            self_questions: SELF_CHECK.to_vec(),
            scale: (0..=8).collect(),
            self_checks,
            words: WORDS_TO_ASK.to_vec(),
            ex_answers,
            refusal,
            kept,
        },
    ))
}

pub async fn seriousness(state: AppState, Query(n): Query<Notice>) -> Response {
    let today = state.today();
    with_vault(&state, |inner| {
        seriousness_page(
            inner,
            today,
            n.saved.map(|_| "Saved.".to_string()),
            FormErrors::default(),
            StatusCode::OK,
            Vec::new(),
        )
    })
    .unwrap_or_else(|r| r)
}

/// Renders one of this module's pages again with the form's errors.
type PageFn = fn(
    &mut Inner,
    Date,
    Option<String>,
    FormErrors,
    StatusCode,
    Kept,
) -> Result<Response, Response>;

fn finish(
    state: &AppState,
    result: Result<(), MethodError>,
    back: &str,
    page: PageFn,
    kept: Kept,
) -> Response {
    let today = state.today();
    match result {
        Ok(()) => Redirect::to(&format!("{back}?saved=1")).into_response(),
        Err(MethodError::Form(errors)) => with_vault(state, |inner| {
            page(
                inner,
                today,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                kept,
            )
        })
        .unwrap_or_else(|r| r),
        Err(e) => method_error(e),
    }
}

pub async fn save_readiness(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReadinessForm>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found_page();
    };
    let (today, now) = (state.today(), state.now());
    let result = with_vault(&state, |inner| {
        Ok(method::save_readiness(inner.vault()?, id, &form, today, now).map(|_| ()))
    });
    match result {
        Ok(r) => finish(
            &state,
            r,
            "/s",
            seriousness_page,
            kept_of(&format!("r{id}"), &form),
        ),
        Err(r) => r,
    }
}

pub async fn save_self_check(state: AppState, CsrfForm(form): CsrfForm<SelfCheckForm>) -> Response {
    let (today, now) = (state.today(), state.now());
    let result = with_vault(&state, |inner| {
        Ok(method::save_self_check(inner.vault()?, &form, today, now).map(|_| ()))
    });
    match result {
        Ok(r) => finish(&state, r, "/s", seriousness_page, kept_of("self", &form)),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExForm {
    #[serde(default)]
    said: String,
    #[serde(default)]
    on: String,
}

pub async fn save_ex_answer(state: AppState, CsrfForm(form): CsrfForm<ExForm>) -> Response {
    let (today, now) = (state.today(), state.now());
    let result = with_vault(&state, |inner| {
        Ok(method::save_ex_answer(inner.vault()?, &form.said, &form.on, today, now).map(|_| ()))
    });
    let kept = vec![
        ("ex".to_string(), "said".to_string(), form.said.clone()),
        ("ex".to_string(), "on".to_string(), form.on.clone()),
    ];
    match result {
        Ok(r) => finish(&state, r, "/s", seriousness_page, kept),
        Err(r) => r,
    }
}

// ----- guard -----

pub struct GuardCard {
    pub plan_id: i64,
    pub title: String,
    pub triggers: Vec<(i64, Trigger)>,
}

#[derive(Template)]
#[template(path = "guard.html")]
struct GuardPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    commitments: Vec<GuardCard>,
    kinds: Vec<(&'static str, &'static str)>,
    pattern: LapsePattern,
    weekday_chart: String,
    weekdays: Vec<(&'static str, u32)>,
    risky_hours: String,
    last_audit: Option<AuditC>,
    audit_due: bool,
    audit_next: String,
    audit_questions: Vec<(String, &'static str, Vec<&'static str>)>,
    sexes: Vec<(&'static str, &'static str)>,
    alcohol_free: Option<u32>,
    /// What was posted with an error, so no answer is lost ("t12", "audit").
    kept: Kept,
}

impl GuardPage {
    /// The kept answer of `field` in form `form` ("t12" for plan 12's trigger form, "audit"), or "".
    fn kept(&self, form: &str, field: &str) -> &str {
        kept_value(&self.kept, form, field)
    }

    /// The trigger form of plan `id`: its kept answer of `field`.
    fn kept_trigger(&self, id: &i64, field: &str) -> &str {
        self.kept(&format!("t{id}"), field)
    }

    /// The error of a trigger form's field, when that form was posted.
    fn trigger_error(&self, id: &i64, field: &str) -> Option<&str> {
        kept_error(&self.kept, &self.errors, &format!("t{id}"), field)
    }

    /// Whether plan `id`'s trigger form came back with an error (it stays open).
    fn trigger_open(&self, id: &i64) -> bool {
        let form = format!("t{id}");
        self.kept.iter().any(|(f, _, _)| *f == form)
    }

    /// The error of an AUDIT-C field, when that form was posted.
    fn audit_error(&self, field: &str) -> Option<&str> {
        kept_error(&self.kept, &self.errors, "audit", field)
    }
}

fn guard_page(
    inner: &mut Inner,
    today: Date,
    notice: Option<String>,
    errors: FormErrors,
    status: StatusCode,
    kept: Kept,
) -> Result<Response, Response> {
    let vault = inner.vault()?;
    let triggers = method::triggers(vault).map_err(method_error)?;
    let commitments = method::commitments(vault, today)
        .map_err(method_error)?
        .into_iter()
        .map(|c| GuardCard {
            plan_id: c.plan_id,
            title: c.commitment.title,
            triggers: triggers
                .iter()
                .filter(|(_, t)| t.plan_id == c.plan_id)
                .cloned()
                .collect(),
        })
        .collect();
    let pattern = method::pattern(vault, &TimeZone::system(), today).map_err(method_error)?;
    let audits = method::audits(vault).map_err(method_error)?;
    let last_audit = audits.last().cloned();
    let alcohol_free = method::alcohol_free_days(vault, today, 30).map_err(method_error)?;
    let mut hours: Vec<(usize, u32)> = pattern
        .hours
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, n)| *n > 0)
        .collect();
    hours.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let risky_hours = hours
        .iter()
        .take(3)
        .map(|(h, n)| format!("{h:02}:00–{:02}:00 ({n})", (h + 1) % 24))
        .collect::<Vec<_>>()
        .join(", ");
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    Ok(render(
        status,
        &GuardPage {
            chrome: Chrome::for_page(inner, "Guard against repeats", "g"),
            notice,
            errors,
            commitments,
            kinds: TriggerKind::ALL
                .iter()
                .map(|k| (k.key(), k.label()))
                .collect(),
            weekday_chart: charts::weekday_bars(pattern.weekdays),
            weekdays: names.iter().copied().zip(pattern.weekdays).collect(),
            risky_hours,
            audit_due: audit_due(last_audit.as_ref().map(|a| a.on), today),
            audit_next: last_audit
                .as_ref()
                .and_then(|a| a.on.checked_add(jiff::Span::new().months(1)).ok())
                .map(|d| d.to_string())
                .unwrap_or_default(),
            last_audit,
            audit_questions: AUDIT_C
                .iter()
                .enumerate()
                .map(|(i, (q, answers))| (format!("q{}", i + 1), *q, answers.to_vec()))
                .collect(),
            sexes: Sex::ALL.iter().map(|s| (s.key(), s.label())).collect(),
            alcohol_free,
            pattern,
            kept,
        },
    ))
}

pub async fn guard(state: AppState, Query(n): Query<Notice>) -> Response {
    let today = state.today();
    with_vault(&state, |inner| {
        guard_page(
            inner,
            today,
            super::retract::saved_message(n.saved.as_deref()),
            FormErrors::default(),
            StatusCode::OK,
            Vec::new(),
        )
    })
    .unwrap_or_else(|r| r)
}

pub async fn save_trigger(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TriggerForm>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found_page();
    };
    let now = state.now();
    let result = with_vault(&state, |inner| {
        Ok(method::save_trigger(inner.vault()?, id, &form, now).map(|_| ()))
    });
    match result {
        Ok(r) => finish(
            &state,
            r,
            "/g",
            guard_page,
            kept_of(&format!("t{id}"), &form),
        ),
        Err(r) => r,
    }
}

pub async fn save_audit(state: AppState, CsrfForm(form): CsrfForm<AuditCForm>) -> Response {
    let (today, now) = (state.today(), state.now());
    let result = with_vault(&state, |inner| {
        Ok(method::save_audit(inner.vault()?, &form, today, now).map(|_| ()))
    });
    match result {
        Ok(r) => finish(&state, r, "/g", guard_page, kept_of("audit", &form)),
        Err(r) => r,
    }
}

/// The reminders calendar, for the phone's calendar app.
pub async fn reminders(state: AppState) -> Response {
    let ics = rekindle_core::method::reminders::reminders_ics(
        Time::constant(21, 0, 0, 0),
        state.today(),
        state.now(),
    );
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"reminders.ics\"",
            ),
        ],
        ics,
    )
        .into_response()
}
