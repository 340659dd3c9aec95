//! The app against the real test Mosquitto: connect, subscribe, publish, QoS 2, retained
//! messages, and every bad input refused inline with nothing sent.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, settle, unique, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn connects_subscribes_and_shows_a_published_message() {
    clear_storage();
    let app = mount().await;
    assert_eq!(app.status(), "disconnected");
    app.connect("app-basic-1").await;
    let topic = unique("basic");
    app.subscribe(&format!("{topic}/#"), "0").await;
    app.publish(&format!("{topic}/greeting"), "hello from the form", "0");
    let row = app.wait_row("hello from the form").await;
    assert!(row.contains(&format!("{topic}/greeting")), "row: {row}");
    assert!(row.contains("QoS 0"), "row: {row}");
    // The subscription counts what it matched.
    let subs = app
        .section("Subscriptions")
        .text_content()
        .unwrap_or_default();
    assert!(
        subs.contains(&format!("{topic}/#")),
        "subscriptions: {subs}"
    );
    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn qos_2_both_ways() {
    clear_storage();
    let app = mount().await;
    app.connect("app-basic-qos2").await;
    let topic = unique("qos2");
    app.subscribe(&topic, "2").await;
    app.publish(&topic, "exactly once", "2");
    let row = app.wait_row("exactly once").await;
    assert!(row.contains("QoS 2"), "delivered at QoS 2: {row}");
    // The publish completed its PUBREC/PUBREL/PUBCOMP exchange.
    let sent = app.section("Publish");
    wait_until("the sent history to say delivered", || {
        sent.text_content()
            .unwrap_or_default()
            .contains("delivered")
    })
    .await;
    // Exactly one copy arrived.
    settle(300).await;
    let copies = app
        .rows()
        .iter()
        .filter(|r| r.contains("exactly once"))
        .count();
    assert_eq!(copies, 1);
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn retained_message_is_shown_on_subscribe_and_can_be_cleared() {
    clear_storage();
    let app = mount().await;
    app.connect("app-basic-retain").await;
    let topic = unique("retain");
    app.check("Publish", "Retain", true);
    app.publish(&topic, "kept by the broker", "1");
    wait_until("the retained publish to be delivered", || {
        app.section("Publish")
            .text_content()
            .unwrap_or_default()
            .contains("delivered")
    })
    .await;
    app.subscribe(&topic, "1").await;
    let row = app.wait_row("kept by the broker").await;
    assert!(row.contains("retained"), "shows the retain flag: {row}");

    // Clear it from the message's details, then a new subscriber gets nothing.
    app.row_element("kept by the broker").expect("row").click();
    wait_until("details", || {
        app.text(".detail").contains("kept by the broker")
    })
    .await;
    app.click("Message details", "Clear retained");
    settle(300).await;
    app.click("Messages", "Clear");
    app.click("Subscriptions", "✕");
    settle(200).await;
    app.subscribe(&topic, "1").await;
    settle(500).await;
    assert!(
        app.rows().iter().all(|r| !r.contains("kept by the broker")),
        "retained message was cleared: {:?}",
        app.rows()
    );
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn html_in_a_payload_is_shown_as_text() {
    clear_storage();
    let app = mount().await;
    app.connect("app-basic-xss").await;
    let topic = unique("xss");
    app.subscribe(&topic, "0").await;
    let payload = "<img src=x onerror=alert(1)>";
    app.publish(&topic, payload, "0");
    let row = app.wait_row(payload).await;
    assert!(row.contains(payload));
    app.row_element(payload).expect("row").click();
    wait_until("details", || app.text(".payload-view").contains(payload)).await;
    let images = app.root.query_selector_all("img").expect("query").length();
    assert_eq!(images, 0, "no <img> element was created");
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn bad_broker_url_is_refused_inline() {
    clear_storage();
    let app = mount().await;
    for (url, words) in [
        ("http://127.0.0.1:9001", "not a WebSocket URL"),
        ("ws://host:99999", "not a port"),
        ("127.0.0.1:9001", "must start with ws://"),
    ] {
        app.fill("Connection", "Broker URL", url);
        wait_until(&format!("the error for {url}"), || {
            app.errors("Connection").contains(words)
        })
        .await;
        assert!(
            app.button("Connection", "Connect").is_none(),
            "Connect is disabled"
        );
    }
    let typed = app.field("Connection", "Broker URL");
    let typed: web_sys::HtmlInputElement = wasm_bindgen::JsCast::dyn_into(typed).expect("input");
    assert_eq!(typed.value(), "127.0.0.1:9001", "what was typed stays");
    assert_eq!(app.status(), "disconnected");
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn unreachable_broker_reports_the_loss_and_reconnects() {
    clear_storage();
    let app = mount().await;
    // A port nothing listens on, on loopback (not one of the ports browsers refuse outright,
    // such as 9, which Firefox blocks before connecting).
    app.fill("Connection", "Broker URL", "ws://127.0.0.1:5");
    app.click("Connection", "Connect");
    wait_until("reconnecting", || app.status() == "reconnecting").await;
    let status = app.text("[data-status]");
    assert!(status.contains("Reconnecting in"), "status: {status}");
    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn bad_filter_is_refused_inline_and_nothing_is_lost() {
    clear_storage();
    let app = mount().await;
    app.connect("app-basic-filter").await;
    for filter in ["a/#/b", "a+"] {
        app.fill("Subscriptions", "Topic filter", filter);
        app.click("Subscriptions", "Subscribe");
        wait_until(&format!("the error for {filter}"), || {
            app.errors("Subscriptions").contains("Invalid topic filter")
        })
        .await;
        let input: web_sys::HtmlInputElement =
            wasm_bindgen::JsCast::dyn_into(app.field("Subscriptions", "Topic filter"))
                .expect("input");
        assert_eq!(input.value(), filter, "the typed filter stays");
        let list = app
            .section("Subscriptions")
            .query_selector(".subscriptions")
            .expect("query");
        assert!(list.is_none(), "nothing was subscribed");
    }
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn bad_publish_inputs_are_refused_inline() {
    clear_storage();
    let app = mount().await;
    app.connect("app-basic-publish-errors").await;
    let topic = unique("refused");
    app.subscribe(&format!("{topic}/#"), "0").await;

    app.publish(&format!("{topic}/+"), "x", "0");
    wait_until("Invalid topic", || {
        app.errors("Publish").contains("Invalid topic")
    })
    .await;

    app.fill("Publish", "Payload format", "json");
    app.publish(&format!("{topic}/json"), "{\"temperature\": ", "0");
    wait_until("Invalid JSON", || {
        app.errors("Publish").contains("Invalid JSON")
    })
    .await;

    app.fill("Publish", "Payload format", "hex");
    app.publish(&format!("{topic}/hex"), "0g", "0");
    wait_until("Invalid hex", || {
        app.errors("Publish").contains("Invalid hex")
    })
    .await;

    settle(300).await;
    assert!(
        app.rows().is_empty(),
        "nothing was published: {:?}",
        app.rows()
    );

    // A valid JSON payload goes through.
    app.fill("Publish", "Payload format", "json");
    app.publish(&format!("{topic}/json"), "{\"temperature\": 21.5}", "0");
    app.wait_row("21.5").await;
    assert_eq!(app.errors("Publish"), "");
    app.unmount().await;
}

/// Mosquitto answers the WebSocket upgrade late, so a subscription made right after pressing
/// Connect comes before the CONNACK: it waits, shown as pending, and goes out once connected.
#[wasm_bindgen_test]
async fn a_subscription_made_while_connecting_is_sent_once_connected() {
    clear_storage();
    let app = mount().await;
    let topic = unique("early");
    app.fill("Connection", "Broker URL", support::broker_url());
    app.fill("Connection", "Client ID", "app-basic-early");
    app.click("Connection", "Connect");
    app.fill("Subscriptions", "Topic filter", &topic);
    app.fill("Subscriptions", "QoS", "1");
    app.click("Subscriptions", "Subscribe");
    assert_ne!(
        app.status(),
        "connected",
        "the subscription came before the CONNACK"
    );
    assert_eq!(app.errors("Subscriptions"), "", "not refused");
    wait_until("connected", || app.status() == "connected").await;
    let subscriptions = app.section("Subscriptions");
    wait_until("the SUBACK", || {
        subscriptions
            .text_content()
            .unwrap_or_default()
            .contains("QoS 1")
    })
    .await;
    app.publish(&topic, "sent after an early subscribe", "1");
    app.wait_row("sent after an early subscribe").await;
    app.unmount().await;
}

/// A subscription added before connecting stays in the list and is subscribed on Connect; so
/// are the list's subscriptions after a Disconnect and a new Connect (a new session).
#[wasm_bindgen_test]
async fn subscriptions_made_while_disconnected_are_subscribed_on_connect() {
    clear_storage();
    let app = mount().await;
    let topic = unique("before");
    app.fill("Subscriptions", "Topic filter", &topic);
    app.fill("Subscriptions", "QoS", "0");
    app.click("Subscriptions", "Subscribe");
    let subscriptions = app.section("Subscriptions");
    let listed = || subscriptions.text_content().unwrap_or_default();
    wait_until("the subscription listed", || listed().contains(&topic)).await;
    assert!(
        listed().contains("waiting for SUBACK"),
        "pending: {}",
        listed()
    );
    app.connect("app-basic-before").await;
    wait_until("the SUBACK", || listed().contains("QoS 0")).await;
    app.publish(&topic, "first session", "0");
    app.wait_row("first session").await;
    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.connect("app-basic-before").await;
    wait_until("the SUBACK again", || {
        listed().contains("QoS 0") && !listed().contains("waiting for SUBACK")
    })
    .await;
    app.publish(&topic, "second session", "0");
    app.wait_row("second session").await;
    app.unmount().await;
}

/// Unsubscribing waits for the UNSUBACK, then the subscription leaves the list and its
/// messages stop; another subscription goes on.
#[wasm_bindgen_test]
async fn unsubscribe_removes_the_subscription_once_the_broker_confirms() {
    clear_storage();
    let app = mount().await;
    app.connect("app-basic-unsubscribe").await;
    let topic = unique("unsub");
    app.subscribe(&format!("{topic}/gone"), "0").await;
    app.subscribe(&format!("{topic}/kept"), "0").await;
    let subscriptions = app.section("Subscriptions");
    subscriptions
        .query_selector(&format!("button[aria-label=\"Unsubscribe {topic}/gone\"]"))
        .ok()
        .flatten()
        .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok())
        .expect("the subscription's Unsubscribe button")
        .click();
    wait_until("the subscription to leave the list", || {
        !subscriptions
            .text_content()
            .unwrap_or_default()
            .contains(&format!("{topic}/gone"))
    })
    .await;
    assert!(app
        .text(".log")
        .contains(&format!("Unsubscribed from {topic}/gone")));
    app.publish(&format!("{topic}/gone"), "after the unsubscribe", "0");
    app.publish(&format!("{topic}/kept"), "still subscribed", "0");
    app.wait_row("still subscribed").await;
    settle(300).await;
    assert!(
        !app.rows()
            .iter()
            .any(|row| row.contains("after the unsubscribe")),
        "a message for the unsubscribed filter arrived: {:?}",
        app.rows()
    );
    app.unmount().await;
}
