//! `issue view` on a 0.2-contract workspace takes the ids from the cache and reads only the
//! shown issue's file: what it shows must still be the working tree's, as 0.3.1 reads it, with
//! hand edits, new files and prefixes the new files make ambiguous. Checked against the live
//! 0.3.1 when it is installed, and for what a user sees always.

use crate::common::binary;
use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_issue_list::{
    MARKER, at_a_120_column_terminal, contract_repo, homes, person_at_a_terminal, run,
    stand_in_tracker,
};
use std::path::Path;

const ID: &str = "02c58796-69bf-4b0c-b7bd-ee0d62c9527c";
/// Shares no prefix with another fixture issue beyond `f00d`.
const NEW_ID: &str = "f00dcafe-0000-4000-8000-000000000001";
const TWIN_ID: &str = "f00dcafe-0000-4000-8000-000000000002";

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

#[test]
fn issue_view_shows_hand_edits_and_new_files_of_the_working_tree() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let ours = binary("roadmap");
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let path = |id: &str| format!(".roadmap/issues/{id}.md");
    let original = std::fs::read_to_string(repo.root.join(path(ID))).unwrap();
    // The cache exists and holds the committed files before anything is edited.
    let first = run(
        &repo.root,
        &ours,
        &args(&["issue", "view", ID]),
        &home,
        &env,
    );
    assert_eq!(first.status, 0, "{first:?}");
    assert!(first.stdout.contains("Support running hooks"), "{first:?}");

    // A title edited by hand, not committed.
    let edited = original
        .replacen("status: todo", "status: blocked", 1)
        .replacen(
            "title: Support running hooks in worktrees",
            "title: Hand-edited title in worktrees",
            1,
        );
    repo.write(&path(ID), &edited);
    // A new issue file, as a script or a copy would make it, and then a second one whose id
    // shares the first's prefix.
    let new = edited
        .replace(ID, NEW_ID)
        .replacen("Hand-edited title", "A brand new issue", 1);
    repo.write(&path(NEW_ID), &new);
    let mut views = vec![
        args(&["issue", "view", ID]),
        args(&["issue", "view", "f00dcafe"]),
        args(&["issue", "view", NEW_ID, "--format", "json"]),
    ];
    let got = run(&repo.root, &ours, &views[0], &home, &env);
    assert_eq!(got.status, 0, "{got:?}");
    assert!(got.stdout.contains("Hand-edited title"), "{got:?}");
    assert!(got.stdout.contains("blocked"), "{got:?}");
    let got = run(&repo.root, &ours, &views[1], &home, &env);
    assert_eq!(got.status, 0, "a prefix of the new file's id: {got:?}");
    assert!(got.stdout.contains("A brand new issue"), "{got:?}");

    repo.write(&path(TWIN_ID), &new.replace(NEW_ID, TWIN_ID));
    views.push(args(&["issue", "view", "f00d"]));
    let got = run(&repo.root, &ours, &views[3], &home, &env);
    assert_eq!(got.status, 1, "an ambiguous prefix: {got:?}");
    assert!(
        got.stderr.contains(NEW_ID) && got.stderr.contains(TWIN_ID),
        "both ids named: {got:?}"
    );
    assert!(
        !got.stderr.contains(MARKER),
        "served, not forwarded: {got:?}"
    );

    // The file deleted by hand: not found, as the tracker says it.
    std::fs::remove_file(repo.root.join(path(TWIN_ID))).unwrap();
    std::fs::remove_file(repo.root.join(path(NEW_ID))).unwrap();
    views.push(args(&["issue", "view", "f00dcafe"]));
    let got = run(&repo.root, &ours, &views[4], &home, &env);
    assert_eq!(got.status, 1, "{got:?}");
    assert!(got.stderr.contains("was not found"), "{got:?}");

    let Some(live) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    // Each view again, the files as they are now, beside the live tracker.
    repo.write(&path(NEW_ID), &new);
    repo.write(&path(TWIN_ID), &new.replace(NEW_ID, TWIN_ID));
    let mut failures = Vec::new();
    for view in &views {
        let theirs = run(&repo.root, &live, view, &home, &[]);
        let got = run(&repo.root, &ours, view, &home, &env);
        if (got.status, &got.stdout, &got.stderr) != (theirs.status, &theirs.stdout, &theirs.stderr)
        {
            failures.push(format!("{}:\n{theirs:?}\n{got:?}", view.join(" ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// On a terminal `issue view` is served too: 0.3.1 prints it with `click.echo` alone, the same
/// bytes as into a pipe (captured through `script` at 120 columns; 40 and 200 give the same).
#[test]
fn on_a_terminal_issue_view_is_served_as_the_tracker_prints_it() {
    let (repo, env) = at_a_120_column_terminal();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let captures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracker-0.3.1-terminal");
    for (args, capture) in [
        (
            "issue view 02c58796",
            "issue-view-02c58796--COLUMNS-120.txt",
        ),
        ("issue view 0", "issue-view-0--COLUMNS-120.txt"),
    ] {
        let shown = person_at_a_terminal(&repo, args, &env);
        let Some(shown) = crate::common::tracker::required(shown, "`script` (a terminal)") else {
            return;
        };
        assert!(
            !shown.contains(MARKER),
            "{args}: served, not forwarded: {shown}"
        );
        let captured = std::fs::read_to_string(captures.join(capture)).unwrap();
        assert_eq!(shown, captured.replace("\r\n", "\n"), "{args}");
    }
}
