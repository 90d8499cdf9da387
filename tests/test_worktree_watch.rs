//! The watcher (`roadmap-hooks watch-worktree`, `git config roadmap.watch`): a look it answers
//! stats only what it reports, so every kind of edit must reach it. Same-size edits with the
//! mtime put back, new files in folders whose mtime is put back, renames over a file, deleted
//! files and folders, a new milestone folder filled at once, a folder renamed, the watcher
//! killed between two looks, and a tree whose `.roadmap` goes away under it.

use crate::common::{IssueSpec, Run, TestRepo, binary, hermetic};
use crate::test_worktree_stat::{age_roadmap, mtime, retitle, set_mtime};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const ALPHA: &str = ".roadmap/issues/v1/0000000a-alpha.md";
const BETA: &str = ".roadmap/issues/backlog/0000000b-beta.md";

fn watched_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    repo.commit_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.commit_issue(&IssueSpec::new("0000000d", "Delta").milestone("v2"));
    repo.roadmap_hooks(&["install"]).success();
    // Three files: too few to start a watcher by default.
    repo.git(&["config", "roadmap.watch", "true"]);
    age_roadmap(&repo);
    repo
}

/// `roadmap list --worktree` with the look's report on stderr.
fn look(repo: &TestRepo) -> (serde_json::Value, String) {
    let output = hermetic(&mut Command::new(binary("roadmap")))
        .args([
            "list",
            "--all",
            "--sort",
            "id",
            "--format",
            "json",
            "--worktree",
        ])
        .env("ROADMAP_DEBUG_LOOK", "1")
        .current_dir(&repo.root)
        .output()
        .unwrap();
    let run = Run::from_output(output).success();
    (serde_json::from_str(&run.stdout).unwrap(), run.stderr)
}

/// Looks until the watcher the first look started answers, then once more, so its token is
/// in the stat file: from then on looks stat only what it reports.
fn start_watching(repo: &TestRepo) {
    let (_, report) = look(repo);
    assert!(report.contains("watched false"), "{report}");
    let started = Instant::now();
    while roadmap_hooks::watch::ask(&repo.root, None).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no watcher started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, report) = look(repo);
    assert!(report.contains("watched true"), "{report}");
    let (_, report) = look(repo);
    assert!(
        report.contains("watched true, nothing changed"),
        "a look the watcher answers reads nothing: {report}"
    );
}

fn title_of(listed: &serde_json::Value, id: &str) -> Option<String> {
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["title"].as_str().unwrap().to_owned())
}

/// A look the watcher answered, equal to a fresh parse of the working tree.
#[track_caller]
fn assert_watched_look_shows_the_files(repo: &TestRepo) -> serde_json::Value {
    let (listed, report) = look(repo);
    assert!(report.contains("watched true"), "{report}");
    assert_eq!(listed, repo.scanned(), "{report}");
    listed
}

#[test]
fn with_a_watcher_every_kind_of_edit_is_seen() {
    let repo = watched_repo();
    start_watching(&repo);

    // Same size, the old mtime put back.
    let file = repo.root.join(ALPHA);
    let old = mtime(&file);
    retitle(&repo, ALPHA, "Alfa!");
    set_mtime(&file, old);
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000a").as_deref(), Some("Alfa!"));

    // A new file in a folder whose mtime is then put back.
    let v1 = repo.root.join(".roadmap/issues/v1");
    let folder_time = mtime(&v1);
    repo.write(
        ".roadmap/issues/v1/0000000c-gamma.md",
        &IssueSpec::new("0000000c", "Gamma").milestone("v1").render(),
    );
    set_mtime(&v1, folder_time);
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000c").as_deref(), Some("Gamma"));

    // A file replaced by a rename over it, as editors save.
    let staged = repo.root.join(".roadmap/issues/v1/.alpha.swp");
    std::fs::write(
        &staged,
        IssueSpec::new("0000000a", "Saved by an editor")
            .milestone("v1")
            .render(),
    )
    .unwrap();
    std::fs::rename(&staged, &file).unwrap();
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(
        title_of(&listed, "0000000a").as_deref(),
        Some("Saved by an editor")
    );

    // A new milestone folder, filled at once (before the watcher can watch it).
    std::fs::create_dir_all(repo.root.join(".roadmap/issues/v3")).unwrap();
    for (id, title) in [("0000000e", "Epsilon"), ("0000000f", "Zeta")] {
        repo.write(
            &format!(".roadmap/issues/v3/{id}-{}.md", title.to_lowercase()),
            &IssueSpec::new(id, title).milestone("v3").render(),
        );
    }
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000f").as_deref(), Some("Zeta"));
    // Then a file edited in that new folder: the watcher watches it now.
    retitle(&repo, ".roadmap/issues/v3/0000000e-epsilon.md", "EPSILON");
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000e").as_deref(), Some("EPSILON"));

    // A folder renamed, then edits in it under its new name.
    std::fs::rename(
        repo.root.join(".roadmap/issues/v3"),
        repo.root.join(".roadmap/issues/v4"),
    )
    .unwrap();
    assert_watched_look_shows_the_files(&repo);
    retitle(&repo, ".roadmap/issues/v4/0000000e-epsilon.md", "EPSILOn");
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000e").as_deref(), Some("EPSILOn"));

    // A deleted file, then a deleted folder.
    repo.remove(BETA);
    assert_watched_look_shows_the_files(&repo);
    std::fs::remove_dir_all(repo.root.join(".roadmap/issues/v2")).unwrap();
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000d"), None);

    // Committed: the cache is HEAD's again, and the next look reads nothing.
    repo.commit_all("what was done by hand");
    repo.assert_cache_matches_head(&["--worktree"]);
    let (_, report) = look(&repo);
    assert!(report.contains("watched true, nothing changed"), "{report}");
}

/// The pid of the watcher serving `root`, from `/proc` (the process named after its
/// subcommand, with `root` as its argument).
fn watcher_pid(root: &Path) -> Option<u32> {
    let root = std::fs::canonicalize(root).unwrap();
    crate::common::process_where(|args, _| {
        args.get(1) == Some(&&b"watch-worktree"[..])
            && args.get(2) == Some(&root.as_os_str().as_encoded_bytes())
    })
}

#[test]
fn a_killed_watcher_costs_one_full_look_and_hides_nothing() {
    let repo = watched_repo();
    start_watching(&repo);
    let pid = watcher_pid(&repo.root).expect("the watcher runs");
    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let started = Instant::now();
    while roadmap_hooks::watch::ask(&repo.root, None).is_some() {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    // Edited while nothing watched.
    let file = repo.root.join(ALPHA);
    let old = mtime(&file);
    retitle(&repo, ALPHA, "Alfa!");
    set_mtime(&file, old);
    let (listed, report) = look(&repo);
    assert!(report.contains("watched false"), "{report}");
    assert_eq!(title_of(&listed, "0000000a").as_deref(), Some("Alfa!"));
    assert_eq!(listed, repo.scanned());

    // That look started another watcher, whose first answer is "look at everything": the
    // edit made before it started stays shown, and later edits are seen.
    let started = Instant::now();
    while roadmap_hooks::watch::ask(&repo.root, None).is_none() {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000a").as_deref(), Some("Alfa!"));
    retitle(&repo, ALPHA, "Alfa?");
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000a").as_deref(), Some("Alfa?"));
}

/// Waits until no watcher serves `root`.
fn assert_watcher_stops(root: &Path, pid: u32) {
    let started = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() && watcher_pid(root) == Some(pid) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the watcher did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn status_names_the_watcher_and_uninstall_stops_it() {
    let repo = watched_repo();
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains("watcher: not running"), "{status}");
    start_watching(&repo);
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains("watcher: running\n"), "{status}");
    let pid = watcher_pid(&repo.root).expect("the watcher runs");
    let uninstalled = repo.roadmap_hooks(&["uninstall"]).success().stdout;
    assert!(
        uninstalled.contains("stopped the watcher of this working tree"),
        "{uninstalled}"
    );
    assert_watcher_stops(&repo.root, pid);
}

#[test]
fn the_watcher_stops_with_its_tree_and_is_not_started_when_turned_off() {
    let repo = watched_repo();
    start_watching(&repo);
    let pid = watcher_pid(&repo.root).expect("the watcher runs");
    std::fs::remove_dir_all(repo.root.join(".roadmap")).unwrap();
    assert_watcher_stops(&repo.root, pid);

    let repo = watched_repo();
    repo.git(&["config", "roadmap.watch", "false"]);
    for _ in 0..2 {
        let (_, report) = look(&repo);
        assert!(report.contains("watched false"), "{report}");
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(watcher_pid(&repo.root), None, "turned off: none started");
}

/// 0.3.1's reads served on a contract workspace: with the watcher vouching, they read no file
/// at all (not even the look's stat file past its head), so each edit must still show, equal
/// to the same read with the watcher turned off (a full look), and never forwarded.
#[test]
fn served_tracker_reads_with_a_watcher_show_every_edit() {
    use crate::test_contract_issue_list::{MARKER, contract_repo, homes, run, stand_in_tracker};
    let repo = contract_repo();
    repo.git(&["config", "roadmap.watch", "true"]);
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let ours = binary("roadmap");
    let tracker_env = ("ROADMAP_TRACKER", tracker.to_str().unwrap());
    let reads: Vec<Vec<String>> = [
        &["issue", "list", "--format", "csv"][..],
        &["issue", "list", "--format", "json"],
        &["status", "--format", "json"],
        &["milestone", "list", "--format", "json"],
    ]
    .iter()
    .map(|words| words.iter().map(|w| (*w).to_owned()).collect())
    .collect();
    let read = |args: &[String], watch: bool| {
        let env = [
            tracker_env,
            ("ROADMAP_WATCH", if watch { "1" } else { "0" }),
            ("ROADMAP_DEBUG_LOOK", "1"),
        ];
        let got = run(&repo.root, &ours, args, &home, &env);
        assert_eq!(got.status, 0, "{got:?}");
        assert!(!got.stderr.contains(MARKER), "served: {got:?}");
        got
    };
    let first = read(&reads[0], true);
    assert!(first.stderr.contains("watched false"), "{first:?}");
    let started = Instant::now();
    while roadmap_hooks::watch::ask(&repo.root, None).is_none() {
        assert!(started.elapsed() < Duration::from_secs(10), "no watcher");
        std::thread::sleep(Duration::from_millis(20));
    }
    read(&reads[0], true);
    let quiet = read(&reads[0], true);
    assert!(
        quiet.stderr.contains("watched true, nothing changed"),
        "{quiet:?}"
    );

    let issues = repo.root.join(".roadmap/issues");
    let mut files: Vec<_> = std::fs::read_dir(&issues)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let edit = |path: &Path, from: &str, to: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{}: {from}", path.display());
        let old = mtime(path);
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
        set_mtime(path, old);
    };
    let check = |what: &str, before: &str| {
        for args in &reads {
            let watched = read(args, true);
            assert!(
                watched.stderr.contains("watched true"),
                "{what}: {watched:?}"
            );
            let full = read(args, false);
            assert_eq!(watched.stdout, full.stdout, "{what}: {}", args.join(" "));
        }
        let listed = read(&reads[0], true).stdout;
        assert_ne!(listed, before, "{what}: not shown");
    };
    // A status closed by hand, the old mtime put back.
    let before = read(&reads[0], true).stdout;
    edit(&files[0], "status: todo", "status: closed");
    check("a hand edit", &before);
    // A copy of that issue under a new id, as a script would add one.
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let id = files[0].file_stem().unwrap().to_str().unwrap().to_owned();
    let new_id = "0badcafe-0000-4000-8000-000000000001";
    let before = read(&reads[0], true).stdout;
    std::fs::write(
        issues.join(format!("{new_id}.md")),
        text.replace(&id, new_id),
    )
    .unwrap();
    check("a new file", &before);
    assert!(read(&reads[0], true).stdout.contains(new_id));
    // A file deleted.
    let before = read(&reads[0], true).stdout;
    std::fs::remove_file(&files[2]).unwrap();
    let gone = files[2].file_stem().unwrap().to_str().unwrap().to_owned();
    check("a deleted file", &before);
    assert!(!read(&reads[0], true).stdout.contains(&gone));
}

/// A look that does not ask the watcher (`ROADMAP_WATCH=0`) keeps the watcher's last token in
/// the stat file: the next look that asks still learns of every edit made after either.
#[test]
fn a_look_without_the_watcher_between_two_with_it_hides_nothing() {
    let repo = watched_repo();
    start_watching(&repo);
    retitle(&repo, ALPHA, "Alfa!");
    let unwatched = hermetic(&mut Command::new(binary("roadmap")))
        .args(["list", "--all", "--format", "json", "--worktree"])
        .env("ROADMAP_WATCH", "0")
        .current_dir(&repo.root)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unwatched.stdout).contains("Alfa!"));
    retitle(&repo, ALPHA, "Alfa?");
    let listed = assert_watched_look_shows_the_files(&repo);
    assert_eq!(title_of(&listed, "0000000a").as_deref(), Some("Alfa?"));
    let (_, report) = look(&repo);
    assert!(report.contains("watched true, nothing changed"), "{report}");
}
