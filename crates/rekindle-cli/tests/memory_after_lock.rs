//! After "lock", a running `rekindle serve` holds no copy of the passphrase
//! it was unlocked with, nor of the vault's data key (issue 18, item 6: what
//! a core dump would show, read here from the live process). The key: the
//! vault keeps it boxed (a vault moved by value leaves no copy behind), and
//! the frames that derived, unwrapped and handed it to SQLCipher are zeroed
//! after that work (`rekindle_store::keyfile::burn_stack`). The posted form passes through
//! the HTTP library's read buffer, which the server frees zeroed
//! (wipe_alloc.rs) after closing the connection of every form post.
//! Linux only: the server's memory is read through /proc/PID/mem, which needs
//! root here (the server is not dumpable); CI runs as root.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

mod support;
use support::rekindle;

/// Distinctive enough to be found only where the passphrase is.
const PASSPHRASE: &str = "Zq7Canary orchard lantern pebble 42";
const MARKER: &[u8] = b"Zq7Canary";

struct Answer {
    status: String,
    headers: Vec<(String, String)>,
    body: String,
}

/// One HTTP/1.1 request to 127.0.0.1 (the connection closes after it).
fn request(host: &str, method: &str, path: &str, cookie: &str, form: &str) -> Answer {
    let mut s = std::net::TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nOrigin: http://{host}\r\n"
    );
    if !cookie.is_empty() {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        ));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(form.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn csrf(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// Form-encodes a value (spaces as '+').
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b' ' => "+".to_string(),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// How many times `needle` occurs in the readable memory of process `pid`.
fn occurrences(pid: u32, needle: &[u8]) -> usize {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut found = 0;
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms)) = (f.next(), f.next()) else {
            continue;
        };
        // Readable, and not a device mapping such as [vvar].
        if !perms.starts_with('r') || line.ends_with("[vvar]") || line.ends_with("[vsyscall]") {
            continue;
        }
        let (a, b) = range.split_once('-').unwrap();
        let (a, b) = (
            u64::from_str_radix(a, 16).unwrap(),
            u64::from_str_radix(b, 16).unwrap(),
        );
        let mut buf = vec![0u8; (b - a) as usize];
        use std::io::Seek;
        if mem.seek(std::io::SeekFrom::Start(a)).is_err() || mem.read_exact(&mut buf).is_err() {
            continue;
        }
        let n = buf.windows(needle.len()).filter(|w| *w == needle).count();
        if n > 0 && std::env::var_os("SHOW_MAPS").is_some() {
            eprintln!("{n} in {line}");
        }
        found += n;
    }
    found
}

#[test]
fn no_copy_of_the_passphrase_is_left_in_the_server_after_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let o = rekindle(&d)
        .arg("init")
        .env("REKINDLE_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Started locked: the passphrase arrives by the web's unlock form.
    let mut server = rekindle(&d)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = server.id();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap();
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let base = &path[..path.find("/login").unwrap()];

    let login = request(host, "GET", path, "", "");
    assert!(login.status.contains("303"), "{}", login.status);
    let cookie = header(&login, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = request(host, "GET", &format!("{base}/u"), &cookie, "");
    let token = csrf(&page.body);
    let form = format!("csrf={token}&passphrase={}", encode(PASSPHRASE));
    let unlocked = request(host, "POST", &format!("{base}/u"), &cookie, &form);
    assert!(unlocked.status.contains("303"), "{}", unlocked.status);
    // Every answer to a form post closes its connection.
    assert_eq!(header(&unlocked, "connection"), Some("close"));
    // Unlocking starts a new session.
    let cookie = header(&unlocked, "set-cookie")
        .map_or(cookie.clone(), |c| c.split(';').next().unwrap().to_string());
    let home = request(host, "GET", &format!("{base}/"), &cookie, "");
    assert!(home.status.contains("200"), "unlocked: {}", home.status);

    // The vault's data key, unwrapped here from its key file: while the
    // vault is open the server holds it (so the scan can find it), after
    // lock no copy may be left.
    let key_file = std::fs::read(d.join("vault.key")).unwrap();
    let data_key = rekindle_store::keyfile::KeyFile::from_json(&key_file)
        .unwrap()
        .unwrap_key(PASSPHRASE)
        .unwrap();
    assert!(
        occurrences(pid, data_key.as_slice()) > 0,
        "an open vault's key is not found: the scan cannot see it"
    );

    let lock = request(
        host,
        "POST",
        &format!("{base}/lock"),
        &cookie,
        &format!("csrf={}", csrf(&home.body)),
    );
    assert!(lock.status.contains("303"), "{}", lock.status);
    std::thread::sleep(std::time::Duration::from_millis(300));

    // The scan sees the server's memory: the data folder's path is in it.
    let folder = d.to_str().unwrap().as_bytes();
    assert!(
        occurrences(pid, folder) > 0,
        "the scan does not read the server's memory"
    );
    let left = occurrences(pid, MARKER);
    // SHOW_MAPS=1 shows where any copy is.
    let keys_left = occurrences(pid, data_key.as_slice());
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(left, 0, "copies of the passphrase left after lock");
    assert_eq!(keys_left, 0, "copies of the data key left after lock");
}
