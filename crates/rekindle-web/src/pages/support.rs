//! Steps 6 and 7: the support network and the reading list.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_app::method::{self as m, MethodError};
use rekindle_app::support;
use rekindle_core::FormErrors;
use rekindle_core::support::{
    CuratedBook, MyBook, MyBookForm, ReadingStatus, Role, Supporter, SupporterForm,
};
use serde::Deserialize;

use super::{Chrome, method_error, not_found_page, render, with_vault};
use crate::security::CsrfForm;
use crate::state::{AppState, Inner};

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    chrome: Chrome,
    saved: Option<String>,
    errors: FormErrors,
    supporters: Vec<(i64, Supporter)>,
    roles: Vec<(&'static str, &'static str)>,
}

fn network_page(
    inner: &mut Inner,
    saved: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Response> {
    let supporters = support::supporters(inner.vault()?).map_err(method_error)?;
    Ok(render(
        status,
        &NetworkPage {
            chrome: Chrome::for_page(inner, "Support", "n"),
            saved,
            errors,
            supporters,
            roles: Role::ALL.iter().map(|r| (r.key(), r.label())).collect(),
        },
    ))
}

pub async fn network(state: AppState, Query(q): Query<Saved>) -> Response {
    with_vault(&state, |inner| {
        network_page(
            inner,
            super::retract::saved_message(q.saved.as_deref()),
            FormErrors::default(),
            StatusCode::OK,
        )
    })
    .unwrap_or_else(|r| r)
}

pub async fn add_supporter(state: AppState, CsrfForm(form): CsrfForm<SupporterForm>) -> Response {
    let now = state.now();
    with_vault(&state, |inner| {
        match support::save_supporter(inner.vault()?, &form, now) {
            Ok(_) => Ok(Redirect::to("/n?saved=1").into_response()),
            Err(MethodError::Form(e)) => {
                network_page(inner, None, e, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}

#[derive(Template)]
#[template(path = "learn.html")]
struct LearnPage {
    chrome: Chrome,
    saved: Option<String>,
    errors: FormErrors,
    mine: Vec<(i64, MyBook)>,
    suggested: Vec<(CuratedBook, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    problems: Vec<(i64, String)>,
}

fn learn_page(
    inner: &mut Inner,
    saved: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Response> {
    let vault = inner.vault()?;
    let mine = support::books(vault).map_err(method_error)?;
    let problems = m::problems(vault).map_err(method_error)?;
    let suggested = support::suggestions(vault)
        .map_err(method_error)?
        .into_iter()
        .map(|(b, hits)| {
            let why = hits
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", ");
            (b, why)
        })
        .collect();
    Ok(render(
        status,
        &LearnPage {
            chrome: Chrome::for_page(inner, "Learn", "l"),
            saved,
            errors,
            mine,
            suggested,
            statuses: ReadingStatus::ALL
                .iter()
                .map(|s| (s.key(), s.label()))
                .collect(),
            problems: problems
                .into_iter()
                .map(|p| (p.id, p.problem.title))
                .collect(),
        },
    ))
}

pub async fn learn(state: AppState, Query(q): Query<Saved>) -> Response {
    with_vault(&state, |inner| {
        learn_page(
            inner,
            super::retract::saved_message(q.saved.as_deref()),
            FormErrors::default(),
            StatusCode::OK,
        )
    })
    .unwrap_or_else(|r| r)
}

fn after(state: &AppState, r: Result<(), MethodError>) -> Response {
    match r {
        Ok(()) => Redirect::to("/l?saved=1").into_response(),
        Err(MethodError::Form(e)) => with_vault(state, |inner| {
            learn_page(inner, None, e, StatusCode::UNPROCESSABLE_ENTITY)
        })
        .unwrap_or_else(|r| r),
        Err(e) => method_error(e),
    }
}

pub async fn add_book(state: AppState, CsrfForm(form): CsrfForm<MyBookForm>) -> Response {
    let now = state.now();
    let r = with_vault(&state, |inner| {
        Ok(support::add_book(inner.vault()?, &form, now).map(|_| ()))
    });
    r.map(|r| after(&state, r)).unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CuratedForm {
    id: String,
}

pub async fn add_curated(state: AppState, CsrfForm(form): CsrfForm<CuratedForm>) -> Response {
    let now = state.now();
    let r = with_vault(&state, |inner| {
        Ok(support::add_curated(inner.vault()?, &form.id, now).map(|_| ()))
    });
    r.map(|r| after(&state, r)).unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found_page();
    };
    let now = state.now();
    let r = with_vault(&state, |inner| {
        Ok(support::set_status(inner.vault()?, id, &form.status, now))
    });
    r.map(|r| after(&state, r)).unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakeawayForm {
    #[serde(default)]
    takeaway: String,
}

pub async fn add_takeaway(
    state: AppState,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TakeawayForm>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found_page();
    };
    let now = state.now();
    let r = with_vault(&state, |inner| {
        Ok(support::add_takeaway(
            inner.vault()?,
            id,
            &form.takeaway,
            now,
        ))
    });
    r.map(|r| after(&state, r)).unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
pub struct UseQuery {
    book: i64,
    t: usize,
    problem: i64,
}

/// A takeaway becomes an if-then plan: the plan page opens with it filled
/// in; nothing is saved until the person saves the plan.
pub async fn use_takeaway(Query(q): Query<UseQuery>) -> Response {
    Redirect::to(&format!("/p/{}/plan?book={}&t={}", q.problem, q.book, q.t)).into_response()
}
