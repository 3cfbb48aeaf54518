//! A fresh PostgreSQL database (and app role) per test, in the cluster of
//! `cluster::database_url` (REKINDLE_TEST_DATABASE_URL, or one started here).
#![allow(clippy::unwrap_used, dead_code)]

pub mod cluster;

use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;
use postgres::{Client, NoTls};
use rekindle_store_pg::{HostedDb, HostedOptions, Opened, SignedIn, blocking};

pub const PASSWORD: &str = "a long walk along the quiet river";

pub fn now() -> Timestamp {
    Timestamp::from_second(1_750_000_000).unwrap()
}

pub fn base_url() -> String {
    cluster::database_url()
}

/// `url` with its database name replaced by `name`.
pub fn with_dbname(url: &str, name: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let base = match main[scheme_end..].find('/') {
        Some(i) => &main[..scheme_end + i],
        None => main,
    };
    format!("{base}/{name}{query}")
}

/// One database and one app role of its own; dropped with the value.
pub struct TestDb {
    pub name: String,
    pub role: String,
    /// The owner's (superuser's) URL of this database.
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A new, empty database (not migrated).
    pub fn empty() -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("rk_{}_{n}_{nanos}", std::process::id());
        let base = base_url();
        blocking(|| {
            let mut admin = Client::connect(&base, NoTls).unwrap();
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
        });
        TestDb {
            url: with_dbname(&base, &name),
            role: format!("{name}_app"),
            name,
        }
    }

    /// A new database with the schema applied.
    pub fn migrated() -> TestDb {
        let db = TestDb::empty();
        HostedDb::migrate(&db.url, &db.role).unwrap();
        db
    }

    pub fn options(&self, pool_size: u32) -> HostedOptions {
        HostedOptions {
            pool_size,
            app_role: self.role.clone(),
            hash_concurrency: 2,
        }
    }

    pub fn hosted(&self) -> HostedDb {
        HostedDb::connect(&self.url, &self.options(4)).unwrap()
    }

    /// A superuser connection (row-level security does not apply to it).
    pub fn superuser(&self) -> Client {
        blocking(|| Client::connect(&self.url, NoTls).unwrap())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let base = base_url();
        let (name, role) = (self.name.clone(), self.role.clone());
        blocking(|| {
            if let Ok(mut admin) = Client::connect(&base, NoTls) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
            }
        });
    }
}

/// Signs up a new account `username` and returns its first sign-in.
pub fn sign_up(hosted: &HostedDb, username: &str) -> SignedIn {
    let invitation = hosted.invite(Some("test"), now()).unwrap();
    hosted
        .sign_up(&invitation, username, PASSWORD, now())
        .unwrap()
}

pub fn open(hosted: &HostedDb, signed_in: &SignedIn) -> Opened {
    hosted
        .open(&signed_in.session_token, now())
        .unwrap()
        .expect("the session opens")
}
