//! The compact form of a chat that the analysis works on: one 20-byte [`Row`]
//! per message (time, sender, what the classifier saw in it), and no text.
//!
//! Why: a million messages as owned `Message`s take about three times the size
//! of the export, and the analysis needs none of the text once each message is
//! classified. Classifying (VADER plus the rules) is where the time goes, so it
//! runs in batches on the rayon pool while the messages are still being read
//! (from an export being parsed, or from the vault), with a bound on the batches
//! in flight so memory stays flat when the reader is faster than the classifier.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;

use jiff::civil::DateTime;
use rekindle_chat::{Message, MessageKind, MessageRef, ParseError, ParseOptions, Summary};

use crate::classify::{Compact, Weights, classify_compact};
use rayon::prelude::*;

use crate::base_rate::{self, MarginHistogram};
use crate::boundary::BoundaryKind;
use crate::classify::{ADDRESSES_YOU, NAMES_SOMEONE_ELSE};
use crate::lexicon::Lexicons;

/// Messages classified per job; big enough that scheduling is noise.
const BATCH: usize = 4096;
/// Jobs queued before the reading thread classifies a batch itself.
const MAX_IN_FLIGHT: usize = 6;
/// Row::sender when the message has none (system lines).
const NO_SENDER: u16 = u16::MAX;
/// Row::offset_minutes when the export carries no UTC offset.
const NO_OFFSET: i16 = i16::MIN;

const TEXT: u8 = 1;
const CLASSIFIED: u8 = 2;
const NEGATIVE: u8 = 4;
const REPAIR: u8 = 8;
const BID: u8 = 16;
const BREAKUP: u8 = 32;
const RULES_NEGATIVE: u8 = 64;
const PLAYFUL: u8 = 128;

/// One message as the analysis sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    /// Wall-clock time as the export shows it, in seconds since 1970 as if it
    /// were UTC: a 48-bit number in two parts, so that the row packs into 20
    /// bytes (every row is 4 MB for a million messages, and peak memory is
    /// held to 1.5 times the export's size).
    local_low: u32,
    local_high: i16,
    /// Offset from UTC in minutes, or [`NO_OFFSET`] (real offsets are whole minutes).
    offset_minutes: i16,
    /// Bit i = topic i of the lexicons (at most 32 topics).
    topics: u32,
    /// VADER compound times 10,000 (VADER rounds it to four decimals, so this is exact).
    compound: i16,
    sender: u16,
    /// Whitespace-separated words (text messages only; saturating at
    /// [`WORDS_MAX`]) in the low 14 bits; the top two are the message's
    /// `classify::Compact::addressee` bits (no room is left elsewhere in 20 bytes).
    words: u16,
    /// Bits of [`crate::Horseman::bit`] in the low four bits; the high four are
    /// the message's level (`learned::Model::level`), from which the chat's own
    /// share of negative messages decides [`NEGATIVE`] once the chat is read.
    horsemen: u8,
    flags: u8,
}

/// Most words a row counts; the bits above are the addressee's.
const WORDS_MAX: u16 = 0x3fff;
const ADDRESSEE_SHIFT: u32 = 14;

/// The horsemen's bits in [`Row::horsemen`].
const HORSEMEN_BITS: u8 = 0x0f;

/// What the classifier found in one message, decoded from a [`Row`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Seen {
    pub compound: f64,
    pub negative: bool,
    /// `negative`, or the rules alone call it negative: what conflict episodes
    /// count (see `EpisodeOptions`). Only episodes read it.
    pub heated: bool,
    pub horsemen: u8,
    pub repair: bool,
    pub bid: bool,
    pub breakup: bool,
    /// Laughter, affection or a kiss (`Compact::playful`).
    pub playful: bool,
    /// A second-person word (`classify::ADDRESSES_YOU`), read where the message may be hostile.
    pub addresses_you: bool,
    /// Someone outside the couple named (`classify::NAMES_SOMEONE_ELSE`), likewise.
    pub names_someone_else: bool,
    pub topics: u64,
}

impl Row {
    /// Bytes of a row in a snapshot (`snapshot.rs`).
    pub(crate) const BYTES: usize = 20;

    /// Appends the row's [`Row::BYTES`] bytes, little-endian.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.local_low.to_le_bytes());
        out.extend_from_slice(&self.local_high.to_le_bytes());
        out.extend_from_slice(&self.offset_minutes.to_le_bytes());
        out.extend_from_slice(&self.topics.to_le_bytes());
        out.extend_from_slice(&self.compound.to_le_bytes());
        out.extend_from_slice(&self.sender.to_le_bytes());
        out.extend_from_slice(&self.words.to_le_bytes());
        out.push(self.horsemen);
        out.push(self.flags);
    }

    /// A row from [`Row::write`]'s bytes; `None` when a value is out of range.
    pub(crate) fn read(b: &[u8]) -> Option<Row> {
        let u16_at = |i: usize| Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?));
        let row = Row {
            local_low: u32::from_le_bytes(b.get(0..4)?.try_into().ok()?),
            local_high: u16_at(4)? as i16,
            offset_minutes: u16_at(6)? as i16,
            topics: u32::from_le_bytes(b.get(8..12)?.try_into().ok()?),
            compound: u16_at(12)? as i16,
            sender: u16_at(14)?,
            words: u16_at(16)?,
            horsemen: *b.get(18)?,
            flags: *b.get(19)?,
        };
        let offset_ok = row.offset_minutes == NO_OFFSET || row.offset_minutes.abs() <= 18 * 60;
        let compound_ok = (-10_000..=10_000).contains(&row.compound);
        (b.len() == Row::BYTES && offset_ok && compound_ok).then_some(row)
    }

    /// The sender's index, `None` for a message without one.
    pub(crate) fn sender_index(&self) -> Option<usize> {
        (self.sender != NO_SENDER).then_some(usize::from(self.sender))
    }

    /// The wall-clock time (whole seconds).
    pub(crate) fn time(&self) -> DateTime {
        civil_from_seconds(self.local_seconds())
    }

    /// Seconds since 1970 in UTC when the export has an offset; else the wall clock as if UTC.
    pub(crate) fn epoch_seconds(&self) -> i64 {
        if self.offset_minutes == NO_OFFSET {
            self.local_seconds()
        } else {
            self.local_seconds() - 60 * i64::from(self.offset_minutes)
        }
    }

    /// The wall-clock seconds (for day/month/hour keys).
    pub(crate) fn local_seconds(&self) -> i64 {
        (i64::from(self.local_high) << 32) | i64::from(self.local_low)
    }

    pub(crate) fn sender(&self) -> Option<usize> {
        (self.sender != NO_SENDER).then_some(usize::from(self.sender))
    }

    pub(crate) fn is_text(&self) -> bool {
        self.flags & TEXT != 0
    }

    pub(crate) fn words(&self) -> usize {
        usize::from(self.words & WORDS_MAX)
    }

    fn addressee(&self) -> u8 {
        (self.words >> ADDRESSEE_SHIFT) as u8
    }

    /// What the classifier saw; `None` for messages it does not read (media,
    /// system lines, messages without a sender).
    pub(crate) fn seen(&self) -> Option<Seen> {
        (self.flags & CLASSIFIED != 0).then(|| Seen {
            compound: f64::from(self.compound) / 10_000.0,
            negative: self.flags & NEGATIVE != 0,
            heated: self.flags & (NEGATIVE | RULES_NEGATIVE) != 0,
            horsemen: self.horsemen & HORSEMEN_BITS,
            repair: self.flags & REPAIR != 0,
            bid: self.flags & BID != 0,
            breakup: self.flags & BREAKUP != 0,
            playful: self.flags & PLAYFUL != 0,
            addresses_you: self.addressee() & ADDRESSES_YOU != 0,
            names_someone_else: self.addressee() & NAMES_SOMEONE_ELSE != 0,
            topics: u64::from(self.topics),
        })
    }

    fn set_seen(&mut self, p: &Packed) {
        self.compound = p.compound;
        self.topics = p.topics;
        self.horsemen = p.horsemen;
        self.words = p.words;
        self.flags |= p.flags;
    }

    pub(crate) fn level(&self) -> u8 {
        self.horsemen >> 4
    }
}

/// The classifier's part of a [`Row`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Packed {
    topics: u32,
    compound: i16,
    words: u16,
    /// Horsemen, and the level in the high four bits (as in [`Row`]).
    horsemen: u8,
    flags: u8,
    margin_bin: u16,
    /// [`BoundaryKind::code`] of the boundary the text sets, 0 for none.
    boundary: u8,
}

impl Packed {
    fn new(c: &Compact, text: &str) -> Packed {
        let mut flags = CLASSIFIED;
        for (on, bit) in [
            (c.negative, NEGATIVE),
            (c.repair, REPAIR),
            (c.bid, BID),
            (c.breakup, BREAKUP),
            (c.rules_negative, RULES_NEGATIVE),
            (c.playful, PLAYFUL),
        ] {
            if on {
                flags |= bit;
            }
        }
        Packed {
            topics: (c.topics & u64::from(u32::MAX)) as u32,
            compound: (c.scores.compound * 10_000.0).round() as i16,
            words: c.words.min(WORDS_MAX)
                | u16::from(c.addressee & (ADDRESSES_YOU | NAMES_SOMEONE_ELSE)) << ADDRESSEE_SHIFT,
            horsemen: (c.horsemen & HORSEMEN_BITS) | c.level.min(15) << 4,
            flags,
            margin_bin: c.margin_bin,
            boundary: if c.boundary_hint {
                crate::boundary::detect(text).map_or(0, BoundaryKind::code)
            } else {
                0
            },
        }
    }
}

/// Longest text the [`Recent`] cache keeps.
const CACHED_LEN: usize = 40;
/// Slots of the cache proper (about 56 bytes each).
const CACHE_SLOTS: usize = 4096;
/// Slots of the admission filter (one fingerprint each).
const SEEN_SLOTS: usize = 1 << 15;

/// A cache of short texts already classified. Chats repeat themselves ("ok",
/// "love you", "😂", "<Media omitted>"); a hit skips VADER and the rules.
///
/// Most texts of a chat occur once and would push the repeated ones out of a
/// plain cache, so two guards keep them: a text is admitted only on its second
/// sighting (the `seen` filter remembers a fingerprint of each text that missed),
/// and a slot counts its hits, so a text that keeps coming back can only be
/// replaced after as many newcomers have landed on its slot. A text always lands
/// in the slot of its hash; no allocation after the first.
struct Recent {
    slots: Vec<Slot>,
    seen: Vec<u32>,
}

#[derive(Clone, Copy)]
struct Slot {
    /// 0 = empty.
    len: u8,
    /// Hits since stored, less one per newcomer turned away.
    uses: u8,
    bytes: [u8; CACHED_LEN],
    packed: Packed,
}

impl Recent {
    /// A cache that keeps nothing (when this thread's cache is busy).
    fn empty() -> Recent {
        Recent {
            slots: Vec::new(),
            seen: Vec::new(),
        }
    }

    fn new() -> Recent {
        Recent {
            slots: vec![
                Slot {
                    len: 0,
                    uses: 0,
                    bytes: [0; CACHED_LEN],
                    packed: Packed::default(),
                };
                CACHE_SLOTS
            ],
            seen: vec![0; SEEN_SLOTS],
        }
    }

    /// A 64-bit hash of a short text, eight bytes at a time.
    fn hash(text: &[u8]) -> u64 {
        let mut h = text.len() as u64;
        let mut chunks = text.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(26) ^ u64::from_le_bytes(w)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        let mut w = [0u8; 8];
        w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h = (h.rotate_left(26) ^ u64::from_le_bytes(w)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 29)
    }

    fn classify(&mut self, text: &str, lexicons: &Lexicons, w: &Weights) -> Packed {
        let b = text.as_bytes();
        if b.is_empty() || b.len() > CACHED_LEN || self.slots.is_empty() {
            return Packed::new(&classify_compact(text, lexicons, w), text);
        }
        let h = Recent::hash(b);
        let i = (h >> 52) as usize & (CACHE_SLOTS - 1);
        let Some(slot) = self.slots.get_mut(i) else {
            return Packed::new(&classify_compact(text, lexicons, w), text);
        };
        if usize::from(slot.len) == b.len() && &slot.bytes[..b.len()] == b {
            slot.uses = slot.uses.saturating_add(1);
            return slot.packed;
        }
        let packed = Packed::new(&classify_compact(text, lexicons, w), text);
        let fingerprint = (h as u32) | 1;
        let Some(seen) = self.seen.get_mut((h >> 32) as usize & (SEEN_SLOTS - 1)) else {
            return packed;
        };
        if *seen != fingerprint {
            // First sighting (as far as the filter knows): remember it only.
            *seen = fingerprint;
        } else if slot.uses > 0 {
            slot.uses -= 1;
        } else {
            slot.len = b.len() as u8;
            slot.uses = 1;
            slot.bytes[..b.len()].copy_from_slice(b);
            slot.packed = packed;
        }
        packed
    }
}

/// Whitespace-separated words; the byte loop covers the usual all-ASCII text.
fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    // Branch-free: count the starts of words.
    let mut n = 0;
    let mut prev_space = true;
    for &b in text.as_bytes() {
        let space = matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
        n += usize::from(prev_space & !space);
        prev_space = space;
    }
    n
}

/// A chat ready for [`crate::analyze_prepared`]: senders, topic names and one row per message.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(crate) names: Vec<String>,
    pub(crate) topics: Vec<String>,
    pub(crate) rows: Vec<Row>,
    /// The estimated share of negative messages the flags were decided at.
    pub(crate) negative_share: f64,
    /// Rows whose text sets a boundary (rare), in row order.
    pub(crate) boundaries: Vec<(u32, BoundaryKind)>,
}

impl Default for Prepared {
    fn default() -> Self {
        Prepared {
            names: Vec::new(),
            topics: Vec::new(),
            rows: Vec::new(),
            negative_share: base_rate::DEFAULT_SHARE,
            boundaries: Vec::new(),
        }
    }
}

impl Prepared {
    /// Classify messages already in memory (on all cores).
    pub fn from_messages(messages: &[Message], lexicons: &Lexicons) -> Prepared {
        build(lexicons, |push| {
            for m in messages {
                push(m.as_ref());
            }
        })
        .0
    }

    /// Parse an export and classify it in one go, classifying while parsing.
    /// Same messages, in the same order, as [`rekindle_chat::parse_to_vec`].
    pub fn from_export(
        bytes: &[u8],
        opts: &ParseOptions,
        lexicons: &Lexicons,
    ) -> Result<(Prepared, Summary), ParseError> {
        Prepared::from_export_part(&bytes, opts, lexicons)
    }

    /// [`Prepared::from_export`] of an export given as any
    /// [`rekindle_chat::ExportPart`], such as text already found to be UTF-8
    /// ([`rekindle_chat::Utf8Export`]): the same messages as from its bytes.
    /// One part is what [`rekindle_chat::parse`] reads (a zip, any format).
    pub fn from_export_part(
        part: &impl rekindle_chat::ExportPart,
        opts: &ParseOptions,
        lexicons: &Lexicons,
    ) -> Result<(Prepared, Summary), ParseError> {
        let (prepared, summary) = build(lexicons, |push| {
            rekindle_chat::parse_many(std::slice::from_ref(part), opts, push)
        });
        Ok((prepared, summary?))
    }

    /// Build from any source of messages (the vault, a test): `feed` calls the
    /// function it is given once per message, in chat order.
    pub fn from_source<R>(
        lexicons: &Lexicons,
        feed: impl FnOnce(&mut dyn FnMut(MessageRef<'_>)) -> R,
    ) -> (Prepared, R) {
        build(lexicons, feed)
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No messages at all.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The senders, in order of first appearance.
    pub fn senders(&self) -> &[String] {
        &self.names
    }
}

/// Texts waiting to be classified: their rows and their bytes, back to back.
#[derive(Default)]
struct Batch {
    rows: Vec<u32>,
    ends: Vec<u32>,
    text: String,
}

impl Batch {
    fn with_capacity() -> Batch {
        Batch {
            rows: Vec::with_capacity(BATCH),
            ends: Vec::with_capacity(BATCH),
            text: String::with_capacity(BATCH * 48),
        }
    }
}

type Done = Vec<(u32, Packed)>;

/// Numbers each [`build`], so that a thread's cache never answers for another
/// build (whose lexicons may differ).
static BUILDS: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's [`Recent`] cache and the build it belongs to. One per
    /// thread rather than per batch: a cache sees more of the chat and the
    /// repeats stay in it.
    static RECENT: RefCell<Option<(u64, Recent)>> = const { RefCell::new(None) };
}

/// Fills `out` (cleared first) with what the classifier sees in each text of `b`.
fn classify_batch(b: &Batch, lexicons: &Lexicons, build: u64, out: &mut Done) {
    RECENT.with(|cell| {
        let mut guard = cell.try_borrow_mut();
        let cache = match guard.as_deref_mut() {
            Ok(slot) => {
                if slot.as_ref().is_none_or(|(id, _)| *id != build) {
                    *slot = Some((build, Recent::new()));
                }
                slot.as_mut().map(|(_, cache)| cache)
            }
            Err(_) => None,
        };
        let w = Weights::default();
        let mut start = 0usize;
        out.clear();
        let mut fresh = Recent::empty();
        let cache = cache.unwrap_or(&mut fresh);
        for (&row, &end) in b.rows.iter().zip(&b.ends) {
            let end = end as usize;
            let text = b.text.get(start..end).unwrap_or("");
            start = end;
            out.push((row, cache.classify(text, lexicons, &w)));
        }
    });
}

/// Drops this thread's cache (the end of a build: no message text stays behind
/// in a thread that lives on).
fn forget_recent() {
    RECENT.with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = None;
        }
    });
}

/// What one build collects besides the rows.
#[derive(Default)]
struct Gathered {
    margins: MarginHistogram,
    boundaries: Vec<(u32, BoundaryKind)>,
}

fn apply(rows: &mut [Row], done: &Done, g: &mut Gathered) {
    for (i, p) in done {
        if let Some(r) = rows.get_mut(*i as usize) {
            r.set_seen(p);
            g.margins.add_bin(p.margin_bin);
            if let Some(kind) = BoundaryKind::from_code(p.boundary) {
                g.boundaries.push((*i, kind));
            }
        }
    }
}

/// [`base_rate::VADER_NEGATIVE`] as a row stores the compound (times 10,000,
/// exactly: VADER rounds it to four decimals).
const VADER_NEGATIVE_STORED: i16 = (base_rate::VADER_NEGATIVE * 10_000.0) as i16;
const _: () = assert!(VADER_NEGATIVE_STORED == -500);

/// Decides every classified row's [`NEGATIVE`] at the chat's own estimated
/// share of negative messages (`base_rate`); returns that share. Without a
/// learned model the flags stay as classified.
fn decide_at_own_share(rows: &mut [Row], margins: &MarginHistogram) -> f64 {
    let Some(index) = crate::classify::own_share_index(margins) else {
        return base_rate::DEFAULT_SHARE;
    };
    let steps = crate::learned::model().map_or(0, |m| m.vader_steps());
    rows.par_iter_mut().for_each(|r| {
        if r.flags & CLASSIFIED != 0 {
            let vader = r.compound <= VADER_NEGATIVE_STORED;
            if base_rate::negative_in_chat(r.level(), vader, index, steps) {
                r.flags |= NEGATIVE;
            } else {
                r.flags &= !NEGATIVE;
            }
        }
    });
    base_rate::GRID[index]
}

/// A batch and its results travel together and come back to be reused: buffers
/// allocated on one thread and freed on another make glibc's malloc lock its
/// arenas against each other, which showed up as futex time in profiles.
struct Job {
    batch: Batch,
    done: Done,
}

fn build<R>(
    lexicons: &Lexicons,
    feed: impl FnOnce(&mut dyn FnMut(MessageRef<'_>)) -> R,
) -> (Prepared, R) {
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut margins = Gathered::default();
    let (tx, rx) = mpsc::channel::<Job>();
    let in_flight = AtomicUsize::new(0);
    let build_id = BUILDS.fetch_add(1, Ordering::Relaxed);
    let mut spare: Vec<Job> = Vec::new();
    let result = rayon::in_place_scope(|scope| {
        let mut batch = Batch::with_capacity();
        let mut last_sender: Option<(usize, u16)> = None;
        let dispatch = |mut job: Job, rows: &mut Vec<Row>, margins: &mut Gathered| -> Option<Job> {
            if in_flight.load(Ordering::Acquire) >= MAX_IN_FLIGHT {
                // The classifier is behind: help instead of queueing more text.
                classify_batch(&job.batch, lexicons, build_id, &mut job.done);
                apply(rows, &job.done, margins);
                return Some(job);
            }
            in_flight.fetch_add(1, Ordering::AcqRel);
            let tx = tx.clone();
            let in_flight = &in_flight;
            scope.spawn(move |_| {
                classify_batch(&job.batch, lexicons, build_id, &mut job.done);
                // The receiver outlives the scope; a send cannot fail here.
                let _ = tx.send(job);
                in_flight.fetch_sub(1, Ordering::AcqRel);
            });
            None
        };
        let result = feed(&mut |m: MessageRef<'_>| {
            let index = rows.len();
            let sender = match m.sender {
                None => NO_SENDER,
                Some(s) => match last_sender {
                    Some((i, id)) if names.get(i).is_some_and(|n| n == s) => id,
                    _ => {
                        let i = match names.iter().position(|n| n == s) {
                            Some(i) => i,
                            None => {
                                names.push(s.to_string());
                                names.len() - 1
                            }
                        };
                        // More than 65,534 senders: the rest share the last id.
                        let id = i.min(usize::from(NO_SENDER) - 1) as u16;
                        last_sender = Some((i, id));
                        id
                    }
                },
            };
            let text = m.kind == MessageKind::Text;
            // Civil times are within ±10,000 years: well inside 48 bits.
            let local = local_seconds(&m.time);
            rows.push(Row {
                local_low: local as u32,
                local_high: (local >> 32) as i16,
                offset_minutes: m
                    .offset_seconds
                    .map_or(NO_OFFSET, |o| (o / 60).clamp(-1440, 1440) as i16),
                topics: 0,
                compound: 0,
                sender,
                words: 0,
                horsemen: 0,
                flags: if text { TEXT } else { 0 },
            });
            if text {
                if sender == NO_SENDER {
                    let words = word_count(&m.text);
                    if let Some(r) = rows.last_mut() {
                        r.words = words.min(usize::from(WORDS_MAX)) as u16;
                    }
                } else {
                    batch.rows.push(index as u32);
                    batch.text.push_str(&m.text);
                    batch.ends.push(batch.text.len() as u32);
                }
            }
            if batch.rows.len() >= BATCH || batch.text.len() > (u32::MAX / 2) as usize {
                while let Ok(job) = rx.try_recv() {
                    apply(&mut rows, &job.done, &mut margins);
                    spare.push(job);
                }
                let next = match spare.pop() {
                    Some(mut job) => {
                        job.batch.rows.clear();
                        job.batch.ends.clear();
                        job.batch.text.clear();
                        std::mem::swap(&mut job.batch, &mut batch);
                        job
                    }
                    None => Job {
                        batch: std::mem::replace(&mut batch, Batch::with_capacity()),
                        done: Vec::with_capacity(BATCH),
                    },
                };
                if let Some(job) = dispatch(next, &mut rows, &mut margins) {
                    spare.push(job);
                }
            }
        });
        if !batch.rows.is_empty() {
            let job = Job {
                batch,
                done: Vec::new(),
            };
            // Classified here already when the pool was busy; else it comes back on `rx`.
            let _ = dispatch(job, &mut rows, &mut margins);
        }
        result
    });
    drop(tx);
    for job in rx {
        apply(&mut rows, &job.done, &mut margins);
    }
    rayon::broadcast(|_| forget_recent());
    forget_recent();
    let negative_share = decide_at_own_share(&mut rows, &margins.margins);
    let mut boundaries = margins.boundaries;
    boundaries.sort_unstable_by_key(|(i, _)| *i);
    let topics = (0..lexicons.topic_count().min(32))
        .filter_map(|i| lexicons.topic_name(i).map(str::to_string))
        .collect();
    (
        Prepared {
            names,
            topics,
            rows,
            negative_share,
            boundaries,
        },
        result,
    )
}

/// Seconds since 1970-01-01T00:00:00 for a civil date-time (proleptic
/// Gregorian), sub-seconds dropped.
pub(crate) fn local_seconds(dt: &DateTime) -> i64 {
    let y = i64::from(dt.year()) - i64::from(dt.month() <= 2);
    let m = i64::from(dt.month());
    let d = i64::from(dt.day());
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400
        + i64::from(dt.hour()) * 3600
        + i64::from(dt.minute()) * 60
        + i64::from(dt.second())
}

/// The inverse of [`local_seconds`] (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_seconds(s: i64) -> DateTime {
    let days = s.div_euclid(86_400);
    let sod = s.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    DateTime::new(
        y.clamp(-9999, 9999) as i16,
        m as i8,
        d as i8,
        (sod / 3600) as i8,
        (sod % 3600 / 60) as i8,
        (sod % 60) as i8,
        0,
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn row_is_small() {
        assert_eq!(std::mem::size_of::<Row>(), 20);
    }

    proptest! {
        #[test]
        fn civil_round_trip(y in -9999i16..=9999, mo in 1i8..=12, d in 1i8..=31, h in 0i8..24, mi in 0i8..60, s in 0i8..60) {
            if let Ok(dt) = DateTime::new(y, mo, d, h, mi, s, 0) {
                prop_assert_eq!(civil_from_seconds(local_seconds(&dt)), dt);
            }
        }

        #[test]
        fn seconds_are_monotonic(a in -300_000_000_000i64..253_000_000_000, b in -300_000_000_000i64..253_000_000_000) {
            let (x, y) = (civil_from_seconds(a), civil_from_seconds(b));
            prop_assert_eq!(a.cmp(&b), x.cmp(&y));
        }
    }

    #[test]
    fn same_rows_from_messages_and_export() {
        let text = "1/13/24, 9:00 PM - A: you never listen\n1/13/24, 9:01 PM - B: that's not true\n\
                    1/13/24, 9:02 PM - B: <Media omitted>\n1/13/24, 9:03 PM - A: k.\n";
        let lex = Lexicons::built_in();
        let opts = ParseOptions::default();
        let Ok((from_export, summary)) = Prepared::from_export(text.as_bytes(), &opts, &lex) else {
            panic!("the export should parse");
        };
        assert_eq!(summary.messages, 4);
        let (messages, _) = rekindle_chat::parse_to_vec(text.as_bytes(), &opts)
            .unwrap_or_else(|e| panic!("parse: {e}"));
        let from_messages = Prepared::from_messages(&messages, &lex);
        assert_eq!(from_export.rows, from_messages.rows);
        let checked = rekindle_chat::Utf8Export::check(text.as_bytes()).expect("the text is UTF-8");
        let Ok((from_text, _)) = Prepared::from_export_part(&checked, &opts, &lex) else {
            panic!("the checked text should parse");
        };
        assert_eq!(from_text.rows, from_export.rows);
        assert_eq!(from_text.names, from_export.names);
        assert_eq!(from_export.names, vec!["A".to_string(), "B".to_string()]);
        let r = &from_export.rows;
        assert_eq!(r[0].seen().map(|s| s.negative), Some(true));
        assert_eq!(r[2].seen(), None, "media is not classified");
        assert!(!r[2].is_text());
        assert_eq!(
            r[3].seen().map(|s| s.horsemen),
            Some(8),
            "k. = stonewalling"
        );
        assert_eq!(r[1].time().to_string(), "2024-01-13T21:01:00");
    }

    #[test]
    fn times_and_offsets_survive_packing() {
        let lex = Lexicons::built_in();
        let cases = [
            ("1969-07-20T20:17:40", None),
            ("2024-03-31T02:30:00", Some(3600)),
            ("9999-12-31T23:59:59", Some(-5 * 3600 - 30 * 60)),
            ("-000044-03-15T12:00:00", Some(0)),
        ];
        let messages: Vec<Message> = cases
            .iter()
            .filter_map(|(t, off)| {
                Some(Message {
                    time: t.parse().ok()?,
                    offset_seconds: *off,
                    sender: Some("A".into()),
                    text: "hi".into(),
                    kind: MessageKind::Text,
                })
            })
            .collect();
        assert_eq!(messages.len(), cases.len());
        let p = Prepared::from_messages(&messages, &lex);
        for (m, r) in messages.iter().zip(&p.rows) {
            let local = local_seconds(&m.time);
            assert_eq!(r.local_seconds(), local);
            assert_eq!(r.time(), m.time);
            assert_eq!(
                r.epoch_seconds(),
                local - i64::from(m.offset_seconds.unwrap_or(0))
            );
        }
    }

    #[test]
    fn words_are_counted_like_split_whitespace() {
        for t in [
            "",
            " a  b\tc\n",
            "x",
            "héllo wörld  ",
            "a\u{a0}b",
            "\u{b}a b\u{c}",
        ] {
            assert_eq!(word_count(t), t.split_whitespace().count(), "{t:?}");
        }
    }

    #[test]
    fn the_cache_gives_what_the_classifier_gives() {
        let lex = Lexicons::built_in();
        let w = Weights::default();
        let mut cache = Recent::new();
        let texts = [
            "k.",
            "love you",
            "you never listen",
            "ok",
            "K.",
            "love you!",
            "wtf",
        ];
        for round in 0..3 {
            for t in texts {
                let direct = Packed::new(&classify_compact(t, &lex, &w), t);
                assert_eq!(
                    usize::from(direct.words & WORDS_MAX),
                    t.split_whitespace().count()
                );
                assert_eq!(cache.classify(t, &lex, &w), direct, "{t} round {round}");
            }
        }
    }

    #[test]
    fn many_batches_keep_order() {
        let lex = Lexicons::built_in();
        let mut messages = Vec::new();
        for i in 0..(BATCH * 3 + 17) {
            let text = if i % 3 == 0 {
                "you never listen"
            } else {
                "love you"
            };
            messages.push(Message {
                time: civil_from_seconds(1_700_000_000 + i as i64 * 60),
                offset_seconds: None,
                sender: Some(if i % 2 == 0 { "A" } else { "B" }.to_string()),
                text: text.to_string(),
                kind: MessageKind::Text,
            });
        }
        let p = Prepared::from_messages(&messages, &lex);
        assert_eq!(p.len(), messages.len());
        for (i, r) in p.rows.iter().enumerate() {
            assert_eq!(r.seen().map(|s| s.negative), Some(i % 3 == 0), "row {i}");
            assert_eq!(r.sender(), Some(i % 2));
            assert_eq!(r.words(), if i % 3 == 0 { 3 } else { 2 });
        }
    }
}
