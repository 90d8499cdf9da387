//! Reading one 0.2 document as roadmap-cli 0.3.1 does, strictly: its front-matter pattern, git
//! conflict markers, and typed accessors that refuse whatever PyYAML (YAML 1.1) and the
//! tracker's validation could read differently from serde_yaml (YAML 1.2) and us.

use super::row::Unread;
use crate::issue::timestamp;
use serde_yaml::{Mapping, Value};
use std::path::Path;

pub(super) fn unserved(path: &Path, what: &str) -> Unread {
    Unread::Unserved(format!("{}: {what}", path.display()))
}

/// Why the document at `path` holding `text` stops a read: git conflict hunks left in it, in
/// its front matter (the first marker line) or as a whole hunk in its body.
pub(super) fn conflicted(path: &Path, text: &str) -> Option<Unread> {
    // Each marker line holds one of these; a file with none of them (nearly every file) is
    // not walked line by line twice.
    static MARKERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
        std::sync::LazyLock::new(|| {
            ["<<<<<<<", ">>>>>>>", "======="].map(memchr::memmem::Finder::new)
        });
    if !MARKERS
        .iter()
        .any(|marker| marker.find(text.as_bytes()).is_some())
    {
        return None;
    }
    let path = path.to_owned();
    if let Some(line) = conflict_line(text) {
        return Some(Unread::Conflict { path, line });
    }
    body_conflict_line(text).map(|line| Unread::BodyConflict { path, line })
}

/// The first line of the front matter that is a git conflict marker, if any.
pub(super) fn conflict_line(text: &str) -> Option<usize> {
    let mut fences = 0;
    for (index, line) in text.lines().enumerate() {
        if line.trim_end() == "---" {
            fences += 1;
            if fences == 2 {
                return None;
            }
        }
        if line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line == "=======" {
            return Some(index + 1);
        }
    }
    None
}

/// The line (1-based, in the file) opening the first whole git conflict hunk after the front
/// matter: `<<<<<<<`, then `=======`, then `>>>>>>>`, each at the start of a line. A lone
/// `=======` is Markdown's heading underline, and a lone marker is text, not a conflict.
pub(super) fn body_conflict_line(text: &str) -> Option<usize> {
    let mut fences = 0;
    let mut opened = None;
    let mut divided = false;
    for (index, line) in text.lines().enumerate() {
        if fences < 2 {
            if line.trim_end() == "---" {
                fences += 1;
            }
            continue;
        }
        if line.starts_with("<<<<<<<") {
            opened = Some(index + 1);
            divided = false;
        } else if line.trim_end() == "=======" && opened.is_some() {
            divided = true;
        } else if line.starts_with(">>>>>>>") && divided {
            return opened;
        }
    }
    None
}

/// 0.3.1's `\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z`, then one leading newline of the
/// body dropped; the front matter parsed as a mapping.
pub(super) fn front_matter(text: &str) -> Option<(Mapping, &str)> {
    front_matter_read(text).map(|read| (read.data, read.body))
}

/// One document's front matter as [`front_matter`] reads it, with the YAML text when the
/// fast mapping reader read it: the sync then parses that mapping into the issue, not the
/// text a second time.
pub(super) struct FrontMatterRead<'a> {
    pub(super) data: Mapping,
    pub(super) body: &'a str,
    pub(super) read_fast_from: Option<&'a str>,
}

pub(super) fn front_matter_read(text: &str) -> Option<FrontMatterRead<'_>> {
    let (yaml, body) = front_matter_text(text)?;
    if let Some(data) = crate::issue::fast_map::read(yaml) {
        return Some(FrontMatterRead {
            data,
            body,
            read_fast_from: Some(yaml),
        });
    }
    match serde_yaml::from_str::<Value>(yaml).ok()? {
        Value::Mapping(data) => Some(FrontMatterRead {
            data,
            body,
            read_fast_from: None,
        }),
        _ => None,
    }
}

/// The front matter's YAML text and the body, split by 0.3.1's pattern.
pub(super) fn front_matter_text(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    static FENCE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\n---"));
    let mut from = 0;
    let (yaml, body) = loop {
        let at = from + FENCE.find(rest.get(from..)?.as_bytes())?;
        let after = rest[at + 4..].trim_start_matches([' ', '\t']);
        let after = after.strip_prefix('\r').unwrap_or(after);
        if let Some(body) = after.strip_prefix('\n') {
            let yaml = &rest[..at];
            break (yaml.strip_suffix('\r').unwrap_or(yaml), body);
        }
        from = at + 1;
    };
    Some((yaml, body.strip_prefix('\n').unwrap_or(body)))
}

/// One document's front matter, read strictly: each accessor ([`Strict`]) refuses what 0.3.1
/// would read differently or reject.
pub(super) struct Fields<'a> {
    pub(super) path: &'a Path,
    pub(super) data: &'a Mapping,
}

impl Fields<'_> {
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.data.get(key).filter(|v| !v.is_null())
    }
}

impl Strict for Fields<'_> {
    fn path(&self) -> &Path {
        self.path
    }

    fn has(&self, key: &str) -> bool {
        self.data.contains_key(key)
    }

    fn field(&self, key: &str) -> Option<Field<'_>> {
        self.get(key).map(Field::of)
    }

    fn comment_count(&self) -> Result<usize, Unread> {
        super::strict::comment_count(self)
    }
}

/// One front-matter value as the strict accessors tell it apart.
pub(super) enum Field<'a> {
    Text(&'a str),
    Number {
        value: f64,
        integer: bool,
    },
    List(Vec<Field<'a>>),
    /// A boolean, a mapping, a tagged value; or, from a reader that cannot be sure of a value's
    /// type, a value it would rather not vouch for: refused either way.
    Other,
}

impl<'a> Field<'a> {
    pub(super) fn of(value: &'a Value) -> Self {
        match value {
            Value::String(text) => Field::Text(text),
            Value::Number(n) => n.as_f64().map_or(Field::Other, |value| Field::Number {
                value,
                integer: n.is_i64() || n.is_u64(),
            }),
            Value::Sequence(items) => Field::List(items.iter().map(Field::of).collect()),
            _ => Field::Other,
        }
    }
}

/// Where the strict accessors read a document: its mapping ([`Fields`]), or the typed front
/// matter the sync's fast reader made of it (`strict::Typed`). Each accessor refuses what
/// 0.3.1 would read differently or reject; the rules are written once, here.
pub(super) trait Strict {
    fn path(&self) -> &Path;
    /// Whether the key is in the front matter, null or not.
    fn has(&self, key: &str) -> bool;
    /// The key's value; `None` when it is absent or null.
    fn field(&self, key: &str) -> Option<Field<'_>>;
    /// The number of comments, each checked as the tracker checks them.
    fn comment_count(&self) -> Result<usize, Unread>;

    /// A string PyYAML would also read as a string (see [`pyyaml_retypes`]).
    fn text(&self, key: &str) -> Result<Option<String>, Unread> {
        Ok(self.text_str(key)?.map(str::to_owned))
    }

    /// [`Strict::text`], borrowed: the sync's check of every file copies nothing.
    fn text_str(&self, key: &str) -> Result<Option<&str>, Unread> {
        match self.field(key) {
            None => Ok(None),
            Some(Field::Text(s)) if !pyyaml_retypes(s) => Ok(Some(s)),
            Some(_) => Err(unserved(self.path(), &format!("`{key}` is not plain text"))),
        }
    }

    /// Non-empty, trimmed, single-line text (the tracker's `RequiredText` and `EntityId`).
    fn required(&self, key: &str) -> Result<String, Unread> {
        self.required_str(key).map(str::to_owned)
    }

    /// [`Strict::required`], borrowed.
    fn required_str(&self, key: &str) -> Result<&str, Unread> {
        match self.text_str(key)? {
            Some(s) if !s.is_empty() && s.trim() == s && !s.contains(['\0', '\r', '\n']) => Ok(s),
            _ => Err(unserved(
                self.path(),
                &format!("`{key}` missing or not one line"),
            )),
        }
    }

    fn one_of(&self, key: &str, default: &str, values: &[&str]) -> Result<String, Unread> {
        self.one_of_str(key, default, values).map(str::to_owned)
    }

    /// [`Strict::one_of`], borrowed.
    fn one_of_str<'s>(
        &'s self,
        key: &str,
        default: &'s str,
        values: &[&str],
    ) -> Result<&'s str, Unread> {
        let value = self.text_str(key)?.unwrap_or(default);
        if values.contains(&value) {
            Ok(value)
        } else {
            Err(unserved(self.path(), &format!("`{key}: {value}`")))
        }
    }

    /// A timestamp as 0.3.1 writes it (`2026-12-06T22:23:47.326481+00:00`), as a sort key.
    /// Quoted or not: PyYAML reads an unquoted one as a datetime, the same instant.
    fn timestamp(&self, key: &str) -> Result<Option<String>, Unread> {
        let text = match self.field(key) {
            None => return Ok(None),
            Some(Field::Text(text)) => text,
            Some(_) => {
                return Err(unserved(
                    self.path(),
                    &format!("`{key}` is not a timestamp"),
                ));
            }
        };
        let written = text.len() >= 19 && text.as_bytes()[10] == b'T' && &text[17..19] < "60";
        match timestamp::sort_key(text).filter(|_| written) {
            Some(sort_key) => Ok(Some(sort_key)),
            None => Err(unserved(self.path(), &format!("`{key}: {text}`"))),
        }
    }

    fn number(&self, key: &str) -> Result<Option<f64>, Unread> {
        match self.field(key) {
            None => Ok(None),
            Some(Field::Number { value, .. }) => Ok(Some(value).filter(|f| f.is_finite())),
            Some(_) => Err(unserved(self.path(), &format!("`{key}` is not a number"))),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<String>, Unread> {
        Ok(self.list_str(key)?.into_iter().map(str::to_owned).collect())
    }

    /// [`Strict::list`], borrowed.
    fn list_str(&self, key: &str) -> Result<Vec<&str>, Unread> {
        let Some(value) = self.field(key) else {
            return Ok(Vec::new());
        };
        let Field::List(items) = value else {
            return Err(unserved(self.path(), &format!("`{key}` is not a list")));
        };
        items
            .into_iter()
            .map(|item| match item {
                Field::Text(s) if !pyyaml_retypes(s) && !s.is_empty() && s.trim() == s => Ok(s),
                _ => Err(unserved(self.path(), &format!("an odd item in `{key}`"))),
            })
            .collect()
    }

    fn schema_version(&self) -> Result<(), Unread> {
        match self.field("schema_version") {
            Some(Field::Number {
                value: 1.0,
                integer: true,
            }) => Ok(()),
            _ => Err(unserved(self.path(), "`schema_version` is not 1")),
        }
    }
}

/// Whether PyYAML (YAML 1.1) would read this plain scalar as something other than a string:
/// booleans such as `yes`/`off`, null spellings, and numbers or dates (approximated from the
/// first characters; a false alarm only sends the command to the tracker).
fn pyyaml_retypes(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL",
    ];
    if WORDS.contains(&text) || text.starts_with(".inf") || text.starts_with(".nan") {
        return true;
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |t: &str| {
        t.chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == ':')
    };
    let starts_with_digit = unsigned.starts_with(|c: char| c.is_ascii_digit());
    // PyYAML's `0b[0-1_]+` and `0x[0-9a-fA-F_]+`, whole: a UUID such as `0bb69211-…` is text.
    let radix = |prefix: &str, allowed: fn(&char) -> bool| {
        unsigned
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c == '_' || allowed(&c)))
    };
    // Integers (decimal, sexagesimal `1:30`, `0b`, `0x`, octal `017`).
    let integer = starts_with_digit
        && (digits(unsigned)
            || radix("0b", |c| matches!(c, '0' | '1'))
            || radix("0x", char::is_ascii_hexdigit));
    // Floats: `1.5`, `.5`, `1e+3` forms.
    let float = unsigned.contains('.')
        && unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || "_.:eE+-".contains(c));
    // Dates and timestamps: `2026-01-01`, `2026-1-1 10:00:00`.
    let b = text.as_bytes();
    let date = b.len() >= 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5].is_ascii_digit();
    integer || float || date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyyaml_typed_scalars_are_told_from_text() {
        for typed in [
            "yes",
            "Off",
            "12345678",
            "1.5",
            "2026-01-01",
            "0x1f",
            "0b101",
            "1_000",
            "~",
        ] {
            assert!(pyyaml_retypes(typed), "{typed}");
        }
        for text in [
            "v0-1",
            "ada",
            "2 apples",
            "0758d37f-2853-43d0",
            "0bb69211-47f7-41f6-94f8-f93d85152b11",
            "0x1g",
            "Handle CRLF",
            "2026abcd-1",
        ] {
            assert!(!pyyaml_retypes(text), "{text}");
        }
    }

    #[test]
    fn front_matter_follows_the_trackers_pattern() {
        let (data, body) = front_matter("---\nid: a\n---\n\nBody.").unwrap();
        assert_eq!(data.get("id").and_then(Value::as_str), Some("a"));
        assert_eq!(body, "Body.");
        // The closing fence needs its line break.
        assert!(front_matter("---\nid: a\n---").is_none());
    }

    #[test]
    fn conflict_markers_count_only_in_front_matter() {
        assert_eq!(conflict_line("---\nid: a\n<<<<<<< HEAD\n---\n"), Some(3));
        assert_eq!(conflict_line("---\nid: a\n---\n=======\n"), None);
    }

    #[test]
    fn a_body_conflict_is_a_whole_hunk() {
        let hunk = "---\nid: a\n---\n\nText\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> other\n";
        assert_eq!(body_conflict_line(hunk), Some(6));
        let diff3 = "---\nid: a\n---\n<<<<<<< HEAD\na\n||||||| base\nb\n=======\nc\n>>>>>>> x\n";
        assert_eq!(body_conflict_line(diff3), Some(4));
        // A heading underline, a quoted marker, or half a hunk is text.
        assert_eq!(
            body_conflict_line("---\nid: a\n---\nTitle\n=======\n"),
            None
        );
        assert_eq!(
            body_conflict_line("---\nid: a\n---\n<<<<<<< HEAD\nours\n"),
            None
        );
        assert_eq!(
            body_conflict_line("---\nid: a\n---\n>>>>>>> x\n=======\n"),
            None
        );
        assert!(matches!(
            conflicted(Path::new("a.md"), hunk),
            Some(Unread::BodyConflict { line: 6, .. })
        ));
    }
}
