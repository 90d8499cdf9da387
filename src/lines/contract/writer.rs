//! Our writes on the contract line: the issue's file is read as roadmap-cli 0.3.1 reads it
//! ([`super::document`]), changed as 0.3.1's command would ([`super::operations`]), and saved
//! whole in 0.3.1's bytes at the same path (`issues/<id>.md` never moves), through the
//! workspace's compare-and-swap write, which takes 0.3.1's workspace lock too. A document 0.3.1
//! could not read is reported and left as it is.

use super::document::Document;
use super::operations::{self, Revision};
use crate::cache::Cache;
use crate::error::CommandError;
use crate::issue::render::NewIssue;
use crate::issue_write::{now_timestamp, read_file};
use crate::workspace::Workspace;
use crate::workspace::write::{FileChange, ReadFile, Written};

/// The time 0.3.1 would write for now: `isoformat()` drops zero microseconds.
pub(crate) fn now() -> String {
    let now = now_timestamp();
    super::instant::normalize(&now).unwrap_or(now)
}

/// The issue with id (prefix) `id`: its file and what 0.3.1 reads from it.
pub fn read(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
) -> Result<(ReadFile, Document), CommandError> {
    let file = read_file(workspace, cache, id)?;
    let document = Document::parse(&file.text).map_err(|why| unreadable(&file.path, &why))?;
    Ok((file, document))
}

fn unreadable(path: &str, why: &str) -> CommandError {
    CommandError::user(format!(
        "{path}: roadmap-cli 0.3.1 cannot read this document ({why}); nothing was written"
    ))
    .with_hint("fix the file by hand (the tracker's `roadmap health scan` names the problem), then run the command again")
}

/// Saves `document` over `file`, if the file still holds what it was read as.
fn save(
    workspace: &Workspace,
    file: &ReadFile,
    document: &Document,
) -> Result<Written, CommandError> {
    Ok(workspace.write(&FileChange::Replace {
        path: file.path.clone(),
        text: document.render(),
        read: file.blob.clone(),
    })?)
}

/// Creates `issues/<uuid>.md` as 0.3.1's `issue create` does. `new.milestone` is a milestone
/// name, id or id prefix; the file holds the id.
pub fn create(
    workspace: &Workspace,
    cache: &Cache,
    new: &NewIssue,
) -> Result<Written, CommandError> {
    let mut new = new.clone();
    new.id = uuid4()?;
    new.milestone = match &new.milestone {
        Some(reference) => Some(milestone_id(cache, reference)?),
        None => None,
    };
    let document = operations::create(&new, &now()).map_err(CommandError::user)?;
    Ok(workspace.write(&FileChange::Create {
        path: format!(".roadmap/issues/{}.md", new.id),
        text: document.render(),
    })?)
}

/// `roadmap update` as 0.3.1's `issue update`; `Ok(None)` when nothing changes.
pub fn update(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
    mut revision: Revision,
) -> Result<Option<Written>, CommandError> {
    let (file, mut document) = read(workspace, cache, id)?;
    if let Some(Some(reference)) = &revision.milestone {
        revision.milestone = Some(Some(milestone_id(cache, reference)?));
    }
    let changed = operations::update(&mut document, &revision, &now())
        .map_err(|why| CommandError::user(format!("{}: {why}", file.path)))?;
    changed
        .then(|| save(workspace, &file, &document))
        .transpose()
}

/// `close` (0.3.1's `issue close`) and `reopen` (its `issue update -s todo`); `Ok(None)` when
/// the issue has that status already.
pub fn set_status(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
    status: &str,
) -> Result<Option<Written>, CommandError> {
    let (file, mut document) = read(workspace, cache, id)?;
    let at = now();
    let changed = if status == "closed" {
        operations::close(&mut document, &at)
    } else {
        let revision = Revision {
            status: Some(status.to_owned()),
            ..Revision::default()
        };
        operations::update(&mut document, &revision, &at)
    }
    .map_err(|why| CommandError::user(format!("{}: {why}", file.path)))?;
    changed
        .then(|| save(workspace, &file, &document))
        .transpose()
}

/// `archive` / `unarchive`: `retention` and its history event, the file staying where it is.
pub fn set_archived(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
    archived: bool,
) -> Result<Written, CommandError> {
    let (file, mut document) = read(workspace, cache, id)?;
    operations::set_archived(&mut document, archived, &now()).map_err(|why| {
        let verb = if archived { "archive" } else { "unarchive" };
        CommandError::user(format!("{}: cannot {verb} it: {why}", file.path))
    })?;
    save(workspace, &file, &document)
}

/// Checks a hand edit of `file` (read as `before`) and returns the text 0.3.1 would save: the
/// document read as 0.3.1 reads it, a milestone given by name turned into its id, `updated`
/// bumped (unless the edit set it) and the edit's history event appended. `Ok(None)`: the
/// edit changed nothing 0.3.1 keeps.
pub fn check_edit(
    cache: &Cache,
    file: &ReadFile,
    before: &Document,
    edited: &str,
) -> Result<Option<String>, CommandError> {
    let mut after = Document::parse(edited).map_err(|why| {
        CommandError::user(format!(
            "{}: roadmap-cli 0.3.1 could not read it: {why}",
            file.path
        ))
    })?;
    if after.id != before.id {
        return Err(CommandError::user(format!(
            "{}: the id cannot change (`{}` -> `{}`)",
            file.path, before.id, after.id
        )));
    }
    if after.milestone != before.milestone {
        if let Some(reference) = after.milestone.clone() {
            after.milestone = Some(milestone_id(cache, &reference)?);
        }
    }
    operations::check_status_edit(before, &after)
        .map_err(|why| CommandError::user(format!("{}: {why}", file.path)))?;
    if after == *before {
        return Ok(None);
    }
    let at = now();
    let action = operations::edit_action(before, &after);
    let user_set_updated = after.updated != before.updated;
    let kept_updated = after.updated.clone();
    operations::record(&mut after, &action, &at, None);
    if user_set_updated {
        after.updated = kept_updated;
    }
    after
        .check()
        .map_err(|why| CommandError::user(format!("{}: {why}", file.path)))?;
    Ok(Some(after.render()))
}

/// The id of the milestone `reference` names: its id, its name, or a unique id prefix, as
/// 0.3.1's `--milestone` takes them.
fn milestone_id(cache: &Cache, reference: &str) -> Result<String, CommandError> {
    let milestones: Vec<(String, String)> = cache
        .milestone_files()?
        .into_iter()
        .filter_map(|(_, id, name)| Some((id?, name)))
        .collect();
    let reference = reference.trim();
    if let Some((id, _)) = milestones.iter().find(|(id, _)| id == reference) {
        return Ok(id.clone());
    }
    if let Some((id, _)) = milestones.iter().find(|(_, name)| name == reference) {
        return Ok(id.clone());
    }
    let prefixed: Vec<&String> = milestones
        .iter()
        .map(|(id, _)| id)
        .filter(|id| id.starts_with(reference) && !reference.is_empty())
        .collect();
    match prefixed.as_slice() {
        [id] => Ok((*id).clone()),
        [] => Err(CommandError::user(format!("no milestone `{reference}` in .roadmap/milestones/"))
            .with_hint("give a milestone's name or id (`roadmap milestone list`), or create it with the tracker's `roadmap milestone create`")),
        _ => Err(CommandError::user(format!("milestone id prefix `{reference}` is ambiguous"))),
    }
}

/// A random UUID4, as 0.3.1 names new records.
pub(crate) fn uuid4() -> Result<String, CommandError> {
    let mut bytes = [0u8; 16];
    let mut source = std::fs::File::open("/dev/urandom")
        .map_err(|e| CommandError::repository(format!("/dev/urandom: {e}")))?;
    std::io::Read::read_exact(&mut source, &mut bytes)
        .map_err(|e| CommandError::repository(format!("/dev/urandom: {e}")))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}
