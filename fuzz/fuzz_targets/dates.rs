#![no_main]
//! WhatsApp date/time header detection, line by line.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for line in data.split(|&b| b == b'\n') {
        rekindle_chat::fuzzing::check_header(line);
    }
});
