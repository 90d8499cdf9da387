//! `roadmap diff A..B`, `A...B` and `REV`: what a range of commits changes in the plan, as a
//! table, JSON and Markdown, and `--exit-code` as in `git diff`.

use crate::common::{IssueSpec, TestRepo};
use crate::history_common::redact_commits;

/// On `main`: two issues. On `feature`: one closed, moved and reprioritized, one retitled,
/// one archived, one opened, one removed. `main` moves on after the fork with its own issue.
fn feature_branch(repo: &TestRepo) {
    let login = IssueSpec::new("aaaa0001", "Login fails").status("in-progress");
    let search = IssueSpec::new("bbbb0002", "Slow search");
    let old = IssueSpec::new("dddd0004", "Old idea");
    let docs = IssueSpec::new("eeee0005", "Docs");
    for issue in [&login, &search, &old, &docs] {
        repo.write_issue(issue);
    }
    repo.commit_all("plan");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.remove(&login.path());
    repo.write_issue(
        &login
            .clone()
            .status("closed")
            .priority("high")
            .milestone("v1"),
    );
    repo.remove(&search.path());
    repo.write_issue(&IssueSpec::new("bbbb0002", "Search is slow on 10k issues"));
    repo.remove(&old.path());
    repo.remove(&docs.path());
    repo.write_issue(&docs.clone().archived());
    repo.commit_all("feature work");
    repo.write_issue(&IssueSpec::new("cccc0003", "Dark | mode").priority("low"));
    repo.commit_all("open dark mode");
    repo.git(&["checkout", "-q", "main"]);
    repo.write_issue(&IssueSpec::new("ffff0006", "Only on main"));
    repo.commit_all("main moves on");
}

#[test]
fn a_branch_diff_names_every_kind_of_change() {
    let repo = TestRepo::new();
    feature_branch(&repo);
    let table = repo.roadmap(&["diff", "main...feature"]).success().stdout;
    insta::assert_snapshot!("feature_table", redact_commits(&repo, &table));
    let markdown = repo
        .roadmap(&["diff", "main...feature", "--format", "markdown"])
        .success()
        .stdout;
    insta::assert_snapshot!("feature_markdown", redact_commits(&repo, &markdown));
}

#[test]
fn two_dots_compare_the_ends_and_three_dots_the_merge_base() {
    let repo = TestRepo::new();
    feature_branch(&repo);
    let ids = |range: &str| -> Vec<(String, Vec<String>)> {
        let run = repo.roadmap(&["diff", range, "--format", "json"]).success();
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        json["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let kinds = i["kinds"].as_array().unwrap();
                let kinds = kinds.iter().map(|k| k.as_str().unwrap().to_owned());
                (i["id"].as_str().unwrap().to_owned(), kinds.collect())
            })
            .collect()
    };
    let three = ids("main...feature");
    assert!(!three.iter().any(|(id, _)| id == "ffff0006"), "{three:?}");
    assert_eq!(
        three.iter().find(|(id, _)| id == "aaaa0001").unwrap().1,
        ["closed", "moved", "reprioritized"]
    );
    // Two dots: main's own issue is not on feature, so the range removes it.
    let two = ids("main..feature");
    assert!(
        two.contains(&("ffff0006".to_owned(), vec!["removed".to_owned()])),
        "{two:?}"
    );
    // A lone revision is HEAD against it.
    repo.git(&["checkout", "-q", "feature"]);
    assert_eq!(ids("main~1"), three);
    let json = repo
        .roadmap(&["diff", "HEAD~1..HEAD", "--format", "json"])
        .success()
        .stdout;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["summary"], serde_json::json!({"opened": 1}));
    assert_eq!(json["issues"][0]["changes"][0]["field"], "title");
    assert_eq!(json["issues"][0]["changes"][0]["new"], "Dark | mode");
}

#[test]
fn exit_code_says_whether_the_plan_differs() {
    let repo = TestRepo::new();
    feature_branch(&repo);
    let changed = repo.roadmap(&["diff", "main...feature", "--exit-code"]);
    assert_eq!(changed.status, 1, "{}", changed.stderr);
    assert!(changed.stdout.contains("closed"), "{}", changed.stdout);
    let same = repo.roadmap(&["diff", "main..main", "--exit-code"]);
    assert_eq!(same.status, 0, "{}", same.stderr);
    assert!(same.stdout.contains("no changes"), "{}", same.stdout);
    // Without the flag a difference is still success.
    assert_eq!(repo.roadmap(&["diff", "main...feature"]).status, 0);
}

#[test]
fn a_commit_that_touches_only_other_files_changes_nothing() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("aaaa0001", "Login fails"));
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit_all("code only");
    let run = repo
        .roadmap(&["diff", "HEAD~1..HEAD", "--exit-code", "--format", "json"])
        .success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["issues"], serde_json::json!([]));
}

#[test]
fn a_bad_range_is_one_line_naming_it() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("aaaa0001", "Login fails"));
    let run = repo.roadmap(&["diff", "HEAD..nope"]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        "roadmap: error: unknown revision `nope`: no commit by that name"
    );
}

#[test]
fn on_the_contract_line_comments_and_assignees_are_named() {
    use crate::history_common::{CONTRACT_CONFIG, contract_issue, contract_milestone};
    let repo = TestRepo::new();
    let id = "5f0d3c2e-0000-4000-8000-000000000001";
    let path = format!(".roadmap/issues/{id}.md");
    repo.write(".roadmap/config.yaml", CONTRACT_CONFIG);
    repo.write(
        ".roadmap/milestones/m1.md",
        &contract_milestone("m1", "First"),
    );
    repo.write(&path, &contract_issue(id, "Sync fails", "todo", Some("m1")));
    repo.commit_all("open");
    let comment = "comments:\n- id: 1\n  issue_id: ISSUE\n  author: alice\n  body: Seen on CI too\n  \
                   created_at: '2026-12-02T10:00:00.000000+00:00'\n  updated_at: '2026-12-02T10:00:00.000000+00:00'\n  \
                   in_reply_to: null\n  github_url: null\n";
    repo.write(
        &path,
        &contract_issue(id, "Sync fails", "todo", Some("m1"))
            .replace("assignee: null", "assignee: alice")
            .replace("comments: []\n", &comment.replace("ISSUE", id)),
    );
    // Renaming the milestone moves no issue.
    repo.write(
        ".roadmap/milestones/m1.md",
        &contract_milestone("m1", "First release"),
    );
    repo.commit_all("assign and comment");
    let run = repo
        .roadmap(&["diff", "HEAD~1..HEAD", "--format", "json"])
        .success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["issues"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(
        json["issues"][0]["kinds"],
        serde_json::json!(["reassigned", "commented"])
    );
    assert_eq!(
        json["issues"][0]["changes"],
        serde_json::json!([
            {"field": "assignee", "old": null, "new": "alice"},
            {"field": "comments", "old": null, "new": "1"},
        ])
    );
}

#[test]
fn diff_works_in_a_sha256_repository() {
    let repo = crate::common::TestRepo::with_format(crate::common::RepoFormat::Sha256);
    feature_branch(&repo);
    let table = repo.roadmap(&["diff", "main...feature"]).success().stdout;
    insta::assert_snapshot!("feature_table", redact_commits(&repo, &table));
}

#[test]
fn a_large_range_reads_both_sides_and_misses_nothing() {
    // 80 issues changed: enough for the two sides to be read on two threads.
    let repo = TestRepo::new();
    let issues: Vec<IssueSpec> = (0..80)
        .map(|n| IssueSpec::new(&format!("{:08x}", 0xb000_0000u32 + n), &format!("Task {n}")))
        .collect();
    for issue in &issues {
        repo.write_issue(issue);
    }
    repo.commit_all("plan");
    for (n, issue) in issues.iter().enumerate() {
        repo.remove(&issue.path());
        let mut closed = issue.clone().status("closed");
        if n < 10 {
            closed.title = format!("Task {n} done right");
        }
        repo.write_issue(&closed);
    }
    repo.commit_all("close everything");
    let run = repo
        .roadmap(&["diff", "HEAD~1..HEAD", "--format", "json"])
        .success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["summary"],
        serde_json::json!({"closed": 80, "retitled": 10})
    );
    assert_eq!(json["issues"].as_array().unwrap().len(), 80);
}
