//! 0.3.1's `OutputFormatter` for `issue list`: what `click.echo` writes for `--format csv`,
//! `json`, `plain` and `markdown` (no Rich in between, unlike 1.0.2: no wrapping, CSV keeps its
//! CRLF), and the default `rich` format piped: `SmartTableLayout`'s vertical panel.

use super::table::{COLUMNS, Column, Table};
use crate::lines::python_text::{write_python_json, write_python_string};
use crate::lines::rich_text;
use serde_json::Value;
use std::fmt::Write as _;

/// The non-rich formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flat {
    Plain,
    Json,
    Csv,
    Markdown,
}

impl Flat {
    /// `--format` (lowercased) other than `rich`.
    #[must_use]
    pub fn parse(format: &str) -> Option<Flat> {
        match format {
            "plain" => Some(Flat::Plain),
            "json" => Some(Flat::Json),
            "csv" => Some(Flat::Csv),
            "markdown" => Some(Flat::Markdown),
            _ => None,
        }
    }
}

/// What the tracker writes to stdout for `table` in `format`: the formatter's text, plus the
/// newline `click.echo` adds unless the text ends with one.
#[must_use]
pub fn render(table: &Table, format: Flat) -> String {
    let mut text = match format {
        Flat::Plain => plain(table),
        Flat::Json => json(table),
        Flat::Csv => csv(table),
        Flat::Markdown => markdown(table),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// `OutputFormatter.EMOJI_MAP`, applied in this order by `--format plain`.
const PLAIN_EMOJI: &[(&str, &str)] = &[
    ("✅", "[OK]"),
    ("❌", "[ERROR]"),
    ("⚠️", "[WARN]"),
    ("⚙️", "[CONFIG]"),
    ("📋", "[INFO]"),
    ("🆔", "[ID]"),
    ("📊", "[STAT]"),
    ("🌿", "[BRANCH]"),
    ("🔗", "[LINK]"),
    ("💬", "[COMMENT]"),
    ("📍", "[LOCATION]"),
    ("🔄", "[SYNC]"),
    ("🔍", "[SEARCH]"),
    ("✏️", "[EDIT]"),
    ("🗑️", "[DELETE]"),
    ("📁", "[FOLDER]"),
    ("📈", "[UP]"),
    ("📉", "[DOWN]"),
    ("⏸️", "[PAUSE]"),
    ("▶️", "[PLAY]"),
    ("⏹️", "[STOP]"),
];

fn pad(text: &str, width: usize) -> String {
    let mut cell = text.to_owned();
    rich_text::push_spaces(&mut cell, width.saturating_sub(text.chars().count()));
    cell
}

/// `to_plain_text`: widths in characters from the raw cells (before emoji replacement), at
/// least each column's declared width; cells padded after replacement.
fn plain(table: &Table) -> String {
    let columns = table.active_columns();
    let rows = table.active_rows();
    if rows.is_empty() {
        return String::new();
    }
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let data = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            let declared = usize::try_from(column.width).unwrap_or(0);
            column.display_name.chars().count().max(data).max(declared)
        })
        .collect();
    let mut lines = vec!["Issues".to_owned(), String::new()];
    let header: Vec<String> = columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| pad(c.display_name, *w))
        .collect();
    lines.push(header.join(" | "));
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    lines.push(rules.join("-+-"));
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| {
                let replaced = PLAIN_EMOJI
                    .iter()
                    .fold((*cell).to_owned(), |text, (emoji, word)| {
                        text.replace(emoji, word)
                    });
                pad(&replaced, *width)
            })
            .collect();
        lines.push(cells.join(" | "));
    }
    lines.join("\n")
}

/// Python's `csv.writer` defaults: minimal quoting, CRLF, and a lone empty field quoted (so
/// the row is not empty).
fn csv(table: &Table) -> String {
    let mut out = String::new();
    crate::big_buffer::reserve(&mut out, 128 * (table.rows.len() + 1));
    let header: Vec<&str> = table
        .active_columns()
        .iter()
        .map(|c| c.display_name)
        .collect();
    csv_row(&mut out, &header);
    // One buffer for every row's chosen cells.
    let mut fields: Vec<&str> = Vec::with_capacity(header.len());
    for row in &table.rows {
        table.active_cells(row, &mut fields);
        csv_row(&mut out, &fields);
    }
    out
}

fn csv_row(out: &mut String, fields: &[&str]) {
    crate::lines::legacy::outputs::table_data::push_csv_record(out, fields);
    out.push_str("\r\n");
}

/// `to_markdown`: fixed rules (the header's length, at least 3, plus 2), no padding.
fn markdown(table: &Table) -> String {
    let columns = table.active_columns();
    let rows = table.active_rows();
    if rows.is_empty() {
        return String::new();
    }
    let mut lines = vec!["## Issues\n".to_owned()];
    let header: Vec<&str> = columns.iter().map(|c| c.display_name).collect();
    lines.push(format!("| {} |", header.join(" | ")));
    let rules: Vec<String> = columns
        .iter()
        .map(|c| "-".repeat(c.display_name.chars().count().max(3) + 2))
        .collect();
    lines.push(format!("|{}|", rules.join("|")));
    for row in rows {
        lines.push(format!("| {} |", row.join(" | ")));
    }
    lines.join("\n")
}

/// `TableData.to_dict` as `json.dumps(indent=2)` writes it: every column's metadata (whatever
/// `--columns` says), the chosen cells, and what the options did. The rows (nearly all of it)
/// are written straight from the cells, in the layout [`write_python_json`] gives an array of
/// arrays of strings: a 10k-issue envelope built as a `Value` first was a fifth of the reply.
fn json(table: &Table) -> String {
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|column| {
            serde_json::json!({
                "name": column.name,
                "display_name": column.display_name,
                "type": column.kind,
                "width": column.width,
                "headline": "",
                "display_style": column.style,
                "enum_values": column.enum_values,
                "sortable": column.sortable,
                "filterable": column.filterable,
            })
        })
        .collect();
    let filters: serde_json::Map<String, Value> = table
        .filters_applied
        .iter()
        .map(|(i, v)| (COLUMNS[*i].name.to_owned(), Value::from(v.as_str())))
        .collect();
    let sort_by: Vec<Value> = table
        .sort_by
        .iter()
        .map(|(i, d)| serde_json::json!([COLUMNS[*i].name, d]))
        .collect();
    let selected = table.selected.as_ref().map_or(Value::Null, |indices| {
        indices
            .iter()
            .map(|&i| Value::from(COLUMNS[i].name))
            .collect()
    });
    let metadata = serde_json::json!({
        "total": table.total,
        "returned": table.rows.len(),
        "filters_applied": filters,
        "sort_by": sort_by,
        "selected_columns": selected,
    });
    let mut out = String::new();
    crate::big_buffer::reserve(&mut out, 256 * (table.rows.len() + 8));
    out.push_str("{\n  \"title\": \"Issues\",\n  \"headline\": ");
    write_python_string(&mut out, &table.headline);
    out.push_str(",\n  \"columns\": ");
    write_python_json(&mut out, &Value::Array(columns), 1);
    out.push_str(",\n  \"rows\": ");
    if table.rows.is_empty() {
        out.push_str("[]");
    } else {
        out.push_str("[\n");
        let mut cells: Vec<&str> = Vec::new();
        for (index, row) in table.rows.iter().enumerate() {
            if index > 0 {
                out.push_str(",\n");
            }
            table.active_cells(row, &mut cells);
            out.push_str("    ");
            if cells.is_empty() {
                out.push_str("[]");
                continue;
            }
            out.push_str("[\n");
            for (at, cell) in cells.iter().enumerate() {
                if at > 0 {
                    out.push_str(",\n");
                }
                out.push_str("      ");
                write_python_string(&mut out, cell);
            }
            out.push_str("\n    ]");
        }
        out.push_str("\n  ]");
    }
    out.push_str(",\n  \"metadata\": ");
    write_python_json(&mut out, &metadata, 1);
    out.push_str("\n}");
    out
}

/// `SmartTableLayout.should_use_vertical_layout` on a terminal `terminal_width` wide (the
/// tracker's `shutil.get_terminal_size()`, at least 40): the estimated width of the horizontal
/// table (first five rows, in characters, 30 per column at most) exceeds 80% of it.
#[must_use]
pub fn vertical_layout(table: &Table, terminal_width: usize) -> bool {
    if table.rows.is_empty() {
        return false; // estimated at 20 columns
    }
    let mut total = 0;
    for (index, column) in COLUMNS.iter().enumerate() {
        let mut width = column.display_name.chars().count() + 2;
        for row in table.rows.iter().take(5) {
            width = width.max(row[index].chars().count());
        }
        total += (width + 2).min(30);
    }
    total += COLUMNS.len() + 4;
    total * 5 > terminal_width.max(40) * 4
}

/// `render_vertical` printed by a console `width` cells wide (80 piped): every row as "Entry N"
/// with one line per column (all nine, whatever `--columns` says), rows apart by a rule.
pub fn vertical(out: &mut String, table: &Table, width: usize) {
    const RULE: usize = 40;
    let rule = "─".repeat(RULE);
    // Each value's cells and characters, measured once; a value holding a newline is more
    // than one line, which the panel of the joined text splits as Rich does.
    let mut measured: Vec<(usize, usize)> = Vec::with_capacity(table.rows.len() * COLUMNS.len());
    let label = |column: &Column| 4 + column.display_name.len();
    let mut longest = if table.rows.len() > 1 { RULE } else { 0 };
    let mut bytes = 0;
    for row in &table.rows {
        for (column, value) in COLUMNS.iter().zip(row) {
            let size = if rich_text::is_printable_ascii(value) {
                (value.len(), value.len())
            } else if memchr::memchr(b'\n', value.as_bytes()).is_some() {
                return vertical_joined(out, table, width, &rule);
            } else {
                (rich_text::cell_len(value), value.chars().count())
            };
            measured.push(size);
            longest = longest.max(label(column) + size.0);
            bytes += label(column) + value.len() + 1;
        }
    }
    longest = longest.max("Entry ".len() + table.rows.len().to_string().len());
    // Room for every line at the panel's width, wrapped lines and wide characters too: the
    // text is written once, never moved (10 MB at 10k issues; each move touched every page
    // again, and page faults were half of a served `issue list`).
    let lines = table.rows.len() * (COLUMNS.len() + 4) + 1;
    crate::big_buffer::reserve(out, lines * (longest.min(width) + 9) + 2 * bytes + 256);
    let mut panel = rich_text::Panel::new(out, "Issues", longest, width);
    let mut entry = String::new();
    let mut sizes = measured.into_iter();
    for (index, row) in table.rows.iter().enumerate() {
        if index > 0 {
            panel.line(&[], 0, 0);
            panel.line(&[&rule], RULE, RULE);
            panel.line(&[], 0, 0);
        }
        entry.clear();
        let _ = write!(entry, "Entry {}", index + 1);
        panel.line(&[&entry], entry.len(), entry.len());
        for (column, value) in COLUMNS.iter().zip(row) {
            let (cells, chars) = sizes.next().expect("one size a value");
            let name = column.display_name;
            panel.line(
                &["  ", name, ": ", value],
                label(column) + cells,
                label(column) + chars,
            );
        }
    }
    // The text ends with a newline: Rich prints the empty line after it.
    panel.line(&[], 0, 0);
    panel.finish();
}

/// [`vertical`] when a value holds a newline: the entries joined into one text, which the
/// panel splits into lines as Rich does.
fn vertical_joined(out: &mut String, table: &Table, width: usize, rule: &str) {
    let separator = format!("\n{rule}\n\n");
    let mut entries = String::new();
    for (index, row) in table.rows.iter().enumerate() {
        if index > 0 {
            entries.push_str(&separator);
        }
        let _ = writeln!(entries, "Entry {}", index + 1);
        for (column, value) in COLUMNS.iter().zip(row) {
            entries.push_str("  ");
            entries.push_str(column.display_name);
            entries.push_str(": ");
            entries.push_str(value);
            entries.push('\n');
        }
    }
    rich_text::write_panel(out, "Issues", &entries, width);
}
