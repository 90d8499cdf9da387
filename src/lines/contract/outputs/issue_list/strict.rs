//! Whether roadmap-cli 0.3.1 reads a 0.2 document as we do, decided once, when the sync reads
//! the file ([`issue_doubt`], [`milestone_doubt`]; the cache keeps the answer in
//! `tracker_doubts`). Anything but what 0.3.1 writes (`yaml.safe_dump` front matter, see
//! `tests/fixtures/README.md`) is doubted, so the served outputs hand the command to the
//! tracker: PyYAML reads YAML 1.1 and serde_yaml 1.2, and the tracker validates fields we would
//! otherwise have to guess about. Git conflict hunks in the front matter are doubted too; the
//! served answer then reads that file again to refuse it as the tracker does.

use super::document::{Fields, conflicted, front_matter_read, unserved};
use super::row::Unread;
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// Why 0.3.1 might read the issue file at `path` differently from us; `None` when it reads
/// what we read.
#[must_use]
pub fn issue_doubt(path: &str, bytes: &[u8]) -> Option<String> {
    issue_doubt_keeping(path, bytes).0
}

/// [`issue_doubt`], and the front matter's YAML text with the mapping read from it when the
/// fast mapping reader read it, for [`crate::issue::Issue::parse_reusing`].
#[must_use]
pub fn issue_doubt_keeping<'a>(
    path: &str,
    bytes: &'a [u8],
) -> (Option<String>, Option<(&'a str, Mapping)>) {
    doubt(path, bytes, issue)
}

/// Why 0.3.1 might read the milestone file at `path` differently from us; `None` when it
/// reads what we read.
#[must_use]
pub fn milestone_doubt(path: &str, bytes: &[u8]) -> Option<String> {
    doubt(path, bytes, milestone).0
}

fn doubt<'a>(
    path: &str,
    bytes: &'a [u8],
    check: fn(&Fields) -> Result<(), Unread>,
) -> (Option<String>, Option<(&'a str, Mapping)>) {
    let path = Path::new(path);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return (Some("not UTF-8".to_owned()), None);
    };
    if let Some(Unread::Conflict { line, .. } | Unread::BodyConflict { line, .. }) =
        conflicted(path, text)
    {
        return (Some(format!("git conflict markers (line {line})")), None);
    }
    let Some(read) = front_matter_read(text) else {
        return (Some("no front matter".to_owned()), None);
    };
    let doubt = match check(&Fields {
        path,
        data: &read.data,
    }) {
        Ok(()) => None,
        // The cache keeps the path beside the reason.
        Err(Unread::Unserved(reason)) => Some(
            reason
                .strip_prefix(&format!("{}: ", path.display()))
                .map_or(reason.clone(), str::to_owned),
        ),
        Err(Unread::Conflict { line, .. } | Unread::BodyConflict { line, .. }) => {
            Some(format!("git conflict markers (line {line})"))
        }
    };
    (doubt, read.read_fast_from.map(|yaml| (yaml, read.data)))
}

/// `retention`, `visible` when absent; the legacy `archived:` flag is left to the tracker.
fn retention(fields: &Fields) -> Result<(), Unread> {
    if fields.data.contains_key("archived") {
        return Err(unserved(fields.path, "a legacy `archived` key"));
    }
    fields.one_of("retention", "visible", &["visible", "archived", "purged"])?;
    Ok(())
}

fn milestone(fields: &Fields) -> Result<(), Unread> {
    fields.schema_version()?;
    fields.required("id")?;
    fields.required("name")?;
    retention(fields)?;
    fields.one_of("status", "open", &["open", "closed"])?;
    fields.timestamp("due_date")?;
    // The cache takes a legacy `target_end_date` for a missing due date; the tracker does not.
    if fields.data.contains_key("target_end_date") {
        return Err(unserved(fields.path, "a legacy `target_end_date` key"));
    }
    Ok(())
}

fn issue(fields: &Fields) -> Result<(), Unread> {
    fields.schema_version()?;
    let path = fields.path;
    let id = fields.required("id")?;
    fields.required("title")?;
    fields.text("headline")?;
    fields.one_of("priority", "medium", &["critical", "high", "medium", "low"])?;
    fields.one_of(
        "status",
        "todo",
        &["todo", "in-progress", "blocked", "review", "closed"],
    )?;
    retention(fields)?;
    // `EntityId(str(milestone)) if milestone else None`: empty is no milestone.
    if fields.text("milestone")?.is_some_and(|id| !id.is_empty()) {
        fields.required("milestone")?;
    }
    fields.text("assignee")?;
    for key in ["due_date", "actual_start_date", "actual_end_date"] {
        fields.timestamp(key)?;
    }
    for key in ["created", "updated"] {
        if fields.timestamp(key)?.is_none() {
            return Err(unserved(path, &format!("no `{key}`")));
        }
    }
    comment_count(fields)?;
    fields.list("labels")?;
    let estimated_hours = fields.number("estimated_hours")?;
    let progress = fields.number("progress_percentage")?;
    if estimated_hours.is_some_and(|h| h <= 0.0)
        || progress.is_some_and(|p| !(0.0..=100.0).contains(&p))
    {
        return Err(unserved(
            path,
            "an estimate or progress the tracker rejects",
        ));
    }
    let depends_on = fields.list("depends_on")?;
    let blocks = fields.list("blocks")?;
    let mut related: Vec<&String> = depends_on.iter().chain(&blocks).collect();
    related.sort();
    if related.windows(2).any(|p| p[0] == p[1]) || related.contains(&&id) {
        return Err(unserved(path, "relations the tracker rejects"));
    }
    Ok(())
}

/// The number of comments, each checked as the tracker checks them (positive unique ids,
/// replies to comments of this issue, an author and a body). The sync's check and the file
/// bridge's count (`file_rows`) are this one function.
pub(super) fn comment_count(fields: &Fields) -> Result<usize, Unread> {
    let Some(value) = fields.get("comments") else {
        return Ok(0);
    };
    let odd = || unserved(fields.path, "comments the tracker may reject");
    let comments = value.as_sequence().ok_or_else(odd)?;
    let mut ids = Vec::new();
    let mut replies = Vec::new();
    for comment in comments {
        let map = comment.as_mapping().ok_or_else(odd)?;
        let id = map.get("id").and_then(Value::as_u64).filter(|i| *i > 0);
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::trim);
        let (Some(id), Some(author), Some(body)) = (id, text("author"), text("body")) else {
            return Err(odd());
        };
        if author.is_empty() || body.is_empty() {
            return Err(odd());
        }
        match map.get("in_reply_to") {
            None | Some(Value::Null) => {}
            Some(reply) => replies.push(reply.as_u64().ok_or_else(odd)?),
        }
        ids.push(id);
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() || replies.iter().any(|r| !ids.contains(r)) {
        return Err(odd());
    }
    Ok(comments.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE: &str = "---\nschema_version: 1\nid: 0758d37f\ncreated: '2026-12-06T22:23:55.271711+00:00'\nupdated: '2026-12-06T22:24:14.689480+00:00'\nretention: visible\ntitle: A title\nassignee: bob\n---\n\nBody.";

    #[test]
    fn what_0_3_1_writes_is_not_doubted() {
        assert_eq!(
            issue_doubt(".roadmap/issues/0758d37f.md", ISSUE.as_bytes()),
            None
        );
    }

    #[test]
    fn what_pyyaml_or_the_tracker_reads_otherwise_is_doubted() {
        for (from, to) in [
            ("assignee: bob", "assignee: yes"),
            ("title: A title", "title: 12345"),
            ("retention: visible", "retention: hidden"),
            ("assignee: bob", "archived: false"),
            ("id: 0758d37f", "id: 07581234"),
            ("schema_version: 1", "schema_version: 2"),
        ] {
            let text = ISSUE.replace(from, to);
            assert!(
                issue_doubt(".roadmap/issues/x.md", text.as_bytes()).is_some(),
                "{to}"
            );
        }
        let conflicted = ISSUE.replace("title: A title", "<<<<<<< HEAD\ntitle: A\n=======");
        assert_eq!(
            issue_doubt(".roadmap/issues/x.md", conflicted.as_bytes()).as_deref(),
            Some("git conflict markers (line 7)")
        );
    }

    #[test]
    fn a_milestone_in_the_trackers_shape_is_not_doubted() {
        let text = "---\nschema_version: 1\nid: 69f8\nname: v0-1\nstatus: open\ndue_date: '2027-01-15T00:00:00+00:00'\n---\n";
        assert_eq!(
            milestone_doubt(".roadmap/milestones/69f8.md", text.as_bytes()),
            None
        );
        let legacy = text.replace("due_date", "target_end_date");
        assert!(milestone_doubt(".roadmap/milestones/69f8.md", legacy.as_bytes()).is_some());
    }
}
