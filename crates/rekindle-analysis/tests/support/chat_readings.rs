//! Reading a labelled chat (tests/data/chats*/expected.json) against what the
//! analysis finds; shared by `tests/chats_written_apart.rs` and `examples/chats.rs`.

#![allow(dead_code, clippy::unwrap_used)]

use rekindle_analysis::{Analysis, AnalysisOptions, Lexicons, Message, Who, analyze};
use serde_json::Value;

/// How far (in lines) a found argument may lie outside the writer's
/// approximate lines and still be the same argument.
pub const SLACK: usize = 3;

/// One chat's readings.
pub struct Reading {
    pub file: String,
    pub messages: Vec<Message>,
    pub analysis: Analysis,
    /// The list of (one-sided, harsh person) pairs is the writer's, and each
    /// one-sided argument is started and escalated by its harsh person
    /// (compared in order, not by place).
    pub arguments_listed: bool,
    /// Every expected argument is found where the writer put it (a found
    /// argument with the same reading overlaps its lines, ± [`SLACK`]) and no
    /// found argument is left over.
    pub arguments_placed: bool,
    /// Boundaries: person, kind, unanswered count and line, all as expected.
    pub boundaries: bool,
    /// [`matched`]: (expected arguments found in place, expected, extra found).
    pub episodes: (usize, usize, usize),
}

/// (one-sided, harsh person) of each expected argument.
pub fn expected_arguments(exp: &Value) -> Vec<(bool, Option<String>)> {
    exp["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["one_sided"].as_bool().unwrap(),
                e["harsh_person"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Line numbers in expected.json count the file's lines: message k is line k + 1.
/// Every expected argument found in its place, and no other.
fn placed(a: &Analysis, exp: &Value) -> bool {
    let (hits, wanted, extra) = matched(a, exp);
    hits == wanted && extra == 0
}

/// Arguments found in place one by one (as [`placed`], greedily): (expected
/// ones found, expected ones, found ones that match none).
pub fn matched(a: &Analysis, exp: &Value) -> (usize, usize, usize) {
    let want = exp["episodes"].as_array().unwrap();
    let mut used = vec![false; a.conflicts.len()];
    let mut hits = 0;
    for w in want {
        let start = w["approx_start_line"].as_u64().unwrap() as usize;
        let end = w["approx_end_line"].as_u64().map_or(start, |e| e as usize);
        let reading = (
            w["one_sided"].as_bool().unwrap(),
            w["harsh_person"].as_str(),
        );
        let hit = a.conflicts.iter().enumerate().position(|(i, e)| {
            !used[i]
                && (e.one_sided, e.one_sided_by.as_deref()) == reading
                && e.start < end + SLACK
                && e.end + 1 + SLACK >= start
        });
        if let Some(i) = hit {
            used[i] = true;
            hits += 1;
        }
    }
    (hits, want.len(), used.iter().filter(|u| !**u).count())
}

pub fn read(dir: &str, file: &str, exp: &Value, lex: &Lexicons) -> Reading {
    let bytes = std::fs::read(format!("{dir}/{file}")).unwrap();
    let (messages, _) =
        rekindle_chat::parse_to_vec(&bytes, &rekindle_chat::ParseOptions::default()).unwrap();
    let who = Who {
        me: exp["me"].as_str().map(str::to_string),
        ex: exp["ex"].as_str().map(str::to_string),
    };
    let a = analyze(&messages, &who, &AnalysisOptions::default(), lex);
    let found: Vec<(bool, Option<String>)> = a
        .conflicts
        .iter()
        .map(|e| (e.one_sided, e.one_sided_by.clone()))
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
    let boundaries_ok = boundaries == want_b;
    Reading {
        file: file.to_string(),
        arguments_listed: found == expected_arguments(exp) && attributed,
        arguments_placed: placed(&a, exp),
        boundaries: boundaries_ok,
        episodes: matched(&a, exp),
        messages,
        analysis: a,
    }
}

/// Every chat of `dir` (a path) with an entry in its expected.json, in file-name order.
pub fn read_dir(dir: &str, lex: &Lexicons) -> Vec<Reading> {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/expected.json")).unwrap())
            .unwrap();
    let mut out: Vec<Reading> = expected
        .as_object()
        .unwrap()
        .iter()
        .map(|(file, exp)| read(dir, file, exp, lex))
        .collect();
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}
