//! Sparkplug B: the topic namespace (`spBv1.0/group/MESSAGE_TYPE/edge_node[/device]` and
//! `spBv1.0/STATE/host`), its `Payload` message, and the state a client keeps per connection
//! ([`Session`]): each edge node's metric aliases, announced in NBIRTH and DBIRTH and good until
//! its NDEATH or next NBIRTH, so alias-only metrics of NDATA/DDATA (and commands) get their
//! names back; and, for publishing, each edge node's sequence numbers.
//!
//! The schema (`proto/sparkplug_b.proto`) is compiled by `protox` on first use and read through
//! `protobuf.rs` like any user schema: no code is generated for it, so it adds only its text to
//! the decoder Worker. The topic's parsing builds without `codecs`, for the page.

#[cfg(feature = "codecs")]
use std::cell::OnceCell;
#[cfg(feature = "codecs")]
use std::collections::HashMap;

#[cfg(feature = "codecs")]
use prost_reflect::MessageDescriptor;

#[cfg(feature = "codecs")]
use crate::protobuf::{self, Schema};
#[cfg(feature = "codecs")]
use crate::{
    DecodeError, EncodeError, EncodeProblem, Limits, PathStep, SchemaError, SchemaFile, Value,
};

/// The built-in schema's text.
#[cfg(feature = "codecs")]
const SCHEMA: &str = include_str!("../proto/sparkplug_b.proto");
#[cfg(feature = "codecs")]
const PAYLOAD: &str = "org.eclipse.tahu.protobuf.Payload";

#[cfg(feature = "codecs")]
thread_local! {
    static DESCRIPTOR: OnceCell<MessageDescriptor> = const { OnceCell::new() };
}

/// The `Payload` message type, compiled once.
#[cfg(feature = "codecs")]
fn payload_type() -> MessageDescriptor {
    DESCRIPTOR.with(|cell| {
        cell.get_or_init(|| {
            let files = [SchemaFile {
                name: "sparkplug_b.proto".into(),
                text: SCHEMA.into(),
            }];
            // The built-in schema compiles: tests/sparkplug.rs checks it.
            let schema: Result<Schema, SchemaError> = protobuf::compile(&files);
            schema
                .and_then(|schema| schema.message(PAYLOAD))
                .expect("the built-in Sparkplug B schema compiles")
        })
        .clone()
    })
}

/// A Sparkplug B payload as its `Payload` message, with no aliases resolved.
#[cfg(feature = "codecs")]
pub fn decode_payload(payload: &[u8], limits: Limits) -> Result<Value, DecodeError> {
    protobuf::decode(&payload_type(), payload, limits)
}

/// A `Payload` from its tree (as [`decode_payload`] gives), sequence numbers as given.
#[cfg(feature = "codecs")]
pub fn encode_payload(value: &Value, limits: Limits) -> Result<Vec<u8>, EncodeError> {
    protobuf::encode(&payload_type(), value, limits)
}

/// What a Sparkplug B message is, by its topic's third level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    NBirth,
    NDeath,
    DBirth,
    DDeath,
    NData,
    DData,
    NCmd,
    DCmd,
}

impl MessageType {
    const ALL: [(MessageType, &'static str); 8] = [
        (MessageType::NBirth, "NBIRTH"),
        (MessageType::NDeath, "NDEATH"),
        (MessageType::DBirth, "DBIRTH"),
        (MessageType::DDeath, "DDEATH"),
        (MessageType::NData, "NDATA"),
        (MessageType::DData, "DDATA"),
        (MessageType::NCmd, "NCMD"),
        (MessageType::DCmd, "DCMD"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, name)| name)
    }

    fn from_name(name: &str) -> Option<MessageType> {
        Self::ALL
            .iter()
            .find(|(_, candidate)| *candidate == name)
            .map(|(kind, _)| *kind)
    }

    /// Whether the message changes the edge node's aliases: a birth or the node's death.
    pub fn announces_aliases(self) -> bool {
        matches!(
            self,
            MessageType::NBirth | MessageType::DBirth | MessageType::NDeath
        )
    }

    /// Whether the message is a device's (its topic ends in a device id).
    fn is_device(self) -> bool {
        matches!(
            self,
            MessageType::DBirth | MessageType::DDeath | MessageType::DData | MessageType::DCmd
        )
    }
}

/// A Sparkplug B topic, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Topic {
    /// `spBv1.0/STATE/host`: a host application's online state (a JSON payload).
    State { host: String },
    Edge {
        group: String,
        message_type: MessageType,
        edge_node: String,
        /// Present exactly for the device messages (DBIRTH, DDEATH, DDATA, DCMD).
        device: Option<String>,
    },
}

/// The namespace's first level.
pub const NAMESPACE: &str = "spBv1.0";

/// `topic` in the Sparkplug B namespace, or `None` for any other topic.
pub fn parse_topic(topic: &str) -> Option<Topic> {
    let mut levels = topic.split('/');
    if levels.next()? != NAMESPACE {
        return None;
    }
    let levels: Vec<&str> = levels.collect();
    if levels.iter().any(|level| level.is_empty()) {
        return None;
    }
    match levels.as_slice() {
        ["STATE", host] => Some(Topic::State {
            host: (*host).to_owned(),
        }),
        [group, kind, edge_node, rest @ ..] => {
            let message_type = MessageType::from_name(kind)?;
            let device = match (message_type.is_device(), rest) {
                (false, []) => None,
                (true, [device]) => Some((*device).to_owned()),
                _ => return None,
            };
            Some(Topic::Edge {
                group: (*group).to_owned(),
                message_type,
                edge_node: (*edge_node).to_owned(),
                device,
            })
        }
        _ => None,
    }
}

#[cfg(feature = "codecs")]
/// The value of `name` in a message tree (a map from field names).
fn field<'a>(message: &'a Value, name: &str) -> Option<&'a Value> {
    match message {
        Value::Map(entries) => entries
            .iter()
            .find(|(key, _)| matches!(key, Value::Text(text) if text == name))
            .map(|(_, value)| value),
        _ => None,
    }
}

#[cfg(feature = "codecs")]
fn field_mut<'a>(message: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    match message {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(key, _)| matches!(key, Value::Text(text) if text == name))
            .map(|(_, value)| value),
        _ => None,
    }
}

#[cfg(feature = "codecs")]
fn text(text: &str) -> Value {
    Value::Text(text.to_owned())
}

#[cfg(feature = "codecs")]
/// An edge node: its group and id.
type Node = (String, String);

#[cfg(feature = "codecs")]
/// One connection's Sparkplug B state: the aliases each edge node announced, and the sequence
/// numbers of what the user publishes as each edge node. Fed every message of the namespace in
/// arrival order ([`Session::decode`]), births and deaths included.
#[derive(Clone, Debug, Default)]
pub struct Session {
    aliases: HashMap<Node, HashMap<u64, String>>,
    sequences: HashMap<Node, Sequence>,
}

#[cfg(feature = "codecs")]
/// An edge node's next `seq` (0 to 255, then 0 again) and its next birth's `bdSeq`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sequence {
    seq: u8,
    bd_seq: u8,
}

#[cfg(feature = "codecs")]
impl Session {
    /// Decodes a message of `topic` as it arrives, in arrival order, as [`Session::decode`]
    /// does, and learns from it: a birth records its metrics' aliases (an NBIRTH first forgets
    /// the node's old ones); an NDEATH forgets them.
    pub fn observe(
        &mut self,
        topic: &str,
        payload: &[u8],
        limits: Limits,
    ) -> Result<Value, DecodeError> {
        let (node, message_type) = match parse_topic(topic) {
            Some(Topic::State { .. }) => {
                return Ok(match std::str::from_utf8(payload) {
                    Ok(json) => text(json),
                    Err(_) => Value::Bytes(payload.to_vec()),
                });
            }
            Some(Topic::Edge {
                group,
                message_type,
                edge_node,
                ..
            }) => ((group, edge_node), message_type),
            None => return decode_payload(payload, limits),
        };
        // A death forgets the aliases even when its payload does not decode.
        if message_type == MessageType::NDeath {
            self.aliases.remove(&node);
        }
        let mut decoded = decode_payload(payload, limits)?;
        match message_type {
            MessageType::NBirth | MessageType::DBirth => {
                let table = self.aliases.entry(node).or_default();
                if message_type == MessageType::NBirth {
                    table.clear();
                }
                for metric in metrics(&decoded) {
                    if let (Some(Value::Text(name)), Some(Value::Integer(alias))) =
                        (field(metric, "name"), field(metric, "alias"))
                    {
                        if let Ok(alias) = u64::try_from(*alias) {
                            table.insert(alias, name.clone());
                        }
                    }
                }
            }
            _ => {
                if let Some(table) = self.aliases.get(&node) {
                    name_metrics(&mut decoded, table);
                }
            }
        }
        Ok(decoded)
    }

    /// Decodes a message of `topic` (one shown again, say) without learning from it: a STATE
    /// message's JSON as text; a payload as its tree, each alias-only metric given its name from
    /// the births observed so far.
    pub fn decode(
        &self,
        topic: &str,
        payload: &[u8],
        limits: Limits,
    ) -> Result<Value, DecodeError> {
        if let Some(Topic::State { .. }) = parse_topic(topic) {
            return Ok(match std::str::from_utf8(payload) {
                Ok(json) => text(json),
                Err(_) => Value::Bytes(payload.to_vec()),
            });
        }
        let mut decoded = decode_payload(payload, limits)?;
        if let Some(Topic::Edge {
            group, edge_node, ..
        }) = parse_topic(topic)
        {
            if let Some(table) = self.aliases.get(&(group, edge_node)) {
                name_metrics(&mut decoded, table);
            }
        }
        Ok(decoded)
    }

    /// Encodes `value` (a `Payload` tree) to publish on `topic` as its edge node: `seq` is the
    /// node's next (an NBIRTH starts again at 0), and an NBIRTH without a `bdSeq` metric gets
    /// the node's next one. Other topics' payloads are encoded as given.
    pub fn encode(
        &mut self,
        topic: &str,
        value: &Value,
        limits: Limits,
    ) -> Result<Vec<u8>, EncodeError> {
        let Some(Topic::Edge {
            group,
            message_type,
            edge_node,
            ..
        }) = parse_topic(topic)
        else {
            return encode_payload(value, limits);
        };
        let Value::Map(_) = value else {
            // The encoder names the problem.
            return encode_payload(value, limits);
        };
        let mut value = value.clone();
        let sequence = self.sequences.entry((group, edge_node)).or_default();
        let mut next = *sequence;
        if message_type == MessageType::NBirth {
            next.seq = 0;
            add_bd_seq(&mut value, next.bd_seq)?;
            next.bd_seq = next.bd_seq.wrapping_add(1);
        }
        if message_type != MessageType::NDeath {
            set(&mut value, "seq", Value::Integer(next.seq.into()));
            next.seq = next.seq.wrapping_add(1);
        }
        let bytes = encode_payload(&value, limits)?;
        // Only what went out moves the numbers on.
        *sequence = next;
        Ok(bytes)
    }
}

#[cfg(feature = "codecs")]
fn set(message: &mut Value, name: &str, item: Value) {
    if let Some(slot) = field_mut(message, name) {
        *slot = item;
    } else if let Value::Map(entries) = message {
        entries.push((text(name), item));
    }
}

#[cfg(feature = "codecs")]
/// Adds `bdSeq` (an Int64 metric, as Sparkplug has it) unless the birth has it already.
fn add_bd_seq(message: &mut Value, bd_seq: u8) -> Result<(), EncodeError> {
    if metrics(message)
        .any(|metric| matches!(field(metric, "name"), Some(Value::Text(name)) if name == "bdSeq"))
    {
        return Ok(());
    }
    let metric = Value::Map(vec![
        (text("name"), text("bdSeq")),
        (text("datatype"), Value::Integer(4)),
        (text("long_value"), Value::Integer(bd_seq.into())),
    ]);
    match field_mut(message, "metrics") {
        Some(Value::Array(items)) => items.push(metric),
        Some(other) => {
            return Err(EncodeError {
                path: vec![PathStep::Key("metrics".into())],
                problem: EncodeProblem::FieldType {
                    expected: crate::FieldType::Repeated,
                    found: other.kind(),
                },
            })
        }
        None => set(message, "metrics", Value::Array(vec![metric])),
    }
    Ok(())
}

#[cfg(feature = "codecs")]
fn metrics(payload: &Value) -> impl Iterator<Item = &Value> {
    match field(payload, "metrics") {
        Some(Value::Array(items)) => items.as_slice(),
        _ => &[],
    }
    .iter()
}

#[cfg(feature = "codecs")]
/// Gives each metric with an alias and no name the name its alias was born with, first in the
/// metric's fields.
fn name_metrics(payload: &mut Value, table: &HashMap<u64, String>) {
    let Some(Value::Array(items)) = field_mut(payload, "metrics") else {
        return;
    };
    for metric in items {
        if field(metric, "name").is_some() {
            continue;
        }
        let name = match field(metric, "alias") {
            Some(Value::Integer(alias)) => u64::try_from(*alias).ok().and_then(|a| table.get(&a)),
            _ => None,
        };
        if let (Some(name), Value::Map(entries)) = (name.cloned(), metric) {
            entries.insert(0, (text("name"), Value::Text(name)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_parse() {
        assert_eq!(
            parse_topic("spBv1.0/plant/DDATA/node1/pump"),
            Some(Topic::Edge {
                group: "plant".into(),
                message_type: MessageType::DData,
                edge_node: "node1".into(),
                device: Some("pump".into()),
            })
        );
        assert_eq!(
            parse_topic("spBv1.0/plant/NBIRTH/node1"),
            Some(Topic::Edge {
                group: "plant".into(),
                message_type: MessageType::NBirth,
                edge_node: "node1".into(),
                device: None,
            })
        );
        assert_eq!(
            parse_topic("spBv1.0/STATE/scada"),
            Some(Topic::State {
                host: "scada".into()
            })
        );
        for other in [
            "spBv1.0/plant/NDATA/node1/extra",
            "spBv1.0/plant/DDATA/node1",
            "spBv1.0/plant/XDATA/node1",
            "spBv1.0/plant//node1",
            "spAv1.0/plant/NDATA/node1",
            "spBv1.0",
        ] {
            assert_eq!(parse_topic(other), None, "{other}");
        }
    }
}
