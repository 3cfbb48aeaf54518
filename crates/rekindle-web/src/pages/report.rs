//! Step 8 (first part): the progress report, printable or sealed.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rekindle_app::method::MethodError;
use rekindle_app::report::{self, Report, Sections};
use rekindle_app::seal;
use rekindle_core::FormErrors;

use super::{Chrome, not_found_page, render, store_error, with_vault};
use crate::security::RawForm;
use crate::state::AppState;

fn method_error(e: MethodError) -> Response {
    match e {
        MethodError::Store(s) => store_error(&s),
        _ => not_found_page(),
    }
}

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    chrome: Chrome,
    errors: FormErrors,
}

pub async fn share(State(state): State<AppState>) -> Response {
    let inner = state.lock();
    render(
        StatusCode::OK,
        &SharePage {
            chrome: Chrome::for_page(&inner, "Share", "x"),
            errors: FormErrors::default(),
        },
    )
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    title: String,
    r: Report,
}

#[derive(Template)]
#[template(path = "report_body.html")]
pub struct ReportBody {
    pub r: Report,
}

#[derive(Template)]
#[template(path = "sealed.html")]
struct SealedPage {
    sealed_json: String,
}

fn sections_of(pairs: &[(String, String)]) -> Sections {
    Sections::from_keys(
        pairs
            .iter()
            .filter(|(k, _)| k == "s")
            .map(|(_, v)| v.as_str()),
    )
}

/// GET /x/report?s=wrong&s=record…: no side effects, just the page.
pub async fn view(State(state): State<AppState>, uri: Uri) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let sections = sections_of(&pairs);
    let today = state.today();
    with_vault(&state, |inner| {
        let r = report::build(inner.vault()?, sections, today).map_err(method_error)?;
        let title = if inner.discreet {
            "Notes".to_string()
        } else {
            "Progress report".to_string()
        };
        Ok(render(StatusCode::OK, &ReportPage { title, r }))
    })
    .unwrap_or_else(|r| r)
}

/// The sealed file as a download.
pub async fn seal_download(State(state): State<AppState>, RawForm(pairs): RawForm) -> Response {
    let passphrase = pairs
        .iter()
        .find(|(k, _)| k == "share_passphrase")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let sections = sections_of(&pairs);
    let today = state.today();
    let body = with_vault(&state, |inner| {
        if let Err(errors) = seal::check_share_passphrase(&passphrase) {
            return Err(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SharePage {
                    chrome: Chrome::for_page(inner, "Share", "x"),
                    errors,
                },
            ));
        }
        let r = report::build(inner.vault()?, sections, today).map_err(method_error)?;
        ReportBody { r }
            .render()
            .map_err(|_| store_error(&rekindle_store::StoreError::Corrupt))
    });
    let body = match body {
        Ok(b) => b,
        Err(r) => return r,
    };
    // PBKDF2 with 600,000 rounds: off the async workers.
    let sealed = tokio::task::spawn_blocking(move || seal::seal(&body, &passphrase)).await;
    match sealed {
        Ok(Ok(s)) => {
            let json = serde_json::to_string(&s).unwrap_or_default();
            match (SealedPage { sealed_json: json }).render() {
                Ok(html) => (
                    [
                        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                        (
                            header::CONTENT_DISPOSITION,
                            "attachment; filename=\"progress-report.html\"",
                        ),
                    ],
                    html,
                )
                    .into_response(),
                Err(_) => store_error(&rekindle_store::StoreError::Corrupt),
            }
        }
        _ => store_error(&rekindle_store::StoreError::Corrupt),
    }
}
