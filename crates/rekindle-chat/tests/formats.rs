//! Format details not covered by the real samples.
#![allow(clippy::unwrap_used)]

use rekindle_chat::{Format, Message, MessageKind, ParseOptions, Summary, parse_to_vec};

fn parse(s: &str) -> (Vec<Message>, Summary) {
    parse_to_vec(s.as_bytes(), &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

#[test]
fn whatsapp_owner_hint_and_marks_around_phone_numbers() {
    let (m, s) = parse(
        "13/03/2024, 10:00 - \u{202a}+44 7700 900123\u{202c}: hi\n\
         13/03/2024, 10:01 - Robin: You deleted this message\n\
         13/03/2024, 10:02 - Sam changed the subject from \"a\" to \"b: c\"\n",
    );
    assert_eq!(m[0].sender.as_deref(), Some("+44 7700 900123"));
    assert_eq!(m[1].kind, MessageKind::Deleted);
    assert_eq!(s.owner_hint.as_deref(), Some("Robin"));
    assert_eq!(m[2].sender, None, "a quoted colon is not a sender");
    assert_eq!(m[2].kind, MessageKind::System);
}

#[test]
fn whatsapp_android_attachment_with_caption_and_crlf() {
    let (m, _) = parse(
        "13/03/2024, 10:00 - Sam: IMG-20240313-WA0001.jpg (file attached)\r\nlook at this\r\n\
         13/03/2024, 10:01 - Alex: <Multimedia omitido>\r\n",
    );
    assert_eq!(
        m[0].text,
        "IMG-20240313-WA0001.jpg (file attached)\nlook at this"
    );
    assert_eq!(
        m[0].kind,
        MessageKind::Text,
        "a caption makes it a text message"
    );
    assert_eq!(m[1].kind, MessageKind::Media);
}

#[test]
fn whatsapp_arabic_digits_and_marks() {
    let (m, s) = parse(
        "\u{661}\u{663}\u{200f}/\u{660}\u{663}\u{200f}/\u{662}\u{660}\u{662}\u{664}, \u{669}:\u{660}\u{665} \u{645} - سارة: مرحبا\n",
    );
    assert_eq!(m[0].time.to_string(), "2024-03-13T21:05:00");
    assert_eq!(m[0].sender.as_deref(), Some("سارة"));
    assert_eq!(s.date_order, Some(rekindle_chat::DateOrder::DayFirst));
}

#[test]
fn whatsapp_ios_system_media_and_calls() {
    let (m, s) = parse(
        "[13/03/2024, 10:00:00] Sam: \u{200e}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n\
         \u{200e}[13/03/2024, 10:00:05] Sam: \u{200e}<attached: 00000012-PHOTO-2024-03-13-10-00-05.jpg>\n\
         [13/03/2024, 10:00:06] Alex: \u{200e}Missed voice call\n\
         [13/03/2024, 10:00:07] \u{200e}Alex added Robin\n\
         [13/03/2024, 10:00:08] Alex: \u{200e}You deleted this message.\n",
    );
    let kinds: Vec<MessageKind> = m.iter().map(|x| x.kind).collect();
    use MessageKind::*;
    assert_eq!(kinds, [System, Media, Other, System, Deleted]);
    assert_eq!(m[0].sender, None);
    assert_eq!(m[2].sender.as_deref(), Some("Alex"));
    assert_eq!(m[3].text, "Alex added Robin");
    assert_eq!(s.chat_name.as_deref(), Some("Sam"));
    assert_eq!(s.owner_hint.as_deref(), Some("Alex"));
}

#[test]
fn telegram_full_export_picks_the_personal_chat_and_says_so() {
    let json = r#"{
 "about": "Here is the data you requested.",
 "personal_information": {"user_id": 1, "first_name": "Robin", "last_name": ""},
 "chats": {"about": "", "list": [
  {"name": "Book club", "type": "private_group", "id": 2, "messages": [
    {"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "from": "Kim", "text": "group talk"}]},
  {"name": "Sam", "type": "personal_chat", "id": 3, "messages": [
    {"id": 1, "type": "message", "date": "2024-01-02T10:00:00", "date_unixtime": "1704186000", "from": "Sam", "text": "hi"},
    {"id": 2, "type": "message", "date": "2024-01-02T10:01:00", "date_unixtime": "1704186060", "from": "Robin",
     "media_type": "voice_message", "file": "voice/1.ogg", "text": ""},
    {"id": 3, "type": "message", "date": "2024-01-02T10:02:00", "date_unixtime": "1704186120", "from": "Robin",
     "poll": {"question": "?", "answers": []}, "text": ""}
  ]}
 ]}
}"#;
    let (m, s) = parse(json);
    assert_eq!(s.format, Format::Telegram);
    assert_eq!(m.len(), 3);
    assert_eq!(s.chat_name.as_deref(), Some("Sam"));
    assert_eq!(s.owner_hint.as_deref(), Some("Robin"));
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("holds 2 chats"), "{:?}", s.warnings);
    assert_eq!(m[0].offset_seconds, Some(3600));
    assert_eq!(
        (m[1].kind, m[1].text.as_str()),
        (MessageKind::Media, "<voice message>")
    );
    assert_eq!(
        (m[2].kind, m[2].text.as_str()),
        (MessageKind::Other, "<poll>")
    );
}

#[test]
fn messenger_newer_export_unsent_and_calls() {
    let json = r#"{"participants": ["Robin", "Sam"], "threadName": "Sam", "messages": [
      {"isUnsent": false, "media": [], "reactions": [], "senderName": "Sam", "text": "see you", "timestamp": 1700000002000, "type": "text"},
      {"isUnsent": true, "senderName": "Robin", "text": "", "timestamp": 1700000001000},
      {"sender_name": "Robin", "timestamp_ms": 1700000000000, "type": "Call", "call_duration": 65}
    ]}"#;
    let (m, s) = parse(json);
    assert_eq!(s.format, Format::Messenger);
    let got: Vec<(MessageKind, &str)> = m.iter().map(|x| (x.kind, x.text.as_str())).collect();
    assert_eq!(
        got,
        [
            (MessageKind::Other, "<call, 65 s>"),
            (MessageKind::Deleted, ""),
            (MessageKind::Text, "see you")
        ]
    );
    assert_eq!(s.owner_hint.as_deref(), Some("Robin"));
    assert_eq!(m[0].time.to_string(), "2023-11-14T22:13:20");
}

#[test]
fn csv_synonyms_separate_date_and_time_semicolons_epochs() {
    let (m, s) = parse(
        "\u{feff}Date;Time;Author;Message\n2024-03-12;21:05;Sam;hello; there\n2024-03-12;21:06:30;;joined\n",
    );
    assert_eq!(s.format, Format::Csv);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].time.to_string(), "2024-03-12T21:05:00");
    assert_eq!(m[0].text, "hello", "extra fields are ignored");
    assert_eq!(
        (m[1].sender.as_deref(), m[1].kind),
        (None, MessageKind::System)
    );
    let (m, _) = parse("timestamp,from,text\n1700000000,Sam,a\n1700000000123,Alex,b\n");
    assert_eq!(m[0].time.to_string(), "2023-11-14T22:13:20");
    assert_eq!(m[1].time.to_string(), "2023-11-14T22:13:20.123");
    assert_eq!(m[1].offset_seconds, Some(0));
}

#[test]
fn whatsapp_message_counts_never_exceed_lines() {
    // Headers only every other line; the rest continue messages.
    let mut s = String::new();
    for i in 0..100 {
        s.push_str(&format!(
            "13/03/2024, 10:{:02} - Sam: line {i}\ncontinued\n",
            i % 60
        ));
    }
    let (m, summary) = parse(&s);
    assert_eq!(m.len(), 100);
    assert_eq!(summary.skipped_count, 0);
    assert!(m.iter().all(|x| x.text.ends_with("\ncontinued")));
}
