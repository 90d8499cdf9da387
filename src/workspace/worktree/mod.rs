//! Changes made in the working tree by someone other than `roadmap`: the tracker's own
//! commands (forwarded to it), an editor, a script. Found as `git status` finds them, with an
//! equivalent of its index and untracked cache: the stat file ([`stat_file`]) the last look
//! left beside the cache. The [`walk`] stats every roadmap file (and lists only the folders
//! whose stat data moved); only files that moved, or whose stamp is racily clean, are read
//! and hashed. Each file whose content differs from what the cache shows ([`shown`]) becomes a
//! pending write (see [`super::pending`]), and a path the cache shows with no file becomes a
//! pending removal; the sync then shows them, by the same rule as `roadmap`'s own writes.
//!
//! When nothing moved, a look reads the stat file and one row of the cache, and writes
//! nothing. The stat file is replaced when the look found something new (under the lock;
//! skipped when the lock is busy or the folder read-only: it only saves the next look work).
//!
//! Run after every forwarded tracker command that may write, and before every query when the
//! user opts in to seeing hand edits (`--worktree`, `git config roadmap.worktree true`).

mod folder;
mod shown;
mod stat_file;
mod walk;

use super::pending::{PendingWrite, PendingWrites};
use super::{LockPurpose, Workspace};
use crate::cache::{Cache, CacheError};
use crate::lock::SyncLock;
use crate::sync::{SyncError, SyncRequest};
use crate::watch::{self, Answer, Moved, Token};
use shown::{Compared, Source};
use stat_file::{Conclusions, Head, Shown, Snapshot};
use walk::Walked;

/// What a look at the working tree found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WorktreeReport {
    /// Files that now differ from what the cache showed (new, changed or removed).
    pub recorded: usize,
    /// Files whose content had to be read (stat data moved, or racily clean).
    pub hashed: usize,
    /// The lock was busy: nothing was recorded; the next look tries again.
    pub lock_busy: bool,
    /// `.roadmap/issues` and `.roadmap/milestones` hold only documents of the 0.2 contract's
    /// layout ([`walk::Walked::contract_documents_only`]); `false` when the look walked
    /// nothing.
    pub contract_documents_only: bool,
    /// A watcher answered: only what it reported was looked at.
    pub watched: bool,
}

impl Workspace {
    /// Whether queries look at the working tree first: `git config roadmap.worktree true`.
    #[must_use]
    pub fn worktree_opt_in(&self) -> bool {
        let local = git2::Config::open(&self.dirs.common_dir.join("config"))
            .ok()
            .and_then(|c| c.get_bool("roadmap.worktree").ok());
        local
            .or_else(|| {
                git2::Config::open_default()
                    .ok()
                    .and_then(|c| c.get_bool("roadmap.worktree").ok())
            })
            .unwrap_or(false)
    }

    /// Records the roadmap files of the working tree that differ from what the cache shows as
    /// pending writes, and shows them. Read-only, and no lock, when nothing moved. With a
    /// watcher ([`crate::watch`]) only the paths it reports are looked at; a large tree looked
    /// at without one starts one.
    pub fn look_at_worktree(&self, purpose: LockPurpose) -> Result<WorktreeReport, SyncError> {
        let cache_dir = self.cache_dir();
        let cache = match Cache::open_existing(&cache_dir) {
            Ok(cache) => cache,
            // No cache yet: the first sync reads HEAD, and the next look compares with it.
            Err(CacheError::Missing(_) | CacheError::Outdated { .. }) => {
                return Ok(WorktreeReport::default());
            }
            Err(other) => return Err(other.into()),
        };
        let key = cache.shown_key()?;
        let head_bytes = stat_file::read_head(&cache_dir).unwrap_or_default();
        let head = Head::parse(&head_bytes);
        let since = head.and_then(|h| Token::parse(h.token));
        let answer = watch::ask(self.work_dir(), since);
        if let Some(report) = unchanged(head, &key, answer.as_ref()) {
            return Ok(report);
        }
        let bytes = stat_file::read(&cache_dir).unwrap_or_default();
        let before = Snapshot::parse(&bytes);
        // The report holds for this stat file only if it is the one the question came from.
        let moved = match &answer {
            Some(Answer::Changed(_, paths))
                if since.is_some()
                    && before.as_ref().and_then(|b| Token::parse(b.head.token)) == since =>
            {
                Some(Moved::from_paths(paths.iter().map(String::as_str)))
            }
            _ => None,
        };
        // Without an answer the last token is kept: this look's records hold for a later
        // moment than it names, so "what changed since" it still covers every later change.
        let token = match &answer {
            Some(answer) => answer.token().to_string(),
            None => before
                .as_ref()
                .map(|b| b.head.token.to_owned())
                .unwrap_or_default(),
        };
        let walked = walk::walk(
            self.work_dir(),
            before.as_ref(),
            moved.as_ref(),
            self.object_format(),
            now_ns(),
        );
        if answer.is_none() {
            self.start_watcher(walked.files.len());
        }
        let trusted = before.as_ref().filter(|b| b.head.key == key);
        let rows;
        let (key, compared) = match trusted {
            Some(before) => (key, shown::compare(&walked, &Source::Recorded(before))),
            None => {
                let (key, read) = cache.shown_state()?;
                rows = read;
                (key, shown::compare(&walked, &Source::Rows(&rows)))
            }
        };
        drop(cache);
        let writes = pending_writes(&walked, &compared);
        let mut report = WorktreeReport {
            recorded: writes.len(),
            hashed: walked.hashed,
            lock_busy: false,
            contract_documents_only: walked.contract_documents_only(),
            watched: answer.is_some(),
        };
        if std::env::var_os("ROADMAP_DEBUG_LOOK").is_some() {
            eprintln!(
                "roadmap: look: watched {}, trusted {}, hashed {}, listed {}, files {}",
                report.watched,
                walked.trusted,
                walked.hashed,
                walked.listed,
                walked.files.len()
            );
        }
        let token = token.as_str();
        let nothing_moved = trusted.is_some_and(|before| {
            walked.hashed == 0
                && walked.listed == 0
                && walked.files.len() == before.files.len()
                && walked.folders.len() == before.folders.len()
                && before.head.token == token
                && before.head.conclusions.settled
        });
        let mut head = Head {
            key: &key,
            token,
            conclusions: Conclusions {
                contract_documents_only: report.contract_documents_only,
                settled: true,
            },
        };
        if writes.is_empty() {
            if !nothing_moved {
                // Only the stat file to bring up to date: not worth waiting for a busy lock.
                if let Ok(Some(lock)) = self.lock(LockPurpose::Probe) {
                    self.save_stat_file(head, &walked, &compared, &lock);
                }
            }
            return Ok(report);
        }
        let Some(lock) = self.lock(purpose)? else {
            report.lock_busy = true;
            return Ok(report);
        };
        let mut pending = PendingWrites::load(&cache_dir);
        for write in writes {
            pending.record(write);
        }
        pending
            .save(&cache_dir, &lock)
            .map_err(|source| SyncError::Pending {
                path: cache_dir.display().to_string(),
                source,
            })?;
        let request = SyncRequest {
            full: false,
            progress: true,
        };
        crate::sync::sync(&self.dirs, self.repo()?, &lock, &request)?;
        // What the cache shows now: the sync shows each write that still holds.
        let (key, rows) = Cache::open_existing(&cache_dir)?.shown_state()?;
        let compared = shown::compare(&walked, &Source::Rows(&rows));
        head.key = &key;
        head.conclusions.settled = pending_writes(&walked, &compared).is_empty();
        self.save_stat_file(head, &walked, &compared, &lock);
        Ok(report)
    }

    /// The look's report when a watcher says nothing changed since the last look, which left
    /// `cache` (this workspace's, open) showing every file: known without a look, in well
    /// under a millisecond. `None` when a look is needed (no watcher, changes).
    #[must_use]
    pub fn watched_unchanged(&self, cache: &Cache) -> Option<WorktreeReport> {
        let key = cache.shown_key().ok()?;
        let head_bytes = stat_file::read_head(&self.cache_dir())?;
        let head = Head::parse(&head_bytes)?;
        let answer = watch::ask(self.work_dir(), Some(Token::parse(head.token)?))?;
        unchanged(Some(head), &key, Some(&answer))
    }

    /// Starts a watcher after a look without one at `files` files: where a look costs more
    /// than starting one (`git config roadmap.watch` true or false decides for any size).
    fn start_watcher(&self, files: usize) {
        /// About 4 ms of `fstatat` on the machine of BENCHMARKS.md.
        const FILES_WORTH_A_WATCHER: usize = 2_000;
        let config = git2::Config::open(&self.dirs.common_dir.join("config"))
            .ok()
            .and_then(|c| c.get_bool("roadmap.watch").ok());
        if config.unwrap_or(files >= FILES_WORTH_A_WATCHER) {
            watch::start(self.work_dir());
        }
    }

    /// Replaces the stat file with what this look found. A failure is not reported: without
    /// the file the next look reads every file, and a read-only cache folder stays usable.
    fn save_stat_file(
        &self,
        head: Head<'_>,
        walked: &Walked<'_>,
        compared: &Compared,
        lock: &SyncLock,
    ) {
        let bytes = stat_file_bytes(head, walked, compared);
        let _ = stat_file::save(&self.cache_dir(), &bytes, lock);
    }
}

/// The report of a look the watcher's `answer` makes needless: nothing changed since the
/// stat file's `head` was saved, the cache still shows what it showed then (`key`), and it
/// showed every file as it was.
fn unchanged(head: Option<Head<'_>>, key: &str, answer: Option<&Answer>) -> Option<WorktreeReport> {
    let head = head?;
    let Some(Answer::Changed(_, paths)) = answer else {
        return None;
    };
    if !(paths.is_empty() && head.key == key && head.conclusions.settled) {
        return None;
    }
    if std::env::var_os("ROADMAP_DEBUG_LOOK").is_some() {
        eprintln!("roadmap: look: watched true, nothing changed");
    }
    Some(WorktreeReport {
        contract_documents_only: head.conclusions.contract_documents_only,
        watched: true,
        ..WorktreeReport::default()
    })
}

/// The pending writes a look found: each walked file whose blob is not the one shown, and each
/// path shown with no file.
fn pending_writes(walked: &Walked<'_>, compared: &Compared) -> Vec<PendingWrite> {
    let mut writes = Vec::new();
    for (file, shown) in walked.files.iter().zip(&compared.shown) {
        match file.blob {
            Some(blob) if *shown != Some(blob) => writes.push(PendingWrite::with_stat(
                &file.path(walked),
                &blob.to_string(),
                file.stat.size,
                file.stat.mtime_ns,
            )),
            _ => {}
        }
    }
    for (path, _) in &compared.unmatched {
        writes.push(PendingWrite::new(path, "", None));
    }
    writes
}

/// The stat file of a walk: every folder and file, with the blobs `compared` says are shown.
fn stat_file_bytes(head: Head<'_>, walked: &Walked<'_>, compared: &Compared) -> Vec<u8> {
    let mut writer = stat_file::Writer::new(head, 64 + walked.files.len() * 104);
    for folder in &walked.folders {
        writer.folder(
            &folder.path,
            folder.stat,
            folder.stamped_ns,
            folder.files.len(),
        );
        for i in folder.files.clone() {
            let file = &walked.files[i];
            // A file that could not be read keeps its place in its folder's entries, with stat
            // data no file has (inode 0), so the next look reads it again.
            let (stat, blob) = match file.blob {
                Some(blob) => (file.stat, blob),
                None => (folder::Stat::default(), stat_file::no_blob()),
            };
            let shown = Shown::relative_to(compared.shown[i], blob);
            writer.file(&file.name, stat, file.stamped_ns, blob, shown);
        }
        writer.subfolders(folder.subfolders.iter().map(AsRef::as_ref), folder.strays);
    }
    writer.finish(&compared.unmatched)
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}
