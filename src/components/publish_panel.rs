//! The Publish panel: the form, periodic publishing, the load test and the sent history, which
//! it records.

use mqtt_core::{ConnectionState, OutgoingMessage, ProtocolVersion};
use yew::prelude::*;

use super::load_test::LoadTest;
use super::publish_form::PublishForm;
use super::request_list::RequestList;
use super::request_mode::use_requests;
use super::sent_list::SentList;
use crate::clock::{log_now, wall_clock_millis};
use crate::driver::Driver;
use crate::i18n::{use_i18n, Key, Text};
use crate::periodic::use_periodic;
use crate::publish::PublishDraft;
use crate::state::{Action, LogLevel, SentMessage, State};

#[derive(Properties, PartialEq)]
pub struct PublishPanelProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
    /// Asks the form to publish (a keyboard shortcut); changes each time.
    pub trigger: u32,
    /// The decoder rules in force: a Protobuf or Avro rule matching the topic gives its type.
    #[prop_or_default]
    pub decoders: Vec<crate::decoder_rules::DecoderRule>,
}

#[component]
pub fn PublishPanel(props: &PublishPanelProps) -> Html {
    let i18n = use_i18n();
    let state = &props.state;
    let driver = &props.driver;
    // A sent message loaded into the form by "Edit"; the counter makes each load new.
    let load = use_state(|| None::<(u32, PublishDraft)>);
    let onpublish = {
        let driver = driver.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |message: OutgoingMessage| {
            publish_recorded(&driver, &dispatcher, message)
        })
    };
    let (onstartperiodic, onstopperiodic) = use_periodic(
        driver,
        state.dispatcher(),
        matches!(state.connection, ConnectionState::Connected { .. }),
    );
    let onresend = {
        let driver = driver.clone();
        let state = state.clone();
        Callback::from(move |index: usize| {
            let Some(sent) = state.sent.get(index) else {
                return;
            };
            let message = sent.message.clone();
            if let Err(words) = publish_recorded(&driver, &state.dispatcher(), message) {
                state.dispatch(log_now(
                    LogLevel::Error,
                    Text::new(Key::ResendFailed).with("reason", words),
                ));
            }
        })
    };
    let onedit = {
        let state = state.clone();
        let load = load.clone();
        Callback::from(move |index: usize| {
            if let Some(sent) = state.sent.get(index) {
                let generation = load.as_ref().map_or(1, |(g, _)| g + 1);
                load.set(Some((generation, PublishDraft::from_sent(sent))));
            }
        })
    };
    let (onrequest, request_token) = use_requests(driver, state);
    html! {
        <section class="panel publish" aria-label={i18n.t(Key::Publish)}>
            <h2>{ i18n.t(Key::Publish) }</h2>
            <PublishForm ids={props.ids.clone()} version={state.version}
                periodic_sent={state.periodic_sent} {onpublish} {onstartperiodic}
                {onstopperiodic} load={(*load).clone()} trigger={props.trigger}
                {onrequest} {request_token} decoders={props.decoders.clone()}
                decoder_session={driver.decoder_session()} />
            if state.version == ProtocolVersion::V5 {
                <RequestList requests={state.requests.clone()} dispatcher={state.dispatcher()} />
            }
            <LoadTest ids={props.ids.clone()} driver={driver.clone()}
                connected={matches!(state.connection, ConnectionState::Connected { .. })}
                periodic_running={state.periodic_sent.is_some()} />
            <SentList sent={state.sent.clone()} {onresend} {onedit} />
        </section>
    }
}

/// Publishes, and records the message in the tab's sent history once the core took it.
pub fn publish_recorded(
    driver: &Driver,
    dispatcher: &UseReducerDispatcher<State>,
    message: OutgoingMessage,
) -> Result<(), Text> {
    let sent_at = wall_clock_millis();
    let id = driver.publish(message.clone())?;
    dispatcher.dispatch(Action::Sent(SentMessage::pending(id, message, sent_at)));
    Ok(())
}
