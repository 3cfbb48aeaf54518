//! The conversations in tests/data/chats, chats2 and chats3, written by
//! people who never saw the rules: arguments (one-sided or not, and who was
//! harsh) and boundaries (who, what, how many messages went unanswered) come
//! out as the writer expected.
#![allow(clippy::unwrap_used)]

use rekindle_analysis::{AnalysisOptions, Lexicons, Who, analyze};
use serde_json::Value;

/// Per chat of `dir`: (file, arguments as expected, boundaries as expected).
fn readings(dir: &str) -> Vec<(String, bool, bool)> {
    let dir = format!("{}/tests/data/{dir}", env!("CARGO_MANIFEST_DIR"));
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/expected.json")).unwrap())
            .unwrap();
    let lex = Lexicons::built_in();
    let mut out = Vec::new();
    for (file, exp) in expected.as_object().unwrap() {
        let bytes = std::fs::read(format!("{dir}/{file}")).unwrap();
        let (messages, _) =
            rekindle_chat::parse_to_vec(&bytes, &rekindle_chat::ParseOptions::default()).unwrap();
        let who = Who {
            me: exp["me"].as_str().map(str::to_string),
            ex: exp["ex"].as_str().map(str::to_string),
        };
        let a = analyze(&messages, &who, &AnalysisOptions::default(), &lex);
        let arguments: Vec<(bool, Option<&str>)> = a
            .conflicts
            .iter()
            .map(|e| (e.one_sided, e.one_sided_by.as_deref()))
            .collect();
        let want: Vec<(bool, Option<&str>)> = exp["episodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["one_sided"].as_bool().unwrap(),
                    e["harsh_person"].as_str(),
                )
            })
            .collect();
        // A one-sided argument is started and escalated by its harsh person.
        let attributed = a
            .conflicts
            .iter()
            .zip(exp["episodes"].as_array().unwrap())
            .all(|(e, w)| {
                w["harsh_person"].as_str().is_none_or(|h| {
                    e.started_by.as_deref() == Some(h) && e.escalated_by.as_deref() == Some(h)
                })
            });
        let boundaries: Vec<(&str, &str, usize, usize)> = a
            .boundaries
            .iter()
            .map(|b| {
                (
                    b.person.as_str(),
                    b.kind.as_str(),
                    b.unanswered_after,
                    b.index + 1,
                )
            })
            .collect();
        // Line numbers in expected.json count the file's lines: message k is line k + 1.
        let want_b: Vec<(&str, &str, usize, usize)> = exp["boundaries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["person"].as_str().unwrap(),
                    b["kind"].as_str().unwrap(),
                    b["unanswered_after"].as_u64().unwrap() as usize,
                    b["line"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        out.push((
            file.clone(),
            arguments == want && attributed,
            boundaries == want_b,
        ));
    }
    out
}

#[test]
fn every_chat_of_the_first_set_reads_as_its_writer_expected() {
    let r = readings("chats");
    assert_eq!(r.len(), 8);
    for (file, arguments, boundaries) in r {
        assert!(arguments, "{file}: arguments");
        assert!(boundaries, "{file}: boundaries");
    }
}

/// The second set (session 10, tests/data/chats2/README.md): first run 9 of 24
/// readings (after adjudicating two unanswered counts), 13 after session 10,
/// 15 with the learned horsemen layer (session 11). Its odd files
/// (alphabetically) were read to find defects, the even ones are held out.
/// The readings right today must stay right; the floor counts them.
#[test]
fn the_second_set_keeps_the_readings_it_gets_right() {
    let r = readings("chats2");
    assert_eq!(r.len(), 12);
    let right: usize = r
        .iter()
        .map(|(_, a, b)| usize::from(*a) + usize::from(*b))
        .sum();
    assert!(right >= 15, "{right} of 24");
    for (file, arguments, boundaries) in &r {
        if [
            "ex_lied_then_accountable_apology_kind_goodbye_us.txt",
            "mutual_fights_twice_then_space_respected_aus.txt",
            "user_harsh_then_accountable_apology_indian.txt",
            "slow_fade_then_no_contact_uk.txt",
            "space_respected_then_mutual_ending_long_distance_indian.txt",
        ]
        .contains(&file.as_str())
        {
            assert!(arguments, "{file}: arguments");
        }
        let boundary_wrong = [
            "landlord_rage_then_real_fight_same_sex_aus.txt",
            "space_respected_then_mutual_ending_long_distance_indian.txt",
        ];
        if !boundary_wrong.contains(&file.as_str()) {
            assert!(boundaries, "{file}: boundaries");
        }
    }
}

/// The third set (session 11, tests/data/chats3/README.md; all held out: none
/// is read to write rules). First run of the shipped code 9 of 16 readings,
/// 10 with the learned horsemen layer. The readings right today must stay right.
#[test]
fn the_third_set_keeps_the_readings_it_gets_right() {
    let r = readings("chats3");
    assert_eq!(r.len(), 8);
    let right: usize = r
        .iter()
        .map(|(_, a, b)| usize::from(*a) + usize::from(*b))
        .sum();
    assert!(right >= 10, "{right} of 16");
    for (file, arguments, boundaries) in &r {
        if [
            "banter_heavy_couple_fine_irish.txt",
            "blocked_after_threats_same_sex_sa.txt",
            "mutual_fight_about_money_then_repair_indian.txt",
            "user_one_sided_criticism_ex_calm_us.txt",
        ]
        .contains(&file.as_str())
        {
            assert!(arguments, "{file}: arguments");
        }
        let boundary_wrong = [
            "space_request_respected_then_ended_kindly_same_sex_aus.txt",
            "two_fights_mixed_harshness_us.txt",
        ];
        if !boundary_wrong.contains(&file.as_str()) {
            assert!(boundaries, "{file}: boundaries");
        }
    }
}
