//! Random histories (merges, moves between milestones, archiving, deletes, reverts, then a
//! rewrite): the event log replayed up to each commit of HEAD's first-parent line gives the
//! issues of that commit, as `roadmap-hooks scan` reads them from its checkout.

use super::{Issue, commit, events, git_on_day};
use crate::common::TestRepo;
use crate::corpus::Rng;
use serde_json::Value;
use std::collections::BTreeMap;

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

pub(super) fn check_replay(repo: &TestRepo, seed: u64) {
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
