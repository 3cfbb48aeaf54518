//! rekindle-web: the local web app. Routes, templates and the security
//! layer; every rule lives in rekindle-core and every byte in rekindle-store.

// Handlers return `Result<_, Response>` so an early error is already the
// page to send; boxing every response would only add noise.
#![allow(clippy::result_large_err)]

mod assets;
mod charts;
pub mod clock;
pub mod connections;
mod draft;
pub mod form;
pub mod hosted;
mod pages;
pub mod security;
pub mod share_server;
pub mod state;
pub mod tls;
mod tokens;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;

pub use clock::{Clock, ManualClock, SystemClock};
pub use state::{Announce, AppState};

use pages::{
    account, chats, data, exit, guard, help, home, letter, method, outlook, postmortem,
    relationship, report, retract, settings, support, topics, unlock,
};

/// The whole app: every route behind every protection.
pub fn router(state: AppState) -> Router {
    let private = Router::new()
        .route("/", get(home::home))
        .route("/r", get(relationship::show).post(relationship::save))
        .route("/o", get(settings::show).post(settings::save))
        .route("/o/data", get(data::show))
        .route("/o/export", post(data::download_export))
        .route("/o/backup", post(data::download_backup))
        .route("/o/passphrase", post(data::change_passphrase))
        .route("/o/erase", post(data::erase))
        .route("/u", get(unlock::show).post(unlock::submit))
        .route("/q", post(exit::quick_exit))
        .route("/lock", post(unlock::lock_now))
        .route("/d", get(unlock::show_draft))
        .route("/d/discard", post(unlock::discard_draft))
        .route(
            "/i",
            get(chats::show_import)
                .post(chats::upload)
                .layer(chats::upload_limit(state.hosted_mode().is_some())),
        )
        .route("/i/chat", post(chats::choose_chat))
        .route("/c", get(chats::show_chats).post(chats::save_roles))
        .route("/c/use", post(chats::use_chat))
        .route("/c/delete", post(chats::delete_chat))
        .route("/w", get(postmortem::page))
        .route("/w/e/{id}", get(postmortem::evidence))
        .route("/w/f/{key}", get(postmortem::finding))
        .route("/w/problem", post(postmortem::make_problem))
        .route("/w/words", get(topics::show))
        .route("/w/words/add", post(topics::add))
        .route("/w/words/remove", post(topics::remove))
        .route("/w/words/new", post(topics::new_topic))
        .route("/w/p/{id}", get(postmortem::problem_messages))
        .route("/p", get(method::problems))
        .route(
            "/p/new",
            get(method::new_problem).post(method::create_problem),
        )
        .route(
            "/p/{id}",
            get(method::show_problem).post(method::update_problem),
        )
        .route(
            "/p/{id}/plan",
            get(method::show_plan).post(method::save_plan),
        )
        .route("/t", get(method::record))
        .route(
            "/t/{id}",
            get(method::show_checkin).post(method::save_checkin),
        )
        .route("/t/{id}/pause", post(method::pause))
        .route("/s", get(guard::seriousness))
        .route("/s/r/{id}", post(guard::save_readiness))
        .route("/s/self", post(guard::save_self_check))
        .route("/s/ex", post(guard::save_ex_answer))
        .route("/s/o", get(outlook::page))
        .route("/g", get(guard::guard))
        .route("/g/t/{id}", post(guard::save_trigger))
        .route("/g/audit", post(guard::save_audit))
        .route("/g/reminders.ics", get(guard::reminders))
        .route("/n", get(support::network).post(support::add_supporter))
        .route("/l", get(support::learn).post(support::add_book))
        .route("/l/add", post(support::add_curated))
        .route("/l/use", get(support::use_takeaway))
        .route("/l/{id}/status", post(support::set_status))
        .route("/l/{id}/takeaway", post(support::add_takeaway))
        .route("/withdrawn", get(retract::list))
        .route(
            "/withdraw/{kind}/{id}",
            get(retract::confirm).post(retract::withdraw),
        )
        .route("/restore/{kind}/{id}", post(retract::restore))
        .route(
            "/edit/{kind}/{id}",
            get(retract::show_edit).post(retract::save_edit),
        )
        .route("/x", get(report::share))
        .route("/x/report", get(report::view))
        .route("/x/seal", post(report::seal_download))
        .route("/x/link", post(report::create_link))
        .route("/x/letter", get(letter::show).post(letter::act))
        .route("/x/revoke", post(report::revoke_link))
        .route("/h/screen", get(help::show_screen).post(help::save_screen))
        .route("/h/safe", get(help::safe))
        .route("/h/safe/chat", post(help::answer_danger))
        .route("/h/no", get(help::show_ex_no).post(help::save_ex_no))
        .route("/h/no/chat", post(help::answer_boundary))
        .route("/account", get(account::show_account))
        .route("/account/password", post(account::change_password))
        .route("/account/delete", post(account::delete_account))
        .route("/account/export", get(account::download_export))
        .route(
            "/account/import",
            post(account::upload_export).layer(chats::upload_limit(state.hosted_mode().is_some())),
        )
        .route("/signout", post(account::sign_out))
        // The last layer runs first: the session layer finds this person's
        // session before the crisis check looks at it.
        .route_layer(from_fn_with_state(state.clone(), security::crisis_first))
        .route_layer(from_fn_with_state(state.clone(), security::require_session));
    let public = Router::new()
        .route("/login", get(exit::login))
        .route("/signin", get(account::show_sign_in).post(account::sign_in))
        .route("/signup", get(account::show_sign_up).post(account::sign_up))
        .route("/bye", get(exit::bye))
        .route("/h", get(help::help))
        .route("/h/plan", get(help::safety_plan))
        .route("/h/limits", get(help::limits))
        .route("/static/app.css", get(assets::css))
        .route("/static/app.js", get(assets::js))
        .route("/static/report.css", get(assets::report_css))
        .route("/favicon.svg", get(assets::favicon));
    // A hosted server serves its accounts' share links itself, over the same
    // HTTPS, so an ally opens them on a phone; on one computer the separate
    // `rekindle share serve` listener does (it holds no vault key).
    let public = match state.hosted_mode() {
        Some(hosted) => {
            let shares = share_server::share_routes(
                std::sync::Arc::new(hosted.db.public_shares()),
                state.shared.clock.clone(),
            );
            share_server::SHARE_PATHS
                .iter()
                .fold(public, |routes, path| {
                    routes.route_service(path, shares.clone())
                })
        }
        None => public,
    };
    let base = state.base().to_string();
    let outer = state.clone();
    let app = protect(private.merge(public), state);
    if base.is_empty() {
        return app;
    }
    // Every page under this launch's random prefix (the session cookie's
    // path); anything else is the plain 404, behind the same Host check and
    // with the same headers.
    Router::new()
        .nest_service(&base, app)
        .fallback(pages::not_found)
        .layer(from_fn_with_state(outer.clone(), security::host_check))
        .layer(from_fn(security::headers))
        .with_state(outer)
}

/// Wraps routes in the protections shared by every response. Layers,
/// outermost first: security headers (so even errors carry them), panic
/// catcher, Host allow-list, the path prefix on links and redirects, body
/// limit, cross-site check.
pub fn protect(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .fallback(pages::not_found)
        .layer(from_fn_with_state(
            state.clone(),
            security::cross_site_check,
        ))
        .layer(DefaultBodyLimit::max(security::FORM_BODY_LIMIT))
        .layer(from_fn_with_state(state.clone(), security::add_base))
        .layer(from_fn_with_state(state.clone(), security::host_check))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.clone(), security::hsts))
        .layer(from_fn(security::headers))
        .with_state(state)
}

/// The report's body (picked sections only) as HTML, for shares and files.
pub fn report_body(r: rekindle_app::report::Report) -> Result<String, askama::Error> {
    use askama::Template;
    pages::report::ReportBody { r }.render()
}

/// The self-contained sealed report file for `sealed` ("Notes" as its title in discreet mode).
pub fn sealed_file(
    sealed: &rekindle_app::seal::Sealed,
    discreet: bool,
) -> Result<String, askama::Error> {
    pages::report::sealed_html(sealed, discreet)
}

/// A standalone printable page around a report body (inline style, no links out).
pub fn printable_report(body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Progress report</title><style>{}</style></head><body>{body}</body></html>",
        include_str!("../static/report.css")
    )
}

/// A bare page: no panic message, file path or SQL ever reaches the browser.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!(event = "handler_panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong. Your saved data is safe; please reload the page.",
    )
        .into_response()
}

/// Locks the vault when idle even if no request arrives.
pub fn spawn_idle_timer(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        loop {
            tick.tick().await;
            state.expire();
        }
    })
}

/// Serves hosted mode on any listener (TLS, or plain TCP behind a proxy)
/// until `shutdown` resolves. Sessions expire in the database, so there is
/// no idle timer.
pub async fn serve_on<L>(
    listener: L,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener<Addr = std::net::SocketAddr>,
{
    let listener = connections::limited_with_peer(listener, connections::Limits::HOSTED);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Serves the app on an already-bound loopback listener until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let timer = spawn_idle_timer(state.clone());
    let listener = connections::Limited::new(listener, connections::Limits::DEFAULT);
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    timer.abort();
    result
}
