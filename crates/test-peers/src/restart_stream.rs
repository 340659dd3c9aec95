//! The broker-restart stream, shared by its two rounds: `tests/broker_restarts.rs` (two native
//! core peers) and the `restart-stream` binary (one native peer and the app's driver in headless
//! Chromium, the root package's `tests/app_restart.rs`).
//!
//! Each side has a kept session (MQTT 5, clean start off, session expiry one hour) and publishes
//! `PER_QOS` QoS 1 and `PER_QOS` QoS 2 messages to the other through Mosquitto (persistence on,
//! saved on every change), while Mosquitto is SIGKILLed and restarted on the same ports
//! `RESTARTS` times. Each payload is `<QoS>:<sequence number>`.
//!
//! Afterwards (`check`, per direction): every sequence number arrived at its receiver, no QoS 2
//! message reached the application twice, every QoS 1 duplicate is a retransmission (DUP set,
//! the same packet id, or the sender's own resend after a kill), every publish was confirmed,
//! every reconnect found its session kept, and both directions were under way at every kill.
//!
//! What a killed Mosquitto 2.0 forgets is its business, and counted rather than failed, when the
//! client could not have known better:
//! - A loss: Mosquitto persists by snapshot, rewritten in its main loop after changes while the
//!   acknowledgements of what it just handled are already on the wire. A message the sender saw
//!   confirmed between the snapshot the broker restarted from (`Mosquitto::snapshot_taken`, read
//!   at each kill) and the kill may be gone; one confirmed before the snapshot may not.
//!   The sender's flow must have been in flight at the kill (it saw PUBREC before the kill,
//!   the broker restarted without the message and answered its PUBREL anyway) or have been
//!   confirmed after the snapshot; a message confirmed before the snapshot may not be lost.
//! - A repeat: the restarted broker resends a message the client already had: a QoS 2 message
//!   whose flow the client had completed (PUBCOMP sent; the id is free again, so the PUBLISH is a
//!   new message to it), or one it queued again under a new packet id. A loaded broker handles
//!   acknowledgements seconds late, so the first delivery may be long before the kill; what
//!   counts is that a kill came between the two deliveries and that the client could not tell:
//!   a client that still holds the id of a QoS 2 message (PUBREL not yet received) must not
//!   deliver it again.
//!
//! - A QoS 1 repeat without DUP under a new id, when the sender's publish was in flight at a
//!   kill: the sender sent it again after reconnecting, and a broker that had already stored
//!   the first copy takes the second as a new message (at least once, end to end). Both copies
//!   may then reach the receiver back to back, with no kill between the deliveries.
//!
//! The app keeps no packet ids with its messages (nor sees its PUBCOMPs), so for the browser
//! round a repeat needs a kill in between; that the core does not deliver a held id twice is
//! checked where the packets are visible, in the native round, which runs the same core.
//!
//! All times are milliseconds since the Unix epoch, so that a browser's `Date.now()` and this
//! process's clock can be compared.
//!
//! A side that is not in this process hands its record over as lines of text (`Record::parse`):
//!
//! ```text
//! delivered <QoS> <DUP 0|1> <ms> <payload>   a message handed to the application
//! confirmed <ms> <ms> <payload>              an own publish handed to the client, and
//!                                            confirmed (PUBACK / PUBCOMP)
//! failed <words>                             an own publish that failed
//! connected <session present 0|1>            a CONNACK accepted
//! finished                                   all own publishes confirmed, all expected received
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mqtt_core::*;

use crate::brokers::Mosquitto;
use crate::driver::{Driver, Endpoint};

pub const PER_QOS: usize = 10_000;
pub const RESTARTS: usize = 2;
/// Unconfirmed publishes a side keeps in hand at once.
pub const WINDOW: usize = 200;
pub const RUN_LIMIT: Duration = Duration::from_secs(60);
/// How long a side waits for more messages once its own are all confirmed: a message the broker
/// lost never comes.
pub const QUIET: Duration = Duration::from_secs(3);
/// The margin around a snapshot gap for packets in transit and the clocks' resolution.
pub const CRASH_WINDOW_MS: u64 = 250;

/// Persistence as durable as Mosquitto 2.0 offers: the database is written after every change
/// it counts (subscriptions, retained and queued messages) rather than on a timer; no queue
/// limit, so nothing is dropped while a peer is away. `{dir}` is the broker's own directory.
pub const PERSISTENCE: &str = "persistence true\n\
                               persistence_location {dir}/\n\
                               autosave_on_changes true\n\
                               autosave_interval 1\n\
                               max_queued_messages 0\n";

pub fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

/// The `index`th message a side publishes (0-based): even ones QoS 1, odd ones QoS 2, each
/// level numbered from 1.
pub fn nth_message(index: usize) -> (QoS, usize) {
    let qos = if index.is_multiple_of(2) {
        QoS::AtLeastOnce
    } else {
        QoS::ExactlyOnce
    };
    (qos, index / 2 + 1)
}

pub fn payload((qos, sequence): (QoS, usize)) -> String {
    format!("{}:{sequence}", qos as u8)
}

fn parse_payload(text: &str) -> Option<(QoS, usize)> {
    let (qos, sequence) = text.split_once(':')?;
    let qos = match qos {
        "1" => QoS::AtLeastOnce,
        "2" => QoS::ExactlyOnce,
        _ => return None,
    };
    Some((qos, sequence.parse().ok()?))
}

/// One delivery of a message to the application.
pub struct Delivery {
    pub dup: bool,
    /// `None` where the side does not see it (the app keeps no packet id with a message).
    pub packet_id: Option<PacketId>,
    pub at: u64,
    /// QoS 2: when the client sent PUBCOMP for it, where the side sees its packets.
    pub completed_at: Option<u64>,
}

/// What one side saw during the stream.
#[derive(Default)]
pub struct Record {
    /// Deliveries per (QoS, sequence number), in order.
    pub deliveries: HashMap<(QoS, usize), Vec<Delivery>>,
    pub malformed: Vec<String>,
    /// Own publishes confirmed (PUBACK / PUBCOMP).
    pub confirmed: usize,
    /// When each own publish was handed to the client and when it was confirmed, per (QoS,
    /// sequence number).
    pub confirmed_at: HashMap<(QoS, usize), (u64, u64)>,
    pub failed_publishes: Vec<String>,
    pub connections: usize,
    /// Reconnects (not the first connection) whose CONNACK had no session.
    pub sessions_lost: usize,
    pub finished: bool,
    /// The messages delivered at QoS 2 under each packet id.
    qos2_by_id: HashMap<PacketId, Vec<(QoS, usize)>>,
}

impl Record {
    /// Records a delivery; true if it is the message's first.
    pub fn delivered(
        &mut self,
        payload: &[u8],
        qos: QoS,
        dup: bool,
        packet_id: Option<PacketId>,
        at: u64,
    ) -> bool {
        let text = String::from_utf8_lossy(payload);
        match parse_payload(&text) {
            Some(key) if key.0 == qos => {
                if let (QoS::ExactlyOnce, Some(id)) = (qos, packet_id) {
                    self.qos2_by_id.entry(id).or_default().push(key);
                }
                let deliveries = self.deliveries.entry(key).or_default();
                deliveries.push(Delivery {
                    dup,
                    packet_id,
                    at,
                    completed_at: None,
                });
                deliveries.len() == 1
            }
            _ => {
                self.malformed
                    .push(format!("{text:?} at QoS {}, dup {dup}", qos as u8));
                false
            }
        }
    }

    /// The client sent PUBCOMP for `packet_id` at `at`: it completes the latest delivery under
    /// that id before then (a later one, after a reconnect, may already be recorded).
    pub fn completed(&mut self, packet_id: PacketId, at: u64) {
        let Some(keys) = self.qos2_by_id.get(&packet_id) else {
            return;
        };
        let latest = keys
            .iter()
            .flat_map(|key| {
                self.deliveries[key]
                    .iter()
                    .enumerate()
                    .map(move |(index, delivery)| (key, index, delivery))
            })
            .filter(|(_, _, delivery)| delivery.packet_id == Some(packet_id) && delivery.at <= at)
            .max_by_key(|(_, index, delivery)| (delivery.at, *index))
            .map(|(key, index, _)| (*key, index));
        if let Some((key, index)) = latest {
            let delivery = &mut self.deliveries.get_mut(&key).expect("a delivered key")[index];
            delivery.completed_at.get_or_insert(at);
        }
    }

    pub fn confirm(&mut self, key: (QoS, usize), published: u64, confirmed: u64) {
        self.confirmed += 1;
        self.confirmed_at.insert(key, (published, confirmed));
    }

    pub fn connected(&mut self, session_present: bool) {
        if self.connections > 0 && !session_present {
            self.sessions_lost += 1;
        }
        self.connections += 1;
    }

    /// A record from its lines (see the module's documentation).
    pub fn parse(lines: &str) -> Result<Record, String> {
        let mut record = Record::default();
        for line in lines.lines().filter(|line| !line.is_empty()) {
            let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
            let bad = || format!("cannot read the record line {line:?}");
            let flag = |word: &str| match word {
                "0" => Ok(false),
                "1" => Ok(true),
                _ => Err(bad()),
            };
            match kind {
                "delivered" => {
                    let mut words = rest.splitn(4, ' ');
                    let mut next = || words.next().ok_or_else(bad);
                    let qos = match next()? {
                        "1" => QoS::AtLeastOnce,
                        "2" => QoS::ExactlyOnce,
                        _ => return Err(bad()),
                    };
                    let dup = flag(next()?)?;
                    let at = next()?.parse().map_err(|_| bad())?;
                    record.delivered(next()?.as_bytes(), qos, dup, None, at);
                }
                "confirmed" => {
                    let mut words = rest.splitn(3, ' ');
                    let mut time = || words.next()?.parse().ok();
                    let (published, confirmed) = (time().ok_or_else(bad)?, time().ok_or_else(bad)?);
                    let key = words.next().and_then(parse_payload).ok_or_else(bad)?;
                    record.confirm(key, published, confirmed);
                }
                "failed" => record.failed_publishes.push(rest.to_string()),
                "connected" => record.connected(flag(rest)?),
                "finished" => record.finished = true,
                _ => return Err(bad()),
            }
        }
        Ok(record)
    }
}

/// How far the stream got, shared with the thread that kills the broker.
#[derive(Default)]
pub struct Progress {
    /// Distinct messages received.
    pub received: AtomicUsize,
    /// Own publishes confirmed.
    pub confirmed: AtomicUsize,
}

/// A native side: a core `Client` on the blocking driver, subscribed to `inbox` at QoS 2.
/// Calls `subscribed` with whether the subscription was acknowledged, and publishes to `outbox`
/// only if that returns true; stops when its own messages are all confirmed and all of the
/// other side's arrived (or nothing came for `QUIET`), or after `RUN_LIMIT`.
///
/// It publishes no further than `WINDOW` ahead of what arrived from the other side, so that
/// both directions are in flight when the broker is killed, even when the other side is slower
/// (the app in a browser).
pub fn run_peer(
    name: &str,
    endpoint: Endpoint,
    outbox: &str,
    inbox: &str,
    progress: &Progress,
    subscribed: impl FnOnce(bool) -> bool,
) -> Record {
    let mut options = ClientOptions::new(ProtocolVersion::V5, name);
    options.clean_start = false;
    options.session_expiry_interval = Some(3600);
    options.keep_alive = 5;
    options.offline_queue_limit = 2 * PER_QOS;
    options.reconnect.initial_delay = Duration::from_millis(50);
    options.reconnect.max_delay = Duration::from_millis(200);
    let mut driver = Driver::new(options, endpoint).record_sent();
    let mut packets_seen = 0;
    let mut record = Record::default();
    driver.connect();
    let connected = driver
        .run_until(Duration::from_secs(10), |event| match event {
            Event::Connected(connack) => Some(connack.session_present),
            _ => None,
        })
        .inspect(|session_present| record.connected(*session_present))
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
    if !subscribed(acknowledged) || !acknowledged {
        record.failed_publishes.push("could not subscribe".into());
        return record;
    }

    let started = Instant::now();
    let mut last_progress = started;
    let mut publishes = HashMap::new();
    let mut next = 0; // messages handed to the client so far
    while started.elapsed() < RUN_LIMIT {
        loop {
            let in_hand = next - record.confirmed - record.failed_publishes.len();
            let ahead = next.saturating_sub(record.deliveries.len());
            if next == 2 * PER_QOS || in_hand >= WINDOW || ahead >= WINDOW {
                break;
            }
            let key = nth_message(next);
            let message = OutgoingMessage {
                topic: outbox.to_string(),
                payload: Bytes::from(payload(key)),
                qos: key.0,
                retain: false,
                properties: PublishProperties::default(),
            };
            match driver.command(|client, now| client.publish(now, message)) {
                Ok(id) => publishes.insert(id, (key, unix_millis())),
                // Queue full: try again after the next round of acknowledgements.
                Err(_) => break,
            };
            next += 1;
        }
        let before = (record.deliveries.len(), record.confirmed);
        driver.run_for(Duration::from_millis(20), |event| {
            observe(event, &mut record, &publishes, progress)
        });
        for packet in &driver.sent()[packets_seen..] {
            // PUBCOMP: type 7, then the remaining length (below 128) and the packet id.
            if let [0x70, _, high, low, ..] = packet.bytes[..] {
                if let Some(id) = PacketId::new(u16::from_be_bytes([high, low])) {
                    let at = packet.at.duration_since(UNIX_EPOCH).unwrap_or_default();
                    record.completed(id, at.as_millis() as u64);
                }
            }
        }
        packets_seen = driver.sent().len();
        if (record.deliveries.len(), record.confirmed) != before {
            last_progress = Instant::now();
        }
        let all_sent = record.confirmed + record.failed_publishes.len() == 2 * PER_QOS;
        let all_received = record.deliveries.len() == 2 * PER_QOS;
        if all_sent && (all_received || last_progress.elapsed() > QUIET) {
            record.finished = true;
            break;
        }
    }
    driver.disconnect();
    record
}

fn observe(
    event: &Event,
    record: &mut Record,
    publishes: &HashMap<PublishId, ((QoS, usize), u64)>,
    progress: &Progress,
) {
    match event {
        Event::Message(publish) => {
            let first = record.delivered(
                &publish.payload,
                publish.delivery.qos(),
                publish.dup,
                publish.delivery.packet_id(),
                unix_millis(),
            );
            if first {
                progress.received.fetch_add(1, Ordering::Relaxed);
            }
        }
        Event::Published { id, result: Ok(()) } => {
            match publishes.get(id) {
                Some((key, published)) => record.confirm(*key, *published, unix_millis()),
                None => record
                    .failed_publishes
                    .push(format!("confirmed an unknown publish {id}")),
            }
            progress.confirmed.fetch_add(1, Ordering::Relaxed);
        }
        Event::Published {
            result: Err(why), ..
        } => record.failed_publishes.push(why.to_string()),
        Event::Connected(connack) => record.connected(connack.session_present),
        _ => {}
    }
}

/// A SIGKILL of the broker during the stream.
pub struct Kill {
    pub at: u64,
    /// When the snapshot the broker restarted from was taken (0: there was none).
    pub snapshot: u64,
    /// How far the stream was, in words.
    pub when: String,
}

/// Kills and restarts `broker` `RESTARTS` times, evenly through the stream: when
/// `progress.received` passes each of `total` × 1/3 and 2/3 (for two restarts). Stops early
/// when `running` turns false or after `RUN_LIMIT`.
pub fn kill_during_stream(
    broker: &mut Mosquitto,
    progress: &Progress,
    total: usize,
    running: impl Fn() -> bool,
) -> Vec<Kill> {
    let started = Instant::now();
    let mut kills = Vec::new();
    while kills.len() < RESTARTS && started.elapsed() < RUN_LIMIT && running() {
        let threshold = total * (kills.len() + 1) / (RESTARTS + 1);
        let received = progress.received.load(Ordering::Relaxed);
        if received >= threshold {
            let confirmed = progress.confirmed.load(Ordering::Relaxed);
            let at = unix_millis();
            broker.kill();
            let snapshot = broker.snapshot_taken().map_or(0, |taken| {
                taken
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |since| since.as_millis() as u64)
            });
            broker.restart();
            kills.push(Kill {
                at,
                snapshot,
                when: format!(
                    "restart {} at {received} messages received, {confirmed} publishes \
                     confirmed, {:.1} s in; the broker's snapshot was {} ms old",
                    kills.len() + 1,
                    started.elapsed().as_secs_f64(),
                    at.saturating_sub(snapshot)
                ),
            });
        }
        thread::sleep(Duration::from_millis(5));
    }
    kills
}

/// `at` in words, relative to the kills.
fn relative(at: u64, kills: &[Kill]) -> String {
    let words: Vec<String> = kills
        .iter()
        .enumerate()
        .map(|(index, kill)| match at.checked_sub(kill.at) {
            Some(after) => format!("{after} ms after kill {}", index + 1),
            None => format!("{} ms before kill {}", kill.at - at, index + 1),
        })
        .collect();
    words.join(", ")
}

/// Whether a publish handed to the client at `published` and confirmed at `confirmed` is one a
/// kill's restart may have forgotten: in flight at the kill, or confirmed after the snapshot
/// the broker restarted from was taken.
fn in_a_snapshot_gap((published, confirmed): (u64, u64), kills: &[Kill]) -> bool {
    kills.iter().any(|kill| {
        published <= kill.at + CRASH_WINDOW_MS
            && kill.snapshot.saturating_sub(CRASH_WINDOW_MS) <= confirmed
    })
}

/// Whether a publish handed to the client at `published` and confirmed at `confirmed` was
/// unconfirmed at a kill, so that the client sent it again after reconnecting.
fn resent_after_a_kill((published, confirmed): (u64, u64), kills: &[Kill]) -> bool {
    kills
        .iter()
        .any(|kill| published <= kill.at + CRASH_WINDOW_MS && kill.at <= confirmed)
}

/// Whether a repeat of `first` is the restarted broker's: a kill came between the two
/// deliveries, and the client could not tell the repeat from a new message. It could if the
/// repeat is a QoS 2 PUBLISH with the id it still held (first flow not yet completed).
fn replayed_by_a_restart(qos: QoS, first: &Delivery, again: &Delivery, kills: &[Kill]) -> bool {
    let held = qos == QoS::ExactlyOnce
        && first.packet_id.is_some()
        && again.packet_id == first.packet_id
        && first
            .completed_at
            .is_none_or(|completed| completed > again.at);
    !held
        && kills
            .iter()
            .any(|kill| first.at <= kill.at + CRASH_WINDOW_MS && kill.at <= again.at)
}

/// What `receiver` got of what `sender` sent, and `receiver`'s own publishing: the figures in
/// one line, then the problems found.
pub fn check(
    name: &str,
    receiver: &Record,
    sender: &Record,
    kills: &[Kill],
) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let mut duplicates = [0usize; 2];
    let mut broker_losses = [0usize; 2];
    let mut broker_replays = [0usize; 2];
    let mut replay_examples = Vec::new();
    for (qos, index) in [(QoS::AtLeastOnce, 0), (QoS::ExactlyOnce, 1)] {
        let level = qos as u8;
        for sequence in 1..=PER_QOS {
            let key = (qos, sequence);
            let Some(deliveries) = receiver.deliveries.get(&key) else {
                match sender.confirmed_at.get(&key) {
                    Some(flow) if in_a_snapshot_gap(*flow, kills) => broker_losses[index] += 1,
                    Some(_) => problems.push(format!(
                        "{name}: QoS {level} message {sequence} never arrived, though confirmed outside the broker's snapshot gaps"
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
                let same_id = again.packet_id.is_some() && again.packet_id == first.packet_id;
                let resent_by_sender = sender
                    .confirmed_at
                    .get(&key)
                    .is_some_and(|flow| resent_after_a_kill(*flow, kills));
                if qos == QoS::AtLeastOnce && (again.dup || same_id || resent_by_sender) {
                    continue;
                }
                if replayed_by_a_restart(qos, first, again, kills) {
                    broker_replays[index] += 1;
                    if replay_examples.len() < 3 {
                        replay_examples.push(format!(
                            "QoS {level} #{sequence}: id {:?}, then id {:?} dup {}",
                            first.packet_id, again.packet_id, again.dup
                        ));
                    }
                } else {
                    problems.push(format!(
                        "{name}: QoS {level} message {sequence} delivered again (dup {}, id {:?} then {:?}, first flow completed {}): first {}, again {}",
                        again.dup, first.packet_id, again.packet_id,
                        first.completed_at.map_or("never".into(), |at| relative(at, kills)),
                        relative(first.at, kills), relative(again.at, kills)
                    ));
                }
            }
        }
    }
    // Both directions must be under way at every kill.
    let received_before = |at: u64| {
        receiver
            .deliveries
            .values()
            .filter(|deliveries| deliveries[0].at < at)
            .count()
    };
    let at_kills: Vec<usize> = kills.iter().map(|kill| received_before(kill.at)).collect();
    for (number, received) in at_kills.iter().enumerate() {
        if *received == 0 || *received == 2 * PER_QOS {
            problems.push(format!(
                "{name}: kill {} came when {received} of {} messages had arrived, not mid-stream",
                number + 1,
                2 * PER_QOS
            ));
        }
    }
    let mut figures = format!(
        "{name}: {} distinct messages received; duplicates QoS 1 {}, QoS 2 {}; \
         lost in the broker's snapshot gaps QoS 1 {}, QoS 2 {}; replayed after a restart \
         QoS 1 {}, QoS 2 {}; {} publishes confirmed; {} connections, {} without the session; \
         received before each kill {at_kills:?}",
        receiver.deliveries.len(),
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
        figures.push_str(&format!("; replays, e.g. {}", replay_examples.join("; ")));
    }
    if !receiver.malformed.is_empty() {
        problems.push(format!(
            "{name}: unexpected messages {:?}",
            receiver.malformed
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
    (figures, problems)
}
