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

/// The key of a withdrawal version's data: `{"withdrawn_at": …, "item": …}`.
/// Withdrawing an item appends such a version (the item's last data inside),
/// restoring appends the inner data again: nothing is ever rewritten.
pub const WITHDRAWN_AT: &str = "withdrawn_at";
const WITHDRAWN_ITEM: &str = "item";

/// The data of a version that withdraws an item whose current data is `data`.
pub fn withdrawal(data: &serde_json::Value, at: jiff::Timestamp) -> serde_json::Value {
    serde_json::json!({ WITHDRAWN_AT: at.to_string(), WITHDRAWN_ITEM: data })
}

impl Item {
    /// The current version's data.
    pub fn current(&self) -> Option<&serde_json::Value> {
        self.versions.last().map(|v| &v.data)
    }

    /// When the item was withdrawn, if its current version withdraws it.
    pub fn withdrawn_at(&self) -> Option<jiff::Timestamp> {
        let data = self.current()?.as_object()?;
        if data.len() != 2 || !data.contains_key(WITHDRAWN_ITEM) {
            return None;
        }
        data.get(WITHDRAWN_AT)?.as_str()?.parse().ok()
    }

    /// The item's own data, also when it is withdrawn (what a restore brings back).
    pub fn kept(&self) -> Option<&serde_json::Value> {
        match self.withdrawn_at() {
            Some(_) => self.current()?.get(WITHDRAWN_ITEM),
            None => self.current(),
        }
    }

    /// The current version, deserialized; `None` for a withdrawn item, so
    /// withdrawn items leave every list, count and view that reads this.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        if self.withdrawn_at().is_some() {
            return None;
        }
        self.current()
            .and_then(|d| serde_json::from_value(d.clone()).ok())
    }

    /// The item's own data deserialized, withdrawn or not.
    pub fn parse_kept<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        self.kept()
            .and_then(|d| serde_json::from_value(d.clone()).ok())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn item(datas: &[serde_json::Value]) -> Item {
        let at = jiff::Timestamp::UNIX_EPOCH;
        Item {
            id: 1,
            kind: "problem".into(),
            created_at: at,
            versions: datas
                .iter()
                .map(|d| ItemVersion {
                    saved_at: at,
                    data: d.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_withdrawn_item_does_not_parse_but_keeps_its_data() {
        let at: jiff::Timestamp = "2025-03-01T10:00:00Z".parse().unwrap();
        let data = serde_json::json!({"title": "Drinking"});
        let i = item(&[data.clone(), withdrawal(&data, at)]);
        assert_eq!(i.withdrawn_at(), Some(at));
        assert_eq!(i.parse::<serde_json::Value>(), None);
        assert_eq!(i.kept(), Some(&data));
        assert_eq!(i.parse_kept::<serde_json::Value>(), Some(data.clone()));
        // Restored: the data again, as a third version.
        let restored = item(&[data.clone(), withdrawal(&data, at), data.clone()]);
        assert_eq!(restored.withdrawn_at(), None);
        assert_eq!(restored.parse::<serde_json::Value>(), Some(data));
    }

    #[test]
    fn data_that_only_looks_like_a_withdrawal_is_not_one() {
        let i =
            item(&[serde_json::json!({"withdrawn_at": "2025-03-01T10:00:00Z", "item": 1, "x": 2})]);
        assert_eq!(i.withdrawn_at(), None);
        let j = item(&[serde_json::json!({"withdrawn_at": "not a time", "item": 1})]);
        assert_eq!(j.withdrawn_at(), None);
        assert!(j.parse::<serde_json::Value>().is_some());
    }
}
