//! Local writes that HEAD does not hold yet: whether the working tree still has what `roadmap`
//! wrote. Checking is a `stat` per pending file, and nothing at all when there are none.

use crate::cache::query::PendingWrite;
use git2::{ObjectType, Oid};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Whether the file at `work_dir/pending.path` still holds what `roadmap` wrote there (or is
/// still gone, for a removal). False once it was discarded or edited by hand.
#[must_use]
pub fn still_written(work_dir: &Path, pending: &PendingWrite) -> bool {
    let path = work_dir.join(&pending.path);
    let Ok(metadata) = std::fs::symlink_metadata(&path) else {
        return pending.blob_oid.is_empty();
    };
    if pending.blob_oid.is_empty() || !metadata.is_file() {
        return false;
    }
    if metadata.len() == pending.size && modified_ns(&metadata) == pending.mtime_ns {
        return true;
    }
    // Touched but perhaps rewritten with the same bytes (an editor saving without changes).
    let Ok(bytes) = std::fs::read(&path) else {
        return false;
    };
    Oid::hash_object(ObjectType::Blob, &bytes).ok() == Oid::from_str(&pending.blob_oid).ok()
}

/// Whether any pending write was discarded, so a sync must put HEAD's content back.
#[must_use]
pub fn any_discarded(work_dir: &Path, pending: &[PendingWrite]) -> bool {
    pending.iter().any(|p| !still_written(work_dir, p))
}

/// A file's modification time in nanoseconds, the precision the pending check compares.
#[must_use]
pub fn modified_ns(metadata: &std::fs::Metadata) -> i64 {
    metadata
        .mtime()
        .saturating_mul(1_000_000_000)
        .saturating_add(metadata.mtime_nsec())
}
