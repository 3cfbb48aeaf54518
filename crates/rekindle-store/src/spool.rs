//! An encrypted spool: a large upload written to disk as it arrives, never
//! in plain text, under a key that exists only in this process's memory.
//!
//! A chat export is the most private thing rekindle handles. A 500 MB
//! upload held in memory for the minutes it takes to arrive would pin that
//! memory (and a slow or stalled upload would pin it for longer); written
//! plainly to a temporary file it would outlive a crash. Here each 1 MiB
//! chunk is sealed (XChaCha20-Poly1305) before it touches the disk, and the
//! key is dropped with the spool, so a file left behind by a crash or a
//! power cut is unreadable noise (and, named `.upload-….tmp`, is removed
//! with the other stale temporary files when the data folder next opens).
//!
//! File layout: for each chunk, its sealed length (u32, little-endian) and
//! the sealed bytes. Chunk `i`'s nonce is `i` (a key is used for one spool
//! only, so nonces never repeat), and the last chunk is sealed with a
//! different associated datum, so a file cut after any whole chunk, or
//! with chunks swapped or repeated, is refused rather than read short.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::StoreError;
use crate::keyfile::random_bytes;

/// Plain bytes per sealed chunk (small in unit tests, so that they cross
/// many chunk boundaries with little data).
const CHUNK: usize = if cfg!(test) { 4096 } else { 1024 * 1024 };
/// The associated data that marks a chunk as the last one, or not.
const MIDDLE: &[u8] = b"rekindle spool chunk";
const LAST: &[u8] = b"rekindle spool last chunk";
/// Poly1305's tag.
const TAG: usize = 16;

/// Bytes written to disk sealed, read back whole once; the file is removed
/// when the spool is dropped.
pub struct Spool {
    path: PathBuf,
    file: BufWriter<File>,
    cipher: XChaCha20Poly1305,
    pending: Zeroizing<Vec<u8>>,
    chunks: u64,
    len: u64,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool").field("len", &self.len).finish()
    }
}

fn nonce(index: u64) -> XNonce {
    let mut nonce = [0u8; 24];
    nonce[..8].copy_from_slice(&index.to_le_bytes());
    XNonce::from(nonce)
}

fn damaged() -> StoreError {
    StoreError::io(
        "a temporary upload file",
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it was changed or cut short while the upload arrived",
        ),
    )
}

impl Spool {
    /// A new, empty spool in `dir` (a private folder: the data folder, or
    /// the system's temporary folder on a hosted server).
    pub fn create_in(dir: &Path) -> Result<Spool, StoreError> {
        let key = Zeroizing::new(random_bytes::<32>()?);
        let name: [u8; 8] = random_bytes()?;
        let path = dir.join(format!(".upload-{}.tmp", hex::encode(name)));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| StoreError::io("a temporary upload file", e))?;
        Ok(Spool {
            path,
            file: BufWriter::new(file),
            cipher: XChaCha20Poly1305::new(&Key::from(*key)),
            pending: Zeroizing::new(Vec::with_capacity(CHUNK)),
            chunks: 0,
            len: 0,
        })
    }

    /// Plain bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `bytes`; every full chunk is sealed and written at once.
    pub fn write(&mut self, mut bytes: &[u8]) -> Result<(), StoreError> {
        self.len += bytes.len() as u64;
        while !bytes.is_empty() {
            let room = CHUNK - self.pending.len();
            let take = room.min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == CHUNK {
                self.seal_pending(MIDDLE)?;
            }
        }
        Ok(())
    }

    fn seal_pending(&mut self, aad: &[u8]) -> Result<(), StoreError> {
        let sealed = self
            .cipher
            .encrypt(
                &nonce(self.chunks),
                Payload {
                    msg: &self.pending,
                    aad,
                },
            )
            .map_err(|_| damaged())?;
        let len = u32::try_from(sealed.len()).map_err(|_| damaged())?;
        self.file
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.file.write_all(&sealed))
            .map_err(|e| StoreError::io("a temporary upload file", e))?;
        self.chunks += 1;
        self.pending.clear();
        Ok(())
    }

    /// Every byte written, decrypted, in one buffer wiped when dropped.
    /// Refuses a file changed, reordered or cut short on disk.
    pub fn read_all(mut self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        self.seal_pending(LAST)?;
        self.file
            .flush()
            .map_err(|e| StoreError::io("a temporary upload file", e))?;
        self.read_back()
    }

    /// Decrypts the `chunks` sealed chunks on disk, the last marked so.
    fn read_back(&mut self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let io = |e| StoreError::io("a temporary upload file", e);
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut reader = BufReader::new(&*file);
        let mut out = Zeroizing::new(Vec::with_capacity(
            usize::try_from(self.len).map_err(|_| damaged())?,
        ));
        for index in 0..self.chunks {
            let mut len = [0u8; 4];
            reader.read_exact(&mut len).map_err(|_| damaged())?;
            let len = u32::from_le_bytes(len) as usize;
            if !(TAG..=CHUNK + TAG).contains(&len) {
                return Err(damaged());
            }
            let mut sealed = vec![0u8; len];
            reader.read_exact(&mut sealed).map_err(|_| damaged())?;
            let aad = if index + 1 == self.chunks {
                LAST
            } else {
                MIDDLE
            };
            let plain = Zeroizing::new(
                self.cipher
                    .decrypt(&nonce(index), Payload { msg: &sealed, aad })
                    .map_err(|_| damaged())?,
            );
            out.extend_from_slice(&plain);
        }
        if out.len() as u64 != self.len {
            return Err(damaged());
        }
        Ok(out)
    }

    /// Where the sealed bytes are (for tests that inspect or damage them).
    #[doc(hidden)]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        // Sealed under a key that is gone with this value: removing the file
        // only tidies up, so a failure here is no leak.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spool_of(dir: &Path, pieces: &[&[u8]]) -> Spool {
        let mut spool = Spool::create_in(dir).unwrap();
        for piece in pieces {
            spool.write(piece).unwrap();
        }
        spool
    }

    #[test]
    fn what_is_written_reads_back_and_the_file_goes() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"[01/02/2024, 10:00:00] Sam: a private line\n".repeat(1_000);
        let spool = spool_of(dir.path(), &[&text[..1000], &text[1000..]]);
        let path = spool.path().to_path_buf();
        assert!(path.exists());
        assert_eq!(spool.len(), text.len() as u64);
        assert_eq!(&spool.read_all().unwrap()[..], &text[..]);
        assert!(!path.exists(), "the spool file is removed when done");
    }

    #[test]
    fn nothing_of_the_text_is_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let canary = b"CANARY-the-secret-words-".repeat(1_000);
        let mut spool = spool_of(dir.path(), &[&canary]);
        spool.file.flush().unwrap();
        let on_disk = std::fs::read(spool.path()).unwrap();
        assert!(
            on_disk.len() >= CHUNK,
            "full chunks are written as they fill"
        );
        assert!(
            !on_disk
                .windows(24)
                .any(|w| w == b"CANARY-the-secret-words-"),
            "plain text reached the disk"
        );
        let mode = std::fs::metadata(spool.path()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn an_empty_spool_reads_back_empty() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::create_in(dir.path()).unwrap();
        assert!(spool.is_empty());
        assert!(spool.read_all().unwrap().is_empty());
    }

    /// A file cut after a whole chunk (so the last-chunk mark is gone)
    /// or with a byte changed is refused, never read short.
    #[test]
    fn a_damaged_or_cut_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let data = vec![7u8; CHUNK * 2 + 10];
        for damage in ["cut", "flip"] {
            let mut spool = spool_of(dir.path(), &[&data]);
            spool.seal_pending(LAST).unwrap();
            spool.file.flush().unwrap();
            let file = OpenOptions::new().write(true).open(spool.path()).unwrap();
            if damage == "cut" {
                // Only the first chunk stays, whole but not marked last;
                // the spool is told that is all it wrote.
                file.set_len((4 + CHUNK + TAG) as u64).unwrap();
                spool.chunks = 1;
                spool.len = CHUNK as u64;
            } else {
                use std::os::unix::fs::FileExt;
                file.write_at(&[0xff], 100).unwrap();
            }
            assert!(
                spool.read_back().is_err(),
                "{damage}: damage was not noticed"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_pieces_read_back_exactly(
            pieces in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..10_000), 0..12)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
            let spool = spool_of(dir.path(), &refs);
            let whole: Vec<u8> = pieces.concat();
            prop_assert_eq!(&spool.read_all().unwrap()[..], &whole[..]);
        }
    }
}
