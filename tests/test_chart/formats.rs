//! Charts on every repository format: a SHA-256 repository (which libgit2 cannot read: its line
//! is listed and its trees diffed by the git command line) and a reftable one chart what a SHA-1
//! repository does for the same history; and a commit adding many issues, read on all cores,
//! gives the events of each of its files.

use super::replay::check_replay;
use super::{Issue, commit, events, small_history_in};
use crate::common::{RepoFormat, TestRepo};
use serde_json::Value;

/// Issues added in one commit: more than the walk reads on one thread.
const MANY: usize = 300;

/// [`small_history_in`] `format`, then a commit adding [`MANY`] issues and one editing a few.
fn history_with_an_import(format: RepoFormat) -> TestRepo {
    let repo = small_history_in(format);
    let statuses = ["todo", "in-progress", "blocked", "review", "closed"];
    let mut imported: Vec<Issue> = (0..MANY)
        .map(|n| {
            let milestone = [Some("v1"), Some("v2"), None][n % 3];
            let estimate = u32::try_from(n % 4).unwrap();
            let mut issue = Issue::new(
                &format!("a{n:07x}"),
                &format!("Imported {n}"),
                milestone,
                Some(estimate),
            );
            issue.status = statuses[n % statuses.len()];
            issue.assignee = (n % 2 == 0).then_some("alice");
            issue
        })
        .collect();
    for issue in &imported {
        issue.write(&repo, None);
    }
    commit(&repo, 20, "Import");
    for issue in imported.iter_mut().take(7) {
        issue.status = "closed";
        issue.write(&repo, None);
    }
    commit(&repo, 22, "Close seven imported");
    repo
}

/// An event without its commit id: `(issue, field, old, new)`.
type Change = (String, String, Value, Value);

/// What a chart prints and the events without their commit ids (the ids differ by hash).
fn charted(repo: &TestRepo) -> (Vec<String>, Vec<Change>) {
    let charts = [
        &["chart", "burndown", "-m", "v1"][..],
        &["chart", "burndown", "-m", "v2"][..],
        &["chart", "flow"][..],
        &["chart", "throughput"][..],
    ]
    .iter()
    .map(|args| repo.roadmap(args).success().stdout)
    .collect();
    let events = events(repo)
        .into_iter()
        .map(|(_, issue, field, old, new)| (issue, field, old, new))
        .collect();
    (charts, events)
}

#[test]
fn sha256_and_reftable_repositories_chart_what_a_sha1_one_does() {
    let sha1 = history_with_an_import(RepoFormat::Files);
    let expected = charted(&sha1);
    let opened = expected.1.iter().filter(|e| e.1 == "exists").count();
    assert_eq!(opened, MANY + 6, "one `exists` event per issue ever added");
    assert!(
        expected.0[2].contains("closed"),
        "the flow shows closed issues:\n{}",
        expected.0[2]
    );
    for format in [RepoFormat::Sha256, RepoFormat::Reftable] {
        let repo = history_with_an_import(format);
        let got = charted(&repo);
        assert_eq!(got.0, expected.0, "{format:?}: the charts");
        assert_eq!(got.1, expected.1, "{format:?}: the events");
        // Extended by one commit, as a chart after a new commit does.
        repo.write(
            ".roadmap/issues/backlog/00000009-issue.md",
            &Issue::new("00000009", "Someday, now", None, None).render(),
        );
        commit(&repo, 30, "Rename");
        let added = repo.roadmap(&["chart", "backfill"]).success();
        assert!(
            added.stdout.starts_with("1 commits read"),
            "{format:?}: {}",
            added.stdout
        );
        let last = events(&repo).pop().unwrap();
        assert_eq!(
            (last.1.as_str(), last.2.as_str(), last.4),
            ("00000009", "title", Value::from("Someday, now")),
            "{format:?}"
        );
    }
}

#[test]
fn a_commit_adding_many_issues_replays_to_its_files() {
    let repo = history_with_an_import(RepoFormat::from_env());
    check_replay(&repo, 0);
}
