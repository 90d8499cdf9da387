//! What `roadmap hook NAME` (the installed hooks' call; `roadmap-hooks hook NAME` is the same)
//! does when git runs one of our hooks: a cheap check, then an incremental sync. It returns at
//! most one line for the user and never an error: the caller exits 0 whatever happens, because
//! a hook's failure would become git's.

use crate::cache::{Cache, meta};
use crate::git::{GitRepo, read_head_stamp};
use crate::sync::{self, SyncOutcome, SyncRequest};
use crate::workspace::{LockPurpose, RepoDirs, Workspace};
use std::io::Write;

/// Runs hook `name` with git's arguments `args`; returns the line to print, if any.
#[must_use]
pub fn run(name: &str, args: &[String]) -> Option<String> {
    if std::env::var_os("ROADMAP_HOOKS").is_some_and(|v| v == "0") {
        return None;
    }
    crate::cache::checkpoint::checkpoint_in_background();
    // Git runs hooks at the top of the working tree, with GIT_DIR set where it matters.
    let workspace = match Workspace::discover() {
        Ok(workspace) => workspace,
        // A bare repository (a shared core.hooksPath, a server) has no issues to cache.
        Err(crate::workspace::DiscoverError::Bare(_)) => return None,
        Err(e) => return Some(format!("roadmap-hooks: {name}: {e}")),
    };
    let log = workspace.cache_dir().join("hooks.log");
    log_panics(log.clone(), name.to_owned());
    match run_in(&workspace, name, args) {
        Ok(line) => line,
        Err(error) => {
            // Claim the log only when it was written: the error may be that its folder cannot be.
            let logged = if log_error(&log, name, &error) {
                format!(" (logged in {})", log.display())
            } else {
                String::new()
            };
            Some(format!("roadmap-hooks: {name}: {error}{logged}"))
        }
    }
}

fn run_in(
    workspace: &Workspace,
    name: &str,
    args: &[String],
) -> Result<Option<String>, sync::SyncError> {
    let dirs = workspace.dirs();
    if skip(dirs, name, args) {
        return Ok(None);
    }
    let opened = match check_cache(dirs) {
        CacheCheck::Current => return Ok(None),
        CacheCheck::Stale(opened) => opened.map(|cache| *cache),
    };
    let no_cache = opened.is_none() && !workspace.cache_dir().join("current").exists();
    if no_cache && !head_has_roadmap(workspace.repo()?) {
        // A shared core.hooksPath runs our hooks in repositories that have no issues at all.
        return Ok(None);
    }
    let request = SyncRequest {
        full: false,
        progress: false,
    };
    let reports = match workspace.sync_reusing(&request, LockPurpose::Hook, opened)? {
        SyncOutcome::Synced(reports) => reports,
        SyncOutcome::UpToDate { .. } | SyncOutcome::LockBusy => return Ok(None),
    };
    // The first sync of a cache is routine (`git worktree add` builds the new worktree's); a
    // rebuild is worth a line only when it replaced a cache that was there.
    let rebuilt = reports.iter().find_map(|r| {
        r.rebuilt
            .as_ref()
            .filter(|reason| reason.is_worth_a_warning())
    });
    let invalid: Vec<&(String, String)> = reports.iter().flat_map(|r| &r.invalid).collect();
    let mut parts = Vec::new();
    if let Some(reason) = rebuilt {
        parts.push(format!("rebuilt the issue cache from HEAD ({reason})"));
    }
    if let Some((path, error)) = invalid.first() {
        parts.push(match invalid.len() {
            1 => format!("{path}: {error}"),
            n => format!("{n} issue files could not be read (first: {path}: {error})"),
        });
    }
    Ok((!parts.is_empty()).then(|| format!("roadmap-hooks: {}", parts.join("; "))))
}

/// Hooks that need no sync: a file checkout leaves HEAD where it was, and during a rebase the
/// commits replayed one by one are synced once, by post-rewrite at the end. (A rebase that only
/// fast-forwards fires post-checkout alone, so post-checkout is never skipped for a rebase.)
fn skip(dirs: &RepoDirs, name: &str, args: &[String]) -> bool {
    match name {
        "post-checkout" => args.get(2).is_some_and(|flag| flag == "0"),
        "post-commit" | "post-applypatch" => dirs.rebase_in_progress(),
        "reference-transaction" => args.first().is_none_or(|state| state != "committed"),
        _ => false,
    }
}

/// What the cheap check found.
enum CacheCheck {
    Current,
    /// The cache is behind HEAD, or could not be read; the live generation, when it opened,
    /// for the sync to reuse.
    Stale(Option<Box<Cache>>),
}

/// The cheap check: HEAD from the ref files against the cache's last synced commit. Pending
/// writes need no look here: a commit moves HEAD, and the sync it triggers reconciles them.
fn check_cache(dirs: &RepoDirs) -> CacheCheck {
    let stamp = read_head_stamp(dirs);
    let Some(head) = stamp.as_synced_commit() else {
        return CacheCheck::Stale(None);
    };
    let Ok(cache) = Cache::open_reader(&dirs.cache_dir()) else {
        return CacheCheck::Stale(None);
    };
    let last = cache.metadata(meta::LAST_SYNCED_COMMIT).ok().flatten();
    if last.as_deref() == Some(head) {
        CacheCheck::Current
    } else {
        CacheCheck::Stale(Some(Box::new(cache)))
    }
}

fn head_has_roadmap(repo: &GitRepo) -> bool {
    repo.head()
        .ok()
        .flatten()
        .is_some_and(|commit| repo.has_roadmap_folder(commit))
}

/// Makes a panic in the hook a line on stderr and an entry in the hook log, with a backtrace
/// that names the file and line of each frame (the release binaries keep line tables, in
/// compressed debug sections: `build.rs`). The caller catches the panic, so git still succeeds.
fn log_panics(log: std::path::PathBuf, hook: String) {
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        let entry = format!("{info}\nbacktrace:\n{backtrace}");
        let logged = if log_error(&log, &hook, &entry) {
            format!(" (logged in {})", log.display())
        } else {
            String::new()
        };
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("roadmap-hooks: {hook}: internal error{at}{logged}");
    }));
}

/// Appends the error to the hook log; `false` when it could not be written.
fn log_error(log: &std::path::Path, hook: &str, error: &dyn std::fmt::Display) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let _ = std::fs::create_dir_all(log.parent().unwrap_or(log));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .and_then(|mut file| writeln!(file, "{now} {hook}: {error}"))
        .is_ok()
}
