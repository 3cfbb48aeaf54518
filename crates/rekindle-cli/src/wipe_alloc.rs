//! Freed memory is zeroed in the servers (issue 18, item 6).
//!
//! The web shells receive passphrases in HTTP requests. The form parser reads
//! them into wiped-on-drop buffers, but the raw request bytes pass through the
//! HTTP library's read buffer first, and that buffer is freed (or moved by a
//! reallocation) without being cleared: a scan of the server's memory after
//! "lock" found the posted passphrase twice. With this allocator, once
//! [`wipe_freed_memory`] is called, every block is zeroed before it goes back to
//! the system allocator, and a reallocation copies into a new block and zeroes
//! the old one; the servers also close the connection after every form post
//! (rekindle_web), so the read buffer is freed as soon as the answer is sent.
//! One-shot commands do not pay for it: they read passphrases from the
//! terminal or a file into wiped buffers themselves.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

static WIPE: AtomicBool = AtomicBool::new(false);

/// From now on, every block this process frees is zeroed first.
pub fn wipe_freed_memory() {
    WIPE.store(true, Ordering::SeqCst);
}

/// The system allocator, zeroing freed blocks once [`wipe_freed_memory`] was called.
pub struct WipeOnFree;

/// Zeroes `len` bytes at `ptr` in a way the optimizer cannot drop as a dead
/// store before the block is freed.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
#[allow(unsafe_code)]
unsafe fn zero(ptr: *mut u8, len: usize) {
    // SAFETY: the caller guarantees `ptr..ptr + len` is a live block.
    unsafe { std::ptr::write_bytes(ptr, 0, len) };
    // The pointer escapes, so the zeroes are observable and must be written.
    std::hint::black_box(ptr);
}

/// Blocks at least this large are backed by transparent huge pages.
const HUGE_BLOCK: usize = 4 << 20;

/// Asks the kernel to back a large block with 2 MiB pages where it can. An
/// 80 MB export read into memory otherwise takes ~20,000 page faults (and as
/// many cgroup charges), which was a third of `rekindle analyze`'s start on
/// two cores. Advice only: where THP is off it does nothing, and a failure
/// changes nothing.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn huge_pages(ptr: *mut u8, len: usize) {
    const HUGE: usize = 2 << 20;
    if ptr.is_null() || len < HUGE_BLOCK {
        return;
    }
    // The 2 MiB-aligned stretch inside the block.
    let start = (ptr as usize).next_multiple_of(HUGE);
    let end = (ptr as usize + len) & !(HUGE - 1);
    if end > start {
        // SAFETY: madvise only reads the range's mapping (the range lies
        // inside a live block); MADV_HUGEPAGE changes no contents.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn huge_pages(_ptr: *mut u8, _len: usize) {}

// SAFETY: every call is passed on to the system allocator with the same
// layout; the additions only write zeroes into a block about to be freed,
// and a reallocation is an allocation, a copy of the smaller size and a free.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for WipeOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        huge_pages(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        huge_pages(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WIPE.load(Ordering::Relaxed) {
            unsafe { zero(ptr, layout.size()) };
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !WIPE.load(Ordering::Relaxed) {
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            huge_pages(p, new_size);
            return p;
        }
        // A realloc that moves the block would leave its old bytes behind.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    #[allow(unsafe_code)]
    fn a_reallocation_keeps_the_bytes_and_frees_zeroed() {
        let a = WipeOnFree;
        let layout = Layout::from_size_align(16, 8).unwrap();
        wipe_freed_memory();
        // SAFETY: plain use of the allocator with the layout it was given.
        unsafe {
            let p = a.alloc(layout);
            assert!(!p.is_null());
            std::ptr::copy_nonoverlapping(b"0123456789abcdef".as_ptr(), p, 16);
            let q = a.realloc(p, layout, 4096);
            assert!(!q.is_null());
            assert_eq!(std::slice::from_raw_parts(q, 16), b"0123456789abcdef");
            let bigger = Layout::from_size_align(4096, 8).unwrap();
            zero(q, 16);
            assert_eq!(std::slice::from_raw_parts(q, 16), &[0u8; 16]);
            a.dealloc(q, bigger);
        }
    }
}
