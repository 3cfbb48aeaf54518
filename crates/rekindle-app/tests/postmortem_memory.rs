//! What a server keeps of the post-mortem ([`StoredAnalysis`]) must not grow
//! with the chat's text: it holds no copy of the messages. Counted with a
//! global allocator, so this file holds one test (its own process).
#![allow(clippy::unwrap_used)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use rekindle_analysis::Lexicons;
use rekindle_app::postmortem::{analyse_stored, analysed_chat, chat_messages};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// Test only: the system allocator, counting live bytes. The only unsafe code
// is the trait's own contract, passed straight through.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Bytes of text imported, bytes every message takes in memory, bytes the
/// kept analysis takes: for 4,000 messages with `filler` in each.
fn measure(filler: &str) -> (isize, isize, isize) {
    let tmp = tempfile::tempdir().unwrap();
    let (_dd, mut v) = common::fast_vault(&tmp.path().join("d"));
    let mut text = String::new();
    for i in 0..4_000 {
        let who = if i % 3 == 0 { "Sam" } else { "Alex" };
        let mood = ["you never listen", "sorry, my bad", "good morning"][i % 3];
        text.push_str(&format!(
            "{:02}/{:02}/2023, {:02}:{:02} - {who}: {mood}{filler} #{i}\n",
            1 + (i / 100) % 28,
            1 + (i / 2800) % 12,
            (i / 5) % 24,
            i % 60
        ));
    }
    common::import_text(&mut v, &text);
    let lex = Lexicons::built_in();
    let chat = analysed_chat(&v).unwrap().unwrap();
    assert_eq!(chat.messages, 4_000);
    // Warm up what is made once per process (thread pool, lazy tables).
    drop(analyse_stored(&v, &lex).unwrap());

    let before = live();
    let all = chat_messages(&v, &chat).unwrap();
    let full = live() - before;
    drop(all);

    let before = live();
    let kept = analyse_stored(&v, &lex).unwrap().unwrap();
    let held = live() - before;
    assert_eq!(kept.analysis.messages, 4_000);
    (text.len() as isize, full, held)
}

#[test]
fn the_kept_analysis_holds_no_copy_of_the_messages() {
    let (short_text, short_full, short_held) = measure("");
    // The same chat with 2 kB more text in every message (8 MB in all).
    let filler = " lorem ipsum dolor".repeat(111);
    let (long_text, long_full, long_held) = measure(&filler);
    let extra = long_text - short_text;
    assert!(extra > 7_000_000);
    // Every message in memory grows with the text (what the cache used to keep)...
    assert!(
        long_full - short_full >= extra,
        "{short_full} -> {long_full}"
    );
    // ...the kept analysis does not.
    assert!(
        (long_held - short_held).abs() < extra / 100,
        "the kept analysis grew from {short_held} to {long_held} bytes with {extra} bytes more text"
    );
}
