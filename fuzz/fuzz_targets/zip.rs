#![no_main]
//! Zip reader: limits checked before inflating, output never above the limits.
use libfuzzer_sys::fuzz_target;
use rekindle_chat::ZipLimits;

fuzz_target!(|data: &[u8]| {
    let limits = ZipLimits {
        max_entries: 64,
        max_total_uncompressed: 1 << 20,
        max_ratio: 100,
    };
    if let Ok(chat) = rekindle_chat::unpack_zip(data, &limits) {
        assert!(chat.len() as u64 <= limits.max_total_uncompressed);
        let _ = rekindle_chat::parse(&chat, &Default::default(), &mut |_| {});
    }
});
