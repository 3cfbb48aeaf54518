//! Labelled conversations: the arguments and boundaries the analysis finds,
//! next to what the person who wrote each chat expected.
//!
//! ```text
//! cargo run -p rekindle-analysis --example chats -- DIR [DIR...]
//! ```
//!
//! Each DIR holds WhatsApp `.txt` exports and an `expected.json`:
//! `{FILE: {"me", "ex", "episodes": [{"one_sided", "harsh_person"}],
//! "boundaries": [{"person", "kind", "unanswered_after"}]}}`. Prints one block
//! per chat and a tally; exits 1 when the directory cannot be read.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use rekindle_analysis::{AnalysisOptions, Lexicons, Who, analyze};

use rekindle_chat::{ParseOptions, parse_to_vec};
use serde_json::Value;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let dirs: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if dirs.is_empty() {
        eprintln!("usage: chats DIR [DIR...]");
        std::process::exit(2);
    }
    let lex = Lexicons::built_in();
    let (mut ok, mut total) = (0usize, 0usize);
    for dir in &dirs {
        let dir = Path::new(dir);
        let Ok(expected) = std::fs::read_to_string(dir.join("expected.json")) else {
            eprintln!("{}: no expected.json (skipped)", dir.display());
            continue;
        };
        let expected: Value = serde_json::from_str(&expected).unwrap();
        let Some(files) = expected.as_object() else {
            continue;
        };
        for (file, exp) in files {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let (messages, _) = parse_to_vec(&bytes, &ParseOptions::default()).unwrap();
            let who = Who {
                me: exp["me"].as_str().map(str::to_string),
                ex: exp["ex"].as_str().map(str::to_string),
            };
            let a = analyze(&messages, &who, &AnalysisOptions::default(), &lex);
            println!("== {file}");
            if verbose {
                for m in &messages {
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
            let found_eps: Vec<(bool, Option<String>)> = a
                .conflicts
                .iter()
                .map(|e| (e.one_sided, e.one_sided_by.clone()))
                .collect();
            let want_eps: Vec<(bool, Option<String>)> = exp["episodes"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|e| {
                            (
                                e["one_sided"].as_bool().unwrap_or(false),
                                e["harsh_person"].as_str().map(str::to_string),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            for e in &a.conflicts {
                println!(
                    "  argument at {} ({} msgs) one_sided={} by={:?} started={:?} escalated={:?} negative_by={:?}",
                    e.start_time,
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
            let eps_ok = found_eps == want_eps;
            println!(
                "  arguments: found {found_eps:?}, expected {want_eps:?} -> {}",
                if eps_ok { "ok" } else { "DIFFERENT" }
            );
            let found_b: Vec<(String, &str, usize)> = a
                .boundaries
                .iter()
                .map(|b| (b.person.clone(), b.kind.as_str(), b.unanswered_after))
                .collect();
            for b in &a.boundaries {
                println!(
                    "  boundary: {} {} \"{}\"",
                    b.person,
                    b.kind.as_str(),
                    messages[b.index].text
                );
            }
            let want_b: Vec<(String, &str, usize)> = exp["boundaries"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|b| {
                            (
                                b["person"].as_str().unwrap_or("").to_string(),
                                b["kind"].as_str().unwrap_or(""),
                                b["unanswered_after"].as_u64().unwrap_or(0) as usize,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let b_ok = found_b == want_b;
            println!(
                "  boundaries: found {found_b:?}, expected {want_b:?} -> {}",
                if b_ok { "ok" } else { "DIFFERENT" }
            );
            total += 2;
            ok += usize::from(eps_ok) + usize::from(b_ok);
        }
    }
    println!("{ok} of {total} readings as expected");
}
