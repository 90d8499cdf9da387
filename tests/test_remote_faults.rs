//! `roadmap sync` against the faults GitHub produces (issue 12, rules 2 and 3): one issue's
//! failure skips that issue only and its changes are seen again next run; deleted (410) and
//! transferred (301) issues are unlinked, never recreated; a listing whose pages shift loses
//! nothing; a create is never sent twice.

use crate::common::IssueSpec;
use crate::common::github_server::Fault;
use crate::common::mirrored::{Mirrored, base_of, linked_pair};
use serde_json::json;

/// Three local issues pushed to GitHub (#1..#3), linked and committed.
fn three_linked() -> Mirrored {
    let m = Mirrored::new();
    for n in 1..=3 {
        m.repo.write_issue(&IssueSpec::new(
            &format!("0000b00{n}"),
            &format!("Issue {n}"),
        ));
    }
    m.commit("three");
    m.sync(&[]).success();
    m.commit("linked");
    m
}

#[test]
fn one_refused_issue_does_not_stop_the_others() {
    let m = three_linked();
    for n in 1..=3 {
        m.repo
            .roadmap(&["update", &format!("0000b00{n}"), "-p", "high"])
            .success();
    }
    m.repo
        .roadmap(&["update", "0000b003", "--assignee", "mallory"])
        .success();
    m.commit("local edits");
    {
        let mut state = m.github.state();
        state.read_only.insert(2);
        state.assignable = Some(vec!["alice".into()]);
        state.edit(2, json!({ "title": "Issue 2, renamed on GitHub" }));
    }
    let newcomer = m.github.state().add_issue("New on GitHub", "", &[]);
    let before = m.baselines();

    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("0000b002: skipped") && run.stderr.contains("403"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Resource not accessible"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("0000b003: skipped") && run.stderr.contains("422"),
        "{}",
        run.stderr
    );
    // Everything else went through, both ways.
    assert!(m.github.labels(1).contains(&"priority:high".to_owned()));
    assert_eq!(m.local_of(newcomer)["title"], "New on GitHub");
    let after = m.baselines();
    for id in ["0000b002", "0000b003"] {
        assert_eq!(base_of(&after, id), base_of(&before, id), "{id}");
    }
    m.commit("partial");

    // Once GitHub accepts them, the next run finishes, and GitHub's rename of #2 (listed in
    // the failed run) still arrives.
    {
        let mut state = m.github.state();
        state.read_only.clear();
        state.assignable = None;
    }
    let run = m.sync(&[]).success();
    assert!(
        m.github.labels(2).contains(&"priority:high".to_owned()),
        "{}",
        run.stdout
    );
    assert_eq!(m.github.issue(3)["assignees"][0]["login"], "mallory");
    assert_eq!(m.local_of(2)["title"], "Issue 2, renamed on GitHub");
}

#[test]
fn a_deleted_issue_is_unlinked_reported_and_never_recreated() {
    let (m, number, id) = linked_pair();
    m.repo.roadmap(&["update", &id, "-p", "low"]).success();
    m.commit("edit");
    m.github.state().deleted.insert(number);
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("#{number} is gone (deleted on GitHub (410))")),
        "{}",
        run.stderr
    );
    let writes = m.github.writes().len();
    let requests = m.github.request_count();

    // Later runs report it without asking GitHub about it, and create nothing.
    let again = m.sync(&[]).success();
    assert!(
        again.stderr.contains("link to GitHub issue"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("remote_ids"), "{}", again.stderr);
    assert_eq!(m.github.writes().len(), writes);
    assert_eq!(m.github.request_count(), requests + 1, "the listing only");
    assert_eq!(m.github.state().issues.len(), 1);
}

#[test]
fn a_transferred_issue_names_where_it_went() {
    let (m, number, id) = linked_pair();
    m.repo.roadmap(&["update", &id, "-p", "low"]).success();
    m.commit("edit");
    m.github
        .state()
        .transferred
        .insert(number, ("acme/elsewhere".into(), 77));
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("transferred to acme/elsewhere#77 (301)"),
        "{}",
        run.stderr
    );
    let again = m.sync(&[]).success();
    assert!(
        again.stderr.contains("acme/elsewhere#77"),
        "{}",
        again.stderr
    );
    assert_eq!(m.github.state().issues.len(), 1, "not recreated");
}

#[test]
fn issues_edited_while_the_listing_runs_are_not_skipped() {
    let m = Mirrored::new();
    {
        let mut state = m.github.state();
        for n in 0..250 {
            state.add_issue(&format!("Issue {n}"), "", &[]);
        }
    }
    m.sync(&[]).success();
    m.commit("pulled 250");
    {
        let mut state = m.github.state();
        for n in 1..=250 {
            state.edit(n, json!({ "body": "edited" }));
        }
    }
    // While page 2 is asked for, two issues change: one not read yet, one already read.
    m.github.state().on_request = Some(Box::new(|state, line| {
        if line.contains("/issues?") && line.contains("page=2") {
            state.edit(10, json!({ "title": "Edited during the listing" }));
            state.edit(240, json!({ "title": "Also edited during the listing" }));
        }
    }));
    m.sync(&[]).success();
    m.github.state().on_request = None;
    m.commit("pulled edits");
    m.sync(&[]).success();
    assert_eq!(m.local_of(10)["title"], "Edited during the listing");
    assert_eq!(m.local_of(240)["title"], "Also edited during the listing");
    let issue_files: Vec<(String, String)> = m
        .files()
        .into_iter()
        .filter(|(path, _)| path.contains("/issues/"))
        .collect();
    assert_eq!(issue_files.len(), 250);
    let missed: Vec<&String> = issue_files
        .iter()
        .filter(|(_, text)| !text.contains("\nedited\n"))
        .map(|(path, _)| path)
        .collect();
    assert!(missed.is_empty(), "edits never pulled: {missed:?}");
}

#[test]
fn a_create_answered_502_after_it_happened_is_not_sent_twice() {
    let m = Mirrored::new();
    m.repo
        .commit_issue(&IssueSpec::new("0000d001", "Pushed once"));
    // The listing passes; the create happens but is answered 502.
    m.github
        .inject(&[Fault::Pass, Fault::BadGatewayAfterApplying]);
    m.sync(&[]).success();
    let posts = |m: &Mirrored| {
        m.github
            .writes()
            .iter()
            .filter(|w| w.starts_with("POST"))
            .count()
    };
    assert_eq!(posts(&m), 1);
    assert_eq!(m.github.state().issues.len(), 1);
    assert_eq!(m.local_of(1)["id"], "0000d001", "found by its marker");

    // The same, and the marker search fails too: reported, not retried; the next run links it.
    m.repo
        .commit_issue(&IssueSpec::new("0000d002", "Pushed once too"));
    m.commit("linked");
    m.github.inject(&[
        Fault::Pass,
        Fault::BadGatewayAfterApplying,
        Fault::ServerError,
    ]);
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("may have created it"), "{}", run.stderr);
    assert_eq!(posts(&m), 2);
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("link"), "{}", run.stdout);
    assert_eq!(posts(&m), 2);
    assert_eq!(m.github.state().issues.len(), 2);
    assert_eq!(m.local_of(2)["id"], "0000d002");
}

#[test]
fn a_copied_marker_does_not_hide_an_issue() {
    let m = Mirrored::new();
    m.repo.commit_issue(&IssueSpec::new("0000e001", "Original"));
    m.sync(&[]).success();
    m.commit("linked");
    let original = m.github.issue(1)["body"].as_str().unwrap().to_owned();
    // Someone on GitHub copies the original's body, marker and all, into a new issue.
    let copy = m.github.state().add_issue("A copy", &original, &[]);
    m.sync(&[]).success();
    assert_eq!(m.local_of(copy)["title"], "A copy");
    assert_eq!(m.local_of(1)["id"], "0000e001");
    assert_eq!(m.local().len(), 2);
}

#[test]
fn a_discarded_link_is_restored_not_pushed_again() {
    let m = Mirrored::new();
    let path = m
        .repo
        .commit_issue(&IssueSpec::new("0000f0a1", "Linked once"));
    m.sync(&[]).success();
    assert_eq!(m.local_of(1)["id"], "0000f0a1");
    // The user discards the file's change, link and all.
    m.repo.git(&["checkout", "--", &path]);
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("link"), "{}", run.stdout);
    assert_eq!(m.github.state().issues.len(), 1, "not pushed as new");
    assert_eq!(
        m.local_of(1)["id"],
        "0000f0a1",
        "the link is back in the file"
    );
}

#[test]
fn a_local_edit_made_while_the_sync_runs_is_not_overwritten() {
    let (m, number, id) = linked_pair();
    m.github
        .state()
        .edit(number, json!({ "title": "Renamed on GitHub" }));
    // While the sync reads GitHub, the user changes the file (as `roadmap update` would).
    let file = m.repo.root.join(m.path_of(number));
    let edited = file.clone();
    m.github.state().on_request = Some(Box::new(move |_, line| {
        if line.starts_with("GET ") && line.contains("/issues?") {
            let text = std::fs::read_to_string(&edited).unwrap();
            std::fs::write(
                &edited,
                text.replace("priority: medium", "priority: critical"),
            )
            .unwrap();
        }
    }));
    let run = m.sync(&[]);
    m.github.state().on_request = None;
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("changed while the sync ran"),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("priority: critical"),
        "the user's edit stands: {text}"
    );
    assert!(
        text.contains("title: Login fails\n"),
        "not yet merged: {text}"
    );

    // The next run merges both.
    m.sync(&[]).success();
    let local = m.local_of(number);
    assert_eq!(
        (&local["title"], &local["priority"]),
        (&json!("Renamed on GitHub"), &json!("critical"))
    );
    assert!(
        m.github
            .labels(number)
            .contains(&"priority:critical".to_owned())
    );
    assert_eq!(local["id"], id.as_str());
}

#[test]
fn a_404_to_a_change_of_an_issue_that_can_be_read_is_a_refusal_not_a_deletion() {
    let (m, number, id) = linked_pair();
    m.repo.roadmap(&["update", &id, "-p", "low"]).success();
    m.commit("edit");
    m.github.state().patch_not_found.insert(number);
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("can be read but not changed"),
        "{}",
        run.stderr
    );
    // Still linked: once the token may write, the change goes through.
    m.github.state().patch_not_found.clear();
    m.sync(&[]).success();
    assert!(m.github.labels(number).contains(&"priority:low".to_owned()));
}
