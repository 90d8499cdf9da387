//! Handing a command line we do not serve exactly to the Python tracker, unchanged.
//!
//! "Served exactly" is decided by our clap definitions: a command line they parse is ours; any
//! other parse error except `--help` of our own commands and `--version` is forwarded, with two exceptions: a typo in one
//! of our own commands the tracker does not have (`roadmap list --bogus`) gets our usage error,
//! and `roadmap sync` is never forwarded (two sync engines with different baselines on one
//! repository would duplicate issues).

use crate::tracker::{self, FORWARDED_ENV, Tracker};
use std::ffi::{OsStr, OsString};
use std::io::Write;

/// The end of `roadmap help`: which commands are ours and which the tracker answers.
pub const SERVED_AND_FORWARDED: &str = "\
Served by roadmap-hooks from the cache: list, show, search, serve (a web board), create,
update, close, reopen, archive, unarchive, edit, sync (GitHub; never the tracker's),
completions, man; from git's history: diff, log, list --at, chart; and, when
piped, the tracker's own `issue list`, `issue view`, `milestone list` and `status` (and on
0.3.1, `milestone view`, `project list`, `project view` and `today`), byte for byte as the
release behind us prints them (roadmap-cli 1.0.2's or 0.3.1's; see the README).

Forwarded unchanged to the Python tracker (roadmap-cli, the next `roadmap` on PATH, or
ROADMAP_TRACKER, or `git config roadmap.tracker`): every other command line: analysis,
cleanup, config, data, git, health, init, migrate, today (on 1.0.2), the other issue, milestone and
project commands, comment, any tracker command on a terminal, and anything ours could print
differently.";

/// Exit code when the command belongs to the tracker and there is none (as for a usage error).
pub const EXIT_NO_TRACKER: i32 = 2;

/// Top-level commands that are ours alone: the tracker has no command of that name, so a parse
/// error in them is a mistake to report, not a command to hand over.
pub const OWN_COMMANDS: &[&str] = &[
    "list",
    "ls",
    "show",
    "view",
    "search",
    "serve",
    "create",
    "update",
    "close",
    "reopen",
    "archive",
    "unarchive",
    "edit",
    "diff",
    "log",
    "completions",
    "man",
    "chart",
];

/// What to do with a command line our definitions rejected.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    /// clap prints it (help, version of a subcommand, or a usage error in our own command).
    Ours,
    /// `roadmap --version`: ours and the tracker's.
    Version,
    /// A tracker `sync` flag: explained, never forwarded.
    TrackerSyncFlag,
    /// Handed to the tracker.
    Forward,
}

/// Classifies a parse error of the full command line `args` (program name first).
#[must_use]
pub fn classify(args: &[OsString], kind: clap::error::ErrorKind) -> Rejected {
    use clap::error::ErrorKind;
    let first = args.get(1).map(OsString::as_os_str);
    match kind {
        ErrorKind::DisplayVersion if args.len() == 2 => Rejected::Version,
        // The help of a tracker command we also serve (`issue list --help`) is the tracker's:
        // ours would hide the options we forward, and the tracker's output is what we imitate.
        ErrorKind::DisplayHelp if first.is_some_and(is_tracker_command) => Rejected::Forward,
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Rejected::Ours,
        _ if first == Some(OsStr::new("sync")) => Rejected::TrackerSyncFlag,
        _ if first.is_some_and(|f| OWN_COMMANDS.iter().any(|own| f == OsStr::new(own))) => {
            Rejected::Ours
        }
        _ => Rejected::Forward,
    }
}

/// Whether `first`, the first word of a command line, names a command of the tracker's that we
/// answer some command lines of (`issue`, `milestone`, `status`), not one of ours.
fn is_tracker_command(first: &OsStr) -> bool {
    !first.to_string_lossy().starts_with('-')
        && first != "sync"
        && first != "help"
        && !OWN_COMMANDS.iter().any(|own| first == OsStr::new(own))
}

/// Runs the tracker with `args` (program name excluded) in place of this process; returns only
/// when it could not be started, after saying why, with the exit code to use. Our own leading
/// `-C DIR` and `--no-pager` are taken out (the tracker has no such options) and `-C` applied
/// unless `directory_applied`; the rest goes as it came.
pub fn forward(args: &[OsString], directory_applied: bool) -> i32 {
    let (directory, args) = leading_directory(args);
    if let Some(dir) = directory.filter(|_| !directory_applied) {
        if let Err(e) = std::env::set_current_dir(&dir) {
            eprintln!(
                "roadmap: error: cannot change to {}: {e}",
                dir.to_string_lossy()
            );
            return crate::error::EXIT_USER_ERROR;
        }
    }
    // `roadmap help init` is our help command asked about one of the tracker's: its `--help`.
    let args = match args.split_first() {
        Some((help, rest)) if help == "help" && !rest.is_empty() => rest
            .iter()
            .cloned()
            .chain([OsString::from("--help")])
            .collect(),
        _ => args,
    };
    let args = &args[..];
    let cwd = std::env::current_dir().unwrap_or_default();
    let tracker = match tracker::find(&cwd) {
        Ok(Some(tracker)) => tracker,
        Ok(None) => {
            eprintln!(
                "roadmap: `{}` is a command of the roadmap-cli tracker, which is not installed (not on PATH); install it with `pipx install roadmap-cli`",
                command_words(args)
            );
            return EXIT_NO_TRACKER;
        }
        Err(error) => {
            eprintln!(
                "roadmap: cannot run `{}` with the tracker: {error}",
                command_words(args)
            );
            return EXIT_NO_TRACKER;
        }
    };
    if std::env::var_os(FORWARDED_ENV).is_some() {
        eprintln!(
            "roadmap: the tracker found at {} is roadmap-hooks again; set ROADMAP_TRACKER to roadmap-cli's `roadmap`",
            tracker.path.display()
        );
        return EXIT_NO_TRACKER;
    }
    exec(&tracker, args)
}

/// Runs the tracker and, once it has finished, records what it changed under `.roadmap/` in the
/// cache (see [`crate::workspace::worktree`]), so the very next query shows it before any
/// commit. Exits with the tracker's status. `--help` needs no look.
fn exec(tracker: &Tracker, args: &[OsString]) -> i32 {
    let _ = std::io::stdout().flush();
    let asks_help = args.iter().any(|a| a == "--help" || a == "-h");
    let workspace = crate::workspace::Workspace::discover()
        .ok()
        .filter(|w| !asks_help && has_cache_or_builds_one(w));
    let Some(workspace) = workspace else {
        return replace_process(tracker, args);
    };
    let status = {
        // Like system(3): a Ctrl-C at the terminal goes to the tracker (same process group);
        // we wait for it, then record what it wrote.
        let _ignored = IgnoreInterrupts::new();
        std::process::Command::new(&tracker.path)
            .args(args)
            .env(FORWARDED_ENV, "1")
            .status()
    };
    let status = match status {
        Ok(status) => status,
        Err(error) => {
            eprintln!(
                "roadmap: could not run the tracker {}: {error}",
                tracker.path.display()
            );
            return EXIT_NO_TRACKER;
        }
    };
    match workspace.look_at_worktree(crate::workspace::LockPurpose::Write) {
        Ok(report) if report.lock_busy => eprintln!(
            "roadmap: warning: another sync held the lock; what the tracker wrote shows in `roadmap list --worktree` or once committed"
        ),
        Ok(_) => {}
        Err(error) => eprintln!(
            "roadmap: warning: the cache could not record what the tracker wrote ({error}); it shows once committed"
        ),
    }
    exit_code(status)
}

/// Whether the workspace has a cache, building one from HEAD when it has none: what the
/// tracker is about to write is recorded against it, so the first query shows it (without a
/// cache, that query would read HEAD only). Quiet: the output is the tracker's. A busy lock or
/// a failed build leaves the next query to build it, and the tracker runs all the same.
fn has_cache_or_builds_one(workspace: &crate::workspace::Workspace) -> bool {
    if workspace.cache_dir().join("current").exists() {
        return true;
    }
    let request = crate::sync::SyncRequest {
        full: true,
        progress: false,
    };
    matches!(
        workspace.sync(&request, crate::workspace::LockPurpose::Write),
        Ok(crate::sync::SyncOutcome::Synced(_) | crate::sync::SyncOutcome::UpToDate { .. })
    )
}

/// The exit code a shell would report for `status`: its code, or 128 + the signal.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// SIGINT and SIGQUIT ignored while it lives, restored after.
struct IgnoreInterrupts {
    previous: [libc::sighandler_t; 2],
}

impl IgnoreInterrupts {
    fn new() -> Self {
        // SAFETY: signal(2) with SIG_IGN installs no Rust code as a handler.
        let previous = unsafe {
            [
                libc::signal(libc::SIGINT, libc::SIG_IGN),
                libc::signal(libc::SIGQUIT, libc::SIG_IGN),
            ]
        };
        IgnoreInterrupts { previous }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        // SAFETY: puts back the handlers that were there before.
        unsafe {
            libc::signal(libc::SIGINT, self.previous[0]);
            libc::signal(libc::SIGQUIT, self.previous[1]);
        }
    }
}

/// Outside a repository that uses roadmap-hooks, nothing to record: the tracker takes this
/// process's place (pid, terminal, signals and exit status).
fn replace_process(tracker: &Tracker, args: &[OsString]) -> i32 {
    use std::os::unix::process::CommandExt;
    let error = std::process::Command::new(&tracker.path)
        .args(args)
        .env(FORWARDED_ENV, "1")
        .exec();
    eprintln!(
        "roadmap: could not run the tracker {}: {error}",
        tracker.path.display()
    );
    EXIT_NO_TRACKER
}

/// Splits off `-C DIR` (also `-CDIR`, `-C=DIR`) given before the command's first word.
fn leading_directory(args: &[OsString]) -> (Option<OsString>, Vec<OsString>) {
    let mut rest = Vec::with_capacity(args.len());
    let mut directory = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        if !text.starts_with('-') {
            rest.push(arg.clone());
            rest.extend(iter.cloned());
            break;
        }
        match text.strip_prefix("-C") {
            Some("") => directory = iter.next().cloned(),
            Some(attached) => {
                directory = Some(OsString::from(
                    attached.strip_prefix('=').unwrap_or(attached),
                ));
            }
            None if text == "--no-pager" => {}
            None => rest.push(arg.clone()),
        }
    }
    (directory, rest)
}

/// `roadmap issue start`: the program and up to two leading words, for messages.
fn command_words(args: &[OsString]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .take_while(|a| !a.starts_with('-'))
        .take(2)
        .collect();
    if words.is_empty() {
        "roadmap".to_owned()
    } else {
        format!("roadmap {}", words.join(" "))
    }
}

/// `roadmap --version`: ours, then the tracker's (or where it would come from).
#[must_use]
pub fn version_text() -> String {
    let ours = format!("roadmap (roadmap-hooks) {}", env!("CARGO_PKG_VERSION"));
    if std::env::var_os(FORWARDED_ENV).is_some() {
        // Asked by another roadmap-hooks binary for its tracker's version: asking on would loop.
        return format!(
            "{ours}\ntracker: roadmap-hooks itself (ROADMAP_TRACKER or PATH names a copy of it)\n"
        );
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let workspace = crate::workspace::Workspace::discover().ok();
    let theirs = match tracker::find(&cwd) {
        Ok(Some(found)) => {
            let memo = workspace
                .as_ref()
                .map(crate::workspace::Workspace::cache_dir);
            format!(
                "tracker: {} ({})",
                tracker::release::describe(
                    tracker::release::release(&found, memo.as_deref()).as_ref()
                ),
                found.path.display()
            )
        }
        Ok(None) => "tracker: not installed (pipx install roadmap-cli)".to_owned(),
        Err(error) => format!("tracker: {error}"),
    };
    let mut text = format!("{ours}\n{theirs}\n");
    let roadmap_dir = workspace.map(|w| w.work_dir().join(".roadmap"));
    if let Some(roadmap_dir) = roadmap_dir.filter(|dir| dir.is_dir()) {
        let line = crate::lines::workspace_line(&roadmap_dir);
        text.push_str(&format!("workspace: {}\n", line.describe()));
    }
    text
}

/// The tracker's `sync` flags we have an equivalent for.
const SYNC_EQUIVALENTS: &[(&str, &str)] = &[
    ("--force-local", "--prefer local"),
    ("--force-remote", "--prefer remote"),
    ("--push", "--push-only"),
    ("--pull", "--pull-only"),
    ("--verbose", "--dry-run (the plan, one line per issue)"),
    ("--interactive", "--conflicts, then --take local|remote ID"),
    ("-i", "--conflicts, then --take local|remote ID"),
];

/// Our own `sync` flags (see `cli::remote::SyncArgs`).
const OUR_SYNC_FLAGS: &[&str] = &[
    "--dry-run",
    "--pull-only",
    "--push-only",
    "--prefer",
    "--baseline",
    "--take",
    "--conflicts",
    "--yes",
    "--format",
    "-f",
    "--help",
    "-h",
];

/// Explains a `roadmap sync` argument we do not implement: never forwarded to the tracker.
#[must_use]
pub fn sync_flag_message(args: &[OsString]) -> String {
    let unknown: Vec<String> = args
        .iter()
        .skip(2)
        .map(|a| a.to_string_lossy().into_owned())
        .filter(|a| a.starts_with('-'))
        .filter(|a| !OUR_SYNC_FLAGS.contains(&a.split('=').next().unwrap_or(a)))
        .collect();
    let flag = unknown.first().cloned().unwrap_or_default();
    let name = flag.split('=').next().unwrap_or(&flag);
    let equivalent = SYNC_EQUIVALENTS
        .iter()
        .find(|(theirs, _)| *theirs == name)
        .map_or_else(
            || {
                "see `roadmap sync --help` for ours (--dry-run, --pull-only, --push-only, --prefer, --baseline, --conflicts, --take, --yes, --format)"
                    .to_owned()
            },
            |(_, ours)| format!("use `roadmap sync {ours}`"),
        );
    let what = if flag.is_empty() {
        let given: Vec<String> = args
            .iter()
            .skip(2)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        format!("use for `{}`", given.join(" "))
    } else {
        format!("`{flag}`")
    };
    format!(
        "roadmap: error: `roadmap sync` is roadmap-hooks' GitHub sync and has no {what}; {equivalent}\n\
         hint: the tracker's sync is never run from here (two sync engines on one repository would duplicate issues); see `roadmap sync --help`\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn args(words: &[&str]) -> Vec<OsString> {
        std::iter::once("roadmap")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn unknown_commands_are_forwarded_and_our_own_typos_are_not() {
        let forward = |w: &[&str]| classify(&args(w), ErrorKind::UnknownArgument);
        assert_eq!(forward(&["init"]), Rejected::Forward);
        assert_eq!(forward(&["issue", "start", "x"]), Rejected::Forward);
        assert_eq!(forward(&["list", "--bogus"]), Rejected::Ours);
        assert_eq!(forward(&["sync", "--push"]), Rejected::TrackerSyncFlag);
        assert_eq!(
            classify(&args(&["--version"]), ErrorKind::DisplayVersion),
            Rejected::Version
        );
        let help = |w: &[&str]| classify(&args(w), ErrorKind::DisplayHelp);
        assert_eq!(help(&["issue", "list", "--help"]), Rejected::Forward);
        assert_eq!(help(&["status", "-h"]), Rejected::Forward);
        assert_eq!(help(&["list", "--help"]), Rejected::Ours);
        assert_eq!(help(&["sync", "--help"]), Rejected::Ours);
        assert_eq!(help(&["--help"]), Rejected::Ours);
    }

    #[test]
    fn sync_flags_name_our_equivalent() {
        let message = sync_flag_message(&args(&["sync", "--force-local"]));
        assert!(message.contains("`--force-local`; use `roadmap sync --prefer local`"));
        let message = sync_flag_message(&args(&["sync", "--backend=git"]));
        assert!(message.contains("`--backend=git`; see `roadmap sync --help`"));
        let message = sync_flag_message(&args(&["sync", "--baseline", "interactive"]));
        assert!(
            message.contains("has no use for `--baseline interactive`"),
            "{message}"
        );
    }

    #[test]
    fn a_leading_directory_is_ours_and_the_rest_is_the_trackers() {
        let words = |w: &[&str]| w.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            leading_directory(&words(&["-C", "sub", "init", "-C", "x"])),
            (Some("sub".into()), words(&["init", "-C", "x"]))
        );
        assert_eq!(
            leading_directory(&words(&["-Csub", "--no-pager", "status"])),
            (Some("sub".into()), words(&["status"]))
        );
        assert_eq!(
            leading_directory(&words(&["today"])),
            (None, words(&["today"]))
        );
    }

    #[test]
    fn messages_name_the_command() {
        assert_eq!(
            command_words(&args(&["issue", "start", "abc"])[1..]),
            "roadmap issue start"
        );
        assert_eq!(command_words(&args(&["--x"])[1..]), "roadmap");
    }
}
