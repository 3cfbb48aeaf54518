//! Drives the real `rekindle` binary in a temporary data folder.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod support;
use support::{PASS, rekindle};

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Creates a vault in `d` with the test passphrase; it must succeed.
fn init_vault(d: &Path) {
    let o = run(rekindle(d).arg("init").env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "init: {}", stderr(&o));
}

/// Runs a command on the vault in `d` (passphrase from the environment); it must succeed.
fn ok_in(d: &Path, args: &[&str]) -> String {
    let o = run(rekindle(d).args(args).env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// A passphrase file only its owner can read (others are refused).
fn pass_file(dir: &Path, name: &str, pass: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, format!("{pass}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

/// Every command and subcommand, as clap lists them in `--help` (so a new
/// command is in this list without anyone adding it).
fn all_commands(dir: &Path) -> Vec<String> {
    let top = commands_in_help(&stdout(&run(rekindle(dir).arg("--help"))));
    assert!(top.len() >= 25, "{top:?}");
    let mut all = Vec::new();
    for c in &top {
        let sub = commands_in_help(&stdout(&run(rekindle(dir).args([c, "--help"]))));
        if sub.is_empty() {
            all.push(c.clone());
        } else {
            all.extend(sub.into_iter().map(|s| format!("{c} {s}")));
        }
    }
    all
}

#[test]
fn a_passphrase_file_others_can_read_is_refused_with_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let pf = pass_file(tmp.path(), "pass.txt", PASS);
    for mode in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(&pf, std::fs::Permissions::from_mode(mode)).unwrap();
        let o = run(rekindle(&d).args(["status", "--passphrase-file"]).arg(&pf));
        assert_eq!(o.status.code(), Some(2), "{mode:o}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("chmod 600 {}", pf.display())),
            "{err}"
        );
        assert!(err.contains("can be read by other people"), "{err}");
        assert!(!err.contains(PASS));
    }
    // Private again (and with a Windows line ending): accepted.
    std::fs::write(&pf, format!("{PASS}\r\nsecond line ignored\n")).unwrap();
    std::fs::set_permissions(&pf, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(rekindle(&d)
        .args(["status", "--json", "--passphrase-file"])
        .arg(&pf));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"unlocked\": true"), "{}", stdout(&o));
}

#[test]
fn help_and_version_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let version = format!("{}\n", env!("CARGO_PKG_VERSION"));
    let v = run(rekindle(tmp.path()).arg("--version"));
    assert!(v.status.success());
    assert_eq!(stdout(&v), format!("rekindle {version}"));
    let all = all_commands(tmp.path());
    // Cross-checked against COMMAND_CLASSES by every_command_has_a_gate_class.
    assert!(all.len() >= COMMAND_CLASSES.len(), "{all:?}");
    for c in &all {
        let words: Vec<&str> = c.split(' ').collect();
        for flag in ["--help", "-h"] {
            let o = run(rekindle(tmp.path()).args(&words).arg(flag));
            assert!(o.status.success(), "{c} {flag}: {}", stderr(&o));
            assert!(
                stdout(&o).contains(&format!("Usage: rekindle {c}")),
                "{c} {flag}: {}",
                stdout(&o)
            );
        }
        let o = run(rekindle(tmp.path()).args(&words).arg("--version"));
        assert!(o.status.success(), "{c} --version: {}", stderr(&o));
        assert!(
            stdout(&o).ends_with(&version),
            "{c} --version: {}",
            stdout(&o)
        );
        // Nothing was created by asking.
        assert!(!tmp.path().join("vault.key").exists(), "{c}");
    }
}

#[test]
fn init_export_restore_export_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let o = run(rekindle(&a).arg("init").env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    let export1 = run(rekindle(&a).arg("export").env("REKINDLE_PASSPHRASE", PASS));
    assert!(export1.status.success(), "{}", stderr(&export1));
    let file = tmp.path().join("export.json");
    let o = run(rekindle(&a)
        .args(["export", "--out"])
        .arg(&file)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("NOT encrypted"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Refuses to overwrite.
    let o = run(rekindle(&a)
        .args(["export", "--out"])
        .arg(&file)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));

    let b = tmp.path().join("b");
    let pf = pass_file(tmp.path(), "pass.txt", PASS);
    let o = run(rekindle(&b)
        .arg("restore")
        .arg(&file)
        .arg("--passphrase-file")
        .arg(&pf));
    assert!(o.status.success(), "{}", stderr(&o));
    let export2 = run(rekindle(&b).arg("export").arg("--passphrase-file").arg(&pf));
    assert_eq!(stdout(&export1), stdout(&export2));
    // Restoring over an existing vault is refused.
    let o = run(rekindle(&b)
        .arg("restore")
        .arg(&file)
        .arg("--passphrase-file")
        .arg(&pf));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"));
}

#[test]
fn wrong_passphrases_are_counted_across_runs_and_slow_the_next_try() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let failures = d.join("unlock-failures");
    let count = || -> u32 {
        std::fs::read_to_string(&failures)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    for expected in 1..=2 {
        let o = run(rekindle(&d)
            .arg("status")
            .env("REKINDLE_PASSPHRASE", "the wrong passphrase here"));
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(count(), expected);
    }
    // The last wrong try "began" in the future (a clock set back): the wait
    // is the full delay for one failure, never more, and it is said first.
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    std::fs::write(&failures, format!("1 {later}\n")).unwrap();
    let o = run(rekindle(&d).arg("status").env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("After a wrong passphrase, rekindle waits a second before the next try."),
        "{}",
        stderr(&o)
    );
    // The right passphrase starts the count again.
    assert!(!failures.exists());
    let o = run(rekindle(&d).arg("status").env("REKINDLE_PASSPHRASE", PASS));
    assert!(!stderr(&o).contains("waits"), "{}", stderr(&o));
}

#[test]
fn wrong_passphrase_is_one_sentence_and_exit_code_two() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    assert!(
        run(rekindle(&d).arg("init").env("REKINDLE_PASSPHRASE", PASS))
            .status
            .success()
    );
    let before = std::fs::read(d.join("vault.db")).unwrap();
    let o = run(rekindle(&d)
        .arg("export")
        .env("REKINDLE_PASSPHRASE", "the wrong passphrase here"));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does not open this vault"), "{err}");
    assert!(!err.contains("panicked") && !err.contains(".rs:"));
    assert_eq!(before, std::fs::read(d.join("vault.db")).unwrap());
}

#[test]
fn synced_folders_are_refused_for_the_live_database() {
    let tmp = tempfile::tempdir().unwrap();
    // By name: a Dropbox folder.
    let d = tmp.path().join("Dropbox").join("rekindle");
    let o = run(rekindle(&d).arg("init").env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("synced folder \"Dropbox\"") && err.contains("--data-dir"),
        "{err}"
    );
    assert!(!d.exists(), "nothing is created in a refused folder");
    // By marker: a Syncthing folder.
    let synced = tmp.path().join("phone-sync");
    std::fs::create_dir_all(synced.join(".stfolder")).unwrap();
    let o = run(rekindle(&synced.join("r"))
        .arg("init")
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".stfolder"), "{}", stderr(&o));
    // A plain local folder is fine.
    let ok = tmp.path().join("local");
    assert!(
        run(rekindle(&ok).arg("init").env("REKINDLE_PASSPHRASE", PASS))
            .status
            .success()
    );
}

#[test]
fn bad_inputs_get_plain_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    // No vault yet.
    let o = run(rekindle(&d).arg("export").env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("No vault exists yet"));
    // A weak passphrase.
    let o = run(rekindle(&d).arg("init").env("REKINDLE_PASSPHRASE", "short"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at least 15 characters"));
    // No passphrase and no terminal.
    let o = run(rekindle(&d).arg("init"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--passphrase-file"));
    // Not an export file: nothing is created.
    let junk = tmp.path().join("junk.json");
    std::fs::write(&junk, "hello").unwrap();
    let o = run(rekindle(&d)
        .arg("restore")
        .arg(&junk)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not readable JSON"), "{}", stderr(&o));
    assert!(!d.join("vault.key").exists());
}

#[test]
fn status_json_reports_counts_without_content() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let o = run(rekindle(&d).args(["status", "--json"]));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["vault_exists"], false);
    assert!(!d.exists(), "status only looks: it creates no folder");
    assert!(
        run(rekindle(&d).arg("init").env("REKINDLE_PASSPHRASE", PASS))
            .status
            .success()
    );
    let o = run(rekindle(&d)
        .args(["status", "--json"])
        .env("REKINDLE_PASSPHRASE", PASS));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["vault_exists"], true);
    assert_eq!(v["unlocked"], true);
    assert_eq!(v["integrity_ok"], true);
    assert_eq!(v["counts"]["relationship_versions"], 0);
}

#[test]
fn passwd_rewraps_and_backup_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    assert!(
        run(rekindle(&d).arg("init").env("REKINDLE_PASSPHRASE", PASS))
            .status
            .success()
    );
    let new_pass = "a different and long new passphrase";
    let nf = pass_file(tmp.path(), "new.txt", new_pass);
    let o = run(rekindle(&d)
        .arg("passwd")
        .arg("--new-passphrase-file")
        .arg(&nf)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        run(rekindle(&d).arg("export").env("REKINDLE_PASSPHRASE", PASS))
            .status
            .code(),
        Some(2)
    );
    assert!(
        run(rekindle(&d)
            .arg("export")
            .env("REKINDLE_PASSPHRASE", new_pass))
        .status
        .success()
    );
    let bk = tmp.path().join("backup.db");
    let o = run(rekindle(&d)
        .arg("backup")
        .arg(&bk)
        .env("REKINDLE_PASSPHRASE", new_pass));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(bk.exists() && tmp.path().join("backup.db.key").exists());
}

#[test]
fn serve_prints_one_login_url_and_a_second_instance_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let mut child = rekindle(&d)
        .arg("serve")
        .env("REKINDLE_PASSPHRASE", PASS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.contains("/login?token="));
    // The passphrase left the server's environment: /proc shows neither the
    // variable's value nor (its bytes wiped) any copy of it. Reading another
    // process's environ needs root here, as the server is not dumpable.
    match std::fs::read(format!("/proc/{}/environ", child.id())) {
        Ok(environ) => assert!(
            !environ.windows(PASS.len()).any(|w| w == PASS.as_bytes()),
            "the passphrase is still in the server's environment"
        ),
        Err(e) => eprintln!("skipped: /proc/PID/environ not readable ({e})"),
    }
    let o = run(rekindle(&d).arg("export").env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already running"), "{}", stderr(&o));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A bare HTTP/1.1 GET of `url` (http://127.0.0.1:PORT/…): the status line
/// and the headers, lower-cased names.
fn http_get(url: &str) -> (String, Vec<(String, String)>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let head = answer.split("\r\n\r\n").next().unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    (status, headers)
}

/// The URL in a line `rekindle serve` or `login-link` printed.
fn url_in(line: &str) -> String {
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {line:?}"))
        .to_string()
}

/// Issue 18 item 8: a new one-time link from the running server, without a
/// restart; the old link stops working; the session cookie is scoped to
/// the launch's random path, which the link carries.
#[test]
fn login_link_asks_the_running_server_for_a_new_link() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    // Nothing running: a plain sentence, exit 2, nothing created.
    let o = run(rekindle(&d).arg("login-link"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not running"), "{}", stderr(&o));
    assert!(stderr(&o).contains("rekindle serve"), "{}", stderr(&o));
    assert!(!d.exists());

    init_vault(&d);
    let mut server = rekindle(&d)
        .arg("serve")
        .env("REKINDLE_PASSPHRASE", PASS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = url_in(&lines.next().unwrap().unwrap());
    let (prefix, _) = first.split_once("/login?token=").unwrap();
    let base = &prefix[prefix.rfind('/').unwrap()..];
    assert_eq!(base.len(), 33, "a random path of 32 hex digits: {first}");

    let o = run(rekindle(&d).arg("login-link"));
    assert!(o.status.success(), "{}", stderr(&o));
    let second = url_in(&stdout(&o));
    assert!(
        second.starts_with(&format!("{prefix}/login?token=")),
        "{second}"
    );
    assert_ne!(second, first);
    // The server says so in its own terminal (without the link).
    let said = lines
        .map(Result::unwrap)
        .find(|l| !l.starts_with("Press Ctrl+C"))
        .unwrap();
    assert!(said.contains("rekindle login-link"), "{said}");
    assert!(!said.contains("token="), "{said}");

    // The first link no longer works; the new one does, once, and its
    // cookie is scoped to the launch's path.
    let (status, _) = http_get(&first);
    assert!(status.contains(" 401 "), "{status}");
    let (status, headers) = http_get(&second);
    assert!(status.contains(" 303 "), "{status}");
    let cookie = headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(cookie.contains(&format!("Path={base}")), "{cookie}");
    let (status, _) = http_get(&second);
    assert!(status.contains(" 401 "), "{status}");
    // Outside the launch's path there is nothing.
    let (status, _) = http_get(&format!(
        "{}/login?token=0",
        &prefix[..prefix.len() - base.len()]
    ));
    assert!(status.contains(" 404 "), "{status}");

    // A server that was killed leaves its socket: login-link says it is not
    // running; delete-vault removes the leftover with the vault's files.
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(d.join("control.sock").exists());
    let o = run(rekindle(&d).arg("login-link"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not running"), "{}", stderr(&o));
    // A file that is not a socket is not trusted.
    std::fs::remove_file(d.join("control.sock")).unwrap();
    std::fs::write(d.join("control.sock"), "http://127.0.0.1:1/login?token=x\n").unwrap();
    let o = run(rekindle(&d).arg("login-link"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a socket"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("http://"));
}

/// Every file in `d` (not in sub-folders) with its bytes, sorted by name.
fn files_in(d: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Words only the deleted vault (and its backup) hold.
const CANARY: &str = "CANARY-delete-me";

#[test]
fn delete_vault_asks_for_the_passphrase_and_a_yes_then_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    ok_in(
        &d,
        &[
            "problem",
            "add",
            "--title",
            CANARY,
            "--category",
            "conflict",
            "--whose",
            "mine",
            "--frequency",
            "often",
            "--severity",
            "3",
        ],
    );
    let backup = tmp.path().join("backup.db");
    ok_in(&d, &["backup", backup.to_str().unwrap()]);
    let before = files_in(&d);
    assert!(before.iter().any(|(n, _)| n == "vault.db"));

    // Not in a terminal and no --yes: refused, nothing touched.
    let o = run(rekindle(&d)
        .arg("delete-vault")
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(files_in(&d), before);

    // A wrong passphrase: exit 2, one plain sentence, nothing touched.
    let o = run(rekindle(&d)
        .args(["delete-vault", "--yes"])
        .env("REKINDLE_PASSPHRASE", "not the right passphrase at all"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("does not open this vault. Nothing was changed."),
        "{}",
        stderr(&o)
    );
    // Nothing of the vault changed; the wrong try was counted (issue 18, item 5).
    let (counted, rest): (Vec<_>, Vec<_>) = files_in(&d)
        .into_iter()
        .partition(|(n, _)| n == "unlock-failures");
    assert_eq!(counted.len(), 1, "the wrong try was counted");
    assert_eq!(rest, before);

    // While `rekindle serve` holds the folder: refused with what to do.
    let mut server = rekindle(&d)
        .arg("serve")
        .env("REKINDLE_PASSPHRASE", PASS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("/login?token="));
    let o = run(rekindle(&d)
        .args(["delete-vault", "--yes"])
        .env("REKINDLE_PASSPHRASE", PASS));
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("Stop it first"), "{}", stderr(&o));
    assert!(stderr(&o).contains("Nothing was deleted"), "{}", stderr(&o));
    assert!(d.join("vault.key").exists() && d.join("vault.db").exists());

    // The right passphrase (from a file) and --yes: everything of the vault goes.
    let pf = pass_file(tmp.path(), "pass.txt", PASS);
    let o = run(rekindle(&d)
        .args(["delete-vault", "--yes", "--passphrase-file"])
        .arg(&pf));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("yours to delete"), "{}", stdout(&o));
    let left: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["rekindle.lock"], "only the empty lock file stays");
    assert_eq!(std::fs::read(d.join("rekindle.lock")).unwrap(), b"");

    // `status` says there is no vault; a second delete says so too.
    let o = run(rekindle(&d).arg("status"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("No vault yet"), "{}", stdout(&o));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(rekindle(&d).args(["status", "--json"])))).unwrap();
    assert_eq!(json["vault_exists"], false);
    let o = run(rekindle(&d)
        .args(["delete-vault", "--yes"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no vault"), "{}", stderr(&o));
    // A mistyped folder is not created.
    let nowhere = tmp.path().join("nowhere");
    let o = run(rekindle(&nowhere)
        .args(["delete-vault", "--yes"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(!nowhere.exists());

    // The backup made earlier is untouched: the user's to delete. It still
    // opens with the passphrase and holds what the deleted vault held.
    assert!(backup.exists() && tmp.path().join("backup.db.key").exists());
    assert!(!String::from_utf8_lossy(&std::fs::read(&backup).unwrap()).contains(CANARY));
    let again = tmp.path().join("again");
    std::fs::create_dir(&again).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&again, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::copy(&backup, again.join("vault.db")).unwrap();
    std::fs::copy(tmp.path().join("backup.db.key"), again.join("vault.key")).unwrap();
    assert!(ok_in(&again, &["export"]).contains(CANARY));
}

/// A chat sample in `testdata/chats` (see `testdata/PROVENANCE.md`).
fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/chats")
        .join(name)
}

#[test]
fn convert_writes_the_exact_jsonl_schema_and_a_summary_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(rekindle(tmp.path())
        .arg("convert")
        .arg(fixture("whatsapp-chat-parser/short-chat.txt")));
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for l in &lines {
        let obj = l.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["kind", "sender", "text", "time"]);
        let time = l["time"].as_str().unwrap();
        assert_eq!(time.len(), 19, "{time}");
        assert!(
            ["text", "media", "system", "deleted", "other"].contains(&l["kind"].as_str().unwrap())
        );
        assert!(l["sender"].is_string() || l["sender"].is_null());
    }
    assert!(stderr(&o).contains("Read "), "{}", stderr(&o));
    // CSV has a header and one row per message (quoted multi-line texts aside).
    let o = run(rekindle(tmp.path())
        .args(["convert", "--to", "csv"])
        .arg(fixture("chat-miner/whatsapp__ddmmyy_24hrs.txt")));
    assert!(o.status.success());
    assert!(stdout(&o).lines().next().unwrap().contains("time"));
}

#[test]
fn convert_refuses_a_file_that_is_not_a_chat_with_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("notes.txt");
    std::fs::write(&junk, "Shopping list\nmilk\n").unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&junk));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("Line 1"), "{err}");
    let o = run(rekindle(tmp.path())
        .arg("convert")
        .arg(tmp.path().join("missing.txt")));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such file"));
    let o = run(rekindle(tmp.path())
        .args(["convert", "--format", "signal"])
        .arg(&junk));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("whatsapp, telegram, messenger, csv"),
        "{}",
        stderr(&o)
    );
}

/// A WhatsApp export with Latin-1 bytes in some lines (not UTF-8): `convert`
/// and `import` keep the good lines and say which were left out, as before
/// the file was repaired in place (issue 18, item 4).
#[test]
fn an_export_with_lines_that_are_not_utf8_converts_and_imports_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("chat.txt");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    for i in 0..30 {
        bytes.extend_from_slice(
            format!("12/03/2024, 21:{i:02} - Zo\u{eb}: message {i}\n").as_bytes(),
        );
        if i % 10 == 3 {
            bytes.extend_from_slice(format!("12/03/2024, 22:{i:02} - Sam: caf").as_bytes());
            bytes.extend_from_slice(b"\xE9 na\xEFve\n");
        }
    }
    std::fs::write(&file, &bytes).unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&file));
    assert!(o.status.success(), "{}", stderr(&o));
    let texts: Vec<String> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].to_string())
        .collect();
    assert_eq!(texts.len(), 30);
    assert_eq!(texts[0], "\"message 0\"", "the byte-order mark is not text");
    let err = stderr(&o);
    assert!(err.contains("Read 30 messages (WhatsApp)"), "{err}");
    assert!(
        err.contains("3 line(s) could not be read and were left out; the first ones:"),
        "{err}"
    );
    // The line numbers of the file, and the start of each line with the
    // bytes that are not UTF-8 shown as \u{fffd}.
    assert!(
        err.contains(
            "line 5: this line is not UTF-8 text, so it could not be read (\u{201c}12/03/2024, 22:03 - Sam: caf\u{fffd} na\u{fffd}ve\u{201d})"
        ),
        "{err}"
    );
    assert!(
        err.contains("line 16: ") && err.contains("line 27: "),
        "{err}"
    );
    let d = tmp.path().join("d");
    init_vault(&d);
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&file)
        .arg("--json")
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["counts"]["added"].as_u64(), Some(30), "{v}");
    assert_eq!(v["summary"]["skipped_count"].as_u64(), Some(3), "{v}");
}

#[test]
fn import_is_idempotent_and_reports_json() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    assert!(
        run(rekindle(&d).arg("init").env("REKINDLE_PASSPHRASE", PASS))
            .status
            .success()
    );
    let f = fixture("own/telegram__entities_undated.json");
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&f)
        .args(["--json"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let added = v["counts"]["added"].as_u64().unwrap();
    assert_eq!(added, 7, "the sample's 7 dated messages");
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&f)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("Stored 0 new message(s)"),
        "{}",
        stdout(&o)
    );
    let o = run(rekindle(&d)
        .args(["status", "--json"])
        .env("REKINDLE_PASSPHRASE", PASS));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["counts"]["chat_messages"].as_u64().unwrap(), added);
    // A name that is not in the chat: a plain message, exit 2, nothing added.
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&f)
        .args(["--me", "Nobody"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not write in this chat"));
}

#[test]
fn chats_are_listed_chosen_for_the_post_mortem_and_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let first = fixture("own/whatsapp__small.txt");
    let second = fixture("own/telegram__entities_undated.json");
    ok_in(&d, &["import", first.to_str().unwrap()]);
    ok_in(&d, &["import", second.to_str().unwrap()]);
    let list: serde_json::Value =
        serde_json::from_str(&ok_in(&d, &["chats", "list", "--json"])).unwrap();
    let chats = list.as_array().unwrap();
    assert_eq!(chats.len(), 2);
    let (a, b) = (
        chats[0]["id"].as_i64().unwrap(),
        chats[1]["id"].as_i64().unwrap(),
    );
    assert_eq!(chats[0]["analysed"], true, "the first chat by default");
    assert_eq!(chats[1]["analysed"], false);
    assert_eq!(chats[1]["messages"], 7);
    // Choose the second: `analyze` reads it, and the list says so.
    assert!(ok_in(&d, &["chats", "use", &b.to_string()]).contains("now reads chat"));
    let analysed = |args: &[&str]| -> u64 {
        let v: serde_json::Value = serde_json::from_str(&ok_in(&d, args)).unwrap();
        v["analysed"].as_u64().unwrap()
    };
    assert_eq!(analysed(&["analyze", "--json"]), 7);
    let first_count = chats[0]["messages"].as_u64().unwrap();
    assert_eq!(
        analysed(&["analyze", "--json", "--chat", &a.to_string()]),
        first_count
    );
    let text = ok_in(&d, &["chats", "list"]);
    assert!(text.contains("the post-mortem reads this one"), "{text}");
    // An unknown id: exit 2 and where to find the ids, for every subcommand.
    for args in [
        vec!["chats", "use", "999"],
        vec!["chats", "delete", "999", "--yes"],
        vec!["analyze", "--chat", "999"],
    ] {
        let o = run(rekindle(&d).args(&args).env("REKINDLE_PASSPHRASE", PASS));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("rekindle chats list"), "{}", stderr(&o));
    }
    // Delete asks for --yes and changes nothing without it.
    let o = run(rekindle(&d)
        .args(["chats", "delete", &b.to_string()])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    let count = |d: &Path| -> u64 {
        let s: serde_json::Value = serde_json::from_str(&ok_in(d, &["status", "--json"])).unwrap();
        s["counts"]["chat_messages"].as_u64().unwrap()
    };
    assert_eq!(count(&d), first_count + 7);
    ok_in(&d, &["chats", "delete", &b.to_string(), "--yes"]);
    assert_eq!(count(&d), first_count);
    let list: serde_json::Value =
        serde_json::from_str(&ok_in(&d, &["chats", "list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // The chosen chat is gone: the post-mortem reads the one left.
    assert_eq!(list[0]["analysed"], true);
    assert_eq!(analysed(&["analyze", "--json"]), first_count);
}

#[test]
fn from_an_empty_vault_to_a_plan_with_a_week_of_check_ins_using_only_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let ok = |args: &[&str]| ok_in(&d, args);
    ok(&["init"]);
    let out = ok(&[
        "problem",
        "add",
        "--title",
        "My drinking at parties",
        "--category",
        "substance",
        "--whose",
        "mine",
        "--frequency",
        "often",
        "--severity",
        "5",
        "--my-part",
        "I said hurtful things",
        "--why",
        "I feel left out",
    ]);
    assert!(out.contains("Saved problem 1"), "{out}");
    let list = ok(&["problem", "list"]);
    assert!(list.contains("still needs"), "{list}");
    // Bad input: a plain sentence, exit 2, nothing saved.
    let o = run(rekindle(&d)
        .args([
            "problem",
            "add",
            "--title",
            "x",
            "--category",
            "cats",
            "--whose",
            "mine",
            "--frequency",
            "often",
            "--severity",
            "3",
        ])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("what kind of problem"));
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date();
    let week_ago = today
        .checked_sub(jiff::Span::new().days(7))
        .unwrap()
        .to_string();
    let plan = |start: Option<&str>| {
        let mut args = vec![
            "plan",
            "1",
            "--prevention",
            "I will not drink at all",
            "--if",
            "someone offers me a drink",
            "--then",
            "I ask for sparkling water",
            "--commitment",
            "No alcohol",
            "--kind",
            "daily",
        ];
        if let Some(s) = start {
            args.extend(["--start", s]);
        }
        run(rekindle(&d).args(&args).env("REKINDLE_PASSPHRASE", PASS))
    };
    // A commitment cannot start before the plan is made: past days are not the record.
    let o = plan(Some(&week_ago));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the day this plan was made"),
        "{}",
        stderr(&o)
    );
    let o = plan(None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("now answered"), "{}", stdout(&o));
    assert!(ok(&["problem", "list"]).contains("answered"));
    // ...so a day before today cannot be entered for it.
    let yesterday = today.yesterday().unwrap().to_string();
    let o = run(rekindle(&d)
        .args(["checkin", "2", "--kept", "--day", &yesterday])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    // Today through the prompt, as a script would pipe it.
    let o = with_stdin(
        rekindle(&d).arg("checkin").env("REKINDLE_PASSPHRASE", PASS),
        b"k\n",
    );
    assert!(o.status.success());
    let record: serde_json::Value = serde_json::from_str(&ok(&["record", "--json"])).unwrap();
    let c = &record[0];
    assert_eq!(c["current_streak"], 1);
    assert_eq!(c["kept"], 1);
    assert_eq!(c["lapsed"], 0);
    assert_eq!(c["checkins"].as_array().unwrap().len(), 1);
    assert_eq!(c["checkins"][0]["recorded_on"], c["checkins"][0]["day"]);
    // A lapse today is recorded as a new version; the first answer stays in the history.
    ok(&["checkin", "2", "--lapsed", "--trigger", "Friday drinks"]);
    let record: serde_json::Value = serde_json::from_str(&ok(&["record", "--json"])).unwrap();
    assert_eq!(record[0]["lapsed"], 1);
    assert_eq!(record[0]["kept"], 0);
    // Seriousness and the relapse guard, also from the terminal.
    assert!(
        ok(&[
            "readiness",
            "2",
            "--importance",
            "9",
            "--confidence",
            "6",
            "--stage",
            "doing"
        ])
        .contains("importance 9/10")
    );
    ok(&[
        "trigger",
        "2",
        "--kind",
        "time",
        "--description",
        "Friday drinks",
        "--coping",
        "climbing gym instead",
    ]);
    let pattern: serde_json::Value = serde_json::from_str(&ok(&["pattern", "--json"])).unwrap();
    assert_eq!(pattern["lapses"], 1);
    assert_eq!(pattern["triggers"][0][0], "Friday drinks");
    let audit: serde_json::Value = serde_json::from_str(&ok(&[
        "audit-c", "--q1", "2", "--q2", "1", "--q3", "0", "--sex", "female", "--json",
    ]))
    .unwrap();
    assert_eq!(
        (audit["score"].as_u64(), audit["positive"].as_bool()),
        (Some(3), Some(true))
    );
    let o = run(rekindle(&d)
        .args(["audit-c", "--q1", "7", "--q2", "1", "--q3", "0"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    let ics = ok(&["reminders", "--ics", "--time", "20:30"]);
    assert!(ics.contains("SUMMARY:Daily check-in") && ics.contains("T203000"));
    // Everything is in the export and comes back on restore.
    let export = ok(&["export"]);
    assert!(export.contains("\"kind\": \"checkin\""));
    assert!(export.contains("\"kind\": \"trigger\"") && export.contains("\"kind\": \"audit_c\""));
}

#[test]
fn the_safety_lock_and_their_no_from_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let ok = |args: &[&str]| ok_in(&d, args);
    let status = |ok: &dyn Fn(&[&str]) -> String| -> serde_json::Value {
        serde_json::from_str(&ok(&["safety", "status", "--json"])).unwrap()
    };
    ok(&["init"]);
    let s = status(&ok);
    assert_eq!(s["reconciliation_help"], false);
    assert_eq!(s["refusal"]["reason"], "screen_needed");
    let mut answers = vec!["no"; 13];
    answers[3] = "not_sure"; // afraid of them: not sure
    let out = ok(&["safety", "screen", "--answers", &answers.join(",")]);
    assert!(out.contains("twice the physical violence"), "{out}");
    let s = status(&ok);
    assert_eq!(s["refusal"]["reason"], "safety_lock");
    assert_eq!(s["refusal"]["toward_me"], true);
    // The status names what was answered.
    let o = run(rekindle(&d)
        .args(["safety", "status"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(
        stdout(&o).contains("You were not sure about: “Are you, or were you, afraid of them?”"),
        "{}",
        stdout(&o)
    );
    // Re-taking the questions to lift the lock waits a day, and says so.
    let o = run(rekindle(&d)
        .args(["safety", "screen", "--answers", &vec!["no"; 13].join(",")])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("A day's pause"), "{}", stderr(&o));
    let s = status(&ok);
    assert_eq!(s["refusal"]["reason"], "safety_lock", "still locked");
    assert_eq!(s["lock_events"].as_array().unwrap().len(), 1, "on");
    // Wrong number of answers: a plain message.
    let o = run(rekindle(&d)
        .args(["safety", "screen", "--answers", "no,no"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));

    // Someone who hurt the ex is pointed to accountability, not win-back help.
    let d2 = tmp.path().join("d2");
    let ok2 = |args: &[&str]| ok_in(&d2, args);
    ok2(&["init"]);
    let mut answers = vec!["no"; 13];
    answers[9] = "yes";
    assert!(
        ok2(&["safety", "screen", "--answers", &answers.join(",")]).contains("change how they act")
    );

    // Their no is final, and a screen without risk (taken again at once) does not undo it.
    let d3 = tmp.path().join("d3");
    let ok3 = |args: &[&str]| ok_in(&d3, args);
    ok3(&["init"]);
    ok3(&["safety", "screen", "--answers", &vec!["no"; 13].join(",")]);
    ok3(&["safety", "no", "--kind", "blocked"]);
    let s: serde_json::Value = serde_json::from_str(&ok3(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["refusal"]["reason"], "ex_said_no");
    assert!(s["explanation"].as_str().unwrap().contains("final"));
    ok3(&["safety", "screen", "--answers", &vec!["no"; 13].join(",")]);
    let s: serde_json::Value = serde_json::from_str(&ok3(&["safety", "status", "--json"])).unwrap();
    assert_eq!(
        s["reconciliation_help"], false,
        "re-taking the screen does not undo their no"
    );
    // Help lines need no vault.
    let o = run(rekindle(tmp.path()).args(["helplines", "--country", "gb"]));
    assert!(o.status.success());
    assert!(stdout(&o).contains("0808 2000 247"));
}

/// Runs `cmd` with `input` on its standard input; waits for it.
fn with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

#[test]
fn sentiment_classify_and_analyze_from_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    // `sentiment` reproduces the reference scores exactly (first oracle sentences without quotes).
    let oracle = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/vader/reference_scores.tsv"),
    )
    .unwrap();
    let rows: Vec<Vec<&str>> = oracle
        .lines()
        .filter(|l| !l.contains('"'))
        .map(|l| l.splitn(7, '\t').collect::<Vec<_>>())
        .filter(|r| r.len() == 7 && r[2].parse::<f64>().is_ok())
        .take(200)
        .collect();
    assert_eq!(rows.len(), 200);
    let input: String = rows.iter().map(|r| format!("{}\n", r[6])).collect();
    let o = with_stdin(rekindle(tmp.path()).arg("sentiment"), input.as_bytes());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 200);
    for (row, got) in rows.iter().zip(&lines) {
        for (i, k) in ["neg", "neu", "pos", "compound"].iter().enumerate() {
            let want: f64 = row[i + 2].parse().unwrap();
            assert_eq!(got[k].as_f64().unwrap(), want, "{k} of {:?}", row[6]);
        }
    }
    // `classify` writes the documented shape.
    let o = with_stdin(
        rekindle(tmp.path()).arg("classify"),
        b"You always ruin everything.\n",
    );
    let c: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(c["horsemen"][0], "criticism");
    assert_eq!(c["negative"], true);
    for k in ["sentiment", "repair", "topics"] {
        assert!(c.get(k).is_some(), "{k}");
    }
    assert_eq!(c["pressure"], serde_json::json!([]));
    assert_eq!(c["danger"], serde_json::Value::Null);
    // A sign of danger, as the import reads it for the safety gate.
    let o = with_stdin(
        rekindle(tmp.path()).arg("classify"),
        b"you pushed me into the wall last night
",
    );
    let c: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(c["danger"], "violence");
    // Pressure on the other person is a list of kinds.
    let o = with_stdin(
        rekindle(tmp.path()).arg("classify"),
        b"i'm outside your work, answer me\n",
    );
    let c: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        c["pressure"],
        serde_json::json!(["showing_up", "persistence"])
    );
    // `classify --as-chat` decides at the share estimated from all the lines:
    // after 2,000 calm lines a mildly upset one is not flagged, alone it is.
    let upset = "this is a bit frustrating";
    let alone = with_stdin(rekindle(tmp.path()).arg("classify"), upset.as_bytes());
    let c: serde_json::Value = serde_json::from_str(stdout(&alone).trim()).unwrap();
    assert_eq!(c["negative"], true);
    let calm: String = [
        "see you at 8\n",
        "haha that was great\n",
        "thanks for dinner\n",
        "love you\n",
    ]
    .iter()
    .cycle()
    .take(2000)
    .copied()
    .collect();
    let o = with_stdin(
        rekindle(tmp.path()).args(["classify", "--as-chat"]),
        format!("{calm}{upset}\n").as_bytes(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 2001);
    assert_eq!(out[2000]["negative"], false);
    assert!(stderr(&o).contains("estimated 1.0 %"), "{}", stderr(&o));

    // `analyze FILE` works without a vault and stores nothing.
    let o = run(rekindle(tmp.path())
        .arg("analyze")
        .arg(fixture("own/telegram__entities_undated.json"))
        .arg("--json"));
    assert!(o.status.success(), "{}", stderr(&o));
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(a["version"], 2);
    assert_eq!(a["settings"]["gap_minutes"], 360);
    assert!(!tmp.path().join("vault.key").exists());

    // The conversation gap can be set; a shorter gap finds at least as many starts.
    let starts = |gap: &str| {
        let o = run(rekindle(tmp.path())
            .arg("analyze")
            .arg(fixture("chat-miner/whatsapp__testlog.txt"))
            .args(["--json", "--gap-hours", gap]));
        assert!(o.status.success(), "{}", stderr(&o));
        let a: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            a["settings"]["gap_minutes"],
            gap.parse::<u64>().unwrap() * 60
        );
        a["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["totals"]["starts"].as_u64().unwrap())
            .sum::<u64>()
    };
    // Strictly more: a --gap-hours that was ignored would give equal counts.
    let (short, long) = (starts("1"), starts("168"));
    assert!(
        short > long,
        "{short} starts with a 1-hour gap, {long} with 168 hours"
    );
    let o = run(rekindle(tmp.path())
        .arg("analyze")
        .arg(fixture("chat-miner/whatsapp__testlog.txt"))
        .args(["--gap-hours", "0"]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("1..=168"), "{}", stderr(&o));
}

/// A chat that ends with the ex asking for no contact (written apart from the
/// rules, in rekindle-analysis' tests/data/chats) pauses outreach until the user
/// answers, from the terminal too; the unanswered messages after it count as
/// outreach already made.
#[test]
fn a_no_contact_request_in_the_chat_pauses_the_letter_until_answered() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let go = |args: &[&str]| run(rekindle(&d).args(args).env("REKINDLE_PASSPHRASE", PASS));
    let ok = |args: &[&str]| {
        let o = go(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    ok(&["init"]);
    ok(&["safety", "screen", "--answers", &vec!["no"; 13].join(",")]);
    let chat = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rekindle-analysis/tests/data/chats/no_contact_end.txt"
    );
    ok(&["import", chat, "--me", "Liam", "--ex", "Hannah"]);
    let s: serde_json::Value = serde_json::from_str(&ok(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["refusal"]["reason"], "boundary_in_chat", "{s}");
    assert_eq!(s["refusal"]["kind"], "no_contact");
    assert_eq!(s["chat_boundaries"][0]["unanswered_after"], 5);
    // The letter says why, with exit code 2.
    let o = go(&["letter"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("asked you not to contact them"),
        "{}",
        stderr(&o)
    );
    // The proposal, then "not what it means now": the five unanswered messages still count.
    assert!(ok(&["safety", "boundary"]).contains("--record"));
    ok(&["safety", "boundary", "--not-a-no"]);
    let s: serde_json::Value = serde_json::from_str(&ok(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["reconciliation_help"], true, "{s}");
    let o = go(&["letter"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("5 messages that got no reply"),
        "{}",
        stderr(&o)
    );
    // Nothing left to answer.
    assert_eq!(
        go(&["safety", "boundary", "--record"]).status.code(),
        Some(2)
    );
}

/// A chat in WhatsApp's export form between Sam (the user) and Alex (the ex).
fn chat_file(dir: &Path, lines: &[(&str, &str)]) -> std::path::PathBuf {
    let mut text = String::new();
    for (i, (who, msg)) in lines.iter().enumerate() {
        text.push_str(&format!(
            "12/03/2024, 2{}:{:02} - {who}: {msg}\n",
            i / 60,
            i % 60
        ));
    }
    let f = dir.join("WhatsApp Chat with Alex.txt");
    std::fs::write(&f, text).unwrap();
    f
}

/// A threat in the chat pauses every reconciliation feature until the user
/// answers it, whoever wrote it; "that is how it was" turns the safety lock
/// on in the right direction, "not meant" lets the rest of the gate decide.
#[test]
fn a_threat_or_a_hurt_told_in_the_chat_is_asked_about_before_any_outreach() {
    let tmp = tempfile::tempdir().unwrap();
    let ordinary = [
        ("Sam", "are you picking up the kids or shall i"),
        ("Alex", "i can do it, back by 6"),
        ("Sam", "ok thanks"),
    ];
    // The ex threatens the user: confirmed, the lock is on toward the user.
    let d = tmp.path().join("d");
    let ok = |args: &[&str]| ok_in(&d, args);
    ok(&["init"]);
    ok(&["safety", "screen", "--answers", &vec!["no"; 13].join(",")]);
    let mut lines = ordinary.to_vec();
    lines.push((
        "Alex",
        "i know where you live. answer me or ill break your legs",
    ));
    let f = chat_file(tmp.path(), &lines);
    ok(&["import", f.to_str().unwrap(), "--me", "Sam", "--ex", "Alex"]);
    let s: serde_json::Value = serde_json::from_str(&ok(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["refusal"]["reason"], "danger_in_chat", "{s}");
    assert_eq!(s["refusal"]["kind"], "threat");
    assert_eq!(s["refusal"]["by_ex"], true);
    let asked = ok(&["safety", "danger"]);
    assert!(asked.contains("they seem to threaten you"), "{asked}");
    // The message itself, found again in the chat.
    assert!(
        asked.contains(
            "The message: \u{201c}i know where you live. answer me or ill break your legs\u{201d}"
        ),
        "{asked}"
    );
    let asked: serde_json::Value =
        serde_json::from_str(&ok(&["safety", "danger", "--json"])).unwrap();
    assert_eq!(
        asked["message"],
        "i know where you live. answer me or ill break your legs"
    );
    ok(&["safety", "danger", "--happened"]);
    let answered: serde_json::Value =
        serde_json::from_str(&ok(&["safety", "danger", "--json"])).unwrap();
    assert_eq!(answered["message"], serde_json::Value::Null);
    let s: serde_json::Value = serde_json::from_str(&ok(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["refusal"]["reason"], "safety_lock", "{s}");
    assert_eq!(s["refusal"]["toward_me"], true);
    assert_eq!(s["refusal"]["from_me"], false);
    assert!(
        s["lock_reasons"][0]
            .as_str()
            .unwrap()
            .contains("You said that is how it was")
    );

    // The mirror: the ex writes that the user hurt them. Confirmed, the lock
    // is on from the user's side.
    let d2 = tmp.path().join("d2");
    let ok2 = |args: &[&str]| ok_in(&d2, args);
    ok2(&["init"]);
    ok2(&["safety", "screen", "--answers", &vec!["no"; 13].join(",")]);
    let mut lines = ordinary.to_vec();
    lines.push((
        "Alex",
        "you pushed me into the wall last night and im scared of you",
    ));
    let f = chat_file(tmp.path(), &lines);
    ok2(&["import", f.to_str().unwrap(), "--me", "Sam", "--ex", "Alex"]);
    assert!(ok2(&["safety", "danger"]).contains("they write that you hurt them"));
    ok2(&["safety", "danger", "--happened"]);
    let s: serde_json::Value = serde_json::from_str(&ok2(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["refusal"]["from_me"], true, "{s}");
    assert_eq!(s["refusal"]["toward_me"], false);

    // Banter is not asked about; a threat said "not meant" leaves the gate
    // to the rest of the facts, and nothing is left to answer.
    let d3 = tmp.path().join("d3");
    let ok3 = |args: &[&str]| ok_in(&d3, args);
    ok3(&["init"]);
    ok3(&["safety", "screen", "--answers", &vec!["no"; 13].join(",")]);
    let mut lines = ordinary.to_vec();
    lines.push(("Alex", "ill kill you if you spoil the finale 😂"));
    lines.push(("Sam", "i will hurt you if you eat my leftovers again"));
    let f = chat_file(tmp.path(), &lines);
    ok3(&["import", f.to_str().unwrap(), "--me", "Sam", "--ex", "Alex"]);
    let s: serde_json::Value = serde_json::from_str(&ok3(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["chat_danger"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["refusal"]["by_ex"], false, "{s}");
    ok3(&["safety", "danger", "--not-meant"]);
    let s: serde_json::Value = serde_json::from_str(&ok3(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["reconciliation_help"], true, "{s}");
    assert!(ok3(&["safety", "danger"]).contains("No sign of danger"));
    let o = run(rekindle(&d3)
        .args(["safety", "danger", "--happened"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn recording_the_chat_boundary_makes_it_their_no() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let ok = |args: &[&str]| ok_in(&d, args);
    ok(&["init"]);
    let chat = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rekindle-analysis/tests/data/chats/ex_ended_blocked.txt"
    );
    ok(&["import", chat, "--me", "Kofi", "--ex", "Jade"]);
    assert!(ok(&["safety", "boundary"]).contains("said they had blocked you"));
    ok(&["safety", "boundary", "--record"]);
    let s: serde_json::Value = serde_json::from_str(&ok(&["safety", "status", "--json"])).unwrap();
    assert_eq!(s["ex_said_no"], "blocked", "{s}");
    // The mirror: the user's own boundary never pauses anything.
    let d2 = tmp.path().join("d2");
    let o = run(rekindle(&d2).arg("init").env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success());
    let space = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rekindle-analysis/tests/data/chats/space_request.txt"
    );
    let o = run(rekindle(&d2)
        .args(["import", space, "--me", "Ellie", "--ex", "Marco"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(rekindle(&d2)
        .args(["safety", "boundary"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(stdout(&o).contains("No boundary"), "{}", stdout(&o));
}

/// Every command with its class: `outreach` helps reach the ex and must ask the
/// one gate (`rekindle_app::letter::gate`); `own recovery` stays open under the
/// lock; `neutral` is plumbing. A new command without a class fails.
const COMMAND_CLASSES: &[(&str, &str)] = &[
    ("init", "neutral"),
    ("serve", "neutral"),
    ("login-link", "neutral"),
    ("passwd", "neutral"),
    ("export", "neutral"),
    ("restore", "neutral"),
    ("backup", "neutral"),
    ("delete-vault", "neutral"),
    ("duress set", "neutral"),
    ("duress off", "neutral"),
    ("convert", "neutral"),
    ("import", "own recovery"),
    ("relationship show", "own recovery"),
    ("relationship set", "own recovery"),
    ("settings show", "neutral"),
    ("settings set", "neutral"),
    ("problem add", "own recovery"),
    ("problem edit", "own recovery"),
    ("problem list", "own recovery"),
    ("plan", "own recovery"),
    ("checkin", "own recovery"),
    ("record", "own recovery"),
    ("pause", "own recovery"),
    ("resume", "own recovery"),
    ("readiness", "own recovery"),
    ("readiness-history", "own recovery"),
    ("self-check add", "own recovery"),
    ("self-check list", "own recovery"),
    // Writes down what they said; the words to ask them are offered only
    // where the web offers them (not under the lock, not after their no).
    ("their-words add", "own recovery"),
    ("their-words list", "own recovery"),
    // Speaks only about the user's own recovery under the lock and after their no.
    ("outlook", "own recovery"),
    ("trigger", "own recovery"),
    ("triggers", "own recovery"),
    ("pattern", "own recovery"),
    ("audit-c", "own recovery"),
    ("audit-c-history", "own recovery"),
    ("alcohol-free record", "own recovery"),
    ("alcohol-free list", "own recovery"),
    ("supporter add", "own recovery"),
    ("supporter edit", "own recovery"),
    ("supporter list", "own recovery"),
    ("book add", "own recovery"),
    ("book edit", "own recovery"),
    ("book list", "own recovery"),
    ("book status", "own recovery"),
    ("takeaway add", "own recovery"),
    ("takeaway edit", "own recovery"),
    ("takeaway list", "own recovery"),
    ("withdraw", "own recovery"),
    ("bring-back", "own recovery"),
    ("withdrawn", "own recovery"),
    ("reminders", "own recovery"),
    ("safety status", "neutral"),
    ("safety screen", "neutral"),
    ("safety no", "neutral"),
    ("safety boundary", "neutral"),
    ("safety danger", "neutral"),
    ("helplines", "neutral"),
    ("share create", "own recovery"),
    ("share list", "own recovery"),
    ("share revoke", "own recovery"),
    ("share serve", "own recovery"),
    ("report", "own recovery"),
    ("letter", "outreach"),
    ("sentiment", "neutral"),
    ("classify", "neutral"),
    ("analyze", "own recovery"),
    ("chats list", "own recovery"),
    ("chats roles", "own recovery"),
    ("chats use", "own recovery"),
    ("chats delete", "own recovery"),
    ("topics list", "own recovery"),
    ("topics add", "own recovery"),
    ("topics remove", "own recovery"),
    ("status", "neutral"),
    // The operator's commands of hosted mode: accounts and the server, never content.
    ("host init", "neutral"),
    ("host serve", "neutral"),
    ("host invite", "neutral"),
    ("host accounts", "neutral"),
];

/// The subcommand names in a `--help` text's "Commands:" block (without `help`).
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

#[test]
fn every_command_has_a_gate_class() {
    let tmp = tempfile::tempdir().unwrap();
    let all = all_commands(tmp.path());
    for c in &all {
        assert!(
            COMMAND_CLASSES.iter().any(|(n, _)| n == c),
            "`rekindle {c}` has no class: is it outreach, own recovery or neutral?"
        );
    }
    for (n, _) in COMMAND_CLASSES {
        assert!(
            all.iter().any(|c| c == n),
            "{n} is listed but no longer a command"
        );
    }
}

/// A vault whose record was lived: the plan made 40 days ago and a check-in
/// written down on each of the 35 days before today (export, edit, restore:
/// check-ins entered today for past days would not count).
fn lived_vault(tmp: &Path, risk: bool, their_no: bool) -> std::path::PathBuf {
    let seed = tmp.join("seed");
    let ok = ok_in;
    ok(&seed, &["init"]);
    ok(
        &seed,
        &[
            "problem",
            "add",
            "--title",
            "My drinking",
            "--category",
            "substance",
            "--whose",
            "mine",
            "--frequency",
            "often",
            "--severity",
            "4",
        ],
    );
    ok(
        &seed,
        &[
            "plan",
            "1",
            "--prevention",
            "I will not drink",
            "--commitment",
            "No alcohol",
            "--kind",
            "daily",
        ],
    );
    let file = tmp.join("seed.json");
    ok(&seed, &["export", "--out", file.to_str().unwrap()]);
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date();
    let day = |n: i64| {
        today
            .checked_sub(jiff::Span::new().days(n))
            .unwrap()
            .to_string()
    };
    let stamp = |n: i64| format!("{}T12:00:00Z", day(n));
    let items = doc["items"].as_array_mut().unwrap();
    let plan = items.iter_mut().find(|i| i["kind"] == "plan").unwrap();
    plan["created_at"] = stamp(40).into();
    let plan_id = plan["id"].clone();
    for v in plan["versions"].as_array_mut().unwrap() {
        v["saved_at"] = stamp(40).into();
        v["data"]["commitment"]["start"] = day(40).into();
    }
    let first_id = items
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .max()
        .unwrap()
        + 1;
    for (id, n) in (first_id..).zip((1..=35).rev()) {
        items.push(serde_json::json!({
            "id": id, "kind": "checkin", "created_at": stamp(n),
            "versions": [{"saved_at": stamp(n), "data": {
                "plan_id": plan_id, "day": day(n), "outcome": "kept", "count": null,
                "note": "", "trigger": "", "instead": "", "recorded_on": day(n)}}]
        }));
    }
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let lived = tmp.join("lived");
    ok(&lived, &["restore", file.to_str().unwrap()]);
    let mut answers = vec!["no"; 13];
    if risk {
        answers[3] = "not_sure";
    }
    ok(
        &lived,
        &["safety", "screen", "--answers", &answers.join(",")],
    );
    if their_no {
        ok(&lived, &["safety", "no", "--kind", "said_no"]);
    }
    lived
}

#[test]
fn outreach_commands_are_refused_locked_and_after_their_no_and_open_otherwise() {
    let outreach: Vec<&str> = COMMAND_CLASSES
        .iter()
        .filter(|(_, c)| *c == "outreach")
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(outreach, vec!["letter"]);
    for (risk, their_no, why) in [
        (true, false, Some("twice the physical violence")),
        (false, true, Some("final here")),
        (false, false, None),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let d = lived_vault(tmp.path(), risk, their_no);
        let mine = tmp.path().join("mine.txt");
        std::fs::write(&mine, "Dear Alex, I am sorry for my part.").unwrap();
        for args in [
            vec!["letter"],
            vec!["letter", "--check", mine.to_str().unwrap()],
        ] {
            let o = run(rekindle(&d).args(&args).env("REKINDLE_PASSPHRASE", PASS));
            match why {
                Some(w) => {
                    assert_eq!(o.status.code(), Some(2), "{args:?}");
                    assert!(stderr(&o).contains(w), "{args:?}: {}", stderr(&o));
                    assert!(stdout(&o).is_empty(), "nothing drafted or checked");
                }
                None => {
                    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
                    assert!(stdout(&o).contains("Dear"), "{}", stdout(&o));
                }
            }
        }
        // Own recovery stays open: the report is written, and says who it is for.
        let out = tmp.path().join("report.html");
        let o = run(rekindle(&d)
            .args([
                "report",
                "--out",
                out.to_str().unwrap(),
                "--sections",
                "record",
            ])
            .env("REKINDLE_PASSPHRASE", PASS));
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(&out).unwrap();
        assert_eq!(html.contains("not for my ex"), why.is_some());
    }
}

#[test]
fn outlook_json_names_each_factor_with_its_source_and_keeps_to_own_recovery_when_it_must() {
    for (risk, their_no) in [(false, false), (true, false), (false, true)] {
        let tmp = tempfile::tempdir().unwrap();
        let d = lived_vault(tmp.path(), risk, their_no);
        let o = run(rekindle(&d)
            .args(["outlook", "--json"])
            .env("REKINDLE_PASSPHRASE", PASS));
        assert!(o.status.success(), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let own = risk || their_no;
        assert_eq!(
            doc["scope"],
            if own { "own_recovery" } else { "whole" },
            "{doc}"
        );
        assert_eq!(doc["why"].is_string(), own);
        let factors = doc["factors"].as_array().unwrap();
        for f in factors {
            for field in ["kind", "group", "title", "suggests"] {
                assert!(f[field].as_str().is_some_and(|s| !s.is_empty()), "{f}");
            }
            assert!(f["source"]["path"].as_str().unwrap().starts_with('/'));
            assert!(
                ["helps", "works_against", "unknown"].contains(&f["leaning"].as_str().unwrap())
            );
            if own {
                assert!(
                    [
                        "commitment",
                        "record_length",
                        "lapses",
                        "gaps",
                        "confirmations",
                        "readiness"
                    ]
                    .contains(&f["kind"].as_str().unwrap()),
                    "{f}"
                );
            }
        }
        // 35 days kept, written down on their days: the record helps, in every case.
        let record = factors.iter().find(|f| f["kind"] == "commitment").unwrap();
        assert_eq!(record["leaning"], "helps", "{record}");
        assert_eq!(record["source"]["command"], "rekindle record");
        let text = stdout(&o).to_lowercase();
        for never in ["chance", "likely", "%", "percent", "odds"] {
            assert!(!text.contains(never), "{never}");
        }
        // And in plain sentences.
        let o = run(rekindle(&d).arg("outlook").env("REKINDLE_PASSPHRASE", PASS));
        assert!(o.status.success());
        let out = stdout(&o);
        assert!(out.starts_with("The honest outlook"), "{out}");
        assert!(out.contains("[helps] No alcohol"), "{out}");
        assert!(
            out.contains("from: Track record (rekindle record)"),
            "{out}"
        );
        assert_eq!(
            out.contains("Their side, in their own words"),
            !own,
            "{out}"
        );
    }
}

#[test]
fn crisis_words_typed_in_any_command_bring_the_help_lines_first() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let go = |args: &[&str]| run(rekindle(&d).args(args).env("REKINDLE_PASSPHRASE", PASS));
    assert!(go(&["init"]).status.success());
    let o = go(&[
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
        "4",
        "--my-part",
        "some nights I want to die",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let card = out.find("You matter").expect("the help lines come first");
    assert!(card < out.find("Saved problem").unwrap(), "{out}");
    assert!(out.contains("call your emergency number"));
    go(&[
        "plan",
        "1",
        "--prevention",
        "I will not drink",
        "--commitment",
        "No alcohol",
        "--kind",
        "daily",
    ]);
    let o = go(&[
        "checkin",
        "2",
        "--kept",
        "--note",
        "I can't go on like this",
    ]);
    assert!(stdout(&o).starts_with("You matter"), "{}", stdout(&o));
    let o = go(&["checkin", "2", "--kept"]);
    assert!(
        !stdout(&o).contains("You matter"),
        "ordinary words: no card"
    );
    // Said without the textbook words: veiled, or danger from someone.
    for note in [
        "been saving up my sleeping pills",
        "he grabbed me by the throat when i tried to leave",
    ] {
        let o = go(&["checkin", "2", "--kept", "--note", note]);
        assert!(
            stdout(&o).starts_with("You matter"),
            "{note}: {}",
            stdout(&o)
        );
    }
    // A figure of speech is not a crisis.
    let o = go(&[
        "checkin",
        "2",
        "--kept",
        "--note",
        "this week is killing me lol",
    ]);
    assert!(!stdout(&o).contains("You matter"), "{}", stdout(&o));
}

/// Starts `rekindle share serve` (on 127.0.0.1:0 unless `args` bind
/// elsewhere) and returns it with the first line it printed.
fn share_listener(data: &Path, args: &[&str]) -> (std::process::Child, String) {
    let mut cmd = rekindle(data);
    cmd.args(["share", "serve"]);
    if !args.contains(&"--bind") {
        cmd.args(["--bind", "127.0.0.1:0"]);
    }
    let mut child = cmd
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

/// The signals a running process ignores, from /proc (Linux).
#[cfg(target_os = "linux")]
fn ignores_sigpipe(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .map(|m| u64::from_str_radix(m.trim(), 16).unwrap())
        .unwrap();
    mask & (1 << (libc_sigpipe() - 1)) != 0
}

#[cfg(target_os = "linux")]
fn libc_sigpipe() -> u32 {
    13
}

#[cfg(target_os = "linux")]
#[test]
fn listeners_ignore_sigpipe_so_a_reset_connection_cannot_kill_them() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (mut child, line) = share_listener(&data, &[]);
    assert!(line.contains("Serving share links"), "{line}");
    let ignored = ignores_sigpipe(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(ignored, "the share listener must ignore SIGPIPE");

    // A one-shot command writing into a closed pipe ends quietly instead
    // (killed by SIGPIPE, as `head` expects), never with a panic.
    let chat: String = (0..20_000)
        .map(|i| format!("12/01/2024, 21:{:02} - Ana: message number {i}\n", i % 60))
        .collect();
    let file = tmp.path().join("chat.txt");
    std::fs::write(&file, chat).unwrap();
    let mut convert = rekindle(&data)
        .arg("convert")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(convert.stdout.take());
    let out = convert.wait_with_output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(13), "{:?}", out.status);
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn escape_sequences_in_sender_names_never_reach_the_terminal_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    // A sender name that would retitle the window and erase the line.
    let evil = "Sam\u{1b}]0;owned\u{7}\u{1b}[2K";
    let chat = format!(
        "12/01/2024, 21:14 - {evil}: are you home?\n12/01/2024, 21:20 - Alex: yes\n12/01/2024, 21:25 - {evil}: ok\n"
    );
    let file = tmp.path().join("chat.txt");
    std::fs::write(&file, chat).unwrap();
    let mut outputs = Vec::new();
    for args in [
        vec!["convert", file.to_str().unwrap()],
        vec!["import", file.to_str().unwrap(), "--me", "Alex"],
        vec!["analyze"],
    ] {
        let o = run(rekindle(&d).args(&args).env("REKINDLE_PASSPHRASE", PASS));
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        outputs.push((args[0], stderr(&o), o.stdout));
    }
    let (_, convert_err, convert_out) = &outputs[0];
    // The data itself (JSON lines) keeps the name, escaped as JSON does.
    assert!(String::from_utf8_lossy(convert_out).contains("\\u001b]0;owned"));
    assert!(convert_err.contains("\\u{1b}]0;owned"), "{convert_err}");
    for (what, err, out) in &outputs {
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{7}'),
            "{what}: {err:?}"
        );
        assert!(
            !out.contains(&0x1b) && !out.contains(&0x07),
            "{what} stdout"
        );
    }
    let (_, import_err, import_out) = &outputs[1];
    let import_text = format!("{import_err}{}", String::from_utf8_lossy(import_out));
    assert!(
        import_text.contains("\\u{1b}"),
        "the name is shown, made visible: {import_text}"
    );
}

#[test]
fn the_share_listener_on_a_network_needs_https() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    for args in [
        vec!["share", "serve", "--bind", "0.0.0.0:0"],
        vec!["share", "serve", "--bind", "0.0.0.0:0", "--behind-proxy"],
    ] {
        let o = run(rekindle(&data).args(&args));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains("HTTPS") || stderr(&o).contains("proxy"),
            "{}",
            stderr(&o)
        );
    }
    // With a certificate it serves HTTPS on the network address.
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl (Debian's openssl package) makes the test certificate");
    assert!(made.success());
    let tls = [
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    let (mut child, line) = share_listener(
        &data,
        &["--bind", "0.0.0.0:0"]
            .iter()
            .chain(&tls)
            .copied()
            .collect::<Vec<_>>(),
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.contains("https://0.0.0.0:"), "{line}");
}

#[test]
fn endless_or_waiting_inputs_are_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let fifo = tmp.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for input in [Path::new("/dev/zero"), fifo.as_path()] {
        for cmd in ["convert", "import", "restore"] {
            // Each answers at once (a FIFO would otherwise wait for a writer
            // and /dev/zero grow without end), with exit 2 and a plain reason.
            let o = run(rekindle(&d)
                .arg(cmd)
                .arg(input)
                .env("REKINDLE_PASSPHRASE", PASS));
            assert_eq!(
                o.status.code(),
                Some(2),
                "{cmd} {}: {}",
                input.display(),
                stderr(&o)
            );
            assert!(
                stderr(&o).contains("not a regular file"),
                "{cmd}: {}",
                stderr(&o)
            );
        }
    }
    // A huge sparse key file is refused before it is read.
    let key = d.join("vault.key");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&key)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let o = run(rekindle(&d).arg("status").env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("key file is damaged"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("more than the 65536 allowed"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_share_listener_closes_a_connection_that_never_sends_a_request() {
    use std::io::Read;
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, line) = share_listener(&tmp.path().join("data"), &[]);
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    let started = std::time::Instant::now();
    let mut silent = std::net::TcpStream::connect(&addr).unwrap();
    silent
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut buf = [0u8; 16];
    let read = silent.read(&mut buf);
    let waited = started.elapsed();
    child.kill().unwrap();
    child.wait().unwrap();
    // Closed by the server (end of stream or reset), well before our 30 s.
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(
        waited < std::time::Duration::from_secs(20),
        "held for {waited:?}"
    );
}

#[test]
fn vault_files_are_never_lost_or_mistaken_for_a_new_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let init = |d: &Path| run(rekindle(d).arg("init").env("REKINDLE_PASSPHRASE", PASS));
    init_vault(&d);
    ok_in(
        &d,
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
            "4",
        ],
    );
    let original = std::fs::read(d.join("vault.db")).unwrap();

    // A backup restored without its key file: init keeps the vault file aside.
    std::fs::remove_file(d.join("vault.key")).unwrap();
    let o = init(&d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("kept, not deleted"), "{}", stderr(&o));
    let kept: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("vault.db.without-key-")
        })
        .collect();
    assert!(
        kept.iter()
            .any(|e| std::fs::read(e.path()).unwrap() == original),
        "the old vault file survives byte for byte"
    );

    // A missing or empty vault file beside a key file is an error, not a new vault.
    for damage in ["missing", "empty"] {
        let v = d.join("vault.db");
        let _ = std::fs::remove_file(&v);
        let _ = std::fs::remove_file(d.join("vault.db-wal"));
        if damage == "empty" {
            std::fs::write(&v, b"").unwrap();
        }
        let o = run(rekindle(&d)
            .args(["status"])
            .env("REKINDLE_PASSPHRASE", PASS));
        assert_eq!(o.status.code(), Some(2), "{damage}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("missing or empty"),
            "{damage}: {}",
            stderr(&o)
        );
        assert!(!stdout(&o).contains("integrity ok"));
    }

    // A passphrase file that does not exist is the person's mistake: exit 2.
    let o = run(rekindle(&d)
        .args(["status", "--passphrase-file"])
        .arg(tmp.path().join("nope.txt")));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no such file"), "{}", stderr(&o));

    // backup never writes over an existing key file.
    let e = tmp.path().join("e");
    init_vault(&e);
    let target = tmp.path().join("backup.db");
    std::fs::write(tmp.path().join("backup.db.key"), b"an older backup's key").unwrap();
    let o = run(rekindle(&e)
        .arg("backup")
        .arg(&target)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(tmp.path().join("backup.db.key")).unwrap(),
        b"an older backup's key"
    );
    assert!(!target.exists());

    // A flipped byte: status says so and fails, and nothing else carries on.
    let f = tmp.path().join("f");
    init_vault(&f);
    let chat: String = (0..5000)
        .map(|i| {
            format!(
                "{:02}/01/2024, 21:{:02} - {}: message number {i} with a few words\n",
                i % 28 + 1,
                i % 60,
                if i % 2 == 0 { "Ana" } else { "Alex" }
            )
        })
        .collect();
    import_as_ana_and_alex(&f, tmp.path(), &chat);
    let db = f.join("vault.db");
    let mut bytes = std::fs::read(&db).unwrap();
    // Inside a late data page (the analysis snapshot written at import):
    // the vault opens, the integrity check fails.
    let at = (bytes.len() - 2 * 4096) / 4096 * 4096 + 100;
    bytes[at] ^= 0x55;
    std::fs::write(&db, &bytes).unwrap();
    let o = run(rekindle(&f)
        .args(["status"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(
        stdout(&o).contains("integrity PROBLEM"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("integrity check failed"));

    // A temp file left by a killed key write is cleaned up on the next open.
    std::fs::write(e.join(".vault.key.12345.tmp"), b"half").unwrap();
    ok_in(&e, &["status"]);
    assert!(!e.join(".vault.key.12345.tmp").exists());
}

#[test]
fn backup_runs_beside_a_live_serve_and_the_copy_restores() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    ok_in(
        &d,
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
            "4",
        ],
    );
    let mut server = rekindle(&d)
        .arg("serve")
        .env("REKINDLE_PASSPHRASE", PASS)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("http://127.0.0.1:"));
    let vault_files = files_in(&d);

    // A wrong passphrase beside the server: refused, nothing written.
    let out = tmp.path().join("backups");
    std::fs::create_dir(&out).unwrap();
    let bk = out.join("rekindle.db");
    let o = run(rekindle(&d)
        .arg("backup")
        .arg(&bk)
        .env("REKINDLE_PASSPHRASE", "not the passphrase of this vault"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("does not open"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);

    // The right one: the backup is made while the server keeps running.
    let o = run(rekindle(&d)
        .arg("backup")
        .arg(&bk)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Backed up"), "{}", stdout(&o));
    assert!(server.try_wait().unwrap().is_none(), "serve still runs");
    let key_copy = out.join("rekindle.db.key");
    assert_eq!(
        std::fs::read(&key_copy).unwrap(),
        std::fs::read(d.join("vault.key")).unwrap()
    );
    // Exactly the two files, private, no temporary file left.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["rekindle.db", "rekindle.db.key"]);
    for f in [&bk, &key_copy] {
        assert_eq!(
            std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Never over an earlier backup, beside the server too.
    let before = files_in(&out);
    let o = run(rekindle(&d)
        .arg("backup")
        .arg(&bk)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(files_in(&out), before);
    // The server's folder: nothing added, removed or changed by the backups
    // (its write-ahead log aside, which the server itself owns).
    let main_files = |v: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        v.into_iter()
            .filter(|(n, _)| n == "vault.key" || n == "rekindle.lock")
            .collect()
    };
    assert_eq!(main_files(files_in(&d)), main_files(vault_files));
    server.kill().unwrap();
    server.wait().unwrap();

    // The copy opens with the passphrase in a fresh folder and holds the data.
    let r = tmp.path().join("restored");
    std::fs::create_dir(&r).unwrap();
    std::fs::set_permissions(&r, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::copy(&bk, r.join("vault.db")).unwrap();
    std::fs::copy(&key_copy, r.join("vault.key")).unwrap();
    assert!(ok_in(&r, &["problem", "list"]).contains("Drinking"));
    let v = json_in(&r, &["status"]);
    assert_eq!(v["integrity_ok"], true);
    // Still encrypted: no readable SQLite header, no plain text.
    let bytes = std::fs::read(&bk).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!bytes.windows(8).any(|w| w == b"Drinking"));
}

#[test]
fn the_duress_passphrase_erases_or_opens_a_decoy_from_any_command() {
    let tmp = tempfile::tempdir().unwrap();
    let duress = "the weather is fine today, thanks";
    let with_duress = |d: &Path, args: &[&str]| {
        run(rekindle(d)
            .args(args)
            .env("REKINDLE_PASSPHRASE", PASS)
            .env("REKINDLE_DURESS_PASSPHRASE", duress))
    };
    let add_problem = [
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
        "4",
    ];
    for action in ["decoy", "erase"] {
        let d = tmp.path().join(action);
        init_vault(&d);
        ok_in(&d, &add_problem);
        // The same passphrase twice is refused; nothing changes.
        let o = run(rekindle(&d)
            .args(["duress", "set", "--action", action])
            .env("REKINDLE_PASSPHRASE", PASS)
            .env("REKINDLE_DURESS_PASSPHRASE", PASS));
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("must be different"), "{}", stderr(&o));
        let o = with_duress(&d, &["duress", "set", "--action", action]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("Duress passphrase set"),
            "{}",
            stdout(&o)
        );
        let key: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("vault.key")).unwrap()).unwrap();
        assert_eq!(
            key["version"], 3,
            "version 3: a version 2 key file with a duress slot"
        );
        let slots = [
            key["wrap"]["ciphertext"].as_str().unwrap().to_string(),
            key["duress"]["wrap"]["ciphertext"]
                .as_str()
                .unwrap()
                .to_string(),
        ];
        // The real passphrase still opens the real vault.
        assert!(ok_in(&d, &["problem", "list"]).contains("Drinking"));

        // Typed at an unlock, the duress passphrase shows an empty vault.
        let o = run(rekindle(&d)
            .args(["status", "--json"])
            .env("REKINDLE_PASSPHRASE", duress));
        assert!(o.status.success(), "{action}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let total: u64 = v["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(total, 0, "{action}: {v}");
        let o = run(rekindle(&d)
            .args(["problem", "list"])
            .env("REKINDLE_PASSPHRASE", duress));
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!stdout(&o).contains("Drinking"));

        let o = run(rekindle(&d)
            .args(["problem", "list"])
            .env("REKINDLE_PASSPHRASE", PASS));
        let key_now = std::fs::read_to_string(d.join("vault.key")).unwrap();
        if action == "decoy" {
            // The real data is intact and opens as before.
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(stdout(&o).contains("Drinking"));
            // Off: the duress passphrase opens nothing any more.
            ok_in(&d, &["duress", "off"]);
            let o = run(rekindle(&d)
                .args(["problem", "list"])
                .env("REKINDLE_PASSPHRASE", duress));
            assert_eq!(o.status.code(), Some(2));
            assert!(!d.join("vault-b.db").exists());
        } else {
            // Erased: the real passphrase opens nothing, and no wrapped key
            // of the old vault is left in the folder.
            assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
            assert!(stderr(&o).contains("does not open"), "{}", stderr(&o));
            for (name, bytes) in files_in(&d) {
                let text = String::from_utf8_lossy(&bytes);
                for slot in &slots {
                    assert!(!text.contains(slot.as_str()), "{name} keeps a wrapped key");
                }
            }
            assert!(!key_now.contains("duress"));
        }
    }
}

/// Every command below opens the vault; on a damaged vault file each must
/// stop with exit 2 and the sentence `expect`, and change no file.
fn refused_unchanged(d: &Path, out: &Path, damage: &str, expect: &str) {
    let before = files_in(d);
    let backup = out.join(format!("backup-{damage}.db"));
    let commands: Vec<Vec<&str>> = vec![
        vec!["status"],
        vec!["status", "--json"],
        vec!["problem", "list"],
        vec!["chats", "list"],
        vec!["record", "--json"],
        vec![
            "problem",
            "add",
            "--title",
            "Jealousy",
            "--category",
            "trust",
            "--whose",
            "mine",
            "--frequency",
            "often",
            "--severity",
            "3",
        ],
        vec!["export"],
        vec!["backup", backup.to_str().unwrap()],
        vec!["passwd"],
        vec!["serve"],
    ];
    for args in &commands {
        let o = run(rekindle(d).args(args).env("REKINDLE_PASSPHRASE", PASS).env(
            "REKINDLE_NEW_PASSPHRASE",
            "another long passphrase for the test",
        ));
        assert_eq!(
            o.status.code(),
            Some(2),
            "{damage} {args:?}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains(expect),
            "{damage} {args:?}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("rekindle restore") && stderr(&o).contains("backup"),
            "{damage} {args:?} says what to do: {}",
            stderr(&o)
        );
        assert!(
            !stdout(&o).contains("http://"),
            "{damage}: serve never started"
        );
        assert_eq!(files_in(d), before, "{damage} {args:?} changed a file");
    }
    assert!(!backup.exists() && !out.join(format!("backup-{damage}.db.key")).exists());
    // Without the passphrase, `serve` refuses a key without its vault file
    // before it starts (a damaged file is found at the first unlock).
    if expect == "missing or empty" {
        let o = run(rekindle(d).arg("serve"));
        assert_eq!(o.status.code(), Some(2), "{damage}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect));
        assert_eq!(files_in(d), before);
    }
}

#[test]
fn a_damaged_vault_stops_every_command_with_exit_2_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    ok_in(
        &d,
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
            "4",
        ],
    );
    let chat: String = (0..3000)
        .map(|i| {
            format!(
                "{:02}/01/2024, 21:{:02} - {}: message number {i} with a few words\n",
                i % 28 + 1,
                i % 60,
                if i % 2 == 0 { "Ana" } else { "Alex" }
            )
        })
        .collect();
    import_as_ana_and_alex(&d, tmp.path(), &chat);
    let db = d.join("vault.db");
    let original = std::fs::read(&db).unwrap();
    let pages = original.len() / 4096;
    assert!(pages > 8, "a vault of {pages} pages");
    let damaged = "integrity check failed";
    let cases: Vec<(&str, Option<Vec<u8>>, &str)> = vec![
        ("missing", None, "missing or empty"),
        ("empty", Some(Vec::new()), "missing or empty"),
        (
            "cut in half",
            Some(original[..pages / 2 * 4096].to_vec()),
            damaged,
        ),
        (
            "cut mid-page",
            Some(original[..original.len() - 1000].to_vec()),
            damaged,
        ),
        (
            "a zeroed page",
            {
                let mut b = original.clone();
                b[3 * 4096..4 * 4096].fill(0);
                Some(b)
            },
            damaged,
        ),
        (
            "a flipped byte",
            {
                let mut b = original.clone();
                b[(pages - 3) * 4096 + 777] ^= 0x01;
                Some(b)
            },
            damaged,
        ),
        (
            "a flipped byte in the first page",
            {
                let mut b = original.clone();
                b[200] ^= 0x80;
                Some(b)
            },
            damaged,
        ),
    ];
    for (damage, bytes, expect) in cases {
        match bytes {
            None => std::fs::remove_file(&db).unwrap(),
            Some(b) => std::fs::write(&db, b).unwrap(),
        }
        refused_unchanged(&d, tmp.path(), damage, expect);
    }
    // Put back whole, the vault opens with everything in it.
    std::fs::write(&db, &original).unwrap();
    let v = json_in(&d, &["status"]);
    assert_eq!(v["integrity_ok"], true);
    assert_eq!(v["counts"]["chat_messages"], 3000);
    assert!(ok_in(&d, &["problem", "list"]).contains("Drinking"));

    // A mistyped data folder: said (exit 2), and no folder is created.
    let typo = tmp.path().join("typo");
    let nowhere = typo.join("deeper");
    let bk = tmp.path().join("b.db");
    for args in [
        vec!["problem", "list"],
        vec!["export"],
        vec!["passwd"],
        vec!["backup", bk.to_str().unwrap()],
    ] {
        let o = run(rekindle(&nowhere)
            .args(&args)
            .env("REKINDLE_PASSPHRASE", PASS));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("No vault exists yet"), "{}", stderr(&o));
        assert!(!typo.exists(), "{args:?} created a folder");
    }
}

// ---------- Several chats in one export, several files of one chat ----------

/// A Telegram full export: `n` personal chats ("Person 0" with 1 message …
/// "Person n-1" with n) and the group "Book club"; Robin exported it.
fn telegram_full_export(n: usize) -> String {
    let msg = |who: &str, text: &str, k: usize| {
        serde_json::json!({"id": k, "type": "message", "date": "2024-01-02T10:00:00",
            "date_unixtime": "1704189600", "from": who, "text": text})
    };
    let mut chats: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let who = format!("Person {i}");
            serde_json::json!({"name": who, "type": "personal_chat", "id": 1000 + i,
                "messages": (0..=i).map(|k| msg(&who, &format!("from {who}"), k)).collect::<Vec<_>>()})
        })
        .collect();
    chats.push(
        serde_json::json!({"name": "Book club", "type": "private_group", "id": 7,
        "messages": [msg("Kim", "group talk", 1)]}),
    );
    serde_json::json!({"personal_information": {"first_name": "Robin"}, "chats": {"list": chats}})
        .to_string()
}

#[test]
fn convert_lists_the_chats_of_a_telegram_full_export_until_one_is_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("result.json");
    std::fs::write(&full, telegram_full_export(2)).unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&full));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing converted");
    let err = stderr(&o);
    assert!(
        err.starts_with("rekindle: This Telegram export holds 3 chats"),
        "{err}"
    );
    for line in [
        "“Person 1” (id 1001, personal chat, 2 messages)",
        "“Person 0” (id 1000, personal chat, 1 message)",
        "“Book club” (id 7, private group, 1 message)",
        "--chat",
    ] {
        assert!(err.contains(line), "{line} in {err}");
    }
    // Chosen by id or by exact name: only that chat is written.
    for choice in ["1001", "Person 1"] {
        let o = run(rekindle(tmp.path())
            .arg("convert")
            .arg(&full)
            .args(["--chat", choice]));
        assert!(o.status.success(), "{}", stderr(&o));
        let lines: Vec<serde_json::Value> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l["sender"] == "Person 1"));
        assert!(!stderr(&o).contains("Note:"), "{}", stderr(&o));
    }
    // A choice that names no chat: exit 2 and the list.
    let o = run(rekindle(tmp.path())
        .arg("convert")
        .arg(&full)
        .args(["--chat", "person 1"]));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("No chat in this Telegram export has the name or id “person 1”"),
        "{err}"
    );
    assert!(err.contains("“Person 0” (id 1000"), "{err}");
    assert!(stdout(&o).is_empty());
}

/// `analyze FILE` reads a multi-chat export only once a chat is named,
/// never silently the first; without a file, `--chat` is a stored chat's id.
#[test]
fn analyze_of_a_file_with_several_chats_asks_which() {
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("result.json");
    let d = tmp.path().join("d");
    std::fs::write(&full, telegram_full_export(3)).unwrap();
    let o = run(rekindle(&d).arg("analyze").arg(&full));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(err.contains("This Telegram export holds 4 chats"), "{err}");
    assert!(err.contains("“Person 2” (id 1002"), "{err}");
    for choice in ["1002", "Person 2"] {
        let o = run(rekindle(&d)
            .args(["analyze", "--json", "--chat", choice])
            .arg(&full));
        assert!(o.status.success(), "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(json["analysed"], 3, "Person 2's three messages: {json}");
    }
    let o = run(rekindle(&d)
        .args(["analyze", "--chat", "Nobody"])
        .arg(&full));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has the name or id “Nobody”"),
        "{}",
        stderr(&o)
    );
    // Without a file the choice is a stored chat's number.
    init_vault(&d);
    let o = run(rekindle(&d)
        .args(["analyze", "--chat", "Person 2"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a chat's id"), "{}", stderr(&o));
}

#[test]
fn a_long_list_of_chats_stays_short() {
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("result.json");
    std::fs::write(&full, telegram_full_export(40)).unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&full));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.lines().count() <= 20, "{err}");
    assert!(err.contains("41 chats"), "{err}");
    // Most messages first: the likeliest chats are on the list.
    assert!(err.contains("“Person 39” (id 1039"), "{err}");
    assert!(!err.contains("“Person 0”"), "{err}");
    assert!(err.contains("and 26 more"), "{err}");
    assert!(err.contains("--chat 1039"), "{err}");
}

#[test]
fn an_export_with_one_chat_needs_no_choice() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("result.json");
    std::fs::write(
        &one,
        r#"{"name": "Sam", "type": "personal_chat", "id": 5, "messages": [
        {"id": 1, "type": "message", "date": "2024-01-02T10:00:00", "from": "Sam", "text": "hi"}]}"#,
    )
    .unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&one));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
    let o = run(rekindle(tmp.path())
        .arg("convert")
        .arg(&one)
        .args(["--chat", "Alex"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("“Sam” (id 5"), "{}", stderr(&o));
}

#[test]
fn import_stores_only_the_chosen_chat_of_a_full_export() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let full = tmp.path().join("result.json");
    std::fs::write(&full, telegram_full_export(2)).unwrap();
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&full)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("“Person 1” (id 1001"), "{}", stderr(&o));
    let status = |d: &Path| -> serde_json::Value {
        serde_json::from_str(&ok_in(d, &["status", "--json"])).unwrap()
    };
    assert_eq!(status(&d)["counts"]["chat_messages"], 0, "nothing imported");
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&full)
        .args(["--chat", "1001", "--json"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["counts"]["added"], 2);
    assert_eq!(v["summary"]["chat_name"], "Person 1");
    assert_eq!(status(&d)["counts"]["chat_messages"], 2);
}

/// A Messenger part of the conversation `title` between `people`; `msgs` are (ms, sender, text).
fn messenger_part(title: &str, people: [&str; 2], msgs: &[(i64, &str, &str)]) -> String {
    serde_json::json!({
        "participants": [{"name": people[0]}, {"name": people[1]}],
        "title": title,
        // Facebook writes the newest first.
        "messages": msgs.iter().rev().map(|(ms, who, text)| serde_json::json!(
            {"sender_name": who, "timestamp_ms": ms, "content": text})).collect::<Vec<_>>(),
    })
    .to_string()
}

#[test]
fn the_parts_of_a_messenger_conversation_are_read_together() {
    let tmp = tempfile::tempdir().unwrap();
    let t = 1_700_000_000_000i64;
    let people = ["Alex", "Robin"];
    let p1 = tmp.path().join("message_1.json");
    let p2 = tmp.path().join("message_2.json");
    // message_1.json holds the newest messages; the two overlap by one.
    std::fs::write(
        &p1,
        messenger_part(
            "Alex",
            people,
            &[(t + 3000, "Alex", "three"), (t + 4000, "Robin", "four")],
        ),
    )
    .unwrap();
    std::fs::write(
        &p2,
        messenger_part(
            "Alex",
            people,
            &[(t + 1000, "Alex", "one"), (t + 3000, "Alex", "three")],
        ),
    )
    .unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&p1).arg(&p2));
    assert!(o.status.success(), "{}", stderr(&o));
    let got: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(got, ["one", "three", "four"]);
    assert!(stderr(&o).contains("kept once"), "{}", stderr(&o));

    let d = tmp.path().join("d");
    init_vault(&d);
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&p2)
        .arg(&p1)
        .arg("--json")
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["counts"]["added"], 3);

    // Another conversation's part: refused with both names, nothing stored.
    let other = tmp.path().join("sam").join("message_1.json");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(
        &other,
        messenger_part("Sam", ["Sam", "Robin"], &[(t, "Sam", "x")]),
    )
    .unwrap();
    let o = run(rekindle(&d)
        .arg("import")
        .arg(&p1)
        .arg(&other)
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "“{}” is not part of the same conversation as “{}”",
            other.display(),
            p1.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("the conversation “Alex” (Alex, Robin)")
            && err.contains("the conversation “Sam” (Sam, Robin)"),
        "{err}"
    );
    let s: serde_json::Value = serde_json::from_str(&ok_in(&d, &["status", "--json"])).unwrap();
    assert_eq!(s["counts"]["chat_messages"], 3);

    // Files of other formats are not read together.
    let wa = tmp.path().join("chat.txt");
    std::fs::write(&wa, "13/03/2024, 21:05 - Sam: hello\n").unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&p1).arg(&wa));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "but “{}” is a WhatsApp export; give it on its own",
            wa.display()
        )),
        "{err}"
    );
    // A broken part is named.
    let broken = tmp.path().join("message_3.json");
    std::fs::write(
        &broken,
        "{\"participants\": [], \"messages\": [{\"sender_name\": \"Alex\", \"timestamp_ms\": 1",
    )
    .unwrap();
    let o = run(rekindle(tmp.path()).arg("convert").arg(&p1).arg(&broken));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "“{}”: Line 1 of this Messenger export is damaged",
            broken.display()
        )),
        "{}",
        stderr(&o)
    );
}

/// `rekindle topics`: the lists as JSON, words added and removed in the
/// vault, a topic of one's own; `analyze --json` of the stored chat counts
/// with them at once. Mistakes exit 2 with a plain message and change nothing.
#[test]
fn topic_words_change_what_analyze_counts_in_the_stored_chat() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let chat = tmp.path().join("chat.txt");
    std::fs::write(
        &chat,
        "1/13/24, 9:00 PM - A: karaoke again tonight?\n\
         1/13/24, 9:01 PM - B: you and your karaoke\n\
         1/13/24, 9:02 PM - A: one glass of wine, promise\n\
         1/14/24, 9:00 AM - B: the xbox is broken\n",
    )
    .unwrap();
    ok_in(&d, &["import", chat.to_str().unwrap()]);
    let count = |topic: &str| -> u64 {
        let a: serde_json::Value =
            serde_json::from_str(&ok_in(&d, &["analyze", "--json"])).unwrap();
        a["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["topic"] == topic)
            .map(|t| t["messages"]["count"].as_u64().unwrap())
            .unwrap_or(0)
    };
    let list = || -> serde_json::Value {
        serde_json::from_str(&ok_in(&d, &["topics", "list", "--json"])).unwrap()
    };
    let before = list();
    let drinking = &before["topics"][0];
    assert_eq!(drinking["topic"], "drinking");
    assert_eq!(drinking["source"], "built_in");
    assert!(
        drinking["words"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "wine")
    );
    assert_eq!(before["version"].as_str().unwrap().len(), 16);
    assert_eq!(count("drinking"), 1, "the wine");

    let out = ok_in(&d, &["topics", "add", "drinking", "Karaoke"]);
    assert!(out.contains("Added to drinking: karaoke."), "{out}");
    assert_eq!(count("drinking"), 3);
    let after = list();
    assert_ne!(after["version"], before["version"]);
    assert_eq!(after["topics"][0]["added"], serde_json::json!(["karaoke"]));

    let fails = |args: &[&str], says: &str| {
        let o = run(rekindle(&d).args(args).env("REKINDLE_PASSPHRASE", PASS));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("Nothing was changed"), "{}", stderr(&o));
    };
    fails(&["topics", "add", "drinkin", "beer"], "add --new");
    fails(&["topics", "add", "drinking", "dr*"], "at least 3 letters");
    fails(
        &["topics", "add", "drinking", "wine"],
        "already in the list",
    );
    fails(
        &["topics", "remove", "money", "karaoke"],
        "not in the list for money",
    );
    fails(
        &["topics", "add", "money", "--new", "xbox"],
        "already a topic",
    );
    assert_eq!(list()["version"], after["version"], "nothing changed");

    let out = ok_in(
        &d,
        &["topics", "add", "--new", "Gaming", "xbox, playstation"],
    );
    assert!(
        out.contains("Made the topic gaming: xbox, playstation."),
        "{out}"
    );
    assert_eq!(count("gaming"), 1);
    ok_in(&d, &["topics", "remove", "drinking", "karaoke", "wine"]);
    assert_eq!(count("drinking"), 0);
    let text = ok_in(&d, &["topics", "list"]);
    assert!(text.contains("You took out: wine"), "{text}");
    assert!(text.contains("gaming — 2 words (your own topic)"), "{text}");
    let out = ok_in(&d, &["topics", "remove", "gaming", "xbox", "playstation"]);
    assert!(out.contains("the topic is gone"), "{out}");
    assert_eq!(count("gaming"), 0);
}

/// A problem made on the web links chat messages; the command line cannot
/// change them, and `problem edit` keeps them.
#[test]
fn problem_edit_keeps_the_linked_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    init_vault(&a);
    ok_in(
        &a,
        &[
            "problem",
            "add",
            "--title",
            "Slow replies",
            "--category",
            "time",
            "--whose",
            "theirs",
            "--frequency",
            "often",
            "--severity",
            "2",
        ],
    );
    // The links as the web saves them, put in through an export and restore.
    let mut doc: serde_json::Value = serde_json::from_str(&ok_in(&a, &["export"])).unwrap();
    let link = serde_json::json!({
        "chat": 1, "position": 7, "time": "2024-03-01 21:07", "sender": "Sam", "quote": "are you there?"
    });
    doc["items"][0]["versions"][0]["data"]["links"] = serde_json::json!([link]);
    let file = tmp.path().join("with-links.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let b = tmp.path().join("b");
    let pf = pass_file(tmp.path(), "pass.txt", PASS);
    let o = run(rekindle(&b)
        .arg("restore")
        .arg(&file)
        .arg("--passphrase-file")
        .arg(&pf));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(rekindle(&b)
        .args([
            "problem",
            "edit",
            "1",
            "--title",
            "Slow replies, and mine too",
            "--category",
            "time",
            "--whose",
            "both",
            "--frequency",
            "often",
            "--severity",
            "3",
        ])
        .arg("--passphrase-file")
        .arg(&pf));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(rekindle(&b)
        .args(["problem", "list", "--json", "--passphrase-file"])
        .arg(&pf));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(list[0]["problem"]["title"], "Slow replies, and mine too");
    assert_eq!(list[0]["problem"]["links"], serde_json::json!([link]));
}

// ----- every capability in the terminal (issue 19) -----

/// `problem add` for a drinking problem of one's own.
const ADD_DRINKING: &[&str] = &[
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
    "4",
];

/// Runs a command that must fail with exit 2 (the person's mistake) and
/// print nothing on standard output; returns its message.
fn refused_in(d: &Path, args: &[&str]) -> String {
    let o = run(rekindle(d).args(args).env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
    let e = stderr(&o);
    assert!(e.starts_with("rekindle: "), "{args:?}: {e}");
    e
}

fn json_in(d: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = ok_in(d, &all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// Writes `chat` (a WhatsApp export) into `dir` and imports it into the vault
/// in `d`, Ana as the user and Alex as the ex.
fn import_as_ana_and_alex(d: &Path, dir: &Path, chat: &str) {
    let chat_file = dir.join("chat.txt");
    std::fs::write(&chat_file, chat).unwrap();
    let file = chat_file.to_str().unwrap();
    ok_in(d, &["import", file, "--me", "Ana", "--ex", "Alex"]);
}

/// Opens the vault in `d` the way the web app does (no CLI in between).
fn web_vault(d: &Path) -> rekindle_store::SqliteVault {
    rekindle_store::DataDir::open(d)
        .unwrap()
        .with_kdf_target(rekindle_store::KdfParams::FLOOR)
        .unwrap()
        .unlock(PASS)
        .unwrap()
}

#[test]
fn the_relationship_and_settings_set_in_the_terminal_read_back_as_the_web_reads_them() {
    use rekindle_store::Store;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let empty = json_in(&d, &["relationship", "show"]);
    assert_eq!(empty["saved"], false, "{empty}");
    assert_eq!(empty["versions"], 0);
    let set = json_in(
        &d,
        &[
            "relationship",
            "set",
            "--their-name",
            "Alex",
            "--their-pronouns",
            "they/them",
            "--who-ended",
            "them",
            "--started-on",
            "2020-01-02",
            "--ended-on",
            "2024-05-06",
        ],
    );
    assert_eq!(set["relationship"]["their_name"], "Alex", "{set}");
    assert_eq!(set["relationship"]["who_ended"], "them");
    assert_eq!(set["crisis"], false);
    // A second `set` changes only what it names.
    ok_in(
        &d,
        &["relationship", "set", "--my-view", "I stopped listening."],
    );
    // Bad input: the message names the problem, and nothing is saved.
    let e = refused_in(&d, &["relationship", "set", "--ended-on", "2019-01-01"]);
    assert!(e.contains("before the start date"), "{e}");
    let e = refused_in(&d, &["relationship", "set", "--who-ended", "maybe"]);
    assert!(e.contains("who ended it"), "{e}");
    let e = refused_in(&d, &["relationship", "set"]);
    assert!(e.contains("Nothing was changed"), "{e}");
    let shown = ok_in(&d, &["relationship", "show"]);
    assert!(shown.contains("Alex (they/them)"), "{shown}");
    assert!(shown.contains("They ended it"), "{shown}");
    assert!(shown.contains("I stopped listening."), "{shown}");

    ok_in(&d, &["settings", "set", "--idle-lock-minutes", "12"]);
    ok_in(&d, &["settings", "set", "--large-text", "on"]);
    let s = json_in(
        &d,
        &["settings", "set", "--country", "gb", "--discreet", "on"],
    );
    // What a set leaves out stays as it was (larger text stays on).
    assert_eq!(
        s,
        serde_json::json!({"discreet_mode": true, "idle_lock_minutes": 12, "country": "GB", "large_text": true})
    );
    let e = refused_in(&d, &["settings", "set", "--large-text", "huge"]);
    assert!(e.contains("--large-text takes on or off"), "{e}");
    let e = refused_in(&d, &["settings", "set", "--idle-lock-minutes", "99"]);
    assert!(e.contains("from 2 to 30"), "{e}");
    let e = refused_in(&d, &["settings", "set", "--country", "ZZ"]);
    assert!(e.contains("GB, US"), "{e}");
    let e = refused_in(&d, &["settings", "set", "--discreet", "maybe"]);
    assert!(e.contains("on or off"), "{e}");
    assert_eq!(json_in(&d, &["settings", "show"]), s);

    // The web's own reading of the vault sees exactly what was set.
    let vault = web_vault(&d);
    let (form, versions) = rekindle_app::relationship::current(&vault).unwrap();
    assert_eq!(versions, 2);
    assert_eq!(form.their_name, "Alex");
    assert_eq!(form.their_pronouns, "they/them");
    assert_eq!(form.who_ended, "them");
    assert_eq!(form.started_on, "2020-01-02");
    assert_eq!(form.ended_on, "2024-05-06");
    assert_eq!(form.my_view, "I stopped listening.");
    let settings = vault.settings().unwrap();
    assert!(settings.discreet_mode);
    assert!(settings.large_text);
    assert_eq!(settings.idle_lock_minutes, 12);
    assert_eq!(settings.country.as_deref(), Some("GB"));
}

#[test]
fn seriousness_and_the_guard_from_the_terminal_with_json() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let p = json_in(&d, ADD_DRINKING);
    assert_eq!(p["id"], 1, "{p}");
    assert_eq!(p["problem"]["title"], "Drinking");
    assert!(!p["missing"].as_array().unwrap().is_empty());
    let plan = json_in(
        &d,
        &[
            "plan",
            "1",
            "--prevention",
            "I will not drink",
            "--commitment",
            "No alcohol",
            "--kind",
            "daily",
        ],
    );
    // No if-then plan yet: not answered, and the JSON says what is missing.
    assert_eq!(plan["answered"], false, "{plan}");
    assert_eq!(
        plan["problem"]["missing"].as_array().unwrap().len(),
        1,
        "{plan}"
    );
    let id = plan["plan_id"].as_i64().unwrap();
    let plan_id = id.to_string();
    let pid = plan_id.as_str();
    assert_eq!(plan["problem"]["plan_id"], id);

    // Alcohol-free days: recorded as a kept check-in, then counted.
    let rec = json_in(&d, &["alcohol-free", "record"]);
    assert_eq!(rec[0]["plan_id"], id, "{rec}");
    assert_eq!(rec[0]["checkin"]["outcome"], "kept");
    let list = json_in(&d, &["alcohol-free", "list", "--days", "7"]);
    assert_eq!(list["alcohol_free"], 1, "{list}");
    assert_eq!(list["dates"].as_array().unwrap().len(), 1);
    let e = refused_in(&d, &["alcohol-free", "record", "--day", "2999-01-01"]);
    assert!(e.contains("today or an earlier day"), "{e}");
    let o = run(rekindle(&d)
        .args(["alcohol-free", "list", "--days", "0"])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--days"), "{}", stderr(&o));

    // Pausing and resuming.
    let paused = json_in(&d, &["pause", pid]);
    assert_eq!(paused["paused"], true, "{paused}");
    let resumed = json_in(&d, &["resume", pid]);
    assert_eq!(resumed["pauses"].as_array().unwrap().len(), 1, "{resumed}");
    assert!(resumed["pauses"][0]["until"].is_string(), "{resumed}");
    let e = refused_in(&d, &["pause", "99"]);
    assert!(e.contains("no commitment with that number"), "{e}");

    // Readiness and its history.
    let r = json_in(
        &d,
        &[
            "readiness",
            pid,
            "--importance",
            "9",
            "--confidence",
            "6",
            "--stage",
            "doing",
        ],
    );
    assert_eq!(
        (r["importance"].as_u64(), r["stage"].as_str()),
        (Some(9), Some("doing"))
    );
    let h = json_in(&d, &["readiness-history"]);
    assert_eq!(h.as_array().unwrap().len(), 1, "{h}");
    assert_eq!(h[0]["plan_id"], id);
    refused_in(&d, &["readiness-history", "--plan", "99"]);

    // Triggers: named, then listed.
    let t = json_in(
        &d,
        &[
            "trigger",
            pid,
            "--kind",
            "place",
            "--description",
            "Friday drinks after work",
            "--coping",
            "Go to the gym instead",
        ],
    );
    assert_eq!(t["kind"], "place", "{t}");
    let ts = json_in(&d, &["triggers"]);
    assert_eq!(ts[0]["description"], "Friday drinks after work", "{ts}");
    assert!(ok_in(&d, &["triggers"]).contains("plan: Go to the gym instead"));

    // The self-check: four answers 0–8, never scored.
    let s = json_in(
        &d,
        &[
            "self-check",
            "add",
            "--satisfaction",
            "6",
            "--alternatives",
            "3",
            "--investment",
            "8",
            "--commitment",
            "7",
        ],
    );
    assert_eq!(s["answers"], serde_json::json!([6, 3, 8, 7]), "{s}");
    let e = refused_in(
        &d,
        &[
            "self-check",
            "add",
            "--satisfaction",
            "9",
            "--alternatives",
            "3",
            "--investment",
            "8",
            "--commitment",
            "7",
        ],
    );
    assert!(e.contains("from 0 (not at all) to 8"), "{e}");
    assert_eq!(
        json_in(&d, &["self-check", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Their words, and the words to ask when nothing stands in the way.
    let w = json_in(&d, &["their-words", "add", "--said", "I need time"]);
    assert_eq!(w["said"], "I need time", "{w}");
    let e = refused_in(&d, &["their-words", "add", "--said", "  "]);
    assert!(e.contains("in their words"), "{e}");
    // Before the safety questions are answered, nothing to say to them is offered.
    let words = json_in(&d, &["their-words", "list"]);
    assert_eq!(words["said"].as_array().unwrap().len(), 1, "{words}");
    assert!(
        words["words_to_ask"].as_array().unwrap().is_empty(),
        "{words}"
    );
    assert!(words["refusal"].is_string());

    // AUDIT-C and its history.
    ok_in(&d, &["audit-c", "--q1", "2", "--q2", "1", "--q3", "1"]);
    let a = json_in(&d, &["audit-c-history"]);
    assert_eq!(a[0]["score"], 4, "{a}");

    // The safety screen and their no, as JSON.
    let screen = json_in(
        &d,
        &["safety", "screen", "--answers", &["no"; 13].join(",")],
    );
    assert_eq!(screen["signs_of_risk"], false, "{screen}");
    assert_eq!(screen["reconciliation_help"], true);
    let words = json_in(&d, &["their-words", "list"]);
    assert!(
        !words["words_to_ask"].as_array().unwrap().is_empty(),
        "{words}"
    );
    assert!(words["refusal"].is_null());
    assert!(ok_in(&d, &["their-words", "list"]).contains("I need time"));
    let no = json_in(&d, &["safety", "no", "--kind", "no_contact"]);
    assert_eq!(
        no,
        serde_json::json!({"kind": "no_contact", "already_recorded": false})
    );
    // After their no, the words to ask them are no longer offered.
    let words = json_in(&d, &["their-words", "list"]);
    assert!(
        words["words_to_ask"].as_array().unwrap().is_empty(),
        "{words}"
    );
    assert!(words["refusal"].is_string());
    let plain = ok_in(&d, &["their-words", "list"]);
    assert!(!plain.contains("What would you need to see"), "{plain}");
}

#[test]
fn support_and_reading_from_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    ok_in(&d, ADD_DRINKING);
    let s = json_in(
        &d,
        &[
            "supporter",
            "add",
            "--name",
            "Jo",
            "--role",
            "accountability",
            "--contact",
            "jo@example.org",
        ],
    );
    assert_eq!(s["supporter"]["role"], "accountability", "{s}");
    let e = refused_in(&d, &["supporter", "add", "--name", "Sam", "--role", "boss"]);
    assert!(e.contains("ally, accountability"), "{e}");
    let list = json_in(&d, &["supporter", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["supporter"]["name"], "Jo");

    let before = json_in(&d, &["book", "list"]);
    assert!(
        before["suggested"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["book"]["id"] == "controlling-drinking"),
        "{before}"
    );
    let mine = json_in(
        &d,
        &[
            "book",
            "add",
            "--title",
            "My own book",
            "--author",
            "Someone",
        ],
    );
    assert_eq!(mine["book"]["status"], "want_to_read", "{mine}");
    let book = mine["id"].as_i64().unwrap().to_string();
    let curated = json_in(&d, &["book", "add", "--suggested", "controlling-drinking"]);
    assert_eq!(
        curated["book"]["curated_id"], "controlling-drinking",
        "{curated}"
    );
    let e = refused_in(&d, &["book", "add", "--suggested", "no-such-book"]);
    assert!(e.contains("no suggested book"), "{e}");
    let after = json_in(&d, &["book", "list"]);
    assert_eq!(after["mine"].as_array().unwrap().len(), 2, "{after}");
    assert!(
        !after["suggested"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["book"]["id"] == "controlling-drinking"),
        "a book on the list is no longer suggested: {after}"
    );
    let st = json_in(&d, &["book", "status", &book, "finished"]);
    assert_eq!(st["book"]["status"], "finished", "{st}");
    let e = refused_in(&d, &["book", "status", &book, "skimmed"]);
    assert!(e.contains("want, reading, finished"), "{e}");
    let e = refused_in(&d, &["book", "status", "999", "finished"]);
    assert!(e.contains("no book with that number"), "{e}");

    let t = json_in(&d, &["takeaway", "add", &book, "Name the feeling first."]);
    assert_eq!(t["takeaway"], "Name the feeling first.", "{t}");
    assert_eq!(t["index"], 0);
    let e = refused_in(&d, &["takeaway", "add", &book, " "]);
    assert!(e.contains("takeaway in a sentence"), "{e}");
    let all = json_in(&d, &["takeaway", "list"]);
    assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
    assert_eq!(all[0]["book"], "My own book");
    assert!(ok_in(&d, &["book", "list"]).contains("1. Name the feeling first."));
}

#[test]
fn who_is_who_in_a_chat_is_said_after_import() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let chat = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rekindle-analysis/tests/data/chats/ex_ended_blocked.txt"
    );
    let o = run(rekindle(&d)
        .args(["import", chat])
        .env("REKINDLE_PASSPHRASE", PASS));
    assert!(o.status.success(), "{}", stderr(&o));
    // No progress bar when standard error is not a terminal.
    assert!(!stderr(&o).contains('\r') && !stderr(&o).contains('\u{1b}'));
    let chats = json_in(&d, &["chats", "list"]);
    let id = chats[0]["id"].as_i64().unwrap().to_string();
    let set = json_in(&d, &["chats", "roles", &id, "--me", "Kofi", "--ex", "Jade"]);
    assert_eq!(
        set,
        serde_json::json!({"id": chats[0]["id"], "me": "Kofi", "ex": "Jade"})
    );
    let e = refused_in(&d, &["chats", "roles", &id, "--me", "Bob", "--ex", "Jade"]);
    assert!(
        e.contains("“Kofi”") && e.contains("Nothing was saved"),
        "{e}"
    );
    let e = refused_in(&d, &["chats", "roles", &id, "--me", "Jade", "--ex", "Jade"]);
    assert!(e.contains("two different people"), "{e}");
    let e = refused_in(
        &d,
        &["chats", "roles", "999", "--me", "Kofi", "--ex", "Jade"],
    );
    assert!(e.contains("no chat with that id"), "{e}");
    let used = json_in(&d, &["chats", "use", &id]);
    assert_eq!(used["analysed"], true, "{used}");
    let added = json_in(&d, &["topics", "add", "drinking", "karaoke"]);
    assert_eq!(added["added"], serde_json::json!(["karaoke"]), "{added}");
    let removed = json_in(&d, &["topics", "remove", "drinking", "karaoke"]);
    assert_eq!(removed["topic_gone"], false, "{removed}");
    // What the web's chat list reads.
    let vault = web_vault(&d);
    let stored = rekindle_app::postmortem::analysed_chat(&vault)
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.me.as_deref(), stored.ex.as_deref()),
        (Some("Kofi"), Some("Jade"))
    );
}

#[test]
fn the_letter_is_marked_sent_and_answered_and_refused_exactly_when_the_draft_is() {
    let tmp = tempfile::tempdir().unwrap();
    let d = lived_vault(tmp.path(), false, false);
    let mine = tmp.path().join("mine.txt");
    std::fs::write(&mine, "Dear Alex, I am sorry for my part.").unwrap();
    let m = mine.to_str().unwrap();
    let h = json_in(&d, &["letter", "--history"]);
    assert!(h["letters"].as_array().unwrap().is_empty(), "{h}");
    let e = refused_in(&d, &["letter", "--reply", "no"]);
    assert!(e.contains("No letter is marked as sent"), "{e}");
    let e = refused_in(&d, &["letter", "--sent", "/dev/zero"]);
    assert!(e.contains("not a regular file"), "{e}");
    let sent = json_in(&d, &["letter", "--sent", m]);
    assert!(sent["sent_on"].is_string(), "{sent}");
    let h = json_in(&d, &["letter", "--history"]);
    assert_eq!(h["awaiting_reply"], true, "{h}");
    assert!(h["letters"][0]["sent_on"].is_string());
    // Nothing more until they reply: the draft, the check and a second letter wait.
    refused_in(&d, &["letter"]);
    refused_in(&d, &["letter", "--sent", m]);
    let e = refused_in(&d, &["letter", "--reply", "maybe"]);
    assert!(e.contains("yes (they want to talk) or no"), "{e}");
    let r = json_in(&d, &["letter", "--reply", "no"]);
    assert_eq!(r["reply"], "no");
    let s = json_in(&d, &["safety", "status"]);
    assert_eq!(s["ex_said_no"], "said_no", "{s}");
    let e = refused_in(&d, &["letter", "--reply", "yes"]);
    assert!(e.contains("already recorded"), "{e}");
    // After their no, the history keeps the dates, not the text to work on.
    let h = json_in(&d, &["letter", "--history"]);
    assert_eq!(h["letters"][0]["reply"], "no", "{h}");
    assert!(h["letters"][0]["text"].is_null());

    // Under the safety lock "I have sent it" is refused as the web refuses it,
    // and nothing is recorded.
    let tmp = tempfile::tempdir().unwrap();
    let d = lived_vault(tmp.path(), true, false);
    let e = refused_in(&d, &["letter", "--sent", m]);
    assert!(e.contains("twice the physical violence"), "{e}");
    let h = json_in(&d, &["letter", "--history"]);
    assert!(h["letters"].as_array().unwrap().is_empty(), "{h}");
    let words = json_in(&d, &["their-words", "list"]);
    assert!(
        words["words_to_ask"].as_array().unwrap().is_empty(),
        "{words}"
    );
}

#[test]
fn reports_links_and_long_commands_speak_json_and_draw_no_bar_in_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let d = lived_vault(tmp.path(), false, false);
    let out = tmp.path().join("report.html");
    let r = json_in(
        &d,
        &[
            "report",
            "--out",
            out.to_str().unwrap(),
            "--sections",
            "record,changed",
        ],
    );
    assert_eq!(
        r["sections"],
        serde_json::json!(["record", "changed"]),
        "{r}"
    );
    assert_eq!(r["sealed"], false);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("No alcohol")
    );
    let link = json_in(&d, &["share", "create", "--label", "Jo"]);
    assert!(
        link["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:8719/s/"),
        "{link}"
    );
    let id = link["id"].as_i64().unwrap().to_string();
    let revoked = json_in(&d, &["share", "revoke", &id]);
    assert_eq!(revoked["revoked"], true, "{revoked}");
    let e = refused_in(&d, &["share", "revoke", "999"]);
    assert!(e.contains("no link with that number"), "{e}");
    // The commands that can take a while draw nothing into a pipe.
    let file = tmp.path().join("again.json");
    let backup = tmp.path().join("copy.db");
    let restored = tmp.path().join("restored");
    for (dir, args) in [
        (&d, vec!["export", "--out", file.to_str().unwrap()]),
        (&d, vec!["backup", backup.to_str().unwrap()]),
        (&restored, vec!["restore", file.to_str().unwrap()]),
        (
            &d,
            vec![
                "report",
                "--out",
                tmp.path().join("r2.html").to_str().unwrap(),
            ],
        ),
    ] {
        let o = run(rekindle(dir).args(&args).env("REKINDLE_PASSPHRASE", PASS));
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            !e.contains('\r') && !e.contains('\u{1b}'),
            "{args:?}: {e:?}"
        );
    }
}

/// security.md item 55, the release gate: SECURITY.md says how to report a
/// problem, which versions get fixes (for this version's series) and how
/// releases are signed.
#[test]
fn the_security_policy_is_published_and_covers_this_version() {
    let policy =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../SECURITY.md"))
            .unwrap();
    for heading in [
        "## Reporting a vulnerability",
        "## Supported versions",
        "## Signed releases and updates",
        "### Release checklist (security)",
    ] {
        assert!(policy.contains(heading), "SECURITY.md lacks {heading:?}");
    }
    assert!(policy.contains("never in a public issue"));
    assert!(policy.contains("git tag -s"));
    let version = env!("CARGO_PKG_VERSION");
    let major = version.split('.').next().unwrap();
    let series = format!("| latest {major}.x release | yes |");
    assert!(
        policy.contains(&series),
        "SECURITY.md's supported-versions table does not cover {version}: add a row {series:?}"
    );
}

#[test]
fn every_command_is_in_the_readme_command_table() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let table: String = readme
        .lines()
        .filter(|l| l.starts_with("| `rekindle "))
        .collect::<Vec<_>>()
        .join("\n");
    for (name, _) in COMMAND_CLASSES {
        let top = name.split(' ').next().unwrap();
        assert!(
            table.contains(&format!("`rekindle {top}")) || table.contains(&format!("`{top}")),
            "`rekindle {name}` is missing from the README's command table"
        );
    }
}

#[test]
fn anything_is_edited_withdrawn_and_brought_back_from_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let ok = |args: &[&str]| ok_in(&d, args);
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&ok(args)).unwrap() };
    let fails = |args: &[&str]| {
        let o = run(rekindle(&d).args(args).env("REKINDLE_PASSPHRASE", PASS));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        stderr(&o)
    };
    ok(&["init"]);
    ok(&[
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
        "4",
    ]);
    ok(&[
        "plan",
        "1",
        "--prevention",
        "I stop",
        "--if",
        "offered a drink",
        "--then",
        "I ask for water",
        "--commitment",
        "No alcohol",
        "--kind",
        "daily",
    ]);
    ok(&["checkin", "2", "--kept"]);

    // A supporter: added, edited (a bad edit changes nothing), withdrawn, brought back.
    let s = json(&[
        "supporter",
        "add",
        "--name",
        "Dana",
        "--role",
        "ally",
        "--json",
    ]);
    let id = s["id"].as_i64().unwrap().to_string();
    let e = fails(&["supporter", "edit", &id, "--name", "", "--role", "ally"]);
    assert!(e.contains("name"), "{e}");
    ok(&[
        "supporter",
        "edit",
        &id,
        "--name",
        "Dana K.",
        "--role",
        "counsellor",
    ]);
    let list = json(&["supporter", "list", "--json"]);
    assert_eq!(list[0]["supporter"]["name"], "Dana K.");
    let done = json(&["withdraw", "supporter", &id, "--json"]);
    assert_eq!(done["kind"], "supporter");
    assert_eq!(done["title"], "Dana K.");
    assert!(ok(&["supporter", "list"]).contains("Nobody in your support network yet"));
    let w = json(&["withdrawn", "--json"]);
    assert_eq!(w["items"][0]["id"], id.as_str());
    let back = json(&["bring-back", "supporter", &id, "--json"]);
    assert_eq!(back["title"], "Dana K.");
    assert_eq!(
        json(&["supporter", "list", "--json"])[0]["supporter"]["name"],
        "Dana K."
    );

    // The commitment: it leaves the record, its check-in stays marked.
    let out = ok(&["withdraw", "commitment", "2"]);
    assert!(
        out.contains("Withdrawn: commitment 2 “No alcohol”"),
        "{out}"
    );
    assert!(!ok(&["record"]).contains("No alcohol"));
    let w = json(&["withdrawn", "--json"]);
    assert_eq!(w["items"][0]["kind"], "commitment");
    assert_eq!(w["items"][0]["id"], "2.1");
    assert_eq!(w["records"][0]["checkins"].as_array().unwrap().len(), 1);
    let out = ok(&["withdrawn"]);
    assert!(out.contains("rekindle bring-back commitment 2.1"), "{out}");
    ok(&["bring-back", "commitment", "2.1"]);
    assert!(ok(&["record"]).contains("No alcohol"));

    // A book and its takeaways.
    let b = json(&["book", "add", "--title", "Hold Me Tight", "--json"]);
    let b = b["id"].as_i64().unwrap().to_string();
    ok(&["takeaway", "add", &b, "Reach out softly"]);
    ok(&["takeaway", "edit", &b, "1", "Reach out gently"]);
    ok(&[
        "book",
        "edit",
        &b,
        "--title",
        "Hold Me Tight (2008)",
        "--status",
        "reading",
    ]);
    let books = json(&["book", "list", "--json"]);
    assert_eq!(books["mine"][0]["book"]["title"], "Hold Me Tight (2008)");
    assert_eq!(books["mine"][0]["book"]["takeaways"][0], "Reach out gently");
    ok(&["withdraw", "takeaway", &format!("{b}.1")]);
    assert_eq!(
        json(&["book", "list", "--json"])["mine"][0]["book"]["takeaways"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    ok(&["bring-back", "takeaway", &format!("{b}.1")]);
    assert_eq!(
        json(&["book", "list", "--json"])["mine"][0]["book"]["takeaways"][0],
        "Reach out gently"
    );

    // The problem, with its plan.
    ok(&["withdraw", "problem", "1"]);
    assert_eq!(
        json(&["problem", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    ok(&["bring-back", "problem", "1"]);
    assert_eq!(
        json(&["problem", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Unknown ids and kinds: a plain sentence, exit 2.
    assert!(
        fails(&["withdraw", "problem", "99"]).contains("There is no problem with the number 99")
    );
    assert!(fails(&["withdraw", "feelings", "1"]).contains("choose one of"));
    assert!(fails(&["withdraw", "takeaway", "x"]).contains("is not an item number"));
    assert!(fails(&["bring-back", "problem", "1"]).contains("There is no withdrawn problem"));
    assert!(
        fails(&["supporter", "edit", "99", "--name", "X", "--role", "ally"])
            .contains("no one with that number")
    );
    assert!(
        fails(&["takeaway", "edit", "1", "9", "never written"])
            .contains("no takeaway with that number")
    );
}

/// `rekindle analyze --json` of `bytes` written to `file`, which must succeed.
fn analyze_file_json(data: &Path, file: &Path, bytes: &[u8]) -> serde_json::Value {
    std::fs::write(file, bytes).unwrap();
    let o = run(rekindle(data).args(["analyze", "--json"]).arg(file));
    assert!(o.status.success(), "{}: {}", file.display(), stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// `analyze` checks a file's UTF-8 while its word lists are built and parses
/// the checked text; every other encoding takes the bytes' own path. Both
/// must read the same chat: plain, with a byte order mark, as UTF-16, and
/// with one line that is not UTF-8 (left out, the rest read).
#[test]
fn analyze_reads_a_chat_the_same_in_every_encoding() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let chat = "1/13/24, 9:00 PM - Ana: you never listen to me\n\
                1/13/24, 9:01 PM - Ben: that's not true, I'm sorry\n\
                1/13/24, 9:02 PM - Ana: whatever. you always do this\n\
                1/14/24, 8:00 AM - Ben: good morning ❤️\n";
    let analyse = |name: &str, bytes: &[u8]| analyze_file_json(&d, &tmp.path().join(name), bytes);
    let plain = analyse("plain.txt", chat.as_bytes());
    assert_eq!(plain["analysed"], 4);
    assert!(
        plain["conflicts"].as_array().is_some_and(|c| !c.is_empty()),
        "{plain}"
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(chat.as_bytes());
    assert_eq!(analyse("bom.txt", &bom), plain);
    let mut utf16 = b"\xFF\xFE".to_vec();
    for u in chat.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(analyse("utf16.txt", &utf16), plain);
    // A Latin-1 line ("café" as one byte é) is left out; the others are read.
    let mut latin = chat.as_bytes().to_vec();
    latin.extend_from_slice(b"1/14/24, 8:05 AM - Ana: caf\xE9?\n");
    let read = analyse("latin1.txt", &latin);
    assert_eq!(read["analysed"], 4, "{read}");
    assert_eq!(read["conflicts"], plain["conflicts"]);
}

/// `analyze`, `import` and `convert` read a WhatsApp export bigger than a
/// piece (1 MiB) in pieces, never whole; the same chat in UTF-16 is read
/// whole. Both readings must give the same analysis, the same import and the
/// same messages, a message over several lines included.
#[test]
fn a_big_file_is_read_in_pieces_as_it_is_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let texts = [
        "you never listen to me",
        "that's not true, I'm sorry\nI mean it\nreally",
        "whatever. you always do this",
        "good morning ❤️",
        "see you at 8",
    ];
    let chat: String = (0..24_000)
        .map(|i| {
            format!(
                "{}/{}/24, {}:{:02} PM - {}: {}\n",
                1 + i / 2400,
                1 + (i / 100) % 24,
                1 + (i / 60) % 11,
                i % 60,
                if i % 2 == 0 { "Ana" } else { "Ben" },
                texts[i % texts.len()]
            )
        })
        .collect();
    assert!(chat.len() > rekindle_chat::stream::PIECE_BYTES);
    let analyse = |name: &str, bytes: &[u8]| analyze_file_json(&d, &tmp.path().join(name), bytes);
    let in_pieces = analyse("plain.txt", chat.as_bytes());
    assert_eq!(in_pieces["analysed"], 24_000);
    let mut utf16 = b"\xFF\xFE".to_vec();
    for u in chat.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(analyse("utf16.txt", &utf16), in_pieces);
    let convert = |name: &str| {
        let o = run(rekindle(&d).arg("convert").arg(tmp.path().join(name)));
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        (stdout(&o), stderr(&o))
    };
    // Imported: the same report and the same stored chat.
    let import = |name: &str| {
        let vault = tmp.path().join(format!("vault-{name}"));
        init_vault(&vault);
        let file = tmp.path().join(name);
        let report = json_in(&vault, &["import", file.to_str().unwrap()]);
        let stored = json_in(&vault, &["analyze"]);
        (report, stored)
    };
    let (report, stored) = import("plain.txt");
    assert_eq!(report["counts"]["added"], 24_000, "{report}");
    assert_eq!(stored["analysed"], 24_000);
    assert_eq!(import("utf16.txt"), (report, stored));
    let (jsonl, summary) = convert("plain.txt");
    assert_eq!(jsonl.lines().count(), 24_000);
    assert!(jsonl.contains(r#""text":"that's not true, I'm sorry\nI mean it\nreally""#));
    assert_eq!(convert("utf16.txt"), (jsonl, summary));
}

/// `import` leaves the chat's post-mortem snapshot in the vault, and the
/// analysis served from it is the one made by reading every message back.
#[test]
fn import_leaves_a_snapshot_that_reads_as_the_whole_chat() {
    use rekindle_store::Store;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    init_vault(&d);
    let chat: String = (0..600)
        .map(|i| {
            format!(
                "0{}/03/2024, {:02}:{:02} - {}: {}\n",
                1 + i / 200,
                (i / 10) % 20,
                i % 10,
                if i % 3 == 0 { "Ana" } else { "Alex" },
                [
                    "you never listen",
                    "sorry, I was wrong",
                    "see you at 8",
                    "whatever."
                ][i % 4]
            )
        })
        .collect();
    import_as_ana_and_alex(&d, tmp.path(), &chat);
    let mut v = web_vault(&d);
    let chat = rekindle_app::postmortem::analysed_chat(&v)
        .unwrap()
        .unwrap();
    let (key, _) = v.chat_snapshot(chat.id).unwrap().expect("a snapshot");
    let lex = rekindle_analysis::Lexicons::built_in();
    // Current: of these word lists and all 600 messages, so it is served.
    let fingerprint = rekindle_analysis::fingerprint(&lex);
    assert_eq!(key, format!("rkp1:{fingerprint:016x}:600"));
    let json = |p: rekindle_app::postmortem::PreparedChat| {
        serde_json::to_value(&p.analyse().analysis).unwrap()
    };
    let fresh = json(rekindle_app::postmortem::prepare_chat(&v, &chat, &lex).unwrap());
    let served = json(rekindle_app::postmortem::prepare_chat_cached(&mut v, &chat, &lex).unwrap());
    assert_eq!(fresh["messages"], 600);
    assert_eq!(served, fresh);
}
