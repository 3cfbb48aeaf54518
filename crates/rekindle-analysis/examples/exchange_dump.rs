//! The exchange model's table: one row per message of every labelled chat in
//! the given directories, its features and whether the writer put it inside an
//! argument. `examples/train_exchange.py` fits the model on it.
//!
//! ```text
//! cargo run --profile eval -p rekindle-analysis --example exchange_dump -- DIR... > table.tsv
//! ```
//!
//! Columns: set, file, message index, label (1 inside a labelled argument), features.
#![allow(clippy::unwrap_used)]

use rekindle_analysis::{AnalysisOptions, Lexicons, Prepared, exchange_table};
use serde_json::Value;

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    let lex = Lexicons::built_in();
    for dir in &dirs {
        let set = std::path::Path::new(dir)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}/expected.json")).unwrap())
                .unwrap();
        for (file, exp) in expected.as_object().unwrap() {
            let bytes = std::fs::read(format!("{dir}/{file}")).unwrap();
            let (messages, _) =
                rekindle_chat::parse_to_vec(&bytes, &rekindle_chat::ParseOptions::default())
                    .unwrap();
            let chat = Prepared::from_messages(&messages, &lex);
            let table = exchange_table(&chat, &AnalysisOptions::default());
            // Message k is line k + 1 of the file.
            let inside = |k: usize| {
                exp["episodes"].as_array().unwrap().iter().any(|e| {
                    let s = e["approx_start_line"].as_u64().unwrap() as usize;
                    let t = e["approx_end_line"].as_u64().map_or(s, |x| x as usize);
                    (s..=t).contains(&(k + 1))
                })
            };
            for (k, f) in table.iter().enumerate() {
                let Some(f) = f else { continue };
                let cols: Vec<String> = f.iter().map(|x| format!("{x:.4}")).collect();
                println!(
                    "{set}\t{file}\t{k}\t{}\t{}",
                    u8::from(inside(k)),
                    cols.join("\t")
                );
            }
        }
    }
}
