//! rekindle-store-pg: the hosted mode's storage on PostgreSQL.
//!
//! - [`PgStore`]: `rekindle_store::Store` for one account, every content
//!   column sealed (XChaCha20-Poly1305) under the account's data key.
//! - [`HostedDb`]: migrations, the connection pool, and the accounts:
//!   invitations, sign-up, sign-in (throttled), sessions, password change,
//!   erasure, consent.
//!
//! Defence in depth: row-level security, forced, on every content table,
//! keyed to a transaction-local setting; the pool acts as an app role that
//! cannot bypass it and owns nothing. See README.md for what the operator
//! and a dump can see.

#![forbid(unsafe_code)]

pub mod accounts;
mod db;
mod error;
mod seal;
mod shares;
mod store;

pub use accounts::{AccountSummary, HostedDb, HostedOptions, Opened, SignedIn};
pub use db::{CONTENT_TABLES, SCHEMA_VERSION, blocking};
pub use error::{AccountError, PgError};
pub use shares::PgShares;
pub use store::PgStore;

#[cfg(test)]
mod tests {
    /// The web app moves stores and the database handle between threads.
    #[test]
    fn handles_are_send() {
        fn send<T: Send>() {}
        fn send_sync<T: Send + Sync>() {}
        send::<crate::PgStore>();
        send::<crate::Opened>();
        send_sync::<crate::HostedDb>();
    }
}
