//! Bit-for-bit parity with the reference: every sentence of
//! `testdata/vader/reference_scores.tsv` (vaderSentiment 3.3.2 under CPython 3.11).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use rekindle_vader::{Analyzer, Scores};

/// One oracle row: the reference's four numbers and the text it scored.
struct Row {
    id: String,
    want: [f64; 4],
    text: String,
}

fn oracle_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vader/reference_scores.tsv")
}

/// The text column was written by Python's `csv` writer (tab-delimited, minimal quoting):
/// the 331 texts containing `"` are wrapped in quotes with inner quotes doubled. The oracle
/// scored the unquoted text.
fn unquote(field: &str) -> String {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

fn load() -> Vec<Row> {
    let path = oracle_path();
    let data = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the oracle {}: {e}", path.display()));
    let mut lines = data.split('\n');
    assert_eq!(
        lines.next().unwrap(),
        "file\tid\tneg\tneu\tpos\tcompound\ttext",
        "unexpected header"
    );
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.splitn(7, '\t').collect();
        assert_eq!(f.len(), 7, "line {}: {line:?}", n + 2);
        // Python repr floats; Rust's parser is correctly rounded, so they round-trip exactly.
        let num = |s: &str| {
            s.parse::<f64>()
                .unwrap_or_else(|e| panic!("line {}: {s:?}: {e}", n + 2))
        };
        rows.push(Row {
            id: format!("{}:{}", f[0], f[1]),
            want: [num(f[2]), num(f[3]), num(f[4]), num(f[5])],
            text: unquote(f[6]),
        });
    }
    rows
}

/// Numeric equality: -0.0 == 0.0 (see PROVENANCE.md: CPython 3.12+ gives -0.0 where 3.11 gave
/// 0.0 for four compounds), anything else must be the identical double.
fn equal(got: &Scores, want: &[f64; 4]) -> bool {
    got.neg == want[0] && got.neu == want[1] && got.pos == want[2] && got.compound == want[3]
}

fn report(name: &str, rows: &[Row], got: &[Scores]) {
    let diffs: Vec<(&Row, &Scores)> = rows
        .iter()
        .zip(got)
        .filter(|(r, g)| !equal(g, &r.want))
        .collect();
    eprintln!(
        "{name}: {} sentences compared, {} differ",
        rows.len(),
        diffs.len()
    );
    for (r, g) in diffs.iter().take(10) {
        eprintln!(
            "  {}: want [neg {:?}, neu {:?}, pos {:?}, compound {:?}], got [neg {:?}, neu {:?}, pos {:?}, compound {:?}]\n    {:?}",
            r.id,
            r.want[0],
            r.want[1],
            r.want[2],
            r.want[3],
            g.neg,
            g.neu,
            g.pos,
            g.compound,
            r.text
        );
    }
    assert!(
        diffs.is_empty(),
        "{name}: {} of {} sentences differ from the reference",
        diffs.len(),
        rows.len()
    );
}

#[test]
fn every_oracle_sentence_is_bit_for_bit_equal() {
    let rows = load();
    assert_eq!(
        rows.len(),
        23_703,
        "the oracle should have 23,703 sentences"
    );
    let analyzer = Analyzer::new();
    let got: Vec<Scores> = rows
        .iter()
        .map(|r| analyzer.polarity_scores(&r.text))
        .collect();
    report("polarity_scores", &rows, &got);
}

#[test]
fn score_many_is_equal_too() {
    let rows = load();
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let got = Analyzer::shared().score_many(&texts);
    assert_eq!(got.len(), rows.len());
    report("score_many", &rows, &got);
}
