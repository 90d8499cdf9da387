//! Brings the event log to HEAD: finds where HEAD's first-parent line leaves the chain, drops
//! what follows there (a rebase, a reset, a forced pull), and derives the events of each new
//! commit from its in-memory tree diff against its first parent, in batches.
//!
//! Why the first-parent line: it is the history of the branch as it landed, each commit once.
//! A merge's events are what it brought into the line (its diff against its first parent), so
//! the commits of a merged branch are never counted twice, and replaying the line's events
//! gives the files of every commit on it.

use super::event_fields::{EventFields, changed_fields, event_fields};
use super::events::EventLogError;
use super::progress::Progress;
use super::store::{Batch, ChainCommit, EventLog, StoredEvent};
use super::tally::{Tallies, tally};
use crate::git::{GitRepo, ObjectId, TreeChange, TreeMemo};
use crate::lines::{self, Line, Reader};
use crate::record::Record;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

/// A batch ends after this many commits, or [`BATCH_TIME`]: what an interruption can lose.
const BATCH_COMMITS: usize = 100;
const BATCH_TIME: Duration = Duration::from_secs(1);
const CONFIG: &str = ".roadmap/config.yaml";

/// What bringing the log to HEAD did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Walked {
    /// Commits whose events were derived.
    pub derived: usize,
    /// Commits dropped from the chain because HEAD's line no longer holds them.
    pub dropped: usize,
}

/// A commit to derive: its id and what the chain records of it.
struct NewCommit {
    id: git2::Oid,
    committed_at: i64,
    author: String,
}

/// Brings `log` to HEAD of `repo` (whose working tree is `work_dir`), with a progress bar on
/// stderr when `progress` and stderr is a terminal.
pub fn bring_to_head(
    log: &mut EventLog,
    repo: &GitRepo,
    work_dir: &Path,
    progress: bool,
) -> Result<Walked, EventLogError> {
    // Another process extending the log at the same time makes this one start over once it
    // gets the write lock. Each start over means the other one moved the log on, so it ends
    // at HEAD soon; the bound only guards against a defect looping for ever.
    let mut walked = Walked::default();
    for _ in 0..100 {
        match try_bring_to_head(log, repo, work_dir, progress, &mut walked)? {
            true => return Ok(walked),
            false => continue,
        }
    }
    Ok(walked)
}

/// One attempt; `Ok(false)` when another writer moved the chain under it.
fn try_bring_to_head(
    log: &mut EventLog,
    repo: &GitRepo,
    work_dir: &Path,
    progress: bool,
    walked: &mut Walked,
) -> Result<bool, EventLogError> {
    crate::git::revisions::trust_object_database();
    let git = repo.libgit2()?;
    let head = repo.head()?.and_then(|id| id.to_git2());
    let tip = log.tip()?;
    if tip.as_ref().map(|t| t.commit_id.as_str()) == head.map(|h| h.to_string()).as_deref() {
        return Ok(true);
    }
    // HEAD's line back to the first commit the chain holds, newest first.
    let mut fresh = Vec::new();
    let mut kept: Option<(i64, git2::Oid)> = None;
    let mut next = head;
    while let Some(id) = next {
        if let Some(seq) = log.seq_of(&id.to_string())? {
            kept = Some((seq, id));
            break;
        }
        let commit = git.find_commit(id)?;
        fresh.push(NewCommit {
            id,
            committed_at: commit.committer().when().seconds(),
            author: String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
        });
        next = commit.parent_id(0).ok();
    }
    fresh.reverse();
    let kept_seq = kept.map_or(0, |(seq, _)| seq);
    let mut readers = Readers::new(repo, work_dir);
    let mut memo = RecentTrees::default();
    let mut bar = Progress::new(progress, fresh.len());
    let mut batch = log.batch()?;
    if batch.tip()? != tip {
        return Ok(false);
    }
    if let Some(tip) = tip.as_ref().filter(|t| t.seq > kept_seq) {
        walked.dropped += usize::try_from(tip.seq - kept_seq)?;
        batch.truncate_after(kept_seq)?;
        let from = ObjectId::from_hex(&tip.commit_id);
        let to = kept.map(|(_, id)| ObjectId::from(id));
        move_files(&batch, repo, &mut readers, from, to, &mut memo)?;
    }
    let mut previous = kept.map(|(_, id)| ObjectId::from(id));
    let (mut in_batch, mut started, mut batches) = (0, Instant::now(), 0);
    for (offset, commit) in fresh.iter().enumerate() {
        let seq = kept_seq + 1 + i64::try_from(offset)?;
        let id = ObjectId::from(commit.id);
        derive_commit(&batch, repo, &mut readers, &mut memo, previous, id, seq)?;
        batch.push_commit(&ChainCommit {
            seq,
            commit_id: commit.id.to_string(),
            committed_at: commit.committed_at,
            author: commit.author.clone(),
        })?;
        previous = Some(id);
        walked.derived += 1;
        in_batch += 1;
        bar.tick();
        if in_batch >= BATCH_COMMITS || started.elapsed() >= BATCH_TIME {
            batch.commit()?;
            batches += 1;
            crate::sync::pause_for_tests(&format!("history-batch-{batches}"));
            batch = log.batch()?;
            // Another process may have extended or cut the chain between the two batches.
            if batch.tip()?.map(|t| t.seq) != Some(seq) {
                bar.finish();
                return Ok(false);
            }
            (in_batch, started) = (0, Instant::now());
        }
    }
    batch.commit()?;
    bar.finish();
    Ok(true)
}

/// Derives the events of commit `id` (at `seq`) against `previous`, its first parent, and
/// moves the file states to `id`.
fn derive_commit(
    batch: &Batch<'_>,
    repo: &GitRepo,
    readers: &mut Readers<'_>,
    memo: &mut RecentTrees,
    previous: Option<ObjectId>,
    id: ObjectId,
    seq: i64,
) -> Result<(), EventLogError> {
    let changes = repo.diff_remembering(previous, Some(id), memo)?;
    memo.next_diff();
    let reader = readers.at(id)?;
    let mut old: BTreeMap<String, EventFields> = BTreeMap::new();
    let mut new: BTreeMap<String, EventFields> = BTreeMap::new();
    for change in changes {
        let (path, blob) = match change {
            TreeChange::Added { path, blob } | TreeChange::Modified { path, blob, .. } => {
                (path, Some(blob))
            }
            TreeChange::Deleted { path, .. } | TreeChange::NameNotUtf8 { path, .. } => (path, None),
        };
        if let Some((issue, fields)) = batch.file(&path)? {
            old.entry(issue).or_insert(fields);
        }
        let read = match blob {
            Some(blob) => read_issue(batch, repo, &reader, &path, blob)?,
            None => None,
        };
        batch.set_file(&path, read.as_ref())?;
        if let Some((issue, fields)) = read {
            new.insert(issue, fields);
        }
    }
    let issues: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut tallies = Tallies::new();
    for issue in issues {
        tally(old.get(issue), new.get(issue), &mut tallies);
        for (field, before, after) in changed_fields(old.get(issue), new.get(issue)) {
            batch.push_event(&StoredEvent {
                seq,
                issue: issue.clone(),
                field,
                old: before,
                new: after,
            })?;
        }
    }
    batch.push_tallies(seq, &tallies)?;
    Ok(())
}

/// Moves the file states from commit `from` (the dropped tip) back to `to` (the last commit
/// kept; `None`: none, so no files): only the files that differ between the two are read.
fn move_files(
    batch: &Batch<'_>,
    repo: &GitRepo,
    readers: &mut Readers<'_>,
    from: Option<ObjectId>,
    to: Option<ObjectId>,
    memo: &mut RecentTrees,
) -> Result<(), EventLogError> {
    let Some(to) = to else {
        batch.clear_files()?;
        return Ok(());
    };
    let reader = readers.at(to)?;
    for change in repo.diff_remembering(from, Some(to), memo)? {
        let (path, read) = match change {
            TreeChange::Added { path, blob } | TreeChange::Modified { path, blob, .. } => {
                let read = read_issue(batch, repo, &reader, &path, blob)?;
                (path, read)
            }
            TreeChange::Deleted { path, .. } | TreeChange::NameNotUtf8 { path, .. } => (path, None),
        };
        batch.set_file(&path, read.as_ref())?;
    }
    memo.next_diff();
    Ok(())
}

/// The issue the file at `path` holds (`None` for any other file), remembering the names of
/// milestone files on the way.
fn read_issue(
    batch: &Batch<'_>,
    repo: &GitRepo,
    reader: &Reader,
    path: &str,
    blob: ObjectId,
) -> Result<Option<(String, EventFields)>, EventLogError> {
    let bytes = repo.read_blob(blob)?;
    Ok(match reader.read(path, &bytes) {
        Some(Record::Issue(issue)) => Some((issue.id.clone(), event_fields(&issue))),
        Some(Record::Milestone(milestone)) => {
            if let Some(id) = &milestone.id {
                batch.name_milestone(id, &milestone.name)?;
            }
            None
        }
        _ => None,
    })
}

/// The reader of each commit's files: the line its `config.yaml` declares, as the sync reads
/// it (see `sync::reader::line_at`), found once per config blob.
struct Readers<'r> {
    repo: &'r GitRepo,
    work_dir: &'r Path,
    by_config: HashMap<Option<ObjectId>, Line>,
}

impl<'r> Readers<'r> {
    fn new(repo: &'r GitRepo, work_dir: &'r Path) -> Self {
        Readers {
            repo,
            work_dir,
            by_config: HashMap::new(),
        }
    }

    fn at(&mut self, commit: ObjectId) -> Result<Reader, EventLogError> {
        let config = self
            .repo
            .blob_ids_at(Some(commit), &[CONFIG])?
            .remove(CONFIG);
        let line = match self.by_config.get(&config) {
            Some(line) => *line,
            None => {
                let line = match config {
                    Some(blob) => lines::line_of_config(Some(&self.repo.read_blob(blob)?)),
                    None => lines::workspace_line(&self.work_dir.join(".roadmap")),
                };
                self.by_config.insert(config, line);
                line
            }
        };
        Ok(Reader::new(line))
    }
}

/// The trees of the last two diffs: walking a line of commits, each diff's old trees are the
/// new trees of the diff before.
#[derive(Default)]
struct RecentTrees {
    current: HashMap<git2::Oid, Vec<u8>>,
    previous: HashMap<git2::Oid, Vec<u8>>,
}

impl RecentTrees {
    fn next_diff(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}

impl TreeMemo for RecentTrees {
    fn get(&mut self, id: git2::Oid) -> Option<Vec<u8>> {
        // Not kept again: on a line of commits, a tree the diff before read as new is read as
        // old now, and the next diff needs only this one's new trees.
        self.current
            .get(&id)
            .or_else(|| self.previous.get(&id))
            .cloned()
    }

    fn offer(&mut self, id: git2::Oid, data: &[u8]) {
        self.current.insert(id, data.to_vec());
    }
}
