//! Telegram `date` in every ISO 8601 form (fractions, `Z`, offsets), its
//! agreement with `date_unixtime`, and a clear error when no date can be read.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rekindle_chat::{DateTime, Format, Message, ParseError, ParseOptions, Summary, parse_to_vec};

/// A single-chat export holding `messages` (one per line, the first on line 6).
fn export(messages: &[String]) -> String {
    format!(
        "{{\n \"name\": \"Sam\",\n \"type\": \"personal_chat\",\n \"id\": 1,\n \"messages\": [\n{}\n ]\n}}\n",
        messages.join(",\n")
    )
}

fn msg(id: usize, date: Option<&str>, unix: Option<&str>, text: &str) -> String {
    let mut fields = vec![format!("\"id\": {id}"), "\"type\": \"message\"".to_string()];
    if let Some(d) = date {
        fields.push(format!("\"date\": \"{d}\""));
    }
    if let Some(u) = unix {
        fields.push(format!("\"date_unixtime\": \"{u}\""));
    }
    fields.push("\"from\": \"Sam\"".to_string());
    fields.push(format!("\"text\": \"{text}\""));
    format!("  {{{}}}", fields.join(", "))
}

fn parse(json: &str) -> (Vec<Message>, Summary) {
    parse_to_vec(json.as_bytes(), &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{e}\n{json}"))
}

fn one(date: Option<&str>, unix: Option<&str>) -> (String, Option<i32>, Summary) {
    let (m, s) = parse(&export(&[msg(1, date, unix, "hi")]));
    assert_eq!(m.len(), 1);
    assert_eq!(s.format, Format::Telegram);
    (m[0].time.to_string(), m[0].offset_seconds, s)
}

#[test]
fn telegram_desktop_date_without_offset() {
    let (t, o, s) = one(Some("2024-01-12T10:00:00"), None);
    assert_eq!((t.as_str(), o), ("2024-01-12T10:00:00", None));
    assert_eq!(s.skipped_count, 0);
    // A space for the "T", and minutes only.
    assert_eq!(
        one(Some("2024-01-12 10:00:00"), None).0,
        "2024-01-12T10:00:00"
    );
    assert_eq!(one(Some("2024-01-12T10:00"), None).0, "2024-01-12T10:00:00");
}

#[test]
fn telegram_date_with_milliseconds() {
    let (t, o, _) = one(Some("2024-01-12T10:00:00.123"), None);
    assert_eq!((t.as_str(), o), ("2024-01-12T10:00:00.123", None));
    let (t, _, _) = one(Some("2024-01-12T10:00:00,5"), None);
    assert_eq!(t, "2024-01-12T10:00:00.5");
}

#[test]
fn telegram_date_with_milliseconds_and_z_is_read_not_refused() {
    // The issue: every message dated like this was skipped, then "holds no messages".
    let json = export(&[
        msg(1, Some("2024-01-12T10:00:00.123Z"), None, "one"),
        msg(2, Some("2024-01-12T10:00:05Z"), None, "two"),
        msg(3, Some("2024-01-12T10:00:06.000z"), None, "three"),
    ]);
    let (m, s) = parse(&json);
    assert_eq!(m.len(), 3);
    assert_eq!(s.skipped_count, 0);
    assert_eq!(m[0].time.to_string(), "2024-01-12T10:00:00.123");
    assert_eq!(m[1].time.to_string(), "2024-01-12T10:00:05");
    assert!(m.iter().all(|x| x.offset_seconds == Some(0)));
}

#[test]
fn telegram_date_with_offsets() {
    for (date, time, offset) in [
        ("2024-01-12T10:00:00+02:00", "2024-01-12T10:00:00", 7200),
        ("2024-01-12T10:00:00-0500", "2024-01-12T10:00:00", -18000),
        (
            "2024-01-12T10:00:00.250+05:30",
            "2024-01-12T10:00:00.25",
            19800,
        ),
        ("2024-01-12T10:00:00+01", "2024-01-12T10:00:00", 3600),
        ("2024-01-12T10:00:00-00:00", "2024-01-12T10:00:00", 0),
    ] {
        // The clock time is kept as written (the crate's civil-time convention), with its offset.
        let (t, o, _) = one(Some(date), None);
        assert_eq!((t.as_str(), o), (time, Some(offset)), "{date}");
    }
}

#[test]
fn telegram_date_unixtime_agrees_with_every_form() {
    // 2024-01-12T10:00:00Z is 1705053600.
    for (date, offset) in [
        ("2024-01-12T12:00:00", 7200),
        ("2024-01-12T12:00:00+02:00", 7200),
        ("2024-01-12T10:00:00Z", 0),
        ("2024-01-12T10:00:00.999Z", 0),
        ("2024-01-12T05:00:00-0500", -18000),
        // A fraction west of UTC (the offset is computed on whole seconds).
        ("2024-01-12T07:00:00.500-03:00", -10800),
        ("2024-01-12T07:00:00.5", -10800),
    ] {
        let (_, o, s) = one(Some(date), Some("1705053600"));
        assert_eq!(o, Some(offset), "{date}");
        assert!(s.warnings.is_empty(), "{date}: {:?}", s.warnings);
    }
}

#[test]
fn telegram_date_unixtime_wins_when_the_offsets_disagree() {
    // `date` claims UTC, `date_unixtime` says the same clock time was 11:00 UTC.
    let json = export(&[
        msg(1, Some("2024-01-12T10:00:00Z"), Some("1705057200"), "a"),
        msg(2, Some("2024-01-12T10:01:00Z"), Some("1705057260"), "b"),
    ]);
    let (m, s) = parse(&json);
    assert_eq!(m[0].time.to_string(), "2024-01-12T10:00:00");
    assert_eq!(m[0].offset_seconds, Some(-3600));
    assert_eq!(m[1].offset_seconds, Some(-3600));
    assert_eq!(s.warnings.len(), 1, "one warning, not one per message");
    assert!(s.warnings[0].contains("date_unixtime"), "{:?}", s.warnings);
}

#[test]
fn telegram_unreadable_date_with_unixtime_is_utc() {
    let (t, o, _) = one(Some("sometime in January"), Some("1705053600"));
    assert_eq!((t.as_str(), o), ("2024-01-12T10:00:00", Some(0)));
}

#[test]
fn telegram_garbage_dates_give_a_clear_error() {
    let json = export(&[
        msg(1, Some("yesterday"), None, "a"),
        msg(2, Some("2024-13-45T99:99:99Z"), None, "b"),
    ]);
    let e = parse_to_vec(json.as_bytes(), &ParseOptions::default()).unwrap_err();
    let sentence = e.to_string();
    assert!(matches!(e, ParseError::NotAChat { line: 6, .. }), "{e:?}");
    assert!(!sentence.contains("holds no messages"), "{sentence}");
    assert!(sentence.starts_with("Line 6 does not look like a dated Telegram message: expected a \"date\" such as 2024-01-12T10:00:00"), "{sentence}");
    assert!(sentence.ends_with("found “yesterday”."), "{sentence}");
    // The same with the format forced.
    let forced = ParseOptions {
        format: Some(Format::Telegram),
        ..Default::default()
    };
    assert_eq!(parse_to_vec(json.as_bytes(), &forced).unwrap_err(), e);
}

#[test]
fn telegram_messages_without_any_date_give_a_clear_error() {
    let json = export(&[msg(1, None, None, "a")]);
    let e = parse_to_vec(json.as_bytes(), &ParseOptions::default()).unwrap_err();
    assert!(matches!(e, ParseError::NotAChat { line: 6, .. }), "{e:?}");
    assert!(!e.to_string().contains("holds no messages"), "{e}");
    // A list that is really empty still says so.
    assert_eq!(
        parse_to_vec(export(&[]).as_bytes(), &ParseOptions::default()).unwrap_err(),
        ParseError::NoMessages {
            format: Format::Telegram
        }
    );
}

#[test]
fn telegram_a_few_garbage_dates_are_skipped_and_counted() {
    let json = export(&[
        msg(1, Some("2024-01-12T10:00:00.123Z"), None, "good"),
        msg(2, Some("12/01/2024 10:00"), None, "bad"),
        msg(3, Some("2024-01-12T10:00:00+99:00"), None, "bad offset"),
    ]);
    let (m, s) = parse(&json);
    assert_eq!(m.len(), 1);
    assert_eq!(s.skipped_count, 2);
    assert_eq!(
        s.skipped[0].reason,
        "the date of this message is not a date"
    );
    assert_eq!(s.skipped[0].line, 7);
}

/// One `date` string of `t` (a whole-second civil time plus `nanos`) in a random ISO form.
fn render(t: DateTime, nanos: u32, digits: usize, sep: char, zone: &Zone) -> String {
    let mut s = format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if digits > 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(&frac[..digits]);
    }
    match zone {
        Zone::None => {}
        Zone::Z => s.push('Z'),
        Zone::Colon(o) | Zone::Basic(o) => {
            let sign = if *o < 0 { '-' } else { '+' };
            let (h, m) = (o.abs() / 3600, o.abs() % 3600 / 60);
            if matches!(zone, Zone::Colon(_)) {
                s.push_str(&format!("{sign}{h:02}:{m:02}"));
            } else {
                s.push_str(&format!("{sign}{h:02}{m:02}"));
            }
        }
    }
    s
}

#[derive(Debug, Clone)]
enum Zone {
    None,
    Z,
    Colon(i32),
    Basic(i32),
}

proptest! {
    /// Every rendering of a date parses to the clock time written (fraction kept to the
    /// digits written) with the offset it states, and `date_unixtime` (when present)
    /// agrees with it.
    #[test]
    fn telegram_dates_in_every_iso_form(
        secs in 0i64..4_000_000_000,
        nanos in 0u32..1_000_000_000,
        digits in 0usize..=9,
        sep in prop::sample::select(vec!['T', ' ', 't']),
        quarter in -48i32..=56,
        zone_kind in 0u8..4,
        with_unix in prop::bool::ANY,
    ) {
        let offset = quarter * 15 * 60;
        let zone = match zone_kind {
            0 => Zone::None,
            1 => Zone::Z,
            2 => Zone::Colon(offset),
            _ => Zone::Basic(offset),
        };
        let stated = match zone {
            Zone::None => None,
            Zone::Z => Some(0),
            Zone::Colon(o) | Zone::Basic(o) => Some(o),
        };
        let t = jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::from_second(secs).unwrap());
        let date = render(t, nanos, digits, sep, &zone);
        // The instant the clock time shows, at the stated offset (or an arbitrary one).
        let at = stated.unwrap_or(offset);
        let unix = (secs - i64::from(at)).to_string();
        let (m, s) = parse(&export(&[msg(1, Some(&date), with_unix.then_some(unix.as_str()), "x")]));
        let kept = if digits == 0 { 0 } else { nanos / 10u32.pow(9 - digits as u32) * 10u32.pow(9 - digits as u32) };
        let want = t.with().subsec_nanosecond(kept as i32).build().unwrap();
        prop_assert_eq!(m[0].time, want, "{}", date);
        let want_offset = if with_unix { Some(at) } else { stated };
        prop_assert_eq!(m[0].offset_seconds, want_offset, "{}", date);
        prop_assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }
}
