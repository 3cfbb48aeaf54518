// Shared checks, included by each target with `include!`.

/// Parse with a forced format; check the invariants the fuzz README lists.
#[allow(dead_code)]
fn check(data: &[u8], format: rekindle_chat::Format, order: Option<rekindle_chat::DateOrder>, line_ends: &[u8]) {
    let opts = rekindle_chat::ParseOptions {
        format: Some(format),
        date_order: order,
        ..Default::default()
    };
    let mut n = 0usize;
    let mut out = Vec::new();
    let result = rekindle_chat::parse(data, &opts, &mut |m| {
        n += 1;
        out.clear();
        rekindle_chat::write_jsonl(&m, &mut out).expect("write to Vec");
        let v: serde_json::Value = serde_json::from_slice(&out).expect("write_jsonl writes valid JSON");
        assert!(v["time"].is_string());
        out.clear();
        rekindle_chat::write_csv(&m, &mut out).expect("write to Vec");
        let _ = rekindle_chat::content_key("fuzz", &m);
    });
    if let Ok(summary) = result {
        assert_eq!(summary.messages, n);
        assert!(summary.skipped.len() <= summary.skipped_count);
        assert!(summary.skipped.iter().all(|s| s.excerpt.chars().count() <= 80));
        if !line_ends.is_empty() && !data.starts_with(b"PK") {
            let lines = data.iter().filter(|b| line_ends.contains(b)).count() + 1;
            // UTF-16 input has about half as many bytes per line; count on the raw bytes
            // is still an upper bound because each message starts on its own line.
            assert!(n <= lines, "{n} messages from {lines} lines");
        }
    }
}

