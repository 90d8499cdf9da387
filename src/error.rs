//! Errors as the user meets them: a kind, one line, and a hint that fits the kind.
//!
//! Library layers keep their own `thiserror` enums (callers branch on those); at the edge each
//! one is turned into a [`CommandError`] of one of three kinds, as jj's `CommandError` does:
//!
//! | kind | meaning | exit code |
//! |---|---|---|
//! | [`ErrorKind::User`] | bad input: an unknown id, an invalid value, a file that does not parse | 1 |
//! | [`ErrorKind::Repository`] | the repository or its folders are not as needed: not a repository, bare, the lock held, a folder not writable, the issue changed meanwhile | 1 |
//! | [`ErrorKind::Internal`] | a defect or an environment failure we did not foresee (SQLite, I/O) | 255 |
//!
//! Usage errors (clap) exit 2; hooks always exit 0.

use std::fmt;
use std::io::{self, Write};

/// Exit code of a user or repository-state error.
pub const EXIT_USER_ERROR: i32 = 1;
/// Exit code of an internal error.
pub const EXIT_INTERNAL_ERROR: i32 = 255;

/// What kind of failure an error is, which decides its hint and exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    User,
    Repository,
    Internal,
}

/// An error for the user: one line, and a second `hint:` line where there is a fix.
#[derive(Debug)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl CommandError {
    /// Bad input from the user.
    pub fn user(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::User, message)
    }

    /// The repository, its folders or a concurrent process are in the way.
    pub fn repository(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::Repository, message)
    }

    /// Something failed that should not have; the hint says how to report or work around it.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::Internal, message)
    }

    fn of(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The process exit code for this error.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::User | ErrorKind::Repository => EXIT_USER_ERROR,
            ErrorKind::Internal => EXIT_INTERNAL_ERROR,
        }
    }

    /// Prints the error on stderr in the form `PROGRAM: error: …` / `hint: …`.
    pub fn print(&self, program: &str) {
        let mut stderr = io::stderr().lock();
        let _ = writeln!(stderr, "{program}: error: {}", self.message);
        if let Some(hint) = &self.hint {
            let _ = writeln!(stderr, "hint: {hint}");
        }
    }

    /// Prints the error and exits with its code.
    pub fn exit(&self, program: &str) -> ! {
        self.print(program);
        std::process::exit(self.exit_code())
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<io::Error> for CommandError {
    fn from(error: io::Error) -> Self {
        CommandError::internal(error.to_string())
    }
}

impl From<crate::cache::CacheError> for CommandError {
    fn from(error: crate::cache::CacheError) -> Self {
        use crate::cache::CacheError;
        match &error {
            CacheError::Missing(_) => CommandError::repository(error.to_string())
                .with_hint("run `roadmap-hooks install` to build it and keep it current"),
            CacheError::Outdated { .. } | CacheError::Damaged { .. } => {
                CommandError::repository(error.to_string())
                    .with_hint("run `roadmap-hooks sync --full` to rebuild the cache")
            }
            CacheError::Io { path, source } => io_in(path, source),
            CacheError::Sqlite(_) => CommandError::internal(error.to_string())
                .with_hint("run `roadmap-hooks doctor`; `roadmap-hooks sync --full` rebuilds the cache from the files"),
        }
    }
}

impl From<crate::workspace::DiscoverError> for CommandError {
    fn from(error: crate::workspace::DiscoverError) -> Self {
        use crate::workspace::DiscoverError;
        let hint = match &error {
            DiscoverError::NotARepository(_) => {
                "run it inside a git clone, or name one with `-C DIR` (GIT_DIR and GIT_WORK_TREE are honoured)"
            }
            // One line says it all: there are no issue files in a bare repository.
            DiscoverError::Bare(_) => return CommandError::repository(error.to_string()),
            DiscoverError::BadGitFile { .. } => "check the `.git` file or GIT_DIR",
        };
        CommandError::repository(error.to_string()).with_hint(hint)
    }
}

impl From<crate::workspace::LockError> for CommandError {
    fn from(error: crate::workspace::LockError) -> Self {
        io_in(&error.path, &error.source)
    }
}

impl From<git2::Error> for CommandError {
    fn from(error: git2::Error) -> Self {
        CommandError::repository(format!("git: {}", error.message())).with_hint(
            "check the repository with `git status`; `roadmap-hooks doctor` checks the rest",
        )
    }
}

impl From<crate::git::GitError> for CommandError {
    fn from(error: crate::git::GitError) -> Self {
        CommandError::repository(format!("git: {error}")).with_hint(
            "check the repository with `git status`; `roadmap-hooks doctor` checks the rest",
        )
    }
}

impl From<crate::history::HistoryError> for CommandError {
    fn from(error: crate::history::HistoryError) -> Self {
        use crate::history::HistoryError;
        match error {
            HistoryError::Revision(message) => CommandError::user(message).with_hint(
                "name a commit, branch or tag as git does (`git rev-parse REV` checks it)",
            ),
            HistoryError::Issue(message) => CommandError::user(message),
            HistoryError::Repository(message) => CommandError::repository(message),
            HistoryError::Git(git) => git.into(),
            HistoryError::Sync(sync) => sync.into(),
            HistoryError::Cache(cache) => cache.into(),
        }
    }
}

impl From<crate::sync::SyncError> for CommandError {
    fn from(error: crate::sync::SyncError) -> Self {
        use crate::sync::SyncError;
        match error {
            SyncError::Lock(lock) => lock.into(),
            SyncError::Cache(cache) => cache.into(),
            SyncError::Git(git) => git.into(),
            SyncError::Blob { .. } => CommandError::repository(error.to_string()).with_hint(
                "the object is missing from git's database; `git fsck` checks it (a partial clone fetches it with `git fetch`)",
            ),
            SyncError::WorkingTree { ref path, .. } | SyncError::Pending { ref path, .. } => {
                let source = std::io::Error::other(error.to_string());
                io_in(std::path::Path::new(path), &source)
            }
        }
    }
}

impl From<crate::workspace::freshness::FreshnessError> for CommandError {
    fn from(error: crate::workspace::freshness::FreshnessError) -> Self {
        use crate::workspace::freshness::FreshnessError;
        match error {
            FreshnessError::NoCache => CommandError::repository("no issue cache for this repository yet")
                .with_hint("run `roadmap-hooks install` to build it and keep it current (or `roadmap-hooks sync` once)"),
            FreshnessError::Cache(cache) => cache.into(),
            FreshnessError::Sync(sync) => sync.into(),
        }
    }
}

impl From<crate::workspace::write::WriteError> for CommandError {
    fn from(error: crate::workspace::write::WriteError) -> Self {
        use crate::workspace::write::WriteError;
        match error {
            WriteError::Exists(_) | WriteError::ChangedMeanwhile { .. } => {
                CommandError::repository(error.to_string())
                    .with_hint("run the command again: it reads the file as it is now")
            }
            WriteError::Invalid { .. } => CommandError::user(error.to_string()),
            WriteError::Io {
                ref path,
                ref source,
            } => io_in(std::path::Path::new(path), source),
            WriteError::Busy => CommandError::repository(error.to_string()).with_hint(
                "wait for it to finish; `roadmap-hooks doctor` shows whether the lock is held",
            ),
            WriteError::Lock(lock) => lock.into(),
            WriteError::Sync(sync) => sync.into(),
            WriteError::Tracker(tracker) => {
                use crate::workspace::tracker_lock::TrackerLockError;
                let hint = match &tracker {
                    TrackerLockError::Busy(_) => {
                        "wait for the tracker's command to finish, then run this one again"
                    }
                    TrackerLockError::PendingJournal { .. } => {
                        "finish it with the tracker: `roadmap health fix --fix-type recovery` (roadmap-cli 0.3.1), then run this command again"
                    }
                    TrackerLockError::Io { .. } => "check the permissions of .roadmap/db/",
                };
                CommandError::repository(tracker.to_string()).with_hint(hint)
            }
        }
    }
}

impl From<crate::hooks::HookError> for CommandError {
    fn from(error: crate::hooks::HookError) -> Self {
        use crate::hooks::HookError;
        match error {
            HookError::Io {
                ref path,
                ref source,
            } => io_in(std::path::Path::new(path), source),
            HookError::GitMissing => CommandError::repository(error.to_string())
                .with_hint("install git, or put it on PATH"),
            HookError::Git { .. } | HookError::Bare(_) => {
                CommandError::repository(error.to_string())
            }
        }
    }
}

/// An I/O failure on a file or folder of ours: permissions get their own hint.
pub(crate) fn io_in(path: &std::path::Path, source: &io::Error) -> CommandError {
    match source.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            CommandError::repository(format!("{}: {source}", path.display())).with_hint(format!(
                "{} is not writable for you{}; fix its permissions, or use `--no-sync` to read the cache as it is",
                folder_of(path).display(),
                permissions_of(folder_of(path))
            ))
        }
        io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory | io::ErrorKind::AlreadyExists => {
            CommandError::repository(format!("{}: {source}", path.display())).with_hint(format!(
                "something else is in the way of roadmap-hooks' files in {}; move it away",
                folder_of(path).display()
            ))
        }
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            CommandError::repository(format!("{}: {source}", path.display()))
                .with_hint("free some disk space and run the command again")
        }
        _ => CommandError::internal(format!("{}: {source}", path.display())),
    }
}

fn folder_of(path: &std::path::Path) -> &std::path::Path {
    if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(path)
    }
}

fn permissions_of(path: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map_or_else(
        |_| String::new(),
        |m| format!(" (mode {:o})", m.permissions().mode() & 0o7777),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_decide_exit_codes() {
        assert_eq!(CommandError::user("x").exit_code(), 1);
        assert_eq!(CommandError::repository("x").exit_code(), 1);
        assert_eq!(CommandError::internal("x").exit_code(), 255);
    }

    #[test]
    fn a_read_only_folder_names_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let error = io_in(
            &dir.path().join("cache.db"),
            &io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert_eq!(error.kind, ErrorKind::Repository);
        let hint = error.hint.unwrap();
        assert!(
            hint.contains("not writable") && hint.contains("mode"),
            "{hint}"
        );
    }
}
