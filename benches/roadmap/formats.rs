//! `--formats` (issue 13): `roadmap list` and the 1-file post-commit hook on a reftable copy of
//! the corpus beside the files backend, and the command-line backend (what serves SHA-256 and
//! replace refs) beside the in-process one on the same repository, each pair in one block.

use super::measure::{Job, Plan, compare, human, ratio};
use super::repo::{self, BenchRepo, git_command};
use super::{Tools, progress, thousands};
use std::io;
use std::time::Duration;

/// The rows of the formats table for the corpus `files` (at its generated commit, installed).
pub fn measure(tools: &Tools, files: &BenchRepo) -> io::Result<Vec<Vec<String>>> {
    let reftable = reftable_copy(tools, files)?;
    let mut rows = Vec::new();
    let n = files.issues;

    let list = |repo: &BenchRepo| {
        let dir = repo.dir.clone();
        move || tools.roadmap(&dir, &["--limit", "50"])
    };
    let jobs = [
        Job::new("roadmap list (files)", list(files)),
        Job::new("roadmap list (reftable)", list(&reftable)),
    ];
    rows.push(row(
        tools,
        n,
        "`roadmap list --limit 50`, files → reftable",
        &jobs,
    )?);

    let edits = [
        (files, files.commit_edits("formats-1", 1)?),
        (&reftable, reftable.commit_edits("formats-1", 1)?),
    ];
    let hook = |index: usize, cli: bool| -> Job<'_> {
        let (repo, commit) = (edits[index].0, edits[index].1.clone());
        let after = commit.clone();
        Job::new("roadmap hook post-commit (as installed)", move || {
            let mut command = tools.installed_hook(&repo.dir, "post-commit");
            if cli {
                command.env("ROADMAP_HOOKS_GIT_BACKEND", "cli");
            }
            command
        })
        .before_each(move || {
            repo.move_head(&repo.base)?;
            tools.sync(repo)?;
            repo.move_head(&commit)
        })
        .after_each(move || repo.expect_synced_to(&after))
    };
    let jobs = [hook(0, false), hook(1, false)];
    rows.push(row(
        tools,
        n,
        "1-file post-commit hook, files → reftable",
        &jobs,
    )?);
    let jobs = [hook(0, false), hook(0, true)];
    rows.push(row(
        tools,
        n,
        "1-file post-commit hook, in process → git CLI",
        &jobs,
    )?);

    let rebuild = |cli: bool| {
        Job::new("roadmap-hooks sync --full", move || {
            let mut command =
                crate::rebuild_as_users_run_it(tools.hooks(&files.dir, &["sync", "--full"]));
            if cli {
                command.env("ROADMAP_HOOKS_GIT_BACKEND", "cli");
            }
            command
        })
        .after_each(move || crate::repo::wait_for_order_indexes(&files.dir))
    };
    let jobs = [rebuild(false), rebuild(true)];
    rows.push(row(tools, n, "full rebuild, in process → git CLI", &jobs)?);

    for repo in [files, &reftable] {
        repo.restore()?;
        tools.sync(repo)?;
    }
    Ok(rows)
}

/// Times the two jobs in one block; the row: size, what, first, second, second/first, runs.
/// At least 15 runs each, even in quick mode: these commands take milliseconds, and on a shared
/// machine 3 runs of each differ by 2× from noise alone.
fn row(tools: &Tools, n: usize, what: &str, jobs: &[Job<'_>; 2]) -> io::Result<Vec<String>> {
    let plan = Plan {
        runs: tools.plan.runs.max(15),
        budget: tools.plan.budget.max(Duration::from_secs(5)),
        min_runs: tools.plan.min_runs,
    };
    let measured = compare(jobs, plan)?;
    let [first, second] = &measured.samples[..] else {
        unreachable!("two jobs")
    };
    let times = ratio(second.median(), first.median());
    progress(n, what, second, first, &times);
    Ok(vec![
        thousands(n),
        what.to_owned(),
        human(first.median()),
        human(second.median()),
        times,
        first.runs.len().min(second.runs.len()).to_string(),
    ])
}

/// A reftable clone of the corpus beside it (made once), at the generated commit, installed.
fn reftable_copy(tools: &Tools, files: &BenchRepo) -> io::Result<BenchRepo> {
    let dir = files
        .dir
        .with_file_name(format!("{}-reftable", files.issues));
    if !dir.join(".git/reftable").is_dir() {
        let _ = std::fs::remove_dir_all(&dir);
        let status = git_command(files.dir.parent().unwrap_or(&files.dir))
            .args(["clone", "-q", "--no-local", "--ref-format=reftable"])
            .arg(&files.dir)
            .arg(&dir)
            .status()?;
        if !status.success() {
            return Err(io::Error::other("git clone --ref-format=reftable failed"));
        }
        repo::git(&dir, &["gc", "-q"])?;
    }
    let copy = BenchRepo {
        dir,
        issues: files.issues,
        layout: files.layout,
        base: files.base.clone(),
    };
    copy.restore()?;
    super::measure::run(&mut tools.hooks(&copy.dir, &["install"]), false)?;
    Ok(copy)
}
