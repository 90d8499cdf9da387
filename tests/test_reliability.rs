//! Reliability under stress: the cache is never wrong, whatever git, the disk, other processes
//! or the files do. Each part tests the real binaries on real repositories:
//!
//! - `model`: random sequences of git operations, the cache compared with a full parse after each;
//! - `crash`: `kill -9` inside the sync transaction, and damaged cache files;
//! - `concurrency`: many hooks and readers at once on one repository;
//! - `bad_input`: a property test of the frontmatter parser, and a repository of odd files;
//! - `never_hurt_git`: an unwritable cache, failing writes and a held lock never fail git;
//! - `schema`: caches of other schema versions are rebuilt; `remote.db` survives rebuilds.

mod bad_input;
mod concurrency;
mod crash;
mod model;
mod never_hurt_git;
mod schema;

use crate::common::{TestRepo, binary, hermetic};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};

/// The arguments that make `roadmap list` print what `roadmap-hooks scan` prints.
const LIST_ALL: [&str; 6] = ["list", "--all", "--sort", "id", "--format", "json"];

/// What one run of `roadmap list --all --sort id --format json` printed.
#[derive(Debug)]
struct Listing {
    status: i32,
    json: String,
    stderr: String,
}

/// Runs `roadmap list --all --sort id --format json EXTRA` in `dir`.
fn list_in(repo: &TestRepo, dir: &Path, extra: &[&str]) -> Listing {
    let args: Vec<&str> = LIST_ALL.iter().chain(extra).copied().collect();
    let run = repo.run_in(dir, "roadmap", &args);
    Listing {
        status: run.status,
        json: run.stdout,
        stderr: run.stderr,
    }
}

/// What a full parse of one commit's files gives: `roadmap-hooks scan` of a clean checkout.
#[derive(Debug, Clone)]
struct Snapshot {
    json: String,
    /// The files scan could not read, sorted.
    invalid: Vec<String>,
}

/// Full parses of commits, each made once: the commit's tree is written into a scratch
/// repository (never the one under test, whose index and working tree belong to the test)
/// and `roadmap-hooks scan` reads it there.
struct Snapshots {
    scratch: PathBuf,
    by_commit: HashMap<String, Snapshot>,
}

impl Snapshots {
    fn new(repo: &TestRepo) -> Self {
        let scratch = repo.sibling("scan-scratch");
        std::fs::create_dir_all(&scratch).expect("create the scratch repository");
        repo.git_in(&scratch, &["init", "-q"]);
        Snapshots {
            scratch,
            by_commit: HashMap::new(),
        }
    }

    /// The full parse of `commit` (a full id) of the repository at `root`.
    fn of(&mut self, root: &Path, commit: &str) -> Snapshot {
        if let Some(known) = self.by_commit.get(commit) {
            return known.clone();
        }
        let roadmap = self.scratch.join(".roadmap");
        if roadmap.exists() {
            std::fs::remove_dir_all(&roadmap).expect("clear the scratch checkout");
        }
        // Through git, which reads every repository format (libgit2 0.20 reads no SHA-256).
        let git = |args: &[&str]| {
            hermetic(&mut Command::new("git"))
                .args(args)
                .current_dir(root)
                .output()
                .expect("run git")
        };
        if git(&["cat-file", "-e", &format!("{commit}:.roadmap")])
            .status
            .success()
        {
            let tar = self.scratch.join("snapshot.tar");
            let tar_text = tar.to_str().expect("a UTF-8 temporary path");
            let archived = git(&["archive", "-o", tar_text, commit, ".roadmap"]);
            assert!(archived.status.success(), "git archive {commit} failed");
            let extracted = Command::new("tar")
                .args(["-xf", tar_text, "-C"])
                .arg(&self.scratch)
                .status()
                .expect("run tar");
            assert!(extracted.success(), "tar failed");
            std::fs::remove_file(&tar).expect("remove the archive");
        }
        let snapshot = scan_dir(&self.scratch);
        self.by_commit.insert(commit.to_owned(), snapshot.clone());
        snapshot
    }

    /// The commit the cache says it holds, from the short id in a `--no-sync` warning.
    fn known_commit(&self, short: &str) -> Option<String> {
        let mut matches = self.by_commit.keys().filter(|id| id.starts_with(short));
        let first = matches.next()?.clone();
        matches.next().is_none().then_some(first)
    }
}

/// Runs `roadmap-hooks scan` on the working tree of the repository at `dir`.
fn scan_dir(dir: &Path) -> Snapshot {
    let output = hermetic(&mut Command::new(binary("roadmap-hooks")))
        .args(["scan", "--repo"])
        .arg(dir)
        .output()
        .expect("run roadmap-hooks scan");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "scan failed: {stderr}");
    let mut invalid: Vec<String> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("roadmap-hooks: warning: skipped "))
        .map(|rest| rest.split(": ").next().unwrap_or(rest).to_owned())
        .collect();
    invalid.sort();
    Snapshot {
        json: String::from_utf8(output.stdout).expect("scan prints UTF-8"),
        invalid,
    }
}

/// Where the cache of the main worktree lives.
fn cache_dir(repo: &TestRepo) -> PathBuf {
    repo.root.join(".git/roadmap")
}

/// The live generation file, from the `current` pointer.
fn live_generation(repo: &TestRepo) -> PathBuf {
    let dir = cache_dir(repo);
    let name = std::fs::read_to_string(dir.join("current")).expect("read the current pointer");
    dir.join(name.trim())
}

/// The generation files in the cache folder (`cache-*.db`, and `cache-*.db-json`, a rebuild's
/// staged JSON; without `-wal`/`-shm`), sorted.
fn generation_files(repo: &TestRepo) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache_dir(repo))
        .expect("list the cache folder")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.starts_with("cache-") && (name.ends_with(".db") || name.ends_with(".db-json"))
        })
        .collect();
    names.sort();
    names
}

/// `PRAGMA integrity_check` of the live generation: `"ok"` when SQLite finds it sound.
fn integrity(repo: &TestRepo) -> String {
    let conn = rusqlite::Connection::open_with_flags(
        live_generation(repo),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the live generation");
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("run the integrity check")
}

/// Asserts that two JSON listings are the same text; on a difference, shows the first
/// differing line of each rather than megabytes of JSON.
#[track_caller]
fn assert_same_listing(actual: &str, expected: &str, what: &str) {
    if actual == expected {
        return;
    }
    let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
    let at = a
        .iter()
        .zip(&e)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(e.len()));
    panic!(
        "{what}: listings differ at line {at} ({} vs {} lines)\n  got:      {}\n  expected: {}",
        a.len(),
        e.len(),
        a.get(at).unwrap_or(&"<end>"),
        e.get(at).unwrap_or(&"<end>"),
    );
}

/// A child process that is killed if the test ends before it does (a test that fails while a
/// sync sleeps at a pause point must not leave it behind).
struct Spawned(Option<Child>);

impl Spawned {
    /// Starts `program ARGS` in `dir` with the hermetic environment plus `env`, its output
    /// piped.
    fn start(program: &Path, args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(program);
        hermetic(&mut command)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        Spawned(Some(command.spawn().expect("start a process")))
    }

    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("the process is still ours")
    }

    /// Reads stderr until a sync says it paused; returns the pid in that line, or `None` and
    /// what was read if the process ended first.
    fn wait_for_pause(&mut self) -> Result<u32, String> {
        let stderr = self.child().stderr.take().expect("stderr is piped");
        let (pid, rest) = read_until_pause(stderr);
        pid.ok_or(rest)
    }

    /// Waits for the end and returns (exit code, stdout, stderr); -1 for a signal.
    fn finish(mut self) -> (i32, String, String) {
        let child = self.0.take().expect("the process is still ours");
        let output = child.wait_with_output().expect("wait for the process");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads lines of `stderr` until `roadmap-hooks: test pause at POINT (pid N)`; returns N, or
/// `None` and everything read when the stream ended first. The rest of the stream is drained
/// on a thread so the writer never blocks on a full pipe.
fn read_until_pause(stderr: ChildStderr) -> (Option<u32>, String) {
    let mut reader = BufReader::new(stderr);
    let mut seen = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return (None, seen);
        }
        seen.push_str(&line);
        let pid = line
            .split("roadmap-hooks: test pause at ")
            .nth(1)
            .and_then(|rest| rest.split("(pid ").nth(1))
            .and_then(|rest| rest.trim().trim_end_matches(')').parse().ok());
        if pid.is_some() {
            std::thread::spawn(move || {
                let _ = reader.read_to_end(&mut Vec::new());
            });
            return (pid, seen);
        }
    }
}

/// The text a caught panic carried.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

/// Sends SIGKILL to `pid`, as `kill -9` does.
fn kill_9(pid: u32) {
    let pid = libc::pid_t::try_from(pid).expect("a pid fits pid_t");
    // SAFETY: kill(2) only sends a signal; the pid came from the process itself.
    let result = unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(result, 0, "kill -9 {pid}");
}
