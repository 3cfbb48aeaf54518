#![no_main]
//! Telegram result.json parser.
use libfuzzer_sys::fuzz_target;
use rekindle_chat::Format;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    check(data, Format::Telegram, None, b"");
});
