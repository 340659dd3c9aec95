//! The checks behind the cargo-fuzz targets (`fuzz/fuzz_targets/`), shared with
//! `tests/fuzz_corpus.rs`, which replays the kept corpus through them on every test run.

use std::cell::OnceCell;

use payload_decoders::avro;
use payload_decoders::protobuf::{self, Schema};
use payload_decoders::sparkplug::Session;
use payload_decoders::{decode, encode, DecodeError, Format, Limits, SchemaFile, Value};

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
            _ => Format::Cbor,
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

thread_local! {
    static SCHEMA: OnceCell<Schema> = const { OnceCell::new() };
}

/// tests/decoders/proto: an import, a recursive type, maps and a oneof.
fn schema() -> Schema {
    SCHEMA.with(|cell| {
        cell.get_or_init(|| {
            let files = [
                (
                    "common.proto",
                    include_str!("../../../../tests/decoders/proto/common.proto"),
                ),
                (
                    "telemetry.proto",
                    include_str!("../../../../tests/decoders/proto/telemetry.proto"),
                ),
            ]
            .map(|(name, text)| SchemaFile {
                name: name.into(),
                text: text.into(),
            });
            protobuf::compile(&files).expect("the test schema compiles")
        })
        .clone()
    })
}

/// A Protobuf decoder's outcome on arbitrary bytes, checked as [`check`] does: within the
/// payload when it fails, within its limits when it succeeds, and what it accepts encodes back
/// to bytes that decode to the same tree.
fn check_message(
    decode: impl Fn(&[u8], Limits) -> Result<Value, DecodeError>,
    encode: impl Fn(&Value) -> Vec<u8>,
    input: &[u8],
) {
    let whole = decode(input, Limits::DEFAULT);
    if let Err(DecodeError { offset, .. }) = whole {
        assert!(offset <= input.len(), "error at {offset} past the payload");
    }
    if let Ok(value) = &whole {
        let encoded = encode(value);
        assert_eq!(
            decode(&encoded, Limits::DEFAULT).as_ref(),
            Ok(value),
            "re-encoded {encoded:02x?}"
        );
    }
    if let Ok(value) = decode(input, SMALL) {
        let (depth, nodes) = measure(&value);
        assert!(depth <= SMALL.max_depth && nodes <= SMALL.max_nodes);
        assert_eq!(whole.as_ref(), Ok(&value), "the limits changed the value");
    }
}

/// The test schema's `demo.Telemetry` (the first byte even) or recursive `demo.Tree` (odd).
pub fn protobuf(input: &[u8]) {
    let Some((&which, payload)) = input.split_first() else {
        return;
    };
    let name = if which % 2 == 0 {
        "demo.Telemetry"
    } else {
        "demo.Tree"
    };
    let message = schema().message(name).expect("a type of the test schema");
    check_message(
        |payload, limits| protobuf::decode(&message, payload, limits),
        |value| {
            protobuf::encode(&message, value, Limits::DEFAULT)
                .unwrap_or_else(|error| panic!("decoded {value:?} but cannot encode it: {error:?}"))
        },
        payload,
    );
}

/// Sparkplug B's `Payload` on arbitrary bytes, then the bytes split in two (at the first
/// byte's value) fed to one session as an NBIRTH and an NDATA: names from aliases never panic
/// and never make a tree the limits refuse.
pub fn sparkplug(input: &[u8]) {
    check_message(
        |payload, limits| decode(Format::SparkplugB, payload, limits),
        |value| {
            encode(Format::SparkplugB, value, Limits::DEFAULT)
                .unwrap_or_else(|error| panic!("decoded {value:?} but cannot encode it: {error:?}"))
        },
        input,
    );
    let Some((&split, rest)) = input.split_first() else {
        return;
    };
    let (birth, data) = rest.split_at(usize::from(split).min(rest.len()));
    let mut session = Session::default();
    let _ = session.observe("spBv1.0/g/NBIRTH/e", birth, Limits::DEFAULT);
    if let Ok(value) = session.observe("spBv1.0/g/NDATA/e", data, Limits::DEFAULT) {
        let plain = decode(Format::SparkplugB, data, Limits::DEFAULT).expect("decodes alone");
        assert!(measure(&value).1 >= measure(&plain).1);
    }
}

thread_local! {
    static AVRO_SCHEMA: OnceCell<avro::Schema> = const { OnceCell::new() };
}

/// tests/decoders/avro: a type of another file, a recursive record, every kind of Avro type.
fn avro_schema() -> avro::Schema {
    AVRO_SCHEMA.with(|cell| {
        cell.get_or_init(|| {
            let files = [
                (
                    "telemetry.avsc",
                    include_str!("../../../../tests/decoders/avro/telemetry.avsc"),
                ),
                (
                    "common.avsc",
                    include_str!("../../../../tests/decoders/avro/common.avsc"),
                ),
            ]
            .map(|(name, text)| SchemaFile {
                name: name.into(),
                text: text.into(),
            });
            avro::compile(&files).expect("the test schema compiles")
        })
        .clone()
    })
}

/// The Avro test schema's types on arbitrary bytes: `demo.Telemetry` (the first byte even) or
/// `demo.Reading` (odd), checked as [`check_message`] does.
pub fn avro(input: &[u8]) {
    let Some((&which, payload)) = input.split_first() else {
        return;
    };
    let name = if which % 2 == 0 {
        "demo.Telemetry"
    } else {
        "demo.Reading"
    };
    let schema = avro_schema();
    check_message(
        |payload, limits| schema.decode(name, payload, limits),
        |value| {
            schema
                .encode(name, value, Limits::DEFAULT)
                .unwrap_or_else(|error| panic!("decoded {value:?} but cannot encode it: {error:?}"))
        },
        payload,
    );
}
