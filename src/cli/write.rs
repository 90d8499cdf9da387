//! The write commands: create, update, close, reopen, archive, unarchive, edit. This layer turns
//! arguments into field changes and renders the result; reading the file, the compare-and-swap
//! write and the cache live in the library ([`crate::issue_write`], [`crate::workspace`]).

use super::write_args::{CreateArgs, IdArgs, OutputArgs, OutputFormat, UpdateArgs};
use super::{CommandError, write_stdout};
use crate::cache::Cache;
use crate::issue::render::NewIssue;
use crate::issue::{IssueType, Priority, Status, effects, to_json};
use crate::issue_write::{self, Draft, new_id, now_timestamp, read_file};
use crate::lines::writes::{Edits, IssueWrite};
use crate::workspace::Workspace;
use crate::workspace::write::Written;

/// A status, priority or type as the tracker spells it, or an error naming the allowed values.
fn canonical(field: &str, value: &str) -> Result<String, CommandError> {
    let (text, unknown, known) = match field {
        "status" => {
            let (status, unknown) = Status::parse(value);
            (status.as_str().to_owned(), unknown, Status::KNOWN)
        }
        "priority" => {
            let (priority, unknown) = Priority::parse(value);
            (priority.as_str().to_owned(), unknown, Priority::KNOWN)
        }
        _ => {
            let (issue_type, unknown) = IssueType::parse(value);
            (issue_type.as_str().to_owned(), unknown, IssueType::KNOWN)
        }
    };
    if unknown {
        return Err(CommandError::user(format!(
            "invalid {field} `{value}` (allowed: {})",
            known.join(", ")
        )));
    }
    Ok(text)
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Runs `roadmap create`.
pub fn create(args: &CreateArgs) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    if args.title.trim().is_empty() {
        return Err(CommandError::user("the title is empty"));
    }
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => Some(body.clone()),
        (None, Some(path)) if path == "-" => Some(std::io::read_to_string(std::io::stdin())?),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| CommandError::user(format!("{path}: {e}")))?,
        ),
        // The line's default: the legacy tracker's template, or none on the contract.
        (None, None) => None,
    };
    let milestone = non_empty(&args.milestone);
    let id = new_id(&cache)?;
    let new = NewIssue {
        id: id.clone(),
        // As typed: the tracker keeps a title's spaces (its slug does not).
        title: args.title.clone(),
        priority: canonical("priority", &args.priority)?,
        status: canonical("status", &args.status)?,
        issue_type: canonical("type", &args.issue_type)?,
        milestone: milestone.clone(),
        labels: args
            .labels
            .iter()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
        assignee: effects::default_assignee(
            non_empty(&args.assignee).as_deref(),
            workspace.git_user_name().as_deref(),
        ),
        now: now_timestamp(),
        body: String::new(),
    };
    let written = workspace
        .line()
        .write(&workspace, &cache, IssueWrite::Create { new, body })?
        .expect("a create always writes");
    if let Some(name) = &milestone {
        if cache.milestone(name)?.is_none() {
            eprintln!("roadmap: note: milestone `{name}` has no file in .roadmap/milestones");
        }
    }
    report("Created", Some(&written), &written.issue.id, &args.output)
}

/// Runs `roadmap update`.
pub fn update(args: &UpdateArgs) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let mut edits = Edits {
        title: args.title.as_ref().map(|title| title.trim().to_owned()),
        assignee: args.assignee.as_ref().map(|a| non_empty(&Some(a.clone()))),
        milestone: args.milestone.as_ref().map(|m| non_empty(&Some(m.clone()))),
        add_labels: args.add_labels.clone(),
        remove_labels: args.remove_labels.clone(),
        ..Edits::default()
    };
    for (field, slot, value) in [
        ("status", &mut edits.status, &args.status),
        ("priority", &mut edits.priority, &args.priority),
        ("type", &mut edits.issue_type, &args.issue_type),
    ] {
        if let Some(value) = value {
            *slot = Some(canonical(field, value)?);
        }
    }
    let nothing = edits.title.is_none()
        && edits.status.is_none()
        && edits.priority.is_none()
        && edits.issue_type.is_none()
        && edits.assignee.is_none()
        && edits.milestone.is_none()
        && edits.add_labels.is_empty()
        && edits.remove_labels.is_empty();
    if nothing {
        return Err(CommandError::user("nothing to change").with_hint(
            "give at least one of --title, --status, --priority, --type, --assignee, --milestone, --add-label, --remove-label",
        ));
    }
    let id = args.id.clone();
    let written = workspace
        .line()
        .write(&workspace, &cache, IssueWrite::Update { id, edits })?;
    report("Updated", written.as_ref(), &args.id, &args.output)
}

/// Runs `roadmap close` and `roadmap reopen`.
pub fn set_status(args: &IdArgs, status: &'static str) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let verb = if status == "closed" {
        "Closed"
    } else {
        "Reopened"
    };
    let id = args.id.clone();
    let written =
        workspace
            .line()
            .write(&workspace, &cache, IssueWrite::SetStatus { id, status })?;
    report(verb, written.as_ref(), &args.id, &args.output)
}

/// Runs `roadmap archive` and `roadmap unarchive`: out of the default list and back, as the
/// workspace's line keeps that (a folder, or `retention:`).
pub fn archive(args: &IdArgs, archived: bool) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let verb = if archived { "Archived" } else { "Unarchived" };
    let id = args.id.clone();
    let written =
        workspace
            .line()
            .write(&workspace, &cache, IssueWrite::Archive { id, archived })?;
    report(verb, written.as_ref(), &args.id, &args.output)
}

/// Runs `roadmap edit`: `$VISUAL`/`$EDITOR` on a draft, checked before it replaces the file,
/// and saved only if nobody changed the file while the editor was open.
pub fn edit(args: &IdArgs) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let file = read_file(&workspace, &cache, &args.id)?;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .ok_or_else(|| {
            CommandError::user("neither VISUAL nor EDITOR is set")
                .with_hint("run e.g. `EDITOR=vi roadmap edit ID`")
        })?;
    let draft = Draft::create(&workspace, &file.path, &file.text)?;
    for earlier in draft.earlier() {
        eprintln!(
            "roadmap: note: an earlier unsaved draft of this issue is kept in {}",
            earlier.display()
        );
    }
    let kept = |why: String| {
        CommandError::repository(why).with_hint(format!(
            "your text is kept in {}; fix it and run `roadmap edit {}` again (copy it in), or delete it",
            draft.path.display(),
            args.id
        ))
    };
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("{editor} \"$1\""), "roadmap-edit"])
        .arg(&draft.path)
        .status()
        .map_err(|e| kept(format!("starting {editor}: {e}")))?;
    if !status.success() {
        return Err(kept(format!("{editor} failed; {} is unchanged", file.path)));
    }
    let edited = std::fs::read_to_string(&draft.path)
        .map_err(|e| kept(format!("{}: {e}", draft.path.display())))?;
    if edited == file.text {
        draft.remove();
        eprintln!("roadmap: no changes to {}", file.path);
        return Ok(());
    }
    let checked = workspace
        .line()
        .check_edit(&cache, &file, &edited)
        .map_err(|error| kept(format!("not saved: {}", error.message)))?;
    drop(cache);
    let Some(checked) = checked else {
        draft.remove();
        eprintln!("roadmap: no changes to {}", file.path);
        return Ok(());
    };
    match issue_write::replace(&workspace, &file, checked.text, checked.target) {
        Ok(written) => {
            draft.remove();
            report("Edited", Some(&written), &args.id, &args.output)
        }
        Err(error) => Err(kept(format!("not saved: {}", error.message))),
    }
}

/// The workspace and its cache at HEAD (synced first if HEAD moved).
fn open() -> Result<(Workspace, Cache), CommandError> {
    let workspace = Workspace::discover()?;
    // Like a first query: a repository with `.roadmap/` and no cache yet gets one.
    let fresh = super::first_use::open(&workspace, false, false)?;
    for warning in &fresh.warnings {
        eprintln!("roadmap: {warning}");
    }
    Ok((workspace, fresh.cache))
}

/// Prints what was written; `None`: the tracker would write nothing, and neither did we.
fn report(
    verb: &str,
    written: Option<&Written>,
    id: &str,
    output: &OutputArgs,
) -> Result<(), CommandError> {
    let Some(written) = written else {
        eprintln!("roadmap: {id}: nothing to change; the file is as it was");
        return Ok(());
    };
    if let Some(note) = &written.cache_note {
        eprintln!("roadmap: warning: {note}");
    }
    let text = if output.format == OutputFormat::Json {
        super::render::json_with_body(&to_json(&written.issue, &written.path), &written.issue.body)
    } else {
        format!("{verb} {}  {}\n", written.issue.id, written.path)
    };
    write_stdout(text.as_bytes())
}
