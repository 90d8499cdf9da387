//! Our contract writes against the live roadmap-cli 0.3.1 (skipped with a message when it is
//! not installed, failing under CI=true): the same operations done both ways on two copies of
//! one workspace leave the same documents, field by field, ids and timestamps aside; 0.3.1
//! reads ours back and its health scan stays clean; and a write of ours waits for 0.3.1's
//! workspace lock and then compares against what 0.3.1 wrote meanwhile.

use crate::common::TestRepo;
use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_write::masked;
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs the live 0.3.1 in `repo` with `HOME` a sibling folder and `TZ=UTC`; its stdout.
pub(crate) fn tracker(repo: &TestRepo, tracker: &Path, args: &[&str]) -> String {
    let home = repo.sibling("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(tracker)
        .args(args)
        .current_dir(&repo.root)
        .env("HOME", &home)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A workspace 0.3.1 initialised, with milestone v1 and one issue it created; its id.
fn tracker_workspace(bin: &Path) -> (TestRepo, String) {
    let repo = TestRepo::new();
    tracker(&repo, bin, &["init", "-p", "Live", "-d", "x"]);
    tracker(
        &repo,
        bin,
        &["milestone", "create", "-t", "v1", "-d", "First"],
    );
    let id = tracker(
        &repo,
        bin,
        &[
            "issue",
            "create",
            "--print-id",
            "--title",
            "Shared",
            "-a",
            "ada",
        ],
    );
    repo.commit_all("0.3.1's workspace");
    (repo, id.trim().to_owned())
}

fn issue_text(repo: &TestRepo, id: &str) -> String {
    std::fs::read_to_string(repo.root.join(format!(".roadmap/issues/{id}.md"))).unwrap()
}

#[test]
fn the_same_operations_done_both_ways_leave_the_same_document() {
    let Some(bin) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let (theirs, id) = tracker_workspace(&bin);
    let ours = TestRepo::new();
    ours.git(&["pull", "-q", theirs.root.to_str().unwrap(), "HEAD"]);
    let before = issue_text(&theirs, &id);
    let short = &id[..8];
    for (their_args, our_args) in [
        (
            vec![
                "issue",
                "update",
                &id,
                "--title",
                "Renamed: twice",
                "-p",
                "high",
                "-m",
                "v1",
            ],
            vec![
                "update",
                short,
                "--title",
                "Renamed: twice",
                "-p",
                "high",
                "-m",
                "v1",
            ],
        ),
        (
            vec!["issue", "update", &id, "-a", "carol"],
            vec!["update", short, "-a", "carol"],
        ),
        (
            vec![
                "issue",
                "update",
                &id,
                "--add-label",
                "x",
                "--add-label",
                "y",
            ],
            vec!["update", short, "--add-label", "x", "--add-label", "y"],
        ),
        (
            vec!["issue", "update", &id, "-s", "in-progress"],
            vec!["update", short, "-s", "in-progress"],
        ),
        (
            vec!["issue", "update", &id, "-s", "blocked"],
            vec!["update", short, "-s", "blocked"],
        ),
        (vec!["issue", "close", &id], vec!["close", short]),
        (vec!["issue", "archive", &id, "-y"], vec!["archive", short]),
        (
            vec!["issue", "restore", &id, "-y"],
            vec!["unarchive", short],
        ),
        (
            vec!["issue", "update", &id, "-s", "todo"],
            vec!["reopen", short],
        ),
    ] {
        tracker(&theirs, &bin, &their_args);
        ours.roadmap(&our_args).success();
        assert_eq!(
            masked(&issue_text(&ours, &id), &before),
            masked(&issue_text(&theirs, &id), &before),
            "{our_args:?}"
        );
    }
    // 0.3.1 reads our writes back, and once it has read them its health scan finds nothing.
    let view = tracker(&ours, &bin, &["issue", "view", &id]);
    assert!(view.contains("Renamed: twice"), "{view}");
    let health = tracker(&ours, &bin, &["health", "scan"]);
    assert!(
        health.contains("healthy") && health.contains("No findings"),
        "{health}"
    );
}

#[test]
fn a_write_of_ours_waits_for_the_trackers_lock_and_never_overwrites_its_write() {
    let Some(bin) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let (repo, id) = tracker_workspace(&bin);
    repo.roadmap(&["list"]).success();
    // 0.3.1 is mid-write: it holds its workspace lock.
    let lock_path = repo.root.join(".roadmap/db/canonical-write.lock");
    let held = std::fs::OpenOptions::new()
        .append(true)
        .open(&lock_path)
        .unwrap();
    fs2::FileExt::lock_exclusive(&held).unwrap();
    let mut ours = Command::new(crate::common::binary("roadmap"));
    crate::common::hermetic(&mut ours);
    let mut ours = ours
        .args(["update", &id[..8], "-p", "low"])
        .current_dir(&repo.root)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Ours has read the file and now waits for the lock; it says so.
    let mut stderr = std::io::BufReader::new(ours.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("waiting for roadmap-cli") {
        line.clear();
        assert_ne!(
            stderr.read_line(&mut line).unwrap(),
            0,
            "ours ended without waiting for the lock"
        );
    }
    // Meanwhile 0.3.1's write lands (its bytes, as `issue update --title` wrote them on a copy).
    let copy = TestRepo::new();
    copy.git(&["pull", "-q", repo.root.to_str().unwrap(), "HEAD"]);
    tracker(&copy, &bin, &["issue", "update", &id, "--title", "Theirs"]);
    let theirs = issue_text(&copy, &id);
    std::fs::write(repo.root.join(format!(".roadmap/issues/{id}.md")), &theirs).unwrap();
    drop(held);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = ours.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(rest.contains("changed since it was read"), "{rest}");
    assert_eq!(issue_text(&repo, &id), theirs, "0.3.1's write was kept");
    // Run again, ours reads 0.3.1's write and keeps both changes.
    repo.roadmap(&["update", &id[..8], "-p", "low"]).success();
    let both = issue_text(&repo, &id);
    assert!(
        both.contains("title: Theirs") && both.contains("priority: low"),
        "{both}"
    );
}
