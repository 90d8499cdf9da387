//! Installing and removing hooks (filled in by the install work).

use crate::common::TestRepo;

#[test]
fn install_writes_every_hook() {
    let repo = TestRepo::new();
    repo.roadmap_hooks(&["install"]).success();
    for hook in [
        "post-commit",
        "post-checkout",
        "post-merge",
        "post-rewrite",
        "post-applypatch",
    ] {
        assert!(repo.root.join(".git/hooks").join(hook).exists(), "{hook}");
    }
}
