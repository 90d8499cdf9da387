//! The git operations the sync needs: what HEAD is, and which roadmap files differ between two
//! trees.
//!
//! HEAD is read straight from the ref files (or the reftable stack), which costs a few file
//! reads, so queries can check it on every run. The tree diff descends only into `.roadmap/`
//! folders that can hold our files and skips any subtree whose id did not change: at 100k
//! issues this is several times faster than libgit2's general tree diff, which walks large
//! trees entry by entry.
//!
//! - [`repo`]: the repository as the sync sees it, served in process (libgit2) or by the git
//!   command line, chosen per repository (SHA-256, replace refs), and partial clones' fetches.
//! - [`cli`]: the command-line backend.
//! - [`object_id`]: ids of either hash, and blob ids computed as the repository does.
//! - [`reftable`]: HEAD and `refs/replace/` from a reftable stack, without a git process.
//! - [`tree_diff`]: the in-process roadmap diff, over raw tree objects.
//! - [`pack_deltas`]: large trees read by applying their pack delta to a version kept in
//!   memory (the event log's walk over history), read by [`pack_file`].
//! - [`first_parent`]: a first-parent line of commits, back to one the caller knows (the
//!   event log's walk), in process or from `git log`.
//! - [`revisions`]: revisions named as git names them, merge bases, and the walk over the
//!   commits that touch `.roadmap/` (for `roadmap list --at`, `diff` and `log`).

pub mod cli;
pub mod first_parent;
pub mod index_file;
mod loose;
pub mod object_id;
mod pack_blobs;
mod pack_deltas;
mod pack_file;
pub mod reftable;
pub mod repo;
pub mod revisions;
mod tree_diff;

pub use object_id::{ObjectFormat, ObjectId};
pub use pack_deltas::DeltaTrees;
pub use repo::{GitError, GitRepo};
pub use tree_diff::{RecentTrees, TreeMemo};

use crate::workspace::RepoDirs;
use git2::Repository;
use std::path::Path;

/// What HEAD points at, as read from the ref files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadStamp {
    /// A commit id in hex.
    Commit(String),
    /// HEAD names a branch with no commit yet.
    Unborn,
    /// The refs are stored in a way this reader does not parse (reftable): ask git.
    Unknown,
}

impl HeadStamp {
    /// The form `last_synced_commit` stores: the id, or empty for an unborn HEAD.
    #[must_use]
    pub fn as_synced_commit(&self) -> Option<&str> {
        match self {
            HeadStamp::Commit(id) => Some(id),
            HeadStamp::Unborn => Some(""),
            HeadStamp::Unknown => None,
        }
    }
}

/// Reads HEAD from the ref files or the reftable stack: a handful of small reads, no
/// repository open.
#[must_use]
pub fn read_head_stamp(dirs: &RepoDirs) -> HeadStamp {
    if dirs.common_dir.join("reftable").is_dir() {
        return reftable_head(dirs);
    }
    let Ok(mut content) = std::fs::read_to_string(dirs.git_dir.join("HEAD")) else {
        return HeadStamp::Unknown;
    };
    for _ in 0..5 {
        let line = content.trim();
        let Some(target) = line.strip_prefix("ref:").map(str::trim) else {
            return if is_hex_id(line) {
                HeadStamp::Commit(line.to_owned())
            } else {
                HeadStamp::Unknown
            };
        };
        // Per-worktree refs (HEAD itself, refs/bisect, refs/worktree) live in the git dir.
        let loose = if target.starts_with("refs/") {
            dirs.common_dir.join(target)
        } else {
            dirs.git_dir.join(target)
        };
        content = match std::fs::read_to_string(&loose) {
            Ok(text) => text,
            Err(_) => match packed_ref(&dirs.common_dir, target) {
                Some(id) => return HeadStamp::Commit(id),
                None => return HeadStamp::Unborn,
            },
        };
    }
    HeadStamp::Unknown
}

/// HEAD from the reftable stacks: per-worktree refs (HEAD, `refs/bisect/`, `refs/worktree/`,
/// `refs/rewritten/`) live in the worktree's own stack, the others in the shared one.
fn reftable_head(dirs: &RepoDirs) -> HeadStamp {
    let Some(own) = reftable::Stack::open(&dirs.git_dir.join("reftable")) else {
        return HeadStamp::Unknown;
    };
    let shared = if dirs.git_dir == dirs.common_dir {
        None
    } else {
        match reftable::Stack::open(&dirs.common_dir.join("reftable")) {
            Some(stack) => Some(stack),
            None => return HeadStamp::Unknown,
        }
    };
    let mut name = "HEAD".to_owned();
    for _ in 0..5 {
        let per_worktree = !name.starts_with("refs/")
            || ["refs/bisect/", "refs/worktree/", "refs/rewritten/"]
                .iter()
                .any(|p| name.starts_with(p));
        let stack = if per_worktree {
            &own
        } else {
            shared.as_ref().unwrap_or(&own)
        };
        match stack.lookup(&name) {
            None => return HeadStamp::Unknown,
            Some(None) => return HeadStamp::Unborn,
            Some(Some(reftable::RefValue::Id(raw))) => {
                return ObjectId::from_raw(&raw)
                    .map_or(HeadStamp::Unknown, |id| HeadStamp::Commit(id.to_string()));
            }
            Some(Some(reftable::RefValue::Symbolic(target))) => name = target,
        }
    }
    HeadStamp::Unknown
}

fn packed_ref(common_dir: &Path, name: &str) -> Option<String> {
    let packed = std::fs::read_to_string(common_dir.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (id, ref_name) = line.split_once(' ')?;
        (ref_name == name && is_hex_id(id)).then(|| id.to_owned())
    })
}

fn is_hex_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Returns HEAD's commit from libgit2 (files backend); `None` for an unborn HEAD.
pub(crate) fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>, git2::Error> {
    match repo.head() {
        Ok(head) => head.peel_to_commit().map(Some),
        Err(e)
            if e.code() == git2::ErrorCode::UnbornBranch
                || e.code() == git2::ErrorCode::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A roadmap file that differs between two trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeChange {
    Added {
        path: String,
        blob: ObjectId,
    },
    Modified {
        path: String,
        blob: ObjectId,
        /// The blob the path held before, when the diff saw it (a tree diff always does; a
        /// path re-read for another reason does not): spares `roadmap diff` and `log` looking
        /// the old side up in the old tree again.
        was: Option<ObjectId>,
    },
    Deleted {
        path: String,
        blob: ObjectId,
    },
    /// A file whose name, or a folder's on its path, is not UTF-8: it cannot be read as an
    /// issue (nothing could write it back), so it is listed as unreadable under `path`, written
    /// with `\xNN` escapes ([`crate::lines::name_as_text`]). `blob` is `None` once it is gone.
    NameNotUtf8 {
        path: String,
        blob: Option<ObjectId>,
    },
}
