//! The Subscriptions panel: the form and the tab's list, the one owner of what is subscribed.

use yew::prelude::*;

use super::subscription_form::SubscriptionForm;
use super::subscription_list::SubscriptionList;
use crate::clock::log_now;
use crate::driver::Driver;
use crate::i18n::{use_i18n, Key, Text};
use crate::state::{Action, LogLevel, State, SubscriptionRequest};

#[derive(Properties, PartialEq)]
pub struct SubscriptionsPanelProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
    /// Asks the form to take the keyboard focus (a shortcut); changes each time.
    pub focus: u32,
}

#[component]
pub fn SubscriptionsPanel(props: &SubscriptionsPanelProps) -> Html {
    let i18n = use_i18n();
    let state = &props.state;
    let onsubscribe = {
        let driver = props.driver.clone();
        let dispatcher = state.dispatcher();
        Callback::from(
            move |(request, identifier): (SubscriptionRequest, Option<u32>)| {
                subscribe_listed(&driver, &dispatcher, request, identifier)
            },
        )
    };
    // The same callbacks from render to render, so that the list's rows that did not change
    // are not rendered again.
    let onunsubscribe = use_callback(
        (props.driver.clone(), state.dispatcher()),
        |(id, filter): (u32, String), (driver, dispatcher)| match driver.unsubscribe(&filter) {
            Ok(()) => dispatcher.dispatch(Action::Unsubscribe(id)),
            Err(words) => dispatcher.dispatch(log_now(LogLevel::Error, words)),
        },
    );
    let onselect = use_callback(state.dispatcher(), |id: Option<u32>, dispatcher| {
        dispatcher.dispatch(Action::FilterBy(id))
    });
    html! {
        <section class="panel subscriptions-panel" aria-label={i18n.t(Key::Subscriptions)}>
            <h2>{ i18n.t(Key::Subscriptions) }</h2>
            <SubscriptionForm ids={props.ids.clone()} version={state.version} {onsubscribe}
                focus={props.focus} />
            <SubscriptionList subscriptions={state.subscriptions.clone()}
                selected={state.filter} {onselect} {onunsubscribe} />
        </section>
    }
}

/// Subscribes and puts the request in the tab's list, pending until the SUBACK.
pub fn subscribe_listed(
    driver: &Driver,
    dispatcher: &UseReducerDispatcher<State>,
    request: SubscriptionRequest,
    identifier: Option<u32>,
) -> Result<(), Text> {
    driver.subscribe(&request, identifier)?;
    dispatcher.dispatch(Action::Subscribe(request));
    Ok(())
}
