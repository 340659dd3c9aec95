use std::rc::Rc;

use yew::prelude::*;

use super::format_time;
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
    pub onselect: Callback<u64>,
}

/// The version 5 properties in one line of text.
pub fn properties_summary(message: &Message) -> String {
    let p = &message.properties;
    let mut parts = Vec::new();
    if let Some(content_type) = &p.content_type {
        parts.push(format!("content-type: {content_type}"));
    }
    if let Some(topic) = &p.response_topic {
        parts.push(format!("response-topic: {topic}"));
    }
    if let Some(data) = &p.correlation_data {
        parts.push(match std::str::from_utf8(data) {
            Ok(text) => format!("correlation: {text}"),
            Err(_) => format!("correlation: {}", hex_encode(data)),
        });
    }
    for (name, value) in &p.user_properties {
        parts.push(format!("{name}={value}"));
    }
    if let Some(seconds) = p.message_expiry_interval {
        parts.push(format!("expires in {seconds} s"));
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
    let properties = properties_summary(message);
    html! {
        <div role="listitem" tabindex="0" ref={node} {onclick} {onkeydown}
            aria-selected={props.selected.to_string()}
            class={classes!("message", props.selected.then_some("selected"),
                props.color.map(|c| format!("color-{c}")))}>
            <div class="meta">
                <span class="time">{ format_time(message.received_at) }</span>
                <span class="topic">{ message.topic.clone() }</span>
                <span class="qos">{ format!("QoS {}", message.qos as u8) }</span>
                if message.retain {
                    <span class="flag retain">{ "retained" }</span>
                }
                if message.dup {
                    <span class="flag dup">{ "DUP" }</span>
                }
                <span class="size">{ format_size(message.payload.len()) }</span>
                if !properties.is_empty() {
                    <span class="props">{ properties }</span>
                }
            </div>
            <div class="preview">{ preview(&message.payload, 200) }</div>
        </div>
    }
}
