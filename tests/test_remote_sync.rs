//! `roadmap sync`: two-way sync with GitHub Issues, against a local server that speaks the
//! subset of the REST API the sync uses (tests/common/github_server.rs).

use crate::common::IssueSpec;
use crate::common::github_server::{Fault, TOKEN};
use crate::common::mirrored::{Mirrored, base_of, linked_pair};
use serde_json::{Value, json};

#[test]
fn first_sync_creates_each_side_on_the_other_and_links_them() {
    let m = Mirrored::new();
    m.repo.commit_issue(
        &IssueSpec::new("0000000a", "Local only")
            .priority("high")
            .status("in-progress"),
    );
    let remote = m.github.state().add_issue(
        "Remote only",
        "Seen on GitHub",
        &["bug-report", "priority:low"],
    );

    let run = m.sync(&[]).success();
    assert!(
        run.stdout.contains("create-remote  0000000a"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("create-local"), "{}", run.stdout);

    // The local issue is on GitHub, with the hidden marker and its fields as labels.
    let pushed = m.github.state().issues.len() as u64;
    assert_eq!(pushed, 2);
    let pushed_issue = m.github.issue(2);
    assert_eq!(pushed_issue["title"], "Local only");
    assert!(
        pushed_issue["body"]
            .as_str()
            .unwrap()
            .contains("<!-- roadmap-id: 0000000a -->")
    );
    assert_eq!(
        m.github.labels(2),
        ["priority:high", "status:in-progress"],
        "the default type is no label"
    );
    // Both files are linked; the pulled one reads back as GitHub shows it, marker-free.
    let local = m.local_of(2);
    assert_eq!(local["id"], "0000000a");
    let pulled = m.local_of(remote);
    assert_eq!(pulled["title"], "Remote only");
    assert_eq!(pulled["priority"], "low");
    assert_eq!(pulled["labels"], json!(["bug-report"]));
    let shown = m
        .repo
        .roadmap(&["show", pulled["id"].as_str().unwrap()])
        .success();
    assert!(shown.stdout.contains("Seen on GitHub"), "{}", shown.stdout);
    assert_eq!(m.baselines().len(), 3, "two issues and the cursor");

    // Nothing changed since: nothing to do, and no write to either side.
    m.commit("sync");
    let writes = m.github.writes().len();
    let again = m.sync(&[]).success();
    assert!(
        again.stdout.starts_with("0 issue(s) changed"),
        "{}",
        again.stdout
    );
    assert_eq!(m.github.writes().len(), writes);
    assert_eq!(m.repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn edits_on_one_side_reach_the_other() {
    let (m, number, id) = linked_pair();

    m.github.state().edit(
        number,
        json!({ "title": "Login fails on Safari", "state": "closed" }),
    );
    m.sync(&[]).success();
    let local = m.local_of(number);
    assert_eq!(
        (&local["title"], &local["status"]),
        (&json!("Login fails on Safari"), &json!("closed"))
    );
    m.commit("pulled");

    m.repo
        .roadmap(&[
            "update",
            &id,
            "--status",
            "blocked",
            "--add-label",
            "ui",
            "-p",
            "high",
        ])
        .success();
    m.repo
        .roadmap(&["update", &id, "--milestone", "v1"])
        .success();
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("github <- status"), "{}", run.stdout);
    let issue = m.github.issue(number);
    assert_eq!(issue["state"], "open");
    assert_eq!(issue["milestone"]["title"], "v1");
    assert_eq!(
        m.github.labels(number),
        ["priority:high", "status:blocked", "ui", "web"]
    );
    // The body went out with its marker and comes back without it.
    m.repo.commit_all("local edits");
    let again = m.sync(&[]).success();
    assert!(
        again.stdout.starts_with("0 issue(s) changed"),
        "{}",
        again.stdout
    );
}

#[test]
fn edits_on_both_sides_merge_by_field_and_conflicts_wait_for_prefer() {
    let (m, number, id) = linked_pair();

    // Different fields: both kept.
    m.repo
        .roadmap(&["update", &id, "--title", "Login fails (local)"])
        .success();
    m.github
        .state()
        .edit(number, json!({ "labels": ["web", "needs-triage"] }));
    m.sync(&[]).success();
    assert_eq!(m.github.issue(number)["title"], "Login fails (local)");
    // Local order kept, the new label appended.
    assert_eq!(m.local_of(number)["labels"], json!(["web", "needs-triage"]));
    m.commit("merged");

    // The same field, differently: reported, neither side changed, exit 1.
    m.repo
        .roadmap(&["update", &id, "--title", "Local title"])
        .success();
    m.github
        .state()
        .edit(number, json!({ "title": "Remote title" }));
    let writes = m.github.writes().len();
    let conflict = m.sync(&[]);
    assert_eq!(conflict.status, 1, "{conflict:?}");
    assert!(
        conflict
            .stdout
            .contains("conflict title: local \"Local title\" / github \"Remote title\""),
        "{}",
        conflict.stdout
    );
    assert!(conflict.stderr.contains("--prefer"), "{}", conflict.stderr);
    assert!(
        conflict
            .stdout
            .contains("0 issue(s) changed; 1 conflict(s) unresolved"),
        "{}",
        conflict.stdout
    );
    assert_eq!(m.github.issue(number)["title"], "Remote title");
    assert_eq!(m.local_of(number)["title"], "Local title");
    assert_eq!(m.github.writes().len(), writes);

    // Still a conflict on the next run (the baseline kept the old title).
    assert_eq!(m.sync(&[]).status, 1);

    let settled = m.sync(&["--prefer", "remote"]).success();
    assert!(settled.stdout.contains("github wins"), "{}", settled.stdout);
    assert_eq!(m.local_of(number)["title"], "Remote title");
    m.commit("settled");
    m.sync(&[]).success();
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let (m, number, id) = linked_pair();
    m.repo
        .roadmap(&["update", &id, "--priority", "critical"])
        .success();
    m.github
        .state()
        .edit(number, json!({ "title": "Renamed on GitHub" }));
    m.github.state().add_issue("Brand new", "", &[]);
    m.repo.commit_issue(&IssueSpec::new("0000000b", "New here"));

    let files = m.files();
    let baselines = m.baselines();
    let issues = m.github.state().issues.clone();
    let listed = m.repo.listed(&[]);
    let run = m.sync(&["--dry-run", "--format", "json"]).success();
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(plan["dry_run"], true);
    let rows = plan["plan"].as_array().unwrap();
    let mut actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["create-local", "create-remote", "update"]);
    let update = rows.iter().find(|r| r["action"] == "update").unwrap();
    assert_eq!(update["local"], json!(["title"]));
    assert_eq!(update["remote"], json!(["priority"]));

    assert_eq!(m.files(), files);
    assert_eq!(m.baselines(), baselines);
    assert_eq!(m.github.state().issues, issues);
    assert!(m.github.writes().is_empty(), "{:?}", m.github.writes());
    assert_eq!(m.repo.listed(&[]), listed);
}

#[test]
fn closing_reopening_and_deleting_follow_through() {
    let (m, number, id) = linked_pair();
    m.repo.roadmap(&["close", &id]).success();
    m.sync(&[]).success();
    assert_eq!(m.github.issue(number)["state"], "closed");
    m.commit("closed");

    m.github.state().edit(number, json!({ "state": "open" }));
    m.sync(&[]).success();
    assert_eq!(m.local_of(number)["status"], "todo");
    m.commit("reopened");

    // A deleted file closes its GitHub issue once, and the issue is not pulled back.
    let path = m.local_of(number)["path"].as_str().unwrap().to_owned();
    m.repo.remove(&path);
    m.commit("deleted");
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("close-remote"), "{}", run.stdout);
    assert_eq!(m.github.issue(number)["state"], "closed");
    m.sync(&[]).success();
    assert!(m.local().is_empty());
}

#[test]
fn a_crash_between_the_files_and_the_baseline_resumes_without_duplicates() {
    let (m, number, id) = linked_pair();
    m.repo
        .roadmap(&["update", &id, "--priority", "low"])
        .success();
    m.github
        .state()
        .edit(number, json!({ "title": "Renamed remotely" }));
    m.github.state().add_issue("Arrived remotely", "", &[]);
    m.repo
        .commit_issue(&IssueSpec::new("0000000c", "Made locally"));
    let baselines = m.baselines();

    let crashed = m.sync_with(
        &[],
        &[
            ("GH_ENTERPRISE_TOKEN", TOKEN),
            ("ROADMAP_SYNC_TEST_CRASH", "after-local-write"),
        ],
    );
    assert_eq!(crashed.status, 137, "{crashed:?}");
    // Both sides hold the changes, the baseline does not.
    assert_eq!(m.local_of(number)["title"], "Renamed remotely");
    assert!(m.github.labels(number).contains(&"priority:low".to_owned()));
    assert_eq!(m.baselines(), baselines);
    let (remote_count, local_count) = (m.github.state().issues.len(), m.local().len());
    assert_eq!((remote_count, local_count), (3, 3));

    let resumed = m.sync(&[]).success();
    assert!(
        resumed.stdout.starts_with("0 issue(s) changed"),
        "{}",
        resumed.stdout
    );
    assert_eq!(m.github.state().issues.len(), 3);
    assert_eq!(m.local().len(), 3);
    assert_eq!(m.baselines().len(), 4, "three issues and the cursor");
}

#[test]
fn a_crash_after_creating_on_github_links_by_the_marker() {
    let m = Mirrored::new();
    m.repo
        .commit_issue(&IssueSpec::new("0000000d", "Pushed once"));
    // As if a sync created the issue on GitHub and died before writing the link.
    m.github.state().add_issue(
        "Pushed once",
        "Body of Pushed once.\n\n<!-- roadmap-id: 0000000d -->",
        &["priority:medium", "type:other"],
    );
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("link"), "{}", run.stdout);
    assert_eq!(m.github.state().issues.len(), 1);
    assert_eq!(m.local_of(1)["id"], "0000000d");
    assert_eq!(m.local().len(), 1);
}

#[test]
fn a_failure_part_way_keeps_what_was_applied_and_the_next_run_finishes() {
    let m = Mirrored::new();
    m.repo.commit_issue(&IssueSpec::new("000000a1", "First"));
    m.repo.commit_issue(&IssueSpec::new("000000a2", "Second"));
    m.sync(&[]).success();
    m.commit("pushed");
    m.repo
        .roadmap(&["update", "000000a1", "-p", "high"])
        .success();
    m.repo
        .roadmap(&["update", "000000a2", "-p", "low"])
        .success();
    m.commit("local edits");
    let before = m.baselines();

    // The listing and the first update go through; the second update fails.
    m.github
        .inject(&[Fault::Pass, Fault::Pass, Fault::ServerError]);
    let failed = m.sync(&[]);
    assert_eq!(failed.status, 1, "{failed:?}");
    assert!(failed.stderr.contains("500"), "{}", failed.stderr);
    assert!(m.github.labels(1).contains(&"priority:high".to_owned()));
    assert!(!m.github.labels(2).contains(&"priority:low".to_owned()));
    let after = m.baselines();
    assert_ne!(
        base_of(&after, "000000a1"),
        base_of(&before, "000000a1"),
        "the applied issue's baseline moved"
    );
    assert_eq!(
        base_of(&after, "000000a2"),
        base_of(&before, "000000a2"),
        "the failed issue's baseline did not"
    );

    let writes = m.github.writes().len();
    let run = m.sync(&[]).success();
    assert!(
        run.stdout.contains("\n1 issue(s) changed"),
        "{}",
        run.stdout
    );
    assert_eq!(
        m.github.writes().len(),
        writes + 1,
        "only the second issue is sent again"
    );
    assert!(m.github.labels(2).contains(&"priority:low".to_owned()));
    assert_eq!(m.github.state().issues.len(), 2);
}

#[test]
fn one_way_syncs_leave_the_other_direction_for_later() {
    let (m, number, id) = linked_pair();
    m.repo.roadmap(&["update", &id, "-p", "critical"]).success();
    m.github
        .state()
        .edit(number, json!({ "title": "Renamed remotely" }));

    m.sync(&["--pull-only"]).success();
    assert_eq!(m.local_of(number)["title"], "Renamed remotely");
    assert_eq!(m.github.labels(number), ["web"], "nothing pushed");
    assert!(m.github.writes().is_empty());
    m.commit("pulled");

    m.github.state().edit(
        number,
        json!({ "labels": ["web", "priority:medium", "from-github"] }),
    );
    m.sync(&["--push-only"]).success();
    assert!(
        m.github
            .labels(number)
            .contains(&"priority:critical".to_owned())
    );
    assert!(
        m.github.labels(number).contains(&"from-github".to_owned()),
        "the push merged"
    );
    assert_eq!(
        m.local_of(number)["labels"],
        json!(["web"]),
        "nothing pulled"
    );

    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("local  <- labels"), "{}", run.stdout);
    assert_eq!(m.local_of(number)["labels"], json!(["web", "from-github"]));
}

#[test]
fn pagination_covers_more_than_250_issues_and_skips_pull_requests() {
    let m = Mirrored::new();
    {
        let mut state = m.github.state();
        for n in 0..260 {
            state.add_issue(&format!("Issue {n}"), "", &[]);
        }
        state.add_pull_request("A pull request");
    }
    let run = m.sync(&["--pull-only"]).success();
    assert!(
        run.stdout.contains("260 issue(s) changed"),
        "{}",
        run.stdout
    );
    assert_eq!(m.local().len(), 260);
    let pages = m
        .github
        .state()
        .requests
        .iter()
        .filter(|r| r.contains("/issues?"))
        .count();
    assert_eq!(pages, 3);
}

#[test]
fn rate_limits_and_bad_gateways_are_waited_out() {
    let m = Mirrored::new();
    m.github.state().add_issue("One", "", &[]);
    m.github
        .inject(&[Fault::BadGateway, Fault::RetryAfter, Fault::RateLimitReset]);
    let run = m.sync(&[]).success();
    assert_eq!(m.local().len(), 1, "{}", run.stderr);
    assert_eq!(
        m.github.request_count(),
        4,
        "three faults, then the listing"
    );
}

#[test]
fn a_bad_token_is_one_clear_error_and_changes_nothing() {
    let m = Mirrored::new();
    m.github.state().add_issue("One", "", &[]);
    m.repo.commit_issue(&IssueSpec::new("0000000e", "Local"));
    let files = m.files();
    let run = m.sync_with(&[], &[("GH_ENTERPRISE_TOKEN", "wrong-secret")]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("401 Bad credentials"), "{}", run.stderr);
    assert!(
        run.stderr.contains("hint: check the token"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrong-secret") && !run.stdout.contains("wrong-secret"));
    assert_eq!(m.files(), files);
    assert!(m.baselines().is_empty());
    assert_eq!(m.github.state().issues.len(), 1);

    // A github.com token is not sent to another host, and gh is not on this PATH.
    let empty = m.repo.sibling("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let requests = m.github.request_count();
    let missing = m.sync_with(
        &[],
        &[("GITHUB_TOKEN", TOKEN), ("PATH", empty.to_str().unwrap())],
    );
    assert_eq!(missing.status, 1);
    assert!(
        missing.stderr.contains("set GH_ENTERPRISE_TOKEN"),
        "{}",
        missing.stderr
    );
    assert_eq!(m.github.request_count(), requests, "nothing was sent");
}

#[test]
fn a_thousand_unchanged_linked_issues_cost_one_request() {
    let m = Mirrored::new();
    {
        let mut state = m.github.state();
        for n in 0..1000 {
            state.add_issue(&format!("Issue {n}"), "Body", &["area:core"]);
        }
    }
    m.sync(&[]).success();
    assert_eq!(m.local().len(), 1000);
    m.commit("pulled 1000");

    let before = m.github.request_count();
    let run = m.sync(&[]).success();
    assert!(
        run.stdout.starts_with("0 issue(s) changed"),
        "{}",
        run.stdout
    );
    let requests = m.github.request_count() - before;
    assert!(
        requests <= 2,
        "{requests} requests: {:?}",
        &m.github.state().requests[before..]
    );
}
