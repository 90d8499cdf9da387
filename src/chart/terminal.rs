//! A chart as text: one plot per panel, fitted to a width, with a y axis, the first, middle and
//! last dates under it, and a legend. Plain characters (each series its own), so piped output
//! reads the same anywhere; on a terminal each series also gets a colour.

use super::{date, format_value, is_empty, nice_max, panel_max, value_at};
use crate::history::series::{Chart, Panel, Series, Shape, WEEK};

/// Rows of one plot: row `r` stands for the value `r` tenths of the axis (0 at the bottom, the
/// axis maximum at the top, half of it in the middle, each labelled).
const HEIGHT: usize = 11;
/// The narrowest plot drawn; a narrower terminal gets this width anyway.
const MIN_PLOT: usize = 20;
/// The characters of the series, in order.
const MARKS: [char; 8] = ['#', '*', '=', '+', 'o', '%', '@', '~'];
/// ANSI colours of the series, in order (green, yellow, blue, magenta, cyan, red).
const COLOURS: [u8; 6] = [32, 33, 34, 35, 36, 31];

/// Draws `chart` in `width` columns, in colour when `colour`.
#[must_use]
pub fn render(chart: &Chart, width: usize, colour: bool) -> String {
    let mut out = format!("{}\n", chart.title);
    if is_empty(chart) {
        out.push_str("(no commits with issues yet)\n");
        return out;
    }
    for panel in &chart.panels {
        out.push('\n');
        out.push_str(&render_panel(chart, panel, width, colour));
    }
    out
}

fn render_panel(chart: &Chart, panel: &Panel, width: usize, colour: bool) -> String {
    let top = nice_max(panel_max(panel.shape, &panel.series));
    // The middle row is labelled only with a whole number (`2.5 open issues` reads oddly).
    let middle = if (top / 2.0).fract() == 0.0 {
        format_value(top / 2.0)
    } else {
        String::new()
    };
    let labels = [format_value(top), middle, "0".to_owned()];
    let label_width = labels.iter().map(String::len).max().unwrap_or(1);
    let plot_width = width.saturating_sub(label_width + 2).max(MIN_PLOT);
    let (columns, note) = columns(chart, panel, plot_width);
    let mut out = format!("{}{note}\n", panel.y_label);
    for row in (0..HEIGHT).rev() {
        let label = match row {
            r if r == HEIGHT - 1 => labels[0].as_str(),
            r if r * 2 == HEIGHT - 1 => labels[1].as_str(),
            0 => labels[2].as_str(),
            _ => "",
        };
        out.push_str(&format!("{label:>label_width$} |"));
        let mut line = String::new();
        for column in &columns {
            let cell = cell(panel.shape, column, row, top);
            match (cell, colour) {
                (Some(series), true) => line.push_str(&format!(
                    "\x1b[{}m{}\x1b[0m",
                    COLOURS[series % COLOURS.len()],
                    MARKS[series % MARKS.len()]
                )),
                (Some(series), false) => line.push(MARKS[series % MARKS.len()]),
                (None, _) => line.push(' '),
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "{:>label_width$} +{}\n",
        "",
        "-".repeat(columns.len())
    ));
    out.push_str(&date_line(chart, panel, label_width + 2, columns.len()));
    out.push_str(&legend(panel, width, colour));
    out
}

/// The values of each column: one per series (for bars, one bar's worth), and a note for the
/// y label when a column sums several periods.
fn columns(chart: &Chart, panel: &Panel, width: usize) -> (Vec<Vec<f64>>, String) {
    if panel.shape == Shape::Bars {
        return bar_columns(panel, width);
    }
    let span = (chart.to - chart.from).max(1);
    let columns = (0..width)
        .map(|column| {
            let fraction = column as f64 / (width.max(2) - 1) as f64;
            let time = chart.from + (span as f64 * fraction).round() as i64;
            panel.series.iter().map(|s| value_at(s, time)).collect()
        })
        .collect();
    (columns, String::new())
}

/// Bars: each period gets an equal share of the width with a gap between bars; periods that
/// do not fit are summed, a few per column, and the label says how many.
fn bar_columns(panel: &Panel, width: usize) -> (Vec<Vec<f64>>, String) {
    let points: Vec<f64> = panel
        .series
        .first()
        .map(|s| s.points.iter().map(|(_, v)| *v).collect())
        .unwrap_or_default();
    if points.is_empty() {
        return (Vec::new(), String::new());
    }
    let per_column = points.len().div_ceil(width);
    let sums: Vec<f64> = points.chunks(per_column).map(|c| c.iter().sum()).collect();
    let bar = (width / sums.len()).max(1);
    let mut columns = Vec::new();
    for sum in sums {
        for at in 0..bar {
            // The last column of a bar three or more wide is the gap to the next.
            let gap = bar >= 3 && at == bar - 1;
            columns.push(vec![if gap { f64::NAN } else { sum }]);
        }
    }
    let note = match per_column {
        1 => String::new(),
        n => format!(" (each bar {n} weeks)"),
    };
    (columns, note)
}

/// Which series (if any) fills the cell at `row` (0 at the bottom) of a column. A line marks
/// the row nearest its value; bars and stacks fill row `r` (from 1) when they reach past the
/// middle of the interval below it.
fn cell(shape: Shape, values: &[f64], row: usize, top: f64) -> Option<usize> {
    let intervals = (HEIGHT - 1) as f64;
    let step = top / intervals;
    let middle = (row as f64 - 0.5) * step;
    match shape {
        Shape::Lines => values
            .iter()
            .rposition(|v| ((v / top) * intervals).round() as usize == row),
        _ if row == 0 => None,
        Shape::Bars => values
            .first()
            .filter(|v| !v.is_nan() && **v >= middle)
            .map(|_| 0),
        Shape::Stacked => {
            let mut below = 0.0;
            for (series, v) in values.iter().enumerate() {
                if *v > 0.0 && middle >= below && middle < below + v {
                    return Some(series);
                }
                below += v;
            }
            None
        }
    }
}

/// The first, middle and last dates under a plot `width` columns wide starting at `indent`.
fn date_line(chart: &Chart, panel: &Panel, indent: usize, width: usize) -> String {
    let last = match panel.shape {
        // A bar stands for the week it starts.
        Shape::Bars => panel
            .series
            .first()
            .and_then(|s| s.points.last())
            .map_or(chart.to, |(t, _)| *t + WEEK - 86_400),
        _ => chart.to,
    };
    let (first, last) = (date(chart.from), date(last));
    let middle = date(chart.from + (last_time(chart, panel) - chart.from) / 2);
    let mut line = " ".repeat(indent) + &first;
    let room = width.saturating_sub(first.len() + last.len());
    if first != last && room >= middle.len() + 4 {
        let before = (width / 2).saturating_sub(first.len() + middle.len() / 2);
        line.push_str(&" ".repeat(before.max(1)));
        line.push_str(&middle);
        let used = first.len() + before.max(1) + middle.len();
        line.push_str(&" ".repeat(width.saturating_sub(used + last.len()).max(1)));
        line.push_str(&last);
    } else if first != last {
        line.push_str(&" ".repeat(room.max(1)));
        line.push_str(&last);
    }
    line.push('\n');
    line
}

fn last_time(chart: &Chart, panel: &Panel) -> i64 {
    match panel.shape {
        Shape::Bars => panel
            .series
            .first()
            .and_then(|s| s.points.last())
            .map_or(chart.to, |(t, _)| *t + WEEK),
        _ => chart.to,
    }
}

/// `  # todo (now 12)  * review (now 3)`: each series' mark and its last value, top of a
/// stack first, wrapped to `width`.
fn legend(panel: &Panel, width: usize, colour: bool) -> String {
    let mut text = String::new();
    let mut line_width = 0;
    for (index, series) in panel.series.iter().enumerate().rev() {
        let mark = MARKS[index % MARKS.len()];
        let entry = format!("{mark} {}", legend_entry(panel.shape, series));
        let entry_width = entry.chars().count() + 2;
        if line_width > 0 && line_width + entry_width > width {
            text.push('\n');
            line_width = 0;
        }
        line_width += entry_width;
        text.push_str("  ");
        if colour {
            let code = COLOURS[index % COLOURS.len()];
            text.push_str(&format!(
                "\x1b[{code}m{mark}\x1b[0m{}",
                &entry[mark.len_utf8()..]
            ));
        } else {
            text.push_str(&entry);
        }
    }
    text.push('\n');
    text
}

fn legend_entry(shape: Shape, series: &Series) -> String {
    let value = match shape {
        Shape::Bars => series.points.iter().map(|(_, v)| v).sum::<f64>(),
        _ => series.points.last().map_or(0.0, |(_, v)| *v),
    };
    match shape {
        Shape::Bars => format!("{} ({} in all)", series.name, format_value(value)),
        _ => format!("{} (now {})", series.name, format_value(value)),
    }
}
