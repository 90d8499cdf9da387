//! Lists merged item by item: labels and the other sets by value, comments by their `id`.
//!
//! An item either side added is kept, an item either side removed (and the other left alone)
//! is dropped, an item both changed differently makes the whole key a conflict. The items of
//! one identity are compared as a group, so a copy only one side holds is never dropped
//! unseen. Items keep their lines as written; PyYAML's anchors (`&id001` in a comment's timestamps) are renamed
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

/// The identity of a comment: its `id` as text, or the whole comment when it has none (`id:
/// null` is none: comments not yet sent to GitHub are told apart by what they say).
#[must_use]
pub fn comment_identity(value: &Value) -> Value {
    match value.get("id") {
        Some(Value::String(id)) => Value::String(id.clone()),
        Some(Value::Number(id)) => Value::String(id.to_string()),
        Some(Value::Null) | None => value.clone(),
        Some(other) => other.clone(),
    }
}

/// Merges the list under `key`, items matched by `identity`. Returns the key's merged lines,
/// or `None` when the sides disagree about one identity or a list cannot be split into items.
///
/// All the items of one identity are decided together, as one value: a side that holds an
/// identity twice (a comment written again with another body) is compared as a whole with the
/// other side, so no copy is dropped without being compared.
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
    let group = |list: &[Item], id: &Value| -> Vec<Item> {
        list.iter()
            .filter(|i| identity(&i.value) == *id)
            .cloned()
            .collect()
    };
    let values = |items: &[Item]| items.iter().map(|i| i.value.clone()).collect::<Vec<_>>();
    let mut decided: Vec<Value> = Vec::new();
    let mut merged = Vec::new();
    // Ours' order first, then what only theirs holds, in theirs' order.
    for item in ours_items.iter().chain(&theirs_items) {
        let id = identity(&item.value);
        if decided.contains(&id) {
            continue;
        }
        decided.push(id.clone());
        let [b, o, t] = [&base, &ours_items, &theirs_items].map(|list| group(list, &id));
        let [bv, ov, tv] = [&b, &o, &t].map(|g| values(g));
        if ov == tv || bv == tv {
            merged.extend(o);
        } else if bv == ov {
            merged.extend(t);
        } else {
            return None;
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

/// The lines of each item of the list under a key, as written; `None` when the list cannot be
/// split into items that each read alone as the value they hold in the list.
#[must_use]
pub fn item_texts(entry: &Entry) -> Option<Vec<String>> {
    Some(items(entry)?.into_iter().map(|item| item.text).collect())
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
