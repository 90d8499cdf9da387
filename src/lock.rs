//! The sync lock: one writer per cache at a time, with a bounded wait.
//!
//! An exclusive `flock` on a file next to the database. The kernel drops it when the process
//! dies, so a crashed sync never leaves the cache locked. Readers never take it.

use fs2::FileExt;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// Held while a sync writes; released on drop.
#[derive(Debug)]
pub struct SyncLock {
    file: File,
}

impl SyncLock {
    /// Takes the lock at `path`, waiting at most `wait`. `Ok(None)` when another process still
    /// holds it after that.
    pub fn acquire(path: &Path, wait: Duration) -> io::Result<Option<SyncLock>> {
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
}
