//! Comments both ways, matched by GitHub's comment id (the legacy tracker's `comments:` list
//! keeps it as `id`; the contract line's, whose ids are its own integers, in `github_url`: see
//! [`contract_comments`](super::contract_comments)). Runs after the issues are applied, for the linked issues whose comments may have
//! changed: a local comment without an id is created on GitHub; one GitHub has that the file
//! lacks is added; a body changed on one side since the last sync reaches the other; both
//! changed is reported and left alone. A deletion on either side is not repeated on the other.
//! The comment bodies both sides agreed on are kept per issue in `remote.db`
//! ([`comment_merge`](super::comment_merge) merges, [`comment_file`](super::comment_file)
//! rewrites the list in place, keeping every key of every comment).
//!
//! **A comment is created on GitHub once**, whatever the direction of the run and whatever
//! fails after the create. Before the POST its intent (the body, and the newest GitHub comment
//! id seen) is recorded in the issue's row of `remote.db`; a push-only run writes the new id
//! back to the file as a pulling run does. A run that finds an intent and still a comment
//! without an id (the write-back failed, the process was killed, GitHub answered an error
//! after creating it) adopts GitHub's comment with that body and a newer id instead of
//! creating another; the intent ends once the file holds the id.

use super::comment_file::{Slot, comment_items, rewrite};
use super::comment_merge::{Context, merge};
use super::contract_comments;
use super::github::{GhComment, GitHub, GitHubError};
use crate::cache::remote::RemoteState;
use crate::issue::{Comment, Issue};
use crate::lines::Line;
use crate::lines::contract::document::Document;
use crate::lines::contract::writer;
use crate::lines::legacy::layout::{RoadmapFile, classify};
use crate::workspace::Workspace;
use crate::workspace::write::{FileChange, ReadFile};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The `sync_base_state` rows of comment baselines: `#comments:` then the local issue id.
pub const ROW_PREFIX: &str = "#comments:";

/// The comment bodies both sides agreed on for one issue, by GitHub comment id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommentsBase {
    pub bodies: BTreeMap<String, String>,
    /// Comments being created on GitHub whose ids the file does not hold yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub creating: Vec<Creating>,
}

/// A comment about to be created on GitHub, recorded before the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Creating {
    /// The body sent (trimmed).
    pub body: String,
    /// The newest GitHub comment id of the issue when it was sent: GitHub's ids only grow, so
    /// the comment created is newer.
    pub after: u64,
}

/// A linked issue whose comments this run may sync.
#[derive(Debug, Clone)]
pub struct Linked {
    pub id: String,
    pub number: u64,
    pub path: String,
    /// GitHub's comment count, when the listing showed the issue.
    pub listed_comments: Option<u64>,
}

/// What the comments phase did.
#[derive(Debug, Default)]
pub struct CommentsDone {
    pub remote_writes: usize,
    pub local_files: usize,
    pub notes: Vec<String>,
}

/// Syncs the comments of `linked` issues: `push` allows writes to GitHub, `pull` to the files.
pub fn sync_comments(
    linked: &[Linked],
    (pull, push): (bool, bool),
    github: &mut GitHub,
    workspace: &Workspace,
    state: &mut RemoteState,
    remote_key: &str,
) -> Result<CommentsDone, GitHubError> {
    let mut bases: HashMap<String, CommentsBase> = state
        .base_states(remote_key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(row, json)| {
            let id = row.strip_prefix(ROW_PREFIX)?.to_owned();
            Some((id, serde_json::from_str(&json).ok()?))
        })
        .collect();
    let mut done = CommentsDone::default();
    let mut rows = Vec::new();
    for issue in linked {
        let Ok(read) = workspace.read_file(&issue.path) else {
            continue;
        };
        let Some((local, document)) = local_comments(workspace.line(), &read, &issue.path) else {
            continue;
        };
        let base = bases.remove(&issue.id).unwrap_or_default();
        if !needs_sync(&local, &base, issue) {
            continue;
        }
        let remote = match github.list_comments(issue.number) {
            Ok(remote) => remote,
            Err(error) if error.is_per_issue() => {
                done.notes
                    .push(format!("{}: comments skipped: {error}", issue.id));
                continue;
            }
            Err(error) => return Err(error),
        };
        let row = format!("{ROW_PREFIX}{}", issue.id);
        let context = Context {
            issue,
            base: &base,
            adopted: adopt(&local, &remote, &base.creating),
            push,
        };
        let mut creating = base.creating.clone();
        let mut record_intent = |intent: Creating| {
            creating.push(intent);
            let recorded = CommentsBase {
                bodies: base.bodies.clone(),
                creating: creating.clone(),
            };
            let json = serde_json::to_string(&recorded).unwrap_or_default();
            state
                .set_base_states(remote_key, &[(row.clone(), json)])
                .is_ok()
        };
        let merged = merge(
            &context,
            &local,
            &remote,
            github,
            &mut done.notes,
            &mut done.remote_writes,
            &mut record_intent,
        )?;
        let slots = if pull { &merged.pulled } else { &merged.pushed };
        let unchanged = slots.len() == local.len()
            && slots
                .iter()
                .enumerate()
                .all(|(i, slot)| *slot == Slot::untouched(i));
        let mut in_file = local.clone();
        if !unchanged {
            match write_comments(workspace, &read, document.as_ref(), &local, slots) {
                Ok(()) => {
                    done.local_files += 1;
                    in_file = comments_after(&local, slots);
                }
                Err(message) => done
                    .notes
                    .push(format!("{}: comments not written: {message}", issue.id)),
            }
        }
        // An intent ends once the file holds the comment's id (or the comment is gone).
        creating.retain(|intent| {
            in_file
                .iter()
                .any(|c| c.id.is_none() && body(c) == intent.body)
        });
        let agreed = if pull {
            merged.agreed
        } else {
            merged.agreed_pushed
        };
        let json = serde_json::to_string(&CommentsBase {
            bodies: agreed,
            creating,
        })
        .unwrap_or_default();
        rows.push((row, json));
    }
    if !rows.is_empty() {
        let _ = state.set_base_states(remote_key, &rows);
    }
    Ok(done)
}

/// The GitHub comments earlier runs created for the file's comments without an id: for each
/// recorded intent, the oldest GitHub comment with its body, newer than the intent, that no
/// comment of the file holds. By index in `local`.
fn adopt<'a>(
    local: &[Comment],
    remote: &'a [GhComment],
    intents: &[Creating],
) -> HashMap<usize, &'a GhComment> {
    let held: Vec<String> = local.iter().filter_map(|c| c.id.clone()).collect();
    let mut taken: Vec<u64> = Vec::new();
    let mut adopted = HashMap::new();
    for intent in intents {
        let Some(index) = local.iter().enumerate().position(|(i, c)| {
            c.id.is_none() && body(c) == intent.body && !adopted.contains_key(&i)
        }) else {
            continue;
        };
        let found = remote.iter().find(|r| {
            r.id > intent.after
                && r.text() == intent.body
                && !taken.contains(&r.id)
                && !held.contains(&r.id.to_string())
        });
        if let Some(found) = found {
            taken.push(found.id);
            adopted.insert(index, found);
        }
    }
    adopted
}

/// Writes the comments `slots` describe into the file `read` came from, if it still holds it.
fn write_comments(
    workspace: &Workspace,
    read: &ReadFile,
    document: Option<&Document>,
    local: &[Comment],
    slots: &[Slot],
) -> Result<(), String> {
    let (path, read, blob) = (&read.path, &read.text, &read.blob);
    let text = match document {
        // A contract document is saved whole, as 0.3.1 saves it.
        Some(document) => match contract_comments::write(document, slots, &writer::now())? {
            Some(text) => text,
            None => return Ok(()),
        },
        None => {
            // The file's items must be the comments the parse saw, one for one.
            let items =
                comment_items(read).ok_or("the comments list cannot be split into comments")?;
            if items.len() != local.len() {
                return Err("the comments list holds entries that are not comments".into());
            }
            rewrite(read, slots).ok_or("the comments list cannot be edited in place")?
        }
    };
    let change = FileChange::Replace {
        path: path.to_owned(),
        text,
        read: blob.clone(),
    };
    workspace
        .write_all(std::slice::from_ref(&change))
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The comments of the file `read`, as the merge matches them by GitHub's comment id, and on
/// the contract line the document they are written back into; `None` when the file cannot be
/// read now (the issue step reported it).
fn local_comments(
    line: Line,
    read: &ReadFile,
    path: &str,
) -> Option<(Vec<Comment>, Option<Document>)> {
    match line {
        Line::Contract => {
            let (document, comments) = contract_comments::read(&read.text).ok()?;
            Some((comments, Some(document)))
        }
        Line::Legacy => {
            let Some(RoadmapFile::Issue(context)) = classify(path) else {
                return None;
            };
            let parsed = Issue::parse(read.text.as_bytes(), &context).ok()?;
            Some((parsed.frontmatter.comments.unwrap_or_default(), None))
        }
    }
}

/// The comments the file holds once `slots` are written (ids set by creates).
fn comments_after(local: &[Comment], slots: &[Slot]) -> Vec<Comment> {
    slots
        .iter()
        .filter_map(|slot| match slot {
            Slot::Kept { index, set } => {
                let mut comment = local.get(*index)?.clone();
                if let Some((_, id)) = set.iter().find(|(key, _)| *key == "id") {
                    comment.id = Some(id.clone());
                }
                Some(comment)
            }
            Slot::New(comment) => Some(comment.clone()),
        })
        .collect()
}

/// Whether the issue's comments may differ between the sides: a local comment new or edited
/// since the last sync, or GitHub listing the issue with comments (an edit on GitHub does not
/// change the count, so any listed issue with comments is read).
fn needs_sync(local: &[Comment], base: &CommentsBase, issue: &Linked) -> bool {
    let local_changed = local.iter().any(|c| match &c.id {
        None => true,
        Some(id) => base.bodies.get(id) != Some(&body(c)),
    });
    let remote_may_have = issue
        .listed_comments
        .is_some_and(|count| count > 0 || !base.bodies.is_empty());
    local_changed || remote_may_have || !base.creating.is_empty()
}

pub(super) fn body(comment: &Comment) -> String {
    comment
        .body
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned()
}
