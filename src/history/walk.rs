//! Brings the event log to HEAD: finds where HEAD's first-parent line leaves the chain, drops
//! what follows there (a rebase, a reset, a forced pull), and derives the events of each new
//! commit from its in-memory tree diff against its first parent, in batches.
//!
//! Why the first-parent line: it is the history of the branch as it landed, each commit once.
//! A merge's events are what it brought into the line (its diff against its first parent), so
//! the commits of a merged branch are never counted twice, and replaying the line's events
//! gives the files of every commit on it.

use super::derive::{Readers, derive_commit, move_files};
use super::events::EventLogError;
use super::progress::Progress;
use super::store::{ChainCommit, EventLog};
use crate::git::{GitRepo, ObjectId};
use std::path::Path;
use std::time::{Duration, Instant};

/// A batch ends after this many commits, or [`BATCH_TIME`]: what an interruption can lose.
const BATCH_COMMITS: usize = 100;
const BATCH_TIME: Duration = Duration::from_secs(1);

/// What bringing the log to HEAD did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Walked {
    /// Commits whose events were derived.
    pub derived: usize,
    /// Commits dropped from the chain because HEAD's line no longer holds them.
    pub dropped: usize,
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
    let head = repo.head()?;
    let tip = log.tip()?;
    if tip.as_ref().map(|t| t.commit_id.as_str()) == head.map(|h| h.to_string()).as_deref() {
        return Ok(true);
    }
    // HEAD's line back to the first commit the chain holds, oldest first.
    let (mut fresh, mut kept) = (Vec::new(), None);
    if let Some(head) = head {
        let mut kept_seq = None;
        let (line, known) = repo.first_parent_line(head, |id| {
            kept_seq = log.seq_of(&id.to_string())?;
            Ok::<_, EventLogError>(kept_seq.is_some())
        })?;
        fresh = line;
        kept = known.zip(kept_seq).map(|(id, seq)| (seq, id));
    }
    fresh.reverse();
    let kept_seq = kept.map_or(0, |(seq, _)| seq);
    let mut readers = Readers::new(repo, work_dir);
    let mut memo = repo.delta_trees();
    let mut bar = Progress::new(progress, fresh.len());
    let mut batch = log.batch()?;
    if batch.tip()? != tip {
        return Ok(false);
    }
    if let Some(tip) = tip.as_ref().filter(|t| t.seq > kept_seq) {
        walked.dropped += usize::try_from(tip.seq - kept_seq)?;
        batch.truncate_after(kept_seq)?;
        let from = ObjectId::from_hex(&tip.commit_id);
        let to = kept.map(|(_, id)| id);
        move_files(&batch, repo, &mut readers, from, to, &mut memo)?;
    }
    let mut previous = kept.map(|(_, id)| id);
    let (mut in_batch, mut started, mut batches) = (0, Instant::now(), 0);
    for (offset, commit) in fresh.iter().enumerate() {
        let seq = kept_seq + 1 + i64::try_from(offset)?;
        let id = commit.id;
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
