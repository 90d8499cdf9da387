//! The detached process that builds the order indexes a large rebuild left out (see
//! [`crate::cache::order_indexes`]), so the rebuild's rows are visible, and the hook or
//! `roadmap-hooks sync` that rebuilt is done, about a second sooner at 100k issues.
//!
//! One index at a time, each under the sync lock and in a transaction of its own: a hook or
//! query that needs the lock meanwhile waits for one index (0.1-0.2 s at 100k), not for all.
//! Before it lets the lock go, the builder brings the cache to HEAD, as any holder does (a
//! hook that gave up waiting left that to it). Killed half way, it leaves whole indexes and
//! missing ones: every sync looks for missing ones and starts a builder again.
//! At most one runs per cache: it holds `order-index-builder.lock` for its whole life.

use super::{SyncError, SyncRequest};
use crate::cache::Cache;
use crate::git::GitRepo;
use crate::lock::SyncLock;
use crate::repo_dirs::RepoDirs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The hidden subcommand of `roadmap-hooks` that runs the builder.
pub const SUBCOMMAND: &str = "build-order-indexes";

/// Set (to anything) to start no builder: the order indexes stay missing until a process
/// without it syncs. For tests of the lists' plans without those indexes.
pub const NO_BUILDER_VARIABLE: &str = "ROADMAP_HOOKS_NO_INDEX_BUILDER";

fn builder_lock(cache_dir: &Path) -> PathBuf {
    cache_dir.join("order-index-builder.lock")
}

/// Starts a detached builder when `live` lacks an order index and no builder runs. Best
/// effort: a builder that cannot start is started again by the next sync.
pub(super) fn start_if_needed(dirs: &RepoDirs, live: &Cache) {
    let missing = live.missing_order_indexes().is_ok_and(|m| !m.is_empty());
    if missing && std::env::var_os(NO_BUILDER_VARIABLE).is_none() && !running(&dirs.cache_dir()) {
        let _ = spawn_detached(&dirs.work_dir);
    }
}

/// Whether a builder runs for the cache in `cache_dir` now (holds its lock).
#[must_use]
pub fn running(cache_dir: &Path) -> bool {
    matches!(
        SyncLock::acquire(&builder_lock(cache_dir), Duration::ZERO),
        Ok(None)
    )
}

fn spawn_detached(work_dir: &Path) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    // Only the `roadmap` binary runs the builder (a test binary given this subcommand would
    // run its tests instead).
    if exe.file_name().is_none_or(|name| name != "roadmap") {
        return Ok(());
    }
    // At the worktree's top, where git runs hooks, in the caller's environment (a hook's
    // `GIT_DIR` among it), so it finds the same repository even for `-C DIR`.
    crate::detached::spawn_program(&exe, &[SUBCOMMAND], Some(work_dir))
}

/// Builds every missing order index of the worktree at `dirs`, one per hold of the lock that
/// `lock` takes (`None`: busy past its wait, and the builder stops; the next sync starts
/// another). Returns at once when another builder runs.
pub fn build(
    dirs: &RepoDirs,
    repo: &GitRepo,
    mut lock: impl FnMut() -> Option<SyncLock>,
) -> Result<(), SyncError> {
    let cache_dir = dirs.cache_dir();
    let Some(_alone) =
        SyncLock::acquire(&builder_lock(&cache_dir), Duration::ZERO).map_err(|source| {
            crate::cache::CacheError::Io {
                path: builder_lock(&cache_dir),
                source,
            }
        })?
    else {
        return Ok(());
    };
    loop {
        // `roadmap-hooks uninstall` removed the cache folder: taking the lock would make it
        // again.
        if !cache_dir.is_dir() {
            return Ok(());
        }
        let Some(held) = lock() else {
            return Ok(());
        };
        let (Some(mut cache), _) = Cache::open_for_sync(&cache_dir)? else {
            return Ok(());
        };
        let built = cache.build_next_order_index(&held)?;
        drop(cache);
        if built.is_some() {
            super::pause_for_tests("order-index-built");
        }
        super::sync(
            dirs,
            repo,
            &held,
            &SyncRequest {
                full: false,
                progress: false,
            },
        )?;
        if built.is_none() {
            return Ok(());
        }
    }
}
