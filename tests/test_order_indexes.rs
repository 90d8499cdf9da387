//! A large rebuild publishes its rows before the order indexes, which a detached builder adds
//! afterwards (`cache::order_indexes`): every list answers the same without them, while they
//! are built, and after; a builder that never ran (killed, or never started) is started again
//! by the next sync.

use crate::common::{Run, TestRepo, binary, hermetic};
use crate::corpus::issue;
use std::process::Command;
use std::time::{Duration, Instant};

const DEFER_FROM: &str = "ROADMAP_HOOKS_DEFER_INDEXES_FROM";
const NO_BUILDER: &str = "ROADMAP_HOOKS_NO_INDEX_BUILDER";
const ORDER_INDEXES: usize = 8;

/// The lists each order index serves (a walk or a seek), and the default view.
const LISTS: &[&[&str]] = &[
    &["list", "--no-pager"],
    &["list", "--no-pager", "--all", "--sort", "title"],
    &[
        "list",
        "--no-pager",
        "--all",
        "--sort",
        "updated",
        "-r",
        "-n",
        "7",
    ],
    &["list", "--no-pager", "--sort", "created", "-n", "5"],
    &[
        "list",
        "--no-pager",
        "--all",
        "--sort",
        "status",
        "-t",
        "bug",
    ],
    &[
        "list",
        "--no-pager",
        "--all",
        "--sort",
        "id",
        "--format",
        "json",
    ],
    &["list", "--no-pager", "--sort", "priority", "-p", "high"],
    &["list", "--no-pager", "--all", "-a", "carol"],
    &["list", "--no-pager", "-m", "v1-1", "-a", "dave"],
    &[
        "list",
        "--no-pager",
        "--all",
        "-m",
        "v2-0",
        "--sort",
        "updated",
    ],
];

fn with_env(repo: &TestRepo, name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary(name));
    hermetic(&mut command).args(args).current_dir(&repo.root);
    for (key, value) in env {
        command.env(key, value);
    }
    Run::from_output(command.output().expect("run binary"))
}

/// The answer with the line under a table cut by `--limit` made one: it gives the number of
/// matching issues only when counting them was quick (a walk of an order index), else says
/// that more match. Both are true; the rows above it must be the same.
fn rows_of(answer: &str) -> String {
    answer
        .lines()
        .map(|line| {
            if line.starts_with('(') && line.ends_with("raise --limit to see more)") {
                "(cut by --limit)"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that `got` and `want` (answers to [`LISTS`]) list the same rows, naming the first
/// list that differs and its first differing line.
#[track_caller]
fn assert_same(got: &[String], want: &[String], what: &str) {
    for ((args, got), want) in LISTS.iter().zip(got).zip(want) {
        let (got, want) = (rows_of(got), rows_of(want));
        if got != want {
            let line = got.lines().zip(want.lines()).position(|(g, w)| g != w);
            let at = line.unwrap_or(0);
            panic!(
                "{what}: `roadmap {}` differs at line {at}:\n got: {:?}\nwant: {:?}",
                args.join(" "),
                got.lines().nth(at),
                want.lines().nth(at)
            );
        }
    }
}

/// What every list of [`LISTS`] prints.
fn answers(repo: &TestRepo) -> Vec<String> {
    LISTS
        .iter()
        .map(|args| repo.roadmap(args).success().stdout)
        .collect()
}

/// How many order indexes the live generation lacks, read with SQLite itself.
fn missing_order_indexes(repo: &TestRepo) -> usize {
    let folder = repo.root.join(".git/roadmap");
    let current = std::fs::read_to_string(folder.join("current")).unwrap();
    let db = rusqlite::Connection::open_with_flags(
        folder.join(current.trim()),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let present: usize = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index'
             AND (name GLOB 'issues_sort_*' OR name IN ('issues_by_assignee', 'issues_by_milestone'))",
            [],
            |row| row.get(0),
        )
        .unwrap();
    ORDER_INDEXES - present
}

fn wait_for_order_indexes(repo: &TestRepo) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while missing_order_indexes(repo) > 0 {
        assert!(Instant::now() < deadline, "the builder never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn repo_of(issues: usize) -> TestRepo {
    let repo = TestRepo::new();
    for index in 0..issues {
        let generated = issue(7, index);
        repo.write(&generated.path, &generated.text);
    }
    repo.commit_all("issues");
    repo
}

#[test]
fn lists_answer_the_same_before_during_and_after_the_order_indexes() {
    let repo = repo_of(400);
    repo.roadmap_hooks(&["install"]).success();
    let indexed = answers(&repo);
    assert_eq!(
        missing_order_indexes(&repo),
        0,
        "a small rebuild builds them at once"
    );
    assert!(
        indexed[7].contains("carol") && indexed[8].contains("dave"),
        "{indexed:?}"
    );

    // A large rebuild (by its threshold) whose builder never runs: rows without the indexes.
    let deferred = [(DEFER_FROM, "1"), (NO_BUILDER, "1")];
    with_env(&repo, "roadmap-hooks", &["sync", "--full"], &deferred).success();
    assert_eq!(missing_order_indexes(&repo), ORDER_INDEXES);
    assert_same(&answers(&repo), &indexed, "without the order indexes");
    let doctor = repo.doctor();
    assert!(
        doctor
            .stdout
            .contains("8 order indexes missing (issues_sort_priority,"),
        "{doctor:?}"
    );

    // The next commit's hook finds them missing and starts a builder; lists stay right
    // whenever they run meanwhile.
    let changed = issue(7, 3);
    let edited = changed.text.replacen("title: ", "title: Renamed ", 1);
    repo.write(&changed.path, &edited);
    repo.commit_all("rename one");
    let during = answers(&repo);
    wait_for_order_indexes(&repo);
    let after = answers(&repo);
    assert_same(&during, &after, "while the builder ran");
    assert!(after[5].contains("Renamed"), "the hook synced the commit");

    with_env(&repo, "roadmap-hooks", &["sync", "--full"], &[]).success();
    assert_same(
        &answers(&repo),
        &after,
        "against a rebuild with every index",
    );
}

/// Started from outside the repository (`-C`), the builder still finds it.
#[test]
fn a_rebuild_that_defers_the_indexes_starts_the_builder_itself() {
    let repo = repo_of(120);
    let mut command = Command::new(binary("roadmap-hooks"));
    hermetic(&mut command)
        .args(["sync", "-C"])
        .arg(&repo.root)
        .current_dir(repo.root.parent().unwrap())
        .env(DEFER_FROM, "1");
    Run::from_output(command.output().expect("run roadmap-hooks")).success();
    wait_for_order_indexes(&repo);
    let listed = repo.roadmap(&["list", "--all", "--sort", "title", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&listed.success().stdout).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(120));
}

/// The pid of the builder working on `repo`, found among the processes by its subcommand and
/// folder.
fn builder_pid(repo: &TestRepo) -> Option<u32> {
    let root = std::fs::canonicalize(&repo.root).unwrap();
    crate::common::process_where(|args, cwd| {
        args.get(1) == Some(&&b"build-order-indexes"[..]) && cwd == root
    })
}

/// A builder killed while it holds the sync lock, after one index and before it synced a
/// commit made meanwhile: the lock dies with it, the commit's hook gave up waiting, and the
/// next query brings the cache to HEAD and starts a builder that finishes the rest.
#[test]
fn a_builder_killed_while_holding_the_lock_is_replaced_and_loses_nothing() {
    let repo = repo_of(200);
    repo.roadmap_hooks(&["install"]).success();
    let paused = [
        (DEFER_FROM, "1"),
        ("ROADMAP_HOOKS_TEST_PAUSE", "order-index-built"),
    ];
    with_env(&repo, "roadmap-hooks", &["sync", "--full"], &paused).success();
    let deadline = Instant::now() + Duration::from_secs(60);
    let pid = loop {
        if missing_order_indexes(&repo) == ORDER_INDEXES - 1 {
            if let Some(pid) = builder_pid(&repo) {
                break pid;
            }
        }
        assert!(Instant::now() < deadline, "the builder never paused");
        std::thread::sleep(Duration::from_millis(20));
    };

    let changed = issue(7, 5);
    let edited = changed.text.replacen("title: ", "title: Meanwhile ", 1);
    repo.write(&changed.path, &edited);
    repo.commit_all("while the builder holds the lock");
    let killed = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let listed = repo
        .roadmap(&["list", "--all", "--format", "json"])
        .success();
    assert!(listed.stdout.contains("Meanwhile"), "the query caught up");
    wait_for_order_indexes(&repo);
    let after = answers(&repo);
    assert!(after[5].contains("Meanwhile"));
    with_env(&repo, "roadmap-hooks", &["sync", "--full"], &[]).success();
    assert_same(
        &answers(&repo),
        &after,
        "against a rebuild with every index",
    );
}
