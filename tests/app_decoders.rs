//! Payload decoders in the browser against Python's encoders and decoders: tests/decoders/peer.py
//! (started by scripts/test on the test broker) has put a CBOR reading (cbor2), a MessagePack
//! reading (msgpack) and bytes that are not CBOR, retained, under decoders/python/; the app,
//! with a rule per format, shows them as trees with types, and the bad bytes as an error beside
//! their hex. Then the app publishes JSON encoded as CBOR and as MessagePack under
//! decoders/app/, which the peer decodes and judges on decoders/verdict/<format>.
//!
//! Protobuf and Sparkplug B likewise: the peer's demo.Telemetry (tests/decoders/proto, two files,
//! one importing the other, loaded into the rules panel) and its Sparkplug B births and
//! alias-only data, shown with the names from the births; the app's own Protobuf and Sparkplug
//! B encodings judged by Python's protobuf. Avro too: the peer's demo.Telemetry in fastavro's
//! encoding (tests/decoders/avro, two files, one using the other's record, loaded into the
//! rules panel), holding the report before it, and the app's own encoding judged by fastavro.
//!
//! The decoder Worker is the one scripts/test builds and serves at MQTT_TEST_FILES_URL.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Opens the message on `topic` and waits for its decoded section, as `format`, to finish.
async fn open(app: &Mounted, topic: &str, format: &str) -> String {
    app.wait_row(topic).await;
    app.row_element(topic).expect("row").click();
    let mut text = String::new();
    let heading = format!("Decoded as {format}");
    wait_until(
        &format!("the decoded payload of {topic} as {format}"),
        || {
            // The detail appears after the click's render: this topic's, not the one before.
            text = app.text(".detail");
            app.text(".detail .topic") == topic
                && text.contains(&heading)
                && !text.contains("Loading the decoder")
        },
    )
    .await;
    text
}

#[wasm_bindgen_test]
async fn python_payloads_decode_and_our_encodings_decode_in_python() {
    clear_storage();
    support::locate_the_decoder_module();
    let app = mount().await;
    // An invalid filter is refused inline.
    app.fill("Connection", "Topic filter", "decoders/#/x");
    app.click("Connection", "Add rule");
    wait_until("the invalid filter's error", || {
        app.errors("Connection")
            .contains("Not a valid topic filter")
    })
    .await;
    app.add_decoder_rule("decoders/python/msgpack", "msgpack")
        .await;
    app.add_decoder_rule("decoders/python/#", "cbor").await;
    app.connect("app-decoders").await;
    app.subscribe("decoders/#", "1").await;

    for (topic, format) in [
        ("decoders/python/cbor", "CBOR"),
        ("decoders/python/msgpack", "MessagePack"),
    ] {
        open(&app, topic, format).await;
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
            assert!(tree.contains(shown), "{format}: {shown:?} not in {tree}");
        }
    }

    // The bad bytes: where and why, beside their hex.
    let text = open(&app, "decoders/python/bad", "CBOR").await;
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

/// Puts `files` (name, text) in the Connection section's file input labelled `label` (`.proto
/// files`, `.avsc files`), as choosing them would.
fn choose_schema_files(app: &Mounted, label: &str, files: &[(&str, &str)]) {
    let input = app
        .field("Connection", label)
        .dyn_into::<web_sys::HtmlInputElement>()
        .expect("a file input");
    let transfer = web_sys::DataTransfer::new().expect("a DataTransfer");
    for (name, text) in files {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let file = web_sys::File::new_with_str_sequence(&parts, name).expect("a file");
        transfer.items().add_with_file(&file).expect("added");
    }
    input.set_files(transfer.files().as_ref());
    let event = web_sys::Event::new("change").expect("an event");
    input.dispatch_event(&event).expect("dispatched");
}

const COMMON: &str = include_str!("decoders/proto/common.proto");
const TELEMETRY: &str = include_str!("decoders/proto/telemetry.proto");

#[wasm_bindgen_test]
async fn protobuf_and_sparkplug_b_decode_and_encode_against_python() {
    clear_storage();
    support::locate_the_decoder_module();
    let app = mount().await;
    // Sparkplug B's namespace is decoded by default.
    assert!(app
        .section("Connection")
        .text_content()
        .unwrap_or_default()
        .contains("spBv1.0/# → Sparkplug B"));

    app.fill("Connection", "Topic filter", "decoders/+/protobuf");
    app.fill("Connection", "Decoder", "protobuf");
    // A file that does not compile: where and why.
    let broken = "syntax = \"proto3\";\nmessage A {\n  int32 x = 1\n}\n";
    app.wait_field("Connection", ".proto files").await;
    choose_schema_files(&app, ".proto files", &[("broken.proto", broken)]);
    wait_until("the compile error", || {
        app.errors("Connection")
            .contains("The .proto files do not compile: broken.proto:4:")
    })
    .await;
    // The two test files, the second importing the first.
    choose_schema_files(
        &app,
        ".proto files",
        &[("telemetry.proto", TELEMETRY), ("common.proto", COMMON)],
    );
    wait_until("the message types", || {
        app.field("Connection", "Message type")
            .text_content()
            .unwrap_or_default()
            .contains("demo.Telemetry")
            && app.errors("Connection").is_empty()
    })
    .await;
    app.fill("Connection", "Message type", "demo.Telemetry");
    app.click("Connection", "Add rule");
    wait_until("the Protobuf rule", || {
        app.section("Connection")
            .text_content()
            .unwrap_or_default()
            .contains("decoders/+/protobuf → Protobuf demo.Telemetry")
    })
    .await;

    app.connect("app-decoders-protobuf").await;
    app.subscribe("decoders/#", "1").await;
    app.subscribe("spBv1.0/#", "1").await;

    open(&app, "decoders/python/protobuf", "Protobuf").await;
    let tree = app.text(".detail .decoded-tree");
    for shown in [
        "device: \"pump-1\" text",
        "unit: \"CELSIUS\" text",
        "code: 7 integer",
        "serial: 18446744073709551615 integer",
        "label: \"level 2\" text",
    ] {
        assert!(tree.contains(shown), "{shown:?} not in {tree}");
    }

    // Sparkplug B: the peer's births and alias-only data, in order.
    app.publish("decoders/sparkplug/go", "go", "1");
    app.wait_row("spBv1.0/plant/DDATA/edge1/pump").await;
    for (topic, names, parts) in [
        (
            "spBv1.0/plant/NDATA/edge1",
            ["name: \"Temperature\" text", "name: \"Running\" text"],
            "Sparkplug B NDATA · group plant · edge node edge1",
        ),
        (
            "spBv1.0/plant/DDATA/edge1/pump",
            ["name: \"Pump/Speed\" text", "int_value: 1300 integer"],
            "Sparkplug B DDATA · group plant · edge node edge1 · device pump",
        ),
    ] {
        let text = open(&app, topic, "Sparkplug B").await;
        assert!(text.contains(parts), "{text}");
        let tree = app.text(".detail .decoded-tree");
        for name in names {
            assert!(tree.contains(name), "{topic}: {name:?} not in {tree}");
        }
    }

    // The message list decodes by the same rules and births: a Protobuf row, and an alias-only
    // NDATA row named from the NBIRTH.
    for (topic, shown) in [
        ("decoders/python/protobuf", ["Protobuf: {", "pump-1"]),
        (
            "spBv1.0/plant/NDATA/edge1",
            ["Sparkplug B: {", "Temperature"],
        ),
    ] {
        wait_until(&format!("{topic}'s row decoded"), || {
            app.rows()
                .iter()
                .any(|row| row.contains(topic) && shown.iter().all(|part| row.contains(part)))
        })
        .await;
    }

    // The app's encodings, judged by Python.
    app.fill("Publish", "Payload format", "protobuf");
    app.fill("Publish", "Topic", "decoders/app/protobuf");
    app.fill(
        "Publish",
        "Payload",
        r#"{"device": "from the app", "readings": [{"sensor": 3}]}"#,
    );
    app.click("Publish", "Publish");
    wait_until("the Protobuf field error", || {
        app.errors("Publish").contains(
            "Cannot encode $.readings[0].sensor as Protobuf: a value of type integer cannot go in a string field",
        )
    })
    .await;
    let telemetry = r#"{"device": "from the app", "readings": [{"sensor": "a", "value": 2.5,
        "unit": "KELVIN"}], "counters": {"n": 3}, "error": "none"}"#;
    app.fill("Publish", "Payload", telemetry);
    app.click("Publish", "Publish");
    // (A level deeper than the rule's decoders/+/protobuf, which would decode the verdict.)
    let verdict = app.wait_row("decoders/verdict/protobuf/app").await;
    assert!(verdict.contains("ok"), "Protobuf: Python says {verdict}");

    app.fill("Publish", "Payload format", "sparkplug-b");
    for (topic, payload) in [
        (
            "spBv1.0/tank/NBIRTH/edge9",
            r#"{"metrics": [{"name": "Level", "alias": 7, "datatype": 10, "double_value": 0.75}]}"#,
        ),
        (
            "spBv1.0/tank/NDATA/edge9",
            r#"{"metrics": [{"alias": 7, "double_value": 0.5}]}"#,
        ),
    ] {
        app.fill("Publish", "Topic", topic);
        app.fill("Publish", "Payload", payload);
        app.click("Publish", "Publish");
        app.wait_row(topic).await;
    }
    let verdict = app.wait_row("decoders/verdict/sparkplug").await;
    assert!(verdict.contains("ok"), "Sparkplug B: Python says {verdict}");

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}

const AVRO_COMMON: &str = include_str!("decoders/avro/common.avsc");
const AVRO_TELEMETRY: &str = include_str!("decoders/avro/telemetry.avsc");

#[wasm_bindgen_test]
async fn avro_decodes_and_encodes_against_fastavro() {
    clear_storage();
    support::locate_the_decoder_module();
    let app = mount().await;
    app.fill("Connection", "Topic filter", "decoders/+/avro");
    app.fill("Connection", "Decoder", "avro");
    // JSON that does not parse: the file, line and column.
    let broken = "{\n  \"type\": \"record\",\n  \"name\": \"A\"\n  \"fields\": []\n}";
    app.wait_field("Connection", ".avsc files").await;
    choose_schema_files(&app, ".avsc files", &[("broken.avsc", broken)]);
    wait_until("the schema error", || {
        app.errors("Connection")
            .contains("The .avsc files do not compile: broken.avsc:4:3")
    })
    .await;
    // The two test files, the first using the second's record.
    choose_schema_files(
        &app,
        ".avsc files",
        &[
            ("telemetry.avsc", AVRO_TELEMETRY),
            ("common.avsc", AVRO_COMMON),
        ],
    );
    wait_until("the types", || {
        app.field("Connection", "Type")
            .text_content()
            .unwrap_or_default()
            .contains("demo.Telemetry")
            && app.errors("Connection").is_empty()
    })
    .await;
    app.fill("Connection", "Type", "demo.Telemetry");
    app.click("Connection", "Add rule");
    wait_until("the Avro rule", || {
        app.section("Connection")
            .text_content()
            .unwrap_or_default()
            .contains("decoders/+/avro → Avro demo.Telemetry")
    })
    .await;

    app.connect("app-decoders-avro").await;
    app.subscribe("decoders/#", "1").await;

    open(&app, "decoders/python/avro", "Avro").await;
    let tree = app.text(".detail .decoded-tree");
    for shown in [
        "device: \"now\" text",
        "unit: \"KELVIN\" text",
        "sensor: \"héllo\" text",
        "price: \"12.34\" text",
        "low: -9223372036854775808 integer",
        // The report before it, inside.
        "device: \"before\" text",
        "error: \"late\" text",
        "price: \"-0.50\" text",
    ] {
        assert!(tree.contains(shown), "{shown:?} not in {tree}");
    }
    wait_until("the row decoded", || {
        app.rows()
            .iter()
            .any(|row| row.contains("decoders/python/avro") && row.contains("Avro: {"))
    })
    .await;

    // The app's encoding, judged by fastavro; first a field of the wrong type, then one left
    // out that has no default.
    app.fill("Publish", "Payload format", "avro");
    app.fill("Publish", "Topic", "decoders/app/avro");
    let telemetry = |readings: &str, device: &str| {
        format!(
            r#"{{{device}"readings": [{readings}], "counters": {{"n": 3}}, "error": "none",
            "id": "AAECAw==", "price": "1.5"}}"#
        )
    };
    for (payload, error) in [
        (
            telemetry(r#"{"sensor": 3, "value": 2.5, "unit": "CELSIUS"}"#, r#""device": "from the app", "#),
            "Cannot encode $.readings[0].sensor as Avro: a value of type integer cannot go in a string field",
        ),
        (
            telemetry(r#"{"sensor": "a", "value": 2.5, "unit": "CELSIUS"}"#, ""),
            "Cannot encode $.device as Avro: the field is missing and has no default",
        ),
    ] {
        app.fill("Publish", "Payload", &payload);
        app.click("Publish", "Publish");
        wait_until(error, || app.errors("Publish").contains(error)).await;
    }
    app.fill(
        "Publish",
        "Payload",
        &telemetry(
            r#"{"sensor": "a", "value": 2.5, "unit": "CELSIUS"}"#,
            r#""device": "from the app", "#,
        ),
    );
    app.click("Publish", "Publish");
    let verdict = app.wait_row("decoders/verdict/avro/app").await;
    assert!(verdict.contains("ok"), "Avro: fastavro says {verdict}");

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}
