//! The frontmatter half of the merge: each side's top-level keys as spans of lines, merged key
//! by key, so a merged file differs from ours only in the lines of keys that changed.
//!
//! A span is a key's own line plus every line under it (block-list items, indented mappings,
//! comment and blank lines up to the next key). Decisions compare the spans' text first and
//! their parsed YAML values second; output is always some side's text, except for merged lists.

use super::{contract, lists};
use crate::issue::timestamp;
use serde_yaml::Value;

/// The frontmatter of one side, split into top-level keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    /// Lines before the first key (comments, blank lines).
    pub preamble: String,
    pub entries: Vec<Entry>,
}

/// One top-level key: its lines (each ending in `\n`) and the value they hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub text: String,
    pub value: Value,
}

impl Fields {
    /// Splits YAML text (every line ending in `\n`) into keys. Returns `None` unless the whole
    /// text is a mapping, no key repeats, and each key's lines read alone give the same value
    /// (an alias to an anchor under another key does not).
    #[must_use]
    pub fn parse(yaml: &str) -> Option<Fields> {
        let whole: serde_yaml::Mapping = if yaml.trim().is_empty() {
            serde_yaml::Mapping::new()
        } else {
            serde_yaml::from_str(yaml).ok()?
        };
        let mut fields = Fields {
            preamble: String::new(),
            entries: Vec::new(),
        };
        for line in yaml.split_inclusive('\n') {
            match (top_level_key(line), fields.entries.last_mut()) {
                (Some(key), _) => {
                    if fields.entries.iter().any(|e| e.key == key) {
                        return None;
                    }
                    fields.entries.push(Entry {
                        key: key.to_owned(),
                        text: line.to_owned(),
                        value: Value::Null,
                    });
                }
                (None, Some(entry)) => entry.text.push_str(line),
                (None, None) => fields.preamble.push_str(line),
            }
        }
        for entry in &mut fields.entries {
            let alone: serde_yaml::Mapping = serde_yaml::from_str(&entry.text).ok()?;
            let (key, value) = alone.into_iter().next()?;
            if key.as_str() != Some(&entry.key) || whole.get(entry.key.as_str()) != Some(&value) {
                return None;
            }
            entry.value = value;
        }
        (fields.entries.len() == whole.len()).then_some(fields)
    }

    fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// The key a line starts, when it is a top-level `key:` line.
fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '-', '#', '\r', '\n']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(key.trim_matches(|c| c == '\'' || c == '"'))
}

/// One part of the merged frontmatter.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Lines both sides agree on after the merge.
    Clean(String),
    /// A key the sides changed differently: each side's lines (empty when it deleted the key).
    Conflict {
        key: String,
        base: String,
        ours: String,
        theirs: String,
    },
}

/// Keys whose values are sets of text: either side's additions and removals are kept.
pub const SET_KEYS: &[&str] = &[
    "labels",
    "depends_on",
    "blocks",
    "git_branches",
    "git_commits",
];

/// Whose rules a file's keys merge by: the legacy line's, or the 0.2 contract's (the same,
/// but `history` and `comments` merge as [`contract`] says and merged keys are written as
/// PyYAML writes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rules {
    Legacy,
    Contract,
}

/// Merges three sides key by key. Keys come in ours' order; a key only theirs added goes
/// after the key it follows in theirs.
#[must_use]
pub fn merge(base: &Fields, ours: &Fields, theirs: &Fields, rules: Rules) -> Vec<Piece> {
    let preamble = if base.preamble == ours.preamble {
        &theirs.preamble
    } else {
        &ours.preamble
    };
    let mut pieces = vec![Piece::Clean(preamble.clone())];
    for key in key_order(ours, theirs) {
        let merged = merge_key(
            &key,
            [base.get(&key), ours.get(&key), theirs.get(&key)],
            rules,
        );
        match merged {
            Outcome::Take(Some(text)) => pieces.push(Piece::Clean(text)),
            Outcome::Take(None) => {}
            Outcome::Conflict => pieces.push(Piece::Conflict {
                base: text_of(base.get(&key)),
                ours: text_of(ours.get(&key)),
                theirs: text_of(theirs.get(&key)),
                key,
            }),
        }
    }
    pieces
}

fn text_of(entry: Option<&Entry>) -> String {
    entry.map(|e| e.text.clone()).unwrap_or_default()
}

/// Ours' keys, with each key only theirs has inserted after its predecessor in theirs.
fn key_order(ours: &Fields, theirs: &Fields) -> Vec<String> {
    let mut order: Vec<String> = ours.entries.iter().map(|e| e.key.clone()).collect();
    let mut after: Option<usize> = None;
    for entry in &theirs.entries {
        match order.iter().position(|k| *k == entry.key) {
            Some(at) => after = Some(at),
            None => {
                let at = after.map_or(0, |i| i + 1);
                order.insert(at, entry.key.clone());
                after = Some(at);
            }
        }
    }
    order
}

enum Outcome {
    /// The key's lines in the result, or `None` for no key.
    Take(Option<String>),
    Conflict,
}

fn merge_key(key: &str, sides: [Option<&Entry>; 3], rules: Rules) -> Outcome {
    let [base, ours, theirs] = sides;
    let text = |e: Option<&Entry>| e.map(|e| e.text.clone());
    let same_text = |a: Option<&Entry>, b: Option<&Entry>| text(a) == text(b);
    let same_value =
        |a: Option<&Entry>, b: Option<&Entry>| a.map(|e| &e.value) == b.map(|e| &e.value);
    if same_text(ours, theirs) || same_text(base, theirs) {
        return Outcome::Take(text(ours));
    }
    if same_text(base, ours) {
        return Outcome::Take(text(theirs));
    }
    // Both changed the lines: the same value written differently is no disagreement, and
    // neither is a side that only touched a comment or the quoting.
    if same_value(ours, theirs) || same_value(base, theirs) {
        return Outcome::Take(text(ours));
    }
    if same_value(base, ours) {
        return Outcome::Take(text(theirs));
    }
    let (Some(o), Some(t)) = (ours, theirs) else {
        return Outcome::Conflict;
    };
    let taken =
        |merged: Option<String>| merged.map_or(Outcome::Conflict, |t| Outcome::Take(Some(t)));
    match (rules, key) {
        (Rules::Contract, "history") => taken(contract::merge_history(o, t)),
        (Rules::Contract, "comments") => taken(contract::merge_comments(base, o, t)),
        (Rules::Contract, _) if SET_KEYS.contains(&key) => taken(
            lists::merge_list(key, base, o, t, Value::clone)
                .and_then(|text| contract::redump(&text)),
        ),
        (_, "updated") => {
            later(o, t).map_or(Outcome::Conflict, |e| Outcome::Take(Some(e.text.clone())))
        }
        // Never changed by the tracker; a difference is noise, and ours is what was there.
        (_, "id" | "created") => Outcome::Take(Some(o.text.clone())),
        (Rules::Legacy, "comments") => {
            taken(lists::merge_list(key, base, o, t, lists::comment_identity))
        }
        (Rules::Legacy, _) if SET_KEYS.contains(&key) => {
            taken(lists::merge_list(key, base, o, t, Value::clone))
        }
        _ => Outcome::Conflict,
    }
}

/// The side whose timestamp is later, ours when they are equal; `None` if either is not one.
fn later<'a>(ours: &'a Entry, theirs: &'a Entry) -> Option<&'a Entry> {
    let key = |e: &Entry| e.value.as_str().and_then(timestamp::sort_key);
    Some(if key(theirs)? > key(ours)? {
        theirs
    } else {
        ours
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(yaml: &str) -> Fields {
        Fields::parse(yaml).unwrap_or_else(|| panic!("parses:\n{yaml}"))
    }

    /// Merges and writes conflicts as `!KEY ours|theirs` lines, to read the outcome at a glance.
    fn merged(base: &str, ours: &str, theirs: &str) -> String {
        merge(&fields(base), &fields(ours), &fields(theirs), Rules::Legacy)
            .into_iter()
            .map(|piece| match piece {
                Piece::Clean(text) => text,
                Piece::Conflict {
                    key, ours, theirs, ..
                } => format!("!{key} {}|{}\n", ours.trim_end(), theirs.trim_end()),
            })
            .collect()
    }

    const BASE: &str = "id: a1\ntitle: T\nstatus: todo\npriority: low\nlabels:\n- bug\nupdated: '2025-01-01T00:00:00+00:00'\n";

    #[test]
    fn different_fields_both_taken() {
        let ours = BASE
            .replace("todo", "blocked")
            .replace("2025-01-01T00", "2025-01-03T00");
        let theirs = BASE
            .replace("low", "high")
            .replace("2025-01-01T00", "2025-01-02T00");
        assert_eq!(
            merged(BASE, &ours, &theirs),
            "id: a1\ntitle: T\nstatus: blocked\npriority: high\nlabels:\n- bug\nupdated: '2025-01-03T00:00:00+00:00'\n"
        );
    }

    #[test]
    fn updated_is_the_later_whichever_side_has_it() {
        let ours = BASE.replace("2025-01-01T00", "2025-01-02T00");
        let theirs = BASE.replace("2025-01-01T00:00:00+00:00", "2025-01-02T03:00:00+04:00");
        // 03:00+04:00 is 23:00 UTC the day before: ours is later.
        assert_eq!(merged(BASE, &ours, &theirs), ours);
        let theirs = BASE.replace("2025-01-01T00", "2025-01-02T10");
        assert_eq!(merged(BASE, &ours, &theirs), theirs);
    }

    #[test]
    fn same_field_alike_is_taken_and_differently_conflicts() {
        let ours = BASE.replace("todo", "closed");
        assert_eq!(merged(BASE, &ours, &ours), ours);
        let theirs = BASE.replace("todo", "blocked");
        assert_eq!(
            merged(BASE, &ours, &theirs),
            BASE.replace("status: todo\n", "!status status: closed|status: blocked\n")
        );
    }

    #[test]
    fn the_same_value_written_differently_is_not_a_conflict() {
        let ours = BASE.replace("title: T", "title: 'X'");
        let theirs = BASE.replace("title: T", "title: X # renamed");
        assert_eq!(merged(BASE, &ours, &theirs), ours);
    }

    #[test]
    fn labels_merge_as_sets() {
        let ours = BASE.replace("- bug\n", "- bug\n- ui\n");
        let theirs = BASE.replace("- bug\n", "- api\n");
        assert_eq!(
            merged(BASE, &ours, &theirs),
            BASE.replace("- bug\n", "- ui\n- api\n")
        );
        let flow = BASE.replace("labels:\n- bug\n", "labels: [bug, docs]\n");
        assert_eq!(
            merged(BASE, &ours, &flow),
            BASE.replace("- bug\n", "- bug\n- ui\n- docs\n")
        );
    }

    #[test]
    fn keys_added_deleted_and_unknown() {
        let ours = format!("{BASE}x_team: core\n");
        let theirs = BASE
            .replace("priority: low\n", "")
            .replace("title: T\n", "title: T\nx_note: hi # why\n");
        assert_eq!(
            merged(BASE, &ours, &theirs),
            "id: a1\ntitle: T\nx_note: hi # why\nstatus: todo\nlabels:\n- bug\nupdated: '2025-01-01T00:00:00+00:00'\nx_team: core\n"
        );
        // Deleted on one side, changed on the other: a conflict, with an empty side.
        let ours = BASE.replace("low", "high");
        assert_eq!(
            merged(BASE, &ours, &theirs),
            "id: a1\ntitle: T\nx_note: hi # why\nstatus: todo\n!priority priority: high|\nlabels:\n- bug\nupdated: '2025-01-01T00:00:00+00:00'\n"
        );
    }

    #[test]
    fn comments_merge_by_id_with_fresh_anchors() {
        let base = "id: a1\ncomments: []\n";
        let comment = |id: &str, body: &str| {
            format!(
                "- id: {id}\n  body: {body}\n  created_at: &id001 2025-01-01 00:00:00+00:00\n  updated_at: *id001\n"
            )
        };
        let ours = format!("id: a1\ncomments:\n{}", comment("1", "from ours"));
        let theirs = format!("id: a1\ncomments:\n{}", comment("2", "from theirs"));
        let result = merged(base, &ours, &theirs);
        assert_eq!(
            result,
            format!(
                "id: a1\ncomments:\n{}{}",
                comment("1", "from ours"),
                comment("2", "from theirs").replace("id001", "id002")
            )
        );
        assert!(Fields::parse(&result).is_some());
        // One side edits a comment the other kept: the edit wins; both edit it: a conflict.
        let edited = ours.replace("from ours", "edited");
        assert_eq!(merged(&ours, &edited, &ours), edited);
        let other = ours.replace("from ours", "other");
        assert!(merged(&ours, &edited, &other).starts_with("id: a1\n!comments"));
    }

    #[test]
    fn unparsable_or_ambiguous_frontmatter_is_refused() {
        assert!(Fields::parse("a: [1\n").is_none());
        assert!(Fields::parse("a: 1\na: 2\n").is_none());
        assert!(Fields::parse("a: &x 1\nb: *x\n").is_none());
        assert!(Fields::parse("- 1\n").is_none());
        assert_eq!(fields("# note\nid: a\n").preamble, "# note\n");
    }

    #[test]
    fn a_comment_before_the_first_key_changed_on_one_side_is_kept() {
        let base = "id: a\nstatus: todo\n";
        let theirs = "# by hand\nid: a\nstatus: todo\n";
        let ours = "id: a\nstatus: closed\n";
        assert_eq!(
            merged(base, ours, theirs),
            "# by hand\nid: a\nstatus: closed\n"
        );
    }
}
