//! Every protection of the local web app, driven through the real router.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use rekindle_store::{DataDir, KdfParams};
use rekindle_web::{AppState, Clock, ManualClock};
use tower::ServiceExt;

const PORT: u16 = 43210;
const HOST: &str = "127.0.0.1:43210";
const PASS: &str = "a quiet walk by the river at dawn";

struct App {
    _tmp: tempfile::TempDir,
    state: AppState,
    clock: Arc<ManualClock>,
    announced: Arc<Mutex<Vec<String>>>,
}

impl App {
    fn new(with_vault: bool) -> App {
        Self::new_at(with_vault, "")
    }

    /// An app whose pages live under `base`, as `rekindle serve` runs it.
    fn new_at(with_vault: bool, base: &str) -> App {
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_second(1_780_000_000).unwrap(),
        ));
        Self::start(
            tempfile::tempdir().unwrap(),
            with_vault,
            base,
            clock,
            Arc::new(Mutex::new(Vec::new())),
        )
    }

    /// The app on the data folder in `tmp` (created with a vault when asked).
    fn start(
        tmp: tempfile::TempDir,
        with_vault: bool,
        base: &str,
        clock: Arc<ManualClock>,
        announced: Arc<Mutex<Vec<String>>>,
    ) -> App {
        let dir = DataDir::open(&tmp.path().join("data"))
            .unwrap()
            .with_kdf_target(KdfParams::FLOOR)
            .unwrap();
        let vault = with_vault.then(|| dir.create(PASS, KdfParams::FLOOR).unwrap());
        let sink = announced.clone();
        let state = AppState::new_at(
            dir,
            vault,
            PORT,
            base.to_string(),
            clock.clone(),
            Arc::new(move |url: &str| sink.lock().unwrap().push(url.to_string())),
        );
        App {
            _tmp: tmp,
            state,
            clock,
            announced,
        }
    }

    fn router(&self) -> Router {
        rekindle_web::router(self.state.clone())
    }

    /// `rekindle serve` stopped and started again on the same folder, locked:
    /// what it kept in memory is gone, the folder's files are not.
    fn restart(self) -> App {
        self.restart_after(|_| {})
    }

    /// [`App::restart`], running `between` on the data folder while it is stopped.
    fn restart_after(self, between: impl FnOnce(&std::path::Path)) -> App {
        let App {
            _tmp: tmp,
            state,
            clock,
            announced,
        } = self;
        drop(state);
        between(&tmp.path().join("data"));
        Self::start(tmp, false, "", clock, announced)
    }

    async fn send(&self, req: Request<Body>) -> Response<Body> {
        self.router().oneshot(req).await.unwrap()
    }

    /// Logs in with the one-time URL and returns the session cookie.
    async fn login(&self) -> String {
        let url = self.state.new_login_url().unwrap();
        let path = url.trim_start_matches(&format!("http://{HOST}"));
        let res = self.send(get(path, None)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        cookie_of(&res)
    }

    fn csrf(&self) -> String {
        self.state.lock().session.as_ref().unwrap().csrf.clone()
    }

    /// Imports a WhatsApp export straight into the unlocked vault.
    fn import_chat(&self, text: &str) {
        let mut inner = self.state.lock();
        let vault = &mut **inner.vault.as_mut().unwrap();
        rekindle_app::import::import(
            vault,
            text.as_bytes(),
            &Default::default(),
            &Default::default(),
            Timestamp::from_second(1_780_000_000).unwrap(),
            &mut |_, _| {},
        )
        .unwrap();
    }

    fn relationship_count(&self) -> usize {
        let inner = self.state.lock();
        inner
            .vault
            .as_ref()
            .map(|v| v.relationship_history().unwrap().len())
            .unwrap_or(0)
    }
}

fn cookie_of(res: &Response<Body>) -> String {
    let set = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_string()
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

/// A same-origin form POST, headers only (for tests that change one of them).
fn post(path: &str, cookie: &str) -> axum::http::request::Builder {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, format!("http://{HOST}"))
}

/// A same-origin form POST with its body.
fn form_post(path: &str, cookie: &str, body: &str) -> Request<Body> {
    post(path, cookie)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

async fn text(res: Response<Body>) -> String {
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// Every route of the router (GATE, which `every_route_has_a_gate_class`
/// checks against src/lib.rs) with sample values for its parameters, plus a
/// few more of the post-mortem's findings and a path that does not exist: a
/// new route is in this list without anyone adding it.
fn routes() -> Vec<String> {
    const MORE: &[&str] = &[
        "/w/f/h-0-contempt",
        "/w/f/m-0",
        "/w/f/u-0-23",
        "/w/f/y-0",
        "/withdraw/problem/1",
        "/nope",
    ];
    let sample = |path: &str| {
        path.replace("{id}", "1")
            .replace("{key}", "s-0")
            .replace("{kind}", "supporter")
    };
    let mut all: Vec<String> = GATE.iter().map(|(p, _)| sample(p)).collect();
    all.extend(MORE.iter().map(|p| p.to_string()));
    assert!(
        all.iter().all(|p| !p.contains('{')),
        "a route parameter without a sample value: {all:?}"
    );
    all
}

#[tokio::test]
async fn wrong_host_is_refused_on_every_route_and_method() {
    let app = App::new(true);
    let cookie = app.login().await;
    for path in &routes() {
        for host in [
            "evil.example:43210",
            "127.0.0.1:9999",
            "localhost",
            "attacker.127.0.0.1.nip.io:43210",
        ] {
            for method in ["GET", "POST"] {
                let req = Request::builder()
                    .method(method)
                    .uri(path.as_str())
                    .header(header::HOST, host)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap();
                let res = app.send(req).await;
                assert_eq!(
                    res.status(),
                    StatusCode::FORBIDDEN,
                    "{method} {path} with Host {host}"
                );
                assert!(res.headers().contains_key(header::CONTENT_SECURITY_POLICY));
            }
        }
    }
    // A request with no Host header at all is refused too.
    let res = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn security_headers_are_on_every_response_and_no_cors_ever() {
    let app = App::new(true);
    let cookie = app.login().await;
    let mut responses = Vec::new();
    for path in &routes() {
        responses.push((path.to_string(), app.send(get(path, Some(&cookie))).await));
        responses.push((
            format!("{path} (no cookie)"),
            app.send(get(path, None)).await,
        ));
    }
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/r")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "http://evil.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-private-network", "true")
        .body(Body::empty())
        .unwrap();
    responses.push(("OPTIONS preflight".into(), app.send(preflight).await));
    for (what, res) in &responses {
        let h = res.headers();
        assert_eq!(
            h[header::CONTENT_SECURITY_POLICY],
            rekindle_web::security::CSP,
            "{what}"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{what}");
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{what}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{what}");
        for cors in [
            "access-control-allow-origin",
            "access-control-allow-private-network",
            "access-control-allow-credentials",
        ] {
            assert!(!h.contains_key(cors), "{what} has {cors}");
        }
    }
    let static_css = responses
        .iter()
        .find(|(p, _)| p == "/static/app.css")
        .unwrap();
    assert_eq!(static_css.1.status(), StatusCode::OK);
    let not_found = responses.iter().find(|(p, _)| p == "/nope").unwrap();
    assert_eq!(not_found.1.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn private_pages_need_the_session_cookie() {
    let app = App::new(true);
    for path in ["/", "/r", "/o", "/u"] {
        let res = app.send(get(path, None)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        let res = app
            .send(get(
                path,
                Some("rekindle_session=00112233445566778899aabbccddeeff"),
            ))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{path} with a made-up cookie"
        );
    }
    let body = text(app.send(get("/", None)).await).await;
    assert!(body.contains("private link printed in the terminal"));
}

#[tokio::test]
async fn login_token_works_once_and_sets_a_strict_cookie() {
    let app = App::new(true);
    let url = app.state.new_login_url().unwrap();
    let path = url
        .trim_start_matches(&format!("http://{HOST}"))
        .to_string();
    let token = path.split("token=").nth(1).unwrap();
    assert_eq!(token.len(), 32, "128-bit token as hex");
    let res = app.send(get(&path, None)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[header::LOCATION],
        "/",
        "redirects to a clean URL"
    );
    let set = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(
        !set.contains(token),
        "the login token is not the session id"
    );
    let again = app.send(get(&path, None)).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let bad = app
        .send(get("/login?token=ffffffffffffffffffffffffffffffff", None))
        .await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let home = app.send(get("/", Some(&cookie_of(&res)))).await;
    assert_eq!(home.status(), StatusCode::OK);
}

/// The site-absolute paths (`="/…"`) in a page's links, forms and scripts.
fn paths_in(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "action=\"", "src=\""] {
        for piece in page.split(attr).skip(1) {
            let value = piece.split('"').next().unwrap();
            if value.starts_with('/') {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// Issue 18 item 8: browsers send a cookie to every port of 127.0.0.1, so
/// the session cookie is scoped to a random path for each launch, and every
/// page, link, form, redirect and asset lives under it.
#[tokio::test]
async fn every_page_and_the_session_cookie_live_under_the_launch_prefix() {
    const BASE: &str = "/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let app = App::new_at(true, BASE);
    let url = app.state.new_login_url().unwrap();
    assert!(
        url.starts_with(&format!("http://{HOST}{BASE}/login?token=")),
        "{url}"
    );
    let login = url.trim_start_matches(&format!("http://{HOST}"));
    let res = app.send(get(login, None)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], format!("{BASE}/"));
    let set = res.headers()[header::SET_COOKIE].to_str().unwrap();
    let attrs: Vec<&str> = set.split(';').map(str::trim).collect();
    assert!(attrs.contains(&format!("Path={BASE}").as_str()), "{set}");
    assert!(!attrs.contains(&"Path=/"), "{set}");
    let cookie = cookie_of(&res);

    // Pages answer under the prefix, and every link on them stays under it.
    for page in ["/", "/r", "/o", "/t", "/p/new", "/h", "/x"] {
        let res = app.send(get(&format!("{BASE}{page}"), Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        let html = text(res).await;
        let paths = paths_in(&html);
        assert!(paths.len() >= 3, "{page}: {paths:?}");
        for p in &paths {
            assert!(p.starts_with(&format!("{BASE}/")), "{page} links to {p}");
        }
    }
    let css = app.send(get(&format!("{BASE}/static/app.css"), None)).await;
    assert_eq!(css.status(), StatusCode::OK);

    // Outside the prefix there is nothing: the plain 404, even with the
    // cookie, with the usual headers; the Host check still comes first.
    let not_found = text(app.send(get("/nope", None)).await).await;
    for path in [
        "/",
        "/r",
        "/login",
        "/static/app.css",
        "/0f1e2d3c/r",
        &format!("{BASE}x/r"),
    ] {
        let res = app.send(get(path, Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(res.headers().contains_key(header::CONTENT_SECURITY_POLICY));
        assert_eq!(text(res).await, not_found, "{path}");
    }
    let wrong_host = Request::get("/r")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(wrong_host).await.status(), StatusCode::FORBIDDEN);
    for path in routes() {
        let req = Request::get(format!("{BASE}{path}"))
            .header(header::HOST, "attacker.127.0.0.1.nip.io:43210")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.send(req).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // A saved form redirects under the prefix.
    let body = form(&[
        ("csrf", &app.csrf()),
        ("their_name", "Alex"),
        ("who_ended", "them"),
    ]);
    let res = app
        .send(form_post(&format!("{BASE}/r"), &cookie, &body))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[header::LOCATION].to_str().unwrap();
    assert!(to.starts_with(&format!("{BASE}/")), "{to}");
    assert_eq!(app.relationship_count(), 1);

    // Quick exit clears the cookie on its own path and goes to the neutral page.
    let res = app
        .send(form_post(
            &format!("{BASE}/q"),
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.headers()[header::LOCATION], format!("{BASE}/bye"));
    let cleared = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cleared.contains(&format!("Path={BASE};")) && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let bye = app.send(get(&format!("{BASE}/bye"), None)).await;
    assert_eq!(bye.status(), StatusCode::OK);
}

#[test]
fn each_launch_gets_its_own_random_prefix() {
    let a = rekindle_web::state::random_base().unwrap();
    let b = rekindle_web::state::random_base().unwrap();
    assert_ne!(a, b);
    for base in [&a, &b] {
        assert_eq!(base.len(), 33, "{base}");
        assert!(base.starts_with('/'));
        assert!(base[1..].chars().all(|c| c.is_ascii_hexdigit()), "{base}");
    }
}

#[tokio::test]
async fn saving_the_relationship_round_trips_and_escapes_html() {
    let app = App::new(true);
    let cookie = app.login().await;
    let body = form(&[
        ("csrf", &app.csrf()),
        ("my_name", "Sam <script>alert(1)</script>"),
        ("their_name", "Alex"),
        ("their_pronouns", "she/her"),
        ("started_on", "2019-05-01"),
        ("ended_on", "2024-10-02"),
        ("who_ended", "them"),
        ("how_it_ended", "A long talk."),
        ("reasons_given", "My drinking."),
        ("my_view", "I was not there."),
    ]);
    let res = app.send(form_post("/r", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/r?saved=1");
    let page = text(app.send(get("/r?saved=1", Some(&cookie))).await).await;
    assert!(page.contains("Saved."));
    assert!(page.contains("value=\"Alex\""));
    assert!(page.contains("My drinking."));
    assert!(
        page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"),
        "escaped"
    );
    assert!(!page.contains("<script>alert(1)</script>"));
    assert_eq!(app.relationship_count(), 1);
}

#[tokio::test]
async fn a_full_disk_answers_503_saves_nothing_and_keeps_the_rest() {
    let app = App::new(true);
    let cookie = app.login().await;
    app.state
        .lock()
        .vault
        .as_ref()
        .unwrap()
        .sqlite()
        .unwrap()
        .simulate_full_disk(1)
        .unwrap();
    let mut last = None;
    for i in 0..60 {
        let before = app.relationship_count();
        let view = format!("{i} {}", "what I would do differently ".repeat(300));
        let body = form(&[
            ("csrf", &app.csrf()),
            ("my_name", "Sam"),
            ("their_name", "Alex"),
            ("who_ended", "them"),
            ("my_view", &view),
        ]);
        let res = app.send(form_post("/r", &cookie, &body)).await;
        if res.status() == StatusCode::SEE_OTHER {
            assert_eq!(app.relationship_count(), before + 1);
            continue;
        }
        last = Some((res.status(), text(res).await, before));
        break;
    }
    let (status, page, before) = last.expect("the capped vault filled up");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("The disk is full"), "{page}");
    assert!(page.contains("Nothing was saved"), "{page}");
    assert!(!page.contains("Saved."));
    // Nothing half-saved, and what was saved before is all there.
    assert_eq!(app.relationship_count(), before);
    let inner = app.state.lock();
    assert!(
        inner
            .vault
            .as_ref()
            .unwrap()
            .sqlite()
            .unwrap()
            .integrity_ok()
            .unwrap()
    );
}

#[tokio::test]
async fn invalid_input_is_explained_next_to_the_field_and_nothing_is_saved() {
    let app = App::new(true);
    let cookie = app.login().await;
    let body = form(&[
        ("csrf", &app.csrf()),
        ("their_name", ""),
        ("started_on", "03/15/2024"),
        ("who_ended", "them"),
    ]);
    let res = app.send(form_post("/r", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("Please give their name"));
    assert!(page.contains("like 2024-03-15"));
    assert!(
        page.contains("value=\"03/15/2024\""),
        "what was typed is kept"
    );
    assert_eq!(app.relationship_count(), 0);

    // An extra field (e.g. an owner id) is refused outright.
    let body = form(&[
        ("csrf", &app.csrf()),
        ("their_name", "Alex"),
        ("owner_id", "2"),
    ]);
    let res = app.send(form_post("/r", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.relationship_count(), 0);

    // A body over 64 KiB is refused.
    let huge = form(&[
        ("csrf", &app.csrf()),
        ("their_name", "Alex"),
        ("my_view", &"x".repeat(70_000)),
    ]);
    let res = app.send(form_post("/r", &cookie, &huge)).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.relationship_count(), 0);
}

#[tokio::test]
async fn cross_site_posts_are_rejected_and_change_nothing() {
    let app = App::new(true);
    let cookie = app.login().await;
    let good = form(&[
        ("csrf", &app.csrf()),
        ("their_name", "Alex"),
        ("who_ended", "them"),
    ]);
    let cases: Vec<(&str, Request<Body>)> = vec![
        (
            "cross-site fetch metadata",
            post("/r", &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(good.clone()))
                .unwrap(),
        ),
        (
            "same-site (other port)",
            post("/r", &cookie)
                .header("sec-fetch-site", "same-site")
                .body(Body::from(good.clone()))
                .unwrap(),
        ),
        (
            "foreign Origin",
            post("/r", &cookie)
                .header(header::ORIGIN, "http://evil.example")
                .body(Body::from(good.clone()))
                .unwrap(),
        ),
        (
            "other local port",
            post("/r", &cookie)
                .header(header::ORIGIN, "http://127.0.0.1:8080")
                .body(Body::from(good.clone()))
                .unwrap(),
        ),
        ("missing form token", {
            let b = form(&[("their_name", "Alex")]);
            form_post("/r", &cookie, &b)
        }),
        ("wrong form token", {
            let b = form(&[
                ("csrf", "00000000000000000000000000000000"),
                ("their_name", "Alex"),
            ]);
            form_post("/r", &cookie, &b)
        }),
        (
            "quick exit from another site",
            post("/q", &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(form(&[("csrf", &app.csrf())])))
                .unwrap(),
        ),
    ];
    for (what, req) in cases {
        let mut req = req;
        // `post()` sets same-origin headers first; the case's header must win.
        dedupe_last(&mut req, "sec-fetch-site");
        dedupe_last(&mut req, "origin");
        let res = app.send(req).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{what}");
    }
    assert_eq!(app.relationship_count(), 0);
    assert!(app.state.lock().vault.is_some(), "vault still unlocked");
    // The same request from our own page goes through.
    let res = app.send(form_post("/r", &cookie, &good)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.relationship_count(), 1);
}

fn dedupe_last(req: &mut Request<Body>, name: &str) {
    let values: Vec<_> = req.headers().get_all(name).iter().cloned().collect();
    if let Some(last) = values.last().cloned() {
        req.headers_mut()
            .insert(name.parse::<header::HeaderName>().unwrap(), last);
    }
}

#[tokio::test]
async fn idle_timeout_drops_the_key_and_the_unlock_page_takes_over() {
    let app = App::new(true);
    let cookie = app.login().await;
    app.clock.advance_ms(4 * 60_000);
    assert_eq!(
        app.send(get("/", Some(&cookie))).await.status(),
        StatusCode::OK
    );
    app.clock.advance_ms(5 * 60_000 + 1_000);
    app.state.expire(); // what the background timer does
    assert!(
        app.state.lock().vault.is_none(),
        "data key dropped without any request"
    );
    for path in ["/", "/r", "/o"] {
        let res = app.send(get(path, Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()[header::LOCATION], "/u");
    }
    // Wrong passphrase: a plain message, still locked.
    let body = form(&[
        ("csrf", &app.csrf()),
        ("passphrase", "not the passphrase at all"),
    ]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(text(res).await.contains("does not open your vault"));
    assert!(app.state.lock().vault.is_none());
    // A try at once waits, even with the right passphrase (no key derived).
    let body = form(&[("csrf", &app.csrf()), ("passphrase", PASS)]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(text(res).await.contains("Please wait a second"));
    assert!(app.state.lock().vault.is_none());
    app.clock.advance_ms(1_000);
    // Right passphrase: unlocked, and the session id is rotated.
    let body = form(&[("csrf", &app.csrf()), ("passphrase", PASS)]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let new_cookie = cookie_of(&res);
    assert_ne!(new_cookie, cookie);
    assert_eq!(
        app.send(get("/", Some(&cookie))).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(get("/", Some(&new_cookie))).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn idle_minutes_follow_the_settings() {
    let app = App::new(true);
    let cookie = app.login().await;
    let body = form(&[("csrf", &app.csrf()), ("idle_lock_minutes", "2")]);
    let res = app.send(form_post("/o", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.clock.advance_ms(2 * 60_000 + 1_000);
    app.state.expire();
    assert!(app.state.lock().vault.is_none());
    // Out-of-range values are explained and not saved.
    let app = App::new(true);
    let cookie = app.login().await;
    let body = form(&[("csrf", &app.csrf()), ("idle_lock_minutes", "90")]);
    let res = app.send(form_post("/o", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("from 2 to 30"));
}

#[tokio::test]
async fn local_pages_say_the_notes_stay_on_this_computer() {
    let app = App::new(true);
    let cookie = app.login().await;
    for (path, cookie) in [("/", Some(&cookie)), ("/h/limits", None)] {
        let page = text(app.send(get(path, cookie.map(|c| c.as_str()))).await).await;
        assert!(page.contains("stays on this computer"), "{path}: {page}");
        assert!(!page.contains("kept on this server"), "{path}");
    }
}

#[tokio::test]
async fn discreet_mode_uses_a_neutral_title() {
    let app = App::new(true);
    let cookie = app.login().await;
    let body = form(&[
        ("csrf", &app.csrf()),
        ("discreet_mode", "on"),
        ("idle_lock_minutes", "5"),
    ]);
    app.send(form_post("/o", &cookie, &body)).await;
    for path in ["/", "/r", "/o"] {
        let page = text(app.send(get(path, Some(&cookie))).await).await;
        assert!(page.contains("<title>Notes</title>"), "{path}");
        assert!(!page.to_lowercase().contains("rekindle</a>"), "{path}");
    }
    // The printable report, the sealed file and its file name too.
    let page = text(app.send(get("/x/report?s=record", Some(&cookie))).await).await;
    assert!(page.contains("<title>Notes</title>"));
    assert!(
        page.contains("id=\"quick-exit\""),
        "quick exit on the printable report"
    );
    let res = app
        .send(form_post(
            "/x/seal",
            &cookie,
            &form(&[
                ("csrf", &app.csrf()),
                ("s", "record"),
                ("share_passphrase", "a long share passphrase for Sam"),
            ]),
        ))
        .await;
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("notes.html")
    );
    let sealed = text(res).await;
    assert!(sealed.contains("<title>Notes</title>") && !sealed.contains("progress report"));
    // And the unlock page after the idle lock says nothing of what this is.
    app.clock.advance_ms(6 * 60_000);
    app.state.expire();
    let page = text(app.send(get("/u", Some(&cookie))).await).await;
    assert!(page.contains("<title>Notes</title>"), "{page}");
    assert!(!page.to_lowercase().contains("rekindle"), "{page}");
}

#[tokio::test]
async fn quick_exit_locks_ends_the_session_and_clears_site_data() {
    let app = App::new(true);
    let cookie = app.login().await;
    let body = form(&[("csrf", &app.csrf())]);
    let res = app.send(form_post("/q", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/bye");
    assert!(
        res.headers()["clear-site-data"]
            .to_str()
            .unwrap()
            .contains("cookies")
    );
    assert!(app.state.lock().vault.is_none());
    assert_eq!(
        app.send(get("/", Some(&cookie))).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A fresh one-time link was issued for the terminal.
    let announced = app.announced.lock().unwrap().clone();
    assert_eq!(announced.len(), 1);
    let path = announced[0]
        .trim_start_matches(&format!("http://{HOST}"))
        .to_string();
    let again = app.send(get(&path, None)).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    // The neutral page says nothing about rekindle.
    let bye = text(app.send(get("/bye", None)).await).await;
    assert!(!bye.to_lowercase().contains("rekindle"));
}

#[tokio::test]
async fn a_new_vault_can_be_created_from_the_browser() {
    let app = App::new(false);
    let cookie = app.login().await;
    let res = app.send(get("/", Some(&cookie))).await;
    assert_eq!(res.headers()[header::LOCATION], "/u");
    let page = text(app.send(get("/u", Some(&cookie))).await).await;
    assert!(page.contains("Create your private vault"));
    let body = form(&[
        ("csrf", &app.csrf()),
        ("passphrase", "short"),
        ("confirm", "short"),
    ]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("at least 15 characters"));
    assert!(!app.state.data_dir().unwrap().has_vault());
    let body = form(&[
        ("csrf", &app.csrf()),
        ("passphrase", PASS),
        ("confirm", PASS),
    ]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app.state.data_dir().unwrap().has_vault());
    assert_eq!(
        app.send(get("/", Some(&cookie_of(&res)))).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_damaged_vault_file_is_refused_at_unlock_with_what_to_do() {
    let app = App::new(true);
    let cookie = app.login().await;
    // Locked (the connection closed), then one byte of a data page flipped.
    app.state.lock().vault = None;
    let db = app._tmp.path().join("data").join("vault.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[4096 + 100] ^= 0x55;
    std::fs::write(&db, &bytes).unwrap();
    let body = form(&[("csrf", &app.csrf()), ("passphrase", PASS)]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page = text(res).await;
    assert!(page.contains("integrity check failed"), "{page}");
    assert!(page.contains("restore your latest backup"), "{page}");
    assert!(app.state.lock().vault.is_none());
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "the file was not changed"
    );
    // Not counted as a wrong passphrase: no wait before the next try.
    assert_eq!(app.state.data_dir().unwrap().unlock_failures().count, 0);
    // An emptied vault file beside its key is refused the same way, never
    // opened as a new vault.
    std::fs::write(&db, b"").unwrap();
    let body = form(&[("csrf", &app.csrf()), ("passphrase", PASS)]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text(res).await.contains("missing or empty"));
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}

#[tokio::test]
async fn the_duress_passphrase_at_the_web_unlock_opens_an_empty_vault() {
    let duress = "the weather is fine today, thanks";
    for action in [
        rekindle_store::DuressAction::Decoy,
        rekindle_store::DuressAction::Erase,
    ] {
        let app = App::new(true);
        let cookie = app.login().await;
        let body = form(&[
            ("csrf", &app.csrf()),
            ("my_name", "Sam"),
            ("their_name", "Alex"),
            ("their_pronouns", "she/her"),
            ("started_on", "2019-05-01"),
            ("ended_on", "2024-10-02"),
            ("who_ended", "them"),
            ("how_it_ended", "A long talk."),
            ("reasons_given", "My drinking."),
            ("my_view", "I was not there."),
        ]);
        let res = app.send(form_post("/r", &cookie, &body)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.relationship_count(), 1);
        app.state.lock().vault = None;
        app.state
            .data_dir()
            .unwrap()
            .set_duress(PASS, duress, action)
            .unwrap();
        // Unlocked with the duress passphrase: in like any unlock, to an
        // empty vault.
        let body = form(&[("csrf", &app.csrf()), ("passphrase", duress)]);
        let res = app.send(form_post("/u", &cookie, &body)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action:?}");
        assert_eq!(res.headers()[header::LOCATION], "/");
        assert!(app.state.lock().vault.is_some());
        assert_eq!(app.relationship_count(), 0, "{action:?}");
        app.state.lock().vault = None;
        // The real passphrase: the real vault (decoy), or nothing (erase).
        let opened = app.state.data_dir().unwrap().unlock(PASS);
        match action {
            rekindle_store::DuressAction::Decoy => {
                use rekindle_store::Store;
                assert_eq!(opened.unwrap().relationship_history().unwrap().len(), 1);
            }
            rekindle_store::DuressAction::Erase => assert!(matches!(
                opened,
                Err(rekindle_store::StoreError::WrongPassphrase)
            )),
        }
    }
}

#[tokio::test]
async fn sessions_end_after_twelve_hours_whatever_the_activity() {
    let app = App::new(true);
    let cookie = app.login().await;
    for _ in 0..(12 * 60 / 4) {
        app.clock.advance_ms(4 * 60_000);
        assert_eq!(
            app.send(get("/", Some(&cookie))).await.status(),
            StatusCode::OK
        );
    }
    app.clock.advance_ms(4 * 60_000);
    assert_eq!(
        app.send(get("/", Some(&cookie))).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_panic_becomes_a_bare_500_with_headers() {
    let app = App::new(true);
    let routes = Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            let v: Vec<u8> = Vec::new();
            #[allow(clippy::indexing_slicing)]
            let x = v[3];
            x.to_string()
        }),
    );
    let router = rekindle_web::protect(routes, app.state.clone());
    let res = router.oneshot(get("/boom", None)).await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(res.headers().contains_key(header::CONTENT_SECURITY_POLICY));
    let body = text(res).await;
    for leak in ["panicked", ".rs", "index out of bounds", "src/"] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
}

fn multipart(parts: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "XrekindleBoundaryX";
    let mut body = Vec::new();
    for (name, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if *name == "file" {
            body.extend_from_slice(b"Content-Disposition: form-data; name=\"file\"; filename=\"../../etc/chat.txt\"\r\nContent-Type: text/plain\r\n\r\n");
        } else {
            body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn chat_message_count(app: &App) -> u64 {
    let inner = app.state.lock();
    inner
        .vault
        .as_ref()
        .unwrap()
        .chats()
        .unwrap()
        .iter()
        .map(|c| c.messages)
        .sum()
}

#[tokio::test]
async fn chat_upload_needs_the_form_token_and_respects_the_size_limit() {
    let app = App::new(true);
    let cookie = app.login().await;
    let chat = b"12/03/2024, 21:05 - Sam: hello\n13/03/2024, 08:00 - Alex: hi\n";
    // Without the token: refused, nothing stored.
    let (ct, body) = multipart(&[("file", chat)]);
    let res = app.send(upload_req(&cookie, ct.clone(), body)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(chat_message_count(&app), 0);
    // With it: stored; the browser's file name is ignored.
    let csrf = app.csrf();
    let (ct, body) = multipart(&[("csrf", csrf.as_bytes()), ("file", chat)]);
    let res = app.send(upload_req(&cookie, ct.clone(), body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    assert_eq!(chat_message_count(&app), 2);
    // A 60 MiB file is read (here: not a chat, so 422, not 413).
    let big = vec![b'a'; 60 * 1024 * 1024];
    let (ct, body) = multipart(&[("csrf", csrf.as_bytes()), ("file", &big)]);
    let res = app.send(upload_req(&cookie, ct, body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    drop(big);
    // Over 512 MiB: 413 and nothing more stored.
    let big = vec![b'a'; 513 * 1024 * 1024];
    let (ct, body) = multipart(&[("csrf", csrf.as_bytes()), ("file", &big)]);
    drop(big);
    let res = app.send(upload_req(&cookie, ct, body)).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text(res).await.contains("up to 500 MB"));
    assert_eq!(chat_message_count(&app), 2);
    // Other routes keep the 64 KiB limit.
    let huge = form(&[("csrf", &csrf), ("their_name", &"y".repeat(100_000))]);
    let res = app.send(form_post("/r", &cookie, &huge)).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// An export with a line that is not UTF-8 (a Latin-1 "é") is imported
/// through the web with that line left out and counted, as the CLI does
/// (issue 18, item 4: the bytes are repaired in place, not copied).
#[tokio::test]
async fn an_upload_that_is_not_utf8_imports_without_the_broken_line() {
    let app = App::new(true);
    let cookie = app.login().await;
    let mut chat = b"12/03/2024, 21:05 - Sam: hello\n".to_vec();
    chat.extend_from_slice(b"12/03/2024, 21:06 - Alex: caf\xe9 later?\n");
    chat.extend_from_slice(b"13/03/2024, 08:00 - Alex: hi\n");
    let csrf = app.csrf();
    let (ct, body) = multipart(&[("csrf", csrf.as_bytes()), ("file", &chat)]);
    let res = app.send(upload_req(&cookie, ct, body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    let chats = app.state.lock().vault.as_ref().unwrap().chats().unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].messages, 2, "the broken line is left out");
    // ... and said, with the line as it could be read.
    let page = text(app.send(get("/c", Some(&cookie))).await).await;
    assert!(
        page.contains("1 line could not be read and were left out"),
        "{page}"
    );
    assert!(page.contains("caf\u{fffd} later?"), "{page}");
}

/// Files the upload spool left in the data folder (it must leave none).
fn upload_leftovers(app: &App) -> Vec<String> {
    std::fs::read_dir(app._tmp.path().join("data"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".upload-"))
        .collect()
}

fn messenger_part(msgs: &[(i64, &str, &str)]) -> String {
    let rows: Vec<String> = msgs
        .iter()
        .rev()
        .map(|(ms, who, text)| {
            format!(r#"{{"sender_name": "{who}", "timestamp_ms": {ms}, "content": "{text}"}}"#)
        })
        .collect();
    format!(
        r#"{{"participants": [{{"name": "Alex"}}, {{"name": "Robin"}}], "title": "Alex", "messages": [{}]}}"#,
        rows.join(",")
    )
}

/// The parts of one Messenger conversation chosen together are one chat;
/// the upload is spooled encrypted and the spool is gone afterwards, also
/// when the upload breaks off half-way.
#[tokio::test]
async fn messenger_parts_upload_together_and_the_spool_leaves_nothing() {
    let app = App::new(true);
    let cookie = app.login().await;
    let csrf = app.csrf();
    let t = 1_700_000_000_000i64;
    let p1 = messenger_part(&[(t + 3000, "Alex", "three"), (t + 4000, "Robin", "four")]);
    let p2 = messenger_part(&[(t + 1000, "Alex", "one"), (t + 2000, "Robin", "two")]);
    let (ct, body) = multipart(&[
        ("csrf", csrf.as_bytes()),
        ("file", p1.as_bytes()),
        ("file", p2.as_bytes()),
    ]);
    let res = app.send(upload_req(&cookie, ct, body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    let chats = app.state.lock().vault.as_ref().unwrap().chats().unwrap();
    assert_eq!(chats.len(), 1, "two parts make one chat");
    assert_eq!(chats[0].messages, 4);
    assert!(upload_leftovers(&app).is_empty());

    // A WhatsApp file beside a Messenger part is refused, nothing stored.
    let (ct, body) = multipart(&[
        ("csrf", csrf.as_bytes()),
        ("file", p1.as_bytes()),
        ("file", b"12/03/2024, 21:05 - Sam: hello\n"),
    ]);
    let res = app.send(upload_req(&cookie, ct, body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("Nothing was changed"));
    assert_eq!(chat_message_count(&app), 4);

    // An upload cut off in the middle of the file: refused, no spool left.
    let (ct, body) = multipart(&[
        ("csrf", csrf.as_bytes()),
        ("file", &vec![b'x'; 3 * 1024 * 1024]),
    ]);
    let half = body[..body.len() / 2].to_vec();
    let stream = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(axum::body::Bytes::from(half)),
        Err(std::io::Error::other("connection reset")),
    ]);
    let mut req = post("/i", &cookie).body(Body::from_stream(stream)).unwrap();
    req.headers_mut()
        .insert(header::CONTENT_TYPE, ct.parse().unwrap());
    let res = app.send(req).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("interrupted"));
    assert!(upload_leftovers(&app).is_empty());
    assert_eq!(chat_message_count(&app), 4);
}

#[tokio::test]
async fn roles_must_name_people_in_the_chat() {
    let app = App::new(true);
    let cookie = app.login().await;
    let csrf = app.csrf();
    let (ct, body) = multipart(&[
        ("csrf", csrf.as_bytes()),
        (
            "file",
            b"12/03/2024, 21:05 - Sam: hello\n13/03/2024, 08:00 - Alex: hi\n",
        ),
    ]);
    app.send(upload_req(&cookie, ct, body)).await;
    let chat_id = app.state.lock().vault.as_ref().unwrap().chats().unwrap()[0]
        .id
        .to_string();
    let body = form(&[
        ("csrf", &csrf),
        ("chat_id", &chat_id),
        ("me", "Mallory"),
        ("ex", "Alex"),
    ]);
    let res = app.send(form_post("/c", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = form(&[
        ("csrf", &csrf),
        ("chat_id", "999"),
        ("me", "Sam"),
        ("ex", "Alex"),
    ]);
    let res = app.send(form_post("/c", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = form(&[
        ("csrf", &csrf),
        ("chat_id", &chat_id),
        ("me", "Sam"),
        ("ex", "Alex"),
    ]);
    let res = app.send(form_post("/c", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let chats = app.state.lock().vault.as_ref().unwrap().chats().unwrap();
    assert_eq!(chats[0].me.as_deref(), Some("Sam"));
    assert_eq!(chats[0].ex.as_deref(), Some("Alex"));
}

fn upload_req(cookie: &str, content_type: String, body: Vec<u8>) -> Request<Body> {
    let mut req = post("/i", cookie).body(Body::from(body)).unwrap();
    req.headers_mut()
        .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
    req
}

/// Words that must never appear in a page title or an address, where
/// browser history, tabs and screenshots would show them.
const SENSITIVE: &[&str] = &[
    "abuse",
    "violence",
    "relapse",
    "lapse",
    "alcohol",
    "drink",
    "breakup",
    "break-up",
    "ex-partner",
    "suicide",
    "crisis",
    "reconcil",
    "win back",
    "rekindle",
    "safety",
    "therapy",
    "divorce",
    "alex",
];

#[tokio::test]
async fn discreet_mode_crawl_finds_no_sensitive_words_in_titles_or_addresses() {
    let app = App::new(true);
    let cookie = app.login().await;
    let csrf = app.csrf();
    let body = form(&[
        ("csrf", &csrf),
        ("discreet_mode", "on"),
        ("idle_lock_minutes", "5"),
    ]);
    app.send(form_post("/o", &cookie, &body)).await;
    let body = form(&[("csrf", &csrf), ("their_name", "Alex")]);
    app.send(form_post("/r", &cookie, &body)).await;
    // Crawl every link reachable from the home page.
    let mut todo = vec!["/".to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) || seen.len() > 200 {
            continue;
        }
        let res = app.send(get(&path, Some(&cookie))).await;
        let status = res.status();
        let html = text(res).await;
        if !status.is_success() {
            continue;
        }
        if let Some(title) = html
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
        {
            assert!(
                title == "Notes" || title == "New tab",
                "{path} has title {title:?}"
            );
        }
        for href in html
            .split("href=\"")
            .skip(1)
            .filter_map(|h| h.split('"').next())
        {
            let lower = href.to_lowercase();
            if href.starts_with('/') {
                for word in SENSITIVE {
                    assert!(!lower.contains(word), "{path} links to {href}");
                }
                if !href.starts_with("/static")
                    && !href.ends_with(".ics")
                    && !href.ends_with(".svg")
                {
                    todo.push(href.split('#').next().unwrap_or(href).to_string());
                }
            }
        }
    }
    assert!(seen.len() >= 12, "crawled {} pages: {seen:?}", seen.len());
}

#[tokio::test]
async fn the_chat_analysis_is_kept_until_the_chat_changes_and_dropped_with_the_key() {
    let app = App::new(true);
    let cookie = app.login().await;
    let import = |text: &str| app.import_chat(text);
    import("1/13/24, 9:00 PM - A: you never listen\n1/13/24, 9:01 PM - B: that's not true\n");
    let page = async |app: &App| text(app.send(get("/w", Some(&cookie))).await).await;
    let first_page = page(&app).await;
    assert!(first_page.contains("counts patterns in 2 messages"));
    // How messages were read, with this chat's share (two lines stay near the 5 % default).
    assert!(first_page.contains("How messages are read"));
    assert!(
        first_page.contains("about <strong>5 %</strong> of messages"),
        "{first_page}"
    );
    let first = app.state.lock().postmortem.as_ref().map(|(k, _)| *k);
    assert!(first.is_some(), "the analysis is kept");
    assert!(page(&app).await.contains("counts patterns in 2 messages"));
    assert_eq!(app.state.lock().postmortem.as_ref().map(|(k, _)| *k), first);
    // A later export of the same chat adds a message: analysed again.
    import(
        "1/13/24, 9:00 PM - A: you never listen\n1/13/24, 9:01 PM - B: that's not true\n\
         1/13/24, 9:02 PM - A: sorry, my bad\n",
    );
    assert!(page(&app).await.contains("counts patterns in 3 messages"));
    assert_ne!(app.state.lock().postmortem.as_ref().map(|(k, _)| *k), first);
    // Locking drops the messages with the key.
    rekindle_web::AppState::lock_vault(&mut app.state.lock());
    assert!(app.state.lock().postmortem.is_none());
}

/// The pages behind the numbers read their messages from the vault: the
/// same messages, with the same context, as the whole chat in memory gave.
#[tokio::test]
async fn finding_and_argument_pages_show_the_messages_behind_them() {
    use rekindle_app::postmortem::{Finding, analysed_chat, chat_messages, with_context};
    let app = App::new(true);
    let cookie = app.login().await;
    let mut chat = String::new();
    let lines = [
        "you never listen to me",
        "whatever you always do this",
        "leave me alone",
        "sorry my bad",
        "good morning want to get coffee later",
        "you are pathetic",
        "see you at eight",
    ];
    for i in 0..120 {
        let who = if i % 3 == 1 { "B" } else { "A" };
        chat.push_str(&format!(
            "1/{}/24, 9:{:02} PM - {who}: {} number{i}\n",
            1 + i / 20,
            i % 20,
            lines[(i * 3 + i / 5) % lines.len()]
        ));
    }
    app.import_chat(&chat);
    let (all, analysis) = {
        let mut inner = app.state.lock();
        let vault = &mut **inner.vault.as_mut().unwrap();
        let info = analysed_chat(vault).unwrap().unwrap();
        let (all, who) = chat_messages(vault, &info).unwrap();
        let a = rekindle_app::postmortem::run(&all, &who, &rekindle_analysis::Lexicons::built_in());
        (all, a)
    };
    // Which messages a page shows, by their unique "numberN" words, in order.
    let numbers = |page: &str| -> Vec<String> {
        page.split("number")
            .skip(1)
            .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
            .filter(|n: &String| !n.is_empty())
            .collect()
    };
    let of = |indices: &[usize]| -> Vec<String> {
        indices
            .iter()
            .map(|&i| all[i].text.rsplit("number").next().unwrap().to_string())
            .collect()
    };
    let mut checked = 0;
    let hour = (0..24)
        .find(|&h| analysis.people[0].hours[h] > 0)
        .expect("person 0 wrote");
    for f in [
        Finding::Starts(0),
        Finding::Starts(1),
        Finding::Negative(0),
        Finding::Repairs(1),
        // The numbers behind the charts: a month, a week, an hour of the
        // day, the slowest replies, a month's arguments, horsemen and
        // repairs, and the two sides of the ratio inside arguments.
        Finding::Month(0),
        Finding::Week(0),
        Finding::Hour { person: 0, hour },
        Finding::SlowReplies(0),
        Finding::SlowReplies(1),
        Finding::MonthNegative {
            month: 0,
            person: 0,
        },
        Finding::MonthArguments(0),
        Finding::MonthHorsemen(0),
        Finding::MonthRepairs(0),
        Finding::InArguments { harsh: true },
        Finding::InArguments { harsh: false },
    ] {
        let (_, idx) = f.messages(&analysis).unwrap();
        let shown: Vec<usize> = with_context(&idx[..idx.len().min(25)], 2, all.len())
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let res = app
            .send(get(&format!("/w/f/{}", f.key()), Some(&cookie)))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{}", f.key());
        let page = text(res).await;
        assert_eq!(numbers(&page), of(&shown), "{}", f.key());
        assert!(!idx.is_empty(), "{} has messages", f.key());
        // Each can be made a problem from its page.
        assert!(
            page.contains(&format!(r#"name="finding" value="{}""#, f.key())),
            "{}",
            f.key()
        );
        checked += shown.len();
    }
    assert!(checked > 20);
    // The slowest replies say how long each took; a finding that is not in
    // the chat, or a key that is none, is not found.
    let slow = text(app.send(get("/w/f/y-0", Some(&cookie))).await).await;
    assert!(slow.contains("replied after "), "{slow}");
    for key in ["m-999", "u-0-24", "u-0-05", "mn-0-9", "x-2", "y-7", "w-"] {
        let res = app.send(get(&format!("/w/f/{key}"), Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{key}");
    }
    let e = analysis.conflicts.first().expect("the chat has arguments");
    let range: Vec<usize> = (e.start.saturating_sub(3)..=(e.end + 3).min(all.len() - 1)).collect();
    let res = app
        .send(get(&format!("/w/e/{}", e.id), Some(&cookie)))
        .await;
    assert_eq!(numbers(&text(res).await), of(&range));
    // The kept analysis is the one of every message.
    let kept = app.state.lock().postmortem.as_ref().unwrap().1.clone();
    assert_eq!(
        serde_json::to_string(&kept.analysis).unwrap(),
        serde_json::to_string(&analysis).unwrap()
    );
}

/// "Make this a problem" on a finding: the form opens filled, the first
/// messages linked (chat and place, with a quote); saved, the problem opens
/// them again from the vault, and after the chat is deleted, its quotes.
#[tokio::test]
async fn a_problem_made_from_a_finding_links_its_messages_and_opens_them_again() {
    let app = App::new(true);
    let cookie = app.login().await;
    let mut chat = String::new();
    for i in 0..60 {
        let who = if i % 2 == 0 { "A" } else { "B" };
        // B answers later and later: 1, 3, 5, ... minutes.
        let minute = i * (i + 1) / 2 % 60;
        chat.push_str(&format!(
            "1/{}/24, {}:{minute:02} PM - {who}: are you there? number{i}\n",
            1 + i / 6,
            1 + (i % 6)
        ));
    }
    app.import_chat(&chat);
    let csrf = app.csrf();
    // Nothing made from a key that is none.
    let res = app
        .send(form_post(
            "/w/problem",
            &cookie,
            &form(&[("csrf", &csrf), ("finding", "zz-1")]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .send(form_post(
            "/w/problem",
            &cookie,
            &form(&[("csrf", &csrf), ("finding", "y-1")]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = text(res).await;
    assert!(page.contains("Slow replies from B"), "{page}");
    assert!(page.contains("From the chat: The slowest replies from B"));
    let field = page
        .split(r#"name="links" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the links field")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let links = rekindle_core::method::problem::parse_links(&field)
        .unwrap_or_else(|| panic!("links read: {field}"));
    assert!(!links.is_empty() && links.len() <= 10, "{links:?}");
    assert!(
        links
            .iter()
            .all(|l| l.sender == "B" && l.quote.starts_with("are you there?"))
    );
    // Saved as the form sends it back.
    let res = app
        .send(form_post(
            "/p/new",
            &cookie,
            &form(&[
                ("csrf", &csrf),
                ("title", "Slow replies from B"),
                ("category", "time"),
                ("whose", "theirs"),
                ("frequency", "often"),
                ("severity", "2"),
                ("evidence", "From the chat"),
                ("links", &field),
            ]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id: i64 = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .split('/')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    let quoted: Vec<String> = links
        .iter()
        .map(|l| l.quote.rsplit("number").next().unwrap().to_string())
        .collect();
    let numbers = |page: &str, class: &str| -> Vec<String> {
        page.split(&format!("<li class=\"msg {class}"))
            .skip(1)
            .filter_map(|rest| rest.split("number").nth(1))
            .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
            .collect()
    };
    // The problem's page lists them and opens them again, with context.
    let problem = text(app.send(get(&format!("/p/{id}"), Some(&cookie))).await).await;
    assert!(
        problem.contains(&format!(r#"href="/w/p/{id}""#)),
        "{problem}"
    );
    let opened = text(app.send(get(&format!("/w/p/{id}"), Some(&cookie))).await).await;
    let mut want = quoted.clone();
    want.sort_by_key(|n| n.parse::<usize>().unwrap());
    assert_eq!(numbers(&opened, "neg counted"), want, "{opened}");
    assert!(
        opened.matches("<li class=\"msg").count() > links.len(),
        "with context"
    );
    assert!(!opened.contains("kept quote"));
    // An edit through the form keeps them.
    let again = rekindle_app::method::problem(&**app.state.lock().vault.as_ref().unwrap(), id)
        .unwrap()
        .problem;
    assert_eq!(again.links, links);
    // The chat deleted: the quotes, marked as such.
    let chat_id = links[0].chat;
    {
        let mut inner = app.state.lock();
        let vault = &mut **inner.vault.as_mut().unwrap();
        rekindle_app::postmortem::delete_chat(vault, chat_id).unwrap();
    }
    let opened = text(app.send(get(&format!("/w/p/{id}"), Some(&cookie))).await).await;
    assert_eq!(
        opened.matches("kept quote").count(),
        links.len(),
        "{opened}"
    );
    assert!(opened.contains("could not be found in the chat any more"));
    // No such problem.
    let res = app.send(get("/w/p/999", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// What a route does for the ex, if anything (issue: one gate asked everywhere).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    /// Helps reach out to the ex: asks `rekindle_app::letter::gate` (the one
    /// `rekindle_core::safety::outreach_allowed` decision) and refuses with the reason.
    Outreach,
    /// For the user's own recovery; stays open under the lock (sharing says it
    /// is for helpers, never carries the journal).
    OwnRecovery,
    /// Plumbing: session, assets, help.
    Neutral,
}

/// Every route in src/lib.rs with its class. A new route without a class
/// fails `every_route_has_a_gate_class`.
const GATE: &[(&str, Class)] = &[
    ("/", Class::OwnRecovery),
    ("/r", Class::OwnRecovery),
    ("/o", Class::Neutral),
    ("/o/data", Class::Neutral),
    ("/o/export", Class::Neutral),
    ("/o/backup", Class::Neutral),
    ("/o/passphrase", Class::Neutral),
    ("/o/erase", Class::Neutral),
    ("/u", Class::Neutral),
    ("/q", Class::Neutral),
    ("/i", Class::OwnRecovery),
    ("/c", Class::OwnRecovery),
    ("/i/chat", Class::OwnRecovery),
    ("/c/use", Class::OwnRecovery),
    ("/c/delete", Class::OwnRecovery),
    ("/lock", Class::Neutral),
    ("/d", Class::Neutral),
    ("/d/discard", Class::Neutral),
    ("/w", Class::OwnRecovery),
    ("/w/e/{id}", Class::OwnRecovery),
    ("/w/f/{key}", Class::OwnRecovery),
    ("/w/problem", Class::OwnRecovery),
    // The words of each topic the post-mortem counts: the user's own lists.
    ("/w/words", Class::OwnRecovery),
    ("/w/words/add", Class::OwnRecovery),
    ("/w/words/remove", Class::OwnRecovery),
    ("/w/words/new", Class::OwnRecovery),
    // The messages a problem links to.
    ("/w/p/{id}", Class::OwnRecovery),
    ("/p", Class::OwnRecovery),
    ("/p/new", Class::OwnRecovery),
    ("/p/{id}", Class::OwnRecovery),
    ("/p/{id}/plan", Class::OwnRecovery),
    ("/t", Class::OwnRecovery),
    ("/t/{id}", Class::OwnRecovery),
    ("/t/{id}/pause", Class::OwnRecovery),
    ("/s", Class::OwnRecovery),
    ("/s/r/{id}", Class::OwnRecovery),
    ("/s/self", Class::OwnRecovery),
    ("/s/ex", Class::OwnRecovery),
    // The honest outlook: open under the lock and after their no, where it
    // speaks only about the user's own recovery.
    ("/s/o", Class::OwnRecovery),
    ("/g", Class::OwnRecovery),
    ("/g/t/{id}", Class::OwnRecovery),
    ("/g/audit", Class::OwnRecovery),
    ("/g/reminders.ics", Class::OwnRecovery),
    ("/n", Class::OwnRecovery),
    ("/l", Class::OwnRecovery),
    ("/l/add", Class::OwnRecovery),
    ("/l/use", Class::OwnRecovery),
    ("/l/{id}/status", Class::OwnRecovery),
    ("/l/{id}/takeaway", Class::OwnRecovery),
    // Taking things back and bringing them back; editing what had no edit page.
    ("/withdrawn", Class::OwnRecovery),
    ("/withdraw/{kind}/{id}", Class::OwnRecovery),
    ("/restore/{kind}/{id}", Class::OwnRecovery),
    ("/edit/{kind}/{id}", Class::OwnRecovery),
    ("/x", Class::OwnRecovery),
    ("/x/report", Class::OwnRecovery),
    ("/x/seal", Class::OwnRecovery),
    ("/x/link", Class::OwnRecovery),
    ("/x/letter", Class::Outreach),
    ("/x/revoke", Class::OwnRecovery),
    ("/h/screen", Class::Neutral),
    ("/h/safe", Class::Neutral),
    ("/h/no", Class::Neutral),
    ("/h/no/chat", Class::Neutral),
    ("/h/safe/chat", Class::Neutral),
    // Hosted mode's account pages (404 in local mode).
    ("/account", Class::Neutral),
    ("/account/password", Class::Neutral),
    ("/account/delete", Class::Neutral),
    ("/account/export", Class::Neutral),
    ("/account/import", Class::Neutral),
    ("/signout", Class::Neutral),
    ("/signin", Class::Neutral),
    ("/signup", Class::Neutral),
    ("/login", Class::Neutral),
    ("/bye", Class::Neutral),
    ("/h", Class::Neutral),
    ("/h/plan", Class::Neutral),
    ("/h/limits", Class::Neutral),
    ("/static/app.css", Class::Neutral),
    ("/static/app.js", Class::Neutral),
    ("/static/report.css", Class::Neutral),
    ("/favicon.svg", Class::Neutral),
];

#[test]
fn every_route_has_a_gate_class() {
    let src = include_str!("../src/lib.rs");
    let mut routes = Vec::new();
    let mut rest = src;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let open = rest.find('"').unwrap();
        let close = rest[open + 1..].find('"').unwrap();
        routes.push(&rest[open + 1..open + 1 + close]);
    }
    assert!(routes.len() >= 50, "{routes:?}");
    for r in &routes {
        assert!(
            GATE.iter().any(|(p, _)| p == r),
            "route {r} has no class in GATE: is it outreach, own recovery or neutral?"
        );
    }
    for (p, _) in GATE {
        assert!(
            routes.contains(p),
            "GATE lists {p}, which the router no longer has"
        );
    }
}

/// Sets up, straight through the use cases: the screen (with or without
/// risk), a plan made 40 days before `today` and a check-in written down on
/// each of the 35 days before it (a lived record, as the injected clock sees it).
fn seed_outreach_state(app: &App, risk: bool, their_no: bool) {
    use rekindle_core::method::checkin::CheckInForm;
    use rekindle_core::method::plan::PlanForm;
    use rekindle_core::method::problem::ProblemForm;
    let today = app.state.today();
    let day = |n: i64| today.checked_sub(jiff::Span::new().days(n)).unwrap();
    let at = |d: jiff::civil::Date| {
        jiff::tz::TimeZone::system()
            .to_ambiguous_timestamp(d.at(12, 0, 0, 0))
            .compatible()
            .unwrap()
    };
    let mut inner = app.state.lock();
    let v = &mut **inner.vault.as_mut().unwrap();
    let tz = jiff::tz::TimeZone::system();
    let mut answers: Vec<(String, String)> = rekindle_core::safety::SCREEN
        .iter()
        .map(|q| (q.key.to_string(), "no".to_string()))
        .collect();
    if risk {
        answers[3].1 = "not_sure".into();
    }
    rekindle_app::safety::take_screen(v, &answers, &tz, day(40), at(day(40))).unwrap();
    let problem = ProblemForm {
        title: "My drinking".into(),
        category: "substance".into(),
        whose: "mine".into(),
        frequency: "often".into(),
        severity: "4".into(),
        ..ProblemForm::default()
    };
    let pid = rekindle_app::method::save_problem(v, None, &problem, day(40), at(day(40))).unwrap();
    let plan = PlanForm {
        prevention: "I will not drink".into(),
        commitment_title: "No alcohol".into(),
        kind: "daily".into(),
        ..PlanForm::default()
    };
    let plan_id = rekindle_app::method::save_plan(v, pid, &plan, day(40), at(day(40))).unwrap();
    for n in (1..=35).rev() {
        let form = CheckInForm {
            outcome: "kept".into(),
            ..CheckInForm::default()
        };
        rekindle_app::method::check_in(v, plan_id, &form, day(n), at(day(n))).unwrap();
    }
    if their_no {
        rekindle_app::safety::record_ex_no(v, "said_no", day(1), at(day(1))).unwrap();
    }
}

#[tokio::test]
async fn outreach_routes_are_refused_locked_and_after_their_no_and_open_otherwise() {
    let outreach: Vec<&str> = GATE
        .iter()
        .filter(|(_, c)| *c == Class::Outreach)
        .map(|(p, _)| *p)
        .collect();
    assert_eq!(outreach, vec!["/x/letter"]);
    for (risk, their_no, open, why) in [
        (true, false, false, "twice the physical violence"),
        (false, true, false, "final here"),
        (false, false, true, ""),
    ] {
        let app = App::new(true);
        seed_outreach_state(&app, risk, their_no);
        let cookie = app.login().await;
        for path in &outreach {
            let page = text(app.send(get(path, Some(&cookie))).await).await;
            assert_eq!(
                !page.contains("id=\"letter-refused\""),
                open,
                "{path} risk={risk} no={their_no}"
            );
            assert!(page.contains(why), "{path}: the reason is given");
            let res = app
                .send(form_post(
                    path,
                    &cookie,
                    &form(&[
                        ("csrf", &app.csrf()),
                        ("action", "save"),
                        ("text", "Dear Alex, I am sorry."),
                    ]),
                ))
                .await;
            let status = res.status();
            let body = text(res).await;
            if open {
                assert!(
                    status.is_success() || status.is_redirection(),
                    "{status} {body}"
                );
            } else {
                assert!(
                    body.contains(why) && !status.is_redirection(),
                    "{status}: {body}"
                );
            }
        }
        // The share page tells the same story: the letter is closed, sharing is for helpers.
        let share = text(app.send(get("/x", Some(&cookie))).await).await;
        assert_eq!(share.contains("id=\"letter-closed\""), !open);
        assert_eq!(share.contains("id=\"helpers-only\""), !open);
        // Reports under the lock say they are for helpers.
        let report = text(app.send(get("/x/report?s=record", Some(&cookie))).await).await;
        assert_eq!(report.contains("not for my ex"), !open, "{report}");
    }
}

#[tokio::test]
async fn the_outlook_speaks_only_of_own_recovery_locked_and_after_their_no() {
    for (risk, their_no, why) in [
        (true, false, Some("your safety comes first")),
        (false, true, Some("final here")),
        (false, false, None),
    ] {
        let app = App::new(true);
        seed_outreach_state(&app, risk, their_no);
        let cookie = app.login().await;
        let res = app.send(get("/s/o", Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page = text(res).await;
        let main = &page[page.find("<main").unwrap()..page.find("</main>").unwrap()];
        assert_eq!(
            main.contains("id=\"own-recovery\""),
            why.is_some(),
            "{main}"
        );
        if let Some(w) = why {
            assert!(main.contains(w), "{w}: {main}");
        }
        // Their side only when neither the lock nor their no holds.
        assert_eq!(
            main.contains("Their side, in their own words"),
            why.is_none(),
            "{main}"
        );
        // The record is there in every case, its source a link.
        assert!(
            main.contains("No alcohol") && main.contains("href=\"/t\""),
            "{main}"
        );
        for never in ["chance", "likely", "%", "percent"] {
            assert!(!main.to_lowercase().contains(never), "{never}: {main}");
        }
        // Step 3 on the home page and the seriousness page lead to it.
        for from in ["/", "/s"] {
            let page = text(app.send(get(from, Some(&cookie))).await).await;
            assert!(page.contains("href=\"/s/o\""), "{from}");
        }
    }
}

#[tokio::test]
async fn crisis_words_in_any_form_bring_the_crisis_card_first() {
    let app = App::new(true);
    let cookie = app.login().await;
    let add_supporter = |name: &str, helps_with: &str| {
        form_post(
            "/n",
            &cookie,
            &form(&[
                ("csrf", &app.csrf()),
                ("name", name),
                ("role", "ally"),
                ("contact", ""),
                ("helps_with", helps_with),
            ]),
        )
    };
    // A form that saves and redirects: the next stop is the help lines.
    let res = app
        .send(add_supporter("Sam", "when I feel I can't go on"))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/h?crisis=1");
    let help = text(app.send(get("/h?crisis=1", Some(&cookie))).await).await;
    assert!(help.contains("id=\"crisis-card\""));
    // A form that answers with a page (here: refused, nothing saved): the card tops that page.
    let res = app
        .send(form_post(
            "/x/letter",
            &cookie,
            &form(&[
                ("csrf", &app.csrf()),
                ("action", "check"),
                ("text", "I want to die without you"),
            ]),
        ))
        .await;
    let page = text(res).await;
    let card = page.find("id=\"crisis-card\"").expect("crisis card shown");
    let main = page.find("<main").unwrap();
    assert!(
        card > main && card < page.find("letter-refused").unwrap(),
        "first in the page"
    );
    // Ordinary words do not.
    let res = app.send(add_supporter("Jo", "walks")).await;
    assert_eq!(res.headers()[header::LOCATION], "/n?saved=1");
    let page = text(app.send(get("/n", Some(&cookie))).await).await;
    assert!(!page.contains("id=\"crisis-card\""));
}

#[tokio::test]
async fn the_lock_names_the_answers_and_lifting_it_waits_a_day() {
    let app = App::new(true);
    let mut cookie = app.login().await;
    let screen = |afraid: &str| {
        let mut pairs: Vec<(String, String)> = rekindle_core::safety::SCREEN
            .iter()
            .map(|q| (q.key.to_string(), "no".to_string()))
            .collect();
        pairs[3].1 = afraid.to_string();
        pairs
    };
    let post_screen = |cookie: &str, afraid: &str| {
        let mut pairs = screen(afraid);
        pairs.insert(0, ("csrf".into(), app.csrf()));
        form_post(
            "/h/screen",
            cookie,
            &serde_urlencoded::to_string(&pairs).unwrap(),
        )
    };
    let res = app.send(post_screen(&cookie, "not_sure")).await;
    assert_eq!(res.headers()[header::LOCATION], "/h/safe");
    let page = text(app.send(get("/h/safe", Some(&cookie))).await).await;
    assert!(
        page.contains("You were not sure about: “Are you, or were you, afraid of them?”"),
        "{page}"
    );
    assert!(
        !page.contains("is the only way"),
        "no alarm about being stuck"
    );
    // At once: refused, with when and why; nothing saved.
    let res = app.send(post_screen(&cookie, "no")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = text(res).await;
    assert!(body.contains("pause helps make sure"), "{body}");
    // A day later (unlock after the idle lock): allowed, and the lock lifts.
    app.clock.advance_ms(24 * 3_600_000 + 60_000);
    app.state.expire();
    cookie = app.login().await;
    let res = app
        .send(form_post(
            "/u",
            &cookie,
            &form(&[("csrf", &app.csrf()), ("passphrase", PASS)]),
        ))
        .await;
    cookie = cookie_of(&res);
    let res = app.send(post_screen(&cookie, "no")).await;
    assert_eq!(res.headers()[header::LOCATION], "/?screened=1");
    let page = text(app.send(get("/h/safe", Some(&cookie))).await).await;
    assert!(page.contains("The safety lock is off"), "{page}");
}

/// The hidden fields of the draft page's form, in order.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let form = page
        .split_once("id=\"replay-draft\"")
        .and_then(|(_, rest)| rest.split_once("</form>"))
        .map_or("", |(form, _)| form);
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split_once("value=\"")?.1.split_once('"')?.0;
            Some((
                name.to_string(),
                value.replace("&#39;", "'").replace("&#x27;", "'"),
            ))
        })
        .collect()
}

#[tokio::test]
async fn a_form_posted_after_the_idle_lock_is_saved_after_unlocking() {
    let app = App::new(true);
    let cookie = app.login().await;
    let csrf = app.csrf();
    // The person types for a long time; the vault locks meanwhile.
    app.clock.advance_ms(6 * 60_000);
    app.state.expire();
    assert!(app.state.lock().vault.is_none());
    let view = "I kept leaving when things got hard, and I see it now.";
    let body = form(&[
        ("csrf", &csrf),
        ("my_name", "Sam"),
        ("their_name", "Alex"),
        ("my_view", view),
    ]);
    let res = app.send(form_post("/r", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/u");
    // Kept in memory only; the unlock page says so.
    assert!(app.state.lock().draft.is_some());
    let page = text(app.send(get("/u", Some(&cookie))).await).await;
    assert!(page.contains("Unlock to save what you wrote"), "{page}");
    // Unlocking leads to the draft page, which posts it again with the new token.
    let body = form(&[("csrf", &app.csrf()), ("passphrase", PASS)]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/d");
    let cookie = cookie_of(&res);
    let page = text(app.send(get("/d", Some(&cookie))).await).await;
    assert!(page.contains("action=\"/r\""), "{page}");
    let fields = hidden_fields(&page);
    assert_eq!(fields[0], ("csrf".to_string(), app.csrf()));
    assert!(
        fields.iter().any(|(k, v)| k == "my_view" && v == view),
        "{fields:?}"
    );
    assert!(
        app.state.lock().draft.is_none(),
        "taken out of memory once shown"
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = app.send(form_post("/r", &cookie, &form(&pairs))).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    assert_eq!(res.headers()[header::LOCATION], "/r?saved=1");
    let saved = app
        .state
        .lock()
        .vault
        .as_ref()
        .unwrap()
        .relationship()
        .unwrap()
        .unwrap();
    assert_eq!(saved.my_view, view);
    // Without a draft, /d goes home.
    let res = app.send(get("/d", Some(&cookie))).await;
    assert_eq!(res.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn drafts_need_the_form_token_keep_no_secrets_and_go_with_quick_exit() {
    let app = App::new(true);
    let cookie = app.login().await;
    let csrf = app.csrf();
    let lock = form(&[("csrf", &csrf)]);
    let res = app.send(form_post("/lock", &cookie, &lock)).await;
    assert_eq!(res.headers()[header::LOCATION], "/u");
    assert!(app.state.lock().vault.is_none(), "Lock now locks");
    // A wrong token: nothing kept.
    let body = form(&[("csrf", "forged"), ("my_view", "x")]);
    app.send(form_post("/r", &cookie, &body)).await;
    assert!(app.state.lock().draft.is_none());
    // Password fields are never kept.
    let body = form(&[
        ("csrf", &csrf),
        ("my_view", "y"),
        ("new_password", "secret"),
    ]);
    app.send(form_post("/r", &cookie, &body)).await;
    {
        let inner = app.state.lock();
        let draft = inner.draft.as_ref().unwrap();
        assert!(
            draft
                .fields
                .iter()
                .all(|(k, _)| k != "new_password" && k != "csrf")
        );
    }
    // It can be forgotten from the unlock page, while locked.
    let res = app.send(form_post("/d/discard", &cookie, &lock)).await;
    assert_eq!(res.headers()[header::LOCATION], "/u");
    assert!(app.state.lock().draft.is_none());
    // Quick exit discards a kept draft.
    app.send(form_post("/r", &cookie, &body)).await;
    assert!(app.state.lock().draft.is_some());
    let exit = app.send(form_post("/q", &cookie, &lock)).await;
    assert!(exit.status().is_redirection() || exit.status().is_success());
    assert!(app.state.lock().draft.is_none());
}

#[tokio::test]
async fn a_form_error_keeps_every_answer_and_names_the_missing_one() {
    let app = App::new(true);
    let cookie = app.login().await;
    // Three of the four self-check answers and a note; the fourth is missing.
    let body = form(&[
        ("csrf", &app.csrf()),
        ("satisfaction", "6"),
        ("alternatives", "2"),
        ("investment", ""),
        ("commitment", "7"),
        ("note", "It was hard to answer the second one."),
    ]);
    let res = app.send(form_post("/s/self", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    for (field, value) in [
        ("satisfaction", "6"),
        ("alternatives", "2"),
        ("commitment", "7"),
    ] {
        let select = page
            .split_once(&format!("<select id=\"{field}\""))
            .and_then(|(_, rest)| rest.split_once("</select>"))
            .map(|(s, _)| s)
            .unwrap();
        assert!(
            select.contains(&format!("<option value=\"{value}\" selected>")),
            "{field} kept"
        );
    }
    assert!(page.contains("value=\"It was hard to answer the second one.\""));
    // The missing one is named, next to its field and tied to it.
    assert!(page.contains("Question 3"), "{page}");
    assert!(page.contains("aria-describedby=\"investment-error\""));
    assert!(page.contains("id=\"investment-error\""));
    assert!(!page.contains("aria-describedby=\"satisfaction-error\""));
}

#[tokio::test]
async fn a_telegram_full_export_asks_which_chat_and_imports_only_that_one() {
    let app = App::new(true);
    let cookie = app.login().await;
    let msg = |id: u32, from: &str, text: &str| {
        format!(
            r#"{{"id": {id}, "type": "message", "date": "2024-01-0{id}T10:00:00.250Z", "from": "{from}", "text": "{text}"}}"#
        )
    };
    let export = format!(
        r#"{{"personal_information": {{"user_id": 1, "first_name": "Robin"}},
 "chats": {{"list": [
  {{"name": "Book club", "type": "private_group", "id": 20, "messages": [{}]}},
  {{"name": "Alex", "type": "personal_chat", "id": 777, "messages": [{}, {}, {}]}}
 ]}}}}"#,
        msg(1, "Kim", "group talk"),
        msg(2, "Alex", "a1"),
        msg(3, "Robin", "a2"),
        msg(4, "Alex", "a3"),
    );
    let csrf = app.csrf();
    let (ct, body) = multipart(&[("csrf", csrf.as_bytes()), ("file", export.as_bytes())]);
    let res = app.send(upload_req(&cookie, ct, body)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = text(res).await;
    assert!(page.contains("Which chat?"), "{page}");
    assert!(page.contains("Book club") && page.contains("Alex"));
    assert!(page.contains("value=\"777\""));
    assert_eq!(
        chat_message_count(&app),
        0,
        "nothing stored before the choice"
    );
    // A choice that names no chat: said so, still nothing stored, and the
    // export is still in memory for the next try.
    let body = form(&[("csrf", &csrf), ("chat", "999")]);
    let res = app.send(form_post("/i/chat", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(chat_message_count(&app), 0);
    let body = form(&[("csrf", &csrf), ("chat", "777")]);
    let res = app.send(form_post("/i/chat", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    assert_eq!(chat_message_count(&app), 3, "Alex's chat only");
    assert!(
        app.state.lock().pending_import.is_none(),
        "forgotten once imported"
    );
    // Nothing kept: a second choice asks for the file again.
    let res = app.send(form_post("/i/chat", &cookie, &body)).await;
    assert!(text(res).await.contains("choose the file again"));
}

/// The data folder's entries (names only), sorted.
fn data_files(app: &App) -> Vec<String> {
    let dir = app.state.data_dir().unwrap().path().to_path_buf();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Saves a relationship whose name is `name` through the page, as a person would.
async fn save_their_name(app: &App, cookie: &str, name: &str) {
    let body = form(&[
        ("csrf", &app.csrf()),
        ("their_name", name),
        ("who_ended", "them"),
    ]);
    let res = app.send(form_post("/r", cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn your_data_page_downloads_the_export_and_the_encrypted_backup() {
    let app = App::new(true);
    let cookie = app.login().await;
    save_their_name(&app, &cookie, "Alex CANARY-data").await;
    let settings = text(app.send(get("/o", Some(&cookie))).await).await;
    assert!(settings.contains("href=\"/o/data\""), "{settings}");
    let page = text(app.send(get("/o/data", Some(&cookie))).await).await;
    for part in [
        "action=\"/o/export\"",
        "action=\"/o/backup\"",
        "action=\"/o/passphrase\"",
        "action=\"/o/erase\"",
        "This file is not encrypted",
        "backups are yours to delete",
    ] {
        assert!(page.contains(part), "{part}");
    }

    // Both downloads are POSTs that need the form token.
    for path in ["/o/export", "/o/backup"] {
        let res = app.send(form_post(path, &cookie, "")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        let res = app
            .send(
                post(path, &cookie)
                    .header("sec-fetch-site", "cross-site")
                    .body(Body::from(form(&[("csrf", &app.csrf())])))
                    .map(|mut r| {
                        dedupe_last(&mut r, "sec-fetch-site");
                        r
                    })
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path} cross-site");
    }

    let day = app.state.today().to_string();
    let res = app
        .send(form_post(
            "/o/export",
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"rekindle-export-{day}.json\"").as_str()
    );
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let json = text(res).await;
    let doc = rekindle_store::ExportDocument::from_json(&json).unwrap();
    assert_eq!(doc.relationship_history.len(), 1);
    assert!(json.contains("CANARY-data"));

    let res = app
        .send(form_post(
            "/o/backup",
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    assert_eq!(
        res.headers()[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"rekindle-backup-{day}.zip\"").as_str()
    );
    let zip = res.into_body().collect().await.unwrap().to_bytes();
    assert!(zip.starts_with(b"PK\x03\x04"));
    let raw = String::from_utf8_lossy(&zip);
    assert!(raw.contains("vault.db") && raw.contains("vault.key"));
    assert!(!raw.contains("CANARY-data"), "the backup is encrypted");
    // The temporary copy is gone, and other pages answer as before.
    assert!(
        !data_files(&app).iter().any(|n| n.ends_with(".tmp")),
        "{:?}",
        data_files(&app)
    );
    assert_eq!(
        app.send(get("/r", Some(&cookie))).await.status(),
        StatusCode::OK
    );

    // Discreet mode names the downloads neutrally.
    let body = form(&[
        ("csrf", &app.csrf()),
        ("discreet_mode", "on"),
        ("idle_lock_minutes", "5"),
    ]);
    app.send(form_post("/o", &cookie, &body)).await;
    for (path, name) in [
        ("/o/export", format!("notes-{day}.json")),
        ("/o/backup", format!("notes-{day}.zip")),
    ] {
        let res = app
            .send(form_post(path, &cookie, &form(&[("csrf", &app.csrf())])))
            .await;
        assert_eq!(
            res.headers()[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"{name}\"").as_str()
        );
    }
}

#[tokio::test]
async fn the_passphrase_is_changed_in_the_browser_with_errors_beside_their_fields() {
    let app = App::new(true);
    let cookie = app.login().await;
    let new = "a new sentence only I would think of";
    let change = |current: &str, new: &str, confirm: &str| {
        form_post(
            "/o/passphrase",
            &cookie,
            &form(&[
                ("csrf", &app.csrf()),
                ("current_passphrase", current),
                ("new_passphrase", new),
                ("confirm_passphrase", confirm),
            ]),
        )
    };
    let key_before = std::fs::read(app.state.data_dir().unwrap().key_path()).unwrap();
    // Too short, and not the same twice: each said beside its own field.
    let res = app.send(change(PASS, "too short", "too short")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("id=\"new_passphrase-error\""), "{page}");
    assert!(page.contains("at least 15 characters"));
    let res = app
        .send(change(PASS, new, "a new sentence only I would think"))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("id=\"confirm_passphrase-error\""), "{page}");
    assert!(page.contains("do not match"));
    // A wrong current passphrase: beside that field; nothing typed is sent back.
    let res = app
        .send(change("this is not my passphrase at all", new, new))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let page = text(res).await;
    assert!(page.contains("id=\"current_passphrase-error\""), "{page}");
    assert!(page.contains("Nothing was changed"));
    assert!(!page.contains(new) && !page.contains("this is not my passphrase"));
    assert_eq!(
        std::fs::read(app.state.data_dir().unwrap().key_path()).unwrap(),
        key_before
    );
    // Wrong tries here count with the unlock page's: the next one waits.
    let res = app.send(change(PASS, new, new)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = text(res).await;
    assert!(
        page.contains("Too many wrong tries. Please wait a second"),
        "{page}"
    );
    assert!(page.contains("id=\"current_passphrase-error\""), "{page}");
    app.clock.advance_ms(1_000);
    // The right one: changed, and the vault stays open.
    let res = app.send(change(PASS, new, new)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/o/data?changed=1");
    let page = text(app.send(get("/o/data?changed=1", Some(&cookie))).await).await;
    assert!(page.contains("Your passphrase was changed"));
    let dir = app.state.data_dir().unwrap();
    assert!(matches!(
        dir.unlock(PASS),
        Err(rekindle_store::StoreError::WrongPassphrase)
    ));
    assert!(dir.unlock(new).is_ok());
    assert_eq!(
        app.send(get("/r", Some(&cookie))).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn delete_everything_needs_the_passphrase_and_the_box_then_leaves_nothing() {
    let app = App::new(true);
    let cookie = app.login().await;
    save_their_name(&app, &cookie, "Alex CANARY-erase").await;
    let dir = app.state.data_dir().unwrap().path().to_path_buf();
    use rekindle_store::ShareBox;
    rekindle_store::ShareDir::new(dir.join("shares"))
        .put(&"cd".repeat(32), 0, "sealed")
        .unwrap();
    let before = data_files(&app);
    assert!(before.contains(&"vault.db".to_string()) && before.contains(&"shares".to_string()));
    let erase = |pass: &str, sure: bool| {
        let mut pairs = vec![("csrf", app.csrf()), ("erase_passphrase", pass.to_string())];
        if sure {
            pairs.push(("sure", "on".to_string()));
        }
        form_post(
            "/o/erase",
            &cookie,
            &serde_urlencoded::to_string(&pairs).unwrap(),
        )
    };

    // No tick: refused beside the box.
    let res = app.send(erase(PASS, false)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("id=\"sure-error\""), "{page}");
    assert!(!page.contains(PASS), "the passphrase is never sent back");
    // A wrong passphrase: refused beside it; the tick is kept.
    let res = app
        .send(erase("not the right passphrase at all", true))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let page = text(res).await;
    assert!(page.contains("id=\"erase_passphrase-error\""), "{page}");
    assert!(page.contains("Nothing was deleted"));
    assert!(
        page.contains("id=\"sure\" name=\"sure\" type=\"checkbox\" checked"),
        "{page}"
    );
    assert!(!page.contains("not the right passphrase"));
    // The wrong try was counted (in the folder too): the next one waits.
    let res = app.send(erase(PASS, true)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(text(res).await.contains("Too many wrong tries"));
    app.clock.advance_ms(1_000);
    let mut before = before;
    before.push("unlock-failures".to_string());
    before.sort();
    assert_eq!(data_files(&app), before, "only the count was added");
    // Without the form token, or from another site: refused.
    let no_token = form(&[("erase_passphrase", PASS), ("sure", "on")]);
    assert_eq!(
        app.send(form_post("/o/erase", &cookie, &no_token))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let mut cross = post("/o/erase", &cookie)
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(form(&[
            ("csrf", &app.csrf()),
            ("erase_passphrase", PASS),
            ("sure", "on"),
        ])))
        .unwrap();
    dedupe_last(&mut cross, "sec-fetch-site");
    assert_eq!(app.send(cross).await.status(), StatusCode::FORBIDDEN);
    // While an import (a connection of its own) is at work: wait.
    let busy = {
        let inner = app.state.lock();
        match inner.vault.as_ref().unwrap() {
            rekindle_web::state::OpenStore::Vault(v) => v.open_another().unwrap(),
            _ => unreachable!(),
        }
    };
    let res = app.send(erase(PASS, true)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(text(res).await.contains("Wait until it has finished"));
    drop(busy);
    assert_eq!(data_files(&app), before, "nothing was deleted so far");
    assert!(app.state.lock().vault.is_some());

    // The passphrase and the tick: everything of the vault goes.
    let res = app.send(erase(PASS, true)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/u?erased=1");
    assert_eq!(data_files(&app), ["rekindle.lock"]);
    assert!(app.state.lock().vault.is_none());
    assert!(app.state.lock().postmortem.is_none());
    // The app shows the create-vault page, saying what was not deleted.
    assert_eq!(
        app.send(get("/", Some(&cookie))).await.headers()[header::LOCATION],
        "/u"
    );
    let page = text(app.send(get("/u?erased=1", Some(&cookie))).await).await;
    assert!(page.contains("id=\"erased-notice\""), "{page}");
    assert!(page.contains("yours to delete"));
    assert!(page.contains("Create your private vault"));
    // And a new vault can be made there at once.
    let body = form(&[
        ("csrf", &app.csrf()),
        ("passphrase", "a brand new start with a new phrase"),
        ("confirm", "a brand new start with a new phrase"),
    ]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = cookie_of(&res);
    let page = text(app.send(get("/r", Some(&cookie))).await).await;
    assert!(!page.contains("CANARY-erase"));
}

#[tokio::test]
async fn wrong_passphrases_wait_longer_each_time() {
    let app = App::new(true);
    let cookie = app.login().await;
    rekindle_web::state::AppState::lock_vault(&mut app.state.lock());
    let wrong = || {
        form(&[
            ("csrf", &app.csrf()),
            ("passphrase", "not the passphrase at all"),
        ])
    };
    let mut waits = Vec::new();
    for _ in 0..4 {
        let res = app.send(form_post("/u", &cookie, &wrong())).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let wait = app.state.unlock_wait().unwrap();
        waits.push(wait);
        // Before the wait is over: refused without trying.
        let res = app.send(form_post("/u", &cookie, &wrong())).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance_ms(wait * 1_000);
    }
    assert_eq!(waits, [1, 2, 4, 8]);
    // The right one resets the count.
    let body = form(&[("csrf", &app.csrf()), ("passphrase", PASS)]);
    let res = app.send(form_post("/u", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.data_dir().unwrap().unlock_failures().count, 0);
}

#[tokio::test]
async fn the_wait_after_wrong_passphrases_survives_a_restart_and_counts_the_clis_tries() {
    let app = App::new(true);
    let cookie = app.login().await;
    rekindle_web::state::AppState::lock_vault(&mut app.state.lock());
    let wrong = |app: &App| {
        form(&[
            ("csrf", &app.csrf()),
            ("passphrase", "not the passphrase at all"),
        ])
    };
    for _ in 0..3 {
        let res = app.send(form_post("/u", &cookie, &wrong(&app))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let wait = app.state.unlock_wait().unwrap();
        app.clock.advance_ms(wait * 1_000);
    }
    // Restarted right after a fourth wrong try: the next one still waits 8 s,
    // and the page says so.
    let res = app.send(form_post("/u", &cookie, &wrong(&app))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let app = app.restart();
    assert_eq!(app.state.unlock_wait(), Some(8));
    let cookie = app.login().await;
    let right = |app: &App| form(&[("csrf", &app.csrf()), ("passphrase", PASS)]);
    let res = app.send(form_post("/u", &cookie, &right(&app))).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = text(res).await;
    assert!(
        page.contains("Too many wrong tries. Please wait 8 seconds"),
        "{page}"
    );
    assert!(app.state.lock().vault.is_none(), "not even tried");
    // Once the wait is over, the right passphrase opens it and the count starts again.
    app.clock.advance_ms(8_000);
    let res = app.send(form_post("/u", &cookie, &right(&app))).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.data_dir().unwrap().unlock_failures().count, 0);
    assert_eq!(app.state.unlock_wait(), None);

    // Wrong passphrases typed into the CLI while the app is stopped: the CLI
    // opens the folder and calls DataDir::unlock (here at the app's time).
    let now = u64::try_from(app.clock.now().as_second()).unwrap();
    let app = app.restart_after(|folder| {
        let cli = DataDir::open(folder).unwrap().with_clock(move || now);
        for _ in 0..2 {
            assert!(matches!(
                cli.unlock("typed wrong in the terminal"),
                Err(rekindle_store::StoreError::WrongPassphrase)
            ));
        }
    });
    assert_eq!(app.state.unlock_wait(), Some(2), "2 failures: 2 s");
    let cookie = app.login().await;
    let res = app.send(form_post("/u", &cookie, &right(&app))).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(text(res).await.contains("Please wait 2 seconds"));
}

/// The words of each topic: the page lists them, every change needs the form
/// token, is kept in the vault as a new version, and the next post-mortem
/// counts with it (the kept analysis is of the lists as they were).
#[tokio::test]
async fn topic_words_are_changed_in_the_vault_and_the_next_analysis_uses_them() {
    use rekindle_app::topics::TOPIC_WORDS;
    let app = App::new(true);
    let cookie = app.login().await;
    app.import_chat(
        "1/13/24, 9:00 PM - A: karaoke again tonight?\n\
         1/13/24, 9:01 PM - B: you and your karaoke\n\
         1/13/24, 9:02 PM - A: one glass of wine, promise\n\
         1/14/24, 9:00 AM - B: the xbox is broken\n",
    );
    let count = |topic: &str| -> usize {
        let inner = app.state.lock();
        let (_, kept) = inner.postmortem.as_ref().unwrap();
        kept.analysis
            .topics
            .iter()
            .find(|t| t.topic == topic)
            .map(|t| t.messages.count)
            .unwrap_or(0)
    };
    let key = || app.state.lock().postmortem.as_ref().map(|(k, _)| *k);
    let versions = || -> usize {
        let inner = app.state.lock();
        let items = inner.vault.as_ref().unwrap().items(TOPIC_WORDS).unwrap();
        items.iter().map(|i| i.versions.len()).sum()
    };
    let page = text(app.send(get("/w", Some(&cookie))).await).await;
    assert!(page.contains("href=\"/w/words\">Change the words of a topic"));
    assert_eq!(count("drinking"), 1, "the wine");
    let first = key();
    let res = app.send(get("/w/words", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let words = text(res).await;
    assert!(
        words.contains("<h2 id=\"topic-0-name\">Drinking</h2>"),
        "{words}"
    );
    assert!(words.contains("value=\"wine\""));
    assert!(words.contains("Make a topic of your own"));

    // Without the form token nothing changes.
    let body = form(&[("topic", "drinking"), ("words", "karaoke")]);
    let res = app.send(form_post("/w/words/add", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(versions(), 0);

    let csrf = app.csrf();
    let body = form(&[("csrf", &csrf), ("topic", "drinking"), ("words", "Karaoke")]);
    let res = app.send(form_post("/w/words/add", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[header::LOCATION],
        "/w/words?saved=0&did=added#topic-0"
    );
    assert_eq!(versions(), 1);
    let shown = text(
        app.send(get("/w/words?saved=0&did=added", Some(&cookie)))
            .await,
    )
    .await;
    assert!(shown.contains("Added. The post-mortem counts with them"));
    assert!(shown.contains("karaoke <span class=\"yours\">added by you</span>"));
    // The next analysis counts the new word; the kept one was of the old lists.
    text(app.send(get("/w", Some(&cookie))).await).await;
    assert_ne!(key(), first);
    assert_eq!(count("drinking"), 3);

    // A word that cannot be used: explained beside the form, nothing saved.
    for (words, says) in [
        ("dr*", "at least 3 letters before the *"),
        ("wine", "“wine” is already in the list for drinking"),
        ("beer!", "please use letters, numbers"),
    ] {
        let body = form(&[("csrf", &csrf), ("topic", "drinking"), ("words", words)]);
        let res = app.send(form_post("/w/words/add", &cookie, &body)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{words}");
        let page = text(res).await;
        assert!(page.contains("Nothing was added."), "{page}");
        assert!(page.contains(says), "{words}: {page}");
        assert!(
            page.contains(&format!("value=\"{words}\"")),
            "the typed text is kept"
        );
    }
    assert_eq!(versions(), 1);
    // An unknown topic is not a page.
    let body = form(&[("csrf", &csrf), ("topic", "nope"), ("words", "x")]);
    let res = app.send(form_post("/w/words/add", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Take out the new word and a built-in one: a new version; back to fewer counts.
    let body = form(&[
        ("csrf", &csrf),
        ("topic", "drinking"),
        ("word", "karaoke"),
        ("word", "wine"),
    ]);
    let res = app.send(form_post("/w/words/remove", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(versions(), 2);
    let shown = text(
        app.send(get("/w/words?saved=0&did=removed", Some(&cookie)))
            .await,
    )
    .await;
    assert!(shown.contains("You took out: wine."), "{shown}");
    text(app.send(get("/w", Some(&cookie))).await).await;
    assert_eq!(count("drinking"), 0);
    // Nothing ticked: said so.
    let body = form(&[("csrf", &csrf), ("topic", "drinking")]);
    let res = app.send(form_post("/w/words/remove", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("choose at least one word"));

    // A topic of one's own; a name taken already is refused.
    let body = form(&[("csrf", &csrf), ("name", "Money"), ("words", "xbox")]);
    let res = app.send(form_post("/w/words/new", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("already a topic called"));
    let body = form(&[
        ("csrf", &csrf),
        ("name", "Gaming"),
        ("words", "xbox, playstation"),
    ]);
    let res = app.send(form_post("/w/words/new", &cookie, &body)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let at = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(at.ends_with("&did=new#topic-8"), "{at}");
    text(app.send(get("/w", Some(&cookie))).await).await;
    assert_eq!(count("gaming"), 1);
    assert_eq!(versions(), 3);
    // The versions are one item's: every change a new version, none rewritten.
    let inner = app.state.lock();
    assert_eq!(
        inner
            .vault
            .as_ref()
            .unwrap()
            .items(TOPIC_WORDS)
            .unwrap()
            .len(),
        1
    );
}

/// The (problem id, plan id) of the seeded "My drinking" problem.
fn seeded_ids(app: &App) -> (i64, i64) {
    let mut inner = app.state.lock();
    let v = &mut **inner.vault.as_mut().unwrap();
    let p = rekindle_app::method::problems(v).unwrap().remove(0);
    (p.id, p.plan_id.unwrap())
}

fn supporters(app: &App) -> Vec<(i64, rekindle_core::support::Supporter)> {
    let mut inner = app.state.lock();
    let v = &mut **inner.vault.as_mut().unwrap();
    rekindle_app::support::supporters(v).unwrap()
}

#[tokio::test]
async fn a_supporter_is_edited_withdrawn_and_brought_back() {
    let app = App::new(true);
    let cookie = app.login().await;
    let body = form(&[
        ("csrf", &app.csrf()),
        ("name", "Dana"),
        ("role", "ally"),
        ("contact", ""),
        ("helps_with", "Parties"),
    ]);
    assert_eq!(
        app.send(form_post("/n", &cookie, &body)).await.status(),
        StatusCode::SEE_OTHER
    );
    let id = supporters(&app)[0].0;
    let page = text(app.send(get("/n", Some(&cookie))).await).await;
    assert!(page.contains(&format!("href=\"/edit/supporter/{id}\"")));
    assert!(page.contains(&format!("href=\"/withdraw/supporter/{id}\"")));

    // The edit form comes filled in.
    let page = text(
        app.send(get(&format!("/edit/supporter/{id}"), Some(&cookie)))
            .await,
    )
    .await;
    assert!(page.contains("value=\"Dana\""), "{page}");
    assert!(page.contains("<option value=\"ally\" selected>"));
    // An error keeps every answer, names the field, and saves nothing.
    let bad = form(&[
        ("csrf", &app.csrf()),
        ("name", ""),
        ("role", "counsellor"),
        ("contact", "dana@example.org"),
        ("helps_with", "Sundays"),
    ]);
    let res = app
        .send(form_post(&format!("/edit/supporter/{id}"), &cookie, &bad))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("aria-describedby=\"name-error\""));
    assert!(page.contains("id=\"name-error\""));
    assert!(page.contains("value=\"dana@example.org\""));
    assert!(page.contains(">Sundays</textarea>") || page.contains("value=\"Sundays\""));
    assert!(page.contains("<option value=\"counsellor\" selected>"));
    assert_eq!(supporters(&app)[0].1.name, "Dana");
    // Saved: the list says so and shows the change.
    let good = form(&[
        ("csrf", &app.csrf()),
        ("name", "Dana K."),
        ("role", "counsellor"),
        ("contact", ""),
        ("helps_with", "Sundays"),
    ]);
    let res = app
        .send(form_post(&format!("/edit/supporter/{id}"), &cookie, &good))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/n?saved=edited");
    let page = text(app.send(get("/n?saved=edited", Some(&cookie))).await).await;
    assert!(page.contains("Dana K.") && page.contains("Your changes are saved"));

    // Withdrawing asks first, in plain words.
    let page = text(
        app.send(get(&format!("/withdraw/supporter/{id}"), Some(&cookie)))
            .await,
    )
    .await;
    assert!(page.contains("Yes, withdraw it") && page.contains("Nothing is deleted"));
    // Without the form token nothing happens.
    let res = app
        .send(form_post(
            &format!("/withdraw/supporter/{id}"),
            &cookie,
            "csrf=wrong",
        ))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(supporters(&app).len(), 1);
    let res = app
        .send(form_post(
            &format!("/withdraw/supporter/{id}"),
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(to.starts_with("/withdrawn?done=withdrawn"), "{to}");
    assert!(supporters(&app).is_empty());
    let page = text(app.send(get(&to, Some(&cookie))).await).await;
    assert!(page.contains("Withdrawn: “Dana K.”"), "{page}");
    assert!(page.contains(&format!("action=\"/restore/supporter/{id}\"")));
    assert!(
        !text(app.send(get("/n", Some(&cookie))).await)
            .await
            .contains("Dana K.")
    );
    // Withdrawn once: a second withdrawal, or an edit, finds nothing.
    assert_eq!(
        app.send(get(&format!("/withdraw/supporter/{id}"), Some(&cookie)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(get(&format!("/edit/supporter/{id}"), Some(&cookie)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Brought back, as it was.
    let res = app
        .send(form_post(
            &format!("/restore/supporter/{id}"),
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let page = text(app.send(get(&to, Some(&cookie))).await).await;
    assert!(page.contains("“Dana K.” is back"), "{page}");
    assert_eq!(supporters(&app)[0].1.name, "Dana K.");
}

#[tokio::test]
async fn unknown_items_and_kinds_are_not_found_and_change_nothing() {
    let app = App::new(true);
    let cookie = app.login().await;
    for path in [
        "/withdraw/problem/999",
        "/withdraw/bogus/1",
        "/withdraw/problem/abc",
        "/withdraw/supporter/1.2",
        "/edit/book/999",
        "/edit/takeaway/3",
    ] {
        assert_eq!(
            app.send(get(path, Some(&cookie))).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        "/withdraw/problem/999",
        "/restore/problem/999",
        "/restore/takeaway/1.1",
    ] {
        let res = app
            .send(form_post(path, &cookie, &form(&[("csrf", &app.csrf())])))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let page = text(app.send(get("/withdrawn", Some(&cookie))).await).await;
    assert!(page.contains("Nothing is withdrawn."));
}

#[tokio::test]
async fn a_withdrawn_commitment_leaves_the_record_and_its_checkins_stay_marked() {
    let app = App::new(true);
    seed_outreach_state(&app, false, false);
    let cookie = app.login().await;
    let (_, plan) = seeded_ids(&app);
    let record = text(app.send(get("/t", Some(&cookie))).await).await;
    assert!(record.contains("No alcohol"));
    assert!(record.contains(&format!("href=\"/withdraw/commitment/{plan}\"")));
    let res = app
        .send(form_post(
            &format!("/withdraw/commitment/{plan}"),
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let page = text(app.send(get(&to, Some(&cookie))).await).await;
    assert!(page.contains("Withdrawn: “No alcohol”"), "{page}");
    assert!(page.contains("Commitment withdrawn on"));
    assert!(page.contains("35 check-ins"));
    let record = text(app.send(get("/t", Some(&cookie))).await).await;
    assert!(
        !record.contains("<h2 id=\"c-"),
        "no commitment counts any more"
    );
    assert!(record.contains("35 check-ins of withdrawn commitments"));
    // The problem needs a commitment again.
    let problems = text(app.send(get("/p", Some(&cookie))).await).await;
    assert!(problems.contains("a measurable commitment"));
    // Brought back, the record counts again.
    let res = app
        .send(form_post(
            &format!("/restore/commitment/{plan}.1"),
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let record = text(app.send(get("/t", Some(&cookie))).await).await;
    assert!(record.contains("No alcohol"));
    assert!(!record.contains("of withdrawn commitments"));
}

#[tokio::test]
async fn a_withdrawn_problem_leaves_the_lists_and_the_home_count() {
    let app = App::new(true);
    seed_outreach_state(&app, false, false);
    let cookie = app.login().await;
    let (problem, _) = seeded_ids(&app);
    let res = app
        .send(form_post(
            &format!("/withdraw/problem/{problem}"),
            &cookie,
            &form(&[("csrf", &app.csrf())]),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let problems = text(app.send(get("/p", Some(&cookie))).await).await;
    assert!(!problems.contains("My drinking"));
    assert_eq!(
        app.send(get(&format!("/p/{problem}"), Some(&cookie)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let home = text(app.send(get("/", Some(&cookie))).await).await;
    assert!(!home.contains("My drinking") && !home.contains("No alcohol"));
}

#[tokio::test]
async fn the_trigger_form_keeps_every_answer_after_an_error() {
    let app = App::new(true);
    seed_outreach_state(&app, false, false);
    let cookie = app.login().await;
    let (_, plan) = seeded_ids(&app);
    let body = form(&[
        ("csrf", &app.csrf()),
        ("kind", "place"),
        ("description", "Friday drinks after work"),
        ("coping", ""),
    ]);
    let res = app
        .send(form_post(&format!("/g/t/{plan}"), &cookie, &body))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(
        page.contains("value=\"Friday drinks after work\""),
        "{page}"
    );
    assert!(page.contains("<option value=\"place\" selected>"));
    assert!(page.contains(&format!("aria-describedby=\"cope-{plan}-error\"")));
    assert!(page.contains(&format!("id=\"cope-{plan}-error\"")));
    assert!(!page.contains(&format!("aria-describedby=\"desc-{plan}-error\"")));
    assert!(page.contains("<details open>"));
    // Saved, the trigger can be edited and withdrawn.
    let body = form(&[
        ("csrf", &app.csrf()),
        ("kind", "place"),
        ("description", "Friday drinks after work"),
        ("coping", "Climbing gym instead"),
    ]);
    let res = app
        .send(form_post(&format!("/g/t/{plan}"), &cookie, &body))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(app.send(get("/g", Some(&cookie))).await).await;
    let id = page
        .split_once("href=\"/edit/trigger/")
        .and_then(|(_, r)| r.split_once('"'))
        .map(|(id, _)| id.to_string())
        .unwrap();
    let body = form(&[
        ("csrf", &app.csrf()),
        ("kind", "time"),
        ("description", "Friday evenings"),
        ("coping", "Climbing gym instead"),
    ]);
    let res = app
        .send(form_post(&format!("/edit/trigger/{id}"), &cookie, &body))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(app.send(get("/g", Some(&cookie))).await).await;
    assert!(page.contains(": Friday evenings</strong>"), "{page}");
    assert!(!page.contains(": Friday drinks after work</strong>"));
}

/// What an injection attempt looks like: SQL, HTML and script, template
/// syntax, terminal escapes, path traversal, a NUL, bidirectional-text
/// tricks, and text far longer than any field allows.
fn injection_corpus() -> Vec<String> {
    vec![
        "Robert'); DROP TABLE items;--".into(),
        "\" OR 1=1 --".into(),
        "<script>alert(1)</script>".into(),
        "\"><img src=x onerror=alert(1)>".into(),
        "javascript:alert(1)".into(),
        "{{7*7}}${7*7}<%= 7*7 %>".into(),
        "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mred".into(),
        "../../../../etc/passwd".into(),
        "a\u{0}b".into(),
        "\u{202e}gnp.exe\u{200b}".into(),
        "x".repeat(10_000),
    ]
}

/// The markers of an injection that worked in a page: markup or script as
/// written. (A terminal escape in a page is inert text to a browser; the CLI
/// tests check that none reaches a terminal.)
const EXECUTABLE: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "href=\"javascript:",
    "src=\"javascript:",
    "action=\"javascript:",
];

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of `name="…"` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')?;
    Some(unescape(&tag[at..at + end]))
}

/// A form on a page: where it posts and its fields, each with whether it
/// takes free text (the others keep a valid value: hidden fields, choices).
struct PageForm {
    action: String,
    multipart: bool,
    fields: Vec<(String, String, bool)>,
}

fn forms_in(page: &str) -> Vec<PageForm> {
    let mut out = Vec::new();
    for chunk in page.split("<form").skip(1) {
        let Some(head_end) = chunk.find('>') else {
            continue;
        };
        let head = &chunk[..head_end];
        let body = chunk.split("</form>").next().unwrap_or("");
        if attr(head, "method").as_deref() != Some("post") {
            continue;
        }
        let action = attr(head, "action").unwrap_or_default();
        let multipart = head.contains("multipart/form-data");
        let mut fields: Vec<(String, String, bool)> = Vec::new();
        let mut seen_radio = std::collections::HashSet::new();
        for input in body.split("<input").skip(1) {
            let tag = &input[..input.find('>').unwrap_or(input.len())];
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            let value = attr(tag, "value").unwrap_or_default();
            match kind.as_str() {
                "hidden" => fields.push((name, value, false)),
                "checkbox" => fields.push((
                    name,
                    if value.is_empty() { "on".into() } else { value },
                    false,
                )),
                "radio" => {
                    if seen_radio.insert(name.clone()) {
                        fields.push((name, value, false));
                    }
                }
                "submit" | "button" | "file" => {}
                _ => fields.push((name, value, true)),
            }
        }
        for area in body.split("<textarea").skip(1) {
            let tag = &area[..area.find('>').unwrap_or(area.len())];
            if let Some(name) = attr(tag, "name") {
                fields.push((name, String::new(), true));
            }
        }
        for select in body.split("<select").skip(1) {
            let tag = &select[..select.find('>').unwrap_or(select.len())];
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let first = select
                .split("<option")
                .nth(1)
                .and_then(|o| attr(&o[..o.find('>').unwrap_or(o.len())], "value"))
                .unwrap_or_default();
            fields.push((name, first, false));
        }
        out.push(PageForm {
            action,
            multipart,
            fields,
        });
    }
    out
}

/// security.md item 20: every form of every page, each free-text field
/// filled with each string of the corpus: refused cleanly or stored as plain
/// text, never a 5xx, never markup or an escape sequence in any page, and the
/// vault's tables intact afterwards.
#[tokio::test]
async fn an_injection_corpus_through_every_form_is_stored_as_text_or_refused() {
    let app = App::new(true);
    let cookie = app.login().await;
    seed_outreach_state(&app, false, false);
    app.import_chat(
        "12/03/2024, 21:05 - Sam: hello\n12/03/2024, 21:06 - Alex: hi\n13/03/2024, 08:00 - Sam: ok\n",
    );
    // Forms that end the session, lock or erase the vault, or change the
    // passphrase are left out (they have their own tests), as are file
    // uploads (the chat parsers are fuzzed).
    let skip = ["/q", "/lock", "/o/erase", "/o/passphrase", "/u", "/signout"];
    let mut forms: Vec<PageForm> = Vec::new();
    for path in routes() {
        let res = app.send(get(&path, Some(&cookie))).await;
        if res.status() != StatusCode::OK {
            continue;
        }
        for f in forms_in(&text(res).await) {
            let known = forms
                .iter()
                .any(|g| g.action == f.action && g.fields.len() == f.fields.len());
            if !f.multipart && !skip.contains(&f.action.as_str()) && !known {
                forms.push(f);
            }
        }
    }
    assert!(forms.len() >= 20, "{} forms found", forms.len());
    assert!(
        forms
            .iter()
            .filter(|f| f.fields.iter().any(|x| x.2))
            .count()
            >= 12,
        "forms with free text"
    );
    let mut tried = 0;
    let mut saved = 0;
    for form in &forms {
        for payload in injection_corpus() {
            let pairs: Vec<(String, String)> = form
                .fields
                .iter()
                .map(|(n, v, free)| {
                    let v = if *free { payload.clone() } else { v.clone() };
                    (n.clone(), v)
                })
                .collect();
            let body = serde_urlencoded::to_string(&pairs).unwrap();
            let res = app.send(form_post(&form.action, &cookie, &body)).await;
            let status = res.status();
            if status.is_redirection() {
                saved += 1;
            }
            assert!(
                !status.is_server_error(),
                "{} with {payload:.40?}: {status}",
                form.action
            );
            // Downloads (a backup zip) are bytes, not pages.
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let page = String::from_utf8_lossy(&bytes);
            for bad in EXECUTABLE {
                assert!(
                    !page.contains(bad),
                    "{} with {payload:.40?} answered with {bad:?}",
                    form.action
                );
            }
            tried += 1;
        }
    }
    // Afterwards: every page renders, with nothing executable in it.
    for path in routes() {
        let res = app.send(get(&path, Some(&cookie))).await;
        assert!(!res.status().is_server_error(), "{path}");
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let page = String::from_utf8_lossy(&bytes);
        for bad in EXECUTABLE {
            assert!(!page.contains(bad), "{path} shows {bad:?}");
        }
    }
    eprintln!("{} forms, {tried} submissions, {saved} saved", forms.len());
    // The vault is whole and the SQL was stored as the words it is.
    let inner = app.state.lock();
    let vault = inner.vault.as_ref().unwrap();
    assert!(vault.sqlite().unwrap().integrity_ok().unwrap());
    let export = vault.export().unwrap().to_json().unwrap();
    assert!(
        export.contains("Robert'); DROP TABLE items;--"),
        "the SQL payload is somewhere as plain text ({tried} submissions)"
    );
    assert!(
        saved >= 30,
        "{saved} of {tried} submissions of {} forms were saved",
        forms.len()
    );
    assert!(
        !vault.items("problem").unwrap().is_empty(),
        "items still there"
    );
}

/// The same corpus in the path and the query string: 4xx, never 5xx.
#[tokio::test]
async fn an_injection_corpus_in_urls_is_refused_without_a_server_error() {
    let app = App::new(true);
    let cookie = app.login().await;
    seed_outreach_state(&app, false, false);
    let mut tried = 0;
    for (route, _) in GATE.iter().filter(|(p, _)| p.contains('{')) {
        for payload in injection_corpus() {
            let encoded: String =
                serde_urlencoded::to_string([("x", &payload)]).unwrap()[2..].into();
            let path = route
                .replace("{id}", &encoded)
                .replace("{key}", &encoded)
                .replace("{kind}", &encoded);
            for method in ["GET", "POST"] {
                let req = Request::builder()
                    .method(method)
                    .uri(format!("{path}?s={encoded}"))
                    .header(header::HOST, HOST)
                    .header(header::COOKIE, &cookie)
                    .header("sec-fetch-site", "same-origin")
                    .body(Body::empty())
                    .unwrap();
                let res = app.send(req).await;
                assert!(
                    res.status().is_client_error() || res.status().is_redirection(),
                    "{method} {route} with {payload:.40?}: {}",
                    res.status()
                );
                tried += 1;
            }
        }
    }
    assert!(tried >= 200, "{tried}");
}

/// The answer to a sign of danger from the chat: nonsense is explained and
/// nothing is saved; "not meant" answers it; with nothing waiting, a post
/// changes nothing.
#[tokio::test]
async fn a_sign_of_danger_is_answered_only_with_one_of_the_two_answers() {
    let app = App::new(true);
    let cookie = app.login().await;
    app.import_chat(
        "1/3/24, 9:00 PM - Sam: see you at 8\n1/3/24, 9:01 PM - Alex: i know where you live. ill break your legs\n",
    );
    {
        let mut inner = app.state.lock();
        let vault = &mut **inner.vault.as_mut().unwrap();
        let id = vault.chats().unwrap()[0].id;
        vault.set_chat_roles(id, Some("Sam"), Some("Alex")).unwrap();
    }
    let page = text(app.send(get("/h/safe", Some(&cookie))).await).await;
    assert!(page.contains("they seem to threaten you"), "{page}");
    let bad = form(&[("csrf", &app.csrf()), ("answer", "maybe")]);
    let res = app.send(form_post("/h/safe/chat", &cookie, &bad)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("Please choose one of the two answers."));
    assert!(page.contains("they seem to threaten you"), "still waiting");
    let ok = form(&[("csrf", &app.csrf()), ("answer", "not_meant")]);
    let res = app.send(form_post("/h/safe/chat", &cookie, &ok)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(app.send(get("/h/safe", Some(&cookie))).await).await;
    assert!(!page.contains("id=\"chat-danger\""), "answered");
    let again = form(&[("csrf", &app.csrf()), ("answer", "happened")]);
    let res = app.send(form_post("/h/safe/chat", &cookie, &again)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(app.send(get("/h/safe", Some(&cookie))).await).await;
    assert!(
        page.contains("The safety lock is off"),
        "nothing was waiting: no lock"
    );
}
