//! `roadmap sync` closes a GitHub issue only when the deletion of its file is committed on the
//! current branch since the last sync that saw it (issue 12, rule 1): never for a file that
//! fails to parse, a move not committed, or a branch that never had the file.

use crate::common::IssueSpec;
use crate::common::mirrored::{Mirrored, linked_pair};
use serde_json::json;

#[test]
fn a_file_with_broken_yaml_closes_nothing_and_the_rest_still_syncs() {
    let (m, number, _) = linked_pair();
    let other = m.github.state().add_issue("Another", "", &[]);
    m.sync(&[]).success();
    m.commit("second");
    let labels = m.github.labels(number);
    let path = m.path_of(number);
    let text = std::fs::read_to_string(m.repo.root.join(&path)).unwrap();
    m.repo.write(
        &path,
        &text.replacen("title:", "title: [unclosed\ntitle:", 1),
    );
    m.github
        .state()
        .edit(other, json!({ "title": "Another, renamed" }));
    m.github
        .state()
        .edit(number, json!({ "title": "Renamed while broken" }));

    let run = m.sync(&[]).success();
    assert!(
        run.stderr.contains(&format!("skipped {path}")),
        "{}",
        run.stderr
    );
    assert_eq!(m.state_of(number), "open");
    assert_eq!(m.github.labels(number), labels, "labels untouched");
    assert_eq!(
        m.local_of(other)["title"],
        "Another, renamed",
        "others still pulled"
    );
    assert!(m.github.writes().is_empty(), "{:?}", m.github.writes());

    // Fixed: the change GitHub made meanwhile still arrives (the cursor waited for it).
    m.repo.write(&path, &text);
    m.sync(&[]).success();
    assert_eq!(m.local_of(number)["title"], "Renamed while broken");
}

#[test]
fn a_move_or_delete_not_committed_closes_nothing() {
    let (m, number, id) = linked_pair();
    let path = m.path_of(number);
    let moved = path.replace("/backlog/", "/v2/");
    std::fs::create_dir_all(m.repo.root.join(&moved).parent().unwrap()).unwrap();
    m.repo.git(&["mv", &path, &moved]);
    let run = m.sync(&[]).success();
    assert!(run.stderr.contains("not committed"), "{}", run.stderr);
    assert_eq!(m.state_of(number), "open");
    assert!(m.github.writes().is_empty(), "{:?}", m.github.writes());

    // Committed, the move is a move: still linked, nothing closed.
    m.commit("move to v2");
    m.sync(&[]).success();
    assert_eq!(m.state_of(number), "open");
    assert_eq!(m.local_of(number)["id"], id.as_str());

    // A deletion not committed: nothing closed either.
    m.repo.remove(&moved);
    m.sync(&[]).success();
    assert_eq!(m.state_of(number), "open");
    assert!(
        m.github.writes().iter().all(|w| !w.contains("PATCH")),
        "{:?}",
        m.github.writes()
    );
}

#[test]
fn a_sync_from_an_older_branch_closes_nothing() {
    let m = Mirrored::new();
    m.repo.git(&["checkout", "-q", "-b", "feature"]);
    m.repo
        .commit_issue(&IssueSpec::new("0000f001", "Made on a branch"));
    m.sync(&[]).success();
    m.commit("linked");
    let number = 1;
    assert_eq!(m.state_of(number), "open");

    m.repo.git(&["checkout", "-q", "main"]);
    let run = m.sync(&[]).success();
    assert!(
        run.stderr.contains("which this branch does not contain"),
        "{}",
        run.stderr
    );
    assert_eq!(m.state_of(number), "open");
    assert!(m.github.writes().iter().all(|w| !w.starts_with("PATCH")));

    // Back on the branch, a committed deletion closes it.
    m.repo.git(&["checkout", "-q", "feature"]);
    let path = m.path_of(number);
    m.repo.remove(&path);
    m.commit("done with it");
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("close-remote"), "{}", run.stdout);
    assert_eq!(m.state_of(number), "closed");
}

#[test]
fn a_close_sends_only_the_state_and_many_closes_need_yes() {
    let m = Mirrored::new();
    for n in 1..=6 {
        m.repo.write_issue(&IssueSpec::new(
            &format!("0000c00{n}"),
            &format!("Issue {n}"),
        ));
    }
    m.commit("six");
    m.sync(&[]).success();
    m.commit("linked");
    // Someone on GitHub relabels one; the close must not undo it.
    m.github.state().edit(1, json!({ "labels": ["keep-me"] }));
    m.sync(&[]).success();
    m.commit("pulled");
    for n in 1..=6 {
        let path = m.path_of(n);
        m.repo.remove(&path);
    }
    m.commit("delete all six");

    let (dry, plan) = m.sync_json(&["--dry-run"]);
    assert_eq!(dry.status, 0, "{dry:?}");
    let closes = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "close-remote")
        .count();
    assert_eq!(closes, 6);
    assert!(dry.stderr.contains("--yes"), "{}", dry.stderr);

    let held = m.sync(&[]);
    assert_eq!(held.status, 1, "{held:?}");
    assert!(held.stderr.contains("--yes"), "{}", held.stderr);
    assert!((1..=6).all(|n| m.state_of(n) == "open"));

    m.sync(&["--yes"]).success();
    assert!((1..=6).all(|n| m.state_of(n) == "closed"));
    assert_eq!(m.github.labels(1), ["keep-me"]);
}

#[test]
fn a_deleted_file_whose_issue_changed_on_github_is_left_open_for_good() {
    let (m, number, _) = linked_pair();
    let path = m.path_of(number);
    m.repo.remove(&path);
    m.commit("deleted");
    m.github
        .state()
        .edit(number, json!({ "title": "Still wanted" }));
    let run = m.sync(&[]).success();
    assert!(run.stderr.contains("left open"), "{}", run.stderr);
    assert_eq!(m.state_of(number), "open");

    // The cursor moved past the edit; the decision stands all the same.
    let run = m.sync(&[]).success();
    assert_eq!(m.state_of(number), "open", "{}", run.stdout);
    assert!(m.github.writes().is_empty(), "{:?}", m.github.writes());
    assert!(m.local().is_empty(), "not pulled back either");
}
