//! The checks behind the cargo-fuzz targets (`fuzz/fuzz_targets/`), shared with
//! `tests/fuzz_corpus.rs`, which replays the kept corpus through them on every test run.

use payload_decoders::{decode, encode, DecodeError, Format, Limits, Value};

/// Limits small enough for a fuzzer to reach them, beside the defaults.
const SMALL: Limits = Limits {
    max_depth: 4,
    max_nodes: 16,
};

/// `format`'s decoder on arbitrary bytes: it must never panic, must keep its limits, must fail
/// inside the payload, and every value it accepts must encode back (in its own format) to bytes
/// that decode to the same value.
fn check(format: Format, input: &[u8]) {
    let whole = decode(format, input, Limits::DEFAULT);
    if let Err(DecodeError { offset, .. }) = whole {
        assert!(offset <= input.len(), "error at {offset} past the payload");
    }
    if let Ok(value) = &whole {
        let encoded = encode(format, value, Limits::DEFAULT)
            .unwrap_or_else(|error| panic!("decoded {value:?} but cannot encode it: {error:?}"));
        assert_eq!(
            decode(format, &encoded, Limits::DEFAULT).as_ref(),
            Ok(value),
            "re-encoded {encoded:02x?}"
        );
        // In the other format too, when it has every kind of value in it.
        let other = match format {
            Format::Cbor => Format::MessagePack,
            Format::MessagePack => Format::Cbor,
        };
        if let Ok(encoded) = encode(other, value, Limits::DEFAULT) {
            assert_eq!(
                decode(other, &encoded, Limits::DEFAULT).as_ref(),
                Ok(value),
                "in {other:?}: {encoded:02x?}"
            );
        }
    }
    if let Ok(value) = decode(format, input, SMALL) {
        let (depth, nodes) = measure(&value);
        assert!(depth <= SMALL.max_depth && nodes <= SMALL.max_nodes);
        assert_eq!(whole.as_ref(), Ok(&value), "the limits changed the value");
    }
}

/// The depth and the number of nodes of a tree.
fn measure(value: &Value) -> (usize, usize) {
    let children: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        Value::Tagged { value, .. } => vec![value],
        _ => Vec::new(),
    };
    children
        .into_iter()
        .map(measure)
        .fold((0, 1), |(depth, nodes), (child_depth, child_nodes)| {
            (depth.max(child_depth + 1), nodes + child_nodes)
        })
}

pub fn cbor(input: &[u8]) {
    check(Format::Cbor, input);
}

pub fn msgpack(input: &[u8]) {
    check(Format::MessagePack, input);
}
