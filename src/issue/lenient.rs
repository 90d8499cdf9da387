//! Reading frontmatter that does not fit the typed shape, without losing the issue.
//!
//! The strict typed read keeps every scalar's exact text. When it fails (a list where text
//! belongs, a word where a number belongs), the frontmatter is read as untyped YAML, each odd
//! field is coerced or dropped with a warning, and the typed read runs again.

use super::ParseError;
use super::frontmatter::{Comment, Frontmatter};
use serde::Deserialize;
use serde_yaml::{Mapping, Value};

/// The shape a known key's value must have.
enum Shape {
    Text,
    TextList,
    Number,
    Flag,
    Comments,
    Any,
}

fn shape_of(key: &str) -> Option<Shape> {
    Some(match key {
        "labels" | "depends_on" | "blocks" | "git_branches" => Shape::TextList,
        "estimated_hours" | "progress_percentage" => Shape::Number,
        "archived" => Shape::Flag,
        "comments" => Shape::Comments,
        "remote_ids" | "git_commits" | "sync_metadata" => Shape::Any,
        key if super::KNOWN_KEYS.contains(&key) => Shape::Text,
        _ => return None,
    })
}

/// Reads the YAML between the fences; odd fields become warnings, not errors. `first_line` is
/// the file line the YAML starts on, so errors point into the file.
/// `read_yaml` is [`super::fast_map::read`] of `yaml`, or what a caller that read it already
/// kept (the contract line's strict check reads each document's mapping first).
pub(super) fn read_frontmatter(
    yaml: &str,
    read_yaml: impl FnOnce() -> Option<Mapping>,
    first_line: usize,
    warnings: &mut Vec<String>,
) -> Result<Frontmatter, ParseError> {
    if yaml.trim().is_empty() {
        return Ok(Frontmatter::default());
    }
    if let Some(frontmatter) = super::fast::read(yaml) {
        return Ok(frontmatter);
    }
    // A 0.2 document (`history`, `comments`, `schema_version`): read as a mapping without
    // libyaml. A value a typed field cannot take from the mapping (`title: 1.10` became a
    // number there) goes to serde_yaml below, which hands typed fields the scalar's text.
    if let Some(mut map) = read_yaml() {
        comment_ids_as_text(&mut map);
        if let Ok(frontmatter) = Frontmatter::deserialize(Value::Mapping(map)) {
            return Ok(frontmatter);
        }
    }
    if flow_nesting_exceeds(yaml, MAX_FLOW_NESTING) {
        return Err(ParseError::Yaml(format!(
            "brackets nested deeper than {MAX_FLOW_NESTING} levels"
        )));
    }
    let strict_error = match serde_yaml::from_str::<Frontmatter>(yaml) {
        Ok(frontmatter) => return Ok(frontmatter),
        Err(error) => error,
    };
    let value: Value =
        serde_yaml::from_str(yaml).map_err(|e| ParseError::Yaml(yaml_error(&e, first_line)))?;
    let Value::Mapping(map) = value else {
        return Err(ParseError::Yaml(format!(
            "frontmatter is not a mapping of keys ({})",
            one_line(&strict_error)
        )));
    };
    let coerced = coerce(map, warnings);
    Frontmatter::deserialize(Value::Mapping(coerced)).map_err(|e| ParseError::Yaml(one_line(&e)))
}

/// The integers of each comment (0.3.1 writes `id: 1` and `in_reply_to: 2`) as the text
/// [`Comment`]'s fields keep. Exact: the fast mapping reader keeps an integer only when it is
/// written as it prints back. Without this every file with a comment went to libyaml (~18
/// times the cost of the fast read).
fn comment_ids_as_text(map: &mut Mapping) {
    if let Some(comments) = map.get_mut("comments") {
        comment_list_ids_as_text(comments);
    }
}

/// [`comment_ids_as_text`] for the `comments` value itself (the typed reader's).
pub(super) fn comment_list_ids_as_text(comments: &mut Value) {
    let Value::Sequence(comments) = comments else {
        return;
    };
    for comment in comments {
        let Value::Mapping(comment) = comment else {
            continue;
        };
        for (_, value) in comment.iter_mut() {
            if let Value::Number(number) = value {
                if number.is_i64() || number.is_u64() {
                    *value = Value::String(number.to_string());
                }
            }
        }
    }
}

/// serde_yaml refuses nesting past 128 levels, but only after libyaml has tokenized it all,
/// which costs time quadratic in the depth of `[`/`{`: 100,000 of them took minutes, so a
/// file could stall a hook, and git with it. Brackets in quoted text count too; that only
/// matters past this many unclosed ones.
pub(crate) const MAX_FLOW_NESTING: usize = 1000;

pub(crate) fn flow_nesting_exceeds(yaml: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    yaml.bytes().any(|byte| {
        match byte {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth > limit
    })
}

/// serde_yaml counts lines from the start of the frontmatter; say where it is in the file.
fn yaml_error(error: &serde_yaml::Error, first_line: usize) -> String {
    let text = without_locations(&one_line(error));
    match error.location() {
        Some(location) => format!(
            "{text} (line {}, column {})",
            location.line() + first_line - 1,
            location.column()
        ),
        None => text,
    }
}

/// Drops every " at line N column M" serde_yaml puts in its messages: those count from the
/// start of the frontmatter, and the caller adds the position in the file once.
fn without_locations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let line_end = digits(after);
        match after[line_end..].strip_prefix(" column ") {
            Some(column) if line_end > 0 => rest = &column[digits(column)..],
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn coerce(map: Mapping, warnings: &mut Vec<String>) -> Mapping {
    map.into_iter()
        .map(|(key, value)| {
            let shape = key.as_str().and_then(shape_of);
            let value = match (shape, key.as_str()) {
                (Some(shape), Some(name)) => coerce_field(name, shape, value, warnings),
                _ => value,
            };
            (key, value)
        })
        .collect()
}

fn coerce_field(key: &str, shape: Shape, value: Value, warnings: &mut Vec<String>) -> Value {
    if value.is_null() {
        return value;
    }
    match shape {
        Shape::Any => value,
        Shape::Text => match scalar_text(&value) {
            Some(text) => Value::String(text),
            None => {
                warnings.push(format!(
                    "`{key}` should be text; kept as {}",
                    inline(&value)
                ));
                Value::String(inline(&value))
            }
        },
        Shape::TextList => match value {
            Value::Sequence(items) => Value::Sequence(
                items
                    .into_iter()
                    .map(|item| Value::String(scalar_text(&item).unwrap_or_else(|| inline(&item))))
                    .collect(),
            ),
            other => {
                warnings.push(format!(
                    "`{key}` should be a list; read {} as a one-item list",
                    inline(&other)
                ));
                Value::Sequence(vec![Value::String(
                    scalar_text(&other).unwrap_or_else(|| inline(&other)),
                )])
            }
        },
        Shape::Number => {
            let parsed = scalar_text(&value).and_then(|t| t.trim().parse::<f64>().ok());
            if parsed.is_none() {
                warnings.push(format!(
                    "`{key}` should be a number; ignored {}",
                    inline(&value)
                ));
            }
            parsed.map_or(Value::Null, |n| Value::Number(n.into()))
        }
        Shape::Flag => {
            let flag = match &value {
                Value::Bool(b) => Some(*b),
                other => scalar_text(other).and_then(|t| match t.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" => Some(true),
                    "false" | "no" | "off" => Some(false),
                    _ => None,
                }),
            };
            if flag.is_none() {
                warnings.push(format!(
                    "`{key}` should be true or false; ignored {}",
                    inline(&value)
                ));
            }
            flag.map_or(Value::Null, Value::Bool)
        }
        Shape::Comments => {
            let Value::Sequence(items) = value else {
                warnings.push(format!("`{key}` should be a list of comments; ignored"));
                return Value::Null;
            };
            let total = items.len();
            let kept: Vec<Value> = items
                .into_iter()
                .filter(|item| Comment::deserialize(item.clone()).is_ok())
                .collect();
            if kept.len() < total {
                warnings.push(format!(
                    "{} of {total} comments are not comment maps; ignored them",
                    total - kept.len()
                ));
            }
            Value::Sequence(kept)
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(tagged) => scalar_text(&tagged.value),
        _ => None,
    }
}

fn inline(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("{value:?}"))
}

/// serde_yaml errors can span lines; a warning is one line.
pub fn one_line(error: &dyn std::fmt::Display) -> String {
    error
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::{FileContext, Issue};

    #[test]
    fn odd_fields_keep_the_issue_and_warn() {
        let text =
            "---\nid: 0a1b2c3d\ntitle: t\nlabels: bug\nestimated_hours: soon\nstatus: done\n---\n";
        let issue = Issue::parse(text.as_bytes(), &FileContext::default()).unwrap();
        assert_eq!(issue.labels, ["bug"]);
        assert_eq!(issue.frontmatter.estimated_hours, None);
        assert_eq!(issue.status.as_str(), "closed");
        assert_eq!(issue.warnings.len(), 2, "{:?}", issue.warnings);
    }

    #[test]
    fn a_title_given_as_a_list_is_kept_as_text() {
        let text = "---\nid: a\ntitle: [a, b]\n---\n";
        let issue = Issue::parse(text.as_bytes(), &FileContext::default()).unwrap();
        assert_eq!(issue.title, r#"["a","b"]"#);
        assert_eq!(issue.warnings.len(), 1);
    }
}
