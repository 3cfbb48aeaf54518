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
use rekindle_web::ManualClock;
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

#[tokio::test]
async fn share_lifecycle_and_indistinguishable_misses() {
    let tmp = tempfile::tempdir().unwrap();
    let dd = DataDir::open(&tmp.path().join("d"))
        .unwrap()
        .with_kdf_target(KdfParams::FLOOR)
        .unwrap();
    let mut vault = dd
        .create(
            "a quiet walk by the river at dawn",
            KdfParams {
                memory_kib: 19_456,
                iterations: 2,
                parallelism: 1,
            },
        )
        .unwrap();
    let dir = tmp.path().join("d").join("shares");
    let share_box = rekindle_store::ShareDir::new(&dir);
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
    let dd = DataDir::open(&tmp.path().join("d"))
        .unwrap()
        .with_kdf_target(KdfParams::FLOOR)
        .unwrap();
    let mut vault = dd
        .create(
            "a quiet walk by the river at dawn",
            KdfParams {
                memory_kib: 19_456,
                iterations: 2,
                parallelism: 1,
            },
        )
        .unwrap();
    let dir = tmp.path().join("d").join("shares");
    let share_box = rekindle_store::ShareDir::new(&dir);
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
