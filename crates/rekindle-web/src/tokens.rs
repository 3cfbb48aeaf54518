//! Secret tokens: 128 random bits from the OS, shown once, and kept on the
//! server only as SHA-256 digests (security.md table, items 13 and 24).

use sha2::{Digest, Sha256};

pub type TokenHash = [u8; 32];

/// A new random token as 32 hex characters.
pub fn new_token() -> std::io::Result<String> {
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(std::io::Error::other)?;
    Ok(hex::encode(raw))
}

pub fn hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares in time that does not depend on where the first difference is.
pub fn same(a: &TokenHash, b: &TokenHash) -> bool {
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
