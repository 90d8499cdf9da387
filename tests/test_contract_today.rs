//! 0.3.1's `today` served by ours against the live roadmap-cli 0.3.1 (skipped with a message
//! when it is not installed, failing under CI=true), on a workspace 0.3.1 itself built with
//! every group `today` prints: the upcoming milestone chosen by due date, issues in progress,
//! overdue, blocked, closed today, and more high-priority `todo` issues than the three "up
//! next" shows, ranked by chains of dependents. The captures in `test_contract_reads` cover
//! the empty cases byte for byte without the tracker.

use crate::common::TestRepo;
use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_issue_list::{MARKER, run, stand_in_tracker};
use crate::test_contract_live::tracker;
use std::process::Command;

#[test]
fn today_answers_as_the_live_tracker_on_every_group() {
    let Some(bin) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = TestRepo::new();
    repo.git(&["config", "user.name", "ada"]);
    // The same HOME as `tracker` gives the live 0.3.1.
    let home = repo.sibling("home");
    std::fs::create_dir_all(&home).unwrap();
    let run_tracker = |args: &[&str]| tracker(&repo, &bin, args).trim().to_owned();
    run_tracker(&["init", "-p", "Live", "-d", "x"]);
    // The later milestone is listed first by name; the earlier due date wins.
    run_tracker(&[
        "milestone",
        "create",
        "-t",
        "a-later",
        "--due-date",
        "2031-06-01",
    ]);
    run_tracker(&[
        "milestone",
        "create",
        "-t",
        "b-sooner",
        "--due-date",
        "2030-03-01",
    ]);
    let create = |title: &str, extra: &[&str]| {
        let mut args = vec!["issue", "create", "--print-id", "--title", title];
        args.extend_from_slice(extra);
        run_tracker(&args)
    };
    let mine = ["-m", "b-sooner", "-a", "ada"];
    let working = create("Working", &mine);
    run_tracker(&["issue", "update", &working, "--status", "in-progress"]);
    let stuck = create("Stuck", &mine);
    run_tracker(&["issue", "update", &stuck, "--status", "blocked"]);
    create("Late", &[&mine[..], &["--due-date", "2020-01-01"]].concat());
    let done = create("Done", &mine);
    run_tracker(&["issue", "close", &done]);
    // `close` leaves `actual_end_date` alone; a hand edit sets it to today (UTC).
    let done_path = repo.root.join(format!(".roadmap/issues/{done}.md"));
    let today = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .unwrap();
    let today = String::from_utf8(today.stdout).unwrap();
    let text = std::fs::read_to_string(&done_path).unwrap().replace(
        "actual_end_date: null",
        &format!("actual_end_date: '{}T00:00:01+00:00'", today.trim()),
    );
    std::fs::write(&done_path, text).unwrap();
    // Five candidates for "up next": a chain root, two with one dependent, critical first.
    let root = create("Root", &[&mine[..], &["-p", "high"]].concat());
    let middle = create(
        "Middle",
        &[&mine[..], &["-p", "high", "--depends-on", &root]].concat(),
    );
    create(
        "Leaf",
        &[&mine[..], &["-p", "critical", "--depends-on", &middle]].concat(),
    );
    create(
        "Lonely critical",
        &[&mine[..], &["-p", "critical"]].concat(),
    );
    create("Lonely high", &[&mine[..], &["-p", "high"]].concat());
    // Not mine, or not in the upcoming milestone: left out. "ADA" is another user to the
    // tracker, though the assignee index ours seeks folds case.
    create("Bob's", &["-m", "b-sooner", "-a", "bob", "-p", "high"]);
    let shouting = create("Shouting", &["-m", "b-sooner", "-a", "ADA", "-p", "high"]);
    run_tracker(&["issue", "update", &shouting, "--status", "in-progress"]);
    create("Later", &["-m", "a-later", "-a", "ada", "-p", "high"]);
    repo.commit_all("0.3.1's workspace");

    let expected = run_tracker(&["today"]);
    assert!(expected.contains("Completed Today\n  "), "{expected}");
    let stand_in = stand_in_tracker(&repo, "0.3.1");
    let env = [("ROADMAP_TRACKER", stand_in.to_str().unwrap())];
    let ours = crate::common::binary("roadmap");
    let got = run(&repo.root, &ours, &["today".to_owned()], &home, &env);
    assert!(!got.stderr.contains(MARKER), "forwarded: {got:?}");
    assert_eq!(got.status, 0, "{got:?}");
    assert_eq!(got.stdout.trim(), expected);
    for title in ["Working", "Stuck", "Late", "Done", "Root", "Middle"] {
        assert!(expected.contains(title), "{title} missing:\n{expected}");
    }
    assert!(!expected.contains("Shouting"), "{expected}");
}
