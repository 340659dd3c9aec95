use std::rc::Rc;

use mqtt_core::{Bytes, ConnectionState, OutgoingMessage, PublishProperties};
use yew::prelude::*;

use super::connection_form::ConnectionForm;
use super::log_view::LogView;
use super::message_detail::MessageDetail;
use super::message_list::{shown_messages, MessageList, Shown};
use super::message_toolbar::MessageToolbar;
use super::publish_form::PublishForm;
use super::sent_list::SentList;
use super::status_bar::{status_key, StatusBar};
use super::subscription_form::SubscriptionForm;
use super::subscription_list::SubscriptionList;
use super::topic_tree::TopicTree;
use crate::driver::Driver;
use crate::export;
use crate::payload::PayloadFormat;
use crate::periodic::use_periodic;
use crate::publish::PublishDraft;
use crate::settings::ConnectionSettings;
use crate::state::{Action, LogLevel, SentMessage, State, Subscription, SubscriptionRequest};
use crate::storage;

#[derive(Properties, PartialEq)]
pub struct ConnectionViewProps {
    pub tab: u32,
    pub active: bool,
    pub initial: ConnectionSettings,
    /// The list's first subscriptions, subscribed on Connect (from a shared link).
    #[prop_or_default]
    pub initial_subscriptions: Vec<SubscriptionRequest>,
    /// Reports the tab's title and status key for the tab bar.
    pub onstatus: Callback<(u32, String, &'static str)>,
    /// The latest keyboard shortcut; acted on by the tab it names.
    #[prop_or_default]
    pub shortcut: Option<ShortcutEvent>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortcutKind {
    Connect,
    FocusSubscribe,
    Publish,
}

/// A key press for one tab; `seq` makes every press a new value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortcutEvent {
    pub seq: u32,
    pub tab: u32,
    pub kind: ShortcutKind,
}

/// Counters handed to the forms: each change asks them to act once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Triggers {
    connect: u32,
    focus_subscribe: u32,
    publish: u32,
}

/// One connection: its state, its driver and all its panels.
#[component]
pub fn ConnectionView(props: &ConnectionViewProps) -> Html {
    let state = {
        let version = props.initial.version;
        let subscriptions = props.initial_subscriptions.clone();
        use_reducer(move || State::new(version, subscriptions))
    };
    let driver = use_memo((), {
        let dispatcher = state.dispatcher();
        move |_| Driver::new(dispatcher)
    });
    {
        let driver = driver.clone();
        use_effect_with((), move |_| move || driver.shutdown());
    }
    let form_settings = use_state(|| props.initial.clone());
    // Bumped when a profile is loaded, so the form starts over from it.
    let form_generation = use_state(|| 0u32);
    let profiles = use_state(storage::load_profiles);
    let load = use_state(|| None::<(u32, PublishDraft)>);
    let ids: AttrValue = format!("c{}", props.tab).into();
    let triggers = use_state(Triggers::default);
    {
        let triggers = triggers.clone();
        let tab = props.tab;
        use_effect_with(props.shortcut, move |shortcut| {
            if let Some(shortcut) = shortcut.filter(|s| s.tab == tab) {
                let mut next = *triggers;
                match shortcut.kind {
                    ShortcutKind::Connect => next.connect += 1,
                    ShortcutKind::FocusSubscribe => next.focus_subscribe += 1,
                    ShortcutKind::Publish => next.publish += 1,
                }
                triggers.set(next);
            }
        });
    }
    let share_link = use_state(|| None::<String>);

    let key = status_key(&state.connection);
    {
        let onstatus = props.onstatus.clone();
        let tab = props.tab;
        let title = form_settings.client_id.clone();
        let url = form_settings.url.clone();
        use_effect_with((key, title, url), move |(key, title, url)| {
            let name = if title.is_empty() {
                url.split("://").nth(1).unwrap_or(url).to_owned()
            } else {
                title.clone()
            };
            onstatus.emit((tab, name, *key));
        });
    }
    let onconnect = {
        let driver = driver.clone();
        let form_settings = form_settings.clone();
        let state = state.clone();
        Callback::from(move |settings: ConnectionSettings| {
            driver.connect(&settings.url, settings.client_options()?)?;
            // A new session: the tab's subscriptions go out as soon as it is up.
            for subscription in &state.subscriptions {
                let request = subscription.request();
                match driver.subscribe(&request, None) {
                    Ok(()) => state.dispatch(Action::Subscribe(request)),
                    Err(words) => state.dispatch(Action::SubscriptionResults(vec![(
                        request.filter,
                        Err(words),
                    )])),
                }
            }
            storage::save_last(&settings);
            state.dispatch(Action::SetVersion(settings.version));
            form_settings.set(settings);
            Ok(())
        })
    };
    let ondisconnect = {
        let driver = driver.clone();
        Callback::from(move |()| driver.disconnect())
    };
    let ondrop = {
        let driver = driver.clone();
        Callback::from(move |()| driver.drop_connection())
    };
    let onsaveprofile = {
        let profiles = profiles.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |(name, settings): (String, ConnectionSettings)| {
            profiles.set(storage::save_profile(&name, &settings));
            dispatcher.dispatch(Action::Log {
                at: crate::driver::wall_clock_millis(),
                level: LogLevel::Info,
                text: format!("Saved profile {name}"),
            });
        })
    };
    let onprofile = {
        let profiles = profiles.clone();
        let form_settings = form_settings.clone();
        let form_generation = form_generation.clone();
        super::on_value::<Event>(move |name| {
            if let Some((_, settings)) = profiles.iter().find(|(n, _)| *n == name) {
                form_settings.set(settings.clone());
                form_generation.set(*form_generation + 1);
            }
        })
    };
    let ondeleteprofile = {
        let profiles = profiles.clone();
        let ids = ids.clone();
        Callback::from(move |_: MouseEvent| {
            let selected = gloo::utils::document()
                .get_element_by_id(&format!("{ids}-profile"))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(e).ok())
                .map(|s| s.value())
                .unwrap_or_default();
            if !selected.is_empty() {
                profiles.set(storage::delete_profile(&selected));
            }
        })
    };
    let onsubscribe = {
        let driver = driver.clone();
        let dispatcher = state.dispatcher();
        Callback::from(
            move |(request, identifier): (SubscriptionRequest, Option<u32>)| {
                driver.subscribe(&request, identifier)?;
                dispatcher.dispatch(Action::Subscribe(request));
                Ok(())
            },
        )
    };
    let onunsubscribe = {
        let driver = driver.clone();
        let state = state.clone();
        Callback::from(move |id: u32| {
            let Some(sub) = state.subscription(id) else {
                return;
            };
            match driver.unsubscribe(&sub.filter) {
                Ok(()) => state.dispatch(Action::Unsubscribe(id)),
                Err(words) => state.dispatch(Action::Log {
                    at: crate::driver::wall_clock_millis(),
                    level: LogLevel::Error,
                    text: words,
                }),
            }
        })
    };
    let onpublish = {
        let driver = driver.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |message: OutgoingMessage| {
            publish_recorded(&driver, &dispatcher, message)
        })
    };
    let (onstartperiodic, onstopperiodic) = use_periodic(
        &driver,
        state.dispatcher(),
        matches!(state.connection, ConnectionState::Connected { .. }),
    );
    let onresend = {
        let driver = driver.clone();
        let state = state.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |index: usize| {
            if let Some(sent) = state.sent.get(index) {
                let message = OutgoingMessage {
                    topic: sent.topic.clone(),
                    payload: sent.payload.clone(),
                    qos: sent.qos,
                    retain: sent.retain,
                    properties: sent.properties.clone(),
                };
                if let Err(words) = publish_recorded(&driver, &dispatcher, message) {
                    state.dispatch(Action::Log {
                        at: crate::driver::wall_clock_millis(),
                        level: LogLevel::Error,
                        text: format!("Resend failed: {words}"),
                    });
                }
            }
        })
    };
    let onedit = {
        let state = state.clone();
        let load = load.clone();
        Callback::from(move |index: usize| {
            if let Some(sent) = state.sent.get(index) {
                let (format, payload) = match std::str::from_utf8(&sent.payload) {
                    Ok(text) => (PayloadFormat::Text, text.to_owned()),
                    Err(_) => (
                        PayloadFormat::Hex,
                        crate::payload::hex_encode(&sent.payload),
                    ),
                };
                let p = &sent.properties;
                let draft = PublishDraft {
                    topic: sent.topic.clone(),
                    payload,
                    format,
                    qos: sent.qos,
                    retain: sent.retain,
                    content_type: p.content_type.clone().unwrap_or_default(),
                    response_topic: p.response_topic.clone().unwrap_or_default(),
                    correlation_data: p
                        .correlation_data
                        .as_ref()
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .unwrap_or_default(),
                    message_expiry: p
                        .message_expiry_interval
                        .map(|e| e.to_string())
                        .unwrap_or_default(),
                    payload_is_utf8: p.payload_format_indicator == Some(1),
                    user_properties: p
                        .user_properties
                        .iter()
                        .map(|(n, v)| format!("{n}={v}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                };
                let generation = load.as_ref().map_or(1, |(g, _)| g + 1);
                load.set(Some((generation, draft)));
            }
        })
    };
    let onclearretained = {
        let driver = driver.clone();
        let state = state.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |topic: String| {
            let message = OutgoingMessage {
                topic,
                payload: Bytes::new(),
                qos: mqtt_core::QoS::AtLeastOnce,
                retain: true,
                properties: PublishProperties::default(),
            };
            if let Err(words) = publish_recorded(&driver, &dispatcher, message) {
                state.dispatch(Action::Log {
                    at: crate::driver::wall_clock_millis(),
                    level: LogLevel::Error,
                    text: format!("Could not clear the retained message: {words}"),
                });
            }
        })
    };
    let onselectsub = {
        let state = state.clone();
        Callback::from(move |id: Option<u32>| state.dispatch(Action::FilterBy(id)))
    };
    let onselectmessage = {
        let state = state.clone();
        Callback::from(move |seq: u64| state.dispatch(Action::Select(Some(seq))))
    };
    let onclosedetail = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::Select(None)))
    };
    let onsearch = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(Action::Search(text)))
    };
    let onclear = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::Clear))
    };
    let onhistorylimit = {
        let state = state.clone();
        Callback::from(move |limit: usize| state.dispatch(Action::SetHistoryLimit(limit)))
    };
    {
        // The reducer owns the limit; the driver's inbox follows it.
        let driver = driver.clone();
        use_effect_with(state.history_limit, move |limit| {
            driver.set_history_limit(*limit)
        });
    }
    let onclearfilter = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::FilterBy(None)))
    };
    let filter_sub = state.filter.and_then(|id| state.subscription(id));
    let filter_text: Option<AttrValue> = filter_sub.map(|s| s.filter.clone().into());
    let filtered_to: Option<AttrValue> = filter_sub.map(|s| {
        if s.alias.is_empty() {
            s.filter.clone().into()
        } else {
            s.alias.clone().into()
        }
    });
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
    let export_with = |make: fn(&[Rc<crate::state::Message>]) -> String,
                       name: &'static str,
                       mime: &'static str| {
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
    let onshare = {
        let share_link = share_link.clone();
        let form_settings = form_settings.clone();
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let subscriptions: Vec<SubscriptionRequest> = state
                .subscriptions
                .iter()
                .map(Subscription::request)
                .collect();
            let document = crate::settings::share_document(&form_settings, &subscriptions);
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
            share_link.set(Some(format!("{base}{fragment}")));
        })
    };
    let selected = state
        .selected
        .and_then(|seq| state.messages.find(seq).cloned());
    let last_error = state
        .log
        .back()
        .filter(|entry| entry.level == LogLevel::Error)
        .filter(|_| !matches!(state.connection, ConnectionState::Connected { .. }))
        .map(|entry| AttrValue::from(entry.text.clone()));
    let shown_count = shown
        .as_ref()
        .as_ref()
        .map_or(state.messages.len(), Vec::len);
    let ondeleteprofile_disabled = profiles.is_empty();

    html! {
        <div class="connection-view" hidden={!props.active} id={ids.to_string()}>
            <StatusBar connection={state.connection.clone()} server={state.server.clone()}
                {last_error} />
            <div class="columns">
                <div class="side">
                    <section class="panel" aria-label="Connection">
                        <h2>{ "Connection" }</h2>
                        if !profiles.is_empty() {
                            <div class="field with-button">
                                <label for={format!("{ids}-profile")}>{ "Profile" }</label>
                                <select id={format!("{ids}-profile")} onchange={onprofile}>
                                    <option value="" selected=true>{ "Load a saved profile…" }</option>
                                    { for profiles.iter().map(|(name, _)| html! {
                                        <option value={name.clone()}>{ name.clone() }</option>
                                    }) }
                                </select>
                                <button type="button" onclick={ondeleteprofile}
                                    disabled={ondeleteprofile_disabled}>{ "Delete" }</button>
                            </div>
                        }
                        <ConnectionForm key={*form_generation} ids={ids.clone()}
                            initial={(*form_settings).clone()}
                            connection={state.connection.clone()}
                            {onconnect} {ondisconnect} {ondrop} {onsaveprofile}
                            trigger={triggers.connect} />
                        <details class="share">
                            <summary>{ "Share" }</summary>
                            <button type="button" onclick={onshare}>{ "Share link" }</button>
                            if let Some(link) = &*share_link {
                                <label for={format!("{ids}-share")}>{ "Link (without the password)" }</label>
                                <input id={format!("{ids}-share")} type="text" readonly=true
                                    value={link.clone()} />
                            }
                        </details>
                        <LogView log={state.log.clone()} />
                    </section>
                    <section class="panel" aria-label="Subscriptions">
                        <h2>{ "Subscriptions" }</h2>
                        <SubscriptionForm ids={ids.clone()} version={state.version} {onsubscribe}
                            focus={triggers.focus_subscribe} />
                        <SubscriptionList subscriptions={state.subscriptions.clone()}
                            selected={state.filter} onselect={onselectsub} {onunsubscribe} />
                    </section>
                    <section class="panel" aria-label="Publish">
                        <h2>{ "Publish" }</h2>
                        <PublishForm ids={ids.clone()} version={state.version}
                            periodic_sent={state.periodic_sent} {onpublish} {onstartperiodic}
                            {onstopperiodic} load={(*load).clone()} trigger={triggers.publish} />
                        <SentList sent={state.sent.clone()} {onresend} {onedit} />
                    </section>
                </div>
                <section class="panel messages" aria-label="Messages">
                    <h2>{ "Messages" }</h2>
                    <MessageToolbar ids={ids.clone()} search={AttrValue::from(state.search.clone())}
                        paused={state.paused} held={state.held.len()} shown={shown_count}
                        total={state.messages.len()} rate={state.rate}
                        history_limit={state.history_limit} filtered_to={filtered_to}
                        {onsearch} onpause={dispatch_pause(&state)} {onclear} {onexportjson}
                        {onexportcsv} {onhistorylimit} {onclearfilter} />
                    <MessageList messages={state.messages.clone()}
                        subscriptions={state.subscriptions.clone()} shown={Shown(shown.clone())}
                        selected={state.selected}
                        onselect={onselectmessage} />
                    if let Some(message) = selected {
                        <MessageDetail ids={ids.clone()} {message} {onclearretained}
                            onclose={onclosedetail} />
                    }
                    <TopicTree messages={state.messages.clone()} />
                </section>
            </div>
        </div>
    }
}

fn dispatch_pause(state: &UseReducerHandle<State>) -> Callback<bool> {
    let state = state.clone();
    Callback::from(move |paused: bool| state.dispatch(Action::SetPaused(paused)))
}

/// Publishes, and records the message in the tab's sent history once the core took it.
fn publish_recorded(
    driver: &Driver,
    dispatcher: &UseReducerDispatcher<State>,
    message: OutgoingMessage,
) -> Result<(), String> {
    let sent = SentMessage::pending(0, &message, crate::driver::wall_clock_millis());
    let id = driver.publish(message)?;
    dispatcher.dispatch(Action::Sent(SentMessage { id, ..sent }));
    Ok(())
}
