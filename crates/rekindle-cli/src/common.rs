//! Small helpers the newer command modules share: today's date, JSON
//! output, and a use case's failure worded for the person.

use anyhow::{Context, Result};
use rekindle_app::method::MethodError;

use crate::commands::user_error;

/// Today in this computer's time zone.
pub fn today() -> jiff::civil::Date {
    rekindle_core::method::checkin::local_day(jiff::Timestamp::now(), &jiff::tz::TimeZone::system())
}

/// Prints `value` as pretty JSON on standard output.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    outln!(
        "{}",
        serde_json::to_string_pretty(value).context("Could not write JSON.")?
    );
    Ok(())
}

/// A use case's failure: a form error, an unknown number (worded by
/// `not_found`) or a refusal are the person's to fix (exit 2); a storage
/// failure is not.
pub fn app_error(e: MethodError, not_found: &str) -> anyhow::Error {
    match e {
        MethodError::Form(errors) => user_error(errors.summary()),
        MethodError::NotFound => user_error(not_found.to_string()),
        MethodError::Refused(r) => user_error(r.explain()),
        MethodError::Store(s) => s.into(),
    }
}
