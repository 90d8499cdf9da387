//! 0.3.1's Rich reads on a terminal (`status`, `milestone list`, `project list`): the rows we
//! serve piped, laid out at the terminal's width and painted in the tracker's colours by
//! [`crate::lines::contract::outputs::terminal`]. Where Rich would shrink or wrap what we lay
//! out (a terminal narrower than the table), the tracker answers.

use super::contract_reads::Parsed;
use crate::issue::timestamp;
use crate::lines::contract::outputs::issue_list::Answer;
use crate::lines::contract::outputs::issue_list::file_rows::read_workspace;
use crate::lines::contract::outputs::issue_list::records::read_records;
use crate::lines::contract::outputs::planning;
use crate::lines::contract::outputs::{milestone_list, project_list, terminal};
use crate::lines::rich_text;

/// `status`'s piped `answer` as a terminal `width` cells wide shows it. Its tables have
/// declared widths that Rich keeps while they fit, so the piped lines are the terminal's when
/// the widest fits; a narrower terminal gets Rich's shrunken columns (cut with `…`): the
/// tracker's.
pub(super) fn status(answer: Answer, width: usize) -> Answer {
    match answer {
        Answer::Reply(mut reply) => {
            if reply
                .stdout
                .lines()
                .any(|line| rich_text::cell_len(line) > width)
            {
                return Answer::Forward(format!(
                    "status on a {width}-column terminal (Rich shrinks its columns)"
                ));
            }
            reply.stdout = terminal::styled_status(&reply.stdout);
            Answer::Reply(reply)
        }
        forward => forward,
    }
}

/// `milestone list` or `project list` (the rich format) on a terminal `width` cells wide.
pub(super) fn list(
    words: &[&str],
    parsed: &Parsed,
    roadmap_dir: &std::path::Path,
    width: usize,
) -> Answer {
    let workspace =
        match planning::workspace(read_workspace(roadmap_dir), read_records(roadmap_dir)) {
            Ok(workspace) => workspace,
            Err(reason) => return Answer::Forward(reason),
        };
    let snapshot = planning::snapshot(&workspace);
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
    match answer {
        Answer::Reply(mut reply) => {
            reply.stdout = terminal::styled(&reply.stdout);
            Answer::Reply(reply)
        }
        forward => forward,
    }
}
