//! `roadmap sync` on a workspace of roadmap-cli's 0.2 contract: what it writes is what 0.3.1
//! writes for the same change (compared with 0.3.1's own files in
//! `tests/fixtures/tracker-0.3.1-effects/`, new ids and times masked), and, when the live
//! 0.3.1 is installed, 0.3.1 reads every file afterwards and keeps the links through its own
//! writes.

use crate::common::TestRepo;
use crate::common::mirrored::Mirrored;
use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_write::{contract_repo, masked};
use serde_json::json;
use std::path::Path;
use std::process::Command;

const EFFECTS: &str = "tests/fixtures/tracker-0.3.1-effects";
const V1: &str = "356e8573-3cca-4a59-80df-08c650f1969a";

/// 0.3.1's file after step `name`, and its path.
fn step(name: &str) -> (String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(EFFECTS);
    let text = std::fs::read_to_string(dir.join(format!("{name}.md"))).unwrap();
    let path = std::fs::read_to_string(dir.join(format!("{name}.path"))).unwrap();
    (text, path.trim().to_owned())
}

/// A contract workspace (milestones v1, v2) holding 0.3.1's files of `steps`, mirrored.
fn mirrored(steps: &[&str]) -> (Mirrored, Vec<(String, String)>) {
    let files: Vec<(String, String)> = steps.iter().map(|s| step(s)).map(|(t, p)| (p, t)).collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    (Mirrored::on(contract_repo(&borrowed)), files)
}

/// The issue files of the working tree, by path.
fn issue_files(repo: &TestRepo) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo.root.join(".roadmap/issues"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (format!(".roadmap/issues/{name}"), text)
        })
        .collect();
    files.sort();
    files
}

fn text_of(repo: &TestRepo, path: &str) -> String {
    std::fs::read_to_string(repo.root.join(path)).unwrap()
}

#[test]
fn a_pulled_issue_is_written_as_0_3_1_creates_and_starts_one() {
    let (m, _) = mirrored(&[]);
    {
        let mut github = m.github.state();
        github
            .milestones
            .push(json!({ "number": 1, "title": "v1" }));
        let number = github.add_issue(
            "Remote only",
            "Seen on GitHub",
            &["bug-report", "priority:high", "status:in-progress"],
        );
        github.edit(number, json!({ "milestone": 1 }));
    }
    m.sync(&[]).success();
    let files = issue_files(&m.repo);
    let [(path, text)] = files.as_slice() else {
        panic!("{files:?}")
    };
    let id = &path[".roadmap/issues/".len()..path.len() - 3];
    assert!(
        id.len() == 36 && id.as_bytes()[14] == b'4',
        "a UUID4 name: {path}"
    );
    // 0.3.1's `issue create` then `issue start` (07-start), the link first as 0.3.1 keeps it.
    let (started, _) = step("07-start");
    let expected = format!(
        "---\nremote_ids:\n  github: 1\n{}",
        started
            .strip_prefix("---\n")
            .unwrap()
            .replace("title: Minimal issue", "title: Remote only")
            .replace("priority: medium", "priority: high")
            .replace("milestone: null", &format!("milestone: {V1}"))
            .replace("labels: []", "labels:\n- bug-report")
            .replace("assignee: ada", "assignee: null")
            .replace(
                "blocks:\n- e6e043f0-f312-483e-9c44-4ac2e32b048c",
                "blocks: []"
            )
            + "\nSeen on GitHub"
    );
    assert_eq!(masked(text, ""), masked(&expected, ""));
    assert_eq!(m.local_of(1)["milestone"], "v1");
}

#[test]
fn a_github_milestone_without_a_file_is_reported_and_never_pushed_over() {
    let (m, _) = mirrored(&[]);
    {
        let mut github = m.github.state();
        github
            .milestones
            .push(json!({ "number": 1, "title": "v9" }));
        let number = github.add_issue("Planned", "", &[]);
        github.edit(number, json!({ "milestone": 1 }));
    }
    let run = m.sync(&[]).success();
    assert!(
        run.stdout.contains("`v9` has no file") || run.stderr.contains("`v9` has no file"),
        "{run:?}"
    );
    assert!(text_of(&m.repo, &issue_files(&m.repo)[0].0).contains("\nmilestone: null\n"));
    m.commit("sync");
    let again = m.sync(&[]).success();
    assert!(
        again.stdout.contains("`v9` has no file") || again.stderr.contains("`v9` has no file"),
        "reported again: {again:?}"
    );
    assert_eq!(
        m.github.issue(1)["milestone"]["title"],
        "v9",
        "GitHub's kept"
    );
}

#[test]
fn a_local_issue_is_pushed_and_linked_with_every_other_byte_kept() {
    let (m, files) = mirrored(&["01-create-minimal"]);
    let (path, before) = &files[0];
    m.sync(&[]).success();
    assert_eq!(m.github.issue(1)["title"], "Minimal issue");
    let linked = before.replacen("---\n", "---\nremote_ids:\n  github: 1\n", 1);
    assert_eq!(&text_of(&m.repo, path), &linked);
}

#[test]
fn fields_changed_on_both_sides_are_written_with_0_3_1s_events() {
    let (m, files) = mirrored(&["07-start"]);
    let path = &files[0].0;
    let id = "56ef107c-82bd-4004-94b3-634c8248a89d";
    m.sync(&[]).success();
    m.commit("linked");
    m.repo.roadmap(&["update", id, "-p", "low"]).success();
    m.commit("priority");
    m.github.state().edit(
        1,
        json!({ "title": "Renamed on GitHub", "state": "closed" }),
    );
    m.sync(&[]).success();
    assert!(m.github.labels(1).contains(&"priority:low".to_owned()));
    // 0.3.1's `issue close` of a started issue (12-close, whose review steps we skip).
    let written = text_of(&m.repo, path);
    let events: Vec<&str> = written
        .lines()
        .filter_map(|l| l.strip_prefix("- action: "))
        .collect();
    assert_eq!(events, ["created", "started", "updated", "closed"]);
    for line in [
        "title: Renamed on GitHub",
        "status: closed",
        "priority: low",
        "progress_percentage: 100.0",
        "actual_end_date: null",
    ] {
        assert!(
            written.contains(&format!("\n{line}\n")),
            "{line}: {written}"
        );
    }
    assert!(written.starts_with("---\nremote_ids:\n  github: 1\nschema_version: 1\n"));
}

#[test]
fn comments_get_0_3_1s_ids_and_keep_githubs_in_github_url() {
    let (m, files) = mirrored(&["40-comment-add"]);
    let path = &files[0].0;
    m.sync(&[]).success();
    m.commit("linked");
    // Its comments sync from the next run on, once the issue is linked.
    m.sync(&[]).success();
    // The local comment (id 1, no github_url) was created on GitHub once, its address kept.
    let created = m.github.state().comments[&1].clone();
    assert_eq!(created.len(), 1);
    let written = text_of(&m.repo, path);
    let url = created[0]["html_url"].as_str().unwrap();
    assert!(
        written.contains(&format!("  github_url: {url}\n")),
        "{written}"
    );
    m.commit("comment linked");
    let theirs = m.github.state().add_comment(1, "octo", "From GitHub");
    m.sync(&[]).success();
    let written = text_of(&m.repo, path);
    let (expected, _) = step("41-comment-reply");
    // As 0.3.1's second `comment add`: id 2 (a pulled comment replies to none).
    let pulled = "- id: 2\n  issue_id: 6c2efb14-b7f8-4234-a603-3662a9af9391\n  author: octo\n  body: From GitHub\n";
    assert!(written.contains(pulled), "{written}");
    assert!(
        written.contains(&format!("#issuecomment-{theirs}\n")),
        "{written}"
    );
    assert!(
        expected.contains("- id: 2\n"),
        "the fixture numbers the same way"
    );
    m.commit("pulled");
    m.sync(&[]).success();
    assert_eq!(m.github.state().comments[&1].len(), 2);
    let status = m
        .repo
        .git(&["status", "--porcelain", "--", ".roadmap/issues"]);
    assert_eq!(status, "", "nothing rewritten");
}

#[test]
fn a_pending_journal_of_0_3_1_stops_the_sync_before_any_request() {
    let (m, _) = mirrored(&["01-create-minimal"]);
    let journal = m.repo.root.join(".roadmap/db/transactions/0f1e2d3c");
    std::fs::create_dir_all(&journal).unwrap();
    std::fs::write(journal.join("journal.json"), "{}").unwrap();
    let requests = m.github.request_count();
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("journal") && run.stderr.contains("hint:"),
        "{}",
        run.stderr
    );
    assert_eq!(m.github.request_count(), requests);
}

/// Runs the live 0.3.1 in `repo` with a scratch HOME.
fn live(repo: &TestRepo, bin: &Path, args: &[&str]) -> (i32, String) {
    let home = repo.sibling("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(bin)
        .args(args)
        .current_dir(&repo.root)
        .env("HOME", &home)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// 0.3.1 reads every issue file (`issue view`) and its health scan then finds nothing.
fn tracker_reads_everything(repo: &TestRepo, bin: &Path) {
    for (path, _) in issue_files(repo) {
        let id = &path[".roadmap/issues/".len()..path.len() - 3];
        let (status, out) = live(repo, bin, &["issue", "view", id]);
        assert_eq!(status, 0, "{path}: {out}");
    }
    let (status, out) = live(repo, bin, &["health", "scan"]);
    assert!(status == 0 && out.contains("No findings"), "{out}");
}

#[test]
fn the_live_tracker_reads_what_a_sync_wrote_and_keeps_its_links() {
    let Some(bin) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let (m, files) = mirrored(&["40-comment-add"]);
    let path = &files[0].0;
    let pulled = m
        .github
        .state()
        .add_issue("Remote", "Body", &["status:review"]);
    m.sync(&[]).success();
    m.commit("linked");
    m.github.state().add_comment(pulled, "octo", "Hello");
    m.sync(&[]).success();
    tracker_reads_everything(&m.repo, &bin);
    let id = "6c2efb14-b7f8-4234-a603-3662a9af9391";
    let (status, out) = live(&m.repo, &bin, &["issue", "update", id, "-p", "high"]);
    assert_eq!(status, 0, "{out}");
    let written = text_of(&m.repo, path);
    assert!(
        written.starts_with("---\nremote_ids:\n  github: 2\n"),
        "{written}"
    );
    assert!(written.contains("#issuecomment-"), "{written}");
    m.commit("tracker");
    m.sync(&[]).success();
    assert!(m.github.labels(2).contains(&"priority:high".to_owned()));
    assert_eq!(m.github.state().comments[&2].len(), 1, "created once");
}

#[test]
fn a_sync_cut_off_after_the_files_leaves_them_readable_and_finishes_next_time() {
    let (m, _) = mirrored(&[]);
    for title in ["One", "Two", "Three"] {
        m.github.state().add_issue(title, "", &["status:blocked"]);
    }
    let run = m.sync_with(
        &[],
        &[
            ("GH_ENTERPRISE_TOKEN", crate::common::github_server::TOKEN),
            ("ROADMAP_SYNC_TEST_CRASH", "after-local-write"),
        ],
    );
    assert_eq!(run.status, 137, "{run:?}");
    assert_eq!(issue_files(&m.repo).len(), 3);
    if let Some(bin) = installed_tracker(TrackerLine::Current) {
        tracker_reads_everything(&m.repo, &bin);
    }
    m.sync(&[]).success();
    assert_eq!(issue_files(&m.repo).len(), 3, "no issue pulled twice");
}
