//! Linked worktrees share one remote state (issue 26, point 5): `remote.db` and the remote-sync
//! lock live in the common git dir, so a second worktree never creates again what the first
//! synced, and two syncs never run at once. A `remote.db` a worktree kept before is adopted
//! without losing a baseline, or refused, named, when it disagrees with the shared one.

use crate::common::github_server::REPO;
use crate::common::mirrored::Mirrored;
use roadmap_hooks::cache::remote::RemoteState;
use std::path::{Path, PathBuf};

/// A second worktree of `m`'s repository, on a branch of its own from HEAD.
fn second_worktree(m: &Mirrored) -> PathBuf {
    let dir = m.repo.sibling("second");
    m.repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "second",
        dir.to_str().unwrap(),
    ]);
    dir
}

/// Issues in the local files of the worktree at `dir` linked to GitHub issue `number`.
fn linked_in(m: &Mirrored, dir: &Path, number: u64) -> usize {
    let run = m
        .repo
        .run_in(dir, "roadmap", &["list", "--all", "--format", "json"])
        .success();
    let issues: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    issues
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["remote_ids"]["github"] == serde_json::json!(number))
        .count()
}

#[test]
fn a_second_worktree_does_not_create_again_what_the_first_synced() {
    let m = Mirrored::new();
    let second = second_worktree(&m);
    let number = m.github.state().add_issue("Made on GitHub", "", &[]);
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("create-local"), "{}", run.stdout);
    m.commit("pulled");

    let run = m.sync_in(&second, &[]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(!run.stdout.contains("create-"), "{}", run.stdout);
    assert_eq!(linked_in(&m, &second, number), 0, "not pulled again");
    assert_eq!(m.github.state().issues.len(), 1);
    assert!(
        !second.join(".git").is_dir()
            && !m
                .repo
                .root
                .join(".git/worktrees/second/roadmap/remote.db")
                .exists(),
        "no remote.db of the worktree's own"
    );
}

#[test]
fn a_sync_in_one_worktree_holds_the_others_off() {
    let m = Mirrored::new();
    let second = second_worktree(&m);
    // The first worktree's sync is under way: it holds the shared lock.
    let lock = std::fs::File::create(m.repo.root.join(".git/roadmap/remote-sync.lock")).unwrap();
    fs2::FileExt::lock_exclusive(&lock).unwrap();
    let run = m.sync_in(&second, &[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("another `roadmap sync`"),
        "{}",
        run.stderr
    );
    assert_eq!(m.github.request_count(), 0);
    drop(lock);
    m.sync_in(&second, &[]).success();
}

/// Writes `rows` into the `remote.db` a worktree kept in its own git dir before.
fn old_worktree_state(m: &Mirrored, rows: &[(&str, &str)]) -> PathBuf {
    let dir = m.repo.root.join(".git/worktrees/second/roadmap");
    let state = RemoteState::open(&dir).unwrap();
    for (id, json) in rows {
        state
            .set_base_state(&format!("github:{REPO}"), id, json)
            .unwrap();
    }
    dir.join("remote.db")
}

#[test]
fn a_worktrees_own_remote_db_is_adopted_with_every_baseline() {
    let m = Mirrored::new();
    let second = second_worktree(&m);
    // Before the shared state, the second worktree pulled #1 into a file of its own.
    let number = m.github.state().add_issue("Pulled in the second", "", &[]);
    let run = m.sync_in(&second, &[]).success();
    assert!(run.stdout.contains("create-local"), "{}", run.stdout);
    m.repo.git_in(&second, &["add", "-A"]);
    m.repo.git_in(&second, &["commit", "-q", "-m", "pulled"]);
    // Where a version before the shared state kept it: in the worktree's own git dir.
    let own = m.repo.root.join(".git/worktrees/second/roadmap");
    if !own.join("remote.db").exists() {
        std::fs::create_dir_all(&own).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::rename(
                m.repo.root.join(format!(".git/roadmap/remote.db{suffix}")),
                own.join(format!("remote.db{suffix}")),
            );
        }
    }

    // The first worktree syncs: the baselines the second kept are found, so #1 is known and
    // not pulled again as new.
    let run = m.sync(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(!run.stdout.contains("create-local"), "{}", run.stdout);
    assert_eq!(linked_in(&m, &m.repo.root, number), 0);
    assert!(!own.join("remote.db").exists(), "adopted, not read twice");
    let rows = m.baselines();
    assert!(
        rows.iter().any(|(_, json)| json.contains("\"number\":1")),
        "{rows:?}"
    );
}

#[test]
fn two_remote_dbs_that_disagree_are_named_and_nothing_is_sent() {
    let m = Mirrored::new();
    second_worktree(&m);
    let shared = RemoteState::open(&m.repo.root.join(".git/roadmap")).unwrap();
    shared
        .set_base_state(
            &format!("github:{REPO}"),
            "0000d001",
            r#"{"number":1,"fields":null}"#,
        )
        .unwrap();
    drop(shared);
    let old = old_worktree_state(
        &m,
        &[
            ("0000d001", r#"{"number":2,"fields":null}"#),
            ("0000d002", r#"{"number":3,"fields":null}"#),
        ],
    );
    let before = m.baselines();

    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("0000d001"), "{}", run.stderr);
    assert!(run.stderr.contains(old.to_str().unwrap()), "{}", run.stderr);
    assert!(run.stderr.contains("hint: "), "{}", run.stderr);
    assert_eq!(m.github.request_count(), 0);
    assert_eq!(m.baselines(), before, "nothing merged half way");
    assert!(old.exists(), "the worktree's file is kept");
}
