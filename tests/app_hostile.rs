//! The app against the scripted hostile broker (`crates/test-peers`, `hostile-broker`): for
//! each misbehaviour, connected through the form in MQTT 5.0 and 3.1.1, the connection ends
//! with the reason in words in the status bar and the connection log, no message from the
//! hostile stream is shown, the page still reacts to input, and the same tab then works
//! against the real Mosquitto. The good cases (10,000 packets in one frame, one byte per
//! frame) show every message and stay connected. Memory does not balloon: the wasm linear
//! memory (which only grows, so its growth is the case's peak) and the JS heap left after a
//! garbage collection grow by less than `MEMORY_BOUND` per case, as the native hostile tests
//! bound the heap (crates/test-peers/tests/hostile.rs).
#![cfg(target_arch = "wasm32")]

mod support;

use js_sys::Reflect;
use support::{
    broker_url, clear_storage, engine, mount, note, unique, wait_until, Engine, Mounted,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The hostile broker's base URL, set at compile time by the test command.
fn hostile_url() -> &'static str {
    match option_env!("MQTT_TEST_HOSTILE_URL") {
        Some(url) => url,
        None => panic!(
            "set MQTT_TEST_HOSTILE_URL (e.g. ws://127.0.0.1:9100, where \
             `cargo run -p test-peers --bin hostile-broker 9100` listens) when building the \
             browser tests"
        ),
    }
}

const VERSIONS: [&str; 2] = ["5.0", "3.1.1"];

/// The most memory a case may add: a 256 MB length prefix buffered, or anything like it, would
/// be far over.
const MEMORY_BOUND: f64 = 16.0 * 1024.0 * 1024.0;

/// Bytes in use: the wasm linear memory, and in Chromium the JS heap (`performance.memory`,
/// after a full garbage collection: webdriver.json starts Chromium with `--expose-gc` and
/// precise memory figures). Firefox and WebKit have neither a JS heap figure nor a way for a
/// page to collect garbage, so there only the wasm memory is bounded (said in the output).
struct Memory {
    wasm: f64,
    js_heap: Option<f64>,
}

fn property(target: &JsValue, name: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn memory_in_use() -> Memory {
    let window = gloo::utils::window();
    let used = |target: JsValue, path: &[&str]| {
        let value = path
            .iter()
            .fold(target, |value, name| property(&value, name));
        value
            .as_f64()
            .unwrap_or_else(|| panic!("no {} to measure memory by", path.join(".")))
    };
    let js_heap = (engine() == Engine::Chromium).then(|| {
        let gc: js_sys::Function = property(&window, "gc")
            .dyn_into()
            .expect("window.gc: Chromium must run with --js-flags=--expose-gc (webdriver.json)");
        gc.call0(&JsValue::NULL).expect("a garbage collection");
        used(
            window.clone().into(),
            &["performance", "memory", "usedJSHeapSize"],
        )
    });
    Memory {
        wasm: used(wasm_bindgen::memory(), &["buffer", "byteLength"]),
        js_heap,
    }
}

fn mebibytes(bytes: f64) -> f64 {
    bytes / 1024.0 / 1024.0
}

/// How a correct app ends a case.
enum Outcome {
    /// The connection ends; the status names the cause with one of these words (any case).
    Ends(&'static [&'static str]),
    /// The connection stays up and shows messages (checked per case).
    Survives,
}

struct Case {
    name: &'static str,
    outcome: Outcome,
    /// Keep alive typed into the form: short where only the keep alive can end the wait.
    keep_alive: &'static str,
    /// The case only exists in version 5 (the peer hangs up on a 3.1.1 client at once).
    v5_only: bool,
}

const fn ends(name: &'static str, words: &'static [&'static str]) -> Case {
    Case {
        name,
        outcome: Outcome::Ends(words),
        keep_alive: "60",
        v5_only: false,
    }
}

fn case(name: &'static str) -> Case {
    match name {
        "remaining-length-5-bytes" => ends(name, &["length"]),
        // The app refuses packets over its maximum size from the length prefix; the short keep
        // alive would end the wait for a body trickling in a byte at a time if it did not.
        "huge-length-prefix" => Case {
            keep_alive: "1",
            ..ends(name, &["ping", "keep alive", "too large", "maximum"])
        },
        "lying-length" => ends(name, &["topic", "length", "past the end"]),
        "lying-length-long" => Case {
            keep_alive: "1",
            ..ends(name, &["ping", "keep alive"])
        },
        "invalid-utf8-topic" => ends(name, &["utf-8"]),
        "nul-in-topic" => ends(name, &["null", "u+0000"]),
        "unknown-packet-type" => ends(name, &["type"]),
        "packet-type-15" => ends(name, &["type", "auth"]),
        "publish-qos-3" => ends(name, &["qos"]),
        "pubrel-wrong-flags" => ends(name, &["pubrel"]),
        "connack-twice" => ends(name, &["connack"]),
        "suback-unknown-id" => ends(name, &["suback"]),
        "puback-unknown-id" => ends(name, &["puback"]),
        "topic-alias-beyond-maximum" => Case {
            v5_only: true,
            ..ends(name, &["alias"])
        },
        "text-frames" => ends(name, &["text frame"]),
        "abrupt-close-mid-packet" => ends(name, &["closed", "broke"]),
        "ten-thousand-packets-in-one-frame" | "split-byte-by-byte" => Case {
            name,
            outcome: Outcome::Survives,
            keep_alive: "60",
            v5_only: false,
        },
        other => panic!("no case {other} in this test"),
    }
}

/// Fills the form for `url` and presses Connect; reconnecting is off so the outcome stays.
async fn connect_to(app: &Mounted, url: &str, version: &str, keep_alive: &str, client_id: &str) {
    app.fill("Connection", "Broker URL", url);
    app.fill("Connection", "MQTT version", version);
    app.fill("Connection", "Keep alive", keep_alive);
    app.fill("Connection", "Client ID", client_id);
    app.check("Connection", "Reconnect automatically", false);
    // Connect is enabled once the form has re-rendered with a valid URL.
    wait_until("the Connect button", || {
        app.button("Connection", "Connect").is_some()
    })
    .await;
    app.click("Connection", "Connect");
}

fn status_text(app: &Mounted) -> String {
    app.text(".connection-view:not([hidden]) [data-status] .status-text")
}

fn log_text(app: &Mounted) -> String {
    app.text(".connection-view:not([hidden]) [aria-label=\"Connection log\"]")
}

/// Runs one case in every version it exists in.
async fn run(name: &'static str) {
    let case = case(name);
    for version in VERSIONS {
        if case.v5_only && version == "3.1.1" {
            continue;
        }
        clear_storage();
        let before = memory_in_use();
        let app = mount().await;
        let url = format!("{}/{}", hostile_url(), case.name);
        connect_to(&app, &url, version, case.keep_alive, "app-hostile").await;
        let context = format!("{} in MQTT {version}", case.name);
        match case.outcome {
            Outcome::Ends(words) => ends_in_words(&app, &context, words).await,
            Outcome::Survives => survives(&app, case.name, &context).await,
        }
        still_reacts_to_input(&app, &context).await;
        works_against_mosquitto(&app, version, &context).await;
        app.unmount().await;
        let after = memory_in_use();
        let wasm_growth = after.wasm - before.wasm;
        console_log!(
            "memory, {context}: wasm {:.1} -> {:.1} MiB (+{:.2})",
            mebibytes(before.wasm),
            mebibytes(after.wasm),
            mebibytes(wasm_growth)
        );
        assert!(
            wasm_growth < MEMORY_BOUND,
            "{context}: the wasm memory grew by {:.1} MiB, more than {:.0} MiB",
            mebibytes(wasm_growth),
            mebibytes(MEMORY_BOUND)
        );
        match (before.js_heap, after.js_heap) {
            (Some(before), Some(after)) => {
                console_log!(
                    "memory, {context}: JS heap {:.1} -> {:.1} MiB ({:+.2})",
                    mebibytes(before),
                    mebibytes(after),
                    mebibytes(after - before)
                );
                assert!(
                    after - before < MEMORY_BOUND,
                    "{context}: the JS heap grew by {:.1} MiB, more than {:.0} MiB",
                    mebibytes(after - before),
                    mebibytes(MEMORY_BOUND)
                );
            }
            _ => note(&format!(
                "{context}: JS heap not bounded (performance.memory and window.gc are Chromium's)"
            )),
        }
    }
}

/// The connection ends by itself, the status and the log say why in words, and nothing from
/// the hostile stream is shown.
async fn ends_in_words(app: &Mounted, context: &str, words: &[&str]) {
    wait_until(&format!("{context}: the connection to end"), || {
        app.status() == "disconnected" && status_text(app).starts_with("Disconnected: ")
    })
    .await;
    let status = status_text(app);
    let lowercase = status.to_lowercase();
    assert!(
        words.iter().any(|word| lowercase.contains(word)),
        "{context}: the status {status:?} mentions none of {words:?}"
    );
    for debug in ["{", "Some(", "Err(", "Ok(", "panicked"] {
        assert!(
            !status.contains(debug),
            "{context}: the status reads like debug output: {status:?}"
        );
    }
    let log = log_text(app);
    assert!(
        log.contains("Connection lost: ") || log.contains("Connection refused: "),
        "{context}: the connection log says nothing of the loss: {log:?}"
    );
    assert!(
        app.rows().is_empty(),
        "{context}: messages from a hostile stream were shown: {:?}",
        app.rows()
    );
}

/// The good cases: every message is shown and the connection stays up.
async fn survives(app: &Mounted, name: &str, context: &str) {
    if name == "split-byte-by-byte" {
        wait_until(&format!("{context}: 3 messages"), || app.rows().len() == 3).await;
        let rows = app.rows();
        for row in &rows {
            assert!(row.contains("hostile/stream"), "{context}: row {row:?}");
        }
    } else {
        // The peer publishes the report once it has all 10,000 PUBACKs: its payload is the
        // number it got, and in how many frames. The history keeps the newest 10,000 of the
        // 10,001 messages.
        app.wait_row("hostile/report").await;
        let report = app
            .row_element("hostile/report")
            .and_then(|row| row.text_content())
            .unwrap_or_default();
        assert!(
            report.contains("10000 PUBACKs in "),
            "{context}: the peer got every PUBACK: {report:?}"
        );
        // The answers to one batch go in one frame (`Io::send`), not one frame each: the
        // burst is handed over in a few batches, so a few frames.
        let frames: usize = report
            .split("PUBACKs in ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|count| count.parse().ok())
            .unwrap_or(usize::MAX);
        assert!(
            frames <= 100,
            "{context}: 10,000 PUBACKs took {frames} frames: {report:?}"
        );
        let counts = app.text(".connection-view:not([hidden]) .counts");
        assert_eq!(counts, "10,000 messages", "{context}");
    }
    assert_eq!(app.status(), "connected", "{context}: {}", status_text(app));
    app.click("Connection", "Disconnect");
    wait_until(&format!("{context}: disconnected"), || {
        app.status() == "disconnected"
    })
    .await;
}

/// The app still runs: a bad URL typed now gets its inline error from the app's validation.
async fn still_reacts_to_input(app: &Mounted, context: &str) {
    app.fill("Connection", "Broker URL", "http://127.0.0.1:1");
    wait_until(&format!("{context}: the app to validate new input"), || {
        app.errors("Connection").contains("not a WebSocket URL")
    })
    .await;
}

/// The same tab connects to Mosquitto, subscribes, publishes, and shows the message.
async fn works_against_mosquitto(app: &Mounted, version: &str, context: &str) {
    connect_to(app, broker_url(), version, "60", "app-hostile-after").await;
    wait_until(
        &format!("{context}: connected to Mosquitto afterwards"),
        || app.status() == "connected",
    )
    .await;
    app.click("Messages", "Clear");
    let topic = unique("after-hostile");
    app.subscribe(&topic, "1").await;
    app.publish(&topic, "still working", "1");
    let row = app.wait_row("still working").await;
    assert!(row.contains(&topic), "{context}: {row}");
    app.click("Connection", "Disconnect");
}

#[wasm_bindgen_test]
async fn remaining_length_5_bytes() {
    run("remaining-length-5-bytes").await;
}

#[wasm_bindgen_test]
async fn huge_length_prefix() {
    run("huge-length-prefix").await;
}

#[wasm_bindgen_test]
async fn lying_length() {
    run("lying-length").await;
}

#[wasm_bindgen_test]
async fn lying_length_long() {
    run("lying-length-long").await;
}

#[wasm_bindgen_test]
async fn invalid_utf8_topic() {
    run("invalid-utf8-topic").await;
}

#[wasm_bindgen_test]
async fn nul_in_topic() {
    run("nul-in-topic").await;
}

#[wasm_bindgen_test]
async fn unknown_packet_type() {
    run("unknown-packet-type").await;
}

#[wasm_bindgen_test]
async fn packet_type_15() {
    run("packet-type-15").await;
}

#[wasm_bindgen_test]
async fn publish_qos_3() {
    run("publish-qos-3").await;
}

#[wasm_bindgen_test]
async fn pubrel_wrong_flags() {
    run("pubrel-wrong-flags").await;
}

#[wasm_bindgen_test]
async fn connack_twice() {
    run("connack-twice").await;
}

#[wasm_bindgen_test]
async fn suback_unknown_id() {
    run("suback-unknown-id").await;
}

#[wasm_bindgen_test]
async fn puback_unknown_id() {
    run("puback-unknown-id").await;
}

#[wasm_bindgen_test]
async fn topic_alias_beyond_maximum() {
    run("topic-alias-beyond-maximum").await;
}

#[wasm_bindgen_test]
async fn ten_thousand_packets_in_one_frame() {
    run("ten-thousand-packets-in-one-frame").await;
}

#[wasm_bindgen_test]
async fn split_byte_by_byte() {
    run("split-byte-by-byte").await;
}

#[wasm_bindgen_test]
async fn text_frames() {
    run("text-frames").await;
}

#[wasm_bindgen_test]
async fn abrupt_close_mid_packet() {
    run("abrupt-close-mid-packet").await;
}
