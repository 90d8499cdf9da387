//! Applies the pending local writes to the cache after a sync, by the rule of
//! [`crate::workspace::pending`]: rows of records that still hold show what was written, rows
//! of records that ended show HEAD's content again.

use super::store::{Parsed, read_blob, store};
use super::{SyncError, SyncReport, last_synced};
use crate::cache::{Cache, CacheTransaction, meta};
use crate::workspace::pending::{PendingWrite, PendingWrites};
use crate::workspace::{SyncLock, Workspace};
use git2::{Oid, Repository, Tree};
use std::path::Path;

/// Reconciles the cache with the pending writes on disk; returns how many records ended
/// because their write was discarded. Nothing to do, and no transaction, when there are no
/// records and the cache applied none.
pub(super) fn apply_pending(
    repo: &Repository,
    cache: &mut Cache,
    workspace: &Workspace,
    lock: &SyncLock,
) -> Result<usize, SyncError> {
    let cache_dir = workspace.cache_dir();
    let pending = PendingWrites::load(&cache_dir);
    let applied = cache.metadata(meta::PENDING_APPLIED)?.unwrap_or_default();
    if pending.is_empty() && applied.is_empty() {
        return Ok(0);
    }
    let last = last_synced(Some(cache))?;
    let tree = match Oid::from_str(&last) {
        Ok(id) => Some(repo.find_commit(id)?.tree()?),
        Err(_) => None,
    };
    let work_dir = workspace.work_dir();
    let (mut kept, ended) = pending.partition(work_dir);
    let mut committed = Vec::new();
    kept.retain_uncommitted(|write| {
        let done = head_blob(tree.as_ref(), &write.path) == write.blob;
        if done {
            committed.push(write.path.clone());
        }
        done
    });
    let mut report = SyncReport::default();
    let mut tx = cache.transaction()?;
    // A committed record shows what HEAD holds, which is what was written; a record replaced
    // by HEAD's content (a discard seen by a look at the working tree) needs the row back too.
    for path in ended.iter().map(|w| &w.path).chain(&committed) {
        show_head(repo, &mut tx, tree.as_ref(), &last, path, &mut report)?;
    }
    let mut changed_since = Vec::new();
    for write in kept.entries() {
        if !show_written(&mut tx, work_dir, write, &mut report)? {
            // Changed between the check and the read: HEAD's content, and the record ends.
            show_head(
                repo,
                &mut tx,
                tree.as_ref(),
                &last,
                &write.path,
                &mut report,
            )?;
            changed_since.push(write.path.clone());
        }
    }
    kept.retain_uncommitted(|write| changed_since.contains(&write.path));
    let discarded = ended.len() + changed_since.len();
    kept.save(&cache_dir, lock)
        .map_err(|source| SyncError::Pending {
            path: cache_dir.display().to_string(),
            source,
        })?;
    tx.set_metadata(meta::PENDING_APPLIED, &kept.digest())?;
    tx.commit_local()?;
    Ok(discarded)
}

/// HEAD's blob id at `path`, or empty when HEAD has no file there.
fn head_blob(tree: Option<&Tree>, path: &str) -> String {
    tree.and_then(|t| t.get_path(Path::new(path)).ok())
        .filter(|e| e.kind() == Some(git2::ObjectType::Blob))
        .map(|e| e.id().to_string())
        .unwrap_or_default()
}

/// Puts HEAD's content of `path` back in the cache, or removes the row when HEAD has none.
fn show_head(
    repo: &Repository,
    tx: &mut CacheTransaction<'_>,
    tree: Option<&Tree>,
    commit: &str,
    path: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let entry = tree
        .and_then(|t| t.get_path(Path::new(path)).ok())
        .filter(|e| e.kind() == Some(git2::ObjectType::Blob));
    let parsed = match &entry {
        Some(entry) => Parsed::read(path, &read_blob(repo, entry.id(), path, commit)?),
        None => None,
    };
    match (entry, parsed) {
        (Some(entry), Some(parsed)) => store(tx, path, entry.id(), &parsed, report)?,
        _ => tx.remove(path)?,
    }
    Ok(())
}

/// Shows what `write` wrote; `false` when the file no longer holds it.
fn show_written(
    tx: &mut CacheTransaction<'_>,
    work_dir: &Path,
    write: &PendingWrite,
    report: &mut SyncReport,
) -> Result<bool, SyncError> {
    if write.is_removal() {
        tx.remove(&write.path)?;
        return Ok(true);
    }
    let bytes = match std::fs::read(work_dir.join(&write.path)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(SyncError::WorkingTree {
                path: write.path.clone(),
                source,
            });
        }
    };
    let blob = Oid::from_str(&write.blob)?;
    if crate::workspace::pending::blob_id(&bytes) != write.blob {
        return Ok(false);
    }
    match Parsed::read(&write.path, &bytes) {
        Some(parsed) => store(tx, &write.path, blob, &parsed, report)?,
        None => tx.remove(&write.path)?,
    }
    Ok(true)
}
