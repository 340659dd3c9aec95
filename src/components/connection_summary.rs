//! The Connection section in one line while a session is up: where to, as whom, which
//! version, and the buttons to disconnect or to unfold the settings.

use mqtt_core::ProtocolVersion;
use yew::prelude::*;

use crate::i18n::{use_i18n, Key, Text};
use crate::settings::version_key;

#[derive(Properties, PartialEq)]
pub struct ConnectionSummaryProps {
    pub url: AttrValue,
    /// The client id in use; empty when the server assigned one it has not told.
    pub client_id: AttrValue,
    pub version: ProtocolVersion,
    /// Whether the settings are folded away (else they show under the summary).
    pub folded: bool,
    /// The element of the settings, which the Edit button unfolds.
    pub controls: AttrValue,
    pub ontoggle: Callback<()>,
    pub ondisconnect: Callback<()>,
}

#[component]
pub fn ConnectionSummary(props: &ConnectionSummaryProps) -> Html {
    let i18n = use_i18n();
    let client = if props.client_id.is_empty() {
        AttrValue::from(i18n.t(Key::SummaryIdAssigned))
    } else {
        props.client_id.clone()
    };
    let client_title = i18n.text(&Text::new(Key::SummaryClientId).with("id", client.as_str()));
    html! {
        <div class="connection-summary">
            <span class="summary-url" title={props.url.clone()}>{ props.url.clone() }</span>
            <span class="summary-client" title={client_title}>{ client }</span>
            <span class="summary-version">{ format!("MQTT {}", version_key(props.version)) }</span>
            <span class="summary-buttons">
                <button type="button" aria-expanded={(!props.folded).to_string()}
                    aria-controls={props.controls.clone()}
                    onclick={props.ontoggle.reform(|_: MouseEvent| ())}>
                    { i18n.t(if props.folded { Key::SummaryEdit } else { Key::SummaryFold }) }
                </button>
                // Unfolded, the form's own Disconnect button shows.
                if props.folded {
                    <button type="button" onclick={props.ondisconnect.reform(|_: MouseEvent| ())}>
                        { i18n.t(Key::Disconnect) }
                    </button>
                }
            </span>
        </div>
    }
}
