//! The project fields only `project view --format json` shows (timestamps, headline, hours),
//! read from the project files with the strictness of [`super::records`]. A third bridge,
//! added beside the other two rather than into them; like them, the function to swap for a
//! cache query ([`read_project_extras`]).

use super::document::{Fields, Strict, conflicted, front_matter, unserved};
use super::row::Unread;
use crate::lines::contract::outputs::python::{PyNumber, isoformat};
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// A project's fields beyond [`super::records::ProjectRecord`]; timestamps as `isoformat()`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectExtra {
    pub id: String,
    pub created: String,
    pub updated: String,
    pub headline: String,
    pub estimated_hours: Option<PyNumber>,
    pub start_at: Option<String>,
    pub target_end_at: Option<String>,
    pub actual_end_at: Option<String>,
    pub actual_hours: Option<PyNumber>,
}

/// Every project file under `roadmap_dir/projects` in path order.
pub fn read_project_extras(roadmap_dir: &Path) -> Result<Vec<ProjectExtra>, Unread> {
    let dir = roadmap_dir.join("projects");
    let mut paths: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let path = entry.map_err(|e| unserved(&dir, &e.to_string()))?.path();
            if path.extension().is_some_and(|e| e == "md") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut found = Vec::with_capacity(paths.len());
    for path in &paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| unserved(path, &format!("unreadable ({e})")))?;
        if let Some(unread) = conflicted(path, &text) {
            return Err(unread);
        }
        let (data, _) = front_matter(&text).ok_or_else(|| unserved(path, "no front matter"))?;
        found.push(extra(&Fields { path, data: &data })?);
    }
    Ok(found)
}

fn when(fields: &Fields, key: &str) -> Result<Option<String>, Unread> {
    fields.timestamp(key)?;
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => isoformat(text)
            .map(Some)
            .ok_or_else(|| unserved(fields.path, &format!("`{key}: {text}`"))),
        Some(_) => Err(unserved(
            fields.path,
            &format!("`{key}` is not a timestamp"),
        )),
    }
}

fn number(fields: &Fields, key: &str) -> Result<Option<PyNumber>, Unread> {
    fields.number(key)?;
    Ok(match fields.get(key) {
        Some(Value::Number(n)) => Some(match n.as_i64() {
            Some(i) if !n.is_f64() => PyNumber::Int(i),
            _ => PyNumber::Float(n.as_f64().unwrap_or(f64::NAN)),
        }),
        _ => None,
    })
}

fn extra(fields: &Fields) -> Result<ProjectExtra, Unread> {
    let required =
        |key: &str| when(fields, key)?.ok_or_else(|| unserved(fields.path, &format!("no `{key}`")));
    if fields.get("headline").is_some_and(Value::is_null) {
        return Err(unserved(fields.path, "`headline: null`"));
    }
    Ok(ProjectExtra {
        id: fields.required("id")?,
        created: required("created")?,
        updated: required("updated")?,
        headline: fields.text("headline")?.unwrap_or_default(),
        estimated_hours: number(fields, "estimated_hours")?,
        start_at: when(fields, "start_date")?,
        target_end_at: when(fields, "target_end_date")?,
        actual_end_at: when(fields, "actual_end_date")?,
        actual_hours: number(fields, "actual_hours")?,
    })
}
