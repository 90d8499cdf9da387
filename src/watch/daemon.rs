//! The watcher process (see [`super`]): inotify watches on `.roadmap` and each folder under it
//! that may hold documents, a numbered record of the paths that changed, and a socket that
//! answers "what changed since token T?".

use super::inotify::{Event, Inotify};
use super::{Token, socket_name};
use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt as _;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ROOT: &str = ".roadmap";
/// Nobody asked for this long: the watcher stops (the next large look starts another).
const IDLE: Duration = Duration::from_secs(3600);
/// Paths remembered at most; past it the record starts again (older tokens: "everything").
const REMEMBERED: usize = 100_000;
/// An answer holds at most this many paths; more, and a full look is as cheap.
const ANSWERED: usize = 20_000;

/// Why a watcher did not start, or stopped: said on its (null) stderr, and to tests.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// Another watcher serves this working tree.
    Running,
    /// No `.roadmap` folder, or it went away.
    NoRoadmap,
    /// A network or FUSE file system: inotify sees only this machine's changes there.
    RemoteFileSystem,
    Idle,
    /// `roadmap-hooks uninstall` asked it to.
    Asked,
    Failed(String),
}

/// Runs the watcher of the working tree at `work_dir` until it stops.
pub fn run(work_dir: &Path) -> Stop {
    let Ok(work_dir) = std::fs::canonicalize(work_dir) else {
        return Stop::NoRoadmap;
    };
    let root = work_dir.join(ROOT);
    if !root.is_dir() {
        return Stop::NoRoadmap;
    }
    if remote_file_system(&root) {
        return Stop::RemoteFileSystem;
    }
    // SAFETY: no arguments, cannot fail.
    let uid = unsafe { libc::geteuid() };
    let listener = match bind(&socket_name(&work_dir, uid)) {
        Ok(listener) => listener,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => return Stop::Running,
        Err(e) => return Stop::Failed(format!("cannot open the watcher's socket: {e}")),
    };
    let inotify = match Inotify::new() {
        Ok(inotify) => inotify,
        Err(e) => return Stop::Failed(format!("cannot start inotify: {e}")),
    };
    let mut watcher = Watcher {
        inotify,
        work_dir,
        folders: HashMap::new(),
        instance: instance_id(),
        seq: 1,
        lost_at: 1,
        changed: HashMap::new(),
    };
    if let Err(stop) = watcher.watch_tree(ROOT) {
        return stop;
    }
    watcher.serve(&listener, uid)
}

struct Watcher {
    inotify: Inotify,
    work_dir: PathBuf,
    /// Each watch's folder, relative to the working tree.
    folders: HashMap<i32, String>,
    instance: u64,
    /// Changes counted so far.
    seq: u64,
    /// Tokens from before this count missed changes (queue overflow, a folder moved).
    lost_at: u64,
    /// Each changed path, with the count at its last change.
    changed: HashMap<String, u64>,
}

impl Watcher {
    fn serve(&mut self, listener: &UnixListener, uid: u32) -> Stop {
        let mut asked = Instant::now();
        loop {
            let left = IDLE.saturating_sub(asked.elapsed());
            if left.is_zero() {
                return Stop::Idle;
            }
            let mut fds = [
                libc::pollfd {
                    fd: self.inotify.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: listener.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let timeout = i32::try_from(left.as_millis().min(60_000)).unwrap_or(60_000);
            // SAFETY: `fds` is valid for its length for the whole call.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
            if ready < 0
                && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
            {
                return Stop::Failed("poll failed".to_owned());
            }
            if fds[0].revents != 0 {
                if let Err(stop) = self.drain() {
                    return stop;
                }
            }
            if fds[1].revents != 0 {
                while let Ok((stream, _)) = listener.accept() {
                    asked = Instant::now();
                    if let Err(stop) = self.answer(stream, uid) {
                        return stop;
                    }
                }
            }
        }
    }

    /// Takes every event queued now.
    fn drain(&mut self) -> Result<(), Stop> {
        let mut events = Vec::new();
        if !self.inotify.read_into(&mut events) {
            return Err(Stop::Failed("cannot read inotify events".to_owned()));
        }
        for event in events {
            self.take(event)?;
        }
        Ok(())
    }

    fn take(&mut self, event: Event) -> Result<(), Stop> {
        if event.is(libc::IN_Q_OVERFLOW) {
            return self.lose();
        }
        // A late event of a watch already removed.
        let Some(folder) = self.folders.get(&event.wd).cloned() else {
            return Ok(());
        };
        if event.is(libc::IN_IGNORED) {
            self.folders.remove(&event.wd);
            return if folder == ROOT {
                Err(Stop::NoRoadmap)
            } else {
                Ok(())
            };
        }
        if event.name.is_empty() {
            if folder == ROOT && event.is(libc::IN_DELETE_SELF | libc::IN_MOVE_SELF) {
                return Err(Stop::NoRoadmap);
            }
            if event.is(libc::IN_MOVE_SELF) {
                // Every path recorded under it is stale.
                return self.lose();
            }
            self.report(folder);
            return Ok(());
        }
        // A name that is not UTF-8 is no document; its folder moved, and its listing says so.
        let is_folder = event.is(libc::IN_ISDIR);
        let (created, moved) = (
            event.is(libc::IN_CREATE),
            event.is(libc::IN_MOVED_FROM | libc::IN_MOVED_TO),
        );
        let Ok(name) = String::from_utf8(event.name) else {
            self.report(folder);
            return Ok(());
        };
        let path = format!("{folder}/{name}");
        if is_folder {
            if moved {
                return self.lose();
            }
            if created && crate::lines::may_contain_documents(&path) {
                self.watch_tree(&path)?;
            }
        }
        self.report(path);
        self.report(folder);
        Ok(())
    }

    fn report(&mut self, path: String) {
        self.seq += 1;
        self.changed.insert(path, self.seq);
        if self.changed.len() > REMEMBERED {
            self.forget();
        }
    }

    /// Starts the record again: every token from before answers "everything".
    fn forget(&mut self) {
        self.changed.clear();
        self.seq += 1;
        self.lost_at = self.seq;
    }

    /// Events were lost, or paths of watches went stale: watches set again from the top.
    fn lose(&mut self) -> Result<(), Stop> {
        for wd in self.folders.keys() {
            self.inotify.unwatch(*wd);
        }
        self.folders.clear();
        self.forget();
        self.watch_tree(ROOT)
    }

    /// Watches the folder at `path` and every folder under it that may hold documents, as the
    /// look walks them (the top folder through a symbolic link, the others not).
    fn watch_tree(&mut self, path: &str) -> Result<(), Stop> {
        let full = self.work_dir.join(path);
        match self.inotify.watch(&full, path == ROOT) {
            Ok(wd) => {
                self.folders.insert(wd, path.to_owned());
            }
            // Gone, or replaced by a file or a link, since it was seen: its parent's event
            // reports it.
            Err(e)
                if path != ROOT
                    && matches!(
                        e.raw_os_error(),
                        Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)
                    ) =>
            {
                return Ok(());
            }
            Err(_) if path == ROOT => return Err(Stop::NoRoadmap),
            Err(e) => return Err(Stop::Failed(format!("cannot watch {path}: {e}"))),
        }
        let Ok(entries) = std::fs::read_dir(&full) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let sub = format!("{path}/{name}");
            if is_folder && crate::lines::may_contain_documents(&sub) {
                self.watch_tree(&sub)?;
            }
        }
        Ok(())
    }

    /// Answers one question: `stop`, or `since <token>` (or `since none`), after taking every event
    /// queued, with `changed <token> <count>` and the paths (each ended by a NUL byte), or
    /// `everything <token>`.
    fn answer(&mut self, mut stream: UnixStream, uid: u32) -> Result<(), Stop> {
        let timeout = Some(Duration::from_secs(1));
        if stream.set_nonblocking(false).is_err()
            || stream.set_read_timeout(timeout).is_err()
            || stream.set_write_timeout(timeout).is_err()
            || peer_uid(&stream) != Some(uid)
        {
            return Ok(());
        }
        let mut question = Vec::new();
        let mut byte = [0u8; 1];
        while question.len() < 256 && !question.ends_with(b"\n") {
            match stream.read(&mut byte) {
                Ok(1) => question.push(byte[0]),
                _ => return Ok(()),
            }
        }
        if question == b"stop\n" {
            let _ = stream.write_all(b"stopping\n");
            return Err(Stop::Asked);
        }
        let since = std::str::from_utf8(&question)
            .ok()
            .and_then(|q| q.trim_end().strip_prefix("since "))
            .and_then(Token::parse);
        self.drain()?;
        let reply = self.reply(since);
        // The asker may have given up; it then looks at everything.
        let _ = stream.write_all(&reply);
        Ok(())
    }

    fn reply(&self, since: Option<Token>) -> Vec<u8> {
        let now = Token {
            instance: self.instance,
            seq: self.seq,
        };
        let known = since.filter(|t| t.instance == self.instance && t.seq >= self.lost_at);
        let paths: Option<Vec<&String>> = known.and_then(|since| {
            let paths: Vec<&String> = self
                .changed
                .iter()
                .filter(|(_, seq)| **seq > since.seq)
                .map(|(path, _)| path)
                .collect();
            (paths.len() <= ANSWERED).then_some(paths)
        });
        let Some(paths) = paths else {
            return format!("everything {now}\n").into_bytes();
        };
        let mut reply = format!("changed {now} {}\n", paths.len()).into_bytes();
        for path in paths {
            reply.extend_from_slice(path.as_bytes());
            reply.push(0);
        }
        reply
    }
}

fn bind(name: &str) -> std::io::Result<UnixListener> {
    let listener = UnixListener::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes())?)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// The user at the other end of a connected Unix socket.
pub(super) fn peer_uid(stream: &UnixStream) -> Option<u32> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<libc::ucred>()).ok()?;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given.
    let done = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            std::ptr::from_mut(&mut cred).cast(),
            &mut len,
        )
    };
    (done == 0).then_some(cred.uid)
}

/// Unique among this machine's watchers, past and present: the start time and the process.
fn instance_id() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ (u64::from(std::process::id()) << 40)
}

/// Whether `path` is on a network or FUSE file system (git's monitor refuses those too).
pub(super) fn remote_file_system(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    const REMOTE: &[i64] = &[
        0x6969,      // NFS
        0x517b,      // SMB
        0xff53_4d42, // CIFS
        0xfe53_4d42, // SMB2
        0x6573_5546, // FUSE
        0x0102_1997, // 9P
        0x00c3_6400, // Ceph
        0x5346_414f, // AFS
        0x7375_7245, // Coda
    ];
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return true;
    };
    let mut fs = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `c` is NUL-terminated; `fs` is written by a successful call.
    if unsafe { libc::statfs(c.as_ptr(), fs.as_mut_ptr()) } != 0 {
        return true;
    }
    // SAFETY: `statfs` succeeded.
    let kind = unsafe { fs.assume_init_ref() }.f_type;
    #[allow(clippy::unnecessary_cast)]
    REMOTE.contains(&(kind as i64))
}
