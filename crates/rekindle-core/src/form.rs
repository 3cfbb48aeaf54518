//! Field-level validation errors shown next to the field they belong to.

use serde::Serialize;

/// One problem with one field, worded for a person, not a programmer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// All problems found in one submitted form. Empty means the form is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for one field, if it has one (templates show it beside the field).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// All messages joined into one plain paragraph (for the CLI).
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Display for FormErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl std::error::Error for FormErrors {}

/// The characters that change the direction text is shown in (embeddings,
/// overrides and isolates): in someone else's text they can make words appear
/// in another order than they were written.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses the direction-changing characters ([`is_bidi_control`]) in `text`.
pub(crate) fn refuse_bidi(errors: &mut FormErrors, field: &'static str, label: &str, text: &str) {
    if text.chars().any(is_bidi_control) {
        errors.add(
            field,
            format!(
                "{label} contains invisible characters that change the direction of the text; please retype it."
            ),
        );
    }
}

/// Trims a free-text field and checks its length in characters (not bytes).
/// Control characters other than newlines and tabs are refused because they
/// never come from a person typing and can hide text in logs or terminals.
pub(crate) fn clean_text(
    errors: &mut FormErrors,
    field: &'static str,
    label: &str,
    raw: &str,
    max_chars: usize,
) -> String {
    let text = raw.trim().replace("\r\n", "\n");
    let chars = text.chars().count();
    if chars > max_chars {
        errors.add(
            field,
            format!(
                "{label} is too long: please keep it under {max_chars} characters (it has {chars})."
            ),
        );
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.add(
            field,
            format!("{label} contains invisible control characters; please retype it."),
        );
    }
    text
}
