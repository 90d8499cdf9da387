//! Hand edits and other programs' writes in the working tree, shown when the user opts in
//! (`--worktree`, `git config roadmap.worktree true`): found by stat data, shown by the rule of
//! pending writes, and equal to a fresh parse of the working tree.

use crate::common::{IssueSpec, TestRepo};

fn repo_with_hooks() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    repo.commit_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.roadmap_hooks(&["install"]).success();
    repo
}

fn title(repo: &TestRepo, id: &str, extra: &[&str]) -> Option<String> {
    repo.listed(extra)
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["title"].as_str().unwrap().to_owned())
}

fn edit_title(repo: &TestRepo, path: &str, title: &str) {
    let file = repo.root.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("title:") {
                format!("title: {title}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&file, edited.join("\n") + "\n").unwrap();
}

#[test]
fn hand_edits_show_with_the_flag_or_the_setting_and_equal_a_fresh_parse() {
    let repo = repo_with_hooks();
    let alpha = ".roadmap/issues/v1/0000000a-alpha.md";
    edit_title(&repo, alpha, "Alpha by hand");
    assert_eq!(title(&repo, "0000000a", &[]).as_deref(), Some("Alpha"));
    assert_eq!(
        title(&repo, "0000000a", &["--worktree"]).as_deref(),
        Some("Alpha by hand")
    );

    // Another program creates, removes and moves files, as the tracker's commands do.
    repo.write(
        ".roadmap/issues/backlog/0000000c-made-elsewhere.md",
        &IssueSpec::new("0000000c", "Made elsewhere").render(),
    );
    repo.remove(".roadmap/issues/backlog/0000000b-beta.md");
    repo.git(&["config", "roadmap.worktree", "true"]);
    assert_eq!(
        repo.listed(&[]),
        repo.scanned(),
        "the cache equals the files"
    );
    assert_eq!(repo.listed_ids(&[]), ["0000000a", "0000000c"]);

    // Discarding brings HEAD back; committing makes it HEAD's.
    repo.git(&["checkout", "--", alpha]);
    assert_eq!(title(&repo, "0000000a", &[]).as_deref(), Some("Alpha"));
    repo.git(&["add", "-A", ".roadmap"]);
    repo.git(&["commit", "-qm", "what the tracker did"]);
    repo.git(&["config", "roadmap.worktree", "false"]);
    assert_eq!(repo.listed_ids(&[]), ["0000000a", "0000000c"]);
    repo.assert_cache_matches_head(&[]);
}

#[test]
fn a_same_size_rewrite_within_the_second_is_still_seen() {
    let repo = repo_with_hooks();
    let alpha = ".roadmap/issues/v1/0000000a-alpha.md";
    let file = repo.root.join(alpha);
    // An mtime in a second the look cannot have passed yet: its stamp stays racily clean, as a
    // file changed in the very second it was looked at is.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(100);
    let set_mtime = || {
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(later)
            .unwrap();
    };
    edit_title(&repo, alpha, "First");
    set_mtime();
    assert_eq!(
        title(&repo, "0000000a", &["--worktree"]).as_deref(),
        Some("First")
    );
    // Same size, same inode, same mtime: only the content tells.
    edit_title(&repo, alpha, "Other");
    set_mtime();
    assert_eq!(
        title(&repo, "0000000a", &["--worktree"]).as_deref(),
        Some("Other")
    );
}

#[test]
fn a_broken_hand_edit_is_reported_and_the_rest_still_shows() {
    let repo = repo_with_hooks();
    repo.write(
        ".roadmap/issues/v1/0000000a-alpha.md",
        "---\nid: [broken\n---\n",
    );
    edit_title(
        &repo,
        ".roadmap/issues/backlog/0000000b-beta.md",
        "Beta by hand",
    );
    let run = repo.roadmap(&["list", "--all", "--worktree", "--format", "ids"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(run.stdout.trim(), "0000000b");
    assert!(
        run.stderr
            .contains("skipped .roadmap/issues/v1/0000000a-alpha.md"),
        "{run:?}"
    );
    assert_eq!(
        title(&repo, "0000000b", &["--worktree"]).as_deref(),
        Some("Beta by hand")
    );
}
