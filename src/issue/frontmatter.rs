//! Splitting an issue file into YAML frontmatter and Markdown body, and reading the frontmatter.
//!
//! The files are written by PyYAML (YAML 1.1) and read here with serde_yaml (YAML 1.2). Every
//! text field is read as a typed `String`, which serde_yaml hands over as the scalar's exact
//! text: `id: 4e619042` stays `"4e619042"` instead of becoming a float, and a milestone `1.10`
//! stays `1.10`. Keys we do not know are kept, in file order.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Splits `text` like the tracker's `^---\s*\n(.*?)\n---\s*\n(.*)$` (dot matches newline).
/// Returns `(yaml, body)`, or `None` when the file has no frontmatter block.
#[must_use]
pub fn split(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let after_fence = text.strip_prefix("---")?;
    let blanks = whitespace_run(after_fence);
    // The greedy `\s*\n` prefers the last line break of the run, backtracking to earlier ones.
    after_fence[..blanks]
        .rmatch_indices('\n')
        .find_map(|(nl, _)| {
            let yaml_start = 3 + nl + 1;
            let (yaml_end, body_start) = closing_fence(text, yaml_start)?;
            Some((&text[yaml_start..yaml_end], &text[body_start..]))
        })
}

/// Finds the first `\n---\s*\n` at or after `from`; returns where it starts and ends.
fn closing_fence(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    loop {
        at += text.get(at..)?.find("\n---")?;
        let after = &text[at + 4..];
        if let Some(nl) = after[..whitespace_run(after)].rfind('\n') {
            return Some((at, at + 4 + nl + 1));
        }
        at += 1;
    }
}

fn whitespace_run(s: &str) -> usize {
    s.char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map_or(s.len(), |(i, _)| i)
}

/// A number field (`estimated_hours`, `progress_percentage`) that also accepts numeric strings.
/// Whether the file wrote an integer is kept: Python keeps `4` and `4.0` apart, and roadmap-cli
/// 0.3.1's sums print `12` for the one and `12.0` for the other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    pub value: f64,
    /// A YAML int (`4`), not a float (`4.0`) or a numeric string (`'4'`).
    pub integer: bool,
}

impl Number {
    #[must_use]
    pub fn float(value: f64) -> Self {
        Number {
            value,
            integer: false,
        }
    }

    /// The int the file wrote, when it is one that an `i64` holds exactly.
    #[must_use]
    pub fn exact_int(self) -> Option<i64> {
        // 2^63: every float below it in magnitude with no fraction is an exact i64.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        // Exact: checked first.
        #[allow(clippy::cast_possible_truncation)]
        (self.integer && self.value.fract() == 0.0 && self.value.abs() < LIMIT)
            .then_some(self.value as i64)
    }
}

/// As a float, whatever the file wrote: what the JSON export has always printed.
impl Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.value)
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number::float(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number {
                    value: v as f64,
                    integer: true,
                })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number {
                    value: v as f64,
                    integer: true,
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                v.trim()
                    .parse()
                    .map(Number::float)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean field that also accepts the YAML 1.1 spellings PyYAML reads (`yes`, `on`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "y" | "on" => Ok(Flag(true)),
                    "false" | "no" | "n" | "off" | "" => Ok(Flag(false)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// One comment in an issue's `comments` list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Comment {
    pub id: Option<String>,
    pub issue_id: Option<String>,
    pub author: Option<String>,
    pub body: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub github_url: Option<String>,
    pub in_reply_to: Option<String>,
}

/// Finds a key among those a frontmatter kept so far (a list that only grows, each key once):
/// a scan while there are few, as in every file the tracker writes, and a hash map once
/// there are many, so a file with tens of thousands of keys stays linear, not quadratic.
#[derive(Default)]
struct Places(std::collections::HashMap<String, usize>);

impl Places {
    const SCAN: usize = 64;

    fn find<T>(&mut self, key: &str, kept: &[T], name: impl Fn(&T) -> &str) -> Option<usize> {
        if kept.len() <= Self::SCAN {
            return kept.iter().position(|item| name(item) == key);
        }
        // Catch up with what was pushed since the last look.
        for (place, item) in kept.iter().enumerate().skip(self.0.len()) {
            self.0.insert(name(item).to_owned(), place);
        }
        self.0.get(key).copied()
    }
}

/// Declares the frontmatter struct, its key list and a map visitor that keeps unknown keys.
macro_rules! frontmatter {
    ($($field:ident : $ty:ty),* $(,)?) => {
        /// Every key the tracker writes, in its order; `None`/empty when the file omits it.
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        pub struct Frontmatter {
            $(pub $field: $ty,)*
            /// Keys the tracker does not define, in file order, with their values.
            #[serde(skip)]
            pub unknown: Vec<(String, serde_yaml::Value)>,
            /// Every key present in the file, in file order, including those set to null. A
            /// known key is its name in [`KNOWN_KEYS`], not a copy: one allocation fewer per
            /// key of every file a rebuild reads.
            #[serde(skip)]
            pub keys_in_file: Vec<std::borrow::Cow<'static, str>>,
        }

        /// The keys of [`Frontmatter`], in the order the tracker writes them.
        pub const KNOWN_KEYS: &[&str] = &[$(stringify!($field)),*];

        /// The place of `key` in [`KNOWN_KEYS`]: one `match`, which the compiler makes a few
        /// compares, where a scan of the list compared most keys of every file ~15 times.
        pub(crate) fn known_index(key: &str) -> Option<usize> {
            #[allow(non_camel_case_types, dead_code)]
            enum Place { $($field),* }
            match key {
                $(stringify!($field) => Some(Place::$field as usize),)*
                _ => None,
            }
        }

        impl<'de> Deserialize<'de> for Frontmatter {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Frontmatter;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a mapping of frontmatter keys")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Frontmatter, A::Error> {
                        let mut fm = Frontmatter::default();
                        let (mut in_file, mut unknown) = (Places::default(), Places::default());
                        while let Some(key) = map.next_key::<String>()? {
                            if in_file.find(&key, &fm.keys_in_file, |k| k).is_none() {
                                fm.keys_in_file.push(match known_index(&key) {
                                    Some(index) => std::borrow::Cow::Borrowed(KNOWN_KEYS[index]),
                                    None => std::borrow::Cow::Owned(key.clone()),
                                });
                            }
                            match key.as_str() {
                                $(stringify!($field) => {
                                    fm.$field = map.next_value().map_err(|e: A::Error| {
                                        de::Error::custom(format_args!("field `{}`: {e}", stringify!($field)))
                                    })?;
                                })*
                                _ => {
                                    // A repeated key keeps its first place and its last value, as in PyYAML.
                                    let value = map.next_value()?;
                                    match unknown.find(&key, &fm.unknown, |(known, _)| known) {
                                        Some(index) => fm.unknown[index] = (key, value),
                                        None => fm.unknown.push((key, value)),
                                    }
                                }
                            }
                        }
                        Ok(fm)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

frontmatter! {
    id: Option<String>,
    title: Option<String>,
    headline: Option<String>,
    priority: Option<String>,
    status: Option<String>,
    archived: Option<Flag>,
    issue_type: Option<String>,
    milestone: Option<String>,
    labels: Option<Vec<String>>,
    remote_ids: Option<serde_yaml::Value>,
    created: Option<String>,
    updated: Option<String>,
    assignee: Option<String>,
    estimated_hours: Option<Number>,
    due_date: Option<String>,
    depends_on: Option<Vec<String>>,
    blocks: Option<Vec<String>>,
    actual_start_date: Option<String>,
    actual_end_date: Option<String>,
    progress_percentage: Option<Number>,
    handoff_notes: Option<String>,
    previous_assignee: Option<String>,
    handoff_date: Option<String>,
    git_branches: Option<Vec<String>>,
    git_commits: Option<serde_yaml::Value>,
    completed_date: Option<String>,
    comments: Option<Vec<Comment>>,
    github_issue: Option<String>,
    sync_metadata: Option<serde_yaml::Value>,
    description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_matches_the_tracker_regex() {
        assert_eq!(
            split("---\nid: a\n---\n\nBody\n"),
            Some(("id: a", "Body\n"))
        );
        assert_eq!(
            split("---  \r\nid: a\r\n---\r\n\r\nBody"),
            Some(("id: a\r", "Body"))
        );
        assert_eq!(split("\u{feff}---\nid: a\n---\n"), Some(("id: a", "")));
        assert_eq!(split("---\n\n---\nBody"), Some(("", "Body")));
        assert_eq!(split("---\n---\nBody"), None);
        assert_eq!(split("---\nid: a\n"), None);
        assert_eq!(split("id: a\n---\n"), None);
        // The first closing fence ends the frontmatter; later ones belong to the body.
        assert_eq!(
            split("---\na: 1\n---\nx\n---\ny\n"),
            Some(("a: 1", "x\n---\ny\n"))
        );
        // A fence must be followed by a line break; `----` inside YAML is not one.
        assert_eq!(
            split("---\na: |\n  ---x\n---\n"),
            Some(("a: |\n  ---x", ""))
        );
    }

    #[test]
    fn text_fields_keep_the_scalar_as_written() {
        let fm: Frontmatter = serde_yaml::from_str(
            "id: 4e619042\nmilestone: 1.10\nlabels: [yes, 007]\ntitle: null\n",
        )
        .unwrap();
        assert_eq!(fm.id.as_deref(), Some("4e619042"));
        assert_eq!(fm.milestone.as_deref(), Some("1.10"));
        assert_eq!(fm.labels, Some(vec!["yes".to_owned(), "007".to_owned()]));
        assert_eq!(fm.title, None);
    }

    #[test]
    fn a_repeated_unknown_key_keeps_its_first_place_and_last_value() {
        let fm: Frontmatter = serde_yaml::from_str("a: 1\nb: 2\na: 3\n").unwrap();
        let unknown: Vec<(&str, i64)> = fm
            .unknown
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_i64().unwrap()))
            .collect();
        assert_eq!(unknown, [("a", 3), ("b", 2)]);
        assert_eq!(fm.keys_in_file, ["a", "b"]);
    }

    #[test]
    fn every_known_key_is_found_at_its_place() {
        for (index, key) in KNOWN_KEYS.iter().enumerate() {
            assert_eq!(known_index(key), Some(index), "{key}");
        }
        assert_eq!(known_index("schema_version"), None);
        assert_eq!(known_index("Id"), None);
    }

    #[test]
    fn unknown_keys_are_kept_in_order() {
        let fm: Frontmatter = serde_yaml::from_str("zeta: 1\nid: abc\nalpha: {x: [1]}\n").unwrap();
        let keys: Vec<&str> = fm.unknown.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha"]);
    }

    #[test]
    fn lenient_numbers_and_flags() {
        let fm: Frontmatter = serde_yaml::from_str(
            "estimated_hours: '2.5'\nprogress_percentage: 40\narchived: yes\n",
        )
        .unwrap();
        assert_eq!(fm.estimated_hours, Some(Number::float(2.5)));
        assert_eq!(
            fm.progress_percentage,
            Some(Number {
                value: 40.0,
                integer: true
            })
        );
        assert_eq!(fm.archived, Some(Flag(true)));
    }
}
