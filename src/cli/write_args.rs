//! The arguments of the write commands (create, update, close, reopen, archive, unarchive, edit).

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct CreateArgs {
    /// The issue's title
    pub title: String,
    /// feature, bug or other
    #[arg(
        short = 't',
        long = "type",
        visible_alias = "issue-type",
        default_value = "other"
    )]
    pub issue_type: String,
    /// critical, high, medium or low
    #[arg(short, long, default_value = "medium")]
    pub priority: String,
    /// todo, in-progress, blocked, review or closed
    #[arg(short, long, default_value = "todo")]
    pub status: String,
    #[arg(short, long)]
    pub assignee: Option<String>,
    #[arg(short, long)]
    pub milestone: Option<String>,
    /// A label (repeat for several)
    #[arg(short, long = "label")]
    pub labels: Vec<String>,
    /// The Markdown body
    #[arg(short, long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file, or from standard input with `-`
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UpdateArgs {
    /// The issue's id, or enough of its start to be unique
    pub id: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(short, long)]
    pub status: Option<String>,
    #[arg(short, long)]
    pub priority: Option<String>,
    #[arg(short = 't', long = "type", visible_alias = "issue-type")]
    pub issue_type: Option<String>,
    /// The assignee; an empty value clears it
    #[arg(short, long)]
    pub assignee: Option<String>,
    /// The milestone; an empty value moves the issue to the backlog
    #[arg(short, long)]
    pub milestone: Option<String>,
    /// Add a label (repeatable)
    #[arg(long = "add-label")]
    pub add_labels: Vec<String>,
    /// Remove a label (repeatable)
    #[arg(long = "remove-label")]
    pub remove_labels: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct IdArgs {
    /// The issue's id, or enough of its start to be unique
    pub id: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// `text`: one line naming the issue and its file; `json`: the written issue, every field
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}
