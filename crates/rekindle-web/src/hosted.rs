//! Hosted mode: many accounts on one server. The web layer's side of it:
//! the operator's configuration, the session cookie, and the session layer
//! that turns a request's cookie into that person's own store handle.
//!
//! Nothing about a person stays in the process between requests: the
//! session row in PostgreSQL holds their data key wrapped by a secret that
//! only the cookie carries; each request unwraps it, uses it, and drops it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_store_pg::HostedDb;

use crate::pages::plain_page;
use crate::state::{AppState, Inner, OpenStore, PostmortemCache, RequestInner, Session};
use crate::tokens;

/// Where a browser without a hosted session is sent.
pub const SIGN_IN: &str = "/signin";

/// The session cookie in hosted mode: `__Host-` makes the browser refuse it
/// unless it is `Secure`, has `Path=/` and no `Domain` (security.md item 23).
pub const COOKIE: &str = "__Host-rekindle";

/// The version of the consent text to health-data processing shown at
/// sign-up (security.md item 61); raise it when the text changes.
pub const CONSENT_VERSION: u32 = 1;

/// HSTS for a year (security.md item 22).
pub const HSTS: &str = "max-age=31536000";

/// The operator's configuration of a hosted server.
#[derive(Clone, Debug)]
pub struct HostedConfig {
    /// Host names (with the port when it is not 443) the server answers to;
    /// anything else gets 403 (DNS rebinding, stray virtual hosts).
    pub allowed_hosts: Vec<String>,
}

impl HostedConfig {
    /// The origins our own pages post from: `https://` + each host name.
    pub fn allowed_origins(&self) -> Vec<String> {
        self.allowed_hosts
            .iter()
            .map(|h| format!("https://{h}"))
            .collect()
    }
}

pub struct Hosted {
    pub db: HostedDb,
    pub config: HostedConfig,
    /// Post-mortem analyses by account (counts and indexes, no messages and
    /// no keys), so a click on a number does not re-analyse a long chat.
    /// Bounded: a full cache is emptied.
    postmortems: Mutex<HashMap<i64, (u64, PostmortemCache)>>,
}

/// Analyses kept per process before the cache is emptied.
const POSTMORTEM_CACHE_ACCOUNTS: usize = 64;

impl Hosted {
    pub fn new(db: HostedDb, config: HostedConfig) -> Hosted {
        Hosted {
            db,
            config,
            postmortems: Mutex::new(HashMap::new()),
        }
    }

    fn cached_postmortem(&self, account: i64) -> Option<(u64, PostmortemCache)> {
        let cache = self.postmortems.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(&account).cloned()
    }

    fn keep_postmortem(&self, account: i64, value: Option<(u64, PostmortemCache)>) {
        let mut cache = self.postmortems.lock().unwrap_or_else(|p| p.into_inner());
        match value {
            Some(v) => {
                if cache.len() >= POSTMORTEM_CACHE_ACCOUNTS && !cache.contains_key(&account) {
                    cache.clear();
                }
                cache.insert(account, v);
            }
            None => {
                cache.remove(&account);
            }
        }
    }

    /// Forgets what this process derived from an account (sign-out, deletion).
    pub fn forget(&self, account: i64) {
        self.keep_postmortem(account, None);
    }
}

/// The `Set-Cookie` value that gives the browser its session.
pub fn session_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; Secure; HttpOnly; SameSite=Strict; Path=/")
}

/// The `Set-Cookie` value that removes it.
pub const CLEAR_COOKIE: &str =
    "__Host-rekindle=; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";

/// The hosted half of the session layer: finds this person's session,
/// opens their store for this one request, and afterwards keeps what must
/// outlive it (the crisis flag, the analysis cache).
pub async fn require_session(
    state: AppState,
    hosted: &Hosted,
    token: Option<String>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(token) = token else {
        return to_sign_in(&req);
    };
    let db = hosted.db.clone();
    let now = state.now();
    let lookup = token.clone();
    let opened = match tokio::task::spawn_blocking(move || db.open(&lookup, now)).await {
        Ok(Ok(Some(opened))) => opened,
        Ok(Ok(None)) => return to_sign_in(&req),
        Ok(Err(_)) | Err(_) => {
            tracing::error!(event = "session_open_failed");
            return plain_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server cannot reach its database",
                "Your saved data is safe. Please try again in a minute.",
            );
        }
    };
    let account = opened.account_id;
    let crisis_before = opened.crisis_pending;
    let mut inner = Inner::new(Some(OpenStore::Hosted(Box::new(opened.store))), now);
    inner.session = Some(Session {
        token: tokens::hash(&token),
        csrf: opened.csrf,
        created: opened.created,
    });
    inner.account = Some(opened.username);
    inner.account_id = Some(account);
    inner.crisis_pending.set(crisis_before);
    inner.postmortem = hosted.cached_postmortem(account);
    let shared = RequestInner(Arc::new(Mutex::new(inner)));
    req.extensions_mut().insert(shared.clone());
    let res = next.run(req).await;
    let (crisis_after, postmortem) = {
        let mut inner = shared.0.lock().unwrap_or_else(|p| p.into_inner());
        // The store handle (and its copy of the data key) goes now.
        inner.vault = None;
        (inner.crisis_pending.get(), inner.postmortem.take())
    };
    hosted.keep_postmortem(account, postmortem);
    if crisis_after != crisis_before {
        let db = hosted.db.clone();
        let flagged =
            tokio::task::spawn_blocking(move || db.set_crisis_pending(&token, crisis_after)).await;
        if !matches!(flagged, Ok(Ok(()))) {
            tracing::error!(event = "crisis_flag_not_saved");
        }
    }
    res
}

/// No live session: pages go to the sign-in form; form posts get a page
/// that says nothing was saved.
fn to_sign_in(req: &Request) -> Response {
    if req.method() == axum::http::Method::GET {
        Redirect::to(SIGN_IN).into_response()
    } else {
        plain_page(
            StatusCode::UNAUTHORIZED,
            "You were signed out",
            "For your privacy you are signed out after 15 minutes without activity. Nothing was saved: sign in again, then repeat what you did.",
        )
    }
}
