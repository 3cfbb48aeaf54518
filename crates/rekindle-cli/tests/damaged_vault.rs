//! security.md item 47: a damaged vault (`vault.db` or `vault.key`
//! truncated or with flipped bits) on every command that opens the vault:
//! a non-zero exit, no panic, one plain sentence on standard error, and the
//! files left exactly as they were.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod support;
use support::PASS;

const NEW_PASS: &str = "a different walk by the sea at noon";

fn rekindle(data: &Path) -> Command {
    let mut c = support::rekindle(data);
    c.env("REKINDLE_PASSPHRASE", PASS)
        .env("REKINDLE_NEW_PASSPHRASE", NEW_PASS)
        .env(
            "REKINDLE_DURESS_PASSPHRASE",
            "a different phrase for the duress slot only",
        )
        .env_remove("RUST_BACKTRACE");
    c
}

fn ok(d: &Path, args: &[&str]) {
    let o = rekindle(d).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The commands that do not open a vault (they make one, read only a file
/// given to them, or talk to a server), with why.
const NO_VAULT: &[&str] = &[
    "init",          // makes a vault
    "restore",       // makes a vault from an export; refuses an existing one
    "login-link",    // asks the running server through its socket
    "duress set", // writes the key file's second slot; never opens vault.db (its own tests: cli.rs, duress.rs)
    "duress off", // removes that slot; never opens vault.db
    "helplines",  // built-in data
    "sentiment",  // one line in, one line out
    "classify",   // one line in, one line out
    "convert",    // reads a chat file, stores nothing
    "reminders",  // a calendar file of reminders at a given time; reads no vault
    "share serve", // the share listener holds no vault key
    "host init",  // hosted mode: PostgreSQL
    "host serve", // hosted mode: PostgreSQL
    "host invite", // hosted mode: PostgreSQL
    "host accounts", // hosted mode: PostgreSQL
];

/// Every command that opens the vault, with arguments it accepts (`{out}`
/// is a fresh folder outside the data folder, `{chat}` a chat export).
const VAULT_COMMANDS: &[&[&str]] = &[
    &["serve"],
    &["passwd"],
    &["export"],
    &["backup", "{out}/backup.db"],
    &["delete-vault", "--yes"],
    &["status"],
    &["import", "{chat}"],
    &["chats", "list"],
    &["chats", "use", "1"],
    &["chats", "delete", "1", "--yes"],
    &["chats", "roles", "1", "--me", "Sam", "--ex", "Alex"],
    &["relationship", "show"],
    &["relationship", "set", "--their-name", "Alex"],
    &["settings", "show"],
    &["settings", "set", "--discreet", "on"],
    &["topics", "list"],
    &["topics", "add", "money", "rent"],
    &["topics", "remove", "money", "rent"],
    &[
        "problem",
        "add",
        "--title",
        "Late",
        "--category",
        "conflict",
        "--whose",
        "mine",
        "--frequency",
        "often",
        "--severity",
        "3",
    ],
    &[
        "problem",
        "edit",
        "1",
        "--title",
        "Late",
        "--category",
        "conflict",
        "--whose",
        "mine",
        "--frequency",
        "often",
        "--severity",
        "3",
    ],
    &["problem", "list"],
    &["plan", "1", "--prevention", "I will be on time"],
    &["checkin", "1", "--kept"],
    &["record"],
    &["pause", "1"],
    &["resume", "1"],
    &[
        "readiness",
        "1",
        "--importance",
        "9",
        "--confidence",
        "7",
        "--stage",
        "doing",
    ],
    &["readiness-history"],
    &["self-check", "list"],
    &[
        "self-check",
        "add",
        "--satisfaction",
        "4",
        "--alternatives",
        "4",
        "--investment",
        "4",
        "--commitment",
        "4",
    ],
    &["their-words", "add", "--said", "I need time"],
    &["their-words", "list"],
    &["outlook"],
    &[
        "trigger",
        "1",
        "--kind",
        "place",
        "--description",
        "Friday drinks",
        "--coping",
        "go home",
    ],
    &["triggers"],
    &["pattern"],
    &["audit-c", "--q1", "0", "--q2", "0", "--q3", "0"],
    &["audit-c-history"],
    &["alcohol-free", "record"],
    &["alcohol-free", "list"],
    &["supporter", "add", "--name", "Jo", "--role", "ally"],
    &["supporter", "edit", "1", "--name", "Jo", "--role", "ally"],
    &["supporter", "list"],
    &["book", "add", "--title", "A book"],
    &["book", "edit", "1", "--title", "A book"],
    &["book", "list"],
    &["book", "status", "1", "reading"],
    &["takeaway", "add", "1", "Listen first"],
    &["takeaway", "edit", "1", "1", "Listen first"],
    &["takeaway", "list"],
    &["withdraw", "problem", "1"],
    &["bring-back", "problem", "1"],
    &["withdrawn"],
    &["safety", "status"],
    &[
        "safety",
        "screen",
        "--answers",
        "no,no,no,no,no,no,no,no,no,no,no,no,no",
    ],
    &["safety", "no", "--kind", "said_no"],
    &["safety", "boundary"],
    &["safety", "danger"],
    &["share", "create"],
    &["share", "list"],
    &["share", "revoke", "1"],
    &["report", "--out", "{out}/report.html"],
    &["letter"],
    &["analyze"],
];

/// The subcommand names in a `--help` text's "Commands:" block.
fn commands_in_help(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("Options:"))
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

fn help_of(dir: &Path, words: &[&str]) -> String {
    let o = rekindle(dir).args(words).arg("--help").output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A new command must be placed in one of the two lists above.
#[test]
fn every_command_is_either_run_on_a_damaged_vault_or_said_not_to_open_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut all = Vec::new();
    for c in commands_in_help(&help_of(tmp.path(), &[])) {
        let sub = commands_in_help(&help_of(tmp.path(), &[&c]));
        if sub.is_empty() {
            all.push(c);
        } else {
            all.extend(sub.into_iter().map(|s| format!("{c} {s}")));
        }
    }
    assert!(all.len() >= 60, "{all:?}");
    for c in &all {
        let words: Vec<&str> = c.split(' ').collect();
        let run = VAULT_COMMANDS
            .iter()
            .any(|args| args.len() >= words.len() && args[..words.len()] == words[..]);
        assert!(
            run || NO_VAULT.contains(&c.as_str()),
            "`rekindle {c}`: add it to VAULT_COMMANDS (with arguments) or to NO_VAULT (with why)"
        );
    }
}

/// Every file in `d` with its bytes.
fn files_in(d: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        // The count of wrong tries (issue 18 item 5) is written on purpose
        // when a passphrase does not open the key file; it is not the vault.
        .filter(|p| p.file_name().is_some_and(|n| n != "unlock-failures"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(to).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
    for (name, bytes) in files_in(from) {
        std::fs::write(to.join(&name), bytes).unwrap();
        std::fs::set_permissions(to.join(&name), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// How the vault is damaged, and whether every command must notice.
struct Damage {
    name: &'static str,
    file: &'static str,
    apply: fn(&mut Vec<u8>),
    /// Every command must refuse; otherwise a command that never reads the
    /// damaged part may succeed, but none may panic or answer unclearly.
    always_noticed: bool,
}

const PAGE: usize = 4096;

const DAMAGES: &[Damage] = &[
    Damage {
        name: "key file cut in half",
        file: "vault.key",
        apply: |b| b.truncate(b.len() / 2),
        always_noticed: true,
    },
    Damage {
        name: "key file empty",
        file: "vault.key",
        apply: |b| b.clear(),
        always_noticed: true,
    },
    Damage {
        name: "key file with a bit flipped in its middle",
        file: "vault.key",
        apply: |b| {
            let i = b.len() / 2;
            b[i] ^= 0x01;
        },
        always_noticed: true,
    },
    Damage {
        name: "key file with a bit flipped near its end",
        file: "vault.key",
        apply: |b| {
            let i = b.len() - 3;
            b[i] ^= 0x10;
        },
        always_noticed: true,
    },
    Damage {
        name: "vault cut in half",
        file: "vault.db",
        apply: |b| b.truncate(b.len() / 2),
        always_noticed: true,
    },
    Damage {
        name: "vault cut to 1000 bytes",
        file: "vault.db",
        apply: |b| b.truncate(1000),
        always_noticed: true,
    },
    Damage {
        name: "vault with a bit flipped in its first page",
        file: "vault.db",
        apply: |b| b[200] ^= 0x01,
        always_noticed: true,
    },
    Damage {
        name: "vault with a bit flipped in every page after the first",
        file: "vault.db",
        apply: |b| {
            let mut i = PAGE + 300;
            while i < b.len() {
                b[i] ^= 0x04;
                i += PAGE;
            }
        },
        always_noticed: false,
    },
    Damage {
        name: "vault with a bit flipped in a later page",
        file: "vault.db",
        apply: |b| {
            let i = b.len() - PAGE - 300;
            b[i] ^= 0x80;
        },
        always_noticed: false,
    },
];

/// What one command did on one damaged vault.
struct Outcome {
    code: Option<i32>,
    stderr: String,
    /// `serve` still running after the wait: it started.
    kept_running: bool,
}

fn run_one(data: &Path, out: &Path, chat: &Path, args: &[&str]) -> Outcome {
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("{out}", &out.to_string_lossy())
                .replace("{chat}", &chat.to_string_lossy())
        })
        .collect();
    if args[0] != "serve" {
        let o: Output = rekindle(data).args(&args).output().unwrap();
        return Outcome {
            code: o.status.code(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            kept_running: false,
        };
    }
    let mut child = rekindle(data)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if child.try_wait().unwrap().is_some() {
            let o = child.wait_with_output().unwrap();
            return Outcome {
                code: o.status.code(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
                kept_running: false,
            };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    let o = child.wait_with_output().unwrap();
    Outcome {
        code: Some(0),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        kept_running: true,
    }
}

/// The problems with one outcome (empty when it is as required).
fn problems(damage: &Damage, args: &[&str], o: &Outcome, changed: bool) -> Vec<String> {
    let mut p = Vec::new();
    let what = format!("{} / rekindle {}", damage.name, args.join(" "));
    let refused = o.code.is_some_and(|c| c != 0) && !o.kept_running;
    if o.code.is_none() {
        p.push(format!("{what}: killed by a signal"));
    }
    if o.code == Some(101) || o.stderr.contains("panicked") {
        p.push(format!("{what}: panicked: {}", o.stderr));
    }
    // `delete-vault` is meant to remove a vault whose key still opens,
    // however damaged the database is.
    let deletes = args[0] == "delete-vault" && damage.file == "vault.db";
    if damage.always_noticed && !refused && !deletes {
        p.push(format!(
            "{what}: did not refuse (exit {:?}, serve kept running: {})",
            o.code, o.kept_running
        ));
    }
    if refused {
        // The last line is a plain sentence: "rekindle: The vault file is damaged ...".
        let last = o
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let sentence = last.strip_prefix("rekindle: ").unwrap_or(last);
        let plain = sentence.len() >= 20
            && sentence.chars().next().is_some_and(char::is_uppercase)
            && sentence.trim_end().ends_with(['.', ')'])
            && !sentence.contains('{')
            && !sentence.contains("Error(")
            && !sentence.contains("SQLITE");
        if !plain {
            p.push(format!("{what}: not a plain sentence: {:?}", o.stderr));
        }
        if changed {
            p.push(format!("{what}: refused but changed the folder's files"));
        }
    }
    p
}

#[test]
fn a_damaged_vault_is_refused_clearly_by_every_command_and_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let template = tmp.path().join("template");
    let chat: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/chats/own/whatsapp__small.txt");
    ok(&template, &["init"]);
    ok(
        &template,
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
    );
    ok(&template, &["import", chat.to_str().unwrap()]);
    ok(
        &template,
        &["supporter", "add", "--name", "Jo", "--role", "ally"],
    );
    let clean = files_in(&template);
    assert!(
        clean.get("vault.db").is_some_and(|b| b.len() >= 4 * PAGE),
        "a vault of several pages"
    );
    assert!(!clean.contains_key("vault.db-wal"), "{:?}", clean.keys());

    let jobs: Vec<(usize, usize)> = (0..DAMAGES.len())
        .flat_map(|d| (0..VAULT_COMMANDS.len()).map(move |c| (d, c)))
        .collect();
    let next = Mutex::new(0usize);
    let found = Mutex::new(Vec::<String>::new());
    let noticed = Mutex::new(BTreeMap::<&str, Vec<String>>::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let n = {
                        let mut g = next.lock().unwrap();
                        let n = *g;
                        *g += 1;
                        n
                    };
                    let Some(&(d, c)) = jobs.get(n) else { break };
                    let (damage, args) = (&DAMAGES[d], VAULT_COMMANDS[c]);
                    let run = tmp.path().join(format!("run-{n}"));
                    let data = run.join("data");
                    let out = run.join("out");
                    copy_dir(&template, &data);
                    std::fs::create_dir_all(&out).unwrap();
                    let path = data.join(damage.file);
                    let mut bytes = std::fs::read(&path).unwrap();
                    (damage.apply)(&mut bytes);
                    std::fs::write(&path, &bytes).unwrap();
                    let before = files_in(&data);
                    let o = run_one(&data, &out, &chat, args);
                    let changed = files_in(&data) != before;
                    if o.code.is_some_and(|c| c != 0) {
                        noticed
                            .lock()
                            .unwrap()
                            .entry(damage.name)
                            .or_default()
                            .push(args.join(" "));
                    }
                    found
                        .lock()
                        .unwrap()
                        .extend(problems(damage, args, &o, changed));
                    let _ = std::fs::remove_dir_all(&run);
                }
            });
        }
    });
    let found = found.into_inner().unwrap();
    assert!(
        found.is_empty(),
        "{} problems:\n{}",
        found.len(),
        found.join("\n")
    );
    // Where a command may not read the damaged part, the ones that read
    // everything still notice: `status` checks the whole file's integrity,
    // `export` reads every table.
    let noticed = noticed.into_inner().unwrap();
    let refused = |damage: &str, cmd: &str| {
        noticed
            .get(damage)
            .is_some_and(|cmds| cmds.iter().any(|c| c == cmd))
    };
    assert!(refused(
        "vault with a bit flipped in a later page",
        "status"
    ));
    for cmd in ["status", "export"] {
        assert!(
            refused(
                "vault with a bit flipped in every page after the first",
                cmd
            ),
            "{cmd}: {:?}",
            noticed.get("vault with a bit flipped in every page after the first")
        );
    }
}
