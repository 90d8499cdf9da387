//! `roadmap list --at REV`: the plan as of any commit, branch or tag, answered from the cache
//! with the tree diff between HEAD and REV laid over it, on both tracker lines.

use crate::common::{IssueSpec, RepoFormat, TestRepo};
use crate::history_common::{CONTRACT_CONFIG, contract_issue, contract_milestone, rebuilt_at};

/// Three commits: two issues opened, one closed and moved to a milestone, a third opened and
/// the second archived.
fn three_commits(repo: &TestRepo) {
    repo.write_issue(&IssueSpec::new("aaaa0001", "Login fails").priority("high"));
    repo.write_issue(&IssueSpec::new("bbbb0002", "Slow search"));
    repo.commit_all("first");
    repo.remove(
        &IssueSpec::new("aaaa0001", "Login fails")
            .priority("high")
            .path(),
    );
    repo.write_issue(
        &IssueSpec::new("aaaa0001", "Login fails")
            .priority("high")
            .status("closed")
            .milestone("v1"),
    );
    repo.commit_all("second");
    repo.git(&["tag", "second"]);
    repo.remove(&IssueSpec::new("bbbb0002", "Slow search").path());
    repo.write_issue(&IssueSpec::new("bbbb0002", "Slow search").archived());
    repo.write_issue(&IssueSpec::new("cccc0003", "Dark mode").priority("low"));
    repo.commit_all("third");
    repo.roadmap_hooks(&["sync"]).success();
}

#[test]
fn list_at_an_older_commit_equals_a_rebuild_there() {
    let repo = TestRepo::new();
    three_commits(&repo);
    for rev in ["HEAD", "HEAD~1", "HEAD~2", "second", "main"] {
        assert_eq!(
            repo.listed(&["--at", rev]),
            rebuilt_at(&repo, rev, &[]),
            "list --at {rev}"
        );
    }
    // The cache still holds HEAD: the overlay was rolled back.
    assert_eq!(repo.listed(&[]), rebuilt_at(&repo, "HEAD", &[]));
}

#[test]
fn list_at_keeps_every_filter_and_format() {
    let repo = TestRepo::new();
    three_commits(&repo);
    let table = repo.roadmap(&["list", "--at", "HEAD~2"]).success().stdout;
    insta::assert_snapshot!("at_first_table", table);
    let closed = repo
        .roadmap(&["list", "--at", "second", "-s", "closed", "--format", "csv"])
        .success()
        .stdout;
    insta::assert_snapshot!("at_second_closed_csv", closed);
    let milestone = repo
        .roadmap(&[
            "list", "--at", "second", "--all", "-m", "v1", "--format", "ids",
        ])
        .success()
        .stdout;
    assert_eq!(milestone, "aaaa0001\n");
    // At HEAD~2 nothing was in v1 yet.
    let run = repo.roadmap(&[
        "list", "--at", "HEAD~2", "--all", "-m", "v1", "--format", "ids",
    ]);
    assert_eq!(run.stdout, "", "{}", run.stderr);
    let archived = repo
        .roadmap(&["list", "--at", "HEAD", "--archived", "--format", "ids"])
        .success()
        .stdout;
    assert_eq!(archived, "bbbb0002\n");
    let search = repo
        .roadmap(&["search", "dark", "--at", "HEAD~1", "--format", "ids"])
        .success()
        .stdout;
    assert_eq!(search, "", "Dark mode did not exist yet");
}

#[test]
fn an_unknown_revision_is_one_line_naming_it() {
    let repo = TestRepo::new();
    three_commits(&repo);
    let run = repo.roadmap(&["list", "--at", "no-such-branch"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .starts_with("roadmap: error: unknown revision `no-such-branch`"),
        "{}",
        run.stderr
    );
}

#[test]
fn uncommitted_writes_are_not_part_of_an_older_plan() {
    let repo = TestRepo::new();
    three_commits(&repo);
    repo.roadmap(&["close", "cccc0003"]).success();
    repo.roadmap(&["update", "aaaa0001", "--priority", "low"])
        .success();
    assert_eq!(
        repo.listed(&["--at", "HEAD"]),
        rebuilt_at(&repo, "HEAD", &[])
    );
    assert_eq!(
        repo.listed(&["--at", "HEAD~1"]),
        rebuilt_at(&repo, "HEAD~1", &[])
    );
    // ...while the plain list still shows them.
    let ids = repo
        .roadmap(&["list", "-s", "closed", "--format", "ids"])
        .success()
        .stdout;
    assert!(ids.contains("cccc0003"), "{ids}");
}

#[test]
fn list_at_works_in_a_sha256_repository() {
    let repo = TestRepo::with_format(RepoFormat::Sha256);
    three_commits(&repo);
    for rev in ["HEAD~1", "HEAD~2"] {
        assert_eq!(repo.listed(&["--at", rev]), rebuilt_at(&repo, rev, &[]));
    }
}

#[test]
fn list_at_reads_the_contract_line_and_crosses_a_migration() {
    let repo = TestRepo::new();
    repo.write(".roadmap/config.yaml", "project:\n  name: demo\n");
    repo.write_issue(&IssueSpec::new("4e619042", "Fix login").milestone("v1-0"));
    repo.write(
        ".roadmap/milestones/v1-0.md",
        "---\nname: v1-0\nstatus: open\n---\n",
    );
    repo.commit_all("legacy");
    // What `roadmap migrate` leaves: flat files, milestones by id, the config rewritten.
    repo.git(&["rm", "-q", "-r", ".roadmap"]);
    repo.write(".roadmap/config.yaml", CONTRACT_CONFIG);
    repo.write(
        ".roadmap/milestones/v1-0.md",
        &contract_milestone("v1-0", "v1-0"),
    );
    repo.write(
        ".roadmap/issues/4e619042.md",
        &contract_issue("4e619042", "Fix login", "todo", Some("v1-0")),
    );
    repo.commit_all("migrate");
    repo.write(
        ".roadmap/milestones/m2.md",
        &contract_milestone("m2", "Second"),
    );
    repo.write(
        ".roadmap/issues/4e619042.md",
        &contract_issue("4e619042", "Fix login", "closed", Some("m2")),
    );
    repo.write(
        ".roadmap/issues/5f0d3c2e-0000-4000-8000-000000000001.md",
        &contract_issue(
            "5f0d3c2e-0000-4000-8000-000000000001",
            "New one",
            "todo",
            None,
        ),
    );
    repo.commit_all("contract edits");
    repo.roadmap_hooks(&["sync"]).success();
    for rev in ["HEAD~1", "HEAD~2", "HEAD"] {
        assert_eq!(
            repo.listed(&["--at", rev]),
            rebuilt_at(&repo, rev, &[]),
            "{rev}"
        );
    }
    let at_migration = repo
        .roadmap(&["list", "--at", "HEAD~1", "-m", "v1-0", "--format", "ids"])
        .success();
    assert_eq!(at_migration.stdout, "4e619042\n");
    // Building the legacy commit afresh left no folder behind.
    let cache = repo.root.join(".git/roadmap");
    let leftovers: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("at-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn list_at_and_diff_name_branches_in_a_reftable_repository() {
    // libgit2 reads no reftable refs: branch names are resolved by git itself.
    let repo = TestRepo::with_format(RepoFormat::Reftable);
    three_commits(&repo);
    repo.git(&["branch", "older", "HEAD~2"]);
    assert_eq!(
        repo.listed(&["--at", "older"]),
        rebuilt_at(&repo, "older", &[])
    );
    let run = repo
        .roadmap(&["diff", "older..main", "--format", "json"])
        .success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["summary"],
        serde_json::json!({"opened": 1, "closed": 1, "archived": 1, "moved": 1})
    );
}
