//! roadmap-cli 0.3.1's `project list [--format F]`, byte for byte, as a pure function of the
//! planning snapshot ([`answer`]): `list_projects` in `projects/list.py` without its filters
//! (those are forwarded), the visible projects sorted by name, one row of id, name, status,
//! priority and owner each.

use super::issue_list::Answer;
use super::planning::Snapshot;
use super::table_data::{self, TableData};

const COLUMNS: &[(&str, &str, &str)] = &[
    ("id", "ID", "string"),
    ("name", "Name", "string"),
    ("status", "Status", "enum"),
    ("priority", "Priority", "enum"),
    ("owner", "Owner", "string"),
];

/// The visible projects as a `TableData`.
fn table(snapshot: &Snapshot) -> TableData {
    let rows = snapshot
        .projects
        .iter()
        .map(|summary| {
            let project = &summary.project;
            vec![
                project.id.clone(),
                project.name.clone(),
                project.status.clone(),
                project.priority.clone(),
                project.owner.clone().unwrap_or_default(),
            ]
        })
        .collect();
    TableData {
        title: "Projects",
        headline: "all",
        columns: COLUMNS,
        rows,
    }
}

/// Answers `project list` in `format` (lowercased, one of [`table_data::FORMATS`]) piped.
#[must_use]
pub fn answer(snapshot: &Snapshot, format: &str, terminal_width: usize) -> Answer {
    table_data::reply(
        table_data::render(&table(snapshot), format, terminal_width),
        || format!("project list --format {format} as Rich prints it"),
    )
}

/// Answers `project list` (the rich format) on a terminal `width` cells wide, uncoloured.
#[must_use]
pub fn answer_on_terminal(snapshot: &Snapshot, width: usize) -> Answer {
    table_data::reply(
        table_data::rich_on_terminal(&table(snapshot), width),
        || format!("project list on a {width}-column terminal as Rich wraps it"),
    )
}
