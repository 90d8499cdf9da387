//! The file half of a write: each [`FileChange`] put on disk so that it either happens or
//! not (temporary file, fsync, rename; link for a new file; two renames for a move), each
//! folder-entry change made through a [`Folders`] batch whose folders the caller fsyncs.

use super::write::{FileChange, WriteError};
use crate::durable::{self, Folders};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A change that failed, and what of it is on disk anyway (`None`: nothing).
pub(super) struct Failed {
    pub(super) error: WriteError,
    pub(super) landed: Option<Box<FileChange>>,
}

impl From<WriteError> for Failed {
    fn from(error: WriteError) -> Self {
        Failed {
            error,
            landed: None,
        }
    }
}

pub(super) fn write_file(
    work_dir: &Path,
    change: &FileChange,
    folders: &mut Folders,
) -> Result<(), Failed> {
    match change {
        FileChange::Create { path, text } => Ok(create_file(work_dir, path, text, folders)?),
        FileChange::Replace { path, text, .. } => {
            Ok(replace_file(work_dir, path, text.as_bytes(), folders)?)
        }
        FileChange::Move { from, to, text, .. } => move_file(work_dir, from, to, text, folders),
    }
}

/// Moves `from` to `to` with new content `text`, in two renames that each either happen or
/// not: the new content replaces the old at `from`, then `from` is renamed to `to`, which must
/// not exist. If that rename fails the old content is put back, so the state is the one before.
/// Only if putting it back fails too does the file stay at `from` with the new content, which
/// the caller records as a replace. Never a copy at both paths, not even after a crash between
/// the steps (link-then-unlink left one there whenever the unlink failed).
fn move_file(
    work_dir: &Path,
    from: &str,
    to: &str,
    text: &str,
    folders: &mut Folders,
) -> Result<(), Failed> {
    let (source, target) = (work_dir.join(from), work_dir.join(to));
    let old = fs::read(&source).map_err(io(&source))?;
    folders
        .create_dir_all(target.parent().unwrap_or(work_dir))
        .map_err(io(&target))?;
    replace_file(work_dir, from, text.as_bytes(), folders)?;
    let moved = durable::fail_point("move").and_then(|()| folders.rename_new(&source, &target));
    let Err(error) = moved else {
        return Ok(());
    };
    let put_back = durable::fail_point("move-rollback")
        .map_err(|e| WriteError::Io {
            path: from.to_owned(),
            source: e,
        })
        .and_then(|()| replace_file(work_dir, from, &old, folders));
    if let Err(second) = put_back {
        return Err(Failed {
            error: WriteError::Io {
                path: from.to_owned(),
                source: std::io::Error::new(
                    error.kind(),
                    format!(
                        "moving it to {to} failed ({error}), and putting the old content back \
                         failed too ({second}): it stays here with the new content"
                    ),
                ),
            },
            landed: Some(Box::new(FileChange::Replace {
                path: from.to_owned(),
                text: text.to_owned(),
                read: String::new(),
            })),
        });
    }
    Err(Failed::from(
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            WriteError::Exists(to.to_owned())
        } else {
            WriteError::Io {
                path: from.to_owned(),
                source: std::io::Error::new(
                    error.kind(),
                    format!("moving it to {to} failed ({error}); nothing was changed"),
                ),
            }
        },
    ))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `bytes` to a temporary file beside `path`, synced to disk; returns its path. The
/// temporary name is short, so a target name near the 255-byte limit still has room.
fn staged(
    work_dir: &Path,
    path: &str,
    bytes: &[u8],
    folders: &mut Folders,
) -> Result<PathBuf, WriteError> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let target = work_dir.join(path);
    let folder = target.parent().unwrap_or(work_dir);
    folders.create_dir_all(folder).map_err(io(folder))?;
    let temporary = folder.join(format!(
        ".roadmap-{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut file = fs::File::create(&temporary).map_err(io(&temporary))?;
    if let Err(error) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        let _ = folders.unlink(&temporary);
        return Err(io(&temporary)(error));
    }
    Ok(temporary)
}

fn create_file(
    work_dir: &Path,
    path: &str,
    text: &str,
    folders: &mut Folders,
) -> Result<(), WriteError> {
    let temporary = staged(work_dir, path, text.as_bytes(), folders)?;
    // link(2) fails if the target exists, so a file created meanwhile is never overwritten.
    let linked = folders.link(&temporary, &work_dir.join(path));
    let _ = folders.unlink(&temporary);
    match linked {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(WriteError::Exists(path.to_owned()))
        }
        other => other.map_err(io(&work_dir.join(path))),
    }
}

fn replace_file(
    work_dir: &Path,
    path: &str,
    bytes: &[u8],
    folders: &mut Folders,
) -> Result<(), WriteError> {
    let temporary = staged(work_dir, path, bytes, folders)?;
    let target = work_dir.join(path);
    folders.rename(&temporary, &target).map_err(|e| {
        let _ = folders.unlink(&temporary);
        io(&target)(e)
    })
}
