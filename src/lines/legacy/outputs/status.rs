//! roadmap-cli 1.0.2's `status` output (its `StatusSnapshotService`
//! printed by its `OutputManager`): the title line, the "Entities" table (projects, milestones,
//! issues: open, closed, archived, total) and the "Issue Status" table (one row per status, in
//! the tracker's enum order, then the total).
//!
//! Issue counts come from the cache (working tree included); milestones and projects, which
//! are few, from their files. Served only when the output is piped (the tracker's tables are
//! then plain, without colour or style codes) and every file is in a shape the tracker reads
//! as we do; anything else, and every `--format` but `rich`, goes to the tracker.

use super::issue_list::{Answer, STATUSES as ISSUE_STATUSES};
use super::table_data::{Column, Table};
use crate::cache::query::TrackerStatusCount;
use crate::lines::legacy::project_files::ProjectCounts;
use crate::lines::rich_text;
use clap::Args;
use std::ffi::OsString;

/// The tracker's `status` options.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Accepted as the tracker does (its output does not change)
    #[arg(short, long)]
    pub verbose: bool,
    /// rich (the default) is answered here; plain, json, csv and markdown by the tracker
    #[arg(short, long, value_parser = clap::builder::PossibleValuesParser::new(["rich", "plain", "json", "csv", "markdown"]), ignore_case = true)]
    pub format: Option<String>,
    /// Write the output to a file (the tracker does this)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<OsString>,
}

/// What `status` counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub projects: ProjectCounts,
    /// Open and closed milestones under `.roadmap/milestones/`.
    pub milestones: [usize; 2],
    pub archived_milestones: usize,
    pub issues: Vec<TrackerStatusCount>,
}

/// The tracker's status output for `snapshot`, its layout chosen for `terminal_width`.
#[must_use]
pub fn answer(snapshot: &Snapshot, terminal_width: usize) -> Answer {
    let mut issues = [0usize; 6];
    for count in &snapshot.issues {
        if count.has_warnings {
            return Answer::Forward("an issue the tracker may read differently");
        }
        let status = if count.archived {
            Some(5)
        } else {
            ISSUE_STATUSES.iter().position(|s| *s == count.status)
        };
        let Some(status) = status else {
            return Answer::Forward("an issue status the tracker does not know");
        };
        issues[status] += usize::try_from(count.files).unwrap_or(usize::MAX);
    }
    let projects = &snapshot.projects;
    let project = [
        projects.by_status[..3].iter().sum::<usize>(),
        projects.by_status[3..].iter().sum(),
        projects.archived,
    ];
    let milestone = [
        snapshot.milestones[0],
        snapshot.milestones[1],
        snapshot.archived_milestones,
    ];
    let issue = [issues[..4].iter().sum::<usize>(), issues[4], issues[5]];
    let line = |name: &str, counts: [usize; 3]| -> Vec<String> {
        let mut row = vec![name.to_owned()];
        row.extend(counts.iter().map(usize::to_string));
        row.push(counts.iter().sum::<usize>().to_string());
        row
    };
    let total: [usize; 3] = std::array::from_fn(|i| project[i] + milestone[i] + issue[i]);
    let entities = vec![
        line("Projects", project),
        line("Milestones", milestone),
        line("Issues", issue),
        line("Total", total),
    ];
    let mut by_status: Vec<Vec<String>> = ISSUE_STATUSES
        .iter()
        .zip(issues)
        .map(|(status, count)| vec![(*status).to_owned(), count.to_string()])
        .collect();
    by_status.push(vec![
        "Total".to_owned(),
        issues.iter().sum::<usize>().to_string(),
    ]);
    let mut out = rich_text::print("📊 Roadmap Status", rich_text::PLAIN_WIDTH);
    out.push_str(&render(
        "Entities",
        ENTITY_COLUMNS,
        entities,
        terminal_width,
    ));
    out.push('\n');
    out.push_str(&render(
        "Issue Status",
        STATUS_COLUMNS,
        by_status,
        terminal_width,
    ));
    Answer::Print(out)
}

const fn column(name: &'static str, display_name: &'static str, kind: &'static str) -> Column {
    Column {
        name,
        display_name,
        kind,
        width: 0,
        style: "",
        enum_values: None,
        sortable: true,
        filterable: true,
    }
}

const ENTITY_COLUMNS: &[Column] = &[
    column("entity", "Entity", "string"),
    column("open", "Open", "integer"),
    column("closed", "Closed", "integer"),
    column("archived", "Archived", "integer"),
    column("total", "Total", "integer"),
];

const STATUS_COLUMNS: &[Column] = &[
    column("status", "Status", "string"),
    column("count", "Count", "integer"),
];

/// One table as `SmartTableLayout` prints it: horizontal, or one panel of entries when the
/// estimate passes 80% of the terminal's width.
fn render(
    title: &'static str,
    columns: &'static [Column],
    rows: Vec<Vec<String>>,
    terminal_width: usize,
) -> String {
    let table = Table::new(title, String::new(), columns, rows);
    if table.vertical_layout(terminal_width) {
        return table.render_vertical();
    }
    let headers: Vec<&str> = columns.iter().map(|c| c.display_name).collect();
    rich_text::table(title, &headers, &table.rows)
}
