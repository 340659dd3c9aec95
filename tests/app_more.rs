//! MQTT 5 properties on both sides, refusals in words, several connections at once,
//! keyboard shortcuts, the theme switch and shareable links.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{
    broker_url, capture_downloads, clear_storage, fetch_text, mount, settle, unique, wait_until,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn v5_publish_properties_arrive_and_are_shown() {
    clear_storage();
    let app = mount().await;
    app.connect("app-more-props").await;
    let topic = unique("props");
    app.fill("Subscriptions", "Subscription identifier", "42");
    app.subscribe(&topic, "1").await;
    app.fill("Publish", "Content type", "application/json");
    app.fill("Publish", "Response topic", &format!("{topic}/reply"));
    app.fill("Publish", "Correlation data", "req-7");
    app.fill("Publish", "Message expiry (s)", "300");
    app.fill(
        "Publish",
        "User properties (name=value per line)",
        "site=lab\nunit=celsius",
    );
    app.check("Publish", "Payload is UTF-8 (format indicator)", true);
    app.publish(&topic, "{\"t\":21}", "1");
    let row = app.wait_row("{\"t\":21}").await;
    for expected in [
        "content-type: application/json",
        "response-topic: ",
        "correlation: req-7",
        "site=lab",
        "unit=celsius",
    ] {
        assert!(row.contains(expected), "{expected:?} in {row}");
    }
    app.row_element("{\"t\":21}").expect("row").click();
    wait_until("details", || {
        app.text(".properties").contains("Subscription identifiers")
    })
    .await;
    let properties = app.text(".properties");
    for expected in [
        "Content typeapplication/json",
        "Correlation datareq-7",
        "Payload format indicator1",
        "Subscription identifiers42",
        "User propertysite = lab",
    ] {
        assert!(
            properties.contains(expected),
            "{expected:?} in {properties}"
        );
    }
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn a_refused_connection_says_why() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "Broker URL", broker_url());
    app.fill("Connection", "MQTT version", "3.1.1");
    // 3.1.1 forbids an empty client id without a clean session: Mosquitto refuses it.
    app.fill("Connection", "Client ID", "");
    app.wait_field("Connection", "Clean session").await;
    app.check("Connection", "Clean session", false);
    app.click("Connection", "Connect");
    wait_until("the refusal in the log", || {
        app.text(".log").contains("Connection refused")
    })
    .await;
    wait_until("disconnected with the reason", || {
        app.status() == "disconnected" && app.text("[data-status]").contains("Disconnected: ")
    })
    .await;
    let status = app.text("[data-status]");
    assert!(
        status.to_lowercase().contains("client identifier"),
        "{status}"
    );
    // The app stays usable: fix the problem and connect.
    app.check("Connection", "Clean session", true);
    app.click("Connection", "Connect");
    wait_until("connected", || app.status() == "connected").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn two_tabs_are_two_independent_connections() {
    clear_storage();
    let app = mount().await;
    app.connect("app-more-tab-1").await;
    let topic = unique("tabs");
    app.subscribe(&topic, "0").await;

    app.new_tab().await;
    // The new tab is active, disconnected, with its own empty lists.
    wait_until("the new tab to show", || app.status() == "disconnected").await;
    assert!(app.rows().is_empty());
    app.connect("app-more-tab-2").await;
    app.publish(&topic, "from the second tab", "0");
    settle(300).await;
    assert!(app.rows().is_empty(), "tab 2 did not subscribe");

    // Back on the first tab the message arrived, and it is still connected.
    app.select_tab(0);
    app.wait_row("from the second tab").await;
    assert_eq!(app.status(), "connected");

    // Element ids are unique in the page, labels point at their own tab's controls.
    let ids = app.root.query_selector_all("[id]").expect("ids");
    let mut seen = std::collections::HashSet::new();
    for i in 0..ids.length() {
        let id = ids
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            .map(|e| e.id())
            .unwrap_or_default();
        assert!(seen.insert(id.clone()), "duplicate id {id}");
    }
    app.unmount().await;
}

fn key(code: &str, key: &str, alt: bool, ctrl: bool) -> KeyboardEvent {
    let init = KeyboardEventInit::new();
    init.set_code(code);
    init.set_key(key);
    init.set_alt_key(alt);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    init.set_cancelable(true);
    KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event")
}

#[wasm_bindgen_test]
async fn keyboard_shortcuts_connect_focus_and_publish() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "Broker URL", broker_url());
    app.fill("Connection", "Client ID", "app-more-keys");
    let document = gloo::utils::document();
    document
        .dispatch_event(&key("KeyC", "c", true, false))
        .expect("Alt+C");
    wait_until("connected by Alt+C", || app.status() == "connected").await;

    document
        .dispatch_event(&key("KeyS", "s", true, false))
        .expect("Alt+S");
    let filter = app.field("Subscriptions", "Topic filter");
    wait_until("focus on the topic filter", || {
        document.active_element().map(|e| e.id()) == Some(filter.id())
    })
    .await;

    let topic = unique("keys");
    app.subscribe(&topic, "0").await;
    app.fill("Publish", "Topic", &topic);
    app.fill("Publish", "Payload", "sent with ctrl+enter");
    app.field("Publish", "Payload")
        .dispatch_event(&key("Enter", "Enter", false, true))
        .expect("Ctrl+Enter");
    app.wait_row("sent with ctrl+enter").await;
    app.fill("Publish", "Payload", "sent with alt+p");
    document
        .dispatch_event(&key("KeyP", "p", true, false))
        .expect("Alt+P");
    app.wait_row("sent with alt+p").await;
    // The same shortcut again is a new request.
    app.fill("Publish", "Payload", "again with alt+p");
    document
        .dispatch_event(&key("KeyP", "p", true, false))
        .expect("Alt+P");
    app.wait_row("again with alt+p").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn theme_switch_overrides_the_system_and_is_remembered() {
    clear_storage();
    let root = gloo::utils::document().document_element().expect("html");
    let app = mount().await;
    let theme_button = || {
        app.root
            .query_selector("button.theme")
            .ok()
            .flatten()
            .expect("theme button")
            .dyn_into::<web_sys::HtmlElement>()
            .expect("button")
    };
    assert_eq!(root.get_attribute("data-theme"), None, "follows the system");
    theme_button().click();
    wait_until("a chosen theme", || {
        root.get_attribute("data-theme").is_some()
    })
    .await;
    let chosen = root.get_attribute("data-theme");
    app.unmount().await;
    let _ = root.remove_attribute("data-theme");
    let app = mount().await;
    wait_until("the theme restored", || {
        root.get_attribute("data-theme") == chosen
    })
    .await;
    app.root
        .query_selector("button.theme")
        .ok()
        .flatten()
        .expect("theme button")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("button")
        .click();
    wait_until("back to the system theme", || {
        root.get_attribute("data-theme").is_none()
    })
    .await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn a_shared_link_carries_settings_and_subscriptions_but_not_the_password() {
    clear_storage();
    let app = mount().await;
    let topic = unique("shared");
    app.fill("Connection", "Broker URL", broker_url());
    app.fill("Connection", "Client ID", "app-more-share");
    app.fill("Connection", "Password", "secret-password");
    app.click("Connection", "Connect");
    wait_until("connected", || app.status() == "connected").await;
    // Retained before the subscription, which asks for no retained messages (retain handling 2)
    // and not its own messages (no local): the link must carry both options.
    app.check("Publish", "Retain", true);
    app.publish(&topic, "retained before the link", "1");
    app.wait_text("Publish", "delivered").await;
    app.check("Subscriptions", "No local", true);
    app.fill("Subscriptions", "Retain handling", "2");
    app.subscribe(&topic, "1").await;
    app.click("Connection", "Share link");
    let link: HtmlInputElement = app
        .wait_field("Connection", "Link (without the password)")
        .await
        .dyn_into()
        .expect("input");
    let link = link.value();
    assert!(link.contains("#config="), "{link}");
    assert!(!link.contains("secret-password"));
    app.unmount().await;

    // Opening the link: the settings are filled in, and connecting subscribes.
    clear_storage();
    let hash = link.split_once('#').map(|(_, h)| h).expect("fragment");
    let window = gloo::utils::window();
    window.location().set_hash(hash).expect("hash");
    let app = mount().await;
    window.location().set_hash("").expect("hash");
    let client_id: HtmlInputElement = app
        .field("Connection", "Client ID")
        .dyn_into()
        .expect("input");
    assert_eq!(client_id.value(), "app-more-share");
    let password: HtmlInputElement = app
        .field("Connection", "Password")
        .dyn_into()
        .expect("input");
    assert_eq!(password.value(), "");
    app.click("Connection", "Connect");
    wait_until("connected", || app.status() == "connected").await;
    wait_until("the shared subscription", || {
        let list = app
            .section("Subscriptions")
            .text_content()
            .unwrap_or_default();
        list.contains(&topic) && list.contains("QoS 1") && !list.contains("waiting for SUBACK")
    })
    .await;

    // Its options came along. The broker handles the app's packets in order, so once a message
    // on another subscription has come back, the retained message (sent on subscribe) and the
    // app's own message (published before it) would have come first.
    let control = format!("{topic}-control");
    app.subscribe(&control, "1").await;
    app.publish(&topic, "published by the app itself", "1");
    app.wait_text("Publish", "delivered").await;
    app.publish(&control, "the control message", "1");
    app.wait_row("the control message").await;
    let rows = app.rows();
    assert!(
        rows.iter().all(|r| !r.contains("retained before the link")),
        "retain handling 2 came along: {rows:?}"
    );
    assert!(
        rows.iter()
            .all(|r| !r.contains("published by the app itself")),
        "no local came along: {rows:?}"
    );
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn shown_messages_export_as_json_and_csv() {
    clear_storage();
    let offered = capture_downloads();
    let app = mount().await;
    app.connect("app-more-export").await;
    let topic = unique("export");
    app.subscribe(&format!("{topic}/#"), "0").await;
    app.publish(&format!("{topic}/text"), "hello, \"world\"", "0");
    app.wait_row("hello, \"world\"").await;
    app.fill("Publish", "Payload format", "hex");
    app.publish(&format!("{topic}/binary"), "ff 00", "0");
    app.wait_row("ff 00").await;

    app.click("Messages", "Export JSON");
    app.click("Messages", "Export CSV");
    wait_until("two downloads", || offered.length() == 2).await;
    let entry = |i: u32| -> (String, String) {
        let pair: js_sys::Array = offered.get(i).dyn_into().expect("pair");
        (
            pair.get(0).as_string().unwrap_or_default(),
            pair.get(1).as_string().unwrap_or_default(),
        )
    };
    let (json_url, json_name) = entry(0);
    assert_eq!(json_name, "mqtt-messages.json");
    let json = mqtt_web_client::json::parse(&fetch_text(&json_url).await).expect("valid JSON");
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), 2);
    // Newest first, as shown.
    assert_eq!(
        items[0].get("topic").and_then(|v| v.as_str()),
        Some(format!("{topic}/binary").as_str())
    );
    assert_eq!(
        items[0].get("encoding").and_then(|v| v.as_str()),
        Some("base64")
    );
    assert_eq!(
        items[0].get("payload").and_then(|v| v.as_str()),
        Some("/wA=")
    );
    assert_eq!(
        items[1].get("payload").and_then(|v| v.as_str()),
        Some("hello, \"world\"")
    );

    let (csv_url, csv_name) = entry(1);
    assert_eq!(csv_name, "mqtt-messages.csv");
    let csv = fetch_text(&csv_url).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time,topic,qos,retain,encoding,payload");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[2].ends_with(",0,false,utf8,\"hello, \"\"world\"\"\""),
        "{csv}"
    );
    app.unmount().await;
}
