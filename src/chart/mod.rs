//! Drawing chart series (`history::series`): as text fitted to a terminal ([`terminal`]) or as
//! a self-contained SVG file ([`svg`]). Both read only a [`Chart`]; a web page can draw the
//! same one later.

pub mod svg;
pub mod terminal;

use crate::history::series::{Chart, Series, Shape};

/// The value of a step series at `time`: its last point at or before it, 0 before the first.
#[must_use]
pub fn value_at(series: &Series, time: i64) -> f64 {
    let after = series.points.partition_point(|(t, _)| *t <= time);
    after
        .checked_sub(1)
        .map_or(0.0, |index| series.points[index].1)
}

/// The largest value a panel reaches: for stacked series, the highest stack.
#[must_use]
pub fn panel_max(shape: Shape, series: &[Series]) -> f64 {
    let mut max: f64 = 0.0;
    match shape {
        Shape::Lines | Shape::Bars => {
            for s in series {
                for (_, v) in &s.points {
                    max = max.max(*v);
                }
            }
        }
        Shape::Stacked => {
            let times: Vec<i64> = series
                .iter()
                .flat_map(|s| s.points.iter().map(|(t, _)| *t))
                .collect();
            for time in times {
                max = max.max(series.iter().map(|s| value_at(s, time)).sum());
            }
        }
    }
    max
}

/// A round axis maximum at or above `max` (at least 1), close enough that the data fills most
/// of the plot: 5,100 hours get an axis to 6,000, not 10,000.
#[must_use]
pub fn nice_max(max: f64) -> f64 {
    if max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    // In tenths, so 1.2 × 1,000 is 1,200 and not 1,200.0000000000002.
    [
        10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0,
    ]
    .iter()
    .map(|tenths| (tenths * magnitude).round() / 10.0)
    .find(|candidate| *candidate >= max)
    .unwrap_or(10.0 * magnitude)
}

/// A value as an axis or a legend shows it: whole numbers without decimals.
#[must_use]
pub fn format_value(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.1}")
    }
}

/// `YYYY-MM-DD` of a Unix time, in UTC.
#[must_use]
pub fn date(time: i64) -> String {
    let (year, month, day) = crate::issue::timestamp::civil_from_days(time.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Whether the chart has anything to draw.
#[must_use]
pub fn is_empty(chart: &Chart) -> bool {
    chart
        .panels
        .iter()
        .all(|panel| panel.series.iter().all(|s| s.points.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 8.0);
        assert_eq!(nice_max(13.0), 15.0);
        assert_eq!(nice_max(41.0), 50.0);
        assert_eq!(nice_max(100.0), 100.0);
        assert_eq!(nice_max(5_100.0), 6_000.0);
    }

    #[test]
    fn a_step_holds_its_value_until_the_next_point() {
        let series = Series {
            name: "s".into(),
            points: vec![(10, 1.0), (20, 3.0)],
        };
        assert_eq!(value_at(&series, 5), 0.0);
        assert_eq!(value_at(&series, 10), 1.0);
        assert_eq!(value_at(&series, 19), 1.0);
        assert_eq!(value_at(&series, 25), 3.0);
        assert_eq!(date(0), "1970-01-01");
    }
}
