//! Project files as roadmap-cli 1.0.2's `status` counts them: every `*.md` under
//! `.roadmap/projects/` by status, and every one under `.roadmap/archive/projects/`. Read from
//! the working tree, as the tracker does (projects are few).
//!
//! Only the shapes the tracker itself writes (`roadmap init` and `project create`) are
//! accepted: a key it does not know, a status or priority outside its enums, a date that is
//! not an ISO timestamp, a list or number of the wrong type makes [`count`] answer `None`, and
//! the caller hands the command to the tracker rather than guess whether its parser (a
//! pydantic model) would take the file or skip it.

use crate::issue::split;
use crate::lines::legacy::milestone_files::{collect, read_due};
use serde_yaml::Value;
use std::path::Path;

/// `ProjectStatus`, in the tracker's order.
pub const STATUSES: &[&str] = &["planning", "active", "on-hold", "completed", "cancelled"];

/// How many projects of each of [`STATUSES`] (same order), and how many archived.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectCounts {
    pub by_status: [usize; 5],
    pub archived: usize,
}

/// Counts the projects under `work_dir`; `None` when a file is outside the shapes above.
#[must_use]
pub fn count(work_dir: &Path) -> Option<ProjectCounts> {
    let roadmap = work_dir.join(".roadmap");
    let mut counts = ProjectCounts::default();
    for file in files(&roadmap.join("projects"))? {
        let status = parse(&std::fs::read_to_string(file).ok()?)?;
        counts.by_status[status] += 1;
    }
    for file in files(&roadmap.join("archive").join("projects"))? {
        parse(&std::fs::read_to_string(file).ok()?)?;
        counts.archived += 1;
    }
    Some(counts)
}

fn files(dir: &Path) -> Option<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    collect(dir, &mut files).ok()?;
    Some(files)
}

/// Keys the parser reads, and those the tracker's own writers add that it ignores.
const STRING_KEYS: &[&str] = &["id", "name", "headline"];
const DATE_KEYS: &[&str] = &[
    "start_date",
    "target_end_date",
    "actual_end_date",
    "created",
    "updated",
    "last_progress_update",
    "projected_end_date",
];
const NUMBER_KEYS: &[&str] = &[
    "estimated_hours",
    "actual_hours",
    "calculated_progress",
    "completion_velocity",
];
const IGNORED_KEYS: &[&str] = &["description", "timeline", "tags"];

/// The index of the file's status in [`STATUSES`]; `None` for a file outside the known shapes.
fn parse(text: &str) -> Option<usize> {
    if text.contains('\r') {
        return None;
    }
    let (yaml, _) = split(text)?;
    let Value::Mapping(map) = serde_yaml::from_str::<Value>(yaml).ok()? else {
        return None;
    };
    let mut status = 0; // planning, the parser's default
    for (key, value) in &map {
        let key = key.as_str()?;
        let fits = match (key, value) {
            ("status", Value::String(text)) => {
                status = STATUSES.iter().position(|s| s == text)?;
                true
            }
            ("priority", Value::String(text)) => {
                ["critical", "high", "medium", "low"].contains(&text.as_str())
            }
            ("risk_level", Value::String(text)) => {
                ["low", "medium", "high"].contains(&text.as_str())
            }
            ("owner", Value::String(_) | Value::Null) => true,
            ("schedule_variance", Value::Null) => true,
            ("schedule_variance", Value::Number(n)) => n.is_i64(),
            ("milestones", Value::Sequence(names)) => names.iter().all(Value::is_string),
            (key, Value::String(_)) if STRING_KEYS.contains(&key) => true,
            (key, Value::Null) if DATE_KEYS.contains(&key) => true,
            (key, Value::String(text)) if DATE_KEYS.contains(&key) => read_due(text).is_some(),
            (key, Value::Null | Value::Number(_)) if NUMBER_KEYS.contains(&key) => true,
            (key, _) => IGNORED_KEYS.contains(&key),
        };
        if !fits {
            return None;
        }
    }
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trackers_own_project_files_are_counted_by_status() {
        let created = "---\nid: 4b3e00d1\nname: Hooks v2\nheadline: Second\nstatus: planning\npriority: medium\ncreated: '2026-11-25T08:31:08.479343'\nupdated: '2026-11-25T08:31:08.479513+00:00'\nmilestones: []\nrisk_level: low\n---\n\n";
        assert_eq!(parse(created), Some(0));
        let init = "---\nname: Hook Fixtures\ndescription: x\nowner: Ada\npriority: high\nstatus: active\ncreated: 2026-11-25T08:29:52.040422+00:00\ntimeline:\n  start_date: 2026-11-25T08:29:52.040422+00:00\ntags: []\n---\n";
        assert_eq!(parse(init), Some(1));
    }

    #[test]
    fn shapes_the_tracker_may_read_differently_are_refused() {
        for odd in [
            "---\nname: x\nstatus: done\n---\n",
            "---\nname: x\nid: 12345678\n---\n",
            "---\nname: x\nmilestones: null\n---\n",
            "---\nname: x\ncreated: yesterday\n---\n",
            "---\nname: x\nlead: ada\n---\n",
        ] {
            assert_eq!(parse(odd), None, "{odd}");
        }
    }
}
