//! [`PgStore`]: the `Store` trait for one account, on PostgreSQL, with every
//! content column sealed under the account's data key.
//!
//! Behaviour matches `SqliteVault`: versions append, `restore` only into an
//! empty store and all or nothing, imports all or nothing and idempotent,
//! messages in the order (local time, then insertion), `messages_at`
//! positions in that order.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use rekindle_core::relationship::Relationship;
use rekindle_core::settings::Settings;
use rekindle_store::chats::{
    ChatInfo, ExportedChat, ExportedImport, ImportCounts, MessageSink, NewChat, NewMessage,
    SenderCounts, StoredMessage,
};
use rekindle_store::items::{Item, ItemVersion};
use rekindle_store::{ExportDocument, Store, StoreError, USER_TABLES, Versioned};
use zeroize::Zeroizing;

use crate::PgError;
use crate::db::{Pool, blocking, bump_ids, in_owner_tx, next_ids};
use crate::seal::{Sealer, SecretKey};

/// One account's store. Holds the pool (a connection is taken per call and
/// given back after it), the account id and the account's data key (wiped
/// on drop). `Send`: the web app may move it between threads.
pub struct PgStore {
    pool: Pool,
    owner: i64,
    data_key: SecretKey,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("owner", &self.owner)
            .finish()
    }
}

/// Failures inside a store operation: the database's, or the store's own
/// (not found, not empty, import aborted...).
enum Fail {
    Pg(PgError),
    Store(StoreError),
}

impl From<PgError> for Fail {
    fn from(e: PgError) -> Self {
        Fail::Pg(e)
    }
}
impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Self {
        Fail::Pg(e.into())
    }
}
impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}
impl From<Fail> for StoreError {
    fn from(f: Fail) -> Self {
        match f {
            Fail::Pg(e) => e.into(),
            Fail::Store(e) => e,
        }
    }
}

type R<T> = Result<T, Fail>;

fn ts(ms: i64) -> R<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|_| Fail::Pg(PgError::Corrupt))
}

fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> R<T> {
    serde_json::from_slice(bytes).map_err(|_| Fail::Pg(PgError::Corrupt))
}

fn to_json<T: serde::Serialize>(value: &T) -> R<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Fail::Store(StoreError::Database(e.to_string())))
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

// Table names in the associated data (and in SQL).
const T_REL: &str = "relationship_versions";
const T_SETTINGS: &str = "settings";
const T_ITEM_VERSIONS: &str = "item_versions";
const T_CHATS: &str = "chats";
const T_MESSAGES: &str = "chat_messages";
const T_IMPORTS: &str = "chat_imports";
const T_SENDERS: &str = "chat_senders";
const T_SNAPSHOTS: &str = "chat_snapshots";

/// sender, kind, text and content key of one message, as one sealed column:
/// `[has sender][u32 sender len][sender][u32 kind len][kind][16-byte key][text]`.
fn encode_body(sender: Option<&str>, kind: &str, text: &str, key: &[u8; 16]) -> Zeroizing<Vec<u8>> {
    let sender_bytes = sender.unwrap_or("").as_bytes();
    let mut out = Vec::with_capacity(1 + 8 + sender_bytes.len() + kind.len() + 16 + text.len());
    out.push(u8::from(sender.is_some()));
    out.extend_from_slice(&(sender_bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(sender_bytes);
    out.extend_from_slice(&(kind.len() as u32).to_be_bytes());
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(text.as_bytes());
    Zeroizing::new(out)
}

fn decode_body(bytes: &[u8]) -> Option<(Option<String>, String, String, [u8; 16])> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if b.len() < n {
            return None;
        }
        let (head, rest) = b.split_at(n);
        *b = rest;
        Some(head)
    }
    fn take_str(b: &mut &[u8]) -> Option<String> {
        let len = u32::from_be_bytes(take(b, 4)?.try_into().ok()?) as usize;
        String::from_utf8(take(b, len)?.to_vec()).ok()
    }
    let mut b = bytes;
    let has_sender = take(&mut b, 1)?[0] == 1;
    let sender = take_str(&mut b)?;
    let kind = take_str(&mut b)?;
    let key: [u8; 16] = take(&mut b, 16)?.try_into().ok()?;
    let text = String::from_utf8(b.to_vec()).ok()?;
    Some((has_sender.then_some(sender), kind, text, key))
}

fn message_row(chat_id: i64, id: i64) -> String {
    format!("{chat_id}/{id}")
}

fn open_message(
    sealer: &Sealer,
    chat_id: i64,
    id: i64,
    local_ms: i64,
    offset_seconds: Option<i32>,
    body: &[u8],
) -> R<StoredMessage> {
    let plain = Zeroizing::new(sealer.open(T_MESSAGES, &message_row(chat_id, id), "body", body)?);
    let (sender, kind, text, key) = decode_body(&plain).ok_or(Fail::Pg(PgError::Corrupt))?;
    Ok(StoredMessage {
        local_ms,
        offset_seconds,
        sender,
        kind,
        text,
        key: hex::encode(key),
    })
}

/// The keyed hash of a sender (or of "no sender") for `chat_senders`.
fn sender_mac(sealer: &Sealer, sender: Option<&str>) -> Vec<u8> {
    match sender {
        None => sealer.mac("sender", &[0]),
        Some(s) => {
            let mut v = Vec::with_capacity(1 + s.len());
            v.push(1);
            v.extend_from_slice(s.as_bytes());
            sealer.mac("sender", &v)
        }
    }
}

/// The keyed hash of a content key (16 bytes of HMAC are plenty for idempotence).
fn content_mac(sealer: &Sealer, key: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(&sealer.mac("content-key", key)[..16]);
    out
}

/// Adds the per-sender counts of an import or restore to `chat_senders`.
fn save_sender_counts(
    counts: &SenderCounts,
    tx: &mut Transaction<'_>,
    sealer: &mut Sealer,
    owner: i64,
    chat_id: i64,
) -> R<()> {
    for (sender, n) in counts.iter() {
        let mac = sender_mac(sealer, sender);
        let row = format!("{chat_id}/{}", hex::encode(&mac));
        let sealed = sealer.seal_opt(T_SENDERS, &row, "sender", sender)?;
        tx.execute(
            "INSERT INTO chat_senders (owner_id, chat_id, sender_mac, sender, messages)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (owner_id, chat_id, sender_mac)
             DO UPDATE SET messages = chat_senders.messages + excluded.messages",
            &[&owner, &chat_id, &mac, &sealed, &count(n)],
        )?;
    }
    Ok(())
}

/// Streams the new messages of one chat into a temporary table with binary
/// COPY (row-level security forbids COPY into the table itself), skipping
/// those whose content key the chat already holds; `finish` moves them in
/// with one INSERT ... SELECT.
struct MessageCopy<'t, 's> {
    writer: BinaryCopyInWriter<'t>,
    sealer: &'s mut Sealer,
    chat_id: i64,
    seen: HashSet<(i64, [u8; 16])>,
    last_id: i64,
    added: u64,
    already_had: u64,
    added_by: SenderCounts,
    error: Option<Fail>,
    was_empty: bool,
}

const COPY_TYPES: &[Type] = &[Type::INT8, Type::INT8, Type::INT4, Type::BYTEA, Type::BYTEA];

/// What a finished copy added.
struct Copied {
    last_id: i64,
    added: u64,
    already_had: u64,
    added_by: SenderCounts,
}

impl<'t, 's> MessageCopy<'t, 's> {
    fn start(
        tx: &'t mut Transaction<'_>,
        sealer: &'s mut Sealer,
        owner: i64,
        chat_id: i64,
        last_id: i64,
    ) -> R<MessageCopy<'t, 's>> {
        let mut seen = HashSet::new();
        let mut rows = tx.query_raw(
            "SELECT local_ms, content_mac FROM chat_messages WHERE owner_id = $1 AND chat_id = $2",
            [&owner as &dyn ToSql, &chat_id],
        )?;
        while let Some(r) = rows.next()? {
            let mac: &[u8] = r.get(1);
            let mac: [u8; 16] = mac.try_into().map_err(|_| PgError::Corrupt)?;
            seen.insert((r.get::<_, i64>(0), mac));
        }
        drop(rows);
        tx.batch_execute(
            "CREATE TEMP TABLE import_messages (
                 id bigint, local_ms bigint, offset_seconds integer, content_mac bytea, body bytea
             ) ON COMMIT DROP",
        )?;
        let sink = tx.copy_in(
            "COPY import_messages (id, local_ms, offset_seconds, content_mac, body) FROM STDIN (FORMAT binary)",
        )?;
        Ok(MessageCopy {
            writer: BinaryCopyInWriter::new(sink, COPY_TYPES),
            sealer,
            chat_id,
            was_empty: seen.is_empty(),
            seen,
            last_id,
            added: 0,
            already_had: 0,
            added_by: SenderCounts::default(),
            error: None,
        })
    }

    fn add(
        &mut self,
        local_ms: i64,
        offset_seconds: Option<i32>,
        sender: Option<&str>,
        kind: &str,
        text: &str,
        key: &[u8; 16],
    ) -> R<()> {
        let mac = content_mac(self.sealer, key);
        if !self.seen.insert((local_ms, mac)) {
            self.already_had += 1;
            return Ok(());
        }
        let id = self.last_id + 1;
        let body = encode_body(sender, kind, text, key);
        let sealed = self
            .sealer
            .seal(T_MESSAGES, &message_row(self.chat_id, id), "body", &body)?;
        self.writer
            .write(&[&id, &local_ms, &offset_seconds, &mac.as_slice(), &sealed])?;
        self.last_id = id;
        self.added += 1;
        self.added_by.add(sender);
        Ok(())
    }

    /// Ends the copy; the caller then runs [`move_copied`].
    fn finish(mut self) -> R<Copied> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.writer.finish()?;
        Ok(Copied {
            last_id: self.last_id,
            added: self.added,
            already_had: self.already_had,
            added_by: self.added_by,
        })
    }
}

impl MessageSink for MessageCopy<'_, '_> {
    fn chat_was_empty(&self) -> bool {
        self.was_empty
    }

    fn push(&mut self, m: &NewMessage<'_>) {
        if self.error.is_some() {
            return;
        }
        let mut key = [0u8; 16];
        key.copy_from_slice(&m.content_key[..16]);
        if let Err(e) = self.add(m.local_ms, m.offset_seconds, m.sender, m.kind, m.text, &key) {
            self.error = Some(e);
        }
    }
}

/// Moves the copied rows into `chat_messages` and records the chat's last
/// message id and the per-sender counts.
fn move_copied(
    tx: &mut Transaction<'_>,
    sealer: &mut Sealer,
    owner: i64,
    chat_id: i64,
    copied: &Copied,
) -> R<()> {
    tx.execute(
        "INSERT INTO chat_messages (owner_id, chat_id, id, local_ms, offset_seconds, content_mac, body)
         SELECT $1, $2, id, local_ms, offset_seconds, content_mac, body FROM import_messages",
        &[&owner, &chat_id],
    )?;
    tx.batch_execute("DROP TABLE import_messages")?;
    tx.execute(
        "UPDATE chats SET last_message_id = $3 WHERE owner_id = $1 AND id = $2",
        &[&owner, &chat_id, &copied.last_id],
    )?;
    save_sender_counts(&copied.added_by, tx, sealer, owner, chat_id)
}

fn insert_import(
    tx: &mut Transaction<'_>,
    sealer: &mut Sealer,
    owner: i64,
    chat_id: i64,
    i: &ExportedImport,
) -> R<()> {
    let id = next_ids(tx, owner, T_IMPORTS, 1)?;
    let summary = sealer.seal(
        T_IMPORTS,
        &id.to_string(),
        "summary",
        i.summary.to_string().as_bytes(),
    )?;
    tx.execute(
        "INSERT INTO chat_imports (owner_id, id, chat_id, imported_at_ms, added, already_had, skipped_lines, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &owner,
            &id,
            &chat_id,
            &i.imported_at.as_millisecond(),
            &count(i.added),
            &count(i.already_had),
            &count(i.skipped_lines),
            &summary,
        ],
    )?;
    Ok(())
}

impl PgStore {
    pub(crate) fn new(pool: Pool, owner: i64, data_key: SecretKey) -> PgStore {
        PgStore {
            pool,
            owner,
            data_key,
        }
    }

    /// The account this store belongs to.
    pub fn owner(&self) -> i64 {
        self.owner
    }

    /// Runs `work` in one transaction scoped to this store's owner, off the
    /// async workers, on a pooled connection.
    fn tx<T>(
        &self,
        work: impl FnOnce(&mut Transaction<'_>, &mut Sealer) -> R<T>,
    ) -> Result<T, StoreError> {
        let owner = self.owner;
        let mut sealer = Sealer::new(owner, &self.data_key);
        blocking(|| {
            let mut conn = self.pool.get().map_err(PgError::from)?;
            in_owner_tx(&mut conn, owner, |tx| work(tx, &mut sealer))
        })
        .map_err(StoreError::from)
    }

    fn counts_in(tx: &mut Transaction<'_>, owner: i64) -> R<Vec<(&'static str, u64)>> {
        let mut out = Vec::new();
        for &table in USER_TABLES {
            // Table names come from the fixed list, never from input.
            let n: i64 = tx
                .query_one(
                    &format!("SELECT count(*) FROM {table} WHERE owner_id = $1"),
                    &[&owner],
                )?
                .get(0);
            out.push((table, n as u64));
        }
        Ok(out)
    }

    fn versions_in(
        tx: &mut Transaction<'_>,
        sealer: &Sealer,
        owner: i64,
    ) -> R<Vec<Versioned<Relationship>>> {
        let rows = tx.query(
            "SELECT id, saved_at_ms, data FROM relationship_versions WHERE owner_id = $1 ORDER BY id",
            &[&owner],
        )?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let plain =
                    Zeroizing::new(sealer.open(T_REL, &id.to_string(), "data", r.get(2))?);
                Ok(Versioned {
                    saved_at: ts(r.get(1))?,
                    data: json(&plain)?,
                })
            })
            .collect()
    }

    fn settings_in(tx: &mut Transaction<'_>, sealer: &Sealer, owner: i64) -> R<Settings> {
        match tx.query_opt("SELECT data FROM settings WHERE owner_id = $1", &[&owner])? {
            Some(r) => {
                let plain =
                    Zeroizing::new(sealer.open(T_SETTINGS, "settings", "data", r.get(0))?);
                json(&plain)
            }
            None => Ok(Settings::default()),
        }
    }

    /// Items with all their versions: of one kind, one id, or all.
    fn items_in(
        tx: &mut Transaction<'_>,
        sealer: &Sealer,
        owner: i64,
        kind: Option<&str>,
        id: Option<i64>,
    ) -> R<Vec<Item>> {
        let rows = tx.query(
            "SELECT i.id, i.kind, i.created_at_ms, v.id, v.saved_at_ms, v.data
             FROM items i JOIN item_versions v ON v.owner_id = i.owner_id AND v.item_id = i.id
             WHERE i.owner_id = $1 AND ($2::text IS NULL OR i.kind = $2) AND ($3::bigint IS NULL OR i.id = $3)
             ORDER BY i.id, v.id",
            &[&owner, &kind, &id],
        )?;
        let mut out: Vec<Item> = Vec::new();
        for r in &rows {
            let id: i64 = r.get(0);
            let version_id: i64 = r.get(3);
            let plain = Zeroizing::new(sealer.open(
                T_ITEM_VERSIONS,
                &version_id.to_string(),
                "data",
                r.get(5),
            )?);
            let version = ItemVersion {
                saved_at: ts(r.get(4))?,
                data: json(&plain)?,
            };
            match out.last_mut() {
                Some(item) if item.id == id => item.versions.push(version),
                _ => out.push(Item {
                    id,
                    kind: r.get(1),
                    created_at: ts(r.get(2))?,
                    versions: vec![version],
                }),
            }
        }
        Ok(out)
    }

    fn imports_in(
        tx: &mut Transaction<'_>,
        sealer: &Sealer,
        owner: i64,
        chat_id: i64,
    ) -> R<Vec<ExportedImport>> {
        let rows = tx.query(
            "SELECT id, imported_at_ms, added, already_had, skipped_lines, summary FROM chat_imports
             WHERE owner_id = $1 AND chat_id = $2 ORDER BY id",
            &[&owner, &chat_id],
        )?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let plain =
                    Zeroizing::new(sealer.open(T_IMPORTS, &id.to_string(), "summary", r.get(5))?);
                Ok(ExportedImport {
                    imported_at: ts(r.get(1))?,
                    added: r.get::<_, i64>(2) as u64,
                    already_had: r.get::<_, i64>(3) as u64,
                    skipped_lines: r.get::<_, i64>(4) as u64,
                    summary: json(&plain)?,
                })
            })
            .collect()
    }

    fn each_message_in(
        tx: &mut Transaction<'_>,
        sealer: &Sealer,
        owner: i64,
        chat_id: i64,
        visit: &mut dyn FnMut(&StoredMessage),
    ) -> R<()> {
        // query_raw streams the rows: a long chat is never all in memory.
        let mut rows = tx.query_raw(
            "SELECT id, local_ms, offset_seconds, body FROM chat_messages
             WHERE owner_id = $1 AND chat_id = $2 ORDER BY local_ms, id",
            [&owner as &dyn ToSql, &chat_id],
        )?;
        while let Some(r) = rows.next()? {
            let m = open_message(sealer, chat_id, r.get(0), r.get(1), r.get(2), r.get(3))?;
            visit(&m);
        }
        Ok(())
    }

    fn chat_in(sealer: &Sealer, r: &postgres::Row) -> R<(i64, NewChat, i64)> {
        let id: i64 = r.get(0);
        let row = id.to_string();
        Ok((
            id,
            NewChat {
                source_key: sealer.open_string(T_CHATS, &row, "source_key", r.get(1))?,
                format: sealer.open_string(T_CHATS, &row, "format", r.get(2))?,
                title: sealer.open_opt(T_CHATS, &row, "title", r.get(3))?,
                me: sealer.open_opt(T_CHATS, &row, "me", r.get(4))?,
                ex: sealer.open_opt(T_CHATS, &row, "ex", r.get(5))?,
            },
            r.get(6),
        ))
    }

    fn chats_in(
        tx: &mut Transaction<'_>,
        sealer: &Sealer,
        owner: i64,
    ) -> R<Vec<(i64, NewChat, i64)>> {
        let rows = tx.query(
            "SELECT id, source_key, format, title, me, ex, created_at_ms FROM chats WHERE owner_id = $1 ORDER BY id",
            &[&owner],
        )?;
        rows.iter().map(|r| Self::chat_in(sealer, r)).collect()
    }

    /// Inserts a new chat row with sealed columns.
    fn insert_chat(
        tx: &mut Transaction<'_>,
        sealer: &mut Sealer,
        owner: i64,
        chat: &NewChat,
        created_at_ms: i64,
        on_conflict_nothing: bool,
    ) -> R<i64> {
        let id = next_ids(tx, owner, T_CHATS, 1)?;
        let row = id.to_string();
        let mac = sealer.mac("chat-source", chat.source_key.as_bytes());
        let source_key = sealer.seal(T_CHATS, &row, "source_key", chat.source_key.as_bytes())?;
        let format = sealer.seal(T_CHATS, &row, "format", chat.format.as_bytes())?;
        let title = sealer.seal_opt(T_CHATS, &row, "title", chat.title.as_deref())?;
        let me = sealer.seal_opt(T_CHATS, &row, "me", chat.me.as_deref())?;
        let ex = sealer.seal_opt(T_CHATS, &row, "ex", chat.ex.as_deref())?;
        let conflict = if on_conflict_nothing {
            " ON CONFLICT (owner_id, source_mac) DO NOTHING"
        } else {
            ""
        };
        tx.execute(
            &format!(
                "INSERT INTO chats (owner_id, id, source_mac, source_key, format, title, me, ex, created_at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9){conflict}"
            ),
            &[&owner, &id, &mac, &source_key, &format, &title, &me, &ex, &created_at_ms],
        )?;
        Ok(id)
    }
}

impl Store for PgStore {
    fn relationship(&self) -> Result<Option<Relationship>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let row = tx.query_opt(
                "SELECT id, data FROM relationship_versions WHERE owner_id = $1 ORDER BY id DESC LIMIT 1",
                &[&owner],
            )?;
            row.map(|r| {
                let id: i64 = r.get(0);
                let plain = Zeroizing::new(sealer.open(T_REL, &id.to_string(), "data", r.get(1))?);
                json(&plain)
            })
            .transpose()
        })
    }

    fn save_relationship(&mut self, value: &Relationship, at: Timestamp) -> Result<(), StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let id = next_ids(tx, owner, T_REL, 1)?;
            let data = sealer.seal(T_REL, &id.to_string(), "data", &Zeroizing::new(to_json(value)?))?;
            tx.execute(
                "INSERT INTO relationship_versions (owner_id, id, saved_at_ms, data) VALUES ($1, $2, $3, $4)",
                &[&owner, &id, &at.as_millisecond(), &data],
            )?;
            Ok(())
        })
    }

    fn relationship_history(&self) -> Result<Vec<Versioned<Relationship>>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| Self::versions_in(tx, sealer, owner))
    }

    fn settings(&self) -> Result<Settings, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| Self::settings_in(tx, sealer, owner))
    }

    fn save_settings(&mut self, value: &Settings) -> Result<(), StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let data = sealer.seal(
                T_SETTINGS,
                "settings",
                "data",
                &Zeroizing::new(to_json(value)?),
            )?;
            tx.execute(
                "INSERT INTO settings (owner_id, data) VALUES ($1, $2)
                 ON CONFLICT (owner_id) DO UPDATE SET data = excluded.data",
                &[&owner, &data],
            )?;
            Ok(())
        })
    }

    fn export(&self) -> Result<ExportDocument, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let mut doc = ExportDocument::new(
                Self::settings_in(tx, sealer, owner)?,
                Self::versions_in(tx, sealer, owner)?,
            );
            for (id, chat, created) in Self::chats_in(tx, sealer, owner)? {
                let mut messages = Vec::new();
                Self::each_message_in(tx, sealer, owner, id, &mut |m| messages.push(m.clone()))?;
                doc.chats.push(ExportedChat {
                    chat,
                    created_at: ts(created)?,
                    messages,
                    imports: Self::imports_in(tx, sealer, owner, id)?,
                });
            }
            doc.items = Self::items_in(tx, sealer, owner, None, None)?;
            Ok(doc)
        })
    }

    fn restore(&mut self, doc: &ExportDocument) -> Result<(), StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            if Self::counts_in(tx, owner)?.iter().any(|(_, n)| *n > 0) {
                return Err(StoreError::NotEmpty.into());
            }
            let data = sealer.seal(T_SETTINGS, "settings", "data", &Zeroizing::new(to_json(&doc.settings)?))?;
            tx.execute("INSERT INTO settings (owner_id, data) VALUES ($1, $2)", &[&owner, &data])?;
            for v in &doc.relationship_history {
                let id = next_ids(tx, owner, T_REL, 1)?;
                let data = sealer.seal(T_REL, &id.to_string(), "data", &Zeroizing::new(to_json(&v.data)?))?;
                tx.execute(
                    "INSERT INTO relationship_versions (owner_id, id, saved_at_ms, data) VALUES ($1, $2, $3, $4)",
                    &[&owner, &id, &v.saved_at.as_millisecond(), &data],
                )?;
            }
            for item in &doc.items {
                // Ids are kept: items refer to each other by id.
                tx.execute(
                    "INSERT INTO items (owner_id, id, kind, created_at_ms) VALUES ($1, $2, $3, $4)",
                    &[&owner, &item.id, &item.kind, &item.created_at.as_millisecond()],
                )?;
                bump_ids(tx, owner, "items", item.id)?;
                for v in &item.versions {
                    let vid = next_ids(tx, owner, T_ITEM_VERSIONS, 1)?;
                    let data = sealer.seal(
                        T_ITEM_VERSIONS,
                        &vid.to_string(),
                        "data",
                        v.data.to_string().as_bytes(),
                    )?;
                    tx.execute(
                        "INSERT INTO item_versions (owner_id, id, item_id, saved_at_ms, data) VALUES ($1, $2, $3, $4, $5)",
                        &[&owner, &vid, &item.id, &v.saved_at.as_millisecond(), &data],
                    )?;
                }
            }
            for chat in &doc.chats {
                let chat_id = Self::insert_chat(tx, sealer, owner, &chat.chat, chat.created_at.as_millisecond(), false)?;
                let copied = {
                    let mut copy = MessageCopy::start(tx, sealer, owner, chat_id, 0)?;
                    for m in &chat.messages {
                        let key: [u8; 16] = hex::decode(&m.key)
                            .ok()
                            .and_then(|k| k.try_into().ok())
                            .ok_or_else(|| StoreError::BadExport("a message key is not 32 hex digits".into()))?;
                        copy.add(m.local_ms, m.offset_seconds, m.sender.as_deref(), &m.kind, &m.text, &key)?;
                    }
                    copy.finish()?
                };
                move_copied(tx, sealer, owner, chat_id, &copied)?;
                for i in &chat.imports {
                    insert_import(tx, sealer, owner, chat_id, i)?;
                }
            }
            Ok(())
        })
    }

    fn import_chat(
        &mut self,
        chat: &NewChat,
        at: Timestamp,
        skipped_lines: u64,
        summary: &serde_json::Value,
        feed: &mut dyn FnMut(&mut dyn MessageSink) -> Result<(), String>,
    ) -> Result<ImportCounts, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            Self::insert_chat(tx, sealer, owner, chat, at.as_millisecond(), true)?;
            // The chat row stays locked until commit: imports of one chat take turns.
            let mac = sealer.mac("chat-source", chat.source_key.as_bytes());
            let r = tx.query_one(
                "SELECT id, title IS NULL, me IS NULL, ex IS NULL, last_message_id FROM chats
                 WHERE owner_id = $1 AND source_mac = $2 FOR UPDATE",
                &[&owner, &mac],
            )?;
            let chat_id: i64 = r.get(0);
            let row = chat_id.to_string();
            // Like the SQLite vault: fill in title, me and ex only where unknown.
            for (column, missing, value) in [
                ("title", r.get::<_, bool>(1), chat.title.as_deref()),
                ("me", r.get::<_, bool>(2), chat.me.as_deref()),
                ("ex", r.get::<_, bool>(3), chat.ex.as_deref()),
            ] {
                if let (true, Some(value)) = (missing, value) {
                    let sealed = sealer.seal(T_CHATS, &row, column, value.as_bytes())?;
                    tx.execute(
                        &format!("UPDATE chats SET {column} = $3 WHERE owner_id = $1 AND id = $2"),
                        &[&owner, &chat_id, &sealed],
                    )?;
                }
            }
            let copied = {
                let mut copy = MessageCopy::start(tx, sealer, owner, chat_id, r.get(4))?;
                // On any failure the transaction is dropped, i.e. rolled back.
                feed(&mut copy).map_err(StoreError::ImportAborted)?;
                copy.finish()?
            };
            move_copied(tx, sealer, owner, chat_id, &copied)?;
            let counts = ImportCounts {
                chat_id,
                added: copied.added,
                already_had: copied.already_had,
            };
            insert_import(
                tx,
                sealer,
                owner,
                chat_id,
                &ExportedImport {
                    imported_at: at,
                    added: counts.added,
                    already_had: counts.already_had,
                    skipped_lines,
                    summary: summary.clone(),
                },
            )?;
            tracing::info!(
                event = "pg_chat_imported",
                owner,
                chat_id,
                added = counts.added
            );
            Ok(counts)
        })
    }

    fn chats(&self) -> Result<Vec<ChatInfo>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let chats = Self::chats_in(tx, sealer, owner)?;
            let mut senders: HashMap<i64, Vec<(Option<String>, u64)>> = HashMap::new();
            for r in tx.query(
                "SELECT chat_id, sender_mac, sender, messages FROM chat_senders WHERE owner_id = $1",
                &[&owner],
            )? {
                let chat_id: i64 = r.get(0);
                let mac: &[u8] = r.get(1);
                let row = format!("{chat_id}/{}", hex::encode(mac));
                let name = sealer.open_opt(T_SENDERS, &row, "sender", r.get(2))?;
                senders
                    .entry(chat_id)
                    .or_default()
                    .push((name, r.get::<_, i64>(3) as u64));
            }
            Ok(chats
                .into_iter()
                .map(|(id, chat, _)| {
                    let mut list = senders.remove(&id).unwrap_or_default();
                    let messages = list.iter().map(|(_, n)| n).sum();
                    // The SQLite vault's `ORDER BY messages DESC, sender`.
                    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    ChatInfo {
                        id,
                        format: chat.format,
                        title: chat.title,
                        me: chat.me,
                        ex: chat.ex,
                        messages,
                        senders: list.into_iter().filter_map(|(s, n)| s.map(|s| (s, n))).collect(),
                    }
                })
                .collect())
        })
    }

    fn save_item(
        &mut self,
        kind: &str,
        id: Option<i64>,
        data: &serde_json::Value,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let id = match id {
                Some(id) => {
                    let found = tx.query_opt(
                        "SELECT kind FROM items WHERE owner_id = $1 AND id = $2",
                        &[&owner, &id],
                    )?;
                    if found.map(|r| r.get::<_, String>(0)).as_deref() != Some(kind) {
                        return Err(StoreError::NotFound.into());
                    }
                    id
                }
                None => {
                    let id = next_ids(tx, owner, "items", 1)?;
                    tx.execute(
                        "INSERT INTO items (owner_id, id, kind, created_at_ms) VALUES ($1, $2, $3, $4)",
                        &[&owner, &id, &kind, &at.as_millisecond()],
                    )?;
                    id
                }
            };
            let vid = next_ids(tx, owner, T_ITEM_VERSIONS, 1)?;
            let sealed = sealer.seal(T_ITEM_VERSIONS, &vid.to_string(), "data", data.to_string().as_bytes())?;
            tx.execute(
                "INSERT INTO item_versions (owner_id, id, item_id, saved_at_ms, data) VALUES ($1, $2, $3, $4, $5)",
                &[&owner, &vid, &id, &at.as_millisecond(), &sealed],
            )?;
            Ok(id)
        })
    }

    fn items(&self, kind: &str) -> Result<Vec<Item>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| Self::items_in(tx, sealer, owner, Some(kind), None))
    }

    fn item(&self, id: i64) -> Result<Option<Item>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            Ok(Self::items_in(tx, sealer, owner, None, Some(id))?
                .into_iter()
                .next())
        })
    }

    fn chat_imports(&self, chat_id: i64) -> Result<Vec<ExportedImport>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| Self::imports_in(tx, sealer, owner, chat_id))
    }

    fn set_chat_roles(
        &mut self,
        chat_id: i64,
        me: Option<&str>,
        ex: Option<&str>,
    ) -> Result<(), StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let row = chat_id.to_string();
            let me = sealer.seal_opt(T_CHATS, &row, "me", me)?;
            let ex = sealer.seal_opt(T_CHATS, &row, "ex", ex)?;
            let changed = tx.execute(
                "UPDATE chats SET me = $3, ex = $4 WHERE owner_id = $1 AND id = $2",
                &[&owner, &chat_id, &me, &ex],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
    }

    fn chat_snapshot(&self, chat_id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let row = tx.query_opt(
                "SELECT key, data FROM chat_snapshots WHERE owner_id = $1 AND chat_id = $2",
                &[&owner, &chat_id],
            )?;
            let Some(row) = row else {
                return Ok(None);
            };
            let key: String = row.get(0);
            let data = sealer.open(T_SNAPSHOTS, &chat_id.to_string(), "data", row.get(1))?;
            Ok(Some((key, data)))
        })
    }

    fn save_chat_snapshot(
        &mut self,
        chat_id: i64,
        key: &str,
        data: &[u8],
    ) -> Result<(), StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            let sealed = sealer.seal(T_SNAPSHOTS, &chat_id.to_string(), "data", data)?;
            let changed = tx.execute(
                "INSERT INTO chat_snapshots (owner_id, chat_id, key, data)
                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM chats WHERE owner_id = $1 AND id = $2)
                 ON CONFLICT (owner_id, chat_id) DO UPDATE SET key = excluded.key, data = excluded.data",
                &[&owner, &chat_id, &key, &sealed],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
    }

    fn delete_chat(&mut self, chat_id: i64) -> Result<(), StoreError> {
        let owner = self.owner;
        self.tx(|tx, _| {
            for table in [
                "chat_messages",
                "chat_imports",
                "chat_senders",
                "chat_snapshots",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE owner_id = $1 AND chat_id = $2"),
                    &[&owner, &chat_id],
                )?;
            }
            let gone = tx.execute(
                "DELETE FROM chats WHERE owner_id = $1 AND id = $2",
                &[&owner, &chat_id],
            )?;
            if gone == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
    }

    fn for_each_message(
        &self,
        chat_id: i64,
        visit: &mut dyn FnMut(&StoredMessage),
    ) -> Result<(), StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| Self::each_message_in(tx, sealer, owner, chat_id, visit))
    }

    fn messages_at(
        &self,
        chat_id: i64,
        positions: &[u64],
    ) -> Result<Vec<(u64, StoredMessage)>, StoreError> {
        let mut wanted = positions.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let (Some(&first), Some(&last)) = (wanted.first(), wanted.last()) else {
            return Ok(Vec::new());
        };
        let owner = self.owner;
        self.tx(|tx, sealer| {
            // Positions to (time, id) from the primary key alone, one pass
            // from the first wanted to the last.
            let limit = i64::try_from((last - first).saturating_add(1)).unwrap_or(i64::MAX);
            let offset = i64::try_from(first).unwrap_or(i64::MAX);
            let mut keys: Vec<(u64, i64, i64)> = Vec::with_capacity(wanted.len());
            {
                let mut rows = tx.query_raw(
                    "SELECT local_ms, id FROM chat_messages WHERE owner_id = $1 AND chat_id = $2
                     ORDER BY local_ms, id LIMIT $3 OFFSET $4",
                    [&owner as &dyn ToSql, &chat_id, &limit, &offset],
                )?;
                let mut next = wanted.iter().copied().peekable();
                let mut pos = first;
                while let Some(r) = rows.next()? {
                    if next.peek() == Some(&pos) {
                        keys.push((pos, r.get(0), r.get(1)));
                        next.next();
                    }
                    pos += 1;
                }
            }
            // Then only those rows.
            let times: Vec<i64> = keys.iter().map(|k| k.1).collect();
            let ids: Vec<i64> = keys.iter().map(|k| k.2).collect();
            let mut found = HashMap::new();
            for r in tx.query(
                "SELECT m.local_ms, m.id, m.offset_seconds, m.body FROM chat_messages m
                 JOIN unnest($3::bigint[], $4::bigint[]) AS k (local_ms, id)
                   ON m.local_ms = k.local_ms AND m.id = k.id
                 WHERE m.owner_id = $1 AND m.chat_id = $2",
                &[&owner, &chat_id, &times, &ids],
            )? {
                let (local_ms, id): (i64, i64) = (r.get(0), r.get(1));
                found.insert(
                    id,
                    open_message(sealer, chat_id, id, local_ms, r.get(2), r.get(3))?,
                );
            }
            Ok(keys
                .into_iter()
                .filter_map(|(pos, _, id)| found.remove(&id).map(|m| (pos, m)))
                .collect())
        })
    }

    fn messages_at_time(
        &self,
        chat_id: i64,
        local_ms: i64,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, sealer| {
            tx.query(
                "SELECT id, local_ms, offset_seconds, body FROM chat_messages
                 WHERE owner_id = $1 AND chat_id = $2 AND local_ms = $3 ORDER BY id",
                &[&owner, &chat_id, &local_ms],
            )?
            .iter()
            .map(|r| open_message(sealer, chat_id, r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
        })
    }

    fn counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        let owner = self.owner;
        self.tx(|tx, _| Self::counts_in(tx, owner))
    }
}
