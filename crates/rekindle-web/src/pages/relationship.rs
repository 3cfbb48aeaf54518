use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use rekindle_app::method::MethodError;
use rekindle_core::FormErrors;
use rekindle_core::relationship::{RelationshipForm, WhoEnded};

use serde::Deserialize;

use super::{Chrome, method_error, render, with_vault};
use crate::security::CsrfForm;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "relationship.html")]
struct RelationshipPage {
    chrome: Chrome,
    form: RelationshipForm,
    errors: FormErrors,
    saved: bool,
    versions: usize,
    who_options: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Deserialize)]
pub struct SavedFlag {
    saved: Option<String>,
}

fn who_options(selected: &str) -> Vec<(&'static str, &'static str, bool)> {
    WhoEnded::ALL
        .iter()
        .map(|w| (w.as_str(), w.label(), w.as_str() == selected))
        .collect()
}

pub async fn show(state: AppState, Query(flag): Query<SavedFlag>) -> Response {
    let result = with_vault(&state, |inner| {
        let (form, versions) =
            rekindle_app::relationship::current(inner.vault()?).map_err(method_error)?;
        Ok(RelationshipPage {
            chrome: Chrome::for_page(inner, "The relationship", "r"),
            who_options: who_options(&form.who_ended),
            form,
            errors: FormErrors::default(),
            saved: flag.saved.is_some(),
            versions,
        })
    });
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(r) => r,
    }
}

pub async fn save(state: AppState, CsrfForm(form): CsrfForm<RelationshipForm>) -> Response {
    let now = state.now();
    let today = now.to_zoned_datetime(TimeZone::system()).date();
    let result = with_vault(&state, |inner| {
        match rekindle_app::relationship::save(inner.vault()?, &form, today, now) {
            Ok((_, true)) => Ok(Redirect::to("/h?crisis=1").into_response()),
            Ok((_, false)) => Ok(Redirect::to("/r?saved=1").into_response()),
            Err(MethodError::Form(errors)) => {
                let (_, versions) =
                    rekindle_app::relationship::current(inner.vault()?).map_err(method_error)?;
                let page = RelationshipPage {
                    chrome: Chrome::for_page(inner, "The relationship", "r"),
                    who_options: who_options(&form.who_ended),
                    form,
                    errors,
                    saved: false,
                    versions,
                };
                Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
            }
            Err(e) => Err(method_error(e)),
        }
    });
    result.unwrap_or_else(|r| r)
}
