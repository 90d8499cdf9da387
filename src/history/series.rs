//! Chart data by commit dates, summed from the counts each commit changed (`tally`, derived
//! with the event log): what the renderers draw (`crate::chart`), knowing nothing of
//! terminals or SVG.
//!
//! Each commit's time is its committer time, never earlier than the commit before it on the
//! line (a clock set wrong, or a rebase that kept old dates, must not draw time backwards).

use super::events::EventLogError;
use super::store::EventLog;
use std::collections::{BTreeMap, HashSet};

/// How a panel's series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Each series a line of its own (steps: a value holds until the next point).
    Lines,
    /// Series stacked on one another, first at the bottom (cumulative flow).
    Stacked,
    /// One bar per point, each point a period starting at its time (throughput).
    Bars,
}

/// One named series of `(unix time, value)` points, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(i64, f64)>,
}

/// One plot: a y axis and the series drawn against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub y_label: String,
    pub shape: Shape,
    pub series: Vec<Series>,
}

/// A chart: a title and its panels, over the time range `from..=to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub panels: Vec<Panel>,
    pub from: i64,
    pub to: i64,
}

/// Seconds in a week, the period of [`throughput`].
pub const WEEK: i64 = 7 * 86_400;

/// Open issues and open estimate of milestone `milestone` (its name, or on the contract line
/// its id or any name its file had) after each commit; `None` when no issue was ever in it.
pub fn burndown(log: &EventLog, milestone: &str) -> Result<Option<Chart>, EventLogError> {
    let mut names: HashSet<String> = log.milestone_ids_named(milestone)?.into_iter().collect();
    names.insert(milestone.to_owned());
    let mut ever_in = false;
    log.each_tally("member", |_, key, _, _| ever_in |= names.contains(key))?;
    if !ever_in {
        return Ok(None);
    }
    let times = commit_times(log)?;
    let (mut open, mut estimate) = (0.0, 0.0);
    let (mut open_points, mut estimate_points) = (Vec::new(), Vec::new());
    by_commit(log, "open", &times, |change| match change {
        Summed::Change(key, issues, hours) => {
            if names.contains(key) {
                open += issues;
                estimate += hours;
            }
        }
        Summed::CommitEnd(time) => {
            open_points.push((time, open.max(0.0)));
            estimate_points.push((time, round(estimate)));
        }
    })?;
    let panel = |label: &str, name: &str, points| Panel {
        y_label: label.to_owned(),
        shape: Shape::Lines,
        series: vec![Series {
            name: name.to_owned(),
            points,
        }],
    };
    Ok(Some(Chart {
        title: format!("Burndown of milestone {milestone}"),
        panels: vec![
            panel("open issues", "open issues", open_points),
            panel("open estimate (hours)", "open estimate", estimate_points),
        ],
        from: times.first().copied().unwrap_or(0),
        to: times.last().copied().unwrap_or(0),
    }))
}

/// Issues by status after each commit (archived ones left out), stacked: the cumulative flow.
pub fn flow(log: &EventLog) -> Result<Chart, EventLogError> {
    let times = commit_times(log)?;
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    let mut snapshots: Vec<(i64, BTreeMap<String, f64>)> = Vec::new();
    by_commit(log, "status", &times, |change| match change {
        Summed::Change(status, issues, _) => {
            *counts.entry(status.to_owned()).or_default() += issues;
        }
        Summed::CommitEnd(time) => snapshots.push((time, counts.clone())),
    })?;
    let mut statuses: Vec<String> = counts.keys().cloned().collect();
    statuses.sort_by_key(|status| (status_rank(status), status.clone()));
    let series = statuses
        .into_iter()
        .map(|status| Series {
            points: snapshots
                .iter()
                .map(|(time, counts)| (*time, counts.get(&status).copied().unwrap_or(0.0)))
                .collect(),
            name: status,
        })
        .collect();
    Ok(Chart {
        title: "Cumulative flow by status".to_owned(),
        panels: vec![Panel {
            y_label: "issues".to_owned(),
            shape: Shape::Stacked,
            series,
        }],
        from: times.first().copied().unwrap_or(0),
        to: times.last().copied().unwrap_or(0),
    })
}

/// Issues closed per week (Monday to Sunday, UTC): a status that becomes `closed` from any
/// other status of an existing issue. An issue added already closed is no throughput.
pub fn throughput(log: &EventLog) -> Result<Chart, EventLogError> {
    let times = commit_times(log)?;
    let mut per_week: BTreeMap<i64, f64> = BTreeMap::new();
    log.each_tally("closed", |seq, _, closes, _| {
        *per_week
            .entry(week_start(time_of(&times, seq)))
            .or_default() += closes;
    })?;
    let (from, to) = (
        times.first().copied().unwrap_or(0),
        times.last().copied().unwrap_or(0),
    );
    let points = if times.is_empty() {
        Vec::new()
    } else {
        let mut week = week_start(from);
        let mut points = Vec::new();
        while week <= to {
            points.push((week, per_week.get(&week).copied().unwrap_or(0.0)));
            week += WEEK;
        }
        points
    };
    Ok(Chart {
        title: "Issues closed per week".to_owned(),
        panels: vec![Panel {
            y_label: "issues closed".to_owned(),
            shape: Shape::Bars,
            series: vec![Series {
                name: "closed".to_owned(),
                points,
            }],
        }],
        from: points_from(from),
        to,
    })
}

/// The start of the throughput chart: the Monday of its first week.
fn points_from(from: i64) -> i64 {
    week_start(from)
}

/// Midnight UTC of the Monday of the week holding `time`.
#[must_use]
pub fn week_start(time: i64) -> i64 {
    let day = time.div_euclid(86_400);
    // 1970-01-01 was a Thursday: three days after a Monday.
    (day - (day + 3).rem_euclid(7)) * 86_400
}

/// The time of each commit of the chain (index `seq - 1`), never earlier than the one before.
fn commit_times(log: &EventLog) -> Result<Vec<i64>, EventLogError> {
    let mut latest = i64::MIN;
    Ok(log
        .chain()?
        .into_iter()
        .map(|commit| {
            latest = latest.max(commit.committed_at);
            latest
        })
        .collect())
}

/// The time of the commit at `seq`.
fn time_of(times: &[i64], seq: i64) -> i64 {
    let index = usize::try_from(seq - 1).unwrap_or(0);
    times.get(index).or(times.last()).copied().unwrap_or(0)
}

enum Summed<'k> {
    /// A count of `key` changed by `(issues, estimate)`.
    Change(&'k str, f64, f64),
    /// Every change of a commit was seen; its time.
    CommitEnd(i64),
}

/// Feeds the count changes of `chart` to `each` in chain order, with a [`Summed::CommitEnd`]
/// after each commit that had some.
fn by_commit(
    log: &EventLog,
    chart: &str,
    times: &[i64],
    mut each: impl FnMut(Summed<'_>),
) -> Result<(), EventLogError> {
    let mut current: Option<i64> = None;
    log.each_tally(chart, |seq, key, issues, estimate| {
        if let Some(done) = current.filter(|c| *c != seq) {
            each(Summed::CommitEnd(time_of(times, done)));
        }
        current = Some(seq);
        each(Summed::Change(key, issues, estimate));
    })?;
    if let Some(done) = current {
        each(Summed::CommitEnd(time_of(times, done)));
    }
    Ok(())
}

/// Sums of many halves and quarters drift by 1e-15; the axis shows whole hundredths.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The order of statuses from the bottom of the flow up: done work at the bottom.
fn status_rank(status: &str) -> usize {
    ["closed", "review", "in-progress", "blocked", "todo"]
        .iter()
        .position(|s| *s == status)
        .unwrap_or(5)
}
