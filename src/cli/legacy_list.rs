//! `roadmap issue list` in front of roadmap-cli 1.0.2: the checks that let us answer (output
//! piped, the workspace's root, no file the tracker reads otherwise), the cache read as the
//! tracker reads the files, and the answer of [`crate::lines::legacy::outputs::issue_list`].
//! A 0.2-contract workspace goes to [`super::contract_list`].

use super::tracker_front::{Outputs, hand_over, outputs_we_follow, python_terminal_width};
use super::{CommandError, write_stdout};
use crate::cache::Cache;
use crate::cache::query::TrackerIssueRow;
use crate::issue::timestamp;
use crate::lines::legacy::issue_files::closed_as_written;
use crate::lines::legacy::outputs::issue_list::{Answer, TrackerListArgs, answer};
use crate::lines::rich_text;
use std::ffi::OsString;

/// `roadmap issue list`: the tracker's output from the cache, or the tracker itself when ours
/// would not be the same byte for byte (a terminal, the rich format, odd files, ...). On a
/// 0.2-contract workspace with 0.3.x (or no tracker) behind us, 0.3.1's output
/// ([`super::contract_list`]); `args` is `None` when the command line is not 1.0.2's.
pub fn run(args: Option<&TrackerListArgs>, argv: &[OsString]) -> Result<(), CommandError> {
    if let Some(root) = super::contract_list::contract_workspace_root(argv) {
        return super::contract_list::run(argv, &root);
    }
    let Some(args) = args else {
        hand_over(argv, "options roadmap-cli 1.0.2 does not have")
    };
    let (issues, _) = issues_as_the_tracker_reads_them(argv)?;
    let now = timestamp::now_key();
    match answer(args, issues, &now, python_terminal_width()) {
        Answer::Print(text) => write_stdout(text.as_bytes()),
        Answer::Forward(reason) => hand_over(argv, reason),
    }
}

/// The checks every tracker-format answer makes first, handing the command to the tracker when
/// one fails (see [`tracker_cache`]). Returns the active issues as the tracker reads them (the
/// working tree: the cache plus the files that differ from it, as `roadmap list --worktree`)
/// and the repository root.
pub fn issues_as_the_tracker_reads_them(
    argv: &[OsString],
) -> Result<(Vec<TrackerIssueRow>, std::path::PathBuf), CommandError> {
    let (cache, root) = tracker_cache(argv)?;
    // `done`/`completed` from an older tracker read as closed here; roadmap-cli 1.0.2 skips them.
    if let Err(reason) = closed_as_written(&root, &cache.tracker_closed_paths()?) {
        hand_over(argv, reason);
    }
    Ok((cache.tracker_active_issues()?, root))
}

/// Output in the tracker's plain mode, the current directory the root of a git work tree with
/// an initialised `.roadmap/` (the tracker reads the current directory only, and only once it
/// has a config), no unreadable issue file: else the command goes to the tracker. Returns the
/// cache showing the working tree and the repository root.
pub fn tracker_cache(argv: &[OsString]) -> Result<(Cache, std::path::PathBuf), CommandError> {
    if !rich_text::tracker_plain_mode() {
        hand_over(argv, "a terminal (the tracker's colours and layout)");
    }
    let cwd = std::env::current_dir()?;
    let workspace = crate::workspace::Workspace::discover().ok();
    let root = workspace
        .as_ref()
        .and_then(|w| w.work_dir().canonicalize().ok());
    let (Some(workspace), true) = (
        workspace,
        cwd.join(".roadmap").join("config.yaml").is_file() && root == cwd.canonicalize().ok(),
    ) else {
        hand_over(
            argv,
            "not at the root of an initialised roadmap in a git repository",
        )
    };
    match outputs_we_follow(&workspace, &cwd) {
        Ok(Outputs::Legacy) => {}
        Ok(Outputs::Contract) => {
            hand_over(argv, "a 0.2-contract workspace (only issue list is served)")
        }
        Err(reason) => hand_over(argv, &reason),
    }
    let fresh = super::first_use::open(&workspace, false, true)?;
    for warning in &fresh.warnings {
        eprintln!("roadmap: {warning}");
    }
    let unreadable = fresh.cache.invalid_files()?;
    if unreadable
        .iter()
        .any(|(path, _)| path.starts_with(".roadmap/issues/"))
    {
        hand_over(argv, "an issue file we cannot read");
    }
    Ok((fresh.cache, workspace.work_dir().to_owned()))
}
