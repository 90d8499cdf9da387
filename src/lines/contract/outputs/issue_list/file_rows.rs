//! The file bridge of the 0.3.1 read commands other than `issue list` (`issue view`,
//! `status`, `milestone`, `project`): the issues and milestones read from the working tree's
//! files, as the tracker reads them, until the cache holds the fields those commands show
//! (`issue list` reads the cache: [`super::sources`]). It reads what 0.3.1 writes
//! (`yaml.safe_dump` front matter) and refuses anything else with [`Unread::Unserved`], so the
//! command goes to the tracker; a record holding git conflict hunks is [`Unread::Conflict`].

use super::document::{Fields, Strict, conflicted, front_matter, unserved};
use super::row::Unread;
use serde_yaml::Value;
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
    /// The due date as a `timestamp::sort_key` (UTC), for `--overdue`.
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
        milestones: read_kind(&roadmap_dir.join("milestones"), |fields, _| {
            milestone(fields)
        }),
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

/// The milestones alone, as [`read_workspace`] reads them: the few files `status` reads
/// besides the issues it takes from the cache.
pub fn read_milestones(roadmap_dir: &Path) -> Result<Vec<ContractMilestone>, Unread> {
    read_kind(&roadmap_dir.join("milestones"), |fields, _| {
        milestone(fields)
    })
}

/// The issue rows of the given files alone, read as [`read_workspace`] reads each: for a
/// command that takes the other issues from the cache (`issue view`).
pub fn read_issue_files(paths: &[PathBuf]) -> Result<Vec<ContractIssueRow>, Unread> {
    read_files(paths.to_vec(), issue)
}

/// Every document of one folder, in the tracker's order (paths sorted); the first conflicted
/// one stops the read, as it stops the tracker's.
fn read_kind<T>(
    dir: &Path,
    parse: impl Fn(&Fields, &str) -> Result<T, Unread>,
) -> Result<Vec<T>, Unread> {
    read_files(markdown_files(dir)?, parse)
}

fn read_files<T>(
    paths: Vec<PathBuf>,
    parse: impl Fn(&Fields, &str) -> Result<T, Unread>,
) -> Result<Vec<T>, Unread> {
    let mut texts = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| unserved(&path, &format!("unreadable ({e})")))?;
        if let Some(unread) = conflicted(&path, &text) {
            return Err(unread);
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
        comment_count: super::strict::comment_count(fields)?,
        labels: fields.list("labels")?,
        depends_on: fields.list("depends_on")?,
        blocks: fields.list("blocks")?,
        created: fields
            .timestamp("created")?
            .ok_or_else(|| unserved(path, "no `created`"))?,
        updated: fields
            .timestamp("updated")?
            .ok_or_else(|| unserved(path, "no `updated`"))?,
    };
    fields.timestamp("actual_start_date")?;
    fields.timestamp("actual_end_date")?;
    if row.estimated_hours.is_some_and(|h| h <= 0.0)
        || row
            .progress_percentage
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
    {
        return Err(unserved(
            path,
            "an estimate or progress the tracker rejects",
        ));
    }
    let mut related: Vec<&String> = row.depends_on.iter().chain(&row.blocks).collect();
    related.sort();
    if related.windows(2).any(|p| p[0] == p[1]) || related.contains(&&row.id) {
        return Err(unserved(path, "relations the tracker rejects"));
    }
    Ok(row)
}
