//! Hostile and malformed payloads end in typed errors at the right offset, within the limits;
//! encoding errors name the field.

use payload_decoders::{
    decode, encode, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected, Format, Kind,
    Limits, PathStep, Tag, Value,
};

fn cbor(bytes: &[u8]) -> Result<Value, DecodeError> {
    decode(Format::Cbor, bytes, Limits::DEFAULT)
}

fn msgpack(bytes: &[u8]) -> Result<Value, DecodeError> {
    decode(Format::MessagePack, bytes, Limits::DEFAULT)
}

fn error(offset: usize, problem: DecodeProblem) -> Result<Value, DecodeError> {
    Err(DecodeError { offset, problem })
}

fn text(text: &str) -> Value {
    Value::Text(text.to_owned())
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let limit = Limits::DEFAULT.max_depth;
    for (format, array) in [(Format::Cbor, 0x81), (Format::MessagePack, 0x91)] {
        let mut deep = vec![array; 100_000];
        deep.push(0);
        assert_eq!(
            decode(format, &deep, Limits::DEFAULT),
            error(limit + 1, DecodeProblem::TooDeep { limit }),
            "{format:?}"
        );
        // Just within the limit, it decodes.
        let within = [vec![array; limit], vec![0]].concat();
        assert!(
            decode(format, &within, Limits::DEFAULT).is_ok(),
            "{format:?}"
        );
    }
    // CBOR tags nest too.
    let tags = [vec![0xc1; 1000], vec![0]].concat();
    assert_eq!(
        cbor(&tags),
        error(limit + 1, DecodeProblem::TooDeep { limit })
    );
}

#[test]
fn lengths_beyond_the_payload_allocate_nothing() {
    // An array of 2⁶⁴−1 items, a map of 2³²−1 entries, in a few bytes.
    assert_eq!(
        cbor(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]),
        error(
            0,
            DecodeProblem::LengthBeyondPayload {
                length: u64::MAX,
                remaining: 1
            }
        )
    );
    assert_eq!(
        msgpack(&[0xdf, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]),
        error(
            0,
            DecodeProblem::LengthBeyondPayload {
                length: u64::from(u32::MAX),
                remaining: 2
            }
        )
    );
    // Two map entries need four bytes at least.
    assert_eq!(
        cbor(&[0xa2, 0x01, 0x02, 0x03]),
        error(
            0,
            DecodeProblem::LengthBeyondPayload {
                length: 2,
                remaining: 3
            }
        )
    );
    // Strings longer than what is left.
    let content = DecodeProblem::End {
        expected: Expected::Content,
    };
    assert_eq!(
        cbor(&[0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, b'a']).map_err(|e| e.problem),
        Err(content)
    );
    assert_eq!(
        msgpack(&[0xc6, 0xff, 0xff, 0xff, 0xff, 0x00]),
        error(0, content)
    );
    assert_eq!(msgpack(&[0xc7, 0x09, 0x05, 0x00]), error(0, content));
}

#[test]
fn too_many_nodes_stop_at_the_node_limit() {
    let limits = Limits {
        max_depth: 8,
        max_nodes: 10,
    };
    let array = [vec![0x8a], vec![0; 10]].concat();
    assert_eq!(
        decode(Format::Cbor, &array, limits),
        error(10, DecodeProblem::TooManyNodes { limit: 10 })
    );
    let array = [vec![0x99], vec![0; 9]].concat();
    assert!(decode(Format::MessagePack, &array, limits).is_ok());
}

#[test]
fn truncated_and_trailing_bytes_are_located() {
    let argument = DecodeProblem::End {
        expected: Expected::Argument,
    };
    let value = DecodeProblem::End {
        expected: Expected::Value,
    };
    assert_eq!(cbor(&[]), error(0, value));
    assert_eq!(msgpack(&[]), error(0, value));
    assert_eq!(
        cbor(&[0x82, 0x01, 0x19, 0x01])
            .map(drop)
            .unwrap_err()
            .problem,
        argument
    );
    assert_eq!(msgpack(&[0x92, 0x01, 0xcd, 0x01]), error(2, argument));
    assert_eq!(cbor(&[0x9f, 0x01]), error(2, value));
    assert_eq!(
        msgpack(&[0x91]),
        error(
            0,
            DecodeProblem::LengthBeyondPayload {
                length: 1,
                remaining: 0
            }
        )
    );
    assert_eq!(
        cbor(&[0x01, 0x02, 0x03]),
        error(1, DecodeProblem::TrailingBytes { count: 2 })
    );
    assert_eq!(
        msgpack(&[0xc0, 0xc0]),
        error(1, DecodeProblem::TrailingBytes { count: 1 })
    );
}

#[test]
fn bytes_that_begin_no_value_are_named() {
    let byte = |found| DecodeProblem::Byte {
        found,
        expected: Expected::Value,
    };
    // Reserved initial bytes, and a break outside an indefinite-length item.
    assert_eq!(cbor(&[0x1c]), error(0, byte(0x1c)));
    assert_eq!(cbor(&[0x82, 0x00, 0xff]), error(2, byte(0xff)));
    assert_eq!(msgpack(&[0x91, 0xc1]), error(1, byte(0xc1)));
    // The two-byte simple value form below 32 is not well-formed.
    assert_eq!(
        cbor(&[0xf8, 0x14]),
        error(
            1,
            DecodeProblem::Byte {
                found: 0x14,
                expected: Expected::Argument
            }
        )
    );
}

#[test]
fn text_must_be_utf8() {
    assert_eq!(
        cbor(&[0x82, 0x00, 0x62, 0xc3, 0x28]).map_err(|e| e.problem),
        Err(DecodeProblem::InvalidUtf8)
    );
    assert_eq!(
        msgpack(&[0x92, 0x00, 0xa2, 0xc3, 0x28]),
        error(2, DecodeProblem::InvalidUtf8)
    );
}

#[test]
fn indefinite_lengths_decode_and_their_chunks_are_checked() {
    // [_ 1, {_ "a": h'01' (_ h'02', h'03')}, (_ "x", "yz")]
    let bytes = [
        0x9f, 0x01, 0xbf, 0x61, b'a', 0x5f, 0x41, 0x02, 0x41, 0x03, 0xff, 0xff, 0x7f, 0x61, b'x',
        0x62, b'y', b'z', 0xff, 0xff,
    ];
    assert_eq!(
        cbor(&bytes),
        Ok(Value::Array(vec![
            Value::Integer(1),
            Value::Map(vec![(text("a"), Value::Bytes(vec![2, 3]))]),
            text("xyz"),
        ]))
    );
    // A text chunk inside indefinite bytes.
    assert_eq!(
        cbor(&[0x5f, 0x61, b'a', 0xff]),
        error(
            1,
            DecodeProblem::Byte {
                found: 0x61,
                expected: Expected::Chunk
            }
        )
    );
    // No break before the end.
    assert_eq!(
        cbor(&[0x9f, 0x01]),
        error(
            2,
            DecodeProblem::End {
                expected: Expected::Value
            }
        )
    );
}

#[test]
fn encoding_errors_name_the_field() {
    let value = Value::Map(vec![
        (text("ok"), Value::Bool(true)),
        (
            text("readings"),
            Value::Array(vec![Value::Integer(1), Value::Undefined]),
        ),
    ]);
    assert_eq!(
        encode(Format::MessagePack, &value, Limits::DEFAULT),
        Err(EncodeError {
            path: vec![PathStep::Key("readings".to_owned()), PathStep::Index(1)],
            problem: EncodeProblem::NotInFormat {
                kind: Kind::Undefined
            },
        })
    );
    assert!(encode(Format::Cbor, &value, Limits::DEFAULT).is_ok());

    let big = Value::Array(vec![Value::Integer(-(1 << 64))]);
    assert_eq!(
        encode(Format::MessagePack, &big, Limits::DEFAULT),
        Err(EncodeError {
            path: vec![PathStep::Index(0)],
            problem: EncodeProblem::IntegerOutOfRange,
        })
    );
    assert!(encode(Format::Cbor, &big, Limits::DEFAULT).is_ok());
    let huge = Value::Map(vec![(Value::Integer(7), Value::Integer(-(1 << 64) - 1))]);
    assert_eq!(
        encode(Format::Cbor, &huge, Limits::DEFAULT),
        Err(EncodeError {
            path: vec![PathStep::Entry(0)],
            problem: EncodeProblem::IntegerOutOfRange,
        })
    );

    let extension = Value::Tagged {
        tag: Tag::Extension(1),
        value: Box::new(Value::Bytes(vec![1])),
    };
    assert_eq!(
        encode(Format::Cbor, &extension, Limits::DEFAULT).map_err(|e| e.problem),
        Err(EncodeProblem::NotInFormat { kind: Kind::Tagged })
    );
    assert_eq!(
        encode(Format::Cbor, &Value::Simple(21), Limits::DEFAULT).map_err(|e| e.problem),
        Err(EncodeProblem::ReservedSimple { value: 21 })
    );

    let mut deep = Value::Null;
    for _ in 0..=Limits::DEFAULT.max_depth {
        deep = Value::Array(vec![deep]);
    }
    for format in [Format::Cbor, Format::MessagePack] {
        let problem = encode(format, &deep, Limits::DEFAULT).map_err(|e| e.problem);
        assert_eq!(
            problem,
            Err(EncodeProblem::TooDeep {
                limit: Limits::DEFAULT.max_depth
            })
        );
    }
}

#[test]
fn values_round_trip_in_both_formats() {
    let value = Value::Map(vec![
        (text("n"), Value::Integer(-1)),
        (text("f"), Value::Float(f64::NAN)),
        (Value::Integer(3), Value::Bytes(vec![0; 300])),
        (text("list"), Value::Array(vec![Value::Null; 20])),
        (text("s"), text(&"x".repeat(70_000))),
    ]);
    for format in [Format::Cbor, Format::MessagePack] {
        let bytes = encode(format, &value, Limits::DEFAULT).expect("encodes");
        assert_eq!(decode(format, &bytes, Limits::DEFAULT), Ok(value.clone()));
    }
    // Integers take the shortest form.
    assert_eq!(
        encode(Format::MessagePack, &Value::Integer(-1), Limits::DEFAULT),
        Ok(vec![0xff])
    );
    assert_eq!(
        encode(Format::Cbor, &Value::Integer(500), Limits::DEFAULT),
        Ok(vec![0x19, 0x01, 0xf4])
    );
}
