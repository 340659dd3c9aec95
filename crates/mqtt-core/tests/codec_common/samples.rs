//! A representative packet of every type, for each version, with every field the version
//! carries set to something other than its default.

use core::num::NonZeroU16;

use mqtt_core::*;

pub fn id(value: u16) -> PacketId {
    NonZeroU16::new(value).expect("sample ids are non-zero")
}

fn user_properties() -> UserProperties {
    vec![("k".into(), "v".into()), ("k".into(), "second ü".into())]
}

fn ack(packet_id: u16, reason: u8, version: ProtocolVersion) -> Ack {
    match version {
        ProtocolVersion::V311 => Ack {
            packet_id: id(packet_id),
            reason: ReasonCode::SUCCESS,
            properties: AckProperties::default(),
        },
        ProtocolVersion::V5 => Ack {
            packet_id: id(packet_id),
            reason: ReasonCode(reason),
            properties: AckProperties {
                reason_string: Some("because".into()),
                user_properties: user_properties(),
            },
        },
    }
}

pub fn samples(version: ProtocolVersion) -> Vec<Packet> {
    let v5 = version == ProtocolVersion::V5;
    let mut packets = vec![
        Packet::Connect(Connect {
            version,
            client_id: "client-1".into(),
            keep_alive: 60,
            clean_start: true,
            username: Some("user".into()),
            password: Some(Bytes::from_static(b"pass")),
            will: Some(Will {
                topic: "will/topic".into(),
                payload: Bytes::from_static(b"gone"),
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: if v5 {
                    WillProperties {
                        delay_interval: Some(5),
                        payload_format_indicator: Some(1),
                        message_expiry_interval: Some(100),
                        content_type: Some("text/plain".into()),
                        response_topic: Some("reply/here".into()),
                        correlation_data: Some(Bytes::from_static(&[1, 2, 3])),
                        user_properties: user_properties(),
                    }
                } else {
                    WillProperties::default()
                },
            }),
            properties: if v5 {
                ConnectProperties {
                    session_expiry_interval: Some(3600),
                    receive_maximum: Some(20),
                    maximum_packet_size: Some(1 << 20),
                    topic_alias_maximum: Some(10),
                    request_response_information: Some(true),
                    request_problem_information: Some(false),
                    user_properties: user_properties(),
                    authentication_method: Some("SCRAM-SHA-256".into()),
                    authentication_data: Some(Bytes::from_static(b"n,,n=user,r=abc")),
                }
            } else {
                ConnectProperties::default()
            },
        }),
        Packet::ConnAck(ConnAck {
            session_present: true,
            code: ReasonCode::SUCCESS,
            properties: if v5 {
                ConnAckProperties {
                    session_expiry_interval: Some(10),
                    receive_maximum: Some(100),
                    maximum_qos: Some(QoS::AtLeastOnce),
                    retain_available: Some(false),
                    maximum_packet_size: Some(65_536),
                    assigned_client_identifier: Some("assigned".into()),
                    topic_alias_maximum: Some(5),
                    reason_string: Some("welcome".into()),
                    user_properties: user_properties(),
                    wildcard_subscription_available: Some(true),
                    subscription_identifiers_available: Some(true),
                    shared_subscription_available: Some(false),
                    server_keep_alive: Some(30),
                    response_information: Some("info".into()),
                    server_reference: Some("other:1883".into()),
                    authentication_method: Some("SCRAM-SHA-256".into()),
                    authentication_data: Some(Bytes::from_static(b"v=signature")),
                }
            } else {
                ConnAckProperties::default()
            },
        }),
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: ReasonCode::NOT_AUTHORIZED,
            properties: ConnAckProperties::default(),
        }),
        Packet::Publish(Publish {
            dup: false,
            delivery: Delivery::AtMostOnce,
            retain: false,
            topic: "sensors/temperature".into(),
            payload: Bytes::from_static(b"21.5"),
            properties: PublishProperties::default(),
        }),
        Packet::Publish(Publish {
            dup: true,
            delivery: Delivery::ExactlyOnce(id(65_535)),
            retain: true,
            topic: "a/b/ü".into(),
            payload: Bytes::from(vec![0xAB; 300]),
            properties: if v5 {
                PublishProperties {
                    payload_format_indicator: Some(0),
                    message_expiry_interval: Some(60),
                    topic_alias: Some(3),
                    response_topic: Some("reply".into()),
                    correlation_data: Some(Bytes::from_static(b"corr")),
                    user_properties: user_properties(),
                    subscription_identifiers: vec![1, 268_435_455],
                    content_type: Some("application/octet-stream".into()),
                }
            } else {
                PublishProperties::default()
            },
        }),
        Packet::PubAck(ack(1, 0x10, version)),
        Packet::PubRec(ack(2, 0x97, version)),
        Packet::PubRel(ack(3, 0x92, version)),
        Packet::PubComp(ack(4, 0x00, version)),
        Packet::Subscribe(Subscribe {
            packet_id: id(5),
            filters: vec![
                SubscribeFilter {
                    filter: "a/+/c".into(),
                    options: SubscriptionOptions {
                        qos: QoS::ExactlyOnce,
                        no_local: v5,
                        retain_as_published: v5,
                        retain_handling: if v5 {
                            RetainHandling::DoNotSend
                        } else {
                            RetainHandling::SendAtSubscribe
                        },
                    },
                },
                SubscribeFilter {
                    filter: "$share/group/x/#".into(),
                    options: SubscriptionOptions {
                        qos: QoS::AtMostOnce,
                        no_local: false,
                        retain_as_published: false,
                        retain_handling: if v5 {
                            RetainHandling::SendAtSubscribeIfNew
                        } else {
                            RetainHandling::SendAtSubscribe
                        },
                    },
                },
            ],
            properties: if v5 {
                SubscribeProperties {
                    subscription_identifier: Some(42),
                    user_properties: user_properties(),
                }
            } else {
                SubscribeProperties::default()
            },
        }),
        Packet::SubAck(SubAck {
            packet_id: id(5),
            reason_codes: if v5 {
                vec![ReasonCode(2), ReasonCode(0x87), ReasonCode(0xA2)]
            } else {
                vec![ReasonCode(2), ReasonCode(0x80), ReasonCode(0)]
            },
            properties: if v5 {
                AckProperties {
                    reason_string: Some("partly".into()),
                    user_properties: user_properties(),
                }
            } else {
                AckProperties::default()
            },
        }),
        Packet::Unsubscribe(Unsubscribe {
            packet_id: id(6),
            filters: vec!["a/+/c".into(), "#".into()],
            user_properties: if v5 {
                user_properties()
            } else {
                UserProperties::new()
            },
        }),
        Packet::UnsubAck(UnsubAck {
            packet_id: id(6),
            reason_codes: if v5 {
                vec![ReasonCode(0), ReasonCode(0x11)]
            } else {
                Vec::new()
            },
            properties: if v5 {
                AckProperties {
                    reason_string: None,
                    user_properties: user_properties(),
                }
            } else {
                AckProperties::default()
            },
        }),
        Packet::PingReq,
        Packet::PingResp,
        Packet::Disconnect(Disconnect {
            reason: ReasonCode::NORMAL_DISCONNECTION,
            properties: DisconnectProperties::default(),
        }),
    ];
    if v5 {
        packets.push(Packet::Disconnect(Disconnect {
            reason: ReasonCode::SERVER_MOVED,
            properties: DisconnectProperties {
                session_expiry_interval: Some(0),
                reason_string: Some("moving".into()),
                server_reference: Some("elsewhere".into()),
                user_properties: user_properties(),
            },
        }));
        packets.push(Packet::PubAck(Ack {
            packet_id: id(9),
            reason: ReasonCode::SUCCESS,
            properties: AckProperties::default(),
        }));
        packets.push(Packet::PubAck(Ack {
            packet_id: id(10),
            reason: ReasonCode::NOT_AUTHORIZED,
            properties: AckProperties::default(),
        }));
        // A topic alias used on its own.
        packets.push(Packet::Publish(Publish {
            dup: false,
            delivery: Delivery::AtLeastOnce(id(11)),
            retain: false,
            topic: String::new(),
            payload: Bytes::from_static(b"aliased"),
            properties: PublishProperties {
                topic_alias: Some(3),
                ..PublishProperties::default()
            },
        }));
    }
    packets
}
