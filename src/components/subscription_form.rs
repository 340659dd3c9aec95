use mqtt_core::topic::validate_topic_filter;
use mqtt_core::{ProtocolVersion, RetainHandling};
use yew::prelude::*;

use super::{checkbox, on_value, qos_select, text_input};
use crate::i18n::{outcomes, use_i18n, Key, Text};
use crate::state::SubscriptionRequest;
use crate::validate::{self, refuse_control_characters};

#[derive(Properties, PartialEq)]
pub struct SubscriptionFormProps {
    pub ids: AttrValue,
    pub version: ProtocolVersion,
    /// The request and its version 5 subscription identifier, if any.
    pub onsubscribe: Callback<(SubscriptionRequest, Option<u32>), Result<(), Text>>,
    /// Asks the form to take the keyboard focus (a shortcut); changes each time.
    #[prop_or_default]
    pub focus: u32,
}

#[component]
pub fn SubscriptionForm(props: &SubscriptionFormProps) -> Html {
    let i18n = use_i18n();
    let request = use_state(SubscriptionRequest::default);
    let error = use_state(|| None::<Text>);
    let identifier = use_state(String::new);
    let filter_ref = use_node_ref();
    {
        let filter_ref = filter_ref.clone();
        use_effect_with(props.focus, move |focus| {
            if *focus > 0 {
                if let Some(input) = filter_ref.cast::<web_sys::HtmlElement>() {
                    let _ = input.focus();
                }
            }
        });
    }
    let id = |name: &str| format!("{}-{name}", props.ids);
    let edit = |f: fn(&mut SubscriptionRequest, String)| {
        let request = request.clone();
        let error = error.clone();
        Callback::from(move |value: String| {
            let mut next = (*request).clone();
            f(&mut next, value);
            request.set(next);
            error.set(None);
        })
    };
    let toggle = |f: fn(&mut SubscriptionRequest, bool)| {
        let request = request.clone();
        Callback::from(move |value: bool| {
            let mut next = (*request).clone();
            f(&mut next, value);
            request.set(next);
        })
    };
    let onsubmit = {
        let request = request.clone();
        let error = error.clone();
        let identifier = identifier.clone();
        let onsubscribe = props.onsubscribe.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut next = (*request).clone();
            next.filter = next.filter.trim().to_owned();
            if let Err(problem) = validate_topic_filter(&next.filter) {
                error.set(Some(
                    Text::new(Key::InvalidTopicFilter)
                        .with("reason", outcomes::topic_error(&problem)),
                ));
                return;
            }
            if let Err(problem) = refuse_control_characters(Key::TheTopicFilter, &next.filter) {
                error.set(Some(problem));
                return;
            }
            let identifier = match validate::subscription_identifier(&identifier) {
                Ok(identifier) => identifier,
                Err(problem) => {
                    error.set(Some(problem));
                    return;
                }
            };
            error.set(onsubscribe.emit((next, identifier)).err());
        })
    };
    let onretainhandling = {
        let request = request.clone();
        on_value::<Event>(move |v| {
            let mut next = (*request).clone();
            next.retain_handling = v
                .parse()
                .ok()
                .and_then(validate::retain_handling_from_number)
                .unwrap_or(RetainHandling::SendAtSubscribe);
            request.set(next);
        })
    };
    let error_id = id("filter-error");
    html! {
        <form class="subscription-form" {onsubmit} novalidate=true>
            <div class="field">
                <label for={id("filter")}>{ i18n.t(Key::SubscribeFilter) }</label>
                <input id={id("filter")} type="text" ref={filter_ref}
                    value={request.filter.clone()} placeholder={i18n.t(Key::SubscribeFilterPlaceholder)}
                    aria-invalid={error.is_some().then_some("true")}
                    aria-describedby={error.is_some().then(|| error_id.clone())}
                    oninput={on_value::<InputEvent>({
                        let edit = edit(|r, v| r.filter = v);
                        move |v| edit.emit(v)
                    })} />
                if let Some(error) = &*error {
                    <p class="error" id={error_id} role="alert">{ i18n.text(error) }</p>
                }
            </div>
            <div class="row">
            { qos_select(&id("sub-qos"), "QoS", request.qos, {
                let request = request.clone();
                Callback::from(move |qos| {
                    let mut next = (*request).clone();
                    next.qos = qos;
                    request.set(next);
                })
            }) }
            { text_input(&id("alias"), i18n.t(Key::SubscribeAlias), &request.alias, edit(|r, v| r.alias = v), None) }
            </div>
            if props.version == ProtocolVersion::V5 {
                <details class="v5-options">
                    <summary>{ i18n.t(Key::SubscribeV5Options) }</summary>
                    { text_input(&id("sub-id"), i18n.t(Key::SubscribeIdentifier), &identifier, {
                        let identifier = identifier.clone();
                        Callback::from(move |v| identifier.set(v))
                    }, None) }
                    { checkbox(&id("no-local"), i18n.t(Key::SubscribeNoLocal), request.no_local,
                        toggle(|r, v| r.no_local = v)) }
                    { checkbox(&id("rap"), i18n.t(Key::SubscribeRetainAsPublished), request.retain_as_published,
                        toggle(|r, v| r.retain_as_published = v)) }
                    <div class="field">
                        <label for={id("retain-handling")}>{ i18n.t(Key::SubscribeRetainHandling) }</label>
                        <select id={id("retain-handling")} onchange={onretainhandling}>
                            { for [
                                (RetainHandling::SendAtSubscribe, Key::RetainHandlingSend),
                                (RetainHandling::SendAtSubscribeIfNew, Key::RetainHandlingIfNew),
                                (RetainHandling::DoNotSend, Key::RetainHandlingNever),
                            ].into_iter().map(|(rh, text)| html! {
                                <option value={(rh as u8).to_string()}
                                    selected={rh == request.retain_handling}>{ i18n.t(text) }</option>
                            }) }
                        </select>
                    </div>
                </details>
            }
            <button type="submit" class="primary">{ i18n.t(Key::Subscribe) }</button>
        </form>
    }
}
