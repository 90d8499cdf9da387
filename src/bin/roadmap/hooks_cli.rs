//! `roadmap-hooks`: installs the git hooks that keep the issue cache current, runs them, and
//! reports on them. Part of the `roadmap` binary (one multi-call binary, `src/bin/roadmap-hooks.rs`
//! says why): it runs when started under the name `roadmap-hooks`, and at the entry points
//! git and our hooks call, which name `roadmap` itself.

use clap::{Parser, Subcommand};
use roadmap_hooks::cache::Cache;
use roadmap_hooks::cli::write_stdout;
use roadmap_hooks::error::CommandError;
use roadmap_hooks::git::read_head_stamp;
use roadmap_hooks::hooks::merge_config::{self, Registered};
use roadmap_hooks::hooks::{self, HookState, Installed, Uninstalled};
use roadmap_hooks::sync::{SyncOutcome, SyncReport, SyncRequest, short};
use roadmap_hooks::workspace::remove_cache::CacheRemoval;
use roadmap_hooks::workspace::{LockPurpose, Workspace};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "roadmap-hooks",
    version,
    about = "Keep a SQLite cache of roadmap issues current with git hooks"
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
    /// Install the hooks in this clone and build the cache
    Install {
        /// The repository (default: the one around the current directory)
        #[arg(long)]
        repo: Option<PathBuf>,
        /// Also install a reference-transaction hook, which catches `reset` and `stash` at once.
        /// Costly: git runs it for every ref update, which made a fetch of 300 refs 4-7x slower
        #[arg(long)]
        reference_transaction: bool,
        /// Write into a hooks directory that is tracked by the repository (e.g. .husky)
        #[arg(long)]
        allow_tracked_hooks: bool,
        /// Do not register the merge driver for issue files (they then merge as plain text)
        #[arg(long)]
        no_merge_driver: bool,
    },
    /// Remove exactly what install added, restoring hooks that were there before
    Uninstall {
        #[arg(long)]
        repo: Option<PathBuf>,
    },
    /// Show hooks, cache and sync state
    Status {
        #[arg(long)]
        repo: Option<PathBuf>,
    },
    /// Bring the cache up to HEAD now
    Sync {
        #[arg(long)]
        repo: Option<PathBuf>,
        /// Rebuild from HEAD's files instead of applying the diff since the last sync
        #[arg(long)]
        full: bool,
    },
    /// Check the hooks, the lock and the cache, and say how to fix each problem
    Doctor {
        #[arg(long)]
        repo: Option<PathBuf>,
    },
    /// Parse the issue files in the working tree without the cache; print them as JSON
    Scan {
        #[arg(long)]
        repo: Option<PathBuf>,
    },
    /// Run by git to merge an issue file: %O %A %B %P [%L [%S %X %Y]]; exits 1 on a conflict
    #[command(hide = true)]
    MergeDriver {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run by the installed hooks; always exits 0
    #[command(hide = true)]
    Hook {
        name: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Whether this process is the `roadmap-hooks` command: started under that name (by the
/// launcher beside `roadmap`, or through a link), or at an entry point of git's and our
/// hooks': `hook`, `merge-driver`, the detached checkpoint. `roadmap` has none of those three.
pub fn invoked(argv: &[OsString]) -> bool {
    let named = argv
        .first()
        .and_then(|arg0| Path::new(arg0).file_name())
        .is_some_and(|name| name.to_string_lossy().starts_with("roadmap-hooks"));
    named
        || argv.get(1).is_some_and(|command| {
            command == "hook"
                || command == "merge-driver"
                || command == roadmap_hooks::cache::checkpoint::SUBCOMMAND
                || command == roadmap_hooks::sync::order_index_builder::SUBCOMMAND
                || command == roadmap_hooks::watch::SUBCOMMAND
        })
}

/// Runs the `roadmap-hooks` command.
pub fn main() {
    // A hook must never fail git, whatever it is given: parse errors included.
    let raw: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if raw.get(1).is_some_and(|a| a == "hook") {
        let name = raw.get(2).cloned().unwrap_or_default();
        let outcome = std::panic::catch_unwind(|| {
            roadmap_hooks::hook_entry::run(&name, raw.get(3..).unwrap_or(&[]))
        });
        if let Ok(Some(line)) = outcome {
            eprintln!("{line}");
        }
        std::process::exit(0);
    }
    // A hook's checkpoint, detached from it (`cache::checkpoint`): quiet, whatever happens.
    if raw
        .get(1)
        .is_some_and(|a| a == roadmap_hooks::cache::checkpoint::SUBCOMMAND)
    {
        if let Some(path) = std::env::args_os().nth(2) {
            let _ = std::panic::catch_unwind(|| {
                roadmap_hooks::cache::checkpoint::run_detached(std::path::Path::new(&path));
            });
        }
        std::process::exit(0);
    }
    // The order indexes a large rebuild left out, built detached from it: quiet, whatever
    // happens (a sync that writes starts it again while any is missing).
    if raw
        .get(1)
        .is_some_and(|a| a == roadmap_hooks::sync::order_index_builder::SUBCOMMAND)
    {
        let _ = std::panic::catch_unwind(|| {
            if let Ok(workspace) = roadmap_hooks::workspace::Workspace::discover() {
                let _ = workspace.build_order_indexes();
            }
        });
        std::process::exit(0);
    }
    // A watcher a look started, detached (`watch`): quiet, whatever happens.
    #[cfg(target_os = "linux")]
    if raw
        .get(1)
        .is_some_and(|a| a == roadmap_hooks::watch::SUBCOMMAND)
    {
        if let Some(path) = std::env::args_os().nth(2) {
            // A terminal closed under it is no reason to stop.
            // SAFETY: setting a signal's disposition to "ignore" has no preconditions.
            unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
            let _ = std::panic::catch_unwind(|| {
                roadmap_hooks::watch::daemon::run(std::path::Path::new(&path))
            });
        }
        std::process::exit(0);
    }
    // The merge driver must leave git a merged file whatever happens: it parses its own
    // arguments and a panic falls back to git's text merge.
    if raw.get(1).is_some_and(|a| a == "merge-driver") {
        std::process::exit(merge_driver(raw.get(2..).unwrap_or(&[])));
    }
    let cli = Cli::parse();
    if let Some(dir) = &cli.directory {
        if let Err(e) = std::env::set_current_dir(dir) {
            CommandError::user(format!("cannot change to {}: {e}", dir.display()))
                .exit("roadmap-hooks");
        }
    }
    let result = match cli.command {
        Command::Install {
            repo,
            reference_transaction,
            allow_tracked_hooks,
            no_merge_driver,
        } => install(
            repo,
            reference_transaction,
            allow_tracked_hooks,
            !no_merge_driver,
        ),
        Command::Uninstall { repo } => uninstall(repo),
        Command::Status { repo } => status(repo),
        Command::Sync { repo, full } => run_sync(repo, full),
        Command::Scan { repo } => scan(repo),
        Command::Doctor { repo } => doctor(repo),
        Command::Hook { .. } | Command::MergeDriver { .. } => Ok(()),
    };
    if let Err(error) = result {
        error.exit("roadmap-hooks");
    }
}

fn merge_driver(args: &[String]) -> i32 {
    use roadmap_hooks::merge_driver::{self, Call};
    let Some((call, options)) = Call::from_args(args) else {
        eprintln!("roadmap-hooks: merge-driver needs %O %A %B %P (see `roadmap-hooks install`)");
        return merge_driver::EXIT_CONFLICT;
    };
    let outcome = std::panic::catch_unwind(|| merge_driver::run(&call, options.clone()));
    outcome.unwrap_or_else(|_| merge_driver::fall_back_to_text_merge(&call, &options))
}

/// The workspace `--repo PATH` names (as `git -C PATH`), or the one around the current directory.
fn open_repo(repo: Option<PathBuf>) -> Result<Workspace, CommandError> {
    Ok(Workspace::discover_at(repo.as_deref())?)
}

fn install(
    repo: Option<PathBuf>,
    reference_transaction: bool,
    allow_tracked: bool,
    with_merge_driver: bool,
) -> Result<(), CommandError> {
    let workspace = open_repo(repo)?;
    let dir = hooks::locate(workspace.work_dir())?;
    if dir.tracked && !allow_tracked {
        return Err(CommandError::user(format!(
            "the hooks directory {} is tracked in this repository; installing would change files you commit",
            dir.path.display()
        ))
        .with_hint("rerun with --allow-tracked-hooks if that is what you want"));
    }
    let binary = std::env::current_exe()?;
    let binary = std::fs::canonicalize(&binary)
        .unwrap_or(binary)
        .display()
        .to_string();
    let mut names: Vec<&str> = hooks::HOOKS.to_vec();
    if reference_transaction {
        names.push(hooks::REFERENCE_TRANSACTION);
    }
    let mut out = String::new();
    let mut changed = Vec::new();
    for name in names {
        match hooks::install(&dir.path, name, &binary)? {
            Installed::Unchanged => {}
            Installed::Created => changed.push(name.to_owned()),
            Installed::Updated => changed.push(format!("{name} (updated)")),
            Installed::AddedToUserHook => changed.push(format!("{name} (added to your hook)")),
            Installed::ChainedToUserHook => changed.push(format!(
                "{name} (your hook renamed to {name}.roadmap-hooks-chained and still runs)"
            )),
            Installed::ChainedToSkippedHook => changed.push(format!(
                "{name} (your hook is not executable, so git skips it; \
                 renamed to {name}.roadmap-hooks-chained and still skipped)"
            )),
        }
    }
    if changed.is_empty() {
        out.push_str(&format!(
            "hooks already installed in {}\n",
            dir.path.display()
        ));
    } else {
        out.push_str(&format!(
            "installed hooks in {}: {}\n",
            dir.path.display(),
            changed.join(", ")
        ));
    }
    if with_merge_driver {
        let work_dir = workspace.work_dir();
        let text = match merge_config::install(work_dir, &binary)? {
            Registered::Unchanged => None,
            Registered::Added => Some("registered the merge driver for issue files"),
            Registered::Updated => Some("updated the merge driver for issue files"),
            Registered::Foreign => {
                out.push_str(
                    "note: merge.roadmap.driver is set to a command of yours; \
                     the merge driver was not registered\n",
                );
                None
            }
        };
        if let Some(text) = text {
            out.push_str(&format!(
                "{text} (merge.roadmap in .git/config, {})\n",
                merge_config::state(work_dir)?.attributes_path.display()
            ));
        }
    }
    if dir.outside_repository {
        out.push_str("note: this hooks directory is outside the repository (core.hooksPath); the hooks run in every repository that uses it\n");
    }
    write_stdout(out.as_bytes())?;
    let report = sync_and_describe(&workspace, false)?;
    write_stdout(report.as_bytes())
}

fn uninstall(repo: Option<PathBuf>) -> Result<(), CommandError> {
    let workspace = open_repo(repo)?;
    let dir = hooks::locate(workspace.work_dir())?;
    let mut removed = Vec::new();
    for name in hooks::HOOKS.iter().chain([&hooks::REFERENCE_TRANSACTION]) {
        match hooks::uninstall(&dir.path, name)? {
            Uninstalled::NotInstalled => {}
            Uninstalled::Deleted => removed.push((*name).to_owned()),
            Uninstalled::RemovedFromUserHook => removed.push(format!("{name} (your hook kept)")),
            Uninstalled::RestoredUserHook => removed.push(format!("{name} (your hook restored)")),
        }
    }
    let mut text = if removed.is_empty() {
        format!("no roadmap-hooks hooks in {}\n", dir.path.display())
    } else {
        format!(
            "removed hooks from {}: {}\n",
            dir.path.display(),
            removed.join(", ")
        )
    };
    if merge_config::uninstall(workspace.work_dir())? {
        text.push_str("removed the merge driver for issue files\n");
    }
    if roadmap_hooks::watch::stop(workspace.work_dir()) {
        text.push_str("stopped the watcher of this working tree\n");
    }
    let cache = workspace.cache_dir();
    match workspace.remove_cache()? {
        CacheRemoval::NoCache => {}
        CacheRemoval::Removed { kept } if kept.is_empty() => {
            text.push_str(&format!("removed the cache {}\n", cache.display()));
        }
        CacheRemoval::Removed { kept } => text.push_str(&format!(
            "removed the cache in {} (kept {}: they cannot be rebuilt)\n",
            cache.display(),
            kept.join(", ")
        )),
        CacheRemoval::LockBusy => {
            write_stdout(text.as_bytes())?;
            return Err(CommandError::repository(format!(
                "another sync held the lock for {} s; the cache {} was not removed",
                LockPurpose::Sync.wait().as_secs(),
                cache.display()
            ))
            .with_hint("run `roadmap-hooks uninstall` again"));
        }
    }
    write_stdout(text.as_bytes())
}

fn run_sync(repo: Option<PathBuf>, full: bool) -> Result<(), CommandError> {
    let workspace = open_repo(repo)?;
    let text = sync_and_describe(&workspace, full)?;
    write_stdout(text.as_bytes())
}

/// Syncs and returns what to tell the user; invalid files go to stderr as they are found.
fn sync_and_describe(workspace: &Workspace, full: bool) -> Result<String, CommandError> {
    let request = SyncRequest {
        full,
        progress: true,
    };
    let outcome = workspace.sync(&request, LockPurpose::Sync)?;
    let issue_count = || -> Result<i64, CommandError> {
        Ok(Cache::open_existing(&workspace.cache_dir())?.issue_count()?)
    };
    let reports = match outcome {
        SyncOutcome::LockBusy => {
            return Err(CommandError::repository(format!(
                "another sync held the lock for {} s; nothing was synced",
                LockPurpose::Sync.wait().as_secs()
            ))
            .with_hint("run it again; `roadmap-hooks doctor` shows whether the lock is held"));
        }
        SyncOutcome::UpToDate { commit } => {
            return Ok(format!(
                "cache already at {}: {} issues\n",
                describe_commit(&commit),
                issue_count()?
            ));
        }
        SyncOutcome::Synced(reports) => reports,
    };
    let count = issue_count()?;
    let mut text = String::new();
    for report in &reports {
        for (path, error) in &report.invalid {
            eprintln!("roadmap-hooks: warning: skipped {path}: {error}");
        }
        text.push_str(&describe(report, count));
    }
    Ok(text)
}

fn describe(report: &SyncReport, count: i64) -> String {
    let at = describe_commit(&report.commit);
    match &report.rebuilt {
        Some(reason) => format!("rebuilt the cache from {at} ({reason}): {count} issues\n"),
        None => format!(
            "synced {at}: {} added, {} modified, {} deleted, {} renamed; {count} issues\n",
            report.added, report.modified, report.deleted, report.renamed
        ),
    }
}

fn describe_commit(commit: &str) -> String {
    if commit.is_empty() {
        "an unborn HEAD".to_owned()
    } else {
        short(commit).to_owned()
    }
}

fn status(repo: Option<PathBuf>) -> Result<(), CommandError> {
    let workspace = open_repo(repo)?;
    let dirs = workspace.dirs();
    let mut out = String::new();
    match hooks::locate(workspace.work_dir()) {
        Ok(dir) => {
            out.push_str(&format!("hooks directory: {}\n", dir.path.display()));
            for name in hooks::HOOKS.iter().chain([&hooks::REFERENCE_TRANSACTION]) {
                let state = hooks::state(&dir.path, name);
                let text = match &state {
                    HookState::Missing | HookState::NotOurs
                        if *name == hooks::REFERENCE_TRANSACTION =>
                    {
                        continue;
                    }
                    HookState::Missing => "not installed".to_owned(),
                    HookState::NotOurs => "not installed (a hook of yours is there)".to_owned(),
                    HookState::Ours(v) => format!(
                        "installed ({})",
                        v.trim_start_matches("# >>> ").trim_end_matches(" >>>")
                    ),
                    HookState::BlockInUserHook(_) => "installed (block in your hook)".to_owned(),
                    HookState::Chaining(_) => "installed (chains to your hook)".to_owned(),
                };
                out.push_str(&format!("  {name:<22}{text}\n"));
            }
        }
        Err(e) => out.push_str(&format!("hooks directory: unknown ({e})\n")),
    }
    out.push_str(&merge_driver_status(&workspace));
    for finding in roadmap_hooks::doctor::tracker_findings(&workspace) {
        out.push_str(&finding.what);
        out.push('\n');
    }
    // Whether a watcher spares queries the stat of every roadmap file (`watch`).
    let watcher = if roadmap_hooks::watch::ask(workspace.work_dir(), None).is_some() {
        "running"
    } else {
        "not running (a look at 2,000 or more files starts one; git config roadmap.watch)"
    };
    out.push_str(&format!("watcher: {watcher}\n"));
    match Cache::open_existing(&dirs.cache_dir()) {
        Err(e) => out.push_str(&format!(
            "cache: {e}\n  run `roadmap-hooks sync` to build it\n"
        )),
        Ok(cache) => {
            out.push_str(&format!("cache: {}\n", dirs.cache_dir().display()));
            let last = cache.last_synced_commit()?.unwrap_or_default();
            let head = read_head_stamp(dirs);
            let head_text = head
                .as_synced_commit()
                .map_or("unknown".to_owned(), describe_commit);
            let state = if head.as_synced_commit() == Some(last.as_str()) {
                "in sync"
            } else {
                "behind HEAD"
            };
            out.push_str(&format!(
                "  schema {}, {} issues\n",
                roadmap_hooks::cache::SCHEMA_VERSION,
                cache.issue_count()?
            ));
            out.push_str(&format!(
                "  last synced {}, HEAD {head_text}: {state}\n",
                describe_commit(&last)
            ));
            let invalid = cache.invalid_files()?;
            out.push_str(&format!("invalid files: {}\n", invalid.len()));
            for (path, error) in invalid {
                out.push_str(&format!("  {path}: {error}\n"));
            }
            for (id, paths) in cache.duplicate_ids()? {
                out.push_str(&format!(
                    "duplicate id {id}: listed {}; also in {}\n",
                    paths[0],
                    paths[1..].join(", ")
                ));
            }
            for (path, warning) in cache.field_warnings()? {
                out.push_str(&format!("warning: {path}: {warning}\n"));
            }
        }
    }
    write_stdout(out.as_bytes())
}

/// The merge driver's registration and the roadmap files git still marks as conflicted.
fn merge_driver_status(workspace: &Workspace) -> String {
    let registration = match merge_config::state(workspace.work_dir()) {
        Ok(registration) => registration,
        Err(e) => return format!("merge driver: unknown ({e})\n"),
    };
    let mut out = match (&registration.binary, registration.attributes) {
        (Some(binary), true) if std::path::Path::new(binary).is_file() => {
            "merge driver: registered (issue files merge field by field)\n".to_owned()
        }
        (Some(binary), true) => format!(
            "merge driver: registered, but {binary} is missing (issue files merge as plain text)\n"
        ),
        (None, false) if registration.command.is_none() => {
            "merge driver: not registered (issue files merge as plain text)\n".to_owned()
        }
        (None, false) => {
            "merge driver: merge.roadmap.driver is a command of yours (ours not registered)\n"
                .to_owned()
        }
        _ => "merge driver: half registered; run `roadmap-hooks install`\n".to_owned(),
    };
    let conflicted = workspace
        .repo()
        .ok()
        .and_then(|repo| repo.conflicted_roadmap_files().ok())
        .unwrap_or_default();
    if !conflicted.is_empty() {
        out.push_str(&format!(
            "issue files with unresolved conflicts: {}\n",
            conflicted.len()
        ));
        for path in conflicted {
            out.push_str(&format!("  {path}\n"));
        }
    }
    out
}

fn scan(repo: Option<PathBuf>) -> Result<(), CommandError> {
    let workspace = open_repo(repo)?;
    let found = roadmap_hooks::scan::scan(workspace.work_dir())?;
    for (path, error) in &found.invalid {
        eprintln!("roadmap-hooks: warning: skipped {path}: {error}");
    }
    write_stdout(roadmap_hooks::cli::render::json(&found.to_json_objects()).as_bytes())
}

fn doctor(repo: Option<PathBuf>) -> Result<(), CommandError> {
    let workspace = open_repo(repo)?;
    let findings = roadmap_hooks::doctor::examine(&workspace);
    let mut out = String::new();
    for finding in &findings {
        out.push_str(&format!(
            "{:<8} {}\n",
            if finding.problem { "problem" } else { "ok" },
            finding.what
        ));
        if let Some(fix) = &finding.fix {
            out.push_str(&format!("{:<8} fix: {fix}\n", ""));
        }
    }
    write_stdout(out.as_bytes())?;
    let problems = findings.iter().filter(|f| f.problem).count();
    if problems > 0 {
        return Err(CommandError::user(format!("{problems} problem(s) found")));
    }
    Ok(())
}
