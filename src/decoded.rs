//! Decoded payloads outside the message detail: the message list's rows, the topic tree's last
//! values and the topic charts show a message decoded by the first rule matching its topic.
//!
//! The views ask only for the messages they show (`Wanted`), the tab's `use_decoding`
//! (components/decoding.rs) sends each batch to the decoder Worker as one message, and the
//! answers come back as `Action::Decoded` into `DecodedCache`, plain data in the tab's state,
//! by message number, bounded. Nothing here decodes: that is the Worker's.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use mqtt_core::Bytes;
use payload_decoders::{integer_text, DecodeError, Format, SchemaError, Value};

use crate::json_path::{JsonPath, PathStep};
use crate::number::{format_significant, parse_decimal};
use crate::payload::hex_encode;

/// Decoded messages kept; beyond, the first decoded goes first. Many more than a screen of rows
/// and a chart's history (`topic_index::DEFAULT_TOPIC_HISTORY`) need.
pub const CACHE_ENTRIES: usize = 2_048;

/// What became of one message's decoding.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoding {
    Done(Rc<Result<Value, DecodeError>>),
    /// The rule's schema files do not compile, or lack its type.
    Unusable(Rc<SchemaError>),
    /// The decoder module could not be loaded.
    Unavailable,
}

/// A message to decode: its number, the format of the rule matching its topic, its topic
/// (which picks the rule's schema, and names a Sparkplug B edge node), its payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Wanted {
    pub seq: u64,
    pub format: Format,
    pub topic: String,
    pub payload: Bytes,
}

/// Decoded messages by number, each with the format it was decoded in (a rule changed since
/// makes it stale). Shared by the state's copies; `version` changes with every change.
#[derive(Clone, Debug, Default)]
pub struct DecodedCache {
    entries: Rc<HashMap<u64, (Format, Decoding)>>,
    /// Numbers in the order they were decoded, for the bound.
    order: Rc<VecDeque<u64>>,
    version: u64,
}

impl PartialEq for DecodedCache {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.entries, &other.entries)
    }
}

impl DecodedCache {
    /// Message `seq` as decoded in `format`, if it has been.
    pub fn get(&self, seq: u64, format: Format) -> Option<&Decoding> {
        self.entries
            .get(&seq)
            .filter(|(decoded_in, _)| *decoded_in == format)
            .map(|(_, decoding)| decoding)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `wanted` unless it is decoded already in its format.
    pub fn missing(&self, wanted: Wanted) -> Option<Wanted> {
        self.get(wanted.seq, wanted.format)
            .is_none()
            .then_some(wanted)
    }

    pub fn insert(&mut self, decoded: Vec<(u64, Format, Decoding)>) {
        let entries = Rc::make_mut(&mut self.entries);
        let order = Rc::make_mut(&mut self.order);
        for (seq, format, decoding) in decoded {
            if entries.insert(seq, (format, decoding)).is_none() {
                order.push_back(seq);
            }
        }
        while order.len() > CACHE_ENTRIES {
            if let Some(seq) = order.pop_front() {
                entries.remove(&seq);
            }
        }
        self.version += 1;
    }

    pub fn clear(&mut self) {
        *self = DecodedCache {
            version: self.version + 1,
            ..DecodedCache::default()
        };
    }
}

/// Significant digits of a float as the views write it (all an `f64` holds for certain).
const SIGNIFICANT: u32 = 15;

/// A scalar's text: JSON's for text, hex for bytes; containers have none.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Undefined => "undefined".to_owned(),
        Value::Bool(bool) => bool.to_string(),
        Value::Integer(integer) => integer_text(*integer),
        Value::Float(float) => format_significant(*float, SIGNIFICANT),
        Value::Text(text) => crate::json::Value::String(text.clone()).to_compact(),
        Value::Bytes(bytes) => hex_encode(bytes),
        Value::Simple(simple) => simple.to_string(),
        Value::Array(_) | Value::Map(_) | Value::Tagged { .. } => String::new(),
    }
}

/// A value on one line, JSON-like (`{"t": 21.5, "on": true}`, a tag as `tag(…)`), cut after
/// about `max_chars` characters with `…`: a row never walks more of a tree than it shows.
pub fn one_line(value: &Value, max_chars: usize) -> String {
    let mut out = String::new();
    if write_line(value, &mut out, max_chars).is_err() {
        let cut = out
            .char_indices()
            .nth(max_chars)
            .map_or(out.len(), |(at, _)| at);
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// `Err` once `out` holds more than `max` bytes (at least `max` characters' worth).
fn write_line(value: &Value, out: &mut String, max: usize) -> Result<(), ()> {
    let full = |out: &String| if out.len() > max { Err(()) } else { Ok(()) };
    let items = |out: &mut String, items: &mut dyn Iterator<Item = (Option<&Value>, &Value)>| {
        for (i, (key, item)) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if let Some(key) = key {
                write_line(key, out, max)?;
                out.push_str(": ");
            }
            write_line(item, out, max)?;
        }
        Ok(())
    };
    match value {
        Value::Array(list) => {
            out.push('[');
            items(out, &mut list.iter().map(|item| (None, item)))?;
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            items(
                out,
                &mut entries.iter().map(|(key, item)| (Some(key), item)),
            )?;
            out.push('}');
        }
        Value::Tagged { value, .. } => {
            out.push_str("tag(");
            write_line(value, out, max)?;
            out.push(')');
        }
        // Long text or bytes are cut before they are copied whole.
        Value::Text(text) if text.len() > max => {
            out.push('"');
            out.push_str(&text[..text.floor_char_boundary(max)]);
            return Err(());
        }
        Value::Bytes(bytes) if bytes.len() > max => {
            out.push_str(&hex_encode(&bytes[..max / 2]));
            return Err(());
        }
        scalar => out.push_str(&scalar_text(scalar)),
    }
    full(out)
}

/// The number at `path` in a decoded payload, for a chart: keys match text keys (the first
/// entry of that name), indexes array items; the value there an integer, a float, or text
/// holding a decimal number, as `json_path::number_at` reads JSON. No path: the whole value.
pub fn number_in(value: &Value, path: Option<&JsonPath>) -> Option<f64> {
    let steps = path.map_or(&[][..], |path| &path.steps);
    let found = steps
        .iter()
        .try_fold(value, |value, step| match (step, value) {
            (PathStep::Key(key), Value::Map(entries)) => entries
                .iter()
                .find(|(name, _)| matches!(name, Value::Text(name) if name == key))
                .map(|(_, item)| item),
            (PathStep::Index(index), Value::Array(items)) => items.get(*index),
            _ => None,
        })?;
    match found {
        // Beyond 2^53 a chart point is approximate anyway.
        Value::Integer(integer) => Some(*integer as f64),
        Value::Float(float) => Some(*float).filter(|float| float.is_finite()),
        Value::Text(text) => parse_decimal(text.trim()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payload_decoders::{DecodeProblem, Tag};

    fn text(text: &str) -> Value {
        Value::Text(text.into())
    }

    fn reading() -> Value {
        Value::Map(vec![
            (text("temperature"), Value::Float(21.5)),
            (text("unit"), text("C")),
            (
                text("samples"),
                Value::Array(vec![Value::Integer(1), Value::Integer(-2), text(" 3.5 ")]),
            ),
            (Value::Integer(7), Value::Bool(true)),
        ])
    }

    #[test]
    fn a_value_reads_on_one_line_and_is_cut_where_the_row_ends() {
        assert_eq!(
            one_line(&reading(), 200),
            r#"{"temperature": 21.5, "unit": "C", "samples": [1, -2, " 3.5 "], 7: true}"#
        );
        assert_eq!(one_line(&reading(), 20), r#"{"temperature": 21.5…"#);
        let tagged = Value::Tagged {
            tag: Tag::Cbor(1),
            value: Box::new(Value::Bytes(vec![0xAB, 0x01])),
        };
        assert_eq!(one_line(&tagged, 80), "tag(ab 01)");
        // A long text is cut without being copied whole, at a character boundary.
        let long = text(&"é".repeat(10_000));
        assert_eq!(one_line(&long, 5), format!("\"{}…", "é".repeat(2)));
        assert_eq!(one_line(&Value::Bytes(vec![0; 1000]), 4), "00 0…");
    }

    #[test]
    fn numbers_are_found_by_the_charts_paths() {
        let path = |text: &str| text.parse::<JsonPath>().unwrap();
        let value = reading();
        assert_eq!(number_in(&value, Some(&path("temperature"))), Some(21.5));
        assert_eq!(number_in(&value, Some(&path("samples[1]"))), Some(-2.0));
        assert_eq!(number_in(&value, Some(&path("samples[2]"))), Some(3.5));
        for missing in ["unit", "samples", "samples[3]", "nope", "temperature.x"] {
            assert_eq!(number_in(&value, Some(&path(missing))), None, "{missing}");
        }
        assert_eq!(number_in(&Value::Integer(-40), None), Some(-40.0));
        assert_eq!(number_in(&Value::Float(f64::NAN), None), None);
        assert_eq!(number_in(&value, None), None);
    }

    #[test]
    fn the_cache_knows_the_format_and_keeps_a_bound() {
        let done = |n: i128| Decoding::Done(Rc::new(Ok(Value::Integer(n))));
        let mut cache = DecodedCache::default();
        let before = cache.clone();
        cache.insert(vec![(1, Format::Cbor, done(1))]);
        assert_ne!(cache, before);
        assert_eq!(cache.get(1, Format::Cbor), Some(&done(1)));
        // Decoded in another format, it is stale for this one.
        assert_eq!(cache.get(1, Format::MessagePack), None);
        let wanted = |seq| Wanted {
            seq,
            format: Format::Cbor,
            topic: String::new(),
            payload: Bytes::new(),
        };
        assert_eq!(cache.missing(wanted(1)), None);
        assert_eq!(cache.missing(wanted(2)), Some(wanted(2)));
        let error = DecodeError {
            offset: 0,
            problem: DecodeProblem::InvalidUtf8,
        };
        cache.insert(vec![
            (1, Format::MessagePack, Decoding::Unavailable),
            (2, Format::Cbor, Decoding::Done(Rc::new(Err(error)))),
        ]);
        assert_eq!(
            cache.get(1, Format::MessagePack),
            Some(&Decoding::Unavailable)
        );
        assert_eq!(cache.len(), 2);
        let many = (3..CACHE_ENTRIES as u64 + 3)
            .map(|seq| (seq, Format::Cbor, done(0)))
            .collect();
        cache.insert(many);
        assert_eq!(cache.len(), CACHE_ENTRIES);
        // The first decoded went first.
        assert_eq!(cache.get(2, Format::Cbor), None);
        assert!(cache.get(3, Format::Cbor).is_some());
        cache.clear();
        assert!(cache.is_empty());
    }
}
