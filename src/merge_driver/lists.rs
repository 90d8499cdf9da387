//! Lists merged item by item: labels and the other sets by value, comments by their `id`.
//!
//! An item either side added is kept, an item either side removed (and the other left alone)
//! is dropped, an item both changed differently makes the whole key a conflict. Items keep
//! their lines as written; PyYAML's anchors (`&id001` in a comment's timestamps) are renamed
//! where two sides' new items would define the same one, since PyYAML refuses a repeated anchor.

use super::fields::Entry;
use crate::issue::render::scalar;
use serde_yaml::Value;
use std::collections::HashSet;

/// One list item: its lines and its value.
#[derive(Debug, Clone)]
struct Item {
    text: String,
    value: Value,
}

/// The identity of a comment: its `id`, or the whole comment when it has none.
#[must_use]
pub fn comment_identity(value: &Value) -> Value {
    value.get("id").cloned().unwrap_or_else(|| value.clone())
}

/// Merges the list under `key`, items matched by `identity`. Returns the key's merged lines,
/// or `None` when the sides disagree about one item or a list cannot be split into items.
pub fn merge_list(
    key: &str,
    base: Option<&Entry>,
    ours: &Entry,
    theirs: &Entry,
    identity: fn(&Value) -> Value,
) -> Option<String> {
    let base = match base {
        Some(entry) => items(entry)?,
        None => Vec::new(),
    };
    let (ours_items, theirs_items) = (items(ours)?, items(theirs)?);
    let find = |list: &[Item], id: &Value| list.iter().find(|i| identity(&i.value) == *id).cloned();
    let mut merged = Vec::new();
    for item in &ours_items {
        let id = identity(&item.value);
        match (find(&base, &id), find(&theirs_items, &id)) {
            (None, None) => merged.push(item.clone()),
            (Some(b), None) if b.value == item.value => {}
            (Some(_), None) => return None,
            (b, Some(t)) => {
                let b = b.map(|b| b.value);
                if t.value == item.value || b.as_ref() == Some(&t.value) {
                    merged.push(item.clone());
                } else if b.as_ref() == Some(&item.value) {
                    merged.push(t);
                } else {
                    return None;
                }
            }
        }
    }
    for item in &theirs_items {
        let id = identity(&item.value);
        if find(&ours_items, &id).is_some() {
            continue;
        }
        match find(&base, &id) {
            None => merged.push(item.clone()),
            Some(b) if b.value == item.value => {}
            Some(_) => return None,
        }
    }
    let texts = unique_anchors(merged.into_iter().map(|i| i.text).collect());
    if texts.is_empty() {
        return Some(format!("{key}: []\n"));
    }
    let head = match ours.text.split_once('\n') {
        Some((line, _)) if line.trim_end().ends_with(':') => line.to_owned(),
        _ => format!("{key}:"),
    };
    Some(format!("{head}\n{}", texts.concat()))
}

/// Splits a list key's lines into items. A flow list (`[a, b]`) of text becomes block items.
fn items(entry: &Entry) -> Option<Vec<Item>> {
    let values = match &entry.value {
        Value::Sequence(values) => values.clone(),
        Value::Null => Vec::new(),
        _ => return None,
    };
    let (first, rest) = entry.text.split_once('\n')?;
    let is_block = first.trim_end().ends_with(':') && !rest.trim().is_empty();
    let texts: Vec<String> = if is_block {
        block_items(rest)?
    } else {
        values
            .iter()
            .map(|v| v.as_str().map(|s| format!("- {}\n", scalar(s))))
            .collect::<Option<_>>()?
    };
    if texts.len() != values.len() {
        return None;
    }
    texts
        .into_iter()
        .zip(values)
        .map(|(text, value)| {
            let alone: Vec<Value> = serde_yaml::from_str(&text).ok()?;
            (alone.len() == 1 && alone[0] == value).then_some(Item { text, value })
        })
        .collect()
}

/// The items of a block list: each starts at a `- ` line at the first item's indentation.
fn block_items(lines: &str) -> Option<Vec<String>> {
    let mut items: Vec<String> = Vec::new();
    let mut indent = None;
    for line in lines.split_inclusive('\n') {
        let depth = line.len() - line.trim_start_matches(' ').len();
        let starts_item = line[depth..].starts_with('-')
            && line[depth + 1..].starts_with([' ', '\n', '\r'])
            && *indent.get_or_insert(depth) == depth;
        match items.last_mut() {
            _ if starts_item => items.push(line.to_owned()),
            Some(item) => item.push_str(line),
            // A comment or blank line before the first item has no item to go with.
            None => return None,
        }
    }
    Some(items)
}

/// Renames anchors an item defines when an earlier item already defined the same name.
fn unique_anchors(texts: Vec<String>) -> Vec<String> {
    let mut used: HashSet<String> = texts.iter().flat_map(|t| anchors(t)).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut next = 1;
    texts
        .into_iter()
        .map(|mut text| {
            for name in anchors(&text) {
                if seen.insert(name.clone()) {
                    continue;
                }
                let fresh = loop {
                    let candidate = format!("id{next:03}");
                    next += 1;
                    if !used.contains(&candidate) {
                        break candidate;
                    }
                };
                text = rename_anchor(&text, &name, &fresh);
                used.insert(fresh.clone());
                seen.insert(fresh);
            }
            text
        })
        .collect()
}

/// Anchors defined in `text` the way PyYAML writes them: a value starting `&name `.
fn anchors(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let (_, value) = line.split_once(": &")?;
            let name: String = value
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn rename_anchor(text: &str, from: &str, to: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let mut line = line.to_owned();
            for sigil in ['&', '*'] {
                let old = format!(": {sigil}{from}");
                if let Some(at) = line.find(&old) {
                    let end = at + old.len();
                    let boundary = line[end..]
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
                    if boundary {
                        line.replace_range(at..end, &format!(": {sigil}{to}"));
                    }
                }
            }
            line
        })
        .collect()
}
