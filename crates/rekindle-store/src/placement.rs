//! Where the live database may live (security.md item 17): on this computer's
//! own disk, never in a folder a sync client copies (Dropbox, OneDrive, Google
//! Drive, iCloud, Nextcloud, Syncthing...) nor on a network file system (NFS,
//! SMB, SSHFS...). A sync client can copy a half-written database or its
//! journal, and two computers writing the same file corrupt it; network file
//! systems do not keep SQLite's locking promises. Backups and exports may go
//! anywhere: they are single files written at once.
//!
//! Sync folders are recognised on every platform (by name and marker files);
//! network drives on Linux only, from /proc/self/mounts. On macOS a network
//! volume is not detected (see `network_drive`).

use std::path::{Component, Path, PathBuf};

/// Folder names sync clients create (compared case-insensitively, whole
/// component; a name that merely starts like one, "Dropbox (Team)", "OneDrive -
/// Firm", counts too).
const SYNC_FOLDER_PREFIXES: &[&str] = &[
    "dropbox",
    "onedrive",
    "google drive",
    "googledrive",
    "my drive",
    "icloud drive",
    "iclouddrive",
    "mobile documents",
    "cloudstorage",
    "nextcloud",
    "owncloud",
    "pcloud drive",
    "megasync",
    "mega downloads",
    "box sync",
    "yandex.disk",
    "synologydrive",
    "seafile",
];

/// Files or folders a sync client keeps at the root of what it syncs.
const SYNC_MARKERS: &[&str] = &[
    ".dropbox",
    ".dropbox.cache",
    ".stfolder",
    ".owncloudsync.log",
    ".nextcloudsync.log",
];

/// File system types that live on another computer.
const NETWORK_FS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "ncpfs",
    "afs",
    "9p",
    "ceph",
    "glusterfs",
    "lustre",
    "gpfs",
    "davfs",
    "sshfs",
    "fuse.sshfs",
    "fuse.rclone",
    "fuse.s3fs",
    "fuse.gvfsd-fuse",
    "fuse.glusterfs",
    "fuse.cephfs",
];

/// Why `path` must not hold the live database, in words for the user, or
/// `None` when it may. `path` need not exist yet.
pub fn unsuitable(path: &Path) -> Option<String> {
    let full = absolute(path);
    if let Some(name) = sync_folder_name(&full) {
        return Some(format!("inside the synced folder \"{name}\""));
    }
    if let Some(marker) = sync_marker(&full) {
        return Some(format!(
            "inside a folder a sync program copies (it holds {})",
            marker.display()
        ));
    }
    if let Some((point, fs)) = network_drive(&existing_ancestor(&full)) {
        return Some(format!(
            "on a network drive ({fs} mounted at {})",
            point.display()
        ));
    }
    None
}

/// The mount point and type of the network file system holding `path`, read
/// from the kernel's mount table.
#[cfg(target_os = "linux")]
fn network_drive(path: &Path) -> Option<(PathBuf, String)> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    network_mount(path, &mounts)
}

/// Not detected on other systems (macOS has no mount-table file; reading it
/// would take `statfs`, i.e. unsafe code): only the sync-folder checks apply
/// there, and the README says so.
#[cfg(not(target_os = "linux"))]
fn network_drive(_path: &Path) -> Option<(PathBuf, String)> {
    None
}

/// The path made absolute and, as far as it exists, with symlinks resolved.
fn absolute(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let base = existing_ancestor(&abs);
    match (base.canonicalize(), abs.strip_prefix(&base)) {
        (Ok(real), Ok(rest)) => real.join(rest),
        _ => abs,
    }
}

/// The longest leading part of `path` that exists.
fn existing_ancestor(path: &Path) -> PathBuf {
    path.ancestors()
        .find(|p| p.exists())
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
}

/// The first component of `path` that is a sync client's folder.
fn sync_folder_name(path: &Path) -> Option<String> {
    path.components().find_map(|c| match c {
        Component::Normal(name) => {
            let name = name.to_string_lossy();
            let lower = name.to_lowercase();
            SYNC_FOLDER_PREFIXES
                .iter()
                .any(|p| lower.starts_with(p))
                .then(|| name.into_owned())
        }
        _ => None,
    })
}

/// A sync client's marker in `path` or one of its existing ancestors.
fn sync_marker(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .filter(|p| p.is_dir())
        .flat_map(|dir| SYNC_MARKERS.iter().map(move |m| dir.join(m)))
        .find(|m| m.exists())
}

/// The mount point and type of a network file system holding `path`, from a
/// mount table in the format of /proc/mounts.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn network_mount(path: &Path, mounts: &str) -> Option<(PathBuf, String)> {
    let mut best: Option<(PathBuf, String)> = None;
    for line in mounts.lines() {
        let mut cols = line.split(' ');
        let (Some(_device), Some(point), Some(fs)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let point = PathBuf::from(unescape(point));
        if !path.starts_with(&point) {
            continue;
        }
        // The deepest mount point holding the path decides (a later, equally
        // deep line is a mount on top of the earlier one).
        if best
            .as_ref()
            .is_none_or(|(b, _)| point.components().count() >= b.components().count())
        {
            best = Some((point, fs.to_string()));
        }
    }
    best.filter(|(_, fs)| NETWORK_FS.contains(&fs.as_str()))
}

/// /proc/mounts writes space, tab, newline and backslash as `\040` etc.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && let Some(oct) = b.get(i + 1..i + 4)
            && oct.iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push(oct.iter().fold(0u8, |v, c| v.wrapping_mul(8) + (c - b'0')));
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const MOUNTS: &str = "\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
server:/export/home /home/ana/net nfs4 rw,vers=4.2 0 0
//nas/share /mnt/my\\040share cifs rw 0 0
ana@host:/srv /home/ana/remote fuse.sshfs rw 0 0
/dev/sdb1 /home/ana/net/local ext4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
";

    #[test]
    fn network_file_systems_are_found_by_the_deepest_mount() {
        let m = |p: &str| network_mount(Path::new(p), MOUNTS);
        assert_eq!(
            m("/home/ana/net/rekindle"),
            Some((PathBuf::from("/home/ana/net"), "nfs4".into()))
        );
        assert_eq!(m("/mnt/my share/x").map(|x| x.1), Some("cifs".to_string()));
        assert_eq!(
            m("/home/ana/remote/r").map(|x| x.1),
            Some("fuse.sshfs".to_string())
        );
        // A local disk mounted inside the network one, and local folders.
        assert_eq!(m("/home/ana/net/local/rekindle"), None);
        assert_eq!(m("/home/ana/.local/share/rekindle"), None);
        assert_eq!(m("/tmp/x"), None);
        // "/home/ana/network" is not under "/home/ana/net".
        assert_eq!(m("/home/ana/network"), None);
    }

    #[test]
    fn sync_folders_by_name() {
        for p in [
            "/home/ana/Dropbox/rekindle",
            "/home/ana/Dropbox (Team)/rekindle",
            "/Users/ana/Library/CloudStorage/OneDrive-Personal/r",
            "/home/ana/OneDrive - Firm/r",
            "/Users/ana/Library/Mobile Documents/com~apple~CloudDocs/r",
            "/home/ana/Nextcloud/r",
            "/home/ana/Google Drive/My Drive/r",
        ] {
            assert!(sync_folder_name(Path::new(p)).is_some(), "{p}");
        }
        for p in [
            "/home/ana/.local/share/rekindle",
            "/home/ana/drop/rekindle",
            "/home/ana/Documents/rekindle",
        ] {
            assert_eq!(sync_folder_name(Path::new(p)), None, "{p}");
        }
    }

    #[test]
    fn sync_markers_in_ancestors() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("synced");
        std::fs::create_dir_all(root.join("a")).unwrap();
        assert_eq!(unsuitable(&root.join("a/rekindle")), None);
        std::fs::create_dir(root.join(".stfolder")).unwrap();
        let why = unsuitable(&root.join("a/rekindle"));
        assert!(
            why.as_deref().is_some_and(|w| w.contains(".stfolder")),
            "{why:?}"
        );
    }

    #[test]
    fn escapes_of_the_mount_table() {
        assert_eq!(unescape("/mnt/my\\040share"), "/mnt/my share");
        assert_eq!(unescape("a\\134b"), "a\\b");
        assert_eq!(unescape("plain\\x"), "plain\\x");
    }
}
