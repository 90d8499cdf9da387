//! The snapshot `milestone list` and `project list` print, from the cache's tallies of the
//! issue files ([`crate::cache::tally`]) instead of every issue: at 100k issues a few hundred
//! rows instead of 100k.
//!
//! The tracker sums each milestone's floats in file order with Neumaier's compensation; the
//! tallies have no order. So each sum is taken exactly ([`ExactSum`]: fixed point), and a
//! printed value is trusted only where the tracker's rounding cannot show: either every
//! partial sum is exact in a float (integral and half-hour estimates: the tracker's sum is
//! then the exact sum, bit for bit), or the value lies far enough from every tie of `{:.1f}`
//! that the tracker's error bound cannot cross one. Otherwise `None`, and the caller reads
//! every issue as before.

use super::{Milestone, ProjectRecord};
use super::{MilestoneSummary, Snapshot, Terms, py_number, ratio, summarize};
use crate::cache::tally::Tally;
use crate::lines::contract::outputs::python::PyNumber;

/// The unit of [`ExactSum`]: 2^-64.
const SCALE: f64 = 18_446_744_073_709_551_616.0;
/// The unit roundoff of a float, 2^-53.
const U: f64 = f64::EPSILON / 2.0;

/// `Σ n·t` over floats `t`, exactly, in units of 2^-64 (every float from 2^-11 to 2^36 is
/// a whole number of them), with what bounds the tracker's rounding of the same sum.
#[derive(Debug, Default, Clone, Copy)]
struct ExactSum {
    units: i128,
    /// `Σ n·|t|` in units: every partial sum, in any order, lies within it.
    magnitude: i128,
    /// The fewest trailing zero bits of any term's units (`None` while every term is 0).
    finest: Option<u32>,
    /// Terms Python holds as floats; with none the sum is an int.
    floats: u64,
    ints: u64,
}

/// The units of `t`, when it is a whole number of them below 2^36 in magnitude.
fn units_of(t: f64) -> Option<i128> {
    if t == 0.0 {
        return Some(0);
    }
    if !t.is_finite() || t.abs() >= 68_719_476_736.0 {
        return None;
    }
    let scaled = t * SCALE; // exact: a power of two, far from overflow
    // Whole and below 2^100: the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    (scaled.fract() == 0.0).then_some(scaled as i128)
}

impl ExactSum {
    /// Adds `n` terms `t`; `None` when a term cannot be held exactly.
    fn add(&mut self, t: PyNumber, count: u64) -> Option<()> {
        let units = units_of(t.as_f64())?;
        let n = i128::from(count);
        self.units = self.units.checked_add(units.checked_mul(n)?)?;
        self.magnitude = self
            .magnitude
            .checked_add(units.checked_abs()?.checked_mul(n)?)?;
        if units != 0 {
            let zeros = units.trailing_zeros();
            self.finest = Some(self.finest.map_or(zeros, |f| f.min(zeros)));
        }
        match t {
            PyNumber::Int(_) => self.ints += count,
            PyNumber::Float(_) => self.floats += count,
        }
        Some(())
    }

    /// The sum as Python holds it: an int while every term was one; else the float nearest
    /// the exact sum (a cast from `i128` rounds to nearest, and 2^-64 scales exactly).
    fn value(&self) -> PyNumber {
        if self.floats == 0 {
            return PyNumber::Int(i64::try_from(self.units >> 64).unwrap_or(i64::MAX));
        }
        #[allow(clippy::cast_precision_loss)]
        PyNumber::Float(self.units as f64 / SCALE)
    }

    /// How far the tracker's sum of these terms may lie from the exact sum, in any order:
    /// nothing when every partial sum is a float exactly (all terms multiples of 2^q and
    /// their magnitudes together below 2^(53+q)); else Neumaier's bound, about 2u of the
    /// magnitude, with room for the first float added to the int prefix and the ints added
    /// uncompensated after it (u each).
    fn python_error(&self) -> f64 {
        let Some(finest) = self.finest else {
            return 0.0;
        };
        if self.floats == 0 || self.magnitude < (1_i128 << (53 + finest).min(126)) {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let magnitude = self.magnitude as f64 / SCALE;
        #[allow(clippy::cast_precision_loss)]
        let slack = 4.0 + 2.0 * self.ints as f64;
        slack * U * magnitude * 1.01
    }
}

/// Whether `{:.1f}` of a value the tracker computes within `error` of `ours` prints as ours.
fn prints_alike(ours: f64, error: f64) -> bool {
    if error == 0.0 {
        return true;
    }
    let tenths = ours * 10.0;
    let tie = (tenths - tenths.floor() - 0.5).abs() / 10.0;
    tie > error + 8.0 * U * ours.abs()
}

/// The four sums of one milestone's issues.
#[derive(Default)]
struct Sums {
    issues: usize,
    closed: usize,
    estimated: ExactSum,
    remaining: ExactSum,
    weight: ExactSum,
    earned: ExactSum,
}

impl Sums {
    fn add(&mut self, tally: &Tally) -> Option<()> {
        let closed = tally.status == "closed";
        let terms = Terms::of(
            tally.estimated_hours.map(py_number),
            tally.progress_percentage.map(py_number),
            closed,
        );
        let files = usize::try_from(tally.files).ok()?;
        self.issues += files;
        if closed {
            self.closed += files;
        }
        self.estimated.add(terms.estimated, tally.files)?;
        if let Some(remaining) = terms.remaining {
            self.remaining.add(remaining, tally.files)?;
        }
        self.weight.add(terms.weight, tally.files)?;
        self.earned.add(PyNumber::Float(terms.earned), tally.files)
    }

    /// `_milestone_summary`, or `None` when the printed estimate or progress could differ
    /// from the tracker's (with [`Precision::Exact`], when any of its sums could).
    fn summary(&self, milestone: &Milestone, precision: Precision) -> Option<MilestoneSummary> {
        let sums = [&self.estimated, &self.remaining, &self.earned, &self.weight];
        if precision == Precision::Exact && sums.iter().any(|sum| sum.python_error() > 0.0) {
            return None;
        }
        let estimated = self.estimated.value();
        if !prints_alike(estimated.as_f64(), self.estimated.python_error()) {
            return None;
        }
        let (earned, weight) = (self.earned.value(), self.weight.value());
        let (earned_error, weight_error) = (self.earned.python_error(), self.weight.python_error());
        let progress = ratio(earned, weight);
        if earned_error > 0.0 || weight_error > 0.0 {
            // The tracker divides its own sums: a relative error from each, and its rounding.
            let (e, w) = (earned.as_f64().abs(), weight.as_f64().abs());
            if e <= earned_error || w <= weight_error {
                return None;
            }
            let relative = earned_error / e + weight_error / w + 4.0 * U;
            if !prints_alike(progress, progress.abs() * relative) {
                return None;
            }
        }
        Some(MilestoneSummary {
            milestone: milestone.clone(),
            issue_count: self.issues,
            closed_count: self.closed,
            estimated_hours: estimated,
            remaining_hours: self.remaining.value(),
            progress,
        })
    }
}

/// How closely the sums of [`snapshot_from_tallies`] must match the tracker's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Each milestone's estimate and progress print as the tracker's with `{:.1f}`: what
    /// `milestone list` prints of them (`project list` prints none).
    Tenths,
    /// Every sum is the tracker's float bit for bit (each partial sum exact, whatever the
    /// order): the projects' sums, taken over their milestones' floats, are then the
    /// tracker's too, for `project view` (its JSON prints them whole).
    Exact,
}

/// The snapshot of the visible projects and milestones, summed from `tallies`, with no
/// issues, its sums as close to the tracker's as `precision` asks. `None` when a sum cannot
/// be trusted that far (the caller reads every issue).
#[must_use]
pub fn snapshot_from_tallies(
    projects: &[ProjectRecord],
    milestones: &[Milestone],
    tallies: &[Tally],
    precision: Precision,
) -> Option<Snapshot> {
    let mut by_milestone: std::collections::HashMap<&str, Sums> = std::collections::HashMap::new();
    for tally in tallies.iter().filter(|t| t.retention == "visible") {
        if let Some(id) = tally.milestone_id.as_deref() {
            by_milestone.entry(id).or_default().add(tally)?;
        }
    }
    let none = Sums::default();
    let (projects, milestones) = summarize(projects, milestones, |m| {
        by_milestone
            .get(m.row.id.as_str())
            .unwrap_or(&none)
            .summary(m, precision)
    })?;
    Some(Snapshot {
        projects,
        milestones,
        issues: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::py_sum;
    use super::*;

    fn exact(terms: &[PyNumber]) -> ExactSum {
        let mut sum = ExactSum::default();
        for &t in terms {
            sum.add(t, 1).unwrap();
        }
        sum
    }

    #[test]
    fn whole_and_half_hours_sum_to_the_trackers_float_bit_for_bit() {
        let terms: Vec<PyNumber> = (0..1000_i32)
            .map(|i| match i % 3 {
                0 => PyNumber::Int(i64::from(i % 17)),
                1 => PyNumber::Float(f64::from(i % 13) + 0.5),
                _ => PyNumber::Float(0.0),
            })
            .collect();
        let sum = exact(&terms);
        assert_eq!(sum.python_error(), 0.0);
        assert_eq!(sum.value(), py_sum(terms.iter().copied()));
        let mut reversed = terms.clone();
        reversed.reverse();
        assert_eq!(exact(&reversed).value(), py_sum(terms.iter().copied()));
    }

    #[test]
    fn ints_alone_stay_an_int() {
        let terms = [PyNumber::Int(3), PyNumber::Int(4)];
        assert_eq!(exact(&terms).value(), PyNumber::Int(7));
        assert_eq!(py_sum(terms), PyNumber::Int(7));
    }

    #[test]
    fn tenths_are_bounded_and_the_bound_holds_in_every_order() {
        // Earned shares like 14.0 * 0.1: not exact in a float, summed in two orders.
        let terms: Vec<PyNumber> = (0..5000_i32)
            .map(|i| PyNumber::Float(f64::from(i % 16 + 1) * (f64::from(i % 10) / 10.0)))
            .collect();
        let sum = exact(&terms);
        let error = sum.python_error();
        assert!(error > 0.0);
        let ours = sum.value().as_f64();
        let mut shuffled = terms.clone();
        shuffled.sort_by(|a, b| b.as_f64().total_cmp(&a.as_f64()));
        for order in [&terms, &shuffled] {
            let python = py_sum(order.iter().copied()).as_f64();
            assert!((python - ours).abs() <= error, "{python} vs {ours}");
        }
    }

    #[test]
    fn a_value_near_a_tie_is_not_trusted() {
        assert!(prints_alike(39.0, 1e-9));
        assert!(
            prints_alike(0.25, 0.0),
            "exact: one_decimal refuses ties itself"
        );
        assert!(!prints_alike(0.25, 1e-12));
        assert!(!prints_alike(0.250_000_000_000_01, 1e-12));
        assert!(prints_alike(0.2, 1e-12));
    }

    #[test]
    fn terms_too_fine_or_too_large_are_refused() {
        assert!(units_of(1e-30).is_none());
        assert!(units_of(1e12).is_none());
        assert!(units_of(f64::NAN).is_none());
        assert_eq!(units_of(1.5), Some(3_i128 << 63));
    }
}
