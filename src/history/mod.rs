//! The plan through time, from git. Here: the event log (`history.db`), which records the
//! field changes of every commit on HEAD's first-parent line, its backfill, and the chart
//! series computed from it.
//!
//! - [`event_fields`]: the followed fields of one version of an issue, and what changed.
//! - [`store`]: `history.db`, its migrations and the only SQL on its tables.
//! - [`walk`]: brings the log to HEAD (backfill, incremental extension, rewritten history).
//! - [`tally`]: what each change does to the counts the charts draw, stored with its events.
//! - [`series`]: burndown, cumulative flow and throughput series, summed from those counts.
//!
//! The log is filled when a chart asks for it, never by the hooks (see README, "Charts").

pub mod event_fields;
mod progress;
pub mod series;
pub mod store;
pub mod tally;
pub mod walk;

use crate::git::{GitError, GitRepo};
use crate::repo_dirs::RepoDirs;
use std::path::PathBuf;
pub use store::EventLog;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("git: {0}")]
    Git(#[from] GitError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("history too long to count: {0}")]
    Count(#[from] std::num::TryFromIntError),
}

impl From<git2::Error> for HistoryError {
    fn from(error: git2::Error) -> Self {
        HistoryError::Git(error.into())
    }
}

/// Opens the event log of the worktree at `dirs` and brings it to HEAD, deriving the events
/// of the commits it lacks (all of them the first time, with a progress bar when `progress`).
pub fn open_at_head(
    dirs: &RepoDirs,
    repo: &GitRepo,
    progress: bool,
) -> Result<(EventLog, walk::Walked), HistoryError> {
    let mut log = EventLog::open(&dirs.cache_dir())?;
    let walked = walk::bring_to_head(&mut log, repo, &dirs.work_dir, progress)?;
    Ok((log, walked))
}
