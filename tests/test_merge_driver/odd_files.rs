//! Files as real users have them: CRLF, no final newline, unknown keys, YAML comments, odd
//! names; and a driver binary that is gone.

use super::*;

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
            write_alpha(
                r,
                &[
                    ("- bug\r\n", "- bug\r\n- api\r\n"),
                    ("Last line.", "Last line!"),
                ],
                2,
            )
        },
        |r| write_alpha(r, &[("status: todo", "status: closed")], 3),
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
    let repo = uninstalled_repo();
    // The driver runs `roadmap`, the binary `roadmap-hooks` runs.
    let launcher = repo.sibling("bin/roadmap-hooks");
    let copy = repo.sibling("bin/roadmap");
    fs::create_dir_all(copy.parent().unwrap()).unwrap();
    fs::copy(binary("roadmap-hooks"), &launcher).unwrap();
    fs::copy(binary("roadmap"), &copy).unwrap();
    repo.run_program_in(&repo.root, &launcher, ["install"])
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
