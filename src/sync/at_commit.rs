//! Another commit's roadmap files, read into the cache's rows without moving the cache: the
//! sync's own diff and writes (`incremental`), applied to a transaction the caller queries and
//! then drops, so it rolls back. This is what `roadmap list --at REV` stands on (see
//! `crate::history::overlay`); a commit on another tracker line is built afresh instead.

use super::incremental::write_changes;
use super::tree_snapshots::TreeSnapshots;
use super::{RebuildReason, SyncError, SyncReport, reader};
use crate::cache::{Cache, CacheTransaction};
use crate::git::{GitRepo, ObjectId, TreeChange};
use crate::lines::{Line, Reader};
use std::collections::HashSet;
use std::path::Path;

/// The tracker line of the workspace at `commit`: its own `config.yaml`; without one, the
/// working tree's when `commit` is HEAD (as the sync reads HEAD), and otherwise legacy, the
/// line that kept its config out of git. That is what a clone checked out at `commit` and
/// rebuilt there would read.
pub fn line_at(
    repo: &GitRepo,
    commit: ObjectId,
    head: Option<ObjectId>,
    work_dir: &Path,
) -> Result<Line, SyncError> {
    if head == Some(commit) {
        return reader::line_at(repo, Some(commit), &commit.to_string(), work_dir);
    }
    Ok(reader::committed_line(repo, Some(commit), &commit.to_string())?.unwrap_or(Line::Legacy))
}

/// The line the cache's rows were read under; `None` when it recorded none.
pub fn cached_line(cache: &Cache) -> Result<Option<Line>, SyncError> {
    reader::cached_line(cache)
}

/// Rewrites, in `tx`, the rows of the roadmap files that differ between the commit the cache
/// holds (`from`) and `to`, and of `dirty` (paths whose rows show uncommitted writes), so that
/// the transaction holds exactly `to`'s files. `to` follows the cache's line. Trees the last
/// sync kept are read, never written: the lock is not held.
pub fn lay_over(
    repo: &GitRepo,
    cache: &Cache,
    tx: &mut CacheTransaction<'_>,
    cache_dir: &Path,
    from: Option<ObjectId>,
    to: ObjectId,
    dirty: &[&str],
) -> Result<SyncReport, SyncError> {
    let to_id = to.to_string();
    let line = cached_line(cache)?.unwrap_or(Line::Legacy);
    let mut changes = repo.diff_remembering(from, Some(to), &mut TreeSnapshots::new(cache_dir))?;
    let in_diff: HashSet<&str> = changes.iter().map(reader::path_of).collect();
    let dirty: Vec<&str> = dirty
        .iter()
        .copied()
        .filter(|path| !in_diff.contains(path))
        .collect();
    let at_to = repo.blob_ids_at(Some(to), &dirty)?;
    for path in dirty {
        match at_to.get(path) {
            Some(blob) => changes.push(TreeChange::Modified {
                path: path.to_owned(),
                blob: *blob,
                was: None,
            }),
            None => tx.remove(path)?,
        }
    }
    let mut reader = Reader::new(line);
    reader::name_milestones_for_diff(repo, cache, &mut reader, &mut changes, &to_id)?;
    let report = write_changes(repo, &reader, tx, changes, &to_id)?;
    tx.settle()?;
    Ok(report)
}

/// Builds a cache generation of `commit`'s files in `dir` (a folder of its own, which the
/// caller removes): for a commit on another tracker line than the cache's rows.
pub fn build_at(
    repo: &GitRepo,
    dir: &Path,
    commit: ObjectId,
    work_dir: &Path,
) -> Result<Cache, SyncError> {
    let id = commit.to_string();
    let head = repo.head()?;
    let mut reader = Reader::new(line_at(repo, commit, head, work_dir)?);
    let (cache, _) = super::rebuild::rebuild(
        repo,
        &mut reader,
        dir,
        Some(commit),
        &id,
        RebuildReason::Requested,
        false,
    )?;
    Ok(cache)
}
