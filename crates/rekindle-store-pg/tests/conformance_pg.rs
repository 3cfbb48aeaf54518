//! The store conformance suite (rekindle_store::conformance) on PostgreSQL:
//! each test gets a fresh database; owners 0 and 1 are two accounts in it.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestDb, open, sign_up};
use rekindle_store::conformance::Fixture;
use rekindle_store_pg::{HostedDb, PgStore, SignedIn};

struct PgFixture {
    hosted: HostedDb,
    accounts: Vec<SignedIn>,
    // Dropped last: the database goes after every connection to it.
    _db: TestDb,
}

fn fixture() -> PgFixture {
    let db = TestDb::migrated();
    let hosted = db.hosted();
    let accounts = vec![sign_up(&hosted, "first"), sign_up(&hosted, "second")];
    PgFixture {
        hosted,
        accounts,
        _db: db,
    }
}

impl Fixture for PgFixture {
    type Store = PgStore;
    fn store(&mut self, which: usize) -> PgStore {
        open(&self.hosted, &self.accounts[which]).store
    }
}

rekindle_store::store_conformance!(fixture);
