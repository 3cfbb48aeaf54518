//! A passphrase posted in a form leaves no readable copy in freed memory
//! (issue 18, item 6). This test binary's allocator looks into every block
//! as it is freed (or moved by a reallocation) and counts the blocks that
//! still hold a marker from the passphrase: wiped buffers hold zeros instead.
#![allow(clippy::unwrap_used, unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::body::Body;
use rekindle_web::form;
use serde::Deserialize;
use zeroize::Zeroizing;

const MARKER: &[u8] = b"Zq7Canary";

static WATCHING: AtomicBool = AtomicBool::new(false);
static UNWIPED: AtomicUsize = AtomicUsize::new(0);

struct Watch;

fn holds_marker(ptr: *const u8, len: usize) -> bool {
    // SAFETY: `ptr` is a live block of `len` bytes about to be freed; its
    // bytes are read as plain numbers (a block that was never written holds
    // whatever the allocator left there, which is what we want to see).
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    bytes.windows(MARKER.len()).any(|w| w == MARKER)
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// only addition reads a block before it is freed.
unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::SeqCst) && holds_marker(ptr, layout.size()) {
            UNWIPED.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    /// A reallocation that moves a block leaves the old one behind: done
    /// here as allocate, copy, free, so the old block is looked into too.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static ALLOCATOR: Watch = Watch;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnlockForm {
    passphrase: Zeroizing<String>,
    #[serde(default)]
    confirm: Option<Zeroizing<String>>,
}

/// Runs `f` while watching; returns how many freed blocks held the marker.
async fn unwiped_during<F: std::future::Future<Output = ()>>(f: F) -> usize {
    UNWIPED.store(0, Ordering::SeqCst);
    WATCHING.store(true, Ordering::SeqCst);
    f.await;
    WATCHING.store(false, Ordering::SeqCst);
    UNWIPED.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_typed_passphrase_leaves_no_copy_in_freed_memory() {
    // Spaces, a comma and an accent: '+' and %XX escapes both take the
    // decoder's paths that used to leave copies.
    let body = b"csrf=0123abcd&passphrase=Zq7Canary+walks%2C+caf%C3%A9+quietly%21\
&confirm=Zq7Canary+walks%2C+caf%C3%A9+quietly%21"
        .to_vec();
    let left = unwiped_during(async {
        let bytes = form::read_body(Body::from(body), 64 * 1024).await.unwrap();
        let mut fields = form::parse(&bytes);
        drop(bytes);
        let csrf = fields.remove(0);
        assert_eq!(csrf.1.as_str(), "0123abcd");
        let unlock: UnlockForm = form::deserialize(&fields).unwrap();
        drop(fields);
        assert_eq!(unlock.passphrase.as_str(), "Zq7Canary walks, café quietly!");
        assert_eq!(
            unlock.confirm.as_ref().map(|c| c.as_str()),
            Some(unlock.passphrase.as_str())
        );
        drop(unlock);
    })
    .await;
    assert_eq!(left, 0, "freed blocks still held the passphrase");

    // The check can fail: the parser used before leaves copies behind.
    let before = unwiped_during(async {
        let body = b"passphrase=Zq7Canary+walks%2C+quietly%21".to_vec();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap();
        let again = serde_urlencoded::to_string(&pairs).unwrap();
        let form: UnlockForm = serde_urlencoded::from_str(&again).unwrap();
        drop((body, pairs, again, form));
    })
    .await;
    assert!(before > 0, "the old way should have left a copy");
}
