//! 0.3.1's `TableData` for `issue list`: the nine columns (`create_issue_columns`), the cells
//! (`_table` in `issues/list.py`), and `--columns` / `--sort-by` / `--filter` as its
//! `with_output_support` decorator parses and applies them.

use super::args::{PRIORITIES, STATUSES};
use super::row::ContractIssueRow;
use std::borrow::Cow;

/// One column as the JSON envelope shows it: the same `TableData` column as 1.0.2's.
pub use crate::lines::legacy::outputs::table_data::Column;

const fn column(
    name: &'static str,
    display_name: &'static str,
    width: u32,
    style: &'static str,
    sortable: bool,
    filterable: bool,
) -> Column {
    Column {
        name,
        display_name,
        kind: "string",
        width,
        style,
        enum_values: None,
        sortable,
        filterable,
    }
}

/// The issue columns, in order.
pub const COLUMNS: &[Column] = &[
    column("id", "ID", 8, "cyan", true, true),
    column("title", "Title", 25, "white", true, true),
    Column {
        kind: "enum",
        enum_values: Some(PRIORITIES),
        ..column("priority", "Priority", 10, "yellow", true, true)
    },
    Column {
        kind: "enum",
        enum_values: Some(STATUSES),
        ..column("status", "Status", 12, "green", true, true)
    },
    column("progress", "Progress", 10, "blue", false, false),
    column("assignee", "Assignee", 12, "magenta", true, true),
    column("estimate", "Estimate", 10, "green", true, false),
    column("milestone", "Milestone", 15, "blue", true, true),
    column("comment_count", "Comments", 9, "dim", true, false),
];

/// A table ready to render: all columns' cells per row, and what the options did to it.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    pub headline: String,
    /// Borrowed from the issues where a cell is a field as it is (most are).
    pub rows: Vec<Vec<Cow<'a, str>>>,
    /// `--columns`, as indices into [`COLUMNS`].
    pub selected: Option<Vec<usize>>,
    pub filters_applied: Vec<(usize, String)>,
    pub sort_by: Vec<(usize, String)>,
    /// Rows before `--filter`.
    pub total: usize,
}

/// The parsed `--columns`, `--sort-by` and `--filter`.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub selected: Option<Vec<usize>>,
    pub sort_by: Vec<(usize, String)>,
    pub filters: Vec<(usize, String)>,
}

/// Why a table option failed, as the tracker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeError {
    /// click's `BadParameter` from the decorator: usage error, exit 2.
    Usage(String),
    /// A `ValueError` from `TableData`: `Error: ...`, exit 1.
    Application(String),
    /// Input whose Python string handling we do not reproduce: forward.
    Unserved(&'static str),
}

/// The cells of one issue, in [`COLUMNS`] order.
#[must_use]
pub fn cells(issue: &ContractIssueRow) -> Vec<Cow<'_, str>> {
    let progress = match issue.progress_percentage {
        None => Cow::Borrowed("0%"),
        Some(p) => Cow::Owned(
            python_g(p.value)
                .map(|g| format!("{g}%"))
                .unwrap_or_default(),
        ),
    };
    vec![
        Cow::Borrowed(issue.id.as_str()),
        Cow::Borrowed(issue.title.as_str()),
        Cow::Borrowed(issue.priority.as_str()),
        Cow::Borrowed(issue.status.as_str()),
        progress,
        Cow::Borrowed(
            issue
                .assignee
                .as_deref()
                .filter(|a| !a.is_empty())
                .unwrap_or("Unassigned"),
        ),
        match issue.estimated_hours {
            None => Cow::Borrowed("Not estimated"),
            Some(h) => Cow::Owned(duration(Some(h.value))),
        },
        Cow::Borrowed(
            issue
                .milestone_name
                .as_deref()
                .or(issue.milestone_id.as_deref())
                .unwrap_or("Backlog"),
        ),
        match issue.comment_count {
            0 => Cow::Borrowed(""),
            n => Cow::Owned(format!("💬 {n}")),
        },
    ]
}

/// Whether [`cells`] can show this issue's progress exactly (Python's `:g` without exponent).
#[must_use]
pub fn progress_is_servable(issue: &ContractIssueRow) -> bool {
    issue
        .progress_percentage
        .is_none_or(|p| python_g(p.value).is_some())
}

/// `_time`: minutes under an hour, hours up to a day, else days of eight hours.
#[must_use]
pub fn duration(hours: Option<f64>) -> String {
    match hours {
        None => "Not estimated".to_owned(),
        Some(h) if h < 1.0 => format!("{:.0}m", h * 60.0),
        Some(h) if h <= 24.0 => one_decimal(h, 'h'),
        Some(h) => one_decimal(h / 8.0, 'd'),
    }
}

/// `{value:.1}` and `unit`. Most estimates are whole tenths: those are spelt from their integer
/// count of tenths (the same digits: the count is within half an ulp of `value * 10`, far from
/// a rounding boundary), the rest by the float formatter, ten times slower.
fn one_decimal(value: f64, unit: char) -> String {
    let tenths = value * 10.0;
    if tenths.fract() == 0.0 && (0.0..1e15).contains(&tenths) {
        // Exact: a whole number below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let tenths = tenths as u64;
        return format!("{}.{}{unit}", tenths / 10, tenths % 10);
    }
    format!("{value:.1}{unit}")
}

/// Python's `format(value, "g")` for values it writes without an exponent (six significant
/// digits, trailing zeros dropped); `None` where Python would use one.
fn python_g(value: f64) -> Option<String> {
    if value == 0.0 {
        return Some(if value.is_sign_negative() { "-0" } else { "0" }.to_owned());
    }
    // A whole number below 10^6 (most progress values) has six significant digits or fewer
    // and no exponent: its integer digits.
    if value.fract() == 0.0 && value.abs() < 1e6 {
        #[allow(clippy::cast_possible_truncation)]
        return Some((value as i64).to_string());
    }
    let scientific = format!("{value:.5e}");
    let exponent: i32 = scientific.split_once('e')?.1.parse().ok()?;
    if !(-4..6).contains(&exponent) {
        return None;
    }
    let decimals = usize::try_from(5 - exponent).ok()?;
    let fixed = format!("{value:.decimals$}");
    Some(if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        fixed
    })
}

fn available() -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    names.join(", ")
}

/// Python's `str.strip()` for text without control characters (which Python also strips and
/// Rust does not; the caller refuses those).
fn lookup(name: &str) -> Option<usize> {
    COLUMNS
        .iter()
        .position(|c| c.name == name.to_lowercase().as_str())
}

/// Parses the three options in the decorator's order (`ColumnSelector`, `SortSpecParser`,
/// `FilterSpecParser`, then the operator check), before any issue is read.
pub fn parse(
    columns: Option<&str>,
    sort_by: Option<&str>,
    filter: Option<&str>,
) -> Result<Shape, ShapeError> {
    let texts = [columns, sort_by, filter];
    if texts
        .iter()
        .flatten()
        .any(|t| t.chars().any(char::is_control) || !t.is_ascii())
    {
        return Err(ShapeError::Unserved(
            "a table option outside printable ASCII",
        ));
    }
    let mut shape = Shape::default();
    if let Some(spec) = columns.filter(|s| !s.is_empty()) {
        let mut selected = Vec::new();
        for name in spec.split(',').map(str::trim) {
            let index = lookup(name).ok_or_else(|| {
                ShapeError::Usage(format!(
                    "Unknown column: {name}. Available columns: {}",
                    available()
                ))
            })?;
            selected.push(index);
        }
        shape.selected = Some(selected);
    }
    if let Some(spec) = sort_by.filter(|s| !s.is_empty()) {
        for item in spec.split(',').map(str::trim) {
            let (name, direction) = match item.split_once(':') {
                Some((name, direction)) => (name.trim(), direction.trim().to_lowercase()),
                None => (item, "asc".to_owned()),
            };
            let index = lookup(name).ok_or_else(|| {
                ShapeError::Usage(format!(
                    "Unknown sort column: {name}. Available: {}",
                    available()
                ))
            })?;
            if direction != "asc" && direction != "desc" {
                return Err(ShapeError::Usage(format!(
                    "Invalid sort direction '{direction}' for column {name}. Use 'asc' or 'desc'."
                )));
            }
            shape.sort_by.push((index, direction));
        }
    }
    let mut operators = Vec::new();
    for item in filter.unwrap_or("").split(',').map(str::trim) {
        if item.is_empty() {
            continue;
        }
        let Some(operator) = ["!=", "<=", ">=", "=", "~", "<", ">"]
            .into_iter()
            .find(|op| item.contains(op))
        else {
            return Err(ShapeError::Usage(format!(
                "Invalid filter syntax: {item}. Use format: column=value"
            )));
        };
        let (name, value) = item.split_once(operator).expect("the operator occurs");
        let index = lookup(name.trim()).ok_or_else(|| {
            ShapeError::Usage(format!(
                "Unknown filter column: {}. Available: {}",
                name.trim(),
                available()
            ))
        })?;
        operators.push(operator);
        shape.filters.push((index, value.trim().to_owned()));
    }
    if let Some(operator) = operators.into_iter().find(|op| *op != "=") {
        return Err(ShapeError::Usage(format!(
            "Unsupported filter operator '{operator}'; use column=value"
        )));
    }
    Ok(shape)
}

impl<'a> Table<'a> {
    /// `_table(result)`, then the decorator's `select_columns`, `sort` and `filter` in order.
    pub fn build(
        headline: String,
        rows: Vec<Vec<Cow<'a, str>>>,
        shape: &Shape,
    ) -> Result<Table<'a>, ShapeError> {
        let mut table = Table {
            headline,
            total: rows.len(),
            rows,
            selected: shape.selected.clone(),
            filters_applied: Vec::new(),
            sort_by: Vec::new(),
        };
        if !shape.sort_by.is_empty() {
            for (index, _) in &shape.sort_by {
                if !COLUMNS[*index].sortable {
                    return Err(ShapeError::Application(format!(
                        "Column '{}' is not sortable",
                        COLUMNS[*index].name
                    )));
                }
            }
            // One stable sort per key, last key first; `reverse=True` keeps ties in order.
            for (index, direction) in shape.sort_by.iter().rev() {
                let descending = direction == "desc";
                table.rows.sort_by(|a, b| {
                    let order = a[*index].cmp(&b[*index]);
                    if descending { order.reverse() } else { order }
                });
            }
            table.sort_by.clone_from(&shape.sort_by);
        }
        for (index, value) in &shape.filters {
            table.filter(*index, value)?;
        }
        Ok(table)
    }

    fn filter(&mut self, index: usize, value: &str) -> Result<(), ShapeError> {
        let column = &COLUMNS[index];
        if !column.filterable {
            return Err(ShapeError::Application(format!(
                "Column '{}' is not filterable",
                column.name
            )));
        }
        if column
            .enum_values
            .is_some_and(|values| !values.contains(&value))
        {
            return Err(ShapeError::Application(format!(
                "Invalid value '{value}' for enum column '{}'",
                column.name
            )));
        }
        self.rows.retain(|row| row[index] == value);
        // A dict update: a column filtered twice keeps its first place and its last value.
        match self.filters_applied.iter_mut().find(|(i, _)| *i == index) {
            Some(entry) => entry.1 = value.to_owned(),
            None => self.filters_applied.push((index, value.to_owned())),
        }
        Ok(())
    }

    /// The columns `--columns` chose (every one without it), as the flat formats show them.
    #[must_use]
    pub fn active_columns(&self) -> Vec<&'static Column> {
        match &self.selected {
            Some(indices) => indices.iter().map(|&i| &COLUMNS[i]).collect(),
            None => COLUMNS.iter().collect(),
        }
    }

    /// The rows with only the chosen columns.
    #[must_use]
    pub fn active_rows(&self) -> Vec<Vec<&str>> {
        self.rows
            .iter()
            .map(|row| {
                let mut cells = Vec::new();
                self.active_cells(row, &mut cells);
                cells
            })
            .collect()
    }

    /// The chosen columns' cells of `row` (one of [`Table::rows`]), in `cells` (emptied
    /// first): one buffer serves every row of a long output.
    pub fn active_cells<'s>(&self, row: &'s [Cow<'a, str>], cells: &mut Vec<&'s str>) {
        cells.clear();
        match &self.selected {
            Some(indices) => cells.extend(indices.iter().map(|&i| &*row[i])),
            None => cells.extend(row.iter().map(AsRef::as_ref)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_tenths_spell_as_the_float_formatter_spells_them() {
        let mut values: Vec<f64> = (10..=2400).map(|k| f64::from(k) / 10.0).collect();
        values.extend([
            1.799_999_999_999_999_8,
            2.05,
            2.25,
            24.0,
            1e13,
            0.1 + 0.2 + 1.0,
        ]);
        for value in values {
            assert_eq!(one_decimal(value, 'h'), format!("{value:.1}h"), "{value}");
        }
    }

    #[test]
    fn numbers_print_as_python_prints_them() {
        assert_eq!(duration(Some(0.5)), "30m");
        assert_eq!(duration(Some(4.0)), "4.0h");
        assert_eq!(duration(Some(30.0)), "3.8d");
        assert_eq!(python_g(40.0).unwrap(), "40");
        assert_eq!(python_g(33.333_333_3).unwrap(), "33.3333");
        assert_eq!(python_g(100.0).unwrap(), "100");
        assert_eq!(python_g(0.000_01), None);
        assert_eq!(python_g(999_999.0).unwrap(), "999999");
        assert_eq!(python_g(1e6), None);
        assert_eq!(python_g(-5.0).unwrap(), "-5");
    }

    #[test]
    fn sort_is_stable_per_key_and_descending_keeps_ties_in_order() {
        let rows = vec![
            vec![Cow::Borrowed("b"); 9],
            vec![Cow::Borrowed("a"); 9],
            vec![Cow::Borrowed("c"); 9],
        ];
        let mut rows = rows;
        rows[0][2] = "x".into();
        rows[1][2] = "x".into();
        rows[2][2] = "y".into();
        let shape = parse(None, Some("priority:desc"), None).unwrap();
        let table = Table::build(String::new(), rows, &shape).unwrap();
        let ids: Vec<&str> = table.rows.iter().map(|r| &*r[0]).collect();
        assert_eq!(ids, ["c", "b", "a"]);
    }

    #[test]
    fn options_fail_with_the_trackers_words() {
        assert_eq!(
            parse(None, Some("title:sideways"), None).unwrap_err(),
            ShapeError::Usage(
                "Invalid sort direction 'sideways' for column title. Use 'asc' or 'desc'.".into()
            )
        );
        assert_eq!(
            parse(None, None, Some("title~x")).unwrap_err(),
            ShapeError::Usage("Unsupported filter operator '~'; use column=value".into())
        );
    }
}
