//! The page and the decoder Worker talk in plain JavaScript values (postMessage's structured
//! clone), written and read here on both sides so they cannot disagree:
//!
//! - a request, page → Worker: `[id, op, format, data, extra]`, `op` 0 to decode the bytes
//!   `data` (a `Uint8Array`), 1 to encode the tree `data` (a node), in the format named
//!   `format`; 2 to compile the `.proto` files `data` (`[name, text, name, text, …]`); 3 and 4
//!   to decode and encode as Protobuf with the schema `extra` (`[message type, files]`); 5 and
//!   6 to decode and encode as Sparkplug B in the session and on the topic `extra`
//!   (`[session, topic]`), 7 to decode as Sparkplug B and learn the message's aliases; 8 to
//!   decode each of the payloads in the array `data` (the message list's and charts' batches:
//!   one message for many payloads), 9 to encode each of the trees in the array `data` (the
//!   periodic publish and the load test);
//! - an answer, Worker → page: `[id, kind, 0, result]` (a node, a `Uint8Array`, the message
//!   types) or `[id, kind, 1, error]`, `kind` 0 decoded, 1 encoded, 2 compiled; `[id, 3, 0,
//!   schema error]` when a schema cannot be used: `[0, file, line, column, message]` (null
//!   where unknown), `[1, message type]` (no such type), `[2, size, limit]` (too large);
//!   for ops 8 and 9 `[id, 4 or 5, 0, [[0, result] or [1, error], …]]`, in order;
//! - a node: `[kind, …]` by [`Kind`] in declaration order: `[0]` null, `[1]` undefined,
//!   `[2, bool]`, `[3, "integer"]` (decimal: wider than a JS number), `[4, float]`,
//!   `[5, text]`, `[6, Uint8Array]`, `[7, [nodes]]`, `[8, [key, value, key, value, …]]`,
//!   `[9, 0 | 1, "tag", node]` (CBOR tag, MessagePack extension), `[10, simple]`;
//! - a decoding error: `[offset, problem, a, b]`; an encoding error: `[[steps], problem, a, b]`,
//!   a step `[0, index]`, `[1, key]`, `[2, entry]` or `[3]` (inside a tag).
//!
//! Reading is defensive (anything else is `None`), and as deep as [`Limits::DEFAULT`] allows.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    integer_text, CompileError, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected,
    FieldType, Format, Kind, Limits, MessageSchema, PathStep, SchemaError, SchemaFile, Tag, Value,
};

/// What the page asks the Worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Decode(Vec<u8>),
    Encode(Value),
    DecodeEach(Vec<Vec<u8>>),
    EncodeEach(Vec<Value>),
    /// Compiles `.proto` files: answered with their message types.
    Compile(Vec<SchemaFile>),
    DecodeMessage {
        schema: MessageSchema,
        payload: Vec<u8>,
    },
    EncodeMessage {
        schema: MessageSchema,
        value: Value,
    },
    /// Decodes a Sparkplug B message of `topic` with the aliases the Worker's `session` (one
    /// per connection) has observed, learning nothing from it.
    DecodeSparkplug {
        session: u32,
        topic: String,
        payload: Vec<u8>,
    },
    /// Decodes a Sparkplug B message as it arrives, the session learning its aliases: the
    /// driver sends every birth and death here in arrival order.
    ObserveSparkplug {
        session: u32,
        topic: String,
        payload: Vec<u8>,
    },
    /// Encodes a Sparkplug B payload to publish on `topic`, its sequence numbers from `session`.
    EncodeSparkplug {
        session: u32,
        topic: String,
        value: Value,
    },
}

/// What the Worker answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Decoded(Result<Value, DecodeError>),
    Encoded(Result<Vec<u8>, EncodeError>),
    DecodedEach(Vec<Result<Value, DecodeError>>),
    EncodedEach(Vec<Result<Vec<u8>, EncodeError>>),
    /// The message types of compiled files, or why they do not compile.
    Compiled(Result<Vec<String>, SchemaError>),
    /// A Protobuf request's schema does not compile or lacks its message type.
    Unusable(SchemaError),
}

fn number(value: &JsValue) -> Option<f64> {
    value.as_f64()
}

fn small(value: &JsValue) -> Option<u64> {
    number(value)
        .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= 9_007_199_254_740_991.0)
        .map(|n| n as u64)
}

fn array(value: &JsValue) -> Option<Array> {
    Array::is_array(value).then(|| Array::from(value))
}

fn bytes(value: &JsValue) -> Option<Vec<u8>> {
    value
        .is_instance_of::<Uint8Array>()
        .then(|| Uint8Array::from(value.clone()).to_vec())
}

fn list(items: impl IntoIterator<Item = JsValue>) -> JsValue {
    items.into_iter().collect::<Array>().into()
}

fn files_to_js(files: &[SchemaFile]) -> JsValue {
    list(
        files
            .iter()
            .flat_map(|file| [file.name.as_str().into(), file.text.as_str().into()]),
    )
}

fn files_from_js(value: &JsValue) -> Option<Vec<SchemaFile>> {
    let flat: Vec<String> = array(value)?
        .iter()
        .map(|item| item.as_string())
        .collect::<Option<_>>()?;
    if !flat.len().is_multiple_of(2) {
        return None;
    }
    Some(
        flat.chunks(2)
            .map(|pair| SchemaFile {
                name: pair[0].clone(),
                text: pair[1].clone(),
            })
            .collect(),
    )
}

fn schema_to_js(schema: &MessageSchema) -> JsValue {
    list([schema.message.as_str().into(), files_to_js(&schema.files)])
}

fn schema_from_js(value: &JsValue) -> Option<MessageSchema> {
    let parts = array(value)?;
    Some(MessageSchema {
        message: parts.get(0).as_string()?,
        files: files_from_js(&parts.get(1))?,
    })
}

fn session_to_js(session: u32, topic: &str) -> JsValue {
    list([session.into(), topic.into()])
}

fn session_from_js(value: &JsValue) -> Option<(u32, String)> {
    let parts = array(value)?;
    Some((
        u32::try_from(small(&parts.get(0))?).ok()?,
        parts.get(1).as_string()?,
    ))
}

fn payload_to_js(payload: &[u8]) -> JsValue {
    Uint8Array::from(payload).into()
}

pub fn request_to_js(id: u32, format: Format, request: &Request) -> JsValue {
    let (op, data, extra) = match request {
        Request::Decode(payload) => (0, payload_to_js(payload), JsValue::NULL),
        Request::Encode(value) => (1, value_to_js(value), JsValue::NULL),
        Request::Compile(files) => (2, files_to_js(files), JsValue::NULL),
        Request::DecodeMessage { schema, payload } => {
            (3, payload_to_js(payload), schema_to_js(schema))
        }
        Request::EncodeMessage { schema, value } => (4, value_to_js(value), schema_to_js(schema)),
        Request::DecodeSparkplug {
            session,
            topic,
            payload,
        } => (5, payload_to_js(payload), session_to_js(*session, topic)),
        Request::EncodeSparkplug {
            session,
            topic,
            value,
        } => (6, value_to_js(value), session_to_js(*session, topic)),
        Request::ObserveSparkplug {
            session,
            topic,
            payload,
        } => (7, payload_to_js(payload), session_to_js(*session, topic)),
        Request::DecodeEach(payloads) => (
            8,
            list(payloads.iter().map(|payload| payload_to_js(payload))),
            JsValue::NULL,
        ),
        Request::EncodeEach(values) => (9, list(values.iter().map(value_to_js)), JsValue::NULL),
    };
    list([id.into(), op.into(), format.name().into(), data, extra])
}

pub fn request_from_js(message: &JsValue) -> Option<(u32, Format, Request)> {
    let parts = array(message)?;
    let id = u32::try_from(small(&parts.get(0))?).ok()?;
    let format = Format::from_name(&parts.get(2).as_string()?)?;
    let (data, extra) = (parts.get(3), parts.get(4));
    let request = match small(&parts.get(1))? {
        0 => Request::Decode(bytes(&data)?),
        1 => Request::Encode(value_from_js(&data)?),
        2 => Request::Compile(files_from_js(&data)?),
        3 => Request::DecodeMessage {
            schema: schema_from_js(&extra)?,
            payload: bytes(&data)?,
        },
        4 => Request::EncodeMessage {
            schema: schema_from_js(&extra)?,
            value: value_from_js(&data)?,
        },
        5 => {
            let (session, topic) = session_from_js(&extra)?;
            Request::DecodeSparkplug {
                session,
                topic,
                payload: bytes(&data)?,
            }
        }
        6 => {
            let (session, topic) = session_from_js(&extra)?;
            Request::EncodeSparkplug {
                session,
                topic,
                value: value_from_js(&data)?,
            }
        }
        7 => {
            let (session, topic) = session_from_js(&extra)?;
            Request::ObserveSparkplug {
                session,
                topic,
                payload: bytes(&data)?,
            }
        }
        8 => Request::DecodeEach(
            array(&data)?
                .iter()
                .map(|payload| bytes(&payload))
                .collect::<Option<_>>()?,
        ),
        9 => Request::EncodeEach(
            array(&data)?
                .iter()
                .map(|value| value_from_js(&value))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    };
    Some((id, format, request))
}

fn optional_number(value: Option<u32>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from)
}

pub fn schema_error_to_js(error: &SchemaError) -> JsValue {
    match error {
        SchemaError::Compile(error) => list([
            0.into(),
            error
                .file
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str),
            optional_number(error.line),
            optional_number(error.column),
            error.message.as_str().into(),
        ]),
        SchemaError::NoSuchMessage(name) => list([1.into(), name.as_str().into()]),
        SchemaError::TooLarge { size, limit } => {
            list([2.into(), (*size as f64).into(), (*limit as f64).into()])
        }
    }
}

pub fn schema_error_from_js(value: &JsValue) -> Option<SchemaError> {
    let parts = array(value)?;
    let line = |value: JsValue| match value.is_null() {
        true => Some(None),
        false => u32::try_from(small(&value)?).ok().map(Some),
    };
    Some(match small(&parts.get(0))? {
        0 => SchemaError::Compile(CompileError {
            file: match parts.get(1) {
                file if file.is_null() => None,
                file => Some(file.as_string()?),
            },
            line: line(parts.get(2))?,
            column: line(parts.get(3))?,
            message: parts.get(4).as_string()?,
        }),
        1 => SchemaError::NoSuchMessage(parts.get(1).as_string()?),
        2 => SchemaError::TooLarge {
            size: small(&parts.get(1))? as usize,
            limit: small(&parts.get(2))? as usize,
        },
        _ => return None,
    })
}

pub fn answer_to_js(id: u32, answer: &Answer) -> JsValue {
    let (op, failed, data) = match answer {
        Answer::Decoded(Ok(value)) => (0, 0, value_to_js(value)),
        Answer::Decoded(Err(error)) => (0, 1, decode_error_to_js(error)),
        Answer::Encoded(Ok(bytes)) => (1, 0, Uint8Array::from(bytes.as_slice()).into()),
        Answer::Encoded(Err(error)) => (1, 1, encode_error_to_js(error)),
        Answer::Compiled(Ok(types)) => (2, 0, list(types.iter().map(|name| name.into()))),
        Answer::Compiled(Err(error)) => (2, 1, schema_error_to_js(error)),
        Answer::Unusable(error) => (3, 0, schema_error_to_js(error)),
        Answer::DecodedEach(results) => {
            (4, 0, each_to_js(results, value_to_js, decode_error_to_js))
        }
        Answer::EncodedEach(results) => (
            5,
            0,
            each_to_js(
                results,
                |bytes| Uint8Array::from(bytes.as_slice()).into(),
                encode_error_to_js,
            ),
        ),
    };
    list([id.into(), op.into(), failed.into(), data])
}

pub fn answer_from_js(message: &JsValue) -> Option<(u32, Answer)> {
    let parts = array(message)?;
    let id = u32::try_from(small(&parts.get(0))?).ok()?;
    let data = parts.get(3);
    let answer = match (small(&parts.get(1))?, small(&parts.get(2))?) {
        (0, 0) => Answer::Decoded(Ok(value_from_js(&data)?)),
        (0, 1) => Answer::Decoded(Err(decode_error_from_js(&data)?)),
        (1, 0) => Answer::Encoded(Ok(bytes(&data)?)),
        (1, 1) => Answer::Encoded(Err(encode_error_from_js(&data)?)),
        (2, 0) => Answer::Compiled(Ok(array(&data)?
            .iter()
            .map(|name| name.as_string())
            .collect::<Option<_>>()?)),
        (2, 1) => Answer::Compiled(Err(schema_error_from_js(&data)?)),
        (3, 0) => Answer::Unusable(schema_error_from_js(&data)?),
        (4, 0) => Answer::DecodedEach(each_from_js(&data, value_from_js, decode_error_from_js)?),
        (5, 0) => Answer::EncodedEach(each_from_js(&data, bytes, encode_error_from_js)?),
        _ => return None,
    };
    Some((id, answer))
}

/// Results in order, each `[0, result]` or `[1, error]`.
fn each_to_js<T, E>(
    results: &[Result<T, E>],
    ok: impl Fn(&T) -> JsValue,
    err: impl Fn(&E) -> JsValue,
) -> JsValue {
    list(results.iter().map(|result| match result {
        Ok(value) => list([0.into(), ok(value)]),
        Err(error) => list([1.into(), err(error)]),
    }))
}

fn each_from_js<T, E>(
    data: &JsValue,
    ok: impl Fn(&JsValue) -> Option<T>,
    err: impl Fn(&JsValue) -> Option<E>,
) -> Option<Vec<Result<T, E>>> {
    array(data)?
        .iter()
        .map(|result| {
            let parts = array(&result)?;
            Some(match small(&parts.get(0))? {
                0 => Ok(ok(&parts.get(1))?),
                1 => Err(err(&parts.get(1))?),
                _ => return None,
            })
        })
        .collect()
}

fn kind_code(kind: Kind) -> u8 {
    kind as u8
}

pub fn value_to_js(value: &Value) -> JsValue {
    let kind = kind_code(value.kind()).into();
    match value {
        Value::Null | Value::Undefined => list([kind]),
        Value::Bool(bool) => list([kind, (*bool).into()]),
        Value::Integer(integer) => list([kind, integer_text(*integer).into()]),
        Value::Float(float) => list([kind, (*float).into()]),
        Value::Text(text) => list([kind, text.into()]),
        Value::Bytes(bytes) => list([kind, Uint8Array::from(bytes.as_slice()).into()]),
        Value::Array(items) => list([kind, list(items.iter().map(value_to_js))]),
        Value::Map(entries) => list([
            kind,
            list(
                entries
                    .iter()
                    .flat_map(|(key, item)| [value_to_js(key), value_to_js(item)]),
            ),
        ]),
        Value::Tagged { tag, value } => {
            let (which, number) = match tag {
                Tag::Cbor(number) => (0, number.to_string()),
                Tag::Extension(extension) => (1, extension.to_string()),
            };
            list([kind, which.into(), number.into(), value_to_js(value)])
        }
        Value::Simple(simple) => list([kind, (*simple).into()]),
    }
}

pub fn value_from_js(node: &JsValue) -> Option<Value> {
    node_from_js(node, 0)
}

fn node_from_js(node: &JsValue, depth: usize) -> Option<Value> {
    if depth > Limits::DEFAULT.max_depth {
        return None;
    }
    let parts = array(node)?;
    let data = parts.get(1);
    let child = |node: JsValue| node_from_js(&node, depth + 1);
    Some(match small(&parts.get(0))? {
        0 => Value::Null,
        1 => Value::Undefined,
        2 => Value::Bool(data.as_bool()?),
        3 => Value::Integer(data.as_string()?.parse().ok()?),
        4 => Value::Float(number(&data)?),
        5 => Value::Text(data.as_string()?),
        6 => Value::Bytes(bytes(&data)?),
        7 => Value::Array(array(&data)?.iter().map(child).collect::<Option<_>>()?),
        8 => {
            let flat: Vec<Value> = array(&data)?.iter().map(child).collect::<Option<_>>()?;
            if !flat.len().is_multiple_of(2) {
                return None;
            }
            let mut entries = Vec::with_capacity(flat.len() / 2);
            let mut flat = flat.into_iter();
            while let (Some(key), Some(item)) = (flat.next(), flat.next()) {
                entries.push((key, item));
            }
            Value::Map(entries)
        }
        9 => {
            let number = parts.get(2).as_string()?;
            let tag = match small(&data)? {
                0 => Tag::Cbor(number.parse().ok()?),
                1 => Tag::Extension(number.parse().ok()?),
                _ => return None,
            };
            Value::Tagged {
                tag,
                value: Box::new(child(parts.get(3))?),
            }
        }
        10 => Value::Simple(u8::try_from(small(&data)?).ok()?),
        _ => return None,
    })
}

fn expected_code(expected: Expected) -> u8 {
    expected as u8
}

fn expected_from(code: u64) -> Option<Expected> {
    [
        Expected::Value,
        Expected::Argument,
        Expected::Content,
        Expected::Chunk,
        Expected::Field,
    ]
    .into_iter()
    .find(|expected| u64::from(expected_code(*expected)) == code)
}

pub fn decode_error_to_js(error: &DecodeError) -> JsValue {
    let (code, a, b): (u8, JsValue, JsValue) = match error.problem {
        DecodeProblem::End { expected } => (0, expected_code(expected).into(), JsValue::NULL),
        DecodeProblem::Byte { found, expected } => {
            (1, found.into(), expected_code(expected).into())
        }
        DecodeProblem::InvalidUtf8 => (2, JsValue::NULL, JsValue::NULL),
        DecodeProblem::TrailingBytes { count } => (3, (count as f64).into(), JsValue::NULL),
        DecodeProblem::LengthBeyondPayload { length, remaining } => {
            (4, length.to_string().into(), (remaining as f64).into())
        }
        DecodeProblem::TooDeep { limit } => (5, (limit as f64).into(), JsValue::NULL),
        DecodeProblem::TooManyNodes { limit } => (6, (limit as f64).into(), JsValue::NULL),
        DecodeProblem::WireType { field, wire_type } => (7, field.into(), wire_type.into()),
        DecodeProblem::NotTheMessage => (8, JsValue::NULL, JsValue::NULL),
        DecodeProblem::NoSchema => (9, JsValue::NULL, JsValue::NULL),
        DecodeProblem::IndexOutOfRange { index, count } => {
            (10, index.to_string().into(), (count as f64).into())
        }
    };
    list([(error.offset as f64).into(), code.into(), a, b])
}

pub fn decode_error_from_js(error: &JsValue) -> Option<DecodeError> {
    let parts = array(error)?;
    let (a, b) = (parts.get(2), parts.get(3));
    let size = |value: &JsValue| small(value).map(|n| n as usize);
    let problem = match small(&parts.get(1))? {
        0 => DecodeProblem::End {
            expected: expected_from(small(&a)?)?,
        },
        1 => DecodeProblem::Byte {
            found: u8::try_from(small(&a)?).ok()?,
            expected: expected_from(small(&b)?)?,
        },
        2 => DecodeProblem::InvalidUtf8,
        3 => DecodeProblem::TrailingBytes { count: size(&a)? },
        4 => DecodeProblem::LengthBeyondPayload {
            length: a.as_string()?.parse().ok()?,
            remaining: size(&b)?,
        },
        5 => DecodeProblem::TooDeep { limit: size(&a)? },
        6 => DecodeProblem::TooManyNodes { limit: size(&a)? },
        7 => DecodeProblem::WireType {
            field: u32::try_from(small(&a)?).ok()?,
            wire_type: u8::try_from(small(&b)?).ok()?,
        },
        8 => DecodeProblem::NotTheMessage,
        9 => DecodeProblem::NoSchema,
        10 => DecodeProblem::IndexOutOfRange {
            index: a.as_string()?.parse().ok()?,
            count: size(&b)?,
        },
        _ => return None,
    };
    Some(DecodeError {
        offset: size(&parts.get(0))?,
        problem,
    })
}

pub fn encode_error_to_js(error: &EncodeError) -> JsValue {
    let steps = list(error.path.iter().map(|step| match step {
        PathStep::Index(index) => list([0.into(), (*index as f64).into()]),
        PathStep::Key(key) => list([1.into(), key.into()]),
        PathStep::Entry(entry) => list([2.into(), (*entry as f64).into()]),
        PathStep::Tagged => list([3.into()]),
    }));
    let none = JsValue::NULL;
    let (code, a, b): (u8, JsValue, JsValue) = match error.problem {
        EncodeProblem::IntegerOutOfRange => (0, none.clone(), none),
        EncodeProblem::NotInFormat { kind } => (1, kind_code(kind).into(), none),
        EncodeProblem::ReservedSimple { value } => (2, value.into(), none),
        EncodeProblem::TooLong => (3, none.clone(), none),
        EncodeProblem::TooDeep { limit } => (4, (limit as f64).into(), none),
        EncodeProblem::NoSuchField => (5, none.clone(), none),
        EncodeProblem::FieldType { expected, found } => {
            (6, (expected as u8).into(), kind_code(found).into())
        }
        EncodeProblem::NoSuchEnumValue => (7, none.clone(), none),
        EncodeProblem::InvalidBase64 => (8, none.clone(), none),
        EncodeProblem::NoSchema => (9, none.clone(), none),
        EncodeProblem::MissingField => (10, none.clone(), none),
        EncodeProblem::WrongSize { expected, found } => {
            (11, (expected as f64).into(), (found as f64).into())
        }
    };
    list([steps, code.into(), a, b])
}

const KINDS: [Kind; 11] = [
    Kind::Null,
    Kind::Undefined,
    Kind::Bool,
    Kind::Integer,
    Kind::Float,
    Kind::Text,
    Kind::Bytes,
    Kind::Array,
    Kind::Map,
    Kind::Tagged,
    Kind::Simple,
];

pub fn encode_error_from_js(error: &JsValue) -> Option<EncodeError> {
    let parts = array(error)?;
    let path = array(&parts.get(0))?
        .iter()
        .map(|step| {
            let step = array(&step)?;
            let data = step.get(1);
            Some(match small(&step.get(0))? {
                0 => PathStep::Index(small(&data)? as usize),
                1 => PathStep::Key(data.as_string()?),
                2 => PathStep::Entry(small(&data)? as usize),
                3 => PathStep::Tagged,
                _ => return None,
            })
        })
        .collect::<Option<_>>()?;
    let (a, b) = (parts.get(2), parts.get(3));
    let problem = match small(&parts.get(1))? {
        0 => EncodeProblem::IntegerOutOfRange,
        1 => EncodeProblem::NotInFormat {
            kind: *KINDS.get(small(&a)? as usize)?,
        },
        2 => EncodeProblem::ReservedSimple {
            value: u8::try_from(small(&a)?).ok()?,
        },
        3 => EncodeProblem::TooLong,
        4 => EncodeProblem::TooDeep {
            limit: small(&a)? as usize,
        },
        5 => EncodeProblem::NoSuchField,
        6 => EncodeProblem::FieldType {
            expected: *FieldType::ALL.get(small(&a)? as usize)?,
            found: *KINDS.get(small(&b)? as usize)?,
        },
        7 => EncodeProblem::NoSuchEnumValue,
        8 => EncodeProblem::InvalidBase64,
        9 => EncodeProblem::NoSchema,
        10 => EncodeProblem::MissingField,
        11 => EncodeProblem::WrongSize {
            expected: small(&a)? as usize,
            found: small(&b)? as usize,
        },
        _ => return None,
    };
    Some(EncodeError { path, problem })
}
