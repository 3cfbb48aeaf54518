//! Signs of danger kept from an import, in a real vault: who they point at,
//! a third person in a group chat, answers that a later import keeps.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rekindle_app::import::{Roles, import};
use rekindle_chat::ParseOptions;
use rekindle_core::safety::{ChatDangerKind, Refusal, reconciliation_allowed};

fn now() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

fn chat(lines: &[(&str, &str)]) -> Vec<u8> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (who, text))| format!("12/03/2024, 21:{:02} - {who}: {text}\n", 10 + i))
        .collect::<String>()
        .into_bytes()
}

/// Imports the export with Sam as the user and Alex as the ex.
fn import_as_sam_and_alex(v: &mut rekindle_store::SqliteVault, bytes: &[u8]) {
    let roles = Roles {
        me: Some("Sam".into()),
        ex: Some("Alex".into()),
        redact: false,
    };
    import(
        v,
        bytes,
        &ParseOptions::default(),
        &roles,
        now(),
        &mut |_, _| {},
    )
    .unwrap();
}

#[test]
fn signs_point_at_the_right_person_and_answers_survive_a_second_import() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dir, mut v) = common::fast_vault(&tmp.path().join("d"));
    let tz = TimeZone::UTC;
    let today = jiff::civil::date(2024, 6, 1);
    rekindle_app::safety::take_screen(
        &mut v,
        &rekindle_core::safety::SCREEN
            .iter()
            .map(|q| (q.key.to_string(), "no".to_string()))
            .collect::<Vec<_>>(),
        &tz,
        today,
        now(),
    )
    .unwrap();
    let bytes = chat(&[
        ("Sam", "are you coming to the party"),
        // A third person in the group: neither the user's nor the ex's.
        ("Jo", "i will kill him if he is late again"),
        ("Alex", "you grabbed my wrist so hard it bruised"),
        ("Sam", "i know. i am getting help for it"),
    ]);
    import_as_sam_and_alex(&mut v, &bytes);
    let signs = rekindle_app::danger::signs(&v).unwrap();
    assert_eq!(signs.len(), 1, "{signs:?}");
    let d = &signs[0].1;
    assert_eq!((d.kind, d.by_ex), (ChatDangerKind::Violence, true));
    assert!(!d.ex_is_the_danger(), "the ex says the user hurt them");
    let facts = rekindle_app::safety::facts(&v, &tz).unwrap();
    assert!(matches!(
        reconciliation_allowed(&facts),
        Err(Refusal::DangerInChat { by_ex: true, .. })
    ));
    // "That is how it was": the lock is on, from the user's side.
    rekindle_app::safety::answer_danger(&mut v, true, &tz, today, now()).unwrap();
    let facts = rekindle_app::safety::facts(&v, &tz).unwrap();
    assert_eq!(
        rekindle_core::safety::safety_lock(&facts),
        Some(Refusal::SafetyLock {
            toward_me: false,
            from_me: true
        })
    );
    assert_eq!(rekindle_app::safety::lock_events(&v).unwrap().len(), 1);
    // The same export again, and a longer one: the answer stays, nothing is asked twice.
    import_as_sam_and_alex(&mut v, &bytes);
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"12/03/2024, 22:00 - Alex: ok\n");
    import_as_sam_and_alex(&mut v, &longer);
    let facts = rekindle_app::safety::facts(&v, &tz).unwrap();
    assert_eq!(facts.chat_danger.len(), 1);
    assert!(rekindle_core::safety::pending_danger(&facts.chat_danger).is_none());
    assert!(matches!(
        rekindle_app::danger::answer_pending(&mut v, false, today, now()),
        Err(rekindle_app::method::MethodError::NotFound)
    ));
}

/// The message behind a sign is found by its time and writer among the
/// messages of the same minute, for the question and the post-mortem.
#[test]
fn the_message_behind_a_sign_is_the_one_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dir, mut v) = common::fast_vault(&tmp.path().join("d"));
    let threat = "i know where you live. answer me or you will regret it";
    let text = [
        "12/03/2024, 21:10 - Sam: i am not coming back",
        "12/03/2024, 21:11 - Sam: please stop writing",
        "12/03/2024, 21:11 - Alex: fine",
        &format!("12/03/2024, 21:11 - Alex: {threat}"),
        "12/03/2024, 21:11 - Alex: whatever",
        "12/03/2024, 21:12 - Sam: i am blocking you",
    ]
    .join("\n");
    assert!(rekindle_app::danger::pending_message(&v).unwrap().is_none());
    import_as_sam_and_alex(&mut v, text.as_bytes());
    let chat = rekindle_app::postmortem::analysed_chat(&v)
        .unwrap()
        .unwrap();
    let signs = rekindle_app::danger::for_chat(&v, chat.id).unwrap();
    assert_eq!(signs.len(), 1, "{signs:?}");
    let shown = rekindle_app::danger::message_of(&v, chat.id, &signs[0]).unwrap();
    assert_eq!(shown.as_deref(), Some(threat));
    assert_eq!(
        rekindle_app::danger::pending_message(&v)
            .unwrap()
            .as_deref(),
        Some(threat)
    );
    // In another chat, or once answered, there is nothing to show.
    assert_eq!(
        rekindle_app::danger::message_of(&v, chat.id + 1, &signs[0]).unwrap(),
        None
    );
    let tz = TimeZone::UTC;
    rekindle_app::safety::answer_danger(&mut v, false, &tz, jiff::civil::date(2024, 6, 1), now())
        .unwrap();
    assert!(rekindle_app::danger::pending_message(&v).unwrap().is_none());
}
