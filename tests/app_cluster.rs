//! The app on a real broker cluster: scripts/test's two ejabberd 23.01 nodes on loopback
//! (`start_broker_cluster`). The app connects to node A in MQTT 5 with node B as its backup
//! URL and a kept session; a peer in the page on node B sees what the app publishes, and the
//! app sees what the peer publishes (the nodes route between them). ejabberd has no shared
//! subscriptions, which its CONNACK says, so the app refuses a `$share/…` filter before sending
//! it. Then node A is SIGKILLed (the cluster's control URL) and the app publishes at once; it
//! moves to node B by itself, and each QoS 1 message published through the form reaches the
//! peer or, if it was on node A's socket when A died, is reported unconfirmed in the Sent list
//! (never lost unsaid); its subscription works on node B again (ejabberd does not resume a session whose node
//! died, README's cluster table, so the core subscribes again), and the log says which.
#![cfg(target_arch = "wasm32")]

mod support;

use mqtt_core::ProtocolVersion;
use mqtt_web_client::settings::ConnectionSettings;
use support::peer::Peer;
use support::{clear_storage, fetch_text, mount, set_by_scripts, unique, wait_until, Mounted};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// ejabberd 23.01 wants credentials in CONNECT; the test cluster takes any pair
/// (crates/test-peers' `cluster.rs`, `USERNAME` and `PASSWORD`).
const USERNAME: &str = "tester";
const PASSWORD: &str = "cluster";
/// Messages the app publishes before node A dies, and while it is between nodes.
const BEFORE: usize = 10;
const DURING: usize = 10;

fn node_a() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_CLUSTER_A_URL",
        option_env!("MQTT_TEST_CLUSTER_A_URL"),
    )
}

fn node_b() -> &'static str {
    set_by_scripts(
        "MQTT_TEST_CLUSTER_B_URL",
        option_env!("MQTT_TEST_CLUSTER_B_URL"),
    )
}

fn control(path: &str) -> String {
    let base = set_by_scripts(
        "MQTT_TEST_CLUSTER_CONTROL_URL",
        option_env!("MQTT_TEST_CLUSTER_CONTROL_URL"),
    );
    format!("{base}{path}")
}

/// The URL the status bar says the tab is on.
fn in_use(app: &Mounted) -> String {
    app.root
        .query_selector(".connection-view:not([hidden]) .status .address")
        .ok()
        .flatten()
        .and_then(|element| element.get_attribute("data-url"))
        .unwrap_or_default()
}

fn log_text(app: &Mounted) -> String {
    app.text(".connection-view:not([hidden]) .log")
}

/// The Sent list's words for a QoS 1 message in flight on a connection whose session the next
/// broker did not have.
const NOT_KEPT: &str = "the server did not keep the session";

/// The Sent list's rows: (payload, outcome).
fn sent_outcomes(app: &Mounted) -> Vec<(String, String)> {
    let Ok(rows) = app
        .root
        .query_selector_all(".connection-view:not([hidden]) [aria-label=\"Sent messages\"] li")
    else {
        return Vec::new();
    };
    (0..rows.length())
        .filter_map(|i| rows.item(i)?.dyn_into::<Element>().ok())
        .map(|row| {
            let part = |class: &str| {
                row.query_selector(&format!(".{class}"))
                    .ok()
                    .flatten()
                    .and_then(|element| element.text_content())
                    .unwrap_or_default()
            };
            (part("payload"), part("outcome"))
        })
        .collect()
}

fn numbered(from: usize, to: usize) -> Vec<String> {
    (from..=to).map(|n| format!("message {n}")).collect()
}

#[wasm_bindgen_test]
async fn the_app_moves_to_node_b_when_node_a_dies_and_loses_no_qos_1_message() {
    clear_storage();
    let topic = unique("cluster");
    let peer = Peer::connect_with(ConnectionSettings {
        url: node_b().into(),
        version: ProtocolVersion::V5,
        client_id: format!(
            "app-cluster-peer-{}",
            topic.rsplit('/').next().unwrap_or("")
        ),
        username: USERNAME.into(),
        password: PASSWORD.into(),
        ..ConnectionSettings::default()
    })
    .await;
    peer.subscribe(&format!("{topic}/from-app")).await;

    let app = mount().await;
    app.fill("Connection", "Broker URL", node_a());
    app.fill("Connection", "Backup broker URLs", node_b());
    app.fill("Connection", "MQTT version", "5.0");
    app.fill(
        "Connection",
        "Client ID",
        &format!("app-cluster-{}", topic.rsplit('/').next().unwrap_or("")),
    );
    app.fill("Connection", "Username", USERNAME);
    app.fill("Connection", "Password", PASSWORD);
    app.check("Connection", "Clean start", false);
    app.fill("Connection", "Session expiry", "300");
    app.click("Connection", "Connect");
    wait_until("connected to node A", || app.status() == "connected").await;
    assert_eq!(in_use(&app), node_a(), "on node A first");

    app.subscribe(&format!("{topic}/to-app"), "1").await;
    app.fill(
        "Subscriptions",
        "Topic filter",
        &format!("$share/group/{topic}/to-app"),
    );
    app.click("Subscriptions", "Subscribe");
    wait_until("the shared subscription refused", || {
        app.errors("Subscriptions")
            .contains("The server does not support shared subscriptions")
    })
    .await;

    // Across the nodes, both ways.
    peer.publish_confirmed(
        &[(format!("{topic}/to-app"), b"from node B".to_vec())],
        false,
    )
    .await;
    app.wait_row("from node B").await;
    for payload in numbered(1, BEFORE) {
        app.publish(&format!("{topic}/from-app"), &payload, "1");
    }
    wait_until("the peer on node B to get the first messages", || {
        peer.payloads().len() >= BEFORE
    })
    .await;

    // Node A dies (its control answers once node B has counted it out), and the app publishes
    // at once: on A's dead socket until the app notices, queued while it moves, sent on B.
    fetch_text(&control("/kill/a")).await;
    for payload in numbered(BEFORE + 1, BEFORE + DURING) {
        app.publish(&format!("{topic}/from-app"), &payload, "1");
    }
    wait_until("connected to node B", || {
        app.status() == "connected" && in_use(&app) == node_b()
    })
    .await;
    // None lost unsaid: each reached the peer, or, if it was on A's socket when A died and
    // node B kept no session, the Sent list says it is unconfirmed (MQTT forbids resending it
    // into a new session).
    let mut reported = Vec::new();
    wait_until("every message at the peer or reported unconfirmed", || {
        let payloads = peer.payloads();
        let outcomes = sent_outcomes(&app);
        reported.clear();
        numbered(1, BEFORE + DURING).into_iter().all(|payload| {
            if payloads.contains(&payload) {
                return true;
            }
            let unconfirmed = outcomes
                .iter()
                .any(|(sent, outcome)| *sent == payload && outcome.contains(NOT_KEPT));
            if unconfirmed {
                reported.push(payload);
            }
            unconfirmed
        })
    })
    .await;
    assert!(
        numbered(1, BEFORE)
            .iter()
            .all(|payload| !reported.contains(payload)),
        "a message node A had delivered before it died was reported unconfirmed: {reported:?}"
    );

    // The subscription works on node B: resumed, or subscribed again by the core.
    let resumed = log_text(&app).contains(&format!("Connected to {} (session resumed)", node_b()));
    peer.publish_confirmed(
        &[(format!("{topic}/to-app"), b"after the move".to_vec())],
        false,
    )
    .await;
    app.wait_row("after the move").await;
    let payloads = peer.payloads();
    console_log!(
        "cluster: node A killed; the app moved to node B ({}); of the {} published the peer got {} \
         distinct ({} in all), {} reported unconfirmed: {reported:?}",
        if resumed {
            "session resumed"
        } else {
            "session not resumed, subscribed again"
        },
        BEFORE + DURING,
        payloads.iter().collect::<std::collections::HashSet<_>>().len(),
        payloads.len(),
        reported.len(),
    );

    app.click("Connection", "Disconnect");
    wait_until("disconnected", || app.status() == "disconnected").await;
    app.unmount().await;
    peer.disconnect().await;
    // Node A back, for whatever runs on the cluster next.
    fetch_text(&control("/start/a")).await;
}
