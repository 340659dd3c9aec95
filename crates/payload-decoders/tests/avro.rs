//! Avro of tests/decoders/avro (two files, one using the other's named types, and a recursive
//! record): the types a rule can pick, bytes written by hand as Avro's specification lays
//! them out, round trips, the errors that name a file or a field, and hostile bytes, each
//! refused at its offset within the limits.

use payload_decoders::avro::{compile, Schema};
use payload_decoders::{
    DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected, FieldType, Limits, PathStep,
    SchemaError, SchemaFile, Value, MAX_SCHEMA_BYTES,
};

fn file(name: &str, text: &str) -> SchemaFile {
    SchemaFile {
        name: name.into(),
        text: text.into(),
    }
}

fn schema() -> Schema {
    compile(&[
        file(
            "telemetry.avsc",
            include_str!("../../../tests/decoders/avro/telemetry.avsc"),
        ),
        file(
            "common.avsc",
            include_str!("../../../tests/decoders/avro/common.avsc"),
        ),
    ])
    .expect("the test schema compiles")
}

fn text(text: &str) -> Value {
    Value::Text(text.into())
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(entries.iter().map(|(k, v)| (text(k), v.clone())).collect())
}

/// Avro's zigzag varint.
fn long(value: i64) -> Vec<u8> {
    let mut raw = ((value << 1) ^ (value >> 63)) as u64;
    let mut bytes = Vec::new();
    loop {
        let byte = (raw & 0x7f) as u8;
        raw >>= 7;
        if raw == 0 {
            bytes.push(byte);
            return bytes;
        }
        bytes.push(byte | 0x80);
    }
}

fn string(text: &str) -> Vec<u8> {
    let mut bytes = long(text.len() as i64);
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// A demo.Telemetry with one reading, one counter, no error and no previous report, written
/// field by field as the specification says.
fn telemetry_bytes(device: &str) -> Vec<u8> {
    let mut bytes = string(device);
    // readings: one block of one item, then the end.
    bytes.extend(long(1));
    bytes.extend(string("t1"));
    bytes.extend(21.5f64.to_le_bytes());
    bytes.extend(long(1)); // KELVIN
    bytes.push(1); // ok
    bytes.extend(long(0));
    // counters: {"n": 3}
    bytes.extend(long(1));
    bytes.extend(string("n"));
    bytes.extend(long(3));
    bytes.extend(long(0));
    bytes.extend(long(0)); // error: null
    bytes.extend([1, 2, 3, 4]); // id
    bytes.extend([4, 0x04, 0xd2]); // price: 12.34, unscaled 1234 in two bytes (length 2: zigzag 4)
    bytes.extend(long(0)); // previous: null
    bytes
}

fn telemetry_tree(device: &str) -> Value {
    map(&[
        ("device", text(device)),
        (
            "readings",
            Value::Array(vec![map(&[
                ("sensor", text("t1")),
                ("value", Value::Float(21.5)),
                ("unit", text("KELVIN")),
                ("ok", Value::Bool(true)),
            ])]),
        ),
        ("counters", map(&[("n", Value::Integer(3))])),
        ("error", Value::Null),
        ("id", Value::Bytes(vec![1, 2, 3, 4])),
        ("price", text("12.34")),
        ("previous", Value::Null),
    ])
}

#[test]
fn every_named_type_and_only_those_can_be_picked() {
    assert_eq!(
        schema().type_names(),
        ["demo.Telemetry", "demo.Id", "demo.Reading", "demo.Unit"]
    );
    assert_eq!(
        schema().type_of("demo.Nothing").err(),
        Some(SchemaError::NoSuchMessage("demo.Nothing".into()))
    );
    // A file whose schema has no name is picked by the file's name.
    let unnamed = compile(&[
        file(
            "readings.avsc",
            r#"{"type": "array", "items": "demo.Reading"}"#,
        ),
        file(
            "common.avsc",
            include_str!("../../../tests/decoders/avro/common.avsc"),
        ),
    ])
    .unwrap();
    assert_eq!(
        unnamed.type_names(),
        ["demo.Reading", "demo.Unit", "readings.avsc"]
    );
    let mut bytes = long(2);
    for sensor in ["a", "b"] {
        bytes.extend(string(sensor));
        bytes.extend(1.0f64.to_le_bytes());
        bytes.extend(long(0));
        bytes.push(0);
    }
    bytes.extend(long(0));
    let decoded = unnamed
        .decode("readings.avsc", &bytes, Limits::DEFAULT)
        .unwrap();
    let Value::Array(items) = decoded else {
        panic!("not an array: {decoded:?}")
    };
    assert_eq!(items.len(), 2);
}

#[test]
fn bytes_laid_out_by_the_specification_decode_to_the_tree() {
    let schema = schema();
    let decoded = schema
        .decode(
            "demo.Telemetry",
            &telemetry_bytes("pump-1"),
            Limits::DEFAULT,
        )
        .unwrap();
    assert_eq!(decoded, telemetry_tree("pump-1"));
    // The recursive field, one report inside another.
    let mut nested = telemetry_bytes("now");
    nested.pop();
    nested.extend(long(1));
    nested.extend(telemetry_bytes("before"));
    let Value::Map(fields) = schema
        .decode("demo.Telemetry", &nested, Limits::DEFAULT)
        .unwrap()
    else {
        panic!("not a record")
    };
    assert_eq!(fields[6], (text("previous"), telemetry_tree("before")));
    // A negative block count, followed by the block's size, as writers may send it.
    let mut blocked = string("x");
    blocked.extend(long(-1));
    let mut reading = string("t1");
    reading.extend(21.5f64.to_le_bytes());
    reading.extend(long(1));
    reading.push(1);
    blocked.extend(long(reading.len() as i64));
    blocked.extend(reading);
    blocked.extend(long(0)); // readings end
    blocked.extend(long(0)); // counters: none
    blocked.extend(long(0)); // error: null
    blocked.extend([0; 4]); // id
    blocked.extend([2, 0x01]); // price: 0.01
    blocked.extend(long(0)); // previous: null
    let Value::Map(fields) = schema
        .decode("demo.Telemetry", &blocked, Limits::DEFAULT)
        .unwrap()
    else {
        panic!("not a record")
    };
    let Value::Map(whole) = telemetry_tree("") else {
        unreachable!()
    };
    assert_eq!(fields[1], whole[1]);
    assert_eq!(fields[5], (text("price"), text("0.01")));
}

#[test]
fn trees_encode_to_the_same_bytes_and_back() {
    let schema = schema();
    let tree = telemetry_tree("pump-1");
    let encoded = schema
        .encode("demo.Telemetry", &tree, Limits::DEFAULT)
        .unwrap();
    assert_eq!(encoded, telemetry_bytes("pump-1"));
    assert_eq!(
        schema.decode("demo.Telemetry", &encoded, Limits::DEFAULT),
        Ok(tree)
    );
    // Defaults fill what is left out; bytes may come as base64, the decimal as an integer.
    let short = map(&[
        ("device", text("pump-1")),
        (
            "readings",
            Value::Array(vec![map(&[
                ("sensor", text("t1")),
                ("value", Value::Float(21.5)),
                ("unit", text("KELVIN")),
            ])]),
        ),
        ("counters", map(&[("n", Value::Integer(3))])),
        ("id", text("AQIDBA==")),
        ("price", text("12.34")),
    ]);
    assert_eq!(
        schema.encode("demo.Telemetry", &short, Limits::DEFAULT),
        Ok(telemetry_bytes("pump-1"))
    );
    let negative = schema
        .encode(
            "demo.Telemetry",
            &replace(&short, "price", text("-0.5")),
            Limits::DEFAULT,
        )
        .unwrap();
    let Value::Map(fields) = schema
        .decode("demo.Telemetry", &negative, Limits::DEFAULT)
        .unwrap()
    else {
        panic!("not a record")
    };
    assert_eq!(fields[5], (text("price"), text("-0.50")));
}

fn replace(record: &Value, name: &str, value: Value) -> Value {
    let Value::Map(entries) = record else {
        panic!("not a record")
    };
    let mut entries = entries.clone();
    entries.retain(|(key, _)| *key != text(name));
    entries.push((text(name), value));
    Value::Map(entries)
}

#[test]
fn encoding_errors_name_the_field() {
    let schema = schema();
    let tree = telemetry_tree("pump-1");
    let error = |value: &Value| {
        schema
            .encode("demo.Telemetry", value, Limits::DEFAULT)
            .unwrap_err()
    };
    let key = |name: &str| PathStep::Key(name.into());
    assert_eq!(
        error(&replace(&tree, "device", Value::Integer(1))),
        EncodeError {
            path: vec![key("device")],
            problem: EncodeProblem::FieldType {
                expected: FieldType::String,
                found: payload_decoders::Kind::Integer,
            },
        }
    );
    let Value::Map(mut without) = tree.clone() else {
        unreachable!()
    };
    without.retain(|(name, _)| *name != text("device"));
    assert_eq!(
        error(&Value::Map(without)),
        EncodeError {
            path: vec![key("device")],
            problem: EncodeProblem::MissingField,
        }
    );
    assert_eq!(
        error(&replace(&tree, "colour", text("red"))).problem,
        EncodeProblem::NoSuchField
    );
    assert_eq!(
        error(&replace(&tree, "id", Value::Bytes(vec![1, 2]))),
        EncodeError {
            path: vec![key("id")],
            problem: EncodeProblem::WrongSize {
                expected: 4,
                found: 2,
            },
        }
    );
    let reading = |unit: Value| {
        Value::Array(vec![map(&[
            ("sensor", text("t1")),
            ("value", Value::Float(1.0)),
            ("unit", unit),
        ])])
    };
    assert_eq!(
        error(&replace(&tree, "readings", reading(text("FAHRENHEIT")))),
        EncodeError {
            path: vec![key("readings"), PathStep::Index(0), key("unit")],
            problem: EncodeProblem::NoSuchEnumValue,
        }
    );
    assert_eq!(
        error(&replace(
            &tree,
            "counters",
            map(&[("n", Value::Integer(i128::from(i64::MAX) + 1))])
        )),
        EncodeError {
            path: vec![key("counters"), key("n")],
            problem: EncodeProblem::IntegerOutOfRange,
        }
    );
    // A union with one branch besides null says what that branch wanted.
    assert_eq!(
        error(&replace(&tree, "error", Value::Bool(true))),
        EncodeError {
            path: vec![key("error")],
            problem: EncodeProblem::FieldType {
                expected: FieldType::String,
                found: payload_decoders::Kind::Bool,
            },
        }
    );
}

#[test]
fn schemas_that_do_not_parse_say_which_file_and_where() {
    let Err(SchemaError::Compile(error)) = compile(&[
        file(
            "common.avsc",
            include_str!("../../../tests/decoders/avro/common.avsc"),
        ),
        file(
            "broken.avsc",
            "{\n  \"type\": \"record\",\n  \"name\": \"A\"\n  \"fields\": []\n}",
        ),
    ]) else {
        panic!("broken JSON compiled")
    };
    assert_eq!(
        (error.file.as_deref(), error.line, error.column),
        (Some("broken.avsc"), Some(4), Some(3))
    );
    // Valid JSON, but a type no file defines: named, without a place.
    let Err(SchemaError::Compile(error)) = compile(&[file(
        "telemetry.avsc",
        include_str!("../../../tests/decoders/avro/telemetry.avsc"),
    )]) else {
        panic!("a missing type compiled")
    };
    assert_eq!(error.file.as_deref(), Some("telemetry.avsc"));
    assert!(error.message.contains("demo.Reading"), "{}", error.message);
    let huge = "x".repeat(MAX_SCHEMA_BYTES + 1);
    assert_eq!(
        compile(&[file("huge.avsc", &huge)]).err(),
        Some(SchemaError::TooLarge {
            size: MAX_SCHEMA_BYTES + 1,
            limit: MAX_SCHEMA_BYTES,
        })
    );
}

fn refused(schema: &Schema, name: &str, bytes: &[u8]) -> DecodeError {
    schema
        .decode(name, bytes, Limits::DEFAULT)
        .expect_err("hostile bytes decoded")
}

#[test]
fn hostile_bytes_are_refused_where_they_go_wrong() {
    let schema = schema();
    let good = telemetry_bytes("pump-1");
    // Cut short anywhere: the end, or a length beyond it, never a value.
    for cut in 0..good.len() {
        let error = refused(&schema, "demo.Telemetry", &good[..cut]);
        assert!(error.offset <= cut, "{error:?} past {cut}");
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(
        refused(&schema, "demo.Telemetry", &trailing),
        DecodeError {
            offset: good.len(),
            problem: DecodeProblem::TrailingBytes { count: 1 },
        }
    );
    // A string of 2⁶² bytes: refused before anything is allocated.
    let mut huge = long(1 << 62);
    huge.extend(b"abc");
    assert_eq!(
        refused(&schema, "demo.Telemetry", &huge),
        DecodeError {
            offset: long(1 << 62).len(),
            problem: DecodeProblem::LengthBeyondPayload {
                length: 1 << 62,
                remaining: 3,
            },
        }
    );
    assert_eq!(
        refused(&schema, "demo.Telemetry", &long(-2)).problem,
        DecodeProblem::Byte {
            found: 3,
            expected: Expected::Argument,
        }
    );
    let mut bad_text = long(2);
    bad_text.extend([0xff, 0xfe]);
    assert_eq!(
        refused(&schema, "demo.Telemetry", &bad_text),
        DecodeError {
            offset: 0,
            problem: DecodeProblem::InvalidUtf8,
        }
    );
    // Eleven continued bytes are no varint.
    assert_eq!(
        refused(&schema, "demo.Telemetry", &[0xff; 11]).problem,
        DecodeProblem::Byte {
            found: 0xff,
            expected: Expected::Argument,
        }
    );
    // The previous report's union, branch 5 of 2.
    let mut branch = good.clone();
    let last = branch.len() - 1;
    branch[last] = 10;
    assert_eq!(
        refused(&schema, "demo.Telemetry", &branch),
        DecodeError {
            offset: last,
            problem: DecodeProblem::IndexOutOfRange { index: 5, count: 2 },
        }
    );
    // A billion readings' worth of empty array items: the node limit stops them.
    let empty_items =
        compile(&[file("nulls.avsc", r#"{"type": "array", "items": "null"}"#)]).unwrap();
    let mut nulls = long(1_000_000_000);
    nulls.extend(long(0));
    assert_eq!(
        refused(&empty_items, "nulls.avsc", &nulls).problem,
        DecodeProblem::TooManyNodes {
            limit: Limits::DEFAULT.max_nodes,
        }
    );
    // Reports inside reports, far deeper than the limit: refused, not a stack overflow.
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend(string("d"));
        deep.extend(long(0));
        deep.extend(long(0));
        deep.extend(long(0));
        deep.extend([0; 4]);
        deep.extend(long(0));
        deep.extend(long(1));
    }
    assert_eq!(
        refused(&schema, "demo.Telemetry", &deep).problem,
        DecodeProblem::TooDeep {
            limit: Limits::DEFAULT.max_depth,
        }
    );
    // Booleans are one byte, 0 or 1.
    let flag = compile(&[file("flag.avsc", r#""boolean""#)]).unwrap();
    assert_eq!(
        refused(&flag, "flag.avsc", &[2]).problem,
        DecodeProblem::Byte {
            found: 2,
            expected: Expected::Value,
        }
    );
}
