//! Comments both sides added with one identity (the same `id`, or no id and the same text):
//! compared, never dropped unseen.

use super::*;

/// A comment as our sync writes one it has not sent to GitHub yet, or one it pulled.
fn plain_comment(id: &str, body: &str) -> String {
    format!("- author: alice\n  body: {body}\n  id: {id}\n  issue_id: 0000000a\n")
}

/// Theirs and ours replace Alpha's empty `comments:` with their lists; returns the merge.
fn merge_comments(ours: &[&str], theirs: &[&str]) -> (TestRepo, Run) {
    let repo = repo();
    let list = |items: &[&str]| format!("comments:\n{}", items.concat());
    let (ours, theirs) = (list(ours), list(theirs));
    diverge(
        &repo,
        |r| write_alpha(r, &[("comments: []\n", &theirs)], 2),
        |r| write_alpha(r, &[("comments: []\n", &ours)], 3),
    );
    let run = git(&repo, &["merge", "--no-edit", "feature"]);
    (repo, run)
}

#[test]
fn same_id_comments_compared_one_copy_when_alike_a_conflict_when_not() {
    let one = plain_comment("9001", "Fixed upstream.");
    let (repo, run) = merge_comments(&[&one], &[&one]);
    assert_merged(&run);
    assert_eq!(read(&repo, ALPHA).matches("Fixed upstream.").count(), 1);
    assert_cache_is_head(&repo);

    // Theirs holds comment 9001 twice (a sync wrote it again after an edit on GitHub);
    // ours holds the first copy only.
    let first = plain_comment("9001", "Fixed upstream.");
    let second = plain_comment("9001", "Fixed upstream in 2.1.");
    let (repo, run) = merge_comments(&[&first], &[&first, &second]);
    assert_conflicted(&run, ALPHA);
    let merged = read(&repo, ALPHA);
    assert!(
        merged.contains("<<<<<<< HEAD\ncomments:\n")
            && merged.contains("=======\ncomments:\n")
            && merged.contains(">>>>>>> feature\n")
            && merged.contains("Fixed upstream in 2.1."),
        "the whole comments key in git's markers, both sides in it:\n{merged}"
    );
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains(ALPHA), "{status}");
}

#[test]
fn comments_without_ids_added_on_both_sides_are_all_kept() {
    // `id: null` is no id: such comments are told apart by their text, not all by "null".
    let thanks = plain_comment("null", "Thanks!");
    let question = plain_comment("null", "Which version?");
    let (repo, run) = merge_comments(&[&thanks], &[&thanks, &question]);
    assert_merged(&run);
    let merged = read(&repo, ALPHA);
    assert_eq!(
        (
            merged.matches("Thanks!").count(),
            merged.matches("Which version?").count()
        ),
        (1, 1),
        "{merged}"
    );
    assert_cache_is_head(&repo);
}
