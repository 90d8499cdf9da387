//! roadmap-cli 0.3.1's `milestone view NAME [--format plain|json]`, byte for byte and exit
//! status included, as a pure function of the planning snapshot ([`answer`]).
//!
//! The milestone is resolved among the snapshot's (visible) milestones as `Planning._resolve`
//! does: the one whose id or name equals what was given, else the ones whose id starts with it;
//! none is `Error: Milestone 'X' was not found`, several the ambiguous list (exit 1). Plain is
//! `_print_summary` and `_print_issues`; JSON is `inspect_json("milestone", summary, issues=…)`.

use super::issue_list::{Answer, Reply};
use super::issue_view::issue_json;
use super::planning::{Issue, MilestoneSummary, Snapshot, one_decimal};
use super::python::{Json, PyNumber};

/// `--format` of `milestone view` (and `project view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Json,
}

/// `Planning._resolve` over `(id, name)` pairs: the index chosen, or the tracker's message.
pub fn resolve(values: &[(&str, &str)], supplied: &str, label: &str) -> Result<usize, String> {
    let exact: Vec<usize> = (0..values.len())
        .filter(|i| values[*i].0 == supplied || values[*i].1 == supplied)
        .collect();
    if exact.len() == 1 {
        return Ok(exact[0]);
    }
    let mut matches = if exact.is_empty() {
        (0..values.len())
            .filter(|i| values[*i].0.starts_with(supplied))
            .collect()
    } else {
        exact
    };
    match matches.len() {
        0 => Err(format!("{label} '{supplied}' was not found")),
        1 => Ok(matches[0]),
        _ => {
            // `sorted` is stable: equal ids keep their order.
            matches.sort_by(|a, b| values[*a].0.cmp(values[*b].0));
            let choices: Vec<String> = matches
                .iter()
                .map(|i| format!("  {}: {}", values[*i].0, values[*i].1))
                .collect();
            Err(format!(
                "Ambiguous {} name or ID prefix '{supplied}'; use a complete ID:\n{}",
                label.to_lowercase(),
                choices.join("\n")
            ))
        }
    }
}

/// The milestone `milestone view supplied` shows, or the tracker's message when none.
fn shown<'a>(snapshot: &'a Snapshot, supplied: &str) -> Result<&'a MilestoneSummary, String> {
    let pairs: Vec<(&str, &str)> = snapshot
        .milestones
        .iter()
        .map(|m| (m.milestone.row.id.as_str(), m.milestone.row.name.as_str()))
        .collect();
    resolve(&pairs, supplied, "Milestone").map(|index| &snapshot.milestones[index])
}

/// The id of the milestone `milestone view supplied` shows, if any: whose issues the JSON
/// format prints whole.
#[must_use]
pub fn shown_id(snapshot: &Snapshot, supplied: &str) -> Option<String> {
    shown(snapshot, supplied)
        .ok()
        .map(|summary| summary.milestone.row.id.clone())
}

/// Answers `milestone view supplied` in `format`.
#[must_use]
pub fn answer(snapshot: &Snapshot, supplied: &str, format: Format) -> Answer {
    let summary = match shown(snapshot, supplied) {
        Ok(summary) => summary,
        Err(message) => return Answer::failed(&message),
    };
    let issues: Vec<&Issue> = snapshot
        .issues
        .iter()
        .filter(|i| i.milestone_id.as_deref() == Some(summary.milestone.row.id.as_str()))
        .collect();
    let stdout = match format {
        Format::Plain => plain(summary, &issues),
        Format::Json => {
            json(summary, &issues).and_then(|json| json.dumps().map(|text| text + "\n"))
        }
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

fn plain(summary: &MilestoneSummary, issues: &[&Issue]) -> Option<String> {
    let milestone = &summary.milestone;
    let due = milestone
        .more
        .due_at
        .as_deref()
        .map_or("None", |d| &d[..10]);
    let mut out = format!(
        "Milestone: {}\nID: {}\nStatus: {}\nDue: {due}\nProgress: {}%\nIssues: {}/{} closed\n\
         Estimate: {}h ({}h remaining)\n",
        milestone.row.name,
        milestone.row.id,
        milestone.row.status,
        one_decimal(PyNumber::Float(summary.progress))?,
        summary.closed_count,
        summary.issue_count,
        one_decimal(summary.estimated_hours)?,
        one_decimal(summary.remaining_hours)?,
    );
    if !milestone.more.content.is_empty() {
        out.push_str(&format!("\n{}\n", milestone.more.content));
    }
    if !issues.is_empty() {
        out.push_str("\nIssues:\n");
        for issue in issues {
            out.push_str(&format!(
                "- [{}] {} ({}, {})\n",
                issue.id, issue.title, issue.status, issue.priority
            ));
        }
    }
    Some(out)
}

fn count(n: usize) -> Json {
    Json::Number(PyNumber::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// `MilestoneSummary` with its `Milestone`, then the issues; `None` when an issue was not read
/// whole (from the cache: the caller reads the files for this format).
fn json(summary: &MilestoneSummary, issues: &[&Issue]) -> Option<Json> {
    let milestone = &summary.milestone;
    let record = Json::object([
        (
            "milestone",
            Json::object([
                ("id", Json::Str(milestone.row.id.clone())),
                ("created", Json::Str(milestone.more.created.clone())),
                ("updated", Json::Str(milestone.more.updated.clone())),
                ("retention", Json::Str(milestone.row.retention.clone())),
                ("name", Json::Str(milestone.row.name.clone())),
                ("headline", Json::Str(milestone.more.headline.clone())),
                ("content", Json::Str(milestone.more.content.clone())),
                ("status", Json::Str(milestone.row.status.clone())),
                (
                    "relation",
                    Json::object([(
                        "project_id",
                        Json::text(milestone.more.project_id.as_deref()),
                    )]),
                ),
                ("due_at", Json::text(milestone.more.due_at.as_deref())),
            ]),
        ),
        ("issue_count", count(summary.issue_count)),
        ("closed_count", count(summary.closed_count)),
        ("estimated_hours", Json::Number(summary.estimated_hours)),
        ("remaining_hours", Json::Number(summary.remaining_hours)),
        ("progress", Json::Number(PyNumber::Float(summary.progress))),
    ]);
    let issues = issues
        .iter()
        .map(|i| i.whole.as_deref().map(|(row, more)| issue_json(row, more)))
        .collect::<Option<Vec<Json>>>()?;
    Some(Json::object([
        ("schema_version", count(1)),
        ("kind", Json::Str("roadmap.milestone".into())),
        ("record", record),
        ("issues", Json::Array(issues)),
    ]))
}
