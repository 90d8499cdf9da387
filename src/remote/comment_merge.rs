//! One issue's comments merged by GitHub's comment id, GitHub changed as it goes (creates and
//! edits), and what the file should hold after a run that pulls and after one that only pushes.

use super::comment_file::Slot;
use super::comments::{CommentsBase, Creating, Linked, body};
use super::github::{GhComment, GitHub, GitHubError};
use crate::issue::Comment;
use crate::issue::render::scalar;
use std::collections::{BTreeMap, HashMap};

/// The environment variable value of `ROADMAP_SYNC_TEST_CRASH` that makes a sync exit with 137
/// right after GitHub created a comment, before anything about it is written here.
pub const CRASH_AFTER_CREATE: &str = "after-comment-create";

pub(super) struct MergedComments {
    /// The file's comments after a run that pulls.
    pub(super) pulled: Vec<Slot>,
    /// After a run that only pushes: the file's comments, with the ids of those created.
    pub(super) pushed: Vec<Slot>,
    /// Bodies both sides hold after a run that pulls, by id.
    pub(super) agreed: BTreeMap<String, String>,
    /// The same after a run that only pushes: GitHub's changes stay to be pulled.
    pub(super) agreed_pushed: BTreeMap<String, String>,
}

/// What the merge needs besides the two sides.
pub(super) struct Context<'a> {
    pub(super) issue: &'a Linked,
    pub(super) base: &'a CommentsBase,
    /// GitHub comments an earlier run created for the file's comments without an id, by index.
    pub(super) adopted: HashMap<usize, &'a GhComment>,
    pub(super) push: bool,
}

/// Merges `local` with `remote`. A comment without an id is created on GitHub only after
/// `record_intent` has recorded that it is about to be (so a run that dies before the id is
/// written back finds it instead of creating it again); `false` from it skips the create.
pub(super) fn merge(
    context: &Context<'_>,
    local: &[Comment],
    remote: &[GhComment],
    github: &mut GitHub,
    notes: &mut Vec<String>,
    remote_writes: &mut usize,
    record_intent: &mut dyn FnMut(Creating) -> bool,
) -> Result<MergedComments, GitHubError> {
    let (issue_id, base) = (context.issue.id.as_str(), context.base);
    let by_id: HashMap<String, &GhComment> = remote.iter().map(|c| (c.id.to_string(), c)).collect();
    let mut out = MergedComments {
        pulled: Vec::new(),
        pushed: Vec::new(),
        agreed: BTreeMap::new(),
        agreed_pushed: BTreeMap::new(),
    };
    let newest_seen = remote.iter().map(|c| c.id).max().unwrap_or(0);
    for (index, comment) in local.iter().enumerate() {
        let Some(id) = comment.id.clone() else {
            let created = match context.adopted.get(&index) {
                Some(found) => (*found).clone(),
                None if !context.push => {
                    out.pulled.push(Slot::untouched(index));
                    out.pushed.push(Slot::untouched(index));
                    continue;
                }
                None => {
                    let intent = Creating {
                        body: body(comment),
                        after: newest_seen,
                    };
                    let created = if record_intent(intent) {
                        create(github, context.issue, &body(comment), notes)?
                    } else {
                        // Unrecorded, a create could not be found again after a failure.
                        notes.push(format!(
                            "{issue_id}: a comment was not created: remote.db could not record it first"
                        ));
                        None
                    };
                    let Some(created) = created else {
                        out.pulled.push(Slot::untouched(index));
                        out.pushed.push(Slot::untouched(index));
                        continue;
                    };
                    *remote_writes += 1;
                    created
                }
            };
            let set = created_keys(comment, &created, issue_id);
            for agreed in [&mut out.agreed, &mut out.agreed_pushed] {
                agreed.insert(created.id.to_string(), body(comment));
            }
            out.pulled.push(Slot::Kept {
                index,
                set: set.clone(),
            });
            out.pushed.push(Slot::Kept { index, set });
            continue;
        };
        let Some(theirs) = by_id.get(&id) else {
            // Gone on GitHub: dropped here too unless edited here since (or only pushing).
            out.pushed.push(Slot::untouched(index));
            if base.bodies.get(&id) != Some(&body(comment)) {
                notes.push(format!(
                    "{issue_id}: comment {id} was deleted on GitHub but edited here; kept"
                ));
                out.pulled.push(Slot::untouched(index));
            }
            continue;
        };
        let (ours, their_body, agreed) = (body(comment), theirs.text(), base.bodies.get(&id));
        out.pushed.push(Slot::untouched(index));
        if ours == their_body {
            out.pulled.push(Slot::untouched(index));
            out.agreed.insert(id.clone(), ours.clone());
            out.agreed_pushed.insert(id, ours);
        } else if agreed == Some(&ours) {
            out.pulled.push(Slot::Kept {
                index,
                set: vec![
                    ("body", scalar(&their_body)),
                    ("updated_at", scalar(&theirs.updated_at)),
                ],
            });
            out.agreed.insert(id.clone(), their_body);
            out.agreed_pushed.insert(id, ours);
        } else if agreed == Some(&their_body) && context.push {
            github.update_comment(theirs.id, &ours)?;
            *remote_writes += 1;
            out.pulled.push(Slot::untouched(index));
            out.agreed.insert(id.clone(), ours.clone());
            out.agreed_pushed.insert(id, ours);
        } else {
            notes.push(format!(
                "{issue_id}: comment {id} changed on both sides; both kept as they are"
            ));
            out.pulled.push(Slot::untouched(index));
        }
    }
    let known: Vec<String> = local
        .iter()
        .filter_map(|c| c.id.clone())
        .chain(context.adopted.values().map(|c| c.id.to_string()))
        .collect();
    for theirs in remote {
        let id = theirs.id.to_string();
        // Deleted here since the last sync: not pulled back (nor deleted on GitHub).
        if known.contains(&id) || base.bodies.contains_key(&id) {
            continue;
        }
        out.agreed.insert(id, theirs.text());
        out.pulled
            .push(Slot::New(from_github(theirs, Some(issue_id.to_owned()))));
    }
    Ok(out)
}

/// POSTs one comment. A failure that may have reached GitHub is not an error of the run: the
/// intent stays recorded and the next run looks for the comment before creating it again.
fn create(
    github: &mut GitHub,
    issue: &Linked,
    text: &str,
    notes: &mut Vec<String>,
) -> Result<Option<GhComment>, GitHubError> {
    match github.create_comment(issue.number, text) {
        Ok(created) => {
            if std::env::var(super::apply::CRASH_POINT_VAR).as_deref() == Ok(CRASH_AFTER_CREATE) {
                std::process::exit(137);
            }
            Ok(Some(created))
        }
        Err(error) if error.is_ambiguous() => {
            notes.push(format!(
                "{}: creating a comment failed ({error}), but GitHub may have created it: \
                 the next sync looks for it before creating it again",
                issue.id
            ));
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// The keys a comment created on GitHub gets in the file: its id and address always; its
/// author, times and issue only where the file has none, so what was written here stays.
fn created_keys(
    comment: &Comment,
    created: &GhComment,
    issue_id: &str,
) -> Vec<(&'static str, String)> {
    let mut set = vec![("id", created.id.to_string())];
    if let Some(url) = &created.html_url {
        set.push(("github_url", scalar(url)));
    }
    let missing = |value: &Option<String>| value.as_deref().is_none_or(str::is_empty);
    if missing(&comment.author) {
        if let Some(user) = &created.user {
            set.push(("author", scalar(&user.login)));
        }
    }
    if missing(&comment.created_at) {
        set.push(("created_at", scalar(&created.created_at)));
    }
    if missing(&comment.updated_at) {
        set.push(("updated_at", scalar(&created.updated_at)));
    }
    if missing(&comment.issue_id) {
        set.push(("issue_id", scalar(issue_id)));
    }
    set
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
