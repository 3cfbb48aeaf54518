//! Sealing: every content column is XChaCha20-Poly1305 under a subkey of the
//! account's data key, with a fresh 24-byte nonce from the OS CSPRNG per
//! encryption (stored in front of the ciphertext), and associated data that
//! binds account, table, row and column, so a ciphertext moved to another
//! row, column or account no longer opens. Comparable columns hold
//! HMAC-SHA256 under another subkey (per account, never plaintext).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::PgError;

pub(crate) type SecretKey = Zeroizing<[u8; 32]>;

pub(crate) const NONCE_LEN: usize = 24;

/// `N` bytes from the OS CSPRNG.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], PgError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| PgError::Random)?;
    Ok(buf)
}

/// HMAC-SHA256(key, msg).
pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// A subkey of `key` for one purpose (HMAC-SHA256 as a PRF).
pub(crate) fn subkey(key: &[u8; 32], label: &str) -> SecretKey {
    Zeroizing::new(hmac(key, &[label.as_bytes()]))
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// nonce || XChaCha20-Poly1305(key, plaintext, aad).
pub(crate) fn encrypt(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, PgError> {
    let nonce = random::<NONCE_LEN>()?;
    encrypt_with_nonce(key, nonce, plaintext, aad)
}

fn encrypt_with_nonce(
    key: &[u8; 32],
    nonce: [u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, PgError> {
    let cipher = XChaCha20Poly1305::new(&Key::from(*key));
    let ct = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| PgError::Corrupt)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens what [`encrypt`] made; any change to nonce, ciphertext, tag or AAD fails.
pub(crate) fn decrypt(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, PgError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(PgError::Corrupt);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| PgError::Corrupt)?;
    XChaCha20Poly1305::new(&Key::from(*key))
        .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
        .map_err(|_| PgError::Corrupt)
}

/// Wraps a 32-byte key.
pub(crate) fn wrap_key(kek: &[u8; 32], key: &[u8; 32], aad: &[u8]) -> Result<Vec<u8>, PgError> {
    encrypt(kek, key, aad)
}

/// Unwraps a 32-byte key; `None` when the wrapping key or AAD is wrong.
pub(crate) fn unwrap_key(kek: &[u8; 32], wrapped: &[u8], aad: &[u8]) -> Option<SecretKey> {
    let plain = Zeroizing::new(decrypt(kek, wrapped, aad).ok()?);
    let key: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(Zeroizing::new(key))
}

/// One account's keys for its content: seals and opens columns, hashes
/// comparable values. Holds only subkeys of the data key, wiped on drop.
pub(crate) struct Sealer {
    owner: i64,
    seal_key: SecretKey,
    mac_key: SecretKey,
    /// Nonces come from the OS CSPRNG in batches (one `getrandom` call per
    /// 256 nonces), which keeps a million-message import fast.
    nonces: Vec<u8>,
}

const NONCE_BATCH: usize = 256;

impl Sealer {
    pub(crate) fn new(owner: i64, data_key: &[u8; 32]) -> Sealer {
        Sealer {
            owner,
            seal_key: subkey(data_key, "rekindle-pg/v1/seal"),
            mac_key: subkey(data_key, "rekindle-pg/v1/mac"),
            nonces: Vec::new(),
        }
    }

    fn aad(&self, table: &str, row: &str, column: &str) -> Vec<u8> {
        format!("rekindle-pg/v1\0{}\0{table}\0{row}\0{column}", self.owner).into_bytes()
    }

    fn next_nonce(&mut self) -> Result<[u8; NONCE_LEN], PgError> {
        if self.nonces.len() < NONCE_LEN {
            let mut batch = vec![0u8; NONCE_LEN * NONCE_BATCH];
            getrandom::fill(&mut batch).map_err(|_| PgError::Random)?;
            self.nonces = batch;
        }
        let at = self.nonces.len() - NONCE_LEN;
        let nonce: [u8; NONCE_LEN] = self.nonces[at..].try_into().map_err(|_| PgError::Random)?;
        // Each nonce is used once: it leaves the buffer, and is overwritten.
        self.nonces[at..].fill(0);
        self.nonces.truncate(at);
        Ok(nonce)
    }

    pub(crate) fn seal(
        &mut self,
        table: &str,
        row: &str,
        column: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, PgError> {
        let nonce = self.next_nonce()?;
        let aad = self.aad(table, row, column);
        encrypt_with_nonce(&self.seal_key, nonce, plaintext, &aad)
    }

    pub(crate) fn seal_opt(
        &mut self,
        table: &str,
        row: &str,
        column: &str,
        plaintext: Option<&str>,
    ) -> Result<Option<Vec<u8>>, PgError> {
        plaintext
            .map(|p| self.seal(table, row, column, p.as_bytes()))
            .transpose()
    }

    pub(crate) fn open(
        &self,
        table: &str,
        row: &str,
        column: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, PgError> {
        decrypt(&self.seal_key, sealed, &self.aad(table, row, column))
    }

    pub(crate) fn open_string(
        &self,
        table: &str,
        row: &str,
        column: &str,
        sealed: &[u8],
    ) -> Result<String, PgError> {
        String::from_utf8(self.open(table, row, column, sealed)?).map_err(|_| PgError::Corrupt)
    }

    pub(crate) fn open_opt(
        &self,
        table: &str,
        row: &str,
        column: &str,
        sealed: Option<&[u8]>,
    ) -> Result<Option<String>, PgError> {
        sealed
            .map(|s| self.open_string(table, row, column, s))
            .transpose()
    }

    /// The keyed hash of a comparable value, for one purpose.
    pub(crate) fn mac(&self, purpose: &str, value: &[u8]) -> Vec<u8> {
        hmac(self.mac_key.as_slice(), &[purpose.as_bytes(), value]).to_vec()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_plaintext_seals_differently_and_opens() {
        let mut s = Sealer::new(7, &[1u8; 32]);
        let a = s.seal("t", "1", "c", b"hello").unwrap();
        let b = s.seal("t", "1", "c", b"hello").unwrap();
        assert_ne!(a, b);
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_eq!(s.open("t", "1", "c", &a).unwrap(), b"hello");
    }

    #[test]
    fn moved_ciphertext_or_flipped_bit_does_not_open() {
        let mut s = Sealer::new(7, &[1u8; 32]);
        let a = s.seal("t", "1", "c", b"hello").unwrap();
        assert!(s.open("t", "2", "c", &a).is_err());
        assert!(s.open("t", "1", "d", &a).is_err());
        assert!(s.open("u", "1", "c", &a).is_err());
        assert!(Sealer::new(8, &[1u8; 32]).open("t", "1", "c", &a).is_err());
        assert!(Sealer::new(7, &[2u8; 32]).open("t", "1", "c", &a).is_err());
        for bit in 0..a.len() * 8 {
            let mut b = a.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(s.open("t", "1", "c", &b).is_err(), "bit {bit}");
        }
    }

    #[test]
    fn nonces_are_unique() {
        let mut s = Sealer::new(1, &[0u8; 32]);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100_000 {
            assert!(seen.insert(s.next_nonce().unwrap()));
        }
    }

    #[test]
    fn macs_are_per_account_and_purpose() {
        let a = Sealer::new(1, &[1u8; 32]);
        let b = Sealer::new(1, &[2u8; 32]);
        assert_eq!(a.mac("x", b"v"), a.mac("x", b"v"));
        assert_ne!(a.mac("x", b"v"), b.mac("x", b"v"));
        assert_ne!(a.mac("x", b"v"), a.mac("y", b"v"));
    }
}
