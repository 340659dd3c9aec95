//! CBOR (RFC 8949) with `minicbor`: its decoder reads each item, this module builds the tree
//! within the limits; its encoder writes the tree back.

use minicbor::data::Type;
use minicbor::decode::{Decoder, Error};
use minicbor::encode::Encoder;

use crate::{
    Budget, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected, Limits, Path,
    PathStep, Tag, Value,
};

/// The CBOR "break" byte that ends an indefinite-length item.
const BREAK: u8 = 0xff;

pub(crate) fn decode(payload: &[u8], limits: Limits) -> Result<Value, DecodeError> {
    let mut reader = Reader {
        payload,
        decoder: Decoder::new(payload),
        budget: Budget::new(limits),
    };
    let value = reader.item(0)?;
    let end = reader.decoder.position();
    if end < payload.len() {
        return Err(DecodeError {
            offset: end,
            problem: DecodeProblem::TrailingBytes {
                count: payload.len() - end,
            },
        });
    }
    Ok(value)
}

struct Reader<'b> {
    payload: &'b [u8],
    decoder: Decoder<'b>,
    budget: Budget,
}

impl<'b> Reader<'b> {
    fn remaining(&self) -> usize {
        self.payload.len() - self.decoder.position()
    }

    /// Whether the next byte is a break (consumed if so), inside an indefinite-length item.
    fn at_break(&mut self) -> Result<bool, DecodeError> {
        let offset = self.decoder.position();
        match self.payload.get(offset) {
            None => Err(DecodeError {
                offset,
                problem: DecodeProblem::End {
                    expected: Expected::Value,
                },
            }),
            Some(&BREAK) => {
                self.decoder.set_position(offset + 1);
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }

    fn item(&mut self, depth: usize) -> Result<Value, DecodeError> {
        let offset = self.decoder.position();
        let first = DecodeError::value_start(self.payload, offset)?;
        self.budget.node(offset, depth)?;
        let payload = self.payload;
        let argument = |error: Error| fail(payload, offset, &error, Expected::Argument);
        let datatype = self.decoder.datatype().map_err(argument)?;
        Ok(match datatype {
            Type::Bool => Value::Bool(self.decoder.bool().map_err(argument)?),
            Type::Null => {
                self.decoder.null().map_err(argument)?;
                Value::Null
            }
            Type::Undefined => {
                self.decoder.undefined().map_err(argument)?;
                Value::Undefined
            }
            Type::U8
            | Type::U16
            | Type::U32
            | Type::U64
            | Type::I8
            | Type::I16
            | Type::I32
            | Type::I64
            | Type::Int => Value::Integer(self.decoder.i128().map_err(argument)?),
            Type::F16 => Value::Float(f64::from(self.decoder.f16().map_err(argument)?)),
            Type::F32 => Value::Float(f64::from(self.decoder.f32().map_err(argument)?)),
            Type::F64 => Value::Float(self.decoder.f64().map_err(argument)?),
            Type::Simple => {
                let simple = self.decoder.simple().map_err(argument)?;
                // RFC 8949 §3.3: the two-byte form below 32 is not well-formed.
                if first == 0xf8 && simple < 32 {
                    return Err(DecodeError {
                        offset: offset + 1,
                        problem: DecodeProblem::Byte {
                            found: simple,
                            expected: Expected::Argument,
                        },
                    });
                }
                Value::Simple(simple)
            }
            Type::Bytes | Type::BytesIndef => {
                let mut bytes = Vec::new();
                let chunks = self.decoder.bytes_iter().map_err(argument)?;
                joined(chunks, |chunk| bytes.extend_from_slice(chunk)).map_err(|error| {
                    fail(payload, offset, &error, chunk_or_content(datatype, &error))
                })?;
                Value::Bytes(bytes)
            }
            Type::String | Type::StringIndef => {
                let mut text = String::new();
                let chunks = self.decoder.str_iter().map_err(argument)?;
                joined(chunks, |chunk| text.push_str(chunk)).map_err(|error| {
                    fail(payload, offset, &error, chunk_or_content(datatype, &error))
                })?;
                Value::Text(text)
            }
            Type::Array | Type::ArrayIndef => {
                let length = self.decoder.array().map_err(argument)?;
                let mut items = Vec::new();
                match length {
                    Some(length) => {
                        let capacity =
                            self.budget
                                .collection(offset, length, 1, self.remaining())?;
                        items.reserve_exact(capacity);
                        for _ in 0..length {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                    None => {
                        while !self.at_break()? {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                }
                Value::Array(items)
            }
            Type::Map | Type::MapIndef => {
                let length = self.decoder.map().map_err(argument)?;
                let mut entries = Vec::new();
                match length {
                    Some(length) => {
                        let capacity =
                            self.budget
                                .collection(offset, length, 2, self.remaining())?;
                        entries.reserve_exact(capacity);
                        for _ in 0..length {
                            let key = self.item(depth + 1)?;
                            entries.push((key, self.item(depth + 1)?));
                        }
                    }
                    None => {
                        while !self.at_break()? {
                            let key = self.item(depth + 1)?;
                            entries.push((key, self.item(depth + 1)?));
                        }
                    }
                }
                Value::Map(entries)
            }
            Type::Tag => {
                let tag = self.decoder.tag().map_err(argument)?;
                Value::Tagged {
                    tag: Tag::Cbor(tag.as_u64()),
                    value: Box::new(self.item(depth + 1)?),
                }
            }
            Type::Break | Type::Unknown(_) => {
                return Err(DecodeError {
                    offset,
                    problem: DecodeProblem::Byte {
                        found: first,
                        expected: Expected::Value,
                    },
                })
            }
        })
    }
}

/// A `minicbor` error on the item at `offset`, where `expected` was to be read.
fn fail(payload: &[u8], offset: usize, error: &Error, expected: Expected) -> DecodeError {
    let offset = error.position().unwrap_or(offset);
    let problem = match payload.get(offset) {
        _ if error.is_end_of_input() => DecodeProblem::End { expected },
        Some(&found) if error.is_type_mismatch() => DecodeProblem::Byte { found, expected },
        // What else `minicbor` reports on text is its UTF-8 check.
        Some(_) if expected == Expected::Content => DecodeProblem::InvalidUtf8,
        Some(&found) => DecodeProblem::Byte { found, expected },
        None => DecodeProblem::End { expected },
    };
    DecodeError { offset, problem }
}

/// Feeds each chunk of a byte or text string (one for a definite length, any number for an
/// indefinite one) to `push`; the first bad chunk's error ends it.
fn joined<'b, T: ?Sized + 'b>(
    chunks: impl Iterator<Item = Result<&'b T, Error>>,
    mut push: impl FnMut(&'b T),
) -> Result<(), Error> {
    for chunk in chunks {
        push(chunk?);
    }
    Ok(())
}

/// What a failing string chunk was: a chunk of the wrong type in an indefinite-length string,
/// or content bytes (cut short, or not UTF-8).
fn chunk_or_content(datatype: Type, error: &Error) -> Expected {
    let indefinite = matches!(datatype, Type::BytesIndef | Type::StringIndef);
    if indefinite && error.is_type_mismatch() {
        Expected::Chunk
    } else {
        Expected::Content
    }
}

pub(crate) fn encode(value: &Value, limits: Limits) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder::new(Vec::new());
    write(&mut encoder, value, &mut Path::new(limits))?;
    Ok(encoder.into_writer())
}

/// The smallest and largest integers CBOR's major types 0 and 1 hold.
const MIN_INTEGER: i128 = -(1 << 64);
const MAX_INTEGER: i128 = u64::MAX as i128;

fn write(
    encoder: &mut Encoder<Vec<u8>>,
    value: &Value,
    path: &mut Path,
) -> Result<(), EncodeError> {
    // Writing to a Vec cannot fail: its error type is Infallible.
    let written = match value {
        Value::Null => encoder.null(),
        Value::Undefined => encoder.undefined(),
        Value::Bool(bool) => encoder.bool(*bool),
        Value::Integer(integer) => {
            if !(MIN_INTEGER..=MAX_INTEGER).contains(integer) {
                return Err(path.error(EncodeProblem::IntegerOutOfRange));
            }
            encoder.i128(*integer)
        }
        Value::Float(float) => encoder.f64(*float),
        Value::Text(text) => encoder.str(text),
        Value::Bytes(bytes) => encoder.bytes(bytes),
        Value::Simple(simple) => {
            if (20..32).contains(simple) {
                return Err(path.error(EncodeProblem::ReservedSimple { value: *simple }));
            }
            encoder.simple(*simple)
        }
        Value::Array(items) => {
            encoder.array(items.len() as u64).map_err(infallible)?;
            for (index, item) in items.iter().enumerate() {
                path.enter(PathStep::Index(index), |path| write(encoder, item, path))?;
            }
            return Ok(());
        }
        Value::Map(entries) => {
            encoder.map(entries.len() as u64).map_err(infallible)?;
            for (index, (key, item)) in entries.iter().enumerate() {
                path.enter(PathStep::Entry(index), |path| write(encoder, key, path))?;
                path.enter(Path::map_step(index, key), |path| {
                    write(encoder, item, path)
                })?;
            }
            return Ok(());
        }
        Value::Tagged {
            tag: Tag::Cbor(tag),
            value,
        } => {
            encoder
                .tag(minicbor::data::Tag::new(*tag))
                .map_err(infallible)?;
            return path.enter(PathStep::Tagged, |path| write(encoder, value, path));
        }
        Value::Tagged {
            tag: Tag::Extension(_),
            ..
        } => return Err(path.error(EncodeProblem::NotInFormat { kind: value.kind() })),
    };
    written.map(drop).map_err(infallible)
}

fn infallible(error: minicbor::encode::Error<core::convert::Infallible>) -> EncodeError {
    unreachable!("writing CBOR to a Vec failed: {error}")
}
