//! A 0.2 issue document as roadmap-cli 0.3.1 holds it between reading and saving, and its
//! bytes as 0.3.1 saves them (`documents.py`: `parse_document`, `serialize_document`).
//!
//! 0.3.1 never edits a file in place: it reads the front matter into its model, keeps every
//! key it does not own (in file order), and writes the whole document again: the kept keys
//! first, then its own in a fixed order, through `yaml.safe_dump` ([`super::pyyaml`]). So a
//! save of ours must do the same to leave the bytes 0.3.1 would. A document 0.3.1 would refuse
//! to read is refused here too, with its reason, and nothing is written over it.

use super::instant;
use super::pyyaml::dump_mapping;
use serde_yaml::{Mapping, Value};

pub const STATUSES: [&str; 5] = ["todo", "in-progress", "blocked", "review", "closed"];
pub const PRIORITIES: [&str; 4] = ["critical", "high", "medium", "low"];
pub const ISSUE_TYPES: [&str; 3] = ["feature", "bug", "other"];
const RETENTIONS: [&str; 3] = ["visible", "archived", "purged"];

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
    pub in_reply_to: Option<i64>,
    pub external_url: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub action: String,
    pub at: String,
    pub reason: Option<String>,
}

/// What 0.3.1 reads from an issue file. Values 0.3.1 keeps as loaded (`assignee`, the
/// numbers) stay YAML values, so they are written back as they came.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Keys 0.3.1 does not own, in file order; it writes them first.
    pub extra: Mapping,
    pub id: String,
    pub created: String,
    pub updated: String,
    pub retention: String,
    pub title: String,
    pub headline: String,
    pub priority: String,
    pub status: String,
    pub issue_type: String,
    pub milestone: Option<String>,
    pub depends_on: Vec<String>,
    pub blocks: Vec<String>,
    pub labels: Vec<String>,
    pub assignee: Value,
    pub estimated_hours: Value,
    pub due_date: Option<String>,
    pub progress_percentage: Value,
    pub actual_start_date: Option<String>,
    pub actual_end_date: Option<String>,
    pub git_branches: Vec<String>,
    pub comments: Vec<Comment>,
    pub history: Vec<Event>,
    pub body: String,
}

/// Why 0.3.1 would refuse a document (its own wording where it has one).
pub type Refusal = String;

impl Document {
    /// Reads `text` as 0.3.1 does; `Err` with the reason 0.3.1 would refuse it for.
    pub fn parse(text: &str) -> Result<Document, Refusal> {
        // Python's text mode (`Path.read_text`) reads CRLF and CR as LF, so 0.3.1 saves a CRLF
        // file with LF line ends throughout, the body included.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let (yaml, body) = split(&text).ok_or("missing YAML frontmatter")?;
        let loaded: Value = serde_yaml::from_str(yaml)
            .map_err(|e| format!("invalid YAML frontmatter: {}", crate::issue::one_line(&e)))?;
        let Value::Mapping(mut data) = loaded else {
            return Err("frontmatter must be a mapping".into());
        };
        let body = body.strip_prefix('\n').unwrap_or(body).to_owned();
        match data.remove("schema_version") {
            None => {}
            Some(Value::Number(n)) if matches!(n.as_i64(), Some(0 | 1)) => {}
            Some(other) => {
                return Err(format!("unsupported schema_version {}", python_str(&other)));
            }
        }
        let id = entity_id(data.remove("id").filter(truthy).as_ref().map(python_str))
            .ok_or("missing id")??;
        let archived = data.remove("archived").is_some_and(|v| truthy(&v));
        let mut retention = match data.remove("retention") {
            None | Some(Value::Null) if archived => "archived".to_owned(),
            None | Some(Value::Null) => "visible".to_owned(),
            Some(value) => one_of(&python_str(&value), &RETENTIONS, "retention")?,
        };
        let created = timestamp(data.remove("created"), "created")?;
        let updated = timestamp(data.remove("updated"), "updated")?;
        let mut status = data
            .remove("status")
            .map_or("todo".into(), |v| python_str(&v));
        if status == "archived" {
            retention = "archived".into();
            status = "closed".into();
        }
        let status = one_of(&status, &STATUSES, "status")?;
        let issue_type = data
            .remove("issue_type")
            .map(|v| python_str(&v))
            .filter(|t| ISSUE_TYPES.contains(&t.as_str()))
            .unwrap_or_else(|| "other".into());
        let milestone = match data.remove("milestone").filter(truthy) {
            Some(value) => Some(entity_id(Some(python_str(&value))).expect("given")?),
            None => None,
        };
        let depends_on = ids(data.remove("depends_on"), "depends_on")?;
        let blocks = ids(data.remove("blocks"), "blocks")?;
        let title = required_text(
            data.remove("title")
                .map_or(String::new(), |v| python_str(&v)),
        )?;
        let headline = data
            .remove("headline")
            .map_or(String::new(), |v| python_str(&v));
        let priority = data
            .remove("priority")
            .map_or("medium".into(), |v| python_str(&v));
        let document = Document {
            id,
            created,
            updated,
            retention,
            title,
            headline,
            priority: one_of(&priority, &PRIORITIES, "priority")?,
            status,
            issue_type,
            milestone,
            depends_on,
            blocks,
            labels: texts(data.remove("labels"), "labels")?,
            assignee: data.remove("assignee").unwrap_or(Value::Null),
            estimated_hours: data.remove("estimated_hours").unwrap_or(Value::Null),
            due_date: optional_timestamp(data.remove("due_date"), "due_date")?,
            progress_percentage: data.remove("progress_percentage").unwrap_or(Value::Null),
            actual_start_date: optional_timestamp(
                data.remove("actual_start_date"),
                "actual_start_date",
            )?,
            actual_end_date: optional_timestamp(data.remove("actual_end_date"), "actual_end_date")?,
            git_branches: texts(data.remove("git_branches"), "git_branches")?,
            comments: comments(data.remove("comments"))?,
            history: history(data.remove("history"))?,
            extra: data,
            body,
        };
        document.check()?;
        Ok(document)
    }

    /// The rules 0.3.1's model enforces on every issue it holds.
    pub fn check(&self) -> Result<(), Refusal> {
        if self.updated_key() < created_key(&self.created) {
            return Err("updated timestamp cannot precede created timestamp".into());
        }
        let relations: Vec<&String> = self.depends_on.iter().chain(&self.blocks).collect();
        let unique: std::collections::HashSet<&&String> = relations.iter().collect();
        if relations.contains(&&self.id) || unique.len() != relations.len() {
            return Err("issue relationships must be unique and cannot reference self".into());
        }
        let comment_ids: std::collections::HashSet<i64> =
            self.comments.iter().map(|c| c.id).collect();
        if comment_ids.len() != self.comments.len() {
            return Err("comment IDs must be unique within an issue".into());
        }
        if self
            .comments
            .iter()
            .any(|c| c.in_reply_to.is_some_and(|to| !comment_ids.contains(&to)))
        {
            return Err("comment reply target must exist on the issue".into());
        }
        Ok(())
    }

    fn updated_key(&self) -> String {
        created_key(&self.updated)
    }

    /// The file's bytes as 0.3.1 saves this document.
    #[must_use]
    pub fn render(&self) -> String {
        let mut data = self.extra.clone();
        let text = |s: &str| Value::String(s.to_owned());
        let list = |items: &[String]| Value::Sequence(items.iter().map(|s| text(s)).collect());
        let optional = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
        let comments = self.comments.iter().map(|c| {
            let mut map = Mapping::new();
            map.insert(text("id"), Value::Number(c.id.into()));
            map.insert(text("issue_id"), text(&self.id));
            map.insert(text("author"), text(&c.author));
            map.insert(text("body"), text(&c.body));
            map.insert(text("created_at"), text(&c.created_at));
            map.insert(text("updated_at"), text(&c.updated_at));
            map.insert(
                text("in_reply_to"),
                c.in_reply_to
                    .map_or(Value::Null, |to| Value::Number(to.into())),
            );
            map.insert(text("github_url"), c.external_url.clone());
            Value::Mapping(map)
        });
        let history = self.history.iter().map(|e| {
            let mut map = Mapping::new();
            map.insert(text("action"), text(&e.action));
            map.insert(text("at"), text(&e.at));
            map.insert(text("reason"), optional(&e.reason));
            Value::Mapping(map)
        });
        for (key, value) in [
            ("schema_version", Value::Number(1.into())),
            ("id", text(&self.id)),
            ("created", text(&self.created)),
            ("updated", text(&self.updated)),
            ("retention", text(&self.retention)),
            ("title", text(&self.title)),
            ("headline", text(&self.headline)),
            ("priority", text(&self.priority)),
            ("status", text(&self.status)),
            ("issue_type", text(&self.issue_type)),
            ("milestone", optional(&self.milestone)),
            ("depends_on", list(&self.depends_on)),
            ("blocks", list(&self.blocks)),
            ("labels", list(&self.labels)),
            ("assignee", self.assignee.clone()),
            ("estimated_hours", self.estimated_hours.clone()),
            ("due_date", optional(&self.due_date)),
            ("progress_percentage", self.progress_percentage.clone()),
            ("actual_start_date", optional(&self.actual_start_date)),
            ("actual_end_date", optional(&self.actual_end_date)),
            ("git_branches", list(&self.git_branches)),
            ("comments", Value::Sequence(comments.collect())),
            ("history", Value::Sequence(history.collect())),
        ] {
            // `dict.update`: a key already there keeps its place and takes the new value.
            data.insert(text(key), value);
        }
        let separator = if self.body.is_empty() { "\n" } else { "\n\n" };
        format!("---\n{}\n---{separator}{}", dump_mapping(&data), self.body)
    }
}

/// `\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z` (0.3.1's `_FRONTMATTER`, dot matching newlines).
fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let mut from = 0;
    while let Some(found) = rest[from..].find("\n---") {
        let newline = from + found;
        let yaml_end = if newline > 0 && rest.as_bytes()[newline - 1] == b'\r' {
            newline - 1
        } else {
            newline
        };
        let after = rest[newline + 4..].trim_start_matches([' ', '\t']);
        if let Some(body) = after
            .strip_prefix("\r\n")
            .or_else(|| after.strip_prefix('\n'))
        {
            return Some((&rest[..yaml_end], body));
        }
        from = newline + 1;
    }
    None
}

/// Python's truth of a loaded value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Sequence(items) => !items.is_empty(),
        Value::Mapping(map) => !map.is_empty(),
        Value::Tagged(tagged) => truthy(&tagged.value),
    }
}

/// Python's `str()` of a loaded scalar.
#[must_use]
pub fn python_str(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => {
            let float = n.as_f64().unwrap_or_default();
            let text = format!("{float:?}");
            text
        }
        Value::Number(n) => n.to_string(),
        Value::Tagged(tagged) => python_str(&tagged.value),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn entity_id(value: Option<String>) -> Option<Result<String, Refusal>> {
    let value = value?;
    let bad =
        value.is_empty() || value != value.trim() || value.contains(['/', '\\', '\0', '\r', '\n']);
    Some(if bad {
        Err(format!("invalid id: {value}"))
    } else {
        Ok(value)
    })
}

fn required_text(value: String) -> Result<String, Refusal> {
    if value.is_empty() || value != value.trim() || value.contains(['\0', '\r', '\n']) {
        return Err("required text must be non-empty and single-line".into());
    }
    Ok(value)
}

fn one_of(value: &str, known: &[&str], field: &str) -> Result<String, Refusal> {
    if known.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(format!("invalid {field}: {value}"))
    }
}

fn timestamp(value: Option<Value>, field: &str) -> Result<String, Refusal> {
    match value {
        Some(Value::String(text)) => {
            instant::normalize(&text).ok_or_else(|| format!("invalid {field} timestamp: {text}"))
        }
        _ => Err(format!("missing {field} timestamp")),
    }
}

fn optional_timestamp(value: Option<Value>, field: &str) -> Result<Option<String>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(None),
        some => timestamp(some, field).map(Some),
    }
}

fn list(value: Option<Value>, field: &str) -> Result<Vec<Value>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Sequence(items)) => Ok(items),
        Some(_) => Err(format!("{field} must be a list")),
    }
}

fn ids(value: Option<Value>, field: &str) -> Result<Vec<String>, Refusal> {
    list(value, field)?
        .iter()
        .map(|item| {
            entity_id(Some(python_str(item)))
                .expect("given")
                .map_err(|_| format!("invalid {field}"))
        })
        .collect()
}

fn texts(value: Option<Value>, field: &str) -> Result<Vec<String>, Refusal> {
    Ok(list(value, field)?.iter().map(python_str).collect())
}

fn mapping_items(value: Option<Value>, what: &str) -> Result<Vec<Mapping>, Refusal> {
    list(value, what)?
        .into_iter()
        .map(|item| match item {
            Value::Mapping(map) => Ok(map),
            _ => Err(format!("every issue {what} entry must be a mapping")),
        })
        .collect()
}

fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.trunc() as i64)),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(flag) => Some(i64::from(*flag)),
        _ => None,
    }
}

fn comments(value: Option<Value>) -> Result<Vec<Comment>, Refusal> {
    mapping_items(value, "comments")?
        .iter()
        .map(|item| {
            let bad = |what: &str| format!("invalid issue comment: {what}");
            let field = |key: &str| item.get(key).map(python_str).ok_or_else(|| bad(key));
            let in_reply_to = match item.get("in_reply_to") {
                None | Some(Value::Null) => None,
                some => Some(integer(some).ok_or_else(|| bad("in_reply_to"))?),
            };
            let url = item
                .get("github_url")
                .filter(|v| truthy(v))
                .or_else(|| item.get("external_url"));
            Ok(Comment {
                id: integer(item.get("id")).ok_or_else(|| bad("id"))?,
                author: field("author")?,
                body: field("body")?,
                created_at: timestamp(item.get("created_at").cloned(), "comment created_at")?,
                updated_at: timestamp(item.get("updated_at").cloned(), "comment updated_at")?,
                in_reply_to,
                external_url: url.cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

fn history(value: Option<Value>) -> Result<Vec<Event>, Refusal> {
    mapping_items(value, "history")?
        .iter()
        .map(|item| {
            Ok(Event {
                action: item
                    .get("action")
                    .map(python_str)
                    .ok_or("invalid issue history: 'action'")?,
                at: timestamp(item.get("at").cloned(), "history at")?,
                reason: item.get("reason").filter(|v| truthy(v)).map(python_str),
            })
        })
        .collect()
}

/// A timestamp's instant as sortable text (UTC), for "later than" comparisons.
#[must_use]
pub fn created_key(timestamp: &str) -> String {
    crate::issue::timestamp::sort_key(timestamp).unwrap_or_else(|| timestamp.to_owned())
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
