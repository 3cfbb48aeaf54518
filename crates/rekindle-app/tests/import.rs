//! Importing into a real vault: idempotence, later exports, failures that
//! leave the vault untouched.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::Timestamp;
use rekindle_app::import::{ImportError, Roles, import};
use rekindle_chat::ParseOptions;
use rekindle_store::{DataDir, SqliteVault, Store};

fn vault(tmp: &tempfile::TempDir) -> (DataDir, SqliteVault) {
    common::fast_vault(&tmp.path().join("d"))
}

/// A chat sample in `testdata/chats` (see `testdata/PROVENANCE.md`).
fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/chats")
            .join(name),
    )
    .unwrap()
}

/// An AGPL chat-analytics sample from `../shared/fixtures` beside the
/// checkout; `None` (with a note) when that folder is not there, unless
/// `REKINDLE_REQUIRE_SHARED=1` (as `.ci/run` sets it).
fn outside_fixture(name: &str) -> Option<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    if !dir.is_dir() {
        assert!(
            std::env::var("REKINDLE_REQUIRE_SHARED").as_deref() != Ok("1"),
            "REKINDLE_REQUIRE_SHARED=1 but {} is missing",
            dir.display()
        );
        // Straight to stderr: the test harness would hide an eprintln! of a passing test.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: ../shared/fixtures not found beside the checkout (the AGPL chat-analytics samples stay outside the repo)"
        );
        return None;
    }
    Some(std::fs::read(dir.join(name)).unwrap())
}

/// Importing the same bytes twice adds nothing the second time.
fn imports_idempotently(v: &mut SqliteVault, name: &str, bytes: &[u8]) {
    let a = import(
        v,
        bytes,
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(a.counts.added > 0, "{name}");
    let b = import(
        v,
        bytes,
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(b.counts.added, 0, "{name} imported twice");
    assert_eq!(b.counts.already_had, a.counts.added, "{name}");
}

fn now() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

const CHAT: &str = "12/03/2024, 21:05 - Sam: hello\n12/03/2024, 21:05 - Sam: hello\n13/03/2024, 08:00 - Alex: hi\nsecond line\n";
const LATER: &str = "12/03/2024, 21:05 - Sam: hello\n12/03/2024, 21:05 - Sam: hello\n13/03/2024, 08:00 - Alex: hi\nsecond line\n14/03/2024, 09:30 - Sam: are you ok?\n";

#[test]
fn importing_twice_adds_nothing_and_a_later_export_adds_only_new_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = vault(&tmp);
    let roles = Roles {
        me: Some("Sam".into()),
        ..Roles::default()
    };
    let first = import(
        &mut v,
        CHAT.as_bytes(),
        &ParseOptions::default(),
        &roles,
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(
        first.counts.added, 3,
        "two identical 'hello's in one minute are two messages"
    );
    assert_eq!(
        first.ex.as_deref(),
        Some("Alex"),
        "the other of two is the ex"
    );
    let again = import(
        &mut v,
        CHAT.as_bytes(),
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!((again.counts.added, again.counts.already_had), (0, 3));
    let later = import(
        &mut v,
        LATER.as_bytes(),
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!((later.counts.added, later.counts.already_had), (1, 3));
    let chats = v.chats().unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].messages, 4);
    assert_eq!(chats[0].me.as_deref(), Some("Sam"));
    assert_eq!(chats[0].ex.as_deref(), Some("Alex"));
    let mut texts = Vec::new();
    v.for_each_message(chats[0].id, &mut |m| texts.push(m.text.clone()))
        .unwrap();
    assert_eq!(texts, ["hello", "hello", "hi\nsecond line", "are you ok?"]);
}

#[test]
fn every_fixture_imports_idempotently() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = vault(&tmp);
    for name in [
        "own/whatsapp__small.txt",
        "own/telegram__entities_undated.json",
        "own/messenger__bom_mojibake.json",
        "chat-miner/whatsapp__ddmmyy_24hrs.txt",
        "chat-miner/telegram__single_export.json",
        "chat-miner/instagram__export.json",
        "whatsapp-chat-parser/short-chat.txt",
    ] {
        imports_idempotently(&mut v, name, &fixture(name));
    }
}

#[test]
fn the_agpl_samples_import_idempotently_when_present() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = vault(&tmp);
    for name in [
        "chat-analytics__whatsapp__2A_5M.txt",
        "chat-analytics__telegram__DM_2A_7M.json",
        "chat-analytics__messenger__2A_7M.json",
    ] {
        let Some(bytes) = outside_fixture(name) else {
            return;
        };
        imports_idempotently(&mut v, name, &bytes);
    }
}

#[test]
fn a_failed_import_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = vault(&tmp);
    import(
        &mut v,
        CHAT.as_bytes(),
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    let before = v.export().unwrap();
    let err = import(
        &mut v,
        b"this is a shopping list\nmilk\neggs\n",
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.is_user_error());
    assert!(!err.to_string().is_empty());
    let err = import(
        &mut v,
        LATER.as_bytes(),
        &ParseOptions::default(),
        &Roles {
            me: Some("Jordan".into()),
            ..Roles::default()
        },
        now(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Input(_)));
    assert!(err.to_string().contains("“Sam”"), "{err}");
    assert_eq!(v.export().unwrap(), before);
}

#[test]
fn export_and_restore_keep_chats_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = vault(&tmp);
    import(
        &mut v,
        &fixture("own/telegram__entities_undated.json"),
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    let json = v.export().unwrap().to_json().unwrap();
    let tmp2 = tempfile::tempdir().unwrap();
    let (_dd2, mut w) = vault(&tmp2);
    w.restore(&rekindle_store::ExportDocument::from_json(&json).unwrap())
        .unwrap();
    assert_eq!(w.export().unwrap().to_json().unwrap(), json);
    // And the restored vault still recognises the same messages.
    let again = import(
        &mut w,
        &fixture("own/telegram__entities_undated.json"),
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(again.counts.added, 0);
}

#[test]
fn progress_reaches_the_total() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = vault(&tmp);
    let mut chat = String::new();
    for i in 0..45_000 {
        chat.push_str(&format!(
            "01/02/2024, 10:{:02} - {}: message {i}\n",
            i % 60,
            if i % 2 == 0 { "Sam" } else { "Alex" }
        ));
    }
    let mut seen = Vec::new();
    let r = import(
        &mut v,
        chat.as_bytes(),
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |d, t| seen.push((d, t)),
    )
    .unwrap();
    assert_eq!(r.counts.added, 45_000);
    assert_eq!(seen.first(), Some(&(0, 45_000)));
    assert_eq!(seen.last(), Some(&(45_000, 45_000)));
    assert!(seen.len() >= 3);
}

#[test]
fn redaction_removes_phone_numbers_and_addresses_but_keeps_idempotence() {
    let chat = "12/03/2024, 21:05 - Sam: call Jo on +44 7700 900123\n12/03/2024, 21:06 - Alex: or jo@example.org\n";
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = vault(&tmp);
    let roles = Roles {
        redact: true,
        ..Roles::default()
    };
    import(
        &mut v,
        chat.as_bytes(),
        &ParseOptions::default(),
        &roles,
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    let chat_id = v.chats().unwrap()[0].id;
    let mut texts = Vec::new();
    v.for_each_message(chat_id, &mut |m| texts.push(m.text.clone()))
        .unwrap();
    assert_eq!(texts, ["call Jo on [phone number]", "or [e-mail address]"]);
    let again = import(
        &mut v,
        chat.as_bytes(),
        &ParseOptions::default(),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(
        again.counts.added, 0,
        "the unredacted file is recognised as already imported"
    );
}

/// Every string the vault holds after an import, except the content keys
/// (hex digests, not text).
fn stored_strings(v: &SqliteVault) -> Vec<String> {
    fn walk(value: &serde_json::Value, key: &str, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if key != "key" => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| walk(x, k, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(
        &serde_json::to_value(v.export().unwrap()).unwrap(),
        "",
        &mut out,
    );
    walk(
        &serde_json::to_value(v.chats().unwrap()).unwrap(),
        "",
        &mut out,
    );
    out
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A phone number in one of the ways people write them.
fn phone() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    (
        proptest::collection::vec(0u32..10, 7..=13),
        0u8..3,
        proptest::sample::select(vec![" ", "-", "\u{a0}", " - ", "/"]),
    )
        .prop_map(|(d, style, sep)| {
            let s = |d: &[u32]| d.iter().map(|x| x.to_string()).collect::<String>();
            let rest = d[2..].chunks(3).map(s).collect::<Vec<_>>().join(sep);
            match style {
                0 => format!("+{} {rest}", s(&d[..2])),
                1 => format!("+{} (0) {rest}", s(&d[..2])),
                _ => format!("(0{}) {rest}", s(&d[..2])),
            }
        })
}

/// A number to hide in the text: a phone number, two side by side, or a run
/// of more than 15 digits.
fn secret() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        phone(),
        (phone(), phone()).prop_map(|(a, b)| format!("{a} {b}")),
        proptest::collection::vec(0u32..10, 16..=24)
            .prop_map(|d| d.iter().map(|x| x.to_string()).collect()),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// security.md item 62: with redaction on, no number survives in what
    /// the vault stores — not in the text, not in the sender names, the
    /// chat's title, the skipped-line excerpts or the who-is-who — while the
    /// dates and times around them stay.
    #[test]
    fn redaction_leaves_no_number_anywhere_in_the_vault(
        ex in phone(),
        title in secret(),
        skipped in secret(),
        said in secret(),
        replied in secret(),
    ) {
        let chat = format!(
            "Contact card: {skipped}\n\
             12/03/2024, 21:00 - {ex} created group \"Family {title}\"\n\
             12/03/2024, 21:05 - {ex}: call me on {said} at 21:30 on 12.03.2024\n\
             12/03/2024, 21:06 - Sam: ok, mine is {replied}; 3 kids, 2 cats\n"
        );
        let tmp = tempfile::tempdir().unwrap();
        let (_dd, mut v) = vault(&tmp);
        let roles = Roles {
            me: Some("Sam".into()),
            ex: Some(ex.clone()),
            redact: true,
        };
        let r = import(&mut v, chat.as_bytes(), &ParseOptions::default(), &roles, now(), &mut |_, _| {})
            .unwrap();
        proptest::prop_assert_eq!(r.counts.added, 3);
        proptest::prop_assert_eq!(r.summary.skipped_count, 1);
        let stored = stored_strings(&v);
        for secret in [&ex, &title, &skipped, &said, &replied] {
            let digits = digits_of(secret);
            for s in &stored {
                proptest::prop_assert!(
                    !digits_of(s).contains(&digits),
                    "{secret:?} survived in {s:?}"
                );
            }
        }
        let info = &v.chats().unwrap()[0];
        let ex_name = info.ex.clone().unwrap_or_default();
        proptest::prop_assert!(ex_name.starts_with("[phone number "), "{ex_name}");
        proptest::prop_assert!(
            info.title.as_deref().is_some_and(|t| t.starts_with("Family [phone number ")),
            "{:?}", info.title
        );
        proptest::prop_assert!(stored.iter().any(|s| s.contains("at 21:30 on 12.03.2024")));
        proptest::prop_assert!(stored.iter().any(|s| s.ends_with("; 3 kids, 2 cats")));
    }
}
