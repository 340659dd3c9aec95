//! The enhanced authentication of the tab's connection (MQTT 5 with a method): in the generic
//! mode each step of the server (its method, reason and data as text and hex) and a field for
//! the next data (text or hex) with "Send step"; the server's final data; and, once connected,
//! "Re-authenticate". What is typed stays here while it is edited; the exchange is `State`'s.

use mqtt_core::ConnectionState;
use yew::prelude::*;

use super::auth_fields::data_format_select;
use super::text_input;
use crate::auth::{parse_data, AuthStep};
use crate::driver::Driver;
use crate::i18n::{use_i18n, I18n, Key, Text};
use crate::payload::hex_encode;
use crate::state::State;

#[derive(Properties, PartialEq)]
pub struct AuthPanelProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
}

/// Data as the step list shows it: as text (invalid UTF-8 replaced) and as hex.
fn data_rows(i18n: I18n, data: Option<&[u8]>) -> Html {
    match data {
        None => html! {
            <>
                <dt>{ i18n.t(Key::AuthStepDataText) }</dt>
                <dd>{ i18n.t(Key::AuthNoData) }</dd>
            </>
        },
        Some(data) => html! {
            <>
                <dt>{ i18n.t(Key::AuthStepDataText) }</dt>
                <dd class="auth-data-text">{ String::from_utf8_lossy(data).into_owned() }</dd>
                <dt>{ i18n.t(Key::AuthStepDataHex) }</dt>
                <dd class="auth-data-hex">{ hex_encode(data) }</dd>
            </>
        },
    }
}

fn step_view(i18n: I18n, number: usize, step: &AuthStep) -> Html {
    html! {
        <li class="auth-step">
            <p>{ i18n.text(&Text::new(Key::AuthStepTitle).number("number", number as u64)) }</p>
            <dl>
                <dt>{ i18n.t(Key::AuthStepMethod) }</dt>
                <dd>{ step.method.clone() }</dd>
                if let Some(reason) = &step.reason_string {
                    <dt>{ i18n.t(Key::AuthStepReason) }</dt>
                    <dd>{ reason.clone() }</dd>
                }
                { data_rows(i18n, step.data.as_deref()) }
            </dl>
        </li>
    }
}

#[component]
pub fn AuthPanel(props: &AuthPanelProps) -> Html {
    let i18n = use_i18n();
    let next = use_state(String::new);
    let next_hex = use_state(|| false);
    let error = use_state(|| None::<Text>);
    let exchange = &props.state.auth;
    let connection = &props.state.connection;
    let Some(method) = &exchange.method else {
        return html! {};
    };
    if matches!(connection, ConnectionState::Disconnected { .. }) && exchange.steps.is_empty() {
        return html! {};
    }
    let id = |name: &str| format!("{}-auth-exchange-{name}", props.ids);
    let connected = matches!(connection, ConnectionState::Connected { .. });

    let onsend = {
        let driver = props.driver.clone();
        let next = next.clone();
        let next_hex = next_hex.clone();
        let error = error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let result = parse_data(&next, *next_hex)
                .map_err(|problem| {
                    Text::new(Key::FieldProblem)
                        .with("what", Key::AuthNextData)
                        .with("reason", problem.text())
                })
                .and_then(|data| driver.send_auth_step(data));
            match result {
                Ok(()) => {
                    next.set(String::new());
                    error.set(None);
                }
                Err(words) => error.set(Some(words)),
            }
        })
    };
    let onreauthenticate = {
        let driver = props.driver.clone();
        let error = error.clone();
        Callback::from(move |_: MouseEvent| error.set(driver.reauthenticate().err()))
    };

    html! {
        <div class="auth-exchange" role="group" aria-label={i18n.t(Key::AuthExchange)}>
            <h3>{ i18n.t(Key::AuthExchange) }{ " " }<code>{ method.clone() }</code></h3>
            if exchange.generic {
                <ol class="auth-steps">
                    { for exchange.steps.iter().enumerate()
                        .map(|(i, step)| step_view(i18n, i + 1, step)) }
                </ol>
                if let Some(data) = &exchange.final_data {
                    <div class="auth-final">
                        <p>{ i18n.t(Key::AuthFinalData) }</p>
                        <dl>{ data_rows(i18n, Some(data)) }</dl>
                    </div>
                }
                if exchange.awaiting {
                    <form class="auth-next" onsubmit={onsend}>
                        <p class="note">{ i18n.t(Key::AuthWaiting) }</p>
                        <div class="row">
                            { text_input(&id("next"), i18n.t(Key::AuthNextData), &next, {
                                let next = next.clone();
                                Callback::from(move |v| next.set(v))
                            }, None) }
                            { data_format_select(i18n, &id("next-format"),
                                i18n.t(Key::AuthNextDataFormat), *next_hex, {
                                    let next_hex = next_hex.clone();
                                    Callback::from(move |hex| next_hex.set(hex))
                                }) }
                        </div>
                        <button type="submit" class="primary">{ i18n.t(Key::AuthSendStep) }</button>
                    </form>
                }
            }
            if let Some(error) = &*error {
                <p class="error" role="alert">{ i18n.text(error) }</p>
            }
            if connected {
                <div class="buttons">
                    <button type="button" onclick={onreauthenticate}
                        disabled={exchange.reauthenticating || exchange.awaiting}>
                        { i18n.t(Key::Reauthenticate) }
                    </button>
                </div>
            }
        </div>
    }
}
