//! The PostgreSQL cluster the hosted tests run against: the one named by
//! REKINDLE_TEST_DATABASE_URL (`bash scripts/test.sh` starts one and sets
//! it), or else a throwaway cluster this test process starts itself with
//! scripts/pg-throwaway.sh, so a plain `cargo test` works wherever
//! PostgreSQL's binaries are installed. A small watcher stops and deletes
//! that cluster once the test process has ended, however it ended.
//! (Shared by rekindle-web's hosted tests through `#[path]`.)

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub fn database_url() -> String {
    if let Ok(url) = std::env::var("REKINDLE_TEST_DATABASE_URL") {
        return url;
    }
    static STARTED: OnceLock<String> = OnceLock::new();
    STARTED.get_or_init(start_throwaway).clone()
}

// The watcher must outlive this process, so it is never waited for.
#[allow(clippy::zombie_processes)]
fn start_throwaway() -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-throwaway.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg("start")
        .stderr(Stdio::inherit())
        .output()
        .expect("bash runs scripts/pg-throwaway.sh");
    assert!(
        out.status.success(),
        "REKINDLE_TEST_DATABASE_URL is not set and no throwaway PostgreSQL could be started: \
         install PostgreSQL (bash scripts/install-test-deps.sh) or run `bash scripts/test.sh`."
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}='")))
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or_else(|| panic!("pg-throwaway.sh printed no {name}"))
            .to_string()
    };
    let (dir, url) = (
        value("REKINDLE_PG_DIR"),
        value("REKINDLE_TEST_DATABASE_URL"),
    );
    // Stops the cluster when this process is gone (a static is never dropped).
    let watcher = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; bash '{script}' stop '{dir}'",
        pid = std::process::id(),
        script = script.display(),
    );
    Command::new("sh")
        .args(["-c", &watcher])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh starts the cluster's watcher");
    url
}
