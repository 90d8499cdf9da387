//! `roadmap log ID`: every commit that changed an issue, field by field, newest first, followed
//! across renames, milestone-folder moves, archive moves and a migration to the 0.2 layout.

use crate::common::{IssueSpec, TestRepo};
use crate::history_common::{CONTRACT_CONFIG, contract_issue, contract_milestone, redact_commits};

/// Moves the legacy issue `from` to `to` (a new path when the title, milestone or archive
/// changes), as the tracker's writes do.
fn rewrite(repo: &TestRepo, from: &IssueSpec, to: &IssueSpec) {
    repo.remove(&from.path());
    repo.write_issue(to);
}

/// A legacy story, other issues changing around it, a branch merged, then the migration.
fn story(repo: &TestRepo) {
    let v0 = IssueSpec::new("aaaa0001", "Login fails");
    repo.write_issue(&v0);
    repo.write_issue(&IssueSpec::new("bbbb0002", "Unrelated"));
    repo.commit_all("open login");
    let v1 = v0.clone().status("in-progress");
    rewrite(repo, &v0, &v1);
    repo.commit_all("start login");
    repo.write_issue(&IssueSpec::new("bbbb0002", "Unrelated").priority("high"));
    repo.write("README.md", "code\n");
    repo.commit_all("other work");
    let v2 = v1.clone().milestone("v1");
    rewrite(repo, &v1, &v2);
    repo.commit_all("plan login for v1");
    let v3 = IssueSpec {
        title: "Login fails on Safari".into(),
        ..v2.clone()
    };
    rewrite(repo, &v2, &v3);
    repo.commit_all("retitle");
    // A branch reprioritizes it; main merges the branch with a merge commit.
    repo.git(&["checkout", "-q", "-b", "triage"]);
    let v4 = v3.clone().priority("critical");
    rewrite(repo, &v3, &v4);
    repo.commit_all("triage: critical");
    repo.git(&["checkout", "-q", "main"]);
    repo.write_issue(&IssueSpec::new("cccc0003", "Meanwhile on main"));
    repo.commit_all("meanwhile");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge triage", "triage"]);
    let v5 = v4.clone().status("closed").archived();
    rewrite(repo, &v4, &v5);
    repo.commit_all("close and archive");
    // `roadmap migrate`: the 0.2 layout, ids kept, milestones by id.
    repo.git(&["rm", "-q", "-r", ".roadmap"]);
    repo.write(".roadmap/config.yaml", CONTRACT_CONFIG);
    repo.write(".roadmap/milestones/v1.md", &contract_milestone("v1", "v1"));
    repo.write(
        ".roadmap/issues/aaaa0001.md",
        &(contract_issue("aaaa0001", "Login fails on Safari", "closed", Some("v1"))
            .replace("priority: medium", "priority: critical")
            .replace("retention: visible", "retention: archived")
            + "\nBody of Login fails.\n"),
    );
    repo.commit_all("migrate");
    repo.write(
        ".roadmap/issues/aaaa0001.md",
        &(contract_issue("aaaa0001", "Login fails on Safari", "todo", Some("v1"))
            .replace("priority: medium", "priority: critical")
            + "\nBody of Login fails.\n"),
    );
    repo.commit_all("reopen after migration");
}

#[test]
fn the_story_follows_renames_moves_archive_merges_and_the_migration() {
    let repo = TestRepo::new();
    story(&repo);
    repo.roadmap_hooks(&["sync"]).success();
    let log = repo.roadmap(&["log", "aaaa"]).success().stdout;
    insta::assert_snapshot!("login_story", redact_commits(&repo, &log));
    let json = repo
        .roadmap(&["log", "aaaa0001", "--format", "json"])
        .success()
        .stdout;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let summaries: Vec<&str> = json["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "reopen after migration",
            "migrate",
            "close and archive",
            "triage: critical",
            "retitle",
            "plan login for v1",
            "start login",
            "open login"
        ],
        "the merge only brings the branch's commit, listed once"
    );
    // The migration moved the file and changed no field.
    assert_eq!(json["commits"][1]["changes"], serde_json::json!([]));
    assert_eq!(
        json["commits"][1]["moved_from"],
        ".roadmap/archive/issues/v1/aaaa0001-login-fails-on-safari.md"
    );
    assert_eq!(json["commits"][6]["changes"][0]["field"], "status");
    assert_eq!(json["commits"][6]["changes"][0]["old"], "todo");
    assert_eq!(json["commits"][6]["changes"][0]["new"], "in-progress");
    assert_eq!(json["commits"][0]["author"], "Test Author");
}

#[test]
fn an_issue_deleted_since_is_found_by_its_full_id() {
    let repo = TestRepo::new();
    let issue = IssueSpec::new("abcd1234", "Short-lived");
    repo.commit_issue(&issue);
    repo.remove(&issue.path());
    repo.commit_all("drop it");
    repo.roadmap_hooks(&["sync"]).success();
    let log = repo.roadmap(&["log", "abcd1234"]).success().stdout;
    let lines: Vec<&str> = log.lines().filter(|l| !l.starts_with("    ")).collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[0].ends_with("drop it"), "{log}");
    assert!(log.contains("    status: todo → (none)"), "{log}");
}

#[test]
fn an_unknown_id_is_one_line_naming_it() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("abcd1234", "One"));
    repo.roadmap_hooks(&["sync"]).success();
    let run = repo.roadmap(&["log", "ffff"]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        "roadmap: error: no commit reachable from HEAD holds an issue with id `ffff`"
    );
}

#[test]
fn the_story_reads_the_same_in_a_sha256_repository() {
    let repo = TestRepo::with_format(crate::common::RepoFormat::Sha256);
    story(&repo);
    repo.roadmap_hooks(&["sync"]).success();
    let log = repo.roadmap(&["log", "aaaa"]).success().stdout;
    insta::assert_snapshot!("login_story", redact_commits(&repo, &log));
}
