//! Set-up shared by rekindle-app's integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use jiff::Timestamp;
use rekindle_app::import::{Roles, import};
use rekindle_store::{DataDir, KdfParams, SqliteVault};

pub const PASS: &str = "a quiet walk by the river at dawn";

/// The cheapest key derivation the vault accepts: tests create many vaults.
pub const FAST_KDF: KdfParams = KdfParams {
    memory_kib: 19_456,
    iterations: 2,
    parallelism: 1,
};

/// A new vault in `dir` (created), with the folder's lock held by the `DataDir`.
pub fn fast_vault(dir: &Path) -> (DataDir, SqliteVault) {
    let dd = DataDir::open(dir).unwrap();
    let v = dd.create(PASS, FAST_KDF).unwrap();
    (dd, v)
}

/// Imports the text of a WhatsApp export, who-is-who left open.
pub fn import_text(v: &mut SqliteVault, text: &str) {
    import(
        v,
        text.as_bytes(),
        &Default::default(),
        &Roles::default(),
        Timestamp::from_second(1_780_000_000).unwrap(),
        &mut |_, _| {},
    )
    .unwrap();
}
