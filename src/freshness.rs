//! The self-healing check of queries: hooks can be missed (installed late, `--no-verify`,
//! `git reset`, other tools), so every query compares HEAD, read from the ref files, with the
//! cache's last synced commit, and syncs first when they differ. No diff, no directory walk.

use crate::cache::{Cache, CacheError};
use crate::git::{RepoDirs, read_head_stamp};
use crate::sync::{self, RebuildReason, SyncOutcome, SyncRequest, short};
use git2::Repository;
use std::path::Path;
use std::time::Duration;

/// How long a query waits for a running sync before answering from the cache as it is.
const QUERY_LOCK_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum FreshnessError {
    #[error("not in a git repository: {0}")]
    NotARepository(String),
    #[error("no issue cache for this repository yet")]
    NoCache,
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Sync(#[from] sync::SyncError),
    #[error("opening the repository: {0}")]
    Git(#[from] git2::Error),
}

/// A cache ready to query, and the warnings to print on stderr before the answer.
pub struct FreshCache {
    pub cache: Cache,
    pub warnings: Vec<String>,
}

/// Opens the cache of the repository around `cwd`; syncs it first if HEAD moved, unless
/// `no_sync`, in which case a stale cache is answered from with a warning.
pub fn open(cwd: &Path, no_sync: bool) -> Result<FreshCache, FreshnessError> {
    let dirs = RepoDirs::discover(cwd)
        .ok_or_else(|| FreshnessError::NotARepository(cwd.display().to_string()))?;
    match Cache::open_reader(&dirs.cache_dir()) {
        Ok(cache) => {
            let head = read_head_stamp(&dirs);
            let last = cache.last_synced_commit()?;
            let head_synced =
                head.as_synced_commit().is_some() && head.as_synced_commit() == last.as_deref();
            if head_synced && !local_writes_discarded(&dirs, &cache)? {
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
        Err(CacheError::Missing(_)) if !no_sync && opted_in(&dirs) => {}
        Err(CacheError::Missing(_)) => return Err(FreshnessError::NoCache),
        // Built by another version of roadmap-hooks, or damaged: the sync rebuilds it.
        Err(CacheError::Outdated { .. } | CacheError::Damaged { .. }) if !no_sync => {}
        Err(other) => return Err(other.into()),
    }
    let warnings = sync_now(&dirs)?;
    // Opened again: a rebuild makes a new generation file.
    Ok(FreshCache {
        cache: Cache::open_reader(&dirs.cache_dir())?,
        warnings,
    })
}

/// Whether a file `roadmap` wrote was discarded since (`git checkout -- FILE`, `git stash`): then
/// the sync puts HEAD's content back. A `stat` per pending write; usually there are none.
fn local_writes_discarded(dirs: &RepoDirs, cache: &Cache) -> Result<bool, FreshnessError> {
    let pending = cache.pending_writes()?;
    Ok(match &dirs.work_dir {
        Some(work_dir) if !pending.is_empty() => crate::pending::any_discarded(work_dir, &pending),
        _ => false,
    })
}

/// Whether this repository already uses roadmap-hooks: the main worktree has a cache, or our
/// hooks are installed. A worktree without a cache of its own then gets one on first use.
fn opted_in(dirs: &RepoDirs) -> bool {
    let main_cache = dirs.common_dir.join("roadmap").join("current");
    let hook = std::fs::read_to_string(dirs.common_dir.join("hooks").join("post-checkout"))
        .unwrap_or_default();
    (dirs.common_dir != dirs.git_dir && main_cache.exists()) || hook.contains("# >>> roadmap-hooks")
}

/// Rebuilds the cache from HEAD and opens it: the cure for a damaged page that a query ran into.
pub fn rebuild(cwd: &Path) -> Result<Cache, FreshnessError> {
    let dirs = RepoDirs::discover(cwd)
        .ok_or_else(|| FreshnessError::NotARepository(cwd.display().to_string()))?;
    let repo = Repository::open(&dirs.git_dir)?;
    sync::sync(
        &repo,
        &SyncRequest {
            full: true,
            lock_wait: QUERY_LOCK_WAIT,
            progress: true,
        },
    )?;
    Ok(Cache::open_reader(&dirs.cache_dir())?)
}

fn sync_now(dirs: &RepoDirs) -> Result<Vec<String>, FreshnessError> {
    let repo = Repository::open(&dirs.git_dir)?;
    let request = SyncRequest {
        full: false,
        lock_wait: QUERY_LOCK_WAIT,
        progress: true,
    };
    Ok(match sync::sync(&repo, &request)? {
        SyncOutcome::Synced(reports) => reports
            .iter()
            .find_map(|r| {
                r.rebuilt
                    .as_ref()
                    .filter(|reason| **reason != RebuildReason::FirstSync)
            })
            .map(|reason| format!("warning: rebuilt the issue cache from HEAD ({reason})"))
            .into_iter()
            .collect(),
        SyncOutcome::UpToDate { .. } => Vec::new(),
        SyncOutcome::LockBusy => {
            vec!["warning: another sync is still running; showing the cache as it was".to_owned()]
        }
    })
}
