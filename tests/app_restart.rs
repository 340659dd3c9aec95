//! The broker crashes and comes back.
//!
//! - The app says it lost the connection, reconnects by itself, restores its subscriptions and
//!   works again. scripts/test runs a Mosquitto of its own for this (crates/test-peers'
//!   `test-mosquitto --control-port`) that `GET <control>/restart` kills with SIGKILL and starts
//!   again on the same ports.
//! - The browser round of the broker-restart stream: the app's `Driver` (WebSocket, timers,
//!   core; the views cut off as scripts/bench does) and a native peer each publish 10,000 QoS 1
//!   and 10,000 QoS 2 messages to the other through a Mosquitto with persistence that is
//!   SIGKILLed and restarted twice mid-stream. The native side is crates/test-peers'
//!   `restart-stream` binary, which scripts/test starts; it runs the broker and the peer, and
//!   checks both directions with the same code as the native round
//!   (`test_peers::restart_stream`), from the record of what the driver handed to the app.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::sleep;
use mqtt_core::{
    Bytes, ClientOptions, ConnectionState, OutgoingMessage, ProtocolVersion, PublishId,
    PublishProperties, QoS, RetainHandling,
};
use mqtt_web_client::driver::Driver;
use mqtt_web_client::i18n::Text;
use mqtt_web_client::settings::ConnectionSettings;
use mqtt_web_client::state::{Action, LogLevel, SubscriptionRequest};
use support::{clear_storage, mount, unique, wait_until};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

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

/// As in `test_peers::restart_stream`, which checks the outcome.
const PER_QOS: usize = 10_000;
const WINDOW: usize = 200;
const QUIET_MS: f64 = 3_000.0;
const RUN_LIMIT_MS: f64 = 60_000.0;

fn stream_control_url() -> &'static str {
    match option_env!("MQTT_TEST_STREAM_CONTROL_URL") {
        Some(url) => url,
        None => panic!(
            "set MQTT_TEST_STREAM_CONTROL_URL (where crates/test-peers' `restart-stream` \
             answers) when building the browser tests: run scripts/test"
        ),
    }
}

/// `fetch(url, {method, body})`, answering the status and the text.
async fn fetch(url: &str, method: &str, body: Option<&str>) -> (u16, String) {
    let init = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        js_sys::Reflect::set(&init, &JsValue::from_str(key), value).expect("set a fetch option");
    };
    set("method", &JsValue::from_str(method));
    if let Some(body) = body {
        set("body", &JsValue::from_str(body));
    }
    let window = gloo::utils::window();
    let fetch: js_sys::Function = js_sys::Reflect::get(&window, &JsValue::from_str("fetch"))
        .expect("window.fetch")
        .unchecked_into();
    let promise: js_sys::Promise = fetch
        .call2(&window, &JsValue::from_str(url), &init)
        .expect("call fetch")
        .unchecked_into();
    let response: web_sys::Response = JsFuture::from(promise)
        .await
        .unwrap_or_else(|error| panic!("{method} {url}: {error:?}"))
        .unchecked_into();
    let text = JsFuture::from(response.text().expect("the response text"))
        .await
        .expect("read the response")
        .as_string()
        .unwrap_or_default();
    (response.status(), text)
}

/// What the driver hands to the app during the stream, kept as the record lines that
/// `test_peers::restart_stream::Record::parse` reads.
#[derive(Default)]
struct AppSide {
    lines: String,
    /// Payload of each publish the driver accepted and when, until confirmed.
    sent: HashMap<PublishId, (String, u64)>,
    distinct: HashSet<String>,
    confirmed: usize,
    failed: usize,
    connected: bool,
    subscribed: Option<Result<QoS, Text>>,
    errors: Vec<Text>,
}

impl AppSide {
    fn observe(&mut self, action: Action) {
        match action {
            Action::Received(batch) => {
                for message in batch {
                    let payload = String::from_utf8_lossy(&message.payload).replace('\n', "\\n");
                    let _ = writeln!(
                        self.lines,
                        "delivered {} {} {} {payload}",
                        message.qos as u8,
                        u8::from(message.dup),
                        message.received_at
                    );
                    self.distinct.insert(payload);
                }
            }
            Action::PublishResult { id, result } => match (result, self.sent.remove(&id)) {
                (Ok(()), Some((payload, sent_at))) => {
                    self.confirmed += 1;
                    let now = js_sys::Date::now();
                    let _ = writeln!(self.lines, "confirmed {sent_at} {now} {payload}");
                }
                (result, payload) => {
                    self.failed += 1;
                    let _ = writeln!(self.lines, "failed {payload:?}: {result:?}");
                }
            },
            Action::Connected {
                session_present, ..
            } => {
                self.connected = true;
                let _ = writeln!(self.lines, "connected {}", u8::from(session_present));
            }
            Action::Connection(state) => {
                self.connected = matches!(state, ConnectionState::Connected { .. });
            }
            Action::SubscriptionResults(results) => {
                self.subscribed = results.into_iter().next().map(|(_, result)| result);
            }
            Action::Log {
                level: LogLevel::Error,
                text,
                ..
            } => self.errors.push(text),
            _ => {}
        }
    }
}

#[wasm_bindgen_test]
async fn forty_thousand_messages_survive_two_broker_kills_in_the_browser() {
    let control = stream_control_url();
    let (status, broker) = fetch(&format!("{control}/begin"), "GET", None).await;
    assert_eq!(status, 200, "restart-stream /begin: {broker}");

    let app = Rc::new(RefCell::new(AppSide::default()));
    let observer = Rc::clone(&app);
    let driver = Driver::new(move |action| observer.borrow_mut().observe(action));
    // The app bounds what waits for the next frame by its history limit; every message counts.
    driver.set_history_limit(4 * PER_QOS);
    let settings = ConnectionSettings {
        url: broker,
        version: ProtocolVersion::V5,
        client_id: "stream-app".into(),
        clean_start: false,
        session_expiry: "3600".into(),
        auto_reconnect: true,
        ..ConnectionSettings::default()
    };
    let options = ClientOptions::try_from(&settings).expect("valid settings");
    driver.connect(&settings.url, options).expect("connect");
    wait_until("connected", || app.borrow().connected).await;
    let subscription = SubscriptionRequest {
        filter: "restarts/to-app".into(),
        alias: String::new(),
        qos: QoS::ExactlyOnce,
        no_local: false,
        retain_as_published: false,
        retain_handling: RetainHandling::SendAtSubscribe,
    };
    driver.subscribe(&subscription, None).expect("subscribe");
    wait_until("SUBACK", || app.borrow().subscribed.is_some()).await;
    let granted = app.borrow().subscribed.clone();
    assert_eq!(granted, Some(Ok(QoS::ExactlyOnce)));
    let (status, words) = fetch(&format!("{control}/go"), "GET", None).await;
    assert_eq!(status, 200, "restart-stream /go: {words}");

    // Keep WINDOW publishes unconfirmed; stop once all are confirmed and all of the peer's
    // arrived, or nothing arrived for QUIET_MS while connected (a message the broker lost never
    // comes).
    let started = js_sys::Date::now();
    let mut last_progress = started;
    let mut before = (0, 0);
    let mut next = 0;
    let finished = loop {
        loop {
            let in_hand = {
                let app = app.borrow();
                next - app.confirmed - app.failed
            };
            if next == 2 * PER_QOS || in_hand >= WINDOW {
                break;
            }
            let (qos, sequence) = if next.is_multiple_of(2) {
                (QoS::AtLeastOnce, next / 2 + 1)
            } else {
                (QoS::ExactlyOnce, next / 2 + 1)
            };
            let message = OutgoingMessage {
                topic: "restarts/to-peer".into(),
                payload: Bytes::from(format!("{}:{sequence}", qos as u8)),
                qos,
                retain: false,
                properties: PublishProperties::default(),
            };
            let payload = String::from_utf8_lossy(&message.payload).into_owned();
            // Refused when the offline queue is full: again after the next acknowledgements.
            let Ok(id) = driver.publish(message) else {
                break;
            };
            // The sent history, as the app's views keep it: before the outcome, which the
            // driver reports in a later task.
            app.borrow_mut()
                .sent
                .insert(id, (payload, js_sys::Date::now() as u64));
            next += 1;
        }
        sleep(Duration::from_millis(10)).await;
        let now = js_sys::Date::now();
        let app = app.borrow();
        let progress = (app.distinct.len(), app.confirmed);
        // Only quiet while connected counts: the app's reconnect backoff may wait seconds.
        if progress != before || !app.connected {
            before = progress;
            last_progress = now;
        }
        let all_sent = app.confirmed + app.failed == 2 * PER_QOS;
        let all_received = app.distinct.len() == 2 * PER_QOS;
        if all_sent && (all_received || now - last_progress > QUIET_MS) {
            break true;
        }
        if now - started > RUN_LIMIT_MS {
            break false;
        }
    };
    driver.disconnect();
    let record = {
        let mut app = app.borrow_mut();
        if finished {
            app.lines.push_str("finished\n");
        }
        std::mem::take(&mut app.lines)
    };
    let (status, report) = fetch(&format!("{control}/check"), "POST", Some(&record)).await;
    console_log!("{report}");
    assert_eq!(
        status,
        200,
        "the stream through two broker kills:\n{report}\nthe app's error log: {:?}",
        app.borrow().errors
    );
    driver.shutdown();
}
