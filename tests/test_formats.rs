//! What only some repository formats and situations have: reftable stacks of many refs and
//! `git refs migrate`, SHA-256 pending writes, sparse blobless clones whose roadmap blobs git
//! never fetches, replace refs, a range of hooks under a held lock, and diffs large enough that
//! a rebuild is cheaper. (`ROADMAP_TEST_REPO_FORMAT` runs the git-operation and model tests on
//! each format; these build the format they are about.)

use crate::common::{IssueSpec, RepoFormat, Run, TestRepo, git_with_env, hermetic};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn installed(format: RepoFormat, issues: &[IssueSpec]) -> TestRepo {
    let repo = TestRepo::with_format(format);
    for issue in issues {
        repo.write_issue(issue);
    }
    repo.commit_all("first issues");
    repo.as_partial_clone();
    repo.roadmap_hooks(&["install"]).success();
    repo
}

/// Runs hermetic git in `dir` with `input` on its stdin; panics if it fails.
#[track_caller]
fn git_with_input(dir: &Path, args: &[&str], input: &str) -> String {
    let mut child = hermetic(&mut Command::new("git"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run git");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let run = Run::from_output(child.wait_with_output().unwrap()).success();
    run.stdout
}

/// `roadmap list --no-sync` printed nothing on stderr: the cheap HEAD check found the cache
/// current, so the hooks kept it so.
#[track_caller]
fn assert_fresh_without_sync(repo: &TestRepo) {
    let run = repo
        .roadmap(&["list", "--no-sync", "--format", "ids"])
        .success();
    assert_eq!(run.stderr, "", "--no-sync warned");
}

/// Git succeeded and none of our hooks said anything.
#[track_caller]
fn assert_quiet(run: &Run) {
    assert_eq!(run.status, 0, "{run:?}");
    assert!(!run.stderr.contains("roadmap-hooks"), "{}", run.stderr);
}

#[test]
fn reftable_head_is_found_among_thousands_of_refs() {
    let repo = installed(RepoFormat::Reftable, &[IssueSpec::new("0000000a", "Alpha")]);
    // Many refs compacted into one table: several ref blocks, padding, an index block.
    let head = repo.head();
    let updates: String = (0..3000)
        .map(|i| format!("create refs/heads/topic/{i:05} {head}\n"))
        .collect();
    git_with_input(&repo.root, &["update-ref", "--stdin"], &updates);
    repo.git(&["pack-refs", "--all"]);
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.commit_all("beta");
    assert_fresh_without_sync(&repo);
    repo.assert_cache_matches_head(&["--no-sync"]);
    // A branch that sorts after every topic, so HEAD's target is in a later block.
    repo.git(&["switch", "-q", "-c", "zz-last"]);
    repo.write_issue(&IssueSpec::new("0000000c", "Gamma"));
    repo.commit_all("gamma");
    assert_fresh_without_sync(&repo);
    repo.assert_cache_matches_head(&["--no-sync"]);
    // And a reset, which fires no hook, is seen from the stack.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let stale = repo.roadmap(&["list", "--no-sync", "--format", "ids"]);
    assert!(
        stale
            .stderr
            .contains(&format!("but HEAD is {}", &repo.head()[..7])),
        "{}",
        stale.stderr
    );
    repo.assert_cache_matches_head(&[]);
}

#[test]
fn refs_migrated_to_reftable_keep_hooks_and_self_healing_working() {
    let repo = installed(RepoFormat::Files, &[IssueSpec::new("0000000a", "Alpha")]);
    // git 2.47 migrates no reflogs (2.48 does): drop them first.
    std::fs::remove_dir_all(repo.root.join(".git/logs")).unwrap();
    repo.git(&["refs", "migrate", "--ref-format=reftable"]);
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.git(&["add", "-A"]);
    assert_quiet(&repo.try_git(&["commit", "-q", "-m", "beta"]));
    assert_fresh_without_sync(&repo);
    repo.assert_cache_matches_head(&["--no-sync"]);
    // A linked worktree of a reftable repository has a stack of its own for HEAD.
    let worktree = repo.sibling("wt");
    assert_quiet(&repo.try_git(&["worktree", "add", "-q", worktree.to_str().unwrap()]));
    let run = repo.run_in(
        &worktree,
        "roadmap",
        &["list", "--no-sync", "--format", "ids"],
    );
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "0000000a\n0000000b\n");
}

#[test]
fn sha256_writes_are_recorded_in_the_repository_hash_and_end_when_committed() {
    let repo = installed(RepoFormat::Sha256, &[IssueSpec::new("0000000a", "Alpha")]);
    let path = IssueSpec::new("0000000a", "Alpha").path();
    repo.roadmap(&["update", "0000000a", "--status", "in-progress"])
        .success();
    let pending = repo.root.join(".git/roadmap/pending-writes.json");
    let records = std::fs::read_to_string(&pending).unwrap();
    let on_disk = git_with_input(&repo.root, &["hash-object", "--stdin"], &{
        std::fs::read_to_string(repo.root.join(&path)).unwrap()
    });
    assert!(records.contains(on_disk.trim()), "{records}");
    assert_eq!(
        repo.listed(&["--no-sync"])[0]["status"].as_str(),
        Some("in-progress")
    );
    repo.git(&["commit", "-q", "-am", "start alpha"]);
    repo.assert_cache_matches_head(&[]);
    assert!(!pending.exists(), "the write ended when HEAD held it");
    // A compare-and-swap against a file changed meanwhile still refuses.
    repo.roadmap(&["close", "0000000a"]).success();
    repo.git(&["checkout", "--", &path]);
    assert_eq!(
        repo.listed(&[])[0]["status"].as_str(),
        Some("in-progress"),
        "the discarded write shows HEAD's content again"
    );
}

/// How many `git fetch` processes a trace file shows that fetched objects by id (ours, and
/// git's own lazy fetches of a partial clone alike). A missing file is an error: it means no
/// git process ran with the trace on, and a count of 0 would then prove nothing.
#[track_caller]
fn fetches_by_id(trace: &Path) -> usize {
    std::fs::read_to_string(trace)
        .unwrap_or_else(|e| panic!("no git trace at {} ({e})", trace.display()))
        .lines()
        .filter(|line| line.contains("built-in: git fetch") && line.contains("--stdin"))
        .count()
}

#[test]
fn sparse_blobless_clone_fetches_the_roadmap_blobs_once_per_sync() {
    sparse_blobless_clone(RepoFormat::Files);
}

/// The same through the command-line backend, which finds the missing blobs with `git
/// --no-lazy-fetch cat-file --batch-check` instead of libgit2's object database.
#[test]
fn sparse_blobless_sha256_clone_fetches_the_roadmap_blobs_once_per_sync() {
    sparse_blobless_clone(RepoFormat::Sha256);
}

fn sparse_blobless_clone(format: RepoFormat) {
    let origin = TestRepo::with_format(format);
    origin.write("README.md", "top-level file\n");
    for i in 0..30 {
        origin.write_issue(&IssueSpec::new(
            &format!("000000{i:02}"),
            &format!("Issue {i}"),
        ));
    }
    origin.commit_all("thirty issues");
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", origin.root.display());
    let clone = origin.sibling("clone");
    origin.git_in(
        origin.root.parent().unwrap(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--sparse",
            &url,
            "clone",
        ],
    );
    assert!(!clone.join(".roadmap").exists(), "outside the sparse cone");
    let trace = origin.sibling("trace");
    let trace_env = [("GIT_TRACE", trace.to_str().unwrap())];
    let run = |args: &[&str]| {
        let output = hermetic(&mut Command::new(crate::common::binary("roadmap-hooks")))
            .args(args)
            .current_dir(&clone)
            .env("GIT_TRACE", &trace)
            .output()
            .unwrap();
        Run::from_output(output).success()
    };
    run(&["install"]);
    assert_eq!(fetches_by_id(&trace), 1, "thirty blobs, one fetch");
    let list = |extra: &[&str]| {
        let mut args = vec!["list", "--all", "--format", "ids"];
        args.extend_from_slice(extra);
        origin.run_in(&clone, "roadmap", &args).success()
    };
    assert_eq!(list(&["--no-sync"]).stdout.lines().count(), 30);

    // Ten issues change upstream; the pull's checkout fetches none of them (sparse), so the
    // post-merge hook does, in one fetch.
    for i in 0..10 {
        let issue = IssueSpec::new(&format!("000000{i:02}"), &format!("Issue {i}"));
        origin.write_issue(&issue.status("closed"));
    }
    origin.commit_all("close ten");
    std::fs::remove_file(&trace).unwrap();
    let pull = git_with_env(&clone, &["pull", "-q", "--ff-only"], &trace_env);
    assert_quiet(&pull);
    assert_eq!(fetches_by_id(&trace), 1, "ten blobs, one fetch");
    let closed = origin
        .run_in(
            &clone,
            "roadmap",
            &["list", "--no-sync", "-s", "closed", "--format", "ids"],
        )
        .success();
    assert_eq!(closed.stderr, "");
    assert_eq!(closed.stdout.lines().count(), 10);
    // A full rebuild finds every blob local now: no fetch at all. Shown with the origin out
    // of reach, where any fetch would fail: the libgit2 backend starts no git process when it
    // needs no blob, so there may be no trace to count in.
    std::fs::rename(&origin.root, origin.sibling("origin-out-of-reach")).unwrap();
    std::fs::remove_file(&trace).unwrap();
    let rebuilt = run(&["sync", "--full"]);
    assert_eq!(rebuilt.stderr, "");
    if trace.exists() {
        assert_eq!(fetches_by_id(&trace), 0);
    }
    let after = list(&["--no-sync"]);
    assert_eq!(
        (after.stdout.lines().count(), after.stderr.as_str()),
        (30, "")
    );
}

#[test]
fn replace_refs_are_honoured_as_git_show_does() {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = installed(RepoFormat::Files, std::slice::from_ref(&alpha));
    let path = alpha.path();
    let original = repo.git(&["rev-parse", &format!("HEAD:{path}")]);
    let replacement = git_with_input(
        &repo.root,
        &["hash-object", "-w", "--stdin"],
        &IssueSpec::new("0000000a", "Alpha, replaced").render(),
    );
    repo.git(&["replace", original.trim(), replacement.trim()]);
    let shown = repo.git(&["show", &format!("HEAD:{path}")]);
    assert!(shown.contains("Alpha, replaced"));
    // Rows are read again when their file changes or the cache is rebuilt.
    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(
        repo.listed(&["--no-sync"])[0]["title"].as_str(),
        Some("Alpha, replaced")
    );
    // Once the replace ref is gone, a rebuild reads the original again.
    repo.git(&["replace", "-d", original.trim()]);
    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(
        repo.listed(&["--no-sync"])[0]["title"].as_str(),
        Some("Alpha")
    );
}

/// Another process holds the sync lock through a 20-commit cherry-pick: the first hook waits
/// its 1.5 s, the other nineteen do not wait again; the next query catches up.
#[test]
fn a_range_of_hooks_under_a_held_lock_waits_once() {
    use fs2::FileExt;
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = installed(RepoFormat::from_env(), std::slice::from_ref(&alpha));
    repo.git(&["switch", "-q", "-c", "feature"]);
    for i in 0..20 {
        repo.write_issue(&alpha.clone().body(&format!("Step {i}.")));
        repo.git(&["commit", "-q", "-am", &format!("step {i}")]);
    }
    repo.git(&["switch", "-q", "main"]);
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(repo.root.join(".git/roadmap/sync.lock"))
        .unwrap();
    lock.lock_exclusive().unwrap();

    let started = Instant::now();
    let pick = repo.try_git(&["cherry-pick", "main..feature"]);
    let took = started.elapsed();
    assert_quiet(&pick);
    // Twenty waits would take 30 s; one takes 1.5 s. The bound leaves room for a slow machine.
    assert!(
        took < Duration::from_secs(12),
        "the cherry-pick took {took:?}"
    );

    FileExt::unlock(&lock).unwrap();
    repo.assert_cache_matches_head(&[]);
    assert_fresh_without_sync(&repo);
    assert!(!repo.root.join(".git/roadmap/hook-gave-up").exists());
}

/// The live generation's file name: it changes exactly when the cache is rebuilt.
fn generation(repo: &TestRepo) -> String {
    std::fs::read_to_string(repo.root.join(".git/roadmap/current")).unwrap()
}

#[test]
fn a_diff_larger_than_the_cache_rebuilds_it_quietly() {
    let repo = installed(
        RepoFormat::from_env(),
        &[IssueSpec::new("0000000a", "Alpha")],
    );
    let before = generation(&repo);
    repo.commit_issue(&IssueSpec::new("0000000b", "Beta"));
    assert_eq!(generation(&repo), before, "one file: applied as a diff");

    for i in 0..2500 {
        repo.write_issue(&IssueSpec::new(&format!("1{i:07}"), &format!("Bulk {i}")));
    }
    repo.git(&["add", "-A"]);
    assert_quiet(&repo.try_git(&["commit", "-q", "-m", "bulk import"]));
    assert_ne!(generation(&repo), before, "2,500 files into 2: rebuilt");
    assert_fresh_without_sync(&repo);
    repo.assert_cache_matches_head(&["--no-sync"]);

    let rebuilt = generation(&repo);
    repo.commit_issue(&IssueSpec::new("0000000c", "Gamma"));
    assert_eq!(generation(&repo), rebuilt, "small diffs are applied again");
}
