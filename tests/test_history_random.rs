//! Property tests of the history commands on random histories: issues opened, changed,
//! retitled (a rename), moved between milestone folders, archived, deleted; branches merged;
//! commits reverted. On each history:
//!
//! - `roadmap list --at REV` equals a full rebuild at REV (a second clone checked out there);
//! - `roadmap diff A..B` equals the difference of the rebuilds at A and at B.
//!
//! Seeded: `ROADMAP_HISTORY_SEEDS=N` runs N histories (30 by default), and a failure names
//! its seed.

use crate::common::{IssueSpec, TestRepo};
use crate::history_common::rebuilt_at;
use serde_json::Value;
use std::collections::BTreeMap;

/// A small xorshift generator: the same seed gives the same history.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The issues of the working tree, read back from the files `IssueSpec` writes.
fn issues_in(repo: &TestRepo) -> Vec<IssueSpec> {
    let mut found = Vec::new();
    for root in [".roadmap/issues", ".roadmap/archive/issues"] {
        let Ok(folders) = std::fs::read_dir(repo.root.join(root)) else {
            continue;
        };
        for folder in folders.flatten() {
            for file in std::fs::read_dir(folder.path()).unwrap().flatten() {
                let text = std::fs::read_to_string(file.path()).unwrap();
                found.push(spec_of(&text, root.contains("archive")));
            }
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

fn spec_of(text: &str, archived: bool) -> IssueSpec {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .unwrap()
            .to_owned()
    };
    let title: String = serde_json::from_str(&field("title")).unwrap();
    let milestone = field("milestone");
    let mut spec = IssueSpec::new(&field("id"), &title)
        .status(&field("status"))
        .priority(&field("priority"));
    if milestone != "null" {
        spec = spec.milestone(milestone.trim_matches('\''));
    }
    spec.archived = archived;
    spec.body = text.split_once("---\n\n").unwrap().1.trim_end().to_owned();
    spec
}

/// Replaces `old` by `new` in the working tree (a move when the path changes).
fn rewrite(repo: &TestRepo, old: &IssueSpec, new: &IssueSpec) {
    repo.remove(&old.path());
    repo.write_issue(new);
}

/// One random step; `true` when it left something to commit.
fn step(repo: &TestRepo, rng: &mut Rng, seq: &mut u32, branches: &mut Vec<String>) -> bool {
    let issues = issues_in(repo);
    let any = |rng: &mut Rng| (!issues.is_empty()).then(|| rng.pick(&issues).clone());
    match rng.below(12) {
        0 | 1 => {
            *seq += 1;
            let title = format!("Issue {seq} {}", rng.pick(&["login", "search", "docs"]));
            repo.write_issue(&IssueSpec::new(
                &format!("{:08x}", 0xa000_0000u32 + *seq),
                &title,
            ));
        }
        2 => {
            let Some(old) = any(rng) else { return false };
            let status = rng.pick(&["todo", "in-progress", "blocked", "closed"]);
            rewrite(repo, &old, &old.clone().status(status));
        }
        3 => {
            let Some(old) = any(rng) else { return false };
            let priority = rng.pick(&["low", "medium", "high", "critical"]);
            rewrite(repo, &old, &old.clone().priority(priority));
        }
        4 => {
            let Some(old) = any(rng) else { return false };
            let title = format!("{} again", old.title);
            rewrite(
                repo,
                &old,
                &IssueSpec {
                    title,
                    ..old.clone()
                },
            );
        }
        5 => {
            let Some(old) = any(rng) else { return false };
            let mut new = old.clone();
            new.milestone = rng.pick(&[None, Some("v1"), Some("v2")]).map(str::to_owned);
            rewrite(repo, &old, &new);
        }
        6 => {
            let Some(old) = any(rng) else { return false };
            let mut new = old.clone();
            new.archived = !old.archived;
            rewrite(repo, &old, &new);
        }
        7 => {
            let Some(old) = any(rng) else { return false };
            repo.remove(&old.path());
        }
        8 => {
            *seq += 1;
            repo.write("src/code.txt", &format!("{seq}\n"));
        }
        9 => {
            // A new branch here, or a switch to another one.
            if branches.len() < 3 && rng.below(2) == 0 {
                let name = format!("b{}", branches.len());
                repo.git(&["checkout", "-q", "-b", &name]);
                branches.push(name);
            } else {
                let name = rng.pick(branches).clone();
                repo.git(&["checkout", "-q", &name]);
            }
            return false;
        }
        10 => {
            let other = rng.pick(branches).clone();
            let merged = repo.try_git(&[
                "merge", "-q", "--no-ff", "-X", "theirs", "-m", "merge", &other,
            ]);
            if merged.status != 0 {
                repo.git(&["merge", "--abort"]);
            }
            return false;
        }
        _ => {
            let parents = repo.git(&["rev-list", "--parents", "-n1", "HEAD"]);
            if parents.split_whitespace().count() == 2
                && repo.try_git(&["revert", "--no-edit", "HEAD"]).status != 0
            {
                let _ = repo.try_git(&["revert", "--abort"]);
            }
            return false;
        }
    }
    true
}

/// A random history of about `steps` steps; returns its commits, newest first.
fn random_history(repo: &TestRepo, seed: u64, steps: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut seq = 0;
    let mut branches = vec!["main".to_owned()];
    repo.write_issue(&IssueSpec::new("a0000000", "Seed issue"));
    repo.commit_all("start");
    for n in 0..steps {
        if step(repo, &mut rng, &mut seq, &mut branches) {
            repo.commit_all(&format!("step {n}"));
        }
    }
    let all = repo.git(&["rev-list", "--all"]);
    all.lines().map(str::to_owned).collect()
}

/// The fields `diff` reports that the test checks against the rebuilds, per issue.
const FIELDS: [&str; 5] = ["title", "status", "priority", "milestone", "archived"];

/// What `field_changes` means, computed from two rebuilds' JSON: `(field, old, new)` by id.
fn expected_diff(old: &Value, new: &Value) -> BTreeMap<String, Vec<(String, Value, Value)>> {
    let by_id = |listed: &Value| -> BTreeMap<String, Value> {
        let issues = listed.as_array().unwrap().iter();
        issues
            .map(|i| (i["id"].as_str().unwrap().to_owned(), i.clone()))
            .collect()
    };
    let (old, new) = (by_id(old), by_id(new));
    let mut expected = BTreeMap::new();
    for id in old.keys().chain(new.keys()) {
        let (o, n) = (old.get(id), new.get(id));
        let value = |issue: Option<&Value>, field: &str, other: Option<&Value>| match issue {
            None => Value::Null,
            Some(i) if field == "archived" => match (i["archived"].as_bool(), other) {
                (Some(true), _) => Value::from("true"),
                (_, Some(_)) => Value::from("false"),
                (_, None) => Value::Null,
            },
            Some(i) => i[field].clone(),
        };
        let changes: Vec<(String, Value, Value)> = FIELDS
            .iter()
            .map(|f| (f.to_string(), value(o, f, n), value(n, f, o)))
            .filter(|(_, a, b)| a != b)
            .collect();
        if !changes.is_empty() {
            expected.insert(id.clone(), changes);
        }
    }
    expected
}

/// What `roadmap diff A..B --format json` reports on the same fields.
fn reported_diff(
    repo: &TestRepo,
    a: &str,
    b: &str,
) -> BTreeMap<String, Vec<(String, Value, Value)>> {
    let run = repo
        .roadmap(&["diff", &format!("{a}..{b}"), "--format", "json"])
        .success();
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut reported = BTreeMap::new();
    for issue in json["issues"].as_array().unwrap() {
        let changes: Vec<(String, Value, Value)> = issue["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| FIELDS.contains(&c["field"].as_str().unwrap()))
            .map(|c| {
                let f = c["field"].as_str().unwrap().to_owned();
                (f, c["old"].clone(), c["new"].clone())
            })
            .collect();
        if !changes.is_empty() {
            reported.insert(issue["id"].as_str().unwrap().to_owned(), changes);
        }
    }
    reported
}

#[test]
fn list_at_and_diff_equal_rebuilds_on_random_histories() {
    let seeds: u64 = std::env::var("ROADMAP_HISTORY_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    // Guards against histories too tame to test anything: some answers must differ.
    let (mut changed_issues, mut older_plans) = (0, 0);
    for seed in 0..seeds {
        let repo = TestRepo::new();
        let commits = random_history(&repo, seed, 14);
        repo.roadmap_hooks(&["sync"]).success();
        let mut rng = Rng::new(seed + 1000);
        let revs: Vec<&String> = (0..3).map(|_| rng.pick(&commits)).collect();
        let mut rebuilt = BTreeMap::new();
        let at_head = repo.listed(&[]);
        for rev in &revs {
            let expected = rebuilt_at(&repo, rev, &[]);
            assert_eq!(
                repo.listed(&["--at", rev]),
                expected,
                "seed {seed}: list --at {rev}"
            );
            older_plans += usize::from(expected != at_head);
            rebuilt.insert(rev.to_string(), expected);
        }
        for (a, b) in [(revs[0], revs[1]), (revs[1], revs[2])] {
            let reported = reported_diff(&repo, a, b);
            changed_issues += reported.len();
            assert_eq!(
                reported,
                expected_diff(&rebuilt[a.as_str()], &rebuilt[b.as_str()]),
                "seed {seed}: diff {a}..{b}"
            );
        }
    }
    assert!(
        changed_issues > seeds as usize && older_plans > seeds as usize,
        "the histories changed too little: {changed_issues} issue changes, {older_plans} older plans"
    );
}
