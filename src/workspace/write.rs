//! Compare-and-swap writes of roadmap files, then the cache in step.
//!
//! Every change says what it was computed from: the blob id of the file as it was read (git's
//! `update-ref <new> <old>` is the model), or that the path must not exist. Under the sync lock
//! each file is checked to still hold exactly that; if any does not, nothing is written and the
//! caller hears which issue changed meanwhile. Then the files are written atomically (temporary
//! file + rename; `link` for a new file, so a file created meanwhile is never overwritten; a
//! move is two renames, never two copies; `files` says how), the folders fsynced once each
//! ([`crate::durable`]), the writes recorded as pending (see [`super::pending`]), and the cache
//! rows updated, in one transaction. What landed on disk is what is recorded, also when a write
//! fails part way. If the cache update fails, the files and the records stand, and the next
//! query reconciles the cache with them.

use super::files::write_file;
use super::pending::{PendingWrite, PendingWrites};
use super::{LockPurpose, SyncLock, Workspace};
use crate::cache::{Cache, CacheError, meta};
use crate::durable::Folders;
use crate::issue::{Issue, to_json};
use crate::lines::{Line, Reader};
use crate::record::Record;
use crate::sync::{self, SyncRequest};
use std::fs;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} already exists; not overwriting it")]
    Exists(String),
    #[error(
        "{path} changed since it was read (by another command or an editor); nothing was written"
    )]
    ChangedMeanwhile { path: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("another roadmap command held the sync lock for {} s; nothing was written", LockPurpose::Write.wait().as_secs())]
    Busy,
    #[error(transparent)]
    Lock(#[from] super::LockError),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    #[error(transparent)]
    Tracker(#[from] super::tracker_lock::TrackerLockError),
}

/// An issue file as read from the working tree, with the id a later write compares against.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub path: String,
    pub text: String,
    /// git's blob id of `text`.
    pub blob: String,
}

/// What a write changes on disk, and what it was computed from.
#[derive(Debug, Clone)]
pub enum FileChange {
    /// A new file; fails rather than overwrite one.
    Create { path: String, text: String },
    /// New content for the file that held blob `read`.
    Replace {
        path: String,
        text: String,
        read: String,
    },
    /// New content at a new path (archive, milestone change, new title); the old file, which
    /// held blob `read`, is removed.
    Move {
        from: String,
        to: String,
        text: String,
        read: String,
    },
}

impl FileChange {
    /// The path written and its new content.
    #[must_use]
    pub fn target(&self) -> (&str, &str) {
        match self {
            FileChange::Create { path, text } | FileChange::Replace { path, text, .. } => {
                (path, text)
            }
            FileChange::Move { to, text, .. } => (to, text),
        }
    }
}

/// What was written, and a note when the cache could not follow.
#[derive(Debug)]
pub struct Written {
    pub path: String,
    pub issue: Issue,
    pub cache_note: Option<String>,
}

impl Workspace {
    /// Reads the issue file at `path` in the working tree, for a change computed from it.
    pub fn read_file(&self, path: &str) -> Result<ReadFile, WriteError> {
        let bytes = fs::read(self.work_dir().join(path)).map_err(|source| WriteError::Io {
            path: path.to_owned(),
            source,
        })?;
        let blob = self.blob_id(&bytes);
        let text = String::from_utf8(bytes).map_err(|_| WriteError::Invalid {
            path: path.to_owned(),
            message: "not UTF-8 text".into(),
        })?;
        Ok(ReadFile {
            path: path.to_owned(),
            text,
            blob,
        })
    }

    /// Checks `change`, writes it if its file still holds what it was computed from, then
    /// records it in the cache.
    pub fn write(&self, change: &FileChange) -> Result<Written, WriteError> {
        let mut written = self.write_all(std::slice::from_ref(change))?;
        Ok(written.remove(0))
    }

    /// Checks every change, and under the lock that every file still holds what its change
    /// was computed from; then writes them one by one and records them in the cache in one
    /// transaction. Nothing is written unless every change is valid and current; a write that
    /// fails stops the rest, and the ones before it are still recorded.
    pub fn write_all(&self, changes: &[FileChange]) -> Result<Vec<Written>, WriteError> {
        let line = self.line();
        let reader = self.reader_for_writes(line);
        let issues = changes
            .iter()
            .map(|change| {
                let (path, text) = change.target();
                validate(&reader, path, text)
            })
            .collect::<Result<Vec<Issue>, WriteError>>()?;
        let lock = self.lock(LockPurpose::Write)?.ok_or(WriteError::Busy)?;
        // On the contract line roadmap-cli writes the same files: its lock is taken after ours
        // (it never takes ours, so the order cannot deadlock) and held until the files are
        // written, so the compare below also sees every write of the tracker's.
        let _tracker_lock = match line {
            Line::Contract => Some(super::tracker_lock::take(
                &self.work_dir().join(".roadmap"),
                || {
                    eprintln!(
                        "roadmap: waiting for roadmap-cli to finish a write (.roadmap/db/canonical-write.lock)"
                    );
                },
            )?),
            Line::Legacy => None,
        };
        let work_dir = self.work_dir();
        for change in changes {
            still_current(work_dir, change)?;
        }
        let mut folders = Folders::new();
        let (mut landed, mut landed_issues) = (Vec::new(), Vec::new());
        let mut failure = None;
        for (change, issue) in changes.iter().zip(&issues) {
            match write_file(work_dir, change, &mut folders) {
                Ok(()) => {
                    landed.push(change.clone());
                    landed_issues.push(issue.clone());
                }
                Err(failed) => {
                    // A move stopped half way that could not be undone: record what is there.
                    if let Some(change) = failed.landed {
                        let (path, text) = change.target();
                        if let Ok(issue) = validate(&reader, path, text) {
                            landed.push(*change);
                            landed_issues.push(issue);
                        }
                    }
                    failure = Some(failed.error);
                    break;
                }
            }
        }
        // Before the records: a record must not name a write a power cut could still undo.
        if let Err(source) = folders.sync() {
            failure.get_or_insert(WriteError::Io {
                path: work_dir.display().to_string(),
                source,
            });
        }
        let cache_note = self
            .record(&lock, &landed, &landed_issues)
            .err()
            .map(|error| {
                format!("the file is written, but the cache could not follow ({error}); the next query will catch up")
            });
        if let Some(error) = failure {
            return Err(error);
        }
        Ok(changes
            .iter()
            .zip(issues)
            .map(|(change, issue)| Written {
                path: change.target().0.to_owned(),
                issue,
                cache_note: cache_note.clone(),
            })
            .collect())
    }

    /// Records the written files as pending writes, then shows them in the cache.
    fn record(
        &self,
        lock: &SyncLock,
        changes: &[FileChange],
        issues: &[Issue],
    ) -> Result<(), String> {
        if changes.is_empty() {
            return Ok(());
        }
        let cache_dir = self.cache_dir();
        let mut pending = PendingWrites::load(&cache_dir);
        let cache = Cache::open_existing(&cache_dir).ok();
        // Only when the cache shows every earlier record may this write just add its own rows;
        // otherwise (no cache yet, a write killed half-way) the sync applies them all.
        let up_to_date = match &cache {
            Some(cache) => {
                cache
                    .metadata(meta::PENDING_APPLIED)
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default()
                    == pending.digest()
            }
            None => false,
        };
        for change in changes {
            let (path, text) = change.target();
            let metadata = fs::metadata(self.work_dir().join(path)).map_err(|e| e.to_string())?;
            if let FileChange::Move { from, .. } = change {
                pending.record(PendingWrite::new(from, "", None));
            }
            pending.record(PendingWrite::new(
                path,
                &self.blob_id(text.as_bytes()),
                Some(&metadata),
            ));
        }
        pending.save(&cache_dir, lock).map_err(|e| e.to_string())?;
        match cache {
            Some(mut cache) if up_to_date => {
                let format = self.object_format();
                show_in_cache(&mut cache, changes, issues, &pending, format)
                    .map_err(|e| e.to_string())
            }
            _ => {
                let request = SyncRequest {
                    full: false,
                    progress: true,
                };
                let repo = self.repo().map_err(|e| e.to_string())?;
                sync::sync(&self.dirs, repo, lock, &request)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
        }
    }
}

fn show_in_cache(
    cache: &mut Cache,
    changes: &[FileChange],
    issues: &[Issue],
    pending: &PendingWrites,
    format: crate::git::ObjectFormat,
) -> Result<(), CacheError> {
    let mut tx = cache.transaction()?;
    for (change, issue) in changes.iter().zip(issues) {
        let (path, text) = change.target();
        if let FileChange::Move { from, .. } = change {
            tx.remove(from)?;
        }
        tx.upsert_issue(
            path,
            &format.blob_id(text.as_bytes()),
            issue,
            &to_json(issue, path),
        )?;
    }
    tx.set_metadata(meta::PENDING_APPLIED, &pending.digest())?;
    tx.commit_local()
}

/// The new content must read as an issue at its path on the workspace's line, or nothing is
/// written.
fn validate(reader: &Reader, path: &str, text: &str) -> Result<Issue, WriteError> {
    let invalid = |message: String| WriteError::Invalid {
        path: path.to_owned(),
        message,
    };
    match reader.read(path, text.as_bytes()) {
        Some(Record::Issue(issue)) => Ok(*issue),
        Some(Record::Invalid(error)) => Err(invalid(error.to_string())),
        _ => Err(invalid("not a path for an issue file".into())),
    }
}

impl Workspace {
    /// The line the working tree's `.roadmap/config.yaml` declares.
    #[must_use]
    pub fn line(&self) -> Line {
        crate::lines::workspace_line(&self.work_dir().join(".roadmap"))
    }

    /// The reader written files are checked and shown with: the cache's, which knows the
    /// milestone names, when it read the same line; else a plain one for `line`.
    fn reader_for_writes(&self, line: Line) -> Reader {
        Cache::open_existing(&self.cache_dir())
            .ok()
            .and_then(|cache| sync::reader_of_cache(&cache).ok())
            .filter(|reader| reader.line() == line)
            .unwrap_or_else(|| Reader::new(line))
    }
}

/// The compare of compare-and-swap: each file still holds what the change was computed from.
fn still_current(work_dir: &Path, change: &FileChange) -> Result<(), WriteError> {
    let absent = |path: &str| match fs::symlink_metadata(work_dir.join(path)) {
        Ok(_) => Err(WriteError::Exists(path.to_owned())),
        Err(_) => Ok(()),
    };
    let holds = |path: &str, read: &str| match fs::read(work_dir.join(path)) {
        Ok(bytes) if crate::git::object_id::is_blob_of(read, &bytes) => Ok(()),
        _ => Err(WriteError::ChangedMeanwhile {
            path: path.to_owned(),
        }),
    };
    match change {
        FileChange::Create { path, .. } => absent(path),
        FileChange::Replace { path, read, .. } => holds(path, read),
        FileChange::Move { from, to, read, .. } => {
            holds(from, read)?;
            absent(to)
        }
    }
}
