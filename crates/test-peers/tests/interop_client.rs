//! The client against a real Mosquitto over TCP, both protocol versions: QoS 0/1/2 both ways,
//! retained messages, the will after an abrupt close, and a kept session across reconnects.
//! (Moved here from the core's own tests, which need no broker.)

use std::time::Duration;

use mqtt_core::*;
use test_peers::brokers::Mosquitto;
use test_peers::driver::{Driver, Endpoint};
use test_peers::restart_stream::PERSISTENCE;

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::V311, ProtocolVersion::V5];

/// How long any one expected event may take.
const DEADLINE: Duration = Duration::from_secs(5);

/// Persistence on, saved on every change (so a kill -9 loses nothing it counted), every log line.
fn start_broker() -> Mosquitto {
    Mosquitto::start(&format!("{PERSISTENCE}log_type all\n"))
}

/// A client connected (CONNACK accepted) to `broker` over TCP, keeping every event for
/// `Driver::events`.
fn connect(options: ClientOptions, broker: &Mosquitto) -> Driver {
    let mut driver = Driver::new(options, Endpoint::tcp(broker.tcp_port)).record_events();
    driver.connect();
    wait_for(&mut driver, "CONNACK", |event| {
        matches!(event, Event::Connected(_))
    });
    driver
}

/// Runs until an event not taken before matches, and takes it; panics with the events so far if
/// none comes within the deadline.
fn wait_for(driver: &mut Driver, what: &str, wanted: impl FnMut(&Event) -> bool) -> Event {
    driver.take_event(DEADLINE, wanted).unwrap_or_else(|error| {
        panic!(
            "timed out waiting for {what}: {error}; events: {:#?}",
            driver.events()
        )
    })
}

fn messages(driver: &Driver) -> usize {
    driver
        .events()
        .iter()
        .filter(|event| matches!(event, Event::Message(_)))
        .count()
}

fn options(version: ProtocolVersion, client_id: &str) -> ClientOptions {
    let mut options = ClientOptions::new(version, client_id);
    options.reconnect.initial_delay = Duration::from_millis(300);
    options.reconnect.max_delay = Duration::from_millis(600);
    options
}

fn message(topic: &str, payload: &'static [u8], qos: QoS, retain: bool) -> OutgoingMessage {
    OutgoingMessage {
        topic: topic.into(),
        payload: Bytes::from_static(payload),
        qos,
        retain,
        properties: PublishProperties::default(),
    }
}

fn subscribe(driver: &mut Driver, filter: &str, qos: QoS) {
    let filters = vec![SubscribeFilter {
        filter: filter.into(),
        options: SubscriptionOptions {
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        },
    }];
    let id = driver
        .command(|client, now| client.subscribe(now, filters, SubscribeProperties::default()))
        .unwrap();
    let event = wait_for(
        driver,
        "SUBACK",
        |event| matches!(event, Event::Subscribed { packet_id, .. } if *packet_id == id),
    );
    let Event::Subscribed { results, .. } = event else {
        unreachable!()
    };
    assert_eq!(results, vec![ReasonCode(qos as u8)], "granted as asked");
}

fn publish(driver: &mut Driver, message: OutgoingMessage) {
    let id = driver
        .command(|client, now| client.publish(now, message))
        .unwrap();
    let event = wait_for(
        driver,
        "the publish outcome",
        |event| matches!(event, Event::Published { id: done, .. } if *done == id),
    );
    assert_eq!(event, Event::Published { id, result: Ok(()) });
}

fn receive(driver: &mut Driver) -> Publish {
    match wait_for(driver, "a message", |event| {
        matches!(event, Event::Message(_))
    }) {
        Event::Message(publish) => publish,
        _ => unreachable!(),
    }
}

#[test]
fn qos_0_1_2_both_ways() {
    let broker = start_broker();
    for version in VERSIONS {
        let mut subscriber = connect(options(version, "qos-sub"), &broker);
        subscribe(&mut subscriber, "qos/#", QoS::ExactlyOnce);
        let mut publisher = connect(options(version, "qos-pub"), &broker);
        // The publisher also receives (its own messages come back), exercising QoS in too.
        subscribe(&mut publisher, "qos/#", QoS::ExactlyOnce);
        for (qos, payload) in [
            (QoS::AtMostOnce, &b"zero"[..]),
            (QoS::AtLeastOnce, b"one"),
            (QoS::ExactlyOnce, b"two"),
        ] {
            let topic = format!("qos/{}", qos as u8);
            let mut outgoing = message(&topic, b"", qos, false);
            outgoing.payload = Bytes::copy_from_slice(payload);
            publish(&mut publisher, outgoing);
            for receiver in [&mut subscriber, &mut publisher] {
                let received = receive(receiver);
                assert_eq!(
                    (received.topic.as_str(), &received.payload[..]),
                    (topic.as_str(), payload)
                );
                assert_eq!(received.delivery.qos(), qos, "{version:?}");
            }
        }
        // Nothing arrives twice: in particular the QoS 2 message.
        subscriber.run_for(Duration::from_millis(100), |_| {});
        assert_eq!(messages(&subscriber), 3, "{version:?}");
        subscriber.disconnect();
        publisher.disconnect();
    }
}

#[test]
fn retained_message_reaches_a_later_subscriber() {
    let broker = start_broker();
    for version in VERSIONS {
        let topic = format!("retained/{version:?}");
        let mut publisher = connect(options(version, "retain-pub"), &broker);
        publish(
            &mut publisher,
            message(&topic, b"last known", QoS::AtLeastOnce, true),
        );
        let mut late = connect(options(version, "retain-late"), &broker);
        subscribe(&mut late, &topic, QoS::AtLeastOnce);
        let received = receive(&mut late);
        assert!(received.retain, "{version:?}");
        assert_eq!(&received.payload[..], b"last known");
        // Live messages are not flagged retained.
        publish(
            &mut publisher,
            message(&topic, b"live", QoS::AtLeastOnce, true),
        );
        let live = receive(&mut late);
        assert!(!live.retain);
        assert_eq!(&live.payload[..], b"live");
    }
}

#[test]
fn will_is_delivered_after_an_abrupt_close() {
    let broker = start_broker();
    for version in VERSIONS {
        let topic = format!("wills/{version:?}");
        let mut watcher = connect(options(version, "will-watcher"), &broker);
        subscribe(&mut watcher, &topic, QoS::AtLeastOnce);
        let mut dying_options = options(version, "will-dying");
        dying_options.will = Some(Will {
            topic: topic.clone(),
            payload: Bytes::from_static(b"gone unexpectedly"),
            qos: QoS::AtLeastOnce,
            retain: false,
            properties: WillProperties {
                content_type: Some("text/plain".into()),
                ..WillProperties::default()
            },
        });
        let mut dying = connect(dying_options, &broker);
        dying.cut_connection();
        drop(dying);
        let will = receive(&mut watcher);
        assert_eq!(&will.payload[..], b"gone unexpectedly");
        if version == ProtocolVersion::V5 {
            assert_eq!(will.properties.content_type.as_deref(), Some("text/plain"));
        }
    }
}

#[test]
fn no_will_after_a_clean_disconnect() {
    let broker = start_broker();
    let mut watcher = connect(options(ProtocolVersion::V5, "watcher"), &broker);
    subscribe(&mut watcher, "wills/clean", QoS::AtLeastOnce);
    let mut leaving_options = options(ProtocolVersion::V5, "leaving");
    leaving_options.will = Some(Will {
        topic: "wills/clean".into(),
        payload: Bytes::from_static(b"should not be sent"),
        qos: QoS::AtLeastOnce,
        retain: false,
        properties: WillProperties::default(),
    });
    let mut leaving = connect(leaving_options, &broker);
    leaving.disconnect();
    // A marker published afterwards arrives, and nothing before it.
    let mut marker = connect(options(ProtocolVersion::V5, "marker"), &broker);
    publish(
        &mut marker,
        message("wills/clean", b"marker", QoS::AtLeastOnce, false),
    );
    assert_eq!(&receive(&mut watcher).payload[..], b"marker");
}

fn kept_session(version: ProtocolVersion, client_id: &str) -> ClientOptions {
    let mut options = options(version, client_id);
    options.clean_start = false;
    if version == ProtocolVersion::V5 {
        options.session_expiry_interval = Some(300);
    }
    options
}

#[test]
fn kept_session_receives_what_was_published_while_offline() {
    let broker = start_broker();
    for version in VERSIONS {
        let topic = format!("session/{version:?}");
        let mut durable = connect(kept_session(version, "durable"), &broker);
        subscribe(&mut durable, &topic, QoS::ExactlyOnce);

        // Offline on purpose (DISCONNECT; the session stays on the broker).
        durable.disconnect();
        let mut publisher = connect(options(version, "session-pub"), &broker);
        publish(
            &mut publisher,
            message(&topic, b"q1 while away", QoS::AtLeastOnce, false),
        );
        publish(
            &mut publisher,
            message(&topic, b"q2 while away", QoS::ExactlyOnce, false),
        );
        durable.connect();
        let connected = wait_for(&mut durable, "reconnect", |event| {
            matches!(event, Event::Connected(_))
        });
        assert!(matches!(
            connected,
            Event::Connected(ConnAck {
                session_present: true,
                ..
            })
        ));
        let mut payloads = vec![receive(&mut durable).payload, receive(&mut durable).payload];
        payloads.sort();
        assert_eq!(payloads, [&b"q1 while away"[..], &b"q2 while away"[..]]);

        // Offline by accident: the connection is cut and the client reconnects by itself.
        durable.cut_connection();
        wait_for(&mut durable, "the loss", |event| {
            matches!(
                event,
                Event::StateChanged(ConnectionState::Reconnecting { .. })
            )
        });
        publish(
            &mut publisher,
            message(&topic, b"q1 during the outage", QoS::AtLeastOnce, false),
        );
        publish(
            &mut publisher,
            message(&topic, b"q2 during the outage", QoS::ExactlyOnce, false),
        );
        let connected = wait_for(&mut durable, "automatic reconnect", |event| {
            matches!(event, Event::Connected(_))
        });
        assert!(matches!(
            connected,
            Event::Connected(ConnAck {
                session_present: true,
                ..
            })
        ));
        let mut payloads = vec![receive(&mut durable).payload, receive(&mut durable).payload];
        payloads.sort();
        assert_eq!(
            payloads,
            [&b"q1 during the outage"[..], &b"q2 during the outage"[..]]
        );
        durable.run_for(Duration::from_millis(100), |_| {});
        assert_eq!(
            messages(&durable),
            4,
            "{version:?}: nothing lost, nothing twice"
        );
    }
}

#[test]
fn broker_restart_mid_stream_reconnects_by_itself() {
    let mut broker = start_broker();
    let mut durable = connect(kept_session(ProtocolVersion::V5, "restart"), &broker);
    subscribe(&mut durable, "restart/t", QoS::AtLeastOnce);
    broker.restart();
    wait_for(&mut durable, "the loss", |event| {
        matches!(
            event,
            Event::StateChanged(ConnectionState::Reconnecting { .. })
        )
    });
    let connected = wait_for(&mut durable, "reconnect after restart", |event| {
        matches!(event, Event::Connected(_))
    });
    // Persistence kept the session itself. (Mosquitto 2.0.11 does not bring back its
    // subscriptions after a kill -9 in our runs, so the test subscribes again.)
    assert!(
        matches!(
            connected,
            Event::Connected(ConnAck {
                session_present: true,
                ..
            })
        ),
        "{connected:?}"
    );
    subscribe(&mut durable, "restart/t", QoS::AtLeastOnce);
    let mut publisher = connect(options(ProtocolVersion::V5, "restart-pub"), &broker);
    publish(
        &mut publisher,
        message("restart/t", b"after restart", QoS::AtLeastOnce, false),
    );
    assert_eq!(&receive(&mut durable).payload[..], b"after restart");
}
