//! Payload views of a received message, large payloads, and a payload over the server's
//! maximum packet size.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, unique, wait_until, Mounted};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn payload_view(app: &Mounted) -> String {
    app.text(".payload-view")
}

async fn open_row(app: &Mounted, containing: &str) {
    app.wait_row(containing).await;
    app.row_element(containing).expect("row").click();
    wait_until("the details panel", || {
        app.root.query_selector(".detail").ok().flatten().is_some()
    })
    .await;
}

async fn view_as(app: &Mounted, format: &str, expected: &str) {
    app.fill("Message details", "View", format);
    wait_until(&format!("the {format} view to show {expected:?}"), || {
        payload_view(app) == expected
    })
    .await;
}

#[wasm_bindgen_test]
async fn each_payload_view_of_a_json_message() {
    clear_storage();
    let app = mount().await;
    app.connect("app-views-json").await;
    let topic = unique("views");
    app.subscribe(&topic, "0").await;
    app.publish(&topic, "{\"a\":[1,2]}", "0");
    open_row(&app, "{\"a\":[1,2]}").await;

    // Detected as JSON and pretty-printed.
    wait_until("auto view", || {
        payload_view(&app) == "{\n  \"a\": [\n    1,\n    2\n  ]\n}"
    })
    .await;
    let view = app.field("Message details", "View");
    assert!(view
        .text_content()
        .unwrap_or_default()
        .contains("Auto (JSON)"));
    view_as(&app, "text", "{\"a\":[1,2]}").await;
    view_as(&app, "hex", "7b 22 61 22 3a 5b 31 2c 32 5d 7d").await;
    view_as(&app, "base64", "eyJhIjpbMSwyXX0=").await;
    view_as(&app, "json", "{\n  \"a\": [\n    1,\n    2\n  ]\n}").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn binary_is_shown_as_hex_never_as_mojibake() {
    clear_storage();
    let app = mount().await;
    app.connect("app-views-binary").await;
    let topic = unique("binary");
    app.subscribe(&topic, "0").await;
    app.fill("Publish", "Payload format", "hex");
    app.publish(&topic, "ff fe 00 41", "0");
    open_row(&app, "ff fe 00 41").await;
    wait_until("auto view as hex", || payload_view(&app) == "ff fe 00 41").await;
    // Asked for text, it still shows hex and says why.
    view_as(&app, "text", "ff fe 00 41").await;
    wait_until("the note on why", || {
        app.text(".detail").contains("Not valid UTF-8")
    })
    .await;
    view_as(&app, "base64", "//4AQQ==").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn large_payload_is_cut_with_show_all() {
    clear_storage();
    let app = mount().await;
    app.connect("app-views-large").await;
    let topic = unique("large");
    app.subscribe(&topic, "0").await;
    // Mosquitto 2.0.11 does not deliver much larger messages over WebSockets (it logs
    // "Sending PUBLISH" but the frame never reaches the browser), so 100 KB stands for large.
    let payload = format!("start-{}-end", "x".repeat(100_000));
    app.publish(&topic, &payload, "0");
    open_row(&app, "start-xxxx").await;
    wait_until("a cut preview", || payload_view(&app).len() == 20_000).await;
    let detail = app.text(".detail");
    assert!(
        detail.contains("Showing the first 20,000 characters of 97.7 KB"),
        "{detail}"
    );
    assert!(!payload_view(&app).ends_with("-end"));
    app.click("Message details", "Show all");
    let deadline = js_sys::Date::now() + 10_000.0;
    loop {
        let text = payload_view(&app);
        if text == payload {
            break;
        }
        assert!(
            js_sys::Date::now() < deadline,
            "the whole payload is not shown: {} of {} characters; notes: {}",
            text.len(),
            payload.len(),
            app.text(".detail")
                .chars()
                .filter(|c| *c != 'x')
                .collect::<String>()
        );
        support::settle(20).await;
    }
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn payload_over_the_servers_maximum_packet_size_is_refused_inline() {
    clear_storage();
    let app = mount().await;
    app.connect("app-views-oversized").await;
    let limit = app.text("[data-status]");
    assert!(
        limit.contains("max packet"),
        "the test broker must announce a maximum packet size (max_packet_size in its config): {limit}"
    );
    let topic = unique("oversized");
    app.subscribe(&topic, "0").await;
    let payload = "y".repeat(2_200_000);
    app.publish(&topic, &payload, "0");
    wait_until("the size error", || {
        app.errors("Publish").contains("more than the")
    })
    .await;
    assert!(app.errors("Publish").contains("bytes the server accepts"));
    // Still connected, and a normal message still goes through.
    assert_eq!(app.status(), "connected");
    app.publish(&topic, "small again", "0");
    app.wait_row("small again").await;
    app.unmount().await;
}
