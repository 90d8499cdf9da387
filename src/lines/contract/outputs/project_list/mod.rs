//! roadmap-cli 0.3.1's `project list [--format F]`, byte for byte, as a pure function of the
//! planning snapshot ([`answer`]): `list_projects` in `projects/list.py` without its filters
//! (those are forwarded), the visible projects sorted by name, one row of id, name, status,
//! priority and owner each.

use super::issue_list::{Answer, Reply};
use super::planning::Snapshot;
use super::table_data::{self, TableData};

const COLUMNS: &[(&str, &str, &str)] = &[
    ("id", "ID", "string"),
    ("name", "Name", "string"),
    ("status", "Status", "enum"),
    ("priority", "Priority", "enum"),
    ("owner", "Owner", "string"),
];

/// Answers `project list` in `format` (lowercased, one of [`table_data::FORMATS`]).
#[must_use]
pub fn answer(snapshot: &Snapshot, format: &str, terminal_width: usize) -> Answer {
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
    let table = TableData {
        title: "Projects",
        headline: "all",
        columns: COLUMNS,
        rows,
    };
    match table_data::render(&table, format, terminal_width) {
        Some(stdout) => Answer::Reply(Reply {
            stdout,
            stderr: String::new(),
            code: 0,
        }),
        None => Answer::Forward(format!("project list --format {format} as Rich prints it")),
    }
}
