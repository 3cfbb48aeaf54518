//! The home page's progress: a new vault is empty; each step's counts follow
//! what was written; today's check-in is due until it is answered.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::ToSpan;
use jiff::civil::date;
use jiff::tz::TimeZone;
use rekindle_app::{method, progress};
use rekindle_core::method::checkin::CheckInForm;
use rekindle_core::method::plan::PlanForm;
use rekindle_core::method::problem::ProblemForm;

#[test]
fn progress_follows_the_vault_and_today_s_check_in_is_due_until_answered() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let tz = TimeZone::UTC;
    let today = date(2026, 11, 26);
    let at = |d: jiff::civil::Date| tz.to_timestamp(d.at(12, 0, 0, 0)).unwrap();
    let day = |n: i64| today.checked_sub(n.days()).unwrap();

    let p = progress::progress(&v, today).unwrap();
    assert!(p.is_empty(), "a new vault is a first visit: {p:?}");
    assert!(p.due.is_empty());

    let problem = ProblemForm {
        title: "My drinking".into(),
        category: "substance".into(),
        whose: "mine".into(),
        frequency: "often".into(),
        severity: "4".into(),
        ..ProblemForm::default()
    };
    let first = method::save_problem(&mut v, None, &problem, day(5), at(day(5))).unwrap();
    method::save_problem(&mut v, None, &problem, day(5), at(day(5))).unwrap();
    let p = progress::progress(&v, today).unwrap();
    assert!(!p.is_empty());
    assert_eq!((p.problems, p.answered, p.commitments), (2, 0, 0));

    let plan = PlanForm {
        prevention: "I will not drink".into(),
        if1: "someone offers me a drink".into(),
        then1: "I ask for water".into(),
        commitment_title: "No alcohol".into(),
        kind: "daily".into(),
        ..PlanForm::default()
    };
    let plan_id = method::save_plan(&mut v, first, &plan, day(3), at(day(3))).unwrap();
    for n in [2, 1] {
        let kept = CheckInForm {
            outcome: "kept".into(),
            ..CheckInForm::default()
        };
        method::check_in(&mut v, plan_id, &kept, day(n), at(day(n))).unwrap();
    }
    let p = progress::progress(&v, today).unwrap();
    assert_eq!((p.problems, p.answered, p.commitments), (2, 1, 1));
    assert_eq!(p.checkins, 2);
    assert_eq!(
        p.due,
        vec![progress::DueCheckIn {
            plan_id,
            title: "No alcohol".into()
        }]
    );

    let kept = CheckInForm {
        outcome: "kept".into(),
        ..CheckInForm::default()
    };
    method::check_in(&mut v, plan_id, &kept, today, at(today)).unwrap();
    let p = progress::progress(&v, today).unwrap();
    assert!(p.due.is_empty(), "answered today: nothing due");
    assert_eq!(p.checkins, 3);
    assert!(p.best_streak >= 1);
}
