//! roadmap-cli 0.3.1's `milestone list [--overdue] [--format F]`, byte for byte, as a pure
//! function of the planning snapshot ([`answer`]).
//!
//! `list_milestones` in `milestones/list.py`: the snapshot's visible milestones (sorted by
//! name), `--overdue` keeping those open with a due date before now; cells are the name,
//! headline, status, due date (`date().isoformat()` in the timestamp's own offset),
//! progress and estimate as `{:.1f}`.

use super::issue_list::Answer;
use super::planning::{MilestoneSummary, Snapshot, one_decimal};
use super::python::PyNumber;
use super::table_data::{self, TableData};

const COLUMNS: &[(&str, &str, &str)] = &[
    ("name", "Name", "string"),
    ("description", "Description", "string"),
    ("status", "Status", "enum"),
    ("due_date", "Due date", "date"),
    ("progress", "Progress", "string"),
    ("estimate", "Estimate", "string"),
];

/// `milestone_is_overdue`: a due date before now (`now` a [`crate::issue::timestamp::sort_key`])
/// on a milestone not closed.
#[must_use]
pub fn is_overdue(summary: &MilestoneSummary, now: &str) -> bool {
    let row = &summary.milestone.row;
    row.status != "closed" && row.due_key.as_deref().is_some_and(|due| due < now)
}

fn cells(summary: &MilestoneSummary) -> Option<Vec<String>> {
    let milestone = &summary.milestone;
    Some(vec![
        milestone.row.name.clone(),
        milestone.more.headline.clone(),
        milestone.row.status.clone(),
        milestone
            .more
            .due_at
            .as_deref()
            .map_or(String::new(), |due| due[..10].to_owned()),
        format!("{}%", one_decimal(PyNumber::Float(summary.progress))?),
        format!("{}h", one_decimal(summary.estimated_hours)?),
    ])
}

/// The listed milestones as a `TableData`, or `None` for a number on a rounding tie (where
/// Rust's and Python's `{:.1f}` may part, see [`one_decimal`]).
fn table(snapshot: &Snapshot, overdue: bool, now: &str) -> Option<TableData> {
    let rows: Option<Vec<Vec<String>>> = snapshot
        .milestones
        .iter()
        .filter(|m| !overdue || is_overdue(m, now))
        .map(cells)
        .collect();
    Some(TableData {
        title: "Milestones",
        headline: if overdue { "overdue" } else { "all" },
        columns: COLUMNS,
        rows: rows?,
    })
}

/// Answers `milestone list` in `format` (lowercased, one of [`table_data::FORMATS`]) piped.
#[must_use]
pub fn answer(
    snapshot: &Snapshot,
    overdue: bool,
    format: &str,
    now: &str,
    terminal_width: usize,
) -> Answer {
    let Some(table) = table(snapshot, overdue, now) else {
        return Answer::Forward("a number on a rounding tie".into());
    };
    table_data::reply(table_data::render(&table, format, terminal_width), || {
        format!("milestone list --format {format} as Rich prints it")
    })
}

/// Answers `milestone list` (the rich format) on a terminal `width` cells wide, uncoloured.
#[must_use]
pub fn answer_on_terminal(snapshot: &Snapshot, overdue: bool, now: &str, width: usize) -> Answer {
    let Some(table) = table(snapshot, overdue, now) else {
        return Answer::Forward("a number on a rounding tie".into());
    };
    table_data::reply(table_data::rich_on_terminal(&table, width), || {
        format!("milestone list on a {width}-column terminal as Rich wraps it")
    })
}
