//! Applies the pending local writes to the cache after a sync, by the rule of
//! [`crate::pending`]: rows of records that still hold show what was written, rows
//! of records that ended show HEAD's content again.

use super::store::{Parsed, read_blob, store};
use super::{SyncError, SyncReport, last_synced};
use crate::cache::{Cache, CacheTransaction, meta};
use crate::git::{GitRepo, ObjectId};
use crate::lines::Reader;
use crate::lock::SyncLock;
use crate::pending::{PendingWrite, PendingWrites};
use crate::repo_dirs::RepoDirs;
use std::collections::HashMap;
use std::path::Path;

/// Reconciles the cache with the pending writes on disk; returns how many records ended
/// because their write was discarded. Nothing to do, and no transaction, when there are no
/// records and the cache applied none.
pub(super) fn apply_pending(
    repo: &GitRepo,
    cache: &mut Cache,
    dirs: &RepoDirs,
    lock: &SyncLock,
) -> Result<usize, SyncError> {
    let cache_dir = dirs.cache_dir();
    let pending = PendingWrites::load(&cache_dir);
    let applied = cache.metadata(meta::PENDING_APPLIED)?.unwrap_or_default();
    if pending.is_empty() && applied.is_empty() {
        return Ok(0);
    }
    let last = last_synced(Some(cache))?;
    let paths: Vec<&str> = pending.entries().iter().map(|w| w.path.as_str()).collect();
    // HEAD's blob of every path a record names, in one look (one process for the CLI backend).
    let at_head = repo.blob_ids_at(ObjectId::from_hex(&last), &paths)?;
    let work_dir = &dirs.work_dir;
    let (mut kept, ended) = pending.partition(work_dir);
    let mut committed = Vec::new();
    kept.retain_uncommitted(|write| {
        let done = head_blob(&at_head, &write.path) == write.blob;
        if done {
            committed.push(write.path.clone());
        }
        done
    });
    let mut report = SyncReport::default();
    let written: Vec<&str> = kept.entries().iter().map(|w| w.path.as_str()).collect();
    let reader = super::reader::pending_reader(cache, work_dir, &written)?;
    let mut tx = cache.transaction()?;
    // A committed record shows what HEAD holds, which is what was written; a record replaced
    // by HEAD's content (a discard seen by a look at the working tree) needs the row back too.
    for path in ended.iter().map(|w| &w.path).chain(&committed) {
        show_head(repo, &reader, &mut tx, &at_head, &last, path, &mut report)?;
    }
    let mut changed_since = Vec::new();
    for write in kept.entries() {
        if !show_written(&reader, &mut tx, work_dir, write, &mut report)? {
            // Changed between the check and the read: HEAD's content, and the record ends.
            show_head(
                repo,
                &reader,
                &mut tx,
                &at_head,
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
fn head_blob(at_head: &HashMap<String, ObjectId>, path: &str) -> String {
    at_head
        .get(path)
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Puts HEAD's content of `path` back in the cache, or removes the row when HEAD has none.
fn show_head(
    repo: &GitRepo,
    reader: &Reader,
    tx: &mut CacheTransaction<'_>,
    at_head: &HashMap<String, ObjectId>,
    commit: &str,
    path: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let blob = at_head.get(path).copied();
    let parsed = match blob {
        Some(blob) => Parsed::read(reader, path, &read_blob(repo, blob, path, commit)?),
        None => None,
    };
    match (blob, parsed) {
        (Some(blob), Some(parsed)) => store(tx, path, blob, &parsed, report)?,
        _ => tx.remove(path)?,
    }
    Ok(())
}

/// Shows what `write` wrote; `false` when the file no longer holds it.
fn show_written(
    reader: &Reader,
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
    let Some(blob) = ObjectId::from_hex(&write.blob) else {
        return Ok(false);
    };
    if !crate::git::object_id::is_blob_of(&write.blob, &bytes) {
        return Ok(false);
    }
    match Parsed::read(reader, &write.path, &bytes) {
        Some(parsed) => store(tx, &write.path, blob, &parsed, report)?,
        None => tx.remove(&write.path)?,
    }
    Ok(true)
}
