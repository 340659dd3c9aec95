//! Binary payload decoders and encoders for the app: CBOR (`minicbor`), MessagePack (`rmp`),
//! Protobuf of the user's `.proto` files (`protox` compiles them, `prost-reflect` reads and
//! writes the messages), Sparkplug B (the same, over the built-in `sparkplug_b.proto`) and Avro
//! of the user's `.avsc` files (`apache-avro`), into one typed tree, [`Value`], and back.
//!
//! Without the `codecs` feature the crate is only the tree's types, the formats' names and the
//! error types: what the page needs to show a decoded payload. The codecs themselves
//! ([`decode`], [`encode`]) build with `codecs`, into the decoder Worker, a second wasm module
//! the page loads on first use, so they never weigh on the first download.
//!
//! Decoding is bounded: nesting depth, the number of nodes, and every length checked against
//! the bytes left before anything is allocated, so hostile bytes end in a [`DecodeError`],
//! never in a panic or a huge allocation. Errors are typed values (where, and what was
//! expected there); the app words them.

#[cfg(feature = "codecs")]
pub mod avro;
#[cfg(feature = "codecs")]
mod cbor;
pub mod js;
#[cfg(feature = "codecs")]
mod msgpack;
#[cfg(feature = "codecs")]
pub mod protobuf;
pub mod sparkplug;

/// A decoded payload: the data model CBOR and MessagePack share, plus what only one of them has
/// (CBOR's tags, undefined and simple values; MessagePack's extension types).
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    /// CBOR's `undefined` (simple value 23).
    Undefined,
    Bool(bool),
    /// Wide enough for both formats: CBOR's −2⁶⁴ … 2⁶⁴−1 and MessagePack's i64 and u64.
    Integer(i128),
    /// Half, single and double precision floats, widened.
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    /// Entries in the order they came; keys may be any value and may repeat.
    Map(Vec<(Value, Value)>),
    /// A CBOR tag around a value, or a MessagePack extension type around its bytes.
    Tagged {
        tag: Tag,
        value: Box<Value>,
    },
    /// A CBOR simple value other than false, true, null and undefined.
    Simple(u8),
}

/// What a [`Value::Tagged`] is tagged with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// A CBOR tag number (RFC 8949 §3.4).
    Cbor(u64),
    /// A MessagePack extension type; its value is the extension's bytes.
    Extension(i8),
}

/// Floats compare by their bits, so the relation is an equivalence (a NaN equals itself, and
/// 0.0 differs from −0.0): what a round trip must keep.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Undefined, Value::Undefined) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (
                Value::Tagged { tag, value },
                Value::Tagged {
                    tag: other_tag,
                    value: other_value,
                },
            ) => tag == other_tag && value == other_value,
            (Value::Simple(a), Value::Simple(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

/// A value's type, which the app names beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Undefined,
    Bool,
    Integer,
    Float,
    Text,
    Bytes,
    Array,
    Map,
    Tagged,
    Simple,
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Undefined => Kind::Undefined,
            Value::Bool(_) => Kind::Bool,
            Value::Integer(_) => Kind::Integer,
            Value::Float(_) => Kind::Float,
            Value::Text(_) => Kind::Text,
            Value::Bytes(_) => Kind::Bytes,
            Value::Array(_) => Kind::Array,
            Value::Map(_) => Kind::Map,
            Value::Tagged { .. } => Kind::Tagged,
            Value::Simple(_) => Kind::Simple,
        }
    }
}

/// A payload encoding the crate decodes and encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Cbor,
    MessagePack,
    /// A message type of the user's `.proto` files: decoded and encoded with a
    /// [`MessageSchema`] (`protobuf::decode`), never by [`decode`] alone.
    Protobuf,
    /// Sparkplug B's `Payload` message; metric names from the births' aliases with
    /// `sparkplug::Aliases`.
    SparkplugB,
    /// A type of the user's Avro schemas (`.avsc`): like [`Format::Protobuf`], only with a
    /// [`MessageSchema`] (`avro::Schema::decode`).
    Avro,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Cbor,
        Format::MessagePack,
        Format::Protobuf,
        Format::SparkplugB,
        Format::Avro,
    ];

    /// Whether the format decodes only with the user's schema files and a type of theirs.
    pub fn takes_schema(self) -> bool {
        matches!(self, Format::Protobuf | Format::Avro)
    }

    /// The format's stable name: in saved rules, share links and messages to the Worker.
    pub fn name(self) -> &'static str {
        match self {
            Format::Cbor => "cbor",
            Format::MessagePack => "msgpack",
            Format::Protobuf => "protobuf",
            Format::SparkplugB => "sparkplug-b",
            Format::Avro => "avro",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }
}

/// How far a decoder may go on one payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Arrays, maps and tags inside one another (the top-level value is at depth 0).
    pub max_depth: usize,
    /// Values in the whole tree, map keys included.
    pub max_nodes: usize,
}

impl Limits {
    /// Deep enough for real data, shallow enough for the recursive decoders, encoders and the
    /// tree view on the wasm stack.
    pub const DEFAULT: Limits = Limits {
        max_depth: 64,
        max_nodes: 100_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Why a payload does not decode, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset in the payload of the item that failed (for trailing bytes, of the first
    /// byte after the value).
    pub offset: usize,
    pub problem: DecodeProblem,
}

#[cfg(feature = "codecs")]
impl DecodeError {
    /// The byte at `offset`, where a value begins, or the error of a payload ended there.
    pub(crate) fn value_start(payload: &[u8], offset: usize) -> Result<u8, DecodeError> {
        payload.get(offset).copied().ok_or(DecodeError {
            offset,
            problem: DecodeProblem::End {
                expected: Expected::Value,
            },
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeProblem {
    /// The payload ended where `expected` should have been.
    End { expected: Expected },
    /// The byte at the offset cannot begin `expected`.
    Byte { found: u8, expected: Expected },
    /// Text that is not UTF-8.
    InvalidUtf8,
    /// The value ended before the payload did.
    TrailingBytes { count: usize },
    /// A length (of a string, or of a collection, whose items take a byte each at least) that
    /// the bytes left cannot hold.
    LengthBeyondPayload { length: u64, remaining: usize },
    /// Nested deeper than [`Limits::max_depth`].
    TooDeep { limit: usize },
    /// More values than [`Limits::max_nodes`].
    TooManyNodes { limit: usize },
    /// Protobuf: the field with this number is of a type that is never sent with this wire
    /// type (the key's low three bits).
    WireType { field: u32, wire_type: u8 },
    /// Protobuf: bytes the message type does not read, for a reason the checks before it do not
    /// see (`prost-reflect`'s own refusal); the offset is the message's.
    NotTheMessage,
    /// A schema's format asked of [`decode`] or [`encode`], which have no schema files.
    NoSchema,
    /// Avro: a union's branch or an enum's symbol by an index past the `count` there are.
    IndexOutOfRange { index: i64, count: usize },
}

/// What a decoder expected at the place it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A value (a data item).
    Value,
    /// The bytes after a value's first byte that hold its length, number or tag.
    Argument,
    /// A string's or extension's content bytes.
    Content,
    /// A definite-length chunk of an indefinite-length CBOR string, of the string's type.
    Chunk,
    /// A Protobuf field's key: its number and wire type.
    Field,
}

/// A step from a value to one inside it, for [`EncodeError::path`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An array item, by position.
    Index(usize),
    /// A map entry's value, by its key when that is text.
    Key(String),
    /// A map entry whose key is not text, by position.
    Entry(usize),
    /// The value inside a tag.
    Tagged,
}

/// Why a value cannot be written in a format, and which field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError {
    /// From the top-level value to the field that failed; empty for the top-level value.
    pub path: Vec<PathStep>,
    pub problem: EncodeProblem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeProblem {
    /// An integer the format has no room for (CBOR: −2⁶⁴ … 2⁶⁴−1; MessagePack: i64 and u64).
    IntegerOutOfRange,
    /// A value of this kind the format does not have (CBOR tags and simple values in
    /// MessagePack, extension types in CBOR, an extension around anything but bytes).
    NotInFormat { kind: Kind },
    /// A simple value that CBOR reserves (20 to 31: false, true, null, undefined and the
    /// unassigned two-byte ones).
    ReservedSimple { value: u8 },
    /// A string or collection longer than the format can say (MessagePack: 2³²−1).
    TooLong,
    /// Nested deeper than [`Limits::max_depth`].
    TooDeep { limit: usize },
    /// Protobuf: the message type has no field of this name (the path's last step).
    NoSuchField,
    /// Protobuf: a value of this kind cannot be written in a field of this type.
    FieldType { expected: FieldType, found: Kind },
    /// Protobuf: the enum type has no value of this name.
    NoSuchEnumValue,
    /// Protobuf: text in a bytes field that is not base64 (as Protobuf's JSON writes bytes).
    InvalidBase64,
    /// A schema's format asked of [`encode`], which has no schema files.
    NoSchema,
    /// Avro: a record's field that is not given and has no default.
    MissingField,
    /// Avro: bytes for a fixed of another size.
    WrongSize { expected: usize, found: usize },
}

/// A Protobuf or Avro field's type, to say what a field wanted ([`EncodeProblem::FieldType`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Double,
    Float,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Sint32,
    Sint64,
    Fixed32,
    Fixed64,
    Sfixed32,
    Sfixed64,
    Bool,
    String,
    Bytes,
    Enum,
    Message,
    /// A repeated field, which takes an array.
    Repeated,
    /// A map field, which takes a map.
    Map,
    /// Avro's types that Protobuf has no keyword for (its `int`, `long`, `boolean`, … are
    /// named as their Protobuf twins: `int32`, `int64`, `bool`, …).
    Null,
    Record,
    Array,
    Union,
    Fixed,
}

impl FieldType {
    pub const ALL: [FieldType; 24] = [
        FieldType::Double,
        FieldType::Float,
        FieldType::Int32,
        FieldType::Int64,
        FieldType::Uint32,
        FieldType::Uint64,
        FieldType::Sint32,
        FieldType::Sint64,
        FieldType::Fixed32,
        FieldType::Fixed64,
        FieldType::Sfixed32,
        FieldType::Sfixed64,
        FieldType::Bool,
        FieldType::String,
        FieldType::Bytes,
        FieldType::Enum,
        FieldType::Message,
        FieldType::Repeated,
        FieldType::Map,
        FieldType::Null,
        FieldType::Record,
        FieldType::Array,
        FieldType::Union,
        FieldType::Fixed,
    ];

    /// The type as a `.proto` (or `.avsc`) file writes it (not translated: it is the
    /// language's keyword).
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Double => "double",
            FieldType::Float => "float",
            FieldType::Int32 => "int32",
            FieldType::Int64 => "int64",
            FieldType::Uint32 => "uint32",
            FieldType::Uint64 => "uint64",
            FieldType::Sint32 => "sint32",
            FieldType::Sint64 => "sint64",
            FieldType::Fixed32 => "fixed32",
            FieldType::Fixed64 => "fixed64",
            FieldType::Sfixed32 => "sfixed32",
            FieldType::Sfixed64 => "sfixed64",
            FieldType::Bool => "bool",
            FieldType::String => "string",
            FieldType::Bytes => "bytes",
            FieldType::Enum => "enum",
            FieldType::Message => "message",
            FieldType::Repeated => "repeated",
            FieldType::Map => "map",
            FieldType::Null => "null",
            FieldType::Record => "record",
            FieldType::Array => "array",
            FieldType::Union => "union",
            FieldType::Fixed => "fixed",
        }
    }
}

/// One of the user's schema files (`.proto`, `.avsc`): its name (as others import it) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SchemaFile {
    pub name: String,
    pub text: String,
}

/// What a Protobuf or Avro rule decodes with: the user's files and the type, by its full name
/// (`package.Message`, `namespace.Record`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MessageSchema {
    pub files: Vec<SchemaFile>,
    pub message: String,
}

/// The most schema text (all files together, in bytes) a rule keeps: it is saved with the
/// connection profile and carried by the share link.
pub const MAX_SCHEMA_BYTES: usize = 64 * 1024;

impl MessageSchema {
    /// The files' text, all together, in bytes.
    pub fn size(&self) -> usize {
        self.files.iter().map(|file| file.text.len()).sum()
    }
}

/// Refuses more schema text than [`MAX_SCHEMA_BYTES`], before anything compiles it.
#[cfg(feature = "codecs")]
pub(crate) fn within_schema_limit(files: &[SchemaFile]) -> Result<(), SchemaError> {
    let size: usize = files.iter().map(|file| file.text.len()).sum();
    if size > MAX_SCHEMA_BYTES {
        return Err(SchemaError::TooLarge {
            size,
            limit: MAX_SCHEMA_BYTES,
        });
    }
    Ok(())
}

/// Why schema files do not compile: where (the file, and the line and column from 1, when the
/// compiler points at one) and the compiler's message, which is data (`protox`'s or
/// `apache-avro`'s English).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

/// Why a [`MessageSchema`] cannot decode or encode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaError {
    Compile(CompileError),
    /// The files compile but have no message type of this name.
    NoSuchMessage(String),
    /// More text than [`MAX_SCHEMA_BYTES`].
    TooLarge {
        size: usize,
        limit: usize,
    },
}

/// Decodes a whole payload as one value of `format`.
#[cfg(feature = "codecs")]
pub fn decode(format: Format, payload: &[u8], limits: Limits) -> Result<Value, DecodeError> {
    match format {
        Format::Cbor => cbor::decode(payload, limits),
        Format::MessagePack => msgpack::decode(payload, limits),
        Format::SparkplugB => sparkplug::decode_payload(payload, limits),
        Format::Protobuf | Format::Avro => Err(DecodeError {
            offset: 0,
            problem: DecodeProblem::NoSchema,
        }),
    }
}

/// Encodes `value` in `format`; nesting is bounded by `limits.max_depth` as in decoding.
#[cfg(feature = "codecs")]
pub fn encode(format: Format, value: &Value, limits: Limits) -> Result<Vec<u8>, EncodeError> {
    match format {
        Format::Cbor => cbor::encode(value, limits),
        Format::MessagePack => msgpack::encode(value, limits),
        Format::SparkplugB => sparkplug::encode_payload(value, limits),
        Format::Protobuf | Format::Avro => Err(EncodeError {
            path: Vec::new(),
            problem: EncodeProblem::NoSchema,
        }),
    }
}

/// An integer in decimal, without Rust's `u128` formatting (which the page's download leaves
/// out): through `u64` when it fits, else nine digits at a time from 32-bit limbs.
pub fn integer_text(integer: i128) -> String {
    use core::fmt::Write;
    let sign = if integer < 0 { "-" } else { "" };
    let magnitude = integer.unsigned_abs();
    if let Ok(small) = u64::try_from(magnitude) {
        return format!("{sign}{small}");
    }
    let mut limbs = [
        (magnitude >> 96) as u32,
        (magnitude >> 64) as u32,
        (magnitude >> 32) as u32,
        magnitude as u32,
    ];
    let mut groups = Vec::new();
    while limbs.iter().any(|&limb| limb != 0) {
        let mut remainder = 0u64;
        for limb in &mut limbs {
            let current = (remainder << 32) | u64::from(*limb);
            *limb = (current / 1_000_000_000) as u32;
            remainder = current % 1_000_000_000;
        }
        groups.push(remainder);
    }
    let mut text = String::from(sign);
    for (index, group) in groups.iter().rev().enumerate() {
        // Writing to a String cannot fail.
        let _ = match index {
            0 => write!(text, "{group}"),
            _ => write!(text, "{group:09}"),
        };
    }
    text
}

/// The shared walk of both encoders: where in the tree they are, to name a failing field.
#[cfg(feature = "codecs")]
struct Path {
    steps: Vec<PathStep>,
    max_depth: usize,
}

#[cfg(feature = "codecs")]
impl Path {
    fn new(limits: Limits) -> Path {
        Path {
            steps: Vec::new(),
            max_depth: limits.max_depth,
        }
    }

    fn error(&self, problem: EncodeProblem) -> EncodeError {
        EncodeError {
            path: self.steps.clone(),
            problem,
        }
    }

    /// Runs `inside` one step deeper, refusing to go past the depth limit.
    fn enter<T>(
        &mut self,
        step: PathStep,
        inside: impl FnOnce(&mut Path) -> Result<T, EncodeError>,
    ) -> Result<T, EncodeError> {
        if self.steps.len() >= self.max_depth {
            return Err(self.error(EncodeProblem::TooDeep {
                limit: self.max_depth,
            }));
        }
        self.steps.push(step);
        let result = inside(self);
        self.steps.pop();
        result
    }

    /// The step to a map entry's value.
    fn map_step(index: usize, key: &Value) -> PathStep {
        match key {
            Value::Text(text) => PathStep::Key(text.clone()),
            _ => PathStep::Entry(index),
        }
    }
}

/// The shared bookkeeping of both decoders: how many nodes and how deep.
#[cfg(feature = "codecs")]
struct Budget {
    limits: Limits,
    nodes: usize,
}

#[cfg(feature = "codecs")]
impl Budget {
    fn new(limits: Limits) -> Budget {
        Budget { limits, nodes: 0 }
    }

    /// Counts one more value, starting at `offset`, at `depth`.
    fn node(&mut self, offset: usize, depth: usize) -> Result<(), DecodeError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(DecodeError {
                offset,
                problem: DecodeProblem::TooManyNodes {
                    limit: self.limits.max_nodes,
                },
            });
        }
        if depth > self.limits.max_depth {
            return Err(DecodeError {
                offset,
                problem: DecodeProblem::TooDeep {
                    limit: self.limits.max_depth,
                },
            });
        }
        Ok(())
    }

    /// Checks a collection of `length` items, each `min_item_bytes` at least, against the
    /// `remaining` bytes, and gives the capacity to reserve for it.
    fn collection(
        &self,
        offset: usize,
        length: u64,
        min_item_bytes: u64,
        remaining: usize,
    ) -> Result<usize, DecodeError> {
        match length.checked_mul(min_item_bytes) {
            Some(needed) if needed <= remaining as u64 => {
                Ok((length as usize).min(self.limits.max_nodes - self.nodes))
            }
            _ => Err(DecodeError {
                offset,
                problem: DecodeProblem::LengthBeyondPayload { length, remaining },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_in_decimal() {
        for integer in [
            0,
            -5,
            i128::from(u64::MAX),
            -(1 << 64),
            1 << 64,
            (1 << 100) + 12_345,
            i128::MIN,
            i128::MAX,
        ] {
            assert_eq!(integer_text(integer), integer.to_string());
        }
    }

    #[test]
    fn formats_have_stable_names() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
        }
        assert_eq!(Format::from_name("CBOR"), None);
    }

    #[test]
    fn floats_compare_by_bits() {
        assert_eq!(Value::Float(f64::NAN), Value::Float(f64::NAN));
        assert_ne!(Value::Float(0.0), Value::Float(-0.0));
    }
}
