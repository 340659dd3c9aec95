use std::rc::Rc;

use yew::prelude::*;

use super::decoding::DecodedLine;
use crate::i18n::{use_i18n, I18n, Key, Text};
use crate::payload::{format_size, hex_encode, preview};
use crate::state::Message;

/// Every row is this tall, so the list can compute which rows are visible.
pub const ROW_HEIGHT: u32 = 52;

#[derive(Properties, PartialEq)]
pub struct MessageRowProps {
    pub message: Rc<Message>,
    /// Colour class index of the matching subscription.
    pub color: Option<usize>,
    pub selected: bool,
    /// Offset from the top of the list, in pixels.
    pub top: u32,
    /// The payload decoded by its topic's rule, instead of the raw preview.
    #[prop_or_default]
    pub decoded: Option<DecodedLine>,
    pub onselect: Callback<u64>,
}

/// The version 5 properties in one line of text.
pub fn properties_summary(i18n: I18n, message: &Message) -> String {
    let p = &message.properties;
    let mut parts = Vec::new();
    if let Some(content_type) = &p.content_type {
        parts.push(i18n.text(&Text::new(Key::RowContentType).with("value", content_type.as_str())));
    }
    if let Some(topic) = &p.response_topic {
        parts.push(i18n.text(&Text::new(Key::RowResponseTopic).with("topic", topic.as_str())));
    }
    if let Some(data) = &p.correlation_data {
        let data = std::str::from_utf8(data).map_or_else(|_| hex_encode(data), str::to_owned);
        parts.push(i18n.text(&Text::new(Key::RowCorrelation).with("data", data)));
    }
    for (name, value) in &p.user_properties {
        parts.push(format!("{name}={value}"));
    }
    if let Some(seconds) = p.message_expiry_interval {
        parts.push(i18n.text(&Text::new(Key::RowExpires).number("seconds", seconds.into())));
    }
    parts.join(" · ")
}

/// Sets a style property through the CSSOM: the Content-Security-Policy blocks `style`
/// attributes, but not styles set from script.
pub fn set_style(node: &NodeRef, property: &str, value: &str) {
    if let Some(element) = node.cast::<web_sys::HtmlElement>() {
        let _ = element.style().set_property(property, value);
    }
}

#[hook]
fn use_position(node: NodeRef, top: u32) {
    use_effect_with(top, move |top| set_style(&node, "top", &format!("{top}px")));
}

#[component]
pub fn MessageRow(props: &MessageRowProps) -> Html {
    let i18n = use_i18n();
    let message = &props.message;
    let seq = message.seq;
    let onclick = props.onselect.reform(move |_: MouseEvent| seq);
    let onkeydown = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                onselect.emit(seq);
            }
        })
    };
    let node = use_node_ref();
    use_position(node.clone(), props.top);
    let properties = properties_summary(i18n, message);
    html! {
        <div role="listitem" tabindex="0" ref={node} {onclick} {onkeydown}
            // A list item cannot be "selected" (ARIA); it can be the current one.
            aria-current={props.selected.then_some("true")}
            class={classes!("message", props.selected.then_some("selected"),
                props.color.map(|c| format!("color-{c}")))}>
            <div class="meta">
                <span class="time">{ i18n.time(message.received_at) }</span>
                <span class="topic">{ message.topic.clone() }</span>
                <span class="qos">{ i18n.text(&Text::new(Key::MessageQos).with("qos", (message.qos as u8).to_string())) }</span>
                if message.retain {
                    <span class="flag retain">{ i18n.t(Key::MessageRetained) }</span>
                }
                if message.dup {
                    <span class="flag dup">{ i18n.t(Key::MessageDup) }</span>
                }
                <span class="size">{ format_size(message.payload.len()) }</span>
                if !properties.is_empty() {
                    <span class="props">{ properties }</span>
                }
            </div>
            if let Some(line) = &props.decoded {
                <div class={classes!("preview", line.failed.then_some("decode-failed"))}>{ line.text.clone() }</div>
            } else {
                <div class="preview">{ preview(&message.payload, 200) }</div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use crate::state::tests::message;

    #[test]
    fn the_summary_names_each_property() {
        let mut message = message(1, "a", "");
        let p = &mut message.properties;
        p.content_type = Some("application/json".into());
        p.response_topic = Some("re/ply".into());
        p.correlation_data = Some(mqtt_core::Bytes::from_static(b"req-7"));
        p.user_properties = vec![("k".into(), "v".into())];
        p.message_expiry_interval = Some(60);
        assert_eq!(
            properties_summary(I18n { locale: Locale::En }, &message),
            "content-type: application/json · response-topic: re/ply · correlation: req-7 · k=v · \
             expires in 60 s"
        );
    }
}
