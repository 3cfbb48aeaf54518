//! Labelled conversations: the arguments and boundaries the analysis finds,
//! next to what the person who wrote each chat expected.
//!
//! ```text
//! cargo run --profile eval -p rekindle-analysis --example chats -- DIR [DIR...] [--verbose]
//! ```
//!
//! Each DIR holds WhatsApp `.txt` exports and an `expected.json`:
//! `{FILE: {"me", "ex", "episodes": [{"approx_start_line", "approx_end_line",
//! "one_sided", "harsh_person"}], "boundaries": [{"line", "person", "kind",
//! "unanswered_after"}]}}`. Prints one block per chat and two tallies: with
//! arguments compared as a list (one-sided, harsh person), and with
//! arguments also in the right place (tests/support/chat_readings.rs).
//! `--verbose` prints every message with what `classify` sees in it: only for
//! chats that may be read (not the held-out ones).
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/chat_readings.rs"]
mod chat_readings;

use rekindle_analysis::Lexicons;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let dirs: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if dirs.is_empty() {
        eprintln!("usage: chats DIR [DIR...] [--verbose]");
        std::process::exit(2);
    }
    let lex = Lexicons::built_in();
    let (mut listed, mut placed, mut total) = (0usize, 0usize, 0usize);
    let (mut hits, mut wanted, mut extra) = (0usize, 0usize, 0usize);
    for dir in &dirs {
        if !std::path::Path::new(dir).join("expected.json").exists() {
            eprintln!("{dir}: no expected.json");
            std::process::exit(1);
        }
        for r in chat_readings::read_dir(dir, &lex) {
            println!("== {}", r.file);
            if verbose {
                for m in &r.messages {
                    let c = rekindle_analysis::classify(&m.text, &lex);
                    println!(
                        "    {:>5} neg={} h={:?} rep={} | {}: {}",
                        format!("{:.2}", c.sentiment.compound),
                        u8::from(c.negative),
                        c.horsemen,
                        u8::from(c.repair),
                        m.sender.as_deref().unwrap_or("-"),
                        m.text
                    );
                }
            }
            for e in &r.analysis.conflicts {
                println!(
                    "  argument lines {}-{} ({} msgs) one_sided={} by={:?} started={:?} escalated={:?} negative_by={:?}",
                    e.start + 1,
                    e.end + 1,
                    e.messages,
                    e.one_sided,
                    e.one_sided_by,
                    e.started_by,
                    e.escalated_by,
                    e.negative_by
                        .iter()
                        .map(|n| (n.name.as_str(), n.count))
                        .collect::<Vec<_>>()
                );
            }
            let tag = |ok: bool| if ok { "ok" } else { "DIFFERENT" };
            println!(
                "  arguments: as a list {}, in place {}",
                tag(r.arguments_listed),
                tag(r.arguments_placed)
            );
            for b in &r.analysis.boundaries {
                println!(
                    "  boundary line {}: {} {} unanswered {}",
                    b.index + 1,
                    b.person,
                    b.kind.as_str(),
                    b.unanswered_after
                );
            }
            println!("  boundaries: {}", tag(r.boundaries));
            total += 2;
            hits += r.episodes.0;
            wanted += r.episodes.1;
            extra += r.episodes.2;
            listed += usize::from(r.arguments_listed) + usize::from(r.boundaries);
            placed += usize::from(r.arguments_placed) + usize::from(r.boundaries);
        }
    }
    println!(
        "arguments one by one: {hits} of {wanted} found in place, {extra} found that no one expected"
    );
    println!(
        "{listed} of {total} readings as expected (arguments as a list); {placed} of {total} with arguments in place"
    );
}
