//! Deleting the vault (security.md item 60): the key slot is destroyed
//! first, then every file of the vault goes; a wrong passphrase changes
//! nothing; an erasure cut short is finished on the next open.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use jiff::Timestamp;
use rekindle_core::relationship::Relationship;
use rekindle_store::keyfile::KeyFile;
use rekindle_store::{DataDir, KdfParams, ShareBox, ShareDir, Store, StoreError};

const PASS: &str = "a quiet walk by the river at dawn";
const CANARY: &str = "CANARYzqxj-erase-me-lighthouse";
/// Fast enough for tests, above the floor `KdfParams::check` allows.
const FAST: KdfParams = KdfParams {
    memory_kib: 19_456,
    iterations: 2,
    parallelism: 1,
};

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap()
}

/// Every file and folder under `dir`, as paths relative to it, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(root).unwrap().display().to_string());
            if p.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    tree(dir)
        .into_iter()
        .filter(|rel| dir.join(rel).is_file())
        .map(|rel| {
            let bytes = fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// A lived-in data folder: a vault with data and un-checkpointed writes (its
/// `-wal` and `-shm` are there), a share link, a vault kept aside earlier, a
/// stale temporary file and the user's own word list. Returns the open vault.
fn lived_in(dir: &Path) -> (DataDir, rekindle_store::SqliteVault) {
    let dd = fast(DataDir::open(dir).unwrap());
    let mut v = dd.create(PASS, FAST).unwrap();
    for n in 0..20 {
        let r = Relationship {
            their_name: format!("Alex {CANARY}"),
            my_view: format!("version {n} {CANARY}"),
            ..Relationship::default()
        };
        v.save_relationship(&r, at(1_700_000_000 + n)).unwrap();
    }
    ShareDir::new(dir.join("shares"))
        .put(&"ab".repeat(32), 0, "sealed snapshot")
        .unwrap();
    fs::write(dir.join("vault.db.without-key-1700000000000"), b"old").unwrap();
    fs::write(dir.join(".vault.key.0123456789ab.tmp"), b"half").unwrap();
    fs::create_dir(dir.join("lexicons")).unwrap();
    fs::write(dir.join("lexicons/mine.txt"), b"topic: words\n").unwrap();
    (dd, v)
}

#[test]
fn erasing_leaves_nothing_of_the_vault_in_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (dd, v) = lived_in(&dir);
    assert!(dir.join("vault.db-wal").exists() && dir.join("vault.db-shm").exists());
    // A backup made earlier, outside the folder: the user's to delete.
    let backup = tmp.path().join("backup.db");
    let key_copy = dd.backup(&v, &backup).unwrap();
    let key_before = fs::read(dd.key_path()).unwrap();

    let erased = dd.erase(PASS).unwrap();
    // The vault's own connection is closed after the files are gone (as the
    // web app does): closing writes nothing back into the folder.
    drop(v);

    assert_eq!(erased.kept_lexicons, Some(dir.join("lexicons")));
    assert_eq!(
        tree(&dir),
        ["lexicons", "lexicons/mine.txt", "rekindle.lock"],
        "only the lock file and the user's own word lists stay"
    );
    assert_eq!(fs::read(dir.join("rekindle.lock")).unwrap(), b"");
    for (name, bytes) in contents(&dir) {
        assert!(!String::from_utf8_lossy(&bytes).contains(CANARY), "{name}");
        assert!(
            !bytes
                .windows(16)
                .any(|w| key_before.windows(16).any(|k| k == w)),
            "{name} holds part of the old key file"
        );
    }
    assert!(!dd.has_vault());
    assert!(matches!(dd.unlock(PASS), Err(StoreError::NoVault(_))));
    assert!(matches!(dd.erase(PASS), Err(StoreError::NoVault(_))));

    // What rekindle cannot reach: the earlier backup still opens.
    let kf = KeyFile::from_json(&fs::read(&key_copy).unwrap()).unwrap();
    let old = rekindle_store::SqliteVault::open(&backup, &kf.unwrap_key(PASS).unwrap()).unwrap();
    assert_eq!(old.relationship_history().unwrap().len(), 20);

    // And a new, empty vault can be made in the same folder.
    let mut fresh = dd.create("another long passphrase for now", FAST).unwrap();
    assert!(fresh.relationship().unwrap().is_none());
    fresh
        .save_relationship(&Relationship::default(), at(1))
        .unwrap();
    drop(fresh);
    drop(dd);
    let dd = fast(DataDir::open(&dir).unwrap());
    assert!(matches!(dd.unlock(PASS), Err(StoreError::WrongPassphrase)));
}

#[test]
fn a_wrong_passphrase_erases_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (dd, v) = lived_in(&dir);
    drop(v);
    let before = contents(&dir);
    let err = dd.erase("not the right passphrase at all").unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase), "{err}");
    assert!(err.to_string().contains("Nothing was changed"));
    // Only the count of wrong tries (issue 18, item 5) was added.
    let mut after = contents(&dir);
    let counted = after
        .iter()
        .position(|(name, _)| name == rekindle_store::backoff::FAILURES_FILE)
        .map(|i| after.remove(i));
    assert!(counted.is_some(), "the wrong try was counted");
    assert_eq!(before, after, "not one byte of the vault changed");
    let v = dd.unlock(PASS).unwrap();
    assert_eq!(v.relationship_history().unwrap().len(), 20);
}

#[test]
fn there_is_nothing_to_erase_in_an_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dd = fast(DataDir::open(&tmp.path().join("data")).unwrap());
    assert!(matches!(dd.erase(PASS), Err(StoreError::NoVault(_))));
}

/// The state a crash leaves after the key slot was destroyed but before the
/// files were removed: the key file holds the erasure mark, the rest is there.
fn cut_short(dir: &Path) {
    let (dd, v) = lived_in(dir);
    drop(v);
    fs::write(dd.key_path(), b"rekindle-vault-erased\n").unwrap();
}

#[test]
fn an_erasure_cut_short_is_finished_by_the_next_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    cut_short(&dir);
    assert!(dir.join("vault.db").exists());
    let dd = fast(DataDir::open(&dir).unwrap());
    assert_eq!(
        tree(&dir),
        ["lexicons", "lexicons/mine.txt", "rekindle.lock"]
    );
    assert!(!dd.has_vault());
}

#[test]
fn an_erasure_cut_short_is_finished_by_erasing_again_or_creating() {
    for again in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        // The mark appears while this process holds the folder (an erasure
        // that failed half-way, e.g. on a file it could not remove).
        let (dd, v) = lived_in(&dir);
        drop(v);
        fs::write(dd.key_path(), b"rekindle-vault-erased\n").unwrap();
        assert!(!dd.has_vault(), "a destroyed key is no vault");
        assert!(matches!(dd.unlock(PASS), Err(StoreError::NoVault(_))));
        if again {
            // The key is gone already, so any passphrase finishes the job.
            dd.erase("whatever was typed this time").unwrap();
            assert_eq!(
                tree(&dir),
                ["lexicons", "lexicons/mine.txt", "rekindle.lock"]
            );
        } else {
            dd.create(PASS, FAST).unwrap();
            assert!(
                !tree(&dir)
                    .iter()
                    .any(|f| f.contains("without-key") || f.contains("shares")),
                "the erased vault's files are removed, not kept aside: {:?}",
                tree(&dir)
            );
        }
    }
}

#[test]
fn the_key_slot_is_destroyed_before_any_file_is_removed() {
    // A vault.db that cannot be removed (its folder entry is a directory
    // here) stops the erasure half-way: by then the key file must already
    // be useless, and an open finishes once the obstacle is gone.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (dd, v) = lived_in(&dir);
    drop(v);
    let wrapped = fs::read(dd.key_path()).unwrap();
    fs::create_dir(dir.join("vault.db-journal")).unwrap();
    fs::write(dir.join("vault.db-journal/x"), b"x").unwrap();
    let err = dd.erase(PASS).unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err}");
    let now = fs::read(dd.key_path()).unwrap();
    assert_eq!(now, b"rekindle-vault-erased\n");
    assert!(KeyFile::from_json(&wrapped).is_ok() && KeyFile::from_json(&now).is_err());
    assert!(!dd.has_vault());
    fs::remove_dir_all(dir.join("vault.db-journal")).unwrap();
    drop(dd);
    fast(DataDir::open(&dir).unwrap());
    assert_eq!(
        tree(&dir),
        ["lexicons", "lexicons/mine.txt", "rekindle.lock"]
    );
}

#[test]
fn other_connections_are_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let dd = fast(DataDir::open(&tmp.path().join("data")).unwrap());
    let v = dd.create(PASS, FAST).unwrap();
    assert_eq!(v.other_connections(), 0);
    let second = v.open_another().unwrap();
    assert_eq!(v.other_connections(), 1);
    assert_eq!(second.other_connections(), 1);
    drop(second);
    assert_eq!(v.other_connections(), 0);
}

#[test]
fn a_vault_copy_is_encrypted_private_and_removed_when_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (dd, v) = lived_in(&dir);
    let copy = dd.copy_vault(&v).unwrap();
    let path = copy.path().to_path_buf();
    assert!(path.starts_with(&dir));
    let bytes = fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!String::from_utf8_lossy(&bytes).contains(CANARY));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // It opens with the vault's key file.
    let kf = KeyFile::from_json(&dd.key_file_bytes().unwrap()).unwrap();
    let opened = rekindle_store::SqliteVault::open(&path, &kf.unwrap_key(PASS).unwrap()).unwrap();
    assert_eq!(opened.relationship_history().unwrap().len(), 20);
    drop(opened);
    drop(copy);
    assert!(!path.exists());
}

/// Tests keep to the floor's parameters: today's default (most of a second
/// per derivation) would make them slow, and an unlock would re-wrap.
fn fast(dir: DataDir) -> DataDir {
    dir.with_kdf_target(KdfParams::FLOOR).unwrap()
}
