//! Every roadmap-cli 0.3.1 command line we do not serve reaches the live tracker through ours
//! and prints what 0.3.1 printed when the captures were made: stdout, stderr and exit status,
//! byte for byte. The tracker's clock is set to the capture's day (`tests/common/fake_now/`),
//! so `today`, `--overdue` and "upcoming" read as they did then.

use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_issue_list::{
    CAPTURE_NOW, Capture, captures_of, contract_repo, expected, homes, run,
};
use std::path::Path;

/// The commands ours answers from the cache (their captures are compared in
/// `test_contract_issue_list` and `test_contract_reads`); their `--help` is the tracker's.
const SERVED: &[&[&str]] = &[
    &["issue", "list"],
    &["issue", "view"],
    &["status"],
    &["milestone", "list"],
    &["milestone", "view"],
    &["project", "list"],
    &["project", "view"],
    &["today"],
];

fn is_forwarded(capture: &Capture) -> bool {
    let served = SERVED.iter().any(|command| {
        capture
            .args
            .iter()
            .map(String::as_str)
            .take(command.len())
            .eq(command.iter().copied())
    });
    !served || capture.args.iter().any(|arg| arg == "--help")
}

#[test]
fn every_tracker_command_we_do_not_serve_prints_what_0_3_1_printed() {
    let Some(tracker) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = contract_repo();
    let (home, empty) = homes(&repo);
    let fake_now = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/fake_now");
    let (ours_alone, captures): (Vec<Capture>, Vec<Capture>) = captures_of(&[])
        .into_iter()
        .filter(is_forwarded)
        .partition(|capture| capture.args == ["--help"] || capture.args == ["--version"]);
    assert_eq!(ours_alone.len(), 2, "--help and --version are ours");
    assert!(
        captures.len() >= 28,
        "commands.txt lists {}",
        captures.len()
    );
    let ours = crate::common::binary("roadmap");
    let mut failures = Vec::new();
    for capture in &captures {
        let home = if capture.home_is_empty { &empty } else { &home };
        let env = [
            ("ROADMAP_TRACKER", tracker.to_str().unwrap()),
            ("PYTHONPATH", fake_now.to_str().unwrap()),
            ("ROADMAP_FAKE_NOW", CAPTURE_NOW),
            ("LC_ALL", "C.UTF-8"),
        ];
        let got = run(&repo.root, &ours, &capture.args, home, &env);
        let want = expected(capture);
        if (got.status, &got.stdout, &got.stderr) != (want.status, &want.stdout, &want.stderr) {
            failures.push(format!(
                "roadmap {}:\nwant {want:?}\ngot  {got:?}",
                capture.args.join(" ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `roadmap --help` and `--version` are ours, and say what stands behind us: the version the
/// tracker printed, and where each command of the tracker's `--help` goes.
#[test]
fn our_help_and_version_speak_for_the_tracker_behind_us() {
    let Some(tracker) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = contract_repo();
    let (home, _) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let capture = |args: &[&str]| {
        let found = captures_of(args)
            .into_iter()
            .find(|c| c.args.len() == args.len());
        expected(&found.expect("captured"))
    };
    let version = run(&repo.root, &ours, &["--version".to_owned()], &home, &env);
    let theirs = capture(&["--version"]).stdout;
    let number = theirs.trim().rsplit(' ').next().unwrap();
    assert!(
        version
            .stdout
            .contains(&format!("tracker: roadmap-cli {number}, ")),
        "{}",
        version.stdout
    );

    let help = run(&repo.root, &ours, &["--help".to_owned()], &home, &env).stdout;
    let help = help
        .split("Served by roadmap-hooks")
        .nth(1)
        .expect("the help says what is served and what forwarded");
    let theirs = capture(&["--help"]).stdout;
    let commands = theirs.split("Commands:\n").nth(1).expect("a command list");
    for line in commands.lines() {
        let Some(command) = line.split_whitespace().next() else {
            continue;
        };
        assert!(
            help.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .any(|word| word == command),
            "our help does not say where `{command}` goes:\n{help}"
        );
    }
}
