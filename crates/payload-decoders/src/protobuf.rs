//! Protobuf of the user's `.proto` files: `protox` compiles them from memory (imports resolved
//! among the same files, and Google's well-known types), `prost-reflect` decodes the payload as
//! a dynamic message of the chosen type, which becomes a [`Value`] tree: a message is a map
//! from its set fields' names, repeated fields arrays, map fields maps (by key, sorted), enums
//! their value's name (its number when the type has no such value), bytes bytes. Unknown fields
//! are left out.
//!
//! Before `prost-reflect` reads anything, a walk over the wire format (prost's own varint
//! reader) checks every length against the bytes left, every key's wire type against the
//! field's type, strings' UTF-8, and the depth and node limits, so hostile bytes end in a
//! [`DecodeError`] with an offset, and a recursive message type cannot nest past
//! [`Limits::max_depth`].

use std::collections::HashMap;

use base64::Engine;
use prost_reflect::{
    DescriptorPool, DynamicMessage, FieldDescriptor, Kind as ProtoKind, MapKey, MessageDescriptor,
    Value as ProtoValue,
};
use protox::file::{File, FileResolver, GoogleFileResolver};

use crate::{
    Budget, CompileError, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected,
    FieldType, Limits, MessageSchema, Path, PathStep, SchemaError, SchemaFile, Value,
};

/// Compiled `.proto` files: every message type they (and their imports) define.
#[derive(Clone, Debug)]
pub struct Schema {
    pool: DescriptorPool,
}

/// The user's files, by name, then Google's well-known ones.
struct Files {
    files: Vec<SchemaFile>,
    google: GoogleFileResolver,
}

impl FileResolver for Files {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.files.iter().find(|file| file.name == name) {
            Some(file) => File::from_source(name, &file.text),
            None => self.google.open_file(name),
        }
    }
}

/// Line and column (from 1) of a byte offset in `text`.
fn line_and_column(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, column as u32)
}

fn compile_error(files: &[SchemaFile], error: &protox::Error) -> CompileError {
    use miette::Diagnostic;
    let file = error.file().map(str::to_owned);
    let offset = error
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| label.offset());
    let text = file
        .as_deref()
        .and_then(|name| files.iter().find(|candidate| candidate.name == name))
        .map(|file| file.text.as_str());
    let (line, column) = match (text, offset) {
        (Some(text), Some(offset)) => {
            let (line, column) = line_and_column(text, offset);
            (Some(line), Some(column))
        }
        _ => (None, None),
    };
    CompileError {
        file,
        line,
        column,
        message: error.to_string(),
    }
}

/// Compiles all of `files` (each may import the others by name).
pub fn compile(files: &[SchemaFile]) -> Result<Schema, SchemaError> {
    crate::within_schema_limit(files)?;
    let mut compiler = protox::Compiler::with_file_resolver(Files {
        files: files.to_vec(),
        google: GoogleFileResolver::new(),
    });
    for file in files {
        compiler
            .open_file(&file.name)
            .map_err(|error| SchemaError::Compile(compile_error(files, &error)))?;
    }
    Ok(Schema {
        pool: compiler.descriptor_pool(),
    })
}

impl Schema {
    /// Every message type, by full name, in the files' order (map entries left out: they are
    /// no one's payload).
    pub fn message_types(&self) -> Vec<String> {
        self.pool
            .all_messages()
            .filter(|message| !message.is_map_entry())
            .map(|message| message.full_name().to_owned())
            .collect()
    }

    pub fn message(&self, name: &str) -> Result<MessageDescriptor, SchemaError> {
        self.pool
            .get_message_by_name(name)
            .filter(|message| !message.is_map_entry())
            .ok_or_else(|| SchemaError::NoSuchMessage(name.to_owned()))
    }
}

/// Compiles `schema`'s files and finds its message type.
pub fn message_of(schema: &MessageSchema) -> Result<MessageDescriptor, SchemaError> {
    compile(&schema.files)?.message(&schema.message)
}

/// The wire types (the key's low three bits).
const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LENGTH: u8 = 2;
const START_GROUP: u8 = 3;
const END_GROUP: u8 = 4;
const FIXED32: u8 = 5;

/// The wire type a single value of `kind` is written with.
fn wire_type_of(kind: &ProtoKind) -> u8 {
    match kind {
        ProtoKind::Double | ProtoKind::Fixed64 | ProtoKind::Sfixed64 => FIXED64,
        ProtoKind::Float | ProtoKind::Fixed32 | ProtoKind::Sfixed32 => FIXED32,
        ProtoKind::String | ProtoKind::Bytes | ProtoKind::Message(_) => LENGTH,
        _ => VARINT,
    }
}

/// The bounded walk over the wire format before `prost-reflect` decodes.
struct Walk<'a> {
    payload: &'a [u8],
    budget: Budget,
}

impl Walk<'_> {
    fn error(offset: usize, problem: DecodeProblem) -> DecodeError {
        DecodeError { offset, problem }
    }

    /// A varint at `at`, before `end` (of the message it is in), and where it ends.
    fn varint(&self, at: usize, end: usize) -> Result<(u64, usize), DecodeError> {
        let mut rest = &self.payload[at..end];
        let before = rest.len();
        match prost::encoding::decode_varint(&mut rest) {
            Ok(value) => Ok((value, at + before - rest.len())),
            // Ten bytes or fewer, all continued, and then the end: the message was cut short.
            Err(_) if before < 10 && self.payload[at..end].iter().all(|byte| byte & 0x80 != 0) => {
                Err(Self::error(
                    at,
                    DecodeProblem::End {
                        expected: Expected::Argument,
                    },
                ))
            }
            Err(_) => Err(Self::error(
                at,
                DecodeProblem::Byte {
                    found: self.payload[at],
                    expected: Expected::Argument,
                },
            )),
        }
    }

    /// `count` bytes from `at`, which must be there.
    fn take(&self, at: usize, end: usize, count: u64) -> Result<usize, DecodeError> {
        let remaining = end - at;
        if count > remaining as u64 {
            return Err(Self::error(
                at,
                DecodeProblem::LengthBeyondPayload {
                    length: count,
                    remaining,
                },
            ));
        }
        Ok(at + count as usize)
    }

    /// The fields of one message (of type `message`, or unknown) from `at` to `end`, or to the
    /// end-group key of `group` (a field number); gives where it stopped.
    fn message(
        &mut self,
        message: Option<&MessageDescriptor>,
        mut at: usize,
        end: usize,
        depth: usize,
        group: Option<u32>,
    ) -> Result<usize, DecodeError> {
        self.budget.node(at, depth)?;
        while at < end {
            let key_at = at;
            let (key, after) = self.varint(at, end)?;
            at = after;
            let wire_type = (key & 7) as u8;
            let number = key >> 3;
            let bad_key = || {
                Self::error(
                    key_at,
                    DecodeProblem::Byte {
                        found: self.payload[key_at],
                        expected: Expected::Field,
                    },
                )
            };
            if number == 0 || number > u64::from(u32::MAX >> 3) || wire_type > FIXED32 {
                return Err(bad_key());
            }
            let number = number as u32;
            if wire_type == END_GROUP {
                return match group {
                    Some(open) if open == number => Ok(at),
                    _ => Err(bad_key()),
                };
            }
            let field = message.and_then(|message| field_kind(message, number));
            if let Some((kind, repeated)) = &field {
                let single = wire_type_of(kind);
                let group_kind = matches!(kind, ProtoKind::Message(_)) && wire_type == START_GROUP;
                let packed = *repeated && wire_type == LENGTH && single != LENGTH;
                if wire_type != single && !group_kind && !packed {
                    return Err(Self::error(
                        key_at,
                        DecodeProblem::WireType {
                            field: number,
                            wire_type,
                        },
                    ));
                }
            }
            self.budget.node(at, depth + 1)?;
            at = match wire_type {
                VARINT => self.varint(at, end)?.1,
                FIXED64 => self.take(at, end, 8)?,
                FIXED32 => self.take(at, end, 4)?,
                START_GROUP => {
                    let inner = match &field {
                        Some((ProtoKind::Message(inner), _)) => Some(inner.clone()),
                        _ => None,
                    };
                    self.message(inner.as_ref(), at, end, depth + 1, Some(number))?
                }
                _ => {
                    let (length, start) = self.varint(at, end)?;
                    let stop = self.take(start, end, length)?;
                    match &field {
                        Some((ProtoKind::Message(inner), _)) => {
                            self.message(Some(inner), start, stop, depth + 1, None)?;
                        }
                        Some((ProtoKind::String, _))
                            if std::str::from_utf8(&self.payload[start..stop]).is_err() =>
                        {
                            return Err(Self::error(start, DecodeProblem::InvalidUtf8));
                        }
                        Some((kind, true)) if wire_type_of(kind) != LENGTH => {
                            self.packed(kind, start, stop, depth + 1)?;
                        }
                        _ => {}
                    }
                    stop
                }
            };
        }
        match group {
            // A group still open at the end of its message.
            Some(_) => Err(Self::error(
                at,
                DecodeProblem::End {
                    expected: Expected::Field,
                },
            )),
            None => Ok(at),
        }
    }

    /// A packed repeated field's items, each a node.
    fn packed(
        &mut self,
        kind: &ProtoKind,
        mut at: usize,
        end: usize,
        depth: usize,
    ) -> Result<(), DecodeError> {
        while at < end {
            self.budget.node(at, depth)?;
            at = match wire_type_of(kind) {
                FIXED64 => self.take(at, end, 8)?,
                FIXED32 => self.take(at, end, 4)?,
                _ => self.varint(at, end)?.1,
            };
        }
        Ok(())
    }
}

/// A field's (or an extension's) type and whether it repeats.
fn field_kind(message: &MessageDescriptor, number: u32) -> Option<(ProtoKind, bool)> {
    if let Some(field) = message.get_field(number) {
        return Some((field.kind(), field.is_list() || field.is_map()));
    }
    message
        .get_extension(number)
        .map(|extension| (extension.kind(), extension.is_list()))
}

/// Decodes a whole payload as one message of type `message`.
pub fn decode(
    message: &MessageDescriptor,
    payload: &[u8],
    limits: Limits,
) -> Result<Value, DecodeError> {
    Walk {
        payload,
        budget: Budget::new(limits),
    }
    .message(Some(message), 0, payload.len(), 0, None)?;
    let decoded = DynamicMessage::decode(message.clone(), payload).map_err(|_| DecodeError {
        offset: 0,
        problem: DecodeProblem::NotTheMessage,
    })?;
    let mut budget = Budget::new(limits);
    message_value(&decoded, &mut budget, 0)
}

fn message_value(
    message: &DynamicMessage,
    budget: &mut Budget,
    depth: usize,
) -> Result<Value, DecodeError> {
    // The tree has no offsets left to point at: limits here name the message's start.
    budget.node(0, depth)?;
    let mut entries = Vec::new();
    for (field, value) in message.fields() {
        budget.node(0, depth + 1)?;
        let key = Value::Text(field.name().to_owned());
        entries.push((key, field_value(&field, value, budget, depth + 1)?));
    }
    Ok(Value::Map(entries))
}

fn field_value(
    field: &FieldDescriptor,
    value: &ProtoValue,
    budget: &mut Budget,
    depth: usize,
) -> Result<Value, DecodeError> {
    let kind = field.kind();
    if let ProtoValue::List(items) = value {
        budget.node(0, depth)?;
        return items
            .iter()
            .map(|item| single_value(&kind, item, budget, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    if let ProtoValue::Map(entries) = value {
        budget.node(0, depth)?;
        let value_kind = match &kind {
            ProtoKind::Message(entry) => entry.map_entry_value_field().kind(),
            _ => kind.clone(),
        };
        let mut sorted: Vec<(&MapKey, &ProtoValue)> = entries.iter().collect();
        sorted.sort_by_key(|(key, _)| *key);
        let mut converted = Vec::with_capacity(sorted.len());
        for (key, item) in sorted {
            budget.node(0, depth + 1)?;
            let key = match key {
                MapKey::Bool(bool) => Value::Bool(*bool),
                MapKey::I32(n) => Value::Integer((*n).into()),
                MapKey::I64(n) => Value::Integer((*n).into()),
                MapKey::U32(n) => Value::Integer((*n).into()),
                MapKey::U64(n) => Value::Integer((*n).into()),
                MapKey::String(text) => Value::Text(text.clone()),
            };
            converted.push((key, single_value(&value_kind, item, budget, depth + 1)?));
        }
        return Ok(Value::Map(converted));
    }
    single_value(&kind, value, budget, depth)
}

fn single_value(
    kind: &ProtoKind,
    value: &ProtoValue,
    budget: &mut Budget,
    depth: usize,
) -> Result<Value, DecodeError> {
    if let ProtoValue::Message(message) = value {
        return message_value(message, budget, depth);
    }
    budget.node(0, depth)?;
    Ok(match value {
        ProtoValue::Bool(bool) => Value::Bool(*bool),
        ProtoValue::I32(n) => Value::Integer((*n).into()),
        ProtoValue::I64(n) => Value::Integer((*n).into()),
        ProtoValue::U32(n) => Value::Integer((*n).into()),
        ProtoValue::U64(n) => Value::Integer((*n).into()),
        ProtoValue::F32(f) => Value::Float((*f).into()),
        ProtoValue::F64(f) => Value::Float(*f),
        ProtoValue::String(text) => Value::Text(text.clone()),
        ProtoValue::Bytes(bytes) => Value::Bytes(bytes.to_vec()),
        ProtoValue::EnumNumber(number) => match kind {
            ProtoKind::Enum(enumeration) => match enumeration.get_value(*number) {
                Some(value) => Value::Text(value.name().to_owned()),
                None => Value::Integer((*number).into()),
            },
            _ => Value::Integer((*number).into()),
        },
        // Lists, maps and messages are handled above, and cannot nest in one another
        // unwrapped.
        ProtoValue::Message(_) | ProtoValue::List(_) | ProtoValue::Map(_) => Value::Null,
    })
}

/// Encodes `value` (a map from field names, as [`decode`] gives) as a message of type
/// `message`; a failing field is named by its path.
pub fn encode(
    message: &MessageDescriptor,
    value: &Value,
    limits: Limits,
) -> Result<Vec<u8>, EncodeError> {
    use prost::Message;
    let mut path = Path::new(limits);
    Ok(message_from(message, value, &mut path)?.encode_to_vec())
}

fn field_type(kind: &ProtoKind) -> FieldType {
    match kind {
        ProtoKind::Double => FieldType::Double,
        ProtoKind::Float => FieldType::Float,
        ProtoKind::Int32 => FieldType::Int32,
        ProtoKind::Int64 => FieldType::Int64,
        ProtoKind::Uint32 => FieldType::Uint32,
        ProtoKind::Uint64 => FieldType::Uint64,
        ProtoKind::Sint32 => FieldType::Sint32,
        ProtoKind::Sint64 => FieldType::Sint64,
        ProtoKind::Fixed32 => FieldType::Fixed32,
        ProtoKind::Fixed64 => FieldType::Fixed64,
        ProtoKind::Sfixed32 => FieldType::Sfixed32,
        ProtoKind::Sfixed64 => FieldType::Sfixed64,
        ProtoKind::Bool => FieldType::Bool,
        ProtoKind::String => FieldType::String,
        ProtoKind::Bytes => FieldType::Bytes,
        ProtoKind::Enum(_) => FieldType::Enum,
        ProtoKind::Message(_) => FieldType::Message,
    }
}

fn message_from(
    message: &MessageDescriptor,
    value: &Value,
    path: &mut Path,
) -> Result<DynamicMessage, EncodeError> {
    let Value::Map(entries) = value else {
        return Err(path.error(EncodeProblem::FieldType {
            expected: FieldType::Message,
            found: value.kind(),
        }));
    };
    let mut built = DynamicMessage::new(message.clone());
    for (index, (key, item)) in entries.iter().enumerate() {
        path.enter(Path::map_step(index, key), |path| {
            let field = match key {
                Value::Text(name) => message
                    .get_field_by_name(name)
                    .or_else(|| message.get_field_by_json_name(name)),
                _ => None,
            }
            .ok_or_else(|| path.error(EncodeProblem::NoSuchField))?;
            let value = field_from(&field, item, path)?;
            built.set_field(&field, value);
            Ok(())
        })?;
    }
    Ok(built)
}

fn field_from(
    field: &FieldDescriptor,
    value: &Value,
    path: &mut Path,
) -> Result<ProtoValue, EncodeError> {
    let kind = field.kind();
    if field.is_map() {
        let Value::Map(entries) = value else {
            return Err(path.error(EncodeProblem::FieldType {
                expected: FieldType::Map,
                found: value.kind(),
            }));
        };
        let ProtoKind::Message(entry) = &kind else {
            return Err(path.error(EncodeProblem::NoSuchField));
        };
        let (key_kind, value_kind) = (
            entry.map_entry_key_field().kind(),
            entry.map_entry_value_field().kind(),
        );
        let mut map = HashMap::with_capacity(entries.len());
        for (index, (key, item)) in entries.iter().enumerate() {
            path.enter(Path::map_step(index, key), |path| {
                let key = map_key(&key_kind, key, path)?;
                map.insert(key, single_from(&value_kind, item, path)?);
                Ok(())
            })?;
        }
        return Ok(ProtoValue::Map(map));
    }
    if field.is_list() {
        let Value::Array(items) = value else {
            return Err(path.error(EncodeProblem::FieldType {
                expected: FieldType::Repeated,
                found: value.kind(),
            }));
        };
        let mut list = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            list.push(path.enter(PathStep::Index(index), |path| {
                single_from(&kind, item, path)
            })?);
        }
        return Ok(ProtoValue::List(list));
    }
    single_from(&kind, value, path)
}

/// An integer from an integer, or from its decimal text (as Protobuf's JSON writes 64-bit ones;
/// Avro's encoder takes the same).
pub(crate) fn integer(value: &Value) -> Option<i128> {
    match value {
        Value::Integer(integer) => Some(*integer),
        Value::Text(text) => text.parse().ok(),
        _ => None,
    }
}

pub(crate) fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Float(float) => Some(*float),
        Value::Integer(integer) => Some(*integer as f64),
        Value::Text(text) => match text.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

fn map_key(kind: &ProtoKind, key: &Value, path: &mut Path) -> Result<MapKey, EncodeError> {
    // Keys come as JSON's object keys: text, also for numbers and booleans.
    let key = match (kind, key) {
        (ProtoKind::Bool, Value::Text(text)) if text == "true" || text == "false" => {
            Value::Bool(text == "true")
        }
        _ => key.clone(),
    };
    Ok(match single_from(kind, &key, path)? {
        ProtoValue::Bool(bool) => MapKey::Bool(bool),
        ProtoValue::I32(n) => MapKey::I32(n),
        ProtoValue::I64(n) => MapKey::I64(n),
        ProtoValue::U32(n) => MapKey::U32(n),
        ProtoValue::U64(n) => MapKey::U64(n),
        ProtoValue::String(text) => MapKey::String(text),
        _ => {
            return Err(path.error(EncodeProblem::FieldType {
                expected: field_type(kind),
                found: key.kind(),
            }))
        }
    })
}

fn single_from(
    kind: &ProtoKind,
    value: &Value,
    path: &mut Path,
) -> Result<ProtoValue, EncodeError> {
    let wrong = |path: &Path| {
        path.error(EncodeProblem::FieldType {
            expected: field_type(kind),
            found: value.kind(),
        })
    };
    let ranged =
        |path: &Path| -> Result<i128, EncodeError> { integer(value).ok_or_else(|| wrong(path)) };
    let range = |path: &Path| path.error(EncodeProblem::IntegerOutOfRange);
    Ok(match kind {
        ProtoKind::Int32 | ProtoKind::Sint32 | ProtoKind::Sfixed32 => {
            ProtoValue::I32(i32::try_from(ranged(path)?).map_err(|_| range(path))?)
        }
        ProtoKind::Int64 | ProtoKind::Sint64 | ProtoKind::Sfixed64 => {
            ProtoValue::I64(i64::try_from(ranged(path)?).map_err(|_| range(path))?)
        }
        ProtoKind::Uint32 | ProtoKind::Fixed32 => {
            ProtoValue::U32(u32::try_from(ranged(path)?).map_err(|_| range(path))?)
        }
        ProtoKind::Uint64 | ProtoKind::Fixed64 => {
            ProtoValue::U64(u64::try_from(ranged(path)?).map_err(|_| range(path))?)
        }
        ProtoKind::Double => ProtoValue::F64(float(value).ok_or_else(|| wrong(path))?),
        ProtoKind::Float => ProtoValue::F32(float(value).ok_or_else(|| wrong(path))? as f32),
        ProtoKind::Bool => match value {
            Value::Bool(bool) => ProtoValue::Bool(*bool),
            _ => return Err(wrong(path)),
        },
        ProtoKind::String => match value {
            Value::Text(text) => ProtoValue::String(text.clone()),
            _ => return Err(wrong(path)),
        },
        ProtoKind::Bytes => match value {
            Value::Bytes(bytes) => ProtoValue::Bytes(bytes.clone().into()),
            Value::Text(text) => ProtoValue::Bytes(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|_| path.error(EncodeProblem::InvalidBase64))?
                    .into(),
            ),
            _ => return Err(wrong(path)),
        },
        ProtoKind::Enum(enumeration) => match value {
            Value::Text(name) => ProtoValue::EnumNumber(
                enumeration
                    .get_value_by_name(name)
                    .ok_or_else(|| path.error(EncodeProblem::NoSuchEnumValue))?
                    .number(),
            ),
            Value::Integer(number) => {
                ProtoValue::EnumNumber(i32::try_from(*number).map_err(|_| range(path))?)
            }
            _ => return Err(wrong(path)),
        },
        ProtoKind::Message(inner) => ProtoValue::Message(message_from(inner, value, path)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MAX_SCHEMA_BYTES;

    fn file(name: &str, text: &str) -> SchemaFile {
        SchemaFile {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn compile_errors_name_the_file_and_line() {
        let files = [file(
            "bad.proto",
            "syntax = \"proto3\";\nmessage A {\n  int32 x = 1\n}\n",
        )];
        let SchemaError::Compile(error) = compile(&files).unwrap_err() else {
            panic!("not a compile error");
        };
        assert_eq!(error.file.as_deref(), Some("bad.proto"));
        assert_eq!(error.line, Some(4), "{error:?}");
        assert!(!error.message.is_empty());
    }

    #[test]
    fn a_missing_import_is_an_error_at_the_import() {
        let files = [file(
            "a.proto",
            "syntax = \"proto3\";\n\nimport \"b.proto\";\nmessage A {}\n",
        )];
        let SchemaError::Compile(error) = compile(&files).unwrap_err() else {
            panic!("not a compile error");
        };
        assert_eq!(error.file.as_deref(), Some("a.proto"));
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("b.proto"), "{}", error.message);
    }

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(line_and_column("ab\ncé\nx", 7), (3, 1));
        assert_eq!(line_and_column("ab\ncé\nx", 3), (2, 1));
        assert_eq!(line_and_column("ab", 1), (1, 2));
    }

    #[test]
    fn schemas_past_the_limit_are_refused() {
        let files = [file("big.proto", &" ".repeat(MAX_SCHEMA_BYTES + 1))];
        assert_eq!(
            compile(&files).unwrap_err(),
            SchemaError::TooLarge {
                size: MAX_SCHEMA_BYTES + 1,
                limit: MAX_SCHEMA_BYTES
            }
        );
    }
}
