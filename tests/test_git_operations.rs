//! Sync correctness after each git operation a user types, on real temporary repositories.
//!
//! After every operation the cache must list exactly the issue files at HEAD (compared with
//! `roadmap-hooks scan`, a full parse without the cache). Each scenario runs twice: with our
//! hooks installed, where `--no-sync` must already agree (the hooks alone kept the cache
//! current), and with no hooks and one `roadmap-hooks sync` at the start, where `roadmap list`
//! heals the cache because HEAD moved.

use crate::common::{IssueSpec, Run, TestRepo, binary, git_with_env, hermetic};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

/// How a scenario keeps its cache current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hooks {
    /// `roadmap-hooks install` at the start: the hooks sync after each operation.
    Installed,
    /// One `roadmap-hooks sync` at the start: only the self-healing check of `roadmap list`.
    None,
}

/// Generates `with_hooks::NAME` and `without_hooks::NAME` for each scenario `NAME(Hooks)`.
macro_rules! in_both_modes {
    ($($scenario:ident),* $(,)?) => {
        mod with_hooks {
            $( #[test] fn $scenario() { super::$scenario(super::Hooks::Installed) } )*
        }
        mod without_hooks {
            $( #[test] fn $scenario() { super::$scenario(super::Hooks::None) } )*
        }
    };
}

in_both_modes!(
    commit_add_modify_delete_rename,
    commit_amend,
    rebase_onto_a_moved_branch,
    rebase_interactive_drop_and_squash,
    fast_forward_only_rebase,
    rebase_with_the_apply_backend,
    am_applies_patches,
    cherry_pick,
    revert,
    merge_fast_forward,
    merge_non_fast_forward,
    merge_conflict_resolved_by_commit,
    pull_from_a_second_clone,
    checkout_and_switch_between_branches,
    detached_checkout_of_a_tag,
    reset_hard_fires_no_hook,
    rebase_abort_fires_no_hook,
    stash_and_stash_pop_leave_head_alone,
    file_checkout_does_nothing,
    worktrees_have_their_own_cache,
    gc_after_rebase_dropped_the_last_synced_commit,
    two_post_commit_hooks_at_once,
    broken_yaml_file_among_good_ones,
    switch_across_hundreds_of_changed_issues,
    deleting_the_active_copy_of_a_duplicate_brings_back_the_archived_one,
    unborn_head,
    hooks_are_silent_on_success,
);

#[test]
fn first_commit_is_synced_by_install() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0a1b2c3d", "First"));
    repo.roadmap_hooks(&["install"]).success();
    repo.assert_cache_matches_head(&["--no-sync"]);
}

/// Regression: the post-checkout hook of `git worktree add` builds the new worktree's cache and
/// printed "rebuilt the issue cache from HEAD (first sync)" on git's stderr.
#[test]
fn worktree_add_first_sync_is_silent() {
    let repo = repo_with(Hooks::Installed, &[&IssueSpec::new("0a1b2c3d", "First")]);
    let add = git_with_env(&repo.root, &["worktree", "add", "-q", "../wt"], &[]);
    assert_eq!(add.status, 0, "{add:?}");
    assert_eq!(add.stderr, "");
    assert_fresh_without_sync(&repo, &repo.sibling("wt"));
}

/// Regression: `git am` keeps its state in `.git/rebase-apply`, so its post-applypatch hooks
/// were skipped as if a rebase were running, and nothing synced the applied patches.
#[test]
fn git_am_is_not_mistaken_for_a_rebase() {
    let repo = repo_with(Hooks::Installed, &[&IssueSpec::new("0a1b2c3d", "First")]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0a1b2c3e", "Second"));
    let patch = git(&repo, &["format-patch", "-o", "../patches", "-1"]);
    git(&repo, &["switch", "-q", "main"]);
    git(&repo, &["am", "-q", patch.trim()]);
    assert_fresh_without_sync(&repo, &repo.root);
    assert_eq!(ids(&repo), ["0a1b2c3d", "0a1b2c3e"]);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

fn commit_add_modify_delete_rename(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);

    let beta = IssueSpec::new("0000000b", "Beta").milestone("v1");
    let gamma = IssueSpec::new("0000000c", "Gamma");
    // Without a `milestone` key the folder names the milestone, so a move between folders
    // changes what is listed.
    repo.write(&beta.path(), &without_milestone_key(&beta));
    repo.write_issue(&gamma);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "add beta and gamma"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c"]);
    assert_eq!(field(&repo, "0000000b", "milestone"), "v1");

    repo.write_issue(&alpha.clone().status("in-progress"));
    git(&repo, &["commit", "-q", "-am", "start alpha"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000a", "status"), "in-progress");

    git(&repo, &["rm", "-q", &gamma.path()]);
    git(&repo, &["commit", "-q", "-m", "drop gamma"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"]);

    let alpha_renamed = ".roadmap/issues/backlog/0000000a-alpha-renamed.md";
    git(&repo, &["mv", &alpha.path(), alpha_renamed]);
    git(&repo, &["commit", "-q", "-m", "rename alpha"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000a", "path"), alpha_renamed);

    let beta_in_v2 = ".roadmap/issues/v2/0000000b-beta.md";
    std::fs::create_dir_all(repo.root.join(".roadmap/issues/v2")).expect("mkdir v2");
    git(&repo, &["mv", &beta.path(), beta_in_v2]);
    git(&repo, &["commit", "-q", "-m", "move beta to v2"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"], "one row per issue");
    assert_eq!(field(&repo, "0000000b", "milestone"), "v2");

    // Renamed and edited in one commit, into the archive.
    let beta_archived = ".roadmap/archive/issues/v2/0000000b-beta.md";
    std::fs::create_dir_all(repo.root.join(".roadmap/archive/issues/v2")).expect("mkdir archive");
    git(&repo, &["mv", beta_in_v2, beta_archived]);
    repo.write(
        beta_archived,
        &without_milestone_key(&beta.clone().status("closed")),
    );
    git(&repo, &["commit", "-q", "-am", "archive beta"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000b", "archived"), true);
    assert_eq!(field(&repo, "0000000b", "status"), "closed");

    let before = listed(&repo, &repo.root, &[]).0;
    repo.write("README.md", "# project\n");
    repo.write(".roadmap/issues/README.md", "How we file issues.\n");
    repo.write(".roadmap/config.yaml", "project: demo\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "docs only"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(listed(&repo, &repo.root, &[]).0, before);
}

fn commit_amend(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    let beta = IssueSpec::new("0000000b", "Beta");
    repo.write_issue(&beta);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "add beta"]);
    assert_current_after_hook(&repo, mode);

    repo.write_issue(&beta.clone().priority("critical"));
    repo.write_issue(&IssueSpec::new("0000000c", "Gamma"));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "--amend", "--no-edit"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000b", "priority"), "critical");
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c"]);

    // An amend that takes a file back out of the commit.
    git(&repo, &["rm", "-q", "--cached", &beta.path()]);
    git(&repo, &["commit", "-q", "--amend", "--no-edit"]);
    repo.remove(&beta.path());
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000c"]);
}

/// During the rebase post-commit is skipped for each replayed commit; post-rewrite syncs once
/// at the end.
fn rebase_onto_a_moved_branch(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().status("review"));
    git(&repo, &["commit", "-q", "-am", "alpha to review"]);
    git(&repo, &["switch", "-q", "main"]);
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    commit_issue(&repo, &IssueSpec::new("0000000d", "Delta"));
    git(&repo, &["switch", "-q", "feature"]);
    assert_current_after_hook(&repo, mode);

    git(&repo, &["rebase", "-q", "main"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c", "0000000d"]);
    assert_eq!(field(&repo, "0000000a", "status"), "review");
}

fn rebase_interactive_drop_and_squash(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    repo.write_issue(&alpha.clone().status("blocked"));
    git(&repo, &["commit", "-q", "-am", "block alpha"]);
    commit_issue(&repo, &IssueSpec::new("0000000d", "Delta"));
    assert_current_after_hook(&repo, mode);

    let edit_todo =
        "sed -i.bak -e '/ add 0000000c$/s/^pick/drop/' -e '/ block alpha$/s/^pick/squash/'";
    git_with(
        &repo.root,
        &["rebase", "-q", "-i", "HEAD~4"],
        &[("GIT_SEQUENCE_EDITOR", edit_todo)],
    );
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000d"]);
    assert_eq!(field(&repo, "0000000a", "status"), "blocked");
    let log = git(&repo, &["log", "--format=%s"]);
    assert_eq!(log.lines().count(), 3, "squashed and dropped:\n{log}");
}

/// A rebase that only fast-forwards fires post-checkout alone; it must still sync.
fn fast_forward_only_rebase(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    git(&repo, &["branch", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    git(&repo, &["switch", "-q", "feature"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a"]);

    git(&repo, &["rebase", "-q", "main"]);
    assert_eq!(repo.head(), rev_parse(&repo, "main"), "fast-forwarded");
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c"]);
}

/// `rebase --apply` replays the commits with `git am`, which runs no post-applypatch while
/// rebasing; post-rewrite syncs at the end.
fn rebase_with_the_apply_backend(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().priority("critical"));
    git(&repo, &["commit", "-q", "-am", "raise alpha"]);
    git(&repo, &["switch", "-q", "main"]);
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    git(&repo, &["switch", "-q", "feature"]);
    assert_current_after_hook(&repo, mode);

    git(&repo, &["rebase", "-q", "--apply", "main"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c"]);
    assert_eq!(field(&repo, "0000000a", "priority"), "critical");
}

/// `git am` fires post-applypatch after each patch.
fn am_applies_patches(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().status("review"));
    git(&repo, &["commit", "-q", "-am", "review alpha"]);
    let patches = git(
        &repo,
        &["format-patch", "-o", "../patches", "main..feature"],
    );
    let patches: Vec<&str> = patches.lines().collect();
    assert_eq!(patches.len(), 2, "{patches:?}");
    git(&repo, &["switch", "-q", "main"]);
    assert_current_after_hook(&repo, mode);

    let mut am = vec!["am", "-q"];
    am.extend(&patches);
    git(&repo, &am);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"]);
    assert_eq!(field(&repo, "0000000a", "status"), "review");
}

fn cherry_pick(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().priority("high"));
    repo.write_issue(&IssueSpec::new("0000000c", "Gamma"));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "raise alpha, add gamma"]);
    git(&repo, &["switch", "-q", "main"]);
    assert_current_after_hook(&repo, mode);

    git(&repo, &["cherry-pick", "feature"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000c"]);
    assert_eq!(field(&repo, "0000000a", "priority"), "high");
}

fn revert(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().status("closed"));
    git(&repo, &["commit", "-q", "-am", "close alpha"]);
    assert_current_after_hook(&repo, mode);

    git(&repo, &["revert", "--no-edit", "HEAD"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000a", "status"), "todo");

    git(&repo, &["revert", "--no-edit", "HEAD~2"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a"]);
}

fn merge_fast_forward(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    git(&repo, &["switch", "-q", "main"]);
    assert_current_after_hook(&repo, mode);

    git(&repo, &["merge", "-q", "--ff-only", "feature"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"]);
}

fn merge_non_fast_forward(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().status("in-progress"));
    git(&repo, &["commit", "-q", "-am", "start alpha"]);
    git(&repo, &["switch", "-q", "main"]);
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    assert_current_after_hook(&repo, mode);

    git(&repo, &["merge", "-q", "--no-edit", "feature"]);
    assert_eq!(rev_parse(&repo, "HEAD^2"), rev_parse(&repo, "feature"));
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c"]);
    assert_eq!(field(&repo, "0000000a", "status"), "in-progress");
}

fn merge_conflict_resolved_by_commit(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    repo.write_issue(&alpha.clone().status("blocked"));
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "block alpha, add beta"]);
    git(&repo, &["switch", "-q", "main"]);
    repo.write_issue(&alpha.clone().status("closed"));
    git(&repo, &["commit", "-q", "-am", "close alpha"]);
    assert_current_after_hook(&repo, mode);
    let before_merge = listed(&repo, &repo.root, &[]).0;

    let merge = git_with_env(&repo.root, &["merge", "feature"], &[]);
    assert_eq!(merge.status, 1, "the merge stops on a conflict:\n{merge:?}");
    assert!(merge.stdout.contains("CONFLICT"), "{}", merge.stdout);
    let (during, stderr) = listed(&repo, &repo.root, &[]);
    assert_eq!(during, before_merge, "conflicted files are not listed");
    assert_eq!(stderr, "");

    repo.write_issue(&alpha.clone().status("review"));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "--no-edit"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"]);
    assert_eq!(field(&repo, "0000000a", "status"), "review");
}

fn pull_from_a_second_clone(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    let peer = repo.sibling("peer");
    git_in(
        peer.parent().expect("a sibling has a parent"),
        &["clone", "-q", "repo", "peer"],
    );
    let peer_head = || git_in(&peer, &["rev-parse", "HEAD"]).trim().to_owned();

    commit_issue_in(&peer, &IssueSpec::new("000000b1", "From peer"));
    commit_issue(&repo, &IssueSpec::new("000000c1", "From here"));
    git(
        &repo,
        &["pull", "-q", "--no-rebase", "--no-edit", "../peer", "main"],
    );
    assert_eq!(rev_parse(&repo, "HEAD^2"), peer_head(), "a merge commit");
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "000000b1", "000000c1"]);

    let peer_alpha = alpha.clone().priority("low");
    std::fs::write(peer.join(peer_alpha.path()), peer_alpha.render()).expect("edit in the peer");
    git_in(&peer, &["commit", "-q", "-am", "lower alpha"]);
    commit_issue(&repo, &IssueSpec::new("000000c2", "Again from here"));
    git(&repo, &["pull", "-q", "--rebase", "../peer", "main"]);
    assert_eq!(
        rev_parse(&repo, "HEAD~2"),
        peer_head(),
        "rebased on the peer"
    );
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "000000b1", "000000c1", "000000c2"]);
    assert_eq!(field(&repo, "0000000a", "priority"), "low");
}

fn checkout_and_switch_between_branches(mode: Hooks) {
    let beta = IssueSpec::new("0000000b", "Beta");
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha"), &beta]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    assert_current_after_hook(&repo, mode);
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    git(&repo, &["rm", "-q", &beta.path()]);
    git(&repo, &["commit", "-q", "-m", "drop beta"]);
    assert_current_after_hook(&repo, mode);

    git(&repo, &["checkout", "-q", "main"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"]);

    git(&repo, &["switch", "-q", "feature"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000c"]);

    git(&repo, &["checkout", "-q", "-"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"]);
}

fn detached_checkout_of_a_tag(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["tag", "-a", "v1.0", "-m", "release 1.0"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().status("closed"));
    git(&repo, &["commit", "-q", "-am", "close alpha"]);
    assert_current_after_hook(&repo, mode);

    git(&repo, &["checkout", "-q", "v1.0"]);
    assert_eq!(repo.head(), rev_parse(&repo, "v1.0^{commit}"), "detached");
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a"]);
    assert_eq!(field(&repo, "0000000a", "status"), "todo");

    git(&repo, &["switch", "-q", "main"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b"]);
}

/// `git reset` fires no hook: `--no-sync` shows the old HEAD's issues with a warning, and
/// plain `roadmap list` notices HEAD moved and syncs.
fn reset_hard_fires_no_hook(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    assert_current_after_hook(&repo, mode);
    let before = listed(&repo, &repo.root, &[]).0;

    git(&repo, &["reset", "-q", "--hard", "HEAD~2"]);
    assert_stale_until_listed(&repo, &before);
    assert_eq!(ids(&repo), ["0000000a"]);

    let before = listed(&repo, &repo.root, &["--no-sync"]).0;
    git(&repo, &["reset", "-q", "--hard", "ORIG_HEAD"]);
    assert_stale_until_listed(&repo, &before);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c"]);
}

/// `git rebase --abort` fires no hook. With hooks, the post-checkout at the rebase's start
/// synced the commit it started from, so `--no-sync` is stale until `roadmap list` heals it.
fn rebase_abort_fires_no_hook(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    git(&repo, &["switch", "-q", "-c", "feature"]);
    repo.write_issue(&alpha.clone().status("blocked"));
    git(&repo, &["commit", "-q", "-am", "block alpha"]);
    git(&repo, &["switch", "-q", "main"]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    repo.write_issue(&alpha.clone().status("closed"));
    git(&repo, &["commit", "-q", "-am", "close alpha"]);
    let on_main = listed(&repo, &repo.root, &[]).0;
    git(&repo, &["switch", "-q", "feature"]);
    assert_current_after_hook(&repo, mode);

    let rebase = git_with_env(&repo.root, &["rebase", "main"], &[]);
    assert_ne!(
        rebase.status, 0,
        "the rebase stops on a conflict: {rebase:?}"
    );
    assert!(
        !rebase.stderr.contains("roadmap-hooks"),
        "{}",
        rebase.stderr
    );
    git(&repo, &["rebase", "--abort"]);
    match mode {
        Hooks::Installed => assert_stale_until_listed(&repo, &on_main),
        Hooks::None => assert_fresh_without_sync(&repo, &repo.root),
    }
    assert_eq!(field(&repo, "0000000a", "status"), "blocked");
}

/// `git stash` and `git stash pop` fire no hook, but neither moves HEAD either: the cache,
/// which holds HEAD's files and never the working tree's, stays right even with `--no-sync`.
fn stash_and_stash_pop_leave_head_alone(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    let at_head = listed(&repo, &repo.root, &[]).0;
    repo.write_issue(&alpha.clone().status("closed"));
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    git(&repo, &["add", "-A"]);
    assert_ne!(
        repo.scanned(),
        at_head,
        "the working tree differs from HEAD"
    );
    assert_eq!(
        listed(&repo, &repo.root, &[]),
        (at_head.clone(), String::new())
    );

    git(&repo, &["stash", "-q"]);
    assert_fresh_without_sync(&repo, &repo.root);
    assert_lists_head(&repo, &repo.root, &[]);

    git(&repo, &["stash", "pop", "-q"]);
    git(&repo, &["add", "-A"]);
    assert_eq!(
        listed(&repo, &repo.root, &["--no-sync"]),
        (at_head.clone(), String::new()),
        "uncommitted edits are not listed, and HEAD did not move"
    );
    assert_eq!(listed(&repo, &repo.root, &[]), (at_head, String::new()));

    git(&repo, &["commit", "-q", "-m", "close alpha, add beta"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000a", "status"), "closed");
}

/// post-checkout for a file checkout (`git checkout -- FILE`) leaves HEAD where it was and
/// does nothing, even when the cache is behind.
fn file_checkout_does_nothing(mode: Hooks) {
    let alpha = IssueSpec::new("0000000a", "Alpha");
    let repo = repo_with(mode, &[&alpha]);
    repo.write_issue(&alpha.clone().status("closed"));
    git(&repo, &["commit", "-q", "-am", "close alpha"]);
    assert_current_after_hook(&repo, mode);

    // The working tree gets the old file; the cache keeps HEAD's.
    let at_head = listed(&repo, &repo.root, &[]).0;
    git(&repo, &["checkout", "HEAD~1", "--", &alpha.path()]);
    assert_eq!(field_of(&repo.scanned(), "0000000a", "status"), "todo");
    assert_eq!(
        listed(&repo, &repo.root, &["--no-sync"]),
        (at_head.clone(), String::new())
    );
    git(&repo, &["checkout", "HEAD", "--", &alpha.path()]);

    // A commit the hooks did not see, then a file checkout: still behind.
    let before = listed(&repo, &repo.root, &["--no-sync"]).0;
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    git(&repo, &["add", "-A"]);
    git_with(
        &repo.root,
        &["commit", "-q", "-m", "add beta"],
        &[("ROADMAP_HOOKS", "0")],
    );
    repo.write(&alpha.path(), "scribbled over\n");
    git(&repo, &["checkout", "--", &alpha.path()]);
    assert_stale_until_listed(&repo, &before);
}

/// Each worktree has its own cache, which lists its own HEAD.
fn worktrees_have_their_own_cache(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    let worktree = repo.sibling("wt");
    git(
        &repo,
        &["worktree", "add", "-q", "-b", "feature", "../wt", "main"],
    );
    match mode {
        Hooks::Installed => assert_fresh_without_sync(&repo, &worktree),
        Hooks::None => {
            // The main worktree has a cache, so the new worktree builds its own on first use,
            // silently: a first sync is routine.
            let run = repo
                .run_in(&worktree, "roadmap", &["list", "--all"])
                .success();
            assert_eq!(run.stderr, "");
            assert!(run.stdout.contains("0000000a"), "{}", run.stdout);
        }
    }
    assert_lists_head(&repo, &worktree, &[]);

    commit_issue_in(&worktree, &IssueSpec::new("0000000b", "Beta"));
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));

    assert_current_after_hook_in(&repo, &worktree, mode);
    assert_current_after_hook_in(&repo, &repo.root, mode);
    assert_eq!(ids_in(&repo, &worktree), ["0000000a", "0000000b"]);
    assert_eq!(ids(&repo), ["0000000a", "0000000c"]);
}

/// A rebase (run with the hooks off) drops the commit the cache last synced, and gc deletes it:
/// the next sync rebuilds from HEAD and says so in one line.
fn gc_after_rebase_dropped_the_last_synced_commit(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    commit_issue(&repo, &IssueSpec::new("0000000b", "Beta"));
    commit_issue(&repo, &IssueSpec::new("0000000c", "Gamma"));
    assert_current_after_hook(&repo, mode);
    let dropped = repo.head();

    git_with(
        &repo.root,
        &["rebase", "-q", "-i", "HEAD~2"],
        &[
            (
                "GIT_SEQUENCE_EDITOR",
                "sed -i.bak -e '/ add 0000000c$/s/^pick/drop/'",
            ),
            ("ROADMAP_HOOKS", "0"),
        ],
    );
    git(&repo, &["reflog", "expire", "--expire=now", "--all"]);
    git(&repo, &["gc", "-q", "--prune=now"]);
    let gone = git_with_env(&repo.root, &["cat-file", "-e", &dropped], &[]);
    assert_ne!(gone.status, 0, "gc deleted the dropped commit");

    let warning = match mode {
        Hooks::Installed => {
            repo.write_issue(&IssueSpec::new("0000000d", "Delta"));
            git(&repo, &["add", "-A"]);
            let commit = git_with_env(&repo.root, &["commit", "-q", "-m", "add d"], &[]);
            assert_eq!(commit.status, 0, "{commit:?}");
            commit.stderr
        }
        Hooks::None => {
            let run = repo
                .roadmap(&["list", "--all", "--format", "json"])
                .success();
            run.stderr
        }
    };
    assert_eq!(warning.lines().count(), 1, "one line: {warning}");
    assert!(
        warning.contains("rebuilt the issue cache")
            && warning.contains(&format!(
                "last synced commit {} is no longer in the repository",
                &dropped[..7]
            )),
        "{warning}"
    );
    assert_current_after_hook(&repo, mode);
}

/// Two hook processes started together: both exit 0 quietly and the cache ends at HEAD.
fn two_post_commit_hooks_at_once(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    // Enough files that the two syncs overlap; committed with the hooks off so both have work.
    for n in 0..300 {
        repo.write_issue(&IssueSpec::new(
            &format!("{:08x}", 0x1000 + n),
            &format!("Issue {n}"),
        ));
    }
    git(&repo, &["add", "-A"]);
    git_with(
        &repo.root,
        &["commit", "-q", "-m", "many issues"],
        &[("ROADMAP_HOOKS", "0")],
    );

    let start = || {
        hermetic(&mut Command::new(binary("roadmap-hooks")))
            .args(["hook", "post-commit"])
            .current_dir(&repo.root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the hook")
    };
    let (first, second) = (start(), start());
    for hook in [first, second] {
        let run = Run::from_output(hook.wait_with_output().expect("wait for the hook"));
        assert_eq!(run.status, 0, "{run:?}");
        assert_eq!(run.stderr, "", "{run:?}");
    }
    assert_fresh_without_sync(&repo, &repo.root);
    assert_eq!(ids(&repo).len(), 301);
}

/// A file that cannot be read is reported and never stops the others.
fn broken_yaml_file_among_good_ones(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    let broken = IssueSpec::new("0000000b", "Beta");
    let good = IssueSpec::new("0000000c", "Gamma");
    repo.write(
        &broken.path(),
        &broken.render().replace("title: \"Beta\"", "title: [Beta"),
    );
    repo.write_issue(&good);
    git(&repo, &["add", "-A"]);
    let commit = git_with_env(&repo.root, &["commit", "-q", "-m", "add two"], &[]);
    assert_eq!(commit.status, 0, "{commit:?}");
    if mode == Hooks::Installed {
        assert_one_line_naming(&commit.stderr, "roadmap-hooks: ", &broken.path());
        assert_one_line_naming(
            &listed_head(&repo, &repo.root, &["--no-sync"]),
            "roadmap: warning: skipped ",
            &broken.path(),
        );
    }
    let stderr = listed_head(&repo, &repo.root, &[]);
    assert_one_line_naming(&stderr, "roadmap: warning: skipped ", &broken.path());
    assert_eq!(ids(&repo), ["0000000a", "0000000c"]);
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains("invalid files: 1\n") && status.contains(&format!("  {}: ", broken.path())),
        "{status}"
    );

    repo.write_issue(&broken);
    git(&repo, &["commit", "-q", "-am", "fix beta"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a", "0000000b", "0000000c"]);
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains("invalid files: 0\n"), "{status}");
}

/// A switch across hundreds of changed files (edits, moves to another milestone's folder, an
/// unreadable file), which the sync reads on all cores as a rebuild does, leaves the cache at
/// HEAD like a small one and names the unreadable file.
fn switch_across_hundreds_of_changed_issues(mode: Hooks) {
    let issues: Vec<IssueSpec> = (0..300)
        .map(|n| IssueSpec::new(&format!("{:08x}", 0x1000 + n), &format!("Issue {n}")))
        .collect();
    let repo = repo_with(mode, &issues.iter().collect::<Vec<_>>());
    git(&repo, &["switch", "-q", "-c", "many"]);
    for (n, issue) in issues.iter().enumerate() {
        let edited = match n % 3 {
            0 => issue.clone().priority("high"),
            1 => issue.clone().body("Edited on the branch."),
            _ => {
                repo.remove(&issue.path());
                issue.clone().milestone("v2")
            }
        };
        repo.write_issue(&edited);
    }
    let broken = IssueSpec::new("0000000b", "Beta");
    repo.write(
        &broken.path(),
        &broken.render().replace("title: \"Beta\"", "title: [Beta"),
    );
    git(&repo, &["add", "-A"]);
    let commit = git_with_env(&repo.root, &["commit", "-q", "-m", "edit them all"], &[]);
    assert_eq!(commit.status, 0, "{commit:?}");
    // Lists HEAD, warning of the unreadable file alone (with the hooks, before any sync).
    let lists_head_but_broken = |hook_stderr: &str| {
        let warned = "roadmap: warning: skipped ";
        if mode == Hooks::Installed {
            assert_one_line_naming(hook_stderr, "roadmap-hooks: ", &broken.path());
            let stderr = listed_head(&repo, &repo.root, &["--no-sync"]);
            assert_one_line_naming(&stderr, warned, &broken.path());
        }
        let stderr = listed_head(&repo, &repo.root, &[]);
        assert_one_line_naming(&stderr, warned, &broken.path());
    };
    lists_head_but_broken(&commit.stderr);

    git(&repo, &["switch", "-q", "main"]);
    assert_current_after_hook(&repo, mode);
    let switch = git_with_env(&repo.root, &["switch", "-q", "many"], &[]);
    assert_eq!(switch.status, 0, "{switch:?}");
    lists_head_but_broken(&switch.stderr);
    assert_eq!(ids(&repo).len(), 300);
    if mode == Hooks::Installed {
        assert_wal_emptied_soon(&repo);
    }

    // The syncs keep the folders' raw trees for the next diff; a damaged copy is never used.
    // (SHA-256 repositories are read through git's command line, which keeps none.)
    if crate::common::RepoFormat::from_env() != crate::common::RepoFormat::Sha256 {
        damage_kept_trees(&repo);
    }
    git(&repo, &["switch", "-q", "main"]);
    assert_current_after_hook(&repo, mode);
}

/// Damages every tree the last sync kept (truncated, or a byte flipped), after checking there
/// are some.
fn damage_kept_trees(repo: &TestRepo) {
    let kept = repo.root.join(".git/roadmap/trees");
    let files: Vec<_> = std::fs::read_dir(&kept).map_or(Vec::new(), |entries| {
        entries
            .map(|entry| entry.expect("list the kept trees").path())
            .collect()
    });
    assert!(!files.is_empty(), "no tree kept in {}", kept.display());
    for (n, file) in files.iter().enumerate() {
        let mut bytes = std::fs::read(file).expect("read a kept tree");
        let middle = bytes.len() / 2;
        match n % 2 {
            0 => bytes.truncate(middle),
            _ => bytes[middle] ^= 0x20,
        }
        std::fs::write(file, bytes).expect("damage a kept tree");
    }
}

/// A hook that wrote a large WAL leaves the checkpoint to a detached process (git does not
/// wait for it); that process must empty the WAL soon, or every query would index it first.
fn assert_wal_emptied_soon(repo: &TestRepo) {
    let dir = repo.root.join(".git/roadmap");
    let name = std::fs::read_to_string(dir.join("current")).expect("read current");
    let wal = dir.join(format!("{}-wal", name.trim()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if size == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} still holds {size} bytes 30 s after the hook",
            wal.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The same id in an active and an archived file lists the active one; deleting it brings the
/// archived copy back.
fn deleting_the_active_copy_of_a_duplicate_brings_back_the_archived_one(mode: Hooks) {
    let active = IssueSpec::new("0000000a", "Current");
    let archived = IssueSpec::new("0000000a", "Old copy").archived();
    let repo = repo_with(
        mode,
        &[&active, &archived, &IssueSpec::new("0000000b", "Beta")],
    );
    assert_lists_head(&repo, &repo.root, &[]);
    assert_eq!(field(&repo, "0000000a", "title"), "Current");

    git(&repo, &["rm", "-q", &active.path()]);
    git(&repo, &["commit", "-q", "-m", "delete the active copy"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000a", "title"), "Old copy");
    assert_eq!(field(&repo, "0000000a", "archived"), true);
    assert_eq!(field(&repo, "0000000a", "path"), archived.path());

    git(&repo, &["revert", "--no-edit", "HEAD"]);
    assert_current_after_hook(&repo, mode);
    assert_eq!(field(&repo, "0000000a", "title"), "Current");

    // An active copy that can no longer be read gives way too.
    repo.write(&active.path(), "---\nid: 0000000a\ntitle: [Current\n---\n");
    let commit = git_with_env(
        &repo.root,
        &["commit", "-q", "-am", "break the active copy"],
        &[],
    );
    assert_eq!(commit.status, 0, "{commit:?}");
    let mut extra: &[&str] = &[];
    if mode == Hooks::Installed {
        assert_one_line_naming(&commit.stderr, "roadmap-hooks: ", &active.path());
        extra = &["--no-sync"];
    }
    let stderr = listed_head(&repo, &repo.root, extra);
    assert_one_line_naming(&stderr, "roadmap: warning: skipped ", &active.path());
    assert_eq!(field(&repo, "0000000a", "title"), "Old copy");
}

/// Installing (or syncing) in a repository with no commit yet: no error, an empty list; the
/// first commit is then synced.
fn unborn_head(mode: Hooks) {
    let repo = TestRepo::new();
    start(&repo, mode);
    assert_eq!(
        listed(&repo, &repo.root, &["--no-sync"]),
        (Value::Array(vec![]), String::new())
    );
    assert_eq!(
        listed(&repo, &repo.root, &[]),
        (Value::Array(vec![]), String::new())
    );

    commit_issue(&repo, &IssueSpec::new("0000000a", "Alpha"));
    assert_current_after_hook(&repo, mode);
    assert_eq!(ids(&repo), ["0000000a"]);
}

/// A normal commit: git's stderr has no line from our hooks, and (with hooks) the cache is
/// current, so the hook did run.
fn hooks_are_silent_on_success(mode: Hooks) {
    let repo = repo_with(mode, &[&IssueSpec::new("0000000a", "Alpha")]);
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    git(&repo, &["add", "-A"]);
    let commit = git_with_env(&repo.root, &["commit", "-m", "add beta"], &[]);
    assert_eq!(commit.status, 0, "{commit:?}");
    assert!(
        !commit.stderr.contains("roadmap-hooks"),
        "git's stderr: {}",
        commit.stderr
    );
    assert_current_after_hook(&repo, mode);
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A repository with `issues` in its first commit, then hooks installed or one sync by hand.
fn repo_with(mode: Hooks, issues: &[&IssueSpec]) -> TestRepo {
    let repo = TestRepo::new();
    for issue in issues {
        repo.write_issue(issue);
    }
    repo.commit_all("first issues");
    repo.as_partial_clone();
    start(&repo, mode);
    repo
}

fn start(repo: &TestRepo, mode: Hooks) {
    let command = match mode {
        Hooks::Installed => "install",
        Hooks::None => "sync",
    };
    repo.roadmap_hooks(&[command]).success();
}

/// The file of `issue` without its `milestone` key, so the folder decides the milestone.
fn without_milestone_key(issue: &IssueSpec) -> String {
    let milestone = issue.milestone.as_deref().expect("issue has a milestone");
    issue
        .render()
        .replace(&format!("milestone: '{milestone}'\n"), "")
}

/// Commits `issue` with the message `add ID`, checking that our hooks stay quiet.
fn commit_issue(repo: &TestRepo, issue: &IssueSpec) {
    commit_issue_in(&repo.root, issue);
}

/// Commits `issue` in the worktree or clone at `dir`.
fn commit_issue_in(dir: &Path, issue: &IssueSpec) {
    let path = dir.join(issue.path());
    std::fs::create_dir_all(path.parent().expect("an issue path has a folder"))
        .expect("create the issue folder");
    std::fs::write(path, issue.render()).expect("write the issue");
    git_in(dir, &["add", "-A"]);
    git_in(dir, &["commit", "-q", "-m", &format!("add {}", issue.id)]);
}

/// Runs git in the repository as a user types it; asserts it succeeded and that our hooks
/// printed nothing (they are silent on success).
#[track_caller]
fn git(repo: &TestRepo, args: &[&str]) -> String {
    git_in(&repo.root, args)
}

/// [`git`] in the worktree or clone at `dir`.
#[track_caller]
fn git_in(dir: &Path, args: &[&str]) -> String {
    git_with(dir, args, &[])
}

/// [`git_in`] with extra environment variables.
#[track_caller]
fn git_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let run = git_with_env(dir, args, env).success();
    assert!(
        !run.stderr.contains("roadmap-hooks") && !run.stdout.contains("roadmap-hooks"),
        "our hooks spoke during `git {}`:\n{}{}",
        args.join(" "),
        run.stdout,
        run.stderr
    );
    run.stdout
}

/// Runs git in `dir` with extra environment variables and returns what happened.
#[track_caller]
fn rev_parse(repo: &TestRepo, revision: &str) -> String {
    git(repo, &["rev-parse", revision]).trim().to_owned()
}

/// `roadmap list --all --sort id --format json EXTRA` in `dir`: the issues and the stderr.
#[track_caller]
fn listed(repo: &TestRepo, dir: &Path, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["list", "--all", "--sort", "id", "--format", "json"];
    args.extend_from_slice(extra);
    let run = repo.run_in(dir, "roadmap", &args).success();
    let issues = serde_json::from_str(&run.stdout).expect("list prints JSON");
    (issues, run.stderr)
}

/// Asserts the cache of the worktree at `dir` lists exactly the files at its HEAD; returns
/// what `roadmap list` printed on stderr.
#[track_caller]
fn listed_head(repo: &TestRepo, dir: &Path, extra: &[&str]) -> String {
    let (issues, stderr) = listed(repo, dir, extra);
    assert_eq!(
        issues,
        repo.scanned_in(dir),
        "roadmap list {extra:?} differs from the files at HEAD; stderr: {stderr}"
    );
    stderr
}

/// [`listed_head`], with nothing on stderr.
#[track_caller]
fn assert_lists_head(repo: &TestRepo, dir: &Path, extra: &[&str]) {
    let stderr = listed_head(repo, dir, extra);
    assert_eq!(stderr, "", "roadmap list {extra:?} warned");
}

/// The cache already holds HEAD: `--no-sync` lists HEAD's files and warns about nothing.
#[track_caller]
fn assert_fresh_without_sync(repo: &TestRepo, dir: &Path) {
    assert_lists_head(repo, dir, &["--no-sync"]);
}

/// After an operation that fires one of our hooks: with hooks installed they alone brought
/// the cache to HEAD; in both modes `roadmap list` lists HEAD (healing the cache if needed).
#[track_caller]
fn assert_current_after_hook(repo: &TestRepo, mode: Hooks) {
    assert_current_after_hook_in(repo, &repo.root, mode);
}

#[track_caller]
fn assert_current_after_hook_in(repo: &TestRepo, dir: &Path, mode: Hooks) {
    if mode == Hooks::Installed {
        assert_fresh_without_sync(repo, dir);
    }
    assert_lists_head(repo, dir, &[]);
    assert_fresh_without_sync(repo, dir);
}

/// After an operation that fires no hook and moves HEAD: `--no-sync` still shows `before`
/// and warns that HEAD moved; `roadmap list` syncs and lists HEAD.
#[track_caller]
fn assert_stale_until_listed(repo: &TestRepo, before: &Value) {
    let (stale, warning) = listed(repo, &repo.root, &["--no-sync"]);
    assert_eq!(&stale, before, "--no-sync shows the cache as it was");
    assert_ne!(&stale, &repo.scanned(), "HEAD's files changed");
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(
        warning.starts_with("roadmap: warning: the cache holds ")
            && warning.contains(&format!("but HEAD is {}", &repo.head()[..7])),
        "{warning}"
    );
    assert_lists_head(repo, &repo.root, &[]);
    assert_fresh_without_sync(repo, &repo.root);
}

#[track_caller]
fn assert_one_line_naming(stderr: &str, prefix: &str, path: &str) {
    assert_eq!(stderr.lines().count(), 1, "one line:\n{stderr}");
    assert!(
        stderr.starts_with(prefix) && stderr.contains(path),
        "expected `{prefix}…{path}…`:\n{stderr}"
    );
}

/// The ids `roadmap list --all` shows in the repository's main worktree.
#[track_caller]
fn ids(repo: &TestRepo) -> Vec<String> {
    ids_in(repo, &repo.root)
}

#[track_caller]
fn ids_in(repo: &TestRepo, dir: &Path) -> Vec<String> {
    let (issues, _) = listed(repo, dir, &[]);
    issues
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|issue| issue["id"].as_str().expect("id is text").to_owned())
        .collect()
}

/// Field `key` of issue `id` as `roadmap list` shows it.
#[track_caller]
fn field(repo: &TestRepo, id: &str, key: &str) -> Value {
    field_of(&listed(repo, &repo.root, &[]).0, id, key)
}

#[track_caller]
fn field_of(issues: &Value, id: &str, key: &str) -> Value {
    let issue = issues
        .as_array()
        .expect("a JSON array")
        .iter()
        .find(|issue| issue["id"] == id)
        .unwrap_or_else(|| panic!("issue {id} is not listed: {issues}"));
    issue[key].clone()
}
