#![no_main]
//! Stored chat snapshots (rekindle-analysis): any bytes read back as a
//! snapshot, then, when they read, written again and analysed.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rekindle_analysis::snapshot::fuzz_check(data);
});
