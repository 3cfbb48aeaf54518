//! Power loss (security.md item 39, issue 18 item 12): a commit that returned
//! survives, and no half of a transaction is ever seen.
//!
//! A fault-injecting SQLite VFS sits over the default unix VFS. SQLCipher
//! encrypts above the VFS, so the shim sees the ciphertext pages exactly as
//! they go to disk. It passes every call through and keeps, for each file,
//! the old bytes under every write made since that file's last `xSync`. At a
//! seeded random I/O operation the power "goes": that write or sync and every
//! later one fails (the app sees an I/O error), and once the vault is closed
//! the unsynced writes are undone in reverse order, as a disk that lost its
//! cache would leave the files. A second mode keeps every unsynced write but
//! tears the last one to a random 512-byte-aligned prefix (a disk that wrote
//! some of its sectors). Then the vault is opened again through the normal
//! VFS, and the test asserts that it opens (its pages' HMACs check), that
//! `PRAGMA integrity_check` and `cipher_integrity_check` pass, that every
//! transaction that returned success is there (durability), and that the
//! one cut off is there whole or not at all (atomicity).
//!
//! The real `SqliteVault` is used (`SqliteVault::open_existing`: its key,
//! WAL, `synchronous = FULL` and the rest of its pragmas), made to go through
//! the shim by registering the shim as SQLite's default VFS for the crash
//! phase only. That is process-wide, so this file holds one test.
#![allow(clippy::unwrap_used)]
// A VFS is C callbacks over raw pointers: there is no safe way to write one.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, MutexGuard};

use jiff::Timestamp;
use rekindle_store::chats::{MessageSink, NewChat, NewMessage};
use rekindle_store::{SqliteVault, Store, StoreError};
use rusqlite::ffi;

// ----- a small seeded random source (splitmix64), so every run is the same -----

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

// ----- the shim's state: what a power loss would take back -----

/// One change made since its file's last sync, with what it overwrote.
enum Undo {
    Write {
        path: PathBuf,
        offset: u64,
        /// The bytes there before (shorter than the write past the old end).
        old: Vec<u8>,
        old_size: u64,
        len: u64,
    },
    Truncate {
        path: PathBuf,
        old_size: u64,
        /// The bytes cut off.
        old_tail: Vec<u8>,
    },
}

impl Undo {
    fn path(&self) -> &Path {
        match self {
            Undo::Write { path, .. } | Undo::Truncate { path, .. } => path,
        }
    }
}

#[derive(Default)]
struct Shim {
    /// A disk that acknowledges a flush without making anything durable:
    /// only for the control run that shows the checks can fail.
    sync_lies: bool,
    /// Writes, truncates and syncs seen so far.
    ops: u64,
    /// The operation at which the power goes (1-based); `None`: it stays on.
    crash_at: Option<u64>,
    crashed: bool,
    /// Unsynced changes, oldest first, over every file.
    unsynced: Vec<Undo>,
}

static SHIM: Mutex<Option<Shim>> = Mutex::new(None);

fn shim() -> MutexGuard<'static, Option<Shim>> {
    SHIM.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Counts one I/O operation; false once the power is gone (then it must fail).
fn power_on() -> bool {
    let mut guard = shim();
    let Some(s) = guard.as_mut() else {
        return true;
    };
    if s.crashed {
        return false;
    }
    s.ops += 1;
    if s.crash_at.is_some_and(|at| s.ops >= at) {
        s.crashed = true;
        return false;
    }
    true
}

fn remember(undo: Undo) {
    if let Some(s) = shim().as_mut() {
        s.unsynced.push(undo);
    }
}

fn synced(path: &Path) {
    if let Some(s) = shim().as_mut() {
        s.unsynced.retain(|u| u.path() != path);
    }
}

fn read_at(path: &Path, offset: u64, len: u64) -> (Vec<u8>, u64) {
    let Ok(f) = std::fs::File::open(path) else {
        return (Vec::new(), 0);
    };
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let n = size.saturating_sub(offset).min(len);
    let mut buf = vec![0u8; usize::try_from(n).unwrap()];
    f.read_exact_at(&mut buf, offset).unwrap();
    (buf, size)
}

// ----- the VFS: the unix VFS's functions, with open, delete and the file's writes wrapped -----

#[repr(C)]
struct ShimFile {
    base: ffi::sqlite3_file,
    /// The unix VFS's file, in memory of its own size.
    real: *mut ffi::sqlite3_file,
    real_layout: std::alloc::Layout,
    /// The file's path, if it has one (temporary files have none and are not tracked).
    path: *mut PathBuf,
}

/// The unix VFS, and the shim over it (both live for the whole process).
static UNIX: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(std::ptr::null_mut());
static SHIM_VFS: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(std::ptr::null_mut());

fn unix() -> *mut ffi::sqlite3_vfs {
    UNIX.load(Ordering::Acquire)
}

unsafe fn parts(f: *mut ffi::sqlite3_file) -> (&'static ShimFile, *mut ffi::sqlite3_file) {
    // SAFETY: SQLite hands back the ShimFile it gave our xOpen.
    let shim_file = unsafe { &*(f as *mut ShimFile) };
    (shim_file, shim_file.real)
}

unsafe fn real_methods(real: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    // SAFETY: `real` was opened by the unix VFS, which set its methods.
    unsafe { &*(*real).pMethods }
}

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: the unix VFS is alive for the whole process; `file` has room
    // for a ShimFile (our szOsFile).
    unsafe {
        let unix = unix();
        let size = usize::try_from((*unix).szOsFile).unwrap();
        let layout = std::alloc::Layout::from_size_align(size.max(8), 16).unwrap();
        let real = std::alloc::alloc_zeroed(layout) as *mut ffi::sqlite3_file;
        let rc = ((*unix).xOpen.unwrap())(unix, name, real, flags, out_flags);
        if rc != ffi::SQLITE_OK || (*real).pMethods.is_null() {
            std::alloc::dealloc(real as *mut u8, layout);
            (*file).pMethods = std::ptr::null();
            return rc;
        }
        let path = if name.is_null() {
            std::ptr::null_mut()
        } else {
            let p = CStr::from_ptr(name).to_string_lossy().into_owned();
            Box::into_raw(Box::new(PathBuf::from(p)))
        };
        std::ptr::write(
            file as *mut ShimFile,
            ShimFile {
                base: ffi::sqlite3_file {
                    pMethods: &IO_METHODS,
                },
                real,
                real_layout: layout,
                path,
            },
        );
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn x_delete(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    if !power_on() {
        return ffi::SQLITE_IOERR_DELETE;
    }
    // SAFETY: pass-through to the unix VFS with SQLite's own arguments.
    unsafe {
        let path = PathBuf::from(CStr::from_ptr(name).to_string_lossy().into_owned());
        // A deleted file's unsynced changes no longer matter (the delete is
        // taken as durable, with the directory synced when SQLite asks).
        synced(&path);
        let _ = vfs;
        ((*unix()).xDelete.unwrap())(unix(), name, sync_dir)
    }
}

unsafe extern "C" fn x_close(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: closes the real file and frees what xOpen allocated.
    unsafe {
        let (s, real) = parts(f);
        let rc = (real_methods(real).xClose.unwrap())(real);
        std::alloc::dealloc(real as *mut u8, s.real_layout);
        if !s.path.is_null() {
            drop(Box::from_raw(s.path));
        }
        rc
    }
}

unsafe extern "C" fn x_read(
    f: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    n: c_int,
    off: i64,
) -> c_int {
    // SAFETY: pass-through.
    unsafe {
        let (_, real) = parts(f);
        (real_methods(real).xRead.unwrap())(real, buf, n, off)
    }
}

unsafe extern "C" fn x_write(
    f: *mut ffi::sqlite3_file,
    buf: *const c_void,
    n: c_int,
    off: i64,
) -> c_int {
    if !power_on() {
        return ffi::SQLITE_IOERR_WRITE;
    }
    // SAFETY: pass-through, after noting what the write overwrites.
    unsafe {
        let (s, real) = parts(f);
        if !s.path.is_null() {
            let path = (*s.path).clone();
            let (offset, len) = (u64::try_from(off).unwrap(), u64::try_from(n).unwrap());
            let (old, old_size) = read_at(&path, offset, len);
            remember(Undo::Write {
                path,
                offset,
                old,
                old_size,
                len,
            });
        }
        (real_methods(real).xWrite.unwrap())(real, buf, n, off)
    }
}

unsafe extern "C" fn x_truncate(f: *mut ffi::sqlite3_file, size: i64) -> c_int {
    if !power_on() {
        return ffi::SQLITE_IOERR_TRUNCATE;
    }
    // SAFETY: pass-through, after noting what the truncation cuts off.
    unsafe {
        let (s, real) = parts(f);
        if !s.path.is_null() {
            let path = (*s.path).clone();
            let size = u64::try_from(size).unwrap();
            let (old_tail, old_size) = read_at(&path, size, u64::MAX);
            if old_size > size {
                remember(Undo::Truncate {
                    path,
                    old_size,
                    old_tail,
                });
            }
        }
        (real_methods(real).xTruncate.unwrap())(real, size)
    }
}

unsafe extern "C" fn x_sync(f: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    if !power_on() {
        return ffi::SQLITE_IOERR_FSYNC;
    }
    // SAFETY: pass-through; once the real fsync returned, the file's changes are durable.
    unsafe {
        let (s, real) = parts(f);
        let rc = (real_methods(real).xSync.unwrap())(real, flags);
        let lies = shim().as_ref().is_some_and(|s| s.sync_lies);
        if rc == ffi::SQLITE_OK && !s.path.is_null() && !lies {
            synced(&*s.path);
        }
        rc
    }
}

macro_rules! pass {
    ($name:ident, $field:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        unsafe extern "C" fn $name(f: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> $ret {
            // SAFETY: pass-through to the unix VFS's file.
            unsafe {
                let (_, real) = parts(f);
                (real_methods(real).$field.unwrap())(real $(, $arg)*)
            }
        }
    };
}

pass!(x_file_size, xFileSize, (size: *mut i64) -> c_int);
pass!(x_lock, xLock, (level: c_int) -> c_int);
pass!(x_unlock, xUnlock, (level: c_int) -> c_int);
pass!(x_check_reserved_lock, xCheckReservedLock, (out: *mut c_int) -> c_int);
pass!(x_file_control, xFileControl, (op: c_int, arg: *mut c_void) -> c_int);
pass!(x_sector_size, xSectorSize, () -> c_int);
pass!(x_device_characteristics, xDeviceCharacteristics, () -> c_int);
pass!(x_shm_map, xShmMap, (page: c_int, size: c_int, extend: c_int, out: *mut *mut c_void) -> c_int);
pass!(x_shm_lock, xShmLock, (offset: c_int, n: c_int, flags: c_int) -> c_int);
pass!(x_shm_unmap, xShmUnmap, (delete: c_int) -> c_int);

unsafe extern "C" fn x_shm_barrier(f: *mut ffi::sqlite3_file) {
    // SAFETY: pass-through.
    unsafe {
        let (_, real) = parts(f);
        (real_methods(real).xShmBarrier.unwrap())(real)
    }
}

/// Version 2: the shared-memory calls WAL needs, no memory-mapped reads.
static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

/// Registers the shim (once) and makes it, or the unix VFS, the default.
fn use_shim(on: bool) {
    // SAFETY: the VFS structs live for the process; registering is
    // thread-safe in SQLite.
    unsafe {
        if SHIM_VFS.load(Ordering::Acquire).is_null() {
            // Any connection first, so SQLite (and SQLCipher) are initialised.
            rusqlite::Connection::open_in_memory().unwrap();
            let unix = ffi::sqlite3_vfs_find(c"unix".as_ptr());
            assert!(!unix.is_null());
            UNIX.store(unix, Ordering::Release);
            let mut vfs: ffi::sqlite3_vfs = *unix;
            vfs.zName = c"power-loss".as_ptr();
            vfs.pNext = std::ptr::null_mut();
            vfs.szOsFile = c_int::try_from(std::mem::size_of::<ShimFile>()).unwrap();
            vfs.xOpen = Some(x_open);
            vfs.xDelete = Some(x_delete);
            SHIM_VFS.store(Box::into_raw(Box::new(vfs)), Ordering::Release);
        }
        let which = if on {
            SHIM_VFS.load(Ordering::Acquire)
        } else {
            unix()
        };
        assert_eq!(ffi::sqlite3_vfs_register(which, 1), ffi::SQLITE_OK);
    }
}

// ----- the power loss itself -----

#[derive(Clone, Copy, Debug)]
enum Loss {
    /// Every write since its file's last sync is gone.
    Unsynced,
    /// The unsynced writes reached the disk, but the last only partly.
    TornLast,
}

fn restore(path: &Path, offset: u64, bytes: &[u8], size: u64) {
    let f = OpenOptions::new().write(true).open(path).unwrap();
    f.write_all_at(bytes, offset).unwrap();
    f.set_len(size).unwrap();
}

/// Leaves the files as the power loss would (call with the vault closed).
fn lose_power(loss: Loss, rng: &mut Rng) {
    let unsynced = shim()
        .as_mut()
        .map(|s| std::mem::take(&mut s.unsynced))
        .unwrap_or_default();
    match loss {
        Loss::Unsynced => {
            for undo in unsynced.iter().rev() {
                match undo {
                    Undo::Write {
                        path,
                        offset,
                        old,
                        old_size,
                        ..
                    } => restore(path, *offset, old, *old_size),
                    Undo::Truncate {
                        path,
                        old_size,
                        old_tail,
                    } => restore(path, old_size - old_tail.len() as u64, old_tail, *old_size),
                }
            }
        }
        Loss::TornLast => {
            // Every unsynced write arrived but the last, of which only the
            // first `kept` bytes (whole 512-byte sectors) did.
            if let Some(Undo::Write {
                path,
                offset,
                old,
                old_size,
                len,
            }) = unsynced.last()
            {
                let kept = rng.range(0, len / 512) * 512;
                let f = OpenOptions::new().write(true).open(path).unwrap();
                if kept < old.len() as u64 {
                    let from = usize::try_from(kept).unwrap();
                    f.write_all_at(&old[from..], offset + kept).unwrap();
                }
                if offset + len > *old_size {
                    let size = if kept > 0 {
                        (*old_size).max(offset + kept)
                    } else {
                        *old_size
                    };
                    f.set_len(size).unwrap();
                }
            }
        }
    }
}

// ----- the app's writes, and what must be there afterwards -----

#[derive(Clone, Debug)]
enum Op {
    /// A new item of kind "checkin" with this data.
    NewItem(serde_json::Value),
    /// A new version of the `n`-th item created so far.
    NewVersion(usize, serde_json::Value),
    /// A chat imported in one transaction: its title and number of messages.
    Import(String, u64),
}

fn at() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

fn plan(rng: &mut Rng, n: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut items = 0;
    for i in 0..n {
        let pad = "x".repeat(usize::try_from(rng.range(0, 3000)).unwrap());
        ops.push(match rng.range(0, 9) {
            0..=3 => {
                items += 1;
                Op::NewItem(serde_json::json!({"n": i, "kept": true, "pad": pad}))
            }
            4..=6 if items > 0 => Op::NewVersion(
                usize::try_from(rng.range(0, items as u64 - 1)).unwrap(),
                serde_json::json!({"n": i, "kept": false, "pad": pad}),
            ),
            _ => Op::Import(format!("chat {i}"), rng.range(20, 600)),
        });
    }
    ops
}

/// Runs one op; the id of a new item when it made one.
fn apply(vault: &mut SqliteVault, op: &Op, ids: &[i64]) -> Result<Option<i64>, StoreError> {
    match op {
        Op::NewItem(data) => vault.save_item("checkin", None, data, at()).map(Some),
        Op::NewVersion(n, data) => vault
            .save_item("checkin", Some(ids[*n]), data, at())
            .map(|_| None),
        Op::Import(title, count) => {
            let chat = NewChat {
                source_key: title.clone(),
                format: "whatsapp".into(),
                title: Some(title.clone()),
                me: None,
                ex: None,
            };
            vault
                .import_chat(
                    &chat,
                    at(),
                    0,
                    &serde_json::json!({}),
                    &mut |sink: &mut dyn MessageSink| {
                        for i in 0..*count {
                            let text = format!(
                                "{title}: message {i} {}",
                                "words ".repeat(usize::try_from(i % 40).unwrap())
                            );
                            // Unique per message: its number and the chat's title (FNV-1a).
                            let title_hash =
                                title.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                                    (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                                });
                            let mut key = [0u8; 32];
                            key[..8].copy_from_slice(&i.to_le_bytes());
                            key[8..16].copy_from_slice(&title_hash.to_le_bytes());
                            sink.push(&NewMessage {
                                local_ms: 1_700_000_000_000 + i64::try_from(i).unwrap() * 60_000,
                                offset_seconds: None,
                                sender: Some(if i % 2 == 0 { "Sam" } else { "Alex" }),
                                kind: "text",
                                text: &text,
                                content_key: key,
                            });
                        }
                        Ok(())
                    },
                )
                .map(|_| None)
        }
    }
}

/// What the reopened vault holds, in the terms of [`Op`].
struct Seen {
    /// Each "checkin" item's versions' data, by item id.
    items: HashMap<i64, Vec<serde_json::Value>>,
    /// Each chat's message count, by title.
    chats: HashMap<String, u64>,
}

fn seen(vault: &SqliteVault) -> Seen {
    let items = vault
        .items("checkin")
        .unwrap()
        .into_iter()
        .map(|i| (i.id, i.versions.into_iter().map(|v| v.data).collect()))
        .collect();
    let chats = vault
        .chats()
        .unwrap()
        .into_iter()
        .map(|c| (c.title.unwrap_or_default(), c.messages))
        .collect();
    Seen { items, chats }
}

/// What one run did: the I/O operations it made, whether it crashed, and
/// how many of its transactions had returned before.
struct Run {
    ops_io: u64,
    crashed: bool,
    returned: usize,
}

/// Creates a vault in `dir`, then opens it through the shim and runs `ops`,
/// with the power going at I/O operation `crash_at`; checks the reopened vault.
fn run(
    dir: &Path,
    seed: u64,
    ops: &[Op],
    crash_at: Option<u64>,
    loss: Loss,
    sync_lies: bool,
) -> Run {
    let path = dir.join("vault.db");
    let key = rekindle_store::keyfile::new_data_key().unwrap();
    use_shim(false);
    drop(SqliteVault::open(&path, &key).unwrap());

    use_shim(true);
    *shim() = Some(Shim {
        crash_at,
        sync_lies,
        ..Shim::default()
    });
    let mut ids: Vec<i64> = Vec::new();
    // The ops that returned success, and the one cut off (if any).
    let mut done: Vec<(Op, Option<i64>)> = Vec::new();
    let mut cut: Option<Op> = None;
    match SqliteVault::open_existing(&path, &key) {
        Ok(mut vault) => {
            let (mode, sync) = vault.durability().unwrap();
            assert_eq!(
                (mode.as_str(), sync),
                ("wal", 2),
                "WAL with synchronous=FULL"
            );
            for op in ops {
                match apply(&mut vault, op, &ids) {
                    Ok(id) => {
                        ids.extend(id);
                        done.push((op.clone(), id));
                    }
                    Err(_) => {
                        assert!(
                            shim().as_ref().unwrap().crashed,
                            "seed {seed}: an op failed without a crash"
                        );
                        cut = Some(op.clone());
                        break;
                    }
                }
            }
            drop(vault);
        }
        Err(e) => assert!(
            shim().as_ref().unwrap().crashed,
            "seed {seed}: open failed without a crash: {e}"
        ),
    }
    let (ops_io, crashed) = {
        let s = shim();
        let s = s.as_ref().unwrap();
        (s.ops, s.crashed)
    };
    let mut rng = Rng(seed ^ 0xDEAD_BEEF);
    if crashed {
        lose_power(loss, &mut rng);
    }
    *shim() = None;
    use_shim(false);

    // The normal VFS: the vault opens (its pages' HMACs check at open) and
    // both integrity checks pass.
    let vault = SqliteVault::open_existing(&path, &key).unwrap_or_else(|e| {
        let size = |p: &str| std::fs::metadata(dir.join(p)).map_or(0, |m| m.len());
        panic!(
            "seed {seed} ({loss:?} at {crash_at:?}): the vault does not open \
             (vault.db {} bytes, vault.db-wal {} bytes): {e}",
            size("vault.db"),
            size("vault.db-wal")
        )
    });
    assert!(
        vault.integrity_ok().unwrap(),
        "seed {seed} ({loss:?} at {crash_at:?}): integrity check failed"
    );
    let got = seen(&vault);

    // Durability: every op that returned is there. Atomicity: the op cut off
    // is there whole or not at all, and nothing else is.
    let mut expected_items: HashMap<i64, Vec<serde_json::Value>> = HashMap::new();
    let mut expected_chats: HashMap<String, u64> = HashMap::new();
    for (op, id) in &done {
        match op {
            Op::NewItem(data) => {
                expected_items.insert(id.unwrap(), vec![data.clone()]);
            }
            Op::NewVersion(n, data) => expected_items.get_mut(&ids[*n]).unwrap().push(data.clone()),
            Op::Import(title, count) => {
                expected_chats.insert(title.clone(), *count);
            }
        }
    }
    let context = format!(
        "seed {seed} ({loss:?}, power lost at I/O {crash_at:?} of {ops_io}), cut off: {cut:?}"
    );
    match &cut {
        Some(Op::NewItem(data)) => {
            let extra: Vec<_> = got
                .items
                .keys()
                .filter(|id| !expected_items.contains_key(id))
                .collect();
            assert!(extra.len() <= 1, "{context}");
            if let Some(id) = extra.first() {
                expected_items.insert(**id, vec![data.clone()]);
            }
        }
        Some(Op::NewVersion(n, data)) => {
            let id = ids[*n];
            if got.items.get(&id).map(Vec::len) == expected_items.get(&id).map(|v| v.len() + 1) {
                expected_items.get_mut(&id).unwrap().push(data.clone());
            }
        }
        Some(Op::Import(title, count)) => {
            if let Some(n) = got.chats.get(title) {
                assert_eq!(n, count, "{context}: a chat imported in part");
                expected_chats.insert(title.clone(), *count);
            }
        }
        None => {}
    }
    assert_eq!(got.items, expected_items, "{context}");
    assert_eq!(got.chats, expected_chats, "{context}");
    Run {
        ops_io,
        crashed,
        returned: done.len(),
    }
}

/// The seeded plan of run `seed`: its ops, and a fresh folder for each run.
fn seeded(seed: u64) -> (Rng, Vec<Op>) {
    let mut rng = Rng(seed);
    let count = usize::try_from(rng.range(4, 14)).unwrap();
    let ops = plan(&mut rng, count);
    (rng, ops)
}

fn fresh(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir(&dir).unwrap();
    dir
}

#[test]
fn a_commit_that_returned_survives_power_loss_and_none_is_seen_in_part() {
    let tmp = tempfile::tempdir().unwrap();
    let iterations: u64 = std::env::var("POWER_LOSS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let (mut crashes, mut torn, mut returned, mut io) = (0u64, 0u64, 0usize, 0u64);
    for seed in 0..iterations {
        let (mut rng, ops) = seeded(seed);
        // A first run without a power loss counts the I/O operations; the
        // second loses power at one of them, chosen by the seed (the close
        // of the vault, with its checkpoint, included).
        let clean = fresh(tmp.path(), &format!("{seed}-clean"));
        let total = run(&clean, seed, &ops, None, Loss::Unsynced, false).ops_io;
        assert!(
            total > 10,
            "seed {seed}: the vault's I/O goes through the shim"
        );
        let crash_at = rng.range(1, total);
        let loss = if seed % 2 == 0 {
            Loss::Unsynced
        } else {
            Loss::TornLast
        };
        let dir = fresh(tmp.path(), &seed.to_string());
        let r = run(&dir, seed, &ops, Some(crash_at), loss, false);
        crashes += u64::from(r.crashed);
        torn += u64::from(r.crashed && matches!(loss, Loss::TornLast));
        returned += r.returned;
        io += total;
        std::fs::remove_dir_all(&clean).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!(
        "{iterations} runs, {io} I/O operations, {crashes} power losses ({torn} torn), \
         {returned} transactions returned before the loss and were all found"
    );
    // Every run lost power somewhere (the crash point is within the run's I/O).
    assert_eq!(crashes, iterations, "runs that lost power");
    assert!(torn >= iterations / 2 - 1);

    // The control: on a disk whose flush is a lie, the same checks find lost
    // commits, so they are not checks that always pass.
    let mut caught = 0;
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for seed in 0..20 {
        let (_, ops) = seeded(seed);
        let dir = fresh(tmp.path(), &format!("{seed}-lying"));
        // The power goes at the very end (the close's checkpoint), after every op returned.
        let total = run(
            &fresh(tmp.path(), &format!("{seed}-count")),
            seed,
            &ops,
            None,
            Loss::Unsynced,
            true,
        )
        .ops_io;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(&dir, seed, &ops, Some(total), Loss::Unsynced, true)
        }));
        if outcome.is_err() {
            caught += 1;
            *shim() = None;
            use_shim(false);
        }
    }
    std::panic::set_hook(quiet);
    assert!(
        caught >= 10,
        "a lying flush went unnoticed in {} of 20 runs",
        20 - caught
    );
}
