//! `roadmap chart`: charts of the plan's history from the event log, on both tracker lines.
//!
//! - `rewrites`: rebases and resets leave the events a log derived from nothing holds; a
//!   backfill killed after a batch resumes there;
//! - `replay`: random histories replayed up to every first-parent commit equal its files;
//! - `formats`: SHA-256 and reftable repositories chart what a SHA-1 one does, and a commit
//!   adding many issues (read on all cores) replays to its files.

mod formats;
mod replay;
mod rewrites;

use crate::common::{RepoFormat, TestRepo, binary, hermetic};
use serde_json::Value;
use std::process::Command;

/// 2025-01-01T00:00:00Z.
const EPOCH_2025: i64 = 1_735_689_600;

/// An issue file of the legacy layout, with the fields the charts read.
#[derive(Clone)]
struct Issue {
    id: String,
    title: String,
    status: &'static str,
    milestone: Option<String>,
    estimate: Option<u32>,
    assignee: Option<&'static str>,
    archived: bool,
}

impl Issue {
    fn new(id: &str, title: &str, milestone: Option<&str>, estimate: Option<u32>) -> Self {
        Issue {
            id: id.to_owned(),
            title: title.to_owned(),
            status: "todo",
            milestone: milestone.map(str::to_owned),
            estimate,
            assignee: None,
            archived: false,
        }
    }

    fn path(&self) -> String {
        let root = if self.archived {
            ".roadmap/archive/issues"
        } else {
            ".roadmap/issues"
        };
        let folder = self.milestone.as_deref().unwrap_or("backlog");
        format!("{root}/{folder}/{}-issue.md", self.id)
    }

    fn render(&self) -> String {
        let milestone = self
            .milestone
            .as_deref()
            .map_or("null".to_owned(), |m| format!("'{m}'"));
        let estimate = self
            .estimate
            .map_or("null".to_owned(), |e| format!("{e}.0"));
        format!(
            "---\nid: {}\ntitle: {}\npriority: medium\nstatus: {}\narchived: false\nissue_type: other\n\
             milestone: {milestone}\nlabels: []\ncreated: '2025-01-01T00:00:00+00:00'\nassignee: {}\n\
             estimated_hours: {estimate}\n---\n\nBody.\n",
            self.id,
            self.title,
            self.status,
            self.assignee.unwrap_or("null"),
        )
    }

    /// Writes the file, removing the one it had at `old_path` if that differs.
    fn write(&self, repo: &TestRepo, old_path: Option<&str>) {
        if let Some(old) = old_path.filter(|old| *old != self.path()) {
            repo.remove(old);
        }
        repo.write(&self.path(), &self.render());
    }
}

/// Commits everything with author and committer date `day` days after 2025-01-01 (noon UTC).
fn commit(repo: &TestRepo, day: i64, message: &str) {
    repo.git(&["add", "-A", "."]);
    git_on_day(repo, day, &["commit", "-q", "--allow-empty", "-m", message]);
}

fn git_on_day(repo: &TestRepo, day: i64, args: &[&str]) {
    let date = format!("{} +0000", EPOCH_2025 + day * 86_400 + 43_200);
    repo.try_git_with_env(
        &repo.root,
        args,
        &[("GIT_AUTHOR_DATE", &date), ("GIT_COMMITTER_DATE", &date)],
    )
    .success();
}

/// A milestone `v1` burning down over three weeks, and a backlog issue.
fn small_history() -> TestRepo {
    small_history_in(RepoFormat::from_env())
}

/// [`small_history`] in a repository of `format`.
fn small_history_in(format: RepoFormat) -> TestRepo {
    let repo = TestRepo::with_format(format);
    let mut issues: Vec<Issue> = (1..=4)
        .map(|n| {
            Issue::new(
                &format!("0000000{n}"),
                &format!("Task {n}"),
                Some("v1"),
                Some(n),
            )
        })
        .collect();
    let backlog = Issue::new("00000009", "Someday", None, None);
    for issue in &issues {
        issue.write(&repo, None);
    }
    backlog.write(&repo, None);
    commit(&repo, 0, "Plan v1");
    let mut change = |repo: &TestRepo, index: usize, status: &'static str| {
        issues[index].status = status;
        issues[index].write(repo, None);
    };
    change(&repo, 0, "in-progress");
    commit(&repo, 2, "Start 1");
    change(&repo, 0, "closed");
    commit(&repo, 4, "Close 1");
    change(&repo, 1, "closed");
    change(&repo, 2, "blocked");
    commit(&repo, 8, "Close 2, block 3");
    Issue::new("00000005", "Task 5", Some("v1"), Some(5)).write(&repo, None);
    change(&repo, 3, "review");
    commit(&repo, 10, "Add 5, review 4");
    change(&repo, 2, "closed");
    commit(&repo, 15, "Close 3");
    repo
}

#[test]
fn burndown_flow_and_throughput_piped_are_plain_text_fitted_to_80_columns() {
    let repo = small_history();
    for (name, args) in [
        ("burndown", &["chart", "burndown", "-m", "v1"][..]),
        ("flow", &["chart", "flow"][..]),
        ("throughput", &["chart", "throughput"][..]),
    ] {
        let run = repo.roadmap(args).success();
        assert!(!run.stdout.contains('\x1b'), "{name}: no colour when piped");
        assert!(run.stderr.is_empty(), "{name}: {}", run.stderr);
        assert!(
            run.stdout.lines().all(|line| line.chars().count() <= 80),
            "{name} fits 80 columns:\n{}",
            run.stdout
        );
        insta::assert_snapshot!(format!("chart_{name}"), run.stdout);
    }
}

#[test]
fn a_chart_fits_the_width_it_is_given() {
    let repo = small_history();
    let mut command = Command::new(binary("roadmap"));
    hermetic(&mut command)
        .args(["chart", "flow"])
        .current_dir(&repo.root)
        .env("COLUMNS", "50");
    let output = command.output().expect("run roadmap");
    let text = String::from_utf8_lossy(&output.stdout);
    let plot: Vec<&str> = text.lines().filter(|l| l.contains(" |")).collect();
    assert!(!plot.is_empty(), "{text}");
    assert!(plot.iter().all(|l| l.chars().count() <= 50), "{text}");
    assert!(plot.iter().any(|l| l.chars().count() > 40), "{text}");
}

#[test]
fn svg_is_a_self_contained_document_with_axes_and_a_legend() {
    let repo = small_history();
    let file = repo.root.join("flow.svg");
    let run = repo.roadmap(&["chart", "flow", "--svg", file.to_str().unwrap()]);
    let run = run.success();
    assert!(run.stdout.is_empty());
    let svg = std::fs::read_to_string(&file).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    for label in [
        "commit date (UTC)",
        ">issues<",
        ">todo<",
        ">closed<",
        ">blocked<",
        "2025-01-01",
    ] {
        assert!(svg.contains(label), "the SVG shows {label}");
    }
    assert!(!svg.contains("href"), "nothing to fetch");
}

#[test]
fn a_milestone_no_issue_was_ever_in_is_a_one_line_user_error() {
    let repo = small_history();
    let run = repo.roadmap(&["chart", "burndown", "-m", "v9"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .starts_with("roadmap: error: no issue was ever in milestone `v9`"),
        "{}",
        run.stderr
    );
    let unwritable = repo.roadmap(&["chart", "flow", "--svg", "/nonexistent/dir/x.svg"]);
    assert_eq!(unwritable.status, 1);
    assert!(unwritable.stderr.contains("/nonexistent/dir/x.svg"));
}

/// One event as `(commit, issue, field, old, new)`.
type Event = (String, String, String, Value, Value);

#[test]
fn chart_is_ours_so_a_mistyped_flag_is_a_usage_error_not_a_tracker_command() {
    let repo = small_history();
    let run = repo.roadmap(&["chart", "flow", "--bogus"]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("--bogus"), "{}", run.stderr);
    assert!(!run.stderr.contains("pipx install"), "{}", run.stderr);
}

/// The events, in order.
fn events(repo: &TestRepo) -> Vec<Event> {
    let run = repo
        .roadmap(&["chart", "events", "--format", "json"])
        .success();
    let parsed: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    parsed
        .into_iter()
        .map(|e| {
            (
                e["commit"].as_str().unwrap().to_owned(),
                e["issue"].as_str().unwrap().to_owned(),
                e["field"].as_str().unwrap().to_owned(),
                e["old"].clone(),
                e["new"].clone(),
            )
        })
        .collect()
}

/// The events the log holds now, and those a log derived from nothing holds.
fn events_and_derived_afresh(repo: &TestRepo) -> (Vec<Event>, Vec<Event>) {
    let kept = events(repo);
    let git_dir = repo.git(&["rev-parse", "--absolute-git-dir"]);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}/roadmap/history.db{suffix}", git_dir.trim()));
    }
    (kept, events(repo))
}

/// A 0.2-contract issue file (roadmap-cli 0.3.1's keys), naming its milestone by id.
fn contract_issue(id: &str, status: &str, retention: &str) -> String {
    format!(
        "---\nschema_version: 1\nid: {id}\ncreated: '2026-12-01T10:00:00.000000+00:00'\n\
         updated: '2026-12-01T10:00:00.000000+00:00'\nretention: {retention}\ntitle: Task {id}\n\
         headline: ''\npriority: medium\nstatus: {status}\nissue_type: other\nmilestone: m1aaaaaa\n\
         depends_on: []\nblocks: []\nlabels: []\nassignee: null\nestimated_hours: 2.0\n\
         due_date: null\nprogress_percentage: null\nactual_start_date: null\n\
         actual_end_date: null\ngit_branches: []\ncomments: []\nhistory: []\n---\n"
    )
}

#[test]
fn on_the_contract_line_a_burndown_takes_the_milestone_name_or_id_and_retention_archives() {
    let repo = TestRepo::new();
    repo.write(
        ".roadmap/config.yaml",
        "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  default_project_id: null\n",
    );
    repo.write(
        ".roadmap/milestones/m1aaaaaa.md",
        "---\nschema_version: 1\nid: m1aaaaaa\ncreated: '2026-12-01T10:00:00.000000+00:00'\n\
         updated: '2026-12-01T10:00:00.000000+00:00'\nretention: visible\nname: v1-0\n\
         headline: ''\nstatus: open\nproject_id: null\ndue_date: null\n---\n",
    );
    for id in ["c0000001", "c0000002"] {
        repo.write(
            &format!(".roadmap/issues/{id}.md"),
            &contract_issue(id, "todo", "visible"),
        );
    }
    commit(&repo, 0, "plan");
    repo.write(
        ".roadmap/issues/c0000001.md",
        &contract_issue("c0000001", "closed", "visible"),
    );
    repo.write(
        ".roadmap/issues/c0000002.md",
        &contract_issue("c0000002", "todo", "archived"),
    );
    commit(&repo, 7, "close one, archive the other");
    for milestone in ["v1-0", "m1aaaaaa"] {
        let run = repo
            .roadmap(&["chart", "burndown", "-m", milestone])
            .success();
        assert!(
            run.stdout.contains("# open issues (now 0)"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("# open estimate (now 0)"),
            "{}",
            run.stdout
        );
    }
    let changes: Vec<(String, String, Value)> = events(&repo)
        .into_iter()
        .filter(|e| e.3 != Value::Null)
        .map(|e| (e.1, e.2, e.4))
        .collect();
    assert_eq!(
        changes,
        [
            ("c0000001".into(), "status".into(), Value::from("closed")),
            ("c0000002".into(), "archived".into(), Value::from("true")),
        ]
    );
    let throughput = repo.roadmap(&["chart", "throughput"]).success();
    assert!(
        throughput.stdout.contains("closed (1 in all)"),
        "{}",
        throughput.stdout
    );
}
