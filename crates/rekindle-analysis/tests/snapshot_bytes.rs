//! Snapshot bytes from anywhere: the fuzz target's check
//! (`rekindle_analysis::snapshot::fuzz_check`, fuzz/fuzz_targets/snapshot.rs)
//! over its seeds and saved regressions, and over snapshots whose rows hold
//! any values that still read (times far from now, any topics, flags and
//! horsemen bits): the analysis must run over every one without a panic.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rekindle_analysis::{Lexicons, Prepared};
use rekindle_chat::ParseOptions;

const ROW: usize = 20;

fn small_chat_bytes() -> (Vec<u8>, usize) {
    let text = "12/03/2024, 21:05 - Sam: you never listen to me\n\
                12/03/2024, 21:07 - Alex: I'm sorry, you're right\n\
                13/03/2024, 08:00 - Sam: whatever. I'm done talking\n\
                14/03/2024, 23:59 - Alex: had too many drinks again, sorry\n\
                20/04/2024, 10:00 - Sam: please don't contact me again\n";
    let lexicons = Lexicons::built_in();
    let (prepared, _) =
        Prepared::from_export(text.as_bytes(), &ParseOptions::default(), &lexicons).unwrap();
    (prepared.to_bytes(7), prepared.len())
}

fn files_in(dir: &std::path::Path, prefix: &str) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect()
}

#[test]
fn seeds_and_regressions_pass_the_fuzz_check() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut inputs = files_in(&fuzz.join("seeds/snapshot"), "");
    assert!(!inputs.is_empty(), "fuzz/seeds/snapshot holds the seeds");
    inputs.extend(files_in(&fuzz.join("regressions"), "snapshot-"));
    for input in &inputs {
        rekindle_analysis::snapshot::fuzz_check(input);
    }
    // A seed is a real snapshot (so the fuzzer starts from something that reads).
    let seed = &inputs[0];
    let fp = u64::from_le_bytes(seed[4..12].try_into().unwrap());
    assert!(matches!(Prepared::from_bytes(seed, fp), Ok(Some(_))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Every row of a real snapshot replaced with arbitrary values that
    /// still read (offset and tone in range, sender one of the names).
    #[test]
    fn any_row_values_that_read_are_analysed_without_a_panic(
        rows in proptest::collection::vec(any::<[u8; ROW]>(), 5),
        offsets in proptest::collection::vec(-1080i16..=1080, 5),
        tones in proptest::collection::vec(-10_000i16..=10_000, 5),
        senders in proptest::collection::vec(0u16..3, 5),
        eras in proptest::collection::vec(-1i16..=1, 5),
    ) {
        let (mut bytes, n) = small_chat_bytes();
        let start = bytes.len() - n * ROW;
        for (i, mut row) in rows.into_iter().enumerate() {
            // Times within 136 years either side of 1970-2106 (the high
            // half of the seconds): parsers give no wider span.
            row[4..6].copy_from_slice(&eras[i].to_le_bytes());
            row[6..8].copy_from_slice(&offsets[i].to_le_bytes());
            row[12..14].copy_from_slice(&tones[i].to_le_bytes());
            // 0 and 1 are the two names; 2 becomes "no sender".
            let sender = if senders[i] == 2 { u16::MAX } else { senders[i] };
            row[14..16].copy_from_slice(&sender.to_le_bytes());
            bytes[start + i * ROW..start + (i + 1) * ROW].copy_from_slice(&row);
        }
        prop_assert!(matches!(Prepared::from_bytes(&bytes, 7), Ok(Some(_))), "the rows should read");
        rekindle_analysis::snapshot::fuzz_check(&bytes);
    }

    /// Any bytes at all, and any single byte of a real snapshot changed.
    #[test]
    fn any_bytes_pass_the_fuzz_check(
        junk in proptest::collection::vec(any::<u8>(), 0..400),
        at in any::<prop::sample::Index>(),
        value in any::<u8>(),
    ) {
        rekindle_analysis::snapshot::fuzz_check(&junk);
        let (mut bytes, _) = small_chat_bytes();
        let i = at.index(bytes.len());
        bytes[i] = value;
        rekindle_analysis::snapshot::fuzz_check(&bytes);
    }
}
