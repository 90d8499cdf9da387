//! What one issue's change does to the counts the charts draw: derived with its events, in the
//! same transaction, and stored per commit (`history_tallies`), so a chart reads a few rows per
//! commit instead of replaying every issue's events (100k issues are 100k replays).
//!
//! The counts, by `chart` and `key`:
//! - `status`, key the status: issues with a file, not archived (the cumulative flow);
//! - `open`, key the milestone: issues open (not closed, not archived), and their estimate
//!   (the burndown);
//! - `member`, key the milestone: issues with a file in it, open or not (which milestones a
//!   burndown can be drawn for);
//! - `closed`, key empty: status changes to `closed` from another status (the throughput).

use super::event_fields::{ARCHIVED, ESTIMATE, EXISTS, EventFields, MILESTONE, STATUS};
use std::collections::BTreeMap;

/// Changes of counts, by `(chart, key)`: `(issues, estimate)`.
pub type Tallies = BTreeMap<(&'static str, String), (f64, f64)>;

/// Adds to `tallies` what an issue going from `old` to `new` (`None`: no file) changes.
pub fn tally(old: Option<&EventFields>, new: Option<&EventFields>, tallies: &mut Tallies) {
    for (fields, sign) in [(old, -1.0), (new, 1.0)] {
        let Some(fields) = fields.filter(|f| f[EXISTS].is_some()) else {
            continue;
        };
        let archived = fields[ARCHIVED].as_deref() == Some("true");
        let status = fields[STATUS].as_deref();
        let mut add = |chart: &'static str, key: &str, estimate: f64| {
            let entry = tallies.entry((chart, key.to_owned())).or_default();
            entry.0 += sign;
            entry.1 += sign * estimate;
        };
        if let (false, Some(status)) = (archived, status) {
            add("status", status, 0.0);
        }
        if let Some(milestone) = fields[MILESTONE].as_deref() {
            add("member", milestone, 0.0);
            if !archived && status != Some("closed") {
                add("open", milestone, estimate_of(fields));
            }
        }
    }
    let status = |fields: Option<&EventFields>| {
        fields
            .filter(|f| f[EXISTS].is_some())
            .and_then(|f| f[STATUS].clone())
    };
    let (before, after) = (status(old), status(new));
    if after.as_deref() == Some("closed") && before.as_deref().is_some_and(|s| s != "closed") {
        let entry = tallies.entry(("closed", String::new())).or_default();
        entry.0 += 1.0;
    }
}

/// The estimate in hours; none counts as 0.
#[must_use]
pub fn estimate_of(fields: &EventFields) -> f64 {
    fields[ESTIMATE]
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Rng;

    fn random_fields(rng: &mut Rng) -> Option<EventFields> {
        if rng.chance(20) {
            return None;
        }
        let mut fields: EventFields = Default::default();
        fields[EXISTS] = Some("1".into());
        fields[STATUS] = Some(["todo", "closed", "blocked"][rng.below(3)].into());
        fields[MILESTONE] = [None, Some("v1".into()), Some("v2".into())][rng.below(3)].clone();
        fields[ESTIMATE] = [None, Some("2".into()), Some("0.5".into())][rng.below(3)].clone();
        fields[ARCHIVED] = Some(rng.chance(20).to_string());
        Some(fields)
    }

    /// The counts straight from the issues' current fields.
    fn counted(issues: &[Option<EventFields>]) -> Tallies {
        let mut direct = Tallies::new();
        for fields in issues {
            tally(None, fields.as_ref(), &mut direct);
        }
        direct.remove(&("closed", String::new()));
        direct.retain(|_, (issues, estimate)| *issues != 0.0 || *estimate != 0.0);
        direct
    }

    #[test]
    fn summed_tallies_equal_the_counts_of_the_issues_at_every_step() {
        let mut rng = Rng::new(7);
        let mut issues: Vec<Option<EventFields>> = vec![None; 12];
        let mut running = Tallies::new();
        let mut closes = 0.0;
        for _ in 0..2_000 {
            let index = rng.below(issues.len());
            let new = random_fields(&mut rng);
            let mut step = Tallies::new();
            tally(issues[index].as_ref(), new.as_ref(), &mut step);
            let was = issues[index].as_ref().and_then(|f| f[STATUS].clone());
            let now = new.as_ref().and_then(|f| f[STATUS].clone());
            if now.as_deref() == Some("closed") && was.is_some_and(|s| s != "closed") {
                closes += 1.0;
            }
            for (key, (n, e)) in step {
                let entry = running.entry(key).or_default();
                entry.0 += n;
                entry.1 += e;
            }
            issues[index] = new;
            let mut summed = running.clone();
            let counted_closes = summed
                .remove(&("closed", String::new()))
                .map_or(0.0, |c| c.0);
            assert_eq!(counted_closes, closes);
            summed.retain(|_, (n, e)| n.abs() > 1e-9 || e.abs() > 1e-9);
            assert_eq!(summed, counted(&issues));
        }
    }
}
