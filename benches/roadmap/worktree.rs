//! `cargo bench --bench roadmap -- --worktree [--full]` (issue 25): `roadmap list --limit 50
//! --worktree` against `git status --porcelain -- .roadmap` in the same repository, timed in
//! the same run, on both tracker lines (the legacy corpus and the 0.2 contract corpus), at 10k
//! issues (and 100k with `--full`). Ten issue files are edited and not committed, and one
//! untimed look has seen them, as in everyday use. git runs with the repository's own
//! configuration and no user or system one: no untracked cache and no file-system monitor
//! unless the repository sets them, as a user's default (the table says which).

use crate::corpus::Layout;
use crate::measure::{Job, Plan, compare, human, ratio};
use crate::repo::{self, BenchRepo, git_command, plain_command};
use crate::report::thousands;
use std::io;
use std::path::Path;
use std::time::Duration;

pub fn requested() -> bool {
    std::env::args().any(|a| a == "--worktree")
}

/// Runs the comparison; returns the process exit code.
pub fn main(roadmap: &Path, roadmap_hooks: &Path, target_dir: &Path) -> i32 {
    match run(roadmap, roadmap_hooks, target_dir) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("bench: error: {error}");
            1
        }
    }
}

fn run(roadmap: &Path, roadmap_hooks: &Path, target_dir: &Path) -> io::Result<()> {
    let sizes: &[usize] = if std::env::args().any(|a| a == "--full") {
        &[10_000, 100_000]
    } else {
        &[10_000]
    };
    let plan = Plan {
        runs: 20,
        budget: Duration::from_secs(20),
        min_runs: 5,
    };
    let mut table = String::from(
        "| issues | line | `list --worktree` | `list` | `git status -- .roadmap` | worktree ÷ status | git's untracked cache / fsmonitor | runs |\n|---|---|---:|---:|---:|---:|---|---:|\n",
    );
    let root = target_dir.join("bench-corpus");
    for &issues in sizes {
        for layout in [Layout::Legacy, Layout::Contract] {
            let repo = repo::prepare_layout(&root, issues, layout)?;
            crate::measure::run(
                plain_command(roadmap_hooks, &repo.dir).arg("install"),
                false,
            )?;
            table.push_str(&look(roadmap, &repo, plan)?);
            repo.restore()?;
            crate::measure::run(plain_command(roadmap_hooks, &repo.dir).arg("sync"), false)?;
        }
    }
    let text = format!(
        "### Queries that show hand edits (`--worktree`) vs `git status`, both lines\n\n\
         Medians; each command's runs in a block after one untimed run, all in the same run.\n\n{table}"
    );
    println!("{text}");
    let results = target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("roadmap-worktree.md"), &text)
}

/// One row: the look, the plain list and `git status`, with ten files edited by hand.
fn look(roadmap: &Path, repo: &BenchRepo, plan: Plan) -> io::Result<String> {
    let dir = &repo.dir;
    repo.edit_in_worktree(10)?;
    let list = |args: &'static [&'static str]| {
        move || {
            let mut command = plain_command(roadmap, dir);
            command.arg("list").args(args);
            command
        }
    };
    // The first look reads every file once (no stat file yet); everyday looks do not.
    crate::measure::run(&mut list(&["--limit", "50", "--worktree"])(), false)?;
    let jobs = [
        Job::new(
            "roadmap list --worktree",
            list(&["--limit", "50", "--worktree"]),
        ),
        Job::new("roadmap list", list(&["--limit", "50"])),
        Job::new("git status -- .roadmap", || {
            let mut git = git_command(dir);
            git.args(["status", "--porcelain", "--", ".roadmap"]);
            git
        }),
    ];
    let measured = compare(&jobs, plan)?;
    let [with, without, status] = &measured.samples[..] else {
        unreachable!("three jobs")
    };
    let line = match repo.layout {
        Layout::Legacy => "legacy",
        Layout::Contract => "0.2 contract",
    };
    eprintln!(
        "bench: {} {line}: list --worktree {} vs git status {}",
        thousands(repo.issues),
        human(with.median()),
        human(status.median())
    );
    let setting = |name: &str| {
        repo::git(dir, &["config", "--get", name])
            .map(|v| v.trim().to_owned())
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "unset".to_owned())
    };
    Ok(format!(
        "| {} | {line} | {} | {} | {} | {} | {} / {} | {} |\n",
        thousands(repo.issues),
        human(with.median()),
        human(without.median()),
        human(status.median()),
        ratio(with.median(), status.median()),
        setting("core.untrackedCache"),
        setting("core.fsmonitor"),
        with.runs.len()
    ))
}
