//! Threats and self-harm leverage in messages between ex-partners, on the
//! labelled sets written apart (tests/data/THREATS.md): held to what `classify`
//! reached when variant VT2 shipped (QUALITY_LOG.md, session 18), with a
//! little room. A change that finds fewer threats or reads more ordinary
//! messages as threats fails here.
#![allow(clippy::unwrap_used)]

use rekindle_analysis::{Lexicons, Pressure, classify};

struct Counts {
    threats_found: usize,
    others_read_as_threat: usize,
    self_harm_found: usize,
    others_read_as_self_harm: usize,
}

fn run(file: &str) -> Counts {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let lex = Lexicons::built_in();
    let mut c = Counts {
        threats_found: 0,
        others_read_as_threat: 0,
        self_harm_found: 0,
        others_read_as_self_harm: 0,
    };
    let (mut threats, mut self_harm, mut others) = (0, 0, 0);
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let cols: Vec<&str> = line.splitn(3, '\t').collect();
        let [label, _, text] = cols.as_slice() else {
            panic!("{file}: bad line {line}");
        };
        let kinds = classify(text, &lex).pressure;
        let threat = kinds.contains(&Pressure::Threat);
        let sh = kinds.contains(&Pressure::SelfHarmLeverage);
        match *label {
            "threat" => {
                threats += 1;
                c.threats_found += usize::from(threat);
            }
            "self_harm_leverage" => {
                self_harm += 1;
                c.self_harm_found += usize::from(sh);
            }
            "-" => {
                others += 1;
                c.others_read_as_threat += usize::from(threat);
                c.others_read_as_self_harm += usize::from(sh);
            }
            other => panic!("{file}: label {other}"),
        }
    }
    assert_eq!((threats, self_harm, others), (160, 40, 200), "{file}");
    c
}

fn check(file: &str, threats: usize, max_false: usize, self_harm: usize) {
    let c = run(file);
    assert!(
        c.threats_found >= threats,
        "{file}: threats {} < {threats}",
        c.threats_found
    );
    assert!(
        c.others_read_as_threat <= max_false,
        "{file}: others read as threats {} > {max_false}",
        c.others_read_as_threat
    );
    assert!(
        c.self_harm_found >= self_harm,
        "{file}: self-harm {} < {self_harm}",
        c.self_harm_found
    );
    assert!(
        c.others_read_as_self_harm <= 3,
        "{file}: others as self-harm {}",
        c.others_read_as_self_harm
    );
}

#[test]
fn held_out_set_c_stays_where_vt2_shipped() {
    // Shipped at 120 threats, 12 others read as threats, 34 self-harm, 1 other as self-harm.
    check("threats_c.tsv", 115, 14, 32);
}

#[test]
fn held_out_set_b_stays_where_vt2_shipped() {
    // 111, 6, 36, 1.
    check("threats_b.tsv", 106, 8, 34);
}
