//! Scoring the sentence sets (tests/data/sentences_*.tsv) shared by
//! `tests/sentences.rs` and `examples/sentences.rs`.
//!
//! A set is a TSV with a header and the columns `id`, `text`, `horsemen`
//! (comma list or `-`), `accountable` (0/1), `pressure` (comma list or `-`),
//! and optionally `boundary` (ended, no_contact, space, blocked or `-`).

#![allow(dead_code)]

use rekindle_analysis::{Classification, Horseman, Lexicons, Pressure, classify_many};

/// One labelled sentence.
pub struct Row {
    pub id: String,
    pub text: String,
    pub horsemen: Vec<Horseman>,
    pub accountable: bool,
    pub pressure: Vec<Pressure>,
    /// The boundary kind the sentence sets (`Some("-")` for none), `None`
    /// when the set has no boundary column.
    pub boundary: Option<String>,
}

/// Parse a set; errors name the line.
pub fn parse(tsv: &str) -> Result<Vec<Row>, String> {
    let mut out = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        if n == 0 && line.starts_with("id\t") || line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 5 {
            return Err(format!("line {}: {} columns, want 5", n + 1, f.len()));
        }
        let list = |s: &str| -> Vec<String> {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty() && x != "-")
                .collect()
        };
        let mut horsemen = Vec::new();
        for h in list(f[2]) {
            let h = Horseman::ALL
                .into_iter()
                .find(|k| k.as_str() == h)
                .ok_or_else(|| format!("line {}: unknown horseman {h}", n + 1))?;
            horsemen.push(h);
        }
        let mut pressure = Vec::new();
        for p in list(f[4]) {
            let p = Pressure::ALL
                .into_iter()
                .find(|k| k.as_str() == p)
                .ok_or_else(|| format!("line {}: unknown pressure kind {p}", n + 1))?;
            pressure.push(p);
        }
        out.push(Row {
            id: f[0].to_string(),
            text: f[1].to_string(),
            horsemen,
            accountable: f[3].trim() == "1",
            pressure,
            boundary: f.get(5).map(|b| b.trim().to_string()),
        });
    }
    Ok(out)
}

/// Counts for precision / recall.
#[derive(Debug, Default, Clone, Copy)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn add(&mut self, predicted: bool, gold: bool) {
        match (predicted, gold) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            _ => {}
        }
    }
    pub fn p(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn r(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

/// `a / b`, 1.0 when there is nothing to count.
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Everything the runner prints for one set.
pub struct Report {
    pub rows: usize,
    pub horsemen: Vec<(Horseman, Prf)>,
    pub pressure: Vec<(Pressure, Prf)>,
    /// Any pressure kind, sentence level.
    pub any_pressure: Prf,
    /// Accountable sentences, and those flagged criticism, contempt or any pressure.
    pub accountable: usize,
    pub accountable_flagged: usize,
    /// Accountable sentences flagged criticism, contempt or stonewalling.
    pub accountable_harsh: usize,
    /// Pressuring sentences, and those flagged with any pressure kind.
    pub pressuring: usize,
    pub pressuring_flagged: usize,
    /// Per row: what the classifier said (same order as the rows).
    pub predicted: Vec<Classification>,
    /// Boundaries (`rekindle_analysis::boundary::detect`), any kind, over
    /// the rows with a boundary column; and of the gold boundaries found,
    /// how many have the right kind.
    pub boundary_any: Prf,
    pub boundary_kind_right: usize,
}

impl Report {
    pub fn accountable_false_flag_rate(&self) -> f64 {
        ratio(self.accountable_flagged, self.accountable)
    }
    pub fn pressure_recall(&self) -> f64 {
        ratio(self.pressuring_flagged, self.pressuring)
    }
    pub fn horseman(&self, h: Horseman) -> Prf {
        self.horsemen
            .iter()
            .find(|(k, _)| *k == h)
            .map(|x| x.1)
            .unwrap_or_default()
    }
}

/// Classify every row and score it.
pub fn score(rows: &[Row], lex: &Lexicons) -> Report {
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let predicted = classify_many(&texts, lex);
    let mut horsemen: Vec<(Horseman, Prf)> = Horseman::ALL
        .into_iter()
        .map(|h| (h, Prf::default()))
        .collect();
    let mut pressure: Vec<(Pressure, Prf)> = Pressure::ALL
        .into_iter()
        .map(|p| (p, Prf::default()))
        .collect();
    let mut any_pressure = Prf::default();
    let (mut accountable, mut accountable_flagged, mut accountable_harsh) = (0, 0, 0);
    let (mut pressuring, mut pressuring_flagged) = (0, 0);
    let (mut boundary_any, mut boundary_kind_right) = (Prf::default(), 0);
    for (row, c) in rows.iter().zip(&predicted) {
        if let Some(gold) = &row.boundary {
            let found = rekindle_analysis::boundary::detect(&row.text);
            boundary_any.add(found.is_some(), gold != "-");
            if found.is_some_and(|k| k.as_str() == gold) {
                boundary_kind_right += 1;
            }
        }
        for (h, prf) in &mut horsemen {
            prf.add(c.horsemen.contains(h), row.horsemen.contains(h));
        }
        for (p, prf) in &mut pressure {
            prf.add(c.pressure.contains(p), row.pressure.contains(p));
        }
        any_pressure.add(!c.pressure.is_empty(), !row.pressure.is_empty());
        let harsh = |h: Horseman| c.horsemen.contains(&h);
        if row.accountable {
            accountable += 1;
            if harsh(Horseman::Criticism) || harsh(Horseman::Contempt) || !c.pressure.is_empty() {
                accountable_flagged += 1;
            }
            if harsh(Horseman::Criticism)
                || harsh(Horseman::Contempt)
                || harsh(Horseman::Stonewalling)
            {
                accountable_harsh += 1;
            }
        }
        if !row.pressure.is_empty() {
            pressuring += 1;
            if !c.pressure.is_empty() {
                pressuring_flagged += 1;
            }
        }
    }
    Report {
        rows: rows.len(),
        horsemen,
        pressure,
        any_pressure,
        accountable,
        accountable_flagged,
        accountable_harsh,
        pressuring,
        pressuring_flagged,
        predicted,
        boundary_any,
        boundary_kind_right,
    }
}
