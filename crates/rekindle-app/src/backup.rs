//! "Download a backup" (the web app): the encrypted pair `rekindle backup`
//! writes as two files, packed in one zip, so a browser download holds
//! everything needed to open the vault again with the passphrase.
//!
//! The zip holds `vault.db` (a consistent copy made with SQLite's `VACUUM
//! INTO`, still encrypted with the vault's data key), `vault.key` (that key,
//! wrapped by the passphrase) and `HOW-TO-RESTORE.txt`. Unzipped into an
//! empty folder, the folder is a data folder: `rekindle serve --data-dir
//! FOLDER` opens it. The entries are stored, not compressed: encrypted
//! bytes do not compress.

use std::io::{Read, Write};

use rekindle_store::{DataDir, KEY_FILE, SqliteVault, StoreError, VAULT_FILE};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// What the backup's instructions say.
pub const HOW_TO_RESTORE: &str = "\
This is a backup of your rekindle vault. It is still encrypted.

  vault.db   your notes, encrypted
  vault.key  the key to vault.db, locked with the passphrase you had
             when you made this backup

Both files are needed, with that passphrase, to open it.

To open it: put both files in a new, empty folder and start rekindle
with that folder, for example

  rekindle serve --data-dir /path/to/that/folder

(rekindle opens only a folder that is yours alone: if it says the
folder can be opened by other users, run  chmod 700 /path/to/that/folder)

Keep this backup somewhere private. rekindle cannot delete copies you
made: when you no longer need it, delete it yourself.
";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("The backup could not be packed ({0}). Nothing was changed in your vault.")]
    Pack(String),
}

impl From<zip::result::ZipError> for BackupError {
    fn from(e: zip::result::ZipError) -> Self {
        BackupError::Pack(e.to_string())
    }
}

impl From<std::io::Error> for BackupError {
    fn from(e: std::io::Error) -> Self {
        BackupError::Pack(e.to_string())
    }
}

/// The backup zip of `vault` (open in `dir`), in memory. The copy of the
/// database is made in a temporary file of the (private) data folder and
/// removed before this returns. Give it a connection of its own
/// ([`SqliteVault::open_another`]) so the copy does not hold up other work.
pub fn backup_zip(dir: &DataDir, vault: &SqliteVault) -> Result<Vec<u8>, BackupError> {
    let key = dir.key_file_bytes_for(vault)?;
    let copy = dir.copy_vault(vault)?;
    let mut db = std::fs::File::open(copy.path()).map_err(|e| StoreError::io(copy.path(), e))?;
    let db_len = db
        .metadata()
        .map_err(|e| StoreError::io(copy.path(), e))?
        .len();
    let capacity = usize::try_from(db_len)
        .unwrap_or(0)
        .saturating_add(key.len() + HOW_TO_RESTORE.len() + 4096);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(capacity)));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .unix_permissions(0o600);
    zip.start_file(
        VAULT_FILE,
        options.large_file(db_len >= u64::from(u32::MAX)),
    )?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = db
            .read(&mut buf)
            .map_err(|e| StoreError::io(copy.path(), e))?;
        if n == 0 {
            break;
        }
        zip.write_all(&buf[..n])?;
    }
    drop(db);
    drop(copy);
    zip.start_file(KEY_FILE, options)?;
    zip.write_all(&key)?;
    zip.start_file("HOW-TO-RESTORE.txt", options.unix_permissions(0o644))?;
    zip.write_all(HOW_TO_RESTORE.as_bytes())?;
    let bytes = zip.finish()?.into_inner();
    tracing::info!(event = "backup_packed");
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rekindle_core::relationship::Relationship;
    use rekindle_store::{KdfParams, Store};

    const PASS: &str = "a quiet walk by the river at dawn";
    const FAST: KdfParams = KdfParams {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    #[test]
    fn the_backup_unzips_into_a_folder_that_opens_with_the_passphrase() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&tmp.path().join("data"))
            .unwrap()
            .with_kdf_target(KdfParams::FLOOR)
            .unwrap();
        let mut v = dir.create(PASS, FAST).unwrap();
        let r = Relationship {
            their_name: "Alex CANARY-zip".into(),
            ..Relationship::default()
        };
        v.save_relationship(&r, jiff::Timestamp::from_second(1).unwrap())
            .unwrap();
        let bytes = backup_zip(&dir, &v.open_another().unwrap()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("CANARY-zip"));
        // No temporary copy is left in the data folder.
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        left.sort();
        assert!(left.is_empty(), "{left:?}");

        let mut ar = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let restored = tmp.path().join("restored");
        std::fs::create_dir(&restored).unwrap();
        let mut names = Vec::new();
        for i in 0..ar.len() {
            let mut f = ar.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            std::fs::write(restored.join(&name), out).unwrap();
            names.push(name);
        }
        assert_eq!(names, ["vault.db", "vault.key", "HOW-TO-RESTORE.txt"]);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&restored, std::fs::Permissions::from_mode(0o700)).unwrap();
        let other = DataDir::open(&restored)
            .unwrap()
            .with_kdf_target(KdfParams::FLOOR)
            .unwrap();
        assert!(matches!(
            other.unlock("not the passphrase at all, no"),
            Err(StoreError::WrongPassphrase)
        ));
        let opened = other.unlock(PASS).unwrap();
        assert_eq!(opened.relationship().unwrap().unwrap(), r);
    }
}
