//! The sealed report file: one self-contained HTML file whose content is
//! encrypted, opened in any browser with a share passphrase told separately.
//!
//! Crypto (chosen so the browser's own WebCrypto can undo it, no library):
//! key = PBKDF2-HMAC-SHA256(passphrase, 16-byte random salt, 600,000
//! iterations, 32 bytes); content = AES-256-GCM with a 12-byte random IV
//! and the 16-byte tag appended (WebCrypto's layout); no associated data.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rekindle_core::FormErrors;
use serde::Serialize;
use sha2::Sha256;
use zeroize::Zeroize;

/// OWASP's current count for PBKDF2-HMAC-SHA256 (Password Storage Cheat
/// Sheet; ASVS 5.0 appendix C): at least 600,000.
pub const ITERATIONS: u32 = 600_000;
// Never below OWASP's count: lowering it stops the build.
const _: () = assert!(ITERATIONS >= 600_000);
/// A share passphrase follows the vault passphrase's rules
/// ([`rekindle_core::passphrase::check_new`]): 15 characters or more, not a
/// common password, not easy to guess.
pub const MIN_SHARE_PASSPHRASE: usize = rekindle_core::passphrase::MIN_CHARS;

#[derive(Debug, Serialize)]
pub struct Sealed {
    pub v: u8,
    pub kdf: &'static str,
    pub iterations: u32,
    pub salt: String,
    pub iv: String,
    pub ciphertext: String,
}

pub fn check_share_passphrase(p: &str) -> Result<(), FormErrors> {
    let mut e = FormErrors::default();
    if let Err(problem) = rekindle_core::passphrase::check_new(p, None) {
        let problem = match problem {
            rekindle_core::passphrase::PassphraseProblem::TooShort(n) => format!(
                "Choose a share passphrase of at least {MIN_SHARE_PASSPHRASE} characters (it has {n}): a short sentence works well."
            ),
            other => other.to_string(),
        };
        e.add(
            "share_passphrase",
            format!(
                "{problem} Use one different from your own, and tell it to the reader separately."
            ),
        );
    }
    if e.is_empty() { Ok(()) } else { Err(e) }
}

/// Encrypts `plaintext` (the report's HTML) under `passphrase`.
pub fn seal(plaintext: &str, passphrase: &str) -> Result<Sealed, String> {
    seal_with(plaintext, passphrase, ITERATIONS)
}

/// [`seal`] with a chosen iteration count (tests use fewer: same code path).
pub fn seal_with(plaintext: &str, passphrase: &str, iterations: u32) -> Result<Sealed, String> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 12];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    getrandom::fill(&mut iv).map_err(|e| e.to_string())?;
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), &salt, iterations, &mut key);
    let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
    key.zeroize();
    let ciphertext = cipher
        .encrypt(&Nonce::from(iv), plaintext.as_bytes())
        .map_err(|_| "encryption failed".to_string())?;
    Ok(Sealed {
        v: 1,
        kdf: "PBKDF2-SHA256",
        iterations,
        salt: B64.encode(salt),
        iv: B64.encode(iv),
        ciphertext: B64.encode(ciphertext),
    })
}

/// The inverse of [`seal`] (used by tests; the browser does this in the file).
pub fn open(s: &Sealed, passphrase: &str) -> Option<String> {
    let salt = B64.decode(&s.salt).ok()?;
    let iv: [u8; 12] = B64.decode(&s.iv).ok()?.try_into().ok()?;
    let ct = B64.decode(&s.ciphertext).ok()?;
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), &salt, s.iterations, &mut key);
    let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
    key.zeroize();
    let plain = cipher.decrypt(&Nonce::from(iv), ct.as_slice()).ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_wrong_passphrase() {
        let s = seal_with("<p>Kept 30 of 31 days</p>", "a share phrase for Jo", 1_000).unwrap();
        assert_eq!(
            open(&s, "a share phrase for Jo").as_deref(),
            Some("<p>Kept 30 of 31 days</p>")
        );
        assert!(open(&s, "a share phrase for Al").is_none());
        assert!(!s.ciphertext.contains("Kept"));
        let again = seal_with("<p>Kept 30 of 31 days</p>", "a share phrase for Jo", 1_000).unwrap();
        assert_ne!(s.iv, again.iv);
        assert_ne!(s.salt, again.salt);
        assert!(check_share_passphrase("short").is_err());
    }

    #[test]
    fn the_share_passphrase_follows_the_vault_passphrase_rules() {
        for (weak, why) in [
            ("a twelve chr", "at least 15 characters"),
            ("iloveyouiloveyou", "commonly used passwords"),
            ("Sunshine2024!!!!", "commonly used passwords"),
            ("abcdefghijklmnopq", "easy to guess"),
        ] {
            let errors = check_share_passphrase(weak).unwrap_err();
            let said = errors.summary();
            assert!(said.contains(why), "{weak}: {said}");
            assert!(said.contains("tell it to the reader separately"), "{said}");
        }
        assert!(check_share_passphrase("a long share passphrase for Sam").is_ok());
    }
}
