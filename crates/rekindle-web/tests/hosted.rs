//! Hosted mode through the real router on a real PostgreSQL: accounts by
//! invitation, each person's data theirs alone, any app process serving any
//! session, quick exit signing out, and the documents moving between modes.
//!
//! Runs against REKINDLE_TEST_DATABASE_URL (scripts/test.sh starts a
//! throwaway cluster and sets it), or else a throwaway cluster started here;
//! without PostgreSQL these tests fail, they never skip.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

mod ally;
#[path = "../../rekindle-store-pg/tests/common/cluster.rs"]
mod cluster;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use rekindle_store::{DataDir, ExportDocument, KdfParams, Store};
use rekindle_store_pg::{HostedDb, HostedOptions, blocking};
use rekindle_web::hosted::{Hosted, HostedConfig};
use rekindle_web::{AppState, ManualClock};
use tower::ServiceExt;

const HOST: &str = "rekindle.test";
const PASS_ANA: &str = "ana walks the long way home at night";
const PASS_BEN: &str = "ben keeps bees behind the old barn";

/// A fresh database on the test cluster, migrated, with its own app role.
fn fresh_database() -> (String, String) {
    let base = cluster::database_url();
    let mut raw = [0u8; 6];
    getrandom::fill(&mut raw).unwrap();
    let name = format!("web_{}", hex::encode(raw));
    blocking(|| {
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
    });
    let (head, _) = base.rsplit_once('/').unwrap();
    let url = format!("{head}/{name}");
    let role = format!("{name}_app");
    HostedDb::migrate(&url, &role).unwrap();
    (url, role)
}

struct Server {
    db: HostedDb,
    url: String,
    role: String,
    clock: Arc<ManualClock>,
}

impl Server {
    fn new() -> Server {
        let (url, role) = fresh_database();
        let db = connect(&url, &role);
        Server {
            db,
            url,
            role,
            clock: Arc::new(ManualClock::new(Timestamp::now())),
        }
    }

    /// One app process on the database (each call: a new process's state).
    fn process(&self) -> Router {
        let hosted = Hosted::new(
            connect(&self.url, &self.role),
            HostedConfig {
                allowed_hosts: vec![HOST.to_string()],
            },
        );
        rekindle_web::router(AppState::hosted(hosted, self.clock.clone()))
    }

    fn invite(&self) -> String {
        self.db.invite(Some("test"), Timestamp::now()).unwrap()
    }
}

fn connect(url: &str, role: &str) -> HostedDb {
    HostedDb::connect(
        url,
        &HostedOptions {
            pool_size: 4,
            app_role: role.to_string(),
            hash_concurrency: 2,
        },
    )
    .unwrap()
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, body: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, format!("https://{HOST}"));
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(serde_urlencoded::to_string(body).unwrap()))
        .unwrap()
}

async fn send(app: &Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.unwrap()
}

async fn text(res: Response<Body>) -> String {
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

fn set_cookie(res: &Response<Body>) -> String {
    res.headers()
        .get(header::SET_COOKIE)
        .expect("a Set-Cookie header")
        .to_str()
        .unwrap()
        .to_string()
}

fn cookie_pair(res: &Response<Body>) -> String {
    set_cookie(res).split(';').next().unwrap().to_string()
}

/// The form token on a page.
fn csrf_in(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

async fn sign_up(app: &Router, invite: &str, name: &str, pass: &str) -> String {
    let res = send(
        app,
        post(
            "/signup",
            None,
            &[
                ("invite", invite),
                ("username", name),
                ("password", pass),
                ("confirm", pass),
                ("consent", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    assert_eq!(res.headers()[header::LOCATION], "/h/screen");
    cookie_pair(&res)
}

async fn save_name(app: &Router, cookie: &str, name: &str) {
    let page = text(send(app, get("/r", Some(cookie))).await).await;
    let csrf = csrf_in(&page);
    let res = send(
        app,
        post(
            "/r",
            Some(cookie),
            &[("csrf", &csrf), ("my_name", name), ("their_name", "Alex")],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_by_invitation_see_only_their_own_data() {
    let server = Server::new();
    let app = server.process();
    let ana = sign_up(&app, &server.invite(), "ana", PASS_ANA).await;
    let ben = sign_up(&app, &server.invite(), "ben", PASS_BEN).await;
    save_name(&app, &ana, "Ana Canary-7f3a").await;
    save_name(&app, &ben, "Ben Canary-91c2").await;

    let home_ana = text(send(&app, get("/", Some(&ana))).await).await;
    let home_ben = text(send(&app, get("/", Some(&ben))).await).await;
    assert!(home_ana.contains("Ana Canary-7f3a"), "{home_ana}");
    assert!(!home_ana.contains("Ben Canary-91c2"));
    assert!(home_ben.contains("Ben Canary-91c2"));
    assert!(!home_ben.contains("Ana Canary-7f3a"));
    // A hosted page never tells its reader that everything stays on their
    // computer: signed in or not, it says where the notes are.
    let limits_public = text(send(&app, get("/h/limits", None)).await).await;
    let sign_in_page = text(send(&app, get("/signin", None)).await).await;
    for page in [&home_ana, &limits_public, &sign_in_page] {
        assert!(!page.contains("stays on this computer"), "{page}");
        assert!(page.contains("kept on this server"), "{page}");
    }
    assert!(limits_public.contains("not end-to-end"));
    // Each export holds one person's relationship only.
    let export_ana = text(send(&app, get("/account/export", Some(&ana))).await).await;
    assert!(export_ana.contains("Ana Canary-7f3a"));
    assert!(!export_ana.contains("Ben Canary-91c2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_makes_one_account_and_sign_up_needs_one() {
    let server = Server::new();
    let app = server.process();
    let invite = server.invite();
    sign_up(&app, &invite, "ana", PASS_ANA).await;
    let again = send(
        &app,
        post(
            "/signup",
            None,
            &[
                ("invite", &invite),
                ("username", "eve"),
                ("password", PASS_BEN),
                ("confirm", PASS_BEN),
                ("consent", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    assert!(text(again).await.contains("not valid any more"));
    let none = send(&app, get("/signup", None)).await;
    assert_eq!(none.status(), StatusCode::FORBIDDEN);
    // Without consent, no account and the invitation is kept.
    let fresh = server.invite();
    let no_consent = send(
        &app,
        post(
            "/signup",
            None,
            &[
                ("invite", &fresh),
                ("username", "cai"),
                ("password", PASS_BEN),
                ("confirm", PASS_BEN),
            ],
        ),
    )
    .await;
    assert_eq!(no_consent.status(), StatusCode::UNPROCESSABLE_ENTITY);
    sign_up(&app, &fresh, "cai", PASS_BEN).await;
    let consent: Vec<Option<u32>> = blocking(|| server.db.accounts().unwrap())
        .iter()
        .map(|a| a.consent_version)
        .collect();
    assert_eq!(consent, vec![Some(1), Some(1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_from_one_process_continues_in_another() {
    let server = Server::new();
    let first = server.process();
    let second = server.process();
    let ana = sign_up(&first, &server.invite(), "ana", PASS_ANA).await;
    save_name(&first, &ana, "Ana of the first process").await;
    let page = text(send(&second, get("/", Some(&ana))).await).await;
    assert!(page.contains("Ana of the first process"), "{page}");
    // A form rendered by one process is accepted by the other.
    save_name(&second, &ana, "Ana of the second process").await;
    let page = text(send(&first, get("/", Some(&ana))).await).await;
    assert!(page.contains("Ana of the second process"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_host_prefixed_and_secure_with_hsts_and_a_host_list() {
    let server = Server::new();
    let app = server.process();
    let invite = server.invite();
    let res = send(
        &app,
        post(
            "/signup",
            None,
            &[
                ("invite", &invite),
                ("username", "ana"),
                ("password", PASS_ANA),
                ("confirm", PASS_ANA),
                ("consent", "1"),
            ],
        ),
    )
    .await;
    let cookie = set_cookie(&res);
    assert!(cookie.starts_with("__Host-rekindle="), "{cookie}");
    for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Domain"));
    let page = send(&app, get("/signin", None)).await;
    assert!(
        page.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    let rebound = Request::get("/signin")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, rebound).await.status(), StatusCode::FORBIDDEN);
    // A form post from another origin is refused before anything runs.
    let cross = Request::post("/signin")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("username=ana&password=x"))
        .unwrap();
    assert_eq!(send(&app, cross).await.status(), StatusCode::FORBIDDEN);
    // The local one-time link and unlock page do not exist here.
    assert_eq!(
        send(&app, get("/u", None)).await.headers()[header::LOCATION],
        "/signin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_answers_alike_for_a_wrong_password_and_an_unknown_name() {
    let server = Server::new();
    let app = server.process();
    sign_up(&app, &server.invite(), "ana", PASS_ANA).await;
    let wrong = send(
        &app,
        post(
            "/signin",
            None,
            &[("username", "ana"), ("password", "not her password at all")],
        ),
    )
    .await;
    let unknown = send(
        &app,
        post(
            "/signin",
            None,
            &[
                ("username", "nobody"),
                ("password", "not her password at all"),
            ],
        ),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), wrong.status());
    let (wrong, unknown) = (text(wrong).await, text(unknown).await);
    assert_eq!(
        wrong.replace("value=\"ana\"", "value=\"\""),
        unknown.replace("value=\"nobody\"", "value=\"\"")
    );
    let ok = send(
        &app,
        post(
            "/signin",
            None,
            &[("username", "ana"), ("password", PASS_ANA)],
        ),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let cookie = cookie_pair(&ok);
    assert_eq!(
        send(&app, get("/", Some(&cookie))).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_exit_and_sign_out_end_the_session_everywhere() {
    let server = Server::new();
    let (first, second) = (server.process(), server.process());
    let ana = sign_up(&first, &server.invite(), "ana", PASS_ANA).await;
    let page = text(send(&first, get("/", Some(&ana))).await).await;
    let res = send(&first, post("/q", Some(&ana), &[("csrf", &csrf_in(&page))])).await;
    assert_eq!(res.headers()[header::LOCATION], "/bye");
    assert!(set_cookie(&res).contains("Max-Age=0"));
    assert!(res.headers().contains_key("clear-site-data"));
    for app in [&first, &second] {
        let after = send(app, get("/", Some(&ana))).await;
        assert_eq!(after.headers()[header::LOCATION], "/signin");
    }
    // Signing out from the account page does the same.
    let ok = send(
        &first,
        post(
            "/signin",
            None,
            &[("username", "ana"), ("password", PASS_ANA)],
        ),
    )
    .await;
    let cookie = cookie_pair(&ok);
    let page = text(send(&first, get("/account", Some(&cookie))).await).await;
    let res = send(
        &second,
        post("/signout", Some(&cookie), &[("csrf", &csrf_in(&page))]),
    )
    .await;
    assert_eq!(res.headers()[header::LOCATION], "/signin");
    let after = send(&first, get("/account", Some(&cookie))).await;
    assert_eq!(after.headers()[header::LOCATION], "/signin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_after_fifteen_minutes() {
    let server = Server::new();
    let app = server.process();
    let ana = sign_up(&app, &server.invite(), "ana", PASS_ANA).await;
    assert_eq!(
        send(&app, get("/", Some(&ana))).await.status(),
        StatusCode::OK
    );
    server.clock.advance_ms(16 * 60 * 1000);
    let after = send(&app, get("/", Some(&ana))).await;
    assert_eq!(after.headers()[header::LOCATION], "/signin");
}

/// Uploads `json` as an export file into the signed-in account.
async fn upload_export(app: &Router, cookie: &str, json: &str) -> Response<Body> {
    let page = text(send(app, get("/account", Some(cookie))).await).await;
    let csrf = csrf_in(&page);
    let boundary = "----rekindle-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me.json\"\r\n\
         Content-Type: application/json\r\n\r\n{json}\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/account/import")
        .header(header::HOST, HOST)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, format!("https://{HOST}"))
        .body(Body::from(body))
        .unwrap();
    send(app, req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_export_moves_into_a_hosted_account_and_back_unchanged() {
    // A local vault with a relationship, an item and a chat.
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(&tmp.path().join("data"))
        .unwrap()
        .with_kdf_target(KdfParams::FLOOR)
        .unwrap();
    let mut vault = dir.create(PASS_ANA, KdfParams::FLOOR).unwrap();
    let rel = rekindle_core::relationship::RelationshipForm {
        my_name: "Ana from the laptop".into(),
        their_name: "Alex".into(),
        ..Default::default()
    }
    .validate(jiff::civil::date(2026, 1, 1))
    .unwrap();
    vault
        .save_relationship(&rel, Timestamp::from_second(1_780_000_000).unwrap())
        .unwrap();
    vault
        .save_item(
            "note",
            None,
            &serde_json::json!({"text": "kept"}),
            Timestamp::from_second(1_780_000_100).unwrap(),
        )
        .unwrap();
    rekindle_app::import::import(
        &mut vault,
        b"12/01/2024, 21:14 - Ana: are you home?\n12/01/2024, 21:20 - Alex: yes, tired\n",
        &Default::default(),
        &Default::default(),
        Timestamp::from_second(1_780_000_200).unwrap(),
        &mut |_, _| {},
    )
    .unwrap();
    let local_json = vault.export().unwrap().to_json().unwrap();

    let server = Server::new();
    let app = server.process();
    let ana = sign_up(&app, &server.invite(), "ana", PASS_ANA).await;
    let res = upload_export(&app, &ana, &local_json).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    let hosted_json = text(send(&app, get("/account/export", Some(&ana))).await).await;
    let as_doc = |s: &str| ExportDocument::from_json(s).unwrap();
    assert_eq!(
        serde_json::to_value(as_doc(&hosted_json)).unwrap(),
        serde_json::to_value(as_doc(&local_json)).unwrap()
    );
    // A second upload into a non-empty account changes nothing.
    let again = upload_export(&app, &ana, &local_json).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(again).await.contains("already holds notes"));
    // Not an export: refused with a plain message.
    let bad = upload_export(&app, &ana, "{\"hello\": 1}").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(bad).await.contains("not a rekindle export"));

    // And back: the hosted export restores into a new local vault unchanged.
    let back = DataDir::open(&tmp.path().join("back"))
        .unwrap()
        .with_kdf_target(KdfParams::FLOOR)
        .unwrap();
    let mut restored = back.create(PASS_BEN, KdfParams::FLOOR).unwrap();
    restored.restore(&as_doc(&hosted_json)).unwrap();
    assert_eq!(
        serde_json::to_value(restored.export().unwrap()).unwrap(),
        serde_json::to_value(as_doc(&local_json)).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_keeps_the_data_and_deleting_the_account_ends_it() {
    let server = Server::new();
    let app = server.process();
    let ana = sign_up(&app, &server.invite(), "ana", PASS_ANA).await;
    save_name(&app, &ana, "Ana before the change").await;
    let page = text(send(&app, get("/account", Some(&ana))).await).await;
    let new_pass = "a brand new sentence for a brand new start";
    let res = send(
        &app,
        post(
            "/account/password",
            Some(&ana),
            &[
                ("csrf", &csrf_in(&page)),
                ("old", PASS_ANA),
                ("new", new_pass),
                ("confirm", new_pass),
            ],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    let fresh = cookie_pair(&res);
    let home = text(send(&app, get("/", Some(&fresh))).await).await;
    assert!(home.contains("Ana before the change"));
    let old_pass = send(
        &app,
        post(
            "/signin",
            None,
            &[("username", "ana"), ("password", PASS_ANA)],
        ),
    )
    .await;
    assert_eq!(old_pass.status(), StatusCode::UNAUTHORIZED);

    let page = text(send(&app, get("/account", Some(&fresh))).await).await;
    let unsure = send(
        &app,
        post(
            "/account/delete",
            Some(&fresh),
            &[("csrf", &csrf_in(&page)), ("password", new_pass)],
        ),
    )
    .await;
    assert_eq!(unsure.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = send(
        &app,
        post(
            "/account/delete",
            Some(&fresh),
            &[
                ("csrf", &csrf_in(&page)),
                ("password", new_pass),
                ("sure", "on"),
            ],
        ),
    )
    .await;
    assert_eq!(res.headers()[header::LOCATION], "/bye");
    assert_eq!(
        send(&app, get("/", Some(&fresh))).await.headers()[header::LOCATION],
        "/signin"
    );
    assert!(blocking(|| server.db.accounts().unwrap()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allys_link_is_served_by_the_host_and_revoking_ends_it_everywhere() {
    let server = Server::new();
    let one = server.process();
    let two = server.process();
    let ana = sign_up(&one, &server.invite(), "ana", PASS_ANA).await;
    let ben = sign_up(&one, &server.invite(), "ben", PASS_BEN).await;
    save_name(&one, &ana, "Ana Canary-share-51").await;
    let page = text(send(&one, get("/x", Some(&ana))).await).await;
    // No listener to start and no address to give: the link is this server's.
    assert!(!page.contains("name=\"base\""), "{page}");
    let res = send(
        &one,
        post(
            "/x/link",
            Some(&ana),
            &[
                ("csrf", &csrf_in(&page)),
                ("s", "changed"),
                ("s", "record"),
                ("label", "Jo"),
                ("days", "30"),
                ("base", "http://evil.example"),
                ("confirm", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = text(res).await;
    let at = page.find("id=\"link\">").expect("the new link") + 10;
    let link = &page[at..at + page[at..].find('<').unwrap()];
    let (path, key) = link
        .strip_prefix(&format!("https://{HOST}"))
        .expect("a link to this server")
        .split_once('#')
        .unwrap();
    assert!(path.starts_with("/s/"));

    // Anyone holding it, with no session, through the other process: the
    // page carries ciphertext only. Opening it (a GET, as link previewers
    // send) writes nothing; the page's script posts the view.
    // The view count the owner sees in the table of links.
    let views_seen = async || {
        let page = text(send(&one, get("/x", Some(&ana))).await).await;
        let at = page.find("<td>Jo</td><td>").expect("the link's row") + 15;
        let row = &page[at..];
        let cell = &row[row.find("<td>").unwrap() + 4..];
        cell[..cell.find('<').unwrap()].parse::<usize>().unwrap()
    };
    for _ in 0..3 {
        let view = send(&two, get(path, None)).await;
        assert_eq!(view.status(), StatusCode::OK);
        let html = text(view).await;
        assert!(!html.contains("Canary-share-51") && !html.contains(key));
    }
    assert_eq!(views_seen().await, 0, "a GET stored a view");
    let opened = |proof: String| {
        Request::post(format!("{path}/view"))
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(proof))
            .unwrap()
    };
    let res = send(&two, opened(ally::opened(&"A".repeat(43)))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "no key, no view");
    let res = send(&two, opened(ally::opened(key))).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(views_seen().await, 1);
    let confirm = Request::post(format!("{path}/confirm"))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, format!("https://{HOST}"));
    let res = send(
        &two,
        confirm
            .body(Body::from(ally::sealed_confirmation(
                key,
                "Thirty days kept",
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // A wrong key proves nothing.
    let wrong = ally::sealed_confirmation(&"A".repeat(43), "Forged milestone");
    let res = send(
        &two,
        Request::post(format!("{path}/confirm"))
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, format!("https://{HOST}"))
            .body(Body::from(wrong))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The owner sees the view and the confirmation; another account sees
    // neither the link nor the confirmation.
    let mine = text(send(&one, get("/x", Some(&ana))).await).await;
    assert!(mine.contains("Thirty days kept"), "{mine}");
    assert!(!mine.contains("Forged milestone"));
    assert!(mine.contains("<td>Jo</td>"));
    let theirs = text(send(&one, get("/x", Some(&ben))).await).await;
    assert!(!theirs.contains("Thirty days kept") && !theirs.contains("<td>Jo</td>"));

    // Revoked: gone at once, through every process, the same bytes as an
    // id that never existed.
    let at = mine.find("name=\"id\" value=\"").unwrap() + 17;
    let item = &mine[at..at + mine[at..].find('"').unwrap()];
    let res = send(
        &two,
        post(
            "/x/revoke",
            Some(&ana),
            &[("csrf", &csrf_in(&mine)), ("id", item)],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let gone = send(&one, get(path, None)).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let never = send(&one, get("/s/AAAAAAAAAAAAAAAAAAAAAA", None)).await;
    assert_eq!(gone.status(), never.status());
    assert_eq!(text(gone).await, text(never).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_your_data_page_leads_to_the_account_page_when_hosted() {
    let server = Server::new();
    let app = server.process();
    let ana = sign_up(&app, &server.invite(), "ana", PASS_ANA).await;
    save_name(&app, &ana, "Ana keeps her notes").await;
    let settings = text(send(&app, get("/o", Some(&ana))).await).await;
    assert!(
        settings.contains("href=\"/account\" id=\"your-data\""),
        "{settings}"
    );
    assert!(!settings.contains("/o/data"));
    let res = send(&app, get("/o/data", Some(&ana))).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/account");
    // The local vault's actions do not exist here: the account page has them.
    let csrf = csrf_in(&settings);
    for (path, body) in [
        ("/o/export", vec![("csrf", csrf.as_str())]),
        ("/o/backup", vec![("csrf", csrf.as_str())]),
        (
            "/o/passphrase",
            vec![
                ("csrf", csrf.as_str()),
                ("current_passphrase", PASS_ANA),
                (
                    "new_passphrase",
                    "a brand new sentence for a brand new start",
                ),
                (
                    "confirm_passphrase",
                    "a brand new sentence for a brand new start",
                ),
            ],
        ),
        (
            "/o/erase",
            vec![
                ("csrf", csrf.as_str()),
                ("erase_passphrase", PASS_ANA),
                ("sure", "on"),
            ],
        ),
    ] {
        let res = send(&app, post(path, Some(&ana), &body)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let home = text(send(&app, get("/", Some(&ana))).await).await;
    assert!(home.contains("Ana keeps her notes"));
    assert_eq!(blocking(|| server.db.accounts().unwrap()).len(), 1);
}

/// The words of each topic in hosted mode: kept in the person's own store
/// (PostgreSQL), one person's words never in another's lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_words_are_each_persons_own() {
    let server = Server::new();
    let app = server.process();
    let ana = sign_up(&app, &server.invite(), "ana", PASS_ANA).await;
    let ben = sign_up(&app, &server.invite(), "ben", PASS_BEN).await;
    let page = text(send(&app, get("/w/words", Some(&ana))).await).await;
    assert!(!page.contains("karaoke"));
    let csrf = csrf_in(&page);
    let res = send(
        &app,
        post(
            "/w/words/add",
            Some(&ana),
            &[("csrf", &csrf), ("topic", "drinking"), ("words", "karaoke")],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    let res = send(
        &app,
        post(
            "/w/words/new",
            Some(&ana),
            &[("csrf", &csrf), ("name", "Canary 7f3a"), ("words", "xbox")],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    // Another process (as after a restart) reads them from the database.
    let other = server.process();
    let page_ana = text(send(&other, get("/w/words", Some(&ana))).await).await;
    assert!(page_ana.contains("karaoke <span class=\"yours\">added by you</span>"));
    assert!(page_ana.contains("Canary 7f3a"));
    let page_ben = text(send(&other, get("/w/words", Some(&ben))).await).await;
    assert!(!page_ben.contains("karaoke"));
    assert!(!page_ben.contains("Canary"));
    // And the export carries them.
    let export_ana = text(send(&app, get("/account/export", Some(&ana))).await).await;
    assert!(export_ana.contains("topic_words") && export_ana.contains("karaoke"));
}
