//! Fields users expect (issue 12, rule 9): every assignee, not the first; GitHub's
//! `state_reason` kept both ways (a closed issue's local `not-planned` label); comments both
//! ways, matched by id.

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

/// The `comments:` entries of the file linked to `number`: (id, author, body).
fn comments_of(m: &Mirrored, number: u64) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(m.repo.root.join(m.path_of(number))).unwrap();
    let yaml = text.split("---").nth(1).unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
    value["comments"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |key: &str| match &c[key] {
                serde_yaml::Value::Number(n) => n.to_string(),
                other => other.as_str().unwrap_or_default().to_owned(),
            };
            (text("id"), text("author"), text("body"))
        })
        .collect()
}

#[test]
fn comments_are_synced_both_ways_by_id() {
    let (m, number, _) = linked_pair();
    let first = m
        .github
        .state()
        .add_comment(number, "bob", "It fails on Safari too.\nVersion 17.");
    m.sync(&[]).success();
    let pulled = comments_of(&m, number);
    assert_eq!(
        pulled,
        [(
            first.to_string(),
            "bob".into(),
            "It fails on Safari too.\nVersion 17.".into()
        )]
    );
    m.commit("comment pulled");

    // A comment written here, without an id, is created on GitHub and gets its id.
    let path = m.repo.root.join(m.path_of(number));
    let text = std::fs::read_to_string(&path).unwrap();
    let added = text.replacen(
        "comments:\n",
        "comments:\n- author: alice\n  body: Fixed in the next release.\n",
        1,
    );
    std::fs::write(&path, added).unwrap();
    m.sync(&[]).success();
    let on_github: Vec<String> = m.github.state().comments[&number]
        .iter()
        .map(|c| c["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        on_github,
        [
            "It fails on Safari too.\nVersion 17.",
            "Fixed in the next release."
        ]
    );
    let local = comments_of(&m, number);
    assert_eq!(local.len(), 2);
    assert!(
        local.iter().all(|(id, _, _)| id.parse::<u64>().is_ok()),
        "{local:?}"
    );
    m.commit("comment pushed");

    // An edit on GitHub comes in; nothing is sent twice.
    m.github
        .state()
        .edit_comment(first, "It fails on Safari 17 and 18.");
    m.github
        .state()
        .edit(number, json!({ "title": "Login fails on Safari" }));
    let writes = m.github.writes().len();
    m.sync(&[]).success();
    assert!(
        comments_of(&m, number)
            .iter()
            .any(|(_, _, body)| body == "It fails on Safari 17 and 18.")
    );
    assert_eq!(m.github.writes().len(), writes);
    m.commit("edit pulled");
    let quiet = m.sync(&[]).success();
    assert!(
        quiet.stdout.starts_with("0 issue(s) changed"),
        "{}",
        quiet.stdout
    );
    assert_eq!(m.github.state().comments[&number].len(), 2);
}
