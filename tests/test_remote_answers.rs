//! What `roadmap sync` records after a write is what GitHub answered (issue 12, rule 5): a
//! label GitHub spells its own way, an assignee it drops without an error.

use crate::common::mirrored::linked_pair;

#[test]
fn the_baseline_is_what_github_answered_and_dropped_values_are_reported() {
    let (m, number, id) = linked_pair();
    {
        let mut state = m.github.state();
        state.existing_labels = vec!["bug".into()];
        state.assignable = Some(vec!["alice".into()]);
        state.drop_unassignable = true;
    }
    m.repo
        .roadmap(&["update", &id, "--add-label", "Bug", "--assignee", "mallory"])
        .success();
    m.commit("label and assignee");
    let run = m.sync(&[]).success();
    assert!(m.github.labels(number).contains(&"bug".to_owned()));
    assert!(
        m.github.issue(number)["assignees"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        run.stderr.contains("GitHub kept a different assignee"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("different labels"), "{}", run.stderr);

    // Labels agree (GitHub's spelling of the same label); the refused assignee is still
    // wanted locally, so it is offered again and reported again, never silently lost.
    let run = m.sync(&[]).success();
    assert!(!run.stdout.contains("labels"), "{}", run.stdout);
    assert!(run.stdout.contains("github <- assignee"), "{}", run.stdout);
    assert!(run.stderr.contains("different assignee"), "{}", run.stderr);
    assert_eq!(m.local_of(number)["assignee"], "mallory");

    // Once GitHub accepts it, all is quiet.
    m.github.state().assignable = None;
    m.sync(&[]).success();
    let run = m.sync(&[]).success();
    assert!(
        run.stdout.starts_with("0 issue(s) changed"),
        "{}",
        run.stdout
    );
}
