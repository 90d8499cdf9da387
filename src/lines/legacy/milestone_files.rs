//! Milestone files as roadmap-cli 1.0.2's `milestone list` reads them: from the working tree
//! (every `*.md` under `.roadmap/milestones/`, subfolders included, as its `rglob` does), with
//! the body as the description. Read here rather than from the cache, which keeps neither the
//! body nor `calculated_progress`; milestones are few, so this is a handful of small reads.
//!
//! Only files in the shape the tracker's own writer produces are accepted: anything else (a
//! legacy `description` key, an unknown status, a due date with a zone other than UTC, a
//! name that is not a string, a duplicate name) makes [`read`] answer `None`, and the caller
//! hands the command to the tracker rather than guess how it reads such a file.

use crate::issue::split;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// One milestone with what `milestone list` shows and sorts by.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackerMilestone {
    pub name: String,
    /// The body, trimmed: the tracker's "Description".
    pub content: String,
    /// `open` or `closed`.
    pub status: String,
    pub due: Option<Due>,
    pub calculated_progress: Option<f64>,
}

/// A due date as the tracker compares and prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// `YYYY-MM-DD`, as `strftime("%Y-%m-%d")` prints it.
    pub date: String,
    /// The wall time as written, `YYYY-MM-DDTHH:MM:SS.ffffff` (the tracker drops the zone).
    pub naive: String,
}

/// The keys roadmap-cli 1.0.2 writes into a milestone file.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "headline",
    "due_date",
    "status",
    "archived",
    "github_milestone",
    "created",
    "updated",
    "project_id",
    "calculated_progress",
    "last_progress_update",
    "completion_velocity",
    "risk_level",
    "actual_start_date",
    "actual_end_date",
    "comments",
];

/// Reads the active milestones under `work_dir`; `None` when one is outside the shape above.
#[must_use]
pub fn read(work_dir: &Path) -> Option<Vec<TrackerMilestone>> {
    let mut files = Vec::new();
    collect(&work_dir.join(".roadmap").join("milestones"), &mut files).ok()?;
    let mut milestones = Vec::with_capacity(files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).ok()?;
        milestones.push(parse(&text)?);
    }
    let mut names: Vec<&str> = milestones.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|pair| pair[0] == pair[1]) {
        return None;
    }
    Some(milestones)
}

/// Counts the archived milestones under `work_dir` (every `*.md` under
/// `.roadmap/archive/milestones/`, as the tracker's `status` enumerates them); `None` when one
/// is outside the shape [`read`] accepts.
#[must_use]
pub fn count_archived(work_dir: &Path) -> Option<usize> {
    let mut files = Vec::new();
    collect(
        &work_dir.join(".roadmap").join("archive").join("milestones"),
        &mut files,
    )
    .ok()?;
    for file in &files {
        parse(&std::fs::read_to_string(file).ok()?)?;
    }
    Some(files.len())
}

/// Every `*.md` file under `dir` (none when it does not exist) except `.backup` ones: the
/// tracker's `rglob("*.md")` with its backup filter.
pub(crate) fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() {
            collect(&path, files)?;
        } else if name.ends_with(".md") && !name.contains(".backup") {
            files.push(path);
        }
    }
    Ok(())
}

fn parse(text: &str) -> Option<TrackerMilestone> {
    if text.contains('\r') {
        return None;
    }
    let (yaml, body) = split(text)?;
    let Value::Mapping(map) = serde_yaml::from_str::<Value>(yaml).ok()? else {
        return None;
    };
    let mut name = None;
    let mut status = None;
    let mut due = None;
    let mut progress = None;
    for (key, value) in &map {
        let key = key.as_str()?;
        if !KNOWN_KEYS.contains(&key) {
            return None;
        }
        match (key, value) {
            ("name", Value::String(text)) => name = Some(text.clone()),
            ("name", _) => return None,
            ("status", Value::String(text)) if text == "open" || text == "closed" => {
                status = Some(text.clone());
            }
            ("status", _) => return None,
            ("due_date", Value::Null) | ("calculated_progress", Value::Null) => {}
            ("due_date", Value::String(text)) => due = Some(read_due(text)?),
            ("due_date", _) => return None,
            ("calculated_progress", Value::Number(n)) => progress = Some(n.as_f64()?),
            ("calculated_progress", _) => return None,
            _ => {}
        }
    }
    Some(TrackerMilestone {
        name: name?,
        content: body.trim().to_owned(),
        status: status?,
        due,
        calculated_progress: progress,
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.ffffff][+00:00|Z]`; other shapes (other zones, dates alone) are not
/// read here.
pub(crate) fn read_due(text: &str) -> Option<Due> {
    let naive = text
        .strip_suffix("+00:00")
        .or_else(|| text.strip_suffix('Z'))
        .unwrap_or(text);
    let b = naive.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let shape = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (b.len() == 19 || (b.len() == 26 && b[19] == b'.' && digits(20..26)));
    if !shape {
        return None;
    }
    let fraction = if b.len() == 26 {
        &naive[20..]
    } else {
        "000000"
    };
    Some(Due {
        date: naive[..10].to_owned(),
        naive: format!("{}.{fraction}", &naive[..19]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracker_written_milestone_is_read() {
        let text = "---\nname: v0-1\nheadline: First\ndue_date: '2027-01-15T00:00:00'\nstatus: open\ncalculated_progress: null\n---\n\nNotes here.\n";
        let milestone = parse(text).unwrap();
        assert_eq!(milestone.name, "v0-1");
        assert_eq!(milestone.content, "Notes here.");
        assert_eq!(milestone.due.unwrap().date, "2027-01-15");
    }

    #[test]
    fn shapes_the_tracker_may_read_differently_are_refused() {
        for odd in [
            "---\nname: v1\ndescription: legacy\n---\n",
            "---\nname: v1\nstatus: active\n---\n",
            "---\nname: v1\ndue_date: '2027-01-15T00:00:00+02:00'\n---\n",
            "---\nname: 1.10\n---\n",
        ] {
            assert_eq!(parse(odd), None, "{odd}");
        }
    }
}
