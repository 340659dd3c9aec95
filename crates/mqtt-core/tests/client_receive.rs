//! Incoming PUBLISH transcripts: acknowledgements, QoS 2 exactly once, topic aliases, and
//! hostile or malformed input (after Mosquitto's 03-publish-b2c-* client tests).

mod support;

use mqtt_core::*;
use support::pair::*;

fn connected(version: ProtocolVersion) -> Pair {
    Pair::connected(
        ClientOptions::new(version, "receive-test"),
        ConnAckProperties::default(),
    )
}

fn messages(pair: &mut Pair) -> Vec<Publish> {
    pair.take_events()
        .into_iter()
        .filter_map(|event| match event {
            Event::Message(publish) => Some(publish),
            _ => None,
        })
        .collect()
}

#[test]
fn qos0_and_qos1_are_delivered_and_qos1_acknowledged() {
    let mut pair = connected(ProtocolVersion::V311);
    pair.server_send(server_publish("a", b"zero", Delivery::AtMostOnce));
    pair.expect_nothing_sent();
    pair.server_send(server_publish("pub/qos1/receive", b"message", qos1(123)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubAck(ack(123, ReasonCode::SUCCESS))
    );
    let received = messages(&mut pair);
    assert_eq!(received.len(), 2);
    assert_eq!(
        (received[0].topic.as_str(), &received[0].payload[..]),
        ("a", &b"zero"[..])
    );
    assert_eq!(received[1].delivery, qos1(123));
}

#[test]
fn qos2_is_delivered_exactly_once_across_a_resent_publish() {
    // Mosquitto's 03-publish-b2c-qos2, plus the server resending before PUBREL.
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let mut pair = connected(version);
        pair.server_send(server_publish("pub/qos2/receive", b"message", qos2(13423)));
        assert_eq!(
            pair.expect_sent(),
            Packet::PubRec(ack(13423, ReasonCode::SUCCESS))
        );
        assert_eq!(messages(&mut pair).len(), 1);
        let Packet::Publish(mut again) =
            server_publish("pub/qos2/receive", b"message", qos2(13423))
        else {
            unreachable!()
        };
        again.dup = true;
        pair.server_send(Packet::Publish(again));
        assert_eq!(
            pair.expect_sent(),
            Packet::PubRec(ack(13423, ReasonCode::SUCCESS))
        );
        assert!(messages(&mut pair).is_empty(), "not delivered twice");
        pair.server_send(Packet::PubRel(ack(13423, ReasonCode::SUCCESS)));
        assert_eq!(
            pair.expect_sent(),
            Packet::PubComp(ack(13423, ReasonCode::SUCCESS))
        );
        // After PUBREL the id is free: the same id is a new message.
        pair.server_send(server_publish("pub/qos2/receive", b"next", qos2(13423)));
        assert_eq!(messages(&mut pair).len(), 1);
    }
}

#[test]
fn unexpected_pubrel_is_completed_with_not_found() {
    // Mosquitto's 03-publish-b2c-qos2-unexpected-pubrel.
    let mut pair = connected(ProtocolVersion::V5);
    pair.server_send(Packet::PubRel(ack(13423, ReasonCode::SUCCESS)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubComp(ack(13423, ReasonCode::PACKET_IDENTIFIER_NOT_FOUND))
    );
    let mut pair = connected(ProtocolVersion::V311);
    pair.server_send(Packet::PubRel(ack(13423, ReasonCode::SUCCESS)));
    assert_eq!(
        pair.expect_sent(),
        Packet::PubComp(ack(13423, ReasonCode::SUCCESS))
    );
    assert!(matches!(
        pair.client.state(),
        ConnectionState::Connected { .. }
    ));
}

#[test]
fn too_many_unreleased_qos2_messages_break_our_receive_maximum() {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "r");
    options.receive_maximum = Some(2);
    let mut pair = Pair::connected(options, ConnAckProperties::default());
    pair.server_send(server_publish("t", b"1", qos2(1)));
    pair.server_send(server_publish("t", b"2", qos2(2)));
    assert_eq!(messages(&mut pair).len(), 2);
    pair.expect_sent();
    pair.expect_sent();
    pair.server_send(server_publish("t", b"3", qos2(3)));
    assert!(
        matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::RECEIVE_MAXIMUM_EXCEEDED)
    );
    assert_eq!(
        pair.take_lost_reason(),
        ConnectionError::Protocol(ProtocolViolation::ReceiveMaximumExceeded { maximum: 2 })
    );
}

fn aliased(topic: &str, alias: u16, payload: &'static [u8]) -> Packet {
    let Packet::Publish(mut publish) = server_publish(topic, payload, Delivery::AtMostOnce) else {
        unreachable!()
    };
    publish.properties.topic_alias = Some(alias);
    Packet::Publish(publish)
}

fn alias_pair(maximum: Option<u16>) -> Pair {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "alias-test");
    options.topic_alias_maximum = maximum;
    Pair::connected(options, ConnAckProperties::default())
}

#[test]
fn incoming_topic_aliases_are_resolved() {
    let mut pair = alias_pair(Some(2));
    pair.server_send(aliased("sensors/kitchen", 1, b"a"));
    pair.server_send(aliased("", 1, b"b"));
    pair.server_send(aliased("sensors/hall", 1, b"c"));
    pair.server_send(aliased("", 1, b"d"));
    let topics: Vec<String> = messages(&mut pair)
        .into_iter()
        .map(|publish| publish.topic)
        .collect();
    assert_eq!(
        topics,
        [
            "sensors/kitchen",
            "sensors/kitchen",
            "sensors/hall",
            "sensors/hall"
        ]
    );
}

#[test]
fn alias_beyond_our_maximum_is_topic_alias_invalid() {
    for (maximum, alias) in [(Some(2), 3), (None, 1)] {
        let mut pair = alias_pair(maximum);
        pair.server_send(aliased("t", alias, b"x"));
        assert!(
            matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::TOPIC_ALIAS_INVALID)
        );
        pair.expect_close();
        assert_eq!(
            pair.take_lost_reason(),
            ConnectionError::Protocol(ProtocolViolation::TopicAliasOutOfRange {
                alias,
                maximum: maximum.unwrap_or(0)
            })
        );
    }
}

#[test]
fn unknown_alias_with_empty_topic_is_a_protocol_error() {
    let mut pair = alias_pair(Some(5));
    pair.server_send(aliased("", 4, b"x"));
    assert!(
        matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::PROTOCOL_ERROR)
    );
    assert_eq!(
        pair.take_lost_reason(),
        ConnectionError::Protocol(ProtocolViolation::TopicAliasUnknown { alias: 4 })
    );
    assert!(messages(&mut pair).is_empty());
}

#[test]
fn malformed_bytes_end_the_connection_without_panicking() {
    // A PUBLISH whose topic length runs past the packet, then a CONNECT from the "server".
    let hostile: [&[u8]; 3] = [
        &[0x30, 0x03, 0x00, 0x10, b'a'],
        &[0x10, 0x00],
        &[0xF0, 0x00],
    ];
    for bytes in hostile {
        let mut pair = connected(ProtocolVersion::V5);
        pair.server_send_bytes(bytes);
        let Packet::Disconnect(disconnect) = pair.expect_sent() else {
            panic!("expected DISCONNECT for {bytes:?}")
        };
        assert!(
            disconnect.reason == ReasonCode::MALFORMED_PACKET
                || disconnect.reason == ReasonCode::PROTOCOL_ERROR,
            "{bytes:?}: {disconnect:?}"
        );
        pair.expect_close();
        assert!(matches!(
            pair.take_lost_reason(),
            ConnectionError::Protocol(ProtocolViolation::Decode(_))
        ));
        // Later bytes on the dead connection are ignored.
        pair.server_send_bytes(&[0x30, 0x03, 0x00, 0x01, b'a']);
        pair.expect_nothing_sent();
        assert!(pair.take_events().is_empty());
    }
}

#[test]
fn hostile_length_is_packet_too_large_before_it_is_buffered() {
    let mut options = ClientOptions::new(ProtocolVersion::V5, "small");
    options.maximum_packet_size = Some(1024);
    let mut pair = Pair::connected(options, ConnAckProperties::default());
    // A PUBLISH announcing a 200 MB body.
    pair.server_send_bytes(&[0x30, 0x80, 0x80, 0x80, 0x64]);
    assert!(
        matches!(pair.expect_sent(), Packet::Disconnect(d) if d.reason == ReasonCode::PACKET_TOO_LARGE)
    );
    pair.expect_close();
}

#[test]
fn version_311_protocol_errors_just_close() {
    let mut pair = connected(ProtocolVersion::V311);
    pair.server_send_bytes(&[0x30, 0x03, 0x00, 0x10, b'a']);
    pair.expect_nothing_sent();
    pair.expect_close();
    assert!(matches!(
        pair.take_lost_reason(),
        ConnectionError::Protocol(ProtocolViolation::Decode(_))
    ));
}

#[test]
fn many_packets_in_one_call_and_one_byte_at_a_time() {
    let mut wire = Vec::new();
    for index in 0..1000u16 {
        let packet = server_publish("bulk", b"payload", qos1(index + 1));
        wire.extend(mqtt_core::codec::encode(&packet, ProtocolVersion::V5, None).unwrap());
    }
    let mut batched = connected(ProtocolVersion::V5);
    batched.server_send_bytes(&wire);
    assert_eq!(messages(&mut batched).len(), 1000);
    for index in 0..1000u16 {
        assert_eq!(
            batched.expect_sent(),
            Packet::PubAck(ack(index + 1, ReasonCode::SUCCESS))
        );
    }

    let mut trickled = connected(ProtocolVersion::V5);
    for byte in &wire[..wire.len() / 10] {
        trickled.server_send_bytes(std::slice::from_ref(byte));
    }
    assert_eq!(messages(&mut trickled).len(), 100);
}
