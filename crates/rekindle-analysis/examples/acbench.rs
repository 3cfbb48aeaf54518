//! Temporary: time the automaton pass for pattern sets given as files.
use aho_corasick::{AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = std::fs::read_to_string(&args[0])
        .unwrap_or_default()
        .lines()
        .map(|l| format!(" {} ", rekindle_analysis::text::normalize(l)))
        .collect();
    let mut topics = Vec::new();
    for (_, t) in rekindle_analysis::BUILT_IN_TOPICS {
        for e in rekindle_analysis::parse_lexicon_file(t) {
            topics.push(match e.strip_suffix('*') {
                Some(s) => format!(" {s}"),
                None => format!(" {e} "),
            });
        }
    }
    let sets: Vec<(String, aho_corasick::AhoCorasick)> = args[1..]
        .iter()
        .map(|f| {
            let mut p: Vec<String> = std::fs::read_to_string(f)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect();
            p.extend(topics.iter().cloned());
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .prefilter(false)
                .build(&p)
                .expect("build");
            eprintln!("{f}: {} patterns, {} bytes", p.len(), ac.memory_usage());
            (f.clone(), ac)
        })
        .collect();
    let mut best = vec![f64::INFINITY; sets.len()];
    let mut matches = vec![0usize; sets.len()];
    for _ in 0..40 {
        for (k, (_, ac)) in sets.iter().enumerate() {
            let t0 = Instant::now();
            let mut n = 0usize;
            for t in &texts {
                n += ac.find_overlapping_iter(t.as_str()).count();
            }
            std::hint::black_box(n);
            matches[k] = n;
            best[k] = best[k].min(t0.elapsed().as_nanos() as f64 / texts.len() as f64);
        }
    }
    for (k, (f, _)) in sets.iter().enumerate() {
        println!(
            "{f}: {:.0} ns/msg, {:.2} matches/msg",
            best[k],
            matches[k] as f64 / texts.len() as f64
        );
    }
}
