//! The broker crashes and comes back: the app says it lost the connection, reconnects by
//! itself, restores its subscriptions and works again. scripts/test runs a Mosquitto of its own
//! for this (tests/brokers/restartable.py) that `GET <control>/restart` kills with SIGKILL and
//! starts again on the same ports.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, unique, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn restartable_urls() -> (&'static str, &'static str) {
    match (
        option_env!("MQTT_TEST_RESTART_WS_URL"),
        option_env!("MQTT_TEST_RESTART_CONTROL_URL"),
    ) {
        (Some(ws), Some(control)) => (ws, control),
        _ => panic!("MQTT_TEST_RESTART_WS_URL and _CONTROL_URL are not set: run scripts/test"),
    }
}

#[wasm_bindgen_test]
async fn reconnects_and_resubscribes_after_the_broker_restarts() {
    let (broker, control) = restartable_urls();
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "Broker URL", broker);
    app.fill("Connection", "Client ID", "app-restart");
    app.click("Connection", "Connect");
    wait_until("connected", || app.status() == "connected").await;
    let topic = unique("restart");
    app.subscribe(&topic, "1").await;
    app.publish(&topic, "before the crash", "1");
    app.wait_row("before the crash").await;

    // The control answers once the broker is back; the app notices the loss before that.
    let restart =
        JsFuture::from(gloo::utils::window().fetch_with_str(&format!("{control}/restart")));
    wait_until("reconnecting", || app.status() == "reconnecting").await;
    let status = app.text("[data-status]");
    assert!(status.contains("Reconnecting in"), "status: {status}");
    let response: web_sys::Response = restart
        .await
        .expect("the restart request")
        .dyn_into()
        .expect("a response");
    assert!(response.ok(), "the broker restarted");

    wait_until("connected again", || app.status() == "connected").await;
    // The restarted broker kept nothing: the message arriving proves the app subscribed again.
    app.publish(&topic, "after the crash", "1");
    let row = app.wait_row("after the crash").await;
    assert!(row.contains(&topic), "row: {row}");

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}
