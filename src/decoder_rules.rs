//! Payload decoders per topic: an ordered list of (topic filter → format) rules, saved with the
//! connection settings (profiles, the share link); the first rule whose filter matches a
//! message's topic decodes its payload. Matching is the core's (`mqtt_core::topic::matches`),
//! as a subscription would match.
//!
//! A Protobuf or Avro rule carries its `.proto` or `.avsc` files and type ([`MessageSchema`]),
//! saved with it (at most `MAX_SCHEMA_BYTES` of text). Sparkplug B needs nothing more: its schema is
//! built into the decoder Worker, and [`default_rules`] give it `spBv1.0/#`.
//!
//! Also the JSON side of encoding: the publish form's JSON as a `payload_decoders::Value`,
//! with errors that name the field.

use mqtt_core::topic::{matches, validate_topic_filter};
use payload_decoders::js::Request;
use payload_decoders::sparkplug::{parse_topic, Topic};
use payload_decoders::{
    CompileError, DecodeError, DecodeProblem, EncodeError, EncodeProblem, Expected, Format, Kind,
    MessageSchema, PathStep, SchemaError, SchemaFile, Value as Decoded, MAX_SCHEMA_BYTES,
};

use crate::i18n::{Key, Text};
use crate::json::Value;
use crate::number::parse_decimal;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecoderRule {
    pub filter: String,
    pub format: Format,
    /// A Protobuf or Avro rule's files and type; `None` for every other format.
    pub schema: Option<MessageSchema>,
}

/// The format of the first rule matching `topic`.
pub fn decoder_for(rules: &[DecoderRule], topic: &str) -> Option<Format> {
    rule_for(rules, topic).map(|rule| rule.format)
}

/// The first rule matching `topic`, with its schema.
pub fn rule_for<'a>(rules: &'a [DecoderRule], topic: &str) -> Option<&'a DecoderRule> {
    rules.iter().find(|rule| matches(&rule.filter, topic))
}

/// The rules a new connection starts with: Sparkplug B on its namespace.
pub fn default_rules() -> Vec<DecoderRule> {
    vec![DecoderRule {
        filter: "spBv1.0/#".to_owned(),
        format: Format::SparkplugB,
        schema: None,
    }]
}

/// The decoder Worker's request that decodes `payload` of `topic` as `format` says: with a
/// Protobuf or Avro rule's `schema`, or with the aliases Sparkplug B `session` has observed.
pub fn decode_request(
    format: Format,
    schema: Option<&MessageSchema>,
    session: u32,
    topic: &str,
    payload: Vec<u8>,
) -> Request {
    match (format, schema) {
        (format, Some(schema)) if format.takes_schema() => Request::DecodeMessage {
            schema: schema.clone(),
            payload,
        },
        (Format::SparkplugB, _) => Request::DecodeSparkplug {
            session,
            topic: topic.to_owned(),
            payload,
        },
        _ => Request::Decode(payload),
    }
}

/// The request that encodes `value` to publish on `topic`, as [`decode_request`] decodes:
/// Sparkplug B's sequence numbers are `session`'s.
pub fn encode_request(
    format: Format,
    schema: Option<&MessageSchema>,
    session: u32,
    topic: &str,
    value: Decoded,
) -> Request {
    match (format, schema) {
        (format, Some(schema)) if format.takes_schema() => Request::EncodeMessage {
            schema: schema.clone(),
            value,
        },
        (Format::SparkplugB, _) => Request::EncodeSparkplug {
            session,
            topic: topic.to_owned(),
            value,
        },
        _ => Request::Encode(value),
    }
}

/// The request that lets Sparkplug B `session` learn from a message as it arrives, if the
/// rules decode `topic` as Sparkplug B and the message is a birth or a node's death (the only
/// ones that change aliases).
pub fn observe_request(
    rules: &[DecoderRule],
    session: u32,
    topic: &str,
    payload: &[u8],
) -> Option<Request> {
    let announces = match parse_topic(topic)? {
        Topic::Edge { message_type, .. } => message_type.announces_aliases(),
        Topic::State { .. } => false,
    };
    (announces && decoder_for(rules, topic) == Some(Format::SparkplugB)).then(|| {
        Request::ObserveSparkplug {
            session,
            topic: topic.to_owned(),
            payload: payload.to_vec(),
        }
    })
}

/// Why a rule cannot be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleProblem {
    InvalidFilter,
    /// A Protobuf or Avro rule without schema files or a type.
    NoMessageType,
    /// More schema text than a rule keeps.
    SchemaTooLarge {
        size: usize,
        limit: usize,
    },
}

/// A rule from the panel's fields: the filter must be one a subscription could use.
pub fn rule(filter: &str, format: Format) -> Result<DecoderRule, RuleProblem> {
    rule_with(filter, format, None)
}

/// A rule with its schema, which a Protobuf or Avro rule needs and others leave out.
pub fn rule_with(
    filter: &str,
    format: Format,
    schema: Option<MessageSchema>,
) -> Result<DecoderRule, RuleProblem> {
    let filter = filter.trim();
    validate_topic_filter(filter).map_err(|_| RuleProblem::InvalidFilter)?;
    let schema = match (format, schema) {
        (format, Some(schema)) if format.takes_schema() && !schema.message.is_empty() => {
            let size = schema.size();
            if size > MAX_SCHEMA_BYTES {
                return Err(RuleProblem::SchemaTooLarge {
                    size,
                    limit: MAX_SCHEMA_BYTES,
                });
            }
            Some(schema)
        }
        (format, _) if format.takes_schema() => return Err(RuleProblem::NoMessageType),
        _ => None,
    };
    Ok(DecoderRule {
        filter: filter.to_owned(),
        format,
        schema,
    })
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

/// The rules as JSON: `[{"filter": "...", "decoder": "cbor"}, …]`; a Protobuf or Avro rule also
/// has `"message": "pkg.Type"` and `"files": [{"name": "a.proto", "text": "..."}, …]`.
pub fn rules_to_json(rules: &[DecoderRule]) -> Value {
    Value::Array(
        rules
            .iter()
            .map(|rule| {
                let mut members = vec![
                    ("filter".to_owned(), string(&rule.filter)),
                    ("decoder".to_owned(), string(rule.format.name())),
                ];
                if let Some(schema) = &rule.schema {
                    members.push(("message".to_owned(), string(&schema.message)));
                    let files = schema.files.iter().map(|file| {
                        Value::Object(vec![
                            ("name".to_owned(), string(&file.name)),
                            ("text".to_owned(), string(&file.text)),
                        ])
                    });
                    members.push(("files".to_owned(), Value::Array(files.collect())));
                }
                Value::Object(members)
            })
            .collect(),
    )
}

fn schema_from_json(item: &Value) -> Option<MessageSchema> {
    let files = item
        .get("files")?
        .as_array()?
        .iter()
        .map(|file| {
            Some(SchemaFile {
                name: file.get("name")?.as_str()?.to_owned(),
                text: file.get("text")?.as_str()?.to_owned(),
            })
        })
        .collect::<Option<_>>()?;
    Some(MessageSchema {
        files,
        message: item.get("message")?.as_str()?.to_owned(),
    })
}

/// Rules from `rules_to_json` output; a rule with an invalid filter, an unknown decoder (a
/// later version's, say), or a Protobuf or Avro rule without its schema or with too large a one, is
/// left out, and anything but an array gives none.
pub fn rules_from_json(value: &Value) -> Vec<DecoderRule> {
    value
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter_map(|item| {
            let format = Format::from_name(item.get("decoder")?.as_str()?)?;
            rule_with(
                item.get("filter")?.as_str()?,
                format,
                schema_from_json(item),
            )
            .ok()
        })
        .collect()
}

/// Why the publish form's JSON cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonFieldError {
    /// From the top-level value to the field.
    pub path: Vec<PathStep>,
    pub problem: JsonFieldProblem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonFieldProblem {
    /// A number no float holds (such as 1e400).
    NumberOutOfRange,
}

/// The publish form's parsed JSON as a tree to encode: numbers written as integers stay
/// integers, others become floats.
pub fn json_to_decoded(value: &Value) -> Result<Decoded, JsonFieldError> {
    let mut path = Vec::new();
    convert(value, &mut path)
}

/// A JSON text (a periodic or load-test payload, its placeholders filled) as a tree to encode
/// as `format`, or why not: where the JSON is wrong, or which field no format holds.
pub fn json_text_to_decoded(format: Format, text: &str) -> Result<Decoded, Text> {
    let json = crate::json::parse(text).map_err(|_| {
        // parse_input words the same error with its character.
        match crate::payload::parse_input(crate::payload::PayloadFormat::Json, text) {
            Err(error) => error.text(),
            Ok(_) => Text::new(Key::JsonUnexpectedCharacter),
        }
    })?;
    json_to_decoded(&json).map_err(|error| json_field_error_text(format, &error))
}

/// A JSON number's value (its text is checked against the grammar already): an integer when it
/// is written as one and fits, otherwise a float (through `parseFloat`, as `number.rs` does);
/// `None` for a number no float holds, such as `1e400`.
fn json_number(text: &str) -> Option<Decoded> {
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(integer) = text.parse::<i128>() {
            return Some(Decoded::Integer(integer));
        }
    }
    parse_decimal(text).map(Decoded::Float)
}

fn convert(value: &Value, path: &mut Vec<PathStep>) -> Result<Decoded, JsonFieldError> {
    Ok(match value {
        Value::Null => Decoded::Null,
        Value::Bool(bool) => Decoded::Bool(*bool),
        Value::Number(text) => json_number(text).ok_or_else(|| JsonFieldError {
            path: path.clone(),
            problem: JsonFieldProblem::NumberOutOfRange,
        })?,

        Value::String(text) => Decoded::Text(text.clone()),
        Value::Array(items) => {
            let mut converted = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                path.push(PathStep::Index(index));
                converted.push(convert(item, path)?);
                path.pop();
            }
            Decoded::Array(converted)
        }
        Value::Object(members) => {
            let mut converted = Vec::with_capacity(members.len());
            for (name, item) in members {
                path.push(PathStep::Key(name.clone()));
                converted.push((Decoded::Text(name.clone()), convert(item, path)?));
                path.pop();
            }
            Decoded::Map(converted)
        }
    })
}

/// A field's path as the app shows it: `$`, `$.a[2].b`, `$["odd key"]`, `${3}` for a
/// map entry whose key is not text, `$<>` inside a tag.
pub fn path_text(path: &[PathStep]) -> String {
    let mut text = String::from("$");
    for step in path {
        match step {
            PathStep::Index(index) => text.push_str(&format!("[{index}]")),
            PathStep::Key(key)
                if !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_') =>
            {
                text.push('.');
                text.push_str(key);
            }
            PathStep::Key(key) => {
                text.push('[');
                text.push_str(&Value::String(key.clone()).to_compact());
                text.push(']');
            }
            PathStep::Entry(entry) => text.push_str(&format!("{{{entry}}}")),
            PathStep::Tagged => text.push_str("<>"),
        }
    }
    text
}

/// A format's name for people.
pub fn format_key(format: Format) -> Key {
    match format {
        Format::Cbor => Key::DecoderCbor,
        Format::MessagePack => Key::DecoderMsgpack,
        Format::Protobuf => Key::DecoderProtobuf,
        Format::SparkplugB => Key::DecoderSparkplugB,
        Format::Avro => Key::DecoderAvro,
    }
}

/// What a format's schema files are called (`.proto files`, `.avsc files`).
pub fn files_key(format: Format) -> Key {
    match format {
        Format::Avro => Key::DecodersAvroFiles,
        _ => Key::DecodersProtoFiles,
    }
}

/// A value's type, as the tree names it.
pub fn kind_key(kind: Kind) -> Key {
    match kind {
        Kind::Null => Key::DecodedTypeNull,
        Kind::Undefined => Key::DecodedTypeUndefined,
        Kind::Bool => Key::DecodedTypeBool,
        Kind::Integer => Key::DecodedTypeInteger,
        Kind::Float => Key::DecodedTypeFloat,
        Kind::Text => Key::DecodedTypeText,
        Kind::Bytes => Key::DecodedTypeBytes,
        Kind::Array => Key::DecodedTypeArray,
        Kind::Map => Key::DecodedTypeMap,
        Kind::Tagged => Key::DecodedTypeTagged,
        Kind::Simple => Key::DecodedTypeSimple,
    }
}

fn expected_key(expected: Expected) -> Key {
    match expected {
        Expected::Value => Key::DecodeExpectedValue,
        Expected::Argument => Key::DecodeExpectedArgument,
        Expected::Content => Key::DecodeExpectedContent,
        Expected::Chunk => Key::DecodeExpectedChunk,
        Expected::Field => Key::DecodeExpectedField,
    }
}

/// Why a payload is not `format`, and where.
pub fn decode_error_text(format: Format, error: &DecodeError) -> Text {
    let problem = match error.problem {
        DecodeProblem::End { expected } => {
            Text::new(Key::DecodeProblemEnd).with("expected", expected_key(expected))
        }
        DecodeProblem::Byte { found, expected } => Text::new(Key::DecodeProblemByte)
            .with("found", format!("{found:02x}"))
            .with("expected", expected_key(expected)),
        DecodeProblem::InvalidUtf8 => Text::new(Key::DecodeProblemUtf8),
        DecodeProblem::TrailingBytes { count } => {
            Text::new(Key::DecodeProblemTrailing).number("trailing", count as u64)
        }
        DecodeProblem::LengthBeyondPayload { length, remaining } => {
            Text::new(Key::DecodeProblemLength)
                .number("length", length)
                .number("remaining", remaining as u64)
        }
        DecodeProblem::TooDeep { limit } => {
            Text::new(Key::DecodeProblemTooDeep).number("limit", limit as u64)
        }
        DecodeProblem::TooManyNodes { limit } => {
            Text::new(Key::DecodeProblemTooMany).number("limit", limit as u64)
        }
        DecodeProblem::WireType { field, wire_type } => Text::new(Key::DecodeProblemWireType)
            .with("field", field.to_string())
            .with("wire", wire_type.to_string()),
        DecodeProblem::NotTheMessage => Text::new(Key::DecodeProblemNotTheMessage),
        DecodeProblem::NoSchema => Text::new(Key::SchemaMissing).with("files", files_key(format)),
        DecodeProblem::IndexOutOfRange { index, count } => Text::new(Key::DecodeProblemIndex)
            .with("index", index.to_string())
            .number("count", count as u64),
    };
    Text::new(Key::DecodedError)
        .with("format", format_key(format))
        .number("offset", error.offset as u64)
        .with("problem", problem)
}

/// Why the publish form's value cannot be written as `format`, naming the field.
pub fn encode_error_text(format: Format, error: &EncodeError) -> Text {
    let problem = match error.problem {
        EncodeProblem::IntegerOutOfRange => Text::new(Key::EncodeProblemRange),
        EncodeProblem::NotInFormat { kind } => Text::new(Key::EncodeProblemNotInFormat)
            .with("format", format_key(format))
            .with("kind", kind_key(kind)),
        EncodeProblem::ReservedSimple { value } => {
            Text::new(Key::EncodeProblemReservedSimple).with("value", value.to_string())
        }
        EncodeProblem::TooLong => Text::new(Key::EncodeProblemTooLong),
        EncodeProblem::TooDeep { limit } => {
            Text::new(Key::EncodeProblemTooDeep).number("limit", limit as u64)
        }
        EncodeProblem::NoSuchField => Text::new(Key::EncodeProblemNoSuchField),
        EncodeProblem::FieldType { expected, found } => Text::new(Key::EncodeProblemFieldType)
            .with("kind", kind_key(found))
            .with("type", expected.name()),
        EncodeProblem::NoSuchEnumValue => Text::new(Key::EncodeProblemNoSuchEnumValue),
        EncodeProblem::InvalidBase64 => Text::new(Key::EncodeProblemBase64),
        EncodeProblem::NoSchema => Text::new(Key::SchemaMissing).with("files", files_key(format)),
        EncodeProblem::MissingField => Text::new(Key::EncodeProblemMissingField),
        EncodeProblem::WrongSize { expected, found } => Text::new(Key::EncodeProblemWrongSize)
            .number("expected", expected as u64)
            .number("found", found as u64),
    };
    field_error(format, &error.path, problem)
}

/// Why the publish form's JSON cannot be encoded, naming the field.
pub fn json_field_error_text(format: Format, error: &JsonFieldError) -> Text {
    let problem = match error.problem {
        JsonFieldProblem::NumberOutOfRange => Text::new(Key::EncodeProblemRange),
    };
    field_error(format, &error.path, problem)
}

/// Why `format`'s schema files cannot be used: the compiler's message (data, in its English)
/// at its place, a missing type, or too much text.
pub fn schema_error_text(format: Format, error: &SchemaError) -> Text {
    let text = match error {
        SchemaError::Compile(CompileError {
            file,
            line,
            column,
            message,
        }) => {
            let place = match (file, line, column) {
                (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}"),
                (Some(file), Some(line), None) => format!("{file}:{line}"),
                (Some(file), None, _) => file.clone(),
                (None, ..) => String::new(),
            };
            Text::new(Key::SchemaCompileError)
                .with("place", place)
                .with("message", message.clone())
        }
        SchemaError::NoSuchMessage(name) => {
            Text::new(Key::SchemaNoSuchMessage).with("message", name.clone())
        }
        SchemaError::TooLarge { size, limit } => Text::new(Key::SchemaTooLarge)
            .number("size", *size as u64)
            .number("limit", *limit as u64),
    };
    text.with("files", files_key(format))
}

fn field_error(format: Format, path: &[PathStep], problem: Text) -> Text {
    Text::new(Key::EncodeError)
        .with("field", path_text(path))
        .with("format", format_key(format))
        .with("problem", problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn rules() -> Vec<DecoderRule> {
        vec![
            rule("sensors/+/cbor", Format::Cbor).unwrap(),
            rule("sensors/#", Format::MessagePack).unwrap(),
        ]
    }

    #[test]
    fn the_first_matching_rule_decodes() {
        let rules = rules();
        assert_eq!(decoder_for(&rules, "sensors/a/cbor"), Some(Format::Cbor));
        assert_eq!(
            decoder_for(&rules, "sensors/a/b"),
            Some(Format::MessagePack)
        );
        assert_eq!(decoder_for(&rules, "sensors"), Some(Format::MessagePack));
        assert_eq!(decoder_for(&rules, "other"), None);
        assert_eq!(decoder_for(&[], "sensors/a/cbor"), None);
    }

    #[test]
    fn rules_need_a_valid_filter() {
        assert_eq!(rule("a/#/b", Format::Cbor), Err(RuleProblem::InvalidFilter));
        assert_eq!(rule("", Format::Cbor), Err(RuleProblem::InvalidFilter));
        assert_eq!(
            rule(" a/+ ", Format::Cbor).map(|r| r.filter),
            Ok("a/+".into())
        );
    }

    #[test]
    fn rules_survive_json_and_odd_entries_are_left_out() {
        let rules = rules();
        assert_eq!(rules_from_json(&rules_to_json(&rules)), rules);
        let odd = parse(
            r##"[{"filter": "a/#/b", "decoder": "cbor"}, {"filter": "x", "decoder": "bson"},
                {"filter": "y"}, 3, {"filter": "z", "decoder": "msgpack"},
                {"filter": "w", "decoder": "avro"}]"##,
        )
        .unwrap();
        assert_eq!(
            rules_from_json(&odd),
            [rule("z", Format::MessagePack).unwrap()]
        );
        assert_eq!(rules_from_json(&parse("{}").unwrap()), []);
    }

    fn schema(text: &str) -> MessageSchema {
        MessageSchema {
            files: vec![SchemaFile {
                name: "a.proto".into(),
                text: text.into(),
            }],
            message: "demo.A".into(),
        }
    }

    #[test]
    fn protobuf_rules_keep_their_schema_within_the_limit() {
        let kept = rule_with(
            "pb/#",
            Format::Protobuf,
            Some(schema("syntax = \"proto3\";")),
        )
        .unwrap();
        let avro = rule_with("av/#", Format::Avro, Some(schema("\"string\""))).unwrap();
        let rules = vec![kept.clone(), rule("x", Format::Cbor).unwrap(), avro];
        assert_eq!(rules_from_json(&rules_to_json(&rules)), rules);
        assert_eq!(
            rule_with("av/#", Format::Avro, None),
            Err(RuleProblem::NoMessageType)
        );
        assert_eq!(
            rule_with("pb/#", Format::Protobuf, None),
            Err(RuleProblem::NoMessageType)
        );
        let big = schema(&"x".repeat(MAX_SCHEMA_BYTES + 1));
        assert_eq!(
            rule_with("pb/#", Format::Protobuf, Some(big.clone())),
            Err(RuleProblem::SchemaTooLarge {
                size: MAX_SCHEMA_BYTES + 1,
                limit: MAX_SCHEMA_BYTES
            })
        );
        // Saved or shared before (or edited by hand), a too large schema is left out.
        let mut json = rules_to_json(&[kept]);
        if let Value::Array(items) = &mut json {
            if let Value::Object(members) = &mut items[0] {
                members.retain(|(name, _)| name != "files");
                members.push((
                    "files".into(),
                    Value::Array(vec![Value::Object(vec![
                        ("name".into(), Value::String("a.proto".into())),
                        ("text".into(), Value::String(big.files[0].text.clone())),
                    ])]),
                ));
            }
        }
        assert_eq!(rules_from_json(&json), []);
        // Other formats keep no schema.
        assert_eq!(
            rule_with("x", Format::SparkplugB, Some(schema(""))).map(|rule| rule.schema),
            Ok(None)
        );
    }

    #[test]
    fn births_and_deaths_go_to_the_session_as_they_arrive() {
        let rules = default_rules();
        let observed = |topic: &str| observe_request(&rules, 4, topic, &[1]).is_some();
        assert!(observed("spBv1.0/g/NBIRTH/e"));
        assert!(observed("spBv1.0/g/DBIRTH/e/d"));
        assert!(observed("spBv1.0/g/NDEATH/e"));
        assert!(!observed("spBv1.0/g/NDATA/e"));
        assert!(!observed("spBv1.0/g/DDEATH/e/d"));
        assert!(!observed("spBv1.0/STATE/host"));
        // Not when the rules decode the namespace otherwise.
        let cbor = [rule("#", Format::Cbor).unwrap()];
        assert_eq!(observe_request(&cbor, 4, "spBv1.0/g/NBIRTH/e", &[1]), None);
        assert_eq!(
            decode_request(Format::SparkplugB, None, 4, "spBv1.0/g/NDATA/e", vec![1]),
            Request::DecodeSparkplug {
                session: 4,
                topic: "spBv1.0/g/NDATA/e".into(),
                payload: vec![1]
            }
        );
        assert_eq!(
            decode_request(Format::Cbor, None, 4, "t", vec![1]),
            Request::Decode(vec![1])
        );
    }

    #[test]
    fn sparkplug_b_decodes_its_namespace_by_default() {
        let rules = default_rules();
        assert_eq!(
            decoder_for(&rules, "spBv1.0/plant/NDATA/edge1"),
            Some(Format::SparkplugB)
        );
        assert_eq!(decoder_for(&rules, "plant/NDATA"), None);
    }

    #[test]
    fn compile_errors_read_with_their_place() {
        let text = schema_error_text(
            Format::Protobuf,
            &SchemaError::Compile(CompileError {
                file: Some("a.proto".into()),
                line: Some(3),
                column: Some(7),
                message: "expected ';'".into(),
            }),
        );
        assert_eq!(
            text,
            Text::new(Key::SchemaCompileError)
                .with("place", "a.proto:3:7")
                .with("message", "expected ';'")
                .with("files", Key::DecodersProtoFiles)
        );
    }

    #[test]
    fn json_becomes_a_tree_and_bad_numbers_name_their_field() {
        let json = parse(r#"{"a": [1, 2.5, "x", null, true], "b": {}}"#).unwrap();
        assert_eq!(
            json_to_decoded(&json),
            Ok(Decoded::Map(vec![
                (
                    Decoded::Text("a".into()),
                    Decoded::Array(vec![
                        Decoded::Integer(1),
                        Decoded::Float(2.5),
                        Decoded::Text("x".into()),
                        Decoded::Null,
                        Decoded::Bool(true),
                    ])
                ),
                (Decoded::Text("b".into()), Decoded::Map(vec![])),
            ]))
        );
        let json =
            parse("[-12, 18446744073709551616, 1e2, 1000000000000000000000000000000000000000000]")
                .unwrap();
        assert_eq!(
            json_to_decoded(&json),
            Ok(Decoded::Array(vec![
                Decoded::Integer(-12),
                Decoded::Integer(1 << 64),
                Decoded::Float(100.0),
                Decoded::Float(1e42),
            ]))
        );
        let json = parse(r#"{"readings": [1, 1e400]}"#).unwrap();
        let error = json_to_decoded(&json).unwrap_err();
        assert_eq!(error.problem, JsonFieldProblem::NumberOutOfRange);
        assert_eq!(path_text(&error.path), "$.readings[1]");
    }

    #[test]
    fn json_text_errors_say_where() {
        assert_eq!(
            json_text_to_decoded(Format::Cbor, r#"{"n": 1}"#),
            Ok(Decoded::Map(vec![(
                Decoded::Text("n".into()),
                Decoded::Integer(1)
            )]))
        );
        let field = json_text_to_decoded(Format::Cbor, r#"{"n": [1e999]}"#).unwrap_err();
        assert_eq!(field.key, Key::EncodeError);
        let syntax = json_text_to_decoded(Format::Cbor, r#"{"n": }"#).unwrap_err();
        assert_eq!(syntax.key, Key::InvalidJson);
        // An empty payload is no JSON value to encode.
        assert!(json_text_to_decoded(Format::MessagePack, " ").is_err());
    }

    #[test]
    fn paths_read_like_json_paths() {
        assert_eq!(path_text(&[]), "$");
        assert_eq!(
            path_text(&[
                PathStep::Key("odd key".into()),
                PathStep::Entry(3),
                PathStep::Tagged,
                PathStep::Index(0),
            ]),
            r#"$["odd key"]{3}<>[0]"#
        );
    }
}
