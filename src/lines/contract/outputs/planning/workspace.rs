//! What 0.3.1's planning reads read: the projects and milestones from their few files, the
//! issues from the cache ([`Workspace::with_cached_issues`]) or, when it cannot answer, from
//! the two file bridges ([`Workspace::from_files`]: [`read_workspace`] and [`read_records`],
//! joined by file order; a disagreement between them is a reason to forward).
//!
//! [`read_workspace`]: crate::lines::contract::outputs::issue_list::file_rows::read_workspace
//! [`read_records`]: crate::lines::contract::outputs::issue_list::records::read_records

use crate::issue::Number;
use crate::lines::contract::outputs::issue_list::Answer;
use crate::lines::contract::outputs::issue_list::file_rows::{
    self, ContractMilestone, ContractSources,
};
use crate::lines::contract::outputs::issue_list::records::{
    ContractRecords, IssueRecord, MilestoneRecord, ProjectRecord,
};
use crate::lines::contract::outputs::issue_list::row::{self, Unread};
use crate::lines::contract::outputs::python::{PyNumber, isoformat};

/// A milestone with both bridges' fields.
#[derive(Debug, Clone)]
pub struct Milestone {
    pub row: ContractMilestone,
    pub more: MilestoneRecord,
}

/// An issue, the fields the planning outputs read.
#[derive(Debug, Clone)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub priority: String,
    pub status: String,
    /// `visible`, `archived` or `purged`.
    pub retention: String,
    pub milestone_id: Option<String>,
    pub assignee: Option<String>,
    /// The due date as a `timestamp::sort_key` (UTC).
    pub due_key: Option<String>,
    pub depends_on: Vec<String>,
    /// `isoformat()` of `actual_end_date`.
    pub actual_end_at: Option<String>,
    /// Ints or floats, as the file wrote them.
    pub estimated_hours: Option<PyNumber>,
    pub progress_percentage: Option<PyNumber>,
    /// Every field, when the issue was read from its file ([`Workspace::from_files`]):
    /// `milestone view --format json` prints whole records, which the cache does not hold.
    pub whole: Option<Box<(file_rows::ContractIssueRow, IssueRecord)>>,
}

impl Issue {
    fn from_files(row: file_rows::ContractIssueRow, more: IssueRecord) -> Self {
        Issue {
            id: row.id.clone(),
            title: row.title.clone(),
            priority: row.priority.clone(),
            status: row.status.clone(),
            retention: row.retention.clone(),
            milestone_id: row.milestone_id.clone(),
            assignee: row.assignee.clone(),
            due_key: row.due_key.clone(),
            depends_on: row.depends_on.clone(),
            actual_end_at: more.actual_end_at.clone(),
            estimated_hours: more.estimated_hours,
            progress_percentage: more.progress_percentage,
            whole: Some(Box::new((row, more))),
        }
    }

    /// `None` when an end date is not one `isoformat()` prints as we do (the sync's check
    /// lets through what the tracker parses; this printing is narrower).
    fn from_cache(row: row::ContractIssueRow) -> Option<Self> {
        let actual_end_at = match row.actual_end_date.as_deref() {
            None => None,
            Some(text) => Some(isoformat(text)?),
        };
        Some(Issue {
            id: row.id,
            title: row.title,
            priority: row.priority,
            status: row.status,
            retention: row.retention,
            milestone_id: row.milestone_id,
            assignee: row.assignee,
            due_key: row.due_key,
            depends_on: row.depends_on,
            actual_end_at,
            estimated_hours: row.estimated_hours.map(py_number),
            progress_percentage: row.progress_percentage.map(py_number),
            whole: None,
        })
    }
}

/// The number as Python holds it: the int the file wrote, or a float.
pub(super) fn py_number(number: Number) -> PyNumber {
    number
        .exact_int()
        .map_or(PyNumber::Float(number.value), PyNumber::Int)
}

/// Every record of the workspace, as the tracker's unit of work lists them (file order).
#[derive(Debug, Clone)]
pub struct Workspace {
    pub projects: Vec<ProjectRecord>,
    pub milestones: Vec<Milestone>,
    pub issues: Vec<Issue>,
}

/// The reply when the records cannot be read: our refusal, or the tracker's answer.
fn why(unread: &Unread) -> Answer {
    unread.answer()
}

/// Joins the two reads of the milestones (file order both).
fn milestones(
    rows: Vec<ContractMilestone>,
    more: Vec<MilestoneRecord>,
) -> Result<Vec<Milestone>, Answer> {
    if rows.len() != more.len() || rows.iter().zip(&more).any(|(r, m)| r.id != m.id) {
        return Err(Answer::Forward(
            "the two reads of the milestones disagree".into(),
        ));
    }
    Ok(rows
        .into_iter()
        .zip(more)
        .map(|(row, more)| Milestone { row, more })
        .collect())
}

impl Workspace {
    /// Joins both file bridges' reads, or gives the reply instead (the tracker refreshes its
    /// projection from every document before any read, so any unreadable file stops it).
    pub fn from_files(sources: ContractSources, records: ContractRecords) -> Result<Self, Answer> {
        let projects = records.projects.map_err(|u| why(&u))?;
        let rows = sources.milestones.map_err(|u| why(&u))?;
        let more = records.milestones.map_err(|u| why(&u))?;
        let issue_rows = sources.issues.map_err(|u| why(&u))?;
        let issue_more = records.issues.map_err(|u| why(&u))?;
        if issue_rows.len() != issue_more.len()
            || issue_rows
                .iter()
                .zip(&issue_more)
                .any(|(r, m)| r.id != m.id)
        {
            return Err(Answer::Forward(
                "the two reads of the issues disagree".into(),
            ));
        }
        Ok(Workspace {
            projects,
            milestones: milestones(rows, more)?,
            issues: issue_rows
                .into_iter()
                .zip(issue_more)
                .map(|(row, more)| Issue::from_files(row, more))
                .collect(),
        })
    }

    /// The issues from the cache (read [`crate::cache::contract_query::IssueRead::InFileOrder`],
    /// each vouched for by the sync), with the projects and milestones read from their files.
    pub fn with_cached_issues(
        issues: Result<Vec<row::ContractIssueRow>, Unread>,
        milestone_rows: Result<Vec<ContractMilestone>, Unread>,
        planning: Result<(Vec<ProjectRecord>, Vec<MilestoneRecord>), Unread>,
    ) -> Result<Self, Answer> {
        let (projects, more) = planning.map_err(|u| why(&u))?;
        let rows = milestone_rows.map_err(|u| why(&u))?;
        let issues = issues
            .map_err(|u| why(&u))?
            .into_iter()
            .map(Issue::from_cache)
            .collect::<Option<Vec<Issue>>>()
            .ok_or_else(|| Answer::Forward("an end date Python prints otherwise".into()))?;
        Ok(Workspace {
            projects,
            milestones: milestones(rows, more)?,
            issues,
        })
    }
}
