//! Reminders as a calendar file (RFC 5545). The titles reveal nothing:
//! anyone glancing at a phone's calendar sees only "Daily check-in".

use jiff::Timestamp;
use jiff::civil::{Date, Time};

/// A calendar with a daily check-in reminder at `at` (the person's local
/// time, "floating" so it follows them across time zones) and a weekly one
/// on Sundays for the readiness questions.
pub fn reminders_ics(at: Time, from: Date, stamp: Timestamp) -> String {
    let start = from.to_datetime(at);
    let sunday = {
        let back = i64::from(from.weekday().to_sunday_zero_offset());
        from.checked_add(jiff::Span::new().days(7 - back))
            .unwrap_or(from)
    };
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//rekindle//reminders//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "BEGIN:VEVENT".into(),
        "UID:daily-checkin@rekindle.invalid".into(),
        format!("DTSTAMP:{}", stamp.strftime("%Y%m%dT%H%M%SZ")),
        format!("DTSTART:{}", start.strftime("%Y%m%dT%H%M%S")),
        "DURATION:PT5M".into(),
        "RRULE:FREQ=DAILY".into(),
        "SUMMARY:Daily check-in".into(),
        "BEGIN:VALARM".into(),
        "ACTION:DISPLAY".into(),
        "DESCRIPTION:Daily check-in".into(),
        "TRIGGER:PT0M".into(),
        "END:VALARM".into(),
        "END:VEVENT".into(),
        "BEGIN:VEVENT".into(),
        "UID:weekly-checkin@rekindle.invalid".into(),
        format!("DTSTAMP:{}", stamp.strftime("%Y%m%dT%H%M%SZ")),
        format!(
            "DTSTART:{}",
            sunday.to_datetime(at).strftime("%Y%m%dT%H%M%S")
        ),
        "DURATION:PT10M".into(),
        "RRULE:FREQ=WEEKLY;BYDAY=SU".into(),
        "SUMMARY:Weekly check-in".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn calendar_is_valid_and_discreet() {
        let ics = reminders_ics(
            time(21, 0, 0, 0),
            date(2026, 11, 26),
            "2026-11-26T12:00:00Z".parse().unwrap(),
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART:20261126T210000\r\n"));
        assert!(ics.contains("DTSTART:20261129T210000\r\n"), "next Sunday");
        assert_eq!(
            ics.matches("BEGIN:VEVENT").count(),
            ics.matches("END:VEVENT").count()
        );
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "folded lines are not needed: {line}");
            if let Some(s) = line.strip_prefix("SUMMARY:") {
                assert!(s == "Daily check-in" || s == "Weekly check-in");
            }
        }
        let lower = ics.to_lowercase();
        for word in [
            "rekindle:",
            "alcohol",
            "drink",
            "ex",
            "relationship",
            "lapse",
        ] {
            assert!(
                !lower.contains(&format!("summary:{word}"))
                    && !lower.contains(&format!("description:{word}"))
            );
        }
    }
}
