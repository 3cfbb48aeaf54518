//! The store conformance suite (rekindle_store::conformance) on the SQLite vault.
//!
//! A vault file has one owner in real use; the suite's second owner is the
//! same file opened with another owner id (`SqliteVault::open_as_owner`), so
//! the isolation test runs on SQLite too. Its ids come from SQLite rowids,
//! which are per file, not per owner: harmless with one owner per file, and
//! the reason the hosted backend allocates ids per owner instead.
#![allow(clippy::unwrap_used)]

use rekindle_store::conformance::Fixture;
use rekindle_store::keyfile::{SecretKey, new_data_key};
use rekindle_store::{LOCAL_OWNER, SqliteVault};

struct SqliteFixture {
    dir: tempfile::TempDir,
    key: SecretKey,
}

fn fixture() -> SqliteFixture {
    SqliteFixture {
        dir: tempfile::tempdir().unwrap(),
        key: new_data_key().unwrap(),
    }
}

impl Fixture for SqliteFixture {
    type Store = SqliteVault;
    fn store(&mut self, which: usize) -> SqliteVault {
        let path = self.dir.path().join("vault.db");
        SqliteVault::open_as_owner(&path, &self.key, LOCAL_OWNER + which as i64).unwrap()
    }
}

rekindle_store::store_conformance!(fixture);
