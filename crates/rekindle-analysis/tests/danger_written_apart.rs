//! Signs of danger in chat messages (`rekindle_analysis::danger`), on the sets
//! written apart (tests/data/danger_*.tsv, danger_chats_{1,2,3,4}.txt): held to what
//! variants DG2 and DG4 (session 19), DG5 (session 20) and DT (session 22) reached
//! when they shipped (QUALITY_LOG.md). A change that finds fewer threats or hurts, or flags more
//! look-alikes, fails here.
#![allow(clippy::unwrap_used)]

use rekindle_analysis::danger::{DangerKind, detect};

fn data(file: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// (threats found, violence found, other lines flagged) of a labelled set of
/// 80 threats, 80 hurts and 140 others.
fn messages(file: &str) -> (usize, usize, usize) {
    let (found, per_label) = read(file);
    assert_eq!(per_label, [80, 80, 140], "{file}");
    found
}

/// What `detect` finds in a labelled set, and how many lines each label has.
fn read(file: &str) -> ((usize, usize, usize), [usize; 3]) {
    let (mut threat, mut violence, mut other) = (0, 0, 0);
    let mut per_label = [0usize; 3];
    for line in data(file).lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (label, text) = line.split_once('\t').unwrap();
        let got = detect(text);
        match label {
            "threat" => {
                per_label[0] += 1;
                threat += usize::from(got == Some(DangerKind::Threat));
            }
            "violence" => {
                per_label[1] += 1;
                violence += usize::from(got == Some(DangerKind::Violence));
            }
            "other" => {
                per_label[2] += 1;
                other += usize::from(got.is_some());
            }
            l => panic!("{file}: label {l}"),
        }
    }
    ((threat, violence, other), per_label)
}

fn check(file: &str, threats: usize, violence: usize, max_other: usize) {
    let (t, v, o) = messages(file);
    assert!(t >= threats, "{file}: threats {t} < {threats}");
    assert!(v >= violence, "{file}: violence {v} < {violence}");
    assert!(
        o <= max_other,
        "{file}: other lines flagged {o} > {max_other}"
    );
}

#[test]
fn the_tuning_set_stays_read() {
    check("danger_a.tsv", 72, 63, 0);
}

#[test]
fn the_held_out_sets_stay_read() {
    check("danger_b.tsv", 48, 43, 0);
    check("danger_c.tsv", 46, 48, 3);
    check("danger_d.tsv", 54, 39, 6);
    check("danger_e.tsv", 40, 43, 3);
    // Session 22 (DT): one hurt of danger_f is now read as a threat (52 → 51).
    check("danger_f.tsv", 50, 51, 3);
    // Session 21, a fresh writer from danger_prompt.md (main 38, 45, 1); DT's run.
    check("danger_g.tsv", 45, 45, 1);
    // Session 22, a fresh writer from danger_prompt.md; first run of main (with DT).
    check("danger_h.tsv", 48, 42, 2);
}

/// Veiled threats (120) and their look-alikes (180): care, wistful remarks,
/// banter, lawful consequences (variant DG5's held-out set).
#[test]
fn veiled_threats_are_read_and_their_look_alikes_left_alone() {
    let ((threats, _, other), per_label) = read("danger_veiled.tsv");
    assert_eq!(per_label, [120, 0, 180]);
    assert!(threats >= 42, "veiled threats found {threats} < 42");
    assert!(other <= 3, "look-alikes flagged {other} > 3");
}

/// Whole chats: a dangerous chat needs one message found (one question to the
/// user); a safe chat none.
#[test]
fn dangerous_chats_are_found_and_safe_ones_left_alone() {
    chats("danger_chats_1.txt", 9, 1);
    chats("danger_chats_2.txt", 10, 1);
    chats("danger_chats_3.txt", 10, 0);
    chats("danger_chats_4.txt", 8, 1);
}

fn chats(file: &str, min_found: usize, max_flagged: usize) {
    let (mut danger, mut danger_found, mut safe, mut safe_flagged) = (0, 0, 0, 0);
    for chat in data(file).split("### CHAT ").skip(1) {
        let mut lines = chat.lines();
        let label = lines
            .next()
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string();
        let found = lines
            .filter_map(|l| l.split_once(" - ").and_then(|(_, r)| r.split_once(": ")))
            .any(|(_, text)| detect(text).is_some());
        match label.as_str() {
            "danger" => {
                danger += 1;
                danger_found += usize::from(found);
            }
            "safe" => {
                safe += 1;
                safe_flagged += usize::from(found);
            }
            l => panic!("label {l}"),
        }
    }
    assert_eq!((danger, safe), (12, 12), "{file}");
    assert!(
        danger_found >= min_found,
        "{file}: dangerous chats found {danger_found} < {min_found}"
    );
    assert!(
        safe_flagged <= max_flagged,
        "{file}: safe chats flagged {safe_flagged} > {max_flagged}"
    );
}
