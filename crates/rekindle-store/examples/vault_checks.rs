//! What each integrity check costs on a real vault (BENCHMARKS.md, "Vault
//! checks"): `cargo run --release -p rekindle-store --example vault_checks -- DATA_DIR`
//! with the passphrase in `REKINDLE_PASSPHRASE`. Prints one Markdown row per check.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use rekindle_store::keyfile::KeyFile;
use rusqlite::Connection;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("DATA_DIR"));
    let pass = std::env::var("REKINDLE_PASSPHRASE").expect("REKINDLE_PASSPHRASE");
    let key = KeyFile::from_json(&std::fs::read(dir.join("vault.key")).unwrap()).unwrap();
    let dek = key.unwrap_key(&pass).unwrap();
    let db = dir.join("vault.db");
    let size = std::fs::metadata(&db).unwrap().len();
    let open = || {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\";",
            hex::encode(dek.as_ref())
        ))
        .unwrap();
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .unwrap();
        conn
    };
    println!("vault.db: {:.1} MB", size as f64 / 1e6);
    println!("| check | time (best of 3) |");
    println!("|---|---:|");
    for (name, sql) in [
        ("open only (first page read)", "SELECT 1"),
        (
            "PRAGMA cipher_integrity_check (every page's HMAC)",
            "PRAGMA cipher_integrity_check",
        ),
        ("PRAGMA quick_check", "PRAGMA quick_check"),
        ("PRAGMA integrity_check", "PRAGMA integrity_check"),
    ] {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let conn = open();
            let t = Instant::now();
            let mut stmt = conn.prepare(sql).unwrap();
            let rows = stmt.query_map([], |_| Ok(())).unwrap().count();
            best = best.min(t.elapsed().as_secs_f64());
            assert!(rows <= 1, "{name}: {rows} problems");
        }
        println!("| {name} | {:.3} s |", best);
    }
}
