//! The plan of a sync: for each issue, what changes on which side, and the conflicts. Built
//! from the local files, the baselines and the remote issues changed since the last sync; it
//! reads nothing itself except, rarely, one remote issue it has no other view of.

use super::config::SyncConfig;
use super::deletions::Absence;
use super::github::{Fetched, GhIssue};
use super::mapping::{Fields, LABEL_FIELDS, strip_marker};
use super::merge::{Merged, Prefer, Take, merge_with};
use crate::issue::Issue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// An issue file as the working tree holds it.
#[derive(Debug, Clone)]
pub struct LocalIssue {
    pub path: String,
    pub text: String,
    pub issue: Issue,
    /// The GitHub issue number in `remote_ids: {github: N}`.
    pub number: Option<u64>,
}

/// The baseline of one linked issue, as `sync_base_state` stores it (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseState {
    pub number: u64,
    /// The fields both sides agreed on; `None` once the local file was deleted and the remote
    /// issue closed for it (the number is then never pulled again).
    pub fields: Option<Fields>,
    /// The remote's fields as last seen, when they differ from `fields` (a conflict left open,
    /// a one-way sync): what the remote holds while it does not show up as changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<Fields>,
    /// HEAD when this baseline was recorded: a deletion counts only if committed after it on
    /// the current branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<String>,
    /// Why the link ended without a close (left open, deleted or transferred on GitHub): the
    /// issue is neither closed, pulled nor pushed again under this number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlinked: Option<String>,
    /// Label-borne fields (status, priority, issue type) GitHub has no label for since the
    /// link was made by the tracker's own sync: read as the baseline's until pushed once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncarried: Vec<String>,
}

impl BaseState {
    /// The baseline of a link that ended for `reason`.
    #[must_use]
    pub fn unlinked(number: u64, reason: &str) -> Self {
        BaseState {
            number,
            fields: None,
            remote: None,
            seen_at: None,
            unlinked: Some(reason.to_owned()),
            uncarried: Vec::new(),
        }
    }

    /// Whether the link stands: both sides agreed on fields, and it was not ended.
    #[must_use]
    pub fn is_live(&self) -> bool {
        self.fields.is_some() && self.unlinked.is_none()
    }
}

/// An issue the cache lists but whose working-tree file cannot be read (unparseable, or
/// deleted or moved without a commit): neither pushed, pulled nor closed this run.
#[derive(Debug, Clone)]
pub struct SkippedLocal {
    pub id: String,
    /// Its link as the cache (HEAD) knows it.
    pub number: Option<u64>,
}

/// What to do for one issue.
// Steps live once in one Vec per sync; boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Step {
    /// A linked issue (or one just found by its marker, `link`): merged field by field.
    Merge {
        local: Box<LocalIssue>,
        number: u64,
        base: Option<Fields>,
        remote: Fields,
        merged: Merged,
        link: bool,
        /// Label-borne fields GitHub still holds no label for (see `BaseState::uncarried`).
        uncarried: Vec<String>,
    },
    /// A remote issue new to us: a new local file.
    PullNew { number: u64, fields: Fields },
    /// A local issue never pushed: a new remote issue, then the link in the file.
    PushNew {
        local: Box<LocalIssue>,
        fields: Fields,
    },
    /// The local file of a linked issue was deleted: the remote issue is closed.
    CloseRemote {
        id: String,
        number: u64,
        base: Fields,
        already_closed: bool,
    },
    /// The link ends without touching GitHub (reason recorded in the baseline).
    Unlink {
        id: String,
        number: u64,
        reason: String,
    },
}

impl Step {
    /// Whether the step changes nothing anywhere (only a baseline to record, or not even that).
    #[must_use]
    pub fn is_quiet(&self) -> bool {
        matches!(self, Step::Merge { merged, link: false, .. }
            if merged.to_local.is_empty() && merged.to_remote.is_empty() && merged.conflicts.is_empty())
    }
}

/// The plan, in the order it is applied, with what could not be planned.
#[derive(Debug, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
    /// Remote issues whose changes this run leaves alone: the listing cursor stays before them.
    pub unprocessed: Vec<u64>,
}

/// Everything the plan is built from.
pub struct Inputs<'a> {
    pub config: &'a SyncConfig,
    pub locals: Vec<LocalIssue>,
    /// Baselines by local issue id.
    pub bases: HashMap<String, BaseState>,
    /// Remote issues changed since the last sync (all of them on a first sync).
    pub changed: Vec<GhIssue>,
    /// Whether `changed` holds every remote issue (no `since`).
    pub complete_listing: bool,
    pub prefer: Option<Prefer>,
    /// `--take`: conflicts settled issue by issue (or field by field), over `prefer`.
    pub takes: Vec<Take>,
    /// For linked issues without a baseline (linked by the tracker's own sync): which side to
    /// take as the state both last agreed on.
    pub first_base: Option<Prefer>,
    /// Issues the cache lists whose files cannot be read now.
    pub skipped: Vec<SkippedLocal>,
    /// What git says about each live baseline no local issue stands for.
    pub absences: HashMap<String, Absence>,
    /// Ids left alone whose GitHub number nothing local says (a baseline that cannot be
    /// decoded): found by the marker in a listed body, else no new issue is pulled this run,
    /// since any of them may be theirs.
    pub unknown_links: Vec<String>,
}

/// Builds the plan; `fetch` reads one remote issue the listing did not show and no baseline
/// describes.
pub fn build<E>(
    inputs: Inputs<'_>,
    mut fetch: impl FnMut(u64) -> Result<Fetched, E>,
) -> Result<Plan, E> {
    let config = inputs.config;
    let mut remote: BTreeMap<u64, GhIssue> =
        inputs.changed.into_iter().map(|i| (i.number, i)).collect();
    let mut plan = Plan::default();
    let local_ids: HashSet<String> = inputs.locals.iter().map(|l| l.issue.id.clone()).collect();
    let skipped_ids: HashSet<&str> = inputs.skipped.iter().map(|s| s.id.as_str()).collect();
    // Numbers some local issue or baseline already stands for: never pulled as new.
    let mut known: HashSet<u64> = inputs.bases.values().map(|b| b.number).collect();
    known.extend(inputs.locals.iter().filter_map(|l| l.number));
    known.extend(inputs.skipped.iter().filter_map(|s| s.number));
    // A file that cannot be read now: whatever GitHub changed waits for the next run.
    plan.unprocessed
        .extend(inputs.skipped.iter().filter_map(|s| s.number));
    // The lowest number wins when a marker was copied: that issue was created first.
    let mut by_marker: HashMap<String, u64> = HashMap::new();
    for issue in remote.values().filter(|i| !known.contains(&i.number)) {
        if let Some(id) = strip_marker(issue.body.as_deref().unwrap_or_default()).0 {
            by_marker.entry(id).or_insert(issue.number);
        }
    }
    let mut linked_by_marker = HashSet::new();
    let mut hold_new = false;
    for id in &inputs.unknown_links {
        match by_marker.get(id) {
            Some(&number) => {
                known.insert(number);
                plan.unprocessed.push(number);
            }
            None => hold_new = true,
        }
    }

    for local in inputs.locals {
        let id = local.issue.id.clone();
        let local_fields = Fields::of_local(&local.issue);
        // A link lost from the file (say, by `git checkout -- FILE`) comes back from the baseline.
        let restorable = inputs
            .bases
            .get(&id)
            .filter(|b| b.is_live())
            .map(|b| b.number);
        let (number, link) = match (local.number, restorable, by_marker.get(&id)) {
            (Some(number), _, _) => (number, false),
            (None, Some(number), _) => (number, true),
            (None, None, Some(&number)) => {
                linked_by_marker.insert(number);
                (number, true)
            }
            (None, None, None) if local.issue.archived => continue,
            (None, None, None) => {
                plan.steps.push(Step::PushNew {
                    local: Box::new(local),
                    fields: local_fields,
                });
                continue;
            }
        };
        let base_state = inputs.bases.get(&id).filter(|b| b.number == number);
        if let Some(reason) = base_state.and_then(|b| b.unlinked.as_deref()) {
            plan.warnings.push(format!(
                "{id}: not synced: its link to GitHub issue #{number} ended ({reason}); remove `remote_ids: github` from {} to push it as a new issue",
                local.path
            ));
            remote.remove(&number);
            continue;
        }
        // Without a baseline, GitHub lacking a status, priority or type label says nothing.
        let (fallback, eligible) = match base_state.and_then(|b| b.fields.as_ref().map(|f| (f, b)))
        {
            Some((fields, state)) => (fields, state.uncarried.clone()),
            None => (
                &local_fields,
                LABEL_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
            ),
        };
        let mut uncarried = Vec::new();
        let mut read = |issue: &GhIssue| {
            let (fields, still) = Fields::of_remote_against(issue, config, fallback, &eligible);
            uncarried = still;
            fields
        };
        let remote_fields = match remote.remove(&number) {
            Some(issue) => read(&issue),
            None => match base_state.filter(|_| !inputs.complete_listing) {
                // Not changed on GitHub since the last sync: as last seen.
                Some(state) if state.fields.is_some() => {
                    uncarried.clone_from(&state.uncarried);
                    state
                        .remote
                        .clone()
                        .or_else(|| state.fields.clone())
                        .expect("checked above")
                }
                _ => match fetch(number)? {
                    Fetched::Found(issue) => read(&issue),
                    Fetched::Gone(reason) => {
                        plan.warnings.push(format!(
                            "{id}: GitHub issue #{number} is gone ({reason}); unlinked, not recreated"
                        ));
                        plan.steps.push(Step::Unlink { id, number, reason });
                        continue;
                    }
                },
            },
        };
        // A link made by another tool has no baseline: `--baseline` says which side was it.
        let base = match (base_state.and_then(|b| b.fields.clone()), inputs.first_base) {
            (Some(base), _) => Some(base),
            (None, Some(Prefer::Local)) => Some(local_fields.clone()),
            (None, Some(Prefer::Remote)) => Some(remote_fields.clone()),
            (None, None) => None,
        };
        let prefer = |field: &str| {
            let take = inputs.takes.iter().rev().find(|t| t.covers(&id, field));
            take.map(|t| t.side).or(inputs.prefer)
        };
        let merged = merge_with(
            base.as_ref(),
            &local_fields,
            &remote_fields,
            &config.fields,
            &prefer,
        );
        let step = Step::Merge {
            local: Box::new(local),
            number,
            base: base.clone(),
            remote: remote_fields,
            merged,
            link,
            uncarried,
        };
        let settled = base_state.is_some_and(|b| b.remote.is_none());
        if !(step.is_quiet() && settled && base.as_ref() == Some(&local_fields)) {
            plan.steps.push(step);
        }
    }

    plan_absent(
        &inputs.bases,
        &local_ids,
        &skipped_ids,
        &inputs.absences,
        &mut remote,
        config,
        &mut plan,
    );

    let new: Vec<(u64, GhIssue)> = remote
        .into_iter()
        .filter(|(number, _)| !known.contains(number) && !linked_by_marker.contains(number))
        .collect();
    if hold_new && !new.is_empty() {
        plan.warnings.push(format!(
            "{} new GitHub issue(s) not pulled this run: one may be the issue of {}, whose link is unknown",
            new.len(),
            inputs.unknown_links.join(", ")
        ));
        plan.unprocessed
            .extend(new.iter().map(|(number, _)| *number));
        return Ok(plan);
    }
    for (number, issue) in new {
        plan.steps.push(Step::PullNew {
            number,
            fields: Fields::of_remote(&issue, config),
        });
    }
    Ok(plan)
}

/// Live baselines no local issue stands for: closed on GitHub only when git shows the file's
/// deletion committed on this branch since the sync that last saw it; otherwise reported.
fn plan_absent(
    bases: &HashMap<String, BaseState>,
    local_ids: &HashSet<String>,
    skipped_ids: &HashSet<&str>,
    absences: &HashMap<String, Absence>,
    remote: &mut BTreeMap<u64, GhIssue>,
    config: &SyncConfig,
    plan: &mut Plan,
) {
    let mut absent: Vec<(&String, &BaseState)> = bases
        .iter()
        .filter(|(id, state)| {
            state.is_live() && !local_ids.contains(*id) && !skipped_ids.contains(id.as_str())
        })
        .collect();
    absent.sort_by_key(|(_, state)| state.number);
    for (id, state) in absent {
        let number = state.number;
        let base = state.fields.clone().expect("live baselines have fields");
        match absences.get(id) {
            Some(Absence::DeletionCommitted) => {}
            Some(Absence::InHead { path }) => {
                plan.warnings.push(format!(
                    "{id}: the cache does not list it, but HEAD still holds {path} (a file that fails to parse, or removed and not committed); GitHub issue #{number} left as it is"
                ));
                plan.unprocessed.push(number);
                remote.remove(&number);
                continue;
            }
            Some(Absence::OtherBranch { seen_at }) => {
                plan.warnings.push(format!(
                    "{id}: GitHub issue #{number} was last synced from commit {}, which this branch does not contain; not closed (sync from that branch)",
                    &seen_at[..seen_at.len().min(12)]
                ));
                plan.unprocessed.push(number);
                remote.remove(&number);
                continue;
            }
            _ => {
                plan.warnings.push(format!(
                    "{id}: no file holds it, but no commit on this branch deletes it; GitHub issue #{number} left as it is (commit the deletion to close it)"
                ));
                plan.unprocessed.push(number);
                remote.remove(&number);
                continue;
            }
        }
        let current = remote
            .remove(&number)
            .map(|i| Fields::of_remote(&i, config))
            .or_else(|| state.remote.clone())
            .unwrap_or_else(|| base.clone());
        if current != base && !current.is_closed() {
            plan.warnings.push(format!(
                "{id}: the file was deleted but GitHub issue #{number} changed since the last sync; left open and unlinked"
            ));
            plan.steps.push(Step::Unlink {
                id: id.clone(),
                number,
                reason: "left open: changed on GitHub after the file was deleted".into(),
            });
            continue;
        }
        plan.steps.push(Step::CloseRemote {
            id: id.clone(),
            number,
            already_closed: current.is_closed(),
            base,
        });
    }
}
