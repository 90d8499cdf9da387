//! `cargo bench --bench roadmap -- --front [--full]`: the tracker's own commands run through our
//! `roadmap` (served from the cache, or forwarded) beside the tracker run directly, on the same
//! repository: a copy of the generated corpus with `roadmap init` done, committed, and our hooks
//! installed. Not part of the default run: the tracker takes seconds to minutes per command.
//! 10k issues (and 100k with `--full`); served answers are checked equal to the tracker's.
//! Output is piped with `NO_COLOR` and no `COLUMNS`, as a script reads it (Rich's 80 columns).

use crate::measure::{Job, Plan, compare, human, ratio};
use crate::repo::{self, git};
use crate::report::thousands;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The tracker commands timed, as a user types them; `{id}` is an issue of the corpus.
const COMMANDS: &[&str] = &[
    "issue list --format csv",
    "milestone list",
    "status",
    "issue view {id}",
];

pub fn requested() -> bool {
    std::env::args().any(|a| a == "--front")
}

/// Runs this mode's comparison and prints its tables.
pub fn run(roadmap: &Path, roadmap_hooks: &Path, target_dir: &Path) -> io::Result<()> {
    let tracker = target_dir.join("bench-peers/venv/bin/roadmap");
    if !tracker.is_file() {
        return Err(io::Error::other(
            "the tracker is not installed: run bench/install-peers.sh",
        ));
    }
    let home = target_dir.join("bench-peers/home");
    std::fs::create_dir_all(&home)?;
    let sizes: &[usize] = if std::env::args().any(|a| a == "--full") {
        &[10_000, 100_000]
    } else {
        &[10_000]
    };
    let plan = Plan {
        runs: 5,
        budget: Duration::from_secs(20),
        min_runs: 1,
    };
    let mut table = String::from(
        "| issues | command | through `roadmap` | tracker | speed-up | answered | runs |\n|---|---|---|---|---|---|---|\n",
    );
    for &issues in sizes {
        let corpus = repo::prepare(&target_dir.join("bench-corpus"), issues)?;
        let dir = front_copy(&corpus.dir, &tracker, &home, roadmap_hooks, issues)?;
        let id = any_issue_id(&dir)?;
        for template in COMMANDS {
            let line = template.replace("{id}", &id);
            let args: Vec<&str> = line.split(' ').collect();
            let with = |program: &PathBuf| {
                let mut command = Command::new(program);
                command
                    .current_dir(&dir)
                    .args(&args)
                    .env("HOME", &home)
                    .env("NO_COLOR", "1")
                    .env_remove("COLUMNS")
                    .env("ROADMAP_TRACKER", &tracker);
                command
            };
            let ours = roadmap.to_owned();
            let jobs = [
                Job::new(format!("roadmap {line}"), || with(&ours)),
                Job::new(format!("tracker {line}"), || with(&tracker)),
            ];
            let measured = compare(&jobs, plan)?;
            let [through, direct] = &measured.samples[..] else {
                unreachable!("two jobs")
            };
            let answered = if served(roadmap, &dir, &args, &home, &tracker)? {
                if measured.outputs[0] == measured.outputs[1] {
                    "from the cache (same bytes)"
                } else {
                    "from the cache (OUTPUT DIFFERS)"
                }
            } else {
                "forwarded"
            };
            eprintln!(
                "bench: {issues:>6} {line}: {} vs {}",
                human(through.median()),
                human(direct.median())
            );
            table.push_str(&format!(
                "| {} | `{}` | {} | {} | {} | {answered} | {} |\n",
                thousands(issues),
                template,
                human(through.median()),
                human(direct.median()),
                ratio(direct.median(), through.median()),
                through.runs.len()
            ));
        }
    }
    println!("{table}");
    let results = target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("roadmap-front.md"), &table)
}

/// Whether our `roadmap` answers `args` itself: run with a tracker that does not exist, a
/// forwarded command fails to start it.
fn served(
    roadmap: &Path,
    dir: &Path,
    args: &[&str],
    home: &Path,
    tracker: &Path,
) -> io::Result<bool> {
    let output = Command::new(roadmap)
        .current_dir(dir)
        .args(args)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env("ROADMAP_TRACKER", tracker.with_file_name("no-such-tracker"))
        .output()?;
    Ok(output.status.success())
}

/// A copy of the corpus where the tracker was initialised, committed, with our hooks and cache.
fn front_copy(
    corpus: &Path,
    tracker: &Path,
    home: &Path,
    roadmap_hooks: &Path,
    issues: usize,
) -> io::Result<PathBuf> {
    let dir = corpus.with_file_name(format!("{issues}-front"));
    let marker = dir.with_extension("complete");
    if dir.is_dir() && marker.exists() {
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    eprintln!("bench: setting up {}", dir.display());
    let status = Command::new("cp")
        .arg("-r")
        .arg(corpus)
        .arg(&dir)
        .status()?;
    if !status.success() {
        return Err(io::Error::other("cp -r of the corpus failed"));
    }
    let init = Command::new(tracker)
        .current_dir(&dir)
        .env("HOME", home)
        .args(["init", "--non-interactive", "-y", "--skip-github"])
        .args(["-p", "Bench", "-d", "Benchmark corpus"])
        .output()?;
    if !init.status.success() {
        return Err(io::Error::other(format!(
            "roadmap init: {}",
            String::from_utf8_lossy(&init.stderr)
        )));
    }
    git(&dir, &["add", "-A"])?;
    git(&dir, &["commit", "-q", "-m", "roadmap init"])?;
    let install = Command::new(roadmap_hooks)
        .current_dir(&dir)
        .arg("install")
        .output()?;
    if !install.status.success() {
        return Err(io::Error::other("roadmap-hooks install failed"));
    }
    std::fs::write(marker, "")?;
    Ok(dir)
}

fn any_issue_id(dir: &Path) -> io::Result<String> {
    let folder = dir.join(".roadmap/issues");
    for entry in std::fs::read_dir(&folder)?.flatten() {
        if let Some(name) = std::fs::read_dir(entry.path())
            .ok()
            .and_then(|mut files| files.next())
            .and_then(|f| f.ok())
            .map(|f| f.file_name().to_string_lossy().into_owned())
        {
            return Ok(name.chars().take(8).collect());
        }
    }
    Err(io::Error::other("no issue file in the corpus"))
}
