#![no_main]
//! Messenger/Instagram JSON parser, single file and split in two parts.
use libfuzzer_sys::fuzz_target;
use rekindle_chat::Format;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    check(data, Format::Messenger, None, b"");
    if let Some(cut) = data.iter().position(|&b| b == 0xFF) {
        let opts = rekindle_chat::ParseOptions {
            format: Some(Format::Messenger),
            ..Default::default()
        };
        let _ = rekindle_chat::parse_many(&[&data[..cut], &data[cut + 1..]], &opts, &mut |_| {});
    }
});
