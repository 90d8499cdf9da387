//! The watcher: a small process per working tree that follows its roadmap folders with
//! `inotify(7)` and tells a look which paths changed since the look before, so the look stats
//! those instead of every file (git's `core.fsmonitor`, which git 2.47 offers on Linux only
//! through a hook and an outside tool). At 100k issue files that `fstatat` of every file was
//! nearly all of a served read.
//!
//! **Started** detached by a look that had to stat every file of a large working tree
//! ([`client::start`]), or never (`git config roadmap.watch false`; `ROADMAP_WATCH=0` also
//! stops looks from asking one that runs). **Asked** over a Unix socket in the abstract
//! namespace named after the user and the working tree ([`socket_name`]): "what changed since
//! token T?". Before it answers it reads every event queued: inotify queues an event before
//! the write that caused it returns, so a change made before the question is in the answer.
//! **Stops** when the top roadmap folder goes, after an hour nobody asked, when
//! `roadmap-hooks uninstall` asks it to, or when it cannot follow any more (a queue overflow is
//! answered "look at everything" instead). `roadmap-hooks status` says whether one runs.
//!
//! Trust: a token names the watcher's instance and its event count; an answer for another
//! instance, or from before events were lost, is "look at everything". The socket's peer must
//! be the same user, both ways. Changes inotify does not see (writes through `mmap`, another
//! machine's writes on a network file system, where the watcher does not start) are the same
//! blind spots git's monitor has.

#[cfg(target_os = "linux")]
pub mod client;
#[cfg(target_os = "linux")]
pub mod daemon;
#[cfg(target_os = "linux")]
mod inotify;

use std::path::Path;

#[cfg(target_os = "linux")]
pub use client::{allowed, ask, start, stop};

/// No watcher off Linux: every look stats every file.
#[cfg(not(target_os = "linux"))]
pub fn ask(_work_dir: &Path, _since: Option<Token>) -> Option<Answer> {
    None
}

#[cfg(not(target_os = "linux"))]
pub fn start(_work_dir: &Path) {}

#[cfg(not(target_os = "linux"))]
pub fn stop(_work_dir: &Path) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
pub fn allowed() -> bool {
    false
}

/// What a watcher answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// It cannot say what changed since the token given (another watcher's, too old, or
    /// none): look at everything. The token is the watcher's now, for the next question.
    Everything(Token),
    /// Only these paths (relative to the working tree; files and folders) changed since.
    Changed(Token, Vec<String>),
}

impl Answer {
    /// The watcher's token when it answered: valid for the next look.
    #[must_use]
    pub fn token(&self) -> Token {
        match self {
            Answer::Everything(token) | Answer::Changed(token, _) => *token,
        }
    }
}

/// The hidden `roadmap-hooks` subcommand that runs a watcher: `watch-worktree <work dir>`.
pub const SUBCOMMAND: &str = "watch-worktree";

/// A point in a watcher's stream of changes: which watcher, and how many changes it had
/// counted. Written as `<instance>:<count>` in hex into the look's stat file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub instance: u64,
    pub seq: u64,
}

impl Token {
    #[must_use]
    pub fn parse(text: &str) -> Option<Token> {
        let (instance, seq) = text.split_once(':')?;
        Some(Token {
            instance: u64::from_str_radix(instance, 16).ok()?,
            seq: u64::from_str_radix(seq, 16).ok()?,
        })
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:x}:{:x}", self.instance, self.seq)
    }
}

/// The watcher's socket name for the working tree at `work_dir` (canonical): the protocol's
/// version, the user and a 128-bit hash of the path, well under the 107 bytes an abstract name
/// may hold.
#[must_use]
pub fn socket_name(work_dir: &Path, uid: u32) -> String {
    use std::os::unix::ffi::OsStrExt;
    let bytes = work_dir.as_os_str().as_bytes();
    let fnv = |seed: u64| {
        bytes.iter().fold(seed, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "roadmap-watch-1-{uid}-{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

/// The paths a watcher reported, by folder: a look stats only these. A folder's own entry (in
/// its parent's names) means its entries or stat data may have moved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Moved {
    by_folder: std::collections::HashMap<String, std::collections::HashSet<String>>,
}

impl Moved {
    #[must_use]
    pub fn from_paths<'a>(paths: impl IntoIterator<Item = &'a str>) -> Moved {
        let mut moved = Moved::default();
        for path in paths {
            let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
            moved
                .by_folder
                .entry(folder.to_owned())
                .or_default()
                .insert(name.to_owned());
        }
        moved
    }

    /// Whether anything in the folder at `path` (or the folder itself) was reported.
    #[must_use]
    pub fn folder(&self, path: &str) -> bool {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.by_folder.contains_key(path) || self.entry(parent, name)
    }

    /// Whether the entry `name` of the folder at `folder` was reported.
    #[must_use]
    pub fn entry(&self, folder: &str, name: &str) -> bool {
        self.by_folder.get(folder).is_some_and(|n| n.contains(name))
    }

    /// The names reported in the folder at `path`; `None` when nothing in it was.
    #[must_use]
    pub fn names(&self, path: &str) -> Option<&std::collections::HashSet<String>> {
        self.by_folder.get(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_as_written() {
        let token = Token {
            instance: 0xdead_beef_0000_0001,
            seq: 42,
        };
        assert_eq!(Token::parse(&token.to_string()), Some(token));
        assert_eq!(Token::parse(""), None);
        assert_eq!(Token::parse("12"), None);
        assert_eq!(Token::parse("x:1"), None);
    }

    #[test]
    fn socket_names_differ_by_tree_and_user_and_fit_the_limit() {
        let a = socket_name(Path::new("/home/ann/repo"), 1000);
        assert_ne!(a, socket_name(Path::new("/home/ann/repo2"), 1000));
        assert_ne!(a, socket_name(Path::new("/home/ann/repo"), 1001));
        let long = socket_name(Path::new(&"/x".repeat(2000)), u32::MAX);
        assert!(long.len() < 107, "{long}");
    }

    #[test]
    fn moved_paths_answer_by_folder() {
        let moved = Moved::from_paths([".roadmap/issues/a.md", ".roadmap/issues", ".roadmap"]);
        assert!(moved.entry(".roadmap/issues", "a.md"));
        assert!(!moved.entry(".roadmap/issues", "b.md"));
        assert!(moved.folder(".roadmap/issues"));
        assert!(moved.folder(".roadmap"));
        assert!(!moved.folder(".roadmap/milestones"));
        assert!(moved.names(".roadmap/milestones").is_none());
        assert_eq!(moved.names(".roadmap/issues").unwrap().len(), 1);
    }
}
