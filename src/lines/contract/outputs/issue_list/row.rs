//! The rows `issue list` renders ([`ContractIssueRow`], [`ContractMilestone`], read from the
//! cache by [`crate::cache::contract_query`]) and what stops them from being served.

pub use crate::cache::contract_query::{ContractIssueRow, ContractMilestone};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What `issue list` reads from a workspace, each kind read on its own: the tracker reads
/// milestones and issues at different steps, so which unreadable file it names first depends
/// on the options (see the answer's order). Projects are not read by `issue list`.
#[derive(Debug, Clone)]
pub struct ContractSources {
    pub milestones: Result<Vec<ContractMilestone>, Unread>,
    /// Issues, `milestone_name` not yet resolved ([`name_milestones`]).
    pub issues: Result<Vec<ContractIssueRow>, Unread>,
}

/// Why a kind of document produced no rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// The front matter of `path` (absolute, as the tracker names it) holds git conflict
    /// markers; `line` (1-based, in the file) is the first.
    Conflict { path: PathBuf, line: usize },
    /// The Markdown body of `path` holds a whole git conflict hunk opening at `line`. 0.3.1
    /// shows such a record as if it were fine; its next release refuses it, and so do we
    /// ([`Unread::refusal`]).
    BodyConflict { path: PathBuf, line: usize },
    /// Something the tracker may read differently from us; it answers instead.
    Unserved(String),
}

impl Unread {
    /// What every served read says instead of answering (after `Error: `, exit 1), for what we
    /// refuse where the tracker would answer; `None` when the tracker's own answer stands.
    #[must_use]
    pub fn refusal(&self) -> Option<String> {
        match self {
            Unread::BodyConflict { path, line } => Some(format!(
                "unresolved git conflict markers in {} (line {line}); resolve the conflict and commit",
                path.display()
            )),
            Unread::Conflict { .. } | Unread::Unserved(_) => None,
        }
    }

    /// Why the tracker answers instead of us, in a few words.
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            Unread::Conflict { path, .. } | Unread::BodyConflict { path, .. } => {
                format!("{}: git conflict markers", path.display())
            }
            Unread::Unserved(reason) => reason.clone(),
        }
    }

    /// The reply of a served read that cannot read its records: our refusal, or the tracker.
    #[must_use]
    pub fn answer(&self) -> super::Answer {
        match self.refusal() {
            Some(message) => super::Answer::failed(&message),
            None => super::Answer::Forward(self.reason()),
        }
    }
}

/// Fills in each issue's milestone name. The tracker builds an id → name dict in file order,
/// so when two milestone files share an id the last one names it.
pub fn name_milestones(issues: &mut [ContractIssueRow], milestones: &[ContractMilestone]) {
    // Few milestones, long ids: a few comparisons beat hashing each issue's id.
    let names: BTreeMap<&str, &str> = milestones
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str()))
        .collect();
    for issue in issues {
        issue.milestone_name = issue
            .milestone_id
            .as_deref()
            .and_then(|id| names.get(id))
            .map(|name| (*name).to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_milestone_file_with_an_id_names_it() {
        let milestone = |name: &str| ContractMilestone {
            id: "69f8".into(),
            name: name.into(),
            visible: true,
            status: "open".into(),
            due_key: None,
        };
        let mut issues = [ContractIssueRow {
            id: "a".into(),
            title: "t".into(),
            headline: String::new(),
            content: String::new(),
            priority: "low".into(),
            status: "todo".into(),
            issue_type: "other".into(),
            retention: "visible".into(),
            milestone_id: Some("69f8".into()),
            milestone_name: None,
            assignee: None,
            estimated_hours: None,
            progress_percentage: None,
            due_key: None,
            comment_count: 0,
            depends_on: Vec::new(),
            actual_end_date: None,
            has_warnings: false,
        }];
        name_milestones(&mut issues, &[milestone("first"), milestone("last")]);
        assert_eq!(issues[0].milestone_name.as_deref(), Some("last"));
    }
}
