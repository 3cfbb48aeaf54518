//! What an ally's browser sends (as static/share.js does), for the share
//! tests of both the local listener and a hosted server.
#![allow(clippy::unwrap_used, dead_code)]

/// What the ally's browser sends: the proof that it holds the key, and the
/// confirmation sealed under it (as static/share.js does).
pub fn sealed_confirmation(key_b64url: &str, milestone: &str) -> String {
    use aes_gcm::aead::{Aead, KeyInit};
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use hmac::Mac;
    let key: [u8; 32] = URL_SAFE_NO_PAD
        .decode(key_b64url)
        .unwrap()
        .try_into()
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(rekindle_app::share::CONFIRM_LABEL);
    let iv = [3u8; 12];
    let plain = serde_json::json!({"milestone": milestone, "by": "Jo", "note": ""}).to_string();
    let sealed = aes_gcm::Aes256Gcm::new(&aes_gcm::Key::<aes_gcm::Aes256Gcm>::from(key))
        .encrypt(&aes_gcm::Nonce::from(iv), plain.as_bytes())
        .unwrap();
    serde_json::json!({
        "proof": hex::encode(mac.finalize().into_bytes()),
        "iv": STANDARD.encode(iv),
        "ciphertext": STANDARD.encode(sealed),
    })
    .to_string()
}
