//! The self-healing check of queries: hooks can be missed (installed late, `--no-verify`,
//! `git reset`, other tools), so every query compares HEAD, read from the ref files, with the
//! cache's last synced commit, and the pending writes with what the cache applied; it syncs
//! first when either differs. No diff, no directory walk, no git process.

use super::pending::PendingWrites;
use super::{LockPurpose, Workspace};
use crate::cache::{Cache, CacheError, meta};
use crate::git::read_head_stamp;
use crate::sync::{self, SyncOutcome, SyncRequest, short};

#[derive(Debug, thiserror::Error)]
pub enum FreshnessError {
    #[error("no issue cache for this repository yet")]
    NoCache,
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Sync(#[from] sync::SyncError),
}

/// A cache ready to query, and the warnings to print on stderr before the answer.
pub struct FreshCache {
    pub cache: Cache,
    pub warnings: Vec<String>,
}

impl Workspace {
    /// Opens the cache to answer a query: first, when `worktree` is asked for or the user opted
    /// in (`git config roadmap.worktree true`), records the working tree's changes to roadmap
    /// files (see [`super::worktree`]); then [`Workspace::open_fresh`].
    pub fn open_for_query(
        &self,
        no_sync: bool,
        worktree: bool,
    ) -> Result<FreshCache, FreshnessError> {
        let mut warnings = Vec::new();
        if !no_sync && (worktree || self.worktree_opt_in()) {
            let report = self.look_at_worktree(LockPurpose::Query)?;
            if report.lock_busy {
                warnings.push(
                    "warning: another sync held the lock; edits in the working tree are not shown yet"
                        .to_owned(),
                );
            }
        }
        let mut fresh = self.open_fresh(no_sync)?;
        warnings.append(&mut fresh.warnings);
        fresh.warnings = warnings;
        Ok(fresh)
    }

    /// Opens the cache to answer a query; syncs it first if HEAD moved or a pending write
    /// changed, unless `no_sync`, in which case a stale cache is answered from with a warning.
    pub fn open_fresh(&self, no_sync: bool) -> Result<FreshCache, FreshnessError> {
        match Cache::open_reader(&self.cache_dir()) {
            Ok(cache) => {
                let head = read_head_stamp(self.dirs());
                let last = cache.last_synced_commit()?;
                let head_synced =
                    head.as_synced_commit().is_some() && head.as_synced_commit() == last.as_deref();
                if head_synced && self.pending_applied(&cache)? {
                    return Ok(FreshCache {
                        cache,
                        warnings: Vec::new(),
                    });
                }
                if no_sync {
                    let head_text = head
                        .as_synced_commit()
                        .map_or("unknown".to_owned(), |h| short(h).to_owned());
                    let warning = if head_synced {
                        "warning: a file roadmap wrote was changed or discarded since; showing the cache as it was (--no-sync)"
                            .to_owned()
                    } else {
                        format!(
                            "warning: the cache holds {} but HEAD is {head_text}; showing it anyway (--no-sync)",
                            short(last.as_deref().unwrap_or("nothing")),
                        )
                    };
                    return Ok(FreshCache {
                        cache,
                        warnings: vec![warning],
                    });
                }
            }
            // A new linked worktree of a repository that uses roadmap-hooks builds its own cache.
            Err(CacheError::Missing(_)) if !no_sync && self.opted_in() => {}
            Err(CacheError::Missing(_)) => return Err(FreshnessError::NoCache),
            // Built by another version of roadmap-hooks, or damaged: the sync rebuilds it.
            Err(CacheError::Outdated { .. } | CacheError::Damaged { .. }) if !no_sync => {}
            Err(other) => return Err(other.into()),
        }
        let warnings = self.sync_for_query(false)?;
        // Opened again: a rebuild makes a new generation file.
        Ok(FreshCache {
            cache: Cache::open_reader(&self.cache_dir())?,
            warnings,
        })
    }

    /// Whether `cache`, opened by [`Workspace::open_fresh`], still shows HEAD and the pending
    /// writes: nothing moved HEAD or changed a pending write since (the check `open_fresh`
    /// makes before it answers from the cache as it is).
    pub fn still_fresh(&self, cache: &Cache) -> Result<bool, CacheError> {
        let head = read_head_stamp(self.dirs());
        let last = cache.last_synced_commit()?;
        Ok(head.as_synced_commit().is_some()
            && head.as_synced_commit() == last.as_deref()
            && self.pending_applied(cache)?)
    }

    /// Rebuilds the cache from HEAD and opens it: the cure for a damaged page a query ran into.
    pub fn rebuild_damaged(&self, damage: &CacheError) -> Result<FreshCache, FreshnessError> {
        let mut warnings = self.sync_for_query(true)?;
        warnings.push(format!(
            "warning: rebuilt the issue cache from HEAD (a query found it damaged: {damage})"
        ));
        Ok(FreshCache {
            cache: Cache::open_reader(&self.cache_dir())?,
            warnings,
        })
    }

    /// Builds the full-text index for `roadmap search` if the cache has none yet (once per
    /// generation), under the lock: it writes the cache.
    pub fn ensure_text_index(&self, cache: &mut Cache) -> Result<(), CacheError> {
        let lock = self
            .lock(LockPurpose::Query)
            .map_err(|e| CacheError::Io {
                path: e.path,
                source: e.source,
            })?
            .ok_or_else(|| CacheError::Io {
                path: self.cache_dir().join(LockPurpose::Query.file_name()),
                source: std::io::Error::other(format!(
                    "another sync held the lock for {} s; the search index is built on the first search",
                    LockPurpose::Query.wait().as_secs()
                )),
            })?;
        cache.ensure_text_index(&lock)
    }

    /// Whether the cache applied exactly the pending writes on disk, and each still holds: a
    /// file read that fails at once when there are none, and a `stat` per record otherwise.
    fn pending_applied(&self, cache: &Cache) -> Result<bool, CacheError> {
        let pending = PendingWrites::load(&self.cache_dir());
        let applied = cache.metadata(meta::PENDING_APPLIED)?.unwrap_or_default();
        Ok(applied == pending.digest() && pending.all_hold(self.work_dir()))
    }

    /// Whether this repository already uses roadmap-hooks: the main worktree has a cache, or our
    /// hooks are installed. A worktree without a cache of its own then gets one on first use.
    fn opted_in(&self) -> bool {
        let dirs = self.dirs();
        let main_cache = dirs.common_dir.join("roadmap").join("current");
        let hook = std::fs::read_to_string(dirs.common_dir.join("hooks").join("post-checkout"))
            .unwrap_or_default();
        (dirs.common_dir != dirs.git_dir && main_cache.exists())
            || hook.contains("# >>> roadmap-hooks")
    }

    fn sync_for_query(&self, full: bool) -> Result<Vec<String>, FreshnessError> {
        let request = SyncRequest {
            full,
            progress: true,
        };
        Ok(match self.sync(&request, LockPurpose::Query)? {
            SyncOutcome::Synced(reports) if !full => reports
                .iter()
                .find_map(|r| {
                    r.rebuilt
                        .as_ref()
                        .filter(|reason| reason.is_worth_a_warning())
                })
                .map(|reason| format!("warning: rebuilt the issue cache from HEAD ({reason})"))
                .into_iter()
                .collect(),
            SyncOutcome::Synced(_) | SyncOutcome::UpToDate { .. } => Vec::new(),
            SyncOutcome::LockBusy => {
                vec![
                    "warning: another sync is still running; showing the cache as it was"
                        .to_owned(),
                ]
            }
        })
    }
}
