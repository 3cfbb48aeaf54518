//! Process-level protections applied before any secret is read
//! (security.md items 5 and 16).

/// Files created from here on are private (0600 / 0700); no core dumps and
/// no ptrace attach by other processes of the same user, so the data key
/// does not end up in a crash dump.
#[allow(unsafe_code)]
pub fn harden_process() {
    // SAFETY: these libc calls take plain integers/structs, have no memory
    // effects on Rust data, and are called once before any threads exist.
    unsafe {
        libc::umask(0o077);
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// For the one-shot commands only: `rekindle record | head` should end
/// quietly, as other tools do, instead of panicking on a closed pipe. A
/// listener keeps SIGPIPE ignored (Rust's default): with the default action
/// a visitor who resets a connection mid-response would kill the server.
#[allow(unsafe_code)]
pub fn quiet_on_closed_pipe() {
    // SAFETY: sets one signal disposition; called before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// This process's user id.
#[allow(unsafe_code)]
pub fn my_uid() -> u32 {
    // SAFETY: getuid takes nothing, cannot fail and touches no Rust data.
    unsafe { libc::getuid() }
}
