//! Milestone and project files: the few fields `list` shows beside issues.

use crate::issue::{ParseError, split};
use serde::Deserialize;

/// A milestone as `list --milestone` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Milestone {
    /// The `name` field, else the file's stem (the legacy tracker names milestone files
    /// after the milestone).
    pub name: String,
    /// The `id` field: what contract-line issues name the milestone by (legacy files have
    /// none; `migrate` writes the name as the id).
    pub id: Option<String>,
    /// The contract line's `retention:` (`visible`, `archived`, `purged`) as written.
    pub retention: Option<String>,
    pub archived: bool,
    pub status: Option<String>,
    pub due_date: Option<String>,
    pub headline: Option<String>,
    /// Why the tracker behind us might read this file differently from us (see
    /// [`crate::issue::Issue::tracker_doubt`]).
    pub tracker_doubt: Option<String>,
}

/// A project, kept so `status` can count them; issues do not refer to projects by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    pub id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Fields {
    id: Option<String>,
    name: Option<String>,
    title: Option<String>,
    status: Option<String>,
    due_date: Option<String>,
    target_end_date: Option<String>,
    headline: Option<String>,
    retention: Option<String>,
}

fn read_fields(bytes: &[u8]) -> Result<Fields, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ParseError::NotUtf8)?;
    let (yaml, _body) = split(text).ok_or(ParseError::NoFrontmatter)?;
    if yaml.trim().is_empty() {
        return Ok(Fields::default());
    }
    if crate::issue::flow_nesting_exceeds(yaml, crate::issue::MAX_FLOW_NESTING) {
        let limit = crate::issue::MAX_FLOW_NESTING;
        return Err(ParseError::Yaml(format!(
            "brackets nested deeper than {limit} levels"
        )));
    }
    serde_yaml::from_str(yaml).map_err(|e| ParseError::Yaml(crate::issue::one_line(&e)))
}

impl Milestone {
    /// Reads a milestone file; `name` and `archived` come from its path.
    pub fn parse(bytes: &[u8], name: &str, archived: bool) -> Result<Self, ParseError> {
        let fields = read_fields(bytes)?;
        Ok(Milestone {
            name: fields
                .name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| name.to_owned()),
            id: fields.id,
            retention: fields.retention,
            archived,
            status: fields.status,
            due_date: fields.due_date.or(fields.target_end_date),
            headline: fields.headline,
            tracker_doubt: None,
        })
    }
}

impl Project {
    /// Reads a project file.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let fields = read_fields(bytes)?;
        Ok(Project {
            id: fields.id,
            name: fields.name.or(fields.title),
            status: fields.status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_brackets_in_a_milestone_are_refused_before_serde_yaml() {
        let text = format!("---\nname: {}\n---\n", "[".repeat(50_000));
        let error = Milestone::parse(text.as_bytes(), "m", false).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid YAML in frontmatter: brackets nested deeper than 1000 levels"
        );
    }

    #[test]
    fn a_milestone_reads_its_status_and_due_date() {
        let text = "---\nname: v1-0\ndue_date: '2027-01-15T00:00:00'\nstatus: open\n---\n\n";
        let milestone = Milestone::parse(text.as_bytes(), "v1-0", false).unwrap();
        assert_eq!(
            (milestone.status.as_deref(), milestone.due_date.as_deref()),
            (Some("open"), Some("2027-01-15T00:00:00"))
        );
    }
}
