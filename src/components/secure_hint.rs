//! What a failed `wss://` connection most likely ran into (`secure::SecureHint`), under the
//! status bar: the words, and for an untrusted certificate the link that opens the
//! broker's https origin in a new tab, where the browser shows its verdict and lets the user
//! accept the certificate.

use yew::prelude::*;

use crate::i18n::{use_i18n, Key, Text};
use crate::secure::SecureHint;

#[derive(Properties, PartialEq)]
pub struct SecureHintProps {
    pub hint: Option<SecureHint>,
}

#[component]
pub fn SecureHintView(props: &SecureHintProps) -> Html {
    let i18n = use_i18n();
    let Some(hint) = &props.hint else {
        return Html::default();
    };
    html! {
        <div class="secure-hint" role="status" aria-label={i18n.t(Key::WssHint)}>
            <p>{ i18n.text(&hint.text()) }</p>
            if let Some((origin, then)) = hint.link() {
                <p>
                    <a href={origin.to_owned()} target="_blank" rel="noopener noreferrer">
                        { i18n.text(&Text::new(Key::WssOpenOrigin).with("origin", origin)) }
                    </a>
                    { " " }
                    { i18n.text(&then) }
                </p>
            }
        </div>
    }
}
