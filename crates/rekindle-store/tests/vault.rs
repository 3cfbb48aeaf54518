//! The vault's promises, checked against real files on disk.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;

use jiff::Timestamp;
use jiff::civil::date;
use rekindle_core::relationship::{Relationship, WhoEnded};
use rekindle_core::settings::Settings;
use rekindle_store::{DataDir, ExportDocument, KdfParams, Store, StoreError};

const PASS: &str = "a quiet walk by the river at dawn";
const CANARY: &str = "CANARYzqxj-tangerine-lighthouse";

fn sample() -> Relationship {
    Relationship {
        my_name: "Sam".into(),
        my_pronouns: "they/them".into(),
        their_name: format!("Alex {CANARY}"),
        their_pronouns: "she/her".into(),
        started_on: Some(date(2019, 5, 1)),
        ended_on: Some(date(2024, 10, 2)),
        who_ended: WhoEnded::Them,
        how_it_ended: format!("We talked for hours. {CANARY}"),
        reasons_given: "My drinking.".into(),
        my_view: "I was not there for her.".into(),
    }
}

/// The vault file opened directly with its real key (unwrapped with [`PASS`]),
/// as an attacker with the key or an older/newer rekindle would see it.
fn raw_vault(dir: &std::path::Path) -> rusqlite::Connection {
    let kf = rekindle_store::keyfile::KeyFile::from_json(&fs::read(dir.join("vault.key")).unwrap())
        .unwrap();
    let dek = kf.unwrap_key(PASS).unwrap();
    let raw = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
    raw.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\";",
        hex::encode(dek.as_ref())
    ))
    .unwrap();
    raw
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap()
}

#[test]
fn saved_data_survives_reopen_and_keeps_every_version() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    {
        let dd = fast(DataDir::open(&dir).unwrap());
        let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
        v.save_relationship(&sample(), at(1_700_000_000_000))
            .unwrap();
        let mut second = sample();
        second.my_view = "Second thoughts.".into();
        v.save_relationship(&second, at(1_700_000_100_000)).unwrap();
    }
    let dd = fast(DataDir::open(&dir).unwrap());
    let v = dd.unlock(PASS).unwrap();
    assert_eq!(
        v.relationship().unwrap().unwrap().my_view,
        "Second thoughts."
    );
    let history = v.relationship_history().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].data, sample());
    assert!(v.integrity_ok().unwrap());
}

#[test]
fn wrong_passphrase_is_refused_and_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    v.save_relationship(&sample(), at(1)).unwrap();
    drop(v);
    let before: Vec<(String, Vec<u8>)> = snapshot(&dir);
    let err = dd.unlock("not the right passphrase at all").unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase));
    assert!(err.to_string().contains("does not open"));
    // Nothing of the vault changed; only the wrong try was counted.
    let mut after = snapshot(&dir);
    let counted = after
        .iter()
        .position(|(name, _)| name == rekindle_store::backoff::FAILURES_FILE)
        .map(|i| after.remove(i));
    assert!(counted.is_some(), "the wrong try was counted");
    assert_eq!(before, after);
}

fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn files_are_not_plain_sqlite_and_hold_no_user_text_or_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    for i in 0..50 {
        v.save_relationship(&sample(), at(i)).unwrap();
    }
    // Check while the WAL still holds recent pages, and again after closing.
    for _ in 0..2 {
        for (name, bytes) in snapshot(&dir) {
            assert!(
                !bytes.starts_with(b"SQLite format 3"),
                "{name} is plain SQLite"
            );
            let hay = String::from_utf8_lossy(&bytes);
            assert!(!hay.contains(CANARY), "{name} contains user text");
            assert!(!hay.contains("Alex"), "{name} contains user text");
            assert!(!hay.contains(PASS), "{name} contains the passphrase");
        }
        v = dd.unlock(PASS).unwrap();
    }
    drop(v);
    // A plain SQLite reader refuses the file.
    let plain = rusqlite::Connection::open(dir.join("vault.db")).unwrap();
    let err = plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
}

#[test]
fn passphrase_change_rewraps_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    v.save_relationship(&sample(), at(5)).unwrap();
    drop(v);
    let db_before = fs::read(dir.join("vault.db")).unwrap();
    let new_pass = "another long passphrase for the test";
    dd.change_passphrase(PASS, new_pass).unwrap();
    assert_eq!(
        db_before,
        fs::read(dir.join("vault.db")).unwrap(),
        "data pages unchanged"
    );
    assert!(matches!(dd.unlock(PASS), Err(StoreError::WrongPassphrase)));
    let v = dd.unlock(new_pass).unwrap();
    assert_eq!(v.relationship().unwrap().unwrap(), sample());
    // A wrong old passphrase changes nothing.
    let key_before = fs::read(dir.join("vault.key")).unwrap();
    assert!(
        dd.change_passphrase("wrong wrong wrong wrong", "x y z w v u t s r q")
            .is_err()
    );
    assert_eq!(key_before, fs::read(dir.join("vault.key")).unwrap());
}

#[test]
fn second_instance_is_refused_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let _first = fast(DataDir::open(&dir).unwrap());
    let err = DataDir::open(&dir).unwrap_err();
    assert!(matches!(err, StoreError::Locked(_)));
    assert!(err.to_string().contains("already running"));
}

#[test]
fn folder_and_files_are_private() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    v.save_relationship(&sample(), at(5)).unwrap();
    assert_eq!(
        fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for entry in fs::read_dir(&dir).unwrap() {
        let e = entry.unwrap();
        let mode = e.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{:?} has mode {mode:o}", e.file_name());
    }
    drop(v);
    drop(dd);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(
        DataDir::open(&dir),
        Err(StoreError::InsecurePermissions { .. })
    ));
}

#[test]
fn no_file_contains_the_data_key() {
    // The data key is never written unwrapped: derive it the way the vault
    // does and search every file for its hex and base64 forms.
    use base64::Engine;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let _ = dd.create(PASS, KdfParams::FLOOR).unwrap();
    let key_file =
        rekindle_store::keyfile::KeyFile::from_json(&fs::read(dir.join("vault.key")).unwrap())
            .unwrap();
    let dek = key_file.unwrap_key(PASS).unwrap();
    let forms = [
        hex::encode(dek.as_ref()),
        hex::encode_upper(dek.as_ref()),
        base64::engine::general_purpose::STANDARD.encode(dek.as_ref()),
    ];
    for (name, bytes) in snapshot(&dir) {
        assert!(
            !bytes.windows(32).any(|w| w == dek.as_ref()),
            "{name} holds the raw key"
        );
        let text = String::from_utf8_lossy(&bytes);
        for f in &forms {
            assert!(!text.contains(f.as_str()), "{name} holds the key as text");
        }
    }
}

#[test]
fn export_restore_export_is_identical_and_restore_needs_an_empty_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let dd = fast(DataDir::open(&tmp.path().join("a")).unwrap());
    let mut a = dd.create(PASS, KdfParams::FLOOR).unwrap();
    a.save_relationship(&sample(), at(1_000)).unwrap();
    a.save_settings(&Settings {
        discreet_mode: true,
        idle_lock_minutes: 9,
        country: Some("GB".into()),
        ..Default::default()
    })
    .unwrap();
    let doc = a.export().unwrap();
    let json = doc.to_json().unwrap();

    let dd2 = fast(DataDir::open(&tmp.path().join("b")).unwrap());
    let mut b = dd2.create(PASS, KdfParams::FLOOR).unwrap();
    b.restore(&ExportDocument::from_json(&json).unwrap())
        .unwrap();
    assert_eq!(b.export().unwrap().to_json().unwrap(), json);
    assert!(matches!(b.restore(&doc), Err(StoreError::NotEmpty)));
    assert_eq!(b.export().unwrap(), doc, "failed restore changed nothing");
}

#[test]
fn bad_export_files_get_plain_messages() {
    let e = ExportDocument::from_json("{not json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not readable JSON"), "{e}");
    let e = ExportDocument::from_json(r#"{"format":"other"}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a rekindle export"), "{e}");
    let e = ExportDocument::from_json(r#"{"format":"rekindle-export","version":99}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("version 99"), "{e}");
}

#[test]
fn a_newer_schema_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    let current = v.schema_version().unwrap();
    assert!(current >= 1);
    drop(v);
    // Open the file with the real key and bump the schema as a future version would.
    raw_vault(&dir)
        .execute_batch("PRAGMA user_version = 999;")
        .unwrap();
    assert!(matches!(
        dd.unlock(PASS),
        Err(StoreError::TooNew { found: 999, .. })
    ));
}

#[test]
fn backup_is_encrypted_and_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    v.save_relationship(&sample(), at(5)).unwrap();
    let target = tmp.path().join("backup.db");
    v.backup_to(&target).unwrap();
    let bytes = fs::read(&target).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!String::from_utf8_lossy(&bytes).contains(CANARY));
    assert!(v.backup_to(&target).is_err(), "never overwrites");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    #[test]
    fn any_relationship_round_trips_through_the_vault(
        my in "\\PC{0,30}", their in "\\PC{1,30}", view in "\\PC{0,200}",
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let dd = fast(DataDir::open(&tmp.path().join("d")).unwrap());
        let mut v = dd.create(PASS, KdfParams { memory_kib: 19_456, iterations: 2, parallelism: 1 }).unwrap();
        let r = Relationship { my_name: my, their_name: their, my_view: view, ..Default::default() };
        v.save_relationship(&r, at(42)).unwrap();
        proptest::prop_assert_eq!(v.relationship().unwrap().unwrap(), r);
    }
}

#[test]
fn items_keep_every_version_and_cannot_be_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    let id = v
        .save_item(
            "problem",
            None,
            &serde_json::json!({"title": "drinking"}),
            at(1),
        )
        .unwrap();
    v.save_item(
        "problem",
        Some(id),
        &serde_json::json!({"title": "drinking at parties"}),
        at(2),
    )
    .unwrap();
    let other = v
        .save_item("checkin", None, &serde_json::json!({"kept": true}), at(3))
        .unwrap();
    let problems = v.items("problem").unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].versions.len(), 2);
    assert_eq!(
        problems[0].current().unwrap()["title"],
        "drinking at parties"
    );
    assert_eq!(problems[0].versions[0].data["title"], "drinking");
    // A version of the wrong kind, or of a missing item, is refused.
    assert!(matches!(
        v.save_item("problem", Some(other), &serde_json::json!({}), at(4)),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        v.save_item("problem", Some(999), &serde_json::json!({}), at(4)),
        Err(StoreError::NotFound)
    ));
    assert_eq!(v.item(id).unwrap().unwrap().versions.len(), 2);
    drop(v);
    // Even with the key, SQL cannot rewrite or delete a version.
    let raw = raw_vault(&dir);
    assert!(
        raw.execute("UPDATE item_versions SET data = '{}'", [])
            .is_err()
    );
    assert!(raw.execute("DELETE FROM item_versions", []).is_err());
}

#[test]
fn items_survive_export_and_restore_with_their_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let dd = fast(DataDir::open(&tmp.path().join("a")).unwrap());
    let mut a = dd.create(PASS, KdfParams::FLOOR).unwrap();
    let p = a
        .save_item("problem", None, &serde_json::json!({"t": 1}), at(10))
        .unwrap();
    a.save_item("plan", None, &serde_json::json!({"problem": p}), at(11))
        .unwrap();
    a.save_item("problem", Some(p), &serde_json::json!({"t": 2}), at(12))
        .unwrap();
    let json = a.export().unwrap().to_json().unwrap();
    let dd2 = fast(DataDir::open(&tmp.path().join("b")).unwrap());
    let mut b = dd2.create(PASS, KdfParams::FLOOR).unwrap();
    b.restore(&ExportDocument::from_json(&json).unwrap())
        .unwrap();
    assert_eq!(b.export().unwrap().to_json().unwrap(), json);
    assert_eq!(b.item(p).unwrap().unwrap().versions.len(), 2);
}

#[test]
fn a_full_disk_saves_nothing_says_so_and_keeps_what_was_there() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    v.save_relationship(&sample(), at(1_700_000_000_000))
        .unwrap();
    v.simulate_full_disk(2).unwrap();
    // Keep saving bigger versions until the disk is "full".
    let mut saved = 1;
    let mut failure = None;
    for i in 0..200 {
        let mut r = sample();
        r.my_view = format!("{i} {}", "long reflection ".repeat(400));
        match v.save_relationship(&r, at(1_700_000_000_000 + i64::from(i) + 1)) {
            Ok(()) => saved += 1,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let failure = failure.expect("the capped vault filled up");
    assert!(matches!(failure, StoreError::DiskFull), "{failure:?}");
    assert_eq!(
        failure.to_string(),
        "The disk is full; nothing was saved. Free some space and try again."
    );
    // Everything saved before is still there, and nothing half-saved.
    assert_eq!(v.relationship_history().unwrap().len(), saved);
    drop(v);
    drop(dd);
    let dd = fast(DataDir::open(&dir).unwrap());
    let v = dd.unlock(PASS).unwrap();
    assert_eq!(v.relationship_history().unwrap().len(), saved);
    assert!(v.integrity_ok().unwrap());
}

/// `messages_at` reads exactly the messages `for_each_message` visits at
/// those positions: first, last, past the end, ties in time, another chat.
#[test]
fn messages_at_reads_the_messages_at_those_positions_only() {
    use rekindle_store::chats::{MessageSink, NewMessage};
    let tmp = tempfile::tempdir().unwrap();
    let dd = fast(DataDir::open(&tmp.path().join("data")).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    // (time, text): later imports add earlier messages and ties in time,
    // so row order differs from time order.
    let import = |v: &mut rekindle_store::SqliteVault, key: &str, msgs: &[(i64, &str)]| {
        v.import_chat(
            &csv_chat(key),
            at(1_700_000_000_000),
            0,
            &serde_json::json!({}),
            &mut |sink: &mut dyn MessageSink| {
                for (i, (ms, text)) in msgs.iter().enumerate() {
                    let mut content_key = [0u8; 32];
                    content_key[..8].copy_from_slice(&ms.to_le_bytes());
                    content_key[8..16]
                        .copy_from_slice(&(text.len() as u64 + i as u64 * 1000).to_le_bytes());
                    content_key[16] = text
                        .bytes()
                        .fold(0u8, |a, b| a.wrapping_mul(31).wrapping_add(b));
                    sink.push(&NewMessage {
                        local_ms: *ms,
                        offset_seconds: None,
                        sender: Some(if i % 2 == 0 { "A" } else { "B" }),
                        kind: "text",
                        text,
                        content_key,
                    });
                }
                Ok(())
            },
        )
        .unwrap()
    };
    let first = import(&mut v, "one", &[(5_000, "e"), (9_000, "i"), (1_000, "a")]);
    import(&mut v, "two", &[(2_000, "other chat"), (0, "other first")]);
    import(
        &mut v,
        "one",
        &[
            (3_000, "c"),
            (3_000, "c2"),
            (0, "zero"),
            (9_000, "i2"),
            (12_000, "l"),
        ],
    );
    let id = first.chat_id;
    let mut all = Vec::new();
    v.for_each_message(id, &mut |m| all.push(m.clone()))
        .unwrap();
    let texts: Vec<&str> = all.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["zero", "a", "c", "c2", "e", "i", "i2", "l"]);
    let last = all.len() as u64 - 1;
    let expect = |ps: &[u64]| -> Vec<(u64, rekindle_store::chats::StoredMessage)> {
        let mut ps = ps.to_vec();
        ps.sort_unstable();
        ps.dedup();
        ps.into_iter()
            .filter_map(|p| all.get(p as usize).map(|m| (p, m.clone())))
            .collect()
    };
    for ps in [
        vec![],
        vec![0],
        vec![last],
        vec![last + 1],
        vec![u64::MAX],
        vec![0, 1, 2],
        vec![last - 1, last, last + 1, last + 2],
        vec![3, 2, 3, 0],
        vec![5, 6],
        (0..=last + 3).collect(),
    ] {
        assert_eq!(v.messages_at(id, &ps).unwrap(), expect(&ps), "{ps:?}");
    }
    // Positions count within one chat only; an unknown chat has none.
    assert_eq!(v.messages_at(id, &[0]).unwrap()[0].1.text, "zero");
    assert!(v.messages_at(9_999, &[0, 1]).unwrap().is_empty());
}

/// Messages of the same time come back in the order they were stored, even
/// where their content keys (which order them in the index) say otherwise;
/// `messages_at` counts positions in that same order.
#[test]
fn messages_of_one_time_keep_the_order_they_were_stored_in() {
    use rekindle_store::chats::{MessageSink, NewMessage};
    let tmp = tempfile::tempdir().unwrap();
    let dd = fast(DataDir::open(&tmp.path().join("data")).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    // 300 messages over three times, each key smaller than the one before.
    let msgs: Vec<(i64, String)> = (0..300)
        .map(|i| (((i * 7) % 3) * 60_000, format!("message {i}")))
        .collect();
    let counts = v
        .import_chat(
            &csv_chat("ties"),
            at(1_700_000_000_000),
            0,
            &serde_json::json!({}),
            &mut |sink: &mut dyn MessageSink| {
                for (i, (ms, text)) in msgs.iter().enumerate() {
                    let mut content_key = [0u8; 32];
                    content_key[..8].copy_from_slice(&(u64::MAX - i as u64).to_be_bytes());
                    sink.push(&NewMessage {
                        local_ms: *ms,
                        offset_seconds: None,
                        sender: Some("A"),
                        kind: "text",
                        text,
                        content_key,
                    });
                }
                Ok(())
            },
        )
        .unwrap();
    let mut expected = msgs.clone();
    expected.sort_by_key(|(ms, _)| *ms); // stable: stored order within a time
    let mut got = Vec::new();
    v.for_each_message(counts.chat_id, &mut |m| {
        got.push((m.local_ms, m.text.clone()))
    })
    .unwrap();
    assert_eq!(got, expected);
    for ps in [vec![0u64, 1, 99, 100, 101], vec![150, 299, 300], vec![199]] {
        let read = v.messages_at(counts.chat_id, &ps).unwrap();
        let want: Vec<(u64, String)> = ps
            .iter()
            .filter_map(|&p| expected.get(p as usize).map(|(_, t)| (p, t.clone())))
            .collect();
        let read: Vec<(u64, String)> = read.into_iter().map(|(p, m)| (p, m.text)).collect();
        assert_eq!(read, want, "{ps:?}");
    }
}

/// Listing the chats reads the per-sender summary, which every import (and an
/// upgrade from an older vault) keeps equal to the messages themselves.
#[test]
fn the_senders_summary_follows_imports_and_is_built_on_upgrade() {
    use rekindle_store::chats::{MessageSink, NewMessage};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    let mut v = dd.create(PASS, KdfParams::FLOOR).unwrap();
    let import = |v: &mut rekindle_store::SqliteVault, msgs: &[(i64, Option<&str>)]| {
        v.import_chat(
            &csv_chat("one"),
            at(1_700_000_000_000),
            0,
            &serde_json::json!({}),
            &mut |sink: &mut dyn MessageSink| {
                for (ms, sender) in msgs {
                    let mut content_key = [0u8; 32];
                    content_key[..8].copy_from_slice(&ms.to_le_bytes());
                    sink.push(&NewMessage {
                        local_ms: *ms,
                        offset_seconds: None,
                        sender: *sender,
                        kind: "text",
                        text: "hi",
                        content_key,
                    });
                }
                Ok(())
            },
        )
        .unwrap()
    };
    let senders = |v: &rekindle_store::SqliteVault| {
        let c = &v.chats().unwrap()[0];
        (c.messages, c.senders.clone())
    };
    import(
        &mut v,
        &[(1, Some("A")), (2, Some("B")), (3, Some("A")), (4, None)],
    );
    assert_eq!(
        senders(&v),
        (4, vec![("A".to_string(), 2), ("B".to_string(), 1)])
    );
    // The same export again adds nothing; a later one adds two from B.
    import(
        &mut v,
        &[(1, Some("A")), (2, Some("B")), (3, Some("A")), (4, None)],
    );
    import(&mut v, &[(5, Some("B")), (6, Some("B"))]);
    let expected = (6, vec![("B".to_string(), 3), ("A".to_string(), 2)]);
    assert_eq!(senders(&v), expected);
    // A restore into a new vault counts the same.
    let other = fast(DataDir::open(&tmp.path().join("other")).unwrap());
    let mut restored = other.create(PASS, KdfParams::FLOOR).unwrap();
    restored.restore(&v.export().unwrap()).unwrap();
    assert_eq!(senders(&restored), expected);
    drop(v);
    // An older rekindle's vault: schema 3, no summary (nor snapshot) table.
    // Unlocking upgrades it to the newest schema.
    raw_vault(&dir)
        .execute_batch(
            "DROP TABLE chat_senders; DROP TABLE chat_snapshots; PRAGMA user_version = 3;",
        )
        .unwrap();
    let v = dd.unlock(PASS).unwrap();
    assert_eq!(v.schema_version().unwrap(), 5);
    assert_eq!(senders(&v), expected);
}

#[test]
fn a_second_connection_writes_while_the_first_keeps_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let dd = fast(DataDir::open(&tmp.path().join("data")).unwrap());
    let mut first = dd.create(PASS, KdfParams::FLOOR).unwrap();
    first
        .save_item("note", None, &serde_json::json!({"n": 1}), at(1))
        .unwrap();
    let mut second = first.open_another().unwrap();
    assert_eq!(second.items("note").unwrap().len(), 1);
    // Every item query is planned once: reading by different kinds in turn
    // works and keeps answering right (the statements are not re-planned
    // per value, see the query-planner stability setting).
    for kind in ["note", "plan", "note", "checkin"] {
        let n = first.items(kind).unwrap().len();
        assert_eq!(n, usize::from(kind == "note"), "{kind}");
    }
    second
        .save_item("plan", None, &serde_json::json!({"p": 2}), at(2))
        .unwrap();
    // The first connection sees the second's committed write.
    assert_eq!(first.items("plan").unwrap().len(), 1);
    assert_eq!(first.items("note").unwrap().len(), 1);
}

/// Tests keep to the floor's parameters: today's default (most of a second
/// per derivation) would make them slow, and an unlock would re-wrap.
fn fast(dir: DataDir) -> DataDir {
    dir.with_kdf_target(KdfParams::FLOOR).unwrap()
}

/// The parameters written in the vault's key file.
fn stored_params(dir: &std::path::Path) -> KdfParams {
    rekindle_store::keyfile::KeyFile::from_json(&fs::read(dir.join("vault.key")).unwrap())
        .unwrap()
        .params()
}

#[test]
fn an_older_vaults_key_is_rewrapped_with_todays_parameters_on_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    {
        // A vault made by an earlier version, with its default.
        let dd = DataDir::open(&dir)
            .unwrap()
            .with_kdf_target(KdfParams::PREVIOUS_DEFAULT)
            .unwrap();
        let mut v = dd.create(PASS, dd.kdf_target()).unwrap();
        v.save_relationship(&sample(), at(1_700_000_000_000))
            .unwrap();
    }
    assert_eq!(stored_params(&dir), KdfParams::PREVIOUS_DEFAULT);
    let before = fs::read(dir.join("vault.db")).unwrap();
    let dd = DataDir::open(&dir)
        .unwrap()
        .with_kdf_target(KdfParams::DEFAULT)
        .unwrap();
    // A wrong passphrase changes nothing.
    assert!(matches!(
        dd.unlock("not the passphrase of this vault"),
        Err(StoreError::WrongPassphrase)
    ));
    assert_eq!(stored_params(&dir), KdfParams::PREVIOUS_DEFAULT);
    // The right one opens it and re-wraps the same data key.
    drop(dd.unlock(PASS).unwrap());
    assert_eq!(stored_params(&dir), KdfParams::DEFAULT);
    assert_eq!(fs::read(dir.join("vault.db")).unwrap(), before);
    let v = dd.unlock(PASS).unwrap();
    assert_eq!(v.relationship().unwrap().unwrap(), sample());
    // Never weakened: a folder aiming lower leaves stronger parameters alone.
    drop(v);
    drop(dd);
    let dd = fast(DataDir::open(&dir).unwrap());
    drop(dd.unlock(PASS).unwrap());
    assert_eq!(stored_params(&dir), KdfParams::DEFAULT);
}

#[test]
fn new_vaults_use_todays_default_unless_a_debug_test_run_asks_for_speed() {
    // The shipped default costs 8 times the floor's work per guess.
    assert!(KdfParams::FLOOR.weaker_than(&KdfParams::PREVIOUS_DEFAULT));
    assert!(KdfParams::PREVIOUS_DEFAULT.weaker_than(&KdfParams::DEFAULT));
    assert!(KdfParams::DEFAULT.check().is_ok());
    let fast_env =
        std::env::var_os(rekindle_store::keyfile::TEST_FAST_KDF_ENV).is_some_and(|v| v == "1");
    let expected = if cfg!(debug_assertions) && fast_env {
        KdfParams::FLOOR
    } else {
        KdfParams::DEFAULT
    };
    assert_eq!(KdfParams::for_new_vaults(), expected);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    assert_eq!(DataDir::open(&dir).unwrap().kdf_target(), expected);
    // Below the floor is refused as a target too.
    let weak = KdfParams {
        iterations: 1,
        ..KdfParams::FLOOR
    };
    assert!(DataDir::open(&dir).unwrap().with_kdf_target(weak).is_err());
}

#[test]
fn wrong_passphrases_are_counted_on_disk_until_one_is_right() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let dd = fast(DataDir::open(&dir).unwrap());
    drop(dd.create(PASS, KdfParams::FLOOR).unwrap());
    assert_eq!(dd.unlock_failures().count, 0);
    assert!(dd.unlock("a wrong guess at the passphrase").is_err());
    assert!(dd.unlock("another wrong guess at it").is_err());
    assert_eq!(dd.unlock_failures().count, 2);
    assert_eq!(dd.unlock_failures().delay(), 2);
    // Counted across processes: a new handle on the folder sees them.
    drop(dd);
    let dd = fast(DataDir::open(&dir).unwrap());
    assert_eq!(dd.unlock_failures().count, 2);
    // Changing the passphrase and erasing guess too: counted the same way.
    assert!(
        dd.change_passphrase("a third wrong guess here", "a new passphrase nobody knows")
            .is_err()
    );
    assert!(dd.erase("a fourth wrong guess here").is_err());
    assert_eq!(dd.unlock_failures().count, 4);
    drop(dd.unlock(PASS).unwrap());
    assert_eq!(dd.unlock_failures().count, 0);
    assert!(!dir.join(rekindle_store::backoff::FAILURES_FILE).exists());
}

/// security.md item 37: every connection the app opens to a vault, new,
/// reopened or a second one for long work, writes ahead (WAL) and syncs
/// each commit fully (`synchronous=FULL`, 2), so "saved" survives power loss.
#[test]
fn every_vault_connection_commits_with_synchronous_full() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let fast = KdfParams {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
    let dd = DataDir::open(&dir).unwrap().with_kdf_target(fast).unwrap();
    let created = dd.create(PASS, fast).unwrap();
    let second = created.open_another().unwrap();
    for (what, v) in [("created", &created), ("second connection", &second)] {
        assert_eq!(v.durability().unwrap(), ("wal".to_string(), 2), "{what}");
    }
    drop((created, second));
    let reopened = dd.unlock(PASS).unwrap();
    assert_eq!(
        reopened.durability().unwrap(),
        ("wal".to_string(), 2),
        "reopened"
    );
}

/// A chat with nothing but its source key, for the message tests.
fn csv_chat(key: &str) -> rekindle_store::chats::NewChat {
    rekindle_store::chats::NewChat {
        source_key: key.into(),
        format: "csv".into(),
        title: None,
        me: None,
        ex: None,
    }
}
