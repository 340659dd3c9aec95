//! Decoded payloads beyond the message detail, against tests/decoders/peer.py (cbor2, msgpack)
//! through Mosquitto: with a rule per format, the message list's rows and the topic tree's last
//! values show the decoded value on one line (bytes that are not CBOR: the error), and a chart
//! plots a decoded field by its path. Then the periodic publish and the load test send JSON
//! encoded as CBOR and MessagePack, which the peer decodes and judges on
//! decoders/verdict/<run>/<format>.
//!
//! The decoder Worker is the one scripts/test builds and serves at MQTT_TEST_FILES_URL.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, settle, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// peer.py's READING, as a row writes it.
const READING: &str =
    r#"{"temperature": 21.5, "unit": "C", "ok": true, "samples": [1, -2, 300000]}"#;
const BAD: &str = "Not valid CBOR at byte 0: a length of 3 with only 2 bytes left.";
/// peer.py's NUMBERED_TEXT.
const NUMBERED_TEXT: &str = "from the app, numbered";

/// Rows of the topic tree by their level's name, with their text.
fn tree_row(app: &Mounted, name: &str) -> Option<(HtmlElement, String)> {
    let rows = app
        .section("Messages")
        .query_selector_all("[role=\"treeitem\"]")
        .ok()?;
    (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into::<HtmlElement>().ok())
        .find(|row| {
            row.query_selector(".level")
                .ok()
                .flatten()
                .and_then(|level| level.text_content())
                .as_deref()
                == Some(name)
        })
        .map(|row| {
            let text = row.text_content().unwrap_or_default();
            (row, text)
        })
}

/// Expands the tree down to `path`'s parent and returns its last level's row.
async fn open_path(app: &Mounted, path: &str) -> HtmlElement {
    let levels: Vec<&str> = path.split('/').collect();
    for (depth, name) in levels.iter().enumerate() {
        wait_until(&format!("the tree row {name}"), || {
            tree_row(app, name).is_some()
        })
        .await;
        let (row, _) = tree_row(app, name).expect("row");
        if depth + 1 < levels.len()
            && row.get_attribute("aria-expanded").as_deref() == Some("false")
        {
            row.query_selector(".toggle")
                .ok()
                .flatten()
                .and_then(|toggle| toggle.dyn_into::<HtmlElement>().ok())
                .expect("a toggle")
                .click();
        }
    }
    tree_row(app, levels.last().expect("a level"))
        .expect("the last row")
        .0
}

/// Waits for the peer's verdict on `run`'s `format` to be `expected`, and for none to be wrong.
async fn wait_verdict(app: &Mounted, run: &str, format: &str, expected: &str) {
    let topic = format!("decoders/verdict/{run}/{format}");
    wait_until(&format!("{topic}: {expected}"), || {
        let rows = app.rows();
        let wrong = rows
            .iter()
            .find(|row| row.contains(&topic) && row.contains("wrong"));
        assert!(wrong.is_none(), "Python says {wrong:?}");
        rows.iter()
            .any(|row| row.contains(&topic) && row.contains(expected))
    })
    .await;
}

fn run_id(kind: &str) -> String {
    format!("{kind}{}", (js_sys::Math::random() * 1e12) as u64)
}

#[wasm_bindgen_test]
async fn the_list_the_tree_and_a_chart_show_decoded_payloads() {
    clear_storage();
    support::locate_the_decoder_module();
    let app = mount().await;
    app.add_decoder_rule("decoders/python/msgpack", "msgpack")
        .await;
    app.add_decoder_rule("decoders/python/#", "cbor").await;
    app.connect("app-decoded-views").await;
    app.subscribe("decoders/python/#", "1").await;

    // The rows, with no message opened: decoded by the Worker, one line each.
    app.wait_row(&format!("CBOR: {READING}")).await;
    let msgpack = app.wait_row(&format!("MessagePack: {READING}")).await;
    assert!(msgpack.contains("decoders/python/msgpack"), "{msgpack}");
    let bad = app.wait_row(BAD).await;
    assert!(bad.contains("decoders/python/bad"), "{bad}");

    // A series for the chart, each value in its own CBOR map.
    app.publish("decoders/request/series", "3 readings", "1");
    wait_until("the three readings, decoded", || {
        let rows = app.rows();
        let series = |shown: &str| {
            rows.iter()
                .filter(|row| row.contains("decoders/python/series") && row.contains(shown))
                .count()
        };
        series("CBOR: {\"temperature\": ") == 3
            && series(r#"{"temperature": 22.5, "unit": "C"}"#) == 1
    })
    .await;

    // The tree's last values.
    app.click("Messages", "Topic tree");
    open_path(&app, "decoders/python/cbor").await;
    for (name, shown) in [
        ("cbor", format!("CBOR: {READING}")),
        ("msgpack", format!("MessagePack: {READING}")),
        ("bad", BAD.to_owned()),
        (
            "series",
            r#"CBOR: {"temperature": 21, "unit": "C"}"#.to_owned(),
        ),
    ] {
        wait_until(&format!("the tree's last value of {name}"), || {
            tree_row(&app, name).is_some_and(|(_, text)| text.contains(&shown))
        })
        .await;
    }

    // The chart of a decoded field, by its path.
    open_path(&app, "decoders/python/series").await.click();
    let details = "section[aria-label=\"Topic details\"]";
    wait_until("the series' details", || {
        app.text(details).contains("3 messages")
    })
    .await;
    app.fill(
        "Topic details",
        "Chart the number at (JSON path)",
        "temperature",
    );
    wait_until("a chart of the decoded temperatures", || {
        app.text(details)
            .contains("3 values · min 20 · max 22.5 · last 21")
    })
    .await;
    app.fill("Topic details", "Chart the number at (JSON path)", "unit");
    wait_until("no numbers at unit", || {
        app.text(details).contains("No numbers there")
    })
    .await;

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn periodic_and_load_test_messages_are_encoded_for_python() {
    clear_storage();
    support::locate_the_decoder_module();
    let app = mount().await;
    app.connect("app-encoded-numbered").await;
    app.subscribe("decoders/verdict/#", "1").await;

    // Periodic, JSON → CBOR: a field no format holds is named before anything is sent.
    let periodic = run_id("periodic");
    app.fill("Publish", "Payload format", "msgpack");
    app.fill(
        "Publish",
        "Topic",
        &format!("decoders/numbered/{periodic}/msgpack"),
    );
    app.fill(
        "Publish",
        "Payload",
        r#"{"n": {n}, "big": 18446744073709551616}"#,
    );
    app.fill("Publish", "Interval (ms)", "100");
    app.click("Publish", "Start periodic");
    wait_until("the encoding error", || {
        app.errors("Publish")
            .contains("Cannot encode $.big as MessagePack: the number is out of range")
    })
    .await;
    assert!(app.button("Publish", "Stop periodic").is_none());
    for format in ["cbor", "msgpack"] {
        app.fill("Publish", "Payload format", format);
        app.fill(
            "Publish",
            "Topic",
            &format!("decoders/numbered/{periodic}/{format}"),
        );
        app.fill(
            "Publish",
            "Payload",
            &format!(r#"{{"n": {{n}}, "text": "{NUMBERED_TEXT}"}}"#),
        );
        app.click("Publish", "Start periodic");
        wait_verdict(&app, &periodic, format, "ok, 3 so far").await;
        app.click("Publish", "Stop periodic");
        settle(50).await;
    }

    // The load test, JSON → MessagePack and CBOR, numbered and timestamped.
    let load = run_id("load");
    let summary: HtmlElement = app
        .section("Load test")
        .query_selector("summary")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("the load test's summary");
    summary.click();
    app.fill("Load test", "Payload encoding", "cbor");
    app.fill("Load test", "Payload template", r#"{"n": {n}, "x": 1e400}"#);
    app.click("Load test", "Start load test");
    wait_until("the load test's payload error", || {
        app.errors("Load test")
            .contains("Cannot encode $.x as CBOR: the number is out of range")
    })
    .await;
    for format in ["msgpack", "cbor"] {
        app.fill("Load test", "Payload encoding", format);
        app.fill(
            "Load test",
            "Load test topic",
            &format!("decoders/numbered/{load}/{format}"),
        );
        app.fill(
            "Load test",
            "Payload template",
            &format!(r#"{{"n": {{n}}, "ts": {{ts}}, "text": "{NUMBERED_TEXT}"}}"#),
        );
        app.fill("Load test", "QoS", "1");
        app.fill("Load test", "Messages", "40");
        app.fill("Load test", "Messages per second", "200");
        settle(20).await;
        app.click("Load test", "Start load test");
        wait_verdict(&app, &load, format, "ok, 40 so far").await;
        wait_until("the run's end", || {
            app.button("Load test", "Start load test").is_some()
        })
        .await;
    }

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}
