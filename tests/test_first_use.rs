//! The first commands in a repository that has no cache yet: what the tracker writes through
//! us before any query shows in the first query, committed or not, on an unborn HEAD too.

use crate::common::{Run, TestRepo, hermetic};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A tracker whose `issue create` writes one legacy issue file, as 1.0.2's does.
fn writing_tracker(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let path = dir.join("roadmap");
    fs::write(
        &path,
        "#!/bin/sh\n\
         mkdir -p .roadmap/issues/backlog\n\
         printf -- '---\\nid: 1234abcd\\ntitle: Written by the tracker\\nstatus: todo\\npriority: high\\n---\\n' \
         > .roadmap/issues/backlog/1234abcd-written-by-the-tracker.md\n\
         echo 'Created issue'\n",
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn roadmap_with(repo: &TestRepo, tracker: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(crate::common::binary("roadmap"));
    hermetic(&mut command)
        .env("ROADMAP_TRACKER", tracker)
        .args(args)
        .current_dir(&repo.root)
        .stdin(Stdio::null());
    Run::from_output(command.output().unwrap())
}

#[test]
fn a_tracker_write_before_any_cache_shows_in_the_first_query() {
    for unborn in [true, false] {
        let repo = TestRepo::new();
        repo.write(".roadmap/config.yaml", "");
        if !unborn {
            repo.commit_all("roadmap init");
        }
        let tracker = writing_tracker(&repo.sibling("tracker"));
        assert!(!repo.root.join(".git/roadmap").exists(), "no cache yet");

        let run = roadmap_with(&repo, &tracker, &["issue", "create", "--title", "Written"]);
        assert_eq!(
            run.stdout, "Created issue\n",
            "the output is the tracker's alone"
        );
        assert_eq!(run.stderr, "");

        let listed = roadmap_with(&repo, &tracker, &["list", "--format", "csv"]).success();
        assert!(
            listed.stdout.contains("1234abcd,Written by the tracker,"),
            "unborn HEAD {unborn}: {}",
            listed.stdout
        );
    }
}

/// A 0.3.1 workspace nobody has committed yet (its `config.yaml` only in the working tree):
/// the files are read as the 0.2 contract they are, milestones named from the uncommitted
/// milestone files, and 0.3.1's `issue list` served as it prints it.
#[test]
fn an_uncommitted_0_3_1_workspace_reads_as_the_contract_it_is() {
    use crate::test_contract_issue_list::{output_dir, stand_in_tracker};
    for unborn in [true, false] {
        let repo = TestRepo::new();
        if !unborn {
            repo.commit_all("before the tracker");
        }
        crate::common::copy_fixture(&repo, "tracker-0.3.1");
        let tracker = stand_in_tracker(&repo, "0.3.1");

        let listed = roadmap_with(
            &repo,
            &tracker,
            &["list", "--worktree", "--all", "--format", "csv"],
        );
        let listed = listed.success();
        assert!(!listed.stderr.contains("warning"), "{}", listed.stderr);
        assert!(
            listed.stdout.contains(",v0-1,"),
            "milestones by name (unborn HEAD {unborn}): {}",
            listed.stdout
        );
        let status = repo.roadmap_hooks(&["status"]).success().stdout;
        assert!(status.contains("workspace: 0.2 contract"), "{status}");
        assert!(!status.contains("warning:"), "{status}");

        let served = roadmap_with(&repo, &tracker, &["issue", "list", "--format", "csv"]);
        let captured = fs::read_to_string(output_dir().join("issue-list--format-csv.txt")).unwrap();
        assert_eq!(
            (served.status, served.stdout.as_str()),
            (0, captured.as_str()),
            "served, not forwarded (unborn HEAD {unborn}): {}",
            served.stderr
        );
    }
}
