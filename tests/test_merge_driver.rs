//! The merge driver `roadmap-hooks install` registers, on real repositories with the real
//! binaries. Each test checks the merged file, git's exit status, and that the cache holds
//! HEAD afterwards:
//!
//! - `operations`: `git merge`, `rebase`, `cherry-pick` and `stash pop` of branches that edit
//!   the same issue, one story each, the merged or conflicted file compared byte for byte;
//! - `matrix`: every one of those operations on every kind of edit;
//! - `odd_files`: CRLF, no final newline, unknown keys, YAML comments, odd names, a missing binary;
//! - `contract`: 0.2 documents written by roadmap-cli 0.3.1 (history, comment ids, relations);
//! - `registration`: install, uninstall, status and doctor of the driver.

mod comments;
mod contract;
mod contract_live;
mod matrix;
mod odd_files;
mod operations;
mod registration;

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

/// A repository with Alpha (milestone v1) and Beta (backlog) committed, nothing installed.
fn uninstalled_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(ALPHA, &tracker_file("0000000a", "Alpha", Some("v1")));
    repo.write(BETA, &tracker_file("0000000b", "Beta", None));
    repo.commit_all("first issues");
    repo
}

/// [`uninstalled_repo`] with the hooks and the merge driver installed.
fn repo() -> TestRepo {
    let repo = uninstalled_repo();
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

/// Applies `changes` to Alpha and moves `updated` to day `day`, as a tracker write does.
fn write_alpha(repo: &TestRepo, changes: &[(&str, &str)], day: u32) {
    let (from, to) = updated(day);
    let mut all = changes.to_vec();
    all.push((from, &to));
    edit(repo, ALPHA, &all);
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

/// A comment as the tracker writes it, with PyYAML's anchor for the shared timestamp.
fn comment(id: &str, author: &str, body: &str) -> String {
    format!(
        "- id: {id}\n  issue_id: 0000000a\n  author: {author}\n  body: {body}\n  \
         created_at: &id001 2025-01-02 08:32:00.957681+00:00\n  updated_at: *id001\n  \
         github_url: null\n  in_reply_to: null\n"
    )
}

const ALPHA_IN_V2: &str = ".roadmap/issues/v2/0000000a-alpha.md";

/// Theirs raises Alpha's priority, ours blocks it; both bump `updated`.
fn status_then_priority(repo: &TestRepo) {
    diverge(
        repo,
        |r| write_alpha(r, &[("priority: medium", "priority: high")], 2),
        |r| write_alpha(r, &[("status: todo", "status: blocked")], 3),
    );
}
