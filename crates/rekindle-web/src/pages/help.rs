//! Help lines, the safety screen, the ex's "no", safety planning, limits.

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_app::method::MethodError;
use rekindle_app::safety;
use rekindle_core::FormErrors;
use rekindle_core::helplines::{HelpLine, HelpLines};
use rekindle_core::safety::{ExNo, ExNoKind, SCREEN};

use serde::Deserialize;

use super::{Chrome, method_error, render, with_vault};
use crate::security::{CsrfForm, RawForm};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage<'a> {
    chrome: Chrome,
    crisis: bool,
    country: Option<String>,
    emergency: Option<String>,
    danger: Vec<&'a HelpLine>,
    crisis_lines: Vec<&'a HelpLine>,
    violence: Vec<&'a HelpLine>,
    accountability: Vec<&'a HelpLine>,
    /// The whole list: country names.
    book: &'a HelpLines,
    /// When the list was made, in words ("27 November 2026").
    dated: String,
}

#[derive(Deserialize)]
pub struct HelpQuery {
    crisis: Option<String>,
}

/// Public: help must be one click away even when locked or signed out.
/// The chosen country is used only for a signed-in, unlocked session.
pub async fn help(state: AppState, headers: HeaderMap, Query(q): Query<HelpQuery>) -> Response {
    let signed_in = crate::security::has_session(&state, &headers);
    let (chrome, country) = {
        let inner = state.lock();
        let country = if signed_in {
            inner
                .vault
                .as_ref()
                .and_then(|v| v.settings().ok())
                .and_then(|s| s.country)
        } else {
            None
        };
        let chrome = if signed_in {
            Chrome::for_page(&inner, "Help", "h")
        } else {
            Chrome::public(&state, "Help")
        };
        (chrome, country)
    };
    let lines = HelpLines::built_in();
    let c = country.as_deref();
    let danger = lines.select(c, "danger");
    let page = HelpPage {
        chrome,
        crisis: q.crisis.is_some(),
        emergency: c.and_then(|_| danger.first().and_then(|l| l.phone.clone())),
        danger,
        crisis_lines: lines.select(c, "crisis"),
        violence: lines.select(c, "violence"),
        accountability: lines.select(c, "accountability"),
        dated: jiff::civil::Date::strptime("%Y-%m-%d", &lines.dated)
            .map(|d| d.strftime("%-d %B %Y").to_string())
            .unwrap_or_default(),
        book: &lines,
        country,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "screen.html")]
struct ScreenPage {
    chrome: Chrome,
    errors: FormErrors,
    toward_me: Vec<(&'static str, &'static str)>,
    from_me: Vec<(&'static str, &'static str)>,
}

fn screen_page(state: &AppState, errors: FormErrors, status: StatusCode) -> Response {
    let inner = state.lock();
    render(
        status,
        &ScreenPage {
            chrome: Chrome::for_page(&inner, "Safety questions", "h"),
            errors,
            toward_me: SCREEN
                .iter()
                .filter(|i| i.toward_me)
                .map(|i| (i.key, i.text))
                .collect(),
            from_me: SCREEN
                .iter()
                .filter(|i| !i.toward_me)
                .map(|i| (i.key, i.text))
                .collect(),
        },
    )
}

pub async fn show_screen(state: AppState) -> Response {
    screen_page(&state, FormErrors::default(), StatusCode::OK)
}

pub async fn save_screen(state: AppState, RawForm(fields): RawForm) -> Response {
    let (today, now) = (state.today(), state.now());
    let tz = jiff::tz::TimeZone::system();
    let result = with_vault(&state, |inner| {
        Ok(safety::take_screen(
            inner.vault()?,
            &fields,
            &tz,
            today,
            now,
        ))
    });
    match result {
        Ok(Ok(r)) if r.risk_to_me() => Redirect::to("/h/safe").into_response(),
        Ok(Ok(r)) if r.risk_from_me() => Redirect::to("/h/safe").into_response(),
        Ok(Ok(_)) => Redirect::to("/?screened=1").into_response(),
        Ok(Err(MethodError::Form(errors))) => {
            screen_page(&state, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Ok(Err(e)) => method_error(e),
        Err(r) => r,
    }
}

#[derive(Template)]
#[template(path = "locked.html")]
struct LockedPage {
    chrome: Chrome,
    explanation: String,
    from_me: bool,
    /// What was answered, in the person's words.
    reasons: Vec<String>,
    /// A sign of danger in the chat waiting for the user's answer.
    pending: Option<String>,
    /// That sign's message, found again in the chat.
    pending_message: Option<String>,
    locked: bool,
    errors: FormErrors,
}

/// Where a screen with signs of risk leads: the explanation, then help.
pub async fn safe(state: AppState) -> Response {
    with_vault(&state, |inner| {
        safe_page(inner, FormErrors::default(), StatusCode::OK)
    })
    .unwrap_or_else(|r| r)
}

fn safe_page(
    inner: &mut crate::state::Inner,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Response> {
    let tz = jiff::tz::TimeZone::system();
    {
        let facts = safety::facts(inner.vault()?, &tz).map_err(method_error)?;
        let lock = rekindle_core::safety::safety_lock(&facts);
        let from_me = matches!(
            lock,
            Some(rekindle_core::safety::Refusal::SafetyLock {
                from_me: true,
                toward_me: false
            })
        );
        let explanation = match &lock {
            Some(r) => r.explain(),
            None => "The safety lock is off. If that changes, take the questions again.".into(),
        };
        let reasons = if lock.is_some() {
            safety::lock_reasons(inner.vault()?).map_err(method_error)?
        } else {
            Vec::new()
        };
        let pending =
            rekindle_core::safety::danger_refusal(&facts.chat_danger).map(|r| r.explain());
        let pending_message = if pending.is_some() {
            rekindle_app::danger::pending_message(inner.vault()?).map_err(method_error)?
        } else {
            None
        };
        Ok(render(
            status,
            &LockedPage {
                chrome: Chrome::for_page(inner, "Safety", "h"),
                explanation,
                from_me,
                reasons,
                pending,
                pending_message,
                errors,
                locked: lock.is_some(),
            },
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DangerForm {
    #[serde(default)]
    answer: String,
}

/// The user answers a sign of danger found in the chat: "that is how it
/// was" (the safety lock goes on) or "it was not meant".
pub async fn answer_danger(state: AppState, CsrfForm(form): CsrfForm<DangerForm>) -> Response {
    let (today, now) = (state.today(), state.now());
    with_vault(&state, |inner| {
        let happened = match form.answer.as_str() {
            "happened" => true,
            "not_meant" => false,
            _ => {
                let mut e = FormErrors::default();
                e.add("answer", "Please choose one of the two answers.");
                return safe_page(inner, e, StatusCode::UNPROCESSABLE_ENTITY);
            }
        };
        let tz = jiff::tz::TimeZone::system();
        match safety::answer_danger(inner.vault()?, happened, &tz, today, now) {
            Ok(_) | Err(MethodError::NotFound) => Ok(Redirect::to("/h/safe").into_response()),
            Err(MethodError::Form(errors)) => {
                safe_page(inner, errors, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}

#[derive(Template)]
#[template(path = "exno.html")]
struct ExNoPage {
    chrome: Chrome,
    /// A boundary from the chat waiting for the user's answer: the sentence,
    /// and whether it can be recorded as their no (space cannot).
    pending: Option<(String, bool)>,
    recorded: Option<ExNo>,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
}

fn exno_page(
    inner: &mut crate::state::Inner,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Response> {
    let tz = jiff::tz::TimeZone::system();
    let facts = safety::facts(inner.vault()?, &tz).map_err(method_error)?;
    let pending = rekindle_core::safety::pending_boundary(&facts.chat_boundaries).map(|b| {
        (
            rekindle_core::safety::Refusal::BoundaryInChat {
                on: b.on,
                kind: b.kind,
            }
            .explain(),
            b.kind.as_ex_no().is_some(),
        )
    });
    let recorded = facts.ex_no;
    Ok(render(
        status,
        &ExNoPage {
            chrome: Chrome::for_page(inner, "Their answer", "h"),
            pending,
            recorded,
            errors,
            kinds: ExNoKind::ALL.iter().map(|k| (k.key(), k.label())).collect(),
        },
    ))
}

pub async fn show_ex_no(state: AppState) -> Response {
    with_vault(&state, |inner| {
        exno_page(inner, FormErrors::default(), StatusCode::OK)
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExNoForm {
    #[serde(default)]
    kind: String,
}

pub async fn save_ex_no(state: AppState, CsrfForm(form): CsrfForm<ExNoForm>) -> Response {
    let (today, now) = (state.today(), state.now());
    with_vault(&state, |inner| {
        let tz = jiff::tz::TimeZone::system();
        if safety::facts(inner.vault()?, &tz)
            .map_err(method_error)?
            .ex_no
            .is_some()
        {
            return Ok(Redirect::to("/h/no").into_response());
        }
        match safety::record_ex_no(inner.vault()?, &form.kind, today, now) {
            Ok(_) => Ok(Redirect::to("/h/no").into_response()),
            Err(MethodError::Form(errors)) => {
                exno_page(inner, errors, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryForm {
    #[serde(default)]
    answer: String,
}

/// The user answers a boundary found in the chat: record it as their no, or
/// say it is not what it means now.
pub async fn answer_boundary(state: AppState, CsrfForm(form): CsrfForm<BoundaryForm>) -> Response {
    let (today, now) = (state.today(), state.now());
    with_vault(&state, |inner| {
        let record = match form.answer.as_str() {
            "record" => true,
            "not_a_no" => false,
            _ => {
                let mut e = FormErrors::default();
                e.add("answer", "Please choose one of the two answers.");
                return exno_page(inner, e, StatusCode::UNPROCESSABLE_ENTITY);
            }
        };
        match rekindle_app::boundaries::answer_pending(inner.vault()?, record, today, now) {
            Ok(_) | Err(MethodError::NotFound) => Ok(Redirect::to("/h/no").into_response()),
            Err(MethodError::Form(errors)) => {
                exno_page(inner, errors, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}

#[derive(Template)]
#[template(path = "safety_plan.html")]
struct SafetyPlanPage {
    chrome: Chrome,
}

#[derive(Template)]
#[template(path = "limits.html")]
struct LimitsPage {
    chrome: Chrome,
}

pub async fn safety_plan(state: AppState, headers: HeaderMap) -> Response {
    let chrome = public_chrome(&state, &headers, "Safety plan");
    render(StatusCode::OK, &SafetyPlanPage { chrome })
}

pub async fn limits(state: AppState, headers: HeaderMap) -> Response {
    let chrome = public_chrome(&state, &headers, "Privacy limits");
    render(StatusCode::OK, &LimitsPage { chrome })
}

fn public_chrome(state: &AppState, headers: &HeaderMap, title: &str) -> Chrome {
    if crate::security::has_session(state, headers) {
        Chrome::for_page(&state.lock(), title, "h")
    } else {
        Chrome::public(state, title)
    }
}
