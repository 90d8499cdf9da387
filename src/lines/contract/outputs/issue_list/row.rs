//! The rows `issue list` renders, and the bridge that builds them from the files of a 0.2
//! workspace until the cache holds contract rows: [`read_workspace`] is the one function to
//! swap for a cache query.
//!
//! The bridge reads what roadmap-cli 0.3.1 writes (`yaml.safe_dump` front matter, see
//! `tests/fixtures/README.md`) and refuses anything else with [`Unread::Unserved`], so the
//! command goes to the tracker: PyYAML reads YAML 1.1 and serde_yaml 1.2, and the tracker
//! validates fields we would otherwise have to guess about. A record holding git conflict
//! hunks in its front matter is [`Unread::Conflict`]: the tracker refuses every read then.

use crate::issue::timestamp;
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

/// One issue as 0.3.1's `issue list` needs it: the fields its filters, columns and sort read.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractIssueRow {
    /// The full id (a UUID, or 8 hex for migrated issues).
    pub id: String,
    pub title: String,
    pub headline: String,
    /// The Markdown body, as `--search` reads it.
    pub content: String,
    pub priority: String,
    pub status: String,
    pub issue_type: String,
    /// `visible`, `archived` or `purged`.
    pub retention: String,
    pub milestone_id: Option<String>,
    /// The name of the milestone `milestone_id` names, when a milestone file has that id.
    pub milestone_name: Option<String>,
    pub assignee: Option<String>,
    pub estimated_hours: Option<f64>,
    pub progress_percentage: Option<f64>,
    /// The due date as a [`timestamp::sort_key`] (UTC), for `--overdue`.
    pub due_key: Option<String>,
    pub comment_count: usize,
    pub labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub blocks: Vec<String>,
    pub created: String,
    pub updated: String,
}

/// A milestone as `--milestone` and `--next-milestone` need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractMilestone {
    pub id: String,
    pub name: String,
    pub retention: String,
    pub status: String,
    pub due_key: Option<String>,
}

/// What `issue list` reads from a workspace, each kind read on its own: the tracker reads
/// milestones and issues at different steps, so which unreadable file it names first depends
/// on the options (see the answer's order). Projects are not read by `issue list`.
#[derive(Debug, Clone)]
pub struct ContractSources {
    pub milestones: Result<Vec<ContractMilestone>, Unread>,
    /// Issues in file order, `milestone_name` not yet resolved ([`name_milestones`]).
    pub issues: Result<Vec<ContractIssueRow>, Unread>,
}

/// Why the bridge produced no rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// The front matter of `path` (absolute, as the tracker names it) holds git conflict
    /// markers; `line` (1-based, in the file) is the first.
    Conflict { path: PathBuf, line: usize },
    /// Something the tracker may read differently from us; it answers instead.
    Unserved(String),
}

fn unserved(path: &Path, what: &str) -> Unread {
    Unread::Unserved(format!("{}: {what}", path.display()))
}

/// Reads the issues and milestones under `roadmap_dir` (the working tree, as the tracker does).
/// The one function to swap for a cache query once the cache holds contract rows.
#[must_use]
pub fn read_workspace(roadmap_dir: &Path) -> ContractSources {
    if roadmap_dir.join("archive").exists() {
        let why = Unread::Unserved("an archive/ folder (0.1.1 layout)".into());
        return ContractSources {
            milestones: Err(why.clone()),
            issues: Err(why),
        };
    }
    ContractSources {
        milestones: read_kind(&roadmap_dir.join("milestones"), |fields, _| milestone(fields)),
        issues: read_kind(&roadmap_dir.join("issues"), issue).and_then(|issues| {
            let mut ids: Vec<&str> = issues.iter().map(|i| i.id.as_str()).collect();
            ids.sort_unstable();
            if ids.windows(2).any(|pair| pair[0] == pair[1]) {
                return Err(Unread::Unserved("two issue files with one id".into()));
            }
            Ok(issues)
        }),
    }
}

/// Every document of one folder, in the tracker's order (paths sorted); the first conflicted
/// one stops the read, as it stops the tracker's.
fn read_kind<T>(
    dir: &Path,
    parse: impl Fn(&Fields, &str) -> Result<T, Unread>,
) -> Result<Vec<T>, Unread> {
    let mut texts = Vec::new();
    for path in markdown_files(dir)? {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| unserved(&path, &format!("unreadable ({e})")))?;
        if let Some(line) = conflict_line(&text) {
            return Err(Unread::Conflict { path, line });
        }
        texts.push((path, text));
    }
    let mut found = Vec::with_capacity(texts.len());
    for (path, text) in &texts {
        let (data, body) = front_matter(text).ok_or_else(|| unserved(path, "no front matter"))?;
        found.push(parse(&Fields { path, data: &data }, body)?);
    }
    Ok(found)
}

/// Fills in each issue's milestone name. The tracker builds an id → name dict in file order,
/// so when two milestone files share an id the last one names it.
pub fn name_milestones(issues: &mut [ContractIssueRow], milestones: &[ContractMilestone]) {
    for issue in issues {
        issue.milestone_name = issue.milestone_id.as_ref().and_then(|id| {
            milestones
                .iter()
                .rev()
                .find(|m| &m.id == id)
                .map(|m| m.name.clone())
        });
    }
}

/// Every `*.md` below `dir`, sorted as Python sorts paths; none when `dir` is missing.
fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>, Unread> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(found);
    };
    for entry in entries {
        let entry = entry.map_err(|e| unserved(dir, &e.to_string()))?;
        let path = entry.path();
        if path.is_dir() {
            // Nested folders sort by path components in Python; not worth guessing.
            return Err(unserved(&path, "a nested folder"));
        }
        if entry.file_name().to_string_lossy().ends_with(".md") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The first line of the front matter that is a git conflict marker, if any.
fn conflict_line(text: &str) -> Option<usize> {
    let mut fences = 0;
    for (index, line) in text.lines().enumerate() {
        if line.trim_end() == "---" {
            fences += 1;
            if fences == 2 {
                return None;
            }
        }
        if line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line == "=======" {
            return Some(index + 1);
        }
    }
    None
}

/// 0.3.1's `\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z`, then one leading newline of the
/// body dropped; the front matter parsed as a mapping.
fn front_matter(text: &str) -> Option<(Mapping, &str)> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n'))?;
    let mut from = 0;
    let (yaml, body) = loop {
        let at = from + rest.get(from..)?.find("\n---")?;
        let after = rest[at + 4..].trim_start_matches([' ', '\t']);
        let after = after.strip_prefix('\r').unwrap_or(after);
        if let Some(body) = after.strip_prefix('\n') {
            let yaml = &rest[..at];
            break (yaml.strip_suffix('\r').unwrap_or(yaml), body);
        }
        from = at + 1;
    };
    let body = body.strip_prefix('\n').unwrap_or(body);
    match serde_yaml::from_str::<Value>(yaml).ok()? {
        Value::Mapping(map) => Some((map, body)),
        _ => None,
    }
}

/// One document's front matter, read strictly: each accessor refuses what 0.3.1 would read
/// differently or reject.
struct Fields<'a> {
    path: &'a Path,
    data: &'a Mapping,
}

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.data.get(key).filter(|v| !v.is_null())
    }

    /// A string PyYAML would also read as a string (see [`pyyaml_retypes`]).
    fn text(&self, key: &str) -> Result<Option<String>, Unread> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !pyyaml_retypes(s) => Ok(Some(s.clone())),
            Some(_) => Err(unserved(self.path, &format!("`{key}` is not plain text"))),
        }
    }

    /// Non-empty, trimmed, single-line text (the tracker's `RequiredText` and `EntityId`).
    fn required(&self, key: &str) -> Result<String, Unread> {
        match self.text(key)? {
            Some(s) if !s.is_empty() && s.trim() == s && !s.contains(['\0', '\r', '\n']) => {
                Ok(s)
            }
            _ => Err(unserved(self.path, &format!("`{key}` missing or not one line"))),
        }
    }

    fn one_of(&self, key: &str, default: &str, values: &[&str]) -> Result<String, Unread> {
        let value = self.text(key)?.unwrap_or_else(|| default.to_owned());
        if values.contains(&value.as_str()) {
            Ok(value)
        } else {
            Err(unserved(self.path, &format!("`{key}: {value}`")))
        }
    }

    /// A timestamp as 0.3.1 writes it (`2026-12-06T22:23:47.326481+00:00`), as a sort key.
    /// Quoted or not: PyYAML reads an unquoted one as a datetime, the same instant.
    fn timestamp(&self, key: &str) -> Result<Option<String>, Unread> {
        let text = match self.get(key) {
            None => return Ok(None),
            Some(Value::String(text)) => text,
            Some(_) => return Err(unserved(self.path, &format!("`{key}` is not a timestamp"))),
        };
        let written = text.len() >= 19 && text.as_bytes()[10] == b'T' && &text[17..19] < "60";
        match timestamp::sort_key(&text).filter(|_| written) {
            Some(key) => Ok(Some(key)),
            None => Err(unserved(self.path, &format!("`{key}: {text}`"))),
        }
    }

    fn number(&self, key: &str) -> Result<Option<f64>, Unread> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64().filter(|f| f.is_finite())),
            Some(_) => Err(unserved(self.path, &format!("`{key}` is not a number"))),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<String>, Unread> {
        let Some(value) = self.get(key) else {
            return Ok(Vec::new());
        };
        let items = value
            .as_sequence()
            .ok_or_else(|| unserved(self.path, &format!("`{key}` is not a list")))?;
        items
            .iter()
            .map(|item| match item {
                Value::String(s) if !pyyaml_retypes(s) && !s.is_empty() && s.trim() == s => {
                    Ok(s.clone())
                }
                _ => Err(unserved(self.path, &format!("an odd item in `{key}`"))),
            })
            .collect()
    }

    fn schema_version(&self) -> Result<(), Unread> {
        match self.get("schema_version") {
            Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(()),
            _ => Err(unserved(self.path, "`schema_version` is not 1")),
        }
    }
}

/// `retention`, `visible` when absent; the legacy `archived:` flag is left to the tracker.
fn retention(fields: &Fields) -> Result<String, Unread> {
    if fields.data.contains_key("archived") {
        return Err(unserved(fields.path, "a legacy `archived` key"));
    }
    fields.one_of("retention", "visible", &["visible", "archived", "purged"])
}

fn milestone(fields: &Fields) -> Result<ContractMilestone, Unread> {
    fields.schema_version()?;
    Ok(ContractMilestone {
        id: fields.required("id")?,
        name: fields.required("name")?,
        retention: retention(fields)?,
        status: fields.one_of("status", "open", &["open", "closed"])?,
        due_key: fields.timestamp("due_date")?,
    })
}

fn issue(fields: &Fields, body: &str) -> Result<ContractIssueRow, Unread> {
    fields.schema_version()?;
    let path = fields.path;
    let row = ContractIssueRow {
        id: fields.required("id")?,
        title: fields.required("title")?,
        headline: fields.text("headline")?.unwrap_or_default(),
        content: body.to_owned(),
        priority: fields.one_of("priority", "medium", &["critical", "high", "medium", "low"])?,
        status: fields.one_of(
            "status",
            "todo",
            &["todo", "in-progress", "blocked", "review", "closed"],
        )?,
        // An unknown type reads as `other`, silently, in the tracker too.
        issue_type: match fields.get("issue_type") {
            Some(Value::String(t)) if ["feature", "bug", "other"].contains(&t.as_str()) => {
                t.clone()
            }
            _ => "other".to_owned(),
        },
        retention: retention(fields)?,
        // `EntityId(str(milestone)) if milestone else None`: empty is no milestone.
        milestone_id: match fields.text("milestone")? {
            Some(id) if !id.is_empty() => Some(fields.required("milestone")?),
            _ => None,
        },
        milestone_name: None,
        assignee: fields.text("assignee")?,
        estimated_hours: fields.number("estimated_hours")?,
        progress_percentage: fields.number("progress_percentage")?,
        due_key: fields.timestamp("due_date")?,
        comment_count: comment_count(fields)?,
        labels: fields.list("labels")?,
        depends_on: fields.list("depends_on")?,
        blocks: fields.list("blocks")?,
        created: fields.timestamp("created")?.ok_or_else(|| unserved(path, "no `created`"))?,
        updated: fields.timestamp("updated")?.ok_or_else(|| unserved(path, "no `updated`"))?,
    };
    fields.timestamp("actual_start_date")?;
    fields.timestamp("actual_end_date")?;
    if row.estimated_hours.is_some_and(|h| h <= 0.0)
        || row.progress_percentage.is_some_and(|p| !(0.0..=100.0).contains(&p))
    {
        return Err(unserved(path, "an estimate or progress the tracker rejects"));
    }
    let mut related: Vec<&String> = row.depends_on.iter().chain(&row.blocks).collect();
    related.sort();
    if related.windows(2).any(|p| p[0] == p[1]) || related.contains(&&row.id) {
        return Err(unserved(path, "relations the tracker rejects"));
    }
    Ok(row)
}

/// The number of comments, each checked as the tracker checks them (positive unique ids,
/// replies to comments of this issue, an author and a body).
fn comment_count(fields: &Fields) -> Result<usize, Unread> {
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

/// Whether PyYAML (YAML 1.1) would read this plain scalar as something other than a string:
/// booleans such as `yes`/`off`, null spellings, and numbers or dates (approximated from the
/// first characters; a false alarm only sends the command to the tracker).
fn pyyaml_retypes(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL",
    ];
    if WORDS.contains(&text) || text.starts_with(".inf") || text.starts_with(".nan") {
        return true;
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit() || c == '_' || c == ':');
    let starts_with_digit = unsigned.starts_with(|c: char| c.is_ascii_digit());
    // Integers (decimal, sexagesimal `1:30`, `0b`, `0x`, octal `017`).
    let integer = starts_with_digit
        && (digits(unsigned)
            || unsigned.starts_with("0b")
            || unsigned.starts_with("0x"));
    // Floats: `1.5`, `.5`, `1e+3` forms.
    let float = unsigned.contains('.')
        && unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || "_.:eE+-".contains(c));
    // Dates and timestamps: `2026-01-01`, `2026-1-1 10:00:00`.
    let b = text.as_bytes();
    let date = b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5].is_ascii_digit();
    integer || float || date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyyaml_typed_scalars_are_told_from_text() {
        for typed in ["yes", "Off", "12345678", "1.5", "2026-01-01", "0x1f", "1_000", "~"] {
            assert!(pyyaml_retypes(typed), "{typed}");
        }
        for text in ["v0-1", "ada", "2 apples", "0758d37f-2853-43d0", "Handle CRLF", "2026abcd-1"] {
            assert!(!pyyaml_retypes(text), "{text}");
        }
    }

    #[test]
    fn front_matter_follows_the_trackers_pattern() {
        let (data, body) = front_matter("---\nid: a\n---\n\nBody.").unwrap();
        assert_eq!(data.get("id").and_then(Value::as_str), Some("a"));
        assert_eq!(body, "Body.");
        // The closing fence needs its line break.
        assert!(front_matter("---\nid: a\n---").is_none());
    }

    #[test]
    fn conflict_markers_count_only_in_front_matter() {
        assert_eq!(conflict_line("---\nid: a\n<<<<<<< HEAD\n---\n"), Some(3));
        assert_eq!(conflict_line("---\nid: a\n---\n=======\n"), None);
    }
}
