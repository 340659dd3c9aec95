use std::collections::VecDeque;

use yew::prelude::*;

use super::format_time;
use crate::i18n::use_i18n;
use crate::payload::preview;
use crate::state::{SentMessage, SentOutcome};

#[derive(Properties, PartialEq)]
pub struct SentListProps {
    pub sent: VecDeque<SentMessage>,
    /// Publish the `index`th entry again.
    pub onresend: Callback<usize>,
    /// Load the `index`th entry into the publish form.
    pub onedit: Callback<usize>,
}

#[component]
pub fn SentList(props: &SentListProps) -> Html {
    let i18n = use_i18n();
    if props.sent.is_empty() {
        return html! {};
    }
    html! {
        <details class="sent">
            <summary>{ format!("Sent messages ({})", props.sent.len()) }</summary>
            <ul aria-label="Sent messages">
                { for props.sent.iter().enumerate().map(|(index, sent)| {
                    let outcome = match &sent.outcome {
                        SentOutcome::Pending => "sending".to_owned(),
                        SentOutcome::Done => "delivered".to_owned(),
                        SentOutcome::Failed(words) => format!("failed: {}", i18n.text(words)),
                    };
                    html! {
                        <li key={sent.id}>
                            <span class="time">{ format_time(sent.sent_at) }</span>
                            <span class="topic">{ sent.message.topic.clone() }</span>
                            <span class="payload">{ preview(&sent.message.payload, 60) }</span>
                            <span class="flags">{ format!("QoS {}{}", sent.message.qos as u8,
                                if sent.message.retain { " · retained" } else { "" }) }</span>
                            <span class="outcome">{ outcome }</span>
                            <button type="button" onclick={props.onresend.reform(move |_: MouseEvent| index)}
                                aria-label={format!("Resend to {}", sent.message.topic)}>{ "Resend" }</button>
                            <button type="button" onclick={props.onedit.reform(move |_: MouseEvent| index)}
                                aria-label={format!("Edit message to {}", sent.message.topic)}>{ "Edit" }</button>
                        </li>
                    }
                }) }
            </ul>
        </details>
    }
}
