//! roadmap-cli 0.3.1's workspace lock, taken by our writes on the contract line so that a
//! write of ours and one of the tracker's never interleave (its `canonical.py`: `WorkspaceLock`
//! and `CanonicalUnitOfWork`).
//!
//! 0.3.1 holds an exclusive `flock` on `.roadmap/db/canonical-write.lock` for the whole of each
//! command: it reads the documents, computes, checks they are unchanged, journals and writes,
//! all under it. So while we hold it, a file we re-read cannot change under us, and the
//! compare-and-swap of [`super::write`] covers the tracker's writes too. Like 0.3.1 we poll a
//! non-blocking `flock` for a bounded time and then write `{"pid", "acquired_at"}` into the
//! file (its diagnostic). Under the lock we refuse to start while `db/transactions/` holds
//! anything: a journal there is a write of 0.3.1's that was cut off, which only the tracker
//! knows how to roll forward; writing over its files first would break that recovery.

use fs2::FileExt;
use std::fs::{File, OpenOptions};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a write of ours waits for 0.3.1 to finish its own (0.3.1 itself waits 30 s).
pub const WAIT: Duration = Duration::from_secs(10);

/// The lock, held until dropped.
pub struct TrackerLock {
    file: File,
}

impl Drop for TrackerLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
    }
}

/// Why a write could not start.
#[derive(Debug, thiserror::Error)]
pub enum TrackerLockError {
    #[error("{} is held by another writer (roadmap-cli) for over {} s; nothing was written", .0.display(), WAIT.as_secs())]
    Busy(PathBuf),
    #[error("{}: a write of roadmap-cli's was cut off and its journal is still there ({}); nothing was written", .folder.display(), .entries.join(", "))]
    PendingJournal {
        folder: PathBuf,
        entries: Vec<String>,
    },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Takes 0.3.1's lock of the workspace whose `.roadmap` folder is `roadmap_dir`, waiting up to
/// [`WAIT`], and checks that no journal of 0.3.1's is pending. `waiting` is called once if
/// the lock is busy at first, so the user hears why the command pauses.
pub fn take(roadmap_dir: &Path, waiting: impl FnOnce()) -> Result<TrackerLock, TrackerLockError> {
    let db = roadmap_dir.join("db");
    let path = db.join("canonical-write.lock");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| TrackerLockError::Io { path, source }
    };
    std::fs::create_dir_all(&db).map_err(io(&db))?;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(&path)
        .map_err(io(&path))?;
    let deadline = Instant::now() + WAIT;
    let mut waiting = Some(waiting);
    loop {
        match file.try_lock_exclusive() {
            Ok(()) => break,
            Err(_) if Instant::now() < deadline => {
                if let Some(say) = waiting.take() {
                    say();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(_) => return Err(TrackerLockError::Busy(path)),
        }
    }
    let lock = TrackerLock { file };
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let metadata = format!(
        "{{\"pid\": {}, \"acquired_at\": {seconds}}}\n",
        std::process::id()
    );
    file = lock.file.try_clone().map_err(io(&path))?;
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(metadata.as_bytes()))
        .map_err(io(&path))?;
    let transactions = db.join("transactions");
    let entries = match std::fs::read_dir(&transactions) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        Err(_) => Vec::new(),
    };
    if !entries.is_empty() {
        return Err(TrackerLockError::PendingJournal {
            folder: transactions,
            entries,
        });
    }
    Ok(lock)
}
