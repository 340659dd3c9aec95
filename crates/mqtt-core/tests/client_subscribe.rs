//! SUBSCRIBE / UNSUBSCRIBE transcripts, the server's subscription limits, and acknowledgements
//! for ids never used.

mod support;

use mqtt_core::*;
use support::pair::*;

fn connected(version: ProtocolVersion) -> Pair {
    Pair::connected(
        ClientOptions::new(version, "sub-test"),
        ConnAckProperties::default(),
    )
}

fn suback(id: u16, codes: &[u8]) -> Packet {
    Packet::SubAck(SubAck {
        packet_id: packet_id(id),
        reason_codes: codes.iter().map(|code| ReasonCode(*code)).collect(),
        properties: AckProperties::default(),
    })
}

#[test]
fn subscribe_with_v5_options_and_per_filter_results() {
    let mut pair = connected(ProtocolVersion::V5);
    let mut rich = filter("sensors/+/temp", QoS::ExactlyOnce);
    rich.options.no_local = true;
    rich.options.retain_as_published = true;
    rich.options.retain_handling = RetainHandling::DoNotSend;
    let properties = SubscribeProperties {
        subscription_identifier: Some(42),
        user_properties: vec![("k".into(), "v".into())],
    };
    let filters = vec![rich.clone(), filter("denied/#", QoS::AtLeastOnce)];
    let id = pair
        .client
        .subscribe(pair.now, filters.clone(), properties.clone())
        .unwrap();
    pair.drive();
    assert_eq!(
        pair.expect_sent(),
        Packet::Subscribe(Subscribe {
            packet_id: id,
            filters,
            properties
        })
    );
    pair.server_send(suback(id.get(), &[0x02, 0x87]));
    assert_eq!(
        pair.take_events(),
        vec![Event::Subscribed {
            packet_id: id,
            filters: vec!["sensors/+/temp".into(), "denied/#".into()],
            results: vec![ReasonCode(0x02), ReasonCode(0x87)],
        }]
    );
}

#[test]
fn unsubscribe_results_in_both_versions() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let mut pair = connected(version);
        let id = pair
            .client
            .unsubscribe(pair.now, vec!["a/b".into(), "c".into()])
            .unwrap();
        pair.drive();
        assert!(
            matches!(pair.expect_sent(), Packet::Unsubscribe(u) if u.packet_id == id && u.filters.len() == 2)
        );
        let codes = match version {
            ProtocolVersion::V5 => vec![ReasonCode::SUCCESS, ReasonCode::NO_SUBSCRIPTION_EXISTED],
            ProtocolVersion::V311 => vec![],
        };
        pair.server_send(Packet::UnsubAck(UnsubAck {
            packet_id: id,
            reason_codes: codes,
            properties: AckProperties::default(),
        }));
        let expected = match version {
            ProtocolVersion::V5 => vec![ReasonCode::SUCCESS, ReasonCode::NO_SUBSCRIPTION_EXISTED],
            ProtocolVersion::V311 => vec![ReasonCode::SUCCESS, ReasonCode::SUCCESS],
        };
        assert_eq!(
            pair.take_events(),
            vec![Event::Unsubscribed {
                packet_id: id,
                filters: vec!["a/b".into(), "c".into()],
                results: expected
            }]
        );
    }
}

#[test]
fn acknowledgements_for_unused_ids_are_protocol_errors() {
    let unknown = [
        (suback(7, &[0]), "SUBACK"),
        (
            Packet::UnsubAck(UnsubAck {
                packet_id: packet_id(7),
                reason_codes: vec![ReasonCode::SUCCESS],
                properties: AckProperties::default(),
            }),
            "UNSUBACK",
        ),
        (Packet::PubAck(ack(7, ReasonCode::SUCCESS)), "PUBACK"),
    ];
    for (packet, name) in unknown {
        let mut pair = connected(ProtocolVersion::V5);
        pair.server_send(packet.clone());
        assert!(
            matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::PROTOCOL_ERROR),
            "{packet:?}"
        );
        pair.expect_close();
        assert_eq!(
            pair.take_lost_reason(),
            ConnectionError::Protocol(ProtocolViolation::UnknownPacketId {
                packet: name,
                packet_id: packet_id(7)
            })
        );
    }
    // 3.1.1 has no DISCONNECT from the client for this: just close.
    let mut pair = connected(ProtocolVersion::V311);
    pair.server_send(suback(7, &[0]));
    pair.expect_nothing_sent();
    pair.expect_close();
}

#[test]
fn suback_with_wrong_result_count_is_a_protocol_error() {
    let mut pair = connected(ProtocolVersion::V5);
    let id = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("a", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .unwrap();
    pair.drive();
    pair.expect_sent();
    pair.server_send(suback(id.get(), &[0, 0]));
    assert!(
        matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::PROTOCOL_ERROR)
    );
    assert_eq!(
        pair.take_lost_reason(),
        ConnectionError::Protocol(ProtocolViolation::ResultCount {
            packet: "SUBACK",
            results: 2,
            filters: 1
        })
    );
}

#[test]
fn server_limits_refuse_subscriptions_clearly() {
    let properties = ConnAckProperties {
        wildcard_subscription_available: Some(false),
        shared_subscription_available: Some(false),
        subscription_identifiers_available: Some(false),
        ..ConnAckProperties::default()
    };
    let mut pair = Pair::connected(ClientOptions::new(ProtocolVersion::V5, "s"), properties);
    let now = pair.now;
    let none = SubscribeProperties::default;
    let refused = |pair: &mut Pair, filters, properties| {
        pair.client.subscribe(now, filters, properties).unwrap_err()
    };
    assert_eq!(
        refused(&mut pair, vec![filter("a/+", QoS::AtMostOnce)], none()),
        CommandError::WildcardSubscriptionsNotAvailable
    );
    assert_eq!(
        refused(
            &mut pair,
            vec![filter("$share/g/a", QoS::AtMostOnce)],
            none()
        ),
        CommandError::SharedSubscriptionsNotAvailable
    );
    let with_id = SubscribeProperties {
        subscription_identifier: Some(1),
        ..none()
    };
    let error = refused(&mut pair, vec![filter("a", QoS::AtMostOnce)], with_id);
    assert_eq!(error, CommandError::SubscriptionIdentifiersNotAvailable);
    assert_eq!(
        error.to_string(),
        "the server does not support subscription identifiers"
    );
    pair.drive();
    pair.expect_nothing_sent();
}

#[test]
fn invalid_filters_and_commands_while_offline_are_refused() {
    let mut pair = connected(ProtocolVersion::V5);
    let now = pair.now;
    let error = pair
        .client
        .subscribe(
            now,
            vec![filter("a/#/b", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .unwrap_err();
    assert!(matches!(error, CommandError::InvalidFilter(_)), "{error:?}");
    assert!(matches!(
        pair.client.unsubscribe(now, vec!["x+".into()]),
        Err(CommandError::InvalidFilter(_))
    ));
    assert_eq!(
        pair.client
            .subscribe(now, vec![], SubscribeProperties::default()),
        Err(CommandError::NoFilters)
    );
    let zero_id = SubscribeProperties {
        subscription_identifier: Some(0),
        ..SubscribeProperties::default()
    };
    assert_eq!(
        pair.client
            .subscribe(now, vec![filter("a", QoS::AtMostOnce)], zero_id),
        Err(CommandError::InvalidSubscriptionIdentifier(0))
    );
    pair.drive();
    pair.expect_nothing_sent();

    let mut offline = Pair::new(ClientOptions::new(ProtocolVersion::V5, "s"));
    assert_eq!(
        offline.client.subscribe(
            now,
            vec![filter("a", QoS::AtMostOnce)],
            SubscribeProperties::default()
        ),
        Err(CommandError::NotConnected)
    );
}

#[test]
fn version_311_subscribe_drops_version_5_options() {
    let mut pair = connected(ProtocolVersion::V311);
    let mut rich = filter("a", QoS::AtLeastOnce);
    rich.options.no_local = true;
    let properties = SubscribeProperties {
        subscription_identifier: Some(3),
        ..SubscribeProperties::default()
    };
    let id = pair
        .client
        .subscribe(pair.now, vec![rich], properties)
        .unwrap();
    pair.drive();
    assert_eq!(
        pair.expect_sent(),
        Packet::Subscribe(Subscribe {
            packet_id: id,
            filters: vec![filter("a", QoS::AtLeastOnce)],
            properties: SubscribeProperties::default(),
        })
    );
}

#[test]
fn packet_ids_are_shared_between_subscribe_unsubscribe_and_publish() {
    let mut pair = connected(ProtocolVersion::V5);
    let now = pair.now;
    let subscribe = pair
        .client
        .subscribe(
            now,
            vec![filter("a", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .unwrap();
    pair.client
        .publish(now, message("a", b"1", QoS::AtLeastOnce))
        .unwrap();
    let unsubscribe = pair.client.unsubscribe(now, vec!["a".into()]).unwrap();
    pair.drive();
    pair.expect_sent();
    let publish_id = match pair.expect_sent() {
        Packet::Publish(publish) => publish.delivery.packet_id().unwrap(),
        other => panic!("expected PUBLISH, got {other:?}"),
    };
    let mut ids = vec![subscribe, publish_id, unsubscribe];
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "distinct ids: {ids:?}");
}

#[test]
fn a_subscribe_while_connecting_is_held_and_sent_after_connack() {
    let mut pair = Pair::new(ClientOptions::new(ProtocolVersion::V5, "early"));
    pair.client.connect(pair.now);
    pair.drive();
    // Before the transport is even open, and again before CONNACK.
    let first = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("early/a", QoS::AtLeastOnce)],
            SubscribeProperties::default(),
        )
        .expect("held, not refused");
    pair.accept_open();
    pair.drive();
    assert!(matches!(pair.expect_sent(), Packet::Connect(_)));
    let second = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("early/b", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .expect("held, not refused");
    pair.expect_nothing_sent();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties::default(),
    }));
    // Each once, in order, under the ids the calls returned.
    for (id, name) in [(first, "early/a"), (second, "early/b")] {
        let Packet::Subscribe(subscribe) = pair.expect_sent() else {
            panic!("expected SUBSCRIBE for {name}")
        };
        assert_eq!(subscribe.packet_id, id);
        assert_eq!(subscribe.filters[0].filter, name);
    }
    pair.expect_nothing_sent();
    pair.server_send(suback(first.get(), &[1]));
    assert!(pair.take_events().contains(&Event::Subscribed {
        packet_id: first,
        filters: vec!["early/a".into()],
        results: vec![ReasonCode::GRANTED_QOS_1],
    }));
}

#[test]
fn a_held_subscribe_the_server_cannot_take_fails_alone() {
    let mut pair = Pair::new(ClientOptions::new(ProtocolVersion::V5, "early"));
    pair.client.connect(pair.now);
    pair.drive();
    let wildcard = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("early/#", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .unwrap();
    let plain = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("early/plain", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .unwrap();
    pair.accept_open();
    pair.drive();
    pair.expect_sent();
    pair.server_send(Packet::ConnAck(ConnAck {
        session_present: false,
        code: ReasonCode::SUCCESS,
        properties: ConnAckProperties {
            wildcard_subscription_available: Some(false),
            ..ConnAckProperties::default()
        },
    }));
    let Packet::Subscribe(sent) = pair.expect_sent() else {
        panic!("expected the plain SUBSCRIBE")
    };
    assert_eq!(sent.packet_id, plain);
    pair.expect_nothing_sent();
    assert!(pair.take_events().contains(&Event::SubscribeFailed {
        packet_id: wildcard,
        filters: vec!["early/#".into()],
        error: CommandError::WildcardSubscriptionsNotAvailable,
    }));
    // Forgotten: a later reconnect without a session does not bring it back.
    pair.reconnect(false, ConnAckProperties::default());
    let Packet::Subscribe(restored) = pair.expect_sent() else {
        panic!("expected the plain subscription restored")
    };
    assert_eq!(restored.filters[0].filter, "early/plain");
    pair.expect_nothing_sent();
}

#[test]
fn a_subscribe_while_reconnecting_goes_out_once_after_the_reconnect() {
    let mut pair = connected(ProtocolVersion::V311);
    pair.transport_closed("network down");
    let id = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("later", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .expect("held while reconnecting");
    pair.reconnect(false, ConnAckProperties::default());
    let Packet::Subscribe(subscribe) = pair.expect_sent() else {
        panic!("expected SUBSCRIBE")
    };
    assert_eq!(subscribe.packet_id, id);
    pair.expect_nothing_sent();
}

#[test]
fn a_subscribe_with_no_connection_wanted_is_refused() {
    let mut pair = Pair::new(ClientOptions::new(ProtocolVersion::V5, "idle"));
    assert_eq!(
        pair.client.subscribe(
            pair.now,
            vec![filter("t", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        ),
        Err(CommandError::NotConnected)
    );
    // A bad filter is refused as such whatever the state.
    assert!(matches!(
        pair.client.subscribe(
            pair.now,
            vec![filter("a/#/b", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        ),
        Err(CommandError::InvalidFilter(_))
    ));
}

#[test]
fn an_unsubscribe_while_reconnecting_is_held_and_the_filter_not_restored() {
    let mut pair = connected(ProtocolVersion::V5);
    for name in ["keep", "drop"] {
        pair.client
            .subscribe(
                pair.now,
                vec![filter(name, QoS::AtMostOnce)],
                SubscribeProperties::default(),
            )
            .unwrap();
        pair.drive();
        let Packet::Subscribe(subscribe) = pair.expect_sent() else {
            panic!("expected SUBSCRIBE")
        };
        pair.server_send(suback(subscribe.packet_id.get(), &[0]));
    }
    pair.transport_closed("network down");
    let id = pair
        .client
        .unsubscribe(pair.now, vec!["drop".into()])
        .expect("held while reconnecting");
    pair.expect_nothing_sent();
    pair.reconnect(false, ConnAckProperties::default());
    // The held UNSUBSCRIBE, then only the filter still wanted comes back.
    assert!(matches!(
        pair.expect_sent(),
        Packet::Unsubscribe(Unsubscribe { packet_id, filters, .. })
            if packet_id == id && filters == ["drop"]
    ));
    let Packet::Subscribe(restored) = pair.expect_sent() else {
        panic!("expected the restored SUBSCRIBE")
    };
    assert_eq!(restored.filters, [filter("keep", QoS::AtMostOnce)]);
    pair.expect_nothing_sent();
}

#[test]
fn a_held_request_that_ends_the_connection_leaves_the_next_one_held() {
    let mut pair = connected(ProtocolVersion::V5);
    pair.transport_closed("network down");
    let long = "u".repeat(64);
    pair.client
        .unsubscribe(pair.now, vec![long.clone()])
        .expect("held while reconnecting");
    let held = pair
        .client
        .subscribe(
            pair.now,
            vec![filter("s", QoS::AtMostOnce)],
            SubscribeProperties::default(),
        )
        .expect("held while reconnecting");
    pair.take_events();
    // This server takes packets of 20 bytes at most: the UNSUBSCRIBE cannot go, which ends
    // the connection before the SUBSCRIBE's turn.
    pair.reconnect(
        false,
        ConnAckProperties {
            maximum_packet_size: Some(20),
            ..ConnAckProperties::default()
        },
    );
    let events = pair.take_events();
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, Event::SubscribeFailed { .. })),
        "{events:?}"
    );
    let losses = events
        .iter()
        .filter(
            |event| matches!(event, Event::StateChanged(state) if state.ended_because().is_some()),
        )
        .count();
    assert_eq!(losses, 1, "one loss, not one per request left: {events:?}");
    pair.expect_nothing_sent();
    pair.expect_close();
    // Held still: it goes out on the next connection.
    pair.reconnect(false, ConnAckProperties::default());
    assert!(matches!(
        pair.expect_sent(),
        Packet::Unsubscribe(Unsubscribe { filters, .. }) if filters == [long]
    ));
    assert!(matches!(
        pair.expect_sent(),
        Packet::Subscribe(Subscribe { packet_id, .. }) if packet_id == held
    ));
}
