//! Passphrase rules (security.md table: at least 15 characters, long ones
//! accepted, no composition rules, common passwords refused) and the form
//! keys are derived from ([`normalize`]).
//!
//! A new passphrase is refused when it is one of the 10,000 most common
//! passwords (`data/passwords/common-passwords.txt`, from zxcvbn; MIT) or
//! one of those repeated or with digits or signs around it, and when
//! zxcvbn's estimate puts it below [`MIN_SCORE`] — with zxcvbn's reason.

use std::collections::HashSet;
use std::sync::LazyLock;

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
    #[error(
        "That passphrase is on lists of commonly used passwords (or is one with a few numbers or signs added); please choose a sentence only you would think of."
    )]
    Common,
    /// The strength estimate found it easy to guess; the sentence says why.
    #[error("That passphrase would be easy to guess. {0}")]
    Weak(String),
    #[error("The two passphrases do not match; please type them again.")]
    Mismatch,
}

/// The least zxcvbn score accepted: 3 of 4, "safely unguessable" (at least
/// 10^8 guesses: the floor zxcvbn recommends against offline attacks on a
/// slow hash such as our Argon2id).
pub const MIN_SCORE: u8 = 3;

/// The shipped list of common passwords, one per line, lower case.
const COMMON_LIST: &str = include_str!("../../../data/passwords/common-passwords.txt");

/// Long common phrases the list above lacks (it holds few over 15 characters).
const COMMON_PHRASES: &[&str] = &[
    "passwordpassword",
    "iloveyouforever",
    "correcthorsebatterystaple",
    "thequickbrownfoxjumpsoverthelazydog",
    "qwertyuiopasdfghjkl",
    "abcdefghijklmnopqrstuvwxyz",
    "letmeinletmein",
    "trustno1trustno1",
];

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_LIST
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .chain(COMMON_PHRASES.iter().copied())
        .collect()
});

/// How many common passwords and phrases are refused.
pub fn common_count() -> usize {
    COMMON.len()
}

/// Is `folded` (lower case, NFKC) a common password, one repeated, or one
/// with digits and signs around it ("sunshine2024!!!", "dragondragondragon")?
fn is_common(folded: &str) -> bool {
    let squeezed: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
        .collect();
    let padding = |c: char| c.is_ascii_digit() || c.is_ascii_punctuation();
    let core = squeezed.trim_matches(padding);
    let repeated_unit = |text: &str| {
        let chars: Vec<char> = text.chars().collect();
        (1..=chars.len() / 2)
            .filter(|unit| chars.len().is_multiple_of(*unit))
            .map(|unit| chars[..unit].iter().collect::<String>())
            .find(|unit| unit.repeat(chars.len() / unit.chars().count()) == text)
    };
    [folded, squeezed.as_str(), core]
        .into_iter()
        .filter(|candidate| !candidate.is_empty())
        .any(|candidate| {
            COMMON.contains(candidate)
                || repeated_unit(candidate).is_some_and(|unit| COMMON.contains(unit.as_str()))
        })
}

/// zxcvbn's verdict when it finds the passphrase easy to guess: its warning
/// and suggestions, as sentences.
fn weakness(passphrase: &str) -> Option<String> {
    let estimate = zxcvbn::zxcvbn(passphrase, &[]);
    if u8::from(estimate.score()) >= MIN_SCORE {
        return None;
    }
    let mut reason = Vec::new();
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            reason.push(warning.to_string());
        }
        reason.extend(feedback.suggestions().iter().map(|s| s.to_string()));
    }
    if reason.is_empty() {
        reason.push("Add another word or two. Uncommon words are better.".into());
    }
    Some(reason.join(" "))
}

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

/// Checks a new passphrase (and its confirmation, when the form has one),
/// as it will be used: normalised. (zxcvbn works on copies of its own,
/// which it does not wipe; CRYPTO.md lists that.)
pub fn check_new(passphrase: &str, confirm: Option<&str>) -> Result<(), PassphraseProblem> {
    let passphrase = normalize(passphrase);
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
    let folded = Zeroizing::new(passphrase.trim().to_lowercase());
    if is_common(&folded) {
        return Err(PassphraseProblem::Common);
    }
    if let Some(reason) = weakness(&passphrase) {
        return Err(PassphraseProblem::Weak(reason));
    }
    if let Some(confirm) = confirm
        && *normalize(confirm) != *passphrase
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
        assert_eq!(check_new("ééèèààççùùêêëëïöüßñ", None), Ok(()));
        // The confirmation is compared as keys are derived: normalised.
        assert_eq!(
            check_new(
                "caf\u{e9} on the corner, long ago",
                Some("cafe\u{301} on the corner, long ago")
            ),
            Ok(())
        );
    }

    #[test]
    fn the_shipped_list_holds_thousands_and_catches_dressed_up_entries() {
        assert!(common_count() >= 3_000, "{}", common_count());
        for common in [
            "password1234567",
            "Sunshine2024!!!!",
            "iloveyouiloveyou",
            "dragondragondragon",
            "FOOTBALL-FOOTBALL",
            "123456789qwerty!",
            "  qwertyuiop123456  ",
            "Correct Horse Battery Staple",
            "princess_princess_",
        ] {
            assert_eq!(
                check_new(common, None),
                Err(PassphraseProblem::Common),
                "{common}"
            );
        }
    }

    #[test]
    fn easy_to_guess_ones_are_refused_with_the_reason() {
        for (weak, reason) in [
            ("abcdefghijklmnopq", "Sequences like abc"),
            ("qazwsxedcrfvtgbyhn", "commonly used password"),
            ("xkcdxkcdxkcdxkcd", "Repeats"),
        ] {
            match check_new(weak, None) {
                Err(PassphraseProblem::Weak(why)) => {
                    assert!(why.contains(reason), "{weak}: {why}");
                    let shown = PassphraseProblem::Weak(why).to_string();
                    assert!(shown.starts_with("That passphrase would be easy to guess."));
                }
                other => panic!("{weak}: {other:?}"),
            }
        }
    }

    #[test]
    fn good_passphrases_pass() {
        for good in [
            "a quiet walk by the river at dawn",
            "the kettle sang while we argued about maps",
            "seven orange kites over the harbour wall",
            "Ma grand-mère cousait des étoiles en hiver",
        ] {
            assert_eq!(check_new(good, None), Ok(()), "{good}");
        }
    }

    #[test]
    fn normalisation_is_nfkc() {
        assert_eq!(normalize("cafe\u{301}").as_str(), "caf\u{e9}");
        assert_eq!(normalize("\u{ff21}\u{fb01}").as_str(), "Afi");
        assert_eq!(normalize("plain ascii").as_str(), "plain ascii");
    }
}
