//! roadmap-cli 1.0.2's `issue list` output over the cache's rows.
//!
//! Mirrors roadmap-cli 1.0.2: every issue under `.roadmap/issues/` (closed ones too), sorted by
//! priority then creation time; one primary filter (assignee, backlog, milestone, overdue, in
//! that precedence), then `--open`, `--blocked`, `--status`, `--priority`, `--issue-type`; then
//! `--columns`, `--sort-by` (its quirk included: the whole list is reversed once per `desc`
//! key) and `--filter` (only `=` is applied, as in the tracker). Whatever we cannot reproduce
//! byte for byte is answered with [`Answer::Forward`], never approximated.

use super::issue_rows::{row, workload_summary};
use super::table_data::{Column, Table, TableFormat};
use crate::cache::query::TrackerIssueRow;
use crate::issue::timestamp;
use crate::lines::rich_text::{self, PLAIN_WIDTH};
use clap::Args;

/// The tracker's `issue list` flags we serve exactly; any other flag is a parse error, and the
/// command line goes to the tracker.
#[derive(Debug, Clone, Args)]
pub struct TrackerListArgs {
    /// `backlog`: only issues without a milestone
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(["backlog"]), ignore_case = true)]
    pub filter_type: Option<String>,
    /// Only issues in this milestone
    #[arg(short, long)]
    pub milestone: Option<String>,
    /// Only issues without a milestone
    #[arg(long)]
    pub backlog: bool,
    /// Same as --backlog
    #[arg(long)]
    pub unassigned: bool,
    /// Only issues that are not closed
    #[arg(long)]
    pub open: bool,
    /// Only blocked issues
    #[arg(long)]
    pub blocked: bool,
    /// Only issues assigned to this person
    #[arg(short, long)]
    pub assignee: Option<String>,
    /// Only this status
    #[arg(short, long, value_parser = ["todo", "in-progress", "blocked", "review", "closed"])]
    pub status: Option<String>,
    /// Only this priority
    #[arg(short, long, value_parser = ["critical", "high", "medium", "low"])]
    pub priority: Option<String>,
    /// Only this issue type
    #[arg(short = 't', long, value_parser = ["feature", "bug", "other"])]
    pub issue_type: Option<String>,
    /// Only issues whose due date has passed
    #[arg(long)]
    pub overdue: bool,
    /// Accepted as the tracker does (its list output does not change)
    #[arg(long)]
    pub show_github_ids: bool,
    #[command(flatten)]
    pub table: TableArgs,
}

/// The output flags every list of the tracker takes (`issue list`, `milestone list`).
#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// rich (the default), plain, csv, json or markdown
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["rich", "plain", "csv", "json", "markdown"]), ignore_case = true)]
    pub format: Option<String>,
    /// Columns to show, comma-separated
    #[arg(long)]
    pub columns: Option<String>,
    /// Sort by columns: col1:asc,col2:desc
    #[arg(long)]
    pub sort_by: Option<String>,
    /// Keep rows where column=value
    #[arg(long = "filter")]
    pub filter: Option<String>,
}

/// What to do with an `issue list` command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Our output, the tracker's byte for byte.
    Print(String),
    /// Hand the command to the tracker; the reason is for tests and debugging.
    Forward(&'static str),
}

const PRIORITIES: &[&str] = &["critical", "high", "medium", "low"];
/// The tracker's `Status` values, in its enum order.
pub(crate) const STATUSES: &[&str] = &[
    "todo",
    "in-progress",
    "blocked",
    "review",
    "closed",
    "archived",
];

const fn column(
    name: &'static str,
    display_name: &'static str,
    kind: &'static str,
    width: u32,
    style: &'static str,
    sortable: bool,
    filterable: bool,
) -> Column {
    Column {
        name,
        display_name,
        kind,
        width,
        style,
        enum_values: None,
        sortable,
        filterable,
    }
}

/// The tracker's issue columns (`create_issue_columns`), in order.
pub const ISSUE_COLUMNS: &[Column] = &[
    column("id", "ID", "string", 8, "cyan", true, true),
    column("title", "Title", "string", 25, "white", true, true),
    Column {
        enum_values: Some(PRIORITIES),
        ..column("priority", "Priority", "enum", 10, "yellow", true, true)
    },
    Column {
        enum_values: Some(STATUSES),
        ..column("status", "Status", "enum", 12, "green", true, true)
    },
    column("progress", "Progress", "string", 10, "blue", false, false),
    column("assignee", "Assignee", "string", 12, "magenta", true, true),
    column("estimate", "Estimate", "string", 10, "green", true, false),
    column("milestone", "Milestone", "string", 15, "blue", true, true),
    column("comment_count", "Comments", "string", 9, "dim", true, false),
];

/// The columns `--columns`, `--sort-by` and `--filter` may name (not `comment_count`).
const SELECTABLE: usize = 8;

fn priority_rank(priority: &str) -> Option<usize> {
    PRIORITIES.iter().position(|p| *p == priority)
}

/// Answers `issue list` for the tracker's active issues (`issues`, in any order); `now` is the
/// current time as a [`timestamp::sort_key`].
#[must_use]
pub fn answer(
    args: &TrackerListArgs,
    issues: Vec<TrackerIssueRow>,
    now: &str,
    terminal_width: usize,
) -> Answer {
    let format = TableFormat::parse(args.table.format.as_deref());
    let backlog = args.backlog || args.filter_type.is_some();
    if usize::from(backlog) + usize::from(args.unassigned) + usize::from(args.milestone.is_some())
        > 1
    {
        return Answer::Forward("conflicting filters (the tracker's message)");
    }
    if args.assignee.as_deref() == Some("") {
        return Answer::Forward("an empty assignee");
    }
    let Some(sorted) = sorted_like_the_tracker(issues) else {
        return Answer::Forward("an issue the tracker may read differently");
    };
    let (mut selected, mut description) = primary(args, backlog, sorted, now);
    let Some(chosen) = selected.take() else {
        return Answer::Forward("a due date we cannot read");
    };
    let chosen = additional(args, chosen, &mut description);
    let mut out = String::new();
    if chosen.is_empty() {
        out.push_str(&rich_text::print(
            &format!("📋 No {description} issues found."),
            PLAIN_WIDTH,
        ));
        out.push_str(&rich_text::print(
            "Create one with: roadmap issue create 'Issue title'",
            PLAIN_WIDTH,
        ));
        return literal_or_forward(out, &[&description]);
    }
    let plural = if chosen.len() == 1 { "" } else { "s" };
    out.push_str(&rich_text::print(
        &format!("📋 {} {description} issue{plural}", chosen.len()),
        PLAIN_WIDTH,
    ));
    if let Some(assignee) = &args.assignee {
        out.push_str(&workload_summary(assignee, &chosen));
    }
    let rows: Vec<Vec<String>> = chosen.iter().map(row).collect();
    let mut table = Table::new("Issues", description.clone(), ISSUE_COLUMNS, rows);
    if let Err(reason) = table.shape(&args.table, SELECTABLE) {
        return Answer::Forward(reason);
    }
    let Some(format) = format else {
        if !table.vertical_layout(terminal_width) {
            return Answer::Forward("the rich table layout (only the vertical one is served)");
        }
        if !table
            .rows
            .iter()
            .flatten()
            .all(|c| rich_text::is_plain_text(c))
        {
            return Answer::Forward("control characters in a value");
        }
        out.push_str(&table.render_vertical());
        return literal_or_forward(out, &[&description]);
    };
    let cells: Vec<&str> = table
        .rows
        .iter()
        .flatten()
        .map(String::as_str)
        .chain([description.as_str()])
        .collect();
    if format == TableFormat::Plain && table.has_plain_emoji() {
        return Answer::Forward("an emoji --format plain replaces");
    }
    out.push_str(&rich_text::print(&table.render(format), PLAIN_WIDTH));
    literal_or_forward(out, &cells)
}

fn literal_or_forward(out: String, texts: &[&str]) -> Answer {
    if texts.iter().all(|t| rich_text::is_literal(t)) {
        Answer::Print(out)
    } else {
        Answer::Forward("text Rich would rewrite (markup, emoji codes, control characters)")
    }
}

/// Sorts by priority rank then creation time, as the tracker's `list_issues` does; `None` when
/// some issue is odd (a warning, no creation time, an unknown priority) or two issues tie, since
/// the tracker then keeps its directory-walk order, which we do not know.
pub fn sorted_like_the_tracker(issues: Vec<TrackerIssueRow>) -> Option<Vec<TrackerIssueRow>> {
    let mut keyed = Vec::with_capacity(issues.len());
    for issue in issues {
        if issue.has_warnings {
            return None;
        }
        let rank = priority_rank(&issue.priority)?;
        let created = issue.created_key.clone()?;
        keyed.push(((rank, created), issue));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    if keyed.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return None;
    }
    Some(keyed.into_iter().map(|(_, issue)| issue).collect())
}

/// The tracker's primary filter and its description; `None` issues when a due date is unreadable.
fn primary(
    args: &TrackerListArgs,
    backlog: bool,
    sorted: Vec<TrackerIssueRow>,
    now: &str,
) -> (Option<Vec<TrackerIssueRow>>, String) {
    let keep = |test: &dyn Fn(&TrackerIssueRow) -> bool| -> Vec<TrackerIssueRow> {
        sorted.iter().filter(|i| test(i)).cloned().collect()
    };
    if let Some(assignee) = &args.assignee {
        let chosen = keep(&|i| i.assignee.as_deref() == Some(assignee));
        return (Some(chosen), format!("assigned to {assignee}"));
    }
    if backlog || args.unassigned {
        let chosen = keep(&|i| i.milestone.as_deref().is_none_or(str::is_empty));
        return (Some(chosen), "backlog".to_owned());
    }
    if let Some(milestone) = &args.milestone {
        let chosen = keep(&|i| i.milestone.as_deref() == Some(milestone));
        return (Some(chosen), format!("milestone '{milestone}'"));
    }
    if args.overdue {
        let mut chosen = Vec::new();
        for issue in &sorted {
            let Some(due) = issue.due_date.as_deref().filter(|d| !d.is_empty()) else {
                continue;
            };
            let Some(due) = timestamp::sort_key(due) else {
                return (None, String::new());
            };
            if due.as_str() < now {
                chosen.push(issue.clone());
            }
        }
        return (Some(chosen), "overdue".to_owned());
    }
    (Some(sorted), "all".to_owned())
}

/// `--open`, `--blocked`, `--status`, `--priority`, `--issue-type`, each adding to the description.
fn additional(
    args: &TrackerListArgs,
    mut issues: Vec<TrackerIssueRow>,
    description: &mut String,
) -> Vec<TrackerIssueRow> {
    if args.open {
        issues.retain(|i| i.status != "closed");
        description.push_str(" open");
    }
    if args.blocked {
        issues.retain(|i| i.status == "blocked");
        description.push_str(" blocked");
    }
    if let Some(status) = &args.status {
        issues.retain(|i| &i.status == status);
        description.push_str(&format!(" {status}"));
    }
    if let Some(priority) = &args.priority {
        issues.retain(|i| &i.priority == priority);
        description.push_str(&format!(" {priority} priority"));
    }
    if let Some(issue_type) = &args.issue_type {
        issues.retain(|i| &i.issue_type == issue_type);
        description.push_str(&format!(" {issue_type}"));
    }
    issues
}
