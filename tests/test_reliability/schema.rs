//! Schema upgrades: a cache generation of another schema version is rebuilt on the next query
//! or hook, and `remote.db`, which cannot be rebuilt from git, survives every rebuild.

use super::{cache_dir, generation_files, list_in, live_generation, scan_dir};
use crate::common::TestRepo;
use crate::corpus;
use roadmap_hooks::cache::SCHEMA_VERSION;
use roadmap_hooks::cache::remote::RemoteState;

fn repo_of(issues: usize, hooks: bool) -> TestRepo {
    let repo = TestRepo::new();
    for index in 0..issues {
        let issue = corpus::issue(11, index);
        repo.write(&issue.path, &issue.text);
    }
    repo.commit_all("issues");
    repo.roadmap_hooks(&[if hooks { "install" } else { "sync" }])
        .success();
    repo
}

fn set_user_version(repo: &TestRepo, version: i64) {
    let conn = rusqlite::Connection::open(live_generation(repo)).expect("open the generation");
    conn.pragma_update(None, "user_version", version)
        .expect("set user_version");
}

fn user_version(repo: &TestRepo) -> i64 {
    let conn = rusqlite::Connection::open(live_generation(repo)).expect("open the generation");
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("read user_version")
}

#[test]
fn a_cache_of_another_schema_version_is_rebuilt_by_the_next_list() {
    for version in [1, SCHEMA_VERSION - 1, SCHEMA_VERSION + 1] {
        let repo = repo_of(50, false);
        set_user_version(&repo, version);
        let old = live_generation(&repo);
        let listing = list_in(&repo, &repo.root, &[]);
        assert_eq!(listing.status, 0, "schema {version}: {}", listing.stderr);
        assert_eq!(
            listing.stderr,
            format!(
                "roadmap: warning: rebuilt the issue cache from HEAD (the cache at {} has schema \
                 {version}; this build uses {SCHEMA_VERSION})\n",
                old.display()
            ),
        );
        assert_eq!(listing.json, scan_dir(&repo.root).json, "schema {version}");
        assert_eq!(user_version(&repo), SCHEMA_VERSION);
        assert_eq!(
            generation_files(&repo).len(),
            1,
            "the old generation is gone"
        );
    }
}

/// A generation written by hand in an older layout (other tables, a row the current build
/// would never write) is replaced by the next hook, in one line on git's stderr.
#[test]
fn a_hand_written_old_generation_is_rebuilt_by_the_next_hook() {
    let repo = repo_of(50, true);
    let old = cache_dir(&repo).join("cache-1-1.db");
    let conn = rusqlite::Connection::open(&old).expect("create an old generation");
    conn.execute_batch(
        "CREATE TABLE issues (id TEXT PRIMARY KEY, title TEXT NOT NULL, status TEXT);
         INSERT INTO issues VALUES ('deadbeef', 'Only in the old cache', 'todo');
         CREATE TABLE sync_metadata (key TEXT PRIMARY KEY, value TEXT);
         PRAGMA user_version = 1;",
    )
    .expect("write the old layout");
    drop(conn);
    std::fs::remove_file(live_generation(&repo)).expect("remove the current generation");
    std::fs::write(cache_dir(&repo).join("current"), "cache-1-1.db\n").expect("point at it");

    let issue = corpus::issue(11, 50);
    repo.write(&issue.path, &issue.text);
    repo.git(&["add", "-A"]);
    let commit = repo.try_git(&["commit", "-q", "-m", "one more"]);
    assert_eq!(commit.status, 0, "{commit:?}");
    assert_eq!(
        commit.stderr,
        format!(
            "roadmap-hooks: rebuilt the issue cache from HEAD (the cache at {} has schema 1; \
             this build uses {SCHEMA_VERSION})\n",
            old.display()
        )
    );
    let listing = list_in(&repo, &repo.root, &["--no-sync"]);
    assert_eq!(listing.stderr, "");
    assert_eq!(listing.json, scan_dir(&repo.root).json);
    assert!(!listing.json.contains("deadbeef"));
    assert!(!old.exists(), "the old generation is deleted");
}

/// `sync_base_state` rows are kept through a requested rebuild, a rebuild for damage and a
/// rebuild for a schema change.
#[test]
fn remote_state_survives_every_kind_of_rebuild() {
    let repo = repo_of(20, false);
    let state = r#"{"title":"Agreed title","status":"todo"}"#;
    RemoteState::open(&cache_dir(&repo))
        .and_then(|remote| remote.set_base_state("github", "0000abcd", state))
        .expect("record a base state");
    let kept = || {
        RemoteState::open(&cache_dir(&repo))
            .and_then(|remote| remote.base_state("github", "0000abcd"))
            .expect("read the base state")
    };

    let rebuilt = repo.roadmap_hooks(&["sync", "--full"]).success().stdout;
    assert!(rebuilt.starts_with("rebuilt the cache"), "{rebuilt}");
    assert_eq!(kept().as_deref(), Some(state), "after sync --full");

    std::fs::remove_file(live_generation(&repo)).expect("delete the generation");
    let listing = list_in(&repo, &repo.root, &[]);
    assert!(listing.stderr.contains("rebuilt"), "{}", listing.stderr);
    assert_eq!(kept().as_deref(), Some(state), "after a rebuild for damage");

    set_user_version(&repo, SCHEMA_VERSION - 1);
    let listing = list_in(&repo, &repo.root, &[]);
    assert!(listing.stderr.contains("rebuilt"), "{}", listing.stderr);
    assert_eq!(
        kept().as_deref(),
        Some(state),
        "after a rebuild for the schema"
    );
}
