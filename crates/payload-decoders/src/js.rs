//! The page and the decoder Worker talk in plain JavaScript values (postMessage's structured
//! clone), written and read here on both sides so they cannot disagree:
//!
//! - a request, page → Worker: `[id, op, format, data]`, `op` 0 to decode the bytes `data`
//!   (a `Uint8Array`), 1 to encode the tree `data` (a node), 2 to decode each of the
//!   payloads in the array `data` (the message list's and charts' batches: one message for
//!   many payloads), 3 to encode each of the trees in the array `data` (the periodic publish
//!   and the load test), in the format named `format`;
//! - an answer, Worker → page: `[id, op, 0, result]` (a node or a `Uint8Array`) or
//!   `[id, op, 1, error]`; for ops 2 and 3 `[id, op, 0, [[0, result] or [1, error], …]]`, in
//!   order;
//! - a node: `[kind, …]` by [`Kind`] in declaration order: `[0]` null, `[1]` undefined,
//!   `[2, bool]`, `[3, "integer"]` (decimal: wider than a JS number), `[4, float]`,
//!   `[5, text]`, `[6, Uint8Array]`, `[7, [nodes]]`, `[8, [key, value, key, value, …]]`,
//!   `[9, 0 | 1, "tag", node]` (CBOR tag, MessagePack extension), `[10, simple]`;
//! - a decoding error: `[offset, problem, a, b]`; an encoding error: `[[steps], problem, a]`,
//!   a step `[0, index]`, `[1, key]`, `[2, entry]` or `[3]` (inside a tag).
//!
//! Reading is defensive (anything else is `None`), and as deep as [`Limits::DEFAULT`] allows.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    integer_text, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected, Format, Kind,
    Limits, PathStep, Tag, Value,
};

/// What the page asks the Worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Decode(Vec<u8>),
    Encode(Value),
    DecodeEach(Vec<Vec<u8>>),
    EncodeEach(Vec<Value>),
}

/// What the Worker answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Decoded(Result<Value, DecodeError>),
    Encoded(Result<Vec<u8>, EncodeError>),
    DecodedEach(Vec<Result<Value, DecodeError>>),
    EncodedEach(Vec<Result<Vec<u8>, EncodeError>>),
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

pub fn request_to_js(id: u32, format: Format, request: &Request) -> JsValue {
    let (op, data) = match request {
        Request::Decode(payload) => (0, Uint8Array::from(payload.as_slice()).into()),
        Request::Encode(value) => (1, value_to_js(value)),
        Request::DecodeEach(payloads) => (
            2,
            list(
                payloads
                    .iter()
                    .map(|payload| Uint8Array::from(payload.as_slice()).into()),
            ),
        ),
        Request::EncodeEach(values) => (3, list(values.iter().map(value_to_js))),
    };
    list([id.into(), op.into(), format.name().into(), data])
}

pub fn request_from_js(message: &JsValue) -> Option<(u32, Format, Request)> {
    let parts = array(message)?;
    let id = u32::try_from(small(&parts.get(0))?).ok()?;
    let format = Format::from_name(&parts.get(2).as_string()?)?;
    let request = match small(&parts.get(1))? {
        0 => Request::Decode(bytes(&parts.get(3))?),
        1 => Request::Encode(value_from_js(&parts.get(3))?),
        2 => Request::DecodeEach(
            array(&parts.get(3))?
                .iter()
                .map(|payload| bytes(&payload))
                .collect::<Option<_>>()?,
        ),
        3 => Request::EncodeEach(
            array(&parts.get(3))?
                .iter()
                .map(|value| value_from_js(&value))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    };
    Some((id, format, request))
}

pub fn answer_to_js(id: u32, answer: &Answer) -> JsValue {
    let (op, failed, data) = match answer {
        Answer::Decoded(Ok(value)) => (0, 0, value_to_js(value)),
        Answer::Decoded(Err(error)) => (0, 1, decode_error_to_js(error)),
        Answer::Encoded(Ok(bytes)) => (1, 0, Uint8Array::from(bytes.as_slice()).into()),
        Answer::Encoded(Err(error)) => (1, 1, encode_error_to_js(error)),
        Answer::DecodedEach(results) => {
            (2, 0, each_to_js(results, value_to_js, decode_error_to_js))
        }
        Answer::EncodedEach(results) => (
            3,
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
        (2, 0) => Answer::DecodedEach(each_from_js(&data, value_from_js, decode_error_from_js)?),
        (3, 0) => Answer::EncodedEach(each_from_js(&data, bytes, encode_error_from_js)?),
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
    let (code, a): (u8, JsValue) = match error.problem {
        EncodeProblem::IntegerOutOfRange => (0, JsValue::NULL),
        EncodeProblem::NotInFormat { kind } => (1, kind_code(kind).into()),
        EncodeProblem::ReservedSimple { value } => (2, value.into()),
        EncodeProblem::TooLong => (3, JsValue::NULL),
        EncodeProblem::TooDeep { limit } => (4, (limit as f64).into()),
    };
    list([steps, code.into(), a])
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
    let a = parts.get(2);
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
        _ => return None,
    };
    Some(EncodeError { path, problem })
}
