//! roadmap-cli 0.3.1's `status [--format rich|plain|json|csv|markdown] [--verbose]`, byte for
//! byte, as a pure function of the counts of projects, milestones and issues ([`answer`]).
//!
//! Two `TableData` (`_build_snapshot_tables` in `status.py`): Entities (open, closed, archived
//! and total per kind; `purged` records count only in the totals) and Issue Status. `rich`
//! is Rich's borderless tables at the console's width (`rich.rs`); `json` is
//! `json.dumps(sort_keys=True)`; csv keeps CRLF inside a table but not after its last row.

use super::issue_list::file_rows::ContractMilestone;
use super::issue_list::records::ProjectRecord;
use super::issue_list::{Answer, Reply};
use super::python::{Json, PyNumber};

mod rich;

/// `--format`, lowercased as the tracker's `casefold` does.
pub const FORMATS: &[&str] = &["rich", "plain", "json", "csv", "markdown"];

/// One column: key, header and declared width.
type Column = (&'static str, &'static str, usize);

const ENTITY_COLUMNS: &[Column] = &[
    ("entity", "Entity", 12),
    ("open", "Open", 6),
    ("closed", "Closed", 7),
    ("archived", "Archived", 9),
    ("total", "Total", 6),
];

const STATUS_COLUMNS: &[Column] = &[("status", "Status", 14), ("count", "Count", 7)];

const ISSUE_STATUSES: &[&str] = &["todo", "in-progress", "blocked", "review", "closed"];

/// A table of the snapshot: its name in the JSON, title, columns, rows (label, then counts).
struct Snapshot {
    name: &'static str,
    title: &'static str,
    columns: &'static [Column],
    rows: Vec<(String, Vec<usize>)>,
}

impl Snapshot {
    fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|(label, counts)| {
                std::iter::once(label.clone())
                    .chain(counts.iter().map(ToString::to_string))
                    .collect()
            })
            .collect()
    }
}

/// Records given as `(retention, status, how many)`.
pub type Tallies<'a> = [(&'a str, &'a str, usize)];

/// How many `records` pass `test`.
fn how_many(records: &Tallies, test: impl Fn(&str, &str) -> bool) -> usize {
    records
        .iter()
        .filter(|(r, s, _)| test(r, s))
        .map(|(_, _, n)| n)
        .sum()
}

/// Open, closed, archived and total for `records`.
fn counts(records: &Tallies, closed: &[&str]) -> [usize; 4] {
    let visible = how_many(records, |r, _| r == "visible");
    let closed_count = how_many(records, |r, s| r == "visible" && closed.contains(&s));
    [
        visible - closed_count,
        closed_count,
        how_many(records, |r, _| r == "archived"),
        how_many(records, |_, _| true),
    ]
}

fn snapshot(
    projects: &[ProjectRecord],
    milestones: &[ContractMilestone],
    issue_tallies: &Tallies,
) -> [Snapshot; 2] {
    let projects: Vec<(&str, &str, usize)> = projects
        .iter()
        .map(|p| (p.retention.as_str(), p.status.as_str(), 1))
        .collect();
    let milestones: Vec<(&str, &str, usize)> = milestones
        .iter()
        .map(|m| (m.retention.as_str(), m.status.as_str(), 1))
        .collect();
    let kinds = [
        ("Projects", counts(&projects, &["completed", "cancelled"])),
        ("Milestones", counts(&milestones, &["closed"])),
        ("Issues", counts(issue_tallies, &["closed"])),
    ];
    let mut entity_rows: Vec<(String, Vec<usize>)> = kinds
        .iter()
        .map(|(label, c)| ((*label).to_owned(), c.to_vec()))
        .collect();
    let total = (0..4)
        .map(|i| kinds.iter().map(|(_, c)| c[i]).sum())
        .collect();
    entity_rows.push(("Total".to_owned(), total));
    let mut status_rows: Vec<(String, Vec<usize>)> = ISSUE_STATUSES
        .iter()
        .map(|status| {
            let n = how_many(issue_tallies, |r, s| r == "visible" && s == *status);
            ((*status).to_owned(), vec![n])
        })
        .collect();
    let issue_counts = kinds[2].1;
    status_rows.push(("archived".to_owned(), vec![issue_counts[2]]));
    status_rows.push(("Total".to_owned(), vec![issue_counts[3]]));
    [
        Snapshot {
            name: "entities",
            title: "Entities",
            columns: ENTITY_COLUMNS,
            rows: entity_rows,
        },
        Snapshot {
            name: "issue_status",
            title: "Issue Status",
            columns: STATUS_COLUMNS,
            rows: status_rows,
        },
    ]
}

/// Answers `status` in `format` (one of [`FORMATS`], lowercased) on a console `console_width`
/// cells wide (80 piped, the tracker's plain mode); `verbose` adds the tracker's deprecation
/// line on stderr.
#[must_use]
pub fn answer(
    format: &str,
    console_width: usize,
    verbose: bool,
    projects: &[ProjectRecord],
    milestones: &[ContractMilestone],
    issues: &Tallies,
) -> Answer {
    let tables = snapshot(projects, milestones, issues);
    let stdout = match format {
        "rich" => rich::rich(&tables, console_width),
        "json" => json(&tables),
        "plain" | "csv" | "markdown" => {
            let parts: Vec<String> = tables
                .iter()
                .map(|t| match format {
                    "plain" => plain(t),
                    "csv" => csv(t),
                    _ => markdown(t),
                })
                .collect();
            Some(parts.join("\n\n") + "\n")
        }
        _ => None,
    };
    match stdout {
        Some(stdout) => Answer::Reply(Reply {
            stdout,
            stderr: if verbose {
                super::issue_list::VERBOSE.to_owned()
            } else {
                String::new()
            },
            code: 0,
        }),
        None => Answer::Forward(format!("status --format {format}")),
    }
}

fn pad(text: &str, width: usize) -> String {
    format!("{text:<width$}")
}

/// `to_plain_text`: the title, a blank line, ` | `-joined cells padded to the widest of
/// header, cells and declared width, a `-+-` rule.
fn plain(table: &Snapshot) -> String {
    let cells = table.cells();
    let widths: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, header, width))| {
            let data = cells.iter().map(|r| r[i].len()).max().unwrap_or(0);
            header.len().max(data).max(*width)
        })
        .collect();
    let line = |row: Vec<String>| {
        let padded: Vec<String> = row.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        padded.join(" | ")
    };
    let mut lines = vec![table.title.to_owned(), String::new()];
    lines.push(line(
        table
            .columns
            .iter()
            .map(|(_, h, _)| (*h).to_owned())
            .collect(),
    ));
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    lines.push(rules.join("-+-"));
    lines.extend(cells.into_iter().map(line));
    lines.join("\n")
}

/// `# Title`, a blank line, then Python's csv rows (CRLF) without the last line end.
fn csv(table: &Snapshot) -> String {
    let header: Vec<&str> = table.columns.iter().map(|(_, h, _)| *h).collect();
    let mut rows = vec![header.join(",")];
    rows.extend(table.cells().iter().map(|r| r.join(",")));
    format!("# {}\n\n{}", table.title, rows.join("\r\n"))
}

/// `to_markdown`: `## Title`, rules of the header's length (at least 3) plus 2.
fn markdown(table: &Snapshot) -> String {
    let header: Vec<&str> = table.columns.iter().map(|(_, h, _)| *h).collect();
    let rules: Vec<String> = header
        .iter()
        .map(|h| "-".repeat(h.len().max(3) + 2))
        .collect();
    let mut lines = vec![
        format!("## {}\n", table.title),
        format!("| {} |", header.join(" | ")),
        format!("|{}|", rules.join("|")),
    ];
    lines.extend(
        table
            .cells()
            .iter()
            .map(|r| format!("| {} |", r.join(" | "))),
    );
    lines.join("\n")
}

fn count(n: usize) -> Json {
    Json::Number(PyNumber::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// `json.dumps({...}, indent=2, sort_keys=True)` of both tables' `to_dict`.
fn json(tables: &[Snapshot; 2]) -> Option<String> {
    let table = |t: &Snapshot| {
        let columns = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, header, width))| {
                Json::object([
                    ("name", Json::Str((*name).to_owned())),
                    ("display_name", Json::Str((*header).to_owned())),
                    (
                        "type",
                        Json::Str(if i == 0 { "string" } else { "integer" }.to_owned()),
                    ),
                    ("width", count(*width)),
                    ("headline", Json::Str(String::new())),
                    ("display_style", Json::Null),
                    ("enum_values", Json::Null),
                    ("sortable", Json::Bool(true)),
                    ("filterable", Json::Bool(true)),
                ])
            });
        let rows = t.rows.iter().map(|(label, counts)| {
            Json::Array(
                std::iter::once(Json::Str(label.clone()))
                    .chain(counts.iter().map(|n| count(*n)))
                    .collect(),
            )
        });
        Json::object([
            ("title", Json::Str(t.title.to_owned())),
            ("headline", Json::Null),
            ("columns", Json::Array(columns.collect())),
            ("rows", Json::Array(rows.collect())),
            (
                "metadata",
                Json::object([
                    ("total", count(t.rows.len())),
                    ("returned", count(t.rows.len())),
                    ("filters_applied", Json::Object(Vec::new())),
                    ("sort_by", Json::Array(Vec::new())),
                    ("selected_columns", Json::Null),
                ]),
            ),
        ])
    };
    let value = Json::object([
        ("schema_version", count(1)),
        ("kind", Json::Str("roadmap.status".into())),
        (
            "tables",
            Json::Object(
                tables
                    .iter()
                    .map(|t| (t.name.to_owned(), table(t)))
                    .collect(),
            ),
        ),
    ]);
    Some(value.sorted().dumps()? + "\n")
}
