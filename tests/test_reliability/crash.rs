//! Crash safety: a sync killed with SIGKILL anywhere leaves the old cache or the new one, never
//! a mix, and the next sync completes; a damaged cache file is rebuilt with one warning.
//!
//! Points inside the transaction are hit exactly with `ROADMAP_HOOKS_TEST_PAUSE` (the sync
//! says on stderr that it paused there, and sleeps until killed); other points with kills at
//! random moments of an uninterrupted sync.

use super::{
    LIST_ALL, Snapshot, Spawned, assert_same_listing, generation_files, integrity, kill_9, list_in,
    live_generation, scan_dir,
};
use crate::common::{TestRepo, binary};
use crate::corpus::{self, Rng};
use std::time::{Duration, Instant};

/// Issues in the repository the syncs are killed on: 4,000 keep this test near 6 s in a
/// debug build; `ROADMAP_CRASH_ISSUES=10000` (15 s) or more for a longer run.
fn issue_count() -> usize {
    std::env::var("ROADMAP_CRASH_ISSUES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4_000)
}

#[test]
fn kill_9_inside_a_sync_leaves_the_old_or_the_new_cache() {
    let mut rng = Rng::new(0x5eed_c0a5);
    let issues = issue_count();
    let repo = TestRepo::new();
    write_corpus(&repo, 0..issues);
    repo.commit_all("a corpus of issues");
    let old_commit = repo.head();
    repo.roadmap_hooks(&["install"]).success();
    let old = scan_dir(&repo.root);

    let changed = change_many(&repo, &mut rng, issues);
    repo.git(&["add", "-A"]);
    git_without_hooks(&repo, &["commit", "-q", "-m", "change many issues"]);
    let new = scan_dir(&repo.root);
    assert_ne!(old.json, new.json);

    // Inside the transaction of an incremental sync, then of a full rebuild (whose new
    // generation is committed but not yet live at `committed`): the old cache stays.
    let points = [
        (vec!["sync"], format!("row-{}", 1 + rng.below(changed))),
        (vec!["sync"], "written".to_owned()),
        (
            vec!["sync", "--full"],
            format!("row-{}", 1 + rng.below(issues)),
        ),
        (vec!["sync", "--full"], "written".to_owned()),
        (vec!["sync", "--full"], "committed".to_owned()),
    ];
    for (args, point) in &points {
        let what = format!("roadmap-hooks {} killed at {point}", args.join(" "));
        let mut sync = Spawned::start(
            &binary("roadmap-hooks"),
            args,
            &repo.root,
            &[("ROADMAP_HOOKS_TEST_PAUSE", point)],
        );
        let pid = sync
            .wait_for_pause()
            .unwrap_or_else(|stderr| panic!("{what}: never paused; stderr:\n{stderr}"));
        kill_9(pid);
        let (status, _, _) = sync.finish();
        assert_eq!(status, -1, "{what}: ended by the signal");
        assert_cache_is(&repo, &[("old", &old)], &what);
    }

    // The hook of a commit killed inside its transaction: git still succeeds.
    let mut commit = Spawned::start(
        std::path::Path::new("git"),
        &["commit", "-q", "--allow-empty", "-m", "empty"],
        &repo.root,
        &[("ROADMAP_HOOKS_TEST_PAUSE", "written")],
    );
    let pid = commit
        .wait_for_pause()
        .unwrap_or_else(|stderr| panic!("the post-commit hook never paused:\n{stderr}"));
    kill_9(pid);
    let (status, _, _) = commit.finish();
    assert_eq!(status, 0, "git commit succeeds though its hook was killed");
    assert_cache_is(
        &repo,
        &[("old", &old)],
        "the post-commit hook killed at written",
    );

    // The next sync completes and deletes what the killed rebuilds left behind.
    assert_next_sync_completes(&repo, &new);

    let new_commit = repo.head();
    kill_at_random_moments(&repo, &mut rng, [(&old_commit, &old), (&new_commit, &new)]);
    let head = repo.head();
    assert_next_sync_completes(&repo, if head == old_commit { &old } else { &new });
}

/// `roadmap-hooks sync` succeeds and leaves the cache at HEAD (`head`), sound, current and in
/// one generation file.
#[track_caller]
fn assert_next_sync_completes(repo: &TestRepo, head: &Snapshot) {
    repo.roadmap_hooks(&["sync"]).success();
    assert_cache_is(repo, &[("HEAD", head)], "after the next sync");
    let listing = list_in(repo, &repo.root, &["--no-sync"]);
    assert_eq!(listing.stderr, "", "the cache is current");
    assert_eq!(
        generation_files(repo),
        [live_generation(repo)
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a generation name")],
        "one generation file is left"
    );
}

/// Moves HEAD between the two commits and kills each sync to the other at a random moment
/// of its run (a random delay up to how long an uninterrupted sync took). The delay is where
/// the kill lands, not a wait for something to happen: any moment must leave a sound cache.
fn kill_at_random_moments(repo: &TestRepo, rng: &mut Rng, commits: [(&String, &Snapshot); 2]) {
    let move_head = |to: &str| repo.git(&["update-ref", "refs/heads/main", to]);
    let mut took = [Duration::ZERO; 2];
    for (kind, args) in [["sync", ""], ["sync", "--full"]].iter().enumerate() {
        let args: Vec<&str> = args.iter().copied().filter(|a| !a.is_empty()).collect();
        for (commit, _) in commits {
            move_head(commit);
            let started = Instant::now();
            repo.roadmap_hooks(&args).success();
            took[kind] = took[kind].max(started.elapsed());
        }
    }
    // The cache and HEAD are at commits[1] now.
    let mut at = 1;
    for round in 0..4 {
        let kind = round % 2;
        let args: &[&str] = if kind == 0 {
            &["sync"]
        } else {
            &["sync", "--full"]
        };
        let (target, _) = commits[1 - at];
        move_head(target);
        let delay = Duration::from_micros(rng.below(took[kind].as_micros() as usize + 1) as u64);
        let mut sync = Spawned::start(&binary("roadmap-hooks"), args, &repo.root, &[]);
        // Not a wait for anything: the delay is the random point where the kill lands.
        std::thread::sleep(delay);
        let _ = sync.child().kill();
        let (status, _, stderr) = sync.finish();
        assert!(
            status == 0 || status == -1,
            "roadmap-hooks {args:?} failed: {stderr}"
        );
        let what = format!("roadmap-hooks {args:?} killed after {delay:?}");
        let which = assert_cache_is(
            repo,
            &[("old", commits[at].1), ("new", commits[1 - at].1)],
            &what,
        );
        if which == "new" {
            at = 1 - at;
        }
    }
}

/// Asserts the cache lists exactly one of `states` and is sound; returns the one it lists.
#[track_caller]
fn assert_cache_is<'a>(repo: &TestRepo, states: &[(&'a str, &Snapshot)], what: &str) -> &'a str {
    assert_eq!(integrity(repo), "ok", "{what}: integrity check");
    let listing = list_in(repo, &repo.root, &["--no-sync"]);
    assert_eq!(listing.status, 0, "{what}: {}", listing.stderr);
    match states.iter().find(|(_, state)| state.json == listing.json) {
        Some((name, _)) => name,
        None => {
            assert_same_listing(&listing.json, &states[0].1.json, what);
            unreachable!("the listing differs from every state")
        }
    }
}

/// Writes corpus issues `range` (seed 1) into the working tree.
fn write_corpus(repo: &TestRepo, range: std::ops::Range<usize>) {
    for index in range {
        let issue = corpus::issue(1, index);
        repo.write(&issue.path, &issue.text);
    }
}

/// Modifies, deletes, moves and adds issues in the working tree; returns how many files the
/// next sync writes (deletions are not counted: they write no row).
fn change_many(repo: &TestRepo, rng: &mut Rng, issues: usize) -> usize {
    let mut changed = 0;
    for index in (0..issues).step_by(7) {
        let issue = corpus::issue(1, index);
        match rng.below(4) {
            0 => {
                repo.remove(&issue.path);
                continue;
            }
            1 => {
                // Into another milestone folder; without its key, the folder names the milestone.
                let name = issue.path.rsplit('/').next().expect("a file name");
                repo.remove(&issue.path);
                repo.write(
                    &format!(".roadmap/issues/v9-9/{name}"),
                    &issue.text.replacen("milestone: ", "x_old_milestone: ", 1),
                );
            }
            _ => repo.write(
                &issue.path,
                &issue
                    .text
                    .replacen("status: ", "status: blocked\nx_was: ", 1),
            ),
        }
        changed += 1;
    }
    write_corpus(repo, issues..issues + 500);
    changed + 500
}

fn git_without_hooks(repo: &TestRepo, args: &[&str]) {
    let run = repo.try_git_with_env(&repo.root, args, &[("ROADMAP_HOOKS", "0")]);
    assert_eq!(run.status, 0, "git {args:?}: {}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Damaged cache files

/// What happens to the live generation file.
#[derive(Debug, Clone, Copy)]
enum Damage {
    Deleted,
    Emptied,
    TruncatedToHalf,
    RandomBytes,
    /// The header and the first pages intact, pages further in overwritten.
    InnerPagesOverwritten,
}

fn damage(repo: &TestRepo, how: Damage) {
    let file = live_generation(repo);
    let len = std::fs::metadata(&file).expect("the live generation").len() as usize;
    let mut rng = Rng::new(len as u64);
    let mut noise = |n: usize| -> Vec<u8> { (0..n).map(|_| rng.next_u64() as u8).collect() };
    match how {
        Damage::Deleted => std::fs::remove_file(&file).expect("delete the cache"),
        Damage::Emptied => std::fs::write(&file, b"").expect("empty the cache"),
        Damage::TruncatedToHalf => std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_len(len as u64 / 2))
            .expect("truncate the cache"),
        Damage::RandomBytes => std::fs::write(&file, noise(len)).expect("overwrite the cache"),
        Damage::InnerPagesOverwritten => {
            let mut bytes = std::fs::read(&file).expect("read the cache");
            let start = (len / 3).max(16_384).min(len);
            let end = (start + 64 * 1024).min(len);
            bytes[start..end].copy_from_slice(&noise(end - start));
            std::fs::write(&file, bytes).expect("write the cache back");
        }
    }
}

/// A synced repository of 200 issues, with the hooks installed or one sync by hand.
fn synced_repo(hooks: bool) -> TestRepo {
    let repo = TestRepo::new();
    write_corpus(&repo, 0..200);
    repo.commit_all("two hundred issues");
    repo.roadmap_hooks(&[if hooks { "install" } else { "sync" }])
        .success();
    repo
}

/// `roadmap list` finds the damage, rebuilds, says so in one line and lists HEAD's issues.
fn damaged_cache_is_rebuilt_by_the_next_list(how: Damage) {
    let repo = synced_repo(false);
    damage(&repo, how);
    let listing = list_in(&repo, &repo.root, &[]);
    assert_eq!(listing.status, 0, "{how:?}: {}", listing.stderr);
    assert_eq!(
        listing.stderr.lines().count(),
        1,
        "{how:?}: {}",
        listing.stderr
    );
    assert!(
        listing
            .stderr
            .starts_with("roadmap: warning: rebuilt the issue cache from HEAD ("),
        "{how:?}: {}",
        listing.stderr
    );
    assert_same_listing(
        &listing.json,
        &scan_dir(&repo.root).json,
        &format!("{how:?}"),
    );
    assert_eq!(integrity(&repo), "ok");
    assert_eq!(
        generation_files(&repo).len(),
        1,
        "{how:?}: the damaged file is gone"
    );
    let again = list_in(&repo, &repo.root, &["--no-sync"]);
    assert_eq!((again.status, again.stderr.as_str()), (0, ""), "{how:?}");
}

/// With the hooks installed, the next commit's hook rebuilds, in one line on git's stderr.
fn damaged_cache_is_rebuilt_by_the_next_hook(how: Damage) {
    let repo = synced_repo(true);
    damage(&repo, how);
    let issue = corpus::issue(1, 200);
    repo.write(&issue.path, &issue.text);
    repo.git(&["add", "-A"]);
    let commit = repo.try_git(&["commit", "-q", "-m", "one more"]);
    assert_eq!(commit.status, 0, "{how:?}: {commit:?}");
    assert_eq!(
        commit.stderr.lines().count(),
        1,
        "{how:?}: {}",
        commit.stderr
    );
    assert!(
        commit
            .stderr
            .starts_with("roadmap-hooks: rebuilt the issue cache from HEAD ("),
        "{how:?}: {}",
        commit.stderr
    );
    let listing = list_in(&repo, &repo.root, &["--no-sync"]);
    assert_eq!(
        (listing.status, listing.stderr.as_str()),
        (0, ""),
        "{how:?}"
    );
    assert_same_listing(
        &listing.json,
        &scan_dir(&repo.root).json,
        &format!("{how:?}"),
    );
}

#[test]
fn a_deleted_cache_file_is_rebuilt_with_a_warning() {
    damaged_cache_is_rebuilt_by_the_next_list(Damage::Deleted);
    damaged_cache_is_rebuilt_by_the_next_hook(Damage::Deleted);
}

#[test]
fn an_emptied_cache_file_is_rebuilt_with_a_warning() {
    damaged_cache_is_rebuilt_by_the_next_list(Damage::Emptied);
    damaged_cache_is_rebuilt_by_the_next_hook(Damage::Emptied);
}

#[test]
fn a_truncated_cache_file_is_rebuilt_with_a_warning() {
    damaged_cache_is_rebuilt_by_the_next_list(Damage::TruncatedToHalf);
    damaged_cache_is_rebuilt_by_the_next_hook(Damage::TruncatedToHalf);
}

#[test]
fn a_cache_file_of_random_bytes_is_rebuilt_with_a_warning() {
    damaged_cache_is_rebuilt_by_the_next_list(Damage::RandomBytes);
    damaged_cache_is_rebuilt_by_the_next_hook(Damage::RandomBytes);
}

/// Regression: opening checks the header and the sync metadata only, so damage deeper in the
/// file is found by the query that reads it; `roadmap list` then rebuilt nothing and failed with
/// "database disk image is malformed". Now that query's error leads to a rebuild and a retry.
#[test]
fn a_cache_file_with_overwritten_inner_pages_is_rebuilt_with_a_warning() {
    damaged_cache_is_rebuilt_by_the_next_list(Damage::InnerPagesOverwritten);
}

/// The warning names what was wrong, so the user is not left guessing.
#[test]
fn the_rebuild_warning_says_what_was_wrong() {
    for (how, reason) in [
        (Damage::Deleted, "is missing"),
        (Damage::Emptied, "is empty"),
        (Damage::RandomBytes, "file is not a database"),
    ] {
        let repo = synced_repo(false);
        let file = live_generation(&repo);
        damage(&repo, how);
        let stderr = repo.roadmap(&LIST_ALL).success().stderr;
        assert!(
            stderr.contains(&file.display().to_string()) && stderr.contains(reason),
            "{how:?}: expected the file and `{reason}`: {stderr}"
        );
    }
}
