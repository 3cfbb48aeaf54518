//! The share listener: lifecycle, byte-equal 404s, no main-UI route, limits.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use rekindle_app::share;
use rekindle_store::{DataDir, KdfParams};
use rekindle_web::{Clock, ManualClock};
use tower::ServiceExt;

mod ally;

const CANARY: &str = "CANARY-private-journal-words";

fn req(method: &str, path: &str, ip: [u8; 4], body: Body) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap();
    r.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 5000))));
    r
}

async fn bytes(res: axum::response::Response) -> (StatusCode, Vec<u8>, Vec<(String, String)>) {
    let status = res.status();
    let mut headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(k, _)| *k != header::DATE)
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
        headers,
    )
}

/// An owner's data folder (held), vault (floor key derivation) and share folder.
fn owner(
    tmp: &tempfile::TempDir,
) -> (
    DataDir,
    rekindle_store::SqliteVault,
    std::path::PathBuf,
    rekindle_store::ShareDir,
) {
    let dd = DataDir::open(&tmp.path().join("d"))
        .unwrap()
        .with_kdf_target(KdfParams::FLOOR)
        .unwrap();
    let vault = dd
        .create("a quiet walk by the river at dawn", KdfParams::FLOOR)
        .unwrap();
    let dir = tmp.path().join("d").join("shares");
    let share_box = rekindle_store::ShareDir::new(&dir);
    (dd, vault, dir, share_box)
}

/// Every file of the share folder with its bytes.
fn folder(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| {
            let p = f.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn share_lifecycle_and_indistinguishable_misses() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut vault, dir, share_box) = owner(&tmp);
    let start = Timestamp::from_second(1_780_000_000).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let record = share::create(
        &mut vault,
        &share_box,
        &format!("<p>Kept 30 days. {CANARY}</p>"),
        "Jo",
        30,
        start,
    )
    .unwrap();
    assert!(record.id.len() >= 22, "at least 128 bits of id");
    let app = rekindle_web::share_server::share_router(dir.clone(), clock.clone());

    // The page holds only ciphertext, never the key or the text.
    let (status, body, headers) = bytes(
        app.clone()
            .oneshot(req(
                "GET",
                &format!("/s/{}", record.id),
                [10, 0, 0, 1],
                Body::empty(),
            ))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    assert!(!page.contains(CANARY) && !page.contains(&record.key));
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "referrer-policy" && v == "no-referrer")
    );
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "cache-control" && v == "no-store")
    );
    // Opening the link (a GET, as link previewers in messaging apps send)
    // writes nothing: no view, no file.
    let files_before = folder(&dir);
    for _ in 0..5 {
        let res = app
            .clone()
            .oneshot(req(
                "GET",
                &format!("/s/{}", record.id),
                [10, 0, 0, 1],
                Body::empty(),
            ))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(folder(&dir), files_before, "a GET changed the share folder");
    assert_eq!(share::views(&share_box, &record).len(), 0);
    // The page's script posts the view once it has opened the report with
    // the key; a post without the key counts nothing.
    let view_path = format!("/s/{}/view", record.id);
    let forged = ally::opened(&"A".repeat(43));
    let res = app
        .clone()
        .oneshot(req("POST", &view_path, [10, 0, 0, 1], Body::from(forged)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(folder(&dir), files_before);
    let res = app
        .clone()
        .oneshot(req(
            "POST",
            &view_path,
            [10, 0, 0, 1],
            Body::from(ally::opened(&record.key)),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(share::views(&share_box, &record).len(), 1);
    // The files hold no plaintext.
    for f in std::fs::read_dir(&dir).unwrap() {
        let content = std::fs::read(f.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&content).contains(CANARY));
    }

    // A never-existing id, a revoked one, an expired one and a main-UI path: identical bytes.
    let missing = bytes(
        app.clone()
            .oneshot(req(
                "GET",
                "/s/AAAAAAAAAAAAAAAAAAAAAA",
                [10, 0, 0, 1],
                Body::empty(),
            ))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
    for path in [
        "/",
        "/r",
        "/login?token=x",
        "/u",
        "/x",
        "/static/app.css",
        "/h",
        "/q",
    ] {
        let other = bytes(
            app.clone()
                .oneshot(req("GET", path, [10, 0, 0, 2], Body::empty()))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            other, missing,
            "{path} must not be served by the share listener"
        );
    }
    let other = share::create(&mut vault, &share_box, "<p>x</p>", "Al", 1, start).unwrap();
    clock.advance_ms(2 * 24 * 3600 * 1000);
    let expired = bytes(
        app.clone()
            .oneshot(req(
                "GET",
                &format!("/s/{}", other.id),
                [10, 0, 0, 3],
                Body::empty(),
            ))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(expired, missing, "expired looks like never existed");
    let id_of_record = rekindle_app::share::shares(&vault)
        .unwrap()
        .into_iter()
        .find(|(_, r)| r.id == record.id)
        .unwrap()
        .0;
    share::revoke(&mut vault, &share_box, id_of_record, start).unwrap();
    let revoked = bytes(
        app.clone()
            .oneshot(req(
                "GET",
                &format!("/s/{}", record.id),
                [10, 0, 0, 4],
                Body::empty(),
            ))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        revoked, missing,
        "revoked looks like never existed, at once"
    );

    // Guessing ids is rate-limited per address.
    let mut limited = false;
    for i in 0..40 {
        let res = app
            .clone()
            .oneshot(req(
                "GET",
                &format!("/s/guess{i:03}"),
                [10, 9, 9, 9],
                Body::empty(),
            ))
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(
        limited,
        "rate limiting engages after {} misses",
        rekindle_web::share_server::MISSES_PER_MINUTE
    );
}

#[tokio::test]
async fn only_the_link_holder_can_confirm() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut vault, dir, share_box) = owner(&tmp);
    let now = Timestamp::from_second(1_780_000_000).unwrap();
    let record = share::create(&mut vault, &share_box, "<p>x</p>", "Jo", 30, now).unwrap();
    let app =
        rekindle_web::share_server::share_router(dir.clone(), Arc::new(ManualClock::new(now)));
    let body = serde_json::json!({"proof": "00".repeat(32), "iv": "AAAAAAAAAAAAAAAA", "ciphertext": "AAAA"}).to_string();
    let res = app
        .clone()
        .oneshot(req(
            "POST",
            &format!("/s/{}/confirm", record.id),
            [10, 0, 0, 1],
            Body::from(body),
        ))
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a wrong proof is refused"
    );
    assert_eq!(
        share::sync_confirmations(&mut vault, &share_box, now).unwrap(),
        0
    );

    // The holder of the link, with the key from its fragment, succeeds; the
    // owner then reads the confirmation as the ally wrote it.
    let res = app
        .clone()
        .oneshot(req(
            "POST",
            &format!("/s/{}/confirm", record.id),
            [10, 0, 0, 1],
            Body::from(ally::sealed_confirmation(
                &record.key,
                "Sober at the wedding",
            )),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        share::sync_confirmations(&mut vault, &share_box, now).unwrap(),
        1
    );
    let got = share::confirmations(&vault).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].milestone, "Sober at the wedding");
    assert_eq!(got[0].by, "Jo");
}

fn from_proxy(path: &str, forwarded_for: &str) -> Request<Body> {
    let mut r = req("GET", path, [127, 0, 0, 1], Body::empty());
    r.headers_mut()
        .insert("x-forwarded-for", forwarded_for.parse().unwrap());
    r
}

#[tokio::test]
async fn behind_a_trusted_proxy_misses_count_per_forwarded_address_and_never_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let now = Timestamp::from_second(1_780_000_000).unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let limit = rekindle_web::share_server::MISSES_PER_MINUTE as usize;
    let miss = "/s/AAAAAAAAAAAAAAAAAAAAAA";

    // Trusted: one visitor's misses do not lock out another behind the same proxy.
    let trusted = rekindle_web::share_server::share_router(tmp.path().join("a"), clock.clone())
        .layer(axum::Extension(rekindle_web::share_server::TrustForwarded));
    for _ in 0..=limit {
        trusted
            .clone()
            .oneshot(from_proxy(miss, "203.0.113.9, 198.51.100.7"))
            .await
            .unwrap();
    }
    let guesser = trusted
        .clone()
        .oneshot(from_proxy(miss, "203.0.113.9, 198.51.100.7"))
        .await
        .unwrap();
    assert_eq!(guesser.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = trusted
        .clone()
        .oneshot(from_proxy(miss, "198.51.100.8"))
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);

    // Not told to trust a proxy: the header is anyone's to send, so it is
    // ignored and the connection's address counts.
    let direct = rekindle_web::share_server::share_router(tmp.path().join("b"), clock);
    for i in 0..=limit {
        direct
            .clone()
            .oneshot(from_proxy(miss, &format!("192.0.2.{i}")))
            .await
            .unwrap();
    }
    let after = direct
        .clone()
        .oneshot(from_proxy(miss, "192.0.2.250"))
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_link_takes_ten_confirmations_an_hour_and_refuses_hidden_characters() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut vault, dir, share_box) = owner(&tmp);
    let now = Timestamp::from_second(1_780_000_000).unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let record = share::create(&mut vault, &share_box, "<p>x</p>", "Jo", 30, now).unwrap();
    let app = rekindle_web::share_server::share_router(dir.clone(), clock.clone());
    let path = format!("/s/{}/confirm", record.id);
    let post = |body: String, ip: u8| {
        app.clone()
            .oneshot(req("POST", &path, [10, 0, 1, ip], Body::from(body)))
    };
    let per_hour = rekindle_store::MAX_CONFIRMATIONS_PER_HOUR;
    for i in 0..per_hour {
        let body = ally::sealed_confirmation(&record.key, &format!("Milestone {i}"));
        // From different addresses: the cap is the link's, not an address's.
        let res = post(body, u8::try_from(i).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        clock.advance_ms(60_000);
    }
    let before = folder(&dir);
    let res = post(ally::sealed_confirmation(&record.key, "One too many"), 200)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let (_, body, _) = bytes(res).await;
    let said = String::from_utf8(body).unwrap();
    assert!(said.contains("Too many confirmations"), "{said}");
    assert!(said.contains("try again in an hour"), "{said}");
    assert_eq!(folder(&dir), before, "nothing stored past the hourly cap");
    // An hour after the first, the link takes one again.
    clock.advance_ms(rekindle_store::CONFIRMATION_WINDOW_MS);
    let res = post(ally::sealed_confirmation(&record.key, "Next hour"), 201)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Text with control characters or direction overrides, sent around the
    // page's own checks, is not taken into the vault.
    for (by, note) in [
        ("Jo\u{1b}]0;owned\u{7}", ""),
        ("\u{202e}oJ", ""),
        ("Jo", "line one\nline two"),
    ] {
        let body = ally::sealed_confirmation_by(&record.key, "Hidden", by, note);
        let res = post(body, 202).await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "sealed, so stored");
    }
    assert_eq!(
        share::sync_confirmations(&mut vault, &share_box, clock.now()).unwrap(),
        per_hour + 1
    );
    let kept = share::confirmations(&vault).unwrap();
    assert!(kept.iter().all(|c| c.milestone != "Hidden"), "{kept:?}");
    assert!(kept.iter().any(|c| c.milestone == "Next hour"));
}
