//! `roadmap-hooks doctor`: checks everything the hooks, the merge driver and the cache depend
//! on, and says how to fix each problem found.

use crate::cache::{Cache, CacheError};
use crate::git::read_head_stamp;
use crate::hooks::{self, HookState, merge_config, script};
use crate::lines::{self, Line};
use crate::sync::short;
use crate::tracker;
use crate::workspace::{LockPurpose, RepoDirs, Workspace};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// One finding: what was checked, whether it is a problem, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub problem: bool,
    pub what: String,
    pub fix: Option<String>,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Self {
        Finding {
            problem: false,
            what: what.into(),
            fix: None,
        }
    }

    fn problem(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Finding {
            problem: true,
            what: what.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Runs every check for the worktree of `workspace`.
#[must_use]
pub fn examine(workspace: &Workspace) -> Vec<Finding> {
    let dirs = workspace.dirs();
    let mut findings = hook_findings(workspace.work_dir());
    findings.push(merge_driver_finding(workspace.work_dir()));
    findings.push(lock_finding(workspace));
    findings.extend(cache_findings(dirs));
    findings.extend(tracker_findings(workspace));
    findings
}

/// The workspace's line, the tracker behind us, whether they fit, and whether the 0.2
/// tracker's private folder `.roadmap/db/` (its projection, lock and write journals, which
/// 0.3.1 does not all git-ignore) is kept out of commits.
#[must_use]
pub fn tracker_findings(workspace: &Workspace) -> Vec<Finding> {
    let roadmap_dir = workspace.work_dir().join(".roadmap");
    if !roadmap_dir.is_dir() {
        return Vec::new();
    }
    let line = lines::workspace_line(&roadmap_dir);
    let mut findings = vec![Finding::ok(format!("workspace: {}", line.describe()))];
    let tracker = tracker::find(workspace.work_dir());
    let release = match &tracker {
        Ok(Some(found)) => tracker::release::release(found, Some(&workspace.cache_dir())),
        _ => None,
    };
    findings.push(match (&tracker, release.as_ref().and_then(|r| r.line)) {
        (Ok(None), _) => Finding::ok("tracker: not installed (pipx install roadmap-cli)"),
        (Err(e), _) => Finding::problem(format!("tracker: {e}"), "fix or unset that setting"),
        (Ok(Some(found)), tracker_line) => {
            let what = format!(
                "tracker: {} ({})",
                tracker::release::describe(release.as_ref()),
                found.path.display()
            );
            match (line, tracker_line) {
                (Line::Legacy, Some(Line::Contract)) => Finding::problem(
                    format!("{what} refuses this legacy workspace until it is migrated"),
                    "run `roadmap migrate --dry-run` to see what the tracker's migration changes, \
                     then `roadmap migrate --yes` and commit",
                ),
                (Line::Contract, Some(Line::Legacy)) => Finding::problem(
                    format!("{what} cannot read this 0.2-contract workspace"),
                    "run `pipx install --force roadmap-cli` for 0.3.x",
                ),
                _ => Finding::ok(what),
            }
        }
    });
    if roadmap_dir.join("db").is_dir() || line == Line::Contract {
        findings.push(db_ignored_finding(workspace.work_dir()));
    }
    findings
}

/// Whether a write journal under `.roadmap/db/transactions/` would be left out of a commit.
fn db_ignored_finding(work_dir: &Path) -> Finding {
    let probe = ".roadmap/db/transactions/0/journal.json";
    let ignored = std::process::Command::new("git")
        .args(["check-ignore", "-q", "--no-index", probe])
        .current_dir(work_dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if ignored {
        Finding::ok(".roadmap/db/ (the tracker's projection, lock and journals) is git-ignored")
    } else {
        Finding::problem(
            ".roadmap/db/ write journals are not git-ignored, so a commit can take them along",
            "add `.roadmap/db/` to .gitignore (and `git rm -r --cached .roadmap/db` if committed)",
        )
    }
}

fn hook_findings(work_dir: &Path) -> Vec<Finding> {
    let dir = match hooks::locate(work_dir) {
        Ok(dir) => dir,
        Err(e) => {
            return vec![Finding::problem(
                format!("hooks directory: {e}"),
                "check `git rev-parse --git-path hooks`",
            )];
        }
    };
    let mut findings = vec![Finding::ok(format!(
        "hooks directory {}",
        dir.path.display()
    ))];
    for name in hooks::HOOKS {
        let path = dir.path.join(name);
        let state = hooks::state(&dir.path, name);
        if !state.is_installed() {
            let what = match state {
                HookState::NotOurs => format!("{name}: your hook is there without our block"),
                _ => format!("{name}: not installed"),
            };
            findings.push(Finding::problem(what, "run `roadmap-hooks install`"));
            continue;
        }
        let executable =
            std::fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
        if !executable {
            findings.push(Finding::problem(
                format!("{name}: not executable, so git skips it"),
                format!("run `chmod +x {}`", path.display()),
            ));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        match script::binary_in_block(&text) {
            Some(binary) if is_executable(Path::new(&binary)) => {
                findings.push(Finding::ok(format!("{name}: installed, runs {binary}")));
            }
            Some(binary) => findings.push(Finding::problem(
                format!("{name}: runs {binary}, which is missing"),
                "run `roadmap-hooks install` with the binary you use now",
            )),
            None => findings.push(Finding::problem(
                format!("{name}: our block is damaged"),
                "run `roadmap-hooks uninstall` then `roadmap-hooks install`",
            )),
        }
    }
    findings
}

/// The merge driver is optional (`install --no-merge-driver`); half of it, or a driver whose
/// binary is gone (git then merges as text), is a problem.
fn merge_driver_finding(work_dir: &Path) -> Finding {
    let registration = match merge_config::state(work_dir) {
        Ok(registration) => registration,
        Err(e) => {
            return Finding::problem(
                format!("merge driver: {e}"),
                "check `git config --local --get merge.roadmap.driver`",
            );
        }
    };
    let reinstall = "run `roadmap-hooks install` with the binary you use now";
    match (&registration.binary, registration.attributes) {
        (None, false) if registration.command.is_none() => {
            Finding::ok("merge driver: not registered; issue files merge as plain text")
        }
        (None, false) => Finding::ok(
            "merge driver: merge.roadmap.driver is a command of yours; ours is not registered",
        ),
        (Some(binary), true) if is_executable(Path::new(binary)) => {
            Finding::ok(format!("merge driver: registered, runs {binary}"))
        }
        (Some(binary), true) => Finding::problem(
            format!(
                "merge driver: runs {binary}, which is missing; issue files merge as plain text"
            ),
            reinstall,
        ),
        (_, true) => Finding::problem(
            "merge driver: merge.roadmap.driver is not ours or not set",
            reinstall,
        ),
        (_, false) => Finding::problem(
            format!(
                "merge driver: configured, but {} does not send issue files to it",
                registration.attributes_path.display()
            ),
            reinstall,
        ),
    }
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn lock_finding(workspace: &Workspace) -> Finding {
    let path = workspace.cache_dir().join(LockPurpose::Probe.file_name());
    match workspace.lock(LockPurpose::Probe) {
        Ok(Some(_lock)) => Finding::ok("sync lock free"),
        Ok(None) => Finding::problem(
            format!("sync lock {} is held by another process", path.display()),
            "wait for the running sync; if it never ends, find it with `fuser` and stop it",
        ),
        Err(e) => Finding::problem(
            format!("sync lock {}: {e}", path.display()),
            "check the folder's permissions",
        ),
    }
}

fn cache_findings(dirs: &RepoDirs) -> Vec<Finding> {
    let cache = match Cache::open_existing(&dirs.cache_dir()) {
        Ok(cache) => cache,
        Err(CacheError::Missing(_)) => {
            return vec![Finding::problem("no cache yet", "run `roadmap-hooks sync`")];
        }
        Err(e) => {
            return vec![Finding::problem(
                format!("cache: {e}"),
                "run `roadmap-hooks sync --full`",
            )];
        }
    };
    let mut findings = Vec::new();
    match cache.check_integrity() {
        Ok(()) => findings.push(Finding::ok(format!(
            "cache {} passes SQLite's integrity check",
            cache.path().display()
        ))),
        Err(e) => findings.push(Finding::problem(
            e.to_string(),
            "run `roadmap-hooks sync --full`",
        )),
    }
    let last = cache
        .last_synced_commit()
        .ok()
        .flatten()
        .unwrap_or_default();
    let head = read_head_stamp(dirs);
    match head.as_synced_commit() {
        Some(head) if head == last => {
            findings.push(Finding::ok(format!("cache holds HEAD {}", short(head))))
        }
        head => findings.push(Finding::problem(
            format!(
                "cache holds {} but HEAD is {}",
                short(if last.is_empty() { "nothing" } else { &last }),
                head.map_or("unknown", short)
            ),
            "run `roadmap-hooks sync` (the next `roadmap list` does it too)",
        )),
    }
    match cache.missing_order_indexes() {
        Ok(missing) if missing.is_empty() => {}
        Ok(missing) if crate::sync::order_index_builder::running(&dirs.cache_dir()) => {
            findings.push(Finding::ok(format!(
                "{} order indexes being built in the background after a rebuild",
                missing.len()
            )));
        }
        Ok(missing) => findings.push(Finding::problem(
            format!(
                "{} order indexes missing ({}): lists in their orders sort instead",
                missing.len(),
                missing.join(", ")
            ),
            "run `roadmap-hooks sync` (it starts their builder)",
        )),
        Err(e) => findings.push(Finding::problem(
            e.to_string(),
            "run `roadmap-hooks sync --full`",
        )),
    }
    if let Ok(invalid) = cache.invalid_files() {
        if let Some((path, error)) = invalid.first() {
            findings.push(Finding::problem(
                format!(
                    "{} issue files cannot be read, e.g. {path}: {error}",
                    invalid.len()
                ),
                "fix the files and commit; `roadmap-hooks status` lists them all",
            ));
        }
    }
    findings
}
