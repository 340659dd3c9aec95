//! The geometry and labels of a topic's chart of values over time, as text for an SVG
//! `<polyline>` and its captions: plain data in, strings out, written without Rust's float
//! printing (`crate::number`).

use crate::number::{format_fixed, format_significant};

/// One value of a topic and when it arrived.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartPoint {
    /// Milliseconds since the Unix epoch (as `Message::received_at`).
    pub time_ms: u64,
    pub value: f64,
}

/// Significant digits of a label when the values vary as much as their size.
const LABEL_MIN_DIGITS: u32 = 3;
/// Beyond this many, the digits of an `f64` computed by a device are mostly noise.
const LABEL_MAX_DIGITS: u32 = 9;

/// `points` for an SVG polyline of `points` (in the order given) scaled into `width` × `height`:
/// x by time, from the earliest (0) to the latest (`width`); y by value, from the lowest
/// (`height`, the bottom) to the highest (0). Values that are all equal lie on the middle line;
/// points that all share one time lie at x = 0. Non-finite values are left out. Coordinates
/// have one decimal.
pub fn polyline_points(points: &[ChartPoint], width: f64, height: f64) -> String {
    let Some((min, max)) = value_range(points) else {
        return String::new();
    };
    let finite = || points.iter().filter(|p| p.value.is_finite());
    let first = finite().map(|p| p.time_ms).min().unwrap_or(0);
    let last = finite().map(|p| p.time_ms).max().unwrap_or(0);
    let duration = (last - first) as f64;
    finite()
        .map(|point| {
            let x = if duration > 0.0 {
                (point.time_ms - first) as f64 / duration * width
            } else {
                0.0
            };
            // Halved so that `max - min` cannot overflow (from -f64::MAX to f64::MAX).
            let y = if max > min {
                height - (point.value / 2.0 - min / 2.0) / (max / 2.0 - min / 2.0) * height
            } else {
                height / 2.0
            };
            format!("{},{}", format_fixed(x, 1), format_fixed(y, 1))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The captions of a chart, each a number as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartLabels {
    pub min: String,
    pub max: String,
    /// The value of the last point given (the newest, for points kept oldest first).
    pub last: String,
}

/// The lowest, highest and last finite values, or `None` if there are none. Each is written
/// with at least 3 significant digits (more where the integer part has more), and one digit
/// more for each factor of ten by which the values' size exceeds their spread, up to 9: so
/// 21.3 to 21.7 reads `21.3`, `21.7`, and 1013.2 to 1013.8 reads `1013.2`, `1013.8` rather
/// than `1013` twice. Below 0.0001 or from 10^12 on, an exponent: `1.5e-7`.
pub fn labels(points: &[ChartPoint]) -> Option<ChartLabels> {
    let (min, max) = value_range(points)?;
    let last = points.iter().rev().find(|p| p.value.is_finite())?.value;
    let digits = label_digits(min, max);
    Some(ChartLabels {
        min: format_significant(min, digits),
        max: format_significant(max, digits),
        last: format_significant(last, digits),
    })
}

fn label_digits(min: f64, max: f64) -> u32 {
    let size = min.abs().max(max.abs());
    // Halved so that the spread of -f64::MAX to f64::MAX does not overflow.
    let half_spread = max / 2.0 - min / 2.0;
    let mut digits = LABEL_MIN_DIGITS;
    if half_spread > 0.0 {
        let mut ratio = size / 2.0 / half_spread;
        while ratio >= 10.0 && digits < LABEL_MAX_DIGITS {
            ratio /= 10.0;
            digits += 1;
        }
    }
    digits
}

/// The lowest and highest finite values.
fn value_range(points: &[ChartPoint]) -> Option<(f64, f64)> {
    points
        .iter()
        .map(|p| p.value)
        .filter(|v| v.is_finite())
        .fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((min, max)) => Some((v.min(min), v.max(max))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time_ms: u64, value: f64) -> ChartPoint {
        ChartPoint { time_ms, value }
    }

    #[test]
    fn spans_the_box_from_min_to_max_along_time() {
        let points = [at(1000, 1.0), at(2000, 3.0), at(3000, 2.0)];
        assert_eq!(polyline_points(&points, 80.0, 20.0), "0,20 40,0 80,10");
        // Uneven arrival: x follows the clock, not the index.
        let points = [at(0, 0.0), at(100, 10.0), at(1000, 5.0)];
        assert_eq!(polyline_points(&points, 80.0, 20.0), "0,20 8,0 80,10");
    }

    #[test]
    fn degenerate_inputs_give_defined_lines() {
        assert_eq!(polyline_points(&[], 80.0, 20.0), "");
        assert_eq!(
            polyline_points(&[at(5, 5.0), at(9, 5.0)], 10.0, 10.0),
            "0,5 10,5",
            "equal values on the middle line"
        );
        assert_eq!(
            polyline_points(&[at(7, 1.0), at(7, 2.0)], 10.0, 10.0),
            "0,10 0,0",
            "one instant at x = 0"
        );
        assert_eq!(polyline_points(&[at(7, 1.0)], 10.0, 10.0), "0,5");
        let with_gaps = [
            at(0, f64::NAN),
            at(1, 1.0),
            at(2, f64::INFINITY),
            at(3, 3.0),
        ];
        assert_eq!(polyline_points(&with_gaps, 10.0, 10.0), "0,10 10,0");
    }

    #[test]
    fn extreme_values_and_times_stay_in_the_box() {
        let points = [
            at(0, -f64::MAX),
            at(u64::MAX, f64::MAX),
            at(u64::MAX / 2, 0.0),
        ];
        assert_eq!(polyline_points(&points, 80.0, 20.0), "0,20 80,0 40,10");
        let tiny = [at(0, 1e-300), at(1, 3e-300)];
        assert_eq!(polyline_points(&tiny, 10.0, 10.0), "0,10 10,0");
    }

    #[test]
    fn many_points_are_drawn_in_linear_time() {
        let points: Vec<ChartPoint> = (0..100_000).map(|i| at(i, (i % 17) as f64)).collect();
        let line = polyline_points(&points, 800.0, 200.0);
        assert_eq!(line.split(' ').count(), points.len());
    }

    #[test]
    fn labels_show_enough_digits_to_tell_min_from_max() {
        let labels_of = |values: &[f64]| {
            let points: Vec<ChartPoint> = values.iter().map(|&v| at(0, v)).collect();
            labels(&points).map(|l| (l.min, l.max, l.last))
        };
        let strings = |a: &str, b: &str, c: &str| Some((a.into(), b.into(), c.into()));
        assert_eq!(
            labels_of(&[21.3, 21.7, 21.45]),
            strings("21.3", "21.7", "21.45")
        );
        assert_eq!(
            labels_of(&[1013.2, 1013.8, 1013.25]),
            strings("1013.2", "1013.8", "1013.25")
        );
        assert_eq!(
            labels_of(&[1.0, 5.0, 10.0 / 3.0]),
            strings("1", "5", "3.33")
        );
        assert_eq!(
            labels_of(&[-5.0, 5.0, -0.123]),
            strings("-5", "5", "-0.123")
        );
        assert_eq!(
            labels_of(&[20.001, 20.009]),
            strings("20.001", "20.009", "20.009")
        );
        assert_eq!(labels_of(&[7.0, 7.0]), strings("7", "7", "7"));
        assert_eq!(
            labels_of(&[0.1 + 0.2, 0.3]),
            strings("0.3", "0.3", "0.3"),
            "a spread of float noise stops at 9 digits"
        );
    }

    #[test]
    fn labels_of_extreme_magnitudes_use_exponents() {
        let labels_of = |values: &[f64]| {
            let points: Vec<ChartPoint> = values.iter().map(|&v| at(0, v)).collect();
            labels(&points).map(|l| (l.min, l.max, l.last))
        };
        let strings = |a: &str, b: &str, c: &str| Some((a.into(), b.into(), c.into()));
        assert_eq!(
            labels_of(&[1.2e-5, 1.5e-5]),
            strings("1.2e-5", "1.5e-5", "1.5e-5")
        );
        assert_eq!(
            labels_of(&[1e20, 1.5e20]),
            strings("1e20", "1.5e20", "1.5e20")
        );
        assert_eq!(
            labels_of(&[-f64::MAX, f64::MAX]),
            strings("-1.8e308", "1.8e308", "1.8e308")
        );
        assert_eq!(labels_of(&[f64::NAN]), None);
        assert_eq!(labels_of(&[]), None);
        assert_eq!(
            labels_of(&[2.0, f64::NAN]),
            strings("2", "2", "2"),
            "the last finite value"
        );
    }
}
