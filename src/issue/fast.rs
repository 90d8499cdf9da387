//! A fast reader for frontmatter in the exact shape PyYAML writes for the tracker: one
//! `key: value` per line, block lists of plain items, `[]`, `{}`, `null`, plain and
//! single-quoted scalars; keys it does not know (the 0.2 contract's `schema_version`,
//! `retention`, `history`) as [`super::fast_map`] reads them. serde_yaml spends ~20 µs on a
//! 28-key frontmatter; this takes about a tenth of that. Anything outside that shape (nested
//! maps, double quotes, folded lines, anchors, comments) returns `None` and the caller uses
//! serde_yaml, so the result is always what serde_yaml would give; a test holds the two
//! readers to that.

use super::frontmatter::{Flag, Frontmatter, Number};
use std::borrow::Cow;

// One bit per known key in `read`'s record of the keys it has seen.
const _: () = assert!(super::KNOWN_KEYS.len() <= 64);

/// Reads `yaml` if it is in the simple shape; `None` means "ask serde_yaml".
pub(super) fn read(yaml: &str) -> Option<Frontmatter> {
    let mut fm = Frontmatter::default();
    let mut lines = yaml.lines().peekable();
    // Whether the text holds no `\r` or `\t` (the mapping reader's shape), worked out at the
    // first key that needs it.
    let mut plain_seen = None;
    let plain_text = |seen: &mut Option<bool>| {
        *seen.get_or_insert_with(|| super::fast_map::in_block_shape(yaml))
    };
    let mut seen: u64 = 0;
    while let Some(line) = lines.next() {
        let (key, rest) = line.split_once(':')?;
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return None;
        }
        // A repeated key is serde_yaml's to refuse: known keys are told apart by one bit each.
        let known = super::frontmatter::known_index(key);
        match known {
            Some(index) if seen & (1 << index) != 0 => return None,
            Some(index) => {
                seen |= 1 << index;
                fm.keys_in_file
                    .push(Cow::Borrowed(super::KNOWN_KEYS[index]));
            }
            None if fm.unknown.iter().any(|(k, _)| k == key) => return None,
            None => fm.keys_in_file.push(Cow::Owned(key.to_owned())),
        }
        if known.is_none() {
            // The 0.2 contract's own keys (`schema_version`, `retention`, `history`) and any
            // other: kept as serde_yaml reads them, which the mapping reader does in this shape.
            if !plain_text(&mut plain_seen) {
                return None;
            }
            let (_, rest) = super::fast_map::key_and_rest(line)?;
            let value = super::fast_map::value_after(rest, &mut lines)?;
            fm.unknown.push((key.to_owned(), value));
            continue;
        }
        if key == "comments" && rest.is_empty() && lines.peek().is_some_and(|l| l.starts_with("- "))
        {
            // 0.2 documents keep their comments here, a block list of flat maps: read as the
            // mapping reader reads it, ids as their text, as `lenient` does for that reader.
            if !plain_text(&mut plain_seen) {
                return None;
            }
            let mut comments = super::fast_map::value_after(None, &mut lines)?;
            super::lenient::comment_list_ids_as_text(&mut comments);
            fm.comments = Some(serde::Deserialize::deserialize(comments).ok()?);
            continue;
        }
        let value = match rest.strip_prefix(' ') {
            // `'4'` is a string that serde_yaml reads as a number, not an int: its reading.
            Some(value)
                if value.starts_with('\'')
                    && matches!(key, "estimated_hours" | "progress_percentage") =>
            {
                return None;
            }
            Some(value) => Value::parse(value)?,
            None if rest.is_empty() => {
                // `key:` then `- item` lines: a block list; nothing after it: null.
                let mut items = Vec::new();
                while let Some(item) = lines.peek().and_then(|l| l.strip_prefix("- ")) {
                    items.push(scalar(item)?);
                    lines.next();
                }
                if items.is_empty() {
                    Value::Null
                } else {
                    Value::List(items)
                }
            }
            None => return None,
        };
        assign(&mut fm, key, value)?;
    }
    Some(fm)
}

enum Value {
    Null,
    Text(String),
    List(Vec<String>),
    EmptyMap,
}

impl Value {
    fn parse(text: &str) -> Option<Value> {
        Some(match text {
            "null" | "Null" | "NULL" | "~" | "" => Value::Null,
            "[]" => Value::List(Vec::new()),
            "{}" => Value::EmptyMap,
            _ => Value::Text(scalar(text)?),
        })
    }
}

/// A plain or single-quoted scalar on one line; `None` for anything YAML could read otherwise.
fn scalar(text: &str) -> Option<String> {
    if text.starts_with('\'') {
        return super::fast_map::single_quoted(text);
    }
    let plain = text.trim_end_matches(' ');
    let first = plain.bytes().next()?;
    let indicator = b"-?:,[]{}#&*!|>'\"%@`".contains(&first) || first.is_ascii_whitespace();
    if indicator
        || super::fast_map::ends_or_comments(plain)
        || plain.ends_with(':')
        // A tab, or a character YAML takes for a line break (a CRLF file's last line keeps
        // its `\r`), is left to serde_yaml.
        || plain.contains(['\t', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
    {
        return None;
    }
    if matches!(plain, "null" | "Null" | "NULL" | "~") {
        return None;
    }
    Some(plain.to_owned())
}

fn text(value: Value) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::Text(text) => Some(Some(text)),
        Value::List(_) | Value::EmptyMap => None,
    }
}

fn list(value: Value) -> Option<Option<Vec<String>>> {
    match value {
        Value::Null => Some(None),
        Value::List(items) => Some(Some(items)),
        Value::Text(_) | Value::EmptyMap => None,
    }
}

fn number(value: Value) -> Option<Option<Number>> {
    match value {
        Value::Null => Some(None),
        Value::Text(text) => {
            let digits = text.strip_prefix('-').unwrap_or(&text);
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
            let decimal = !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && !fraction.is_empty()
                && fraction.bytes().all(|b| b.is_ascii_digit());
            // `007` is text to serde_yaml (YAML 1.2), which the number field reads as a float.
            if decimal && !super::fast_map::digits_but_not_number(&text) {
                let integer = !digits.contains('.');
                text.parse()
                    .ok()
                    .map(|value| Some(Number { value, integer }))
            } else {
                None
            }
        }
        Value::List(_) | Value::EmptyMap => None,
    }
}

fn flag(value: Value) -> Option<Option<Flag>> {
    match value {
        Value::Null => Some(None),
        Value::Text(text) if text == "true" => Some(Some(Flag(true))),
        Value::Text(text) if text == "false" => Some(Some(Flag(false))),
        _ => None,
    }
}

/// Free-form fields (`remote_ids`, `git_commits`, `sync_metadata`) only in their empty forms.
fn any(value: Value) -> Option<Option<serde_yaml::Value>> {
    match value {
        Value::Null => Some(None),
        Value::List(items) if items.is_empty() => {
            Some(Some(serde_yaml::Value::Sequence(Vec::new())))
        }
        Value::EmptyMap => Some(Some(serde_yaml::Value::Mapping(serde_yaml::Mapping::new()))),
        _ => None,
    }
}

fn assign(fm: &mut Frontmatter, key: &str, value: Value) -> Option<()> {
    match key {
        "id" => fm.id = text(value)?,
        "title" => fm.title = text(value)?,
        "headline" => fm.headline = text(value)?,
        "priority" => fm.priority = text(value)?,
        "status" => fm.status = text(value)?,
        "archived" => fm.archived = flag(value)?,
        "issue_type" => fm.issue_type = text(value)?,
        "milestone" => fm.milestone = text(value)?,
        "labels" => fm.labels = list(value)?,
        "remote_ids" => fm.remote_ids = any(value)?,
        "created" => fm.created = text(value)?,
        "updated" => fm.updated = text(value)?,
        "assignee" => fm.assignee = text(value)?,
        "estimated_hours" => fm.estimated_hours = number(value)?,
        "due_date" => fm.due_date = text(value)?,
        "depends_on" => fm.depends_on = list(value)?,
        "blocks" => fm.blocks = list(value)?,
        "actual_start_date" => fm.actual_start_date = text(value)?,
        "actual_end_date" => fm.actual_end_date = text(value)?,
        "progress_percentage" => fm.progress_percentage = number(value)?,
        "handoff_notes" => fm.handoff_notes = text(value)?,
        "previous_assignee" => fm.previous_assignee = text(value)?,
        "handoff_date" => fm.handoff_date = text(value)?,
        "git_branches" => fm.git_branches = list(value)?,
        "git_commits" => fm.git_commits = any(value)?,
        "completed_date" => fm.completed_date = text(value)?,
        "comments" => match value {
            Value::Null => fm.comments = None,
            Value::List(items) if items.is_empty() => fm.comments = Some(Vec::new()),
            _ => return None,
        },
        "github_issue" => fm.github_issue = text(value)?,
        "sync_metadata" => fm.sync_metadata = any(value)?,
        "description" => fm.description = text(value)?,
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::issue::Frontmatter;

    /// Every input the fast reader accepts must read exactly as serde_yaml reads it.
    fn agrees(yaml: &str) -> bool {
        let Some(fast) = read(yaml) else { return false };
        let slow: Frontmatter =
            serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert_eq!(fast, slow, "\n{yaml}");
        true
    }

    #[test]
    fn the_generated_corpus_takes_the_fast_path_and_agrees() {
        for index in 0..2000 {
            let issue = crate::corpus::issue(3, index);
            let (yaml, _) = crate::issue::split(&issue.text).unwrap();
            // Titles with `:` or non-ASCII are written quoted by PyYAML and go the slow way.
            if !issue.text.contains("title: \"") {
                assert!(agrees(yaml), "{yaml}");
            }
        }
    }

    #[test]
    fn contract_documents_take_the_fast_path_and_agree() {
        let mut fast = 0;
        for index in 0..500 {
            let issue = crate::corpus::generated(crate::corpus::Layout::Contract, 5, index);
            let (yaml, _) = crate::issue::split(&issue.text).unwrap();
            fast += usize::from(agrees(yaml));
        }
        // Titles with `:` or non-ASCII are double-quoted by PyYAML and go the slow way.
        assert!(fast > 400, "{fast} of 500");
        // Every document committed from the real trackers (both lines) agrees when read fast.
        let mut read_fast = 0;
        for (_, text) in crate::issue::fixture_documents() {
            let Some((yaml, _)) = crate::issue::split(&text) else {
                continue;
            };
            if text.contains("schema_version") && serde_yaml::from_str::<Frontmatter>(yaml).is_ok()
            {
                read_fast += usize::from(agrees(yaml));
            }
        }
        assert!(read_fast > 20, "{read_fast}");
    }

    #[test]
    fn unknown_keys_outside_the_block_shape_fall_back() {
        for yaml in [
            "id: a\nx_key:\n  nested: 1",
            "id: a\nx_key: \"double\"",
            "id: a\r\nx_key: 1",
            "id: a\nx_key: 1\nx_key: 2",
            "id: a\n1key: 1",
            "id: a\nx_key:\n- a: 1\n   b: 2",
        ] {
            assert!(read(yaml).is_none(), "{yaml:?}");
        }
    }

    #[test]
    fn tricky_scalars_agree_or_fall_back() {
        let cases = [
            "id: 4e619042\ntitle: 1.10\nmilestone: 007",
            "title: 'It''s done'\nlabels:\n- 'yes'\n- no\n- 1e5",
            "title: true\nstatus: null\nassignee: ~\nheadline:",
            "estimated_hours: 4.0\nprogress_percentage: 40\narchived: false",
            "estimated_hours: .5",
            "estimated_hours: 4\nprogress_percentage: 40.0",
            "estimated_hours: '4'\nprogress_percentage: '40.5'",
            "estimated_hours: 0x1F",
            "estimated_hours: 007",
            "progress_percentage: -007.5",
            "title: Fix: login",
            "title: a #comment",
            "title: ends in a no-break space\u{a0}",
            "title: trailing spaces   ",
            "title: a\r\nstatus: null\r",
            "title: a line\u{2028}separator",
            "title: next line\u{85}",
            "title: \"double\"",
            "title: 'unclosed",
            "title: 'a' b'",
            "labels: [a, b]",
            "remote_ids:\n  github: 42",
            "x_unknown: 1",
            "title: a\ntitle: b",
            "title: -dash",
            "title: - dash",
            "title: [x",
            "title: &anchor a",
            "title: |\n  block",
            "title:  two spaces",
            "comments: []\nremote_ids: {}\ngit_commits: []",
            "archived: yes",
        ];
        let mut fast = 0;
        for yaml in cases {
            if agrees(yaml) {
                fast += 1;
            }
        }
        // The cases the fast path must take (the others must fall back, never disagree).
        assert_eq!(fast, 9);
    }
}
