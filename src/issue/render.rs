//! Writing issue files the way the tracker does: a new file in its canonical shape, and an
//! existing file with some fields changed and every other byte kept (unknown keys, key order,
//! comments, the body).
//!
//! Values are written so that PyYAML (YAML 1.1, the tracker) and serde_yaml (YAML 1.2, us) read
//! back the same text: anything either would take for a number, boolean, null or date is quoted.

/// One frontmatter value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum YamlValue {
    Null,
    Text(String),
    Bool(bool),
    Number(f64),
    /// A list of text, written in block style (`- item` lines), or `[]` when empty.
    List(Vec<String>),
    /// An empty mapping, `{}`.
    EmptyMap,
    /// A whole number, written plain (`42`).
    Integer(i64),
    /// A mapping of scalars in block style (`remote_ids:` then `  github: 42`), `{}` when empty.
    Map(Vec<(String, YamlValue)>),
}

/// Returns `key: value` as it goes in a file, with block-list lines when needed.
#[must_use]
pub fn render_field(key: &str, value: &YamlValue) -> String {
    match value {
        YamlValue::Null => format!("{key}: null\n"),
        YamlValue::Text(text) => format!("{key}: {}\n", scalar(text)),
        YamlValue::Bool(flag) => format!("{key}: {flag}\n"),
        YamlValue::Number(number) => format!("{key}: {}\n", float(*number)),
        YamlValue::List(items) if items.is_empty() => format!("{key}: []\n"),
        YamlValue::List(items) => {
            let mut out = format!("{key}:\n");
            for item in items {
                out.push_str(&format!("- {}\n", scalar(item)));
            }
            out
        }
        YamlValue::EmptyMap => format!("{key}: {{}}\n"),
        YamlValue::Integer(number) => format!("{key}: {number}\n"),
        YamlValue::Map(entries) if entries.is_empty() => format!("{key}: {{}}\n"),
        YamlValue::Map(entries) => {
            let mut out = format!("{key}:\n");
            for (inner, value) in entries {
                for line in render_field(&scalar(inner), value).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            out
        }
    }
}

/// PyYAML writes floats with a decimal point (`4.0`), which both dialects read as a float.
fn float(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{number:.1}")
    } else {
        format!("{number}")
    }
}

/// Writes `text` as a YAML scalar that reads back as exactly this string in YAML 1.1 and 1.2.
#[must_use]
pub fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else if text.chars().all(|c| !c.is_control()) {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        // JSON escapes (\n, \t, \", \\, \uXXXX) are valid in YAML double-quoted scalars.
        serde_json::to_string(text).unwrap_or_else(|_| format!("'{}'", text.replace('\'', "''")))
    }
}

/// Words YAML 1.1 or 1.2 read as booleans or null, in any case.
const RESERVED: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let last = text.chars().last().unwrap_or(first);
    let looks_numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || "+-._:eE".contains(c))
        || text.parse::<f64>().is_ok()
        || text.starts_with("0x")
        || text.starts_with("0o")
        || text.starts_with('.');
    let looks_like_date = text.len() >= 8
        && text.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && text.as_bytes()[4] == b'-';
    !(first.is_whitespace()
        || last.is_whitespace()
        || "-?:,[]{}#&*!|>'\"%@`=<".contains(first)
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || text.chars().any(|c| c.is_control() || !c.is_ascii())
        || looks_numeric
        || looks_like_date
        || RESERVED.contains(&text.to_ascii_lowercase().as_str()))
}

/// The fields of an issue `roadmap create` writes; everything else starts empty.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub id: String,
    pub title: String,
    pub priority: String,
    pub status: String,
    pub issue_type: String,
    pub milestone: Option<String>,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
    /// `created` and `updated`, e.g. `2026-11-25T09:05:01.123456+00:00`.
    pub now: String,
    pub body: String,
}

/// Returns the whole file of a new issue: every key the tracker writes, in its order.
#[must_use]
pub fn new_issue_file(issue: &NewIssue) -> String {
    let text = |value: &Option<String>| value.clone().map_or(YamlValue::Null, YamlValue::Text);
    let fields: [(&str, YamlValue); 28] = [
        ("id", YamlValue::Text(issue.id.clone())),
        ("title", YamlValue::Text(issue.title.clone())),
        ("headline", YamlValue::Text(String::new())),
        ("priority", YamlValue::Text(issue.priority.clone())),
        ("status", YamlValue::Text(issue.status.clone())),
        ("archived", YamlValue::Bool(false)),
        ("issue_type", YamlValue::Text(issue.issue_type.clone())),
        ("milestone", text(&issue.milestone)),
        ("labels", YamlValue::List(issue.labels.clone())),
        ("remote_ids", YamlValue::EmptyMap),
        ("created", YamlValue::Text(issue.now.clone())),
        ("updated", YamlValue::Text(issue.now.clone())),
        ("assignee", text(&issue.assignee)),
        ("estimated_hours", YamlValue::Null),
        ("due_date", YamlValue::Null),
        ("depends_on", YamlValue::List(Vec::new())),
        ("blocks", YamlValue::List(Vec::new())),
        ("actual_start_date", YamlValue::Null),
        ("actual_end_date", YamlValue::Null),
        ("progress_percentage", YamlValue::Null),
        ("handoff_notes", YamlValue::Null),
        ("previous_assignee", YamlValue::Null),
        ("handoff_date", YamlValue::Null),
        ("git_branches", YamlValue::List(Vec::new())),
        ("git_commits", YamlValue::List(Vec::new())),
        ("completed_date", YamlValue::Null),
        ("comments", YamlValue::List(Vec::new())),
        ("github_issue", YamlValue::Null),
    ];
    let yaml: String = fields
        .iter()
        .map(|(key, value)| render_field(key, value))
        .collect();
    format!("---\n{yaml}---\n\n{}\n", issue.body.trim_end())
}

/// Sets top-level frontmatter keys in the file `text`, keeping every other byte: a key that is
/// present has its line (and its block-list or indented lines) replaced in place; a key that is
/// absent is added after the closest key before it in `order`, or at the end.
/// Returns `None` when the file has no frontmatter block.
#[must_use]
pub fn set_fields(text: &str, changes: &[(&str, YamlValue)], order: &[&str]) -> Option<String> {
    let (yaml, _body) = super::split(text)?;
    let yaml_start = yaml.as_ptr() as usize - text.as_ptr() as usize;
    let yaml_end = yaml_start + yaml.len();
    let mut lines: Vec<String> = yaml.split_inclusive('\n').map(str::to_owned).collect();
    if let Some(last) = lines.last_mut().filter(|l| !l.ends_with('\n')) {
        last.push('\n');
    }
    for (key, value) in changes {
        let rendered = render_field(key, value);
        match key_span(&lines, key) {
            Some(span) => {
                lines.splice(span, std::iter::once(rendered));
            }
            None => {
                let position = insertion_point(&lines, key, order);
                lines.insert(position, rendered);
            }
        }
    }
    let mut yaml_text: String = lines.concat();
    if !yaml.ends_with('\n') {
        yaml_text.pop();
    }
    Some(format!(
        "{}{yaml_text}{}",
        &text[..yaml_start],
        &text[yaml_end..]
    ))
}

/// The lines holding top-level `key`: its own line and the indented or `- ` lines under it.
fn key_span(lines: &[String], key: &str) -> Option<std::ops::Range<usize>> {
    let start = lines
        .iter()
        .position(|line| top_level_key(line) == Some(key))?;
    let end = (start + 1..lines.len())
        .find(|&i| top_level_key(&lines[i]).is_some())
        .unwrap_or(lines.len());
    Some(start..end)
}

fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '-', '#']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    Some(key.trim_matches(|c| c == '\'' || c == '"'))
}

fn insertion_point(lines: &[String], key: &str, order: &[&str]) -> usize {
    let earlier = order.iter().take_while(|k| **k != key);
    earlier
        .filter_map(|k| key_span(lines, k))
        .map(|span| span.end)
        .max()
        .unwrap_or(lines.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_that_would_read_as_something_else_are_quoted() {
        for text in [
            "yes",
            "No",
            "on",
            "~",
            "null",
            "12345678",
            "1e5",
            "0x1F",
            "1_000",
            "2025-01-02",
            "1:20",
            ".inf",
            "4.0",
            "",
        ] {
            assert!(scalar(text).starts_with('\''), "{text} -> {}", scalar(text));
        }
        assert_eq!(scalar("4e619042"), "'4e619042'");
        assert_eq!(scalar("Fix login"), "Fix login");
        assert_eq!(scalar("v1-0"), "v1-0");
        assert_eq!(scalar("It's: done"), "'It''s: done'");
        assert_eq!(scalar("Écrire"), "'Écrire'");
        assert_eq!(scalar("two\nlines"), "\"two\\nlines\"");
    }

    #[test]
    fn every_rendered_scalar_reads_back_as_the_same_text() {
        for text in [
            "yes",
            "4e619042",
            "It's",
            "a: b",
            "#tag",
            "- dash",
            " lead",
            "tail ",
            "Écrire 🚀",
            "tab\there",
            "q\"uote",
            "back\\slash",
            "[x]",
            "{y}",
            "@at",
            "%p",
            "*star",
            "&amp",
            "!bang",
            "|pipe",
            ">gt",
            "0o17",
            "+1",
        ] {
            let yaml = format!("title: {}\n", scalar(text));
            let back: crate::issue::Frontmatter = serde_yaml::from_str(&yaml).unwrap();
            assert_eq!(back.title.as_deref(), Some(text), "{yaml}");
        }
    }

    /// Text that trips YAML one way or another, mixed into generated issues below.
    const TRICKY: &[&str] = &[
        "yes",
        "No",
        "null",
        "~",
        "4e619042",
        "12345678",
        "0x1F",
        "1_000",
        "2025-01-02",
        "1:20",
        ".nan",
        "-",
        "- x",
        "a: b",
        "#hash",
        "x #y",
        "trailing:",
        " lead",
        "tail ",
        "'quoted'",
        "\"dq\"",
        "back\\slash",
        "[list]",
        "{map}",
        "*ref",
        "&anchor",
        "!tag",
        "|block",
        ">fold",
        "%dir",
        "@at",
        "`tick`",
        "Écrire 🚀",
        "日本語",
        "tab\tin",
        "line\nbreak",
        "plain words",
        "v1-0",
        "",
    ];

    #[test]
    fn generated_issues_round_trip_through_the_file_format() {
        use crate::corpus::Rng;
        use crate::issue::{FileContext, Issue};
        let mut rng = Rng::new(11);
        for round in 0..400 {
            let mut pick = |fallback: &str| -> String {
                if rng.chance(40) {
                    (*rng.pick(TRICKY)).to_owned()
                } else {
                    format!("{fallback} {round}")
                }
            };
            let title = match pick("Title") {
                t if t.trim().is_empty() => "Untitled".to_owned(),
                t => t,
            };
            let labels: Vec<String> = (0..3)
                .map(|_| pick("label"))
                .filter(|l| !l.is_empty())
                .collect();
            let assignee = Some(pick("person")).filter(|a| !a.trim().is_empty());
            let milestone = Some(pick("m")).filter(|m| !m.trim().is_empty());
            let new = NewIssue {
                id: format!("{round:08x}"),
                title: title.clone(),
                priority: "high".into(),
                status: "review".into(),
                issue_type: "bug".into(),
                milestone: milestone.clone(),
                labels: labels.clone(),
                assignee: assignee.clone(),
                now: "2026-01-02T03:04:05.000006+00:00".into(),
                body: format!("Body {round}\n\n- item"),
            };
            let file = new_issue_file(&new);
            let issue = Issue::parse(file.as_bytes(), &FileContext::default())
                .unwrap_or_else(|e| panic!("{e}\n{file}"));
            assert_eq!(issue.id, new.id, "{file}");
            assert_eq!(issue.title, title, "{file}");
            assert_eq!(issue.labels, labels, "{file}");
            assert_eq!(issue.assignee, assignee, "{file}");
            assert_eq!(
                issue.milestone,
                milestone
                    .map(|m| m.trim().to_owned())
                    .filter(|m| !m.is_empty()),
                "{file}"
            );
            assert_eq!(issue.body, new.body, "{file}");
            assert!(issue.warnings.is_empty(), "{:?}\n{file}", issue.warnings);
            // And changing a field in place reads back too, with nothing else disturbed.
            let changed = set_fields(
                &file,
                &[("title", YamlValue::Text(pick("New")))],
                crate::issue::KNOWN_KEYS,
            )
            .unwrap();
            let again = Issue::parse(changed.as_bytes(), &FileContext::default()).unwrap();
            assert_eq!((again.labels, again.body), (issue.labels, issue.body));
        }
    }

    const ORDER: &[&str] = &["id", "title", "status", "labels", "updated", "assignee"];

    #[test]
    fn changing_fields_keeps_every_other_byte() {
        let file = "---\nid: a1\ntitle: T\nx_custom: {keep: [1, 2]}\nstatus: todo\nlabels:\n- bug\n- ui\nupdated: '2025'\n---\n\nBody\n  stays.\n";
        let changed = set_fields(
            file,
            &[
                ("status", YamlValue::Text("closed".into())),
                ("labels", YamlValue::List(vec!["bug".into()])),
            ],
            ORDER,
        )
        .unwrap();
        assert_eq!(
            changed,
            "---\nid: a1\ntitle: T\nx_custom: {keep: [1, 2]}\nstatus: closed\nlabels:\n- bug\nupdated: '2025'\n---\n\nBody\n  stays.\n"
        );
    }

    #[test]
    fn a_missing_key_goes_after_its_predecessor() {
        let file = "---\nid: a1\ntitle: T\nupdated: '2025'\n---\n\nBody\n";
        let changed =
            set_fields(file, &[("status", YamlValue::Text("review".into()))], ORDER).unwrap();
        assert_eq!(
            changed,
            "---\nid: a1\ntitle: T\nstatus: review\nupdated: '2025'\n---\n\nBody\n"
        );
        let appended = set_fields(file, &[("zzz", YamlValue::Null)], ORDER).unwrap();
        assert_eq!(
            appended,
            "---\nid: a1\ntitle: T\nupdated: '2025'\nzzz: null\n---\n\nBody\n"
        );
    }

    #[test]
    fn a_mapping_is_written_in_block_style_and_reads_back() {
        let value = YamlValue::Map(vec![
            ("github".into(), YamlValue::Integer(42)),
            ("gitlab".into(), YamlValue::Text("7".into())),
        ]);
        let file = format!("---\nid: a\n{}---\n", render_field("remote_ids", &value));
        assert_eq!(
            file,
            "---\nid: a\nremote_ids:\n  github: 42\n  gitlab: '7'\n---\n"
        );
        let issue = crate::issue::Issue::parse(file.as_bytes(), &Default::default()).unwrap();
        let ids = issue.frontmatter.remote_ids.unwrap();
        assert_eq!(
            (ids["github"].as_u64(), ids["gitlab"].as_str()),
            (Some(42), Some("7"))
        );
        assert_eq!(
            render_field("remote_ids", &YamlValue::Map(Vec::new())),
            "remote_ids: {}\n"
        );
    }

    #[test]
    fn crlf_files_keep_their_line_endings_elsewhere() {
        let file = "---\r\nid: a1\r\nstatus: todo\r\n---\r\n\r\nBody\r\n";
        let changed =
            set_fields(file, &[("status", YamlValue::Text("closed".into()))], ORDER).unwrap();
        assert_eq!(
            changed,
            "---\r\nid: a1\r\nstatus: closed\n---\r\n\r\nBody\r\n"
        );
    }
}
