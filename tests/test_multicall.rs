//! One binary for both commands: `roadmap-hooks` is a launcher for the `roadmap` beside it,
//! the hooks `install` writes run `roadmap` itself, and a hook that panics still lets git
//! succeed and leaves a log that names the file and line.

use crate::common::{IssueSpec, TestRepo, binary};
use std::fs;

/// The hooks call the multi-call binary directly: git's hooks pay one process start, not two.
#[test]
fn installed_hooks_and_merge_driver_run_roadmap_itself() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha"));
    repo.roadmap_hooks(&["install"]).success();
    let roadmap = fs::canonicalize(binary("roadmap")).unwrap();
    let hook = fs::read_to_string(repo.root.join(".git/hooks/post-commit")).unwrap();
    assert!(
        hook.contains(&format!("'{}' hook post-commit", roadmap.display())),
        "{hook}"
    );
    let driver = repo.git(&["config", "--get", "merge.roadmap.driver"]);
    assert!(
        driver.contains(&format!("'{}' merge-driver", roadmap.display())),
        "{driver}"
    );

    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.git(&["add", "-A"]);
    let run = repo.try_git(&["commit", "-q", "-m", "add beta"]);
    assert_eq!((run.status, run.stderr.as_str()), (0, ""), "{run:?}");
    let listed = repo
        .roadmap(&["list", "--no-sync", "--format", "plain"])
        .success();
    assert!(listed.stdout.contains("Beta"), "{listed:?}");

    // Installing again with the launcher changes nothing.
    let again = repo.roadmap_hooks(&["install"]).success();
    assert!(
        again.stdout.starts_with("hooks already installed in "),
        "{again:?}"
    );
}

/// `roadmap-hooks` is the same command whether started through the launcher or as `roadmap`
/// under that name (a symbolic link, as a packager may ship it).
#[test]
fn the_launcher_and_a_link_are_the_same_command() {
    let repo = TestRepo::new();
    let link = repo.sibling("bin/roadmap-hooks");
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(binary("roadmap"), &link).unwrap();
    let via_launcher = repo.roadmap_hooks(&["--version"]).success();
    let via_link = repo
        .run_program_in(&repo.root, &link, ["--version"])
        .success();
    assert_eq!(via_launcher.stdout, via_link.stdout);
    assert!(
        via_launcher.stdout.starts_with("roadmap-hooks "),
        "{via_launcher:?}"
    );
}

/// Without the `roadmap` beside it the launcher says which file is missing; run as a hook (an
/// older install's), it still never fails git.
#[test]
fn the_launcher_without_roadmap_beside_it() {
    let repo = TestRepo::new();
    let alone = repo.sibling("alone/roadmap-hooks");
    fs::create_dir_all(alone.parent().unwrap()).unwrap();
    fs::copy(binary("roadmap-hooks"), &alone).unwrap();
    let missing = alone.with_file_name("roadmap");

    let status = repo.run_program_in(&repo.root, &alone, ["status"]);
    assert_eq!(status.status, 1, "{status:?}");
    assert!(
        status.stderr.starts_with(&format!(
            "roadmap-hooks: cannot run {}: ",
            missing.display()
        )),
        "{status:?}"
    );
    let hook = repo.run_program_in(&repo.root, &alone, ["hook", "post-commit"]);
    assert_eq!(hook.status, 0, "{hook:?}");
}

/// A panic inside a hook's sync: git succeeds, stderr gets one line, and the hook log holds
/// the panic with a backtrace whose frames name file and line (read from the debug info).
#[test]
fn a_panic_in_a_hook_is_logged_with_file_and_line() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha"));
    repo.roadmap_hooks(&["install"]).success();
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.git(&["add", "-A"]);
    let panic_at = [("ROADMAP_HOOKS_TEST_PAUSE", "panic-written")];
    let run = repo.try_git_with_env(&repo.root, &["commit", "-q", "-m", "add beta"], &panic_at);
    assert_eq!(run.status, 0, "{run:?}");

    let log = repo.root.join(".git/roadmap/hooks.log");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(
        lines[0].starts_with("roadmap-hooks: post-commit: internal error at src/sync/mod.rs:"),
        "{run:?}"
    );
    assert!(
        lines[0].ends_with(&format!(" (logged in {})", log.display())),
        "{run:?}"
    );
    let text = fs::read_to_string(&log).unwrap();
    assert!(text.contains("test panic at written"), "{text}");
    assert!(has_frame_at(&text, "src/sync/incremental.rs"), "{text}");
}

/// Whether a backtrace in `text` has a frame `at .../FILE:LINE:COLUMN`.
fn has_frame_at(text: &str, file: &str) -> bool {
    let needle = format!("{file}:");
    text.lines().any(|line| {
        line.trim_start()
            .strip_prefix("at ")
            .and_then(|place| place.split_once(&needle))
            .is_some_and(|(_, line_number)| line_number.starts_with(|c: char| c.is_ascii_digit()))
    })
}
