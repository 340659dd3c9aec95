//! Several broker addresses through the app's form: a first URL that refuses (a closed port)
//! and the test Mosquitto as the backup; the backup of a lost connection (the restartable
//! broker of scripts/test) with the tab's subscription still delivering; a second address of
//! the same broker resuming the session it kept; the browser's
//! `offline`/`online` events holding reconnecting and resuming it at once; and the MQTT 5
//! Server Reference of the hostile broker's redirection cases, offered, followed, followed
//! automatically with the setting, and refused when it is a `javascript:` URL. The peers and
//! the variables: scripts/test (MQTT_TEST_WS_URL, MQTT_TEST_CLOSED_WS_URL,
//! MQTT_TEST_RESTART_WS_URL, MQTT_TEST_HOSTILE_URL, whose broker gets the Mosquitto's URL as
//! HOSTILE_SERVER_REFERENCE).
#![cfg(target_arch = "wasm32")]

mod support;

use support::{
    broker_url, clear_storage, mount, set_by_scripts, settle, unique, wait_until, Mounted,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn closed_url() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_CLOSED_WS_URL",
        option_env!("MQTT_TEST_CLOSED_WS_URL"),
    )
}

fn restartable_url() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_RESTART_WS_URL",
        option_env!("MQTT_TEST_RESTART_WS_URL"),
    )
}

fn hostile_url() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_HOSTILE_URL",
        option_env!("MQTT_TEST_HOSTILE_URL"),
    )
}

/// The active tab's element matching `selector`.
fn find(app: &Mounted, selector: &str) -> Option<Element> {
    app.root
        .query_selector(&format!(".connection-view:not([hidden]) {selector}"))
        .ok()
        .flatten()
}

/// The URL the status bar says the tab is on, and its words.
fn in_use(app: &Mounted) -> (String, String) {
    find(app, ".status .address").map_or_else(Default::default, |element| {
        (
            element.get_attribute("data-url").unwrap_or_default(),
            element.text_content().unwrap_or_default(),
        )
    })
}

fn log_text(app: &Mounted) -> String {
    find(app, ".log")
        .and_then(|log| log.text_content())
        .unwrap_or_default()
}

async fn fill_and_connect(app: &Mounted, url: &str, backups: &str, client_id: &str) {
    app.fill("Connection", "Broker URL", url);
    app.fill("Connection", "Backup broker URLs", backups);
    app.fill("Connection", "Client ID", client_id);
    wait_until("Connect enabled", || {
        app.button("Connection", "Connect").is_some()
    })
    .await;
    app.click("Connection", "Connect");
}

/// Subscribes to a fresh topic, publishes on it and waits for the message to come back.
async fn messages_flow(app: &Mounted, name: &str) {
    let topic = unique(name);
    app.subscribe(&topic, "1").await;
    let payload = format!("through {name}");
    app.publish(&topic, &payload, "1");
    app.wait_row(&payload).await;
}

#[wasm_bindgen_test]
async fn a_refusing_first_url_gives_way_to_the_backup() {
    clear_storage();
    let app = mount().await;
    // Checked like the main URL, inline, before anything connects.
    app.fill("Connection", "Backup broker URLs", "ws://ok:1\nhttp://nope");
    wait_until("the backup URL's error", || {
        let errors = app.errors("Connection");
        errors.contains("Backup URL 2 (http://nope)") && errors.contains("not a WebSocket URL")
    })
    .await;
    assert!(
        app.button("Connection", "Connect").is_none(),
        "Connect is off"
    );

    fill_and_connect(&app, closed_url(), broker_url(), "app-addresses-backup").await;
    wait_until("connected through the backup", || {
        app.status() == "connected"
    })
    .await;
    let (url, words) = in_use(&app);
    assert_eq!(url, broker_url());
    assert!(words.contains("URL 2 of 2"), "{words}");
    let log = log_text(&app);
    assert!(
        log.contains(&format!("Connecting to {}", closed_url()))
            && log.contains(&format!("Connecting to {}", broker_url())),
        "both URLs were tried: {log}"
    );
    messages_flow(&app, "backup").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn a_lost_connection_moves_to_the_next_url_and_the_subscription_still_delivers() {
    clear_storage();
    let app = mount().await;
    fill_and_connect(&app, broker_url(), restartable_url(), "app-addresses-loss").await;
    wait_until("connected", || app.status() == "connected").await;
    assert_eq!(in_use(&app).0, broker_url());
    let topic = unique("loss");
    app.subscribe(&topic, "1").await;

    app.click("Connection", "Drop connection");
    wait_until("connected to the second URL", || {
        app.status() == "connected" && in_use(&app).0 == restartable_url()
    })
    .await;
    assert!(in_use(&app).1.contains("URL 2 of 2"), "{:?}", in_use(&app));
    // The same client: its subscription goes on at the new broker without a new Subscribe.
    app.publish(&topic, "after the move", "1");
    app.wait_row("after the move").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn a_second_address_of_the_same_broker_resumes_the_session() {
    // The test Mosquitto at two addresses (it takes MQTT over WebSocket at any path), as a
    // broker behind two names would be: the session the broker kept goes on at the second.
    clear_storage();
    let app = mount().await;
    let second = format!("{}/mqtt", broker_url());
    app.check("Connection", "Clean start", false);
    app.fill("Connection", "Session expiry", "300");
    fill_and_connect(
        &app,
        broker_url(),
        &second,
        &unique("resume").replace('/', "-"),
    )
    .await;
    wait_until("connected", || app.status() == "connected").await;
    let topic = unique("resume");
    app.subscribe(&topic, "1").await;

    app.click("Connection", "Drop connection");
    wait_until("connected to the second address", || {
        app.status() == "connected" && in_use(&app).0 == second
    })
    .await;
    let status = app.text(".connection-view:not([hidden]) .status .status-text");
    assert_eq!(status, "Connected (session resumed)");
    app.publish(&topic, "in the kept session", "1");
    app.wait_row("in the kept session").await;
    app.unmount().await;
}

fn window_event(kind: &str) {
    let event = web_sys::Event::new(kind).expect("event");
    gloo::utils::window()
        .dispatch_event(&event)
        .expect("dispatch");
}

#[wasm_bindgen_test]
async fn offline_holds_reconnecting_and_online_resumes_it_at_once() {
    clear_storage();
    let app = mount().await;
    fill_and_connect(&app, broker_url(), "", "app-addresses-offline").await;
    wait_until("connected", || app.status() == "connected").await;
    let topic = unique("offline");
    app.subscribe(&topic, "1").await;

    window_event("offline");
    app.click("Connection", "Drop connection");
    // The first retry is due within a second; offline, it waits.
    settle(3_000).await;
    assert_ne!(app.status(), "connected", "no reconnect while offline");
    let offline = find(&app, ".status .offline")
        .and_then(|element| element.text_content())
        .unwrap_or_default();
    assert!(
        offline.contains("offline"),
        "the status says offline: {offline:?}"
    );
    assert!(log_text(&app).contains("The browser is offline"));

    // What is published meanwhile waits in the session's queue and goes out once back.
    app.publish(&topic, "queued while offline", "1");
    let back = js_sys::Date::now();
    window_event("online");
    wait_until("connected once online", || app.status() == "connected").await;
    let took = js_sys::Date::now() - back;
    assert!(took < 1_500.0, "reconnected {took} ms after online");
    assert!(find(&app, ".status .offline").is_none());
    app.wait_row("queued while offline").await;
    app.publish(&topic, "back online", "1");
    app.wait_row("back online").await;

    // Disconnected, the listeners are gone: offline no longer reaches the tab.
    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    let entries = log_text(&app).matches("The browser is offline").count();
    window_event("offline");
    settle(100).await;
    assert_eq!(
        log_text(&app).matches("The browser is offline").count(),
        entries
    );
    window_event("online");
    app.unmount().await;
}

fn offer(app: &Mounted) -> Option<Element> {
    find(app, ".redirect-offer")
}

async fn connect_to_case(app: &Mounted, case: &str, client_id: &str, follow: bool) {
    app.fill("Connection", "MQTT version", "5.0");
    app.check(
        "Connection",
        "Follow the server's references automatically",
        follow,
    );
    fill_and_connect(app, &format!("{}/{case}", hostile_url()), "", client_id).await;
}

#[wasm_bindgen_test]
async fn a_server_reference_is_offered_then_followed() {
    clear_storage();
    let app = mount().await;
    connect_to_case(
        &app,
        "connack-use-another-server",
        "app-addresses-offer",
        false,
    )
    .await;
    wait_until("the offer", || offer(&app).is_some()).await;
    let words = offer(&app)
        .and_then(|o| o.text_content())
        .unwrap_or_default();
    assert!(
        words.contains(&format!(
            "The server asks to use another server: {}",
            broker_url()
        )),
        "{words}"
    );
    // Not followed by itself.
    settle(1_500).await;
    assert_ne!(app.status(), "connected");
    let button = offer(&app)
        .and_then(|o| o.query_selector("button.primary").ok().flatten())
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        .expect("the Connect to button");
    assert_eq!(
        button.text_content().unwrap_or_default(),
        format!("Connect to {}", broker_url())
    );
    button.click();
    wait_until("connected to the reference", || app.status() == "connected").await;
    let (url, words) = in_use(&app);
    assert_eq!(url, broker_url());
    assert!(words.contains("the server's reference"), "{words}");
    assert!(offer(&app).is_none(), "the offer is gone once followed");
    messages_flow(&app, "offered").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn with_the_setting_a_server_moved_is_followed_automatically() {
    clear_storage();
    let app = mount().await;
    connect_to_case(&app, "disconnect-server-moved", "app-addresses-auto", true).await;
    wait_until("connected to the reference", || {
        app.status() == "connected" && in_use(&app).0 == broker_url()
    })
    .await;
    assert!(offer(&app).is_none(), "nothing to ask");
    assert!(
        log_text(&app).contains(&format!(
            "Following the server's reference to {}",
            broker_url()
        )),
        "{}",
        log_text(&app)
    );
    messages_flow(&app, "moved").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn a_hostile_reference_is_refused_with_its_reason() {
    clear_storage();
    let app = mount().await;
    connect_to_case(
        &app,
        "hostile-server-reference",
        "app-addresses-hostile",
        true,
    )
    .await;
    wait_until("the refusal", || {
        find(&app, ".redirect-offer.refused").is_some()
    })
    .await;
    let words = offer(&app)
        .and_then(|o| o.text_content())
        .unwrap_or_default();
    assert!(
        words.contains("The server's reference is not followed")
            && words.contains("'javascript:' is not a WebSocket URL"),
        "{words}"
    );
    assert!(
        offer(&app)
            .and_then(|o| o.query_selector("button.primary").ok().flatten())
            .is_none(),
        "nothing to follow"
    );
    settle(1_500).await;
    assert_eq!(
        app.status(),
        "disconnected",
        "not followed, even with the setting"
    );
    app.unmount().await;
}
