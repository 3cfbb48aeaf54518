//! Private, crash-safe file handling (security.md items 16 and 40).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::StoreError;

/// Why [`read_limited`] read nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReadLimitedError {
    /// A folder, device (`/dev/zero`), FIFO or socket: never read, since
    /// it could be endless or wait forever.
    #[error("not a regular file")]
    NotAFile,
    #[error("{bytes} bytes, more than the {max} allowed")]
    TooLarge { bytes: u64, max: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads a regular file of at most `max` bytes, checking before reading:
/// the size is taken from the opened file (opened without blocking, so a
/// FIFO put in its place cannot hang), and the read stops at `max + 1`
/// bytes however much the file grows meanwhile.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, ReadLimitedError> {
    use std::io::Read;
    if !fs::metadata(path)?.is_file() {
        return Err(ReadLimitedError::NotAFile);
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadLimitedError::NotAFile);
    }
    if meta.len() > max {
        return Err(ReadLimitedError::TooLarge {
            bytes: meta.len(),
            max,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadLimitedError::TooLarge {
            bytes: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

/// Creates `dir` (and parents) with mode 0700 if missing; refuses an existing
/// folder that other users can open.
pub fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| StoreError::io(dir, e))?;
        // `recursive` applies the mode only subject to the umask; be explicit.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| StoreError::io(dir, e))?;
    }
    let mode = fs::metadata(dir)
        .map_err(|e| StoreError::io(dir, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::InsecurePermissions {
            path: dir.to_path_buf(),
        });
    }
    Ok(())
}

/// Writes a file so that a crash leaves either the old or the new content,
/// never a mix: temp file → fsync → rename → fsync(dir). Mode 0600.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).map_err(|e| StoreError::io(path, std::io::Error::other(e)))?;
    let tmp = dir.join(format!(".{name}.{}.tmp", hex::encode(suffix)));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::io(path, e));
    }
    Ok(())
}

/// A temporary name beside `path` (`.NAME.RANDOM.tmp`), for a file that is
/// written whole before it takes its real name.
pub fn temp_beside(path: &Path) -> Result<std::path::PathBuf, StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).map_err(|e| StoreError::io(path, std::io::Error::other(e)))?;
    Ok(dir.join(format!(".{name}.{}.tmp", hex::encode(suffix))))
}

/// Gives the finished file `tmp` (same folder) the name `path`, never over
/// an existing file ([`StoreError::AlreadyExists`], `tmp` removed): a hard
/// link, which fails if the name is taken; where the file system has none
/// (FAT on a USB stick), a rename after checking the name is free. Then the
/// folder is flushed, so the name survives a power cut.
pub fn publish_new(tmp: &Path, path: &Path) -> Result<(), StoreError> {
    let result = match fs::hard_link(tmp, path) {
        Ok(()) => fs::remove_file(tmp),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = fs::remove_file(tmp);
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        Err(_) if path.exists() => {
            let _ = fs::remove_file(tmp);
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        Err(_) => fs::rename(tmp, path),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    result
        .and_then(|()| File::open(dir)?.sync_all())
        .map_err(|e| {
            let _ = fs::remove_file(tmp);
            StoreError::io(path, e)
        })
}

/// Writes a new file atomically (temp file, fsync, then [`publish_new`]):
/// a crash leaves the whole file or none, and an existing file is never
/// replaced. Mode 0600.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if path.exists() {
        return Err(StoreError::AlreadyExists(path.to_path_buf()));
    }
    let tmp = temp_beside(path)?;
    let written = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::io(path, e));
    }
    publish_new(&tmp, path)
}

/// Sets a file to 0600 (owner read/write only).
pub fn make_private(path: &Path) -> Result<(), StoreError> {
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .map_err(|e| StoreError::io(path, e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn read_limited_refuses_devices_fifos_and_oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_limited(Path::new("/dev/zero"), 1 << 20),
            Err(ReadLimitedError::NotAFile)
        ));
        assert!(matches!(
            read_limited(dir.path(), 1 << 20),
            Err(ReadLimitedError::NotAFile)
        ));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(matches!(
            read_limited(&fifo, 1 << 20),
            Err(ReadLimitedError::NotAFile)
        ));
        // A sparse file far larger than allowed is refused before any read.
        let big = dir.path().join("big");
        File::create(&big).unwrap().set_len(3 << 30).unwrap();
        assert!(matches!(
            read_limited(&big, 1 << 20),
            Err(ReadLimitedError::TooLarge { bytes, .. }) if bytes == 3 << 30
        ));
        let small = dir.path().join("small");
        fs::write(&small, b"hello").unwrap();
        assert_eq!(read_limited(&small, 5).unwrap(), b"hello");
        assert!(read_limited(&small, 4).is_err());
    }

    #[test]
    fn atomic_write_replaces_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // no temp files left behind
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn write_new_never_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("backup.db.key");
        write_new(&p, b"first").unwrap();
        assert!(matches!(
            write_new(&p, b"second"),
            Err(StoreError::AlreadyExists(_))
        ));
        assert_eq!(fs::read(&p).unwrap(), b"first");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A finished temp file published over a name taken meanwhile is
        // refused and removed.
        let tmp = temp_beside(&p).unwrap();
        fs::write(&tmp, b"late").unwrap();
        assert!(matches!(
            publish_new(&tmp, &p),
            Err(StoreError::AlreadyExists(_))
        ));
        assert!(!tmp.exists());
        assert_eq!(fs::read(&p).unwrap(), b"first");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn open_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("data");
        ensure_private_dir(&d).unwrap();
        assert_eq!(
            fs::metadata(&d).unwrap().permissions().mode() & 0o777,
            0o700
        );
        fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(
            ensure_private_dir(&d),
            Err(StoreError::InsecurePermissions { .. })
        ));
    }
}
