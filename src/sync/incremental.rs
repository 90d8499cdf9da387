//! The incremental path: the roadmap files that differ between the last synced commit and HEAD,
//! applied in one transaction.

use super::rebuild::read_in_parallel;
use super::store::{Parsed, read_blob, store};
use super::{RebuildReason, SyncError, SyncReport, pause_for_tests};
use crate::cache::{Cache, CacheTransaction, meta};
use crate::git::{GitRepo, ObjectId, TreeChange, TreeMemo};
use crate::lines::Reader;
use std::collections::HashSet;

/// Diffs the last synced commit against HEAD, or says why a rebuild is needed instead.
pub(super) fn plan_incremental(
    repo: &GitRepo,
    last: Option<&str>,
    head: Option<ObjectId>,
    trees: &mut dyn TreeMemo,
) -> Result<Vec<TreeChange>, RebuildReason> {
    let last = last.ok_or(RebuildReason::FirstSync)?;
    let old = if last.is_empty() {
        None
    } else {
        let id = ObjectId::from_hex(last)
            .filter(|id| repo.has_commit(*id))
            .ok_or_else(|| RebuildReason::CommitGone(last.to_owned()))?;
        Some(id)
    };
    repo.diff_remembering(old, head, trees)
        .map_err(|e| RebuildReason::DiffFailed(e.to_string()))
}

/// From this many files to read, they are read and parsed on all cores, as a rebuild does:
/// below it, starting the threads (each opens the repository) costs more than it saves.
const READ_IN_PARALLEL: usize = 256;

/// Applies `changes` to the cache, reading the files with `reader` (HEAD's line, the same as
/// the cache's: a change of line is a rebuild).
pub(super) fn apply(
    repo: &GitRepo,
    reader: &mut Reader,
    cache: &mut Cache,
    mut changes: Vec<TreeChange>,
    head_id: &str,
) -> Result<SyncReport, SyncError> {
    super::reader::name_milestones_for_diff(repo, cache, reader, &mut changes, head_id)?;
    let mut tx = cache.transaction()?;
    let report = write_changes(repo, reader, &mut tx, changes, head_id)?;
    pause_for_tests("written");
    tx.set_metadata(meta::WORKSPACE_LINE, reader.line().key())?;
    tx.commit(head_id, "incremental")?;
    Ok(report)
}

/// Writes `changes` (files of commit `head_id`) into `tx`, without committing it: the sync
/// commits it, the history overlay (`roadmap list --at`) queries it and rolls it back. The
/// reader already holds the milestone names of `head_id`.
pub(super) fn write_changes(
    repo: &GitRepo,
    reader: &Reader,
    tx: &mut CacheTransaction<'_>,
    changes: Vec<TreeChange>,
    head_id: &str,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport {
        commit: head_id.to_owned(),
        ..SyncReport::default()
    };
    let mut deleted_blobs = HashSet::new();
    let mut written = Vec::new();
    // Deletions first, so a file moved onto a path another file left is written last.
    for change in changes {
        match change {
            TreeChange::Deleted { path, blob } => {
                tx.remove(&path)?;
                deleted_blobs.insert(blob);
                report.deleted += 1;
            }
            TreeChange::Added { path, blob } => written.push((path, blob, true)),
            TreeChange::Modified { path, blob, .. } => written.push((path, blob, false)),
            TreeChange::NameNotUtf8 { path, blob: None } => tx.remove(&path)?,
            TreeChange::NameNotUtf8 {
                path,
                blob: Some(blob),
            } => {
                store(tx, &path, blob, &Parsed::name_not_utf8(), &mut report)?;
            }
        }
    }
    let blobs: Vec<ObjectId> = written.iter().map(|(_, blob, _)| *blob).collect();
    repo.prefetch(&blobs).map_err(|source| SyncError::Blob {
        path: format!("{} files", blobs.len()),
        commit: super::short(head_id).to_owned(),
        source,
    })?;
    // Renames are counted for the user; the row is rewritten either way, because a move
    // between folders can change the milestone or the archived flag.
    for (_, blob, is_new) in &written {
        match (is_new, deleted_blobs.contains(blob)) {
            (true, true) => report.renamed += 1,
            (true, false) => report.added += 1,
            (false, _) => report.modified += 1,
        }
    }
    if written.len() >= READ_IN_PARALLEL {
        let files: Vec<(String, ObjectId)> = written
            .into_iter()
            .map(|(path, blob, _)| (path, blob))
            .collect();
        read_in_parallel(
            &repo.blob_source_for_all(),
            &files,
            head_id,
            |path, bytes| Parsed::read(reader, path, bytes),
            |path, blob, parsed| store(tx, path, blob, parsed, &mut report),
        )?;
        // Records come in the order the threads finish; the first unreadable file named to
        // the user must not depend on it.
        report.invalid.sort();
    } else {
        for (path, blob, _) in &written {
            let bytes = read_blob(repo, *blob, path, head_id)?;
            if let Some(parsed) = Parsed::read(reader, path, &bytes) {
                store(tx, path, *blob, &parsed, &mut report)?;
            }
        }
    }
    report.deleted -= report.renamed.min(report.deleted);
    Ok(report)
}
