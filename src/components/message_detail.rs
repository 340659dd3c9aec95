use std::rc::Rc;

use yew::prelude::*;

use super::{format_time, on_value};
use crate::i18n::{use_i18n, I18n};
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
            <label for={id.to_owned()}>{ "View" }</label>
            <select id={id.to_owned()} {onchange}>
                <option value="auto" selected={chosen.is_none()}>
                    { format!("Auto ({})", i18n.t(detected.label())) }
                </option>
                { for PayloadFormat::ALL.into_iter().map(|f| html! {
                    <option value={f.key()} selected={chosen == Some(f)}>{ i18n.t(f.label()) }</option>
                }) }
            </select>
        </div>
    }
}

/// The version 5 properties of `message` as (name, value) rows.
pub fn property_rows(message: &Message) -> Vec<(&'static str, String)> {
    let p = &message.properties;
    let mut properties = Vec::new();
    if let Some(v) = p.payload_format_indicator {
        properties.push(("Payload format indicator", v.to_string()));
    }
    if let Some(v) = &p.content_type {
        properties.push(("Content type", v.clone()));
    }
    if let Some(v) = &p.response_topic {
        properties.push(("Response topic", v.clone()));
    }
    if let Some(v) = &p.correlation_data {
        let text = std::str::from_utf8(v).map_or_else(|_| hex_encode(v), str::to_owned);
        properties.push(("Correlation data", text));
    }
    if let Some(v) = p.message_expiry_interval {
        properties.push(("Message expiry", format!("{v} s")));
    }
    if let Some(v) = p.topic_alias {
        properties.push(("Topic alias", v.to_string()));
    }
    if !p.subscription_identifiers.is_empty() {
        let ids: Vec<_> = p
            .subscription_identifiers
            .iter()
            .map(u32::to_string)
            .collect();
        properties.push(("Subscription identifiers", ids.join(", ")));
    }
    for (name, value) in &p.user_properties {
        properties.push(("User property", format!("{name} = {value}")));
    }
    properties
}

/// The version 5 properties of `message` as a description list (nothing without any).
pub fn property_list(message: &Message) -> Html {
    let properties = property_rows(message);
    if properties.is_empty() {
        return Html::default();
    }
    html! {
        <dl class="properties">
            { for properties.into_iter().map(|(name, value)| html! {
                <>
                    <dt>{ name }</dt>
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
    html! {
        <section class="detail" aria-label="Message details">
            <header>
                <h3 class="topic">{ message.topic.clone() }</h3>
                <button type="button" class="close" aria-label="Close details"
                    onclick={props.onclose.reform(|_: MouseEvent| ())}>{ "✕" }</button>
            </header>
            <p class="meta">
                { format!("{} · QoS {} · {}{}{}", format_time(message.received_at), message.qos as u8,
                    format_size(message.payload.len()),
                    if message.retain { " · retained" } else { "" },
                    if message.dup { " · DUP" } else { "" }) }
            </p>
            <div class="row">
                { format_select(i18n, &id("view"), detected, *chosen, onview) }
                <button type="button" onclick={onclearretained}
                    title="Publish an empty retained message to this topic, which deletes the retained one">
                    { "Clear retained" }
                </button>
            </div>
            if let Some(note) = &rendered.note {
                <p class="note">{ i18n.text(note) }</p>
            }
            <pre class="payload-view" data-format={format.key()}>{ text.to_owned() }</pre>
            if cut {
                <p class="note">
                    { format!("Showing the first {SHOWN_CHARS} characters of {}. ", format_size(message.payload.len())) }
                    <button type="button" onclick={{
                        let shown_whole = shown_whole.clone();
                        let seq = message.seq;
                        Callback::from(move |_: MouseEvent| shown_whole.set(Some(seq)))
                    }}>{ "Show all" }</button>
                </p>
            }
            { property_list(message) }
        </section>
    }
}
