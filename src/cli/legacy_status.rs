//! `roadmap status` in front of roadmap-cli 1.0.2: issue counts from the cache (working tree
//! included), milestones and projects from their files, the answer from
//! [`crate::lines::legacy::outputs::status`]. Served only when the output is piped and every
//! file is in a shape the tracker reads as we do; anything else goes to the tracker.

use super::legacy_list::tracker_cache;
use super::tracker_front::hand_over;
use super::{CommandError, write_stdout};
use crate::lines::legacy::issue_files::{closed_as_written, tracker_reads_what_we_cache};
use crate::lines::legacy::outputs::issue_list::Answer;
use crate::lines::legacy::outputs::status::{Snapshot, StatusArgs, answer};
use crate::lines::legacy::{milestone_files, project_files};
use std::ffi::OsString;

/// Runs `roadmap status`: ours when exact, else the tracker.
pub fn run(args: &StatusArgs, argv: &[OsString]) -> Result<(), CommandError> {
    if args.output.is_some()
        || args
            .format
            .as_ref()
            .is_some_and(|f| !f.eq_ignore_ascii_case("rich"))
    {
        hand_over(argv, "a --format or --output other than the rich table");
    }
    if let Err(reason) = styled_output() {
        hand_over(argv, reason);
    }
    let (cache, root) = tracker_cache(argv)?;
    if let Err(reason) = tracker_reads_what_we_cache(&root, &cache) {
        hand_over(argv, reason);
    }
    if let Err(reason) = closed_as_written(&root, &cache.tracker_closed_paths()?) {
        hand_over(argv, reason);
    }
    let unreadable = cache.invalid_files()?;
    if unreadable
        .iter()
        .any(|(path, _)| path.starts_with(".roadmap/archive/issues/"))
    {
        hand_over(argv, "an archived issue file we cannot read");
    }
    let Some(milestones) = milestone_files::read(&root) else {
        hand_over(argv, "a milestone file the tracker may read differently");
    };
    let Some(archived_milestones) = milestone_files::count_archived(&root) else {
        hand_over(
            argv,
            "an archived milestone the tracker may read differently",
        );
    };
    let Some(projects) = project_files::count(&root) else {
        hand_over(argv, "a project file the tracker may read differently");
    };
    let open = milestones.iter().filter(|m| m.status == "open").count();
    let snapshot = Snapshot {
        projects,
        milestones: [open, milestones.len() - open],
        archived_milestones,
        issues: cache.tracker_status_counts()?,
    };
    match answer(&snapshot, terminal_width()) {
        Answer::Print(text) => write_stdout(text.as_bytes()),
        Answer::Forward(reason) => hand_over(argv, reason),
    }
}

/// The tracker's tables carry bold and italic codes whenever stdout is a terminal or
/// `FORCE_COLOR` asks for colour: then ours would differ.
fn styled_output() -> Result<(), &'static str> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        return Err("a terminal (the tracker's styles)");
    }
    let force = std::env::var("FORCE_COLOR").unwrap_or_default();
    if ["1", "true", "yes"].contains(&force.to_ascii_lowercase().as_str()) {
        return Err("FORCE_COLOR");
    }
    Ok(())
}

/// `shutil.get_terminal_size().columns` with stdout piped: `COLUMNS` when it is a positive
/// number, else 80.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .unwrap_or(80)
}
