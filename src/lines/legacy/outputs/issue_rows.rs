//! One issue as the tracker's `issue list` shows it: its row (progress and estimate spelt as
//! roadmap-cli's `Issue` properties do) and the workload summary of `--assignee`.

use crate::cache::query::TrackerIssueRow;
use crate::lines::rich_text::{self, PLAIN_WIDTH};

/// One row of the tracker's issue table.
pub fn row(issue: &TrackerIssueRow) -> Vec<String> {
    vec![
        issue.id.clone(),
        issue.title.clone(),
        issue.priority.clone(),
        issue.status.clone(),
        progress_display(issue),
        issue
            .assignee
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "Unassigned".to_owned()),
        estimate_display(issue.estimated_hours),
        issue
            .milestone
            .clone()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "Backlog".to_owned()),
        // The tracker's list loses comments on its way to the table: always blank.
        String::new(),
    ]
}

fn progress_display(issue: &TrackerIssueRow) -> String {
    match (issue.progress_percentage, issue.status.as_str()) {
        (Some(percent), _) => format!("{percent:.0}%"),
        (None, "closed") => "100%".to_owned(),
        (None, "todo") => String::new(),
        (None, _) => "0%".to_owned(),
    }
}

/// `Issue.estimated_time_display`: minutes under an hour, hours under a day of 8, else days.
fn estimate_display(hours: Option<f64>) -> String {
    match hours {
        None => "Not estimated".to_owned(),
        #[allow(clippy::cast_possible_truncation)]
        Some(h) if h < 1.0 => format!("{}m", (h * 60.0) as i64),
        Some(h) if h < 8.0 => format!("{h:.1}h"),
        Some(h) => format!("{:.1}d", h / 8.0),
    }
}

/// `WorkloadCalculator.format_time_display` (note: `<= 24` hours, unlike the estimate column).
fn workload_time(hours: f64) -> String {
    if hours < 1.0 {
        format!("{:.0}m", hours * 60.0)
    } else if hours <= 24.0 {
        format!("{hours:.1}h")
    } else {
        format!("{:.1}d", hours / 8.0)
    }
}

/// The lines `issue list --assignee` prints between the count and the table.
pub fn workload_summary(assignee: &str, issues: &[TrackerIssueRow]) -> String {
    let total: f64 = issues
        .iter()
        .map(|i| i.estimated_hours.unwrap_or(0.0))
        .sum();
    if total == 0.0 {
        return String::new();
    }
    let mut by_status: Vec<(&str, usize, f64)> = Vec::new();
    for issue in issues {
        let hours = issue.estimated_hours.unwrap_or(0.0);
        match by_status.iter_mut().find(|(s, ..)| *s == issue.status) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += hours;
            }
            None => by_status.push((&issue.status, 1, hours)),
        }
    }
    let mut lines = vec![
        String::new(),
        format!(
            "Total estimated time for {assignee}: {}",
            workload_time(total)
        ),
        "Workload breakdown:".to_owned(),
    ];
    for (status, count, hours) in by_status {
        if hours > 0.0 {
            lines.push(format!(
                "  {status}: {count} issues ({})",
                workload_time(hours)
            ));
        } else {
            lines.push(format!("  {status}: {count} issues"));
        }
    }
    lines
        .iter()
        .map(|line| rich_text::print(line, PLAIN_WIDTH))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_read_like_the_trackers() {
        assert_eq!(estimate_display(None), "Not estimated");
        assert_eq!(estimate_display(Some(0.5)), "30m");
        assert_eq!(estimate_display(Some(1.5)), "1.5h");
        assert_eq!(estimate_display(Some(16.0)), "2.0d");
        assert_eq!(workload_time(20.0), "20.0h");
    }
}
