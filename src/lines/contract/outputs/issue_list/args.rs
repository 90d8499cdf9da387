//! roadmap-cli 0.3.1's `issue list` options, parsed with clap, and the usage errors its click
//! parser raises for a value outside a choice, in click's words and order (options are
//! checked in the order they appear on the command line, the first bad one reported).
//!
//! Anything clap rejects (an option 0.3.1 does not have, a repeated option, a value that
//! looks like an option) is not emulated: the caller forwards the command line.

use clap::{ArgMatches, Args};

/// `roadmap issue list` of roadmap-cli 0.3.1 (`adapters/inbound/cli/issues/list.py` plus the
/// output options of `decorators.py`). Choices are plain strings here and checked by
/// [`usage_error`], so that the message is click's.
#[derive(Debug, Clone, Default, Args)]
pub struct ContractListArgs {
    /// `backlog`: only issues without a milestone
    pub filter_type: Option<String>,
    /// Only issues in this milestone (name, id or id prefix)
    #[arg(short, long)]
    pub milestone: Option<String>,
    /// Only issues without a milestone
    #[arg(long)]
    pub backlog: bool,
    /// Same as --backlog
    #[arg(long)]
    pub unassigned: bool,
    /// Only issues that are not closed
    #[arg(long = "open")]
    pub open_only: bool,
    /// Only blocked issues
    #[arg(long)]
    pub blocked: bool,
    /// Only issues of the open milestone due first
    #[arg(long)]
    pub next_milestone: bool,
    /// Only issues assigned to this person
    #[arg(short, long)]
    pub assignee: Option<String>,
    /// Only issues assigned to me (identity.name, else git's user.name)
    #[arg(long)]
    pub my_issues: bool,
    /// Only this status
    #[arg(short, long)]
    pub status: Option<String>,
    /// Only this priority
    #[arg(short, long)]
    pub priority: Option<String>,
    /// Only this issue type
    #[arg(short = 't', long)]
    pub issue_type: Option<String>,
    /// Only issues whose due date has passed
    #[arg(long)]
    pub overdue: bool,
    /// Only issues whose title, headline or body contains this (any case)
    #[arg(long)]
    pub search: Option<String>,
    /// visible (default), closed, archived or all
    #[arg(long)]
    pub scope: Option<String>,
    /// Accepted with the tracker's deprecation line
    #[arg(short, long)]
    pub verbose: bool,
    /// rich (default), plain, json, csv or markdown
    #[arg(long)]
    pub format: Option<String>,
    /// Columns to show, comma-separated
    #[arg(long)]
    pub columns: Option<String>,
    /// Sort by columns: col1:asc,col2:desc
    #[arg(long)]
    pub sort_by: Option<String>,
    /// Keep rows where column=value (comma-separated)
    #[arg(long = "filter")]
    pub filter: Option<String>,
}

/// The output formats of `--format` (click's `Choice`, case-insensitive).
pub const FORMATS: &[&str] = &["rich", "plain", "json", "csv", "markdown"];
pub const STATUSES: &[&str] = &["todo", "in-progress", "blocked", "review", "closed"];
pub const PRIORITIES: &[&str] = &["critical", "high", "medium", "low"];
pub const TYPES: &[&str] = &["feature", "bug", "other"];
pub const SCOPES: &[&str] = &["visible", "closed", "archived", "all"];

/// The first line of every click usage error of `issue list`.
pub const USAGE: &str =
    "Usage: roadmap issue list [OPTIONS] [backlog]\nTry 'roadmap issue list --help' for help.\n\n";

/// A choice option: its id in clap, click's hint for it, its choices, case-sensitivity.
struct Choice {
    id: &'static str,
    hint: &'static str,
    choices: &'static [&'static str],
    any_case: bool,
}

const CHOICES: &[Choice] = &[
    Choice {
        id: "status",
        hint: "'--status' / '-s'",
        choices: STATUSES,
        any_case: false,
    },
    Choice {
        id: "priority",
        hint: "'--priority' / '-p'",
        choices: PRIORITIES,
        any_case: false,
    },
    Choice {
        id: "issue_type",
        hint: "'--issue-type' / '-t'",
        choices: TYPES,
        any_case: false,
    },
    Choice {
        id: "scope",
        hint: "'--scope'",
        choices: SCOPES,
        any_case: false,
    },
    Choice {
        id: "format",
        hint: "'--format'",
        choices: FORMATS,
        any_case: true,
    },
];

/// What click makes of the choices on this command line: `Ok(None)` when all are valid,
/// `Ok(Some(stderr))` for its usage error (exit 2), `Err` when we would not print click's exact
/// words (the positional `backlog` misspelt, a value Python's `repr` would quote otherwise).
pub fn usage_error(
    args: &ContractListArgs,
    matches: &ArgMatches,
) -> Result<Option<String>, &'static str> {
    if args
        .filter_type
        .as_deref()
        .is_some_and(|f| !f.eq_ignore_ascii_case("backlog"))
    {
        return Err("a positional argument other than backlog");
    }
    let mut bad: Vec<(usize, &Choice, String)> = Vec::new();
    for choice in CHOICES {
        let Some(value) = matches.get_one::<String>(choice.id) else {
            continue;
        };
        let known = if choice.any_case {
            choice.choices.iter().any(|c| c.eq_ignore_ascii_case(value))
        } else {
            choice.choices.contains(&value.as_str())
        };
        if !known {
            let at = matches.index_of(choice.id).unwrap_or(usize::MAX);
            bad.push((at, choice, value.clone()));
        }
    }
    let Some((_, choice, value)) = bad.into_iter().min_by_key(|(at, ..)| *at) else {
        return Ok(None);
    };
    if value.contains(['\'', '\\']) || value.chars().any(|c| c.is_control()) || !value.is_ascii() {
        return Err("a value whose Python repr we do not reproduce");
    }
    let choices: Vec<String> = choice.choices.iter().map(|c| format!("'{c}'")).collect();
    Ok(Some(format!(
        "{USAGE}Error: Invalid value for {}: '{value}' is not one of {}.\n",
        choice.hint,
        choices.join(", ")
    )))
}

impl ContractListArgs {
    /// `--format`, lowercased (click normalises a case-insensitive choice); `rich` by default.
    #[must_use]
    pub fn format(&self) -> String {
        self.format
            .as_deref()
            .map_or_else(|| "rich".to_owned(), str::to_ascii_lowercase)
    }
}
