use askama::Template;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_core::passphrase;
use rekindle_store::{Store, StoreError};
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
    /// A form posted while locked waits in memory: say so.
    draft_waiting: bool,
    /// Just after "Delete everything": what was deleted and what was not.
    erased: bool,
    /// The user's own word lists were left in the data folder.
    kept_lexicons: bool,
}

#[derive(Deserialize)]
pub struct UnlockQuery {
    erased: Option<String>,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    chrome: Chrome,
    path: String,
    fields: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnlockForm {
    passphrase: Zeroizing<String>,
    #[serde(default)]
    confirm: Option<Zeroizing<String>>,
}

fn page(state: &AppState, error: Option<String>, status: StatusCode) -> Response {
    page_after(state, error, status, false)
}

fn page_after(
    state: &AppState,
    error: Option<String>,
    status: StatusCode,
    erased: bool,
) -> Response {
    let creating = !state.data_dir().is_some_and(|d| d.has_vault());
    let kept_lexicons = state
        .data_dir()
        .is_some_and(|d| d.path().join(rekindle_store::LEXICONS_DIR).is_dir());
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
            draft_waiting: inner.draft.is_some(),
            erased: erased && creating,
            kept_lexicons,
        },
    )
}

pub async fn show(state: AppState, Query(q): Query<UnlockQuery>) -> Response {
    if state.local().is_none() {
        return Redirect::to(crate::hosted::SIGN_IN).into_response();
    }
    if state.lock().vault.is_some() {
        return Redirect::to("/").into_response();
    }
    page_after(&state, None, StatusCode::OK, q.erased.is_some())
}

/// One key derivation at a time in this process (each takes 128 MiB):
/// unlocking, creating, changing the passphrase and erasing all wait here.
static UNLOCKING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Held while a passphrase is derived into a key (blocking: call it from
/// `spawn_blocking`).
pub(crate) fn one_key_derivation_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    UNLOCKING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The sentence shown while wrong passphrases make the next try wait.
pub(crate) fn too_many_tries(wait: i64) -> String {
    format!(
        "Too many wrong tries. Please wait {} before trying again.",
        seconds_in_words(wait)
    )
}

/// "45 seconds", "3 minutes".
fn seconds_in_words(s: i64) -> String {
    match s {
        ..=1 => "a second".to_string(),
        2..=90 => format!("{s} seconds"),
        _ => format!("{} minutes", (s + 59) / 60),
    }
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
    // After wrong passphrases, each try waits longer (1 s, 2 s, 4 s, … up to
    // 5 minutes): guessing from a script gets nowhere (issue 18, item 5).
    // Counted in the data folder (by the CLI too), so a restart does not
    // start the count again.
    if let Some(wait) = state.unlock_wait() {
        return page(
            &state,
            Some(too_many_tries(wait)),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    // Argon2id takes most of a second and 64 MiB: off the async workers, and
    // one at a time, so parallel tries cannot take the memory of many.
    let worker = state.clone();
    let opened = tokio::task::spawn_blocking(move || {
        let _one = one_key_derivation_at_a_time();
        let Some(dir) = worker.data_dir() else {
            return Err(StoreError::Corrupt);
        };
        if creating {
            dir.create(&form.passphrase, dir.kdf_target())
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
                Ok(cookie) => {
                    let to = if creating {
                        "/h/screen"
                    } else if state.lock().draft.is_some() {
                        // What was typed before the lock is posted again.
                        "/d"
                    } else {
                        "/"
                    };
                    ([(axum::http::header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
                }
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
        // A damaged or missing vault file: what happened and what to do,
        // on the unlock page; nothing was opened or changed.
        Ok(Err(e @ (StoreError::Damaged(_) | StoreError::MissingDatabase(_)))) => page(
            &state,
            Some(unopened(&e, local.data_dir.path())),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        Ok(Err(e)) => store_error(&e),
        Err(_) => store_error(&StoreError::Corrupt),
    }
}

/// Why the vault was not opened, for the unlock page: what happened, that
/// nothing changed, and what to do with the backup the web app downloads.
fn unopened(e: &StoreError, folder: &std::path::Path) -> String {
    let what = match e {
        StoreError::MissingDatabase(_) => {
            "Your vault file is missing or empty, so rekindle did not open it as a new, empty vault, and nothing was changed. If you just restored a backup, put its vault file beside the key file as vault.db."
        }
        _ => {
            "Your vault file is damaged (its integrity check failed), so rekindle did not open it, and nothing was changed."
        }
    };
    format!(
        "{what} First make a copy of your data folder, {}. Then restore your latest backup: unzip the backup you downloaded into a new, empty folder and start rekindle with that folder (rekindle serve --data-dir FOLDER).",
        folder.display()
    )
}

/// After unlocking: the form that was posted into the locked vault, ready to
/// be posted again with this session's form token (app.js sends it at once;
/// without scripts the person presses the button). Taken out of memory here.
pub async fn show_draft(state: AppState) -> Response {
    let mut inner = state.lock();
    let Some(draft) = inner.draft.take() else {
        return Redirect::to("/").into_response();
    };
    let page = DraftPage {
        chrome: Chrome::for_page(&inner, "Saving what you wrote", "u"),
        path: draft.path.clone(),
        fields: draft
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
    };
    drop(inner);
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// Forgets a kept draft (the unlock page offers it).
pub async fn discard_draft(state: AppState, CsrfForm(_): CsrfForm<NoFields>) -> Response {
    state.lock().draft = None;
    Redirect::to("/u").into_response()
}

/// Locks the vault now (the session stays: the next page asks for the
/// passphrase). For stepping away from the computer.
pub async fn lock_now(state: AppState, CsrfForm(_): CsrfForm<NoFields>) -> Response {
    if state.local().is_some() {
        AppState::lock_vault(&mut state.lock());
        tracing::info!(event = "locked_by_user");
    }
    Redirect::to("/u").into_response()
}
