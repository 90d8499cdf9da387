//! What every served tracker command shares, on both lines: whose outputs we copy (the
//! workspace's line and the release behind us), handing a command over to the tracker, and
//! the terminal width Python sees.

use crate::lines::{self, Line};
use crate::tracker;
use std::ffi::OsString;
use std::path::Path;

/// Runs the tracker in place of this process (see [`super::forward::forward`]).
pub fn hand_over(argv: &[OsString], reason: &str) -> ! {
    if std::env::var_os("ROADMAP_DEBUG_FORWARD").is_some() {
        eprintln!("roadmap: forwarding to the tracker: {reason}");
    }
    std::process::exit(super::forward::forward(&argv[1..], true))
}

/// Whose outputs a served answer copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outputs {
    /// roadmap-cli 1.0.2's: a legacy workspace, a legacy tracker or none behind us.
    Legacy,
    /// roadmap-cli 0.3.1's: a 0.2-contract workspace, 0.3.x or no tracker behind us.
    Contract,
}

/// Whose outputs a served answer would copy, by the workspace's line and the tracker's
/// release. `Err` (the tracker answers): a workspace of one line with a tracker of the other
/// (0.3.1 refuses a legacy workspace until it is migrated), 0.2.x (whose outputs we did not
/// capture), or a release we do not know.
pub(super) fn outputs_we_follow(
    workspace: &crate::workspace::Workspace,
    cwd: &Path,
) -> Result<Outputs, String> {
    let line = lines::workspace_line(&workspace.work_dir().join(".roadmap"));
    let ours = match line {
        Line::Legacy => Outputs::Legacy,
        Line::Contract => Outputs::Contract,
    };
    let Ok(Some(tracker)) = tracker::find(cwd) else {
        return Ok(ours);
    };
    match tracker::release::release(&tracker, Some(&workspace.cache_dir())) {
        Some(release) if release.line == Some(line) => {
            if line == Line::Contract && !release.version.starts_with("0.3.") {
                return Err(format!(
                    "roadmap-cli {} behind us (we copy 0.3.1's outputs)",
                    release.version
                ));
            }
            Ok(ours)
        }
        Some(release) => Err(format!(
            "roadmap-cli {} behind us, whose outputs we do not copy on this workspace",
            release.version
        )),
        None => Err("a tracker whose release we cannot tell".to_owned()),
    }
}

/// Python's `shutil.get_terminal_size().columns`: `COLUMNS`, else the terminal's, else 80.
pub fn python_terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(super::terminal_width)
        .unwrap_or(80)
}
