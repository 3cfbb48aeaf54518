//! The data folder: its permissions, the single-instance lock, and the two
//! files of the vault (the encrypted database and its wrapped key).

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::keyfile::{KdfParams, KeyFile, new_data_key};
use crate::{SqliteVault, StoreError, fsutil, placement};

pub const VAULT_FILE: &str = "vault.db";
pub const KEY_FILE: &str = "vault.key";
pub const LOCK_FILE: &str = "rekindle.lock";

/// An opened data folder. Holding it holds an exclusive lock, so a second
/// rekindle on the same folder refuses instead of corrupting the database.
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

impl DataDir {
    /// Creates the folder if needed (0700), refuses an open one, takes the lock.
    /// A folder a sync program copies or on a network drive is refused before
    /// anything is created (`placement`).
    pub fn open(path: &Path) -> Result<DataDir, StoreError> {
        if let Some(why) = placement::unsuitable(path) {
            return Err(StoreError::UnsuitablePlace {
                path: path.to_path_buf(),
                why,
            });
        }
        fsutil::ensure_private_dir(path)?;
        let lock_path = path.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| StoreError::io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked(path.to_path_buf()));
            }
            Err(fs::TryLockError::Error(e)) => return Err(StoreError::io(&lock_path, e)),
        }
        Ok(DataDir {
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn vault_path(&self) -> PathBuf {
        self.path.join(VAULT_FILE)
    }

    pub fn key_path(&self) -> PathBuf {
        self.path.join(KEY_FILE)
    }

    pub fn has_vault(&self) -> bool {
        self.key_path().exists()
    }

    /// Creates a new, empty vault protected by `passphrase`. The key file is
    /// written last, so a crash half-way leaves no vault that looks complete.
    pub fn create(&self, passphrase: &str, params: KdfParams) -> Result<SqliteVault, StoreError> {
        if self.has_vault() {
            return Err(StoreError::AlreadyExists(self.path.clone()));
        }
        // Left-overs of an earlier creation that crashed before the key file existed.
        for stale in ["", "-wal", "-shm"] {
            let p = self.path.join(format!("{VAULT_FILE}{stale}"));
            if p.exists() {
                fs::remove_file(&p).map_err(|e| StoreError::io(&p, e))?;
            }
        }
        let dek = new_data_key()?;
        let key_file = KeyFile::wrap(&dek, passphrase, params)?;
        let vault = SqliteVault::open(&self.vault_path(), &dek)?;
        fsutil::write_atomic(&self.key_path(), &key_file.to_json()?)?;
        tracing::info!(event = "vault_created");
        Ok(vault)
    }

    fn read_key_file(&self) -> Result<KeyFile, StoreError> {
        let path = self.key_path();
        if !path.exists() {
            return Err(StoreError::NoVault(self.path.clone()));
        }
        // A key file is a few hundred bytes; anything else is not one (a
        // 3 GB sparse file is refused before it is read).
        let bytes = crate::fsutil::read_limited(&path, 64 * 1024).map_err(|e| match e {
            crate::fsutil::ReadLimitedError::Io(io) => StoreError::io(&path, io),
            other => StoreError::BadKeyFile(format!("{}: {other}", path.display())),
        })?;
        KeyFile::from_json(&bytes)
    }

    /// Opens the vault. A wrong passphrase fails before the database is touched.
    pub fn unlock(&self, passphrase: &str) -> Result<SqliteVault, StoreError> {
        let key_file = self.read_key_file()?;
        let dek = match key_file.unwrap_key(passphrase) {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(event = "unlock_failed");
                return Err(e);
            }
        };
        let vault = SqliteVault::open(&self.vault_path(), &dek)?;
        tracing::info!(event = "unlocked");
        Ok(vault)
    }

    /// Re-wraps the same data key under a new passphrase; the database file
    /// is not touched (security.md item 2).
    pub fn change_passphrase(&self, old: &str, new: &str) -> Result<(), StoreError> {
        let key_file = self.read_key_file()?;
        let dek = key_file.unwrap_key(old)?;
        let params = key_file.params();
        let params = if params.check().is_ok() {
            params
        } else {
            KdfParams::DEFAULT
        };
        let rewrapped = KeyFile::wrap(&dek, new, params)?;
        fsutil::write_atomic(&self.key_path(), &rewrapped.to_json()?)?;
        tracing::info!(event = "passphrase_changed");
        Ok(())
    }
}
