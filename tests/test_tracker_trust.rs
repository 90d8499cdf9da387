//! Whose config may name the Python tracker we hand commands to: `git config roadmap.tracker`
//! runs a program, so, as git does for `core.fsmonitor`, a repository's own config counts only
//! when the user owns the repository or lists it in `safe.directory`; the user's own config
//! always counts.

use crate::common::{Run, TestRepo, hermetic};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A tracker that leaves a mark when it runs.
fn marking_tracker(dir: &Path) -> (PathBuf, PathBuf) {
    fs::create_dir_all(dir).unwrap();
    let mark = dir.join("ran");
    let path = dir.join("tracker");
    fs::write(
        &path,
        format!("#!/bin/sh\necho \"$@\" > '{}'\n", mark.display()),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    (path, mark)
}

/// Runs `roadmap today` (a tracker command we never serve) as the current user, with `home`
/// as the user's home (and so their global git config).
fn forward_today(repo: &TestRepo, home: &Path) -> Run {
    let mut command = Command::new(crate::common::binary("roadmap"));
    hermetic(&mut command)
        .env_remove("ROADMAP_TRACKER")
        .env_remove("GIT_CONFIG_GLOBAL")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("PATH", "/usr/bin:/bin")
        .arg("today")
        .current_dir(&repo.root)
        .stdin(Stdio::null());
    Run::from_output(command.output().unwrap())
}

/// Gives the repository to another user; false when this process may not (not root).
fn give_away(repo: &TestRepo) -> bool {
    let status = Command::new("chown")
        .args(["-R", "65534", repo.root.to_str().unwrap()])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    if !status.success() {
        eprintln!("skipped: chown needs root to give the repository to another user");
    }
    status.success()
}

#[test]
fn a_repository_owned_by_someone_else_cannot_name_the_tracker() {
    let repo = TestRepo::new();
    let home = repo.sibling("home");
    fs::create_dir_all(&home).unwrap();
    let (tracker, mark) = marking_tracker(&repo.sibling("theirs"));
    repo.git(&["config", "roadmap.tracker", tracker.to_str().unwrap()]);

    // Owned by us, the repository's config is ours: it is honoured.
    forward_today(&repo, &home);
    assert_eq!(fs::read_to_string(&mark).unwrap(), "today\n");
    fs::remove_file(&mark).unwrap();

    if !give_away(&repo) {
        return;
    }
    let run = forward_today(&repo, &home);
    assert!(
        !mark.exists(),
        "a program named by someone else's repository ran"
    );
    assert_ne!(run.status, 0);

    // Listed in the user's own safe.directory, it is trusted again, as git trusts it.
    fs::write(
        home.join(".gitconfig"),
        format!("[safe]\n\tdirectory = {}\n", repo.root.display()),
    )
    .unwrap();
    forward_today(&repo, &home);
    assert_eq!(fs::read_to_string(&mark).unwrap(), "today\n");
}

#[test]
fn the_users_own_config_names_the_tracker_in_any_repository() {
    let repo = TestRepo::new();
    let home = repo.sibling("home");
    fs::create_dir_all(&home).unwrap();
    let (theirs, their_mark) = marking_tracker(&repo.sibling("theirs"));
    let (mine, my_mark) = marking_tracker(&repo.sibling("mine"));
    repo.git(&["config", "roadmap.tracker", theirs.to_str().unwrap()]);
    fs::write(
        home.join(".gitconfig"),
        format!("[roadmap]\n\ttracker = {}\n", mine.display()),
    )
    .unwrap();
    if !give_away(&repo) {
        return;
    }
    forward_today(&repo, &home);
    assert!(!their_mark.exists());
    assert_eq!(fs::read_to_string(&my_mark).unwrap(), "today\n");
}
