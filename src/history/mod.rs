//! The plan through time: the one module that owns history. Everything here reads git, never
//! a checkout, and works on both tracker lines.
//!
//! - [`overlay`]: the cache as it would be at another commit (`roadmap list --at REV`): the
//!   tree diff between HEAD and REV laid over the cache's rows in a transaction that is queried
//!   and rolled back, so `list`'s engine answers unchanged.
//! - [`versions`]: one commit's version of the issues a set of changed files hold, keyed by id.
//! - [`field_changes`]: the field-by-field changes between two versions of one issue, shared by
//!   `diff` and `log` (and the event table).
//! - [`plan_diff`]: what a range of commits changes in the plan (`roadmap diff A..B`).
//! - [`issue_log`]: every commit that changed one issue, newest first (`roadmap log ID`).
//!
//! The event log (`history.db`, beside the cache, so a rebuild keeps it) records the field
//! changes of every commit on HEAD's first-parent line, for the charts:
//!
//! - [`events`]: opening the event log at HEAD, and its error type.
//! - [`event_fields`]: the followed fields of one version of an issue, and what changed.
//! - [`store`]: `history.db`, its migrations and the only SQL on its tables.
//! - [`walk`]: brings the log to HEAD (backfill, incremental extension, rewritten history);
//!   `derive`: one commit's events from its tree diff (many files read on all cores).
//! - [`tally`]: what each change does to the counts the charts draw, stored with its events.
//! - [`series`]: burndown, cumulative flow and throughput series, summed from those counts.
//!
//! The log is filled when a chart asks for it, never by the hooks (see README, "Charts").

mod derive;
pub mod event_fields;
pub mod events;
pub mod field_changes;
pub mod issue_log;
pub mod overlay;
pub mod plan_diff;
mod progress;
pub mod series;
pub mod store;
pub mod tally;
pub mod versions;
pub mod walk;

use crate::cache::CacheError;
use crate::git::GitError;
use crate::sync::SyncError;

/// Why a history command could not answer.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A revision git does not know, or a range that is not `A..B` / `A...B`.
    #[error("{0}")]
    Revision(String),
    /// An id no version of the plan holds, or one that names several issues.
    #[error("{0}")]
    Issue(String),
    /// The repository or the cache folder is not as the command needs it.
    #[error("{0}")]
    Repository(String),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// A revision resolved to its commit: what the user typed, and the commit.
#[derive(Debug, Clone)]
pub struct Revision {
    pub name: String,
    pub commit: crate::git::ObjectId,
}

/// Resolves `rev` as git does; an unknown one is a user error naming it.
pub fn resolve(repo: &crate::git::GitRepo, rev: &str) -> Result<Revision, HistoryError> {
    // Every history command resolves a revision before it reads objects.
    crate::git::revisions::trust_object_database();
    match repo.resolve_commit(rev) {
        Ok(commit) => Ok(Revision {
            name: rev.to_owned(),
            commit,
        }),
        Err(_) => Err(HistoryError::Revision(format!(
            "unknown revision `{rev}`: no commit by that name"
        ))),
    }
}
