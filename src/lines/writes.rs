//! The write side of the seam: our write commands as requests the engine hands to the
//! workspace's line, which alone knows how its files are written. The legacy line edits the
//! lines it must and moves files between folders (`legacy::writer`); the contract line saves
//! whole documents in roadmap-cli 0.3.1's bytes, never moving them (`contract::writer`).

use super::{Line, contract, legacy};
use crate::cache::Cache;
use crate::error::CommandError;
use crate::issue::render::NewIssue;
use crate::workspace::Workspace;
use crate::workspace::write::{ReadFile, Written};

/// The fields `roadmap update` sets; `None` leaves a field as it is. Values are as the user
/// gave them (a milestone by name, or on the contract line also by id).
#[derive(Debug, Clone, Default)]
pub struct Edits {
    pub title: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub issue_type: Option<String>,
    pub assignee: Option<Option<String>>,
    pub milestone: Option<Option<String>>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
}

/// One write command.
#[derive(Debug, Clone)]
pub enum IssueWrite {
    /// A new issue; `body: None` takes the line's default (the legacy template, or none).
    Create {
        new: NewIssue,
        body: Option<String>,
    },
    Update {
        id: String,
        edits: Edits,
    },
    /// `close` (`closed`) and `reopen` (`todo`).
    SetStatus {
        id: String,
        status: &'static str,
    },
    /// `archive` (`true`) and `unarchive` (`false`).
    Archive {
        id: String,
        archived: bool,
    },
}

/// A hand edit checked as the line saves it: the text and where it goes (a legacy file moves
/// with its milestone).
#[derive(Debug)]
pub struct CheckedEdit {
    pub text: String,
    pub target: Option<String>,
}

impl Line {
    /// Carries out `request`; `Ok(None)` when the tracker would write nothing (no change).
    pub fn write(
        self,
        workspace: &Workspace,
        cache: &Cache,
        request: IssueWrite,
    ) -> Result<Option<Written>, CommandError> {
        match (self, request) {
            (Line::Legacy, request) => legacy::writer::write(workspace, cache, request).map(Some),
            (Line::Contract, IssueWrite::Create { mut new, body }) => {
                new.body = body.unwrap_or_default();
                contract::writer::create(workspace, cache, &new).map(Some)
            }
            (Line::Contract, IssueWrite::Update { id, edits }) => {
                contract::writer::update(workspace, cache, &id, edits)
            }
            (Line::Contract, IssueWrite::SetStatus { id, status }) => {
                contract::writer::set_status(workspace, cache, &id, status)
            }
            (Line::Contract, IssueWrite::Archive { id, archived }) => {
                contract::writer::set_archived(workspace, cache, &id, archived).map(Some)
            }
        }
    }

    /// Checks `edited`, the user's new text of `file`, as this line saves it; `Ok(None)` when
    /// it changes nothing the tracker keeps.
    pub fn check_edit(
        self,
        cache: &Cache,
        file: &ReadFile,
        edited: &str,
    ) -> Result<Option<CheckedEdit>, CommandError> {
        match self {
            Line::Legacy => legacy::writer::check_edit(file, edited).map(Some),
            Line::Contract => {
                let before = contract::document::Document::parse(&file.text).map_err(|why| {
                    CommandError::user(format!(
                        "{}: roadmap-cli 0.3.1 cannot read this document ({why})",
                        file.path
                    ))
                })?;
                Ok(contract::writer::check_edit(cache, file, &before, edited)?
                    .map(|text| CheckedEdit { text, target: None }))
            }
        }
    }
}
