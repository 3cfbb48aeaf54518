//! Step 8, the honest letter: gated, built from the record, checked.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use rekindle_app::letter::{self, Flag};
use rekindle_app::method::MethodError;
use serde::Deserialize;

use super::{Chrome, method_error, not_found_page, render, with_vault};
use crate::security::RawForm;
use crate::state::{AppState, Inner};

#[derive(Template)]
#[template(path = "letter.html")]
struct LetterPage {
    chrome: Chrome,
    refusal: Option<String>,
    text: String,
    checked: bool,
    flags: Vec<Flag>,
    saved: bool,
    awaiting_reply: bool,
    /// The saved draft, which can be withdrawn.
    draft_id: Option<i64>,
}

#[derive(Deserialize)]
pub struct Flags {
    saved: Option<String>,
}

fn page(
    state: &AppState,
    inner: &mut Inner,
    text: Option<String>,
    flags: Option<Vec<Flag>>,
    saved: bool,
    status: StatusCode,
) -> Result<Response, Response> {
    let today = state.today();
    let vault = inner.vault()?;
    let refusal = letter::gate(vault, &TimeZone::system(), today)
        .map_err(method_error)?
        .err()
        .map(|r| r.explain());
    let letters = letter::letters(vault).map_err(method_error)?;
    let awaiting_reply = letter::awaiting_reply(vault).map_err(method_error)?;
    let draft_id = letters
        .iter()
        .rev()
        .find(|(_, l)| l.sent_on.is_none())
        .map(|(id, _)| *id);
    let text = match text {
        Some(t) => t,
        None => match letters.iter().rev().find(|(_, l)| l.sent_on.is_none()) {
            Some((_, l)) => l.text.clone(),
            None => {
                rekindle_core::letter::draft(&letter::facts(vault, today).map_err(method_error)?)
            }
        },
    };
    Ok(render(
        status,
        &LetterPage {
            chrome: Chrome::for_page(inner, "Letter", "x"),
            refusal,
            text,
            checked: flags.is_some(),
            flags: flags.unwrap_or_default(),
            saved,
            awaiting_reply,
            draft_id,
        },
    ))
}

pub async fn show(state: AppState, Query(f): Query<Flags>) -> Response {
    with_vault(&state, |inner| {
        page(&state, inner, None, None, f.saved.is_some(), StatusCode::OK)
    })
    .unwrap_or_else(|r| r)
}

pub async fn act(state: AppState, RawForm(pairs): RawForm) -> Response {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (today, now) = (state.today(), state.now());
    let text = get("text");
    with_vault(&state, |inner| {
        let action = get("action");
        // The one gate, before anything that helps write to them: the
        // check, saving and "I have sent it" all wait for it.
        if matches!(action.as_str(), "check" | "save" | "sent")
            && letter::gate(inner.vault()?, &TimeZone::system(), today)
                .map_err(method_error)?
                .is_err()
        {
            return page(&state, inner, None, None, false, StatusCode::FORBIDDEN);
        }
        act_allowed(&state, inner, &action, text.clone(), today, now)
    })
    .unwrap_or_else(|r| r)
}

fn act_allowed(
    state: &AppState,
    inner: &mut Inner,
    action: &str,
    text: String,
    today: jiff::civil::Date,
    now: jiff::Timestamp,
) -> Result<Response, Response> {
    match action {
        "check" => {
            let flags = letter::check(&text);
            page(state, inner, Some(text), Some(flags), false, StatusCode::OK)
        }
        "save" => match letter::save(inner.vault()?, &text, today, now) {
            Ok(_) => Ok(Redirect::to("/x/letter?saved=1").into_response()),
            Err(MethodError::Refused(_)) => {
                page(state, inner, None, None, false, StatusCode::FORBIDDEN)
            }
            Err(e) => Err(method_error(e)),
        },
        "sent" => {
            let vault = inner.vault()?;
            match letter::save(vault, &text, today, now)
                .and_then(|_| letter::mark_sent(vault, today, now))
            {
                Ok(()) | Err(MethodError::Refused(_)) => {
                    Ok(Redirect::to("/x/letter").into_response())
                }
                Err(e) => Err(method_error(e)),
            }
        }
        "reply_yes" | "reply_no" => {
            letter::record_reply(inner.vault()?, action == "reply_yes", today, now)
                .map_err(method_error)?;
            Ok(Redirect::to("/x/letter").into_response())
        }
        _ => Err(not_found_page()),
    }
}
