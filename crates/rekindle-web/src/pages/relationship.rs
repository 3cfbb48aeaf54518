use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use rekindle_core::FormErrors;
use rekindle_core::relationship::{RelationshipForm, WhoEnded};

use serde::Deserialize;

use super::{Chrome, render, store_error, with_vault};
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
        let vault = inner.vault()?;
        let form = vault
            .relationship()
            .map_err(|e| store_error(&e))?
            .map(|r| RelationshipForm::from(&r))
            .unwrap_or_default();
        let versions = vault
            .relationship_history()
            .map_err(|e| store_error(&e))?
            .len();
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
    let result = with_vault(&state, |inner| match form.validate(today) {
        Ok(rel) => {
            inner
                .vault()?
                .save_relationship(&rel, now)
                .map_err(|e| store_error(&e))?;
            tracing::info!(event = "relationship_saved");
            if rekindle_core::safety::mentions_crisis(&format!(
                "{} {} {}",
                rel.how_it_ended, rel.reasons_given, rel.my_view
            )) {
                return Ok(Redirect::to("/h?crisis=1").into_response());
            }
            Ok(Redirect::to("/r?saved=1").into_response())
        }
        Err(errors) => {
            let versions = inner
                .vault()?
                .relationship_history()
                .map_err(|e| store_error(&e))?
                .len();
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
    });
    result.unwrap_or_else(|r| r)
}
