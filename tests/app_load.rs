//! The publish load tool against the real Mosquitto: 2,000 messages at 500 a second at QoS 1
//! all reach a subscriber with the template filled, and the panel shows them sent and
//! acknowledged with the achieved rate and the latency percentiles; a run stopped part-way
//! leaves consistent counts, with nothing left in flight. The figures go to the test's
//! output, for the note.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use mqtt_core::{ConnectionState, QoS, RetainHandling};
use mqtt_web_client::driver::Driver;
use mqtt_web_client::state::{Action, Message, SubscriptionRequest};
use support::{clear_storage, mount, settle, unique, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const SECTION: &str = "Load test";

/// A second client in the page, subscribed to a filter, keeping what it receives.
struct Subscriber {
    driver: Driver,
    received: Rc<RefCell<Vec<Message>>>,
}

impl Subscriber {
    async fn new(client_id: &str, filter: &str) -> Subscriber {
        let received = Rc::new(RefCell::new(Vec::new()));
        let connected = Rc::new(RefCell::new(false));
        let subscribed = Rc::new(RefCell::new(false));
        let driver = {
            let (received, connected, subscribed) =
                (received.clone(), connected.clone(), subscribed.clone());
            Driver::new(move |action| match action {
                Action::Connected { .. } => *connected.borrow_mut() = true,
                Action::Connection(state) => {
                    *connected.borrow_mut() = matches!(state, ConnectionState::Connected { .. })
                }
                Action::SubscriptionResults(results) => {
                    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");
                    *subscribed.borrow_mut() = true;
                }
                Action::Received(batch) => received.borrow_mut().extend(batch),
                _ => {}
            })
        };
        driver.set_history_limit(1_000_000);
        support::peer::connect_v5(&driver, client_id);
        wait_until("the subscriber to connect", || *connected.borrow()).await;
        let request = SubscriptionRequest {
            filter: filter.into(),
            alias: String::new(),
            qos: QoS::ExactlyOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        };
        driver.subscribe(&request, None).expect("subscribe");
        wait_until("the subscriber's SUBACK", || *subscribed.borrow()).await;
        Subscriber { driver, received }
    }

    fn count(&self) -> usize {
        self.received.borrow().len()
    }

    async fn close(self) {
        self.driver.disconnect();
        settle(50).await;
        self.driver.shutdown();
    }
}

/// The text of the figure `name` (`data-figure`), if it is shown.
fn figure(app: &Mounted, name: &str) -> Option<String> {
    app.section(SECTION)
        .query_selector(&format!("[data-figure=\"{name}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
}

/// A count as the panel shows it ("2,000").
fn number(text: &str) -> u64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"))
}

/// A figure with a fraction ("499.8 messages/s", "1.3 ms").
fn decimal(text: &str) -> f64 {
    let value: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    value
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"))
}

/// Sent (of the total), acknowledged, failed and in flight, as shown.
fn counts(app: &Mounted) -> Option<(u64, u64, u64, u64)> {
    let sent = figure(app, "sent")?;
    let (sent, _) = sent.split_once(" of ")?;
    Some((
        number(sent),
        number(&figure(app, "acknowledged")?),
        number(&figure(app, "failed")?),
        number(&figure(app, "in-flight")?),
    ))
}

async fn open_load_test(app: &Mounted, topic: &str, count: &str, rate: &str, qos: &str) {
    let summary: HtmlElement = app
        .section(SECTION)
        .query_selector("summary")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("the load test's summary");
    summary.click();
    app.fill(SECTION, "Load test topic", topic);
    app.fill(SECTION, "Payload template", "{\"n\":{n},\"ts\":{ts}}");
    app.fill(SECTION, "QoS", qos);
    app.fill(SECTION, "Messages", count);
    app.fill(SECTION, "Messages per second", rate);
    settle(20).await;
}

#[wasm_bindgen_test]
async fn two_thousand_at_500_a_second_arrive_filled_and_acknowledged() {
    clear_storage();
    let topic = unique("load");
    let subscriber = Subscriber::new("load-subscriber", &topic).await;
    let app = mount().await;
    app.connect("load-publisher").await;
    open_load_test(&app, &topic, "2000", "500", "1").await;
    let started = js_sys::Date::now() as u64;
    app.click(SECTION, "Start load test");
    wait_until("the load test's first figures", || counts(&app).is_some()).await;
    wait_until("2,000 sent and acknowledged", || {
        counts(&app) == Some((2000, 2000, 0, 0))
    })
    .await;
    app.wait_text(SECTION, "Finished.").await;
    assert!(app.button(SECTION, "Start load test").is_some());

    wait_until("the subscriber to receive 2,000", || {
        subscriber.count() >= 2000
    })
    .await;
    let ended = js_sys::Date::now() as u64;
    let received = subscriber.received.borrow().clone();
    assert_eq!(received.len(), 2000);
    for (index, message) in received.iter().enumerate() {
        let payload = std::str::from_utf8(&message.payload).expect("text payload");
        let rest = payload
            .strip_prefix(&format!("{{\"n\":{},\"ts\":", index + 1))
            .unwrap_or_else(|| panic!("message {} out of order: {payload}", index + 1));
        let ts: u64 = rest
            .strip_suffix('}')
            .and_then(|ts| ts.parse().ok())
            .unwrap_or_else(|| panic!("no timestamp in {payload}"));
        assert!(
            (started..=ended).contains(&ts),
            "{ts} not in {started}..{ended}"
        );
        assert_eq!(message.topic, topic);
    }

    let rate = decimal(&figure(&app, "rate").expect("the achieved rate"));
    let [p50, p95, p99] =
        ["p50", "p95", "p99"].map(|p| decimal(&figure(&app, p).expect("a percentile")));
    // 2,000 at 500 a second take about 4 s: a rate far from it would be a pacing fault, not
    // a slow machine (the bound is loose on purpose).
    assert!((250.0..750.0).contains(&rate), "rate {rate}");
    assert!(p50 <= p95 && p95 <= p99, "{p50} {p95} {p99}");
    console_log!(
        "load test, 2,000 at 500/s QoS 1 against the local Mosquitto: achieved {rate} messages/s, \
         PUBACK latency p50 {p50} ms, p95 {p95} ms, p99 {p99} ms"
    );
    app.unmount().await;
    subscriber.close().await;
}

#[wasm_bindgen_test]
async fn stopping_part_way_leaves_consistent_counts() {
    clear_storage();
    let topic = unique("load-stop");
    let subscriber = Subscriber::new("load-stop-subscriber", &topic).await;
    let app = mount().await;
    app.connect("load-stop-publisher").await;
    open_load_test(&app, &topic, "5000", "500", "2").await;
    app.click(SECTION, "Start load test");
    wait_until("500 sent", || counts(&app).is_some_and(|c| c.0 >= 500)).await;
    app.click(SECTION, "Stop load test");
    // "Finished." only once nothing is in flight; until then "waiting for the
    // acknowledgements".
    app.wait_text(SECTION, "Finished.").await;
    let (sent, acknowledged, failed, in_flight) = counts(&app).expect("counts");
    assert_eq!(in_flight, 0);
    assert!((500..5000).contains(&sent), "sent {sent}");
    assert_eq!(sent, acknowledged + failed);
    assert_eq!(failed, 0);
    // Every completed QoS 2 message reached the subscriber, and nothing more was published.
    wait_until("the subscriber to receive every completed message", || {
        subscriber.count() as u64 >= acknowledged
    })
    .await;
    settle(300).await;
    assert_eq!(subscriber.count() as u64, acknowledged);
    assert_eq!(counts(&app).map(|c| c.0), Some(sent));
    let [p50, p95, p99] =
        ["p50", "p95", "p99"].map(|p| decimal(&figure(&app, p).expect("a percentile")));
    console_log!(
        "load test stopped at {sent} of 5,000 (QoS 2, 500/s): PUBCOMP latency p50 {p50} ms, \
         p95 {p95} ms, p99 {p99} ms"
    );
    app.unmount().await;
    subscriber.close().await;
}

#[wasm_bindgen_test]
async fn qos_0_says_there_is_no_acknowledgement_and_bad_fields_are_refused() {
    clear_storage();
    let topic = unique("load-qos0");
    let subscriber = Subscriber::new("load-qos0-subscriber", &topic).await;
    let app = mount().await;
    app.connect("load-qos0-publisher").await;
    open_load_test(&app, &topic, "0", "500", "0").await;
    app.click(SECTION, "Start load test");
    app.wait_text(
        SECTION,
        "The number of messages must be a whole number from 1 to 1,000,000",
    )
    .await;
    app.fill(SECTION, "Messages", "200");
    app.fill(SECTION, "Messages per second", "fast");
    settle(20).await;
    app.click(SECTION, "Start load test");
    app.wait_text(SECTION, "The rate must be a whole number")
        .await;
    assert!(figure(&app, "sent").is_none());
    app.fill(SECTION, "Messages per second", "1000");
    settle(20).await;
    app.click(SECTION, "Start load test");
    wait_until("200 written", || counts(&app) == Some((200, 200, 0, 0))).await;
    app.wait_text(SECTION, "QoS 0 has no acknowledgement").await;
    assert!(figure(&app, "p50").is_none());
    wait_until("the subscriber to receive 200", || {
        subscriber.count() >= 200
    })
    .await;
    app.unmount().await;
    subscriber.close().await;
}
