//! 0.3.1's `issue view ID` from the cache and one file: the cache (the working tree looked at
//! first) says which ids exist and that every document reads as the tracker reads it; only the
//! file of the issue shown (or of the few an ambiguous prefix names) is read, with the bridge's
//! own readers, so the reply is the bridge's to the byte. At 100k issues the bridge read every
//! issue file twice: 4.6 s of CPU for one issue.

use super::contract_list::cached;
use crate::lines::contract::outputs::issue_list::Answer;
use crate::lines::contract::outputs::issue_list::file_rows::{
    ContractSources, read_issue_files, read_milestones,
};
use crate::lines::contract::outputs::issue_list::records::{
    ContractRecords, read_issue_records, read_planning_records,
};
use crate::lines::contract::outputs::issue_list::sources::read_issue_ids_named;
use crate::lines::contract::outputs::issue_view;
use std::path::{Path, PathBuf};

/// The reply to `issue view supplied`, or `None` when the cache cannot tell which files to
/// read (the caller then reads them all, as before).
pub(super) fn answer(
    supplied: &str,
    format: issue_view::Format,
    roadmap_dir: &Path,
) -> Option<Answer> {
    let root = roadmap_dir.parent()?;
    // A conflicted file, or anything else the cache doubts, is left to the bridge, which
    // reads every file as the tracker does (and names the conflict as it does).
    // The cache vouches that no two files share an id (a shadowed row is a suspect).
    let wanted = supplied.to_owned();
    let named = cached(root, move |cache, root, listing| {
        read_issue_ids_named(cache, root, &wanted, listing)
    })
    .ok()?
    .ok()?;
    let issues_dir = roadmap_dir.join("issues");
    let paths: Vec<PathBuf> = named
        .iter()
        .map(|id| issues_dir.join(format!("{id}.md")))
        .collect();
    let issues = read_issue_files(&paths);
    // A file named for one id that holds another (renamed by hand): the bridge sorts it out.
    if let Ok(read) = &issues
        && read.iter().zip(&named).any(|(row, id)| row.id != *id)
    {
        return None;
    }
    let (projects, milestones) = match read_planning_records(roadmap_dir) {
        Ok((projects, milestones)) => (Ok(projects), Ok(milestones)),
        Err(unread) => (Err(unread.clone()), Err(unread)),
    };
    let sources = ContractSources {
        milestones: read_milestones(roadmap_dir),
        issues,
    };
    let records = ContractRecords {
        projects,
        milestones,
        issues: read_issue_records(&paths),
    };
    Some(issue_view::answer(supplied, format, sources, &records))
}
