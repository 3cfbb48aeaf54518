//! security.md item 20 on the command line: an injection corpus through
//! every argument that takes free text. Each is stored as plain text or
//! refused with a sentence (exit 0 or 2, never a panic or an internal
//! error), no terminal escape ever reaches the terminal, and the vault stays
//! whole. (A NUL cannot be passed in an argument at all; file-path
//! arguments are paths, checked by their own tests.)
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::PASS;

fn rekindle(data: &Path) -> Command {
    let mut c = support::rekindle(data);
    c.env("REKINDLE_PASSPHRASE", PASS);
    c
}

fn corpus() -> Vec<String> {
    vec![
        "Robert'); DROP TABLE items;--".into(),
        "\" OR 1=1 --".into(),
        "<script>alert(1)</script>".into(),
        "\"><img src=x onerror=alert(1)>".into(),
        "{{7*7}}${7*7}$(touch /tmp/rekindle-pwned)`id`".into(),
        "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}31m".into(),
        "../../../../etc/passwd".into(),
        "\u{202e}gnp.exe\u{200b}".into(),
        "-x --yes".into(),
        "x".repeat(10_000),
    ]
}

/// Every command argument that takes free text; `{t}` is where the text goes.
const TEXT_ARGS: &[&[&str]] = &[
    &["relationship", "set", "--their-name", "{t}"],
    &["relationship", "set", "--my-name", "{t}"],
    &["relationship", "set", "--their-pronouns", "{t}"],
    &["relationship", "set", "--my-pronouns", "{t}"],
    &["relationship", "set", "--how-it-ended", "{t}"],
    &["relationship", "set", "--reasons-given", "{t}"],
    &["relationship", "set", "--my-view", "{t}"],
    &["relationship", "set", "--started-on", "{t}"],
    &[
        "problem",
        "add",
        "--title",
        "{t}",
        "--category",
        "conflict",
        "--whose",
        "mine",
        "--frequency",
        "often",
        "--severity",
        "3",
        "--description",
        "{t}",
        "--my-part",
        "{t}",
        "--why",
        "{t}",
        "--evidence",
        "{t}",
    ],
    &[
        "plan",
        "1",
        "--prevention",
        "{t}",
        "--if",
        "{t}",
        "--then",
        "{t}",
        "--commitment",
        "{t}",
        "--kind",
        "daily",
        "--condition",
        "{t}",
        "--lapse-means",
        "{t}",
    ],
    &["checkin", "1", "--kept", "--note", "{t}"],
    &[
        "checkin",
        "1",
        "--lapsed",
        "--trigger",
        "{t}",
        "--instead",
        "{t}",
    ],
    &[
        "trigger",
        "1",
        "--kind",
        "place",
        "--description",
        "{t}",
        "--coping",
        "{t}",
    ],
    &["their-words", "add", "--said", "{t}"],
    &["supporter", "add", "--name", "{t}", "--role", "ally"],
    &["supporter", "add", "--name", "Jo", "--role", "{t}"],
    &["book", "add", "--title", "{t}"],
    &["book", "status", "1", "{t}"],
    &["takeaway", "add", "1", "{t}"],
    &["topics", "add", "{t}", "{t}", "--new"],
    &["topics", "add", "money", "{t}"],
    &["topics", "remove", "money", "{t}"],
    &["chats", "roles", "1", "--me", "{t}", "--ex", "Alex"],
    &["chats", "use", "{t}"],
    &["withdraw", "{t}", "1"],
    &["share", "create", "--label", "{t}"],
    &["share", "create", "--base", "{t}"],
    &["settings", "set", "--country", "{t}"],
    &["safety", "no", "--kind", "{t}"],
    &["analyze", "--chat", "{t}"],
    &["analyze", "--me", "{t}"],
];

fn check(o: &Output, what: &str) {
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    let code = o.status.code();
    assert!(
        matches!(code, Some(0) | Some(2)),
        "{what}: exit {code:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    for c in ['\u{1b}', '\u{7}', '\u{9b}'] {
        assert!(
            !out.contains(c) && !err.contains(c),
            "{what}: {c:?} reached the terminal"
        );
    }
    if code == Some(2) {
        // A sentence of rekindle's, or clap's own error about the value (one
        // that looks like an option, or is not a number).
        assert!(
            err.starts_with("rekindle: ") || err.starts_with("error: "),
            "{what}: {err}"
        );
    }
}

#[test]
fn an_injection_corpus_through_every_text_argument_is_stored_as_text_or_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let chat = tmp.path().join("chat.txt");
    std::fs::write(
        &chat,
        "12/03/2024, 21:05 - Sam: hello\n12/03/2024, 21:06 - Alex: hi\n",
    )
    .unwrap();
    let setup: &[&[&str]] = &[
        &["init"],
        &[
            "problem",
            "add",
            "--title",
            "Drinking",
            "--category",
            "substance",
            "--whose",
            "mine",
            "--frequency",
            "often",
            "--severity",
            "3",
        ],
        &[
            "plan",
            "1",
            "--prevention",
            "No drinks",
            "--commitment",
            "No alcohol",
            "--kind",
            "daily",
        ],
        &["book", "add", "--title", "A book"],
        &["import", chat.to_str().unwrap()],
    ];
    for args in setup {
        let o = rekindle(&d).args(*args).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut stored = 0;
    for template in TEXT_ARGS {
        for payload in corpus() {
            let args: Vec<String> = template
                .iter()
                .map(|a| a.replace("{t}", &payload))
                .collect();
            let o = rekindle(&d)
                .current_dir(tmp.path())
                .args(&args)
                .output()
                .unwrap();
            check(&o, &format!("{} with {payload:.30?}", template.join(" ")));
            if o.status.success() {
                stored += 1;
            }
        }
    }
    assert!(stored >= 40, "{stored} stored");
    assert!(
        !Path::new("/tmp/rekindle-pwned").exists(),
        "nothing was run"
    );
    // Everything shown back is plain, and the vault is whole.
    for args in [
        &["relationship", "show"][..],
        &["problem", "list"],
        &["record"],
        &["their-words", "list"],
        &["supporter", "list"],
        &["book", "list"],
        &["takeaway", "list"],
        &["triggers"],
        &["topics", "list"],
        &["share", "list"],
        &["chats", "list"],
        &["outlook"],
        &["pattern"],
    ] {
        let o = rekindle(&d).args(args).output().unwrap();
        check(&o, &args.join(" "));
        assert!(o.status.success(), "{args:?}");
    }
    let o = rekindle(&d).args(["status", "--json"]).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(status["integrity_ok"], true, "{status}");
    let o = rekindle(&d).arg("export").output().unwrap();
    let export = String::from_utf8(o.stdout).unwrap();
    assert!(
        export.contains("Robert'); DROP TABLE items;--"),
        "stored as the words it is"
    );
    let doc: serde_json::Value = serde_json::from_str(&export).unwrap();
    assert!(doc["items"].as_array().is_some_and(|i| i.len() >= 3));
}
