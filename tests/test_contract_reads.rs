//! 0.3.1's read commands other than `issue list` (`issue view`, `status`, `milestone list` and
//! `view`, `project list` and `view`, `today`) on a 0.2-contract
//! workspace answer as roadmap-cli 0.3.1 does, byte for byte and exit status included, without
//! running the tracker: every capture of these commands in
//! `tests/fixtures/tracker-0.3.1-cli-output/commands.txt` is replayed through ours with a
//! stand-in tracker that fails when called, or named below as forwarded and checked to reach
//! the tracker; when a live 0.3.1 is installed, a sample is compared with it too.

use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_issue_list::{
    CAPTURE_NOW, Capture, MARKER, captures_of, check_replay, contract_repo, homes, run,
    stand_in_tracker,
};
use std::path::Path;

/// The read commands this test covers, as their first words.
const COMMANDS: &[&[&str]] = &[
    &["issue", "view"],
    &["status"],
    &["milestone", "list"],
    &["milestone", "view"],
    &["project", "list"],
    &["project", "view"],
    &["today"],
];

/// Captures of these commands we do not serve, and why; each must reach the tracker.
const FORWARDED: &[(&str, &str)] = &[
    (
        "roadmap-issue-view--help.txt",
        "the tracker's own help text (click's), not an answer from the files",
    ),
    (
        "roadmap-status--help.txt",
        "the tracker's own help text (click's), not an answer from the files",
    ),
    (
        "roadmap-milestone-view--help.txt",
        "the tracker's own help text (click's), not an answer from the files",
    ),
    (
        "roadmap-project-list--help.txt",
        "the tracker's own help text (click's), not an answer from the files",
    ),
    (
        "roadmap-project-view--help.txt",
        "the tracker's own help text (click's), not an answer from the files",
    ),
    (
        "roadmap-today--help.txt",
        "the tracker's own help text (click's), not an answer from the files",
    ),
    (
        "roadmap-milestone-list--help.txt",
        "the tracker's own help text (click's), not an answer from the files",
    ),
];

fn captures() -> Vec<Capture> {
    COMMANDS.iter().flat_map(|c| captures_of(c)).collect()
}

fn is_forwarded(capture: &Capture) -> bool {
    FORWARDED.iter().any(|(file, _)| *file == capture.file)
}

#[test]
fn every_read_capture_is_served_byte_for_byte_or_forwarded() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, empty) = homes(&repo);
    let captures = captures();
    assert!(
        captures.len() >= 20,
        "commands.txt lists {}",
        captures.len()
    );
    let ours = crate::common::binary("roadmap");
    let env = [
        ("ROADMAP_TRACKER", tracker.to_str().unwrap()),
        ("ROADMAP_TEST_NOW", CAPTURE_NOW),
    ];
    let mut failures = Vec::new();
    for capture in &captures {
        let home = if capture.home_is_empty { &empty } else { &home };
        let got = run(&repo.root, &ours, &capture.args, home, &env);
        check_replay(capture, &got, is_forwarded(capture), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for (file, _) in FORWARDED {
        assert!(
            captures.iter().any(|c| c.file == *file),
            "{file} is not a capture of {COMMANDS:?}"
        );
    }
}

#[test]
fn a_read_with_another_release_behind_us_reaches_that_release() {
    let repo = contract_repo();
    let (home, _) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    for args in COMMANDS.iter().filter_map(|c| {
        captures_of(c)
            .into_iter()
            .find(|capture| !is_forwarded(capture))
    }) {
        for version in ["0.2.0", "1.0.2", "0.4.0"] {
            let tracker = stand_in_tracker(&repo, version);
            let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
            let got = run(&repo.root, &ours, &args.args, &home, &env);
            assert_eq!(got.status, 99, "{version} {:?}: {got:?}", args.args);
            assert!(got.stderr.contains(MARKER), "{version}: {got:?}");
        }
    }
}

#[test]
fn a_conflicted_record_sends_a_read_to_the_tracker() {
    let repo = contract_repo();
    let conflict =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracker-0.3.1-conflict");
    let path = std::fs::read_to_string(conflict.join("conflicted-issue.path")).unwrap();
    let text = std::fs::read_to_string(conflict.join("conflicted-issue.md")).unwrap();
    repo.write(path.trim(), &text);
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    for command in COMMANDS {
        let capture = captures_of(command)
            .into_iter()
            .find(|c| !is_forwarded(c))
            .unwrap();
        let got = run(&repo.root, &ours, &capture.args, &home, &env);
        assert_eq!(got.status, 99, "{:?}: {got:?}", capture.args);
        assert!(got.stderr.contains(MARKER), "{got:?}");
    }
}

/// Every fourth served capture (a handful, at 0.7 s a run of the live tracker), today,
/// through ours and through the live 0.3.1.
#[test]
fn reads_equal_a_live_0_3_tracker() {
    let Some(live) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, empty) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let mut failures = Vec::new();
    let served: Vec<Capture> = captures()
        .into_iter()
        .filter(|c| !is_forwarded(c))
        .collect();
    for capture in served.iter().step_by(4) {
        let home = if capture.home_is_empty { &empty } else { &home };
        let theirs = run(&repo.root, &live, &capture.args, home, &[]);
        let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
        let got = run(&repo.root, &ours, &capture.args, home, &env);
        if (got.status, &got.stdout, &got.stderr) != (theirs.status, &theirs.stdout, &theirs.stderr)
        {
            failures.push(format!("{}:\n{theirs:?}\n{got:?}", capture.args.join(" ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
