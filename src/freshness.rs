//! The self-healing check of queries: hooks can be missed (installed late, `--no-verify`,
//! `git reset`, other tools), so every query compares HEAD, read from the ref files, with the
//! cache's last synced commit, and syncs first when they differ. No diff, no directory walk.

use crate::cache::{Cache, CacheError};
use crate::git::{RepoDirs, read_head_stamp};
use crate::sync::{self, SyncOutcome, SyncRequest, short};
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
    let cache = match Cache::open_existing(&dirs.cache_path()) {
        Err(CacheError::Missing(_)) => return Err(FreshnessError::NoCache),
        other => other?,
    };
    let mut warnings = Vec::new();
    let head = read_head_stamp(&dirs);
    let last = cache.last_synced_commit()?;
    if head.as_synced_commit().is_some() && head.as_synced_commit() == last.as_deref() {
        return Ok(FreshCache { cache, warnings });
    }
    if no_sync {
        let head_text = head
            .as_synced_commit()
            .map_or("unknown".to_owned(), |h| short(h).to_owned());
        warnings.push(format!(
            "warning: the cache holds {} but HEAD is {head_text}; showing it anyway (--no-sync)",
            short(last.as_deref().unwrap_or("nothing")),
        ));
        return Ok(FreshCache { cache, warnings });
    }
    let repo = Repository::open(&dirs.git_dir)?;
    let request = SyncRequest {
        full: false,
        lock_wait: QUERY_LOCK_WAIT,
    };
    match sync::sync(&repo, &request)? {
        SyncOutcome::Synced(reports) => {
            if let Some(reason) = reports.iter().find_map(|r| r.rebuilt.as_ref()) {
                warnings.push(format!(
                    "warning: rebuilt the issue cache from HEAD ({reason})"
                ));
            }
        }
        SyncOutcome::UpToDate { .. } => {}
        SyncOutcome::LockBusy => {
            warnings.push(
                "warning: another sync is still running; showing the cache as it was".to_owned(),
            );
        }
    }
    // The connection opened above reads the new state on its next query (WAL).
    Ok(FreshCache { cache, warnings })
}
