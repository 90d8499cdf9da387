//! Emptying a writer's WAL into the database file, now or in a process of its own.
//!
//! A sync that wrote much (a branch switch across 1,000 issues leaves ~44 MB of WAL) must
//! checkpoint before the cache is read again: every process that opens the cache indexes the
//! whole WAL first. Done by the hook itself, that copy and its fsyncs were a fifth of the hook,
//! paid by the `git switch` that ran it. A hook therefore hands it to a detached
//! `roadmap-hooks checkpoint-cache <file>` and returns; git is not kept waiting, and the
//! crash guarantees are SQLite's own either way (a checkpoint killed half way is redone by the
//! next one; the WAL holds every frame until then).

use rusqlite::{Connection, OpenFlags};
use std::ffi::OsStr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set in hook processes: their checkpoints run detached.
static IN_BACKGROUND: AtomicBool = AtomicBool::new(false);

/// The hidden subcommand of `roadmap-hooks` that runs a detached checkpoint.
pub const SUBCOMMAND: &str = "checkpoint-cache";

/// From now on, this process leaves its checkpoints to a detached process: for hooks, whose
/// time is git's.
pub fn checkpoint_in_background() {
    IN_BACKGROUND.store(true, Ordering::Relaxed);
}

/// Checkpoints the database at `path` through `conn`, or, in a hook, starts a detached
/// process to do it (inline when that cannot start). Best effort: the WAL is there until done.
pub(super) fn checkpoint(conn: &Connection, path: &Path) {
    if IN_BACKGROUND.load(Ordering::Relaxed) && spawn_detached(path).is_ok() {
        return;
    }
    // Busy (a reader in the WAL): the next writer tries again.
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
}

fn spawn_detached(path: &Path) -> std::io::Result<()> {
    crate::detached::spawn(&[OsStr::new(SUBCOMMAND), path.as_os_str()], None)
}

/// The detached process: empties the WAL of the generation at `path`. A generation replaced
/// since (its file gone) is left alone: the file is never created again.
pub fn run_detached(path: &Path) {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else {
        return;
    };
    // Waits out a writer that started meanwhile; a reader still in the WAL leaves part of it
    // for the next writer's checkpoint.
    let _ = conn.busy_timeout(std::time::Duration::from_secs(10));

    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rebuild may replace the generation before its detached checkpoint starts: the old
    /// file is gone, and must not come back as an empty database.
    #[test]
    fn a_vanished_generation_is_not_created_again() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("cache-1-1.db");
        run_detached(&gone);
        assert!(!gone.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
