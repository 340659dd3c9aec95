use std::collections::VecDeque;

use yew::prelude::*;

use crate::i18n::{use_i18n, Key, Text};
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
            <summary>
                { i18n.text(&Text::new(Key::SentListSummary).number("count", props.sent.len() as u64)) }
            </summary>
            <ul aria-label={i18n.t(Key::SentListLabel)}>
                { for props.sent.iter().enumerate().map(|(index, sent)| {
                    let outcome: Text = match &sent.outcome {
                        SentOutcome::Pending => Key::SentSending.into(),
                        SentOutcome::Done => Key::SentDelivered.into(),
                        SentOutcome::Failed(words) => {
                            Text::new(Key::SentFailed).with("reason", words.clone())
                        }
                    };
                    let flags = match sent.message.retain {
                        true => Key::SentQosRetained,
                        false => Key::SentQos,
                    };
                    let flags = Text::new(flags).with("qos", (sent.message.qos as u8).to_string());
                    let topic = sent.message.topic.as_str();
                    html! {
                        <li key={sent.id}>
                            <span class="time">{ i18n.time(sent.sent_at) }</span>
                            <span class="topic">{ sent.message.topic.clone() }</span>
                            <span class="payload">{ preview(&sent.message.payload, 60) }</span>
                            <span class="flags">{ i18n.text(&flags) }</span>
                            <span class="outcome">{ i18n.text(&outcome) }</span>
                            <button type="button" onclick={props.onresend.reform(move |_: MouseEvent| index)}
                                aria-label={i18n.text(&Text::new(Key::SentResendTo).with("topic", topic))}>
                                { i18n.t(Key::SentResend) }
                            </button>
                            <button type="button" onclick={props.onedit.reform(move |_: MouseEvent| index)}
                                aria-label={i18n.text(&Text::new(Key::SentEditMessageTo).with("topic", topic))}>
                                { i18n.t(Key::SentEdit) }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </details>
    }
}
