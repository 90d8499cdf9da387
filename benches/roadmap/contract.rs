//! `cargo bench --bench roadmap -- --contract [--full]` (issue 21): roadmap-cli 0.3.1's
//! `issue list` and planning reads, served from the cache on the 0.2-contract corpus, against 0.3.1 itself
//! (`bench/install-peers.sh --trackers-only`; run once per command, ~30 s each at 10k, at 10k
//! only) with the same bytes checked, and against `true` (what starting a process costs);
//! and the sync on the contract corpus against the same on the legacy corpus of the same size
//! (the 1-file post-commit hook, the full rebuild). 10k issues, and 100k with `--full`.
//!
//! Ours runs with a stand-in tracker that says it is 0.3.1 and fails if it is asked anything
//! else: a forwarded command fails the bench instead of timing the tracker.

use crate::corpus::Layout;
use crate::measure::{Job, Plan, compare, human, ratio};
use crate::repo::{self, BenchRepo, plain_command};
use crate::report::thousands;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The served command lines timed, as a user types them.
const LISTS: &[&str] = &[
    "issue list --format csv",
    "issue list --format json",
    "issue list",
    "status",
    "milestone list",
    "project list",
    // A milestone of a quarter of the corpus's issues: its reply prints every one of them.
    "milestone view v1-1",
];

pub fn requested() -> bool {
    std::env::args().any(|a| a == "--contract")
}

struct Tools<'a> {
    roadmap: &'a Path,
    roadmap_hooks: &'a Path,
    stand_in: PathBuf,
    home: PathBuf,
    plan: Plan,
}

impl Tools<'_> {
    fn list(&self, program: &Path, dir: &Path, line: &str) -> Command {
        let mut command = plain_command(program, dir);
        command
            .args(line.split(' '))
            .env("HOME", &self.home)
            .env("NO_COLOR", "1")
            .env("ROADMAP_TRACKER", &self.stand_in);
        command
    }

    fn hooks(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = plain_command(self.roadmap_hooks, dir);
        command.args(args);
        command
    }
}

/// Runs this mode's comparison and prints its tables.
pub fn run(roadmap: &Path, roadmap_hooks: &Path, target_dir: &Path) -> io::Result<()> {
    let peers = target_dir.join("bench-peers");
    let tools = Tools {
        roadmap,
        roadmap_hooks,
        stand_in: stand_in_tracker(&peers)?,
        home: peers.join("home-contract"),
        plan: Plan {
            runs: 10,
            budget: Duration::from_secs(10),
            min_runs: 3,
        },
    };
    std::fs::create_dir_all(&tools.home)?;
    let tracker = peers.join("venv-0.3/bin/roadmap");
    let sizes: &[usize] = if std::env::args().any(|a| a == "--full") {
        &[10_000, 100_000]
    } else {
        &[10_000]
    };
    let mut served = String::from(
        "| issues | command | ours | without the watcher | `true` | ours − `true` | roadmap-cli 0.3.1 | speed-up | same bytes | runs |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut sync = String::from(
        "| issues | what | contract corpus | legacy corpus | contract ÷ legacy | runs |\n|---|---|---|---|---|---|\n",
    );
    for &issues in sizes {
        let root = target_dir.join("bench-corpus");
        let contract = repo::prepare_layout(&root, issues, Layout::Contract)?;
        let legacy = repo::prepare(&root, issues)?;
        for repo in [&contract, &legacy] {
            crate::measure::run(&mut tools.hooks(&repo.dir, &["install"]), false)?;
        }
        sync.push_str(&rebuilds(&tools, &contract, &legacy)?);
        sync.push_str(&hooks(&tools, &contract, &legacy)?);
        let with_tracker = (issues == 10_000 && tracker.is_file()).then_some(&tracker);
        served.push_str(&lists(&tools, &contract, with_tracker)?);
    }
    let text = format!(
        "### 0.3.1's reads on the 0.2 contract (served from the cache)\n\n{served}\n### Sync on the contract corpus vs the legacy corpus\n\n{sync}"
    );
    println!("{text}");
    let results = target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("roadmap-contract.md"), &text)
}

/// A tracker that says it is 0.3.1 (so that ours serves 0.3.1's outputs) and fails when it is
/// asked anything else.
fn stand_in_tracker(peers: &Path) -> io::Result<PathBuf> {
    let dir = peers.join("stand-in-0.3.1");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("roadmap");
    std::fs::write(
        &path,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'roadmap, version 0.3.1'; exit 0; fi\necho 'forwarded to the stand-in tracker' >&2\nexit 99\n",
    )?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}

/// `true`, then each served command; at 10k, 0.3.1 itself once per command line.
fn lists(tools: &Tools, repo: &BenchRepo, tracker: Option<&PathBuf>) -> io::Result<String> {
    let dir = &repo.dir;
    // `issue view` of the first issue by id (its file name).
    let first = std::fs::read_dir(dir.join(".roadmap/issues"))?
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(str::to_owned)
        })
        .min()
        .ok_or_else(|| io::Error::other("no issue files"))?;
    let lines: Vec<String> = LISTS
        .iter()
        .map(|line| (*line).to_owned())
        .chain([format!("issue view {first}")])
        .collect();
    let lines = &lines;
    // The first served read starts the watcher; a user's next reads ask it.
    crate::measure::run(&mut tools.list(tools.roadmap, dir, LISTS[0]), false)?;
    repo::await_watcher(dir, &mut tools.list(tools.roadmap, dir, LISTS[0]))?;
    let mut jobs = vec![Job::new("true", || plain_command(Path::new("true"), dir))];
    for line in lines {
        jobs.push(Job::new(format!("roadmap {line}"), move || {
            tools.list(tools.roadmap, dir, line)
        }));
    }
    for line in lines {
        jobs.push(Job::new(
            format!("roadmap {line} (no watcher)"),
            move || {
                let mut command = tools.list(tools.roadmap, dir, line);
                command.env("ROADMAP_WATCH", "0");
                command
            },
        ));
    }
    let measured = compare(&jobs, tools.plan)?;
    let floor = measured.samples[0].median();
    let mut rows = String::new();
    for (index, line) in lines.iter().enumerate() {
        let ours = &measured.samples[index + 1];
        let unwatched = &measured.samples[index + 1 + lines.len()];
        assert_eq!(
            measured.outputs[index + 1],
            measured.outputs[index + 1 + lines.len()],
            "{line}: the same bytes with and without the watcher"
        );
        let (theirs, speed_up, same) = match tracker {
            Some(tracker) => {
                let once = Plan {
                    runs: 1,
                    budget: Duration::ZERO,
                    min_runs: 1,
                };
                let job = Job::new(format!("0.3.1 {line}"), || {
                    let mut command = tools.list(tracker, dir, line);
                    command.env_remove("ROADMAP_TRACKER");
                    command
                });
                let direct = compare(&[job], once)?;
                let same = direct.outputs[0] == measured.outputs[index + 1];
                let time = direct.samples[0].median();
                (
                    human(time),
                    ratio(time, ours.median()),
                    if same { "yes" } else { "**NO**" },
                )
            }
            None => ("not run".to_owned(), "-".to_owned(), "-"),
        };
        eprintln!(
            "bench: {:>6} {line}: {} (true {}) vs 0.3.1 {theirs}",
            repo.issues,
            human(ours.median()),
            human(floor)
        );
        rows.push_str(&format!(
            "| {} | `{line}` | {} | {} | {} | {} | {theirs} | {speed_up} | {same} | {} |\n",
            thousands(repo.issues),
            human(ours.median()),
            human(unwatched.median()),
            human(floor),
            human(ours.median().saturating_sub(floor)),
            ours.runs.len()
        ));
    }
    Ok(rows)
}

/// A full rebuild of each corpus.
fn rebuilds(tools: &Tools, contract: &BenchRepo, legacy: &BenchRepo) -> io::Result<String> {
    let jobs = [
        Job::new("sync --full (contract)", || {
            crate::rebuild_as_users_run_it(tools.hooks(&contract.dir, &["sync", "--full"]))
        })
        .after_each(|| crate::repo::wait_for_order_indexes(&contract.dir)),
        Job::new("sync --full (legacy)", || {
            crate::rebuild_as_users_run_it(tools.hooks(&legacy.dir, &["sync", "--full"]))
        })
        .after_each(|| crate::repo::wait_for_order_indexes(&legacy.dir)),
    ];
    let measured = compare(&jobs, tools.plan)?;
    Ok(row(contract.issues, "full rebuild", &measured.samples))
}

/// The post-commit hook after a commit editing one issue, on each corpus (the cache one
/// commit behind before each run, as right after `git commit`).
fn hooks(tools: &Tools, contract: &BenchRepo, legacy: &BenchRepo) -> io::Result<String> {
    let commits = [
        contract.commit_edits("edit-1", 1)?,
        legacy.commit_edits("edit-1", 1)?,
    ];
    let jobs = [
        hook_job(tools, "contract", contract, &commits[0]),
        hook_job(tools, "legacy", legacy, &commits[1]),
    ];
    let measured = compare(&jobs, tools.plan)?;
    for repo in [contract, legacy] {
        repo.commit_state(&repo.base)?;
        sync(tools, repo)?;
    }
    Ok(row(
        contract.issues,
        "1-file post-commit hook",
        &measured.samples,
    ))
}

fn hook_job<'a>(tools: &'a Tools, label: &str, bench: &'a BenchRepo, commit: &'a str) -> Job<'a> {
    Job::new(format!("hook post-commit ({label})"), || {
        // What an installed hook runs: the multi-call `roadmap`, not the launcher.
        let mut command = plain_command(tools.roadmap, &bench.dir);
        command.args(["hook", "post-commit"]);
        command
    })
    // As right after `git commit`, the previous commit's hook having synced (see
    // `hook_sync` in benches/roadmap.rs).
    .before_each(move || {
        bench.commit_state(&bench.base)?;
        sync(tools, bench)?;
        bench.forget_new_trees(commit)?;
        bench.commit_state(commit)
    })
    .after_each(move || bench.expect_synced_to(commit))
}

/// Brings the cache to HEAD, untimed.
fn sync(tools: &Tools, repo: &BenchRepo) -> io::Result<()> {
    crate::measure::run(&mut tools.hooks(&repo.dir, &["sync"]), false).map(drop)
}

fn row(issues: usize, what: &str, samples: &[crate::measure::Sample]) -> String {
    let [contract, legacy] = samples else {
        unreachable!("two jobs")
    };
    eprintln!(
        "bench: {issues:>6} {what}: contract {} legacy {}",
        human(contract.median()),
        human(legacy.median())
    );
    format!(
        "| {} | {what} | {} | {} | {} | {} |\n",
        thousands(issues),
        human(contract.median()),
        human(legacy.median()),
        ratio(contract.median(), legacy.median()),
        contract.runs.len()
    )
}
