//! Importing a chat export into the vault.
//!
//! Two passes over the bytes: the first reads the whole file without storing
//! anything (so a file that is not a chat fails before the vault is touched,
//! and the day/month order is decided from all of it); the second stores the
//! messages inside one transaction, numbered with content keys so that a
//! repeated or overlapping import adds only what is new.
//!
//! **Exports holding several chats** (a Telegram full export, a
//! Messenger/Instagram zip with several conversations): [`list_chats`] lists
//! them; an import with [`ParseOptions::chat`] = [`ChatChoice::Ask`] fails
//! with [`ImportError::ChooseChat`] (carrying the list) until one is chosen
//! with [`ChatChoice::Pick`]. The default, [`ChatChoice::FirstPersonal`],
//! keeps the older behaviour (the first personal chat of a Telegram full
//! export, with a note) for callers that cannot ask yet.
//!
//! **Several files** ([`import_parts`], [`preview_parts`]): the parts
//! `message_1.json`, `message_2.json`, ... of one Messenger/Instagram
//! conversation, read as one chat.

use std::borrow::Cow;
use std::path::Path;

use crate::redact::redact_name;
use jiff::Timestamp;
use jiff::civil::DateTime;
pub use rekindle_chat::{ChatChoice, ChatInfo};
use rekindle_chat::{
    ContentKeys, ExportPart, Format, MessageRef, ParseError, ParseOptions, Summary,
};
use rekindle_store::chats::{ImportCounts, MessageSink, NewChat, NewMessage};
use rekindle_store::{Store, StoreError};
use serde::Serialize;
use thiserror::Error;

/// Largest export file read from disk (a WhatsApp text export of several
/// million messages is well under this).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("{0}")]
    Parse(ParseError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Input(String),
    /// The export holds several chats and which one to import is not (or not
    /// clearly) chosen: show `chats` and import again with
    /// [`ParseOptions::chat`] = [`ChatChoice::Pick`] of the chosen
    /// [`ChatInfo::id`]. `problem` says why in one sentence (its `Display`
    /// is this error's): [`ParseError::ChooseChat`] (none chosen),
    /// [`ParseError::NoSuchChat`] (the choice names no chat) or
    /// [`ParseError::SameNameChats`] (several chats have that name).
    #[error("{problem}")]
    ChooseChat {
        /// The chats to choose from, in the export's order.
        chats: Vec<ChatInfo>,
        problem: ParseError,
    },
}

impl From<ParseError> for ImportError {
    fn from(e: ParseError) -> Self {
        match e.chats_to_choose() {
            Some(chats) => ImportError::ChooseChat {
                chats: chats.to_vec(),
                problem: e,
            },
            None => ImportError::Parse(e),
        }
    }
}

impl ImportError {
    /// True when the person can fix it (bad file, wrong name), as opposed to
    /// a failure of the computer (disk, database).
    pub fn is_user_error(&self) -> bool {
        match self {
            ImportError::Parse(_) | ImportError::Input(_) | ImportError::ChooseChat { .. } => true,
            ImportError::Store(e) => !matches!(
                e,
                StoreError::Io { .. } | StoreError::Database(_) | StoreError::DiskFull
            ),
        }
    }
}

/// Reads an export file, refusing folders and files too large to be a chat.
pub fn read_export_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let len = checked_export_path(path)?;
    read_whole(path, len).map_err(|e| unreadable(path, &e))
}

/// "Could not read FILE: why." for an error reading an export file.
pub(crate) fn unreadable(path: &Path, e: &std::io::Error) -> ImportError {
    ImportError::Input(format!(
        "Could not read {}: {}.",
        path.display(),
        plain_io(e)
    ))
}

/// The size of the export file at `path`, after refusing folders, devices
/// and files too large to be a chat.
pub(crate) fn checked_export_path(path: &Path) -> Result<u64, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        ImportError::Input(format!(
            "Could not open {}: {}.",
            path.display(),
            plain_io(&e)
        ))
    })?;
    if meta.is_dir() {
        return Err(ImportError::Input(format!(
            "{} is a folder; give the chat export file inside it (for example the .txt, .zip or result.json).",
            path.display()
        )));
    }
    // A device such as /dev/zero never ends and a FIFO may wait forever.
    if !meta.is_file() {
        return Err(ImportError::Input(format!(
            "{} is not a regular file; give the chat export file itself (for example the .txt, .zip or result.json).",
            path.display()
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImportError::Input(format!(
            "{} is {} MB, larger than any chat export rekindle reads (1024 MB).",
            path.display(),
            meta.len() / (1024 * 1024)
        )));
    }
    Ok(meta.len())
}

/// Below this size a file is read on one thread.
const PARALLEL_READ_BYTES: u64 = 8 << 20;

/// The whole file. A big one is read in two halves on two threads: copying
/// ~80 MB out of the page cache (and faulting in the buffer) takes ~50 ms on
/// one core, and nothing else can start before it is done.
fn read_whole(path: &Path, len: u64) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    if len >= PARALLEL_READ_BYTES
        && let Ok(n) = usize::try_from(len)
    {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(path)?;
        let mut buf = vec![0u8; n];
        let (first, second) = buf.split_at_mut(n / 2);
        let offset = first.len() as u64;
        let (a, b) = std::thread::scope(|scope| {
            let later = scope.spawn(|| file.read_exact_at(second, offset));
            let early = file.read_exact_at(first, 0);
            (early, later.join())
        });
        a?;
        b.unwrap_or_else(|_| Err(std::io::Error::other("reading thread failed")))?;
        // A file that grew while it was read is read again whole, within the limit.
        if file.metadata()?.len() == len {
            return Ok(buf);
        }
    }
    rekindle_store::fsutil::read_limited(path, MAX_FILE_BYTES).map_err(|e| match e {
        rekindle_store::fsutil::ReadLimitedError::Io(io) => io,
        other => std::io::Error::other(other.to_string()),
    })
}

fn plain_io(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "there is no such file",
        std::io::ErrorKind::PermissionDenied => "permission denied",
        // A file that grew past the limit while it was read (export_reader.rs).
        std::io::ErrorKind::FileTooLarge => {
            "it grew larger than any chat export rekindle reads (1024 MB) while it was read"
        }
        _ => "the file could not be read",
    }
}

/// Who is who in the chat, as given by the person (optional).
#[derive(Debug, Clone, Default)]
pub struct Roles {
    pub me: Option<String>,
    pub ex: Option<String>,
    /// Replace phone numbers and e-mail addresses in the stored text.
    pub redact: bool,
}

/// What an import did, for the CLI's summary and the web page.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub summary: Summary,
    pub counts: ImportCounts,
    pub me: Option<String>,
    pub ex: Option<String>,
    /// How the chat's post-mortem snapshot was made, if it was.
    #[serde(skip)]
    pub snapshot: SnapshotMade,
}

/// How [`import_parts_with_snapshot`] made the chat's snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotMade {
    /// Not asked for ([`import_parts`]), or it could not be made (logged;
    /// the post-mortem makes it when first opened).
    #[default]
    No,
    /// From the messages as they were stored: the chat holds exactly them,
    /// in the order they came.
    WhileStoring,
    /// By reading the whole chat back (it held messages before, or the
    /// export's times were out of order, or it repeated messages).
    ReadBack,
}

/// Milliseconds of a wall-clock time since 1970-01-01T00:00 of the same
/// wall clock: no time zone is applied, so what the export showed is kept.
pub fn local_ms(t: DateTime) -> i64 {
    t.duration_since(DateTime::constant(1970, 1, 1, 0, 0, 0, 0))
        .as_millis()
        .clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// The inverse of [`local_ms`].
pub fn from_local_ms(ms: i64) -> Option<DateTime> {
    DateTime::constant(1970, 1, 1, 0, 0, 0, 0)
        .checked_add(jiff::SignedDuration::from_millis(ms))
        .ok()
}

/// Identifies the conversation across exports: the same app and the same
/// people. A later export of the same chat gets the same key.
fn source_key(format: Format, summary: &Summary) -> String {
    let mut people: Vec<&str> = summary.per_sender.iter().map(|(n, _)| n.as_str()).collect();
    people.sort_unstable();
    format!("{}:{}", format.as_str(), people.join("\u{1f}"))
}

/// The summary as it is stored when contact details are redacted: sender
/// names, the owner hint and the chat's title that are phone numbers (or hold
/// one) get their redacted name, and the excerpts of unreadable lines and the
/// notes lose their numbers and addresses.
fn redact_summary(mut summary: Summary) -> Summary {
    let name = |n: &mut String| {
        if let Cow::Owned(r) = redact_name(n) {
            *n = r;
        }
    };
    let text = |t: &mut String| {
        if let Cow::Owned(r) = crate::redact::redact(t) {
            *t = r;
        }
    };
    for (n, _) in &mut summary.per_sender {
        name(n);
    }
    if let Some(n) = summary.owner_hint.as_mut() {
        name(n);
    }
    if let Some(n) = summary.chat_name.as_mut() {
        name(n);
    }
    for s in &mut summary.skipped {
        text(&mut s.excerpt);
        text(&mut s.reason);
    }
    for w in &mut summary.warnings {
        text(w);
    }
    summary
}

/// Decides who is the user and who is the ex: what the person said, else
/// what the export tells (owner fields, "You"), else the other of two.
fn decide_roles(
    summary: &Summary,
    roles: &Roles,
) -> Result<(Option<String>, Option<String>), ImportError> {
    let names: Vec<&str> = summary.per_sender.iter().map(|(n, _)| n.as_str()).collect();
    let check = |given: &Option<String>, what: &str| -> Result<Option<String>, ImportError> {
        match given {
            Some(name) if !names.contains(&name.as_str()) => Err(ImportError::Input(format!(
                "“{name}” ({what}) does not write in this chat; the people in it are: {}.",
                names
                    .iter()
                    .map(|n| format!("“{n}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            other => Ok(other.clone()),
        }
    };
    let mut me = check(&roles.me, "--me")?;
    let mut ex = check(&roles.ex, "--ex")?;
    if me.is_none() {
        me = summary
            .owner_hint
            .clone()
            .filter(|h| names.contains(&h.as_str()) && Some(h) != ex.as_ref());
    }
    let others = |x: &Option<String>| -> Option<String> {
        let rest: Vec<&&str> = names.iter().filter(|n| Some(**n) != x.as_deref()).collect();
        (rest.len() == 1).then(|| rest[0].to_string())
    };
    if ex.is_none() && me.is_some() && names.len() == 2 {
        ex = others(&me);
    }
    if me.is_none() && ex.is_some() && names.len() == 2 {
        me = others(&ex);
    }
    if me.is_some() && me == ex {
        return Err(ImportError::Input(
            "--me and --ex name the same person; they must be different.".into(),
        ));
    }
    Ok((me, ex))
}

/// The chats an export holds, without storing anything: the chats with
/// messages of a Telegram full export or of a Messenger/Instagram zip with
/// several conversations, else the export's one chat. Show them so the
/// person can choose, then [`import`] with [`ParseOptions::chat`] =
/// [`ChatChoice::Pick`] of the chosen [`ChatInfo::id`].
pub fn list_chats(bytes: &[u8], options: &ParseOptions) -> Result<Vec<ChatInfo>, ImportError> {
    Ok(rekindle_chat::list_chats(bytes, options)?)
}

/// Where an import reads its export from: files already in memory (one
/// export, or the parts of one Messenger/Instagram conversation), or one file
/// read in pieces ([`crate::export_reader::ScannedExport`]). An import reads
/// it twice: once to check and summarise it, once to store it.
pub trait ExportSource {
    /// Every message, in order, handed to `sink`.
    fn parse(
        &mut self,
        options: &ParseOptions,
        sink: &mut dyn FnMut(MessageRef<'_>),
    ) -> Result<Summary, ImportError>;
}

/// Files in memory as an [`ExportSource`].
struct Parts<'a, P>(&'a [P]);

/// Files read whole, owned, as an [`ExportSource`] (for a caller that picks
/// the source at run time: [`crate::export_reader::ScannedExport`] for one file).
pub struct InMemory<P>(pub Vec<P>);

impl<P: ExportPart> ExportSource for InMemory<P> {
    fn parse(
        &mut self,
        options: &ParseOptions,
        sink: &mut dyn FnMut(MessageRef<'_>),
    ) -> Result<Summary, ImportError> {
        Parts(&self.0).parse(options, sink)
    }
}

impl<P: ExportPart> ExportSource for Parts<'_, P> {
    fn parse(
        &mut self,
        options: &ParseOptions,
        sink: &mut dyn FnMut(MessageRef<'_>),
    ) -> Result<Summary, ImportError> {
        Ok(rekindle_chat::parse_many(self.0, options, sink)?)
    }
}

impl ExportSource for crate::export_reader::ScannedExport {
    fn parse(
        &mut self,
        options: &ParseOptions,
        sink: &mut dyn FnMut(MessageRef<'_>),
    ) -> Result<Summary, ImportError> {
        crate::export_reader::ScannedExport::parse(self, options, sink)
    }
}

/// Reads `bytes` once to check and summarise them, without storing anything.
pub fn preview(bytes: &[u8], options: &ParseOptions) -> Result<Summary, ImportError> {
    preview_parts(&[bytes], options)
}

/// [`preview`] of several files read as one chat: the parts
/// (`message_1.json`, `message_2.json`, ...) of one Messenger/Instagram
/// conversation. One part is the same as [`preview`].
pub fn preview_parts<P: ExportPart>(
    parts: &[P],
    options: &ParseOptions,
) -> Result<Summary, ImportError> {
    preview_source(&mut Parts(parts), options)
}

/// [`preview`] of any [`ExportSource`].
pub fn preview_source(
    source: &mut dyn ExportSource,
    options: &ParseOptions,
) -> Result<Summary, ImportError> {
    let summary = source.parse(options, &mut |_| {})?;
    if summary.messages == 0 {
        return Err(ImportError::Input(
            "No messages were found in this file. Is it the right export?".into(),
        ));
    }
    Ok(summary)
}

/// Imports an export into the store. `progress(done, total)` is called now
/// and then while messages are written.
///
/// A Telegram full export is read as `options.chat` says: with the default
/// ([`ChatChoice::FirstPersonal`]) its first personal chat, with a note, as
/// before chats could be chosen; with [`ChatChoice::Ask`] an export holding
/// several chats fails with [`ImportError::ChooseChat`].
pub fn import(
    store: &mut dyn Store,
    bytes: &[u8],
    options: &ParseOptions,
    roles: &Roles,
    at: Timestamp,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport, ImportError> {
    import_parts(store, &[bytes], options, roles, at, progress)
}

/// [`import`] of several files read as one chat: the parts
/// (`message_1.json`, `message_2.json`, ... in any order) of one
/// Messenger/Instagram conversation; messages in more than one part are
/// stored once. Files that are not such parts, or parts of different
/// conversations, are refused before anything is stored
/// ([`ParseError::PartsUnsupported`], [`ParseError::PartsDiffer`]).
///
/// Parts read from files are best given as [`rekindle_chat::Prepared`]
/// ([`rekindle_chat::prepare`]): a file with lines that are not UTF-8 is then
/// repaired once, in place, instead of copied on each of the two passes.
pub fn import_parts<P: ExportPart>(
    store: &mut dyn Store,
    parts: &[P],
    options: &ParseOptions,
    roles: &Roles,
    at: Timestamp,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport, ImportError> {
    import_from(store, &mut Parts(parts), options, roles, at, progress, None)
}

/// [`import_parts`], and then the chat's post-mortem snapshot
/// ([`crate::postmortem::refresh_snapshot`]) with `lexicons`, so that its
/// first post-mortem opens at once. The messages are classified on the other
/// cores while they are stored; when the chat then holds exactly those
/// messages in that order (a new chat from an export in time order) that is
/// the snapshot, else the chat is read back and classified.
/// A snapshot that cannot be made is no import error (it is logged, and the
/// post-mortem makes it when first opened).
pub fn import_parts_with_snapshot<P: ExportPart>(
    store: &mut dyn Store,
    parts: &[P],
    options: &ParseOptions,
    roles: &Roles,
    at: Timestamp,
    progress: &mut dyn FnMut(u64, u64),
    lexicons: &rekindle_analysis::Lexicons,
) -> Result<ImportReport, ImportError> {
    import_from(
        store,
        &mut Parts(parts),
        options,
        roles,
        at,
        progress,
        Some(lexicons),
    )
}

/// The messages as stored, classified while the import ran
/// ([`import_parts_with_snapshot`]).
struct ClassifiedAsStored {
    prepared: rekindle_analysis::Prepared,
    /// Positions of the messages whose stored time cannot be read back.
    skipped: Vec<u64>,
    /// Every message came at or after the one before it.
    in_order: bool,
}

/// [`import_parts`] (without `lexicons`) or [`import_parts_with_snapshot`]
/// (with them) of any [`ExportSource`], such as one big file read in pieces.
pub fn import_from(
    store: &mut dyn Store,
    source: &mut dyn ExportSource,
    options: &ParseOptions,
    roles: &Roles,
    at: Timestamp,
    progress: &mut dyn FnMut(u64, u64),
    lexicons: Option<&rekindle_analysis::Lexicons>,
) -> Result<ImportReport, ImportError> {
    let redact = roles.redact;
    let mut summary = preview_source(source, options)?;
    let given = if redact {
        summary = redact_summary(summary);
        // Names given as the export shows them match their redacted form.
        Roles {
            me: roles.me.as_deref().map(|n| redact_name(n).into_owned()),
            ex: roles.ex.as_deref().map(|n| redact_name(n).into_owned()),
            redact,
        }
    } else {
        roles.clone()
    };
    let (me, ex) = decide_roles(&summary, &given)?;
    let key = source_key(summary.format, &summary);
    let chat = NewChat {
        source_key: key.clone(),
        format: summary.format.as_str().to_string(),
        title: summary.chat_name.clone(),
        me: me.clone(),
        ex: ex.clone(),
    };
    // The second pass must read the file exactly as the first did.
    let fixed = ParseOptions {
        format: Some(summary.format),
        date_order: summary.date_order.or(options.date_order),
        chat: options.chat.clone(),
    };
    let total = summary.messages as u64;
    // Each sender's redacted name, worked out once per sender.
    let mut names: Vec<(String, String)> = Vec::new();
    let summary_json =
        serde_json::to_value(&summary).map_err(|e| ImportError::Input(e.to_string()))?;
    let mut scan = rekindle_analysis::boundary::Scan::new();
    let mut danger = rekindle_analysis::danger::Scan::new();
    // `classify` gets each message as the post-mortem will read it back.
    let mut store_all = |mut classify: Option<&mut dyn FnMut(MessageRef<'_>)>,
                         skipped: &mut Vec<u64>,
                         in_order: &mut bool| {
        let mut position = 0u64;
        let mut last_ms = i64::MIN;
        store.import_chat(
            &chat,
            at,
            summary.skipped_count as u64,
            &summary_json,
            &mut |sink: &mut dyn MessageSink| {
                // What the chat held before is read back with the new
                // messages: classifying only these would be work thrown away.
                if !sink.chat_was_empty() {
                    classify = None;
                    *in_order = false;
                }
                let mut keys = ContentKeys::new(key.clone());
                let mut done = 0u64;
                progress(0, total);
                source
                    .parse(&fixed, &mut |m: MessageRef<'_>| {
                        let sender: Option<&str> = match m.sender {
                            Some(s) if redact => {
                                let i = match names.iter().position(|(raw, _)| raw == s) {
                                    Some(i) => i,
                                    None => {
                                        names.push((s.to_string(), redact_name(s).into_owned()));
                                        names.len() - 1
                                    }
                                };
                                Some(names[i].1.as_str())
                            }
                            other => other,
                        };
                        // The key is of the original text (and of the name as
                        // stored), so a later import with or without redaction
                        // recognises the same messages.
                        let content_key = keys.key(&MessageRef {
                            sender,
                            text: std::borrow::Cow::Borrowed(&*m.text),
                            ..m
                        });
                        let text = (m.kind == rekindle_chat::MessageKind::Text).then_some(&*m.text);
                        scan.push(sender, m.time, text);
                        danger.push(sender, m.time, text);
                        let text = if redact {
                            crate::redact::redact(&m.text)
                        } else {
                            std::borrow::Cow::Borrowed(&*m.text)
                        };
                        let stored_ms = local_ms(m.time);
                        sink.push(&NewMessage {
                            local_ms: stored_ms,
                            offset_seconds: m.offset_seconds,
                            sender,
                            kind: m.kind.as_str(),
                            text: &text,
                            content_key,
                        });
                        if let Some(classify) = classify.as_mut() {
                            *in_order &= stored_ms >= last_ms;
                            last_ms = stored_ms;
                            // The row as the post-mortem will read it back.
                            match crate::postmortem::stored_ref(
                                stored_ms,
                                m.offset_seconds,
                                sender,
                                &text,
                                m.kind.as_str(),
                            ) {
                                Some(r) => classify(r),
                                None => skipped.push(position),
                            }
                            position += 1;
                        }
                        done += 1;
                        if done.is_multiple_of(20_000) {
                            progress(done, total);
                        }
                    })
                    .map_err(|e| e.to_string())?;
                progress(total, total);
                Ok(())
            },
        )
    };
    let (counts, classified) = match lexicons {
        None => (store_all(None, &mut Vec::new(), &mut true)?, None),
        Some(lex) => {
            let (mut skipped, mut in_order) = (Vec::new(), true);
            let (prepared, counts) = rekindle_analysis::Prepared::from_source(lex, |push| {
                store_all(Some(push), &mut skipped, &mut in_order)
            });
            let classified = ClassifiedAsStored {
                prepared,
                skipped,
                in_order,
            };
            (counts?, Some(classified))
        }
    };
    tracing::info!(
        event = "chat_imported",
        added = counts.added,
        already_had = counts.already_had
    );
    let saved = crate::boundaries::save_found(store, counts.chat_id, scan.finish(), at)
        .and_then(|()| crate::danger::save_found(store, counts.chat_id, danger.finish(), at));
    saved.map_err(|e| match e {
        crate::method::MethodError::Store(s) => ImportError::Store(s),
        other => ImportError::Input(other.to_string()),
    })?;
    // Names the person gave win over what an earlier import guessed.
    if roles.me.is_some() || roles.ex.is_some() {
        store.set_chat_roles(counts.chat_id, me.as_deref(), ex.as_deref())?;
    }
    let snapshot = match (lexicons, classified) {
        (Some(lex), Some(classified)) => snapshot_after_import(store, &counts, lex, classified),
        _ => SnapshotMade::No,
    };
    Ok(ImportReport {
        summary,
        counts,
        me,
        ex,
        snapshot,
    })
}

/// Saves the chat's snapshot from the messages classified while they were
/// stored if the chat holds exactly them, in that order; else reads it back.
fn snapshot_after_import(
    store: &mut dyn Store,
    counts: &ImportCounts,
    lexicons: &rekindle_analysis::Lexicons,
    classified: ClassifiedAsStored,
) -> SnapshotMade {
    let made = crate::postmortem::chat_by_id(store, counts.chat_id).and_then(|chat| {
        let exactly_these =
            classified.in_order && counts.already_had == 0 && chat.messages == counts.added;
        if exactly_these {
            crate::postmortem::save_snapshot(
                store,
                &chat,
                lexicons,
                classified.prepared,
                classified.skipped,
            )
            .map(|()| SnapshotMade::WhileStoring)
        } else {
            crate::postmortem::refresh_snapshot(store, chat.id, lexicons)
                .map(|()| SnapshotMade::ReadBack)
        }
    });
    made.unwrap_or_else(|e| {
        tracing::warn!(event = "snapshot_failed", error = %e);
        SnapshotMade::No
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn big_files_read_in_halves_are_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.txt");
        let bytes: Vec<u8> = (0..(PARALLEL_READ_BYTES as usize + 12_345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_whole(&path, bytes.len() as u64).unwrap(), bytes);
        let small = &bytes[..1000];
        std::fs::write(&path, small).unwrap();
        assert_eq!(read_whole(&path, small.len() as u64).unwrap(), small);
    }

    #[test]
    fn local_ms_round_trips_and_ignores_time_zones() {
        let t = DateTime::constant(2024, 3, 31, 2, 30, 15, 250_000_000);
        assert_eq!(from_local_ms(local_ms(t)), Some(t));
        assert_eq!(local_ms(DateTime::constant(1970, 1, 1, 0, 0, 1, 0)), 1000);
        assert!(local_ms(DateTime::constant(1969, 12, 31, 23, 59, 59, 0)) < 0);
    }
}
