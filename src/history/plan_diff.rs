//! What a range of commits changes in the plan (`roadmap diff A..B`, `A...B`, `REV`): the
//! roadmap files that differ between two trees (the same tree diff the sync uses), read on
//! both sides, matched by issue id, and compared field by field ([`field_changes`]).
//!
//! An issue is matched by its id, not its path, so a move between milestone folders, into the
//! archive or through a migration to the 0.2 layout is one change. A file that holds the same
//! id as another file the range does not touch is compared with the changed files only.

use super::HistoryError;
use super::field_changes::{Field, FieldChange, IssueVersion, field_changes};
use super::versions::CommitReader;
use super::{Revision, resolve};
use crate::git::{GitRepo, ObjectId, TreeChange};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;

/// The two ends of a range, as the user named them.
#[derive(Debug, Clone)]
pub struct Range {
    pub from: Revision,
    pub to: Revision,
}

/// Reads `A..B` (B against A), `A...B` (B against the merge base of A and B, as `git diff`
/// reads it) or a lone `REV` (HEAD against REV). An empty side is HEAD, as in git.
pub fn parse_range(repo: &GitRepo, spec: &str) -> Result<Range, HistoryError> {
    let side = |name: &str| resolve(repo, if name.is_empty() { "HEAD" } else { name });
    if let Some((a, b)) = spec.split_once("...") {
        let (a, b) = (side(a)?, side(b)?);
        let base = repo.merge_base(a.commit, b.commit)?.ok_or_else(|| {
            HistoryError::Revision(format!(
                "`{}` and `{}` have no common ancestor",
                a.name, b.name
            ))
        })?;
        return Ok(Range {
            from: Revision {
                name: format!("merge-base({}, {})", a.name, b.name),
                commit: base,
            },
            to: b,
        });
    }
    if let Some((a, b)) = spec.split_once("..") {
        return Ok(Range {
            from: side(a)?,
            to: side(b)?,
        });
    }
    Ok(Range {
        from: side(spec)?,
        to: side("HEAD")?,
    })
}

/// What happened to an issue, in the words of a pull-request review. One issue may have
/// several (closed and moved, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Opened,
    Removed,
    Closed,
    Reopened,
    Archived,
    Unarchived,
    Moved,
    Reprioritized,
    Reassigned,
    Retitled,
    Commented,
    /// Status changed between open statuses (todo → in-progress).
    Progressed,
    /// Any other field (labels, type, body, dates).
    Edited,
}

impl ChangeKind {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Opened => "opened",
            ChangeKind::Removed => "removed",
            ChangeKind::Closed => "closed",
            ChangeKind::Reopened => "reopened",
            ChangeKind::Archived => "archived",
            ChangeKind::Unarchived => "unarchived",
            ChangeKind::Moved => "moved",
            ChangeKind::Reprioritized => "reprioritized",
            ChangeKind::Reassigned => "reassigned",
            ChangeKind::Retitled => "retitled",
            ChangeKind::Commented => "commented",
            ChangeKind::Progressed => "progressed",
            ChangeKind::Edited => "edited",
        }
    }
}

/// One issue the range changes.
#[derive(Debug, Clone, Serialize)]
pub struct IssueChange {
    pub id: String,
    /// The title at the end of the range (at its start for a removed issue).
    pub title: String,
    pub kinds: Vec<ChangeKind>,
    pub changes: Vec<FieldChange>,
    #[serde(skip)]
    pub old: Option<IssueVersion>,
    #[serde(skip)]
    pub new: Option<IssueVersion>,
}

/// What the range changes, by issue id.
#[derive(Debug, Clone)]
pub struct PlanDiff {
    pub range: Range,
    pub issues: Vec<IssueChange>,
}

/// From this many files to read, the two sides are read and parsed on two threads: below it,
/// opening a second blob reader costs more than it saves.
const READ_IN_TWO: usize = 64;

/// Computes what `range` changes in the plan.
pub fn plan_diff(repo: &GitRepo, range: Range, work_dir: &Path) -> Result<PlanDiff, HistoryError> {
    let (from, to) = (range.from.commit, range.to.commit);
    let changes = repo.diff(Some(from), Some(to))?;
    let (old_files, new_files) = sides(repo, from, &changes)?;
    // A partial clone fetches the blobs it lacks in one request, not one per file.
    let blobs: Vec<ObjectId> = old_files
        .iter()
        .chain(&new_files)
        .map(|(_, b)| *b)
        .collect();
    repo.prefetch(&blobs)?;
    let head = repo.head()?;
    let (old_reader, new_reader) = (
        CommitReader::at(repo, Some(from), head, work_dir)?,
        CommitReader::at(repo, Some(to), head, work_dir)?,
    );
    let (old, new) = if old_files.len() + new_files.len() >= READ_IN_TWO {
        let source = repo.blob_source();
        std::thread::scope(|scope| {
            let old = scope.spawn(|| old_reader.read_all_from(&source, &old_files));
            let new = new_reader.read_all_from(&source, &new_files);
            (old.join().expect("the reading thread does not panic"), new)
        })
    } else {
        (
            old_reader.read_all(repo, &old_files),
            new_reader.read_all(repo, &new_files),
        )
    };
    let (old, new) = (old?, new?);
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut issues = Vec::new();
    for id in ids {
        let (before, after) = (old.get(id), new.get(id));
        let changes = field_changes(before, after);
        if changes.is_empty() {
            continue;
        }
        issues.push(IssueChange {
            id: id.clone(),
            title: after
                .or(before)
                .map(|v| v.title.clone())
                .unwrap_or_default(),
            kinds: kinds(before, after, &changes),
            changes,
            old: before.cloned(),
            new: after.cloned(),
        });
    }
    Ok(PlanDiff { range, issues })
}

/// The files of the diff as they were at `from` (deleted and modified) and as they are at the
/// other end (added and modified).
type Files = Vec<(String, ObjectId)>;

fn sides(
    repo: &GitRepo,
    from: ObjectId,
    changes: &[TreeChange],
) -> Result<(Files, Files), HistoryError> {
    let (mut old, mut new) = (Vec::new(), Vec::new());
    let mut modified = Vec::new();
    for change in changes {
        match change {
            TreeChange::Added { path, blob } => new.push((path.clone(), *blob)),
            TreeChange::Deleted { path, blob } => old.push((path.clone(), *blob)),
            TreeChange::Modified { path, blob, was } => {
                new.push((path.clone(), *blob));
                match was {
                    Some(was) => old.push((path.clone(), *was)),
                    None => modified.push(path.as_str()),
                }
            }
            TreeChange::NameNotUtf8 { .. } => {}
        }
    }
    let before = repo.blob_ids_at(Some(from), &modified)?;
    for path in modified {
        if let Some(blob) = before.get(path) {
            old.push((path.to_owned(), *blob));
        }
    }
    Ok((old, new))
}

/// Names what the field changes mean for a reader of the plan.
#[must_use]
pub fn kinds(
    old: Option<&IssueVersion>,
    new: Option<&IssueVersion>,
    changes: &[FieldChange],
) -> Vec<ChangeKind> {
    let (old, new) = match (old, new) {
        (None, Some(_)) => return vec![ChangeKind::Opened],
        (Some(_), None) => return vec![ChangeKind::Removed],
        (Some(old), Some(new)) => (old, new),
        (None, None) => return Vec::new(),
    };
    let mut kinds = BTreeSet::new();
    for change in changes {
        kinds.insert(match change.field {
            Field::Status if old.open && !new.open => ChangeKind::Closed,
            Field::Status if !old.open && new.open => ChangeKind::Reopened,
            Field::Status => ChangeKind::Progressed,
            Field::Archived if new.archived => ChangeKind::Archived,
            Field::Archived => ChangeKind::Unarchived,
            Field::Milestone => ChangeKind::Moved,
            Field::Priority => ChangeKind::Reprioritized,
            Field::Assignee => ChangeKind::Reassigned,
            Field::Title => ChangeKind::Retitled,
            Field::Comments if new.comments > old.comments => ChangeKind::Commented,
            _ => ChangeKind::Edited,
        });
    }
    kinds.into_iter().collect()
}

impl PlanDiff {
    /// How many issues each kind of change touches, in [`ChangeKind`] order.
    #[must_use]
    pub fn counts(&self) -> Vec<(ChangeKind, usize)> {
        let mut counts: std::collections::BTreeMap<ChangeKind, usize> = Default::default();
        for issue in &self.issues {
            for kind in &issue.kinds {
                *counts.entry(*kind).or_default() += 1;
            }
        }
        counts.into_iter().collect()
    }
}
