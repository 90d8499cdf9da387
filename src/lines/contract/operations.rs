//! What each of our writes does to a 0.2 document, as roadmap-cli 0.3.1's own command for it
//! does (`application/use_cases/issue_mutations.py`, `domain/aggregates.py`): the fields it
//! sets, the `history` event it appends, `updated`, and when it writes nothing at all. Pure:
//! the time is given, and saving is [`super::writer`]'s.
//!
//! | ours | 0.3.1 | event |
//! |---|---|---|
//! | `create` | `issue create` | `created` |
//! | `update` | `issue update` | `updated`, or the status's event when `--status` is given |
//! | `close` | `issue close` | `closed` (progress 100.0, `actual_end_date` cleared) |
//! | `reopen` | `issue update -s todo` | `status:todo` |
//! | `archive` | `issue archive` (closed only without `--force`) | `archived` |
//! | `unarchive` | `issue restore` | `restored` |

use super::document::{Document, Event};
use serde_yaml::Value;

/// The statuses 0.3.1 lets an issue move to from each status (`domain/transitions.py`).
fn allowed_from(status: &str) -> &'static [&'static str] {
    match status {
        "todo" => &["in-progress", "blocked", "closed"],
        "in-progress" => &["todo", "blocked", "review", "closed"],
        "blocked" => &["todo", "in-progress", "closed"],
        "review" => &["in-progress", "blocked", "closed"],
        "closed" => &["todo", "in-progress"],
        _ => &[],
    }
}

pub use crate::lines::writes::Edits as Revision;

/// A new issue as 0.3.1's `issue create` makes it (no body template: an empty body stays
/// empty), then moved to `status` as `issue update -s` would when it is not `todo`.
pub fn create(new: &crate::issue::render::NewIssue, at: &str) -> Result<Document, String> {
    let mut document = Document {
        extra: serde_yaml::Mapping::new(),
        id: new.id.clone(),
        created: at.to_owned(),
        updated: at.to_owned(),
        retention: "visible".into(),
        title: new.title.clone(),
        headline: String::new(),
        priority: new.priority.clone(),
        status: "todo".into(),
        issue_type: new.issue_type.clone(),
        milestone: new.milestone.clone(),
        depends_on: Vec::new(),
        blocks: Vec::new(),
        labels: new.labels.clone(),
        assignee: new.assignee.clone().map_or(Value::Null, Value::String),
        estimated_hours: Value::Null,
        due_date: None,
        progress_percentage: Value::Null,
        actual_start_date: None,
        actual_end_date: None,
        git_branches: Vec::new(),
        comments: Vec::new(),
        history: Vec::new(),
        body: new.body.clone(),
    };
    if new.title.is_empty() || new.title != new.title.trim() || new.title.contains(['\r', '\n']) {
        return Err("the title must be non-empty, single-line and without surrounding spaces (roadmap-cli 0.3.1 refuses it otherwise)".into());
    }
    record(&mut document, "created", at, None);
    transition(&mut document, &new.status, at, None)?;
    Ok(document)
}

/// `issue update`: `Ok(false)` when nothing would change (0.3.1 then writes nothing).
pub fn update(document: &mut Document, revision: &Revision, at: &str) -> Result<bool, String> {
    let before = document.clone();
    if let Some(title) = &revision.title {
        document.title = title.clone();
    }
    if let Some(priority) = &revision.priority {
        document.priority = priority.clone();
    }
    if let Some(issue_type) = &revision.issue_type {
        document.issue_type = issue_type.clone();
    }
    if let Some(assignee) = &revision.assignee {
        document.assignee = assignee.clone().map_or(Value::Null, Value::String);
    }
    if let Some(milestone) = &revision.milestone {
        document.milestone = milestone.clone();
    }
    // `dict.fromkeys`: the old labels and the added ones, in order, once each, minus removed.
    let mut labels: Vec<String> = Vec::new();
    for label in before.labels.iter().chain(&revision.add_labels) {
        if !labels.contains(label) && !revision.remove_labels.contains(label) {
            labels.push(label.clone());
        }
    }
    document.labels = labels;
    let status_same = revision.status.as_ref().is_none_or(|s| *s == before.status);
    if *document == before && status_same {
        return Ok(false);
    }
    document.updated = at.to_owned();
    match &revision.status {
        Some(status) => transition(document, status, at, None)?,
        None => record(document, "updated", at, None),
    }
    Ok(true)
}

/// `issue close`: `Ok(false)` when it is closed already.
pub fn close(document: &mut Document, at: &str) -> Result<bool, String> {
    if document.status == "closed" {
        return Ok(false);
    }
    transition(document, "closed", at, None)?;
    Ok(true)
}

/// `issue archive` (`archived`) and `issue restore` (`!archived`).
pub fn set_archived(document: &mut Document, archived: bool, at: &str) -> Result<(), String> {
    let (from, to, action) = if archived {
        ("visible", "archived", "archived")
    } else {
        ("archived", "visible", "restored")
    };
    if document.retention != from {
        return Err(format!(
            "its retention is `{}`, not `{from}`",
            document.retention
        ));
    }
    if archived && document.status != "closed" {
        return Err(format!(
            "it is `{}`; roadmap-cli 0.3.1 archives only closed issues (without --force)",
            document.status
        ));
    }
    document.retention = to.into();
    record(document, action, at, None);
    Ok(())
}

/// 0.3.1's `_transition`: the event of moving to `status`, with its side effects; nothing
/// when the status is that already.
pub fn transition(
    document: &mut Document,
    status: &str,
    at: &str,
    reason: Option<&str>,
) -> Result<(), String> {
    if document.status == status {
        return Ok(());
    }
    if !allowed_from(&document.status).contains(&status) {
        return Err(format!(
            "roadmap-cli 0.3.1 does not move an issue from `{}` to `{status}` (allowed: {})",
            document.status,
            allowed_from(&document.status).join(", ")
        ));
    }
    document.status = status.to_owned();
    document.updated = at.to_owned();
    if status == "in-progress" && document.actual_start_date.is_none() {
        document.actual_start_date = Some(at.to_owned());
        document.progress_percentage = Value::Number(0.0.into());
        record(document, "started", at, reason);
    } else if status == "closed" {
        document.progress_percentage = Value::Number(100.0.into());
        document.actual_end_date = None;
        record(document, "closed", at, reason);
    } else {
        record(document, &format!("status:{status}"), at, reason);
    }
    Ok(())
}

/// The event a hand edit from `before` to `after` is recorded with: the status's or the
/// retention's event when those changed, else `updated`.
#[must_use]
pub fn edit_action(before: &Document, after: &Document) -> String {
    if after.retention != before.retention {
        return if after.retention == "visible" {
            "restored"
        } else {
            "archived"
        }
        .into();
    }
    match after.status.as_str() {
        status if status == before.status => "updated".into(),
        "closed" => "closed".into(),
        "in-progress" if before.actual_start_date.is_none() => "started".into(),
        status => format!("status:{status}"),
    }
}

/// Whether 0.3.1 lets the status move as a hand edit moved it.
pub fn check_status_edit(before: &Document, after: &Document) -> Result<(), String> {
    if before.status == after.status
        || allowed_from(&before.status).contains(&after.status.as_str())
    {
        return Ok(());
    }
    Err(format!(
        "roadmap-cli 0.3.1 does not move an issue from `{}` to `{}` (allowed: {})",
        before.status,
        after.status,
        allowed_from(&before.status).join(", ")
    ))
}

/// `record_event`: appends the event and makes `updated` its time.
pub fn record(document: &mut Document, action: &str, at: &str, reason: Option<&str>) {
    document.history.push(Event {
        action: action.to_owned(),
        at: at.to_owned(),
        reason: reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
    });
    document.updated = at.to_owned();
}
