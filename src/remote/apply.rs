//! Applying a plan: remote changes first (GitHub), then every local file in one batch (files
//! atomically, then one cache transaction), then the baselines in one transaction. A baseline
//! is written only for an issue both sides now hold, so a crash or failure anywhere leaves the
//! next run to find "changed on both sides to the same value" and finish without duplicates.

use super::config::SyncConfig;
use super::github::{GitHub, GitHubError};
use super::local_files::{local_change, new_local_file};
use super::mapping::{Fields, body_with_marker};
use super::merge::next_base;
use super::plan::{BaseState, Plan, Step};
use crate::cache::Cache;
use crate::cache::remote::RemoteState;
use crate::issue_write::new_id;
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
    /// The newest `updated_at` of the listing: the next run's `since=`.
    pub cursor: Option<String>,
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
#[derive(Clone, Copy)]
struct RemoteDone {
    number: Option<u64>,
    pushed: bool,
}

/// Applies `plan` to both sides and records the new baselines.
pub fn apply(plan: &Plan, target: &mut Target<'_>) -> Result<Applied, ApplyError> {
    let mut applied = Applied::default();
    let remote_done = push_all(plan, target, &mut applied);
    let new_ids = write_local(plan, &remote_done, target, &mut applied)?;
    if std::env::var(CRASH_POINT_VAR).as_deref() == Ok("after-local-write") {
        std::process::exit(137);
    }
    record_baselines(plan, &remote_done, &new_ids, target, &mut applied)?;
    Ok(applied)
}

/// The remote part of each step, in order, until GitHub fails; `None` for a step not done.
fn push_all(
    plan: &Plan,
    target: &mut Target<'_>,
    applied: &mut Applied,
) -> Vec<Option<RemoteDone>> {
    let push = target.direction.pushes();
    let mut milestones = None;
    let mut remote_done = Vec::with_capacity(plan.steps.len());
    for step in &plan.steps {
        if applied.remote_error.is_some() {
            remote_done.push(None);
            continue;
        }
        match push_step(step, target, push, &mut milestones) {
            Ok(done) => {
                applied.remote_writes += usize::from(done.pushed);
                remote_done.push(Some(done));
            }
            Err(error) => {
                applied.remote_error = Some(error);
                remote_done.push(None);
            }
        }
    }
    remote_done
}

/// Writes the local files of the steps whose remote part is done, in one batch. Returns the
/// ids given to issues pulled from GitHub, by step index.
fn write_local(
    plan: &Plan,
    remote_done: &[Option<RemoteDone>],
    target: &Target<'_>,
    applied: &mut Applied,
) -> Result<HashMap<usize, String>, ApplyError> {
    let pull = target.direction.pulls();
    let mut changes = Vec::new();
    let mut new_ids = HashMap::new();
    let mut taken = HashSet::new();
    for (index, (step, done)) in plan.steps.iter().zip(remote_done).enumerate() {
        let Some(done) = done else { continue };
        match step {
            Step::Merge {
                local,
                number,
                merged,
                link,
                ..
            } => {
                let to_local: &[String] = if pull { &merged.to_local } else { &[] };
                if !to_local.is_empty() || *link {
                    let link = link.then_some(*number);
                    changes.push(local_change(local, &merged.result, to_local, link)?);
                }
            }
            Step::PullNew { number, fields } if pull => {
                let id = unused_id(target.cache, &mut taken)?;
                changes.push(new_local_file(&id, *number, fields)?);
                new_ids.insert(index, id);
            }
            Step::PushNew { local, fields } => {
                if let Some(number) = done.number {
                    changes.push(local_change(local, fields, &[], Some(number))?);
                }
            }
            Step::PullNew { .. } | Step::CloseRemote { .. } => {}
        }
    }
    if !changes.is_empty() {
        let written = target.workspace.write_all(&changes)?;
        applied.local_files = written.len();
        applied.cache_note = written.into_iter().find_map(|w| w.cache_note);
    }
    Ok(new_ids)
}

/// Records, in one transaction, the baseline of every step both sides now agree on, and the
/// listing cursor when nothing GitHub reported was left unapplied.
fn record_baselines(
    plan: &Plan,
    remote_done: &[Option<RemoteDone>],
    new_ids: &HashMap<usize, String>,
    target: &mut Target<'_>,
    applied: &mut Applied,
) -> Result<(), ApplyError> {
    let (pull, push) = (target.direction.pulls(), target.direction.pushes());
    let mut rows = Vec::new();
    for (index, (step, done)) in plan.steps.iter().zip(remote_done).enumerate() {
        let Some(done) = done else { continue };
        if let Some((id, state)) = baseline(step, *done, pull, push, new_ids.get(&index)) {
            rows.push((id, serde_json::to_string(&state).unwrap_or_default()));
        }
    }
    applied.baselines = rows.len();
    // A push-only run leaves GitHub's changes unapplied: the next run must list them again.
    let cursor_ok = applied.remote_error.is_none() && pull;
    if let Some(cursor) = target.cursor.as_ref().filter(|_| cursor_ok) {
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

/// Does the remote part of `step`, if the direction allows it.
fn push_step(
    step: &Step,
    target: &mut Target<'_>,
    push: bool,
    milestones: &mut Option<HashMap<String, u64>>,
) -> Result<RemoteDone, GitHubError> {
    let skipped = |number| RemoteDone {
        number,
        pushed: false,
    };
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
            target.github.update_issue(*number, &payload)?;
            Ok(RemoteDone {
                number: Some(*number),
                pushed: true,
            })
        }
        Step::Merge { number, .. } => Ok(skipped(Some(*number))),
        Step::PushNew { local, fields } if push => {
            let all: Vec<String> = target.config.fields.clone();
            let mut payload = payload(fields, &all, &local.issue.id, target, milestones)?;
            if let Some(object) = payload.as_object_mut() {
                object.entry("title").or_insert(json!(fields.title));
                object.remove("state");
            }
            let created = target.github.create_issue(&payload)?;
            if fields.is_closed() {
                target
                    .github
                    .update_issue(created.number, &json!({ "state": "closed" }))?;
            }
            Ok(RemoteDone {
                number: Some(created.number),
                pushed: true,
            })
        }
        Step::CloseRemote {
            number,
            already_closed: false,
            base,
            ..
        } if push => {
            let mut closed = base.clone();
            closed.status = "closed".into();
            let labels = closed.remote_labels(target.config);
            target
                .github
                .update_issue(*number, &json!({ "state": "closed", "labels": labels }))?;
            Ok(RemoteDone {
                number: Some(*number),
                pushed: true,
            })
        }
        Step::CloseRemote {
            number,
            already_closed: true,
            ..
        } => Ok(skipped(Some(*number))),
        Step::PushNew { .. } | Step::CloseRemote { .. } => Ok(skipped(None)),
        Step::PullNew { number, .. } => Ok(skipped(Some(*number))),
    }
}

/// The baseline row for `step` once applied as far as `done` says, if both sides agree.
fn baseline(
    step: &Step,
    done: RemoteDone,
    pull: bool,
    push: bool,
    new_id: Option<&String>,
) -> Option<(String, BaseState)> {
    match step {
        Step::Merge {
            local,
            number,
            base,
            remote,
            merged,
            ..
        } => {
            let fields = next_base(base.as_ref(), merged, pull, push)?;
            let remote_after = if done.pushed {
                with_fields(remote, &merged.result, &merged.to_remote)
            } else {
                remote.clone()
            };
            let state = BaseState {
                number: *number,
                remote: (remote_after != fields).then_some(remote_after),
                fields: Some(fields),
            };
            Some((local.issue.id.clone(), state))
        }
        Step::PullNew { number, fields } => Some((
            new_id?.clone(),
            BaseState {
                number: *number,
                fields: Some(fields.clone()),
                remote: None,
            },
        )),
        Step::PushNew { local, fields } => Some((
            local.issue.id.clone(),
            BaseState {
                number: done.number?,
                fields: Some(fields.clone()),
                remote: None,
            },
        )),
        Step::CloseRemote { id, number, .. } => (done.pushed
            || matches!(
                step,
                Step::CloseRemote {
                    already_closed: true,
                    ..
                }
            ))
        .then(|| {
            (
                id.clone(),
                BaseState {
                    number: *number,
                    fields: None,
                    remote: None,
                },
            )
        }),
    }
}

/// `into` with the `fields` named taken from `from`.
fn with_fields(into: &Fields, from: &Fields, fields: &[String]) -> Fields {
    let mut out = into.clone();
    for field in fields {
        match field.as_str() {
            "title" => out.title.clone_from(&from.title),
            "body" => out.body.clone_from(&from.body),
            "status" => out.status.clone_from(&from.status),
            "priority" => out.priority.clone_from(&from.priority),
            "issue_type" => out.issue_type.clone_from(&from.issue_type),
            "labels" => out.labels.clone_from(&from.labels),
            "assignee" => out.assignee.clone_from(&from.assignee),
            "milestone" => out.milestone.clone_from(&from.milestone),
            _ => {}
        }
    }
    out
}

/// The JSON a create or update sends for the `changed` fields of `fields`.
fn payload(
    fields: &Fields,
    changed: &[String],
    local_id: &str,
    target: &mut Target<'_>,
    milestones: &mut Option<HashMap<String, u64>>,
) -> Result<Value, GitHubError> {
    let mut object = serde_json::Map::new();
    for field in changed {
        match field.as_str() {
            "title" => {
                object.insert("title".into(), json!(fields.title));
            }
            "body" => {
                object.insert(
                    "body".into(),
                    json!(body_with_marker(&fields.body, local_id)),
                );
            }
            "assignee" => {
                object.insert(
                    "assignees".into(),
                    json!(fields.assignee.iter().collect::<Vec<_>>()),
                );
            }
            "milestone" => {
                let number = match &fields.milestone {
                    Some(title) => Some(milestone_number(title, target, milestones)?),
                    None => None,
                };
                object.insert("milestone".into(), json!(number));
            }
            _ => {}
        }
        if field == "status" {
            let state = if fields.is_closed() { "closed" } else { "open" };
            object.insert("state".into(), json!(state));
        }
        if matches!(
            field.as_str(),
            "status" | "priority" | "issue_type" | "labels"
        ) {
            object.insert("labels".into(), json!(fields.remote_labels(target.config)));
        }
    }
    Ok(Value::Object(object))
}

/// The number of milestone `title` on GitHub, created if it does not exist yet.
fn milestone_number(
    title: &str,
    target: &mut Target<'_>,
    milestones: &mut Option<HashMap<String, u64>>,
) -> Result<u64, GitHubError> {
    if milestones.is_none() {
        *milestones = Some(target.github.milestones()?.into_iter().collect());
    }
    let known = milestones.get_or_insert_with(HashMap::new);
    if let Some(number) = known.get(title) {
        return Ok(*number);
    }
    let number = target.github.create_milestone(title)?;
    known.insert(title.to_owned(), number);
    Ok(number)
}

fn unused_id(cache: &Cache, taken: &mut HashSet<String>) -> Result<String, WriteError> {
    loop {
        let id = new_id(cache)?;
        if taken.insert(id.clone()) {
            return Ok(id);
        }
    }
}
