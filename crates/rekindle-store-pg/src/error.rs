//! Errors. Messages name what failed and what to do, never content, passwords
//! or tokens; a PostgreSQL error is reduced to its code and message (its
//! `detail`, which can quote row values, is left out).

use rekindle_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PgError {
    #[error("PostgreSQL reported an error ({0}).")]
    Postgres(String),
    #[error("Could not get a database connection ({0}).")]
    Pool(String),
    #[error(
        "The database has no rekindle schema. Run the migration first (`HostedDb::migrate` with the owner's URL)."
    )]
    SchemaMissing,
    #[error(
        "The database schema is older than this build (version {found}, this build needs {expected}). Run the migration first."
    )]
    SchemaOutdated { found: i64, expected: i64 },
    #[error(
        "The database schema is newer than this build (version {found}, this build knows {expected}). Please update rekindle."
    )]
    SchemaTooNew { found: i64, expected: i64 },
    #[error(
        "The role name {0:?} is not allowed: use lowercase letters, digits and _ (at most 63)."
    )]
    BadRoleName(String),
    #[error("Stored data failed its integrity check (wrong key, or changed outside rekindle).")]
    Corrupt,
    #[error("The operating system's random source failed.")]
    Random,
}

impl From<postgres::Error> for PgError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => PgError::Postgres(format!("{}: {}", db.code().code(), db.message())),
            None => PgError::Postgres(e.to_string()),
        }
    }
}

impl From<r2d2::Error> for PgError {
    fn from(e: r2d2::Error) -> Self {
        PgError::Pool(e.to_string())
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::Corrupt => StoreError::Corrupt,
            other => StoreError::Database(other.to_string()),
        }
    }
}

/// Why an account action was refused, in words a person can act on.
#[derive(Debug, Error)]
pub enum AccountError {
    #[error("That invitation is not valid: it may have been used already or have expired.")]
    InvitationInvalid,
    #[error("That username is taken; please choose another.")]
    UsernameTaken,
    #[error(
        "A username needs 3 to 32 characters: lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit."
    )]
    UsernameInvalid,
    #[error("{0}")]
    PasswordRules(String),
    #[error("That username and password do not match.")]
    WrongCredentials,
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    Throttled { retry_after_secs: u64 },
    #[error("This account is disabled. Please contact the person who runs this service.")]
    Disabled,
    #[error("This session has ended. Please sign in again.")]
    SessionEnded,
    #[error(transparent)]
    Db(#[from] PgError),
}

impl From<postgres::Error> for AccountError {
    fn from(e: postgres::Error) -> Self {
        AccountError::Db(e.into())
    }
}
