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
