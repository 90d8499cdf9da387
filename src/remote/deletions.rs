//! Whether a linked issue's deletion is committed on the current branch since the sync that last
//! saw it: the only absence a sync turns into a close on GitHub. A file that fails to parse, a
//! deletion or move not yet committed, or a branch that never had the file closes nothing.

use crate::issue::Issue;
use crate::layout::{RoadmapFile, classify};
use git2::{Delta, DiffOptions, Oid, Repository};
use std::collections::{HashMap, HashSet};

/// The most commits walked for one question; older deletions are not looked for.
const MAX_COMMITS: usize = 20_000;

/// What git says about a linked issue that no file on this branch holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// A commit between the last sync that saw the issue and HEAD deletes its file.
    DeletionCommitted,
    /// No commit on this branch since that sync deletes it (never committed, or not here).
    NotDeletedHere,
    /// The last sync that saw it ran on a commit this branch does not contain.
    OtherBranch { seen_at: String },
}

/// Decides each `(id, seen_at)`: `seen_at` is the HEAD commit of the sync that last recorded
/// the issue's baseline (`None` for baselines from before it was recorded: all of HEAD's
/// history is searched then). `head` is HEAD's commit, resolved by the caller (libgit2 cannot
/// resolve refs in a reftable repository).
pub fn absences(
    repo: &Repository,
    head: Option<Oid>,
    candidates: &[(String, Option<String>)],
) -> Result<HashMap<String, Absence>, git2::Error> {
    let head = match head {
        Some(commit) => commit,
        None => {
            return Ok(candidates
                .iter()
                .map(|(id, _)| (id.clone(), Absence::NotDeletedHere))
                .collect());
        }
    };
    let mut deleted_since: HashMap<Option<Oid>, HashSet<String>> = HashMap::new();
    let mut verdicts = HashMap::new();
    for (id, seen_at) in candidates {
        let seen = seen_at
            .as_deref()
            .and_then(|s| Oid::from_str(s).ok())
            .filter(|oid| repo.find_commit(*oid).is_ok());
        let elsewhere = match seen {
            Some(seen) => seen != head && !repo.graph_descendant_of(head, seen)?,
            None => false,
        };
        if let Some(seen) = seen.filter(|_| elsewhere) {
            verdicts.insert(
                id.clone(),
                Absence::OtherBranch {
                    seen_at: seen.to_string(),
                },
            );
            continue;
        }
        let deleted = match deleted_since.entry(seen) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(deleted_ids(repo, head, seen)?)
            }
        };
        let verdict = if deleted.contains(id) {
            Absence::DeletionCommitted
        } else {
            Absence::NotDeletedHere
        };
        verdicts.insert(id.clone(), verdict);
    }
    Ok(verdicts)
}

/// The ids of the issue files deleted by the commits after `since` up to `head` (first-parent
/// diffs, so a merge that brings a deletion counts).
fn deleted_ids(
    repo: &Repository,
    head: Oid,
    since: Option<Oid>,
) -> Result<HashSet<String>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    if let Some(since) = since {
        walk.hide(since)?;
    }
    let mut ids = HashSet::new();
    for oid in walk.take(MAX_COMMITS) {
        let commit = repo.find_commit(oid?)?;
        let Ok(parent) = commit.parent(0) else {
            continue;
        };
        let mut options = DiffOptions::new();
        options.pathspec(".roadmap");
        let diff = repo.diff_tree_to_tree(
            Some(&parent.tree()?),
            Some(&commit.tree()?),
            Some(&mut options),
        )?;
        for delta in diff.deltas().filter(|d| d.status() == Delta::Deleted) {
            let file = delta.old_file();
            let Some(path) = file.path().and_then(|p| p.to_str()) else {
                continue;
            };
            if let Some(id) = issue_id(repo, path, file.id()) {
                ids.insert(id);
            }
        }
    }
    Ok(ids)
}

/// The id of the issue in blob `blob` at `path`: its frontmatter's, else the file name's.
fn issue_id(repo: &Repository, path: &str, blob: Oid) -> Option<String> {
    let Some(RoadmapFile::Issue(context)) = classify(path) else {
        return None;
    };
    repo.find_blob(blob)
        .ok()
        .and_then(|b| Issue::parse(b.content(), &context).ok())
        .map(|issue| issue.id)
        .or(context.id_from_name)
}
