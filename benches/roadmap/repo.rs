//! The generated repositories the bench runs in, under `target/bench-corpus/<n>`: made once
//! (then packed with `git gc`, like a clone), reused while complete, and put back to the
//! generated commit before each use. Also the bench's own commits and branches on top.

use crate::corpus::{self, CorpusSpec, Layout};
use roadmap_hooks::cache::Cache;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The seed of every benchmark corpus.
pub const SEED: u64 = 42;

/// A generated repository at its generated commit.
pub struct BenchRepo {
    pub dir: PathBuf,
    pub issues: usize,
    pub layout: Layout,
    /// The last generated commit: where the repository is put back to.
    pub base: String,
}

/// A command in `dir` with no git or terminal settings inherited from the bench's caller.
pub fn plain_command(program: &Path, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(dir);
    for name in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "ROADMAP_HOOKS",
        "COLUMNS",
    ] {
        command.env_remove(name);
    }
    command
}

/// Waits (10 s at most) until the watcher a look started in `dir` answers, then runs `look`
/// once more, so that its token is in the stat file: from then on looks ask it, as a user's
/// second query does.
pub fn await_watcher(dir: &Path, look: &mut Command) -> std::io::Result<()> {
    let started = std::time::Instant::now();
    while roadmap_hooks::watch::ask(dir, None).is_none() {
        if started.elapsed() > std::time::Duration::from_secs(10) {
            return Err(std::io::Error::other(format!(
                "no watcher answered for {}",
                dir.display()
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    crate::measure::run(look, false).map(drop)
}

/// Waits until the cache in `dir` has every order index and no builder runs: a large
/// rebuild leaves them to a detached builder (`cache::order_indexes`), which must not be
/// timed with, or compete with, the next run.
pub fn wait_for_order_indexes(dir: &Path) -> io::Result<()> {
    let cache_dir = dir.join(".git/roadmap");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    loop {
        let cache = Cache::open_reader(&cache_dir).map_err(io::Error::other)?;
        let missing = cache.missing_order_indexes().map_err(io::Error::other)?;
        drop(cache);
        if missing.is_empty() && !roadmap_hooks::sync::order_index_builder::running(&cache_dir) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(io::Error::other(format!(
                "the order indexes of {} were not built in 10 minutes: {missing:?}",
                dir.display()
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A `git` command for `dir` with a fixed identity and no user or system config, so the
/// machine's settings change neither the commits nor the timings.
pub fn git_command(dir: &Path) -> Command {
    let mut command = plain_command(Path::new("git"), dir);
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env("GIT_AUTHOR_DATE", "2026-02-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-02-01T00:00:00Z")
        .env("LC_ALL", "C");
    command
}

/// Runs git in `dir` with every hook off (setup work must not sync the cache); returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> io::Result<String> {
    let output = git_command(dir)
        .args(["-c", "core.hooksPath=/dev/null"])
        .args(args)
        .output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "git {} in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Returns the repository of `issues` generated issues, generating it when missing or
/// incomplete, at its generated commit on `main`, with no bench branches left.
pub fn prepare(corpus_root: &Path, issues: usize) -> io::Result<BenchRepo> {
    prepare_layout(corpus_root, issues, Layout::Legacy)
}

/// [`prepare`] for either tracker line's layout; the contract corpus lives in
/// `contract-<n>`.
pub fn prepare_layout(corpus_root: &Path, issues: usize, layout: Layout) -> io::Result<BenchRepo> {
    let name = match layout {
        Layout::Legacy => issues.to_string(),
        Layout::Contract => format!("contract-{issues}"),
    };
    let dir = corpus_root.join(&name);
    let marker = corpus_root.join(format!("{name}.complete"));
    let base = match std::fs::read_to_string(&marker) {
        Ok(base) if dir.join(".git").is_dir() => base.trim().to_owned(),
        _ => generate(&dir, &marker, issues, layout)?,
    };
    let repo = BenchRepo {
        dir,
        issues,
        layout,
        base,
    };
    git(&repo.dir, &["config", "gc.auto", "0"])?;
    repo.restore()?;
    Ok(repo)
}

fn generate(dir: &Path, marker: &Path, issues: usize, layout: Layout) -> io::Result<String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    eprintln!("bench: generating {issues} issues in {}", dir.display());
    let started = std::time::Instant::now();
    std::fs::create_dir_all(dir)?;
    git(dir, &["init", "-q", "-b", "main"])?;
    // No automatic gc, which detaches: not during generation (it would hold the gc lock when we
    // pack below), nor in the middle of a timed command.
    git(dir, &["config", "gc.auto", "0"])?;
    let spec = CorpusSpec {
        layout,
        ..CorpusSpec::new(issues, SEED)
    };
    corpus::generate(dir, &spec)?;
    git(dir, &["gc", "-q"])?;
    let base = git(dir, &["rev-parse", "HEAD"])?;
    std::fs::write(marker, format!("{base}\n"))?;
    eprintln!("bench: generated and packed in {:.1?}", started.elapsed());
    Ok(base)
}

impl BenchRepo {
    /// Puts the repository back on `main` at the generated commit, bench branches deleted.
    pub fn restore(&self) -> io::Result<()> {
        git(&self.dir, &["checkout", "-q", "-f", "main"])?;
        git(&self.dir, &["reset", "-q", "--hard", &self.base])?;
        let branches = git(
            &self.dir,
            &[
                "for-each-ref",
                "--format=%(refname:short)",
                "refs/heads/bench-*",
            ],
        )?;
        for branch in branches.lines().filter(|b| !b.is_empty()) {
            git(&self.dir, &["branch", "-q", "-D", branch])?;
        }
        Ok(())
    }

    /// Commits edits of `count` issues spread over the corpus on top of the generated commit,
    /// as branch `bench-<name>`, and returns its id. The working tree is left at the base.
    pub fn commit_edits(&self, name: &str, count: usize) -> io::Result<String> {
        let count = count.min(self.issues);
        let step = (self.issues / count.max(1)).max(1);
        let mut paths = Vec::with_capacity(count);
        for index in (0..self.issues).step_by(step).take(count) {
            let generated = corpus::generated(self.layout, SEED, index);
            let edited = generated
                .text
                .replacen("updated: '2026-", "updated: '2027-", 1)
                + &format!("\nEdited by the benchmark ({name}).\n");
            std::fs::write(self.dir.join(&generated.path), edited)?;
            paths.push(generated.path);
        }
        // One `git add` per few thousand paths keeps the argument list within limits.
        for batch in paths.chunks(2000) {
            let mut args = vec!["add", "--"];
            args.extend(batch.iter().map(String::as_str));
            git(&self.dir, &args)?;
        }
        let message = format!("Bench: edit {count} issues ({name})");
        git(&self.dir, &["commit", "-q", "-m", &message])?;
        let commit = git(&self.dir, &["rev-parse", "HEAD"])?;
        git(
            &self.dir,
            &["branch", "-q", "-f", &format!("bench-{name}"), &commit],
        )?;
        git(&self.dir, &["reset", "-q", "--hard", &self.base])?;
        Ok(commit)
    }

    /// Commits `commits` commits one after another on top of the generated commit, as branch
    /// `bench-<name>`, each editing `per_commit` issues spread over the corpus (others in each
    /// commit) and the first issue every time (its story is `commits` long). Returns the tip
    /// and the first issue's id; the working tree is left at the base.
    pub fn commit_chain(
        &self,
        name: &str,
        commits: usize,
        per_commit: usize,
    ) -> io::Result<(String, String)> {
        let spread = (commits * per_commit).clamp(1, self.issues);
        let step = (self.issues / spread).max(1);
        let followed = corpus::generated(self.layout, SEED, 0);
        let mut story = followed.text.clone();
        for commit in 0..commits {
            let mut paths = vec![followed.path.clone()];
            story.push_str(&format!("\nStep {commit} of the benchmark's story.\n"));
            std::fs::write(self.dir.join(&followed.path), &story)?;
            for k in 0..per_commit {
                let index = ((commit * per_commit + k + 1) * step) % self.issues;
                let generated = corpus::generated(self.layout, SEED, index);
                if generated.path == followed.path {
                    continue;
                }
                let edited = generated
                    .text
                    .replacen("updated: '2026-", "updated: '2027-", 1)
                    + &format!("\nEdited by the benchmark ({name} {commit}).\n");
                std::fs::write(self.dir.join(&generated.path), edited)?;
                paths.push(generated.path);
            }
            let mut args = vec!["add", "--"];
            args.extend(paths.iter().map(String::as_str));
            git(&self.dir, &args)?;
            git(
                &self.dir,
                &["commit", "-q", "-m", &format!("Bench: {name} {commit}")],
            )?;
        }
        let tip = git(&self.dir, &["rev-parse", "HEAD"])?;
        git(
            &self.dir,
            &["branch", "-q", "-f", &format!("bench-{name}"), &tip],
        )?;
        git(&self.dir, &["reset", "-q", "--hard", &self.base])?;
        let id = followed
            .text
            .lines()
            .find_map(|line| line.strip_prefix("id: "))
            .map(|id| id.trim_matches(['\'', '"']).to_owned())
            .ok_or_else(|| io::Error::other("a generated issue without an id"))?;
        Ok((tip, id))
    }

    /// Edits `count` issue files in the working tree (uncommitted, as a hand edit or another
    /// tool would); `restore` puts them back.
    pub fn edit_in_worktree(&self, count: usize) -> io::Result<()> {
        let count = count.min(self.issues);
        let step = (self.issues / count.max(1)).max(1);
        for index in (0..self.issues).step_by(step).take(count) {
            let generated = corpus::generated(self.layout, SEED, index);
            std::fs::write(
                self.dir.join(&generated.path),
                generated.text
                    + "
Edited in the working tree by the benchmark.
",
            )?;
        }
        Ok(())
    }

    /// Moves `main` (and HEAD) to `commit` without touching the working tree or running hooks.
    pub fn move_head(&self, commit: &str) -> io::Result<()> {
        git(&self.dir, &["reset", "-q", "--soft", commit]).map(drop)
    }

    /// Moves `main` (and HEAD) and the index to `commit`, as `git commit` leaves them (the
    /// index lists the commit's tree, its cache-tree naming the folders: the hooks read large
    /// folders from it), without touching the working tree or running hooks.
    pub fn commit_state(&self, commit: &str) -> io::Result<()> {
        git(&self.dir, &["reset", "-q", "--mixed", commit])?;
        // `reset` leaves the cache-tree invalid where the index changed; a commit writes it.
        git(&self.dir, &["write-tree"]).map(drop)
    }

    /// Drops from the tree memo (`.git/roadmap/trees/`) the trees of `commit` under `.roadmap`
    /// that the base does not share. A sync back to the base keeps both sides of its diff,
    /// while a real post-commit hook meets the trees its commit just wrote for the first time
    /// and reads them from git: without this, a timed hook found its new tree in the memo.
    pub fn forget_new_trees(&self, commit: &str) -> io::Result<()> {
        let trees = |rev: &str| -> io::Result<std::collections::HashSet<String>> {
            let listed = git(
                &self.dir,
                &[
                    "ls-tree",
                    "-r",
                    "-d",
                    "--format=%(objectname)",
                    rev,
                    "--",
                    ".roadmap",
                ],
            )?;
            let mut ids: std::collections::HashSet<String> =
                listed.lines().map(str::to_owned).collect();
            ids.insert(
                git(&self.dir, &["rev-parse", &format!("{rev}:.roadmap")])?
                    .trim()
                    .to_owned(),
            );
            Ok(ids)
        };
        let base = trees(&self.base)?;
        for id in trees(commit)?.difference(&base) {
            // The raw tree, or the link to the index that listed it.
            for name in [id.clone(), format!("{id}.index")] {
                match std::fs::remove_file(self.cache_dir().join("trees").join(name)) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The branch HEAD is on, read from the file as the hooks do.
    pub fn current_branch(&self) -> io::Result<String> {
        let head = std::fs::read_to_string(self.dir.join(".git/HEAD"))?;
        Ok(head
            .trim()
            .strip_prefix("ref: refs/heads/")
            .unwrap_or_default()
            .to_owned())
    }

    /// Where the cache lives.
    #[must_use]
    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join(".git/roadmap")
    }

    /// The commit the cache says it holds.
    pub fn last_synced_commit(&self) -> io::Result<String> {
        let cache = Cache::open_existing(&self.cache_dir()).map_err(io::Error::other)?;
        let commit = cache.last_synced_commit().map_err(io::Error::other)?;
        Ok(commit.unwrap_or_default())
    }

    /// Fails unless the cache holds `commit`: a timed sync that did not sync is no result.
    pub fn expect_synced_to(&self, commit: &str) -> io::Result<()> {
        let synced = self.last_synced_commit()?;
        if synced == commit {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "the cache holds {synced}, expected {commit}"
            )))
        }
    }

    /// The size of the live cache generation (with its WAL, if any) in bytes.
    pub fn cache_bytes(&self) -> io::Result<u64> {
        let cache = Cache::open_existing(&self.cache_dir()).map_err(io::Error::other)?;
        let db = cache.path().to_owned();
        drop(cache);
        let mut wal = db.clone().into_os_string();
        wal.push("-wal");
        let wal_bytes = std::fs::metadata(&wal).map_or(0, |m| m.len());
        Ok(std::fs::metadata(&db)?.len() + wal_bytes)
    }

    /// The total size of the issue files in the working tree, in bytes.
    pub fn issue_file_bytes(&self) -> io::Result<u64> {
        fn walk(dir: &Path) -> io::Result<u64> {
            let mut total = 0;
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    total += walk(&entry.path())?;
                } else if entry.file_name().to_string_lossy().ends_with(".md") {
                    total += entry.metadata()?.len();
                }
            }
            Ok(total)
        }
        let mut total = 0;
        for folder in [".roadmap/issues", ".roadmap/archive/issues"] {
            let path = self.dir.join(folder);
            if path.is_dir() {
                total += walk(&path)?;
            }
        }
        Ok(total)
    }
}
