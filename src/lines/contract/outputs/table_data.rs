//! 0.3.1's `TableData` as `with_output_support` prints it for the list commands other than
//! `issue list` (`milestone list`, `project list`): columns without declared widths or styles,
//! every cell a string, no `--columns`/`--sort-by`/`--filter` applied (those are forwarded).
//!
//! `plain`, `csv`, `markdown` and `json` are `OutputFormatter`'s text through `click.echo`;
//! `rich` is `SmartTableLayout`: the vertical panel when the estimated width passes 80% of the
//! terminal, else Rich's table (see [`crate::lines::rich_text`]), printed on a [`Console`].

use super::issue_list::{Answer, Reply};
use crate::lines::rich_text::{self, PLAIN_WIDTH};
use serde_json::Value;

/// The formats of `with_output_support`, lowercased.
pub const FORMATS: &[&str] = &["rich", "plain", "json", "csv", "markdown"];

/// A `TableData` of string cells.
#[derive(Debug, Clone)]
pub struct TableData {
    pub title: &'static str,
    pub headline: &'static str,
    /// `(name, display_name, type)` of each column.
    pub columns: &'static [(&'static str, &'static str, &'static str)],
    pub rows: Vec<Vec<String>>,
}

/// Where the tracker's Rich console prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Console {
    /// Piped: the plain mode, 80 cells whatever the terminal's width.
    Piped,
    /// A terminal this many cells wide (`COLUMNS`, else the terminal's own width).
    Terminal(usize),
}

/// What the tracker writes to stdout for `table` in `format` (one of [`FORMATS`]) piped, or
/// `None` where Rich would rewrite or wrap what we print. `terminal_width` is what the tracker's
/// `shutil.get_terminal_size()` reads (`COLUMNS` even when piped): it chooses the layout.
#[must_use]
pub fn render(table: &TableData, format: &str, terminal_width: usize) -> Option<String> {
    let mut text = match format {
        "rich" => return rich(table, terminal_width, Console::Piped),
        "plain" => plain(table),
        "json" => crate::lines::legacy::outputs::table_data::python_json(&json(table), 0),
        "csv" => csv(table),
        "markdown" => markdown(table),
        _ => return None,
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Some(text)
}

/// The reply printing `stdout`, or the tracker's (for the reason `why`) where we have no text.
pub fn reply(stdout: Option<String>, why: impl FnOnce() -> String) -> Answer {
    match stdout {
        Some(stdout) => Answer::Reply(Reply {
            stdout,
            stderr: String::new(),
            code: 0,
        }),
        None => Answer::Forward(why()),
    }
}

fn headers(table: &TableData) -> Vec<&'static str> {
    table
        .columns
        .iter()
        .map(|(_, display, _)| *display)
        .collect()
}

fn pad(text: &str, width: usize) -> String {
    format!(
        "{text}{}",
        " ".repeat(width.saturating_sub(text.chars().count()))
    )
}

/// `to_plain_text` (no declared widths here); empty when there are no rows.
fn plain(table: &TableData) -> String {
    if table.rows.is_empty() {
        return String::new();
    }
    let widths: Vec<usize> = headers(table)
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let data = table.rows.iter().map(|r| r[i].chars().count()).max();
            header.chars().count().max(data.unwrap_or(0))
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        padded.join(" | ")
    };
    let mut lines = vec![table.title.to_owned(), String::new(), line(headers(table))];
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    lines.push(rules.join("-+-"));
    lines.extend(
        table
            .rows
            .iter()
            .map(|row| line(row.iter().map(String::as_str).collect())),
    );
    lines.join("\n")
}

/// Python's `csv.writer`: minimal quoting, CRLF, a lone empty field quoted.
fn csv(table: &TableData) -> String {
    let mut out = String::new();
    let rows = std::iter::once(headers(table).iter().map(|h| (*h).to_owned()).collect())
        .chain(table.rows.iter().cloned());
    for row in rows {
        let row: Vec<String> = row;
        out.push_str(&crate::lines::legacy::outputs::table_data::csv_record(&row));
        out.push_str("\r\n");
    }
    out
}

/// `to_markdown`: rules of the header's length (at least 3) plus 2; empty without rows.
fn markdown(table: &TableData) -> String {
    if table.rows.is_empty() {
        return String::new();
    }
    let headers = headers(table);
    let rules: Vec<String> = headers
        .iter()
        .map(|h| "-".repeat(h.chars().count().max(3) + 2))
        .collect();
    let mut lines = vec![
        format!("## {}\n", table.title),
        format!("| {} |", headers.join(" | ")),
        format!("|{}|", rules.join("|")),
    ];
    lines.extend(table.rows.iter().map(|r| format!("| {} |", r.join(" | "))));
    lines.join("\n")
}

/// `TableData.to_dict()`.
fn json(table: &TableData) -> Value {
    let columns: Vec<Value> = table
        .columns
        .iter()
        .map(|(name, display, kind)| {
            serde_json::json!({
                "name": name,
                "display_name": display,
                "type": kind,
                "width": null,
                "headline": "",
                "display_style": null,
                "enum_values": null,
                "sortable": true,
                "filterable": true,
            })
        })
        .collect();
    serde_json::json!({
        "title": table.title,
        "headline": table.headline,
        "columns": columns,
        "rows": table.rows,
        "metadata": {
            "total": table.rows.len(),
            "returned": table.rows.len(),
            "filters_applied": {},
            "sort_by": [],
            "selected_columns": null,
        }
    })
}

/// `SmartTableLayout.calculate_table_width` (20 without rows) against 80% of the terminal
/// (`shutil.get_terminal_size()`, at least 40).
fn vertical_layout(table: &TableData, terminal_width: usize) -> bool {
    if table.rows.is_empty() {
        return 20 * 5 > terminal_width.max(40) * 4;
    }
    let mut total = 0;
    for (index, header) in headers(table).iter().enumerate() {
        let mut width = header.chars().count() + 2;
        for row in table.rows.iter().take(5) {
            width = width.max(row[index].chars().count());
        }
        total += (width + 2).min(30);
    }
    total += table.columns.len() + 4;
    total * 5 > terminal_width.max(40) * 4
}

/// The rich format on a terminal `width` cells wide, without colour (the caller adds the
/// tracker's, see [`super::terminal`]); `None` where Rich would wrap a table's cell.
#[must_use]
pub fn rich_on_terminal(table: &TableData, width: usize) -> Option<String> {
    rich(table, width, Console::Terminal(width))
}

/// The rich format: `render_vertical`'s panel (cells as plain `Text`) at the console's width,
/// or Rich's table when it fits the console. Piped, only the table without rows is served (the
/// only one captured piped); on a terminal, the table with rows too (captured at 120 columns).
fn rich(table: &TableData, terminal_width: usize, console: Console) -> Option<String> {
    let console_width = match console {
        Console::Piped => PLAIN_WIDTH,
        Console::Terminal(width) => width,
    };
    if vertical_layout(table, terminal_width) {
        let cells_plain = table
            .rows
            .iter()
            .flatten()
            .all(|c| rich_text::is_plain_text(c));
        if !cells_plain || !rich_text::is_plain_text(table.title) {
            return None;
        }
        let entries: Vec<String> = table
            .rows
            .iter()
            .enumerate()
            .map(|(index, row)| {
                let mut entry = format!("Entry {}\n", index + 1);
                for (header, value) in headers(table).iter().zip(row) {
                    entry.push_str(&format!("  {header}: {value}\n"));
                }
                entry
            })
            .collect();
        let separator = format!("\n{}\n\n", "─".repeat(40));
        return Some(rich_text::panel(
            table.title,
            &entries.join(&separator),
            console_width,
        ));
    }
    let literal =
        table.rows.iter().flatten().all(|c| {
            rich_text::is_literal(c) && c.chars().all(|ch| ch.is_ascii() && !ch.is_control())
        });
    let headers = headers(table);
    let widths = headers.iter().enumerate().map(|(i, h)| {
        table
            .rows
            .iter()
            .map(|r| r[i].chars().count())
            .chain([h.chars().count()])
            .max()
            .unwrap_or(0)
    });
    let total = widths.map(|w| w + 3).sum::<usize>() + 1;
    // A table wider than the console has its columns shrunk and wrapped by Rich: not followed.
    let rows_served = table.rows.is_empty() || console != Console::Piped;
    (literal && total <= console_width && rows_served)
        .then(|| rich_text::table(table.title, &headers, &table.rows))
}
