//! The JSON object of one issue, as `roadmap list --format json` prints it.
//!
//! Built once when a file is synced and stored in the cache, so listing 100k issues as JSON is
//! string concatenation. Every frontmatter key appears, in the tracker's order, with the
//! effective status, milestone and archived flag; unknown keys sit under `extra`.

use super::Issue;
use serde_json::{Map, Value, json};

/// Returns the issue at `path` as one line of JSON.
#[must_use]
pub fn to_json(issue: &Issue, path: &str) -> String {
    let mut object = frontmatter_object(issue);
    object.insert("id".into(), json!(issue.id));
    object.insert("title".into(), json!(issue.title));
    object.insert("priority".into(), json!(issue.priority.as_str()));
    object.insert("status".into(), json!(issue.status.as_str()));
    object.insert("archived".into(), json!(issue.archived));
    object.insert("issue_type".into(), json!(issue.issue_type.as_str()));
    object.insert("milestone".into(), json!(issue.milestone));
    object.insert("labels".into(), json!(issue.labels));
    object.insert("assignee".into(), json!(issue.assignee));
    for list in ["depends_on", "blocks", "git_branches", "comments"] {
        if object.get(list).is_none_or(Value::is_null) {
            object.insert(list.into(), json!([]));
        }
    }
    let extra: Map<String, Value> = issue
        .frontmatter
        .unknown
        .iter()
        .map(|(key, value)| {
            (
                key.clone(),
                serde_json::to_value(value).unwrap_or(Value::Null),
            )
        })
        .collect();
    object.insert("extra".into(), Value::Object(extra));
    object.insert("path".into(), json!(path));
    Value::Object(object).to_string()
}

fn frontmatter_object(issue: &Issue) -> Map<String, Value> {
    let as_object = |value: serde_json::Result<Value>| match value {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    as_object(serde_json::to_value(&issue.frontmatter)).unwrap_or_else(|| {
        // A free-form field held something JSON cannot say (a map keyed by a list, say).
        let mut plain = issue.frontmatter.clone();
        plain.remote_ids = None;
        plain.git_commits = None;
        plain.sync_metadata = None;
        as_object(serde_json::to_value(&plain)).unwrap_or_default()
    })
}
