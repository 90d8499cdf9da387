//! What 0.3.1's other read commands show beyond the rows of [`super::row`]: each issue's
//! timestamps as Python prints them, its comments, history and branches, each milestone's
//! body and project, and the projects. A second bridge from the files, [`read_records`], read
//! with the same strictness; like [`super::file_rows::read_workspace`], the function to swap for a
//! cache query once the cache holds these fields.

use super::document::{Fields, Strict, conflicted, front_matter, unserved};
use super::row::Unread;
use crate::lines::contract::outputs::python::{PyNumber, isoformat};
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// One comment as `issue view` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: u64,
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
    pub in_reply_to: Option<u64>,
    /// `github_url` (or `external_url`) when not empty.
    pub external_url: Option<String>,
}

/// One `history` entry; `reason` is `None` when empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub action: String,
    pub at: String,
    pub reason: Option<String>,
}

/// An issue's fields beyond [`super::file_rows::ContractIssueRow`]; timestamps are Python's
/// `isoformat()` of what the file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueRecord {
    pub id: String,
    pub created: String,
    pub updated: String,
    pub due_at: Option<String>,
    pub actual_start_at: Option<String>,
    pub actual_end_at: Option<String>,
    pub estimated_hours: Option<PyNumber>,
    pub progress_percentage: Option<PyNumber>,
    pub git_branches: Vec<String>,
    pub comments: Vec<Comment>,
    pub history: Vec<Event>,
}

/// A milestone's fields beyond [`super::file_rows::ContractMilestone`].
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneRecord {
    pub id: String,
    pub created: String,
    pub updated: String,
    pub headline: String,
    pub content: String,
    pub project_id: Option<String>,
    pub due_at: Option<String>,
}

/// A project, every field `project list`, `project view` and `status` read.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRecord {
    pub id: String,
    pub name: String,
    pub retention: String,
    pub status: String,
    pub priority: String,
    pub milestone_ids: Vec<String>,
    pub owner: Option<String>,
    pub repository_url: Option<String>,
    pub content: String,
}

/// The three kinds, each read on its own (as [`super::row::ContractSources`]).
#[derive(Debug, Clone)]
pub struct ContractRecords {
    pub projects: Result<Vec<ProjectRecord>, Unread>,
    pub milestones: Result<Vec<MilestoneRecord>, Unread>,
    pub issues: Result<Vec<IssueRecord>, Unread>,
}

/// Reads the records under `roadmap_dir` (the working tree, as the tracker does).
#[must_use]
pub fn read_records(roadmap_dir: &Path) -> ContractRecords {
    if roadmap_dir.join("archive").exists() {
        let why = || Unread::Unserved("an archive/ folder (0.1.1 layout)".into());
        return ContractRecords {
            projects: Err(why()),
            milestones: Err(why()),
            issues: Err(why()),
        };
    }
    ContractRecords {
        projects: read_kind(&roadmap_dir.join("projects"), project),
        milestones: read_kind(&roadmap_dir.join("milestones"), milestone),
        issues: read_kind(&roadmap_dir.join("issues"), issue),
    }
}

/// The projects and milestones alone, as [`read_records`] reads them (issues left out: `status`
/// takes them from the cache).
pub fn read_planning_records(
    roadmap_dir: &Path,
) -> Result<(Vec<ProjectRecord>, Vec<MilestoneRecord>), Unread> {
    if roadmap_dir.join("archive").exists() {
        return Err(Unread::Unserved("an archive/ folder (0.1.1 layout)".into()));
    }
    Ok((
        read_kind(&roadmap_dir.join("projects"), project)?,
        read_kind(&roadmap_dir.join("milestones"), milestone)?,
    ))
}

/// The issue records of the given files alone, read as [`read_records`] reads each.
pub fn read_issue_records(paths: &[PathBuf]) -> Result<Vec<IssueRecord>, Unread> {
    paths.iter().map(|path| read_one(path, issue)).collect()
}

/// Every `*.md` of one folder in path order, parsed; the first conflicted file stops the read.
fn read_kind<T>(
    dir: &Path,
    parse: impl Fn(&Fields, &str) -> Result<T, Unread>,
) -> Result<Vec<T>, Unread> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let path = entry.map_err(|e| unserved(dir, &e.to_string()))?.path();
            if path.is_dir() {
                return Err(unserved(&path, "a nested folder"));
            }
            if path.extension().is_some_and(|e| e == "md") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths.iter().map(|path| read_one(path, &parse)).collect()
}

fn read_one<T>(
    path: &Path,
    parse: impl Fn(&Fields, &str) -> Result<T, Unread>,
) -> Result<T, Unread> {
    let text =
        std::fs::read_to_string(path).map_err(|e| unserved(path, &format!("unreadable ({e})")))?;
    if let Some(unread) = conflicted(path, &text) {
        return Err(unread);
    }
    let (data, body) = front_matter(&text).ok_or_else(|| unserved(path, "no front matter"))?;
    parse(&Fields { path, data: &data }, body)
}

/// A timestamp as `isoformat()` prints it; `None` when the key is absent or null.
fn when(fields: &Fields, key: &str) -> Result<Option<String>, Unread> {
    fields.timestamp(key)?;
    match fields.get(key) {
        None => Ok(None),
        Some(Value::String(text)) => isoformat(text)
            .map(Some)
            .ok_or_else(|| unserved(fields.path, &format!("`{key}: {text}`"))),
        Some(_) => Err(unserved(
            fields.path,
            &format!("`{key}` is not a timestamp"),
        )),
    }
}

fn required_when(fields: &Fields, key: &str) -> Result<String, Unread> {
    when(fields, key)?.ok_or_else(|| unserved(fields.path, &format!("no `{key}`")))
}

/// `str(data.pop(key, ""))`: a null would print as `None`, which we leave to the tracker.
fn body_text(fields: &Fields, key: &str) -> Result<String, Unread> {
    if fields.data.get(key).is_some_and(Value::is_null) {
        return Err(unserved(fields.path, &format!("`{key}: null`")));
    }
    Ok(fields.text(key)?.unwrap_or_default())
}

/// An int or a float, as Python keeps it.
fn py_number(fields: &Fields, key: &str) -> Result<Option<PyNumber>, Unread> {
    fields.number(key)?;
    Ok(match fields.get(key) {
        Some(Value::Number(n)) => Some(match n.as_i64() {
            Some(i) if !n.is_f64() => PyNumber::Int(i),
            _ => PyNumber::Float(n.as_f64().unwrap_or(f64::NAN)),
        }),
        _ => None,
    })
}

fn issue(fields: &Fields, _body: &str) -> Result<IssueRecord, Unread> {
    body_text(fields, "headline")?;
    Ok(IssueRecord {
        id: fields.required("id")?,
        created: required_when(fields, "created")?,
        updated: required_when(fields, "updated")?,
        due_at: when(fields, "due_date")?,
        actual_start_at: when(fields, "actual_start_date")?,
        actual_end_at: when(fields, "actual_end_date")?,
        estimated_hours: py_number(fields, "estimated_hours")?,
        progress_percentage: py_number(fields, "progress_percentage")?,
        git_branches: fields.list("git_branches")?,
        comments: comments(fields)?,
        history: history(fields)?,
    })
}

fn comments(fields: &Fields) -> Result<Vec<Comment>, Unread> {
    let odd = || unserved(fields.path, "comments the tracker may read differently");
    let Some(items) = fields.get("comments") else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for item in items.as_sequence().ok_or_else(odd)? {
        let map = item.as_mapping().ok_or_else(odd)?;
        let text = |key: &str| match map.get(key) {
            Some(Value::String(s)) => Ok(Some(s.clone())),
            None | Some(Value::Null) => Ok(None),
            Some(_) => Err(odd()),
        };
        let stamp = |key: &str| text(key)?.as_deref().and_then(isoformat).ok_or_else(odd);
        let url = text("github_url")?
            .filter(|u| !u.is_empty())
            .or(text("external_url")?.filter(|u| !u.is_empty()));
        found.push(Comment {
            id: map.get("id").and_then(Value::as_u64).ok_or_else(odd)?,
            author: text("author")?.ok_or_else(odd)?,
            body: text("body")?.ok_or_else(odd)?,
            created_at: stamp("created_at")?,
            updated_at: stamp("updated_at")?,
            in_reply_to: match map.get("in_reply_to") {
                None | Some(Value::Null) => None,
                Some(reply) => Some(reply.as_u64().ok_or_else(odd)?),
            },
            external_url: url,
        });
    }
    Ok(found)
}

fn history(fields: &Fields) -> Result<Vec<Event>, Unread> {
    let odd = || unserved(fields.path, "history the tracker may read differently");
    let Some(items) = fields.get("history") else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for item in items.as_sequence().ok_or_else(odd)? {
        let map = item.as_mapping().ok_or_else(odd)?;
        let action = map.get("action").and_then(Value::as_str).ok_or_else(odd)?;
        let at = map
            .get("at")
            .and_then(Value::as_str)
            .and_then(isoformat)
            .ok_or_else(odd)?;
        let reason = match map.get("reason") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()).filter(|s| !s.is_empty()),
            Some(_) => return Err(odd()),
        };
        if action.trim().is_empty() {
            return Err(odd());
        }
        found.push(Event {
            action: action.to_owned(),
            at,
            reason,
        });
    }
    Ok(found)
}

fn milestone(fields: &Fields, body: &str) -> Result<MilestoneRecord, Unread> {
    fields.schema_version()?;
    Ok(MilestoneRecord {
        id: fields.required("id")?,
        created: required_when(fields, "created")?,
        updated: required_when(fields, "updated")?,
        headline: body_text(fields, "headline")?,
        content: body.to_owned(),
        project_id: match fields.text("project_id")? {
            Some(id) if !id.is_empty() => Some(fields.required("project_id")?),
            _ => None,
        },
        due_at: when(fields, "due_date")?,
    })
}

fn project(fields: &Fields, body: &str) -> Result<ProjectRecord, Unread> {
    fields.schema_version()?;
    if fields.data.contains_key("archived") || fields.data.contains_key("repository") {
        return Err(unserved(fields.path, "a legacy project key"));
    }
    when(fields, "start_date")?;
    when(fields, "target_end_date")?;
    when(fields, "actual_end_date")?;
    required_when(fields, "created")?;
    required_when(fields, "updated")?;
    py_number(fields, "estimated_hours")?;
    py_number(fields, "actual_hours")?;
    let ids = fields.list("milestones")?;
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(unserved(fields.path, "a milestone listed twice"));
    }
    Ok(ProjectRecord {
        id: fields.required("id")?,
        name: fields.required("name")?,
        retention: fields.one_of("retention", "visible", &["visible", "archived", "purged"])?,
        status: fields.one_of(
            "status",
            "planning",
            &["planning", "active", "on-hold", "completed", "cancelled"],
        )?,
        priority: fields.one_of("priority", "medium", &["critical", "high", "medium", "low"])?,
        milestone_ids: ids,
        owner: fields.text("owner")?,
        repository_url: fields.text("repo_url")?,
        content: {
            body_text(fields, "headline")?;
            body.to_owned()
        },
    })
}
