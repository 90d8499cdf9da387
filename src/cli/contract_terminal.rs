//! 0.3.1's Rich reads on a terminal (`status`, `milestone list`, `project list`): the rows we
//! serve piped, laid out at the terminal's width and painted in the tracker's colours by
//! [`crate::lines::contract::outputs::terminal`]. Where Rich would wrap what we lay out (a
//! table wider than the terminal), the tracker answers.

use super::contract_reads::Parsed;
use crate::issue::timestamp;
use crate::lines::contract::outputs::issue_list::Answer;
use crate::lines::contract::outputs::{milestone_list, project_list, terminal};

/// `status`'s answer, already laid out at the terminal's width, in the tracker's styles.
pub(super) fn status(answer: Answer) -> Answer {
    answer.restyled(terminal::styled_status)
}

/// `milestone list` or `project list` (the rich format) on a terminal `width` cells wide.
pub(super) fn list(
    words: &[&str],
    parsed: &Parsed,
    roadmap_dir: &std::path::Path,
    width: usize,
) -> Answer {
    let snapshot = match super::contract_planning::tallied_snapshot(
        roadmap_dir,
        crate::lines::contract::outputs::planning::tally::Precision::Tenths,
    ) {
        Ok(snapshot) => snapshot,
        Err(answer) => return answer,
    };
    let answer = match words {
        ["milestone", "list"] => milestone_list::answer_on_terminal(
            &snapshot,
            parsed.has("--overdue"),
            &timestamp::now_key(),
            width,
        ),
        ["project", "list"] => project_list::answer_on_terminal(&snapshot, width),
        _ => return Answer::Forward("a command without an answer of ours on a terminal".into()),
    };
    answer.restyled(terminal::styled)
}
