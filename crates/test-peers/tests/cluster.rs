//! A real broker cluster: two ejabberd 23.01 nodes (`test_peers::cluster`), driven with the
//! core `Client` (the native driver) over each node's WebSocket listener, in MQTT 3.1.1 and 5.0.
//!
//! It proves the cluster (a subscriber on one node gets the QoS 1 messages published on the
//! other, both ways) and records what the cluster does where a client's failover depends on
//! it, as observed (a change in ejabberd's behaviour fails the test until the expectations here
//! say so):
//! - shared subscriptions: ejabberd says `shared_subscription_available = false` in CONNACK and
//!   closes the connection of a client that subscribes to `$share/…` (5.0: DISCONNECT 0x9E);
//! - a kept session (clean start off; in 5.0 a session expiry) moves with its client from node
//!   A to node B while A runs: session present, the messages queued meanwhile delivered;
//! - node A killed: the sessions it held are gone. Reconnecting to B gets no session, the
//!   messages published while the client was away are lost, and the client must subscribe
//!   again, after which messages flow.
//!
//! It uses the cluster that scripts/lib.sh's `start_broker_cluster` started when
//! `MQTT_TEST_CLUSTER_A_URL`, `MQTT_TEST_CLUSTER_B_URL` and `MQTT_TEST_CLUSTER_CONTROL_URL` are
//! set (and leaves it whole: node A is started again), else one of its own.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use mqtt_core::{
    Bytes, ClientOptions, CommandError, ConnAck, ConnectionError, Event, OutgoingMessage,
    ProtocolVersion, Publish, PublishProperties, QoS, ReasonCode, RetainHandling, SubscribeFilter,
    SubscribeProperties, SubscriptionOptions,
};
use test_peers::cluster::{EjabberdCluster, PASSWORD, USERNAME};
use test_peers::driver::{connection_lost, Driver, Endpoint};

/// How long one expected step (CONNACK, SUBACK, acknowledgement, message) may take.
const DEADLINE: Duration = Duration::from_secs(5);
/// How long a message that must not come is waited for.
const QUIET: Duration = Duration::from_millis(1500);
/// Messages in each stream between the nodes.
const STREAM: usize = 20;

const A: usize = 0;
const B: usize = 1;
const NODE: [&str; 2] = ["A", "B"];

/// The cluster under test: scripts/lib.sh's, reached by its URLs, or one of this test's own.
enum Cluster {
    Shared { urls: [String; 2], control: String },
    Own(Box<EjabberdCluster>),
}

impl Cluster {
    fn get() -> Cluster {
        let var = |name| std::env::var(name).ok().filter(|value| !value.is_empty());
        match (
            var("MQTT_TEST_CLUSTER_A_URL"),
            var("MQTT_TEST_CLUSTER_B_URL"),
            var("MQTT_TEST_CLUSTER_CONTROL_URL"),
        ) {
            (Some(a), Some(b), Some(control)) => Cluster::Shared {
                urls: [a, b],
                control,
            },
            _ => Cluster::Own(Box::new(EjabberdCluster::start())),
        }
    }

    fn endpoint(&self, node: usize) -> Endpoint {
        match self {
            Cluster::Shared { urls, .. } => Endpoint::WebSocket(urls[node].clone()),
            Cluster::Own(cluster) => Endpoint::WebSocket(cluster.nodes[node].ws_url()),
        }
    }

    fn kill(&mut self, node: usize) {
        match self {
            Cluster::Shared { control, .. } => {
                control_get(control, &format!("/kill/{}", NODE[node].to_lowercase()))
            }
            Cluster::Own(cluster) => cluster.kill(node),
        }
    }

    fn start_again(&mut self, node: usize) {
        match self {
            Cluster::Shared { control, .. } => {
                control_get(control, &format!("/start/{}", NODE[node].to_lowercase()))
            }
            Cluster::Own(cluster) => cluster.restart(node),
        }
    }
}

/// A GET on test-ejabberd's control port, which must answer 200.
fn control_get(base: &str, path: &str) {
    let address = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).unwrap_or_else(|e| panic!("{base}: {e}"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the control request");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("read the control answer");
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{base}{path} answered {answer}"
    );
}

fn options(version: ProtocolVersion, client_id: &str) -> ClientOptions {
    let mut options = ClientOptions::new(version, client_id);
    options.username = Some(USERNAME.into());
    options.password = Some(Bytes::from_static(PASSWORD.as_bytes()));
    options.keep_alive = 30;
    options.reconnect.enabled = false;
    options
}

/// Kept: clean start off, and in 5.0 a session expiry of 300 s.
fn kept(version: ProtocolVersion, client_id: &str) -> ClientOptions {
    let mut options = options(version, client_id);
    options.clean_start = false;
    if version == ProtocolVersion::V5 {
        options.session_expiry_interval = Some(300);
    }
    options
}

fn label(version: ProtocolVersion) -> &'static str {
    match version {
        ProtocolVersion::V311 => "3.1.1",
        ProtocolVersion::V5 => "5.0",
    }
}

/// A topic (and client id prefix) of this run alone.
fn unique(name: &str, version: ProtocolVersion) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!(
        "cluster-{name}-{}-{}-{nanos}",
        label(version).replace('.', ""),
        std::process::id()
    )
}

fn connect(driver: &mut Driver) -> Result<ConnAck, String> {
    driver.connect();
    driver
        .run_until(DEADLINE, |event| match event {
            Event::Connected(ack) => Some(Ok(ack.clone())),
            event => connection_lost(event).map(|reason| Err(format!("connection lost: {reason}"))),
        })
        .map_err(|why| format!("no CONNACK: {why}"))?
}

fn connected(cluster: &Cluster, node: usize, options: ClientOptions) -> (Driver, ConnAck) {
    let mut driver = Driver::new(options, cluster.endpoint(node));
    let ack = connect(&mut driver).unwrap_or_else(|why| panic!("node {}: {why}", NODE[node]));
    (driver, ack)
}

/// Why a SUBSCRIBE got no SUBACK.
#[derive(Debug)]
enum NotSubscribed {
    /// The client did not send it: the server's CONNACK said it cannot be served.
    ClientRefused(CommandError),
    /// The connection ended instead.
    Closed(ConnectionError),
}

/// Sends SUBSCRIBE; the SUBACK's result, or why there was none.
fn subscribe(driver: &mut Driver, filter: &str) -> Result<ReasonCode, NotSubscribed> {
    let filter = SubscribeFilter {
        filter: filter.to_string(),
        options: SubscriptionOptions {
            qos: QoS::AtLeastOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        },
    };
    let sent = driver
        .command(|client, now| client.subscribe(now, vec![filter], SubscribeProperties::default()))
        .map_err(NotSubscribed::ClientRefused)?;
    driver
        .run_until(DEADLINE, |event| match event {
            Event::Subscribed {
                packet_id, results, ..
            } if *packet_id == sent => Some(Ok(results[0])),
            event => {
                connection_lost(event).map(|reason| Err(NotSubscribed::Closed(reason.clone())))
            }
        })
        .expect("a SUBACK or the end of the connection")
}

fn subscribed(driver: &mut Driver, filter: &str) {
    let granted = subscribe(driver, filter).unwrap_or_else(|why| panic!("{filter}: {why:?}"));
    assert_eq!(granted.0, 1, "QoS 1 granted for {filter}");
}

/// Publishes each payload at QoS 1, each confirmed by its PUBACK before the next.
fn publish_all(driver: &mut Driver, topic: &str, payloads: &[String]) {
    for payload in payloads {
        let message = OutgoingMessage {
            topic: topic.to_string(),
            payload: Bytes::copy_from_slice(payload.as_bytes()),
            qos: QoS::AtLeastOnce,
            retain: false,
            properties: PublishProperties::default(),
        };
        let sent = driver
            .command(|client, now| client.publish(now, message))
            .expect("the client takes the PUBLISH");
        driver
            .run_until(DEADLINE, |event| match event {
                Event::Published { id, result } if *id == sent => Some(result.clone()),
                event => connection_lost(event).map(|reason| panic!("publisher lost: {reason}")),
            })
            .unwrap_or_else(|why| panic!("no PUBACK for {payload}: {why}"))
            .unwrap_or_else(|why| panic!("{payload} refused: {why}"));
    }
}

/// The messages that arrive within `wait` (or until `count` have).
fn receive(driver: &mut Driver, count: usize, wait: Duration) -> Vec<Publish> {
    let mut received = Vec::new();
    let _ = driver.run_until(wait, |event| {
        match event {
            Event::Message(message) => received.push(message.clone()),
            event => {
                if let Some(reason) = connection_lost(event) {
                    panic!("subscriber lost: {reason}");
                }
            }
        }
        (received.len() >= count).then_some(())
    });
    received
}

fn payloads(messages: &[Publish]) -> Vec<String> {
    messages
        .iter()
        .map(|message| String::from_utf8_lossy(&message.payload).into_owned())
        .collect()
}

fn stream(prefix: &str, count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("{prefix}-{n}")).collect()
}

/// A subscriber on `to` gets, in order and once each, what a publisher on `from` publishes.
fn routes(cluster: &Cluster, version: ProtocolVersion, from: usize, to: usize) {
    let name = unique(&format!("route-{}{}", NODE[from], NODE[to]), version);
    let topic = format!("{name}/data");
    let (mut subscriber, _) = connected(cluster, to, options(version, &format!("{name}-sub")));
    subscribed(&mut subscriber, &format!("{name}/#"));
    let (mut publisher, _) = connected(cluster, from, options(version, &format!("{name}-pub")));
    let sent = stream("m", STREAM);
    publish_all(&mut publisher, &topic, &sent);
    let received = receive(&mut subscriber, STREAM, DEADLINE);
    assert_eq!(
        payloads(&received),
        sent,
        "{}: published on node {}, subscribed on node {}",
        label(version),
        NODE[from],
        NODE[to]
    );
    assert!(received
        .iter()
        .all(|m| m.topic == topic && m.delivery.qos() == QoS::AtLeastOnce && !m.dup));
    subscriber.disconnect();
    publisher.disconnect();
}

/// `$share/…` is not served. In 5.0 CONNACK says so (shared subscription available: false)
/// and the core refuses to send the SUBSCRIBE; in 3.1.1, which has no way to say it, ejabberd
/// closes the connection of a client that subscribes to it (without a SUBACK).
fn shared_subscription_refused(cluster: &Cluster, version: ProtocolVersion) -> String {
    let name = unique("share", version);
    let (mut client, ack) = connected(cluster, A, options(version, &format!("{name}-sub")));
    let outcome = subscribe(&mut client, &format!("$share/g/{name}/data"));
    match (version, &outcome) {
        (
            ProtocolVersion::V5,
            Err(NotSubscribed::ClientRefused(CommandError::SharedSubscriptionsNotAvailable)),
        ) => assert_eq!(ack.properties.shared_subscription_available, Some(false)),
        (ProtocolVersion::V311, Err(NotSubscribed::Closed(ConnectionError::Transport(_)))) => {}
        _ => panic!(
            "{}: $share subscription on ejabberd: expected it refused, got {outcome:?}",
            label(version)
        ),
    }
    match outcome {
        Err(NotSubscribed::ClientRefused(error)) => {
            format!(
                "CONNACK says shared subscription available: false, the client refuses: {error}"
            )
        }
        Err(NotSubscribed::Closed(reason)) => format!("the broker closes the connection: {reason}"),
        Ok(code) => format!("SUBACK 0x{:02X}", code.0),
    }
}

/// A kept session moves from node A to node B while A runs: the client disconnects from A,
/// messages are published on B, the client connects to B.
fn session_moves(cluster: &Cluster, version: ProtocolVersion) -> String {
    let name = unique("move", version);
    let topic = format!("{name}/data");
    let client_id = format!("{name}-sleeper");
    let (mut sleeper, _) = connected(cluster, A, kept(version, &client_id));
    subscribed(&mut sleeper, &topic);
    sleeper.disconnect();
    let (mut publisher, _) = connected(cluster, B, options(version, &format!("{name}-pub")));
    let queued = stream("queued", 3);
    publish_all(&mut publisher, &topic, &queued);
    sleeper.set_endpoint(cluster.endpoint(B));
    let ack = connect(&mut sleeper).expect("the sleeper connects to node B");
    let received = receive(&mut sleeper, queued.len(), DEADLINE);
    assert!(
        ack.session_present,
        "{}: the session moved to node B",
        label(version)
    );
    assert_eq!(payloads(&received), queued, "{}", label(version));
    // Still subscribed, now through node B.
    let live = stream("live", 2);
    publish_all(&mut publisher, &topic, &live);
    assert_eq!(payloads(&receive(&mut sleeper, live.len(), DEADLINE)), live);
    sleeper.disconnect();
    publisher.disconnect();
    format!(
        "session present {}, {} of {} queued messages delivered",
        ack.session_present,
        received.len(),
        queued.len()
    )
}

/// Node A is killed under a kept session; the client reconnects to node B.
fn session_after_node_a_dies(cluster: &mut Cluster, version: ProtocolVersion) -> String {
    let name = unique("failover", version);
    let topic = format!("{name}/data");
    let client_id = format!("{name}-survivor");
    let (mut survivor, _) = connected(cluster, A, kept(version, &client_id));
    subscribed(&mut survivor, &topic);
    let (mut publisher, _) = connected(cluster, B, options(version, &format!("{name}-pub")));
    let before = stream("before", 3);
    publish_all(&mut publisher, &topic, &before);
    assert_eq!(
        payloads(&receive(&mut survivor, before.len(), DEADLINE)),
        before
    );

    let killed = Instant::now();
    cluster.kill(A);
    let lost = survivor
        .run_until(DEADLINE, |event| connection_lost(event).cloned())
        .expect("the client notices node A's death");
    let noticed = killed.elapsed();
    // Published on B while the client is away (B has counted A out or is about to).
    let away = stream("away", 3);
    publish_all(&mut publisher, &topic, &away);
    survivor.set_endpoint(cluster.endpoint(B));
    let ack = connect(&mut survivor).expect("the client connects to node B");
    let after_reconnect = receive(&mut survivor, away.len(), QUIET);
    assert!(
        !ack.session_present && after_reconnect.is_empty(),
        "{}: expected node B without the session (it died with node A) and nothing delivered, \
         got session present {} and {:?}",
        label(version),
        ack.session_present,
        payloads(&after_reconnect)
    );
    // Messages flow again once the client subscribes again.
    subscribed(&mut survivor, &topic);
    let again = stream("again", 3);
    publish_all(&mut publisher, &topic, &again);
    assert_eq!(
        payloads(&receive(&mut survivor, again.len(), DEADLINE)),
        again
    );
    survivor.disconnect();
    publisher.disconnect();
    cluster.start_again(A);
    format!(
        "node B counted node A out and the client saw its connection end within {} ms of the kill ({lost}); on node B: session present {}, {} of {} \
         messages published meanwhile delivered; after subscribing again {} of {}",
        noticed.as_millis(),
        ack.session_present,
        after_reconnect.len(),
        away.len(),
        again.len(),
        again.len()
    )
}

#[test]
fn two_ejabberd_nodes_route_between_them_and_a_killed_node_takes_its_sessions() {
    let started = Instant::now();
    let mut cluster = Cluster::get();
    let kind = match &cluster {
        Cluster::Shared { .. } => "scripts/lib.sh's cluster",
        Cluster::Own(_) => "a cluster of its own",
    };
    println!("{kind}, ready after {} ms", started.elapsed().as_millis());
    let mut notes = Vec::new();
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        routes(&cluster, version, B, A);
        routes(&cluster, version, A, B);
        notes.push(format!(
            "{}: {STREAM} QoS 1 messages each way between the nodes, in order, once each",
            label(version)
        ));
        notes.push(format!(
            "{}: $share/… on node A: {}",
            label(version),
            shared_subscription_refused(&cluster, version)
        ));
        notes.push(format!(
            "{}: kept session, client moved from A to B while A runs: {}",
            label(version),
            session_moves(&cluster, version)
        ));
        notes.push(format!(
            "{}: kept session, node A killed, client moved to B: {}",
            label(version),
            session_after_node_a_dies(&mut cluster, version)
        ));
    }
    for note in notes {
        println!("- {note}");
    }
    println!("all in {} ms", started.elapsed().as_millis());
}
