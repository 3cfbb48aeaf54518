//! Choosing a chat of an export that holds several, and importing the parts
//! of one Messenger conversation together.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::Timestamp;
use rekindle_app::import::{
    ChatChoice, ImportError, ImportReport, Roles, import, import_parts, list_chats,
};
use rekindle_chat::{ParseError, ParseOptions};
use rekindle_store::{SqliteVault, Store};

fn now() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

fn opts(chat: ChatChoice) -> ParseOptions {
    ParseOptions {
        chat,
        ..Default::default()
    }
}

fn import_with(
    v: &mut SqliteVault,
    bytes: &[u8],
    chat: ChatChoice,
) -> Result<ImportReport, ImportError> {
    import(
        v,
        bytes,
        &opts(chat),
        &Roles::default(),
        now(),
        &mut |_, _| {},
    )
}

/// Two personal chats (Sam: 2 messages, Alex: 3) and a group; Robin exported it.
const FULL: &str = r#"{
 "personal_information": {"first_name": "Robin"},
 "chats": {"list": [
  {"name": "Sam", "type": "personal_chat", "id": 11, "messages": [
    {"id": 1, "type": "message", "date": "2024-01-02T10:00:00", "from": "Sam", "text": "hi"},
    {"id": 2, "type": "message", "date": "2024-01-02T10:01:00", "from": "Robin", "text": "hey"}]},
  {"name": "Chess", "type": "private_group", "id": 12, "messages": [
    {"id": 1, "type": "message", "date": "2024-01-03T10:00:00", "from": "Kim", "text": "e4"}]},
  {"name": "Alex", "type": "personal_chat", "id": 13, "messages": [
    {"id": 1, "type": "message", "date": "2024-01-04T10:00:00", "from": "Alex", "text": "a"},
    {"id": 2, "type": "message", "date": "2024-01-04T10:01:00", "from": "Robin", "text": "b"},
    {"id": 3, "type": "message", "date": "2024-01-04T10:02:00", "from": "Alex", "text": "c"}]}
 ]}
}"#;

#[test]
fn a_full_export_asks_which_chat_and_stores_nothing_until_told() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let listed = list_chats(FULL.as_bytes(), &ParseOptions::default()).unwrap();
    let names: Vec<&str> = listed.iter().filter_map(|c| c.name.as_deref()).collect();
    assert_eq!(names, ["Sam", "Chess", "Alex"]);

    let e = import_with(&mut v, FULL.as_bytes(), ChatChoice::Ask).unwrap_err();
    assert!(e.is_user_error());
    match &e {
        ImportError::ChooseChat { chats, problem } => {
            assert_eq!(chats, &listed);
            assert!(matches!(problem, ParseError::ChooseChat { .. }));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "This Telegram export holds 3 chats (“Sam”, “Chess” and “Alex”); choose the one to import."
    );
    let e = import_with(&mut v, FULL.as_bytes(), ChatChoice::Pick("Bob".into())).unwrap_err();
    assert!(
        matches!(&e, ImportError::ChooseChat { chats, problem: ParseError::NoSuchChat { .. } } if chats.len() == 3),
        "{e:?}"
    );
    assert!(v.chats().unwrap().is_empty(), "nothing stored");

    let r = import_with(&mut v, FULL.as_bytes(), ChatChoice::Pick("13".into())).unwrap();
    assert_eq!(r.counts.added, 3);
    assert_eq!(r.summary.chat_name.as_deref(), Some("Alex"));
    assert_eq!(
        (r.me.as_deref(), r.ex.as_deref()),
        (Some("Robin"), Some("Alex"))
    );
    assert!(r.summary.warnings.is_empty(), "{:?}", r.summary.warnings);
    let chats = v.chats().unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].title.as_deref(), Some("Alex"));
    // The same choice by name adds nothing new.
    let r = import_with(&mut v, FULL.as_bytes(), ChatChoice::Pick("Alex".into())).unwrap();
    assert_eq!((r.counts.added, r.counts.already_had), (0, 3));
}

#[test]
fn the_default_choice_keeps_the_first_personal_chat_for_the_web_page() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let r = import_with(&mut v, FULL.as_bytes(), ChatChoice::default()).unwrap();
    assert_eq!(r.summary.chat_name.as_deref(), Some("Sam"));
    assert_eq!(r.counts.added, 2);
    assert!(r.summary.warnings[0].contains("holds 3 chats"));
}

fn part(title: &str, people: [&str; 2], msgs: &[(i64, &str, &str)]) -> String {
    let rows: Vec<String> = msgs
        .iter()
        .rev()
        .map(|(ms, who, text)| {
            format!(r#"{{"sender_name": "{who}", "timestamp_ms": {ms}, "content": "{text}"}}"#)
        })
        .collect();
    format!(
        r#"{{"participants": [{{"name": "{}"}}, {{"name": "{}"}}], "title": "{title}", "messages": [{}]}}"#,
        people[0],
        people[1],
        rows.join(",")
    )
}

#[test]
fn the_parts_of_a_messenger_conversation_are_imported_as_one_chat() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let t = 1_700_000_000_000i64;
    let p1 = part(
        "Alex",
        ["Alex", "Robin"],
        &[(t + 3000, "Alex", "three"), (t + 4000, "Robin", "four")],
    );
    let p2 = part(
        "Alex",
        ["Alex", "Robin"],
        &[(t + 1000, "Alex", "one"), (t + 3000, "Alex", "three")],
    );
    let roles = Roles::default();
    let r = import_parts(
        &mut v,
        &[p1.as_bytes(), p2.as_bytes()],
        &ParseOptions::default(),
        &roles,
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(r.counts.added, 3, "the message in both parts once");
    assert_eq!(r.summary.messages, 3);
    // The parts in the other order, or one of them again: nothing new, same chat.
    let r2 = import_parts(
        &mut v,
        &[p2.as_bytes(), p1.as_bytes()],
        &ParseOptions::default(),
        &roles,
        now(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!((r2.counts.added, r2.counts.chat_id), (0, r.counts.chat_id));
    let r3 = import_with(&mut v, p1.as_bytes(), ChatChoice::Ask).unwrap();
    assert_eq!((r3.counts.added, r3.counts.chat_id), (0, r.counts.chat_id));

    // Another conversation's part: refused, nothing stored.
    let other = part("Sam", ["Sam", "Robin"], &[(t + 9000, "Sam", "x")]);
    let e = import_parts(
        &mut v,
        &[p1.as_bytes(), other.as_bytes()],
        &ParseOptions::default(),
        &roles,
        now(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(e.is_user_error());
    assert!(
        matches!(
            e,
            ImportError::Parse(ParseError::PartsDiffer { part: 2, .. })
        ),
        "{e:?}"
    );
    assert_eq!(v.chats().unwrap().len(), 1);
}
