//! One test-suite for every [`Store`] backend (issue 16): each function
//! checks one promise of the trait against a fresh store, and
//! [`store_conformance!`](crate::store_conformance) expands them all into
//! `#[test]` functions for a backend's fixture.
//!
//! A [`Fixture`] is one backing database; `store(0)` and `store(1)` are the
//! stores of two owners on it. A backend that cannot host a second owner in
//! one database says so with [`Fixture::two_owners`] returning false, and the
//! isolation test then checks only what one owner can see.
//!
//! Behind the cargo feature `conformance` (off by default): test code, so
//! failures panic.
#![allow(clippy::unwrap_used, clippy::panic)]

use jiff::Timestamp;
use rekindle_core::relationship::Relationship;
use rekindle_core::settings::Settings;

use crate::chats::{MessageSink, NewChat, NewMessage, StoredMessage};
use crate::{ExportDocument, Store, StoreError, USER_TABLES};

/// One backing database with up to two owners.
pub trait Fixture {
    type Store: Store;
    /// The store of owner `which` (0 or 1). Calling it again gives another
    /// handle on the same owner's data.
    fn store(&mut self, which: usize) -> Self::Store;
    /// Whether `store(1)` is a second owner in the same database.
    fn two_owners(&self) -> bool {
        true
    }
}

/// Expands every conformance test into a `#[test]` fn, given a path to a
/// `fn() -> impl Fixture` that makes a fresh, empty backing database.
#[macro_export]
macro_rules! store_conformance {
    ($make:path) => {
        $crate::store_conformance!(@each $make;
            empty_store_holds_nothing,
            relationship_versions_append,
            settings_round_trip,
            items_keep_every_version,
            withdrawing_and_restoring_keep_every_version,
            import_is_idempotent,
            import_is_all_or_nothing,
            import_fills_in_unknown_chat_fields_only,
            import_tells_the_feed_whether_the_chat_was_empty,
            message_order_and_positions,
            messages_are_found_by_their_time,
            chat_roles_are_set,
            a_chat_is_deleted_with_everything_of_it,
            chat_snapshots_are_kept_replaced_and_deleted_with_their_chat,
            export_restore_identity,
            restore_needs_an_empty_store_and_is_all_or_nothing,
            owners_are_isolated,
        );
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::conformance::$name($make);
            }
        )*
    };
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap()
}

fn relationship(view: &str) -> Relationship {
    Relationship {
        my_name: "Sam".into(),
        their_name: "Alex".into(),
        my_view: view.into(),
        ..Default::default()
    }
}

/// A message for imports; the content key covers time, sender and text.
pub struct Msg {
    pub local_ms: i64,
    pub offset_seconds: Option<i32>,
    pub sender: Option<&'static str>,
    pub text: String,
}

pub fn msg(local_ms: i64, sender: Option<&'static str>, text: &str) -> Msg {
    Msg {
        local_ms,
        offset_seconds: Some(3600),
        sender,
        text: text.into(),
    }
}

fn content_key(m: &Msg) -> [u8; 32] {
    // Any stable, collision-free function of the message will do here.
    use std::hash::{Hash, Hasher};
    let mut key = [0u8; 32];
    for (lane, chunk) in key.chunks_mut(8).enumerate() {
        let mut h = std::hash::DefaultHasher::new();
        (lane, m.local_ms, m.sender, &m.text).hash(&mut h);
        chunk.copy_from_slice(&h.finish().to_be_bytes());
    }
    key
}

pub fn chat(source: &str) -> NewChat {
    NewChat {
        source_key: source.into(),
        format: "whatsapp".into(),
        title: None,
        me: None,
        ex: None,
    }
}

/// Imports `messages` into `chat`.
pub fn import<S: Store>(
    store: &mut S,
    chat: &NewChat,
    at_ms: i64,
    messages: &[Msg],
) -> Result<crate::chats::ImportCounts, StoreError> {
    store.import_chat(
        chat,
        at(at_ms),
        2,
        &serde_json::json!({"lines": messages.len()}),
        &mut |sink: &mut dyn MessageSink| {
            push_all(sink, messages);
            Ok(())
        },
    )
}

fn push_all(sink: &mut dyn MessageSink, messages: &[Msg]) {
    for m in messages {
        sink.push(&NewMessage {
            local_ms: m.local_ms,
            offset_seconds: m.offset_seconds,
            sender: m.sender,
            kind: "text",
            text: &m.text,
            content_key: content_key(m),
        });
    }
}

fn all_messages<S: Store>(store: &S, chat_id: i64) -> Vec<StoredMessage> {
    let mut out = Vec::new();
    store
        .for_each_message(chat_id, &mut |m| out.push(m.clone()))
        .unwrap();
    out
}

fn total(store: &impl Store) -> u64 {
    store.counts().unwrap().iter().map(|(_, n)| n).sum()
}

/// A store with something in every table.
pub fn populate<S: Store>(store: &mut S) -> i64 {
    store
        .save_relationship(&relationship("first"), at(1_000))
        .unwrap();
    store
        .save_relationship(&relationship("second"), at(2_000))
        .unwrap();
    store
        .save_settings(&Settings {
            discreet_mode: true,
            idle_lock_minutes: 7,
            country: Some("DE".into()),
            analysed_chat: Some(1),
            large_text: true,
        })
        .unwrap();
    let plan = store
        .save_item("plan", None, &serde_json::json!({"v": 1}), at(3_000))
        .unwrap();
    store
        .save_item("plan", Some(plan), &serde_json::json!({"v": 2}), at(4_000))
        .unwrap();
    store
        .save_item(
            "checkin",
            None,
            &serde_json::json!({"ref": plan}),
            at(5_000),
        )
        .unwrap();
    let mut c = chat("whatsapp:sam+alex");
    c.title = Some("Alex".into());
    let counts = import(
        store,
        &c,
        6_000,
        &[
            msg(100, Some("Sam"), "hello"),
            msg(50, Some("Alex"), "earlier, imported later"),
            msg(100, Some("Alex"), "same minute"),
            msg(200, None, "Messages are end-to-end encrypted."),
            msg(300, Some("Sam"), "émoji 🌊 and\nnew line"),
        ],
    )
    .unwrap();
    store
        .set_chat_roles(counts.chat_id, Some("Sam"), Some("Alex"))
        .unwrap();
    store
        .save_chat_snapshot(counts.chat_id, "populated", &[1, 2, 3])
        .unwrap();
    counts.chat_id
}

pub fn empty_store_holds_nothing<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let s = fx.store(0);
    assert_eq!(s.relationship().unwrap(), None);
    assert!(s.relationship_history().unwrap().is_empty());
    assert_eq!(s.settings().unwrap(), Settings::default());
    assert!(s.chats().unwrap().is_empty());
    assert!(s.items("plan").unwrap().is_empty());
    assert_eq!(s.item(1).unwrap(), None);
    assert!(s.chat_imports(1).unwrap().is_empty());
    assert!(all_messages(&s, 1).is_empty());
    assert!(s.messages_at(1, &[0, 1]).unwrap().is_empty());
    let counts = s.counts().unwrap();
    assert_eq!(
        counts.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        USER_TABLES
    );
    assert!(counts.iter().all(|(_, n)| *n == 0));
    assert_eq!(
        s.export().unwrap(),
        ExportDocument::new(Settings::default(), Vec::new())
    );
}

pub fn relationship_versions_append<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    for (i, view) in ["one", "two", "three"].iter().enumerate() {
        s.save_relationship(&relationship(view), at(1_000 * (i as i64 + 1)))
            .unwrap();
    }
    assert_eq!(s.relationship().unwrap(), Some(relationship("three")));
    let history = s.relationship_history().unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.saved_at, v.data.my_view.as_str()))
            .collect::<Vec<_>>(),
        vec![(at(1_000), "one"), (at(2_000), "two"), (at(3_000), "three")]
    );
    // Another handle on the same owner sees the same.
    assert_eq!(fx.store(0).relationship_history().unwrap(), history);
}

pub fn settings_round_trip<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let mut settings = Settings {
        discreet_mode: true,
        idle_lock_minutes: 9,
        country: Some("FR".into()),
        analysed_chat: Some(3),
        large_text: true,
    };
    s.save_settings(&settings).unwrap();
    assert_eq!(s.settings().unwrap(), settings);
    settings.country = None;
    s.save_settings(&settings).unwrap();
    assert_eq!(fx.store(0).settings().unwrap(), settings);
    assert_eq!(
        s.counts().unwrap().iter().find(|(t, _)| *t == "settings"),
        Some(&("settings", 1))
    );
}

pub fn items_keep_every_version<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let a = s
        .save_item("plan", None, &serde_json::json!({"v": 1}), at(1_000))
        .unwrap();
    let b = s
        .save_item("plan", None, &serde_json::json!({"v": "b"}), at(1_500))
        .unwrap();
    assert_ne!(a, b);
    assert_eq!(
        s.save_item("plan", Some(a), &serde_json::json!({"v": 2}), at(2_000))
            .unwrap(),
        a
    );
    let c = s
        .save_item("checkin", None, &serde_json::json!([1, 2]), at(3_000))
        .unwrap();
    let plans = s.items("plan").unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0].id, a);
    assert_eq!(plans[0].kind, "plan");
    assert_eq!(plans[0].created_at, at(1_000));
    assert_eq!(
        plans[0]
            .versions
            .iter()
            .map(|v| (v.saved_at, v.data.clone()))
            .collect::<Vec<_>>(),
        vec![
            (at(1_000), serde_json::json!({"v": 1})),
            (at(2_000), serde_json::json!({"v": 2}))
        ]
    );
    assert_eq!(plans[0].current(), Some(&serde_json::json!({"v": 2})));
    assert_eq!(s.item(a).unwrap().as_ref(), Some(&plans[0]));
    assert_eq!(s.item(c).unwrap().unwrap().kind, "checkin");
    assert_eq!(s.items("checkin").unwrap().len(), 1);
    assert!(s.items("letter").unwrap().is_empty());
    // A version of another kind's item, or of no item, is refused.
    assert!(matches!(
        s.save_item("checkin", Some(a), &serde_json::json!(0), at(4_000)),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.save_item("plan", Some(9_999), &serde_json::json!(0), at(4_000)),
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.item(9_999).unwrap(), None);
    let counts = s.counts().unwrap();
    let n = |t: &str| counts.iter().find(|(name, _)| *name == t).unwrap().1;
    assert_eq!((n("items"), n("item_versions")), (3, 4));
}

/// Withdrawing an item is one more version and restoring another one: the
/// store keeps all three, hands the withdrawn state back as saved, and a
/// full export carries it over.
pub fn withdrawing_and_restoring_keep_every_version<F: Fixture>(make: impl Fn() -> F) {
    use crate::items::withdrawal;
    let mut fx = make();
    let mut s = fx.store(0);
    let data = serde_json::json!({"name": "Dana", "role": "ally"});
    let id = s.save_item("supporter", None, &data, at(1_000)).unwrap();
    s.save_item(
        "supporter",
        Some(id),
        &withdrawal(&data, at(2_000)),
        at(2_000),
    )
    .unwrap();
    let item = s.item(id).unwrap().unwrap();
    assert_eq!(item.versions.len(), 2);
    assert_eq!(item.withdrawn_at(), Some(at(2_000)));
    assert_eq!(item.parse::<serde_json::Value>(), None);
    assert_eq!(item.kept(), Some(&data));
    // Exported and restored elsewhere, it is still withdrawn.
    let doc = s.export().unwrap();
    let mut other = make();
    let mut t = other.store(0);
    t.restore(&doc).unwrap();
    assert_eq!(t.item(id).unwrap().unwrap().withdrawn_at(), Some(at(2_000)));
    // Restored: a third version with the data again; both earlier ones stay.
    s.save_item("supporter", Some(id), &data, at(3_000))
        .unwrap();
    let item = s.item(id).unwrap().unwrap();
    assert_eq!(item.versions.len(), 3);
    assert_eq!(item.withdrawn_at(), None);
    assert_eq!(item.parse::<serde_json::Value>(), Some(data));
    assert!(item.versions[1].data.get("withdrawn_at").is_some());
}

pub fn import_is_idempotent<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let c = chat("telegram:1");
    let first = [
        msg(10, Some("Sam"), "a"),
        msg(20, Some("Alex"), "b"),
        msg(20, Some("Alex"), "b"), // the same message twice in one export
        msg(30, None, "system"),
    ];
    let counts = import(&mut s, &c, 1_000, &first).unwrap();
    assert_eq!((counts.added, counts.already_had), (3, 1));
    let again = import(&mut s, &c, 2_000, &first).unwrap();
    assert_eq!(again.chat_id, counts.chat_id);
    assert_eq!((again.added, again.already_had), (0, 4));
    let more = import(
        &mut s,
        &c,
        3_000,
        &[msg(20, Some("Alex"), "b"), msg(40, Some("Sam"), "new")],
    )
    .unwrap();
    assert_eq!((more.added, more.already_had), (1, 1));
    assert_eq!(all_messages(&s, counts.chat_id).len(), 4);
    let chats = s.chats().unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].id, counts.chat_id);
    assert_eq!(chats[0].format, "whatsapp");
    assert_eq!(chats[0].messages, 4);
    assert_eq!(
        chats[0].senders,
        vec![("Sam".to_string(), 2), ("Alex".to_string(), 1)]
    );
    let imports = s.chat_imports(counts.chat_id).unwrap();
    assert_eq!(
        imports
            .iter()
            .map(|i| (i.imported_at, i.added, i.already_had, i.skipped_lines))
            .collect::<Vec<_>>(),
        vec![
            (at(1_000), 3, 1, 2),
            (at(2_000), 0, 4, 2),
            (at(3_000), 1, 1, 2)
        ]
    );
    assert_eq!(imports[0].summary, serde_json::json!({"lines": 4}));
    // Another chat is another chat.
    let other = import(&mut s, &chat("telegram:2"), 4_000, &first).unwrap();
    assert_ne!(other.chat_id, counts.chat_id);
    assert_eq!(other.added, 3);
}

pub fn import_is_all_or_nothing<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let chat_id = populate(&mut s);
    let before = s.export().unwrap();
    let counts_before = s.counts().unwrap();
    for source in ["whatsapp:sam+alex", "a new chat"] {
        let result = s.import_chat(
            &chat(source),
            at(9_000),
            0,
            &serde_json::json!({}),
            &mut |sink: &mut dyn MessageSink| {
                for i in 0..100 {
                    let m = msg(1_000 + i, Some("Sam"), "never stored");
                    sink.push(&NewMessage {
                        local_ms: m.local_ms,
                        offset_seconds: None,
                        sender: m.sender,
                        kind: "text",
                        text: &m.text,
                        content_key: content_key(&m),
                    });
                }
                Err("the export file is cut off".into())
            },
        );
        match result {
            Err(StoreError::ImportAborted(why)) => assert_eq!(why, "the export file is cut off"),
            other => panic!("expected ImportAborted, got {other:?}"),
        }
    }
    assert_eq!(s.counts().unwrap(), counts_before);
    assert_eq!(s.export().unwrap(), before);
    // And the store still works afterwards.
    let again = import(
        &mut s,
        &chat("whatsapp:sam+alex"),
        9_500,
        &[msg(9, None, "x")],
    )
    .unwrap();
    assert_eq!((again.chat_id, again.added), (chat_id, 1));
}

pub fn import_fills_in_unknown_chat_fields_only<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let mut c = chat("messenger:x");
    c.me = Some("Sam".into());
    let id = import(&mut s, &c, 1_000, &[msg(1, Some("Sam"), "hi")])
        .unwrap()
        .chat_id;
    c.title = Some("Title".into());
    c.me = Some("Other".into());
    c.ex = Some("Alex".into());
    import(&mut s, &c, 2_000, &[]).unwrap();
    let info = &s.chats().unwrap()[0];
    assert_eq!(info.id, id);
    assert_eq!(info.title.as_deref(), Some("Title"));
    assert_eq!(info.me.as_deref(), Some("Sam"));
    assert_eq!(info.ex.as_deref(), Some("Alex"));
}

/// The feed is told whether the chat held any message when the import
/// began (an import into an empty chat may classify while it stores); a chat
/// of another owner with the same source is not this one.
pub fn import_tells_the_feed_whether_the_chat_was_empty<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let c = chat("whatsapp:empty-or-not");
    let mut told = Vec::new();
    let mut import_into = |s: &mut F::Store, messages: &[Msg]| {
        s.import_chat(&c, at(1_000), 0, &serde_json::json!({}), &mut |sink| {
            told.push(sink.chat_was_empty());
            push_all(sink, messages);
            Ok(())
        })
        .unwrap();
    };
    let mut s = fx.store(0);
    import_into(&mut s, &[]);
    import_into(&mut s, &[msg(10, Some("Sam"), "a")]);
    import_into(&mut s, &[msg(20, Some("Alex"), "b")]);
    let mut other = fx.store(1);
    import_into(&mut other, &[msg(10, Some("Sam"), "a")]);
    assert_eq!(told, [true, true, false, true]);
}

pub fn message_order_and_positions<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let c = chat("csv:order");
    // Out of time order, with ties (kept in import order within a time).
    let first: Vec<Msg> = (0..40)
        .map(|i| {
            msg(
                (i * 7919) % 13 * 1_000,
                Some(if i % 3 == 0 { "Sam" } else { "Alex" }),
                &format!("m{i}"),
            )
        })
        .collect();
    let id = import(&mut s, &c, 1, &first).unwrap().chat_id;
    let second: Vec<Msg> = (40..60)
        .map(|i| msg((i % 5) * 1_000 + 500, None, &format!("m{i}")))
        .collect();
    import(&mut s, &c, 2, &second).unwrap();
    let all = all_messages(&s, id);
    assert_eq!(all.len(), 60);
    // Time order, ties by import order.
    let mut expected: Vec<(i64, usize, &str)> = first
        .iter()
        .chain(second.iter())
        .enumerate()
        .map(|(n, m)| (m.local_ms, n, m.text.as_str()))
        .collect();
    expected.sort();
    assert_eq!(
        all.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        expected.iter().map(|e| e.2).collect::<Vec<_>>()
    );
    let m0 = &all[0];
    assert_eq!(m0.kind, "text");
    assert_eq!(m0.offset_seconds, Some(3600));
    assert_eq!(m0.key.len(), 32);
    let wanted = [59, 0, 17, 17, 3, 60, 1_000, 42];
    let got = s.messages_at(id, &wanted).unwrap();
    assert_eq!(
        got.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        vec![0, 3, 17, 42, 59]
    );
    for (pos, m) in &got {
        assert_eq!(m, &all[*pos as usize]);
    }
    assert!(s.messages_at(id, &[]).unwrap().is_empty());
    assert!(s.messages_at(id, &[60]).unwrap().is_empty());
}

/// The messages of one time, in the chat's order; none at a time without
/// messages, in another chat or of another owner.
pub fn messages_are_found_by_their_time<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let id = populate(&mut s);
    let texts = |ms: &[StoredMessage]| ms.iter().map(|m| m.text.clone()).collect::<Vec<_>>();
    let at_100 = s.messages_at_time(id, 100).unwrap();
    let in_order: Vec<StoredMessage> = all_messages(&s, id)
        .into_iter()
        .filter(|m| m.local_ms == 100)
        .collect();
    assert_eq!(texts(&at_100), ["hello", "same minute"]);
    assert_eq!(at_100, in_order);
    assert_eq!(
        texts(&s.messages_at_time(id, 50).unwrap()),
        ["earlier, imported later"]
    );
    assert!(s.messages_at_time(id, 101).unwrap().is_empty());
    assert!(s.messages_at_time(id + 1_000, 100).unwrap().is_empty());
    let other = fx.store(1);
    assert!(other.messages_at_time(id, 100).unwrap().is_empty());
}

pub fn chat_roles_are_set<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let id = import(&mut s, &chat("c"), 1, &[msg(1, Some("Sam"), "x")])
        .unwrap()
        .chat_id;
    s.set_chat_roles(id, Some("Sam"), Some("Alex")).unwrap();
    let info = &s.chats().unwrap()[0];
    assert_eq!(
        (info.me.as_deref(), info.ex.as_deref()),
        (Some("Sam"), Some("Alex"))
    );
    s.set_chat_roles(id, None, Some("Alex")).unwrap();
    assert_eq!(s.chats().unwrap()[0].me, None);
    assert!(matches!(
        s.set_chat_roles(id + 1_000, Some("a"), None),
        Err(StoreError::NotFound)
    ));
}

pub fn a_chat_is_deleted_with_everything_of_it<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut s = fx.store(0);
    let first = import(
        &mut s,
        &chat("a"),
        1,
        &[msg(1, Some("Sam"), "x"), msg(2, Some("Alex"), "y")],
    )
    .unwrap()
    .chat_id;
    let second = import(&mut s, &chat("b"), 2, &[msg(3, Some("Sam"), "z")])
        .unwrap()
        .chat_id;
    s.delete_chat(first).unwrap();
    let left = s.chats().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, second);
    assert!(all_messages(&s, first).is_empty());
    assert!(s.chat_imports(first).unwrap().is_empty());
    assert_eq!(all_messages(&s, second).len(), 1);
    assert!(
        s.export()
            .unwrap()
            .chats
            .iter()
            .all(|c| c.messages.len() == 1)
    );
    assert!(matches!(s.delete_chat(first), Err(StoreError::NotFound)));
    // Importing the same export again starts a fresh chat with every message.
    let again = import(&mut s, &chat("a"), 3, &[msg(1, Some("Sam"), "x")]).unwrap();
    assert_eq!(again.added, 1);
    // Another owner's chat cannot be deleted from here.
    if fx.two_owners() {
        let mut other = fx.store(1);
        assert!(matches!(
            other.delete_chat(second),
            Err(StoreError::NotFound)
        ));
        assert_eq!(all_messages(&s, second).len(), 1);
    }
}

pub fn chat_snapshots_are_kept_replaced_and_deleted_with_their_chat<F: Fixture>(
    make: impl Fn() -> F,
) {
    let mut fx = make();
    let mut s = fx.store(0);
    let id = import(&mut s, &chat("a"), 1, &[msg(1, Some("Sam"), "x")])
        .unwrap()
        .chat_id;
    assert_eq!(s.chat_snapshot(id).unwrap(), None);
    s.save_chat_snapshot(id, "k1", &[1, 2, 3]).unwrap();
    assert_eq!(
        s.chat_snapshot(id).unwrap(),
        Some(("k1".into(), vec![1, 2, 3]))
    );
    s.save_chat_snapshot(id, "k2", &[9; 1000]).unwrap();
    assert_eq!(
        s.chat_snapshot(id).unwrap(),
        Some(("k2".into(), vec![9; 1000]))
    );
    // Derived data: not in the export, and no chat, no snapshot.
    let doc = s.export().unwrap().to_json().unwrap();
    assert!(!doc.contains("k2"));
    assert!(matches!(
        s.save_chat_snapshot(id + 1_000, "k", &[1]),
        Err(StoreError::NotFound)
    ));
    if fx.two_owners() {
        let mut other = fx.store(1);
        assert_eq!(other.chat_snapshot(id).unwrap(), None);
        assert!(matches!(
            other.save_chat_snapshot(id, "k", &[1]),
            Err(StoreError::NotFound)
        ));
    }
    s.delete_chat(id).unwrap();
    assert_eq!(s.chat_snapshot(id).unwrap(), None);
}

pub fn export_restore_identity<F: Fixture>(make: impl Fn() -> F) {
    let mut a = make();
    let mut source = a.store(0);
    populate(&mut source);
    let doc = source.export().unwrap();
    assert_eq!(doc.relationship_history.len(), 2);
    assert_eq!(doc.items.len(), 2);
    assert_eq!(doc.chats.len(), 1);
    assert_eq!(doc.chats[0].messages.len(), 5);
    assert_eq!(doc.chats[0].imports.len(), 1);
    // Through JSON too, as a file would go.
    let doc = ExportDocument::from_json(&doc.to_json().unwrap()).unwrap();
    let mut b = make();
    let mut target = b.store(0);
    target.restore(&doc).unwrap();
    assert_eq!(target.export().unwrap(), doc);
    assert_eq!(target.counts().unwrap(), source.counts().unwrap());
    assert_eq!(target.chats().unwrap(), source.chats().unwrap());
    let chat_id = target.chats().unwrap()[0].id;
    assert_eq!(all_messages(&target, chat_id), doc.chats[0].messages);
    // Restored ids are kept (items refer to each other) and new ones follow them.
    let next = target
        .save_item("plan", None, &serde_json::json!({}), at(10_000))
        .unwrap();
    assert!(doc.items.iter().all(|i| i.id < next));
    // The restored chat takes new imports of the same messages as known.
    let again = import(
        &mut target,
        &doc.chats[0].chat,
        11_000,
        &[msg(100, Some("Sam"), "hello")],
    )
    .unwrap();
    assert_eq!(
        (again.chat_id, again.added, again.already_had),
        (chat_id, 0, 1)
    );
}

pub fn restore_needs_an_empty_store_and_is_all_or_nothing<F: Fixture>(make: impl Fn() -> F) {
    let mut a = make();
    let mut source = a.store(0);
    populate(&mut source);
    let doc = source.export().unwrap();
    assert!(matches!(source.restore(&doc), Err(StoreError::NotEmpty)));
    let mut bad = doc.clone();
    bad.chats[0].messages[3].key = "not hex".into();
    let mut b = make();
    let mut target = b.store(0);
    assert!(matches!(
        target.restore(&bad),
        Err(StoreError::BadExport(_))
    ));
    assert_eq!(total(&target), 0);
    target.restore(&doc).unwrap();
    assert_eq!(target.export().unwrap(), doc);
}

pub fn owners_are_isolated<F: Fixture>(make: impl Fn() -> F) {
    let mut fx = make();
    let mut first = fx.store(0);
    let chat_id = populate(&mut first);
    let item_id = first.items("plan").unwrap()[0].id;
    if !fx.two_owners() {
        // One owner per database: all it can check is that the owner sees
        // its own data through another handle.
        assert_eq!(fx.store(0).export().unwrap(), first.export().unwrap());
        return;
    }
    let mut second = fx.store(1);
    assert_eq!(total(&second), 0);
    assert_eq!(second.relationship().unwrap(), None);
    assert!(second.relationship_history().unwrap().is_empty());
    assert_eq!(second.settings().unwrap(), Settings::default());
    assert!(second.chats().unwrap().is_empty());
    assert!(second.items("plan").unwrap().is_empty());
    assert_eq!(second.item(item_id).unwrap(), None);
    assert!(second.chat_imports(chat_id).unwrap().is_empty());
    assert!(all_messages(&second, chat_id).is_empty());
    assert!(second.messages_at(chat_id, &[0, 1, 2]).unwrap().is_empty());
    assert!(matches!(
        second.set_chat_roles(chat_id, Some("x"), None),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        second.save_item("plan", Some(item_id), &serde_json::json!({}), at(1)),
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        second.export().unwrap(),
        ExportDocument::new(Settings::default(), Vec::new())
    );
    // The same chat imported by the second owner is the second owner's own.
    let theirs = import(
        &mut second,
        &chat("whatsapp:sam+alex"),
        7_000,
        &[msg(100, Some("Sam"), "hello")],
    )
    .unwrap();
    assert_eq!((theirs.added, theirs.already_had), (1, 0));
    second
        .save_relationship(&relationship("theirs"), at(8_000))
        .unwrap();
    // ...and the first owner's data is untouched.
    assert_eq!(first.relationship().unwrap(), Some(relationship("second")));
    assert_eq!(all_messages(&first, chat_id).len(), 5);
    assert_eq!(first.chat_imports(chat_id).unwrap().len(), 1);
    assert_eq!(second.relationship().unwrap(), Some(relationship("theirs")));
}
