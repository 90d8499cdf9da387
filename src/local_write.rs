//! Writes made by `roadmap` itself (create, update, close, archive, edit): the file first,
//! atomically, then the cache in step under the sync lock. The row stays marked pending until a
//! commit holds the file (see `pending`), so discarding the edit brings HEAD's content back.
//!
//! If the file write fails, the cache is untouched. If the cache update fails, the file stands
//! and the next sync after a commit picks it up; the caller is told.

use crate::cache::{Cache, CacheError};
use crate::git::RepoDirs;
use crate::issue::{Issue, to_json};
use crate::layout::{RoadmapFile, classify};
use crate::lock::SyncLock;
use crate::pending::modified_ns;
use crate::sync::{self, SyncRequest};
use git2::{ObjectType, Oid, Repository};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

const LOCK_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} already exists; not overwriting it")]
    Exists(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the repository has no working tree")]
    NoWorkingTree,
}

/// What a write changes on disk.
#[derive(Debug, Clone)]
pub enum FileChange {
    /// A new file; fails rather than overwrite one.
    Create { path: String, text: String },
    /// New content for an existing file.
    Replace { path: String, text: String },
    /// New content at a new path (archive, milestone change); the old file is removed.
    Move {
        from: String,
        to: String,
        text: String,
    },
}

impl FileChange {
    fn target(&self) -> (&str, &str) {
        match self {
            FileChange::Create { path, text } | FileChange::Replace { path, text } => (path, text),
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

/// Checks `change`, writes it to the working tree of `repo`, then records it in the cache.
pub fn write(repo: &Repository, change: &FileChange) -> Result<Written, WriteError> {
    let mut written = write_all(repo, std::slice::from_ref(change))?;
    Ok(written.remove(0))
}

/// Checks every change, writes them to the working tree one by one, then records those written
/// in the cache in one transaction. Nothing is written unless every change is valid; a write
/// that fails stops the rest, and the ones before it are still recorded.
pub fn write_all(repo: &Repository, changes: &[FileChange]) -> Result<Vec<Written>, WriteError> {
    let work_dir = repo.workdir().ok_or(WriteError::NoWorkingTree)?.to_owned();
    let issues = changes
        .iter()
        .map(|change| {
            let (path, text) = change.target();
            validate(path, text)
        })
        .collect::<Result<Vec<Issue>, WriteError>>()?;
    let mut done = 0;
    let mut failure = None;
    for change in changes {
        if let Err(error) = write_file(&work_dir, change) {
            failure = Some(error);
            break;
        }
        done += 1;
    }
    let cache_note = record_in_cache(repo, &work_dir, &changes[..done], &issues[..done])
        .err()
        .map(|error| {
            format!("the file is written, but the cache could not follow ({error}); it will once the change is committed")
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

fn write_file(work_dir: &Path, change: &FileChange) -> Result<(), WriteError> {
    match change {
        FileChange::Create { path, text } => create_file(work_dir, path, text),
        FileChange::Replace { path, text } => replace_file(work_dir, path, text),
        FileChange::Move { from, to, text } => {
            if fs::symlink_metadata(work_dir.join(to)).is_ok() {
                return Err(WriteError::Exists(to.clone()));
            }
            replace_file(work_dir, to, text)?;
            fs::remove_file(work_dir.join(from)).map_err(|source| WriteError::Io {
                path: from.clone(),
                source,
            })
        }
    }
}

/// The new content must read as an issue at its path, or nothing is written.
fn validate(path: &str, text: &str) -> Result<Issue, WriteError> {
    let Some(RoadmapFile::Issue(context)) = classify(path) else {
        return Err(WriteError::Invalid {
            path: path.to_owned(),
            message: "not a path for an issue file".into(),
        });
    };
    Issue::parse(text.as_bytes(), &context).map_err(|error| WriteError::Invalid {
        path: path.to_owned(),
        message: error.to_string(),
    })
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `text` to a temporary file beside `path`, synced to disk; returns its path.
fn staged(work_dir: &Path, path: &str, text: &str) -> Result<PathBuf, WriteError> {
    let target = work_dir.join(path);
    let folder = target.parent().unwrap_or(work_dir);
    fs::create_dir_all(folder).map_err(io(folder))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.roadmap-{}.tmp", std::process::id()));
    let mut file = fs::File::create(&temporary).map_err(io(&temporary))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io(&temporary))?;
    Ok(temporary)
}

fn create_file(work_dir: &Path, path: &str, text: &str) -> Result<(), WriteError> {
    let temporary = staged(work_dir, path, text)?;
    // link(2) fails if the target exists, so a file created meanwhile is never overwritten.
    let linked = fs::hard_link(&temporary, work_dir.join(path));
    let _ = fs::remove_file(&temporary);
    match linked {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(WriteError::Exists(path.to_owned()))
        }
        other => other.map_err(io(&work_dir.join(path))),
    }
}

fn replace_file(work_dir: &Path, path: &str, text: &str) -> Result<(), WriteError> {
    let temporary = staged(work_dir, path, text)?;
    let target = work_dir.join(path);
    fs::rename(&temporary, &target).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        io(&target)(e)
    })
}

/// Records the written files in the cache as pending local writes, in one transaction.
fn record_in_cache(
    repo: &Repository,
    work_dir: &Path,
    changes: &[FileChange],
    issues: &[Issue],
) -> Result<(), String> {
    if changes.is_empty() {
        return Ok(());
    }
    let dirs = RepoDirs::of(repo);
    if Cache::open_existing(&dirs.cache_dir()).is_err() {
        // No usable cache yet: build it from HEAD first (the sync takes the lock itself).
        sync::sync(
            repo,
            &SyncRequest {
                full: false,
                lock_wait: LOCK_WAIT,
                progress: true,
            },
        )
        .map_err(|e| e.to_string())?;
    }
    let lock_path = dirs.cache_dir().join("sync.lock");
    let lock = SyncLock::acquire(&lock_path, LOCK_WAIT).map_err(|e| e.to_string())?;
    let _lock = lock.ok_or("another sync held the lock")?;
    let mut cache = Cache::open_existing(&dirs.cache_dir()).map_err(|e| e.to_string())?;
    let mut stamped = Vec::with_capacity(changes.len());
    for change in changes {
        let (path, text) = change.target();
        let metadata = fs::metadata(work_dir.join(path)).map_err(|e| e.to_string())?;
        let blob = Oid::hash_object(ObjectType::Blob, text.as_bytes())
            .map_err(|e| e.to_string())?
            .to_string();
        stamped.push((metadata, blob));
    }
    let mut tx = cache.transaction().map_err(|e| e.to_string())?;
    let result = (|| {
        for ((change, issue), (metadata, blob)) in changes.iter().zip(issues).zip(&stamped) {
            let path = change.target().0;
            if let FileChange::Move { from, .. } = change {
                tx.remove(from)?;
                tx.record_pending(from, "", 0, 0)?;
            }
            tx.upsert_issue(path, blob, issue, &to_json(issue, path))?;
            tx.record_pending(path, blob, metadata.len(), modified_ns(metadata))?;
        }
        Ok::<(), CacheError>(())
    })();
    result
        .and_then(|()| tx.commit_local())
        .map_err(|e| e.to_string())
}

/// Returns a new issue id in the tracker's form (8 lowercase hex digits) that no file uses.
pub fn new_id(cache: &Cache) -> Result<String, WriteError> {
    for _ in 0..100 {
        let id = format!("{:08x}", random_u32()?);
        if cache.issue_paths(&id).is_ok_and(|paths| paths.is_empty()) {
            return Ok(id);
        }
    }
    Err(WriteError::Invalid {
        path: ".roadmap/issues".into(),
        message: "could not find an unused id".into(),
    })
}

fn random_u32() -> Result<u32, WriteError> {
    let mut bytes = [0u8; 4];
    let mut source = fs::File::open("/dev/urandom").map_err(io(Path::new("/dev/urandom")))?;
    std::io::Read::read_exact(&mut source, &mut bytes).map_err(io(Path::new("/dev/urandom")))?;
    Ok(u32::from_le_bytes(bytes))
}

/// The current time as the tracker writes timestamps: `2026-11-25T09:05:01.123456+00:00`.
#[must_use]
pub fn now_timestamp() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = i64::try_from(since.as_secs()).unwrap_or(0);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = crate::issue::timestamp::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_micros()
    )
}
