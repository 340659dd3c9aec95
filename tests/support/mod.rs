//! Drives the mounted app the way a user would: finds controls by their visible label or
//! button text, types into them, clicks, and waits (with a deadline) for the page to show
//! something.
#![allow(dead_code)] // Each test binary uses a different subset.

use std::cell::RefCell;
use std::time::Duration;

use gloo_timers::future::sleep;
use mqtt_web_client::App;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement,
    HtmlTextAreaElement,
};
use yew::AppHandle;

pub mod peer;

/// The test broker's WebSocket URL, set at compile time by the test command (wasm has no
/// environment at run time). Optional so that lints build without it.
pub fn broker_url() -> &'static str {
    match option_env!("MQTT_TEST_WS_URL") {
        Some(url) => url,
        None => panic!(
            "set MQTT_TEST_WS_URL (e.g. ws://127.0.0.1:9001) when building the browser tests"
        ),
    }
}

/// A test peer's address, `option_env!(name)` of the test binary: set at compile time by
/// scripts/test (wasm has no environment at run time), optional so that lints build without it.
pub fn set_by_scripts(name: &str, value: Option<&'static str>) -> &'static str {
    value.unwrap_or_else(|| panic!("set {name} when building the browser tests (scripts/test)"))
}

pub const DEADLINE: Duration = Duration::from_secs(10);

thread_local! {
    /// What the page threw and nothing caught, since `watch_page_errors` began; `None` before.
    static PAGE_ERRORS: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// From now on records every error the page does not catch and every promise rejection nobody
/// handles: an exception thrown out of a render stops Yew's scheduler for good, and a test that
/// then times out should say so rather than only what it waited for.
fn watch_page_errors() {
    // Already watching: a new mount starts a new list.
    if PAGE_ERRORS.with(|errors| errors.borrow_mut().replace(Vec::new()).is_some()) {
        return;
    }
    let record = wasm_bindgen::closure::Closure::<dyn Fn(wasm_bindgen::JsValue)>::new(
        |event: wasm_bindgen::JsValue| {
            let field = |value: &wasm_bindgen::JsValue, name: &str| {
                js_sys::Reflect::get(value, &name.into()).unwrap_or_default()
            };
            let error = match field(&event, "error") {
                error if error.is_undefined() => field(&event, "reason"),
                error => error,
            };
            let words = [field(&event, "message"), field(&error, "stack")]
                .iter()
                .filter_map(|part| part.as_string())
                .collect::<Vec<_>>()
                .join(" | ");
            let words = if words.is_empty() {
                format!("{error:?}")
            } else {
                words
            };
            PAGE_ERRORS.with(|errors| {
                errors.borrow_mut().get_or_insert_with(Vec::new).push(words);
            });
        },
    );
    let window = gloo::utils::window();
    for kind in ["error", "unhandledrejection"] {
        window
            .add_event_listener_with_callback(kind, record.as_ref().unchecked_ref())
            .expect("listen for page errors");
    }
    record.forget(); // for the life of the page
}

/// The page's uncaught errors since the last mount, for a failure's message (empty if none).
pub fn page_errors() -> String {
    PAGE_ERRORS.with(|errors| match errors.borrow().as_deref() {
        None | Some([]) => String::new(),
        Some(errors) => format!(
            " (the page threw, uncaught, since mount: {})",
            errors.join("; ")
        ),
    })
}

/// The browser engine the tests run in (scripts/test runs them in all three).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

/// Read from the user agent: WebDriver gives the page no other name for its engine.
pub fn engine() -> Engine {
    let agent = gloo::utils::window()
        .navigator()
        .user_agent()
        .unwrap_or_default();
    if agent.contains("Firefox/") {
        Engine::Firefox
    } else if agent.contains("Chrome/") || agent.contains("Chromium/") {
        Engine::Chromium
    } else {
        Engine::WebKit
    }
}

/// Says in the test output what a test leaves out in this engine, and why.
pub fn note(what: &str) {
    wasm_bindgen_test::console_log!("note ({:?}): {what}", engine());
}

pub struct Mounted {
    pub root: Element,
    handle: Option<AppHandle<App>>,
}

impl Mounted {
    /// Unmounts the app (its tabs say goodbye to the broker) and removes its element.
    pub async fn unmount(mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        sleep(Duration::from_millis(50)).await;
        self.root.remove();
    }

    /// A section of the active tab by its accessible name ("Connection", "Publish", …).
    pub fn section(&self, name: &str) -> Element {
        self.root
            .query_selector(&format!(
                ".connection-view:not([hidden]) section[aria-label=\"{name}\"]"
            ))
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no section {name}"))
    }

    /// The control labelled exactly `label` inside `section`.
    pub fn field(&self, section: &str, label: &str) -> HtmlElement {
        self.find_field(section, label)
            .unwrap_or_else(|| panic!("no control labelled {label:?} in {section}"))
    }

    /// Waits until a control labelled `label` appears (after a re-render).
    pub async fn wait_field(&self, section: &str, label: &str) -> HtmlElement {
        wait_until(&format!("a control labelled {label:?}"), || {
            self.find_field(section, label).is_some()
        })
        .await;
        self.field(section, label)
    }

    pub fn find_field(&self, section: &str, label: &str) -> Option<HtmlElement> {
        let scope = self.section(section);
        let labels = scope.query_selector_all("label").expect("labels");
        for i in 0..labels.length() {
            let Some(node) = labels.item(i) else { continue };
            let Ok(element) = node.dyn_into::<Element>() else {
                continue;
            };
            if element.text_content().unwrap_or_default().trim() != label {
                continue;
            }
            let id = element.get_attribute("for").expect("label without for");
            return Some(
                scope
                    .query_selector(&format!("[id=\"{id}\"]"))
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| panic!("label {label} points to missing #{id}"))
                    .dyn_into::<HtmlElement>()
                    .expect("an HTML element"),
            );
        }
        None
    }

    /// Types `value` into the labelled input, textarea or select.
    pub fn fill(&self, section: &str, label: &str, value: &str) {
        let element = self.field(section, label);
        set_value(&element, value);
    }

    /// Ticks or unticks the labelled checkbox.
    pub fn check(&self, section: &str, label: &str, checked: bool) {
        let input: HtmlInputElement = self.field(section, label).dyn_into().expect("checkbox");
        if input.checked() != checked {
            input.click();
        }
    }

    /// Clicks the enabled button in `section` whose text is exactly `text`.
    pub fn click(&self, section: &str, text: &str) {
        self.button(section, text)
            .unwrap_or_else(|| panic!("no enabled button {text:?} in {section}"))
            .click();
    }

    pub fn button(&self, section: &str, text: &str) -> Option<HtmlElement> {
        let scope = self.section(section);
        let buttons = scope.query_selector_all("button").expect("buttons");
        (0..buttons.length())
            .filter_map(|i| buttons.item(i)?.dyn_into::<HtmlElement>().ok())
            .find(|b| {
                b.text_content().unwrap_or_default().trim() == text && !b.has_attribute("disabled")
            })
    }

    /// The header's language menu.
    pub fn language_menu(&self) -> HtmlElement {
        self.root
            .query_selector("header select.language")
            .ok()
            .flatten()
            .and_then(|menu| menu.dyn_into::<HtmlElement>().ok())
            .expect("the header's language menu")
    }

    /// Chooses `locale` in the header's menu and waits for the page to be in it (its table
    /// fetched, unless English).
    pub async fn choose_language(&self, locale: mqtt_web_client::i18n::Locale) {
        set_value(&self.language_menu(), locale.tag());
        wait_until(&format!("the page in {}", locale.tag()), || {
            page_language() == locale.tag()
        })
        .await;
    }

    pub fn text(&self, selector: &str) -> String {
        self.root
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    /// `data-status` of the active tab: "connected", "disconnected", …
    pub fn status(&self) -> String {
        self.root
            .query_selector(".connection-view:not([hidden]) [data-status]")
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("data-status"))
            .unwrap_or_default()
    }

    /// Texts of the message rows, newest first.
    pub fn rows(&self) -> Vec<String> {
        let rows = self
            .section("Messages")
            .query_selector_all("[role=\"listitem\"]")
            .expect("rows");
        let mut found: Vec<(f64, String)> = (0..rows.length())
            .filter_map(|i| rows.item(i)?.dyn_into::<HtmlElement>().ok())
            .map(|row| {
                (
                    row.offset_top() as f64,
                    row.text_content().unwrap_or_default(),
                )
            })
            .collect();
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        found.into_iter().map(|(_, text)| text).collect()
    }

    pub fn row_element(&self, containing: &str) -> Option<HtmlElement> {
        let rows = self
            .section("Messages")
            .query_selector_all("[role=\"listitem\"]")
            .ok()?;
        (0..rows.length())
            .filter_map(|i| rows.item(i)?.dyn_into::<HtmlElement>().ok())
            .find(|row| row.text_content().unwrap_or_default().contains(containing))
    }

    /// Waits until the text of `section` contains `text`.
    pub async fn wait_text(&self, section: &str, text: &str) {
        wait_until(&format!("{text:?} in {section}"), || {
            self.section(section)
                .text_content()
                .unwrap_or_default()
                .contains(text)
        })
        .await;
    }

    /// Errors shown inline in a section.
    pub fn errors(&self, section: &str) -> String {
        let scope = self.section(section);
        let errors = scope.query_selector_all(".error").expect("errors");
        (0..errors.length())
            .filter_map(|i| errors.item(i)?.text_content())
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Connects the active tab to the test broker with the given client id and waits until
    /// connected.
    pub async fn connect(&self, client_id: &str) {
        self.fill("Connection", "Broker URL", broker_url());
        self.fill("Connection", "Client ID", client_id);
        self.click("Connection", "Connect");
        wait_until("connected", || self.status() == "connected").await;
    }

    pub async fn subscribe(&self, filter: &str, qos: &str) {
        self.fill("Subscriptions", "Topic filter", filter);
        self.fill("Subscriptions", "QoS", qos);
        self.click("Subscriptions", "Subscribe");
        let scope = self.section("Subscriptions");
        wait_until(&format!("SUBACK for {filter}"), || {
            scope
                .text_content()
                .unwrap_or_default()
                .contains(&format!("QoS {qos}"))
                && !scope
                    .text_content()
                    .unwrap_or_default()
                    .contains("waiting for SUBACK")
        })
        .await;
    }

    pub fn publish(&self, topic: &str, payload: &str, qos: &str) {
        self.fill("Publish", "Topic", topic);
        self.fill("Publish", "Payload", payload);
        self.fill("Publish", "QoS", qos);
        self.click("Publish", "Publish");
    }

    /// Opens a new connection tab with the tab bar's + button and waits until it is shown,
    /// active and disconnected.
    pub async fn new_tab(&self) {
        let before = self.tab_count();
        self.root
            .query_selector("button[aria-label=\"New connection\"]")
            .ok()
            .flatten()
            .and_then(|button| button.dyn_into::<HtmlElement>().ok())
            .expect("the New connection button")
            .click();
        wait_until("the new tab", || self.tab_count() == before + 1).await;
        wait_until("the new tab to show", || self.status() == "disconnected").await;
    }

    pub fn tab_count(&self) -> u32 {
        self.root
            .query_selector_all(".tabs [role=\"tab\"]")
            .map(|tabs| tabs.length())
            .unwrap_or(0)
    }

    /// Makes the connection tab at `index` (from 0, left to right) the active one.
    pub fn select_tab(&self, index: u32) {
        self.root
            .query_selector_all(".tabs [role=\"tab\"]")
            .ok()
            .and_then(|tabs| tabs.item(index))
            .and_then(|tab| tab.dyn_into::<HtmlElement>().ok())
            .unwrap_or_else(|| panic!("no tab {index}"))
            .click();
    }

    /// The number of messages in the active tab's list, from its toolbar ("1,234 messages").
    pub fn message_count(&self) -> Option<u64> {
        let counts = self.text(".connection-view:not([hidden]) .counts");
        counts
            .strip_suffix(" messages")
            .or_else(|| counts.strip_suffix(" message"))?
            .replace(',', "")
            .parse()
            .ok()
    }

    /// Adds a payload decoder rule in the connection form and waits until it is listed.
    pub async fn add_decoder_rule(&self, filter: &str, decoder: &str) {
        self.fill("Connection", "Topic filter", filter);
        self.fill("Connection", "Decoder", decoder);
        // The decoder's name as the rule will show it, read before the click.
        let name = self
            .field("Connection", "Decoder")
            .query_selector(&format!("option[value={decoder:?}]"))
            .ok()
            .flatten()
            .and_then(|option| option.text_content())
            .unwrap_or_else(|| panic!("no decoder {decoder:?}"));
        self.click("Connection", "Add rule");
        // Its format too: a rule made with another decoder would decode every later check wrong.
        let rule = format!("{filter} → {name}");
        wait_until(&format!("the rule {filter}"), || {
            self.section("Connection")
                .text_content()
                .unwrap_or_default()
                .contains(&rule)
        })
        .await;
    }

    pub async fn wait_row(&self, containing: &str) -> String {
        let mut found = String::new();
        wait_until(&format!("a row containing {containing:?}"), || {
            match self.rows().into_iter().find(|r| r.contains(containing)) {
                Some(row) => {
                    found = row;
                    true
                }
                None => false,
            }
        })
        .await;
        found
    }
}

/// The app's stylesheet, so layout (the scrolling message list) is as in the real page.
fn add_stylesheet_once() {
    let document = gloo::utils::document();
    if document.get_element_by_id("app-styles").is_some() {
        return;
    }
    let style = document.create_element("style").expect("style");
    style.set_id("app-styles");
    style.set_text_content(Some(include_str!("../../styles.css")));
    document
        .head()
        .expect("head")
        .append_child(&style)
        .expect("append");
}

/// Mounts a fresh app into a new element of the page and waits for its first render.
/// The language the page says it is in (`<html lang>`).
pub fn page_language() -> String {
    gloo::utils::document()
        .document_element()
        .and_then(|root| root.get_attribute("lang"))
        .unwrap_or_default()
}

/// Mounts the app, its translation tables fetched from where scripts/test serves them.
pub async fn mount() -> Mounted {
    if let Some(base) = SERVED_FILES {
        mqtt_web_client::i18n::fetched::locate(base.to_owned());
    }
    mount_as_located().await
}

/// Where the translation tables are served, for a test that points the app elsewhere.
pub fn served_files() -> &'static str {
    SERVED_FILES.expect("set MQTT_TEST_FILES_URL (scripts/test serves the tables there)")
}

/// Mounts the app, the tables fetched from wherever the test has located them.
pub async fn mount_as_located() -> Mounted {
    add_stylesheet_once();
    watch_page_errors();
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    let mounted = Mounted {
        root,
        handle: Some(handle),
    };
    let shown = |selector: &str| {
        mounted
            .root
            .query_selector(selector)
            .ok()
            .flatten()
            .is_some()
    };
    wait_until("the app to render", || shown(".connection-view")).await;
    // The view can be in the document a moment before its form (WebKit under load once showed
    // it without): what was there says why, should the form never come.
    let form = ".connection-view:not([hidden]) .connection-form";
    if !shown(form) {
        let view = mounted
            .root
            .query_selector(".connection-view:not([hidden])")
            .ok()
            .flatten()
            .map(|view| view.inner_html())
            .unwrap_or_default();
        note(&format!("the connection view without its form: {view}"));
        wait_until("the connection form to render", || shown(form)).await;
    }
    // Effects (such as the keyboard listener) run after the first render.
    settle(50).await;
    mounted
}

/// Where scripts/test serves the files a real build has beside the page: the decoder Worker
/// and the translation tables but English.
const SERVED_FILES: Option<&str> = option_env!("MQTT_TEST_FILES_URL");

/// Points the app at the decoder Worker that scripts/test serves.
pub fn locate_the_decoder_module() {
    let Some(base) = SERVED_FILES else {
        panic!("set MQTT_TEST_FILES_URL (scripts/test serves the decoder Worker there)");
    };
    mqtt_web_client::decoder_module::locate(
        format!("{base}/decoder-worker.js"),
        format!("{base}/decoder-worker_bg.wasm"),
    );
}

/// Forgets saved profiles and settings, so a test starts from the defaults.
pub fn clear_storage() {
    if let Ok(Some(storage)) = gloo::utils::window().local_storage() {
        let _ = storage.clear();
    }
}

pub fn set_value(element: &HtmlElement, value: &str) {
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(value);
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        select.set_value(value);
    } else {
        panic!("not a form control");
    }
    for kind in ["input", "change"] {
        let init = EventInit::new();
        init.set_bubbles(true);
        let event = Event::new_with_event_init_dict(kind, &init).expect("event");
        element.dispatch_event(&event).expect("dispatch");
    }
}

/// Polls `condition` every 20 ms until it holds; fails the test after `DEADLINE`.
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    loop {
        if condition() {
            return;
        }
        if js_sys::Date::now() - start > DEADLINE.as_millis() as f64 {
            panic!("timed out waiting for {what}{}", page_errors());
        }
        sleep(Duration::from_millis(20)).await;
    }
}

/// Lets the app render and react for a moment (for asserting that nothing happens).
pub async fn settle(millis: u64) {
    sleep(Duration::from_millis(millis)).await;
}

/// A topic prefix no other test or run uses.
pub fn unique(name: &str) -> String {
    format!("test/{name}/{}", (js_sys::Math::random() * 1e12) as u64)
}

/// Replaces `HTMLAnchorElement.prototype.click` so a download is recorded, not performed;
/// returns the object URLs and file names offered, in order.
pub fn capture_downloads() -> js_sys::Array {
    let offered = js_sys::Array::new();
    let record = js_sys::Function::new_with_args(
        "offered",
        "HTMLAnchorElement.prototype.click = function () { offered.push([this.href, this.download]); };",
    );
    record
        .call1(&wasm_bindgen::JsValue::NULL, &offered)
        .expect("patch click");
    offered
}

/// The body of `url` (such as a download's object URL) as text.
pub async fn fetch_text(url: &str) -> String {
    let response = wasm_bindgen_futures::JsFuture::from(gloo::utils::window().fetch_with_str(url))
        .await
        .expect("fetch");
    let response: web_sys::Response = response.dyn_into().expect("response");
    let text = wasm_bindgen_futures::JsFuture::from(response.text().expect("text"))
        .await
        .expect("body");
    text.as_string().unwrap_or_default()
}
