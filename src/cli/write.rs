//! The write commands: create, update, close, reopen, archive, unarchive, edit. This layer turns
//! arguments into field changes and renders the result; reading the file, the compare-and-swap
//! write and the cache live in the library ([`crate::issue_write`], [`crate::workspace`]).

use super::write_args::{CreateArgs, IdArgs, OutputArgs, OutputFormat, UpdateArgs};
use super::{CommandError, write_stdout};
use crate::cache::Cache;
use crate::issue::render::{NewIssue, YamlValue};
use crate::issue::{IssueType, Priority, Status, effects, to_json};
use crate::issue_write::{self, Destination, Draft, new_id, now_timestamp, read_issue};
use crate::layout::BACKLOG_FOLDER;
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
        (Some(body), _) => body.clone(),
        (None, Some(path)) if path == "-" => std::io::read_to_string(std::io::stdin())?,
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| CommandError::user(format!("{path}: {e}")))?
        }
        // The tracker's template, as its `issue create` without `-d` writes it.
        (None, None) => effects::default_body(&args.title),
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
        body,
    };
    let written = issue_write::create(&workspace, &new)?;
    if let Some(name) = &milestone {
        if cache.milestone(name)?.is_none() {
            eprintln!("roadmap: note: milestone `{name}` has no file in .roadmap/milestones");
        }
    }
    report("Created", &written, &args.output)
}

/// Runs `roadmap update`.
pub fn update(args: &UpdateArgs) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let (file, issue) = read_issue(&workspace, &cache, &args.id)?;
    let mut changes: Vec<(&str, YamlValue)> = Vec::new();
    if let Some(title) = &args.title {
        changes.push(("title", YamlValue::Text(title.trim().to_owned())));
    }
    for (field, key, value) in [
        ("status", "status", &args.status),
        ("priority", "priority", &args.priority),
        ("type", "issue_type", &args.issue_type),
    ] {
        if let Some(value) = value {
            changes.push((key, YamlValue::Text(canonical(field, value)?)));
        }
    }
    if let Some(assignee) = &args.assignee {
        changes.push((
            "assignee",
            non_empty(&Some(assignee.clone())).map_or(YamlValue::Null, YamlValue::Text),
        ));
    }
    if let Some(milestone) = &args.milestone {
        changes.push((
            "milestone",
            non_empty(&Some(milestone.clone())).map_or(YamlValue::Null, YamlValue::Text),
        ));
    }
    if !args.add_labels.is_empty() || !args.remove_labels.is_empty() {
        let mut labels = issue.labels.clone();
        for label in &args.add_labels {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
        }
        labels.retain(|l| !args.remove_labels.contains(l));
        changes.push(("labels", YamlValue::List(labels)));
    }
    if changes.is_empty() {
        return Err(CommandError::user("nothing to change").with_hint(
            "give at least one of --title, --status, --priority, --type, --assignee, --milestone, --add-label, --remove-label",
        ));
    }
    let destination = match &args.milestone {
        Some(m) => Destination::MilestoneFolder(
            non_empty(&Some(m.clone())).unwrap_or_else(|| BACKLOG_FOLDER.to_owned()),
        ),
        None => Destination::Stay,
    };
    let written = issue_write::change_fields(&workspace, &file, &issue, changes, destination)?;
    report("Updated", &written, &args.output)
}

/// Runs `roadmap close` (`closed: true`) and `roadmap reopen`.
pub fn set_status(args: &IdArgs, status: &str) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let (file, issue) = read_issue(&workspace, &cache, &args.id)?;
    let now = now_timestamp();
    // What the tracker's `close` writes (progress 100 too); it has no `reopen`: that is its
    // `update --status todo`, the status alone.
    let (verb, changes) = if status == "closed" {
        ("Closed", effects::on_close(&now, None))
    } else {
        ("Reopened", effects::on_status(&now, status))
    };
    let written =
        issue_write::change_fields(&workspace, &file, &issue, changes, Destination::Stay)?;
    report(verb, &written, &args.output)
}

/// Runs `roadmap archive` and `roadmap unarchive`: the file moves to or from
/// `.roadmap/archive/issues/`, keeping its milestone folder, and `archived` follows.
pub fn archive(args: &IdArgs, archived: bool) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let (file, issue) = read_issue(&workspace, &cache, &args.id)?;
    let path = &file.path;
    let (from_root, to_root) = if archived {
        (".roadmap/issues/", ".roadmap/archive/issues/")
    } else {
        (".roadmap/archive/issues/", ".roadmap/issues/")
    };
    let Some(rest) = path.strip_prefix(from_root) else {
        let state = if archived {
            "already archived"
        } else {
            "not archived"
        };
        return Err(CommandError::user(format!("{path} is {state}")));
    };
    let target = format!("{to_root}{rest}");
    let verb = if archived { "Archived" } else { "Unarchived" };
    // The tracker's `archive` moves the file unchanged; a file that says `archived: true`
    // itself must stop saying so when it comes back, or it would still read as archived.
    let written = if !archived && issue.frontmatter.archived.is_some_and(|a| a.0) {
        issue_write::change_fields(
            &workspace,
            &file,
            &issue,
            vec![("archived", YamlValue::Bool(false))],
            Destination::Path(target),
        )?
    } else {
        issue_write::move_unchanged(&workspace, &file, target)?
    };
    report(verb, &written, &args.output)
}

/// Runs `roadmap edit`: `$VISUAL`/`$EDITOR` on a draft, checked before it replaces the file,
/// and saved only if nobody changed the file while the editor was open.
pub fn edit(args: &IdArgs) -> Result<(), CommandError> {
    let (workspace, cache) = open()?;
    let (file, before) = read_issue(&workspace, &cache, &args.id)?;
    drop(cache);
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
    let checked = issue_write::check_edit(&file, &before, &edited)
        .map_err(|error| kept(format!("not saved: {}", error.message)))?;
    match issue_write::replace(&workspace, &file, checked.text, checked.target) {
        Ok(written) => {
            draft.remove();
            report("Edited", &written, &args.output)
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

fn report(verb: &str, written: &Written, output: &OutputArgs) -> Result<(), CommandError> {
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
