//! Avro against an independent implementation: Python's `fastavro` with the same `.avsc` files
//! (tests/decoders/avro_vectors.py, installed by scripts/test). Python writes named data, which
//! this side reads and compares with its own statement of them; this side writes named data,
//! which Python reads and compares with its own.

mod vectors;

use payload_decoders::avro::{compile, Schema};
use payload_decoders::{Limits, SchemaFile, Value};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/decoders/avro_vectors.py"
);
const AVRO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/decoders/avro");

fn python(mode: &str, input: &str) -> String {
    vectors::run(SCRIPT, mode, input)
}

fn schema() -> Schema {
    let files: Vec<SchemaFile> = ["telemetry.avsc", "common.avsc"]
        .into_iter()
        .map(|name| SchemaFile {
            name: name.into(),
            text: std::fs::read_to_string(format!("{AVRO}/{name}")).expect("a test schema"),
        })
        .collect();
    compile(&files).expect("the test schema compiles")
}

fn text(text: &str) -> Value {
    Value::Text(text.to_owned())
}

fn record(fields: &[(&str, Value)]) -> Value {
    Value::Map(
        fields
            .iter()
            .map(|(name, value)| (text(name), value.clone()))
            .collect(),
    )
}

fn reading(sensor: &str, value: f64, unit: &str, ok: bool) -> Value {
    record(&[
        ("sensor", text(sensor)),
        ("value", Value::Float(value)),
        ("unit", text(unit)),
        ("ok", Value::Bool(ok)),
    ])
}

fn telemetry(device: &str, error: Value, price: &str, previous: Value) -> Value {
    record(&[
        ("device", text(device)),
        (
            "readings",
            Value::Array(vec![
                reading("t1", 21.5, "KELVIN", true),
                reading("héllo", -0.25, "CELSIUS", false),
            ]),
        ),
        (
            "counters",
            // A map's entries by key, as the tree sorts them.
            record(&[
                ("big", Value::Integer(1 << 40)),
                ("low", Value::Integer(i64::MIN.into())),
                ("n", Value::Integer(3)),
            ]),
        ),
        ("error", error),
        ("id", Value::Bytes(vec![1, 2, 3, 4])),
        ("price", text(price)),
        ("previous", previous),
    ])
}

/// The data avro_vectors.py names, and their types.
fn datum(name: &str) -> (&'static str, Value) {
    match name {
        "reading" => ("demo.Reading", reading("a", 1.5, "CELSIUS", true)),
        "telemetry" => (
            "demo.Telemetry",
            telemetry("pump-1", Value::Null, "12.34", Value::Null),
        ),
        "nested" => (
            "demo.Telemetry",
            telemetry(
                "now",
                Value::Null,
                "12.34",
                telemetry("before", text("late"), "-0.50", Value::Null),
            ),
        ),
        other => panic!("avro_vectors.py names {other}, which this side does not know"),
    }
}

#[test]
fn fastavro_data_read_as_stated() {
    let schema = schema();
    let lines = python("encode", "");
    let mut read = 0;
    for line in lines.lines() {
        let [name, type_name, hex] = line.split(' ').collect::<Vec<_>>()[..] else {
            panic!("a line of three words: {line}")
        };
        let (expected_type, expected) = datum(name);
        assert_eq!(type_name, expected_type);
        assert_eq!(
            schema.decode(type_name, &vectors::from_hex(hex), Limits::DEFAULT),
            Ok(expected),
            "{name}"
        );
        read += 1;
    }
    assert_eq!(read, 3, "{lines}");
}

#[test]
fn our_data_read_in_fastavro() {
    let schema = schema();
    let lines: String = ["reading", "telemetry", "nested"]
        .into_iter()
        .map(|name| {
            let (type_name, value) = datum(name);
            let bytes = schema
                .encode(type_name, &value, Limits::DEFAULT)
                .unwrap_or_else(|error| panic!("{name}: {error:?}"));
            format!("{name} {type_name} {}\n", vectors::to_hex(&bytes))
        })
        .collect();
    assert_eq!(python("check", &lines).trim(), "checked 3");
}
