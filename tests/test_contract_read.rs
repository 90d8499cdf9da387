//! Our commands on a workspace of the tracker's 0.2 contract (roadmap-cli 0.3.1): flat
//! `issues/{id}.md`, milestones by id, `retention`, comments with integer ids, and the
//! tracker's `db/` folder committed beside them. The fixture `contract-read` is real 0.3.1
//! output (tests/fixtures/make-contract-read.sh); other cases are written here in the bytes
//! 0.3.1 writes (`yaml.safe_dump(sort_keys=False)`, no final newline without a body).

use crate::common::{TestRepo, copy_fixture};
use serde_json::Value;

/// The fixture's records, by title (ids are uuid4s read from the files).
const MILESTONE_FILE_NAME: &str = "name: v1-0";

fn fixture_repo() -> TestRepo {
    let repo = TestRepo::new();
    copy_fixture(&repo, "contract-read");
    repo.commit_all("0.3.1 workspace");
    repo.roadmap_hooks(&["sync"]).success();
    repo
}

fn by_title<'a>(listed: &'a Value, title: &str) -> &'a Value {
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|issue| issue["title"] == title)
        .unwrap_or_else(|| panic!("no issue titled {title} in {listed:#}"))
}

/// The only milestone file of the fixture: `(path, id)`.
fn fixture_milestone(repo: &TestRepo) -> (String, String) {
    let dir = repo.root.join(".roadmap/milestones");
    let entry = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap();
    let name = entry.file_name().into_string().unwrap();
    let id = name.strip_suffix(".md").unwrap().to_owned();
    (format!(".roadmap/milestones/{name}"), id)
}

/// An issue file as 0.3.1 writes it: its key order, its quoting, no body (the file then ends
/// with the closing `---` and a line break; with a body, the body ends it without one).
fn contract_issue(id: &str, title: &str, milestone: Option<&str>, retention: &str) -> String {
    let quoted_id = if id.contains('-') {
        id.to_owned()
    } else {
        format!("'{id}'")
    };
    let milestone = milestone.unwrap_or("null");
    format!(
        "---\nschema_version: 1\nid: {quoted_id}\ncreated: '2026-12-01T10:00:00.000000+00:00'\n\
         updated: '2026-12-01T10:00:00.000000+00:00'\nretention: {retention}\ntitle: {title}\n\
         headline: ''\npriority: medium\nstatus: todo\nissue_type: other\nmilestone: {milestone}\n\
         depends_on: []\nblocks: []\nlabels: []\nassignee: null\nestimated_hours: null\n\
         due_date: null\nprogress_percentage: null\nactual_start_date: null\n\
         actual_end_date: null\ngit_branches: []\ncomments: []\nhistory:\n- action: created\n  \
         at: '2026-12-01T10:00:00.000000+00:00'\n  reason: null\n---\n"
    )
}

/// A milestone file as 0.3.1 writes it.
fn contract_milestone(id: &str, name: &str) -> String {
    format!(
        "---\nschema_version: 1\nid: {id}\ncreated: '2026-12-01T10:00:00.000000+00:00'\n\
         updated: '2026-12-01T10:00:00.000000+00:00'\nretention: visible\nname: {name}\n\
         headline: ''\nstatus: open\nproject_id: null\ndue_date: null\n---\n"
    )
}

const CONTRACT_CONFIG: &str = "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  \
    default_project_id: null\n  include_closed_in_critical_path: false\n";

#[test]
fn a_real_0_3_1_workspace_lists_names_archived_flags_and_comments() {
    let repo = fixture_repo();
    let run = repo
        .roadmap(&["list", "--all", "--sort", "id", "--format", "json"])
        .success();
    assert_eq!(run.stderr, "", "no warning on files 0.3.1 wrote");
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 4);
    let (_, milestone_id) = fixture_milestone(&repo);

    let login = by_title(&listed, "Fix login redirect");
    assert_eq!(login["milestone"], "v1-0");
    assert_eq!(login["milestone_id"], milestone_id.as_str());
    assert_eq!(login["archived"], false);
    let comments = login["comments"].as_array().unwrap();
    assert_eq!(
        comments
            .iter()
            .map(|c| (
                c["id"].clone(),
                c["in_reply_to"].clone(),
                c["author"].clone()
            ))
            .collect::<Vec<_>>(),
        [
            (Value::from(1), Value::Null, Value::from("bob")),
            (Value::from(2), Value::from(1), Value::from("alice"))
        ],
        "comment ids stay integers, replies point at them"
    );
    let docs = by_title(&listed, "Write docs");
    assert_eq!(docs["depends_on"][0], login["id"]);
    assert_eq!(login["blocks"][0], docs["id"]);
    assert_eq!(docs["milestone"], Value::Null);
    assert!(docs.get("milestone_id").is_none(), "no milestone, no id");
    // The contract's own keys are kept, in file order, under `extra`.
    let extra: Vec<&str> = login["extra"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(extra, ["schema_version", "retention", "history"]);
    let old = by_title(&listed, "Old idea");
    assert_eq!(old["archived"], true, "retention: archived");
    let actions: Vec<&str> = old["extra"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "closed", "archived"]);

    // The default view leaves the archived issue out; --archived shows only it.
    let open: Vec<String> = repo
        .roadmap(&["list", "--format", "ids"])
        .success()
        .stdout
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(open.len(), 3);
    assert!(!open.contains(&old["id"].as_str().unwrap().to_owned()));
    let archived = repo
        .roadmap(&["list", "--archived", "--format", "ids"])
        .success()
        .stdout;
    assert_eq!(archived.trim(), old["id"].as_str().unwrap());

    let status = repo.roadmap_hooks(&["status"]).success();
    assert!(
        status.stdout.contains("invalid files: 0"),
        "{}",
        status.stdout
    );
    assert!(!status.stdout.contains("warning"), "{}", status.stdout);
    repo.assert_cache_matches_head(&[]);
}

#[test]
fn the_list_table_shows_milestone_names() {
    let repo = fixture_repo();
    let table = repo
        .roadmap(&["list", "--all", "--sort", "title"])
        .success();
    insta::assert_snapshot!(table.stdout);
}

#[test]
fn list_filters_by_the_milestone_name_or_its_id() {
    let repo = fixture_repo();
    let (_, milestone_id) = fixture_milestone(&repo);
    let by_name = repo
        .roadmap(&["list", "-m", "v1-0", "--format", "ids"])
        .success();
    let by_id = repo
        .roadmap(&["list", "-m", &milestone_id, "--format", "ids"])
        .success();
    assert_eq!(by_name.stdout.lines().count(), 2, "{}", by_name.stdout);
    assert_eq!(by_name.stdout, by_id.stdout);
    let header = repo.roadmap(&["list", "-m", &milestone_id]).success();
    assert!(
        header
            .stdout
            .starts_with("Milestone v1-0 (open, due 2027-01-15T00:00:00+00:00)\n"),
        "{}",
        header.stdout
    );
    let search = repo
        .roadmap(&["search", "login", "-m", &milestone_id, "--format", "ids"])
        .success();
    assert_eq!(search.stdout.lines().count(), 1, "{}", search.stdout);
}

#[test]
fn a_milestone_renamed_in_a_later_commit_shows_its_new_name_incremental_and_full() {
    let repo = fixture_repo();
    repo.roadmap(&["list"]).success();
    let (path, _) = fixture_milestone(&repo);
    let text = std::fs::read_to_string(repo.root.join(&path)).unwrap();
    assert!(text.contains(MILESTONE_FILE_NAME), "{text}");
    repo.write(&path, &text.replace(MILESTONE_FILE_NAME, "name: v1-1"));
    repo.commit_all("rename the milestone");

    let synced = repo.roadmap_hooks(&["sync"]).success();
    assert!(
        !synced.stdout.contains("rebuilt"),
        "a diff: {}",
        synced.stdout
    );
    let milestones = |repo: &TestRepo| -> Vec<String> {
        repo.listed(&[])
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|issue| issue["milestone"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        milestones(&repo),
        ["v1-1", "v1-1"],
        "after the incremental sync"
    );
    assert_eq!(
        repo.roadmap(&["list", "-m", "v1-0", "--format", "ids"])
            .success()
            .stdout,
        ""
    );
    assert_eq!(
        repo.roadmap(&["list", "-m", "v1-1", "--format", "ids"])
            .success()
            .stdout
            .lines()
            .count(),
        2
    );
    repo.assert_cache_matches_head(&[]);

    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(milestones(&repo), ["v1-1", "v1-1"], "after a full rebuild");

    // Back across the rename: the old name again, by a diff.
    repo.git(&["checkout", "-q", "HEAD~1"]);
    repo.roadmap_hooks(&["sync"]).success();
    assert_eq!(milestones(&repo), ["v1-0", "v1-0"]);
}

#[test]
fn a_milestone_file_added_later_names_the_issues_that_waited_for_it() {
    let repo = TestRepo::new();
    repo.write(".roadmap/config.yaml", CONTRACT_CONFIG);
    let milestone = "7d1c3a52-0f4e-4b7e-9a51-2f6e8c1d9b20";
    let issue = "0b6f4c1e-5a7d-4c2b-8e9f-1d3a5b7c9e02";
    repo.write(
        &format!(".roadmap/issues/{issue}.md"),
        &contract_issue(issue, "Waits for its milestone", Some(milestone), "visible"),
    );
    repo.commit_all("issue first");
    repo.roadmap_hooks(&["sync"]).success();
    let status = repo.roadmap_hooks(&["status"]).success();
    assert!(
        status.stdout.contains(&format!(
            "milestone `{milestone}` has no file in .roadmap/milestones/; shown by its id"
        )),
        "{}",
        status.stdout
    );
    assert_eq!(
        repo.listed(&[])[0]["milestone"],
        milestone,
        "shown by its id meanwhile"
    );

    repo.write(
        &format!(".roadmap/milestones/{milestone}.md"),
        &contract_milestone(milestone, "Q1 launch"),
    );
    repo.commit_all("milestone");
    repo.roadmap_hooks(&["sync"]).success();
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(!status.contains("warning"), "the warning is gone: {status}");
    assert_eq!(repo.listed(&[])[0]["milestone"], "Q1 launch");
    repo.assert_cache_matches_head(&[]);
}

#[test]
fn purged_and_archived_retention_leave_the_default_view() {
    let repo = TestRepo::new();
    repo.write(".roadmap/config.yaml", CONTRACT_CONFIG);
    for (id, retention) in [
        ("1f0e2d3c-4b5a-4697-8877-665544332211", "visible"),
        ("2f0e2d3c-4b5a-4697-8877-665544332211", "archived"),
        ("3f0e2d3c-4b5a-4697-8877-665544332211", "purged"),
    ] {
        repo.write(
            &format!(".roadmap/issues/{id}.md"),
            &contract_issue(id, retention, None, retention),
        );
    }
    repo.commit_all("three retentions");
    let shown = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--format", "ids", "--sort", "id"];
        all.extend_from_slice(args);
        repo.roadmap(&all)
            .success()
            .stdout
            .lines()
            .map(|id| id[..2].to_owned())
            .collect()
    };
    assert_eq!(shown(&[]), ["1f"]);
    assert_eq!(shown(&["--archived"]), ["2f", "3f"]);
    assert_eq!(shown(&["--all"]), ["1f", "2f", "3f"]);
    repo.assert_cache_matches_head(&[]);
}

#[test]
fn a_migrated_8_hex_id_and_a_milestone_named_by_its_name_read_without_warnings() {
    let repo = TestRepo::new();
    repo.write(".roadmap/config.yaml", CONTRACT_CONFIG);
    // `migrate` keeps 8-hex ids (quoted by PyYAML: `4e619042` reads as a float) and rewrites
    // milestones in place with the name as their id.
    repo.write(
        ".roadmap/milestones/v1-0.md",
        &contract_milestone("v1-0", "v1-0"),
    );
    repo.write(
        ".roadmap/issues/4e619042.md",
        &contract_issue("4e619042", "Migrated", Some("v1-0"), "visible"),
    );
    repo.commit_all("migrated");
    repo.roadmap_hooks(&["sync"]).success();
    let run = repo.roadmap(&["list", "--format", "json"]).success();
    assert_eq!(run.stderr, "");
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed[0]["id"], "4e619042");
    assert_eq!(listed[0]["milestone"], "v1-0");
    assert_eq!(
        repo.roadmap(&["show", "4e61"])
            .success()
            .stdout
            .lines()
            .next()
            .unwrap(),
        "4e619042  Migrated"
    );
}

#[test]
fn a_migrate_commit_switches_lines_by_a_full_rebuild_and_back() {
    let repo = TestRepo::new();
    repo.write(".roadmap/config.yaml", "project:\n  name: demo\n");
    repo.write(
        ".roadmap/issues/v1-0/4e619042-fix-login.md",
        "---\nid: 4e619042\ntitle: Fix login\nmilestone: v1-0\n---\n\nBody\n",
    );
    repo.write(
        ".roadmap/milestones/v1-0.md",
        "---\nname: v1-0\nstatus: open\n---\n",
    );
    repo.commit_all("legacy");
    assert_eq!(
        repo.listed(&[])[0]["path"],
        ".roadmap/issues/v1-0/4e619042-fix-login.md"
    );

    // What `roadmap migrate` leaves: flat files, the config rewritten.
    repo.git(&["rm", "-q", "-r", ".roadmap"]);
    repo.write(".roadmap/config.yaml", CONTRACT_CONFIG);
    repo.write(
        ".roadmap/milestones/v1-0.md",
        &contract_milestone("v1-0", "v1-0"),
    );
    repo.write(
        ".roadmap/issues/4e619042.md",
        &contract_issue("4e619042", "Fix login", Some("v1-0"), "visible"),
    );
    repo.commit_all("migrate");
    let synced = repo.roadmap_hooks(&["sync"]).success();
    assert!(synced.stdout.contains("0.2 contract"), "{}", synced.stdout);
    let listed = repo.listed(&[]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["path"], ".roadmap/issues/4e619042.md");
    assert_eq!(listed[0]["milestone"], "v1-0");
    assert_eq!(listed[0]["extra"]["retention"], "visible");
    repo.assert_cache_matches_head(&[]);

    repo.git(&["checkout", "-q", "HEAD~1"]);
    let synced = repo.roadmap_hooks(&["sync"]).success();
    assert!(synced.stdout.contains("legacy layout"), "{}", synced.stdout);
    assert_eq!(
        repo.listed(&[])[0]["path"],
        ".roadmap/issues/v1-0/4e619042-fix-login.md"
    );
}

#[test]
fn committed_tracker_state_under_db_is_never_read() {
    let repo = fixture_repo();
    repo.roadmap(&["list"]).success();
    let before = repo.listed(&[]);
    // What 0.3.1 leaves in db/ that its .gitignore does not cover, and what a forced add takes.
    let journal = ".roadmap/db/transactions/9f2c4e61a0b7/issues";
    repo.write(
        &format!("{journal}/5e0b7c1d-2a3f-4e5d-8c9b-0a1b2c3d4e5f.md"),
        &contract_issue(
            "5e0b7c1d-2a3f-4e5d-8c9b-0a1b2c3d4e5f",
            "Half written",
            None,
            "visible",
        ),
    );
    repo.write(
        ".roadmap/db/transactions/9f2c4e61a0b7/broken.md",
        "no frontmatter",
    );
    repo.write(".roadmap/db/transactions/9f2c4e61a0b7/journal.json", "{}");
    repo.write(".roadmap/db/projection.db.stale", "");
    repo.write(".roadmap/db/canonical-write.lock", "{\"pid\": 1}");
    repo.write(".roadmap/db/projection.db", "SQLite format 3\0");
    repo.git(&["add", "-f", ".roadmap/db"]);
    repo.commit_all("a commit that took the tracker's db/ along");

    let synced = repo.roadmap_hooks(&["sync"]).success();
    assert!(!synced.stdout.contains("rebuilt"), "{}", synced.stdout);
    assert_eq!(repo.listed(&[]), before, "incremental: nothing from db/");
    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(repo.listed(&[]), before, "full rebuild: nothing from db/");
    let status = repo.roadmap_hooks(&["status"]).success();
    assert!(
        status.stdout.contains("invalid files: 0"),
        "{}",
        status.stdout
    );
    assert!(!status.stdout.contains("warning"), "{}", status.stdout);
    repo.assert_cache_matches_head(&[]);
}
