//! The sentence sets (tests/data/sentences_*.tsv; README "Horsemen, repair and
//! accountability", "Pressure"): floors the rules reach, which a change to the
//! rules can break. `sentences_dev.tsv` was written before the sentence rules;
//! the probe sets after, as checks on how the rules generalize.
#![allow(clippy::unwrap_used)]

#[path = "support/sentences.rs"]
mod sentences;

use rekindle_analysis::{Horseman, Lexicons, Pressure};

fn report(tsv: &str) -> sentences::Report {
    let rows = sentences::parse(tsv).unwrap();
    assert!(rows.len() >= 100);
    sentences::score(&rows, &Lexicons::built_in())
}

#[test]
fn dev_set_floors() {
    let r = report(include_str!("data/sentences_dev.tsv"));
    assert!(r.rows >= 400);
    // Apologies and accountable statements are never criticism, contempt or stonewalling.
    assert_eq!(
        r.accountable_harsh, 0,
        "accountable sentences read as harsh"
    );
    assert!(r.accountable_false_flag_rate() <= 0.02);
    assert!(r.pressure_recall() >= 0.95, "{}", r.pressure_recall());
    for (h, p, rc) in [
        (Horseman::Criticism, 0.9, 0.85),
        (Horseman::Contempt, 0.95, 0.85),
        (Horseman::Defensiveness, 0.9, 0.85),
        (Horseman::Stonewalling, 0.8, 0.95),
    ] {
        let prf = r.horseman(h);
        assert!(
            prf.p() >= p && prf.r() >= rc,
            "{h:?}: P {} R {}",
            prf.p(),
            prf.r()
        );
    }
    for (k, prf) in &r.pressure {
        // "please please answer me" is labelled begging only; the rules also
        // read the demand to answer as persistence.
        let p = if *k == Pressure::Persistence {
            0.7
        } else {
            0.8
        };
        assert!(
            prf.r() >= 0.85 && prf.p() >= p,
            "{k:?}: P {} R {}",
            prf.p(),
            prf.r()
        );
    }
    let any = r.any_pressure;
    assert!(any.p() >= 0.9, "pressure precision {}", any.p());
}

#[test]
fn probe_set_floors() {
    for tsv in [
        include_str!("data/sentences_probe.tsv"),
        include_str!("data/sentences_probe2.tsv"),
    ] {
        let r = report(tsv);
        assert_eq!(r.accountable_harsh, 0);
        assert!(r.accountable_false_flag_rate() <= 0.05);
        assert!(r.pressure_recall() >= 0.9, "{}", r.pressure_recall());
        assert!(r.any_pressure.p() >= 0.85, "{}", r.any_pressure.p());
        for h in [Horseman::Criticism, Horseman::Contempt] {
            let prf = r.horseman(h);
            assert!(prf.f1() >= 0.85, "{h:?}: F1 {}", prf.f1());
        }
    }
}

#[test]
fn every_pressure_kind_is_in_the_dev_set() {
    let rows = sentences::parse(include_str!("data/sentences_dev.tsv")).unwrap();
    for k in Pressure::ALL {
        let n = rows.iter().filter(|r| r.pressure.contains(&k)).count();
        assert!(n >= 10, "{k:?}: {n}");
    }
}

/// The held-out set B (tests/data/SENTENCES_APART.md): never read to write a
/// rule or train the learned layer, so its numbers are the honest estimate.
/// Issue 13's goals: at least 80 % of pressuring sentences flagged (the
/// layer reached 76.6 % in session 9, 91.5 % after session 10's retraining;
/// B has been run many times, so set C below is the more honest number), and
/// at most 10 % of accountable sentences flagged with criticism, contempt or
/// pressure.
#[test]
fn held_out_set_b_floors() {
    let r = report(include_str!("data/sentences_apart_b.tsv"));
    assert!(r.pressure_recall() >= 0.93, "{}", r.pressure_recall());
    assert!(r.any_pressure.p() >= 0.80, "{}", r.any_pressure.p());
    assert!(
        r.accountable_false_flag_rate() <= 0.10,
        "{}",
        r.accountable_false_flag_rate()
    );
}

/// The learned layer's training lines (data/train/pressure_lines.tsv) hold
/// every kind and hard cases, and parse.
#[test]
fn the_pressure_training_lines_cover_every_kind() {
    let text = include_str!("../../../data/train/pressure_lines.tsv");
    let mut per_kind = [0usize; 9];
    let mut clean = 0;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (kinds, t) = line.split_once('\t').unwrap();
        assert!(!t.trim().is_empty());
        if kinds == "-" {
            clean += 1;
            continue;
        }
        for k in kinds.split(',') {
            let i = Pressure::ALL.iter().position(|p| p.as_str() == k).unwrap();
            per_kind[i] += 1;
        }
    }
    assert!(per_kind.iter().all(|n| *n >= 50), "{per_kind:?}");
    assert!(clean >= 600, "{clean}");
}

/// The honest-twin pairs (data/train/pressure_pairs.tsv, session 14): every
/// pair is one pressuring message and one that is not, each kind is there.
#[test]
fn the_pressure_pairs_are_pairs() {
    let text = include_str!("../../../data/train/pressure_pairs.tsv");
    let mut pairs: std::collections::HashMap<&str, (usize, usize)> = Default::default();
    let mut per_kind = [0usize; 9];
    for line in text.lines().filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [id, kinds, t] = cols[..] else {
            panic!("not 3 columns: {line}");
        };
        assert!(!t.trim().is_empty(), "{line}");
        let e = pairs.entry(id).or_default();
        if kinds == "-" {
            e.1 += 1;
        } else {
            e.0 += 1;
            for k in kinds.split(',') {
                let i = Pressure::ALL.iter().position(|p| p.as_str() == k).unwrap();
                per_kind[i] += 1;
            }
        }
    }
    assert!(pairs.len() >= 700, "{}", pairs.len());
    assert!(
        pairs.values().all(|&n| n == (1, 1)),
        "a pair is one of each"
    );
    assert!(per_kind.iter().all(|n| *n >= 50), "{per_kind:?}");
}

/// Mean F1 of the four horsemen.
fn horsemen_f1(r: &sentences::Report) -> f64 {
    r.horsemen.iter().map(|(_, p)| p.f1()).sum::<f64>() / r.horsemen.len() as f64
}

/// Set C (session 10, written by a third writer; held out until session 12,
/// its pressure misses read in session 13, so a tuning set since): first run of the shipped code 61.1 %
/// of pressuring sentences flagged; after the retrained layer 70.4 % (76 /
/// 108), accountable flagged criticism, contempt or pressure 6.4 % (7 / 110).
/// Horsemen: mean F1 0.594 with the rules alone, 0.667 with the learned
/// horsemen layer (session 11). A training set of the pressure layer since
/// session 14 (93.5 %, precision 0.902, accountable flagged 4.5 %).
#[test]
fn held_out_set_c_floors() {
    let r = report(include_str!("data/sentences_apart_c.tsv"));
    assert_eq!(r.rows, 400);
    assert!(horsemen_f1(&r) >= 0.65, "{}", horsemen_f1(&r));
    assert!(r.pressure_recall() >= 0.90, "{}", r.pressure_recall());
    assert!(
        r.accountable_false_flag_rate() <= 0.10,
        "{}",
        r.accountable_false_flag_rate()
    );
}

/// What a held-out set of 400 sentences must keep: horsemen mean F1, pressure
/// recall and any-kind precision at least, accountable sentences flagged at most.
struct Floors {
    horsemen_f1: f64,
    pressure_recall: f64,
    pressure_precision: f64,
    accountable_flagged: f64,
}

fn keeps_its_floors(tsv: &str, floors: Floors) {
    let r = report(tsv);
    assert_eq!(r.rows, 400);
    assert!(horsemen_f1(&r) >= floors.horsemen_f1, "{}", horsemen_f1(&r));
    assert!(
        r.pressure_recall() >= floors.pressure_recall,
        "{}",
        r.pressure_recall()
    );
    assert!(
        r.any_pressure.p() >= floors.pressure_precision,
        "{}",
        r.any_pressure.p()
    );
    assert!(
        r.accountable_false_flag_rate() <= floors.accountable_flagged,
        "{}",
        r.accountable_false_flag_rate()
    );
}

/// Held-out set D (session 11, a fifth writer; never read to write or tune a
/// rule, never trained on). First run of the shipped code: horsemen mean F1
/// 0.511, pressure recall 90.1 %; with the learned horsemen layer 0.704;
/// with the any-pressure head (session 14, PA2) pressure recall 97.2 %,
/// precision 0.744 → 0.896.
#[test]
fn held_out_set_d_floors() {
    keeps_its_floors(
        include_str!("data/sentences_apart_d.tsv"),
        Floors {
            horsemen_f1: 0.68,
            pressure_recall: 0.95,
            pressure_precision: 0.85,
            accountable_flagged: 0.10,
        },
    );
}

/// Held-out set E (session 12, a sixth writer; never read to write or tune a
/// rule, never trained on). First run of the shipped code (main at 692a926):
/// horsemen mean F1 0.745, pressure recall 92.5 %, accountable flagged 3.3 %;
/// with the any-pressure head (session 14, PA2) 97.5 %, precision 0.876.
#[test]
fn held_out_set_e_floors() {
    keeps_its_floors(
        include_str!("data/sentences_apart_e.tsv"),
        Floors {
            horsemen_f1: 0.72,
            pressure_recall: 0.95,
            pressure_precision: 0.85,
            accountable_flagged: 0.10,
        },
    );
}

/// Held-out set F (session 13, a seventh writer asked for pressure put softly;
/// never read to write or tune a rule, never trained on). First run of the
/// shipped code (main at 6045858): horsemen mean F1 0.618, pressure recall
/// 68.9 % (the 80 % goal was not met), accountable flagged 4.5 %; with the
/// any-pressure head (session 14, PA2) 81.5 % (97 / 119), precision 0.872 →
/// 0.915.
#[test]
fn held_out_set_f_floors() {
    keeps_its_floors(
        include_str!("data/sentences_apart_f.tsv"),
        Floors {
            horsemen_f1: 0.60,
            pressure_recall: 0.80,
            pressure_precision: 0.88,
            accountable_flagged: 0.10,
        },
    );
}

/// Held-out set G (session 21, an eighth writer from a fresh prompt,
/// tests/data/SENTENCES_APART.md; never read to write or tune a rule, never
/// trained on). First run of main (9c1d8fd): horsemen mean F1 0.715, pressure
/// recall 89.0 % (73 / 82) at any-kind precision 0.912, accountable flagged
/// 0 / 75; the floors keep those readings.
#[test]
fn held_out_set_g_floors() {
    keeps_its_floors(
        include_str!("data/sentences_apart_g.tsv"),
        Floors {
            horsemen_f1: 0.70,
            pressure_recall: 0.85,
            pressure_precision: 0.90,
            accountable_flagged: 0.02,
        },
    );
}

/// The horsemen training lines parse, and every horseman and the hard
/// non-cases are there in numbers.
#[test]
fn the_horsemen_training_lines_cover_every_horseman() {
    let text = include_str!("../../../data/train/horsemen_lines.tsv");
    let mut per_kind = [0usize; 4];
    let mut clean = 0;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "{line}");
        assert!(!f[2].trim().is_empty());
        if f[0] == "-" {
            clean += 1;
            continue;
        }
        for k in f[0].split(',') {
            let i = Horseman::ALL.iter().position(|h| h.as_str() == k).unwrap();
            per_kind[i] += 1;
        }
    }
    assert!(per_kind.iter().all(|n| *n >= 250), "{per_kind:?}");
    assert!(clean >= 1500, "{clean}");
}
