//! The event log's way in: open `history.db` and bring it to HEAD; and what can go wrong
//! with it.

use super::store::EventLog;
use super::walk;
use crate::git::{GitError, GitRepo};
use crate::repo_dirs::RepoDirs;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EventLogError {
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("git: {0}")]
    Git(#[from] GitError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Read(#[from] crate::sync::SyncError),
    #[error("history too long to count: {0}")]
    Count(#[from] std::num::TryFromIntError),
}

impl From<git2::Error> for EventLogError {
    fn from(error: git2::Error) -> Self {
        EventLogError::Git(error.into())
    }
}

/// Opens the event log of the worktree at `dirs` and brings it to HEAD, deriving the events
/// of the commits it lacks (all of them the first time, with a progress bar when `progress`).
pub fn open_at_head(
    dirs: &RepoDirs,
    repo: &GitRepo,
    progress: bool,
) -> Result<(EventLog, walk::Walked), EventLogError> {
    let mut log = EventLog::open(&dirs.cache_dir())?;
    let walked = walk::bring_to_head(&mut log, repo, &dirs.work_dir, progress)?;
    Ok((log, walked))
}
