//! Importing a chat export from the browser, and who is who in it.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_app::import::{self, ChatChoice, ImportError, Roles};
use rekindle_chat::{DateOrder, Format, ParseOptions};
use zeroize::Zeroizing;

use rekindle_store::chats::ChatInfo;
use rekindle_store::spool::Spool;
use serde::Deserialize;

use super::{Chrome, plain_page, render, store_error, with_vault};
use crate::security::{CsrfForm, csrf_matches};
use crate::state::{AppState, OpenStore};

/// The import routes alone accept large bodies. On this computer a long
/// history's export (a million messages is about 80 MB; issue 14 asks for
/// 500 MB) is read in one piece: one upload at a time, since the server has
/// one person. A hosted server keeps security.md's 50 MiB per request.
pub const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;
pub const HOSTED_UPLOAD_LIMIT: usize = 50 * 1024 * 1024;

pub fn upload_limit(hosted: bool) -> DefaultBodyLimit {
    DefaultBodyLimit::max(if hosted {
        HOSTED_UPLOAD_LIMIT
    } else {
        UPLOAD_LIMIT
    })
}

fn too_large(state: &AppState) -> Response {
    let mb = if state.hosted_mode().is_some() {
        50
    } else {
        500
    };
    plain_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "That file is too large",
        &format!(
            "rekindle accepts chat exports up to {mb} MB here. For a larger file, use `rekindle import FILE` in the terminal. Nothing was changed."
        ),
    )
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    error: Option<String>,
    has_chats: bool,
}

pub async fn show_import(state: AppState) -> Response {
    with_vault(&state, |inner| {
        let has_chats = !inner
            .vault()?
            .chats()
            .map_err(|e| store_error(&e))?
            .is_empty();
        Ok(render(
            StatusCode::OK,
            &ImportPage {
                chrome: Chrome::for_page(inner, "Import a chat", "i"),
                error: None,
                has_chats,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

fn import_error_page(state: &AppState, status: StatusCode, message: String) -> Response {
    with_vault(state, |inner| {
        let has_chats = !inner
            .vault()?
            .chats()
            .map_err(|e| store_error(&e))?
            .is_empty();
        Ok(render(
            status,
            &ImportPage {
                chrome: Chrome::for_page(inner, "Import a chat", "i"),
                error: Some(message),
                has_chats,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

/// Where an upload is spooled while it arrives: the data folder on this
/// computer (private, on the vault's own disk); a hosted server's
/// temporary folder. Either way the bytes are sealed (see [`Spool`]).
fn spool_dir(state: &AppState) -> std::path::PathBuf {
    state
        .data_dir()
        .map(|d| d.path().to_path_buf())
        .unwrap_or_else(std::env::temp_dir)
}

/// Why an upload's field could not be read.
enum FieldError {
    TooLarge,
    Interrupted,
    Store(rekindle_store::StoreError),
}

/// Streams one file field into an encrypted spool as it arrives: a 500 MB
/// export never sits whole in memory, nor in plain text on disk, while it
/// uploads. Writing a 1 MiB sealed chunk takes about a millisecond, so it
/// is done on the async worker between network reads.
async fn spool_field(
    dir: &std::path::Path,
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Spool, FieldError> {
    let mut spool = Spool::create_in(dir).map_err(FieldError::Store)?;
    loop {
        match field.chunk().await {
            Ok(Some(bytes)) => spool.write(&bytes).map_err(FieldError::Store)?,
            Ok(None) => return Ok(spool),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(FieldError::TooLarge);
            }
            Err(_) => return Err(FieldError::Interrupted),
        }
    }
}

pub async fn upload(state: AppState, mut multipart: Multipart) -> Response {
    let mut csrf = None;
    // One file, or the parts (message_1.json, message_2.json, …) of one
    // Messenger or Instagram conversation chosen together.
    let mut files: Vec<Spool> = Vec::new();
    let mut options = ParseOptions::default();
    let mut redact = false;
    let interrupted = |state: &AppState| {
        import_error_page(
            state,
            StatusCode::BAD_REQUEST,
            "The upload was interrupted. Please choose the file again.".into(),
        )
    };
    let dir = spool_dir(&state);
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(&state),
            Err(_) => return interrupted(&state),
        };
        // The file name the browser sends is never used as a path.
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            match spool_field(&dir, &mut field).await {
                Ok(spool) if spool.is_empty() => {}
                Ok(spool) => files.push(spool),
                Err(FieldError::TooLarge) => return too_large(&state),
                Err(FieldError::Interrupted) => return interrupted(&state),
                Err(FieldError::Store(e)) => return store_error(&e),
            }
            continue;
        }
        // The other fields are short: any over a few KB is no form of ours.
        let data = match field.bytes().await {
            Ok(d) if d.len() <= 4096 => d,
            Ok(_) => return interrupted(&state),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(&state),
            Err(_) => return interrupted(&state),
        };
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "csrf" => csrf = Some(text()),
            "redact_contacts" => redact = text() == "on",
            "format" if !text().is_empty() => options.format = text().parse::<Format>().ok(),
            "date_order" if !text().is_empty() => {
                options.date_order = text().parse::<DateOrder>().ok()
            }
            _ => {}
        }
    }
    if !csrf.as_deref().is_some_and(|t| csrf_matches(&state, t)) {
        return plain_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "Nothing was imported. Go back, reload the page, and try again.",
        );
    }
    if files.is_empty() {
        return import_error_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please choose the exported chat file first.".into(),
        );
    }
    // Decrypting a spool reads it back from disk: off the async workers.
    let read = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(Spool::read_all)
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    let parts = match read {
        Ok(Ok(parts)) => parts,
        Ok(Err(e)) => return store_error(&e),
        Err(_) => return store_error(&rekindle_store::StoreError::Corrupt),
    };
    options.chat = ChatChoice::Ask;
    finish_import(&state, parts, options, redact).await
}

/// An export holding several chats, kept in memory (never on disk) while the
/// person chooses one; dropped with the vault's key.
pub struct PendingImport {
    parts: Vec<Zeroizing<Vec<u8>>>,
    format: Option<Format>,
    date_order: Option<DateOrder>,
    redact: bool,
}

#[derive(Template)]
#[template(path = "import_choose.html")]
struct ChoosePage {
    chrome: Chrome,
    /// (value to post, name, what it is, messages)
    chats: Vec<(String, String, String, usize)>,
    error: Option<String>,
}

fn choose_page(
    state: &AppState,
    chats: &[rekindle_chat::ChatInfo],
    error: Option<String>,
) -> Response {
    with_vault(state, |inner| {
        Ok(render(
            if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            },
            &ChoosePage {
                chrome: Chrome::for_page(inner, "Which chat?", "i"),
                chats: chats
                    .iter()
                    .map(|c| {
                        (
                            c.id.clone().or_else(|| c.name.clone()).unwrap_or_default(),
                            c.name.clone().unwrap_or_else(|| "(no name)".to_string()),
                            c.kind.clone().unwrap_or_default(),
                            c.messages,
                        )
                    })
                    .filter(|c| !c.0.is_empty())
                    .collect(),
                error,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

/// Imports `bytes` (off the async workers) and answers with the chats page,
/// an error, or the choice of a chat when the export holds several.
async fn finish_import(
    state: &AppState,
    parts: Vec<Zeroizing<Vec<u8>>>,
    options: ParseOptions,
    redact: bool,
) -> Response {
    let now = state.now();
    let worker = state.clone();
    let (format, date_order) = (options.format, options.date_order);
    // Parsing and storing a large chat takes seconds: off the async workers.
    let result = tokio::task::spawn_blocking(move || {
        let roles = Roles {
            redact,
            ..Roles::default()
        };
        // Lines that are not UTF-8 are repaired in place, not copied (issue
        // 18, item 4); in `rekindle serve` the freed bytes are zeroed anyway.
        let prepared: Vec<rekindle_chat::Prepared> = parts
            .into_iter()
            .map(|mut p| rekindle_chat::prepare(std::mem::take(&mut *p)))
            .collect();
        let slices = &prepared;
        let run = || -> Result<import::ImportReport, Option<ImportError>> {
            // On this computer the import gets a connection of its own, so the
            // vault's lock is held only to open it: every other page keeps
            // answering while a large chat is stored (SQLite's WAL lets them
            // read meanwhile; the import stays one all-or-nothing transaction).
            // A hosted request already has a store of its own.
            let own = {
                let inner = worker.lock();
                match inner.vault.as_ref() {
                    None => return Err(None),
                    Some(OpenStore::Vault(v)) => {
                        Some(v.open_another().map_err(|e| Some(e.into()))?)
                    }
                    Some(OpenStore::Hosted(_)) => None,
                }
            };
            // While the import runs, every message is classified once for the
            // chat's snapshot (no text kept), so its post-mortem opens at once;
            // with the user's word lists, as the post-mortem reads them. Not
            // being able to is no import error.
            let data_dir = worker.data_dir().map(|d| d.path().to_path_buf());
            let import_into =
                |store: &mut dyn rekindle_store::Store| match rekindle_app::topics::lexicons(
                    store,
                    data_dir.as_deref(),
                ) {
                    Ok(lex) => import::import_parts_with_snapshot(
                        store,
                        slices,
                        &options,
                        &roles,
                        now,
                        &mut |_, _| {},
                        &lex,
                    ),
                    Err(e) => {
                        tracing::warn!(event = "snapshot_failed", error = %e);
                        import::import_parts(store, slices, &options, &roles, now, &mut |_, _| {})
                    }
                };
            match own {
                Some(mut vault) => import_into(&mut vault),
                None => {
                    let mut inner = worker.lock();
                    let Some(vault) = inner.vault.as_deref_mut() else {
                        return Err(None);
                    };
                    import_into(vault)
                }
            }
            .map_err(Some)
        };
        let result = run();
        // Kept for a second try when the export holds several chats.
        let parts: Vec<Zeroizing<Vec<u8>>> = prepared
            .into_iter()
            .map(|p| Zeroizing::new(p.into_bytes()))
            .collect();
        (result, parts)
    })
    .await;
    let Ok((result, parts)) = result else {
        return store_error(&rekindle_store::StoreError::Corrupt);
    };
    match result {
        Ok(report) => {
            state.lock().pending_import = None;
            Redirect::to(&format!("/c?imported={}", report.counts.chat_id)).into_response()
        }
        Err(None) => Redirect::to("/u").into_response(),
        Err(Some(ImportError::ChooseChat { chats, problem })) => {
            let error = match problem {
                rekindle_chat::ParseError::ChooseChat { .. } => None,
                p => Some(p.to_string()),
            };
            state.lock().pending_import = Some(PendingImport {
                parts,
                format,
                date_order,
                redact,
            });
            choose_page(state, &chats, error)
        }
        Err(Some(e)) if e.is_user_error() => {
            import_error_page(state, StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        Err(Some(ImportError::Store(e))) => store_error(&e),
        Err(Some(_)) => store_error(&rekindle_store::StoreError::Corrupt),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChooseForm {
    #[serde(default)]
    chat: String,
}

/// The chat chosen from an export holding several: imported from the kept bytes.
pub async fn choose_chat(state: AppState, CsrfForm(form): CsrfForm<ChooseForm>) -> Response {
    let pending = state.lock().pending_import.take();
    let Some(p) = pending else {
        return import_error_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "The export is no longer in memory (the vault locked meanwhile). Please choose the file again.".into(),
        );
    };
    let choice = form.chat.trim();
    let options = ParseOptions {
        format: p.format,
        date_order: p.date_order,
        chat: if choice.is_empty() {
            ChatChoice::Ask
        } else {
            ChatChoice::Pick(choice.to_string())
        },
    };
    finish_import(&state, p.parts, options, p.redact).await
}

pub struct ChatView {
    pub info: ChatInfo,
    pub format_name: &'static str,
    pub first: String,
    pub last: String,
    pub last_added: u64,
    pub last_already: u64,
    pub skipped: u64,
    pub skipped_examples: Vec<(u64, String, String)>,
    pub warnings: Vec<String>,
    pub just_imported: bool,
    /// The post-mortem reads this chat.
    pub analysed: bool,
    /// Messages the import read as a threat or a hurt (`rekindle_app::danger`).
    pub danger_signs: usize,
    /// Who is who not chosen yet: the sender whose name is the one on the
    /// relationship page, offered as the answer.
    pub me_guess: Option<String>,
    pub ex_guess: Option<String>,
}

/// The one sender whose name matches `name` (the relationship page's): the
/// same words ignoring case, or the same first word ("Sam" and "Sam Baker").
/// None when no sender or more than one does.
fn sender_named(senders: &[(String, u64)], name: &str) -> Option<String> {
    let name = name.trim().to_lowercase();
    let first = |s: &str| s.split_whitespace().next().unwrap_or("").to_string();
    if name.is_empty() {
        return None;
    }
    let exact: Vec<&String> = senders
        .iter()
        .map(|(s, _)| s)
        .filter(|s| s.trim().to_lowercase() == name)
        .collect();
    let pick = if exact.is_empty() {
        senders
            .iter()
            .map(|(s, _)| s)
            .filter(|s| first(&s.to_lowercase()) == first(&name))
            .collect()
    } else {
        exact
    };
    match pick.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "chats.html")]
struct ChatsPage {
    chrome: Chrome,
    chats: Vec<ChatView>,
    error: Option<String>,
    saved: bool,
    /// What was just done: "deleted" or "chosen".
    done: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ChatsQuery {
    imported: Option<i64>,
    saved: Option<String>,
    deleted: Option<String>,
    chosen: Option<String>,
}

fn chat_views(
    inner: &mut crate::state::Inner,
    imported: Option<i64>,
) -> Result<Vec<ChatView>, Response> {
    let vault = inner.vault()?;
    let chats = vault.chats().map_err(|e| store_error(&e))?;
    let names = vault
        .relationship()
        .map_err(|e| store_error(&e))?
        .map(|r| (r.my_name, r.their_name));
    let analysed = rekindle_app::postmortem::analysed_chat(vault)
        .map_err(super::method_error)?
        .map(|c| c.id);
    let mut out = Vec::new();
    for info in chats {
        let imports = vault.chat_imports(info.id).map_err(|e| store_error(&e))?;
        let last = imports.last();
        let summary = last.map(|i| &i.summary);
        let get_str = |k: &str| {
            summary
                .and_then(|s| s.get(k))
                .and_then(|v| v.as_str())
                .map(|s| s.replace('T', " "))
                .unwrap_or_default()
        };
        let skipped_examples = summary
            .and_then(|s| s.get("skipped"))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .take(5)
                    .map(|l| {
                        (
                            l.get("line").and_then(|v| v.as_u64()).unwrap_or(0),
                            l.get("reason")
                                .and_then(|v| v.as_str())
                                .unwrap_or("")
                                .to_string(),
                            l.get("excerpt")
                                .and_then(|v| v.as_str())
                                .unwrap_or("")
                                .to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let warnings = summary
            .and_then(|s| s.get("warnings"))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|w| w.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let danger_signs = rekindle_app::danger::for_chat(vault, info.id)
            .map_err(super::method_error)?
            .len();
        out.push(ChatView {
            danger_signs,
            format_name: info
                .format
                .parse::<Format>()
                .map(|f| f.display_name())
                .unwrap_or("Chat"),
            first: get_str("first"),
            last: get_str("last"),
            last_added: last.map(|i| i.added).unwrap_or(0),
            last_already: last.map(|i| i.already_had).unwrap_or(0),
            skipped: last.map(|i| i.skipped_lines).unwrap_or(0),
            skipped_examples,
            warnings,
            just_imported: imported == Some(info.id),
            analysed: analysed == Some(info.id),
            me_guess: names
                .as_ref()
                .filter(|_| info.me.is_none())
                .and_then(|(me, _)| sender_named(&info.senders, me)),
            ex_guess: names
                .as_ref()
                .filter(|_| info.ex.is_none())
                .and_then(|(_, ex)| sender_named(&info.senders, ex)),
            info,
        });
    }
    Ok(out)
}

pub async fn show_chats(state: AppState, Query(q): Query<ChatsQuery>) -> Response {
    with_vault(&state, |inner| {
        let chats = chat_views(inner, q.imported)?;
        Ok(render(
            StatusCode::OK,
            &ChatsPage {
                chrome: Chrome::for_page(inner, "Your chats", "i"),
                chats,
                error: None,
                saved: q.saved.is_some(),
                done: if q.deleted.is_some() {
                    Some("deleted")
                } else if q.chosen.is_some() {
                    Some("chosen")
                } else {
                    None
                },
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesForm {
    chat_id: String,
    #[serde(default)]
    me: String,
    #[serde(default)]
    ex: String,
}

pub async fn save_roles(state: AppState, CsrfForm(form): CsrfForm<RolesForm>) -> Response {
    with_vault(&state, |inner| {
        let Ok(id) = form.chat_id.trim().parse::<i64>() else {
            return Err(super::not_found_page());
        };
        let error =
            match rekindle_app::postmortem::set_roles(inner.vault()?, id, &form.me, &form.ex) {
                Ok(_) => return Ok(Redirect::to("/c?saved=1").into_response()),
                Err(rekindle_app::method::MethodError::Form(e)) => Some(e.summary()),
                Err(e) => return Err(super::method_error(e)),
            };
        let chats = chat_views(inner, None)?;
        Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ChatsPage {
                chrome: Chrome::for_page(inner, "Your chats", "i"),
                chats,
                error,
                saved: false,
                done: None,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatChoiceForm {
    chat_id: String,
    /// The confirmation box of a delete.
    #[serde(default)]
    sure: Option<String>,
}

fn chosen_id(form: &ChatChoiceForm, inner: &mut crate::state::Inner) -> Result<i64, Response> {
    let id = form.chat_id.trim().parse::<i64>().ok();
    let chats = inner.vault()?.chats().map_err(|e| store_error(&e))?;
    id.filter(|id| chats.iter().any(|c| c.id == *id))
        .ok_or_else(super::not_found_page)
}

/// The post-mortem reads this chat from now on.
pub async fn use_chat(state: AppState, CsrfForm(form): CsrfForm<ChatChoiceForm>) -> Response {
    with_vault(&state, |inner| {
        let id = chosen_id(&form, inner)?;
        rekindle_app::postmortem::choose_chat(inner.vault()?, id).map_err(super::method_error)?;
        Ok(Redirect::to("/c?chosen=1").into_response())
    })
    .unwrap_or_else(|r| r)
}

/// Deletes a chat with its messages and imports, once the box is ticked.
pub async fn delete_chat(state: AppState, CsrfForm(form): CsrfForm<ChatChoiceForm>) -> Response {
    with_vault(&state, |inner| {
        let id = chosen_id(&form, inner)?;
        if form.sure.as_deref() != Some("on") {
            let chats = chat_views(inner, None)?;
            return Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ChatsPage {
                    chrome: Chrome::for_page(inner, "Your chats", "i"),
                    chats,
                    error: Some(
                        "To delete a chat, tick the box that says you are sure. Nothing was deleted."
                            .to_string(),
                    ),
                    saved: false,
                    done: None,
                },
            ));
        }
        rekindle_app::postmortem::delete_chat(inner.vault()?, id)
            .map_err(super::method_error)?;
        // The analysis of the deleted chat goes too.
        inner.postmortem = None;
        Ok(Redirect::to("/c?deleted=1").into_response())
    })
    .unwrap_or_else(|r| r)
}

#[cfg(test)]
mod tests {
    use super::sender_named;

    #[test]
    fn a_sender_is_named_only_when_exactly_one_matches() {
        let senders = vec![
            ("Sam Baker".to_string(), 10),
            ("Alex".to_string(), 12),
            ("alex k".to_string(), 1),
        ];
        assert_eq!(sender_named(&senders, "sam"), Some("Sam Baker".into()));
        assert_eq!(sender_named(&senders, " Alex "), Some("Alex".into()));
        assert_eq!(
            sender_named(&senders, "Alex Jones"),
            None,
            "two senders share the first name"
        );
        assert_eq!(sender_named(&senders, "Jo"), None);
        assert_eq!(sender_named(&senders, ""), None);
    }
}
