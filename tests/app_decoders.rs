//! Payload decoders in the browser against Python's encoders and decoders: tests/decoders/peer.py
//! (started by scripts/test on the test broker) has put a CBOR reading (cbor2), a MessagePack
//! reading (msgpack) and bytes that are not CBOR, retained, under decoders/python/; the app,
//! with a rule per format, shows them as trees with types, and the bad bytes as an error beside
//! their hex. Then the app publishes JSON encoded as CBOR and as MessagePack under
//! decoders/app/, which the peer decodes and judges on decoders/verdict/<format>.
//!
//! The decoder Worker is the one scripts/test builds and serves at MQTT_TEST_DECODER_URL.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, wait_until, Mounted};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn locate_the_decoder_module() {
    let Some(base) = option_env!("MQTT_TEST_DECODER_URL") else {
        panic!("set MQTT_TEST_DECODER_URL (scripts/test serves the decoder Worker there)");
    };
    mqtt_web_client::decoder_module::locate(
        format!("{base}/decoder-worker.js"),
        format!("{base}/decoder-worker_bg.wasm"),
    );
}

async fn add_rule(app: &Mounted, filter: &str, decoder: &str) {
    app.fill("Connection", "Topic filter", filter);
    app.fill("Connection", "Decoder", decoder);
    app.click("Connection", "Add rule");
    let rule = format!("{filter} → ");
    wait_until(&format!("the rule {filter}"), || {
        app.section("Connection")
            .text_content()
            .unwrap_or_default()
            .contains(&rule)
    })
    .await;
}

/// Opens the message on `topic` and waits for its decoded section to finish.
async fn open(app: &Mounted, topic: &str) -> String {
    app.wait_row(topic).await;
    app.row_element(topic).expect("row").click();
    let mut text = String::new();
    wait_until(&format!("the decoded payload of {topic}"), || {
        // The detail appears after the click's render.
        text = app.text(".detail");
        text.contains(topic) && text.contains("Decoded as") && !text.contains("Loading the decoder")
    })
    .await;
    text
}

#[wasm_bindgen_test]
async fn python_payloads_decode_and_our_encodings_decode_in_python() {
    clear_storage();
    locate_the_decoder_module();
    let app = mount().await;
    // An invalid filter is refused inline.
    app.fill("Connection", "Topic filter", "decoders/#/x");
    app.click("Connection", "Add rule");
    wait_until("the invalid filter's error", || {
        app.errors("Connection")
            .contains("Not a valid topic filter")
    })
    .await;
    add_rule(&app, "decoders/python/msgpack", "msgpack").await;
    add_rule(&app, "decoders/python/#", "cbor").await;
    app.connect("app-decoders").await;
    app.subscribe("decoders/#", "1").await;

    for (topic, format) in [
        ("decoders/python/cbor", "CBOR"),
        ("decoders/python/msgpack", "MessagePack"),
    ] {
        let text = open(&app, topic).await;
        assert!(text.contains(&format!("Decoded as {format}")), "{text}");
        let tree = app.text(".detail .decoded-tree");
        for shown in [
            "map",
            "4 entries",
            "temperature: 21.5 float",
            "unit: \"C\" text",
            "ok: true bool",
            "samples: ",
            "3 items",
            "1: -2 integer",
            "2: 300000 integer",
        ] {
            assert!(
                tree.contains(shown),
                "{format}: {shown:?} not in {tree} ({text})"
            );
        }
    }

    // The bad bytes: where and why, beside their hex.
    let text = open(&app, "decoders/python/bad").await;
    assert!(
        text.contains("Not valid CBOR at byte 0: a length of 3 with only 2 bytes left."),
        "{text}"
    );
    assert!(app
        .text(".detail .decoded .payload-view")
        .contains("83 01 02"));

    // Encoding: a field that cannot be encoded is named, inline.
    app.fill("Publish", "Payload format", "cbor");
    app.fill("Publish", "Topic", "decoders/app/cbor");
    app.fill("Publish", "Payload", r#"{"ok": [1, 1e400]}"#);
    app.click("Publish", "Publish");
    wait_until("the encoding error", || {
        app.errors("Publish")
            .contains("Cannot encode $.ok[1] as CBOR: the number is out of range")
    })
    .await;
    let value = r#"{"name": "from the app", "values": [1, 2.5, -3], "on": false, "none": null}"#;
    for (format, name) in [("cbor", "CBOR"), ("msgpack", "MessagePack")] {
        app.fill("Publish", "Payload format", format);
        app.fill("Publish", "Topic", &format!("decoders/app/{format}"));
        app.fill("Publish", "Payload", value);
        app.click("Publish", "Publish");
        let verdict = app.wait_row(&format!("decoders/verdict/{format}")).await;
        assert!(verdict.contains("ok"), "{name}: Python says {verdict}");
        assert!(
            app.errors("Publish").is_empty(),
            "{}",
            app.errors("Publish")
        );
    }

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}
