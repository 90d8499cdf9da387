//! One story per operation and kind of edit, the resulting file compared byte for byte.

use super::*;

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
        |r| write_alpha(r, &[("status: todo", "status: closed")], 4),
        |r| write_alpha(r, &[("status: todo", "status: closed")], 2),
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
            write_alpha(
                r,
                &[
                    ("status: todo", "status: closed"),
                    ("priority: medium", "priority: low"),
                ],
                2,
            );
        },
        |r| write_alpha(r, &[("status: todo", "status: blocked")], 3),
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
        |r| write_alpha(r, &[("- bug\n", "- api\n")], 2),
        |r| write_alpha(r, &[("- bug\n", "- bug\n- ui\n")], 3),
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
            write_alpha(
                r,
                &[
                    ("Second paragraph.", "Second paragraph, theirs."),
                    ("priority: medium", "priority: high"),
                ],
                2,
            )
        },
        |r| write_alpha(r, &[("Second paragraph.", "Second paragraph, ours.")], 3),
    );
    let run = git(&repo, &["merge", "feature"]);
    assert_conflicted(&run, ALPHA);
    insta::assert_snapshot!("overlapping_body_edits", read(&repo, ALPHA));
    assert_cache_is_head(&repo);
}

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
        |r| write_alpha(r, &[("status: todo", "status: closed")], 3),
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
        |r| write_alpha(r, &[("status: todo", "status: closed")], 2),
        |r| write_alpha(r, &[("title: Alpha", "title: [Alpha")], 3),
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

/// The story of issue 14, with the files written by `roadmap update` itself: a branch blocks
/// one issue and labels another; main labels the first and lowers the other's priority.
fn two_branches_of_roadmap_updates(repo: &TestRepo) {
    let update = |args: &[&str]| {
        let mut all = vec!["update"];
        all.extend_from_slice(args);
        repo.roadmap(&all).success();
    };
    repo.git(&["switch", "-q", "-c", "feature"]);
    update(&["0000000a", "--status", "blocked"]);
    update(&["0000000b", "--add-label", "triaged"]);
    repo.commit_all("block alpha, triage beta");
    repo.git(&["switch", "-q", "main"]);
    update(&["0000000a", "--add-label", "web"]);
    update(&["0000000b", "--priority", "low"]);
    repo.commit_all("label alpha, lower beta");
}

#[test]
fn roadmap_updates_on_two_branches_merge_rebase_and_cherry_pick_cleanly() {
    for operation in ["merge", "rebase", "cherry-pick"] {
        let repo = repo();
        two_branches_of_roadmap_updates(&repo);
        let run = match operation {
            "merge" => git(&repo, &["merge", "--no-edit", "feature"]),
            "rebase" => {
                repo.git(&["switch", "-q", "feature"]);
                git(&repo, &["rebase", "main"])
            }
            _ => git(&repo, &["cherry-pick", "feature"]),
        };
        assert_merged(&run);
        assert_cache_is_head(&repo);
        let listed = repo.listed(&[]);
        let field = |i: usize, key: &str| listed[i][key].clone();
        assert_eq!(
            (field(0, "status"), field(0, "labels")),
            ("blocked".into(), serde_json::json!(["bug", "web"])),
            "{operation}"
        );
        assert_eq!(
            (field(1, "priority"), field(1, "labels")),
            ("low".into(), serde_json::json!(["bug", "triaged"])),
            "{operation}"
        );
    }
}

#[test]
fn without_the_driver_the_same_story_conflicts_in_both_files() {
    let repo = uninstalled_repo();
    repo.roadmap_hooks(&["install", "--no-merge-driver"])
        .success();
    two_branches_of_roadmap_updates(&repo);
    let run = git(&repo, &["merge", "--no-edit", "feature"]);
    assert_conflicted(&run, ALPHA);
    assert_conflicted(&run, BETA);
}

/// Two branches merged into each other, then both edited and merged again: git first merges
/// the two merge bases (which disagree on `status`) with the driver, then the tips.
#[test]
fn criss_cross_merge_of_bases_that_disagree_merges_the_tips() {
    let repo = repo();
    diverge(
        &repo,
        |r| write_alpha(r, &[("status: todo", "status: closed")], 3),
        |r| write_alpha(r, &[("status: todo", "status: blocked")], 2),
    );
    let merge = |args: &[&str]| assert_merged(&git(&repo, args));
    merge(&["merge", "-q", "--no-edit", "-X", "ours", "feature"]);
    repo.git(&["switch", "-q", "feature"]);
    merge(&["merge", "-q", "--no-edit", "-X", "theirs", "main~1"]);
    edit(&repo, ALPHA, &[("- bug\n", "- bug\n- ui\n")]);
    repo.commit_all("feature: label");
    repo.git(&["switch", "-q", "main"]);
    edit(&repo, ALPHA, &[("priority: medium", "priority: high")]);
    repo.commit_all("main: priority");
    let bases = repo.git(&["merge-base", "--all", "main", "feature"]);
    assert_eq!(bases.lines().count(), 2, "a criss-cross: {bases}");

    merge(&["merge", "-q", "--no-edit", "feature"]);
    let merged = read(&repo, ALPHA);
    assert!(
        merged.contains("priority: high\nstatus: blocked\n")
            && merged.contains("labels:\n- bug\n- ui\n"),
        "{merged}"
    );
    assert_cache_is_head(&repo);
}
