use askama::Template;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_core::passphrase;
use rekindle_store::{KdfParams, Store, StoreError};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Chrome, render, store_error};
use crate::security::CsrfForm;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "unlock.html")]
struct UnlockPage {
    chrome: Chrome,
    creating: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnlockForm {
    passphrase: Zeroizing<String>,
    #[serde(default)]
    confirm: Option<Zeroizing<String>>,
}

fn page(state: &AppState, error: Option<String>, status: StatusCode) -> Response {
    let creating = !state.data_dir().is_some_and(|d| d.has_vault());
    let inner = state.lock();
    let title = if creating {
        "Create your vault"
    } else {
        "Unlock"
    };
    render(
        status,
        &UnlockPage {
            chrome: Chrome::for_page(&inner, title, "u"),
            creating,
            error,
        },
    )
}

pub async fn show(state: AppState) -> Response {
    if state.local().is_none() {
        return Redirect::to(crate::hosted::SIGN_IN).into_response();
    }
    if state.lock().vault.is_some() {
        return Redirect::to("/").into_response();
    }
    page(&state, None, StatusCode::OK)
}

pub async fn submit(state: AppState, CsrfForm(form): CsrfForm<UnlockForm>) -> Response {
    let Some(local) = state.local() else {
        return Redirect::to(crate::hosted::SIGN_IN).into_response();
    };
    if state.lock().vault.is_some() {
        return Redirect::to("/").into_response();
    }
    let creating = !local.data_dir.has_vault();
    if creating
        && let Err(problem) = passphrase::check_new(
            &form.passphrase,
            form.confirm.as_deref().map(|s| s.as_str()),
        )
    {
        return page(
            &state,
            Some(problem.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Argon2id takes most of a second and 64 MiB: keep it off the async workers.
    let worker = state.clone();
    let opened = tokio::task::spawn_blocking(move || {
        let Some(dir) = worker.data_dir() else {
            return Err(StoreError::Corrupt);
        };
        if creating {
            dir.create(&form.passphrase, KdfParams::DEFAULT)
        } else {
            dir.unlock(&form.passphrase)
        }
    })
    .await;
    match opened {
        Ok(Ok(vault)) => {
            let settings = vault.settings().unwrap_or_default();
            let now = state.now();
            let mut inner = state.lock();
            AppState::remember_settings(&mut inner, &settings);
            inner.vault = Some(crate::state::OpenStore::Vault(vault));
            inner.last_activity = now;
            drop(inner);
            // A new session id after unlocking (security.md item 24).
            match crate::pages::exit::start_session(&state) {
                // A new vault starts with the safety questions.
                Ok(cookie) => (
                    [(axum::http::header::SET_COOKIE, cookie)],
                    Redirect::to(if creating { "/h/screen" } else { "/" }),
                )
                    .into_response(),
                Err(r) => r,
            }
        }
        Ok(Err(StoreError::WrongPassphrase)) => page(
            &state,
            Some(
                "That passphrase does not open your vault. Please try again (check Caps Lock)."
                    .into(),
            ),
            StatusCode::UNAUTHORIZED,
        ),
        Ok(Err(e)) => store_error(&e),
        Err(_) => store_error(&StoreError::Corrupt),
    }
}
