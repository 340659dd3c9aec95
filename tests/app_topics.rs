//! The topic explorer against the real Mosquitto: a tree of many retained topics with only the
//! visible rows in the DOM, the keyboard, a selected topic in full with its history, the
//! filter, and the clean-up of retained messages confirmed by a fresh subscriber.
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use mqtt_web_client::components::topic_row::TOPIC_ROW_HEIGHT;
use support::peer::Peer;
use support::{clear_storage, mount, settle, unique, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn tree(app: &Mounted) -> HtmlElement {
    app.section("Messages")
        .query_selector("[role=\"tree\"]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .expect("the topic tree")
}

/// The tree's rows in the DOM, top to bottom.
fn tree_rows(app: &Mounted) -> Vec<HtmlElement> {
    let rows = tree(app)
        .query_selector_all("[role=\"treeitem\"]")
        .expect("rows");
    let mut rows: Vec<HtmlElement> = (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into::<HtmlElement>().ok())
        .collect();
    rows.sort_by_key(|row| row.offset_top());
    rows
}

fn level_name(row: &Element) -> String {
    row.query_selector(".level")
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn find_row(app: &Mounted, name: &str, level: usize) -> Option<HtmlElement> {
    tree_rows(app).into_iter().find(|row| {
        level_name(row) == name && row.get_attribute("aria-level") == Some(level.to_string())
    })
}

/// Clicks a row's expand/collapse toggle.
fn toggle(row: &Element) {
    row.query_selector(".toggle")
        .ok()
        .flatten()
        .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        .expect("a toggle")
        .click();
}

/// Expands every level of `path` (clicking each toggle) and returns the row of its last level.
async fn open_path(app: &Mounted, path: &str) -> HtmlElement {
    let levels: Vec<&str> = path.split('/').collect();
    for (depth, name) in levels.iter().enumerate() {
        let what = format!("the row of {name} at level {}", depth + 1);
        wait_until(&what, || find_row(app, name, depth + 1).is_some()).await;
        let row = find_row(app, name, depth + 1).expect("row");
        if depth + 1 < levels.len()
            && row.get_attribute("aria-expanded").as_deref() == Some("false")
        {
            toggle(&row);
        }
    }
    let last = levels.last().expect("a level");
    find_row(app, last, levels.len()).expect("the last row")
}

fn press(target: &HtmlElement, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    target.dispatch_event(&event).expect("dispatch");
}

/// The name of the row `aria-activedescendant` points at.
fn active_name(app: &Mounted) -> String {
    let tree = tree(app);
    let id = tree
        .get_attribute("aria-activedescendant")
        .expect("an active row");
    let row = gloo::utils::document()
        .get_element_by_id(&id)
        .expect("the active row is in the DOM");
    level_name(&row)
}

/// Subscribes at QoS 0, as MQTT Explorer does for `#`: the retained burst needs no acks.
async fn open_topic_tree(app: &Mounted, client_id: &str, filter: &str) {
    app.connect(client_id).await;
    app.subscribe(filter, "0").await;
    app.click("Messages", "Topic tree");
    wait_until("the tree", || {
        app.section("Messages")
            .query_selector("[role=\"tree\"]")
            .ok()
            .flatten()
            .is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn thousands_of_retained_topics_fill_the_tree_with_only_visible_rows_in_the_dom() {
    const DEVICES: usize = 3_000;
    clear_storage();
    let prefix = unique("many");
    let peer = Peer::connect("topics-many-seed").await;
    let seeded: Vec<_> = (0..DEVICES)
        .map(|i| {
            (
                format!("{prefix}/dev{i:04}/temp"),
                format!("{i}").into_bytes(),
            )
        })
        .collect();
    peer.publish_retained(&seeded).await;

    let app = mount().await;
    open_topic_tree(&app, "topics-many", &format!("{prefix}/#")).await;
    // As English writes 3,000.
    let counts = "3,000 topics · 3,000 messages";
    wait_until(counts, || {
        app.section("Messages")
            .text_content()
            .unwrap_or_default()
            .contains(counts)
    })
    .await;
    let parent = open_path(&app, &prefix).await;
    toggle(&parent);
    wait_until("the devices", || find_row(&app, "dev0000", 4).is_some()).await;
    let first = find_row(&app, "dev0000", 4).expect("dev0000");
    assert_eq!(
        first.get_attribute("aria-setsize").as_deref(),
        Some(&*DEVICES.to_string()),
        "every device is one of the siblings"
    );
    assert_eq!(first.get_attribute("aria-posinset").as_deref(), Some("1"));
    assert_eq!(
        first.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    let in_dom = tree_rows(&app).len();
    assert!(
        in_dom < 100,
        "{in_dom} rows in the DOM for {DEVICES} devices"
    );
    assert!(first
        .text_content()
        .unwrap_or_default()
        .contains("1 topic · 1 message"));

    // The last device is reachable by scrolling.
    let scroll = app
        .section("Messages")
        .query_selector(".tree-scroll")
        .ok()
        .flatten()
        .expect("the scroll box");
    // The spacer takes the rows' height once the hook has seen them.
    let tall = DEVICES as u32 * TOPIC_ROW_HEIGHT;
    wait_until("the tree as tall as its rows", || {
        scroll.scroll_height() as u32 > tall
    })
    .await;
    scroll.set_scroll_top(scroll.scroll_height());
    scroll
        .dispatch_event(&web_sys::Event::new("scroll").expect("event"))
        .expect("dispatch");
    let last = format!("dev{:04}", DEVICES - 1);
    wait_until(&last, || find_row(&app, &last, 4).is_some()).await;
    assert!(
        find_row(&app, "dev0000", 4).is_none(),
        "the top rows left the DOM"
    );
    assert!(tree_rows(&app).len() < 100);

    // A live message on a visible topic highlights its row and updates its value.
    let row = find_row(&app, &last, 4).expect("row");
    toggle(&row);
    app.publish(&format!("{prefix}/{last}/temp"), "live-42", "1");
    wait_until("the highlight", || {
        find_row(&app, "temp", 5).is_some_and(|row| {
            row.class_name().contains("changed-")
                && row.text_content().unwrap_or_default().contains("live-42")
        })
    })
    .await;
    assert!(find_row(&app, &last, 4)
        .expect("row")
        .text_content()
        .unwrap_or_default()
        .contains("1 topic · 2 messages"));

    app.unmount().await;
    let doomed: Vec<_> = seeded
        .into_iter()
        .map(|(topic, _)| (topic, Vec::new()))
        .collect();
    peer.publish_retained(&doomed).await;
    peer.disconnect().await;
}

#[wasm_bindgen_test]
async fn the_keyboard_moves_expands_collapses_and_selects() {
    clear_storage();
    let prefix = unique("keys");
    let app = mount().await;
    open_topic_tree(&app, "topics-keys", &format!("{prefix}/#")).await;
    for topic in ["a/one", "a/two", "b"] {
        app.publish(&format!("{prefix}/{topic}"), topic, "1");
        settle(50).await;
    }
    app.wait_text("Messages", "3 topics").await;
    let row = open_path(&app, &prefix).await;
    toggle(&row);
    wait_until("a and b", || find_row(&app, "b", 4).is_some()).await;
    let tree = tree(&app);
    tree.focus().expect("focus");
    // Rows: test, keys, <n>, a, b.
    press(&tree, "Home");
    settle(30).await;
    assert_eq!(active_name(&app), "test");
    press(&tree, "End");
    settle(30).await;
    assert_eq!(active_name(&app), "b");
    press(&tree, "ArrowUp");
    settle(30).await;
    assert_eq!(active_name(&app), "a");
    let a = find_row(&app, "a", 4).expect("a");
    assert_eq!(a.get_attribute("aria-expanded").as_deref(), Some("false"));
    press(&tree, "ArrowRight");
    wait_until("a expanded", || {
        find_row(&app, "a", 4)
            .and_then(|r| r.get_attribute("aria-expanded"))
            .as_deref()
            == Some("true")
    })
    .await;
    press(&tree, "ArrowRight");
    settle(30).await;
    assert_eq!(active_name(&app), "one", "into the first child");
    press(&tree, "ArrowDown");
    settle(30).await;
    assert_eq!(active_name(&app), "two");
    press(&tree, "Enter");
    wait_until("the topic's details", || {
        app.root
            .query_selector("section[aria-label=\"Topic details\"] h3")
            .ok()
            .flatten()
            .and_then(|h| h.text_content())
            == Some(format!("{prefix}/a/two"))
    })
    .await;
    // The inspector and the row may render a frame apart.
    wait_until("two selected", || {
        find_row(&app, "two", 5)
            .and_then(|row| row.get_attribute("aria-selected"))
            .as_deref()
            == Some("true")
    })
    .await;
    press(&tree, "ArrowLeft");
    settle(30).await;
    assert_eq!(active_name(&app), "a", "a leaf's Left goes to its parent");
    press(&tree, "ArrowLeft");
    wait_until("a collapsed", || find_row(&app, "one", 5).is_none()).await;
    assert_eq!(
        find_row(&app, "a", 4)
            .and_then(|r| r.get_attribute("aria-expanded"))
            .as_deref(),
        Some("false")
    );
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn a_selected_topic_shows_its_whole_last_message_its_history_and_copies() {
    clear_storage();
    let prefix = unique("detail");
    let app = mount().await;
    open_topic_tree(&app, "topics-detail", &format!("{prefix}/#")).await;
    let big = format!("{{\"blob\":\"{}\"}}", "x".repeat(50_000));
    for payload in ["first", "second", big.as_str()] {
        app.publish(&format!("{prefix}/data"), payload, "1");
        settle(100).await;
    }
    wait_until("3 messages", || {
        app.section("Messages")
            .text_content()
            .unwrap_or_default()
            .contains("1 topic · 3 messages")
    })
    .await;
    let row = open_path(&app, &format!("{prefix}/data")).await;
    row.click();
    let details = "section[aria-label=\"Topic details\"]";
    wait_until("the details", || app.text(details).contains("3 messages")).await;
    let shown = app.text(&format!("{details} .payload-view"));
    assert!(
        shown.contains(&"x".repeat(50_000)),
        "the whole payload, {} chars",
        shown.len()
    );
    assert!(!app.text(details).contains("Show all"), "nothing is cut");
    let history = app
        .root
        .query_selector_all(&format!("{details} .topic-history button"))
        .expect("history");
    assert_eq!(history.length(), 3);
    // The oldest entry, shown on a click.
    history
        .item(2)
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        .expect("entry")
        .click();
    wait_until("the first message", || {
        app.text(&format!("{details} .payload-view")) == "first"
    })
    .await;

    // Copy: the Clipboard API, recorded instead of performed.
    let copied = js_sys::Array::new();
    let record = {
        let copied = copied.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(String) -> js_sys::Promise>::new(
            move |text: String| {
                copied.push(&text.into());
                js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED)
            },
        )
    };
    let clipboard = gloo::utils::window().navigator().clipboard();
    js_sys::Reflect::set(&clipboard, &"writeText".into(), record.as_ref()).expect("stub");
    app.click("Topic details", "Copy topic");
    wait_until("copied topic", || {
        app.text(details).contains("Topic copied.")
    })
    .await;
    app.click("Topic details", "Copy payload");
    wait_until("copied payload", || {
        app.text(details).contains("Payload copied.")
    })
    .await;
    assert_eq!(copied.length(), 2);
    assert_eq!(copied.get(0).as_string(), Some(format!("{prefix}/data")));
    assert_eq!(
        copied.get(1).as_string().as_deref(),
        Some("first"),
        "the payload shown"
    );
    js_sys::Reflect::delete_property(&clipboard, &"writeText".into()).expect("unstub");

    let history_len = || {
        app.root
            .query_selector_all(&format!("{details} .topic-history button"))
            .map_or(0, |list| list.length())
    };
    app.fill("Messages", "History per topic", "2");
    wait_until("a history of 2", || history_len() == 2).await;
    assert!(app.text(details).contains("History (2 of 3)"));
    app.click("Messages", "Clear");
    wait_until("an empty tree", || {
        app.text(".tree-scroll").contains("No topics yet")
    })
    .await;
    assert!(
        app.root.query_selector(details).ok().flatten().is_none(),
        "nothing selected"
    );
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn the_filter_narrows_the_tree_to_matching_topics_and_payloads() {
    clear_storage();
    let prefix = unique("filter");
    let app = mount().await;
    open_topic_tree(&app, "topics-filter", &format!("{prefix}/#")).await;
    for (topic, payload) in [
        ("kitchen/temp", "21"),
        ("hall/door", "open"),
        ("garden/door", "shut"),
    ] {
        app.publish(&format!("{prefix}/{topic}"), payload, "1");
        settle(50).await;
    }
    wait_until("3 topics", || {
        app.section("Messages")
            .text_content()
            .unwrap_or_default()
            .contains("3 topics")
    })
    .await;
    app.fill("Messages", "Find topics", "OPEN");
    wait_until("only the hall door", || {
        find_row(&app, "door", 5).is_some() && find_row(&app, "garden", 4).is_none()
    })
    .await;
    assert!(find_row(&app, "hall", 4).is_some());
    assert!(find_row(&app, "kitchen", 4).is_none());
    app.fill("Messages", "Find topics", "nothing-matches-this");
    wait_until("no rows", || tree_rows(&app).is_empty()).await;
    assert!(app.text(".tree-scroll").contains("No topics match."));
    app.fill("Messages", "Find topics", "");
    wait_until("everything back", || find_row(&app, "test", 1).is_some()).await;
    app.unmount().await;
}

#[wasm_bindgen_test]
async fn deleting_the_retained_messages_under_a_node_is_confirmed_and_seen_by_a_fresh_subscriber() {
    clear_storage();
    let prefix = unique("cleanup");
    let peer = Peer::connect("topics-cleanup-seed").await;
    let zone: Vec<_> = ["a", "b/c", "b/d", "e", "f/g/h"]
        .iter()
        .map(|t| (format!("{prefix}/zone/{t}"), b"retained".to_vec()))
        .collect();
    let keep = vec![(format!("{prefix}/keep"), b"stays".to_vec())];
    peer.publish_retained(&zone).await;
    peer.publish_retained(&keep).await;

    let app = mount().await;
    open_topic_tree(&app, "topics-cleanup", &format!("{prefix}/#")).await;
    wait_until("6 topics", || {
        app.section("Messages")
            .text_content()
            .unwrap_or_default()
            .contains("6 topics")
    })
    .await;
    let row = open_path(&app, &format!("{prefix}/zone")).await;
    row.click();
    let details = "section[aria-label=\"Topic details\"]";
    wait_until("the zone's details", || {
        app.text(details).contains("5 topics below")
    })
    .await;
    app.click("Topic details", "Delete retained under zone (5)");
    wait_until("the confirmation", || {
        app.text(details)
            .contains("Delete the retained messages of 5 topics under")
    })
    .await;
    app.click("Topic details", "Cancel");
    settle(300).await;
    let fresh = Peer::connect("topics-cleanup-check-1").await;
    let still = fresh
        .receive(&format!("{prefix}/#"), Duration::from_millis(800))
        .await;
    assert_eq!(still.len(), 6, "nothing deleted before the confirmation");
    fresh.disconnect().await;

    app.click("Topic details", "Delete retained under zone (5)");
    wait_until("the confirmation", || {
        app.button("Topic details", "Delete 5 retained messages")
            .is_some()
    })
    .await;
    app.click("Topic details", "Delete 5 retained messages");
    wait_until("the tree to follow", || {
        !app.text(details).contains("Delete retained under")
    })
    .await;
    let row = open_path(&app, &format!("{prefix}/zone/b/c")).await;
    assert!(
        row.query_selector(".retain").ok().flatten().is_none(),
        "no retained marker left"
    );

    let fresh = Peer::connect("topics-cleanup-check-2").await;
    let left = fresh
        .receive(&format!("{prefix}/#"), Duration::from_millis(800))
        .await;
    let topics: Vec<_> = left.iter().map(|m| m.topic.as_str()).collect();
    assert_eq!(
        topics,
        [format!("{prefix}/keep")],
        "only the topic outside the node keeps its retained message"
    );
    fresh.disconnect().await;
    app.unmount().await;
    peer.publish_retained(&[(format!("{prefix}/keep"), Vec::new())])
        .await;
    peer.disconnect().await;
}

#[wasm_bindgen_test]
async fn a_topic_shows_what_changed_and_charts_a_number_at_a_json_path() {
    clear_storage();
    let prefix = unique("diff");
    let app = mount().await;
    open_topic_tree(&app, "topics-diff", &format!("{prefix}/#")).await;
    let sent = [
        (
            "sensor",
            r#"{"temperature":20,"sensors":[{"value":1.5}],"unit":"C"}"#,
        ),
        (
            "sensor",
            r#"{"temperature":21,"sensors":[{"value":2.5}],"unit":"C"}"#,
        ),
        (
            "sensor",
            r#"{"temperature":21.5,"sensors":[{"value":-1}],"unit":"C","ok":true}"#,
        ),
        ("log", "line a\nline b\nline z"),
        ("log", "line a\nline c\nline z"),
        ("count", "5"),
        ("count", "7"),
    ];
    for (topic, payload) in sent {
        app.publish(&format!("{prefix}/{topic}"), payload, "1");
        settle(60).await;
    }
    wait_until("7 messages", || {
        app.section("Messages")
            .text_content()
            .unwrap_or_default()
            .contains("3 topics · 7 messages")
    })
    .await;
    let details = "section[aria-label=\"Topic details\"]";
    open_path(&app, &format!("{prefix}/sensor")).await.click();
    wait_until("the sensor's details", || {
        app.text(details).contains("3 messages")
    })
    .await;
    let changes = app.text(&format!("{details} .json-diff"));
    assert!(changes.contains("temperature: 21 → 21.5"), "{changes}");
    assert!(changes.contains("sensors[0].value: 2.5 → -1"), "{changes}");
    assert!(changes.contains("ok added: true"), "{changes}");
    assert!(
        !changes.contains("unit"),
        "unchanged keys are not listed: {changes}"
    );

    let points = || {
        app.root
            .query_selector(&format!("{details} polyline"))
            .ok()
            .flatten()
            .and_then(|p| p.get_attribute("points"))
            .map_or(0, |p| p.split(' ').count())
    };
    assert!(
        app.text(details).contains("No numbers there"),
        "JSON is not a number"
    );
    app.fill(
        "Topic details",
        "Chart the number at (JSON path)",
        "sensors[0].value",
    );
    wait_until("a chart of 3 values", || points() == 3).await;
    assert!(
        app.text(details)
            .contains("3 values · min -1 · max 2.5 · last -1"),
        "{}",
        app.text(details)
    );
    app.fill(
        "Topic details",
        "Chart the number at (JSON path)",
        "temperature",
    );
    wait_until("the temperatures", || {
        app.text(details).contains("min 20 · max 21.5 · last 21.5")
    })
    .await;
    app.fill(
        "Topic details",
        "Chart the number at (JSON path)",
        "sensors[",
    );
    wait_until("the path's error", || {
        app.text(details).contains("Not a JSON path")
    })
    .await;
    assert_eq!(points(), 0);

    open_path(&app, &format!("{prefix}/log")).await.click();
    wait_until("the log's details", || {
        app.text(details).contains(&format!("{prefix}/log"))
    })
    .await;
    let lines = app.text(&format!("{details} .line-diff"));
    assert!(
        lines.contains("- line b") && lines.contains("+ line c"),
        "{lines}"
    );
    assert!(
        lines.contains("  line a") && lines.contains("  line z"),
        "{lines}"
    );
    // The older message has nothing before it.
    let history = app
        .root
        .query_selector_all(&format!("{details} .topic-history button"))
        .expect("history");
    history
        .item(1)
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        .expect("the older entry")
        .click();
    wait_until("nothing to compare", || {
        app.text(details).contains("nothing to compare it with")
    })
    .await;

    open_path(&app, &format!("{prefix}/count")).await.click();
    wait_until("the count's chart", || {
        app.text(details)
            .contains("2 values · min 5 · max 7 · last 7")
    })
    .await;
    app.unmount().await;
}
