//! `cargo bench --bench roadmap -- --history [--full]`: the event log of issue 23 on a generated
//! history (the legacy corpus committed once, then commits of one to three status changes an
//! hour apart, made with `git fast-import`): the backfill from nothing against `git log --raw`
//! of the same commits, each chart against `roadmap list --limit 50`, and what appending one
//! commit's events costs beside the 1-file post-commit hook. 10k issues × 1k commits; `--full`
//! 100k issues × 1k commits instead; `--history-10k` 100k issues × 10k commits, the issue's
//! target. `--generate-only` generates (and caches) the history and stops.

use crate::corpus::{self, Layout, Rng};
use crate::measure::{Job, Plan, compare, human, ratio};
use crate::repo::{git, git_command, plain_command};
use crate::report::thousands;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

const SEED: u64 = 23;
/// 2026-01-01T00:00:00Z: the first commit's time; each next commit an hour later.
const START: i64 = 1_767_225_600;

pub fn requested() -> bool {
    std::env::args().any(|a| a == "--history" || a == "--history-10k")
}

/// Runs this mode's comparison and prints its tables.
pub fn run(roadmap: &Path, roadmap_hooks: &Path, target_dir: &Path) -> io::Result<()> {
    let flag = |name: &str| std::env::args().any(|a| a == name);
    let sizes: &[(usize, usize)] = if flag("--history-10k") {
        &[(100_000, 10_000)]
    } else if flag("--full") {
        &[(100_000, 1_000)]
    } else {
        &[(10_000, 1_000)]
    };
    if flag("--generate-only") {
        for &(issues, commits) in sizes {
            generate(&target_dir.join("bench-corpus"), issues, commits)?;
        }
        return Ok(());
    }
    let plan = Plan {
        runs: 5,
        budget: Duration::from_secs(20),
        min_runs: 1,
    };
    let mut table = String::from(
        "| issues | commits | what | time | baseline | baseline time | ratio | runs |\n|---:|---:|---|---:|---|---:|---:|---:|\n",
    );
    for &(issues, commits) in sizes {
        let dir = generate(&target_dir.join("bench-corpus"), issues, commits)?;
        let run_in = |program: &Path, args: &[&str]| {
            let mut command = plain_command(program, &dir);
            command.args(args).env("NO_COLOR", "1");
            command
        };
        crate::measure::run(&mut run_in(roadmap_hooks, &["sync", "--full"]), false)?;
        let history_db = dir.join(".git/roadmap/history.db");
        let mut row = |what: &str, measured: &crate::measure::Comparison, base: &str| {
            let [ours, baseline] = &measured.samples[..] else {
                unreachable!("two jobs")
            };
            eprintln!(
                "bench: {issues:>6} × {commits}: {what}: {} vs {}",
                human(ours.median()),
                human(baseline.median())
            );
            table.push_str(&format!(
                "| {} | {} | {what} | {} | {base} | {} | {} | {} |\n",
                thousands(issues),
                thousands(commits),
                human(ours.median()),
                human(baseline.median()),
                ratio(ours.median(), baseline.median()),
                ours.runs.len()
            ));
        };

        let git_log = "`git log --first-parent --raw -- .roadmap`";
        let backfill = [
            Job::new("roadmap chart backfill", || {
                run_in(roadmap, &["chart", "backfill"])
            })
            .before_each(|| remove_log(&history_db)),
            Job::new(git_log, || {
                let mut command = git_command(&dir);
                command.args([
                    "log",
                    "--first-parent",
                    "--raw",
                    "--no-renames",
                    "--format=%H",
                ]);
                command.args(["--", ".roadmap"]);
                command
            }),
        ];
        let measured = compare(&backfill, plan)?;
        row("backfill from nothing", &measured, git_log);

        let milestone = any_milestone(&dir)?;
        let list = "`roadmap list --limit 50`";
        for chart in [
            vec!["chart", "burndown", "-m", milestone.as_str()],
            vec!["chart", "flow"],
            vec!["chart", "throughput"],
        ] {
            let jobs = [
                Job::new(chart.join(" "), || run_in(roadmap, &chart)),
                Job::new(list, || run_in(roadmap, &["list", "--limit", "50"])),
            ];
            let measured = compare(&jobs, plan)?;
            row(&format!("`roadmap {}`", chart.join(" ")), &measured, list);
        }

        // What appending one commit's events would add to a hook: the log extended by the
        // one commit it lacks, beside the hook syncing the cache for one commit.
        let edits = std::cell::Cell::new(0usize);
        let commit_one = || -> io::Result<()> {
            edits.set(edits.get() + 1);
            let generated = corpus::generated(Layout::Legacy, SEED, edits.get() * 7 % issues);
            // A line of its own, so the file differs from HEAD's whatever an earlier run of
            // the bench left in it.
            let text = with_status(&generated.text, ["todo", "closed"][edits.get() % 2])
                + &format!(
                    "\nBench edit {} of run {}.\n",
                    edits.get(),
                    std::process::id()
                );
            std::fs::write(dir.join(&generated.path), text)?;
            git(&dir, &["commit", "-q", "-a", "-m", "bench: one status"]).map(drop)
        };
        let hook = "post-commit hook, 1 file";
        let jobs = [
            Job::new("event log, +1 commit", || {
                run_in(roadmap, &["chart", "backfill"])
            })
            .before_each(|| {
                commit_one()?;
                crate::measure::run(&mut run_in(roadmap_hooks, &["sync"]), false).map(drop)
            }),
            Job::new(hook, || run_in(roadmap_hooks, &["hook", "post-commit"])).before_each(|| {
                commit_one()?;
                crate::measure::run(&mut run_in(roadmap, &["chart", "backfill"]), false).map(drop)
            }),
        ];
        let measured = compare(&jobs, plan)?;
        row("event log extended by 1 commit", &measured, hook);
    }
    println!("{table}");
    let results = target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("roadmap-history.md"), &table)
}

fn remove_log(history_db: &Path) -> io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = history_db.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(PathBuf::from(path)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// The repository of `issues` issues and `commits` commits, generated once.
fn generate(corpus_root: &Path, issues: usize, commits: usize) -> io::Result<PathBuf> {
    let dir = corpus_root.join(format!("history-{issues}-{commits}"));
    let done = dir.join(".git/bench-history-complete");
    if done.is_file() {
        git(&dir, &["reset", "-q", "--hard", "main"])?;
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    git(&dir, &["init", "-q", "-b", "main"])?;
    eprintln!(
        "bench: generating {issues} issues × {commits} commits in {}",
        dir.display()
    );
    let mut child = git_command(&dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()?;
    let mut stdin = io::BufWriter::new(child.stdin.take().expect("piped"));
    let header = |stdin: &mut dyn Write, n: usize| -> io::Result<()> {
        let time = START + i64::try_from(n).unwrap_or(0) * 3_600;
        write!(
            stdin,
            "commit refs/heads/main\ncommitter Bench <bench@example.com> {time} +0000\ndata 6\nbench\n"
        )
    };
    header(&mut stdin, 0)?;
    for index in 0..issues {
        let generated = corpus::generated(Layout::Legacy, SEED, index);
        file(&mut stdin, &generated.path, &generated.text)?;
    }
    let statuses = ["todo", "in-progress", "blocked", "review", "closed"];
    let mut rng = Rng::new(SEED);
    for n in 1..commits {
        if n % 500 == 0 {
            writeln!(stdin, "progress {n} of {commits} commits")?;
        }
        header(&mut stdin, n)?;
        for _ in 0..=rng.below(3) {
            let generated = corpus::generated(Layout::Legacy, SEED, rng.below(issues));
            let text = with_status(&generated.text, statuses[rng.below(statuses.len())]);
            file(&mut stdin, &generated.path, &text)?;
        }
    }
    stdin.flush()?;
    drop(stdin);
    if !child.wait()?.success() {
        return Err(io::Error::other("git fast-import failed"));
    }
    git(&dir, &["reset", "-q", "--hard", "main"])?;
    std::fs::write(done, "")?;
    Ok(dir)
}

fn file(out: &mut dyn Write, path: &str, text: &str) -> io::Result<()> {
    write!(out, "M 100644 inline {path}\ndata {}\n{text}\n", text.len())
}

/// The issue's text with its `status:` line set to `status`.
fn with_status(text: &str, status: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("status: ") {
                format!("status: {status}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A milestone the generated issues use, from the working tree's folders.
fn any_milestone(dir: &Path) -> io::Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(".roadmap/issues"))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "backlog")
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .ok_or_else(|| io::Error::other("the corpus has no milestone folder"))
}
