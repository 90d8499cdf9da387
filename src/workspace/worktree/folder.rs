//! The file-system calls of the look, made relative to an open folder (`openat`, `fstatat`): a
//! name is looked up in its folder instead of along the whole path from `/`, and the path
//! lookups were most of what a `stat` of every roadmap file cost the kernel.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// What git's index keeps of a file to tell, without reading it, that it did not change: the
/// size, the modification and change times (ns) and the inode. The change time moves on every
/// write and cannot be set back by `touch`, so an edit that keeps the size and puts the old
/// mtime back is still seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

impl Stat {
    fn of(st: &libc::stat) -> Stat {
        let ns = |sec: i64, nsec: i64| sec.saturating_mul(1_000_000_000).saturating_add(nsec);
        Stat {
            size: u64::try_from(st.st_size).unwrap_or(0),
            mtime_ns: ns(st.st_mtime, st.st_mtime_nsec),
            ctime_ns: ns(st.st_ctime, st.st_ctime_nsec),
            inode: st.st_ino,
        }
    }

    /// Whether data recorded with this stat at `stamped_ns` can be trusted while the stat
    /// stays the same: only when the mtime's second had passed when it was recorded. A change
    /// within the second of the recording could keep the same stat (timestamps are coarser
    /// than the writes): git's racy-clean rule.
    #[must_use]
    pub fn settled_at(&self, stamped_ns: i64) -> bool {
        self.mtime_ns.div_euclid(1_000_000_000) < stamped_ns.div_euclid(1_000_000_000)
    }
}

/// What kind of entry a name is; symbolic links are never followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Folder,
    Other,
}

/// An open folder.
pub struct Folder {
    fd: OwnedFd,
}

impl Folder {
    /// Opens the folder at `path` (following a symbolic link, as listing it by path would);
    /// `None` when there is none.
    pub fn open(path: &Path) -> Option<Folder> {
        let mut buffer = Vec::with_capacity(path.as_os_str().len() + 1);
        buffer.extend_from_slice(path.as_os_str().as_bytes());
        buffer.push(0);
        let name = CStr::from_bytes_with_nul(&buffer).ok()?;
        Self::open_raw(libc::AT_FDCWD, name, 0)
    }

    /// Opens the folder `name` inside this one; `None` for a symbolic link.
    pub fn open_at(&self, name: &str) -> Option<Folder> {
        with_c_name(name, |c| {
            Self::open_raw(self.fd.as_raw_fd(), c, libc::O_NOFOLLOW)
        })
    }

    fn open_raw(at: libc::c_int, name: &CStr, extra_flags: libc::c_int) -> Option<Folder> {
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC | extra_flags;
        // SAFETY: `name` is NUL-terminated; the descriptor returned is owned by nobody else.
        let fd = unsafe { libc::openat(at, name.as_ptr(), flags) };
        // SAFETY: a non-negative result is a new open descriptor.
        (fd >= 0).then(|| Folder {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// The folder's own stat data.
    pub fn stat(&self) -> Option<Stat> {
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: `st` is written by a successful call before it is read.
        let done = unsafe { libc::fstat(self.fd.as_raw_fd(), st.as_mut_ptr()) };
        // SAFETY: `fstat` succeeded, so `st` is initialized.
        (done == 0).then(|| Stat::of(unsafe { st.assume_init_ref() }))
    }

    /// The stat data and kind of the entry `name`, not following a symbolic link; `None` when
    /// there is no such entry.
    pub fn stat_at(&self, name: &str) -> Option<(Stat, Kind)> {
        with_c_name(name, |c| {
            let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
            // SAFETY: `c` is NUL-terminated; `st` is written by a successful call.
            let done = unsafe {
                libc::fstatat(
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    st.as_mut_ptr(),
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            };
            if done != 0 {
                return None;
            }
            // SAFETY: `fstatat` succeeded, so `st` is initialized.
            let st = unsafe { st.assume_init_ref() };
            let kind = match st.st_mode & libc::S_IFMT {
                libc::S_IFREG => Kind::File,
                libc::S_IFDIR => Kind::Folder,
                _ => Kind::Other,
            };
            Some((Stat::of(st), kind))
        })
    }
}

/// Runs `f` with `name` NUL-terminated, on the stack for every name a folder can hold.
fn with_c_name<T>(name: &str, f: impl FnOnce(&CStr) -> Option<T>) -> Option<T> {
    let mut buffer = [0u8; 256];
    let bytes = name.as_bytes();
    if bytes.len() < buffer.len() {
        buffer[..bytes.len()].copy_from_slice(bytes);
        f(CStr::from_bytes_with_nul(&buffer[..=bytes.len()]).ok()?)
    } else {
        // Longer than any file name (NAME_MAX is 255): no such entry.
        None
    }
}

/// The entries of the folder at `path`, as (name, kind), from the folder listing alone (the
/// kind the file system reports there; a stat only where it reports none).
pub fn list(path: &Path) -> Vec<(String, Kind)> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|entry| {
            // A name that is not UTF-8 is no document: `Other`, its bytes not kept (the walk
            // counts it as a stray by the replacement character).
            let name = match entry.file_name().into_string() {
                Ok(name) => name,
                Err(name) => return (name.to_string_lossy().into_owned(), Kind::Other),
            };
            let kind = entry.file_type().ok().map_or(Kind::Other, |t| {
                if t.is_file() {
                    Kind::File
                } else if t.is_dir() {
                    Kind::Folder
                } else {
                    Kind::Other
                }
            });
            (name, kind)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_names_in_an_open_folder_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "hello").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("a.md", dir.path().join("link.md")).unwrap();
        let folder = Folder::open(dir.path()).unwrap();
        let (stat, kind) = folder.stat_at("a.md").unwrap();
        assert_eq!((stat.size, kind), (5, Kind::File));
        assert_eq!(folder.stat_at("sub").unwrap().1, Kind::Folder);
        assert_eq!(folder.stat_at("link.md").unwrap().1, Kind::Other);
        assert!(folder.stat_at("missing.md").is_none());
        assert!(folder.open_at("sub").is_some());
        assert!(folder.open_at("link.md").is_none());
        assert!(folder.stat_at(&"x".repeat(300)).is_none());
        let mut listed = list(dir.path());
        listed.sort();
        assert_eq!(
            listed,
            [
                ("a.md".to_owned(), Kind::File),
                ("link.md".to_owned(), Kind::Other),
                ("sub".to_owned(), Kind::Folder)
            ]
        );
    }

    #[test]
    fn a_stamp_in_the_second_of_the_mtime_is_not_settled() {
        let stat = Stat {
            mtime_ns: 5_500_000_000,
            ..Stat::default()
        };
        assert!(!stat.settled_at(5_999_999_999));
        assert!(stat.settled_at(6_000_000_000));
    }
}
