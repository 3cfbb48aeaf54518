//! Taking things back: withdrawn items leave counts and views, check-ins of
//! a withdrawn commitment stay in the record (marked, not counted), and
//! everything comes back as it was.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rekindle_app::method::{self, MethodError};
use rekindle_app::retract::{self, Kind, Target};
use rekindle_app::support;
use rekindle_core::method::checkin::CheckInForm;
use rekindle_core::method::plan::PlanForm;
use rekindle_core::method::problem::ProblemForm;
use rekindle_core::support::{MyBookForm, SupporterForm};
use rekindle_store::{SqliteVault, Store};

const D0: Date = date(2026, 3, 2);

fn at(day: Date) -> Timestamp {
    day.at(12, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .unwrap()
        .timestamp()
}

fn day(n: i64) -> Date {
    D0.checked_add(n.days()).unwrap()
}

fn t(kind: &str, id: &str) -> Target {
    Target::parse(kind, id).unwrap()
}

/// A problem with a daily commitment started on D0; returns (problem, plan).
fn problem_with_commitment(v: &mut SqliteVault, title: &str) -> (i64, i64) {
    let form = ProblemForm {
        title: title.into(),
        category: "substance".into(),
        whose: "mine".into(),
        frequency: "often".into(),
        severity: "4".into(),
        ..Default::default()
    };
    let problem = method::save_problem(v, None, &form, D0, at(D0)).unwrap();
    let plan = method::save_plan(v, problem, &commitment_form("No alcohol"), D0, at(D0)).unwrap();
    (problem, plan)
}

fn commitment_form(title: &str) -> PlanForm {
    PlanForm {
        prevention: "I stop drinking".into(),
        if1: "someone offers a drink".into(),
        then1: "I ask for water".into(),
        commitment_title: title.into(),
        kind: "daily".into(),
        ..Default::default()
    }
}

fn check_in(v: &mut SqliteVault, plan: i64, n: i64, outcome: &str) {
    let form = CheckInForm {
        outcome: outcome.into(),
        ..Default::default()
    };
    method::check_in(v, plan, &form, day(n), at(day(n))).unwrap();
}

#[test]
fn a_withdrawn_commitment_stops_counting_and_its_checkins_stay_marked() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let (problem, plan) = problem_with_commitment(&mut v, "Drinking");
    check_in(&mut v, plan, 0, "kept");
    check_in(&mut v, plan, 1, "lapsed");
    check_in(&mut v, plan, 2, "kept");
    let c = &method::commitments(&v, day(2)).unwrap()[0];
    assert_eq!((c.summary.kept, c.summary.lapsed), (2, 1));
    assert!(method::problem(&v, problem).unwrap().answered());

    let done = retract::withdraw(
        &mut v,
        &t("commitment", &plan.to_string()),
        day(2),
        at(day(2)),
    )
    .unwrap();
    assert_eq!(done.title, "No alcohol");
    assert!(method::commitments(&v, day(2)).unwrap().is_empty());
    assert!(
        !method::problem(&v, problem).unwrap().answered(),
        "without its commitment the problem needs one again"
    );
    assert_eq!(
        method::pattern(&v, &TimeZone::UTC, day(2)).unwrap().lapses,
        0
    );
    // The record itself is untouched: three check-ins, one version each.
    let items = v.items(method::CHECKIN).unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i.versions.len() == 1));
    let records = retract::withdrawn_records(&v, &TimeZone::UTC).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].withdrawn_on, day(2));
    assert_eq!(records[0].checkins.len(), 3);
    let listed = retract::withdrawn(&v, &TimeZone::UTC).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].kind, listed[0].id.as_str()),
        (Kind::Commitment, format!("{plan}.1").as_str())
    );

    // A new commitment on the same plan starts its own record.
    method::save_plan(
        &mut v,
        problem,
        &commitment_form("One drink at most"),
        day(3),
        at(day(3)),
    )
    .unwrap();
    check_in(&mut v, plan, 3, "kept");
    let c = &method::commitments(&v, day(3)).unwrap()[0];
    assert_eq!(c.commitment.title, "One drink at most");
    assert_eq!((c.summary.kept, c.summary.lapsed), (1, 0));
    assert_eq!(c.checkins.len(), 1);
    // The old one cannot come back over it ...
    let clash = retract::restore(&mut v, &t("commitment", &format!("{plan}.1")), at(day(3)));
    assert!(matches!(clash, Err(MethodError::Form(_))));
    // ... until the new one is withdrawn too; then its own days count again.
    retract::withdraw(
        &mut v,
        &t("commitment", &plan.to_string()),
        day(3),
        at(day(3)),
    )
    .unwrap();
    let back =
        retract::restore(&mut v, &t("commitment", &format!("{plan}.1")), at(day(3))).unwrap();
    assert_eq!(back.title, "No alcohol");
    let c = &method::commitments(&v, day(3)).unwrap()[0];
    assert_eq!(c.commitment.title, "No alcohol");
    assert_eq!(
        (c.summary.kept, c.summary.lapsed),
        (2, 1),
        "day 3 was the other commitment's"
    );
    let records = retract::withdrawn_records(&v, &TimeZone::UTC).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].title, "One drink at most");
    assert_eq!(records[0].checkins.len(), 1);
}

#[test]
fn a_withdrawn_problem_leaves_every_view_and_comes_back() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let (problem, plan) = problem_with_commitment(&mut v, "Drinking");
    let (other, _) = problem_with_commitment(&mut v, "Late nights");
    check_in(&mut v, plan, 0, "kept");
    assert_eq!(method::problems(&v).unwrap().len(), 2);
    assert_eq!(method::alcohol_free_days(&v, day(0), 30).unwrap(), Some(1));

    retract::withdraw(
        &mut v,
        &t("problem", &problem.to_string()),
        day(0),
        at(day(0)),
    )
    .unwrap();
    let left: Vec<i64> = method::problems(&v).unwrap().iter().map(|p| p.id).collect();
    assert_eq!(left, vec![other]);
    assert_eq!(method::commitments(&v, day(0)).unwrap().len(), 1);
    assert_eq!(method::alcohol_free_days(&v, day(0), 30).unwrap(), Some(0));
    assert!(matches!(
        method::problem(&v, problem),
        Err(MethodError::NotFound)
    ));
    // Its commitment's check-in is kept, marked with the day it went.
    let records = retract::withdrawn_records(&v, &TimeZone::UTC).unwrap();
    assert_eq!((records.len(), records[0].checkins.len()), (1, 1));
    // Withdrawing it twice: there is no such live problem.
    assert!(matches!(
        retract::withdraw(
            &mut v,
            &t("problem", &problem.to_string()),
            day(0),
            at(day(0))
        ),
        Err(MethodError::NotFound)
    ));

    let back = retract::restore(&mut v, &t("problem", &problem.to_string()), at(day(1))).unwrap();
    assert_eq!(back.title, "Drinking");
    assert_eq!(method::problems(&v).unwrap().len(), 2);
    assert_eq!(method::commitments(&v, day(0)).unwrap().len(), 2);
    assert!(retract::withdrawn(&v, &TimeZone::UTC).unwrap().is_empty());
    assert!(
        retract::withdrawn_records(&v, &TimeZone::UTC)
            .unwrap()
            .is_empty()
    );
    // Three versions: saved, withdrawn, restored.
    assert_eq!(v.item(problem).unwrap().unwrap().versions.len(), 3);
    // Restoring what is not withdrawn is "no such item".
    assert!(matches!(
        retract::restore(&mut v, &t("problem", &problem.to_string()), at(day(1))),
        Err(MethodError::NotFound)
    ));
}

#[test]
fn supporters_books_and_takeaways_are_edited_withdrawn_and_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let now = at(D0);
    let dana = SupporterForm {
        name: "Dana".into(),
        role: "ally".into(),
        ..Default::default()
    };
    let s = support::save_supporter(&mut v, &dana, now).unwrap();
    // An edit that fails leaves the stored one as it was.
    let bad = SupporterForm {
        name: String::new(),
        ..dana.clone()
    };
    assert!(matches!(
        support::update_supporter(&mut v, s, &bad, now),
        Err(MethodError::Form(_))
    ));
    assert_eq!(support::supporter(&v, s).unwrap().name, "Dana");
    let edited = SupporterForm {
        name: "Dana K.".into(),
        role: "counsellor".into(),
        ..dana
    };
    support::update_supporter(&mut v, s, &edited, now).unwrap();
    assert_eq!(support::supporter(&v, s).unwrap().name, "Dana K.");
    retract::withdraw(&mut v, &t("supporter", &s.to_string()), D0, now).unwrap();
    assert!(support::supporters(&v).unwrap().is_empty());
    assert!(matches!(
        support::update_supporter(&mut v, s, &edited, now),
        Err(MethodError::NotFound)
    ));
    retract::restore(&mut v, &t("supporter", &s.to_string()), now).unwrap();
    assert_eq!(support::supporters(&v).unwrap()[0].1.name, "Dana K.");

    let b = support::add_book(
        &mut v,
        &MyBookForm {
            title: "Hold Me Tight".into(),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    support::add_takeaway(&mut v, b, "Name the pattern, not the person", now).unwrap();
    support::add_takeaway(&mut v, b, "Reach out softly", now).unwrap();
    support::edit_takeaway(&mut v, b, 1, "Reach out gently", now).unwrap();
    retract::withdraw(&mut v, &t("takeaway", &format!("{b}.1")), D0, now).unwrap();
    assert_eq!(
        support::book(&v, b).unwrap().takeaways,
        vec!["Reach out gently".to_string()]
    );
    let listed = retract::withdrawn(&v, &TimeZone::UTC).unwrap();
    assert_eq!(listed[0].id, format!("{b}.1"));
    retract::restore(&mut v, &t("takeaway", &format!("{b}.1")), now).unwrap();
    assert_eq!(support::book(&v, b).unwrap().takeaways.len(), 2);
    support::update_book(
        &mut v,
        b,
        &MyBookForm {
            title: "Hold Me Tight (2008)".into(),
            author: "Sue Johnson".into(),
            status: "reading".into(),
        },
        now,
    )
    .unwrap();
    let book = support::book(&v, b).unwrap();
    assert_eq!(
        (book.title.as_str(), book.takeaways.len()),
        ("Hold Me Tight (2008)", 2)
    );
    retract::withdraw(&mut v, &t("book", &b.to_string()), D0, now).unwrap();
    assert!(support::books(&v).unwrap().is_empty());
    // A takeaway number that is not there.
    assert!(Target::parse("takeaway", "4.0").is_none());
    assert!(Target::parse("supporter", "4.1").is_none());
    assert!(Target::parse("nonsense", "4").is_none());
}

#[test]
fn a_withdrawn_sent_letter_still_counts_for_the_one_message_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let letter = rekindle_core::letter::Letter {
        text: "Dear Alex".into(),
        sent_on: Some(D0),
        reply: None,
    };
    let id = v
        .save_item(
            rekindle_app::letter::LETTER,
            None,
            &serde_json::to_value(&letter).unwrap(),
            at(D0),
        )
        .unwrap();
    let before = rekindle_app::safety::facts(&v, &TimeZone::UTC).unwrap();
    retract::withdraw(&mut v, &t("letter", &id.to_string()), D0, at(D0)).unwrap();
    assert!(rekindle_app::letter::letters(&v).unwrap().is_empty());
    let after = rekindle_app::safety::facts(&v, &TimeZone::UTC).unwrap();
    assert_eq!(format!("{before:?}"), format!("{after:?}"));
}
