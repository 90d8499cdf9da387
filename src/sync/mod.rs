//! The sync: brings the cache to the roadmap files of HEAD, in one transaction, under the lock.
//!
//! Incremental when the cache knows a commit that still exists: diff that commit's tree
//! against HEAD's (only the roadmap folders) and rewrite just the changed rows. Otherwise a
//! full rebuild from HEAD's tree, with the reason reported. Contents always come from the
//! commit's blobs, never the working tree, so the cache is exactly HEAD's state.

pub mod at_commit;
mod incremental;
mod local_writes;
pub mod order_index_builder;
mod reader;
mod rebuild;
mod store;
mod tree_snapshots;

use crate::cache::{Cache, CacheError, meta};
use crate::git::{self, GitError, GitRepo};
use crate::lines::{Line, Reader};
use crate::lock::{LockError, SyncLock};
use crate::repo_dirs::RepoDirs;
use incremental::{apply, plan_incremental};
use local_writes::apply_pending;
pub(crate) use rebuild::read_in_parallel;
use rebuild::rebuild;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tree_snapshots::TreeSnapshots;

/// How a caller wants the sync run.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// Rebuild from HEAD even if an incremental sync is possible.
    pub full: bool,
    /// Show a progress line on stderr during a rebuild that takes over a second, when stderr
    /// is a terminal. Hooks leave it off: they are silent on success.
    pub progress: bool,
}

/// Why a sync rebuilt the whole cache instead of applying a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildReason {
    FirstSync,
    Requested,
    /// The last synced commit is no longer in the object database (rebase + gc, shallow clone).
    CommitGone(String),
    /// The diff could not be computed; the text is git's error.
    DiffFailed(String),
    /// The cache file was damaged and was created again.
    Damaged(String),
    /// The commit follows another tracker line than the cache's rows (a `roadmap migrate`
    /// commit, or a checkout across one).
    LineChanged {
        from: Option<Line>,
        to: Line,
    },
    /// So many files changed that building the cache afresh costs less than the diff.
    LargeDiff {
        changed: usize,
        rows: usize,
    },
}

impl RebuildReason {
    /// Whether the user hears of it: a first sync and a large diff are routine.
    #[must_use]
    pub fn is_worth_a_warning(&self) -> bool {
        !matches!(
            self,
            RebuildReason::FirstSync | RebuildReason::LargeDiff { .. }
        )
    }
}

impl fmt::Display for RebuildReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RebuildReason::FirstSync => f.write_str("first sync"),
            RebuildReason::Requested => f.write_str("full rebuild requested"),
            RebuildReason::CommitGone(id) => write!(
                f,
                "last synced commit {} is no longer in the repository",
                short(id)
            ),
            RebuildReason::DiffFailed(error) => {
                write!(f, "could not diff against the last synced commit: {error}")
            }
            RebuildReason::Damaged(note) => f.write_str(note),
            RebuildReason::LineChanged { from, to } => match from {
                Some(from) => write!(
                    f,
                    "the workspace moved from the {} to the {}",
                    from.describe(),
                    to.describe()
                ),
                None => write!(
                    f,
                    "the cache does not say which tracker line it read; HEAD follows the {}",
                    to.describe()
                ),
            },
            RebuildReason::LargeDiff { changed, rows } => write!(
                f,
                "{changed} files changed, against {rows} in the cache: a rebuild is cheaper"
            ),
        }
    }
}

/// What one sync pass did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncReport {
    /// The commit now in the cache; empty for an unborn HEAD.
    pub commit: String,
    /// `Some` when the cache was rebuilt from scratch.
    pub rebuilt: Option<RebuildReason>,
    pub added: usize,
    pub modified: usize,
    pub deleted: usize,
    /// Deleted and added with the same content, counted once here and not as added/deleted.
    pub renamed: usize,
    /// Local writes found discarded, whose paths got the last synced commit's content back.
    pub restored: usize,
    /// Files read in this pass that are not valid issues: `(path, error)`.
    pub invalid: Vec<(String, String)>,
}

/// How a sync ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The cache already held HEAD.
    UpToDate { commit: String },
    /// One or more passes ran (HEAD may move while a sync runs); the last pass is reported.
    Synced(Vec<SyncReport>),
    /// Another process held the lock for the whole wait; it will pick up HEAD itself.
    LockBusy,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("git: {0}")]
    Git(#[from] GitError),
    #[error("reading {path} in the working tree: {source}")]
    WorkingTree {
        path: String,
        source: std::io::Error,
    },
    #[error("saving the pending writes in {path}: {source}")]
    Pending {
        path: String,
        source: std::io::Error,
    },
    #[error("reading {path} at {commit}: {source}")]
    Blob {
        path: String,
        commit: String,
        source: GitError,
    },
}

impl From<git2::Error> for SyncError {
    fn from(error: git2::Error) -> Self {
        SyncError::Git(error.into())
    }
}

/// How many times one sync follows HEAD when it moves during the sync, before leaving the rest
/// to the next hook or query.
const MAX_PASSES: usize = 5;

/// Brings the cache of the worktree at `dirs` (its repository opened as `repo`) up to HEAD,
/// then applies the pending local writes (see [`crate::pending`]). The caller holds the sync
/// lock; the workspace, which owns all three, is the one caller.
pub fn sync(
    dirs: &RepoDirs,
    repo: &GitRepo,
    lock: &SyncLock,
    request: &SyncRequest,
) -> Result<SyncOutcome, SyncError> {
    sync_reusing(dirs, repo, lock, request, None)
}

/// [`sync`], with the live generation `opened` before the lock was taken, if any (see
/// [`Cache::reopen_for_sync`]).
pub fn sync_reusing(
    dirs: &RepoDirs,
    repo: &GitRepo,
    lock: &SyncLock,
    request: &SyncRequest,
    opened: Option<Cache>,
) -> Result<SyncOutcome, SyncError> {
    crate::git::revisions::trust_object_database();
    rebuild::bound_pack_mappings();
    let cache_dir = dirs.cache_dir();
    let (mut cache, unusable) = match opened {
        Some(opened) => opened.reopen_for_sync(&cache_dir)?,
        None => Cache::open_for_sync(&cache_dir)?,
    };
    let mut forced = match (&cache, unusable) {
        (_, Some(why)) => Some(RebuildReason::Damaged(why)),
        (None, None) => Some(RebuildReason::FirstSync),
        (Some(_), None) => request.full.then_some(RebuildReason::Requested),
    };
    let mut reports = Vec::new();
    for _ in 0..MAX_PASSES {
        // Re-read HEAD on every pass: a writer that waited for the lock must see the newest HEAD.
        let head = repo.head()?;
        let head_id = head.map(|id| id.to_string()).unwrap_or_default();
        let last = match &cache {
            Some(cache) => cache.metadata(meta::LAST_SYNCED_COMMIT)?,
            None => None,
        };
        if forced.is_none() && last.as_deref() == Some(head_id.as_str()) {
            break;
        }
        let mut trees = TreeSnapshots::at_head(&cache_dir, dirs.git_dir.join("index"));
        let line = reader::line_at(repo, head, &head_id, &dirs.work_dir)?;
        let mut reader = Reader::new(line);
        let plan = match (forced.take(), cache.as_mut()) {
            (None, Some(live)) => same_line(live, line)
                .and_then(|()| plan_incremental(repo, last.as_deref(), head, &mut trees))
                .and_then(|changes| {
                    cheaper_as_rebuild(live, &changes)?;
                    Ok((live, changes))
                }),
            (reason, _) => Err(reason.unwrap_or(RebuildReason::FirstSync)),
        };
        // A damaged page met while applying the diff is cured like a damaged file: rebuild.
        let plan =
            match plan.map(|(live, changes)| apply(repo, &mut reader, live, changes, &head_id)) {
                Ok(Err(SyncError::Cache(error))) if error.is_damage() => {
                    Err(RebuildReason::Damaged(error.to_string()))
                }
                other => other,
            };
        let report = match plan {
            Ok(applied) => {
                let report = applied?;
                trees.save();
                report
            }
            Err(reason) => {
                let (rebuilt, report) = rebuild(
                    repo,
                    &mut reader,
                    &cache_dir,
                    head,
                    &head_id,
                    reason,
                    request.progress,
                )?;
                cache = Some(rebuilt);
                report
            }
        };
        reports.push(report);
    }
    if let Some(live) = cache.as_mut() {
        order_index_builder::start_if_needed(dirs, live);
        let restored = apply_pending(repo, live, dirs, lock)?;
        if restored > 0 {
            let commit = last_synced(Some(live))?;
            reports.push(SyncReport {
                commit,
                restored,
                ..SyncReport::default()
            });
        }
    }
    Ok(if reports.is_empty() {
        SyncOutcome::UpToDate {
            commit: last_synced(cache.as_ref())?,
        }
    } else {
        SyncOutcome::Synced(reports)
    })
}

/// `Err(LineChanged)` when the cache's rows were read under another line than `line`, HEAD's.
fn same_line(cache: &Cache, line: Line) -> Result<(), RebuildReason> {
    let cached =
        reader::cached_line(cache).map_err(|e| RebuildReason::DiffFailed(e.to_string()))?;
    if cached == Some(line) {
        return Ok(());
    }
    Err(RebuildReason::LineChanged {
        from: cached,
        to: line,
    })
}

/// Below this many changed files a diff is always applied: a rebuild has a fixed cost (a new
/// generation file, its indexes) that small diffs never repay.
const LARGE_DIFF: usize = 2_000;

/// `Err(LargeDiff)` when rebuilding costs less than applying `changes`. Applying a file costs
/// about twice what a rebuild spends on one (the live database's indexes and journal against a
/// fresh file written once; 1.7 s against 0.8 s for 20,000 files), so a diff that touches over
/// half as many files as the cache will hold after it is rebuilt instead.
fn cheaper_as_rebuild(cache: &Cache, changes: &[git::TreeChange]) -> Result<(), RebuildReason> {
    if changes.len() < LARGE_DIFF {
        return Ok(());
    }
    let rows = cache.file_count().unwrap_or(usize::MAX);
    let (added, deleted) = changes.iter().fold((0, 0), |(a, d), c| match c {
        git::TreeChange::Added { .. } => (a + 1, d),
        git::TreeChange::Deleted { .. } => (a, d + 1),
        git::TreeChange::Modified { .. } | git::TreeChange::NameNotUtf8 { .. } => (a, d),
    });
    let rows_after = rows.saturating_add(added).saturating_sub(deleted);
    if changes.len().saturating_mul(2) > rows_after {
        return Err(RebuildReason::LargeDiff {
            changed: changes.len(),
            rows,
        });
    }
    Ok(())
}

fn last_synced(cache: Option<&Cache>) -> Result<String, SyncError> {
    Ok(match cache {
        Some(cache) => cache
            .metadata(meta::LAST_SYNCED_COMMIT)?
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Crash-safety tests only (`tests/test_reliability.rs`): with `ROADMAP_HOOKS_TEST_PAUSE=POINT`
/// a sync that reaches POINT says so on stderr and sleeps until it is killed. POINT is `row-N`
/// (N files written, not committed), `written` (every file written, not committed) or
/// `committed` (a rebuilt generation committed, not yet live). `panic-POINT` panics there
/// instead (what a hook leaves in its log then: `tests/test_multicall.rs`). Unset, it costs an
/// atomic load.
pub(crate) fn pause_for_tests(point: &str) {
    static WANTED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    static ROWS: AtomicUsize = AtomicUsize::new(0);
    let Some(wanted) = WANTED.get_or_init(|| std::env::var("ROADMAP_HOOKS_TEST_PAUSE").ok()) else {
        return;
    };
    if let Some(panic_point) = wanted.strip_prefix("panic-") {
        if panic_point == point {
            panic!("test panic at {point}");
        }
        return;
    }
    let reached = match wanted.strip_prefix("row-") {
        Some(n) if point == "row" => n.parse() == Ok(ROWS.fetch_add(1, Ordering::Relaxed) + 1),
        _ => wanted == point,
    };
    if reached {
        eprintln!(
            "roadmap-hooks: test pause at {wanted} (pid {})",
            std::process::id()
        );
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
}

/// The reader of the files the cache holds (its line and milestone names), for a local write
/// that is checked and shown the way the next sync would read it.
pub fn reader_of_cache(cache: &Cache) -> Result<crate::lines::Reader, SyncError> {
    reader::cached_reader(cache)
}

/// The first 7 hex digits of a commit id, as git shows it.
#[must_use]
pub fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}
