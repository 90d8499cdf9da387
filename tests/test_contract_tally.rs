//! `status` and `milestone list` on a 0.2-contract workspace read the cache's tallies of the
//! issue files (`cache/tally.rs`), not every row, and `milestone view` reads its milestone's
//! rows alone, counted against the tallies. The tallies are kept by SQL triggers: these tests
//! move issue files every way git and a person move them (commits through the hooks, a branch
//! switch, a reset no hook sees, hand edits the working-tree look records, a milestone
//! renamed, a rebuild) and check after each that the tallies are the rows counted again, and
//! that the reads are served as the live tracker prints them when it is installed.

use crate::common::TestRepo;
use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_issue_list::{MARKER, contract_repo, homes, run, stand_in_tracker};
use roadmap_hooks::cache::tally::RECOUNT_SQL;

const MILESTONES: [&str; 3] = [
    "69f8159d-e5ca-480e-8a16-3e71a8b5d8e3",
    "b5b87787-36c9-4617-b573-693632dc825d",
    "d6484982-9730-492f-bd0c-558aa9f7f4f2",
];

/// The fields of one issue file the tallies count by.
#[derive(Clone)]
struct Counted {
    milestone: Option<&'static str>,
    status: &'static str,
    retention: &'static str,
    hours: &'static str,
    progress: &'static str,
}

fn issue_id(n: usize) -> String {
    format!("7a11e000-0000-4000-8000-{n:012}")
}

fn issue_path(n: usize) -> String {
    format!(".roadmap/issues/{}.md", issue_id(n))
}

fn issue_file(n: usize, c: &Counted) -> String {
    format!(
        "---\nschema_version: 1\nid: {id}\ncreated: '2026-12-06T22:23:46.187505+00:00'\n\
         updated: '2026-12-06T22:24:07.381172+00:00'\nretention: {retention}\n\
         title: Tallied {n}\nheadline: ''\npriority: high\nstatus: {status}\n\
         issue_type: feature\nmilestone: {milestone}\ndepends_on: []\nblocks: []\nlabels: []\n\
         assignee: ada\nestimated_hours: {hours}\ndue_date: null\n\
         progress_percentage: {progress}\nactual_start_date: null\nactual_end_date: null\n\
         git_branches: []\ncomments: []\nhistory:\n- action: created\n\
         \x20 at: '2026-12-06T22:23:46.187505+00:00'\n  reason: null\n---\n\nCounted.\n",
        id = issue_id(n),
        retention = c.retention,
        status = c.status,
        milestone = c.milestone.unwrap_or("null"),
        hours = c.hours,
        progress = c.progress,
    )
}

/// Issue `n`'s fields in `round`: estimates whole, halves, tenths, ints and none; progress in
/// tenths of a percent and none; every status and retention; some with no milestone.
fn counted(n: usize, round: usize) -> Counted {
    let k = n * 7 + round * 3;
    Counted {
        milestone: [
            Some(MILESTONES[0]),
            Some(MILESTONES[1]),
            Some(MILESTONES[2]),
            None,
        ][k % 4],
        status: ["todo", "in-progress", "blocked", "review", "closed"][k % 5],
        retention: ["visible", "visible", "visible", "archived"][(k / 3) % 4],
        hours: ["3", "2.5", "14.0", "null", "0.1", "7"][k % 6],
        progress: ["null", "10.0", "33.3", "60", "null"][(k / 2) % 5],
    }
}

/// The tallies the cache holds, and the rows counted again, each sorted.
fn tallies(repo: &TestRepo) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let dir = repo.root.join(".git/roadmap");
    let name = std::fs::read_to_string(dir.join("current")).expect("a live cache");
    let conn = rusqlite::Connection::open_with_flags(
        dir.join(name.trim()),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the cache");
    let read = |sql: &str| -> Vec<Vec<String>> {
        let mut statement = conn.prepare(sql).unwrap();
        statement
            .query_map([], |row| {
                (0..2)
                    .map(|i| {
                        row.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect()
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    (
        read("SELECT key, n FROM contract_tally ORDER BY 1"),
        read(&format!("SELECT * FROM ({RECOUNT_SQL}) ORDER BY 1")),
    )
}

const READS: [&[&str]; 9] = [
    &["status", "--format", "json"],
    &["status"],
    &["milestone", "list", "--format", "json"],
    &["milestone", "list"],
    // By name, by a prefix of its id, by its whole id.
    &["milestone", "view", "v0-1"],
    &["milestone", "view", "b5b8"],
    &[
        "milestone",
        "view",
        "d6484982-9730-492f-bd0c-558aa9f7f4f2",
        "--format",
        "json",
    ],
    // From the tallies only when every sum is the tracker's float bit for bit.
    &["project", "view", "Hook Fixtures"],
    &["project", "view", "84a1", "--format", "json"],
];

/// Runs the served reads (each must be served, not forwarded), compares them with the live
/// tracker when it is installed, then checks the tallies against the rows.
fn check(repo: &TestRepo, after: &str) {
    let tracker = stand_in_tracker(repo, "0.3.1");
    let (home, _) = homes(repo);
    let ours = crate::common::binary("roadmap");
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let live = installed_tracker(TrackerLine::Current);
    for args in READS {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let got = run(&repo.root, &ours, &args, &home, &env);
        assert!(
            got.status == 0 && !got.stderr.contains(MARKER),
            "`{}` after {after} was not served: {got:?}",
            args.join(" ")
        );
        if let Some(live) = &live {
            let theirs = run(&repo.root, live, &args, &home, &[]);
            assert_eq!(
                (&got.stdout, &got.stderr),
                (&theirs.stdout, &theirs.stderr),
                "`{}` after {after}",
                args.join(" ")
            );
        }
    }
    let (kept, recounted) = tallies(repo);
    assert!(!kept.is_empty(), "no tallies after {after}");
    assert_eq!(kept, recounted, "the tallies after {after}");
}

fn write_round(repo: &TestRepo, issues: std::ops::Range<usize>, round: usize) {
    for n in issues {
        repo.write(&issue_path(n), &issue_file(n, &counted(n, round)));
    }
}

/// Issue `n` with a whole or half-hour estimate (or none) and no progress: every sum of the
/// milestones and projects is then exact in a float, in any order.
fn exactly_summed(n: usize) -> Counted {
    Counted {
        hours: ["3", "2.5", "14.0", "null", "7"][n % 5],
        progress: "null",
        ..counted(n, 4)
    }
}

#[test]
fn tallies_follow_every_way_issue_files_move() {
    let repo = contract_repo();
    // The live tracker's projection and lock, kept out of the commits below.
    repo.write(".gitignore", ".roadmap/db/\n");
    repo.commit_all("the tracker's projection ignored");
    repo.roadmap_hooks(&["install"]).success();
    check(&repo, "the first read (a rebuild)");

    write_round(&repo, 0..40, 0);
    repo.commit_all("forty issues");
    check(&repo, "a commit adding issues (the hook)");

    write_round(&repo, 0..20, 1);
    for n in 35..40 {
        repo.remove(&issue_path(n));
    }
    repo.commit_all("twenty edited, five deleted");
    check(&repo, "a commit editing and deleting issues");

    repo.git(&["switch", "-q", "-c", "other"]);
    write_round(&repo, 10..30, 2);
    repo.commit_all("twenty edited on a branch");
    repo.git(&["switch", "-q", "-"]);
    check(&repo, "a switch back from a branch");
    repo.git(&["merge", "-q", "--no-edit", "other"]);
    check(&repo, "a merge");

    repo.git(&["reset", "-q", "--hard", "HEAD~2"]);
    check(&repo, "a reset no hook sees");

    write_round(&repo, 5..15, 3);
    repo.remove(&issue_path(20));
    check(&repo, "hand edits not committed (the working-tree look)");
    repo.git(&["checkout", "-q", "--", "."]);
    check(&repo, "hand edits undone");

    // Its issues' rows show the name they were synced with until the sync reads them again:
    // `milestone view` must not miss them when it looks them up by the new name.
    let milestone = format!(".roadmap/milestones/{}.md", MILESTONES[2]);
    let text = std::fs::read_to_string(repo.root.join(&milestone)).unwrap();
    repo.write(&milestone, &text.replace("name: v0-2", "name: v0-3"));
    check(&repo, "a milestone renamed by hand");
    repo.commit_all("a milestone renamed");
    check(&repo, "a milestone renamed in a commit");

    for n in 0..40 {
        repo.write(&issue_path(n), &issue_file(n, &exactly_summed(n)));
    }
    // The tracker's own issues: progress in quarters, so their earned shares are exact too.
    for entry in std::fs::read_dir(repo.root.join(".roadmap/issues")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let quartered = text
            .replace("progress_percentage: 40.0", "progress_percentage: 50.0")
            .replace("progress_percentage: 90.0", "progress_percentage: 25.0");
        std::fs::write(&path, quartered).unwrap();
    }
    repo.commit_all("whole and half-hour estimates, progress in quarters");
    check(&repo, "sums exact in a float");

    repo.roadmap_hooks(&["sync", "--full"]).success();
    check(&repo, "a full rebuild");
}
