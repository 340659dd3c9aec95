//! "Share": a link that opens the app with these settings and subscriptions, never the
//! password.

use yew::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::profile::share_document;
use crate::settings::ConnectionSettings;
use crate::state::{State, SubscriptionRequest};

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub ids: AttrValue,
    pub settings: ConnectionSettings,
    /// Its subscriptions go into the link.
    pub state: UseReducerHandle<State>,
}

#[component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let i18n = use_i18n();
    let link = use_state(|| None::<String>);
    let onshare = {
        let link = link.clone();
        let settings = props.settings.clone();
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| {
            let subscriptions: Vec<SubscriptionRequest> = state
                .subscriptions
                .iter()
                .map(|subscription| subscription.request.clone())
                .collect();
            let document = share_document(&settings, &subscriptions);
            let fragment = format!(
                "#config={}",
                String::from(js_sys::encode_uri_component(&document))
            );
            let location = gloo::utils::window().location();
            let base = format!(
                "{}{}",
                location.origin().unwrap_or_default(),
                location.pathname().unwrap_or_default()
            );
            link.set(Some(format!("{base}{fragment}")));
        })
    };
    let id = format!("{}-share", props.ids);
    html! {
        <details class="share">
            <summary>{ i18n.t(Key::Share) }</summary>
            <button type="button" onclick={onshare}>{ i18n.t(Key::ShareLink) }</button>
            if let Some(link) = &*link {
                <label for={id.clone()}>{ i18n.t(Key::ShareLinkLabel) }</label>
                <input {id} type="text" readonly=true value={link.clone()} />
            }
        </details>
    }
}
