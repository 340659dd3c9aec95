//! The seed scenario (../shared/seed/): the seed's Python producer publishes `Message num: N`
//! every second to `/python/mqtt` and the seed's consumer prints what it gets. scripts/test runs
//! both (tests/seed/) on the test broker during the browser tests; here the producer's messages
//! must show up live, and the app publishes a message that scripts/test then expects the
//! consumer to have printed as `Message body: <SEED_GREETING>, Topic: /python/mqtt`.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{clear_storage, mount, wait_until};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SEED_TOPIC: &str = "/python/mqtt";
/// scripts/test greps the consumer's output for exactly this payload.
const SEED_GREETING: &str = "Hello from mqtt-web-client";

/// The highest `N` of the producer's `Message num: N` rows now in the list.
fn newest_count(rows: &[String]) -> Option<u64> {
    rows.iter()
        .filter_map(|row| {
            let digits = row.split("Message num: ").nth(1)?;
            let end = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            digits[..end].parse().ok()
        })
        .max()
}

#[wasm_bindgen_test]
async fn producer_messages_appear_live_and_the_consumer_gets_ours() {
    clear_storage();
    let app = mount().await;
    app.fill("Connection", "MQTT version", "3.1.1");
    app.connect("app-seed").await;
    app.subscribe(SEED_TOPIC, "0").await;

    // Live: a first producer message, then a later one while we watch (one a second).
    let mut first = None;
    wait_until("a `Message num: N` row from the seed producer", || {
        first = newest_count(&app.rows());
        first.is_some()
    })
    .await;
    let first = first.unwrap_or_default();
    wait_until("a newer `Message num: N` row", || {
        newest_count(&app.rows()).is_some_and(|n| n > first)
    })
    .await;
    let row = app.wait_row(&format!("Message num: {}", first + 1)).await;
    assert!(row.contains(SEED_TOPIC), "row: {row}");

    app.publish(SEED_TOPIC, SEED_GREETING, "1");
    let own = app.wait_row(SEED_GREETING).await;
    assert!(own.contains(SEED_TOPIC), "our own message, back: {own}");

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
}
