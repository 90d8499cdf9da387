//! Which [`Reader`] a sync reads a commit's files with: the line from the commit itself, and on
//! the contract line the milestone names its issues are shown with.
//!
//! The line comes from `.roadmap/config.yaml` *in the commit being synced* (its blob in the
//! tree), not from the working tree: the cache is HEAD's state, and a `roadmap migrate` commit
//! switches lines exactly where HEAD crosses it (checking out a commit from before the
//! migration reads legacy again). The cache records the line its rows were read under
//! (`meta::WORKSPACE_LINE`); a commit whose line differs is rebuilt, never diffed, so no row
//! read under one line survives into the other.
//!
//! Milestone names: a contract issue names its milestone by id and lists show the name, so the
//! name is resolved when the issue is read and stored in its row (queries stay one index seek).
//! A rebuild reads HEAD's milestone files first. A diff starts from the names the cache holds,
//! applies the milestone files it changes, and reads again every unchanged issue file whose
//! row shows a milestone whose name changed (found through the milestone index).

use super::SyncError;
use super::store::read_blob;
use crate::cache::{Cache, meta};
use crate::git::{GitRepo, ObjectId, TreeChange};
use crate::lines::{self, Line, Reader, RoadmapFile};
use crate::record::Record;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

const CONFIG: &str = ".roadmap/config.yaml";

/// The line of the workspace at `commit`, from its `config.yaml`. A commit without one (1.0.2
/// git-ignores its config as personal; an unborn HEAD; a workspace not committed yet) follows
/// the working tree's config under `work_dir`, legacy when there is none either: otherwise the
/// files a 0.3.1 user has written but not committed would be read as legacy files.
pub(super) fn line_at(
    repo: &GitRepo,
    commit: Option<ObjectId>,
    commit_id: &str,
    work_dir: &Path,
) -> Result<Line, SyncError> {
    Ok(committed_line(repo, commit, commit_id)?
        .unwrap_or_else(|| lines::workspace_line(&work_dir.join(".roadmap"))))
}

/// The line `commit`'s own `config.yaml` declares; `None` when it has none.
pub(super) fn committed_line(
    repo: &GitRepo,
    commit: Option<ObjectId>,
    commit_id: &str,
) -> Result<Option<Line>, SyncError> {
    let blobs = repo.blob_ids_at(commit, &[CONFIG])?;
    Ok(match blobs.get(CONFIG) {
        Some(blob) => Some(lines::line_of_config(Some(&read_blob(
            repo, *blob, CONFIG, commit_id,
        )?))),
        None => None,
    })
}

/// The line the cache's rows were read under; `None` when it recorded none.
pub(super) fn cached_line(cache: &Cache) -> Result<Option<Line>, SyncError> {
    let recorded = cache.metadata(meta::WORKSPACE_LINE)?;
    Ok([Line::Legacy, Line::Contract]
        .into_iter()
        .find(|line| recorded.as_deref() == Some(line.key())))
}

/// The reader of the files the cache holds: its line and its milestone names (for local
/// writes applied after a sync).
pub(super) fn cached_reader(cache: &Cache) -> Result<Reader, SyncError> {
    let mut reader = Reader::new(cached_line(cache)?.unwrap_or(Line::Legacy));
    if reader.issues_name_milestones_by_id() {
        reader.set_milestone_names(names(cache_milestones(cache)?));
    }
    Ok(reader)
}

/// [`cached_reader`] for the local writes under `work_dir`: a milestone file written but not
/// committed names its issues too (a 0.3.1 user's first milestone and issues, all uncommitted),
/// ahead of the name the cache holds for the same id.
pub(super) fn pending_reader(
    cache: &Cache,
    work_dir: &Path,
    written: &[&str],
) -> Result<Reader, SyncError> {
    let mut reader = cached_reader(cache)?;
    if !reader.issues_name_milestones_by_id() {
        return Ok(reader);
    }
    let mut named = Vec::new();
    for path in written {
        if !matches!(
            reader.line().classify(path),
            Some(RoadmapFile::Milestone { .. })
        ) {
            continue;
        }
        // Gone or unreadable since it was recorded: the cache's name stands.
        let Ok(bytes) = std::fs::read(work_dir.join(path)) else {
            continue;
        };
        if let Some(Record::Milestone(milestone)) = reader.read(path, &bytes) {
            if let Some(id) = milestone.id {
                named.push((id, milestone.name));
            }
        }
    }
    if !named.is_empty() {
        named.extend(names(cache_milestones(cache)?));
        reader.set_milestone_names(named);
    }
    Ok(reader)
}

/// For a rebuild of `files`: reads the milestone files among them first and hands their names
/// to the reader.
pub(super) fn name_milestones_for_rebuild(
    repo: &GitRepo,
    reader: &mut Reader,
    files: &[(String, ObjectId)],
    commit_id: &str,
) -> Result<(), SyncError> {
    if !reader.issues_name_milestones_by_id() {
        return Ok(());
    }
    let mut by_path = BTreeMap::new();
    for (path, blob) in files {
        if let Some(milestone) = read_milestone(repo, reader, path, *blob, commit_id)? {
            by_path.insert(path.clone(), milestone);
        }
    }
    reader.set_milestone_names(names(by_path));
    Ok(())
}

/// For a diff: hands the reader the milestone names of the new commit and adds to `changes`
/// the unchanged issue files whose milestone's name changed, to be read again.
pub(super) fn name_milestones_for_diff(
    repo: &GitRepo,
    cache: &Cache,
    reader: &mut Reader,
    changes: &mut Vec<TreeChange>,
    commit_id: &str,
) -> Result<(), SyncError> {
    if !reader.issues_name_milestones_by_id() {
        return Ok(());
    }
    let before = cache_milestones(cache)?;
    let mut after = before.clone();
    let mut touched = BTreeSet::new();
    for change in changes.iter() {
        let blob = match change {
            TreeChange::Added { blob, .. } | TreeChange::Modified { blob, .. } => Some(*blob),
            TreeChange::Deleted { .. } | TreeChange::NameNotUtf8 { .. } => None,
        };
        let path = path_of(change);
        if !matches!(
            reader.line().classify(path),
            Some(RoadmapFile::Milestone { .. })
        ) {
            continue;
        }
        if let Some((id, _)) = after.remove(path) {
            touched.insert(id);
        }
        let Some(blob) = blob else { continue };
        if let Some((id, name)) = read_milestone(repo, reader, path, blob, commit_id)? {
            touched.insert(id.clone());
            after.insert(path.to_owned(), (id, name));
        }
    }
    if touched.is_empty() {
        reader.set_milestone_names(names(before));
        return Ok(());
    }
    reader.set_milestone_names(names(before));
    let shown_before: Vec<String> = touched
        .iter()
        .map(|id| reader.milestone_shown_for(id))
        .collect();
    reader.set_milestone_names(names(after));
    let stale: Vec<String> = touched
        .iter()
        .zip(shown_before)
        .filter(|(id, before)| reader.milestone_shown_for(id) != *before)
        .map(|(_, before)| before)
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let in_diff: HashSet<String> = changes.iter().map(|c| path_of(c).to_owned()).collect();
    for (path, blob) in cache.issue_files_showing_milestones(&stale)? {
        let Some(blob) = ObjectId::from_hex(&blob) else {
            continue;
        };
        if !in_diff.contains(&path) {
            changes.push(TreeChange::Modified {
                path,
                blob,
                was: None,
            });
        }
    }
    Ok(())
}

/// `(id, name)` of the milestone file at `path`; `None` when it is not one or unreadable.
fn read_milestone(
    repo: &GitRepo,
    reader: &Reader,
    path: &str,
    blob: ObjectId,
    commit_id: &str,
) -> Result<Option<(String, String)>, SyncError> {
    if !matches!(
        reader.line().classify(path),
        Some(RoadmapFile::Milestone { .. })
    ) {
        return Ok(None);
    }
    Ok(
        match reader.read(path, &read_blob(repo, blob, path, commit_id)?) {
            Some(Record::Milestone(milestone)) => milestone.id.map(|id| (id, milestone.name)),
            _ => None,
        },
    )
}

/// The cache's milestone files with an id, by path: `path → (id, name)`.
fn cache_milestones(cache: &Cache) -> Result<BTreeMap<String, (String, String)>, SyncError> {
    Ok(cache
        .milestone_files()?
        .into_iter()
        .filter_map(|(path, id, name)| Some((path, (id?, name))))
        .collect())
}

/// `(id, name)` pairs in path order, as [`Reader::set_milestone_names`] takes them.
fn names(by_path: BTreeMap<String, (String, String)>) -> Vec<(String, String)> {
    by_path.into_values().collect()
}

pub(super) fn path_of(change: &TreeChange) -> &str {
    match change {
        TreeChange::Added { path, .. }
        | TreeChange::Modified { path, .. }
        | TreeChange::Deleted { path, .. }
        | TreeChange::NameNotUtf8 { path, .. } => path,
    }
}
