//! The lock policy: one writer per cache at a time, and how long each caller waits for it.
//!
//! An exclusive `flock` on `sync.lock` next to the database. The kernel drops it when the
//! process dies, so a crash never leaves the cache locked. Readers never take it. Only the
//! workspace takes locks (see [`LockPurpose`]); no layer below it does: the sync and the cache
//! writers receive a held [`SyncLock`] as proof.
//!
//! **Hooks never stall a range of commits.** A cherry-pick, `am` or merge of many commits
//! runs a hook per commit. The first hook that finds the lock busy waits its 1.5 s, then leaves
//! a marker (`hook-gave-up` beside the lock); while the marker is younger than
//! [`GAVE_UP_FOR`] and the lock still busy, later hooks give up at once instead of waiting
//! again. The holder re-reads HEAD before it lets go, and the next query's self-healing check
//! catches up with the rest. Whoever takes the sync lock next removes the marker.
//!
//! `roadmap sync` with GitHub holds a second lock, `remote-sync.lock`, so two remote syncs never
//! create the same issue twice; it takes the sync lock too for each local write. That lock is
//! the repository's, not the worktree's (in the common git dir, beside the shared `remote.db`):
//! two worktrees speak to the same GitHub repository.

use fs2::FileExt;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// Who wants the lock, which decides how long they wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockPurpose {
    /// A git hook: waits 1.5 s, then leaves the work to the holder, which re-reads HEAD before
    /// it lets go (and to the next query's self-healing check). Never longer: the hook runs
    /// inside the user's git command. Not at all while an earlier hook's marker says the lock
    /// was busy moments ago (see the module's doc).
    Hook,
    /// A query that found the cache behind HEAD: waits 10 s, then answers from the cache as it
    /// is, with a warning.
    Query,
    /// A `roadmap` write command: waits 10 s, then fails without writing anything.
    Write,
    /// `roadmap-hooks sync` and `install`: the user asked for it and waits 30 s.
    Sync,
    /// `roadmap-hooks doctor`: only probes whether the lock is free (200 ms).
    Probe,
    /// `roadmap sync` with GitHub, on `remote-sync.lock`: 2 s, then "another sync is running".
    RemoteSync,
}

impl LockPurpose {
    /// How long this caller waits for the lock.
    #[must_use]
    pub fn wait(self) -> Duration {
        match self {
            LockPurpose::Hook => Duration::from_millis(1500),
            LockPurpose::Query | LockPurpose::Write => Duration::from_secs(10),
            LockPurpose::Sync => Duration::from_secs(30),
            LockPurpose::Probe => Duration::from_millis(200),
            LockPurpose::RemoteSync => Duration::from_secs(2),
        }
    }

    /// Whether the lock is shared by all worktrees (in [`super::RepoDirs::shared_dir`]) rather
    /// than one worktree's (in its cache folder).
    #[must_use]
    pub fn is_shared(self) -> bool {
        self == LockPurpose::RemoteSync
    }

    /// The lock file's name in its folder.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            LockPurpose::RemoteSync => "remote-sync.lock",
            _ => "sync.lock",
        }
    }
}

/// How long a hook's "the lock was busy" marker makes later hooks skip the wait.
pub const GAVE_UP_FOR: Duration = Duration::from_secs(30);

const GAVE_UP_MARKER: &str = "hook-gave-up";

/// The lock the marker is about; whoever takes it shows it is free again.
const GUARDED_LOCK: &str = "sync.lock";

/// Takes the lock at `path` for `purpose`, by the policy above. `Ok(None)` when another process
/// still holds it after the wait.
pub(super) fn take(path: &Path, purpose: LockPurpose) -> io::Result<Option<SyncLock>> {
    let marker = path.with_file_name(GAVE_UP_MARKER);
    if purpose != LockPurpose::Hook {
        let taken = SyncLock::acquire(path, purpose.wait())?;
        if taken.is_some() && purpose.file_name() == GUARDED_LOCK {
            let _ = std::fs::remove_file(&marker);
        }
        return Ok(taken);
    }
    let recently_gave_up = std::fs::metadata(&marker)
        .and_then(|m| m.modified())
        .is_ok_and(|at| at.elapsed().is_ok_and(|age| age < GAVE_UP_FOR));
    let wait = if recently_gave_up {
        Duration::ZERO
    } else {
        purpose.wait()
    };
    let taken = SyncLock::acquire(path, wait)?;
    match &taken {
        Some(_) => {
            let _ = std::fs::remove_file(&marker);
        }
        // Written (or its time renewed) only after a full wait: a range of hooks each finding
        // the lock busy at once keeps skipping until the marker is GAVE_UP_FOR old.
        None if !recently_gave_up => {
            let _ = std::fs::write(&marker, b"");
        }
        None => {}
    }
    Ok(taken)
}

/// Held while a sync or write changes the cache; released on drop.
#[derive(Debug)]
pub struct SyncLock {
    file: File,
}

impl SyncLock {
    /// Takes the lock at `path`, waiting at most `wait`. `Ok(None)` when another process still
    /// holds it after that.
    pub(super) fn acquire(path: &Path, wait: Duration) -> io::Result<Option<SyncLock>> {
        if let Some(folder) = path.parent() {
            // "File exists" alone would not say which file is in the way.
            std::fs::create_dir_all(folder).map_err(|e| {
                io::Error::new(e.kind(), format!("creating {}: {e}", folder.display()))
            })?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(1);
        loop {
            match file.try_lock_exclusive() {
                Ok(()) => return Ok(Some(SyncLock { file })),
                Err(e) if e.kind() == fs2::lock_contended_error().kind() => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Ok(None);
                    }
                    std::thread::sleep(pause.min(deadline - now));
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first makes the release immediate.
        let _ = FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.lock");
        let held = SyncLock::acquire(&path, Duration::ZERO).unwrap();
        assert!(held.is_some());
        assert!(
            SyncLock::acquire(&path, Duration::from_millis(30))
                .unwrap()
                .is_none()
        );
        drop(held);
        assert!(SyncLock::acquire(&path, Duration::ZERO).unwrap().is_some());
    }

    #[test]
    fn hooks_after_one_that_gave_up_do_not_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.lock");
        let held = SyncLock::acquire(&path, Duration::ZERO).unwrap();
        let started = Instant::now();
        assert!(take(&path, LockPurpose::Hook).unwrap().is_none());
        assert!(started.elapsed() >= LockPurpose::Hook.wait());
        assert!(dir.path().join(GAVE_UP_MARKER).exists());
        let started = Instant::now();
        for _ in 0..5 {
            assert!(take(&path, LockPurpose::Hook).unwrap().is_none());
        }
        assert!(started.elapsed() < LockPurpose::Hook.wait());
        drop(held);
        assert!(take(&path, LockPurpose::Hook).unwrap().is_some());
        assert!(!dir.path().join(GAVE_UP_MARKER).exists());
    }
}

/// The lock file could not be opened or locked (not: another process holds it).
#[derive(Debug, thiserror::Error)]
#[error("taking the sync lock {}: {source}", path.display())]
pub struct LockError {
    pub path: std::path::PathBuf,
    pub source: std::io::Error,
}
