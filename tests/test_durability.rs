//! File writes that survive faults and power cuts: a move never leaves the issue at two paths,
//! whatever step fails; every rename, link and unlink of a roadmap file is followed by an fsync
//! of its folder before the command reports success, once per folder per batch.

use crate::common::{IssueSpec, Run, TestRepo, binary, hermetic};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `roadmap ARGS` in `repo` with extra environment variables.
fn roadmap_with(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary("roadmap"));
    hermetic(&mut command).args(args).current_dir(&repo.root);
    for (name, value) in env {
        command.env(name, value);
    }
    Run::from_output(command.output().expect("run roadmap"))
}

/// Every file under `.roadmap/` whose name starts with `id`, relative to the repository.
fn files_of(repo: &TestRepo, id: &str) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, id: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, id, out);
            } else if entry.file_name().to_string_lossy().starts_with(id) {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo.root.join(".roadmap"), &repo.root, id, &mut out);
    out.sort();
    out
}

#[test]
fn a_move_that_fails_midway_leaves_one_copy_and_the_cache_agrees() {
    let repo = TestRepo::new();
    let spec = IssueSpec::new("0000000a", "Alpha").milestone("v1");
    let old_path = repo.commit_issue(&spec);
    let before = std::fs::read_to_string(repo.root.join(&old_path)).unwrap();
    repo.listed(&[]);

    // The step that takes the file from its old path fails.
    let run = roadmap_with(
        &repo,
        &["update", "0000000a", "--milestone", "v2"],
        &[("ROADMAP_TEST_FS_FAIL", "move")],
    );
    assert_eq!(run.status, 255, "an I/O failure: {run:?}");
    assert!(run.stderr.contains("0000000a-alpha.md"), "{}", run.stderr);
    assert_eq!(files_of(&repo, "0000000a"), [old_path.as_str()], "one copy");
    assert_eq!(
        std::fs::read_to_string(repo.root.join(&old_path)).unwrap(),
        before,
        "the state before the move, byte for byte"
    );
    assert_eq!(repo.listed(&[]), repo.scanned(), "the cache agrees");

    // Run again without the fault: the state after, at one path.
    repo.roadmap(&["update", "0000000a", "--milestone", "v2"])
        .success();
    let moved = spec.clone().milestone("v2").path();
    assert_eq!(files_of(&repo, "0000000a"), [moved]);
    assert_eq!(repo.listed(&[]), repo.scanned());
}

#[test]
fn a_move_that_cannot_be_undone_either_stays_at_one_path_and_is_recorded() {
    let repo = TestRepo::new();
    let old_path = repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    repo.listed(&[]);
    let run = roadmap_with(
        &repo,
        &[
            "update",
            "0000000a",
            "--milestone",
            "v2",
            "--status",
            "blocked",
        ],
        &[("ROADMAP_TEST_FS_FAIL", "move,move-rollback")],
    );
    assert_eq!(run.status, 255, "{run:?}");
    assert!(
        run.stderr.contains("it stays here with the new content"),
        "{}",
        run.stderr
    );
    assert_eq!(files_of(&repo, "0000000a"), [old_path.as_str()], "one copy");
    let text = std::fs::read_to_string(repo.root.join(&old_path)).unwrap();
    assert!(text.contains("status: blocked\n"), "{text}");
    // The cache shows what the working tree holds: the write is recorded where it landed.
    let listed = repo.listed(&[]);
    assert_eq!(listed, repo.scanned());
    assert_eq!(listed[0]["status"], "blocked");
    assert_eq!(listed[0]["path"], old_path.as_str());
}

/// The folder-entry changes and folder fsyncs a command made, from its trace file.
struct Trace {
    lines: Vec<String>,
}

impl Trace {
    fn of(path: &Path) -> Trace {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let _ = std::fs::remove_file(path);
        Trace {
            lines: text.lines().map(str::to_owned).collect(),
        }
    }

    /// The paths whose folder entries a line changed (both names of a rename).
    fn changed(line: &str) -> Vec<PathBuf> {
        let mut words = line.split(' ');
        match words.next() {
            Some("rename" | "link") => words
                .skip(usize::from(line.starts_with("link")))
                .map(PathBuf::from)
                .collect(),
            Some("unlink" | "mkdir") => words.map(PathBuf::from).collect(),
            _ => Vec::new(),
        }
    }

    /// Every change of an entry under `.roadmap/` or of the pending records is followed by an
    /// fsync of its folder before the next change of the pending records (which must not name
    /// a write a power cut could undo), or before the end.
    #[track_caller]
    fn assert_folders_synced(&self) {
        for (at, line) in self.lines.iter().enumerate() {
            for path in Self::changed(line) {
                let text = path.display().to_string();
                if !text.contains("/.roadmap/") && !text.contains("pending-writes.json") {
                    continue;
                }
                let folder = format!("fsync-dir {}", path.parent().unwrap().display());
                let rest = &self.lines[at + 1..];
                let until = if text.contains("pending-writes.json") {
                    rest.len()
                } else {
                    rest.iter()
                        .position(|l| l.contains("pending-writes.json"))
                        .unwrap_or(rest.len())
                };
                assert!(
                    rest[..until].contains(&folder),
                    "`{line}` is not followed by `{folder}` in time:\n{}",
                    self.lines.join("\n")
                );
            }
        }
    }

    fn count(&self, line: &str) -> usize {
        self.lines.iter().filter(|l| *l == line).count()
    }
}

#[test]
fn every_rename_link_and_unlink_of_a_write_is_followed_by_a_folder_fsync() {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    let trace_file = repo.sibling("fs-trace");
    let env = [("ROADMAP_TEST_FS_TRACE", trace_file.to_str().unwrap())];
    for args in [
        &["create", "Beta", "--body", "B"][..],
        &["update", "0000000a", "--status", "blocked"],
        &["update", "0000000a", "--milestone", "v2"],
        &["archive", "0000000a"],
    ] {
        roadmap_with(&repo, args, &env).success();
        let trace = Trace::of(&trace_file);
        let kind = if args[0] == "create" {
            "link "
        } else {
            "rename "
        };
        assert!(
            trace
                .lines
                .iter()
                .any(|l| l.starts_with(kind) && l.contains("/.roadmap/")),
            "{args:?} traced no {kind}of an issue file:\n{}",
            trace.lines.join("\n")
        );
        trace.assert_folders_synced();
    }
}

#[test]
fn a_sync_pulling_many_files_into_one_folder_fsyncs_it_once() {
    use crate::common::mirrored::Mirrored;
    let m = Mirrored::new();
    for n in 0..5 {
        m.github.state().add_issue(&format!("Pulled {n}"), "", &[]);
    }
    let trace_file = m.repo.sibling("fs-trace");
    m.sync_with(
        &[],
        &[
            ("GH_ENTERPRISE_TOKEN", crate::common::github_server::TOKEN),
            ("ROADMAP_TEST_FS_TRACE", trace_file.to_str().unwrap()),
        ],
    )
    .success();
    let trace = Trace::of(&trace_file);
    trace.assert_folders_synced();
    let links: Vec<&String> = trace
        .lines
        .iter()
        .filter(|l| l.starts_with("link ") && l.contains("/.roadmap/issues/"))
        .collect();
    assert_eq!(links.len(), 5, "{}", trace.lines.join("\n"));
    let folder = Trace::changed(links[0])[0]
        .parent()
        .unwrap()
        .display()
        .to_string();
    assert_eq!(
        trace.count(&format!("fsync-dir {folder}")),
        1,
        "{}",
        trace.lines.join("\n")
    );
}
