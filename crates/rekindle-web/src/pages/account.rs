//! Hosted mode's account pages: sign-up by invitation, sign-in, sign-out,
//! changing the password and deleting the account. The rules (password
//! strength, throttling, the data key) live in rekindle-store-pg; this file
//! translates forms and answers.

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_store_pg::{AccountError, HostedDb, SignedIn};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Chrome, not_found_page, plain_page, render};
use crate::hosted::{CLEAR_COOKIE, CONSENT_VERSION, session_cookie};
use crate::security::{CsrfForm, PlainForm};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    chrome: Chrome,
    error: Option<String>,
    username: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    chrome: Chrome,
    error: Option<String>,
    invite: String,
    username: String,
    consent_version: u32,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

/// The accounts database, or the not-found page in local mode (these
/// routes do not exist there).
fn db(state: &AppState) -> Result<HostedDb, Response> {
    state
        .hosted_mode()
        .map(|h| h.db.clone())
        .ok_or_else(not_found_page)
}

/// What a person is told when an account action fails. Sign-in failures
/// never say whether the name exists.
fn explain(e: &AccountError) -> (StatusCode, String) {
    match e {
        AccountError::WrongCredentials => (
            StatusCode::UNAUTHORIZED,
            "That name and password do not match. Please try again (check Caps Lock).".into(),
        ),
        AccountError::Throttled { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many attempts. For your account's safety, please wait {} and try again.",
                wait_words(*retry_after_secs)
            ),
        ),
        AccountError::Disabled => (
            StatusCode::FORBIDDEN,
            "This account is paused by the person who runs this server. Ask them about it.".into(),
        ),
        AccountError::InvitationInvalid => (
            StatusCode::FORBIDDEN,
            "This invitation link is not valid any more: it was used already or it expired. Ask for a new one.".into(),
        ),
        AccountError::UsernameTaken => (
            StatusCode::CONFLICT,
            "That name is taken. Please choose another one.".into(),
        ),
        AccountError::UsernameInvalid | AccountError::PasswordRules(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        AccountError::SessionEnded => (
            StatusCode::UNAUTHORIZED,
            "You were signed out meanwhile. Nothing was changed: sign in again, then repeat what you did.".into(),
        ),
        AccountError::Db(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The server cannot reach its database. Nothing was changed; please try again in a minute.".into(),
        ),
    }
}

fn wait_words(secs: u64) -> String {
    match secs {
        0..=90 => format!("{} seconds", secs.max(1)),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// Sends the browser home with its new session cookie.
fn signed_in(to: &'static str, s: &SignedIn) -> Response {
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&s.session_token)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// Signed out: the cookie is removed and the browser forgets the site's data.
fn signed_out(to: &'static str) -> Response {
    super::exit::forget_site(to, CLEAR_COOKIE)
}

fn sign_in_page(status: StatusCode, error: Option<String>, username: String) -> Response {
    render(
        status,
        &SignInPage {
            chrome: Chrome::hosted_anonymous("Sign in"),
            error,
            username,
        },
    )
}

pub async fn show_sign_in(state: AppState) -> Response {
    if let Err(r) = db(&state) {
        return r;
    }
    sign_in_page(StatusCode::OK, None, String::new())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInForm {
    username: String,
    password: Zeroizing<String>,
}

pub async fn sign_in(state: AppState, PlainForm(form): PlainForm<SignInForm>) -> Response {
    let db = match db(&state) {
        Ok(db) => db,
        Err(r) => return r,
    };
    let now = state.now();
    let name = form.username.trim().to_string();
    let worker_name = name.clone();
    // Argon2id takes a good part of a second: off the async workers.
    let result =
        tokio::task::spawn_blocking(move || db.sign_in(&worker_name, &form.password, now)).await;
    match result {
        Ok(Ok(s)) => {
            tracing::info!(event = "sign_in", account = s.account_id);
            signed_in("/", &s)
        }
        Ok(Err(e)) => {
            tracing::warn!(event = "sign_in_failed");
            let (status, text) = explain(&e);
            sign_in_page(status, Some(text), name)
        }
        Err(_) => sign_in_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("Something went wrong. Please try again.".into()),
            name,
        ),
    }
}

#[derive(Deserialize)]
pub struct InviteQuery {
    invite: Option<String>,
}

fn sign_up_page(
    status: StatusCode,
    error: Option<String>,
    invite: String,
    username: String,
) -> Response {
    render(
        status,
        &SignUpPage {
            chrome: Chrome::hosted_anonymous("Create your account"),
            error,
            invite,
            username,
            consent_version: CONSENT_VERSION,
        },
    )
}

pub async fn show_sign_up(state: AppState, Query(q): Query<InviteQuery>) -> Response {
    if let Err(r) = db(&state) {
        return r;
    }
    match q.invite.filter(|i| !i.trim().is_empty()) {
        Some(invite) => sign_up_page(StatusCode::OK, None, invite, String::new()),
        None => plain_page(
            StatusCode::FORBIDDEN,
            "Accounts are by invitation",
            "This server makes accounts only through an invitation link from the person who runs it. Ask them for one.",
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignUpForm {
    invite: String,
    username: String,
    password: Zeroizing<String>,
    confirm: Zeroizing<String>,
    #[serde(default)]
    consent: Option<String>,
}

pub async fn sign_up(state: AppState, PlainForm(form): PlainForm<SignUpForm>) -> Response {
    let db = match db(&state) {
        Ok(db) => db,
        Err(r) => return r,
    };
    let name = form.username.trim().to_string();
    if form.consent.is_none() {
        return sign_up_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Please read the note about your data and tick the box to agree; without it no account is made.".into()),
            form.invite,
            name,
        );
    }
    if let Err(problem) = rekindle_core::passphrase::check_new(&form.password, Some(&form.confirm))
    {
        return sign_up_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem.to_string()),
            form.invite,
            name,
        );
    }
    let now = state.now();
    let (invite, worker_name) = (form.invite.clone(), name.clone());
    let result = tokio::task::spawn_blocking(move || {
        let s = db.sign_up(&invite, &worker_name, &form.password, now)?;
        db.record_consent(s.account_id, CONSENT_VERSION, now)
            .map_err(AccountError::Db)?;
        Ok::<_, AccountError>(s)
    })
    .await;
    match result {
        Ok(Ok(s)) => {
            tracing::info!(event = "sign_up", account = s.account_id);
            // A new account starts with the safety questions, as a new vault does.
            signed_in("/h/screen", &s)
        }
        Ok(Err(e)) => {
            let (status, text) = explain(&e);
            sign_up_page(status, Some(text), form.invite, name)
        }
        Err(_) => sign_up_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("Something went wrong. Please try again.".into()),
            form.invite,
            name,
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOutForm {}

/// The session token of this request (the session layer already checked it).
fn token_of(headers: &axum::http::HeaderMap) -> Option<String> {
    crate::security::cookie_value(headers, crate::hosted::COOKIE)
}

/// Ends the session on the server (any process) and in the browser.
pub async fn end_session(state: &AppState, headers: &axum::http::HeaderMap) {
    let (Some(hosted), Some(token)) = (state.hosted_mode(), token_of(headers)) else {
        return;
    };
    if let Some(account) = state.lock().account_id {
        hosted.forget(account);
    }
    let db = hosted.db.clone();
    if !matches!(
        tokio::task::spawn_blocking(move || db.sign_out(&token)).await,
        Ok(Ok(()))
    ) {
        tracing::error!(event = "sign_out_failed");
    }
}

pub async fn sign_out(
    state: AppState,
    headers: axum::http::HeaderMap,
    CsrfForm(_): CsrfForm<SignOutForm>,
) -> Response {
    end_session(&state, &headers).await;
    tracing::info!(event = "sign_out");
    signed_out(crate::hosted::SIGN_IN)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
    loaded: Option<String>,
}

fn account_page(
    state: &AppState,
    status: StatusCode,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Response {
    let inner = state.lock();
    render(
        status,
        &AccountPage {
            chrome: Chrome::for_page(&inner, "Your account", "a"),
            username: inner.account.clone().unwrap_or_default(),
            error,
            notice,
        },
    )
}

pub async fn show_account(state: AppState, Query(q): Query<SavedQuery>) -> Response {
    if let Err(r) = db(&state) {
        return r;
    }
    let notice = match (q.saved.is_some(), q.loaded.is_some()) {
        (true, _) => Some("Password changed. Other devices were signed out."),
        (_, true) => Some("Your export was loaded into this account."),
        _ => None,
    };
    account_page(&state, StatusCode::OK, None, notice)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordForm {
    old: Zeroizing<String>,
    new: Zeroizing<String>,
    confirm: Zeroizing<String>,
}

pub async fn change_password(
    state: AppState,
    headers: axum::http::HeaderMap,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Response {
    let (db, token) = match (db(&state), token_of(&headers)) {
        (Ok(db), Some(t)) => (db, t),
        (Err(r), _) => return r,
        (_, None) => return Redirect::to(crate::hosted::SIGN_IN).into_response(),
    };
    if let Err(problem) = rekindle_core::passphrase::check_new(&form.new, Some(&form.confirm)) {
        return account_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem.to_string()),
            None,
        );
    }
    let now = state.now();
    let result =
        tokio::task::spawn_blocking(move || db.change_password(&token, &form.old, &form.new, now))
            .await;
    match result {
        Ok(Ok(s)) => {
            tracing::info!(event = "password_changed", account = s.account_id);
            signed_in("/account?saved=1", &s)
        }
        Ok(Err(e)) => {
            let (status, text) = explain(&e);
            let text = match e {
                AccountError::WrongCredentials => {
                    "Your current password was not right. Nothing was changed.".to_string()
                }
                _ => text,
            };
            account_page(&state, status, Some(text), None)
        }
        Err(_) => account_page(
            &state,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("Something went wrong. Nothing was changed.".into()),
            None,
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteForm {
    password: Zeroizing<String>,
    #[serde(default)]
    sure: Option<String>,
}

pub async fn delete_account(
    state: AppState,
    headers: axum::http::HeaderMap,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Response {
    let (db, token) = match (db(&state), token_of(&headers)) {
        (Ok(db), Some(t)) => (db, t),
        (Err(r), _) => return r,
        (_, None) => return Redirect::to(crate::hosted::SIGN_IN).into_response(),
    };
    if form.sure.is_none() {
        return account_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Tick the box to confirm. Nothing was deleted.".into()),
            None,
        );
    }
    let account = state.lock().account_id;
    // This request's store handle goes before the rows it reads.
    state.lock().vault = None;
    let result =
        tokio::task::spawn_blocking(move || db.delete_account(&token, &form.password)).await;
    match result {
        Ok(Ok(())) => {
            if let (Some(h), Some(a)) = (state.hosted_mode(), account) {
                h.forget(a);
            }
            tracing::info!(event = "account_deleted");
            signed_out("/bye")
        }
        Ok(Err(e)) => {
            let (status, text) = explain(&e);
            let text = match e {
                AccountError::WrongCredentials => {
                    "That password was not right. Nothing was deleted.".to_string()
                }
                _ => text,
            };
            account_page(&state, status, Some(text), None)
        }
        Err(_) => account_page(
            &state,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("Something went wrong. Nothing was deleted.".into()),
            None,
        ),
    }
}

/// `GET /account/export`: everything in the account as one `rekindle
/// export` document, the same one `rekindle restore` reads on a computer.
pub async fn download_export(state: AppState) -> Response {
    if let Err(r) = db(&state) {
        return r;
    }
    let doc = super::with_vault(&state, |inner| {
        inner
            .vault()?
            .export()
            .and_then(|d| d.to_json())
            .map_err(|e| super::store_error(&e))
    });
    match doc {
        Ok(json) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"rekindle-export.json\"",
                ),
            ],
            json,
        )
            .into_response(),
        Err(r) => r,
    }
}

/// `POST /account/import`: loads a `rekindle export` file from a computer
/// into this account, which must still be empty; all or nothing.
pub async fn upload_export(state: AppState, mut multipart: axum::extract::Multipart) -> Response {
    if let Err(r) = db(&state) {
        return r;
    }
    let mut csrf = None;
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let Ok(data) = field.bytes().await else {
                    return account_page(
                        &state,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        Some("That file is too large to be a rekindle export sent here. Nothing was changed.".into()),
                        None,
                    );
                };
                match name.as_str() {
                    "csrf" => csrf = Some(String::from_utf8_lossy(&data).trim().to_string()),
                    "file" => file = Some(data),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                return account_page(
                    &state,
                    StatusCode::BAD_REQUEST,
                    Some("The upload was interrupted. Please choose the file again. Nothing was changed.".into()),
                    None,
                );
            }
        }
    }
    if !csrf
        .as_deref()
        .is_some_and(|t| crate::security::csrf_matches(&state, t))
    {
        return plain_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "Nothing was changed. Go back, reload the page, and try again.",
        );
    }
    let problem = |text: &str| {
        account_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(text.to_string()),
            None,
        )
    };
    let Some(text) = file
        .filter(|f| !f.is_empty())
        .and_then(|f| String::from_utf8(f.to_vec()).ok())
    else {
        return problem(
            "Please choose the file that `rekindle export` wrote on your computer (a .json file).",
        );
    };
    let doc = match rekindle_store::ExportDocument::from_json(&text) {
        Ok(doc) => doc,
        Err(_) => {
            return problem("That file is not a rekindle export. Nothing was changed.");
        }
    };
    // The page is rendered after the vault's lock is released: rendering
    // takes the lock itself, and taking it twice would hang the request.
    let result = super::with_vault(&state, |inner| Ok(inner.vault()?.restore(&doc)));
    match result {
        Ok(Ok(())) => Redirect::to("/account?loaded=1").into_response(),
        Ok(Err(rekindle_store::StoreError::NotEmpty)) => problem(
            "This account already holds notes, so nothing was loaded: an export goes only into a new, empty account.",
        ),
        Ok(Err(other)) => super::store_error(&other),
        Err(r) => r,
    }
}
