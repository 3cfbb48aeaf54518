//! What every CLI test binary starts from: the `rekindle` binary on a data
//! folder, with nothing of the caller's environment that would change it.

use std::path::Path;
use std::process::{Command, Stdio};

#[allow(dead_code)]
pub const PASS: &str = "a quiet walk by the river at dawn";

pub fn rekindle(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rekindle"));
    // New vaults use the floor's Argon2id parameters (debug builds only):
    // today's default takes most of a second per run.
    c.env("REKINDLE_DATA_DIR", data)
        .env("REKINDLE_TEST_FAST_KDF", "1")
        .env_remove("REKINDLE_PASSPHRASE")
        .env_remove("REKINDLE_NEW_PASSPHRASE")
        .stdin(Stdio::null());
    c
}
