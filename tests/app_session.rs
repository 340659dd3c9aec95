//! The last will reaching a second connection, periodic publishing, and settings kept in
//! localStorage across a remount.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{broker_url, clear_storage, mount, settle, unique, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn will_reaches_a_second_connection_when_the_first_drops() {
    clear_storage();
    let topic = unique("will");
    let watcher = mount().await;
    watcher.connect("app-session-watcher").await;
    watcher.subscribe(&topic, "1").await;

    let dying = mount().await;
    dying.fill("Connection", "Broker URL", broker_url());
    dying.fill("Connection", "Client ID", "app-session-dying");
    dying.fill("Connection", "Will topic", &topic);
    dying.fill("Connection", "Will payload", "gone without a goodbye");
    dying.fill("Connection", "Will QoS", "1");
    dying.check("Connection", "Reconnect automatically", false);
    dying.click("Connection", "Connect");
    wait_until("the dying client to connect", || {
        dying.status() == "connected"
    })
    .await;
    settle(200).await;
    assert!(
        watcher.rows().is_empty(),
        "no will while connected: {:?}",
        watcher.rows()
    );

    dying.click("Connection", "Drop connection");
    let row = watcher.wait_row("gone without a goodbye").await;
    assert!(row.contains(&topic));
    wait_until("the dying client to be disconnected", || {
        dying.status() == "disconnected"
    })
    .await;
    dying.unmount().await;
    watcher.unmount().await;
}

#[wasm_bindgen_test]
async fn a_clean_disconnect_sends_no_will() {
    clear_storage();
    let topic = unique("nowill");
    let watcher = mount().await;
    watcher.connect("app-session-watcher2").await;
    watcher.subscribe(&topic, "1").await;
    let polite = mount().await;
    polite.fill("Connection", "Broker URL", broker_url());
    polite.fill("Connection", "Client ID", "app-session-polite");
    polite.fill("Connection", "Will topic", &topic);
    polite.fill("Connection", "Will payload", "should not arrive");
    polite.click("Connection", "Connect");
    wait_until("connected", || polite.status() == "connected").await;
    polite.click("Connection", "Disconnect");
    wait_until("disconnected", || polite.status() == "disconnected").await;
    settle(500).await;
    assert!(watcher.rows().is_empty(), "{:?}", watcher.rows());
    polite.unmount().await;
    watcher.unmount().await;
}

#[wasm_bindgen_test]
async fn periodic_publish_numbers_its_messages_and_stops() {
    clear_storage();
    let app = mount().await;
    app.connect("app-session-periodic").await;
    let topic = unique("periodic");
    app.subscribe(&topic, "0").await;
    app.fill("Publish", "Topic", &topic);
    app.fill("Publish", "Payload", "Message num: {n}");
    app.fill("Publish", "Interval (ms)", "50");
    app.click("Publish", "Start periodic");
    app.wait_row("Message num: 3").await;
    wait_until("the sent count", || {
        app.text(".periodic-count").starts_with("Sent: ")
    })
    .await;
    app.click("Publish", "Stop periodic");
    settle(300).await;
    let count = app.rows().len();
    assert!(count >= 3, "{count}");
    settle(400).await;
    assert_eq!(app.rows().len(), count, "nothing is sent after Stop");
    for n in 1..=3 {
        assert!(
            app.rows()
                .iter()
                .any(|r| r.contains(&format!("Message num: {n}"))),
            "message {n} arrived: {:?}",
            app.rows()
        );
    }
    app.unmount().await;
}

fn input_value(app: &support::Mounted, section: &str, label: &str) -> String {
    app.field(section, label)
        .dyn_into::<HtmlInputElement>()
        .expect("input")
        .value()
}

#[wasm_bindgen_test]
async fn settings_and_profiles_survive_a_remount() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "Broker URL", broker_url());
    app.fill("Connection", "Client ID", "app-session-profile");
    app.fill("Connection", "Username", "alice");
    app.fill("Connection", "Password", "not remembered");
    app.fill("Connection", "Keep alive", "30");
    app.fill("Connection", "Profile name", "my test broker");
    app.click("Connection", "Save profile");
    app.click("Connection", "Connect");
    wait_until("connected", || app.status() == "connected").await;
    app.unmount().await;

    // The last used settings come back, without the password.
    let app = mount().await;
    assert_eq!(input_value(&app, "Connection", "Broker URL"), broker_url());
    assert_eq!(
        input_value(&app, "Connection", "Client ID"),
        "app-session-profile"
    );
    assert_eq!(input_value(&app, "Connection", "Username"), "alice");
    assert_eq!(input_value(&app, "Connection", "Keep alive"), "30");
    assert_eq!(input_value(&app, "Connection", "Password"), "");

    // A saved profile loads over other values.
    app.fill("Connection", "Client ID", "something else");
    let profiles = app
        .field("Connection", "Profile")
        .dyn_into::<HtmlSelectElement>()
        .expect("select");
    assert!(profiles
        .text_content()
        .unwrap_or_default()
        .contains("my test broker"));
    app.fill("Connection", "Profile", "my test broker");
    wait_until("the profile to load", || {
        input_value(&app, "Connection", "Client ID") == "app-session-profile"
    })
    .await;
    assert_eq!(input_value(&app, "Connection", "Username"), "alice");
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn remembered_password_is_restored() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "Broker URL", broker_url());
    app.fill("Connection", "Password", "kept");
    app.check("Connection", "Remember password", true);
    app.click("Connection", "Connect");
    wait_until("connected", || app.status() == "connected").await;
    app.unmount().await;
    let app = mount().await;
    assert_eq!(input_value(&app, "Connection", "Password"), "kept");
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn keep_alive_pings_keep_an_idle_connection_open() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "Broker URL", broker_url());
    app.fill("Connection", "Client ID", "app-session-keepalive");
    // Mosquitto drops a client silent for 1.5 × keep alive; the driver's timers (in a
    // Worker) must send PINGREQ in time.
    app.fill("Connection", "Keep alive", "1");
    app.click("Connection", "Connect");
    wait_until("connected", || app.status() == "connected").await;
    settle(4000).await;
    assert_eq!(app.status(), "connected", "log: {}", app.text(".log"));
    assert!(
        !app.text(".log").contains("Connection lost"),
        "{}",
        app.text(".log")
    );
    app.unmount().await;
}
