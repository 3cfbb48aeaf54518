//! Exports holding several chats (a Telegram full export, a Messenger zip with
//! several conversations) and Messenger conversations split into parts.
#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Write};

use rekindle_chat::{
    ChatChoice, ChatInfo, Format, Message, ParseError, ParseOptions, Summary, detect_format,
    list_chats, parse, parse_many,
};

fn read(bytes: &[u8], chat: ChatChoice) -> Result<(Vec<Message>, Summary), ParseError> {
    let opts = ParseOptions {
        chat,
        ..Default::default()
    };
    let mut out = Vec::new();
    let s = parse(bytes, &opts, &mut |m| out.push(Message::from(m)))?;
    Ok((out, s))
}

fn pick(s: &str) -> ChatChoice {
    ChatChoice::Pick(s.to_string())
}

fn texts(m: &[Message]) -> Vec<&str> {
    m.iter().map(|m| m.text.as_str()).collect()
}

/// One plain sentence, as every error of the crate.
fn sentence(e: &ParseError) -> String {
    let s = e.to_string();
    assert!(s.ends_with('.'), "{s}");
    assert!(!s.contains('\n'), "{s}");
    s
}

// ---------- Telegram full export ----------

fn tg_msg(id: u32, from: &str, text: &str) -> String {
    format!(
        r#"{{"id": {id}, "type": "message", "date": "2024-01-0{}T10:00:00", "from": "{from}", "text": "{text}"}}"#,
        id % 9 + 1
    )
}

/// Four chats: a group, Sam (2 messages), an empty chat, and Alex (3 messages);
/// "Robin" exported it.
fn full_export() -> String {
    format!(
        r#"{{
 "personal_information": {{"user_id": 1, "first_name": "Robin", "last_name": ""}},
 "chats": {{"about": "", "list": [
  {{"name": "Book club", "type": "private_group", "id": 20, "messages": [{}]}},
  {{"name": "Sam", "type": "personal_chat", "id": 4815162342, "messages": [{}, {}]}},
  {{"name": "Nobody", "type": "personal_chat", "id": 30, "messages": []}},
  {{"name": "Alex", "type": "personal_chat", "id": 777, "messages": [{}, {}, {}]}}
 ]}}
}}"#,
        tg_msg(1, "Kim", "group talk"),
        tg_msg(2, "Sam", "hi Robin"),
        tg_msg(3, "Robin", "hi Sam"),
        tg_msg(4, "Alex", "a1"),
        tg_msg(5, "Robin", "a2"),
        tg_msg(6, "Alex", "a3"),
    )
}

#[test]
fn a_telegram_full_export_lists_its_chats_with_messages() {
    let json = full_export();
    let chats = list_chats(json.as_bytes(), &ParseOptions::default()).unwrap();
    let want = |id: &str, name: &str, kind: &str, messages: usize| ChatInfo {
        format: Format::Telegram,
        id: Some(id.into()),
        name: Some(name.into()),
        kind: Some(kind.into()),
        messages,
    };
    assert_eq!(
        chats,
        [
            want("20", "Book club", "private group", 1),
            want("4815162342", "Sam", "personal chat", 2),
            want("777", "Alex", "personal chat", 3),
        ]
    );
    assert_eq!(
        chats[1].to_string(),
        "“Sam” (id 4815162342, personal chat, 2 messages)"
    );
}

#[test]
fn several_chats_and_no_choice_is_refused_with_the_list() {
    let json = full_export();
    let e = read(json.as_bytes(), ChatChoice::Ask).unwrap_err();
    assert_eq!(
        sentence(&e),
        "This Telegram export holds 3 chats (“Book club”, “Sam” and “Alex”); choose the one to import."
    );
    let chats = e.chats_to_choose().unwrap();
    assert_eq!(chats.len(), 3);
    assert_eq!(chats[2].id.as_deref(), Some("777"));
}

#[test]
fn a_chat_is_chosen_by_id_or_exact_name() {
    let json = full_export();
    for choice in [pick("777"), pick("Alex")] {
        let (m, s) = read(json.as_bytes(), choice).unwrap();
        assert_eq!(texts(&m), ["a1", "a2", "a3"]);
        assert_eq!(s.chat_name.as_deref(), Some("Alex"));
        assert_eq!(s.owner_hint.as_deref(), Some("Robin"));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }
    let (m, s) = read(json.as_bytes(), pick("4815162342")).unwrap();
    assert_eq!(texts(&m), ["hi Robin", "hi Sam"]);
    assert_eq!(s.chat_name.as_deref(), Some("Sam"));
    // A group can be chosen too.
    let (m, _) = read(json.as_bytes(), pick("Book club")).unwrap();
    assert_eq!(texts(&m), ["group talk"]);
}

#[test]
fn a_choice_matching_no_chat_is_refused_with_the_list() {
    let json = full_export();
    for given in ["alex", "Ale", "31", "Nobody"] {
        let e = read(json.as_bytes(), pick(given)).unwrap_err();
        assert!(
            matches!(&e, ParseError::NoSuchChat { given: g, chats, .. } if g == given && chats.len() == 3),
            "{given}: {e:?}"
        );
        assert_eq!(
            sentence(&e),
            format!(
                "No chat in this Telegram export has the name or id “{given}”; it holds “Book club”, “Sam” and “Alex”."
            )
        );
    }
}

#[test]
fn chats_with_the_same_name_are_told_apart_by_id() {
    let json = full_export().replace(r#""name": "Sam""#, r#""name": "Alex""#);
    let e = read(json.as_bytes(), pick("Alex")).unwrap_err();
    assert!(matches!(&e, ParseError::SameNameChats { chats, .. } if chats.len() == 2));
    assert_eq!(
        sentence(&e),
        "2 chats in this Telegram export are named “Alex”; choose one by its id: “4815162342” or “777”."
    );
    let (m, _) = read(json.as_bytes(), pick("777")).unwrap();
    assert_eq!(texts(&m), ["a1", "a2", "a3"]);
}

#[test]
fn the_default_still_takes_the_first_personal_chat_with_a_note() {
    let json = full_export();
    let (m, s) = read(json.as_bytes(), ChatChoice::default()).unwrap();
    assert_eq!(texts(&m), ["hi Robin", "hi Sam"]);
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("holds 4 chats"), "{:?}", s.warnings);
}

#[test]
fn one_chat_needs_no_choice() {
    // A full export whose other chats are empty.
    let json = format!(
        r#"{{"chats": {{"list": [
          {{"name": "Nobody", "type": "personal_chat", "id": 30, "messages": []}},
          {{"name": "Alex", "type": "personal_chat", "id": 777, "messages": [{}]}}]}}}}"#,
        tg_msg(1, "Alex", "only")
    );
    let (m, s) = read(json.as_bytes(), ChatChoice::Ask).unwrap();
    assert_eq!(texts(&m), ["only"]);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(
        list_chats(json.as_bytes(), &ParseOptions::default())
            .unwrap()
            .len(),
        1
    );
    // A single-chat export: no choice needed, a matching one is fine, another is refused.
    let single = format!(
        r#"{{"name": "Alex", "type": "personal_chat", "id": 777, "messages": [{}]}}"#,
        tg_msg(1, "Alex", "only")
    );
    for choice in [ChatChoice::Ask, pick("Alex"), pick("777")] {
        let (m, _) = read(single.as_bytes(), choice).unwrap();
        assert_eq!(texts(&m), ["only"]);
    }
    let e = read(single.as_bytes(), pick("Sam")).unwrap_err();
    assert_eq!(
        sentence(&e),
        "No chat in this Telegram export has the name or id “Sam”; it holds “Alex”."
    );
    let listed = list_chats(single.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id.as_deref(), Some("777"));
    // A full export without any message.
    let empty = r#"{"chats": {"list": [{"name": "A", "id": 1, "messages": []}]}}"#;
    assert!(matches!(
        read(empty.as_bytes(), ChatChoice::Ask).unwrap_err(),
        ParseError::NoMessages {
            format: Format::Telegram
        }
    ));
}

#[test]
fn a_choice_for_a_whatsapp_chat_is_not_needed_and_says_so() {
    let chat = b"13/03/2024, 21:05 - Sam: hello\n13/03/2024, 21:06 - Alex: hi\n";
    let (m, s) = read(chat, pick("Sam")).unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].contains("only one chat"), "{:?}", s.warnings);
    let listed = list_chats(chat, &ParseOptions::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].format, listed[0].messages),
        (Format::WhatsApp, 2)
    );
}

// ---------- Messenger / Instagram parts ----------

/// A Messenger part: `msgs` are (ms, sender, text), written newest first as Facebook does.
fn fb_part(title: &str, people: &[&str], msgs: &[(i64, &str, &str)]) -> String {
    let mut rows: Vec<String> = msgs
        .iter()
        .map(|(ms, who, text)| {
            format!(r#"{{"sender_name": "{who}", "timestamp_ms": {ms}, "content": "{text}"}}"#)
        })
        .collect();
    rows.reverse();
    let people: Vec<String> = people
        .iter()
        .map(|p| format!(r#"{{"name": "{p}"}}"#))
        .collect();
    format!(
        r#"{{"participants": [{}], "messages": [{}], "title": "{title}", "thread_path": "inbox/{}_1015"}}"#,
        people.join(", "),
        rows.join(", "),
        title.to_lowercase()
    )
}

const T: i64 = 1_700_000_000_000;

fn many(parts: &[&str], chat: ChatChoice) -> Result<(Vec<Message>, Summary), ParseError> {
    let bytes: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
    let opts = ParseOptions {
        chat,
        ..Default::default()
    };
    let mut out = Vec::new();
    let s = parse_many(&bytes, &opts, &mut |m| out.push(Message::from(m)))?;
    Ok((out, s))
}

#[test]
fn parts_are_merged_in_time_order_without_duplicates() {
    let people = ["Alex", "Robin"];
    // Part 2 is the older half; the two overlap by one message ("3").
    let newer = fb_part(
        "Alex",
        &people,
        &[
            (T + 3000, "Alex", "3"),
            (T + 4000, "Robin", "4"),
            (T + 5000, "Alex", "5"),
        ],
    );
    let older = fb_part(
        "Alex",
        &people,
        &[
            (T + 1000, "Alex", "1"),
            (T + 2000, "Robin", "2"),
            // Written twice in the same millisecond: both stay.
            (T + 2000, "Robin", "2"),
            (T + 3000, "Alex", "3"),
        ],
    );
    for parts in [[&newer, &older], [&older, &newer]] {
        let (m, s) = many(&[parts[0], parts[1]], ChatChoice::Ask).unwrap();
        assert_eq!(texts(&m), ["1", "2", "2", "3", "4", "5"]);
        assert_eq!(s.messages, 6);
        assert_eq!(s.chat_name.as_deref(), Some("Alex"));
        assert_eq!(s.owner_hint.as_deref(), Some("Robin"));
        assert_eq!(
            s.warnings,
            ["1 message(s) were in more than one of the files and were kept once."]
        );
    }
    // The same part twice adds nothing.
    let (m, _) = many(&[&older, &older], ChatChoice::Ask).unwrap();
    assert_eq!(texts(&m), ["1", "2", "2", "3"]);
    // A choice naming the conversation (title or folder) is fine; another is refused.
    assert!(many(&[&older, &newer], pick("alex_1015")).is_ok());
    assert!(many(&[&older, &newer], pick("Alex")).is_ok());
    let e = many(&[&older, &newer], pick("Sam")).unwrap_err();
    assert!(
        matches!(&e, ParseError::NoSuchChat { chats, .. } if chats[0].messages == 7),
        "{e:?}"
    );
}

#[test]
fn parts_of_different_conversations_are_refused() {
    let a = fb_part("Alex", &["Alex", "Robin"], &[(T, "Alex", "a")]);
    let b = fb_part("Sam", &["Sam", "Robin"], &[(T, "Sam", "b")]);
    let e = many(&[&a, &a, &b], ChatChoice::Ask).unwrap_err();
    assert_eq!(
        sentence(&e),
        "File 3 is not part of the same conversation as file 1: file 1 is the conversation “Alex” (Alex, Robin), file 3 is the conversation “Sam” (Sam, Robin)."
    );
    // Same title, other people.
    let c = fb_part("Alex", &["Alex", "Kim"], &[(T, "Alex", "c")]);
    assert!(matches!(
        many(&[&a, &c], ChatChoice::Ask).unwrap_err(),
        ParseError::PartsDiffer { part: 2, .. }
    ));
    // The same people in another order are the same conversation.
    let d = fb_part("Alex", &["Robin", "Alex"], &[(T + 1, "Alex", "d")]);
    assert!(many(&[&a, &d], ChatChoice::Ask).is_ok());
}

#[test]
fn only_messenger_parts_are_read_together_and_errors_name_the_file() {
    let a = fb_part("Alex", &["Alex", "Robin"], &[(T, "Alex", "a")]);
    let wa = "12/03/2024, 21:05 - Sam: hello\n";
    let e = many(&[&a, wa], ChatChoice::Ask).unwrap_err();
    assert_eq!(
        sentence(&e),
        "Only the parts of one Messenger or Instagram conversation (message_1.json, message_2.json, …) can be read together, but file 2 is a WhatsApp export; read it on its own."
    );
    let zip = zip_of(&[("message_1.json", a.as_bytes())]);
    let bytes: Vec<&[u8]> = vec![a.as_bytes(), &zip];
    let e = parse_many(&bytes, &ParseOptions::default(), &mut |_| {}).unwrap_err();
    assert!(
        matches!(&e, ParseError::PartsUnsupported { part: 2, what } if what == "a zip archive"),
        "{e:?}"
    );
    let cut = &a[..a.len() - 5];
    let e = many(&[&a, cut], ChatChoice::Ask).unwrap_err();
    assert!(
        matches!(&e, ParseError::InPart { part: 2, error } if matches!(**error, ParseError::BadJson { .. })),
        "{e:?}"
    );
    assert!(sentence(&e).starts_with("In file 2: Line 1 of this Messenger export is damaged"));
    // One part is just `parse`.
    let (m, _) = many(&[&a], ChatChoice::Ask).unwrap();
    assert_eq!(texts(&m), ["a"]);
}

// ---------- Messenger / Instagram zip ----------

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_zip_with_the_parts_of_one_conversation_is_read_as_one_chat() {
    let people = ["Alex", "Robin"];
    let p1 = fb_part(
        "Alex",
        &people,
        &[(T + 3000, "Alex", "3"), (T + 4000, "Robin", "4")],
    );
    let p2 = fb_part(
        "Alex",
        &people,
        &[(T + 1000, "Alex", "1"), (T + 3000, "Alex", "3")],
    );
    let dir = "your_facebook_activity/messages/inbox/alex_1015";
    let z = zip_of(&[
        (&format!("{dir}/photos/1.jpg"), b"\xff\xd8 fake"),
        (&format!("{dir}/message_2.json"), p2.as_bytes()),
        (&format!("{dir}/message_1.json"), p1.as_bytes()),
    ]);
    assert_eq!(detect_format(&z).unwrap(), Format::Messenger);
    let (m, s) = read(&z, ChatChoice::Ask).unwrap();
    assert_eq!(s.format, Format::Messenger);
    assert_eq!(texts(&m), ["1", "3", "4"]);
    assert_eq!(s.chat_name.as_deref(), Some("Alex"));
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    let listed = list_chats(&z, &ParseOptions::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id.as_deref(), Some("alex_1015"));
    assert_eq!(listed[0].messages, 4, "as the parts list them");
    // A choice must name it.
    assert!(read(&z, pick("alex_1015")).is_ok());
    assert!(matches!(
        read(&z, pick("Sam")).unwrap_err(),
        ParseError::NoSuchChat { .. }
    ));
}

#[test]
fn a_zip_with_several_conversations_asks_which() {
    let alex = fb_part("Alex", &["Alex", "Robin"], &[(T, "Alex", "from Alex")]);
    let sam1 = fb_part("Sam", &["Sam", "Robin"], &[(T + 5, "Sam", "newer")]);
    let sam2 = fb_part("Sam", &["Sam", "Robin"], &[(T + 1, "Sam", "older")]);
    let z = zip_of(&[
        ("messages/inbox/alex_1015/message_1.json", alex.as_bytes()),
        ("messages/inbox/sam_2020/message_1.json", sam1.as_bytes()),
        ("messages/inbox/sam_2020/message_2.json", sam2.as_bytes()),
    ]);
    let listed = list_chats(&z, &ParseOptions::default()).unwrap();
    let ids: Vec<(&str, &str, usize)> = listed
        .iter()
        .map(|c| {
            (
                c.id.as_deref().unwrap(),
                c.name.as_deref().unwrap(),
                c.messages,
            )
        })
        .collect();
    assert_eq!(ids, [("alex_1015", "Alex", 1), ("sam_2020", "Sam", 2)]);
    // Without a choice (also the default: there is no "first" conversation).
    for choice in [ChatChoice::Ask, ChatChoice::FirstPersonal] {
        let e = read(&z, choice).unwrap_err();
        assert_eq!(
            sentence(&e),
            "This Messenger export holds 2 chats (“Alex” and “Sam”); choose the one to import."
        );
    }
    for choice in [pick("sam_2020"), pick("Sam")] {
        let (m, s) = read(&z, choice).unwrap();
        assert_eq!(texts(&m), ["older", "newer"]);
        assert_eq!(s.chat_name.as_deref(), Some("Sam"));
    }
    assert!(matches!(
        read(&z, pick("Kim")).unwrap_err(),
        ParseError::NoSuchChat { ref chats, .. } if chats.len() == 2
    ));
}

#[test]
fn a_whatsapp_chat_in_a_zip_wins_over_stray_json() {
    let chat = b"12/03/2024, 21:05 - Sam: hello\n";
    let z = zip_of(&[("message_1.json", b"{}"), ("_chat.txt", chat)]);
    assert_eq!(detect_format(&z).unwrap(), Format::WhatsApp);
    let (m, s) = read(&z, ChatChoice::Ask).unwrap();
    assert_eq!((s.format, m.len()), (Format::WhatsApp, 1));
}

#[test]
fn parts_at_the_top_of_a_zip_take_their_id_from_the_thread_path() {
    let a = fb_part("Alex", &["Alex", "Robin"], &[(T, "Alex", "a")]);
    let z = zip_of(&[("message_1.json", a.as_bytes())]);
    let listed = list_chats(&z, &ParseOptions::default()).unwrap();
    assert_eq!(listed[0].id.as_deref(), Some("alex_1015"));
    let (m, _) = read(&z, pick("alex_1015")).unwrap();
    assert_eq!(texts(&m), ["a"]);
}
