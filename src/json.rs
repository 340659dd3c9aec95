//! A small JSON parser and printer: enough to validate and pretty-print payloads, export
//! messages and store profiles, without pulling serde_json into the download.
//!
//! Numbers keep their source text so pretty-printing never changes a value.

use std::fmt::Write;

use crate::i18n::Key;

/// Deeper nesting is refused: parsing and printing recurse, and a hostile payload must not
/// exhaust the wasm stack.
const MAX_DEPTH: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number exactly as written (already checked against the JSON grammar).
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub problem: JsonProblem,
    /// Byte offset of the problem in the input.
    pub offset: usize,
}

/// What the parser found wrong; `key` names it in the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonProblem {
    TextAfterValue,
    ExpectedString,
    UnexpectedCharacter,
    TooDeep,
    UnexpectedEnd,
    ExpectedCommaOrBracket,
    ExpectedMemberName,
    ExpectedColon,
    ExpectedCommaOrBrace,
    InvalidNumber,
    InvalidUnicodeEscape,
    UnterminatedString,
    InvalidEscape,
    UnpairedSurrogate,
    ControlCharacter,
    InvalidUtf8,
}

impl JsonProblem {
    pub fn key(self) -> Key {
        match self {
            JsonProblem::TextAfterValue => Key::JsonTextAfterValue,
            JsonProblem::ExpectedString => Key::JsonExpectedString,
            JsonProblem::UnexpectedCharacter => Key::JsonUnexpectedCharacter,
            JsonProblem::TooDeep => Key::JsonTooDeep,
            JsonProblem::UnexpectedEnd => Key::JsonUnexpectedEnd,
            JsonProblem::ExpectedCommaOrBracket => Key::JsonExpectedCommaOrBracket,
            JsonProblem::ExpectedMemberName => Key::JsonExpectedMemberName,
            JsonProblem::ExpectedColon => Key::JsonExpectedColon,
            JsonProblem::ExpectedCommaOrBrace => Key::JsonExpectedCommaOrBrace,
            JsonProblem::InvalidNumber => Key::JsonInvalidNumber,
            JsonProblem::InvalidUnicodeEscape => Key::JsonInvalidUnicodeEscape,
            JsonProblem::UnterminatedString => Key::JsonUnterminatedString,
            JsonProblem::InvalidEscape => Key::JsonInvalidEscape,
            JsonProblem::UnpairedSurrogate => Key::JsonUnpairedSurrogate,
            JsonProblem::ControlCharacter => Key::JsonControlCharacter,
            JsonProblem::InvalidUtf8 => Key::JsonInvalidUtf8,
        }
    }
}

pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        pos: 0,
    };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error(JsonProblem::TextAfterValue));
    }
    Ok(value)
}

/// The text of a JSON string literal, quotes included, without its escapes: `"a\"b"` is `a"b`.
pub fn parse_string(literal: &str) -> Result<String, JsonError> {
    match parse(literal)? {
        Value::String(text) => Ok(text),
        _ => Err(JsonError {
            problem: JsonProblem::ExpectedString,
            offset: 0,
        }),
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, problem: JsonProblem) -> JsonError {
        JsonError {
            problem,
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect_word(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error(JsonProblem::UnexpectedCharacter))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(JsonProblem::TooDeep));
        }
        match self.peek() {
            None => Err(self.error(JsonProblem::UnexpectedEnd)),
            Some(b'n') => self.expect_word("null", Value::Null),
            Some(b't') => self.expect_word("true", Value::Bool(true)),
            Some(b'f') => self.expect_word("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error(JsonProblem::UnexpectedCharacter)),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                None => return Err(self.error(JsonProblem::UnexpectedEnd)),
                Some(_) => return Err(self.error(JsonProblem::ExpectedCommaOrBracket)),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error(JsonProblem::ExpectedMemberName));
            }
            let name = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error(JsonProblem::ExpectedColon));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            members.push((name, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                None => return Err(self.error(JsonProblem::UnexpectedEnd)),
                Some(_) => return Err(self.error(JsonProblem::ExpectedCommaOrBrace)),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error(JsonProblem::InvalidNumber)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error(JsonProblem::InvalidNumber));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error(JsonProblem::InvalidNumber));
            }
        }
        // The slice is ASCII by construction.
        let text = String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned();
        Ok(Value::Number(text))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or_else(|| self.error(JsonProblem::InvalidUnicodeEscape))?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                return Err(self.error(JsonProblem::UnterminatedString));
            };
            self.pos += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(escape) = self.peek() else {
                        return Err(self.error(JsonProblem::UnterminatedString));
                    };
                    self.pos += 1;
                    let simple = match escape {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        _ => {
                            self.pos -= 1;
                            return Err(self.error(JsonProblem::InvalidEscape));
                        }
                    };
                    if let Some(byte) = simple {
                        out.push(byte);
                        continue;
                    }
                    let mut code = self.hex4()?;
                    if (0xD800..0xDC00).contains(&code) {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return Err(self.error(JsonProblem::UnpairedSurrogate));
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return Err(self.error(JsonProblem::UnpairedSurrogate));
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    }
                    let ch = char::from_u32(code)
                        .ok_or_else(|| self.error(JsonProblem::UnpairedSurrogate))?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0x00..=0x1f => {
                    self.pos -= 1;
                    return Err(self.error(JsonProblem::ControlCharacter));
                }
                _ => out.push(byte),
            }
        }
        // The input is a &str and escapes produce whole characters, so this cannot fail;
        // map the impossible case to an error rather than panic.
        String::from_utf8(out).map_err(|_| self.error(JsonProblem::InvalidUtf8))
    }
}

impl Value {
    /// Two-space indented text.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(0));
        out
    }

    /// Text without any whitespace.
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None);
        out
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// `indent`: `Some(level)` to pretty-print, `None` for compact output.
    fn write(&self, out: &mut String, indent: Option<usize>) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::String(s) => write_string(out, s),
            Value::Array(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent.map(|level| level + 1));
                    item.write(out, indent.map(|level| level + 1));
                }
                newline(out, indent);
                out.push(']');
            }
            Value::Object(members) => {
                if members.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, (name, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent.map(|level| level + 1));
                    write_string(out, name);
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    value.write(out, indent.map(|level| level + 1));
                }
                newline(out, indent);
                out.push('}');
            }
        }
    }
}

fn newline(out: &mut String, indent: Option<usize>) {
    if let Some(level) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str("  ");
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_prints_nested_values_keeping_number_text() {
        let value = parse(r#"{"a":[1,2.50,-3e2],"b":{"c":null,"d":true},"e":[],"f":{}}"#)
            .expect("valid JSON");
        assert_eq!(
            value.to_pretty(),
            "{\n  \"a\": [\n    1,\n    2.50,\n    -3e2\n  ],\n  \"b\": {\n    \"c\": null,\n    \"d\": true\n  },\n  \"e\": [],\n  \"f\": {}\n}"
        );
    }

    #[test]
    fn compact_output_round_trips() {
        let text = r#"{"name":"a\"b\\c\n","list":[true,false,null,0.5]}"#;
        let value = parse(text).expect("valid JSON");
        assert_eq!(value.to_compact(), text);
        assert_eq!(parse(&value.to_compact()), Ok(value));
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        let value = parse(r#""\u00e9\ud83d\ude00\t""#).expect("valid JSON");
        assert_eq!(value, Value::String("é😀\t".into()));
    }

    #[test]
    fn rejects_invalid_documents_with_position() {
        for (text, offset) in [
            ("{", 1),
            ("{\"a\" 1}", 5),
            ("[1,]", 3),
            ("01", 1),
            ("1.", 2),
            ("tru", 0),
            ("\"abc", 4),
            ("[1] x", 4),
            ("\"\\ud800\"", 7),
            ("", 0),
        ] {
            let err = parse(text).expect_err(text);
            assert_eq!(err.offset, offset, "{text}: {err:?}");
        }
    }

    #[test]
    fn refuses_deep_nesting_instead_of_overflowing_the_stack() {
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse(&deep).map_err(|e| e.problem),
            Err(JsonProblem::TooDeep)
        );
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn string_literals_alone() {
        assert_eq!(parse_string(r#""a\"b\u00e9""#), Ok("a\"bé".to_owned()));
        assert_eq!(parse_string("1").map_err(|e| e.offset), Err(0));
        assert_eq!(parse_string(r#""a" x"#).map_err(|e| e.offset), Err(4));
    }

    #[test]
    fn control_characters_are_escaped_on_output() {
        assert_eq!(
            Value::String("a\u{1}b".into()).to_compact(),
            "\"a\\u0001b\""
        );
    }
}
