//! Reply, in a received request's detail (MQTT 5): a payload to publish on the message's
//! Response Topic with its Correlation Data.

use std::rc::Rc;

use mqtt_core::{Bytes, OutgoingMessage};
use yew::prelude::*;

use super::on_value;
use crate::i18n::{use_i18n, Key, Text};
use crate::request::reply_to;
use crate::state::Message;

#[derive(Properties, PartialEq)]
pub struct ReplyFormProps {
    pub ids: AttrValue,
    /// A message that carries a Response Topic.
    pub message: Rc<Message>,
    pub onreply: Callback<OutgoingMessage, Result<(), Text>>,
}

#[component]
pub fn ReplyForm(props: &ReplyFormProps) -> Html {
    let i18n = use_i18n();
    let payload = use_state(String::new);
    // What came of the last reply to this message: sent, or why not.
    let outcome = use_state(|| None::<(u64, Result<Text, Text>)>);
    let Some(topic) = props.message.properties.response_topic.clone() else {
        return html! {};
    };
    let id = format!("{}-reply-payload", props.ids);
    let onsubmit = {
        let payload = payload.clone();
        let outcome = outcome.clone();
        let message = props.message.clone();
        let onreply = props.onreply.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(reply) = reply_to(&message, Bytes::from(payload.as_bytes().to_vec())) else {
                return;
            };
            let sent = Text::new(Key::ReplySent).with("topic", reply.topic.clone());
            outcome.set(Some((message.seq, onreply.emit(reply).map(|()| sent))));
        })
    };
    let shown = outcome
        .as_ref()
        .filter(|(seq, _)| *seq == props.message.seq)
        .map(|(_, result)| result.clone());
    html! {
        <form class="reply" {onsubmit} novalidate=true>
            <div class="field">
                <label for={id.clone()}>{ i18n.t(Key::ReplyPayload) }</label>
                <textarea id={id} rows="2" value={(*payload).clone()}
                    oninput={on_value::<InputEvent>({
                        let payload = payload.clone();
                        move |v| payload.set(v)
                    })} />
            </div>
            <p class="note">{ i18n.text(&Text::new(Key::ReplyTo).with("topic", topic)) }</p>
            <button type="submit">{ i18n.t(Key::Reply) }</button>
            if let Some(Ok(sent)) = &shown {
                <p class="note" role="status">{ i18n.text(sent) }</p>
            }
            if let Some(Err(words)) = &shown {
                <p class="error" role="alert">{ i18n.text(words) }</p>
            }
        </form>
    }
}
