//! The first query in a repository: build the cache instead of failing, or say why there is
//! nothing to build (no `.roadmap/` at the root, perhaps one in a subfolder).

use super::CommandError;
use crate::sync::{SyncOutcome, SyncRequest};
use crate::workspace::freshness::{FreshCache, FreshnessError};
use crate::workspace::{LockPurpose, Workspace};
use std::path::{Path, PathBuf};

/// Opens the cache for a query (see [`Workspace::open_for_query`]); with none yet, builds it
/// from HEAD when the repository has `.roadmap/` (a progress line on a terminal, then one hint
/// about the hooks).
pub fn open(
    workspace: &Workspace,
    no_sync: bool,
    worktree: bool,
) -> Result<FreshCache, CommandError> {
    match workspace.open_for_query(no_sync, worktree) {
        Err(FreshnessError::NoCache) => {}
        other => return Ok(other?),
    }
    let root = workspace.work_dir();
    if !root.join(".roadmap").is_dir() {
        return Err(no_roadmap_here(root));
    }
    let request = SyncRequest {
        full: true,
        progress: true,
    };
    if let SyncOutcome::LockBusy = workspace.sync(&request, LockPurpose::Query)? {
        return Err(FreshnessError::NoCache.into());
    }
    eprintln!(
        "roadmap: built the issue cache; run `roadmap-hooks install` once so git hooks keep it current"
    );
    Ok(workspace.open_for_query(no_sync, worktree)?)
}

/// "No `.roadmap/` here": suggests `roadmap init`, and names a `.roadmap/` in a subfolder.
fn no_roadmap_here(root: &Path) -> CommandError {
    let error = CommandError::repository(format!(
        "no .roadmap/ folder at the root of this repository ({})",
        root.display()
    ));
    match find_in_subfolders(root, 3) {
        Some(found) => error.with_hint(format!(
            "found {}/.roadmap/; roadmap reads only the repository root's (move it there, or run `roadmap init` to start one)",
            found.strip_prefix(root).unwrap_or(&found).display()
        )),
        None => error.with_hint("run `roadmap init` to start tracking issues here"),
    }
}

/// The first folder (breadth first, at most `depth` levels down, hidden folders skipped) that
/// holds a `.roadmap/` folder.
fn find_in_subfolders(root: &Path, depth: usize) -> Option<PathBuf> {
    let mut level = vec![root.to_owned()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for dir in &level {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut children: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.path())
                .collect();
            children.sort();
            if let Some(found) = children.iter().find(|c| c.join(".roadmap").is_dir()) {
                return Some(found.clone());
            }
            next.extend(children);
        }
        level = next;
    }
    None
}
