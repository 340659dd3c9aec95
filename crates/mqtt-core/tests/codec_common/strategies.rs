//! Proptest strategies for valid packets of every type, per version.

use core::num::NonZeroU16;

use mqtt_core::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

pub fn topic_level() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("a".to_string()),
        Just("b".to_string()),
        Just("$SYS".to_string()),
        Just("ü".to_string()),
        "[a-c$]{1,3}",
    ]
}

pub fn topic_name() -> impl Strategy<Value = String> {
    vec(topic_level(), 1..5)
        .prop_map(|levels| levels.join("/"))
        .prop_filter("non-empty", |topic| !topic.is_empty())
}

fn filter_level() -> impl Strategy<Value = String> {
    prop_oneof![3 => topic_level(), 1 => Just("+".to_string())]
}

pub fn topic_filter() -> impl Strategy<Value = String> {
    (vec(filter_level(), 1..5), any::<bool>(), any::<bool>())
        .prop_map(|(mut levels, multi, shared)| {
            if multi {
                levels.push("#".into());
            }
            let filter = levels.join("/");
            if shared {
                format!("$share/group/{filter}")
            } else {
                filter
            }
        })
        .prop_filter("valid filters", |filter| {
            validate_topic_filter(filter).is_ok()
        })
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 /ü€]{0,12}"
}

fn bytes_value() -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..40).prop_map(Bytes::from)
}

fn packet_id() -> impl Strategy<Value = PacketId> {
    (1u16..).prop_map(|id| NonZeroU16::new(id).expect("non-zero range"))
}

fn qos() -> impl Strategy<Value = QoS> {
    prop_oneof![
        Just(QoS::AtMostOnce),
        Just(QoS::AtLeastOnce),
        Just(QoS::ExactlyOnce)
    ]
}

fn user_properties(v5: bool) -> BoxedStrategy<UserProperties> {
    if v5 {
        vec((text(), text()), 0..3).boxed()
    } else {
        Just(UserProperties::new()).boxed()
    }
}

/// A generated field that only exists in version 5: `None` otherwise.
fn v5_only<T: core::fmt::Debug + Clone + 'static>(
    v5: bool,
    strategy: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    if v5 {
        option::of(strategy).boxed()
    } else {
        Just(None).boxed()
    }
}

fn reason(v5: bool, codes: &'static [u8]) -> BoxedStrategy<ReasonCode> {
    if v5 {
        proptest::sample::select(codes).prop_map(ReasonCode).boxed()
    } else {
        Just(ReasonCode::SUCCESS).boxed()
    }
}

fn publish(v5: bool) -> impl Strategy<Value = Packet> {
    let properties = (
        v5_only(v5, 0u8..=1),
        v5_only(v5, any::<u32>()),
        v5_only(v5, 1u16..),
        v5_only(v5, topic_name()),
        v5_only(v5, bytes_value()),
        user_properties(v5),
        if v5 {
            vec(1u32..=268_435_455, 0..6).boxed()
        } else {
            Just(Vec::new()).boxed()
        },
        v5_only(v5, text()),
    )
        .prop_map(
            |(format, expiry, alias, response, correlation, user, ids, content)| {
                PublishProperties {
                    payload_format_indicator: format,
                    message_expiry_interval: expiry,
                    topic_alias: alias,
                    response_topic: response,
                    correlation_data: correlation,
                    user_properties: user,
                    subscription_identifiers: ids,
                    content_type: content,
                }
            },
        );
    let delivery = prop_oneof![
        Just(Delivery::AtMostOnce),
        packet_id().prop_map(Delivery::AtLeastOnce),
        packet_id().prop_map(Delivery::ExactlyOnce),
    ];
    (
        any::<bool>(),
        delivery,
        any::<bool>(),
        topic_name(),
        prop_oneof![4 => vec(any::<u8>(), 0..64), 1 => vec(any::<u8>(), 0..2000)],
        properties,
    )
        .prop_map(|(dup, delivery, retain, topic, payload, properties)| {
            // With a topic alias, version 5 may leave the topic out.
            let topic = if properties.topic_alias.is_some() && topic.len() % 3 == 0 {
                String::new()
            } else {
                topic
            };
            Packet::Publish(Publish {
                dup,
                delivery,
                retain,
                topic,
                payload: Bytes::from(payload),
                properties,
            })
        })
}

fn connect(v5: bool) -> impl Strategy<Value = Packet> {
    let version = if v5 {
        ProtocolVersion::V5
    } else {
        ProtocolVersion::V311
    };
    let will_properties = (
        v5_only(v5, any::<u32>()),
        v5_only(v5, 0u8..=1),
        v5_only(v5, any::<u32>()),
        v5_only(v5, text()),
        v5_only(v5, topic_name()),
        v5_only(v5, bytes_value()),
        user_properties(v5),
    )
        .prop_map(
            |(delay, format, expiry, content, response, correlation, user)| WillProperties {
                delay_interval: delay,
                payload_format_indicator: format,
                message_expiry_interval: expiry,
                content_type: content,
                response_topic: response,
                correlation_data: correlation,
                user_properties: user,
            },
        );
    let will = (
        topic_name(),
        bytes_value(),
        qos(),
        any::<bool>(),
        will_properties,
    )
        .prop_map(|(topic, payload, qos, retain, properties)| Will {
            topic,
            payload,
            qos,
            retain,
            properties,
        });
    let properties = (
        v5_only(v5, any::<u32>()),
        v5_only(v5, 1u16..),
        v5_only(v5, 1u32..),
        v5_only(v5, any::<u16>()),
        v5_only(v5, any::<bool>()),
        v5_only(v5, any::<bool>()),
        user_properties(v5),
        v5_only(v5, text()),
        v5_only(v5, bytes_value()),
    )
        .prop_map(
            |(session, receive, packet_size, alias, response, problem, user, method, data)| {
                ConnectProperties {
                    session_expiry_interval: session,
                    receive_maximum: receive,
                    maximum_packet_size: packet_size,
                    topic_alias_maximum: alias,
                    request_response_information: response,
                    request_problem_information: problem,
                    user_properties: user,
                    authentication_method: method,
                    authentication_data: data,
                }
            },
        );
    (
        text(),
        any::<u16>(),
        any::<bool>(),
        option::of("[a-z]{1,8}"),
        option::of("[a-z0-9]{1,8}"),
        option::of(will),
        properties,
    )
        .prop_map(
            move |(client_id, keep_alive, clean_start, username, password, will, properties)| {
                // 3.1.1 has no password without a user name.
                let password = if v5 || username.is_some() {
                    password.map(|password: String| Bytes::from(password.into_bytes()))
                } else {
                    None
                };
                Packet::Connect(Connect {
                    version,
                    client_id,
                    keep_alive,
                    clean_start,
                    username,
                    password,
                    will,
                    properties,
                })
            },
        )
}

const CONNACK_CODES: &[u8] = &[
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
    0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F,
];
const CONNACK_CODES_V311: &[u8] = &[0x00, 0x84, 0x85, 0x88, 0x86, 0x87];
const PUBACK_CODES: &[u8] = &[0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const PUBREL_CODES: &[u8] = &[0x00, 0x92];
const SUBACK_CODES: &[u8] = &[
    0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2,
];
const SUBACK_CODES_V311: &[u8] = &[0x00, 0x01, 0x02, 0x80];
const UNSUBACK_CODES: &[u8] = &[0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91];
const DISCONNECT_CODES: &[u8] = &[
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95,
    0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2,
];

fn connack(v5: bool) -> impl Strategy<Value = Packet> {
    let strings = (
        v5_only(v5, text()),
        v5_only(v5, text()),
        v5_only(v5, text()),
        v5_only(v5, text()),
    );
    let numbers = (
        v5_only(v5, any::<u32>()),
        v5_only(v5, 1u16..),
        v5_only(
            v5,
            prop_oneof![Just(QoS::AtMostOnce), Just(QoS::AtLeastOnce)],
        ),
        v5_only(v5, 1u32..),
        v5_only(v5, any::<u16>()),
        v5_only(v5, any::<u16>()),
    );
    let flags = (
        v5_only(v5, any::<bool>()),
        v5_only(v5, any::<bool>()),
        v5_only(v5, any::<bool>()),
        v5_only(v5, any::<bool>()),
    );
    let codes = if v5 {
        CONNACK_CODES
    } else {
        CONNACK_CODES_V311
    };
    (
        any::<bool>(),
        proptest::sample::select(codes),
        strings,
        numbers,
        flags,
        user_properties(v5),
    )
        .prop_map(
            |(session_present, code, strings, numbers, flags, user_properties)| {
                let (assigned, reason_string, response, reference) = strings;
                let (session, receive, maximum_qos, packet_size, alias, keep_alive) = numbers;
                let (retain, wildcard, ids, shared) = flags;
                Packet::ConnAck(ConnAck {
                    session_present,
                    code: ReasonCode(code),
                    properties: ConnAckProperties {
                        session_expiry_interval: session,
                        receive_maximum: receive,
                        maximum_qos,
                        retain_available: retain,
                        maximum_packet_size: packet_size,
                        assigned_client_identifier: assigned,
                        topic_alias_maximum: alias,
                        reason_string,
                        user_properties,
                        wildcard_subscription_available: wildcard,
                        subscription_identifiers_available: ids,
                        shared_subscription_available: shared,
                        server_keep_alive: keep_alive,
                        response_information: response,
                        server_reference: reference,
                        ..ConnAckProperties::default()
                    },
                })
            },
        )
}

/// AUTH exists in version 5 only; 3.1.1 gets a PINGRESP in its place. An AUTH always names
/// its method (MQTT 5.0 section 3.15.2.2.2).
fn auth(v5: bool) -> BoxedStrategy<Packet> {
    if !v5 {
        return Just(Packet::PingResp).boxed();
    }
    (
        proptest::sample::select(&[0x00u8, 0x18, 0x19][..]),
        text().prop_map(Some),
        proptest::option::of(bytes_value()),
        proptest::option::of(text()),
        user_properties(v5),
    )
        .prop_map(|(reason, method, data, reason_string, user_properties)| {
            Packet::Auth(Auth {
                reason: ReasonCode(reason),
                properties: AuthProperties {
                    method,
                    data,
                    reason_string,
                    user_properties,
                },
            })
        })
        .boxed()
}

fn ack_properties(v5: bool) -> impl Strategy<Value = AckProperties> {
    (v5_only(v5, text()), user_properties(v5)).prop_map(|(reason_string, user_properties)| {
        AckProperties {
            reason_string,
            user_properties,
        }
    })
}

fn ack(v5: bool, codes: &'static [u8]) -> impl Strategy<Value = Ack> {
    (packet_id(), reason(v5, codes), ack_properties(v5)).prop_map(
        |(packet_id, reason, properties)| Ack {
            packet_id,
            reason,
            properties,
        },
    )
}

fn subscribe(v5: bool) -> impl Strategy<Value = Packet> {
    let options = (qos(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(
        move |(qos, no_local, retain_as_published, handling)| SubscriptionOptions {
            qos,
            no_local: v5 && no_local,
            retain_as_published: v5 && retain_as_published,
            retain_handling: match (v5, handling) {
                (true, 1) => RetainHandling::SendAtSubscribeIfNew,
                (true, 2) => RetainHandling::DoNotSend,
                _ => RetainHandling::SendAtSubscribe,
            },
        },
    );
    let filter = (topic_filter(), options).prop_map(|(filter, mut options)| {
        // No local is a protocol error on a shared subscription.
        if filter.starts_with("$share/") {
            options.no_local = false;
        }
        SubscribeFilter { filter, options }
    });
    (
        packet_id(),
        vec(filter, 1..4),
        v5_only(v5, 1u32..=268_435_455),
        user_properties(v5),
    )
        .prop_map(|(packet_id, filters, identifier, user_properties)| {
            Packet::Subscribe(Subscribe {
                packet_id,
                filters,
                properties: SubscribeProperties {
                    subscription_identifier: identifier,
                    user_properties,
                },
            })
        })
}

pub fn packet(v5: bool) -> BoxedStrategy<Packet> {
    let suback_codes = if v5 { SUBACK_CODES } else { SUBACK_CODES_V311 };
    let unsuback_codes = if v5 {
        vec(
            proptest::sample::select(UNSUBACK_CODES).prop_map(ReasonCode),
            1..4,
        )
        .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    prop_oneof![
        4 => publish(v5),
        1 => connect(v5),
        1 => connack(v5),
        1 => ack(v5, PUBACK_CODES).prop_map(Packet::PubAck),
        1 => ack(v5, PUBACK_CODES).prop_map(Packet::PubRec),
        1 => ack(v5, PUBREL_CODES).prop_map(Packet::PubRel),
        1 => ack(v5, PUBREL_CODES).prop_map(Packet::PubComp),
        1 => subscribe(v5),
        1 => (
            packet_id(),
            vec(proptest::sample::select(suback_codes).prop_map(ReasonCode), 1..4),
            ack_properties(v5)
        )
            .prop_map(|(packet_id, reason_codes, properties)| Packet::SubAck(SubAck {
                packet_id,
                reason_codes,
                properties,
            })),
        1 => (packet_id(), vec(topic_filter(), 1..4), user_properties(v5)).prop_map(
            |(packet_id, filters, user_properties)| Packet::Unsubscribe(Unsubscribe {
                packet_id,
                filters,
                user_properties,
            })
        ),
        1 => (packet_id(), unsuback_codes, ack_properties(v5)).prop_map(
            |(packet_id, reason_codes, properties)| Packet::UnsubAck(UnsubAck {
                packet_id,
                reason_codes,
                properties,
            })
        ),
        1 => Just(Packet::PingReq),
        1 => Just(Packet::PingResp),
        1 => auth(v5),
        1 => (
            reason(v5, DISCONNECT_CODES),
            v5_only(v5, any::<u32>()),
            v5_only(v5, text()),
            v5_only(v5, text()),
            user_properties(v5)
        )
            .prop_map(|(reason, session, reason_string, reference, user)| {
                Packet::Disconnect(Disconnect {
                    reason,
                    properties: DisconnectProperties {
                        session_expiry_interval: session,
                        reason_string,
                        server_reference: reference,
                        user_properties: user,
                    },
                })
            }),
    ]
    .boxed()
}

pub fn versioned_packets() -> impl Strategy<Value = (ProtocolVersion, Vec<Packet>)> {
    prop_oneof![
        vec(packet(false), 1..8).prop_map(|packets| (ProtocolVersion::V311, packets)),
        vec(packet(true), 1..8).prop_map(|packets| (ProtocolVersion::V5, packets)),
    ]
}
