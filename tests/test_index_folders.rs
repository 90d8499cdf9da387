//! A commit's hook reads a large flat issue folder (the 0.2 contract keeps every issue in
//! `.roadmap/issues/`) from the index git just wrote, when its cache-tree names the folder's
//! tree, and keeps a hard link to that index for the next diff (`git/index_file.rs`). The
//! cache must follow the files whatever the index looks like: written by a commit, split,
//! version 4, in a linked worktree, or listing another tree than HEAD's.

use crate::common::TestRepo;

/// Enough issues that the folder's tree (~67 bytes an entry) passes the 256 KiB from which
/// the index is read.
const ISSUES: usize = 4200;

const CONFIG: &str = "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  \
    default_project_id: null\n  include_closed_in_critical_path: false\n";

fn id(n: usize) -> String {
    format!("7a11e000-0000-4000-8000-{n:012}")
}

fn path(n: usize) -> String {
    format!(".roadmap/issues/{}.md", id(n))
}

/// An issue file in the bytes 0.3.1 writes.
fn issue(n: usize, title: &str, status: &str) -> String {
    let id = id(n);
    format!(
        "---\nschema_version: 1\nid: {id}\ncreated: '2026-12-01T10:00:00.000000+00:00'\n\
         updated: '2026-12-01T10:00:00.000000+00:00'\nretention: visible\ntitle: {title}\n\
         headline: ''\npriority: medium\nstatus: {status}\nissue_type: other\nmilestone: null\n\
         depends_on: []\nblocks: []\nlabels: []\nassignee: null\nestimated_hours: null\n\
         due_date: null\nprogress_percentage: null\nactual_start_date: null\n\
         actual_end_date: null\ngit_branches: []\ncomments: []\nhistory:\n- action: created\n  \
         at: '2026-12-01T10:00:00.000000+00:00'\n  reason: null\n---\n"
    )
}

/// A committed 0.2 workspace of [`ISSUES`] issues with our hooks installed.
fn flat_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".roadmap/config.yaml", CONFIG);
    for n in 0..ISSUES {
        repo.write(&path(n), &issue(n, &format!("Issue {n}"), "todo"));
    }
    repo.write("README.md", "# project\n");
    repo.commit_all("plan");
    repo.roadmap_hooks(&["install"]).success();
    repo
}

/// Asserts the hooks alone brought the cache to the files at HEAD (`--no-sync`: no query
/// healed it).
#[track_caller]
fn assert_hook_synced(repo: &TestRepo, dir: &std::path::Path) {
    let listed = repo.listed_in(dir, &["--no-sync"]);
    assert_eq!(listed, repo.scanned_in(dir), "the cache lists the files");
}

/// Issue `n`'s title in the cache (`--no-sync`: as the hooks left it; `--`: after the
/// query's own check of HEAD).
fn title(repo: &TestRepo, n: usize, sync: &str) -> String {
    let run = repo
        .roadmap(&["show", "--format", "json", sync, &id(n)])
        .success();
    let shown: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    shown["title"].as_str().unwrap().to_owned()
}

/// The hard links to indexes the sync keeps, by the tree each lists.
fn kept_indexes(git_dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(git_dir.join("roadmap/trees")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".index").map(str::to_owned))
        .collect();
    names.sort();
    names
}

fn folder_tree(repo: &TestRepo, rev: &str) -> String {
    repo.git(&["rev-parse", &format!("{rev}:.roadmap/issues")])
        .trim()
        .to_owned()
}

fn in_process(repo: &TestRepo) -> bool {
    // SHA-256 repositories are read by the git CLI: no index of ours there.
    repo.format != crate::common::RepoFormat::Sha256
}

#[test]
fn commits_edit_add_delete_and_rename_through_the_index() {
    let repo = flat_repo();
    repo.write(&path(7), &issue(7, "Edited", "in-progress"));
    repo.git(&["commit", "-q", "-am", "edit one"]);
    assert_hook_synced(&repo, &repo.root);
    if in_process(&repo) {
        assert!(
            kept_indexes(&repo.root.join(".git")).contains(&folder_tree(&repo, "HEAD")),
            "the commit's index is kept for the next diff"
        );
    }

    // Both sides now come from indexes: the kept one and the one this commit writes.
    repo.write(&path(ISSUES), &issue(ISSUES, "Added", "todo"));
    repo.remove(&path(3));
    repo.write(&path(11), &issue(11, "Edited too", "closed"));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "add, delete, edit"]);
    assert_hook_synced(&repo, &repo.root);

    repo.git(&["mv", &path(12), &path(ISSUES + 1)]);
    repo.git(&["commit", "-q", "-m", "rename"]);
    assert_hook_synced(&repo, &repo.root);

    repo.write(&path(13), &issue(13, "Amended", "todo"));
    repo.git(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    assert_hook_synced(&repo, &repo.root);

    // A commit of one path (`git commit <path>`) builds its tree in a temporary index.
    repo.write(&path(14), &issue(14, "Only this", "todo"));
    repo.write(&path(15), &issue(15, "Staged, not committed", "todo"));
    repo.git(&["add", &path(15)]);
    repo.git(&["commit", "-q", "-m", "one path", "--", &path(14)]);
    assert_eq!(title(&repo, 14, "--no-sync"), "Only this");
    assert_eq!(title(&repo, 15, "--no-sync"), "Issue 15", "staged only");
    repo.git(&["commit", "-q", "-m", "the staged one"]);
    assert_hook_synced(&repo, &repo.root);

    // A reset fires no hook and leaves the index listing another tree: the query heals.
    repo.git(&["reset", "-q", "--soft", "HEAD~3"]);
    assert_eq!(title(&repo, 12, "--"), "Issue 12", "back before the rename");
    assert_eq!(title(&repo, 13, "--"), "Issue 13", "back before the amend");
    repo.git(&["reset", "-q", "--hard", "HEAD"]);
    repo.write(&path(16), &issue(16, "After the reset", "todo"));
    repo.git(&["commit", "-q", "-am", "after the reset"]);
    assert_hook_synced(&repo, &repo.root);
}

#[test]
fn a_split_index_and_a_version_4_index_are_read_from_the_tree() {
    let repo = flat_repo();
    repo.write(&path(1), &issue(1, "Before the split", "todo"));
    repo.git(&["commit", "-q", "-am", "before"]);
    assert_hook_synced(&repo, &repo.root);

    // A split index names in its own file only the entries changed since the shared index.
    repo.git(&["update-index", "--split-index"]);
    for (round, n) in [20, 21, 22].into_iter().enumerate() {
        repo.write(&path(n), &issue(n, &format!("Split {round}"), "closed"));
        repo.git(&["commit", "-q", "-am", &format!("split {round}")]);
        assert_hook_synced(&repo, &repo.root);
    }
    repo.git(&["update-index", "--no-split-index"]);

    // Version 4 compresses paths: not read by ours, the tree is.
    repo.git(&["update-index", "--index-version", "4"]);
    repo.write(&path(30), &issue(30, "Version 4", "todo"));
    repo.remove(&path(31));
    repo.git(&["commit", "-q", "-am", "version 4"]);
    assert_hook_synced(&repo, &repo.root);

    repo.git(&["update-index", "--index-version", "2"]);
    repo.write(&path(32), &issue(32, "Back to 2", "todo"));
    repo.git(&["commit", "-q", "-am", "version 2"]);
    assert_hook_synced(&repo, &repo.root);
}

#[test]
fn a_linked_worktree_reads_its_own_index() {
    let repo = flat_repo();
    let other = repo.root.parent().unwrap().join("other");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "other",
        other.to_str().unwrap(),
    ]);
    std::fs::write(other.join(path(5)), issue(5, "In the worktree", "closed")).unwrap();
    repo.git_in(&other, &["commit", "-q", "-am", "edit in the worktree"]);
    std::fs::write(other.join(path(6)), issue(6, "Again", "closed")).unwrap();
    repo.git_in(&other, &["commit", "-q", "-am", "again"]);
    assert_hook_synced(&repo, &other);
    let git_dir = repo.root.join(".git/worktrees/other");
    if in_process(&repo) {
        assert!(
            kept_indexes(&git_dir).contains(&folder_tree(&repo, "other")),
            "the worktree keeps its own index"
        );
    }
    // The main worktree's cache is its own, untouched by the other's commits.
    assert_hook_synced(&repo, &repo.root);
}

#[test]
fn in_a_repository_mostly_of_other_files_no_index_is_kept() {
    let repo = flat_repo();
    // 15,000 other files: the index is then over four times the issue folder's tree.
    for n in 0..15_000 {
        repo.write(&format!("src/f{n:05}"), "x\n");
    }
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "the code"]);
    for n in [40, 41] {
        repo.write(&path(n), &issue(n, "Edited among the code", "closed"));
        repo.git(&["commit", "-q", "-am", &format!("edit {n}")]);
        assert_hook_synced(&repo, &repo.root);
    }
    assert_eq!(
        kept_indexes(&repo.root.join(".git")),
        Vec::<String>::new(),
        "no copy of a large index kept for one folder"
    );
}
