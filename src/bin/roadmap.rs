//! `roadmap`: read-only queries over the issue cache. Never walks the files or diffs commits;
//! syncs first only when HEAD moved since the last sync.

use clap::{Parser, Subcommand};
use roadmap_hooks::cli::list_args::{Format, ListArgs};
use roadmap_hooks::cli::render::{self, TableStyle};
use roadmap_hooks::cli::{self, UserError, write_stdout};
use roadmap_hooks::freshness::{self, FreshnessError};

#[derive(Parser)]
#[command(
    name = "roadmap",
    version,
    about = "Query a repository's roadmap issues from the cache git hooks keep current"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show issues from the cache (open ones, most urgent first)
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// The tracker's spelling: `roadmap issue list ...`
    Issue {
        #[command(subcommand)]
        command: IssueCommand,
    },
}

#[derive(Subcommand)]
enum IssueCommand {
    /// Show issues from the cache (same as `roadmap list`)
    #[command(visible_alias = "ls")]
    List(ListArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List(args)
        | Command::Issue {
            command: IssueCommand::List(args),
        } => list(&args),
    };
    if let Err(error) = result {
        error.print("roadmap");
        std::process::exit(cli::EXIT_USER_ERROR);
    }
}

fn list(args: &ListArgs) -> Result<(), UserError> {
    let cwd = std::env::current_dir()?;
    let fresh = freshness::open(&cwd, args.no_sync).map_err(explain)?;
    for warning in &fresh.warnings {
        eprintln!("roadmap: {warning}");
    }
    let cache = fresh.cache;
    let invalid = cache.invalid_files()?;
    if let Some((path, error)) = invalid.first() {
        let more = match invalid.len() {
            1 => String::new(),
            n => format!(" (and {} more; see `roadmap-hooks status`)", n - 1),
        };
        eprintln!("roadmap: warning: skipped {path}: {error}{more}");
    }
    let query = args.to_query(|status| cache.has_status(status).unwrap_or(false))?;
    let output = if args.format == Format::Json {
        render::json(&cache.list_json(&query)?)
    } else {
        let rows = cache.list(&query)?;
        let style = TableStyle {
            colour: cli::use_colour(),
            width: cli::output_width(),
        };
        let mut text = String::new();
        if let (Some(name), Format::Table | Format::Plain) = (&args.milestone, args.format) {
            text.push_str(&render::milestone_header(
                name,
                cache.milestone(name)?.as_ref(),
            ));
        }
        text.push_str(&render::render_rows(&rows, args.format, style));
        text
    };
    write_stdout(output.as_bytes())
}

fn explain(error: FreshnessError) -> UserError {
    match error {
        FreshnessError::NoCache => UserError::new("no issue cache for this repository yet")
            .with_hint("run `roadmap-hooks install` to build it and keep it current (or `roadmap-hooks sync` once)"),
        FreshnessError::NotARepository(dir) => UserError::new(format!("not in a git repository: {dir}")),
        other => UserError::new(other.to_string()).with_hint("run `roadmap-hooks sync --full` to rebuild the cache"),
    }
}
