//! The defects reproduced in mqttbytes 0.6, and the holes found in mqttbytes-ng 0.7.1, each
//! as a test of our codec: none of them may reach a user.

use core::num::NonZeroU16;

use mqtt_core::codec::MAX_PACKET_SIZE;
use mqtt_core::*;

fn id(value: u16) -> PacketId {
    NonZeroU16::new(value).expect("test ids are non-zero")
}

fn decode_all(version: ProtocolVersion, bytes: &[u8]) -> Vec<Result<Packet, DecodeError>> {
    let mut decoder = Decoder::new(version, MAX_PACKET_SIZE);
    decoder.feed(bytes).expect("fixed headers are fine");
    let mut results = Vec::new();
    loop {
        match decoder.next_packet() {
            Ok(Some(packet)) => results.push(Ok(packet)),
            Ok(None) => break,
            Err(error) => results.push(Err(error)),
        }
    }
    results
}

fn decode_one(version: ProtocolVersion, bytes: &[u8]) -> Result<Packet, DecodeError> {
    let mut results = decode_all(version, bytes);
    assert_eq!(results.len(), 1, "exactly one packet in {bytes:02X?}");
    results.remove(0)
}

fn publish(topic: &str, delivery: Delivery) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        delivery,
        retain: false,
        topic: topic.into(),
        payload: Bytes::from_static(b"payload"),
        properties: PublishProperties::default(),
    })
}

#[test]
fn v5_disconnect_without_reason_decodes() {
    let packet = decode_one(ProtocolVersion::V5, &[0xE0, 0x00]).expect("valid DISCONNECT");
    assert_eq!(
        packet,
        Packet::Disconnect(Disconnect {
            reason: ReasonCode::NORMAL_DISCONNECTION,
            properties: DisconnectProperties::default(),
        })
    );
}

#[test]
fn v5_disconnect_with_reason_only_decodes() {
    // mqttbytes-ng 0.7.1 wants a property length after the reason code; MQTT 5 lets it go.
    let packet = decode_one(ProtocolVersion::V5, &[0xE0, 0x01, 0x8E]).expect("valid DISCONNECT");
    assert_eq!(
        packet,
        Packet::Disconnect(Disconnect {
            reason: ReasonCode::SESSION_TAKEN_OVER,
            properties: DisconnectProperties::default(),
        })
    );
}

#[test]
fn malformed_property_varint_is_an_error_and_keeps_sync() {
    // A PUBACK whose property length is a continuation byte with nothing after it, inside a
    // complete frame, then a PINGRESP.
    let bytes = [0x40, 0x04, 0x00, 0x01, 0x00, 0x80, 0xD0, 0x00];
    let results = decode_all(ProtocolVersion::V5, &bytes);
    assert_eq!(results.len(), 2, "{results:?}");
    let error = results[0].clone().expect_err("malformed property length");
    assert_eq!(error.reason_code(), ReasonCode::MALFORMED_PACKET);
    assert_eq!(results[1], Ok(Packet::PingResp));
}

#[test]
fn topic_over_65535_bytes_is_refused_before_encoding() {
    let topic = "t".repeat(70_000);
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let error = encode(&publish(&topic, Delivery::AtMostOnce), version, None)
            .expect_err("too long for a 16-bit length");
        assert_eq!(
            error,
            EncodeError::InvalidTopic(TopicError::TooLong { len: 70_000 })
        );
    }
}

#[test]
fn user_property_over_65535_bytes_is_refused_before_encoding() {
    let mut properties = PublishProperties::default();
    properties
        .user_properties
        .push(("k".into(), "v".repeat(65_536)));
    let packet = Packet::Publish(Publish {
        dup: false,
        delivery: Delivery::AtMostOnce,
        retain: false,
        topic: "a".into(),
        payload: Bytes::new(),
        properties,
    });
    assert!(matches!(
        encode(&packet, ProtocolVersion::V5, None),
        Err(EncodeError::StringTooLong { len: 65_536, .. })
    ));
}

#[test]
fn qos1_publish_always_carries_its_packet_id() {
    // QoS 1 without an id cannot be built; with one, the id is on the wire.
    let bytes = encode(
        &publish("a", Delivery::AtLeastOnce(id(7))),
        ProtocolVersion::V311,
        None,
    )
    .expect("valid PUBLISH");
    assert_eq!(&bytes[..7], &[0x32, 0x0C, 0x00, 0x01, b'a', 0x00, 0x07]);
}

#[test]
fn publish_with_packet_id_zero_is_malformed() {
    let bytes = [0x32, 0x05, 0x00, 0x01, b'a', 0x00, 0x00];
    let error = decode_one(ProtocolVersion::V311, &bytes).expect_err("packet id 0");
    assert_eq!(error.reason_code(), ReasonCode::MALFORMED_PACKET);
}

#[test]
fn subscribe_with_reserved_flags_0x80_is_malformed() {
    let bytes = [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', 0x00];
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let error = decode_one(version, &bytes).expect_err("SUBSCRIBE flags must be 0b0010");
        assert_eq!(error.reason_code(), ReasonCode::MALFORMED_PACKET);
    }
}

#[test]
fn reserved_flags_are_checked_for_every_packet_type() {
    // The shortest valid body of each type, then the same with a wrong flag nibble.
    let bodies: [(u8, &[u8]); 4] = [
        (0x40, &[0x00, 0x01]),
        (0x62, &[0x00, 0x01]),
        (0xA2, &[0x00, 0x01, 0x00, 0x01, b'a']),
        (0xC0, &[]),
    ];
    for (byte1, body) in bodies {
        let mut good = vec![byte1, body.len() as u8];
        good.extend_from_slice(body);
        decode_one(ProtocolVersion::V311, &good).expect("valid packet");
        let mut bad = good.clone();
        bad[0] ^= 0x01;
        let error = decode_one(ProtocolVersion::V311, &bad).expect_err("wrong flags");
        assert_eq!(
            error.reason_code(),
            ReasonCode::MALFORMED_PACKET,
            "{bad:02X?}"
        );
    }
}

#[test]
fn publish_with_qos_3_is_malformed() {
    let bytes = [0x36, 0x05, 0x00, 0x01, b'a', 0x00, 0x01];
    assert!(decode_one(ProtocolVersion::V311, &bytes).is_err());
}

#[test]
fn publish_to_wildcard_or_empty_topic_is_refused() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        assert_eq!(
            encode(&publish("a/#", Delivery::AtMostOnce), version, None),
            Err(EncodeError::InvalidTopic(TopicError::WildcardInTopicName))
        );
        assert_eq!(
            encode(&publish("", Delivery::AtMostOnce), version, None),
            Err(EncodeError::InvalidTopic(TopicError::Empty))
        );
    }
    // And on the way in.
    let wildcard = [0x30, 0x05, 0x00, 0x03, b'a', b'/', b'#'];
    let empty = [0x30, 0x02, 0x00, 0x00];
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let mut wildcard = wildcard.to_vec();
        let mut empty = empty.to_vec();
        if version == ProtocolVersion::V5 {
            // a zero property length
            wildcard.push(0);
            wildcard[1] += 1;
            empty.push(0);
            empty[1] += 1;
        }
        assert!(decode_one(version, &wildcard).is_err(), "{version:?}");
        assert!(decode_one(version, &empty).is_err(), "{version:?}");
    }
}

#[test]
fn packet_larger_than_limit_fails_before_buffering() {
    let mut decoder = Decoder::new(ProtocolVersion::V5, 1024);
    // A PUBLISH announcing 256 MB.
    let error = decoder
        .feed(&[0x30, 0xFF, 0xFF, 0xFF, 0x7F])
        .expect_err("over the limit");
    assert_eq!(
        error,
        DecodeError::PacketTooLarge {
            size: 5 + 268_435_455,
            maximum: 1024
        }
    );
    assert_eq!(error.reason_code(), ReasonCode::PACKET_TOO_LARGE);
    assert_eq!(decoder.buffered_len(), 0);
    assert!(decoder.feed(&[0; 100]).is_err(), "the failure sticks");
}

#[test]
fn trailing_bytes_inside_a_frame_are_malformed() {
    // PUBACK with an extra byte after its packet id (3.1.1), UNSUBACK likewise.
    for bytes in [
        [0x40, 0x03, 0x00, 0x01, 0x00],
        [0xB0, 0x03, 0x00, 0x01, 0x00],
    ] {
        let error = decode_one(ProtocolVersion::V311, &bytes).expect_err("trailing byte");
        assert!(
            matches!(error, DecodeError::Malformed { .. }),
            "{bytes:02X?}: {error}"
        );
    }
}

#[test]
fn remaining_length_of_five_bytes_is_malformed() {
    let mut decoder = Decoder::new(ProtocolVersion::V311, MAX_PACKET_SIZE);
    let error = decoder
        .feed(&[0x30, 0x80, 0x80, 0x80, 0x80, 0x01])
        .expect_err("five length bytes");
    assert_eq!(error.reason_code(), ReasonCode::MALFORMED_PACKET);
    // Before its type is known, a packet has no name: the words call it "incoming".
    assert_eq!(
        error,
        DecodeError::Malformed {
            packet: None,
            detail: codec::Malformation::RemainingLengthTooLong,
        }
    );
    assert_eq!(
        error.to_string(),
        "malformed incoming packet: the remaining length is longer than four bytes"
    );
}

#[test]
fn string_with_null_character_is_malformed() {
    let bytes = [0x30, 0x05, 0x00, 0x03, b'a', 0x00, b'b'];
    let error = decode_one(ProtocolVersion::V311, &bytes).expect_err("U+0000");
    assert_eq!(error.reason_code(), ReasonCode::MALFORMED_PACKET);
}

#[test]
fn string_that_is_not_utf8_is_malformed() {
    let bytes = [0x30, 0x05, 0x00, 0x03, b'a', 0xFF, b'b'];
    assert!(decode_one(ProtocolVersion::V311, &bytes).is_err());
}

#[test]
fn auth_is_read_in_version_5_only_with_its_reason_codes() {
    // The short form: no reason code means success.
    let success = Packet::Auth(Auth {
        reason: ReasonCode::SUCCESS,
        properties: AuthProperties::default(),
    });
    assert_eq!(decode_one(ProtocolVersion::V5, &[0xF0, 0x00]), Ok(success));
    // Continue authentication with method "M" and data [1, 2].
    let bytes = [
        0xF0, 0x0B, 0x18, 0x09, 0x15, 0x00, 0x01, b'M', 0x16, 0x00, 0x02, 0x01, 0x02,
    ];
    let step = Packet::Auth(Auth {
        reason: ReasonCode::CONTINUE_AUTHENTICATION,
        properties: AuthProperties {
            method: Some("M".into()),
            data: Some(Bytes::from_static(&[1, 2])),
            ..AuthProperties::default()
        },
    });
    assert_eq!(decode_one(ProtocolVersion::V5, &bytes), Ok(step.clone()));
    assert_eq!(
        encode(&step, ProtocolVersion::V5, None).as_deref(),
        Ok(&bytes[..])
    );
    // 0x87 is no AUTH reason code; a topic alias is no AUTH property.
    let error = decode_one(ProtocolVersion::V5, &[0xF0, 0x01, 0x87]).expect_err("bad code");
    assert_eq!(error.reason_code(), ReasonCode::MALFORMED_PACKET);
    let bytes = [0xF0, 0x05, 0x18, 0x03, 0x23, 0x00, 0x01];
    assert!(decode_one(ProtocolVersion::V5, &bytes).is_err());
    let refused = Packet::Auth(Auth {
        reason: ReasonCode(0x87),
        properties: AuthProperties::default(),
    });
    assert!(encode(&refused, ProtocolVersion::V5, None).is_err());
    assert!(encode(&step, ProtocolVersion::V311, None).is_err());
    let error = decode_one(ProtocolVersion::V311, &[0xF0, 0x00]).expect_err("reserved type");
    assert_eq!(error.reason_code(), ReasonCode::MALFORMED_PACKET);
}

#[test]
fn duplicate_property_is_a_protocol_error() {
    // PUBACK, reason 0, properties: reason string "a" twice.
    let bytes = [
        0x40, 0x0C, 0x00, 0x01, 0x00, 0x08, 0x1F, 0x00, 0x01, b'a', 0x1F, 0x00, 0x01, b'a',
    ];
    let error = decode_one(ProtocolVersion::V5, &bytes).expect_err("duplicate");
    assert_eq!(error.reason_code(), ReasonCode::PROTOCOL_ERROR);
}

#[test]
fn many_packets_in_one_buffer_decode_iteratively() {
    let count = 200_000;
    let bytes: Vec<u8> = [0xD0u8, 0x00].repeat(count);
    let results = decode_all(ProtocolVersion::V311, &bytes);
    assert_eq!(results.len(), count);
    assert!(results.iter().all(|result| *result == Ok(Packet::PingResp)));
}

/// A version 3.1.1 CONNECT without a user name.
fn anonymous_connect(password: Option<Bytes>, will: Option<Will>) -> Packet {
    Packet::Connect(Connect {
        version: ProtocolVersion::V311,
        client_id: "c".into(),
        keep_alive: 30,
        clean_start: true,
        username: None,
        password,
        will,
        properties: ConnectProperties::default(),
    })
}

#[test]
fn password_without_user_name_is_refused_in_v311() {
    let connect = anonymous_connect(Some(Bytes::from_static(b"secret")), None);
    assert!(matches!(
        encode(&connect, ProtocolVersion::V311, None),
        Err(EncodeError::ProtocolViolation { .. })
    ));
    assert!(encode(&connect, ProtocolVersion::V5, None).is_ok());
}

#[test]
fn will_properties_are_refused_in_v311_in_the_will_s_words() {
    let will = Will {
        topic: "w".into(),
        payload: Bytes::from_static(b"x"),
        qos: QoS::AtMostOnce,
        retain: false,
        properties: WillProperties {
            delay_interval: Some(1),
            ..WillProperties::default()
        },
    };
    let connect = anonymous_connect(None, Some(will));
    let error = encode(&connect, ProtocolVersion::V311, None).expect_err("will properties");
    assert_eq!(
        error,
        EncodeError::NotInVersion311 {
            packet: "CONNECT",
            field: codec::Version5Field::WillProperties,
        }
    );
    assert_eq!(
        error.to_string(),
        "the will properties only exists in MQTT 5, not in MQTT 3.1.1"
    );
}

#[test]
fn packet_over_peer_maximum_is_refused() {
    let packet = Packet::Publish(Publish {
        dup: false,
        delivery: Delivery::AtMostOnce,
        retain: false,
        topic: "a".into(),
        payload: Bytes::from(vec![0u8; 100]),
        properties: PublishProperties::default(),
    });
    assert_eq!(
        encode(&packet, ProtocolVersion::V311, Some(50)),
        Err(EncodeError::PacketTooLarge {
            size: 105,
            maximum: 50
        })
    );
    assert_eq!(
        encode(&packet, ProtocolVersion::V311, Some(105)).map(|b| b.len()),
        Ok(105)
    );
}

#[test]
fn v5_disconnect_with_reason_and_no_properties_encodes_consistently() {
    // mqttbytes-ng 0.7.1 writes this as E0 01 8E 00 (length 1, two bytes follow), which
    // desynchronises the reader; the codec writes the short form itself.
    let disconnect = Packet::Disconnect(Disconnect {
        reason: ReasonCode::SESSION_TAKEN_OVER,
        properties: DisconnectProperties::default(),
    });
    let bytes = encode(&disconnect, ProtocolVersion::V5, None).expect("valid DISCONNECT");
    assert_eq!(bytes, vec![0xE0, 0x01, 0x8E]);
    assert_eq!(decode_one(ProtocolVersion::V5, &bytes), Ok(disconnect));
    let invalid = Packet::Disconnect(Disconnect {
        reason: ReasonCode(0x42),
        properties: DisconnectProperties::default(),
    });
    assert!(matches!(
        encode(&invalid, ProtocolVersion::V5, None),
        Err(EncodeError::InvalidReasonCode { .. })
    ));
}

#[test]
fn v5_publish_with_several_subscription_identifiers_keeps_payload_and_properties() {
    // Found by the decoder fuzz target: mqttbytes-ng 0.7.1 counts each subscription
    // identifier one byte too long, so from the third one on it stops reading properties and
    // the rest of them becomes payload.
    let mut bytes = vec![0x3B, 0x24, 0x00, 0x0D, 0x0D];
    bytes.extend_from_slice(&[0x0B; 12]); // the rest of the 13-byte topic
    bytes.extend_from_slice(&[0x21, 0x0B]); // packet id 0x210B
    bytes.push(0x08); // property length: four subscription identifiers of 11
    bytes.extend_from_slice(&[0x0B; 8]);
    bytes.extend_from_slice(&[0x0B, 0xB5, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B, 0x0B]);
    let Ok(Packet::Publish(publish)) = decode_one(ProtocolVersion::V5, &bytes) else {
        panic!("a valid PUBLISH");
    };
    assert_eq!(publish.properties.subscription_identifiers, vec![11; 4]);
    assert_eq!(&publish.payload[..], &bytes[bytes.len() - 10..]);

    // The same through encode: identifiers then a content type, which the library's reader
    // would also have lost.
    let packet = Packet::Publish(Publish {
        dup: false,
        delivery: Delivery::AtMostOnce,
        retain: false,
        topic: "t".into(),
        payload: Bytes::from_static(b"data"),
        properties: PublishProperties {
            subscription_identifiers: vec![1, 2, 3, 200_000, 5],
            content_type: Some("c".into()),
            ..PublishProperties::default()
        },
    });
    let encoded = encode(&packet, ProtocolVersion::V5, None).expect("valid PUBLISH");
    assert_eq!(decode_one(ProtocolVersion::V5, &encoded), Ok(packet));
}

#[test]
fn version_and_limit_changes_apply_to_the_next_frame() {
    let mut decoder = Decoder::new(ProtocolVersion::V311, MAX_PACKET_SIZE);
    decoder
        .feed(&[0xD0, 0x00, 0xF0, 0x00])
        .expect("headers are fine");
    assert_eq!(decoder.next_packet(), Ok(Some(Packet::PingResp)));
    // Type 15 is AUTH in version 5, reserved in 3.1.1.
    decoder.set_version(ProtocolVersion::V5);
    assert!(matches!(decoder.next_packet(), Ok(Some(Packet::Auth(_)))));

    decoder.set_max_packet_size(3);
    decoder.feed(&[0xD0, 0x00]).expect("2 bytes fit");
    assert_eq!(decoder.next_packet(), Ok(Some(Packet::PingResp)));
    let error = decoder
        .feed(&[0x40, 0x02, 0x00, 0x01])
        .expect_err("4 bytes do not fit");
    assert_eq!(
        error,
        DecodeError::PacketTooLarge {
            size: 4,
            maximum: 3
        }
    );
}

#[test]
fn a_client_refuses_unread_what_only_a_client_sends() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let subscribe = Packet::Subscribe(Subscribe {
            packet_id: id(1),
            filters: vec![SubscribeFilter {
                filter: "a/#".into(),
                options: SubscriptionOptions {
                    qos: QoS::AtLeastOnce,
                    no_local: false,
                    retain_as_published: false,
                    retain_handling: RetainHandling::SendAtSubscribe,
                },
            }],
            properties: SubscribeProperties::default(),
        });
        for packet in [subscribe, Packet::PingReq] {
            let encoded = encode(&packet, version, None).expect("encodable");
            let mut decoder = Decoder::new(version, MAX_PACKET_SIZE);
            decoder.feed(&encoded).expect("the header is fine");
            let error = decoder.next_server_packet().expect_err("not from a server");
            assert_eq!(error.reason_code(), ReasonCode::PROTOCOL_ERROR);
            assert!(
                error
                    .to_string()
                    .ends_with(", which a server must not send"),
                "{error}"
            );
            // The same bytes are a packet to a server.
            assert_eq!(decode_one(version, &encoded), Ok(packet));
        }
    }
    // A packet the server does send still decodes.
    let mut decoder = Decoder::new(ProtocolVersion::V5, MAX_PACKET_SIZE);
    decoder.feed(&[0xD0, 0x00]).expect("the header is fine");
    assert_eq!(decoder.next_server_packet(), Ok(Some(Packet::PingResp)));
}
