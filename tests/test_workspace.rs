//! The workspace: repositories found as git finds them, compare-and-swap writes, and pending
//! writes that survive whatever happens to the cache.

use crate::common::tracker::required;
use crate::common::{IssueSpec, Run, TestRepo, binary, hermetic};
use std::path::Path;
use std::process::{Command, Stdio};

fn repo_with_hooks() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    repo.roadmap_hooks(&["install"]).success();
    repo
}

fn run_with_env(dir: &Path, name: &str, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut command = Command::new(binary(name));
    hermetic(&mut command).args(args).current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    Run::from_output(command.output().expect("run binary"))
}

fn title_of(repo: &TestRepo, id: &str) -> Option<String> {
    repo.listed(&["--no-sync"])
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["title"].as_str().unwrap().to_owned())
}

#[test]
fn git_dir_and_work_tree_name_one_repository_for_reads_and_writes() {
    let repo = repo_with_hooks();
    let elsewhere = repo.sibling("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let env = [
        ("GIT_DIR", repo.root.join(".git")),
        ("GIT_WORK_TREE", repo.root.clone()),
    ];
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let update = run_with_env(
        &elsewhere,
        "roadmap",
        &["update", "0000000a", "--title", "Renamed via GIT_DIR"],
        &env,
    );
    assert_eq!(update.status, 0, "{update:?}");
    let list = run_with_env(&elsewhere, "roadmap", &["list", "--format", "ids"], &env);
    assert_eq!(list.stdout.trim(), "0000000a", "{list:?}");
    assert_eq!(
        title_of(&repo, "0000000a").as_deref(),
        Some("Renamed via GIT_DIR")
    );
    assert!(
        std::fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "nothing written where the command ran"
    );
}

#[test]
fn git_dir_naming_a_linked_worktrees_gitfile_works() {
    let repo = repo_with_hooks();
    let linked = repo.sibling("linked");
    repo.git(&["worktree", "add", "-q", &linked.display().to_string()]);
    let env = [
        ("GIT_DIR", linked.join(".git")),
        ("GIT_WORK_TREE", linked.clone()),
    ];
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let list = run_with_env(&repo.root, "roadmap", &["list", "--format", "ids"], &env);
    assert_eq!(list.status, 0, "{list:?}");
    assert_eq!(list.stdout.trim(), "0000000a");
    let git_dir = repo.git(&[
        "-C",
        &linked.display().to_string(),
        "rev-parse",
        "--git-dir",
    ]);
    assert!(
        Path::new(git_dir.trim())
            .join("roadmap")
            .join("current")
            .exists(),
        "the linked worktree has its own cache in its own git dir"
    );
}

#[test]
fn dash_c_and_subfolders_find_the_repository() {
    let repo = repo_with_hooks();
    let sub = repo.root.join("docs/deep");
    std::fs::create_dir_all(&sub).unwrap();
    let from_sub = repo.run_in(&sub, "roadmap", &["list", "--format", "ids"]);
    assert_eq!(from_sub.stdout.trim(), "0000000a", "{from_sub:?}");
    let outside = repo.root.parent().unwrap();
    let root = repo.root.display().to_string();
    let with_c = repo.run_in(
        outside,
        "roadmap",
        &["-C", &root, "list", "--format", "ids"],
    );
    assert_eq!(with_c.stdout.trim(), "0000000a", "{with_c:?}");
    let status = repo.run_in(outside, "roadmap-hooks", &["-C", &root, "status"]);
    assert_eq!(status.status, 0, "{status:?}");
}

#[test]
fn a_bare_repository_gets_one_line_from_both_binaries() {
    let repo = TestRepo::new();
    let bare = repo.sibling("bare.git");
    repo.git(&["init", "-q", "--bare", &bare.display().to_string()]);
    for (name, args) in [("roadmap", vec!["list"]), ("roadmap-hooks", vec!["status"])] {
        let run = repo.run_in(&bare, name, &args);
        assert_eq!(run.status, 1, "{run:?}");
        assert_eq!(
            run.stderr,
            format!(
                "{name}: error: {} is a bare repository; roadmap-hooks needs a working tree\n",
                std::fs::canonicalize(&bare).unwrap().display()
            )
        );
    }
    let outside = repo.run_in(repo.root.parent().unwrap(), "roadmap", &["list"]);
    assert_eq!(outside.status, 1);
    assert!(
        outside
            .stderr
            .starts_with("roadmap: error: not in a git repository"),
        "{outside:?}"
    );
}

/// An editor that copies the file it is given to `$SLOW_EDITOR_SEEN`, waits until
/// `$SLOW_EDITOR_GO` exists, then changes the title.
fn slow_editor(repo: &TestRepo) -> String {
    let script = repo.sibling("slow-editor.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\ncp \"$1\" \"$SLOW_EDITOR_SEEN\"\nwhile [ ! -e \"$SLOW_EDITOR_GO\" ]; do sleep 0.02; done\n\
         sed -i 's/^title: .*/title: From the editor/' \"$1\"\n",
    )
    .unwrap();
    format!("sh {}", script.display())
}

#[test]
fn an_update_while_edit_waits_for_the_editor_is_never_lost() {
    let repo = repo_with_hooks();
    let seen = repo.sibling("seen");
    let go = repo.sibling("go");
    let edit = hermetic(&mut Command::new(binary("roadmap")))
        .args(["edit", "0000000a"])
        .current_dir(&repo.root)
        .env("EDITOR", slow_editor(&repo))
        .env("SLOW_EDITOR_SEEN", &seen)
        .env("SLOW_EDITOR_GO", &go)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The editor has the draft open: now another command changes the issue.
    while !seen.exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    repo.roadmap(&["update", "0000000a", "--priority", "critical"])
        .success();
    std::fs::write(&go, "").unwrap();
    let edit = Run::from_output(edit.wait_with_output().unwrap());

    assert_eq!(edit.status, 1, "{edit:?}");
    assert!(
        edit.stderr.contains("changed since it was read"),
        "{}",
        edit.stderr
    );
    let file =
        std::fs::read_to_string(repo.root.join(".roadmap/issues/v1/0000000a-alpha.md")).unwrap();
    assert!(file.contains("priority: critical"), "the update stands");
    assert!(
        !file.contains("From the editor"),
        "the edit was not forced over it"
    );
    let draft = edit
        .stderr
        .split("your text is kept in ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("the message names the draft");
    assert!(
        std::fs::read_to_string(draft)
            .unwrap()
            .contains("title: From the editor"),
        "the user's text is kept"
    );

    // The next edit keeps that draft, says where it is, and saves its own text.
    let again = hermetic(&mut Command::new(binary("roadmap")))
        .args(["edit", "0000000a"])
        .current_dir(&repo.root)
        .env("EDITOR", "sed -i 's/^title: .*/title: Second try/'")
        .output()
        .unwrap();
    let again = Run::from_output(again);
    assert_eq!(again.status, 0, "{again:?}");
    assert!(again.stderr.contains(draft), "{}", again.stderr);
    assert!(
        Path::new(draft).exists(),
        "the earlier draft is still there"
    );
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Second try"));
    let file =
        std::fs::read_to_string(repo.root.join(".roadmap/issues/v1/0000000a-alpha.md")).unwrap();
    assert!(file.contains("priority: critical"), "{file}");
}

/// Creates an issue without committing it; returns its id.
fn create_uncommitted(repo: &TestRepo, title: &str) -> String {
    let run = repo.roadmap(&["create", title]).success();
    run.stdout
        .trim()
        .strip_prefix("Created ")
        .and_then(|rest| rest.split("  ").next())
        .unwrap()
        .to_owned()
}

fn live_generation(repo: &TestRepo) -> std::path::PathBuf {
    let dir = repo.root.join(".git/roadmap");
    let name = std::fs::read_to_string(dir.join("current")).unwrap();
    dir.join(name.trim())
}

#[test]
fn uncommitted_creates_survive_a_damaged_cache_a_rebuild_and_a_schema_upgrade() {
    let repo = repo_with_hooks();
    let id = create_uncommitted(&repo, "Not committed yet");
    assert!(repo.listed_ids(&[]).contains(&id));

    // Damage the first page: the next query rebuilds, once, and still lists the issue.
    let generation = live_generation(&repo);
    let mut bytes = std::fs::read(&generation).unwrap();
    bytes[..100].fill(0x5a);
    std::fs::write(&generation, bytes).unwrap();
    let _ = std::fs::remove_file(generation.with_extension("db-wal"));
    let damaged = repo.roadmap(&["list", "--all", "--format", "ids"]);
    assert_eq!(damaged.status, 0, "{damaged:?}");
    assert!(damaged.stdout.contains(&id), "{damaged:?}");
    assert!(damaged.stderr.contains("rebuilt"), "{damaged:?}");
    let after = repo.roadmap(&["list", "--all", "--format", "ids"]);
    assert_eq!(after.stderr, "", "rebuilt once, not on every query");

    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert!(repo.listed_ids(&[]).contains(&id), "after a full rebuild");

    let conn = rusqlite::Connection::open(live_generation(&repo)).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    assert!(repo.listed_ids(&[]).contains(&id), "after a schema upgrade");

    // Discarding the file brings HEAD back: the issue is gone from the cache.
    std::fs::remove_file(
        repo.root
            .join(format!(".roadmap/issues/backlog/{id}-not-committed-yet.md")),
    )
    .unwrap();
    assert!(!repo.listed_ids(&[]).contains(&id));
}

#[test]
fn a_write_killed_before_the_cache_followed_is_caught_up_by_the_next_query() {
    let repo = repo_with_hooks();
    let id = create_uncommitted(&repo, "Half recorded");
    // What a kill between the pending record and the cache transaction leaves: the record on
    // disk, the cache without the row.
    let conn = rusqlite::Connection::open(live_generation(&repo)).unwrap();
    conn.execute("DELETE FROM issues WHERE id = ?1", [&id])
        .unwrap();
    conn.execute(
        "UPDATE sync_metadata SET value = '' WHERE key = 'pending_applied'",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(repo.listed_ids(&[]).contains(&id));
}

/// Runs `roadmap ARGS` in `repo` as a user who may not write the cache folder: `nobody` via
/// setpriv when the tests run as root (root writes anywhere), else the folder made read-only.
/// `None` when neither is possible here.
fn as_reader_without_write_access(repo: &TestRepo, args: &[&str]) -> Option<Run> {
    use std::os::unix::fs::PermissionsExt;
    let cache = repo.root.join(".git/roadmap");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o555)).unwrap();
        let run = repo.roadmap(args);
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755)).unwrap();
        return Some(run);
    }
    let setpriv = which::which("setpriv").ok()?;
    for dir in repo
        .root
        .ancestors()
        .take_while(|d| d.starts_with(std::env::temp_dir()))
    {
        let mode = std::fs::metadata(dir).unwrap().permissions().mode();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o055)).unwrap();
    }
    let mut command = Command::new(setpriv);
    command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
    command.arg(binary("roadmap")).args(args);
    hermetic(&mut command).current_dir(&repo.root);
    Some(Run::from_output(command.output().unwrap()))
}

#[test]
fn a_read_only_cache_folder_is_named_and_no_sync_still_answers() {
    let repo = repo_with_hooks();
    // HEAD moves without a hook, so the next query wants to sync.
    repo.git(&[
        "-c",
        "core.hooksPath=/dev/null",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    ]);
    let sync = as_reader_without_write_access(&repo, &["list", "--format", "ids"]);
    let Some(sync) = required(sync, "setpriv (the tests run as root)") else {
        return;
    };
    assert_eq!(sync.status, 1, "{sync:?}");
    let cache = std::fs::canonicalize(repo.root.join(".git/roadmap")).unwrap();
    assert!(
        sync.stderr.contains(&format!(
            "{} is not writable for you (mode ",
            cache.display()
        )),
        "{sync:?}"
    );
    assert_eq!(
        sync.stderr.lines().count(),
        2,
        "an error and a hint: {sync:?}"
    );
    let stale =
        as_reader_without_write_access(&repo, &["list", "--no-sync", "--format", "ids"]).unwrap();
    assert_eq!(stale.status, 0, "{stale:?}");
    assert_eq!(stale.stdout.trim(), "0000000a");
}
