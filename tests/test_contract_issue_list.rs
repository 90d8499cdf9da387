//! `roadmap issue list` on a 0.2-contract workspace answers as roadmap-cli 0.3.1 does, byte for
//! byte and exit status included, without running the tracker: every `issue list` capture of
//! `tests/fixtures/tracker-0.3.1-cli-output/commands.txt` is replayed (or named below as
//! forwarded, and checked to be); a git conflict in a record is refused as the tracker refuses
//! it; and, when a live 0.3.1 is named, the same command lines are compared with it.

use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::common::{Run, TestRepo, copy_fixture, hermetic};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Captures we do not serve, and why; each must reach the tracker.
const FORWARDED: &[(&str, &str)] = &[(
    "roadmap-issue-list--help.txt",
    "the tracker's own help text (click's), not an answer from the files",
)];

/// The capture day (`tests/fixtures/README.md`: 2026-12-06, after the tree was built).
pub(crate) const CAPTURE_NOW: &str = "2026-12-06T22:30:00+00:00";

/// What the stand-in tracker prints when it is run for anything but `--version`.
pub(crate) const MARKER: &str = "the tracker was called";

pub(crate) fn output_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracker-0.3.1-cli-output")
}

/// A repository holding the 0.3.1 fixture tree, committed, git's user.name "Ada Lovelace".
pub(crate) fn contract_repo() -> TestRepo {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-0.3.1");
    repo.git(&["config", "user.name", "Ada Lovelace"]);
    repo.commit_all("roadmap data written by roadmap-cli 0.3.1");
    repo
}

/// A tracker that says it is 0.3.1 (so that ours follows its outputs) and fails the test
/// with [`MARKER`] when it is asked anything else.
pub(crate) fn stand_in_tracker(repo: &TestRepo, version: &str) -> PathBuf {
    let dir = repo.sibling("tracker-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("roadmap");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'roadmap, version {version}'; exit 0; fi\necho '{MARKER}' >&2\nexit 99\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// One line of commands.txt: `file | arguments | env`.
pub(crate) struct Capture {
    pub(crate) file: String,
    pub(crate) args: Vec<String>,
    pub(crate) home_is_empty: bool,
}

fn issue_list_captures() -> Vec<Capture> {
    captures_of(&["issue", "list"])
}

/// The captures of commands.txt whose arguments start with `command`, in file order.
pub(crate) fn captures_of(command: &[&str]) -> Vec<Capture> {
    let text = std::fs::read_to_string(output_dir().join("commands.txt")).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(" | ").map(str::trim).collect();
            let args: Vec<String> = fields[1].split(' ').map(str::to_owned).collect();
            args.iter()
                .map(String::as_str)
                .take(command.len())
                .eq(command.iter().copied())
                .then(|| Capture {
                    file: fields[0].to_owned(),
                    args,
                    home_is_empty: fields[2] == "HOME=empty",
                })
        })
        .collect()
}

pub(crate) fn expected(capture: &Capture) -> Run {
    let name = capture.file.trim_end_matches(".txt");
    let read = |suffix: &str| std::fs::read_to_string(output_dir().join(format!("{name}{suffix}")));
    Run {
        status: read(".exit.txt").map_or(0, |code| code.trim().parse().unwrap()),
        stdout: read(".txt").unwrap(),
        stderr: read(".stderr.txt").unwrap_or_default(),
    }
}

/// Checks one replayed capture: a line meant for the tracker reached the stand-in (exit 99,
/// [`MARKER`]); any other printed exactly what 0.3.1 printed. A difference is pushed on
/// `failures`, so one run lists every capture that differs.
pub(crate) fn check_replay(
    capture: &Capture,
    got: &Run,
    forwarded: bool,
    failures: &mut Vec<String>,
) {
    if forwarded {
        if got.status != 99 || !got.stderr.contains(MARKER) {
            failures.push(format!("{}: not forwarded ({got:?})", capture.file));
        }
        return;
    }
    let want = expected(capture);
    if (got.status, &got.stdout, &got.stderr) != (want.status, &want.stdout, &want.stderr) {
        failures.push(format!(
            "{} ({}):\n--- want (exit {})\n{}{}\n--- got (exit {})\n{}{}",
            capture.file,
            capture.args.join(" "),
            want.status,
            want.stdout,
            want.stderr,
            got.status,
            got.stdout,
            got.stderr
        ));
    }
}

/// Runs `roadmap ARGS` in `dir` as the captures ran: piped, `HOME` as commands.txt says.
pub(crate) fn run(
    dir: &Path,
    program: &Path,
    args: &[String],
    home: &Path,
    env: &[(&str, &str)],
) -> Run {
    let mut command = Command::new(program);
    hermetic(&mut command)
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env_remove("NO_COLOR");
    for (name, value) in env {
        command.env(name, value);
    }
    Run::from_output(command.output().expect("run roadmap"))
}

pub(crate) fn homes(repo: &TestRepo) -> (PathBuf, PathBuf) {
    let empty = repo.sibling("empty-home");
    std::fs::create_dir_all(&empty).unwrap();
    (output_dir().join("home"), empty)
}

#[test]
fn every_issue_list_capture_is_served_byte_for_byte_or_forwarded() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, empty) = homes(&repo);
    let captures = issue_list_captures();
    assert!(
        captures.len() > 100,
        "commands.txt lists {}",
        captures.len()
    );
    let ours = crate::common::binary("roadmap");
    let mut failures = Vec::new();
    for capture in &captures {
        let home = if capture.home_is_empty { &empty } else { &home };
        let env = [
            ("ROADMAP_TRACKER", tracker.to_str().unwrap()),
            ("ROADMAP_TEST_NOW", CAPTURE_NOW),
        ];
        let got = run(&repo.root, &ours, &capture.args, home, &env);
        let forwarded = FORWARDED.iter().any(|(file, _)| *file == capture.file);
        check_replay(capture, &got, forwarded, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for (file, _) in FORWARDED {
        assert!(
            captures.iter().any(|c| c.file == *file),
            "{file} is not a capture"
        );
    }
}

#[test]
fn a_conflicted_record_is_refused_naming_the_file_as_the_tracker_does() {
    let repo = contract_repo();
    let conflict =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tracker-0.3.1-conflict");
    for name in ["conflicted-issue", "untouched-issue"] {
        let path = std::fs::read_to_string(conflict.join(format!("{name}.path"))).unwrap();
        let text = std::fs::read_to_string(conflict.join(format!("{name}.md"))).unwrap();
        repo.write(path.trim(), &text);
    }
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let root = repo.root.canonicalize().unwrap();
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    for (capture, format) in [
        ("issue-list", None),
        ("issue-list--format-csv", Some("csv")),
        ("issue-list--format-json", Some("json")),
    ] {
        let mut args = vec!["issue".to_owned(), "list".to_owned()];
        args.extend(
            format
                .map(|f| ["--format".to_owned(), f.to_owned()])
                .into_iter()
                .flatten(),
        );
        let got = run(&root, &ours, &args, &home, &env);
        let captured =
            std::fs::read_to_string(conflict.join(format!("{capture}.stderr.txt"))).unwrap();
        // The tracker's first words, with this repository's path; the rest is PyYAML's.
        let prefix = captured
            .split_once(".md: ")
            .map(|(head, _)| head.replace("/tmp/rm03fix/conflict", root.to_str().unwrap()))
            .unwrap();
        let exit = std::fs::read_to_string(conflict.join(format!("{capture}.exit.txt"))).unwrap();
        let stdout = std::fs::read_to_string(conflict.join(format!("{capture}.txt"))).unwrap();
        assert_eq!(
            (got.status.to_string(), got.stdout.as_str()),
            (exit.trim().to_owned(), stdout.as_str()),
            "{capture}: {got:?}"
        );
        assert!(
            got.stderr.starts_with(&format!("{prefix}.md: ")),
            "{capture}: {got:?}"
        );
        assert!(
            got.stderr
                .contains("unresolved git conflict markers (line 5)"),
            "{got:?}"
        );
        assert_eq!(got.stderr.lines().count(), 1, "{got:?}");
    }
}

#[test]
fn another_release_behind_us_answers_for_itself() {
    let repo = contract_repo();
    let (home, _) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let args = ["issue", "list", "--format", "csv"].map(str::to_owned);
    for version in ["0.2.0", "1.0.2", "0.4.0"] {
        let tracker = stand_in_tracker(&repo, version);
        let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
        let got = run(&repo.root, &ours, &args, &home, &env);
        assert_eq!(got.status, 99, "{version}: {got:?}");
        assert!(got.stderr.contains(MARKER), "{version}: {got:?}");
    }
}

/// Every eighth captured command line (about fifteen: each format and most options, at 0.7 s
/// a run of the live tracker), today, through ours and through the live 0.3.1.
#[test]
fn issue_list_equals_a_live_0_3_tracker() {
    let Some(live) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, empty) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let mut failures = Vec::new();
    for capture in issue_list_captures().into_iter().step_by(8) {
        if FORWARDED.iter().any(|(file, _)| *file == capture.file) {
            continue;
        }
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

/// `issue list --format csv` through ours, served (the stand-in tracker fails the test if it
/// is asked), as the captures ran.
fn served_csv(repo: &TestRepo, tracker: &Path) -> String {
    let (home, _) = homes(repo);
    let args = ["issue", "list", "--format", "csv"].map(str::to_owned);
    let env = [
        ("ROADMAP_TRACKER", tracker.to_str().unwrap()),
        ("ROADMAP_TEST_NOW", CAPTURE_NOW),
    ];
    let got = run(
        &repo.root,
        &crate::common::binary("roadmap"),
        &args,
        &home,
        &env,
    );
    assert_eq!((got.status, got.stderr.as_str()), (0, ""), "{got:?}");
    got.stdout
}

const CRLF_ISSUE: &str = ".roadmap/issues/118a8f80-69ab-4a8a-a80b-d2fbdc102015.md";
const FRENCH_ISSUE: &str = ".roadmap/issues/fe4813f3-414c-41d1-bbab-94ac9d766d69.md";

#[test]
fn the_answer_shows_uncommitted_edits_and_deletions_as_the_tracker_reads_them() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let captured = expected(&Capture {
        file: "issue-list--format-csv.txt".to_owned(),
        args: Vec::new(),
        home_is_empty: false,
    })
    .stdout;
    assert_eq!(served_csv(&repo, &tracker), captured);
    let text = std::fs::read_to_string(repo.root.join(CRLF_ISSUE)).unwrap();
    repo.write(
        CRLF_ISSUE,
        &text.replace("title: Handle CRLF line endings", "title: Handle CR alone"),
    );
    repo.remove(FRENCH_ISSUE);
    let want: String = captured
        .split_inclusive("\r\n")
        .filter(|line| !line.starts_with("fe4813f3-"))
        .map(|line| line.replace("Handle CRLF line endings", "Handle CR alone"))
        .collect();
    assert_ne!(want, captured);
    assert_eq!(served_csv(&repo, &tracker), want);
    assert!(repo.git(&["status", "--porcelain"]).contains("fe4813f3"));
}

/// Sets the modification time of the file at `path` to `seconds` after the epoch.
fn set_mtime(path: &Path, seconds: i64) {
    let status = Command::new("touch")
        .args(["-m", "-d", &format!("@{seconds}")])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A file rewritten behind the cache's back with its size, inode and modification time kept
/// still lists as rewritten: its change time moved, which no `touch` can put back (git compares
/// it too). That an unchanged working tree costs no file read is proven beside the walk
/// (`workspace::worktree::walk`'s tests count the files read).
#[test]
fn a_rewrite_that_keeps_size_and_mtime_is_seen_by_its_change_time() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let long_ago = 1_700_000_000;
    let path = repo.root.join(CRLF_ISSUE);
    set_mtime(&path, long_ago);
    let before = served_csv(&repo, &tracker);
    assert!(before.contains(",Handle CRLF line endings,"), "{before}");
    assert_eq!(served_csv(&repo, &tracker), before);
    let text = std::fs::read_to_string(&path).unwrap();
    let same_size = text.replace("Handle CRLF line endings", "Handle CRLF line ENDINGS");
    assert_eq!(same_size.len(), text.len());
    std::fs::write(&path, same_size).unwrap();
    set_mtime(&path, long_ago);
    let after = served_csv(&repo, &tracker);
    assert_eq!(after, before.replace("line endings", "line ENDINGS"));
    set_mtime(&path, long_ago + 60);
    assert_eq!(served_csv(&repo, &tracker), after);
}

/// Files the tracker may read otherwise send the command to it, and once they are gone the
/// answer is ours again: a value PyYAML types differently (`yes` is a boolean in YAML 1.1), a
/// `README.md` the tracker reads as a record and the cache does not hold, a nested folder
/// (of milestones, or of issues: the counts `status` and `milestone list` read leave out
/// what is not directly in `issues/`). `issue list`, `status` and `milestone list` alike.
#[test]
fn a_file_the_tracker_may_read_otherwise_hands_the_command_over_until_it_is_fixed() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let reads: [&[&str]; 3] = [
        &["issue", "list", "--format", "csv"],
        &["status", "--format", "json"],
        &["milestone", "list", "--format", "json"],
    ];
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let ours = crate::common::binary("roadmap");
    let original = std::fs::read_to_string(repo.root.join(CRLF_ISSUE)).unwrap();
    let served = served_csv(&repo, &tracker);
    let yes = original.replace("assignee: bob", "assignee: yes");
    assert_ne!(yes, original);
    let nested_issue = std::fs::read_to_string(repo.root.join(CRLF_ISSUE)).unwrap();
    for (path, text) in [
        (CRLF_ISSUE, yes.as_str()),
        (".roadmap/issues/README.md", "# Issues\n"),
        (".roadmap/milestones/old/x.md", "---\nname: x\n---\n"),
        (".roadmap/issues/old/x.md", nested_issue.as_str()),
    ] {
        repo.write(path, text);
        for args in reads {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            let got = run(&repo.root, &ours, &args, &home, &env);
            assert_eq!(got.status, 99, "{path}, {args:?}: {got:?}");
            assert!(got.stderr.contains(MARKER), "{path}, {args:?}: {got:?}");
        }
        if path == CRLF_ISSUE {
            repo.write(path, &original);
        } else {
            repo.remove(path);
            let _ = std::fs::remove_dir(repo.root.join(".roadmap/milestones/old"));
            let _ = std::fs::remove_dir(repo.root.join(".roadmap/issues/old"));
        }
        assert_eq!(served_csv(&repo, &tracker), served, "{path}");
    }
}

/// The look at the working tree lists `issues/` only when its stat data move, and the served
/// reads take its word that the folder holds documents only: a stray `README.md` still hands
/// the command over once the look keeps the folder's listing from its stat file (stat data
/// settled, not listed again), and the answer is ours again once the stray is gone.
#[test]
fn a_stray_file_stays_seen_while_its_folder_is_not_listed_again() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let args = ["issue", "list", "--format", "csv"].map(str::to_owned);
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let ours = crate::common::binary("roadmap");
    let served = served_csv(&repo, &tracker);
    let folder = repo.root.join(".roadmap/issues");
    repo.write(".roadmap/issues/README.md", "# Issues\n");
    set_mtime(&folder, 1_700_000_000);
    for run_number in 1..=3 {
        if run_number == 3 {
            // Past the second of the folder's change time: now its listing is kept.
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let got = run(&repo.root, &ours, &args, &home, &env);
        assert_eq!(got.status, 99, "run {run_number}: {got:?}");
        assert!(got.stderr.contains(MARKER), "run {run_number}: {got:?}");
    }
    repo.remove(".roadmap/issues/README.md");
    assert_eq!(served_csv(&repo, &tracker), served);
}

/// `roadmap ARGS` on a pseudo-terminal as a person runs it: no `CI` (which tells the tracker,
/// and so us, to print plainly; `.ci/run` sets it) and no `NO_COLOR` (which the tests' hermetic
/// environment sets). `None` where `script` is missing.
pub(crate) fn person_at_a_terminal(
    repo: &TestRepo,
    args: &str,
    env: &[(&str, &str)],
) -> Option<String> {
    let quiet = ["CI", "NO_COLOR", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS"]
        .map(|name| format!("-u {name}"))
        .join(" ");
    let roadmap = crate::common::binary("roadmap");
    let line = format!("env {quiet} {} {args}", roadmap.display());
    crate::test_front::on_a_terminal_running(repo, &line, env)
}

/// `text` without ANSI escape sequences (`ESC [ ... m`) and with CRLF as LF (a pseudo-terminal's).
pub(crate) fn visible(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out.replace("\r\n", "\n")
}

/// A 0.3.1 workspace and the environment of the terminal captures: 120 columns, the captures'
/// home, the stand-in 0.3.1 behind ours (which fails a command it is handed).
pub(crate) fn at_a_120_column_terminal() -> (TestRepo, [(&'static str, String); 4]) {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let env = [
        ("ROADMAP_TRACKER", tracker.display().to_string()),
        ("COLUMNS", "120".to_owned()),
        ("HOME", home.display().to_string()),
        ("TERM", "xterm-256color".to_owned()),
    ];
    (repo, env)
}

/// On a terminal a person gets the default view served, not forwarded: the same text 0.3.1
/// shows on a 120-column terminal (captured through `script`), in its colours.
#[test]
fn on_a_terminal_the_default_view_is_served_in_the_trackers_colours() {
    let (repo, env) = at_a_120_column_terminal();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let shown = person_at_a_terminal(&repo, "issue list", &env);
    let Some(shown) = crate::common::tracker::required(shown, "`script` (a terminal)") else {
        return;
    };
    assert!(!shown.contains(MARKER), "served, not forwarded: {shown}");
    let captured = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tracker-0.3.1-terminal/issue-list--COLUMNS-120.txt"),
    )
    .unwrap();
    assert_eq!(visible(&shown), visible(&captured));
    for styled in [
        "\u{1b}[1;36mEntry 1\u{1b}[0m",
        "\u{1b}[1m  Title: \u{1b}[0m",
        "\u{1b}[1;36m📋 ",
    ] {
        assert!(shown.contains(styled), "{styled:?} in {shown}");
    }
    // A machine format on a terminal is the tracker's (Rich highlights it).
    let csv = person_at_a_terminal(&repo, "issue list --format csv", &env).unwrap();
    assert!(csv.contains(MARKER), "{csv}");
}
