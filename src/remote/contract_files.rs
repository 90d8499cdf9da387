//! The local side of a sync on the contract line (roadmap-cli 0.2+). An issue pulled from
//! GitHub is created as 0.3.1's `issue create` creates one (`issues/<uuid4>.md`, the `created`
//! event, `retention: visible`); the fields a merge changed are set as its `issue update` and
//! `issue close` set them, with the history event each appends (`closed`, `started`,
//! `status:*`, else `updated`). The whole document is then saved in 0.3.1's bytes
//! ([`crate::lines::contract::document`]) at its path, never moved.
//!
//! The link is `remote_ids: {github: N}`: a key 0.3.1 does not own, so its saves keep it
//! (`documents.py` keeps every unknown key, first in the file, in `extra_frontmatter`).
//!
//! A GitHub milestone no milestone file is named after is **not** created here: 0.3.1's
//! `milestone create` also links the milestone to the workspace's only project (a second file
//! changed, and a guess when there are several). The issue keeps its local milestone, the run
//! reports it with the command that creates it, and the baseline keeps GitHub's milestone as
//! the remote's, so every run reports it again (never pushing the local value over GitHub's)
//! until the milestone file exists, when it is pulled.

use super::mapping::{Fields, TRACKER_PULLED_LABEL, assignee_field};
use super::plan::LocalIssue;
use crate::cache::{Cache, CacheError};
use crate::issue::render::NewIssue;
use crate::lines::contract::document::Document;
use crate::lines::contract::operations::{self, Revision};
use crate::workspace::pending::blob_id;
use crate::workspace::write::FileChange;
use serde_yaml::{Mapping, Value};
use std::collections::HashMap;

/// The workspace's milestones by name, as issues name them by id.
pub struct Milestones(HashMap<String, String>);

impl Milestones {
    /// The milestone files the cache holds.
    pub fn of_cache(cache: &Cache) -> Result<Self, CacheError> {
        let mut by_name = HashMap::new();
        for (_, id, name) in cache.milestone_files()? {
            if let Some(id) = id {
                by_name.entry(name).or_insert(id);
            }
        }
        Ok(Milestones(by_name))
    }

    fn id_of(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// What a sync writes to one contract file.
#[derive(Debug)]
pub struct ContractWrite {
    /// `None` when nothing 0.3.1 keeps changes.
    pub change: Option<FileChange>,
    /// Fields GitHub changed that could not be written (a milestone without a file).
    pub held_back: Vec<String>,
    pub notes: Vec<String>,
}

/// The file of a GitHub issue new to us, with id `id`, linked to `number`.
pub fn new_file(
    id: &str,
    number: u64,
    fields: &Fields,
    milestones: &Milestones,
    at: &str,
) -> Result<ContractWrite, String> {
    let mut write = ContractWrite {
        change: None,
        held_back: Vec::new(),
        notes: Vec::new(),
    };
    let milestone = match &fields.milestone {
        Some(name) => {
            let id = milestones.id_of(name);
            if id.is_none() {
                held_back_milestone(&mut write, &format!("#{number}"), name);
            }
            id
        }
        None => None,
    };
    let new = NewIssue {
        id: id.to_owned(),
        title: fields.title.clone(),
        priority: fields.priority.clone(),
        status: "todo".into(),
        issue_type: fields.issue_type.clone(),
        milestone,
        labels: fields.labels.clone(),
        assignee: assignee_field(&fields.assignee),
        now: at.to_owned(),
        body: fields.body.clone(),
    };
    let mut document =
        operations::create(&new, at).map_err(|why| format!("#{number}: not pulled: {why}"))?;
    walk_to(&mut document, &fields.status, at).map_err(|why| format!("#{number}: {why}"))?;
    set_link(&mut document.extra, number);
    write.change = Some(FileChange::Create {
        path: format!(".roadmap/issues/{id}.md"),
        text: document.render(),
    });
    Ok(write)
}

/// The new content of `local`'s file: the `to_local` fields from `result`, and the link.
pub fn changed_file(
    local: &LocalIssue,
    result: &Fields,
    to_local: &[String],
    link: Option<u64>,
    milestones: &Milestones,
    at: &str,
) -> Result<ContractWrite, String> {
    let mut document = Document::parse(&local.text).map_err(|why| {
        format!(
            "{}: roadmap-cli 0.3.1 cannot read it ({why}); not written",
            local.path
        )
    })?;
    let before = document.clone();
    let mut write = ContractWrite {
        change: None,
        held_back: Vec::new(),
        notes: Vec::new(),
    };
    let mut revision = Revision::default();
    let mut status = None;
    for field in to_local {
        match field.as_str() {
            "title" => revision.title = Some(result.title.clone()),
            "priority" => revision.priority = Some(result.priority.clone()),
            "issue_type" => revision.issue_type = Some(result.issue_type.clone()),
            "assignee" => revision.assignee = Some(assignee_field(&result.assignee)),
            "labels" => {
                let held = |label: &String| document.labels.iter().any(|l| l.trim() == label);
                revision.add_labels = result.labels.iter().filter(|l| !held(l)).cloned().collect();
                revision.remove_labels = (document.labels.iter())
                    .filter(|l| l.trim() != TRACKER_PULLED_LABEL)
                    .filter(|l| !result.labels.iter().any(|m| m == l.trim()))
                    .cloned()
                    .collect();
            }
            "milestone" => match &result.milestone {
                None => revision.milestone = Some(None),
                Some(name) => match milestones.id_of(name) {
                    Some(id) => revision.milestone = Some(Some(id)),
                    None => held_back_milestone(&mut write, &local.issue.id, name),
                },
            },
            // 0.3.1 keeps the description as given; ours from GitHub is trimmed, as it is read.
            "body" => document.body.clone_from(&result.body),
            "status" => status = Some(result.status.clone()),
            _ => {}
        }
    }
    let fail = |why: String| format!("{}: {why}", local.path);
    let changed = update(&mut document, revision, status.as_deref(), at).map_err(fail)?;
    if !changed && document.body != before.body {
        operations::record(&mut document, "updated", at, None);
    }
    if let Some(number) = link {
        set_link(&mut document.extra, number);
    }
    if document != before {
        write.change = Some(FileChange::Replace {
            path: local.path.clone(),
            text: document.render(),
            // Compare and swap: written only if the file still holds what this sync read.
            read: blob_id(local.text.as_bytes()),
        });
    }
    Ok(write)
}

/// `issue update` with the fields and, when given, the status: one event, the status's when
/// it moves (as `issue update -s` records), else `updated`. A status 0.3.1 reaches only through
/// `in-progress` (todo → review) is reached that way, with both events, as a user would.
fn update(
    document: &mut Document,
    mut revision: Revision,
    status: Option<&str>,
    at: &str,
) -> Result<bool, String> {
    let Some(status) = status.filter(|s| *s != document.status) else {
        return operations::update(document, &revision, at);
    };
    let mut direct = document.clone();
    revision.status = Some(status.to_owned());
    if operations::update(&mut direct, &revision, at).is_ok() {
        *document = direct;
        return Ok(true);
    }
    revision.status = Some("in-progress".into());
    operations::update(document, &revision, at)?;
    operations::transition(document, status, at, None)?;
    Ok(true)
}

/// Moves a new document from `todo` to `status`, through `in-progress` where 0.3.1 requires.
fn walk_to(document: &mut Document, status: &str, at: &str) -> Result<(), String> {
    if operations::transition(document, status, at, None).is_ok() {
        return Ok(());
    }
    operations::transition(document, "in-progress", at, None)?;
    operations::transition(document, status, at, None)
}

fn held_back_milestone(write: &mut ContractWrite, who: &str, name: &str) {
    write.held_back.push("milestone".into());
    write.notes.push(format!(
        "{who}: GitHub's milestone `{name}` has no file in .roadmap/milestones/; the issue keeps its local milestone \
         (hint: create it with roadmap-cli's `roadmap milestone create -t '{name}'`, then run `roadmap sync` again)"
    ));
}

/// `remote_ids` with `github: number` set, every other remote and the key's place kept.
fn set_link(extra: &mut Mapping, number: u64) {
    let key = Value::String("remote_ids".into());
    let mut ids = match extra.get(&key) {
        Some(Value::Mapping(ids)) => ids.clone(),
        _ => Mapping::new(),
    };
    ids.insert(Value::String("github".into()), Value::Number(number.into()));
    extra.insert(key, Value::Mapping(ids));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_keeps_its_place_and_other_remotes() {
        let mut extra: Mapping =
            serde_yaml::from_str("x: 1\nremote_ids: {gitlab: 7}\ny: 2").unwrap();
        set_link(&mut extra, 42);
        let keys: Vec<&str> = extra.keys().filter_map(Value::as_str).collect();
        assert_eq!(keys, ["x", "remote_ids", "y"]);
        assert_eq!(
            serde_yaml::to_string(&extra["remote_ids"]).unwrap(),
            "gitlab: 7\ngithub: 42\n"
        );
    }

    #[test]
    fn review_is_reached_through_in_progress_as_0_3_1_requires() {
        let new = NewIssue {
            id: "a".into(),
            title: "T".into(),
            priority: "medium".into(),
            status: "todo".into(),
            issue_type: "other".into(),
            milestone: None,
            labels: Vec::new(),
            assignee: None,
            now: "2026-01-01T00:00:00+00:00".into(),
            body: String::new(),
        };
        let at = "2026-01-02T00:00:00+00:00";
        let mut document = operations::create(&new, at).unwrap();
        walk_to(&mut document, "review", at).unwrap();
        let actions: Vec<&str> = document.history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["created", "started", "status:review"]);
    }
}
