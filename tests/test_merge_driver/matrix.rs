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
    /// Checks the file git left.
    check: fn(&str),
}

#[track_caller]
fn has(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "expected {part:?} in:\n{text}");
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "different fields",
            theirs: |r| write_alpha(r, &[("priority: medium", "priority: high")], 2),
            ours: |r| write_alpha(r, &[("status: todo", "status: blocked")], 3),
            path: ALPHA,
            conflict: false,
            check: |t| has(t, &["status: blocked\n", "priority: high\n", "2025-01-03T"]),
        },
        Case {
            name: "the same field alike",
            theirs: |r| write_alpha(r, &[("status: todo", "status: closed")], 4),
            ours: |r| write_alpha(r, &[("status: todo", "status: closed")], 2),
            path: ALPHA,
            conflict: false,
            check: |t| has(t, &["status: closed\n", "2025-01-04T"]),
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
            check: |t| {
                has(
                    t,
                    &[
                        "priority: low\n",
                        "status: blocked\n=======\nstatus: closed\n>>>>>>> ",
                    ],
                );
                assert!(
                    t.contains("\n<<<<<<< ") && t.matches("<<<<<<<").count() == 1,
                    "{t}"
                );
            },
        },
        Case {
            name: "labels added on both sides",
            theirs: |r| write_alpha(r, &[("- bug\n", "- api\n")], 2),
            ours: |r| write_alpha(r, &[("- bug\n", "- bug\n- ui\n")], 3),
            path: ALPHA,
            conflict: false,
            check: |t| has(t, &["labels:\n- ui\n- api\nremote_ids"]),
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
            check: |t| {
                has(
                    t,
                    &[
                        "- id: 1\n",
                        "- id: 2\n",
                        "&id001",
                        "*id001",
                        "&id002",
                        "*id002",
                    ],
                );
            },
        },
        Case {
            name: "body edits apart",
            theirs: |r| write_alpha(r, &[("Last line.", "Last line, theirs.")], 2),
            ours: |r| write_alpha(r, &[("First paragraph of Alpha.", "First, ours.")], 3),
            path: ALPHA,
            conflict: false,
            check: |t| has(t, &["\nFirst, ours.\n", "\nLast line, theirs.\n"]),
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
            check: |t| {
                has(
                    t,
                    &[
                        "priority: high\n",
                        "Second paragraph, ours.\n=======\nSecond paragraph, theirs.\n",
                    ],
                );
                let (frontmatter, _) = t.split_once("\n---\n").expect("a closing fence");
                assert!(!frontmatter.contains("<<<<<<<"), "{t}");
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
            check: |t| has(t, &["milestone: 'v2'\n", "status: closed\n", "2025-01-03T"]),
        },
        Case {
            name: "a broken file",
            theirs: |r| edit(r, ALPHA, &[("Last line.", "Last line, theirs.")]),
            ours: |r| edit(r, ALPHA, &[("title: Alpha", "title: [Alpha")]),
            path: ALPHA,
            conflict: false,
            check: |t| has(t, &["title: [Alpha\n", "Last line, theirs.\n"]),
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
        (case.check)(&file);
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
