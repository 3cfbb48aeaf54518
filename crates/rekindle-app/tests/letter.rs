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
    safety::take_screen(&mut v, &screen(|_| "no"), &tz, today, now).unwrap();
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
