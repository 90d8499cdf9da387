//! Every operation that merges files (merge, rebase, cherry-pick, stash pop) on every kind of
//! edit two sides make to one issue. In each, git's "ours" is main's edit and "theirs" the
//! other side's: the branch merged or replayed, the commit picked, the stash popped.

use super::*;

#[derive(Debug, Clone, Copy)]
enum Operation {
    Merge,
    Rebase,
    CherryPick,
    StashPop,
}

/// Two edits of the same issue and what merging them gives.
struct Case {
    name: &'static str,
    theirs: fn(&TestRepo),
    ours: fn(&TestRepo),
    /// Where the issue is afterwards.
    path: &'static str,
    /// Whether git stops with a conflict.
    conflict: bool,
    /// The whole file git leaves, conflict markers' labels masked (see [`masked_labels`]).
    expected: fn() -> String,
}

/// Alpha as first committed, with each `from` (which must be there once) replaced by `to`.
fn alpha_with(changes: &[(&str, &str)]) -> String {
    let mut text = tracker_file("0000000a", "Alpha", Some("v1"));
    for (from, to) in changes {
        assert_eq!(text.matches(from).count(), 1, "{from:?} in:\n{text}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// The text with what follows `<<<<<<< ` and `>>>>>>> ` replaced by `ours` and `theirs`:
/// git names the sides differently in each operation (a branch, a commit, "Stashed changes").
fn masked_labels(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            if line.starts_with("<<<<<<< ") {
                "<<<<<<< ours\n".to_owned()
            } else if line.starts_with(">>>>>>> ") {
                ">>>>>>> theirs\n".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "different fields",
            theirs: |r| write_alpha(r, &[("priority: medium", "priority: high")], 2),
            ours: |r| write_alpha(r, &[("status: todo", "status: blocked")], 3),
            path: ALPHA,
            conflict: false,
            expected: || {
                let (from, to) = updated(3);
                alpha_with(&[
                    ("status: todo", "status: blocked"),
                    ("priority: medium", "priority: high"),
                    (from, &to),
                ])
            },
        },
        Case {
            name: "the same field alike",
            theirs: |r| write_alpha(r, &[("status: todo", "status: closed")], 4),
            ours: |r| write_alpha(r, &[("status: todo", "status: closed")], 2),
            path: ALPHA,
            conflict: false,
            expected: || {
                let (from, to) = updated(4);
                alpha_with(&[("status: todo", "status: closed"), (from, &to)])
            },
        },
        Case {
            name: "the same field differently",
            theirs: |r| {
                let changes = [
                    ("status: todo", "status: closed"),
                    ("priority: medium", "priority: low"),
                ];
                write_alpha(r, &changes, 2);
            },
            ours: |r| write_alpha(r, &[("status: todo", "status: blocked")], 3),
            path: ALPHA,
            conflict: true,
            expected: || {
                let (from, to) = updated(3);
                alpha_with(&[
                    (
                        "status: todo\n",
                        "<<<<<<< ours\nstatus: blocked\n=======\nstatus: closed\n>>>>>>> theirs\n",
                    ),
                    ("priority: medium", "priority: low"),
                    (from, &to),
                ])
            },
        },
        Case {
            name: "labels added on both sides",
            theirs: |r| write_alpha(r, &[("- bug\n", "- api\n")], 2),
            ours: |r| write_alpha(r, &[("- bug\n", "- bug\n- ui\n")], 3),
            path: ALPHA,
            conflict: false,
            expected: || {
                let (from, to) = updated(3);
                alpha_with(&[("- bug\n", "- ui\n- api\n"), (from, &to)])
            },
        },
        Case {
            name: "comments on both sides",
            theirs: |r| {
                let theirs = format!("comments:\n{}", comment("2", "carol", "Fix incoming."));
                write_alpha(r, &[("comments: []\n", &theirs)], 2);
            },
            ours: |r| {
                let ours = format!("comments:\n{}", comment("1", "bob", "Reproduced."));
                write_alpha(r, &[("comments: []\n", &ours)], 3);
            },
            path: ALPHA,
            conflict: false,
            expected: || {
                let (from, to) = updated(3);
                let both = format!(
                    "comments:\n{}{}",
                    comment("1", "bob", "Reproduced."),
                    comment("2", "carol", "Fix incoming.").replace("id001", "id002")
                );
                alpha_with(&[("comments: []\n", &both), (from, &to)])
            },
        },
        Case {
            name: "body edits apart",
            theirs: |r| write_alpha(r, &[("Last line.", "Last line, theirs.")], 2),
            ours: |r| write_alpha(r, &[("First paragraph of Alpha.", "First, ours.")], 3),
            path: ALPHA,
            conflict: false,
            expected: || {
                let (from, to) = updated(3);
                alpha_with(&[
                    ("Last line.", "Last line, theirs."),
                    ("First paragraph of Alpha.", "First, ours."),
                    (from, &to),
                ])
            },
        },
        Case {
            name: "overlapping body edits",
            theirs: |r| {
                let changes = [
                    ("Second paragraph.", "Second paragraph, theirs."),
                    ("priority: medium", "priority: high"),
                ];
                write_alpha(r, &changes, 2);
            },
            ours: |r| write_alpha(r, &[("Second paragraph.", "Second paragraph, ours.")], 3),
            path: ALPHA,
            conflict: true,
            expected: || {
                let (from, to) = updated(3);
                alpha_with(&[
                    (
                        "Second paragraph.\n",
                        "<<<<<<< ours\nSecond paragraph, ours.\n=======\n\
                         Second paragraph, theirs.\n>>>>>>> theirs\n",
                    ),
                    ("priority: medium", "priority: high"),
                    (from, &to),
                ])
            },
        },
        Case {
            name: "a move and an edit",
            theirs: |r| {
                fs::create_dir_all(r.root.join(".roadmap/issues/v2")).unwrap();
                r.git(&["mv", ALPHA, ALPHA_IN_V2]);
                let (from, to) = updated(2);
                edit(
                    r,
                    ALPHA_IN_V2,
                    &[("milestone: 'v1'", "milestone: 'v2'"), (from, &to)],
                );
            },
            ours: |r| write_alpha(r, &[("status: todo", "status: closed")], 3),
            path: ALPHA_IN_V2,
            conflict: false,
            expected: || {
                let (from, to) = updated(3);
                alpha_with(&[
                    ("milestone: 'v1'", "milestone: 'v2'"),
                    ("status: todo", "status: closed"),
                    (from, &to),
                ])
            },
        },
        Case {
            name: "a broken file",
            theirs: |r| edit(r, ALPHA, &[("Last line.", "Last line, theirs.")]),
            ours: |r| edit(r, ALPHA, &[("title: Alpha", "title: [Alpha")]),
            path: ALPHA,
            conflict: false,
            expected: || {
                alpha_with(&[
                    ("title: Alpha", "title: [Alpha"),
                    ("Last line.", "Last line, theirs."),
                ])
            },
        },
    ]
}

/// Sets up `case` for `operation` and runs it.
fn run(operation: Operation, case: &Case) -> (TestRepo, Run) {
    let repo = repo();
    if let Operation::StashPop = operation {
        (case.theirs)(&repo);
        repo.git(&["stash", "-q"]);
        (case.ours)(&repo);
        repo.commit_all("ours");
        let run = git(&repo, &["stash", "pop"]);
        return (repo, run);
    }
    diverge(&repo, case.theirs, case.ours);
    let run = match operation {
        Operation::Merge => git(&repo, &["merge", "--no-edit", "feature"]),
        Operation::Rebase => {
            repo.git(&["switch", "-q", "feature"]);
            git(&repo, &["rebase", "main"])
        }
        Operation::CherryPick => git(&repo, &["cherry-pick", "feature"]),
        Operation::StashPop => unreachable!("handled above"),
    };
    (repo, run)
}

/// Leaves a stopped operation the way a user gives up on it.
fn abort(repo: &TestRepo, operation: Operation) {
    let args: &[&str] = match operation {
        Operation::Merge => &["merge", "--abort"],
        Operation::Rebase => &["rebase", "--abort"],
        Operation::CherryPick => &["cherry-pick", "--abort"],
        Operation::StashPop => &["reset", "-q", "--hard"],
    };
    repo.git(args);
}

fn every_case(operation: Operation) {
    for case in cases() {
        let (repo, run) = run(operation, &case);
        let context = format!("{operation:?} of {}", case.name);
        let output = format!("{}{}", run.stdout, run.stderr);
        if case.conflict {
            assert_eq!(run.status, 1, "{context} stops on a conflict:\n{output}");
            assert!(
                output.contains("CONFLICT (content)"),
                "{context}:\n{output}"
            );
            let status = repo.roadmap_hooks(&["status"]).success().stdout;
            assert!(
                status.contains(&format!("unresolved conflicts: 1\n  {}\n", case.path)),
                "{context}:\n{status}"
            );
        } else {
            assert_eq!(run.status, 0, "{context} merges cleanly:\n{output}");
            assert!(!output.contains("CONFLICT"), "{context}:\n{output}");
        }
        let file = read(&repo, case.path);
        assert_eq!(masked_labels(&file), (case.expected)(), "{context}");
        assert_cache_is_head(&repo);
        if case.conflict {
            abort(&repo, operation);
            // `rebase --abort` and `reset` fire no hook; `roadmap list` notices and syncs.
            repo.assert_cache_matches_head(&[]);
        }
    }
}

#[test]
fn merge() {
    every_case(Operation::Merge);
}

#[test]
fn rebase() {
    every_case(Operation::Rebase);
}

#[test]
fn cherry_pick() {
    every_case(Operation::CherryPick);
}

#[test]
fn stash_pop() {
    every_case(Operation::StashPop);
}
