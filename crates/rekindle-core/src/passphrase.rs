//! Passphrase rules (security.md table: at least 15 characters, long ones
//! accepted, no composition rules, obvious weak choices refused).

use thiserror::Error;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

pub const MIN_CHARS: usize = 15;
pub const MAX_CHARS: usize = 1024;

/// Why a new passphrase was refused, in words a person can act on.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PassphraseProblem {
    #[error(
        "The passphrase needs at least {MIN_CHARS} characters (it has {0}). A short sentence you can remember works well."
    )]
    TooShort(usize),
    #[error("The passphrase is longer than {MAX_CHARS} characters; please choose a shorter one.")]
    TooLong,
    #[error(
        "The passphrase repeats the same few characters; please choose a sentence only you would think of."
    )]
    Repetitive,
    #[error("That passphrase is on lists of commonly used passwords; please choose another.")]
    Common,
    #[error("The two passphrases do not match; please type them again.")]
    Mismatch,
}

/// Very common long passwords and phrases. Short common passwords are already
/// refused by the length rule, so only long ones need listing here.
const COMMON: &[&str] = &[
    "passwordpassword",
    "password1234567",
    "password12345678",
    "123456789012345",
    "1234567890123456",
    "qwertyuiopasdfgh",
    "qwertyuiopasdfghjkl",
    "qwertyuiop123456",
    "iloveyouiloveyou",
    "iloveyouforever",
    "correcthorsebatterystaple",
    "correct horse battery staple",
    "letmeinletmein",
    "abcdefghijklmnop",
    "abcdefghijklmnopqrstuvwxyz",
    "thequickbrownfoxjumpsoverthelazydog",
    "the quick brown fox jumps over the lazy dog",
    "trustno1trustno1",
    "000000000000000",
    "111111111111111",
];

/// The form of a passphrase that keys are derived from: Unicode NFKC, so
/// the same words typed on another keyboard or system (composed "é" or "e"
/// plus an accent, full-width letters, ligatures) open the same vault.
/// Written into a buffer sized once (no copy left behind by growing) and
/// wiped when dropped.
pub fn normalize(passphrase: &str) -> Zeroizing<String> {
    let len: usize = passphrase.nfkc().map(char::len_utf8).sum();
    let mut out = Zeroizing::new(String::with_capacity(len));
    out.extend(passphrase.nfkc());
    out
}

/// Checks a new passphrase (and its confirmation, when the form has one).
pub fn check_new(passphrase: &str, confirm: Option<&str>) -> Result<(), PassphraseProblem> {
    let chars = passphrase.chars().count();
    if chars < MIN_CHARS {
        return Err(PassphraseProblem::TooShort(chars));
    }
    if chars > MAX_CHARS {
        return Err(PassphraseProblem::TooLong);
    }
    let mut distinct: Vec<char> = passphrase.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(PassphraseProblem::Repetitive);
    }
    let folded = passphrase.trim().to_lowercase();
    if COMMON.iter().any(|c| *c == folded) {
        return Err(PassphraseProblem::Common);
    }
    if let Some(confirm) = confirm
        && confirm != passphrase
    {
        return Err(PassphraseProblem::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(
            check_new("short", None),
            Err(PassphraseProblem::TooShort(5))
        );
        assert_eq!(
            check_new("aaaaaaaaaaaaaaaaaaaa", None),
            Err(PassphraseProblem::Repetitive)
        );
        assert_eq!(
            check_new("PasswordPassword", None),
            Err(PassphraseProblem::Common)
        );
        assert_eq!(
            check_new(
                "a kind and quiet evening",
                Some("a kind and quiet evening!")
            ),
            Err(PassphraseProblem::Mismatch)
        );
        assert_eq!(
            check_new(&"ab cd".repeat(300), None),
            Err(PassphraseProblem::TooLong)
        );
        assert_eq!(
            check_new("a kind and quiet evening", Some("a kind and quiet evening")),
            Ok(())
        );
        // Counted in characters, not bytes: 15 non-ASCII letters pass.
        assert_eq!(check_new("ééèèààççùùêêëëï", None), Ok(()));
    }

    #[test]
    fn normalisation_is_nfkc() {
        assert_eq!(normalize("cafe\u{301}").as_str(), "caf\u{e9}");
        assert_eq!(normalize("\u{ff21}\u{fb01}").as_str(), "Afi");
        assert_eq!(normalize("plain ascii").as_str(), "plain ascii");
    }
}
