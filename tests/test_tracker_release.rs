//! Which tracker stands behind us decides what we serve: the legacy line's outputs only when a
//! legacy tracker (or none) is behind a legacy workspace; roadmap-cli 0.2+ behind us, a
//! 0.2-contract workspace, or a release we do not know gets the command. The release is read
//! from the package metadata of the tracker's environment, or asked once and remembered.

use crate::common::{Run, TestRepo, copy_fixture, hermetic};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A tracker installed as pip installs one into a venv: `bin/roadmap` whose `#!` names the
/// venv's `bin/python` (here a link to `/bin/sh`, so the script runs), and
/// `lib/python3.13/site-packages/roadmap_cli-VERSION.dist-info`. It prints its arguments.
fn venv_tracker(dir: &Path, version: &str) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink("/bin/sh", bin.join("python")).unwrap();
    let dist_info = format!("lib/python3.13/site-packages/roadmap_cli-{version}.dist-info");
    fs::create_dir_all(dir.join(dist_info)).unwrap();
    let script = bin.join("roadmap");
    fs::write(
        &script,
        format!(
            "#!{}\nprintf 'tracker got:'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo\n",
            bin.join("python").display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// A tracker with no package metadata beside it: it answers `--version` with `version`, and
/// counts how often it was asked in `asked` beside it.
fn bare_tracker(dir: &Path, version: &str) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let script = dir.join("roadmap");
    let asked = dir.join("asked");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo x >> '{}'; echo 'roadmap, version {version}'; exit 0; fi\n\
             printf 'tracker got:'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo\n",
            asked.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn times_asked(tracker: &Path) -> usize {
    fs::read_to_string(tracker.with_file_name("asked"))
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

fn legacy_repo() -> TestRepo {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-1.0.2");
    repo.write(".roadmap/config.yaml", "");
    repo.commit_all("roadmap data");
    repo
}

/// `roadmap issue list --format csv`, piped, with `tracker` behind us.
fn issue_list_csv(repo: &TestRepo, tracker: &Path) -> Run {
    let mut command = Command::new(crate::common::binary("roadmap"));
    hermetic(&mut command)
        .env("ROADMAP_TRACKER", tracker)
        .args(["issue", "list", "--format", "csv"])
        .current_dir(&repo.root)
        .stdin(Stdio::null());
    Run::from_output(command.output().unwrap())
}

/// 1.0.2's CSV, as we serve it: a `📋` line, then the header.
fn is_served(run: &Run) -> bool {
    run.stdout.starts_with("📋 ") && run.stdout.contains("\nID,Title,Priority,")
}

const FORWARDED: &str = "tracker got: [issue] [list] [--format] [csv]\n";

#[test]
fn a_legacy_tracker_behind_a_legacy_workspace_is_answered_from_the_cache() {
    let repo = legacy_repo();
    for version in ["1.0.2", "0.1.1"] {
        let tracker = venv_tracker(&repo.sibling(&format!("venv-{version}")), version);
        let run = issue_list_csv(&repo, &tracker).success();
        assert!(is_served(&run), "{version}: {}", run.stdout);
    }
}

#[test]
fn roadmap_cli_0_3_behind_us_gets_the_command() {
    let repo = legacy_repo();
    for version in ["0.3.1", "0.2.0", "0.4.0"] {
        let tracker = venv_tracker(&repo.sibling(&format!("venv-{version}")), version);
        let run = issue_list_csv(&repo, &tracker);
        assert_eq!(run.stdout, FORWARDED, "{version}");
    }
}

#[test]
fn a_contract_workspace_gets_the_tracker_even_with_a_legacy_one_behind_us() {
    let repo = legacy_repo();
    repo.write(
        ".roadmap/config.yaml",
        "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  default_project_id: null\n",
    );
    repo.commit_all("migrated");
    let tracker = venv_tracker(&repo.sibling("venv"), "1.0.2");
    assert_eq!(issue_list_csv(&repo, &tracker).stdout, FORWARDED);
}

#[test]
fn a_tracker_without_metadata_is_asked_its_version_once_until_it_changes() {
    let repo = legacy_repo();
    let tracker = bare_tracker(&repo.sibling("bare"), "1.0.2");
    for _ in 0..3 {
        let run = issue_list_csv(&repo, &tracker).success();
        assert!(is_served(&run), "{}", run.stdout);
    }
    assert_eq!(times_asked(&tracker), 1, "the answer is remembered");

    // An upgrade rewrites the script: asked again, and 0.3.1 now gets the command.
    let upgraded = fs::read_to_string(&tracker)
        .unwrap()
        .replace("version 1.0.2", "version 0.3.1");
    fs::write(&tracker, upgraded).unwrap();
    assert_eq!(issue_list_csv(&repo, &tracker).stdout, FORWARDED);
    assert_eq!(issue_list_csv(&repo, &tracker).stdout, FORWARDED);
    assert_eq!(times_asked(&tracker), 2);
}

#[test]
fn version_names_the_trackers_release_and_line_and_the_workspaces_line() {
    let repo = legacy_repo();
    let tracker = venv_tracker(&repo.sibling("venv"), "0.3.1");
    let version = |repo: &TestRepo| {
        let mut command = Command::new(crate::common::binary("roadmap"));
        hermetic(&mut command)
            .env("ROADMAP_TRACKER", &tracker)
            .arg("--version")
            .current_dir(&repo.root);
        Run::from_output(command.output().unwrap()).success().stdout
    };
    let ours = format!("roadmap (roadmap-hooks) {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        version(&repo),
        format!(
            "{ours}\ntracker: roadmap-cli 0.3.1, 0.2 contract (roadmap-cli 0.2+) ({})\n\
             workspace: legacy layout (roadmap-cli 1.0.x / 0.1.x)\n",
            tracker.display()
        )
    );
    repo.write(
        ".roadmap/config.yaml",
        "schema_version: 1\nworkspace_schema_version: 1\n",
    );
    assert!(
        version(&repo).ends_with("\nworkspace: 0.2 contract (roadmap-cli 0.2+)\n"),
        "{}",
        version(&repo)
    );
}

/// A workspace `roadmap migrate` (0.3.1) turned into the 0.2 contract: one issue, committed.
fn contract_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        ".roadmap/config.yaml",
        "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  default_project_id: null\n",
    );
    repo.write(
        ".roadmap/issues/0e93cfa2.md",
        "---\nschema_version: 1\nid: 0e93cfa2\ncreated: '2026-01-01T00:00:00+00:00'\n\
         updated: '2026-01-01T00:00:00+00:00'\nretention: visible\ntitle: Crash\nstatus: todo\n---",
    );
    repo.commit_all("workspace");
    repo
}

#[test]
fn our_writes_never_write_legacy_files_into_a_contract_workspace() {
    let repo = contract_repo();
    let tracker = venv_tracker(&repo.sibling("venv"), "0.3.1");
    let ours = |args: &[&str]| {
        let mut command = Command::new(crate::common::binary("roadmap"));
        hermetic(&mut command)
            .env("ROADMAP_TRACKER", &tracker)
            .args(args)
            .current_dir(&repo.root)
            .stdin(Stdio::null());
        Run::from_output(command.output().unwrap())
    };
    // 0.3.1's lock file appears under .roadmap/db/ once anything writes (0.3.1's `init`
    // git-ignores it; `migrate` does not).
    let status = || {
        repo.git(&["status", "--porcelain", "--untracked-files=all"])
            .lines()
            .filter(|line| !line.contains(".roadmap/db/"))
            .map(|line| format!("{line}\n"))
            .collect::<String>()
    };

    // The file ends `---` with no newline: 0.3.1 cannot read it (nor lists it), so neither
    // spelling touches it.
    for args in [
        &["close", "0e93cfa2"][..],
        &["-C", ".", "issue", "close", "0e93cfa2"],
    ] {
        let run = ours(args);
        assert_eq!(run.status, 1, "{args:?}: {}", run.stderr);
        assert_eq!(status(), "", "{args:?} wrote nothing");
    }

    // The migrated 8-hex file, readable: written in place, as 0.3.1 writes it.
    let path = ".roadmap/issues/0e93cfa2.md";
    let text = std::fs::read_to_string(repo.root.join(path)).unwrap();
    repo.write(path, &format!("{text}\n"));
    repo.commit_all("a readable file");
    ours(&["-C", ".", "issue", "close", "0e93cfa2"]).success();
    ours(&["create", "New one"]).success();
    let changed = status();
    let mut lines = changed.lines();
    assert_eq!(
        lines.next(),
        Some(" M .roadmap/issues/0e93cfa2.md"),
        "{changed}"
    );
    let created = lines.next().unwrap_or_default();
    assert!(
        created.starts_with("?? .roadmap/issues/")
            && created.len() == ".roadmap/issues/".len() + 3 + 36 + 3,
        "a flat <uuid>.md: {changed}"
    );
    let closed = std::fs::read_to_string(repo.root.join(path)).unwrap();
    assert!(
        closed.contains("\nstatus: closed\n") && closed.contains("- action: closed\n"),
        "{closed}"
    );

    // The GitHub sync now speaks the contract (tests/test_remote_contract.rs); without a
    // `sync.yaml` it stops on that, writing nothing.
    let before = status();
    let run = ours(&["sync"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("no .roadmap/sync.yaml"),
        "{}",
        run.stderr
    );
    assert_eq!(status(), before);
}

/// `roadmap-hooks doctor` with `tracker` behind us.
fn doctor(repo: &TestRepo, tracker: &Path) -> Run {
    let mut command = Command::new(crate::common::binary("roadmap-hooks"));
    hermetic(&mut command)
        .env("ROADMAP_TRACKER", tracker)
        .arg("doctor")
        .current_dir(&repo.root);
    Run::from_output(command.output().unwrap())
}

#[test]
fn doctor_says_when_0_3_stands_behind_a_legacy_workspace() {
    let repo = legacy_repo();
    repo.roadmap_hooks(&["install"]).success();
    let tracker = venv_tracker(&repo.sibling("venv"), "0.3.1");
    let run = doctor(&repo, &tracker);
    assert!(
        run.stdout.contains(&format!(
            "problem  tracker: roadmap-cli 0.3.1, 0.2 contract (roadmap-cli 0.2+) ({}) refuses \
             this legacy workspace until it is migrated\n         fix: run `roadmap migrate \
             --dry-run`",
            tracker.display()
        )),
        "{}",
        run.stdout
    );
    let legacy = venv_tracker(&repo.sibling("venv-legacy"), "1.0.2");
    let run = doctor(&repo, &legacy);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("ok       workspace: legacy layout (roadmap-cli 1.0.x / 0.1.x)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn doctor_says_when_the_trackers_journals_are_not_git_ignored() {
    let repo = contract_repo();
    repo.roadmap_hooks(&["install"]).success();
    let tracker = venv_tracker(&repo.sibling("venv"), "0.3.1");
    // The lines 0.3.1's `init` writes (as captured) leave the journals out.
    let by_init = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tracker-0.3.1-cli-output/init-wrote-root-gitignore.txt"),
    )
    .unwrap();
    assert!(by_init.contains(".roadmap/db/*.db"), "{by_init}");
    repo.write(".gitignore", &by_init);
    let run = doctor(&repo, &tracker);
    assert!(
        run.stdout.contains(
            "problem  .roadmap/db/ write journals are not git-ignored, so a commit can take them along\n"
        ),
        "{}",
        run.stdout
    );
    repo.write(".gitignore", ".roadmap/db/\n");
    let run = doctor(&repo, &tracker);
    assert!(
        run.stdout.contains(
            "ok       .roadmap/db/ (the tracker's projection, lock and journals) is git-ignored\n"
        ),
        "{}",
        run.stdout
    );
}
