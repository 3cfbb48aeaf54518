//! Envelope encryption of the vault's data key (security.md items 1, 2, 7).
//!
//! A random 256-bit data key (DEK) encrypts the whole database (SQLCipher).
//! The DEK is stored only wrapped with XChaCha20-Poly1305 under a key
//! (KEK) derived from the passphrase with Argon2id. Changing the passphrase
//! re-wraps the DEK and leaves the database bytes untouched.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rekindle_core::passphrase::normalize;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::StoreError;

pub const KEY_FORMAT: &str = "rekindle-vault-key";
/// Version 2 (issue 18): the key is derived from the passphrase in Unicode
/// NFKC ([`rekindle_core::passphrase::normalize`]). Version 1 files derived
/// it from the passphrase as typed; they still open that way, and the next
/// successful unlock writes them again as version 2.
pub const KEY_VERSION: u32 = 2;
const KEY_VERSION_AS_TYPED: u32 = 1;

/// A 256-bit key that is wiped from memory when dropped.
pub type SecretKey = Zeroizing<[u8; 32]>;

/// Argon2id cost parameters, stored with the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

/// Set to `1` in the tests' environment, new vaults use [`KdfParams::FLOOR`]
/// so that the hundreds of vaults the CLI and browser tests create stay
/// fast. Only debug builds read it: a release build ignores it entirely.
pub const TEST_FAST_KDF_ENV: &str = "REKINDLE_TEST_FAST_KDF";

impl KdfParams {
    /// The default for new vaults: 128 MiB, t=6, p=1, calibrated so one
    /// unlock takes 0.5–1 s (security.md table; `bench/unlock_cost.sh`).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 131_072,
        iterations: 6,
        parallelism: 1,
    };

    /// The default of vaults made before issue 18 (64 MiB, t=3). Their key
    /// files name these parameters, so they still open; the next unlock
    /// re-wraps the key with [`KdfParams::DEFAULT`].
    pub const PREVIOUS_DEFAULT: KdfParams = KdfParams {
        memory_kib: 65_536,
        iterations: 3,
        parallelism: 1,
    };

    /// The weakest parameters accepted (OWASP: 19 MiB, t=2, p=1). Never
    /// chosen for a user's vault; for tests (see [`TEST_FAST_KDF_ENV`]).
    pub const FLOOR: KdfParams = KdfParams {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    /// The parameters for new vaults and re-wraps: [`KdfParams::DEFAULT`].
    /// Debug builds (the test suites) use [`KdfParams::FLOOR`] when
    /// [`TEST_FAST_KDF_ENV`] is `1`; in a release build that check is not
    /// compiled in, so no setting can weaken a shipped binary.
    pub fn for_new_vaults() -> KdfParams {
        #[cfg(debug_assertions)]
        if std::env::var_os(TEST_FAST_KDF_ENV).is_some_and(|v| v == "1") {
            return KdfParams::FLOOR;
        }
        KdfParams::DEFAULT
    }

    /// Less work for an attacker per guess than `other` (Argon2id's cost
    /// grows with memory × passes): a key wrapped with these is re-wrapped.
    pub fn weaker_than(&self, other: &KdfParams) -> bool {
        u64::from(self.memory_kib) * u64::from(self.iterations)
            < u64::from(other.memory_kib) * u64::from(other.iterations)
    }

    /// Refuses anything below the floor (too weak to protect the vault) or
    /// above the ceiling (a crafted file could make unlocking take forever or
    /// exhaust memory) before any work is done.
    pub fn check(&self) -> Result<(), StoreError> {
        let KdfParams {
            memory_kib: m,
            iterations: t,
            parallelism: p,
        } = *self;
        let above_floor = p >= 1 && ((m >= 19_456 && t >= 2) || (m >= 47_104 && t >= 1));
        if !above_floor {
            return Err(StoreError::UnsafeKdfParams(format!(
                "memory {m} KiB, {t} passes, {p} lanes is weaker than allowed"
            )));
        }
        if m > 1_048_576 || t > 10 || p > 8 {
            return Err(StoreError::UnsafeKdfParams(format!(
                "memory {m} KiB, {t} passes, {p} lanes is more than allowed"
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfSection {
    algorithm: String,
    #[serde(flatten)]
    params: KdfParams,
    salt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WrapSection {
    algorithm: String,
    nonce: String,
    ciphertext: String,
}

/// The on-disk key file: KDF settings and the wrapped data key. Contains no
/// secret that is usable without the passphrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    format: String,
    version: u32,
    kdf: KdfSection,
    wrap: WrapSection,
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)
        .map_err(|e| StoreError::io("random source", std::io::Error::other(e)))?;
    Ok(buf)
}

/// A fresh data key from the operating system's CSPRNG.
pub fn new_data_key() -> Result<SecretKey, StoreError> {
    Ok(Zeroizing::new(random_bytes::<32>()?))
}

fn derive_kek(passphrase: &str, salt: &[u8], params: KdfParams) -> Result<SecretKey, StoreError> {
    params.check()?;
    let p = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|e| StoreError::UnsafeKdfParams(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| StoreError::UnsafeKdfParams(e.to_string()))?;
    Ok(out)
}

/// The associated data binds the wrapped key to its version and KDF
/// settings, so a file edited to weaker settings (or to the older version's
/// handling of the passphrase) no longer unwraps.
fn aad(version: u32, params: &KdfParams, salt: &str) -> Vec<u8> {
    format!(
        "{KEY_FORMAT}/v{version}/argon2id/m={}/t={}/p={}/salt={salt}",
        params.memory_kib, params.iterations, params.parallelism
    )
    .into_bytes()
}

impl KeyFile {
    /// Wraps `dek` under a key derived from `passphrase` with a fresh salt and nonce.
    pub fn wrap(
        dek: &SecretKey,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<KeyFile, StoreError> {
        let salt = random_bytes::<16>()?;
        let nonce = random_bytes::<24>()?;
        let kek = derive_kek(&normalize(passphrase), &salt, params)?;
        let salt_b64 = B64.encode(salt);
        let cipher = XChaCha20Poly1305::new(&Key::from(*kek));
        let ciphertext = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: dek.as_ref(),
                    aad: &aad(KEY_VERSION, &params, &salt_b64),
                },
            )
            .map_err(|_| StoreError::BadKeyFile("could not wrap the key".into()))?;
        Ok(KeyFile {
            format: KEY_FORMAT.into(),
            version: KEY_VERSION,
            kdf: KdfSection {
                algorithm: "argon2id".into(),
                params,
                salt: salt_b64,
            },
            wrap: WrapSection {
                algorithm: "xchacha20poly1305".into(),
                nonce: B64.encode(nonce),
                ciphertext: B64.encode(ciphertext),
            },
        })
    }

    /// Derives the KEK and unwraps the DEK. A wrong passphrase and a tampered
    /// file both fail authentication and are reported as a wrong passphrase.
    pub fn unwrap_key(&self, passphrase: &str) -> Result<SecretKey, StoreError> {
        self.check_header()?;
        let salt = B64
            .decode(&self.kdf.salt)
            .map_err(|_| StoreError::BadKeyFile("salt".into()))?;
        let nonce: [u8; 24] = B64
            .decode(&self.wrap.nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| StoreError::BadKeyFile("nonce".into()))?;
        let ciphertext = B64
            .decode(&self.wrap.ciphertext)
            .map_err(|_| StoreError::BadKeyFile("wrapped key".into()))?;
        if salt.len() < 16 {
            return Err(StoreError::BadKeyFile("salt too short".into()));
        }
        let kek = if self.version == KEY_VERSION_AS_TYPED {
            derive_kek(passphrase, &salt, self.kdf.params)?
        } else {
            derive_kek(&normalize(passphrase), &salt, self.kdf.params)?
        };
        let cipher = XChaCha20Poly1305::new(&Key::from(*kek));
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: &ciphertext,
                        aad: &aad(self.version, &self.kdf.params, &self.kdf.salt),
                    },
                )
                .map_err(|_| StoreError::WrongPassphrase)?,
        );
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::BadKeyFile("wrapped key length".into()))?;
        Ok(Zeroizing::new(key))
    }

    /// Cheap checks done before any key derivation (item 7: refuse in < 10 ms).
    fn check_header(&self) -> Result<(), StoreError> {
        if self.format != KEY_FORMAT
            || !(KEY_VERSION_AS_TYPED..=KEY_VERSION).contains(&self.version)
        {
            return Err(StoreError::BadKeyFile(format!(
                "unknown format {} v{}",
                self.format, self.version
            )));
        }
        if self.kdf.algorithm != "argon2id" || self.wrap.algorithm != "xchacha20poly1305" {
            return Err(StoreError::BadKeyFile("unknown algorithm".into()));
        }
        self.kdf.params.check()
    }

    pub fn params(&self) -> KdfParams {
        self.kdf.params
    }

    /// This file should be written again, with `target`'s parameters, once
    /// the passphrase is known: it was made with weaker ones.
    /// So is a version 1 file (the passphrase as typed, not normalised).
    pub fn needs_rewrap(&self, target: &KdfParams) -> bool {
        self.version < KEY_VERSION || self.kdf.params.weaker_than(target)
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn to_json(&self) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec_pretty(self).map_err(|e| StoreError::BadKeyFile(e.to_string()))
    }

    pub fn from_json(bytes: &[u8]) -> Result<KeyFile, StoreError> {
        if bytes.len() > 64 * 1024 {
            return Err(StoreError::BadKeyFile("file too large".into()));
        }
        let kf: KeyFile = serde_json::from_slice(bytes)
            .map_err(|e| StoreError::BadKeyFile(format!("line {}", e.line())))?;
        kf.check_header()?;
        Ok(kf)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    #[test]
    fn wrap_unwrap_round_trip_and_wrong_passphrase() {
        let dek = new_data_key().unwrap();
        let kf = KeyFile::wrap(&dek, "correct passphrase here", FAST).unwrap();
        let kf = KeyFile::from_json(&kf.to_json().unwrap()).unwrap();
        assert_eq!(*kf.unwrap_key("correct passphrase here").unwrap(), *dek);
        assert!(matches!(
            kf.unwrap_key("wrong passphrase here!"),
            Err(StoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn same_key_wraps_differently_each_time() {
        let dek = new_data_key().unwrap();
        let a = KeyFile::wrap(&dek, "correct passphrase here", FAST).unwrap();
        let b = KeyFile::wrap(&dek, "correct passphrase here", FAST).unwrap();
        assert_ne!(a.wrap.nonce, b.wrap.nonce);
        assert_ne!(a.wrap.ciphertext, b.wrap.ciphertext);
        assert_ne!(a.kdf.salt, b.kdf.salt);
    }

    #[test]
    fn any_flipped_bit_in_the_wrapped_key_fails() {
        let dek = new_data_key().unwrap();
        let kf = KeyFile::wrap(&dek, "correct passphrase here", FAST).unwrap();
        let ct = B64.decode(&kf.wrap.ciphertext).unwrap();
        for i in [0, 7, 31, ct.len() - 1] {
            let mut bad = kf.clone();
            let mut c = ct.clone();
            c[i] ^= 1;
            bad.wrap.ciphertext = B64.encode(c);
            assert!(bad.unwrap_key("correct passphrase here").is_err());
        }
        // Weakening the stored parameters breaks the authentication too.
        let mut weaker = kf.clone();
        weaker.kdf.params.memory_kib = 47_104;
        weaker.kdf.params.iterations = 1;
        assert!(matches!(
            weaker.unwrap_key("correct passphrase here"),
            Err(StoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn passphrases_are_normalised_and_version_1_files_open_as_typed() {
        // "é" composed (U+00E9) and decomposed (e + U+0301); a full-width "Ａ".
        let composed = "caf\u{e9} by the sea at \u{ff21}ll hours";
        let decomposed = "cafe\u{301} by the sea at \u{ff21}ll hours";
        assert_eq!(
            *normalize(composed),
            *normalize(decomposed),
            "NFKC makes them one"
        );
        assert_eq!(normalize("\u{ff21}").as_str(), "A");
        let dek = new_data_key().unwrap();
        let kf = KeyFile::wrap(&dek, composed, FAST).unwrap();
        assert_eq!(kf.version(), KEY_VERSION);
        assert!(!kf.needs_rewrap(&FAST));
        assert_eq!(*kf.unwrap_key(decomposed).unwrap(), *dek);
        assert_eq!(*kf.unwrap_key(composed).unwrap(), *dek);

        // An older file: only the exact form typed opens it, and it asks
        // to be written again.
        let old = super::tests_support::version_1_file(&dek, decomposed, FAST);
        let old = KeyFile::from_json(&old.to_json().unwrap()).unwrap();
        assert!(old.needs_rewrap(&FAST));
        assert_eq!(*old.unwrap_key(decomposed).unwrap(), *dek);
        assert!(matches!(
            old.unwrap_key(composed),
            Err(StoreError::WrongPassphrase)
        ));
        // Claiming version 2 for a version 1 file breaks its authentication.
        let mut claimed = old.clone();
        claimed.version = 2;
        assert!(matches!(
            claimed.unwrap_key(decomposed),
            Err(StoreError::WrongPassphrase)
        ));
        // Unknown versions are refused before any derivation.
        let mut future = old.clone();
        future.version = 3;
        assert!(matches!(
            KeyFile::from_json(&future.to_json().unwrap()),
            Err(StoreError::BadKeyFile(_))
        ));
    }

    #[test]
    fn floor_and_ceiling_are_enforced() {
        assert!(KdfParams::DEFAULT.check().is_ok());
        assert!(FAST.check().is_ok());
        let weak = KdfParams {
            memory_kib: 19_455,
            iterations: 2,
            parallelism: 1,
        };
        assert!(weak.check().is_err());
        let weak_t1 = KdfParams {
            memory_kib: 19_456,
            iterations: 1,
            parallelism: 1,
        };
        assert!(weak_t1.check().is_err());
        let huge = KdfParams {
            memory_kib: 4 * 1_048_576,
            iterations: 3,
            parallelism: 1,
        };
        assert!(huge.check().is_err());
        assert!(
            KdfParams {
                iterations: 11,
                ..KdfParams::DEFAULT
            }
            .check()
            .is_err()
        );
        assert!(
            KdfParams {
                parallelism: 9,
                ..KdfParams::DEFAULT
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn crafted_huge_memory_file_is_refused_before_any_work() {
        let dek = new_data_key().unwrap();
        let kf = KeyFile::wrap(&dek, "correct passphrase here", FAST).unwrap();
        let mut json: serde_json::Value = serde_json::from_slice(&kf.to_json().unwrap()).unwrap();
        json["kdf"]["memory_kib"] = serde_json::json!(4_194_304u64);
        // Refused while reading the header, before any derivation could allocate 4 GiB.
        let r = KeyFile::from_json(&serde_json::to_vec(&json).unwrap());
        assert!(matches!(r, Err(StoreError::UnsafeKdfParams(_))));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod upgrade_tests {
    use super::tests_support::version_1_file;
    use super::*;
    use crate::{DataDir, SqliteVault};

    #[test]
    fn a_version_1_vault_opens_with_the_passphrase_as_typed_once_then_normalised() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let decomposed = "cafe\u{301} by the sea, the long way round";
        let composed = "caf\u{e9} by the sea, the long way round";
        {
            let dd = DataDir::open(&dir)
                .unwrap()
                .with_kdf_target(KdfParams::FLOOR)
                .unwrap();
            drop(
                dd.create("a placeholder passphrase here", KdfParams::FLOOR)
                    .unwrap(),
            );
        }
        // Replace the vault with one whose key file is version 1.
        std::fs::remove_file(dir.join("vault.db")).unwrap();
        let dek = new_data_key().unwrap();
        drop(SqliteVault::open(&dir.join("vault.db"), &dek).unwrap());
        let old = version_1_file(&dek, decomposed, KdfParams::FLOOR);
        std::fs::write(dir.join("vault.key"), old.to_json().unwrap()).unwrap();

        let dd = DataDir::open(&dir)
            .unwrap()
            .with_kdf_target(KdfParams::FLOOR)
            .unwrap();
        // Before: the other form of the same words does not open it.
        assert!(matches!(
            dd.unlock(composed),
            Err(StoreError::WrongPassphrase)
        ));
        drop(dd.unlock(decomposed).unwrap());
        let now = KeyFile::from_json(&std::fs::read(dir.join("vault.key")).unwrap()).unwrap();
        assert_eq!(now.version(), KEY_VERSION);
        assert_eq!(*now.unwrap_key(decomposed).unwrap(), *dek);
        // After the re-wrap, both forms open it.
        drop(dd.unlock(composed).unwrap());
        drop(dd.unlock(decomposed).unwrap());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests_support {
    use super::*;

    /// A version 1 file, as the version before issue 18 wrote it: the key
    /// derived from the passphrase exactly as typed.
    pub fn version_1_file(dek: &SecretKey, passphrase: &str, params: KdfParams) -> KeyFile {
        let salt = random_bytes::<16>().unwrap();
        let nonce = random_bytes::<24>().unwrap();
        let kek = derive_kek(passphrase, &salt, params).unwrap();
        let salt_b64 = B64.encode(salt);
        let ciphertext = XChaCha20Poly1305::new(&Key::from(*kek))
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: dek.as_ref(),
                    aad: &aad(1, &params, &salt_b64),
                },
            )
            .unwrap();
        let mut kf = KeyFile::wrap(dek, passphrase, params).unwrap();
        kf.version = 1;
        kf.kdf.salt = salt_b64;
        kf.wrap.nonce = B64.encode(nonce);
        kf.wrap.ciphertext = B64.encode(ciphertext);
        kf
    }
}
