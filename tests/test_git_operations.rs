//! Sync correctness after each git operation (filled in by the git-operations work).

use crate::common::{IssueSpec, TestRepo};

#[test]
fn first_commit_is_synced_by_install() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0a1b2c3d", "First"));
    repo.roadmap_hooks(&["install"]).success();
    repo.assert_cache_matches_head(&["--no-sync"]);
}
