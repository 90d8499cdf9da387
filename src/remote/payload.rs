//! The JSON of a create or update: the changed fields in GitHub's terms, milestones by number
//! (created on GitHub when missing).

use super::apply::Target;
use super::github::GitHubError;
use super::mapping::{Fields, body_with_marker};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The JSON a create or update sends for the `changed` fields of `fields`.
pub(super) fn payload(
    fields: &Fields,
    changed: &[String],
    local_id: &str,
    target: &mut Target<'_>,
    milestones: &mut Option<HashMap<String, u64>>,
) -> Result<Value, GitHubError> {
    let mut object = serde_json::Map::new();
    for field in changed {
        match field.as_str() {
            "title" => {
                object.insert("title".into(), json!(fields.title));
            }
            "body" => {
                object.insert(
                    "body".into(),
                    json!(body_with_marker(&fields.body, local_id)),
                );
            }
            "assignee" => {
                object.insert("assignees".into(), json!(fields.assignee));
            }
            "milestone" => {
                let number = match &fields.milestone {
                    Some(title) => Some(milestone_number(title, target, milestones)?),
                    None => None,
                };
                object.insert("milestone".into(), json!(number));
            }
            _ => {}
        }
        if field == "status" {
            let state = if fields.is_closed() { "closed" } else { "open" };
            object.insert("state".into(), json!(state));
        }
        // Closed as not planned or completed: the local `not-planned` label says which.
        if let Some(reason) = fields
            .state_reason()
            .filter(|_| matches!(field.as_str(), "status" | "labels"))
        {
            object.insert("state".into(), json!("closed"));
            object.insert("state_reason".into(), json!(reason));
        }
        if matches!(
            field.as_str(),
            "status" | "priority" | "issue_type" | "labels"
        ) {
            object.insert("labels".into(), json!(fields.remote_labels(target.config)));
        }
    }
    Ok(Value::Object(object))
}

/// The number of milestone `title` on GitHub, created if it does not exist yet.
fn milestone_number(
    title: &str,
    target: &mut Target<'_>,
    milestones: &mut Option<HashMap<String, u64>>,
) -> Result<u64, GitHubError> {
    if milestones.is_none() {
        *milestones = Some(target.github.milestones()?.into_iter().collect());
    }
    let known = milestones.get_or_insert_with(HashMap::new);
    if let Some(number) = known.get(title) {
        return Ok(*number);
    }
    let number = target.github.create_milestone(title)?;
    known.insert(title.to_owned(), number);
    Ok(number)
}
