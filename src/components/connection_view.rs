use mqtt_core::{ClientOptions, ConnectionState};
use yew::prelude::*;

use super::auth_panel::AuthPanel;
use super::connection_form::ConnectionForm;
use super::connection_summary::ConnectionSummary;
use super::decoding::{use_decoding, DecodedViews};
use super::log_view::LogView;
use super::messages_panel::MessagesPanel;
use super::profile_picker::ProfilePicker;
use super::publish_panel::PublishPanel;
use super::record_replay::RecordReplayPanel;
use super::redirect_offer::RedirectOfferView;
use super::secure_hint::SecureHintView;
use super::selected_message::SelectedMessage;
use super::selected_topic::SelectedTopic;
use super::share_panel::SharePanel;
use super::status_bar::{status_key, StatusBar};
use super::subscriptions_panel::{subscribe_listed, SubscriptionsPanel};
use super::workspace::{Selected, Workspace};
use crate::auth::AuthPlan;
use crate::clock::log_now;
use crate::driver::{Addresses, Driver};
use crate::i18n::{use_i18n, Key, Text};
use crate::settings::ConnectionSettings;
use crate::state::{Action, LogLevel, State, SubscriptionRequest};
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

/// The Connection section: the whole form until a session is up, then folded into a line
/// until the user unfolds it or the connection ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    Form,
    Folded,
    Unfolded,
}

/// One connection: its state, its driver and all its panels, placed by the `Workspace`.
#[component]
pub fn ConnectionView(props: &ConnectionViewProps) -> Html {
    let i18n = use_i18n();
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
    // The decoder rules in force: the form's, as edited, or a loaded profile's.
    let decoders = use_state(|| props.initial.decoders.clone());
    // What the message list, the topic tree and the charts decode (`decoding.rs`).
    let rules = use_memo((*decoders).clone(), Clone::clone);
    let want_decoded = use_decoding(state.dispatcher(), rules.clone(), driver.decoder_session());
    let decoded_views = DecodedViews {
        rules,
        cache: state.decoded.clone(),
        want: want_decoded,
    };
    {
        // The driver hears Sparkplug B births as they arrive, by the rules in force.
        let driver = (*driver).clone();
        use_effect_with((*decoders).clone(), move |rules| {
            driver.set_decoders(rules.clone())
        });
    }
    // Bumped when a profile is loaded, so the form starts over from it.
    let form_generation = use_state(|| 0u32);
    let profiles = use_state(storage::load_profiles);
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

    let key = status_key(&state.connection);
    let fold = use_state_eq(|| Fold::Form);
    {
        // Reconnecting after a loss keeps what was shown; a first attempt that fails keeps the
        // form, to fix the settings.
        let fold = fold.clone();
        use_effect_with(key, move |key| match *key {
            "connected" if *fold == Fold::Form => fold.set(Fold::Folded),
            "disconnected" => fold.set(Fold::Form),
            _ => {}
        });
    }
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
            let options = ClientOptions::try_from(&settings)?;
            let addresses = Addresses {
                url: &settings.url,
                backups: &settings.backup_urls,
                follow_references: settings.follow_references,
            };
            driver.connect_authenticated(addresses, options, AuthPlan::of(&settings))?;
            // A new session: the tab's subscriptions go out as soon as it is up.
            for subscription in &state.subscriptions {
                let request = subscription.request.clone();
                if let Err(words) = subscribe_listed(&driver, &state.dispatcher(), request, None) {
                    state.dispatch(Action::SubscriptionResults(vec![(
                        subscription.filter().to_owned(),
                        Err(words),
                    )]));
                }
            }
            storage::save_last(&settings);
            state.dispatch(Action::Connect(settings.version));
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
            dispatcher.dispatch(log_now(
                LogLevel::Info,
                Text::new(Key::ProfileSaved).with("name", name),
            ));
        })
    };
    let onloadprofile = {
        let form_settings = form_settings.clone();
        let form_generation = form_generation.clone();
        let decoders = decoders.clone();
        Callback::from(move |settings: ConnectionSettings| {
            decoders.set(settings.decoders.clone());
            form_settings.set(settings);
            form_generation.set(*form_generation + 1);
        })
    };
    let ondeleteprofile = {
        let profiles = profiles.clone();
        Callback::from(move |name: String| profiles.set(storage::delete_profile(&name)))
    };
    let last_error = state
        .log
        .back()
        .filter(|entry| entry.level == LogLevel::Error)
        .filter(|_| !matches!(state.connection, ConnectionState::Connected { .. }))
        .map(|entry| entry.text.clone());
    let ontogglefold = {
        let fold = fold.clone();
        Callback::from(move |()| {
            fold.set(match *fold {
                Fold::Folded => Fold::Unfolded,
                _ => Fold::Folded,
            })
        })
    };
    // As the tab names itself: the settings of the last Connect or profile loaded, not the
    // form's edits since.
    let client_id = match &state.server {
        Some(server) if form_settings.client_id.is_empty() => {
            server.assigned_client_id.clone().unwrap_or_default()
        }
        _ => form_settings.client_id.clone(),
    };
    let settings_id = format!("{ids}-settings");
    let driver = (*driver).clone();
    let inspector = state
        .selected
        .and_then(|seq| state.messages.find(seq).cloned())
        .map(|message| Selected {
            key: format!("message-{}", message.seq).into(),
            view: html! {
                <SelectedMessage ids={ids.clone()} driver={driver.clone()} state={state.clone()}
                    {message} decoders={(*decoders).clone()} />
            },
        })
        .or_else(|| {
            state.selected_topic.map(|node| Selected {
                key: format!("topic-{node}").into(),
                view: html! {
                    <SelectedTopic ids={ids.clone()} driver={driver.clone()} state={state.clone()}
                        {node} />
                },
            })
        });

    // The hint of a failed wss:// connection under the status, where it stays in view.
    let bar = html! {
        <>
            <StatusBar connection={state.connection.clone()} server={state.server.clone()}
                addresses={state.addresses.clone()} {last_error} />
            <SecureHintView hint={state.secure_hint.clone()} />
            <RedirectOfferView driver={driver.clone()} state={state.clone()} />
        </>
    };
    let side = html! {
        <>
            <section class="panel connection" aria-label={i18n.t(Key::Connection)}>
                <h2>{ i18n.t(Key::Connection) }</h2>
                if *fold != Fold::Form {
                    <ConnectionSummary url={AttrValue::from(form_settings.url.clone())}
                        client_id={AttrValue::from(client_id)} version={state.version}
                        folded={*fold == Fold::Folded} controls={settings_id.clone()}
                        ontoggle={ontogglefold} ondisconnect={ondisconnect.clone()} />
                }
                // Folded, the form stays mounted: its edits and the Connect shortcut live on.
                <div id={settings_id} hidden={*fold == Fold::Folded}>
                    <ProfilePicker ids={ids.clone()} profiles={(*profiles).clone()}
                        onload={onloadprofile} ondelete={ondeleteprofile} />
                    <ConnectionForm key={*form_generation} ids={ids.clone()}
                        initial={(*form_settings).clone()}
                        connection={state.connection.clone()}
                        {onconnect} {ondisconnect} {ondrop} {onsaveprofile}
                        ondecoders={{
                            let decoders = decoders.clone();
                            Callback::from(move |rules| decoders.set(rules))
                        }}
                        trigger={triggers.connect} />
                </div>
                <div class="connection-extras">
                    <AuthPanel ids={ids.clone()} driver={driver.clone()} state={state.clone()} />
                    <SharePanel ids={ids.clone()} settings={(*form_settings).clone()}
                        state={state.clone()} />
                    <LogView log={state.log.clone()} />
                </div>
            </section>
            <SubscriptionsPanel ids={ids.clone()} driver={driver.clone()}
                state={state.clone()} focus={triggers.focus_subscribe} />
            <RecordReplayPanel ids={ids.clone()} driver={driver.clone()} state={state.clone()} />
        </>
    };
    let center = html! {
        <MessagesPanel ids={ids.clone()} driver={driver.clone()} state={state.clone()} />
    };
    let publish = html! {
        <PublishPanel ids={ids.clone()} {driver} state={state.clone()}
            trigger={triggers.publish}  decoders={(*decoders).clone()} />
    };

    html! {
        <div class="connection-view" hidden={!props.active} id={ids.to_string()}>
            <ContextProvider<DecodedViews> context={decoded_views}>
                <Workspace {ids} {bar} {side} {center} {inspector} {publish}
                    reveal_side={triggers.focus_subscribe} />
            </ContextProvider<DecodedViews>>
        </div>
    }
}
