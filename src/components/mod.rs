//! The views. Each component renders plain data from its props and reports what the user
//! did through callbacks named like HTML attributes.

pub mod auth_fields;
pub mod auth_panel;
pub mod connection_form;
pub mod connection_summary;
pub mod connection_view;
pub mod decoded_payload;
pub mod decoder_rules_panel;
pub mod decoding;
pub mod language_picker;
pub mod load_test;
pub mod log_view;
pub mod message_detail;
pub mod message_list;
pub mod message_row;
pub mod message_toolbar;
pub mod messages_panel;
pub mod on_resize;
pub mod payload_diff;
pub mod profile_picker;
pub mod publish_form;
pub mod publish_panel;
pub mod record_replay;
pub mod redirect_offer;
pub mod reply_form;
pub mod request_list;
pub mod request_mode;
pub mod secure_hint;
pub mod selected_message;
pub mod selected_topic;
pub mod sent_list;
pub mod share_panel;
pub mod splitter;
pub mod status_bar;
pub mod subscription_form;
pub mod subscription_list;
pub mod subscriptions_panel;
pub mod tab_bar;
pub mod topic_chart;
pub mod topic_detail;
pub mod topic_row;
pub mod topic_tree;
pub mod visible_rows;
pub mod workspace;

use mqtt_core::QoS;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The value of the input, textarea or select an event came from.
pub fn event_value(event: &Event) -> String {
    let Some(target) = event.target() else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(area) = target.dyn_ref::<HtmlTextAreaElement>() {
        area.value()
    } else if let Some(select) = target.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

pub fn event_checked(event: &Event) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|input| input.checked())
}

/// A callback for `oninput`/`onchange` that hands the new value to `f`.
pub fn on_value<E: AsRef<Event> + 'static>(f: impl Fn(String) + 'static) -> Callback<E> {
    Callback::from(move |e: E| f(event_value(e.as_ref())))
}

pub fn on_checked(f: impl Fn(bool) + 'static) -> Callback<Event> {
    Callback::from(move |e: Event| f(event_checked(&e)))
}

/// The QoS of a select's option value; QoS 0 for anything else.
pub fn qos_from_key(key: &str) -> QoS {
    key.parse()
        .ok()
        .and_then(|n: u8| QoS::try_from(n).ok())
        .unwrap_or(QoS::AtMostOnce)
}

/// A labelled QoS select.
pub fn qos_select(id: &str, label: &str, value: QoS, onchange: Callback<QoS>) -> Html {
    let onchange = on_value::<Event>(move |v| onchange.emit(qos_from_key(&v)));
    html! {
        <div class="field qos">
            <label for={id.to_owned()}>{ label.to_owned() }</label>
            <select id={id.to_owned()} {onchange}>
                { for [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce].into_iter().map(|q| {
                    let key = (q as u8).to_string();
                    html! { <option value={key.clone()} selected={q == value}>{ key }</option> }
                }) }
            </select>
        </div>
    }
}

/// A labelled single-line input; `error` is shown under it and linked for screen readers.
pub fn text_input(
    id: &str,
    label: &str,
    value: &str,
    oninput: Callback<String>,
    error: Option<&str>,
) -> Html {
    let error_id = format!("{id}-error");
    html! {
        <div class="field">
            <label for={id.to_owned()}>{ label.to_owned() }</label>
            <input
                id={id.to_owned()}
                type="text"
                value={value.to_owned()}
                aria-invalid={error.is_some().then_some("true")}
                aria-describedby={error.is_some().then(|| error_id.clone())}
                oninput={on_value::<InputEvent>(move |v| oninput.emit(v))}
            />
            if let Some(error) = error {
                <p class="error" id={error_id} role="alert">{ error.to_owned() }</p>
            }
        </div>
    }
}

/// A labelled checkbox.
pub fn checkbox(id: &str, label: &str, checked: bool, onchange: Callback<bool>) -> Html {
    html! {
        <div class="field check">
            <input
                id={id.to_owned()}
                type="checkbox"
                {checked}
                onchange={on_checked(move |c| onchange.emit(c))}
            />
            <label for={id.to_owned()}>{ label.to_owned() }</label>
        </div>
    }
}
