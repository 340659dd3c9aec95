//! Shared subscriptions for real: two connection tabs of the app, one speaking MQTT 5 and one
//! 3.1.1, subscribe to the test Mosquitto in one `$share/…` group; a third client in the page
//! (tests/support/peer.rs) publishes a stream of QoS 1 messages, each confirmed by the broker.
//! The broker splits the stream between the two tabs: both receive some, each message reaches
//! exactly one of them, and together they hold exactly what was published. What each tab holds
//! is read from its own JSON export, as a user would take it.
#![cfg(target_arch = "wasm32")]

mod support;

use std::collections::BTreeSet;

use support::peer::Peer;
use support::{capture_downloads, clear_storage, fetch_text, mount, settle, unique, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Messages in the stream; fixed-width payloads ("share-0001", …).
const STREAM: usize = 300;

/// The tab at `index` made active, its message count once the list has rendered.
async fn count_in_tab(app: &Mounted, index: u32) -> u64 {
    app.select_tab(index);
    settle(40).await;
    app.message_count().unwrap_or(0)
}

/// Exports the messages of the tab at `index` as JSON and returns each one's (topic, QoS,
/// payload), newest first.
async fn exported(
    app: &Mounted,
    offered: &js_sys::Array,
    index: u32,
) -> Vec<(String, u64, String)> {
    app.select_tab(index);
    settle(40).await;
    let before = offered.length();
    app.click("Messages", "Export JSON");
    support::wait_until("the JSON export", || offered.length() == before + 1).await;
    let pair: js_sys::Array = offered.get(before).dyn_into().expect("an export");
    let url = pair.get(0).as_string().expect("the export's URL");
    let json = mqtt_web_client::json::parse(&fetch_text(&url).await).expect("valid JSON");
    json.as_array()
        .expect("an array")
        .iter()
        .map(|item| {
            let field = |name: &str| item.get(name).and_then(|v| v.as_str()).unwrap_or_default();
            assert_eq!(field("encoding"), "utf8", "{item:?}");
            (
                field("topic").to_owned(),
                item.get("qos").and_then(|v| v.as_u64()).unwrap_or(99),
                field("payload").to_owned(),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn two_tabs_in_one_share_group_split_a_stream_without_loss_or_doubles() {
    clear_storage();
    let offered = capture_downloads();
    let topic = unique("share");
    let filter = format!("$share/app-share/{topic}");
    let app = mount().await;
    app.connect("app-share-v5").await;
    app.subscribe(&filter, "1").await;
    app.new_tab().await;
    app.fill("Connection", "MQTT version", "3.1.1");
    app.connect("app-share-v311").await;
    app.subscribe(&filter, "1").await;

    let stream: Vec<(String, Vec<u8>)> = (1..=STREAM)
        .map(|n| (topic.clone(), format!("share-{n:04}").into_bytes()))
        .collect();
    let peer = Peer::connect("app-share-publisher").await;
    peer.publish_confirmed(&stream, false).await;

    // Every message the broker confirmed is on its way to one of the tabs.
    let start = js_sys::Date::now();
    let (mut first, mut second) = (0, 0);
    while first + second < STREAM as u64 {
        assert!(
            js_sys::Date::now() - start < support::DEADLINE.as_millis() as f64,
            "the tabs hold {first} and {second} of {STREAM} messages"
        );
        first = count_in_tab(&app, 0).await;
        second = count_in_tab(&app, 1).await;
    }
    // Time for a doubled delivery to show up too.
    settle(500).await;

    let published: BTreeSet<String> = (1..=STREAM).map(|n| format!("share-{n:04}")).collect();
    let mut holds = Vec::new();
    for index in 0..2 {
        let messages = exported(&app, &offered, index).await;
        for (received_on, qos, payload) in &messages {
            assert_eq!(received_on, &topic, "tab {index}: {payload} on its topic");
            assert_eq!(*qos, 1, "tab {index}: {payload} at QoS 1");
        }
        let payloads: Vec<String> = messages.into_iter().map(|(_, _, p)| p).collect();
        let distinct: BTreeSet<String> = payloads.iter().cloned().collect();
        assert_eq!(
            distinct.len(),
            payloads.len(),
            "tab {index} received a message twice"
        );
        assert!(
            distinct.is_subset(&published),
            "tab {index} received what was not published: {:?}",
            distinct.difference(&published).collect::<Vec<_>>()
        );
        holds.push(distinct);
    }
    let doubled: Vec<&String> = holds[0].intersection(&holds[1]).collect();
    assert!(
        doubled.is_empty(),
        "{} messages reached both tabs of the group (the first: {:?}), so the broker did not share",
        doubled.len(),
        doubled.first()
    );
    let union: BTreeSet<String> = holds[0].union(&holds[1]).cloned().collect();
    assert_eq!(
        union.len(),
        STREAM,
        "lost: {:?}",
        published.difference(&union).collect::<Vec<_>>()
    );
    assert!(
        !holds[0].is_empty() && !holds[1].is_empty(),
        "the broker gave every message to one tab: {} and {}",
        holds[0].len(),
        holds[1].len()
    );
    console_log!(
        "{STREAM} QoS 1 messages in one share group: {} to the MQTT 5 tab, {} to the 3.1.1 tab",
        holds[0].len(),
        holds[1].len()
    );
    peer.disconnect().await;
    app.unmount().await;
}
