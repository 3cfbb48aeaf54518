//! Parse a generated export with rekindle-chat and run `analyze` on it.
//!
//! ```text
//! python3 ../shared/bench/gen_whatsapp.py --messages 1000000 --seed 1 --format android -o /tmp/chat_1m.txt
//! cargo run --release -p rekindle-analysis --example bench -- /tmp/chat_1m.txt
//! ```

use std::time::Instant;

use rekindle_analysis::{AnalysisOptions, Lexicons, Who, analyze, summarize};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let t0 = Instant::now();
    let (messages, _summary) =
        match rekindle_chat::parse_to_vec(&bytes, &rekindle_chat::ParseOptions::default()) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
    let parse = t0.elapsed();
    let lex = Lexicons::built_in();
    let t1 = Instant::now();
    let analysis = analyze(
        &messages,
        &Who::default(),
        &AnalysisOptions::default(),
        &lex,
    );
    let analysis_time = t1.elapsed();
    let t2 = Instant::now();
    let json = serde_json::to_string(&analysis).unwrap_or_default();
    let json_time = t2.elapsed();
    println!("file: {path} ({:.1} MB)", bytes.len() as f64 / 1e6);
    println!("messages: {}", messages.len());
    println!("threads: {}", rayon::current_num_threads());
    println!("parse: {:.3} s", parse.as_secs_f64());
    println!("analysis: {:.3} s", analysis_time.as_secs_f64());
    println!(
        "json: {:.3} s ({:.1} MB)",
        json_time.as_secs_f64(),
        json.len() as f64 / 1e6
    );
    println!("total: {:.3} s", (parse + analysis_time).as_secs_f64());
    println!("episodes: {}", analysis.conflicts.len());
    for s in summarize(&analysis) {
        println!("  {s}");
    }
}
