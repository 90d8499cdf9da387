//! The plan through time (issue 23): `roadmap list --at`, `roadmap diff` and `roadmap log`
//! on a chain of commits on top of the corpus, each beside the git command it is held to,
//! measured in the same comparison.

use super::{Bench, BenchRepo, Section, progress};
use crate::measure::{Job, compare, human, ratio};
use crate::repo::git_command;
use crate::report::thousands;
use std::io;

/// How far back `list --at` and `diff` look: the issue's "within 100 commits of HEAD".
const COMMITS: usize = 100;
/// Issues each commit of the chain edits, besides the one whose story is told.
const PER_COMMIT: usize = 5;

impl Bench {
    pub(super) fn history(&mut self, repo: &BenchRepo) -> io::Result<()> {
        let tools = &self.tools;
        let dir = &repo.dir;
        let (tip, followed) = repo.commit_chain("history", COMMITS, PER_COMMIT)?;
        repo.move_head(&tip)?;
        tools.sync(repo)?;
        let back = format!("HEAD~{COMMITS}");
        let range = format!("{back}..HEAD");
        let roadmap = |args: Vec<String>| {
            let mut command = crate::repo::plain_command(&tools.roadmap, dir);
            command.args(args);
            command
        };
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let jobs = [
            Job::new(format!("roadmap list --at {back}"), || {
                roadmap(args(&["list", "--limit", "50", "--at", &back]))
            }),
            Job::new("roadmap list", || roadmap(args(&["list", "--limit", "50"]))),
            Job::new(format!("git diff --name-only HEAD {back}"), || {
                let mut git = git_command(dir);
                git.args(["diff", "--name-only", "HEAD", &back]);
                git
            }),
            Job::new(format!("roadmap diff {range}"), || {
                roadmap(args(&["diff", &range, "--format", "json"]))
            }),
            Job::new(format!("roadmap log {followed}"), || {
                roadmap(args(&["--no-pager", "log", &followed]))
            }),
            Job::new("git log of the issue's file", || {
                let mut git = git_command(dir);
                git.args([
                    "log",
                    "--format=%H",
                    "--",
                    &format!(".roadmap/*{followed}*"),
                ]);
                git
            }),
        ];
        let measured = compare(&jobs, tools.plan)?;
        let [at, list, diff, plan_diff, log, git_log] = &measured.samples[..] else {
            unreachable!("six jobs")
        };
        let logged = measured.outputs[4]
            .split(|&b| b == b'\n')
            .filter(|line| !line.starts_with(b"    ") && !line.is_empty())
            .count();
        if logged != COMMITS + 1 {
            eprintln!(
                "bench: WARNING: roadmap log listed {logged} commits, expected {}",
                COMMITS + 1
            );
        }
        let floor = list.median() + diff.median() * 2;
        let rows = [
            (
                0,
                at,
                list,
                floor,
                "default view + 2× `git diff`".to_owned(),
            ),
            (
                3,
                plan_diff,
                diff,
                diff.median(),
                "`git diff --name-only`".to_owned(),
            ),
            (
                4,
                log,
                git_log,
                git_log.median(),
                format!("`git log` ({logged} commits)"),
            ),
        ];
        for (job, sample, beside, baseline, what) in rows {
            let times = ratio(sample.median(), baseline);
            let name = &jobs[job].name;
            progress(repo.issues, name, sample, beside, &times);
            self.report.row(
                Section::History,
                vec![
                    thousands(repo.issues),
                    format!("`{name}`"),
                    human(sample.median()),
                    human(baseline),
                    what,
                    times,
                    sample.runs.len().to_string(),
                ],
            );
        }
        repo.restore()?;
        tools.sync(repo)
    }
}
