//! Whether roadmap-cli 0.3.1 reads a 0.2 document as we do, decided once, when the sync reads
//! the file ([`issue_doubt`], [`milestone_doubt`]; the cache keeps the answer in
//! `tracker_doubts`). Anything but what 0.3.1 writes (`yaml.safe_dump` front matter, see
//! `tests/fixtures/README.md`) is doubted, so the served outputs hand the command to the
//! tracker: PyYAML reads YAML 1.1 and serde_yaml 1.2, and the tracker validates fields we would
//! otherwise have to guess about. Git conflict hunks in the front matter are doubted too; the
//! served answer then reads that file again to refuse it as the tracker does.

use super::document::unserved;
use super::document::{Field, Fields, Strict, conflicted, front_matter_read, front_matter_text};
use super::row::Unread;
use crate::issue::{FileContext, Frontmatter, Issue};
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// The issue file at `path` read in one pass when the typed fast reader takes its front matter
/// and 0.3.1 certainly reads it as we do; `None` otherwise, and then [`issue_doubt_keeping`]
/// says why and `Issue::parse_reusing` reads it. Nearly every file 0.3.1 writes takes this
/// path: building the mapping the strict check read was a fifth of a 0.2 rebuild's CPU.
#[must_use]
pub fn undoubted_issue(path: &str, bytes: &[u8], context: &FileContext) -> Option<Issue> {
    let path = Path::new(path);
    Issue::parse_typed(bytes, context, |text, yaml, frontmatter| {
        conflicted(path, text).is_none()
            && front_matter_text(text).is_some_and(|(theirs, _)| std::ptr::eq(theirs, yaml))
            && issue(&Typed {
                path,
                yaml,
                frontmatter,
            })
            .is_ok()
    })
}

/// A front matter as the typed fast reader read it, for the strict checks. The reader kept a
/// scalar's text but not whether it was quoted, so a value is vouched for only when its text
/// reads as text whether quoted or not; anything else is [`Field::Other`], and a refusal
/// here sends the file to the mapping's check, which has the last word.
struct Typed<'a> {
    path: &'a Path,
    /// The front matter's text, for the comments (see `comment_count`).
    yaml: &'a str,
    frontmatter: &'a Frontmatter,
}

impl Strict for Typed<'_> {
    fn path(&self) -> &Path {
        self.path
    }

    fn has(&self, key: &str) -> bool {
        self.frontmatter.keys_in_file.iter().any(|k| k == key)
    }

    fn field(&self, key: &str) -> Option<Field<'_>> {
        let fm = self.frontmatter;
        let (text, number, list) = (Self::text, Self::number, Self::list);
        match key {
            "id" => text(&fm.id),
            "title" => text(&fm.title),
            "headline" => text(&fm.headline),
            "priority" => text(&fm.priority),
            "status" => text(&fm.status),
            "milestone" => text(&fm.milestone),
            "assignee" => text(&fm.assignee),
            "created" => text(&fm.created),
            "updated" => text(&fm.updated),
            "due_date" => text(&fm.due_date),
            "actual_start_date" => text(&fm.actual_start_date),
            "actual_end_date" => text(&fm.actual_end_date),
            "estimated_hours" => number(fm.estimated_hours),
            "progress_percentage" => number(fm.progress_percentage),
            "labels" => list(&fm.labels),
            "depends_on" => list(&fm.depends_on),
            "blocks" => list(&fm.blocks),
            key if crate::issue::KNOWN_KEYS.contains(&key) => self.has(key).then_some(Field::Other),
            key => fm
                .unknown
                .iter()
                .find(|(known, _)| known == key)
                .map(|(_, value)| value)
                .filter(|value| !value.is_null())
                .map(Field::of),
        }
    }

    fn comment_count(&self) -> Result<usize, Unread> {
        match &self.frontmatter.comments {
            None => return Ok(0),
            Some(comments) if comments.is_empty() => return Ok(0),
            Some(_) => {}
        }
        // The typed reader keeps comment ids as text; whether the file wrote them as the ints
        // the tracker requires is read again from the comments' own lines, as the mapping
        // reader reads them, and checked by the mapping's rules.
        let comments = crate::issue::fast_map::value_of(self.yaml, "comments")
            .ok_or_else(|| unserved(self.path, "comments, left to the mapping's check"))?;
        let mut data = Mapping::new();
        data.insert(Value::from("comments"), comments);
        comment_count(&Fields {
            path: self.path,
            data: &data,
        })
    }
}

impl Typed<'_> {
    /// Text the fast reader read, vouched for when serde_yaml reads it as text even unquoted
    /// (an empty text was quoted: unquoted it is null).
    fn text_field(text: &str) -> Field<'_> {
        if text.is_empty() || crate::issue::fast_map::reads_as_text(text) {
            Field::Text(text)
        } else {
            Field::Other
        }
    }

    fn text(value: &Option<String>) -> Option<Field<'_>> {
        value.as_deref().map(Self::text_field)
    }

    fn number(value: Option<crate::issue::Number>) -> Option<Field<'static>> {
        value.map(|n| Field::Number {
            value: n.value,
            integer: n.integer,
        })
    }

    fn list(value: &Option<Vec<String>>) -> Option<Field<'_>> {
        let items = value.as_ref()?;
        Some(Field::List(
            items.iter().map(|item| Self::text_field(item)).collect(),
        ))
    }
}

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
    doubt(path, bytes, |fields| issue(fields))
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
    check: fn(&Fields<'_>) -> Result<(), Unread>,
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
fn retention(fields: &impl Strict) -> Result<(), Unread> {
    if fields.has("archived") {
        return Err(unserved(fields.path(), "a legacy `archived` key"));
    }
    fields.one_of_str("retention", "visible", &["visible", "archived", "purged"])?;
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

fn issue(fields: &impl Strict) -> Result<(), Unread> {
    fields.schema_version()?;
    let path = fields.path();
    let id = fields.required_str("id")?;
    fields.required_str("title")?;
    fields.text_str("headline")?;
    fields.one_of_str("priority", "medium", &["critical", "high", "medium", "low"])?;
    fields.one_of_str(
        "status",
        "todo",
        &["todo", "in-progress", "blocked", "review", "closed"],
    )?;
    retention(fields)?;
    // `EntityId(str(milestone)) if milestone else None`: empty is no milestone.
    if fields
        .text_str("milestone")?
        .is_some_and(|id| !id.is_empty())
    {
        fields.required_str("milestone")?;
    }
    fields.text_str("assignee")?;
    for key in ["due_date", "actual_start_date", "actual_end_date"] {
        fields.timestamp(key)?;
    }
    for key in ["created", "updated"] {
        if fields.timestamp(key)?.is_none() {
            return Err(unserved(path, &format!("no `{key}`")));
        }
    }
    fields.comment_count()?;
    fields.list_str("labels")?;
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
    let mut related = fields.list_str("depends_on")?;
    related.extend(fields.list_str("blocks")?);
    related.sort();
    if related.windows(2).any(|p| p[0] == p[1]) || related.contains(&id) {
        return Err(unserved(path, "relations the tracker rejects"));
    }
    Ok(())
}

/// The number of comments, each checked as the tracker checks them (positive unique ids,
/// replies to comments of this issue, an author and a body). The sync's check and the file
/// bridge's count (`file_rows`) are this one function.
pub(super) fn comment_count(fields: &Fields<'_>) -> Result<usize, Unread> {
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

#[cfg(test)]
#[path = "strict_tests.rs"]
mod one_pass_tests;
