//! A classified chat as bytes: what the analysis needs of every message
//! (time, sender, tone, flags, horsemen, topics; never the text), so a stored
//! chat is analysed again without reading and classifying every message
//! (issue 14: the first post-mortem view of a million messages in under a
//! second). The bytes are stored in the vault, encrypted like everything
//! else; reading them back checks every length and value, so a damaged or
//! foreign blob is an error, never a panic or a wrong analysis.
//!
//! Layout (little-endian): `RKP1`, the fingerprint it was made under (u64),
//! the negative share (f64), the sender names and topic names (each a u32
//! count, then u32-length-prefixed UTF-8), the boundaries (u32 count, then
//! u32 row + u8 kind), the rows (u32 count, then 20 bytes each).

use std::hash::{Hash, Hasher};

use crate::boundary::BoundaryKind;
use crate::lexicon::Lexicons;
use crate::prepared::{Prepared, Row};

const MAGIC: &[u8; 4] = b"RKP1";
/// Limits far above any real chat, so a damaged length cannot ask for
/// gigabytes before the bytes run out.
const MAX_NAMES: u32 = 1 << 16;
const MAX_NAME_BYTES: u32 = 1 << 16;

/// Why stored bytes are not a snapshot this version can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("the stored analysis is not in a form this version reads")]
    Format,
    #[error("the stored analysis is cut short or damaged")]
    Damaged,
}

/// Raised whenever a rule changes what a stored row says (its flags or
/// horsemen), so that snapshots made by the old rules are made again; the
/// crate's version alone does not move between releases. 2: `playful`; 3:
/// the learned boundary layer reads messages with a prefilter piece; 4: the
/// boundary phrases of session 13 (endings in plain words, stepping back,
/// "over text", "don't call me <name>", a block before a request); 5: "who
/// asked" after a person is no contempt, "very mature" / "so mature" at the
/// end of a clause are; 6: a row's word count carries whom the message speaks
/// of (shared vents); 7: sarcastic idioms ("wow. classy", "deserve each other");
/// 8: quoted, relayed and mocked apologies are none, "i wanted to say sorry"
/// is one, passive aggression in polite words, "leave me alone tonight" is a
/// request for time (session 14); 9: "one more … and we're done" is no ending,
/// "please stop messaging" asks for no contact, mock thanks and condescension
/// idioms (session 15); 10: a run of hostile messages in an easy exchange is
/// no argument (the exchange model, session 16); 11: "i need some time",
/// "time without you", "stop seeing each other" and kin are boundaries (session 16).
const RULES_REVISION: u32 = 11;

/// What a snapshot depends on besides the messages: the classifier's models
/// and rules (this crate's version, [`RULES_REVISION`] and its model files) and the word lists.
/// A snapshot made under another fingerprint is made again.
pub fn fingerprint(lexicons: &Lexicons) -> u64 {
    // FNV-1a: stable across runs and platforms (std's hasher is not promised to be).
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    RULES_REVISION.hash(&mut h);
    crate::learned::MODEL_TEXT.hash(&mut h);
    crate::learned::EMPATH_TEXT.hash(&mut h);
    crate::pressure_learned::MODEL_TEXT.hash(&mut h);
    crate::horsemen_learned::MODEL_TEXT.hash(&mut h);
    crate::boundary_learned::MODEL_TEXT.hash(&mut h);
    for name in lexicons.topic_names() {
        name.hash(&mut h);
        lexicons.topic_entries(name).hash(&mut h);
    }
    lexicons.ignored().hash(&mut h);
    h.finish()
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl Prepared {
    /// The snapshot bytes, made under `fingerprint` ([`fingerprint`]).
    pub fn to_bytes(&self, fingerprint: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.rows.len() * Row::BYTES);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&fingerprint.to_le_bytes());
        out.extend_from_slice(&self.negative_share.to_le_bytes());
        for list in [&self.names, &self.topics] {
            out.extend_from_slice(&(list.len() as u32).to_le_bytes());
            for s in list {
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
        out.extend_from_slice(&(self.boundaries.len() as u32).to_le_bytes());
        for (row, kind) in &self.boundaries {
            out.extend_from_slice(&row.to_le_bytes());
            out.push(kind_code(*kind));
        }
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        for r in &self.rows {
            r.write(&mut out);
        }
        out
    }

    /// Reads a snapshot; `Ok(None)` when it was made under another
    /// fingerprint (a model, a rule or a word list changed: make it again).
    pub fn from_bytes(bytes: &[u8], fingerprint: u64) -> Result<Option<Prepared>, SnapshotError> {
        let mut r = Reader(bytes);
        if r.take(4)? != MAGIC {
            return Err(SnapshotError::Format);
        }
        if r.u64()? != fingerprint {
            return Ok(None);
        }
        let negative_share = f64::from_le_bytes(r.array()?);
        if !(0.0..=1.0).contains(&negative_share) {
            return Err(SnapshotError::Damaged);
        }
        let names = r.strings()?;
        let topics = r.strings()?;
        let n = r.u32()?;
        let mut boundaries = Vec::new();
        for _ in 0..n {
            let row = r.u32()?;
            let kind = kind_of(r.take(1)?[0])?;
            boundaries.push((row, kind));
        }
        let n = r.u32()? as usize;
        if r.0.len() != n.checked_mul(Row::BYTES).ok_or(SnapshotError::Damaged)? {
            return Err(SnapshotError::Damaged);
        }
        let mut rows = Vec::with_capacity(n);
        for chunk in r.0.chunks_exact(Row::BYTES) {
            let row = Row::read(chunk).ok_or(SnapshotError::Damaged)?;
            if row.sender_index().is_some_and(|s| s >= names.len()) {
                return Err(SnapshotError::Damaged);
            }
            rows.push(row);
        }
        if boundaries
            .iter()
            .any(|(row, _)| *row as usize >= rows.len())
        {
            return Err(SnapshotError::Damaged);
        }
        Ok(Some(Prepared {
            names,
            topics,
            rows,
            negative_share,
            boundaries,
        }))
    }
}

fn kind_code(k: BoundaryKind) -> u8 {
    match k {
        BoundaryKind::Ended => 0,
        BoundaryKind::NoContact => 1,
        BoundaryKind::Space => 2,
        BoundaryKind::Blocked => 3,
    }
}

fn kind_of(b: u8) -> Result<BoundaryKind, SnapshotError> {
    Ok(match b {
        0 => BoundaryKind::Ended,
        1 => BoundaryKind::NoContact,
        2 => BoundaryKind::Space,
        3 => BoundaryKind::Blocked,
        _ => return Err(SnapshotError::Damaged),
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        if self.0.len() < n {
            return Err(SnapshotError::Damaged);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        self.take(N)?.try_into().map_err(|_| SnapshotError::Damaged)
    }
    fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn strings(&mut self) -> Result<Vec<String>, SnapshotError> {
        let n = self.u32()?;
        if n > MAX_NAMES {
            return Err(SnapshotError::Damaged);
        }
        let mut out = Vec::new();
        for _ in 0..n {
            let len = self.u32()?;
            if len > MAX_NAME_BYTES {
                return Err(SnapshotError::Damaged);
            }
            let s = std::str::from_utf8(self.take(len as usize)?)
                .map_err(|_| SnapshotError::Damaged)?;
            out.push(s.to_string());
        }
        Ok(out)
    }
}

/// What the `snapshot` fuzz target (fuzz/fuzz_targets/snapshot.rs) and its
/// regression test check for any bytes: reading never panics; bytes that
/// read as a snapshot write back to bytes that read the same, and the whole
/// analysis runs over them without a panic. The fingerprint is taken from
/// the bytes themselves so a fuzzer need not guess it.
#[doc(hidden)]
pub fn fuzz_check(data: &[u8]) {
    let fingerprint = data
        .get(4..12)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0);
    let Ok(Some(prepared)) = Prepared::from_bytes(data, fingerprint) else {
        return;
    };
    let again = prepared.to_bytes(fingerprint);
    match Prepared::from_bytes(&again, fingerprint) {
        Ok(Some(back)) => assert_eq!(back.to_bytes(fingerprint), again, "round trip"),
        Ok(None) | Err(_) => panic!("a snapshot's own bytes did not read back"),
    }
    let who = crate::Who {
        me: prepared.senders().first().cloned(),
        ex: prepared.senders().get(1).cloned(),
    };
    let opts = crate::AnalysisOptions::default();
    let _ = crate::analyze_prepared(&prepared, &who, &opts);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{AnalysisOptions, Who, analyze_prepared};
    use rekindle_chat::{Message, MessageKind};

    fn chat() -> Vec<Message> {
        let at = |d: i8, h: i8| jiff::civil::date(2024, 3, d).at(h, 0, 0, 0);
        let m = |d, h, who: &str, text: &str| Message {
            time: at(d, h),
            offset_seconds: Some(3600),
            sender: Some(who.to_string()),
            text: text.to_string(),
            kind: MessageKind::Text,
        };
        vec![
            m(1, 9, "Sam", "good morning love"),
            m(1, 10, "Alex", "you always do this, you never listen"),
            m(1, 10, "Sam", "whatever"),
            m(2, 20, "Alex", "I had a drink too many, sorry"),
            m(3, 8, "Sam", "please don't contact me again"),
        ]
    }

    #[test]
    fn a_snapshot_reads_back_to_the_same_analysis() {
        let lex = Lexicons::built_in();
        let p = Prepared::from_messages(&chat(), &lex);
        let f = fingerprint(&lex);
        let bytes = p.to_bytes(f);
        let back = Prepared::from_bytes(&bytes, f).unwrap().unwrap();
        let who = Who {
            me: Some("Sam".into()),
            ex: Some("Alex".into()),
        };
        let opts = AnalysisOptions::default();
        assert_eq!(
            serde_json::to_value(analyze_prepared(&p, &who, &opts)).unwrap(),
            serde_json::to_value(analyze_prepared(&back, &who, &opts)).unwrap()
        );
        assert_eq!(back.to_bytes(f), bytes);
    }

    #[test]
    fn another_fingerprint_means_make_it_again() {
        let lex = Lexicons::built_in();
        let p = Prepared::from_messages(&chat(), &lex);
        let bytes = p.to_bytes(7);
        assert!(Prepared::from_bytes(&bytes, 8).unwrap().is_none());
        // Word lists are part of the fingerprint.
        let more =
            Lexicons::with_user_files(Lexicons::built_in(), &[("cats.txt", "cat\nkitten\n")]);
        assert_ne!(fingerprint(&lex), fingerprint(&more));
        assert_eq!(fingerprint(&lex), fingerprint(&Lexicons::built_in()));
    }

    #[test]
    fn damaged_bytes_are_an_error_never_a_panic() {
        let lex = Lexicons::built_in();
        let f = fingerprint(&lex);
        let bytes = Prepared::from_messages(&chat(), &lex).to_bytes(f);
        assert_eq!(
            Prepared::from_bytes(b"", f).unwrap_err(),
            SnapshotError::Damaged
        );
        assert_eq!(
            Prepared::from_bytes(b"XXXX", f).unwrap_err(),
            SnapshotError::Format
        );
        for cut in 0..bytes.len() {
            assert!(
                Prepared::from_bytes(&bytes[..cut], f).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Prepared::from_bytes(&longer, f).is_err());
    }
}
