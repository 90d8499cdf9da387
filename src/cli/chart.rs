//! `roadmap chart`: the plan's history drawn from the event log (`history`), in the terminal or
//! as an SVG file, and the log itself for scripts. Parsing and printing only: the log is
//! brought to HEAD and replayed by `history`, drawn by `chart`.

use super::{CommandError, output_width, use_colour, write_stdout};
use crate::chart;
use crate::history::event_fields::FIELDS;
use crate::history::events::{self, EventLogError};
use crate::history::series;
use crate::history::store::EventLog;
use crate::workspace::Workspace;
use std::path::PathBuf;

/// A piped chart's width: what a terminal would have by default.
const PIPED_WIDTH: usize = 80;

#[derive(clap::Args)]
pub struct ChartArgs {
    #[command(subcommand)]
    pub command: ChartCommand,
}

#[derive(clap::Subcommand)]
pub enum ChartCommand {
    /// Open issues and open estimate of a milestone over time
    Burndown {
        /// The milestone (its name; on a 0.2-contract workspace also its id)
        #[arg(short, long)]
        milestone: String,
        #[command(flatten)]
        output: ChartOutput,
    },
    /// Issues by status over time (cumulative flow; archived issues left out)
    Flow {
        #[command(flatten)]
        output: ChartOutput,
    },
    /// Issues closed per week
    Throughput {
        #[command(flatten)]
        output: ChartOutput,
    },
    /// Read the history into the event log now (each chart does it when it needs to)
    Backfill,
    /// Print the event log: each field change of each commit on HEAD's first-parent line
    Events {
        /// Output format
        #[arg(short, long, value_enum, default_value_t = EventsFormat::Plain)]
        format: EventsFormat,
    },
}

#[derive(clap::Args)]
pub struct ChartOutput {
    /// Write the chart to FILE as an SVG document instead of printing it
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsFormat {
    Plain,
    Json,
}

/// Runs `roadmap chart ...`.
pub fn run(args: &ChartArgs) -> Result<(), CommandError> {
    let workspace = Workspace::discover()?;
    let repo = workspace.repo()?;
    let (log, walked) =
        events::open_at_head(workspace.dirs(), repo, true).map_err(history_error)?;
    let (chart, output) = match &args.command {
        ChartCommand::Backfill => {
            let line = format!(
                "{} commits read into the event log ({} dropped: no longer on HEAD's line)\n",
                walked.derived, walked.dropped
            );
            return write_stdout(line.as_bytes());
        }
        ChartCommand::Events { format } => return print_events(&log, *format),
        ChartCommand::Burndown { milestone, output } => {
            let chart = series::burndown(&log, milestone)
                .map_err(history_error)?
                .ok_or_else(|| {
                    CommandError::user(format!(
                        "no issue was ever in milestone `{milestone}` on HEAD's history"
                    ))
                    .with_hint("`roadmap list --all` shows the issues' milestones")
                })?;
            (chart, output)
        }
        ChartCommand::Flow { output } => (series::flow(&log).map_err(history_error)?, output),
        ChartCommand::Throughput { output } => {
            (series::throughput(&log).map_err(history_error)?, output)
        }
    };
    match &output.svg {
        Some(path) => std::fs::write(path, chart::svg::render(&chart)).map_err(|e| {
            CommandError::user(format!("cannot write {}: {e}", path.display()))
                .with_hint("name a file in a folder you can write")
        }),
        None => {
            let width = output_width().unwrap_or(PIPED_WIDTH);
            let text = chart::terminal::render(&chart, width, use_colour());
            write_stdout(text.as_bytes())
        }
    }
}

/// Prints every event, oldest commit first.
fn print_events(log: &EventLog, format: EventsFormat) -> Result<(), CommandError> {
    let chain = log.chain().map_err(history_error)?;
    let mut rows = Vec::new();
    log.each_event(&(0..FIELDS.len()).collect::<Vec<_>>(), |event| {
        rows.push(event);
    })
    .map_err(history_error)?;
    if chain.is_empty() {
        return write_stdout(match format {
            EventsFormat::Json => b"[]\n",
            EventsFormat::Plain => b"",
        });
    }
    // The chain is numbered from 1 without gaps, and every event belongs to one of its commits.
    let commit_of = |seq: i64| &chain[usize::try_from(seq - 1).unwrap_or(0).min(chain.len() - 1)];
    let text = match format {
        EventsFormat::Json => {
            let array: Vec<serde_json::Value> = rows
                .iter()
                .map(|event| {
                    let commit = commit_of(event.seq);
                    serde_json::json!({
                        "commit": commit.commit_id,
                        "committed_at": commit.committed_at,
                        "author": commit.author,
                        "issue": event.issue,
                        "field": FIELDS[event.field],
                        "old": event.old,
                        "new": event.new,
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&array).unwrap_or_default();
            text.push('\n');
            text
        }
        EventsFormat::Plain => {
            let mut text = String::new();
            for event in &rows {
                let commit = commit_of(event.seq);
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
                text.push_str(&format!(
                    "{} {} {}\t{}\t{}\t{} -> {}\n",
                    crate::sync::short(&commit.commit_id),
                    chart::date(commit.committed_at),
                    commit.author,
                    event.issue,
                    FIELDS[event.field],
                    show(&event.old),
                    show(&event.new)
                ));
            }
            text
        }
    };
    write_stdout(text.as_bytes())
}

fn history_error(error: EventLogError) -> CommandError {
    match error {
        EventLogError::Git(git) => git.into(),
        EventLogError::Io { path, source } => {
            CommandError::user(format!("{}: {source}", path.display()))
                .with_hint("check that the folder exists and you may write it")
        }
        other => CommandError::internal(other.to_string())
            .with_hint("the event log can be derived again: delete .git/roadmap/history.db"),
    }
}
