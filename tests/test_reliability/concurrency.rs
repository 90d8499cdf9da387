//! Many processes on one repository at once: hooks that sync, a rebuild, and readers.
//!
//! Every reader must print a state the cache really held, i.e. the full parse of one of the
//! commits HEAD moved through, never a mix, and nobody may see "database is locked".

use super::{LIST_ALL, Snapshot, Spawned, list_in, scan_dir};
use crate::common::{TestRepo, binary};
use crate::corpus::{self, Rng};

/// Commits HEAD moves through while the processes run.
const COMMITS: usize = 8;

#[test]
fn eight_hooks_and_eight_readers_at_once_see_whole_commits() {
    let repo = TestRepo::new();
    for index in 0..400 {
        let issue = corpus::issue(5, index);
        repo.write(&issue.path, &issue.text);
    }
    repo.commit_all("four hundred issues");
    repo.roadmap_hooks(&["sync"]).success();
    let mut rng = Rng::new(8);
    let mut commits = vec![(repo.head(), scan_dir(&repo.root))];
    for step in 1..=COMMITS {
        change_some(&repo, &mut rng, step);
        repo.commit_all(&format!("change {step}"));
        commits.push((repo.head(), scan_dir(&repo.root)));
    }

    // HEAD moves forwards, backwards, then at random; a full rebuild joins the last two
    // rounds, so readers also see generations swapped under them.
    let mut orders: Vec<Vec<usize>> = vec![(1..=COMMITS).collect(), (0..COMMITS).rev().collect()];
    orders.push((0..COMMITS).map(|_| rng.below(COMMITS + 1)).collect());
    for (round, order) in orders.iter().enumerate() {
        let mut writers = Vec::new();
        let mut readers = Vec::new();
        for (i, &commit) in order.iter().enumerate() {
            repo.git(&["update-ref", "refs/heads/main", &commits[commit].0]);
            writers.push(start(&repo, "roadmap-hooks", &["hook", "post-commit"]));
            let mut args = LIST_ALL.to_vec();
            if i % 2 == 1 {
                args.push("--no-sync");
            }
            readers.push((start(&repo, "roadmap", &args), i % 2 == 1));
            if round > 0 && i == COMMITS / 2 {
                writers.push(start(&repo, "roadmap-hooks", &["sync", "--full"]));
            }
        }
        for writer in writers {
            let (status, _, stderr) = writer.finish();
            assert_eq!(
                (status, stderr.as_str()),
                (0, ""),
                "round {round}: a writer"
            );
        }
        for (reader, no_sync) in readers {
            let (status, json, stderr) = reader.finish();
            assert_eq!(status, 0, "round {round}: a reader failed: {stderr}");
            let allowed = no_sync && stderr.starts_with("roadmap: warning: the cache holds ");
            assert!(
                stderr.is_empty() || (allowed && stderr.lines().count() == 1),
                "round {round}: a reader warned: {stderr}"
            );
            assert!(
                commits.iter().any(|(_, snapshot)| snapshot.json == json),
                "round {round}: a reader saw a state of no commit:\n{}",
                first_lines(&json)
            );
        }
        let last: &Snapshot = &commits[*order.last().expect("a commit")].1;
        let listing = list_in(&repo, &repo.root, &["--no-sync"]);
        assert_eq!(
            listing.stderr, "",
            "round {round}: the hooks left the cache at HEAD"
        );
        assert_eq!(listing.json, last.json, "round {round}: the final state");
    }
}

fn start(repo: &TestRepo, program: &str, args: &[&str]) -> Spawned {
    Spawned::start(&binary(program), args, &repo.root, &[])
}

/// Modifies, deletes and adds a few dozen issues.
fn change_some(repo: &TestRepo, rng: &mut Rng, step: usize) {
    for _ in 0..30 {
        let issue = corpus::issue(5, rng.below(400 + 10 * step));
        if rng.chance(20) && repo.root.join(&issue.path).exists() {
            repo.remove(&issue.path);
        } else {
            let text = issue
                .text
                .replacen("title: ", &format!("x_step: {step}\ntitle: "), 1);
            repo.write(&issue.path, &text);
        }
    }
}

fn first_lines(json: &str) -> String {
    json.lines().take(3).collect::<Vec<_>>().join("\n")
}
