use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_core::FormErrors;
use rekindle_core::settings::SettingsForm;

use serde::Deserialize;

use super::{Chrome, render, store_error, with_vault};
use crate::security::CsrfForm;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    discreet: bool,
    large_text: bool,
    idle: String,
    errors: FormErrors,
    saved: bool,
    /// (code, name, chosen) for the help-lines country list.
    countries: Vec<(String, String, bool)>,
}

fn countries(chosen: Option<&str>) -> Vec<(String, String, bool)> {
    let lines = rekindle_core::helplines::HelpLines::built_in();
    let mut list: Vec<(String, String, bool)> = lines
        .countries()
        .into_iter()
        .map(|c| {
            let on = chosen == Some(c.as_str());
            let name = lines.country_name(&c).to_string();
            (c, name, on)
        })
        .collect();
    list.sort_by(|a, b| a.1.cmp(&b.1));
    list
}

#[derive(Deserialize)]
pub struct SavedFlag {
    saved: Option<String>,
}

pub async fn show(state: AppState, Query(flag): Query<SavedFlag>) -> Response {
    with_vault(&state, |inner| {
        let s = inner.vault()?.settings().map_err(|e| store_error(&e))?;
        Ok(render(
            StatusCode::OK,
            &SettingsPage {
                chrome: Chrome::for_page(inner, "Settings", "o"),
                discreet: s.discreet_mode,
                large_text: s.large_text,
                idle: s.idle_lock_minutes.to_string(),
                errors: FormErrors::default(),
                saved: flag.saved.is_some(),
                countries: countries(s.country.as_deref()),
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

pub async fn save(state: AppState, CsrfForm(form): CsrfForm<SettingsForm>) -> Response {
    with_vault(
        &state,
        |inner| match rekindle_app::relationship::save_settings(inner.vault()?, &form) {
            Ok(s) => {
                AppState::remember_settings(inner, &s);
                Ok(Redirect::to("/o?saved=1").into_response())
            }
            Err(rekindle_app::method::MethodError::Form(errors)) => Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SettingsPage {
                    chrome: Chrome::for_page(inner, "Settings", "o"),
                    discreet: form.discreet_mode.is_some(),
                    large_text: form.large_text.is_some(),
                    idle: form.idle_lock_minutes.clone(),
                    errors,
                    saved: false,
                    countries: countries(Some(form.country.as_str())),
                },
            )),
            Err(e) => Err(super::method_error(e)),
        },
    )
    .unwrap_or_else(|r| r)
}
