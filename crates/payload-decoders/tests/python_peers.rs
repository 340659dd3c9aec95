//! The decoders against independent encoders, and the encoders against independent decoders:
//! Python's `cbor2` and `msgpack` (tests/decoders/vectors.py, installed by scripts/test). The
//! test values are named; Python states each one as a Python object, this file as a `Value`.

use std::collections::BTreeSet;

use payload_decoders::{decode, encode, Format, Limits, Tag, Value};

mod vectors;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/decoders/vectors.py"
);

fn text(text: &str) -> Value {
    Value::Text(text.to_owned())
}

fn reading() -> Value {
    Value::Map(vec![
        (text("temperature"), Value::Float(21.5)),
        (text("unit"), text("C")),
        (text("ok"), Value::Bool(true)),
    ])
}

fn nested() -> Value {
    Value::Map(vec![(
        text("a"),
        Value::Array(vec![Value::Map(vec![(
            text("b"),
            Value::Array(vec![Value::Array(vec![]), Value::Map(vec![])]),
        )])]),
    )])
}

/// The values both formats share, by the names vectors.py gives them.
fn common(name: &str) -> Option<Value> {
    Some(match name {
        "null" => Value::Null,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "small" => Value::Integer(17),
        "negative" => Value::Integer(-1000),
        "u64_max" => Value::Integer(u64::MAX.into()),
        "float" => Value::Float(-2.25),
        "text" => text("héllo, 世界"),
        "bytes" => Value::Bytes(vec![0, 1, 0xfe, 0xff]),
        "array" => Value::Array(vec![
            Value::Integer(1),
            text("two"),
            Value::Array(vec![Value::Float(3.5), Value::Null]),
        ]),
        "map" => reading(),
        "int_keys" => Value::Map(vec![
            (Value::Integer(1), text("one")),
            (Value::Integer(-2), Value::Bytes(vec![2])),
        ]),
        "nested" => nested(),
        _ => return None,
    })
}

fn expected(format: Format, name: &str) -> Value {
    let special = match (format, name) {
        (Format::Cbor, "cbor_min") => Some(Value::Integer(-(1 << 64))),
        (Format::Cbor, "half_float") => Some(Value::Float(1.5)),
        (Format::Cbor, "tag") => Some(Value::Tagged {
            tag: Tag::Cbor(1234),
            value: Box::new(text("tagged")),
        }),
        (Format::Cbor, "undefined") => Some(Value::Undefined),
        (Format::Cbor, "simple") => Some(Value::Simple(99)),
        (Format::MessagePack, "i64_min") => Some(Value::Integer(i64::MIN.into())),
        (Format::MessagePack, "single_float") => Some(Value::Float(0.5)),
        (Format::MessagePack, "ext") => Some(Value::Tagged {
            tag: Tag::Extension(5),
            value: Box::new(Value::Bytes(vec![1, 2, 3])),
        }),
        _ => None,
    };
    special.or_else(|| common(name)).unwrap_or_else(|| {
        panic!("vectors.py has {format:?} {name}, which this test does not know")
    })
}

/// vectors.py's `FORMAT NAME HEX` lines.
fn python_vectors() -> Vec<(Format, String, Vec<u8>)> {
    vectors::run(SCRIPT, "encode", "")
        .lines()
        .map(|line| {
            let mut fields = line.split(' ');
            let format =
                Format::from_name(fields.next().expect("a format")).expect("cbor or msgpack");
            let name = fields.next().expect("a name").to_owned();
            (
                format,
                name,
                vectors::from_hex(fields.next().expect("the bytes")),
            )
        })
        .collect()
}

#[test]
fn python_encodings_decode_to_the_same_values() {
    let vectors = python_vectors();
    assert!(vectors.len() >= 30, "only {} vectors", vectors.len());
    for (format, name, bytes) in &vectors {
        assert_eq!(
            decode(*format, bytes, Limits::DEFAULT),
            Ok(expected(*format, name)),
            "{format:?} {name}: {bytes:02x?}"
        );
    }
}

#[test]
fn our_encodings_decode_in_python_to_the_same_values() {
    let vectors = python_vectors();
    let names: BTreeSet<(&str, &str)> = vectors
        .iter()
        .map(|(format, name, _)| (format.name(), name.as_str()))
        .collect();
    let mut lines = String::new();
    for (format, name) in &names {
        let format = Format::from_name(format).expect("a format");
        let bytes = encode(format, &expected(format, name), Limits::DEFAULT)
            .unwrap_or_else(|error| panic!("{format:?} {name}: {error:?}"));
        let hex = vectors::to_hex(&bytes);
        lines.push_str(&format!("{} {name} {hex}\n", format.name()));
    }
    assert_eq!(
        vectors::run(SCRIPT, "check", &lines).trim(),
        format!("checked {}", names.len())
    );
}
