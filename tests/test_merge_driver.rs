//! The merge driver `roadmap-hooks install` registers: real `git merge`, `rebase`,
//! `cherry-pick` and `stash pop` of branches that edit the same issue files. Each checks the
//! merged file, git's exit status, and that the cache holds HEAD afterwards.

use crate::common::{Run, TestRepo, binary, git_with_env};
use std::fs;

const ALPHA: &str = ".roadmap/issues/v1/0000000a-alpha.md";
const BETA: &str = ".roadmap/issues/backlog/0000000b-beta.md";

/// An issue file exactly as the tracker writes it.
fn tracker_file(id: &str, title: &str, milestone: Option<&str>) -> String {
    let milestone = milestone.map_or("null".to_owned(), |m| format!("'{m}'"));
    format!(
        "---\nid: {id}\ntitle: {title}\nheadline: ''\npriority: medium\nstatus: todo\narchived: false\n\
         issue_type: bug\nmilestone: {milestone}\nlabels:\n- bug\nremote_ids: {{}}\n\
         created: '2025-01-01T00:00:00+00:00'\nupdated: '2025-01-01T00:00:00+00:00'\nassignee: null\n\
         estimated_hours: null\ndue_date: null\ndepends_on: []\nblocks: []\nactual_start_date: null\n\
         actual_end_date: null\nprogress_percentage: null\nhandoff_notes: null\nprevious_assignee: null\n\
         handoff_date: null\ngit_branches: []\ngit_commits: []\ncompleted_date: null\ncomments: []\n\
         github_issue: null\n---\n\nFirst paragraph of {title}.\n\nSecond paragraph.\n\nLast line.\n"
    )
}

/// A repository with Alpha (milestone v1) and Beta (backlog), hooks and driver installed.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(ALPHA, &tracker_file("0000000a", "Alpha", Some("v1")));
    repo.write(BETA, &tracker_file("0000000b", "Beta", None));
    repo.commit_all("first issues");
    repo.roadmap_hooks(&["install"]).success();
    repo
}

/// Replaces each `from` (which must be there) with `to` in the file at `path`.
fn edit(repo: &TestRepo, path: &str, changes: &[(&str, &str)]) {
    let mut text = read(repo, path);
    for (from, to) in changes {
        assert!(text.contains(from), "{path} has no {from:?}:\n{text}");
        text = text.replacen(from, to, 1);
    }
    repo.write(path, &text);
}

fn read(repo: &TestRepo, path: &str) -> String {
    fs::read_to_string(repo.root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `updated:` line moved to day `day` of January, as every tracker write does.
fn updated(day: u32) -> (&'static str, String) {
    (
        "updated: '2025-01-01T00:00:00+00:00'",
        format!("updated: '2025-01-{day:02}T00:00:00+00:00'"),
    )
}

/// Edits on branch `feature` (theirs when merging into main) and then on `main` (ours),
/// one commit each; leaves `main` checked out.
fn diverge(repo: &TestRepo, theirs: impl Fn(&TestRepo), ours: impl Fn(&TestRepo)) {
    repo.git(&["switch", "-q", "-c", "feature"]);
    theirs(repo);
    repo.commit_all("theirs");
    repo.git(&["switch", "-q", "main"]);
    ours(repo);
    repo.commit_all("ours");
}

fn git(repo: &TestRepo, args: &[&str]) -> Run {
    git_with_env(&repo.root, args, &[])
}

/// The cache holds HEAD: what `roadmap list --no-sync` shows equals a fresh rebuild, and,
/// when the issue folders are clean, a parse of the files.
#[track_caller]
fn assert_cache_is_head(repo: &TestRepo) {
    let args = [
        "list",
        "--all",
        "--sort",
        "id",
        "--format",
        "json",
        "--no-sync",
    ];
    let cached = repo.roadmap(&args).success();
    assert!(
        !cached.stderr.contains("HEAD"),
        "the cache is behind HEAD: {}",
        cached.stderr
    );
    repo.roadmap_hooks(&["sync", "--full"]).success();
    let rebuilt = repo.roadmap(&args).success();
    assert_eq!(
        (cached.stdout, cached.stderr),
        (rebuilt.stdout, rebuilt.stderr),
        "the cache differs from a rebuild"
    );
    let dirty = repo.git(&["status", "--porcelain", "--", ".roadmap"]);
    if dirty.is_empty() {
        repo.assert_cache_matches_head(&[]);
    }
}

#[track_caller]
fn assert_merged(run: &Run) {
    assert_eq!(run.status, 0, "merged without conflicts:\n{run:?}");
    assert!(!run.stdout.contains("CONFLICT"), "{run:?}");
}

#[track_caller]
fn assert_conflicted(run: &Run, path: &str) {
    assert_eq!(run.status, 1, "stops on a conflict:\n{run:?}");
    assert!(
        run.stdout
            .contains(&format!("CONFLICT (content): Merge conflict in {path}")),
        "{run:?}"
    );
}

fn status_then_priority(repo: &TestRepo) {
    diverge(
        repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("priority: medium", "priority: high"),
                    (updated(2).0, &updated(2).1),
                ],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: blocked"),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
}

#[test]
fn merge_of_different_fields_takes_both() {
    let repo = repo();
    status_then_priority(&repo);
    let run = git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_merged(&run);
    let merged = read(&repo, ALPHA);
    assert_eq!(
        merged,
        tracker_file("0000000a", "Alpha", Some("v1"))
            .replace("status: todo", "status: blocked")
            .replace("priority: medium", "priority: high")
            .replace(updated(1).0, &updated(3).1),
        "only the changed lines differ"
    );
    assert_cache_is_head(&repo);
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(!status.contains("unresolved conflicts"), "{status}");
}

#[test]
fn rebase_of_different_fields_takes_both() {
    let repo = repo();
    status_then_priority(&repo);
    repo.git(&["switch", "-q", "feature"]);
    let run = git(&repo, &["rebase", "main"]);
    assert_merged(&run);
    let merged = read(&repo, ALPHA);
    assert!(merged.contains("status: blocked\n") && merged.contains("priority: high\n"));
    assert!(
        merged.contains(&updated(3).1),
        "the later updated:\n{merged}"
    );
    assert_cache_is_head(&repo);
}

#[test]
fn cherry_pick_of_the_same_field_alike_is_clean() {
    let repo = repo();
    diverge(
        &repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: closed"),
                    (updated(4).0, &updated(4).1),
                ],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: closed"),
                    (updated(2).0, &updated(2).1),
                ],
            )
        },
    );
    let run = git(&repo, &["cherry-pick", "feature"]);
    assert_merged(&run);
    insta::assert_snapshot!("same_field_alike", read(&repo, ALPHA));
    assert_cache_is_head(&repo);
}

fn status_both_ways(repo: &TestRepo) {
    diverge(
        repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: closed"),
                    ("priority: medium", "priority: low"),
                    (updated(2).0, &updated(2).1),
                ],
            );
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: blocked"),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
}

#[test]
fn merge_of_the_same_field_differently_conflicts_on_that_line_only() {
    let repo = repo();
    status_both_ways(&repo);
    let before = repo.listed(&[]);
    let run = git(&repo, &["merge", "feature"]);
    assert_conflicted(&run, ALPHA);
    insta::assert_snapshot!("same_field_differently", read(&repo, ALPHA));
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains(&format!(
            "issue files with unresolved conflicts: 1\n  {ALPHA}\n"
        )),
        "{status}"
    );
    assert_eq!(repo.listed(&[]), before, "HEAD did not move");
    assert_cache_is_head(&repo);

    edit(
        &repo,
        ALPHA,
        &[(
            "<<<<<<< HEAD\nstatus: blocked\n=======\nstatus: closed\n>>>>>>> feature\n",
            "status: review\n",
        )],
    );
    repo.git(&["commit", "-q", "-am", "resolved"]);
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(!status.contains("unresolved conflicts"), "{status}");
    assert_cache_is_head(&repo);
    let alpha = &repo.listed(&[])[0];
    assert_eq!(
        (alpha["status"].as_str(), alpha["priority"].as_str()),
        (Some("review"), Some("low"))
    );
}

#[test]
fn a_field_conflict_shows_the_base_with_conflict_style_diff3() {
    let repo = repo();
    status_both_ways(&repo);
    let run = git(
        &repo,
        &["-c", "merge.conflictStyle=diff3", "merge", "feature"],
    );
    assert_conflicted(&run, ALPHA);
    let merged = read(&repo, ALPHA);
    assert!(
        merged.contains("<<<<<<< HEAD\nstatus: blocked\n||||||| ")
            && merged.contains("\nstatus: todo\n=======\nstatus: closed\n>>>>>>> feature\n"),
        "{merged}"
    );
    assert_cache_is_head(&repo);
}

#[test]
fn merge_with_x_theirs_or_ours_resolves_field_conflicts_to_that_side() {
    for (option, status) in [("theirs", "closed"), ("ours", "blocked")] {
        let repo = repo();
        status_both_ways(&repo);
        let run = git(
            &repo,
            &["merge", "-q", "--no-edit", "-X", option, "feature"],
        );
        assert_merged(&run);
        let merged = read(&repo, ALPHA);
        assert!(
            merged.contains(&format!("status: {status}\n")),
            "-X {option}:\n{merged}"
        );
        assert!(merged.contains("priority: low\n"), "{merged}");
        assert_cache_is_head(&repo);
    }
}

#[test]
fn rebase_of_labels_added_on_both_sides_keeps_both() {
    let repo = repo();
    diverge(
        &repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[("- bug\n", "- api\n"), (updated(2).0, &updated(2).1)],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[("- bug\n", "- bug\n- ui\n"), (updated(3).0, &updated(3).1)],
            )
        },
    );
    repo.git(&["switch", "-q", "feature"]);
    let run = git(&repo, &["rebase", "main"]);
    assert_merged(&run);
    // Rebasing replays feature onto main: main is "ours" and keeps its order.
    assert!(
        read(&repo, ALPHA).contains("labels:\n- ui\n- api\nremote_ids"),
        "{}",
        read(&repo, ALPHA)
    );
    assert_cache_is_head(&repo);
    assert_eq!(
        repo.listed(&[])[0]["labels"],
        serde_json::json!(["ui", "api"])
    );
}

/// A comment as the tracker writes it, with PyYAML's anchor for the shared timestamp.
fn comment(id: &str, author: &str, body: &str) -> String {
    format!(
        "- id: {id}\n  issue_id: 0000000a\n  author: {author}\n  body: {body}\n  \
         created_at: &id001 2025-01-02 08:32:00.957681+00:00\n  updated_at: *id001\n  \
         github_url: null\n  in_reply_to: null\n"
    )
}

#[test]
fn merge_of_comments_on_both_sides_keeps_both() {
    let repo = repo();
    let ours = comment("330495541696400", "bob", "Reproduced on Linux.");
    let theirs = comment("820246694341058", "carol", "Fix incoming.");
    diverge(
        &repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("comments: []\n", &format!("comments:\n{theirs}")),
                    (updated(2).0, &updated(2).1),
                ],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("comments: []\n", &format!("comments:\n{ours}")),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
    let run = git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_merged(&run);
    insta::assert_snapshot!("comments_on_both_sides", read(&repo, ALPHA));
    assert_cache_is_head(&repo);
    let comments = repo.listed(&[])[0]["comments"].clone();
    let authors: Vec<&str> = comments
        .as_array()
        .expect("comments listed")
        .iter()
        .map(|c| c["author"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["bob", "carol"]);
}

#[test]
fn stash_pop_of_body_edits_apart_merges_them() {
    let repo = repo();
    edit(
        &repo,
        ALPHA,
        &[
            ("Last line.", "Last line, edited in the stash."),
            (updated(2).0, &updated(2).1),
        ],
    );
    repo.git(&["stash", "-q"]);
    edit(
        &repo,
        ALPHA,
        &[
            ("First paragraph of Alpha.", "First paragraph, committed."),
            ("status: todo", "status: in-progress"),
            (updated(3).0, &updated(3).1),
        ],
    );
    repo.commit_all("ours");
    let run = git(&repo, &["stash", "pop", "-q"]);
    assert_eq!(run.status, 0, "{run:?}");
    let merged = read(&repo, ALPHA);
    assert!(
        merged.ends_with("---\n\nFirst paragraph, committed.\n\nSecond paragraph.\n\nLast line, edited in the stash.\n")
            && merged.contains("status: in-progress\n")
            && merged.contains(&updated(3).1),
        "{merged}"
    );
    assert_cache_is_head(&repo);
}

#[test]
fn merge_of_overlapping_body_edits_conflicts_in_the_body_only() {
    let repo = repo();
    diverge(
        &repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("Second paragraph.", "Second paragraph, theirs."),
                    ("priority: medium", "priority: high"),
                    (updated(2).0, &updated(2).1),
                ],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("Second paragraph.", "Second paragraph, ours."),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
    let run = git(&repo, &["merge", "feature"]);
    assert_conflicted(&run, ALPHA);
    insta::assert_snapshot!("overlapping_body_edits", read(&repo, ALPHA));
    assert_cache_is_head(&repo);
}

const ALPHA_IN_V2: &str = ".roadmap/issues/v2/0000000a-alpha.md";

/// Theirs moves Alpha to milestone v2 as `roadmap update --milestone v2` does (the file moves
/// and its `milestone:` changes); ours closes it.
fn move_and_edit(repo: &TestRepo) {
    diverge(
        repo,
        |r| {
            fs::create_dir_all(r.root.join(".roadmap/issues/v2")).unwrap();
            r.git(&["mv", ALPHA, ALPHA_IN_V2]);
            edit(
                r,
                ALPHA_IN_V2,
                &[
                    ("milestone: 'v1'", "milestone: 'v2'"),
                    (updated(2).0, &updated(2).1),
                ],
            );
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: closed"),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
}

#[test]
fn merge_of_a_move_and_an_edit_lands_in_the_new_folder_with_both() {
    let repo = repo();
    move_and_edit(&repo);
    let run = git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_merged(&run);
    assert!(!repo.root.join(ALPHA).exists());
    let merged = read(&repo, ALPHA_IN_V2);
    assert!(
        merged.contains("milestone: 'v2'\n") && merged.contains("status: closed\n"),
        "{merged}"
    );
    assert_eq!(run.stderr, "", "the folder and the field agree");
    assert_cache_is_head(&repo);
    let alpha = &repo.listed(&[])[0];
    assert_eq!(
        (alpha["milestone"].as_str(), alpha["status"].as_str()),
        (Some("v2"), Some("closed"))
    );
}

#[test]
fn rebase_of_an_edit_onto_a_move_lands_in_the_new_folder_with_both() {
    let repo = repo();
    move_and_edit(&repo);
    let run = git(&repo, &["rebase", "feature"]);
    assert_merged(&run);
    let merged = read(&repo, ALPHA_IN_V2);
    assert!(
        merged.contains("milestone: 'v2'\n") && merged.contains("status: closed\n"),
        "{merged}"
    );
    assert_cache_is_head(&repo);
}

#[test]
fn a_broken_file_merges_as_text() {
    let repo = repo();
    diverge(
        &repo,
        |r| edit(r, ALPHA, &[("Last line.", "Last line, theirs.")]),
        |r| edit(r, ALPHA, &[("title: Alpha", "title: [Alpha")]),
    );
    let run = git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_merged(&run);
    let merged = read(&repo, ALPHA);
    assert!(
        merged.contains("title: [Alpha\n") && merged.contains("Last line, theirs.\n"),
        "{merged}"
    );
    assert_cache_is_head(&repo);
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains(&format!("invalid files: 1\n  {ALPHA}: ")),
        "{status}"
    );
}

#[test]
fn a_broken_file_conflicts_as_git_would_without_the_driver() {
    let repo = repo();
    diverge(
        &repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: closed"),
                    (updated(2).0, &updated(2).1),
                ],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("title: Alpha", "title: [Alpha"),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
    let run = git(&repo, &["merge", "feature"]);
    assert_conflicted(&run, ALPHA);
    let merged = read(&repo, ALPHA);
    assert!(
        merged.contains("title: [Alpha\n")
            && merged.contains("status: closed\n")
            && merged.contains(
                "<<<<<<< HEAD\nupdated: '2025-01-03T00:00:00+00:00'\n=======\n\
                 updated: '2025-01-02T00:00:00+00:00'\n>>>>>>> feature\n"
            ),
        "git's text merge: lines apart merge, the updated lines conflict:\n{merged}"
    );
    assert_cache_is_head(&repo);
}

#[test]
fn crlf_files_without_a_final_newline_stay_that_way() {
    let repo = TestRepo::new();
    let crlf = tracker_file("0000000a", "Alpha", Some("v1"))
        .trim_end()
        .replace('\n', "\r\n");
    repo.write(ALPHA, &crlf);
    repo.commit_all("first");
    repo.roadmap_hooks(&["install"]).success();
    diverge(
        &repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("- bug\r\n", "- bug\r\n- api\r\n"),
                    ("Last line.", "Last line!"),
                    (updated(2).0, &updated(2).1),
                ],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("status: todo", "status: closed"),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
    let run = git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_merged(&run);
    assert_eq!(
        read(&repo, ALPHA),
        crlf.replace("status: todo", "status: closed")
            .replace("- bug\r\n", "- bug\r\n- api\r\n")
            .replace("Last line.", "Last line!")
            .replace(updated(1).0, &updated(3).1)
    );
    assert_cache_is_head(&repo);
}

#[test]
fn unknown_keys_comments_and_keys_on_one_side_are_kept() {
    let repo = repo();
    diverge(
        &repo,
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("headline: ''\n", ""),
                    (
                        "remote_ids: {}\n",
                        "remote_ids: {}\nx_estimate: {points: 3} # team sizing\n",
                    ),
                ],
            )
        },
        |r| {
            edit(
                r,
                ALPHA,
                &[
                    ("---\nid:", "---\n# kept by hand\nid:"),
                    ("github_issue: null\n", "github_issue: null\nx_team: core\n"),
                ],
            )
        },
    );
    let run = git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_merged(&run);
    let merged = read(&repo, ALPHA);
    assert!(
        merged.starts_with("---\n# kept by hand\nid: 0000000a\ntitle: Alpha\npriority: medium\n")
            && merged.contains("remote_ids: {}\nx_estimate: {points: 3} # team sizing\ncreated:")
            && merged.contains("github_issue: null\nx_team: core\n---\n"),
        "{merged}"
    );
    assert_cache_is_head(&repo);
}

#[test]
fn odd_file_names_reach_the_driver_intact() {
    let repo = repo();
    let odd = ".roadmap/issues/my milestone/0000000c-it's \"odd\" $(x).md";
    repo.write(odd, &tracker_file("0000000c", "Odd", Some("my milestone")));
    repo.commit_all("odd");
    diverge(
        &repo,
        |r| {
            edit(
                r,
                odd,
                &[
                    ("priority: medium", "priority: high"),
                    (updated(2).0, &updated(2).1),
                ],
            )
        },
        |r| {
            edit(
                r,
                odd,
                &[
                    ("status: todo", "status: blocked"),
                    (updated(3).0, &updated(3).1),
                ],
            )
        },
    );
    let run = git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_merged(&run);
    let merged = read(&repo, odd);
    assert!(
        merged.contains("priority: high\n") && merged.contains("status: blocked\n"),
        "{merged}"
    );
    assert_cache_is_head(&repo);
}

#[test]
fn a_missing_driver_binary_falls_back_to_a_text_merge() {
    let repo = TestRepo::new();
    repo.write(ALPHA, &tracker_file("0000000a", "Alpha", Some("v1")));
    repo.commit_all("first");
    let copy = repo.sibling("bin/roadmap-hooks");
    fs::create_dir_all(copy.parent().unwrap()).unwrap();
    fs::copy(binary("roadmap-hooks"), &copy).unwrap();
    repo.run_program_in(&repo.root, &copy, ["install"])
        .success();
    fs::remove_file(&copy).unwrap();
    status_then_priority(&repo);
    let run = git(&repo, &["merge", "feature"]);
    assert_conflicted(&run, ALPHA);
    assert!(!run.stderr.contains("fatal"), "{run:?}");
    let merged = read(&repo, ALPHA);
    assert!(
        merged.contains("<<<<<<< HEAD\n") && merged.contains(">>>>>>> feature\n"),
        "{merged}"
    );
}

#[test]
fn install_registers_the_driver_once_and_uninstall_removes_it_exactly() {
    let repo = TestRepo::new();
    repo.write(ALPHA, &tracker_file("0000000a", "Alpha", Some("v1")));
    repo.commit_all("first");
    let config = repo.root.join(".git/config");
    let attributes = repo.root.join(".git/info/attributes");
    let config_before = fs::read_to_string(&config).unwrap();

    let skipped = repo
        .roadmap_hooks(&["install", "--no-merge-driver"])
        .success();
    assert!(
        !skipped.stdout.contains("merge driver"),
        "{}",
        skipped.stdout
    );
    assert_eq!(fs::read_to_string(&config).unwrap(), config_before);
    assert!(!attributes.exists());
    let doctor = repo.roadmap_hooks(&["doctor"]).success().stdout;
    assert!(
        doctor.contains("ok       merge driver: not registered"),
        "{doctor}"
    );

    let first = repo.roadmap_hooks(&["install"]).success().stdout;
    assert!(
        first.contains("registered the merge driver for issue files"),
        "{first}"
    );
    let binary = fs::canonicalize(binary("roadmap-hooks")).unwrap();
    let driver = repo.git(&["config", "merge.roadmap.driver"]);
    assert!(
        driver.contains(&format!("'{}' merge-driver %O %A %B %P", binary.display())),
        "{driver}"
    );
    let check = repo.git(&[
        "check-attr",
        "merge",
        "--",
        ALPHA,
        ".roadmap/milestones/v1.md",
        "README.md",
    ]);
    assert_eq!(
        check,
        format!(
            "{ALPHA}: merge: roadmap\n.roadmap/milestones/v1.md: merge: roadmap\nREADME.md: merge: unspecified\n"
        )
    );
    let (config_once, attributes_once) =
        (fs::read(&config).unwrap(), fs::read(&attributes).unwrap());
    let second = repo.roadmap_hooks(&["install"]).success().stdout;
    assert!(!second.contains("merge driver"), "{second}");
    assert_eq!(
        (fs::read(&config).unwrap(), fs::read(&attributes).unwrap()),
        (config_once, attributes_once)
    );
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains("merge driver: registered (issue files merge field by field)\n"),
        "{status}"
    );
    let doctor = repo.roadmap_hooks(&["doctor"]).success().stdout;
    assert!(
        doctor.contains("ok       merge driver: registered"),
        "{doctor}"
    );

    // A linked worktree reads the same config and attributes.
    let worktree = repo.sibling("wt");
    repo.git(&["worktree", "add", "-q", worktree.to_str().unwrap()]);
    let in_worktree = repo.git_in(&worktree, &["check-attr", "merge", "--", ALPHA]);
    assert_eq!(in_worktree, format!("{ALPHA}: merge: roadmap\n"));

    let removed = repo.roadmap_hooks(&["uninstall"]).success().stdout;
    assert!(
        removed.contains("removed the merge driver for issue files"),
        "{removed}"
    );
    assert_eq!(fs::read_to_string(&config).unwrap(), config_before);
    assert!(!attributes.exists());
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains("merge driver: not registered"), "{status}");
}

#[test]
fn doctor_reports_a_driver_whose_binary_is_gone() {
    let repo = TestRepo::new();
    repo.write(ALPHA, &tracker_file("0000000a", "Alpha", Some("v1")));
    repo.commit_all("first");
    repo.roadmap_hooks(&["install"]).success();
    repo.git(&["config", "merge.roadmap.driver", "if [ -x '/nowhere/roadmap-hooks' ]; then '/nowhere/roadmap-hooks' merge-driver %O %A %B %P; fi"]);
    let doctor = repo.roadmap_hooks(&["doctor"]);
    assert_eq!(doctor.status, 1);
    assert!(
        doctor
            .stdout
            .contains("problem  merge driver: runs /nowhere/roadmap-hooks, which is missing"),
        "{}",
        doctor.stdout
    );
}
