//! Paths into a JSON payload, as a user types them to chart a number inside it:
//! `temperature`, `sensors[0].value`, `$.a.b`, `a["key with.dot"]`, `[3]`; and the number found
//! there.
//!
//! The grammar: an optional `$` (the whole document), then steps: `.key`, `[index]` or
//! `["quoted key"]`; the first step may leave out its dot (`a.b`, and `.a.b` reads the same).
//! A bare key is any characters but `.`, `[`, `]`, quotes, whitespace and control characters;
//! a quoted key is a JSON string, with its escapes. Indexes count from 0. Spaces around the
//! path and inside brackets are ignored.

use std::fmt;
use std::str::FromStr;

use crate::i18n::{Key, Text};
use crate::json::{self, Value};
use crate::number::parse_decimal;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// A member of an object.
    Key(String),
    /// An item of an array.
    Index(usize),
}

/// The steps from the whole document down; no steps is the document itself (`$`).
/// `Display` writes the form `FromStr` reads back: `a.b[2]["c d"]`, or `$` for no steps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonPath {
    pub steps: Vec<PathStep>,
}

/// Why a path could not be read. Each `at` is a character number in the text, counting from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    Empty,
    UnexpectedCharacter {
        at: usize,
        found: char,
    },
    /// A `.` with no key after it (`a..b`, `a.`).
    MissingKey {
        at: usize,
    },
    /// A `[` with no `]` (`a[`, `a[0`).
    UnclosedBracket {
        at: usize,
    },
    /// `[]`, `[x]`, `['x']`.
    ExpectedIndexOrKey {
        at: usize,
    },
    NegativeIndex {
        at: usize,
    },
    IndexTooLarge {
        at: usize,
    },
    /// A quoted key with no closing quote.
    UnclosedQuote {
        at: usize,
    },
    /// A quoted key with an escape JSON does not have (`\q`, `\u12`, a lone surrogate).
    InvalidEscape {
        at: usize,
    },
    /// A quoted key with a control character written as it is (JSON wants it escaped).
    ControlCharacter {
        at: usize,
    },
}

impl PathError {
    /// The problem in words, for the chart's path field.
    pub fn text(&self) -> Text {
        let (key, at) = match *self {
            PathError::Empty => return Text::new(Key::PathEmpty),
            PathError::UnexpectedCharacter { at, found } => {
                return Text::new(Key::PathUnexpectedCharacter)
                    .with("found", found.to_string())
                    .with("at", at.to_string())
            }
            PathError::MissingKey { at } => (Key::PathMissingKey, at),
            PathError::UnclosedBracket { at } => (Key::PathUnclosedBracket, at),
            PathError::ExpectedIndexOrKey { at } => (Key::PathExpectedIndexOrKey, at),
            PathError::NegativeIndex { at } => (Key::PathNegativeIndex, at),
            PathError::IndexTooLarge { at } => (Key::PathIndexTooLarge, at),
            PathError::UnclosedQuote { at } => (Key::PathUnclosedQuote, at),
            PathError::InvalidEscape { at } => (Key::PathInvalidEscape, at),
            PathError::ControlCharacter { at } => (Key::PathControlCharacter, at),
        };
        // A position in the text, not a quantity: written plainly.
        Text::new(key).with("at", at.to_string())
    }
}

impl FromStr for JsonPath {
    type Err = PathError;

    fn from_str(text: &str) -> Result<Self, PathError> {
        let start = text.len() - text.trim_start().len();
        if start == text.len() {
            return Err(PathError::Empty);
        }
        let mut parser = PathParser {
            text: &text[..text.trim_end().len()],
            pos: start,
        };
        parser.path()
    }
}

struct PathParser<'a> {
    /// The text up to its trailing whitespace; positions count from its start.
    text: &'a str,
    pos: usize,
}

impl PathParser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// The character number (from 1) of byte offset `pos`.
    fn at(&self, pos: usize) -> usize {
        self.text[..pos].chars().count() + 1
    }

    fn unexpected(&self, found: char) -> PathError {
        PathError::UnexpectedCharacter {
            at: self.at(self.pos),
            found,
        }
    }

    fn path(&mut self) -> Result<JsonPath, PathError> {
        let mut steps = Vec::new();
        let rest = self.rest();
        if rest == "$" || rest.starts_with("$.") || rest.starts_with("$[") {
            self.pos += 1;
        } else if self.peek().is_some_and(is_bare_key_char) {
            steps.push(PathStep::Key(self.bare_key().to_owned()));
        }
        while let Some(next) = self.peek() {
            match next {
                '.' => {
                    let dot = self.pos;
                    self.pos += 1;
                    let key = self.bare_key();
                    if key.is_empty() {
                        return Err(PathError::MissingKey { at: self.at(dot) });
                    }
                    steps.push(PathStep::Key(key.to_owned()));
                }
                '[' => steps.push(self.bracket()?),
                found => return Err(self.unexpected(found)),
            }
        }
        Ok(JsonPath { steps })
    }

    fn bare_key(&mut self) -> &str {
        let start = self.pos;
        let len = self
            .rest()
            .find(|c| !is_bare_key_char(c))
            .unwrap_or(self.rest().len());
        self.pos += len;
        &self.text[start..self.pos]
    }

    fn skip_spaces(&mut self) {
        self.pos = self.text.len() - self.rest().trim_start().len();
    }

    fn bracket(&mut self) -> Result<PathStep, PathError> {
        let open = self.pos;
        self.pos += 1;
        self.skip_spaces();
        let step = match self.peek() {
            None => return Err(PathError::UnclosedBracket { at: self.at(open) }),
            Some('"') => PathStep::Key(self.quoted_key()?),
            Some('0'..='9') => PathStep::Index(self.index()?),
            Some('-') if self.rest()[1..].starts_with(|c: char| c.is_ascii_digit()) => {
                return Err(PathError::NegativeIndex {
                    at: self.at(self.pos),
                })
            }
            Some(_) => {
                return Err(PathError::ExpectedIndexOrKey {
                    at: self.at(self.pos),
                })
            }
        };
        self.skip_spaces();
        match self.peek() {
            Some(']') => {
                self.pos += 1;
                Ok(step)
            }
            None => Err(PathError::UnclosedBracket { at: self.at(open) }),
            Some(found) => Err(self.unexpected(found)),
        }
    }

    fn index(&mut self) -> Result<usize, PathError> {
        let start = self.pos;
        let digits = self.rest().len()
            - self
                .rest()
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        self.pos += digits;
        self.text[start..self.pos]
            .bytes()
            .try_fold(0usize, |index, digit| {
                index
                    .checked_mul(10)?
                    .checked_add(usize::from(digit - b'0'))
            })
            .ok_or_else(|| PathError::IndexTooLarge { at: self.at(start) })
    }

    fn quoted_key(&mut self) -> Result<String, PathError> {
        let quote = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = quote + 1;
        // The closing quote is the first one not escaped; `json` then reads the escapes.
        let close = loop {
            match bytes.get(i) {
                None => return Err(PathError::UnclosedQuote { at: self.at(quote) }),
                Some(b'\\') => i += 2,
                Some(b'"') => break i,
                Some(_) => i += 1,
            }
        };
        self.pos = close + 1;
        let literal = &self.text[quote..=close];
        json::parse_string(literal).map_err(|e| {
            let at = self.at(quote + e.offset);
            // Between its quotes a string can only go wrong in an escape or with a raw
            // control character, where `json` stops.
            if literal.as_bytes().get(e.offset).is_some_and(|&b| b < 0x20) {
                PathError::ControlCharacter { at }
            } else {
                PathError::InvalidEscape { at }
            }
        })
    }
}

/// Whether `c` may stand in a key written without quotes.
fn is_bare_key_char(c: char) -> bool {
    !matches!(c, '.' | '[' | ']' | '"' | '\'') && !c.is_whitespace() && !c.is_control()
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return f.write_str("$");
        }
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Index(index) => write!(f, "[{index}]")?,
                // A first key of "$" alone would read back as the whole document.
                PathStep::Key(key)
                    if !key.is_empty()
                        && key.chars().all(is_bare_key_char)
                        && !(i == 0 && key == "$") =>
                {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                PathStep::Key(key) => write!(f, "[{}]", Value::String(key.clone()).to_compact())?,
            }
        }
        Ok(())
    }
}

/// The value at `path` in `document`, if every step finds its key (the first member of that
/// name, as `Value::get`) or index.
pub fn lookup<'a>(document: &'a Value, path: &JsonPath) -> Option<&'a Value> {
    path.steps
        .iter()
        .try_fold(document, |value, step| match step {
            PathStep::Key(key) => value.get(key),
            PathStep::Index(index) => value.as_array()?.get(*index),
        })
}

/// The number a payload holds for a chart. Without a path the whole payload, spaces around it
/// ignored, must be a decimal number (`number::is_decimal`, so `+5` and `.5` count). With a path
/// the payload must be JSON and the value there a number, or a string holding a decimal
/// number (`"21.5"`, as some devices send their readings). Infinite values (`1e999`) are not
/// numbers here.
pub fn number_at(payload: &[u8], path: Option<&JsonPath>) -> Option<f64> {
    let text = std::str::from_utf8(payload).ok()?;
    let Some(path) = path else {
        return parse_decimal(text.trim());
    };
    let document = json::parse(text).ok()?;
    match lookup(&document, path)? {
        Value::Number(number) => parse_decimal(number),
        Value::String(text) => parse_decimal(text.trim()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> JsonPath {
        text.parse().unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
    }

    fn key(name: &str) -> PathStep {
        PathStep::Key(name.to_owned())
    }

    #[test]
    fn reads_the_forms_users_type() {
        use PathStep::Index;
        for (text, steps) in [
            ("temperature", vec![key("temperature")]),
            (
                "sensors[0].value",
                vec![key("sensors"), Index(0), key("value")],
            ),
            ("$.a.b", vec![key("a"), key("b")]),
            (".a.b", vec![key("a"), key("b")]),
            (r#"a["key with.dot"]"#, vec![key("a"), key("key with.dot")]),
            ("[3]", vec![Index(3)]),
            ("$[3][0]", vec![Index(3), Index(0)]),
            ("$", vec![]),
            ("  a.b \n", vec![key("a"), key("b")]),
            ("a[ 2 ]", vec![key("a"), Index(2)]),
            (r#"["a\"b\\c"]"#, vec![key("a\"b\\c")]),
            (r#"["\u00e9"]"#, vec![key("é")]),
            (r#"[""]"#, vec![key("")]),
            ("température.°C", vec![key("température"), key("°C")]),
            ("$oid", vec![key("$oid")]),
            ("a.$", vec![key("a"), key("$")]),
            ("007[007]", vec![key("007"), Index(7)]),
        ] {
            assert_eq!(path(text).steps, steps, "{text:?}");
        }
    }

    #[test]
    fn errors_name_the_problem_and_its_character() {
        for (text, error, words) in [
            ("", PathError::Empty, "the path is empty"),
            ("  ", PathError::Empty, "the path is empty"),
            (
                "a[",
                PathError::UnclosedBracket { at: 2 },
                "the '[' at character 2 is not closed by a ']'",
            ),
            ("a[0", PathError::UnclosedBracket { at: 2 }, ""),
            (
                "a[-1]",
                PathError::NegativeIndex { at: 3 },
                "the index at character 3 is negative; indexes count from 0",
            ),
            (
                "a..b",
                PathError::MissingKey { at: 2 },
                "the '.' at character 2 is not followed by a key",
            ),
            ("a.", PathError::MissingKey { at: 2 }, ""),
            ("$.", PathError::MissingKey { at: 2 }, ""),
            (".", PathError::MissingKey { at: 1 }, ""),
            (
                "[99999999999999999999]",
                PathError::IndexTooLarge { at: 2 },
                "the index at character 2 is too large",
            ),
            (
                "a]",
                PathError::UnexpectedCharacter { at: 2, found: ']' },
                "unexpected ']' at character 2",
            ),
            (
                "a[0]b",
                PathError::UnexpectedCharacter { at: 5, found: 'b' },
                "",
            ),
            (
                "a b",
                PathError::UnexpectedCharacter { at: 2, found: ' ' },
                "",
            ),
            (
                "a[1 2]",
                PathError::UnexpectedCharacter { at: 5, found: '2' },
                "",
            ),
            (
                "é]",
                PathError::UnexpectedCharacter { at: 2, found: ']' },
                "",
            ),
            (
                "a[]",
                PathError::ExpectedIndexOrKey { at: 3 },
                "expected an index (0, 1, …) or a key in double quotes at character 3",
            ),
            ("a['x']", PathError::ExpectedIndexOrKey { at: 3 }, ""),
            (r#"["\u12"]"#, PathError::InvalidEscape { at: 7 }, ""),
            (r#"["\ud800"]"#, PathError::InvalidEscape { at: 9 }, ""),
            ("a[-x]", PathError::ExpectedIndexOrKey { at: 3 }, ""),
            (
                "$ a",
                PathError::UnexpectedCharacter { at: 2, found: ' ' },
                "",
            ),
            (
                r#"a["x"#,
                PathError::UnclosedQuote { at: 3 },
                "the quote at character 3 is not closed",
            ),
            (r#"a["x\"]"#, PathError::UnclosedQuote { at: 3 }, ""),
            (
                r#"a["x\q"]"#,
                PathError::InvalidEscape { at: 6 },
                "invalid escape in the quoted key at character 6",
            ),
            (
                "a[\"\t\"]",
                PathError::ControlCharacter { at: 4 },
                "control character in the quoted key at character 4",
            ),
        ] {
            assert_eq!(text.parse::<JsonPath>(), Err(error.clone()), "{text:?}");
            if !words.is_empty() {
                assert_eq!(crate::i18n::english(&error.text()), words, "{text:?}");
            }
        }
    }

    #[test]
    fn hostile_paths_are_read_in_linear_time() {
        let long = "a.".repeat(500_000) + "a";
        assert_eq!(path(&long).steps.len(), 500_001);
        let brackets = "[".repeat(1 << 20);
        assert_eq!(
            brackets.parse::<JsonPath>(),
            Err(PathError::ExpectedIndexOrKey { at: 2 })
        );
        let digits = format!("[{}]", "9".repeat(1 << 20));
        assert_eq!(
            digits.parse::<JsonPath>(),
            Err(PathError::IndexTooLarge { at: 2 })
        );
        let backslashes = format!("[\"{}", "\\".repeat((1 << 20) + 1));
        assert_eq!(
            backslashes.parse::<JsonPath>(),
            Err(PathError::UnclosedQuote { at: 2 })
        );
    }

    #[test]
    fn display_reads_back_as_the_same_path() {
        for text in [
            "$",
            "a",
            "a.b[2].c",
            "[3]",
            r#"a["key with.dot"]"#,
            r#"[""]"#,
            r#"["$"].x"#,
            "a.$",
            r#"["a\"b"][0]["[]"]"#,
            "température",
            r#"["tab\there"]"#,
        ] {
            let parsed = path(text);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(path(&parsed.to_string()), parsed, "{text:?}");
        }
        assert_eq!(path("$.a.b").to_string(), "a.b");
        assert_eq!(path(" [ 1 ] ").to_string(), "[1]");
    }

    #[test]
    fn lookup_follows_keys_and_indexes() {
        let document =
            json::parse(r#"{"sensors":[{"value":1},{"value":2}],"a":{"b":true},"d":1,"d":2}"#)
                .expect("valid JSON");
        let at = |text: &str| lookup(&document, &path(text)).map(Value::to_compact);
        assert_eq!(at("sensors[1].value").as_deref(), Some("2"));
        assert_eq!(at("a.b").as_deref(), Some("true"));
        assert_eq!(at("$").as_deref(), Some(document.to_compact().as_str()));
        assert_eq!(at("d").as_deref(), Some("1"), "the first of two members");
        assert_eq!(at("sensors[2]"), None, "past the end");
        assert_eq!(at("sensors.0"), None, "a key does not index an array");
        assert_eq!(at("[0]"), None, "an index does not find an object's member");
        assert_eq!(at("a.b.c"), None, "no member in a boolean");
        assert_eq!(at("missing"), None);
    }

    #[test]
    fn number_of_a_whole_payload() {
        assert_eq!(number_at(b" 21.5\n", None), Some(21.5));
        assert_eq!(number_at(b"+5", None), Some(5.0));
        assert_eq!(number_at(b"-1e3", None), Some(-1000.0));
        assert_eq!(number_at(b"21.5 C", None), None);
        assert_eq!(number_at(b"", None), None);
        assert_eq!(number_at(b"1e999", None), None);
        assert_eq!(number_at(b"{\"a\":1}", None), None);
        assert_eq!(number_at(&[0xff, b'1'], None), None, "not UTF-8");
    }

    #[test]
    fn number_at_a_path() {
        let payload =
            br#"{"temperature":21.5,"sensors":[{"value":"-3"}],"on":true,"s":"warm","n":null}"#;
        let at = |text: &str| number_at(payload, Some(&path(text)));
        assert_eq!(at("temperature"), Some(21.5));
        assert_eq!(
            at("sensors[0].value"),
            Some(-3.0),
            "a string holding a number"
        );
        assert_eq!(at("on"), None);
        assert_eq!(at("s"), None);
        assert_eq!(at("n"), None);
        assert_eq!(at("sensors"), None);
        assert_eq!(at("missing"), None);
        assert_eq!(number_at(b"42", Some(&path("$"))), Some(42.0));
        assert_eq!(number_at(b"42", Some(&path("a"))), None);
        assert_eq!(number_at(b"not json", Some(&path("a"))), None);
        assert_eq!(number_at(br#"{"a":1e999}"#, Some(&path("a"))), None);
    }

    #[test]
    fn large_and_deep_payloads() {
        // About 1 MB: the number is the last item.
        let mut payload = String::from("{\"items\":[");
        for i in 0..100_000 {
            payload.push_str(&format!("{i},"));
        }
        payload.push_str("7.25]}");
        assert!(payload.len() > 500_000);
        assert_eq!(
            number_at(payload.as_bytes(), Some(&path("items[100000]"))),
            Some(7.25)
        );
        let deep = |depth: usize| format!("{}{}{}", "[".repeat(depth), "5", "]".repeat(depth));
        let index_path = |depth: usize| path(&"[0]".repeat(depth));
        assert_eq!(
            number_at(deep(100).as_bytes(), Some(&index_path(100))),
            Some(5.0)
        );
        assert_eq!(
            number_at(deep(100_000).as_bytes(), Some(&index_path(100_000))),
            None,
            "refused by the JSON parser's depth limit"
        );
        let megabyte_of_digits = "1".repeat(1 << 20);
        assert_eq!(number_at(megabyte_of_digits.as_bytes(), None), None);
    }
}
