//! Hooks never hurt git: whatever stops the sync (a cache folder that cannot be created, writes
//! that fail, a lock held forever), every git command succeeds and our hooks print at most
//! one line. (A missing binary is covered by `test_install`.)
//!
//! The tests run as root, where permission bits stop nothing; the failures here are real
//! for root too: a file where the cache folder should be, and a file-size limit (`ulimit -f`,
//! which gives EFBIG, or SIGXFSZ when the signal is not ignored) standing in for a full disk.

use super::{Spawned, cache_dir, generation_files, integrity, list_in, scan_dir};
use crate::common::{IssueSpec, Run, TestRepo, hermetic};
use crate::corpus;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The git commands each test runs, in order: they fire post-commit, post-checkout (twice)
/// and post-merge.
fn everyday_commands(round: &str) -> Vec<(Vec<String>, Option<IssueSpec>)> {
    let issue = IssueSpec::new(&format!("{round:0>8}"), &format!("Issue {round}"));
    let branch = format!("side-{round}");
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        (args(&["switch", "-q", "-c", &branch]), None),
        (
            args(&["commit", "-q", "-m", &format!("add {round}")]),
            Some(issue),
        ),
        (args(&["switch", "-q", "main"]), None),
        (
            args(&["merge", "-q", "--no-ff", "--no-edit", &branch]),
            None,
        ),
    ]
}

/// Runs the everyday commands through `run`, asserting each succeeds and that our hooks
/// printed at most one line for it; returns what git printed on stderr.
fn run_everyday_commands(
    repo: &TestRepo,
    round: &str,
    run: impl Fn(&[String]) -> Run,
) -> Vec<String> {
    let mut stderr = Vec::new();
    for (args, issue) in everyday_commands(round) {
        if let Some(issue) = issue {
            repo.write_issue(&issue);
            repo.git(&["add", "-A"]);
        }
        let result = run(&args);
        assert_eq!(result.status, 0, "git {args:?} failed: {result:?}");
        assert!(
            result.stderr.lines().count() <= 1,
            "git {args:?}: more than one line:\n{}",
            result.stderr
        );
        stderr.push(result.stderr);
    }
    stderr
}

fn plain_git(repo: &TestRepo) -> impl Fn(&[String]) -> Run + '_ {
    |args| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        repo.try_git(&args)
    }
}

fn repo_with_hooks() -> TestRepo {
    let repo = TestRepo::new();
    for index in 0..300 {
        let issue = corpus::issue(9, index);
        repo.write(&issue.path, &issue.text);
    }
    repo.commit_all("three hundred issues");
    repo.roadmap_hooks(&["install"]).success();
    repo
}

/// After the obstacle is gone, `roadmap list` lists HEAD's files, quietly, from a sound cache.
#[track_caller]
fn assert_converges(repo: &TestRepo) {
    let listing = list_in(repo, &repo.root, &[]);
    assert_eq!(listing.status, 0, "{}", listing.stderr);
    assert_eq!(
        listing.json,
        scan_dir(&repo.root).json,
        "the cache lists HEAD"
    );
    assert_eq!(integrity(repo), "ok");
    assert_eq!(
        generation_files(repo).len(),
        1,
        "{:?}",
        generation_files(repo)
    );
}

#[test]
fn a_file_where_the_cache_folder_should_be_never_fails_git() {
    let repo = repo_with_hooks();
    let folder = cache_dir(&repo);
    std::fs::remove_dir_all(&folder).expect("remove the cache folder");
    std::fs::write(&folder, "not a folder\n").expect("put a file in its place");

    // The line names the file in the way, and claims no log, which could not be written.
    for line in run_everyday_commands(&repo, "1", plain_git(&repo)) {
        assert!(
            line.is_empty()
                || (line.contains(&format!("creating {}: ", folder.display()))
                    && !line.contains("logged in")),
            "{line}"
        );
    }

    // Queries cannot build a cache either; they say so in words, not with a panic.
    let listing = list_in(&repo, &repo.root, &[]);
    assert_eq!(listing.status, 1, "{listing:?}");
    assert!(
        listing.stderr.starts_with("roadmap: error: ") && !listing.stderr.contains("panicked"),
        "{}",
        listing.stderr
    );

    std::fs::remove_file(&folder).expect("remove the file");
    assert_converges(&repo);
}

/// Git run under `ulimit -f` (512-byte blocks): git's own small writes fit, a cache does not.
fn git_with_file_size_limit(repo: &TestRepo, args: &[String], ignore_signal: bool) -> Run {
    let trap = if ignore_signal { "trap '' XFSZ; " } else { "" };
    let script = format!("{trap}ulimit -f 256; exec git \"$@\"");
    let output = hermetic(&mut Command::new("sh"))
        .args(["-c", &script, "sh"])
        .args(args)
        .current_dir(&repo.root)
        .output()
        .expect("run git under sh");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Writes fail half-way (EFBIG with SIGXFSZ ignored; the process killed by SIGXFSZ
/// otherwise), both for a rebuild (the cache folder deleted first) and for an incremental
/// sync of many files.
#[test]
fn failing_writes_never_fail_git() {
    for ignore_signal in [true, false] {
        let repo = repo_with_hooks();
        let limited = |args: &[String]| git_with_file_size_limit(&repo, args, ignore_signal);

        // A full rebuild: the cache folder is gone, so the first hook rebuilds.
        std::fs::remove_dir_all(cache_dir(&repo)).expect("remove the cache folder");
        run_everyday_commands(&repo, "2", limited);
        assert!(
            !cache_dir(&repo).join("current").exists(),
            "no rebuild can have succeeded under the limit"
        );
        assert_converges(&repo);

        // An incremental sync that rewrites many rows.
        for index in 0..300 {
            let issue = corpus::issue(9, index);
            repo.write(
                &issue.path,
                &issue.text.replacen("status: ", "x_big: 1\nstatus: ", 1),
            );
        }
        repo.git(&["add", "-A"]);
        let commit = limited(&[
            "commit".into(),
            "-q".into(),
            "-m".into(),
            "touch all".into(),
        ]);
        assert_eq!(commit.status, 0, "{commit:?}");
        assert!(commit.stderr.lines().count() <= 1, "{}", commit.stderr);
        let stale = list_in(&repo, &repo.root, &["--no-sync"]);
        assert!(
            stale.stderr.contains("but HEAD is"),
            "the failed sync left the previous commit's cache: {}",
            stale.stderr
        );
        assert_converges(&repo);
    }
}

/// Another process holds the sync lock and never lets go: each hook gives up after its
/// bounded wait, git succeeds, and once the lock is free the next query catches up.
#[test]
fn a_lock_held_forever_delays_git_by_a_bounded_wait() {
    use fs2::FileExt;
    let repo = repo_with_hooks();
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(cache_dir(&repo).join("sync.lock"))
        .expect("open the lock file");
    lock.lock_exclusive().expect("take the sync lock");

    run_everyday_commands(&repo, "3", |args| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = Instant::now();
        let run = run_with_deadline(&repo.root, &args, Duration::from_secs(30));
        // The hook waits 1.5 s; far less than this even on a loaded machine, and far less
        // than a query's 10 s wait, which a hook must not use.
        let took = started.elapsed();
        assert!(took < Duration::from_secs(8), "git {args:?} took {took:?}");
        run
    });
    let stale = list_in(&repo, &repo.root, &["--no-sync"]);
    assert!(stale.stderr.contains("but HEAD is"), "{}", stale.stderr);

    FileExt::unlock(&lock).expect("release the sync lock");
    assert_converges(&repo);
    let listing = list_in(&repo, &repo.root, &["--no-sync"]);
    assert_eq!(listing.stderr, "");
}

/// Runs git in `dir`, failing the test if it has not ended by `deadline` (a hook that waits
/// forever would otherwise hang the test run).
fn run_with_deadline(dir: &Path, args: &[&str], deadline: Duration) -> Run {
    let mut git = Spawned::start(Path::new("git"), args, dir, &[]);
    let started = Instant::now();
    while git.child().try_wait().expect("poll git").is_none() {
        assert!(started.elapsed() < deadline, "git {args:?} still runs");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (status, stdout, stderr) = git.finish();
    Run {
        status,
        stdout,
        stderr,
    }
}
