//! Reads one JSON string per line on stdin (a text to score) and writes one JSON object per
//! line with `neg`, `neu`, `pos`, `compound` at full precision. Used for differential testing
//! against the Python reference (`tools/difftest.py`).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufWriter, Write};

use rekindle_vader::Analyzer;

fn main() {
    let analyzer = Analyzer::new();
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let text: String = serde_json::from_str(&line.unwrap()).unwrap();
        let scores = analyzer.polarity_scores(&text);
        serde_json::to_writer(&mut out, &scores).unwrap();
        out.write_all(b"\n").unwrap();
    }
}
