//! `wss://` for real: the app connects through its form over TLS to a Mosquitto whose
//! certificate is signed by the test CA that this Chromium trusts (scripts/test-ca's NSS
//! database), in MQTT 3.1.1 and 5.0, and through a TLS proxy that takes MQTT over WebSocket at
//! /mqtt only; it subscribes, publishes and receives over each. And when a `wss://` connection
//! fails before it opens, the hint of what is most likely wrong: a certificate from a CA the
//! browser does not trust and a closed port both give the "no secure answer" hint with the
//! link to the origin (a page cannot tell them apart); the proxy at a wrong path gives the
//! "wrong path" hint, without a link; the test broker's plain ws:// port given as wss:// gives
//! the first. The peers and the variables: scripts/test's `start_wss_peers` (and
//! MQTT_TEST_WS_URL).
#![cfg(target_arch = "wasm32")]

mod support;

use mqtt_web_client::i18n::{I18n, Locale};
use mqtt_web_client::secure::{page_protocol, SecureHint};
use support::{clear_storage, mount, set_by_scripts, unique, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlAnchorElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const ENGLISH: I18n = I18n { locale: Locale::En };
const CHINESE: I18n = I18n {
    locale: Locale::ZhCn,
};

fn trusted_url() -> &'static str {
    set_by_scripts("MQTT_TEST_WSS_URL", option_env!("MQTT_TEST_WSS_URL"))
}

fn untrusted_url() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_UNTRUSTED_WSS_URL",
        option_env!("MQTT_TEST_UNTRUSTED_WSS_URL"),
    )
}

fn closed_url() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_CLOSED_WSS_URL",
        option_env!("MQTT_TEST_CLOSED_WSS_URL"),
    )
}

/// The TLS proxy's origin as wss://127.0.0.1:<port>; MQTT is at /mqtt there.
fn proxy_url() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_WSS_PROXY_URL",
        option_env!("MQTT_TEST_WSS_PROXY_URL"),
    )
}

/// `wss://host:port…` as the https origin the hint names.
fn origin_of(url: &str) -> String {
    let rest = url.strip_prefix("wss://").expect("a wss:// URL");
    let host_port = rest.split('/').next().unwrap_or(rest);
    format!("https://{host_port}/")
}

async fn connect_to(app: &Mounted, url: &str, version: &str, client_id: &str) {
    app.fill("Connection", "Broker URL", url);
    app.fill("Connection", "MQTT version", version);
    app.fill("Connection", "Client ID", client_id);
    app.click("Connection", "Connect");
}

/// Connected over `url` in `version`: subscribe, publish and receive through the labels.
async fn exchange_over(url: &str, version: &str) {
    clear_storage();
    let app = mount().await;
    connect_to(
        &app,
        url,
        version,
        &format!("app-wss-{}", version.replace('.', "")),
    )
    .await;
    wait_until(&format!("connected over {url} in {version}"), || {
        app.status() == "connected"
    })
    .await;
    let topic = unique("wss");
    app.subscribe(&format!("{topic}/#"), "1").await;
    let payload = format!("over TLS in {version}");
    app.publish(&format!("{topic}/tls"), &payload, "1");
    let row = app.wait_row(&payload).await;
    assert!(row.contains(&format!("{topic}/tls")), "row: {row}");
    assert!(row.contains("QoS 1"), "row: {row}");
    assert!(hint(&app).is_none(), "no hint once connected");
    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn connects_over_wss_in_3_1_1_and_exchanges_messages() {
    exchange_over(trusted_url(), "3.1.1").await;
}

#[wasm_bindgen_test]
async fn connects_over_wss_in_5_and_exchanges_messages() {
    exchange_over(trusted_url(), "5.0").await;
}

#[wasm_bindgen_test]
async fn connects_through_a_tls_proxy_at_its_path() {
    exchange_over(&format!("{}/mqtt", proxy_url()), "5.0").await;
}

/// The hint shown in the active tab (under the status bar), if any.
fn hint(app: &Mounted) -> Option<HtmlElement> {
    app.root
        .query_selector(".connection-view:not([hidden]) .workspace-bar .secure-hint")
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<HtmlElement>().ok())
}

/// Connects to `url`, which fails before it opens, and waits for the hint; returns its
/// element, the app still mounted.
async fn failed_connect(url: &str) -> (Mounted, HtmlElement) {
    clear_storage();
    let app = mount().await;
    connect_to(&app, url, "5.0", "app-wss-failing").await;
    wait_until(&format!("a hint after connecting to {url}"), || {
        hint(&app).is_some()
    })
    .await;
    assert_ne!(app.status(), "connected");
    let element = hint(&app).expect("the hint");
    (app, element)
}

fn text_of(element: &HtmlElement) -> String {
    element.text_content().unwrap_or_default()
}

fn link_of(element: &HtmlElement) -> Option<HtmlAnchorElement> {
    element
        .query_selector("a")
        .ok()
        .flatten()
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
}

async fn stop(app: Mounted) {
    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}

/// The "no secure answer" hint in both languages, and its link to the origin in a new tab.
async fn shows_the_certificate_hint(url: &str) {
    let (app, element) = failed_connect(url).await;
    let origin = origin_of(url);
    let expected = SecureHint::NoSecureAnswer {
        origin: origin.clone(),
    };
    let (link_url, then) = expected.link().expect("a link");
    let text = text_of(&element);
    assert!(
        text.contains(&ENGLISH.text(&expected.text())),
        "hint: {text}"
    );
    assert!(text.contains(&ENGLISH.text(&then)), "hint: {text}");
    let link = link_of(&element).expect("the link to the origin");
    assert_eq!(link.href(), origin);
    assert_eq!(link_url, origin);
    assert_eq!(link.target(), "_blank");
    assert!(link.rel().contains("noopener"), "rel: {}", link.rel());
    // The same finding in Chinese, on screen at once.
    app.choose_language(Locale::ZhCn).await;
    wait_until("the hint in Chinese", || {
        hint(&app).is_some_and(|h| text_of(&h).contains(&CHINESE.text(&expected.text())))
    })
    .await;
    app.choose_language(Locale::En).await;
    wait_until("the hint in English again", || {
        hint(&app).is_some_and(|h| text_of(&h).contains(&ENGLISH.text(&expected.text())))
    })
    .await;
    stop(app).await;
}

#[wasm_bindgen_test]
async fn an_untrusted_certificate_gets_the_hint_and_the_link() {
    shows_the_certificate_hint(untrusted_url()).await;
}

#[wasm_bindgen_test]
async fn a_closed_port_gets_the_same_hint_which_names_both() {
    shows_the_certificate_hint(closed_url()).await;
}

/// The test broker's plain WebSocket port given as wss://: the TLS handshake fails
/// (`net::ERR_SSL_PROTOCOL_ERROR` in the console), and the probe too.
#[wasm_bindgen_test]
async fn a_plain_ws_port_given_as_wss_gets_the_same_hint() {
    let url = support::broker_url().replacen("ws://", "wss://", 1);
    shows_the_certificate_hint(&url).await;
}

#[wasm_bindgen_test]
async fn a_wrong_path_gets_the_path_hint_without_a_link() {
    let url = format!("{}/", proxy_url());
    let (app, element) = failed_connect(&url).await;
    let expected = SecureHint::NotMqttAtPath {
        origin: origin_of(&url),
        path: "/".into(),
    };
    let text = text_of(&element);
    assert_eq!(text, ENGLISH.text(&expected.text()));
    assert!(
        link_of(&element).is_none(),
        "no link: the certificate is fine"
    );
    stop(app).await;
}

#[wasm_bindgen_test]
async fn a_new_connect_clears_the_hint() {
    let (app, _) = failed_connect(closed_url()).await;
    connect_to(&app, trusted_url(), "5.0", "app-wss-after-hint").await;
    wait_until("connected", || app.status() == "connected").await;
    assert!(hint(&app).is_none(), "the hint is gone");
    stop(app).await;
}

/// The mixed-content rule reads the page's protocol from `location`: here the runner's http
/// page, where ws:// is allowed (tests/https.mjs loads the release build over https).
#[wasm_bindgen_test]
fn the_page_protocol_is_the_location_s() {
    assert_eq!(page_protocol(), "http:");
    assert_eq!(
        mqtt_web_client::secure::mixed_content(&page_protocol(), "ws://broker.example:9001"),
        Ok(())
    );
}
