//! `roadmap milestone list` in front of roadmap-cli 1.0.2: ours when exact
//! ([`crate::lines::legacy::outputs::milestone_list`]), else the tracker.

use super::legacy_list::issues_as_the_tracker_reads_them;
use super::tracker_front::{hand_over, python_terminal_width};
use super::{CommandError, write_stdout};
use crate::issue::timestamp;
use crate::lines::legacy::milestone_files;
use crate::lines::legacy::outputs::issue_list::Answer;
use crate::lines::legacy::outputs::milestone_list::{MilestoneListArgs, answer};
use std::ffi::OsString;

/// Runs `roadmap milestone list`: ours when exact, else the tracker.
pub fn run(args: &MilestoneListArgs, argv: &[OsString]) -> Result<(), CommandError> {
    let (issues, root) = issues_as_the_tracker_reads_them(argv)?;
    let Some(milestones) = milestone_files::read(&root) else {
        hand_over(argv, "a milestone file the tracker may read differently");
    };
    let now = timestamp::now_key();
    let width = python_terminal_width();
    match answer(args, milestones, issues, now.trim_end_matches('Z'), width) {
        Answer::Print(text) => write_stdout(text.as_bytes()),
        Answer::Forward(reason) => hand_over(argv, reason),
    }
}
