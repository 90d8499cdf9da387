//! The board itself: the filter bar and one column per status, each with its first cards, its
//! count and a link to more. Rendered from a [`BoardView`] the routes read from the cache.

use super::filters::{BoardFilters, MAX_PER_COLUMN};
use super::html::{css_word, escape, query_string};
use crate::cache::query::{IssueRow, MilestoneRow};
use crate::issue::{IssueType, Priority};
use std::fmt::Write as _;

/// One status column: how many issues the filters select in it, and the first of them.
pub struct Column {
    pub status: String,
    pub count: usize,
    /// The cards shown, each with whether it is an uncommitted write.
    pub cards: Vec<(IssueRow, bool)>,
}

/// Everything the board page shows.
pub struct BoardView {
    pub filters: BoardFilters,
    pub columns: Vec<Column>,
    pub milestones: Vec<MilestoneRow>,
    /// Uncommitted writes the cache shows.
    pub uncommitted: usize,
    /// Files that could not be read as issues.
    pub unreadable: usize,
    /// A text search was asked for before the search index exists; it is being built.
    pub index_building: bool,
}

/// The board's `main`.
#[must_use]
pub fn render(view: &BoardView) -> String {
    let mut html = filter_bar(&view.filters, &view.milestones);
    let mut notes = Vec::new();
    if view.uncommitted > 0 {
        notes.push(format!(
            "<p class=\"note uncommitted-note\">{} uncommitted {} shown, marked <span class=\"pending\">uncommitted</span></p>",
            view.uncommitted,
            plural(view.uncommitted, "write", "writes")
        ));
    }
    if view.unreadable > 0 {
        notes.push(format!(
            "<p class=\"note\">{} {} could not be read (see <code>roadmap-hooks status</code>)</p>",
            view.unreadable,
            plural(view.unreadable, "file", "files")
        ));
    }
    if view.index_building {
        notes.push(
            "<p class=\"note\">building the search index; the results appear by themselves</p>"
                .to_owned(),
        );
    }
    html.push_str(&notes.concat());
    let total: usize = view.columns.iter().map(|c| c.count).sum();
    let _ = write!(
        html,
        "<p class=\"summary\" id=\"summary\">{total} {}</p><div class=\"board\">",
        plural(total, "issue", "issues")
    );
    for column in &view.columns {
        html.push_str(&render_column(column, &view.filters));
    }
    html.push_str("</div>");
    html
}

fn render_column(column: &Column, filters: &BoardFilters) -> String {
    let mut html = format!(
        "<section class=\"column status-{class}\" data-status=\"{status}\"><h2>{status} <span class=\"count\">{count}</span></h2><ol class=\"cards\">",
        class = css_word(&column.status),
        status = escape(&column.status),
        count = column.count
    );
    for (row, uncommitted) in &column.cards {
        html.push_str(&super::html::card(row, *uncommitted));
    }
    html.push_str("</ol>");
    let hidden = column.count.saturating_sub(column.cards.len());
    if hidden > 0 {
        let more = BoardFilters {
            statuses: vec![column.status.clone()],
            per: (filters.per * 4).min(MAX_PER_COLUMN),
            ..filters.clone()
        };
        let href = format!("/{}", query_string(&more.pairs()));
        let _ = write!(
            html,
            "<a class=\"more\" href=\"{}\">{hidden} more</a>",
            escape(&href)
        );
    }
    html.push_str("</section>");
    html
}

/// The filter form: a GET of `/`, so the URL holds the view.
fn filter_bar(filters: &BoardFilters, milestones: &[MilestoneRow]) -> String {
    let mut html = String::from("<form class=\"filters\" method=\"get\" action=\"/\">");
    let joined = |values: &[String]| values.join(",");
    html.push_str(&select(
        "priority",
        &joined(&filters.priorities),
        Priority::KNOWN.iter().map(|p| (*p).to_owned()),
    ));
    html.push_str(&select(
        "type",
        &joined(&filters.types),
        IssueType::KNOWN.iter().map(|t| (*t).to_owned()),
    ));
    let mut names: Vec<String> = milestones.iter().map(|m| m.name.clone()).collect();
    names.dedup();
    html.push_str(&select(
        "milestone",
        filters.milestone.as_deref().unwrap_or(""),
        names.into_iter(),
    ));
    html.push_str(&input("assignee", filters.assignee.as_deref(), "assignee"));
    html.push_str(&input(
        "label",
        filters.labels.first().map(String::as_str),
        "label",
    ));
    html.push_str(&input("q", filters.text.as_deref(), "search"));
    // Filters the form has no field for (a status, more labels, the page size) are kept.
    let shown = ["priority", "type", "milestone", "assignee", "q"];
    let mut first_label = true;
    for (key, value) in filters.pairs() {
        if key == "label" && std::mem::take(&mut first_label) || shown.contains(&key) {
            continue;
        }
        let _ = write!(
            html,
            "<input type=\"hidden\" name=\"{key}\" value=\"{}\">",
            escape(&value)
        );
    }
    html.push_str("<button type=\"submit\">filter</button>");
    if filters.any() {
        html.push_str("<a class=\"clear\" href=\"/\">clear</a>");
    }
    html.push_str("</form>");
    html
}

fn select(name: &str, current: &str, options: impl Iterator<Item = String>) -> String {
    let mut html = format!("<label>{name} <select name=\"{name}\"><option value=\"\">any</option>");
    let mut found = current.is_empty();
    for option in options {
        let selected = option == current;
        found |= selected;
        let _ = write!(
            html,
            "<option{}>{}</option>",
            if selected { " selected" } else { "" },
            escape(&option)
        );
    }
    if !found {
        // A value the URL carries that the list does not offer (`priority=high,low`).
        let _ = write!(html, "<option selected>{}</option>", escape(current));
    }
    html.push_str("</select></label>");
    html
}

fn input(name: &str, value: Option<&str>, placeholder: &str) -> String {
    format!(
        "<input type=\"search\" name=\"{name}\" value=\"{}\" placeholder=\"{placeholder}\">",
        escape(value.unwrap_or(""))
    )
}

/// `one` or `many` by `count`.
#[must_use]
pub fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}
