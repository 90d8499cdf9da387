//! A committed move of an issue file is never a deletion (issue 26, point 1): after `git mv` to
//! another milestone folder, or into and out of the archive, the GitHub issue stays open when the
//! file's row later drops out of the cache: a committed YAML typo, a deletion the working-tree
//! look records, or the tracker's `issue delete` forwarded. Only history that deletes the id
//! closes it.

use crate::common::mirrored::{Mirrored, linked_pair};
use crate::common::{Run, hermetic};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A linked issue moved from `backlog/` to `v2/` in a commit of its own; its new path.
fn moved_pair() -> (Mirrored, u64, String) {
    let (m, number, _) = linked_pair();
    let path = m.path_of(number);
    let moved = path.replace("/backlog/", "/v2/");
    std::fs::create_dir_all(m.repo.root.join(&moved).parent().unwrap()).unwrap();
    m.repo.git(&["mv", &path, &moved]);
    m.commit("move to v2");
    // The cache follows HEAD, as the hooks would have it (the look at the working tree below
    // compares with the cache).
    assert_eq!(m.path_of(number), moved);
    (m, number, moved)
}

/// Commits a YAML typo in the file at `path`; returns the text it had.
fn commit_a_typo(m: &Mirrored, path: &str) -> String {
    let text = std::fs::read_to_string(m.repo.root.join(path)).unwrap();
    m.repo.write(
        path,
        &text.replacen("title:", "title: [unclosed\ntitle:", 1),
    );
    m.commit("a typo");
    text
}

/// Asserts GitHub issue `number` is open and no request changed anything.
#[track_caller]
fn untouched(m: &Mirrored, number: u64, run: &Run) {
    assert_eq!(m.state_of(number), "open", "{run:?}");
    assert!(
        m.github.writes().is_empty(),
        "{:?}\n{run:?}",
        m.github.writes()
    );
    assert!(!run.stdout.contains("close-remote"), "{}", run.stdout);
}

#[test]
fn a_typo_committed_after_a_move_closes_nothing() {
    let (m, number, moved) = moved_pair();
    let text = commit_a_typo(&m, &moved);

    let run = m.sync(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    untouched(&m, number, &run);
    assert!(run.stderr.contains(&moved), "{}", run.stderr);

    // Fixed and committed, the link carries on.
    m.repo.write(&moved, &text);
    m.commit("fixed");
    m.sync(&[]).success();
    assert_eq!(m.state_of(number), "open");
    assert_eq!(m.path_of(number), moved);
}

#[test]
fn a_deletion_the_worktree_look_records_after_a_move_closes_nothing() {
    let (m, number, moved) = moved_pair();
    m.repo.remove(&moved);
    m.repo.roadmap(&["list", "--worktree"]).success();
    assert!(m.local().is_empty(), "the row dropped out of the cache");

    let run = m.sync(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    untouched(&m, number, &run);

    // The same with the look switched on for good.
    m.repo.git(&["config", "roadmap.worktree", "true"]);
    let run = m.sync(&[]);
    untouched(&m, number, &run);

    // Committed, the deletion is one: the issue closes.
    m.commit("delete it");
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("close-remote"), "{}", run.stdout);
    assert_eq!(m.state_of(number), "closed");
}

/// A stand-in tracker whose `issue delete ID` removes the issue's file, as the real one does.
fn deleting_tracker(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("roadmap");
    std::fs::write(
        &path,
        "#!/bin/sh\n[ \"$1 $2\" = 'issue delete' ] || exit 3\nrm .roadmap/issues/*/\"$3\"-*.md\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_forwarded_issue_delete_after_a_move_closes_nothing_until_committed() {
    let (m, number, _) = moved_pair();
    let id = m.local_of(number)["id"].as_str().unwrap().to_owned();
    let tracker = deleting_tracker(&m.repo.sibling("tracker"));
    let mut command = Command::new(crate::common::binary("roadmap"));
    hermetic(&mut command)
        .args(["issue", "delete", &id, "--force"])
        .current_dir(&m.repo.root)
        .env("ROADMAP_TRACKER", &tracker)
        .env("HOME", m.repo.sibling("home"));
    Run::from_output(command.output().unwrap()).success();
    assert!(m.local().is_empty(), "the row dropped out of the cache");

    let run = m.sync(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    untouched(&m, number, &run);
}

#[test]
fn moves_into_and_out_of_the_archive_are_not_deletions() {
    let (m, number, _) = linked_pair();
    let id = m.local_of(number)["id"].as_str().unwrap().to_owned();
    m.repo.roadmap(&["archive", &id]).success();
    m.commit("archived");
    let archived = m.path_of(number);
    assert!(archived.starts_with(".roadmap/archive/"), "{archived}");
    m.repo.roadmap(&["unarchive", &id]).success();
    m.commit("back");
    let back = m.path_of(number);
    commit_a_typo(&m, &back);

    let run = m.sync(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    untouched(&m, number, &run);
}
