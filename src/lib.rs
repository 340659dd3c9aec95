//! The browser app: a Yew single-page MQTT client on top of `mqtt_core`.
//!
//! `App` holds the connection tabs; each tab (`ConnectionView`) has its own state (`state`)
//! and its own driver (`driver`), the only code that does network I/O.

pub mod addresses;
pub mod auth;
pub mod chart;
pub mod clipboard;
pub mod clock;
pub mod components;
pub mod decoded;
pub mod decoder_module;
pub mod decoder_rules;
pub mod diff;
pub mod driver;
pub mod export;
pub mod i18n;
pub mod json;
pub mod json_path;
pub mod load;
pub mod number;
pub mod payload;
pub mod periodic;
pub mod profile;
pub mod publish;
pub mod recording;
pub mod replay;
pub mod request;
pub mod secure;
pub mod settings;
pub mod state;
pub mod storage;
pub mod topic_index;
pub mod validate;

use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use components::connection_view::{ConnectionView, ShortcutEvent, ShortcutKind};
use components::language_picker::LanguagePicker;
use components::tab_bar::{TabBar, TabInfo};
use i18n::fetched::use_shown_locale;
use i18n::{I18n, Key, Locale};
use profile::parse_share_document;
use settings::ConnectionSettings;
use state::SubscriptionRequest;

/// Tab ids are unique in the page, so element ids stay unique even with two apps mounted.
static NEXT_TAB_ID: AtomicU32 = AtomicU32::new(1);

fn next_tab_id() -> u32 {
    NEXT_TAB_ID.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Debug, PartialEq)]
struct Tab {
    info: TabInfo,
    initial: ConnectionSettings,
    subscriptions: Vec<SubscriptionRequest>,
}

#[derive(Clone, Debug, PartialEq)]
struct Tabs {
    tabs: Vec<Tab>,
    active: u32,
}

/// Changes to the tabs; `reduce` is pure: a new tab comes made (its id and settings are
/// read by the callback that adds it).
enum TabsAction {
    Add(Box<Tab>),
    Close(u32),
    Select(u32),
    Status(u32, String, &'static str),
}

fn new_tab(initial: ConnectionSettings, subscriptions: Vec<SubscriptionRequest>) -> Tab {
    Tab {
        info: TabInfo {
            id: next_tab_id(),
            title: String::new(),
            status: "disconnected",
        },
        initial,
        subscriptions,
    }
}

impl Reducible for Tabs {
    type Action = TabsAction;

    fn reduce(self: Rc<Self>, action: TabsAction) -> Rc<Self> {
        let mut tabs = Rc::unwrap_or_clone(self);
        match action {
            TabsAction::Add(tab) => {
                tabs.active = tab.info.id;
                tabs.tabs.push(*tab);
            }
            TabsAction::Close(id) => {
                if tabs.tabs.len() > 1 {
                    let index = tabs.tabs.iter().position(|t| t.info.id == id);
                    tabs.tabs.retain(|t| t.info.id != id);
                    if tabs.active == id {
                        let next = index.unwrap_or(0).min(tabs.tabs.len() - 1);
                        tabs.active = tabs.tabs[next].info.id;
                    }
                }
            }
            TabsAction::Select(id) => tabs.active = id,
            TabsAction::Status(id, title, status) => {
                if let Some(tab) = tabs.tabs.iter_mut().find(|t| t.info.id == id) {
                    tab.info.title = title;
                    tab.info.status = status;
                }
            }
        }
        Rc::new(tabs)
    }
}

/// Settings and subscriptions from a shared link (`#config=…`), else the last used settings.
fn initial_tab() -> Tab {
    let shared = gloo::utils::window()
        .location()
        .hash()
        .ok()
        .and_then(|hash| {
            let encoded = hash.strip_prefix("#config=")?.to_owned();
            js_sys::decode_uri_component(&encoded).ok()
        })
        .and_then(|text| parse_share_document(&String::from(text)));
    match shared {
        Some((settings, subscriptions)) => new_tab(settings, subscriptions),
        None => new_tab(storage::load_last().unwrap_or_default(), Vec::new()),
    }
}

fn apply_theme(dark: Option<bool>) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = match dark {
            Some(true) => root.set_attribute("data-theme", "dark"),
            Some(false) => root.set_attribute("data-theme", "light"),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// The language the browser prefers, of those the app speaks.
fn browser_locale() -> Locale {
    let languages = gloo::utils::window().navigator().languages();
    Locale::preferred(languages.iter().filter_map(|language| language.as_string()))
}

/// Tells the page (screen readers, hyphenation, the title) which language it is in.
fn apply_locale(i18n: I18n) {
    let document = gloo::utils::document();
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("lang", i18n.locale.tag());
    }
    document.set_title(i18n.t(Key::AppTitle));
}

fn shortcut_for(event: &KeyboardEvent) -> Option<ShortcutKind> {
    if !event.alt_key() || event.ctrl_key() || event.meta_key() {
        return None;
    }
    // `code` names the physical key, which Alt does not change (unlike `key` on macOS).
    match event.code().as_str() {
        "KeyC" => Some(ShortcutKind::Connect),
        "KeyS" => Some(ShortcutKind::FocusSubscribe),
        "KeyP" => Some(ShortcutKind::Publish),
        _ => None,
    }
}

#[component]
pub fn App() -> Html {
    let tabs = use_reducer(|| {
        let tab = initial_tab();
        Tabs {
            active: tab.info.id,
            tabs: vec![tab],
        }
    });
    // `None` follows the system's colour scheme.
    let dark = use_state(storage::load_theme);
    // `None` follows the browser's languages.
    let chosen_locale = use_state(storage::load_locale);
    // Counts the choices made in the menu, so that choosing a language whose texts could not
    // be fetched tries again.
    let locale_choices = use_state(|| 0u32);
    let (shown_locale, locale_failure) = use_shown_locale(
        chosen_locale.unwrap_or_else(browser_locale),
        *locale_choices,
    );
    let i18n = I18n {
        locale: shown_locale.unwrap_or(Locale::En),
    };
    use_effect_with((*chosen_locale, shown_locale), |(chosen, shown)| {
        if let Some(locale) = shown {
            apply_locale(I18n { locale: *locale });
        }
        storage::save_locale(*chosen);
    });
    let onlocale = {
        let chosen_locale = chosen_locale.setter();
        let locale_choices = locale_choices.clone();
        Callback::from(move |locale: Locale| {
            let follows_browser = locale == browser_locale();
            chosen_locale.set((!follows_browser).then_some(locale));
            locale_choices.set(locale_choices.wrapping_add(1));
        })
    };
    let shortcut = use_state(|| None::<ShortcutEvent>);
    // Read by the key listener, which is registered once and must see the current tab.
    let active_tab = use_mut_ref(|| tabs.active);
    *active_tab.borrow_mut() = tabs.active;
    use_effect_with(*dark, |dark| {
        apply_theme(*dark);
        storage::save_theme(*dark);
    });
    {
        let shortcut = shortcut.setter();
        let active_tab = active_tab.clone();
        use_effect_with((), move |_| {
            let presses = std::cell::Cell::new(0u32);
            // Not passive: the shortcut keeps the browser from acting on the key too.
            let options = EventListenerOptions::enable_prevent_default();
            let document = gloo::utils::document();
            let listener =
                EventListener::new_with_options(&document, "keydown", options, move |e| {
                    let Some(event) = e.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    if let Some(kind) = shortcut_for(event) {
                        event.prevent_default();
                        presses.set(presses.get().wrapping_add(1));
                        shortcut.set(Some(ShortcutEvent {
                            seq: presses.get(),
                            tab: *active_tab.borrow(),
                            kind,
                        }));
                    }
                });
            move || drop(listener)
        });
    }
    let ontheme = {
        let dark = dark.clone();
        Callback::from(move |_: MouseEvent| {
            let system_dark = gloo::utils::window()
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
            let next = !dark.unwrap_or(system_dark);
            let choice = if next == system_dark {
                None
            } else {
                Some(next)
            };
            dark.set(choice);
        })
    };
    let onstatus = {
        let tabs = tabs.dispatcher();
        Callback::from(move |(id, title, status): (u32, String, &'static str)| {
            tabs.dispatch(TabsAction::Status(id, title, status));
        })
    };
    let dispatcher = tabs.dispatcher();
    let onselect = Callback::from(move |id| dispatcher.dispatch(TabsAction::Select(id)));
    let dispatcher = tabs.dispatcher();
    let onadd = Callback::from(move |()| {
        let tab = new_tab(storage::load_last().unwrap_or_default(), Vec::new());
        dispatcher.dispatch(TabsAction::Add(Box::new(tab)))
    });
    let dispatcher = tabs.dispatcher();
    let onclose = Callback::from(move |id| dispatcher.dispatch(TabsAction::Close(id)));
    let infos: Vec<TabInfo> = tabs.tabs.iter().map(|t| t.info.clone()).collect();
    let theme_label = i18n.t(match *dark {
        Some(true) => Key::ThemeDark,
        Some(false) => Key::ThemeLight,
        None => Key::ThemeSystem,
    });
    if shown_locale.is_none() {
        // The first language's texts are on their way: nothing rather than a flash of English.
        return html! {};
    }

    html! {
        <ContextProvider<I18n> context={i18n}>
        <div class="app">
            <header class="app-header">
                <h1>{ i18n.t(Key::AppTitle) }</h1>
                <TabBar tabs={infos} active={tabs.active} {onselect} {onadd} {onclose} />
                <LanguagePicker locale={i18n.locale} onchange={onlocale}
                    failure={locale_failure} />
                <button type="button" class="theme" onclick={ontheme}
                    title={i18n.t(Key::ThemeSwitch)}>{ theme_label }</button>
            </header>
            <main>
                { for tabs.tabs.iter().map(|tab| html! {
                    <ConnectionView key={tab.info.id} tab={tab.info.id}
                        active={tab.info.id == tabs.active} initial={tab.initial.clone()}
                        initial_subscriptions={tab.subscriptions.clone()}
                        onstatus={onstatus.clone()} shortcut={*shortcut} />
                }) }
            </main>
            <footer class="app-footer">{ i18n.t(Key::ShortcutsFooter) }</footer>
        </div>
        </ContextProvider<I18n>>
    }
}
