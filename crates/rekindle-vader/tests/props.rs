//! Properties on arbitrary input: never panics, proportions sum to 1 (up to the rounding to
//! three decimals) or are all zero, compound in [-1, 1].
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rekindle_vader::{Analyzer, Scores};

fn check(s: &Scores) -> Result<(), TestCaseError> {
    for v in [s.neg, s.neu, s.pos] {
        prop_assert!((0.0..=1.0).contains(&v), "{s:?}");
    }
    prop_assert!((-1.0..=1.0).contains(&s.compound), "{s:?}");
    let sum = s.neg + s.neu + s.pos;
    if sum == 0.0 {
        prop_assert_eq!(s.compound, 0.0);
    } else {
        // Each proportion is rounded to 3 decimals: at most 3 × 0.0005 off.
        prop_assert!((sum - 1.0).abs() <= 0.0015 + 1e-12, "{s:?} sums to {sum}");
    }
    Ok(())
}

/// Tokens that exercise the rules: lexicon words, boosters, negations, "but", "no", idioms,
/// emoticons, emoji, caps, odd Unicode and Python-only whitespace.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "good", "bad", "great", "love", "hate", "horrible", "nice", "kind", "no", "not",
            "never", "but", "BUT", "very", "VERY", "extremely", "kinda", "kind", "of", "sort",
            "least", "at", "so", "this", "without", "doubt", "or", "nor", "the", "shit", "bomb",
            "ass", "yeah", "right", "kiss", "death", "to", "die", "for", "isn't", "DON'T", "n't",
            ":)", ":D", ":(", "<3", "lol", "LOL", "😀", "😡", "💘", "🔛", "\u{212a}ind", "\u{1c5}AD",
            "ÉTÉ", "İ", "!!!", "???", "?", "!", "...", "'", "\"good\"", "(bad)",
        ]).prop_map(str::to_string),
        1 => "\\PC{0,6}",
        1 => any::<String>(),
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", " ", " ", " ", "  ", "\t", "\n", "\u{1c}", "\u{1f}", "\u{85}", "\u{a0}", "\u{2028}",
        "\u{3000}", "\u{200b}", "",
    ])
}

fn sentence() -> impl Strategy<Value = String> {
    prop::collection::vec((token(), separator()), 0..30)
        .prop_map(|parts| parts.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_unicode_never_panics(text in any::<String>()) {
        check(&Analyzer::shared().polarity_scores(&text))?;
    }

    #[test]
    fn rule_heavy_sentences_are_well_formed(text in sentence()) {
        let a = Analyzer::shared();
        let s = a.polarity_scores(&text);
        check(&s)?;
        // Deterministic, and the same on the parallel path.
        prop_assert_eq!(s, a.polarity_scores(&text));
        let many = a.score_many(&[text.as_str(), text.as_str()]);
        prop_assert_eq!(many, vec![s, s]);
    }
}
