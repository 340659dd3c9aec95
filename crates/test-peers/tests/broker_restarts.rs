//! Nothing lost across broker crashes: two core `Client`s with kept sessions (MQTT 5, clean
//! start off, session expiry one hour) each publish 10,000 QoS 1 and 10,000 QoS 2 messages to
//! the other through Mosquitto (persistence on, saved on every change), while Mosquitto is
//! SIGKILLed and restarted on the same ports twice. Each payload carries its sequence number.
//!
//! Afterwards: every sequence number arrived at its receiver, no QoS 2 message reached the
//! application twice, every QoS 1 duplicate is a retransmission (DUP set or the same packet
//! id), every publish was confirmed, and every reconnect found its session kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use mqtt_core::*;
use test_peers::brokers::Mosquitto;
use test_peers::driver::{Driver, Endpoint};

const PER_QOS: usize = 10_000;
/// Both peers receive 2 × PER_QOS distinct messages.
const TOTAL: usize = 4 * PER_QOS;
const RESTARTS: usize = 2;
/// Unconfirmed publishes a peer keeps in hand at once.
const WINDOW: usize = 200;
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// How long a peer waits for more messages once its own are all confirmed.
const QUIET: Duration = Duration::from_secs(3);
/// Mosquitto 2.0 persists by snapshot, written in its main loop after the acknowledgements of
/// the packets it just handled are already on the wire: a kill in between undoes that work.
/// A lost or repeated message is the broker's only if its flow ended this close to a kill.
const CRASH_WINDOW: Duration = Duration::from_millis(250);

/// Persistence as durable as Mosquitto 2.0 offers: the database is written after every change
/// it counts (subscriptions, retained and queued messages) rather than on a timer; no queue
/// limit, so nothing is dropped while a peer is away.
const PERSISTENCE: &str = "persistence true\n\
                           persistence_location {dir}/\n\
                           autosave_on_changes true\n\
                           autosave_interval 1\n\
                           max_queued_messages 0\n";

/// One delivery of a message to the application.
struct Delivery {
    dup: bool,
    packet_id: Option<PacketId>,
    at: Instant,
}

#[derive(Default)]
struct Received {
    /// Deliveries per (QoS, sequence number), in order.
    deliveries: HashMap<(QoS, usize), Vec<Delivery>>,
    malformed: Vec<String>,
}

struct PeerReport {
    name: &'static str,
    received: Received,
    confirmed: usize,
    /// When each publish was confirmed (PUBACK / PUBCOMP), per (QoS, sequence number).
    confirmed_at: HashMap<(QoS, usize), Instant>,
    /// Which message each `PublishId` stands for.
    publishes: HashMap<PublishId, (QoS, usize)>,
    failed_publishes: Vec<String>,
    connections: usize,
    sessions_lost: usize,
    finished: bool,
}

#[test]
fn forty_thousand_messages_survive_two_broker_kills() {
    let mut broker = Mosquitto::start(PERSISTENCE);
    let progress = Arc::new(AtomicUsize::new(0));
    let subscribed = Arc::new(Barrier::new(3));
    let started = Instant::now();
    let peers: Vec<_> = [
        ("peer-a", "restarts/to-b", "restarts/to-a"),
        ("peer-b", "restarts/to-a", "restarts/to-b"),
    ]
    .into_iter()
    .map(|(name, outbox, inbox)| {
        let endpoint = Endpoint::tcp(broker.tcp_port);
        let progress = Arc::clone(&progress);
        let subscribed = Arc::clone(&subscribed);
        thread::spawn(move || run_peer(name, endpoint, outbox, inbox, &progress, &subscribed))
    })
    .collect();
    subscribed.wait();

    // Kill during the stream: after a third and after two thirds of the messages arrived.
    let mut restarts = 0;
    let mut kills = Vec::new();
    let running =
        |peers: &[thread::JoinHandle<PeerReport>]| !peers.iter().all(|peer| peer.is_finished());
    while restarts < RESTARTS && started.elapsed() < RUN_LIMIT && running(&peers) {
        let threshold = TOTAL * (restarts + 1) / (RESTARTS + 1);
        if progress.load(Ordering::Relaxed) >= threshold {
            kills.push(Instant::now());
            broker.kill_and_restart();
            restarts += 1;
            println!(
                "restart {restarts} at {} messages, {:.1} s in",
                progress.load(Ordering::Relaxed),
                started.elapsed().as_secs_f64()
            );
        }
        thread::sleep(Duration::from_millis(5));
    }
    let reports: Vec<PeerReport> = peers
        .into_iter()
        .map(|peer| peer.join().expect("a peer thread panicked"))
        .collect();
    println!(
        "{TOTAL} messages, {restarts} broker kills, {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut problems = Vec::new();
    if restarts < RESTARTS {
        problems.push(format!("only {restarts} of {RESTARTS} restarts happened"));
    }
    for (receiver, sender) in [(&reports[0], &reports[1]), (&reports[1], &reports[0])] {
        problems.extend(check(receiver, sender, &kills));
    }
    assert!(problems.is_empty(), "problems:\n{}", problems.join("\n"));
}

fn run_peer(
    name: &'static str,
    endpoint: Endpoint,
    outbox: &'static str,
    inbox: &'static str,
    progress: &AtomicUsize,
    subscribed: &Barrier,
) -> PeerReport {
    let mut options = ClientOptions::new(ProtocolVersion::V5, name);
    options.clean_start = false;
    options.session_expiry_interval = Some(3600);
    options.keep_alive = 5;
    options.offline_queue_limit = 2 * PER_QOS;
    options.reconnect.initial_delay = Duration::from_millis(50);
    options.reconnect.max_delay = Duration::from_millis(200);
    let mut driver = Driver::new(options, endpoint);
    let mut report = PeerReport {
        name,
        received: Received::default(),
        confirmed: 0,
        confirmed_at: HashMap::new(),
        publishes: HashMap::new(),
        failed_publishes: Vec::new(),
        connections: 0,
        sessions_lost: 0,
        finished: false,
    };
    driver.connect();
    let connected = driver
        .run_until(Duration::from_secs(10), |event| {
            matches!(event, Event::Connected(_)).then_some(())
        })
        .is_ok();
    let filter = SubscribeFilter {
        filter: inbox.to_string(),
        options: SubscriptionOptions {
            qos: QoS::ExactlyOnce,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        },
    };
    let subscribe = driver
        .command(|client, now| client.subscribe(now, vec![filter], SubscribeProperties::default()));
    let acknowledged = connected
        && subscribe.is_ok()
        && driver
            .run_until(Duration::from_secs(10), |event| {
                matches!(event, Event::Subscribed { .. }).then_some(())
            })
            .is_ok();
    subscribed.wait();
    if !acknowledged {
        report.failed_publishes.push("could not subscribe".into());
        return report;
    }
    report.connections = 1;

    let started = Instant::now();
    let mut last_progress = started;
    let mut next = 0; // messages handed to the client so far: even QoS 1, odd QoS 2
    while started.elapsed() < RUN_LIMIT {
        while next < 2 * PER_QOS && next - report.confirmed - report.failed_publishes.len() < WINDOW
        {
            let (qos, sequence) = if next % 2 == 0 {
                (QoS::AtLeastOnce, next / 2 + 1)
            } else {
                (QoS::ExactlyOnce, next / 2 + 1)
            };
            let message = OutgoingMessage {
                topic: outbox.to_string(),
                payload: Bytes::from(format!("{}:{sequence}", qos as u8)),
                qos,
                retain: false,
                properties: PublishProperties::default(),
            };
            match driver.command(|client, now| client.publish(now, message)) {
                Ok(id) => report.publishes.insert(id, (qos, sequence)),
                // Queue full: try again after the next round of acknowledgements.
                Err(_) => break,
            };
            next += 1;
        }
        let before = (report.received.deliveries.len(), report.confirmed);
        driver.run_for(Duration::from_millis(20), |event| {
            observe(event, &mut report, progress)
        });
        if (report.received.deliveries.len(), report.confirmed) != before {
            last_progress = Instant::now();
        }
        let all_sent = report.confirmed + report.failed_publishes.len() == 2 * PER_QOS;
        let all_received = report.received.deliveries.len() == 2 * PER_QOS;
        // A message the broker lost never comes: stop once nothing moved for a while.
        if all_sent && (all_received || last_progress.elapsed() > QUIET) {
            report.finished = true;
            break;
        }
    }
    driver.disconnect();
    report
}

fn observe(event: &Event, report: &mut PeerReport, progress: &AtomicUsize) {
    match event {
        Event::Message(publish) => {
            let text = String::from_utf8_lossy(&publish.payload).into_owned();
            let parsed = text.split_once(':').and_then(|(qos, sequence)| {
                let qos = match qos {
                    "1" => QoS::AtLeastOnce,
                    "2" => QoS::ExactlyOnce,
                    _ => return None,
                };
                Some((qos, sequence.parse::<usize>().ok()?))
            });
            match parsed {
                Some(key) if key.0 == publish.delivery.qos() => {
                    let deliveries = report.received.deliveries.entry(key).or_default();
                    if deliveries.is_empty() {
                        progress.fetch_add(1, Ordering::Relaxed);
                    }
                    deliveries.push(Delivery {
                        dup: publish.dup,
                        packet_id: publish.delivery.packet_id(),
                        at: Instant::now(),
                    });
                }
                _ => report
                    .received
                    .malformed
                    .push(format!("{text:?} at {:?}", publish.delivery)),
            }
        }
        Event::Published { id, result: Ok(()) } => {
            report.confirmed += 1;
            if let Some(key) = report.publishes.get(id) {
                report.confirmed_at.insert(*key, Instant::now());
            }
        }
        Event::Published {
            result: Err(why), ..
        } => report.failed_publishes.push(why.clone()),
        Event::Connected(connack) => {
            report.connections += 1;
            if !connack.session_present {
                report.sessions_lost += 1;
            }
        }
        _ => {}
    }
}

/// Whether `at` is within the crash window of a kill.
fn near_a_kill(at: Instant, kills: &[Instant]) -> bool {
    kills.iter().any(|kill| {
        let distance = if at > *kill { at - *kill } else { *kill - at };
        distance <= CRASH_WINDOW
    })
}

/// What `receiver` got of what `sender` sent, and `receiver`'s own publishing.
fn check(receiver: &PeerReport, sender: &PeerReport, kills: &[Instant]) -> Vec<String> {
    let name = receiver.name;
    let mut problems = Vec::new();
    let mut duplicates = [0usize; 2];
    let mut broker_losses = [0usize; 2];
    let mut broker_replays = [0usize; 2];
    let mut replay_examples = Vec::new();
    for (qos, index) in [(QoS::AtLeastOnce, 0), (QoS::ExactlyOnce, 1)] {
        let level = qos as u8;
        for sequence in 1..=PER_QOS {
            let key = (qos, sequence);
            let Some(deliveries) = receiver.received.deliveries.get(&key) else {
                match sender.confirmed_at.get(&key) {
                    Some(at) if near_a_kill(*at, kills) => broker_losses[index] += 1,
                    Some(_) => problems.push(format!(
                        "{name}: QoS {level} message {sequence} never arrived, though confirmed far from any kill"
                    )),
                    None => problems.push(format!(
                        "{name}: QoS {level} message {sequence} never arrived and was never confirmed"
                    )),
                }
                continue;
            };
            duplicates[index] += deliveries.len() - 1;
            let first = &deliveries[0];
            for again in &deliveries[1..] {
                let retransmission = again.dup || again.packet_id == first.packet_id;
                if qos == QoS::AtLeastOnce && retransmission {
                    continue;
                }
                // A QoS 2 repeat, or a QoS 1 repeat as a new message, is the broker redoing
                // work its snapshot forgot: only acceptable right at a kill.
                if near_a_kill(first.at, kills) {
                    broker_replays[index] += 1;
                    if replay_examples.len() < 3 {
                        replay_examples.push(format!(
                            "QoS {level} #{sequence}: id {:?}, then id {:?} dup {}",
                            first.packet_id, again.packet_id, again.dup
                        ));
                    }
                } else {
                    problems.push(format!(
                        "{name}: QoS {level} message {sequence} delivered again (dup {}, id {:?} then {:?}) far from any kill",
                        again.dup, first.packet_id, again.packet_id
                    ));
                }
            }
        }
    }
    println!(
        "{name}: {} distinct messages received; duplicates QoS 1 {}, QoS 2 {}; \
         lost by the broker at a kill QoS 1 {}, QoS 2 {}; replayed by the broker at a kill \
         QoS 1 {}, QoS 2 {}; {} publishes confirmed; {} connections, {} without the session",
        receiver.received.deliveries.len(),
        duplicates[0],
        duplicates[1],
        broker_losses[0],
        broker_losses[1],
        broker_replays[0],
        broker_replays[1],
        receiver.confirmed,
        receiver.connections,
        receiver.sessions_lost
    );
    if !replay_examples.is_empty() {
        println!("{name}: replays, e.g. {}", replay_examples.join("; "));
    }
    let broker_anomalies: usize = broker_losses.iter().chain(&broker_replays).sum();
    if broker_anomalies > kills.len() * WINDOW {
        problems.push(format!(
            "{name}: {broker_anomalies} messages lost or replayed at kills: more than in flight"
        ));
    }
    if !receiver.received.malformed.is_empty() {
        problems.push(format!(
            "{name}: unexpected messages {:?}",
            receiver.received.malformed
        ));
    }
    if !receiver.failed_publishes.is_empty() {
        problems.push(format!(
            "{name}: {} publishes failed, e.g. {:?}",
            receiver.failed_publishes.len(),
            receiver.failed_publishes.first()
        ));
    }
    if receiver.confirmed != 2 * PER_QOS {
        problems.push(format!(
            "{name}: {} of {} publishes confirmed",
            receiver.confirmed,
            2 * PER_QOS
        ));
    }
    if receiver.sessions_lost > 0 {
        problems.push(format!(
            "{name}: {} reconnects found no session",
            receiver.sessions_lost
        ));
    }
    if receiver.connections < 1 + RESTARTS {
        problems.push(format!(
            "{name}: connected {} times, expected at least {}",
            receiver.connections,
            1 + RESTARTS
        ));
    }
    if !receiver.finished {
        problems.push(format!("{name}: did not finish within {RUN_LIMIT:?}"));
    }
    problems
}
