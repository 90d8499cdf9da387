//! Fields users expect (issue 12, rule 9, in part): every assignee, not the first; GitHub's
//! `state_reason` kept both ways (a closed issue's local `not-planned` label).

use crate::common::IssueSpec;
use crate::common::mirrored::{Mirrored, linked_pair};
use serde_json::json;

#[test]
fn every_assignee_is_synced_both_ways_and_merged_as_a_set() {
    let (m, number, id) = linked_pair();
    m.github
        .state()
        .edit(number, json!({ "assignees": ["bob", "alice"] }));
    m.sync(&[]).success();
    assert_eq!(m.local_of(number)["assignee"], "alice, bob");
    m.commit("pulled assignees");

    // One added on each side: both kept, no conflict.
    m.repo
        .roadmap(&["update", &id, "--assignee", "alice, bob, carol"])
        .success();
    m.github
        .state()
        .edit(number, json!({ "assignees": ["alice", "bob", "dave"] }));
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("0 conflict(s)"), "{}", run.stdout);
    let logins: Vec<String> = m.github.issue(number)["assignees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(logins, ["alice", "bob", "carol", "dave"]);
    assert_eq!(m.local_of(number)["assignee"], "alice, bob, carol, dave");
    m.commit("merged");
    let quiet = m.sync(&[]).success();
    assert!(
        quiet.stdout.starts_with("0 issue(s) changed"),
        "{}",
        quiet.stdout
    );
}

#[test]
fn closed_as_not_planned_is_kept_both_ways() {
    let m = Mirrored::new();
    m.repo
        .commit_issue(&IssueSpec::new("0000ab01", "Will not do"));
    let remote = m.github.state().add_issue("Nobody wants this", "", &[]);
    m.sync(&[]).success();
    m.commit("linked");

    // Closed on GitHub as not planned: closed here, with the label.
    m.github.state().edit(
        remote,
        json!({ "state": "closed", "state_reason": "not_planned" }),
    );
    // Closed here as not planned: GitHub's reason, not a GitHub label.
    m.repo
        .roadmap(&[
            "update",
            "0000ab01",
            "--status",
            "closed",
            "--add-label",
            "not-planned",
        ])
        .success();
    m.sync(&[]).success();
    let pulled = m.local_of(remote);
    assert_eq!(pulled["status"], "closed");
    assert_eq!(pulled["labels"], json!(["not-planned"]));
    let number = m
        .local()
        .into_iter()
        .find(|i| i["id"] == "0000ab01")
        .unwrap()["remote_ids"]["github"]
        .as_u64()
        .unwrap();
    assert_ne!(number, remote);
    let pushed = m.github.issue(number);
    assert_eq!(
        (&pushed["state"], &pushed["state_reason"]),
        (&json!("closed"), &json!("not_planned"))
    );
    assert!(m.github.labels(number).iter().all(|l| l != "not-planned"));
    m.commit("closed");
    let quiet = m.sync(&[]).success();
    assert!(
        quiet.stdout.starts_with("0 issue(s) changed"),
        "{}",
        quiet.stdout
    );
}
