//! `roadmap issue list` answered from the cache with the tracker's exact output.
//!
//! Mirrors roadmap-cli 1.0.2: every issue under `.roadmap/issues/` (closed ones too), sorted by
//! priority then creation time; one primary filter (assignee, backlog, milestone, overdue, in
//! that precedence), then `--open`, `--blocked`, `--status`, `--priority`, `--issue-type`; then
//! `--columns`, `--sort-by` (its quirk included: the whole list is reversed once per `desc`
//! key) and `--filter` (only `=` is applied, as in the tracker). Whatever we cannot reproduce
//! byte for byte is answered with [`Answer::Forward`], never approximated.

use super::rich_text::{self, PLAIN_WIDTH};
use super::tracker_format::{Column, Table, TableFormat};
use super::tracker_rows::{row, workload_summary};
use super::{CommandError, write_stdout};
use crate::cache::Cache;
use crate::cache::query::TrackerIssueRow;
use crate::issue::timestamp;
use crate::lines::{self, Line};
use crate::tracker;
use clap::Args;
use std::ffi::OsString;
use std::path::Path;

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

/// `roadmap issue list`: the tracker's output from the cache, or the tracker itself when ours
/// would not be the same byte for byte (a terminal, the rich format, odd files, ...). On a
/// 0.2-contract workspace with 0.3.x (or no tracker) behind us, 0.3.1's output
/// ([`super::contract_list`]); `args` is `None` when the command line is not 1.0.2's.
pub fn run(args: Option<&TrackerListArgs>, argv: &[OsString]) -> Result<(), CommandError> {
    if let Some(root) = super::contract_list::contract_workspace_root(argv) {
        return super::contract_list::run(argv, &root);
    }
    let Some(args) = args else {
        hand_over(argv, "options roadmap-cli 1.0.2 does not have")
    };
    let (issues, _) = issues_as_the_tracker_reads_them(argv)?;
    let now = timestamp::now_key();
    match answer(args, issues, &now, python_terminal_width()) {
        Answer::Print(text) => write_stdout(text.as_bytes()),
        Answer::Forward(reason) => hand_over(argv, reason),
    }
}

/// Runs the tracker in place of this process (see [`super::forward::forward`]).
pub fn hand_over(argv: &[OsString], reason: &str) -> ! {
    if std::env::var_os("ROADMAP_DEBUG_FORWARD").is_some() {
        eprintln!("roadmap: forwarding to the tracker: {reason}");
    }
    std::process::exit(super::forward::forward(&argv[1..], true))
}

/// The checks every tracker-format answer makes first, handing the command to the tracker when
/// one fails (see [`tracker_cache`]). Returns the active issues as the tracker reads them (the
/// working tree: the cache plus the files that differ from it, as `roadmap list --worktree`)
/// and the repository root.
pub fn issues_as_the_tracker_reads_them(
    argv: &[OsString],
) -> Result<(Vec<TrackerIssueRow>, std::path::PathBuf), CommandError> {
    let (cache, root) = tracker_cache(argv)?;
    // `done`/`completed` from an older tracker read as closed here; roadmap-cli 1.0.2 skips them.
    if let Err(reason) =
        super::tracker_status::closed_as_written(&root, &cache.tracker_closed_paths()?)
    {
        hand_over(argv, reason);
    }
    Ok((cache.tracker_active_issues()?, root))
}

/// Output in the tracker's plain mode, the current directory the root of a git work tree with
/// an initialised `.roadmap/` (the tracker reads the current directory only, and only once it
/// has a config), no unreadable issue file: else the command goes to the tracker. Returns the
/// cache showing the working tree and the repository root.
pub fn tracker_cache(argv: &[OsString]) -> Result<(Cache, std::path::PathBuf), CommandError> {
    if !rich_text::tracker_plain_mode() {
        hand_over(argv, "a terminal (the tracker's colours and layout)");
    }
    let cwd = std::env::current_dir()?;
    let workspace = crate::workspace::Workspace::discover().ok();
    let root = workspace
        .as_ref()
        .and_then(|w| w.work_dir().canonicalize().ok());
    let (Some(workspace), true) = (
        workspace,
        cwd.join(".roadmap").join("config.yaml").is_file() && root == cwd.canonicalize().ok(),
    ) else {
        hand_over(
            argv,
            "not at the root of an initialised roadmap in a git repository",
        )
    };
    match outputs_we_follow(&workspace, &cwd) {
        Ok(Outputs::Legacy) => {}
        Ok(Outputs::Contract) => {
            hand_over(argv, "a 0.2-contract workspace (only issue list is served)")
        }
        Err(reason) => hand_over(argv, &reason),
    }
    let fresh = super::first_use::open(&workspace, false, true)?;
    for warning in &fresh.warnings {
        eprintln!("roadmap: {warning}");
    }
    let unreadable = fresh.cache.invalid_files()?;
    if unreadable
        .iter()
        .any(|(path, _)| path.starts_with(".roadmap/issues/"))
    {
        hand_over(argv, "an issue file we cannot read");
    }
    Ok((fresh.cache, workspace.work_dir().to_owned()))
}

/// Whose outputs a served answer copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outputs {
    /// roadmap-cli 1.0.2's: a legacy workspace, a legacy tracker or none behind us.
    Legacy,
    /// roadmap-cli 0.3.1's: a 0.2-contract workspace, 0.3.x or no tracker behind us.
    Contract,
}

/// Whose outputs a served answer would copy, by the workspace's line and the tracker's
/// release. `Err` (the tracker answers): a workspace of one line with a tracker of the other
/// (0.3.1 refuses a legacy workspace until it is migrated), 0.2.x (whose outputs we did not
/// capture), or a release we do not know.
pub(super) fn outputs_we_follow(
    workspace: &crate::workspace::Workspace,
    cwd: &Path,
) -> Result<Outputs, String> {
    let line = lines::workspace_line(&workspace.work_dir().join(".roadmap"));
    let ours = match line {
        Line::Legacy => Outputs::Legacy,
        Line::Contract => Outputs::Contract,
    };
    let Ok(Some(tracker)) = tracker::find(cwd) else {
        return Ok(ours);
    };
    match tracker::release::release(&tracker, Some(&workspace.cache_dir())) {
        Some(release) if release.line == Some(line) => {
            if line == Line::Contract && !release.version.starts_with("0.3.") {
                return Err(format!(
                    "roadmap-cli {} behind us (we copy 0.3.1's outputs)",
                    release.version
                ));
            }
            Ok(ours)
        }
        Some(release) => Err(format!(
            "roadmap-cli {} behind us, whose outputs we do not copy on this workspace",
            release.version
        )),
        None => Err("a tracker whose release we cannot tell".to_owned()),
    }
}

/// Python's `shutil.get_terminal_size().columns`: `COLUMNS`, else the terminal's, else 80.
pub fn python_terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(super::terminal_width)
        .unwrap_or(80)
}
