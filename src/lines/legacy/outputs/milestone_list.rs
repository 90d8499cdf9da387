//! roadmap-cli 1.0.2's `milestone list` output: its milestones sorted by due date (none last)
//! then name, `--overdue` (past due and open), the estimate summed over each milestone's
//! active issues, in the same `TableData` formats and panel as `issue list`.

use super::issue_list::{Answer, TableArgs, sorted_like_the_tracker};
use super::table_data::{Column, Table, TableFormat};
use crate::cache::query::TrackerIssueRow;
use crate::lines::legacy::milestone_files::TrackerMilestone;
use crate::lines::rich_text::{self, PLAIN_WIDTH};
use clap::Args;

/// The tracker's `milestone list` flags.
#[derive(Debug, Clone, Args)]
pub struct MilestoneListArgs {
    /// Only open milestones whose due date has passed
    #[arg(long)]
    pub overdue: bool,
    #[command(flatten)]
    pub table: TableArgs,
}

const fn column(
    name: &'static str,
    display_name: &'static str,
    kind: &'static str,
    width: u32,
    style: &'static str,
    sortable: bool,
) -> Column {
    Column {
        name,
        display_name,
        kind,
        width,
        style,
        enum_values: None,
        sortable,
        filterable: sortable,
    }
}

/// The tracker's milestone columns (`MilestoneTableFormatter.items_to_table_data`).
pub const MILESTONE_COLUMNS: &[Column] = &[
    column("name", "Milestone", "string", 20, "cyan", true),
    column("description", "Description", "string", 30, "white", true),
    Column {
        enum_values: Some(&["open", "closed"]),
        ..column("status", "Status", "enum", 10, "green", true)
    },
    column("due_date", "Due Date", "date", 12, "yellow", true),
    column("progress", "Progress", "string", 12, "blue", false),
    column("estimate", "Estimate", "string", 12, "green", false),
];

/// The tracker's output for `milestones` and the active `issues`; `now` is the current UTC
/// time as `YYYY-MM-DDTHH:MM:SS.ffffff`.
#[must_use]
pub fn answer(
    args: &MilestoneListArgs,
    mut milestones: Vec<TrackerMilestone>,
    issues: Vec<TrackerIssueRow>,
    now: &str,
    terminal_width: usize,
) -> Answer {
    let format = TableFormat::parse(args.table.format.as_deref());
    // Sums follow the tracker's issue order, so float rounding matches too.
    let Some(issues) = sorted_like_the_tracker(issues) else {
        return Answer::Forward("an issue the tracker may read differently");
    };
    milestones.sort_by(|a, b| {
        let due = |m: &TrackerMilestone| m.due.as_ref().map(|d| d.naive.clone());
        // No due date sorts last (`datetime.max`).
        (due(a).is_none(), due(a), &a.name).cmp(&(due(b).is_none(), due(b), &b.name))
    });
    if args.overdue {
        milestones.retain(|m| {
            m.status == "open" && m.due.as_ref().is_some_and(|d| d.naive.as_str() < now)
        });
    }
    if milestones.is_empty() {
        let out = [
            "📋 No milestones found.",
            "Create one with: roadmap milestone create 'Milestone name' --due-date YYYY-MM-DD",
        ]
        .iter()
        .map(|line| rich_text::print(line, PLAIN_WIDTH))
        .collect();
        return Answer::Print(out);
    }
    let rows: Vec<Vec<String>> = milestones.iter().map(|m| row(m, &issues)).collect();
    let mut table = Table::new(
        "Milestones",
        if args.overdue { "overdue" } else { "all" }.to_owned(),
        MILESTONE_COLUMNS,
        rows,
    );
    if let Err(reason) = table.shape(&args.table, MILESTONE_COLUMNS.len()) {
        return Answer::Forward(reason);
    }
    let cells = || table.rows.iter().flatten().map(String::as_str);
    let out = match format {
        None => {
            if !table.vertical_layout(terminal_width) {
                return Answer::Forward("the rich table layout (only the vertical one is served)");
            }
            if !cells().all(rich_text::is_plain_text) {
                return Answer::Forward("control characters in a value");
            }
            table.render_vertical()
        }
        Some(format) => {
            if format == TableFormat::Plain && table.has_plain_emoji() {
                return Answer::Forward("an emoji --format plain replaces");
            }
            if !cells().all(rich_text::is_literal) {
                return Answer::Forward(
                    "text Rich would rewrite (markup, emoji codes, control characters)",
                );
            }
            rich_text::print(&table.render(format), PLAIN_WIDTH)
        }
    };
    Answer::Print(out)
}

/// One row: name, description, status, due date, progress, estimate.
fn row(milestone: &TrackerMilestone, issues: &[TrackerIssueRow]) -> Vec<String> {
    let hours: f64 = issues
        .iter()
        .filter(|i| i.milestone.as_deref() == Some(milestone.name.as_str()))
        .filter_map(|i| i.estimated_hours)
        .fold(0.0, |total, h| total + h);
    let estimate = if hours == 0.0 {
        "Not estimated".to_owned()
    } else if hours < 8.0 {
        format!("{hours:.1}h")
    } else {
        format!("{:.1}d", hours / 8.0)
    };
    vec![
        milestone.name.clone(),
        milestone.content.clone(),
        milestone.status.clone(),
        milestone
            .due
            .as_ref()
            .map(|d| d.date.clone())
            .unwrap_or_default(),
        milestone
            .calculated_progress
            .filter(|p| *p != 0.0)
            .map(|p| format!("{p:.0}%"))
            .unwrap_or_default(),
        estimate,
    ]
}
