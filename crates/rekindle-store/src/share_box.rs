//! Where share links' sealed snapshots live, apart from any vault.
//!
//! A share is a copy of a report encrypted under a key that exists only in
//! the link's fragment, so whatever serves it (the local share listener, or
//! a hosted server) holds ciphertext only. This trait is that place: a
//! folder of files on one computer ([`ShareDir`]), a table on a hosted
//! server. It stores opaque text; `rekindle_app::share` gives it meaning.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::{StoreError, fsutil};

/// Most confirmations one share keeps; later ones are refused.
pub const MAX_CONFIRMATIONS: usize = 100;
/// Most view times one share keeps; later views are served but not recorded.
pub const MAX_VIEWS: usize = 10_000;

pub trait ShareBox: Send + Sync {
    /// Stores the sealed snapshot of share `id_hash` (hex SHA-256 of the link id).
    fn put(&self, id_hash: &str, expires_ms: i64, sealed: &str) -> Result<(), StoreError>;
    /// Deletes the snapshot and everything recorded about it, at once.
    fn remove(&self, id_hash: &str) -> Result<(), StoreError>;
    /// The sealed snapshot, if the share exists (expired or not).
    fn get(&self, id_hash: &str) -> Option<String>;
    /// Records that the link was opened (the time only).
    fn add_view(&self, id_hash: &str, at_ms: i64) -> Result<(), StoreError>;
    fn views(&self, id_hash: &str) -> Vec<i64>;
    /// Keeps one confirmation, sealed by the ally's browser; false when the
    /// share does not exist or already holds [`MAX_CONFIRMATIONS`].
    fn add_confirmation(&self, id_hash: &str, sealed: &str) -> Result<bool, StoreError>;
    fn confirmations(&self, id_hash: &str) -> Vec<String>;
}

/// Shares as files in one folder: `<id-hash>.json` (the snapshot),
/// `<id-hash>.views` and `<id-hash>.confirm` (one line each).
pub struct ShareDir {
    dir: PathBuf,
}

impl ShareDir {
    pub fn new(dir: impl Into<PathBuf>) -> ShareDir {
        ShareDir { dir: dir.into() }
    }

    fn file(&self, id_hash: &str, ext: &str) -> Option<PathBuf> {
        // Only a hex hash names a file: nothing else reaches the folder.
        let hex = !id_hash.is_empty()
            && id_hash.len() <= 64
            && id_hash.chars().all(|c| c.is_ascii_hexdigit());
        hex.then(|| self.dir.join(format!("{id_hash}.{ext}")))
    }

    fn lines(&self, id_hash: &str, ext: &str) -> Vec<String> {
        self.file(id_hash, ext)
            .and_then(|p| fs::read_to_string(p).ok())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

fn append(path: &Path, line: &str) -> Result<(), StoreError> {
    let write = || -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(line.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    };
    write().map_err(|e| StoreError::io(path, e))
}

fn not_a_share() -> StoreError {
    StoreError::io("share", std::io::Error::other("not a share id"))
}

impl ShareBox for ShareDir {
    fn put(&self, id_hash: &str, _expires_ms: i64, sealed: &str) -> Result<(), StoreError> {
        fsutil::ensure_private_dir(&self.dir)?;
        let path = self.file(id_hash, "json").ok_or_else(not_a_share)?;
        fsutil::write_atomic(&path, sealed.as_bytes())
    }

    fn remove(&self, id_hash: &str) -> Result<(), StoreError> {
        for ext in ["json", "views", "confirm"] {
            let path = self.file(id_hash, ext).ok_or_else(not_a_share)?;
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io(&path, e)),
            }
        }
        Ok(())
    }

    fn get(&self, id_hash: &str) -> Option<String> {
        fs::read_to_string(self.file(id_hash, "json")?).ok()
    }

    fn add_view(&self, id_hash: &str, at_ms: i64) -> Result<(), StoreError> {
        if self.lines(id_hash, "views").len() >= MAX_VIEWS {
            return Ok(());
        }
        let path = self.file(id_hash, "views").ok_or_else(not_a_share)?;
        append(&path, &at_ms.to_string())
    }

    fn views(&self, id_hash: &str) -> Vec<i64> {
        self.lines(id_hash, "views")
            .iter()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    fn add_confirmation(&self, id_hash: &str, sealed: &str) -> Result<bool, StoreError> {
        if self.get(id_hash).is_none() || self.lines(id_hash, "confirm").len() >= MAX_CONFIRMATIONS
        {
            return Ok(false);
        }
        let path = self.file(id_hash, "confirm").ok_or_else(not_a_share)?;
        append(&path, sealed).map(|()| true)
    }

    fn confirmations(&self, id_hash: &str) -> Vec<String> {
        self.lines(id_hash, "confirm")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_keeps_a_share_until_it_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = ShareDir::new(tmp.path().join("shares"));
        let h = "ab".repeat(32);
        assert_eq!(dir.get(&h), None);
        assert!(!dir.add_confirmation(&h, "{}").unwrap());
        dir.put(&h, 5, "sealed").unwrap();
        assert_eq!(dir.get(&h).as_deref(), Some("sealed"));
        dir.add_view(&h, 7).unwrap();
        assert!(dir.add_confirmation(&h, "c1").unwrap());
        assert_eq!(dir.views(&h), vec![7]);
        assert_eq!(dir.confirmations(&h), vec!["c1".to_string()]);
        dir.remove(&h).unwrap();
        assert_eq!(dir.get(&h), None);
        assert!(dir.views(&h).is_empty());
        assert!(
            fs::read_dir(tmp.path().join("shares"))
                .unwrap()
                .next()
                .is_none()
        );
    }

    #[test]
    fn only_a_hex_hash_names_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = ShareDir::new(tmp.path());
        assert!(dir.put("../escape", 0, "x").is_err());
        assert_eq!(dir.get("../vault"), None);
        assert!(dir.remove("a/b").is_err());
    }

    #[test]
    fn confirmations_stop_at_the_cap() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = ShareDir::new(tmp.path().join("shares"));
        let h = "cd".repeat(32);
        dir.put(&h, 0, "s").unwrap();
        for _ in 0..MAX_CONFIRMATIONS {
            assert!(dir.add_confirmation(&h, "c").unwrap());
        }
        assert!(!dir.add_confirmation(&h, "c").unwrap());
        assert_eq!(dir.confirmations(&h).len(), MAX_CONFIRMATIONS);
    }
}
