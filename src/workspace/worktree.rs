//! Changes made in the working tree by someone other than `roadmap`: the tracker's own
//! commands (forwarded to it), an editor, a script. Found as `git status` finds them: the stat
//! data of every roadmap file (size, mtime in ns, inode) against what was recorded when it was
//! last looked at; only files that moved, or whose stamp is racily clean, are read and hashed.
//! Each file whose content differs from what the cache shows becomes a pending write (see
//! [`super::pending`]), and a file the cache shows that is gone becomes a pending removal; the
//! sync then shows them, by the same rule as `roadmap`'s own writes.
//!
//! Run after every forwarded tracker command that may write, and before every query when the
//! user opts in to seeing hand edits (`--worktree`, `git config roadmap.worktree true`).

use super::pending::{PendingWrite, PendingWrites, modified_ns};
use super::{LockPurpose, Workspace};
use crate::cache::{Cache, CacheError, StatEntry};
use crate::lines;
use crate::sync::{SyncError, SyncRequest};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// What a look at the working tree found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WorktreeReport {
    /// Files that now differ from what the cache showed (new, changed or removed).
    pub recorded: usize,
    /// Files whose content had to be read (stat data moved, or racily clean).
    pub hashed: usize,
    /// The lock was busy: nothing was recorded; the next look tries again.
    pub lock_busy: bool,
}

impl Workspace {
    /// Whether queries look at the working tree first: `git config roadmap.worktree true`.
    #[must_use]
    pub fn worktree_opt_in(&self) -> bool {
        let local = git2::Config::open(&self.dirs.common_dir.join("config"))
            .ok()
            .and_then(|c| c.get_bool("roadmap.worktree").ok());
        local
            .or_else(|| {
                git2::Config::open_default()
                    .ok()
                    .and_then(|c| c.get_bool("roadmap.worktree").ok())
            })
            .unwrap_or(false)
    }

    /// Records the roadmap files of the working tree that differ from what the cache shows as
    /// pending writes, and shows them. Read-only, and no lock, when nothing moved.
    pub fn look_at_worktree(&self, purpose: LockPurpose) -> Result<WorktreeReport, SyncError> {
        let cache = match Cache::open_existing(&self.cache_dir()) {
            Ok(cache) => cache,
            // No cache yet: the first sync reads HEAD, and the next look compares with it.
            Err(CacheError::Missing(_) | CacheError::Outdated { .. }) => {
                return Ok(WorktreeReport::default());
            }
            Err(other) => return Err(other.into()),
        };
        let seen = Seen::look(self.work_dir(), self.object_format(), &cache)?;
        drop(cache);
        let mut report = WorktreeReport {
            recorded: seen.writes.len(),
            hashed: seen.hashed,
            lock_busy: false,
        };
        if seen.writes.is_empty() && seen.stats.is_empty() {
            return Ok(report);
        }
        let Some(lock) = self.lock(purpose)? else {
            report.lock_busy = true;
            return Ok(report);
        };
        if !seen.writes.is_empty() {
            let mut pending = PendingWrites::load(&self.cache_dir());
            for write in seen.writes {
                pending.record(write);
            }
            pending
                .save(&self.cache_dir(), &lock)
                .map_err(|source| SyncError::Pending {
                    path: self.cache_dir().display().to_string(),
                    source,
                })?;
            let request = SyncRequest {
                full: false,
                progress: true,
            };
            crate::sync::sync(&self.dirs, self.repo()?, &lock, &request)?;
        }
        let mut cache = Cache::open_existing(&self.cache_dir())?;
        let mut tx = cache.transaction()?;
        for (path, entry) in &seen.stats {
            tx.set_worktree_stat(path, entry.as_ref())?;
        }
        tx.commit_local()?;
        Ok(report)
    }
}

/// One look at the working tree, before anything is written.
struct Seen {
    /// Pending writes to record: contents that differ from what the cache shows.
    writes: Vec<PendingWrite>,
    /// Stat data to remember (`None`: forget, the file is gone).
    stats: Vec<(String, Option<StatEntry>)>,
    hashed: usize,
}

impl Seen {
    /// Walks the roadmap folders and compares each file, in path order, with what was last
    /// seen there and with what the cache shows: three sorted lists merged, no hashing of paths.
    fn look(
        work_dir: &Path,
        format: crate::git::ObjectFormat,
        cache: &Cache,
    ) -> Result<Seen, CacheError> {
        let known = cache.worktree_stats()?;
        let shown = cache.shown_blobs()?;
        let mut files = Vec::new();
        collect(work_dir, ".roadmap", &mut files);
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let now = now_ns();
        let mut seen = Seen {
            writes: Vec::new(),
            stats: Vec::new(),
            hashed: 0,
        };
        let (mut known, mut shown) = (known.iter().peekable(), shown.iter().peekable());
        for (path, metadata) in &files {
            while let Some((gone, _)) = known.next_if(|(p, _)| p < path) {
                seen.stats.push((gone.clone(), None));
            }
            while let Some((gone, _)) = shown.next_if(|(p, _)| p < path) {
                seen.writes.push(PendingWrite::new(gone, "", None));
            }
            let last = known.next_if(|(p, _)| p == path).map(|(_, e)| e);
            let showing = shown.next_if(|(p, _)| p == path).map(|(_, b)| b);
            let blob = match last.filter(|e| unchanged(e, metadata)) {
                Some(entry) => entry.blob.clone(),
                None => {
                    // Gone or unreadable since the walk: the next look sees it as it is then.
                    let Ok(bytes) = std::fs::read(work_dir.join(path)) else {
                        continue;
                    };
                    seen.hashed += 1;
                    // The repository's own id, so a commit of the file ends the record.
                    let blob = format.blob_id(&bytes);
                    seen.stats.push((
                        path.clone(),
                        Some(StatEntry {
                            size: metadata.len(),
                            mtime_ns: modified_ns(metadata),
                            inode: metadata.ino(),
                            blob: blob.clone(),
                            stamped_ns: now,
                        }),
                    ));
                    blob
                }
            };
            if showing != Some(&blob) {
                seen.writes
                    .push(PendingWrite::new(path, &blob, Some(metadata)));
            }
        }
        seen.stats
            .extend(known.map(|(gone, _)| (gone.clone(), None)));
        seen.writes
            .extend(shown.map(|(gone, _)| PendingWrite::new(gone, "", None)));
        Ok(seen)
    }
}

/// The stat data still match, and the stamp was taken after the second of the last change
/// (otherwise a rewrite within the timestamp granularity could hide: git's racy-clean rule).
fn unchanged(entry: &StatEntry, metadata: &std::fs::Metadata) -> bool {
    let mtime = modified_ns(metadata);
    entry.size == metadata.len()
        && entry.mtime_ns == mtime
        && entry.inode == metadata.ino()
        && mtime.div_euclid(1_000_000_000) < entry.stamped_ns.div_euclid(1_000_000_000)
}

/// Every roadmap file under `relative` (see [`lines::may_be_document`]), with its metadata; symbolic
/// links are not followed.
fn collect(work_dir: &Path, relative: &str, out: &mut Vec<(String, std::fs::Metadata)>) {
    let Ok(entries) = std::fs::read_dir(work_dir.join(relative)) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let path = format!("{relative}/{name}");
        if metadata.is_dir() {
            if lines::may_contain_documents(&path) {
                collect(work_dir, &path, out);
            }
        } else if metadata.is_file() && lines::may_be_document(&path) {
            out.push((path, metadata));
        }
    }
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}
