//! What a forwarded tracker command writes shows in the very next query, before any commit:
//! after the tracker exits, `roadmap` looks at the working tree and records its changes as
//! pending writes. Checked with a stand-in tracker that writes files always, and with the real
//! tracker's quick-start when it is installed.

use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::common::{IssueSpec, Run, TestRepo, hermetic};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A stand-in tracker that writes issue files as the real one would: `issue create --title T`
/// adds one, `issue close ID` closes one, `issue delete ID` removes one; exits 3 for anything
/// else, after writing nothing.
fn writing_tracker(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("roadmap");
    std::fs::write(
        &path,
        r#"#!/bin/sh
case "$1 $2" in
"issue create")
  mkdir -p .roadmap/issues/backlog
  printf -- '---\nid: abcdef01\ntitle: %s\nstatus: todo\npriority: high\n---\n\nMade by the tracker.\n' "$4" \
    > .roadmap/issues/backlog/abcdef01-made-by-the-tracker.md ;;
"issue close")
  f=$(ls .roadmap/issues/*/"$3"-*.md)
  sed -i 's/^status: .*/status: closed/' "$f" ;;
"issue delete")
  rm .roadmap/issues/*/"$3"-*.md ;;
*) exit 3 ;;
esac
"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn roadmap_with_tracker(repo: &TestRepo, tracker: &Path, args: &[&str], home: &Path) -> Run {
    let mut command = Command::new(crate::common::binary("roadmap"));
    hermetic(&mut command)
        .args(args)
        .current_dir(&repo.root)
        .env("ROADMAP_TRACKER", tracker)
        .env("HOME", home);
    Run::from_output(command.output().unwrap())
}

/// The cache as it stands (no sync, no look) must equal the working tree's files, as the
/// tracker's reader and PyYAML read them.
#[track_caller]
fn cache_equals_the_working_tree(repo: &TestRepo) {
    repo.assert_cache_equals_working_tree();
}

#[test]
fn a_forwarded_write_shows_in_the_next_query_before_any_commit() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha"));
    repo.roadmap_hooks(&["install"]).success();
    let tracker = writing_tracker(&repo.sibling("tracker"));
    let home = repo.sibling("home");

    let created = roadmap_with_tracker(
        &repo,
        &tracker,
        &["issue", "create", "--title", "Made by the tracker"],
        &home,
    );
    assert_eq!(created.status, 0, "{created:?}");
    assert!(
        repo.listed_ids(&["--no-sync"])
            .contains(&"abcdef01".to_owned())
    );
    cache_equals_the_working_tree(&repo);

    let closed = roadmap_with_tracker(
        &repo,
        &tracker,
        &["issue", "close", "0000000a", "--reason", "x"],
        &home,
    );
    assert_eq!(closed.status, 0, "{closed:?}");
    let listed = repo.listed(&["--no-sync"]);
    let alpha = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "0000000a");
    assert_eq!(alpha.unwrap()["status"], "closed", "{listed}");
    cache_equals_the_working_tree(&repo);
    let deleted = roadmap_with_tracker(
        &repo,
        &tracker,
        &["issue", "delete", "abcdef01", "--force"],
        &home,
    );
    assert_eq!(deleted.status, 0, "{deleted:?}");
    cache_equals_the_working_tree(&repo);
    assert_eq!(repo.listed_ids(&["--no-sync"]), ["0000000a"]);

    // The tracker's exit status comes back; a failed command changes nothing.
    let failed = roadmap_with_tracker(&repo, &tracker, &["frobnicate"], &home);
    assert_eq!(failed.status, 3);
    cache_equals_the_working_tree(&repo);

    // Committed, it is simply HEAD's.
    repo.commit_all("what the tracker did");
    repo.assert_cache_matches_head(&[]);
}

/// The id in the tracker's "ID: abcdef01" line.
fn id_in(output: &str) -> String {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix("ID: "))
        .or_else(|| {
            output.split("File: .roadmap/issues/").nth(1).map(|rest| {
                rest.trim_start_matches(|c| c != '/')
                    .trim_start_matches('/')
            })
        })
        .map(|id| id.chars().take(8).collect())
        .unwrap_or_else(|| panic!("no id in {output}"))
}

#[test]
fn the_trackers_quick_start_runs_through_our_roadmap() {
    let Some(tracker) = installed_tracker(TrackerLine::Legacy) else {
        return;
    };
    let repo = TestRepo::new();
    repo.write("README.md", "x\n");
    repo.commit_all("init");
    let home = repo.sibling("home");
    std::fs::create_dir_all(&home).unwrap();
    let run = |args: &[&str]| {
        let run = roadmap_with_tracker(&repo, &tracker, args, &home);
        assert_eq!(run.status, 0, "{args:?}: {run:?}");
        run
    };
    run(&[
        "init",
        "--non-interactive",
        "-y",
        "--skip-github",
        "--skip-project",
    ]);
    // What the tracker's init adds to .gitignore, as make-fixtures.sh captured it.
    let captured = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracker-1.0.2-cli-output/init-wrote-root-gitignore.txt");
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".gitignore")).unwrap(),
        std::fs::read_to_string(captured).unwrap()
    );
    repo.roadmap_hooks(&["install"]).success();
    run(&["milestone", "create", "--title", "v1"]);
    let created = run(&[
        "issue",
        "create",
        "--title",
        "First from the tracker",
        "-m",
        "v1",
    ]);
    let id = id_in(&created.stdout);
    cache_equals_the_working_tree(&repo);
    for step in [
        vec!["issue", "start", id.as_str()],
        vec!["issue", "update", id.as_str(), "-p", "high"],
        vec!["issue", "close", id.as_str()],
        vec!["issue", "archive", id.as_str(), "--force"],
        vec!["issue", "restore", id.as_str(), "--force"],
    ] {
        run(&step);
        cache_equals_the_working_tree(&repo);
    }
    assert_eq!(
        repo.listed(&["--no-sync"]).as_array().unwrap()[0]["status"],
        "closed"
    );
}
