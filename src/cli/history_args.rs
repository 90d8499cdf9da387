//! The flags of the history commands: `roadmap diff` and `roadmap log` (`list --at` is a flag
//! of `list`, in `list_args`).

use clap::{Args, ValueEnum};

/// How `diff` prints what a range changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffFormat {
    /// One line per change, aligned
    #[default]
    Table,
    /// An object with the range and every changed issue, field by field
    Json,
    /// A Markdown summary and table, to paste into a pull-request comment
    Markdown,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// A..B (B against A), A...B (B against the merge base of A and B) or REV (HEAD against REV)
    #[arg(value_name = "RANGE")]
    pub range: String,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// Exit with 1 when the range changes the plan, 0 when it does not (as `git diff --exit-code`)
    #[arg(long)]
    pub exit_code: bool,
}

/// How `log` prints an issue's story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// One block per commit, newest first
    #[default]
    Text,
    /// The id and its commits, each with its field changes
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// The id, or enough of its start to be unique
    pub id: String,
    /// Output format
    #[arg(short, long, value_enum, default_value_t)]
    pub format: LogFormat,
}
