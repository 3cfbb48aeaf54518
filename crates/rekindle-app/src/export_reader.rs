//! An export file read in pieces ([`rekindle_chat::stream`]): `rekindle
//! analyze`, `import` and `convert` of a big WhatsApp export never hold the
//! whole file, so their peak memory is what they keep per message and one
//! piece, not the file as well. Other exports are read whole, as
//! [`crate::import::read_export_file`] reads them. For an import it is an
//! [`crate::import::ExportSource`] (read twice: to check, then to store).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rekindle_chat::stream::{ReadError, Scanned};
use rekindle_chat::{MessageRef, ParseOptions, Summary};

use crate::import::{ImportError, MAX_FILE_BYTES, checked_export_path, unreadable};

/// An export file after its first reading, ready to be parsed.
#[derive(Debug)]
pub struct ScannedExport {
    path: PathBuf,
    file: Capped,
    scanned: Scanned,
}

/// Opens the export file at `path` (with the checks of
/// [`crate::import::read_export_file`]) and reads it once: see
/// [`rekindle_chat::stream::scan`].
pub fn scan_export_file(path: &Path, opts: &ParseOptions) -> Result<ScannedExport, ImportError> {
    checked_export_path(path)?;
    let file = File::open(path).map_err(|e| unreadable(path, &e))?;
    let mut file = Capped { file, at: 0 };
    // A second reader lets a big export be read in two halves at once.
    let second = File::open(path).ok().map(|file| Capped { file, at: 0 });
    let scanned =
        rekindle_chat::stream::scan(&mut file, second, opts).map_err(|e| unreadable(path, &e))?;
    Ok(ScannedExport {
        path: path.to_path_buf(),
        file,
        scanned,
    })
}

impl ScannedExport {
    /// Every message of the export, in order, handed to `sink` (as often as
    /// asked: an import reads it twice).
    pub fn parse(
        &mut self,
        opts: &ParseOptions,
        sink: &mut dyn FnMut(MessageRef<'_>),
    ) -> Result<Summary, ImportError> {
        self.scanned
            .parse(&mut self.file, opts, sink)
            .map_err(|e| match e {
                ReadError::Parse(e) => ImportError::from(e),
                ReadError::Io(e) => unreadable(&self.path, &e),
                changed @ ReadError::Changed => ImportError::Input(changed.to_string()),
            })
    }
}

/// A file that refuses to be read past [`MAX_FILE_BYTES`] (one that grows
/// while it is read is not read on and on).
#[derive(Debug)]
struct Capped {
    file: File,
    at: u64,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.at += n as u64;
        if self.at > MAX_FILE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "larger than any chat export rekindle reads (1024 MB)",
            ));
        }
        Ok(n)
    }
}

impl Seek for Capped {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.at = self.file.seek(to)?;
        Ok(self.at)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse_file(path: &Path) -> Result<(usize, Summary), ImportError> {
        let opts = ParseOptions::default();
        let mut scanned = scan_export_file(path, &opts)?;
        let mut n = 0;
        let summary = scanned.parse(&opts, &mut |_| n += 1)?;
        Ok((n, summary))
    }

    #[test]
    fn a_big_export_file_reads_as_the_whole_file_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.txt");
        let mut text = String::new();
        for i in 0..40_000 {
            text.push_str(&format!(
                "{:02}/03/2024, 10:{:02} - {}: message number {i}\n",
                1 + i / 2000,
                i % 60,
                if i % 2 == 0 { "Ana" } else { "Alex" }
            ));
        }
        std::fs::write(&path, &text).unwrap();
        assert!(text.len() > rekindle_chat::stream::PIECE_BYTES);
        let (n, summary) = parse_file(&path).unwrap();
        let (want, want_summary) =
            rekindle_chat::parse_to_vec(text.as_bytes(), &ParseOptions::default()).unwrap();
        assert_eq!(n, want.len());
        assert_eq!(summary, want_summary);
    }

    #[test]
    fn a_file_read_past_the_limit_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.txt");
        std::fs::write(&path, "x").unwrap();
        let mut file = Capped {
            file: File::open(&path).unwrap(),
            at: MAX_FILE_BYTES,
        };
        let e = file.read(&mut [0u8; 8]).unwrap_err();
        let err = unreadable(&path, &e).to_string();
        assert!(err.contains("grew larger than any chat export"), "{err}");
    }

    #[test]
    fn a_missing_file_or_a_folder_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let err = parse_file(&dir.path().join("nope.txt"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("there is no such file"), "{err}");
        let err = parse_file(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is a folder"), "{err}");
    }
}
