//! The full export: every piece of the user's data as one JSON document
//! (GDPR Art. 15/20), which `restore` loads back into a fresh vault.

use jiff::Timestamp;
use rekindle_core::relationship::Relationship;
use rekindle_core::settings::Settings;
use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::chats::ExportedChat;

pub const EXPORT_FORMAT: &str = "rekindle-export";
pub const EXPORT_VERSION: u32 = 1;

/// One saved version of a record and when it was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versioned<T> {
    pub saved_at: Timestamp,
    pub data: T,
}

/// Deliberately free of volatile fields (no export time), so that
/// export → restore → export yields the identical document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportDocument {
    pub format: String,
    pub version: u32,
    pub settings: Settings,
    pub relationship_history: Vec<Versioned<Relationship>>,
    /// Imported chats with every message (the ex's messages too: this is
    /// the user's own full export, never a share).
    #[serde(default)]
    pub chats: Vec<ExportedChat>,
    /// The method's records, every version of each.
    #[serde(default)]
    pub items: Vec<crate::items::Item>,
}

impl ExportDocument {
    pub fn new(settings: Settings, relationship_history: Vec<Versioned<Relationship>>) -> Self {
        ExportDocument {
            format: EXPORT_FORMAT.into(),
            version: EXPORT_VERSION,
            settings,
            relationship_history,
            chats: Vec::new(),
            items: Vec::new(),
        }
    }

    pub fn to_json(&self) -> Result<String, StoreError> {
        serde_json::to_string_pretty(self).map_err(|e| StoreError::BadExport(e.to_string()))
    }

    /// Parses and checks an export file. Refuses other formats and newer
    /// versions with a plain message rather than guessing.
    pub fn from_json(text: &str) -> Result<ExportDocument, StoreError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            StoreError::BadExport(format!(
                "it is not readable JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(EXPORT_FORMAT) => {}
            _ => {
                return Err(StoreError::BadExport(
                    "it is not a rekindle export (no \"format\": \"rekindle-export\")".into(),
                ));
            }
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(EXPORT_VERSION) => {}
            Some(v) => {
                return Err(StoreError::BadExport(format!(
                    "it has version {v}, and this rekindle reads version {EXPORT_VERSION}"
                )));
            }
            None => return Err(StoreError::BadExport("it has no version".into())),
        }
        serde_json::from_value(value).map_err(|e| StoreError::BadExport(e.to_string()))
    }
}
