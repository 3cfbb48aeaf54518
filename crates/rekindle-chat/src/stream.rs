//! A WhatsApp export read in pieces from a reader, so that a big file is
//! never whole in memory (`rekindle analyze` of an 80 MB export held the
//! 80 MB for the whole parse; read in pieces it holds one piece).
//!
//! Day/month order is decided from the whole file before the first message
//! can be handed out (see the WhatsApp parser), so the file is read twice: once
//! by [`scan`] for the evidence of its dates (and to check it is UTF-8), once
//! by [`Scanned::parse`] for the messages. Every piece ends at a line break;
//! a message that goes on past the end of a piece is read again, whole, with
//! the next one. The messages, their order, warnings and skipped lines are
//! exactly those of [`crate::parse`] on the whole file (tested). Given a
//! second reader of the same file, [`scan`] reads a big export's two halves
//! at once (the second from the first line break past the middle) and joins
//! their evidence as one reading would.
//!
//! Anything else (a zip, another format, UTF-16, bytes that are not UTF-8,
//! a file smaller than one piece) is read whole and parsed as before.

use std::io::{self, Read, Seek, SeekFrom};

use crate::whatsapp::{self, Evidence, Lines};
use crate::{Format, ParseError, ParseOptions, Stats, Summary};

/// Bytes read at a time (it stays in the cache between the read and the parse).
pub const PIECE_BYTES: usize = 1 << 20;

/// Why [`Scanned::parse`] could not read the messages.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The export itself (as from [`crate::parse`]).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Reading the file failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The file was not the same in the second reading as in the first.
    #[error(
        "The file changed while it was being read (is the phone or another program still writing it?). Wait until it is saved and try again."
    )]
    Changed,
}

/// What [`scan`] found.
#[derive(Debug)]
pub enum Scanned {
    /// A WhatsApp export in UTF-8, to be read again in pieces.
    Pieces(Pieces),
    /// Anything else, read whole (and [`crate::prepare`]d), to be parsed as
    /// [`crate::parse`] does.
    Whole(crate::Prepared),
}

/// What the first reading of a WhatsApp export keeps for the second.
#[derive(Debug)]
pub struct Pieces {
    piece: usize,
    evidence: Evidence,
    /// Length of a UTF-8 byte order mark at the start (0 or 3).
    bom: usize,
    /// Bytes after the byte order mark.
    len: u64,
    /// The first line that is not blank and its number, for the errors that
    /// name it ([`whatsapp::no_header`]).
    first_line: (usize, String),
}

/// Below this size a file is read by one thread only.
const SPLIT_BYTES: u64 = 8 << 20;

/// The first reading of an export from `reader` (at its start), in pieces of
/// [`PIECE_BYTES`]. `second`, another reader of the same file, lets a big
/// export be read in two halves at once: until the first reading is done no
/// message can be handed out, so the other core would sit idle.
pub fn scan<R: Read + Seek + Send>(
    reader: &mut R,
    second: Option<R>,
    opts: &ParseOptions,
) -> io::Result<Scanned> {
    let split = second.filter(|_| std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2);
    scan_in_pieces(reader, split, opts, PIECE_BYTES, SPLIT_BYTES)
}

/// [`scan`] with pieces of `piece` bytes (at least 64), reading a file of at
/// least `split_bytes` in two halves when `second` is given (for tests).
#[doc(hidden)]
pub fn scan_in_pieces<R: Read + Seek + Send>(
    reader: &mut R,
    second: Option<R>,
    opts: &ParseOptions,
    piece: usize,
    split_bytes: u64,
) -> io::Result<Scanned> {
    let piece = piece.max(64);
    let mut buf = vec![0u8; piece];
    let filled = fill(reader, &mut buf)?;
    let head = &buf[..filled];
    let whole_file = filled < piece;
    let other_format = opts.format.is_some_and(|f| f != Format::WhatsApp);
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let utf16 = bom == 0 && crate::decode::looks_utf16(head);
    if whole_file || other_format || crate::is_zip(head) || utf16 {
        return whole(reader, buf, filled);
    }
    // The head must say WhatsApp by itself, exactly as the whole file would:
    // detection reads the first fifty lines that are not blank.
    let Some(lines_end) = memchr::memrchr(b'\n', head).map(|nl| nl + 1) else {
        return whole(reader, buf, filled);
    };
    let Ok(text) = simdutf8::basic::from_utf8(&head[bom..lines_end]) else {
        return whole(reader, buf, filled);
    };
    let detected = match opts.format {
        Some(_) => true,
        None => matches!(crate::detect_text(text), Ok(Format::WhatsApp)),
    };
    let (line, first) = crate::first_nonblank_line(text);
    if !detected || first.trim().is_empty() {
        return whole(reader, buf, filled);
    }
    let first_line = (line, first.to_string());
    let evidence = whatsapp::gather_lines(text.as_bytes());
    let head_len = (lines_end - bom) as u64;
    // The second half starts at the first line break after the middle of the file.
    let split = match second {
        Some(other) => split_point(reader, filled as u64, split_bytes)?.map(|at| (other, at)),
        None => None,
    };
    let rest = match split {
        None => read_rest(reader, buf, filled, lines_end)?,
        Some((mut other, at)) => std::thread::scope(|scope| {
            let later = scope.spawn(move || {
                other.seek(SeekFrom::Start(at))?;
                read_rest(&mut other, vec![0u8; piece], 0, 0)
            });
            let mut first_half = (&mut *reader).take(at - filled as u64);
            let early = read_rest(&mut first_half, buf, filled, lines_end);
            let later = later
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the second reader stopped")));
            Ok::<_, io::Error>(match (early?, later?) {
                (Some(a), Some(b)) => Some((a.0.then(b.0), a.1 + b.1)),
                _ => None,
            })
        })?,
    };
    let Some((rest_evidence, rest_len)) = rest else {
        // Read whole, the lines that are not UTF-8 are reported as before.
        reader.seek(SeekFrom::Start(0))?;
        return whole(reader, Vec::new(), 0);
    };
    Ok(Scanned::Pieces(Pieces {
        piece,
        evidence: evidence.then(rest_evidence),
        bom,
        len: head_len + rest_len,
        first_line,
    }))
}

/// Where the second half of a file of at least `split_bytes` starts: just
/// after the first line break past its middle (`None` for a smaller file, or
/// when no line ends in the 64 KiB after the middle). `reader` is left at `at`.
fn split_point<R: Read + Seek>(
    reader: &mut R,
    at: u64,
    split_bytes: u64,
) -> io::Result<Option<u64>> {
    let size = reader.seek(SeekFrom::End(0))?;
    let middle = size / 2;
    let mut found = None;
    if size >= split_bytes && middle > at {
        reader.seek(SeekFrom::Start(middle))?;
        let mut window = vec![0u8; (64 << 10).min((size - middle) as usize)];
        let got = fill(reader, &mut window)?;
        found = memchr::memchr(b'\n', &window[..got])
            .map(|nl| middle + nl as u64 + 1)
            .filter(|&split| split < size);
    }
    reader.seek(SeekFrom::Start(at))?;
    Ok(found)
}

/// Reads `reader` to its end in pieces of whole lines, the first piece being
/// `buf[start..filled]` and what follows: the evidence of their dates and
/// their length, or `None` when some piece is not UTF-8.
fn read_rest<R: Read>(
    reader: &mut R,
    mut buf: Vec<u8>,
    mut filled: usize,
    mut start: usize,
) -> io::Result<Option<(whatsapp::Evidence, u64)>> {
    let mut evidence = whatsapp::Evidence::default();
    let mut len = 0u64;
    loop {
        // The line begun at the end of the last piece first, then more bytes.
        buf.copy_within(start..filled, 0);
        filled -= start;
        let got = fill(reader, &mut buf[filled..])?;
        filled += got;
        let at_end = filled < buf.len();
        let end = if at_end {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(nl) => nl + 1,
                // One line longer than the piece: a bigger piece.
                None => {
                    buf.resize(buf.len() * 2, 0);
                    start = 0;
                    continue;
                }
            }
        };
        if simdutf8::basic::from_utf8(&buf[..end]).is_err() {
            return Ok(None);
        }
        evidence = evidence.then(whatsapp::gather_lines(&buf[..end]));
        len += end as u64;
        if at_end {
            return Ok(Some((evidence, len)));
        }
        start = end;
    }
}

impl Scanned {
    /// The second reading: every message of the export, in order, handed to
    /// `sink`, from `reader` (the one [`scan`] read; it is rewound here, so
    /// the export may be read again).
    pub fn parse<R: Read + Seek>(
        &self,
        reader: &mut R,
        opts: &ParseOptions,
        sink: &mut dyn FnMut(crate::MessageRef<'_>),
    ) -> Result<Summary, ReadError> {
        let pieces = match self {
            Scanned::Whole(part) => {
                return Ok(crate::parse_many(std::slice::from_ref(part), opts, sink)?);
            }
            Scanned::Pieces(p) => p,
        };
        // The errors name the first line that is not blank, as the whole file's parse does.
        let named_error =
            |error: fn(usize, &str) -> ParseError| error(pieces.first_line.0, &pieces.first_line.1);
        let mut stats = Stats::new();
        crate::note_unneeded_choice(Format::WhatsApp, &opts.chat, &mut stats);
        let plan = whatsapp::plan(&pieces.evidence, opts, &mut stats)
            .ok_or_else(|| named_error(whatsapp::no_header_at))?;
        let mut lines = Lines::new(plan);
        reader.seek(SeekFrom::Start(pieces.bom as u64))?;
        let mut buf = vec![0u8; pieces.piece];
        let mut filled = 0;
        let mut read = 0u64;
        loop {
            let got = fill(reader, &mut buf[filled..])?;
            read += got as u64;
            filled += got;
            let at_end = filled < buf.len();
            let end = if at_end {
                filled
            } else {
                memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |nl| nl + 1)
            };
            let text = simdutf8::basic::from_utf8(&buf[..end]).map_err(|_| ReadError::Changed)?;
            let done = lines.feed(text, at_end, &mut stats, sink);
            if at_end {
                break;
            }
            if done == 0 {
                // One message longer than the piece: a bigger piece.
                buf.resize(buf.len() * 2, 0);
            }
            buf.copy_within(done..filled, 0);
            filled -= done;
        }
        if read != pieces.len {
            return Err(ReadError::Changed);
        }
        lines
            .finish(&stats)
            .map_err(|()| named_error(whatsapp::no_message_at))?;
        Ok(stats.finish(Format::WhatsApp))
    }
}

/// The rest of the file after the first `filled` bytes of `buf`, all of it.
fn whole<R: Read>(reader: &mut R, mut buf: Vec<u8>, filled: usize) -> io::Result<Scanned> {
    buf.truncate(filled);
    reader.read_to_end(&mut buf)?;
    Ok(Scanned::Whole(crate::prepare(buf)))
}

/// Reads until `buf` is full or the reader ends; the bytes read.
fn fill<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Cursor;

    use super::*;
    use crate::{Message, parse_to_vec};

    /// A chat of `n` messages, one of them over several lines.
    fn export(n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            let (day, minute) = (1 + i / 600, i % 600);
            let who = if i % 3 == 0 { "Ana" } else { "Alex" };
            s.push_str(&format!(
                "{day:02}/03/2024, {:02}:{:02} - {who}: message {i}\n",
                minute / 60,
                minute % 60
            ));
            if i % 7 == 0 {
                s.push_str("and a second line\nand a third\n");
            }
        }
        s
    }

    fn in_pieces(bytes: &[u8], piece: usize) -> (Result<(Vec<Message>, Summary), String>, bool) {
        read_with(bytes, piece, false)
    }

    /// As [`in_pieces`], read in two halves at once (any size splits).
    fn in_halves(bytes: &[u8], piece: usize) -> (Result<(Vec<Message>, Summary), String>, bool) {
        read_with(bytes, piece, true)
    }

    fn read_with(
        bytes: &[u8],
        piece: usize,
        halves: bool,
    ) -> (Result<(Vec<Message>, Summary), String>, bool) {
        let opts = ParseOptions::default();
        let mut reader = Cursor::new(bytes);
        let second = halves.then(|| Cursor::new(bytes));
        let scanned = scan_in_pieces(&mut reader, second, &opts, piece, 0).unwrap();
        let pieces = matches!(scanned, Scanned::Pieces(_));
        let mut got = Vec::new();
        let summary = scanned.parse(&mut reader, &opts, &mut |m| got.push(Message::from(m)));
        (summary.map(|s| (got, s)).map_err(|e| e.to_string()), pieces)
    }

    fn whole(bytes: &[u8]) -> Result<(Vec<Message>, Summary), String> {
        parse_to_vec(bytes, &ParseOptions::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn an_export_read_in_two_halves_is_read_as_whole() {
        // Day-first evidence only late in the second half, ambiguous dates
        // across the split: the halves' evidence must join as one reading.
        let mut text = export(3_000);
        text.push_str("25/03/2024, 10:00 - Ana: late\n");
        let (got, pieces) = in_halves(text.as_bytes(), 1024);
        assert!(pieces);
        let got = got.unwrap();
        assert_eq!(got.0.len(), 3_001);
        assert_eq!(got, whole(text.as_bytes()).unwrap());
        assert_eq!(got, in_pieces(text.as_bytes(), 1024).0.unwrap());
    }

    #[test]
    fn a_line_that_is_not_utf8_in_the_second_half_is_reported_as_when_read_whole() {
        let text = export(3_000);
        let mut bytes = text.into_bytes();
        let at = bytes.len() * 3 / 4;
        bytes[at] = 0xFF;
        let (got, pieces) = in_halves(&bytes, 1024);
        assert!(!pieces, "read whole");
        assert_eq!(got, whole(&bytes));
    }

    #[test]
    fn a_big_export_is_read_in_pieces_as_it_is_read_whole() {
        let text = export(2_000);
        let (got, pieces) = in_pieces(text.as_bytes(), 4096);
        assert!(pieces);
        let got = got.unwrap();
        assert_eq!(got.0.len(), 2_000);
        assert_eq!(got, whole(text.as_bytes()).unwrap());
    }

    #[test]
    fn an_export_may_be_read_again() {
        let opts = ParseOptions::default();
        for text in [export(2_000), export(20)] {
            let mut reader = Cursor::new(text.as_bytes());
            let scanned = scan_in_pieces(&mut reader, None, &opts, 1024, u64::MAX).unwrap();
            let mut read = || {
                let mut got = Vec::new();
                let summary =
                    scanned.parse(&mut reader, &opts, &mut |m| got.push(Message::from(m)));
                (got, summary.unwrap())
            };
            let first = read();
            assert_eq!(read(), first);
            assert_eq!(first, whole(text.as_bytes()).unwrap());
        }
    }

    #[test]
    fn a_message_longer_than_a_piece_is_read_whole() {
        let long = "x".repeat(300);
        let mut text = export(50);
        text.push_str("20/03/2024, 10:00 - Ana: start\n");
        for _ in 0..40 {
            text.push_str(&long);
            text.push('\n');
        }
        text.push_str(&format!("20/03/2024, 10:01 - Alex: {long}{long}{long}\n"));
        text.push_str(&export(20));
        let (got, pieces) = in_pieces(text.as_bytes(), 256);
        assert!(pieces);
        let got = got.unwrap();
        assert_eq!(got, whole(text.as_bytes()).unwrap());
        assert!(got.0.iter().any(|m| m.text.len() > 40 * 300));
    }

    #[test]
    fn other_files_are_read_whole() {
        let text = export(300);
        // Smaller than a piece.
        let (got, pieces) = in_pieces(text.as_bytes(), 1 << 20);
        assert!(!pieces);
        assert_eq!(got.unwrap(), whole(text.as_bytes()).unwrap());
        // UTF-16 without a byte order mark.
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (got, pieces) = in_pieces(&utf16, 1024);
        assert!(!pieces);
        assert_eq!(got.unwrap(), whole(&utf16).unwrap());
        // A CSV export.
        let mut csv = String::from("time,sender,text\n");
        for i in 0..200 {
            csv.push_str(&format!("2024-03-01T10:{:02}:00,Ana,hello {i}\n", i % 60));
        }
        let (got, pieces) = in_pieces(csv.as_bytes(), 512);
        assert!(!pieces);
        assert_eq!(got.unwrap(), whole(csv.as_bytes()).unwrap());
    }

    #[test]
    fn a_line_that_is_not_utf8_is_reported_as_when_read_whole() {
        let mut bytes = export(300).into_bytes();
        let at = bytes.len() / 2;
        let nl = at + bytes[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
        bytes.splice(
            nl..nl,
            b"01/03/2024, 09:00 - Ana: caf\xe9\n".iter().copied(),
        );
        let (got, pieces) = in_pieces(&bytes, 1024);
        assert!(!pieces);
        let got = got.unwrap();
        assert_eq!(got.1.skipped_count, 1);
        assert_eq!(got, whole(&bytes).unwrap());
    }

    #[test]
    fn an_export_without_a_readable_date_fails_as_when_read_whole() {
        let mut text = String::from("\n\nhello\n");
        for _ in 0..100 {
            text.push_str("31/02/2021, 25:61 - Ana: no such time\n");
        }
        let (got, pieces) = in_pieces(text.as_bytes(), 256);
        assert!(pieces);
        assert_eq!(got.unwrap_err(), whole(text.as_bytes()).unwrap_err());
    }

    #[test]
    fn a_file_that_changes_between_the_readings_is_refused() {
        let opts = ParseOptions::default();
        let text = export(500);
        let scan = || scan_in_pieces(&mut Cursor::new(text.as_bytes()), None, &opts, 1024, 0);
        let scanned = scan().unwrap();
        let mut longer = text.clone().into_bytes();
        longer.extend_from_slice(b"01/03/2024, 09:00 - Ana: one more\n");
        let err = scanned.parse(&mut Cursor::new(&longer), &opts, &mut |_| {});
        assert!(matches!(err, Err(ReadError::Changed)), "{err:?}");

        let scanned = scan().unwrap();
        let mut broken = text.into_bytes();
        let at = broken.len() / 2;
        broken[at] = 0xff;
        let err = scanned.parse(&mut Cursor::new(&broken), &opts, &mut |_| {});
        assert!(matches!(err, Err(ReadError::Changed)), "{err:?}");
    }
}
