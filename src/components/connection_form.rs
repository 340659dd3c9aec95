use mqtt_core::{ConnectionState, ProtocolVersion};
use yew::prelude::*;

use crate::i18n::{use_i18n, Key, Text};

use super::auth_fields::auth_fields;
use super::{checkbox, on_value, qos_select, text_input};
use crate::settings::{
    generated_client_id, version_from_key, version_key, ConnectionSettings, PRESETS,
};
use crate::{secure, validate};

#[derive(Properties, PartialEq)]
pub struct ConnectionFormProps {
    /// Prefix that makes element ids unique per tab.
    pub ids: AttrValue,
    /// What the form starts with; to show other settings (a loaded profile), the parent
    /// mounts a new form with a new `key`.
    pub initial: ConnectionSettings,
    pub connection: ConnectionState,
    pub onconnect: Callback<ConnectionSettings, Result<(), Text>>,
    pub ondisconnect: Callback<()>,
    /// Close the socket without DISCONNECT (to try out the will).
    pub ondrop: Callback<()>,
    pub onsaveprofile: Callback<(String, ConnectionSettings)>,
    /// The decoder rules as edited, which apply at once (they are saved with the rest).
    pub ondecoders: Callback<Vec<crate::decoder_rules::DecoderRule>>,
    /// Asks the form to connect (a keyboard shortcut); changes each time.
    #[prop_or_default]
    pub trigger: u32,
}

#[component]
pub fn ConnectionForm(props: &ConnectionFormProps) -> Html {
    let i18n = use_i18n();
    let settings = use_state(|| props.initial.clone());
    let error = use_state(|| None::<Text>);
    let profile_name = use_state(String::new);
    let form_ref = use_node_ref();
    {
        let form_ref = form_ref.clone();
        use_effect_with(props.trigger, move |trigger| {
            if *trigger > 0 {
                if let Some(form) = form_ref.cast::<web_sys::HtmlFormElement>() {
                    let _ = form.request_submit();
                }
            }
        });
    }
    let id = |name: &str| format!("{}-{name}", props.ids);

    // Every field edits a copy of the settings and stores it back.
    let edit = |f: fn(&mut ConnectionSettings, String)| {
        let settings = settings.clone();
        Callback::from(move |value: String| {
            let mut next = (*settings).clone();
            f(&mut next, value);
            settings.set(next);
        })
    };
    let toggle = |f: fn(&mut ConnectionSettings, bool)| {
        let settings = settings.clone();
        Callback::from(move |value: bool| {
            let mut next = (*settings).clone();
            f(&mut next, value);
            settings.set(next);
        })
    };

    let onsubmit = {
        let settings = settings.clone();
        let error = error.clone();
        let onconnect = props.onconnect.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            error.set(onconnect.emit((*settings).clone()).err());
        })
    };
    let ondisconnect = props.ondisconnect.reform(|_: MouseEvent| ());
    let ondrop = props.ondrop.reform(|_: MouseEvent| ());
    let ongenerate = {
        let settings = settings.clone();
        Callback::from(move |_: MouseEvent| {
            let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
            let mut next = (*settings).clone();
            next.client_id = generated_client_id(random);
            settings.set(next);
        })
    };
    let onpreset = {
        let settings = settings.clone();
        on_value::<Event>(move |url| {
            if !url.is_empty() {
                let mut next = (*settings).clone();
                next.url = url;
                settings.set(next);
            }
        })
    };
    let onversion = {
        let settings = settings.clone();
        on_value::<Event>(move |key| {
            if let Some(version) = version_from_key(&key) {
                let mut next = (*settings).clone();
                next.version = version;
                settings.set(next);
            }
        })
    };
    let onsave = {
        let settings = settings.clone();
        let profile_name = profile_name.clone();
        let onsaveprofile = props.onsaveprofile.clone();
        Callback::from(move |_: MouseEvent| {
            let name = profile_name.trim();
            let name = if name.is_empty() {
                settings.url.trim().to_owned()
            } else {
                name.to_owned()
            };
            onsaveprofile.emit((name, (*settings).clone()));
        })
    };

    // A ws:// URL from an https page too: the browser would refuse it (mixed content).
    let url_error = validate::broker_url(&settings.url)
        .map_err(|problem| problem.text())
        .and_then(|()| secure::mixed_content(&secure::page_protocol(), &settings.url))
        .err()
        .map(|text| i18n.text(&text));
    // Each backup URL is checked as the main one is, mixed content too.
    let backup_error = crate::addresses::check_backups(&settings.backup_urls)
        .map_err(|problem| problem.text())
        .and_then(|()| {
            crate::addresses::backup_urls(&settings.backup_urls)
                .try_for_each(|url| secure::mixed_content(&secure::page_protocol(), url))
        })
        .err()
        .map(|text| i18n.text(&text));
    let is_v5 = settings.version == ProtocolVersion::V5;
    let active = !matches!(props.connection, ConnectionState::Disconnected { .. });
    let connected = matches!(props.connection, ConnectionState::Connected { .. });

    html! {
        <form class="connection-form" ref={form_ref} {onsubmit} novalidate=true>
            <div class="field">
                <label for={id("preset")}>{ i18n.t(Key::Preset) }</label>
                <select id={id("preset")} onchange={onpreset}>
                    <option value="" selected=true>{ i18n.t(Key::PresetChoose) }</option>
                    { for PRESETS.iter().map(|p| html! {
                        <option value={p.url}>
                            { i18n.text(&Text::new(Key::PresetOption).with("name", p.name)
                                .with("url", p.url)) }
                        </option>
                    }) }
                </select>
            </div>
            { text_input(&id("url"), i18n.t(Key::BrokerUrl), &settings.url,
                edit(|s, v| s.url = v), url_error.as_deref()) }
            <div class="field">
                <label for={id("backup-urls")}>{ i18n.t(Key::BackupUrls) }</label>
                <textarea id={id("backup-urls")} rows="2" value={settings.backup_urls.clone()}
                    placeholder="wss://broker-2.example:8084/mqtt"
                    aria-invalid={backup_error.is_some().then_some("true")}
                    aria-describedby={if backup_error.is_some() {
                        id("backup-urls-error") } else { id("backup-urls-hint") }}
                    oninput={on_value::<InputEvent>({
                        let edit = edit(|s, v| s.backup_urls = v);
                        move |v| edit.emit(v)
                    })} />
                if let Some(error) = &backup_error {
                    <p class="error" id={id("backup-urls-error")} role="alert">{ error.clone() }</p>
                } else {
                    <p class="hint" id={id("backup-urls-hint")}>{ i18n.t(Key::BackupUrlsHint) }</p>
                }
            </div>
            <div class="row">
            <div class="field">
                <label for={id("version")}>{ i18n.t(Key::MqttVersion) }</label>
                <select id={id("version")} onchange={onversion}>
                    { for [ProtocolVersion::V5, ProtocolVersion::V311].into_iter().map(|v| html! {
                        <option value={version_key(v)} selected={v == settings.version}>
                            { version_key(v) }
                        </option>
                    }) }
                </select>
            </div>
            { text_input(&id("keep-alive"), i18n.t(Key::KeepAlive), &settings.keep_alive,
                edit(|s, v| s.keep_alive = v), None) }
            if is_v5 {
                { text_input(&id("session-expiry"), i18n.t(Key::SessionExpiry), &settings.session_expiry,
                    edit(|s, v| s.session_expiry = v), None) }
            }
            </div>
            <div class="field with-button">
                <label for={id("client-id")}>{ i18n.t(Key::ClientId) }</label>
                <input id={id("client-id")} type="text" value={settings.client_id.clone()}
                    placeholder={i18n.t(Key::ClientIdPlaceholder)}
                    oninput={on_value::<InputEvent>({
                        let edit = edit(|s, v| s.client_id = v);
                        move |v| edit.emit(v)
                    })} />
                <button type="button" onclick={ongenerate}>{ i18n.t(Key::GenerateClientId) }</button>
            </div>
            <div class="row">
            { text_input(&id("username"), i18n.t(Key::Username), &settings.username,
                edit(|s, v| s.username = v), None) }
            <div class="field">
                <label for={id("password")}>{ i18n.t(Key::Password) }</label>
                <input id={id("password")} type="password" autocomplete="off"
                    value={settings.password.clone()}
                    oninput={on_value::<InputEvent>({
                        let edit = edit(|s, v| s.password = v);
                        move |v| edit.emit(v)
                    })} />
            </div>
            </div>
            if is_v5 {
                { auth_fields(i18n, &props.ids, &settings.auth, {
                    let settings = settings.clone();
                    Callback::from(move |edit| {
                        let mut next = (*settings).clone();
                        next.auth.edit(edit);
                        settings.set(next);
                    })
                }) }
            }
            <div class="checks">
            { checkbox(&id("remember"), i18n.t(Key::RememberPassword), settings.remember_password,
                toggle(|s, v| s.remember_password = v)) }
            { checkbox(&id("clean-start"), i18n.t(if is_v5 { Key::CleanStart } else { Key::CleanSession }),
                settings.clean_start, toggle(|s, v| s.clean_start = v)) }
            { checkbox(&id("auto-reconnect"), i18n.t(Key::AutoReconnect), settings.auto_reconnect,
                toggle(|s, v| s.auto_reconnect = v)) }
            if is_v5 {
                { checkbox(&id("follow-references"), i18n.t(Key::FollowReferences),
                    settings.follow_references, toggle(|s, v| s.follow_references = v)) }
            }
            </div>
            <super::decoder_rules_panel::DecoderRulesPanel ids={props.ids.clone()}
                rules={settings.decoders.clone()} onchange={{
                    let settings = settings.clone();
                    let ondecoders = props.ondecoders.clone();
                    Callback::from(move |rules: Vec<crate::decoder_rules::DecoderRule>| {
                        let mut next = (*settings).clone();
                        next.decoders = rules.clone();
                        settings.set(next);
                        ondecoders.emit(rules);
                    })
                }} />
            <details class="will">
                <summary>{ i18n.t(Key::LastWill) }</summary>
                { text_input(&id("will-topic"), i18n.t(Key::WillTopic), &settings.will.topic,
                    edit(|s, v| s.will.topic = v), None) }
                <div class="field">
                    <label for={id("will-payload")}>{ i18n.t(Key::WillPayload) }</label>
                    <textarea id={id("will-payload")} rows="2" value={settings.will.payload.clone()}
                        oninput={on_value::<InputEvent>({
                            let edit = edit(|s, v| s.will.payload = v);
                            move |v| edit.emit(v)
                        })} />
                </div>
                { qos_select(&id("will-qos"), i18n.t(Key::WillQos), settings.will.qos, {
                    let settings = settings.clone();
                    Callback::from(move |qos| {
                        let mut next = (*settings).clone();
                        next.will.qos = qos;
                        settings.set(next);
                    })
                }) }
                { checkbox(&id("will-retain"), i18n.t(Key::WillRetain), settings.will.retain,
                    toggle(|s, v| s.will.retain = v)) }
                if is_v5 {
                    { text_input(&id("will-delay"), i18n.t(Key::WillDelaySeconds), &settings.will.delay_interval,
                        edit(|s, v| s.will.delay_interval = v), None) }
                    { text_input(&id("will-expiry"), i18n.t(Key::WillExpirySeconds),
                        &settings.will.message_expiry, edit(|s, v| s.will.message_expiry = v), None) }
                    { text_input(&id("will-content-type"), i18n.t(Key::WillContentType),
                        &settings.will.content_type, edit(|s, v| s.will.content_type = v), None) }
                }
            </details>
            if let Some(error) = &*error {
                <p class="error" role="alert">{ i18n.text(error) }</p>
            }
            <div class="buttons">
                <button type="submit" class="primary" disabled={url_error.is_some() || backup_error.is_some()}>
                    { i18n.t(Key::Connect) }
                </button>
                <button type="button" onclick={ondisconnect} disabled={!active}>
                    { i18n.t(Key::Disconnect) }
                </button>
                <button type="button" onclick={ondrop} disabled={!connected}
                    title={i18n.t(Key::DropConnectionHint)}>
                    { i18n.t(Key::DropConnection) }
                </button>
            </div>
            <details class="profile">
                <summary>{ i18n.t(Key::SaveAsProfile) }</summary>
                <div class="field with-button">
                    <label for={id("profile-name")}>{ i18n.t(Key::ProfileName) }</label>
                    <input id={id("profile-name")} type="text" value={(*profile_name).clone()}
                        oninput={on_value::<InputEvent>({
                            let profile_name = profile_name.clone();
                            move |v| profile_name.set(v)
                        })} />
                    <button type="button" onclick={onsave}>{ i18n.t(Key::SaveProfile) }</button>
                </div>
            </details>
        </form>
    }
}
