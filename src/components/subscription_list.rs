use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{use_i18n, Key, Text};
use crate::state::{Subscription, SubscriptionStatus};

/// Rows per chunk: a chunk renders again only when one of its subscriptions changed.
const CHUNK: usize = 32;

#[derive(Properties, PartialEq)]
pub struct SubscriptionListProps {
    pub subscriptions: Vec<Rc<Subscription>>,
    /// The subscription the message list is filtered to.
    pub selected: Option<u32>,
    pub onselect: Callback<Option<u32>>,
    /// The subscription's id and filter.
    pub onunsubscribe: Callback<(u32, String)>,
}

/// The list renders its rows in chunks, and a chunk, like a row, renders again only when its
/// own subscriptions changed (compared by identity, as the state shares them): under a flood
/// one count changes per frame, and a frame's work stays a chunk's whatever the list holds.
#[component]
pub fn SubscriptionList(props: &SubscriptionListProps) -> Html {
    let i18n = use_i18n();
    if props.subscriptions.is_empty() {
        return html! { <p class="empty">{ i18n.t(Key::SubscriptionListEmpty) }</p> };
    }
    html! {
        <ul class="subscriptions" aria-label={i18n.t(Key::SubscriptionListLabel)}>
            { for props.subscriptions.chunks(CHUNK).enumerate().map(|(index, chunk)| {
                // Only the chunk holding the selected row hears which one it is.
                let selected = props.selected.filter(|id| chunk.iter().any(|sub| sub.id == *id));
                html! {
                    <SubscriptionChunk key={index} subscriptions={chunk.to_vec()} {selected}
                        onselect={props.onselect.clone()}
                        onunsubscribe={props.onunsubscribe.clone()} />
                }
            }) }
        </ul>
    }
}

#[component]
fn SubscriptionChunk(props: &SubscriptionListProps) -> Html {
    html! {
        { for props.subscriptions.iter().map(|sub| html! {
            <SubscriptionRow key={sub.id} subscription={sub.clone()}
                selected={props.selected == Some(sub.id)}
                onselect={props.onselect.clone()} onunsubscribe={props.onunsubscribe.clone()} />
        }) }
    }
}

#[derive(Properties, PartialEq)]
struct SubscriptionRowProps {
    subscription: Rc<Subscription>,
    selected: bool,
    onselect: Callback<Option<u32>>,
    onunsubscribe: Callback<(u32, String)>,
}

#[component]
fn SubscriptionRow(props: &SubscriptionRowProps) -> Html {
    let i18n = use_i18n();
    let sub = &props.subscription;
    let id = sub.id;
    let selected = props.selected;
    let onclick = props
        .onselect
        .reform(move |_: MouseEvent| if selected { None } else { Some(id) });
    let onunsubscribe = {
        let filter = sub.filter().to_owned();
        props
            .onunsubscribe
            .reform(move |_: MouseEvent| (id, filter.clone()))
    };
    let status: Text = match &sub.status {
        SubscriptionStatus::Pending => Key::SubscriptionWaitingForSuback.into(),
        SubscriptionStatus::Active { granted } => {
            Text::new(Key::SubscriptionGrantedQos).with("qos", (*granted as u8).to_string())
        }
        SubscriptionStatus::Failed(words) => {
            Text::new(Key::SubscriptionRefused).with("reason", words.clone())
        }
        SubscriptionStatus::Unsubscribing => Key::SubscriptionUnsubscribing.into(),
        SubscriptionStatus::UnsubscribeRefused(words) => {
            Text::new(Key::SubscriptionUnsubscribeRefused).with("reason", words.clone())
        }
    };
    let failed = matches!(
        sub.status,
        SubscriptionStatus::Failed(_) | SubscriptionStatus::UnsubscribeRefused(_)
    );
    let name = sub.name().to_owned();
    let aliased = !sub.request.alias.is_empty();
    html! {
        <li class={classes!("subscription", selected.then_some("selected"),
                failed.then_some("failed"), format!("color-{}", sub.color()))}
            >
            <button type="button" class="sub-select" aria-pressed={selected.to_string()}
                title={i18n.text(&Text::new(Key::SubscriptionShowOnly).with("filter", sub.filter()))}
                onclick={onclick}>
                <span class="swatch" aria-hidden="true"></span>
                <span class="sub-name">{ name }</span>
                if aliased {
                    <span class="sub-filter">{ sub.filter().to_owned() }</span>
                }
                <span class="sub-status">{ i18n.text(&status) }</span>
                // Digits without grouping: the browser tests read the count back.
                <span class="sub-count" title={i18n.t(Key::SubscriptionMessagesReceived)}>{ sub.count }</span>
            </button>
            <button type="button" class="unsubscribe"
                aria-label={i18n.text(&Text::new(Key::SubscriptionUnsubscribe).with("filter", sub.filter()))}
                onclick={onunsubscribe}>{ "✕" }</button>
        </li>
    }
}
