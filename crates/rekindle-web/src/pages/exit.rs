//! Signing in with the one-time link, quick exit, and the neutral page.

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::plain_page;
use crate::security::{CsrfForm, SESSION_COOKIE};
use crate::state::{AppState, Session};
use crate::tokens;

#[derive(Deserialize)]
pub struct LoginQuery {
    token: Option<String>,
}

/// Creates a fresh session (replacing any other) and returns its cookie.
pub fn start_session(state: &AppState) -> Result<String, Response> {
    let (token, csrf) = match (tokens::new_token(), tokens::new_token()) {
        (Ok(t), Ok(c)) => (t, c),
        _ => {
            return Err(plain_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Could not start a session",
                "The computer's random number source failed. Please restart rekindle.",
            ));
        }
    };
    let now = state.now();
    let mut inner = state.lock();
    inner.session = Some(Session {
        token: tokens::hash(&token),
        csrf,
        created: now,
    });
    inner.last_activity = now;
    // No `Secure`/`__Host-` prefix: the app is served over plain HTTP on
    // loopback, where that prefix is not reliably accepted (security.md item 23).
    // The path is this launch's random prefix: browsers send cookies to every
    // port of 127.0.0.1, but only to paths under the cookie's.
    Ok(format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path={}",
        state.cookie_path()
    ))
}

/// `GET /login?token=…`: exchanges the one-time token printed in the
/// terminal for a session cookie, then sends the browser to a clean URL so
/// the token does not stay in the address bar or history.
pub async fn login(state: AppState, Query(q): Query<LoginQuery>) -> Response {
    let presented = q.token.as_deref().map(tokens::hash);
    let valid = {
        let mut inner = state.lock();
        match (inner.pending_login, presented) {
            (Some(pending), Some(p)) if tokens::same(&pending, &p) => {
                inner.pending_login = None;
                true
            }
            _ => false,
        }
    };
    if !valid {
        tracing::warn!(event = "login_rejected");
        return plain_page(
            StatusCode::UNAUTHORIZED,
            "This link has already been used",
            "Each private link works once. Look in the terminal where rekindle runs for the current link.",
        );
    }
    tracing::info!(event = "login");
    match start_session(&state) {
        Ok(cookie) => ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitForm {}

/// Quick exit: drops the data key, ends the session, tells the browser to
/// forget this site's data, and goes to the neutral page.
pub async fn quick_exit(
    state: AppState,
    headers: axum::http::HeaderMap,
    CsrfForm(_): CsrfForm<ExitForm>,
) -> Response {
    if state.hosted_mode().is_some() {
        // Hosted: quick exit signs out (the session ends on the server).
        super::account::end_session(&state, &headers).await;
        tracing::info!(event = "quick_exit");
        return forget_site("/bye", crate::hosted::CLEAR_COOKIE);
    }
    {
        let mut inner = state.lock();
        inner.session = None;
        inner.draft = None;
        AppState::lock_vault(&mut inner);
    }
    tracing::info!(event = "quick_exit");
    state.announce_new_login();
    forget_site(
        "/bye",
        &format!(
            "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path={}; Max-Age=0",
            state.cookie_path()
        ),
    )
}

/// Goes to `to`, removing the session cookie (`clear_cookie`) and telling
/// the browser to forget this site's data (security.md item 24).
pub fn forget_site(to: &'static str, clear_cookie: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    let h = res.headers_mut();
    h.insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    if let Ok(v) = HeaderValue::from_str(clear_cookie) {
        h.insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "bye.html")]
struct ByePage;

/// A neutral page with nothing on it that hints at rekindle.
pub async fn bye() -> Response {
    super::render(StatusCode::OK, &ByePage)
}
