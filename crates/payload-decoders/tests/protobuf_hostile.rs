//! Protobuf and Sparkplug B on hostile or wrong input: every refusal a typed error with its
//! place, never a panic; recursive types and deep nesting bounded; encoding errors naming the
//! field; and the Sparkplug session's alias tables kept per edge node, forgotten on NDEATH and
//! on a new NBIRTH.

use payload_decoders::protobuf::{compile, decode, encode, Schema};
use payload_decoders::sparkplug::Session;
use payload_decoders::{
    CompileError, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected, FieldType,
    Kind, Limits, PathStep, SchemaError, SchemaFile, Value,
};

const PROTO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/decoders/proto");

fn file(name: &str, text: &str) -> SchemaFile {
    SchemaFile {
        name: name.into(),
        text: text.into(),
    }
}

fn schema() -> Schema {
    let files: Vec<SchemaFile> = ["common.proto", "telemetry.proto"]
        .into_iter()
        .map(|name| {
            file(
                name,
                &std::fs::read_to_string(format!("{PROTO}/{name}")).expect("a test schema"),
            )
        })
        .collect();
    compile(&files).expect("the test schema compiles")
}

fn failure(message: &str, payload: &[u8]) -> DecodeError {
    let message = schema().message(message).expect("a type");
    decode(&message, payload, Limits::DEFAULT).expect_err("refused")
}

fn text(text: &str) -> Value {
    Value::Text(text.to_owned())
}

#[test]
fn the_message_types_are_listed() {
    assert_eq!(
        schema().message_types(),
        ["demo.common.Reading", "demo.Tree", "demo.Telemetry"]
    );
    assert_eq!(
        schema().message("demo.Nope").unwrap_err(),
        SchemaError::NoSuchMessage("demo.Nope".into())
    );
    // A map's entry type is no payload's type.
    assert!(schema().message("demo.Telemetry.CountersEntry").is_err());
}

#[test]
fn an_import_between_the_users_files_resolves_and_errors_point_into_the_file() {
    let files = [
        file(
            "a.proto",
            "syntax = \"proto3\";\nimport \"b.proto\";\nmessage A { B b = 1; }\n",
        ),
        file(
            "b.proto",
            "syntax = \"proto3\";\nmessage B { int32 x = 1; }\n",
        ),
    ];
    assert_eq!(compile(&files).unwrap().message_types(), ["B", "A"]);
    let files = [file(
        "a.proto",
        "syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n",
    )];
    let Err(SchemaError::Compile(CompileError {
        file, line, column, ..
    })) = compile(&files)
    else {
        panic!("compiled");
    };
    assert_eq!(
        (file.as_deref(), line, column),
        (Some("a.proto"), Some(3), Some(3))
    );
}

#[test]
fn lengths_past_the_payload_are_refused_before_anything_is_read() {
    // Field 1 (device, a string) claiming 2⁶³ bytes.
    let huge = [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    assert_eq!(
        failure("demo.Telemetry", &huge),
        DecodeError {
            offset: 10,
            problem: DecodeProblem::LengthBeyondPayload {
                length: i64::MAX as u64,
                remaining: 0
            }
        }
    );
    // A nested reading claiming 5 bytes with 2 left.
    assert_eq!(
        failure("demo.Telemetry", &[0x12, 0x05, 0x0a, 0x00]),
        DecodeError {
            offset: 2,
            problem: DecodeProblem::LengthBeyondPayload {
                length: 5,
                remaining: 2
            }
        }
    );
}

#[test]
fn cut_and_malformed_bytes_are_errors_with_their_place() {
    assert_eq!(
        failure("demo.Telemetry", &[0x28, 0x80]),
        DecodeError {
            offset: 1,
            problem: DecodeProblem::End {
                expected: Expected::Argument
            }
        }
    );
    // Field 0 does not exist; wire types 6 and 7 neither.
    for key in [0x00, 0x0e, 0x0f] {
        assert_eq!(
            failure("demo.Telemetry", &[key, 0]).problem,
            DecodeProblem::Byte {
                found: key,
                expected: Expected::Field
            }
        );
    }
    // `code` (uint32) sent as a fixed32.
    assert_eq!(
        failure("demo.Telemetry", &[0x2d, 1, 0, 0, 0]),
        DecodeError {
            offset: 0,
            problem: DecodeProblem::WireType {
                field: 5,
                wire_type: 5
            }
        }
    );
    assert_eq!(
        failure("demo.Telemetry", &[0x0a, 0x02, 0xc3, 0x28]),
        DecodeError {
            offset: 2,
            problem: DecodeProblem::InvalidUtf8
        }
    );
    // A reading of one byte, a key whose length would be the byte after the reading: the
    // message ends there (once found by the fuzzer, which read on past it).
    assert_eq!(
        failure("demo.Telemetry", &[0x12, 0x01, 0x0a, 0x05, 0x41]),
        DecodeError {
            offset: 3,
            problem: DecodeProblem::End {
                expected: Expected::Argument
            }
        }
    );
    // An end-group key with no group open.
    assert_eq!(
        failure("demo.Telemetry", &[0x0c]).problem,
        DecodeProblem::Byte {
            found: 0x0c,
            expected: Expected::Field
        }
    );
}

/// A `demo.Tree` nested `depth` times through its first child.
fn nested_tree(depth: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    for _ in 0..depth {
        let mut outer = vec![0x12];
        let mut length = bytes.len() as u64;
        while length >= 0x80 {
            outer.push((length as u8) | 0x80);
            length >>= 7;
        }
        outer.push(length as u8);
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    bytes
}

#[test]
fn a_recursive_type_nests_no_deeper_than_the_limit() {
    let message = schema().message("demo.Tree").unwrap();
    let limits = Limits {
        max_depth: 10,
        max_nodes: 1000,
    };
    // Each level is the tree, its `children` array and the child: within 10 as far as 4 deep.
    assert!(decode(&message, &nested_tree(4), limits).is_ok());
    assert_eq!(
        decode(&message, &nested_tree(6), limits)
            .unwrap_err()
            .problem,
        DecodeProblem::TooDeep { limit: 10 }
    );
    // Far past any stack: refused by the walk, before prost-reflect recurses.
    assert_eq!(
        decode(&message, &nested_tree(10_000), Limits::DEFAULT)
            .unwrap_err()
            .problem,
        DecodeProblem::TooDeep {
            limit: Limits::DEFAULT.max_depth
        }
    );
}

#[test]
fn node_limits_hold_for_packed_fields() {
    let message = schema().message("demo.Telemetry").unwrap();
    // 1,000 packed deltas in 1,003 bytes.
    let mut bytes = vec![0x3a, 0xe8, 0x07];
    bytes.extend(std::iter::repeat_n(0x02, 1000));
    let limits = Limits {
        max_depth: 8,
        max_nodes: 500,
    };
    assert_eq!(
        decode(&message, &bytes, limits).unwrap_err().problem,
        DecodeProblem::TooManyNodes { limit: 500 }
    );
    let Ok(Value::Map(fields)) = decode(&message, &bytes, Limits::DEFAULT) else {
        panic!("not decoded");
    };
    assert_eq!(
        fields[0],
        (text("deltas"), Value::Array(vec![Value::Integer(1); 1000]))
    );
}

#[test]
fn unknown_enum_numbers_and_fields_decode() {
    let message = schema().message("demo.common.Reading").unwrap();
    // unit = 9 (no such value), then field 99 (unknown, skipped).
    assert_eq!(
        decode(&message, &[0x18, 0x09, 0x98, 0x06, 0x01], Limits::DEFAULT),
        Ok(Value::Map(vec![(text("unit"), Value::Integer(9))]))
    );
}

fn encode_error(message: &str, value: Value) -> EncodeError {
    let message = schema().message(message).unwrap();
    encode(&message, &value, Limits::DEFAULT).expect_err("refused")
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(key, value)| (text(key), value))
            .collect(),
    )
}

#[test]
fn encoding_errors_name_the_field() {
    let reading = |field: (&str, Value)| {
        map(vec![(
            "readings",
            Value::Array(vec![map(vec![("sensor", text("ok"))]), map(vec![field])]),
        )])
    };
    let at = |field: &str| {
        vec![
            PathStep::Key("readings".into()),
            PathStep::Index(1),
            PathStep::Key(field.into()),
        ]
    };
    assert_eq!(
        encode_error("demo.Telemetry", reading(("nope", Value::Null))),
        EncodeError {
            path: at("nope"),
            problem: EncodeProblem::NoSuchField
        }
    );
    assert_eq!(
        encode_error("demo.Telemetry", reading(("value", text("hot")))),
        EncodeError {
            path: at("value"),
            problem: EncodeProblem::FieldType {
                expected: FieldType::Double,
                found: Kind::Text
            }
        }
    );
    assert_eq!(
        encode_error("demo.Telemetry", reading(("unit", text("FAHRENHEIT")))),
        EncodeError {
            path: at("unit"),
            problem: EncodeProblem::NoSuchEnumValue
        }
    );
    assert_eq!(
        encode_error("demo.Telemetry", map(vec![("code", Value::Integer(-1))])).problem,
        EncodeProblem::IntegerOutOfRange
    );
    assert_eq!(
        encode_error("demo.Telemetry", map(vec![("blob", text("not base64!"))])).problem,
        EncodeProblem::InvalidBase64
    );
    assert_eq!(
        encode_error("demo.Telemetry", map(vec![("deltas", Value::Integer(1))])).problem,
        EncodeProblem::FieldType {
            expected: FieldType::Repeated,
            found: Kind::Integer
        }
    );
    assert_eq!(
        encode_error("demo.Telemetry", Value::Array(vec![])),
        EncodeError {
            path: vec![],
            problem: EncodeProblem::FieldType {
                expected: FieldType::Message,
                found: Kind::Array
            }
        }
    );
}

#[test]
fn json_shaped_values_encode() {
    let message = schema().message("demo.Telemetry").unwrap();
    // As the publish form's JSON gives them: 64-bit integers as text, bytes as base64, map keys
    // as text, a float written as an integer.
    let json = map(vec![
        ("serial", text("18446744073709551615")),
        ("blob", text("AP8=")),
        (
            "by_slot",
            map(vec![("3", map(vec![("value", Value::Integer(2))]))]),
        ),
        ("ratio", Value::Integer(1)),
    ]);
    let bytes = encode(&message, &json, Limits::DEFAULT).expect("encodes");
    assert_eq!(
        decode(&message, &bytes, Limits::DEFAULT),
        Ok(map(vec![
            ("blob", Value::Bytes(vec![0, 0xff])),
            ("serial", Value::Integer(u64::MAX.into())),
            ("ratio", Value::Float(1.0)),
            (
                "by_slot",
                Value::Map(vec![(
                    Value::Integer(3),
                    map(vec![("value", Value::Float(2.0))])
                )])
            ),
        ]))
    );
}

fn sparkplug_metric(name: Option<&str>, alias: i128) -> Value {
    let mut fields = Vec::new();
    if let Some(name) = name {
        fields.push(("name", text(name)));
    }
    fields.push(("alias", Value::Integer(alias)));
    map(fields)
}

fn sparkplug_payload(metrics: Vec<Value>) -> Vec<u8> {
    payload_decoders::encode(
        payload_decoders::Format::SparkplugB,
        &map(vec![("metrics", Value::Array(metrics))]),
        Limits::DEFAULT,
    )
    .expect("encodes")
}

/// The names a session gives an NDATA's metrics.
fn names(session: &Session, topic: &str, payload: &[u8]) -> Vec<Option<String>> {
    let Ok(Value::Map(fields)) = session.decode(topic, payload, Limits::DEFAULT) else {
        panic!("not decoded");
    };
    let Some((_, Value::Array(metrics))) = fields.iter().find(|(key, _)| *key == text("metrics"))
    else {
        return Vec::new();
    };
    metrics
        .iter()
        .map(|metric| match metric {
            Value::Map(fields) => fields.iter().find_map(|(key, value)| match (key, value) {
                (Value::Text(key), Value::Text(name)) if key == "name" => Some(name.clone()),
                _ => None,
            }),
            _ => None,
        })
        .collect()
}

#[test]
fn aliases_are_per_edge_node_and_end_with_its_death_or_next_birth() {
    let mut session = Session::default();
    let birth = sparkplug_payload(vec![sparkplug_metric(Some("Speed"), 1)]);
    let data = sparkplug_payload(vec![sparkplug_metric(None, 1)]);
    let named = vec![Some("Speed".to_owned())];
    session
        .observe("spBv1.0/g/NBIRTH/a", &birth, Limits::DEFAULT)
        .unwrap();
    assert_eq!(names(&session, "spBv1.0/g/NDATA/a", &data), named);
    // Another node, and the same node in another group, have none.
    assert_eq!(names(&session, "spBv1.0/g/NDATA/b", &data), [None]);
    assert_eq!(names(&session, "spBv1.0/h/NDATA/a", &data), [None]);
    // A device's data uses its node's aliases, which its DBIRTH adds to.
    let device_birth = sparkplug_payload(vec![sparkplug_metric(Some("Pump/Flow"), 2)]);
    session
        .observe("spBv1.0/g/DBIRTH/a/pump", &device_birth, Limits::DEFAULT)
        .unwrap();
    let both = sparkplug_payload(vec![sparkplug_metric(None, 1), sparkplug_metric(None, 2)]);
    assert_eq!(
        names(&session, "spBv1.0/g/DDATA/a/pump", &both),
        [Some("Speed".to_owned()), Some("Pump/Flow".to_owned())]
    );
    // A new NBIRTH replaces the node's table, the device's aliases with it.
    let rebirth = sparkplug_payload(vec![sparkplug_metric(Some("Torque"), 1)]);
    session
        .observe("spBv1.0/g/NBIRTH/a", &rebirth, Limits::DEFAULT)
        .unwrap();
    assert_eq!(
        names(&session, "spBv1.0/g/DDATA/a/pump", &both),
        [Some("Torque".to_owned()), None]
    );
    // Decoding an old birth again (shown again) teaches nothing.
    session
        .decode("spBv1.0/g/NBIRTH/a", &birth, Limits::DEFAULT)
        .unwrap();
    assert_eq!(
        names(&session, "spBv1.0/g/DDATA/a/pump", &both),
        [Some("Torque".to_owned()), None]
    );
    // NDEATH forgets them, even when its payload is not one.
    let _ = session.observe("spBv1.0/g/NDEATH/a", &[0xff], Limits::DEFAULT);
    assert_eq!(names(&session, "spBv1.0/g/NDATA/a", &data), [None]);
    // A metric's own name wins over its alias's.
    session
        .observe("spBv1.0/g/NBIRTH/a", &birth, Limits::DEFAULT)
        .unwrap();
    let own = sparkplug_payload(vec![sparkplug_metric(Some("Mine"), 1)]);
    assert_eq!(
        names(&session, "spBv1.0/g/NDATA/a", &own),
        [Some("Mine".to_owned())]
    );
}

#[test]
fn state_messages_are_json_text() {
    let session = Session::default();
    let state = br#"{"online":true,"timestamp":1}"#;
    assert_eq!(
        session.decode("spBv1.0/STATE/scada", state, Limits::DEFAULT),
        Ok(text(r#"{"online":true,"timestamp":1}"#))
    );
}

#[test]
fn publishing_numbers_seq_per_edge_node_and_wraps() {
    let mut session = Session::default();
    let seq_of = |bytes: &[u8]| {
        let Ok(Value::Map(fields)) =
            payload_decoders::decode(payload_decoders::Format::SparkplugB, bytes, Limits::DEFAULT)
        else {
            panic!("not decoded");
        };
        fields
            .into_iter()
            .find(|(key, _)| *key == text("seq"))
            .map(|(_, seq)| seq)
    };
    let empty = map(vec![]);
    let mut publish = |topic: &str| {
        seq_of(
            &session
                .encode(topic, &empty, Limits::DEFAULT)
                .expect("encodes"),
        )
    };
    assert_eq!(
        publish("spBv1.0/g/NBIRTH/a"),
        Some(Value::Integer(0)),
        "a birth starts at 0"
    );
    for expected in 1..=255 {
        assert_eq!(publish("spBv1.0/g/NDATA/a"), Some(Value::Integer(expected)));
    }
    assert_eq!(
        publish("spBv1.0/g/DDATA/a/d"),
        Some(Value::Integer(0)),
        "255 wraps to 0"
    );
    assert_eq!(
        publish("spBv1.0/g/NDATA/b"),
        Some(Value::Integer(0)),
        "per node"
    );
    assert_eq!(
        publish("spBv1.0/g/NBIRTH/a"),
        Some(Value::Integer(0)),
        "a rebirth starts again"
    );
    // An NDEATH has no seq; other topics are encoded as given.
    assert_eq!(publish("spBv1.0/g/NDEATH/a"), None);
    assert_eq!(publish("plain/topic"), None);
}
