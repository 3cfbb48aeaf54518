//! `classify` and `analyze` never panic, and every evidence index is in range.
#![allow(clippy::unwrap_used)]

use jiff::civil::{DateTime, date};
use proptest::prelude::*;
use rekindle_analysis::{
    Analysis, AnalysisOptions, Lexicons, Message, MessageKind, Who, analyze, classify, summarize,
};
use std::sync::OnceLock;

fn lex() -> &'static Lexicons {
    static L: OnceLock<Lexicons> = OnceLock::new();
    L.get_or_init(|| {
        Lexicons::with_user_files(Lexicons::built_in(), &[("extra", "a*\n\n#x\n*\n🙄\n")])
    })
}

const WORDS: &[&str] = &[
    "you always",
    "k.",
    "fine.",
    "sorry",
    "I love you",
    "drunk",
    "it's over",
    "how was your day?",
    "whatever",
    "idiot",
    "🙄",
    "not my fault",
    "ok",
    "lol",
    "",
    "💔😡",
    "phone",
    "money",
    "\n",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(WORDS), 0..6).prop_map(|v| v.join(" ")),
    ]
}

fn message() -> impl Strategy<Value = (i64, u8, u8, String)> {
    (0i64..2_000_000, 0u8..4, 0u8..5, text())
}

fn build(raw: Vec<(i64, u8, u8, String)>) -> Vec<Message> {
    let base = DateTime::from(date(2023, 12, 30));
    raw.into_iter()
        .map(|(mins, who, kind, text)| Message {
            time: base.checked_add(jiff::Span::new().minutes(mins)).unwrap(),
            offset_seconds: if who == 2 { Some(3600) } else { None },
            sender: match who {
                0 => Some("A".into()),
                1 => Some("B".into()),
                2 => Some("Ç 😀".into()),
                _ => None,
            },
            text,
            kind: match kind {
                0 | 1 => MessageKind::Text,
                2 => MessageKind::Media,
                3 => MessageKind::System,
                _ => MessageKind::Deleted,
            },
        })
        .collect()
}

fn check(a: &Analysis, n: usize) {
    let ok = |i: usize| assert!(i < n, "index {i} out of range {n}");
    for p in &a.people {
        let e = &p.evidence;
        for ev in [
            &e.starts,
            &e.late_night,
            &e.negative,
            &e.criticism,
            &e.contempt,
            &e.defensiveness,
            &e.stonewalling,
            &e.repairs,
            &e.bids,
            &e.bids_toward,
            &e.bids_away,
            &e.bids_against,
        ] {
            assert!(ev.indices.len() <= ev.count);
            ev.indices.iter().copied().for_each(ok);
        }
    }
    for m in a.months.iter().chain(&a.weeks) {
        m.first.into_iter().chain(m.last).for_each(ok);
        assert_eq!(m.per_person.len(), a.people.len());
    }
    for e in &a.conflicts {
        ok(e.start);
        ok(e.end);
        e.negative_messages
            .iter()
            .chain(&e.repair_messages)
            .copied()
            .for_each(ok);
        e.horsemen.iter().for_each(|m| ok(m.index));
    }
    for t in &a.turning_points {
        t.evidence.indices.iter().copied().for_each(ok);
    }
    for t in &a.topics {
        t.messages.indices.iter().copied().for_each(ok);
    }
    if let Some(pm) = &a.per_message {
        pm.iter().for_each(|m| ok(m.index));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn classify_never_panics(t in text()) {
        let c = classify(&t, lex());
        prop_assert!(c.sentiment.compound.is_finite());
        serde_json::to_string(&c).unwrap();
    }

    #[test]
    fn analyze_never_panics_and_indices_in_range(
        raw in prop::collection::vec(message(), 0..120),
        sorted in any::<bool>(),
        me in prop::option::of(prop::sample::select(vec!["A", "B", "nobody"])),
        per_message in any::<bool>(),
        limit in 0usize..5,
        since in prop::option::of(0i64..20),
    ) {
        let mut raw = raw;
        if sorted {
            raw.sort_by_key(|r| r.0);
        }
        let msgs = build(raw);
        let opts = AnalysisOptions {
            per_message,
            evidence_limit: limit,
            since: since.map(|d| date(2023, 12, 30).checked_add(jiff::Span::new().days(d)).unwrap()),
            ..AnalysisOptions::default()
        };
        let who = Who { me: me.map(str::to_string), ex: None };
        let a = analyze(&msgs, &who, &opts, lex());
        check(&a, msgs.len());
        let _ = summarize(&a);
        serde_json::to_string(&a).unwrap();
    }

    #[test]
    fn dense_fights_indices_in_range(raw in prop::collection::vec((0i64..600, 0u8..2, prop::sample::select(WORDS)), 0..200)) {
        let mut raw: Vec<_> = raw.into_iter().map(|(m, w, t)| (m, w, 0u8, t.to_string())).collect();
        raw.sort_by_key(|r| r.0);
        let msgs = build(raw);
        let a = analyze(&msgs, &Who::default(), &AnalysisOptions { evidence_limit: 3, ..AnalysisOptions::default() }, lex());
        check(&a, msgs.len());
        for e in &a.conflicts {
            prop_assert!(e.start <= e.end);
        }
    }
}

proptest! {
    /// A stored snapshot read back: any bytes after a valid header are an
    /// error or a snapshot, never a panic or an endless allocation.
    #[test]
    fn snapshot_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let f = rekindle_analysis::fingerprint(&Lexicons::built_in());
        let mut bytes = b"RKP1".to_vec();
        bytes.extend_from_slice(&f.to_le_bytes());
        bytes.extend_from_slice(&tail);
        let _ = rekindle_analysis::Prepared::from_bytes(&bytes, f);
        let _ = rekindle_analysis::Prepared::from_bytes(&tail, f);
    }
}
