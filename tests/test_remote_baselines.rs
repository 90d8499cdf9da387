//! A baseline row in `remote.db` that cannot be decoded is reported, naming the issue, and that
//! issue is left alone by the sync (issue 26, point 4): no create, no pull, no push for it, so
//! it never comes back as a duplicate; the other issues sync.

use crate::common::github_server::REPO;
use crate::common::mirrored::Mirrored;
use roadmap_hooks::cache::remote::RemoteState;
use serde_json::json;

/// Overwrites the baseline row of `id` with `state`, as damage or another version would.
fn damage_baseline(m: &Mirrored, id: &str, state: &str) {
    let dir = m.repo.root.join(".git/roadmap");
    RemoteState::open(&dir)
        .unwrap()
        .set_base_state(&format!("github:{REPO}"), id, state)
        .unwrap();
}

/// Two GitHub issues pulled into files (#1 and #2; their bodies carry no marker), committed;
/// the id of #1's file.
fn two_linked() -> (Mirrored, String) {
    let m = Mirrored::new();
    m.github.state().add_issue("Damaged one", "One", &[]);
    m.github.state().add_issue("Healthy one", "Two", &[]);
    m.sync(&[]).success();
    m.commit("pulled");
    let id = m.local_of(1)["id"].as_str().unwrap().to_owned();
    (m, id)
}

/// Someone edits both titles on GitHub.
fn edit_both_on_github(m: &Mirrored) {
    let mut github = m.github.state();
    github.edit(1, json!({ "title": "Damaged one, edited on GitHub" }));
    github.edit(2, json!({ "title": "Healthy one, edited on GitHub" }));
}

#[test]
fn a_lost_link_with_an_undecodable_baseline_is_not_pushed_again() {
    let (m, id) = two_linked();
    damage_baseline(&m, &id, r#"{"number": 1, "fields": 7}"#);
    // The file loses its link (`git checkout` of an older version, a hand edit).
    let path = m.path_of(1);
    let text = std::fs::read_to_string(m.repo.root.join(&path)).unwrap();
    m.repo.write(&path, &text.replace("github: 1", "gitlab: 1"));
    m.repo.write(
        &path,
        &std::fs::read_to_string(m.repo.root.join(&path))
            .unwrap()
            .replace("Damaged one\n", "Damaged one, edited here\n"),
    );
    edit_both_on_github(&m);

    let run = m.sync(&[]);
    assert!(
        run.stderr.contains(&id) && run.stderr.contains("baseline"),
        "{}",
        run.stderr
    );
    assert_eq!(m.github.state().issues.len(), 2, "no create: {run:?}");
    assert!(
        m.github.writes().iter().all(|w| !w.contains("/issues/1")),
        "no push: {:?}",
        m.github.writes()
    );
    assert_eq!(m.github.issue(1)["title"], "Damaged one, edited on GitHub");
    let file = std::fs::read_to_string(m.repo.root.join(&path)).unwrap();
    assert!(!file.contains("edited on GitHub"), "no pull: {file}");
    let healthy = m.path_of(2);
    let healthy = std::fs::read_to_string(m.repo.root.join(healthy)).unwrap();
    assert!(
        healthy.contains("Healthy one, edited on GitHub"),
        "the rest syncs: {healthy}"
    );
}

#[test]
fn a_deleted_file_with_a_garbled_baseline_is_not_pulled_back_as_new() {
    let (m, id) = two_linked();
    let path = m.path_of(1);
    m.repo.remove(&path);
    m.commit("deleted");
    // Not even JSON: the number it stood for cannot be read either.
    damage_baseline(&m, &id, "\u{0}garbled");
    edit_both_on_github(&m);
    // A new issue might be the damaged one's for all the sync can tell: it waits too.
    let new = m.github.state().add_issue("Brand new", "", &[]);

    let run = m.sync(&[]);
    assert!(run.stderr.contains(&id), "{}", run.stderr);
    assert!(
        run.stderr.contains("2 new GitHub issue(s) not pulled"),
        "{}",
        run.stderr
    );
    assert_eq!(m.local().len(), 1, "not pulled back as new: {run:?}");
    assert_eq!(m.local_of(2)["title"], "Healthy one, edited on GitHub");
    assert_eq!(m.state_of(1), "open", "not closed either");
    assert!(m.github.writes().iter().all(|w| !w.contains("/issues/1")));

    // Once the row is gone (the warning says how), the new issue comes in; the cursor waited.
    let db = rusqlite::Connection::open(m.repo.root.join(".git/roadmap/remote.db")).unwrap();
    let sql = format!("DELETE FROM sync_base_state WHERE issue_id = '{id}'");
    assert_eq!(db.execute(&sql, []).unwrap(), 1);
    drop(db);
    m.sync(&[]).success();
    assert!(
        m.local()
            .iter()
            .any(|i| i["remote_ids"]["github"] == json!(new))
    );
}
