//! `cargo bench --bench roadmap -- --worktree [--full]` (issue 25): `roadmap list --limit 50
//! --worktree` against `git status --porcelain -- .roadmap` in the same repository, timed in
//! the same run, on both tracker lines (the legacy corpus and the 0.2 contract corpus), at 10k
//! issues (and 100k with `--full`). Ten issue files are edited and not committed, and one
//! untimed look has seen them, as in everyday use. git runs with the repository's own
//! configuration and no user or system one: no untracked cache and no file-system monitor
//! unless the repository sets them, as a user's default (the table says which).

use crate::corpus::Layout;
use crate::measure::{human, ratio};
use crate::repo::{self, BenchRepo, git_command, plain_command};
use crate::report::thousands;
use std::io;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub fn requested() -> bool {
    std::env::args().any(|a| a == "--worktree")
}

/// Runs this mode's comparison and prints its tables.
pub fn run(roadmap: &Path, roadmap_hooks: &Path, target_dir: &Path) -> io::Result<()> {
    let sizes: &[usize] = if std::env::args().any(|a| a == "--full") {
        &[10_000, 100_000]
    } else {
        &[10_000]
    };
    let runs = 20;
    let mut table = String::from(
        "| issues | line | `list --worktree` | without the watcher | `list` | `git status -- .roadmap` | worktree ÷ status (without the watcher) | CPU: worktree / without / status | CPU ratio (without) | git's untracked cache / fsmonitor | runs |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n",
    );
    let root = target_dir.join("bench-corpus");
    for &issues in sizes {
        for layout in [Layout::Legacy, Layout::Contract] {
            let repo = repo::prepare_layout(&root, issues, layout)?;
            crate::measure::run(
                plain_command(roadmap_hooks, &repo.dir).arg("install"),
                false,
            )?;
            table.push_str(&look(roadmap, &repo, runs)?);
            repo.restore()?;
            crate::measure::run(plain_command(roadmap_hooks, &repo.dir).arg("sync"), false)?;
        }
    }
    let text = format!(
        "### Queries that show hand edits (`--worktree`) vs `git status`, both lines\n\n\
         Medians of wall and CPU time (user + system); the three commands take turns run by run, \
         after one untimed run each.\n\n{table}"
    );
    println!("{text}");
    let results = target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("roadmap-worktree.md"), &text)
}

/// One command's runs: wall time and CPU time (user + system) of each.
#[derive(Default)]
struct Runs {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

/// The median of `times`.
fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// CPU time of every child reaped so far (user + system).
fn children_cpu() -> Duration {
    // SAFETY: rusage is plain data (all zeros is a valid value), and getrusage fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// One row: the look, the plain list and `git status`, with ten files edited by hand. The
/// commands take turns, run by run (`ABCABC…`, after one untimed run of each), so a change in
/// the machine's load falls on all three alike; CPU time beside wall time, as the load moves
/// wall time more than CPU time.
fn look(roadmap: &Path, repo: &BenchRepo, runs: usize) -> io::Result<String> {
    let dir = &repo.dir;
    repo.edit_in_worktree(10)?;
    let list = |args: &'static [&'static str]| {
        let mut command = plain_command(roadmap, dir);
        command.arg("list").args(args);
        command
    };
    let status = || {
        let mut git = git_command(dir);
        git.args(["status", "--porcelain", "--", ".roadmap"]);
        git
    };
    let unwatched = || {
        let mut command = list(&["--limit", "50", "--worktree"]);
        command.env("ROADMAP_WATCH", "0");
        command
    };
    let commands: [&dyn Fn() -> Command; 4] = [
        &|| list(&["--limit", "50", "--worktree"]),
        &unwatched,
        &|| list(&["--limit", "50"]),
        &status,
    ];
    // The first look reads every file once (no stat file yet) and starts the watcher;
    // everyday looks do neither. A second later, the edited files are no longer racily clean.
    crate::measure::run(&mut commands[0](), false)?;
    std::thread::sleep(Duration::from_millis(1100));
    repo::await_watcher(dir, &mut commands[0]())?;
    for command in commands {
        crate::measure::run(&mut command(), false)?;
    }
    let mut measured: [Runs; 4] = Default::default();
    for _ in 0..runs {
        for (command, runs) in commands.iter().zip(&mut measured) {
            let cpu = children_cpu();
            let (wall, _) = crate::measure::run(&mut command(), false)?;
            runs.wall.push(wall);
            runs.cpu.push(children_cpu().saturating_sub(cpu));
        }
    }
    let [with, unwatched, without, status] = &measured;
    let line = match repo.layout {
        Layout::Legacy => "legacy",
        Layout::Contract => "0.2 contract",
    };
    let (with_wall, status_wall) = (median(&with.wall), median(&status.wall));
    let (with_cpu, status_cpu) = (median(&with.cpu), median(&status.cpu));
    eprintln!(
        "bench: {} {line}: list --worktree {} (CPU {}) vs git status {} (CPU {})",
        thousands(repo.issues),
        human(with_wall),
        human(with_cpu),
        human(status_wall),
        human(status_cpu)
    );
    let setting = |name: &str| {
        repo::git(dir, &["config", "--get", name])
            .map(|v| v.trim().to_owned())
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "unset".to_owned())
    };
    let (unwatched_wall, unwatched_cpu) = (median(&unwatched.wall), median(&unwatched.cpu));
    Ok(format!(
        "| {} | {line} | {} | {} | {} | {} | {} ({}) | {} / {} / {} | {} ({}) | {} / {} | {} |\n",
        thousands(repo.issues),
        human(with_wall),
        human(unwatched_wall),
        human(median(&without.wall)),
        human(status_wall),
        ratio(with_wall, status_wall),
        ratio(unwatched_wall, status_wall),
        human(with_cpu),
        human(unwatched_cpu),
        human(status_cpu),
        ratio(with_cpu, status_cpu),
        ratio(unwatched_cpu, status_cpu),
        setting("core.untrackedCache"),
        setting("core.fsmonitor"),
        runs
    ))
}
