//! What was typed survives the idle lock (issue 17): a form posted while the
//! vault is locked is kept in memory (never on disk), the unlock page says so,
//! and after unlocking a page posts it again with the new form token.

use axum::extract::Request;
use axum::http::{Method, header};
use zeroize::Zeroizing;

use crate::security::{FORM_BODY_LIMIT, csrf_matches};
use crate::state::AppState;

/// A form posted into a locked vault: where it went and its fields (no form
/// token, no passphrase or password fields).
pub struct Draft {
    pub path: String,
    pub fields: Vec<(String, Zeroizing<String>)>,
}

/// Paths whose forms are not drafts: the unlock form itself, quick exit,
/// locking, and the ones that carry secrets or files.
fn keepable(path: &str) -> bool {
    !matches!(path, "/u" | "/q" | "/lock" | "/i" | "/d" | "/d/discard")
        && !path.starts_with("/account")
}

/// Keeps the form of `req` as the session's draft, if it is a url-encoded
/// POST of this session (its form token matches) to a page that saves
/// something. Returns whether one was kept.
pub async fn keep(state: &AppState, req: Request) -> bool {
    if req.method() != Method::POST || !keepable(req.uri().path()) {
        return false;
    }
    let urlencoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !urlencoded {
        return false;
    }
    let path = req.uri().path().to_string();
    // Read without leaving copies of what was typed (`form`): a passphrase
    // field posted while locked is dropped below, and wiped.
    let Ok(bytes) = crate::form::read_body(req.into_body(), FORM_BODY_LIMIT).await else {
        return false;
    };
    let pairs = crate::form::parse(&bytes);
    let presented = pairs
        .iter()
        .find(|(k, _)| k.as_str() == "csrf")
        .map(|(_, v)| v);
    if !presented.is_some_and(|p| csrf_matches(state, p)) {
        return false;
    }
    let fields = pairs
        .into_iter()
        .filter(|(k, _)| {
            k.as_str() != "csrf" && !k.contains("passphrase") && !k.contains("password")
        })
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    state.lock().draft = Some(Draft { path, fields });
    tracing::info!(event = "draft_kept");
    true
}
