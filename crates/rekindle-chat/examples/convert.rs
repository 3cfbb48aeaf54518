//! `cargo run --release -p rekindle-chat --example convert -- FILE [jsonl|csv|count]`
//!
//! Parses FILE and writes one normalized message per line to stdout, the
//! summary (JSON) to stderr. `count` writes nothing per message (parse speed);
//! `keys` also computes the import keys ([`rekindle_chat::ContentKeys`]).

use std::io::{BufWriter, Write};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: convert FILE [jsonl|csv|count]");
        std::process::exit(2);
    };
    let mode = args.next().unwrap_or_else(|| "jsonl".into());
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut io_err = None;
    let mut keys = rekindle_chat::ContentKeys::new(path.clone());
    let mut xor = [0u8; 32];
    if mode == "csv" {
        let _ = rekindle_chat::write_csv_header(&mut out);
    }
    let result = rekindle_chat::parse(&bytes, &rekindle_chat::ParseOptions::default(), &mut |m| {
        let r = match mode.as_str() {
            "csv" => rekindle_chat::write_csv(&m, &mut out),
            "count" => Ok(()),
            "keys" => {
                let k = keys.key(&m);
                xor.iter_mut().zip(k).for_each(|(a, b)| *a ^= b);
                Ok(())
            }
            _ => rekindle_chat::write_jsonl(&m, &mut out),
        };
        if let Err(e) = r {
            io_err.get_or_insert(e);
        }
    });
    let _ = out.flush();
    if mode == "keys" {
        eprintln!("xor of keys: {:02x?}", &xor[..4]);
    }
    match result {
        Ok(summary) => {
            eprintln!(
                "{}",
                serde_json::to_string_pretty(&summary).unwrap_or_default()
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
    if let Some(e) = io_err {
        eprintln!("write error: {e}");
        std::process::exit(1);
    }
}
