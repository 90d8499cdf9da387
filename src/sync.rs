//! The sync: brings the cache to the roadmap files of HEAD, in one transaction, under the lock.
//!
//! Incremental when the cache knows a commit that still exists: diff that commit's tree
//! against HEAD's (only the roadmap folders) and rewrite just the changed rows. Otherwise a
//! full rebuild from HEAD's tree, with the reason reported. Contents always come from the
//! commit's blobs, never the working tree, so the cache is exactly HEAD's state.

use crate::cache::query::PendingWrite;
use crate::cache::{Cache, CacheError, CacheTransaction, meta};
use crate::git::{self, RepoDirs, TreeChange};
use crate::issue::to_json;
use crate::lock::SyncLock;
use crate::pending;
use crate::record::Record;
use git2::{Oid, Repository, Tree};
use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How a caller wants the sync run.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// Rebuild from HEAD even if an incremental sync is possible.
    pub full: bool,
    /// How long to wait for another sync to finish before giving up.
    pub lock_wait: Duration,
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
    #[error("taking the sync lock {path}: {source}")]
    Lock {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("reading {path} in the working tree: {source}")]
    WorkingTree {
        path: String,
        source: std::io::Error,
    },
    #[error("reading {path} at {commit}: {source}")]
    Blob {
        path: String,
        commit: String,
        source: git2::Error,
    },
}

/// How many times one sync follows HEAD when it moves during the sync, before leaving the rest
/// to the next hook or query.
const MAX_PASSES: usize = 5;

/// Brings the cache of `repo`'s worktree up to HEAD.
pub fn sync(repo: &Repository, request: &SyncRequest) -> Result<SyncOutcome, SyncError> {
    // Objects come from git's own database, which git itself does not re-hash on read; doing it
    // here cost a fifth of a 1-file sync and a quarter of a rebuild.
    git2::opts::strict_hash_verification(false);
    let dirs = RepoDirs::of(repo);
    let cache_dir = dirs.cache_dir();
    let lock_path = cache_dir.join("sync.lock");
    let lock =
        SyncLock::acquire(&lock_path, request.lock_wait).map_err(|source| SyncError::Lock {
            path: lock_path.display().to_string(),
            source,
        })?;
    let Some(_lock) = lock else {
        return Ok(SyncOutcome::LockBusy);
    };
    let (mut cache, unusable) = Cache::open_for_sync(&cache_dir)?;
    let mut forced = match (&cache, unusable) {
        (_, Some(why)) => Some(RebuildReason::Damaged(why)),
        (None, None) => Some(RebuildReason::FirstSync),
        (Some(_), None) => request.full.then_some(RebuildReason::Requested),
    };
    // Local writes still pending survive a rebuild, which reads HEAD only.
    let carried = match &cache {
        Some(live) => live.pending_writes()?,
        None => Vec::new(),
    };
    let mut reports = Vec::new();
    for _ in 0..MAX_PASSES {
        // Re-read HEAD on every pass: a writer that waited for the lock must see the newest HEAD.
        let head = git::head_commit(repo)?;
        let head_id = head
            .as_ref()
            .map(|c| c.id().to_string())
            .unwrap_or_default();
        let last = match &cache {
            Some(cache) => cache.metadata(meta::LAST_SYNCED_COMMIT)?,
            None => None,
        };
        if forced.is_none() && last.as_deref() == Some(head_id.as_str()) {
            break;
        }
        let head_tree = head.as_ref().map(git2::Commit::tree).transpose()?;
        let plan = match (forced.take(), cache.as_mut()) {
            (None, Some(live)) => plan_incremental(repo, last.as_deref(), head_tree.as_ref())
                .map(|changes| (live, changes)),
            (reason, _) => Err(reason.unwrap_or(RebuildReason::FirstSync)),
        };
        // A damaged page met while applying the diff is cured like a damaged file: rebuild.
        let plan = match plan.map(|(live, changes)| apply(repo, live, changes, &head_id)) {
            Ok(Err(SyncError::Cache(error))) if error.is_damage() => {
                Err(RebuildReason::Damaged(error.to_string()))
            }
            other => other,
        };
        let report = match plan {
            Ok(applied) => applied?,
            Err(reason) => {
                let (mut rebuilt, report) = rebuild(
                    repo,
                    &cache_dir,
                    head_tree.as_ref(),
                    &head_id,
                    reason,
                    request.progress,
                )?;
                if let Some(work_dir) = &dirs.work_dir {
                    reapply_pending(&mut rebuilt, work_dir, &carried)?;
                }
                cache = Some(rebuilt);
                report
            }
        };
        reports.push(report);
    }
    if let (Some(live), Some(work_dir)) = (cache.as_mut(), &dirs.work_dir) {
        let restored = restore_discarded(repo, live, work_dir)?;
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

fn last_synced(cache: Option<&Cache>) -> Result<String, SyncError> {
    Ok(match cache {
        Some(cache) => cache
            .metadata(meta::LAST_SYNCED_COMMIT)?
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Puts back the last synced commit's version of every path whose local write was discarded
/// (`git checkout -- FILE`, `git stash`, `git reset --hard`); returns how many.
fn restore_discarded(
    repo: &Repository,
    cache: &mut Cache,
    work_dir: &Path,
) -> Result<usize, SyncError> {
    let discarded: Vec<PendingWrite> = cache
        .pending_writes()?
        .into_iter()
        .filter(|p| !pending::still_written(work_dir, p))
        .collect();
    if discarded.is_empty() {
        return Ok(0);
    }
    let last = last_synced(Some(cache))?;
    let tree = match Oid::from_str(&last) {
        Ok(id) => Some(repo.find_commit(id)?.tree()?),
        Err(_) => None,
    };
    let mut report = SyncReport::default();
    let mut tx = cache.transaction()?;
    for write in &discarded {
        let entry = tree
            .as_ref()
            .and_then(|t| t.get_path(Path::new(&write.path)).ok());
        match entry.filter(|e| e.kind() == Some(git2::ObjectType::Blob)) {
            Some(entry) => {
                let bytes = read_blob(repo, entry.id(), &write.path, &last)?;
                match Parsed::read(&write.path, &bytes) {
                    Some(parsed) => store(&mut tx, &write.path, entry.id(), &parsed, &mut report)?,
                    None => tx.remove(&write.path)?,
                }
            }
            None => tx.remove(&write.path)?,
        }
    }
    tx.commit_local()?;
    Ok(discarded.len())
}

/// Writes again, into a freshly rebuilt cache, the local writes the working tree still holds.
fn reapply_pending(
    cache: &mut Cache,
    work_dir: &Path,
    carried: &[PendingWrite],
) -> Result<(), SyncError> {
    let still: Vec<&PendingWrite> = carried
        .iter()
        .filter(|p| pending::still_written(work_dir, p))
        .collect();
    if still.is_empty() {
        return Ok(());
    }
    let mut report = SyncReport::default();
    let mut tx = cache.transaction()?;
    for write in still {
        if write.blob_oid.is_empty() {
            tx.remove(&write.path)?;
        } else {
            let bytes = std::fs::read(work_dir.join(&write.path)).map_err(|source| {
                SyncError::WorkingTree {
                    path: write.path.clone(),
                    source,
                }
            })?;
            let blob = Oid::from_str(&write.blob_oid)?;
            if let Some(parsed) = Parsed::read(&write.path, &bytes) {
                store(&mut tx, &write.path, blob, &parsed, &mut report)?;
            }
        }
        tx.record_pending(&write.path, &write.blob_oid, write.size, write.mtime_ns)?;
    }
    tx.commit_local()?;
    Ok(())
}

/// Diffs the last synced commit against HEAD, or says why a rebuild is needed instead.
fn plan_incremental(
    repo: &Repository,
    last: Option<&str>,
    head_tree: Option<&Tree>,
) -> Result<Vec<TreeChange>, RebuildReason> {
    let last = last.ok_or(RebuildReason::FirstSync)?;
    let old_tree = if last.is_empty() {
        None
    } else {
        let id = Oid::from_str(last).map_err(|_| RebuildReason::CommitGone(last.to_owned()))?;
        let commit = repo
            .find_commit(id)
            .map_err(|_| RebuildReason::CommitGone(last.to_owned()))?;
        Some(
            commit
                .tree()
                .map_err(|e| RebuildReason::DiffFailed(e.message().to_owned()))?,
        )
    };
    git::diff_roadmap_files(repo, old_tree.as_ref(), head_tree)
        .map_err(|e| RebuildReason::DiffFailed(e.message().to_owned()))
}

fn apply(
    repo: &Repository,
    cache: &mut Cache,
    changes: Vec<TreeChange>,
    head_id: &str,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport {
        commit: head_id.to_owned(),
        ..SyncReport::default()
    };
    let mut tx = cache.transaction()?;
    let mut deleted_blobs = HashSet::new();
    let mut written = Vec::new();
    // Deletions first, so a file moved onto a path another file left is written last.
    for change in changes {
        match change {
            TreeChange::Deleted { path, blob } => {
                tx.remove(&path)?;
                deleted_blobs.insert(blob);
                report.deleted += 1;
            }
            TreeChange::Added { path, blob } => written.push((path, blob, true)),
            TreeChange::Modified { path, blob } => written.push((path, blob, false)),
        }
    }
    for (path, blob, is_new) in &written {
        let bytes = read_blob(repo, *blob, path, head_id)?;
        if let Some(parsed) = Parsed::read(path, &bytes) {
            store(&mut tx, path, *blob, &parsed, &mut report)?;
        }
        // Renames are counted for the user; the row is rewritten either way, because a move
        // between folders can change the milestone or the archived flag.
        match (is_new, deleted_blobs.contains(blob)) {
            (true, true) => report.renamed += 1,
            (true, false) => report.added += 1,
            (false, _) => report.modified += 1,
        }
    }
    report.deleted -= report.renamed.min(report.deleted);
    pause_for_tests("written");
    tx.commit(head_id, "incremental")?;
    Ok(report)
}

/// Builds a new cache generation from HEAD's tree and makes it the live one.
fn rebuild(
    repo: &Repository,
    cache_dir: &std::path::Path,
    head_tree: Option<&Tree>,
    head_id: &str,
    reason: RebuildReason,
    progress: bool,
) -> Result<(Cache, SyncReport), SyncError> {
    let phases = Phases::start();
    let files: Vec<(String, Oid)> = git::diff_roadmap_files(repo, None, head_tree)?
        .into_iter()
        .filter_map(|change| match change {
            TreeChange::Added { path, blob } => Some((path, blob)),
            _ => None,
        })
        .collect();
    phases.mark("listed the files of HEAD");
    let mut report = SyncReport {
        commit: head_id.to_owned(),
        rebuilt: Some(reason),
        ..SyncReport::default()
    };
    report.added = files.len();
    let mut generation = Cache::create_generation(cache_dir)?;
    let filled = (|| {
        let mut tx = generation.transaction()?;
        let mut progress = Progress::new(progress, files.len());
        read_in_parallel(repo, &files, head_id, |path, blob, parsed| {
            progress.tick();
            store(&mut tx, path, blob, parsed, &mut report)
        })?;
        progress.finish();
        phases.mark("read, parsed and inserted");
        pause_for_tests("written");
        tx.commit(head_id, "full")?;
        phases.mark("indexed and committed");
        Ok::<(), SyncError>(())
    })();
    match filled {
        Ok(()) => {
            pause_for_tests("committed");
            let published = generation.publish(cache_dir)?;
            phases.mark("published");
            Ok((published, report))
        }
        Err(error) => {
            generation.discard();
            Err(error)
        }
    }
}

/// The rebuild's progress line: `\r`-rewritten on a terminal, from the first second on.
struct Progress {
    shown: bool,
    total: usize,
    done: usize,
    started: std::time::Instant,
}

impl Progress {
    fn new(wanted: bool, total: usize) -> Self {
        use std::io::IsTerminal;
        let shown = wanted && std::io::stderr().is_terminal();
        Progress {
            shown,
            total,
            done: 0,
            started: std::time::Instant::now(),
        }
    }

    fn tick(&mut self) {
        self.done += 1;
        if self.shown && self.done % 2048 == 0 && self.started.elapsed() > Duration::from_secs(1) {
            eprint!(
                "\rroadmap-hooks: rebuilding the issue cache: {}/{} files",
                self.done, self.total
            );
        }
    }

    fn finish(&self) {
        if self.shown && self.started.elapsed() > Duration::from_secs(1) {
            eprint!("\r\x1b[K");
        }
    }
}

/// Phase timings of a rebuild on stderr when `ROADMAP_HOOKS_TIMINGS` is set, with the CPU
/// time of the thread that writes SQLite: for profiling, see BENCHMARKS.md.
struct Phases(Option<std::time::Instant>);

impl Phases {
    fn start() -> Self {
        Phases(std::env::var_os("ROADMAP_HOOKS_TIMINGS").map(|_| std::time::Instant::now()))
    }

    fn mark(&self, phase: &str) {
        let Some(started) = self.0 else { return };
        // SAFETY: getrusage fills the struct we pass and nothing else.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
        let cpu = usage.ru_utime.tv_sec as f64 + usage.ru_utime.tv_usec as f64 / 1e6;
        eprintln!(
            "roadmap-hooks: {:>7.2}s wall {cpu:>6.2}s writer cpu  {phase}",
            started.elapsed().as_secs_f64()
        );
    }
}

/// Reads and parses `files` on all cores, handing each record to `sink` on this thread (the
/// one that owns the transaction) as soon as it is ready.
fn read_in_parallel(
    repo: &Repository,
    files: &[(String, Oid)],
    commit: &str,
    mut sink: impl FnMut(&str, Oid, &Parsed) -> Result<(), SyncError>,
) -> Result<(), SyncError> {
    const BATCH: usize = 256;
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    let git_dir = repo.path().to_owned();
    std::thread::scope(|scope| {
        let (sender, receiver) =
            mpsc::sync_channel::<(usize, Result<Batch, SyncError>)>(workers * 2);
        // Each batch goes back to the thread that allocated it, to be freed there: freeing on
        // this thread made glibc's allocator lock its arenas against the workers (~20% of a
        // 100k rebuild).
        let mut returns = Vec::new();
        for worker in 0..workers {
            let (sender, next, git_dir) = (sender.clone(), &next, &git_dir);
            let (give_back, returned) = mpsc::channel::<Batch>();
            returns.push(give_back);
            scope.spawn(move || {
                let repo = match Repository::open(git_dir) {
                    Ok(repo) => repo,
                    Err(e) => return drop(sender.send((worker, Err(e.into())))),
                };
                loop {
                    returned.try_iter().for_each(drop);
                    let start = next.fetch_add(BATCH, Ordering::Relaxed);
                    if start >= files.len() {
                        break;
                    }
                    let batch: Result<Batch, SyncError> = files
                        [start..(start + BATCH).min(files.len())]
                        .iter()
                        .enumerate()
                        .map(|(offset, (path, blob))| {
                            let bytes = read_blob(&repo, *blob, path, commit)?;
                            Ok((start + offset, Parsed::read(path, &bytes)))
                        })
                        .collect();
                    let failed = batch.is_err();
                    if sender.send((worker, batch)).is_err() || failed {
                        break;
                    }
                }
                drop(sender);
                returned.iter().for_each(drop);
            });
        }
        drop(sender);
        let outcome = (|| {
            for (worker, batch) in &receiver {
                let batch = batch?;
                for (index, parsed) in &batch {
                    let (path, blob) = &files[*index];
                    if let Some(parsed) = parsed {
                        sink(path, *blob, parsed)?;
                    }
                }
                // A worker that already left dropped its receiver; then the batch is freed here.
                let _ = returns[worker].send(batch);
            }
            Ok(())
        })();
        // Let every worker finish freeing and exit, whatever happened here.
        drop(returns);
        drop(receiver);
        outcome
    })
}

/// Records read by one worker: `(index into files, what the file holds)`.
type Batch = Vec<(usize, Option<Parsed>)>;

fn read_blob(repo: &Repository, blob: Oid, path: &str, commit: &str) -> Result<Vec<u8>, SyncError> {
    repo.find_blob(blob)
        .map(|b| b.content().to_vec())
        .map_err(|source| SyncError::Blob {
            path: path.to_owned(),
            commit: short(commit).to_owned(),
            source,
        })
}

/// A file read and parsed, with the JSON of an issue already built: the parsing threads do
/// that work, so the thread that writes SQLite does nothing else.
struct Parsed {
    record: Record,
    json: Option<String>,
}

impl Parsed {
    fn read(path: &str, bytes: &[u8]) -> Option<Parsed> {
        let record = Record::read(path, bytes)?;
        let json = match &record {
            Record::Issue(issue) => Some(to_json(issue, path)),
            _ => None,
        };
        Some(Parsed { record, json })
    }
}

fn store(
    tx: &mut CacheTransaction<'_>,
    path: &str,
    blob: Oid,
    parsed: &Parsed,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let blob_hex = blob.to_string();
    match &parsed.record {
        Record::Issue(issue) => tx.upsert_issue(
            path,
            &blob_hex,
            issue,
            parsed.json.as_deref().unwrap_or("{}"),
        )?,
        Record::Milestone(milestone) => tx.upsert_milestone(path, &blob_hex, milestone)?,
        Record::Project(project) => tx.upsert_project(path, &blob_hex, project)?,
        Record::Invalid(error) => {
            tx.record_invalid(path, &blob_hex, &error.to_string())?;
            report.invalid.push((path.to_owned(), error.to_string()));
        }
    }
    pause_for_tests("row");
    Ok(())
}

/// Crash-safety tests only (`tests/test_reliability.rs`): with `ROADMAP_HOOKS_TEST_PAUSE=POINT`
/// a sync that reaches POINT says so on stderr and sleeps until it is killed. POINT is `row-N`
/// (N files written, not committed), `written` (every file written, not committed) or
/// `committed` (a rebuilt generation committed, not yet live). Unset, it costs an atomic load.
fn pause_for_tests(point: &str) {
    static WANTED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    static ROWS: AtomicUsize = AtomicUsize::new(0);
    let Some(wanted) = WANTED.get_or_init(|| std::env::var("ROADMAP_HOOKS_TEST_PAUSE").ok()) else {
        return;
    };
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

/// The first 7 hex digits of a commit id, as git shows it.
#[must_use]
pub fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}
