//! One issue file: its typed fields, how it is read from bytes, and what was odd about it.
//!
//! Reading never drops an issue for one odd field: the row is kept, the raw value stays in
//! the frontmatter, and a warning says what was odd. Only a file with no usable frontmatter
//! or no id at all is rejected, with an error naming the problem.

pub mod effects;
mod fast;
pub(crate) mod fast_map;
mod fields;
mod frontmatter;
mod lenient;
pub mod render;
pub mod timestamp;

pub use fields::{IssueType, Priority, Status};
pub use frontmatter::{Comment, Flag, Frontmatter, KNOWN_KEYS, Number, split};
pub use lenient::one_line;
pub(crate) use lenient::{MAX_FLOW_NESTING, flow_nesting_exceeds};

mod json;
pub use json::to_json;

/// Where a file sits in the `.roadmap` tree, which says what the frontmatter may leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileContext {
    /// The id in the file name (`{id}-{slug}.md`), when the name has one.
    pub id_from_name: Option<String>,
    /// The milestone folder the file sits in, `None` for `backlog/` and the flat layout.
    pub milestone_folder: Option<String>,
    /// The file is under `.roadmap/archive/issues/`.
    pub in_archive: bool,
}

/// An issue as the cache stores it: the typed fields queries filter and sort on, plus the
/// whole frontmatter for output.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub priority: Priority,
    pub issue_type: IssueType,
    /// In the archive folder, or `archived: true`, or status `archived`.
    pub archived: bool,
    /// The milestone as lists show it: its name.
    pub milestone: Option<String>,
    /// The milestone's id as the file names it, where that differs from what lists show (the
    /// contract line names milestones by id); `None` on the legacy line.
    pub milestone_id: Option<String>,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
    pub body: String,
    pub frontmatter: Frontmatter,
    /// One line per odd field, e.g. an unknown status; the issue is still listed.
    pub warnings: Vec<String>,
    /// The file's comment ids (and `in_reply_to`) are integers, as the contract line writes
    /// them: JSON gives them as numbers.
    pub integer_comment_ids: bool,
    /// Why the tracker behind us might read this file differently from us (set by the
    /// contract line's reader, see `lines::contract`); a served tracker output then forwards.
    pub tracker_doubt: Option<String>,
    /// `created` and `updated` as UTC sort keys, worked out once when the file is read (on
    /// the parsing threads of a rebuild, not the thread that writes SQLite).
    sort_keys: (Option<String>, Option<String>),
}

/// Why a file could not be read as an issue at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("file is not UTF-8 text")]
    NotUtf8,
    #[error(
        "no frontmatter block: the file must start with a `---` line and close it with another"
    )]
    NoFrontmatter,
    #[error("invalid YAML in frontmatter: {0}")]
    Yaml(String),
    #[error("frontmatter has no `id` and the file name has none either")]
    MissingId,
    #[error("the file or folder name is not valid UTF-8; rename it")]
    NameNotUtf8,
}

impl Issue {
    /// Reads an issue file's bytes. `context` comes from the file's path.
    pub fn parse(bytes: &[u8], context: &FileContext) -> Result<Self, ParseError> {
        Self::parse_reusing(bytes, context, None)
    }

    /// [`Issue::parse`], given what [`fast_map::read`] made of a frontmatter text `read`
    /// already: it is used when this file's frontmatter is that same text.
    pub(crate) fn parse_reusing(
        bytes: &[u8],
        context: &FileContext,
        read: Option<(&str, serde_yaml::Mapping)>,
    ) -> Result<Self, ParseError> {
        let text = std::str::from_utf8(bytes).map_err(|_| ParseError::NotUtf8)?;
        let (yaml, body) = split(text).ok_or(ParseError::NoFrontmatter)?;
        let mut warnings = Vec::new();
        let yaml_offset = yaml.as_ptr() as usize - text.as_ptr() as usize;
        let first_line = text[..yaml_offset].matches('\n').count() + 1;
        let read_yaml = || match read {
            Some((read_text, map)) if read_text == yaml => Some(map),
            _ => fast_map::read(yaml),
        };
        let frontmatter = lenient::read_frontmatter(yaml, read_yaml, first_line, &mut warnings)?;
        Self::from_frontmatter(frontmatter, body, context, warnings)
    }

    /// [`Issue::parse`] for a front matter the typed fast reader takes, once `accept` (given
    /// the file's text, the front matter's YAML and what the reader made of it) has agreed:
    /// `None` when the reader does not take it, `accept` refuses it, or it is no issue. Then
    /// `parse` reads it, and says why.
    pub(crate) fn parse_typed(
        bytes: &[u8],
        context: &FileContext,
        accept: impl FnOnce(&str, &str, &Frontmatter) -> bool,
    ) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let (yaml, body) = split(text)?;
        // What `lenient::read_frontmatter` returns first for such a front matter.
        let frontmatter = fast::read(yaml).filter(|_| !yaml.trim().is_empty())?;
        if !accept(text, yaml, &frontmatter) {
            return None;
        }
        Self::from_frontmatter(frontmatter, body, context, Vec::new()).ok()
    }

    fn from_frontmatter(
        fm: Frontmatter,
        body: &str,
        context: &FileContext,
        mut warnings: Vec<String>,
    ) -> Result<Self, ParseError> {
        let id = match (non_empty(&fm.id), &context.id_from_name) {
            (Some(id), Some(from_name)) if id != from_name => {
                warnings.push(format!(
                    "frontmatter id `{id}` differs from the file name's `{from_name}`; using `{id}`"
                ));
                id.to_owned()
            }
            (Some(id), _) => id.to_owned(),
            (None, Some(from_name)) => {
                warnings.push(format!(
                    "no `id` in frontmatter; using the file name's `{from_name}`"
                ));
                from_name.clone()
            }
            (None, None) => return Err(ParseError::MissingId),
        };
        // Text fields stay exactly as YAML gives them, as the tracker keeps them: a quoted
        // title keeps its spaces, `assignee: ''` stays an empty string.
        let title = match fm.title.as_deref() {
            Some(title) if !title.trim().is_empty() => title.to_owned(),
            written => {
                warnings.push("no `title` in frontmatter".to_owned());
                written.unwrap_or_default().to_owned()
            }
        };
        let status = match fm.status.as_deref() {
            None => Status::Todo,
            Some(text) => parsed_or_warn(
                Status::from_file(text),
                "status",
                Status::KNOWN,
                &mut warnings,
            ),
        };
        let priority = match fm.priority.as_deref() {
            None => Priority::Medium,
            Some(text) => parsed_or_warn(
                Priority::from_file(text),
                "priority",
                Priority::KNOWN,
                &mut warnings,
            ),
        };
        let issue_type = match fm.issue_type.as_deref() {
            None => IssueType::Other_,
            Some(text) => parsed_or_warn(
                IssueType::from_file(text),
                "issue_type",
                IssueType::KNOWN,
                &mut warnings,
            ),
        };
        let sort_keys = (
            fm.created.as_deref().and_then(timestamp::sort_key),
            fm.updated.as_deref().and_then(timestamp::sort_key),
        );
        for (key, value, sort_key) in [
            ("created", &fm.created, &sort_keys.0),
            ("updated", &fm.updated, &sort_keys.1),
        ] {
            if let (Some(text), None) = (value, sort_key) {
                warnings.push(format!("`{key}` is not a timestamp: {text:?}"));
            }
        }
        // A key present but empty or null means "no milestone"; an absent key defers to the folder.
        let milestone_key_present = fm.keys_in_file.iter().any(|k| k == "milestone");
        let milestone = if milestone_key_present || context.milestone_folder.is_none() {
            non_empty(&fm.milestone).map(str::to_owned)
        } else {
            context.milestone_folder.clone()
        };
        let archived = context.in_archive
            || fm.archived.is_some_and(|flag| flag.0)
            || status == Status::Archived;
        let body = match body.trim() {
            "" => fm
                .description
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            text => text.to_owned(),
        };
        Ok(Issue {
            id,
            title,
            status,
            priority,
            issue_type,
            archived,
            milestone,
            milestone_id: None,
            labels: fm.labels.clone().unwrap_or_default(),
            assignee: fm.assignee.clone(),
            body,
            sort_keys,
            frontmatter: fm,
            warnings: warnings.into_iter().map(one_line_warning).collect(),
            integer_comment_ids: false,
            tracker_doubt: None,
        })
    }

    /// Adds a warning about the issue, made one line as those found while parsing are.
    pub fn warn(&mut self, warning: String) {
        self.warnings.push(one_line_warning(warning));
    }

    /// The `created` timestamp as a UTC sort key, when it is one.
    #[must_use]
    pub fn created_key(&self) -> Option<&str> {
        self.sort_keys.0.as_deref()
    }

    /// The `updated` timestamp as a UTC sort key, when it is one.
    #[must_use]
    pub fn updated_key(&self) -> Option<&str> {
        self.sort_keys.1.as_deref()
    }
}

/// A warning is one line, whatever the value it quotes holds (`priority: |` gives a
/// multi-line one): control characters are escaped.
fn one_line_warning(warning: String) -> String {
    if !warning.contains(char::is_control) {
        return warning;
    }
    let mut line = String::with_capacity(warning.len() + 8);
    for c in warning.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parsed_or_warn<T>(
    (value, unknown): (T, bool),
    key: &str,
    known: &[&str],
    warnings: &mut Vec<String>,
) -> T
where
    T: std::fmt::Display,
{
    if unknown {
        warnings.push(format!(
            "unknown {key} `{value}` (known: {}); kept as written",
            known.join(", ")
        ));
    }
    value
}

/// Every Markdown document committed under `tests/fixtures` (written by the real trackers, both
/// lines), with its text: what the readers' agreement tests read.
#[cfg(test)]
pub(crate) fn fixture_documents() -> Vec<(std::path::PathBuf, String)> {
    let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    let mut documents = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    documents.push((path, text));
                }
            }
        }
    }
    documents
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Issue, ParseError> {
        Issue::parse(text.as_bytes(), &FileContext::default())
    }

    #[test]
    fn defaults_fill_missing_optional_fields() {
        let issue = parse("---\nid: 0a1b2c3d\ntitle: Fix it\n---\n\nBody text\n").unwrap();
        assert_eq!(issue.status, Status::Todo);
        assert_eq!(issue.priority, Priority::Medium);
        assert_eq!(issue.issue_type, IssueType::Other_);
        assert_eq!(issue.body, "Body text");
        assert!(issue.labels.is_empty() && issue.warnings.is_empty() && !issue.archived);
    }

    #[test]
    fn legacy_description_fills_an_empty_body() {
        let issue = parse("---\nid: a\ntitle: t\ndescription: old text\n---\n\n").unwrap();
        assert_eq!(issue.body, "old text");
    }

    #[test]
    fn empty_or_null_milestone_means_none_even_in_a_milestone_folder() {
        let in_folder = FileContext {
            milestone_folder: Some("v1".into()),
            ..FileContext::default()
        };
        for text in [
            "---\nid: a\nmilestone: ''\n---\n",
            "---\nid: a\nmilestone: null\n---\n",
        ] {
            assert_eq!(
                Issue::parse(text.as_bytes(), &in_folder).unwrap().milestone,
                None
            );
        }
        let absent = Issue::parse(b"---\nid: a\n---\n", &in_folder).unwrap();
        assert_eq!(absent.milestone.as_deref(), Some("v1"));
    }

    #[test]
    fn broken_files_name_the_problem() {
        assert_eq!(parse("no fence"), Err(ParseError::NoFrontmatter));
        assert_eq!(parse("---\ntitle: t\n---\n"), Err(ParseError::MissingId));
        assert!(matches!(
            parse("---\nid: [unclosed\n---\n"),
            Err(ParseError::Yaml(_))
        ));
        assert_eq!(
            Issue::parse(b"---\nid: \xff\n---\n", &FileContext::default()),
            Err(ParseError::NotUtf8)
        );
    }
}
