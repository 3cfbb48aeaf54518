//! Where a passphrase comes from: a file, the environment (documented as
//! less safe: other programs of the same user may read it), or the terminal.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

pub const ENV_PASSPHRASE: &str = "REKINDLE_PASSPHRASE";
pub const ENV_NEW_PASSPHRASE: &str = "REKINDLE_NEW_PASSPHRASE";

/// Reads the first line of a file (without its line ending).
fn from_file(path: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        crate::commands::user_error(format!(
            "Could not read the passphrase file {}: {}.",
            path.display(),
            match e.kind() {
                std::io::ErrorKind::NotFound => "there is no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            }
        ))
    })?);
    let first = text.lines().next().unwrap_or("");
    Ok(Zeroizing::new(first.to_string()))
}

/// A passphrase given without asking (file, then environment), if any.
pub fn given(file: Option<&Path>, env_name: &str) -> Result<Option<Zeroizing<String>>> {
    if let Some(path) = file {
        return from_file(path).map(Some);
    }
    // An empty variable counts as not set (e.g. `REKINDLE_PASSPHRASE= rekindle serve`).
    Ok(std::env::var(env_name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Zeroizing::new))
}

/// A passphrase from a file, the environment, or a hidden prompt.
pub fn obtain(file: Option<&Path>, env_name: &str, prompt: &str) -> Result<Zeroizing<String>> {
    if let Some(p) = given(file, env_name)? {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "No passphrase was given: type it in a terminal, or use --passphrase-file FILE or the {env_name} variable."
        );
    }
    Ok(Zeroizing::new(rpassword::prompt_password(prompt).context(
        "Could not read the passphrase from the terminal.",
    )?))
}

/// A new passphrase, asked twice when typed; checked against the rules.
pub fn obtain_new(file: Option<&Path>, env_name: &str) -> Result<Zeroizing<String>> {
    let pass = obtain(
        file,
        env_name,
        "Choose a passphrase (15 characters or more): ",
    )?;
    let confirm = if given(file, env_name)?.is_some() {
        None
    } else {
        Some(Zeroizing::new(
            rpassword::prompt_password("Type it again: ")
                .context("Could not read the passphrase.")?,
        ))
    };
    rekindle_core::passphrase::check_new(&pass, confirm.as_deref().map(|s| s.as_str()))?;
    Ok(pass)
}
