//! The write commands: create, update, close, reopen, archive, unarchive, edit. Each reads the
//! file in the working tree, changes only what it must, and hands the result to
//! [`crate::local_write`], which writes the file and then the cache.

use super::write_args::{CreateArgs, IdArgs, OutputArgs, OutputFormat, UpdateArgs};
use super::{UserError, write_stdout};
use crate::cache::Cache;
use crate::freshness;
use crate::issue::render::{NewIssue, YamlValue, new_issue_file, set_fields};
use crate::issue::{Issue, IssueType, KNOWN_KEYS, Priority, Status, to_json};
use crate::layout::{BACKLOG_FOLDER, RoadmapFile, classify, in_milestone_folder, slug};
use crate::local_write::{self, FileChange, Written, new_id, now_timestamp};
use git2::Repository;
use std::path::Path;

/// A status, priority or type as the tracker spells it, or an error naming the allowed values.
fn canonical(field: &str, value: &str) -> Result<String, UserError> {
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
        return Err(UserError::new(format!(
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
pub fn create(args: &CreateArgs) -> Result<(), UserError> {
    let (repo, cache) = open(false)?;
    if args.title.trim().is_empty() {
        return Err(UserError::new("the title is empty"));
    }
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone(),
        (None, Some(path)) if path == "-" => std::io::read_to_string(std::io::stdin())?,
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| UserError::new(format!("{path}: {e}")))?
        }
        (None, None) => String::new(),
    };
    let milestone = non_empty(&args.milestone);
    let id = new_id(&cache)?;
    let new = NewIssue {
        id: id.clone(),
        title: args.title.trim().to_owned(),
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
        assignee: non_empty(&args.assignee),
        now: now_timestamp(),
        body,
    };
    let folder = milestone.as_deref().unwrap_or(BACKLOG_FOLDER);
    let path = format!(".roadmap/issues/{folder}/{id}-{}.md", slug(&new.title));
    let written = local_write::write(
        &repo,
        &FileChange::Create {
            path,
            text: new_issue_file(&new),
        },
    )?;
    if let Some(name) = &milestone {
        if cache.milestone(name)?.is_none() {
            eprintln!("roadmap: note: milestone `{name}` has no file in .roadmap/milestones");
        }
    }
    report("Created", &written, &args.output)
}

/// Runs `roadmap update`.
pub fn update(args: &UpdateArgs) -> Result<(), UserError> {
    let (repo, cache) = open(false)?;
    let (path, text, issue) = current(&repo, &cache, &args.id)?;
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
        return Err(UserError::new("nothing to change").with_hint(
            "give at least one of --title, --status, --priority, --type, --assignee, --milestone, --add-label, --remove-label",
        ));
    }
    let new_folder = args
        .milestone
        .as_ref()
        .map(|m| non_empty(&Some(m.clone())).unwrap_or_else(|| BACKLOG_FOLDER.to_owned()));
    write_changes(
        &repo,
        &path,
        &text,
        changes,
        new_folder.as_deref(),
        None,
        &args.output,
        "Updated",
    )
}

/// Runs `roadmap close` (`closed: true`) and `roadmap reopen`.
pub fn set_status(args: &IdArgs, status: &str) -> Result<(), UserError> {
    let (repo, cache) = open(false)?;
    let (path, text, _) = current(&repo, &cache, &args.id)?;
    let verb = if status == "closed" {
        "Closed"
    } else {
        "Reopened"
    };
    write_changes(
        &repo,
        &path,
        &text,
        vec![("status", YamlValue::Text(status.to_owned()))],
        None,
        None,
        &args.output,
        verb,
    )
}

/// Runs `roadmap archive` and `roadmap unarchive`: the file moves to or from
/// `.roadmap/archive/issues/`, keeping its milestone folder, and `archived` follows.
pub fn archive(args: &IdArgs, archived: bool) -> Result<(), UserError> {
    let (repo, cache) = open(false)?;
    let (path, text, _) = current(&repo, &cache, &args.id)?;
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
        return Err(UserError::new(format!("{path} is {state}")));
    };
    let target = format!("{to_root}{rest}");
    let verb = if archived { "Archived" } else { "Unarchived" };
    write_changes(
        &repo,
        &path,
        &text,
        vec![("archived", YamlValue::Bool(archived))],
        None,
        Some(target),
        &args.output,
        verb,
    )
}

/// Runs `roadmap edit`: `$VISUAL`/`$EDITOR` on a copy, checked before it replaces the file.
pub fn edit(args: &IdArgs) -> Result<(), UserError> {
    let (repo, cache) = open(false)?;
    let (path, text, _) = current(&repo, &cache, &args.id)?;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .ok_or_else(|| {
            UserError::new("neither VISUAL nor EDITOR is set")
                .with_hint("run e.g. `EDITOR=vi roadmap edit ID`")
        })?;
    let draft = crate::git::RepoDirs::of(&repo).cache_dir().join(format!(
        "edit-{}",
        Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(draft.parent().unwrap_or(Path::new(".")))
        .map_err(|e| UserError::new(format!("{}: {e}", draft.display())))?;
    std::fs::write(&draft, &text)
        .map_err(|e| UserError::new(format!("{}: {e}", draft.display())))?;
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("{editor} \"$1\""), "roadmap-edit"])
        .arg(&draft)
        .status()
        .map_err(|e| UserError::new(format!("starting {editor}: {e}")))?;
    if !status.success() {
        return Err(UserError::new(format!(
            "{editor} failed; {path} is unchanged (your text is in {})",
            draft.display()
        )));
    }
    let edited = std::fs::read_to_string(&draft)
        .map_err(|e| UserError::new(format!("{}: {e}", draft.display())))?;
    if edited == text {
        let _ = std::fs::remove_file(&draft);
        eprintln!("roadmap: no changes to {path}");
        return Ok(());
    }
    match local_write::write(
        &repo,
        &FileChange::Replace {
            path: path.clone(),
            text: edited,
        },
    ) {
        Ok(written) => {
            let _ = std::fs::remove_file(&draft);
            report("Edited", &written, &args.output)
        }
        Err(error) => Err(
            UserError::new(format!("not saved: {error}")).with_hint(format!(
                "your text is in {}; fix it and run `roadmap edit {}` again",
                draft.display(),
                args.id
            )),
        ),
    }
}

/// The repository and its cache at HEAD (synced first if HEAD moved).
fn open(no_sync: bool) -> Result<(Repository, Cache), UserError> {
    let cwd = std::env::current_dir()?;
    let fresh = freshness::open(&cwd, no_sync).map_err(super::explain_freshness)?;
    for warning in &fresh.warnings {
        eprintln!("roadmap: {warning}");
    }
    let repo = Repository::discover(&cwd)
        .map_err(|e| UserError::new(format!("not in a git repository: {}", e.message())))?;
    Ok((repo, fresh.cache))
}

/// The file of the issue with id (prefix) `id`, as the working tree holds it, and what it says.
fn current(
    repo: &Repository,
    cache: &Cache,
    id: &str,
) -> Result<(String, String, Issue), UserError> {
    let detail = super::resolve_id(cache, id)?;
    let path = detail.row.path;
    let work_dir = repo
        .workdir()
        .ok_or_else(|| UserError::new("the repository has no working tree"))?;
    let text = std::fs::read_to_string(work_dir.join(&path)).map_err(|e| {
        UserError::new(format!("{path}: {e}")).with_hint("restore it with `git checkout -- FILE`")
    })?;
    let Some(RoadmapFile::Issue(context)) = classify(&path) else {
        return Err(UserError::new(format!("{path} is not an issue file")));
    };
    let issue = Issue::parse(text.as_bytes(), &context).map_err(|e| {
        UserError::new(format!("{path}: {e}"))
            .with_hint(format!("fix it by hand or with `roadmap edit {id}`"))
    })?;
    Ok((path, text, issue))
}

#[allow(clippy::too_many_arguments)]
fn write_changes(
    repo: &Repository,
    path: &str,
    text: &str,
    mut changes: Vec<(&str, YamlValue)>,
    milestone_folder: Option<&str>,
    moved_to: Option<String>,
    output: &OutputArgs,
    verb: &str,
) -> Result<(), UserError> {
    changes.push(("updated", YamlValue::Text(now_timestamp())));
    let new_text = set_fields(text, &changes, KNOWN_KEYS)
        .ok_or_else(|| UserError::new(format!("{path}: no frontmatter block")))?;
    let target =
        moved_to.or_else(|| milestone_folder.and_then(|folder| in_milestone_folder(path, folder)));
    let change = match target {
        Some(to) if to != path => FileChange::Move {
            from: path.to_owned(),
            to,
            text: new_text,
        },
        _ => FileChange::Replace {
            path: path.to_owned(),
            text: new_text,
        },
    };
    let written = local_write::write(repo, &change)?;
    report(verb, &written, output)
}

fn report(verb: &str, written: &Written, output: &OutputArgs) -> Result<(), UserError> {
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
