//! The Messages panel: the list of messages (toolbar, list) or, switched to, the topic tree.
//! What is selected in either is the inspector's (`selected_message.rs`, `selected_topic.rs`).

use std::rc::Rc;

use yew::prelude::*;

use super::message_list::{shown_messages, MessageList, Shown};
use super::message_toolbar::MessageToolbar;
use super::topic_tree::TopicTree;
use crate::driver::Driver;
use crate::export;
use crate::i18n::{use_i18n, Key};
use crate::state::{Action, Message, State};

#[derive(Properties, PartialEq)]
pub struct MessagesPanelProps {
    pub ids: AttrValue,
    pub driver: Driver,
    pub state: UseReducerHandle<State>,
}

/// What the panel shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Messages,
    Topics,
}

#[component]
pub fn MessagesPanel(props: &MessagesPanelProps) -> Html {
    let i18n = use_i18n();
    let state = &props.state;
    let view = use_state_eq(|| View::Messages);
    let dispatch = |make: fn() -> Action| {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(make()))
    };
    let onsearch = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(Action::Search(text)))
    };
    let onpause = {
        let state = state.clone();
        Callback::from(move |paused: bool| state.dispatch(Action::SetPaused(paused)))
    };
    let onhistorylimit = {
        let state = state.clone();
        Callback::from(move |limit: usize| state.dispatch(Action::SetHistoryLimit(limit)))
    };
    {
        // The reducer owns the limit; the driver's inbox follows it.
        let driver = props.driver.clone();
        use_effect_with(state.history_limit, move |limit| {
            driver.set_history_limit(*limit)
        });
    }
    let onselect = {
        let state = state.clone();
        Callback::from(move |seq: u64| state.dispatch(Action::Select(Some(seq))))
    };
    let ontopicselect = {
        let state = state.clone();
        Callback::from(move |node| state.dispatch(Action::SelectTopic(Some(node))))
    };
    let ontopicexpand = {
        let state = state.clone();
        Callback::from(move |(node, expanded)| state.dispatch(Action::ExpandTopic(node, expanded)))
    };
    let ontopicfilter = {
        let state = state.clone();
        Callback::from(move |text| state.dispatch(Action::FilterTopics(text)))
    };
    let ontopichistory = {
        let state = state.clone();
        Callback::from(move |limit| state.dispatch(Action::SetTopicHistory(limit)))
    };
    let switch = |to: View| {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.set(to))
    };
    let filter_sub = state.filter.and_then(|id| state.subscription(id));
    let filter_text: Option<AttrValue> = filter_sub.map(|s| AttrValue::from(s.filter().to_owned()));
    let filtered_to: Option<AttrValue> = filter_sub.map(|s| AttrValue::from(s.name().to_owned()));
    let shown = use_memo(
        (
            state.messages.version(),
            filter_text.clone(),
            state.search.clone(),
        ),
        |(_, filter, search)| {
            (filter.is_some() || !search.trim().is_empty())
                .then(|| shown_messages(&state.messages, filter.as_deref(), search))
        },
    );
    let export_with =
        |make: fn(&[Rc<Message>]) -> String, name: &'static str, mime: &'static str| {
            let state = state.clone();
            let shown = shown.clone();
            Callback::from(move |()| {
                let all: Vec<_>;
                let messages = match shown.as_ref() {
                    Some(list) => list,
                    None => {
                        all = state.messages.newest_first().cloned().collect();
                        &all
                    }
                };
                export::download(name, mime, &make(messages));
            })
        };
    let onexportjson = export_with(
        export::export_json,
        "mqtt-messages.json",
        "application/json",
    );
    let onexportcsv = export_with(export::export_csv, "mqtt-messages.csv", "text/csv");
    let shown_count = shown
        .as_ref()
        .as_ref()
        .map_or(state.messages.len(), Vec::len);
    let tab = |to: View, label: Key| {
        html! {
            <button type="button" role="tab" aria-selected={(*view == to).to_string()}
                class={classes!("view-tab", (*view == to).then_some("active"))}
                onclick={switch(to)}>{ i18n.t(label) }</button>
        }
    };
    html! {
        <section class="panel messages" aria-label={i18n.t(Key::MessagesHeading)}>
            <div class="panel-head">
                <h2>{ i18n.t(Key::MessagesHeading) }</h2>
                <div role="tablist" aria-label={i18n.t(Key::MessagesViewTabs)} class="view-tabs">
                    { tab(View::Messages, Key::MessagesTabList) }
                    { tab(View::Topics, Key::MessagesTabTree) }
                </div>
            </div>
            if *view == View::Messages {
                <MessageToolbar ids={props.ids.clone()} search={AttrValue::from(state.search.clone())}
                    paused={state.paused} held={state.held.len()} shown={shown_count}
                    total={state.messages.len()} rate={state.rate}
                    history_limit={state.history_limit} {filtered_to}
                    {onsearch} {onpause} onclear={dispatch(|| Action::Clear)} {onexportjson}
                    {onexportcsv} {onhistorylimit} onclearfilter={dispatch(|| Action::FilterBy(None))} />
                <MessageList messages={state.messages.clone()} shown={Shown(shown.clone())}
                    selected={state.selected} {onselect} />
            } else {
                <TopicTree ids={props.ids.clone()} topics={state.topics.clone()}
                    selected={state.selected_topic} onselect={ontopicselect}
                    onexpand={ontopicexpand} onfilter={ontopicfilter}
                    onhistorylimit={ontopichistory} onclear={dispatch(|| Action::Clear)} />
            }
        </section>
    }
}
