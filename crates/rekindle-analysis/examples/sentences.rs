//! Horsemen, accountability and pressure on labelled chat sentences.
//!
//! ```text
//! cargo run --release -p rekindle-analysis --example sentences -- \
//!     crates/rekindle-analysis/tests/data/sentences_dev.tsv [MORE.tsv ...] [--errors]
//! ```
//!
//! Each file is a TSV with a header: `id`, `text`, `horsemen` (comma list or
//! `-`), `accountable` (0/1), `pressure` (comma list or `-`). For each file it
//! prints precision / recall / F1 per horseman and per pressure kind, the share
//! of accountable sentences flagged with criticism, contempt or any pressure,
//! the share of pressuring sentences flagged with any pressure, and boundaries
//! (any kind: precision / recall; then how many found have the right kind).
//! `--errors` also lists every sentence where a label and the classifier differ
//! (boundaries first).

#[path = "../tests/support/sentences.rs"]
mod sentences;

use rekindle_analysis::Lexicons;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let errors = args.iter().any(|a| a == "--errors");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if files.is_empty() {
        eprintln!("usage: sentences FILE.tsv [FILE.tsv ...] [--errors]");
        std::process::exit(2);
    }
    let lex = Lexicons::built_in();
    let mut failed = false;
    for file in files {
        let rows = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| sentences::parse(&t))
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{file}: {e}");
                failed = true;
                continue;
            }
        };
        let r = sentences::score(&rows, &lex);
        println!("## {file} ({} sentences)\n", r.rows);
        println!("| label | gold | flagged | precision | recall | F1 |");
        println!("|---|---:|---:|---:|---:|---:|");
        let line = |name: &str, p: &sentences::Prf| {
            println!(
                "| {name} | {} | {} | {:.3} | {:.3} | {:.3} |",
                p.tp + p.fn_,
                p.tp + p.fp,
                p.p(),
                p.r(),
                p.f1()
            );
        };
        for (h, p) in &r.horsemen {
            line(h.as_str(), p);
        }
        for (k, p) in &r.pressure {
            line(&format!("pressure: {}", k.as_str()), p);
        }
        line("pressure: any", &r.any_pressure);
        line("boundary: any", &r.boundary_any);
        println!();
        println!(
            "accountable sentences flagged criticism, contempt or pressure: {}/{} = {:.1} %",
            r.accountable_flagged,
            r.accountable,
            100.0 * r.accountable_false_flag_rate()
        );
        println!(
            "accountable sentences flagged criticism, contempt or stonewalling: {}/{}",
            r.accountable_harsh, r.accountable
        );
        println!(
            "pressuring sentences flagged with any pressure: {}/{} = {:.1} %\n",
            r.pressuring_flagged,
            r.pressuring,
            100.0 * r.pressure_recall()
        );
        println!(
            "boundaries found with the right kind: {}/{}\n",
            r.boundary_kind_right,
            r.boundary_any.tp + r.boundary_any.fn_
        );
        if errors {
            for row in &rows {
                let Some(gold) = &row.boundary else { continue };
                let got =
                    rekindle_analysis::boundary::detect(&row.text).map_or("-", |k| k.as_str());
                if got != gold {
                    println!("{}\t{}\tboundary gold {gold}\tgot {got}", row.id, row.text);
                }
            }
            for (row, c) in rows.iter().zip(&r.predicted) {
                let mut gold_h = row.horsemen.clone();
                gold_h.sort();
                let mut gold_p = row.pressure.clone();
                gold_p.sort();
                let mut got_p = c.pressure.clone();
                got_p.sort();
                if gold_h != c.horsemen || gold_p != got_p {
                    let names = |v: &[&str]| {
                        if v.is_empty() {
                            "-".to_string()
                        } else {
                            v.join(",")
                        }
                    };
                    println!(
                        "{}\t{}\tgold {} / {}\tgot {} / {}{}",
                        row.id,
                        row.text,
                        names(&gold_h.iter().map(|h| h.as_str()).collect::<Vec<_>>()),
                        names(&gold_p.iter().map(|h| h.as_str()).collect::<Vec<_>>()),
                        names(&c.horsemen.iter().map(|h| h.as_str()).collect::<Vec<_>>()),
                        names(&got_p.iter().map(|h| h.as_str()).collect::<Vec<_>>()),
                        if row.accountable {
                            "\t(accountable)"
                        } else {
                            ""
                        }
                    );
                }
            }
            println!();
        }
    }
    if failed {
        std::process::exit(1);
    }
}
