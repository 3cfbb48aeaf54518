//! The protections every request passes through (security.md §B and §C):
//! headers on every response, the Host allow-list against DNS rebinding,
//! the session cookie, and cross-site request checks.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use crate::pages::plain_page;
use crate::state::{AppState, Mode};
use crate::tokens;

pub const SESSION_COOKIE: &str = "rekindle_session";
/// Request bodies above this are refused (security.md table).
pub const FORM_BODY_LIMIT: usize = 64 * 1024;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Adds the security headers to every response, errors and static files
/// included, and makes sure no CORS header ever leaves.
pub async fn headers(req: Request, next: Next) -> Response {
    // A form post's raw bytes (a passphrase, a journal entry) sit in the
    // connection's read buffer until the connection ends: after a post the
    // connection closes, so that buffer is freed (and, in `rekindle serve`,
    // zeroed by its allocator) as soon as the answer is sent (issue 18, item 6).
    let post = req.method() == Method::POST;
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if post {
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    for name in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-private-network",
        "access-control-allow-methods",
        "access-control-allow-headers",
    ] {
        h.remove(name);
    }
    res
}

/// Hosted mode is only ever reached over HTTPS: browsers are told to keep it
/// that way for a year (security.md item 22). Local mode (plain HTTP on
/// loopback) gets no HSTS.
pub async fn hsts(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if state.hosted_mode().is_some() {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(crate::hosted::HSTS),
        );
    }
    res
}

/// The Host header values this server answers to: locally the loopback
/// names for our own port; hosted, the operator's list.
fn allowed_hosts(state: &AppState) -> Vec<String> {
    match &state.shared.mode {
        Mode::Local(local) => {
            let port = local.port;
            vec![
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
            ]
        }
        Mode::Hosted(h) => h.config.allowed_hosts.clone(),
    }
}

/// The origins our own pages post from.
fn allowed_origins(state: &AppState) -> Vec<String> {
    match &state.shared.mode {
        Mode::Local(_) => allowed_hosts(state)
            .into_iter()
            .map(|h| format!("http://{h}"))
            .collect(),
        Mode::Hosted(h) => h.config.allowed_origins(),
    }
}

/// Only our own host names are accepted, before routing: a page on
/// evil.example that rebinds its name to our address gets 403.
pub async fn host_check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let allowed = allowed_hosts(&state);
    let ok = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| allowed.iter().any(|a| a.eq_ignore_ascii_case(host)));
    if !ok {
        tracing::warn!(event = "host_rejected");
        return (StatusCode::FORBIDDEN, "Forbidden: unknown host.").into_response();
    }
    next.run(req).await
}

/// The largest page [`add_base`] rewrites (larger ones are sent as they are).
const MAX_REWRITTEN_PAGE: usize = 64 * 1024 * 1024;

/// Puts this launch's path prefix ([`AppState::base`]) in front of the
/// site-absolute paths the pages and redirects use (`href="/r"`,
/// `Location: /u`), so links stay under the session cookie's path. Downloads
/// (`Content-Disposition`) are left as they are.
pub async fn add_base(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let base = state.base();
    if base.is_empty() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    if let Some(location) = parts
        .headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        && let Ok(v) = HeaderValue::from_str(&format!("{base}{location}"))
    {
        parts.headers.insert(header::LOCATION, v);
    }
    let html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !html || parts.headers.contains_key(header::CONTENT_DISPOSITION) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = to_bytes(body, MAX_REWRITTEN_PAGE).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The page was too large to show.",
        )
            .into_response();
    };
    let page = match String::from_utf8(bytes.to_vec()) {
        Ok(text) => prefix_paths(&text, base),
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

/// `page` with `base` in front of every site-absolute path in an `href`,
/// `action`, `src` or `formaction` attribute (`="/…"`, not `="//…"`).
/// Text the person wrote cannot match: templates escape its quotes.
pub fn prefix_paths(page: &str, base: &str) -> String {
    const ATTRS: [&str; 4] = ["href", "action", "src", "formaction"];
    let mut out = String::with_capacity(page.len() + 64 * base.len());
    let mut rest = page;
    while let Some(at) = rest.find("=\"/") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let attr_ok = ATTRS.iter().any(|a| {
            before.ends_with(a)
                && before[..before.len() - a.len()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_whitespace)
        });
        // after = `="/…`
        out.push_str("=\"");
        if attr_ok && !after[2..].starts_with("//") {
            out.push_str(base);
        }
        rest = &after[2..];
    }
    out.push_str(rest);
    out
}

/// Rejects a state-changing request that a browser marks as coming from
/// another site, or whose Origin is not ours. The form token is checked
/// separately by [`CsrfForm`].
pub async fn cross_site_check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return next.run(req).await;
    }
    if !same_site(req.headers(), &allowed_origins(&state)) {
        tracing::warn!(event = "cross_site_rejected");
        return forbidden();
    }
    next.run(req).await
}

fn same_site(headers: &HeaderMap, allowed: &[String]) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or(""));
    if let Some(site) = fetch_site
        && site != "same-origin"
        && site != "none"
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        // With `Referrer-Policy: no-referrer`, Chromium sends `Origin: null`
        // on our own form posts. Accept that only when the browser's fetch
        // metadata vouches for the same origin (and the form token still
        // has to match).
        if origin == "null" && fetch_site == Some("same-origin") {
            return true;
        }
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(origin)) {
            return false;
        }
    }
    true
}

fn forbidden() -> Response {
    plain_page(
        StatusCode::FORBIDDEN,
        "This request was refused",
        "It did not come from a rekindle page. Nothing was changed. Go back and use the form on the page.",
    )
}

/// The session token from the cookie header, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// The value of the cookie called `name`, if the request carries it.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

/// Routes behind this need a live session; with the vault locked, every
/// page but the unlock page redirects there.
pub async fn require_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Mode::Hosted(hosted) = &state.shared.mode {
        let token = cookie_value(req.headers(), crate::hosted::COOKIE);
        return crate::hosted::require_session(state.clone(), hosted, token, req, next).await;
    }
    state.expire();
    let presented = session_cookie(req.headers()).map(|t| tokens::hash(&t));
    let now = state.now();
    let locked = {
        let mut inner = state.lock();
        let valid = match (&inner.session, presented) {
            (Some(s), Some(p)) => tokens::same(&s.token, &p),
            _ => false,
        };
        if !valid {
            drop(inner);
            return plain_page(
                StatusCode::UNAUTHORIZED,
                "Please open rekindle from your terminal",
                "For your privacy, rekindle only opens through the private link printed in the terminal where it runs. \
                 If that link was already used, the terminal shows a new one.",
            );
        }
        inner.last_activity = now;
        inner.vault.is_none()
    };
    // The unlock page, forgetting a draft and quick exit work while locked.
    if locked && !matches!(req.uri().path(), "/u" | "/d/discard" | "/q") {
        // What was typed into a form is kept for after the unlock.
        crate::draft::keep(&state, req).await;
        return Redirect::to("/u").into_response();
    }
    next.run(req).await
}

/// True when `presented` is the current session's form token.
pub fn csrf_matches(state: &AppState, presented: &str) -> bool {
    let expected = state.lock().session.as_ref().map(|s| s.csrf.clone());
    expected.is_some_and(|e| tokens::same(&tokens::hash(presented), &tokens::hash(&e)))
}

/// True when the request carries the live session's cookie.
pub fn has_session(state: &AppState, headers: &HeaderMap) -> bool {
    let presented = session_cookie(headers).map(|t| tokens::hash(&t));
    let inner = state.lock();
    match (&inner.session, presented) {
        (Some(s), Some(p)) => tokens::same(&s.token, &p),
        _ => false,
    }
}

/// A url-encoded form (token checked) whose fields are kept as pairs, for
/// forms whose field names come from a list (the safety screen).
pub struct RawForm(pub Vec<(String, String)>);

impl FromRequest<AppState> for RawForm {
    type Rejection = Response;

    async fn from_request(req: Request<Body>, state: &AppState) -> Result<Self, Self::Rejection> {
        let CsrfForm(pairs) = CsrfForm::<Vec<(String, String)>>::from_request(req, state).await?;
        Ok(RawForm(pairs))
    }
}

/// A url-encoded form posted before there is a session (hosted sign-in and
/// sign-up), so without a form token: the cross-site check and SameSite
/// cookies guard it. Unknown fields are refused by `T`.
pub struct PlainForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PlainForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request<Body>, _: &AppState) -> Result<Self, Self::Rejection> {
        // Read without leaving copies of a typed password (`form`).
        let bytes = crate::form::read_body(req.into_body(), FORM_BODY_LIMIT)
            .await
            .map_err(|_| bad_form())?;
        crate::form::from_bytes(&bytes)
            .map(PlainForm)
            .map_err(|_| bad_form())
    }
}

/// A url-encoded form whose `csrf` field matched the session's token.
/// The remaining fields are deserialized into `T`, which refuses unknown fields.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request<Body>, state: &AppState) -> Result<Self, Self::Rejection> {
        // This person's session (hosted mode keeps it in the request).
        let state = &state.for_request(req.extensions());
        // Read without leaving copies of a typed passphrase (`form`).
        let bytes = crate::form::read_body(req.into_body(), FORM_BODY_LIMIT)
            .await
            .map_err(|_| {
                plain_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "That was too much text",
                    "Please shorten what you wrote and try again. Nothing was saved.",
                )
            })?;
        let mut pairs = crate::form::parse(&bytes);
        drop(bytes);
        let presented = pairs
            .iter()
            .position(|(k, _)| k.as_str() == "csrf")
            .map(|i| pairs.remove(i).1);
        if !presented.is_some_and(|p| csrf_matches(state, &p)) {
            tracing::warn!(event = "csrf_rejected");
            return Err(plain_page(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Nothing was saved. Go back, reload the page, and try again.",
            ));
        }
        // Words of self-harm or danger in anything typed: the crisis card comes
        // first (passphrases and passwords are not read for this).
        if rekindle_app::crisis::mentions(
            pairs
                .iter()
                .filter(|(k, _)| !is_secret_field(k))
                .map(|(_, v)| v.as_str()),
        ) {
            state.lock().crisis_pending.set(true);
        }
        crate::form::deserialize(&pairs)
            .map(CsrfForm)
            .map_err(|_| bad_form())
    }
}

/// A form field that holds a passphrase or a password (the account page's
/// `old`, `new` and `confirm`, the unlock and sign-up pages' `confirm`): never
/// read by the crisis check, so that a secret cannot bring up the crisis card
/// (or be read for anything at all).
fn is_secret_field(name: &str) -> bool {
    name.contains("passphrase")
        || name.contains("password")
        || matches!(name, "old" | "new" | "confirm")
}

fn bad_form() -> Response {
    plain_page(
        StatusCode::BAD_REQUEST,
        "That form could not be read",
        "Nothing was saved. Go back, reload the page, and try again.",
    )
}

/// After a form with crisis words was saved (a redirect), the person is taken
/// to the help lines with the crisis card first instead of the usual page.
pub async fn crisis_first(
    State(state): State<AppState>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    let state = state.for_request(req.extensions());
    let res = next.run(req).await;
    if res.status().is_redirection() && state.lock().crisis_pending.take() {
        return axum::response::Redirect::to("/h?crisis=1").into_response();
    }
    res
}

#[cfg(test)]
mod tests {
    use super::{is_secret_field, prefix_paths};

    #[test]
    fn secrets_are_never_read_by_the_crisis_check() {
        for name in [
            "passphrase",
            "new_passphrase",
            "password",
            "old",
            "new",
            "confirm",
        ] {
            assert!(is_secret_field(name), "{name}");
        }
        for name in [
            "note",
            "trigger",
            "instead",
            "description",
            "text",
            "reason",
        ] {
            assert!(!is_secret_field(name), "{name}");
        }
    }

    #[test]
    fn only_site_absolute_paths_in_link_attributes_get_the_prefix() {
        let page = r##"<a href="/r">x</a> <form action="/q" method="post"><button formaction="/lock">
<script src="/static/app.js"></script><link
  href="/static/app.css"><a href="//elsewhere">y</a> <a href="https://example.org/">z</a>
<p data-href="/x">text as templates escape it: href=&quot;/z&quot;</p><a href="#top">t</a>"##;
        let want = r##"<a href="/B/r">x</a> <form action="/B/q" method="post"><button formaction="/B/lock">
<script src="/B/static/app.js"></script><link
  href="/B/static/app.css"><a href="//elsewhere">y</a> <a href="https://example.org/">z</a>
<p data-href="/x">text as templates escape it: href=&quot;/z&quot;</p><a href="#top">t</a>"##;
        assert_eq!(prefix_paths(page, "/B"), want);
        assert_eq!(prefix_paths("no links", "/B"), "no links");
    }
}
