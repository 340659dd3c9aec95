//! The connection form's "Authentication" (MQTT 5 only): none, SCRAM-SHA-256, SCRAM-SHA-512
//! (with the form's username and password), or another method step by step (its name and
//! initial data as text or hex). Part of the form: it edits the form's `AuthSettings`.

use yew::prelude::*;

use super::{on_value, text_input};
use crate::auth::{AuthEdit, AuthMode, AuthSettings, AUTH_MODES};
use crate::i18n::{I18n, Key};
use crate::payload::PayloadFormat;

/// The words of a mode in the select: SCRAM's are the method names, protocol tokens.
fn mode_label(i18n: I18n, mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::None => i18n.t(Key::AuthNone),
        AuthMode::Scram(hash) => hash.method(),
        AuthMode::Generic => i18n.t(Key::AuthGeneric),
    }
}

/// A select between text and hex for data typed in `id`'s field.
pub fn data_format_select(
    i18n: I18n,
    id: &str,
    label: &str,
    hex: bool,
    onchange: Callback<bool>,
) -> Html {
    let onchange = on_value::<Event>(move |key| {
        onchange.emit(PayloadFormat::from_key(&key) == Some(PayloadFormat::Hex))
    });
    html! {
        <div class="field">
            <label for={id.to_owned()}>{ label.to_owned() }</label>
            <select id={id.to_owned()} {onchange}>
                { for [PayloadFormat::Text, PayloadFormat::Hex].into_iter().map(|format| html! {
                    <option value={format.key()}
                        selected={(format == PayloadFormat::Hex) == hex}>
                        { i18n.t(format.label()) }
                    </option>
                }) }
            </select>
        </div>
    }
}

/// The fields, with ids `{prefix}-auth-…`; each edit is handed on as an `AuthEdit`.
pub fn auth_fields(
    i18n: I18n,
    prefix: &str,
    auth: &AuthSettings,
    onedit: Callback<AuthEdit>,
) -> Html {
    let id = |name: &str| format!("{prefix}-auth-{name}");
    let edit = |f: fn(String) -> AuthEdit| onedit.reform(f);
    let onmode = {
        let onedit = onedit.clone();
        on_value::<Event>(move |key| {
            if let Some(mode) = AuthMode::from_key(&key) {
                onedit.emit(AuthEdit::Mode(mode));
            }
        })
    };
    let onformat = onedit.reform(AuthEdit::DataHex);
    html! {
        <div class="auth-settings">
            <div class="field">
                <label for={id("mode")}>{ i18n.t(Key::Authentication) }</label>
                <select id={id("mode")} onchange={onmode}>
                    { for AUTH_MODES.into_iter().map(|mode| html! {
                        <option value={mode.key()} selected={mode == auth.mode}>
                            { mode_label(i18n, mode) }
                        </option>
                    }) }
                </select>
            </div>
            if matches!(auth.mode, AuthMode::Scram(_)) {
                <p class="note">{ i18n.t(Key::AuthScramHint) }</p>
            }
            if auth.mode == AuthMode::Generic {
                { text_input(&id("method"), i18n.t(Key::AuthMethod), &auth.method,
                    edit(AuthEdit::Method), None) }
                <div class="row">
                    { text_input(&id("data"), i18n.t(Key::AuthInitialData), &auth.data,
                        edit(AuthEdit::Data), None) }
                    { data_format_select(i18n, &id("data-format"),
                        i18n.t(Key::AuthInitialDataFormat), auth.data_hex, onformat) }
                </div>
            }
        </div>
    }
}
