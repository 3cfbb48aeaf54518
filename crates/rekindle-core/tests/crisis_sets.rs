//! The crisis check on the four labelled sets written apart (tests/data/README.md):
//! held to what it reached when it shipped (CRISIS_LOG.md, session 18: CW3), with a
//! little room for a retrained layer. A change that finds fewer crises or
//! raises more false alarms fails here.
#![allow(clippy::unwrap_used)]

use rekindle_core::crisis::crisis_signs;

struct Counts {
    self_harm: (usize, usize),
    danger: (usize, usize),
    ordinary_flagged: (usize, usize),
    right_kind: (usize, usize),
}

fn run(file: &str) -> Counts {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut c = Counts {
        self_harm: (0, 0),
        danger: (0, 0),
        ordinary_flagged: (0, 0),
        right_kind: (0, 0),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.splitn(3, '\t').collect();
        let [label, _, t] = cols.as_slice() else {
            panic!("{file}: bad line {line}");
        };
        let s = crisis_signs(t);
        let slot = match *label {
            "self_harm" => &mut c.self_harm,
            "danger" => &mut c.danger,
            "-" => &mut c.ordinary_flagged,
            other => panic!("{file}: unknown label {other}"),
        };
        slot.1 += 1;
        slot.0 += usize::from(s.any());
        if *label != "-" && s.any() {
            c.right_kind.1 += 1;
            let right = if *label == "self_harm" {
                s.self_harm
            } else {
                s.danger
            };
            c.right_kind.0 += usize::from(right);
        }
    }
    c
}

fn check(file: &str, self_harm: usize, danger: usize, max_ordinary: usize) {
    let c = run(file);
    assert_eq!(
        (c.self_harm.1, c.danger.1, c.ordinary_flagged.1),
        (120, 120, 160),
        "{file}"
    );
    assert!(
        c.self_harm.0 >= self_harm,
        "{file}: self-harm found {} < {self_harm}",
        c.self_harm.0
    );
    assert!(
        c.danger.0 >= danger,
        "{file}: danger found {} < {danger}",
        c.danger.0
    );
    assert!(
        c.ordinary_flagged.0 <= max_ordinary,
        "{file}: ordinary texts flagged {} > {max_ordinary}",
        c.ordinary_flagged.0
    );
    // A crisis found is nearly always found as what it is (the card differs).
    assert!(
        c.right_kind.0 * 100 >= c.right_kind.1 * 95,
        "{file}: kinds {:?}",
        c.right_kind
    );
}

#[test]
fn held_out_set_d_stays_where_the_check_shipped() {
    // Shipped (CW3) at self-harm 86 / danger 102 / ordinary flagged 14.
    check("crisis_d.tsv", 82, 98, 16);
}

#[test]
fn held_out_set_c_stays_where_the_check_shipped() {
    // CW3: 84 / 101 / 8.
    check("crisis_c.tsv", 80, 97, 10);
}

#[test]
fn held_out_set_b_stays_where_the_check_shipped() {
    // CW3: 83 / 101 / 12.
    check("crisis_b.tsv", 79, 97, 14);
}

#[test]
fn tuning_set_a_stays_where_the_check_shipped() {
    // In sample: 120 / 120 / 1.
    check("crisis_a.tsv", 115, 115, 3);
}
