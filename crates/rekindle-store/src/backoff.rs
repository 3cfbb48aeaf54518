//! Wrong passphrases in a row, kept in the data folder so that a script
//! trying passphrases one process after another is slowed down too (issue 18,
//! item 5). The file holds two numbers and no secret: how many tries in a row
//! did not open the vault, and when the last one started.
//!
//! A try is counted *before* the key derivation runs and forgotten when it
//! succeeds, so killing the process during the derivation does not avoid
//! the count.

use std::path::Path;

use crate::{StoreError, fsutil};

/// The file in the data folder.
pub const FAILURES_FILE: &str = "unlock-failures";

/// The longest wait between tries (the web's in-memory backoff uses the same).
pub const MAX_WAIT_SECONDS: u64 = 300;

/// Tries in a row that did not open the vault, and when the last one began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: u32,
    /// Seconds since the Unix epoch.
    pub last: u64,
}

impl Failures {
    /// The wait after `count` failures: 1 s, 2 s, 4 s, … up to 5 minutes.
    pub fn delay(&self) -> u64 {
        match self.count {
            0 => 0,
            n => (1u64 << (n - 1).min(16)).min(MAX_WAIT_SECONDS),
        }
    }

    /// Seconds still to wait at `now` before the next try may run. A clock
    /// set back never makes it longer than the full delay.
    pub fn remaining(&self, now: u64) -> u64 {
        let delay = self.delay();
        (self.last.saturating_add(delay))
            .saturating_sub(now)
            .min(delay)
    }

    fn parse(text: &str) -> Option<Failures> {
        let mut parts = text.split_whitespace();
        let count = parts.next()?.parse().ok()?;
        let last = parts.next()?.parse().ok()?;
        Some(Failures { count, last })
    }
}

pub fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What the file says; a missing or unreadable file counts as no failures
/// (it is the owner's own folder: deleting the file only helps them).
pub fn read(dir: &Path) -> Failures {
    fsutil::read_limited(&dir.join(FAILURES_FILE), 256)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| Failures::parse(&t))
        .unwrap_or_default()
}

/// Counts a try that is about to run.
pub fn record_attempt(dir: &Path, now: u64) -> Result<(), StoreError> {
    let before = read(dir);
    let after = Failures {
        count: before.count.saturating_add(1),
        last: now,
    };
    fsutil::write_atomic(
        &dir.join(FAILURES_FILE),
        format!("{} {}\n", after.count, after.last).as_bytes(),
    )
}

/// The try opened the vault: the count starts again.
pub fn clear(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(FAILURES_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(&path, e)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_five_minutes() {
        let at = |count| Failures { count, last: 1000 };
        assert_eq!(at(0).delay(), 0);
        assert_eq!(at(1).delay(), 1);
        assert_eq!(at(2).delay(), 2);
        assert_eq!(at(5).delay(), 16);
        assert_eq!(at(9).delay(), 256);
        assert_eq!(at(10).delay(), MAX_WAIT_SECONDS);
        assert_eq!(at(u32::MAX).delay(), MAX_WAIT_SECONDS);
        assert_eq!(at(3).remaining(1000), 4);
        assert_eq!(at(3).remaining(1003), 1);
        assert_eq!(at(3).remaining(1004), 0);
        // The clock went back a quarter of an hour: never more than the delay itself.
        assert_eq!(at(3).remaining(100), 4);
    }

    #[test]
    fn counted_before_and_forgotten_after_success() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), Failures::default());
        record_attempt(dir.path(), 50).unwrap();
        record_attempt(dir.path(), 60).unwrap();
        assert_eq!(read(dir.path()), Failures { count: 2, last: 60 });
        clear(dir.path()).unwrap();
        assert_eq!(read(dir.path()), Failures::default());
        clear(dir.path()).unwrap();
        // Damage reads as no failures rather than locking the owner out.
        std::fs::write(dir.path().join(FAILURES_FILE), "not numbers").unwrap();
        assert_eq!(read(dir.path()), Failures::default());
    }
}
