//! Applying a plan: remote changes first (GitHub), then every local file in one batch (files
//! atomically, then one cache transaction), then the baselines in one transaction. A baseline
//! is written only for an issue both sides now hold, so a crash or failure anywhere leaves the
//! next run to find "changed on both sides to the same value" and finish without duplicates.
//! One issue failing on GitHub skips that issue only; the listing cursor stays before every
//! remote change not applied, so the next run sees it again.

use super::baseline::{baseline, with_fields};
use super::config::SyncConfig;
use super::github::{GhIssue, GitHub, GitHubError};
use super::local_side::LocalSide;
use super::payload::payload;
use super::plan::{BaseState, Plan, Step};
use crate::cache::Cache;
use crate::cache::remote::RemoteState;
use crate::workspace::Workspace;
use crate::workspace::write::WriteError;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// The environment variable that makes a sync exit at a chosen point, for the crash tests:
/// `after-local-write` exits with 137 once the files are written, before any baseline is.
pub const CRASH_POINT_VAR: &str = "ROADMAP_SYNC_TEST_CRASH";

/// The `sync_base_state` row holding the listing cursor (`since=`) of a remote.
pub const CURSOR_ROW: &str = "#cursor";

/// Which sides a sync may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Both,
    PullOnly,
    PushOnly,
}

impl Direction {
    /// Whether GitHub's changes reach the local files.
    #[must_use]
    pub fn pulls(self) -> bool {
        self != Direction::PushOnly
    }

    /// Whether local changes reach GitHub.
    #[must_use]
    pub fn pushes(self) -> bool {
        self != Direction::PullOnly
    }
}

/// What a sync changes and where it keeps track.
pub struct Target<'a> {
    pub workspace: &'a Workspace,
    pub cache: &'a Cache,
    pub github: &'a mut GitHub,
    pub config: &'a SyncConfig,
    pub state: &'a mut RemoteState,
    pub direction: Direction,
    /// Where the listing began on GitHub's clock: the next run's `since=`, unless an issue
    /// listed was left unapplied.
    pub cursor: Option<String>,
    /// `updated_at` of each issue the listing returned, by number.
    pub listed: HashMap<u64, String>,
    /// HEAD's commit, recorded in each baseline as `seen_at`.
    pub head: Option<String>,
}

/// What was applied.
#[derive(Debug, Default)]
pub struct Applied {
    pub remote_writes: usize,
    pub local_files: usize,
    pub baselines: usize,
    /// A note when the cache could not follow the files.
    pub cache_note: Option<String>,
    /// The GitHub failure that stopped the remote changes part way, if any.
    pub remote_error: Option<GitHubError>,
    /// Issues skipped because GitHub refused them, or their file changed meanwhile.
    pub failures: Vec<String>,
    /// What GitHub kept differently from what was sent.
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    #[error(transparent)]
    NoFrontmatter(#[from] super::local_files::NoFrontmatter),
}

/// The remote side of one step, once done.
#[derive(Clone)]
pub(super) struct RemoteDone {
    pub(super) number: Option<u64>,
    pub(super) pushed: bool,
    /// GitHub's answer to the last write (create or update), when one was made.
    pub(super) answer: Option<GhIssue>,
    /// The link ended: GitHub says the issue is gone (deleted, transferred).
    pub(super) gone: Option<String>,
    /// The local side of the step was written (or had nothing to write).
    pub(super) local_written: bool,
    /// Fields GitHub changed that the file could not take (a contract milestone without a
    /// file): the baseline keeps the local value, and GitHub's as the remote's.
    pub(super) held_back: Vec<String>,
}

impl RemoteDone {
    fn new(number: Option<u64>, pushed: bool) -> Self {
        RemoteDone {
            number,
            pushed,
            answer: None,
            gone: None,
            local_written: true,
            held_back: Vec::new(),
        }
    }
}

/// Applies `plan` to both sides and records the new baselines.
pub fn apply(plan: &Plan, target: &mut Target<'_>) -> Result<Applied, ApplyError> {
    let mut applied = Applied::default();
    let mut remote_done = push_all(plan, target, &mut applied);
    let new_ids = write_local(plan, &mut remote_done, target, &mut applied)?;
    if std::env::var(CRASH_POINT_VAR).as_deref() == Ok("after-local-write") {
        std::process::exit(137);
    }
    record_baselines(plan, &remote_done, &new_ids, target, &mut applied)?;
    Ok(applied)
}

/// The remote part of each step, in order; `None` for a step not done. A failure that concerns
/// one issue skips that issue; one that concerns them all (token, rate limit, network) stops.
fn push_all(
    plan: &Plan,
    target: &mut Target<'_>,
    applied: &mut Applied,
) -> Vec<Option<RemoteDone>> {
    let push = target.direction.pushes();
    let mut milestones = None;
    let mut remote_done = Vec::with_capacity(plan.steps.len());
    let mut progress = Progress::new(plan.steps.len());
    for step in &plan.steps {
        progress.step();
        if applied.remote_error.is_some() {
            remote_done.push(None);
            continue;
        }
        match push_step(step, target, push, &mut milestones) {
            Ok(done) => {
                applied.remote_writes += usize::from(done.pushed);
                remote_done.push(Some(done));
            }
            Err(GitHubError::Gone(reason)) if step_number(step).is_some() => {
                applied.failures.push(format!(
                    "{}: GitHub issue #{} is gone ({reason}); unlinked, not recreated",
                    step_id(step),
                    step_number(step).unwrap_or_default()
                ));
                let mut done = RemoteDone::new(step_number(step), false);
                done.gone = Some(reason);
                remote_done.push(Some(done));
            }
            Err(error) if error.is_per_issue() => {
                applied
                    .failures
                    .push(format!("{}: skipped: {error}", step_id(step)));
                remote_done.push(None);
            }
            Err(error) => {
                applied.remote_error = Some(error);
                remote_done.push(None);
            }
        }
    }
    remote_done
}

/// A progress line on a terminal while many steps go to GitHub (a first push of hundreds of
/// issues takes minutes at one write a second).
struct Progress {
    total: usize,
    done: usize,
    /// Few steps, or stderr is not a terminal: no line.
    quiet: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        use std::io::IsTerminal as _;
        Progress {
            total,
            done: 0,
            quiet: total < 20 || !std::io::stderr().is_terminal(),
        }
    }

    fn step(&mut self) {
        self.done += 1;
        if !self.quiet {
            eprint!("\rroadmap: GitHub {}/{}", self.done, self.total);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.quiet {
            eprintln!();
        }
    }
}

/// The local id a step is about, for messages.
fn step_id(step: &Step) -> String {
    match step {
        Step::Merge { local, .. } | Step::PushNew { local, .. } => local.issue.id.clone(),
        Step::CloseRemote { id, .. } | Step::Unlink { id, .. } => id.clone(),
        Step::PullNew { number, .. } => format!("#{number}"),
    }
}

/// The GitHub issue a step is about, if it has one yet.
fn step_number(step: &Step) -> Option<u64> {
    match step {
        Step::Merge { number, .. }
        | Step::PullNew { number, .. }
        | Step::CloseRemote { number, .. }
        | Step::Unlink { number, .. } => Some(*number),
        Step::PushNew { .. } => None,
    }
}

/// Writes the local files of the steps whose remote part is done, in one batch, each only if
/// its file still holds what the plan read. Returns the ids given to issues pulled from
/// GitHub, by step index.
fn write_local(
    plan: &Plan,
    remote_done: &mut [Option<RemoteDone>],
    target: &Target<'_>,
    applied: &mut Applied,
) -> Result<HashMap<usize, String>, ApplyError> {
    let pull = target.direction.pulls();
    let work_dir = target.workspace.work_dir();
    let mut changes = Vec::new();
    let mut new_ids = HashMap::new();
    let mut taken = HashSet::new();
    // On the contract line the files are 0.3.1's documents, written as its commands write them.
    let side = LocalSide::of(target.workspace.line(), target.cache)?;
    for (index, (step, done)) in plan.steps.iter().zip(remote_done.iter_mut()).enumerate() {
        let Some(done) = done else { continue };
        if done.gone.is_some() {
            continue;
        }
        let change = match step {
            Step::Merge {
                local,
                number,
                merged,
                link,
                ..
            } => {
                let to_local: &[String] = if pull { &merged.to_local } else { &[] };
                if to_local.is_empty() && !*link {
                    continue;
                }
                let link = link.then_some(*number);
                match side.changed(local, &merged.result, to_local, link, done, applied)? {
                    Some(change) => (local, change),
                    None => continue,
                }
            }
            Step::PullNew { number, fields } if pull => {
                let id = side.new_id(target.cache, &mut taken)?;
                if let Some(change) = side.new_file(&id, *number, fields, done, applied)? {
                    changes.push(change);
                    new_ids.insert(index, id);
                }
                continue;
            }
            Step::PushNew { local, fields } => {
                let Some(number) = done.number else { continue };
                match side.changed(local, fields, &[], Some(number), done, applied)? {
                    Some(change) => (local, change),
                    None => continue,
                }
            }
            Step::PullNew { .. } | Step::CloseRemote { .. } | Step::Unlink { .. } => continue,
        };
        let (local, change) = change;
        if let Err(message) = unchanged_since_read(work_dir, &local.path, &local.text) {
            applied.failures.push(format!(
                "{}: {message}; not overwritten, run `roadmap sync` again",
                local.issue.id
            ));
            done.local_written = false;
            continue;
        }
        changes.push(change);
    }
    if !changes.is_empty() {
        let written = target.workspace.write_all(&changes)?;
        applied.local_files = written.len();
        applied.cache_note = written.into_iter().find_map(|w| w.cache_note);
    }
    Ok(new_ids)
}

/// Whether the file at `path` still holds exactly `read`, the text the plan was made from:
/// checked issue by issue here so one edited file skips only its issue (`Workspace::write_all`
/// checks again under the lock, for the whole batch, against the same blob).
fn unchanged_since_read(work_dir: &std::path::Path, path: &str, read: &str) -> Result<(), String> {
    match std::fs::read(work_dir.join(path)) {
        Ok(now) if now == read.as_bytes() => Ok(()),
        Ok(_) => Err(format!("{path} changed while the sync ran")),
        Err(e) => Err(format!("{path} can no longer be read ({e})")),
    }
}

/// Records, in one transaction, the baseline of every step both sides now agree on, and the
/// listing cursor, held before the first listed change not applied.
fn record_baselines(
    plan: &Plan,
    remote_done: &[Option<RemoteDone>],
    new_ids: &HashMap<usize, String>,
    target: &mut Target<'_>,
    applied: &mut Applied,
) -> Result<(), ApplyError> {
    let (pull, push) = (target.direction.pulls(), target.direction.pushes());
    let mut rows = Vec::new();
    let mut unapplied: Vec<u64> = plan.unprocessed.clone();
    for (index, (step, done)) in plan.steps.iter().zip(remote_done).enumerate() {
        let Some(done) = done else {
            unapplied.extend(step_number(step));
            continue;
        };
        if !done.local_written {
            unapplied.extend(step_number(step));
        }
        let row = match (&done.gone, step_number(step)) {
            (Some(reason), Some(number)) => {
                Some((step_id(step), BaseState::unlinked(number, reason)))
            }
            _ => baseline(
                step,
                done,
                (pull && done.local_written, push),
                new_ids.get(&index),
                target.config,
                &mut applied.notes,
            ),
        };
        if let Some((id, mut state)) = row {
            hold_back(&mut state, step, &done.held_back);
            state.seen_at.clone_from(&target.head);
            rows.push((id, serde_json::to_string(&state).unwrap_or_default()));
        }
    }
    applied.baselines = rows.len();
    // A push-only run leaves GitHub's changes unapplied: the next run must list them again.
    let cursor = unapplied
        .iter()
        .filter_map(|number| target.listed.get(number))
        .chain(target.cursor.as_ref())
        .min()
        .filter(|_| pull);
    if let Some(cursor) = cursor {
        rows.push((
            CURSOR_ROW.to_owned(),
            json!({ "since": cursor }).to_string(),
        ));
    }
    target
        .state
        .set_base_states(&target.config.remote_key(), &rows)?;
    Ok(())
}

/// The baseline of a step whose file could not take some of GitHub's fields: those stay as
/// the file has them, and GitHub's values are kept as the remote's, so the next run sees them
/// as GitHub's change again (reported again) rather than as a local change to push over them.
fn hold_back(state: &mut BaseState, step: &Step, held_back: &[String]) {
    if !held_back.iter().any(|f| f == "milestone") {
        return;
    }
    let Some(fields) = state.fields.as_mut() else {
        return;
    };
    state.remote.get_or_insert_with(|| fields.clone());
    fields.milestone = match step {
        Step::Merge { local, .. } => super::mapping::Fields::of_local(&local.issue).milestone,
        _ => None,
    };
}

/// Does the remote part of `step`, if the direction allows it.
fn push_step(
    step: &Step,
    target: &mut Target<'_>,
    push: bool,
    milestones: &mut Option<HashMap<String, u64>>,
) -> Result<RemoteDone, GitHubError> {
    match step {
        Step::Merge {
            local,
            number,
            remote,
            merged,
            ..
        } if push && !merged.to_remote.is_empty() => {
            let after = with_fields(remote, &merged.result, &merged.to_remote);
            let payload = payload(
                &after,
                &merged.to_remote,
                &local.issue.id,
                target,
                milestones,
            )?;
            let answer = target.github.update_issue(*number, &payload)?;
            let mut done = RemoteDone::new(Some(*number), true);
            done.answer = Some(answer);
            Ok(done)
        }
        Step::Merge { number, .. } => Ok(RemoteDone::new(Some(*number), false)),
        Step::PushNew { local, fields } if push => {
            let all: Vec<String> = target.config.fields.clone();
            let mut payload = payload(fields, &all, &local.issue.id, target, milestones)?;
            if let Some(object) = payload.as_object_mut() {
                object.entry("title").or_insert(json!(fields.title));
                object.remove("state");
                object.remove("state_reason");
            }
            let mut answer = create_once(target.github, &payload, &local.issue.id)?;
            if let Some(reason) = fields.state_reason() {
                let close = json!({ "state": "closed", "state_reason": reason });
                answer = target.github.update_issue(answer.number, &close)?;
            }
            let mut done = RemoteDone::new(Some(answer.number), true);
            done.answer = Some(answer);
            Ok(done)
        }
        // Only the state: the labels on GitHub are whatever GitHub holds now.
        Step::CloseRemote {
            number,
            already_closed: false,
            ..
        } if push => {
            target
                .github
                .update_issue(*number, &json!({ "state": "closed" }))?;
            Ok(RemoteDone::new(Some(*number), true))
        }
        Step::CloseRemote {
            number,
            already_closed: true,
            ..
        } => Ok(RemoteDone::new(Some(*number), false)),
        Step::Unlink { number, reason, .. } => {
            let mut done = RemoteDone::new(Some(*number), false);
            done.gone = Some(reason.clone());
            Ok(done)
        }
        Step::PushNew { .. } | Step::CloseRemote { .. } => Ok(RemoteDone::new(None, false)),
        Step::PullNew { number, .. } => Ok(RemoteDone::new(Some(*number), false)),
    }
}

/// Creates an issue exactly once: a create that failed in a way that may have reached GitHub
/// is never sent again; the issue is looked for by its marker instead.
fn create_once(
    github: &mut GitHub,
    payload: &Value,
    local_id: &str,
) -> Result<GhIssue, GitHubError> {
    match github.create_issue(payload) {
        Ok(created) => Ok(created),
        Err(error) if error.is_ambiguous() => match github.find_by_marker(local_id) {
            Ok(Some(found)) => Ok(found),
            _ => Err(GitHubError::Uncertain(format!(
                "creating it failed ({error}), but GitHub may have created it: not sent again; the next sync looks for its marker first"
            ))),
        },
        Err(error) => Err(error),
    }
}
