//! The few `inotify(7)` calls the watcher makes, made safe: one non-blocking instance, watches
//! on folders, and its event records read and split.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// What a watched folder reports: every change to an entry's content, metadata or name, and
/// the folder's own removal or move.
const MASK: u32 = libc::IN_MODIFY
    | libc::IN_ATTRIB
    | libc::IN_CLOSE_WRITE
    | libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF
    | libc::IN_ONLYDIR;

/// One event: the watch it came from, what happened, and the entry's name (empty for an
/// event on the watched folder itself, or for the queue's overflow, whose `wd` is -1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub wd: i32,
    pub mask: u32,
    pub name: Vec<u8>,
}

impl Event {
    pub fn is(&self, flag: u32) -> bool {
        self.mask & flag != 0
    }
}

/// An inotify instance, read without blocking.
pub struct Inotify {
    fd: OwnedFd,
}

impl Inotify {
    pub fn new() -> io::Result<Inotify> {
        // SAFETY: no pointers; a non-negative result is a new descriptor nobody else owns.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: see above.
        Ok(Inotify {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Watches the folder at `path`; `follow` follows a symbolic link there (only the top
    /// folder is opened that way by the look).
    pub fn watch(&self, path: &Path, follow: bool) -> io::Result<i32> {
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        let mask = if follow {
            MASK
        } else {
            MASK | libc::IN_DONT_FOLLOW
        };
        // SAFETY: `c` is NUL-terminated and outlives the call.
        let wd = unsafe { libc::inotify_add_watch(self.fd.as_raw_fd(), c.as_ptr(), mask) };
        if wd < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(wd)
        }
    }

    pub fn unwatch(&self, wd: i32) {
        // SAFETY: no pointers; an unknown `wd` is an error we have no use for.
        unsafe { libc::inotify_rm_watch(self.fd.as_raw_fd(), wd) };
    }

    /// The events queued now (none when the queue is empty), appended to `out`; `false` when
    /// the instance cannot be read any more.
    pub fn read_into(&self, out: &mut Vec<Event>) -> bool {
        // Aligned for the kernel's records; room for many at a time.
        let mut buffer = vec![0u64; 8192];
        loop {
            let bytes = buffer.len() * 8;
            // SAFETY: the buffer is valid for `bytes` bytes for the whole call.
            let n = unsafe { libc::read(self.fd.as_raw_fd(), buffer.as_mut_ptr().cast(), bytes) };
            if n < 0 {
                let error = io::Error::last_os_error();
                return match error.kind() {
                    io::ErrorKind::WouldBlock => true,
                    io::ErrorKind::Interrupted => continue,
                    _ => false,
                };
            }
            let n = usize::try_from(n).unwrap_or(0);
            if n == 0 {
                return true;
            }
            // SAFETY: `n` bytes of the buffer were written by the kernel.
            let raw = unsafe { std::slice::from_raw_parts(buffer.as_ptr().cast::<u8>(), n) };
            split(raw, out);
        }
    }
}

impl AsRawFd for Inotify {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Splits the kernel's records (`struct inotify_event` then a NUL-padded name) into events.
fn split(mut raw: &[u8], out: &mut Vec<Event>) {
    const HEAD: usize = 16;
    while raw.len() >= HEAD {
        let word = |at: usize| u32::from_ne_bytes(raw[at..at + 4].try_into().expect("4 bytes"));
        let wd = i32::from_ne_bytes(raw[0..4].try_into().expect("4 bytes"));
        let mask = word(4);
        let len = usize::try_from(word(12)).unwrap_or(usize::MAX);
        let Some(name) = raw.get(HEAD..HEAD.saturating_add(len)) else {
            return;
        };
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        out.push(Event {
            wd,
            mask,
            name: name[..end].to_vec(),
        });
        raw = &raw[HEAD + len..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_a_write_in_a_watched_folder_once_the_write_returned() {
        let dir = tempfile::tempdir().unwrap();
        let inotify = Inotify::new().unwrap();
        let wd = inotify.watch(dir.path(), true).unwrap();
        let mut events = Vec::new();
        assert!(inotify.read_into(&mut events));
        assert!(events.is_empty(), "nothing happened yet");

        std::fs::write(dir.path().join("a.md"), "x").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        // No wait: the kernel queues an event before the call that caused it returns.
        assert!(inotify.read_into(&mut events));
        assert!(events.iter().all(|e| e.wd == wd));
        assert!(
            events
                .iter()
                .any(|e| e.name == b"a.md" && e.is(libc::IN_CREATE))
        );
        assert!(
            events
                .iter()
                .any(|e| e.name == b"a.md" && e.is(libc::IN_MODIFY))
        );
        assert!(
            events
                .iter()
                .any(|e| e.name == b"sub" && e.is(libc::IN_CREATE) && e.is(libc::IN_ISDIR))
        );
    }

    #[test]
    fn a_file_is_not_a_folder_to_watch() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, "x").unwrap();
        assert!(Inotify::new().unwrap().watch(&file, true).is_err());
    }
}
