//! 0.3.1's `Planning.snapshot()` over our rows: the visible milestones sorted by name, each
//! with its issue counts, estimate and progress (`_milestone_summary`), and each visible
//! project's totals over its milestones (`_project_summary`), summed as Python's `sum()`
//! sums (an int while every term is one; Neumaier-compensated floats after, as 3.12+ does).
//! What it sums is read in [`workspace`].

pub mod tally;
mod workspace;

use workspace::py_number;
pub use workspace::{Issue, Milestone, Workspace};

use super::issue_list::records::ProjectRecord;
use super::python::PyNumber;
use std::collections::HashMap;

/// `MilestoneSummary`.
#[derive(Debug, Clone)]
pub struct MilestoneSummary {
    pub milestone: Milestone,
    pub issue_count: usize,
    pub closed_count: usize,
    pub estimated_hours: PyNumber,
    pub remaining_hours: PyNumber,
    pub progress: f64,
}

/// `ProjectSummary`.
#[derive(Debug, Clone)]
pub struct ProjectSummary {
    pub project: ProjectRecord,
    pub milestone_count: usize,
    pub issue_count: usize,
    pub closed_count: usize,
    pub estimated_hours: PyNumber,
    pub remaining_hours: PyNumber,
    pub progress: f64,
}

/// `PlanningSnapshot`: visible projects and milestones sorted by name, visible issues.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub projects: Vec<ProjectSummary>,
    pub milestones: Vec<MilestoneSummary>,
    pub issues: Vec<Issue>,
}

/// Python's `sum(values)` from the int `0`: exact while the terms are ints, then floats with
/// Neumaier's compensation (ints after the first float are added uncompensated, as CPython's
/// float loop does).
#[must_use]
pub fn py_sum(values: impl IntoIterator<Item = PyNumber>) -> PyNumber {
    let mut values = values.into_iter();
    let mut int: i64 = 0;
    let (mut total, mut compensation) = loop {
        match values.next() {
            None => return PyNumber::Int(int),
            Some(PyNumber::Int(i)) => int = int.saturating_add(i),
            Some(PyNumber::Float(f)) => break (PyNumber::Int(int).as_f64() + f, 0.0),
        }
    };
    for value in values {
        match value {
            PyNumber::Float(x) => {
                let t = total + x;
                if total.abs() >= x.abs() {
                    compensation += (total - t) + x;
                } else {
                    compensation += (x - t) + total;
                }
                total = t;
            }
            PyNumber::Int(_) => total += value.as_f64(),
        }
    }
    if compensation != 0.0 && compensation.is_finite() {
        total += compensation;
    }
    PyNumber::Float(total)
}

/// `value or default`: a zero (int or float) or `None` gives `default`.
fn or(value: Option<PyNumber>, default: f64) -> PyNumber {
    match value {
        Some(n) if n.as_f64() != 0.0 => n,
        _ => PyNumber::Float(default),
    }
}

/// `f"{value:.1f}"`, or `None` for a value that lies on a rounding tie (where Rust's and
/// Python's rounding may part) or is not finite.
#[must_use]
pub fn one_decimal(value: PyNumber) -> Option<String> {
    let x = value.as_f64();
    let tenths = x * 10.0;
    if !x.is_finite() || tenths.fract().abs() == 0.5 {
        return None;
    }
    Some(format!("{x:.1}"))
}

/// `earned / total_weight * 100.0 if total_weight else 0.0`.
pub(crate) fn ratio(earned: PyNumber, weight: PyNumber) -> f64 {
    if weight.as_f64() == 0.0 {
        0.0
    } else {
        earned.as_f64() / weight.as_f64() * 100.0
    }
}

/// What one issue adds to its milestone's sums in `_milestone_summary`: its estimate (`or
/// 0.0`), the same again when it is not closed (the remaining hours), its weight (its estimate
/// `or 1.0`) and its earned share of that weight.
pub(crate) struct Terms {
    pub estimated: PyNumber,
    pub remaining: Option<PyNumber>,
    pub weight: PyNumber,
    pub earned: f64,
}

impl Terms {
    pub(crate) fn of(
        estimated_hours: Option<PyNumber>,
        progress_percentage: Option<PyNumber>,
        closed: bool,
    ) -> Self {
        let estimated = or(estimated_hours, 0.0);
        let weight = or(estimated_hours, 1.0);
        let share = if closed {
            1.0
        } else {
            or(progress_percentage, 0.0).as_f64() / 100.0
        };
        Terms {
            estimated,
            remaining: (!closed).then_some(estimated),
            weight,
            earned: weight.as_f64() * share,
        }
    }
}

/// The summary of `milestone`, whose issues (in snapshot order) are `assigned`.
fn milestone_summary(milestone: &Milestone, assigned: &[&Issue]) -> MilestoneSummary {
    let closed = |i: &Issue| i.status == "closed";
    let terms: Vec<Terms> = assigned
        .iter()
        .map(|i| Terms::of(i.estimated_hours, i.progress_percentage, closed(i)))
        .collect();
    MilestoneSummary {
        milestone: milestone.clone(),
        issue_count: assigned.len(),
        closed_count: assigned.iter().filter(|i| closed(i)).count(),
        estimated_hours: py_sum(terms.iter().map(|t| t.estimated)),
        remaining_hours: py_sum(terms.iter().filter_map(|t| t.remaining)),
        progress: ratio(
            py_sum(terms.iter().map(|t| PyNumber::Float(t.earned))),
            py_sum(terms.iter().map(|t| t.weight)),
        ),
    }
}

fn project_summary(project: &ProjectRecord, milestones: &[MilestoneSummary]) -> ProjectSummary {
    let linked: Vec<&MilestoneSummary> = milestones
        .iter()
        .filter(|m| {
            project.milestone_ids.contains(&m.milestone.row.id)
                || m.milestone.more.project_id.as_deref() == Some(project.id.as_str())
        })
        .collect();
    let weight = py_sum(linked.iter().map(|m| or(Some(m.estimated_hours), 1.0)));
    let earned = py_sum(linked.iter().map(|m| {
        let share = if m.milestone.row.status == "closed" {
            1.0
        } else {
            m.progress / 100.0
        };
        PyNumber::Float(or(Some(m.estimated_hours), 1.0).as_f64() * share)
    }));
    let count = |n: usize| PyNumber::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let as_count = |n: PyNumber| match n {
        PyNumber::Int(i) => usize::try_from(i).unwrap_or(0),
        PyNumber::Float(_) => 0,
    };
    ProjectSummary {
        project: project.clone(),
        milestone_count: linked.len(),
        issue_count: as_count(py_sum(linked.iter().map(|m| count(m.issue_count)))),
        closed_count: as_count(py_sum(linked.iter().map(|m| count(m.closed_count)))),
        estimated_hours: py_sum(linked.iter().map(|m| m.estimated_hours)),
        remaining_hours: py_sum(linked.iter().map(|m| m.remaining_hours)),
        progress: ratio(earned, weight),
    }
}

/// `Planning.snapshot()`. Python's `sorted` by `str(name)` is stable and orders by code
/// point, as Rust's `str` ordering does.
#[must_use]
pub fn snapshot(workspace: Workspace) -> Snapshot {
    let issues: Vec<Issue> = workspace
        .issues
        .into_iter()
        .filter(|i| i.retention == "visible")
        .collect();
    // Each milestone's issues in snapshot order, found once for all milestones.
    let mut by_milestone: HashMap<&str, Vec<&Issue>> = HashMap::new();
    for issue in &issues {
        if let Some(id) = issue.milestone_id.as_deref() {
            by_milestone.entry(id).or_default().push(issue);
        }
    }
    let summarized = summarize(&workspace.projects, &workspace.milestones, |m| {
        let assigned = by_milestone.get(m.row.id.as_str());
        Some(milestone_summary(m, assigned.map_or(&[], Vec::as_slice)))
    });
    drop(by_milestone);
    let (projects, milestones) = summarized.expect("every milestone summarized");
    Snapshot {
        projects,
        milestones,
        issues,
    }
}

/// The snapshot's visible projects and milestones (each sorted by name), the milestones
/// summarized by `summary`; `None` when it gives up on one.
fn summarize(
    projects: &[ProjectRecord],
    milestones: &[Milestone],
    summary: impl FnMut(&Milestone) -> Option<MilestoneSummary>,
) -> Option<(Vec<ProjectSummary>, Vec<MilestoneSummary>)> {
    let mut milestones: Vec<&Milestone> = milestones
        .iter()
        .filter(|m| m.row.retention == "visible")
        .collect();
    milestones.sort_by(|a, b| a.row.name.cmp(&b.row.name));
    let summaries: Vec<MilestoneSummary> =
        milestones.into_iter().map(summary).collect::<Option<_>>()?;
    // `by_id` is a dict: with two milestones of one id, the later (by name) stands for both.
    let mut by_id: Vec<MilestoneSummary> = Vec::new();
    for summary in &summaries {
        match by_id
            .iter_mut()
            .find(|s| s.milestone.row.id == summary.milestone.row.id)
        {
            Some(slot) => *slot = summary.clone(),
            None => by_id.push(summary.clone()),
        }
    }
    let mut projects: Vec<&ProjectRecord> = projects
        .iter()
        .filter(|p| p.retention == "visible")
        .collect();
    projects.sort_by(|a, b| a.name.cmp(&b.name));
    Some((
        projects
            .into_iter()
            .map(|p| project_summary(p, &by_id))
            .collect(),
        summaries,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_keep_ints_and_compensate_floats_as_python_does() {
        assert_eq!(py_sum([]), PyNumber::Int(0));
        assert_eq!(
            py_sum([PyNumber::Int(2), PyNumber::Int(3)]),
            PyNumber::Int(5)
        );
        // sum([0.1] * 10) is 1.0 on Python 3.12+, 0.9999999999999999 before.
        assert_eq!(py_sum([PyNumber::Float(0.1); 10]), PyNumber::Float(1.0));
        assert_eq!(
            py_sum([PyNumber::Int(1), PyNumber::Float(0.5)]),
            PyNumber::Float(1.5)
        );
        // sum([1e100, 1.0, -1e100, 1.0]) is 2.0 with Neumaier's compensation.
        assert_eq!(
            py_sum([1e100, 1.0, -1e100, 1.0].map(PyNumber::Float)),
            PyNumber::Float(2.0)
        );
    }

    #[test]
    fn one_decimal_refuses_ties() {
        assert_eq!(one_decimal(PyNumber::Float(39.0)).as_deref(), Some("39.0"));
        assert_eq!(
            one_decimal(PyNumber::Float(5.882_352_941_176_47)).as_deref(),
            Some("5.9")
        );
        assert_eq!(one_decimal(PyNumber::Int(8)).as_deref(), Some("8.0"));
        assert_eq!(one_decimal(PyNumber::Float(0.25)), None);
    }
}
