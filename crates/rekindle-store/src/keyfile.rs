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
/// A version 2 key file that also holds a duress slot (security.md item 58);
/// both of its slots are wrapped as version 2. A file without one stays
/// version 1 or 2, as before.
pub const KEY_VERSION_DURESS: u32 = 3;

/// What the duress slot wraps when its action is erasing: no key, this
/// marker. A decoy slot wraps the decoy vault's random key, which is never
/// this value (a chance of 2^-256).
const ERASE_MARKER: [u8; 32] = [0u8; 32];

/// A 256-bit key that is wiped from memory when dropped.
pub type SecretKey = Zeroizing<[u8; 32]>;

/// Overwrites the stack below the caller's frame with zeroes.
///
/// A key returned or passed by value (`SecretKey` is 32 bytes inline) leaves
/// a copy in every stack frame it passed through; `Zeroizing` clears only
/// where it ends. Called right after the work that handled a key, from the
/// frame that called it, this clears the frames that work used (issue 18,
/// item 6; tests/memory_after_lock.rs in rekindle-cli looks for copies).
#[inline(never)]
pub fn burn_stack() {
    // Deeper than key derivation, unwrapping and SQLCipher's keying go;
    // well inside the 2 MiB of a worker thread's stack.
    let mut zeroes = [0u8; 128 * 1024];
    // The buffer escapes, so the zeroes are really written.
    std::hint::black_box(&mut zeroes);
}

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

/// A second key slot: the duress passphrase's own salt and wrapped key,
/// laid out exactly as the main slot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Slot {
    kdf: KdfSection,
    wrap: WrapSection,
}

/// The on-disk key file: KDF settings and the wrapped data key, and (version
/// 2) a duress slot. Contains no secret that is usable without a passphrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    format: String,
    version: u32,
    kdf: KdfSection,
    wrap: WrapSection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duress: Option<Slot>,
}

/// What a passphrase opened (see [`KeyFile::unlock`]).
pub enum Unlocked {
    /// The vault's own passphrase: its data key.
    Real(SecretKey),
    /// The duress passphrase of a decoy: the decoy vault's key.
    Decoy(SecretKey),
    /// The duress passphrase whose action is erasing the vault.
    Erase,
}

/// What the duress passphrase does (`rekindle duress set --action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuressAction {
    /// Crypto-erase the vault, then show a new, empty one.
    Erase,
    /// Open a separate, empty decoy vault; the real one stays as it is.
    Decoy,
}

/// Equal bytes, in time that does not depend on where they differ.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y));
    std::hint::black_box(diff) == 0
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
            duress: None,
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
        // The slots of a file with a duress slot are version 2 slots.
        let slot_version = if self.version == KEY_VERSION_DURESS {
            KEY_VERSION
        } else {
            self.version
        };
        let kek = if slot_version == KEY_VERSION_AS_TYPED {
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
                        aad: &aad(slot_version, &self.kdf.params, &self.kdf.salt),
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
        let version_ok = match &self.duress {
            None => (KEY_VERSION_AS_TYPED..=KEY_VERSION).contains(&self.version),
            Some(_) => self.version == KEY_VERSION_DURESS,
        };
        if self.format != KEY_FORMAT || !version_ok {
            return Err(StoreError::BadKeyFile(format!(
                "unknown format {} v{}",
                self.format, self.version
            )));
        }
        if self.kdf.algorithm != "argon2id" || self.wrap.algorithm != "xchacha20poly1305" {
            return Err(StoreError::BadKeyFile("unknown algorithm".into()));
        }
        if let Some(slot) = &self.duress {
            self.slot_file(slot).check_header()?;
        }
        self.kdf.params.check()
    }

    /// A slot as a key file of its own (version 2, no duress slot), so it is
    /// opened by exactly the code that opens the main slot.
    fn slot_file(&self, slot: &Slot) -> KeyFile {
        KeyFile {
            format: self.format.clone(),
            version: KEY_VERSION,
            kdf: slot.kdf.clone(),
            wrap: slot.wrap.clone(),
            duress: None,
        }
    }

    /// Tries `passphrase` on every slot (security.md item 58): the key
    /// derivation and the authenticated decryption run for each slot, and
    /// the results are compared only after all of them ran, so the time
    /// taken does not tell which slot (if any) matched. A file without a
    /// duress slot runs one derivation, as before.
    pub fn unlock(&self, passphrase: &str) -> Result<Unlocked, StoreError> {
        self.check_header()?;
        let main = self.unwrap_key(passphrase);
        let duress = self
            .duress
            .as_ref()
            .map(|slot| self.slot_file(slot).unwrap_key(passphrase));
        // Every derivation has run; now look at the results.
        match (main, duress) {
            (Ok(key), _) => Ok(Unlocked::Real(key)),
            // A damaged key file (not a wrong passphrase) is said as such.
            (Err(e), _) if !matches!(e, StoreError::WrongPassphrase) => Err(e),
            (Err(_), Some(Ok(key))) => {
                if ct_eq(key.as_ref(), &ERASE_MARKER) {
                    Ok(Unlocked::Erase)
                } else {
                    Ok(Unlocked::Decoy(key))
                }
            }
            (Err(_), Some(Err(e))) | (Err(e), None) => Err(e),
        }
    }

    /// Whether this key file has a duress slot.
    pub fn has_duress(&self) -> bool {
        self.duress.is_some()
    }

    /// Adds (or replaces) the duress slot: `duress_passphrase` wraps the
    /// decoy vault's key (`decoy_key`, for [`DuressAction::Decoy`]) or the
    /// erase marker. The main slot is left exactly as it is.
    pub fn with_duress(
        &self,
        duress_passphrase: &str,
        decoy_key: Option<&SecretKey>,
    ) -> Result<KeyFile, StoreError> {
        if self.version == KEY_VERSION_AS_TYPED {
            // Its main slot would no longer open under version 3's rules;
            // every unlock re-wraps such a file first (DataDir::unlock).
            return Err(StoreError::BadKeyFile(
                "the key file is from an older version; open the vault once, then try again".into(),
            ));
        }
        let marker: SecretKey = Zeroizing::new(ERASE_MARKER);
        let wrapped = KeyFile::wrap(
            decoy_key.unwrap_or(&marker),
            duress_passphrase,
            self.params(),
        )?;
        let mut out = self.clone();
        out.version = KEY_VERSION_DURESS;
        out.duress = Some(Slot {
            kdf: wrapped.kdf,
            wrap: wrapped.wrap,
        });
        Ok(out)
    }

    /// The same key file without its duress slot (version 2 again).
    pub fn without_duress(&self) -> KeyFile {
        let mut out = self.clone();
        out.version = KEY_VERSION;
        out.duress = None;
        out
    }

    /// The main slot re-wrapped under `new` (the duress slot kept).
    pub fn rewrap_main(&self, dek: &SecretKey, new: &str) -> Result<KeyFile, StoreError> {
        let main = KeyFile::wrap(dek, new, self.params())?;
        let mut out = self.clone();
        out.kdf = main.kdf;
        out.wrap = main.wrap;
        // The new main slot is a version 2 slot, whatever the file was.
        out.version = if out.duress.is_some() {
            KEY_VERSION_DURESS
        } else {
            KEY_VERSION
        };
        Ok(out)
    }

    /// The duress slot re-wrapped under `new` (the decoy's passphrase changed
    /// from inside the decoy); the main slot kept.
    pub fn rewrap_duress(&self, key: &SecretKey, new: &str) -> Result<KeyFile, StoreError> {
        let wrapped = KeyFile::wrap(key, new, self.params())?;
        let mut out = self.clone();
        out.duress = Some(Slot {
            kdf: wrapped.kdf,
            wrap: wrapped.wrap,
        });
        Ok(out)
    }

    /// The duress slot alone as a version-2 key file, opened by the duress
    /// passphrase: what a backup made from inside the decoy carries, so it
    /// restores as an ordinary vault holding the decoy.
    pub fn duress_as_key_file(&self) -> Option<KeyFile> {
        self.duress.as_ref().map(|slot| self.slot_file(slot))
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

    /// A key file written before duress slots existed (version 1, made by
    /// `rekindle init` of the previous release, default settings).
    const OLD_KEY_FILE: &str = r#"{
  "format": "rekindle-vault-key",
  "version": 1,
  "kdf": {
    "algorithm": "argon2id",
    "memory_kib": 65536,
    "iterations": 3,
    "parallelism": 1,
    "salt": "aApc96F0t15UMa1ZXcytig=="
  },
  "wrap": {
    "algorithm": "xchacha20poly1305",
    "nonce": "WdYYD6drIBVZ0K3so95zIX/4q1wx+7Ut",
    "ciphertext": "reF9em5eVqB+VMVn933NvZzTreH5+b1yvj8Oe9hLal+XF+mAQ9d200UZa0okXQSW"
  }
}"#;
    const OLD_PASS: &str = "benchmark passphrase, not a secret";

    #[test]
    fn an_old_key_file_without_a_duress_slot_still_opens() {
        let kf = KeyFile::from_json(OLD_KEY_FILE.as_bytes()).unwrap();
        assert!(!kf.has_duress());
        let key = kf.unwrap_key(OLD_PASS).unwrap();
        assert!(matches!(kf.unlock(OLD_PASS), Ok(Unlocked::Real(k)) if *k == *key));
        assert!(matches!(
            kf.unlock("not the passphrase at all"),
            Err(StoreError::WrongPassphrase)
        ));
        // Written back unchanged: still version 1, no duress field.
        let again: serde_json::Value = serde_json::from_slice(&kf.to_json().unwrap()).unwrap();
        let old: serde_json::Value = serde_json::from_str(OLD_KEY_FILE).unwrap();
        assert_eq!(again, old);
    }

    #[test]
    fn every_slot_is_tried_and_each_passphrase_opens_its_own() {
        let dek = new_data_key().unwrap();
        let decoy = new_data_key().unwrap();
        let kf = KeyFile::wrap(&dek, "the real passphrase, long", FAST).unwrap();
        let with = kf
            .with_duress("the duress passphrase, long", Some(&decoy))
            .unwrap();
        let with = KeyFile::from_json(&with.to_json().unwrap()).unwrap();
        assert_eq!(with.version, KEY_VERSION_DURESS);
        // The main slot is exactly as it was.
        assert_eq!(with.wrap.ciphertext, kf.wrap.ciphertext);
        assert!(
            matches!(with.unlock("the real passphrase, long"), Ok(Unlocked::Real(k)) if *k == *dek)
        );
        assert!(
            matches!(with.unlock("the duress passphrase, long"), Ok(Unlocked::Decoy(k)) if *k == *decoy)
        );
        assert!(matches!(
            with.unlock("neither of the two, long"),
            Err(StoreError::WrongPassphrase)
        ));
        let erase = kf.with_duress("the duress passphrase, long", None).unwrap();
        assert!(matches!(
            erase.unlock("the duress passphrase, long"),
            Ok(Unlocked::Erase)
        ));
        assert!(matches!(
            erase.unlock("the real passphrase, long"),
            Ok(Unlocked::Real(_))
        ));
        // The decoy slot alone is an ordinary version-1 key file.
        let alone = with.duress_as_key_file().unwrap();
        let alone = KeyFile::from_json(&alone.to_json().unwrap()).unwrap();
        assert_eq!(alone.version, KEY_VERSION);
        assert!(
            matches!(alone.unlock("the duress passphrase, long"), Ok(Unlocked::Real(k)) if *k == *decoy)
        );
        assert!(alone.unlock("the real passphrase, long").is_err());
        // Off again: version 1, the duress passphrase opens nothing.
        let off = KeyFile::from_json(&with.without_duress().to_json().unwrap()).unwrap();
        assert_eq!(off.version, KEY_VERSION);
        assert!(off.unlock("the duress passphrase, long").is_err());
        // A version that does not match the slots is refused before any work.
        let mut bad: serde_json::Value = serde_json::from_slice(&with.to_json().unwrap()).unwrap();
        bad["version"] = serde_json::json!(1);
        assert!(matches!(
            KeyFile::from_json(&serde_json::to_vec(&bad).unwrap()),
            Err(StoreError::BadKeyFile(_))
        ));
        // A weakened duress slot is refused too.
        let mut weak: serde_json::Value = serde_json::from_slice(&with.to_json().unwrap()).unwrap();
        weak["duress"]["kdf"]["memory_kib"] = serde_json::json!(1024);
        assert!(KeyFile::from_json(&serde_json::to_vec(&weak).unwrap()).is_err());
        assert!(ct_eq(b"abc", b"abc") && !ct_eq(b"abc", b"abd") && !ct_eq(b"ab", b"abc"));
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
