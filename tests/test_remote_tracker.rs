//! A repository the tracker's own GitHub sync already linked (issue 12, rule 8): its settings
//! in `.roadmap/config.yaml`, its links (`github_issue: N`, `remote_ids: {github: N}`), its
//! milestone `backlog` (no milestone), its local `synced:from-github` label, and no priority,
//! type or status labels on GitHub. The first run migrates it with no conflict and no write.

use crate::common::github_server::{GitHubServer, REPO};
use crate::common::mirrored::Mirrored;
use crate::common::{IssueSpec, TestRepo};
use serde_json::json;

/// A repository as the tracker's sync leaves it: #1 pushed by it, #2 pulled by it.
fn tracker_synced() -> Mirrored {
    let github = GitHubServer::start();
    let repo = TestRepo::new();
    let (owner, name) = REPO.split_once('/').unwrap();
    repo.write(
        ".roadmap/config.yaml",
        &format!("github:\n  owner: {owner}\n  repo: {name}\n  sync_backend: github\n"),
    );
    let pushed = IssueSpec::new("0000aa01", "Pushed by the tracker")
        .priority("high")
        .status("in-progress")
        .milestone("backlog");
    repo.write(
        &pushed.path(),
        &pushed
            .render()
            .replace("labels: []", "labels:\n- bug")
            .replace("remote_ids: {}", "remote_ids: {}\ngithub_issue: 1"),
    );
    let pulled = IssueSpec::new("0000aa02", "Pulled by the tracker")
        .status("closed")
        .milestone("v1");
    repo.write(
        &pulled.path(),
        &pulled
            .render()
            .replace("labels: []", "labels:\n- ui\n- synced:from-github")
            .replace("remote_ids: {}", "remote_ids:\n  github: 2"),
    );
    repo.commit_all("as the tracker's sync left it");
    repo.roadmap_hooks(&["sync"]).success();
    crate::common::mirrored::confirm_repo(&repo);
    {
        let mut state = github.state();
        state.milestones.push(json!({ "number": 1, "title": "v1" }));
        state.add_issue(
            "Pushed by the tracker",
            "Body of Pushed by the tracker.",
            &["bug"],
        );
        state.add_issue(
            "Pulled by the tracker",
            "Body of Pulled by the tracker.",
            &["ui"],
        );
        state.edit(2, json!({ "state": "closed", "milestone": 1 }));
    }
    Mirrored { repo, github }
}

#[test]
fn a_repository_the_tracker_synced_migrates_with_no_conflict_and_no_write() {
    let m = tracker_synced();
    let run = m.sync(&[]).success();
    assert!(
        run.stdout.starts_with("0 issue(s) changed; 0 conflict(s)"),
        "{}",
        run.stdout
    );
    assert!(m.github.writes().is_empty(), "{:?}", m.github.writes());
    assert!(
        m.github.state().milestones.len() == 1,
        "no `backlog` milestone made"
    );
    assert_eq!(m.repo.git(&["status", "--porcelain"]), "");
    assert_eq!(m.baselines().len(), 3, "two links and the cursor");

    let again = m.sync(&[]).success();
    assert!(
        again.stdout.starts_with("0 issue(s) changed"),
        "{}",
        again.stdout
    );
    assert!(m.github.writes().is_empty(), "{:?}", m.github.writes());

    // An edit on GitHub comes in; what GitHub never held (priority, status) stays local.
    m.github
        .state()
        .edit(1, json!({ "title": "Pushed, renamed on GitHub" }));
    m.sync(&[]).success();
    let local = m
        .local()
        .into_iter()
        .find(|i| i["id"] == "0000aa01")
        .unwrap();
    assert_eq!(local["title"], "Pushed, renamed on GitHub");
    assert_eq!(
        (&local["priority"], &local["status"]),
        (&json!("high"), &json!("in-progress"))
    );
    assert!(m.github.writes().is_empty(), "{:?}", m.github.writes());
    // The tracker's label stays on the pulled issue and never reaches GitHub.
    assert_eq!(m.local_of(2)["labels"], json!(["ui", "synced:from-github"]));
    assert_eq!(m.github.labels(2), ["ui"]);
}

#[test]
fn baseline_says_which_side_a_link_without_history_agreed_on() {
    let m = tracker_synced();
    m.github
        .state()
        .edit(1, json!({ "title": "Renamed on GitHub" }));
    // Without a baseline, a difference is a conflict...
    let run = m.sync(&["--dry-run"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stdout.contains("conflict title"), "{}", run.stdout);
    // ...unless `--baseline` names the side both last agreed on.
    let pull = m.sync(&["--dry-run", "--baseline", "local"]).success();
    assert!(pull.stdout.contains("local  <- title"), "{}", pull.stdout);
    let push = m.sync(&["--baseline", "remote"]).success();
    assert!(push.stdout.contains("github <- title"), "{}", push.stdout);
    assert_eq!(m.github.issue(1)["title"], "Pushed by the tracker");
}
