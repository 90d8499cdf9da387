//! Write commands on a real repository with hooks installed: the file first, the cache in
//! step, commits and discards handled by the hooks and the self-healing check.

use crate::common::{IssueSpec, TestRepo, copy_fixture};
use serde_json::Value;
use std::process::Command;

fn repo_with_hooks() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    repo.roadmap_hooks(&["install"]).success();
    repo
}

/// Creates an issue and returns `(id, path)` from the `Created ID  PATH` line.
fn create(repo: &TestRepo, args: &[&str]) -> (String, String) {
    let mut full = vec!["create"];
    full.extend_from_slice(args);
    let run = repo.roadmap(&full).success();
    let line = run
        .stdout
        .trim()
        .strip_prefix("Created ")
        .unwrap_or_else(|| panic!("{}", run.stdout))
        .to_owned();
    let (id, path) = line.split_once("  ").unwrap();
    (id.to_owned(), path.to_owned())
}

fn listed(repo: &TestRepo, id: &str) -> Option<Value> {
    repo.listed(&["--no-sync"])
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
}

#[test]
fn create_lists_the_issue_at_once_in_the_trackers_format() {
    let repo = repo_with_hooks();
    let (id, path) = create(
        &repo,
        &[
            "Fix: the login (again)",
            "-t",
            "bug",
            "-p",
            "high",
            "-a",
            "alice",
            "-m",
            "v1",
            "-l",
            "auth",
            "-l",
            "yes",
            "--body",
            "Steps.\n\n- one",
        ],
    );
    assert!(
        id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(
        path,
        format!(".roadmap/issues/v1/{id}-fix-the-login-again.md")
    );
    let issue = listed(&repo, &id).expect("listed before any commit");
    assert_eq!(
        (
            issue["title"].as_str(),
            issue["status"].as_str(),
            issue["labels"].clone()
        ),
        (
            Some("Fix: the login (again)"),
            Some("todo"),
            serde_json::json!(["auth", "yes"])
        )
    );

    let text = std::fs::read_to_string(repo.root.join(&path)).unwrap();
    let stamp = text
        .lines()
        .find_map(|l| l.strip_prefix("created: "))
        .unwrap()
        .to_owned();
    // One id in forty is all digits (or like `1234e567`) and is rightly written quoted.
    let text = text.replace(&format!("'{id}'"), &id);
    insta::assert_snapshot!(text.replace(&id, "[ID]").replace(&stamp, "[NOW]"));
    assert_eq!(
        repo.roadmap(&["show", &id]).success().stdout.lines().last(),
        Some("- one")
    );
    assert_eq!(
        repo.try_git(&["status", "--porcelain"]).stdout,
        format!("?? .roadmap/issues/v1/{id}-fix-the-login-again.md\n")
    );
}

#[test]
fn a_committed_write_is_what_head_holds() {
    let repo = repo_with_hooks();
    let (id, _) = create(&repo, &["Beta", "-p", "low"]);
    repo.roadmap(&["update", &id, "--status", "in-progress"])
        .success();
    repo.commit_all("add beta");
    repo.assert_cache_matches_head(&["--no-sync"]);
    assert_eq!(listed(&repo, &id).unwrap()["status"], "in-progress");
}

#[test]
fn update_changes_only_the_fields_it_names() {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-1.0.2");
    repo.commit_all("tracker files");
    repo.roadmap_hooks(&["install"]).success();
    let path = ".roadmap/issues/v0-1/0e93cfa2-crash-when-roadmap-dir-is-missing.md";
    let before = std::fs::read_to_string(repo.root.join(path)).unwrap();
    repo.roadmap(&[
        "update",
        "0e93",
        "--status",
        "review",
        "--add-label",
        "triaged",
        "--remove-label",
        "bug",
    ])
    .success();
    let after = std::fs::read_to_string(repo.root.join(path)).unwrap();
    let new_stamp = after
        .lines()
        .find_map(|l| l.strip_prefix("updated: "))
        .unwrap();
    let expected = before
        .replace("status: todo\n", "status: review\n")
        .replace("labels:\n- bug\n- hooks\n", "labels:\n- hooks\n- triaged\n")
        .replace(
            "updated: '2026-11-25T08:32:00.968960+00:00'",
            &format!("updated: {new_stamp}"),
        );
    assert_ne!(expected, before);
    assert_eq!(after, expected, "only status, labels and updated change");
    let issue = listed(&repo, "0e93cfa2").unwrap();
    assert_eq!(
        issue["comments"].as_array().map(Vec::len),
        Some(2),
        "comments kept"
    );
}

#[test]
fn close_reopen_archive_unarchive() {
    let repo = repo_with_hooks();
    let file = ".roadmap/issues/v1/0000000a-alpha.md";
    repo.roadmap(&["close", "0000000a"]).success();
    assert_eq!(listed(&repo, "0000000a").unwrap()["status"], "closed");
    assert_eq!(
        repo.roadmap(&["list", "--format", "ids"]).success().stdout,
        ""
    );
    repo.roadmap(&["issue", "reopen", "0000000a"]).success();
    assert_eq!(listed(&repo, "0000000a").unwrap()["status"], "todo");

    let run = repo.roadmap(&["archive", "0000000a"]).success();
    assert_eq!(
        run.stdout,
        "Archived 0000000a  .roadmap/archive/issues/v1/0000000a-alpha.md\n"
    );
    assert!(!repo.root.join(file).exists());
    let archived = listed(&repo, "0000000a").unwrap();
    assert_eq!(
        (archived["archived"].as_bool(), archived["path"].as_str()),
        (
            Some(true),
            Some(".roadmap/archive/issues/v1/0000000a-alpha.md")
        )
    );
    let ids = repo
        .roadmap(&["list", "--archived", "--format", "ids", "--no-sync"])
        .success();
    assert_eq!(ids.stdout, "0000000a\n");
    assert_eq!(
        repo.roadmap(&["archive", "0000000a"]).status,
        1,
        "archiving twice is an error"
    );

    repo.roadmap(&["unarchive", "0000000a"]).success();
    assert!(repo.root.join(file).exists());
    repo.commit_all("round trip");
    repo.assert_cache_matches_head(&["--no-sync"]);
    assert_eq!(listed(&repo, "0000000a").unwrap()["archived"], false);
}

#[test]
fn a_new_milestone_moves_the_file_to_its_folder() {
    let repo = repo_with_hooks();
    repo.roadmap(&["update", "0000000a", "--milestone", "v2"])
        .success();
    assert!(
        repo.root
            .join(".roadmap/issues/v2/0000000a-alpha.md")
            .exists()
    );
    repo.roadmap(&["update", "0000000a", "--milestone", ""])
        .success();
    assert!(
        repo.root
            .join(".roadmap/issues/backlog/0000000a-alpha.md")
            .exists()
    );
    let issue = listed(&repo, "0000000a").unwrap();
    assert_eq!(issue["milestone"], Value::Null);
    assert_eq!(
        repo.listed(&["--no-sync"]).as_array().unwrap().len(),
        1,
        "one row, not a stale copy"
    );
}

#[test]
fn discarded_writes_give_way_to_head() {
    let repo = repo_with_hooks();
    let file = ".roadmap/issues/v1/0000000a-alpha.md";
    repo.roadmap(&["update", "0000000a", "--priority", "low"])
        .success();
    assert_eq!(listed(&repo, "0000000a").unwrap()["priority"], "low");
    repo.git(&["checkout", "--", file]);
    assert_eq!(
        repo.listed(&[]).as_array().unwrap()[0]["priority"],
        "medium"
    );

    // A new title renames the file, as the tracker does; discarding both sides brings HEAD's.
    repo.roadmap(&["update", "0000000a", "--title", "Renamed"])
        .success();
    let renamed = ".roadmap/issues/v1/0000000a-renamed.md";
    assert!(repo.root.join(renamed).exists() && !repo.root.join(file).exists());
    assert_eq!(listed(&repo, "0000000a").unwrap()["title"], "Renamed");
    repo.git(&["checkout", "--", file]);
    repo.remove(renamed);
    assert_eq!(repo.listed(&[]).as_array().unwrap()[0]["title"], "Alpha");

    let (id, path) = create(&repo, &["Gamma"]);
    repo.roadmap(&["close", "0000000a"]).success();
    repo.git(&["stash", "--include-untracked"]);
    let after_stash = repo.listed(&[]);
    assert_eq!(after_stash, repo.scanned(), "stash puts HEAD back");
    assert!(
        after_stash
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != id.as_str())
    );
    repo.git(&["stash", "pop"]);
    assert!(repo.root.join(&path).exists());

    repo.remove(&path);
    let listed_now = repo.listed(&[]);
    assert!(
        listed_now
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != id.as_str()),
        "a deleted new file is gone"
    );
}

#[test]
fn bad_values_name_the_field_and_write_nothing() {
    let repo = repo_with_hooks();
    let run = repo.roadmap(&["create", "Delta", "--status", "finished"]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        "roadmap: error: invalid status `finished` (allowed: todo, in-progress, blocked, review, closed, archived)\n"
    );
    let run = repo.roadmap(&["update", "0000000a", "--priority", "urgent"]);
    assert_eq!(
        run.stderr,
        "roadmap: error: invalid priority `urgent` (allowed: critical, high, medium, low)\n"
    );
    let run = repo.roadmap(&["update", "0000000a"]);
    assert!(
        run.stderr
            .starts_with("roadmap: error: nothing to change\nhint: give at least one of"),
        "{}",
        run.stderr
    );
    let run = repo.roadmap(&["close", "ffff"]);
    assert_eq!(
        run.stderr,
        "roadmap: error: no issue with id `ffff`\nhint: run `roadmap list --all` to see every id\n"
    );
    assert_eq!(repo.try_git(&["status", "--porcelain"]).stdout, "");
}

#[test]
fn create_never_overwrites_a_file() {
    let repo = repo_with_hooks();
    let workspace = roadmap_hooks::workspace::Workspace::discover_from(&repo.root).unwrap();
    let path = ".roadmap/issues/v1/0000000a-alpha.md".to_owned();
    let before = std::fs::read_to_string(repo.root.join(&path)).unwrap();
    let change = roadmap_hooks::workspace::write::FileChange::Create {
        path: path.clone(),
        text: IssueSpec::new("0000000a", "Other").render(),
    };
    let error = workspace.write(&change).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{path} already exists; not overwriting it")
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join(&path)).unwrap(),
        before
    );
}

#[test]
fn edit_checks_the_file_before_saving_it() {
    let repo = repo_with_hooks();
    let file = repo.root.join(".roadmap/issues/v1/0000000a-alpha.md");
    let edit = |script: &str| {
        crate::common::hermetic(&mut Command::new(crate::common::binary("roadmap")))
            .args(["edit", "0000000a"])
            .env("EDITOR", format!("sed -i '{script}'"))
            .current_dir(&repo.root)
            .output()
            .unwrap()
    };
    let good = edit("s/^title: .*/title: Edited by hand/");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert_eq!(
        listed(&repo, "0000000a").unwrap()["title"],
        "Edited by hand"
    );

    let before = std::fs::read_to_string(&file).unwrap();
    let bad = edit("s/^id: .*/id: [unclosed/");
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.starts_with("roadmap: error: not saved: .roadmap/issues/v1/0000000a-alpha.md: invalid YAML in frontmatter"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: your text is kept in "), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        before,
        "the file is unchanged"
    );
}

#[test]
fn search_ranks_titles_and_bodies_with_the_list_filters() {
    let repo = repo_with_hooks();
    create(
        &repo,
        &[
            "Login fails on Safari",
            "-t",
            "bug",
            "--body",
            "The redirect loops.",
        ],
    );
    create(
        &repo,
        &[
            "Document the login flow",
            "--body",
            "Mention Safari and the redirect.",
        ],
    );
    create(&repo, &["Unrelated", "--body", "Nothing here."]);
    let titles = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["search"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--format", "csv"]);
        let run = repo.roadmap(&full).success();
        run.stdout
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&["safari", "redirect"]).len(), 2);
    assert_eq!(
        titles(&["safari", "redirect", "--type", "bug"]),
        ["Login fails on Safari"]
    );
    assert_eq!(titles(&["redir"]).len(), 2, "the last word is a prefix");
    assert_eq!(titles(&["nothing"]), ["Unrelated"]);
    assert!(
        titles(&["\"OR", "AND*"]).is_empty(),
        "FTS syntax in the query is taken literally"
    );
    // The index follows later writes.
    let (id, _) = create(&repo, &["Brand new topic", "--body", "Nothing else."]);
    assert_eq!(titles(&["brand"]), ["Brand new topic"]);
    repo.roadmap(&["update", &id, "--title", "Renamed topic"])
        .success();
    assert!(titles(&["brand"]).is_empty());
    assert_eq!(titles(&["renamed"]), ["Renamed topic"]);
    // A change that leaves title and body as they were keeps the issue found by both.
    repo.roadmap(&["update", &id, "--status", "in-progress"])
        .success();
    assert_eq!(titles(&["renamed"]), ["Renamed topic"]);
    assert_eq!(titles(&["else"]), ["Renamed topic"]);
    // A body edited by hand and committed (the hook syncs it) is found by its new words only.
    let path = std::process::Command::new("grep")
        .args(["-rl", "Nothing else.", ".roadmap"])
        .current_dir(&repo.root)
        .output()
        .unwrap()
        .stdout;
    let path = String::from_utf8(path).unwrap();
    let path = path.trim();
    let text = std::fs::read_to_string(repo.root.join(path)).unwrap();
    repo.write(path, &text.replace("Nothing else.", "Fresh words."));
    repo.commit_all("new body");
    assert!(titles(&["else"]).is_empty());
    assert_eq!(titles(&["fresh"]), ["Renamed topic"]);
    assert_eq!(titles(&["renamed"]), ["Renamed topic"]);
}

#[test]
fn files_we_write_read_the_same_in_pyyaml() {
    let Some(python) = crate::common::tracker::pyyaml_python() else {
        return;
    };
    let repo = repo_with_hooks();
    let tricky = [
        "yes",
        "4e619042",
        "1.10",
        "2025-01-02",
        "a: b",
        "#x",
        "Écrire 🚀",
        "null",
        "~",
        "on",
    ];
    for (n, word) in tricky.iter().enumerate() {
        create(
            &repo,
            &[&format!("{word} {n}"), "-l", word, "-a", word, "-m", word],
        );
        let (id, _) = create(&repo, &[word, "-l", "plain"]);
        repo.roadmap(&["update", &id, "--title", word, "--add-label", word])
            .success();
    }
    let ours = repo.listed(&["--no-sync"]);
    let script = r#"
import json, sys, yaml
out = []
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    front = text.split("---\n", 2)[1]
    data = yaml.safe_load(front)
    out.append({k: data.get(k) for k in ("id", "title", "labels", "assignee", "milestone", "status", "priority", "archived")})
print(json.dumps(out))
"#;
    let paths: Vec<String> = ours
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            repo.root
                .join(i["path"].as_str().unwrap())
                .display()
                .to_string()
        })
        .collect();
    let output = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(&paths)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    for (mine, python) in ours.as_array().unwrap().iter().zip(&theirs) {
        for key in [
            "id",
            "title",
            "labels",
            "assignee",
            "milestone",
            "status",
            "priority",
            "archived",
        ] {
            assert_eq!(&mine[key], &python[key], "{key} of {}", mine["path"]);
        }
    }
}

#[test]
fn edit_checks_values_bumps_updated_and_moves_the_file_with_its_milestone() {
    let repo = repo_with_hooks();
    let file = repo.root.join(".roadmap/issues/v1/0000000a-alpha.md");
    let edit = |script: &str| {
        Command::new(crate::common::binary("roadmap"))
            .args(["edit", "0000000a"])
            .env("EDITOR", format!("sed -i '{script}'"))
            .current_dir(&repo.root)
            .output()
            .unwrap()
    };
    let bad = edit("s/^status: .*/status: sort-of-done/");
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("invalid status `sort-of-done` (allowed: "),
        "{stderr}"
    );
    let id_change = edit("s/^id: .*/id: 0000000b/");
    assert_eq!(id_change.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&id_change.stderr).contains("the id cannot change"));
    let before = std::fs::read_to_string(&file).unwrap();

    let moved = edit("s/^milestone: .*/milestone: v2/");
    assert!(
        moved.status.success(),
        "{}",
        String::from_utf8_lossy(&moved.stderr)
    );
    assert!(!file.exists(), "moved out of v1");
    let now_at = repo.root.join(".roadmap/issues/v2/0000000a-alpha.md");
    let after = std::fs::read_to_string(&now_at).unwrap();
    let updated = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("updated:"))
            .map(str::to_owned)
    };
    assert_ne!(updated(&after), updated(&before), "updated is bumped");
    let listed = listed(&repo, "0000000a").unwrap();
    assert_eq!(listed["milestone"], "v2");
    assert_eq!(listed["path"], ".roadmap/issues/v2/0000000a-alpha.md");
}

#[test]
fn milestones_that_leave_the_issue_folder_are_refused() {
    let repo = repo_with_hooks();
    for bad in ["..", ".", "a/b", "/tmp/x", "../../etc"] {
        let create = repo.roadmap(&["create", "Escape", "--milestone", bad]);
        assert_eq!(create.status, 1, "{bad}: {create:?}");
        assert!(create.stderr.contains("milestone `"), "{create:?}");
        let update = repo.roadmap(&["update", "0000000a", "--milestone", bad]);
        assert_eq!(update.status, 1, "{bad}: {update:?}");
    }
    assert_eq!(repo.try_git(&["status", "--porcelain"]).stdout, "");
    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(repo.listed_ids(&[]), ["0000000a"]);
}

#[test]
fn titles_too_long_for_a_file_name_are_shortened_and_such_files_can_be_changed() {
    let repo = repo_with_hooks();
    // 2-byte characters: a cut in the middle of one would not be UTF-8.
    let title = "Überlänge ".repeat(40);
    let (id, path) = create(&repo, &[&title, "-m", "v1"]);
    let name = path.rsplit('/').next().unwrap();
    assert!(name.len() <= 255, "{} bytes", name.len());
    assert!(
        name.len() > 240,
        "only as short as needed: {} bytes",
        name.len()
    );
    assert!(name.starts_with(&format!("{id}-überlänge-")) && name.ends_with(".md"));
    assert_eq!(listed(&repo, &id).unwrap()["title"], title.as_str());

    repo.roadmap(&["update", &id, "--priority", "high"])
        .success();
    repo.roadmap(&["close", &id]).success();
    repo.roadmap(&["archive", &id]).success();
    let archived = repo.root.join(format!(".roadmap/archive/issues/v1/{name}"));
    assert!(archived.exists(), "archived under the same name");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "long names"]);
    repo.assert_cache_matches_head(&[]);
}

#[test]
fn a_write_in_a_repository_without_a_cache_builds_it_first() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    let run = repo.roadmap(&["close", "0000000a"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.stderr.contains("roadmap-hooks install"), "{run:?}");
    assert_eq!(listed(&repo, "0000000a").unwrap()["status"], "closed");
}
