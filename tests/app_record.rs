//! Record and replay through the real Mosquitto: the app records a stream of 10,000 v5
//! messages (binary payloads, properties) published by a second driver in the page, the
//! recording is downloaded and loaded back through the file input, replayed under another
//! prefix as fast as the broker takes it, and a third driver subscribed to that prefix gets
//! every message, in order, with the same payloads and properties. Then a smaller recording
//! replays at 1×: the gaps between arrivals at the subscriber follow the recorded gaps (their
//! median error within `MEDIAN_TOLERANCE_MS`, nine in ten within `TOLERANCE_MS`), and the replay
//! spans the recording. A shared machine may hold up a message or two; a replay that sends as
//! fast as it can, or evenly spread over the span, fails both.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::sleep;
use mqtt_core::{Bytes, ConnectionState, OutgoingMessage, PublishProperties, QoS, RetainHandling};
use mqtt_web_client::driver::Driver;
use mqtt_web_client::recording::{encode_line, header_line, Direction, Record};
use mqtt_web_client::state::{Action, Message, SubscriptionRequest};
use support::{broker_url, clear_storage, mount, set_value, unique, Mounted};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const STREAM: usize = 10_000;
/// Unconfirmed publishes the stream's publisher keeps in hand.
const WINDOW: usize = 200;
/// At 1×, nine in ten gaps between consecutive arrivals are within this of the recorded gap…
const TOLERANCE_MS: f64 = 50.0;
/// …and half are within this: evenly spread messages would miss it by about 22 ms, the recorded
/// gaps being 10 to 99 ms.
const MEDIAN_TOLERANCE_MS: f64 = 15.0;
const SECTION: &str = "Record and replay";

#[derive(Default)]
struct Peer {
    connected: bool,
    subscribed: bool,
    confirmed: usize,
    failed: usize,
    received: Vec<Message>,
}

impl Peer {
    fn observe(&mut self, action: Action) {
        match action {
            Action::Received(batch) => self.received.extend(batch),
            Action::PublishResult { result, .. } => match result {
                Ok(()) => self.confirmed += 1,
                Err(_) => self.failed += 1,
            },
            Action::Connected { .. } => self.connected = true,
            Action::Connection(state) => {
                self.connected = matches!(state, ConnectionState::Connected { .. })
            }
            Action::SubscriptionResults(results) => {
                self.subscribed = results.iter().all(|(_, result)| result.is_ok())
            }
            _ => {}
        }
    }
}

async fn wait_long(what: &str, mut condition: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    while !condition() {
        assert!(
            js_sys::Date::now() - start < 120_000.0,
            "timed out waiting for {what}"
        );
        sleep(Duration::from_millis(20)).await;
    }
}

/// A driver of its own in the page, connected with version 5, subscribed to `filter` if given.
async fn peer(client_id: &str, filter: Option<&str>) -> (Driver, Rc<RefCell<Peer>>) {
    let peer = Rc::new(RefCell::new(Peer::default()));
    let observer = Rc::clone(&peer);
    let driver = Driver::new(move |action| observer.borrow_mut().observe(action));
    driver.set_history_limit(STREAM);
    support::peer::connect_v5(&driver, client_id);
    wait_long("a peer to connect", || peer.borrow().connected).await;
    if let Some(filter) = filter {
        let request = SubscriptionRequest {
            filter: filter.into(),
            alias: String::new(),
            qos: QoS::AtLeastOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        };
        driver.subscribe(&request, None).expect("subscribe");
        wait_long("SUBACK", || peer.borrow().subscribed).await;
    }
    (driver, peer)
}

/// The stream's `n`th message: a binary payload and every property a publisher sets.
fn stream_message(prefix: &str, n: usize) -> OutgoingMessage {
    let mut payload = (n as u32).to_be_bytes().to_vec();
    payload.extend_from_slice(&[0xFF, 0x00, b'\n', (n % 251) as u8]);
    OutgoingMessage {
        topic: format!("{prefix}/src/{}", n % 7),
        payload: Bytes::from(payload),
        qos: QoS::AtLeastOnce,
        retain: false,
        properties: PublishProperties {
            payload_format_indicator: Some(0),
            content_type: Some("application/x-test".into()),
            response_topic: (n.is_multiple_of(3)).then(|| format!("{prefix}/reply/{n}")),
            correlation_data: Some(Bytes::from(format!("c{n}").into_bytes())),
            user_properties: vec![
                ("n".into(), n.to_string()),
                ("k".into(), "v \"q\" ü".into()),
            ],
            ..PublishProperties::default()
        },
    }
}

/// What a subscriber should see of a publish, besides the topic.
fn same_content(got: &Message, sent: &OutgoingMessage) -> bool {
    let (g, s) = (&got.properties, &sent.properties);
    got.payload == sent.payload
        && g.payload_format_indicator == s.payload_format_indicator
        && g.content_type == s.content_type
        && g.response_topic == s.response_topic
        && g.correlation_data == s.correlation_data
        && g.user_properties == s.user_properties
}

/// The next file download's URL: the anchor's click is caught instead of followed.
fn catch_downloads() {
    js_sys::Function::new_no_args(
        "window.__downloads = []; \
         HTMLAnchorElement.prototype.click = function () { window.__downloads.push(this.href); };",
    )
    .call0(&JsValue::NULL)
    .expect("patch click");
}

fn downloads() -> Vec<String> {
    let list =
        js_sys::Reflect::get(&gloo::utils::window(), &"__downloads".into()).expect("downloads");
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

async fn fetch_text(url: &str) -> String {
    let promise = js_sys::Function::new_with_args("url", "return fetch(url).then(r => r.text());")
        .call1(&JsValue::NULL, &url.into())
        .expect("fetch");
    JsFuture::from(js_sys::Promise::from(promise))
        .await
        .expect("the download's text")
        .as_string()
        .expect("text")
}

/// Puts a file with `text` into the panel's file input, as choosing it would.
fn choose_file(app: &Mounted, name: &str, text: &str) {
    let input = app.field(SECTION, "Recording file");
    js_sys::Function::new_with_args(
        "input, text, name",
        "const dt = new DataTransfer(); dt.items.add(new File([text], name)); \
         input.files = dt.files; input.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .call3(&JsValue::NULL, &input, &text.into(), &name.into())
    .expect("choose a file");
}

fn section_text(app: &Mounted) -> String {
    app.section(SECTION).text_content().unwrap_or_default()
}

fn choose(app: &Mounted, label: &str, value: &str) {
    set_value(&app.field(SECTION, label), value);
}

#[wasm_bindgen_test]
async fn a_recorded_stream_replays_under_another_prefix_in_order_and_on_time() {
    clear_storage();
    catch_downloads();
    let prefix = unique("record");
    let app = mount().await;
    app.connect("record-app").await;
    app.subscribe(&format!("{prefix}/src/#"), "1").await;
    let (subscriber, copies) = peer("record-subscriber", Some(&format!("{prefix}/copy/#"))).await;
    let (publisher, sent) = peer("record-publisher", None).await;

    app.click(SECTION, "Start recording");
    wait_long("the recording to start", || {
        section_text(&app).contains("Recording: 0 messages")
    })
    .await;
    let stream: Vec<OutgoingMessage> = (0..STREAM).map(|n| stream_message(&prefix, n)).collect();
    let mut next = 0;
    while next < STREAM {
        let in_hand = {
            let sent = sent.borrow();
            next - sent.confirmed - sent.failed
        };
        if in_hand < WINDOW {
            publisher.publish(stream[next].clone()).expect("publish");
            next += 1;
        } else {
            sleep(Duration::from_millis(1)).await;
        }
    }
    wait_long("the stream's acknowledgements", || {
        sent.borrow().confirmed + sent.borrow().failed == STREAM
    })
    .await;
    assert_eq!(sent.borrow().failed, 0);
    wait_long("10,000 messages recorded", || {
        section_text(&app).contains("Recording: 10,000 messages")
    })
    .await;
    app.click(SECTION, "Stop recording");
    wait_long("the download", || !downloads().is_empty()).await;
    let file = fetch_text(&downloads()[0]).await;
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(lines.len(), STREAM + 1, "a header and a line per message");
    assert!(lines[0].contains("\"format\":\"mqtt-web-client-recording\""));
    assert!(lines[0].contains(broker_url()));

    choose_file(&app, "stream.jsonl", &file);
    wait_long("the file to load", || {
        section_text(&app).contains("stream.jsonl: 10,000 messages to replay")
    })
    .await;
    choose(&app, "Topics", "replace");
    app.wait_field(SECTION, "Replace").await;
    app.fill(SECTION, "Replace", &format!("{prefix}/src/"));
    app.fill(SECTION, "With", &format!("{prefix}/copy/"));
    app.check(SECTION, "As fast as the broker takes them", true);
    let started = js_sys::Date::now();
    app.click(SECTION, "Start replay");
    wait_long("the replay to finish", || {
        section_text(&app).contains("Replay finished.")
    })
    .await;
    let counts = "Sent 10,000, acknowledged 10,000, failed 0";
    assert!(
        section_text(&app).contains(counts),
        "{}",
        section_text(&app)
    );
    wait_long("every copy", || copies.borrow().received.len() >= STREAM).await;
    let replay_ms = js_sys::Date::now() - started;
    sleep(Duration::from_millis(300)).await;
    {
        let copies = copies.borrow();
        assert_eq!(copies.received.len(), STREAM, "no more than were replayed");
        for (n, (got, sent)) in copies.received.iter().zip(&stream).enumerate() {
            let topic = sent.topic.replacen("/src/", "/copy/", 1);
            assert_eq!(got.topic, topic, "message {n} in order");
            assert!(same_content(got, sent), "message {n}: {got:?} for {sent:?}");
        }
    }
    console_log!(
        "replay of {STREAM}: {counts}, in {replay_ms:.0} ms as fast as the broker took it"
    );

    // At 1×: gaps of 10 to 99 ms, replayed under an added prefix.
    let mut text = header_line(broker_url(), 0, "1970-01-01T00:00:00.000Z");
    let mut offset = 0;
    let mut offsets = Vec::new();
    for n in 0..60u64 {
        offsets.push(offset);
        let record = Record {
            offset_ms: offset,
            direction: Direction::Received,
            topic: format!("timed/{n}"),
            qos: QoS::AtLeastOnce,
            retain: false,
            payload: Bytes::from(n.to_string()),
            properties: PublishProperties::default(),
        };
        encode_line(&record, &mut text);
        offset += (n * 37) % 90 + 10;
    }
    subscriber
        .unsubscribe(&format!("{prefix}/copy/#"))
        .expect("unsubscribe");
    copies.borrow_mut().received.clear();
    copies.borrow_mut().subscribed = false;
    let request = SubscriptionRequest {
        filter: format!("{prefix}/again/#"),
        alias: String::new(),
        qos: QoS::AtLeastOnce,
        no_local: false,
        retain_as_published: false,
        retain_handling: RetainHandling::SendAtSubscribe,
    };
    subscriber.subscribe(&request, None).expect("subscribe");
    wait_long("SUBACK", || copies.borrow().subscribed).await;
    choose_file(&app, "timed.jsonl", &text);
    wait_long("the timed file to load", || {
        section_text(&app).contains("timed.jsonl: 60 messages to replay")
    })
    .await;
    choose(&app, "Topics", "add");
    app.wait_field(SECTION, "Prefix").await;
    app.fill(SECTION, "Prefix", &format!("{prefix}/again/"));
    app.check(SECTION, "As fast as the broker takes them", false);
    app.wait_field(SECTION, "Speed (times as fast as recorded)")
        .await;
    app.fill(SECTION, "Speed (times as fast as recorded)", "1");
    app.click(SECTION, "Start replay");
    wait_long("the timed replay", || copies.borrow().received.len() >= 60).await;
    wait_long("the timed replay to finish", || {
        section_text(&app).contains("Sent 60, acknowledged 60, failed 0")
            && section_text(&app).contains("Replay finished.")
    })
    .await;
    let received = copies.borrow().received.clone();
    let by_topic: HashMap<&str, u64> = received
        .iter()
        .map(|m| (m.topic.as_str(), m.received_at))
        .collect();
    let arrivals: Vec<f64> = (0..offsets.len())
        .map(|n| by_topic[format!("{prefix}/again/timed/{n}").as_str()] as f64)
        .collect();
    let mut gap_errors: Vec<f64> = arrivals
        .windows(2)
        .zip(offsets.windows(2))
        .map(|(at, recorded)| ((at[1] - at[0]) - (recorded[1] - recorded[0]) as f64).abs())
        .collect();
    gap_errors.sort_by(f64::total_cmp);
    let median = gap_errors[gap_errors.len() / 2];
    let ninth_decile = gap_errors[gap_errors.len() * 9 / 10];
    let span = arrivals[arrivals.len() - 1] - arrivals[0];
    let recorded_span = offsets[offsets.len() - 1] as f64;
    console_log!(
        "1x replay of 60 messages recorded over {recorded_span} ms took {span:.0} ms; gap errors: \
         median {median:.0} ms, 90th percentile {ninth_decile:.0} ms, worst {:.0} ms",
        gap_errors[gap_errors.len() - 1]
    );
    assert!(
        median <= MEDIAN_TOLERANCE_MS,
        "the gaps between messages were {median} ms off the recorded ones (median)"
    );
    assert!(
        ninth_decile <= TOLERANCE_MS,
        "one in ten gaps between messages was {ninth_decile} ms or more off the recorded one"
    );
    assert!(
        span >= recorded_span - TOLERANCE_MS,
        "the replay took {span} ms for a recording of {recorded_span} ms"
    );
    publisher.shutdown();
    subscriber.shutdown();
    app.unmount().await;
}
