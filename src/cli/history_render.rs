//! Rendering of the history commands: `roadmap diff` as a table, JSON or Markdown, and
//! `roadmap log` as text or JSON. No git and no SQL: the answers come from `crate::history`.

use crate::history::field_changes::{Field, FieldChange};
use crate::history::issue_log::LogEntry;
use crate::history::plan_diff::{ChangeKind, IssueChange, PlanDiff};
use crate::sync::short;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

/// `status: todo → in-progress`; a body says only that it changed.
#[must_use]
pub fn describe_change(change: &FieldChange) -> String {
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
    match change.field {
        Field::Body => match (&change.old, &change.new) {
            (None, _) => "body added".to_owned(),
            (_, None) => "body removed".to_owned(),
            _ => "body changed".to_owned(),
        },
        field => format!(
            "{}: {} → {}",
            field.name(),
            shown(&change.old),
            shown(&change.new)
        ),
    }
}

fn kinds_text(issue: &IssueChange) -> String {
    issue
        .kinds
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The details column: nothing for an opened or removed issue (the kind says it all).
fn details(issue: &IssueChange) -> String {
    if issue
        .kinds
        .iter()
        .any(|k| matches!(k, ChangeKind::Opened | ChangeKind::Removed))
    {
        return String::new();
    }
    issue
        .changes
        .iter()
        .map(describe_change)
        .collect::<Vec<_>>()
        .join("; ")
}

/// `2 opened, 1 closed`, or `no changes`.
fn summary(diff: &PlanDiff) -> String {
    let counts = diff.counts();
    if counts.is_empty() {
        return "no changes".to_owned();
    }
    counts
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn range_text(diff: &PlanDiff) -> String {
    format!(
        "{}..{}",
        short(&diff.range.from.commit.to_string()),
        short(&diff.range.to.commit.to_string())
    )
}

/// The table: a summary line, then one aligned line per changed issue.
#[must_use]
pub fn diff_table(diff: &PlanDiff) -> String {
    let mut out = format!("Plan changes {}: {}\n", range_text(diff), summary(diff));
    let rows: Vec<[String; 4]> = diff
        .issues
        .iter()
        .map(|i| [i.id.clone(), kinds_text(i), i.title.clone(), details(i)])
        .collect();
    let mut widths = [0usize; 3];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.width());
        }
    }
    for row in &rows {
        let mut line = String::new();
        for (w, cell) in widths.iter().zip(row.iter()) {
            line.push_str(cell);
            line.push_str(&" ".repeat(w - cell.width() + 2));
        }
        line.push_str(&row[3]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Markdown to paste as a pull-request comment.
#[must_use]
pub fn diff_markdown(diff: &PlanDiff) -> String {
    let mut out = format!(
        "**Plan changes** `{}`: {}\n",
        range_text(diff),
        summary(diff)
    );
    if diff.issues.is_empty() {
        return out;
    }
    out.push_str("\n| Issue | Change | Title | Details |\n|---|---|---|---|\n");
    for issue in &diff.issues {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            issue.id,
            kinds_text(issue),
            cell(&issue.title),
            cell(&details(issue))
        ));
    }
    out
}

/// A Markdown table cell: pipes escaped, no line breaks.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// The JSON object: both ends, the counts, and every changed issue field by field.
#[must_use]
pub fn diff_json(diff: &PlanDiff) -> String {
    let counts: serde_json::Map<String, serde_json::Value> = diff
        .counts()
        .into_iter()
        .map(|(kind, n)| (kind.name().to_owned(), json!(n)))
        .collect();
    let end = |r: &crate::history::Revision| json!({"rev": r.name, "commit": r.commit.to_string()});
    let value = json!({
        "from": end(&diff.range.from),
        "to": end(&diff.range.to),
        "summary": counts,
        "issues": diff.issues,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// `roadmap log`: one block per commit, newest first.
#[must_use]
pub fn log_text(id: &str, entries: &[LogEntry]) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str(&format!("no commit changed issue {id}\n"));
    }
    for entry in entries {
        out.push_str(&format!(
            "{}  {}  {}  {}\n",
            short(&entry.commit),
            entry.date,
            entry.author,
            entry.summary
        ));
        if let Some(from) = &entry.moved_from {
            out.push_str(&format!("    file: {from} → {}\n", entry.path));
        }
        for change in &entry.changes {
            out.push_str(&format!("    {}\n", describe_change(change)));
        }
    }
    out
}

/// `roadmap log --format json`: `{"id", "commits": [...]}`.
#[must_use]
pub fn log_json(id: &str, entries: &[LogEntry]) -> String {
    let value = json!({"id": id, "commits": entries});
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
