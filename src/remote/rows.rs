//! The plan as the user sees it: one row per issue that changes, in the direction asked for.

use super::apply::Direction;
use super::merge::Conflict;
use super::plan::{Plan, Step};
use serde::Serialize;

/// One line of the plan as the user sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// `update`, `link`, `create-local`, `create-remote`, `close-remote`.
    pub action: &'static str,
    /// The local issue id; `None` for an issue still to be created locally.
    pub id: Option<String>,
    /// The GitHub issue number; `None` for an issue still to be created on GitHub.
    pub number: Option<u64>,
    pub title: String,
    /// Fields that change in the local file, and on GitHub.
    pub local: Vec<String>,
    pub remote: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

/// The rows of `plan` that change something in `direction`, or need a word (conflicts, links).
pub(super) fn plan_rows(plan: &Plan, direction: Direction) -> Vec<PlanRow> {
    let (pull, push) = (direction.pulls(), direction.pushes());
    let mut rows = Vec::new();
    for step in &plan.steps {
        let row = match step {
            Step::Merge {
                local,
                number,
                merged,
                link,
                ..
            } => {
                let to_local = if pull {
                    merged.to_local.clone()
                } else {
                    Vec::new()
                };
                let to_remote = if push {
                    merged.to_remote.clone()
                } else {
                    Vec::new()
                };
                if !link
                    && to_local.is_empty()
                    && to_remote.is_empty()
                    && merged.conflicts.is_empty()
                {
                    continue;
                }
                PlanRow {
                    action: if *link { "link" } else { "update" },
                    id: Some(local.issue.id.clone()),
                    number: Some(*number),
                    title: merged.result.title.clone(),
                    local: to_local,
                    remote: to_remote,
                    conflicts: merged.conflicts.clone(),
                }
            }
            Step::PullNew { number, fields } if pull => PlanRow {
                action: "create-local",
                id: None,
                number: Some(*number),
                title: fields.title.clone(),
                local: Vec::new(),
                remote: Vec::new(),
                conflicts: Vec::new(),
            },
            Step::PushNew { local, fields } if push => PlanRow {
                action: "create-remote",
                id: Some(local.issue.id.clone()),
                number: None,
                title: fields.title.clone(),
                local: Vec::new(),
                remote: Vec::new(),
                conflicts: Vec::new(),
            },
            Step::CloseRemote {
                id,
                number,
                base,
                already_closed: false,
            } if push => PlanRow {
                action: "close-remote",
                id: Some(id.clone()),
                number: Some(*number),
                title: base.title.clone(),
                local: Vec::new(),
                remote: vec!["status".into()],
                conflicts: Vec::new(),
            },
            Step::Unlink { id, number, reason } => PlanRow {
                action: "unlink",
                id: Some(id.clone()),
                number: Some(*number),
                title: reason.clone(),
                local: Vec::new(),
                remote: Vec::new(),
                conflicts: Vec::new(),
            },
            _ => continue,
        };
        rows.push(row);
    }
    rows
}
