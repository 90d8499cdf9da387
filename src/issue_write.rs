//! The write commands as library calls: which file an id names, what a change of fields or a
//! new issue looks like in the tracker's format, and the compare-and-swap write of it through
//! the [`Workspace`]. The CLI turns arguments into these calls and renders what they return.

use crate::cache::Cache;
use crate::cache::query::IssueDetail;
use crate::error::CommandError;
use crate::issue::effects::{self, FieldChange};
use crate::issue::render::{NewIssue, YamlValue, new_issue_file, set_fields};
use crate::issue::{Issue, IssueType, KNOWN_KEYS, Priority, Status};
use crate::lines::legacy::layout::{
    BACKLOG_FOLDER, RoadmapFile, classify, in_milestone_folder, issue_file_name,
};
use crate::workspace::Workspace;
use crate::workspace::write::{FileChange, ReadFile, WriteError, Written};
use std::fs;
use std::path::Path;

/// Finds the one issue whose id starts with `id`, or says why there is none.
pub fn resolve_id(cache: &Cache, id: &str) -> Result<IssueDetail, CommandError> {
    let prefix = id.trim().to_ascii_lowercase();
    let mut found = cache.issues_with_id_prefix(&prefix)?;
    match found.len() {
        0 => Err(CommandError::user(format!("no issue with id `{id}`"))
            .with_hint("run `roadmap list --all` to see every id")),
        1 => Ok(found.remove(0)),
        _ => {
            let candidates: Vec<String> = found
                .iter()
                .map(|d| format!("{} ({})", d.row.id, d.row.title))
                .collect();
            Err(CommandError::user(format!(
                "id prefix `{id}` is ambiguous: {}",
                candidates.join(", ")
            )))
        }
    }
}

/// The file of the issue with id (prefix) `id`, as the working tree holds it.
pub fn read_file(workspace: &Workspace, cache: &Cache, id: &str) -> Result<ReadFile, CommandError> {
    let path = resolve_id(cache, id)?.row.path;
    workspace.read_file(&path).map_err(|e| {
        CommandError::from(e).with_hint(format!(
            "restore it with `git checkout -- {path}`, or commit its removal"
        ))
    })
}

/// The file of the issue with id (prefix) `id`, as the working tree holds it, and what it says.
pub fn read_issue(
    workspace: &Workspace,
    cache: &Cache,
    id: &str,
) -> Result<(ReadFile, Issue), CommandError> {
    let file = read_file(workspace, cache, id)?;
    let path = file.path.clone();
    let Some(RoadmapFile::Issue(context)) = classify(&path) else {
        return Err(CommandError::user(format!("{path} is not an issue file")));
    };
    let issue = Issue::parse(file.text.as_bytes(), &context).map_err(|e| {
        CommandError::user(format!("{path}: {e}"))
            .with_hint(format!("fix it by hand or with `roadmap edit {id}`"))
    })?;
    Ok((file, issue))
}

/// Where a changed issue file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Where it is.
    Stay,
    /// The same root (active or archive) and file name, in milestone folder `folder`.
    MilestoneFolder(String),
    /// Exactly this path.
    Path(String),
}

/// Saves `changes` to `file` (which reads as `issue`) as the tracker saves an issue: `updated`
/// becomes now, an empty headline becomes the body's first line, and the file is named
/// `{id}-{slug of the title}.md` (shortened to fit the file-name limit), in its folder or in
/// milestone folder `destination`. Every other byte is kept; written only if the file still
/// holds what was read.
pub fn change_fields(
    workspace: &Workspace,
    file: &ReadFile,
    issue: &Issue,
    mut changes: Vec<FieldChange>,
    destination: Destination,
) -> Result<Written, CommandError> {
    let now = now_timestamp();
    changes.retain(|(key, _)| *key != "updated");
    changes.extend(effects::on_save(&now));
    for zoned in effects::zones_on_save(&issue.frontmatter) {
        if !changes.iter().any(|(key, _)| *key == zoned.0) {
            changes.push(zoned);
        }
    }
    if let Some(headline) =
        effects::headline_on_save(issue.frontmatter.headline.as_deref(), &issue.body)
    {
        changes.push(headline);
    }
    let text = set_fields(&file.text, &changes, KNOWN_KEYS)
        .ok_or_else(|| CommandError::user(format!("{}: no frontmatter block", file.path)))?;
    let title = changes
        .iter()
        .find_map(|(key, value)| match (key, value) {
            (&"title", YamlValue::Text(title)) => Some(title.as_str()),
            _ => None,
        })
        .unwrap_or(&issue.title);
    let folder_path = match destination {
        Destination::Stay => file.path.clone(),
        Destination::MilestoneFolder(folder) => {
            crate::lines::legacy::layout::check_milestone_name(&folder)
                .map_err(CommandError::user)?;
            in_milestone_folder(&file.path, &folder).unwrap_or_else(|| file.path.clone())
        }
        Destination::Path(path) => return replace(workspace, file, text, Some(path)),
    };
    let folder = folder_path
        .rsplit_once('/')
        .map_or("", |(folder, _)| folder);
    let target = format!("{folder}/{}", issue_file_name(&issue.id, title));
    replace(workspace, file, text, Some(target))
}

/// Moves `file` to `target` byte for byte, as the tracker's `archive` does.
pub fn move_unchanged(
    workspace: &Workspace,
    file: &ReadFile,
    target: String,
) -> Result<Written, CommandError> {
    replace(workspace, file, file.text.clone(), Some(target))
}

/// Writes `text` over `file` (at `target` when it moves), if the file still holds what was read.
pub fn replace(
    workspace: &Workspace,
    file: &ReadFile,
    text: String,
    target: Option<String>,
) -> Result<Written, CommandError> {
    let change = match target {
        Some(to) if to != file.path => FileChange::Move {
            from: file.path.clone(),
            to,
            text,
            read: file.blob.clone(),
        },
        _ => FileChange::Replace {
            path: file.path.clone(),
            text,
            read: file.blob.clone(),
        },
    };
    Ok(workspace.write(&change)?)
}

/// An edited file checked as the tracker checks the values it writes, ready to save: its
/// text (with `updated` bumped unless the user set it) and where it goes (the folder of its
/// milestone, when that changed).
#[derive(Debug)]
pub struct CheckedEdit {
    pub text: String,
    pub target: Option<String>,
}

/// Checks `edited`, the new text of `file` (which read as `before`). Values the user changed
/// must be ones the tracker accepts; values already in the file are left to the reader's
/// warnings, so editing the body of an old file never fails on a legacy status.
pub fn check_edit(
    file: &ReadFile,
    before: &Issue,
    edited: &str,
) -> Result<CheckedEdit, CommandError> {
    let Some(RoadmapFile::Issue(context)) = classify(&file.path) else {
        return Err(CommandError::user(format!(
            "{} is not an issue file",
            file.path
        )));
    };
    let after = Issue::parse(edited.as_bytes(), &context)
        .map_err(|e| CommandError::user(format!("{}: {e}", file.path)))?;
    let (old, new) = (&before.frontmatter, &after.frontmatter);
    if after.id != before.id {
        return Err(CommandError::user(format!(
            "{}: the id cannot change (`{}` -> `{}`)",
            file.path, before.id, after.id
        )));
    }
    for (key, was, now, known) in [
        ("status", &old.status, &new.status, Status::KNOWN),
        ("priority", &old.priority, &new.priority, Priority::KNOWN),
        (
            "issue_type",
            &old.issue_type,
            &new.issue_type,
            IssueType::KNOWN,
        ),
    ] {
        let Some(value) = now.as_deref().filter(|_| now != was) else {
            continue;
        };
        // Exactly the tracker's spellings: its reader skips a file saying `Done` or `HIGH`.
        let unknown = match key {
            "status" => Status::from_known(value).is_none(),
            "priority" => Priority::from_known(value).is_none(),
            _ => IssueType::from_known(value).is_none(),
        };
        if unknown {
            return Err(CommandError::user(format!(
                "{}: invalid {key} `{value}` (allowed: {})",
                file.path,
                known.join(", ")
            )));
        }
    }
    let mut text = edited.to_owned();
    if new.updated == old.updated {
        text = set_fields(
            &text,
            &[("updated", YamlValue::Text(now_timestamp()))],
            KNOWN_KEYS,
        )
        .ok_or_else(|| CommandError::user(format!("{}: no frontmatter block", file.path)))?;
    }
    let target = if after.milestone == before.milestone {
        None
    } else {
        let folder = after.milestone.as_deref().unwrap_or(BACKLOG_FOLDER);
        crate::lines::legacy::layout::check_milestone_name(folder)
            .map_err(|message| CommandError::user(format!("{}: {message}", file.path)))?;
        in_milestone_folder(&file.path, folder)
    };
    Ok(CheckedEdit { text, target })
}

/// Creates the file of a new issue in its milestone folder (`backlog` without one).
pub fn create(workspace: &Workspace, new: &NewIssue) -> Result<Written, CommandError> {
    let folder = new.milestone.as_deref().unwrap_or(BACKLOG_FOLDER);
    crate::lines::legacy::layout::check_milestone_name(folder).map_err(CommandError::user)?;
    let path = format!(
        ".roadmap/issues/{folder}/{}",
        issue_file_name(&new.id, &new.title)
    );
    Ok(workspace.write(&FileChange::Create {
        path,
        text: new_issue_file(new),
    })?)
}

/// Returns a new issue id in the tracker's form (8 lowercase hex digits) that no file uses.
pub fn new_id(cache: &Cache) -> Result<String, WriteError> {
    for _ in 0..100 {
        let id = format!("{:08x}", random_u32()?);
        if cache.issue_paths(&id).is_ok_and(|paths| paths.is_empty()) {
            return Ok(id);
        }
    }
    Err(WriteError::Invalid {
        path: ".roadmap/issues".into(),
        message: "could not find an unused id".into(),
    })
}

fn random_u32() -> Result<u32, WriteError> {
    let io = |source| WriteError::Io {
        path: "/dev/urandom".into(),
        source,
    };
    let mut bytes = [0u8; 4];
    let mut source = fs::File::open("/dev/urandom").map_err(io)?;
    std::io::Read::read_exact(&mut source, &mut bytes).map_err(io)?;
    Ok(u32::from_le_bytes(bytes))
}

/// The current time as the tracker writes timestamps: `2026-11-25T09:05:01.123456+00:00`.
#[must_use]
pub fn now_timestamp() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = i64::try_from(since.as_secs()).unwrap_or(0);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = crate::issue::timestamp::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_micros()
    )
}

/// A draft of `roadmap edit`: the user's text, kept in the cache folder until it is saved.
/// Each edit gets a file of its own, so an earlier draft that could not be saved is never
/// overwritten by the next edit.
pub struct Draft {
    pub path: std::path::PathBuf,
}

impl Draft {
    /// Writes `text` to a new draft for the issue file `issue_path`.
    pub fn create(workspace: &Workspace, issue_path: &str, text: &str) -> std::io::Result<Draft> {
        let folder = workspace.cache_dir().join("drafts");
        fs::create_dir_all(&folder)?;
        let id = Path::new(issue_path)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(crate::lines::legacy::layout::id_from_file_name)
            .unwrap_or_else(|| "issue".to_owned());
        for attempt in 0u32.. {
            let path = folder.join(format!("{id}-{}-{attempt}.md", std::process::id()));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    std::io::Write::write_all(&mut file, text.as_bytes())?;
                    return Ok(Draft { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        unreachable!("u32 attempts are never exhausted")
    }

    /// Earlier drafts of the same issue that were never saved, oldest first.
    #[must_use]
    pub fn earlier(&self) -> Vec<std::path::PathBuf> {
        let Some(folder) = self.path.parent() else {
            return Vec::new();
        };
        let name = self.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let id = name.split('-').next().unwrap_or("");
        let mut found: Vec<(std::time::SystemTime, std::path::PathBuf)> = fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.starts_with(&format!("{id}-")) && *n != *name
            })
            .map(|e| {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (modified, e.path())
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, path)| path).collect()
    }

    /// Forgets the draft once its text is saved (or had no changes).
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
    }
}
