//! `roadmap`: the issues of a repository, from the cache git hooks keep current. Queries never
//! walk the files or diff commits (they sync first only when HEAD moved); writes go to the file
//! first, then the cache.

use clap::{Parser, Subcommand};
use roadmap_hooks::cache::query::ListQuery;
use roadmap_hooks::cache::{Cache, CacheError};
use roadmap_hooks::cli::list_args::{Format, ListArgs, search_terms};
use roadmap_hooks::cli::render::{self, TableStyle};
use roadmap_hooks::cli::write;
use roadmap_hooks::cli::write_args::{CreateArgs, IdArgs, UpdateArgs};
use roadmap_hooks::cli::{self, UserError, resolve_id, write_stdout};
use roadmap_hooks::workspace::Workspace;
use roadmap_hooks::workspace::freshness::FreshCache;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "roadmap",
    version,
    about = "The roadmap issues of a git repository, from a cache git hooks keep current"
)]
struct Cli {
    /// Run as if started in DIR (as `git -C DIR`)
    #[arg(short = 'C', value_name = "DIR", global = true)]
    directory: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Action(Action),
    /// The tracker's spellings: `roadmap issue list ...`, `roadmap issue create ...`
    Issue {
        #[command(subcommand)]
        command: Action,
    },
    /// Two-way sync with GitHub Issues, configured in .roadmap/sync.yaml
    Sync(cli::remote::SyncArgs),
}

#[derive(Subcommand)]
enum Action {
    /// Show issues from the cache (open ones, most urgent first)
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show one issue: its fields and body (a unique id prefix is enough)
    #[command(visible_alias = "view")]
    Show(ShowArgs),
    /// Search titles and bodies, best matches first, with the filters of `list`
    Search(SearchArgs),
    /// Create an issue file (and list it at once, before you commit it)
    Create(CreateArgs),
    /// Change fields of an issue, keeping every other byte of its file
    Update(UpdateArgs),
    /// Set an issue's status to closed
    Close(IdArgs),
    /// Set a closed issue's status back to todo
    Reopen(IdArgs),
    /// Move an issue to .roadmap/archive/issues/ (out of the default list)
    Archive(IdArgs),
    /// Move an archived issue back to .roadmap/issues/
    Unarchive(IdArgs),
    /// Open an issue's file in $VISUAL or $EDITOR; it is checked before it is saved
    Edit(IdArgs),
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
    /// Show uncommitted edits to issue files too (default: `git config roadmap.worktree`)
    #[arg(long)]
    worktree: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct SearchArgs {
    /// Words to find; every word must appear, the last one as a prefix
    #[arg(required = true)]
    query: Vec<String>,
    #[command(flatten)]
    list: ListArgs,
}

fn main() {
    let cli = Cli::parse();
    if let Some(dir) = &cli.directory {
        if let Err(e) = std::env::set_current_dir(dir) {
            UserError::user(format!("cannot change to {}: {e}", dir.display())).exit("roadmap");
        }
    }
    let action = match cli.command {
        Command::Action(action) | Command::Issue { command: action } => action,
        Command::Sync(args) => {
            if let Err(error) = cli::remote::run(&args) {
                error.exit("roadmap");
            }
            return;
        }
    };
    let result = match action {
        Action::List(args) => list(&args, None),
        Action::Show(args) => show(&args),
        Action::Search(args) => match search_terms(&args.query.join(" ")) {
            Some(terms) => list(&args.list, Some(terms)),
            None => Err(UserError::new("the search query is empty")),
        },
        Action::Create(args) => write::create(&args),
        Action::Update(args) => write::update(&args),
        Action::Close(args) => write::set_status(&args, "closed"),
        Action::Reopen(args) => write::set_status(&args, "todo"),
        Action::Archive(args) => write::archive(&args, true),
        Action::Unarchive(args) => write::archive(&args, false),
        Action::Edit(args) => write::edit(&args),
    };
    if let Err(error) = result {
        error.exit("roadmap");
    }
}

/// Opens the workspace's cache for a query and prints the warnings that come with it.
fn open_fresh(workspace: &Workspace, no_sync: bool, worktree: bool) -> Result<Cache, UserError> {
    let FreshCache { cache, warnings } = workspace.open_for_query(no_sync, worktree)?;
    for warning in &warnings {
        eprintln!("roadmap: {warning}");
    }
    Ok(cache)
}

fn list(args: &ListArgs, text: Option<String>) -> Result<(), UserError> {
    let workspace = Workspace::discover()?;
    let cache = open_fresh(&workspace, args.no_sync, args.worktree)?;
    let mut query = args.to_query(|status| cache.has_status(status).unwrap_or(false))?;
    query.text = text;
    let output = match answer(&workspace, args, &query, cache) {
        Err(error) if error.is_damage() => {
            let FreshCache { cache, warnings } = workspace.rebuild_damaged(&error)?;
            for warning in &warnings {
                eprintln!("roadmap: {warning}");
            }
            answer(&workspace, args, &query, cache)?
        }
        other => other?,
    };
    write_stdout(output.as_bytes())
}

/// What `list` or `search` prints, read from `cache`; unreadable files are one line on stderr.
fn answer(
    workspace: &Workspace,
    args: &ListArgs,
    query: &ListQuery,
    mut cache: Cache,
) -> Result<String, CacheError> {
    if query.text.is_some() {
        workspace.ensure_text_index(&mut cache)?;
    }
    let invalid = cache.invalid_files()?;
    if let Some((path, error)) = invalid.first() {
        let more = match invalid.len() {
            1 => String::new(),
            n => format!(" (and {} more; see `roadmap-hooks status`)", n - 1),
        };
        eprintln!("roadmap: warning: skipped {path}: {error}{more}");
    }
    if args.format == Format::Json {
        return Ok(render::json(&cache.list_json(query)?));
    }
    let rows = cache.list(query)?;
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
    Ok(text)
}

fn show(args: &ShowArgs) -> Result<(), UserError> {
    let workspace = Workspace::discover()?;
    let cache = open_fresh(&workspace, args.no_sync, args.worktree)?;
    let detail = resolve_id(&cache, &args.id)?;
    let text = match args.format {
        ShowFormat::Text => render::show(&detail),
        ShowFormat::Json => render::show_json(&detail),
    };
    write_stdout(text.as_bytes())
}
