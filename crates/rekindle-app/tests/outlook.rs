//! The honest outlook over a real vault: what it gathers, that the chat's
//! post-mortem is read only when given, and that their no leaves only the
//! person's own recovery.
#![allow(clippy::unwrap_used)]

mod common;

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rekindle_analysis::Lexicons;
use rekindle_app::{method, outlook, postmortem, safety};
use rekindle_core::method::checkin::CheckInForm;
use rekindle_core::method::outlook::{Kind, Leaning, Scope};
use rekindle_core::method::plan::PlanForm;
use rekindle_core::method::problem::ProblemForm;
use rekindle_core::safety::SCREEN;

/// A WhatsApp export whose arguments keep coming back to money.
fn money_fights() -> String {
    let mut out = String::new();
    for d in 1..=20 {
        out.push_str(&format!(
            "{d:02}/03/2025, 21:00 - Sam: you spent all the money again, you never think\n\
             {d:02}/03/2025, 21:05 - Alex: whatever, it's not my fault the rent is so high\n\
             {d:02}/03/2025, 21:10 - Sam: you are so selfish about money\n\
             {d:02}/03/2025, 21:20 - Alex: leave me alone\n\
             {d:02}/03/2025, 23:50 - Sam: good night\n"
        ));
    }
    out
}

#[test]
fn the_outlook_gathers_the_vault_and_reads_the_chat_only_when_given() {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let tz = TimeZone::UTC;
    let today = date(2026, 11, 26);
    let at = |d: jiff::civil::Date| tz.to_timestamp(d.at(12, 0, 0, 0)).unwrap();
    let day = |n: i64| today.checked_sub(n.days()).unwrap();

    // Empty: nothing helps yet, nothing is invented.
    let o = outlook::gather(&v, &tz, today, None).unwrap();
    assert_eq!(o.scope, Scope::Whole);
    assert_eq!(o.count(Leaning::Helps), 0);

    let answers: Vec<(String, String)> = SCREEN
        .iter()
        .map(|q| (q.key.to_string(), "no".to_string()))
        .collect();
    safety::take_screen(&mut v, &answers, &tz, day(40), at(day(40))).unwrap();
    let problem = ProblemForm {
        title: "My drinking".into(),
        category: "substance".into(),
        whose: "mine".into(),
        frequency: "often".into(),
        severity: "4".into(),
        ..ProblemForm::default()
    };
    let pid = method::save_problem(&mut v, None, &problem, day(40), at(day(40))).unwrap();
    let plan = PlanForm {
        prevention: "I will not drink".into(),
        if1: "someone offers me a drink".into(),
        then1: "I ask for water".into(),
        commitment_title: "No alcohol".into(),
        kind: "daily".into(),
        ..PlanForm::default()
    };
    let plan_id = method::save_plan(&mut v, pid, &plan, day(40), at(day(40))).unwrap();
    for n in (1..=35).rev() {
        let form = CheckInForm {
            outcome: if n == 3 { "lapsed" } else { "kept" }.into(),
            ..CheckInForm::default()
        };
        method::check_in(&mut v, plan_id, &form, day(n), at(day(n))).unwrap();
    }
    method::save_ex_answer(&mut v, "I need time.", "", day(2), at(day(2))).unwrap();

    let o = outlook::gather(&v, &tz, today, None).unwrap();
    let kinds: Vec<(Kind, Leaning)> = o.factors.iter().map(|f| (f.kind, f.leaning)).collect();
    assert!(kinds.contains(&(Kind::Safety, Leaning::Helps)), "{kinds:?}");
    assert!(
        kinds.contains(&(Kind::Problems, Leaning::Helps)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(Kind::Commitment, Leaning::Helps)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(Kind::RecordLength, Leaning::Helps)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(Kind::Lapses, Leaning::Unknown)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(Kind::Chat, Leaning::Unknown)),
        "no chat yet"
    );
    let words = o
        .factors
        .iter()
        .find(|f| f.kind == Kind::TheirWords)
        .unwrap();
    assert!(words.suggests.contains("“I need time.”"));
    assert_eq!(words.leaning, Leaning::Unknown);

    // A chat: not analysed unless the caller has its post-mortem.
    common::import_text(&mut v, &money_fights());
    let o = outlook::gather(&v, &tz, today, None).unwrap();
    let chat = o.factors.iter().find(|f| f.kind == Kind::Chat).unwrap();
    assert_eq!(chat.source.path, "/w");
    assert!(chat.suggests.contains("100 messages"), "{}", chat.suggests);
    let analysis = postmortem::analyse_stored(&v, &Lexicons::built_in())
        .unwrap()
        .unwrap();
    let topics = outlook::chat_topics(&analysis.analysis);
    assert_eq!(topics.first().map(|t| t.label.as_str()), Some("money"));
    let o = outlook::gather(&v, &tz, today, Some(&analysis.analysis)).unwrap();
    let money = o
        .factors
        .iter()
        .find(|f| f.kind == Kind::Chat && f.title.contains("money"))
        .unwrap();
    assert_eq!(money.leaning, Leaning::WorksAgainst);
    assert!(money.suggests.contains("none of the problems"));

    // Their no: only the person's own recovery.
    safety::record_ex_no(&mut v, "said_no", today, Timestamp::now()).unwrap();
    let o = outlook::gather(&v, &tz, today, Some(&analysis.analysis)).unwrap();
    assert_eq!(o.scope, Scope::OwnRecovery);
    assert!(o.factors.iter().all(|f| f.kind.own_recovery()));
    assert!(o.factors.iter().any(|f| f.kind == Kind::Commitment));
    assert!(o.why.unwrap().contains("final here"));
}
