//! The first vaults a process opens, opened from many threads at once, all
//! open. SQLite marks itself ready before SQLCipher's own set-up has run, so
//! without `sqlcipher_ready` a thread could reach `PRAGMA key` too early
//! (CI saw "An error occurred with PRAGMA key" once). This file holds one
//! test so that the process has opened no database before it starts.
#![allow(clippy::unwrap_used)]

use rekindle_store::SqliteVault;
use rekindle_store::keyfile::new_data_key;
use std::sync::{Arc, Barrier};

#[test]
fn many_threads_open_the_first_vaults_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let threads = 16;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let barrier = barrier.clone();
            let path = dir.path().join(format!("vault-{i}.db"));
            std::thread::spawn(move || {
                let key = new_data_key().unwrap();
                barrier.wait();
                SqliteVault::open(&path, &key).map(|_| ())
            })
        })
        .collect();
    for handle in handles {
        let opened = handle.join().unwrap();
        assert!(opened.is_ok(), "a vault failed to open: {opened:?}");
    }
}
