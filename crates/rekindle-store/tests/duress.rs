//! The duress passphrase (security.md item 58): erase leaves no key
//! material of the vault; decoy shows an empty vault and leaves the real one
//! intact; the vault's own passphrase keeps working.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use jiff::Timestamp;
use rekindle_core::relationship::Relationship;
use rekindle_store::keyfile::KeyFile;
use rekindle_store::{DECOY_FILE, DataDir, DuressAction, KdfParams, Store, StoreError};

const PASS: &str = "a quiet walk by the river at dawn";
const DURESS: &str = "the weather is fine today, thanks";
const CANARY: &str = "CANARYzqxj-duress-lighthouse";
const FAST: KdfParams = KdfParams {
    memory_kib: 19_456,
    iterations: 2,
    parallelism: 1,
};

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap()
}

/// A vault in `dir` holding the canary in its relationship page.
fn vault_with_data(dir: &Path) -> DataDir {
    let dd = DataDir::open(dir).unwrap();
    let mut v = dd.create(PASS, FAST).unwrap();
    let rel = Relationship {
        their_name: CANARY.into(),
        ..Relationship::default()
    };
    v.save_relationship(&rel, at(1_700_000_000)).unwrap();
    dd
}

fn total(v: &dyn Store) -> u64 {
    v.counts().unwrap().iter().map(|(_, n)| n).sum()
}

/// The base64 strings of every wrapped key in a key file.
fn wrapped_keys(key_file: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(key_file).unwrap();
    let mut out = vec![v["wrap"]["ciphertext"].as_str().unwrap().to_string()];
    if let Some(c) = v["duress"]["wrap"]["ciphertext"].as_str() {
        out.push(c.to_string());
    }
    out
}

#[test]
fn the_erase_passphrase_leaves_no_key_material_and_shows_an_empty_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let dd = vault_with_data(&d);
    dd.set_duress(PASS, DURESS, DuressAction::Erase).unwrap();
    let before = fs::read(dd.key_path()).unwrap();
    let old_slots = wrapped_keys(&before);
    assert_eq!(old_slots.len(), 2, "both slots are in the key file");
    let old_db = fs::read(dd.vault_path()).unwrap();

    let v = dd.unlock(DURESS).unwrap();
    // What the person watching sees: an empty vault, opened as usual.
    assert_eq!(total(&v), 0);
    assert!(v.relationship().unwrap().is_none());
    drop(v);

    // No wrapped key of the old vault is left anywhere in the folder, and
    // the old database's bytes are gone.
    let after = fs::read(dd.key_path()).unwrap();
    for entry in fs::read_dir(&d).unwrap() {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for slot in &old_slots {
            assert!(!text.contains(slot.as_str()), "a wrapped key survived");
        }
        assert_ne!(bytes, old_db);
    }
    assert!(!d.join(DECOY_FILE).exists());
    // The real passphrase opens nothing now; the duress one opens the new
    // empty vault again, which has one slot only.
    assert!(matches!(dd.unlock(PASS), Err(StoreError::WrongPassphrase)));
    let kf = KeyFile::from_json(&after).unwrap();
    assert!(!kf.has_duress());
    assert!(kf.unwrap_key(PASS).is_err());
    assert_eq!(total(&dd.unlock(DURESS).unwrap()), 0);
}

#[test]
fn the_decoy_passphrase_shows_an_empty_vault_and_leaves_the_real_one_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let dd = vault_with_data(&d);
    // The duress passphrase must differ, and the real one must be given.
    assert!(matches!(
        dd.set_duress(PASS, PASS, DuressAction::Decoy),
        Err(StoreError::PassphraseInUse)
    ));
    let untouched = fs::read(dd.key_path()).unwrap();
    assert!(matches!(
        dd.set_duress("not the passphrase of it", DURESS, DuressAction::Decoy),
        Err(StoreError::WrongPassphrase)
    ));
    assert_eq!(fs::read(dd.key_path()).unwrap(), untouched);
    dd.set_duress(PASS, DURESS, DuressAction::Decoy).unwrap();
    let real_db = fs::read(dd.vault_path()).unwrap();

    let mut decoy = dd.unlock(DURESS).unwrap();
    assert_eq!(total(&decoy), 0);
    assert!(decoy.relationship().unwrap().is_none());
    // Used as a vault: what is written goes to the decoy only.
    let rel = Relationship {
        their_name: "Someone else".into(),
        ..Relationship::default()
    };
    decoy.save_relationship(&rel, at(1_700_000_100)).unwrap();
    // A backup made from inside the decoy is an ordinary vault of the decoy.
    let bk = tmp.path().join("decoy-backup.db");
    let key_copy = dd.backup(&decoy, &bk).unwrap();
    drop(decoy);
    let bk_key = KeyFile::from_json(&fs::read(&key_copy).unwrap()).unwrap();
    assert!(!bk_key.has_duress());
    assert!(bk_key.unwrap_key(DURESS).is_ok());
    assert!(bk_key.unwrap_key(PASS).is_err());

    // The real vault: byte for byte as it was, with its data.
    assert_eq!(fs::read(dd.vault_path()).unwrap(), real_db);
    let real = dd.unlock(PASS).unwrap();
    assert_eq!(real.relationship().unwrap().unwrap().their_name, CANARY);
    drop(real);
    assert_eq!(
        dd.unlock(DURESS)
            .unwrap()
            .relationship()
            .unwrap()
            .unwrap()
            .their_name,
        "Someone else"
    );

    // Changing the passphrase from inside the decoy changes the decoy's;
    // the real one keeps opening the real vault. A new passphrase that is
    // the other slot's is refused.
    let new_duress = "a new duress passphrase, also long";
    assert!(matches!(
        dd.change_passphrase(DURESS, PASS),
        Err(StoreError::PassphraseInUse)
    ));
    dd.change_passphrase(DURESS, new_duress).unwrap();
    assert!(dd.unlock(DURESS).is_err());
    assert_eq!(total(&dd.unlock(new_duress).unwrap()), 1);
    assert_eq!(
        dd.unlock(PASS)
            .unwrap()
            .relationship()
            .unwrap()
            .unwrap()
            .their_name,
        CANARY
    );

    // Off: the decoy and its slot are gone; the real vault stays.
    dd.duress_off(PASS).unwrap();
    assert!(!d.join(DECOY_FILE).exists());
    assert!(matches!(
        dd.unlock(new_duress),
        Err(StoreError::WrongPassphrase)
    ));
    assert!(
        !KeyFile::from_json(&fs::read(dd.key_path()).unwrap())
            .unwrap()
            .has_duress()
    );
    assert_eq!(
        dd.unlock(PASS)
            .unwrap()
            .relationship()
            .unwrap()
            .unwrap()
            .their_name,
        CANARY
    );
}

#[test]
fn delete_vault_with_the_duress_passphrase_deletes_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data");
    let dd = vault_with_data(&d);
    dd.set_duress(PASS, DURESS, DuressAction::Decoy).unwrap();
    assert!(d.join(DECOY_FILE).exists());
    dd.erase(DURESS).unwrap();
    assert!(!dd.has_vault());
    let left: Vec<String> = fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["rekindle.lock"]);
}
