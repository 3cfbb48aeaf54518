//! The data folder: its permissions, the single-instance lock, and the two
//! files of the vault (the encrypted database and its wrapped key).

use std::fs::{self, File, OpenOptions};
use std::io::{Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::keyfile::{DuressAction, KdfParams, KeyFile, SecretKey, Unlocked, new_data_key};
use crate::{SqliteVault, StoreError, backoff, fsutil, placement};

pub const VAULT_FILE: &str = "vault.db";
pub const KEY_FILE: &str = "vault.key";
pub const LOCK_FILE: &str = "rekindle.lock";
/// The decoy vault a duress passphrase opens (`rekindle duress set --action
/// decoy`): a database of its own with its own random key.
pub const DECOY_FILE: &str = "vault-b.db";
/// The Unix socket through which `rekindle login-link` asks the running
/// `rekindle serve` for a new one-time link (only while it runs).
pub const CONTROL_SOCKET: &str = "control.sock";
/// The sealed snapshots of share links (see [`crate::ShareDir`]).
pub const SHARES_DIR: &str = "shares";
/// The user's own topic word lists (`*.txt`), which rekindle reads and never writes.
pub const LEXICONS_DIR: &str = "lexicons";

/// What an erased vault's key file holds once its key slot was overwritten:
/// it marks an erasure that may not have finished removing the other files
/// (a crash half-way); the next [`DataDir::open`] finishes it.
const ERASED_MARK: &[u8] = b"rekindle-vault-erased\n";

/// An opened data folder. Holding it holds an exclusive lock, so a second
/// rekindle on the same folder refuses instead of corrupting the database.
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    _lock: File,
    /// One change of the key file at a time within this process (creating,
    /// re-wrapping, erasing): a passphrase change racing an erasure must not
    /// write a key file back after it was destroyed.
    key_ops: Mutex<()>,
    /// The Argon2id parameters new key files get (creation, passphrase
    /// change, and the re-wrap of a key file made with weaker ones).
    kdf_target: KdfParams,
    /// Seconds since the Unix epoch, for the count of wrong passphrases
    /// (the system clock; the web app passes its own, which tests set).
    clock: Seconds,
}

/// A source of the time in seconds since the Unix epoch.
#[derive(Clone)]
struct Seconds(std::sync::Arc<dyn Fn() -> u64 + Send + Sync>);

impl std::fmt::Debug for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seconds")
    }
}

/// What [`DataDir::erase`] left in the data folder, on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The user's own word lists (`lexicons/`), if there are any: files the
    /// user put there by hand, never written by rekindle, so not removed.
    pub kept_lexicons: Option<PathBuf>,
}

/// A consistent copy of the vault, still encrypted with its key, in a
/// temporary file of the data folder; removed when dropped.
#[derive(Debug)]
pub struct VaultCopy {
    path: PathBuf,
}

impl VaultCopy {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for VaultCopy {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
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
            key_ops: Mutex::new(()),
            kdf_target: KdfParams::for_new_vaults(),
            clock: Seconds(std::sync::Arc::new(backoff::now_seconds)),
        };
        // An erasure cut short (a crash after the key was destroyed) is
        // finished before anything else: its key is gone already, so what
        // is left can never be opened again.
        if dir.erasure_pending() {
            dir.remove_vault_files()?;
            tracing::info!(event = "vault_erasure_finished");
        }
        dir.remove_stale_temp_files();
        Ok(dir)
    }

    /// Other Argon2id parameters for the key files this folder writes from
    /// now on (tests use [`KdfParams::FLOOR`] to stay fast). Refused below
    /// the floor, like any parameters.
    pub fn with_kdf_target(mut self, params: KdfParams) -> Result<DataDir, StoreError> {
        params.check()?;
        self.kdf_target = params;
        Ok(self)
    }

    /// The parameters for a new vault created here.
    pub fn kdf_target(&self) -> KdfParams {
        self.kdf_target
    }

    /// Reads the time from `now` (seconds since the Unix epoch) instead of
    /// the system clock, for the count of wrong passphrases: the web app
    /// passes its own clock, so tests can move it.
    pub fn with_clock(mut self, now: impl Fn() -> u64 + Send + Sync + 'static) -> DataDir {
        self.clock = Seconds(std::sync::Arc::new(now));
        self
    }

    /// Wrong passphrases in a row (any shell, any process) and when the last
    /// try began: the CLI waits [`backoff::Failures::remaining`] before the
    /// next one.
    pub fn unlock_failures(&self) -> backoff::Failures {
        backoff::read(&self.path)
    }

    /// Seconds still to wait before the next passphrase may be tried, after
    /// wrong ones in a row (counted in the folder, by every shell and
    /// process); 0 when a try may run now.
    pub fn unlock_wait(&self) -> u64 {
        self.unlock_failures().remaining((self.clock.0)())
    }

    /// Runs `derive` (a key derivation with a passphrase) counted as a try:
    /// the count goes up before, and back to zero when it succeeds.
    fn counted_try<T>(
        &self,
        derive: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        backoff::record_attempt(&self.path, (self.clock.0)())?;
        let out = derive()?;
        backoff::clear(&self.path)?;
        Ok(out)
    }

    fn key_ops(&self) -> MutexGuard<'_, ()> {
        // A poisoned lock only means another thread panicked; the key file
        // is replaced atomically, so it is still whole.
        self.key_ops.lock().unwrap_or_else(|p| p.into_inner())
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
        self.key_path().exists() && !self.erasure_pending()
    }

    /// The key file holds the erasure mark: the vault's key is destroyed,
    /// and some of its files may still be there.
    fn erasure_pending(&self) -> bool {
        fsutil::read_limited(&self.key_path(), 64 * 1024).is_ok_and(|b| b == ERASED_MARK)
    }

    /// Creates a new, empty vault protected by `passphrase`. The key file is
    /// written last, so a crash half-way leaves no vault that looks complete.
    pub fn create(&self, passphrase: &str, params: KdfParams) -> Result<SqliteVault, StoreError> {
        let _key_ops = self.key_ops();
        if self.erasure_pending() {
            self.remove_vault_files()?;
        }
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
        KeyFile::from_json(&self.read_key_bytes()?)
    }

    /// After a successful unlock: a key file made with weaker parameters
    /// than today's (an older version's vault) is written again with
    /// today's, atomically. Skipped if the file changed since `read` (a
    /// passphrase change in between); a failure leaves the old file, which
    /// still opens, and is tried again next time.
    fn upgrade_key_file(&self, read: &[u8], key_file: &KeyFile, dek: &SecretKey, pass: &str) {
        // A file with a duress slot is left as it is: its other slot can only
        // be re-wrapped with the duress passphrase, which is not known here.
        if key_file.has_duress() || !key_file.needs_rewrap(&self.kdf_target) {
            return;
        }
        let _key_ops = self.key_ops();
        if !self.read_key_bytes().is_ok_and(|now| now == read) {
            return;
        }
        let written = KeyFile::wrap(dek, pass, self.kdf_target)
            .and_then(|kf| kf.to_json())
            .and_then(|json| fsutil::write_atomic(&self.key_path(), &json));
        match written {
            Ok(()) => tracing::info!(event = "vault_key_rewrapped"),
            Err(_) => tracing::warn!(event = "vault_key_rewrap_failed"),
        }
    }

    fn read_key_bytes(&self) -> Result<Vec<u8>, StoreError> {
        let path = self.key_path();
        if !self.has_vault() {
            return Err(StoreError::NoVault(self.path.clone()));
        }
        // A key file is a few hundred bytes; anything else is not one (a
        // 3 GB sparse file is refused before it is read).
        crate::fsutil::read_limited(&path, 64 * 1024).map_err(|e| match e {
            crate::fsutil::ReadLimitedError::Io(io) => StoreError::io(&path, io),
            other => StoreError::BadKeyFile(format!("{}: {other}", path.display())),
        })
    }

    /// What can be told without the passphrase: a key file with no vault
    /// file (or an empty one) beside it is [`StoreError::MissingDatabase`],
    /// never a new vault. `rekindle serve` asks before it starts.
    pub fn check_vault_file(&self) -> Result<(), StoreError> {
        if !self.has_vault() {
            return Ok(());
        }
        let db = self.vault_path();
        if fs::metadata(&db).map(|m| m.len() == 0).unwrap_or(true) {
            return Err(StoreError::MissingDatabase(db));
        }
        Ok(())
    }

    pub fn decoy_path(&self) -> PathBuf {
        self.path.join(DECOY_FILE)
    }

    /// Opens the vault. A wrong passphrase fails before the database is
    /// touched; a damaged vault file ([`SqliteVault::open_existing`]) is
    /// refused before anything is written to it.
    ///
    /// Every key slot is tried ([`KeyFile::unlock`]). The duress passphrase
    /// (security.md item 58) opens the empty decoy vault, or, when its action
    /// is erasing, destroys the vault ([`DataDir::duress_erase`]) and opens a
    /// new, empty one under that passphrase: both look like an empty vault,
    /// and the log says `unlocked` as for any unlock.
    pub fn unlock(&self, passphrase: &str) -> Result<SqliteVault, StoreError> {
        let opened = self.unlock_here(passphrase);
        // The key passed by value through the frames below this one (key
        // derivation, unwrapping, SQLCipher's keying): their stale copies go.
        crate::keyfile::burn_stack();
        opened
    }

    #[inline(never)]
    fn unlock_here(&self, passphrase: &str) -> Result<SqliteVault, StoreError> {
        let bytes = self.read_key_bytes()?;
        let key_file = KeyFile::from_json(&bytes)?;
        let dek = match self.counted_try(|| key_file.unlock(passphrase)) {
            Ok(Unlocked::Real(k)) => k,
            Ok(Unlocked::Decoy(k)) => return self.open_decoy(&k),
            Ok(Unlocked::Erase) => return self.duress_erase(passphrase, key_file.params()),
            Err(e) => {
                tracing::warn!(event = "unlock_failed");
                return Err(e);
            }
        };
        // SQLite would create a missing file and open an empty one as a new
        // vault; with a key file present that can only be damage.
        self.check_vault_file()?;
        let db = self.vault_path();
        // A first page that does not decrypt is damage too (or a vault file
        // of another key file): the same sentence, with what to do.
        let vault = SqliteVault::open_existing(&db, &dek).map_err(|e| match e {
            StoreError::Corrupt => StoreError::Damaged(db.clone()),
            e => e,
        })?;
        tracing::info!(event = "unlocked");
        self.upgrade_key_file(&bytes, &key_file, &dek, passphrase);
        Ok(vault)
    }

    /// The decoy vault, opened with its own key (created empty if its file
    /// is missing: it is empty anyway). A damaged decoy is reported under
    /// the vault's own name, so the message does not tell it is a decoy.
    fn open_decoy(&self, key: &crate::keyfile::SecretKey) -> Result<SqliteVault, StoreError> {
        let decoy = self.decoy_path();
        let exists = fs::metadata(&decoy).is_ok_and(|m| m.len() > 0);
        let opened = if exists {
            SqliteVault::open_existing(&decoy, key)
        } else {
            SqliteVault::open(&decoy, key)
        };
        let vault = opened.map_err(|e| match e {
            StoreError::Corrupt | StoreError::Damaged(_) => StoreError::Damaged(self.vault_path()),
            e => e,
        })?;
        tracing::info!(event = "unlocked");
        Ok(vault)
    }

    /// The duress passphrase's erase (security.md item 58): the whole key
    /// file (every slot) is overwritten where it lies and flushed, as
    /// [`DataDir::erase`] does, then the vault's files (the decoy's too) are
    /// removed; then a new, empty vault is made under the duress passphrase
    /// (same key settings) and opened. From then on no slot opens with the
    /// real passphrase: the real data can never be decrypted again. A crash
    /// after the overwrite is finished by the next [`DataDir::open`].
    fn duress_erase(&self, passphrase: &str, params: KdfParams) -> Result<SqliteVault, StoreError> {
        let _key_ops = self.key_ops();
        self.destroy_key_slot()?;
        self.remove_vault_files()?;
        let dek = new_data_key()?;
        let key_file = KeyFile::wrap(&dek, passphrase, params)?;
        let vault = SqliteVault::open(&self.vault_path(), &dek)?;
        fsutil::write_atomic(&self.key_path(), &key_file.to_json()?)?;
        // The same event as any unlock: a terminal in view shows nothing else.
        tracing::info!(event = "unlocked");
        Ok(vault)
    }

    /// Re-wraps the same data key under a new passphrase; the database file
    /// is not touched (security.md item 2). The slot `old` opens is the one
    /// changed: the vault's own, or (from inside a decoy) the duress slot,
    /// so the real passphrase keeps working. The duress passphrase of an
    /// erase is not accepted here (the vault is open: [`StoreError::WrongPassphrase`]).
    /// A new passphrase that already opens the other slot is refused.
    pub fn change_passphrase(&self, old: &str, new: &str) -> Result<(), StoreError> {
        let _key_ops = self.key_ops();
        let key_file = self.read_key_file()?;
        let opened = self.counted_try(|| key_file.unlock(old))?;
        if key_file.has_duress()
            && !matches!(key_file.unlock(new), Err(StoreError::WrongPassphrase))
        {
            return Err(StoreError::PassphraseInUse);
        }
        let rewrapped = match opened {
            // Today's parameters, or the file's own if they are stronger.
            Unlocked::Real(dek) if !key_file.has_duress() => {
                let params = key_file.params();
                let params = if params.check().is_ok() && !key_file.needs_rewrap(&self.kdf_target) {
                    params
                } else {
                    self.kdf_target
                };
                KeyFile::wrap(&dek, new, params)?
            }
            Unlocked::Real(dek) => key_file.rewrap_main(&dek, new)?,
            Unlocked::Decoy(key) => key_file.rewrap_duress(&key, new)?,
            Unlocked::Erase => return Err(StoreError::WrongPassphrase),
        };
        fsutil::write_atomic(&self.key_path(), &rewrapped.to_json()?)?;
        tracing::info!(event = "passphrase_changed");
        Ok(())
    }

    /// `rekindle duress set`: adds (or replaces) the duress slot, after
    /// checking `passphrase` is the vault's own (its main slot only). The
    /// duress passphrase must not open the vault. For [`DuressAction::Decoy`]
    /// a new, empty decoy vault is made with its own random key first (an
    /// earlier decoy is removed); the key file is written last, atomically.
    pub fn set_duress(
        &self,
        passphrase: &str,
        duress_passphrase: &str,
        action: DuressAction,
    ) -> Result<(), StoreError> {
        let _key_ops = self.key_ops();
        let key_file = self.read_key_file()?;
        key_file.unwrap_key(passphrase)?;
        if key_file.unwrap_key(duress_passphrase).is_ok() {
            return Err(StoreError::PassphraseInUse);
        }
        self.remove_decoy_files()?;
        let decoy_key = match action {
            DuressAction::Erase => None,
            DuressAction::Decoy => {
                let key = new_data_key()?;
                drop(SqliteVault::open(&self.decoy_path(), &key)?);
                Some(key)
            }
        };
        let with = key_file.with_duress(duress_passphrase, decoy_key.as_ref())?;
        fsutil::write_atomic(&self.key_path(), &with.to_json()?)?;
        tracing::info!(event = "duress_set");
        Ok(())
    }

    /// `rekindle duress off`: the duress slot and the decoy vault removed,
    /// after checking `passphrase` is the vault's own.
    pub fn duress_off(&self, passphrase: &str) -> Result<(), StoreError> {
        let _key_ops = self.key_ops();
        let key_file = self.read_key_file()?;
        key_file.unwrap_key(passphrase)?;
        fsutil::write_atomic(&self.key_path(), &key_file.without_duress().to_json()?)?;
        self.remove_decoy_files()?;
        tracing::info!(event = "duress_off");
        Ok(())
    }

    fn remove_decoy_files(&self) -> Result<(), StoreError> {
        for suffix in ["-wal", "-shm", "-journal", ""] {
            let p = self.path.join(format!("{DECOY_FILE}{suffix}"));
            match fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io(&p, e)),
            }
        }
        Ok(())
    }

    /// The key file's bytes as they are (the wrapped key: useless without
    /// the passphrase), for a backup that goes with a copy of the database.
    pub fn key_file_bytes(&self) -> Result<Vec<u8>, StoreError> {
        // Checked before it is handed out: a backup with a damaged key
        // would look fine and open nothing.
        let bytes = self.read_key_bytes()?;
        KeyFile::from_json(&bytes)?;
        Ok(bytes)
    }

    /// The key file that goes with a backup of `vault`: the key file as it
    /// is, or, for the decoy vault (opened by the duress passphrase), its
    /// slot alone as an ordinary key file, so the backup is an ordinary
    /// vault holding the decoy and shows nothing of the real one.
    pub fn key_file_bytes_for(&self, vault: &SqliteVault) -> Result<Vec<u8>, StoreError> {
        let bytes = self.key_file_bytes()?;
        if vault.path() != self.decoy_path() {
            return Ok(bytes);
        }
        KeyFile::from_json(&bytes)?
            .duress_as_key_file()
            .ok_or_else(|| StoreError::BadKeyFile("no duress slot".into()))?
            .to_json()
    }

    /// A consistent copy of the open vault (SQLite's `VACUUM INTO`, safe
    /// while the vault is in use: security.md item 41), still encrypted,
    /// in a temporary file of this private folder. It is removed when the
    /// returned value is dropped, and by the next [`DataDir::open`] or
    /// [`DataDir::erase`] if the process dies first.
    pub fn copy_vault(&self, vault: &SqliteVault) -> Result<VaultCopy, StoreError> {
        let suffix = crate::keyfile::random_bytes::<6>()?;
        let copy = VaultCopy {
            path: self
                .path
                .join(format!(".{VAULT_FILE}.copy-{}.tmp", hex::encode(suffix))),
        };
        vault.backup_to(copy.path())?;
        Ok(copy)
    }

    /// `rekindle backup FILE`: the open vault copied to `file` (still
    /// encrypted) and its key file to `FILE.key`; neither may exist yet.
    /// Returns the key copy's path.
    pub fn backup(&self, vault: &SqliteVault, file: &Path) -> Result<PathBuf, StoreError> {
        let key = self.key_file_bytes_for(vault)?;
        write_backup(vault, &key, file)
    }

    /// `rekindle backup FILE` while another rekindle holds this folder (a
    /// running `rekindle serve`, whose lock [`DataDir::open`] respects):
    /// the vault is opened read-only beside it ([`SqliteVault::open_read_only`]:
    /// SQLite's write-ahead log gives a consistent snapshot while the server
    /// writes) and copied as [`DataDir::backup`] does. Nothing in the folder
    /// is written, created or removed, and the folder is not locked.
    pub fn backup_beside_running(
        path: &Path,
        passphrase: &str,
        file: &Path,
    ) -> Result<PathBuf, StoreError> {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(path).map_err(|_| StoreError::NoVault(path.to_path_buf()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(StoreError::InsecurePermissions {
                path: path.to_path_buf(),
            });
        }
        let key_path = path.join(KEY_FILE);
        let key = match fsutil::read_limited(&key_path, 64 * 1024) {
            Ok(bytes) if bytes == ERASED_MARK => {
                return Err(StoreError::NoVault(path.to_path_buf()));
            }
            Ok(bytes) => bytes,
            Err(fsutil::ReadLimitedError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NoVault(path.to_path_buf()));
            }
            Err(fsutil::ReadLimitedError::Io(e)) => return Err(StoreError::io(&key_path, e)),
            Err(other) => {
                return Err(StoreError::BadKeyFile(format!(
                    "{}: {other}",
                    key_path.display()
                )));
            }
        };
        let key_file = KeyFile::from_json(&key)?;
        // The duress passphrase of a decoy backs up the decoy (as an
        // ordinary vault); an erase cannot run while another rekindle has
        // the vault open, so that passphrase is refused like a wrong one.
        let (dek, db, key) = match key_file.unlock(passphrase)? {
            Unlocked::Real(dek) => (dek, path.join(VAULT_FILE), key),
            Unlocked::Decoy(k) => {
                let only = key_file
                    .duress_as_key_file()
                    .ok_or_else(|| StoreError::BadKeyFile("no duress slot".into()))?;
                (k, path.join(DECOY_FILE), only.to_json()?)
            }
            Unlocked::Erase => return Err(StoreError::WrongPassphrase),
        };
        if fs::metadata(&db).map(|m| m.len() == 0).unwrap_or(true) {
            return Err(StoreError::MissingDatabase(db));
        }
        let vault = SqliteVault::open_read_only(&db, &dek).map_err(|e| match e {
            StoreError::Corrupt => StoreError::Damaged(db.clone()),
            e => e,
        })?;
        write_backup(&vault, &key, file)
    }

    /// Deletes the vault for good (security.md item 60: "delete vault"
    /// erases the key slots first, then the files).
    ///
    /// 1. The passphrase is checked against the key file; a wrong one
    ///    changes nothing ([`StoreError::WrongPassphrase`]).
    /// 2. The key file's bytes are overwritten where they lie with random
    ///    bytes, then with the erasure mark, each flushed to the disk
    ///    (fsync): from here on the database can never be decrypted again
    ///    (crypto-erase; the database's own freed pages are zeroed by
    ///    SQLite's `secure_delete`).
    /// 3. The files are removed: `vault.db` with its `-wal`, `-shm` and
    ///    `-journal`, vault files kept aside earlier (`vault.db.without-key-*`),
    ///    temporary files (`.*.tmp`), the share links' folder (`shares/`),
    ///    and last the key file; then the folder itself is flushed.
    ///
    /// Left on purpose: the folder, its empty lock file `rekindle.lock`
    /// (held while rekindle runs) and the user's own word lists in
    /// `lexicons/` (reported in [`Erased`]). Copies elsewhere (backups,
    /// exports) are out of reach; an SSD or a copy-on-write file system may
    /// keep old blocks of the key file (security.md item 58).
    ///
    /// Call it with no other connection to the vault open in this process
    /// (the caller drops its own after it returns). If it fails half-way,
    /// the key is already destroyed: calling it again (any passphrase) or
    /// the next [`DataDir::open`] finishes the removal.
    pub fn erase(&self, passphrase: &str) -> Result<Erased, StoreError> {
        let _key_ops = self.key_ops();
        if !self.erasure_pending() {
            let key_file = self.read_key_file()?;
            // Any slot's passphrase deletes the vault (the decoy's too: the
            // whole key file is destroyed).
            if let Err(e) = self.counted_try(|| key_file.unlock(passphrase)) {
                tracing::warn!(event = "erase_refused");
                return Err(e);
            }
            self.destroy_key_slot()?;
            tracing::info!(event = "vault_key_destroyed");
        }
        self.remove_vault_files()?;
        tracing::info!(event = "vault_erased");
        let lexicons = self.path.join(LEXICONS_DIR);
        Ok(Erased {
            kept_lexicons: lexicons.exists().then_some(lexicons),
        })
    }

    /// Overwrites the key file in place: random bytes over its whole length,
    /// flushed, then the erasure mark, flushed.
    fn destroy_key_slot(&self) -> Result<(), StoreError> {
        let path = self.key_path();
        let overwrite = || -> std::io::Result<()> {
            let mut f = OpenOptions::new().write(true).open(&path)?;
            let len = usize::try_from(f.metadata()?.len()).unwrap_or(usize::MAX);
            let mut left = len.max(ERASED_MARK.len());
            while left > 0 {
                let chunk = crate::keyfile::random_bytes::<4096>()
                    .map_err(|_| std::io::Error::other("random source failed"))?;
                let n = left.min(chunk.len());
                f.write_all(&chunk[..n])?;
                left -= n;
            }
            f.sync_all()?;
            f.rewind()?;
            f.write_all(ERASED_MARK)?;
            f.set_len(ERASED_MARK.len() as u64)?;
            f.sync_all()
        };
        overwrite().map_err(|e| StoreError::io(&path, e))
    }

    /// Removes every file of the vault, the key file last, and flushes the
    /// folder. Missing files are fine (an earlier attempt removed them).
    fn remove_vault_files(&self) -> Result<(), StoreError> {
        let remove = |p: &Path| match fs::remove_file(p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io(p, e)),
        };
        for suffix in ["-wal", "-shm", "-journal", ""] {
            remove(&self.path.join(format!("{VAULT_FILE}{suffix}")))?;
        }
        self.remove_decoy_files()?;
        let entries = fs::read_dir(&self.path).map_err(|e| StoreError::io(&self.path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io(&self.path, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let kept_aside = name.starts_with(&format!("{VAULT_FILE}.without-key-"));
            let temporary = name.starts_with('.') && name.ends_with(".tmp");
            if kept_aside || temporary {
                remove(&entry.path())?;
            }
        }
        let shares = self.path.join(SHARES_DIR);
        match fs::remove_dir_all(&shares) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&shares, e)),
        }
        // Left behind by a server that was killed.
        remove(&self.path.join(CONTROL_SOCKET))?;
        remove(&self.path.join(backoff::FAILURES_FILE))?;
        remove(&self.key_path())?;
        File::open(&self.path)
            .and_then(|d| d.sync_all())
            .map_err(|e| StoreError::io(&self.path, e))
    }
}

/// Writes a backup: the vault copied (still encrypted) to `file` and the
/// key file to `FILE.key`. Neither may exist yet: the refusal comes before
/// anything is written, and each file is written under a temporary name,
/// flushed, then given its name without replacing anything
/// ([`fsutil::publish_new`]), so a crash leaves each file whole or absent
/// (a temporary `.FILE.*.tmp` beside it may stay after a crash). The key
/// file goes last: a `FILE` without its `FILE.key` was never reported done.
fn write_backup(vault: &SqliteVault, key: &[u8], file: &Path) -> Result<PathBuf, StoreError> {
    let mut key_name = file.as_os_str().to_owned();
    key_name.push(".key");
    let key_copy = PathBuf::from(key_name);
    // Never over an existing file: it may be an earlier backup.
    for existing in [file, key_copy.as_path()] {
        if existing.exists() {
            return Err(StoreError::AlreadyExists(existing.to_path_buf()));
        }
    }
    let tmp = fsutil::temp_beside(file)?;
    if let Err(e) = vault.backup_to(&tmp) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fsutil::publish_new(&tmp, file)?;
    if let Err(e) = fsutil::write_new(&key_copy, key) {
        // The copy is useless without its key, and was never reported.
        let _ = fs::remove_file(file);
        return Err(e);
    }
    tracing::info!(event = "vault_backed_up");
    Ok(key_copy)
}
