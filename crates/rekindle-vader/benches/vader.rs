//! Throughput of VADER scoring on the oracle sentences, single-threaded and with all cores.
//!
//! `cargo bench -p rekindle-vader --bench vader -- [--reps N] [PATH/TO/reference_scores.tsv]`
//!
//! Prints a human-readable summary and, for scripts, lines `RESULT <name> <threads>
//! <median seconds per pass> <sentences>`.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use rekindle_vader::{Analyzer, Scores};

fn unquote(field: &str) -> String {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn checksum(scores: &[Scores]) -> f64 {
    scores
        .iter()
        .map(|s| s.neg + s.neu + s.pos + s.compound)
        .sum()
}

fn main() {
    let mut reps = 5usize;
    let mut path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/vader/reference_scores.tsv");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bench" => {}
            "--reps" => reps = args.next().unwrap().parse().unwrap(),
            _ => path = PathBuf::from(a),
        }
    }
    let data = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let texts: Vec<String> = data
        .split('\n')
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| unquote(l.splitn(7, '\t').nth(6).unwrap()))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let n = refs.len();

    let t = Instant::now();
    let analyzer = Analyzer::new();
    let build = t.elapsed().as_secs_f64();

    // Warm-up (page in the dictionaries, start the thread pool).
    let expect = checksum(&analyzer.score_many(&refs));

    let mut single = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let out: Vec<Scores> = refs
            .iter()
            .map(|s| analyzer.polarity_scores(black_box(s)))
            .collect();
        single.push(t.elapsed().as_secs_f64());
        assert_eq!(checksum(black_box(&out)), expect);
    }
    let mut multi = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let out = analyzer.score_many(black_box(&refs));
        multi.push(t.elapsed().as_secs_f64());
        assert_eq!(checksum(black_box(&out)), expect);
    }
    let threads = rayon::current_num_threads();
    let fastest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    eprintln!(
        "fastest pass: 1 thread {:.2} ms, {threads} threads {:.2} ms",
        fastest(&single) * 1e3,
        fastest(&multi) * 1e3
    );
    let (s, m) = (median(single), median(multi));
    eprintln!("analyzer built in {:.2} ms", build * 1e3);
    eprintln!(
        "1 thread : {:.2} ms per pass of {n} sentences, {:.0} sentences/s",
        s * 1e3,
        n as f64 / s
    );
    eprintln!(
        "{threads} threads: {:.2} ms per pass of {n} sentences, {:.0} sentences/s",
        m * 1e3,
        n as f64 / m
    );
    println!("RESULT rust-single 1 {s:.6} {n}");
    println!("RESULT rust-many {threads} {m:.6} {n}");
}
