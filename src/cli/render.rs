//! Rendering issue lists: table, plain, CSV, ids, Markdown and JSON.

use super::list_args::Format;
use crate::cache::query::{IssueRow, Matched, MilestoneRow};
use std::io::Write as _;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How a table is laid out on this output.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableStyle {
    pub colour: bool,
    /// Fit rows to this many columns by shortening titles; `None` prints them whole.
    pub width: Option<usize>,
}

/// Renders `rows` in a non-JSON `format`.
#[must_use]
pub fn render_rows(rows: &[IssueRow], format: Format, style: TableStyle) -> String {
    match format {
        Format::Table => table(rows, style),
        Format::Plain => table(rows, TableStyle::default()),
        Format::Csv => csv(rows),
        Format::Ids => rows.iter().map(|r| format!("{}\n", r.id)).collect(),
        Format::Markdown => markdown(rows),
        Format::Json => json(&[]),
    }
}

/// The line under a table that a `--limit` cut: how many issues matched in all, when that
/// was quick to count.
#[must_use]
pub fn limit_footer(shown: usize, matched: Matched) -> String {
    match matched {
        Matched::Exactly(matched) if matched <= shown => String::new(),
        Matched::Exactly(matched) => {
            format!("({shown} of {matched} matching issues shown; raise --limit to see more)\n")
        }
        Matched::Many => {
            format!("({shown} shown; more issues match: raise --limit to see more)\n")
        }
    }
}

/// Writes the stored JSON objects as one array, one object per line, as they come: the bytes
/// of [`json`], without holding the list. The first [`HELD_BACK`] bytes are held back, so a
/// list that fails early (a damaged cache, cured by a rebuild and a second try) has printed
/// nothing yet.
pub struct JsonArray<W: std::io::Write> {
    out: std::io::BufWriter<W>,
    /// Bytes pushed so far, separators included.
    bytes: usize,
    error: Option<std::io::Error>,
}

/// What [`JsonArray`] holds back before the first write: about 1,300 issues.
pub const HELD_BACK: usize = 1 << 20;

impl<W: std::io::Write> JsonArray<W> {
    pub fn new(out: W) -> Self {
        JsonArray {
            out: std::io::BufWriter::with_capacity(HELD_BACK, out),
            bytes: 0,
            error: None,
        }
    }

    /// Writes one object; false once writing failed (a closed pipe), so the caller stops.
    pub fn push(&mut self, object: &str) -> bool {
        let separator: &[u8] = if self.bytes == 0 { b"[\n" } else { b",\n" };
        match self
            .out
            .write_all(separator)
            .and_then(|()| self.out.write_all(object.as_bytes()))
        {
            Ok(()) => {
                self.bytes += separator.len() + object.len();
                true
            }
            Err(error) => {
                self.error = Some(error);
                false
            }
        }
    }

    /// Whether some bytes have reached the output (the rest is still held back).
    #[must_use]
    pub fn reached_output(&self) -> bool {
        self.error.is_some() || self.bytes > self.out.buffer().len()
    }

    /// Drops what is held back, writing nothing more.
    pub fn discard(self) {
        drop(self.out.into_parts());
    }

    /// Closes the array and flushes; the first write error, if any.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let end: &[u8] = if self.bytes == 0 { b"[]\n" } else { b"\n]\n" };
        self.out.write_all(end)?;
        self.out.flush()
    }
}

/// Joins the stored JSON objects into one array, one object per line.
#[must_use]
pub fn json(objects: &[String]) -> String {
    if objects.is_empty() {
        return "[]\n".to_owned();
    }
    let mut out = String::with_capacity(objects.iter().map(|o| o.len() + 3).sum::<usize>() + 4);
    out.push_str("[\n");
    for (index, object) in objects.iter().enumerate() {
        if index > 0 {
            out.push_str(",\n");
        }
        out.push_str(object);
    }
    out.push_str("\n]\n");
    out
}

/// The line above a milestone's issues: its status and due date.
#[must_use]
pub fn milestone_header(name: &str, milestone: Option<&MilestoneRow>) -> String {
    let Some(milestone) = milestone else {
        return format!("Milestone {name} (no milestone file)\n");
    };
    let mut facts = vec![
        milestone
            .status
            .clone()
            .unwrap_or_else(|| "no status".to_owned()),
    ];
    if let Some(due) = &milestone.due_date {
        facts.push(format!("due {due}"));
    }
    if milestone.archived {
        facts.push("archived".to_owned());
    }
    format!("Milestone {} ({})\n", milestone.name, facts.join(", "))
}

const HEADERS: [&str; 7] = [
    "ID",
    "TITLE",
    "STATUS",
    "PRIORITY",
    "TYPE",
    "ASSIGNEE",
    "MILESTONE",
];
const TITLE: usize = 1;
const MIN_TITLE: usize = 12;
/// Columns dropped, in this order, when the table does not fit its width with the title at
/// [`MIN_TITLE`]: type, assignee, milestone, priority. ID, title and status always stay.
const DROP_ORDER: [usize; 4] = [4, 5, 6, 3];

/// `text` with control characters (newlines, tabs, escapes) spelled out, so one issue is
/// always one line and a title cannot move the cursor or recolour the terminal.
#[must_use]
pub fn escape_control(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn cells(row: &IssueRow) -> [String; 7] {
    [
        &row.id,
        &row.title,
        &row.status,
        &row.priority,
        &row.issue_type,
        // `assignee: ''` is kept as written, and shown as nobody (the tracker: "Unassigned").
        row.assignee
            .as_deref()
            .filter(|a| !a.is_empty())
            .unwrap_or("-"),
        row.milestone.as_deref().unwrap_or("-"),
    ]
    .map(escape_control)
}

/// Which columns to show and how wide each is, to fit `total` columns when given.
fn layout(widths: &mut [usize; 7], total: Option<usize>) -> [bool; 7] {
    let mut shown = [true; 7];
    let Some(total) = total else {
        return shown;
    };
    let others = |shown: &[bool; 7]| -> usize {
        (0..7)
            .filter(|&i| i != TITLE && shown[i])
            .map(|i| widths[i] + 2)
            .sum()
    };
    for column in DROP_ORDER {
        if others(&shown) + widths[TITLE].min(MIN_TITLE) <= total {
            break;
        }
        shown[column] = false;
    }
    widths[TITLE] = widths[TITLE].min(total.saturating_sub(others(&shown)).max(MIN_TITLE));
    shown
}

fn table(rows: &[IssueRow], style: TableStyle) -> String {
    if rows.is_empty() {
        return "No issues found.\n".to_owned();
    }
    let cells: Vec<[String; 7]> = rows.iter().map(cells).collect();
    let mut widths = HEADERS.map(UnicodeWidthStr::width);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let shown = layout(&mut widths, style.width);
    let mut out = String::new();
    push_line(
        &mut out,
        &HEADERS.map(str::to_owned),
        &widths,
        &shown,
        |_, text| {
            if style.colour {
                format!("\x1b[1m{text}\x1b[0m")
            } else {
                text
            }
        },
    );
    for (row, cells) in rows.iter().zip(&cells) {
        push_line(&mut out, cells, &widths, &shown, |column, text| {
            if style.colour {
                colour(column, row, text)
            } else {
                text
            }
        });
    }
    out
}

fn push_line(
    out: &mut String,
    cells: &[String; 7],
    widths: &[usize; 7],
    shown: &[bool; 7],
    paint: impl Fn(usize, String) -> String,
) {
    let last = (0..7).rev().find(|&i| shown[i]).unwrap_or(0);
    for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if !shown[column] {
            continue;
        }
        let text = truncate(cell, *width);
        let padding = if column == last {
            0
        } else {
            width - text.width() + 2
        };
        out.push_str(&paint(column, text));
        out.extend(std::iter::repeat_n(' ', padding));
    }
    out.push('\n');
}

fn colour(column: usize, row: &IssueRow, text: String) -> String {
    let code = match (column, row.status.as_str(), row.priority.as_str()) {
        (2, "in-progress", _) => "33",
        (2, "blocked", _) => "31",
        (2, "review", _) => "36",
        (2, "closed" | "archived", _) => "2",
        (3, _, "critical") => "1;31",
        (3, _, "high") => "31",
        (0, ..) => "2",
        _ => return text,
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Shortens `text` to `width` display columns, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn csv(rows: &[IssueRow]) -> String {
    let mut out = String::from(
        "id,title,status,priority,issue_type,assignee,milestone,labels,created,updated,due_date,archived,path\n",
    );
    for row in rows {
        let labels = row.labels.join(";");
        let archived = row.archived.to_string();
        let fields = [
            row.id.as_str(),
            &row.title,
            &row.status,
            &row.priority,
            &row.issue_type,
            row.assignee.as_deref().unwrap_or(""),
            row.milestone.as_deref().unwrap_or(""),
            &labels,
            row.created.as_deref().unwrap_or(""),
            row.updated.as_deref().unwrap_or(""),
            row.due_date.as_deref().unwrap_or(""),
            &archived,
            &row.path,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn markdown(rows: &[IssueRow]) -> String {
    let mut out = String::from(
        "| ID | Title | Status | Priority | Type | Assignee | Milestone |\n|---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let cells: Vec<String> = cells(row).iter().map(|c| c.replace('|', "\\|")).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// Renders one issue for `roadmap show`: its fields, then its body.
#[must_use]
pub fn show(detail: &crate::cache::query::IssueDetail) -> String {
    let row = &detail.row;
    let or_dash = |value: &Option<String>| {
        let value = value.as_deref().filter(|v| !v.is_empty());
        value.unwrap_or("-").to_owned()
    };
    let labels = if row.labels.is_empty() {
        "-".to_owned()
    } else {
        row.labels.join(", ")
    };
    let mut out = format!("{}  {}\n", row.id, escape_control(&row.title));
    out.push_str(&format!(
        "status: {}  priority: {}  type: {}{}\n",
        row.status,
        row.priority,
        row.issue_type,
        if row.archived { "  (archived)" } else { "" }
    ));
    out.push_str(&format!(
        "milestone: {}  assignee: {}  labels: {labels}\n",
        or_dash(&row.milestone),
        or_dash(&row.assignee)
    ));
    out.push_str(&format!(
        "created: {}  updated: {}  due: {}\n",
        or_dash(&row.created),
        or_dash(&row.updated),
        or_dash(&row.due_date)
    ));
    out.push_str(&format!("file: {}\n", row.path));
    for warning in detail.warnings.iter().flat_map(|w| w.lines()) {
        out.push_str(&format!("warning: {warning}\n"));
    }
    if !detail.body.is_empty() {
        out.push('\n');
        out.push_str(&detail.body);
        out.push('\n');
    }
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&detail.json).unwrap_or_default();
    out.push_str(&super::thread::sections(&object));
    out
}

/// The JSON of one issue for `roadmap show --format json`: the list object plus `body`.
#[must_use]
pub fn show_json(detail: &crate::cache::query::IssueDetail) -> String {
    json_with_body(&detail.json, &detail.body)
}

/// An issue's JSON object (as `list` prints it) with its `body` added, on one line.
#[must_use]
pub fn json_with_body(json: &str, body: &str) -> String {
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).unwrap_or_default();
    object.insert("body".into(), serde_json::Value::String(body.to_owned()));
    format!("{}\n", serde_json::Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_display_columns() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a long title here", 8), "a long …");
        assert_eq!(truncate("日本語のタイトル", 7), "日本語…");
    }

    #[test]
    fn control_characters_are_spelled_out() {
        assert_eq!(escape_control("plain"), "plain");
        assert_eq!(
            escape_control("two\nlines\t\u{1b}[31m"),
            "two\\nlines\\t\\u{1b}[31m"
        );
    }

    #[test]
    fn narrow_tables_drop_type_then_assignee_then_milestone_then_priority() {
        let fitted = |total| {
            let mut widths = [8, 40, 11, 8, 7, 8, 9];
            let shown = layout(&mut widths, Some(total));
            (shown, widths[TITLE])
        };
        assert_eq!(fitted(200), ([true; 7], 40));
        assert_eq!(fitted(80).0, [true; 7]);
        assert_eq!(
            fitted(60),
            ([true, true, true, true, false, false, true], 16)
        );
        assert_eq!(
            fitted(40),
            ([true, true, true, false, false, false, false], 17)
        );
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
    }
}
