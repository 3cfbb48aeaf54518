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
        let dir = DataDir {
            path: path.to_path_buf(),
            _lock: lock,
        };
        dir.remove_stale_temp_files();
        Ok(dir)
    }

    /// Temporary files of an atomic write that was killed half-way (e.g. a
    /// `kill -9` during `passwd`). Holding the lock, no one else is writing,
    /// so any left are stale; the real files were never touched by them.
    fn remove_stale_temp_files(&self) {
        let Ok(entries) = fs::read_dir(&self.path) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.')
                && name.ends_with(".tmp")
                && fs::remove_file(entry.path()).is_ok()
            {
                tracing::info!(event = "stale_temp_file_removed");
            }
        }
    }

    /// Vault files kept aside because their key file was missing when a new
    /// vault was created here (see [`DataDir::create`]).
    pub fn kept_aside(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = fs::read_dir(&self.path)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(&format!("{VAULT_FILE}.without-key-")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
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
        // A vault.db without its key file: the left-over of a creation that
        // crashed before the key was written, or a real vault whose key file
        // went missing (a backup restored without FILE.key). The two cannot
        // be told apart, so it is never deleted: it is kept aside under a
        // new name, and opens again if its key file is put back beside it.
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        for suffix in ["", "-wal", "-shm"] {
            let p = self.path.join(format!("{VAULT_FILE}{suffix}"));
            if p.exists() {
                let aside = self
                    .path
                    .join(format!("{VAULT_FILE}.without-key-{stamp}{suffix}"));
                fs::rename(&p, &aside).map_err(|e| StoreError::io(&p, e))?;
                tracing::warn!(event = "vault_file_kept_aside");
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
        // SQLite would create a missing file and open an empty one as a new
        // vault; with a key file present that can only be damage.
        let db = self.vault_path();
        if fs::metadata(&db).map(|m| m.len() == 0).unwrap_or(true) {
            return Err(StoreError::MissingDatabase(db));
        }
        let vault = SqliteVault::open(&db, &dek)?;
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
