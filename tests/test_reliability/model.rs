//! Model-based random test: seeded sequences of file edits and git operations on a repository
//! with the hooks installed. After every operation:
//!
//! - `roadmap list --no-sync` (the cache as the hooks left it) lists exactly the full parse of
//!   the commit the cache holds, and that commit is HEAD whenever the operation fired one of
//!   our hooks or left HEAD where it was; when it moved HEAD without a hook (`reset`, a
//!   commit with the hooks off) the staleness warning must say so;
//! - plain `roadmap list` lists exactly the full parse of HEAD (`roadmap-hooks scan` of a clean
//!   checkout), with no warning but the ones the files call for;
//! - our hooks printed nothing but lines about unreadable files.
//!
//! CI runs 250 operations (two sequences). `ROADMAP_MODEL_SEED=N ROADMAP_MODEL_OPS=M cargo test
//! model` replays one sequence, as a failure prints; `ROADMAP_MODEL_OPS=5000 cargo test model`
//! runs sequences of 50–200 operations until that many ran, and `cargo test model -- --ignored`
//! does so from a seed that changes with every run.

use super::{LIST_ALL, Snapshot, Snapshots};
use crate::common::{Run, TestRepo};
use crate::corpus::Rng;
use std::panic::AssertUnwindSafe;
use std::path::Path;

/// The seed CI starts from, and how many operations it runs.
const CI_SEED: u64 = 0x600d_5eed;
const CI_OPS: u64 = 250;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn model_random_git_operations_keep_the_cache_equal_to_a_full_parse() {
    match env_number("ROADMAP_MODEL_SEED") {
        Some(seed) => run_sequence(
            seed,
            env_number("ROADMAP_MODEL_OPS").unwrap_or(length_of(seed)),
        ),
        None => run_sequences(CI_SEED, env_number("ROADMAP_MODEL_OPS").unwrap_or(CI_OPS)),
    }
}

/// Thousands of operations from a seed that changes with every run (a failure names it).
#[test]
#[ignore = "long: thousands of git operations"]
fn model_long_run() {
    let base = env_number("ROADMAP_MODEL_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("model_long_run: base seed {base}");
    run_sequences(base, env_number("ROADMAP_MODEL_OPS").unwrap_or(5000));
}

/// Sequences of 50–200 operations, seeds `base`, `base + 1`, ..., until `total` ran.
fn run_sequences(base: u64, total: u64) {
    let mut done = 0;
    for seed in base.. {
        if done >= total {
            break;
        }
        let length = length_of(seed).min(total - done);
        run_sequence(seed, length);
        done += length;
    }
}

/// The length of the sequence of `seed` when none is given: 50–200.
fn length_of(seed: u64) -> u64 {
    50 + Rng::new(seed ^ 0x1e57).next_u64() % 151
}

fn run_sequence(seed: u64, length: u64) {
    let mut model = Model::new(seed);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        for step in 1..=length {
            model.step(step);
        }
    }));
    if let Err(panic) = outcome {
        let message = super::panic_message(panic.as_ref());
        panic!(
            "model test failed: {message}\n\
             replay: ROADMAP_MODEL_SEED={seed} ROADMAP_MODEL_OPS={length} cargo test model\n\
             repository: {}\n\
             operations:\n{}",
            model.repo.root.display(),
            model.log.join("\n")
        );
    }
}

/// What an operation says about the cache it leaves behind our hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fired {
    /// One of our hooks ran after HEAD reached where it is: the cache must hold HEAD.
    Hook,
    /// No hook ran: the cache holds the commit it held (HEAD before, if HEAD moved).
    None,
    /// A hook ran for a HEAD that then moved again without one (`rebase --abort`).
    Unknown,
}

impl Fired {
    /// A hook ran if the git command that fires it succeeded.
    fn if_ran(succeeded: bool) -> Fired {
        if succeeded { Fired::Hook } else { Fired::None }
    }
}

/// Ids issues are drawn from: few enough that edits often hit the same issue or id twice.
const IDS: usize = 24;
const FOLDERS: &[&str] = &["backlog", "v1-0", "v2-0"];
const STATUSES: &[&str] = &[
    "todo",
    "todo",
    "in-progress",
    "blocked",
    "review",
    "closed",
    "done",
    "archived",
    "someday",
];
const PRIORITIES: &[&str] = &["critical", "high", "medium", "low"];
const WORDS: &[&str] = &[
    "cache", "hook", "merge", "rebase", "list", "sync", "fix", "add", "docs", "crash",
];
const UPDATED: &[&str] = &[
    "'2025-01-01T00:00:00+00:00'",
    "'2025-06-01T12:00:00+00:00'",
    "'2025-06-01T12:00:00+00:00'",
    "null",
];

struct Model {
    repo: TestRepo,
    rng: Rng,
    snapshots: Snapshots,
    log: Vec<String>,
    branches: Vec<String>,
}

impl Model {
    fn new(seed: u64) -> Self {
        let repo = TestRepo::new();
        let mut model = Model {
            snapshots: Snapshots::new(&repo),
            repo,
            rng: Rng::new(seed),
            log: Vec::new(),
            branches: vec!["main".to_owned()],
        };
        for _ in 0..6 {
            model.write_issue();
        }
        model.repo.commit_all("first issues");
        model.repo.as_partial_clone();
        model.repo.roadmap_hooks(&["install"]).success();
        model
            .log
            .push("git commit; roadmap-hooks install".to_owned());
        model
    }

    /// One random operation, then the checks.
    fn step(&mut self, step: u64) {
        let before = self.head();
        self.log.push(format!("-- step {step}"));
        let (fired, may_rebuild) = match self.rng.below(100) {
            0..14 => (self.write_issue(), false),
            14..17 => (self.write_unreadable(), false),
            17..22 => (self.delete_file(), false),
            22..27 => (self.move_file(), false),
            27..42 => (self.commit(), false),
            42..44 => (self.commit_without_hooks(), false),
            44..48 => (self.amend(), false),
            48..51 => (self.branch(), false),
            51..56 => (self.switch(), false),
            56..59 => (self.detach(), false),
            59..64 => (self.merge(), false),
            64..68 => (self.rebase(), false),
            68..71 => (self.cherry_pick(), false),
            71..74 => (self.revert(), false),
            74..77 => (self.reset_hard(), false),
            77..81 => (self.stash(), false),
            81..83 => (self.restore_files(), false),
            83..85 => (self.gc(), false),
            85..87 => (self.drop_head_and_prune(), true),
            _ => {
                self.write_issue();
                (self.commit(), false)
            }
        };
        let after = self.head();
        let expect = match fired {
            Fired::None if before == after => Fired::Hook,
            other => other,
        };
        self.check(expect, &after, may_rebuild);
    }

    // -----------------------------------------------------------------------------------------
    // The checks

    fn check(&mut self, expect: Fired, head: &str, may_rebuild: bool) {
        let head_state = self.snapshots.of(&self.repo.root, head);

        let cached = self.list(&["--no-sync"]);
        let mut held = head.to_owned();
        for line in cached.stderr.lines() {
            if let Some(rest) = line.strip_prefix("roadmap: warning: the cache holds ") {
                let short = rest.split(' ').next().unwrap_or_default();
                held = self.resolve(short);
            } else if !line.starts_with("roadmap: warning: skipped ") {
                panic!("roadmap list --no-sync warned: {line}");
            }
        }
        match expect {
            Fired::Hook => assert_eq!(held, head, "the hooks left the cache behind HEAD"),
            Fired::None => assert_ne!(held, head, "no staleness warning although no hook ran"),
            Fired::Unknown => {}
        }
        let held_state = self.snapshots.of(&self.repo.root, &held);
        assert_lists(&cached, &held_state, "roadmap list --no-sync");

        let fresh = self.list(&[]);
        for line in fresh.stderr.lines() {
            let rebuilt = line.starts_with(
                "roadmap: warning: rebuilt the issue cache from HEAD (last synced commit ",
            ) && line.ends_with(" is no longer in the repository)");
            assert!(
                line.starts_with("roadmap: warning: skipped ") || (may_rebuild && rebuilt),
                "roadmap list warned: {line}"
            );
        }
        assert_lists(&fresh, &head_state, "roadmap list");
    }

    fn list(&self, extra: &[&str]) -> Run {
        let args: Vec<&str> = LIST_ALL.iter().chain(extra).copied().collect();
        let run = self.repo.roadmap(&args);
        assert_eq!(run.status, 0, "roadmap {args:?} failed: {}", run.stderr);
        run
    }

    /// The full id of the commit a `--no-sync` warning names by its short id.
    fn resolve(&self, short: &str) -> String {
        if let Some(known) = self.snapshots.known_commit(short) {
            return known;
        }
        let run = self.repo.try_git(&[
            "rev-parse",
            "--verify",
            "-q",
            &format!("{short}^{{commit}}"),
        ]);
        assert_eq!(
            run.status, 0,
            "the cache holds {short}, which is not a commit"
        );
        run.stdout.trim().to_owned()
    }

    fn head(&self) -> String {
        self.repo.head()
    }

    // -----------------------------------------------------------------------------------------
    // Running git

    /// Runs git as the user would; logs it; checks our hooks said nothing but lines about
    /// unreadable files. Returns whether it succeeded.
    fn git(&mut self, args: &[&str]) -> bool {
        self.git_with(args, &[])
    }

    fn git_with(&mut self, args: &[&str], env: &[(&str, &str)]) -> bool {
        let run = self.repo.try_git_with_env(&self.repo.root, args, env);
        let env_text: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        self.log.push(format!(
            "{env_text}git {} -> {}",
            args.join(" "),
            run.status
        ));
        for line in run.stderr.lines().chain(run.stdout.lines()) {
            if line.contains("roadmap-hooks") {
                let about_a_file = line.starts_with("roadmap-hooks: .roadmap/")
                    || line
                        .strip_prefix("roadmap-hooks: ")
                        .and_then(|rest| rest.split(' ').next())
                        .is_some_and(|n| n.parse::<usize>().is_ok())
                        && line.contains(" issue files could not be read ");
                assert!(about_a_file, "our hooks spoke during git {args:?}: {line}");
            }
        }
        run.status == 0
    }

    /// Runs git for the test's own bookkeeping (no hooks fire); returns stdout.
    fn query(&self, args: &[&str]) -> String {
        self.repo.try_git(args).stdout
    }

    /// A random one of the commits `git rev-list ARGS` lists.
    fn pick_commit(&mut self, args: &[&str]) -> Option<String> {
        let mut rev_list = vec!["rev-list"];
        rev_list.extend_from_slice(args);
        let listed = self.query(&rev_list);
        let commits: Vec<&str> = listed.lines().collect();
        (!commits.is_empty()).then(|| (*self.rng.pick(&commits)).to_owned())
    }

    fn git_dir_has(&self, name: &str) -> bool {
        self.repo.root.join(".git").join(name).exists()
    }

    /// The branch HEAD is on, `None` when detached.
    fn current_branch(&self) -> Option<String> {
        let head = std::fs::read_to_string(self.repo.root.join(".git/HEAD")).unwrap_or_default();
        head.trim()
            .strip_prefix("ref: refs/heads/")
            .map(str::to_owned)
    }

    fn other_branch(&mut self) -> Option<String> {
        let current = self.current_branch();
        let others: Vec<String> = self
            .branches
            .iter()
            .filter(|b| Some(*b) != current.as_ref())
            .cloned()
            .collect();
        (!others.is_empty()).then(|| self.rng.pick(&others).clone())
    }

    // -----------------------------------------------------------------------------------------
    // Working-tree edits (no hook fires)

    /// The issue files in the working tree, sorted.
    fn issue_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        for root in [".roadmap/issues", ".roadmap/archive/issues"] {
            for folder in FOLDERS {
                let dir = format!("{root}/{folder}");
                let Ok(entries) = std::fs::read_dir(self.repo.root.join(&dir)) else {
                    continue;
                };
                for entry in entries.flatten() {
                    if let Ok(name) = entry.file_name().into_string() {
                        files.push(format!("{dir}/{name}"));
                    }
                }
            }
        }
        files.sort();
        files
    }

    fn write_file(&mut self, path: &str, bytes: &[u8], what: &str) {
        let full = self.repo.root.join(path);
        std::fs::create_dir_all(full.parent().expect("a folder")).expect("create the folder");
        std::fs::write(full, bytes).expect("write the file");
        self.log.push(format!("write {path} ({what})"));
    }

    /// Rewrites an existing issue or writes a new one (sometimes an id already used elsewhere).
    fn write_issue(&mut self) -> Fired {
        let files = self.issue_files();
        let path = if !files.is_empty() && self.rng.chance(50) {
            self.rng.pick(&files).clone()
        } else {
            let id = format!("{:08x}", 0x5e00_0000 + self.rng.below(IDS));
            let root = if self.rng.chance(15) {
                ".roadmap/archive/issues"
            } else {
                ".roadmap/issues"
            };
            let folder = self.rng.pick(FOLDERS);
            let word = self.rng.pick(WORDS);
            format!("{root}/{folder}/{id}-{word}.md")
        };
        let id = Path::new(&path)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.get(..8))
            .unwrap_or("5e000000")
            .to_owned();
        let text = self.issue_text(&id);
        self.write_file(&path, text.as_bytes(), "issue");
        Fired::None
    }

    fn issue_text(&mut self, id: &str) -> String {
        let title: Vec<&str> = (0..1 + self.rng.below(4))
            .map(|_| *self.rng.pick(WORDS))
            .collect();
        let mut yaml = format!("id: {id}\ntitle: {}\n", title.join(" "));
        yaml += &format!("status: {}\n", self.rng.pick(STATUSES));
        yaml += &format!("priority: {}\n", self.rng.pick(PRIORITIES));
        match self.rng.below(3) {
            0 => {}
            1 => yaml += "milestone: null\n",
            _ => yaml += &format!("milestone: {}\n", self.rng.pick(FOLDERS)),
        }
        if self.rng.chance(20) {
            yaml += "archived: true\n";
        }
        let labels: Vec<&str> = (0..self.rng.below(3))
            .map(|_| *self.rng.pick(WORDS))
            .collect();
        yaml += &format!("labels: [{}]\n", labels.join(", "));
        yaml += &format!("updated: {}\n", self.rng.pick(UPDATED));
        format!("---\n{yaml}---\n\nBody {}.\n", self.rng.next_u64())
    }

    fn write_unreadable(&mut self) -> Fired {
        let id = format!("{:08x}", 0x5e00_0000 + self.rng.below(IDS));
        let folder = self.rng.pick(FOLDERS);
        let path = format!(".roadmap/issues/{folder}/{id}-unreadable.md");
        let (bytes, what): (&[u8], &str) = match self.rng.below(3) {
            0 => (b"---\nid: [unclosed\n---\n", "broken YAML"),
            1 => (b"---\nid: caf\xe9\n---\n", "not UTF-8"),
            _ => (b"no frontmatter at all\n", "no frontmatter"),
        };
        self.write_file(&path, bytes, what);
        Fired::None
    }

    fn delete_file(&mut self) -> Fired {
        let files = self.issue_files();
        if !files.is_empty() {
            let path = self.rng.pick(&files).clone();
            std::fs::remove_file(self.repo.root.join(&path)).expect("delete the file");
            self.log.push(format!("delete {path}"));
        }
        Fired::None
    }

    /// Moves a file to another milestone folder, into the archive or out of it.
    fn move_file(&mut self) -> Fired {
        let files = self.issue_files();
        if files.is_empty() {
            return Fired::None;
        }
        let from = self.rng.pick(&files).clone();
        let name = from.rsplit('/').next().expect("a file name").to_owned();
        let root = if self.rng.chance(30) {
            ".roadmap/archive/issues"
        } else {
            ".roadmap/issues"
        };
        let to = format!("{root}/{}/{name}", self.rng.pick(FOLDERS));
        if to != from {
            let target = self.repo.root.join(&to);
            std::fs::create_dir_all(target.parent().expect("a folder")).expect("create the folder");
            std::fs::rename(self.repo.root.join(&from), target).expect("move the file");
            self.log.push(format!("move {from} -> {to}"));
        }
        Fired::None
    }

    /// `git checkout -- .roadmap`: puts the index's files back; post-checkout runs for files.
    fn restore_files(&mut self) -> Fired {
        self.git(&["checkout", "-q", "--", "."]);
        Fired::None
    }

    // -----------------------------------------------------------------------------------------
    // Git operations

    fn commit(&mut self) -> Fired {
        self.git(&["add", "-A"]);
        let empty_too = self.rng.chance(20);
        let mut args = vec!["commit", "-q", "-m", "change"];
        if empty_too {
            args.push("--allow-empty");
        }
        Fired::if_ran(self.git(&args))
    }

    /// A commit the hooks do not see (as with hooks installed later, or turned off).
    fn commit_without_hooks(&mut self) -> Fired {
        self.git(&["add", "-A"]);
        self.git_with(&["commit", "-q", "-m", "unseen"], &[("ROADMAP_HOOKS", "0")]);
        Fired::None
    }

    fn amend(&mut self) -> Fired {
        self.git(&["add", "-A"]);
        Fired::if_ran(self.git(&["commit", "-q", "--amend", "--no-edit", "--allow-empty"]))
    }

    fn branch(&mut self) -> Fired {
        let name = format!("b{}", self.branches.len());
        let start = self.rng.pick(&self.branches).clone();
        let start = if self.rng.chance(50) {
            "HEAD".to_owned()
        } else {
            start
        };
        if self.git(&["branch", &name, &start]) {
            self.branches.push(name);
        }
        Fired::None
    }

    fn switch(&mut self) -> Fired {
        let Some(branch) = self.other_branch() else {
            return Fired::None;
        };
        let switched = match self.rng.below(3) {
            0 => self.git(&["switch", "-q", &branch]),
            1 => self.git(&["checkout", "-q", &branch]),
            _ => self.git(&["switch", "-q", "--discard-changes", &branch]),
        };
        Fired::if_ran(switched)
    }

    fn detach(&mut self) -> Fired {
        let Some(commit) = self.pick_commit(&["-n", "30", "--branches"]) else {
            return Fired::None;
        };
        Fired::if_ran(self.git(&["checkout", "-q", "--detach", &commit]))
    }

    fn merge(&mut self) -> Fired {
        let Some(branch) = self.other_branch() else {
            return Fired::None;
        };
        let mode = *self.rng.pick(&["", "--no-ff", "--ff-only"]);
        let mut args = vec!["merge", "-q", "--no-edit"];
        if !mode.is_empty() {
            args.push(mode);
        }
        args.push(&branch);
        if self.git(&args) {
            return Fired::Hook;
        }
        if !self.git_dir_has("MERGE_HEAD") {
            return Fired::None;
        }
        if self.rng.chance(50) {
            self.git(&["merge", "--abort"]);
            Fired::None
        } else {
            // Conflict markers and all, as a hurried user might.
            self.git(&["add", "-A"]);
            Fired::if_ran(self.git(&["commit", "-q", "--no-edit"]))
        }
    }

    fn rebase(&mut self) -> Fired {
        let Some(branch) = self.other_branch() else {
            return Fired::None;
        };
        if self.git(&["rebase", "-q", &branch]) {
            return Fired::Hook;
        }
        if self.git_dir_has("rebase-merge") || self.git_dir_has("rebase-apply") {
            self.git(&["rebase", "--abort"]);
            return Fired::Unknown;
        }
        Fired::None
    }

    fn cherry_pick(&mut self) -> Fired {
        let Some(branch) = self.other_branch() else {
            return Fired::None;
        };
        let Some(commit) = self.pick_commit(&["--no-merges", "-n", "20", &branch]) else {
            return Fired::None;
        };
        if self.git(&["cherry-pick", &commit]) {
            return Fired::Hook;
        }
        if self.git_dir_has("CHERRY_PICK_HEAD") || self.git_dir_has("sequencer") {
            self.git(&["cherry-pick", "--abort"]);
        }
        Fired::None
    }

    fn revert(&mut self) -> Fired {
        let Some(commit) = self.pick_commit(&["--no-merges", "-n", "8", "HEAD"]) else {
            return Fired::None;
        };
        if self.git(&["revert", "--no-edit", &commit]) {
            return Fired::Hook;
        }
        if self.git_dir_has("REVERT_HEAD") || self.git_dir_has("sequencer") {
            self.git(&["revert", "--abort"]);
        }
        Fired::None
    }

    fn reset_hard(&mut self) -> Fired {
        let target = match self.rng.below(3) {
            0 => "HEAD~1".to_owned(),
            1 => self.rng.pick(&self.branches).clone(),
            _ => "HEAD".to_owned(),
        };
        self.git(&["reset", "-q", "--hard", &target]);
        Fired::None
    }

    fn stash(&mut self) -> Fired {
        let has_stash = !self.query(&["stash", "list"]).trim().is_empty();
        if has_stash && self.rng.chance(50) {
            if !self.git(&["stash", "pop", "-q"]) {
                // A conflicting pop keeps the stash; put the working tree back to HEAD.
                self.git(&["reset", "-q", "--hard"]);
            }
        } else {
            self.git(&["stash", "push", "-q", "--include-untracked"]);
        }
        Fired::None
    }

    fn gc(&mut self) -> Fired {
        if self.rng.chance(50) {
            self.git(&["gc", "-q"]);
        } else {
            self.git(&["reflog", "expire", "--expire=now", "--all"]);
            self.git(&["gc", "-q", "--prune=now"]);
        }
        Fired::None
    }

    /// Drops HEAD's commit and prunes it, so the cache may hold a commit that no longer
    /// exists: the next query rebuilds, saying why.
    fn drop_head_and_prune(&mut self) -> Fired {
        if self.current_branch().is_none() || !self.git(&["reset", "-q", "--hard", "HEAD~1"]) {
            return Fired::None;
        }
        self.git(&["reflog", "expire", "--expire=now", "--all"]);
        self.git(&["gc", "-q", "--prune=now"]);
        Fired::None
    }
}

#[track_caller]
fn assert_lists(run: &Run, state: &Snapshot, what: &str) {
    super::assert_same_listing(&run.stdout, &state.json, what);
    // The one-line summary of unreadable files names the first and counts the others.
    let summary = run
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("roadmap: warning: skipped "));
    match (summary, state.invalid.first()) {
        (None, None) => {}
        (Some(line), Some(first)) => {
            assert!(
                line.starts_with(&format!("{first}: ")),
                "{what}: {line}, expected {first}"
            );
            let more = state.invalid.len() - 1;
            let counted =
                line.ends_with(&format!(" (and {more} more; see `roadmap-hooks status`)"));
            assert!(
                more == 0 && !line.contains(" more; see ") || counted,
                "{what}: {line}: {more} more"
            );
        }
        (line, first) => panic!("{what}: unreadable files listed {line:?}, scan found {first:?}"),
    }
}
