//! The hosted database's promises, against a real PostgreSQL: migrations,
//! row-level security, accounts, sessions, throttling, erasure, and that a
//! dump holds no content.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{PASSWORD, TestDb, now, open, sign_up};
use jiff::{Timestamp, ToSpan};
use rekindle_core::relationship::Relationship;
use rekindle_store::chats::{MessageSink, NewChat, NewMessage};
use rekindle_store::{Confirmed, ShareBox, Store};
use rekindle_store_pg::{
    AccountError, CONTENT_TABLES, HostedDb, PgError, SCHEMA_VERSION, blocking,
};

const CANARY: &str = "CANARYqv7-periwinkle-harbour";

fn later(minutes: i64) -> Timestamp {
    now() + (minutes * 60).seconds()
}

fn import_small(store: &mut dyn Store, source: &str, text: &str, sender: &str) -> i64 {
    let chat = NewChat {
        source_key: source.into(),
        format: "whatsapp".into(),
        title: Some(format!("title {text}")),
        me: Some(sender.into()),
        ex: None,
    };
    store
        .import_chat(
            &chat,
            now(),
            0,
            &serde_json::json!({ "note": text }),
            &mut |sink: &mut dyn MessageSink| {
                for i in 0..3u8 {
                    let body = format!("{text} {i}");
                    sink.push(&NewMessage {
                        local_ms: 1_000 * i64::from(i),
                        offset_seconds: None,
                        sender: Some(sender),
                        kind: "text",
                        text: &body,
                        content_key: [i; 32],
                    });
                }
                Ok(())
            },
        )
        .unwrap()
        .chat_id
}

#[test]
fn two_processes_migrating_at_once_both_succeed_and_apply_it_once() {
    let db = TestDb::empty();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (url, role) = (db.url.clone(), db.role.clone());
            std::thread::spawn(move || HostedDb::migrate(&url, &role))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    let mut su = db.superuser();
    let versions: Vec<i32> = su
        .query("SELECT version FROM schema_version ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=SCHEMA_VERSION as i32).collect::<Vec<_>>());
    // Migrating again changes nothing.
    HostedDb::migrate(&db.url, &db.role).unwrap();
    let n: i64 = su
        .query_one("SELECT count(*) FROM schema_version", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, SCHEMA_VERSION);
}

#[test]
fn connect_refuses_a_missing_or_older_schema() {
    let db = TestDb::empty();
    assert!(matches!(
        HostedDb::connect(&db.url, &db.options(1)),
        Err(PgError::SchemaMissing)
    ));
    HostedDb::migrate(&db.url, &db.role).unwrap();
    db.superuser()
        .execute(
            "DELETE FROM schema_version WHERE version = $1",
            &[&(SCHEMA_VERSION as i32)],
        )
        .unwrap();
    assert!(matches!(
        HostedDb::connect(&db.url, &db.options(1)),
        Err(PgError::SchemaOutdated { .. })
    ));
}

#[test]
fn app_role_is_subject_to_rls_and_owns_nothing() {
    let db = TestDb::migrated();
    let mut su = db.superuser();
    let r = su
        .query_one(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1",
            &[&db.role],
        )
        .unwrap();
    assert_eq!(
        (
            r.get::<_, bool>(0),
            r.get::<_, bool>(1),
            r.get::<_, bool>(2)
        ),
        (false, false, false)
    );
    let owned: i64 = su
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1",
            &[&db.role],
        )
        .unwrap()
        .get(0);
    assert_eq!(owned, 0);
    let without_forced_rls: Vec<String> = su
        .query(
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
             AND relname = ANY($1) AND NOT (relrowsecurity AND relforcerowsecurity)",
            &[&CONTENT_TABLES],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(without_forced_rls.is_empty(), "{without_forced_rls:?}");
    let with_policy: i64 = su
        .query_one(
            "SELECT count(DISTINCT tablename) FROM pg_policies WHERE schemaname = 'public' AND tablename = ANY($1)",
            &[&CONTENT_TABLES],
        )
        .unwrap()
        .get(0);
    assert_eq!(with_policy, CONTENT_TABLES.len() as i64);
}

/// Rows visible in the content tables, whoever's they are.
fn count_all(c: &mut impl postgres::GenericClient) -> i64 {
    let mut n = 0;
    for t in CONTENT_TABLES {
        n += c
            .query_one(&format!("SELECT count(*) FROM {t}"), &[])
            .unwrap()
            .get::<_, i64>(0);
    }
    n
}

#[test]
fn queries_without_the_owner_or_with_another_owner_return_nothing() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let a = sign_up(&hosted, "alice");
    let b = sign_up(&hosted, "bobby");
    let mut store = open(&hosted, &a).store;
    import_small(&mut store, "chat", "hello", "Sam");
    store
        .save_item("plan", None, &serde_json::json!({"x": 1}), now())
        .unwrap();
    hosted
        .with_pooled_connection(|c| {
            let me: String = c
                .query_one("SELECT current_user::text", &[])
                .unwrap()
                .get(0);
            assert_eq!(me, db.role);
            // Never set on this connection: NULL, so no rows (and no error).
            assert_eq!(count_all(c), 0);
            let mut tx = c.transaction().unwrap();
            tx.execute(
                "SELECT set_config('rekindle.owner', $1, true)",
                &[&b.account_id.to_string()],
            )
            .unwrap();
            assert_eq!(count_all(&mut tx), 0);
            // Writing a row for someone else is refused too.
            assert!(
                tx.execute(
                    "INSERT INTO settings (owner_id, data) VALUES ($1, '\\x00')",
                    &[&a.account_id]
                )
                .is_err()
            );
            drop(tx);
            let mut tx = c.transaction().unwrap();
            tx.execute(
                "SELECT set_config('rekindle.owner', $1, true)",
                &[&a.account_id.to_string()],
            )
            .unwrap();
            assert!(count_all(&mut tx) > 0, "the owner sees its rows");
            tx.commit().unwrap();
            // After the transaction the setting is '' : still no rows, no error.
            assert_eq!(count_all(c), 0);
        })
        .unwrap();
    // The superuser sees the rows exist, so the zeros above are RLS at work.
    let n: i64 = db
        .superuser()
        .query_one("SELECT count(*) FROM chat_messages", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}

#[test]
fn a_pooled_connection_reused_by_another_account_sees_nothing_of_the_first() {
    let db = TestDb::migrated();
    let hosted = HostedDb::connect(&db.url, &db.options(1)).unwrap();
    let a = sign_up(&hosted, "alice");
    let b = sign_up(&hosted, "bobby");
    let chat_id = {
        let mut store = open(&hosted, &a).store;
        let id = import_small(&mut store, "chat", "secret", "Sam");
        store
            .save_relationship(
                &Relationship {
                    my_view: "mine".into(),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        id
    };
    // Pool size 1: the same connection now serves the second account.
    let second = open(&hosted, &b).store;
    assert!(second.counts().unwrap().iter().all(|(_, n)| *n == 0));
    assert_eq!(second.relationship().unwrap(), None);
    let mut seen = 0;
    second
        .for_each_message(chat_id, &mut |_| seen += 1)
        .unwrap();
    assert_eq!(seen, 0);
    let pid_then: i32 = hosted
        .with_pooled_connection(|c| {
            let n: i64 = c
                .query_one("SELECT count(*) FROM chat_messages", &[])
                .unwrap()
                .get(0);
            assert_eq!(n, 0);
            c.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0)
        })
        .unwrap();
    let pid_now: i32 = hosted
        .with_pooled_connection(|c| c.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0))
        .unwrap();
    assert_eq!(pid_then, pid_now, "one connection served both");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_works_inside_async_handlers_without_panicking() {
    // Called directly on a worker thread, as an axum handler would.
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let signed_in = sign_up(&hosted, "async-user");
    let mut opened = open(&hosted, &signed_in);
    import_small(&mut opened.store, "chat", "from async", "Sam");
    assert_eq!(opened.store.chats().unwrap().len(), 1);
    // Many at once, on the runtime's workers.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let hosted = hosted.clone();
            let token = signed_in.session_token.clone();
            tokio::spawn(async move {
                let o = hosted.open(&token, now()).unwrap().unwrap();
                o.store.chats().unwrap().len()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 1);
    }
    drop(opened);
    blocking(|| drop(hosted));
}

#[test]
fn an_invitation_is_used_once_even_by_two_sign_ups_at_the_same_moment() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let invitation = hosted.invite(None, now()).unwrap();
    assert!(invitation.len() >= 22, "at least 128 bits");
    let threads: Vec<_> = ["first", "second"]
        .into_iter()
        .map(|name| {
            let (hosted, invitation) = (hosted.clone(), invitation.clone());
            std::thread::spawn(move || hosted.sign_up(&invitation, name, PASSWORD, now()))
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(AccountError::InvitationInvalid)))
    );
    assert_eq!(hosted.accounts().unwrap().len(), 1);
    // Only the token's hash is stored.
    let stored: Vec<u8> = db
        .superuser()
        .query_one("SELECT token_hash FROM invitations", &[])
        .unwrap()
        .get(0);
    assert_ne!(stored, invitation.as_bytes());
}

#[test]
fn sign_up_checks_invitation_username_and_password() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let inv = hosted.invite(Some("for a friend"), now()).unwrap();
    assert!(matches!(
        hosted.sign_up("made-up", "someone", PASSWORD, now()),
        Err(AccountError::InvitationInvalid)
    ));
    assert!(matches!(
        hosted.sign_up(&inv, "someone", PASSWORD, later(8 * 24 * 60)),
        Err(AccountError::InvitationInvalid)
    ));
    assert!(matches!(
        hosted.sign_up(&inv, "no spaces", PASSWORD, now()),
        Err(AccountError::UsernameInvalid)
    ));
    match hosted.sign_up(&inv, "someone", "short", now()) {
        Err(AccountError::PasswordRules(msg)) => assert!(msg.contains("at least 15"), "{msg}"),
        other => panic!("{other:?}"),
    }
    hosted.sign_up(&inv, "Someone", PASSWORD, now()).unwrap();
    let inv2 = hosted.invite(None, now()).unwrap();
    assert!(matches!(
        hosted.sign_up(&inv2, "someone", PASSWORD, now()),
        Err(AccountError::UsernameTaken)
    ));
    // The refused sign-up did not use the invitation up.
    hosted
        .sign_up(&inv2, "someone-else", PASSWORD, now())
        .unwrap();
}

#[test]
fn sign_in_answers_the_same_for_unknown_accounts_and_wrong_passwords() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    sign_up(&hosted, "alice");
    let time = |user: &str, pass: &str| {
        let start = std::time::Instant::now();
        let r = hosted.sign_in(user, pass, now());
        (r, start.elapsed())
    };
    let (wrong, t_wrong) = time("alice", "not the password at all");
    let (unknown, t_unknown) = time("nobody-here", "not the password at all");
    assert!(matches!(wrong, Err(AccountError::WrongCredentials)));
    assert!(matches!(unknown, Err(AccountError::WrongCredentials)));
    assert_eq!(
        wrong.unwrap_err().to_string(),
        unknown.unwrap_err().to_string()
    );
    // Both paid for an Argon2id hash (19 MiB, 2 passes: several ms even optimised).
    assert!(t_unknown > Duration::from_millis(5) && t_wrong > Duration::from_millis(5));
    let ok = hosted.sign_in("ALICE", PASSWORD, now()).unwrap();
    assert!(hosted.open(&ok.session_token, now()).unwrap().is_some());
}

#[test]
fn failed_sign_ins_back_off_and_never_exceed_100_an_hour() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    sign_up(&hosted, "alice");
    for user in ["alice", "ghost-user"] {
        let start = now();
        let mut t = start;
        let mut failures = 0;
        let mut throttled = 0;
        while t < start + 1.hour() {
            match hosted.sign_in(user, "a wrong password, again", t) {
                Err(AccountError::WrongCredentials) => failures += 1,
                Err(AccountError::Throttled { retry_after_secs }) => {
                    assert!(retry_after_secs >= 1);
                    throttled += 1;
                    t += (retry_after_secs as i64).seconds();
                    continue;
                }
                other => panic!("{other:?}"),
            }
            t += 1.second();
        }
        assert!(failures <= 100, "{failures}");
        assert!(
            failures >= 5 && throttled >= 1,
            "{user}: {failures} failures, {throttled} throttled"
        );
        // Right after a failure the backoff holds for the right password too...
        let blocked = hosted.sign_in(user, PASSWORD, t);
        if user == "alice" {
            // ...and once it has passed, the owner gets in and the count resets.
            let wait = match blocked {
                Err(AccountError::Throttled { retry_after_secs }) => retry_after_secs as i64,
                Ok(_) => 0,
                other => panic!("{other:?}"),
            };
            let t = t + wait.seconds();
            hosted.sign_in(user, PASSWORD, t).unwrap();
            assert!(matches!(
                hosted.sign_in(user, "wrong once more", t),
                Err(AccountError::WrongCredentials)
            ));
        }
    }
}

#[test]
fn sessions_expire_end_and_carry_their_flags() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let s = sign_up(&hosted, "alice");
    let o = open(&hosted, &s);
    assert_eq!(o.username, "alice");
    assert_eq!(o.csrf, s.csrf);
    assert!(!o.crisis_pending);
    assert_eq!(o.consent_version, None);
    hosted.set_crisis_pending(&s.session_token, true).unwrap();
    hosted.record_consent(s.account_id, 3, now()).unwrap();
    let o = open(&hosted, &s);
    assert!(o.crisis_pending);
    assert_eq!(o.consent_version, Some(3));
    // Idle more than 15 minutes: gone, and stays gone.
    assert!(hosted.open(&s.session_token, later(16)).unwrap().is_none());
    assert!(hosted.open(&s.session_token, now()).unwrap().is_none());
    // Active every 10 minutes: still ends after 12 hours.
    let s = hosted.sign_in("alice", PASSWORD, now()).unwrap();
    let mut minutes = 0;
    while hosted
        .open(&s.session_token, later(minutes))
        .unwrap()
        .is_some()
    {
        minutes += 10;
    }
    assert!((12 * 60..=12 * 60 + 10).contains(&minutes), "{minutes}");
    // Signing out ends the session.
    let s = hosted.sign_in("alice", PASSWORD, now()).unwrap();
    hosted.sign_out(&s.session_token).unwrap();
    assert!(hosted.open(&s.session_token, now()).unwrap().is_none());
    assert!(hosted.open("not a token", now()).unwrap().is_none());
    // The operator's view: no content, the consent version.
    let list = hosted.accounts().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].username.as_str(),
            list[0].consent_version,
            list[0].disabled
        ),
        ("alice", Some(3), false)
    );
}

#[test]
fn disabled_accounts_cannot_sign_in_and_lose_their_sessions() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let s = sign_up(&hosted, "alice");
    assert!(hosted.set_disabled("alice", true).unwrap());
    assert!(!hosted.set_disabled("nobody", true).unwrap());
    assert!(hosted.open(&s.session_token, now()).unwrap().is_none());
    assert!(matches!(
        hosted.sign_in("alice", PASSWORD, now()),
        Err(AccountError::Disabled)
    ));
    assert!(hosted.accounts().unwrap()[0].disabled);
    hosted.set_disabled("alice", false).unwrap();
    hosted.sign_in("alice", PASSWORD, now()).unwrap();
}

#[test]
fn changing_the_password_rewraps_the_key_only_and_ends_other_sessions() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let s = sign_up(&hosted, "alice");
    let other = hosted.sign_in("alice", PASSWORD, now()).unwrap();
    let mut store = open(&hosted, &s).store;
    import_small(&mut store, "chat", "kept", "Sam");
    let before = store.export().unwrap();
    let bodies = |db: &TestDb| -> Vec<Vec<u8>> {
        db.superuser()
            .query("SELECT body FROM chat_messages ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let bodies_before = bodies(&db);
    const NEW: &str = "another long sentence for the new password";
    assert!(matches!(
        hosted.change_password(&s.session_token, "wrong old password here", NEW, now()),
        Err(AccountError::WrongCredentials)
    ));
    assert!(matches!(
        hosted.change_password(&s.session_token, PASSWORD, "short", now()),
        Err(AccountError::PasswordRules(_))
    ));
    let fresh = hosted
        .change_password(&s.session_token, PASSWORD, NEW, now())
        .unwrap();
    assert!(hosted.open(&s.session_token, now()).unwrap().is_none());
    assert!(hosted.open(&other.session_token, now()).unwrap().is_none());
    assert_eq!(open(&hosted, &fresh).store.export().unwrap(), before);
    assert_eq!(bodies(&db), bodies_before, "content untouched");
    assert!(matches!(
        hosted.sign_in("alice", PASSWORD, now()),
        Err(AccountError::WrongCredentials)
    ));
    hosted.sign_in("alice", NEW, now()).unwrap();
}

/// Every table and column of the public schema that holds text or bytes.
fn text_columns(c: &mut postgres::Client) -> Vec<(String, String, String)> {
    c.query(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'character varying')",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

fn pg_dump() -> String {
    for dir in std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
    {
        let candidate = dir.path().join("bin/pg_dump");
        if candidate.exists() {
            return candidate.to_string_lossy().into_owned();
        }
    }
    "pg_dump".into()
}

#[test]
fn a_canary_written_through_the_app_appears_nowhere_in_a_dump_or_any_column() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let s = sign_up(&hosted, "alice");
    let mut opened = open(&hosted, &s);
    let store = &mut opened.store;
    store
        .save_relationship(
            &Relationship {
                their_name: format!("Alex {CANARY}"),
                my_view: CANARY.into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    store
        .save_settings(&rekindle_core::settings::Settings {
            country: Some(CANARY.into()),
            ..Default::default()
        })
        .unwrap();
    store
        .save_item("plan", None, &serde_json::json!({ "text": CANARY }), now())
        .unwrap();
    let chat_id = import_small(store, &format!("source {CANARY}"), CANARY, CANARY);
    store
        .set_chat_roles(chat_id, Some(CANARY), Some(CANARY))
        .unwrap();
    // It is all there, readable through the app...
    let doc = store.export().unwrap();
    assert!(doc.to_json().unwrap().matches(CANARY).count() >= 10);
    assert_eq!(store.chats().unwrap()[0].senders[0].0, CANARY);

    // ...and nowhere in a dump of the database, as text or as bytes.
    let out = Command::new(pg_dump())
        .arg("--no-owner")
        .arg(format!("--dbname={}", db.url))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(
        dump.contains("copy public.chat_messages"),
        "the dump has the data"
    );
    for needle in [
        CANARY.to_lowercase(),
        hex::encode(CANARY),
        s.session_token.to_lowercase(),
        hex::encode(&s.session_token),
        PASSWORD.to_lowercase(),
    ] {
        assert!(!dump.contains(&needle), "found {needle} in the dump");
    }

    // Every text and bytea column of every table, read as the superuser.
    let mut su = db.superuser();
    let columns = text_columns(&mut su);
    assert!(columns.len() > 20);
    for (table, column, kind) in columns {
        let sql = if kind == "bytea" {
            format!("SELECT count(*) FROM {table} WHERE position($1::bytea IN {column}) > 0")
        } else {
            format!("SELECT count(*) FROM {table} WHERE position($1::text IN {column}::text) > 0")
        };
        let hits: i64 = if kind == "bytea" {
            su.query_one(&sql, &[&CANARY.as_bytes()]).unwrap().get(0)
        } else {
            su.query_one(&sql, &[&CANARY]).unwrap().get(0)
        };
        assert_eq!(hits, 0, "{table}.{column}");
    }
}

#[test]
fn deleting_the_account_shreds_its_key_and_removes_every_row() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let s = sign_up(&hosted, "alice");
    let keep = sign_up(&hosted, "bobby");
    for signed_in in [&s, &keep] {
        let mut store = open(&hosted, signed_in).store;
        let chat = import_small(&mut store, "chat", "text", "Sam");
        store.save_chat_snapshot(chat, "k", &[1, 2, 3]).unwrap();
        store
            .save_item("plan", None, &serde_json::json!({}), now())
            .unwrap();
        store
            .save_relationship(&Relationship::default(), now())
            .unwrap();
        let share = hex_hash(&signed_in.account_id.to_string());
        let shares = hosted.shares_of(signed_in.account_id);
        shares.put(&share, 1, "sealed").unwrap();
        shares.add_view(&share, 1).unwrap();
        assert_eq!(
            shares.add_confirmation(&share, "sealed", 1).unwrap(),
            Confirmed::Added
        );
    }
    assert!(matches!(
        hosted.delete_account(&s.session_token, "not my password at all"),
        Err(AccountError::WrongCredentials)
    ));
    hosted.delete_account(&s.session_token, PASSWORD).unwrap();
    assert!(hosted.open(&s.session_token, now()).unwrap().is_none());
    assert!(matches!(
        hosted.sign_in("alice", PASSWORD, now()),
        Err(AccountError::WrongCredentials)
    ));
    let mut su = db.superuser();
    for table in CONTENT_TABLES {
        let (mine, theirs): (i64, i64) = {
            let r = su
                .query_one(
                    &format!("SELECT count(*) FILTER (WHERE owner_id = $1), count(*) FILTER (WHERE owner_id = $2) FROM {table}"),
                    &[&s.account_id, &keep.account_id],
                )
                .unwrap();
            (r.get(0), r.get(1))
        };
        assert_eq!(mine, 0, "{table}");
        if *table != "settings" {
            assert!(theirs > 0, "{table}: the other account keeps its data");
        }
    }
    let left: i64 = su
        .query_one(
            "SELECT (SELECT count(*) FROM accounts WHERE id = $1) + (SELECT count(*) FROM sessions WHERE account_id = $1)",
            &[&s.account_id],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
    // The operator can erase too.
    assert!(hosted.delete_account_by_operator("bobby").unwrap());
    assert!(!hosted.delete_account_by_operator("bobby").unwrap());
    assert!(hosted.open(&keep.session_token, now()).unwrap().is_none());
    let rows: i64 = su
        .query_one("SELECT count(*) FROM chat_messages", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}

#[test]
fn versions_stay_append_only_in_the_database() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let s = sign_up(&hosted, "alice");
    let mut store = open(&hosted, &s).store;
    store
        .save_item("plan", None, &serde_json::json!({}), now())
        .unwrap();
    store
        .save_relationship(&Relationship::default(), now())
        .unwrap();
    let mut su = db.superuser();
    for table in ["item_versions", "relationship_versions"] {
        assert!(
            su.execute(&format!("UPDATE {table} SET saved_at_ms = 0"), &[])
                .is_err()
        );
        assert!(su.execute(&format!("DELETE FROM {table}"), &[]).is_err());
    }
}

#[test]
fn a_sealed_value_moved_to_another_row_does_not_open() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let s = sign_up(&hosted, "alice");
    let mut store = open(&hosted, &s).store;
    let chat_id = import_small(&mut store, "chat", "text", "Sam");
    // Swap two message bodies behind the app's back.
    db.superuser()
        .batch_execute(
            "UPDATE chat_messages m SET body = o.body FROM chat_messages o
             WHERE m.id = 1 AND o.id = 2 AND m.chat_id = o.chat_id",
        )
        .unwrap();
    let result = store.for_each_message(chat_id, &mut |_| {});
    assert!(
        matches!(result, Err(rekindle_store::StoreError::Corrupt)),
        "{result:?}"
    );
}

/// A share id's hash as the app makes them: 64 hex digits.
fn hex_hash(seed: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(seed.as_bytes()))
}

#[test]
fn a_share_is_reachable_by_its_hash_alone_and_only_its_owner_lists_or_removes_it() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let a = sign_up(&hosted, "alice");
    let b = sign_up(&hosted, "bobby");
    let (mine, other) = (hex_hash("alice's link"), hex_hash("another link"));
    let alice = hosted.shares_of(a.account_id);
    alice.put(&mine, 99, "ciphertext-a").unwrap();
    alice.put(&other, 99, "ciphertext-b").unwrap();

    // A visitor reaches the one share it names, adds a view and a
    // confirmation, and can neither create nor remove anything.
    let visitor = hosted.public_shares();
    assert_eq!(visitor.get(&mine).as_deref(), Some("ciphertext-a"));
    visitor.add_view(&mine, 5).unwrap();
    assert_eq!(
        visitor
            .add_confirmation(&mine, "sealed-by-ally", 5)
            .unwrap(),
        Confirmed::Added
    );
    assert_eq!(
        visitor
            .add_confirmation(&hex_hash("no such link"), "x", 5)
            .unwrap(),
        Confirmed::NoShare
    );
    assert!(visitor.put(&hex_hash("planted"), 99, "x").is_err());
    assert!(visitor.remove(&mine).is_err());
    assert_eq!(alice.views(&mine), vec![5]);
    assert_eq!(
        alice.confirmations(&mine),
        vec!["sealed-by-ally".to_string()]
    );

    // Another account sees none of it and cannot remove it.
    let bobby = hosted.shares_of(b.account_id);
    assert_eq!(bobby.views(&mine), Vec::<i64>::new());
    assert!(bobby.confirmations(&mine).is_empty());
    bobby.remove(&mine).unwrap();
    assert_eq!(visitor.get(&mine).as_deref(), Some("ciphertext-a"));

    // Row-level security holds below the app too: a transaction naming one
    // share sees that row and nothing else.
    hosted
        .with_pooled_connection(|c| {
            let mut tx = c.transaction().unwrap();
            tx.execute("SELECT set_config('rekindle.share', $1, true)", &[&mine])
                .unwrap();
            let visible: i64 = tx
                .query_one("SELECT count(*) FROM shares", &[])
                .unwrap()
                .get(0);
            assert_eq!(visible, 1);
            assert!(
                tx.execute("UPDATE shares SET sealed = 'x'", &[]).unwrap() == 0,
                "a visitor changes nothing"
            );
        })
        .unwrap();

    // The owner removes it: gone with its views and confirmations.
    alice.remove(&mine).unwrap();
    assert_eq!(visitor.get(&mine), None);
    assert!(alice.views(&mine).is_empty() && alice.confirmations(&mine).is_empty());
    assert_eq!(visitor.get(&other).as_deref(), Some("ciphertext-b"));
}

#[test]
fn a_share_keeps_at_most_the_capped_number_of_confirmations() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let a = sign_up(&hosted, "alice");
    let h = hex_hash("capped");
    hosted.shares_of(a.account_id).put(&h, 99, "c").unwrap();
    let visitor = hosted.public_shares();
    // Spread over hours, so only the total cap applies.
    let hour = rekindle_store::CONFIRMATION_WINDOW_MS;
    for i in 0..rekindle_store::MAX_CONFIRMATIONS {
        let at = i64::try_from(i).unwrap() * hour;
        assert_eq!(
            visitor.add_confirmation(&h, "c", at).unwrap(),
            Confirmed::Added
        );
    }
    assert_eq!(
        visitor.add_confirmation(&h, "c", 1000 * hour).unwrap(),
        Confirmed::Full
    );
}

#[test]
fn a_share_takes_at_most_the_hourly_cap_of_confirmations() {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let a = sign_up(&hosted, "alice");
    let h = hex_hash("busy");
    let alice = hosted.shares_of(a.account_id);
    alice.put(&h, 99, "c").unwrap();
    let visitor = hosted.public_shares();
    let start = 1_780_000_000_000;
    for i in 0..rekindle_store::MAX_CONFIRMATIONS_PER_HOUR {
        let at = start + i64::try_from(i).unwrap() * 60_000;
        assert_eq!(
            visitor.add_confirmation(&h, "c", at).unwrap(),
            Confirmed::Added
        );
    }
    let late = start + rekindle_store::CONFIRMATION_WINDOW_MS - 1;
    assert_eq!(
        visitor.add_confirmation(&h, "refused", late).unwrap(),
        Confirmed::TooManyThisHour
    );
    assert_eq!(
        alice.confirmations(&h).len(),
        rekindle_store::MAX_CONFIRMATIONS_PER_HOUR,
        "nothing stored past the hourly cap"
    );
    // An hour after the first, its place is free again.
    let next = start + rekindle_store::CONFIRMATION_WINDOW_MS;
    assert_eq!(
        visitor.add_confirmation(&h, "c", next).unwrap(),
        Confirmed::Added
    );
    assert_eq!(
        visitor.add_confirmation(&h, "c", next).unwrap(),
        Confirmed::TooManyThisHour
    );
}
