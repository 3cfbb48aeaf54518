//! A generated 5,000-message chat (tests/data/generated_5000.txt, made by
//! tests/data/gen_labelled.py from the project's bench generator): the
//! "argument" sessions it wrote must come out as conflict episodes.
#![allow(clippy::unwrap_used)]

use rekindle_analysis::{AnalysisOptions, Lexicons, Who, analyze, summarize};

#[test]
fn argument_sessions_are_found_as_episodes() {
    let bytes = include_bytes!("data/generated_5000.txt");
    let labels: Vec<bool> = include_str!("data/generated_5000.labels")
        .lines()
        .map(|l| l == "1")
        .collect();
    let (messages, _) =
        rekindle_chat::parse_to_vec(bytes, &rekindle_chat::ParseOptions::default()).unwrap();
    // The first line is the encryption notice; label k is message k + 1.
    assert_eq!(messages.len(), labels.len() + 1);
    let lex = Lexicons::built_in();
    let a = analyze(
        &messages,
        &Who::default(),
        &AnalysisOptions::default(),
        &lex,
    );

    // Argument sessions = maximal runs of labelled messages.
    let mut sessions = Vec::new();
    let mut start = None;
    for (k, &l) in labels.iter().chain(std::iter::once(&false)).enumerate() {
        match (l, start) {
            (true, None) => start = Some(k + 1),
            (false, Some(s)) => {
                sessions.push((s, k));
                start = None;
            }
            _ => {}
        }
    }
    let overlaps = |s: &(usize, usize)| a.conflicts.iter().any(|e| e.start <= s.1 && e.end >= s.0);
    // Every argument session of 6 or more messages is found.
    let long: Vec<_> = sessions.iter().filter(|s| s.1 - s.0 + 1 >= 6).collect();
    let found = long.iter().filter(|s| overlaps(s)).count();
    for s in &long {
        eprintln!("session {s:?} found: {}", overlaps(s));
    }
    for e in &a.conflicts {
        eprintln!(
            "episode {}..{} {:?} {:?}",
            e.start, e.end, e.ended_by, e.topics
        );
    }
    for s in summarize(&a) {
        eprintln!("{s}");
    }
    assert!(long.len() >= 8, "{sessions:?}");
    assert_eq!(found, long.len(), "found {found} of {}", long.len());
    // And episodes are mostly inside argument sessions (few false alarms).
    let inside = a
        .conflicts
        .iter()
        .filter(|e| sessions.iter().any(|s| e.start <= s.1 && e.end >= s.0))
        .count();
    assert!(
        inside * 10 >= a.conflicts.len() * 8,
        "{inside} of {} episodes overlap an argument session",
        a.conflicts.len()
    );
}
