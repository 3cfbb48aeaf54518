//! Parse a generated export and analyse it, the way `rekindle analyze FILE` does:
//! classification runs while the file is parsed, then the file is dropped.
//!
//! ```text
//! python3 ../shared/bench/gen_whatsapp.py --messages 1000000 --seed 1 --format android -o /tmp/chat_1m.txt
//! cargo run --release -p rekindle-analysis --example bench -- /tmp/chat_1m.txt
//! ```

use std::time::Instant;

use rekindle_analysis::{AnalysisOptions, Lexicons, Prepared, Who, analyze_prepared, summarize};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench FILE");
        std::process::exit(2);
    };
    let t0 = Instant::now();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let read = t0.elapsed();
    let size = bytes.len();
    let lex = Lexicons::built_in();
    let t1 = Instant::now();
    let (prepared, summary) =
        match Prepared::from_export(&bytes, &rekindle_chat::ParseOptions::default(), &lex) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
    if std::env::args().any(|a| a == "--boundaries") {
        // What boundary detection alone costs over every text (it runs inside
        // the classification above; this repeats just that part).
        if let Ok((messages, _)) =
            rekindle_chat::parse_to_vec(&bytes, &rekindle_chat::ParseOptions::default())
        {
            let t = Instant::now();
            let found = messages
                .iter()
                .filter(|m| rekindle_analysis::boundary::detect(&m.text).is_some())
                .count();
            eprintln!(
                "boundary detection alone: {:.3} s over {} texts, {found} found (one thread)",
                t.elapsed().as_secs_f64(),
                messages.len()
            );
        }
    }
    drop(bytes);
    let prepare = t1.elapsed();
    let t2 = Instant::now();
    let who = Who {
        me: summary.owner_hint.clone(),
        ex: None,
    };
    let analysis = analyze_prepared(&prepared, &who, &AnalysisOptions::default());
    let analysis_time = t2.elapsed();
    let t3 = Instant::now();
    let json = serde_json::to_string(&analysis).unwrap_or_default();
    let json_time = t3.elapsed();
    println!("file: {path} ({:.1} MB)", size as f64 / 1e6);
    println!("messages: {}", prepared.len());
    println!("threads: {}", rayon::current_num_threads());
    println!("read: {:.3} s", read.as_secs_f64());
    println!("parse + classify: {:.3} s", prepare.as_secs_f64());
    println!("analysis: {:.3} s", analysis_time.as_secs_f64());
    println!(
        "json: {:.3} s ({:.1} MB)",
        json_time.as_secs_f64(),
        json.len() as f64 / 1e6
    );
    println!(
        "total: {:.3} s",
        (read + prepare + analysis_time + json_time).as_secs_f64()
    );
    println!("episodes: {}", analysis.conflicts.len());
    for s in summarize(&analysis) {
        println!("  {s}");
    }
}
