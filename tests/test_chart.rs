//! `roadmap chart`: charts of the plan's history from the event log, the log's backfill
//! (interrupted and resumed), rewritten history, and random histories replayed against the
//! files of every commit.

use crate::common::{TestRepo, binary, hermetic};
use crate::corpus::Rng;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

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
    let repo = TestRepo::new();
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

#[test]
fn a_rebase_dropping_commits_leaves_no_double_counted_events() {
    let repo = small_history();
    let before = events(&repo);
    let dropped = repo.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
    let rewritten = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    assert!(before.iter().any(|e| e.0 == dropped));
    // Drop "Add 5, review 4"; "Close 3" after it becomes a new commit.
    git_on_day(&repo, 20, &["rebase", "-q", "--onto", "HEAD~2", "HEAD~1"]);
    let backfill = repo.roadmap(&["chart", "backfill"]).success();
    assert_eq!(
        backfill.stdout,
        "1 commits read into the event log (2 dropped: no longer on HEAD's line)\n"
    );
    let (after, afresh) = events_and_derived_afresh(&repo);
    assert_eq!(after, afresh);
    assert!(after.iter().all(|e| e.0 != dropped && e.0 != rewritten));
    assert!(after.iter().all(|e| e.1 != "00000005"));
    // Each close counted once, the rewritten one included.
    let closes: Vec<&str> = after
        .iter()
        .filter(|e| e.2 == "status" && e.4 == "closed")
        .map(|e| e.1.as_str())
        .collect();
    assert_eq!(closes, ["00000001", "00000002", "00000003"]);
    let throughput = repo.roadmap(&["chart", "throughput"]).success();
    assert!(
        throughput.stdout.contains("closed (3 in all)"),
        "{}",
        throughput.stdout
    );
}

#[test]
fn a_forced_reset_to_other_commits_follows_head() {
    let repo = small_history();
    events(&repo);
    repo.git(&["reset", "-q", "--hard", "HEAD~4"]);
    Issue::new("00000006", "Task 6", Some("v1"), Some(6)).write(&repo, None);
    commit(&repo, 30, "Another past");
    let (after, afresh) = events_and_derived_afresh(&repo);
    assert_eq!(after, afresh);
    assert!(after.iter().any(|e| e.1 == "00000006"));
    assert!(after.iter().all(|e| e.1 != "00000005"));
}

/// A history of `commits` commits made with `git fast-import`, each changing one issue.
fn long_history(repo: &TestRepo, commits: usize) {
    let mut stream = String::new();
    for n in 0..commits {
        let mut issue = Issue::new(&format!("{:08x}", n % 40), "Task", Some("v1"), Some(1));
        issue.status = ["todo", "in-progress", "closed"][n / 40 % 3];
        let body = issue.render();
        let time = EPOCH_2025 + i64::try_from(n).unwrap() * 3_600;
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@example.com> {time} +0000\ndata 2\nc\n"
        ));
        stream.push_str(&format!(
            "M 100644 inline {}\ndata {}\n{body}\n",
            issue.path(),
            body.len()
        ));
    }
    let mut command = Command::new("git");
    hermetic(&mut command)
        .args(["fast-import", "--quiet"])
        .current_dir(&repo.root)
        .stdin(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
}

#[test]
fn an_interrupted_backfill_resumes_where_its_last_batch_ended() {
    let repo = TestRepo::new();
    long_history(&repo, 250);
    let mut command = Command::new(binary("roadmap"));
    hermetic(&mut command)
        .args(["chart", "backfill"])
        .current_dir(&repo.root)
        .env("ROADMAP_HOOKS_TEST_PAUSE", "history-batch-1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("test pause at history-batch-1"), "{line}");
    child.kill().unwrap();
    child.wait().unwrap();
    // The first batch was kept: the next run reads only the rest.
    let resumed = repo.roadmap(&["chart", "backfill"]).success();
    let read: usize = resumed.stdout.split(' ').next().unwrap().parse().unwrap();
    assert!(read < 250 && read > 0, "{}", resumed.stdout);
    let (after, afresh) = events_and_derived_afresh(&repo);
    assert_eq!(after.len(), afresh.len());
    assert_eq!(after, afresh);
}

/// Random histories (moves between milestones, archiving, deletes, reverts, merges): replaying
/// the event log up to each commit of HEAD's first-parent line gives the issues of that commit;
/// and again after the history is rewritten (reset back, other commits made on top).
#[test]
fn replaying_the_events_gives_the_issues_of_every_commit() {
    for seed in 1..=24 {
        let repo = TestRepo::new();
        let mut history = RandomHistory::start(&repo, seed);
        history.steps(&repo, 12);
        check_replay(&repo, seed);
        repo.git(&["reset", "-q", "--hard", "HEAD~3"]);
        history.live = read_back(&repo);
        history.steps(&repo, 5);
        check_replay(&repo, seed);
    }
}

/// A generator of random histories and what it has written so far.
struct RandomHistory {
    rng: Rng,
    live: BTreeMap<String, Issue>,
    next_id: usize,
    day: i64,
    branches: usize,
}

impl RandomHistory {
    fn start(repo: &TestRepo, seed: u64) -> Self {
        let mut history = RandomHistory {
            rng: Rng::new(seed),
            live: BTreeMap::new(),
            next_id: 0,
            day: 0,
            branches: 0,
        };
        for _ in 0..3 {
            history.next_id += 1;
            let id = format!("{:08x}", history.next_id);
            let issue = Issue::new(&id, "First", Some("v1"), Some(2));
            issue.write(repo, None);
            history.live.insert(issue.id.clone(), issue);
        }
        commit(repo, 0, "start");
        history
    }

    fn steps(&mut self, repo: &TestRepo, steps: usize) {
        let RandomHistory {
            rng,
            live,
            next_id,
            day,
            branches,
        } = self;
        random_steps(repo, rng, live, next_id, day, branches, steps);
    }
}

fn random_steps(
    repo: &TestRepo,
    rng: &mut Rng,
    live: &mut BTreeMap<String, Issue>,
    next_id: &mut usize,
    day: &mut i64,
    branches: &mut usize,
    steps: usize,
) {
    let milestones = [Some("v1"), Some("v2"), None];
    let statuses = ["todo", "in-progress", "blocked", "review", "closed"];
    for _ in 0..steps {
        *day += 1;
        match rng.below(10) {
            // A merge of a side branch that adds issues and edits them there.
            0 | 1 => {
                *branches += 1;
                let side = format!("side{branches}");
                repo.git(&["checkout", "-q", "-b", &side]);
                *next_id += 1;
                let mut issue = Issue::new(
                    &format!("{next_id:08x}"),
                    "Side",
                    *rng.pick(&milestones),
                    Some(3),
                );
                issue.write(repo, None);
                commit(repo, *day, "side adds");
                issue.status = *rng.pick(&statuses);
                issue.write(repo, None);
                commit(repo, *day, "side edits");
                repo.git(&["checkout", "-q", "main"]);
                *day += 1;
                edit_one(repo, rng, live, &statuses, &milestones);
                commit(repo, *day, "main meanwhile");
                git_on_day(repo, *day, &["merge", "-q", "--no-ff", "--no-edit", &side]);
                live.insert(issue.id.clone(), issue);
            }
            // A revert of the commit before, when it is no merge.
            2 => {
                let parents = repo.git(&["rev-list", "--parents", "-n1", "HEAD"]);
                if parents.split_whitespace().count() == 2 {
                    git_on_day(repo, *day, &["revert", "--no-edit", "HEAD"]);
                    *live = read_back(repo);
                }
            }
            3 => {
                let Some(id) = live.keys().nth(rng.below(live.len())).cloned() else {
                    continue;
                };
                let issue = live.remove(&id).unwrap();
                repo.remove(&issue.path());
                commit(repo, *day, "delete");
            }
            4 => {
                *next_id += 1;
                let mut issue = Issue::new(
                    &format!("{next_id:08x}"),
                    "New",
                    *rng.pick(&milestones),
                    Some(1),
                );
                issue.assignee = Some("alice");
                issue.write(repo, None);
                live.insert(issue.id.clone(), issue);
                commit(repo, *day, "add");
            }
            _ => {
                for _ in 0..=rng.below(2) {
                    edit_one(repo, rng, live, &statuses, &milestones);
                }
                commit(repo, *day, "edit");
            }
        }
    }
}

/// Changes one live issue: its status, its milestone (a move between folders), its estimate,
/// its title, or archives it (a move under `archive/`).
fn edit_one(
    repo: &TestRepo,
    rng: &mut Rng,
    live: &mut BTreeMap<String, Issue>,
    statuses: &[&'static str],
    milestones: &[Option<&str>],
) {
    let Some(id) = live.keys().nth(rng.below(live.len())).cloned() else {
        return;
    };
    let issue = live.get_mut(&id).unwrap();
    let old_path = issue.path();
    match rng.below(5) {
        0 => issue.milestone = rng.pick(milestones).map(str::to_owned),
        1 => issue.estimate = Some(u32::try_from(rng.below(8)).unwrap()),
        2 => issue.title = format!("Renamed {}", rng.below(100)),
        3 => issue.archived = !issue.archived,
        _ => issue.status = *rng.pick(statuses),
    }
    issue.write(repo, Some(&old_path));
}

/// The issues of the working tree after a revert, as the generator writes them next.
fn read_back(repo: &TestRepo) -> BTreeMap<String, Issue> {
    let mut issues = BTreeMap::new();
    for issue in repo.scanned().as_array().unwrap() {
        let status = ["todo", "in-progress", "blocked", "review", "closed"]
            .into_iter()
            .find(|s| issue["status"] == *s)
            .unwrap();
        let mut read = Issue::new(
            issue["id"].as_str().unwrap(),
            issue["title"].as_str().unwrap(),
            issue["milestone"].as_str(),
            issue["estimated_hours"].as_f64().map(|e| e as u32),
        );
        read.status = status;
        read.assignee = issue["assignee"].as_str().map(|_| "alice");
        read.archived = issue["path"].as_str().unwrap().contains("/archive/");
        issues.insert(read.id.clone(), read);
    }
    issues
}

/// The followed fields of each issue of a scan (the files of the working tree).
fn scanned_fields(repo: &TestRepo) -> BTreeMap<String, BTreeMap<String, Option<String>>> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    repo.scanned()
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| {
            let fields = BTreeMap::from([
                ("status".to_owned(), text(&issue["status"])),
                ("milestone".to_owned(), text(&issue["milestone"])),
                ("priority".to_owned(), text(&issue["priority"])),
                ("assignee".to_owned(), text(&issue["assignee"])),
                ("title".to_owned(), text(&issue["title"])),
                ("archived".to_owned(), Some(issue["archived"].to_string())),
                (
                    "estimate".to_owned(),
                    issue["estimated_hours"].as_f64().map(|e| e.to_string()),
                ),
            ]);
            (issue["id"].as_str().unwrap().to_owned(), fields)
        })
        .collect()
}

fn check_replay(repo: &TestRepo, seed: u64) {
    let events = events(repo);
    let line = repo.git(&["rev-list", "--first-parent", "--reverse", "HEAD"]);
    let mut state: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    let mut next = events.iter().peekable();
    for commit in line.lines() {
        while let Some((_, issue, field, _, new)) = next.next_if(|e| e.0 == commit) {
            state
                .entry(issue.clone())
                .or_default()
                .insert(field.clone(), new.as_str().map(str::to_owned));
        }
        let replayed: BTreeMap<String, BTreeMap<String, Option<String>>> = state
            .iter()
            .filter(|(_, fields)| fields.get("exists") == Some(&Some("1".to_owned())))
            .map(|(id, fields)| {
                let kept = [
                    "status",
                    "milestone",
                    "priority",
                    "assignee",
                    "title",
                    "archived",
                    "estimate",
                ]
                .iter()
                .map(|f| ((*f).to_owned(), fields.get(*f).cloned().flatten()))
                .collect();
                (id.clone(), kept)
            })
            .collect();
        repo.git(&["checkout", "-q", "--detach", commit]);
        assert_eq!(
            replayed,
            scanned_fields(repo),
            "seed {seed}, commit {commit}"
        );
    }
    assert!(
        next.next().is_none(),
        "seed {seed}: every event belongs to HEAD's line"
    );
    repo.git(&["checkout", "-q", "main"]);
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
