//! The folders of one worktree of a repository: its git dir, the common dir every worktree
//! shares, and the working tree. The lowest layer: `git`, `cache`, `sync` and `workspace` all
//! take it, and it takes nothing of theirs (the workspace finds it, see
//! [`crate::workspace::discover`]).

use std::path::{Path, PathBuf};

/// The folders of one worktree of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoDirs {
    /// The per-worktree git dir (`.git`, or `.git/worktrees/NAME` for a linked worktree).
    pub git_dir: PathBuf,
    /// The git dir shared by all worktrees, which holds refs and objects.
    pub common_dir: PathBuf,
    /// The working tree.
    pub work_dir: PathBuf,
}

impl RepoDirs {
    pub(crate) fn new(git_dir: PathBuf, common_dir: PathBuf, work_dir: PathBuf) -> Self {
        RepoDirs {
            git_dir: absolute(&git_dir),
            common_dir: absolute(&common_dir),
            work_dir: absolute(&work_dir),
        }
    }

    /// The folder of this worktree's cache, lock, pending writes and hook log.
    #[must_use]
    pub fn cache_dir(&self) -> PathBuf {
        self.git_dir.join("roadmap")
    }

    /// The folder of the state every worktree of the repository shares: `remote.db` (the
    /// baselines of `roadmap sync` with GitHub, which speaks for the one remote repository
    /// whatever the worktree) and its lock.
    #[must_use]
    pub fn shared_dir(&self) -> PathBuf {
        self.common_dir.join("roadmap")
    }

    /// `remote.db` files linked worktrees kept in their own git dirs before the state was
    /// shared (see [`RepoDirs::shared_dir`]), to be adopted.
    #[must_use]
    pub fn worktree_remote_dbs(&self) -> Vec<PathBuf> {
        let Ok(worktrees) = std::fs::read_dir(self.common_dir.join("worktrees")) else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = worktrees
            .flatten()
            .map(|entry| entry.path().join("roadmap").join("remote.db"))
            .filter(|db| db.is_file())
            .collect();
        found.sort();
        found
    }

    /// Whether a rebase is replaying commits in this worktree. `git am` keeps its state in
    /// `rebase-apply` too, marked by an `applying` file (as git's own status reads it): that is
    /// no rebase, and no post-rewrite will follow it.
    #[must_use]
    pub fn rebase_in_progress(&self) -> bool {
        let apply = self.git_dir.join("rebase-apply");
        self.git_dir.join("rebase-merge").is_dir()
            || (apply.is_dir() && !apply.join("applying").exists())
    }
}

pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}
