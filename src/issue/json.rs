//! The JSON object of one issue, as `roadmap list --format json` prints it.
//!
//! Built once when a file is synced and stored in the cache, so listing 100k issues as JSON is
//! string concatenation. Every frontmatter key appears, in the tracker's order, with the
//! effective status, milestone and archived flag; unknown keys sit under `extra`.

use super::{Comment, Issue, Number};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// Borrowed view of an issue in output order; serialised straight to text, with no
/// intermediate JSON tree (that tree was a fifth of a full rebuild's parse time).
#[derive(Serialize)]
struct IssueJson<'a> {
    id: &'a str,
    title: &'a str,
    headline: &'a Option<String>,
    priority: &'a str,
    status: &'a str,
    archived: bool,
    issue_type: &'a str,
    milestone: &'a Option<String>,
    /// Only on the contract line, whose files name the milestone by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    milestone_id: &'a Option<String>,
    labels: &'a [String],
    remote_ids: &'a Option<serde_yaml::Value>,
    created: &'a Option<String>,
    updated: &'a Option<String>,
    assignee: &'a Option<String>,
    estimated_hours: Option<Number>,
    due_date: &'a Option<String>,
    depends_on: &'a [String],
    blocks: &'a [String],
    actual_start_date: &'a Option<String>,
    actual_end_date: &'a Option<String>,
    progress_percentage: Option<Number>,
    handoff_notes: &'a Option<String>,
    previous_assignee: &'a Option<String>,
    handoff_date: &'a Option<String>,
    git_branches: &'a [String],
    git_commits: &'a Option<serde_yaml::Value>,
    completed_date: &'a Option<String>,
    comments: Comments<'a>,
    github_issue: &'a Option<String>,
    sync_metadata: &'a Option<serde_yaml::Value>,
    description: &'a Option<String>,
    extra: Extra<'a>,
    path: &'a str,
}

/// Unknown keys as one JSON object, in file order.
struct Extra<'a>(&'a [(String, serde_yaml::Value)]);

impl Serialize for Extra<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The comments, with `id` and `in_reply_to` as numbers where the file wrote integers.
struct Comments<'a> {
    list: &'a [Comment],
    integer_ids: bool,
}

impl Serialize for Comments<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.integer_ids {
            return self.list.serialize(serializer);
        }
        serializer.collect_seq(self.list.iter().map(IntegerIds))
    }
}

/// A contract-line comment: the same keys, in the same order, ids as numbers.
struct IntegerIds<'a>(&'a Comment);

impl Serialize for IntegerIds<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut map = serializer.serialize_map(Some(8))?;
        map.serialize_entry("id", &Id(&c.id))?;
        map.serialize_entry("issue_id", &c.issue_id)?;
        map.serialize_entry("author", &c.author)?;
        map.serialize_entry("body", &c.body)?;
        map.serialize_entry("created_at", &c.created_at)?;
        map.serialize_entry("updated_at", &c.updated_at)?;
        map.serialize_entry("github_url", &c.github_url)?;
        map.serialize_entry("in_reply_to", &Id(&c.in_reply_to))?;
        map.end()
    }
}

/// An id read as text: a number when it is a plain integer, else the text.
struct Id<'a>(&'a Option<String>);

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_deref().map(|text| (text, text.parse::<i64>())) {
            Some((text, Ok(number))) if number.to_string() == text => {
                serializer.serialize_i64(number)
            }
            Some((text, _)) => serializer.serialize_str(text),
            None => serializer.serialize_none(),
        }
    }
}

/// Returns the issue at `path` as one line of JSON.
#[must_use]
pub fn to_json(issue: &Issue, path: &str) -> String {
    let fm = &issue.frontmatter;
    let mut view = IssueJson {
        id: &issue.id,
        title: &issue.title,
        headline: &fm.headline,
        priority: issue.priority.as_str(),
        status: issue.status.as_str(),
        archived: issue.archived,
        issue_type: issue.issue_type.as_str(),
        milestone: &issue.milestone,
        milestone_id: &issue.milestone_id,
        labels: &issue.labels,
        remote_ids: &fm.remote_ids,
        created: &fm.created,
        updated: &fm.updated,
        assignee: &issue.assignee,
        estimated_hours: fm.estimated_hours,
        due_date: &fm.due_date,
        depends_on: fm.depends_on.as_deref().unwrap_or_default(),
        blocks: fm.blocks.as_deref().unwrap_or_default(),
        actual_start_date: &fm.actual_start_date,
        actual_end_date: &fm.actual_end_date,
        progress_percentage: fm.progress_percentage,
        handoff_notes: &fm.handoff_notes,
        previous_assignee: &fm.previous_assignee,
        handoff_date: &fm.handoff_date,
        git_branches: fm.git_branches.as_deref().unwrap_or_default(),
        git_commits: &fm.git_commits,
        completed_date: &fm.completed_date,
        comments: Comments {
            list: fm.comments.as_deref().unwrap_or_default(),
            integer_ids: issue.integer_comment_ids,
        },
        github_issue: &fm.github_issue,
        sync_metadata: &fm.sync_metadata,
        description: &fm.description,
        extra: Extra(&fm.unknown),
        path,
    };
    if let Ok(text) = serde_json::to_string(&view) {
        return text;
    }
    // A free-form field held something JSON cannot say (a map keyed by a list, say).
    view.remote_ids = &None;
    view.git_commits = &None;
    view.sync_metadata = &None;
    view.extra = Extra(&[]);
    serde_json::to_string(&view)
        .unwrap_or_else(|_| format!("{{\"id\":{:?},\"path\":{:?}}}", issue.id, path))
}
