//! The plan through time (issue 23): `roadmap list --at`, `roadmap diff` and `roadmap log`
//! on a chain of commits on top of the corpus, each beside the git command it is held to,
//! measured in the same comparison.

use super::{Bench, BenchRepo, Section, progress};
use crate::measure::{Job, compare, human, ratio};
use crate::repo::git_command;
use crate::report::thousands;
use roadmap_hooks::lines::{Line, Reader};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

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
        let parse = parse_changed_files(dir, &back)?;
        let diff_floor = diff.median() * 3 / 2 + parse;
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
                diff_floor,
                format!(
                    "1.5× `git diff --name-only` + reading and parsing the changed files ({})",
                    human(parse)
                ),
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

/// The long history `roadmap log` is held to: about the tracker's own repository.
const LONG_COMMITS: usize = 1_100;
const LONG_ISSUES: usize = 300;

impl Bench {
    /// `roadmap log` on a repository of 1,100 commits, a third of them changing 1-3 of its 300
    /// issues and one issue changed in 40 of them (issue 23: at most 200 ms), beside `git log`
    /// of that issue's file.
    pub(super) fn long_history(&mut self) -> io::Result<()> {
        let tools = &self.tools;
        let dir = tools.corpus_root.join(format!("history-{LONG_COMMITS}"));
        let followed = issue_id(7);
        let path = issue_path(7);
        if !dir.join(".git/roadmap-bench-complete").exists() {
            generate_long_history(&dir)?;
        }
        crate::measure::run(&mut tools.hooks(&dir, &["sync"]), false)?;
        let jobs = [
            Job::new(format!("roadmap log {followed}"), || {
                let mut command = crate::repo::plain_command(&tools.roadmap, &dir);
                command.args(["--no-pager", "log", &followed]);
                command
            }),
            Job::new("git log of the issue's file", || {
                let mut git = git_command(&dir);
                git.args(["log", "--format=%H", "--", &path]);
                git
            }),
        ];
        let measured = compare(&jobs, tools.plan)?;
        let [log, git_log] = &measured.samples[..] else {
            unreachable!("two jobs")
        };
        let logged = measured.outputs[0]
            .split(|&b| b == b'\n')
            .filter(|line| !line.starts_with(b"    ") && !line.is_empty())
            .count();
        let times = ratio(log.median(), git_log.median());
        let what = format!("{LONG_ISSUES} issues, {LONG_COMMITS} commits");
        progress(LONG_ISSUES, &what, log, git_log, &times);
        self.report.row(
            Section::History,
            vec![
                what,
                format!("`roadmap log` ({logged} commits listed)"),
                human(log.median()),
                human(git_log.median()),
                "`git log` of its file".to_owned(),
                times,
                log.runs.len().to_string(),
            ],
        );
        Ok(())
    }
}

fn issue_id(n: usize) -> String {
    format!("{:08x}", 0x5eed_0000 + n)
}

fn issue_path(n: usize) -> String {
    format!(".roadmap/issues/backlog/{}-issue-{n}.md", issue_id(n))
}

fn issue_text(n: usize, version: usize) -> String {
    let status = ["todo", "in-progress", "blocked", "review"][version % 4];
    format!(
        "---\nid: {}\ntitle: Issue {n}\nstatus: {status}\npriority: medium\nissue_type: other\n\
         milestone: null\nlabels: []\n---\n\nBody of issue {n}, version {version}.\n",
        issue_id(n)
    )
}

/// Writes the long history with one `git fast-import`: every commit changes `src/code.txt`,
/// every third one also 1-3 issues, and issue 7 changes in 40 of those.
fn generate_long_history(dir: &std::path::Path) -> io::Result<()> {
    use std::io::Write as _;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    crate::repo::git(dir, &["init", "-q", "-b", "main"])?;
    let mut stream = Vec::new();
    let data = |out: &mut Vec<u8>, text: &str| {
        out.extend_from_slice(format!("data {}\n{text}\n", text.len()).as_bytes());
    };
    for commit in 0..LONG_COMMITS {
        let time = 1_735_689_600 + commit * 3600;
        stream.extend_from_slice(
            format!(
                "commit refs/heads/main\nmark :{}\nauthor Bench <bench@example.com> {time} +0000\n\
                 committer Bench <bench@example.com> {time} +0000\n",
                commit + 1
            )
            .as_bytes(),
        );
        data(&mut stream, &format!("Commit {commit}"));
        if commit > 0 {
            stream.extend_from_slice(format!("from :{commit}\n").as_bytes());
        }
        let mut changes = vec![("src/code.txt".to_owned(), format!("{commit}\n"))];
        if commit == 0 {
            changes.extend((0..LONG_ISSUES).map(|n| (issue_path(n), issue_text(n, 0))));
        } else if commit % 3 == 0 {
            let touched = 1 + commit % 3 + (commit / 3) % 2;
            for k in 0..touched {
                let n = (commit * 7 + k * 13) % LONG_ISSUES;
                changes.push((issue_path(n), issue_text(n, commit)));
            }
            if commit % 27 == 0 {
                changes.push((issue_path(7), issue_text(7, commit)));
            }
        }
        for (path, text) in changes {
            stream.extend_from_slice(format!("M 100644 inline {path}\n").as_bytes());
            data(&mut stream, &text);
        }
    }
    let mut child = git_command(dir)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&stream)?;
    if !child.wait()?.success() {
        return Err(io::Error::other("git fast-import failed"));
    }
    crate::repo::git(dir, &["reset", "-q", "--hard", "main"])?;
    std::fs::write(dir.join(".git/roadmap-bench-complete"), "")?;
    Ok(())
}

/// The time reading and parsing both sides of every roadmap file that differs between `back`
/// and HEAD takes in process, on one thread (libgit2 reading each blob, the crate's parser
/// reading it): the "plus parsing the changed files" of `roadmap diff`'s target, which `git
/// diff --name-only` never opens. The median of five passes, each with the repository opened
/// afresh so no object is cached from the pass before.
fn parse_changed_files(dir: &Path, back: &str) -> io::Result<Duration> {
    let raw = crate::repo::git(
        dir,
        &[
            "diff",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "-z",
            back,
            "HEAD",
            "--",
            ".roadmap",
        ],
    )?;
    // `-z --raw`: ":mode mode old new status\0path\0" for each file.
    let mut fields = raw.split('\0');
    let mut wanted = Vec::new();
    while let (Some(meta), Some(path)) = (fields.next(), fields.next()) {
        for id in meta.split(' ').skip(2).take(2) {
            if let Ok(oid) = git2::Oid::from_str(id)
                && !oid.is_zero()
            {
                wanted.push((path.to_owned(), oid));
            }
        }
    }
    let reader = Reader::new(Line::Legacy);
    let mut passes = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let repo = git2::Repository::open(dir).map_err(io::Error::other)?;
        let mut read = 0;
        for (path, oid) in &wanted {
            let blob = repo.find_blob(*oid).map_err(io::Error::other)?;
            read += usize::from(reader.read(path, blob.content()).is_some());
        }
        std::hint::black_box(read);
        passes.push(started.elapsed());
    }
    passes.sort_unstable();
    Ok(passes[passes.len() / 2])
}
