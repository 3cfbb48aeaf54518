//! Step 8 (first part): the progress report, printable or sealed.

use askama::Template;

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rekindle_app::report::{self, Report, Sections};
use rekindle_app::seal;
use rekindle_app::share;
use rekindle_core::FormErrors;

use super::{Chrome, method_error, not_found_page, render, store_error, with_vault};
use crate::security::RawForm;
use crate::state::AppState;

pub struct LinkRow {
    pub item: i64,
    pub label: String,
    pub expires: String,
    pub views: usize,
    pub revoked: bool,
    pub expired: bool,
}

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    chrome: Chrome,
    errors: FormErrors,
    links: Vec<LinkRow>,
    confirmations: Vec<rekindle_app::share::Confirmation>,
    new_link: Option<String>,
    /// Why reaching out is not offered now (the one gate); `None` when it is.
    outreach_refused: Option<String>,
    /// The lock is on or they said no: sharing is for helpers only.
    helpers_only: bool,
    /// Links point at this hosted server: no listener to start, no address to give.
    hosted: bool,
}

fn share_box(
    state: &AppState,
    inner: &crate::state::Inner,
) -> Result<Box<dyn rekindle_store::ShareBox>, Response> {
    state
        .share_box(inner)
        .ok_or_else(|| axum::response::Redirect::to("/u").into_response())
}

fn share_page(
    state: &AppState,
    inner: &mut crate::state::Inner,
    errors: FormErrors,
    new_link: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let dir = share_box(state, inner)?;
    let now = state.now();
    let vault = inner.vault()?;
    // The ally's confirmations arrive in the share box; take them in.
    share::sync_confirmations(vault, &*dir, now).map_err(method_error)?;
    let links = share::shares(vault)
        .map_err(method_error)?
        .into_iter()
        .map(|(item, r)| LinkRow {
            item,
            label: r.label.clone(),
            expires: r.expires.strftime("%Y-%m-%d").to_string(),
            views: share::views(&*dir, &r).len(),
            expired: r.expires <= now,
            revoked: r.revoked,
        })
        .collect();
    let confirmations = share::confirmations(vault).map_err(method_error)?;
    let tz = jiff::tz::TimeZone::system();
    let outreach_refused = rekindle_app::letter::gate(vault, &tz, state.today())
        .map_err(method_error)?
        .err()
        .map(|r| r.explain());
    let facts = rekindle_app::safety::facts(vault, &tz).map_err(method_error)?;
    let helpers_only =
        rekindle_core::safety::safety_lock(&facts).is_some() || facts.ex_no.is_some();
    Ok(render(
        status,
        &SharePage {
            outreach_refused,
            helpers_only,
            chrome: Chrome::for_page(inner, "Share", "x"),
            errors,
            links,
            confirmations,
            new_link,
            hosted: state.share_link_base().is_some(),
        },
    ))
}

pub async fn share(state: AppState) -> Response {
    with_vault(&state, |inner| {
        share_page(&state, inner, FormErrors::default(), None, StatusCode::OK)
    })
    .unwrap_or_else(|r| r)
}

/// Creates a share link and shows it once (it is not kept in any address).
pub async fn create_link(state: AppState, RawForm(pairs): RawForm) -> Response {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let sections = sections_of(&pairs);
    let (today, now) = (state.today(), state.now());
    let base = if let Some(own) = state.share_link_base() {
        own
    } else {
        let b = get("base");
        if b.is_empty() {
            "http://127.0.0.1:8719".to_string()
        } else {
            b.trim_end_matches('/').to_string()
        }
    };
    let label = get("label");
    with_vault(&state, |inner| {
        let days = match share::validate_days(&get("days")) {
            Ok(d) => d,
            Err(e) => return share_page(&state, inner, e, None, StatusCode::UNPROCESSABLE_ENTITY),
        };
        if !base.starts_with("http://") && !base.starts_with("https://") {
            let mut e = FormErrors::default();
            e.add(
                "base",
                "The address should start with http:// or https://, for example http://127.0.0.1:8719.",
            );
            return share_page(&state, inner, e, None, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = report::build(inner.vault()?, sections, today).map_err(method_error)?;
        let html = ReportBody { r }
            .render()
            .map_err(|_| store_error(&rekindle_store::StoreError::Corrupt))?;
        // Nothing is shared before the person has seen exactly what the reader will.
        if get("confirm") != "1" {
            return Ok(render(
                StatusCode::OK,
                &SharePreview {
                    chrome: Chrome::for_page(inner, "Share", "x"),
                    body: html,
                    sections: pairs
                        .iter()
                        .filter(|(k, _)| k == "s")
                        .map(|(_, v)| v.clone())
                        .collect(),
                    label: label.clone(),
                    days: days.to_string(),
                    base: base.clone(),
                },
            ));
        }
        let boxed = share_box(&state, inner)?;
        let record = share::create(inner.vault()?, &*boxed, &html, &label, days, now)
            .map_err(method_error)?;
        share_page(
            &state,
            inner,
            FormErrors::default(),
            Some(format!("{base}{}", record.path())),
            StatusCode::OK,
        )
    })
    .unwrap_or_else(|r| r)
}

pub async fn revoke_link(state: AppState, RawForm(pairs): RawForm) -> Response {
    let id = pairs
        .iter()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let Some(id) = id else {
        return not_found_page();
    };
    let now = state.now();
    with_vault(&state, |inner| {
        let boxed = share_box(&state, inner)?;
        share::revoke(inner.vault()?, &*boxed, id, now).map_err(method_error)?;
        Ok(axum::response::Redirect::to("/x").into_response())
    })
    .unwrap_or_else(|r| r)
}

#[derive(Template)]
#[template(path = "share_preview.html")]
struct SharePreview {
    chrome: Chrome,
    /// The report exactly as the link will show it (escaped when rendered).
    body: String,
    sections: Vec<String>,
    label: String,
    days: String,
    base: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    title: String,
    r: Report,
    /// For the quick-exit form (the page has no other chrome).
    csrf: String,
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
    /// "Notes" in discreet mode.
    title: &'static str,
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
pub async fn view(state: AppState, uri: Uri) -> Response {
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
        let csrf = inner
            .session
            .as_ref()
            .map(|s| s.csrf.clone())
            .unwrap_or_default();
        Ok(render(StatusCode::OK, &ReportPage { title, r, csrf }))
    })
    .unwrap_or_else(|r| r)
}

/// The sealed file as a download.
pub async fn seal_download(state: AppState, RawForm(mut pairs): RawForm) -> Response {
    // Moved out of the form (not copied), into a buffer wiped when dropped.
    let passphrase = zeroize::Zeroizing::new(
        pairs
            .iter()
            .position(|(k, _)| k == "share_passphrase")
            .map(|i| pairs.remove(i).1)
            .unwrap_or_default(),
    );
    let sections = sections_of(&pairs);
    let today = state.today();
    let body = with_vault(&state, |inner| {
        if let Err(errors) = seal::check_share_passphrase(&passphrase) {
            return Err(share_page(
                &state,
                inner,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .unwrap_or_else(|r| r));
        }
        let r = report::build(inner.vault()?, sections, today).map_err(method_error)?;
        ReportBody { r }
            .render()
            .map(|b| (b, inner.discreet))
            .map_err(|_| store_error(&rekindle_store::StoreError::Corrupt))
    });
    let (body, discreet) = match body {
        Ok(b) => b,
        Err(r) => return r,
    };
    // PBKDF2 with 600,000 rounds: off the async workers.
    let sealed = tokio::task::spawn_blocking(move || seal::seal(&body, &passphrase)).await;
    match sealed {
        Ok(Ok(s)) => {
            let json = serde_json::to_string(&s).unwrap_or_default();
            let title = if discreet { "Notes" } else { "Progress report" };
            match (SealedPage {
                sealed_json: json,
                title,
            })
            .render()
            {
                Ok(html) => (
                    [
                        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                        (
                            header::CONTENT_DISPOSITION,
                            if discreet {
                                "attachment; filename=\"notes.html\""
                            } else {
                                "attachment; filename=\"progress-report.html\""
                            },
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

/// The sealed file's HTML for an already sealed report; `discreet` titles it "Notes".
pub fn sealed_html(sealed: &seal::Sealed, discreet: bool) -> Result<String, askama::Error> {
    let json = serde_json::to_string(sealed).unwrap_or_default();
    SealedPage {
        sealed_json: json,
        title: if discreet { "Notes" } else { "Progress report" },
    }
    .render()
}
