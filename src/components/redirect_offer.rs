//! A server's redirection (MQTT 5 Server Reference with 0x9C or 0x9D) under the status bar:
//! where it points and a button to connect there with the same session, or why it is
//! refused (`addresses::resolve_reference`).

use yew::prelude::*;

use crate::addresses::{AddressAction, RedirectOffer};
use crate::driver::Driver;
use crate::i18n::{use_i18n, Key, Text};
use crate::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct RedirectOfferProps {
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
}

#[component]
pub fn RedirectOfferView(props: &RedirectOfferProps) -> Html {
    let i18n = use_i18n();
    let Some(offer) = &props.state.addresses.redirect else {
        return Html::default();
    };
    let ondismiss = {
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Addresses(AddressAction::Redirect(None)));
        })
    };
    let dismiss = html! {
        <button type="button" onclick={ondismiss}>{ i18n.t(Key::RedirectDismiss) }</button>
    };
    match offer {
        RedirectOffer::Offer { target, .. } => {
            let onfollow = {
                let driver = props.driver.clone();
                let target = target.clone();
                Callback::from(move |_: MouseEvent| driver.follow_reference(target.clone()))
            };
            html! {
                <div class="redirect-offer" role="status" aria-label={i18n.t(Key::RedirectLabel)}>
                    <p>{ i18n.text(&offer.text()) }</p>
                    <p>
                        <button type="button" class="primary" onclick={onfollow}>
                            { i18n.text(&Text::new(Key::RedirectConnect).with("target", target.as_str())) }
                        </button>
                        { " " }
                        { dismiss }
                    </p>
                </div>
            }
        }
        RedirectOffer::Refused(_) => html! {
            <div class="redirect-offer refused" role="alert" aria-label={i18n.t(Key::RedirectLabel)}>
                <p>{ i18n.text(&offer.text()) }</p>
                <p>{ dismiss }</p>
            </div>
        },
    }
}
