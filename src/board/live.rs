//! Live updates: one thread watches the cache and tells every open page when it changed.
//!
//! The hooks sync the cache after each commit, checkout, merge and rewrite; a `roadmap` write
//! records its row at once. Either moves what the watcher polls every 200 ms: the live
//! generation file (a rebuild makes a new one), the last synced commit and the digest of the
//! pending writes applied. Reading those is a few small reads with no lock taken, so the
//! watcher never makes a hook wait. Only when HEAD has differed from the cache for a whole
//! second (no hooks installed, `--no-verify`, another tool moved HEAD) does it run the
//! queries' self-healing sync, as `roadmap list` would. Pages hear of a change by server-sent
//! events ([`Live::wait_past`] in each event stream's thread) and refetch what they show.

use crate::cache::meta;
use crate::workspace::Workspace;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often the watcher looks.
pub const POLL: Duration = Duration::from_millis(200);
/// How long HEAD may differ from the cache before the watcher syncs itself: hooks normally
/// finish well within it.
const HOOK_GRACE: Duration = Duration::from_secs(1);

/// The board's view of the cache's changes: a number that goes up with each one.
#[derive(Default)]
pub struct Live {
    generation: Mutex<u64>,
    changed: Condvar,
    /// A page asked for a text search: the watcher builds the search index if it is missing.
    pub text_wanted: AtomicBool,
    /// The search index is missing and being built.
    pub index_building: AtomicBool,
}

impl Live {
    /// The number of changes seen so far.
    #[must_use]
    pub fn generation(&self) -> u64 {
        *self.generation.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until the generation is past `seen`, at most `timeout`; returns the generation.
    #[must_use]
    pub fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let guard = self.generation.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |generation| *generation <= seen)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }

    fn bump(&self) {
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.changed.notify_all();
    }
}

/// What the watcher compares between two looks.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    generation_file: std::path::PathBuf,
    last_synced_commit: Option<String>,
    pending_applied: Option<String>,
    text_index: Option<String>,
}

/// The watcher's state between looks.
pub struct Watcher {
    last: Option<Stamp>,
    stale_since: Option<Instant>,
    reported: bool,
}

impl Watcher {
    /// Takes the first look, before the board answers anything: a change made between the
    /// first page and the watcher's first look would otherwise never be told.
    #[must_use]
    pub fn start(workspace: &Workspace, live: &Live) -> Self {
        let mut watcher = Watcher {
            last: None,
            stale_since: None,
            reported: false,
        };
        watcher.look_again(workspace, live);
        watcher
    }

    /// Watches the cache of `workspace` for ever, bumping `live` on each change.
    pub fn run(mut self, workspace: &Workspace, live: &Live) -> ! {
        loop {
            std::thread::sleep(POLL);
            self.look_again(workspace, live);
        }
    }

    fn look_again(&mut self, workspace: &Workspace, live: &Live) {
        match look(workspace, live, &mut self.stale_since) {
            Ok(stamp) => {
                self.reported = false;
                if self.last.as_ref().is_some_and(|last| *last != stamp) {
                    live.bump();
                }
                self.last = Some(stamp);
            }
            Err(error) if !self.reported => {
                self.reported = true;
                eprintln!("roadmap serve: warning: {error}");
            }
            Err(_) => {}
        }
    }
}

/// One look: the stamp of the cache as it is, after the self-healing sync or the search index
/// when they are due.
fn look(
    workspace: &Workspace,
    live: &Live,
    stale_since: &mut Option<Instant>,
) -> Result<Stamp, String> {
    // `no_sync`: no lock; a warning says the cache is behind HEAD or the pending writes.
    let fresh = workspace.open_fresh(true).map_err(|e| e.to_string())?;
    let mut cache = if fresh.warnings.is_empty() {
        *stale_since = None;
        fresh.cache
    } else {
        let since = *stale_since.get_or_insert_with(Instant::now);
        if since.elapsed() < HOOK_GRACE {
            fresh.cache
        } else {
            drop(fresh);
            *stale_since = None;
            workspace
                .open_fresh(false)
                .map_err(|e| e.to_string())?
                .cache
        }
    };
    let text_index = cache
        .metadata(meta::TEXT_INDEX)
        .map_err(|e| e.to_string())?;
    if text_index.is_none() && live.text_wanted.load(Ordering::Relaxed) {
        live.index_building.store(true, Ordering::Relaxed);
        live.bump();
        let built = workspace.ensure_text_index(&mut cache);
        live.index_building.store(false, Ordering::Relaxed);
        built.map_err(|e| e.to_string())?;
    }
    Ok(Stamp {
        generation_file: cache.path().to_owned(),
        last_synced_commit: cache.last_synced_commit().map_err(|e| e.to_string())?,
        pending_applied: cache
            .metadata(meta::PENDING_APPLIED)
            .map_err(|e| e.to_string())?,
        text_index: cache
            .metadata(meta::TEXT_INDEX)
            .map_err(|e| e.to_string())?,
    })
}
