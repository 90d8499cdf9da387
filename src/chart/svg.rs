//! A chart as a self-contained SVG document: 800 px wide, one plot per panel with labelled
//! axes, dated ticks and a legend; no scripts, fonts or links to fetch. Written as text: the
//! handful of elements needed (lines, paths, rectangles, text) cost no dependency.

use super::{date, format_value, is_empty, nice_max, panel_max, value_at};
use crate::history::series::{Chart, Panel, Series, Shape, WEEK};
use std::fmt::Write as _;

const WIDTH: f64 = 800.0;
const TITLE_HEIGHT: f64 = 44.0;
const PANEL_HEIGHT: f64 = 330.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 24.0;
/// Space above a plot (its legend) and below it (ticks and the axis name).
const PLOT_TOP: f64 = 40.0;
const PLOT_BOTTOM: f64 = 62.0;
/// Colour-blind-safe colours (Okabe and Ito), in series order.
const COLOURS: [&str; 8] = [
    "#009E73", "#E69F00", "#0072B2", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// The SVG document of `chart`.
#[must_use]
pub fn render(chart: &Chart) -> String {
    let panels = chart.panels.len().max(1) as f64;
    let height = TITLE_HEIGHT + panels * PANEL_HEIGHT;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{}" y="28" font-size="20" font-weight="bold" text-anchor="middle" fill="#222">{}</text>"##,
        WIDTH / 2.0,
        escape(&chart.title)
    );
    if is_empty(chart) {
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" font-size="16" text-anchor="middle" fill="#555">no commits with issues yet</text>"##,
            WIDTH / 2.0,
            TITLE_HEIGHT + 40.0
        );
    } else {
        for (index, panel) in chart.panels.iter().enumerate() {
            let top = TITLE_HEIGHT + index as f64 * PANEL_HEIGHT;
            draw_panel(&mut out, chart, panel, top);
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Where a plot lies and how values and times map onto it.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    from: i64,
    to: i64,
    max: f64,
}

impl Frame {
    fn x(&self, time: i64) -> f64 {
        let span = (self.to - self.from).max(1) as f64;
        self.left + (time - self.from) as f64 / span * (self.right - self.left)
    }

    fn y(&self, value: f64) -> f64 {
        self.bottom - value / self.max * (self.bottom - self.top)
    }
}

fn draw_panel(out: &mut String, chart: &Chart, panel: &Panel, top: f64) {
    let to = match panel.shape {
        Shape::Bars => panel
            .series
            .first()
            .and_then(|s| s.points.last())
            .map_or(chart.to, |(t, _)| t + WEEK),
        _ => chart.to.max(chart.from + 1),
    };
    let frame = Frame {
        left: LEFT,
        right: WIDTH - RIGHT,
        top: top + PLOT_TOP,
        bottom: top + PANEL_HEIGHT - PLOT_BOTTOM,
        from: chart.from,
        to,
        max: nice_max(panel_max(panel.shape, &panel.series)),
    };
    draw_axes(out, &frame, &panel.y_label);
    match panel.shape {
        Shape::Lines => {
            for (index, series) in panel.series.iter().enumerate() {
                draw_line(out, &frame, series, COLOURS[index % COLOURS.len()]);
            }
        }
        Shape::Stacked => draw_stack(out, &frame, &panel.series),
        Shape::Bars => {
            if let Some(series) = panel.series.first() {
                draw_bars(out, &frame, series, COLOURS[2]);
            }
        }
    }
    draw_legend(out, &frame, panel);
}

fn draw_axes(out: &mut String, frame: &Frame, y_label: &str) {
    let steps = tick_steps(frame.max);
    for step in 0..=steps {
        let value = frame.max * f64::from(step) / f64::from(steps);
        let y = frame.y(value);
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/>
<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end" fill="#333">{}</text>"##,
            frame.left,
            frame.right,
            frame.left - 8.0,
            y + 4.5,
            format_value(value)
        );
    }
    let ticks = 5;
    for step in 0..=ticks {
        let time = frame.from + (frame.to - frame.from) * step / ticks;
        let x = frame.x(time);
        let anchor = match step {
            0 => "start",
            s if s == ticks => "end",
            _ => "middle",
        };
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333"/>
<text x="{x:.1}" y="{:.1}" font-size="13" text-anchor="{anchor}" fill="#333">{}</text>"##,
            frame.bottom,
            frame.bottom + 5.0,
            frame.bottom + 20.0,
            date(time)
        );
    }
    let middle_y = (frame.top + frame.bottom) / 2.0;
    let _ = writeln!(
        out,
        r##"<line x1="{l:.1}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}" stroke="#333"/>
<line x1="{l:.1}" y1="{t:.1}" x2="{l:.1}" y2="{b:.1}" stroke="#333"/>
<text x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle" fill="#222">commit date (UTC)</text>
<text transform="translate(18 {middle_y:.1}) rotate(-90)" font-size="14" text-anchor="middle" fill="#222">{}</text>"##,
        (frame.left + frame.right) / 2.0,
        frame.bottom + 42.0,
        escape(y_label),
        l = frame.left,
        r = frame.right,
        t = frame.top,
        b = frame.bottom,
    );
}

/// A step line: each value holds until the next point, the last until the end.
fn draw_line(out: &mut String, frame: &Frame, series: &Series, colour: &str) {
    let mut path = String::new();
    let mut previous: Option<f64> = None;
    for (time, value) in &series.points {
        let (x, y) = (frame.x(*time), frame.y(*value));
        match previous {
            None => {
                let _ = write!(path, "M{x:.1},{y:.1}");
            }
            Some(_) => {
                let _ = write!(path, " H{x:.1} V{y:.1}");
            }
        }
        previous = Some(*value);
    }
    if previous.is_some() {
        let _ = write!(path, " H{:.1}", frame.right);
        let _ = writeln!(
            out,
            r#"<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>"#
        );
    }
}

/// Stacked areas, the first series at the bottom, each between the sum of those below it and
/// that sum plus its own value.
fn draw_stack(out: &mut String, frame: &Frame, series: &[Series]) {
    let mut times: Vec<i64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(t, _)| *t))
        .collect();
    times.sort_unstable();
    times.dedup();
    let mut below = vec![0.0; times.len()];
    for (index, s) in series.iter().enumerate() {
        let above: Vec<f64> = times
            .iter()
            .zip(&below)
            .map(|(t, b)| b + value_at(s, *t))
            .collect();
        let mut path = String::new();
        for (i, (time, value)) in times.iter().zip(&above).enumerate() {
            let (x, y) = (frame.x(*time), frame.y(*value));
            let _ = match i {
                0 => write!(path, "M{x:.1},{y:.1}"),
                _ => write!(path, " H{x:.1} V{y:.1}"),
            };
        }
        let _ = write!(path, " H{:.1}", frame.right);
        let _ = write!(path, " V{:.1}", frame.y(*below.last().unwrap_or(&0.0)));
        // Back along the lower edge: each value holds from its time to the next one's.
        for i in (0..times.len()).rev() {
            let _ = write!(path, " H{:.1}", frame.x(times[i]));
            if i > 0 {
                let _ = write!(path, " V{:.1}", frame.y(below[i - 1]));
            }
        }
        path.push_str(" Z");
        let colour = COLOURS[index % COLOURS.len()];
        let _ = writeln!(
            out,
            r##"<path d="{path}" fill="{colour}" fill-opacity="0.85" stroke="#ffffff" stroke-width="0.5"/>"##
        );
        below = above;
    }
}

fn draw_bars(out: &mut String, frame: &Frame, series: &Series, colour: &str) {
    for (time, value) in &series.points {
        let (x0, x1) = (frame.x(*time), frame.x(time + WEEK));
        let gap = ((x1 - x0) * 0.15).min(6.0);
        let (y, base) = (frame.y(*value), frame.y(0.0));
        let _ = writeln!(
            out,
            r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>week of {}: {}</title></rect>"#,
            x0 + gap / 2.0,
            (x1 - x0 - gap).max(1.0),
            base - y,
            date(*time),
            format_value(*value)
        );
    }
}

/// One row above the plot: a swatch and a name per series, top of the stack first.
fn draw_legend(out: &mut String, frame: &Frame, panel: &Panel) {
    let mut x = frame.left;
    let y = frame.top - 16.0;
    let order: Vec<usize> = match panel.shape {
        Shape::Stacked => (0..panel.series.len()).rev().collect(),
        _ => (0..panel.series.len()).collect(),
    };
    for index in order {
        let series = &panel.series[index];
        let colour = match panel.shape {
            Shape::Bars => COLOURS[2],
            _ => COLOURS[index % COLOURS.len()],
        };
        let _ = writeln!(
            out,
            r##"<rect x="{x:.1}" y="{:.1}" width="14" height="14" fill="{colour}"/>
<text x="{:.1}" y="{y:.1}" font-size="14" fill="#222">{}</text>"##,
            y - 12.0,
            x + 20.0,
            escape(&series.name)
        );
        x += 20.0 + 8.0 * series.name.chars().count() as f64 + 24.0;
    }
}

/// How many intervals divide the y axis up to `max`: whole-number ticks where they fit.
fn tick_steps(max: f64) -> u32 {
    [4, 5, 3, 2]
        .into_iter()
        .find(|steps| (max / f64::from(*steps)).fract() == 0.0)
        .unwrap_or(1)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
