//! Rewritten history and interrupted backfills: the log always ends as one derived from nothing.

use super::{
    EPOCH_2025, Issue, commit, events, events_and_derived_afresh, git_on_day, small_history,
};
use crate::common::{TestRepo, binary, hermetic};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[test]
fn a_rebase_dropping_commits_leaves_no_double_counted_events() {
    let repo = small_history();
    let before = events(&repo);
    let dropped = repo.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
    let rewritten = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    assert!(before.iter().any(|e| e.0 == dropped));
    // Drop "Add 5, review 4"; "Close 3" after it becomes a new commit.
    git_on_day(&repo, 20, &["rebase", "-q", "--onto", "HEAD~2", "HEAD~1"]);
    let backfill = repo.roadmap(&["chart", "backfill"]).success();
    assert_eq!(
        backfill.stdout,
        "1 commits read into the event log (2 dropped: no longer on HEAD's line)\n"
    );
    let (after, afresh) = events_and_derived_afresh(&repo);
    assert_eq!(after, afresh);
    assert!(after.iter().all(|e| e.0 != dropped && e.0 != rewritten));
    assert!(after.iter().all(|e| e.1 != "00000005"));
    // Each close counted once, the rewritten one included.
    let closes: Vec<&str> = after
        .iter()
        .filter(|e| e.2 == "status" && e.4 == "closed")
        .map(|e| e.1.as_str())
        .collect();
    assert_eq!(closes, ["00000001", "00000002", "00000003"]);
    let throughput = repo.roadmap(&["chart", "throughput"]).success();
    assert!(
        throughput.stdout.contains("closed (3 in all)"),
        "{}",
        throughput.stdout
    );
}

#[test]
fn a_forced_reset_to_other_commits_follows_head() {
    let repo = small_history();
    events(&repo);
    repo.git(&["reset", "-q", "--hard", "HEAD~4"]);
    Issue::new("00000006", "Task 6", Some("v1"), Some(6)).write(&repo, None);
    commit(&repo, 30, "Another past");
    let (after, afresh) = events_and_derived_afresh(&repo);
    assert_eq!(after, afresh);
    assert!(after.iter().any(|e| e.1 == "00000006"));
    assert!(after.iter().all(|e| e.1 != "00000005"));
}

/// A history of `commits` commits made with `git fast-import`, each changing one issue.
fn long_history(repo: &TestRepo, commits: usize) {
    let mut stream = String::new();
    for n in 0..commits {
        let mut issue = Issue::new(&format!("{:08x}", n % 40), "Task", Some("v1"), Some(1));
        issue.status = ["todo", "in-progress", "closed"][n / 40 % 3];
        let body = issue.render();
        let time = EPOCH_2025 + i64::try_from(n).unwrap() * 3_600;
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@example.com> {time} +0000\ndata 2\nc\n"
        ));
        stream.push_str(&format!(
            "M 100644 inline {}\ndata {}\n{body}\n",
            issue.path(),
            body.len()
        ));
    }
    let mut command = Command::new("git");
    hermetic(&mut command)
        .args(["fast-import", "--quiet"])
        .current_dir(&repo.root)
        .stdin(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
}

#[test]
fn an_interrupted_backfill_resumes_where_its_last_batch_ended() {
    let repo = TestRepo::new();
    long_history(&repo, 250);
    let mut command = Command::new(binary("roadmap"));
    hermetic(&mut command)
        .args(["chart", "backfill"])
        .current_dir(&repo.root)
        .env("ROADMAP_HOOKS_TEST_PAUSE", "history-batch-1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("test pause at history-batch-1"), "{line}");
    child.kill().unwrap();
    child.wait().unwrap();
    // The first batch was kept: the next run reads only the rest.
    let resumed = repo.roadmap(&["chart", "backfill"]).success();
    let read: usize = resumed.stdout.split(' ').next().unwrap().parse().unwrap();
    assert!(read < 250 && read > 0, "{}", resumed.stdout);
    let (after, afresh) = events_and_derived_afresh(&repo);
    assert_eq!(after.len(), afresh.len());
    assert_eq!(after, afresh);
}

#[test]
fn backfills_running_at_once_leave_one_log() {
    let repo = TestRepo::new();
    long_history(&repo, 300);
    let children: Vec<_> = (0..3)
        .map(|_| {
            let mut command = Command::new(binary("roadmap"));
            hermetic(&mut command)
                .args(["chart", "backfill"])
                .current_dir(&repo.root)
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (after, afresh) = events_and_derived_afresh(&repo);
    assert_eq!(after.len(), afresh.len());
    assert_eq!(after, afresh);
}
