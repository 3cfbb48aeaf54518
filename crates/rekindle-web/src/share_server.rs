//! The share listener: a separate server that serves *only* share pages
//! (`rekindle share serve --bind ADDR:PORT`). It holds no vault key and no
//! session; it reads ciphertext from the shares folder. A revoked, expired
//! and never-existing id get the very same bytes.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, Json, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rekindle_app::share;
use rekindle_store::{ShareBox, ShareDir};
use serde::Deserialize;

use crate::clock::Clock;

/// Misses allowed per address per minute before answering 429.
pub const MISSES_PER_MINUTE: u32 = 30;

#[derive(Clone)]
pub struct ShareState {
    share_box: Arc<dyn ShareBox>,
    clock: Arc<dyn Clock>,
    misses: Arc<Mutex<HashMap<IpAddr, (i64, u32)>>>,
}

#[derive(Template)]
#[template(path = "share_view.html")]
struct ShareView {
    sealed_json: String,
}

const NOT_FOUND: &str = "Not found.";

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        NOT_FOUND,
    )
        .into_response()
}

/// The peer's address, when the server was started with connection info
/// (both listeners are; a test router may not be). Behind a proxy that the
/// listener was told to trust ([`TrustForwarded`]), the address the proxy
/// appended last to `X-Forwarded-For`; otherwise a forwarded header is
/// ignored, since anyone could send one.
struct Peer(Option<IpAddr>);

/// Set as a request extension by a share listener running behind a proxy.
#[derive(Clone, Copy)]
pub struct TrustForwarded;

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .extensions
            .get::<TrustForwarded>()
            .and_then(|_| parts.headers.get("x-forwarded-for"))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok());
        Ok(Peer(forwarded.or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })))
    }
}

/// The link id from `/s/{id}`. Read as a list because a hosted server
/// mounts these routes inside its own `/s/{id}` route, and axum then hands
/// over the id once per level: the innermost is the one matched here.
struct ShareId(String);

impl<S: Send + Sync> FromRequestParts<S> for ShareId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(ids) = Path::<Vec<String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        ids.into_iter().last().map(ShareId).ok_or_else(not_found)
    }
}

impl ShareState {
    /// Counts a miss; true when this address has missed too often this minute.
    fn too_many(&self, Peer(ip): &Peer, miss: bool) -> bool {
        let ip = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let minute = self.clock.now().as_second() / 60;
        let mut m = self.misses.lock().unwrap_or_else(|p| p.into_inner());
        let entry = m.entry(ip).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if miss {
            entry.1 += 1;
        }
        entry.1 > MISSES_PER_MINUTE
    }
}

async fn view(State(s): State<ShareState>, peer: Peer, ShareId(id): ShareId) -> Response {
    if s.too_many(&peer, false) {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    }
    let now = s.clock.now();
    // Nothing is written here: a GET is what link previewers send. The
    // page's script posts the view once it has opened the report.
    match share::load(&*s.share_box, &id, now) {
        Some(file) => {
            let json =
                serde_json::json!({ "iv": file.iv, "ciphertext": file.ciphertext }).to_string();
            match (ShareView { sealed_json: json }).render() {
                Ok(html) => Html(html).into_response(),
                Err(_) => not_found(),
            }
        }
        None => {
            s.too_many(&peer, true);
            not_found()
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewBody {
    proof: String,
}

/// The share page opened the report with the link's key: one view counted.
async fn opened(
    State(s): State<ShareState>,
    peer: Peer,
    ShareId(id): ShareId,
    Json(body): Json<ViewBody>,
) -> Response {
    if s.too_many(&peer, false) {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    }
    if share::record_view(&*s.share_box, &id, &body.proof, s.clock.now()) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        s.too_many(&peer, true);
        not_found()
    }
}

/// What the ally's page shows when a link took its hourly number of confirmations.
pub const TOO_MANY_CONFIRMATIONS: &str = "Too many confirmations were sent for this link just now. Nothing was saved; please try again in an hour.";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    proof: String,
    iv: String,
    ciphertext: String,
}

async fn confirm(
    State(s): State<ShareState>,
    peer: Peer,
    ShareId(id): ShareId,
    Json(body): Json<ConfirmBody>,
) -> Response {
    if s.too_many(&peer, false) {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    }
    match share::confirm(
        &*s.share_box,
        &id,
        &body.proof,
        &body.iv,
        &body.ciphertext,
        s.clock.now(),
    ) {
        share::ConfirmOutcome::Stored => StatusCode::NO_CONTENT.into_response(),
        share::ConfirmOutcome::TooManyThisHour => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            TOO_MANY_CONFIRMATIONS,
        )
            .into_response(),
        share::ConfirmOutcome::Refused => {
            s.too_many(&peer, true);
            not_found()
        }
    }
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../static/share.js"),
    )
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/share.css"),
    )
}

async fn fallback() -> Response {
    not_found()
}

/// The paths share pages use; a hosted server routes these to [`share_routes`].
pub const SHARE_PATHS: [&str; 5] = [
    "/s/{id}",
    "/s/{id}/confirm",
    "/share.js",
    "/share.css",
    "/s/{id}/view",
];

/// The share routes over any share box, without a fallback or headers.
pub fn share_routes(share_box: Arc<dyn ShareBox>, clock: Arc<dyn Clock>) -> Router {
    let state = ShareState {
        share_box,
        clock,
        misses: Arc::new(Mutex::new(HashMap::new())),
    };
    Router::new()
        .route(SHARE_PATHS[0], get(view))
        .route(SHARE_PATHS[1], post(confirm))
        .route(SHARE_PATHS[2], get(js))
        .route(SHARE_PATHS[3], get(css))
        .route(SHARE_PATHS[4], post(opened))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .with_state(state)
}

/// Only share routes; everything else (every main-UI path included) is the same 404.
pub fn share_router(dir: PathBuf, clock: Arc<dyn Clock>) -> Router {
    share_routes(Arc::new(ShareDir::new(dir)), clock)
        .fallback(fallback)
        .layer(from_fn(crate::security::headers))
}

/// Serves the share listener on any listener (plain TCP on loopback or
/// behind a proxy, TLS on a network) until `shutdown` resolves.
pub async fn serve_shares<L>(
    listener: L,
    dir: PathBuf,
    behind_proxy: bool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    let mut app = share_router(dir, Arc::new(crate::clock::SystemClock));
    if behind_proxy {
        app = app.layer(axum::Extension(TrustForwarded));
    }
    let listener =
        crate::connections::limited_with_peer(listener, crate::connections::Limits::DEFAULT);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
