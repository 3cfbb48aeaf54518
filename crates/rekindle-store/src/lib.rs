//! rekindle-store: the vault.
//!
//! One narrow interface ([`Store`]) over the user's data, implemented by an
//! SQLCipher file ([`SqliteVault`]) whose random data key is wrapped by a key
//! derived from the passphrase ([`keyfile`]). A [`DataDir`] owns the folder:
//! permissions, the single-instance lock, creating and unlocking the vault.
//!
//! Platforms: Unix only (Linux and macOS). The data folder stays private
//! through Unix permissions (0700 folder, 0600 files), checked on every open;
//! other systems would need another way to keep it private, so the build stops.

#[cfg(not(unix))]
compile_error!(
    "rekindle supports Linux and macOS only: the vault's folder is kept private with Unix permissions (0700/0600), which this target does not have. See README.md, \"Platforms\"."
);

pub mod backoff;
pub mod chats;
#[cfg(feature = "conformance")]
pub mod conformance;
mod datadir;
mod error;
mod export;
pub mod fsutil;
pub mod items;
pub mod keyfile;
pub mod placement;
mod share_box;
pub mod spool;
mod sqlite;

pub use datadir::{
    CONTROL_SOCKET, DECOY_FILE, DataDir, Erased, KEY_FILE, LEXICONS_DIR, LOCK_FILE, SHARES_DIR,
    VAULT_FILE, VaultCopy,
};
pub use error::StoreError;
pub use export::{EXPORT_FORMAT, EXPORT_VERSION, ExportDocument, Versioned};
pub use keyfile::{DuressAction, KdfParams};
pub use share_box::{
    CONFIRMATION_WINDOW_MS, Confirmed, MAX_CONFIRMATIONS, MAX_CONFIRMATIONS_PER_HOUR, MAX_VIEWS,
    ShareBox, ShareDir,
};
pub use sqlite::{SqliteVault, USER_TABLES};

use chats::{ChatInfo, ExportedImport, ImportCounts, MessageSink, NewChat, StoredMessage};
use jiff::Timestamp;
use rekindle_core::relationship::Relationship;
use rekindle_core::settings::Settings;

/// The owner id of the single local user. Hosted mode gives each account its own.
pub const LOCAL_OWNER: i64 = 1;

/// Everything the shells may do with stored data. Every method is scoped to
/// the store's owner; nothing else reaches the database.
pub trait Store {
    /// The latest saved version, if any.
    fn relationship(&self) -> Result<Option<Relationship>, StoreError>;
    /// Appends a new version; earlier versions stay.
    fn save_relationship(&mut self, value: &Relationship, at: Timestamp) -> Result<(), StoreError>;
    fn relationship_history(&self) -> Result<Vec<Versioned<Relationship>>, StoreError>;
    fn settings(&self) -> Result<Settings, StoreError>;
    fn save_settings(&mut self, value: &Settings) -> Result<(), StoreError>;
    /// Everything, as one document (the full export).
    fn export(&self) -> Result<ExportDocument, StoreError>;
    /// Loads an export into this store, which must be empty; all or nothing.
    fn restore(&mut self, doc: &ExportDocument) -> Result<(), StoreError>;
    /// Stores the messages `feed` pushes, in one transaction: if `feed`
    /// returns an error (or anything fails) nothing is stored. Messages whose
    /// content key is already stored are skipped, so importing the same
    /// export twice adds nothing.
    fn import_chat(
        &mut self,
        chat: &NewChat,
        at: Timestamp,
        skipped_lines: u64,
        summary: &serde_json::Value,
        feed: &mut dyn FnMut(&mut dyn MessageSink) -> Result<(), String>,
    ) -> Result<ImportCounts, StoreError>;
    fn chats(&self) -> Result<Vec<ChatInfo>, StoreError>;
    /// Saves a new item of `kind` (id `None`) or a new version of an existing
    /// one. Versions are never changed or removed. Returns the item's id.
    fn save_item(
        &mut self,
        kind: &str,
        id: Option<i64>,
        data: &serde_json::Value,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// All items of one kind, each with every version.
    fn items(&self, kind: &str) -> Result<Vec<items::Item>, StoreError>;
    fn item(&self, id: i64) -> Result<Option<items::Item>, StoreError>;
    /// The imports of a chat, oldest first (counts and summaries, no message text).
    fn chat_imports(&self, chat_id: i64) -> Result<Vec<ExportedImport>, StoreError>;
    /// Records which participant is the user and which the ex.
    fn set_chat_roles(
        &mut self,
        chat_id: i64,
        me: Option<&str>,
        ex: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Removes a chat with its messages, imports and sender counts, in one
    /// transaction (SQLite overwrites the freed pages: `secure_delete`).
    /// Items that quoted its messages keep their own copy. `NotFound` if the
    /// owner has no such chat.
    fn delete_chat(&mut self, chat_id: i64) -> Result<(), StoreError>;
    /// The analysis snapshot of a chat (its classified rows, no text) and the
    /// key it was made under, if one is stored. Derived data: never exported.
    fn chat_snapshot(&self, chat_id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError>;
    /// Stores (or replaces) a chat's analysis snapshot; `NotFound` if the
    /// owner has no such chat.
    fn save_chat_snapshot(
        &mut self,
        chat_id: i64,
        key: &str,
        data: &[u8],
    ) -> Result<(), StoreError>;
    /// Visits a chat's messages in time order without loading them all.
    fn for_each_message(
        &self,
        chat_id: i64,
        visit: &mut dyn FnMut(&StoredMessage),
    ) -> Result<(), StoreError>;
    /// The messages at `positions` in a chat's time order (the order of
    /// [`Store::for_each_message`], the first message at 0), each with its
    /// position, in position order; positions past the end are left out.
    /// Only the rows of those messages are read (the index is stepped over),
    /// so a page can show a few messages of a long chat cheaply.
    fn messages_at(
        &self,
        chat_id: i64,
        positions: &[u64],
    ) -> Result<Vec<(u64, StoredMessage)>, StoreError>;
    /// The messages of a chat stored with exactly this time (`local_ms`), in
    /// the chat's order: how a page finds a message it knows by its time.
    fn messages_at_time(
        &self,
        chat_id: i64,
        local_ms: i64,
    ) -> Result<Vec<StoredMessage>, StoreError>;
    /// Row counts per table, for `status` (no content).
    fn counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError>;
}
