//! Numbers read from payloads, without Rust's float parsing code: a number's grammar is checked
//! here and the browser's `parseFloat` converts it (Rust's own conversion would add its tables,
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
}
