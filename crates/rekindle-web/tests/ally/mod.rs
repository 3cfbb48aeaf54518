//! What an ally's browser sends (as static/share.js does), for the share
//! tests of both the local listener and a hosted server.
#![allow(clippy::unwrap_used, dead_code)]

use aes_gcm::aead::KeyInit;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::Mac;

fn key(key_b64url: &str) -> [u8; 32] {
    URL_SAFE_NO_PAD
        .decode(key_b64url)
        .unwrap()
        .try_into()
        .unwrap()
}

/// The proof that the browser holds the link's key (hex HMAC of the label).
fn proof(key_b64url: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key(key_b64url)).unwrap();
    mac.update(rekindle_app::share::CONFIRM_LABEL);
    hex::encode(mac.finalize().into_bytes())
}

/// What the page posts to `/s/{id}/view` once it has opened the report.
pub fn opened(key_b64url: &str) -> String {
    serde_json::json!({ "proof": proof(key_b64url) }).to_string()
}

/// What the ally's browser sends: the proof that it holds the key, and the
/// confirmation sealed under it (as static/share.js does).
pub fn sealed_confirmation(key_b64url: &str, milestone: &str) -> String {
    sealed_confirmation_by(key_b64url, milestone, "Jo", "")
}

/// [`sealed_confirmation`] signed with `by` and carrying `note`.
pub fn sealed_confirmation_by(key_b64url: &str, milestone: &str, by: &str, note: &str) -> String {
    use aes_gcm::aead::Aead;
    let iv = [3u8; 12];
    let plain = serde_json::json!({"milestone": milestone, "by": by, "note": note}).to_string();
    let sealed =
        aes_gcm::Aes256Gcm::new(&aes_gcm::Key::<aes_gcm::Aes256Gcm>::from(key(key_b64url)))
            .encrypt(&aes_gcm::Nonce::from(iv), plain.as_bytes())
            .unwrap();
    serde_json::json!({
        "proof": proof(key_b64url),
        "iv": STANDARD.encode(iv),
        "ciphertext": STANDARD.encode(sealed),
    })
    .to_string()
}
