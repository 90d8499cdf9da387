//! Shared helpers: real temporary git repositories, hermetic git, and the real binaries.

#![allow(dead_code)]

pub mod board;
pub mod browser;
pub mod github_server;
pub mod mirrored;
pub mod tracker;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of a binary built by cargo for these tests.
pub fn binary(name: &str) -> PathBuf {
    match name {
        "roadmap" => PathBuf::from(env!("CARGO_BIN_EXE_roadmap")),
        "roadmap-hooks" => PathBuf::from(env!("CARGO_BIN_EXE_roadmap-hooks")),
        other => panic!("unknown binary {other}"),
    }
}

/// Environment every command in a test gets, so results never depend on the machine.
pub fn hermetic(command: &mut Command) -> &mut Command {
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("NO_COLOR", "1")
        .env("GIT_EDITOR", "true")
        .env("GIT_SEQUENCE_EDITOR", "true")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("COLUMNS")
        .env_remove("ROADMAP_HOOKS")
        // A command line we forward must never reach a tracker installed on this machine.
        .env("ROADMAP_TRACKER", NO_TRACKER)
        .env_remove("ROADMAP_HOOKS_FORWARDED")
        .env_remove("ROADMAP_PAGER")
        .env_remove("PAGER")
}

/// What `ROADMAP_TRACKER` names in tests unless a test sets it: nothing that exists.
pub const NO_TRACKER: &str = "/nonexistent/roadmap-tracker";

/// The result of running a command: what the user would see.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// What a finished process showed.
    pub fn from_output(output: Output) -> Self {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with the full output unless the command exited 0.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.status, 0,
            "command failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// How a test repository stores refs and objects. `ROADMAP_TEST_REPO_FORMAT` (`files`, the
/// default, `reftable`, `sha256` or `partial`) chooses it for every [`TestRepo::new`], so the
/// same tests run on each (see `.ci/run` for which run where).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoFormat {
    /// `git init`: loose and packed ref files, SHA-1.
    Files,
    /// `git init --ref-format=reftable`.
    Reftable,
    /// `git init --object-format=sha256`.
    Sha256,
    /// A blobless partial clone (`git clone --filter=blob:none`) of a `file://` origin, made
    /// by [`TestRepo::as_partial_clone`] once the test committed its starting point.
    PartialClone,
}

impl RepoFormat {
    /// The format `ROADMAP_TEST_REPO_FORMAT` names; `Files` when unset.
    pub fn from_env() -> Self {
        match std::env::var("ROADMAP_TEST_REPO_FORMAT").as_deref() {
            Ok("reftable") => RepoFormat::Reftable,
            Ok("sha256") => RepoFormat::Sha256,
            Ok("partial") => RepoFormat::PartialClone,
            Ok("files") | Err(_) => RepoFormat::Files,
            Ok(other) => panic!("unknown ROADMAP_TEST_REPO_FORMAT {other}"),
        }
    }

    fn init_args(self) -> &'static [&'static str] {
        match self {
            RepoFormat::Reftable => &["--ref-format=reftable"],
            RepoFormat::Sha256 => &["--object-format=sha256"],
            RepoFormat::Files | RepoFormat::PartialClone => &[],
        }
    }
}

/// A real git repository in a temporary directory.
pub struct TestRepo {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub format: RepoFormat,
}

impl TestRepo {
    /// An empty repository on branch `main`, in the format of `ROADMAP_TEST_REPO_FORMAT`.
    pub fn new() -> Self {
        Self::with_format(RepoFormat::from_env())
    }

    /// An empty repository on branch `main` in `format`.
    pub fn with_format(format: RepoFormat) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        let repo = TestRepo {
            _dir: dir,
            root,
            format,
        };
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend_from_slice(format.init_args());
        repo.git(&args);
        repo
    }

    /// In the partial-clone format, replaces the repository by a blobless clone of itself
    /// (every branch and tag, from a `file://` origin that allows filters), so none of the
    /// blobs committed so far is local; other formats are left as they are. Hooks and caches
    /// do not survive it: call it before installing.
    pub fn as_partial_clone(&self) {
        if self.format != RepoFormat::PartialClone {
            return;
        }
        let origin = self.sibling("origin.git");
        let origin_text = origin.to_str().unwrap();
        self.git_in(
            self.root.parent().unwrap(),
            &["init", "-q", "--bare", origin_text],
        );
        self.git_in(&origin, &["config", "uploadpack.allowFilter", "true"]);
        self.git_in(
            &origin,
            &["config", "uploadpack.allowAnySHA1InWant", "true"],
        );
        self.git(&["push", "-q", origin_text, "refs/*:refs/*"]);
        let branch = self.git(&["symbolic-ref", "--short", "HEAD"]);
        let before = self.sibling("before-partial-clone");
        std::fs::rename(&self.root, &before).unwrap();
        let url = format!("file://{origin_text}");
        let root = self.root.to_str().unwrap();
        self.git_in(
            self.root.parent().unwrap(),
            &[
                "clone",
                "-q",
                "--filter=blob:none",
                "--no-checkout",
                "--branch",
                branch.trim(),
                &url,
                root,
            ],
        );
        // The working tree comes from the repository cloned, and a mixed reset fills the index
        // from HEAD's tree by hashing those files: no blob is fetched, so even HEAD's are
        // missing and the first sync must fetch them.
        for entry in std::fs::read_dir(&before).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != ".git" {
                std::fs::rename(entry.path(), self.root.join(entry.file_name())).unwrap();
            }
        }
        std::fs::remove_dir_all(&before).unwrap();
        self.git(&["reset", "-q"]);
        let objects = self.git(&["rev-list", "--objects", "--missing=print", "--all"]);
        assert!(
            objects.lines().any(|l| l.starts_with('?')),
            "no blob is missing"
        );
    }

    /// A second path inside the same temporary directory (for clones and worktrees).
    pub fn sibling(&self, name: &str) -> PathBuf {
        self.root.parent().unwrap().join(name)
    }

    /// Runs git in the repository; panics if it fails.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.root, args)
    }

    /// Runs git in `dir`; panics if it fails.
    #[track_caller]
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        self.try_git_in(dir, args).success().stdout
    }

    /// Runs git in the repository and returns what happened, failure included.
    pub fn try_git(&self, args: &[&str]) -> Run {
        self.try_git_in(&self.root, args)
    }

    pub fn try_git_in(&self, dir: &Path, args: &[&str]) -> Run {
        let output = hermetic(&mut Command::new("git"))
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run git");
        Run::from_output(output)
    }

    /// Writes a file (creating folders) relative to the repository root.
    pub fn write(&self, relative: &str, content: &str) {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Removes a file relative to the repository root.
    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.root.join(relative)).unwrap();
    }

    /// Writes an issue file in the tracker's layout; returns its path.
    pub fn write_issue(&self, issue: &IssueSpec) -> String {
        let path = issue.path();
        self.write(&path, &issue.render());
        path
    }

    /// Stages everything and commits.
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// Writes an issue and commits it.
    pub fn commit_issue(&self, issue: &IssueSpec) -> String {
        let path = self.write_issue(issue);
        self.commit_all(&format!("add {}", issue.id));
        path
    }

    /// Runs `roadmap ARGS` in the repository.
    pub fn roadmap(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, "roadmap", args)
    }

    /// Runs `roadmap-hooks ARGS` in the repository.
    pub fn roadmap_hooks(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, "roadmap-hooks", args)
    }

    /// Runs `roadmap-hooks doctor` with no tracker named and none on `PATH` (the tests'
    /// `ROADMAP_TRACKER` names a missing file, which doctor rightly reports as a problem).
    pub fn doctor(&self) -> Run {
        let mut command = Command::new(binary("roadmap-hooks"));
        hermetic(&mut command)
            .env_remove("ROADMAP_TRACKER")
            .env("PATH", "/usr/bin:/bin")
            .arg("doctor")
            .current_dir(&self.root);
        Run::from_output(command.output().expect("run roadmap-hooks doctor"))
    }

    pub fn run_in(&self, dir: &Path, name: &str, args: &[&str]) -> Run {
        let output = hermetic(&mut Command::new(binary(name)))
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run binary");
        Run::from_output(output)
    }

    /// `roadmap list --all --sort id --format json`, parsed.
    #[track_caller]
    pub fn listed(&self, extra: &[&str]) -> serde_json::Value {
        self.listed_in(&self.root, extra)
    }

    /// [`TestRepo::listed`] in `dir` (another worktree).
    #[track_caller]
    pub fn listed_in(&self, dir: &Path, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["list", "--all", "--sort", "id", "--format", "json"];
        args.extend_from_slice(extra);
        let run = self.run_in(dir, "roadmap", &args).success();
        serde_json::from_str(&run.stdout).expect("list prints JSON")
    }

    /// A full parse of the issue files in the working tree, without the cache.
    #[track_caller]
    pub fn scanned(&self) -> serde_json::Value {
        self.scanned_in(&self.root)
    }

    #[track_caller]
    pub fn scanned_in(&self, dir: &Path) -> serde_json::Value {
        let run = self.run_in(dir, "roadmap-hooks", &["scan"]).success();
        serde_json::from_str(&run.stdout).expect("scan prints JSON")
    }

    /// Asserts that the cache equals the issue files at HEAD, as the tracker's reader and
    /// PyYAML read them (`tracker::assert_listing_equals_files`), not our parser. The oracle
    /// reads the working tree, so the issue folders must be clean: that is checked first.
    #[track_caller]
    pub fn assert_cache_matches_head(&self, extra: &[&str]) {
        let dirty = self.git(&["status", "--porcelain", "--", ".roadmap"]);
        assert_eq!(
            dirty, "",
            "the working tree differs from HEAD under .roadmap"
        );
        let listed = self.listed(extra);
        tracker::assert_listing_equals_files(&listed, &self.root);
    }

    /// The ids the cache lists (all issues), sorted.
    #[track_caller]
    pub fn listed_ids(&self, extra: &[&str]) -> Vec<String> {
        let listed = self.listed(extra);
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|issue| issue["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The commit id HEAD points at.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Runs git in `dir` with extra environment variables and returns what happened.
    pub fn try_git_with_env(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        git_with_env(dir, args, env)
    }

    /// Runs the program at `program` (a copy of one of our binaries, say) in `dir`.
    pub fn run_program_in<I, S>(&self, dir: &Path, program: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let output = hermetic(&mut Command::new(program))
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run program");
        Run::from_output(output)
    }

    /// The hooks directory git runs hooks from (`core.hooksPath` and worktrees honoured).
    pub fn hooks_dir(&self) -> PathBuf {
        let path = self.git(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"]);
        PathBuf::from(path.trim())
    }
}

/// An issue to write in the tracker's format.
#[derive(Debug, Clone)]
pub struct IssueSpec {
    pub id: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub milestone: Option<String>,
    pub archived: bool,
    pub body: String,
}

impl IssueSpec {
    /// An open, medium-priority backlog issue.
    pub fn new(id: &str, title: &str) -> Self {
        IssueSpec {
            id: id.to_owned(),
            title: title.to_owned(),
            status: "todo".to_owned(),
            priority: "medium".to_owned(),
            milestone: None,
            archived: false,
            body: format!("Body of {title}."),
        }
    }

    pub fn status(mut self, status: &str) -> Self {
        self.status = status.to_owned();
        self
    }

    pub fn priority(mut self, priority: &str) -> Self {
        self.priority = priority.to_owned();
        self
    }

    pub fn milestone(mut self, milestone: &str) -> Self {
        self.milestone = Some(milestone.to_owned());
        self
    }

    pub fn archived(mut self) -> Self {
        self.archived = true;
        self
    }

    pub fn body(mut self, body: &str) -> Self {
        self.body = body.to_owned();
        self
    }

    /// `.roadmap/[archive/]issues/{milestone|backlog}/{id}-{slug}.md`
    pub fn path(&self) -> String {
        let slug: String = self
            .title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .collect::<String>()
            .replace(' ', "-");
        let folder = self.milestone.as_deref().unwrap_or("backlog");
        let root = if self.archived {
            ".roadmap/archive/issues"
        } else {
            ".roadmap/issues"
        };
        format!("{root}/{folder}/{}-{slug}.md", self.id)
    }

    /// The file as the tracker writes it.
    pub fn render(&self) -> String {
        let milestone = self
            .milestone
            .as_deref()
            .map_or("null".to_owned(), |m| format!("'{m}'"));
        format!(
            "---\nid: {id}\ntitle: {title}\nheadline: ''\npriority: {priority}\nstatus: {status}\narchived: {archived}\n\
             issue_type: other\nmilestone: {milestone}\nlabels: []\nremote_ids: {{}}\n\
             created: '2025-01-01T00:00:00+00:00'\nupdated: '2025-01-02T00:00:00+00:00'\nassignee: null\n---\n\n{body}\n",
            id = self.id,
            title = serde_json::to_string(&self.title).unwrap(),
            priority = self.priority,
            status = self.status,
            archived = self.archived,
            body = self.body,
        )
    }
}

/// Copies the `.roadmap` tree of `tests/fixtures/NAME` into `repo`.
pub fn copy_fixture(repo: &TestRepo, name: &str) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .join(".roadmap");
    copy_dir(&source, &repo.root.join(".roadmap"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs hermetic git in `dir` with extra environment variables; failure included.
pub fn git_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new("git");
    hermetic(&mut command).args(args).current_dir(dir);
    for (name, value) in env {
        command.env(name, value);
    }
    Run::from_output(command.output().expect("run git"))
}

/// The pid of a running process whose arguments (`argv`, as bytes) and working folder `found`
/// accepts, from `/proc`: how tests find our detached processes (the watcher, the builder).
pub fn process_where(found: impl Fn(&[&[u8]], &Path) -> bool) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            let cwd = std::fs::read_link(entry.path().join("cwd")).unwrap_or_default();
            found(&args, &cwd).then_some(pid)
        })
}
