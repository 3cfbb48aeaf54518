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
use std::sync::Mutex;

use crate::{StoreError, fsutil};

/// Most confirmations one share keeps; later ones are refused.
pub const MAX_CONFIRMATIONS: usize = 100;
/// Most confirmations one share takes in any rolling hour: whoever holds a
/// link cannot fill the owner's list in one go.
pub const MAX_CONFIRMATIONS_PER_HOUR: usize = 10;
/// The rolling window of [`MAX_CONFIRMATIONS_PER_HOUR`], in milliseconds.
pub const CONFIRMATION_WINDOW_MS: i64 = 3_600_000;
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
    /// Keeps one confirmation, sealed by the ally's browser, received at
    /// `at_ms`; nothing is stored unless the answer is [`Confirmed::Added`].
    fn add_confirmation(
        &self,
        id_hash: &str,
        sealed: &str,
        at_ms: i64,
    ) -> Result<Confirmed, StoreError>;
    fn confirmations(&self, id_hash: &str) -> Vec<String>;
}

/// What became of a confirmation sent to a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    Added,
    /// No such share.
    NoShare,
    /// The share already holds [`MAX_CONFIRMATIONS`].
    Full,
    /// [`MAX_CONFIRMATIONS_PER_HOUR`] arrived in the hour before this one.
    TooManyThisHour,
}

/// How many of `times` (milliseconds) fall in the hour up to `at_ms`.
fn in_last_hour(times: impl IntoIterator<Item = i64>, at_ms: i64) -> usize {
    times
        .into_iter()
        .filter(|t| *t > at_ms.saturating_sub(CONFIRMATION_WINDOW_MS) && *t <= at_ms)
        .count()
}

/// Shares as files in one folder: `<id-hash>.json` (the snapshot),
/// `<id-hash>.views` and `<id-hash>.confirm` (one line each), and
/// `<id-hash>.confirm-times` (when each confirmation arrived, for the hourly cap).
pub struct ShareDir {
    dir: PathBuf,
    /// One addition at a time in this process, so the caps hold under
    /// concurrent posts.
    adding: Mutex<()>,
}

/// The files of one share, in the order they are removed.
const SHARE_FILES: [&str; 4] = ["json", "views", "confirm", "confirm-times"];

impl ShareDir {
    pub fn new(dir: impl Into<PathBuf>) -> ShareDir {
        ShareDir {
            dir: dir.into(),
            adding: Mutex::new(()),
        }
    }

    fn adding(&self) -> std::sync::MutexGuard<'_, ()> {
        self.adding
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
        for ext in SHARE_FILES {
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
        let _one = self.adding();
        if self.get(id_hash).is_none() {
            return Ok(());
        }
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

    fn add_confirmation(
        &self,
        id_hash: &str,
        sealed: &str,
        at_ms: i64,
    ) -> Result<Confirmed, StoreError> {
        let _one = self.adding();
        if self.get(id_hash).is_none() {
            return Ok(Confirmed::NoShare);
        }
        if self.lines(id_hash, "confirm").len() >= MAX_CONFIRMATIONS {
            return Ok(Confirmed::Full);
        }
        let times = self.lines(id_hash, "confirm-times");
        if in_last_hour(times.iter().filter_map(|l| l.trim().parse().ok()), at_ms)
            >= MAX_CONFIRMATIONS_PER_HOUR
        {
            return Ok(Confirmed::TooManyThisHour);
        }
        let times_path = self
            .file(id_hash, "confirm-times")
            .ok_or_else(not_a_share)?;
        let path = self.file(id_hash, "confirm").ok_or_else(not_a_share)?;
        // The time first: a crash in between leaves a time without a
        // confirmation (a stricter cap), never a confirmation past the cap.
        append(&times_path, &at_ms.to_string())?;
        append(&path, sealed).map(|()| Confirmed::Added)
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
        assert_eq!(
            dir.add_confirmation(&h, "{}", 1).unwrap(),
            Confirmed::NoShare
        );
        dir.put(&h, 5, "sealed").unwrap();
        assert_eq!(dir.get(&h).as_deref(), Some("sealed"));
        dir.add_view(&h, 7).unwrap();
        assert_eq!(dir.add_confirmation(&h, "c1", 8).unwrap(), Confirmed::Added);
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
        // Spread over hours, so only the total cap applies.
        let hour = CONFIRMATION_WINDOW_MS;
        for i in 0..MAX_CONFIRMATIONS {
            let at = i64::try_from(i).unwrap() * hour;
            assert_eq!(dir.add_confirmation(&h, "c", at).unwrap(), Confirmed::Added);
        }
        assert_eq!(
            dir.add_confirmation(&h, "c", 1000 * hour).unwrap(),
            Confirmed::Full
        );
        assert_eq!(dir.confirmations(&h).len(), MAX_CONFIRMATIONS);
    }

    #[test]
    fn confirmations_stop_at_the_hourly_cap_and_resume_an_hour_later() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = ShareDir::new(tmp.path().join("shares"));
        let h = "ef".repeat(32);
        dir.put(&h, 0, "s").unwrap();
        let start = 1_780_000_000_000;
        for i in 0..MAX_CONFIRMATIONS_PER_HOUR {
            let at = start + i64::try_from(i).unwrap() * 60_000;
            assert_eq!(dir.add_confirmation(&h, "c", at).unwrap(), Confirmed::Added);
        }
        let before = fs::read(dir.file(&h, "confirm").unwrap()).unwrap();
        // One more within the hour of the first: refused, nothing written.
        let late = start + CONFIRMATION_WINDOW_MS - 1;
        assert_eq!(
            dir.add_confirmation(&h, "c", late).unwrap(),
            Confirmed::TooManyThisHour
        );
        assert_eq!(fs::read(dir.file(&h, "confirm").unwrap()).unwrap(), before);
        assert_eq!(dir.confirmations(&h).len(), MAX_CONFIRMATIONS_PER_HOUR);
        // An hour after the first, its place is free again.
        let next = start + CONFIRMATION_WINDOW_MS;
        assert_eq!(
            dir.add_confirmation(&h, "c", next).unwrap(),
            Confirmed::Added
        );
        assert_eq!(
            dir.add_confirmation(&h, "c", next).unwrap(),
            Confirmed::TooManyThisHour
        );
        // Removing the share removes the times too.
        dir.remove(&h).unwrap();
        assert!(
            fs::read_dir(tmp.path().join("shares"))
                .unwrap()
                .next()
                .is_none()
        );
    }

    #[test]
    fn views_of_a_missing_share_write_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = ShareDir::new(tmp.path());
        dir.add_view(&"12".repeat(32), 5).unwrap();
        assert!(fs::read_dir(tmp.path()).unwrap().next().is_none());
    }
}
