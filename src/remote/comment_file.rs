//! The `comments:` list of an issue file rewritten in place: a comment the sync leaves alone
//! keeps its lines byte for byte (unknown keys, key order, PyYAML's anchors, YAML comments); a
//! comment it changes has only the changed keys' lines replaced; a comment new to the file is
//! written in the tracker's layout at the list's indentation.

use crate::issue::render::{YamlValue, scalar, set_fields};
use crate::issue::{Comment, KNOWN_KEYS, split};
use crate::merge_driver::{Fields, item_texts};

/// One comment of the file after a sync.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// The file's comment at `index`, with these keys set to these YAML values (none: as it is).
    Kept {
        index: usize,
        set: Vec<(&'static str, String)>,
    },
    /// A comment the file lacks.
    New(Comment),
}

impl Slot {
    /// The file's comment at `index`, as it is.
    #[must_use]
    pub fn untouched(index: usize) -> Self {
        Slot::Kept {
            index,
            set: Vec::new(),
        }
    }
}

/// The lines of each comment of the file, as written; `None` when the list cannot be split into
/// comments (flow style with mappings, an alias to an anchor of another key, not YAML).
#[must_use]
pub fn comment_items(text: &str) -> Option<Vec<String>> {
    let lf = text.replace("\r\n", "\n");
    let (yaml, _) = split(&lf)?;
    let fields = Fields::parse(&format!("{yaml}\n"))?;
    match fields.entries.iter().find(|e| e.key == "comments") {
        Some(entry) => item_texts(entry),
        None => Some(Vec::new()),
    }
}

/// The file `text` with its comments as `slots` say; `None` when it cannot be done in place
/// (then the caller writes nothing).
#[must_use]
pub fn rewrite(text: &str, slots: &[Slot]) -> Option<String> {
    let crlf = text.contains("\r\n");
    let lf = text.replace("\r\n", "\n");
    let items = comment_items(&lf)?;
    let indent = items
        .first()
        .map_or(0, |item| item.len() - item.trim_start_matches(' ').len());
    let mut block = String::new();
    for slot in slots {
        match slot {
            Slot::Kept { index, set } if set.is_empty() => block.push_str(items.get(*index)?),
            Slot::Kept { index, set } => block.push_str(&edit_item(items.get(*index)?, set)?),
            Slot::New(comment) => {
                for line in new_item(comment).split_inclusive('\n') {
                    block.push_str(&" ".repeat(indent));
                    block.push_str(line);
                }
            }
        }
    }
    let emptied = set_fields(
        &lf,
        &[("comments", YamlValue::List(Vec::new()))],
        KNOWN_KEYS,
    )?;
    let written = if block.is_empty() {
        emptied
    } else {
        let at = emptied.find("\ncomments: []\n")?;
        let rest = &emptied[at + "\ncomments: []\n".len()..];
        format!("{}\ncomments:\n{block}{rest}", &emptied[..at])
    };
    Some(if crlf {
        written.replace('\n', "\r\n")
    } else {
        written
    })
}

/// The comment `item` (its lines, starting `- `) with each key of `set` given its value: the
/// key's lines replaced, or a line added at the end. `None` unless the result reads back as a
/// comment holding those values (a replaced value that defined an anchor, say).
fn edit_item(item: &str, set: &[(&'static str, String)]) -> Option<String> {
    let dash = item.len() - item.trim_start_matches(' ').len();
    let column = dash + 2;
    let mut lines: Vec<String> = item.split_inclusive('\n').map(str::to_owned).collect();
    for (key, value) in set {
        let at = lines
            .iter()
            .position(|line| key_at(line, column) == Some(key));
        let Some(start) = at else {
            lines.push(format!("{}{key}: {value}\n", " ".repeat(column)));
            continue;
        };
        let end = (start + 1..lines.len())
            .find(|&i| !belongs_to_key_above(&lines[i], column))
            .unwrap_or(lines.len());
        let prefix = lines[start][..column].to_owned();
        lines.splice(start..end, [format!("{prefix}{key}: {value}\n")]);
    }
    let edited = lines.concat();
    let read: Vec<serde_yaml::Value> = serde_yaml::from_str(&edited).ok()?;
    let [comment] = read.as_slice() else {
        return None;
    };
    for (key, value) in set {
        let wanted: serde_yaml::Value = serde_yaml::from_str(value).ok()?;
        if comment.get(*key) != Some(&wanted) {
            return None;
        }
    }
    Some(edited)
}

/// The key a line of a comment item starts at `column` (after `- ` on the item's first line).
fn key_at(line: &str, column: usize) -> Option<&str> {
    let head = line.get(..column)?;
    if !(head.trim_start().is_empty() || head.trim_start() == "- ") {
        return None;
    }
    let rest = &line[column..];
    if rest.starts_with([' ', '#', '-', '\n']) {
        return None;
    }
    let (key, after) = rest.split_once(':')?;
    after
        .starts_with([' ', '\n', '\r'])
        .then_some(key.trim_matches(|c| c == '\'' || c == '"'))
}

/// Whether `line` continues the value of the key above it: deeper, or a `- ` list item at the
/// key's own column (YAML allows a list there), or blank.
fn belongs_to_key_above(line: &str, column: usize) -> bool {
    let depth = line.len() - line.trim_start_matches(' ').len();
    line.trim().is_empty() || depth > column || (depth == column && line[depth..].starts_with('-'))
}

/// A comment the file lacks, in the layout the sync has always written.
fn new_item(comment: &Comment) -> String {
    let text = |value: &Option<String>| value.as_deref().map_or_else(|| "null".to_owned(), scalar);
    let id = match comment.id.as_deref() {
        Some(id) if id.parse::<u64>().is_ok() => id.to_owned(),
        other => text(&other.map(str::to_owned)),
    };
    format!(
        "- author: {}\n  body: {}\n  created_at: {}\n  github_url: {}\n  id: {id}\n  \
         in_reply_to: {}\n  issue_id: {}\n  updated_at: {}\n",
        text(&comment.author),
        text(&comment.body),
        text(&comment.created_at),
        text(&comment.github_url),
        text(&comment.in_reply_to),
        text(&comment.issue_id),
        text(&comment.updated_at),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "---\nid: a1\ntitle: T\ncomments:\n- id: 7\n  author: bob\n  body: Old.\n  \
                        created_at: &id001 2025-01-01 00:00:00+00:00\n  updated_at: *id001\n  \
                        reactions:\n  - heart\n  x_note: keep # why\n- author: alice\n  body: Mine.\n\
                        status: todo\n---\n\nBody\n";

    #[test]
    fn untouched_comments_keep_their_bytes_and_edits_touch_only_their_keys() {
        let slots = [
            Slot::Kept {
                index: 0,
                set: vec![("body", scalar("New.")), ("updated_at", scalar("2026"))],
            },
            Slot::Kept {
                index: 1,
                set: vec![("id", "9001".into())],
            },
        ];
        let written = rewrite(FILE, &slots).unwrap();
        assert_eq!(
            written,
            FILE.replace("  body: Old.\n", "  body: New.\n")
                .replace("  updated_at: *id001\n", "  updated_at: '2026'\n")
                .replace("  body: Mine.\n", "  body: Mine.\n  id: 9001\n")
        );
        let untouched = [Slot::untouched(0), Slot::untouched(1)];
        assert_eq!(rewrite(FILE, &untouched).unwrap(), FILE);
    }

    #[test]
    fn an_edit_that_would_break_an_anchor_is_refused() {
        let set = vec![("created_at", scalar("now"))];
        assert_eq!(rewrite(FILE, &[Slot::Kept { index: 0, set }]), None);
    }
}
