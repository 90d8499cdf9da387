//! 0.3.1's `today` (`Planning.daily_summary` and `DailySummaryPresenter`): the current user's
//! issues in the upcoming milestone, grouped (in progress, overdue, blocked, up next, completed
//! today), as plain `click.echo` lines.

use super::issue_list::{Answer, Reply};
use super::planning::{Issue, MilestoneSummary, Snapshot};
use std::collections::HashMap;

/// The reply of `today` for user `me` at instant `now_key` (a `timestamp::sort_key`, UTC).
/// A case that ends in the tracker's error (no open milestone) goes to the tracker.
#[must_use]
pub fn answer(snapshot: &Snapshot, me: &str, now_key: &str) -> Answer {
    let Some(upcoming) = upcoming_milestone(snapshot, now_key) else {
        return Answer::Forward("no open milestone (the tracker's error)".into());
    };
    let milestone = &upcoming.milestone;
    let issues: Vec<&Issue> = snapshot
        .issues
        .iter()
        .filter(|i| {
            i.assignee.as_deref() == Some(me)
                && i.milestone_id.as_deref() == Some(milestone.row.id.as_str())
        })
        .collect();
    let with_status = |status: &str| -> Vec<&Issue> {
        issues
            .iter()
            .copied()
            .filter(|i| i.status == status)
            .collect()
    };
    let overdue: Vec<&Issue> = issues
        .iter()
        .copied()
        .filter(|i| i.status != "closed" && i.due_key.as_deref().is_some_and(|due| due < now_key))
        .collect();
    // `actual_end_at.value.date() == now.value.date()`: the end's date in its own offset, the
    // clock's in UTC.
    let completed_today: Vec<&Issue> = issues
        .iter()
        .copied()
        .filter(|i| {
            i.status == "closed"
                && i.actual_end_at
                    .as_deref()
                    .is_some_and(|end| end.get(..10) == now_key.get(..10))
        })
        .collect();
    let sections = [
        ("In Progress", with_status("in-progress")),
        ("Overdue", overdue),
        ("Blocked", with_status("blocked")),
        ("Up Next (High Priority)", up_next(&issues)),
        ("Completed Today", completed_today),
    ];
    let due = milestone
        .more
        .due_at
        .as_deref()
        .and_then(|due| due.get(..10))
        .map(|date| format!(" (due {date})"))
        .unwrap_or_default();
    let mut out = format!(
        "Daily Summary - {me}\nUpcoming Milestone: {}{due}\n",
        milestone.row.name
    );
    if sections.iter().all(|(_, issues)| issues.is_empty()) {
        out.push_str(&format!(
            "No issues assigned to you in {}\n",
            milestone.row.name
        ));
        return reply(out);
    }
    for (title, issues) in &sections {
        out.push_str(&format!("\n{title}\n"));
        if issues.is_empty() {
            out.push_str("  None\n");
        }
        for issue in issues {
            out.push_str(&format!(
                "  {}: {} [{}; {}]\n",
                issue.id, issue.title, issue.priority, issue.status
            ));
        }
    }
    let count = |index: usize| sections[index].1.len();
    out.push_str(&format!(
        "Summary: {} in progress; {} overdue; {} blocked; {} completed today\n",
        count(0),
        count(1),
        count(2),
        count(4)
    ));
    reply(out)
}

fn reply(stdout: String) -> Answer {
    Answer::Reply(Reply {
        stdout,
        stderr: String::new(),
        code: 0,
    })
}

/// `_upcoming_milestone`: the open milestone due first (undated ones after, by name), the
/// first of equals in the snapshot's order (by name), as Python's `min` keeps it.
fn upcoming_milestone<'a>(snapshot: &'a Snapshot, now_key: &str) -> Option<&'a MilestoneSummary> {
    let key = |m: &'a MilestoneSummary| {
        let due = m.milestone.row.due_key.as_deref();
        (
            due.is_none(),
            due.unwrap_or(now_key),
            m.milestone.row.name.as_str(),
        )
    };
    snapshot
        .milestones
        .iter()
        .filter(|m| m.milestone.row.status == "open")
        .fold(None, |best: Option<&MilestoneSummary>, m| match best {
            Some(b) if key(b) <= key(m) => Some(b),
            _ => Some(m),
        })
}

/// `_daily_up_next`: the first three high or critical `todo` issues, deepest in the chain of
/// issues that depend on them first, then most dependents, critical first, then by id.
fn up_next<'a>(issues: &[&'a Issue]) -> Vec<&'a Issue> {
    let mut dependents: HashMap<&str, Vec<&str>> = HashMap::new();
    for issue in issues {
        for dependency in &issue.depends_on {
            dependents
                .entry(dependency.as_str())
                .or_default()
                .push(issue.id.as_str());
        }
    }
    let mut candidates: Vec<(usize, usize, u8, &'a Issue)> = issues
        .iter()
        .filter(|i| i.status == "todo" && matches!(i.priority.as_str(), "critical" | "high"))
        .map(|i| {
            let id = i.id.as_str();
            let count = dependents.get(id).map_or(0, Vec::len);
            let rank = u8::from(i.priority != "critical");
            (depth(id, &dependents, &mut Vec::new()), count, rank, *i)
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.id.cmp(&b.3.id))
    });
    candidates.into_iter().take(3).map(|c| c.3).collect()
}

/// The depth of the chain of dependents below `id`; a cycle counts as the end of a chain.
fn depth<'a>(
    id: &'a str,
    dependents: &HashMap<&str, Vec<&'a str>>,
    visiting: &mut Vec<&'a str>,
) -> usize {
    if visiting.contains(&id) {
        return 0;
    }
    let Some(children) = dependents.get(id).filter(|c| !c.is_empty()) else {
        return 0;
    };
    visiting.push(id);
    let deepest = children
        .iter()
        .map(|child| depth(child, dependents, visiting))
        .max()
        .unwrap_or(0);
    visiting.pop();
    1 + deepest
}
