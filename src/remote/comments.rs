//! Comments both ways, matched by GitHub's comment id (the tracker's `comments:` list keeps it
//! as `id`). Runs after the issues are applied, for the linked issues whose comments may have
//! changed: a local comment without an id is created on GitHub; one GitHub has that the file
//! lacks is added; a body changed on one side since the last sync reaches the other; both
//! changed is reported and left alone. A deletion on either side is not repeated on the other.
//! The comment bodies both sides agreed on are kept per issue in `remote.db`.

use super::github::{GhComment, GitHub, GitHubError};
use crate::cache::remote::RemoteState;
use crate::issue::render::{YamlValue, scalar, set_fields};
use crate::issue::{Comment, Issue, KNOWN_KEYS};
use crate::layout::{RoadmapFile, classify};
use crate::workspace::Workspace;
use crate::workspace::pending::blob_id;
use crate::workspace::write::FileChange;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The `sync_base_state` rows of comment baselines: `#comments:` then the local issue id.
pub const ROW_PREFIX: &str = "#comments:";

/// The comment bodies both sides agreed on for one issue, by GitHub comment id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommentsBase {
    pub bodies: BTreeMap<String, String>,
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
        let Some(RoadmapFile::Issue(context)) = classify(&issue.path) else {
            continue;
        };
        let Ok(parsed) = Issue::parse(read.text.as_bytes(), &context) else {
            continue;
        };
        let local = parsed.frontmatter.comments.clone().unwrap_or_default();
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
        let merged = merge(issue, &local, &remote, &base, push, github, &mut done)?;
        if pull && merged.comments != local {
            if let Some(text) = with_comments(&read.text, &merged.comments) {
                let change = FileChange::Replace {
                    path: issue.path.clone(),
                    text,
                    read: blob_id(read.text.as_bytes()),
                };
                match workspace.write_all(std::slice::from_ref(&change)) {
                    Ok(_) => done.local_files += 1,
                    Err(error) => {
                        done.notes
                            .push(format!("{}: comments not written: {error}", issue.id));
                        continue;
                    }
                }
            }
        }
        let agreed = if pull {
            merged.agreed
        } else {
            merged.agreed_remote
        };
        let json = serde_json::to_string(&CommentsBase { bodies: agreed }).unwrap_or_default();
        rows.push((format!("{ROW_PREFIX}{}", issue.id), json));
    }
    if !rows.is_empty() {
        let _ = state.set_base_states(remote_key, &rows);
    }
    Ok(done)
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
    local_changed || remote_may_have
}

fn body(comment: &Comment) -> String {
    comment
        .body
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

struct MergedComments {
    comments: Vec<Comment>,
    /// Bodies both sides hold after this run, by id.
    agreed: BTreeMap<String, String>,
    /// The same, when the files were not written (a push-only run): GitHub's side.
    agreed_remote: BTreeMap<String, String>,
}

/// The comments both sides should hold, with GitHub changed as it goes (creates and edits).
fn merge(
    issue: &Linked,
    local: &[Comment],
    remote: &[GhComment],
    base: &CommentsBase,
    push: bool,
    github: &mut GitHub,
    done: &mut CommentsDone,
) -> Result<MergedComments, GitHubError> {
    let issue_id = issue.id.as_str();
    let by_id: HashMap<String, &GhComment> = remote.iter().map(|c| (c.id.to_string(), c)).collect();
    let mut out = MergedComments {
        comments: Vec::new(),
        agreed: BTreeMap::new(),
        agreed_remote: BTreeMap::new(),
    };
    for comment in local {
        let Some(id) = comment.id.clone() else {
            if !push {
                out.comments.push(comment.clone());
                continue;
            }
            let created = github.create_comment(issue.number, &body(comment))?;
            done.remote_writes += 1;
            let issue_of = comment
                .issue_id
                .clone()
                .or_else(|| Some(issue_id.to_owned()));
            let mut written = from_github(&created, issue_of);
            written.body = comment.body.clone();
            out.agreed.insert(created.id.to_string(), body(comment));
            out.agreed_remote
                .insert(created.id.to_string(), body(comment));
            out.comments.push(written);
            continue;
        };
        let Some(theirs) = by_id.get(&id) else {
            // Gone on GitHub: dropped here too unless edited here since.
            if base.bodies.get(&id) != Some(&body(comment)) {
                done.notes.push(format!(
                    "{issue_id}: comment {id} was deleted on GitHub but edited here; kept"
                ));
                out.comments.push(comment.clone());
            }
            continue;
        };
        let (ours, their_body, agreed) = (body(comment), theirs.text(), base.bodies.get(&id));
        let mut kept = comment.clone();
        let body_now = if ours == their_body {
            ours
        } else if agreed == Some(&ours) {
            kept.body = Some(their_body.clone());
            kept.updated_at = Some(theirs.updated_at.clone());
            their_body
        } else if agreed == Some(&their_body) && push {
            github.update_comment(theirs.id, &ours)?;
            done.remote_writes += 1;
            ours
        } else {
            done.notes.push(format!(
                "{issue_id}: comment {id} changed on both sides; both kept as they are"
            ));
            out.comments.push(kept);
            continue;
        };
        out.agreed.insert(id.clone(), body_now.clone());
        out.agreed_remote.insert(id, body_now);
        out.comments.push(kept);
    }
    let known: Vec<String> = local.iter().filter_map(|c| c.id.clone()).collect();
    for theirs in remote {
        let id = theirs.id.to_string();
        // Deleted here since the last sync: not pulled back (nor deleted on GitHub).
        if known.contains(&id) || base.bodies.contains_key(&id) {
            continue;
        }
        out.agreed.insert(id.clone(), theirs.text());
        out.agreed_remote.insert(id, theirs.text());
        out.comments
            .push(from_github(theirs, Some(issue_id.to_owned())));
    }
    Ok(out)
}

/// A local comment for a GitHub comment.
fn from_github(comment: &GhComment, issue_id: Option<String>) -> Comment {
    Comment {
        id: Some(comment.id.to_string()),
        issue_id,
        author: comment.user.as_ref().map(|u| u.login.clone()),
        body: Some(comment.text()),
        created_at: Some(comment.created_at.clone()),
        updated_at: Some(comment.updated_at.clone()),
        github_url: comment.html_url.clone(),
        in_reply_to: None,
    }
}

/// The file `text` with its `comments:` list replaced by `comments`, in the tracker's layout.
fn with_comments(text: &str, comments: &[Comment]) -> Option<String> {
    let emptied = set_fields(
        text,
        &[("comments", YamlValue::List(Vec::new()))],
        KNOWN_KEYS,
    )?;
    if comments.is_empty() {
        return Some(emptied);
    }
    let mut block = String::from("comments:\n");
    let text_or_null =
        |value: &Option<String>| value.as_deref().map_or_else(|| "null".to_owned(), scalar);
    for comment in comments {
        let id = match comment.id.as_deref() {
            Some(id) if id.parse::<u64>().is_ok() => id.to_owned(),
            other => text_or_null(&other.map(str::to_owned)),
        };
        block.push_str(&format!("- author: {}\n", text_or_null(&comment.author)));
        block.push_str(&format!("  body: {}\n", text_or_null(&comment.body)));
        block.push_str(&format!(
            "  created_at: {}\n",
            text_or_null(&comment.created_at)
        ));
        block.push_str(&format!(
            "  github_url: {}\n",
            text_or_null(&comment.github_url)
        ));
        block.push_str(&format!("  id: {id}\n"));
        block.push_str(&format!(
            "  in_reply_to: {}\n",
            text_or_null(&comment.in_reply_to)
        ));
        block.push_str(&format!(
            "  issue_id: {}\n",
            text_or_null(&comment.issue_id)
        ));
        block.push_str(&format!(
            "  updated_at: {}\n",
            text_or_null(&comment.updated_at)
        ));
    }
    let at = emptied.find("\ncomments: []\n")?;
    Some(format!(
        "{}\n{block}{}",
        &emptied[..at],
        &emptied[at + "\ncomments: []\n".len()..]
    ))
}
