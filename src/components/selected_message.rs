//! The selected message in the inspector: its detail, with what its buttons do (close it,
//! clear the retained message on its topic).

use std::rc::Rc;

use mqtt_core::{Bytes, OutgoingMessage, PublishProperties, QoS};
use yew::prelude::*;

use super::message_detail::MessageDetail;
use super::publish_panel::publish_recorded;
use crate::clock::log_now;
use crate::driver::Driver;
use crate::i18n::{Key, Text};
use crate::state::{Action, LogLevel, Message, State};

#[derive(Properties, PartialEq)]
pub struct SelectedMessageProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
    pub message: Rc<Message>,
    /// The decoder rules in force (`decoder_rules.rs`).
    pub decoders: Vec<crate::decoder_rules::DecoderRule>,
}

#[component]
pub fn SelectedMessage(props: &SelectedMessageProps) -> Html {
    let onclearretained = {
        let driver = props.driver.clone();
        let state = props.state.clone();
        Callback::from(move |topic: String| {
            let message = OutgoingMessage {
                topic,
                payload: Bytes::new(),
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: PublishProperties::default(),
            };
            if let Err(words) = publish_recorded(&driver, &state.dispatcher(), message) {
                state.dispatch(log_now(
                    LogLevel::Error,
                    Text::new(Key::MessageClearRetainedFailed).with("reason", words),
                ));
            }
        })
    };
    let onclose = {
        let state = props.state.clone();
        Callback::from(move |()| state.dispatch(Action::Select(None)))
    };
    let onreply = {
        let driver = props.driver.clone();
        let dispatcher = props.state.dispatcher();
        Callback::from(move |reply: OutgoingMessage| publish_recorded(&driver, &dispatcher, reply))
    };
    let rule = crate::decoder_rules::rule_for(&props.decoders, &props.message.topic);
    html! {
        <MessageDetail ids={props.ids.clone()} message={props.message.clone()} {onclearretained}
            {onclose} {onreply}
            decoder={rule.map(|rule| rule.format)}
            decoder_schema={rule.and_then(|rule| rule.schema.clone())}
            decoder_session={props.driver.decoder_session()} />
    }
}
