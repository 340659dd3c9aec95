//! The selected topic in the inspector: its detail, with what its buttons do (close it, delete
//! the retained messages of a topic or of every topic under a level).

use mqtt_core::{Bytes, OutgoingMessage, PublishProperties, QoS};
use yew::prelude::*;

use super::topic_detail::TopicDetail;
use crate::clock::log_now;
use crate::driver::Driver;
use crate::i18n::{Key, Text};
use crate::state::{Action, LogLevel, State};
use crate::topic_index::NodeId;

#[derive(Properties, PartialEq)]
pub struct SelectedTopicProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
    pub node: NodeId,
}

/// Publishes an empty retained message to each topic, which deletes the retained ones, and
/// logs how it went (one line, not one per topic: there may be thousands; of the refusals,
/// how many and the first).
fn delete_retained(driver: &Driver, state: &UseReducerHandle<State>, topics: Vec<String>) {
    let mut refused = 0;
    let mut first_refusal = None;
    for topic in &topics {
        let message = OutgoingMessage {
            topic: topic.clone(),
            payload: Bytes::new(),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: PublishProperties::default(),
        };
        if let Err(words) = driver.publish(message) {
            refused += 1;
            first_refusal.get_or_insert((topic, words));
        }
    }
    let sent = topics.len() - refused;
    state.dispatch(log_now(
        LogLevel::Info,
        Text::new(Key::TopicDeletingRetained).number("count", sent as u64),
    ));
    if let Some((topic, words)) = first_refusal {
        state.dispatch(log_now(
            LogLevel::Error,
            Text::new(Key::TopicDeleteRefused)
                .number("count", refused as u64)
                .with("topic", topic.as_str())
                .with("reason", words),
        ));
    }
}

#[component]
pub fn SelectedTopic(props: &SelectedTopicProps) -> Html {
    let ondeleteretained = {
        let driver = props.driver.clone();
        let state = props.state.clone();
        Callback::from(move |topics| delete_retained(&driver, &state, topics))
    };
    let onclose = {
        let state = props.state.clone();
        Callback::from(move |()| state.dispatch(Action::SelectTopic(None)))
    };
    html! {
        <TopicDetail key={props.node} ids={props.ids.clone()} topics={props.state.topics.clone()}
            node={props.node} {ondeleteretained} {onclose} />
    }
}
