//! Our writes on a 0.2-contract workspace leave the file roadmap-cli 0.3.1 would: each case
//! starts from a file 0.3.1 wrote (`tests/fixtures/tracker-0.3.1-effects/`), runs our command,
//! and compares the result byte for byte with what 0.3.1's own command wrote. Only the clock
//! and new ids differ: a timestamp the file did not hold before is masked, and must still be
//! written as 0.3.1 writes one.

use crate::common::TestRepo;
use std::path::Path;

const EFFECTS: &str = "tests/fixtures/tracker-0.3.1-effects";
pub const CONFIG: &str = "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  default_project_id: null\n  include_closed_in_critical_path: false\n";
const V2: &str = "b66c6dc7-844a-46a5-ade9-34e39b88741b";

fn step(name: &str) -> (String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(EFFECTS);
    let text = std::fs::read_to_string(dir.join(format!("{name}.md"))).unwrap();
    let path = std::fs::read_to_string(dir.join(format!("{name}.path"))).unwrap();
    (text, path.trim().to_owned())
}

/// A timestamp as 0.3.1 writes "now": `'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'`.
fn is_now_stamp(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 34
        && b[0] == b'\''
        && b[33] == b'\''
        && value[1..].starts_with("20")
        && &value[11..12] == "T"
        && &value[20..21] == "."
        && value.ends_with("+00:00'")
}

/// `text` with each timestamp that `before` did not hold, and each UUID `before` did not
/// hold, masked.
pub fn masked(text: &str, before: &str) -> String {
    text.lines()
        .map(|line| match line.rsplit_once(": ") {
            Some((key, value)) if is_now_stamp(value) && !before.contains(value) => {
                format!("{key}: <now>")
            }
            Some((key, value))
                if value.len() == 36
                    && value.matches('-').count() == 4
                    && !before.contains(value) =>
            {
                format!("{key}: <new id>")
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A contract workspace holding 0.3.1's file after step `before` and milestones v1 and v2.
pub fn contract_repo(files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".roadmap/config.yaml", CONFIG);
    for (id, name) in [("356e8573-3cca-4a59-80df-08c650f1969a", "v1"), (V2, "v2")] {
        repo.write(
            &format!(".roadmap/milestones/{id}.md"),
            &format!("---\nschema_version: 1\nid: {id}\ncreated: '2026-12-06T22:38:45.000001+00:00'\nupdated: '2026-12-06T22:38:45.000001+00:00'\nretention: visible\nname: {name}\nheadline: ''\nstatus: open\nproject_id: null\ndue_date: null\n---\n"),
        );
    }
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit_all("0.3.1's files");
    repo
}

/// Runs `roadmap ARGS` on 0.3.1's file after step `before` and checks that the file is then
/// what 0.3.1's command wrote at step `after`, at the same path.
fn our_command_matches(before: &str, args: &[&str], after: &str) {
    let (text, path) = step(before);
    let repo = contract_repo(&[(&path, &text)]);
    repo.roadmap(args).success();
    let (expected, expected_path) = step(after);
    assert_eq!(path, expected_path, "0.3.1 never moves an issue file");
    let written = std::fs::read_to_string(repo.root.join(&path)).unwrap();
    assert_eq!(
        masked(&written, &text),
        masked(&expected, &text),
        "{args:?}"
    );
    let listed = repo.listed(&[]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "ours"]);
    assert_eq!(listed, repo.scanned(), "{args:?}: the cache shows the file");
}

#[test]
fn create_writes_a_flat_uuid_file_with_its_created_event() {
    let repo = contract_repo(&[]);
    let out = repo
        .roadmap(&["create", "Minimal issue", "-a", "ada"])
        .success();
    let files: Vec<_> = std::fs::read_dir(repo.root.join(".roadmap/issues"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let id = files[0].trim_end_matches(".md");
    assert!(out.stdout.contains(id), "{}", out.stdout);
    let written =
        std::fs::read_to_string(repo.root.join(".roadmap/issues").join(&files[0])).unwrap();
    let (expected, _) = step("01-create-minimal");
    assert_eq!(masked(&written, ""), masked(&expected, ""));
}

#[test]
fn create_names_the_milestone_by_id() {
    let repo = contract_repo(&[]);
    repo.roadmap(&["create", "In v2", "-m", "v2"]).success();
    let dir = repo.root.join(".roadmap/issues");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(&format!("\nmilestone: {V2}\n")), "{text}");
    let missing = repo.roadmap(&["create", "Nowhere", "-m", "v9"]);
    assert_eq!(missing.status, 1);
    assert!(
        missing.stderr.contains("no milestone `v9`") && missing.stderr.contains("hint:"),
        "{}",
        missing.stderr
    );
}

#[test]
fn close_appends_closed_and_sets_full_progress() {
    our_command_matches(
        "13-update-status-todo-reopen",
        &["close", "56ef107c"],
        "14-update-status-closed",
    );
}

#[test]
fn archive_sets_retention_and_appends_archived_without_moving_the_file() {
    our_command_matches(
        "15-archive-unconfirmed",
        &["archive", "56ef107c"],
        "16-archive",
    );
}

#[test]
fn unarchive_is_the_trackers_restore() {
    our_command_matches("17-archive-again", &["unarchive", "56ef107c"], "18-restore");
}

#[test]
fn updates_append_updated_and_keep_the_path() {
    for (before, args, after) in [
        (
            "05-create-long-title-blocks+e6e043f0",
            &["update", "e6e043f0", "--title", "Full issue renamed"][..],
            "20-update-title",
        ),
        (
            "21-update-title-same",
            &["update", "e6e043f0", "-p", "low"],
            "22-update-priority",
        ),
        (
            "22-update-priority",
            &["update", "e6e043f0", "-a", "carol"],
            "23-update-assignee",
        ),
        (
            "23-update-assignee",
            &["update", "e6e043f0", "-a", ""],
            "24-update-clear-assignee",
        ),
        (
            "24-update-clear-assignee",
            &["update", "e6e043f0", "-m", "v2"],
            "25-update-milestone",
        ),
        (
            "25-update-milestone",
            &["update", "e6e043f0", "-m", ""],
            "26-update-clear-milestone",
        ),
        (
            "34-update-clear-due-date",
            &["update", "e6e043f0", "--add-label", "three"],
            "35-update-add-label",
        ),
        (
            "35-update-add-label",
            &["update", "e6e043f0", "--remove-label", "one"],
            "36-update-remove-label",
        ),
    ] {
        our_command_matches(before, args, after);
    }
}

#[test]
fn an_update_that_changes_nothing_writes_nothing() {
    let (text, path) = step("20-update-title");
    let repo = contract_repo(&[(&path, &text)]);
    let out = repo
        .roadmap(&["update", "e6e043f0", "--title", "Full issue renamed"])
        .success();
    assert!(out.stderr.contains("nothing to change"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.root.join(&path)).unwrap(),
        text
    );
}

#[test]
fn a_document_the_tracker_cannot_read_is_reported_and_left_as_it_was() {
    let (text, path) = step("20-update-title");
    let broken = text.replace("status: todo", "status: done");
    let repo = contract_repo(&[(&path, &broken)]);
    let out = repo.roadmap(&["close", "e6e043f0"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&path) && out.stderr.contains("invalid status: done"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.root.join(&path)).unwrap(),
        broken
    );
}

#[test]
fn a_pending_journal_of_the_tracker_refuses_every_write() {
    let (text, path) = step("20-update-title");
    let repo = contract_repo(&[(&path, &text)]);
    // What a 0.3.1 write killed after journaling leaves (see db-during-51.txt).
    let journal = repo
        .root
        .join(".roadmap/db/transactions/0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    std::fs::create_dir_all(&journal).unwrap();
    std::fs::write(
        journal.join("journal.json"),
        r#"{"state": "prepared", "entries": []}"#,
    )
    .unwrap();
    let out = repo.roadmap(&["update", "e6e043f0", "-p", "low"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("journal")
            && out
                .stderr
                .contains("roadmap health fix --fix-type recovery"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join(&path)).unwrap(),
        text
    );
}

#[test]
fn crlf_and_odd_titles_are_saved_as_the_tracker_saves_them() {
    let (text, path) = step("20-update-title");
    let crlf = text.replace('\n', "\r\n");
    let repo = contract_repo(&[(&path, &crlf)]);
    repo.roadmap(&[
        "update",
        "e6e043f0",
        "--title",
        "yes: it's 'quoted' #1 — ünïcode",
    ])
    .success();
    let written = std::fs::read_to_string(repo.root.join(&path)).unwrap();
    assert!(!written.contains('\r'), "{written:?}");
    assert!(
        written.contains("\ntitle: 'yes: it''s ''quoted'' #1 — ünïcode'\n"),
        "{written}"
    );
}
