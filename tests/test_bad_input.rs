//! Bad input a user can give: any text to `search`, odd file names, hostile temporary folders.

use crate::common::{IssueSpec, Run, TestRepo, binary, hermetic};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

/// The ids `roadmap ARGS --format ids` prints, in order; panics on a failure.
#[track_caller]
fn ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut full = vec![args[0], "--format", "ids"];
    full.extend_from_slice(&args[1..]);
    let run = repo.roadmap(&full).success();
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn search_finds_whatever_text_the_user_types() {
    let repo = TestRepo::new();
    let titles = [
        ("0000000a", "C++ parser"),
        ("0000000b", "don't panic"),
        ("0000000c", "Release v1.2-beta"),
        ("0000000d", "The \"quoted\" word"),
        ("0000000e", "Fix AND, OR and NOT NEAR(x) in queries"),
        ("0000000f", "Caret ^ star * colon: title: (parens)"),
        ("00000010", "Hindi हिंदी text"),
    ];
    for (id, title) in titles {
        repo.write_issue(&IssueSpec::new(id, title).body("Filed."));
    }
    repo.commit_all("issues");
    repo.roadmap_hooks(&["install"]).success();
    let cases: &[(&str, &[&str])] = &[
        ("C++ parser", &["0000000a"]),
        ("C++", &["0000000a"]),
        ("don't", &["0000000b"]),
        ("don't panic", &["0000000b"]),
        ("v1.2-beta", &["0000000c"]),
        ("\"quoted\"", &["0000000d"]),
        ("\"quoted", &["0000000d"]),
        ("AND", &["0000000e"]),
        ("OR", &["0000000e"]),
        ("NOT", &["0000000e"]),
        ("NEAR(x)", &["0000000e"]),
        ("AND OR NOT", &["0000000e"]),
        ("^caret", &["0000000f"]),
        ("star *", &["0000000f"]),
        ("title: colon", &["0000000f"]),
        ("(parens)", &["0000000f"]),
        ("हिंदी", &["00000010"]),
        ("...", &[]),
        ("-- * ^", &[]),
        ("-", &[]),
    ];
    for (query, expected) in cases {
        let found = ids(&repo, &["search", "--all", "--", query]);
        assert_eq!(&found, expected, "roadmap search {query:?}");
    }
    assert_eq!(
        ids(&repo, &["search", "pars"]),
        ["0000000a"],
        "a last word still being typed is a prefix"
    );
}

/// Runs `roadmap ARGS` with a hostile temporary folder setup: TMPDIR missing, SQLITE_TMPDIR
/// read-only, and no file may grow past 32 KiB (a full disk, in effect: SQLite's spill file
/// for a big sort would end the process with SIGXFSZ).
fn roadmap_without_temp_space(repo: &TestRepo, args: &[&str]) -> Run {
    let read_only = repo.sibling("read-only-tmp");
    std::fs::create_dir_all(&read_only).unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut command = Command::new("/bin/sh");
    hermetic(&mut command)
        .arg("-c")
        .arg("ulimit -f 64 && exec \"$0\" \"$@\"")
        .arg(binary("roadmap"))
        .args(args)
        .env("TMPDIR", "/nonexistent")
        .env("SQLITE_TMPDIR", &read_only)
        .current_dir(&repo.root);
    Run::from_output(command.output().unwrap())
}

#[test]
fn queries_need_no_temporary_files() {
    let repo = TestRepo::new();
    let long = "a long title that makes every row wide ".repeat(10);
    for n in 0..3000 {
        let id = format!("{n:08x}");
        let spec = IssueSpec::new(&id, &format!("{long}{n}")).status(if n % 3 == 0 {
            "closed"
        } else {
            "todo"
        });
        let path = format!(".roadmap/issues/backlog/{id}-wide.md");
        repo.write(
            &path,
            &spec
                .render()
                .replace("2025-01-02", &format!("2025-{:02}-02", n % 12 + 1)),
        );
    }
    repo.commit_all("3000 issues");
    repo.roadmap_hooks(&["install"]).success();
    // The first search builds the index: a write, which this test is not about.
    repo.roadmap(&["search", "title"]).success();
    for args in [
        &["list", "--all", "--sort", "updated", "--no-sync"][..],
        &[
            "list",
            "--all",
            "--sort",
            "updated",
            "--format",
            "json",
            "--no-sync",
        ],
        &["list", "--all", "--format", "json", "--no-sync"],
        &[
            "list",
            "--sort",
            "title",
            "-r",
            "--format",
            "csv",
            "--no-sync",
        ],
        &[
            "search",
            "long",
            "title",
            "--all",
            "--format",
            "json",
            "--no-sync",
        ],
    ] {
        let run = roadmap_without_temp_space(&repo, args);
        assert_eq!(run.status, 0, "roadmap {args:?}: {}", run.stderr);
        assert_eq!(
            run.stdout,
            repo.roadmap(args).success().stdout,
            "roadmap {args:?}"
        );
    }
    let json = roadmap_without_temp_space(
        &repo,
        &["list", "--all", "--sort", "updated", "--format", "json"],
    );
    let issues: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let updated: Vec<&str> = issues
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| issue["updated"].as_str().unwrap())
        .collect();
    assert_eq!(updated.len(), 3000);
    assert!(updated.is_sorted(), "sorted by updated");
}

#[test]
fn readers_racing_rebuilds_never_fail() {
    let repo = TestRepo::new();
    for n in 0..200 {
        repo.write_issue(&IssueSpec::new(&format!("{n:08x}"), &format!("Issue {n}")));
    }
    repo.commit_all("200 issues");
    repo.roadmap_hooks(&["install"]).success();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (rebuilds, reads) = std::thread::scope(|scope| {
        let rebuilder = scope.spawn(|| {
            let mut rebuilds = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                repo.roadmap_hooks(&["sync", "--full"]).success();
                rebuilds += 1;
            }
            rebuilds
        });
        let started = std::time::Instant::now();
        let mut reads = 0;
        while started.elapsed() < std::time::Duration::from_secs(4) {
            let run = repo.roadmap(&["list", "--no-sync", "--format", "ids"]);
            if run.status != 0 || run.stdout.lines().count() != 200 || !run.stderr.is_empty() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                panic!("read {reads} failed: {run:?}");
            }
            reads += 1;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (rebuilder.join().unwrap(), reads)
    });
    assert!(
        rebuilds > 2 && reads > 2,
        "{rebuilds} rebuilds, {reads} reads"
    );
}

/// Writes `content` at `.roadmap/` + `relative`, whose bytes need not be UTF-8.
fn write_raw(repo: &TestRepo, relative: &[u8], content: &str) {
    let path = repo
        .root
        .join(".roadmap")
        .join(std::ffi::OsStr::from_bytes(relative));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// The lines of `roadmap-hooks status` that list unreadable files.
fn status_invalid(repo: &TestRepo) -> Vec<String> {
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    status
        .lines()
        .skip_while(|line| !line.starts_with("invalid files:"))
        .take_while(|line| line.starts_with("invalid files:") || line.starts_with("  "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn names_that_are_not_utf8_are_listed_as_unreadable() {
    let repo = TestRepo::new();
    repo.write_issue(&IssueSpec::new("0000000a", "Fine"));
    let issue = IssueSpec::new("0000000b", "Latin-1 name").render();
    write_raw(&repo, b"issues/backlog/0000000b-caf\xe9.md", &issue);
    write_raw(&repo, b"issues/backlog/0000000c-caf\xe8.md", &issue);
    let other = IssueSpec::new("0000000d", "In a Latin-1 folder").render();
    write_raw(&repo, b"issues/v1-\xff/0000000d-fine-name.md", &other);
    repo.commit_all("odd names");
    repo.roadmap_hooks(&["install"]).success();
    let reason = "the file or folder name is not valid UTF-8; rename it";
    let expected = vec![
        "invalid files: 3".to_owned(),
        format!("  .roadmap/issues/backlog/0000000b-caf\\xe9.md: {reason}"),
        format!("  .roadmap/issues/backlog/0000000c-caf\\xe8.md: {reason}"),
        format!("  .roadmap/issues/v1-\\xff/0000000d-fine-name.md: {reason}"),
    ];
    assert_eq!(status_invalid(&repo), expected, "after the first sync");
    let list = repo.roadmap(&["list", "--format", "ids"]).success();
    assert_eq!(list.stdout, "0000000a\n");
    assert_eq!(
        list.stderr,
        format!(
            "roadmap: warning: skipped .roadmap/issues/backlog/0000000b-caf\\xe9.md: {reason} \
             (and 2 more; see `roadmap-hooks status`)\n"
        )
    );
    let scan = repo.roadmap_hooks(&["scan"]).success();
    assert_eq!(scan.stderr.lines().count(), 3, "{}", scan.stderr);
    assert!(scan.stderr.contains("v1-\\xff/0000000d-fine-name.md"));

    // The incremental path: one more, and one removed.
    write_raw(&repo, b"milestones/v\xff.md", "---\nname: v\n---\n");
    std::fs::remove_file(repo.root.join(".roadmap").join(std::ffi::OsStr::from_bytes(
        b"issues/backlog/0000000c-caf\xe8.md",
    )))
    .unwrap();
    repo.commit_all("more odd names");
    let mut expected = expected;
    expected[0] = "invalid files: 3".to_owned();
    expected[2] = format!("  .roadmap/milestones/v\\xff.md: {reason}");
    expected.sort();
    let mut found = status_invalid(&repo);
    found.sort();
    assert_eq!(found, expected, "after an incremental sync");
    repo.roadmap_hooks(&["sync", "--full"]).success();
    let mut rebuilt = status_invalid(&repo);
    rebuilt.sort();
    assert_eq!(rebuilt, expected, "after a rebuild");
}

#[test]
fn text_fields_are_listed_exactly_as_written() {
    let repo = TestRepo::new();
    let file = |id: &str, field: &str, value: &str| {
        let spec = IssueSpec::new(id, "Plain");
        let text = spec.render().replacen(
            &format!("\n{field}: "),
            &format!("\n{field}: {value}\n{field}_was: "),
            1,
        );
        repo.write(&spec.path(), &text);
    };
    file("0000000a", "status", "Done");
    file("0000000b", "priority", "HIGH");
    file("0000000c", "status", "in_progress");
    file("0000000d", "title", "'  Spaces kept  '");
    file("0000000e", "assignee", "''");
    file("0000000f", "status", "done");
    repo.commit_all("odd values");
    repo.roadmap_hooks(&["install"]).success();
    let listed = repo.listed(&[]);
    let field = |n: usize, key: &str| listed[n][key].clone();
    assert_eq!(field(0, "status"), "Done");
    assert_eq!(field(1, "priority"), "HIGH");
    assert_eq!(field(2, "status"), "in_progress");
    assert_eq!(field(3, "title"), "  Spaces kept  ");
    assert_eq!(field(4, "assignee"), "");
    assert_eq!(field(5, "status"), "closed", "the older tracker's `done`");
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    let warnings: Vec<&str> = status
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 3, "{status}");
    for (id, what) in [
        ("0000000a", "Done"),
        ("0000000b", "HIGH"),
        ("0000000c", "in_progress"),
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(id) && w.contains(&format!("`{what}`"))),
            "{id}: {warnings:?}"
        );
    }
    assert_eq!(
        ids(&repo, &["list", "-s", "Done"]),
        ["0000000a"],
        "a spelling a file holds filters on itself"
    );
    assert_eq!(ids(&repo, &["list", "-s", "closed", "--all"]), ["0000000f"]);
}
