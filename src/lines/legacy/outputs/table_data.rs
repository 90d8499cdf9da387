//! The tracker's (`roadmap-cli` 1.0.2) table output in its plain mode: the `TableData` of a list
//! command rendered as CSV, JSON or Markdown, each printed through Rich at 80 cells
//! ([`crate::lines::rich_text`]). JSON is Python's `json.dumps(indent=2)` with `ensure_ascii`.

pub(crate) use crate::lines::python_text::{csv_record, push_csv_record, python_json};
use crate::lines::rich_text::{self, PLAIN_WIDTH};
use serde_json::Value;

/// One column of the tracker's `TableData`, as its JSON shows it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub display_name: &'static str,
    pub kind: &'static str,
    pub width: u32,
    pub style: &'static str,
    pub enum_values: Option<&'static [&'static str]>,
    pub sortable: bool,
    pub filterable: bool,
}

/// A table ready to print: every column, the rows (all strings), and what was applied.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: &'static str,
    pub headline: String,
    pub columns: &'static [Column],
    pub rows: Vec<Vec<String>>,
    pub selected: Option<Vec<usize>>,
    pub filters_applied: Vec<(String, String)>,
    pub sort_by: Vec<(String, String)>,
    pub total: usize,
}

/// The output formats of the tracker's `--format` other than `rich` (its default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Plain,
    Csv,
    Json,
    Markdown,
}

impl TableFormat {
    /// Reads `--format`; `None` for `rich` or no flag (the tracker's default).
    #[must_use]
    pub fn parse(format: Option<&str>) -> Option<Self> {
        match format.map(str::to_ascii_lowercase).as_deref() {
            Some("plain") => Some(TableFormat::Plain),
            Some("csv") => Some(TableFormat::Csv),
            Some("json") => Some(TableFormat::Json),
            Some("markdown") => Some(TableFormat::Markdown),
            _ => None,
        }
    }
}

/// What `--format plain` replaces in a cell (roadmap-cli's `OutputFormatter.EMOJI_MAP`). A cell
/// holding one is forwarded rather than replaced here: the map's order and overlaps decide the
/// result, and they are rare in issue data.
pub const PLAIN_EMOJI: &[&str] = &[
    "✅", "❌", "⚠️", "⚙️", "📋", "🆔", "📊", "🌿", "🔗", "💬", "📍", "🔄", "🔍", "✏️", "🗑️", "📁",
    "📈", "📉", "⏸️", "▶️", "⏹️",
];

impl Table {
    /// A table of `rows` under `title`, nothing selected, filtered or sorted yet.
    #[must_use]
    pub fn new(
        title: &'static str,
        headline: String,
        columns: &'static [Column],
        rows: Vec<Vec<String>>,
    ) -> Table {
        Table {
            title,
            headline,
            columns,
            total: rows.len(),
            rows,
            selected: None,
            filters_applied: Vec::new(),
            sort_by: Vec::new(),
        }
    }

    fn active_columns(&self) -> Vec<&Column> {
        match &self.selected {
            Some(indices) => indices.iter().map(|&i| &self.columns[i]).collect(),
            None => self.columns.iter().collect(),
        }
    }

    fn active_rows(&self) -> Vec<Vec<&str>> {
        self.rows
            .iter()
            .map(|row| match &self.selected {
                Some(indices) => indices.iter().map(|&i| row[i].as_str()).collect(),
                None => row.iter().map(String::as_str).collect(),
            })
            .collect()
    }

    /// The text the tracker hands to `console.print` for `format`.
    #[must_use]
    pub fn render(&self, format: TableFormat) -> String {
        match format {
            TableFormat::Plain => self.plain(),
            TableFormat::Csv => self.csv(),
            TableFormat::Json => python_json(&self.to_json(), 0),
            TableFormat::Markdown => self.markdown(),
        }
    }

    /// `SmartTableLayout.should_use_vertical_layout`: the estimated table width (first five
    /// rows, characters not cells, 30 per column at most) exceeds 80% of the terminal's width.
    #[must_use]
    pub fn vertical_layout(&self, terminal_width: usize) -> bool {
        if self.rows.is_empty() {
            return false; // estimated at 20 columns: the horizontal table
        }
        let mut total = 0;
        for (index, column) in self.columns.iter().enumerate() {
            let mut width = column.display_name.chars().count() + 2;
            for row in self.rows.iter().take(5) {
                width = width.max(row[index].chars().count());
            }
            total += (width + 2).min(30);
        }
        total += self.columns.len() + 4;
        #[allow(clippy::cast_precision_loss)]
        let vertical = total as f64 > terminal_width.max(40) as f64 * 0.8;
        vertical
    }

    /// `SmartTableLayout.render_vertical` printed in plain mode: every row as "Entry N" with
    /// one line per column (all columns, whatever `--columns` says), in one panel.
    #[must_use]
    pub fn render_vertical(&self) -> String {
        let entries: Vec<String> = self
            .rows
            .iter()
            .enumerate()
            .map(|(index, row)| {
                let mut entry = format!("Entry {}\n", index + 1);
                for (column, value) in self.columns.iter().zip(row) {
                    entry.push_str(&format!("  {}: {value}\n", column.display_name));
                }
                entry
            })
            .collect();
        let separator = format!("\n{}\n\n", "─".repeat(40));
        crate::lines::rich_text::panel(self.title, &entries.join(&separator), PLAIN_WIDTH)
    }

    /// Applies `--columns`, `--sort-by` and `--filter` as the tracker's output decorator does,
    /// in its order; names are looked up among the first `selectable` columns. `Err` names what
    /// the tracker would reject (ours then forwards the command).
    pub fn shape(
        &mut self,
        flags: &super::issue_list::TableArgs,
        selectable: usize,
    ) -> Result<(), &'static str> {
        let (columns, sort_by, filter) = (
            flags.columns.as_deref(),
            flags.sort_by.as_deref(),
            flags.filter.as_deref(),
        );
        let all = self.columns;
        let lookup = |name: &str| {
            all[..selectable]
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name.trim()))
        };
        if let Some(spec) = columns.filter(|s| !s.is_empty()) {
            let selected: Option<Vec<usize>> = spec.split(',').map(lookup).collect();
            self.selected = Some(selected.ok_or("an unknown --columns name")?);
        }
        if let Some(spec) = sort_by.filter(|s| !s.is_empty()) {
            let mut keys = Vec::new();
            for item in spec.split(',') {
                let item = item.trim();
                let (name, direction) = item.split_once(':').unwrap_or((item, "asc"));
                let direction = direction.trim().to_lowercase();
                let index = lookup(name).ok_or("an unknown --sort-by column")?;
                if !all[index].sortable || !matches!(direction.as_str(), "asc" | "desc") {
                    return Err("a --sort-by the tracker rejects");
                }
                keys.push((index, direction));
            }
            self.rows.sort_by(|a, b| {
                keys.iter()
                    .map(|(i, _)| a[*i].cmp(&b[*i]))
                    .fold(std::cmp::Ordering::Equal, std::cmp::Ordering::then)
            });
            for (_, direction) in keys.iter().rev() {
                if direction == "desc" {
                    self.rows.reverse();
                }
            }
            self.sort_by = keys
                .into_iter()
                .map(|(i, d)| (all[i].name.to_owned(), d))
                .collect();
        }
        if let Some(spec) = filter {
            for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let operator = ["!=", "<=", ">=", "=", "~", "<", ">"]
                    .into_iter()
                    .find(|op| item.contains(op))
                    .ok_or("a --filter without an operator")?;
                let (name, value) = item.split_once(operator).expect("the operator occurs");
                let index = lookup(name).ok_or("an unknown --filter column")?;
                if operator != "=" {
                    continue; // parsed but not applied by the tracker
                }
                let column = &all[index];
                let value = value.trim();
                if !column.filterable || column.enum_values.is_some_and(|v| !v.contains(&value)) {
                    return Err("a --filter the tracker rejects");
                }
                self.rows.retain(|row| row[index] == value);
                match self
                    .filters_applied
                    .iter_mut()
                    .find(|(c, _)| c == column.name)
                {
                    Some(entry) => entry.1 = value.to_owned(),
                    None => self
                        .filters_applied
                        .push((column.name.to_owned(), value.to_owned())),
                }
            }
        }
        Ok(())
    }

    /// Whether some cell holds a character `--format plain` would replace ([`PLAIN_EMOJI`]).
    #[must_use]
    pub fn has_plain_emoji(&self) -> bool {
        self.rows
            .iter()
            .flatten()
            .any(|cell| PLAIN_EMOJI.iter().any(|e| cell.contains(e)))
    }

    /// `OutputFormatter.to_plain_text`: columns padded to characters (not cells), the width of
    /// each at least its `width`.
    fn plain(&self) -> String {
        if self.rows.is_empty() {
            return String::new();
        }
        let columns = self.active_columns();
        let rows = self.active_rows();
        let widths: Vec<usize> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let data = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
                let declared = usize::try_from(column.width).unwrap_or(0);
                column.display_name.chars().count().max(data).max(declared)
            })
            .collect();
        let pad = |text: &str, width: usize| {
            let mut cell = text.to_owned();
            rich_text::push_spaces(&mut cell, width.saturating_sub(text.chars().count()));
            cell
        };
        let mut lines = vec![self.title.to_owned(), String::new()];
        let header: Vec<String> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| pad(c.display_name, *w))
            .collect();
        lines.push(header.join(" | "));
        let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        lines.push(rules.join("-+-"));
        for row in rows {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
            lines.push(cells.join(" | "));
        }
        lines.join("\n")
    }

    fn csv(&self) -> String {
        if self.rows.is_empty() {
            return String::new();
        }
        let mut out = String::new();
        let header: Vec<&str> = self
            .active_columns()
            .iter()
            .map(|c| c.display_name)
            .collect();
        csv_line(&mut out, &header);
        for row in self.active_rows() {
            csv_line(&mut out, &row);
        }
        out
    }

    fn markdown(&self) -> String {
        if self.rows.is_empty() {
            return String::new();
        }
        let columns = self.active_columns();
        let mut lines = vec![format!("## {}\n", self.title)];
        let header: Vec<&str> = columns.iter().map(|c| c.display_name).collect();
        lines.push(format!("| {} |", header.join(" | ")));
        let rules: Vec<String> = columns
            .iter()
            .map(|c| "-".repeat(c.display_name.chars().count().max(3) + 2))
            .collect();
        lines.push(format!("|{}|", rules.join("|")));
        for row in self.active_rows() {
            lines.push(format!("| {} |", row.join(" | ")));
        }
        lines.join("\n")
    }

    fn to_json(&self) -> Value {
        let columns: Vec<Value> = self.columns.iter().map(column_json).collect();
        let rows: Vec<Value> = self
            .active_rows()
            .into_iter()
            .map(|row| Value::Array(row.into_iter().map(Value::from).collect()))
            .collect();
        let filters: serde_json::Map<String, Value> = self
            .filters_applied
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        let sort_by: Vec<Value> = self
            .sort_by
            .iter()
            .map(|(c, d)| Value::Array(vec![Value::from(c.as_str()), Value::from(d.as_str())]))
            .collect();
        let selected = self.selected.as_ref().map_or(Value::Null, |indices| {
            Value::Array(
                indices
                    .iter()
                    .map(|&i| Value::from(self.columns[i].name))
                    .collect(),
            )
        });
        serde_json::json!({
            "title": self.title,
            "headline": self.headline,
            "columns": columns,
            "rows": rows,
            "metadata": {
                "total": self.total,
                "returned": self.rows.len(),
                "filters_applied": filters,
                "sort_by": sort_by,
                "selected_columns": selected,
            }
        })
    }
}

fn column_json(column: &Column) -> Value {
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
}

/// Python's `csv.writer` with its defaults (minimal quoting, `\r\n`, which Rich prints as `\n`).
fn csv_line(out: &mut String, fields: &[&str]) {
    push_csv_record(out, fields);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_pythons_layout_and_escapes() {
        let value = serde_json::json!({"a": [], "b": {}, "c": ["É🚀\"x"], "d": null});
        assert_eq!(
            python_json(&value, 0),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    \"\\u00c9\\ud83d\\ude80\\\"x\"\n  ],\n  \"d\": null\n}"
        );
    }
}
