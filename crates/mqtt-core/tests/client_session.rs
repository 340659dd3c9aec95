//! The durable session across reconnects (after Mosquitto's 03-publish-c2b-qos1-disconnect and
//! 03-publish-c2b-qos2-disconnect): resends with DUP and original ids, PUBRELs, restored
//! subscriptions, the offline queue, and what a clean start throws away.

mod support;

use std::time::Duration;

use mqtt_core::*;
use support::pair::*;

fn kept_session(version: ProtocolVersion) -> ClientOptions {
    let mut options = ClientOptions::new(version, "session-test");
    options.clean_start = false;
    if version == ProtocolVersion::V5 {
        options.session_expiry_interval = Some(3600);
    }
    options
}

/// Lose the transport, wait for the reconnect, and answer its CONNECT.
fn reconnect(pair: &mut Pair, session_present: bool) -> Connect {
    pair.reconnect(session_present, ConnAckProperties::default())
}

#[test]
fn kept_session_resends_publishes_with_dup_and_pubrels_in_order() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let mut pair = Pair::connected(kept_session(version), ConnAckProperties::default());
        let now = pair.now;
        let first = pair
            .client
            .publish(now, message("pub/qos1/test", b"one", QoS::AtLeastOnce))
            .unwrap();
        let second = pair
            .client
            .publish(now, message("pub/qos2/test", b"two", QoS::ExactlyOnce))
            .unwrap();
        let third = pair
            .client
            .publish(now, message("pub/qos2/test", b"three", QoS::ExactlyOnce))
            .unwrap();
        pair.drive();
        let originals: Vec<Publish> = (0..3).map(|_| pair.expect_publish()).collect();
        pair.server_send(Packet::PubRec(ack(3, ReasonCode::SUCCESS)));
        assert_eq!(
            pair.expect_sent(),
            Packet::PubRel(ack(3, ReasonCode::SUCCESS))
        );

        // Offline: this one waits in the queue.
        pair.transport_closed("network down");
        let offline = pair
            .client
            .publish(
                pair.now,
                message("pub/qos1/test", b"four", QoS::AtLeastOnce),
            )
            .unwrap();
        let connect = reconnect(&mut pair, true);
        assert!(!connect.clean_start);

        for original in &originals[..2] {
            let resent = pair.expect_publish();
            assert!(resent.dup, "{resent:?}");
            assert_eq!(
                Publish {
                    dup: false,
                    ..resent
                },
                *original
            );
        }
        assert_eq!(
            pair.expect_sent(),
            Packet::PubRel(ack(3, ReasonCode::SUCCESS))
        );
        let queued = pair.expect_publish();
        assert_eq!(
            (queued.delivery, queued.dup, &queued.payload[..]),
            (qos1(4), false, &b"four"[..])
        );
        pair.expect_nothing_sent();

        pair.server_send(Packet::PubAck(ack(1, ReasonCode::SUCCESS)));
        pair.server_send(Packet::PubRec(ack(2, ReasonCode::SUCCESS)));
        assert_eq!(
            pair.expect_sent(),
            Packet::PubRel(ack(2, ReasonCode::SUCCESS))
        );
        pair.server_send(Packet::PubComp(ack(2, ReasonCode::SUCCESS)));
        pair.server_send(Packet::PubComp(ack(3, ReasonCode::SUCCESS)));
        pair.server_send(Packet::PubAck(ack(4, ReasonCode::SUCCESS)));
        assert_eq!(
            pair.take_published(),
            vec![
                (first, Ok(())),
                (second, Ok(())),
                (third, Ok(())),
                (offline, Ok(()))
            ]
        );
    }
}

#[test]
fn resent_publish_is_resent_again_with_dup_after_a_second_loss() {
    let mut pair = Pair::connected(
        kept_session(ProtocolVersion::V5),
        ConnAckProperties::default(),
    );
    pair.client
        .publish(pair.now, message("t", b"x", QoS::AtLeastOnce))
        .unwrap();
    pair.drive();
    assert!(!pair.expect_publish().dup);
    reconnect(&mut pair, true);
    assert!(pair.expect_publish().dup);
    reconnect(&mut pair, true);
    let again = pair.expect_publish();
    assert!(again.dup);
    assert_eq!(again.delivery, qos1(1));
}

#[test]
fn incoming_qos2_held_across_reconnect_is_not_delivered_twice() {
    let mut pair = Pair::connected(
        kept_session(ProtocolVersion::V5),
        ConnAckProperties::default(),
    );
    pair.server_send(server_publish("in", b"once", qos2(5)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubRec(ack(5, ReasonCode::SUCCESS))
    );
    reconnect(&mut pair, true);
    let count = |pair: &mut Pair| {
        pair.take_events()
            .iter()
            .filter(|event| matches!(event, Event::Message(_)))
            .count()
    };
    assert_eq!(count(&mut pair), 1, "delivered before the loss");
    let Packet::Publish(mut again) = server_publish("in", b"once", qos2(5)) else {
        unreachable!()
    };
    again.dup = true;
    pair.server_send(Packet::Publish(again));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubRec(ack(5, ReasonCode::SUCCESS))
    );
    assert_eq!(
        count(&mut pair),
        0,
        "the resent PUBLISH is not delivered again"
    );
    pair.server_send(Packet::PubRel(ack(5, ReasonCode::SUCCESS)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubComp(ack(5, ReasonCode::SUCCESS))
    );
}

#[test]
fn session_not_present_drops_in_flight_and_restores_subscriptions() {
    for clean_start in [false, true] {
        let mut options = kept_session(ProtocolVersion::V5);
        options.clean_start = clean_start;
        let mut pair = Pair::connected(options, ConnAckProperties::default());
        let now = pair.now;
        let properties = SubscribeProperties {
            subscription_identifier: Some(9),
            ..SubscribeProperties::default()
        };
        let sub = pair
            .client
            .subscribe(
                now,
                vec![
                    filter("a/#", QoS::AtLeastOnce),
                    filter("b", QoS::ExactlyOnce),
                ],
                properties.clone(),
            )
            .unwrap();
        pair.client
            .subscribe(
                now,
                vec![filter("c", QoS::AtMostOnce)],
                SubscribeProperties::default(),
            )
            .unwrap();
        pair.drive();
        pair.expect_sent();
        pair.expect_sent();
        pair.server_send(Packet::SubAck(SubAck {
            packet_id: sub,
            reason_codes: vec![ReasonCode(1), ReasonCode(2)],
            properties: AckProperties::default(),
        }));
        pair.server_send(Packet::SubAck(SubAck {
            packet_id: packet_id(2),
            reason_codes: vec![ReasonCode(0)],
            properties: AckProperties::default(),
        }));
        let lost = pair
            .client
            .publish(now, message("t", b"x", QoS::AtLeastOnce))
            .unwrap();
        pair.drive();
        pair.expect_publish();
        pair.take_events();

        let connect = reconnect(&mut pair, false);
        assert_eq!(connect.clean_start, clean_start);
        assert_eq!(
            pair.take_published(),
            [(lost, Err(PublishError::SessionNotKept))]
        );
        // Subscriptions come back, grouped by their properties.
        let Packet::Subscribe(first) = pair.expect_sent() else {
            panic!("expected SUBSCRIBE")
        };
        assert_eq!(
            first.filters,
            vec![
                filter("a/#", QoS::AtLeastOnce),
                filter("b", QoS::ExactlyOnce)
            ]
        );
        assert_eq!(first.properties, properties);
        let Packet::Subscribe(second) = pair.expect_sent() else {
            panic!("expected SUBSCRIBE")
        };
        assert_eq!(second.filters, vec![filter("c", QoS::AtMostOnce)]);
        pair.expect_nothing_sent();
        // The old publish's id is free again.
        pair.server_send(Packet::SubAck(SubAck {
            packet_id: first.packet_id,
            reason_codes: vec![ReasonCode(1), ReasonCode(2)],
            properties: AckProperties::default(),
        }));
        assert!(pair.take_events().iter().any(|event| matches!(event, Event::Subscribed { packet_id, .. } if *packet_id == first.packet_id)));
    }
}

#[test]
fn unsubscribed_and_refused_filters_are_not_restored() {
    let mut pair = Pair::connected(
        ClientOptions::new(ProtocolVersion::V311, "s"),
        ConnAckProperties::default(),
    );
    let now = pair.now;
    let sub = pair
        .client
        .subscribe(
            now,
            vec![
                filter("keep", QoS::AtMostOnce),
                filter("refused", QoS::AtMostOnce),
                filter("dropped", QoS::AtMostOnce),
            ],
            SubscribeProperties::default(),
        )
        .unwrap();
    pair.drive();
    pair.expect_sent();
    pair.server_send(Packet::SubAck(SubAck {
        packet_id: sub,
        reason_codes: vec![ReasonCode(0), ReasonCode(0x80), ReasonCode(0)],
        properties: AckProperties::default(),
    }));
    let unsub = pair
        .client
        .unsubscribe(now, vec!["dropped".into()])
        .unwrap();
    pair.drive();
    pair.expect_sent();
    pair.server_send(Packet::UnsubAck(UnsubAck {
        packet_id: unsub,
        reason_codes: vec![],
        properties: AckProperties::default(),
    }));
    reconnect(&mut pair, false);
    let Packet::Subscribe(restored) = pair.expect_sent() else {
        panic!("expected SUBSCRIBE")
    };
    assert_eq!(restored.filters, vec![filter("keep", QoS::AtMostOnce)]);
    pair.expect_nothing_sent();
}

#[test]
fn pending_subscribe_is_resent_with_its_id_after_a_loss() {
    let mut pair = Pair::connected(
        kept_session(ProtocolVersion::V5),
        ConnAckProperties::default(),
    );
    let id = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("x", QoS::AtLeastOnce)],
            SubscribeProperties::default(),
        )
        .unwrap();
    pair.drive();
    pair.expect_sent();
    reconnect(&mut pair, true);
    let Packet::Subscribe(resent) = pair.expect_sent() else {
        panic!("expected SUBSCRIBE")
    };
    assert_eq!(resent.packet_id, id);
    pair.expect_nothing_sent();
    pair.server_send(Packet::SubAck(SubAck {
        packet_id: id,
        reason_codes: vec![ReasonCode(1)],
        properties: AckProperties::default(),
    }));
    assert!(pair
        .take_events()
        .iter()
        .any(|event| matches!(event, Event::Subscribed { packet_id, .. } if *packet_id == id)));
}

#[test]
fn offline_queue_is_bounded_and_flushed_in_order_after_connecting() {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "offline");
    options.offline_queue_limit = 2;
    let mut pair = Pair::new(options);
    pair.client.connect(pair.now);
    pair.drive();
    let transport = pair.expect_open();
    let a = pair
        .client
        .publish(pair.now, message("t", b"a", QoS::AtMostOnce))
        .unwrap();
    pair.client
        .publish(pair.now, message("t", b"b", QoS::ExactlyOnce))
        .unwrap();
    assert_eq!(
        pair.client
            .publish(pair.now, message("t", b"c", QoS::AtMostOnce)),
        Err(CommandError::QueueFull)
    );
    pair.client.handle_transport_open(pair.now, transport);
    pair.drive();
    assert!(matches!(pair.expect_sent(), Packet::Connect(_)));
    pair.expect_nothing_sent();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties::default(),
    }));
    assert_eq!(&pair.expect_publish().payload[..], b"a");
    assert_eq!(pair.expect_publish().delivery, qos2(1));
    assert!(pair.take_published().contains(&(a, Ok(()))));
}

#[test]
fn disconnect_fails_what_was_never_sent() {
    let mut pair = Pair::new(ClientOptions::new(ProtocolVersion::V5, "d"));
    pair.client.connect(pair.now);
    let id = pair
        .client
        .publish(pair.now, message("t", b"a", QoS::AtLeastOnce))
        .unwrap();
    pair.client.disconnect(pair.now);
    pair.drive();
    let results = pair.take_published();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].0, id);
    assert!(results[0].1.is_err());
    assert_eq!(
        pair.client
            .publish(pair.now, message("t", b"a", QoS::AtLeastOnce)),
        Err(CommandError::NotConnected)
    );
}

#[test]
fn a_publish_too_large_for_the_new_server_is_given_up_not_resent() {
    let mut pair = Pair::connected(
        kept_session(ProtocolVersion::V5),
        ConnAckProperties::default(),
    );
    let big = pair
        .client
        .publish(pair.now, message("t", &[b'x'; 100], QoS::AtLeastOnce))
        .unwrap();
    pair.client
        .publish(pair.now, message("t", b"small", QoS::AtLeastOnce))
        .unwrap();
    pair.drive();
    pair.expect_publish();
    pair.expect_publish();
    pair.transport_closed("network down");
    let at = pair.client.poll_timeout().unwrap();
    pair.advance(at.saturating_duration_since(pair.now));
    pair.accept_open();
    pair.drive();
    pair.expect_sent();
    pair.take_events();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: true,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties {
            maximum_packet_size: Some(50),
            ..ConnAckProperties::default()
        },
    }));
    let resent = pair.expect_publish();
    assert_eq!(
        (resent.delivery, &resent.payload[..]),
        (qos1(2), &b"small"[..])
    );
    pair.expect_nothing_sent();
    let results = pair.take_published();
    assert!(
        matches!(
            results.as_slice(),
            [(id, Err(PublishError::NotResent(CommandError::PacketTooLarge { maximum: 50, .. })))]
                if *id == big
        ),
        "{results:?}"
    );
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected {
            session_present: true
        }
    ));
}

#[test]
fn reconnect_waits_are_on_the_virtual_clock() {
    let mut pair = Pair::connected(
        kept_session(ProtocolVersion::V5),
        ConnAckProperties::default(),
    );
    pair.transport_closed("gone");
    let ConnectionState::Reconnecting {
        at,
        attempt,
        reason,
    } = pair.client.state().clone()
    else {
        panic!()
    };
    assert_eq!(attempt, 1);
    assert_eq!(reason, ConnectionError::Transport(transport_error("gone")));
    pair.advance(at.saturating_duration_since(pair.now) - Duration::from_millis(1));
    assert_eq!(pair.take_transport(), None);
    pair.advance(Duration::from_millis(1));
    pair.expect_open();
}
