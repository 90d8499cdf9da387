//! The three-way merge of one issue, field by field: changed on one side only → take it; on
//! both to the same value → fine; on both differently → a conflict, which `--prefer` settles or
//! leaves alone. Labels and assignees merge as sets, one by one, so they never conflict when a base
//! exists.

use super::mapping::Fields;
use serde::Serialize;
use serde_json::{Map, Value};

/// Which side wins a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Prefer {
    Local,
    Remote,
}

/// `--take local|remote ID[:FIELD]`: one issue's conflicts (or one field's) settled by a side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Take {
    pub side: Prefer,
    pub id: String,
    pub field: Option<String>,
}

impl Take {
    /// Reads `ID` or `ID:FIELD` for `side`.
    #[must_use]
    pub fn parse(side: Prefer, target: &str) -> Self {
        let (id, field) = match target.split_once(':') {
            Some((id, field)) => (id, Some(field.trim().to_owned())),
            None => (target, None),
        };
        Take {
            side,
            id: id.trim().to_owned(),
            field,
        }
    }

    /// Whether this settles `field` of issue `id`.
    #[must_use]
    pub fn covers(&self, id: &str, field: &str) -> bool {
        self.id == id && self.field.as_deref().is_none_or(|f| f == field)
    }
}

/// What the merge decided for one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Both sides hold the same value.
    Same,
    /// Only the local side changed: the remote takes the local value.
    TakeLocal,
    /// Only the remote side changed: the local side takes the remote value.
    TakeRemote,
    /// Both changed differently (or there is no base and they differ).
    Conflict,
}

/// Decides one field from its base, local and remote values.
#[must_use]
pub fn decide<T: PartialEq>(base: Option<&T>, local: &T, remote: &T) -> Outcome {
    if local == remote {
        Outcome::Same
    } else if base == Some(local) {
        Outcome::TakeRemote
    } else if base == Some(remote) {
        Outcome::TakeLocal
    } else {
        Outcome::Conflict
    }
}

/// Merges label sets: each label is decided on its own (present or not).
#[must_use]
pub fn merge_labels(base: &[String], local: &[String], remote: &[String]) -> Vec<String> {
    let mut all: Vec<&String> = base.iter().chain(local).chain(remote).collect();
    all.sort();
    all.dedup();
    all.into_iter()
        .filter(|label| {
            let (b, l, r) = (
                base.contains(label),
                local.contains(label),
                remote.contains(label),
            );
            if l == b { r } else { l }
        })
        .cloned()
        .collect()
}

/// A field both sides changed differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub field: String,
    /// The value both sides last agreed on (`null` without a baseline).
    pub base: Value,
    pub local: Value,
    pub remote: Value,
    /// The side that won, with `--prefer`; `None`: nothing changed for this field.
    pub resolved_to: Option<Prefer>,
}

/// The merge of one issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// What both sides should hold after the sync.
    pub result: Fields,
    /// Fields whose local value changes, and fields whose remote value changes.
    pub to_local: Vec<String>,
    pub to_remote: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

fn as_map(fields: &Fields) -> Map<String, Value> {
    match serde_json::to_value(fields) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Merges `local` and `remote` against `base` over the synced `fields`.
#[must_use]
pub fn merge(
    base: Option<&Fields>,
    local: &Fields,
    remote: &Fields,
    fields: &[String],
    prefer: Option<Prefer>,
) -> Merged {
    merge_with(base, local, remote, fields, &|_| prefer)
}

/// [`merge`], with the side that wins a conflict chosen per field (`--take ID:FIELD`).
#[must_use]
pub fn merge_with(
    base: Option<&Fields>,
    local: &Fields,
    remote: &Fields,
    fields: &[String],
    prefer: &dyn Fn(&str) -> Option<Prefer>,
) -> Merged {
    let base_map = base.map(as_map);
    let local_map = as_map(local);
    let remote_map = as_map(remote);
    let mut result = local_map.clone();
    let mut merged = Merged {
        result: local.clone(),
        to_local: Vec::new(),
        to_remote: Vec::new(),
        conflicts: Vec::new(),
    };
    for field in fields {
        let (l, r) = (&local_map[field.as_str()], &remote_map[field.as_str()]);
        let b = base_map.as_ref().map(|m| &m[field.as_str()]);
        let value = match (field.as_str(), b, decide(b, l, r)) {
            (_, _, Outcome::Same) => l.clone(),
            (_, _, Outcome::TakeLocal) => l.clone(),
            (_, _, Outcome::TakeRemote) => r.clone(),
            ("labels", Some(_), Outcome::Conflict) => {
                let list = |fields: &Fields| fields.labels.clone();
                let base_labels = base.map(list).unwrap_or_default();
                Value::from(merge_labels(&base_labels, &local.labels, &remote.labels))
            }
            ("assignee", Some(_), Outcome::Conflict) => {
                let list = |fields: &Fields| fields.assignee.clone();
                let base_logins = base.map(list).unwrap_or_default();
                Value::from(merge_labels(
                    &base_logins,
                    &local.assignee,
                    &remote.assignee,
                ))
            }
            ("body", Some(_), Outcome::Conflict)
                if base.is_some_and(|b| {
                    super::lines::merge3(&b.body, &local.body, &remote.body).is_some()
                }) =>
            {
                let base_body = base.map(|b| b.body.as_str()).unwrap_or_default();
                Value::from(
                    super::lines::merge3(base_body, &local.body, &remote.body)
                        .expect("checked in the guard"),
                )
            }
            (_, _, Outcome::Conflict) => {
                let prefer = prefer(field);
                merged.conflicts.push(Conflict {
                    field: field.clone(),
                    base: b.cloned().unwrap_or(Value::Null),
                    local: l.clone(),
                    remote: r.clone(),
                    resolved_to: prefer,
                });
                match prefer {
                    Some(Prefer::Local) => l.clone(),
                    Some(Prefer::Remote) => r.clone(),
                    // Unresolved: each side keeps its value.
                    None => continue,
                }
            }
        };
        if &value != l {
            merged.to_local.push(field.clone());
        }
        if &value != r {
            merged.to_remote.push(field.clone());
        }
        result.insert(field.clone(), value);
    }
    merged.result = serde_json::from_value(Value::Object(result)).unwrap_or_else(|_| local.clone());
    merged
}

/// The baseline to record once the merge is applied: the merged value where both sides now
/// agree, the old base where they do not (an unresolved conflict, or a one-way sync).
/// `None` when a field with no base is still disputed.
#[must_use]
pub fn next_base(
    base: Option<&Fields>,
    merged: &Merged,
    applied_local: bool,
    applied_remote: bool,
) -> Option<Fields> {
    let mut next = as_map(&merged.result);
    let unresolved = merged
        .conflicts
        .iter()
        .filter(|c| c.resolved_to.is_none())
        .map(|c| &c.field);
    let pending_local = merged.to_local.iter().filter(|_| !applied_local);
    let pending_remote = merged.to_remote.iter().filter(|_| !applied_remote);
    for field in unresolved.chain(pending_local).chain(pending_remote) {
        let old = as_map(base?).remove(field.as_str())?;
        next.insert(field.clone(), old);
    }
    serde_json::from_value(Value::Object(next)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, status: &str, labels: &[&str]) -> Fields {
        Fields {
            title: title.into(),
            body: "b".into(),
            status: status.into(),
            priority: "medium".into(),
            issue_type: "other".into(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            assignee: Vec::new(),
            milestone: None,
        }
    }

    fn all() -> Vec<String> {
        crate::remote::config::SYNCABLE_FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .collect()
    }

    #[test]
    fn one_sided_changes_are_taken_from_either_side() {
        let base = fields("A", "todo", &[]);
        let local = fields("B", "todo", &[]);
        let remote = fields("A", "closed", &[]);
        let merged = merge(Some(&base), &local, &remote, &all(), None);
        assert_eq!(merged.result, fields("B", "closed", &[]));
        assert_eq!(merged.to_local, ["status"]);
        assert_eq!(merged.to_remote, ["title"]);
        assert!(merged.conflicts.is_empty());
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let base = fields("A", "todo", &[]);
        let both = fields("B", "todo", &[]);
        let merged = merge(Some(&base), &both, &both, &all(), None);
        assert!(merged.to_local.is_empty() && merged.to_remote.is_empty());
        assert!(merged.conflicts.is_empty());
    }

    #[test]
    fn different_changes_conflict_and_change_neither_side_unless_preferred() {
        let base = fields("A", "todo", &[]);
        let local = fields("L", "todo", &[]);
        let remote = fields("R", "todo", &[]);
        let merged = merge(Some(&base), &local, &remote, &all(), None);
        assert_eq!(merged.conflicts.len(), 1);
        assert!(merged.to_local.is_empty() && merged.to_remote.is_empty());
        assert_eq!(
            next_base(Some(&base), &merged, true, true),
            Some(base.clone())
        );
        let preferred = merge(Some(&base), &local, &remote, &all(), Some(Prefer::Remote));
        assert_eq!(preferred.result.title, "R");
        assert_eq!(preferred.to_local, ["title"]);
        assert_eq!(
            next_base(Some(&base), &preferred, true, true)
                .unwrap()
                .title,
            "R"
        );
    }

    #[test]
    fn labels_merge_label_by_label() {
        let base = fields("A", "todo", &["a", "b"]);
        let local = fields("A", "todo", &["a", "b", "local"]);
        let remote = fields("A", "todo", &["b", "remote"]);
        let merged = merge(Some(&base), &local, &remote, &all(), None);
        assert_eq!(merged.result.labels, ["b", "local", "remote"]);
        assert!(merged.conflicts.is_empty());
    }

    #[test]
    fn without_a_base_any_difference_is_a_conflict() {
        let merged = merge(
            None,
            &fields("A", "todo", &[]),
            &fields("B", "todo", &[]),
            &all(),
            None,
        );
        assert_eq!(merged.conflicts.len(), 1);
        assert_eq!(next_base(None, &merged, true, true), None);
    }

    #[test]
    fn a_one_way_sync_keeps_the_old_base_for_what_it_did_not_apply() {
        let base = fields("A", "todo", &[]);
        let local = fields("B", "todo", &[]);
        let remote = fields("A", "closed", &[]);
        let merged = merge(Some(&base), &local, &remote, &all(), None);
        let pulled_only = next_base(Some(&base), &merged, true, false).unwrap();
        assert_eq!(
            (pulled_only.title.as_str(), pulled_only.status.as_str()),
            ("A", "closed")
        );
    }

    #[test]
    fn fields_not_synced_are_left_alone() {
        let base = fields("A", "todo", &[]);
        let local = fields("B", "todo", &[]);
        let merged = merge(Some(&base), &local, &base, &["status".to_owned()], None);
        assert!(merged.to_remote.is_empty());
    }
}
