//! Per-user preferences that change how the app looks and locks.

use serde::{Deserialize, Serialize};

use crate::form::FormErrors;

pub const DEFAULT_IDLE_MINUTES: u32 = 5;
pub const MIN_IDLE_MINUTES: u32 = 2;
pub const MAX_IDLE_MINUTES: u32 = 30;

/// The neutral page title used in discreet mode: nothing in the tab, the
/// history or a screenshot of the task bar hints at what the app is for.
pub const DISCREET_TITLE: &str = "Notes";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Neutral title and icon, no sensitive words in the tab.
    pub discreet_mode: bool,
    /// Minutes without activity before the vault locks itself.
    pub idle_lock_minutes: u32,
    /// Country whose help lines are shown first (ISO code), if chosen.
    #[serde(default)]
    pub country: Option<String>,
    /// The chat the post-mortem reads (a stored chat's id), if the user chose
    /// one; otherwise the first chat with messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysed_chat: Option<i64>,
    /// Larger text on every page (a quarter larger than the default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub large_text: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            discreet_mode: false,
            idle_lock_minutes: DEFAULT_IDLE_MINUTES,
            country: None,
            analysed_chat: None,
            large_text: false,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsForm {
    #[serde(default)]
    pub discreet_mode: Option<String>,
    #[serde(default)]
    pub idle_lock_minutes: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub large_text: Option<String>,
}

impl SettingsForm {
    pub fn validate(&self) -> Result<Settings, FormErrors> {
        let mut errors = FormErrors::default();
        let idle = match self.idle_lock_minutes.trim().parse::<u32>() {
            Ok(m) if (MIN_IDLE_MINUTES..=MAX_IDLE_MINUTES).contains(&m) => m,
            _ => {
                errors.add(
                    "idle_lock_minutes",
                    format!(
                        "Choose a whole number of minutes from {MIN_IDLE_MINUTES} to {MAX_IDLE_MINUTES}."
                    ),
                );
                DEFAULT_IDLE_MINUTES
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let country = self.country.trim();
        let country = if country.is_empty() {
            None
        } else if crate::helplines::HelpLines::built_in()
            .countries()
            .iter()
            .any(|c| c == country)
        {
            Some(country.to_string())
        } else {
            return Err({
                let mut e = FormErrors::default();
                e.add("country", "Please choose a country from the list.");
                e
            });
        };
        Ok(Settings {
            discreet_mode: self.discreet_mode.as_deref() == Some("on"),
            idle_lock_minutes: idle,
            country,
            analysed_chat: None,
            large_text: self.large_text.as_deref() == Some("on"),
        })
    }
}

impl Settings {
    /// The page title to show: the neutral one in discreet mode.
    pub fn page_title<'a>(&self, real: &'a str) -> &'a str {
        if self.discreet_mode {
            DISCREET_TITLE
        } else {
            real
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn idle_minutes_are_bounded() {
        for (raw, ok) in [
            ("1", false),
            ("2", true),
            ("30", true),
            ("31", false),
            ("x", false),
        ] {
            let f = SettingsForm {
                discreet_mode: None,
                idle_lock_minutes: raw.into(),
                country: String::new(),
                large_text: None,
            };
            assert_eq!(f.validate().is_ok(), ok, "{raw}");
        }
        let s = SettingsForm {
            discreet_mode: Some("on".into()),
            idle_lock_minutes: "10".into(),
            country: "GB".into(),
            large_text: Some("on".into()),
        }
        .validate()
        .unwrap();
        assert!(s.discreet_mode);
        assert!(s.large_text);
        assert_eq!(s.country.as_deref(), Some("GB"));
        let bad = SettingsForm {
            discreet_mode: None,
            idle_lock_minutes: "5".into(),
            country: "Narnia".into(),
            large_text: None,
        };
        assert!(bad.validate().unwrap_err().get("country").is_some());
        // Two letters are not enough: only a country rekindle has help lines for.
        let unknown = SettingsForm {
            country: "ZZ".into(),
            ..bad
        };
        assert!(unknown.validate().unwrap_err().get("country").is_some());
        assert_eq!(s.page_title("The relationship"), DISCREET_TITLE);
    }
}
