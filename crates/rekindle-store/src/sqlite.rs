//! The SQLCipher-backed vault: the whole database file (tables, indexes, free
//! pages, WAL) is encrypted with the data key.

use std::path::Path;

use jiff::Timestamp;
use rekindle_core::relationship::Relationship;
use rekindle_core::settings::Settings;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use zeroize::Zeroizing;

use crate::export::{ExportDocument, Versioned};
use crate::keyfile::SecretKey;
use crate::{LOCAL_OWNER, Store, StoreError, fsutil};

/// Schema migrations, applied in order inside one transaction each; the
/// number reached is kept in `PRAGMA user_version`.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_init.sql")];

pub struct SqliteVault {
    conn: Connection,
    owner: i64,
}

impl std::fmt::Debug for SqliteVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteVault")
            .field("owner", &self.owner)
            .finish()
    }
}

impl SqliteVault {
    /// Opens (or creates) the encrypted database with a raw 256-bit key, so
    /// SQLCipher's own key derivation is skipped: Argon2id already ran.
    pub fn open(path: &Path, dek: &SecretKey) -> Result<SqliteVault, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // SQLCipher would otherwise print its own diagnostics on a wrong key.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        // The key is hex of random bytes, never user input; wiped after use.
        let key_sql = Zeroizing::new(format!(
            "PRAGMA key = \"x'{}'\";",
            hex::encode(dek.as_ref())
        ));
        conn.execute_batch(&key_sql)?;
        drop(key_sql);
        // The first read proves the key matches the file.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|_| StoreError::Corrupt)?;
        fsutil::make_private(path)?;
        conn.execute_batch(
            "PRAGMA cipher_memory_security = ON;
             PRAGMA secure_delete = ON;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        // WAL + FULL: a commit that returned survives power loss (security.md item 37).
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "journal mode {mode} instead of WAL"
            )));
        }
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        let mut vault = SqliteVault {
            conn,
            owner: LOCAL_OWNER,
        };
        vault.migrate()?;
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

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
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
        fsutil::make_private(target)
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
        Ok(ExportDocument::new(self.settings()?, self.versions()?))
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
        tx.commit()?;
        Ok(())
    }

    fn counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        let mut out = Vec::new();
        for table in ["relationship_versions", "settings"] {
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
