//! `roadmap list`: filters, sorting, formats and errors, on a real repository.

use crate::common::{IssueSpec, TestRepo};
use std::io::Read;
use std::process::{Command, Stdio};

/// Writes an issue file the way the tracker does, with the fields the filters look at.
fn issue(repo: &TestRepo, id: &str, title: &str, fields: &[(&str, &str)]) {
    let get = |key: &str, default: &str| -> String {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(default.to_owned(), |(_, v)| (*v).to_owned())
    };
    let milestone = get("milestone", "null");
    let folder = if milestone == "null" {
        "backlog".to_owned()
    } else {
        milestone.clone()
    };
    let root = if get("archived", "false") == "true" {
        ".roadmap/archive/issues"
    } else {
        ".roadmap/issues"
    };
    let slug = title.to_lowercase().replace(' ', "-");
    let text = format!(
        "---\nid: {id}\ntitle: {title}\nheadline: ''\npriority: {}\nstatus: {}\narchived: {}\nissue_type: {}\n\
         milestone: {milestone}\nlabels: {}\nremote_ids: {{}}\ncreated: '{}'\nupdated: '{}'\nassignee: {}\n---\n\nBody.\n",
        get("priority", "medium"),
        get("status", "todo"),
        get("archived", "false"),
        get("type", "other"),
        get("labels", "[]"),
        get("created", "2025-01-01T00:00:00+00:00"),
        get("updated", "2025-02-01T00:00:00+00:00"),
        get("assignee", "null"),
    );
    repo.write(&format!("{root}/{folder}/{id}-{slug}.md"), &text);
}

fn sample_repo() -> TestRepo {
    let repo = TestRepo::new();
    issue(
        &repo,
        "a0000001",
        "Crash on start",
        &[
            ("priority", "critical"),
            ("status", "in-progress"),
            ("type", "bug"),
            ("assignee", "alice"),
            ("milestone", "v1-0"),
            ("labels", "[crash, cli]"),
            ("created", "2025-01-05T10:00:00+00:00"),
        ],
    );
    issue(
        &repo,
        "b0000002",
        "Add search",
        &[
            ("priority", "high"),
            ("type", "feature"),
            ("assignee", "bob"),
            ("milestone", "v1-0"),
            ("labels", "[cli]"),
            ("created", "2025-01-02T10:00:00+00:00"),
        ],
    );
    issue(
        &repo,
        "c0000003",
        "Blocked on upstream",
        &[
            ("status", "blocked"),
            ("type", "bug"),
            ("assignee", "alice"),
            ("created", "2025-01-03T10:00:00+00:00"),
            ("updated", "2025-03-01T00:00:00+00:00"),
        ],
    );
    issue(
        &repo,
        "d0000004",
        "Polish docs",
        &[
            ("priority", "low"),
            ("status", "review"),
            ("labels", "[docs]"),
            ("created", "2025-01-04T10:00:00+00:00"),
        ],
    );
    issue(
        &repo,
        "e0000005",
        "Shipped thing",
        &[
            ("status", "closed"),
            ("type", "feature"),
            ("milestone", "v1-0"),
            ("created", "2025-01-01T10:00:00+00:00"),
        ],
    );
    issue(
        &repo,
        "f0000006",
        "Old idea",
        &[
            ("status", "closed"),
            ("archived", "true"),
            ("created", "2024-06-01T10:00:00+00:00"),
        ],
    );
    repo.write(
        ".roadmap/milestones/v1-0.md",
        "---\nname: v1-0\nheadline: ''\ndue_date: '2025-06-30T00:00:00'\nstatus: open\n---\n\n",
    );
    repo.commit_all("roadmap");
    repo.roadmap_hooks(&["sync"]).success();
    repo
}

fn ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut full = vec!["list", "--format", "ids"];
    full.extend_from_slice(args);
    repo.roadmap(&full)
        .success()
        .stdout
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_default_view_is_open_issues_most_urgent_first() {
    let repo = sample_repo();
    let run = repo.roadmap(&["list"]).success();
    insta::assert_snapshot!(run.stdout);
    assert_eq!(run.stderr, "");
}

#[test]
fn each_filter_selects_what_it_names() {
    let repo = sample_repo();
    assert_eq!(ids(&repo, &["--status", "blocked"]), ["c0000003"]);
    assert_eq!(ids(&repo, &["-s", "todo,review"]), ["b0000002", "d0000004"]);
    assert_eq!(
        ids(&repo, &["--status", "done"]),
        ["e0000005"],
        "legacy spelling of closed"
    );
    assert_eq!(ids(&repo, &["--priority", "critical"]), ["a0000001"]);
    assert_eq!(ids(&repo, &["--type", "bug"]), ["a0000001", "c0000003"]);
    assert_eq!(ids(&repo, &["--issue-type", "feature"]), ["b0000002"]);
    assert_eq!(
        ids(&repo, &["--assignee", "alice"]),
        ["a0000001", "c0000003"]
    );
    assert_eq!(
        ids(&repo, &["--milestone", "v1-0"]),
        ["a0000001", "b0000002"]
    );
    assert_eq!(
        ids(&repo, &["--milestone", "v1-0", "--all"]),
        ["a0000001", "b0000002", "e0000005"]
    );
    assert_eq!(ids(&repo, &["--backlog"]), ["c0000003", "d0000004"]);
    assert_eq!(ids(&repo, &["--label", "cli"]), ["a0000001", "b0000002"]);
    assert_eq!(
        ids(&repo, &["--label", "cli", "--label", "crash"]),
        ["a0000001"]
    );
    assert_eq!(ids(&repo, &["--blocked"]), ["c0000003"]);
    assert_eq!(ids(&repo, &["--open"]), ids(&repo, &[]));
    assert_eq!(ids(&repo, &["--archived"]), ["f0000006"]);
    assert_eq!(ids(&repo, &["--all"]).len(), 6);
    assert_eq!(ids(&repo, &["--limit", "2"]), ["a0000001", "b0000002"]);
}

#[test]
fn sorting_by_each_key_and_direction() {
    let repo = sample_repo();
    assert_eq!(
        ids(&repo, &["--sort", "created"]),
        ["b0000002", "c0000003", "d0000004", "a0000001"]
    );
    assert_eq!(
        ids(&repo, &["--sort", "created", "-r"]),
        ["a0000001", "d0000004", "c0000003", "b0000002"]
    );
    assert_eq!(
        ids(&repo, &["--sort", "status"]),
        ["a0000001", "d0000004", "c0000003", "b0000002"]
    );
    assert_eq!(
        ids(&repo, &["--sort", "title"]),
        ["b0000002", "c0000003", "a0000001", "d0000004"]
    );
    assert_eq!(
        ids(&repo, &["--sort", "id", "-r"]),
        ["d0000004", "c0000003", "b0000002", "a0000001"]
    );
    assert_eq!(ids(&repo, &["--sort", "updated", "-r"])[0], "c0000003");
    assert_eq!(
        ids(&repo, &["--sort-by", "priority:desc"]),
        ["d0000004", "c0000003", "b0000002", "a0000001"]
    );
    assert_eq!(
        ids(&repo, &["--sort-by", "created"]),
        ids(&repo, &["--sort", "created"])
    );
}

#[test]
fn every_format() {
    let repo = sample_repo();
    for format in ["plain", "csv", "markdown"] {
        let run = repo
            .roadmap(&["list", "--all", "--format", format])
            .success();
        insta::assert_snapshot!(format!("format_{format}"), run.stdout);
    }
    let json: serde_json::Value = serde_json::from_str(
        &repo
            .roadmap(&["list", "--format", "json", "--limit", "1"])
            .success()
            .stdout,
    )
    .unwrap();
    insta::assert_json_snapshot!("format_json", json);
}

#[test]
fn a_milestone_listing_shows_its_status_and_due_date() {
    let repo = sample_repo();
    let run = repo
        .roadmap(&["list", "--milestone", "v1-0", "--format", "plain"])
        .success();
    assert!(
        run.stdout
            .starts_with("Milestone v1-0 (open, due 2025-06-30T00:00:00)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_table_fits_the_terminal_width() {
    let repo = sample_repo();
    let at = |columns: &str| {
        let output = crate::common::hermetic(&mut Command::new(crate::common::binary("roadmap")))
            .args(["list"])
            .env("COLUMNS", columns)
            .current_dir(&repo.root)
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    // Type and assignee dropped first; at 40 columns only ID, title and status are left.
    insta::assert_snapshot!(at("60"));
    insta::assert_snapshot!("the_table_fits_40_columns", at("40"));
    assert!(at("40").lines().all(|line| line.chars().count() <= 40));
}

#[test]
fn errors_name_the_problem() {
    let repo = sample_repo();
    let run = repo.roadmap(&["list", "--status", "finished"]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        "roadmap: error: unknown status `finished` (allowed: todo, in-progress, blocked, review, closed, archived)\n"
    );
    let run = repo.roadmap(&["list", "--sort-by", "size:asc"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("cannot sort by `size`"),
        "{}",
        run.stderr
    );
    let run = repo.roadmap(&["list", "--format", "yaml"]);
    assert_eq!(run.status, 2, "usage errors exit 2");

    let outside = tempfile::tempdir().unwrap();
    let run = repo.run_in(outside.path(), "roadmap", &["list"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .starts_with("roadmap: error: not in a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_status_only_some_files_use_can_be_filtered_on() {
    let repo = sample_repo();
    issue(&repo, "90000009", "On hold", &[("status", "on-hold")]);
    repo.commit_all("on hold");
    assert_eq!(ids(&repo, &["--status", "on-hold"]), ["90000009"]);
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let repo = TestRepo::new();
    for n in 0..400 {
        repo.write_issue(&IssueSpec::new(
            &format!("{n:08x}"),
            &format!("Issue number {n}"),
        ));
    }
    repo.commit_all("many");
    repo.roadmap_hooks(&["sync"]).success();
    let mut child = crate::common::hermetic(&mut Command::new(crate::common::binary("roadmap")))
        .args(["list", "--format", "json"])
        .current_dir(&repo.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(stderr, "");
}
