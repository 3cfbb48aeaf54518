//! Append-only, versioned records of any kind (the method's data).

use serde::{Deserialize, Serialize};

/// One saved version of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemVersion {
    pub saved_at: jiff::Timestamp,
    pub data: serde_json::Value,
}

/// An item with every version, oldest first; the last one is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: i64,
    pub kind: String,
    pub created_at: jiff::Timestamp,
    pub versions: Vec<ItemVersion>,
}

impl Item {
    /// The current version's data.
    pub fn current(&self) -> Option<&serde_json::Value> {
        self.versions.last().map(|v| &v.data)
    }

    /// The current version, deserialized.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        self.current()
            .and_then(|d| serde_json::from_value(d.clone()).ok())
    }
}
