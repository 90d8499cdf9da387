//! The flags of `roadmap list`, in our spelling and in the tracker's (`roadmap issue list`).

use super::CommandError;
use crate::cache::query::{ListQuery, MilestoneFilter, Scope, SortKey};
use crate::issue::{IssueType, Priority, Status};
use clap::{Args, ValueEnum};

/// How `list` prints issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns fitted to the terminal (`rich` in the tracker's spelling)
    #[default]
    #[value(alias = "rich")]
    Table,
    /// Aligned columns, never truncated or coloured
    Plain,
    /// An array of objects with every field
    Json,
    /// Comma-separated values with a header row
    Csv,
    /// One id per line
    Ids,
    /// A Markdown table
    Markdown,
}

#[derive(Debug, Clone, Args, Default)]
pub struct ListArgs {
    /// Show only these statuses (repeat or separate with commas)
    #[arg(short, long, value_delimiter = ',', value_name = "STATUS")]
    pub status: Vec<String>,
    /// Show only these priorities
    #[arg(short, long, value_delimiter = ',', value_name = "PRIORITY")]
    pub priority: Vec<String>,
    /// Show only these issue types
    #[arg(
        short = 't',
        long = "type",
        visible_alias = "issue-type",
        value_delimiter = ',',
        value_name = "TYPE"
    )]
    pub issue_type: Vec<String>,
    /// Show only issues assigned to this person
    #[arg(short, long)]
    pub assignee: Option<String>,
    /// Show only issues in this milestone (its status and due date are shown first)
    #[arg(short, long, conflicts_with = "backlog")]
    pub milestone: Option<String>,
    /// Show only issues without a milestone
    #[arg(long, alias = "unassigned")]
    pub backlog: bool,
    /// Show only issues with this label (repeat: all must match)
    #[arg(short, long, value_name = "LABEL")]
    pub label: Vec<String>,
    /// Show only open issues (the default view)
    #[arg(long, conflicts_with_all = ["all", "archived"])]
    pub open: bool,
    /// Show only blocked issues
    #[arg(long)]
    pub blocked: bool,
    /// Include closed and archived issues
    #[arg(long, conflicts_with = "archived")]
    pub all: bool,
    /// Show only archived issues
    #[arg(long)]
    pub archived: bool,
    /// Sort by priority, status, created, updated, id or title
    #[arg(long, value_enum, value_name = "KEY", conflicts_with = "sort_by")]
    pub sort: Option<SortArg>,
    /// Sort like the tracker: COLUMN or COLUMN:asc|desc
    #[arg(long, value_name = "COLUMN[:asc|desc]")]
    pub sort_by: Option<String>,
    /// Reverse the order
    #[arg(short, long)]
    pub reverse: bool,
    /// Show at most this many issues
    #[arg(short = 'n', long)]
    pub limit: Option<usize>,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub format: Format,
    /// Answer from the cache as it is, even if HEAD moved since the last sync
    #[arg(long)]
    pub no_sync: bool,
    /// Show uncommitted edits to issue files too (default: `git config roadmap.worktree`)
    #[arg(long)]
    pub worktree: bool,
    /// Answer as of this commit, branch or tag (anything `git rev-parse` reads), from git
    #[arg(long, value_name = "REV", conflicts_with = "worktree")]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Priority,
    Status,
    Created,
    Updated,
    Id,
    Title,
}

impl From<SortArg> for SortKey {
    fn from(arg: SortArg) -> Self {
        match arg {
            SortArg::Priority => SortKey::Priority,
            SortArg::Status => SortKey::Status,
            SortArg::Created => SortKey::Created,
            SortArg::Updated => SortKey::Updated,
            SortArg::Id => SortKey::Id,
            SortArg::Title => SortKey::Title,
        }
    }
}

impl ListArgs {
    /// Turns the flags into a query. `status_in_cache` says whether some issue file holds
    /// exactly this status, so filtering on it is not a typo even if the tracker does not
    /// define it.
    pub fn to_query(
        &self,
        status_in_cache: impl Fn(&str) -> bool,
    ) -> Result<ListQuery, CommandError> {
        let mut statuses = canonical(&self.status, "status", Status::KNOWN, |s| {
            // A spelling some file holds (`Done`, kept as written) filters on itself.
            if status_in_cache(s) {
                return Some(s.to_owned());
            }
            let (status, unknown) = Status::parse(s);
            (!unknown).then(|| status.as_str().to_owned())
        })?;
        if self.blocked && !statuses.iter().any(|s| s == "blocked") {
            statuses.push("blocked".into());
        }
        let priorities = canonical(&self.priority, "priority", Priority::KNOWN, |p| {
            let (priority, unknown) = Priority::parse(p);
            (!unknown).then(|| priority.as_str().to_owned())
        })?;
        let types = canonical(&self.issue_type, "issue type", IssueType::KNOWN, |t| {
            let (issue_type, unknown) = IssueType::parse(t);
            (!unknown).then(|| issue_type.as_str().to_owned())
        })?;
        let (sort, reverse) = match (&self.sort, &self.sort_by) {
            (Some(key), _) => ((*key).into(), self.reverse),
            (None, Some(spec)) => {
                let (key, descending) = parse_sort_by(spec)?;
                (key, descending != self.reverse)
            }
            (None, None) => (SortKey::Priority, self.reverse),
        };
        let scope = if self.all {
            Scope::All
        } else if self.archived {
            Scope::Archived
        } else {
            Scope::Open
        };
        let milestone = match (&self.milestone, self.backlog) {
            (Some(name), _) => Some(MilestoneFilter::Named(name.clone())),
            (None, true) => Some(MilestoneFilter::Backlog),
            (None, false) => None,
        };
        Ok(ListQuery {
            scope,
            statuses,
            priorities,
            types,
            assignee: self.assignee.clone(),
            milestone,
            labels: self.label.clone(),
            sort,
            reverse,
            limit: self.limit,
            text: None,
        })
    }
}

fn canonical(
    values: &[String],
    what: &str,
    known: &[&str],
    parse: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, CommandError> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|value| {
            parse(value).ok_or_else(|| {
                CommandError::user(format!(
                    "unknown {what} `{value}` (allowed: {})",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// Reads the tracker's `--sort-by COLUMN[:asc|desc]`; returns the key and whether descending.
fn parse_sort_by(spec: &str) -> Result<(SortKey, bool), CommandError> {
    let (column, direction) = spec.split_once(':').unwrap_or((spec, "asc"));
    let descending = match direction.to_ascii_lowercase().as_str() {
        "asc" => false,
        "desc" => true,
        other => {
            return Err(CommandError::user(format!(
                "unknown sort direction `{other}` in `{spec}` (allowed: asc, desc)"
            )));
        }
    };
    let key = match column.to_ascii_lowercase().replace('-', "_").as_str() {
        "priority" => SortKey::Priority,
        "status" => SortKey::Status,
        "created" | "created_at" => SortKey::Created,
        "updated" | "updated_at" => SortKey::Updated,
        "id" => SortKey::Id,
        "title" => SortKey::Title,
        other => {
            return Err(CommandError::user(format!(
                "cannot sort by `{other}` (allowed: priority, status, created, updated, id, title)"
            )));
        }
    };
    Ok((key, descending))
}

/// The text a user typed into `roadmap search`, or `None` when it is blank. Any text is fine:
/// the cache splits it into words as its index does ([`ListQuery::text`]).
#[must_use]
pub fn search_terms(input: &str) -> Option<String> {
    let text = input.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
