//! Whether a linked issue's deletion is committed on the current branch since the sync that last
//! saw it: the only absence a sync turns into a close on GitHub. A file that fails to parse, a
//! deletion or move not yet committed, or a branch that never had the file closes nothing.
//!
//! An issue is deleted by history only when its *id* leaves the roadmap folders, never because a
//! path does: a commit that removes a file and adds one with the same id (a move between
//! milestone folders, into or out of the archive, a new title's file name) is a move, whatever
//! the similarity of the two blobs; and an id that HEAD's tree still holds at any path (found as
//! the tracker finds it, by the `{id}-*.md` file name, or `issues/{id}.md` on the contract line,
//! so a file that fails to parse counts) is not deleted at all. The cache can drop a row for reasons that are not deletions (a file that
//! fails to parse, a removal not committed), so the absence of a row is never the evidence.

use crate::issue::{FileContext, Issue};
use crate::lines::{Line, RoadmapFile, may_contain_documents};
use git2::{Delta, DiffOptions, ObjectType, Oid, Repository, Tree, TreeWalkMode, TreeWalkResult};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The most commits walked for one question; older deletions are not looked for.
const MAX_COMMITS: usize = 20_000;

/// What git says about a linked issue that no file on this branch holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// A commit between the last sync that saw the issue and HEAD deletes its file.
    DeletionCommitted,
    /// HEAD's tree still holds a file for the id (at `path`): whatever the cache shows, it is
    /// not deleted.
    InHead { path: String },
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
    let in_head = ids_in_tree(repo, &repo.find_commit(head)?.tree()?)?;
    let mut deleted_since: HashMap<Option<Oid>, HashSet<String>> = HashMap::new();
    let mut verdicts = HashMap::new();
    for (id, seen_at) in candidates {
        if let Some(path) = in_head.get(id) {
            verdicts.insert(id.clone(), Absence::InHead { path: path.clone() });
            continue;
        }
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

/// The ids the commits after `since` up to `head` delete (first-parent diffs, so a merge that
/// brings a deletion counts): ids of removed issue files that the same commit does not add back
/// at another path.
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
        let mut removed = HashSet::new();
        let mut added = HashSet::new();
        for delta in diff.deltas() {
            let (file, ids) = match delta.status() {
                Delta::Deleted => (delta.old_file(), &mut removed),
                Delta::Added => (delta.new_file(), &mut added),
                _ => continue,
            };
            let Some(path) = file.path().and_then(|p| p.to_str()) else {
                continue;
            };
            ids.extend(ids_of_blob(repo, path, file.id()));
        }
        ids.extend(removed.difference(&added).cloned());
    }
    Ok(ids)
}

/// Every issue id in `tree`'s roadmap folders, with the path of a file that holds it: the id
/// of the file name (as the tracker finds an issue), else of the frontmatter.
fn ids_in_tree(repo: &Repository, tree: &Tree) -> Result<HashMap<String, String>, git2::Error> {
    let mut ids = HashMap::new();
    let Ok(entry) = tree.get_path(Path::new(".roadmap")) else {
        return Ok(ids);
    };
    let Ok(roadmap) = repo.find_tree(entry.id()) else {
        return Ok(ids);
    };
    roadmap.walk(TreeWalkMode::PreOrder, |folder, entry| {
        let Some(name) = entry.name() else {
            return TreeWalkResult::Skip;
        };
        let path = format!(".roadmap/{folder}{name}");
        match entry.kind() {
            Some(ObjectType::Tree) if may_contain_documents(&path) => TreeWalkResult::Ok,
            Some(ObjectType::Tree) => TreeWalkResult::Skip,
            Some(ObjectType::Blob) => {
                if let Some(id) = id_as_the_tracker_finds_it(repo, &path, entry.id()) {
                    ids.entry(id).or_insert(path);
                }
                TreeWalkResult::Ok
            }
            _ => TreeWalkResult::Ok,
        }
    })?;
    Ok(ids)
}

/// The id of the issue in blob `blob` at `path` as the tracker finds it: its file name's, else
/// its frontmatter's (the blob is read only for a name without an id).
fn id_as_the_tracker_finds_it(repo: &Repository, path: &str, blob: Oid) -> Option<String> {
    let Some(RoadmapFile::Issue(context)) = classify(path) else {
        return None;
    };
    if let Some(id) = context.id_from_name.clone() {
        return Some(id);
    }
    parsed_id(repo, blob, &context)
}

/// Both ids an added or removed issue file answers to: its frontmatter's and its file name's
/// (one, when they agree or the blob does not parse).
fn ids_of_blob(repo: &Repository, path: &str, blob: Oid) -> Vec<String> {
    let Some(RoadmapFile::Issue(context)) = classify(path) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = parsed_id(repo, blob, &context).into_iter().collect();
    ids.extend(context.id_from_name.filter(|name| !ids.contains(name)));
    ids
}

/// An issue file of either line: a commit may hold the other line's files (a migration), and
/// an id that moved from `issues/{milestone}/{id}-{slug}.md` to `issues/{id}.md` is no deletion.
fn classify(path: &str) -> Option<RoadmapFile> {
    Line::Contract
        .classify(path)
        .or_else(|| Line::Legacy.classify(path))
}

fn parsed_id(repo: &Repository, blob: Oid, context: &FileContext) -> Option<String> {
    repo.find_blob(blob)
        .ok()
        .and_then(|b| Issue::parse(b.content(), context).ok())
        .map(|issue| issue.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE: &str = "---\nid: 4e619042\ntitle: Fix login\nstatus: todo\n---\n\nBody\n";

    /// Commits `files` (path, content) as the whole tree, on top of `parent`.
    fn commit(repo: &Repository, parent: Option<Oid>, files: &[(&str, &str)]) -> Oid {
        let mut index = git2::Index::new().unwrap();
        for (path, content) in files {
            let blob = repo.blob(content.as_bytes()).unwrap();
            let mut entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100_644,
                uid: 0,
                gid: 0,
                file_size: 0,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            entry.flags = u16::try_from(path.len()).unwrap();
            index.add(&entry).unwrap();
        }
        let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
        let who = git2::Signature::new("t", "t@example.com", &git2::Time::new(0, 0)).unwrap();
        let parents: Vec<git2::Commit> = parent
            .map(|p| repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(None, &who, &who, "c", &tree, &parents).unwrap()
    }

    #[test]
    fn a_commit_that_moves_an_issue_deletes_no_id() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let first = commit(
            &repo,
            None,
            &[(".roadmap/issues/backlog/4e619042-fix-login.md", ISSUE)],
        );
        // Moved to a milestone folder with its milestone and a new title: not similar enough
        // for a rename by content, the same id all the same.
        let edited = ISSUE.replace("Fix login", "Login fails on Safari, every time, since 2.3");
        let moved = commit(
            &repo,
            Some(first),
            &[(
                ".roadmap/issues/v2/4e619042-login-fails-on-safari.md",
                &edited,
            )],
        );
        let archived = commit(
            &repo,
            Some(moved),
            &[(
                ".roadmap/archive/issues/v2/4e619042-login-fails-on-safari.md",
                &edited,
            )],
        );
        assert!(
            deleted_ids(&repo, archived, Some(first))
                .unwrap()
                .is_empty()
        );
        assert!(deleted_ids(&repo, archived, None).unwrap().is_empty());

        let deleted = commit(&repo, Some(archived), &[]);
        let ids = deleted_ids(&repo, deleted, Some(first)).unwrap();
        assert_eq!(ids, HashSet::from(["4e619042".to_owned()]));
    }
}
