use std::path::PathBuf;

use thiserror::Error;

/// Storage failures. Each message is one plain sentence a person can act on;
/// none contains user data or key material.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("That passphrase does not open this vault. Nothing was changed.")]
    WrongPassphrase,
    #[error(
        "That passphrase is already in use for this vault; choose a different one. Nothing was changed."
    )]
    PassphraseInUse,
    #[error("No vault exists yet in {0}. Run `rekindle init` (or `rekindle serve`) to create one.")]
    NoVault(PathBuf),
    #[error("A vault already exists in {0}; it was left untouched.")]
    AlreadyExists(PathBuf),
    #[error(
        "rekindle is already running with the data folder {0}. Close the other window or terminal first."
    )]
    Locked(PathBuf),
    #[error(
        "The data folder {path} can be opened by other users of this computer. Run `chmod 700 {path}` and try again."
    )]
    InsecurePermissions { path: PathBuf },
    #[error(
        "The data folder {path} is {why}. rekindle keeps its database on this computer's own disk only: a sync program or a network drive can copy it half-written or let two computers change it at once, which corrupts it. Choose another folder with --data-dir (for example ~/.local/share/rekindle); backups and exports may still go anywhere."
    )]
    UnsuitablePlace { path: PathBuf, why: String },
    #[error("The vault's key file is damaged or not a rekindle key file ({0}).")]
    BadKeyFile(String),
    #[error("The vault's key settings are outside the safe range ({0}); refusing to use them.")]
    UnsafeKdfParams(String),
    #[error("The vault file is damaged or does not match its key file.")]
    Corrupt,
    #[error(
        "The key file is here but the vault file {0} is missing or empty, so rekindle will not open it as a new, empty vault; nothing was changed. If you restored a backup, put its FILE beside the key as vault.db. Otherwise restore your latest backup (copy a backup's FILE and FILE.key into a new, empty folder as vault.db and vault.key, then run `rekindle serve --data-dir FOLDER`) or rebuild from an export with `rekindle restore EXPORT --data-dir FOLDER`."
    )]
    MissingDatabase(PathBuf),
    #[error(
        "The vault file {0} is damaged or does not belong with its key file (its integrity check failed), so rekindle stopped before reading or changing anything. Make a copy of the data folder first; then restore your latest backup (copy a backup's FILE and FILE.key into a new, empty folder as vault.db and vault.key, then run `rekindle serve --data-dir FOLDER`) or rebuild from an export with `rekindle restore EXPORT --data-dir FOLDER`."
    )]
    Damaged(PathBuf),
    #[error(
        "This vault was made by a newer version of rekindle (schema {found}, this version knows {known}). Please update rekindle."
    )]
    TooNew { found: i64, known: i64 },
    #[error("The disk is full; nothing was saved. Free some space and try again.")]
    DiskFull,
    #[error("The store can only be restored into an empty vault.")]
    NotEmpty,
    #[error("The export file is not valid: {0}")]
    BadExport(String),
    #[error("Could not read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    ImportAborted(String),
    #[error("That item does not exist.")]
    NotFound,
    #[error("The vault reported an error ({0}).")]
    Database(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt,
            // The SQLite message names the failing statement kind, never row values.
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::BadExport(format!("line {}, column {}", e.line(), e.column()))
    }
}

impl StoreError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}
