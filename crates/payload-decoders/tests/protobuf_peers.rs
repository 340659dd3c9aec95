//! Protobuf and Sparkplug B against an independent implementation: Python's `protobuf` with
//! classes protoc (`grpcio-tools`) generates from the same `.proto` files
//! (tests/decoders/proto_vectors.py, installed by scripts/test). Python encodes named messages,
//! which this side decodes and compares with its own statement of them; this side encodes
//! named messages, which Python parses and compares with its own.

mod vectors;

use payload_decoders::protobuf::{compile, decode, encode, Schema};
use payload_decoders::sparkplug::Session;
use payload_decoders::{Limits, SchemaFile, Value};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/decoders/proto_vectors.py"
);
const PROTO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/decoders/proto");

fn python(mode: &str, input: &str) -> String {
    vectors::run(SCRIPT, mode, input)
}

fn schema() -> Schema {
    let files: Vec<SchemaFile> = ["telemetry.proto", "common.proto"]
        .into_iter()
        .map(|name| SchemaFile {
            name: name.into(),
            text: std::fs::read_to_string(format!("{PROTO}/{name}")).expect("a test schema"),
        })
        .collect();
    compile(&files).expect("the test schema compiles")
}

fn text(text: &str) -> Value {
    Value::Text(text.to_owned())
}

fn int(integer: i128) -> Value {
    Value::Integer(integer)
}

/// A message: its set fields, by name, in field-number order.
fn message(fields: &[(&str, Value)]) -> Value {
    Value::Map(
        fields
            .iter()
            .map(|(name, value)| (text(name), value.clone()))
            .collect(),
    )
}

fn tree(depth: u32) -> Value {
    let label = ("label", text(&format!("level {depth}")));
    if depth == 0 {
        return message(&[label]);
    }
    message(&[
        label,
        (
            "children",
            Value::Array(vec![tree(depth - 1), message(&[("label", text("leaf"))])]),
        ),
    ])
}

/// The messages proto_vectors.py names, and their types.
fn protobuf(name: &str) -> (&'static str, Value) {
    match name {
        "reading" => (
            "demo.common.Reading",
            message(&[
                ("sensor", text("héllo")),
                ("value", Value::Float(3.5)),
                ("unit", text("KELVIN")),
                ("at", int(42)),
            ]),
        ),
        "telemetry" => (
            "demo.Telemetry",
            message(&[
                ("device", text("pump-1")),
                (
                    "readings",
                    Value::Array(vec![
                        message(&[
                            ("sensor", text("t1")),
                            ("value", Value::Float(21.5)),
                            ("unit", text("CELSIUS")),
                            ("at", int(-1_700_000_000_000)),
                        ]),
                        message(&[
                            ("sensor", text("t2")),
                            ("value", Value::Float(-0.25)),
                            ("unit", text("KELVIN")),
                        ]),
                    ]),
                ),
                (
                    "counters",
                    Value::Map(vec![(text("a"), int(1)), (text("b"), int(-2))]),
                ),
                ("code", int(7)),
                ("blob", Value::Bytes(vec![0, 0xff])),
                ("deltas", Value::Array(vec![int(-1), int(0), int(300)])),
                ("serial", int(u64::MAX.into())),
                ("ratio", Value::Float(0.5)),
                ("ok", Value::Bool(true)),
                ("tree", tree(2)),
                (
                    "by_slot",
                    Value::Map(vec![(
                        int(2),
                        message(&[("sensor", text("s")), ("value", Value::Float(1.0))]),
                    )]),
                ),
            ]),
        ),
        "oneof_error" => (
            "demo.Telemetry",
            message(&[("device", text("x")), ("error", text("overheat"))]),
        ),
        "empty" => ("demo.Telemetry", message(&[])),
        "deep_tree" => ("demo.Tree", tree(12)),
        _ => panic!("proto_vectors.py has protobuf {name}, which this test does not know"),
    }
}

fn metric(fields: &[(&str, Value)]) -> Value {
    message(fields)
}

/// The Sparkplug B messages proto_vectors.py names, their topics (in the order they are fed to
/// one session), and their trees with the aliases' names resolved.
fn sparkplug(name: &str) -> (&'static str, Value) {
    let payload = |timestamp: i128, seq: i128, metrics: Vec<Value>| {
        message(&[
            ("timestamp", int(timestamp)),
            ("metrics", Value::Array(metrics)),
            ("seq", int(seq)),
        ])
    };
    match name {
        "nbirth" => (
            "spBv1.0/plant/NBIRTH/edge1",
            payload(
                1_700_000_000_000,
                0,
                vec![
                    metric(&[
                        ("name", text("bdSeq")),
                        ("datatype", int(4)),
                        ("long_value", int(0)),
                    ]),
                    metric(&[
                        ("name", text("Temperature")),
                        ("alias", int(1)),
                        ("datatype", int(9)),
                        ("float_value", Value::Float(20.5)),
                    ]),
                    metric(&[
                        ("name", text("Running")),
                        ("alias", int(2)),
                        ("datatype", int(11)),
                        ("boolean_value", Value::Bool(true)),
                    ]),
                ],
            ),
        ),
        // Alias-only metrics: the names come from the birth.
        "ndata" => (
            "spBv1.0/plant/NDATA/edge1",
            payload(
                1_700_000_001_000,
                1,
                vec![
                    metric(&[
                        ("name", text("Temperature")),
                        ("alias", int(1)),
                        ("datatype", int(9)),
                        ("float_value", Value::Float(21.0)),
                    ]),
                    metric(&[
                        ("name", text("Running")),
                        ("alias", int(2)),
                        ("datatype", int(11)),
                        ("boolean_value", Value::Bool(false)),
                    ]),
                ],
            ),
        ),
        "dbirth" => (
            "spBv1.0/plant/DBIRTH/edge1/pump",
            payload(
                1_700_000_002_000,
                2,
                vec![metric(&[
                    ("name", text("Pump/Speed")),
                    ("alias", int(3)),
                    ("datatype", int(7)),
                    ("int_value", int(1200)),
                ])],
            ),
        ),
        "ddata" => (
            "spBv1.0/plant/DDATA/edge1/pump",
            payload(
                1_700_000_003_000,
                3,
                vec![metric(&[
                    ("name", text("Pump/Speed")),
                    ("alias", int(3)),
                    ("datatype", int(7)),
                    ("int_value", int(1300)),
                ])],
            ),
        ),
        _ => panic!("proto_vectors.py has sparkplug {name}, which this test does not know"),
    }
}

/// proto_vectors.py's `KIND NAME HEX` lines (an empty message has no hex).
fn python_vectors() -> Vec<(String, String, Vec<u8>)> {
    python("encode", "")
        .lines()
        .map(|line| {
            let mut fields = line.split_whitespace();
            let kind = fields.next().expect("a kind").to_owned();
            let name = fields.next().expect("a name").to_owned();
            (kind, name, vectors::from_hex(fields.next().unwrap_or("")))
        })
        .collect()
}

#[test]
fn python_protobuf_decodes_to_the_same_trees() {
    let schema = schema();
    let mut decoded = 0;
    for (kind, name, bytes) in python_vectors() {
        if kind != "protobuf" {
            continue;
        }
        let (type_name, expected) = protobuf(&name);
        let message = schema.message(type_name).expect("a type of the schema");
        assert_eq!(
            decode(&message, &bytes, Limits::DEFAULT).as_ref(),
            Ok(&expected),
            "{name}"
        );
        decoded += 1;
    }
    assert_eq!(decoded, 5);
}

#[test]
fn python_sparkplug_decodes_with_names_from_the_births() {
    let mut session = Session::default();
    let mut decoded = 0;
    // In the order Python prints them: NBIRTH, NDATA, DBIRTH, DDATA.
    for (kind, name, bytes) in python_vectors() {
        if kind != "sparkplug" {
            continue;
        }
        let (topic, expected) = sparkplug(&name);
        assert_eq!(
            session.observe(topic, &bytes, Limits::DEFAULT).as_ref(),
            Ok(&expected),
            "{name}"
        );
        decoded += 1;
    }
    assert_eq!(decoded, 4);
}

#[test]
fn python_parses_what_this_side_encodes() {
    let schema = schema();
    let mut lines = String::new();
    for name in ["reading", "telemetry", "oneof_error", "empty", "deep_tree"] {
        let (type_name, value) = protobuf(name);
        let message = schema.message(type_name).expect("a type of the schema");
        let bytes = encode(&message, &value, Limits::DEFAULT).expect("encodes");
        lines.push_str(&format!("protobuf {name} {}\n", vectors::to_hex(&bytes)));
    }
    // The app's Sparkplug B publishing: JSON-like trees without sequence numbers, which the
    // session adds per edge node.
    let level = |value: f64| {
        metric(&[
            ("name", text("Level")),
            ("alias", int(7)),
            ("datatype", int(10)),
            ("double_value", Value::Float(value)),
        ])
    };
    let birth = message(&[("metrics", Value::Array(vec![level(0.75)]))]);
    let data = |value: f64| {
        message(&[(
            "metrics",
            Value::Array(vec![metric(&[
                ("alias", int(7)),
                ("double_value", Value::Float(value)),
            ])]),
        )])
    };
    let mut session = Session::default();
    for (name, topic, value) in [
        ("app_nbirth", "spBv1.0/tank/NBIRTH/edge9", birth.clone()),
        ("app_ndata", "spBv1.0/tank/NDATA/edge9", data(0.5)),
        ("app_ndata_again", "spBv1.0/tank/NDATA/edge9", data(0.25)),
        ("app_nbirth_again", "spBv1.0/tank/NBIRTH/edge9", birth),
    ] {
        let bytes = session
            .encode(topic, &value, Limits::DEFAULT)
            .expect("encodes");
        lines.push_str(&format!("sparkplug {name} {}\n", vectors::to_hex(&bytes)));
    }
    assert_eq!(python("check", &lines).trim(), "checked 9");
}
