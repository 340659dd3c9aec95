//! The tab's requests and what became of them (a reply with its round-trip time, waiting, or
//! timed out), and the timer that marks the next overdue one: a main-thread timeout armed for
//! the earliest deadline, re-armed whenever that changes.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::clock::wall_clock_millis;
use crate::i18n::{use_i18n, Key, Text};
use crate::payload::preview;
use crate::request::{RequestAction, RequestOutcome, Requests};
use crate::state::{Action, State};

/// Characters of a reply's payload shown in the list.
const REPLY_PREVIEW_CHARS: usize = 120;

#[derive(Properties, PartialEq)]
pub struct RequestListProps {
    pub requests: Requests,
    pub dispatcher: UseReducerDispatcher<State>,
}

#[component]
pub fn RequestList(props: &RequestListProps) -> Html {
    let i18n = use_i18n();
    {
        let dispatcher = props.dispatcher.clone();
        use_effect_with(props.requests.next_deadline(), move |deadline| {
            let timer = deadline.map(|deadline| {
                let wait = deadline.saturating_sub(wall_clock_millis());
                Timeout::new(u32::try_from(wait).unwrap_or(u32::MAX), move || {
                    // Armed for this deadline: it has come, even if the clock reads a
                    // millisecond short.
                    let now = wall_clock_millis().max(deadline);
                    dispatcher.dispatch(Action::Request(RequestAction::Expire(now)));
                })
            });
            move || drop(timer)
        });
    }
    if props.requests.is_empty() {
        return html! {};
    }
    let onclear = {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::Request(RequestAction::Clear))
        })
    };
    html! {
        <section class="requests" aria-label={i18n.t(Key::RequestList)}>
            <h3>{ i18n.t(Key::RequestList) }</h3>
            <ul>
                { for props.requests.iter().map(|request| {
                    let outcome = match &request.outcome {
                        RequestOutcome::Waiting => Text::from(Key::RequestWaiting),
                        RequestOutcome::Replied { payload, .. } => Text::new(Key::RequestReplied)
                            .number("ms", request.round_trip_ms().unwrap_or_default())
                            .with("payload", preview(payload, REPLY_PREVIEW_CHARS)),
                        RequestOutcome::TimedOut => Text::new(Key::RequestTimedOut)
                            .number("ms", request.deadline.saturating_sub(request.sent_at)),
                    };
                    let class = match request.outcome {
                        RequestOutcome::Waiting => "waiting",
                        RequestOutcome::Replied { .. } => "replied",
                        RequestOutcome::TimedOut => "timed-out error",
                    };
                    html! {
                        <li key={request.number} data-request={request.number.to_string()}>
                            <span class="request-to">{ i18n.text(&Text::new(Key::RequestTo)
                                .number("number", request.number)
                                .with("topic", request.topic.clone())) }</span>
                            { " " }
                            <span class={classes!("request-outcome", class)}>{ i18n.text(&outcome) }</span>
                        </li>
                    }
                }) }
            </ul>
            <button type="button" onclick={onclear}>{ i18n.t(Key::RequestClear) }</button>
        </section>
    }
}
