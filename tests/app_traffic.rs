//! Heavy traffic: a burst of messages from a raw MQTT connection. The list stays virtualized
//! (only visible rows in the DOM), the history stays bounded, the page keeps responding, and
//! pause, search and subscription filtering work on what arrived.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::sleep;
use support::{broker_url, clear_storage, mount, unique, wait_until, Mounted};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{BinaryType, WebSocket};

wasm_bindgen_test_configure!(run_in_browser);

fn remaining_length(mut len: usize, out: &mut Vec<u8>) {
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            break;
        }
    }
}

fn packet(first_byte: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![first_byte];
    remaining_length(body.len(), &mut out);
    out.extend_from_slice(body);
    out
}

fn string(s: &str) -> Vec<u8> {
    let mut out = (s.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(s.as_bytes());
    out
}

/// Publishes `payloads` to `topic` at QoS 0 from a separate raw MQTT 3.1.1 connection, many
/// packets per WebSocket frame, as fast as the socket takes them.
async fn flood(topic: &str, payloads: impl Iterator<Item = String>) {
    let socket = WebSocket::new_with_str(broker_url(), "mqtt").expect("socket");
    socket.set_binary_type(BinaryType::Arraybuffer);
    wait_until("the flood socket to open", || {
        socket.ready_state() == WebSocket::OPEN
    })
    .await;
    let mut connect = vec![0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3C];
    connect.extend(string(&unique("flood").replace('/', "-")));
    socket
        .send_with_u8_array(&packet(0x10, &connect))
        .expect("CONNECT");
    sleep(Duration::from_millis(200)).await;
    let mut frame = Vec::new();
    let mut in_frame = 0;
    for payload in payloads {
        let mut body = string(topic);
        body.extend_from_slice(payload.as_bytes());
        frame.extend(packet(0x30, &body));
        in_frame += 1;
        if in_frame == 500 {
            socket.send_with_u8_array(&frame).expect("PUBLISH");
            frame.clear();
            in_frame = 0;
        }
    }
    if !frame.is_empty() {
        socket.send_with_u8_array(&frame).expect("PUBLISH");
    }
    socket
        .send_with_u8_array(&[0xE0, 0x00])
        .expect("DISCONNECT");
    wait_until("the flood to drain", || socket.buffered_amount() == 0).await;
    let _ = socket.close();
}

fn dom_rows(app: &Mounted) -> u32 {
    app.section("Messages")
        .query_selector_all("[role=\"listitem\"]")
        .expect("rows")
        .length()
}

#[wasm_bindgen_test]
async fn a_burst_of_messages_keeps_the_page_responsive_and_the_history_bounded() {
    clear_storage();
    let app = mount().await;
    app.connect("app-traffic-burst").await;
    let topic = unique("burst");
    app.subscribe(&format!("{topic}/#"), "0").await;
    app.fill("Messages", "History limit", "5000");

    // A 10 ms ticker on the page: the longest gap between ticks is how long the page froze.
    let last_tick = Rc::new(Cell::new(js_sys::Date::now()));
    let longest_gap = Rc::new(Cell::new(0.0f64));
    let ticker = {
        let last_tick = last_tick.clone();
        let longest_gap = longest_gap.clone();
        Closure::<dyn FnMut()>::new(move || {
            let now = js_sys::Date::now();
            longest_gap.set(longest_gap.get().max(now - last_tick.get()));
            last_tick.set(now);
        })
    };
    let window = gloo::utils::window();
    let interval = window
        .set_interval_with_callback_and_timeout_and_arguments_0(ticker.as_ref().unchecked_ref(), 10)
        .expect("interval");

    let total = 8000;
    flood(
        &format!("{topic}/data"),
        (1..=total).map(|n| format!("reading {n}")),
    )
    .await;
    let mut saw_rate = false;
    wait_until("every message to be counted", || {
        saw_rate |= !app.text(".meter").starts_with("0 ");
        app.text(".sub-count") == total.to_string()
    })
    .await;
    window.clear_interval_with_handle(interval);
    // The meter reports once a second, possibly after the last message was counted.
    if !saw_rate {
        wait_until("the messages-per-second meter to move", || {
            !app.text(".meter").starts_with("0 ")
        })
        .await;
    }
    // Newest first, the history cut to the limit.
    app.wait_row(&format!("reading {total}")).await;
    wait_until("the bounded count", || {
        app.text(".counts") == "5,000 messages"
    })
    .await;
    let rows = dom_rows(&app);
    assert!(
        rows > 0 && rows < 60,
        "only visible rows are in the DOM: {rows}"
    );
    web_sys::console::log_1(&format!("longest main-thread gap: {} ms", longest_gap.get()).into());
    assert!(
        longest_gap.get() < 2000.0,
        "the page froze for {} ms",
        longest_gap.get()
    );

    // Scrolling far down shows the oldest kept message.
    let scroller = app
        .root
        .query_selector(".message-scroll")
        .ok()
        .flatten()
        .expect("scroller");
    scroller.set_scroll_top(10_000_000);
    app.wait_row(&format!("reading {}", total - 5000 + 1)).await;
    assert!(dom_rows(&app) < 60);
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn pause_counts_what_arrives_and_resume_shows_it() {
    clear_storage();
    let app = mount().await;
    app.connect("app-traffic-pause").await;
    let topic = unique("pause");
    app.subscribe(&format!("{topic}/#"), "0").await;
    flood(
        &format!("{topic}/a"),
        (1..=5).map(|n| format!("before {n}")),
    )
    .await;
    app.wait_row("before 5").await;

    app.click("Messages", "Pause");
    flood(
        &format!("{topic}/a"),
        (1..=30).map(|n| format!("during {n}")),
    )
    .await;
    wait_until("the held count", || {
        app.button("Messages", "Resume (30 new)").is_some()
    })
    .await;
    assert!(app.rows().iter().all(|r| !r.contains("during")));
    assert_eq!(app.text(".counts"), "5 messages");

    app.click("Messages", "Resume (30 new)");
    app.wait_row("during 30").await;
    wait_until("all messages", || app.text(".counts") == "35 messages").await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn search_and_subscription_filter_narrow_the_list() {
    clear_storage();
    let app = mount().await;
    app.connect("app-traffic-search").await;
    let topic = unique("search");
    app.subscribe(&format!("{topic}/a/#"), "0").await;
    app.subscribe(&format!("{topic}/b/#"), "0").await;
    flood(
        &format!("{topic}/a/x"),
        (1..=10).map(|n| format!("alpha {n}")),
    )
    .await;
    flood(
        &format!("{topic}/b/x"),
        ["beta needle".to_owned(), "beta other".to_owned()].into_iter(),
    )
    .await;
    wait_until("all messages", || app.text(".counts") == "12 messages").await;

    app.fill("Messages", "Search", "NEEDLE");
    wait_until("search results", || {
        app.text(".counts") == "1 of 12 messages"
    })
    .await;
    assert_eq!(app.rows().len(), 1);
    assert!(app.rows()[0].contains("beta needle"));
    app.fill("Messages", "Search", "");

    // Clicking a subscription shows only what it matches.
    let first = app
        .section("Subscriptions")
        .query_selector(".sub-select")
        .ok()
        .flatten()
        .expect("subscription")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("button");
    first.click();
    wait_until("the filtered list", || {
        app.text(".counts") == "10 of 12 messages"
    })
    .await;
    assert!(app.rows().iter().all(|r| r.contains("alpha")));
    first.click();
    wait_until("the whole list", || app.text(".counts") == "12 messages").await;
    app.unmount().await;
}
