//! The tracker's own output captured by `tests/fixtures/make-fixtures.sh` (step 6) into
//! `tracker-1.0.2-cli-output/`, and by hand for the `wild` tree into `wild-cli-output/`: each
//! capture against what our `roadmap` serves for the same command line on the same tree, byte
//! for byte. A command line ours answers is compared always; one ours hands to the tracker is
//! compared through the installed tracker (required under CI). Every file of both folders must
//! be named here, so no capture sits unread.

use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::common::{NO_TRACKER, Run, TestRepo, copy_fixture, hermetic};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `make-fixtures.sh`'s `cap NAME ARGS...` lines: the capture's name and its command line.
const TRACKER_CAPTURES: &[(&str, &str)] = &[
    ("issue-list--help", "issue list --help"),
    ("issue-list", "issue list"),
    ("issue-list--format-rich", "issue list --format rich"),
    ("issue-list--format-plain", "issue list --format plain"),
    ("issue-list--format-json", "issue list --format json"),
    ("issue-list--format-csv", "issue list --format csv"),
    (
        "issue-list--format-markdown",
        "issue list --format markdown",
    ),
    (
        "issue-list--status-todo--format-csv",
        "issue list --status todo --format csv",
    ),
    (
        "issue-list--status-in-progress--format-csv",
        "issue list --status in-progress --format csv",
    ),
    (
        "issue-list--status-blocked--format-csv",
        "issue list --status blocked --format csv",
    ),
    (
        "issue-list--status-review--format-csv",
        "issue list --status review --format csv",
    ),
    (
        "issue-list--status-closed--format-csv",
        "issue list --status closed --format csv",
    ),
    (
        "issue-list--priority-high--format-csv",
        "issue list --priority high --format csv",
    ),
    (
        "issue-list--priority-critical--format-json",
        "issue list --priority critical --format json",
    ),
    (
        "issue-list--milestone-v0-1--format-csv",
        "issue list --milestone v0-1 --format csv",
    ),
    (
        "issue-list--milestone-future_ideas--format-plain",
        "issue list --milestone future_ideas --format plain",
    ),
    (
        "issue-list--backlog--format-csv",
        "issue list --backlog --format csv",
    ),
    (
        "issue-list-backlog--format-csv",
        "issue list backlog --format csv",
    ),
    (
        "issue-list--open--format-csv",
        "issue list --open --format csv",
    ),
    (
        "issue-list--blocked--format-csv",
        "issue list --blocked --format csv",
    ),
    (
        "issue-list--overdue--format-csv",
        "issue list --overdue --format csv",
    ),
    (
        "issue-list--issue-type-bug--format-csv",
        "issue list --issue-type bug --format csv",
    ),
    (
        "issue-list--assignee-ada--format-csv",
        "issue list --assignee ada --format csv",
    ),
    (
        "issue-list--sort-by-priority-desc--format-csv",
        "issue list --sort-by priority:desc --format csv",
    ),
    (
        "issue-list--sort-by-title--format-csv",
        "issue list --sort-by title --format csv",
    ),
    (
        "issue-list--sort-by-status-asc-id-desc--format-csv",
        "issue list --sort-by status:asc,id:desc --format csv",
    ),
    (
        "issue-list--columns-id-title-status-milestone--format-csv",
        "issue list --columns id,title,status,milestone --format csv",
    ),
    (
        "issue-list--filter-status=todo--format-csv",
        "issue list --filter status=todo --format csv",
    ),
    (
        "issue-list--status-closed--format-json",
        "issue list --status closed --format json",
    ),
    (
        "issue-list--verbose--format-plain",
        "issue list --verbose --format plain",
    ),
    ("issue-archive--list", "issue archive --list"),
    ("milestone-list", "milestone list"),
    ("project-list", "project list"),
    ("issue-view-0e93cfa2", "issue view 0e93cfa2"),
];

/// What `roadmap` 1.0.2 printed for the hand-written `wild` tree.
const WILD_CAPTURES: &[(&str, &str)] = &[
    ("issue-list--format-csv", "issue list --format csv"),
    (
        "issue-list--backlog--format-csv",
        "issue list --backlog --format csv",
    ),
    ("issue-archive--list", "issue archive --list"),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The tree committed with the empty `config.yaml` the tracker needs to read it.
fn repo_of(tree: &str) -> TestRepo {
    let repo = TestRepo::new();
    copy_fixture(&repo, tree);
    repo.write(".roadmap/config.yaml", "");
    repo.commit_all("roadmap data");
    repo
}

/// Our `roadmap ARGS` in `repo`, piped as the captures were, with `tracker` behind it.
fn ours(repo: &TestRepo, args: &str, tracker: &Path, home: &Path) -> Run {
    let mut command = Command::new(crate::common::binary("roadmap"));
    hermetic(&mut command)
        .args(args.split(' '))
        .current_dir(&repo.root)
        .env("ROADMAP_TRACKER", tracker)
        .env("HOME", home)
        .stdin(Stdio::null());
    Run::from_output(command.output().expect("run roadmap"))
}

/// The names of the capture files in `folder` that `captures` names (`NAME.txt`, and the
/// tracker's stderr `NAME.stderr.txt`, if any).
fn named(captures: &[(&str, &str)]) -> BTreeSet<String> {
    captures
        .iter()
        .flat_map(|(name, _)| [format!("{name}.txt"), format!("{name}.stderr.txt")])
        .collect()
}

/// Compares every capture of `folder` (made on `tree`) with ours; `extra` are files of the
/// folder another test reads.
fn compare(tree: &str, folder: &str, captures: &[(&str, &str)], extra: &[&str]) {
    let dir = fixtures().join(folder);
    let known = named(captures);
    let unread: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| !known.contains(name) && !extra.contains(&name.as_str()))
        .collect();
    assert!(unread.is_empty(), "captures no test reads: {unread:?}");

    let repo = repo_of(tree);
    let home = repo.sibling("home");
    std::fs::create_dir_all(&home).unwrap();
    let tracker = std::cell::OnceCell::new();
    let mut failures = Vec::new();
    for (name, args) in captures {
        let expected = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
        let mut run = ours(&repo, args, Path::new(NO_TRACKER), &home);
        let forwarded = run.status == 2 && run.stderr.contains("with the tracker");
        if forwarded {
            let Some(live) = tracker.get_or_init(|| installed_tracker(TrackerLine::Legacy)) else {
                continue;
            };
            run = ours(&repo, args, live, &home);
        }
        let how = if forwarded { "forwarded" } else { "served" };
        if run.stdout != expected {
            failures.push(format!(
                "{folder}/{name}.txt (`roadmap {args}`, {how}, exit {}):\n--- ours\n{}{}--- capture\n{expected}",
                run.status, run.stdout, run.stderr
            ));
        }
        let stderr = dir.join(format!("{name}.stderr.txt"));
        if stderr.exists() {
            let expected = std::fs::read_to_string(&stderr).unwrap();
            let root = repo.root.canonicalize().unwrap();
            let (ours, theirs) = (logged(&run.stderr, &root), logged(&expected, &root));
            if ours.is_empty() || ours != theirs {
                failures.push(format!(
                    "{folder}/{name}.stderr.txt (`roadmap {args}`, {how}):\n--- ours\n{}--- capture\n{expected}",
                    run.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the tracker's log on stderr says happened: for each record, its level, logger and
/// event, and the file it names from the repository's root. Left out: the time, and the text
/// of the message, which the tracker cuts at a fixed length after naming the file (absolute
/// today, relative when the captures were made).
fn logged(text: &str, root: &Path) -> Vec<String> {
    let root = format!("{}/", root.display());
    text.lines()
        .filter_map(|line| {
            let (time, rest) = line.split_once("Z [")?;
            (time.len() == 19).then_some(())?;
            let event = rest.split(" | ").next().unwrap_or(rest);
            let file = line
                .split(' ')
                .find_map(|word| word.strip_prefix("file_path="))
                .map(|path| path.replace(&root, ""));
            Some(format!("[{event} {}", file.unwrap_or_default()))
        })
        .collect()
}

#[test]
fn the_tracker_1_0_2_captures_equal_ours() {
    // The `.gitignore` the tracker's `init` wrote is read by test_forwarded_writes.
    compare(
        "tracker-1.0.2",
        "tracker-1.0.2-cli-output",
        TRACKER_CAPTURES,
        &["init-wrote-root-gitignore.txt"],
    );
}

#[test]
fn the_wild_captures_equal_ours() {
    compare("wild", "wild-cli-output", WILD_CAPTURES, &[]);
}
