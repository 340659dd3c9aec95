//! Request/response (MQTT 5) through the publish form's request mode, against the native
//! responder (crates/test-peers' `responder`, started by scripts/test on the test broker,
//! answering under `MQTT_TEST_RESPONDER_TOPIC`): replies paired with their requests and their
//! round-trip times, a timeout for a request nobody answers, and Reply on a received request,
//! checked by the asking tab's own pairing.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, settle, unique, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const REQUEST_MODE: &str = "Send as a request (wait for a reply)";

/// The topic prefix the responder answers under, set at compile time by the test command.
fn responder_topic() -> &'static str {
    match option_env!("MQTT_TEST_RESPONDER_TOPIC") {
        Some(topic) => topic,
        None => panic!(
            "set MQTT_TEST_RESPONDER_TOPIC to the prefix crates/test-peers' responder answers under"
        ),
    }
}

/// The texts of the request list's entries, newest first.
fn requests(app: &Mounted) -> Vec<String> {
    let Some(section) = app
        .root
        .query_selector(".connection-view:not([hidden]) section[aria-label=\"Requests\"]")
        .ok()
        .flatten()
    else {
        return Vec::new();
    };
    let items = section.query_selector_all("li").expect("entries");
    (0..items.length())
        .filter_map(|i| items.item(i)?.dyn_into::<HtmlElement>().ok())
        .map(|item| item.text_content().unwrap_or_default())
        .collect()
}

fn request(app: &Mounted, number: u64) -> String {
    requests(app)
        .into_iter()
        .find(|r| r.starts_with(&format!("Request {number} to ")))
        .unwrap_or_default()
}

/// The round-trip time in a "Reply after N ms: …" entry.
fn round_trip_ms(entry: &str) -> Option<u64> {
    let after = entry.split("Reply after ").nth(1)?;
    after.split(" ms").next()?.replace(',', "").parse().ok()
}

async fn request_mode(app: &Mounted, prefix: &str, timeout_ms: &str) {
    app.check("Publish", REQUEST_MODE, true);
    app.wait_field("Publish", "Response topic prefix").await;
    app.fill("Publish", "Response topic prefix", prefix);
    app.fill("Publish", "Timeout (ms)", timeout_ms);
    app.wait_text("Publish", &format!("Replies come to {prefix}/"))
        .await;
}

fn send_request(app: &Mounted, topic: &str, payload: &str) {
    app.fill("Publish", "Topic", topic);
    app.fill("Publish", "Payload", payload);
    app.click("Publish", "Send request");
}

#[wasm_bindgen_test]
async fn replies_pair_with_their_requests_and_an_unanswered_request_times_out() {
    clear_storage();
    let app = mount().await;
    app.connect("app-request-pairing").await;
    let prefix = unique("replies");
    request_mode(&app, &prefix, "5000").await;
    let asks = format!("{}/{}", responder_topic(), unique("ask").replace('/', "-"));
    const COUNT: u64 = 5;
    for n in 1..=COUNT {
        send_request(&app, &format!("{asks}/{n}"), &format!("ping {n}"));
        settle(10).await;
        assert_eq!(app.errors("Publish"), "", "request {n} refused");
    }
    // The response topic was subscribed to automatically, in the tab's list.
    let subscriptions = app
        .section("Subscriptions")
        .text_content()
        .unwrap_or_default();
    assert!(
        subscriptions.contains(&prefix),
        "the response topic is in the subscription list: {subscriptions:?}; requests {:?}",
        requests(&app)
    );
    wait_until("every request paired with its reply", || {
        (1..=COUNT).all(|n| request(&app, n).contains("Reply after"))
    })
    .await;
    let mut times = Vec::new();
    for n in 1..=COUNT {
        let entry = request(&app, n);
        assert!(
            entry.ends_with(&format!(" ms: echo: ping {n}")),
            "request {n} paired with its own reply: {entry}"
        );
        assert!(entry.contains(&format!("{asks}/{n}")), "{entry}");
        times.push(round_trip_ms(&entry).expect("a round-trip time"));
    }
    console_log!("request/response round trips through the responder (ms): {times:?}");
    // The replies also arrived as messages on the response topic.
    app.wait_row("echo: ping 1").await;

    // Nobody answers here: marked as timed out, while the others stay replied.
    app.fill("Publish", "Timeout (ms)", "400");
    settle(50).await;
    send_request(&app, &unique("nobody"), "anyone?");
    wait_until("the unanswered request to time out", || {
        request(&app, COUNT + 1).contains("No reply within 400 ms")
    })
    .await;
    assert!((1..=COUNT).all(|n| request(&app, n).contains("Reply after")));
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn reply_answers_a_received_request_with_its_correlation_data() {
    clear_storage();
    let ask = unique("ask-a-tab");
    let answerer = mount().await;
    answerer.connect("app-request-answerer").await;
    answerer.subscribe(&ask, "1").await;

    let asker = mount().await;
    asker.connect("app-request-asker").await;
    request_mode(&asker, &unique("replies"), "9000").await;
    send_request(&asker, &ask, "what time is it?");

    answerer.wait_row("what time is it?").await;
    answerer
        .row_element("what time is it?")
        .expect("row")
        .click();
    wait_until("the request's details", || {
        answerer.text(".detail").contains("what time is it?")
    })
    .await;
    answerer.fill("Message details", "Reply payload", "time to test");
    answerer.click("Message details", "Reply");
    answerer.wait_text("Message details", "Reply sent to").await;

    // The asker pairs it by response topic and correlation data.
    wait_until("the asker to pair the reply", || {
        request(&asker, 1).contains("ms: time to test")
    })
    .await;
    asker.unmount().await;
    answerer.unmount().await;
}

#[wasm_bindgen_test]
async fn version_3_1_1_offers_no_request_mode() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "MQTT version", "3.1.1");
    app.connect("app-request-v311").await;
    settle(50).await;
    assert!(app.find_field("Publish", REQUEST_MODE).is_none());
    assert!(app.find_field("Publish", "Response topic prefix").is_none());
    app.unmount().await;
}
