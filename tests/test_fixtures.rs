//! Files written by the Python tracker (roadmap-cli 1.0.2) and odd files from older
//! repositories, read through a real sync.

use crate::common::{TestRepo, copy_fixture};
use serde_json::{Value, json};

fn fixture_repo() -> TestRepo {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-1.0.2");
    copy_fixture(&repo, "wild");
    repo.commit_all("issues written by the tracker");
    repo.roadmap_hooks(&["sync"]).success();
    repo
}

fn issue(listed: &Value, id: &str) -> Value {
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed"))
        .clone()
}

#[test]
fn every_field_the_tracker_writes_is_read() {
    let repo = fixture_repo();
    let listed = repo.listed(&[]);
    let crash = issue(&listed, "0e93cfa2");
    assert_eq!(crash["title"], "Crash when .roadmap dir is missing");
    assert_eq!(
        crash["headline"],
        "Running the hook outside an initialized repo panics."
    );
    assert_eq!(crash["priority"], "critical");
    assert_eq!(crash["issue_type"], "bug");
    assert_eq!(crash["milestone"], "v0-1");
    assert_eq!(crash["labels"], json!(["bug", "hooks"]));
    assert_eq!(crash["assignee"], "carol");
    assert_eq!(crash["estimated_hours"], 1.5);
    assert_eq!(crash["created"], "2026-11-25T08:30:14.232334+00:00");
    // Comment ids are unquoted integers and the timestamps YAML aliases: both read as text.
    assert_eq!(crash["comments"][0]["id"], "330495541696400");
    assert_eq!(crash["comments"][1]["in_reply_to"], "330495541696400");
    assert_eq!(
        crash["comments"][0]["created_at"],
        crash["comments"][0]["updated_at"]
    );
    assert_eq!(
        crash["comments"][1]["body"],
        "Fix incoming:\n- check for .roadmap\n- exit 0 quietly"
    );

    let linked = issue(&listed, "d059fb47");
    assert_eq!(linked["remote_ids"], json!({"github": 42}));
    assert_eq!(linked["github_issue"], "42");
    let release = issue(&listed, "5deeef21");
    assert_eq!(release["due_date"], "2027-01-10T17:00:00+00:00");
    assert!(
        release["depends_on"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );

    let escaped = issue(&listed, "fca9fb5d");
    assert_eq!(
        escaped["title"],
        "Écrire la doc: «hooks», quotes \"double\" & 'single' — émojis 🚀 #1: done?"
    );
    let folded = issue(&listed, "8578adcf");
    assert!(
        folded["title"]
            .as_str()
            .unwrap()
            .ends_with("setting without breaking existing setups")
    );
}

#[test]
fn files_in_the_wild_keep_their_row() {
    let repo = fixture_repo();
    let listed = repo.listed(&[]);
    assert_eq!(
        issue(&listed, "1a2b3c4d")["status"],
        "closed",
        "legacy `done` reads as closed"
    );
    assert_eq!(
        issue(&listed, "3c4d5e6f")["milestone"],
        Value::Null,
        "milestone: '' is no milestone"
    );
    assert_eq!(
        issue(&listed, "6f708192")["path"],
        ".roadmap/issues/6f708192-flat-layout-issue.md"
    );
    assert_eq!(issue(&listed, "a3b4c5d6")["title"], "CRLF line endings");
    let extra = &issue(&listed, "4d5e6f70")["extra"];
    assert!(
        extra.get("x_team").is_some_and(Value::is_object),
        "unknown keys kept: {extra}"
    );
    // The frontmatter id wins over the file name's.
    assert_eq!(
        issue(&listed, "0badc0de")["path"],
        ".roadmap/issues/v0-1/708192a3-filename-id-differs.md"
    );
    // One row for a duplicated id: the active file beats the archived copy.
    let copies: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["id"] == "8192a3b4")
        .collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["status"], "todo");
    assert_eq!(listed, repo.scanned(), "cache and a full parse agree");
}

#[test]
fn unquoted_timestamps_sort_as_utc() {
    let repo = fixture_repo();
    let run = repo
        .roadmap(&["list", "--all", "--sort", "created", "--format", "csv"])
        .success();
    let unquoted = run
        .stdout
        .lines()
        .find(|l| l.starts_with("2b3c4d5e"))
        .unwrap();
    assert!(
        unquoted.contains(",2025-04-01T09:15:00.000000Z,2025-04-02T16:30:00.500000Z,"),
        "{unquoted}"
    );
}

#[test]
fn legacy_description_is_the_body_and_show_prints_it() {
    let repo = fixture_repo();
    let run = repo.roadmap(&["show", "5e6f"]).success();
    assert!(
        run.stdout
            .ends_with("\nThe description lives in the frontmatter; the body is empty.\n"),
        "{}",
        run.stdout
    );
    let json: Value = serde_json::from_str(
        &repo
            .roadmap(&["show", "0e93cfa2", "--format", "json"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        json["body"],
        "Running the hook outside an initialized repo panics."
    );
}

#[test]
fn problems_are_reported_once_and_named() {
    let repo = fixture_repo();
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains("invalid files: 1\n"), "{status}");
    assert!(
        status.contains(".roadmap/issues/v0-1/92a3b4c5-broken-yaml.md: invalid YAML in frontmatter: mapping values are not allowed in this context (line 3, column 19)"),
        "{status}"
    );
    assert!(status.contains("duplicate id 8192a3b4: listed .roadmap/issues/v0-1/8192a3b4-duplicated-in-archive.md; also in .roadmap/archive/issues/v0-1/8192a3b4-duplicated-in-archive.md"), "{status}");
    assert!(
        status.contains("frontmatter id `0badc0de` differs from the file name's `708192a3`"),
        "{status}"
    );
    assert!(
        !status.contains("README.md"),
        "README.md under issues/ is not an issue: {status}"
    );

    let list = repo.roadmap(&["list"]).success();
    let warnings: Vec<&str> = list.stderr.lines().collect();
    assert_eq!(
        warnings,
        [
            "roadmap: warning: skipped .roadmap/issues/v0-1/92a3b4c5-broken-yaml.md: invalid YAML in frontmatter: mapping values are not allowed in this context (line 3, column 19)"
        ]
    );
}

#[test]
fn archived_issues_leave_the_default_view() {
    let repo = fixture_repo();
    let run = repo
        .roadmap(&["list", "--archived", "--sort", "id", "--format", "ids"])
        .success();
    let ids: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(ids, ["bae42af8", "e38b129f", "f3bd5d10"]);
    let default = repo.roadmap(&["list", "--format", "ids"]).success().stdout;
    for id in ids {
        assert!(!default.contains(id), "{id} is archived");
    }
}

#[test]
fn a_rebuild_reads_head_not_the_working_tree() {
    let repo = fixture_repo();
    let path = repo
        .root
        .join(".roadmap/issues/v0-1/0e93cfa2-crash-when-roadmap-dir-is-missing.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "title: Crash when .roadmap dir is missing",
            "title: Edited but not committed",
        ),
    )
    .unwrap();
    repo.write(
        ".roadmap/issues/backlog/00000001-uncommitted.md",
        "---\nid: '00000001'\ntitle: Uncommitted\n---\n",
    );
    repo.roadmap_hooks(&["sync", "--full"]).success();
    let listed = repo.listed(&[]);
    assert_eq!(
        issue(&listed, "0e93cfa2")["title"],
        "Crash when .roadmap dir is missing"
    );
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != "00000001")
    );
}

#[test]
fn the_plain_listing_of_the_tracker_fixtures() {
    let repo = fixture_repo();
    let run = repo
        .roadmap(&["list", "--all", "--format", "plain"])
        .success();
    insta::assert_snapshot!(run.stdout);
}
