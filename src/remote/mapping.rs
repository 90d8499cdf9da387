//! The synced fields of an issue, and how they map to a GitHub issue: status ↔ open/closed plus
//! a `status:*` label, priority and type ↔ labels, assignee ↔ every assignee, milestone ↔ title.

use super::config::SyncConfig;
use super::github::GhIssue;
use crate::issue::{Issue, IssueType, Priority, Status};
use serde::{Deserialize, Serialize};

/// The fields both sides hold, in the local tracker's terms. Labels are sorted and unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    pub title: String,
    pub body: String,
    pub status: String,
    pub priority: String,
    pub issue_type: String,
    pub labels: Vec<String>,
    /// Every assignee, sorted. Locally the tracker's one `assignee` field, several logins
    /// separated by commas. (Baselines from before read a single login or null.)
    #[serde(deserialize_with = "one_or_many")]
    pub assignee: Vec<String>,
    pub milestone: Option<String>,
}

/// Reads null, one string or a list of strings as a sorted list.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Option<String>),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => one.into_iter().collect(),
        OneOrMany::Many(many) => sorted_labels(many),
    })
}

/// The logins in the tracker's `assignee` field: one, or several separated by commas.
#[must_use]
pub fn assignees_of(field: Option<&str>) -> Vec<String> {
    sorted_labels(field.unwrap_or_default().split(',').map(str::to_owned))
}

/// The tracker's `assignee` field for `logins`.
#[must_use]
pub fn assignee_field(logins: &[String]) -> Option<String> {
    (!logins.is_empty()).then(|| logins.join(", "))
}

/// The marker a pushed issue carries in its body, so a crash before the link is written never
/// creates it twice: `<!-- roadmap-id: 4e619042 -->`.
const MARKER_START: &str = "<!-- roadmap-id: ";
const MARKER_END: &str = " -->";

fn normalized_body(body: &str) -> String {
    body.replace("\r\n", "\n").trim().to_owned()
}

fn sorted_labels(labels: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut labels: Vec<String> = labels
        .into_iter()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

/// The label the tracker's own sync puts on issues it pulled: local only, never pushed.
pub const TRACKER_PULLED_LABEL: &str = "synced:from-github";

/// The local label of an issue closed as not planned: GitHub's `state_reason: not_planned`,
/// never a GitHub label.
pub const NOT_PLANNED_LABEL: &str = "not-planned";

/// Fields GitHub holds only as labels this tool pushes; a link the tracker made lacks them.
pub const LABEL_FIELDS: &[&str] = &["status", "priority", "issue_type"];

impl Fields {
    /// The synced fields of a local issue. The tracker's milestone `backlog` is no milestone,
    /// and its `synced:from-github` label is not a label GitHub holds.
    #[must_use]
    pub fn of_local(issue: &Issue) -> Self {
        let labels = issue
            .labels
            .iter()
            .filter(|l| l.trim() != TRACKER_PULLED_LABEL)
            .cloned();
        Fields {
            title: issue.title.clone(),
            body: normalized_body(&issue.body),
            status: issue.status.as_str().to_owned(),
            priority: issue.priority.as_str().to_owned(),
            issue_type: issue.issue_type.as_str().to_owned(),
            labels: sorted_labels(labels),
            // `assignee: ''` (kept in the file) is no assignee on GitHub.
            assignee: assignees_of(issue.assignee.as_deref()),
            milestone: issue
                .milestone
                .clone()
                .filter(|m| m != crate::lines::legacy::layout::BACKLOG_FOLDER),
        }
    }

    /// The fields of a GitHub issue, where those named in `uncarried` that GitHub holds no
    /// label for (priority, issue type, a status beside open/closed) read as `fallback`'s:
    /// for a link the tracker's own sync made, which never put them on GitHub. Returns the
    /// fields read that way (still uncarried).
    #[must_use]
    pub fn of_remote_against(
        remote: &GhIssue,
        config: &SyncConfig,
        fallback: &Fields,
        uncarried: &[String],
    ) -> (Self, Vec<String>) {
        let mut fields = respell_labels(Self::of_remote(remote, config), fallback);
        let lacks = |prefix: &str| !remote.labels.iter().any(|l| l.name.starts_with(prefix));
        let mut still = Vec::new();
        for field in uncarried {
            let read_as_fallback = match field.as_str() {
                "priority" if lacks(&config.priority_label_prefix) => {
                    fields.priority.clone_from(&fallback.priority);
                    true
                }
                "issue_type" if lacks(&config.type_label_prefix) => {
                    fields.issue_type.clone_from(&fallback.issue_type);
                    true
                }
                "status"
                    if lacks(&config.status_label_prefix)
                        && fields.is_closed() == fallback.is_closed() =>
                {
                    fields.status.clone_from(&fallback.status);
                    true
                }
                _ => false,
            };
            if read_as_fallback {
                still.push(field.clone());
            }
        }
        (fields, still)
    }

    /// The synced fields of a GitHub issue, read through the label prefixes of `config`.
    #[must_use]
    pub fn of_remote(remote: &GhIssue, config: &SyncConfig) -> Self {
        let mut status_label = None;
        let mut priority = None;
        let mut issue_type = None;
        let mut labels = Vec::new();
        for label in remote.labels.iter().map(|l| l.name.as_str()) {
            if let Some(value) = label.strip_prefix(&config.status_label_prefix) {
                status_label = Some(Status::parse(value).0);
            } else if let Some(value) = label.strip_prefix(&config.priority_label_prefix) {
                priority = Some(Priority::parse(value).0.as_str().to_owned());
            } else if let Some(value) = label.strip_prefix(&config.type_label_prefix) {
                issue_type = Some(IssueType::parse(value).0.as_str().to_owned());
            } else {
                labels.push(label.to_owned());
            }
        }
        labels.retain(|l| *l != NOT_PLANNED_LABEL);
        if remote.state == "closed" && remote.state_reason.as_deref() == Some("not_planned") {
            labels.push(NOT_PLANNED_LABEL.to_owned());
        }
        let status = match (remote.state.as_str(), status_label) {
            ("closed", Some(Status::Archived)) => Status::Archived,
            ("closed", _) => Status::Closed,
            (_, Some(Status::Closed | Status::Archived) | None) => Status::Todo,
            (_, Some(open)) => open,
        };
        Fields {
            title: remote.title.trim().to_owned(),
            body: strip_marker(remote.body.as_deref().unwrap_or_default()).1,
            status: status.as_str().to_owned(),
            priority: priority.unwrap_or_else(|| "medium".into()),
            issue_type: issue_type.unwrap_or_else(|| "other".into()),
            labels: sorted_labels(labels),
            assignee: remote.all_assignees(),
            milestone: remote.milestone.as_ref().map(|m| m.title.clone()),
        }
    }

    /// GitHub's `state_reason` for these fields when closed: `not_planned` with the local
    /// label, else `completed`.
    #[must_use]
    pub fn state_reason(&self) -> Option<&'static str> {
        if !self.is_closed() {
            None
        } else if self.labels.iter().any(|l| l == NOT_PLANNED_LABEL) {
            Some("not_planned")
        } else {
            Some("completed")
        }
    }

    /// Whether the status means closed on GitHub.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        !Status::parse(&self.status).0.is_open()
    }

    /// Every GitHub label these fields stand for: the plain labels and the prefixed ones.
    #[must_use]
    pub fn remote_labels(&self, config: &SyncConfig) -> Vec<String> {
        let mut labels: Vec<String> = self
            .labels
            .iter()
            .filter(|l| *l != NOT_PLANNED_LABEL)
            .cloned()
            .collect();
        if !matches!(self.status.as_str(), "todo" | "closed") {
            labels.push(format!("{}{}", config.status_label_prefix, self.status));
        }
        if config.push_default_labels || self.priority != "medium" {
            labels.push(format!("{}{}", config.priority_label_prefix, self.priority));
        }
        if config.push_default_labels || self.issue_type != "other" {
            labels.push(format!("{}{}", config.type_label_prefix, self.issue_type));
        }
        labels
    }
}

/// `fields` with each label spelled as in `like` where they differ only in case (GitHub labels
/// are case-insensitive and keep the spelling of the label that exists).
#[must_use]
pub fn respell_labels(mut fields: Fields, like: &Fields) -> Fields {
    for label in &mut fields.labels {
        if let Some(local) = like
            .labels
            .iter()
            .find(|l| l.eq_ignore_ascii_case(label) && *l != label)
        {
            label.clone_from(local);
        }
    }
    fields.labels.sort();
    fields.labels.dedup();
    fields
}

/// The body as pushed: the text, then the hidden marker with the local id.
#[must_use]
pub fn body_with_marker(body: &str, local_id: &str) -> String {
    let body = body.trim();
    let marker = format!("{MARKER_START}{local_id}{MARKER_END}");
    if body.is_empty() {
        marker
    } else {
        format!("{body}\n\n{marker}")
    }
}

/// Splits a GitHub body into the local id in its marker (if any) and the text without it.
#[must_use]
pub fn strip_marker(body: &str) -> (Option<String>, String) {
    let body = body.replace("\r\n", "\n");
    let Some(start) = body.find(MARKER_START) else {
        return (None, normalized_body(&body));
    };
    let after = &body[start + MARKER_START.len()..];
    let Some(end) = after.find(MARKER_END) else {
        return (None, normalized_body(&body));
    };
    let id = after[..end].trim().to_owned();
    let rest = format!("{}{}", &body[..start], &after[end + MARKER_END.len()..]);
    (Some(id), normalized_body(&rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::github::{GhLabel, GhUser};

    fn config() -> SyncConfig {
        SyncConfig::parse("kind: github\nrepo: a/b\n").unwrap()
    }

    #[test]
    fn markers_round_trip_and_are_stripped() {
        let pushed = body_with_marker("Steps:\n1. x\n", "4e619042");
        assert_eq!(
            strip_marker(&pushed),
            (Some("4e619042".into()), "Steps:\n1. x".into())
        );
        assert_eq!(strip_marker("plain"), (None, "plain".into()));
    }

    #[test]
    fn status_priority_and_type_survive_a_round_trip_through_labels() {
        let fields = Fields {
            title: "T".into(),
            body: "B".into(),
            status: "in-progress".into(),
            priority: "high".into(),
            issue_type: "bug".into(),
            labels: vec!["ui".into()],
            assignee: vec!["alice".into()],
            milestone: Some("v1".into()),
        };
        let remote = GhIssue {
            number: 1,
            title: "T".into(),
            body: Some(body_with_marker("B", "x")),
            state: "open".into(),
            labels: fields
                .remote_labels(&config())
                .into_iter()
                .map(|name| GhLabel { name })
                .collect(),
            assignees: vec![GhUser {
                login: "alice".into(),
            }],
            assignee: None,
            milestone: Some(crate::remote::github::GhMilestone {
                number: 3,
                title: "v1".into(),
            }),
            updated_at: String::new(),
            comments: 0,
            state_reason: None,
            pull_request: None,
        };
        assert_eq!(Fields::of_remote(&remote, &config()), fields);
        let closed = GhIssue {
            state: "closed".into(),
            labels: Vec::new(),
            ..remote
        };
        let read = Fields::of_remote(&closed, &config());
        assert_eq!(
            (read.status.as_str(), read.priority.as_str()),
            ("closed", "medium")
        );
    }
}
