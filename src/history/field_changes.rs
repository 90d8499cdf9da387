//! The field-by-field changes between two versions of one issue: a pure function shared by
//! `roadmap diff` (a range of commits), `roadmap log` (one commit at a time) and the event
//! table (each sync's range).
//!
//! A version is an [`IssueVersion`]: the fields a person follows (title, status, priority,
//! type, milestone, assignee, labels, archived, due date, progress, estimate, comments, body),
//! read from one file at one commit on either tracker line. `updated` and the contract line's
//! `history` list are left out: every write moves them, so they would drown the rest.

use crate::issue::Issue;
use serde::Serialize;

/// One issue as one commit holds it, in the form changes are computed on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueVersion {
    pub id: String,
    /// The file, repository-relative: where this version was read.
    pub path: String,
    pub title: String,
    pub status: String,
    /// The status is not `closed` (an archived issue may be open or not).
    pub open: bool,
    pub priority: String,
    pub issue_type: String,
    /// The milestone as lists show it (its name).
    pub milestone: Option<String>,
    /// What the file names the milestone by: its id on the contract line, its name on the
    /// legacy line. Compared instead of the name, so renaming a milestone moves no issue.
    #[serde(skip)]
    pub milestone_key: Option<String>,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub archived: bool,
    pub due_date: Option<String>,
    pub progress: Option<String>,
    pub estimated_hours: Option<String>,
    /// How many comments the file holds.
    pub comments: usize,
    pub body: String,
    /// `updated` as a UTC sort key: which of two files with one id wins (not compared).
    #[serde(skip)]
    pub updated_key: Option<String>,
}

impl IssueVersion {
    /// The version `issue`, read from `path`, holds.
    #[must_use]
    pub fn of(issue: &Issue, path: &str) -> Self {
        let fm = &issue.frontmatter;
        let number = |n: &Option<crate::issue::Number>| n.as_ref().map(|n| trim_float(n.value));
        IssueVersion {
            id: issue.id.clone(),
            path: path.to_owned(),
            title: issue.title.clone(),
            status: issue.status.as_str().to_owned(),
            open: issue.status.is_open(),
            priority: issue.priority.as_str().to_owned(),
            issue_type: issue.issue_type.as_str().to_owned(),
            milestone: issue.milestone.clone(),
            milestone_key: issue
                .milestone_id
                .clone()
                .or_else(|| issue.milestone.clone()),
            assignee: issue.assignee.clone().filter(|a| !a.is_empty()),
            labels: issue.labels.clone(),
            archived: issue.archived,
            due_date: fm.due_date.clone().filter(|d| !d.is_empty()),
            progress: number(&fm.progress_percentage),
            estimated_hours: number(&fm.estimated_hours),
            comments: fm.comments.as_ref().map_or(0, Vec::len),
            body: issue.body.clone(),
            updated_key: issue.updated_key().map(str::to_owned),
        }
    }
}

/// `50.0` as `50`, `12.5` as `12.5`.
fn trim_float(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// A field an issue's change is reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Status,
    Priority,
    #[serde(rename = "type")]
    IssueType,
    Milestone,
    Assignee,
    Labels,
    Archived,
    DueDate,
    Progress,
    EstimatedHours,
    Comments,
    Body,
}

impl Field {
    /// The name shown to the user (and in JSON).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Status => "status",
            Field::Priority => "priority",
            Field::IssueType => "type",
            Field::Milestone => "milestone",
            Field::Assignee => "assignee",
            Field::Labels => "labels",
            Field::Archived => "archived",
            Field::DueDate => "due_date",
            Field::Progress => "progress",
            Field::EstimatedHours => "estimated_hours",
            Field::Comments => "comments",
            Field::Body => "body",
        }
    }
}

/// One field of one issue, before and after. `None` on a side where the issue does not exist
/// or the field is empty. Labels are written comma-separated; `comments` is a count; `body`
/// carries no text (`changed`), bodies being too long to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: Field,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Returns the fields that differ from `old` to `new`, in [`Field`] order. `None` stands for
/// "the issue does not exist there": from `None`, every field the new version sets is a
/// change from nothing (an issue opened); to `None`, every field the old one set goes (an
/// issue removed). Empty when nothing a person follows changed (only `updated`, say).
#[must_use]
pub fn field_changes(old: Option<&IssueVersion>, new: Option<&IssueVersion>) -> Vec<FieldChange> {
    let fields = |v: Option<&IssueVersion>| -> Vec<(Field, Option<String>, Option<String>)> {
        let Some(v) = v else {
            return ALL.iter().map(|f| (*f, None, None)).collect();
        };
        let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        vec![
            (Field::Title, text(&v.title), None),
            (Field::Status, text(&v.status), None),
            (Field::Priority, text(&v.priority), None),
            (Field::IssueType, text(&v.issue_type), None),
            // Compared by what the file names; shown by name.
            (
                Field::Milestone,
                v.milestone.clone(),
                Some(v.milestone_key.clone().unwrap_or_default()),
            ),
            (Field::Assignee, v.assignee.clone(), None),
            (
                Field::Labels,
                (!v.labels.is_empty()).then(|| v.labels.join(", ")),
                None,
            ),
            (Field::Archived, v.archived.then(|| "true".to_owned()), None),
            (Field::DueDate, v.due_date.clone(), None),
            (Field::Progress, v.progress.clone(), None),
            (Field::EstimatedHours, v.estimated_hours.clone(), None),
            (
                Field::Comments,
                (v.comments > 0).then(|| v.comments.to_string()),
                None,
            ),
            (
                Field::Body,
                (!v.body.trim().is_empty()).then(|| "changed".to_owned()),
                Some(v.body.trim_end().to_owned()),
            ),
        ]
    };
    let (before, after) = (fields(old), fields(new));
    before
        .into_iter()
        .zip(after)
        .filter_map(|((field, old_shown, old_key), (_, new_shown, new_key))| {
            let same = match (&old_key, &new_key) {
                (Some(a), Some(b)) => a == b,
                _ => old_shown == new_shown,
            };
            if same {
                return None;
            }
            if field == Field::Body {
                // A body has no short form: say that it changed, was added or removed.
                let has = |key: &Option<String>| key.as_ref().is_some_and(|b| !b.is_empty());
                return Some(FieldChange {
                    field,
                    old: has(&old_key).then(|| "…".to_owned()),
                    new: has(&new_key).then(|| "…".to_owned()),
                })
                .filter(|c| c.old.is_some() || c.new.is_some());
            }
            if field == Field::Archived && old.is_some() && new.is_some() {
                // Between two versions, not archived is a value: `archived: false → true`.
                let flag = |shown: Option<String>| shown.or_else(|| Some("false".to_owned()));
                return Some(FieldChange {
                    field,
                    old: flag(old_shown),
                    new: flag(new_shown),
                });
            }
            Some(FieldChange {
                field,
                old: old_shown,
                new: new_shown,
            })
        })
        .collect()
}

const ALL: [Field; 13] = [
    Field::Title,
    Field::Status,
    Field::Priority,
    Field::IssueType,
    Field::Milestone,
    Field::Assignee,
    Field::Labels,
    Field::Archived,
    Field::DueDate,
    Field::Progress,
    Field::EstimatedHours,
    Field::Comments,
    Field::Body,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn version(title: &str, status: &str) -> IssueVersion {
        IssueVersion {
            id: "4e61ab12".into(),
            path: ".roadmap/issues/backlog/4e61ab12-x.md".into(),
            title: title.into(),
            status: status.into(),
            open: status != "closed",
            priority: "high".into(),
            issue_type: "bug".into(),
            milestone: None,
            milestone_key: None,
            assignee: None,
            labels: vec![],
            archived: false,
            due_date: None,
            progress: None,
            estimated_hours: None,
            comments: 0,
            body: String::new(),
            updated_key: None,
        }
    }

    #[test]
    fn a_status_change_is_one_change() {
        let old = version("Login", "todo");
        let new = version("Login", "in-progress");
        assert_eq!(
            field_changes(Some(&old), Some(&new)),
            vec![FieldChange {
                field: Field::Status,
                old: Some("todo".into()),
                new: Some("in-progress".into()),
            }]
        );
        assert!(field_changes(Some(&old), Some(&old)).is_empty());
    }

    #[test]
    fn an_opened_issue_lists_what_it_sets() {
        let new = version("Login", "todo");
        let fields: Vec<Field> = field_changes(None, Some(&new))
            .iter()
            .map(|c| c.field)
            .collect();
        assert_eq!(
            fields,
            [
                Field::Title,
                Field::Status,
                Field::Priority,
                Field::IssueType
            ]
        );
        assert!(field_changes(None, None).is_empty());
    }

    #[test]
    fn a_renamed_milestone_moves_no_issue() {
        let mut old = version("Login", "todo");
        old.milestone = Some("Version one".into());
        old.milestone_key = Some("m1".into());
        let mut new = old.clone();
        new.milestone = Some("Version 1".into());
        assert!(field_changes(Some(&old), Some(&new)).is_empty());
        new.milestone_key = Some("m2".into());
        assert_eq!(
            field_changes(Some(&old), Some(&new))[0].field,
            Field::Milestone
        );
    }

    #[test]
    fn bodies_are_reported_without_their_text() {
        let old = version("Login", "todo");
        let mut new = old.clone();
        new.body = "Steps to reproduce".into();
        let changes = field_changes(Some(&old), Some(&new));
        assert_eq!(changes.len(), 1);
        assert_eq!(
            (changes[0].old.as_deref(), changes[0].new.as_deref()),
            (None, Some("…"))
        );
    }
}
