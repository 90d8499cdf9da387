//! Our writes on the legacy line: the changed lines of a file written in place, everything
//! else kept byte for byte, and the file moved when the tracker 1.0.2 moves it (a new title
//! renames it, a new milestone or archiving moves it between folders). The file edits
//! themselves are `crate::issue_write`'s.

use crate::cache::Cache;
use crate::error::CommandError;
use crate::issue::effects;
use crate::issue::render::YamlValue;
use crate::issue_write::{self, Destination, now_timestamp, read_issue};
use crate::lines::legacy::layout::BACKLOG_FOLDER;
use crate::lines::writes::{CheckedEdit, Edits, IssueWrite};
use crate::workspace::Workspace;
use crate::workspace::write::{ReadFile, Written};

pub(in crate::lines) fn write(
    workspace: &Workspace,
    cache: &Cache,
    request: IssueWrite,
) -> Result<Written, CommandError> {
    match request {
        IssueWrite::Create { mut new, body } => {
            // The tracker's template, as its `issue create` without `-d` writes it.
            new.body = body.unwrap_or_else(|| effects::default_body(&new.title));
            issue_write::create(workspace, &new)
        }
        IssueWrite::Update { id, edits } => update(workspace, cache, &id, &edits),
        IssueWrite::SetStatus { id, status } => set_status(workspace, cache, &id, status),
        IssueWrite::Archive { id, archived } => archive(workspace, cache, &id, archived),
    }
}

fn update(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
    edits: &Edits,
) -> Result<Written, CommandError> {
    let (file, issue) = read_issue(workspace, cache, id)?;
    let mut changes: Vec<(&str, YamlValue)> = Vec::new();
    let text = |value: &Option<String>| value.clone().map_or(YamlValue::Null, YamlValue::Text);
    if let Some(title) = &edits.title {
        changes.push(("title", YamlValue::Text(title.clone())));
    }
    for (key, value) in [
        ("status", &edits.status),
        ("priority", &edits.priority),
        ("issue_type", &edits.issue_type),
    ] {
        if let Some(value) = value {
            changes.push((key, YamlValue::Text(value.clone())));
        }
    }
    if let Some(assignee) = &edits.assignee {
        changes.push(("assignee", text(assignee)));
    }
    if let Some(milestone) = &edits.milestone {
        changes.push(("milestone", text(milestone)));
    }
    if !edits.add_labels.is_empty() || !edits.remove_labels.is_empty() {
        let mut labels = issue.labels.clone();
        for label in &edits.add_labels {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
        }
        labels.retain(|l| !edits.remove_labels.contains(l));
        changes.push(("labels", YamlValue::List(labels)));
    }
    let destination = match &edits.milestone {
        Some(milestone) => Destination::MilestoneFolder(
            milestone
                .clone()
                .unwrap_or_else(|| BACKLOG_FOLDER.to_owned()),
        ),
        None => Destination::Stay,
    };
    issue_write::change_fields(workspace, &file, &issue, changes, destination)
}

/// `close` (`closed: true` and progress 100, as the tracker's `close`) and `reopen` (the
/// tracker's `update --status todo`, the status alone).
fn set_status(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
    status: &str,
) -> Result<Written, CommandError> {
    let (file, issue) = read_issue(workspace, cache, id)?;
    let now = now_timestamp();
    let changes = if status == "closed" {
        effects::on_close(&now, None)
    } else {
        effects::on_status(&now, status)
    };
    issue_write::change_fields(workspace, &file, &issue, changes, Destination::Stay)
}

/// The file moves to or from `.roadmap/archive/issues/`, keeping its milestone folder.
fn archive(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
    archived: bool,
) -> Result<Written, CommandError> {
    let (file, issue) = read_issue(workspace, cache, id)?;
    let path = &file.path;
    let (from_root, to_root) = if archived {
        (".roadmap/issues/", ".roadmap/archive/issues/")
    } else {
        (".roadmap/archive/issues/", ".roadmap/issues/")
    };
    let Some(rest) = path.strip_prefix(from_root) else {
        let state = if archived {
            "already archived"
        } else {
            "not archived"
        };
        return Err(CommandError::user(format!("{path} is {state}")));
    };
    let target = format!("{to_root}{rest}");
    // The tracker's `archive` moves the file unchanged; a file that says `archived: true`
    // itself must stop saying so when it comes back, or it would still read as archived.
    if !archived && issue.frontmatter.archived.is_some_and(|a| a.0) {
        issue_write::change_fields(
            workspace,
            &file,
            &issue,
            vec![("archived", YamlValue::Bool(false))],
            Destination::Path(target),
        )
    } else {
        issue_write::move_unchanged(workspace, &file, target)
    }
}

pub(in crate::lines) fn check_edit(
    file: &ReadFile,
    edited: &str,
) -> Result<CheckedEdit, CommandError> {
    let Some(crate::lines::legacy::layout::RoadmapFile::Issue(context)) =
        crate::lines::legacy::layout::classify(&file.path)
    else {
        return Err(CommandError::user(format!(
            "{} is not an issue file",
            file.path
        )));
    };
    let before = crate::issue::Issue::parse(file.text.as_bytes(), &context)
        .map_err(|e| CommandError::user(format!("{}: {e}", file.path)))?;
    let checked = issue_write::check_edit(file, &before, edited)?;
    Ok(CheckedEdit {
        text: checked.text,
        target: checked.target,
    })
}
