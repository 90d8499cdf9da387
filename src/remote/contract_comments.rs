//! The comments of a contract issue file (roadmap-cli 0.2+) as the comment sync sees them, and
//! written back as 0.3.1 writes them. A contract comment's `id` is the tracker's own integer
//! (1, 2, … per issue), so GitHub's comment id cannot live there; it lives in `github_url`,
//! the one key of a comment 0.3.1 keeps besides its own fields (its `documents.py` reads
//! `github_url` into `external_url` and writes it back; any other key of a comment is dropped
//! by its next save). GitHub's `html_url` for a comment ends `#issuecomment-<id>`, so the link
//! is the address a reader can open and the id the sync matches by.
//!
//! Written back, a comment pulled from GitHub gets the next free id, as 0.3.1's `comment add`
//! numbers them (the highest plus one), and, as `comment add` does, the issue's `updated`
//! moves to now with no history event. The whole document is saved in 0.3.1's bytes.

use super::comment_file::Slot;
use crate::issue::Comment;
use crate::lines::contract::document::{self, Document, python_str};
use crate::lines::contract::instant;
use serde_yaml::Value;

const FRAGMENT: &str = "#issuecomment-";

/// The document in `text` and its comments as the sync matches them: `id` is GitHub's comment
/// id (from `github_url`), `None` for a comment not on GitHub yet.
pub fn read(text: &str) -> Result<(Document, Vec<Comment>), String> {
    let document = Document::parse(text)?;
    let comments = document
        .comments
        .iter()
        .map(|c| {
            let url = c.external_url.as_str().map(str::to_owned);
            Comment {
                id: url.as_deref().and_then(github_id).map(|id| id.to_string()),
                issue_id: Some(document.id.clone()),
                author: Some(c.author.clone()),
                body: Some(c.body.clone()),
                created_at: Some(c.created_at.clone()),
                updated_at: Some(c.updated_at.clone()),
                github_url: url,
                in_reply_to: c.in_reply_to.map(|to| to.to_string()),
            }
        })
        .collect();
    Ok((document, comments))
}

/// GitHub's comment id in a comment's address.
fn github_id(url: &str) -> Option<u64> {
    url.rsplit_once(FRAGMENT)?.1.parse().ok()
}

/// The file's text once its comments are as `slots` say; `Ok(None)` when nothing changes.
pub fn write(document: &Document, slots: &[Slot], at: &str) -> Result<Option<String>, String> {
    let mut after = document.clone();
    after.comments.clear();
    let mut next = document.comments.iter().map(|c| c.id).max().unwrap_or(0);
    let mut content_changed = false;
    for slot in slots {
        match slot {
            Slot::Kept { index, set } => {
                let mut comment = document
                    .comments
                    .get(*index)
                    .ok_or("the comments list changed while the sync ran")?
                    .clone();
                for (key, value) in set {
                    let value: Value = serde_yaml::from_str(value).map_err(|e| e.to_string())?;
                    match *key {
                        "github_url" => comment.external_url = value,
                        "body" => {
                            comment.body = python_str(&value).trim().to_owned();
                            content_changed = true;
                        }
                        "updated_at" => comment.updated_at = timestamp(&python_str(&value))?,
                        // Its own id stays; author, times and issue are never missing here.
                        _ => {}
                    }
                }
                comment.updated_at = latest(&comment.created_at, comment.updated_at);
                after.comments.push(comment);
            }
            Slot::New(comment) => {
                let url = comment
                    .github_url
                    .clone()
                    .filter(|u| github_id(u).is_some());
                let url = url.ok_or("GitHub gave a comment no address (html_url)")?;
                let created_at = timestamp(comment.created_at.as_deref().unwrap_or(at))?;
                let updated_at = timestamp(comment.updated_at.as_deref().unwrap_or(at))?;
                next += 1;
                after.comments.push(document::Comment {
                    id: next,
                    author: comment.author.clone().unwrap_or_default().trim().to_owned(),
                    body: comment.body.clone().unwrap_or_default().trim().to_owned(),
                    updated_at: latest(&created_at, updated_at),
                    created_at,
                    in_reply_to: None,
                    external_url: Value::String(url),
                });
                content_changed = true;
            }
        }
    }
    if content_changed {
        after.updated = at.to_owned();
    }
    after.check()?;
    Ok((after != *document).then(|| after.render()))
}

/// A timestamp as 0.3.1 saves it (`Z` as `+00:00`).
fn timestamp(text: &str) -> Result<String, String> {
    instant::normalize(text).ok_or_else(|| format!("GitHub gave an unreadable time `{text}`"))
}

/// `updated_at`, never before `created_at`.
fn latest(created_at: &str, updated_at: String) -> String {
    if document::created_key(&updated_at) < document::created_key(created_at) {
        created_at.to_owned()
    } else {
        updated_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_github_id_is_read_from_the_comment_address() {
        assert_eq!(
            github_id("https://github.com/o/r/issues/3#issuecomment-9001"),
            Some(9001)
        );
        assert_eq!(github_id("https://github.com/o/r/issues/3"), None);
        assert_eq!(github_id("#issuecomment-x"), None);
    }
}
