use yew::prelude::*;

use crate::i18n::use_i18n;
use crate::state::{Subscription, SubscriptionStatus};

#[derive(Properties, PartialEq)]
pub struct SubscriptionListProps {
    pub subscriptions: Vec<Subscription>,
    /// The subscription the message list is filtered to.
    pub selected: Option<u32>,
    pub onselect: Callback<Option<u32>>,
    pub onunsubscribe: Callback<u32>,
}

#[component]
pub fn SubscriptionList(props: &SubscriptionListProps) -> Html {
    let i18n = use_i18n();
    if props.subscriptions.is_empty() {
        return html! { <p class="empty">{ "No subscriptions yet." }</p> };
    }
    html! {
        <ul class="subscriptions" aria-label="Subscriptions">
            { for props.subscriptions.iter().map(|sub| {
                let id = sub.id;
                let selected = props.selected == Some(id);
                let onclick = {
                    let onselect = props.onselect.clone();
                    Callback::from(move |_: MouseEvent| {
                        onselect.emit(if selected { None } else { Some(id) })
                    })
                };
                let onunsubscribe = props.onunsubscribe.reform(move |_: MouseEvent| id);
                let status = match &sub.status {
                    SubscriptionStatus::Pending => "waiting for SUBACK".to_owned(),
                    SubscriptionStatus::Active { granted } => format!("QoS {}", *granted as u8),
                    SubscriptionStatus::Failed(words) => format!("refused: {}", i18n.text(words)),
                    SubscriptionStatus::Unsubscribing => "unsubscribing".to_owned(),
                    SubscriptionStatus::UnsubscribeRefused(words) => {
                        format!("unsubscribe refused: {}", i18n.text(words))
                    }
                };
                let failed = matches!(
                    sub.status,
                    SubscriptionStatus::Failed(_) | SubscriptionStatus::UnsubscribeRefused(_)
                );
                let name = sub.name().to_owned();
                let aliased = !sub.request.alias.is_empty();
                html! {
                    <li key={id} class={classes!("subscription", selected.then_some("selected"),
                            failed.then_some("failed"), format!("color-{}", sub.color))}
                        >
                        <button type="button" class="sub-select" aria-pressed={selected.to_string()}
                            title={format!("Show only messages matching {}", sub.filter())}
                            onclick={onclick}>
                            <span class="swatch" aria-hidden="true"></span>
                            <span class="sub-name">{ name }</span>
                            if aliased {
                                <span class="sub-filter">{ sub.filter().to_owned() }</span>
                            }
                            <span class="sub-status">{ status }</span>
                            <span class="sub-count" title="messages received">{ sub.count }</span>
                        </button>
                        <button type="button" class="unsubscribe"
                            aria-label={format!("Unsubscribe {}", sub.filter())}
                            onclick={onunsubscribe}>{ "✕" }</button>
                    </li>
                }
            }) }
        </ul>
    }
}
