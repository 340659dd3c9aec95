//! Payload formats: parsing what the user types into bytes, detecting what received bytes
//! are, and rendering them as text, pretty JSON, hex or base64.

use crate::i18n::{Key, Text};
use crate::json::{self, JsonError, JsonProblem};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PayloadFormat {
    #[default]
    Text,
    Json,
    Hex,
    Base64,
}

impl PayloadFormat {
    pub const ALL: [PayloadFormat; 4] = [
        PayloadFormat::Text,
        PayloadFormat::Json,
        PayloadFormat::Hex,
        PayloadFormat::Base64,
    ];

    /// The format's name in the format selects.
    pub fn label(self) -> Key {
        match self {
            PayloadFormat::Text => Key::FormatText,
            PayloadFormat::Json => Key::FormatJson,
            PayloadFormat::Hex => Key::FormatHex,
            PayloadFormat::Base64 => Key::FormatBase64,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            PayloadFormat::Text => "text",
            PayloadFormat::Json => "json",
            PayloadFormat::Hex => "hex",
            PayloadFormat::Base64 => "base64",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// Why typed text is not a payload in the format chosen for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    /// What the parser found and the 1-based character where it stopped.
    Json {
        problem: JsonProblem,
        character: usize,
    },
    HexDigit(char),
    HexOddLength,
    Base64AfterPadding,
    Base64Character(char),
    Base64Length,
}

impl InputError {
    pub fn text(&self) -> Text {
        match self {
            InputError::Json { problem, character } => {
                Text::new(Key::InvalidJson).with("reason", json_problem(*problem, *character))
            }
            InputError::HexDigit(c) => {
                Text::new(Key::InvalidHexDigit).with("character", c.to_string())
            }
            InputError::HexOddLength => Key::InvalidHexOddLength.into(),
            InputError::Base64AfterPadding => Key::InvalidBase64AfterPadding.into(),
            InputError::Base64Character(c) => {
                Text::new(Key::InvalidBase64Character).with("character", c.to_string())
            }
            InputError::Base64Length => Key::InvalidBase64Length.into(),
        }
    }
}

/// What the parser found at `character`.
fn json_problem(problem: JsonProblem, character: usize) -> Text {
    Text::new(Key::JsonProblemAt)
        .with("reason", problem.key())
        .with("position", character.to_string())
}

/// The 1-based character of `text` at which `error` was found (the parser counts bytes).
fn json_error_character(text: &str, error: &JsonError) -> usize {
    text.char_indices()
        .take_while(|&(at, _)| at < error.offset)
        .count()
        + 1
}

/// The bytes to publish for `input` typed in `format`, or why it is not valid.
pub fn parse_input(format: PayloadFormat, input: &str) -> Result<Vec<u8>, InputError> {
    match format {
        PayloadFormat::Text => Ok(input.as_bytes().to_vec()),
        PayloadFormat::Json => {
            if input.trim().is_empty() {
                return Ok(Vec::new());
            }
            json::parse(input)
                .map(|_| input.as_bytes().to_vec())
                .map_err(|e| InputError::Json {
                    problem: e.problem,
                    character: json_error_character(input, &e),
                })
        }
        PayloadFormat::Hex => hex_decode(input),
        PayloadFormat::Base64 => base64_decode(input),
    }
}

/// What received bytes most likely are: JSON objects/arrays, text, or binary (hex).
pub fn detect(bytes: &[u8]) -> PayloadFormat {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            if parse_json_container(text).is_some() {
                PayloadFormat::Json
            } else if text.chars().any(is_unprintable) {
                PayloadFormat::Hex
            } else {
                PayloadFormat::Text
            }
        }
        Err(_) => PayloadFormat::Hex,
    }
}

/// `text` as JSON if it is an object or an array: what `detect` calls JSON (a bare `42` or
/// `"x"` is text).
pub fn parse_json_container(text: &str) -> Option<json::Value> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        json::parse(text).ok()
    } else {
        None
    }
}

fn is_unprintable(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// `bytes` in `format`. Text of non-UTF-8 bytes and JSON of non-JSON bytes fall back to hex
/// with a note, so binary is never shown as mojibake.
pub fn render(bytes: &[u8], format: PayloadFormat) -> Rendered {
    match format {
        PayloadFormat::Text => match std::str::from_utf8(bytes) {
            Ok(text) => Rendered::ok(text.to_owned()),
            Err(_) => Rendered::hex_fallback(bytes),
        },
        PayloadFormat::Json => match std::str::from_utf8(bytes) {
            Ok(text) => match json::parse(text) {
                Ok(value) => Rendered::ok(value.to_pretty()),
                Err(e) => Rendered {
                    text: text.to_owned(),
                    note: Some(Text::new(Key::NotJsonShownAsText).with(
                        "reason",
                        json_problem(e.problem, json_error_character(text, &e)),
                    )),
                },
            },
            Err(_) => Rendered::hex_fallback(bytes),
        },
        PayloadFormat::Hex => Rendered::ok(hex_encode(bytes)),
        PayloadFormat::Base64 => Rendered::ok(base64_encode(bytes)),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Why the text is not in the requested format, if it is not.
    pub note: Option<Text>,
}

impl Rendered {
    fn ok(text: String) -> Self {
        Rendered { text, note: None }
    }

    /// Bytes that are not UTF-8, shown as hex whatever text format was asked for.
    fn hex_fallback(bytes: &[u8]) -> Self {
        Rendered {
            text: hex_encode(bytes),
            note: Some(Key::NotUtf8ShownAsHex.into()),
        }
    }
}

/// One line for the message list: text with control characters replaced, or hex for binary,
/// at most `max_chars` characters (followed by "…" when cut).
pub fn preview(bytes: &[u8], max_chars: usize) -> String {
    // Only the head matters; a cut in the middle of a character is handled by from_utf8's
    // error position.
    let head = &bytes[..bytes.len().min(max_chars * 4)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => Some(text),
        Err(e) if e.error_len().is_none() && head.len() < bytes.len() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    let mut out = String::new();
    let mut count = 0;
    match text.filter(|t| !t.chars().any(is_unprintable)) {
        Some(text) => {
            for c in text.chars() {
                if count == max_chars {
                    out.push('…');
                    return out;
                }
                out.push(if c.is_control() { ' ' } else { c });
                count += 1;
            }
            if head.len() < bytes.len() {
                out.push('…');
            }
            out
        }
        None => {
            let shown = bytes.len().min(max_chars / 3);
            out = hex_encode(&bytes[..shown]);
            if shown < bytes.len() {
                out.push_str(" …");
            }
            out
        }
    }
}

pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

/// Hex digits in pairs; whitespace and an optional `0x` prefix per group are ignored.
pub fn hex_decode(input: &str) -> Result<Vec<u8>, InputError> {
    let mut digits = Vec::with_capacity(input.len());
    for group in input.split_whitespace() {
        let group = group
            .strip_prefix("0x")
            .or_else(|| group.strip_prefix("0X"))
            .unwrap_or(group);
        for c in group.chars() {
            let digit = c.to_digit(16).ok_or(InputError::HexDigit(c))?;
            digits.push(digit as u8);
        }
    }
    if digits.len() % 2 != 0 {
        return Err(InputError::HexOddLength);
    }
    Ok(digits
        .chunks(2)
        .map(|pair| pair[0] << 4 | pair[1])
        .collect())
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64_ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard or URL-safe alphabet, padding optional, whitespace ignored.
pub fn base64_decode(input: &str) -> Result<Vec<u8>, InputError> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut padding = 0;
    for c in input.chars().filter(|c| !c.is_whitespace()) {
        if c == '=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return Err(InputError::Base64AfterPadding);
        }
        let value = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' | '-' => 62,
            '/' | '_' => 63,
            _ => return Err(InputError::Base64Character(c)),
        };
        acc = acc << 6 | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 || padding > 2 {
        return Err(InputError::Base64Length);
    }
    Ok(out)
}

/// "512 B", "1.5 KB", "1.0 MB". Integer arithmetic: float formatting would add kilobytes of
/// code to the download.
pub fn format_size(len: usize) -> String {
    let len = len as u64;
    let (unit, name) = match len {
        0..1024 => return format!("{len} B"),
        1024..1_048_576 => (1024, "KB"),
        _ => (1_048_576, "MB"),
    };
    let tenths = (len * 10 + unit / 2) / unit;
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

/// Whether `haystack` contains `needle`, ignoring ASCII case (Unicode case tables would add
/// to the download; topics and payloads searched for are overwhelmingly ASCII).
pub fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::english;

    #[test]
    fn detects_json_text_and_binary() {
        assert_eq!(detect(br#"{"t": 21.5}"#), PayloadFormat::Json);
        assert_eq!(detect(b"[1,2]"), PayloadFormat::Json);
        assert_eq!(detect(b"{not json"), PayloadFormat::Text);
        assert_eq!(detect(b"42"), PayloadFormat::Text);
        assert_eq!(detect(b"hello\nworld"), PayloadFormat::Text);
        assert_eq!(detect(&[0xff, 0xfe, 0x00]), PayloadFormat::Hex);
        assert_eq!(detect(b"a\x00b"), PayloadFormat::Hex);
    }

    #[test]
    fn renders_each_format() {
        let bytes = br#"{"a":1}"#;
        assert_eq!(render(bytes, PayloadFormat::Json).text, "{\n  \"a\": 1\n}");
        assert_eq!(render(bytes, PayloadFormat::Text).text, r#"{"a":1}"#);
        assert_eq!(
            render(b"Hi!", PayloadFormat::Hex).text,
            "48 69 21",
            "hex is lowercase pairs"
        );
        assert_eq!(render(b"Hi!", PayloadFormat::Base64).text, "SGkh");
    }

    #[test]
    fn binary_as_text_falls_back_to_hex_with_a_note() {
        let rendered = render(&[0xc3, 0x28], PayloadFormat::Text);
        assert_eq!(rendered.text, "c3 28");
        assert_eq!(rendered.note, Some(Key::NotUtf8ShownAsHex.into()));
        let rendered = render(b"plain", PayloadFormat::Json);
        assert_eq!(rendered.text, "plain");
        assert_eq!(
            rendered.note.as_ref().map(english).as_deref(),
            Some("Not valid JSON (unexpected character at character 1); shown as text.")
        );
    }

    #[test]
    fn base64_round_trips_all_lengths() {
        for len in 0..20u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            let encoded = base64_encode(&bytes);
            assert_eq!(encoded.len() % 4, 0);
            assert_eq!(base64_decode(&encoded), Ok(bytes));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("Zm8"), Ok(b"fo".to_vec()));
        assert_eq!(base64_decode("Z"), Err(InputError::Base64Length));
        assert_eq!(base64_decode("Zm$="), Err(InputError::Base64Character('$')));
        assert_eq!(base64_decode("Zm=8"), Err(InputError::Base64AfterPadding));
    }

    #[test]
    fn hex_accepts_spacing_and_prefixes() {
        assert_eq!(hex_decode("48 69 21"), Ok(b"Hi!".to_vec()));
        assert_eq!(hex_decode("0x4869 0X21"), Ok(b"Hi!".to_vec()));
        assert_eq!(hex_decode("48692"), Err(InputError::HexOddLength));
        assert_eq!(hex_decode("4z"), Err(InputError::HexDigit('z')));
        assert_eq!(
            english(&InputError::HexDigit('z').text()),
            "Invalid hex: 'z' is not a hex digit"
        );
    }

    #[test]
    fn input_validation_per_format() {
        assert_eq!(parse_input(PayloadFormat::Text, "{x"), Ok(b"{x".to_vec()));
        let error = parse_input(PayloadFormat::Json, "{x").expect_err("not JSON");
        assert_eq!(
            english(&error.text()),
            "Invalid JSON: expected a quoted member name at character 2"
        );
        // The parser counts bytes; people count characters.
        assert_eq!(
            parse_input(PayloadFormat::Json, "[\"é\" x]"),
            Err(InputError::Json {
                problem: JsonProblem::ExpectedCommaOrBracket,
                character: 6
            })
        );
        assert_eq!(parse_input(PayloadFormat::Json, "[1]"), Ok(b"[1]".to_vec()));
        assert_eq!(
            parse_input(PayloadFormat::Base64, "SGkh"),
            Ok(b"Hi!".to_vec())
        );
    }

    #[test]
    fn preview_cuts_long_text_and_shows_binary_as_hex() {
        assert_eq!(preview(b"line1\nline2", 50), "line1 line2");
        let long = "é".repeat(100);
        let shown = preview(long.as_bytes(), 10);
        assert_eq!(shown, format!("{}…", "é".repeat(10)));
        assert_eq!(preview(&[0xff, 0x00, 0x10], 30), "ff 00 10");
        let big = vec![0xffu8; 1000];
        assert!(preview(&big, 30).ends_with(" …"));
        // A long text cut inside a multi-byte character is still text, not hex.
        let cut = "aé".repeat(1000);
        assert!(preview(cut.as_bytes(), 7).starts_with("aéaéaéa"));
    }

    #[test]
    fn sizes_in_words() {
        assert_eq!(format_size(10), "10 B");
        assert_eq!(format_size(1536), "1.5 KB");
        assert_eq!(format_size(1024 * 1024), "1.0 MB");
        assert_eq!(format_size(100_010), "97.7 KB");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1024 * 1024 - 1), "1024.0 KB");
    }

    #[test]
    fn search_ignores_ascii_case() {
        assert!(contains_ignore_ascii_case(b"Sensors/Temp", b"TEMP"));
        assert!(contains_ignore_ascii_case(b"abc", b""));
        assert!(!contains_ignore_ascii_case(b"ab", b"abc"));
    }
}
