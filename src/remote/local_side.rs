//! The local side of a sync step, by the workspace's tracker line: on the legacy layout a
//! file's changed keys are set in place (`local_files`); on the 0.2 contract the whole
//! document is saved as 0.3.1's commands save it, with their history events (`contract_files`).
//! `apply` asks this module for each step's file change and knows nothing of the lines.

use super::apply::{Applied, ApplyError, RemoteDone};
use super::contract_files::{self, ContractWrite, Milestones};
use super::local_files::{local_change, new_local_file};
use super::mapping::Fields;
use super::plan::LocalIssue;
use crate::cache::Cache;
use crate::issue_write::new_id;
use crate::lines::Line;
use crate::workspace::write::{FileChange, WriteError};
use std::collections::HashSet;

/// How this workspace's files are written.
pub(super) enum LocalSide {
    Legacy,
    /// The workspace's milestones (a GitHub milestone title → its id) and the time 0.3.1
    /// would write now, one for the whole sync.
    Contract {
        milestones: Milestones,
        at: String,
    },
}

impl LocalSide {
    pub(super) fn of(line: Line, cache: &Cache) -> Result<Self, ApplyError> {
        Ok(match line {
            Line::Legacy => LocalSide::Legacy,
            Line::Contract => LocalSide::Contract {
                milestones: Milestones::of_cache(cache)?,
                at: crate::lines::contract::writer::now(),
            },
        })
    }

    /// The change of an issue the sync already holds: `to_local` fields from `result`, and the
    /// link to GitHub issue `link` when it is new. `None`: nothing to write, or a contract
    /// document that could not take it (reported on `applied`, the step not recorded).
    pub(super) fn changed(
        &self,
        local: &LocalIssue,
        result: &Fields,
        to_local: &[String],
        link: Option<u64>,
        done: &mut RemoteDone,
        applied: &mut Applied,
    ) -> Result<Option<FileChange>, ApplyError> {
        Ok(match self {
            LocalSide::Legacy => Some(local_change(local, result, to_local, link)?),
            LocalSide::Contract { milestones, at } => {
                let written =
                    contract_files::changed_file(local, result, to_local, link, milestones, at);
                outcome(written, done, applied)
            }
        })
    }

    /// A new id for an issue pulled from GitHub: a UUID4 on the contract, as 0.3.1 gives one;
    /// on the legacy layout 8 hex digits no issue (nor another pull of this sync) holds.
    pub(super) fn new_id(
        &self,
        cache: &Cache,
        taken: &mut HashSet<String>,
    ) -> Result<String, WriteError> {
        match self {
            LocalSide::Contract { .. } => {
                crate::lines::contract::writer::uuid4().map_err(|e| WriteError::Io {
                    path: "/dev/urandom".into(),
                    source: std::io::Error::other(e.to_string()),
                })
            }
            LocalSide::Legacy => loop {
                let id = new_id(cache)?;
                if taken.insert(id.clone()) {
                    return Ok(id);
                }
            },
        }
    }

    /// The file of issue `id` pulled from GitHub issue `number`.
    pub(super) fn new_file(
        &self,
        id: &str,
        number: u64,
        fields: &Fields,
        done: &mut RemoteDone,
        applied: &mut Applied,
    ) -> Result<Option<FileChange>, ApplyError> {
        Ok(match self {
            LocalSide::Legacy => Some(new_local_file(id, number, fields)?),
            LocalSide::Contract { milestones, at } => {
                let written = contract_files::new_file(id, number, fields, milestones, at);
                outcome(written, done, applied)
            }
        })
    }
}

/// The change of a contract write, its notes and held-back fields recorded on `done`; `None`
/// when there is nothing to write (or it failed, then reported and the step not recorded).
fn outcome(
    written: Result<ContractWrite, String>,
    done: &mut RemoteDone,
    applied: &mut Applied,
) -> Option<FileChange> {
    match written {
        Ok(written) => {
            applied.notes.extend(written.notes);
            done.held_back = written.held_back;
            written.change
        }
        Err(message) => {
            applied.failures.push(message);
            done.local_written = false;
            None
        }
    }
}
