//! Import speed of the hosted store: N messages (default 1,000,000) into a
//! fresh database, then a full streaming read, a page of `messages_at`, and
//! the same import again (idempotent: adds nothing).
//!
//!   eval "$(bash scripts/pg-throwaway.sh start)"
//!   cargo run --release -p rekindle-store-pg --example import_bench [-- N]
//!   bash scripts/pg-throwaway.sh stop "$REKINDLE_PG_DIR"
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use jiff::Timestamp;
use postgres::{Client, NoTls};
use rekindle_store::Store;
use rekindle_store::chats::{MessageSink, NewChat, NewMessage};
use rekindle_store_pg::{HostedDb, HostedOptions};

fn feed(n: u64) -> impl FnMut(&mut dyn MessageSink) -> Result<(), String> {
    move |sink: &mut dyn MessageSink| {
        let mut text = String::new();
        for i in 0..n {
            text.clear();
            text.push_str("a message of ordinary length, number ");
            text.push_str(&i.to_string());
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&i.to_be_bytes());
            sink.push(&NewMessage {
                local_ms: 1_600_000_000_000 + (i as i64) * 60_000,
                offset_seconds: Some(3600),
                sender: Some(if i % 2 == 0 { "Sam" } else { "Alex" }),
                kind: "text",
                text: &text,
                content_key: key,
            });
        }
        Ok(())
    }
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(1_000_000);
    let base = std::env::var("REKINDLE_TEST_DATABASE_URL")
        .expect("set REKINDLE_TEST_DATABASE_URL (bash scripts/pg-throwaway.sh start)");
    let name = format!("rk_bench_{}", std::process::id());
    let mut admin = Client::connect(&base, NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = match base.rsplit_once('/') {
        Some((head, _)) => format!("{head}/{name}"),
        None => panic!("unexpected URL"),
    };
    let role = format!("{name}_app");
    HostedDb::migrate(&url, &role).unwrap();
    let hosted = HostedDb::connect(
        &url,
        &HostedOptions {
            app_role: role.clone(),
            ..HostedOptions::default()
        },
    )
    .unwrap();
    let now = Timestamp::now();
    let invitation = hosted.invite(None, now).unwrap();
    let s = hosted
        .sign_up(&invitation, "bench", "a long enough bench password", now)
        .unwrap();
    let mut store = hosted.open(&s.session_token, now).unwrap().unwrap().store;
    let chat = NewChat {
        source_key: "bench".into(),
        format: "whatsapp".into(),
        title: None,
        me: None,
        ex: None,
    };

    let start = Instant::now();
    let counts = store
        .import_chat(&chat, now, 0, &serde_json::json!({}), &mut feed(n))
        .unwrap();
    let import = start.elapsed();
    assert_eq!(counts.added, n);

    let start = Instant::now();
    let mut seen = 0u64;
    store
        .for_each_message(counts.chat_id, &mut |_| seen += 1)
        .unwrap();
    let read = start.elapsed();
    assert_eq!(seen, n);

    let start = Instant::now();
    let page = store
        .messages_at(counts.chat_id, &[n / 2, n / 2 + 1, n / 2 + 2, n - 1])
        .unwrap();
    let at = start.elapsed();
    assert_eq!(page.len(), 4);

    let start = Instant::now();
    let again = store
        .import_chat(&chat, now, 0, &serde_json::json!({}), &mut feed(n))
        .unwrap();
    let reimport = start.elapsed();
    assert_eq!((again.added, again.already_had), (0, n));

    println!("messages: {n}");
    println!("import:              {:.2} s", import.as_secs_f64());
    println!("for_each_message:    {:.2} s", read.as_secs_f64());
    println!("messages_at (4, mid): {:.3} s", at.as_secs_f64());
    println!("re-import (adds 0):  {:.2} s", reimport.as_secs_f64());

    drop(store);
    drop(hosted);
    // One statement per call: DROP DATABASE cannot run in a transaction block.
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
    admin.batch_execute(&format!("DROP ROLE {role}")).unwrap();
}
