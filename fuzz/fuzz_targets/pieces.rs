#![no_main]
//! A WhatsApp export read in pieces (`rekindle_chat::stream`, as `rekindle
//! analyze` reads a file) against the same bytes read whole: the first byte
//! picks the piece size (64-1084 bytes) and the date order.
use libfuzzer_sys::fuzz_target;
use rekindle_chat::{DateOrder, ParseOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let date_order = match first % 4 {
        1 => Some(DateOrder::DayFirst),
        2 => Some(DateOrder::MonthFirst),
        3 => Some(DateOrder::YearFirst),
        _ => None,
    };
    let opts = ParseOptions {
        date_order,
        ..Default::default()
    };
    rekindle_chat::fuzzing::check_pieces(rest, 64 + usize::from(first) * 4, &opts);
});
