//! The planning reads of 0.3.1 on a 0.2-contract workspace (`milestone list`, `milestone
//! view`, `project list`, `project view`, `today`): the command line already read by
//! [`super::contract_reads`]'s gate, the issues from the cache (the working tree looked at
//! first) and the few project and milestone files read as the tracker reads them, the answer
//! from the pure renderers in [`crate::lines::contract::outputs`].

use super::contract_list::{cached, cached_sources};
use super::contract_reads::Parsed;
use super::tracker_front::python_terminal_width;
use crate::cache::contract_query::{ContractIssueRow, ContractMilestone, IssueRead};
use crate::issue::timestamp;
use crate::lines::contract::outputs::issue_list::file_rows::{
    read_issue_files, read_milestones, read_workspace,
};
use crate::lines::contract::outputs::issue_list::project_records::read_project_extras;
use crate::lines::contract::outputs::issue_list::records::{
    read_issue_records, read_planning_records, read_records,
};
use crate::lines::contract::outputs::issue_list::row::Unread;
use crate::lines::contract::outputs::issue_list::{Answer, sources};
use crate::lines::contract::outputs::milestone_view::{self, Format};
use crate::lines::contract::outputs::planning::tally::Precision;
use crate::lines::contract::outputs::planning::{self, Snapshot, Workspace};
use crate::lines::contract::outputs::{milestone_list, project_list, project_view, today};
use std::path::{Path, PathBuf};

/// The reply of the planning command `words`.
pub(super) fn answer(words: &[&str], parsed: &Parsed, roadmap_dir: &Path) -> Answer {
    let format = parsed.value("--format");
    let read = match words {
        ["milestone" | "project", "list"] => tallied_snapshot(roadmap_dir, Precision::Tenths),
        ["project", "view"] => tallied_snapshot(roadmap_dir, Precision::Exact),
        ["milestone", "view"] => milestone_view_snapshot(&parsed.arguments[0], roadmap_dir),
        _ => snapshot(roadmap_dir),
    };
    let mut snapshot = match read {
        Ok(snapshot) => snapshot,
        Err(answer) => return answer,
    };
    // `milestone view --format json` prints its issues' whole records: their files hold them.
    if words == ["milestone", "view"] && format == Some("json") {
        snapshot = match with_whole_issues(snapshot, &parsed.arguments[0], roadmap_dir) {
            Some(snapshot) => snapshot,
            None => {
                match Workspace::from_files(read_workspace(roadmap_dir), read_records(roadmap_dir))
                {
                    Ok(workspace) => planning::snapshot(workspace),
                    Err(answer) => return answer,
                }
            }
        };
    }
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

/// The reply of `today` for user `me`: from the issues assigned to `me` alone (an index seek)
/// when the cache can answer, the tallies vouching for the rest as for `status`; else from
/// every issue.
pub(super) fn today(me: &str, roadmap_dir: &Path) -> Answer {
    let now = timestamp::now_key();
    if let Some(answer) = today_from_mine(me, roadmap_dir, &now) {
        return answer;
    }
    match snapshot(roadmap_dir) {
        Ok(snapshot) => today::answer(&snapshot, me, &now),
        Err(answer) => answer,
    }
}

/// `today` from `me`'s issues: the tracker's reply prints nothing of the others (neither their
/// rows nor the milestones' sums), which its snapshot reads only to build. `None` when the
/// cache cannot answer.
fn today_from_mine(me: &str, roadmap_dir: &Path, now: &str) -> Option<Answer> {
    let root = roadmap_dir.parent()?;
    let me_owned = me.to_owned();
    let (tallied, mine) = cached(root, move |cache, root, listing| {
        let tallied = sources::read_tallies(cache, root, listing)?;
        Ok((tallied, cache.contract_issues_assigned(&me_owned)?))
    })
    .ok()?;
    // Every issue vouched for (as `status` has them), or the tracker's reply.
    let issues = tallied.tallies.map(|_| mine);
    Some(
        match cached_workspace(tallied.milestones, issues, roadmap_dir) {
            Ok(workspace) => today::answer(&planning::snapshot(workspace), me, now),
            Err(answer) => answer,
        },
    )
}

/// `Planning.snapshot()` of the workspace as the tracker reads it (see [`workspace`]), or the
/// reply instead (the tracker's answer, or our refusal of a conflicted record).
pub(super) fn snapshot(roadmap_dir: &Path) -> Result<Snapshot, Answer> {
    workspace(roadmap_dir).map(planning::snapshot)
}

/// The snapshot `milestone list`, `project list` and `project view` print (no issues in it),
/// from the cache's tallies (see [`planning::tally`]) when it can answer and its sums are the
/// tracker's as far as `precision` asks; else [`snapshot`].
pub(super) fn tallied_snapshot(
    roadmap_dir: &Path,
    precision: Precision,
) -> Result<Snapshot, Answer> {
    let root = roadmap_dir.parent().unwrap_or(roadmap_dir);
    let Ok(tallied) = cached(root, sources::read_tallies) else {
        return snapshot(roadmap_dir);
    };
    // The tracker's reply for an unreadable document, in the order `workspace` finds it.
    let issues = tallied
        .tallies
        .as_ref()
        .map(|_| Vec::new())
        .map_err(Clone::clone);
    let workspace = cached_workspace(tallied.milestones, issues, roadmap_dir)?;
    let tallies = tallied.tallies.unwrap_or_default();
    match planning::tally::snapshot_from_tallies(
        &workspace.projects,
        &workspace.milestones,
        &tallies,
        precision,
    ) {
        Some(snapshot) => Ok(snapshot),
        None => snapshot(roadmap_dir),
    }
}

/// The snapshot `milestone view supplied` prints from: the shown milestone's issues alone (a
/// seek of the milestone index) when the cache can answer, its tallies vouching for the other
/// issues as for `status` and counting as many issues of that milestone as the seek found (a
/// row showing a stale milestone name would otherwise go missing); else [`snapshot`]. The
/// tracker's reply prints that milestone's summary and issues, nothing of the others.
fn milestone_view_snapshot(supplied: &str, roadmap_dir: &Path) -> Result<Snapshot, Answer> {
    let root = roadmap_dir.parent().unwrap_or(roadmap_dir);
    let wanted = supplied.to_owned();
    let read = cached(root, move |cache, root, listing| {
        let tallied = sources::read_tallies(cache, root, listing)?;
        let shown = match &tallied.milestones {
            Ok(milestones) => shown_milestone(milestones, &wanted).cloned(),
            Err(_) => None,
        };
        let issues = match &shown {
            Some(shown) => cache.contract_issues_of_milestone(&shown.id, &shown.name)?,
            None => Vec::new(),
        };
        Ok((tallied, shown.map(|shown| shown.id), issues))
    });
    let Ok((tallied, shown, issues)) = read else {
        return snapshot(roadmap_dir);
    };
    let Ok(tallies) = &tallied.tallies else {
        return snapshot(roadmap_dir);
    };
    let counted: u64 = tallies
        .iter()
        .filter(|tally| shown.is_some() && tally.milestone_id == shown)
        .map(|tally| tally.files)
        .sum();
    if usize::try_from(counted) != Ok(issues.len()) {
        return snapshot(roadmap_dir);
    }
    let workspace = cached_workspace(tallied.milestones, Ok(issues), roadmap_dir)?;
    let partial = planning::snapshot(workspace);
    // The milestone shown must be the one whose issues were read.
    if milestone_view::shown_id(&partial, supplied) != shown {
        return snapshot(roadmap_dir);
    }
    Ok(partial)
}

/// The milestone `milestone view supplied` resolves to among the cache's, as the tracker
/// resolves it among the visible ones sorted by name (see [`milestone_view::resolve`]).
fn shown_milestone<'a>(
    milestones: &'a [ContractMilestone],
    supplied: &str,
) -> Option<&'a ContractMilestone> {
    let mut visible: Vec<&ContractMilestone> = milestones.iter().filter(|m| m.visible).collect();
    visible.sort_by(|a, b| a.name.cmp(&b.name));
    let pairs: Vec<(&str, &str)> = visible
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str()))
        .collect();
    milestone_view::resolve(&pairs, supplied, "Milestone")
        .ok()
        .map(|index| visible[index])
}

/// The workspace as the tracker reads it, or the reply instead. The issues come
/// from the cache unless it cannot answer (a busy lock, a rebuild): then every file is read,
/// as before there was a cache (seconds at 100k issues).
fn workspace(roadmap_dir: &Path) -> Result<Workspace, Answer> {
    let root = roadmap_dir.parent().unwrap_or(roadmap_dir);
    if let Ok(sources) = cached_sources(root, IssueRead::InFileOrder) {
        return cached_workspace(sources.milestones, sources.issues, roadmap_dir);
    }
    Workspace::from_files(read_workspace(roadmap_dir), read_records(roadmap_dir))
}

/// The workspace of `issues` read from the cache, its milestone files vouched for by the cache
/// (`milestones`): their fields beyond the cache's own are read here, with the projects.
fn cached_workspace(
    milestones: Result<Vec<ContractMilestone>, Unread>,
    issues: Result<Vec<ContractIssueRow>, Unread>,
    roadmap_dir: &Path,
) -> Result<Workspace, Answer> {
    Workspace::with_cached_issues(
        issues,
        milestones.and_then(|_| read_milestones(roadmap_dir)),
        read_planning_records(roadmap_dir),
    )
}

/// `snapshot` with the whole records of the issues `milestone view supplied` shows, read from
/// their files (`issues/<id>.md`) alone; `None` when those files cannot be told apart by id
/// (two files with one id, a file holding another id): the caller reads every file.
fn with_whole_issues(
    mut snapshot: Snapshot,
    supplied: &str,
    roadmap_dir: &Path,
) -> Option<Snapshot> {
    if snapshot.issues.iter().all(|issue| issue.whole.is_some()) {
        return Some(snapshot);
    }
    // Not found or ambiguous: the reply is the tracker's message, no issue printed.
    let Some(milestone) = milestone_view::shown_id(&snapshot, supplied) else {
        return Some(snapshot);
    };
    let mut ids: Vec<&str> = snapshot.issues.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair[0] == pair[1]) {
        return None;
    }
    let shown: Vec<usize> = (0..snapshot.issues.len())
        .filter(|&i| snapshot.issues[i].milestone_id.as_deref() == Some(milestone.as_str()))
        .collect();
    let issues_dir = roadmap_dir.join("issues");
    let paths: Vec<PathBuf> = shown
        .iter()
        .map(|&i| issues_dir.join(format!("{}.md", snapshot.issues[i].id)))
        .collect();
    let rows = read_issue_files(&paths).ok()?;
    let records = read_issue_records(&paths).ok()?;
    for ((index, row), record) in shown.into_iter().zip(rows).zip(records) {
        let issue = &mut snapshot.issues[index];
        if row.id != issue.id || record.id != issue.id {
            return None;
        }
        issue.whole = Some(Box::new((row, record)));
    }
    Some(snapshot)
}

/// `--format plain|json` of the view commands (click has checked the choice).
fn view_format(format: Option<&str>) -> Format {
    match format {
        Some("json") => Format::Json,
        _ => Format::Plain,
    }
}
