//! Two clones of a 0.2-contract workspace, as a team works: one closes an issue on a branch and
//! merges it; the other pulls, with its cache stale (no hooks) or deleted, and reads the closed
//! issue at once, through our own commands and 0.3.1's reads served by ours alike, without a
//! byte of the working tree rewritten.

use crate::common::{TestRepo, copy_fixture, git_with_env};
use std::fs;
use std::path::Path;

const RELEASE: &str = "49593224-6679-4a77-a10f-d8fa6a9495e9";

/// Closes the issue the way 0.3.1's `issue close` writes it: status, `updated`, `actual_end_date`
/// and a `closed` event appended to `history`.
fn close_as_the_tracker_does(dir: &Path) {
    let path = dir.join(format!(".roadmap/issues/{RELEASE}.md"));
    let text = fs::read_to_string(&path).unwrap();
    let at = "'2026-12-07T09:00:00.000000+00:00'";
    let closed = text
        .replace("status: todo\n", "status: closed\n")
        .replace(
            "updated: '2026-12-06T22:23:58.170809+00:00'",
            &format!("updated: {at}"),
        )
        .replace(
            "actual_end_date: null\n",
            &format!("actual_end_date: {at}\n"),
        )
        .replace(
            "  reason: null\n---\n",
            &format!("  reason: null\n- action: closed\n  at: {at}\n  reason: shipped\n---\n"),
        );
    assert_ne!(closed, text);
    fs::write(path, closed).unwrap();
}

/// What `roadmap list --all --format json` in `dir` says of the issue's status.
fn status_in(repo: &TestRepo, dir: &Path) -> String {
    let run = repo
        .run_in(dir, "roadmap", &["list", "--all", "--format", "json"])
        .success();
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let issue = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|issue| issue["id"] == RELEASE)
        .expect("the issue is listed");
    issue["status"].as_str().unwrap().to_owned()
}

/// What 0.3.1's reads through ours in `dir` say of the issue (served from the cache: no
/// tracker is installed, so a forwarded read would fail): its status in `issue view` and
/// `issue list`, and the closed counts of its milestone and project.
fn tracker_reads_in(repo: &TestRepo, dir: &Path, status: &str, closed: &str) {
    let read = |args: &[&str]| repo.run_in(dir, "roadmap", args).success().stdout;
    let view: serde_json::Value =
        serde_json::from_str(&read(&["issue", "view", RELEASE, "--format", "json"])).unwrap();
    assert_eq!(view["record"]["issue"]["status"], status, "issue view");
    let listed = read(&["issue", "list", "--format", "csv"]);
    assert!(
        listed.contains(&format!("{RELEASE},Release v0-1,high,{status},")),
        "issue list: {listed}"
    );
    let milestone = read(&["milestone", "view", "v0-1"]);
    assert!(
        milestone.contains(&format!("Issues: {closed} closed\n"))
            && milestone.contains(&format!("- [{RELEASE}] Release v0-1 ({status}, high)\n")),
        "milestone view: {milestone}"
    );
    let project = read(&["project", "view", "1395403a"]);
    assert!(
        project.contains(&format!("Issues: {closed} closed\n")),
        "project view: {project}"
    );
}

#[test]
fn a_teammates_close_shows_after_a_pull_with_a_stale_or_deleted_cache() {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-0.3.1");
    repo.commit_all("the plan");
    let teammate = repo.sibling("teammate");
    git_with_env(
        repo.root.parent().unwrap(),
        &["clone", "-q", "repo", "teammate"],
        &[],
    )
    .success();
    assert_eq!(
        status_in(&repo, &teammate),
        "todo",
        "the teammate's cache, built now"
    );
    tracker_reads_in(&repo, &teammate, "todo", "1/6");

    repo.git(&["switch", "-q", "-c", "close-release"]);
    close_as_the_tracker_does(&repo.root);
    repo.commit_all("close the release issue");
    repo.git(&["switch", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "close-release"]);

    // No hooks in the teammate's clone: the pull leaves its cache behind HEAD.
    git_with_env(
        &teammate,
        &["pull", "-q", "--no-rebase", "origin", "main"],
        &[],
    )
    .success();
    assert_eq!(status_in(&repo, &teammate), "closed", "stale cache");
    tracker_reads_in(&repo, &teammate, "closed", "2/6");
    let shown = repo
        .run_in(&teammate, "roadmap", &["show", &RELEASE[..8]])
        .success();
    assert!(shown.stdout.contains("status: closed"), "{}", shown.stdout);
    assert!(
        shown.stdout.contains(" closed: shipped\n"),
        "{}",
        shown.stdout
    );

    fs::remove_dir_all(teammate.join(".git/roadmap")).unwrap();
    assert_eq!(status_in(&repo, &teammate), "closed", "deleted cache");
    fs::remove_dir_all(teammate.join(".git/roadmap")).unwrap();
    tracker_reads_in(&repo, &teammate, "closed", "2/6");
    assert_eq!(
        repo.git_in(
            &teammate,
            &["status", "--porcelain", "--untracked-files=all"]
        ),
        "",
        "reads rewrote nothing"
    );
}

/// The served reads (no tracker is installed: a forwarded read would fail otherwise), each with
/// the exit status and the stderr it gave.
const READS: &[&[&str]] = &[
    &["issue", "list", "--format", "csv"],
    &["issue", "view", RELEASE],
    &["status"],
    &["milestone", "list"],
    &["milestone", "view", "v0-1"],
    &["project", "list"],
    &["project", "view", "1395403a"],
    &["today"],
];

/// A merge that leaves a conflict in an issue's Markdown body (0.3.1 would show the record as
/// if it were fine) makes every served read refuse, naming the file and the line; once the
/// conflict is resolved and committed, they answer again.
#[test]
fn a_body_conflict_left_by_a_merge_is_refused_until_it_is_resolved() {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-0.3.1");
    repo.git(&["config", "user.name", "ada"]);
    repo.commit_all("the plan");
    let path = format!(".roadmap/issues/{RELEASE}.md");
    let text = fs::read_to_string(repo.root.join(&path)).unwrap();
    let with_body = |body: &str| text.replace("\nTag and publish.", &format!("\n{body}"));
    repo.git(&["switch", "-q", "-c", "wording"]);
    repo.write(&path, &with_body("Tag, sign and publish."));
    repo.commit_all("reword the release steps");
    repo.git(&["switch", "-q", "main"]);
    repo.write(&path, &with_body("Tag and publish to PyPI."));
    repo.commit_all("name the index");
    let merge = repo.try_git(&["merge", "-q", "--no-edit", "wording"]);
    assert_ne!(merge.status, 0, "the merge leaves a conflict: {merge:?}");
    let conflicted = fs::read_to_string(repo.root.join(&path)).unwrap();
    let (front, _) = conflicted.rsplit_once("\n---\n").unwrap();
    assert!(
        !front.contains("<<<<<<<"),
        "the front matter merged cleanly"
    );

    let file = repo.root.canonicalize().unwrap().join(&path);
    for args in READS {
        let got = repo.roadmap(args);
        assert_eq!(
            (got.status, got.stdout.as_str()),
            (1, ""),
            "`{}` on a body conflict: {got:?}",
            args.join(" ")
        );
        let line = conflicted
            .lines()
            .position(|l| l.starts_with("<<<<<<<"))
            .unwrap()
            + 1;
        assert_eq!(
            got.stderr,
            format!(
                "Error: unresolved git conflict markers in {} (line {line}); resolve the conflict and commit\n",
                file.display()
            ),
            "`{}`",
            args.join(" ")
        );
    }

    repo.write(&path, &with_body("Tag, sign and publish to PyPI."));
    repo.git(&["add", &path]);
    repo.git(&["commit", "-q", "--no-edit"]);
    for args in READS {
        let got = repo.roadmap(args);
        assert_eq!(got.status, 0, "`{}` once resolved: {got:?}", args.join(" "));
    }
    let view = repo.roadmap(&["issue", "view", RELEASE]).stdout;
    assert!(view.contains("Tag, sign and publish to PyPI."), "{view}");

    // A hunk left in a milestone's body (by hand here, uncommitted) stops every read too: each
    // of them reads the milestones.
    let milestone = ".roadmap/milestones/69f8159d-e5ca-480e-8a16-3e71a8b5d8e3.md";
    let text = fs::read_to_string(repo.root.join(milestone)).unwrap();
    let hunk = "<<<<<<< HEAD\nFirst release\n=======\nFirst usable release\n>>>>>>> wording\n";
    repo.write(milestone, &text.replace("First usable release", hunk));
    let line = fs::read_to_string(repo.root.join(milestone))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("<<<<<<<"))
        .unwrap()
        + 1;
    let file = repo.root.canonicalize().unwrap().join(milestone);
    for args in READS {
        let got = repo.roadmap(args);
        assert_eq!(
            (got.status, got.stderr.clone()),
            (
                1,
                format!(
                    "Error: unresolved git conflict markers in {} (line {line}); resolve the conflict and commit\n",
                    file.display()
                )
            ),
            "`{}` on a milestone's body conflict: {got:?}",
            args.join(" ")
        );
    }
    repo.write(milestone, &text);
    for args in READS {
        assert_eq!(
            repo.roadmap(args).status,
            0,
            "`{}` once restored",
            args.join(" ")
        );
    }
}
