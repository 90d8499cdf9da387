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
    /// Show one issue: its fields and body (a unique id prefix is enough)
    Show(ShowArgs),
    /// The tracker's spellings: `roadmap issue list ...`, `roadmap issue view ID`
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
    /// Show one issue (same as `roadmap show`)
    #[command(visible_alias = "show")]
    View(ShowArgs),
}

#[derive(clap::Args)]
struct ShowArgs {
    /// The issue's id, or enough of its start to be unique
    id: String,
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ShowFormat::Text)]
    format: ShowFormat,
    /// Answer from the cache as it is, even if HEAD moved since the last sync
    #[arg(long)]
    no_sync: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List(args)
        | Command::Issue {
            command: IssueCommand::List(args),
        } => list(&args),
        Command::Show(args)
        | Command::Issue {
            command: IssueCommand::View(args),
        } => show(&args),
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

fn show(args: &ShowArgs) -> Result<(), UserError> {
    let cwd = std::env::current_dir()?;
    let fresh = freshness::open(&cwd, args.no_sync).map_err(explain)?;
    for warning in &fresh.warnings {
        eprintln!("roadmap: {warning}");
    }
    let prefix = args.id.trim().to_ascii_lowercase();
    let mut found = fresh.cache.issues_with_id_prefix(&prefix)?;
    let detail = match found.len() {
        0 => {
            return Err(UserError::new(format!("no issue with id `{}`", args.id))
                .with_hint("run `roadmap list --all` to see every id"));
        }
        1 => found.remove(0),
        _ => {
            let candidates: Vec<String> = found
                .iter()
                .map(|d| format!("{} ({})", d.row.id, d.row.title))
                .collect();
            return Err(UserError::new(format!(
                "id prefix `{}` is ambiguous: {}",
                args.id,
                candidates.join(", ")
            )));
        }
    };
    let text = match args.format {
        ShowFormat::Text => render::show(&detail),
        ShowFormat::Json => render::show_json(&detail),
    };
    write_stdout(text.as_bytes())
}

fn explain(error: FreshnessError) -> UserError {
    match error {
        FreshnessError::NoCache => UserError::new("no issue cache for this repository yet")
            .with_hint("run `roadmap-hooks install` to build it and keep it current (or `roadmap-hooks sync` once)"),
        FreshnessError::NotARepository(dir) => UserError::new(format!("not in a git repository: {dir}")),
        other => UserError::new(other.to_string()).with_hint("run `roadmap-hooks sync --full` to rebuild the cache"),
    }
}
