//! What `issue list` reads, from the cache: its rows, opened by the caller after a look at
//! the working tree (so they are the working tree's, as the tracker's are), and the checks
//! that send the command to the tracker when the cache cannot vouch for a file.
//!
//! The files themselves are read only where the cache holds a doubt (`tracker_doubts`) or
//! could not read one: to find git conflict hunks, which the tracker refuses by name. The
//! document folders are listed (names and types, no file opened) for what the cache never
//! holds and the tracker reads: a nested folder, a `README.md`, a hidden `*.md`.

use super::document::conflicted;
use super::row::{ContractSources, Unread};
use crate::cache::contract_query::{ContractMilestone, IssueRead};
use crate::cache::tally::Tally;
use crate::cache::{Cache, CacheError};
use crate::lines::{Line, RoadmapFile};
use std::path::Path;

/// Reads the issues and milestones of the contract workspace at `root` (the repository root,
/// absolute) as the tracker would: from `cache`, as `read` asks.
pub fn read_sources(
    cache: &Cache,
    root: &Path,
    read: IssueRead,
    listing: Listing,
) -> Result<ContractSources, CacheError> {
    let (milestones, issues) = vouched(cache, root, listing, |cache| {
        let issues = cache.contract_issues(read)?;
        Ok(match issues.iter().find(|i| i.has_warnings) {
            Some(odd) => Err(Unread::Unserved(format!(
                "issue {}: a field the sync found odd",
                odd.id
            ))),
            None => Ok(issues),
        })
    })?;
    Ok(ContractSources { milestones, issues })
}

/// What `status`, `milestone list` and `project list` read of the issues: their tallies
/// ([`Cache::contract_tallies`]), vouched for as [`read_sources`] vouches for the rows.
pub struct Tallied {
    pub milestones: Result<Vec<ContractMilestone>, Unread>,
    pub tallies: Result<Vec<Tally>, Unread>,
}

/// Reads the milestones and the issues' tallies as [`read_sources`] reads the rows.
pub fn read_tallies(cache: &Cache, root: &Path, listing: Listing) -> Result<Tallied, CacheError> {
    let (milestones, tallies) = vouched(cache, root, listing, |cache| {
        let tallies = cache.contract_tallies()?;
        Ok(if tallies.iter().any(|t| t.odd) {
            Err(Unread::Unserved(
                "an issue with a field the sync found odd".into(),
            ))
        } else {
            Ok(tallies)
        })
    })?;
    Ok(Tallied {
        milestones,
        tallies,
    })
}

/// The milestones, and what was read of the issues, each with why it could not be.
type Vouched<T> = (Result<Vec<ContractMilestone>, Unread>, Result<T, Unread>);

/// The milestones, and what `issues` reads of the issues, each read when the cache vouches for
/// its folder (an `archive/` folder vouches for neither).
fn vouched<T>(
    cache: &Cache,
    root: &Path,
    listing: Listing,
    issues: impl FnOnce(&Cache) -> Result<Result<T, Unread>, CacheError>,
) -> Result<Vouched<T>, CacheError> {
    if let Some(why) = archive_folder(root) {
        return Ok((Err(why.clone()), Err(why)));
    }
    let milestones = match vouched_for(cache, root, ".roadmap/milestones", listing)? {
        Ok(()) => Ok(cache.contract_milestones()?),
        Err(unread) => Err(unread),
    };
    let issues = match vouched_for(cache, root, ".roadmap/issues", listing)? {
        Ok(()) => issues(cache)?,
        Err(unread) => Err(unread),
    };
    Ok((milestones, issues))
}

/// The ids of the issue files `supplied` names (see [`Cache::contract_issue_ids_named`]), when
/// the cache vouches for every issue and milestone document as [`read_sources`] does (so no
/// two files share an id): what `issue view` needs of the issues it does not show.
pub fn read_issue_ids_named(
    cache: &Cache,
    root: &Path,
    supplied: &str,
    listing: Listing,
) -> Result<Result<Vec<String>, Unread>, CacheError> {
    if let Some(why) = archive_folder(root) {
        return Ok(Err(why));
    }
    for folder in [".roadmap/milestones", ".roadmap/issues"] {
        if let Err(unread) = vouched_for(cache, root, folder, listing)? {
            return Ok(Err(unread));
        }
    }
    Ok(Ok(cache.contract_issue_ids_named(supplied)?))
}

/// An `archive/` folder: 0.1.1's layout, which the tracker reads otherwise than the cache.
fn archive_folder(root: &Path) -> Option<Unread> {
    root.join(".roadmap/archive")
        .exists()
        .then(|| Unread::Unserved("an archive/ folder (0.1.1 layout)".into()))
}

/// Who vouches that the document folders hold nothing but documents (the tracker reads every
/// `*.md` of them; the cache holds only documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The look at the working tree this read goes with, which listed them (or kept their
    /// listing while their stat data did not move): the caller checks its word
    /// ([`crate::workspace::worktree::WorktreeReport::contract_documents_only`]). Listing a
    /// 10k-entry folder again was a sixth of a served `issue list`.
    ByTheLook,
    /// List them here.
    Here,
}

/// Whether the cache holds every document of `folder` as the tracker reads it. As in the
/// tracker, a conflicted file anywhere in the folder is named (the first by path) before any
/// other trouble is considered.
fn vouched_for(
    cache: &Cache,
    root: &Path,
    folder: &str,
    listing: Listing,
) -> Result<Result<(), Unread>, CacheError> {
    if listing == Listing::Here {
        if let Err(reason) = only_documents(root, folder) {
            return Ok(Err(Unread::Unserved(reason)));
        }
    }
    let suspects = cache.contract_suspects(folder)?;
    for suspect in &suspects {
        let path = root.join(&suspect.path);
        if let Some(unread) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| conflicted(&path, &text))
        {
            return Ok(Err(unread));
        }
    }
    Ok(match suspects.first() {
        Some(suspect) => Err(Unread::Unserved(format!(
            "{}: {}",
            suspect.path, suspect.reason
        ))),
        None => Ok(()),
    })
}

/// Whether every `*.md` entry of `folder` is a document of the contract layout (the tracker
/// reads them all; the cache holds only those); a nested folder is refused too (the tracker's
/// order through it is not worth guessing). Names and types only, no file opened.
fn only_documents(root: &Path, folder: &str) -> Result<(), String> {
    let entries = match std::fs::read_dir(root.join(folder)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{folder}: {e}")),
    };
    let odd = |name: &str, what: &str| format!("{folder}/{name}: {what}");
    for entry in entries {
        let entry = entry.map_err(|e| format!("{folder}: {e}"))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry
            .file_type()
            .map_err(|e| odd(&name, &e.to_string()))?
            .is_dir()
        {
            return Err(odd(&name, "a nested folder"));
        }
        if !name.ends_with(".md") {
            continue;
        }
        let kind = Line::Contract.classify(&format!("{folder}/{name}"));
        let expected = match kind {
            Some(RoadmapFile::Issue(_)) => folder.ends_with("/issues"),
            Some(RoadmapFile::Milestone { .. }) => folder.ends_with("/milestones"),
            _ => false,
        };
        if !expected {
            return Err(odd(
                &name,
                "a file the tracker reads and the cache does not hold",
            ));
        }
    }
    Ok(())
}
