//! Saved profiles, the last used settings, the theme and the language, in the browser's localStorage.
//! Missing or unreadable entries read as absent; storage failures (private mode, quota) are
//! ignored, since nothing here is essential.

use gloo::storage::{LocalStorage, Storage};

use crate::i18n::Locale;
use crate::profile::{
    profiles_document, profiles_from_text, settings_from_text, settings_to_json, Password,
};
use crate::settings::ConnectionSettings;

const PROFILES_KEY: &str = "mqtt-web-client.profiles";
const LAST_KEY: &str = "mqtt-web-client.last";
const THEME_KEY: &str = "mqtt-web-client.theme";
const LOCALE_KEY: &str = "mqtt-web-client.locale";

fn read(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

fn write(key: &str, value: &str) {
    let _ = LocalStorage::raw().set_item(key, value);
}

/// Saved profiles by name, in the order they were first saved.
pub fn load_profiles() -> Vec<(String, ConnectionSettings)> {
    read(PROFILES_KEY)
        .map(|text| profiles_from_text(&text))
        .unwrap_or_default()
}

pub fn save_profile(
    name: &str,
    settings: &ConnectionSettings,
) -> Vec<(String, ConnectionSettings)> {
    let mut profiles = load_profiles();
    match profiles.iter_mut().find(|(n, _)| n == name) {
        Some(existing) => existing.1 = settings.clone(),
        None => profiles.push((name.to_owned(), settings.clone())),
    }
    store_profiles(&profiles);
    profiles
}

pub fn delete_profile(name: &str) -> Vec<(String, ConnectionSettings)> {
    let mut profiles = load_profiles();
    profiles.retain(|(n, _)| n != name);
    store_profiles(&profiles);
    profiles
}

fn store_profiles(profiles: &[(String, ConnectionSettings)]) {
    write(PROFILES_KEY, &profiles_document(profiles));
}

pub fn load_last() -> Option<ConnectionSettings> {
    read(LAST_KEY).and_then(|text| settings_from_text(&text))
}

pub fn save_last(settings: &ConnectionSettings) {
    write(
        LAST_KEY,
        &settings_to_json(settings, Password::IfRemembered).to_compact(),
    );
}

/// `Some(true)` dark, `Some(false)` light, `None` follow the system.
pub fn load_theme() -> Option<bool> {
    match read(THEME_KEY).as_deref() {
        Some("dark") => Some(true),
        Some("light") => Some(false),
        _ => None,
    }
}

pub fn save_theme(dark: Option<bool>) {
    match dark {
        Some(dark) => write(THEME_KEY, if dark { "dark" } else { "light" }),
        None => {
            let _ = LocalStorage::raw().remove_item(THEME_KEY);
        }
    }
}

/// The language the user chose, or `None` to follow the browser's.
pub fn load_locale() -> Option<Locale> {
    read(LOCALE_KEY).and_then(|tag| Locale::matching(&tag))
}

pub fn save_locale(locale: Option<Locale>) {
    match locale {
        Some(locale) => write(LOCALE_KEY, locale.tag()),
        None => {
            let _ = LocalStorage::raw().remove_item(LOCALE_KEY);
        }
    }
}
