//! A write of ours killed at any moment on a 0.2-contract workspace leaves every file one that
//! roadmap-cli 0.3.1 reads: the document before the write or after it, never a torn one, and
//! no stray file under `issues/` that it would take for a record (a staging file killed
//! before its rename, `.roadmap-PID-N.tmp`, is no `.md`: 0.3.1's health scan ignores it).

use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::common::{Run, TestRepo, copy_fixture, hermetic};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// 0.3.1's own `issue list --format csv` on the working tree: exit 0 means it read every file.
fn tracker_reads_all(repo: &TestRepo, tracker: &Path, home: &Path) -> Run {
    let mut command = Command::new(tracker);
    hermetic(&mut command)
        .env("HOME", home)
        .env("LC_ALL", "C.UTF-8")
        .args(["issue", "list", "--scope", "all", "--format", "csv"])
        .current_dir(&repo.root)
        .stdin(Stdio::null());
    Run::from_output(command.output().unwrap())
}

#[test]
fn a_killed_contract_write_leaves_every_file_readable_by_0_3_1() {
    let Some(tracker) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-0.3.1");
    repo.git(&["config", "user.name", "Ada Lovelace"]);
    repo.commit_all("the plan");
    let home = repo.sibling("home");
    std::fs::create_dir_all(&home).unwrap();
    let issue = "2749adb2-ba6b-4e71-bb99-3454d994adb2";
    let before = tracker_reads_all(&repo, &tracker, &home);
    assert_eq!(before.status, 0, "{before:?}");
    let rows = before.stdout.lines().count();
    // Delays spread over a write's life (start-up, lock, read, render, rename, cache), each
    // write changing the title, so a torn document would show.
    for (round, delay_ms) in [0u64, 1, 2, 3, 5, 8, 12, 20].into_iter().enumerate() {
        let mut command = Command::new(crate::common::binary("roadmap"));
        hermetic(&mut command)
            .args([
                "update",
                issue,
                "--title",
                &format!("Installer, take {round}"),
            ])
            .current_dir(&repo.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = command.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();

        let after = tracker_reads_all(&repo, &tracker, &home);
        assert_eq!(after.status, 0, "killed after {delay_ms} ms: {after:?}");
        assert_eq!(
            after.stdout.lines().count(),
            rows,
            "no record lost or added"
        );
        let strays: Vec<_> = std::fs::read_dir(repo.root.join(".roadmap/issues"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".md") && name.starts_with('.'))
            .collect();
        assert!(strays.is_empty(), "left behind: {strays:?}");
        // And ours reads on: the next query answers, showing the document as it now is.
        repo.roadmap(&["list", "--all"]).success();
    }
}
