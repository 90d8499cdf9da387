//! Reading one roadmap file's blob and writing what it holds into the cache transaction.

use super::{SyncError, SyncReport, pause_for_tests, short};
use crate::cache::CacheTransaction;
use crate::git::{GitRepo, ObjectId};
use crate::issue::to_json;
use crate::lines::Reader;
use crate::record::Record;

pub(super) fn read_blob(
    repo: &GitRepo,
    blob: ObjectId,
    path: &str,
    commit: &str,
) -> Result<Vec<u8>, SyncError> {
    repo.read_blob(blob).map_err(|source| SyncError::Blob {
        path: path.to_owned(),
        commit: short(commit).to_owned(),
        source,
    })
}

/// A file read and parsed, with the JSON of an issue already built: the parsing threads do
/// that work, so the thread that writes SQLite does nothing else.
pub(super) struct Parsed {
    record: Record,
    json: Option<String>,
}

impl Parsed {
    pub(super) fn read(reader: &Reader, path: &str, bytes: &[u8]) -> Option<Parsed> {
        let record = reader.read(path, bytes)?;
        let json = match &record {
            Record::Issue(issue) => Some(to_json(issue, path)),
            _ => None,
        };
        Some(Parsed { record, json })
    }

    /// A file that cannot be read by its name ([`crate::git::TreeChange::NameNotUtf8`]).
    pub(super) fn name_not_utf8() -> Parsed {
        let record = Record::Invalid(crate::issue::ParseError::NameNotUtf8);
        Parsed { record, json: None }
    }
}

pub(super) fn store(
    tx: &mut CacheTransaction<'_>,
    path: &str,
    blob: ObjectId,
    parsed: &Parsed,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let blob_hex = blob.to_string();
    match &parsed.record {
        Record::Issue(issue) => tx.upsert_issue(
            path,
            &blob_hex,
            issue,
            parsed.json.as_deref().unwrap_or("{}"),
        )?,
        Record::Milestone(milestone) => tx.upsert_milestone(path, &blob_hex, milestone)?,
        Record::Project(project) => tx.upsert_project(path, &blob_hex, project)?,
        Record::Invalid(error) => {
            tx.record_invalid(path, &blob_hex, &error.to_string())?;
            report.invalid.push((path.to_owned(), error.to_string()));
        }
    }
    pause_for_tests("row");
    Ok(())
}
