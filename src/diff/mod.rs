//! What changed between two payloads on a topic: key by key for JSON, line by line for text,
//! and where they part for binary. Plain data for the views to render, with bounds on time
//! and memory for payloads of megabytes (see each module's constants).

mod json;
mod lines;

pub use json::{diff_json, ChangeKind, JsonChange, JsonDiff};
pub use lines::{diff_lines, LineChange, LineDiff, LineRun};

use crate::payload::{detect, parse_json_container, PayloadFormat};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayloadDiff<'a> {
    /// The same bytes.
    Identical,
    /// Both are JSON objects or arrays. No changes means they differ only in layout.
    Json(JsonDiff),
    /// Both are text (JSON or not): the new payload's lines against the old's.
    Text(LineDiff<'a>),
    /// At least one is binary (as `payload::detect` sees it): how long each is and the offset of
    /// the first byte that differs (the shorter one's length if it is a prefix of the other).
    Binary {
        old_len: usize,
        new_len: usize,
        first_difference: usize,
    },
}

/// The `new` payload on a topic against the `old` one.
pub fn diff_payloads<'a>(old: &'a [u8], new: &'a [u8]) -> PayloadDiff<'a> {
    if old == new {
        return PayloadDiff::Identical;
    }
    let (old_text, new_text) = (std::str::from_utf8(old), std::str::from_utf8(new));
    if let (Ok(old_text), Ok(new_text)) = (old_text, new_text) {
        if let (Some(old_json), Some(new_json)) = (
            parse_json_container(old_text),
            parse_json_container(new_text),
        ) {
            return PayloadDiff::Json(diff_json(&old_json, &new_json));
        }
        if detect(old) != PayloadFormat::Hex && detect(new) != PayloadFormat::Hex {
            return PayloadDiff::Text(diff_lines(old_text, new_text));
        }
    }
    PayloadDiff::Binary {
        old_len: old.len(),
        new_len: new.len(),
        first_difference: old
            .iter()
            .zip(new)
            .position(|(a, b)| a != b)
            .unwrap_or(old.len().min(new.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(diff: &PayloadDiff) -> &'static str {
        match diff {
            PayloadDiff::Identical => "identical",
            PayloadDiff::Json(_) => "json",
            PayloadDiff::Text(_) => "text",
            PayloadDiff::Binary { .. } => "binary",
        }
    }

    #[test]
    fn picks_the_diff_the_payloads_allow() {
        for (old, new, expected) in [
            (&b"21.5"[..], &b"21.5"[..], "identical"),
            (b"", b"", "identical"),
            (br#"{"t":1}"#, br#"{"t":2}"#, "json"),
            (br#"[1]"#, br#" {"t":2} "#, "json"),
            (br#"{"t":1}"#, b"offline", "text"),
            (b"21.5", b"22", "text"),
            (b"42", b"\"42\"", "text"),
            (b"", b"on", "text"),
            (b"{not json", br#"{"t":1}"#, "text"),
            (b"text", &[0xff, 0xfe], "binary"),
            (b"a\x00b", b"a\x00c", "binary"),
            (&[0xff], &[0xfe], "binary"),
        ] {
            assert_eq!(
                kind(&diff_payloads(old, new)),
                expected,
                "{old:?} → {new:?}"
            );
        }
    }

    #[test]
    fn json_payloads_differing_only_in_layout_have_no_changes() {
        let diff = diff_payloads(br#"{"a": [1, 2]}"#, b"{\n  \"a\": [1,2]\n}");
        assert_eq!(
            diff,
            PayloadDiff::Json(JsonDiff {
                changes: Vec::new(),
                complete: true
            })
        );
    }

    #[test]
    fn binary_payloads_say_where_they_part() {
        assert_eq!(
            diff_payloads(&[1, 2, 3, 0xff], &[1, 2, 4]),
            PayloadDiff::Binary {
                old_len: 4,
                new_len: 3,
                first_difference: 2
            }
        );
        assert_eq!(
            diff_payloads(&[0, 1], &[0, 1, 2]),
            PayloadDiff::Binary {
                old_len: 2,
                new_len: 3,
                first_difference: 2
            },
            "a prefix parts at its end"
        );
    }

    #[test]
    fn megabyte_payloads_of_each_kind() {
        let text: String = (0..100_000).map(|i| format!("reading {i}\n")).collect();
        let changed = text.replace("reading 99999\n", "reading -1\n");
        let PayloadDiff::Text(lines) = diff_payloads(text.as_bytes(), changed.as_bytes()) else {
            panic!("a text diff");
        };
        assert!(lines.shortest);
        assert_eq!(lines.runs.len(), 4);
        let json: String = format!(
            "[{}]",
            (0..100_000)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let json_changed = json.replacen("[0,", "[1,", 1);
        let PayloadDiff::Json(changes) = diff_payloads(json.as_bytes(), json_changed.as_bytes())
        else {
            panic!("a JSON diff");
        };
        assert_eq!(changes.changes.len(), 1);
        let binary: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        let mut binary_changed = binary.clone();
        binary_changed[700_000] ^= 1;
        assert!(matches!(
            diff_payloads(&binary, &binary_changed),
            PayloadDiff::Binary {
                first_difference: 700_000,
                ..
            }
        ));
        let deep = format!("{}{}", "[".repeat(1 << 20), "]".repeat(1 << 20));
        assert_eq!(
            kind(&diff_payloads(deep.as_bytes(), b"[]")),
            "text",
            "too deep for JSON, compared as text"
        );
    }
}
