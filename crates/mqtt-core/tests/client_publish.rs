//! Outgoing PUBLISH transcripts: QoS 0/1/2 flows, v5 properties, and the server's limits
//! (after Mosquitto's 03-publish-c2b-* and 11-prop-* client tests).

mod support;

use mqtt_core::*;
use support::pair::*;

fn connected(version: ProtocolVersion, properties: ConnAckProperties) -> Pair {
    Pair::connected(ClientOptions::new(version, "publish-test"), properties)
}

#[test]
fn qos0_is_published_when_handed_to_the_transport() {
    let mut pair = connected(ProtocolVersion::V311, ConnAckProperties::default());
    let mut outgoing = message("pub/qos0/test", b"message", QoS::AtMostOnce);
    outgoing.retain = true;
    let id = pair.client.publish(pair.now, outgoing).unwrap();
    pair.drive();
    let publish = pair.expect_publish();
    assert_eq!(publish.delivery, Delivery::AtMostOnce);
    assert!(publish.retain && !publish.dup);
    assert_eq!(
        (publish.topic.as_str(), &publish.payload[..]),
        ("pub/qos0/test", &b"message"[..])
    );
    assert_eq!(pair.take_published(), vec![(id, Ok(()))]);
}

#[test]
fn qos1_completes_on_puback_with_every_v5_property() {
    let mut pair = connected(ProtocolVersion::V5, ConnAckProperties::default());
    let properties = PublishProperties {
        payload_format_indicator: Some(1),
        message_expiry_interval: Some(60),
        response_topic: Some("reply/here".into()),
        correlation_data: Some(Bytes::from_static(b"\x01\x02")),
        user_properties: vec![("trace".into(), "abc".into())],
        content_type: Some("application/json".into()),
        ..PublishProperties::default()
    };
    let mut outgoing = message("pub/qos1/test", b"{}", QoS::AtLeastOnce);
    outgoing.properties = properties.clone();
    let id = pair.client.publish(pair.now, outgoing).unwrap();
    pair.drive();
    let publish = pair.expect_publish();
    assert_eq!(publish.properties, properties);
    let packet_id = publish.delivery.packet_id().expect("QoS 1 has a packet id");
    assert!(
        pair.take_published().is_empty(),
        "not complete before PUBACK"
    );
    pair.server_send(Packet::PubAck(ack(packet_id.get(), ReasonCode::SUCCESS)));
    assert_eq!(pair.take_published(), vec![(id, Ok(()))]);
}

#[test]
fn qos2_completes_on_pubcomp_after_pubrel() {
    let mut pair = connected(ProtocolVersion::V5, ConnAckProperties::default());
    let id = pair
        .client
        .publish(
            pair.now,
            message("pub/qos2/test", b"message", QoS::ExactlyOnce),
        )
        .unwrap();
    pair.drive();
    let packet_id = pair.expect_publish().delivery.packet_id().unwrap().get();
    pair.server_send(Packet::PubRec(ack(packet_id, ReasonCode::SUCCESS)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubRel(ack(packet_id, ReasonCode::SUCCESS))
    );
    assert!(pair.take_published().is_empty());
    // A duplicate PUBREC gets the PUBREL again.
    pair.server_send(Packet::PubRec(ack(packet_id, ReasonCode::SUCCESS)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubRel(ack(packet_id, ReasonCode::SUCCESS))
    );
    pair.server_send(Packet::PubComp(ack(packet_id, ReasonCode::SUCCESS)));
    assert_eq!(pair.take_published(), vec![(id, Ok(()))]);
    pair.expect_nothing_sent();
}

#[test]
fn error_reason_codes_fail_the_publish_in_words() {
    // Mosquitto's 03-publish-c2b-qos2-pubrec-error: a failing PUBREC ends the flow, no PUBREL.
    let mut pair = connected(ProtocolVersion::V5, ConnAckProperties::default());
    let first = pair
        .client
        .publish(pair.now, message("t", b"1", QoS::ExactlyOnce))
        .unwrap();
    let second = pair
        .client
        .publish(pair.now, message("t", b"2", QoS::AtLeastOnce))
        .unwrap();
    pair.drive();
    let first_packet = pair.expect_publish().delivery.packet_id().unwrap().get();
    let second_packet = pair.expect_publish().delivery.packet_id().unwrap().get();
    pair.server_send(Packet::PubRec(ack(
        first_packet,
        ReasonCode::NOT_AUTHORIZED,
    )));
    pair.expect_nothing_sent();
    let mut quota = ack(second_packet, ReasonCode::QUOTA_EXCEEDED);
    quota.properties.reason_string = Some("slow down".into());
    pair.server_send(Packet::PubAck(quota));
    assert_eq!(
        pair.take_published(),
        [
            (
                first,
                Err(PublishError::Refused {
                    code: ReasonCode::NOT_AUTHORIZED,
                    context: ReasonContext::PubRec,
                    reason_string: None
                })
            ),
            (
                second,
                Err(PublishError::Refused {
                    code: ReasonCode::QUOTA_EXCEEDED,
                    context: ReasonContext::PubAck,
                    reason_string: Some("slow down".into())
                })
            )
        ]
    );
}

#[test]
fn pubrec_for_unknown_id_is_released_with_not_found() {
    let mut pair = connected(ProtocolVersion::V5, ConnAckProperties::default());
    pair.server_send(Packet::PubRec(ack(99, ReasonCode::SUCCESS)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubRel(ack(99, ReasonCode::PACKET_IDENTIFIER_NOT_FOUND))
    );
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
}

#[test]
fn receive_maximum_holds_publishes_until_acks_free_slots() {
    // Mosquitto's 03-publish-c2b-qos1-receive-maximum: receive maximum 3, six QoS 1 publishes.
    let properties = ConnAckProperties {
        receive_maximum: Some(3),
        ..ConnAckProperties::default()
    };
    let mut pair = connected(ProtocolVersion::V5, properties);
    for _ in 0..6 {
        pair.client
            .publish(pair.now, message("topic", b"12345", QoS::AtLeastOnce))
            .unwrap();
    }
    pair.drive();
    let ids: Vec<u16> = (0..3)
        .map(|_| pair.expect_publish().delivery.packet_id().unwrap().get())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    pair.expect_nothing_sent();
    pair.server_send(Packet::PubAck(ack(1, ReasonCode::SUCCESS)));
    pair.server_send(Packet::PubAck(ack(2, ReasonCode::SUCCESS)));
    assert_eq!(pair.expect_publish().delivery, qos1(4));
    assert_eq!(pair.expect_publish().delivery, qos1(5));
    pair.expect_nothing_sent();
    pair.server_send(Packet::PubAck(ack(3, ReasonCode::SUCCESS)));
    assert_eq!(pair.expect_publish().delivery, qos1(6));
    // QoS 0 needs no slot, but does not overtake a QoS 1 publish waiting for one.
    pair.client
        .publish(pair.now, message("topic", b"7", QoS::AtLeastOnce))
        .unwrap();
    pair.client
        .publish(pair.now, message("topic", b"q0", QoS::AtMostOnce))
        .unwrap();
    pair.drive();
    pair.expect_nothing_sent();
    pair.server_send(Packet::PubAck(ack(4, ReasonCode::SUCCESS)));
    assert_eq!(pair.expect_publish().delivery, qos1(7));
    assert_eq!(pair.expect_publish().delivery, Delivery::AtMostOnce);
}

#[test]
fn qos2_counts_against_receive_maximum_until_pubcomp() {
    // Mosquitto's 03-publish-c2b-qos2-receive-maximum.
    let properties = ConnAckProperties {
        receive_maximum: Some(1),
        ..ConnAckProperties::default()
    };
    let mut pair = connected(ProtocolVersion::V5, properties);
    pair.client
        .publish(pair.now, message("topic", b"a", QoS::ExactlyOnce))
        .unwrap();
    pair.client
        .publish(pair.now, message("topic", b"b", QoS::ExactlyOnce))
        .unwrap();
    pair.drive();
    assert_eq!(pair.expect_publish().delivery, qos2(1));
    pair.expect_nothing_sent();
    pair.server_send(Packet::PubRec(ack(1, ReasonCode::SUCCESS)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubRel(ack(1, ReasonCode::SUCCESS))
    );
    pair.expect_nothing_sent();
    pair.server_send(Packet::PubComp(ack(1, ReasonCode::SUCCESS)));
    assert_eq!(pair.expect_publish().delivery, qos2(2));
}

#[test]
fn maximum_qos_and_retain_availability_refuse_clearly() {
    // Mosquitto's 03-publish-c2b-qos2-maximum-qos-0/1.
    let properties = ConnAckProperties {
        maximum_qos: Some(QoS::AtLeastOnce),
        retain_available: Some(false),
        ..ConnAckProperties::default()
    };
    let mut pair = connected(ProtocolVersion::V5, properties);
    let error = pair
        .client
        .publish(pair.now, message("t", b"x", QoS::ExactlyOnce))
        .unwrap_err();
    assert_eq!(
        error,
        CommandError::QoSNotSupported {
            requested: QoS::ExactlyOnce,
            maximum: QoS::AtLeastOnce
        }
    );
    assert_eq!(
        error.to_string(),
        "the server accepts QoS 1 at most, not QoS 2"
    );
    let mut retained = message("t", b"x", QoS::AtMostOnce);
    retained.retain = true;
    assert_eq!(
        pair.client.publish(pair.now, retained),
        Err(CommandError::RetainNotAvailable)
    );
    pair.drive();
    pair.expect_nothing_sent();
    assert!(pair
        .client
        .publish(pair.now, message("t", b"x", QoS::AtLeastOnce))
        .is_ok());
}

#[test]
fn oversize_publish_is_refused_before_anything_is_sent() {
    // Mosquitto's 11-prop-oversize-packet: the server's maximum packet size is 30 bytes.
    let properties = ConnAckProperties {
        maximum_packet_size: Some(30),
        receive_maximum: Some(1),
        ..ConnAckProperties::default()
    };
    let mut pair = connected(ProtocolVersion::V5, properties);
    let big = message(
        "pub/test",
        b"0123456789012345678901234567890",
        QoS::AtMostOnce,
    );
    let error = pair.client.publish(pair.now, big.clone()).unwrap_err();
    assert!(
        matches!(error, CommandError::PacketTooLarge { maximum: 30, size } if size > 30),
        "{error:?}"
    );
    assert!(error.to_string().contains("30 bytes"), "{error}");
    // A small one still goes, and takes the only slot.
    pair.client
        .publish(pair.now, message("pub/test", b"ok", QoS::AtLeastOnce))
        .unwrap();
    pair.drive();
    assert_eq!(&pair.expect_publish().payload[..], b"ok");
    // A big one that would wait for a slot is refused now, not when its turn comes.
    let mut queued = big;
    queued.qos = QoS::AtLeastOnce;
    assert!(matches!(
        pair.client.publish(pair.now, queued),
        Err(CommandError::PacketTooLarge { .. })
    ));
    pair.server_send(Packet::PubAck(ack(1, ReasonCode::SUCCESS)));
    pair.expect_nothing_sent();
    assert_eq!(pair.take_published().len(), 1, "only the small one");
}

#[test]
fn invalid_topics_and_properties_are_refused() {
    let mut pair = connected(ProtocolVersion::V5, ConnAckProperties::default());
    let now = pair.now;
    assert!(matches!(
        pair.client
            .publish(now, message("a/+", b"", QoS::AtMostOnce)),
        Err(CommandError::InvalidTopic(_))
    ));
    assert!(matches!(
        pair.client.publish(now, message("", b"", QoS::AtMostOnce)),
        Err(CommandError::InvalidTopic(_))
    ));
    let mut aliased = message("a", b"", QoS::AtMostOnce);
    aliased.properties.topic_alias = Some(1);
    assert_eq!(
        pair.client.publish(now, aliased),
        Err(CommandError::UnsupportedProperty(
            ManagedProperty::TopicAlias
        ))
    );
    pair.drive();
    pair.expect_nothing_sent();
    let never_connected = Pair::new(ClientOptions::new(ProtocolVersion::V5, "x"))
        .client
        .publish(now, message("a", b"", QoS::AtMostOnce));
    assert_eq!(never_connected, Err(CommandError::NotConnected));
}

#[test]
fn version_311_publish_drops_version_5_properties() {
    let mut pair = connected(ProtocolVersion::V311, ConnAckProperties::default());
    let mut outgoing = message("t", b"x", QoS::AtLeastOnce);
    outgoing.properties.content_type = Some("text/plain".into());
    pair.client.publish(pair.now, outgoing).unwrap();
    pair.drive();
    assert_eq!(
        pair.expect_publish().properties,
        PublishProperties::default()
    );
}

fn wire_topic_and_alias(pair: &mut Pair) -> (String, Option<u16>) {
    let publish = pair.expect_publish();
    (publish.topic, publish.properties.topic_alias)
}

#[test]
fn topics_get_aliases_up_to_the_server_maximum_per_connection() {
    let limits = ConnAckProperties {
        topic_alias_maximum: Some(2),
        ..ConnAckProperties::default()
    };
    let mut pair = connected(ProtocolVersion::V5, limits.clone());
    for topic in ["a", "a", "b", "c", "b", "c"] {
        pair.client
            .publish(pair.now, message(topic, b"x", QoS::AtMostOnce))
            .unwrap();
    }
    pair.drive();
    let expected = [
        ("a", Some(1)), // sets alias 1
        ("", Some(1)),  // uses it
        ("b", Some(2)),
        ("c", None), // the server takes two aliases only
        ("", Some(2)),
        ("c", None),
    ];
    for (topic, alias) in expected {
        assert_eq!(wire_topic_and_alias(&mut pair), (topic.to_string(), alias));
    }

    // A new connection starts with no aliases: the first use sets it again.
    pair.reconnect(false, limits);
    pair.client
        .publish(pair.now, message("a", b"x", QoS::AtMostOnce))
        .unwrap();
    pair.drive();
    assert_eq!(wire_topic_and_alias(&mut pair), ("a".to_string(), Some(1)));
}

#[test]
fn a_resend_on_a_new_connection_carries_its_full_topic() {
    let limits = ConnAckProperties {
        topic_alias_maximum: Some(1),
        ..ConnAckProperties::default()
    };
    let mut options = ClientOptions::new(ProtocolVersion::V5, "alias-resend");
    options.clean_start = false;
    options.session_expiry_interval = Some(60);
    let mut pair = Pair::connected(options, limits.clone());
    for _ in 0..2 {
        pair.client
            .publish(pair.now, message("t/1", b"x", QoS::AtLeastOnce))
            .unwrap();
    }
    pair.drive();
    assert_eq!(
        wire_topic_and_alias(&mut pair),
        ("t/1".to_string(), Some(1))
    );
    assert_eq!(wire_topic_and_alias(&mut pair), (String::new(), Some(1)));

    pair.reconnect(true, limits);
    for _ in 0..2 {
        let resent = pair.expect_publish();
        assert!(resent.dup, "a resend has DUP");
        assert_eq!(
            (resent.topic.as_str(), resent.properties.topic_alias),
            ("t/1", None)
        );
    }
}

#[test]
fn version_311_never_aliases() {
    let mut pair = connected(ProtocolVersion::V311, ConnAckProperties::default());
    for _ in 0..2 {
        pair.client
            .publish(pair.now, message("plain", b"x", QoS::AtMostOnce))
            .unwrap();
    }
    pair.drive();
    for _ in 0..2 {
        assert_eq!(wire_topic_and_alias(&mut pair), ("plain".to_string(), None));
    }
}
