//! The planning reads of 0.3.1 on a 0.2-contract workspace (`milestone list`, `milestone
//! view`, `project list`, `project view`, `today`): the command line already read by
//! [`super::contract_reads`]'s gate, the workspace read through the bridges, the answer from
//! the pure renderers in [`crate::lines::contract::outputs`].

use super::contract_reads::Parsed;
use super::tracker_front::python_terminal_width;
use crate::issue::timestamp;
use crate::lines::contract::outputs::issue_list::Answer;
use crate::lines::contract::outputs::issue_list::file_rows::read_workspace;
use crate::lines::contract::outputs::issue_list::project_records::read_project_extras;
use crate::lines::contract::outputs::issue_list::records::read_records;
use crate::lines::contract::outputs::milestone_view::{self, Format};
use crate::lines::contract::outputs::planning::{self, Snapshot};
use crate::lines::contract::outputs::{milestone_list, project_list, project_view, today};
use std::path::Path;

/// The reply of the planning command `words`.
pub(super) fn answer(words: &[&str], parsed: &Parsed, roadmap_dir: &Path) -> Answer {
    let workspace =
        match planning::workspace(read_workspace(roadmap_dir), read_records(roadmap_dir)) {
            Ok(workspace) => workspace,
            Err(reason) => return Answer::Forward(reason),
        };
    let snapshot: Snapshot = planning::snapshot(&workspace);
    let format = parsed.value("--format");
    match words {
        ["milestone", "list"] => milestone_list::answer(
            &snapshot,
            parsed.has("--overdue"),
            format.unwrap_or("rich"),
            &timestamp::now_key(),
            python_terminal_width(),
        ),
        ["milestone", "view"] => {
            milestone_view::answer(&snapshot, &parsed.arguments[0], view_format(format))
        }
        ["project", "list"] => {
            project_list::answer(&snapshot, format.unwrap_or("rich"), python_terminal_width())
        }
        ["project", "view"] => match read_project_extras(roadmap_dir) {
            Ok(extras) => project_view::answer(
                &snapshot,
                &extras,
                &parsed.arguments[0],
                view_format(format),
            ),
            Err(_) => Answer::Forward("a project file we do not read as the tracker does".into()),
        },
        _ => Answer::Forward("a command without an answer of ours".into()),
    }
}

/// The reply of `today` for user `me`.
pub(super) fn today(me: &str, roadmap_dir: &Path) -> Answer {
    match planning::workspace(read_workspace(roadmap_dir), read_records(roadmap_dir)) {
        Ok(workspace) => today::answer(&planning::snapshot(&workspace), me, &timestamp::now_key()),
        Err(reason) => Answer::Forward(reason),
    }
}

/// `--format plain|json` of the view commands (click has checked the choice).
fn view_format(format: Option<&str>) -> Format {
    match format {
        Some("json") => Format::Json,
        _ => Format::Plain,
    }
}
