//! MessagePack with `rmp`: its marker and value readers take each item apart, this module
//! builds the tree within the limits; its writers write the tree back.

use rmp::decode::{self, Bytes};
use rmp::encode::{self, ByteBuf, RmpWrite};
use rmp::Marker;

use crate::{
    Budget, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected, Limits, Path,
    PathStep, Tag, Value,
};

pub(crate) fn decode(payload: &[u8], limits: Limits) -> Result<Value, DecodeError> {
    let mut reader = Reader {
        payload,
        position: 0,
        budget: Budget::new(limits),
    };
    let value = reader.item(0)?;
    if reader.position < payload.len() {
        return Err(DecodeError {
            offset: reader.position,
            problem: DecodeProblem::TrailingBytes {
                count: payload.len() - reader.position,
            },
        });
    }
    Ok(value)
}

struct Reader<'b> {
    payload: &'b [u8],
    position: usize,
    budget: Budget,
}

impl<'b> Reader<'b> {
    /// Runs one of `rmp`'s readers at the current position and moves past what it read. Its
    /// only failure here is running out of bytes: the reader is chosen by the marker.
    fn read<T, E>(
        &mut self,
        offset: usize,
        reader: impl FnOnce(&mut Bytes<'b>) -> Result<T, E>,
    ) -> Result<T, DecodeError> {
        let mut bytes = Bytes::new(&self.payload[self.position..]);
        let value = reader(&mut bytes).map_err(|_| DecodeError {
            offset,
            problem: DecodeProblem::End {
                expected: Expected::Argument,
            },
        })?;
        self.position += bytes.position() as usize;
        Ok(value)
    }

    /// `length` content bytes of the item at `offset`, and past them.
    fn content(&mut self, offset: usize, length: u32) -> Result<&'b [u8], DecodeError> {
        let end = self
            .position
            .checked_add(length as usize)
            .filter(|&end| end <= self.payload.len())
            .ok_or(DecodeError {
                offset,
                problem: DecodeProblem::End {
                    expected: Expected::Content,
                },
            })?;
        let content = &self.payload[self.position..end];
        self.position = end;
        Ok(content)
    }

    fn remaining(&self) -> usize {
        self.payload.len() - self.position
    }

    fn item(&mut self, depth: usize) -> Result<Value, DecodeError> {
        let offset = self.position;
        let first = DecodeError::value_start(self.payload, offset)?;
        self.budget.node(offset, depth)?;
        Ok(match Marker::from_u8(first) {
            Marker::FixPos(_)
            | Marker::FixNeg(_)
            | Marker::U8
            | Marker::U16
            | Marker::U32
            | Marker::U64
            | Marker::I8
            | Marker::I16
            | Marker::I32
            | Marker::I64 => Value::Integer(self.read(offset, decode::read_int::<i128, _>)?),
            Marker::Null => {
                self.read(offset, decode::read_nil)?;
                Value::Null
            }
            Marker::True | Marker::False => Value::Bool(self.read(offset, decode::read_bool)?),
            Marker::F32 => Value::Float(f64::from(self.read(offset, decode::read_f32)?)),
            Marker::F64 => Value::Float(self.read(offset, decode::read_f64)?),
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let length = self.read(offset, decode::read_str_len)?;
                let content = self.content(offset, length)?;
                let text = core::str::from_utf8(content).map_err(|_| DecodeError {
                    offset,
                    problem: DecodeProblem::InvalidUtf8,
                })?;
                Value::Text(text.to_owned())
            }
            Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                let length = self.read(offset, decode::read_bin_len)?;
                Value::Bytes(self.content(offset, length)?.to_vec())
            }
            Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
                let length = self.read(offset, decode::read_array_len)?;
                let capacity =
                    self.budget
                        .collection(offset, u64::from(length), 1, self.remaining())?;
                let mut items = Vec::with_capacity(capacity);
                for _ in 0..length {
                    items.push(self.item(depth + 1)?);
                }
                Value::Array(items)
            }
            Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
                let length = self.read(offset, decode::read_map_len)?;
                let capacity =
                    self.budget
                        .collection(offset, u64::from(length), 2, self.remaining())?;
                let mut entries = Vec::with_capacity(capacity);
                for _ in 0..length {
                    let key = self.item(depth + 1)?;
                    entries.push((key, self.item(depth + 1)?));
                }
                Value::Map(entries)
            }
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => {
                let meta = self.read(offset, decode::read_ext_meta)?;
                // The extension's bytes are a node of the tree, inside the extension.
                self.budget.node(offset, depth + 1)?;
                let content = self.content(offset, meta.size)?;
                Value::Tagged {
                    tag: Tag::Extension(meta.typeid),
                    value: Box::new(Value::Bytes(content.to_vec())),
                }
            }
            Marker::Reserved => {
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

pub(crate) fn encode(value: &Value, limits: Limits) -> Result<Vec<u8>, EncodeError> {
    let mut buffer = ByteBuf::new();
    write(&mut buffer, value, &mut Path::new(limits))?;
    Ok(buffer.into_vec())
}

/// A length MessagePack can write (32 bits).
fn length(length: usize, path: &Path) -> Result<u32, EncodeError> {
    u32::try_from(length).map_err(|_| path.error(EncodeProblem::TooLong))
}

fn write(buffer: &mut ByteBuf, value: &Value, path: &mut Path) -> Result<(), EncodeError> {
    // Writing to a ByteBuf cannot fail: its error type is Infallible, so the results below
    // only carry the markers written.
    match value {
        Value::Null => encode::write_nil(buffer).unwrap_or_else(infallible),
        Value::Bool(bool) => encode::write_bool(buffer, *bool).unwrap_or_else(infallible),
        Value::Integer(integer) => {
            if let Ok(unsigned) = u64::try_from(*integer) {
                encode::write_uint(buffer, unsigned).map_or_else(value_infallible, drop);
            } else if let Ok(signed) = i64::try_from(*integer) {
                encode::write_sint(buffer, signed).map_or_else(value_infallible, drop);
            } else {
                return Err(path.error(EncodeProblem::IntegerOutOfRange));
            }
        }
        Value::Float(float) => encode::write_f64(buffer, *float).unwrap_or_else(value_infallible),
        Value::Text(text) => {
            length(text.len(), path)?;
            encode::write_str(buffer, text).unwrap_or_else(value_infallible);
        }
        Value::Bytes(bytes) => {
            length(bytes.len(), path)?;
            encode::write_bin(buffer, bytes).unwrap_or_else(value_infallible);
        }
        Value::Array(items) => {
            encode::write_array_len(buffer, length(items.len(), path)?)
                .map_or_else(value_infallible, drop);
            for (index, item) in items.iter().enumerate() {
                path.enter(PathStep::Index(index), |path| write(buffer, item, path))?;
            }
        }
        Value::Map(entries) => {
            encode::write_map_len(buffer, length(entries.len(), path)?)
                .map_or_else(value_infallible, drop);
            for (index, (key, item)) in entries.iter().enumerate() {
                path.enter(PathStep::Entry(index), |path| write(buffer, key, path))?;
                path.enter(Path::map_step(index, key), |path| write(buffer, item, path))?;
            }
        }
        Value::Tagged {
            tag: Tag::Extension(extension),
            value: inner,
        } => {
            let Value::Bytes(bytes) = inner.as_ref() else {
                return Err(path.error(EncodeProblem::NotInFormat { kind: value.kind() }));
            };
            encode::write_ext_meta(buffer, length(bytes.len(), path)?, *extension)
                .map_or_else(value_infallible, drop);
            buffer.write_bytes(bytes).unwrap_or_else(infallible);
        }
        Value::Undefined
        | Value::Simple(_)
        | Value::Tagged {
            tag: Tag::Cbor(_), ..
        } => return Err(path.error(EncodeProblem::NotInFormat { kind: value.kind() })),
    }
    Ok(())
}

fn infallible(error: core::convert::Infallible) {
    match error {}
}

fn value_infallible(error: encode::ValueWriteError<core::convert::Infallible>) {
    match error {
        encode::ValueWriteError::InvalidMarkerWrite(error)
        | encode::ValueWriteError::InvalidDataWrite(error) => match error {},
    }
}
