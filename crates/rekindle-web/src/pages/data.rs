//! "Your data" (local mode, linked from the settings page): download
//! everything (the JSON export), download a backup (the encrypted vault and
//! its key file in one zip), change the passphrase, and delete everything
//! (security.md items 59 and 60). The work is done by rekindle-store
//! (`DataDir::change_passphrase`, `DataDir::erase`) and rekindle-app
//! (`backup::backup_zip`), the same code as `rekindle export`, `backup`,
//! `passwd` and `delete-vault`. A hosted server has all this on its account
//! page, where `/o/data` leads.

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_core::FormErrors;
use rekindle_core::passphrase::{self, PassphraseProblem};
use rekindle_store::StoreError;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Chrome, not_found_page, plain_page, render, store_error, unlock, with_vault};
use crate::security::CsrfForm;
use crate::state::{AppState, OpenStore};

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    chrome: Chrome,
    errors: FormErrors,
    notice: Option<&'static str>,
    /// The "Delete everything" tick box, kept as it was sent.
    sure: bool,
    /// The user's own word lists exist (they are not deleted).
    lexicons: bool,
}

#[derive(Deserialize)]
pub struct DataQuery {
    changed: Option<String>,
}

/// The page, or the unlock page when locked. Takes the vault's lock itself.
fn page(
    state: &AppState,
    status: StatusCode,
    errors: FormErrors,
    notice: Option<&'static str>,
    sure: bool,
) -> Response {
    let lexicons = state
        .data_dir()
        .is_some_and(|d| d.path().join(rekindle_store::LEXICONS_DIR).is_dir());
    with_vault(state, |inner| {
        Ok(render(
            status,
            &DataPage {
                chrome: Chrome::for_page(inner, "Your data", "o"),
                errors,
                notice,
                sure,
                lexicons,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

/// `GET /o/data`.
pub async fn show(state: AppState, Query(q): Query<DataQuery>) -> Response {
    if state.local().is_none() {
        // A hosted account has these on its account page.
        return Redirect::to("/account").into_response();
    }
    let notice = q.changed.is_some().then_some(
        "Your passphrase was changed. Use the new one from now on. Backups made earlier still open with the passphrase you had then.",
    );
    page(&state, StatusCode::OK, FormErrors::default(), notice, false)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyForm {}

/// The name a download is saved under: neutral in discreet mode, since the
/// browser's list of downloads is seen like its history.
fn file_name(discreet: bool, what: &str, day: jiff::civil::Date, ext: &str) -> String {
    if discreet {
        format!("notes-{day}.{ext}")
    } else {
        format!("rekindle-{what}-{day}.{ext}")
    }
}

fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The name is built from a date and fixed words only.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

fn went_wrong(heading: &str) -> Response {
    plain_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        heading,
        "Something went wrong. Nothing in your vault was changed; please try again.",
    )
}

/// `POST /o/export`: everything, as the JSON document `rekindle export`
/// writes (not encrypted: the page says so next to the button).
pub async fn download_export(state: AppState, CsrfForm(_): CsrfForm<EmptyForm>) -> Response {
    if state.local().is_none() {
        return not_found_page();
    }
    let day = state.today();
    let worker = state.clone();
    // A long chat history makes a large document: off the async workers.
    let result = tokio::task::spawn_blocking(move || {
        with_vault(&worker, |inner| {
            let discreet = inner.discreet;
            let json = inner
                .vault()?
                .export()
                .and_then(|d| d.to_json())
                .map_err(|e| store_error(&e))?;
            Ok((json, discreet))
        })
    })
    .await;
    match result {
        Ok(Ok((json, discreet))) => {
            tracing::info!(event = "export_downloaded");
            attachment(
                "application/json; charset=utf-8",
                &file_name(discreet, "export", day, "json"),
                json.into_bytes(),
            )
        }
        Ok(Err(r)) => r,
        Err(_) => went_wrong("The download could not be made"),
    }
}

/// `POST /o/backup`: the encrypted vault and its key file in one zip
/// (`rekindle_app::backup`), made on a connection of its own so other pages
/// keep answering meanwhile.
pub async fn download_backup(state: AppState, CsrfForm(_): CsrfForm<EmptyForm>) -> Response {
    if state.local().is_none() {
        return not_found_page();
    }
    let day = state.today();
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let (own, discreet) = {
            let inner = worker.lock();
            match inner.vault.as_ref() {
                Some(OpenStore::Vault(v)) => (
                    v.open_another()
                        .map_err(rekindle_app::backup::BackupError::from),
                    inner.discreet,
                ),
                _ => return Ok(None),
            }
        };
        let Some(dir) = worker.data_dir() else {
            return Ok(None);
        };
        rekindle_app::backup::backup_zip(dir, &own?).map(|zip| Some((zip, discreet)))
    })
    .await;
    match result {
        Ok(Ok(Some((zip, discreet)))) => {
            tracing::info!(event = "backup_downloaded");
            attachment(
                "application/zip",
                &file_name(discreet, "backup", day, "zip"),
                zip,
            )
        }
        Ok(Ok(None)) => Redirect::to("/u").into_response(),
        Ok(Err(rekindle_app::backup::BackupError::Store(e))) => store_error(&e),
        Ok(Err(_)) | Err(_) => went_wrong("The backup could not be made"),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassphraseForm {
    current_passphrase: Zeroizing<String>,
    new_passphrase: Zeroizing<String>,
    confirm_passphrase: Zeroizing<String>,
}

/// `POST /o/passphrase`: the same rules as creating a vault; the data key
/// is re-wrapped, the database is not touched (`DataDir::change_passphrase`).
pub async fn change_passphrase(
    state: AppState,
    CsrfForm(form): CsrfForm<PassphraseForm>,
) -> Response {
    if state.local().is_none() {
        return not_found_page();
    }
    let mut errors = FormErrors::default();
    if form.current_passphrase.is_empty() {
        errors.add("current_passphrase", "Please type your current passphrase.");
    }
    match passphrase::check_new(&form.new_passphrase, Some(&form.confirm_passphrase)) {
        Ok(()) => {}
        Err(PassphraseProblem::Mismatch) => {
            errors.add(
                "confirm_passphrase",
                PassphraseProblem::Mismatch.to_string(),
            );
        }
        Err(problem) => errors.add("new_passphrase", problem.to_string()),
    }
    if !errors.is_empty() {
        return page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            None,
            false,
        );
    }
    // Wrong passphrases here count with the unlock page's (issue 18, item 5).
    let wait = state.unlock_wait();
    if let Some(wait) = wait {
        errors.add(
            "current_passphrase",
            format!("{} Nothing was changed.", unlock::too_many_tries(wait)),
        );
        return page(&state, StatusCode::TOO_MANY_REQUESTS, errors, None, false);
    }
    let worker = state.clone();
    // Argon2id, twice (the old passphrase, then the new): off the async
    // workers, one derivation at a time.
    let result = tokio::task::spawn_blocking(move || {
        let _one = unlock::one_key_derivation_at_a_time();
        match worker.data_dir() {
            Some(dir) => dir.change_passphrase(&form.current_passphrase, &form.new_passphrase),
            None => Err(StoreError::Corrupt),
        }
    })
    .await;
    match result {
        Ok(Ok(())) => Redirect::to("/o/data?changed=1").into_response(),
        Ok(Err(StoreError::WrongPassphrase)) => {
            errors.add(
                "current_passphrase",
                "That is not your current passphrase (check Caps Lock). Nothing was changed.",
            );
            page(&state, StatusCode::UNAUTHORIZED, errors, None, false)
        }
        Ok(Err(e @ StoreError::PassphraseInUse)) => {
            errors.add("new_passphrase", e.to_string());
            page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                false,
            )
        }
        Ok(Err(e)) => store_error(&e),
        Err(_) => went_wrong("The passphrase could not be changed"),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseForm {
    erase_passphrase: Zeroizing<String>,
    #[serde(default)]
    sure: Option<String>,
}

/// Why "Delete everything" did not delete.
enum NotErased {
    Store(StoreError),
    /// An import or a backup has a connection of its own open.
    Busy,
    Locked,
}

/// `POST /o/erase`: checks the passphrase, destroys the key slot, removes
/// the vault's files (`DataDir::erase`), drops the open vault, and shows the
/// create-vault page. The session stays, so a new vault can be made at once.
pub async fn erase(state: AppState, CsrfForm(form): CsrfForm<EraseForm>) -> Response {
    if state.local().is_none() {
        return not_found_page();
    }
    let sure = form.sure.is_some();
    let mut errors = FormErrors::default();
    if form.erase_passphrase.is_empty() {
        errors.add(
            "erase_passphrase",
            "Please type your passphrase, to make sure it is you. Nothing was deleted.",
        );
    }
    if !sure {
        errors.add(
            "sure",
            "Tick the box to confirm that you want everything deleted. Nothing was deleted.",
        );
    }
    if !errors.is_empty() {
        return page(&state, StatusCode::UNPROCESSABLE_ENTITY, errors, None, sure);
    }
    let wait = state.unlock_wait();
    if let Some(wait) = wait {
        errors.add(
            "erase_passphrase",
            format!("{} Nothing was deleted.", unlock::too_many_tries(wait)),
        );
        return page(&state, StatusCode::TOO_MANY_REQUESTS, errors, None, sure);
    }
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let _one = unlock::one_key_derivation_at_a_time();
        let Some(dir) = worker.data_dir() else {
            return Err(NotErased::Locked);
        };
        // The vault's lock is held throughout: no page reads or writes the
        // vault while its files go.
        let mut inner = worker.lock();
        match inner.vault.as_ref() {
            None => return Err(NotErased::Locked),
            Some(OpenStore::Vault(v)) if v.other_connections() > 0 => {
                return Err(NotErased::Busy);
            }
            Some(_) => {}
        }
        let result = dir.erase(&form.erase_passphrase);
        // Once the key is destroyed the open vault can never be opened
        // again, even if removing a file failed: it goes too.
        if result.is_ok() || !dir.has_vault() {
            AppState::lock_vault(&mut inner);
        }
        result.map_err(NotErased::Store)
    })
    .await;
    match result {
        Ok(Ok(_)) => {
            tracing::info!(event = "everything_deleted");
            Redirect::to("/u?erased=1").into_response()
        }
        Ok(Err(NotErased::Store(StoreError::WrongPassphrase))) => {
            errors.add(
                "erase_passphrase",
                "That passphrase does not open your vault (check Caps Lock). Nothing was deleted.",
            );
            page(&state, StatusCode::UNAUTHORIZED, errors, None, sure)
        }
        Ok(Err(NotErased::Busy)) => {
            errors.add(
                "erase",
                "A chat is still being imported or a backup is being made. Wait until it has finished, then try again. Nothing was deleted.",
            );
            page(&state, StatusCode::CONFLICT, errors, None, sure)
        }
        Ok(Err(NotErased::Locked)) => Redirect::to("/u").into_response(),
        Ok(Err(NotErased::Store(e))) => {
            let destroyed = state.data_dir().is_some_and(|d| !d.has_vault());
            if destroyed {
                tracing::error!(event = "erase_unfinished");
                plain_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Your vault is gone, but not all of its files",
                    "Your vault's key was destroyed, so nothing in it can ever be read again. Some of its files could not be removed just now; rekindle removes them the next time it starts, or when you create a new vault.",
                )
            } else {
                store_error(&e)
            }
        }
        Err(_) => went_wrong("Nothing was deleted"),
    }
}
