//! The one way in: a [`Workspace`] is one worktree of one repository, found once exactly as
//! git finds it, and the only owner of its folders, the sync lock, the cache and the pending
//! local writes. Queries, writes, hooks, `roadmap-hooks` commands and the GitHub sync all start
//! here, so "which repository, under which lock, and may this write?" has one answer.
//!
//! - [`discover`]: the repository as git finds it (no git process, no libgit2).
//! - [`lock`] (`crate::lock`, below every layer that takes it): who waits how long for the
//!   sync lock; nothing below the workspace takes it.
//! - [`freshness`]: the self-healing check of queries (HEAD and pending writes vs the cache).
//! - [`pending`] (`crate::pending`, read by the sync too): local writes HEAD does not hold
//!   yet, and the rule for when a row shows them.
//!
//! Dependencies point down: [`RepoDirs`] (`crate::repo_dirs`), the lock and the pending records
//! sit below `git`, `cache` and `sync`, which take them as arguments and never reach up here.
//! - [`write`]: compare-and-swap writes of issue files, then the cache in step; `files` puts
//!   each change on disk.
//! - [`worktree`]: changes others made in the working tree, found by stat data, recorded as
//!   pending writes.
//! - [`remove_cache`]: what `uninstall` removes of the cache folder, and what it keeps.

pub mod discover;
mod files;
pub mod freshness;
pub mod remove_cache;
pub mod tracker_lock;
pub mod worktree;
pub mod write;

pub use crate::lock::{self, LockError, LockPurpose, SyncLock};
pub use crate::pending;
pub use crate::repo_dirs::RepoDirs;
pub use discover::DiscoverError;

use crate::cache::Cache;
use crate::git::{GitError, GitRepo, ObjectFormat};
use crate::sync::{self, SyncError, SyncOutcome, SyncRequest};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

/// One worktree of a repository, with its cache.
pub struct Workspace {
    dirs: RepoDirs,
    repo: OnceCell<GitRepo>,
}

impl Workspace {
    /// Finds the repository of this process: the current directory and git's environment.
    pub fn discover() -> Result<Self, DiscoverError> {
        let cwd = std::env::current_dir()
            .map_err(|e| DiscoverError::NotARepository(format!("the current directory ({e})")))?;
        Self::discover_from(&cwd)
    }

    /// Finds the repository as `git -C start` would.
    pub fn discover_from(start: &Path) -> Result<Self, DiscoverError> {
        Ok(Workspace {
            dirs: discover::discover(&crate::repo_dirs::absolute(start))?,
            repo: OnceCell::new(),
        })
    }

    /// [`Workspace::discover_from`] `start` when given, else [`Workspace::discover`].
    pub fn discover_at(start: Option<&Path>) -> Result<Self, DiscoverError> {
        match start {
            Some(start) => Self::discover_from(start),
            None => Self::discover(),
        }
    }

    #[must_use]
    pub fn dirs(&self) -> &RepoDirs {
        &self.dirs
    }

    #[must_use]
    pub fn work_dir(&self) -> &Path {
        &self.dirs.work_dir
    }

    #[must_use]
    pub fn cache_dir(&self) -> PathBuf {
        self.dirs.cache_dir()
    }

    /// The repository, opened on first use: queries whose cache is current never open it.
    pub fn repo(&self) -> Result<&GitRepo, GitError> {
        if let Some(repo) = self.repo.get() {
            return Ok(repo);
        }
        let repo = GitRepo::open(&self.dirs)?;
        Ok(self.repo.get_or_init(|| repo))
    }

    /// git's `user.name` for this repository (its config, then the user's), as the tracker
    /// reads it for the assignee of a new issue.
    #[must_use]
    pub fn git_user_name(&self) -> Option<String> {
        let local = git2::Config::open(&self.dirs.common_dir.join("config"))
            .ok()
            .and_then(|c| c.get_string("user.name").ok());
        local.or_else(|| {
            git2::Config::open_default()
                .ok()
                .and_then(|c| c.get_string("user.name").ok())
        })
    }

    /// The hash the repository names objects by, from its config (no repository opened).
    #[must_use]
    pub fn object_format(&self) -> ObjectFormat {
        match self.repo.get() {
            Some(repo) => repo.format(),
            None => crate::git::repo::object_format(&self.dirs.common_dir),
        }
    }

    /// git's id of a blob holding `bytes`, in this repository's hash.
    #[must_use]
    pub fn blob_id(&self, bytes: &[u8]) -> String {
        self.object_format().blob_id(bytes)
    }

    /// Takes the lock for `purpose`, waiting as long as the policy in [`lock`] says. `Ok(None)`
    /// when another process still holds it after that.
    pub fn lock(&self, purpose: LockPurpose) -> Result<Option<SyncLock>, LockError> {
        let dir = if purpose.is_shared() {
            self.dirs.shared_dir()
        } else {
            self.cache_dir()
        };
        let path = dir.join(purpose.file_name());
        lock::take(&path, purpose).map_err(|source| LockError { path, source })
    }

    /// Brings the cache up to HEAD (and the pending writes), under the lock for `purpose`.
    pub fn sync(
        &self,
        request: &SyncRequest,
        purpose: LockPurpose,
    ) -> Result<SyncOutcome, SyncError> {
        self.sync_reusing(request, purpose, None)
    }

    /// [`Workspace::sync`], reusing the cache a caller `opened` to check it before, when it is
    /// still the live generation once the lock is held (see [`Cache::reopen_for_sync`]).
    pub fn sync_reusing(
        &self,
        request: &SyncRequest,
        purpose: LockPurpose,
        opened: Option<Cache>,
    ) -> Result<SyncOutcome, SyncError> {
        let Some(lock) = self.lock(purpose)? else {
            return Ok(SyncOutcome::LockBusy);
        };
        sync::sync_reusing(&self.dirs, self.repo()?, &lock, request, opened)
    }

    /// Builds the order indexes a large rebuild left out, one per hold of the sync lock (see
    /// [`sync::order_index_builder`]): what the detached builder runs.
    pub fn build_order_indexes(&self) -> Result<(), SyncError> {
        sync::order_index_builder::build(&self.dirs, self.repo()?, || {
            self.lock(LockPurpose::Sync).ok().flatten()
        })
    }
}
