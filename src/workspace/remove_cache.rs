//! What `roadmap-hooks uninstall` removes of the cache folder: everything `install` and the
//! hooks built that git can build again (the generations and their pointer, the lock, the hook
//! log, the kept trees), and nothing that exists nowhere else: `remote.db` (the GitHub sync's
//! baselines) and `pending-writes.json` (which uncommitted files `roadmap` wrote).

use super::{LockPurpose, Workspace};
use std::io;

/// The files of the cache folder that cannot be rebuilt from git, kept by uninstall.
pub const KEPT: &[&str] = &[
    "remote.db",
    "remote.db-wal",
    "remote.db-shm",
    "pending-writes.json",
];

/// What [`Workspace::remove_cache`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum CacheRemoval {
    /// There was no cache folder.
    NoCache,
    /// The rebuildable files are gone; `kept` names those left (the folder too is gone when
    /// none is left).
    Removed { kept: Vec<String> },
    /// Another process held the sync lock for the whole wait; nothing was removed.
    LockBusy,
}

impl Workspace {
    /// Removes what can be rebuilt of this worktree's cache folder, under the sync lock so no
    /// sync is half way through a generation meanwhile.
    pub fn remove_cache(&self) -> io::Result<CacheRemoval> {
        let dir = self.cache_dir();
        if !dir.is_dir() {
            return Ok(CacheRemoval::NoCache);
        }
        let lock = match self.lock(LockPurpose::Sync) {
            Ok(Some(lock)) => lock,
            Ok(None) => return Ok(CacheRemoval::LockBusy),
            Err(e) => return Err(io::Error::new(e.source.kind(), e.to_string())),
        };
        let mut kept = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let context = |e: io::Error| {
                io::Error::new(e.kind(), format!("removing {}: {e}", path.display()))
            };
            if KEPT.contains(&name.as_str()) {
                kept.push(name);
            } else if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(&path).map_err(context)?;
            } else {
                // The lock file goes too while held: a process that waits on it now finds
                // no cache and builds one, as the first query in a clone does.
                std::fs::remove_file(&path).map_err(context)?;
            }
        }
        drop(lock);
        kept.sort();
        if kept.is_empty() {
            std::fs::remove_dir(&dir)?;
        }
        Ok(CacheRemoval::Removed { kept })
    }
}
