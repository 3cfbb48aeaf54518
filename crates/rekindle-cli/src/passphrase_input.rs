//! Where a passphrase comes from: a file, the environment (documented as
//! less safe: other programs of the same user may read it), or the terminal.
//!
//! Every copy is a `Zeroizing` buffer, wiped when dropped (issue 18, item 6):
//! the file is read into one, the variables are taken out of the process's
//! environment at start-up ([`take_from_environment`]), and the prompt's
//! answer is moved into one.

use std::io::{IsTerminal, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use zeroize::{Zeroize, Zeroizing};

use crate::commands::user_error;

pub const ENV_PASSPHRASE: &str = "REKINDLE_PASSPHRASE";
pub const ENV_NEW_PASSPHRASE: &str = "REKINDLE_NEW_PASSPHRASE";
/// The duress passphrase of `rekindle duress set` (security.md item 58).
pub const ENV_DURESS_PASSPHRASE: &str = "REKINDLE_DURESS_PASSPHRASE";

/// A passphrase file is one line; anything this large is not one.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// The passphrase variables, taken out of the environment at start-up.
static FROM_ENVIRONMENT: Mutex<Vec<(&'static str, Zeroizing<String>)>> = Mutex::new(Vec::new());

/// Moves `REKINDLE_PASSPHRASE`, `REKINDLE_NEW_PASSPHRASE` and
/// `REKINDLE_DURESS_PASSPHRASE` from the
/// process's environment into wiped-on-drop memory: the variables are
/// removed (so `/proc/PID/environ`, child processes and later reads no
/// longer see them) and the bytes of the original strings are overwritten.
/// Must be called first thing in `main`, while the process has one thread.
#[allow(unsafe_code)]
pub fn take_from_environment() {
    let mut taken = FROM_ENVIRONMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for name in [ENV_PASSPHRASE, ENV_NEW_PASSPHRASE, ENV_DURESS_PASSPHRASE] {
        let Some(value) = std::env::var_os(name) else {
            continue;
        };
        // A value that is not UTF-8 cannot be a passphrase typed here: it is
        // dropped (and wiped) like the others, and the command asks instead.
        match value.into_string() {
            // An empty variable counts as not set (`REKINDLE_PASSPHRASE= rekindle serve`).
            Ok(text) if !text.is_empty() => taken.push((name, Zeroizing::new(text))),
            Ok(mut text) => text.zeroize(),
            Err(os) => os.into_encoded_bytes().zeroize(),
        }
        let c_name = format!("{name}\0");
        // SAFETY: called at the start of `main`, before any other thread
        // exists, so nothing reads or changes the environment meanwhile
        // (what makes `remove_var` unsafe in edition 2024). `getenv` returns
        // a pointer into the environment block (the original `NAME=value`
        // string, writable memory owned by the process); `strlen` stays
        // inside that NUL-terminated value, and only its bytes are
        // overwritten before the entry is removed.
        unsafe {
            let ptr = libc::getenv(c_name.as_ptr().cast());
            if !ptr.is_null() {
                let len = libc::strlen(ptr);
                for i in 0..len {
                    std::ptr::write_volatile(ptr.add(i), 0);
                }
            }
            std::env::remove_var(name);
        }
    }
}

/// Reads the first line of a passphrase file (without its line ending).
/// A file others can read is refused: the passphrase would not be secret.
pub fn from_file(path: &Path) -> Result<Zeroizing<String>> {
    let could_not = |e: std::io::Error| {
        user_error(format!(
            "Could not read the passphrase file {}: {}.",
            path.display(),
            match e.kind() {
                std::io::ErrorKind::NotFound => "there is no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            }
        ))
    };
    let file = std::fs::File::open(path).map_err(could_not)?;
    let meta = file.metadata().map_err(could_not)?;
    if meta.permissions().mode() & 0o044 != 0 {
        return Err(user_error(format!(
            "The passphrase file {0} can be read by other people on this computer, so it was not used. Make it private with `chmod 600 {0}` and try again.",
            path.display()
        )));
    }
    if meta.is_file() && meta.len() > MAX_FILE_BYTES {
        return Err(user_error(format!(
            "The passphrase file {} is too large to hold a passphrase; give a file with the passphrase on its first line.",
            path.display()
        )));
    }
    // Room for the whole file up front, so the buffer never moves (a move
    // would leave an unwiped copy behind).
    let capacity = usize::try_from(meta.len()).unwrap_or(0) + 1;
    let mut bytes = Zeroizing::new(Vec::with_capacity(
        capacity.min(MAX_FILE_BYTES as usize + 1),
    ));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(could_not)?;
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = bytes[..end].strip_suffix(b"\r").unwrap_or(&bytes[..end]);
    let text = std::str::from_utf8(line).map_err(|_| {
        user_error(format!(
            "The passphrase file {} is not text (UTF-8); save it as plain text.",
            path.display()
        ))
    })?;
    Ok(Zeroizing::new(text.to_string()))
}

/// A passphrase given without asking (file, then environment), if any.
pub fn given(file: Option<&Path>, env_name: &str) -> Result<Option<Zeroizing<String>>> {
    if let Some(path) = file {
        return from_file(path).map(Some);
    }
    let taken = FROM_ENVIRONMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(taken
        .iter()
        .find(|(name, _)| *name == env_name)
        .map(|(_, value)| value.clone()))
}

/// A hidden prompt's answer, moved (not copied) into a wiped buffer.
fn prompt(text: &str, failed: &'static str) -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(
        rpassword::prompt_password(text).context(failed)?,
    ))
}

/// A passphrase from a file, the environment, or a hidden prompt.
pub fn obtain(file: Option<&Path>, env_name: &str, prompt_text: &str) -> Result<Zeroizing<String>> {
    if let Some(p) = given(file, env_name)? {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "No passphrase was given: type it in a terminal, or use --passphrase-file FILE or the {env_name} variable."
        );
    }
    prompt(
        prompt_text,
        "Could not read the passphrase from the terminal.",
    )
}

/// A new passphrase, asked twice when typed; checked against the rules.
pub fn obtain_new(file: Option<&Path>, env_name: &str) -> Result<Zeroizing<String>> {
    let typed = given(file, env_name)?.is_none();
    let pass = obtain(
        file,
        env_name,
        "Choose a passphrase (15 characters or more): ",
    )?;
    let confirm = if typed {
        Some(prompt("Type it again: ", "Could not read the passphrase.")?)
    } else {
        None
    };
    rekindle_core::passphrase::check_new(&pass, confirm.as_deref().map(|s| s.as_str()))?;
    Ok(pass)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, unsafe_code)]
mod tests {
    use super::*;

    #[test]
    fn the_passphrase_variables_leave_the_environment_and_stay_readable_here() {
        // SAFETY: this is the only test of this binary that touches the
        // environment, and nothing else in it reads these variables.
        unsafe {
            std::env::set_var(ENV_PASSPHRASE, "from the environment, not typed");
            std::env::set_var(ENV_NEW_PASSPHRASE, "");
        }
        take_from_environment();
        assert!(std::env::var_os(ENV_PASSPHRASE).is_none());
        assert!(std::env::var_os(ENV_NEW_PASSPHRASE).is_none());
        assert_eq!(
            given(None, ENV_PASSPHRASE).unwrap().unwrap().as_str(),
            "from the environment, not typed"
        );
        // Asked for again (a new passphrase is read twice): the same answer.
        assert!(given(None, ENV_PASSPHRASE).unwrap().is_some());
        // An empty variable counts as not given.
        assert!(given(None, ENV_NEW_PASSPHRASE).unwrap().is_none());
    }
}
