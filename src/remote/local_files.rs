//! The local side of a sync: the new content of an issue file for the fields a merge changed
//! (set in place, every other byte kept), the link `remote_ids: {github: N}`, and the file of
//! an issue pulled from GitHub.

use super::mapping::{Fields, assignee_field};
use super::plan::LocalIssue;
use crate::issue::render::{NewIssue, YamlValue, new_issue_file, set_fields};
use crate::issue::{KNOWN_KEYS, split};
use crate::issue_write::now_timestamp;
use crate::lines::legacy::layout::{BACKLOG_FOLDER, in_milestone_folder, slug};
use crate::workspace::pending::blob_id;
use crate::workspace::write::FileChange;

/// A file that has no frontmatter block to edit.
#[derive(Debug, thiserror::Error)]
#[error("{0}: no frontmatter block")]
pub struct NoFrontmatter(pub String);

/// The file of a remote issue new to us, linked to it.
pub fn new_local_file(id: &str, number: u64, fields: &Fields) -> Result<FileChange, NoFrontmatter> {
    let new = NewIssue {
        id: id.to_owned(),
        title: fields.title.clone(),
        priority: fields.priority.clone(),
        status: fields.status.clone(),
        issue_type: fields.issue_type.clone(),
        milestone: fields.milestone.clone(),
        labels: fields.labels.clone(),
        assignee: assignee_field(&fields.assignee),
        now: now_timestamp(),
        body: fields.body.clone(),
    };
    let folder = fields
        .milestone
        .as_deref()
        .map_or(BACKLOG_FOLDER.to_owned(), |m| m.replace('/', "-"));
    let path = format!(".roadmap/issues/{folder}/{id}-{}.md", slug(&fields.title));
    let link = remote_ids(None, number);
    let text = set_fields(&new_issue_file(&new), &[("remote_ids", link)], KNOWN_KEYS)
        .ok_or_else(|| NoFrontmatter(path.clone()))?;
    Ok(FileChange::Create { path, text })
}

/// The new content of a local file: the `to_local` fields from `result`, and the link.
pub fn local_change(
    local: &LocalIssue,
    result: &Fields,
    to_local: &[String],
    link: Option<u64>,
) -> Result<FileChange, NoFrontmatter> {
    let text_or_null =
        |value: &Option<String>| value.clone().map_or(YamlValue::Null, YamlValue::Text);
    let mut changes: Vec<(&str, YamlValue)> = Vec::new();
    for field in to_local {
        let value = match field.as_str() {
            "title" => YamlValue::Text(result.title.clone()),
            "status" => YamlValue::Text(result.status.clone()),
            "priority" => YamlValue::Text(result.priority.clone()),
            "issue_type" => YamlValue::Text(result.issue_type.clone()),
            "labels" => YamlValue::List(ordered_labels(&local.issue.labels, &result.labels)),
            "assignee" => text_or_null(&assignee_field(&result.assignee)),
            "milestone" => text_or_null(&result.milestone),
            _ => continue,
        };
        changes.push((field.as_str(), value));
    }
    if let Some(number) = link {
        changes.push((
            "remote_ids",
            remote_ids(local.issue.frontmatter.remote_ids.as_ref(), number),
        ));
    }
    if !to_local.is_empty() {
        changes.push(("updated", YamlValue::Text(now_timestamp())));
    }
    let path = local.path.clone();
    let mut text =
        set_fields(&local.text, &changes, KNOWN_KEYS).ok_or_else(|| NoFrontmatter(path.clone()))?;
    if to_local.iter().any(|f| f == "body") {
        text = with_body(&text, &result.body).ok_or_else(|| NoFrontmatter(path.clone()))?;
    }
    let moved = to_local
        .iter()
        .any(|f| f == "milestone")
        .then(|| {
            let folder = result
                .milestone
                .as_deref()
                .map_or(BACKLOG_FOLDER.to_owned(), |m| m.replace('/', "-"));
            in_milestone_folder(&path, &folder)
        })
        .flatten()
        .filter(|to| *to != path);
    // Compare and swap: written only if the file still holds what this sync read.
    let read = blob_id(local.text.as_bytes());
    Ok(match moved {
        Some(to) => FileChange::Move {
            from: path,
            to,
            text,
            read,
        },
        None => FileChange::Replace { path, text, read },
    })
}

/// `remote_ids` with `github: number` set and every other remote kept.
fn remote_ids(existing: Option<&serde_yaml::Value>, number: u64) -> YamlValue {
    let mut entries: Vec<(String, YamlValue)> = Vec::new();
    if let Some(serde_yaml::Value::Mapping(map)) = existing {
        for (key, value) in map {
            let Some(key) = key.as_str().map(str::to_owned) else {
                continue;
            };
            if key == "github" {
                continue;
            }
            let value = match value {
                serde_yaml::Value::Number(n) if n.as_i64().is_some() => {
                    YamlValue::Integer(n.as_i64().unwrap_or_default())
                }
                serde_yaml::Value::String(s) => YamlValue::Text(s.clone()),
                other => YamlValue::Text(
                    serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                ),
            };
            entries.push((key, value));
        }
    }
    entries.push((
        "github".into(),
        YamlValue::Integer(i64::try_from(number).unwrap_or(i64::MAX)),
    ));
    YamlValue::Map(entries)
}

/// The local labels in their order, minus the removed, plus the added ones (sorted). The
/// tracker's local-only `synced:from-github` label stays.
fn ordered_labels(local: &[String], merged: &[String]) -> Vec<String> {
    let mut labels: Vec<String> = local
        .iter()
        .filter(|l| {
            let label = l.trim();
            label == super::mapping::TRACKER_PULLED_LABEL || merged.iter().any(|m| m == label)
        })
        .cloned()
        .collect();
    for label in merged {
        if !labels.iter().any(|l| l.trim() == label) {
            labels.push(label.clone());
        }
    }
    labels
}

/// The file `text` with its body replaced by `body`, the frontmatter byte for byte.
fn with_body(text: &str, body: &str) -> Option<String> {
    let (_, old_body) = split(text)?;
    let start = old_body.as_ptr() as usize - text.as_ptr() as usize;
    // The split ends after the blank lines that follow the closing fence; keep one.
    let gap = if text[..start].ends_with("\n\n") {
        ""
    } else {
        "\n"
    };
    Some(format!("{}{gap}{}\n", &text[..start], body.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_body_keeps_the_frontmatter() {
        let file = "---\nid: a\nx: 1\n---\n\nold\nbody\n";
        assert_eq!(
            with_body(file, "new").unwrap(),
            "---\nid: a\nx: 1\n---\n\nnew\n"
        );
    }

    #[test]
    fn the_link_keeps_other_remotes() {
        let existing: serde_yaml::Value = serde_yaml::from_str("{gitlab: '7', github: 1}").unwrap();
        let rendered =
            crate::issue::render::render_field("remote_ids", &remote_ids(Some(&existing), 42));
        assert_eq!(rendered, "remote_ids:\n  gitlab: '7'\n  github: 42\n");
    }

    #[test]
    fn labels_keep_their_local_order() {
        let local = ["z".to_owned(), "a".to_owned(), "gone".to_owned()];
        let merged = ["a".to_owned(), "new".to_owned(), "z".to_owned()];
        assert_eq!(ordered_labels(&local, &merged), ["z", "a", "new"]);
    }
}
