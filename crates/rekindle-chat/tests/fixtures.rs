//! Every export sample parses, with counts, senders, first and last message
//! checked against what the files say. The MIT-licensed samples and our own
//! are in `testdata/chats` (see `testdata/PROVENANCE.md`); the AGPL-licensed
//! chat-analytics originals stay outside the repository, in
//! `../shared/fixtures`, and their tests run only when that folder is there.
#![allow(clippy::unwrap_used)]

use rekindle_chat::{
    DateOrder, Format, Message, MessageKind, ParseOptions, Summary, detect_format, parse_to_vec,
    write_jsonl,
};

use std::path::{Path, PathBuf};

/// `testdata/chats` at the root of the repository.
fn chats_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/chats")
}

/// A sample in `testdata/chats`, e.g. `chat-miner/whatsapp__testlog.txt`.
fn load(name: &str) -> Vec<u8> {
    let path = chats_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `../shared/fixtures` beside the checkout, if it is there. Its absence is
/// not a failure (a clone on its own does not have it) unless
/// `REKINDLE_REQUIRE_SHARED=1` (as `.ci/run` sets it).
fn outside_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    if dir.is_dir() {
        return Some(dir);
    }
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
    None
}

/// An AGPL sample from `../shared/fixtures`, or `None` (and a note) without it.
fn load_outside(name: &str) -> Option<Vec<u8>> {
    let path = outside_dir()?.join(name);
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn parse_bytes(name: &str, bytes: &[u8]) -> (Vec<Message>, Summary) {
    let (msgs, summary) =
        parse_to_vec(bytes, &ParseOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(summary.messages, msgs.len());
    (msgs, summary)
}

fn parse(name: &str) -> (Vec<Message>, Summary) {
    parse_bytes(name, &load(name))
}

fn check(m: &Message, time: &str, sender: Option<&str>, text: &str, kind: MessageKind) {
    assert_eq!(m.time.to_string(), time, "{m:?}");
    assert_eq!(m.sender.as_deref(), sender, "{m:?}");
    assert_eq!(m.text, text, "{m:?}");
    assert_eq!(m.kind, kind, "{m:?}");
}

fn senders(s: &Summary) -> Vec<(&str, usize)> {
    s.per_sender.iter().map(|(n, c)| (n.as_str(), *c)).collect()
}

fn jsonl(m: &Message) -> String {
    let mut v = Vec::new();
    write_jsonl(&m.as_ref(), &mut v).unwrap();
    String::from_utf8(v).unwrap()
}

use MessageKind::*;

#[test]
fn chat_analytics_whatsapp_2a_5m() {
    let name = "chat-analytics__whatsapp__2A_5M.txt";
    let Some(bytes) = load_outside(name) else {
        return;
    };
    assert_eq!(detect_format(&bytes).unwrap(), Format::WhatsApp);
    let (m, s) = parse_bytes(name, &bytes);
    assert_eq!(m.len(), 5);
    assert_eq!(senders(&s), [("A", 3), ("B", 2)]);
    check(&m[0], "2021-01-01T12:00:00", Some("A"), "Hi", Text);
    check(
        &m[3],
        "2021-01-01T12:03:00",
        Some("B"),
        "<media omitted>",
        Media,
    );
    // The file has no trailing newline and its last message is out of order: file order is kept.
    check(
        &m[4],
        "2021-01-01T12:02:00",
        Some("A"),
        "This message should be reordered",
        Text,
    );
    assert_eq!(s.first.unwrap().to_string(), "2021-01-01T12:00:00");
    assert_eq!(s.last.unwrap().to_string(), "2021-01-01T12:03:00");
    // 1/1/21 cannot tell day from month: a warning, day first.
    assert_eq!(s.date_order, Some(DateOrder::DayFirst));
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("--date-order"));
    assert_eq!(s.skipped_count, 0);
}

/// The three chat-miner files hold the same chat in three layouts.
fn check_chat_miner_layout(name: &str, order: DateOrder) {
    assert_eq!(detect_format(&load(name)).unwrap(), Format::WhatsApp);
    let (m, s) = parse(name);
    assert_eq!(m.len(), 9, "{name}");
    assert_eq!(s.date_order, Some(order));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.skipped_count, 0);
    assert_eq!(
        senders(&s),
        [
            ("John Doe", 3),
            ("Jahn Doe", 1),
            ("John Doe 🤓", 1),
            ("John-John Doe", 1),
            ("🤓", 1)
        ]
    );
    check(
        &m[0],
        "2019-01-01T11:25:00",
        Some("John Doe"),
        "Lorem ipsum dolor sit amet.",
        Text,
    );
    // "John Doe:." — a colon without a space still ends the sender.
    check(&m[1], "2019-01-20T11:23:00", Some("John Doe"), ".", Text);
    check(
        &m[2],
        "2019-01-30T20:49:00",
        Some("Jahn Doe"),
        "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.",
        Text,
    );
    check(
        &m[3],
        "2020-06-10T15:55:00",
        Some("John-John Doe"),
        "Lorem ipsum : dolor sit amet.",
        Text,
    );
    check(
        &m[4],
        "2020-06-20T00:08:00",
        None,
        "+12 345 578 created group \"Groupname\"",
        System,
    );
    check(&m[5], "2020-06-30T09:10:00", None, "You were added", System);
    check(
        &m[7],
        "2021-12-20T12:10:00",
        Some("🤓"),
        "Lorem ipsum 🤓",
        Text,
    );
    check(
        &m[8],
        "2021-12-30T22:01:00",
        Some("John Doe"),
        "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.",
        Text,
    );
    assert_eq!(s.first.unwrap().to_string(), "2019-01-01T11:25:00");
    assert_eq!(s.last.unwrap().to_string(), "2021-12-30T22:01:00");
    assert_eq!(s.chat_name.as_deref(), Some("Groupname"));
}

#[test]
fn chat_miner_ddmmyy_24hrs() {
    check_chat_miner_layout("chat-miner/whatsapp__ddmmyy_24hrs.txt", DateOrder::DayFirst);
}

#[test]
fn chat_miner_mmddyyyy_12hrs_spanish_am_pm() {
    // "a. m." / "p. m.", and "00:08 a. m." meaning 00:08.
    check_chat_miner_layout(
        "chat-miner/whatsapp__mmddyyyy_12hrs.txt",
        DateOrder::MonthFirst,
    );
}

#[test]
fn chat_miner_yyyymmdd_24hrs() {
    check_chat_miner_layout(
        "chat-miner/whatsapp__yyyymmdd_24hrs.txt",
        DateOrder::YearFirst,
    );
}

#[test]
fn chat_miner_unicode_nbsp_in_pm() {
    let name = "chat-miner/whatsapp__unicode.txt";
    let (m, s) = parse(name);
    assert_eq!(m.len(), 3);
    assert_eq!(
        senders(&s),
        [("John Doe", 1), ("John Doe 🤓", 1), ("🤓", 1)]
    );
    // "09/10/22" alone cannot tell: day first with a warning; the U+00A0 in the text is kept.
    check(
        &m[0],
        "2022-10-09T22:37:00",
        Some("John Doe"),
        "Testing abnormal\u{a0}unicode",
        Text,
    );
    check(
        &m[2],
        "2022-10-09T22:37:00",
        Some("🤓"),
        "Testing emoji 🤓",
        Text,
    );
    assert_eq!(s.warnings.len(), 1);
    // The caller's --date-order is honoured when the file cannot tell.
    let opts = ParseOptions {
        date_order: Some(DateOrder::MonthFirst),
        ..Default::default()
    };
    let (m2, s2) = parse_to_vec(&load(name), &opts).unwrap();
    assert_eq!(m2[0].time.to_string(), "2022-09-10T22:37:00");
    assert!(s2.warnings.is_empty());
}

#[test]
fn chat_miner_testlog_mixed_layouts() {
    let (m, s) = parse("chat-miner/whatsapp__testlog.txt");
    // 26 lines: 20 headers (6 continuation lines), every layout read per line.
    assert_eq!(m.len(), 20);
    assert_eq!(s.skipped_count, 0);
    assert_eq!(s.date_order, Some(DateOrder::MonthFirst));
    assert_eq!(
        senders(&s),
        [
            ("John Doe", 9),
            ("John-John Doe", 3),
            ("Jahn Doe", 2),
            ("+12 345 578", 1),
            ("John Doe 🤓", 1),
            ("🤓", 1)
        ]
    );
    check(
        &m[0],
        "2019-12-24T11:23:00",
        Some("John Doe"),
        "Lorem ipsum dolor sit amet.",
        Text,
    );
    assert_eq!(m[3].text.lines().count(), 6);
    assert!(m[3].text.ends_with("Cras scelerisque neque."));
    check(
        &m[4],
        "2017-07-06T19:25:00",
        None,
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
        System,
    );
    check(
        &m[8],
        "2019-09-24T23:30:00",
        Some("John Doe"),
        "Hello world",
        Text,
    ); // "p.m." without comma
    check(
        &m[9],
        "2019-09-24T11:30:00",
        Some("John Doe"),
        "Testing am",
        Text,
    );
    check(
        &m[10],
        "2019-12-24T23:30:00",
        Some("John Doe"),
        "Testing spacing in pm",
        Text,
    );
    check(
        &m[11],
        "2022-09-10T22:37:00",
        Some("John Doe"),
        "Testing date and time formats",
        Text,
    );
    check(
        &m[12],
        "2022-09-10T22:37:00",
        Some("John Doe"),
        "Testing brackets",
        Text,
    );
    check(
        &m[13],
        "2022-09-10T22:37:00",
        Some("John Doe"),
        "Testing date dashes",
        Text,
    );
    check(
        &m[14],
        "2021-10-24T15:21:43",
        Some("John-John Doe"),
        "Testing dash in author's first name",
        Text,
    );
    check(
        &m[16],
        "2021-10-24T15:21:43",
        Some("John-John Doe"),
        "Testing dash - in message body",
        Text,
    );
    check(
        &m[19],
        "2022-09-10T22:37:00",
        Some("🤓"),
        "Testing emoji 🤓",
        Text,
    );
    assert_eq!(s.first.unwrap().to_string(), "2014-12-24T17:08:00");
    assert_eq!(s.last.unwrap().to_string(), "2022-09-10T22:37:00");
}

#[test]
fn whatsapp_chat_parser_short_chat() {
    let (m, s) = parse("whatsapp-chat-parser/short-chat.txt");
    assert_eq!(m.len(), 5);
    assert_eq!(
        senders(&s),
        [("+410123456789", 1), ("Sample User", 1), ("TestBot", 1)]
    );
    // No number above 12: month first keeps the dates in order (06/03 < 08/05 < 09/04).
    assert_eq!(s.date_order, Some(DateOrder::MonthFirst));
    assert_eq!(s.warnings.len(), 1);
    check(
        &m[0],
        "2017-06-03T00:45:00",
        None,
        "Messages to this group are now secured with end-to-end encryption. Tap for more info.",
        System,
    );
    check(
        &m[1],
        "2017-06-03T00:45:00",
        None,
        "You created group \"ShortChat\"",
        System,
    );
    check(
        &m[4],
        "2017-09-04T01:50:00",
        Some("+410123456789"),
        "How are you?\nIs everything alright?",
        Text,
    );
    assert_eq!(s.chat_name.as_deref(), Some("ShortChat"));
    assert_eq!(
        jsonl(&m[4]),
        "{\"time\":\"2017-09-04T01:50:00\",\"sender\":\"+410123456789\",\"text\":\"How are you?\\nIs everything alright?\",\"kind\":\"text\"}\n"
    );
}

#[test]
fn chat_analytics_telegram_dm() {
    let name = "chat-analytics__telegram__DM_2A_7M.json";
    let Some(bytes) = load_outside(name) else {
        return;
    };
    assert_eq!(detect_format(&bytes).unwrap(), Format::Telegram);
    let (m, s) = parse_bytes(name, &bytes);
    assert_eq!(m.len(), 8);
    assert_eq!(senders(&s), [("Alice", 4), ("Bob", 2)]);
    assert_eq!(s.chat_name.as_deref(), Some("Bob"));
    assert_eq!(s.owner_hint.as_deref(), Some("Alice"));
    check(
        &m[0],
        "2019-07-05T16:55:32",
        None,
        "Bob: joined telegram",
        System,
    );
    // Entity array joined.
    check(
        &m[1],
        "2019-07-12T16:55:32",
        Some("Bob"),
        "https://google.com 👀",
        Text,
    );
    assert_eq!(m[1].offset_seconds, None);
    // Only date_unixtime: UTC.
    check(&m[3], "2022-05-09T22:23:53", Some("Bob"), "world?", Text);
    assert_eq!(m[3].offset_seconds, Some(0));
    check(
        &m[5],
        "2022-06-10T22:06:38",
        Some("Alice"),
        "<photo>",
        Media,
    );
    // date and date_unixtime: local time with the offset between them (UTC-3).
    check(
        &m[7],
        "2023-08-10T23:11:02",
        None,
        "Alice: phone call (56 s)",
        System,
    );
    assert_eq!(m[7].offset_seconds, Some(-3 * 3600));
    assert_eq!(
        jsonl(&m[7]),
        "{\"time\":\"2023-08-10T23:11:02-03:00\",\"sender\":null,\"text\":\"Alice: phone call (56 s)\",\"kind\":\"system\"}\n"
    );
    assert_eq!(s.first.unwrap().to_string(), "2019-07-05T16:55:32");
    assert_eq!(s.last.unwrap().to_string(), "2023-08-10T23:11:02");
}

#[test]
fn chat_miner_telegram_single_export() {
    let name = "chat-miner/telegram__single_export.json";
    assert_eq!(detect_format(&load(name)).unwrap(), Format::Telegram);
    let (m, s) = parse(name);
    assert_eq!(m.len(), 2);
    assert_eq!(senders(&s), [("Author 1", 1), ("Author 2", 1)]);
    check(
        &m[0],
        "2018-12-05T10:39:10",
        Some("Author 1"),
        "Minimal Message",
        Text,
    );
    check(
        &m[1],
        "2018-12-05T10:49:24",
        Some("Author 2"),
        "Link:https://telegram.org/",
        Text,
    );
}

#[test]
fn chat_analytics_messenger_bom_and_media() {
    let name = "chat-analytics__messenger__2A_7M.json";
    let Some(bytes) = load_outside(name) else {
        return;
    };
    assert_eq!(detect_format(&bytes).unwrap(), Format::Messenger);
    let (m, s) = parse_bytes(name, &bytes);
    assert_eq!(m.len(), 7);
    assert_eq!(senders(&s), [("Bob", 5), ("Alice", 2)]);
    assert_eq!(s.chat_name.as_deref(), Some("Alice"));
    assert_eq!(s.owner_hint.as_deref(), Some("Bob"));
    // Sorted oldest first; UTC with offset 0; milliseconds kept in the time.
    check(
        &m[0],
        "2014-11-05T00:27:20.411",
        Some("Bob"),
        "<photo: 123123123123123.jpg>",
        Media,
    );
    assert_eq!(m[0].offset_seconds, Some(0));
    check(
        &m[1],
        "2014-11-05T00:27:34.275",
        Some("Bob"),
        "<sticker: 123123123123123.png>",
        Media,
    );
    check(
        &m[4],
        "2014-11-05T00:28:45.354",
        Some("Bob"),
        "you what",
        Text,
    );
    check(
        &m[6],
        "2014-11-05T00:35:32.056",
        Some("Alice"),
        "Hello",
        Text,
    );
    assert_eq!(
        jsonl(&m[6]),
        "{\"time\":\"2014-11-05T00:35:32+00:00\",\"sender\":\"Alice\",\"text\":\"Hello\",\"kind\":\"text\"}\n"
    );
}

#[test]
fn chat_miner_facebook_messenger() {
    let name = "chat-miner/facebookMessenger__testlog.json";
    assert_eq!(detect_format(&load(name)).unwrap(), Format::Messenger);
    let (m, s) = parse(name);
    assert_eq!(m.len(), 2);
    assert_eq!(senders(&s), [("Allan Smith", 1), ("John Doe", 1)]);
    // Same timestamp: the file is newest first, so the later entry is the older one.
    check(
        &m[0],
        "2022-11-16T19:50:03.612",
        Some("John Doe"),
        "Hello Allan",
        Text,
    );
    check(
        &m[1],
        "2022-11-16T19:50:03.612",
        Some("Allan Smith"),
        "Hello John",
        Text,
    );
}

#[test]
fn chat_miner_instagram() {
    let name = "chat-miner/instagram__export.json";
    assert_eq!(detect_format(&load(name)).unwrap(), Format::Messenger);
    let (m, s) = parse(name);
    assert_eq!(m.len(), 2);
    assert_eq!(senders(&s), [("Jane Doe", 1), ("John Doe", 1)]);
    check(
        &m[0],
        "2019-12-24T11:23:00",
        Some("Jane Doe"),
        "Hello John!",
        Text,
    );
    check(
        &m[1],
        "2020-01-17T20:49:00",
        Some("John Doe"),
        "Hello Jane!",
        Text,
    );
}

/// Every file in a folder (recursively) except licences and notes.
fn samples_in(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            samples_in(&path, out);
        } else if !name.ends_with(".md") && !name.starts_with("LICENSE") {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_file_is_covered() {
    let mut files = Vec::new();
    samples_in(&chats_dir(), &mut files);
    for path in &files {
        let name = path.display().to_string();
        let (msgs, s) = parse_bytes(&name, &std::fs::read(path).unwrap());
        assert!(!msgs.is_empty(), "{name}");
        // The one message without any date in our Telegram sample is skipped on purpose.
        let expected_skips = usize::from(name.ends_with("telegram__entities_undated.json"));
        assert_eq!(s.skipped_count, expected_skips, "{name}");
    }
    assert_eq!(
        files.len(),
        12,
        "a file was added to or removed from testdata/chats: add a test for it"
    );
}

#[test]
fn every_outside_fixture_file_is_covered() {
    let Some(dir) = outside_dir() else {
        return;
    };
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            continue;
        }
        let (msgs, s) = parse_bytes(&name, &std::fs::read(dir.join(&name)).unwrap());
        assert!(!msgs.is_empty(), "{name}");
        assert_eq!(s.skipped_count, 0, "{name}");
        n += 1;
    }
    assert_eq!(n, 12, "a fixture was added or removed: add a test for it");
}

// Our own samples (testdata/chats/own), written for the layouts of the AGPL
// chat-analytics samples; the expected values come from reading these files.

#[test]
fn own_whatsapp_small() {
    let name = "own/whatsapp__small.txt";
    assert_eq!(detect_format(&load(name)).unwrap(), Format::WhatsApp);
    let (m, s) = parse(name);
    assert_eq!(m.len(), 5);
    assert_eq!(senders(&s), [("Robin", 3), ("Kim", 2)]);
    check(
        &m[0],
        "2022-03-02T09:15:00",
        Some("Robin"),
        "Morning!",
        Text,
    );
    check(
        &m[2],
        "2022-03-02T09:17:00",
        Some("Robin"),
        "Yes\nat the usual place",
        Text,
    );
    check(
        &m[3],
        "2022-03-02T09:20:00",
        Some("Kim"),
        "<Media omitted>",
        Media,
    );
    // No newline at the end, and the last message is out of time order: file order is kept.
    check(
        &m[4],
        "2022-03-02T09:18:00",
        Some("Robin"),
        "Sent before the photo, listed after it",
        Text,
    );
    assert_eq!(s.first.unwrap().to_string(), "2022-03-02T09:15:00");
    assert_eq!(s.last.unwrap().to_string(), "2022-03-02T09:20:00");
    // 2/3/22 cannot tell day from month: day first, with a warning.
    assert_eq!(s.date_order, Some(DateOrder::DayFirst));
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("--date-order"));
    assert_eq!(s.skipped_count, 0);
}

#[test]
fn own_telegram_entities_and_undated() {
    let name = "own/telegram__entities_undated.json";
    assert_eq!(detect_format(&load(name)).unwrap(), Format::Telegram);
    let (m, s) = parse(name);
    assert_eq!(m.len(), 7);
    assert_eq!(senders(&s), [("Jo Müller", 3), ("Sam", 2)]);
    // A personal chat is named after the other person: the exporter is the other sender.
    assert_eq!(s.chat_name.as_deref(), Some("Jo Müller"));
    assert_eq!(s.owner_hint.as_deref(), Some("Sam"));
    check(
        &m[0],
        "2020-02-14T08:00:00",
        None,
        "Jo Müller: joined telegram",
        System,
    );
    // Entity array (bold, plain, link, plain) joined; `date` alone: no offset.
    check(
        &m[1],
        "2020-02-14T08:01:30",
        Some("Jo Müller"),
        "Look at this: https://example.org/a 🌅",
        Text,
    );
    assert_eq!(m[1].offset_seconds, None);
    check(
        &m[2],
        "2020-02-14T08:05:00",
        Some("Sam"),
        "Lovely! Café later?",
        Text,
    );
    // Only `date_unixtime` (a string): UTC.
    check(
        &m[3],
        "2020-09-13T12:26:40",
        Some("Jo Müller"),
        "only a unix time here",
        Text,
    );
    assert_eq!(m[3].offset_seconds, Some(0));
    // The message with no date at all is skipped and counted, with its line.
    assert_eq!(s.skipped_count, 1);
    assert_eq!(s.skipped[0].line, 81);
    assert!(s.skipped[0].reason.contains("no date"), "{:?}", s.skipped);
    // Only `date_unixtime` (a number), a photo without caption.
    check(&m[4], "2020-09-13T12:36:40", Some("Sam"), "<photo>", Media);
    assert_eq!(m[4].offset_seconds, Some(0));
    // `date` and `date_unixtime` one hour apart: local time at UTC+1.
    check(
        &m[5],
        "2021-01-01T00:30:00",
        Some("Jo Müller"),
        "@sam happy new year",
        Text,
    );
    assert_eq!(m[5].offset_seconds, Some(3600));
    check(
        &m[6],
        "2021-01-01T00:45:10",
        None,
        "Sam: phone call (125 s)",
        System,
    );
    assert_eq!(
        jsonl(&m[6]),
        "{\"time\":\"2021-01-01T00:45:10+01:00\",\"sender\":null,\"text\":\"Sam: phone call (125 s)\",\"kind\":\"system\"}\n"
    );
    assert_eq!(s.first.unwrap().to_string(), "2020-02-14T08:00:00");
    assert_eq!(s.last.unwrap().to_string(), "2021-01-01T00:45:10");
}

#[test]
fn own_messenger_bom_and_mojibake() {
    let name = "own/messenger__bom_mojibake.json";
    let bytes = load(name);
    assert!(
        bytes.starts_with(b"\xef\xbb\xbf{"),
        "the sample starts with a BOM"
    );
    assert!(
        bytes[3..].is_ascii(),
        "after the BOM the file is ASCII: every accent is a \\u00XX escape"
    );
    assert_eq!(detect_format(&bytes).unwrap(), Format::Messenger);
    let (m, s) = parse(name);
    assert_eq!(m.len(), 6);
    // Latin-1-escaped UTF-8 is undone in names, title and texts.
    assert_eq!(senders(&s), [("Kai Berg", 3), ("Zoë Ñúñez", 3)]);
    assert_eq!(s.chat_name.as_deref(), Some("Zoë Ñúñez"));
    assert_eq!(s.owner_hint.as_deref(), Some("Kai Berg"));
    // The file is newest first; messages come out oldest first, UTC.
    check(
        &m[0],
        "2023-04-01T09:00:00",
        Some("Zoë Ñúñez"),
        "plain ascii hello",
        Text,
    );
    assert_eq!(m[0].offset_seconds, Some(0));
    check(
        &m[1],
        "2023-04-02T18:39:30.5",
        Some("Kai Berg"),
        "<audio: voice_7.mp4>",
        Media,
    );
    check(
        &m[2],
        "2023-04-02T18:40:00",
        Some("Zoë Ñúñez"),
        "<photo: sunset_01.jpg>",
        Media,
    );
    // Same millisecond: the one later in the (newest-first) file is the older.
    check(
        &m[3],
        "2023-04-02T18:44:59.001",
        Some("Kai Berg"),
        "Same millisecond, listed later in the file",
        Text,
    );
    check(
        &m[4],
        "2023-04-02T18:44:59.001",
        Some("Kai Berg"),
        "Café at 7? ☕",
        Text,
    );
    check(
        &m[5],
        "2023-04-02T18:45:10.25",
        Some("Zoë Ñúñez"),
        "Bis später 😘",
        Text,
    );
    assert_eq!(
        jsonl(&m[5]),
        "{\"time\":\"2023-04-02T18:45:10+00:00\",\"sender\":\"Zoë Ñúñez\",\"text\":\"Bis später 😘\",\"kind\":\"text\"}\n"
    );
    assert_eq!(s.first.unwrap().to_string(), "2023-04-01T09:00:00");
    assert_eq!(s.last.unwrap().to_string(), "2023-04-02T18:45:10.25");
    assert_eq!(s.skipped_count, 0);
}

/// Every sample, read in pieces as `rekindle analyze` and `convert` read a
/// file (`stream`), gives exactly what it gives read whole: the same
/// messages and summary, or the same error. Small pieces, so that messages
/// and lines run past the end of a piece in every sample.
#[test]
fn every_sample_reads_in_pieces_as_whole() {
    // The AGPL samples too, when they are beside the checkout.
    let mut stack: Vec<PathBuf> = std::iter::once(chats_dir()).chain(outside_dir()).collect();
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for piece in [64, 333, 4096] {
                let checked = std::panic::catch_unwind(|| {
                    rekindle_chat::fuzzing::check_pieces(&bytes, piece, &ParseOptions::default())
                });
                assert!(checked.is_ok(), "{} in pieces of {piece}", path.display());
            }
            files += 1;
        }
    }
    assert!(files > 10, "{files} samples");
}
