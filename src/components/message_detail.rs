use std::rc::Rc;

use yew::prelude::*;

use super::on_value;
use crate::i18n::{use_i18n, I18n, Key, Text};
use crate::payload::{detect, format_size, hex_encode, render, PayloadFormat};
use crate::state::Message;

/// Longer renderings are cut here until the user asks for all of it.
const SHOWN_CHARS: usize = 20_000;

#[derive(Properties, PartialEq)]
pub struct MessageDetailProps {
    pub ids: AttrValue,
    pub message: Rc<Message>,
    /// Publish an empty retained message to this topic.
    pub onclearretained: Callback<String>,
    pub onclose: Callback<()>,
    /// Publish a reply to the message's Response Topic (request/response, version 5).
    pub onreply: Callback<mqtt_core::OutgoingMessage, Result<(), Text>>,
    /// The decoder of the first rule matching the topic, if any.
    #[prop_or_default]
    pub decoder: Option<payload_decoders::Format>,
    /// A Protobuf or Avro rule's files and type.
    #[prop_or_default]
    pub decoder_schema: Option<payload_decoders::MessageSchema>,
    /// The tab's Sparkplug B session in the decoder Worker (`Driver::decoder_session`).
    #[prop_or_default]
    pub decoder_session: u32,
}

fn cut_at_char(text: &str, max_chars: usize) -> Option<&str> {
    text.char_indices().nth(max_chars).map(|(i, _)| &text[..i])
}

/// The labelled View select: automatic (the `detected` format) or a chosen one; `onchange`
/// gets a format's key, or "auto".
pub fn format_select(
    i18n: I18n,
    id: &str,
    detected: PayloadFormat,
    chosen: Option<PayloadFormat>,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <div class="field">
            <label for={id.to_owned()}>{ i18n.t(Key::MessageView) }</label>
            <select id={id.to_owned()} {onchange}>
                <option value="auto" selected={chosen.is_none()}>
                    { i18n.text(&Text::new(Key::MessageViewAuto).with("format", detected.label())) }
                </option>
                { for PayloadFormat::ALL.into_iter().map(|f| html! {
                    <option value={f.key()} selected={chosen == Some(f)}>{ i18n.t(f.label()) }</option>
                }) }
            </select>
        </div>
    }
}

/// The version 5 properties of `message` as (name, value) rows.
pub fn property_rows(i18n: I18n, message: &Message) -> Vec<(Key, String)> {
    let p = &message.properties;
    let mut properties = Vec::new();
    if let Some(v) = p.payload_format_indicator {
        properties.push((Key::PropertyPayloadFormatIndicator, v.to_string()));
    }
    if let Some(v) = &p.content_type {
        properties.push((Key::PropertyContentType, v.clone()));
    }
    if let Some(v) = &p.response_topic {
        properties.push((Key::PropertyResponseTopic, v.clone()));
    }
    if let Some(v) = &p.correlation_data {
        let text = std::str::from_utf8(v).map_or_else(|_| hex_encode(v), str::to_owned);
        properties.push((Key::PropertyCorrelationData, text));
    }
    if let Some(v) = p.message_expiry_interval {
        let seconds = Text::new(Key::PropertySeconds).number("seconds", v.into());
        properties.push((Key::PropertyMessageExpiry, i18n.text(&seconds)));
    }
    if let Some(v) = p.topic_alias {
        properties.push((Key::PropertyTopicAlias, v.to_string()));
    }
    if !p.subscription_identifiers.is_empty() {
        let ids: Vec<_> = p
            .subscription_identifiers
            .iter()
            .map(u32::to_string)
            .collect();
        properties.push((Key::PropertySubscriptionIdentifiers, ids.join(", ")));
    }
    for (name, value) in &p.user_properties {
        properties.push((Key::PropertyUserProperty, format!("{name} = {value}")));
    }
    properties
}

/// The version 5 properties of `message` as a description list (nothing without any).
pub fn property_list(i18n: I18n, message: &Message) -> Html {
    let properties = property_rows(i18n, message);
    if properties.is_empty() {
        return Html::default();
    }
    html! {
        <dl class="properties">
            { for properties.into_iter().map(|(name, value)| html! {
                <>
                    <dt>{ i18n.t(name) }</dt>
                    <dd>{ value }</dd>
                </>
            }) }
        </dl>
    }
}

#[component]
pub fn MessageDetail(props: &MessageDetailProps) -> Html {
    let i18n = use_i18n();
    // `None` follows the detected format.
    let chosen = use_state(|| None::<PayloadFormat>);
    // The message whose whole payload the user asked for: another message starts cut again,
    // with no effect to reset it (an effect could run after the click and undo it).
    let shown_whole = use_state(|| None::<u64>);
    let message = &props.message;
    let detected = detect(&message.payload);
    let format = chosen.unwrap_or(detected);
    let rendered = use_memo((message.clone(), format), |(message, format)| {
        render(&message.payload, *format)
    });
    let (text, cut) = match cut_at_char(&rendered.text, SHOWN_CHARS) {
        Some(head) if *shown_whole != Some(message.seq) => (head, true),
        _ => (rendered.text.as_str(), false),
    };
    let id = |name: &str| format!("{}-{name}", props.ids);
    let onview = {
        let chosen = chosen.clone();
        on_value::<Event>(move |key| chosen.set(PayloadFormat::from_key(&key)))
    };
    let topic = message.topic.clone();
    let onclearretained = props
        .onclearretained
        .reform(move |_: MouseEvent| topic.clone());
    let mut meta = vec![
        i18n.time(message.received_at),
        i18n.text(&Text::new(Key::MessageQos).with("qos", (message.qos as u8).to_string())),
        format_size(message.payload.len()),
    ];
    if message.retain {
        meta.push(i18n.t(Key::MessageRetained).to_owned());
    }
    if message.dup {
        meta.push(i18n.t(Key::MessageDup).to_owned());
    }
    html! {
        <section class="detail" aria-label={i18n.t(Key::MessageDetails)}>
            <header>
                <h3 class="topic">{ message.topic.clone() }</h3>
                <button type="button" class="close" aria-label={i18n.t(Key::MessageClose)}
                    onclick={props.onclose.reform(|_: MouseEvent| ())}>{ "✕" }</button>
            </header>
            <p class="meta">{ meta.join(" · ") }</p>
            <div class="row">
                { format_select(i18n, &id("view"), detected, *chosen, onview) }
                <button type="button" onclick={onclearretained}
                    title={i18n.t(Key::MessageClearRetainedTitle)}>
                    { i18n.t(Key::MessageClearRetained) }
                </button>
            </div>
            if let Some(format) = props.decoder {
                <super::decoded_payload::DecodedPayload {format} payload={message.payload.clone()}
                    seq={message.seq} schema={props.decoder_schema.clone()}
                    topic={AttrValue::from(message.topic.clone())}
                    session={props.decoder_session} />
            }
            if let Some(note) = &rendered.note {
                <p class="note">{ i18n.text(note) }</p>
            }
            <pre class="payload-view" data-format={format.key()}>{ text.to_owned() }</pre>
            if cut {
                <p class="note">
                    { i18n.text(&Text::new(Key::MessageCut)
                        .number("chars", SHOWN_CHARS as u64)
                        .with("size", format_size(message.payload.len()))) }
                    { " " }
                    <button type="button" onclick={{
                        let shown_whole = shown_whole.clone();
                        let seq = message.seq;
                        Callback::from(move |_: MouseEvent| shown_whole.set(Some(seq)))
                    }}>{ i18n.t(Key::MessageShowAll) }</button>
                </p>
            }
            { property_list(i18n, message) }
            if message.properties.response_topic.is_some() {
                <super::reply_form::ReplyForm ids={props.ids.clone()} message={message.clone()}
                    onreply={props.onreply.clone()} />
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use crate::state::tests::message;

    #[test]
    fn properties_are_named_by_their_keys() {
        let mut message = message(1, "a", "");
        let p = &mut message.properties;
        p.payload_format_indicator = Some(1);
        p.message_expiry_interval = Some(3600);
        p.correlation_data = Some(mqtt_core::Bytes::from(vec![0xff, 0]));
        p.subscription_identifiers = vec![3, 7];
        p.user_properties = vec![("k".into(), "v".into())];
        let english = I18n { locale: Locale::En };
        assert_eq!(
            property_rows(english, &message),
            [
                (Key::PropertyPayloadFormatIndicator, "1".to_owned()),
                (Key::PropertyCorrelationData, "ff 00".to_owned()),
                (Key::PropertyMessageExpiry, "3600 s".to_owned()),
                (Key::PropertySubscriptionIdentifiers, "3, 7".to_owned()),
                (Key::PropertyUserProperty, "k = v".to_owned()),
            ]
        );
    }
}
