//! The plan of a sync: for each issue, what changes on which side, and the conflicts. Built
//! from the local files, the baselines and the remote issues changed since the last sync; it
//! reads nothing itself except, rarely, one remote issue it has no other view of.

use super::config::SyncConfig;
use super::github::GhIssue;
use super::mapping::{Fields, strip_marker};
use super::merge::{Merged, Prefer, merge};
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
}

/// Builds the plan; `fetch` reads one remote issue the listing did not show and no baseline
/// describes (`Ok(None)`: it is gone).
pub fn build<E>(
    inputs: Inputs<'_>,
    mut fetch: impl FnMut(u64) -> Result<Option<GhIssue>, E>,
) -> Result<Plan, E> {
    let config = inputs.config;
    let mut remote: BTreeMap<u64, GhIssue> =
        inputs.changed.into_iter().map(|i| (i.number, i)).collect();
    let mut plan = Plan::default();
    let local_ids: HashSet<String> = inputs.locals.iter().map(|l| l.issue.id.clone()).collect();
    // Numbers some local issue or baseline already stands for: never pulled as new.
    let mut known: HashSet<u64> = inputs.bases.values().map(|b| b.number).collect();
    known.extend(inputs.locals.iter().filter_map(|l| l.number));
    let by_marker: HashMap<String, u64> = remote
        .values()
        .filter(|i| !known.contains(&i.number))
        .filter_map(|i| Some((strip_marker(i.body.as_deref()?).0?, i.number)))
        .collect();

    for local in inputs.locals {
        let id = local.issue.id.clone();
        let local_fields = Fields::of_local(&local.issue);
        let (number, link) = match (local.number, by_marker.get(&id)) {
            (Some(number), _) => (number, false),
            (None, Some(&number)) => (number, true),
            (None, None) if local.issue.archived => continue,
            (None, None) => {
                plan.steps.push(Step::PushNew {
                    local: Box::new(local),
                    fields: local_fields,
                });
                continue;
            }
        };
        let base_state = inputs.bases.get(&id).filter(|b| b.number == number);
        let base = base_state.and_then(|b| b.fields.clone());
        let remote_fields = match remote.remove(&number) {
            Some(issue) => Fields::of_remote(&issue, config),
            None => match base_state.filter(|_| !inputs.complete_listing) {
                // Not changed on GitHub since the last sync: as last seen.
                Some(state) if state.fields.is_some() => state
                    .remote
                    .clone()
                    .or_else(|| state.fields.clone())
                    .expect("checked above"),
                _ => match fetch(number)? {
                    Some(issue) => Fields::of_remote(&issue, config),
                    None => {
                        plan.warnings.push(format!(
                            "{id}: GitHub issue #{number} is gone (deleted or transferred); skipped"
                        ));
                        continue;
                    }
                },
            },
        };
        let merged = merge(
            base.as_ref(),
            &local_fields,
            &remote_fields,
            &config.fields,
            inputs.prefer,
        );
        let step = Step::Merge {
            local: Box::new(local),
            number,
            base: base.clone(),
            remote: remote_fields,
            merged,
            link,
        };
        let settled = base_state.is_some_and(|b| b.remote.is_none());
        if !(step.is_quiet() && settled && base.as_ref() == Some(&local_fields)) {
            plan.steps.push(step);
        }
    }

    // Linked issues whose local file is gone: close the remote issue once.
    for (id, state) in &inputs.bases {
        let Some(base) = state.fields.clone().filter(|_| !local_ids.contains(id)) else {
            continue;
        };
        let current = remote
            .remove(&state.number)
            .map(|i| Fields::of_remote(&i, config))
            .or_else(|| state.remote.clone())
            .unwrap_or_else(|| base.clone());
        if current != base && !current.is_closed() {
            plan.warnings.push(format!(
                "{id}: the file was deleted but GitHub issue #{} changed since the last sync; left open",
                state.number
            ));
            continue;
        }
        plan.steps.push(Step::CloseRemote {
            id: id.clone(),
            number: state.number,
            already_closed: current.is_closed(),
            base,
        });
    }

    for (number, issue) in remote {
        let marked = strip_marker(issue.body.as_deref().unwrap_or_default()).0;
        let marked_known = marked.is_some_and(|id| inputs.bases.contains_key(&id));
        if !known.contains(&number) && !marked_known {
            plan.steps.push(Step::PullNew {
                number,
                fields: Fields::of_remote(&issue, config),
            });
        }
    }
    Ok(plan)
}
