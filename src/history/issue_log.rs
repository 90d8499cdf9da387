//! One issue's story (`roadmap log ID`): every commit that changed it, field by field, newest
//! first.
//!
//! The walk visits only the commits whose `.roadmap` folder differs from a parent's
//! ([`GitRepo::roadmap_commits`]: a commit that left it alone costs one tree lookup), diffs each
//! against its parents with the sync's tree diff, and reads the changed files that may hold
//! the issue: those whose name starts with its id (both lines name files so: `{id}-{slug}.md`,
//! `{id}.md`) and those that held it in a later commit. The issue is followed by its id, not
//! its path, so renames, milestone-folder moves, archive moves and a migration to the 0.2
//! layout are one story.
//!
//! A merge commit is listed only where its version of the issue differs from every parent's
//! (a resolved conflict): a change merged from a branch is listed once, at the branch's commit.

use super::HistoryError;
use super::field_changes::{FieldChange, IssueVersion, field_changes};
use super::versions::{CommitReader, keep_shown};
use crate::git::revisions::CommitInfo;
use crate::git::{GitRepo, ObjectId, RecentTrees, TreeChange};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// One commit of the issue's story.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub commit: String,
    pub author: String,
    pub date: String,
    pub summary: String,
    /// The issue's file after the commit (before it, for the commit that removed it).
    pub path: String,
    /// The file moved in this commit: where it was before.
    pub moved_from: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// The story of the issue whose id is `id` (or, for an id no file at HEAD holds, starts with
/// it), told from HEAD back; `known_paths` are the files that hold it at HEAD.
pub fn issue_log(
    repo: &GitRepo,
    head: ObjectId,
    id: &str,
    known_paths: &[String],
    work_dir: &Path,
) -> Result<(String, Vec<LogEntry>), HistoryError> {
    crate::git::revisions::trust_object_database();
    let mut walk = Walk {
        repo,
        work_dir,
        head,
        id_prefix: id,
        found_id: None,
        paths: known_paths.iter().cloned().collect(),
        readers: HashMap::new(),
        trees: RecentTrees::new(6),
    };
    let mut entries = Vec::new();
    for commit in repo.roadmap_commits(head)? {
        if let Some(entry) = walk.entry(&commit)? {
            entries.push(entry);
        }
    }
    match walk.found_id {
        Some(id) => Ok((id, entries)),
        None => Err(HistoryError::Issue(format!(
            "no commit reachable from HEAD holds an issue with id `{id}`"
        ))),
    }
}

struct Walk<'a> {
    repo: &'a GitRepo,
    work_dir: &'a Path,
    head: ObjectId,
    id_prefix: &'a str,
    /// The full id, once a file showed it.
    found_id: Option<String>,
    /// Files that held the issue in some commit already walked.
    paths: HashSet<String>,
    /// One reader per commit read (its line and milestone names).
    readers: HashMap<ObjectId, CommitReader>,
    /// Large trees of the diffs just made: the next commit's diff shares one side.
    trees: RecentTrees,
}

/// The issue's version on each side of one diff.
struct Sides {
    old: Option<IssueVersion>,
    new: Option<IssueVersion>,
}

impl Walk<'_> {
    /// The entry of `commit`, or `None` when it left the issue alone.
    fn entry(&mut self, commit: &CommitInfo) -> Result<Option<LogEntry>, HistoryError> {
        let first = commit.parents.first().copied();
        let Some(sides) = self.sides(first, commit.id)? else {
            return Ok(None);
        };
        // A merge that took the issue as one parent had it: that parent's commit told it.
        for parent in commit.parents.iter().skip(1) {
            match self.sides(Some(*parent), commit.id)? {
                None => return Ok(None),
                Some(other) if field_changes(other.old.as_ref(), sides.new.as_ref()).is_empty() => {
                    return Ok(None);
                }
                Some(_) => {}
            }
        }
        let changes = field_changes(sides.old.as_ref(), sides.new.as_ref());
        let old_path = sides.old.as_ref().map(|v| v.path.clone());
        let new_path = sides.new.as_ref().map(|v| v.path.clone());
        let moved_from = match (&old_path, &new_path) {
            (Some(old), Some(new)) if old != new => Some(old.clone()),
            _ => None,
        };
        if changes.is_empty() && moved_from.is_none() {
            return Ok(None);
        }
        Ok(Some(LogEntry {
            commit: commit.id.to_string(),
            author: commit.author.clone(),
            date: commit.date.clone(),
            summary: commit.summary.clone(),
            path: new_path.or(old_path).unwrap_or_default(),
            moved_from,
            changes,
        }))
    }

    /// The issue before and after `commit` against `parent`; `None` when the diff touches no
    /// file that holds it.
    fn sides(
        &mut self,
        parent: Option<ObjectId>,
        commit: ObjectId,
    ) -> Result<Option<Sides>, HistoryError> {
        let changes = self
            .repo
            .diff_remembering(parent, Some(commit), &mut self.trees)?;
        let mut old_files = Vec::new();
        let mut new_files = Vec::new();
        let mut modified = Vec::new();
        for change in &changes {
            match change {
                TreeChange::Added { path, blob } if self.may_hold(path) => {
                    new_files.push((path.clone(), *blob));
                }
                TreeChange::Deleted { path, blob } if self.may_hold(path) => {
                    old_files.push((path.clone(), *blob));
                }
                TreeChange::Modified { path, blob, was } if self.may_hold(path) => {
                    new_files.push((path.clone(), *blob));
                    match was {
                        Some(was) => old_files.push((path.clone(), *was)),
                        None => modified.push(path.as_str()),
                    }
                }
                _ => {}
            }
        }
        if new_files.is_empty() && old_files.is_empty() {
            return Ok(None);
        }
        if let (Some(parent), false) = (parent, modified.is_empty()) {
            for (path, blob) in self.repo.blob_ids_at(Some(parent), &modified)? {
                old_files.push((path, blob));
            }
        }
        // A partial clone fetches the blobs it lacks in one request, not one per file.
        let blobs: Vec<ObjectId> = old_files
            .iter()
            .chain(&new_files)
            .map(|(_, b)| *b)
            .collect();
        self.repo.prefetch(&blobs)?;
        let old = self.version(parent, &old_files)?;
        let new = self.version(Some(commit), &new_files)?;
        if old.is_none() && new.is_none() {
            return Ok(None);
        }
        for version in old.iter().chain(&new) {
            self.paths.insert(version.path.clone());
        }
        Ok(Some(Sides { old, new }))
    }

    fn may_hold(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        name.starts_with(self.found_id.as_deref().unwrap_or(self.id_prefix))
            || self.paths.contains(path)
    }

    /// The issue's version among `files` of `commit`.
    fn version(
        &mut self,
        commit: Option<ObjectId>,
        files: &[(String, ObjectId)],
    ) -> Result<Option<IssueVersion>, HistoryError> {
        let Some(commit) = commit else {
            return Ok(None);
        };
        if files.is_empty() {
            return Ok(None);
        }
        if !self.readers.contains_key(&commit) {
            let reader = CommitReader::at(self.repo, Some(commit), Some(self.head), self.work_dir)?;
            self.readers.insert(commit, reader);
        }
        let reader = &self.readers[&commit];
        let mut by_id = BTreeMap::new();
        for (path, blob) in files {
            if let Some(version) = reader.read(self.repo, path, *blob)? {
                let wanted = match &self.found_id {
                    Some(id) => version.id == *id,
                    None => version.id.starts_with(self.id_prefix),
                };
                if wanted {
                    keep_shown(&mut by_id, version);
                }
            }
        }
        if self.found_id.is_none() && by_id.len() > 1 {
            let ids: Vec<&String> = by_id.keys().collect();
            return Err(HistoryError::Issue(format!(
                "`{}` names several issues in the history: {}",
                self.id_prefix,
                ids.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let version = by_id.into_values().next();
        if let (None, Some(v)) = (&self.found_id, &version) {
            self.found_id = Some(v.id.clone());
        }
        Ok(version)
    }
}
