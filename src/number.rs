//! Numbers read from payloads and written for display, without Rust's float parsing and printing
//! code: a number's grammar is checked here and the browser's `parseFloat` converts it, and
//! numbers are written with integer arithmetic (Rust's own conversions would add their tables,
//! about 10 KB, to the download; see ARCHITECTURE, "Download size").

/// Whether `text` is a decimal number as `str::parse::<f64>` reads one: an optional sign, digits
/// with an optional point, an optional exponent. No surrounding whitespace, no `inf` or `NaN`.
pub fn is_decimal(text: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let whole = digits(unsigned);
    let rest = &unsigned[whole..];
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after) => (digits(after), &after[digits(after)..]),
        None => (0, rest),
    };
    let exponent_ok = match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            digits(exponent) > 0 && digits(exponent) == exponent.len()
        }
        None => rest.is_empty(),
    };
    whole + fraction > 0 && exponent_ok
}

/// The value of `text` if it is a decimal number (`is_decimal`) whose value is finite (`1e999`
/// is not). Callers trim first if they accept surrounding whitespace.
pub fn parse_decimal(text: &str) -> Option<f64> {
    if !is_decimal(text) {
        return None;
    }
    Some(convert(text)).filter(|value| value.is_finite())
}

/// `parseFloat` reads every decimal to the same nearest `f64` as Rust does.
#[cfg(target_arch = "wasm32")]
fn convert(decimal: &str) -> f64 {
    js_sys::parse_float(decimal)
}

/// Natively (the unit tests) there is no `parseFloat`, and the download size does not matter.
#[cfg(not(target_arch = "wasm32"))]
fn convert(decimal: &str) -> f64 {
    decimal.parse().unwrap_or(f64::NAN)
}

/// Decimals `format_fixed` writes at most: 10^15 is the largest power of ten below 2^53, the
/// range in which an `f64` holds every integer, so the scaled value is still exact.
const MAX_DECIMALS: u32 = 15;

/// Significant digits an `f64` holds for certain.
const MAX_SIGNIFICANT: u32 = 15;

/// Magnitudes `format_significant` writes without an exponent: below, `0.0000…` gets long to read;
/// above, so do the digits.
const POSITIONAL: std::ops::Range<f64> = 1e-4..1e12;

/// `value` rounded (half away from zero) to `decimals` places, at most 15, with trailing zeros
/// and a trailing point dropped: `format_fixed(2.50, 2)` is `2.5`, `format_fixed(-0.04, 1)` is `0`.
/// Magnitudes too large for that in integer arithmetic (|value| × 10^decimals ≥ 2^53) are
/// written by `format_significant` with 15 digits; `NaN`, `Infinity` and `-Infinity` as in
/// JavaScript.
pub fn format_fixed(value: f64, decimals: u32) -> String {
    if let Some(word) = non_finite_word(value) {
        return word.to_owned();
    }
    let decimals = decimals.min(MAX_DECIMALS);
    let scaled = (value.abs() * 10f64.powi(decimals as i32)).round();
    if scaled >= 2f64.powi(53) {
        return format_significant(value, MAX_SIGNIFICANT);
    }
    // Exact: `scaled` is an integer below 2^53.
    let units = scaled as u64;
    let mut out = String::new();
    if value < 0.0 && units != 0 {
        out.push('-');
    }
    push_units(&mut out, units, decimals);
    out
}

/// `value` with `digits` significant digits (1 to 15), but never fewer than its integer digits
/// (`12345.6` with 3 is `12346`), trailing zeros dropped; an exponent outside 0.0001 ≤ |value| <
/// 10^12: `1.5e-7`, `-2.99792e20`. In exponent form the last digit may differ from exact
/// rounding by one (the mantissa is found by repeated division); this is for reading, not for
/// storing.
pub fn format_significant(value: f64, digits: u32) -> String {
    if let Some(word) = non_finite_word(value) {
        return word.to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    let digits = digits.clamp(1, MAX_SIGNIFICANT);
    let (mantissa, exponent) = decimal_exponent(value.abs());
    if POSITIONAL.contains(&value.abs()) {
        // |value| < 10^(exponent + 1), so the scaled value stays below 10^digits: exact.
        let decimals = (digits as i32 - 1 - exponent).max(0) as u32;
        return format_fixed(value, decimals);
    }
    let mut units = (mantissa * 10f64.powi(digits as i32 - 1)).round() as u64;
    let mut exponent = exponent;
    // 9.996 to three digits rounds up to 10.0.
    if units >= 10u64.pow(digits) {
        units /= 10;
        exponent += 1;
    }
    let mut out = String::new();
    if value < 0.0 {
        out.push('-');
    }
    push_units(&mut out, units, digits - 1);
    out.push('e');
    out.push_str(&exponent.to_string());
    out
}

fn non_finite_word(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value.is_infinite() {
        Some(if value > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        None
    }
}

/// `units` / 10^decimals, trailing zeros of the fraction dropped.
fn push_units(out: &mut String, units: u64, decimals: u32) {
    let scale = 10u64.pow(decimals);
    out.push_str(&(units / scale).to_string());
    let fraction = units % scale;
    if fraction != 0 {
        let padded = format!("{fraction:0width$}", width = decimals as usize);
        out.push('.');
        out.push_str(padded.trim_end_matches('0'));
    }
}

/// `(mantissa, exponent)` with `magnitude` = mantissa × 10^exponent and 1 ≤ mantissa < 10, for
/// a finite `magnitude` > 0. Steps of 10^16 (exact in an `f64`) first keep the rounding errors
/// of the divisions few.
fn decimal_exponent(magnitude: f64) -> (f64, i32) {
    let mut mantissa = magnitude;
    let mut exponent = 0;
    while mantissa >= 1e16 {
        mantissa /= 1e16;
        exponent += 16;
    }
    while mantissa >= 10.0 {
        mantissa /= 10.0;
        exponent += 1;
    }
    while mantissa < 1e-16 {
        mantissa *= 1e16;
        exponent -= 16;
    }
    while mantissa < 1.0 {
        mantissa *= 10.0;
        exponent -= 1;
    }
    (mantissa, exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_what_rust_parses_as_finite_numbers() {
        let inputs = [
            "0",
            "42",
            "-7",
            "+3.5",
            "1.",
            ".5",
            "-.5",
            "1e3",
            "2.5E-3",
            "1e+9",
            "007",
            "",
            "+",
            "-",
            ".",
            "e3",
            "1e",
            "1e+",
            "1.2.3",
            "1,5",
            "0x10",
            "1_000",
            "+-1",
            " 1",
            "1 ",
            "12a",
            "inf",
            "-infinity",
            "NaN",
        ];
        for text in inputs {
            let finite = text.parse::<f64>().is_ok_and(f64::is_finite);
            assert_eq!(is_decimal(text), finite, "{text:?}");
        }
    }

    #[test]
    fn parses_finite_decimals_only() {
        assert_eq!(parse_decimal("21.5"), Some(21.5));
        assert_eq!(parse_decimal("-1e-3"), Some(-0.001));
        assert_eq!(parse_decimal("+.5"), Some(0.5));
        assert_eq!(parse_decimal("1e999"), None, "overflows to infinity");
        assert_eq!(parse_decimal("-1e999"), None);
        assert_eq!(
            parse_decimal("1e-999"),
            Some(0.0),
            "underflow is zero, still finite"
        );
        assert_eq!(parse_decimal(" 1"), None, "callers trim");
        assert_eq!(parse_decimal("NaN"), None);
        assert_eq!(parse_decimal(""), None);
    }

    #[test]
    fn long_inputs_are_read_without_trouble() {
        let long = "9".repeat(1 << 20);
        assert_eq!(parse_decimal(&long), None, "a million nines is infinite");
        let long_fraction = format!("0.{}", "1".repeat(1 << 20));
        assert!(parse_decimal(&long_fraction).is_some_and(|v| (v - 0.111_111).abs() < 1e-6));
    }

    #[test]
    fn fixed_rounds_and_drops_trailing_zeros() {
        assert_eq!(format_fixed(0.0, 1), "0");
        assert_eq!(format_fixed(20.0, 1), "20");
        assert_eq!(format_fixed(2.5, 2), "2.5");
        assert_eq!(format_fixed(12.34, 1), "12.3");
        assert_eq!(format_fixed(0.05, 1), "0.1", "half away from zero");
        assert_eq!(format_fixed(-0.25, 1), "-0.3");
        assert_eq!(format_fixed(-0.04, 1), "0", "no negative zero");
        assert_eq!(format_fixed(-1234.5678, 2), "-1234.57");
        assert_eq!(
            format_fixed(0.000123, 6),
            "0.000123",
            "leading zeros of the fraction"
        );
        assert_eq!(format_fixed(1.5, 0), "2");
        assert_eq!(format_fixed(1e-30, 99), "0", "decimals capped at 15");
        assert_eq!(format_fixed(f64::NAN, 1), "NaN");
        assert_eq!(format_fixed(f64::INFINITY, 1), "Infinity");
        assert_eq!(format_fixed(f64::NEG_INFINITY, 1), "-Infinity");
    }

    #[test]
    fn fixed_hands_magnitudes_beyond_exact_integers_to_significant() {
        assert_eq!(format_fixed(9_007_199_254_740_991.0, 0), "9007199254740991");
        assert_eq!(
            format_fixed(9_007_199_254_740_992.0, 0),
            "9.00719925474099e15"
        );
        assert_eq!(format_fixed(1e11, 6), "100000000000");
        assert_eq!(format_fixed(-1e300, 1), "-1e300");
        assert_eq!(format_fixed(f64::MAX, 15), "1.79769313486232e308");
    }

    #[test]
    fn significant_digits_keep_the_integer_part() {
        assert_eq!(format_significant(21.456, 3), "21.5");
        assert_eq!(format_significant(12345.6, 3), "12346");
        assert_eq!(format_significant(0.012345, 3), "0.0123");
        assert_eq!(format_significant(-4.56789, 3), "-4.57");
        assert_eq!(format_significant(9.996, 3), "10");
        assert_eq!(format_significant(100.0, 3), "100");
        assert_eq!(format_significant(0.3, 9), "0.3");
        assert_eq!(format_significant(0.1 + 0.2, 15), "0.3");
        assert_eq!(format_significant(0.0001, 3), "0.0001");
        assert_eq!(format_significant(0.0, 3), "0");
        assert_eq!(format_significant(-0.0, 3), "0");
        assert_eq!(format_significant(2.5, 0), "3", "at least one digit");
        assert_eq!(format_significant(999_999_999_999.0, 3), "999999999999");
    }

    #[test]
    fn significant_uses_an_exponent_for_extreme_magnitudes() {
        assert_eq!(format_significant(0.000_012_34, 3), "1.23e-5");
        assert_eq!(format_significant(-1.5e-7, 3), "-1.5e-7");
        assert_eq!(format_significant(1e12, 3), "1e12");
        assert_eq!(format_significant(2.997_924_58e20, 6), "2.99792e20");
        assert_eq!(
            format_significant(9.9996e20, 4),
            "1e21",
            "rounding up moves the exponent"
        );
        assert_eq!(format_significant(f64::MAX, 3), "1.8e308");
        assert_eq!(format_significant(f64::MIN_POSITIVE, 3), "2.23e-308");
        assert_eq!(
            format_significant(5e-324, 3),
            "4.94e-324",
            "the smallest subnormal"
        );
        assert_eq!(format_significant(f64::NEG_INFINITY, 3), "-Infinity");
    }

    #[test]
    fn significant_agrees_with_rust_formatting_where_the_integer_part_fits() {
        let mut seed = 12345u64;
        for _ in 0..5000 {
            // A spread of digit patterns over the magnitudes 0.0001 to 100000, both signs.
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mantissa = (seed >> 11) as f64 / (1u64 << 53) as f64 * 10.0;
            let exponent = (seed % 10) as i32 - 4;
            let sign = if seed & (1 << 40) == 0 { 1.0 } else { -1.0 };
            let value = sign * mantissa * 10f64.powi(exponent);
            if !POSITIONAL.contains(&value.abs()) {
                continue;
            }
            let ours: f64 = format_significant(value, 6).parse().expect("a decimal");
            let rust: f64 = format!("{value:.5e}").parse().expect("a decimal");
            assert_eq!(ours, rust, "{value}");
        }
    }

    #[test]
    fn exponent_form_is_within_one_in_the_last_digit_of_rust_formatting() {
        let mut seed = 54321u64;
        for _ in 0..5000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mantissa = 1.0 + (seed >> 11) as f64 / (1u64 << 53) as f64 * 9.0;
            let exponent = (seed % 600) as i32 - 300;
            let value = mantissa * 10f64.powi(exponent);
            if POSITIONAL.contains(&value) || !value.is_normal() {
                continue;
            }
            let ours: f64 = format_significant(value, 6).parse().expect("a decimal");
            let rust: f64 = format!("{value:.5e}").parse().expect("a decimal");
            let last_digit = 10f64.powi(decimal_exponent(value).1 - 5);
            assert!(
                (ours - rust).abs() <= last_digit * 1.001,
                "{value}: {ours} {rust}"
            );
        }
    }
}
