//! Error messages, partly bad files, encodings, zip limits, content keys.
#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Write};

use rekindle_chat::{
    ContentKeys, DateOrder, Format, MessageKind, ParseError, ParseOptions, ZipLimits, content_key,
    detect_format, parse, parse_to_vec, unpack_zip,
};

fn err(bytes: &[u8], format: Option<Format>) -> ParseError {
    let opts = ParseOptions {
        format,
        ..Default::default()
    };
    parse(bytes, &opts, &mut |_| {}).expect_err("expected an error")
}

/// Every message is one plain sentence.
fn sentence(e: &ParseError) -> String {
    let s = e.to_string();
    assert!(s.ends_with('.'), "{s}");
    assert!(!s.contains('\n'), "{s}");
    assert!(s.chars().next().unwrap().is_uppercase(), "{s}");
    s
}

#[test]
fn not_a_chat_names_the_line_and_what_was_expected() {
    let e = err(b"hello\nworld\n", None);
    assert_eq!(
        sentence(&e),
        "Line 1 does not look like a chat export: expected a WhatsApp line starting with a date such as 12/03/2024, a Telegram or Messenger JSON file, or a CSV header naming time, sender and text columns, found “hello”."
    );
    let e = err(b"\n\nhello there\n", Some(Format::WhatsApp));
    assert_eq!(
        sentence(&e),
        "Line 3 does not look like a WhatsApp message: expected a date such as 12/03/2024 at the start of the line, found “hello there”."
    );
    assert!(matches!(e, ParseError::NotAChat { line: 3, .. }));
}

#[test]
fn long_lines_are_cut_in_messages() {
    let line = "x".repeat(500);
    let e = err(line.as_bytes(), None);
    let s = sentence(&e);
    assert!(s.contains("found “xxxxxxxx"), "{s}");
    assert!(s.len() < 400, "{s}");
    assert!(s.contains('…'));
}

#[test]
fn empty_files() {
    assert_eq!(err(b"", None), ParseError::Empty);
    assert_eq!(err(b"  \n\r\n\t", None), ParseError::Empty);
    assert_eq!(err(b"\xEF\xBB\xBF", None), ParseError::Empty);
    assert_eq!(
        sentence(&ParseError::Empty),
        "The file is empty: there are no messages in it to import."
    );
    assert_eq!(
        err(b"{\"messages\": []}", None),
        ParseError::NoMessages {
            format: Format::Telegram
        }
    );
    assert_eq!(
        sentence(&err(b"{\"messages\": []}", None)),
        "The Telegram export holds no messages."
    );
}

#[test]
fn broken_json_names_the_line() {
    let e = err(
        b"{\n  \"messages\": [\n    {\"type\": \"message\",,}\n",
        None,
    );
    let s = sentence(&e);
    assert!(
        matches!(
            e,
            ParseError::BadJson {
                format: Format::Telegram,
                line: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        s.starts_with("Line 3 of this Telegram export is damaged: expected JSON there"),
        "{s}"
    );
    let e = err(
        b"{\"messages\": [{\"sender_name\": \"A\", \"timestamp_ms\": 1",
        None,
    );
    assert!(
        matches!(
            e,
            ParseError::BadJson {
                format: Format::Messenger,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(sentence(&e).contains("the file ends too early"));
}

#[test]
fn json_that_is_not_a_chat() {
    let e = err(b"{\"hello\": 1}", None);
    assert!(
        sentence(&e).starts_with(
            "Line 1 does not look like a chat export: expected a Telegram result.json"
        )
    );
    let e = err(b"{\"hello\": 1}", Some(Format::Telegram));
    assert!(
        sentence(&e).starts_with(
            "Line 1 does not look like a Telegram export: expected a \"messages\" list"
        )
    );
    let e = err(b"{\"hello\": 1}", Some(Format::Messenger));
    assert!(sentence(&e).starts_with("Line 1 does not look like a Messenger or Instagram export"));
}

#[test]
fn csv_errors() {
    let e = err(b"a,b,c\n1,2,3\n", Some(Format::Csv));
    assert!(
        sentence(&e).starts_with("Line 1 does not look like a CSV header: expected column names")
    );
    let e = err(b"time,sender,text\nyesterday,A,hi\n", None);
    assert!(
        sentence(&e).starts_with("Line 2 does not look like a CSV row of a chat"),
        "{e}"
    );
}

#[test]
fn bad_json_messages_are_counted_not_fatal() {
    let json = br#"{"name":"Sam","type":"personal_chat","messages":[
{"type":"message","date":"2020-01-01T10:00:00","from":"Sam","text":"one"},
{"type":"message","from":"Sam","text":"no date"},
{"type":"message","date":"2020-01-01T10:01:00","from":{"weird":1},"text":"bad from"},
{"type":"message","date":"2020-01-01T10:02:00","from":"Alex","text":"two"}
]}"#;
    let (msgs, s) = parse_to_vec(json, &ParseOptions::default()).unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(s.skipped_count, 2);
    assert_eq!(s.skipped[0].line, 3);
    assert_eq!(s.skipped[0].reason, "this message has no date");
    assert_eq!(s.skipped[1].line, 4);
    assert_eq!(s.owner_hint.as_deref(), Some("Alex"));
}

#[test]
fn not_utf8() {
    let e = err(
        b"12/03/2024, 10:00 - Ren\xe9: caf\xe9\n13/03/2024, 10:00 - Ren\xe9: ol\xe9\n",
        None,
    );
    assert_eq!(e, ParseError::NotUtf8 { line: 1 });
    assert!(
        sentence(&e)
            .starts_with("Line 1 is not readable text: expected a chat export saved as UTF-8")
    );
    // A PNG is not text either.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa";
    assert!(matches!(
        err(png, None),
        ParseError::NotUtf8 { .. } | ParseError::NotAChat { .. }
    ));
}

#[test]
fn a_few_bad_lines_are_counted_and_the_rest_imported() {
    let chat = "junk before the chat\n\
                13/03/2024, 10:00 - Sam: one\n\
                31/02/2024, 10:01 - Sam: impossible date\n\
                and its continuation\n\
                13/03/2024, 10:02 - Alex: two\n\
                13/03/2024, 10:03 - Alex: caf\u{e9}\n";
    let mut bytes = chat.as_bytes().to_vec();
    // Make line 7 not UTF-8.
    bytes.extend_from_slice(b"13/03/2024, 10:04 - Alex: caf\xe9\n13/03/2024, 10:05 - Sam: three\n");
    let (msgs, s) = parse_to_vec(&bytes, &ParseOptions::default()).unwrap();
    let texts: Vec<&str> = msgs.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["one", "two", "café", "three"]);
    assert_eq!(s.skipped_count, 4);
    let lines: Vec<usize> = s.skipped.iter().map(|k| k.line).collect();
    assert_eq!(lines, [7, 1, 3, 4]);
    assert_eq!(
        s.skipped[0].reason,
        "this line is not UTF-8 text, so it could not be read"
    );
    assert_eq!(
        s.skipped[1].reason,
        "expected a date such as 12/03/2024 at the start of the line"
    );
    assert_eq!(s.skipped[1].excerpt, "junk before the chat");
    assert_eq!(s.skipped[2].reason, "the date 2024-02-31 does not exist");
    assert_eq!(
        s.skipped[3].reason,
        "continues a message that could not be read"
    );
}

#[test]
fn skipped_examples_are_capped_at_20() {
    let mut chat = String::from("13/03/2024, 10:00 - Sam: one\n");
    for _ in 0..50 {
        chat.push_str("32/03/2024, 10:00 - Sam: bad\n");
    }
    let (msgs, s) = parse_to_vec(chat.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(s.skipped_count, 50);
    assert_eq!(s.skipped.len(), 20);
}

#[test]
fn only_bad_lines_is_an_error() {
    let e = err(b"32/03/2024, 10:00 - Sam: bad\n", None);
    assert!(matches!(e, ParseError::NotAChat { line: 1, .. }), "{e:?}");
}

fn utf16(s: &str, le: bool) -> Vec<u8> {
    let mut v = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in s.encode_utf16() {
        v.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    v
}

#[test]
fn utf16_files_parse_like_utf8() {
    let chat = "[31/12/2021, 21:05:33] Zoë: héllo 😀\n[31/12/2021, 21:06:00] Sam: ‎image omitted\n";
    let (want, _) = parse_to_vec(chat.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(want.len(), 2);
    assert_eq!(want[1].kind, MessageKind::Media);
    for le in [true, false] {
        let bytes = utf16(chat, le);
        assert_eq!(detect_format(&bytes).unwrap(), Format::WhatsApp);
        let (got, s) = parse_to_vec(&bytes, &ParseOptions::default()).unwrap();
        assert_eq!(got, want);
        assert!(s.warnings.is_empty());
    }
    // Without a byte-order mark too.
    let bytes = utf16(chat, true);
    let (got, _) = parse_to_vec(&bytes[2..], &ParseOptions::default()).unwrap();
    assert_eq!(got, want);
}

fn zip_of(files: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false);
    for (name, data) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const CHAT: &[u8] = b"12/03/2024, 21:05 - Sam: hello\n12/03/2024, 21:06 - Alex: <Media omitted>\n";

#[test]
fn whatsapp_zip_is_opened() {
    let z = zip_of(
        &[
            ("IMG-20240312-WA0001.jpg", b"\xff\xd8\xff fake jpeg"),
            ("WhatsApp Chat with Sam.txt", CHAT),
        ],
        zip::CompressionMethod::Deflated,
    );
    assert_eq!(detect_format(&z).unwrap(), Format::WhatsApp);
    assert_eq!(unpack_zip(&z, &ZipLimits::default()).unwrap(), CHAT);
    let (msgs, s) = parse_to_vec(&z, &ParseOptions::default()).unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[1].kind, MessageKind::Media);
    assert_eq!(s.chat_name.as_deref(), Some("Sam"));
    // iOS: _chat.txt wins over other text files.
    let z = zip_of(
        &[("notes.txt", b"not the chat"), ("_chat.txt", CHAT)],
        zip::CompressionMethod::Stored,
    );
    assert_eq!(unpack_zip(&z, &ZipLimits::default()).unwrap(), CHAT);
}

#[test]
fn zip_with_too_many_entries() {
    let files: Vec<(String, Vec<u8>)> = (0..30).map(|i| (format!("f{i}.jpg"), vec![1u8])).collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let z = zip_of(&refs, zip::CompressionMethod::Stored);
    let limits = ZipLimits {
        max_entries: 20,
        ..ZipLimits::default()
    };
    let e = unpack_zip(&z, &limits).err().unwrap();
    assert_eq!(
        e,
        ParseError::ZipTooManyEntries {
            count: 30,
            limit: 20
        }
    );
    assert_eq!(
        sentence(&e),
        "The zip archive holds 30 files, more than the 20 a chat export can have, so it was not opened."
    );
}

#[test]
fn zip_bomb_ratio_is_refused_before_inflating() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let z = zip_of(&[("_chat.txt", &zeros)], zip::CompressionMethod::Deflated);
    assert!(
        z.len() < 100_000,
        "deflate packs zeros tightly: {}",
        z.len()
    );
    let e = unpack_zip(&z, &ZipLimits::default()).err().unwrap();
    match &e {
        ParseError::ZipRatio { name, ratio, limit } => {
            assert_eq!(name, "_chat.txt");
            assert!(*ratio > 100);
            assert_eq!(*limit, 100);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        sentence(&e)
            .starts_with("The zip archive is suspicious: the file “_chat.txt” would expand")
    );
    // parse() applies the same default limits.
    assert!(matches!(err(&z, None), ParseError::ZipRatio { .. }));
}

#[test]
fn zip_total_size_limit() {
    let text = CHAT.repeat(2000); // ~150 KB, compresses well below 100:1
    let z = zip_of(&[("_chat.txt", &text)], zip::CompressionMethod::Stored);
    let limits = ZipLimits {
        max_total_uncompressed: 100_000,
        ..ZipLimits::default()
    };
    let e = unpack_zip(&z, &limits).err().unwrap();
    assert_eq!(
        e,
        ParseError::TooLarge {
            size: text.len() as u64,
            limit: 100_000
        }
    );
    assert!(sentence(&e).starts_with("The file is too large"));
}

#[test]
fn zip_path_traversal_is_refused() {
    for name in ["../evil.txt", "/etc/cron.d/evil.txt", "a/../../evil.txt"] {
        let z = zip_of(&[(name, CHAT)], zip::CompressionMethod::Stored);
        let e = unpack_zip(&z, &ZipLimits::default()).err().unwrap();
        assert!(
            matches!(e, ParseError::ZipPathTraversal { .. }),
            "{name}: {e:?}"
        );
        assert!(sentence(&e).contains("points outside the archive"));
    }
}

#[test]
fn zip_without_chat_and_broken_zip() {
    let z = zip_of(
        &[("IMG-1.jpg", b"\xff\xd8")],
        zip::CompressionMethod::Stored,
    );
    let e = unpack_zip(&z, &ZipLimits::default()).err().unwrap();
    assert_eq!(
        sentence(&e),
        "The zip archive holds no chat: expected a text file such as “_chat.txt” or “WhatsApp Chat with ….txt”, or Messenger/Instagram “message_1.json” files, found 1 other file(s)."
    );
    let good = zip_of(&[("_chat.txt", CHAT)], zip::CompressionMethod::Deflated);
    let cut = &good[..good.len() / 2];
    let e = unpack_zip(cut, &ZipLimits::default()).err().unwrap();
    assert!(matches!(e, ParseError::ZipCorrupt { .. }), "{e:?}");
    assert!(sentence(&e).starts_with("The zip archive could not be opened: it is damaged"));
}

#[test]
fn zip_inside_zip_is_not_opened() {
    let inner = zip_of(
        &[("_chat.txt", &CHAT.repeat(20))],
        zip::CompressionMethod::Deflated,
    );
    let outer = zip_of(&[("_chat.txt", &inner)], zip::CompressionMethod::Stored);
    assert!(parse(&outer, &ParseOptions::default(), &mut |_| {}).is_err());
}

#[test]
fn content_keys_are_stable_and_number_duplicates() {
    let chat =
        "12/03/2024, 21:05 - Sam: ok\n12/03/2024, 21:05 - Sam: ok\n12/03/2024, 21:06 - Sam: ok\n";
    let keys = |text: &str| {
        let mut k = ContentKeys::new("chat-1");
        let mut out = Vec::new();
        parse(text.as_bytes(), &ParseOptions::default(), &mut |m| {
            out.push(k.key(&m))
        })
        .unwrap();
        out
    };
    let a = keys(chat);
    assert_eq!(a.len(), 3);
    assert_ne!(
        a[0], a[1],
        "two real 'ok's in the same minute keep two keys"
    );
    assert_ne!(a[1], a[2]);
    assert_eq!(a, keys(chat), "same export, same keys");
    // A later export of the same chat: the old messages keep their keys.
    let later = format!("{chat}13/03/2024, 08:00 - Alex: morning\n");
    let b = keys(&later);
    assert_eq!(&b[..3], &a[..]);
    // content_key is the first occurrence's key; the source chat matters.
    let (msgs, _) = parse_to_vec(chat.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(content_key("chat-1", &msgs[0].as_ref()), a[0]);
    assert_ne!(content_key("chat-2", &msgs[0].as_ref()), a[0]);
}

#[test]
fn names_parse_and_display() {
    for f in Format::ALL {
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
    }
    assert_eq!(Format::WhatsApp.to_string(), "whatsapp");
    assert_eq!("instagram".parse::<Format>().unwrap(), Format::Messenger);
    for o in [
        DateOrder::DayFirst,
        DateOrder::MonthFirst,
        DateOrder::YearFirst,
    ] {
        assert_eq!(o.to_string().parse::<DateOrder>().unwrap(), o);
    }
    let e = "xml".parse::<Format>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "“xml” is not one of: whatsapp, telegram, messenger, csv."
    );
    assert_eq!(
        serde_json::to_string(&MessageKind::Deleted).unwrap(),
        "\"deleted\""
    );
    assert_eq!(
        serde_json::to_string(&DateOrder::MonthFirst).unwrap(),
        "\"mdy\""
    );
}

#[test]
fn explicit_date_order_wins_with_a_warning() {
    let chat = b"31/12/2021, 21:05 - Sam: x\n01/12/2021, 21:05 - Sam: y\n";
    let opts = ParseOptions {
        date_order: Some(DateOrder::MonthFirst),
        ..Default::default()
    };
    let (msgs, s) = parse_to_vec(chat, &opts).unwrap();
    assert_eq!(msgs.len(), 1, "31/12 cannot be month first");
    assert_eq!(msgs[0].time.to_string(), "2021-01-12T21:05:00");
    assert_eq!(s.skipped_count, 1);
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("look day first"));
}

#[test]
fn mixed_day_and_month_first_reads_each_line_the_way_it_makes_sense() {
    let chat =
        b"31/12/2021, 21:05 - Sam: a\n30/12/2021, 21:05 - Sam: b\n12/31/2021, 21:05 - Sam: c\n";
    let (msgs, s) = parse_to_vec(chat, &ParseOptions::default()).unwrap();
    assert_eq!(msgs.len(), 3);
    assert!(
        msgs.iter()
            .all(|m| m.time.to_string().starts_with("2021-12-3"))
    );
    assert_eq!(s.date_order, Some(DateOrder::DayFirst));
    assert!(s.warnings[0].contains("mixes"));
}
