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
use axum::extract::{ConnectInfo, Json, Path, State};
use axum::http::{StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rekindle_app::share;
use serde::Deserialize;

use crate::clock::Clock;

/// Misses allowed per address per minute before answering 429.
pub const MISSES_PER_MINUTE: u32 = 30;

#[derive(Clone)]
pub struct ShareState {
    dir: PathBuf,
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

impl ShareState {
    /// Counts a miss; true when this address has missed too often this minute.
    fn too_many(&self, ip: IpAddr, miss: bool) -> bool {
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

async fn view(
    State(s): State<ShareState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
) -> Response {
    if s.too_many(addr.ip(), false) {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    }
    let now = s.clock.now();
    match share::load(&s.dir, &id, now) {
        Some(file) => {
            share::record_view(&s.dir, &id, now);
            let json =
                serde_json::json!({ "iv": file.iv, "ciphertext": file.ciphertext }).to_string();
            match (ShareView { sealed_json: json }).render() {
                Ok(html) => Html(html).into_response(),
                Err(_) => not_found(),
            }
        }
        None => {
            s.too_many(addr.ip(), true);
            not_found()
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    proof: String,
    iv: String,
    ciphertext: String,
}

async fn confirm(
    State(s): State<ShareState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    Json(body): Json<ConfirmBody>,
) -> Response {
    if s.too_many(addr.ip(), false) {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    }
    if share::confirm(
        &s.dir,
        &id,
        &body.proof,
        &body.iv,
        &body.ciphertext,
        s.clock.now(),
    ) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        s.too_many(addr.ip(), true);
        not_found()
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

/// Only share routes; everything else (every main-UI path included) is the same 404.
pub fn share_router(dir: PathBuf, clock: Arc<dyn Clock>) -> Router {
    let state = ShareState {
        dir,
        clock,
        misses: Arc::new(Mutex::new(HashMap::new())),
    };
    Router::new()
        .route("/s/{id}", get(view))
        .route("/s/{id}/confirm", post(confirm))
        .route("/share.js", get(js))
        .route("/share.css", get(css))
        .fallback(fallback)
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .layer(from_fn(crate::security::headers))
        .with_state(state)
}

/// Serves the share listener until `shutdown` resolves.
pub async fn serve_shares(
    listener: tokio::net::TcpListener,
    dir: PathBuf,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = share_router(dir, Arc::new(crate::clock::SystemClock));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
