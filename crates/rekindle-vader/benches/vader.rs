//! Throughput of VADER scoring on the oracle sentences, single-threaded and with all cores.
//!
//! `cargo bench -p rekindle-vader --bench vader -- [--reps N] [PATH/TO/reference_scores.tsv]`
//!
//! Prints a human-readable summary and, for scripts, lines `RESULT <name> <threads>
//! <median seconds per pass> <sentences> <CPU cores actually used>`.
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

/// CPU time (user + system, all threads) of this process so far, in seconds, from
/// /proc/self/stat (Linux; USER_HZ = 100). `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the command name.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn checksum(scores: &[Scores]) -> f64 {
    scores
        .iter()
        .map(|s| s.neg + s.neu + s.pos + s.compound)
        .sum()
}

fn main() {
    let mut reps = 5usize;
    let mut path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vader/reference_scores.tsv");
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

    // Alternate the two modes so that changing load on a shared machine affects both alike.
    let mut single = Vec::new();
    let mut multi = Vec::new();
    let (mut cpu_single, mut cpu_multi) = (0.0, 0.0);
    for _ in 0..reps {
        let c = cpu_seconds().unwrap_or(0.0);
        let t = Instant::now();
        let out: Vec<Scores> = refs
            .iter()
            .map(|s| analyzer.polarity_scores(black_box(s)))
            .collect();
        single.push(t.elapsed().as_secs_f64());
        cpu_single += cpu_seconds().unwrap_or(0.0) - c;
        assert_eq!(checksum(black_box(&out)), expect);

        let c = cpu_seconds().unwrap_or(0.0);
        let t = Instant::now();
        let out = analyzer.score_many(black_box(&refs));
        multi.push(t.elapsed().as_secs_f64());
        cpu_multi += cpu_seconds().unwrap_or(0.0) - c;
        assert_eq!(checksum(black_box(&out)), expect);
    }
    let threads = rayon::current_num_threads();
    let fastest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    eprintln!(
        "fastest pass: 1 thread {:.2} ms, {threads} threads {:.2} ms",
        fastest(&single) * 1e3,
        fastest(&multi) * 1e3
    );
    // CPU seconds per wall second: how many cores the process actually got (others may be
    // running on a shared machine).
    let cores_single = cpu_single / single.iter().sum::<f64>();
    let cores_multi = cpu_multi / multi.iter().sum::<f64>();
    eprintln!(
        "cores actually used: 1 thread {cores_single:.2}, {threads} threads {cores_multi:.2}"
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
    println!("RESULT rust-single 1 {s:.6} {n} {cores_single:.2}");
    println!("RESULT rust-many {threads} {m:.6} {n} {cores_multi:.2}");
}
