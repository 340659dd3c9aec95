//! The publish form's request mode (MQTT 5): its fields, and `use_requests`, which sends a
//! request (subscribing to the tab's response topic first) and records it in the tab's state.

use std::cell::Cell;
use std::rc::Rc;

use mqtt_core::topic::validate_topic_name;
use mqtt_core::{OutgoingMessage, QoS};
use yew::prelude::*;

use super::publish_panel::publish_recorded;
use super::{checkbox, text_input};
use crate::clock::wall_clock_millis;
use crate::driver::Driver;
use crate::i18n::{outcomes, I18n, Key, Text};
use crate::request::{
    as_request, correlation_data, random_token, response_topic, Request, RequestAction,
    RequestOutcome, DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS,
};
use crate::state::{Action, State, SubscriptionRequest};
use crate::validate::optional_number;

const MIN_TIMEOUT_MS: u32 = 10;

/// The request mode's fields, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSettings {
    pub enabled: bool,
    pub prefix: String,
    pub timeout: String,
}

impl Default for RequestSettings {
    fn default() -> Self {
        RequestSettings {
            enabled: false,
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT_MS.to_string(),
        }
    }
}

/// One edit of the request mode's fields, applied to their latest values (a reducer, so that
/// edits between two renders all count).
pub enum RequestEdit {
    Enabled(bool),
    Prefix(String),
    Timeout(String),
}

impl Reducible for RequestSettings {
    type Action = RequestEdit;

    fn reduce(self: Rc<Self>, edit: RequestEdit) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match edit {
            RequestEdit::Enabled(enabled) => next.enabled = enabled,
            RequestEdit::Prefix(prefix) => next.prefix = prefix,
            RequestEdit::Timeout(timeout) => next.timeout = timeout,
        }
        Rc::new(next)
    }
}

impl RequestSettings {
    /// The timeout in milliseconds, or why it is not one.
    pub fn timeout_ms(&self) -> Result<u32, Text> {
        match optional_number(&self.timeout) {
            Ok(Some(ms)) if ms >= MIN_TIMEOUT_MS => Ok(ms),
            _ => Err(Text::new(Key::RequestTimeoutRange).number("minimum", MIN_TIMEOUT_MS.into())),
        }
    }

    /// The response topic for the tab's `token`, or why the prefix makes none.
    pub fn response_topic(&self, token: &str) -> Result<String, Text> {
        let topic = response_topic(&self.prefix, token);
        validate_topic_name(&topic).map_err(|e| {
            Text::new(Key::InvalidResponseTopic).with("reason", outcomes::topic_error(&e))
        })?;
        Ok(topic)
    }
}

/// The request mode's checkbox and, when ticked, its fields.
pub fn request_fields(
    i18n: I18n,
    id: &dyn Fn(&str) -> String,
    settings: &RequestSettings,
    token: &str,
    onedit: Callback<RequestEdit>,
) -> Html {
    let change = |edit: fn(String) -> RequestEdit| onedit.reform(edit);
    let toggle = onedit.reform(RequestEdit::Enabled);
    html! {
        <fieldset class="request-mode">
            { checkbox(&id("request-mode"), i18n.t(Key::RequestMode), settings.enabled, toggle) }
            if settings.enabled {
                <div class="row">
                    { text_input(&id("request-prefix"), i18n.t(Key::RequestPrefix), &settings.prefix,
                        change(RequestEdit::Prefix), None) }
                    { text_input(&id("request-timeout"), i18n.t(Key::RequestTimeout), &settings.timeout,
                        change(RequestEdit::Timeout), None) }
                </div>
                <p class="note">{ i18n.text(&Text::new(Key::RequestRepliesTo)
                    .with("topic", response_topic(&settings.prefix, token))) }</p>
            }
        </fieldset>
    }
}

/// Sends a message as a request with the request mode's fields; the error is why not.
pub type SendRequest = Callback<(OutgoingMessage, RequestSettings), Result<(), Text>>;

/// Sends requests for the publish form, and the tab's token (its response topic's last level).
/// Each request subscribes to the response topic first if the tab's list does not hold it yet
/// (the core sends the SUBSCRIBE before the PUBLISH), then publishes the message with that
/// Response Topic and Correlation Data made of the token and the request's number.
#[hook]
pub fn use_requests(driver: &Driver, state: &UseReducerHandle<State>) -> (SendRequest, AttrValue) {
    let token = use_memo((), |()| AttrValue::from(random_token()));
    // Numbers are counted here, not read from a rendered state, so that two requests between
    // renders never share correlation data.
    let counter = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let send = {
        let driver = driver.clone();
        let state = state.clone();
        let token = (*token).clone();
        let counter = counter.borrow().clone();
        Callback::from(
            move |(message, settings): (OutgoingMessage, RequestSettings)| {
                let timeout = settings.timeout_ms()?;
                let topic = settings.response_topic(&token)?;
                if !state.subscriptions.iter().any(|s| s.filter() == topic) {
                    let subscription = SubscriptionRequest {
                        filter: topic.clone(),
                        qos: QoS::AtLeastOnce,
                        ..SubscriptionRequest::default()
                    };
                    driver.subscribe(&subscription, None)?;
                    state.dispatch(Action::Subscribe(subscription));
                }
                let number = counter.get() + 1;
                let correlation = correlation_data(&token, number);
                let request = as_request(message, &topic, correlation.clone());
                let destination = request.topic.clone();
                let sent_at = wall_clock_millis();
                publish_recorded(&driver, &state.dispatcher(), request)?;
                counter.set(number);
                state.dispatch(Action::Request(RequestAction::Sent(Request {
                    number,
                    topic: destination,
                    response_topic: topic,
                    correlation,
                    sent_at,
                    deadline: sent_at + u64::from(timeout),
                    outcome: RequestOutcome::Waiting,
                })));
                Ok(())
            },
        )
    };
    (send, (*token).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_are_checked() {
        let mut settings = RequestSettings::default();
        assert_eq!(settings.timeout_ms(), Ok(DEFAULT_TIMEOUT_MS));
        assert_eq!(settings.response_topic("abc").as_deref(), Ok("replies/abc"));
        settings.timeout = "5".into();
        assert!(settings.timeout_ms().is_err());
        settings.timeout = "soon".into();
        assert!(settings.timeout_ms().is_err());
        settings.prefix = "replies/+".into();
        assert!(settings.response_topic("abc").is_err());
    }
}
