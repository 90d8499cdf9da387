//! `roadmap issue list` on a 0.2-contract workspace: roadmap-cli 0.3.1's output, from the
//! cache showing the working tree as the tracker reads it (the cache plus the files that
//! differ from it, found by stat data; see [`crate::lines::contract::outputs::issue_list`]),
//! or the tracker when ours could differ.
//!
//! The command line is parsed here again with 0.3.1's options (`--scope`, `--search`,
//! `--my-issues`, ... which 1.0.2's parser refuses), with our own `-C` and `--no-pager`.

use super::tracker_front::{hand_over, python_terminal_width};
use super::{CommandError, write_stdout};
use crate::cache::contract_query::IssueRead;
use crate::cache::{Cache, CacheError};
use crate::issue::timestamp;
use crate::lines::contract::outputs::issue_list::sources::{self, Listing};
use crate::lines::contract::outputs::issue_list::{self, Answer, Surroundings, args};
use crate::lines::contract::outputs::terminal;
use crate::lines::rich_text;
use crate::sync::{SyncOutcome, SyncRequest};
use crate::workspace::freshness::{FreshCache, FreshnessError};
use crate::workspace::{LockPurpose, Workspace};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Our command line as far as `issue list` of 0.3.1 goes.
#[derive(Parser)]
#[command(name = "roadmap", disable_help_subcommand = true)]
struct Front {
    #[arg(short = 'C', value_name = "DIR", global = true)]
    directory: Option<PathBuf>,
    #[arg(long, global = true)]
    no_pager: bool,
    #[command(subcommand)]
    command: FrontCommand,
}

#[derive(Subcommand)]
enum FrontCommand {
    Issue {
        #[command(subcommand)]
        command: FrontIssue,
    },
}

#[derive(Subcommand)]
enum FrontIssue {
    List(args::ContractListArgs),
}

/// The parsed options and the matches (for the order click checks choices in); `None` when
/// clap refuses the line (the tracker then answers it).
fn parse(argv: &[OsString]) -> Option<(Front, clap::ArgMatches)> {
    let matches = Front::command().try_get_matches_from(argv).ok()?;
    let front = Front::from_arg_matches(&matches).ok()?;
    let (_, issue) = matches.subcommand()?;
    let (_, list) = issue.subcommand()?;
    Some((front, list.clone()))
}

/// For a command line 1.0.2's parser refused: when it is 0.3.1's `issue list`, `-C` applied,
/// the answer; `None` for any other line (it goes to the tracker as before).
pub fn run_unparsed(argv: &[OsString]) -> Option<Result<(), CommandError>> {
    let (front, _) = parse(argv)?;
    if let Some(dir) = &front.directory {
        if let Err(e) = std::env::set_current_dir(dir) {
            return Some(Err(CommandError::user(format!(
                "cannot change to {}: {e}",
                dir.display()
            ))));
        }
    }
    Some(super::legacy_list::run(None, argv))
}

/// Whether `argv` is `issue list ...` (our `-C DIR` and `--no-pager` aside) run where 0.3.1's
/// outputs are followed; `-C` is applied when it is.
pub fn is_contract_issue_list(argv: &[OsString]) -> bool {
    let mut words = Vec::new();
    let mut directory = None;
    let mut rest = argv.iter().skip(1);
    while let Some(word) = rest.next() {
        match word.to_str() {
            Some("--no-pager") => {}
            Some("-C") => directory = rest.next().cloned(),
            _ => words.push(word),
        }
    }
    if words.len() < 2 || words[0] != "issue" || words[1] != "list" {
        return false;
    }
    if directory.is_some_and(|dir| std::env::set_current_dir(dir).is_err()) {
        return false;
    }
    follows_contract(argv)
}

/// Answers `issue list` on the contract workspace at `root` (the current directory).
pub fn run(argv: &[OsString], root: &Path) -> Result<(), CommandError> {
    let Some((Front { command, .. }, matches)) = parse(argv) else {
        hand_over(argv, "a command line clap reads differently from click")
    };
    let FrontCommand::Issue {
        command: FrontIssue::List(list),
    } = command;
    match args::usage_error(&list, &matches) {
        Ok(None) => {}
        Ok(Some(usage)) => finish(&issue_list::Reply {
            stdout: String::new(),
            stderr: usage,
            code: 2,
        }),
        Err(reason) => hand_over(argv, reason),
    }
    // On a terminal a person reads the default view: served at the terminal's width in the
    // tracker's colours. The machine formats there go through Rich's highlighting: the tracker.
    let on_terminal = !rich_text::tracker_plain_mode();
    if on_terminal && list.format() != "rich" {
        hand_over(argv, "a machine format on a terminal (Rich highlights it)");
    }
    let roadmap_dir = root.join(".roadmap");
    let me = match who_am_i(root, &roadmap_dir, list.my_issues) {
        Ok(me) => me,
        Err(reason) => hand_over(argv, &reason),
    };
    let world = Surroundings {
        me,
        now: timestamp::now_key(),
        terminal_width: python_terminal_width(),
        on_terminal,
    };
    let Ok(workspace) = Workspace::discover() else {
        hand_over(argv, "the repository could not be opened again")
    };
    let rows = if list.search.is_some() {
        IssueRead::WithBodies
    } else {
        IssueRead::Rows
    };
    // The answer is rendered on the reading thread too, while this one still looks: it
    // depends only on the rows, and is thrown away with them when the look finds a change.
    let answer_from = move |cache: &Cache, root: &Path, listing: Listing| {
        let mut read = sources::read_sources(cache, root, rows, listing)?;
        let answer = issue_list::answer(&list, &mut read, &world);
        // This process exits once the answer is written: freeing every row's strings first
        // was a twentieth of a served `issue list`.
        std::mem::forget(read);
        Ok(if world.on_terminal {
            answer.restyled(terminal::styled)
        } else {
            answer
        })
    };
    let answer = match read_beside_the_look(&workspace, root, answer_from.clone()) {
        Some(answer) => answer,
        None => {
            let fresh = fresh_cache(&workspace)?;
            if !fresh.warnings.is_empty() {
                // A busy lock (working-tree edits not shown yet) or a rebuild: not the
                // tracker's bytes.
                hand_over(argv, &fresh.warnings.join("; "));
            }
            answer_from(&fresh.cache, root, Listing::Here)?
        }
    };
    match answer {
        Answer::Reply(reply) => finish(&reply),
        Answer::Forward(reason) => hand_over(argv, &reason),
    }
}

/// The issues and milestones as the tracker reads them (the working tree's), from the cache,
/// as `read` asks: for the commands other than `issue list` that read them (`status`, the
/// planning reads). `Err` says why the cache cannot answer (a busy lock, a rebuild, an error);
/// the caller reads the files instead.
pub(super) fn cached_sources(
    root: &Path,
    read: IssueRead,
) -> Result<issue_list::row::ContractSources, String> {
    cached(root, move |cache, root, listing| {
        sources::read_sources(cache, root, read, listing)
    })
}

/// What `read` reads from the cache once it shows the working tree, as [`cached_sources`]
/// reads the sources.
pub(super) fn cached<T: Send + 'static>(
    root: &Path,
    read: impl Fn(&Cache, &Path, Listing) -> Result<T, CacheError> + Send + Clone + 'static,
) -> Result<T, String> {
    let workspace = Workspace::discover().map_err(|e| e.to_string())?;
    if let Some(read) = read_beside_the_look(&workspace, root, read.clone()) {
        return Ok(read);
    }
    let fresh = fresh_cache(&workspace).map_err(|e| e.to_string())?;
    if !fresh.warnings.is_empty() {
        return Err(fresh.warnings.join("; "));
    }
    read(&fresh.cache, root, Listing::Here).map_err(|e| e.to_string())
}

/// What `read` makes of the cache's rows, on a second thread while this one looks at the
/// working tree: the look (a stat of every roadmap file) was half of a served `issue list`.
/// When the look records nothing, finds the document folders holding documents only (so
/// `read` need not list them: [`Listing::ByTheLook`]), and nothing committed to the cache or
/// moved HEAD meanwhile (the common case), the rows read were the working tree's; `None`
/// otherwise, and the caller reads again after the look.
fn read_beside_the_look<T: Send + 'static>(
    workspace: &Workspace,
    root: &Path,
    read: impl FnOnce(&Cache, &Path, Listing) -> Result<T, CacheError> + Send + 'static,
) -> Option<T> {
    let fresh = workspace
        .open_fresh(false)
        .ok()
        .filter(|f| f.warnings.is_empty())?;
    // A watcher vouches for the working tree: nothing to look at, so no second thread.
    if workspace
        .watched_unchanged(&fresh.cache)
        .is_some_and(|r| r.contract_documents_only)
    {
        return read(&fresh.cache, root, Listing::ByTheLook).ok();
    }
    let cache = fresh.cache;
    let before = cache.data_version().ok()?;
    let root = root.to_owned();
    let reading = std::thread::spawn(move || {
        let read = read(&cache, &root, Listing::ByTheLook);
        (cache, read)
    });
    let look = workspace.look_at_worktree(LockPurpose::Query);
    let (cache, read) = reading.join().ok()?;
    let report = look.ok()?;
    let unchanged = report.recorded == 0
        && !report.lock_busy
        && report.contract_documents_only
        && cache.data_version().ok()? == before
        && workspace.still_fresh(&cache).ok()?;
    if unchanged { read.ok() } else { None }
}

/// The cache showing the working tree, as the tracker reads it: the cache plus the files that
/// differ from it. The first query of a clone builds the cache without
/// [`super::first_use::open`]'s hint, which would put our words in the tracker's stderr.
fn fresh_cache(workspace: &Workspace) -> Result<FreshCache, CommandError> {
    match workspace.open_for_query(false, true) {
        Err(FreshnessError::NoCache) => {}
        other => return Ok(other?),
    }
    let request = SyncRequest {
        full: true,
        progress: false,
    };
    if let SyncOutcome::LockBusy = workspace.sync(&request, LockPurpose::Query)? {
        return Err(FreshnessError::NoCache.into());
    }
    Ok(workspace.open_for_query(false, true)?)
}

/// Writes the tracker's reply and exits with its status.
pub(super) fn finish(reply: &issue_list::Reply) -> ! {
    if !reply.stderr.is_empty() {
        eprint!("{}", reply.stderr);
    }
    let code = match write_stdout(reply.stdout.as_bytes()) {
        Ok(()) => reply.code,
        Err(error) => {
            error.exit("roadmap");
        }
    };
    std::process::exit(code)
}

/// "Me" as 0.3.1 finds it: `identity.name` in `$HOME/.config/roadmap/config.yaml`, else the
/// repository's `git config user.name`. Both config files are checked as the tracker checks
/// them on every command (a key it does not know fails every command): `Err` for anything but
/// the shapes it writes, and the tracker answers. git is asked only when `needed`.
pub(super) fn who_am_i(
    root: &Path,
    roadmap_dir: &Path,
    needed: bool,
) -> Result<Option<String>, String> {
    let project = read_yaml(&roadmap_dir.join("config.yaml"))?.unwrap_or_default();
    let known = |map: &serde_yaml::Mapping, keys: &[&str]| {
        map.keys()
            .all(|k| k.as_str().is_some_and(|k| keys.contains(&k)))
    };
    let behavior_known = project.get("behavior").is_none_or(|b| {
        b.as_mapping().is_some_and(|b| {
            known(
                b,
                &["default_project_id", "include_closed_in_critical_path"],
            )
        })
    });
    if !known(
        &project,
        &["schema_version", "workspace_schema_version", "behavior"],
    ) || !behavior_known
    {
        return Err(".roadmap/config.yaml holds keys we do not check".to_owned());
    }
    let home = std::env::var_os("HOME").ok_or("no HOME")?;
    let user_config = Path::new(&home).join(".config/roadmap/config.yaml");
    let user = read_yaml(&user_config)?.unwrap_or_default();
    if !known(&user, &["schema_version", "identity"]) {
        return Err(format!(
            "{} holds keys we do not check",
            user_config.display()
        ));
    }
    let name = match user.get("identity") {
        None | Some(serde_yaml::Value::Null) => None,
        Some(serde_yaml::Value::Mapping(identity)) if known(identity, &["name", "email"]) => {
            match identity.get("name") {
                None | Some(serde_yaml::Value::Null) => None,
                Some(serde_yaml::Value::String(name)) => Some(name.clone()),
                Some(_) => return Err("identity.name is not text".to_owned()),
            }
        }
        Some(_) => return Err("an identity we do not check".to_owned()),
    };
    if let Some(name) = name.filter(|n| !n.is_empty()) {
        return Ok(Some(name));
    }
    if !needed {
        return Ok(None);
    }
    let git = std::process::Command::new("git")
        .args(["config", "--get", "user.name"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("running git config: {e}"))?;
    Ok(git
        .status
        .success()
        .then(|| String::from_utf8_lossy(&git.stdout).trim().to_owned()))
}

/// A YAML mapping file; `Ok(None)` when it does not exist.
fn read_yaml(path: &Path) -> Result<Option<serde_yaml::Mapping>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    match serde_yaml::from_str::<serde_yaml::Value>(&text) {
        Ok(serde_yaml::Value::Mapping(map)) => Ok(Some(map)),
        Ok(serde_yaml::Value::Null) => Ok(None),
        _ => Err(format!("{}: not a YAML mapping", path.display())),
    }
}

/// Whether the current directory is a 0.2-contract workspace whose outputs we follow.
pub fn follows_contract(argv: &[OsString]) -> bool {
    contract_workspace_root(argv).is_some()
}

/// The repository root when the current directory is the root of a git work tree holding a
/// 0.2-contract `.roadmap/` whose outputs we follow ([`Outputs::Contract`]); else `None`.
pub(super) fn contract_workspace_root(argv: &[OsString]) -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    if !cwd.join(".roadmap").join("config.yaml").is_file() {
        return None;
    }
    let workspace = Workspace::discover().ok()?;
    let root = workspace.work_dir().canonicalize().ok()?;
    if Some(&root) != cwd.canonicalize().ok().as_ref() {
        return None;
    }
    match super::tracker_front::outputs_we_follow(&workspace, &cwd) {
        Ok(super::tracker_front::Outputs::Contract) => Some(root),
        Ok(super::tracker_front::Outputs::Legacy) => None,
        Err(reason)
            if crate::lines::workspace_line(&root.join(".roadmap"))
                == crate::lines::Line::Contract =>
        {
            hand_over(argv, &reason)
        }
        Err(_) => None,
    }
}
