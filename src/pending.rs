//! Pending local writes: files `roadmap` wrote (create, update, close, archive, edit, the GitHub
//! sync) that HEAD does not hold yet.
//!
//! **The rule, enforced here and nowhere else.** A cache row shows HEAD's content of its path,
//! unless a local write of that path is recorded here and the working tree still holds exactly
//! what was written (the same bytes; for a removal, still no file). Then the row shows what was
//! written. A record ends when HEAD holds the same content (it was committed), or when the
//! working tree no longer holds it (discarded by `git checkout -- FILE`, `git stash`, `git reset
//! --hard`, or edited by hand): then the row shows HEAD's content again.
//!
//! **Where.** `pending-writes.json` in the cache folder, apart from the cache generations, so
//! the records survive a full rebuild, a schema upgrade and a damaged cache (an uncommitted
//! `roadmap create` never vanishes from `list`). The cache stores the digest of the records it
//! applied (`sync_metadata.pending_applied`); a query that finds another digest (a write killed
//! between the two steps, a rebuilt cache) reconciles under the lock. Only lock holders change
//! either.
//!
//! **"Still holds"** is decided as git decides a file is clean: same size and mtime as recorded,
//! except that a file whose mtime is not older than the second its stamp was taken may have been
//! rewritten within the timestamp granularity (git's racy-clean rule), so it is re-hashed.

use crate::durable::Folders;
use crate::lock::SyncLock;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const FILE_NAME: &str = "pending-writes.json";

/// One local write: `blob` is git's id of the content written, empty for a removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingWrite {
    pub path: String,
    pub blob: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// When the size and mtime were last known to match `blob` (ns since the epoch).
    pub stamped_ns: i64,
}

impl PendingWrite {
    /// Records that `path` now holds `blob`, stamped from the file's metadata (`None` for a
    /// removal).
    #[must_use]
    pub fn new(path: &str, blob: &str, metadata: Option<&std::fs::Metadata>) -> Self {
        PendingWrite {
            path: path.to_owned(),
            blob: blob.to_owned(),
            size: metadata.map_or(0, std::fs::Metadata::len),
            mtime_ns: metadata.map_or(0, modified_ns),
            stamped_ns: now_ns(),
        }
    }

    /// Records that `path` now holds `blob`, with the size and mtime (ns) a stat gave.
    #[must_use]
    pub fn with_stat(path: &str, blob: &str, size: u64, mtime_ns: i64) -> Self {
        PendingWrite {
            path: path.to_owned(),
            blob: blob.to_owned(),
            size,
            mtime_ns,
            stamped_ns: now_ns(),
        }
    }

    /// Whether this is a removal.
    #[must_use]
    pub fn is_removal(&self) -> bool {
        self.blob.is_empty()
    }

    /// Whether the working tree still holds what was written; see the module's rule.
    #[must_use]
    pub fn still_written(&self, work_dir: &Path) -> bool {
        self.check(work_dir) != Holds::No
    }

    fn check(&self, work_dir: &Path) -> Holds {
        let path = work_dir.join(&self.path);
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            return if self.is_removal() {
                Holds::Stamped
            } else {
                Holds::No
            };
        };
        if self.is_removal() || !metadata.is_file() || metadata.len() != self.size {
            return Holds::No;
        }
        let racy = modified_ns(&metadata).div_euclid(1_000_000_000)
            >= self.stamped_ns.div_euclid(1_000_000_000);
        if modified_ns(&metadata) == self.mtime_ns && !racy {
            return Holds::Stamped;
        }
        // Touched, or racily clean: only the content can tell.
        match std::fs::read(&path) {
            Ok(bytes) if crate::git::object_id::is_blob_of(&self.blob, &bytes) => {
                Holds::Hashed(metadata)
            }
            _ => Holds::No,
        }
    }
}

enum Holds {
    No,
    /// Size and mtime as recorded, and not racy.
    Stamped,
    /// Same content, found by hashing; the metadata now seen.
    Hashed(std::fs::Metadata),
}

impl PartialEq for Holds {
    fn eq(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (Holds::No, Holds::No)
                | (Holds::Stamped, Holds::Stamped)
                | (Holds::Hashed(_), Holds::Hashed(_))
        )
    }
}

/// Every pending local write of a worktree, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingWrites {
    entries: Vec<PendingWrite>,
}

impl PendingWrites {
    /// Reads the records of the cache folder `cache_dir`; none when there is no file. A file
    /// that does not parse (a crash cannot leave one: it is replaced by rename) counts as none.
    #[must_use]
    pub fn load(cache_dir: &Path) -> Self {
        let entries = std::fs::read(cache_dir.join(FILE_NAME))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        PendingWrites { entries }
    }

    /// Replaces the records on disk, atomically and durably (the folder is fsynced after the
    /// rename); the caller holds the lock.
    pub fn save(&self, cache_dir: &Path, _lock: &SyncLock) -> std::io::Result<()> {
        let target = cache_dir.join(FILE_NAME);
        let mut folders = Folders::new();
        if self.entries.is_empty() {
            return match folders.unlink(&target) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => folders.sync(),
            };
        }
        let staged = cache_dir.join(format!("{FILE_NAME}.tmp"));
        let mut file = std::fs::File::create(&staged)?;
        file.write_all(&self.to_bytes())?;
        file.sync_all()?;
        folders.rename(&staged, &target)?;
        folders.sync()
    }

    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.entries).unwrap_or_default()
    }

    /// What the cache stores to say it applied exactly these records; empty for none.
    #[must_use]
    pub fn digest(&self) -> String {
        if self.entries.is_empty() {
            String::new()
        } else {
            blob_id(&self.to_bytes())
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[must_use]
    pub fn entries(&self) -> &[PendingWrite] {
        &self.entries
    }

    /// Records a write, replacing an earlier record of the same path.
    pub fn record(&mut self, write: PendingWrite) {
        self.entries.retain(|e| e.path != write.path);
        self.entries.push(write);
        self.entries.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// Whether every record still holds: the query's check, a `stat` per record.
    #[must_use]
    pub fn all_hold(&self, work_dir: &Path) -> bool {
        self.entries.iter().all(|e| e.still_written(work_dir))
    }

    /// Splits the records into those that still hold (re-stamped when the hash had to tell and
    /// the file is no longer racy) and those that ended.
    #[must_use]
    pub fn partition(self, work_dir: &Path) -> (PendingWrites, Vec<PendingWrite>) {
        let mut kept = Vec::new();
        let mut ended = Vec::new();
        for mut entry in self.entries {
            match entry.check(work_dir) {
                Holds::No => ended.push(entry),
                Holds::Stamped => kept.push(entry),
                Holds::Hashed(metadata) => {
                    // git's "smudge": once a second has passed since the mtime, the stamp can
                    // be trusted again, and later checks need no hashing.
                    let now = now_ns();
                    if now.div_euclid(1_000_000_000)
                        > modified_ns(&metadata).div_euclid(1_000_000_000)
                    {
                        entry.mtime_ns = modified_ns(&metadata);
                        entry.stamped_ns = now;
                    }
                    kept.push(entry);
                }
            }
        }
        (PendingWrites { entries: kept }, ended)
    }

    /// Drops the records for which `committed` says HEAD holds what was written.
    pub fn retain_uncommitted(&mut self, mut committed: impl FnMut(&PendingWrite) -> bool) {
        self.entries.retain(|e| !committed(e));
    }
}

/// git's SHA-1 blob id of `bytes`, in hex: a digest, and what a compare-and-swap compares
/// with itself. A record of a write holds the repository's own id ([`super::Workspace::blob_id`]),
/// so it compares with HEAD's blob in a SHA-256 repository too; checks hash by the id's length
/// ([`crate::git::object_id::is_blob_of`]).
#[must_use]
pub fn blob_id(bytes: &[u8]) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|id| id.to_string())
        .unwrap_or_default()
}

/// A file's modification time in nanoseconds.
#[must_use]
pub fn modified_ns(metadata: &std::fs::Metadata) -> i64 {
    metadata
        .mtime()
        .saturating_mul(1_000_000_000)
        .saturating_add(metadata.mtime_nsec())
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_within_the_same_second_is_caught_by_the_hash() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        // An mtime in a second the stamp cannot have passed: racily clean, as a file written
        // in the very second it was recorded is.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(100);
        let write_at_later = |text: &str| {
            std::fs::write(&file, text).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(later)
                .unwrap();
        };
        write_at_later("one\n");
        let write = PendingWrite::new("a.md", &blob_id(b"one\n"), Some(&file.metadata().unwrap()));
        assert!(write.still_written(dir.path()));
        // Same size and mtime: only the content differs.
        write_at_later("two\n");
        assert!(!write.still_written(dir.path()));
    }

    #[test]
    fn removals_hold_while_the_file_stays_away() {
        let dir = tempfile::tempdir().unwrap();
        let removal = PendingWrite::new("gone.md", "", None);
        assert!(removal.still_written(dir.path()));
        std::fs::write(dir.path().join("gone.md"), "back").unwrap();
        assert!(!removal.still_written(dir.path()));
    }

    #[test]
    fn records_survive_a_round_trip_and_an_empty_set_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let lock = SyncLock::acquire(&dir.path().join("sync.lock"), std::time::Duration::ZERO)
            .unwrap()
            .unwrap();
        let mut pending = PendingWrites::default();
        assert_eq!(pending.digest(), "");
        pending.record(PendingWrite::new("b.md", "", None));
        pending.record(PendingWrite::new("a.md", "", None));
        pending.save(dir.path(), &lock).unwrap();
        let loaded = PendingWrites::load(dir.path());
        assert_eq!(loaded, pending);
        assert_eq!(loaded.entries()[0].path, "a.md");
        assert_ne!(loaded.digest(), "");
        PendingWrites::default().save(dir.path(), &lock).unwrap();
        assert!(!dir.path().join(FILE_NAME).exists());
    }
}
