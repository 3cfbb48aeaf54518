//! The SQLCipher-backed vault: the whole database file (tables, indexes, free
//! pages, WAL) is encrypted with the data key.

use std::fs::File;
use std::path::Path;

use jiff::Timestamp;
use rekindle_core::relationship::Relationship;
use rekindle_core::settings::Settings;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use zeroize::Zeroizing;

use crate::chats::{
    ChatInfo, ExportedChat, ExportedImport, ImportCounts, MessageSink, NewChat, NewMessage,
    SenderCounts, StoredMessage,
};
use crate::export::{ExportDocument, Versioned};
use crate::items::{Item, ItemVersion};
use crate::keyfile::SecretKey;
use crate::{LOCAL_OWNER, Store, StoreError, fsutil};

/// Schema migrations, applied in order inside one transaction each; the
/// number reached is kept in `PRAGMA user_version`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_init.sql"),
    include_str!("../migrations/sqlite/0002_chats.sql"),
    include_str!("../migrations/sqlite/0003_items.sql"),
    include_str!("../migrations/sqlite/0004_chat_senders.sql"),
    include_str!("../migrations/sqlite/0005_chat_snapshots.sql"),
];

/// Tables holding user data, for counts and completeness checks.
pub const USER_TABLES: &[&str] = &[
    "relationship_versions",
    "settings",
    "chats",
    "chat_messages",
    "chat_imports",
    "chat_senders",
    "items",
    "item_versions",
];

pub struct SqliteVault {
    conn: Connection,
    owner: i64,
    /// To open a second connection to the same vault ([`Self::open_another`]);
    /// the key is wiped when the vault is dropped.
    path: std::path::PathBuf,
    /// Boxed: a vault is moved by value (out of the task that opened it),
    /// and an inline key would leave a copy in every frame it passes.
    dek: Box<SecretKey>,
    /// Shared by this connection and every one opened from it with
    /// [`Self::open_another`]: how many are open (see [`Self::other_connections`]).
    connections: std::sync::Arc<()>,
}

impl std::fmt::Debug for SqliteVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteVault")
            .field("owner", &self.owner)
            .finish()
    }
}

/// The check every unlock runs (issue 17): the file is whole pages, and
/// every page's HMAC (SQLCipher's `cipher_integrity_check`) matches, so any
/// changed, truncated or zeroed byte of the file is found. It hashes the
/// file once without decrypting or parsing it, so it costs far less than
/// `PRAGMA quick_check` (BENCHMARKS.md, "Vault checks"). It reads the main
/// file only: if a write-ahead log is left from a crash, the log is first
/// copied into the file (what SQLite does on close anyway), so a page torn
/// by a crash while the log still holds it whole is not taken for damage.
fn pages_intact(conn: &Connection, path: &Path) -> Result<bool, StoreError> {
    // SQLCipher answers with its own page size, as text.
    let page_size: String = conn.query_row("PRAGMA cipher_page_size", [], |r| r.get(0))?;
    let page_size: u64 = page_size.trim().parse().unwrap_or(0);
    if page_size == 0 {
        return Ok(false);
    }
    // Whole pages, each with its HMAC intact.
    let intact = |conn: &Connection| -> Result<bool, StoreError> {
        let len = std::fs::metadata(path)
            .map_err(|e| StoreError::io(path, e))?
            .len();
        if len % page_size != 0 {
            return Ok(false);
        }
        let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
        let problems = stmt.query_map([], |_| Ok(()))?.count();
        Ok(problems == 0)
    };
    if intact(conn)? {
        return Ok(true);
    }
    // A crash during a checkpoint can leave a page torn, or the file ending
    // part-way through a page it was extended by (power loss test,
    // tests/power_loss.rs); the log still holds those pages whole.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_len = std::fs::metadata(std::path::PathBuf::from(wal)).map_or(0, |m| m.len());
    if wal_len == 0 {
        return Ok(false);
    }
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    intact(conn)
}

/// Finishes SQLCipher's one-time set-up before any vault is opened.
///
/// SQLite marks itself initialised *before* it runs SQLCipher's extra
/// initialisation, so a second thread opening a database at that moment
/// sees `PRAGMA key` fail ("An error occurred with PRAGMA key…") because
/// SQLCipher is not ready yet. Seen once in CI among parallel tests; two
/// threads unlocking at once in the server could meet it too. Opening a
/// throwaway in-memory database inside a `OnceLock` runs the whole
/// initialisation on one thread while every other caller waits for it.
fn sqlcipher_ready() -> Result<(), StoreError> {
    static READY: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| {
            Connection::open_in_memory()
                .and_then(|c| c.query_row("SELECT 1", [], |_| Ok(())))
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(StoreError::Database)
}

impl SqliteVault {
    /// Opens (or creates) the encrypted database with a raw 256-bit key, so
    /// SQLCipher's own key derivation is skipped: Argon2id already ran.
    pub fn open(path: &Path, dek: &SecretKey) -> Result<SqliteVault, StoreError> {
        SqliteVault::open_with(path, dek, false)
    }

    /// Opens an existing vault, checking its pages before anything else
    /// (before any migration could write to it): a vault file that fails
    /// [`SqliteVault::pages_intact`] is refused with [`StoreError::Damaged`]
    /// and not changed.
    pub fn open_existing(path: &Path, dek: &SecretKey) -> Result<SqliteVault, StoreError> {
        SqliteVault::open_with(path, dek, true)
    }

    fn open_with(path: &Path, dek: &SecretKey, check: bool) -> Result<SqliteVault, StoreError> {
        let opened = SqliteVault::open_keyed(path, dek, check);
        // SQLCipher's keying copied the key through the frames below.
        crate::keyfile::burn_stack();
        opened
    }

    #[inline(never)]
    fn open_keyed(path: &Path, dek: &SecretKey, check: bool) -> Result<SqliteVault, StoreError> {
        sqlcipher_ready()?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // SQLCipher would otherwise print its own diagnostics on a wrong key;
        // and it wipes the memory it frees from the keying on (not only after).
        conn.execute_batch("PRAGMA cipher_log_level = NONE; PRAGMA cipher_memory_security = ON;")?;
        // The key is hex of random bytes, never user input; wiped after use.
        let key_sql = Zeroizing::new(format!(
            "PRAGMA key = \"x'{}'\";",
            Zeroizing::new(hex::encode(dek.as_ref())).as_str()
        ));
        conn.execute_batch(&key_sql)?;
        drop(key_sql);
        // The first read proves the key matches the file.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|_| StoreError::Corrupt)?;
        if check && !pages_intact(&conn, path)? {
            tracing::warn!(event = "vault_damaged");
            return Err(StoreError::Damaged(path.to_path_buf()));
        }
        fsutil::make_private(path)?;
        conn.execute_batch(
            "PRAGMA cipher_memory_security = ON;
             PRAGMA secure_delete = ON;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -32768;",
        )?;
        // WAL + FULL: a commit that returned survives power loss (security.md item 37).
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "journal mode {mode} instead of WAL"
            )));
        }
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        // Query-planner stability: plans never depend on a bound value, so a
        // cached statement is not re-prepared each time it is bound to a
        // different kind or id. With cipher_memory_security every one of
        // the parser's allocations is an mlock/munlock pair, and those
        // re-prepares were most of a page view's time (seen with perf).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        let mut vault = SqliteVault {
            conn,
            owner: LOCAL_OWNER,
            path: path.to_path_buf(),
            dek: Box::new(dek.clone()),
            connections: std::sync::Arc::new(()),
        };
        vault.migrate()?;
        Ok(vault)
    }

    /// A second connection to this vault, for long work (a large import)
    /// that should not hold up the first: SQLite's WAL lets the first keep
    /// reading meanwhile, and the import stays one transaction.
    pub fn open_another(&self) -> Result<SqliteVault, StoreError> {
        let mut other = SqliteVault::open(&self.path, &self.dek)?;
        other.owner = self.owner;
        other.connections = self.connections.clone();
        Ok(other)
    }

    /// How many other connections opened from this one (or from which this
    /// one was opened) are still open: an import or a backup at work. The
    /// vault's files must not be removed while one is (see [`crate::DataDir::erase`]).
    pub fn other_connections(&self) -> usize {
        std::sync::Arc::strong_count(&self.connections).saturating_sub(1)
    }

    /// Opens the vault as an owner other than the local one. Only for the
    /// conformance suite's isolation test: a real vault has one owner.
    #[cfg(feature = "conformance")]
    #[doc(hidden)]
    pub fn open_as_owner(
        path: &Path,
        dek: &SecretKey,
        owner: i64,
    ) -> Result<SqliteVault, StoreError> {
        let mut vault = SqliteVault::open(path, dek)?;
        vault.owner = owner;
        Ok(vault)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let current: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
            tracing::info!(event = "migrated", schema = index + 1);
        }
        Ok(())
    }

    /// The database file this connection reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Caps the database at its current size plus `extra_pages` pages, so that
    /// writes beyond fail exactly as on a full disk (`SQLITE_FULL`). For the
    /// tests of security.md item 43; a real full disk gives the same error.
    #[doc(hidden)]
    pub fn simulate_full_disk(&self, extra_pages: u32) -> Result<(), StoreError> {
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let limit = pages + i64::from(extra_pages);
        let _set: i64 =
            self.conn
                .query_row(&format!("PRAGMA max_page_count = {limit}"), [], |r| {
                    r.get(0)
                })?;
        Ok(())
    }

    /// This connection's journal mode and `synchronous` level, as SQLite
    /// reports them now (security.md item 37: WAL with FULL, so a commit that
    /// returned survives power loss). `synchronous` is 2 for FULL.
    pub fn durability(&self) -> Result<(String, i64), StoreError> {
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let sync: i64 = self
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        Ok((mode, sync))
    }

    /// Runs SQLite's and SQLCipher's integrity checks; true when both pass.
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        let quick: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let mut stmt = self.conn.prepare("PRAGMA cipher_integrity_check")?;
        let cipher_problems = stmt.query_map([], |_| Ok(()))?.count();
        Ok(quick == "ok" && cipher_problems == 0)
    }

    /// Opens the vault for reading only, with no change to its files (no
    /// migration, no settings written): for a backup while another process
    /// (a running `rekindle serve`) has it open. SQLite's write-ahead log
    /// lets this connection read a consistent snapshot while the other
    /// writes. A vault of a newer schema is refused ([`StoreError::TooNew`]).
    pub fn open_read_only(path: &Path, dek: &SecretKey) -> Result<SqliteVault, StoreError> {
        sqlcipher_ready()?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        let key_sql = Zeroizing::new(format!(
            "PRAGMA key = \"x'{}'\";",
            hex::encode(dek.as_ref())
        ));
        conn.execute_batch(&key_sql)?;
        drop(key_sql);
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|_| StoreError::Corrupt)?;
        conn.execute_batch(
            "PRAGMA cipher_memory_security = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        let vault = SqliteVault {
            conn,
            owner: LOCAL_OWNER,
            path: path.to_path_buf(),
            dek: Box::new(dek.clone()),
            connections: std::sync::Arc::new(()),
        };
        let found = vault.schema_version()?;
        let known = MIGRATIONS.len() as i64;
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        Ok(vault)
    }

    /// Copies the vault, still encrypted with the same key, to `target` using
    /// `VACUUM INTO`, which is safe while the vault is in use (item 41).
    pub fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        if target.exists() {
            return Err(StoreError::AlreadyExists(target.to_path_buf()));
        }
        let target_str = target
            .to_str()
            .ok_or_else(|| StoreError::io(target, std::io::Error::other("path is not UTF-8")))?;
        self.conn.execute("VACUUM INTO ?1", params![target_str])?;
        fsutil::make_private(target)?;
        // VACUUM INTO does not flush its file: flushed here, so a backup
        // that was reported done survives a power cut.
        File::open(target)
            .and_then(|f| f.sync_all())
            .map_err(|e| StoreError::io(target, e))
    }

    fn versions(&self) -> Result<Vec<Versioned<Relationship>>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT saved_at_ms, data FROM relationship_versions WHERE owner_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![self.owner], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (ms, json) = row?;
            out.push(Versioned {
                saved_at: timestamp_from_ms(ms)?,
                data: serde_json::from_str(&json).map_err(|_| StoreError::Corrupt)?,
            });
        }
        Ok(out)
    }
}

const INSERT_MESSAGE: &str = "INSERT OR IGNORE INTO chat_messages
    (owner_id, chat_id, local_ms, offset_seconds, sender, kind, text, content_key)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// Writes the messages of one import with one prepared statement.
struct SqlSink<'t> {
    stmt: rusqlite::CachedStatement<'t>,
    owner: i64,
    chat_id: i64,
    added: u64,
    already_had: u64,
    added_by: SenderCounts,
    error: Option<rusqlite::Error>,
    was_empty: bool,
}

impl MessageSink for SqlSink<'_> {
    fn chat_was_empty(&self) -> bool {
        self.was_empty
    }

    fn push(&mut self, m: &NewMessage<'_>) {
        if self.error.is_some() {
            return;
        }
        let key = &m.content_key[..16];
        match self.stmt.execute(params![
            self.owner,
            self.chat_id,
            m.local_ms,
            m.offset_seconds,
            m.sender,
            m.kind,
            m.text,
            key
        ]) {
            Ok(0) => self.already_had += 1,
            Ok(_) => {
                self.added += 1;
                self.added_by.add(m.sender);
            }
            Err(e) => self.error = Some(e),
        }
    }
}

impl SqliteVault {
    /// Items with all their versions, of one kind or of every kind.
    fn items_where(&self, kind: Option<&str>) -> Result<Vec<Item>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.kind, i.created_at_ms, v.saved_at_ms, v.data
             FROM items i JOIN item_versions v ON v.item_id = i.id AND v.owner_id = i.owner_id
             WHERE i.owner_id = ?1 AND (?2 IS NULL OR i.kind = ?2)
             ORDER BY i.id, v.id",
        )?;
        let mut rows = stmt.query(params![self.owner, kind])?;
        let mut out: Vec<Item> = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let version = ItemVersion {
                saved_at: timestamp_from_ms(r.get(3)?)?,
                data: serde_json::from_str(&r.get::<_, String>(4)?)
                    .map_err(|_| StoreError::Corrupt)?,
            };
            match out.last_mut() {
                Some(item) if item.id == id => item.versions.push(version),
                _ => out.push(Item {
                    id,
                    kind: r.get(1)?,
                    created_at: timestamp_from_ms(r.get(2)?)?,
                    versions: vec![version],
                }),
            }
        }
        Ok(out)
    }

    fn imports_of(&self, chat_id: i64) -> Result<Vec<ExportedImport>, StoreError> {
        let mut s = self.conn.prepare_cached(
            "SELECT imported_at_ms, added, already_had, skipped_lines, summary FROM chat_imports
             WHERE owner_id = ?1 AND chat_id = ?2 ORDER BY id",
        )?;
        let rows = s
            .query_map(params![self.owner, chat_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(at, added, had, skipped, summary)| {
                Ok(ExportedImport {
                    imported_at: timestamp_from_ms(at)?,
                    added: added as u64,
                    already_had: had as u64,
                    skipped_lines: skipped as u64,
                    summary: serde_json::from_str(&summary).map_err(|_| StoreError::Corrupt)?,
                })
            })
            .collect()
    }

    fn exported_chats(&self) -> Result<Vec<ExportedChat>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, source_key, format, title, me, ex, created_at_ms FROM chats WHERE owner_id = ?1 ORDER BY id",
        )?;
        let chats = stmt
            .query_map(params![self.owner], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    NewChat {
                        source_key: r.get(1)?,
                        format: r.get(2)?,
                        title: r.get(3)?,
                        me: r.get(4)?,
                        ex: r.get(5)?,
                    },
                    r.get::<_, i64>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::new();
        for (id, chat, created) in chats {
            let mut messages = Vec::new();
            self.for_each_message(id, &mut |m| messages.push(m.clone()))?;
            let imports = self.imports_of(id)?;
            out.push(ExportedChat {
                chat,
                created_at: timestamp_from_ms(created)?,
                messages,
                imports,
            });
        }
        Ok(out)
    }
}

/// Adds an import's (or restore's) per-sender counts to `chat_senders`, in
/// its transaction, so listing chats reads a few rows.
fn save_sender_counts(
    counts: &SenderCounts,
    tx: &rusqlite::Transaction<'_>,
    owner: i64,
    chat_id: i64,
) -> Result<(), StoreError> {
    for (sender, n) in counts.iter() {
        // `IS` so that messages without a sender (system lines) count too.
        let updated = tx.execute(
            "UPDATE chat_senders SET messages = messages + ?4
                 WHERE owner_id = ?1 AND chat_id = ?2 AND sender IS ?3",
            params![owner, chat_id, sender, n as i64],
        )?;
        if updated == 0 {
            tx.execute(
                    "INSERT INTO chat_senders (owner_id, chat_id, sender, messages) VALUES (?1, ?2, ?3, ?4)",
                    params![owner, chat_id, sender, n as i64],
                )?;
        }
    }
    Ok(())
}

/// A message row of `SELECT local_ms, offset_seconds, sender, kind, text, content_key`.
fn stored_message(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    stored_message_from(r, 0)
}

/// A message from six columns of a row, the first at `first`.
fn stored_message_from(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<StoredMessage> {
    let key: Vec<u8> = r.get(first + 5)?;
    Ok(StoredMessage {
        local_ms: r.get(first)?,
        offset_seconds: r.get(first + 1)?,
        sender: r.get(first + 2)?,
        kind: r.get(first + 3)?,
        text: r.get(first + 4)?,
        key: hex::encode(key),
    })
}

/// Walks rows whose first two columns are the row id and `local_ms`, given
/// in time order (`ORDER BY local_ms`), handing `visit` what `read` makes of
/// each in the chat's order: by time and, within one time, by id — what
/// `ORDER BY local_ms, id` gives, read from the index instead of sorted.
/// SQLite cannot take that order from `chat_messages_key` (equal times are
/// ordered there by content key), so it sorted every run of equal times
/// with allocations of its own, each one locked and unlocked by SQLCipher's
/// memory security: two system calls a message, most of the time of reading
/// a long chat back. Here only the few messages of one time are held and
/// sorted. `visit` returns `false` to stop.
fn in_chat_order<T>(
    rows: &mut rusqlite::Rows<'_>,
    mut read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    mut visit: impl FnMut(T) -> bool,
) -> Result<(), StoreError> {
    let mut same_time: Vec<(i64, T)> = Vec::new();
    let mut time = None;
    let mut flush = |group: &mut Vec<(i64, T)>| {
        group.sort_unstable_by_key(|(id, _)| *id);
        group.drain(..).all(|(_, item)| visit(item))
    };
    while let Some(r) = rows.next()? {
        let (id, local_ms): (i64, i64) = (r.get(0)?, r.get(1)?);
        if time != Some(local_ms) {
            if !flush(&mut same_time) {
                return Ok(());
            }
            time = Some(local_ms);
        }
        same_time.push((id, read(r)?));
    }
    flush(&mut same_time);
    Ok(())
}

fn timestamp_from_ms(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|_| StoreError::Corrupt)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(e.to_string()))
}

impl Store for SqliteVault {
    fn relationship(&self) -> Result<Option<Relationship>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT data FROM relationship_versions WHERE owner_id = ?1 ORDER BY id DESC LIMIT 1",
                params![self.owner],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| serde_json::from_str(&j).map_err(|_| StoreError::Corrupt))
            .transpose()
    }

    fn save_relationship(&mut self, value: &Relationship, at: Timestamp) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO relationship_versions (owner_id, saved_at_ms, data) VALUES (?1, ?2, ?3)",
            params![self.owner, at.as_millisecond(), to_json(value)?],
        )?;
        Ok(())
    }

    fn relationship_history(&self) -> Result<Vec<Versioned<Relationship>>, StoreError> {
        self.versions()
    }

    fn settings(&self) -> Result<Settings, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT data FROM settings WHERE owner_id = ?1",
                params![self.owner],
                |r| r.get(0),
            )
            .optional()?;
        match json {
            Some(j) => serde_json::from_str(&j).map_err(|_| StoreError::Corrupt),
            None => Ok(Settings::default()),
        }
    }

    fn save_settings(&mut self, value: &Settings) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (owner_id, data) VALUES (?1, ?2)
             ON CONFLICT (owner_id) DO UPDATE SET data = excluded.data",
            params![self.owner, to_json(value)?],
        )?;
        Ok(())
    }

    fn export(&self) -> Result<ExportDocument, StoreError> {
        let mut doc = ExportDocument::new(self.settings()?, self.versions()?);
        doc.chats = self.exported_chats()?;
        doc.items = self.items_where(None)?;
        Ok(doc)
    }

    fn restore(&mut self, doc: &ExportDocument) -> Result<(), StoreError> {
        if self.counts()?.iter().any(|(_, n)| *n > 0) {
            return Err(StoreError::NotEmpty);
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (owner_id, data) VALUES (?1, ?2)",
            params![self.owner, to_json(&doc.settings)?],
        )?;
        for v in &doc.relationship_history {
            tx.execute(
                "INSERT INTO relationship_versions (owner_id, saved_at_ms, data) VALUES (?1, ?2, ?3)",
                params![self.owner, v.saved_at.as_millisecond(), to_json(&v.data)?],
            )?;
        }
        for item in &doc.items {
            // Ids are kept: items refer to each other by id.
            tx.execute(
                "INSERT INTO items (id, owner_id, kind, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![
                    item.id,
                    self.owner,
                    item.kind,
                    item.created_at.as_millisecond()
                ],
            )?;
            for v in &item.versions {
                tx.execute(
                    "INSERT INTO item_versions (owner_id, item_id, saved_at_ms, data) VALUES (?1, ?2, ?3, ?4)",
                    params![self.owner, item.id, v.saved_at.as_millisecond(), v.data.to_string()],
                )?;
            }
        }
        for chat in &doc.chats {
            let chat_id: i64 = tx.query_row(
                "INSERT INTO chats (owner_id, source_key, format, title, me, ex, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                params![
                    self.owner,
                    chat.chat.source_key,
                    chat.chat.format,
                    chat.chat.title,
                    chat.chat.me,
                    chat.chat.ex,
                    chat.created_at.as_millisecond()
                ],
                |r| r.get(0),
            )?;
            let mut stmt = tx.prepare_cached(INSERT_MESSAGE)?;
            let mut added_by = SenderCounts::default();
            for m in &chat.messages {
                let key = hex::decode(&m.key)
                    .ok()
                    .filter(|k| k.len() == 16)
                    .ok_or_else(|| {
                        StoreError::BadExport("a message key is not 32 hex digits".into())
                    })?;
                stmt.execute(params![
                    self.owner,
                    chat_id,
                    m.local_ms,
                    m.offset_seconds,
                    m.sender,
                    m.kind,
                    m.text,
                    key
                ])?;
                added_by.add(m.sender.as_deref());
            }
            drop(stmt);
            save_sender_counts(&added_by, &tx, self.owner, chat_id)?;
            for i in &chat.imports {
                tx.execute(
                    "INSERT INTO chat_imports (owner_id, chat_id, imported_at_ms, added, already_had, skipped_lines, summary)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        self.owner,
                        chat_id,
                        i.imported_at.as_millisecond(),
                        i.added as i64,
                        i.already_had as i64,
                        i.skipped_lines as i64,
                        i.summary.to_string()
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
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
        let tx = self.conn.transaction()?;
        let chat_id: i64 = tx.query_row(
            "INSERT INTO chats (owner_id, source_key, format, title, me, ex, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (owner_id, source_key) DO UPDATE SET
                 title = coalesce(chats.title, excluded.title),
                 me = coalesce(chats.me, excluded.me),
                 ex = coalesce(chats.ex, excluded.ex)
             RETURNING id",
            params![
                owner,
                chat.source_key,
                chat.format,
                chat.title,
                chat.me,
                chat.ex,
                at.as_millisecond()
            ],
            |r| r.get(0),
        )?;
        let was_empty: bool = tx.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM chat_messages WHERE owner_id = ?1 AND chat_id = ?2)",
            params![owner, chat_id],
            |r| r.get(0),
        )?;
        let mut sink = SqlSink {
            stmt: tx.prepare_cached(INSERT_MESSAGE)?,
            was_empty,
            owner,
            chat_id,
            added: 0,
            already_had: 0,
            added_by: SenderCounts::default(),
            error: None,
        };
        // On any failure the transaction is dropped, i.e. rolled back:
        // a failed import leaves the vault exactly as it was.
        feed(&mut sink).map_err(StoreError::ImportAborted)?;
        if let Some(e) = sink.error.take() {
            return Err(e.into());
        }
        let counts = ImportCounts {
            chat_id,
            added: sink.added,
            already_had: sink.already_had,
        };
        let added_by = std::mem::take(&mut sink.added_by);
        drop(sink);
        save_sender_counts(&added_by, &tx, owner, chat_id)?;
        tx.execute(
            "INSERT INTO chat_imports (owner_id, chat_id, imported_at_ms, added, already_had, skipped_lines, summary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                owner,
                chat_id,
                at.as_millisecond(),
                counts.added as i64,
                counts.already_had as i64,
                skipped_lines as i64,
                summary.to_string()
            ],
        )?;
        tx.commit()?;
        Ok(counts)
    }

    fn chats(&self) -> Result<Vec<ChatInfo>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, format, title, me, ex FROM chats WHERE owner_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![self.owner], |r| {
                Ok(ChatInfo {
                    id: r.get(0)?,
                    format: r.get(1)?,
                    title: r.get(2)?,
                    me: r.get(3)?,
                    ex: r.get(4)?,
                    messages: 0,
                    senders: Vec::new(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for mut chat in rows {
            let mut s = self.conn.prepare_cached(
                "SELECT sender, messages FROM chat_senders
                 WHERE owner_id = ?1 AND chat_id = ?2 ORDER BY messages DESC, sender",
            )?;
            let senders = s.query_map(params![self.owner, chat.id], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
            })?;
            for row in senders {
                let (name, n) = row?;
                chat.messages += n as u64;
                if let Some(name) = name {
                    chat.senders.push((name, n as u64));
                }
            }
            out.push(chat);
        }
        Ok(out)
    }

    fn save_item(
        &mut self,
        kind: &str,
        id: Option<i64>,
        data: &serde_json::Value,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        let id = match id {
            Some(id) => {
                let found: Option<String> = tx
                    .query_row(
                        "SELECT kind FROM items WHERE owner_id = ?1 AND id = ?2",
                        params![self.owner, id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if found.as_deref() != Some(kind) {
                    return Err(StoreError::NotFound);
                }
                id
            }
            None => tx.query_row(
                "INSERT INTO items (owner_id, kind, created_at_ms) VALUES (?1, ?2, ?3) RETURNING id",
                params![self.owner, kind, at.as_millisecond()],
                |r| r.get(0),
            )?,
        };
        tx.execute(
            "INSERT INTO item_versions (owner_id, item_id, saved_at_ms, data) VALUES (?1, ?2, ?3, ?4)",
            params![self.owner, id, at.as_millisecond(), data.to_string()],
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn items(&self, kind: &str) -> Result<Vec<Item>, StoreError> {
        self.items_where(Some(kind))
    }

    fn item(&self, id: i64) -> Result<Option<Item>, StoreError> {
        let kind: Option<String> = self
            .conn
            .query_row(
                "SELECT kind FROM items WHERE owner_id = ?1 AND id = ?2",
                params![self.owner, id],
                |r| r.get(0),
            )
            .optional()?;
        match kind {
            None => Ok(None),
            Some(k) => Ok(self.items_where(Some(&k))?.into_iter().find(|i| i.id == id)),
        }
    }

    fn chat_imports(&self, chat_id: i64) -> Result<Vec<ExportedImport>, StoreError> {
        self.imports_of(chat_id)
    }

    fn set_chat_roles(
        &mut self,
        chat_id: i64,
        me: Option<&str>,
        ex: Option<&str>,
    ) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE chats SET me = ?3, ex = ?4 WHERE owner_id = ?1 AND id = ?2",
            params![self.owner, chat_id, me, ex],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    fn chat_snapshot(&self, chat_id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT key, data FROM chat_snapshots WHERE owner_id = ?1 AND chat_id = ?2",
                params![self.owner, chat_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn save_chat_snapshot(
        &mut self,
        chat_id: i64,
        key: &str,
        data: &[u8],
    ) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "INSERT INTO chat_snapshots (owner_id, chat_id, key, data)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM chats WHERE owner_id = ?1 AND id = ?2)
             ON CONFLICT (owner_id, chat_id) DO UPDATE SET key = excluded.key, data = excluded.data",
            params![self.owner, chat_id, key, data],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    fn delete_chat(&mut self, chat_id: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for table in [
            "chat_messages",
            "chat_imports",
            "chat_senders",
            "chat_snapshots",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE owner_id = ?1 AND chat_id = ?2"),
                params![self.owner, chat_id],
            )?;
        }
        let gone = tx.execute(
            "DELETE FROM chats WHERE owner_id = ?1 AND id = ?2",
            params![self.owner, chat_id],
        )?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit()?;
        Ok(())
    }

    fn for_each_message(
        &self,
        chat_id: i64,
        visit: &mut dyn FnMut(&StoredMessage),
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, local_ms, offset_seconds, sender, kind, text, content_key
             FROM chat_messages WHERE owner_id = ?1 AND chat_id = ?2 ORDER BY local_ms",
        )?;
        let mut rows = stmt.query(params![self.owner, chat_id])?;
        in_chat_order(
            &mut rows,
            |r| stored_message_from(r, 1),
            |m| {
                visit(&m);
                true
            },
        )
    }

    fn messages_at(
        &self,
        chat_id: i64,
        positions: &[u64],
    ) -> Result<Vec<(u64, StoredMessage)>, StoreError> {
        let mut wanted = positions.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let Some(&last) = wanted.last() else {
            return Ok(Vec::new());
        };
        // Positions to row ids from the index alone (it holds the time and
        // the row id), one pass from the first message to the last wanted.
        let mut ids: Vec<(u64, i64)> = Vec::with_capacity(wanted.len());
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, local_ms FROM chat_messages WHERE owner_id = ?1 AND chat_id = ?2
                 ORDER BY local_ms",
            )?;
            let mut rows = stmt.query(params![self.owner, chat_id])?;
            let mut next = wanted.iter().copied().peekable();
            let mut pos = 0u64;
            in_chat_order(
                &mut rows,
                |r| r.get::<_, i64>(0),
                |id| {
                    if next.peek() == Some(&pos) {
                        ids.push((pos, id));
                        next.next();
                    }
                    pos += 1;
                    pos <= last
                },
            )?;
        }
        // Then only those rows.
        let mut stmt = self.conn.prepare_cached(
            "SELECT local_ms, offset_seconds, sender, kind, text, content_key FROM chat_messages
             WHERE owner_id = ?1 AND id = ?2",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for (pos, id) in ids {
            out.push((
                pos,
                stmt.query_row(params![self.owner, id], stored_message)?,
            ));
        }
        Ok(out)
    }

    fn messages_at_time(
        &self,
        chat_id: i64,
        local_ms: i64,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT local_ms, offset_seconds, sender, kind, text, content_key FROM chat_messages
             WHERE owner_id = ?1 AND chat_id = ?2 AND local_ms = ?3 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![self.owner, chat_id, local_ms], stored_message)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        let mut out = Vec::new();
        for &table in USER_TABLES {
            // Table names come from the fixed list above, never from input.
            let n: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {table} WHERE owner_id = ?1"),
                params![self.owner],
                |r| r.get(0),
            )?;
            out.push((table, n as u64));
        }
        Ok(out)
    }
}
