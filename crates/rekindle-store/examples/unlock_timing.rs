//! How long an unlock takes with the real, the duress and a wrong passphrase
//! (security.md item 58: the three must not be told apart by timing). Run by
//! `bash bench/unlock_timing.sh`; numbers go in BENCHMARKS.md, never in tests.
//!
//! 1. The key-slot check alone (`KeyFile::unlock`, what decides which slot
//!    matched): TRIALS runs of each passphrase, interleaved so drift of a
//!    shared machine falls on all three alike; medians and a two-sample
//!    Kolmogorov-Smirnov test per pair (the item's test: p > 0.01).
//! 2. The whole `DataDir::unlock` of a small vault (it also opens the
//!    database, so it differs by what follows the check): medians only.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use rekindle_store::keyfile::{KeyFile, new_data_key};
use rekindle_store::{DataDir, DuressAction, KdfParams, Store};

const REAL: &str = "the real passphrase of this bench";
const DURESS: &str = "the duress passphrase of this bench";
const WRONG: &str = "a wrong passphrase for this bench!";

/// Two-sample Kolmogorov-Smirnov statistic D and its asymptotic p-value.
fn ks(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    let en = (n * m / (n + m)).sqrt();
    let lambda = (en + 0.12 + 0.11 / en) * d;
    let mut p = 0.0;
    for k in 1..=100 {
        let k = k as f64;
        let term = 2.0 * (-1f64).powf(k - 1.0) * (-2.0 * k * k * lambda * lambda).exp();
        p += term;
        if term.abs() < 1e-12 {
            break;
        }
    }
    (d, p.clamp(0.0, 1.0))
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn pct(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let trials: usize = std::env::var("TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(200);
    let params = KdfParams::DEFAULT;
    println!(
        "Argon2id {} KiB, t={}, p={}; {trials} trials each, interleaved.\n",
        params.memory_kib, params.iterations, params.parallelism
    );

    // 1. The slot check, on a key file with a duress slot of each kind.
    for (kind, decoy) in [("decoy", true), ("erase", false)] {
        let dek = new_data_key().unwrap();
        let decoy_key = new_data_key().unwrap();
        let kf = KeyFile::wrap(&dek, REAL, params)
            .unwrap()
            .with_duress(DURESS, decoy.then_some(&decoy_key))
            .unwrap();
        let mut times: [Vec<f64>; 3] = Default::default();
        for _ in 0..trials {
            for (slot, pass) in [REAL, DURESS, WRONG].iter().enumerate() {
                let t = Instant::now();
                let r = kf.unlock(pass);
                times[slot].push(t.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(r.is_ok());
            }
        }
        println!("Key-slot check (`KeyFile::unlock`), duress action {kind}:\n");
        println!("| passphrase | median | 5th pct | 95th pct |");
        println!("|---|---:|---:|---:|");
        for (name, t) in ["real", "duress", "wrong"].iter().zip(&times) {
            println!(
                "| {name} | {:.1} ms | {:.1} ms | {:.1} ms |",
                median(t),
                pct(t, 0.05),
                pct(t, 0.95)
            );
        }
        println!("\n| pair | KS D | p |");
        println!("|---|---:|---:|");
        for (x, y) in [(0, 1), (0, 2), (1, 2)] {
            let (d, p) = ks(&times[x], &times[y]);
            let names = ["real", "duress", "wrong"];
            println!("| {} vs {} | {d:.3} | {p:.3} |", names[x], names[y]);
        }
        println!();
    }

    // 2. The whole unlock of a small vault (a relationship page saved).
    let full = (trials / 10).max(5);
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(&tmp.path().join("data")).unwrap();
    let mut v = dir.create(REAL, params).unwrap();
    v.save_relationship(&Default::default(), jiff::Timestamp::now())
        .unwrap();
    drop(v);
    dir.set_duress(REAL, DURESS, DuressAction::Decoy).unwrap();
    let mut times: [Vec<f64>; 3] = Default::default();
    for _ in 0..full {
        for (slot, pass) in [REAL, DURESS, WRONG].iter().enumerate() {
            let t = Instant::now();
            let r = dir.unlock(pass);
            times[slot].push(t.elapsed().as_secs_f64() * 1000.0);
            drop(r);
        }
    }
    // The erase path, each time on a fresh vault (it destroys it).
    let mut erase = Vec::new();
    for _ in 0..full {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&tmp.path().join("data")).unwrap();
        drop(dir.create(REAL, params).unwrap());
        dir.set_duress(REAL, DURESS, DuressAction::Erase).unwrap();
        let t = Instant::now();
        let r = dir.unlock(DURESS);
        erase.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(r.is_ok());
    }
    println!("Whole unlock (`DataDir::unlock`) of a small vault, {full} runs each:\n");
    println!("| passphrase | median |");
    println!("|---|---:|");
    for (name, t) in [
        "real (opens the vault)",
        "duress, decoy (opens the decoy)",
        "wrong",
    ]
    .iter()
    .zip(&times)
    {
        println!("| {name} | {:.1} ms |", median(t));
    }
    println!(
        "| duress, erase (overwrites, removes, makes a new vault) | {:.1} ms |",
        median(&erase)
    );
}
