//! The letter builder obeys the safety lock, their no, the record's minimum
//! length and the one-message rule; its checker flags the horsemen.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rekindle_app::{letter, safety};
use rekindle_core::method::checkin::{CheckIn, Outcome};
use rekindle_core::safety::{Refusal, SCREEN};
use rekindle_store::Store;

fn screen(answer_for: impl Fn(&str) -> &'static str) -> Vec<(String, String)> {
    SCREEN
        .iter()
        .map(|q| (q.key.to_string(), answer_for(q.key).to_string()))
        .collect()
}

#[test]
fn the_gate_in_order_and_the_checker() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let tz = TimeZone::UTC;
    let today = date(2026, 11, 26);
    let now = Timestamp::from_second(1_780_000_000).unwrap();
    assert_eq!(
        letter::gate(&v, &tz, today).unwrap(),
        Err(Refusal::ScreenNeeded)
    );
    safety::take_screen(
        &mut v,
        &screen(|k| if k == "hurt_me" { "yes" } else { "no" }),
        &tz,
        today,
        now,
    )
    .unwrap();
    assert!(matches!(
        letter::gate(&v, &tz, today).unwrap(),
        Err(Refusal::SafetyLock { .. })
    ));
    assert!(
        letter::save(&mut v, "Dear Alex", today, now).is_err(),
        "saving is refused under the lock too"
    );
    // Lifting the lock waits a day after the last screen.
    assert!(safety::take_screen(&mut v, &screen(|_| "no"), &tz, today, now).is_err());
    let a_day_later = now.checked_add(jiff::Span::new().hours(25)).unwrap();
    safety::take_screen(&mut v, &screen(|_| "no"), &tz, today, a_day_later).unwrap();
    assert!(matches!(
        letter::gate(&v, &tz, today).unwrap(),
        Err(Refusal::RecordTooShort { .. })
    ));
    // Forty days of record (written straight to the store: forms cap late entries at 30 days).
    for n in 1..=40i64 {
        let day = today.checked_sub(n.days()).unwrap();
        let c = CheckIn {
            plan_id: 1,
            day,
            outcome: Outcome::Kept,
            count: None,
            note: String::new(),
            trigger: String::new(),
            instead: String::new(),
            recorded_on: day,
        };
        v.save_item("checkin", None, &serde_json::to_value(&c).unwrap(), now)
            .unwrap();
    }
    assert_eq!(letter::gate(&v, &tz, today).unwrap(), Ok(()));
    letter::save(&mut v, "Dear Alex, I'm sorry.", today, now).unwrap();
    letter::mark_sent(&mut v, today, now).unwrap();
    assert_eq!(
        letter::gate(&v, &tz, today).unwrap(),
        Err(Refusal::OutreachUsed),
        "one message; no reply means stop"
    );
    letter::record_reply(&mut v, false, today, now).unwrap();
    assert!(
        matches!(
            letter::gate(&v, &tz, today).unwrap(),
            Err(Refusal::ExSaidNo { .. })
        ),
        "a no is recorded as final"
    );
    // The checker.
    let flags = letter::check("You always ruin everything. I'm sorry for my part.");
    assert_eq!(flags.len(), 1);
    assert!(
        flags[0].horsemen.contains(&"criticism".to_string()),
        "{flags:?}"
    );
    assert!(flags[0].hints[0].contains("Gentle start-up"));
}

/// The check reads each sentence for the horsemen and for pressure, says why
/// and offers a better sentence; accountable apologies and the app's own
/// draft are never flagged.
#[test]
fn the_letter_check_finds_pressure_and_never_flags_an_apology() {
    let draft = rekindle_core::letter::draft(&rekindle_core::letter::LetterFacts {
        their_name: "Alex".into(),
        my_name: "Sam".into(),
        my_parts: vec![
            (
                "My drinking".into(),
                "I drank and said hurtful things".into(),
            ),
            ("Put-downs".into(), "made her feel stupid".into()),
        ],
        changes: vec![(
            "I will not drink at all.".into(),
            "No alcohol".into(),
            45,
            Some(97),
            1,
        )],
        confirmations: 1,
        record_days: 46,
    });
    assert!(
        letter::check(&draft).is_empty(),
        "{:?}",
        letter::check(&draft)
    );
    for apology in [
        "I'm so sorry I made you feel stupid in front of your friends.",
        "It was my fault, not yours.",
        "I respect your decision, and I hope you find happiness.",
        "I never should have yelled at you.",
    ] {
        assert!(
            letter::check(apology).is_empty(),
            "{apology}: {:?}",
            letter::check(apology)
        );
    }
    let flags = letter::check(
        "Please please just answer me. I can't live without you. You owe me an explanation.",
    );
    let kinds: Vec<&str> = flags
        .iter()
        .flat_map(|f| f.pressure.iter().map(String::as_str))
        .collect();
    for k in ["begging", "self_harm_leverage", "entitlement"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    for f in &flags {
        assert_eq!(f.why.len(), f.hints.len());
        assert!(!f.why.is_empty() && f.hints.iter().all(|h| !h.is_empty()));
    }
}

/// Self-harm leverage keeps the strong wording where the crisis check sees
/// thoughts of self-harm, and a gentler one where it does not (the pressure
/// layer also reads sighs that way); both name the help lines.
#[test]
fn self_harm_leverage_is_worded_by_what_the_crisis_check_sees() {
    let why_for = |text: &str| -> Option<&'static str> {
        letter::check(text).into_iter().find_map(|f| {
            f.pressure
                .iter()
                .position(|p| p == "self_harm_leverage")
                .map(|i| f.why[f.horsemen.len() + i])
        })
    };
    let strong = why_for("If you don't answer me tonight I will kill myself.")
        .expect("an outright threat to kill oneself is self-harm leverage");
    assert!(strong.contains("you deserve help now"), "{strong}");
    assert!(!strong.contains("If you are having thoughts"), "{strong}");
    for sigh in [
        "I can't live without you.",
        "I guess I'll just eat alone again.",
    ] {
        if let Some(why) = why_for(sigh) {
            assert!(why.contains("If you are having thoughts"), "{sigh}: {why}");
            assert!(
                why.contains("help lines are one click away"),
                "{sigh}: {why}"
            );
        }
    }
    assert!(
        why_for("I can't live without you.").is_some(),
        "still read as leverage"
    );
}
