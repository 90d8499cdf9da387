//! The pages behind a card and a milestone link: one issue (fields, the body from Markdown,
//! comments, history, links to what it depends on and blocks) and one milestone's progress,
//! plus the list of milestones. Rendered from what the routes read; no SQL here.

use super::board_page::plural;
use super::html::{escape, issue_href, markdown, milestone_href, query_string};
use crate::cache::board_query::StatusProgress;
use crate::cache::query::{IssueDetail, MilestoneRow};
use serde_json::Value;
use std::fmt::Write as _;

/// The issue page's `main`.
#[must_use]
pub fn issue(detail: &IssueDetail, uncommitted: bool) -> String {
    let row = &detail.row;
    let fields: Value = serde_json::from_str(&detail.json).unwrap_or(Value::Null);
    let mut html = format!(
        "<article class=\"issue\" data-id=\"{}\"><h1>{}</h1><p class=\"id\">{}</p>",
        escape(&row.id),
        escape(&row.title),
        escape(&row.id)
    );
    if uncommitted {
        html.push_str("<p class=\"note\"><span class=\"pending\">uncommitted</span> written by roadmap, not committed yet</p>");
    }
    html.push_str("<dl class=\"fields\">");
    let mut fact = |name: &str, value: String| {
        let _ = write!(html, "<dt>{name}</dt><dd>{value}</dd>");
    };
    fact("status", escape(&row.status));
    fact("priority", escape(&row.priority));
    fact("type", escape(&row.issue_type));
    if let Some(assignee) = &row.assignee {
        fact("assignee", escape(assignee));
    }
    if let Some(milestone) = &row.milestone {
        fact(
            "milestone",
            format!(
                "<a href=\"{}\">{}</a>",
                escape(&milestone_href(milestone)),
                escape(milestone)
            ),
        );
    }
    if !row.labels.is_empty() {
        let labels: Vec<String> = row
            .labels
            .iter()
            .map(|l| format!("<span class=\"label\">{}</span>", escape(l)))
            .collect();
        fact("labels", labels.concat());
    }
    for (key, name) in [
        ("estimated_hours", "estimate (h)"),
        ("progress_percentage", "progress (%)"),
        ("due_date", "due"),
        ("created", "created"),
        ("updated", "updated"),
    ] {
        if let Some(value) = scalar(&fields[key]) {
            fact(name, escape(&value));
        }
    }
    for (key, name) in [("depends_on", "depends on"), ("blocks", "blocks")] {
        let ids = strings(&fields[key]);
        if !ids.is_empty() {
            let links: Vec<String> = ids
                .iter()
                .map(|id| {
                    format!(
                        "<a class=\"dependency\" href=\"{}\">{}</a>",
                        escape(&issue_href(id)),
                        escape(id)
                    )
                })
                .collect();
            fact(name, links.join(" "));
        }
    }
    html.push_str("</dl>");
    let _ = write!(
        html,
        "<section class=\"body\">{}</section>",
        markdown(&detail.body)
    );
    html.push_str(&comments(&fields["comments"]));
    // 0.3.1's history is a key our model keeps among the unknown ones (`extra`).
    let events = match &fields["history"] {
        Value::Null => &fields["extra"]["history"],
        events => events,
    };
    html.push_str(&history(events));
    let _ = write!(
        html,
        "<p class=\"path\">{}</p></article>",
        escape(&row.path)
    );
    html
}

fn comments(comments: &Value) -> String {
    let Some(comments) = comments.as_array().filter(|c| !c.is_empty()) else {
        return String::new();
    };
    let mut html = format!(
        "<section class=\"comments\"><h2>{} {}</h2>",
        comments.len(),
        plural(comments.len(), "comment", "comments")
    );
    for comment in comments {
        let author = scalar(&comment["author"]).unwrap_or_else(|| "someone".to_owned());
        let when = scalar(&comment["created_at"]).unwrap_or_default();
        let body = scalar(&comment["body"]).unwrap_or_default();
        let _ = write!(
            html,
            "<div class=\"comment\"><p class=\"meta\"><b>{}</b> {}</p>{}</div>",
            escape(&author),
            escape(&when),
            markdown(&body)
        );
    }
    html.push_str("</section>");
    html
}

fn history(history: &Value) -> String {
    let Some(events) = history.as_array().filter(|h| !h.is_empty()) else {
        return String::new();
    };
    let mut html = String::from("<section class=\"history\"><h2>history</h2><ol>");
    for event in events {
        let Some(fields) = event.as_object() else {
            let _ = write!(html, "<li>{}</li>", escape(&event.to_string()));
            continue;
        };
        let action = scalar(&event["action"]).unwrap_or_default();
        let at = scalar(&event["at"]).unwrap_or_default();
        let rest: Vec<String> = fields
            .iter()
            .filter(|(key, value)| !matches!(key.as_str(), "action" | "at") && !value.is_null())
            .map(|(key, value)| {
                let value = scalar(value).unwrap_or_else(|| value.to_string());
                format!("{}: {}", escape(key), escape(&value))
            })
            .collect();
        let _ = write!(
            html,
            "<li><span class=\"when\">{}</span> <b>{}</b> {}</li>",
            escape(&at),
            escape(&action),
            rest.join(", ")
        );
    }
    html.push_str("</ol></section>");
    html
}

/// A scalar field as text; `None` for null, arrays and objects.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

/// The milestone page's `main`: its facts, progress by status with estimates, and its
/// burndown (`roadmap chart burndown`'s SVG, served beside the page).
#[must_use]
pub fn milestone(milestone: &MilestoneRow, progress: &[StatusProgress]) -> String {
    let total: usize = progress.iter().map(|p| p.issues).sum();
    let closed: usize = progress
        .iter()
        .filter(|p| p.status == "closed")
        .map(|p| p.issues)
        .sum();
    let percent = (closed * 100).checked_div(total).unwrap_or(0);
    let mut html = format!(
        "<article class=\"milestone\"><h1>{}</h1><dl class=\"fields\">",
        escape(&milestone.name)
    );
    if let Some(status) = &milestone.status {
        let _ = write!(html, "<dt>status</dt><dd>{}</dd>", escape(status));
    }
    if let Some(due) = &milestone.due_date {
        let _ = write!(html, "<dt>due</dt><dd>{}</dd>", escape(due));
    }
    let _ = write!(
        html,
        "</dl><div class=\"progress\"><progress max=\"{total}\" value=\"{closed}\"></progress>\
         <p class=\"summary\">{closed} of {total} {} closed ({percent}%)</p></div>",
        plural(total, "issue", "issues")
    );
    html.push_str(
        "<table class=\"by-status\"><thead><tr><th>status</th><th>issues</th><th>estimated hours</th></tr></thead><tbody>",
    );
    for row in progress {
        let href = format!(
            "/{}",
            query_string(&[
                ("milestone", milestone.name.clone()),
                ("status", row.status.clone())
            ])
        );
        let _ = write!(
            html,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{} <span class=\"muted\">({} of {} estimated)</span></td></tr>",
            escape(&href),
            escape(&row.status),
            row.issues,
            hours(row.estimated_hours),
            row.estimated,
            row.issues
        );
    }
    let estimate: f64 = progress.iter().map(|p| p.estimated_hours).sum();
    let remaining: f64 = progress
        .iter()
        .filter(|p| p.status != "closed")
        .map(|p| p.estimated_hours)
        .sum();
    let _ = write!(
        html,
        "</tbody></table><p class=\"estimate\">estimate: {} h in all, {} h still open</p>",
        hours(estimate),
        hours(remaining)
    );
    let board = format!(
        "/{}",
        query_string(&[("milestone", milestone.name.clone())])
    );
    let _ = write!(
        html,
        "<section class=\"burndown\" id=\"burndown\"><h2>burndown</h2>\
         <img src=\"{}/burndown.svg\" alt=\"burndown of {}: open issues and open estimate over time\" width=\"800\"></section>\
         <p><a href=\"{}\">this milestone on the board</a></p></article>",
        escape(&milestone_href(&milestone.name)),
        escape(&milestone.name),
        escape(&board)
    );
    html
}

/// The milestones page's `main`: every milestone with a link to its page.
#[must_use]
pub fn milestones(milestones: &[MilestoneRow]) -> String {
    let mut html = String::from("<article><h1>milestones</h1><ul class=\"milestones\">");
    if milestones.is_empty() {
        html.push_str("<li class=\"muted\">no milestones</li>");
    }
    for milestone in milestones {
        let _ = write!(
            html,
            "<li><a href=\"{}\">{}</a> <span class=\"muted\">{}{}{}</span></li>",
            escape(&milestone_href(&milestone.name)),
            escape(&milestone.name),
            escape(milestone.status.as_deref().unwrap_or("")),
            milestone
                .due_date
                .as_deref()
                .map(|due| format!(" due {}", escape(due)))
                .unwrap_or_default(),
            if milestone.archived { " archived" } else { "" }
        );
    }
    html.push_str("</ul></article>");
    html
}

fn hours(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    format!("{rounded}")
}
