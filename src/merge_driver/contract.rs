//! The keys of a 0.2-contract document (roadmap-cli 0.2 … 0.3.1) whose merge is the tracker's
//! own rule rather than a plain set or value: `history` (an append-only log) and `comments`
//! (integer ids each side numbered max+1), and the bytes every merged key is written in.
//!
//! Which files these rules apply to is decided per file, by a top-level `schema_version` key on
//! both ours and theirs (see [`is_contract`]), not by the workspace's line: git gives the
//! driver three temporary files and a path, and the one config it could read (the working
//! tree's `.roadmap/config.yaml`) may be either side's during a merge of a `roadmap migrate`,
//! or absent (`git merge-tree` runs drivers with no working tree). 0.3.1 writes
//! `schema_version` first in every document it saves and the legacy line never writes it, so
//! the file itself says which rules made it.
//!
//! A merged key is written as `yaml.safe_dump` writes it ([`crate::lines::contract::pyyaml`]),
//! one key at a time: PyYAML's emitter writes a top-level key's lines the same whatever keys
//! surround it (0.3.1's timestamps are strings, so no anchors tie two keys together). Keys the
//! merge takes from one side keep that side's bytes.

use super::fields::{Entry, Fields};
use crate::lines::contract::document::created_key;
use crate::lines::contract::pyyaml::dump_mapping;
use serde_yaml::{Mapping, Value};
use std::collections::HashMap;

/// Whether both sides are 0.2 documents: each has a top-level `schema_version` key. A base
/// without one (the file written by the legacy line, migrated on both sides) does not matter:
/// the rules below read the base only to tell edits from additions.
#[must_use]
pub fn is_contract(ours: &Fields, theirs: &Fields) -> bool {
    let has = |fields: &Fields| fields.entries.iter().any(|e| e.key == "schema_version");
    has(ours) && has(theirs)
}

/// `key: value` as `yaml.safe_dump` writes it, with its final line break.
#[must_use]
pub fn dump_key(key: &str, value: Value) -> String {
    let mut data = Mapping::new();
    data.insert(Value::String(key.to_owned()), value);
    format!("{}\n", dump_mapping(&data))
}

/// A key's merged lines (from the legacy rules, which keep items as written) written again as
/// PyYAML writes them; `None` when the lines are not one key.
#[must_use]
pub fn redump(text: &str) -> Option<String> {
    let data: Mapping = serde_yaml::from_str(text).ok()?;
    let (key, value) = data.into_iter().next()?;
    Some(dump_key(key.as_str()?, value))
}

fn items(entry: Option<&Entry>) -> Option<Vec<Value>> {
    match entry.map(|e| &e.value) {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Sequence(items)) => Some(items.clone()),
        Some(_) => None,
    }
}

/// The union of both sides' events, each once, in time order: ours' events in ours' order,
/// with each event only theirs holds inserted after every event not later than it. The base
/// is not read: the log is append-only, so an event one side lacks is one it never had, and
/// dropping it would lose what the other side did. `None` when an event has no `at`.
#[must_use]
pub fn merge_history(ours: &Entry, theirs: &Entry) -> Option<String> {
    let at = |event: &Value| event.get("at").and_then(Value::as_str).map(created_key);
    let mut merged = items(Some(ours))?;
    // Matched one for one, so an event twice on one side (the same second, say) stays twice.
    let mut unmatched: Vec<Value> = merged.clone();
    for event in items(Some(theirs))? {
        if let Some(found) = unmatched.iter().position(|o| *o == event) {
            unmatched.remove(found);
            continue;
        }
        let when = at(&event)?;
        let mut place = merged.len();
        for (i, existing) in merged.iter().enumerate() {
            if at(existing)? > when {
                place = i;
                break;
            }
        }
        merged.insert(place, event);
    }
    Some(dump_key(&ours.key, Value::Sequence(merged)))
}

/// A comment's integer id (`None` for anything else: such a list is not 0.3.1's).
fn comment_id(comment: &Value) -> Option<i64> {
    comment.get("id")?.as_i64()
}

/// Comments by id; `None` when one has no integer id or two share one (0.3.1 refuses both).
fn by_id(list: &[Value]) -> Option<HashMap<i64, Value>> {
    let map: HashMap<i64, Value> = list
        .iter()
        .map(|c| Some((comment_id(c)?, c.clone())))
        .collect::<Option<_>>()?;
    (map.len() == list.len()).then_some(map)
}

/// The comments of both sides by id. A comment the base holds merges three-way (one side's
/// edit or deletion wins; two different edits, or an edit against a deletion, conflict). A
/// comment only one side added is kept; the same id added on both sides with the same content
/// is kept once. When both sides added different comments under one id (each numbered its new
/// comment max+1), theirs' new comments are numbered again after ours' highest id, in theirs'
/// order, and their replies (`in_reply_to`) follow them. `None`: a conflict.
#[must_use]
pub fn merge_comments(base: Option<&Entry>, ours: &Entry, theirs: &Entry) -> Option<String> {
    let (ours_list, theirs_list) = (items(Some(ours))?, items(Some(theirs))?);
    let (base_ids, ours_ids) = (by_id(&items(base)?)?, by_id(&ours_list)?);
    let theirs_ids = by_id(&theirs_list)?;
    let mut merged = Vec::new();
    for comment in &ours_list {
        let id = comment_id(comment)?;
        let Some(before) = base_ids.get(&id) else {
            merged.push(comment.clone());
            continue;
        };
        match theirs_ids.get(&id) {
            Some(other) if other == comment || other == before => merged.push(comment.clone()),
            Some(other) if comment == before => merged.push(other.clone()),
            None if comment == before => {}
            _ => return None,
        }
    }
    // Base comments ours deleted: gone unless theirs edited them.
    for (id, comment) in &theirs_ids {
        if base_ids.get(id).is_some_and(|b| b != comment) && !ours_ids.contains_key(id) {
            return None;
        }
    }
    let added: Vec<&Value> = theirs_list
        .iter()
        .filter(|c| comment_id(c).is_some_and(|id| !base_ids.contains_key(&id)))
        .filter(|c| comment_id(c).and_then(|id| ours_ids.get(&id)) != Some(*c))
        .collect();
    let collides = added
        .iter()
        .any(|c| comment_id(c).is_some_and(|id| ours_ids.contains_key(&id)));
    let mut renumbered: HashMap<i64, i64> = HashMap::new();
    if collides {
        let first = ours_ids
            .keys()
            .chain(base_ids.keys())
            .max()
            .map_or(1, |m| m + 1);
        for (next, comment) in (first..).zip(&added) {
            renumbered.insert(comment_id(comment)?, next);
        }
    }
    for comment in added {
        let mut comment = comment.clone();
        if let Value::Mapping(map) = &mut comment {
            for key in ["id", "in_reply_to"] {
                let old = map.get(key).and_then(Value::as_i64);
                if let Some(new) = old.and_then(|old| renumbered.get(&old)) {
                    // `insert` on a key already there keeps its place: the field order stays.
                    map.insert(Value::String(key.to_owned()), Value::Number((*new).into()));
                }
            }
        }
        merged.push(comment);
    }
    Some(dump_key(&ours.key, Value::Sequence(merged)))
}

#[cfg(test)]
#[path = "contract_tests.rs"]
mod tests;
