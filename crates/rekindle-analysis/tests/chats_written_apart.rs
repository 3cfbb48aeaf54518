//! The conversations in tests/data/chats, written by someone who never saw the
//! rules: arguments (one-sided or not, and who was harsh) and boundaries (who,
//! what, how many messages went unanswered) come out as the writer expected.
#![allow(clippy::unwrap_used)]

use rekindle_analysis::{AnalysisOptions, Lexicons, Who, analyze};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/chats");

#[test]
fn every_chat_reads_as_its_writer_expected() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/expected.json")).unwrap())
            .unwrap();
    let files = expected.as_object().unwrap();
    assert_eq!(files.len(), 8);
    let lex = Lexicons::built_in();
    for (file, exp) in files {
        let bytes = std::fs::read(format!("{DIR}/{file}")).unwrap();
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
        assert_eq!(arguments, want, "{file}: arguments");
        for (e, w) in a.conflicts.iter().zip(exp["episodes"].as_array().unwrap()) {
            if let Some(h) = w["harsh_person"].as_str() {
                assert_eq!(e.started_by.as_deref(), Some(h), "{file}: started by");
                assert_eq!(e.escalated_by.as_deref(), Some(h), "{file}: escalated by");
            }
        }
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
        let want: Vec<(&str, &str, usize, usize)> = exp["boundaries"]
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
        assert_eq!(boundaries, want, "{file}: boundaries");
    }
}
