//! Every fuzz seed and every saved crasher (`fuzz/regressions/`) goes through
//! all parsers without a panic, and keeps the fuzz invariants.
#![allow(clippy::unwrap_used)]

use rekindle_chat::{
    DateOrder, Format, ParseOptions, ZipLimits, fuzzing, parse, unpack_zip, write_jsonl,
};

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let root = format!("{}/../../fuzz/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(p) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&p) else {
            continue;
        };
        for e in rd {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != ".keep") {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn run_all(name: &str, data: &[u8]) {
    for format in [
        None,
        Some(Format::WhatsApp),
        Some(Format::Telegram),
        Some(Format::Messenger),
        Some(Format::Csv),
    ] {
        for date_order in [
            None,
            Some(DateOrder::DayFirst),
            Some(DateOrder::MonthFirst),
            Some(DateOrder::YearFirst),
        ] {
            let opts = ParseOptions {
                format,
                date_order,
                ..Default::default()
            };
            let mut n = 0;
            let mut buf = Vec::new();
            if let Ok(s) = parse(data, &opts, &mut |m| {
                n += 1;
                buf.clear();
                write_jsonl(&m, &mut buf).unwrap();
                serde_json::from_slice::<serde_json::Value>(&buf).unwrap();
            }) {
                assert_eq!(s.messages, n, "{name}");
                if matches!(format, Some(Format::WhatsApp)) && !data.starts_with(b"PK") {
                    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
                    assert!(n <= lines, "{name}: {n} messages from {lines} lines");
                }
            }
            if format.is_some() && format != Some(Format::WhatsApp) {
                break; // date order only matters for WhatsApp
            }
        }
    }
    let _ = unpack_zip(data, &ZipLimits::default());
    for line in data.split(|&b| b == b'\n') {
        fuzzing::check_header(line);
    }
}

#[test]
fn seeds_and_regressions_do_not_panic() {
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        for (name, data) in files(dir) {
            run_all(&name, &data);
            n += 1;
        }
    }
    assert!(n >= 12, "fuzz seeds not found ({n})");
}

/// Every seed and crasher reads the same in pieces as whole (the `pieces` target).
#[test]
fn seeds_read_in_pieces_as_whole() {
    for dir in ["seeds", "regressions"] {
        for (name, data) in files(dir) {
            for piece in [64, 200, 4096] {
                for date_order in [None, Some(DateOrder::DayFirst)] {
                    let opts = ParseOptions {
                        date_order,
                        ..Default::default()
                    };
                    let caught =
                        std::panic::catch_unwind(|| fuzzing::check_pieces(&data, piece, &opts));
                    assert!(caught.is_ok(), "{name} in pieces of {piece}");
                }
            }
        }
    }
}
