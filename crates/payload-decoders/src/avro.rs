//! Avro of the user's schemas (`.avsc` files, JSON): `apache-avro` parses them (a named type
//! of one file may be used by another) and reads and writes one datum of the chosen type in
//! Avro's binary encoding, without a container file's header: a payload is one datum, as
//! MQTTX and Avro's own `DatumWriter` write it. The datum becomes a [`Value`] tree: a record a
//! map from its fields' names (in the schema's order), an enum its symbol, a union its
//! branch's value, fixed bytes bytes, a decimal its decimal text, a UUID its text, a duration
//! a map of months, days and milliseconds; dates, times and timestamps stay the integers Avro
//! writes.
//!
//! Before `apache-avro` reads anything, a walk over the datum (guided by the schema, as any
//! Avro reader must be) checks every length against the bytes left, every union branch and
//! enum symbol, strings' UTF-8, booleans, and the depth and node limits: `apache-avro` would
//! allocate a length before reading it and recurse as deep as a recursive type goes, so hostile
//! bytes end here in a [`DecodeError`] with an offset instead.

use std::collections::{HashMap, HashSet};

use apache_avro::schema::{Name, Namespace, ResolvedSchema, Schema as AvroSchema};
use apache_avro::types::Value as AvroValue;
use base64::Engine;

use crate::protobuf::{float, integer};
use crate::{
    Budget, CompileError, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected,
    FieldType, Limits, Path, PathStep, SchemaError, SchemaFile, Value,
};

/// Parsed `.avsc` files: each file's schema, and every type a payload can be decoded as.
#[derive(Clone, Debug)]
pub struct Schema {
    /// Each file's top-level schema, in the files' order.
    schemata: Vec<AvroSchema>,
    /// Every named type (records, enums, fixed) by full name, in the order they are defined,
    /// then each file whose schema has no name (an array, say), by the file's name.
    types: Vec<(String, AvroSchema)>,
    /// Every named type's definition by full name, resolved once here rather than per payload:
    /// what a reference (`Schema::Ref`) stands for.
    names: HashMap<Name, AvroSchema>,
}

/// A file's schema is named (and may be used by the other files) when it is a JSON object
/// with a name: a record, an enum or a fixed.
fn is_named(json: &serde_json::Value) -> bool {
    json.get("name").is_some_and(serde_json::Value::is_string)
}

fn compile_error(file: &SchemaFile, message: String) -> SchemaError {
    SchemaError::Compile(CompileError {
        file: Some(file.name.clone()),
        line: None,
        column: None,
        message,
    })
}

/// Parses all of `files` (each may use the named types of the others).
pub fn compile(files: &[SchemaFile]) -> Result<Schema, SchemaError> {
    crate::within_schema_limit(files)?;
    let mut named = Vec::new();
    let mut unnamed = Vec::new();
    for file in files {
        let json: serde_json::Value = serde_json::from_str(&file.text).map_err(|error| {
            SchemaError::Compile(CompileError {
                file: Some(file.name.clone()),
                line: u32::try_from(error.line()).ok(),
                column: u32::try_from(error.column()).ok(),
                message: error.to_string(),
            })
        })?;
        if is_named(&json) {
            named.push(file);
        } else {
            unnamed.push(file);
        }
    }
    let named_texts = || named.iter().map(|file| file.text.as_str());
    let parsed = AvroSchema::parse_list(named_texts()).map_err(|error| {
        // The list does not say which file failed: the first that fails with the others
        // beside it is the one to name.
        let culprit = named.iter().enumerate().find(|(index, file)| {
            let others = named_texts()
                .enumerate()
                .filter(|(other, _)| other != index)
                .map(|(_, text)| text);
            AvroSchema::parse_str_with_list(&file.text, others).is_err()
        });
        match culprit {
            Some((_, file)) => compile_error(file, error.to_string()),
            None => SchemaError::Compile(CompileError {
                file: None,
                line: None,
                column: None,
                message: error.to_string(),
            }),
        }
    })?;
    let mut schemata = parsed;
    let mut unnamed_types = Vec::new();
    for file in unnamed {
        let (schema, _) = AvroSchema::parse_str_with_list(&file.text, named_texts())
            .map_err(|error| compile_error(file, error.to_string()))?;
        unnamed_types.push((file.name.clone(), schema.clone()));
        schemata.push(schema);
    }
    let mut types = Vec::new();
    let mut seen = HashSet::new();
    for schema in &schemata {
        named_types(schema, &None, &mut seen, &mut types);
    }
    types.extend(unnamed_types);
    let unresolved = |error: apache_avro::Error| {
        SchemaError::Compile(CompileError {
            file: None,
            line: None,
            column: None,
            message: error.to_string(),
        })
    };
    let schemata = in_dependency_order(schemata).map_err(unresolved)?;
    let names = ResolvedSchema::try_from(schemata.iter().collect::<Vec<_>>())
        .map_err(unresolved)?
        .get_names()
        .iter()
        .map(|(name, schema)| (name.clone(), (*schema).clone()))
        .collect();
    Ok(Schema {
        schemata,
        types,
        names,
    })
}

/// The files' schemata with each after those whose named types it uses: the order
/// `apache-avro` resolves references in. A type that no file defines, or files that use each
/// other's types both ways, have none.
fn in_dependency_order(mut left: Vec<AvroSchema>) -> Result<Vec<AvroSchema>, apache_avro::Error> {
    let mut ordered: Vec<AvroSchema> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let resolves = |schema: &AvroSchema| {
            let mut candidate: Vec<&AvroSchema> = ordered.iter().collect();
            candidate.push(schema);
            ResolvedSchema::try_from(candidate).map(|_| ())
        };
        match left.iter().position(|schema| resolves(schema).is_ok()) {
            Some(index) => {
                let next = left.remove(index);
                ordered.push(next);
            }
            None => return Err(resolves(&left[0]).unwrap_err()),
        }
    }
    Ok(ordered)
}

/// The named types `schema` defines, by full name, depth first in the order written.
fn named_types(
    schema: &AvroSchema,
    namespace: &Namespace,
    seen: &mut HashSet<Name>,
    types: &mut Vec<(String, AvroSchema)>,
) {
    let mut define = |name: &Name| {
        let full = name.fully_qualified_name(namespace);
        let inner = full.namespace.clone();
        if seen.insert(full.clone()) {
            types.push((full.fullname(None), schema.clone()));
        }
        inner
    };
    match schema {
        AvroSchema::Record(record) => {
            let inner = define(&record.name);
            for field in &record.fields {
                named_types(&field.schema, &inner, seen, types);
            }
        }
        AvroSchema::Enum(enumeration) => {
            define(&enumeration.name);
        }
        AvroSchema::Fixed(fixed) => {
            define(&fixed.name);
        }
        AvroSchema::Array(array) => named_types(&array.items, namespace, seen, types),
        AvroSchema::Map(map) => named_types(&map.types, namespace, seen, types),
        AvroSchema::Union(union) => {
            for variant in union.variants() {
                named_types(variant, namespace, seen, types);
            }
        }
        AvroSchema::Decimal(decimal) => named_types(&decimal.inner, namespace, seen, types),
        _ => {}
    }
}

/// The name a type's definition gives the namespace of what it holds.
fn namespace_of(schema: &AvroSchema) -> Namespace {
    schema.name().and_then(|name| name.namespace.clone())
}

impl Schema {
    /// Every type a payload can be decoded as ([`Schema::types`]' order).
    pub fn type_names(&self) -> Vec<String> {
        self.types.iter().map(|(name, _)| name.clone()).collect()
    }

    /// The type of this name (a named type's full name, or an unnamed schema's file).
    pub fn type_of(&self, name: &str) -> Result<&AvroSchema, SchemaError> {
        self.types
            .iter()
            .find(|(candidate, _)| candidate == name)
            .map(|(_, schema)| schema)
            .ok_or_else(|| SchemaError::NoSuchMessage(name.to_owned()))
    }

    /// Decodes a whole payload as one datum of the type `name`.
    pub fn decode(&self, name: &str, payload: &[u8], limits: Limits) -> Result<Value, DecodeError> {
        let not_the_type = DecodeError {
            offset: 0,
            problem: DecodeProblem::NotTheMessage,
        };
        // The type is checked when the rule is made; a schema changed since says so here.
        let schema = self.type_of(name).map_err(|_| not_the_type)?;
        let names = &self.names;
        let mut walk = Walk {
            payload,
            at: 0,
            budget: Budget::new(limits),
            names,
        };
        walk.datum(schema, &namespace_of(schema), 0)?;
        if walk.at < payload.len() {
            return Err(DecodeError {
                offset: walk.at,
                problem: DecodeProblem::TrailingBytes {
                    count: payload.len() - walk.at,
                },
            });
        }
        let mut reader = payload;
        let datum = apache_avro::from_avro_datum_schemata(
            schema,
            self.schemata.iter().collect(),
            &mut reader,
            None,
        )
        .map_err(|_| not_the_type)?;
        Ok(tree(datum, schema, &namespace_of(schema), names))
    }

    /// Encodes `value` (as [`Schema::decode`] gives) as a datum of the type `name`; a failing
    /// field is named by its path.
    pub fn encode(
        &self,
        name: &str,
        value: &Value,
        limits: Limits,
    ) -> Result<Vec<u8>, EncodeError> {
        let mut path = Path::new(limits);
        let unusable = |path: &Path| path.error(EncodeProblem::NoSchema);
        let schema = self.type_of(name).map_err(|_| unusable(&path))?;
        let datum = datum_from(schema, &namespace_of(schema), &self.names, value, &mut path)?;
        apache_avro::to_avro_datum_schemata(schema, self.schemata.iter().collect(), datum)
            .map_err(|_| path.error(EncodeProblem::NotInFormat { kind: value.kind() }))
    }
}

/// The definition a reference names, and the namespace inside it.
fn resolve<'a>(
    name: &Name,
    namespace: &Namespace,
    names: &'a HashMap<Name, AvroSchema>,
) -> Option<(&'a AvroSchema, Namespace)> {
    let full = name.fully_qualified_name(namespace);
    names.get(&full).map(|schema| (schema, full.namespace))
}

/// The bounded walk over one datum before `apache-avro` decodes it.
struct Walk<'a> {
    payload: &'a [u8],
    at: usize,
    budget: Budget,
    names: &'a HashMap<Name, AvroSchema>,
}

impl Walk<'_> {
    fn error(&self, offset: usize, problem: DecodeProblem) -> DecodeError {
        DecodeError { offset, problem }
    }

    /// The next `count` bytes, which must be there.
    fn take(&mut self, count: u64, expected: Expected) -> Result<&[u8], DecodeError> {
        let remaining = self.payload.len() - self.at;
        if count > remaining as u64 {
            let problem = if remaining == 0 {
                DecodeProblem::End { expected }
            } else {
                DecodeProblem::LengthBeyondPayload {
                    length: count,
                    remaining,
                }
            };
            return Err(self.error(self.at, problem));
        }
        let start = self.at;
        self.at += count as usize;
        Ok(&self.payload[start..self.at])
    }

    /// A zigzag varint, as Avro writes `int` and `long`, and where it began.
    fn long(&mut self) -> Result<(i64, usize), DecodeError> {
        let start = self.at;
        let mut raw = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&byte) = self.payload.get(self.at) else {
                return Err(self.error(
                    start,
                    DecodeProblem::End {
                        expected: Expected::Argument,
                    },
                ));
            };
            // A tenth byte may hold only the top bit of the 64.
            if shift == 63 && byte > 1 {
                break;
            }
            self.at += 1;
            raw |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok((((raw >> 1) as i64) ^ -((raw & 1) as i64), start));
            }
        }
        Err(self.error(
            start,
            DecodeProblem::Byte {
                found: self.payload[start],
                expected: Expected::Argument,
            },
        ))
    }

    fn int(&mut self) -> Result<(i32, usize), DecodeError> {
        let (long, start) = self.long()?;
        i32::try_from(long).map(|int| (int, start)).map_err(|_| {
            self.error(
                start,
                DecodeProblem::Byte {
                    found: self.payload[start],
                    expected: Expected::Argument,
                },
            )
        })
    }

    /// A length (of bytes or a string): never negative.
    fn length(&mut self) -> Result<u64, DecodeError> {
        let (length, start) = self.long()?;
        u64::try_from(length).map_err(|_| {
            self.error(
                start,
                DecodeProblem::Byte {
                    found: self.payload[start],
                    expected: Expected::Argument,
                },
            )
        })
    }

    fn bytes(&mut self) -> Result<&[u8], DecodeError> {
        let length = self.length()?;
        self.take(length, Expected::Content)
    }

    fn string(&mut self) -> Result<(), DecodeError> {
        let start = self.at;
        let bytes = self.bytes()?;
        match std::str::from_utf8(bytes) {
            Ok(_) => Ok(()),
            Err(_) => Err(self.error(start, DecodeProblem::InvalidUtf8)),
        }
    }

    /// An index into `count` choices (a union's branches, an enum's symbols).
    fn index(&mut self, index: i64, start: usize, count: usize) -> Result<usize, DecodeError> {
        usize::try_from(index)
            .ok()
            .filter(|index| *index < count)
            .ok_or_else(|| self.error(start, DecodeProblem::IndexOutOfRange { index, count }))
    }

    /// An array's or a map's blocks, each item (a map's with its key) by `item`.
    fn blocks(
        &mut self,
        depth: usize,
        mut item: impl FnMut(&mut Self, usize) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        loop {
            let (count, start) = self.long()?;
            if count == 0 {
                return Ok(());
            }
            if count < 0 {
                // A negative count is followed by the block's size in bytes.
                self.length()?;
            }
            let count = count.checked_abs().ok_or_else(|| {
                self.error(
                    start,
                    DecodeProblem::Byte {
                        found: self.payload[start],
                        expected: Expected::Argument,
                    },
                )
            })?;
            // Items may take no bytes (nulls, empty records): the node limit bounds them.
            for _ in 0..count {
                item(self, depth + 1)?;
            }
        }
    }

    fn datum(
        &mut self,
        schema: &AvroSchema,
        namespace: &Namespace,
        depth: usize,
    ) -> Result<(), DecodeError> {
        if let AvroSchema::Ref { name } = schema {
            let (definition, inner) = resolve(name, namespace, self.names)
                .ok_or(self.error(self.at, DecodeProblem::NotTheMessage))?;
            return self.datum(definition, &inner, depth);
        }
        self.budget.node(self.at, depth)?;
        match schema {
            AvroSchema::Null => {}
            AvroSchema::Boolean => {
                let start = self.at;
                let byte = self.take(1, Expected::Value)?[0];
                if byte > 1 {
                    return Err(self.error(
                        start,
                        DecodeProblem::Byte {
                            found: byte,
                            expected: Expected::Value,
                        },
                    ));
                }
            }
            AvroSchema::Int | AvroSchema::Date | AvroSchema::TimeMillis => {
                self.int()?;
            }
            AvroSchema::Long
            | AvroSchema::TimeMicros
            | AvroSchema::TimestampMillis
            | AvroSchema::TimestampMicros
            | AvroSchema::TimestampNanos
            | AvroSchema::LocalTimestampMillis
            | AvroSchema::LocalTimestampMicros
            | AvroSchema::LocalTimestampNanos => {
                self.long()?;
            }
            AvroSchema::Float => {
                self.take(4, Expected::Content)?;
            }
            AvroSchema::Double => {
                self.take(8, Expected::Content)?;
            }
            AvroSchema::Duration => {
                // A map of three names and their counts in the tree.
                for _ in 0..6 {
                    self.budget.node(self.at, depth + 1)?;
                }
                self.take(12, Expected::Content)?;
            }
            AvroSchema::Bytes | AvroSchema::Uuid => {
                self.bytes()?;
            }
            AvroSchema::BigDecimal => {
                // Bytes holding the unscaled value's own length and bytes, then the scale.
                let start = self.at;
                let length = self.length()?;
                let content = self.at;
                self.take(length, Expected::Content)?;
                let inner = &self.payload[content..self.at];
                let mut inside = Walk {
                    payload: inner,
                    at: 0,
                    budget: Budget::new(Limits::DEFAULT),
                    names: self.names,
                };
                inside.bytes()?;
                inside.long()?;
                if inside.at != inner.len() {
                    return Err(self.error(start, DecodeProblem::NotTheMessage));
                }
            }
            AvroSchema::String => self.string()?,
            AvroSchema::Fixed(fixed) => {
                self.take(fixed.size as u64, Expected::Content)?;
            }
            AvroSchema::Decimal(decimal) => match &*decimal.inner {
                AvroSchema::Fixed(fixed) => {
                    self.take(fixed.size as u64, Expected::Content)?;
                }
                _ => {
                    self.bytes()?;
                }
            },
            AvroSchema::Array(array) => self.blocks(depth, |walk, depth| {
                walk.datum(&array.items, namespace, depth)
            })?,
            AvroSchema::Map(map) => self.blocks(depth, |walk, depth| {
                walk.budget.node(walk.at, depth)?;
                walk.string()?;
                walk.datum(&map.types, namespace, depth)
            })?,
            AvroSchema::Union(union) => {
                let (index, start) = self.long()?;
                let variants = union.variants();
                let branch = self.index(index, start, variants.len())?;
                self.datum(&variants[branch], namespace, depth + 1)?;
            }
            AvroSchema::Record(record) => {
                let inner = record.name.fully_qualified_name(namespace).namespace;
                for field in &record.fields {
                    // The field's name is a node of the tree too, as a map's key.
                    self.budget.node(self.at, depth + 1)?;
                    self.datum(&field.schema, &inner, depth + 1)?;
                }
            }
            AvroSchema::Enum(enumeration) => {
                let (index, start) = self.int()?;
                self.index(i64::from(index), start, enumeration.symbols.len())?;
            }
            AvroSchema::Ref { .. } => unreachable!("followed above"),
        }
        Ok(())
    }
}

/// A decimal's unscaled two's-complement bytes as decimal text with `scale` digits after the
/// point, or the bytes themselves when they are wider than 128 bits.
fn decimal_text(unscaled: &[u8], scale: usize) -> Value {
    if unscaled.len() > 16 {
        return Value::Bytes(unscaled.to_vec());
    }
    let negative = unscaled.first().is_some_and(|byte| byte & 0x80 != 0);
    let mut wide = [if negative { 0xff } else { 0 }; 16];
    wide[16 - unscaled.len()..].copy_from_slice(unscaled);
    let integer = i128::from_be_bytes(wide);
    let text = crate::integer_text(integer);
    let digits = text.trim_start_matches('-');
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if negative { "-" } else { "" };
    Value::Text(if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    })
}

/// The tree of a datum `apache-avro` decoded with `schema`.
fn tree(
    datum: AvroValue,
    schema: &AvroSchema,
    namespace: &Namespace,
    names: &HashMap<Name, AvroSchema>,
) -> Value {
    if let AvroSchema::Ref { name } = schema {
        if let Some((definition, inner)) = resolve(name, namespace, names) {
            return tree(datum, definition, &inner, names);
        }
    }
    match (datum, schema) {
        (AvroValue::Union(index, inner), AvroSchema::Union(union)) => {
            match union.variants().get(index as usize) {
                Some(variant) => tree(*inner, variant, namespace, names),
                None => Value::Null,
            }
        }
        (AvroValue::Array(items), AvroSchema::Array(array)) => Value::Array(
            items
                .into_iter()
                .map(|item| tree(item, &array.items, namespace, names))
                .collect(),
        ),
        (AvroValue::Map(entries), AvroSchema::Map(map)) => {
            let mut entries: Vec<_> = entries.into_iter().collect();
            // A map's entries have no order: by key, as the tree shows them the same each time.
            entries.sort_by(|(a, _), (b, _)| a.cmp(b));
            Value::Map(
                entries
                    .into_iter()
                    .map(|(key, item)| (Value::Text(key), tree(item, &map.types, namespace, names)))
                    .collect(),
            )
        }
        (AvroValue::Record(fields), AvroSchema::Record(record)) => {
            let inner = record.name.fully_qualified_name(namespace).namespace;
            Value::Map(
                fields
                    .into_iter()
                    .zip(&record.fields)
                    .map(|((name, item), field)| {
                        (Value::Text(name), tree(item, &field.schema, &inner, names))
                    })
                    .collect(),
            )
        }
        (AvroValue::Decimal(decimal), AvroSchema::Decimal(schema)) => {
            // Only no bytes at all fail to come back out: an unscaled zero.
            decimal_text(
                &Vec::<u8>::try_from(&decimal).unwrap_or_default(),
                schema.scale,
            )
        }
        (datum, _) => leaf(datum),
    }
}

/// A datum that holds no other.
fn leaf(datum: AvroValue) -> Value {
    match datum {
        AvroValue::Null => Value::Null,
        AvroValue::Boolean(bool) => Value::Bool(bool),
        AvroValue::Int(int) | AvroValue::Date(int) | AvroValue::TimeMillis(int) => {
            Value::Integer(int.into())
        }
        AvroValue::Long(long)
        | AvroValue::TimeMicros(long)
        | AvroValue::TimestampMillis(long)
        | AvroValue::TimestampMicros(long)
        | AvroValue::TimestampNanos(long)
        | AvroValue::LocalTimestampMillis(long)
        | AvroValue::LocalTimestampMicros(long)
        | AvroValue::LocalTimestampNanos(long) => Value::Integer(long.into()),
        AvroValue::Float(float) => Value::Float(float.into()),
        AvroValue::Double(double) => Value::Float(double),
        AvroValue::Bytes(bytes) | AvroValue::Fixed(_, bytes) => Value::Bytes(bytes),
        AvroValue::String(text) | AvroValue::Enum(_, text) => Value::Text(text),
        AvroValue::Uuid(uuid) => Value::Text(uuid.to_string()),
        AvroValue::BigDecimal(decimal) => Value::Text(decimal.to_string()),
        AvroValue::Duration(duration) => Value::Map(
            [
                ("months", u32::from(duration.months())),
                ("days", u32::from(duration.days())),
                ("millis", u32::from(duration.millis())),
            ]
            .into_iter()
            .map(|(name, count)| (Value::Text(name.to_owned()), Value::Integer(count.into())))
            .collect(),
        ),
        // Only with their schemas (`tree`); a datum that does not match its schema has none.
        AvroValue::Union(..)
        | AvroValue::Array(_)
        | AvroValue::Map(_)
        | AvroValue::Record(_)
        | AvroValue::Decimal(_) => Value::Null,
    }
}

/// The Avro type of a schema, as [`EncodeProblem::FieldType`] names what a field wanted.
fn field_type(schema: &AvroSchema) -> FieldType {
    match schema {
        AvroSchema::Null => FieldType::Null,
        AvroSchema::Boolean => FieldType::Bool,
        AvroSchema::Int | AvroSchema::Date | AvroSchema::TimeMillis => FieldType::Int32,
        AvroSchema::Float => FieldType::Float,
        AvroSchema::Double => FieldType::Double,
        AvroSchema::Bytes | AvroSchema::BigDecimal => FieldType::Bytes,
        AvroSchema::String | AvroSchema::Uuid | AvroSchema::Decimal(_) => FieldType::String,
        AvroSchema::Fixed(_) => FieldType::Fixed,
        AvroSchema::Array(_) => FieldType::Array,
        AvroSchema::Map(_) | AvroSchema::Duration => FieldType::Map,
        AvroSchema::Union(_) => FieldType::Union,
        AvroSchema::Record(_) | AvroSchema::Ref { .. } => FieldType::Record,
        AvroSchema::Enum(_) => FieldType::Enum,
        _ => FieldType::Int64,
    }
}

/// Bytes from bytes, or from base64 text (as JSON writes bytes here, as for Protobuf).
fn bytes_of(value: &Value, schema: &AvroSchema, path: &Path) -> Result<Vec<u8>, EncodeError> {
    match value {
        Value::Bytes(bytes) => Ok(bytes.clone()),
        Value::Text(text) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| path.error(EncodeProblem::InvalidBase64)),
        _ => Err(wrong_type(schema, value, path)),
    }
}

fn wrong_type(schema: &AvroSchema, value: &Value, path: &Path) -> EncodeError {
    path.error(EncodeProblem::FieldType {
        expected: field_type(schema),
        found: value.kind(),
    })
}

/// The unscaled value of decimal text (or an integer) with `scale` digits after the point, in
/// two's-complement bytes, as wide as `width` when a fixed gives one; bytes (a decimal wider
/// than [`decimal_text`] writes) are the unscaled value already.
fn unscaled(value: &Value, scale: usize, width: Option<usize>) -> Option<Vec<u8>> {
    let text = match value {
        Value::Integer(integer) => crate::integer_text(*integer),
        Value::Text(text) => text.clone(),
        Value::Bytes(bytes) if width.is_none_or(|width| width == bytes.len()) => {
            return Some(bytes.clone())
        }
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if fraction.len() > scale || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{whole}{fraction:0<scale$}");
    let unscaled: i128 = digits.parse().ok()?;
    let bytes = unscaled.to_be_bytes();
    // The shortest two's complement that keeps the sign.
    let fill = if unscaled < 0 { 0xff } else { 0 };
    let mut start = bytes
        .iter()
        .take_while(|byte| **byte == fill)
        .count()
        .min(15);
    if (bytes[start] & 0x80 != 0) != (unscaled < 0) {
        start -= 1;
    }
    let shortest = &bytes[start..];
    match width {
        None => Some(shortest.to_vec()),
        Some(width) if width >= shortest.len() => {
            let mut wide = vec![fill; width - shortest.len()];
            wide.extend_from_slice(shortest);
            Some(wide)
        }
        Some(_) => None,
    }
}

/// The datum of `schema` for `value`, named by `path` where it does not fit.
fn datum_from(
    schema: &AvroSchema,
    namespace: &Namespace,
    names: &HashMap<Name, AvroSchema>,
    value: &Value,
    path: &mut Path,
) -> Result<AvroValue, EncodeError> {
    let int = |path: &Path| -> Result<i32, EncodeError> {
        let integer = integer(value).ok_or_else(|| wrong_type(schema, value, path))?;
        i32::try_from(integer).map_err(|_| path.error(EncodeProblem::IntegerOutOfRange))
    };
    let long = |path: &Path| -> Result<i64, EncodeError> {
        let integer = integer(value).ok_or_else(|| wrong_type(schema, value, path))?;
        i64::try_from(integer).map_err(|_| path.error(EncodeProblem::IntegerOutOfRange))
    };
    let text = |path: &Path| match value {
        Value::Text(text) => Ok(text.clone()),
        _ => Err(wrong_type(schema, value, path)),
    };
    Ok(match schema {
        AvroSchema::Ref { name } => {
            let (definition, inner) = resolve(name, namespace, names)
                .ok_or_else(|| path.error(EncodeProblem::NoSchema))?;
            return datum_from(definition, &inner, names, value, path);
        }
        AvroSchema::Null => match value {
            Value::Null => AvroValue::Null,
            _ => return Err(wrong_type(schema, value, path)),
        },
        AvroSchema::Boolean => match value {
            Value::Bool(bool) => AvroValue::Boolean(*bool),
            _ => return Err(wrong_type(schema, value, path)),
        },
        AvroSchema::Int => AvroValue::Int(int(path)?),
        AvroSchema::Date => AvroValue::Date(int(path)?),
        AvroSchema::TimeMillis => AvroValue::TimeMillis(int(path)?),
        AvroSchema::Long => AvroValue::Long(long(path)?),
        AvroSchema::TimeMicros => AvroValue::TimeMicros(long(path)?),
        AvroSchema::TimestampMillis => AvroValue::TimestampMillis(long(path)?),
        AvroSchema::TimestampMicros => AvroValue::TimestampMicros(long(path)?),
        AvroSchema::TimestampNanos => AvroValue::TimestampNanos(long(path)?),
        AvroSchema::LocalTimestampMillis => AvroValue::LocalTimestampMillis(long(path)?),
        AvroSchema::LocalTimestampMicros => AvroValue::LocalTimestampMicros(long(path)?),
        AvroSchema::LocalTimestampNanos => AvroValue::LocalTimestampNanos(long(path)?),
        AvroSchema::Float => {
            AvroValue::Float(float(value).ok_or_else(|| wrong_type(schema, value, path))? as f32)
        }
        AvroSchema::Double => {
            AvroValue::Double(float(value).ok_or_else(|| wrong_type(schema, value, path))?)
        }
        AvroSchema::Bytes => AvroValue::Bytes(bytes_of(value, schema, path)?),
        AvroSchema::String => AvroValue::String(text(path)?),
        AvroSchema::Uuid => AvroValue::String(text(path)?)
            .resolve(schema)
            .map_err(|_| wrong_type(schema, value, path))?,
        AvroSchema::Fixed(fixed) => {
            let bytes = bytes_of(value, schema, path)?;
            if bytes.len() != fixed.size {
                return Err(path.error(EncodeProblem::WrongSize {
                    expected: fixed.size,
                    found: bytes.len(),
                }));
            }
            AvroValue::Fixed(fixed.size, bytes)
        }
        AvroSchema::Decimal(decimal) => {
            let width = match &*decimal.inner {
                AvroSchema::Fixed(fixed) => Some(fixed.size),
                _ => None,
            };
            let bytes = unscaled(value, decimal.scale, width)
                .ok_or_else(|| wrong_type(schema, value, path))?;
            AvroValue::Decimal(bytes.into())
        }
        AvroSchema::Duration => {
            let Value::Map(entries) = value else {
                return Err(wrong_type(schema, value, path));
            };
            let mut parts = [0u32; 3];
            for (index, (key, item)) in entries.iter().enumerate() {
                path.enter(Path::map_step(index, key), |path| {
                    let part = match key {
                        Value::Text(key) => ["months", "days", "millis"]
                            .iter()
                            .position(|name| name == key),
                        _ => None,
                    }
                    .ok_or_else(|| path.error(EncodeProblem::NoSuchField))?;
                    parts[part] = integer(item)
                        .and_then(|integer| u32::try_from(integer).ok())
                        .ok_or_else(|| path.error(EncodeProblem::IntegerOutOfRange))?;
                    Ok(())
                })?;
            }
            AvroValue::Duration(apache_avro::Duration::new(
                apache_avro::Months::new(parts[0]),
                apache_avro::Days::new(parts[1]),
                apache_avro::Millis::new(parts[2]),
            ))
        }
        AvroSchema::BigDecimal => {
            return Err(path.error(EncodeProblem::NotInFormat { kind: value.kind() }))
        }
        AvroSchema::Array(array) => {
            let Value::Array(items) = value else {
                return Err(wrong_type(schema, value, path));
            };
            let mut datums = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                datums.push(path.enter(PathStep::Index(index), |path| {
                    datum_from(&array.items, namespace, names, item, path)
                })?);
            }
            AvroValue::Array(datums)
        }
        AvroSchema::Map(map) => {
            let Value::Map(entries) = value else {
                return Err(wrong_type(schema, value, path));
            };
            let mut datums = HashMap::with_capacity(entries.len());
            for (index, (key, item)) in entries.iter().enumerate() {
                path.enter(Path::map_step(index, key), |path| {
                    let Value::Text(key) = key else {
                        return Err(path.error(EncodeProblem::FieldType {
                            expected: FieldType::String,
                            found: key.kind(),
                        }));
                    };
                    datums.insert(
                        key.clone(),
                        datum_from(&map.types, namespace, names, item, path)?,
                    );
                    Ok(())
                })?;
            }
            AvroValue::Map(datums)
        }
        AvroSchema::Union(union) => {
            let variants = union.variants();
            let mut first_error = None;
            for (index, variant) in variants.iter().enumerate() {
                match datum_from(variant, namespace, names, value, path) {
                    Ok(datum) => return Ok(AvroValue::Union(index as u32, Box::new(datum))),
                    Err(error) => {
                        if !matches!(variant, AvroSchema::Null) {
                            first_error.get_or_insert(error);
                        }
                    }
                }
            }
            // With one branch besides null, what that branch wanted says the most.
            let others = variants
                .iter()
                .filter(|variant| !matches!(variant, AvroSchema::Null))
                .count();
            return Err(match first_error {
                Some(error) if others == 1 => error,
                _ => wrong_type(schema, value, path),
            });
        }
        AvroSchema::Record(record) => {
            let Value::Map(entries) = value else {
                return Err(wrong_type(schema, value, path));
            };
            for (index, (key, _)) in entries.iter().enumerate() {
                let known = matches!(key, Value::Text(name) if record.lookup.contains_key(name));
                if !known {
                    return Err(path.enter(Path::map_step(index, key), |path| {
                        Err(path.error(EncodeProblem::NoSuchField))
                    })?);
                }
            }
            let inner = record.name.fully_qualified_name(namespace).namespace;
            let mut fields = Vec::with_capacity(record.fields.len());
            for field in &record.fields {
                let given = entries
                    .iter()
                    .find(|(key, _)| matches!(key, Value::Text(name) if *name == field.name));
                let step = PathStep::Key(field.name.clone());
                let datum = path.enter(step, |path| match (given, &field.default) {
                    (Some((_, item)), _) => datum_from(&field.schema, &inner, names, item, path),
                    (None, Some(default)) => {
                        datum_from(&field.schema, &inner, names, &from_json(default), path)
                    }
                    (None, None) => Err(path.error(EncodeProblem::MissingField)),
                })?;
                fields.push((field.name.clone(), datum));
            }
            AvroValue::Record(fields)
        }
        AvroSchema::Enum(enumeration) => {
            let symbol = text(path)?;
            let index = enumeration
                .symbols
                .iter()
                .position(|candidate| *candidate == symbol)
                .ok_or_else(|| path.error(EncodeProblem::NoSuchEnumValue))?;
            AvroValue::Enum(index as u32, symbol)
        }
    })
}

/// A field's default, as the schema's JSON writes it.
fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(bool) => Value::Bool(*bool),
        serde_json::Value::Number(number) => match (number.as_i64(), number.as_u64()) {
            (Some(integer), _) => Value::Integer(integer.into()),
            (_, Some(integer)) => Value::Integer(integer.into()),
            _ => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(text) => Value::Text(text.clone()),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(from_json).collect()),
        serde_json::Value::Object(members) => Value::Map(
            members
                .iter()
                .map(|(key, item)| (Value::Text(key.clone()), from_json(item)))
                .collect(),
        ),
    }
}
