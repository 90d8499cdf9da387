//! Local writes `roadmap` made that HEAD does not hold: put HEAD's content back where they were
//! discarded, and carry the rest over a rebuild.

use super::store::{Parsed, read_blob, store};
use super::{SyncError, SyncReport, last_synced};
use crate::cache::Cache;
use crate::cache::query::PendingWrite;
use crate::pending;
use git2::{Oid, Repository};
use std::path::Path;

/// Puts back the last synced commit's version of every path whose local write was discarded
/// (`git checkout -- FILE`, `git stash`, `git reset --hard`); returns how many.
pub(super) fn restore_discarded(
    repo: &Repository,
    cache: &mut Cache,
    work_dir: &Path,
) -> Result<usize, SyncError> {
    let discarded: Vec<PendingWrite> = cache
        .pending_writes()?
        .into_iter()
        .filter(|p| !pending::still_written(work_dir, p))
        .collect();
    if discarded.is_empty() {
        return Ok(0);
    }
    let last = last_synced(Some(cache))?;
    let tree = match Oid::from_str(&last) {
        Ok(id) => Some(repo.find_commit(id)?.tree()?),
        Err(_) => None,
    };
    let mut report = SyncReport::default();
    let mut tx = cache.transaction()?;
    for write in &discarded {
        let entry = tree
            .as_ref()
            .and_then(|t| t.get_path(Path::new(&write.path)).ok());
        match entry.filter(|e| e.kind() == Some(git2::ObjectType::Blob)) {
            Some(entry) => {
                let bytes = read_blob(repo, entry.id(), &write.path, &last)?;
                match Parsed::read(&write.path, &bytes) {
                    Some(parsed) => store(&mut tx, &write.path, entry.id(), &parsed, &mut report)?,
                    None => tx.remove(&write.path)?,
                }
            }
            None => tx.remove(&write.path)?,
        }
    }
    tx.commit_local()?;
    Ok(discarded.len())
}

/// Writes again, into a freshly rebuilt cache, the local writes the working tree still holds.
pub(super) fn reapply_pending(
    cache: &mut Cache,
    work_dir: &Path,
    carried: &[PendingWrite],
) -> Result<(), SyncError> {
    let still: Vec<&PendingWrite> = carried
        .iter()
        .filter(|p| pending::still_written(work_dir, p))
        .collect();
    if still.is_empty() {
        return Ok(());
    }
    let mut report = SyncReport::default();
    let mut tx = cache.transaction()?;
    for write in still {
        if write.blob_oid.is_empty() {
            tx.remove(&write.path)?;
        } else {
            let bytes = std::fs::read(work_dir.join(&write.path)).map_err(|source| {
                SyncError::WorkingTree {
                    path: write.path.clone(),
                    source,
                }
            })?;
            let blob = Oid::from_str(&write.blob_oid)?;
            if let Some(parsed) = Parsed::read(&write.path, &bytes) {
                store(&mut tx, &write.path, blob, &parsed, &mut report)?;
            }
        }
        tx.record_pending(&write.path, &write.blob_oid, write.size, write.mtime_ns)?;
    }
    tx.commit_local()?;
    Ok(())
}
