//! Property tests: random chats rendered into every format and layout parse
//! back to the same messages (`parse(render(x)) == x`).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rekindle_chat::{
    DateOrder, DateTime, Format, Message, MessageKind, ParseOptions, parse_many, parse_to_vec,
    write_csv, write_csv_header,
};

// ---------- the model ----------

#[derive(Debug, Clone)]
enum Body {
    /// Lines of text (each starts with a letter, so it cannot look like a header).
    Text(Vec<String>),
    Media,
    Deleted,
    /// "X created group" and friends: no sender.
    System(String),
    /// The end-to-end notice (iOS writes it with the chat name as sender).
    E2e,
}

#[derive(Debug, Clone)]
struct ModelMsg {
    /// Seconds since the chat started.
    at: i64,
    sender: usize,
    body: Body,
}

const SENDERS: &[&str] = &[
    "Zoë Müller",
    "José Ñúñez",
    "Sam",
    "+1 555 0100",
    "John-John Doe",
    "🤓",
    "Анна",
    "李雷",
    "O'Brien",
];

/// Words a line may start with (letters only at the start).
const FIRST_WORDS: &[&str] = &[
    "hello",
    "ok",
    "café",
    "naïve",
    "why",
    "Привет",
    "你好",
    "مرحبا",
    "yes",
    "Ünïcödé",
    "it's",
    "and",
];
const WORDS: &[&str] = &[
    "hello",
    "ok",
    "café",
    "😂",
    "❤️",
    "why?",
    "a:b",
    "-",
    "\"quoted\"",
    "it's",
    "(yes)",
    "<3",
    "👨\u{200d}👩\u{200d}👧",
    "12/03/2024",
    "10:00",
    "-",
    "–",
    "[x]",
    "·",
    "tab\there",
    "50%",
    "a,b",
    "Привет",
    "你好",
    "مرحبا",
    ":",
    "🇪🇸",
];

const E2E: &str = "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.";

fn line_strategy() -> impl Strategy<Value = String> {
    (
        prop::sample::select(FIRST_WORDS),
        prop::collection::vec(prop::sample::select(WORDS), 0..6),
    )
        .prop_map(|(f, rest)| {
            let mut s = f.to_string();
            for w in rest {
                s.push(' ');
                s.push_str(w);
            }
            s
        })
}

fn body_strategy() -> impl Strategy<Value = Body> {
    prop_oneof![
        10 => prop::collection::vec(line_strategy(), 1..4).prop_map(Body::Text),
        1 => Just(Body::Media),
        1 => Just(Body::Deleted),
        1 => prop::sample::select(&["Sam created group “Plans: 2024”", "You were added", "Sam left"][..])
            .prop_map(|s| Body::System(s.to_string())),
    ]
}

fn chat_strategy() -> impl Strategy<Value = Vec<ModelMsg>> {
    (
        prop::bool::ANY,
        prop::collection::vec(
            (0i64..200_000, 0usize..SENDERS.len(), body_strategy()),
            1..25,
        ),
    )
        .prop_map(|(e2e, items)| {
            let mut at = 0;
            let mut out = Vec::new();
            if e2e {
                out.push(ModelMsg {
                    at: 0,
                    sender: 0,
                    body: Body::E2e,
                });
            }
            for (i, (gap, sender, body)) in items.into_iter().enumerate() {
                // The first message is at the start (a day above 12, see start_strategy).
                if i > 0 {
                    at += gap;
                }
                out.push(ModelMsg { at, sender, body });
            }
            out
        })
}

/// The first message is on a day from 13 to 28 so that day/month order can be told.
fn start_strategy() -> impl Strategy<Value = DateTime> {
    (
        2010i16..2030,
        1i8..=12,
        13i8..=28,
        0i8..24,
        0i8..60,
        0i8..60,
    )
        .prop_map(|(y, m, d, h, mi, s)| DateTime::new(y, m, d, h, mi, s, 0).unwrap())
}

fn time_at(start: DateTime, at: i64, seconds: bool) -> DateTime {
    let t = start
        .checked_add(jiff::SignedDuration::from_secs(at))
        .unwrap();
    if seconds {
        t
    } else {
        t.with().second(0).build().unwrap()
    }
}

// ---------- WhatsApp rendering ----------

#[derive(Debug, Clone)]
struct Layout {
    ios: bool,
    order: DateOrder,
    sep: char,
    four_digit_year: bool,
    pad: bool,
    /// None = 24 h; else (am, pm, before_time)
    clock: Option<(&'static str, &'static str, bool)>,
    marker_space: &'static str,
    seconds: bool,
    /// Between date and time.
    dt_sep: &'static str,
    /// U+200F after each date number (Arabic locales).
    rlm: bool,
    /// U+200E at the start of system and media lines (iOS).
    lrm_lines: bool,
    crlf: bool,
    korean_spaces: bool,
}

const CLOCKS: &[(&str, &str, bool)] = &[
    ("AM", "PM", false),
    ("am", "pm", false),
    ("a. m.", "p. m.", false),
    ("a.\u{a0}m.", "p.\u{a0}m.", false),
    ("a.m.", "p.m.", false),
    ("vorm.", "nachm.", false),
    ("fm", "em", false),
    ("SA", "CH", false),
    ("ص", "م", false),
    ("π.μ.", "μ.μ.", false),
    ("午前", "午後", true),
    ("上午", "下午", true),
    ("오전", "오후", true),
];

fn layout_strategy() -> impl Strategy<Value = Layout> {
    (
        (
            prop::bool::ANY,
            prop::sample::select(
                &[
                    DateOrder::DayFirst,
                    DateOrder::MonthFirst,
                    DateOrder::YearFirst,
                ][..],
            ),
            prop::sample::select(&['/', '.', '-'][..]),
            prop::bool::ANY,
            prop::bool::ANY,
            prop::option::of(prop::sample::select(CLOCKS)),
            prop::sample::select(&[" ", "\u{202f}", "\u{a0}"][..]),
        ),
        (
            prop::bool::ANY,
            prop::sample::select(&[", ", " ", ", ", " à ", " klo ", " kl. "][..]),
            prop::bool::ANY,
            prop::bool::ANY,
            prop::bool::ANY,
            prop::bool::ANY,
        ),
    )
        .prop_map(
            |(
                (ios, order, sep, four, pad, clock, marker_space),
                (seconds, dt_sep, rlm, lrm_lines, crlf, korean),
            )| {
                Layout {
                    ios,
                    order,
                    sep,
                    four_digit_year: four || order == DateOrder::YearFirst,
                    pad,
                    clock,
                    marker_space,
                    seconds,
                    dt_sep,
                    rlm,
                    lrm_lines,
                    crlf,
                    korean_spaces: korean && order == DateOrder::YearFirst && sep == '.',
                }
            },
        )
}

fn render_header(t: DateTime, l: &Layout) -> String {
    let num = |v: i64| {
        if l.pad {
            format!("{v:02}")
        } else {
            v.to_string()
        }
    };
    let year = if l.four_digit_year {
        format!("{:04}", t.year())
    } else {
        format!("{:02}", t.year() % 100)
    };
    let (d, m) = (num(t.day() as i64), num(t.month() as i64));
    let parts: [String; 3] = match l.order {
        DateOrder::DayFirst => [d, m, year],
        DateOrder::MonthFirst => [m, d, year],
        DateOrder::YearFirst => [year, m, d],
    };
    let rlm = if l.rlm { "\u{200f}" } else { "" };
    let sep = if l.korean_spaces {
        format!("{}{} ", rlm, l.sep)
    } else {
        format!("{}{}", rlm, l.sep)
    };
    let mut date = format!("{}{sep}{}{sep}{}", parts[0], parts[1], parts[2]);
    if l.korean_spaces {
        date.push('.');
    }
    let (h, marker) = match l.clock {
        None => (t.hour() as i64, None),
        Some((am, pm, before)) => {
            let h12 = match t.hour() % 12 {
                0 => 12,
                h => h as i64,
            };
            (h12, Some((if t.hour() < 12 { am } else { pm }, before)))
        }
    };
    let mut time = format!("{}:{:02}", num(h), t.minute());
    if l.seconds {
        time.push_str(&format!(":{:02}", t.second()));
    }
    let time = match marker {
        None => time,
        Some((mk, false)) => format!("{time}{}{mk}", l.marker_space),
        Some((mk, true)) => format!("{mk}{time}"),
    };
    let dt_sep = l.dt_sep;
    if l.ios {
        format!("[{date}{dt_sep}{time}] ")
    } else {
        format!("{date}{dt_sep}{time} - ")
    }
}

/// (rendered export, expected messages)
fn render_whatsapp(start: DateTime, chat: &[ModelMsg], l: &Layout) -> (String, Vec<Message>) {
    let mut out = String::new();
    let mut want = Vec::new();
    let nl = if l.crlf { "\r\n" } else { "\n" };
    for m in chat {
        let time = time_at(start, m.at, l.seconds);
        let name = SENDERS[m.sender];
        let lrm = if l.lrm_lines { "\u{200e}" } else { "" };
        let header = render_header(time, l);
        // Android wraps phone numbers in U+202A … U+202C.
        let shown = if name.starts_with('+') && l.lrm_lines {
            format!("\u{202a}{name}\u{202c}")
        } else {
            name.to_string()
        };
        let (line, sender, text, kind) = match &m.body {
            Body::Text(lines) => {
                let text = lines.join("\n");
                (
                    format!("{header}{shown}: {}", lines.join(nl)),
                    Some(name),
                    text,
                    MessageKind::Text,
                )
            }
            Body::Media if l.ios => (
                format!("{lrm}{header}{shown}: \u{200e}image omitted"),
                Some(name),
                "image omitted".to_string(),
                MessageKind::Media,
            ),
            Body::Media => (
                format!("{header}{shown}: <Media omitted>"),
                Some(name),
                "<Media omitted>".to_string(),
                MessageKind::Media,
            ),
            Body::Deleted if l.ios => (
                format!("{lrm}{header}{shown}: \u{200e}This message was deleted."),
                Some(name),
                "This message was deleted.".to_string(),
                MessageKind::Deleted,
            ),
            Body::Deleted => (
                format!("{header}{shown}: This message was deleted"),
                Some(name),
                "This message was deleted".to_string(),
                MessageKind::Deleted,
            ),
            Body::System(s) if l.ios => (
                format!("{lrm}{header}\u{200e}{s}"),
                None,
                s.clone(),
                MessageKind::System,
            ),
            Body::System(s) => (format!("{header}{s}"), None, s.clone(), MessageKind::System),
            Body::E2e if l.ios => (
                format!("{lrm}{header}{shown}: \u{200e}{E2E}"),
                None,
                E2E.to_string(),
                MessageKind::System,
            ),
            Body::E2e => (
                format!("{header}{E2E} Tap to learn more."),
                None,
                format!("{E2E} Tap to learn more."),
                MessageKind::System,
            ),
        };
        out.push_str(&line);
        out.push_str(nl);
        want.push(Message {
            time,
            offset_seconds: None,
            sender: sender.map(str::to_string),
            text,
            kind,
        });
    }
    (out, want)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn whatsapp_every_layout(start in start_strategy(), chat in chat_strategy(), l in layout_strategy()) {
        let (text, want) = render_whatsapp(start, &chat, &l);
        let (got, summary) = parse_to_vec(text.as_bytes(), &ParseOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(summary.format, Format::WhatsApp);
        prop_assert_eq!(summary.skipped_count, 0, "{:?}", summary.skipped);
        prop_assert_eq!(&got, &want, "layout {:?}\n{}", l, text);
        prop_assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        let order = if l.order == DateOrder::YearFirst { DateOrder::YearFirst } else { l.order };
        prop_assert_eq!(summary.date_order, Some(order));
    }
}

/// Lines a real export may hold besides messages: blank lines, a line that
/// is not a message before the first one, a date that does not exist, the
/// lines that continue it, Windows line ends, a byte order mark.
#[derive(Debug, Clone)]
struct Noise {
    bom: bool,
    crlf: bool,
    junk_first: bool,
    /// Message indexes after which a header with an impossible date (and a continuation) goes.
    bad_dates: Vec<usize>,
}

fn noise_strategy() -> impl Strategy<Value = Noise> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(0usize..40, 0..3),
    )
        .prop_map(|(bom, crlf, junk_first, bad_dates)| Noise {
            bom,
            crlf,
            junk_first,
            bad_dates,
        })
}

fn with_noise(text: &str, n: &Noise) -> String {
    let mut out = String::new();
    if n.bom {
        out.push('\u{feff}');
    }
    if n.junk_first {
        out.push_str("Exported from my phone\n\n");
    }
    let mut message = 0usize;
    for line in text.split_inclusive('\n') {
        // Headers start with a digit or '[' in every layout of the model.
        if line.starts_with(|c: char| c.is_ascii_digit() || c == '[') {
            if n.bad_dates.contains(&message) {
                out.push_str(
                    "31/02/2021, 25:61 - Sam: a date that does not exist\nand its next line\n",
                );
            }
            message += 1;
        }
        out.push_str(line);
    }
    if n.crlf {
        out.replace('\n', "\r\n")
    } else {
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn whatsapp_read_in_pieces_is_read_whole(
        start in start_strategy(),
        chat in chat_strategy(),
        l in layout_strategy(),
        noise in noise_strategy(),
        piece in 64usize..400,
    ) {
        let (text, _) = render_whatsapp(start, &chat, &l);
        let text = with_noise(&text, &noise);
        // Panics (a failed case) unless the messages and summary, or the
        // errors, are the same read whole and read in pieces.
        rekindle_chat::fuzzing::check_pieces(text.as_bytes(), piece, &ParseOptions::default());
    }
}

// ---------- Telegram ----------

fn telegram_json(
    start: DateTime,
    chat: &[ModelMsg],
    offset: i32,
    split_entities: bool,
) -> (String, Vec<Message>) {
    let mut msgs = Vec::new();
    let mut want = Vec::new();
    for (i, m) in chat.iter().enumerate() {
        let time = time_at(start, m.at, true);
        let unix = jiff::tz::Offset::from_seconds(offset)
            .unwrap()
            .to_timestamp(time)
            .unwrap()
            .as_second();
        let date = time.to_string();
        let name = SENDERS[m.sender];
        let (v, sender, text, kind) = match &m.body {
            Body::Text(lines) => {
                let text = lines.join("\n");
                let rendered = if split_entities && text.chars().count() > 2 {
                    let cut = text.char_indices().nth(text.chars().count() / 2).unwrap().0;
                    serde_json::json!([text[..cut], {"type": "bold", "text": &text[cut..]}])
                } else {
                    serde_json::json!(text)
                };
                (
                    serde_json::json!({"id": i, "type": "message", "date": date, "date_unixtime": unix.to_string(),
                        "from": name, "from_id": "user1", "text": rendered}),
                    Some(name),
                    text,
                    MessageKind::Text,
                )
            }
            Body::Media => (
                serde_json::json!({"id": i, "type": "message", "date": date, "date_unixtime": unix.to_string(),
                    "from": name, "photo": "photos/photo_1.jpg", "width": 1, "height": 1, "text": ""}),
                Some(name),
                "<photo>".to_string(),
                MessageKind::Media,
            ),
            Body::Deleted | Body::E2e => (
                serde_json::json!({"id": i, "type": "message", "date": date, "date_unixtime": unix.to_string(),
                    "from": serde_json::Value::Null, "text": "from a deleted account"}),
                None,
                "from a deleted account".to_string(),
                MessageKind::Text,
            ),
            Body::System(s) => (
                serde_json::json!({"id": i, "type": "service", "date": date, "date_unixtime": unix.to_string(),
                    "actor": name, "action": "edit_group_title", "title": s, "text": ""}),
                None,
                format!("{name}: edit group title"),
                MessageKind::System,
            ),
        };
        msgs.push(v);
        want.push(Message {
            time,
            offset_seconds: Some(offset),
            sender: sender.map(str::to_string),
            text,
            kind,
        });
    }
    let doc =
        serde_json::json!({"name": SENDERS[0], "type": "personal_chat", "id": 1, "messages": msgs});
    (serde_json::to_string_pretty(&doc).unwrap(), want)
}

proptest! {
    #[test]
    fn telegram(start in start_strategy(), chat in chat_strategy(), offset_q in -48i32..=56, split in prop::bool::ANY, full in prop::bool::ANY) {
        let offset = offset_q * 15 * 60; // quarter hours, -12:00..=+14:00
        let (json, want) = telegram_json(start, &chat, offset, split);
        let json = if full {
            let chat: serde_json::Value = serde_json::from_str(&json).unwrap();
            serde_json::json!({"personal_information": {"first_name": "Me", "last_name": "Myself"},
                "chats": {"list": [chat]}}).to_string()
        } else {
            json
        };
        let (got, summary) = parse_to_vec(json.as_bytes(), &ParseOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(summary.format, Format::Telegram);
        prop_assert_eq!(&got, &want);
        if full {
            prop_assert_eq!(summary.owner_hint.as_deref(), Some("Me Myself"));
        }
    }
}

// ---------- Messenger ----------

/// Facebook's encoding: each UTF-8 byte written as a \u00XX escape.
fn fb_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\u{b:04x}")),
        }
    }
    out.push('"');
    out
}

/// Render newest first, split into `parts` files (message_1 holds the newest).
fn messenger_parts(
    start: DateTime,
    chat: &[ModelMsg],
    parts: usize,
) -> (Vec<String>, Vec<Message>) {
    let base_ms = jiff::tz::Offset::UTC
        .to_timestamp(start)
        .unwrap()
        .as_millisecond();
    let mut rendered = Vec::new();
    let mut want = Vec::new();
    for m in chat {
        // Milliseconds too; the time is UTC.
        let ms = base_ms + m.at * 1000 + (m.at % 997);
        let time =
            jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::from_millisecond(ms).unwrap());
        let name = SENDERS[m.sender];
        let (json, sender, text, kind) = match &m.body {
            Body::Text(lines) => {
                let t = lines.join("\n");
                (
                    format!(
                        "{{\"sender_name\": {}, \"timestamp_ms\": {ms}, \"content\": {}}}",
                        fb_string(name),
                        fb_string(&t)
                    ),
                    Some(name),
                    t,
                    MessageKind::Text,
                )
            }
            Body::Media => (
                format!(
                    "{{\"sender_name\": {}, \"timestamp_ms\": {ms}, \"photos\": [{{\"uri\": \"messages/inbox/x/photos/1.jpg\"}}]}}",
                    fb_string(name)
                ),
                Some(name),
                "<photo: 1.jpg>".to_string(),
                MessageKind::Media,
            ),
            Body::Deleted => (
                format!(
                    "{{\"sender_name\": {}, \"timestamp_ms\": {ms}, \"is_unsent\": true}}",
                    fb_string(name)
                ),
                Some(name),
                String::new(),
                MessageKind::Deleted,
            ),
            Body::System(s) => (
                format!(
                    "{{\"sender_name\": {}, \"timestamp_ms\": {ms}, \"content\": {}, \"type\": \"Subscribe\"}}",
                    fb_string(name),
                    fb_string(s)
                ),
                None,
                s.clone(),
                MessageKind::System,
            ),
            Body::E2e => (
                format!(
                    "{{\"sender_name\": {}, \"timestamp_ms\": {ms}, \"content\": {}, \"type\": \"Call\", \"call_duration\": 3}}",
                    fb_string(name),
                    fb_string(E2E)
                ),
                Some(name),
                E2E.to_string(),
                MessageKind::Other,
            ),
        };
        rendered.push(json);
        want.push(Message {
            time,
            offset_seconds: Some(0),
            sender: sender.map(str::to_string),
            text,
            kind,
        });
    }
    rendered.reverse(); // newest first
    let per = rendered.len().div_ceil(parts).max(1);
    let files = rendered
        .chunks(per)
        .map(|c| {
            format!(
                "\u{feff}{{\n  \"participants\": [{{\"name\": {}}}, {{\"name\": {}}}],\n  \"messages\": [\n    {}\n  ],\n  \"title\": {}\n}}",
                fb_string(SENDERS[0]),
                fb_string(SENDERS[1]),
                c.join(",\n    "),
                fb_string(SENDERS[1]),
            )
        })
        .collect();
    (files, want)
}

proptest! {
    #[test]
    fn messenger_with_mojibake_and_parts(start in start_strategy(), chat in chat_strategy(), parts in 1usize..4) {
        // Distinct times: messages with the same millisecond keep reverse file order, which the model does too.
        let (files, want) = messenger_parts(start, &chat, parts);
        let bytes: Vec<&[u8]> = files.iter().map(|f| f.as_bytes()).collect();
        let mut got = Vec::new();
        let summary = parse_many(&bytes, &ParseOptions::default(), &mut |m| got.push(Message::from(m)))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(summary.format, Format::Messenger);
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(summary.owner_hint.as_deref(), Some(SENDERS[0]));
        prop_assert_eq!(summary.chat_name.as_deref(), Some(SENDERS[1]));
    }
}

// ---------- CSV ----------

proptest! {
    #[test]
    fn csv_roundtrip(start in start_strategy(), chat in chat_strategy(), offsets in prop::collection::vec(prop::option::of(-50400i32..50400), 30)) {
        let mut want = Vec::new();
        for (i, m) in chat.iter().enumerate() {
            let (sender, text, kind) = match &m.body {
                Body::Text(lines) => (Some(SENDERS[m.sender]), lines.join("\n"), MessageKind::Text),
                Body::Media => (Some(SENDERS[m.sender]), "<Media omitted>".to_string(), MessageKind::Media),
                Body::Deleted => (Some(SENDERS[m.sender]), "x, \"y\"\r\nz ".to_string(), MessageKind::Deleted),
                Body::System(s) => (None, s.clone(), MessageKind::System),
                Body::E2e => (Some(" spaced "), E2E.to_string(), MessageKind::Other),
            };
            want.push(Message {
                time: time_at(start, m.at, true),
                offset_seconds: offsets[i % offsets.len()].map(|o| o - o % 60),
                sender: sender.map(str::to_string),
                text: text.replace("\r\n", "\n"),
                kind,
            });
        }
        let mut out = Vec::new();
        write_csv_header(&mut out).unwrap();
        for m in &want {
            write_csv(&m.as_ref(), &mut out).unwrap();
        }
        let (got, summary) = parse_to_vec(&out, &ParseOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(summary.format, Format::Csv);
        prop_assert_eq!(&got, &want, "{}", String::from_utf8_lossy(&out));
    }
}

proptest! {
    /// Spreadsheet formulas (OWASP CSV injection) never start a cell that
    /// rekindle writes, and reading its own CSV back gives the exact text,
    /// apostrophes included, whatever the text starts with.
    #[test]
    fn csv_cells_never_start_a_formula_and_still_round_trip(
        head in prop::sample::select(vec!["", "'", "''", "'''"]),
        first in prop::sample::select(vec!["=", "+", "-", "@", "\t", "'", "a", " ", "\""]),
        rest in "[a-zA-Z0-9 ()=+,\"'-]{0,12}",
        sender_head in prop::sample::select(vec!["", "=", "@", "'="]),
    ) {
        let text = format!("{head}{first}{rest}");
        let sender = format!("{sender_head}Sam");
        let want = vec![Message {
            time: jiff::civil::date(2024, 3, 12).at(21, 5, 0, 0),
            offset_seconds: None,
            sender: Some(sender.clone()),
            text: text.clone(),
            kind: MessageKind::Text,
        }];
        let mut out = Vec::new();
        write_csv_header(&mut out).unwrap();
        write_csv(&want[0].as_ref(), &mut out).unwrap();
        let written = String::from_utf8(out.clone()).unwrap();
        let mut cells = csv::ReaderBuilder::new().from_reader(written.as_bytes());
        for record in cells.records() {
            for cell in record.unwrap().iter().skip(1) {
                prop_assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "a cell starts a formula: {written}"
                );
            }
        }
        let (got, _) = parse_to_vec(&out, &ParseOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&got, &want, "{}", written);
    }
}
