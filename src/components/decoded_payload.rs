//! A payload decoded by the rule matching its topic: the decoder Worker's tree, as nested
//! collapsible lists with each value's type, or why the bytes are not that format beside
//! their hex.

use std::rc::Rc;

use mqtt_core::Bytes;
use payload_decoders::js::Answer;
use payload_decoders::sparkplug::{parse_topic, Topic};
use payload_decoders::{DecodeError, Format, MessageSchema, SchemaError, Tag, Value};
use yew::prelude::*;

use crate::decoded::scalar_text;
use crate::decoder_module::{self, Outcome};
use crate::decoder_rules::{
    decode_error_text, decode_request, format_key, kind_key, schema_error_text,
};
use crate::i18n::{use_i18n, I18n, Key, Text};
use crate::payload::hex_encode;

/// More nodes than this are left out of the view (the tree itself may hold 100,000).
const SHOWN_NODES: usize = 2_000;
/// Containers this deep or deeper start folded.
const OPEN_DEPTH: usize = 2;

#[derive(Properties, PartialEq)]
pub struct DecodedPayloadProps {
    pub format: Format,
    pub payload: Bytes,
    /// The message's sequence number: a new message is decoded anew.
    pub seq: u64,
    /// A Protobuf or Avro rule's files and type.
    #[prop_or_default]
    pub schema: Option<MessageSchema>,
    /// The message's topic: Sparkplug B's names the edge node whose aliases apply.
    #[prop_or_default]
    pub topic: AttrValue,
    /// The tab's Sparkplug B session in the decoder Worker.
    #[prop_or_default]
    pub session: u32,
}

#[derive(Clone, PartialEq)]
enum Decoding {
    Waiting,
    Done(Rc<Result<Value, DecodeError>>),
    /// A Protobuf or Avro rule's files do not compile or lack its type.
    Unusable(Rc<SchemaError>),
    Unavailable,
}

#[component]
pub fn DecodedPayload(props: &DecodedPayloadProps) -> Html {
    let i18n = use_i18n();
    // What was decoded, for which message and format: an older answer is never shown.
    let decoded = use_state(|| None::<((u64, Format), Decoding)>);
    let wanted = (props.seq, props.format);
    {
        let decoded = decoded.clone();
        let payload = props.payload.clone();
        let (schema, topic, session) = (props.schema.clone(), props.topic.clone(), props.session);
        use_effect_with(wanted, move |&(seq, format)| {
            decoded.set(Some(((seq, format), Decoding::Waiting)));
            let request =
                decode_request(format, schema.as_ref(), session, &topic, payload.to_vec());
            decoder_module::request(format, &request, move |outcome| {
                let decoding = match outcome {
                    Outcome::Answered(Answer::Decoded(result)) => Decoding::Done(Rc::new(result)),
                    Outcome::Answered(Answer::Unusable(problem)) => {
                        Decoding::Unusable(Rc::new(problem))
                    }
                    _ => Decoding::Unavailable,
                };
                decoded.set(Some(((seq, format), decoding)));
            });
        });
    }
    let decoding = match &*decoded {
        Some((key, decoding)) if *key == wanted => decoding.clone(),
        _ => Decoding::Waiting,
    };
    let heading = i18n.text(&Text::new(Key::DecodedAs).with("format", format_key(props.format)));
    let body = match decoding {
        Decoding::Waiting => html! { <p class="note">{ i18n.t(Key::DecodedLoading) }</p> },
        Decoding::Unavailable => {
            html! { <p class="error" role="alert">{ i18n.t(Key::DecodedUnavailable) }</p> }
        }
        Decoding::Unusable(problem) => html! {
            <p class="error" role="alert">{ i18n.text(&schema_error_text(props.format, &problem)) }</p>
        },
        Decoding::Done(result) => match &*result {
            Ok(value) => {
                let mut budget = SHOWN_NODES;
                let tree = node(i18n, None, value, 0, &mut budget);
                let hidden = count(value).saturating_sub(SHOWN_NODES);
                html! {
                    <>
                        <ul class="decoded-tree">{ tree }</ul>
                        if hidden > 0 {
                            <p class="note">
                                { i18n.text(&Text::new(Key::DecodedMore).number("more", hidden as u64)) }
                            </p>
                        }
                    </>
                }
            }
            Err(error) => html! {
                <>
                    <p class="error" role="alert">
                        { i18n.text(&decode_error_text(props.format, error)) }
                    </p>
                    <pre class="payload-view" data-format="hex">{ hex_encode(&props.payload) }</pre>
                </>
            },
        },
    };
    let namespace = match props.format {
        Format::SparkplugB => parse_topic(&props.topic).map(|topic| sparkplug_topic(&topic)),
        _ => None,
    };
    html! {
        <section class="decoded" aria-label={heading.clone()}>
            <h4>{ heading }</h4>
            if let Some(namespace) = namespace {
                <p class="sparkplug-topic">{ i18n.text(&namespace) }</p>
            }
            { body }
        </section>
    }
}

/// A Sparkplug B topic's parts, as the detail names them.
fn sparkplug_topic(topic: &Topic) -> Text {
    match topic {
        Topic::State { host } => Text::new(Key::SparkplugState).with("host", host.clone()),
        Topic::Edge {
            group,
            message_type,
            edge_node,
            device,
        } => {
            let text = match device {
                Some(device) => Text::new(Key::SparkplugTopicDevice).with("device", device.clone()),
                None => Text::new(Key::SparkplugTopic),
            };
            text.with("group", group.clone())
                .with("type", message_type.name())
                .with("node", edge_node.clone())
        }
    }
}

/// One value as a tree item: `label` is its key or index in its parent.
fn node(
    i18n: I18n,
    label: Option<String>,
    value: &Value,
    depth: usize,
    budget: &mut usize,
) -> Html {
    if *budget == 0 {
        return Html::default();
    }
    *budget -= 1;
    let kind = html! { <span class="type">{ i18n.t(kind_key(value.kind())) }</span> };
    let label = label.map(|label| html! { <span class="key">{ label }{ ": " }</span> });
    let (summary, children): (String, Vec<(String, &Value)>) = match value {
        Value::Array(items) => (
            i18n.text(&Text::new(Key::DecodedItems).number("items", items.len() as u64)),
            items
                .iter()
                .enumerate()
                .map(|(i, item)| (i.to_string(), item))
                .collect(),
        ),
        Value::Map(entries) => (
            i18n.text(&Text::new(Key::DecodedEntries).number("entries", entries.len() as u64)),
            entries
                .iter()
                .map(|(key, item)| (map_key(i18n, key), item))
                .collect(),
        ),
        Value::Tagged { tag, value } => {
            let text = match tag {
                Tag::Cbor(number) => Text::new(Key::DecodedTag).with("tag", number.to_string()),
                Tag::Extension(number) => {
                    Text::new(Key::DecodedExtension).with("tag", number.to_string())
                }
            };
            (i18n.text(&text), vec![(String::new(), value.as_ref())])
        }
        _ => {
            return html! {
                <li>{ label }<span class="value">{ scalar_text(value) }</span>{ " " }{ kind }</li>
            }
        }
    };
    let items: Html = children
        .into_iter()
        .map(|(key, child)| {
            let key = (!key.is_empty()).then_some(key);
            node(i18n, key, child, depth + 1, budget)
        })
        .collect();
    html! {
        <li>
            <details open={depth < OPEN_DEPTH}>
                <summary>{ label }{ kind }{ " " }<span class="note">{ summary }</span></summary>
                <ul>{ items }</ul>
            </details>
        </li>
    }
}

/// A map key as its label: text as it is, a scalar as its text, a container by its type.
fn map_key(i18n: I18n, key: &Value) -> String {
    match key {
        Value::Text(text) => text.clone(),
        Value::Array(_) | Value::Map(_) | Value::Tagged { .. } => {
            format!("[{}]", i18n.t(kind_key(key.kind())))
        }
        other => scalar_text(other),
    }
}

/// The values in a tree, itself included.
fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| count(k) + count(v)).sum(),
        Value::Tagged { value, .. } => count(value),
        _ => 0,
    }
}
