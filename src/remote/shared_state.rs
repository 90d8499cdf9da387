//! The remote state of a repository: one `remote.db` in the common git dir, shared by every
//! linked worktree, since the baselines speak for the one GitHub repository whichever worktree
//! syncs (two worktrees with a state each would each create the same issue). A `remote.db` a
//! worktree kept in its own git dir before is adopted on the next sync from any worktree: rows
//! the shared one lacks are added; two that differ are merged only where that is safe (the
//! listing cursor: the earlier wins, which lists more; a baseline that differs only in the
//! commit it was recorded at: the shared one's); anything else stops the sync, naming both
//! files and the issues, with nothing changed.

use super::SyncError;
use super::apply::CURSOR_ROW;
use super::plan::BaseState;
use crate::cache::remote::RemoteState;
use crate::workspace::Workspace;
use std::path::PathBuf;

/// Two `remote.db` files that hold different baselines for the same issues.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} (kept by a worktree before the state was shared) and {} hold different baselines for {}; nothing was synced",
    worktree.display(), shared.display(), ids.join(", ")
)]
pub struct Disagree {
    pub worktree: PathBuf,
    pub shared: PathBuf,
    pub ids: Vec<String>,
}

/// Opens the repository's `remote.db`, after adopting the ones worktrees kept. Call it under
/// the remote-sync lock.
pub(super) fn open(workspace: &Workspace) -> Result<RemoteState, SyncError> {
    let dirs = workspace.dirs();
    let mut state = RemoteState::open(&dirs.shared_dir())?;
    for worktree in dirs.worktree_remote_dbs() {
        let unmerged = state.adopt(&worktree, merge)?;
        if !unmerged.is_empty() {
            return Err(SyncError::SharedState(Disagree {
                worktree,
                shared: dirs.shared_dir().join("remote.db"),
                ids: unmerged.into_iter().map(|(_, id)| id).collect(),
            }));
        }
    }
    Ok(state)
}

/// The merge of two rows of one issue (ours: the shared file's), or `None` when only the user
/// can tell which is right: each was agreed with GitHub by files on a different branch.
fn merge(issue_id: &str, ours: &str, theirs: &str) -> Option<String> {
    if issue_id == CURSOR_ROW {
        let since = |json: &str| {
            serde_json::from_str::<serde_json::Value>(json)
                .ok()?
                .get("since")?
                .as_str()
                .map(str::to_owned)
        };
        // Listing from the earlier time repeats some issues, which is harmless; a cursor that
        // does not read means a full listing.
        return Some(match (since(ours), since(theirs)) {
            (Some(a), Some(b)) if b < a => theirs.to_owned(),
            (Some(_), Some(_)) => ours.to_owned(),
            _ => "{}".to_owned(),
        });
    }
    let decode = |json: &str| serde_json::from_str::<BaseState>(json).ok();
    let (mut a, mut b) = (decode(ours)?, decode(theirs)?);
    // The commit a baseline was recorded at only decides whether a deletion closes the issue;
    // one from the other worktree's branch closes nothing (reported), the safe side.
    a.seen_at = None;
    b.seen_at = None;
    (a == b).then(|| ours.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_cursor_and_the_commit_seen_at_merge() {
        let cursor = |since: &str| format!(r#"{{"since":"{since}"}}"#);
        let earlier = cursor("2026-01-01T00:00:00Z");
        let later = cursor("2026-02-01T00:00:00Z");
        assert_eq!(merge(CURSOR_ROW, &later, &earlier), Some(earlier.clone()));
        assert_eq!(merge(CURSOR_ROW, &earlier, &later), Some(earlier));
        assert_eq!(merge(CURSOR_ROW, "x", &later).as_deref(), Some("{}"));

        let base = |seen: &str, title: &str| {
            format!(
                r#"{{"number":1,"fields":{{"title":"{title}","body":"","status":"todo","priority":"medium","issue_type":"other","labels":[],"assignee":[],"milestone":null}},"seen_at":"{seen}"}}"#
            )
        };
        let ours = base("aaaa", "T");
        assert_eq!(merge("x", &ours, &base("bbbb", "T")), Some(ours.clone()));
        assert_eq!(merge("x", &ours, &base("aaaa", "Other title")), None);
        assert_eq!(merge("x", &ours, "not json"), None);
    }
}
