//! `roadmap`: the issues of a repository, from the cache git hooks keep current. Queries never
//! walk the files or diff commits (they sync first only when HEAD moved); writes go to the file
//! first, then the cache.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use roadmap_hooks::cache::query::ListQuery;
use roadmap_hooks::cache::{Cache, CacheError};
use roadmap_hooks::cli::forward::{self, Rejected};
use roadmap_hooks::cli::history_args::{DiffArgs, LogArgs};
use roadmap_hooks::cli::list_args::{Format, ListArgs, search_terms};
use roadmap_hooks::cli::render::{self, TableStyle};
use roadmap_hooks::cli::write;
use roadmap_hooks::cli::write_args::{CreateArgs, IdArgs, UpdateArgs};
use roadmap_hooks::cli::{self, CommandError, resolve_id, write_stdout};
use roadmap_hooks::cli::{legacy_list, legacy_milestone_list, legacy_status};
use roadmap_hooks::history::overlay;
use roadmap_hooks::lines as roadmap_lines;
use roadmap_hooks::lines::legacy::outputs::issue_list::TrackerListArgs;
use roadmap_hooks::lines::legacy::outputs::milestone_list::MilestoneListArgs;
use roadmap_hooks::lines::legacy::outputs::status::StatusArgs;
use roadmap_hooks::workspace::Workspace;
use roadmap_hooks::workspace::freshness::FreshCache;
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "roadmap",
    version,
    about = "The roadmap issues of a git repository, from a cache git hooks keep current",
    after_help = forward::SERVED_AND_FORWARDED
)]
struct Cli {
    /// Run as if started in DIR (as `git -C DIR`)
    #[arg(short = 'C', value_name = "DIR", global = true)]
    directory: Option<PathBuf>,
    /// Print long output directly instead of through $ROADMAP_PAGER, $PAGER or less
    #[arg(long, global = true)]
    no_pager: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Action(Action),
    /// The tracker's spellings: `issue list` in its format; other `issue` commands it has are forwarded
    Issue {
        #[command(subcommand)]
        command: IssueAction,
    },
    /// The tracker's `milestone list`, in its format; other `milestone` commands are forwarded
    Milestone {
        #[command(subcommand)]
        command: MilestoneAction,
    },
    /// The tracker's `status` counts, in its format (when its output is not a terminal)
    Status(StatusArgs),
    /// Two-way sync with GitHub Issues, configured in .roadmap/sync.yaml
    Sync(cli::remote::SyncArgs),
    /// Show what a range of commits changes in the plan: issues opened, closed, moved...
    Diff(DiffArgs),
    /// Show every commit that changed an issue, field by field, newest first
    Log(LogArgs),
    /// Charts of the plan's history, from git: burndown, flow, throughput
    Chart(cli::chart::ChartArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), to save as man1/roadmap.1
    Man,
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
    /// Serve a live, read-only web board of the issues on 127.0.0.1
    Serve(ServeArgs),
    #[command(flatten)]
    Write(WriteAction),
}

/// The writes, under both spellings (`roadmap close ID`, `roadmap issue close ID`).
#[derive(Subcommand)]
enum WriteAction {
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

/// `roadmap issue ...`: the tracker's `issue list` (its output, from the cache) and our writes
/// under the tracker's spelling. `issue view` (the tracker's layout) and the tracker's other
/// `issue` commands are not here, so they are forwarded.
#[derive(Subcommand)]
enum IssueAction {
    /// List issues as the tracker does (csv, json, markdown when piped); the rest is forwarded
    List(TrackerListArgs),
    /// Show one issue in our format (the tracker's `issue view` is forwarded)
    Show(ShowArgs),
    /// Search titles and bodies, best matches first, with the filters of `list`
    Search(SearchArgs),
    #[command(flatten)]
    Write(WriteAction),
}

/// `roadmap milestone ...`: only `list` is answered here; every other one is the tracker's.
#[derive(Subcommand)]
enum MilestoneAction {
    /// List milestones as the tracker does (when its output is not a terminal)
    List(MilestoneListArgs),
}

impl IssueAction {
    /// The same command under our own spelling; `None` for `list`, which answers differently.
    fn into_action(self) -> Option<Action> {
        Some(match self {
            IssueAction::List(_) => return None,
            IssueAction::Show(args) => Action::Show(args),
            IssueAction::Search(args) => Action::Search(args),
            IssueAction::Write(write) => Action::Write(write),
        })
    }
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

#[derive(clap::Args)]
struct ServeArgs {
    /// Port to listen on (default: a free one)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on; anything but a loopback address shows the board to the network
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
    bind: std::net::IpAddr,
    /// Open the board in the default browser (xdg-open)
    #[arg(long)]
    open: bool,
}

/// Parses our command line; one we do not serve exactly goes to the tracker (see `forward`).
fn parse(args: &[OsString]) -> Cli {
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let error = match parsed {
        Ok(cli) => return cli,
        Err(error) => error,
    };
    // 0.3.1's `issue list --help` is its own: on its workspaces the tracker prints it.
    if error.kind() == clap::error::ErrorKind::DisplayHelp
        && cli::contract_list::is_contract_issue_list(args)
    {
        std::process::exit(forward::forward(&args[1..], true));
    }
    let code = match forward::classify(args, error.kind()) {
        Rejected::Ours => error.exit(),
        Rejected::Version => {
            let _ = cli::write_stdout(forward::version_text().as_bytes());
            0
        }
        Rejected::TrackerSyncFlag => {
            eprint!("{}", forward::sync_flag_message(args));
            forward::EXIT_NO_TRACKER
        }
        Rejected::Forward => {
            // 0.3.1's `issue list` options are not 1.0.2's: its parser may still take them.
            if let Some(result) = cli::contract_list::run_unparsed(args) {
                exit_on_error(result);
                0
            } else {
                forward::forward(&args[1..], false)
            }
        }
    };
    std::process::exit(code)
}

#[path = "roadmap/hooks_cli.rs"]
mod hooks_cli;

fn main() {
    let argv: Vec<OsString> = std::env::args_os().collect();
    // One binary for both commands (see `src/bin/roadmap-hooks.rs`).
    if hooks_cli::invoked(&argv) {
        hooks_cli::main();
        return;
    }
    // 0.3.1's read commands on its workspaces have their own command lines and outputs.
    if let Some(result) = cli::contract_reads::run_if_served(&argv) {
        exit_on_error(result);
        return;
    }
    let parsed = parse(&argv);
    if let Some(dir) = &parsed.directory {
        if let Err(e) = std::env::set_current_dir(dir) {
            CommandError::user(format!("cannot change to {}: {e}", dir.display())).exit("roadmap");
        }
    }
    let no_pager = parsed.no_pager;
    let action = match parsed.command {
        Command::Action(action) => action,
        Command::Issue {
            command: IssueAction::List(args),
        } => {
            exit_on_error(legacy_list::run(Some(&args), &argv));
            return;
        }
        Command::Milestone {
            command: MilestoneAction::List(args),
        } => {
            exit_on_error(legacy_milestone_list::run(&args, &argv));
            return;
        }
        Command::Status(args) => {
            exit_on_error(legacy_status::run(&args, &argv));
            return;
        }
        Command::Issue { command } => command
            .into_action()
            .expect("`issue list` is answered above"),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "roadmap", &mut out);
            exit_on_error(write_stdout(&out));
            return;
        }
        Command::Man => {
            let mut out = Vec::new();
            exit_on_error(
                clap_mangen::Man::new(Cli::command())
                    .render(&mut out)
                    .map_err(CommandError::from),
            );
            exit_on_error(write_stdout(&out));
            return;
        }
        Command::Diff(args) => {
            exit_on_error(cli::history::diff(&args, no_pager));
            return;
        }
        Command::Log(args) => {
            exit_on_error(cli::history::log(&args, no_pager));
            return;
        }
        Command::Chart(args) => {
            exit_on_error(cli::chart::run(&args));
            return;
        }
        Command::Sync(args) => {
            guard_contract_sync();
            if let Err(error) = cli::remote::run(&args) {
                error.exit("roadmap");
            }
            return;
        }
    };
    let result = match action {
        Action::List(args) => list(&args, None, no_pager),
        Action::Show(args) => show(&args, no_pager),
        Action::Serve(args) => serve(&args),
        Action::Search(args) => match search_terms(&args.query.join(" ")) {
            Some(terms) => list(&args.list, Some(terms), no_pager),
            None => Err(CommandError::user("the search query is empty")),
        },
        Action::Write(WriteAction::Create(args)) => write::create(&args),
        Action::Write(WriteAction::Update(args)) => write::update(&args),
        Action::Write(WriteAction::Close(args)) => write::set_status(&args, "closed"),
        Action::Write(WriteAction::Reopen(args)) => write::set_status(&args, "todo"),
        Action::Write(WriteAction::Archive(args)) => write::archive(&args, true),
        Action::Write(WriteAction::Unarchive(args)) => write::archive(&args, false),
        Action::Write(WriteAction::Edit(args)) => write::edit(&args),
    };
    if let Err(error) = result {
        error.exit("roadmap");
    }
}

/// Opens the workspace's cache for a query and prints the warnings that come with it.
fn open_fresh(workspace: &Workspace, no_sync: bool, worktree: bool) -> Result<Cache, CommandError> {
    let FreshCache { cache, warnings } = cli::first_use::open(workspace, no_sync, worktree)?;
    for warning in &warnings {
        eprintln!("roadmap: {warning}");
    }
    Ok(cache)
}

fn list(args: &ListArgs, text: Option<String>, no_pager: bool) -> Result<(), CommandError> {
    let workspace = Workspace::discover()?;
    let mut cache = open_fresh(&workspace, args.no_sync, args.worktree)?;
    if text.is_some() {
        workspace.ensure_text_index(&mut cache)?;
    }
    if let Some(rev) = &args.at {
        let output = list_at(&workspace, &cache, rev, args, text)?;
        return cli::pager::page(&output, no_pager);
    }
    let query = list_query(args, text, &cache)?;
    let output = match answer(args, &query, &cache) {
        Err(error) if error.is_damage() => {
            let FreshCache { cache, warnings } = workspace.rebuild_damaged(&error)?;
            for warning in &warnings {
                eprintln!("roadmap: {warning}");
            }
            answer(args, &query, &cache)?
        }
        other => other?,
    };
    cli::pager::page(&output, no_pager)
}

/// `list --at REV`: the same query and rendering, on the plan as of REV (an overlay of the
/// cache, see `roadmap_hooks::history::overlay`).
fn list_at(
    workspace: &Workspace,
    cache: &Cache,
    rev: &str,
    args: &ListArgs,
    text: Option<String>,
) -> Result<String, CommandError> {
    overlay::at_revision(workspace, cache, rev, |at_rev| {
        Ok(list_query(args, text, at_rev).and_then(|query| Ok(answer(args, &query, at_rev)?)))
    })?
}

/// The query `args` and the search `text` ask `cache` for.
fn list_query(
    args: &ListArgs,
    text: Option<String>,
    cache: &Cache,
) -> Result<ListQuery, CommandError> {
    let mut query = args.to_query(|status| cache.has_status(status).unwrap_or(false))?;
    query.text = text;
    cache.resolve_milestone_filter(&mut query)?;
    Ok(query)
}

/// What `list` or `search` prints, read from `cache`; unreadable files are one line on stderr.
fn answer(args: &ListArgs, query: &ListQuery, cache: &Cache) -> Result<String, CacheError> {
    let invalid = cache.invalid_files()?;
    if let Some((path, error)) = invalid.first() {
        let more = match invalid.len() {
            1 => String::new(),
            n => format!(" (and {} more; see `roadmap-hooks status`)", n - 1),
        };
        eprintln!("roadmap: warning: skipped {path}: {error}{more}");
    }
    if args.format == Format::Json {
        // A terminal gets the pager, which takes the whole text; a pipe gets the rows as read,
        // except from an overlay (`--at`): a slow reader must not hold the cache's write lock.
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) || args.at.is_some() {
            return Ok(render::json(&cache.list_json(query)?));
        }
        stream_json(cache, query)?;
        return Ok(String::new());
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
    if let (Format::Table, Some(limit)) = (args.format, query.limit) {
        if rows.len() == limit {
            let matched = cache.count_matches(query)?;
            text.push_str(&render::limit_footer(limit, matched));
        }
    }
    Ok(text)
}

/// Prints the JSON array of `query` as the rows are read (100k issues are 75 MB of JSON). A
/// closed stdout ends it quietly. An error met before anything was printed is returned as
/// it is (a damaged cache is then rebuilt and the list tried again); once output has begun,
/// a retry would print the array twice, so damage is reported instead.
fn stream_json(cache: &Cache, query: &ListQuery) -> Result<(), CacheError> {
    let mut array = render::JsonArray::new(std::io::stdout().lock());
    let read = cache.each_json(query, |object| array.push(object));
    match read {
        Err(error) if !array.reached_output() => {
            array.discard();
            Err(error)
        }
        Err(error) if error.is_damage() => {
            let _ = array.finish();
            Err(CacheError::Io {
                path: cache.path().to_owned(),
                source: std::io::Error::other(error.to_string()),
            })
        }
        Err(error) => Err(error),
        Ok(()) => match array.finish() {
            Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(CacheError::Io {
                path: PathBuf::from("<stdout>"),
                source: error,
            }),
            _ => Ok(()),
        },
    }
}

fn show(args: &ShowArgs, no_pager: bool) -> Result<(), CommandError> {
    let workspace = Workspace::discover()?;
    let cache = open_fresh(&workspace, args.no_sync, args.worktree)?;
    let detail = resolve_id(&cache, &args.id)?;
    let text = match args.format {
        ShowFormat::Text => render::show(&detail),
        ShowFormat::Json => render::show_json(&detail),
    };
    cli::pager::page(&text, no_pager)
}

/// Serves the board until the process is stopped: the cache is brought up to date (built on
/// first use) before the URL is printed.
fn serve(args: &ServeArgs) -> Result<(), CommandError> {
    let workspace = Workspace::discover()?;
    drop(open_fresh(&workspace, false, false)?);
    let options = roadmap_hooks::board::ServeOptions {
        bind: args.bind,
        port: args.port,
    };
    let board = roadmap_hooks::board::Board::bind(&workspace, &options).map_err(|e| {
        CommandError::user(format!(
            "--bind {} --port {}: cannot listen there: {e}",
            args.bind, args.port
        ))
        .with_hint("leave out --port to take a free one")
    })?;
    let url = board.url()?;
    // A closed stdout (`roadmap serve | head -0`) does not stop the board.
    let _ = write_stdout(format!("roadmap board: {url}\n").as_bytes());
    if args.open {
        if let Err(problem) = roadmap_hooks::board::open_in_browser(&url) {
            eprintln!("roadmap: warning: --open: {problem}; open {url} yourself");
        }
    }
    board.serve(workspace)
}

/// On a workspace of roadmap-cli's 0.2 contract a sync writes 0.3.1's files, under its lock,
/// as our write commands do. A write of 0.3.1's that was cut off (its journal still in
/// `.roadmap/db/transactions/`) would stop the sync's file writes only after GitHub was
/// changed, so it refuses the whole sync here, before any request.
fn guard_contract_sync() {
    let Ok(workspace) = Workspace::discover() else {
        return;
    };
    if workspace.line() != roadmap_lines::Line::Contract {
        return;
    }
    let roadmap_dir = workspace.work_dir().join(".roadmap");
    if let Err(error) = roadmap_hooks::workspace::tracker_lock::take(&roadmap_dir, || {
        eprintln!(
            "roadmap: waiting for roadmap-cli to finish a write (.roadmap/db/canonical-write.lock)"
        );
    }) {
        CommandError::from(roadmap_hooks::workspace::write::WriteError::from(error))
            .exit("roadmap");
    }
}

fn exit_on_error(result: Result<(), CommandError>) {
    if let Err(error) = result {
        error.exit("roadmap");
    }
}
