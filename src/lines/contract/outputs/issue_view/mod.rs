//! roadmap-cli 0.3.1's `issue view ID [--format plain|json]`, byte for byte and exit status
//! included, as a pure function of the workspace's rows and records ([`answer`]).
//!
//! The id is resolved as `resolve_issue_id` does: an exact id, else the one id starting with
//! it; none is `Error: Issue 'X' was not found`, several list `id: title` sorted by id (exit 1).
//! Plain output is `IssueQueryPresenter.render_plain` (Python `None` for empty values, a
//! trailing space after `Depends on:` and after a history action without reason); JSON is
//! `inspect_json("issue", record)`, the dataclasses in field order, `ensure_ascii=False`.

use super::issue_list::file_rows::{self as row, ContractIssueRow, ContractSources};
use super::issue_list::records::{ContractRecords, IssueRecord};
use super::issue_list::row::Unread;
use super::issue_list::{Answer, Reply};
use super::python::{Json, PyNumber};

/// `--format` of `issue view`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Json,
}

/// One issue as the tracker's `IssueQueryRecord` holds it.
struct Record<'a> {
    row: &'a ContractIssueRow,
    more: &'a IssueRecord,
}

/// Answers `issue view supplied` in `format`.
#[must_use]
pub fn answer(
    supplied: &str,
    format: Format,
    sources: ContractSources,
    records: &ContractRecords,
) -> Answer {
    let (mut issues, milestones, extra) = match everything(sources, records) {
        Ok(read) => read,
        Err(answer) => return answer,
    };
    row::name_milestones(&mut issues, &milestones);
    let chosen = match resolve(&issues, supplied) {
        Ok(Some(index)) => index,
        Ok(None) => return Answer::Forward("an id the tracker refuses to parse".into()),
        Err(message) => return Answer::failed(&message),
    };
    let row = &issues[chosen];
    let Some(more) = extra.iter().find(|r| r.id == row.id) else {
        return Answer::Forward("an issue the second read did not find".into());
    };
    let record = Record { row, more };
    let stdout = match format {
        Format::Plain => plain(&record),
        Format::Json => json(&record).dumps().map(|text| {
            text + "
"
        }),
    };
    match stdout {
        // click.echo drops ANSI escapes when piped; we do not reproduce which.
        Some(stdout) if !stdout.contains('\u{1b}') => Answer::Reply(Reply {
            stdout,
            stderr: String::new(),
            code: 0,
        }),
        _ => Answer::Forward("a value Python prints differently".into()),
    }
}

type Everything = (
    Vec<ContractIssueRow>,
    Vec<row::ContractMilestone>,
    Vec<IssueRecord>,
);

/// Every kind read cleanly, or the reply instead ([`Unread::answer`]): the tracker refreshes
/// its projection from every document before any read, so an unreadable project fails
/// `issue view` too, and a file conflicted in its front matter is named by the tracker itself.
fn everything(sources: ContractSources, records: &ContractRecords) -> Result<Everything, Answer> {
    let why = Unread::answer;
    if let Err(unread) = &records.projects {
        return Err(why(unread));
    }
    if let Err(unread) = &records.milestones {
        return Err(why(unread));
    }
    let milestones = sources.milestones.map_err(|u| why(&u))?;
    let issues = sources.issues.map_err(|u| why(&u))?;
    let extra = records.issues.clone().map_err(|u| why(&u))?;
    Ok((issues, milestones, extra))
}

/// `resolve_issue_id`: the index of the issue `supplied` names, `Ok(None)` for what
/// `EntityId` refuses, or the tracker's message.
fn resolve(issues: &[ContractIssueRow], supplied: &str) -> Result<Option<usize>, String> {
    if supplied.is_empty()
        || supplied.trim() != supplied
        || supplied.contains(['/', '\\', '\0', '\r', '\n'])
    {
        return Ok(None);
    }
    if let Some(index) = issues.iter().position(|i| i.id == supplied) {
        return Ok(Some(index));
    }
    let mut matches: Vec<usize> = (0..issues.len())
        .filter(|i| issues[*i].id.starts_with(supplied))
        .collect();
    match matches.len() {
        0 => Err(format!("Issue '{supplied}' was not found")),
        1 => Ok(Some(matches[0])),
        _ => {
            matches.sort_by(|a, b| issues[*a].id.cmp(&issues[*b].id));
            let choices: Vec<String> = matches
                .iter()
                .map(|i| format!("  {}: {}", issues[*i].id, issues[*i].title))
                .collect();
            Err(format!(
                "Ambiguous issue ID prefix '{supplied}'; use a complete ID:\n{}",
                choices.join("\n")
            ))
        }
    }
}

fn or_none(value: Option<&str>) -> String {
    value.unwrap_or("None").to_owned()
}

fn number(value: Option<PyNumber>) -> Option<String> {
    match value {
        None => Some("None".to_owned()),
        Some(n) => n.repr(),
    }
}

/// `render_plain`: one `Label: value` line each, the body after a blank line, then comments
/// and history; every `click.echo` ends its text with a newline.
fn plain(record: &Record) -> Option<String> {
    let (row, more) = (record.row, record.more);
    let milestone = row
        .milestone_name
        .as_deref()
        .or(row.milestone_id.as_deref());
    let values = [
        ("Issue", row.title.clone()),
        ("ID", row.id.clone()),
        ("Status", row.status.clone()),
        ("Priority", row.priority.clone()),
        ("Type", row.issue_type.clone()),
        ("Lifecycle", row.retention.clone()),
        ("Assignee", or_none(row.assignee.as_deref())),
        ("Milestone", or_none(milestone)),
        ("Labels", row.labels.join(", ")),
        ("Estimate", number(more.estimated_hours)?),
        ("Progress", number(more.progress_percentage)?),
        ("Due", or_none(more.due_at.as_deref())),
        ("Started", or_none(more.actual_start_at.as_deref())),
        ("Completed", or_none(more.actual_end_at.as_deref())),
        ("Created", more.created.clone()),
        ("Updated", more.updated.clone()),
        ("Depends on", row.depends_on.join(", ")),
        ("Blocks", row.blocks.join(", ")),
    ];
    let mut out = String::new();
    for (label, value) in values {
        out.push_str(&format!("{label}: {value}\n"));
    }
    out.push_str(&format!("\n{}\n", row.content));
    for comment in &more.comments {
        out.push_str(&format!(
            "Comment {} by {}: {}\n",
            comment.id, comment.author, comment.body
        ));
    }
    for event in &more.history {
        let reason = event.reason.as_deref().unwrap_or("");
        out.push_str(&format!(
            "History {}: {} {reason}\n",
            event.at, event.action
        ));
    }
    Some(out)
}

fn strings(values: &[String]) -> Json {
    Json::Array(values.iter().map(|v| Json::Str(v.clone())).collect())
}

fn int(value: u64) -> Json {
    i64::try_from(value).map_or(Json::Null, |v| Json::Number(PyNumber::Int(v)))
}

fn optional_number(value: Option<PyNumber>) -> Json {
    value.map_or(Json::Null, Json::Number)
}

/// `inspect_json("issue", record)`: `IssueQueryRecord` with its `Issue` and comment views.
fn json(record: &Record) -> Json {
    let (row, more) = (record.row, record.more);
    Json::object([
        ("schema_version", Json::Number(PyNumber::Int(1))),
        ("kind", Json::Str("roadmap.issue".into())),
        (
            "record",
            Json::object([
                ("issue", issue_json(row, more)),
                ("comments", comments_json(more, false)),
                ("actual_end_at", Json::text(more.actual_end_at.as_deref())),
                ("milestone_name", Json::text(row.milestone_name.as_deref())),
            ]),
        ),
    ])
}

/// The comments as `_value` prints them: `Comment` with its `external_url` inside an `Issue`,
/// the `CommentView` without it in a query record.
fn comments_json(more: &IssueRecord, with_url: bool) -> Json {
    Json::Array(
        more.comments
            .iter()
            .map(|c| {
                let mut pairs = vec![
                    ("id".to_owned(), int(c.id)),
                    ("author".to_owned(), Json::Str(c.author.clone())),
                    ("body".to_owned(), Json::Str(c.body.clone())),
                    ("created_at".to_owned(), Json::Str(c.created_at.clone())),
                    ("updated_at".to_owned(), Json::Str(c.updated_at.clone())),
                    (
                        "in_reply_to".to_owned(),
                        c.in_reply_to.map_or(Json::Null, int),
                    ),
                ];
                if with_url {
                    pairs.push((
                        "external_url".to_owned(),
                        Json::text(c.external_url.as_deref()),
                    ));
                }
                Json::Object(pairs)
            })
            .collect(),
    )
}

/// The `Issue` dataclass as `inspect_json`'s `_value` prints it (also inside `milestone view`).
pub(crate) fn issue_json(row: &ContractIssueRow, more: &IssueRecord) -> Json {
    let history = Json::Array(
        more.history
            .iter()
            .map(|e| {
                Json::object([
                    ("action", Json::Str(e.action.clone())),
                    ("at", Json::Str(e.at.clone())),
                    ("reason", Json::text(e.reason.as_deref())),
                ])
            })
            .collect(),
    );
    Json::object([
        ("id", Json::Str(row.id.clone())),
        ("created", Json::Str(more.created.clone())),
        ("updated", Json::Str(more.updated.clone())),
        ("retention", Json::Str(row.retention.clone())),
        ("title", Json::Str(row.title.clone())),
        ("headline", Json::Str(row.headline.clone())),
        ("content", Json::Str(row.content.clone())),
        ("priority", Json::Str(row.priority.clone())),
        ("status", Json::Str(row.status.clone())),
        ("issue_type", Json::Str(row.issue_type.clone())),
        (
            "relations",
            Json::object([
                ("milestone_id", Json::text(row.milestone_id.as_deref())),
                ("depends_on", strings(&row.depends_on)),
                ("blocks", strings(&row.blocks)),
            ]),
        ),
        ("labels", strings(&row.labels)),
        ("assignee", Json::text(row.assignee.as_deref())),
        ("estimated_hours", optional_number(more.estimated_hours)),
        ("due_at", Json::text(more.due_at.as_deref())),
        (
            "progress_percentage",
            optional_number(more.progress_percentage),
        ),
        (
            "actual_start_at",
            Json::text(more.actual_start_at.as_deref()),
        ),
        ("actual_end_at", Json::text(more.actual_end_at.as_deref())),
        ("git_branches", strings(&more.git_branches)),
        ("comments", comments_json(more, true)),
        ("history", history),
    ])
}
