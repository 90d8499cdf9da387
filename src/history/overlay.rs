//! The plan at another commit, from the cache: `roadmap list --at REV`.
//!
//! The cache holds HEAD. The roadmap files that differ between HEAD and REV (the in-process
//! tree diff, `.roadmap/` only), and the paths whose rows show uncommitted writes, are read
//! from REV's blobs and written over the cache's rows in a transaction that is never
//! committed ([`Cache::overlay`]); the caller's query runs on that same connection, so every
//! filter, order and format of `list` answers as of REV with the list engine unchanged, and
//! dropping the transaction rolls it back. Nothing is rebuilt, nothing is written to disk
//! for other readers to see, and the cost follows the size of the diff.
//!
//! A REV on another tracker line than HEAD (before a `roadmap migrate` commit) has rows of
//! another shape: it is built afresh in a folder of its own, queried and removed.

use super::{HistoryError, resolve};
use crate::cache::Cache;
use crate::git::ObjectId;
use crate::pending::PendingWrites;
use crate::sync::at_commit;
use crate::workspace::Workspace;

/// Runs `answer` on the plan as it is at commit `rev` (anything `git rev-parse` reads), starting
/// from `cache`, the workspace's cache at HEAD.
pub fn at_revision<T>(
    workspace: &Workspace,
    cache: &Cache,
    rev: &str,
    answer: impl FnOnce(&Cache) -> Result<T, HistoryError>,
) -> Result<T, HistoryError> {
    let repo = workspace.repo()?;
    let at = resolve(repo, rev)?.commit;
    let head = cache
        .last_synced_commit()?
        .and_then(|id| ObjectId::from_hex(&id));
    let cache_dir = workspace.cache_dir();
    let pending = PendingWrites::load(&cache_dir);
    if head == Some(at) && pending.is_empty() {
        return answer(cache);
    }
    let line = at_commit::line_at(repo, at, head, workspace.work_dir())?;
    if at_commit::cached_line(cache)? != Some(line) {
        return built_afresh(workspace, at, answer);
    }
    let dirty: Vec<&str> = pending.entries().iter().map(|w| w.path.as_str()).collect();
    let mut overlay = cache.overlay().map_err(|error| match error {
        crate::cache::CacheError::Sqlite(e)
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
        {
            HistoryError::Repository(format!(
                "the cache in {} is read-only to this user: `list --at` lays the older plan over it in a transaction it then rolls back",
                cache_dir.display()
            ))
        }
        other => other.into(),
    })?;
    at_commit::lay_over(repo, cache, &mut overlay, &cache_dir, head, at, &dirty)?;
    let answered = answer(cache);
    drop(overlay);
    answered
}

/// [`at_revision`] for a commit on another tracker line: a generation of its own, in a folder
/// named for this process under the cache folder, removed when answered.
fn built_afresh<T>(
    workspace: &Workspace,
    at: ObjectId,
    answer: impl FnOnce(&Cache) -> Result<T, HistoryError>,
) -> Result<T, HistoryError> {
    let dir = workspace
        .cache_dir()
        .join(format!("at-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|source| crate::cache::CacheError::Io {
        path: dir.clone(),
        source,
    })?;
    let answered = at_commit::build_at(workspace.repo()?, &dir, at, workspace.work_dir())
        .map_err(HistoryError::from)
        .and_then(|built| answer(&built));
    let _ = std::fs::remove_dir_all(&dir);
    answered
}
