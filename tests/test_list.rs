//! `roadmap list`: filters, sorting, formats and errors, on a real repository.

use crate::common::{IssueSpec, TestRepo};

#[test]
fn list_without_a_cache_says_how_to_build_one() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0a1b2c3d", "First"));
    let run = repo.roadmap(&["list"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("no issue cache"), "{}", run.stderr);
    assert!(
        run.stderr.contains("hint: run `roadmap-hooks install`"),
        "{}",
        run.stderr
    );
}
