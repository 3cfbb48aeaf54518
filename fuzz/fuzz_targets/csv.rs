#![no_main]
//! CSV parser.
use libfuzzer_sys::fuzz_target;
use rekindle_chat::Format;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    check(data, Format::Csv, None, b"\n\r");
});
