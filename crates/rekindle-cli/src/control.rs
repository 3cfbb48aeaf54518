//! `rekindle login-link`: a new one-time link from the running `rekindle
//! serve`, without restarting it. The server listens on a Unix socket in the
//! data folder ([`rekindle_store::CONTROL_SOCKET`]); only the folder's owner
//! reaches it (the folder is 0700, the socket 0600 and the caller's user id is
//! checked), and the client checks that the socket belongs to its own user
//! before it believes the answer.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use rekindle_store::CONTROL_SOCKET;

use crate::commands::user_error;
use crate::hardening::my_uid;

const REQUEST: &str = "login-link";
/// A request line longer than this is not ours.
const MAX_REQUEST: u64 = 64;

/// Listens on the data folder's control socket for as long as the returned
/// task runs; `None` (with a note on standard error) when the socket cannot
/// be made, in which case `rekindle serve` still works, only without
/// `login-link`. The caller holds the folder's lock, so a socket file already
/// there was left by a server that was killed.
pub fn listen(dir: &Path, state: rekindle_web::AppState) -> Option<tokio::task::JoinHandle<()>> {
    let path = dir.join(CONTROL_SOCKET);
    let _ = std::fs::remove_file(&path);
    let listener = match tokio::net::UnixListener::bind(&path) {
        Ok(l) => l,
        Err(_) => {
            errln!(
                "Note: `rekindle login-link` will not work while this runs (the folder's path may be too long for a socket). Stop rekindle with Ctrl+C and start it again for a new link."
            );
            return None;
        }
    };
    let me = my_uid();
    Some(tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            if stream.peer_cred().map(|c| c.uid()).ok() != Some(me) {
                tracing::warn!(event = "control_refused");
                continue;
            }
            let Ok(stream) = stream.into_std() else {
                continue;
            };
            let state = state.clone();
            tokio::task::spawn_blocking(move || answer(stream, &state));
        }
    }))
}

/// One request from our own user: `login-link` gets a new link (the earlier
/// one stops working); anything else, or nothing within 5 seconds, gets
/// nothing.
fn answer(stream: std::os::unix::net::UnixStream, state: &rekindle_web::AppState) {
    let wait = Some(Duration::from_secs(5));
    if stream.set_nonblocking(false).is_err()
        || stream.set_read_timeout(wait).is_err()
        || stream.set_write_timeout(wait).is_err()
    {
        return;
    }
    let mut line = String::new();
    let read = BufReader::new(std::io::Read::take(&stream, MAX_REQUEST)).read_line(&mut line);
    if read.is_err() || line.trim_end() != REQUEST {
        return;
    }
    let Ok(url) = state.new_login_url() else {
        tracing::error!(event = "login_token_failed");
        return;
    };
    if (&stream).write_all(format!("{url}\n").as_bytes()).is_ok() {
        tracing::info!(event = "login_link_reissued");
        outln!(
            "A new private link was made with `rekindle login-link`; earlier links no longer work."
        );
    }
}

/// The socket of the server running on `dir`, when it is there and ours.
fn socket_of(dir: &Path) -> Result<PathBuf> {
    let path = dir.join(CONTROL_SOCKET);
    let not_running = || {
        user_error(format!(
            "rekindle is not running on {}, so there is no link to renew. Start it with `rekindle serve`: it prints a private link.",
            dir.display()
        ))
    };
    let meta = std::fs::symlink_metadata(&path).map_err(|_| not_running())?;
    use std::os::unix::fs::FileTypeExt;
    if !meta.file_type().is_socket() || meta.uid() != my_uid() {
        return Err(user_error(format!(
            "{} is not a socket made by rekindle under your user, so it was not used. Stop any rekindle running on this folder, delete that file and start `rekindle serve` again.",
            path.display()
        )));
    }
    Ok(path)
}

/// `rekindle login-link`: prints a new one-time link to the running server.
pub fn login_link(dir: &Path) -> Result<()> {
    let path = socket_of(dir)?;
    let stream = std::os::unix::net::UnixStream::connect(&path).map_err(|_| {
        user_error(format!(
            "rekindle is not running on {} (it may have been stopped or closed), so there is no link to renew. Start it with `rekindle serve`: it prints a private link.",
            dir.display()
        ))
    })?;
    let no_answer = || {
        user_error(
            "The running rekindle did not answer. Stop it with Ctrl+C in its terminal and start it again for a new link.",
        )
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|_| no_answer())?;
    (&stream)
        .write_all(format!("{REQUEST}\n").as_bytes())
        .map_err(|_| no_answer())?;
    let mut line = String::new();
    BufReader::new(std::io::Read::take(&stream, 4096))
        .read_line(&mut line)
        .map_err(|_| no_answer())?;
    let url = line.trim_end();
    if !url.starts_with("http://127.0.0.1:") || !url.contains("/login?token=") {
        return Err(no_answer());
    }
    outln!(
        "Open this private link in your browser (it works once; earlier links no longer work): {url}"
    );
    Ok(())
}
