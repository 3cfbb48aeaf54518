//! Share links for an ally or counsellor (security.md items 32–36).
//!
//! The share listener holds no vault key. A share is a *copy* of the chosen
//! report, encrypted with AES-256-GCM under a random 256-bit key that lives
//! only in the link's fragment (never sent to any server) and, for the
//! owner, inside the encrypted vault. The [`ShareBox`] (a folder on one
//! computer, a table on a hosted server) holds only ciphertext: the
//! snapshot, the times it was opened, and the ally's confirmations
//! (encrypted in the ally's browser under the same key). Revoking deletes
//! them at once.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use rekindle_core::FormErrors;
use rekindle_store::{Confirmed, ShareBox, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::method::MethodError;

pub const SHARE: &str = "share";
pub const CONFIRMATION: &str = "confirmation";
pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 180;
/// What the ally's browser MACs to prove it holds the link's key.
pub const CONFIRM_LABEL: &[u8] = b"rekindle-confirm-v1";

/// The owner's record of a share, inside the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareRecord {
    /// Hex SHA-256 of the link id (the file name); the id itself is only in the link.
    pub id_hash: String,
    pub id: String,
    /// Base64url of the 256-bit content key.
    pub key: String,
    pub created: Timestamp,
    pub expires: Timestamp,
    pub label: String,
    pub revoked: bool,
}

impl ShareRecord {
    /// The link path with the key in the fragment.
    pub fn path(&self) -> String {
        format!("/s/{}#{}", self.id, self.key)
    }
}

/// The file the share listener serves: ciphertext and expiry only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareFile {
    pub v: u8,
    pub expires_ms: i64,
    pub iv: String,
    pub ciphertext: String,
    /// Hex SHA-256 of HMAC-SHA256(key, CONFIRM_LABEL).
    pub confirm_verifier: String,
}

/// One confirmation as the listener stores it (encrypted by the ally's browser).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedConfirmation {
    pub at_ms: i64,
    pub iv: String,
    pub ciphertext: String,
}

/// What the ally wrote, once decrypted by the owner's app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    pub share_id_hash: String,
    pub at: Timestamp,
    pub milestone: String,
    pub by: String,
    pub note: String,
}

#[derive(Deserialize)]
struct ConfirmPlain {
    milestone: String,
    by: String,
    #[serde(default)]
    note: String,
}

pub fn id_hash(id: &str) -> String {
    hex_lower(&Sha256::digest(id.as_bytes()))
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn random<const N: usize>() -> Result<[u8; N], MethodError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| {
        MethodError::Store(rekindle_store::StoreError::io(
            "random source",
            std::io::Error::other(e),
        ))
    })?;
    Ok(b)
}

pub fn confirm_verifier(key: &[u8; 32]) -> String {
    // HMAC takes keys of any length, so this cannot fail; an empty verifier
    // would only make confirmations impossible, never possible for others.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(CONFIRM_LABEL);
            hex_lower(&Sha256::digest(mac.finalize().into_bytes()))
        }
        Err(_) => String::new(),
    }
}

pub fn validate_days(raw: &str) -> Result<i64, FormErrors> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(DEFAULT_DAYS);
    }
    match raw.parse::<i64>() {
        Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        _ => {
            let mut e = FormErrors::default();
            e.add(
                "days",
                format!("Choose how many days the link works: 1 to {MAX_DAYS}."),
            );
            Err(e)
        }
    }
}

/// Encrypts `html` into a new share that works for `days` days.
pub fn create(
    store: &mut dyn Store,
    share_box: &dyn ShareBox,
    html: &str,
    label: &str,
    days: i64,
    now: Timestamp,
) -> Result<ShareRecord, MethodError> {
    let id_bytes: [u8; 16] = random()?;
    let key: [u8; 32] = random()?;
    let iv: [u8; 12] = random()?;
    let id = B64URL.encode(id_bytes);
    let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
    let ciphertext = cipher
        .encrypt(&Nonce::from(iv), html.as_bytes())
        .map_err(|_| MethodError::NotFound)?;
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .unwrap_or(now);
    let file = ShareFile {
        v: 1,
        expires_ms: expires.as_millisecond(),
        iv: B64.encode(iv),
        ciphertext: B64.encode(ciphertext),
        confirm_verifier: confirm_verifier(&key),
    };
    let record = ShareRecord {
        id_hash: id_hash(&id),
        id,
        key: B64URL.encode(key),
        created: now,
        expires,
        label: label.to_string(),
        revoked: false,
    };
    share_box.put(
        &record.id_hash,
        file.expires_ms,
        &serde_json::to_string(&file).unwrap_or_default(),
    )?;
    store.save_item(
        SHARE,
        None,
        &serde_json::to_value(&record).unwrap_or_default(),
        now,
    )?;
    tracing::info!(event = "share_created");
    Ok(record)
}

pub fn shares(store: &dyn Store) -> Result<Vec<(i64, ShareRecord)>, MethodError> {
    Ok(store
        .items(SHARE)?
        .iter()
        .filter_map(|i| i.parse().map(|r| (i.id, r)))
        .collect())
}

/// Revokes at once: the snapshot is deleted, the record keeps that it was revoked.
pub fn revoke(
    store: &mut dyn Store,
    share_box: &dyn ShareBox,
    item_id: i64,
    now: Timestamp,
) -> Result<(), MethodError> {
    let (_, mut record) = shares(store)?
        .into_iter()
        .find(|(id, _)| *id == item_id)
        .ok_or(MethodError::NotFound)?;
    share_box.remove(&record.id_hash)?;
    record.revoked = true;
    store.save_item(
        SHARE,
        Some(item_id),
        &serde_json::to_value(&record).unwrap_or_default(),
        now,
    )?;
    tracing::info!(event = "share_revoked");
    Ok(())
}

/// When the link was opened (times only).
pub fn views(share_box: &dyn ShareBox, record: &ShareRecord) -> Vec<Timestamp> {
    share_box
        .views(&record.id_hash)
        .into_iter()
        .filter_map(|ms| Timestamp::from_millisecond(ms).ok())
        .collect()
}

/// Moves the ally's new confirmations into the vault (decrypted with the
/// share's key; anything that does not decrypt is ignored).
pub fn sync_confirmations(
    store: &mut dyn Store,
    share_box: &dyn ShareBox,
    now: Timestamp,
) -> Result<usize, MethodError> {
    let known: Vec<Confirmation> = confirmations(store)?;
    let mut added = 0;
    for (_, record) in shares(store)? {
        let lines = share_box.confirmations(&record.id_hash);
        if lines.is_empty() {
            continue;
        }
        let Ok(key) = B64URL.decode(&record.key) else {
            continue;
        };
        let Ok(key): Result<[u8; 32], _> = key.try_into() else {
            continue;
        };
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
        for line in &lines {
            let Ok(sealed) = serde_json::from_str::<SealedConfirmation>(line) else {
                continue;
            };
            let (Ok(iv), Ok(ct)) = (B64.decode(&sealed.iv), B64.decode(&sealed.ciphertext)) else {
                continue;
            };
            let Ok(iv): Result<[u8; 12], _> = iv.try_into() else {
                continue;
            };
            let Ok(plain) = cipher.decrypt(&Nonce::from(iv), ct.as_slice()) else {
                continue;
            };
            let Ok(c) = serde_json::from_slice::<ConfirmPlain>(&plain) else {
                continue;
            };
            let Ok(at) = Timestamp::from_millisecond(sealed.at_ms) else {
                continue;
            };
            // Checked like the owner's own input; the share page checks the
            // same before sending, so only a hand-made post is refused here.
            let Ok(c) =
                rekindle_core::support::validate_ally_confirmation(&c.milestone, &c.by, &c.note)
            else {
                tracing::warn!(event = "share_confirmation_refused");
                continue;
            };
            let conf = Confirmation {
                share_id_hash: record.id_hash.clone(),
                at,
                milestone: c.milestone,
                by: c.by,
                note: c.note,
            };
            if !known.contains(&conf) {
                store.save_item(
                    CONFIRMATION,
                    None,
                    &serde_json::to_value(&conf).unwrap_or_default(),
                    now,
                )?;
                added += 1;
            }
        }
    }
    Ok(added)
}

pub fn confirmations(store: &dyn Store) -> Result<Vec<Confirmation>, MethodError> {
    Ok(store
        .items(CONFIRMATION)?
        .iter()
        .filter_map(|i| i.parse())
        .collect())
}

// ----- the listener's side: no vault, only the share box -----

/// The snapshot for an id, if it exists and has not expired.
pub fn load(share_box: &dyn ShareBox, id: &str, now: Timestamp) -> Option<ShareFile> {
    if id.len() > 64
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let text = share_box.get(&id_hash(id))?;
    let f: ShareFile = serde_json::from_str(&text).ok()?;
    (f.expires_ms > now.as_millisecond()).then_some(f)
}

/// What became of a confirmation posted from a share page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Stored,
    /// No such live share, a wrong proof, or a share holding all it may.
    Refused,
    /// The share took its hourly number of confirmations already.
    TooManyThisHour,
}

/// Whether `proof_hex` shows that the sender holds the link's key (the
/// share page computes it from the key in the link's fragment).
fn holds_key(file: &ShareFile, proof_hex: &str) -> bool {
    let Ok(proof) = (0..proof_hex.len())
        .step_by(2)
        .map(|i| {
            proof_hex
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(())
        })
        .collect::<Result<Vec<u8>, ()>>()
    else {
        return false;
    };
    hex_lower(&Sha256::digest(&proof)) == file.confirm_verifier
}

/// Records that the link was opened, when `proof_hex` shows the page was
/// opened with the key (posted by the share page's script once it has
/// decrypted the report). A plain GET of the link records nothing: link
/// previewers in messaging apps fetch links without opening them.
pub fn record_view(share_box: &dyn ShareBox, id: &str, proof_hex: &str, now: Timestamp) -> bool {
    let Some(file) = load(share_box, id, now) else {
        return false;
    };
    if !holds_key(&file, proof_hex) {
        return false;
    }
    if share_box
        .add_view(&id_hash(id), now.as_millisecond())
        .is_err()
    {
        // The page is still served; only the count misses one.
        tracing::warn!(event = "share_view_not_recorded");
    }
    true
}

/// Stores a confirmation if `proof` shows the sender holds the link's key.
pub fn confirm(
    share_box: &dyn ShareBox,
    id: &str,
    proof_hex: &str,
    iv: &str,
    ciphertext: &str,
    now: Timestamp,
) -> ConfirmOutcome {
    let Some(file) = load(share_box, id, now) else {
        return ConfirmOutcome::Refused;
    };
    if !holds_key(&file, proof_hex) || ciphertext.len() > 8_000 || iv.len() > 40 {
        return ConfirmOutcome::Refused;
    }
    let line = serde_json::to_string(&SealedConfirmation {
        at_ms: now.as_millisecond(),
        iv: iv.to_string(),
        ciphertext: ciphertext.to_string(),
    })
    .unwrap_or_default();
    match share_box.add_confirmation(&id_hash(id), &line, now.as_millisecond()) {
        Ok(Confirmed::Added) => ConfirmOutcome::Stored,
        Ok(Confirmed::TooManyThisHour) => ConfirmOutcome::TooManyThisHour,
        Ok(Confirmed::NoShare | Confirmed::Full) => ConfirmOutcome::Refused,
        Err(_) => {
            tracing::warn!(event = "share_confirmation_not_stored");
            ConfirmOutcome::Refused
        }
    }
}
