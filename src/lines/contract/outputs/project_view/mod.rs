//! roadmap-cli 0.3.1's `project view ID [--format plain|json]`, byte for byte and exit status
//! included, as a pure function of the planning snapshot and the projects' extra fields
//! ([`answer`]).
//!
//! `Planning.project`: resolved among the visible projects as milestones are (exact id or
//! name, else id prefix; see [`super::milestone_view::resolve`]), with the totals of
//! `_project_summary`. Plain is `view_project`'s lines; JSON `inspect_json("project", summary)`.

use super::issue_list::project_records::ProjectExtra;
use super::issue_list::{Answer, Reply};
use super::milestone_view::{Format, resolve};
use super::planning::{ProjectSummary, Snapshot, one_decimal};
use super::python::{Json, PyNumber};

/// Answers `project view supplied` in `format`.
#[must_use]
pub fn answer(
    snapshot: &Snapshot,
    extras: &[ProjectExtra],
    supplied: &str,
    format: Format,
) -> Answer {
    let pairs: Vec<(&str, &str)> = snapshot
        .projects
        .iter()
        .map(|p| (p.project.id.as_str(), p.project.name.as_str()))
        .collect();
    let summary = match resolve(&pairs, supplied, "Project") {
        Ok(index) => &snapshot.projects[index],
        Err(message) => return Answer::failed(&message),
    };
    let stdout = match format {
        Format::Plain => plain(summary),
        Format::Json => {
            let mut same_id = extras.iter().filter(|e| e.id == summary.project.id);
            match (same_id.next(), same_id.next()) {
                (Some(extra), None) => json(summary, extra).dumps().map(|text| text + "\n"),
                _ => None,
            }
        }
    };
    match stdout {
        Some(stdout) if !stdout.contains('\u{1b}') => Answer::Reply(Reply {
            stdout,
            stderr: String::new(),
            code: 0,
        }),
        _ => Answer::Forward("a value Python prints differently".into()),
    }
}

fn plain(summary: &ProjectSummary) -> Option<String> {
    let project = &summary.project;
    let owner = project.owner.as_deref().filter(|o| !o.is_empty());
    let mut out = format!(
        "Project: {}\nID: {}\nStatus: {}\nPriority: {}\nOwner: {}\nProgress: {}%\n\
         Milestones: {}\nIssues: {}/{} closed\nEstimate: {}h\n",
        project.name,
        project.id,
        project.status,
        project.priority,
        owner.unwrap_or("Unassigned"),
        one_decimal(PyNumber::Float(summary.progress))?,
        summary.milestone_count,
        summary.closed_count,
        summary.issue_count,
        one_decimal(summary.estimated_hours)?,
    );
    if let Some(url) = project.repository_url.as_deref().filter(|u| !u.is_empty()) {
        out.push_str(&format!("Repository: {url}\n"));
    }
    if !project.content.is_empty() {
        out.push_str(&format!("\n{}\n", project.content));
    }
    Some(out)
}

fn count(n: usize) -> Json {
    Json::Number(PyNumber::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// `ProjectSummary` with its `Project` dataclass, fields in declaration order.
fn json(summary: &ProjectSummary, extra: &ProjectExtra) -> Json {
    let project = &summary.project;
    let number = |n: Option<PyNumber>| n.map_or(Json::Null, Json::Number);
    let ids = project
        .milestone_ids
        .iter()
        .map(|id| Json::Str(id.clone()))
        .collect();
    let record = Json::object([
        (
            "project",
            Json::object([
                ("id", Json::Str(project.id.clone())),
                ("created", Json::Str(extra.created.clone())),
                ("updated", Json::Str(extra.updated.clone())),
                ("retention", Json::Str(project.retention.clone())),
                ("name", Json::Str(project.name.clone())),
                ("headline", Json::Str(extra.headline.clone())),
                ("content", Json::Str(project.content.clone())),
                ("status", Json::Str(project.status.clone())),
                ("priority", Json::Str(project.priority.clone())),
                (
                    "relations",
                    Json::object([("milestone_ids", Json::Array(ids))]),
                ),
                ("owner", Json::text(project.owner.as_deref())),
                ("estimated_hours", number(extra.estimated_hours)),
                ("start_at", Json::text(extra.start_at.as_deref())),
                ("target_end_at", Json::text(extra.target_end_at.as_deref())),
                ("actual_end_at", Json::text(extra.actual_end_at.as_deref())),
                ("actual_hours", number(extra.actual_hours)),
                (
                    "repository_url",
                    Json::text(project.repository_url.as_deref()),
                ),
            ]),
        ),
        ("milestone_count", count(summary.milestone_count)),
        ("issue_count", count(summary.issue_count)),
        ("closed_count", count(summary.closed_count)),
        ("estimated_hours", Json::Number(summary.estimated_hours)),
        ("remaining_hours", Json::Number(summary.remaining_hours)),
        ("progress", Json::Number(PyNumber::Float(summary.progress))),
    ]);
    Json::object([
        ("schema_version", count(1)),
        ("kind", Json::Str("roadmap.project".into())),
        ("record", record),
    ])
}
