#![no_main]
//! WhatsApp text parser: every date order, plus auto-detection.
use libfuzzer_sys::fuzz_target;
use rekindle_chat::{DateOrder, Format};

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    let order = match data.first().map(|b| b % 4) {
        Some(1) => Some(DateOrder::DayFirst),
        Some(2) => Some(DateOrder::MonthFirst),
        Some(3) => Some(DateOrder::YearFirst),
        _ => None,
    };
    check(data, Format::WhatsApp, order, b"\n");
    let _ = rekindle_chat::detect_format(data);
});
