//! "The relationship" page's facts and the settings: read and saved the same
//! way by both shells.

use jiff::Timestamp;
use jiff::civil::Date;
use rekindle_core::relationship::{Relationship, RelationshipForm};
use rekindle_core::settings::{Settings, SettingsForm};
use rekindle_store::Store;

use crate::method::MethodError;

/// The relationship as a form holds it (empty when nothing is saved yet),
/// and how many versions were saved.
pub fn current(store: &dyn Store) -> Result<(RelationshipForm, usize), MethodError> {
    let form = store
        .relationship()?
        .map(|r| RelationshipForm::from(&r))
        .unwrap_or_default();
    Ok((form, store.relationship_history()?.len()))
}

/// Checks the whole form and saves it as a new version; nothing is saved
/// when any field is wrong. Returns what was saved and whether it mentions
/// danger or self-harm (the shells then show the help lines first).
pub fn save(
    store: &mut dyn Store,
    form: &RelationshipForm,
    today: Date,
    at: Timestamp,
) -> Result<(Relationship, bool), MethodError> {
    let rel = form.validate(today)?;
    store.save_relationship(&rel, at)?;
    tracing::info!(event = "relationship_saved");
    let crisis = crate::crisis::mentions([
        rel.how_it_ended.as_str(),
        rel.reasons_given.as_str(),
        rel.my_view.as_str(),
    ]);
    Ok((rel, crisis))
}

/// The settings as their form holds them.
pub fn settings_form(s: &Settings) -> SettingsForm {
    SettingsForm {
        discreet_mode: s.discreet_mode.then(|| "on".to_string()),
        idle_lock_minutes: s.idle_lock_minutes.to_string(),
        country: s.country.clone().unwrap_or_default(),
        large_text: s.large_text.then(|| "on".to_string()),
    }
}

/// Checks and saves the settings form. What the form does not hold (the
/// chat the post-mortem reads) is kept as it was.
pub fn save_settings(store: &mut dyn Store, form: &SettingsForm) -> Result<Settings, MethodError> {
    let mut s = form.validate()?;
    s.analysed_chat = store.settings()?.analysed_chat;
    store.save_settings(&s)?;
    Ok(s)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_their_form() {
        let s = Settings {
            discreet_mode: true,
            idle_lock_minutes: 12,
            country: Some("GB".into()),
            analysed_chat: None,
            large_text: true,
        };
        assert_eq!(settings_form(&s).validate().unwrap(), s);
        let off = Settings {
            discreet_mode: false,
            country: None,
            large_text: false,
            ..s
        };
        assert_eq!(settings_form(&off).validate().unwrap(), off);
    }
}
