//! One commit's events: its tree diff against its first parent, the changed files read (on all
//! cores when there are many: the first commit of a history adds every file), and what each
//! issue went from and to, written into the batch with the counts it moves. Also moving the kept
//! file states back to an earlier commit when the chain is cut.

use super::event_fields::{EventFields, event_fields};
use super::events::EventLogError;
use super::store::Batch;
use super::tally::{Tallies, tally};
use crate::git::{DeltaTrees, GitRepo, ObjectId, TreeChange};
use crate::lines::{self, Line, Reader};
use crate::record::Record;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const CONFIG: &str = ".roadmap/config.yaml";

/// From this many changed files on, a commit's files are read on all cores: below it, opening
/// a reader per thread costs more than it saves (most commits change a file or three).
const READ_IN_PARALLEL: usize = 128;

/// What one changed file holds, as the event log needs it.
#[derive(Clone)]
enum Read {
    Issue(String, Box<EventFields>),
    /// A contract-line milestone file: its id and name.
    Milestone(String, String),
    Other,
}

/// Derives the events of commit `id` (at `seq`) against `previous`, its first parent, and
/// moves the file states to `id`.
pub(super) fn derive_commit(
    batch: &Batch<'_>,
    repo: &GitRepo,
    readers: &mut Readers<'_>,
    memo: &mut DeltaTrees,
    previous: Option<ObjectId>,
    id: ObjectId,
    seq: i64,
) -> Result<(), EventLogError> {
    let changes = repo.diff_remembering(previous, Some(id), memo)?;
    let reader = readers.at(id)?;
    let mut reads = read_changes(repo, &reader, &changes, id, memo)?.into_iter();
    let mut old: BTreeMap<String, EventFields> = BTreeMap::new();
    let mut new: BTreeMap<String, EventFields> = BTreeMap::new();
    for change in &changes {
        let path = path_of(change);
        let read = reads.next().flatten();
        if let Some((issue, fields)) = batch.file(path)? {
            old.entry(issue).or_insert(fields);
        }
        let issue = keep_read(batch, path, read)?;
        if let Some((issue, fields)) = issue {
            new.insert(issue, fields);
        }
    }
    let issues: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut tallies = Tallies::new();
    for issue in issues {
        tally(old.get(issue), new.get(issue), &mut tallies);
        batch.push_change(seq, issue, old.get(issue), new.get(issue))?;
    }
    batch.push_tallies(seq, &tallies)?;
    Ok(())
}

/// Moves the file states from commit `from` (the dropped tip) back to `to` (the last commit
/// kept; `None`: none, so no files): only the files that differ between the two are read.
pub(super) fn move_files(
    batch: &Batch<'_>,
    repo: &GitRepo,
    readers: &mut Readers<'_>,
    from: Option<ObjectId>,
    to: Option<ObjectId>,
    memo: &mut DeltaTrees,
) -> Result<(), EventLogError> {
    let Some(to) = to else {
        batch.clear_files()?;
        return Ok(());
    };
    let reader = readers.at(to)?;
    let changes = repo.diff_remembering(from, Some(to), memo)?;
    let reads = read_changes(repo, &reader, &changes, to, memo)?;
    for (change, read) in changes.iter().zip(reads) {
        keep_read(batch, path_of(change), read)?;
    }
    Ok(())
}

fn path_of(change: &TreeChange) -> &str {
    match change {
        TreeChange::Added { path, .. }
        | TreeChange::Modified { path, .. }
        | TreeChange::Deleted { path, .. }
        | TreeChange::NameNotUtf8 { path, .. } => path,
    }
}

/// Records the file state of `path` from what was read there (`None`: no file any more), and
/// the name of a milestone file; the issue the file holds, if any.
fn keep_read(
    batch: &Batch<'_>,
    path: &str,
    read: Option<Read>,
) -> Result<Option<(String, EventFields)>, EventLogError> {
    let issue = match read {
        Some(Read::Issue(issue, fields)) => Some((issue, *fields)),
        Some(Read::Milestone(id, name)) => {
            batch.name_milestone(&id, &name)?;
            None
        }
        Some(Read::Other) | None => None,
    };
    batch.set_file(path, issue.as_ref())?;
    Ok(issue)
}

/// What each of `changes` holds at `commit`, in their order: `None` for a file that is gone
/// (or cannot be named). Many files are read on all cores.
fn read_changes(
    repo: &GitRepo,
    reader: &Reader,
    changes: &[TreeChange],
    commit: ObjectId,
    packs: &DeltaTrees,
) -> Result<Vec<Option<Read>>, EventLogError> {
    let present = |change: &TreeChange| match change {
        TreeChange::Added { path, blob } | TreeChange::Modified { path, blob, .. } => {
            Some((path.clone(), *blob))
        }
        TreeChange::Deleted { .. } | TreeChange::NameNotUtf8 { .. } => None,
    };
    let mut files: Vec<(String, ObjectId)> = changes.iter().filter_map(present).collect();
    if files.len() < READ_IN_PARALLEL {
        return changes
            .iter()
            .map(|change| {
                present(change)
                    .map(|(path, blob)| Ok(parse(reader, &path, &repo.read_blob(blob)?)))
                    .transpose()
            })
            .collect();
    }
    // A partial clone lacks blobs: brought in one fetch, not one per reading thread's miss.
    let blobs: Vec<ObjectId> = files.iter().map(|(_, blob)| *blob).collect();
    repo.prefetch(&blobs)?;
    packs.sort_by_pack_place(&mut files);
    let mut by_path: HashMap<String, Read> = HashMap::with_capacity(files.len());
    crate::sync::read_in_parallel(
        &repo.blob_source(),
        &files,
        &commit.to_string(),
        |path, bytes| Some(parse(reader, path, bytes)),
        |path, _, read: &Read| {
            by_path.insert(path.to_owned(), read.clone());
            Ok::<(), EventLogError>(())
        },
    )?;
    Ok(changes
        .iter()
        .map(|change| present(change).and_then(|(path, _)| by_path.remove(&path)))
        .collect())
}

/// What the file at `path` holds, as the event log needs it.
fn parse(reader: &Reader, path: &str, bytes: &[u8]) -> Read {
    match reader.read(path, bytes) {
        Some(Record::Issue(issue)) => Read::Issue(issue.id.clone(), Box::new(event_fields(&issue))),
        Some(Record::Milestone(milestone)) => match milestone.id {
            Some(id) => Read::Milestone(id, milestone.name),
            None => Read::Other,
        },
        _ => Read::Other,
    }
}

/// The reader of each commit's files: the line its `config.yaml` declares, as the sync reads
/// it (see `sync::reader::line_at`), found once per config blob.
pub(super) struct Readers<'r> {
    repo: &'r GitRepo,
    work_dir: &'r Path,
    by_config: HashMap<Option<ObjectId>, Line>,
}

impl<'r> Readers<'r> {
    pub(super) fn new(repo: &'r GitRepo, work_dir: &'r Path) -> Self {
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
